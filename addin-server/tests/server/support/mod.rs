//! What the server's integration tests share: a real OpenID provider (npm `oidc-provider`,
//! configured like Entra ID by `tests/support/oidc-provider.mjs`), fresh databases of each
//! engine, and the application wired to both.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use addin_server::auth;
use addin_server::broker::MasterKeys;
use addin_server::config::Config;
use addin_server::http::{router, AppState};
use addin_server::store::Store;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use sqlx::Connection;
use tower::ServiceExt;

pub(crate) const CLIENT_ID: &str = "6c1f2a9e-5b0d-4e3f-8a7b-9c8d7e6f5a4b";

/// The provider, running until dropped.
pub(crate) struct Provider {
    child: Child,
    pub(crate) authority: String,
    pub(crate) tenant_a: String,
    pub(crate) tenant_b: String,
    pub(crate) kid: String,
    pub(crate) private_key_pem: String,
}

/// `node tests/support/{script}`, run from the repository, its first line of output piped.
fn node(script: &str) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut command = Command::new("node");
    command
        .arg(root.join("tests/support").join(script))
        .current_dir(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    command
}

/// Starts `command` (a test service, `what`) and reads the JSON line it prints once ready.
fn started(mut command: Command, what: &str) -> (Child, Value) {
    let mut child = command
        .spawn()
        .expect("node must be installed (scripts/setup.sh installs it)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("{what} did not start ({e}): {line:?}"));
    (child, v)
}

impl Provider {
    pub(crate) fn start(kid: &str) -> Provider {
        // reqwest (here and in the server) needs the process's rustls provider.
        auth::http_client().unwrap();
        let mut command = node("oidc-provider.mjs");
        command.args([CLIENT_ID, kid]);
        let (child, v) = started(command, "the OpenID provider");
        Provider {
            child,
            authority: v["authority"].as_str().unwrap().to_owned(),
            tenant_a: v["tenants"]["a"].as_str().unwrap().to_owned(),
            tenant_b: v["tenants"]["b"].as_str().unwrap().to_owned(),
            kid: v["kid"].as_str().unwrap().to_owned(),
            private_key_pem: v["privateKeyPem"].as_str().unwrap().to_owned(),
        }
    }

    /// A real access token from the provider, for `client` (`alice@a`, `carol@a`, `admin@a`,
    /// `bob@b`).
    pub(crate) async fn token(&self, client: &str) -> String {
        let tenant = if client.ends_with("@a") {
            &self.tenant_a
        } else {
            &self.tenant_b
        };
        let response: Value = reqwest::Client::new()
            .post(format!("{}/{tenant}/v2.0/token", self.authority))
            .basic_auth(client, Some("secret"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "access_as_user"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        response["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token: {response}"))
            .to_owned()
    }

    /// Claims like the provider's, for tenant a, valid now.
    pub(crate) fn claims(&self) -> Value {
        let now = now();
        json!({
            "iss": format!("{}/{}/v2.0", self.authority, self.tenant_a),
            "aud": CLIENT_ID, "tid": self.tenant_a, "oid": "11111111-1111-4111-8111-111111111111",
            "scp": "access_as_user", "ver": "2.0", "preferred_username": "alice@contoso.example",
            "name": "Alice Martin", "roles": [], "iat": now, "nbf": now, "exp": now + 3600,
        })
    }

    /// Signs `claims` with the provider's own key.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_rsa_pem(self.private_key_pem.as_bytes()).unwrap(),
        )
        .unwrap()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A database for one test: a SQLite file in a temporary directory, or a fresh database in the
/// PostgreSQL cluster that `scripts/test.sh` starts (`ADDIN_TEST_POSTGRES_URL`).
pub(crate) struct TestDb {
    /// `ADDIN_DATABASE_URL` for it: on PostgreSQL, the role [`SERVER_ROLE`], with the server's
    /// least privileges, as in production.
    pub(crate) url: String,
    /// The owner's URL (migrations, and the tests that tamper with rows behind the server).
    pub(crate) owner_url: String,
}

/// The PostgreSQL role the servers of the tests run as (`addin-server migrate --grant`).
pub(crate) const SERVER_ROLE: &str = "addin_server";

/// The engines to run a suite on: SQLite always; PostgreSQL when `ADDIN_TEST_POSTGRES_URL` is
/// set. `scripts/test.sh` sets it and `ADDIN_REQUIRE_POSTGRES=1`, which makes its absence a
/// failure rather than a skip.
pub(crate) fn engines() -> Vec<&'static str> {
    let pg = std::env::var("ADDIN_TEST_POSTGRES_URL").is_ok();
    if !pg && std::env::var("ADDIN_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!("ADDIN_REQUIRE_POSTGRES=1 but ADDIN_TEST_POSTGRES_URL is not set: the PostgreSQL cluster of scripts/test.sh did not start");
    }
    if pg {
        vec!["sqlite", "postgres"]
    } else {
        eprintln!("note: ADDIN_TEST_POSTGRES_URL is not set, so this suite runs on SQLite only (scripts/test.sh runs it on both)");
        vec!["sqlite"]
    }
}

impl TestDb {
    /// A fresh, empty database of `engine` (`sqlite` or `postgres`); SQLite's file goes in `dir`.
    pub(crate) async fn new(engine: &'static str, dir: &Path) -> TestDb {
        match engine {
            "sqlite" => {
                let url = format!("sqlite://{}", dir.join("addin.db").display());
                TestDb {
                    owner_url: url.clone(),
                    url,
                }
            }
            "postgres" => {
                let admin = std::env::var("ADDIN_TEST_POSTGRES_URL").unwrap();
                let mut name = [0u8; 8];
                getrandom::getrandom(&mut name).unwrap();
                let name = format!(
                    "t_{}",
                    name.iter().map(|b| format!("{b:02x}")).collect::<String>()
                );
                let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                // Several suites start at once: the role may appear between check and create.
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DO $$ BEGIN CREATE ROLE {SERVER_ROLE} LOGIN; \
                     EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
                )))
                .execute(&mut conn)
                .await
                .unwrap();
                conn.close().await.unwrap();
                let mut owner = url::Url::parse(&admin).unwrap();
                owner.set_path(&name);
                let owner_url = owner.to_string();
                let store = Store::open(&owner_url.parse().unwrap()).await.unwrap();
                store.grant_server_role(SERVER_ROLE).await.unwrap();
                store.close().await;
                let mut server = owner.clone();
                server.set_username(SERVER_ROLE).unwrap();
                server.set_password(None).unwrap();
                TestDb {
                    url: server.to_string(),
                    owner_url,
                }
            }
            other => panic!("unknown engine {other}"),
        }
    }

    /// A raw connection pool to it as its owner, for tests that tamper with rows behind the
    /// server's back.
    pub(crate) async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.owner_url).await.unwrap()
    }

    /// A raw connection pool as the server's role.
    pub(crate) async fn as_server(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.url).await.unwrap()
    }

    /// How many rows `table` has.
    pub(crate) async fn count(&self, table: &str) -> i64 {
        let pool = self.raw().await;
        let n = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        n
    }

    /// The actions of the audit log's records, in order.
    pub(crate) async fn audit_actions(&self) -> Vec<String> {
        let pool = self.raw().await;
        let actions = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        actions
    }
}

