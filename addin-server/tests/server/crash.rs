//! Crash safety of the key broker: the real server binary is killed with SIGKILL while clients
//! create keys, then restarted; every key whose creation was acknowledged must unwrap to the
//! same bytes, and the audit chain must verify. Repeated on SQLite and on PostgreSQL.

use crate::support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use support::{Provider, TestDb, CLIENT_ID};

/// Kills per engine.
const ROUNDS: usize = 12;
/// Clients creating keys at once.
const CLIENTS: usize = 8;

struct Server {
    child: Child,
    base: String,
}

fn start(provider: &Provider, db: &TestDb, data: &Path) -> Server {
    let tenants = format!("{},{}", provider.tenant_a, provider.tenant_b);
    let mut child = Command::new(env!("CARGO_BIN_EXE_addin-server"))
        .args(["serve", "--assets-dir", "/nonexistent"])
        .env_clear()
        .env("RUST_LOG", "error")
        .env("ADDIN_LISTEN", "127.0.0.1:0")
        .env("ADDIN_INSECURE_HTTP", "true")
        .env("ADDIN_DATA_DIR", data)
        .env("ADDIN_DATABASE_URL", &db.url)
        .env("ADDIN_AUTHORITY", &provider.authority)
        .env("ADDIN_CLIENT_ID", CLIENT_ID)
        .env("ADDIN_ALLOWED_TENANTS", tenants)
        // The test creates keys as fast as it can, as one user: the limits must not stop it.
        .env("ADDIN_RATE_LIMIT_SCALE", "1000")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.trim().strip_prefix("Listening on") {
            let addr = rest.split_whitespace().next().unwrap().to_owned();
            // Keep reading, so the rest of the banner does not meet a closed pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return Server {
                child,
                base: format!("http://{addr}"),
            };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server exited before listening");
}

/// Creates keys until the server stops answering; returns those acknowledged.
async fn create_until_refused(
    client: reqwest::Client,
    base: String,
    token: String,
    acked: Arc<Mutex<Vec<(String, String)>>>,
) {
    loop {
        let response = client
            .post(format!("{base}/v1/keys"))
            .bearer_auth(&token)
            .json(&json!({ "recipients": ["bob@fabrikam.example"] }))
            .send()
            .await;
        let Ok(response) = response else { return };
        if response.status() != 201 {
            return;
        }
        let Ok(body) = response.json::<Value>().await else {
            return;
        };
        acked.lock().unwrap().push((
            body["keyId"].as_str().unwrap().to_owned(),
            body["key"].as_str().unwrap().to_owned(),
        ));
    }
}

fn verify(db: &TestDb, data: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_addin-server"))
        .args(["audit", "verify"])
        .env_clear()
        .env("ADDIN_DATA_DIR", data)
        .env("ADDIN_DATABASE_URL", &db.url)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
// The guard is held for the whole test on purpose; no task of this runtime takes it.
#[allow(clippy::await_holding_lock)]
async fn acknowledged_keys_survive_kill_9() {
    let _alone = support::sockets_alone();
    let provider = Provider::start("test-key-1");
    let alice = provider.token("alice@a").await;
    let bob = provider.token("bob@b").await;
    // A request to a killed server must fail, never wait: with a bound on each, a round that
    // cannot finish fails the test with where it stopped instead of hanging the suite.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    for engine in support::engines() {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        let data = dir.path().join("data");
        let acked = Arc::new(Mutex::new(Vec::new()));
        for round in 0..ROUNDS {
            let mut server = start(&provider, &db, &data);
            let clients: Vec<_> = (0..CLIENTS)
                .map(|_| {
                    tokio::spawn(create_until_refused(
                        client.clone(),
                        server.base.clone(),
                        alice.clone(),
                        acked.clone(),
                    ))
                })
                .collect();
            // Kill at a different moment each round, while creations are in flight.
            let delay = 150 + (round as u64 * 97) % 400;
            tokio::time::sleep(Duration::from_millis(delay)).await;
            server.child.kill().unwrap();
            server.child.wait().unwrap();
            for c in clients {
                tokio::time::timeout(Duration::from_secs(30), c)
                    .await
                    .unwrap_or_else(|_| {
                        panic!("{engine}: round {round}: a client still waits 30 s after the kill")
                    })
                    .unwrap();
            }
        }
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() > ROUNDS * 10,
            "{engine}: too few keys created to test anything ({})",
            acked.len()
        );

        // Restart once more: every acknowledged key unwraps for its recipient, unchanged.
        let mut server = start(&provider, &db, &data);
        for chunk in acked.chunks(256) {
            let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
            let answer: Value = client
                .post(format!("{}/v1/keys/unwrap", server.base))
                .bearer_auth(&bob)
                .json(&json!({ "keyIds": ids }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for ((id, key), result) in chunk.iter().zip(answer["results"].as_array().unwrap()) {
                assert_eq!(
                    result["key"].as_str(),
                    Some(key.as_str()),
                    "{engine}: {id}: {result}"
                );
            }
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        let (ok, report) = verify(&db, &data);
        assert!(ok, "{engine}: {report}");
        eprintln!(
            "crash safety on {engine}: {ROUNDS} kills with SIGKILL, {} acknowledged keys, all unwrapped after restart; {}",
            acked.len(),
            report.lines().next().unwrap_or("")
        );
    }
}
