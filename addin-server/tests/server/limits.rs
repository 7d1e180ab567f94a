//! Rate limits through the HTTP routes (issue 19): per user on key creation and unwraps, per
//! client address on refused tokens, answered 429 with `Retry-After` and a JSON message.

use crate::support;

use std::net::SocketAddr;
use std::sync::Arc;

use addin_server::broker::MasterKeys;
use addin_server::http::{router, AppState};
use addin_server::limits::Limits;
use addin_server::store::Store;
use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use support::{Provider, TestDb};

/// `POST path` with `body` as `token` from `client`: status, Retry-After, JSON.
async fn post(
    app: &Router,
    client: SocketAddr,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Option<String>, Value) {
    let answer = support::ask(Method::POST, path)
        .token(token)
        .json(&body)
        .from(client)
        .send(app)
        .await;
    (answer.status, answer.header("retry-after"), answer.json())
}

#[tokio::test]
async fn users_and_addresses_beyond_their_rate_get_429_with_retry_after() {
    let provider = Provider::start("limits-1");
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new("sqlite", dir.path()).await;
    let tenants = format!("{},{}", provider.tenant_a, provider.tenant_b);
    let config = support::config(&provider, &tenants, &db, dir.path());
    let store = Store::open(&config.database).await.unwrap();
    let master = Arc::new(MasterKeys::open(&config, &store).await.unwrap());
    let mut state = AppState::new(&config, store, master).unwrap();
    state.limits = Arc::new(Limits::uniform(3));
    let app = router(state, dir.path());
    let alice = provider.token("alice@a").await;
    let bob = provider.token("bob@b").await;
    let here: SocketAddr = "192.0.2.10:5000".parse().unwrap();

    // Key creation, per user: three, then 429 with when to retry; another user is not held.
    for _ in 0..3 {
        let (status, _, v) =
            post(&app, here, "/v1/keys", &alice, json!({ "recipients": [] })).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    let (status, retry, v) =
        post(&app, here, "/v1/keys", &alice, json!({ "recipients": [] })).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["error"]["code"], "rate_limited");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("too many key creations in a short time; try again in "),
        "{message}"
    );
    let seconds: u64 = retry.unwrap().parse().unwrap();
    assert!((1..=20).contains(&seconds), "{seconds}");
    let (status, _, _) = post(&app, here, "/v1/keys", &bob, json!({ "recipients": [] })).await;
    assert_eq!(status, StatusCode::CREATED);

    // Unwraps, per user.
    let ids = json!({ "keyIds": ["AAAAAAAAAAAAAAAAAAAAAA"] });
    for _ in 0..3 {
        let (status, _, v) = post(&app, here, "/v1/keys/unwrap", &bob, ids.clone()).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    let (status, retry, _) = post(&app, here, "/v1/keys/unwrap", &bob, ids.clone()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some());

    // Refused tokens, per address: three 401s, then the address is held back, even with a
    // valid token; another address is not.
    let guesser: SocketAddr = "198.51.100.7:4000".parse().unwrap();
    // Alice's token with one character of its signature changed.
    let mut forged = alice.clone().into_bytes();
    let at = forged.len() - 20;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    for _ in 0..3 {
        let (status, _, v) = post(&app, guesser, "/v1/keys/unwrap", &forged, ids.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    }
    let (status, retry, v) = post(&app, guesser, "/v1/keys/unwrap", &forged, ids.clone()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(retry.is_some());
    let carol = provider.token("carol@a").await;
    let (status, _, v) = post(&app, guesser, "/v1/keys/unwrap", &carol, ids.clone()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("refused sign-ins from your address"));
    let (status, _, _) = post(&app, here, "/v1/keys/unwrap", &carol, ids).await;
    assert_eq!(status, StatusCode::OK);
}