/// The configuration of a server on `db`, trusting `provider` for tenants `tenants`, with its
/// data directory (master key file) in `dir`. Its rate limits are a hundred times wider than in
/// production, so that the suites that create and unwrap keys by the dozen concurrently as one
/// user test what they test; `limits.rs` tests the limits themselves.
pub(crate) fn config(provider: &Provider, tenants: &str, db: &TestDb, dir: &Path) -> Config {
    config_with(provider, tenants, db, dir, &[])
}

/// [`config`] with more settings.
pub(crate) fn config_with(
    provider: &Provider,
    tenants: &str,
    db: &TestDb,
    dir: &Path,
    more: &[(&str, &str)],
) -> Config {
    let data = dir.join("data").to_string_lossy().into_owned();
    let base = [
        ("ADDIN_AUTHORITY", provider.authority.as_str()),
        ("ADDIN_INSECURE_HTTP", "true"),
        ("ADDIN_CLIENT_ID", CLIENT_ID),
        ("ADDIN_ALLOWED_TENANTS", tenants),
        ("ADDIN_DATABASE_URL", db.url.as_str()),
        ("ADDIN_DATA_DIR", data.as_str()),
        ("ADDIN_RATE_LIMIT_SCALE", "100"),
    ];
    Config::from_vars(
        base.iter()
            .chain(more)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
    .unwrap()
}

/// The application for `config`, with the task pane served from `dir`.
pub(crate) async fn app(config: &Config, dir: &Path) -> Router {
    let store = Store::open(&config.database).await.unwrap();
    let master = Arc::new(MasterKeys::open(config, &store).await.unwrap());
    router(AppState::new(config, store, master).unwrap(), dir)
}

/// The tests that drive the real server binary over sockets (the transport limits, the crash
/// test) take this while they run, so that they never run at once: the thousand idle sockets
/// of one would share the machine's ports and timing with the kills of the other.
pub(crate) fn sockets_alone() -> std::sync::MutexGuard<'static, ()> {
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ALONE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A request to the application, built step by step: `ask(Method::GET, "/v1/me").token(t)
/// .send(&app)`. The one way the tests call the router.
pub(crate) struct Ask {
    request: axum::http::request::Builder,
    body: Body,
    client: Option<std::net::SocketAddr>,
}

/// A request `method path`, without token, headers or body yet.
pub(crate) fn ask(method: Method, path: &str) -> Ask {
    Ask {
        request: Request::builder().method(method).uri(path),
        body: Body::empty(),
        client: None,
    }
}

impl Ask {
    /// With `Authorization: Bearer token`.
    pub(crate) fn token(self, token: &str) -> Ask {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// With the header `name: value`.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Ask {
        self.request = self.request.header(name, value);
        self
    }

    /// With `value` as its JSON body.
    pub(crate) fn json(self, value: &Value) -> Ask {
        self.header("content-type", "application/json")
            .body(value.to_string())
    }

    /// With `text` as its body, as it is.
    pub(crate) fn body(mut self, text: String) -> Ask {
        self.body = Body::from(text);
        self
    }

    /// As if the connection came from `client` (what the server knows of a socket's peer).
    pub(crate) fn from(mut self, client: std::net::SocketAddr) -> Ask {
        self.client = Some(client);
        self
    }

    /// Sends it to `app`.
    pub(crate) async fn send(self, app: &Router) -> Answer {
        let mut request = self.request.body(self.body).unwrap();
        if let Some(client) = self.client {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(client));
        }
        let path = request.uri().path().to_owned();
        let response = app.clone().oneshot(request).await.unwrap();
        Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.into_body().collect().await.unwrap().to_bytes(),
            path,
        }
    }
}

/// What the application answered.
pub(crate) struct Answer {
    /// The status.
    pub(crate) status: StatusCode,
    /// The headers.
    pub(crate) headers: axum::http::HeaderMap,
    /// The body.
    pub(crate) body: axum::body::Bytes,
    path: String,
}

impl Answer {
    /// The body as JSON (`null` when empty); a body that is not JSON fails the test, saying so.
    pub(crate) fn json(&self) -> Value {
        if self.body.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{}: not JSON ({e}): {:?}",
                self.path,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }

    /// The header `name`, if present.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

/// Calls `method path` with `token` (if any) and a JSON `body` (if any): (status, JSON answer).
pub(crate) async fn call(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = ask(method, path);
    if let Some(token) = token {
        request = request.token(token);
    }
    if let Some(body) = &body {
        request = request.json(body);
    }
    let answer = request.send(app).await;
    (answer.status, answer.json())
}

/// Calls the app with extra headers; returns status, headers and the body (JSON or Null).
pub(crate) async fn send(
    app: &Router,
    method: Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut request = ask(method, path).token(token);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let answer = request.send(app).await;
    let json = answer.json();
    (answer.status, answer.headers, json)
}

/// A versioned document's replacement: `PUT path` with `body`, as `token`, with
/// `If-Match: if_match` if given.
pub(crate) async fn put_document(
    app: &Router,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: String,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let headers: Vec<(&str, &str)> = if_match.map(|e| ("if-match", e)).into_iter().collect();
    send(app, Method::PUT, path, token, &headers, Some(body)).await
}

/// A versioned document as users read it: `GET path` as `token`, with
/// `If-None-Match: if_none_match` if given.
pub(crate) async fn get_document(
    app: &Router,
    path: &str,
    token: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let headers: Vec<(&str, &str)> = if_none_match
        .map(|e| ("if-none-match", e))
        .into_iter()
        .collect();
    send(app, Method::GET, path, token, &headers, None).await
}

/// The ETag header of an answer.
pub(crate) fn etag(headers: &axum::http::HeaderMap) -> String {
    headers["etag"].to_str().unwrap().to_owned()
}

/// How the test SMTP server protects its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SmtpMode {
    /// STARTTLS offered, AUTH required after it.
    StartTls,
    /// TLS from the first byte (smtps), AUTH required.
    Implicit,
    /// No TLS at all (no STARTTLS, no AUTH): a relay a client must refuse unless told otherwise.
    Plain,
}

/// A real SMTP server (npm `smtp-server`, `tests/support/smtp-server.mjs`) whose certificate
/// comes from a throwaway authority; the messages it accepts are read back with
/// [`SmtpServer::messages`].
pub(crate) struct SmtpServer {
    child: Child,
    pub(crate) port: u16,
    maildir: std::path::PathBuf,
    /// The authority's certificate (PEM), for `ADDIN_SMTP_CA_FILE`.
    pub(crate) ca_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// The test relay's user name and password.
pub(crate) const SMTP_USER: &str = "mailer@contoso.example";
pub(crate) const SMTP_PASSWORD: &str = "relay-s3cret";

impl SmtpServer {
    pub(crate) fn start(mode: SmtpMode) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca.pem()).unwrap();
        std::fs::write(dir.path().join("cert.pem"), cert.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), key.serialize_pem()).unwrap();
        let maildir = dir.path().join("mail");
        let mut command = node("smtp-server.mjs");
        command.env("SMTP_MAILDIR", &maildir);
        if mode != SmtpMode::Plain {
            command
                .env("SMTP_TLS_CERT", dir.path().join("cert.pem"))
                .env("SMTP_TLS_KEY", dir.path().join("key.pem"))
                .env("SMTP_USER", SMTP_USER)
                .env("SMTP_PASSWORD", SMTP_PASSWORD);
        }
        if mode == SmtpMode::Implicit {
            command.env("SMTP_IMPLICIT_TLS", "1");
        }
        let (child, v) = started(command, "the SMTP server");
        SmtpServer {
            child,
            port: v["port"].as_u64().unwrap() as u16,
            maildir,
            ca_file,
            _dir: dir,
        }
    }

    /// `ADDIN_SMTP_URL` for this server, with the relay's credentials.
    pub(crate) fn url(&self, scheme: &str) -> String {
        format!(
            "{scheme}://{}:{SMTP_PASSWORD}@localhost:{}",
            SMTP_USER.replace('@', "%40"),
            self.port
        )
    }

    /// The messages received so far, oldest first: `{ from, to, subject, text, html, secure }`.
    pub(crate) fn messages(&self) -> Vec<Value> {
        let Ok(entries) = std::fs::read_dir(&self.maildir) else {
            return Vec::new();
        };
        let mut names: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
