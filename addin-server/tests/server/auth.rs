//! Token validation against a real OpenID provider (npm `oidc-provider`, configured like Entra
//! ID by `tests/support/oidc-provider.mjs`), through the router: what `GET /v1/me` answers for a
//! valid token and for each kind of forged or invalid one.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use addin_server::auth::{self, KeyPolicy, SigningKeys, Validator};
use addin_server::config::{AllowedTenants, Database};
use addin_server::store::Store;
use axum::http::{Method, StatusCode};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::support;

use support::{now, Provider, CLIENT_ID};

async fn app(provider: &Provider, tenants: &str, dir: &Path) -> Router {
    let db = support::TestDb::new("sqlite", dir).await;
    let config = support::config(provider, tenants, &db, dir);
    support::app(&config, dir).await
}

/// `GET /v1/me` with `authorization`: (status, WWW-Authenticate, JSON body).
async fn me(app: &Router, authorization: Option<&str>) -> (StatusCode, Option<String>, Value) {
    let mut request = support::ask(Method::GET, "/v1/me");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let answer = request.send(app).await;
    (
        answer.status,
        answer.header("www-authenticate"),
        answer.json(),
    )
}

#[tokio::test]
async fn tokens_from_the_provider_sign_in_and_forged_ones_are_refused() {
    let provider = Provider::start("test-key-1");
    let other = Provider::start("other-issuer-key");
    let dir = tempfile::tempdir().unwrap();
    let app = app(&provider, &provider.tenant_a, dir.path()).await;

    // Ready: the store answers and the signing keys were fetched.
    let (status, body) = get(&app, "/readyz").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A real token: the principal.
    let token = provider.token("admin@a").await;
    let (status, _, body) = me(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "tenantId": provider.tenant_a, "objectId": "22222222-2222-4222-8222-222222222222",
                "username": "admin@contoso.example", "address": "admin@contoso.example",
                "member": true, "displayName": "Ada Admin", "roles": ["Addin.Admin"] })
    );
    // The scheme is case-insensitive; a token of our own making with the provider's key too.
    let (status, _, _) = me(
        &app,
        Some(&format!("bearer {}", provider.sign(&provider.claims()))),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let real = provider.token("alice@a").await;
    let parts: Vec<&str> = real.split('.').collect();
    let with_claims = |change: &dyn Fn(&mut Value)| {
        let mut claims = provider.claims();
        change(&mut claims);
        provider.sign(&claims)
    };
    let tampered_payload = {
        let mut payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        payload["roles"] = json!(["Addin.Admin"]);
        format!("{}.{}.{}", parts[0], b64(&payload), parts[2])
    };
    let tampered_signature = {
        let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        signature[10] ^= 1;
        format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            URL_SAFE_NO_PAD.encode(signature)
        )
    };
    let public_key_pem = {
        // The provider's public key, as an attacker would find it, used as an HMAC secret.
        let jwks: Value = reqwest::get(format!("{}/common/v2.0/jwks", provider.authority))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        jwks.to_string()
    };
    let hs256 = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(provider.kid.clone());
        jsonwebtoken::encode(
            &header,
            &provider.claims(),
            &EncodingKey::from_secret(public_key_pem.as_bytes()),
        )
        .unwrap()
    };
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT" })),
        b64(&provider.claims())
    );
    let unknown_kid = {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("no-such-key".into());
        jsonwebtoken::encode(
            &header,
            &provider.claims(),
            &EncodingKey::from_rsa_pem(provider.private_key_pem.as_bytes()).unwrap(),
        )
        .unwrap()
    };
    let other_issuer = other.token("alice@a").await;
    let v1 = with_claims(&|c| {
        c["ver"] = json!("1.0");
        c["iss"] = json!(format!("https://sts.windows.net/{}/", provider.tenant_a));
        c["aud"] = json!(format!("api://localhost/{CLIENT_ID}"));
    });

    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        ("alg none", alg_none, StatusCode::UNAUTHORIZED, "only RS256"),
        (
            "HS256 with the public key",
            hs256,
            StatusCode::UNAUTHORIZED,
            "only RS256",
        ),
        (
            "expired",
            with_claims(&|c| {
                c["exp"] = json!(now() - 3600);
                c["iat"] = json!(now() - 7200);
                c["nbf"] = json!(now() - 7200);
            }),
            StatusCode::UNAUTHORIZED,
            "expired",
        ),
        (
            "not yet valid",
            with_claims(&|c| c["nbf"] = json!(now() + 3600)),
            StatusCode::UNAUTHORIZED,
            "not valid yet",
        ),
        (
            "wrong audience",
            with_claims(&|c| c["aud"] = json!("00000003-0000-0000-c000-000000000000")),
            StatusCode::UNAUTHORIZED,
            "another application",
        ),
        (
            "wrong issuer",
            with_claims(&|c| {
                c["iss"] = json!(format!(
                    "https://login.example.net/{}/v2.0",
                    provider.tenant_a
                ))
            }),
            StatusCode::UNAUTHORIZED,
            "issuer",
        ),
        (
            "issuer of another tenant",
            with_claims(&|c| {
                c["iss"] = json!(format!("{}/{}/v2.0", provider.authority, provider.tenant_b))
            }),
            StatusCode::UNAUTHORIZED,
            "issuer",
        ),
        (
            "unknown kid",
            unknown_kid,
            StatusCode::UNAUTHORIZED,
            "not one of",
        ),
        (
            "kid of another issuer",
            other_issuer,
            StatusCode::UNAUTHORIZED,
            "not one of",
        ),
        (
            "disallowed tenant",
            provider.token("bob@b").await,
            StatusCode::FORBIDDEN,
            "admin consent",
        ),
        (
            "missing scope",
            with_claims(&|c| c["scp"] = json!("User.Read")),
            StatusCode::FORBIDDEN,
            "access_as_user",
        ),
        (
            "tampered payload",
            tampered_payload,
            StatusCode::UNAUTHORIZED,
            "signature",
        ),
        (
            "tampered signature",
            tampered_signature,
            StatusCode::UNAUTHORIZED,
            "signature",
        ),
        (
            "v1 token",
            v1,
            StatusCode::UNAUTHORIZED,
            "accessTokenAcceptedVersion",
        ),
        (
            "malformed header",
            format!("bm90IGpzb24.{}.{}", parts[1], parts[2]),
            StatusCode::UNAUTHORIZED,
            "header",
        ),
        (
            "not a JWT",
            "abc".into(),
            StatusCode::UNAUTHORIZED,
            "not a JWT",
        ),
        (
            "oversize",
            format!("{}.{}.{}", parts[0], "A".repeat(20_000), parts[2]),
            StatusCode::UNAUTHORIZED,
            "over the limit",
        ),
        (
            "no tenant id",
            with_claims(&|c| {
                c.as_object_mut().unwrap().remove("tid");
            }),
            StatusCode::UNAUTHORIZED,
            "tenant id",
        ),
        (
            "no expiry",
            with_claims(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
            StatusCode::UNAUTHORIZED,
            "exp",
        ),
    ];
    for (name, token, status, reason) in &cases {
        let (got, challenge, body) = me(&app, Some(&format!("Bearer {token}"))).await;
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert_eq!(got, *status, "{name}: {body}");
        assert!(message.contains(reason), "{name}: {message}");
        if *status == StatusCode::UNAUTHORIZED {
            let challenge = challenge.unwrap_or_else(|| panic!("{name}: no WWW-Authenticate"));
            assert!(
                challenge.starts_with(r#"Bearer error="invalid_token", error_description=""#),
                "{name}: {challenge}"
            );
        }
        assert!(
            !message.contains(token.as_str()) || token.len() < 8,
            "{name}: the token is echoed"
        );
    }

    // No token, or another scheme: a bare challenge.
    for authorization in [None, Some("Basic YWxpY2U6c2VjcmV0"), Some("Bearer ")] {
        let (status, challenge, body) = me(&app, authorization).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{authorization:?}");
        assert_eq!(challenge.as_deref(), Some("Bearer"));
        assert_eq!(body["error"]["code"], "unauthenticated");
    }
}

/// `GET path` on the app: (status, body).
async fn get(app: &Router, path: &str) -> (StatusCode, String) {
    let answer = support::ask(Method::GET, path).send(app).await;
    (answer.status, answer.text())
}

#[tokio::test]
async fn an_unreachable_authority_makes_sign_in_unavailable_not_the_token_invalid() {
    let provider = Provider::start("test-key-1");
    let token = provider.token("alice@a").await;
    let dir = tempfile::tempdir().unwrap();
    let mut dead = Provider::start("test-key-1");
    dead.authority = "http://127.0.0.1:9".into();
    let app = app(&dead, &provider.tenant_a, dir.path()).await;
    let (status, body) = get(&app, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("sign-in key service"), "{body}");
    let (status, challenge, body) = me(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(challenge, None);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again"),
        "{body}"
    );
}

/// The `state` parameter of a consent link.
fn state_of(url: &str) -> String {
    url.split("state=").nth(1).unwrap().to_owned()
}

/// Asks for a consent link as `token` (with `?tenant=` when given): the status and the body.
async fn ask_link(app: &Router, token: Option<&str>, tenant: Option<&str>) -> (StatusCode, Value) {
    let path = match tenant {
        Some(t) => format!("/v1/admin-consent/url?tenant={t}"),
        None => "/v1/admin-consent/url".to_owned(),
    };
    support::call(app, Method::GET, &path, token, None).await
}

/// A consent link for the administrator whose token is `token`.
async fn consent_link(app: &Router, token: &str) -> String {
    let (status, body) = ask_link(app, Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["url"].as_str().unwrap().to_owned()
}

/// Entra ID's redirect back after consent for `tenant` with `state`.
async fn consented(app: &Router, tenant: &str, state: &str) -> (StatusCode, String) {
    let query = format!("admin_consent=True&tenant={tenant}&state={state}&scope=x");
    get(app, &format!("/v1/admin-consent/callback?{query}")).await
}

#[tokio::test]
async fn with_a_star_a_tenant_is_allowed_once_its_admin_consents() {
    let provider = Provider::start("test-key-1");
    let dir = tempfile::tempdir().unwrap();
    let db = support::TestDb::new("sqlite", dir.path()).await;
    let config = support::config(&provider, "*", &db, dir.path());
    let app = support::app(&config, dir.path()).await;
    let (a, b) = (provider.tenant_a.as_str(), provider.tenant_b.as_str());
    let bob = provider.token("bob@b").await;
    let ops = provider.token("ops@b").await;
    let admin_a = provider.token("admin@a").await;
    let (status, _, body) = me(&app, Some(&format!("Bearer {bob}"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "tenant_not_allowed");

    // regression (issue 19): the anonymous sequence that admitted any tenant. Without a token
    // there is no link, and a made-up state records nothing.
    let (status, body) = ask_link(&app, None, Some(b)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = consented(&app, b, "forged").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // A user of tenant b without an administrator's directory role gets none either...
    let (status, body) = ask_link(&app, Some(&bob), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "not_an_administrator");
    // ...nor does another tenant's administrator for tenant b.
    let (status, body) = ask_link(&app, Some(&admin_a), Some(b)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "not_your_tenant");
    let (status, _, _) = me(&app, Some(&format!("Bearer {bob}"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nothing was recorded");
    assert_eq!(db.count("tenants").await, 0);

    // Tenant b's Cloud Application Administrator gets Entra's admin-consent page for tenant b.
    let url = consent_link(&app, &ops).await;
    let expected_start = format!(
        "{}/{b}/v2.0/adminconsent?client_id={CLIENT_ID}&scope=api%3A%2F%2Flocalhost%3A3000%2F{CLIENT_ID}%2F.default&redirect_uri=https%3A%2F%2Flocalhost%3A3000%2Fv1%2Fadmin-consent%2Fcallback&state=",
        provider.authority
    );
    assert!(url.starts_with(&expected_start), "{url}");
    let state = state_of(&url);

    // Entra sends the administrator back: refused for another tenant than the link's...
    let (status, body) = consented(&app, a, &state).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("another organisation"), "{body}");
    // ...and the state worked once only.
    let (status, body) = consented(&app, b, &state).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("expired or was already used"), "{body}");

    // A refusal records nothing.
    let state = state_of(&consent_link(&app, &ops).await);
    let query = format!("error=access_denied&error_description=declined&state={state}");
    let (status, body) = get(&app, &format!("/v1/admin-consent/callback?{query}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("did not grant consent"), "{body}");
    let (status, _, _) = me(&app, Some(&format!("Bearer {bob}"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A tenant that is not a GUID is a 400 that says what to pass.
    let (status, body) = ask_link(&app, Some(&ops), Some("contoso.com")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("tenant id (a GUID"), "{body}");

    // Granted (Entra may spell the tenant in capitals): bob's tenant is in, alice's is not.
    let state = state_of(&consent_link(&app, &ops).await);
    let (status, body) = consented(&app, &b.to_uppercase(), &state).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Consent recorded"), "{body}");
    let (status, _, body) = me(&app, Some(&format!("Bearer {bob}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["username"], "bob@fabrikam.example");
    let alice = provider.token("alice@a").await;
    let (status, _, _) = me(&app, Some(&format!("Bearer {alice}"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Who consented and when is recorded, in the tenants table and the audit log.
    let listed = addin_server::admin::list_tenants(&config).await.unwrap();
    assert!(
        listed.contains(&format!("{b}  consented "))
            && listed.contains("by 66666666-6666-4666-8666-666666666666"),
        "{listed}"
    );
    let records = db.audit_actions().await;
    assert_eq!(records, ["consent"], "one record, of the consent");

    // The tenant is removed: refused at once, with a token already validated.
    let removed = addin_server::admin::remove_tenant(&config, &b.to_uppercase())
        .await
        .unwrap();
    assert!(removed.contains("removed"), "{removed}");
    let (status, _, body) = me(&app, Some(&format!("Bearer {bob}"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(db.audit_actions().await, ["consent", "tenantRemoved"]);
    let again = addin_server::admin::remove_tenant(&config, b).await;
    assert!(again.unwrap_err().to_string().contains("is not admitted"));
}

/// A metadata and key-set server of our own, to rotate keys and count fetches.
struct KeyServer {
    url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
}

async fn key_server(keys: Vec<Value>) -> KeyServer {
    let keys = Arc::new(Mutex::new(keys));
    let fetches = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (k, f, u) = (keys.clone(), fetches.clone(), url.clone());
    let app = Router::new()
        .route(
            "/common/v2.0/.well-known/openid-configuration",
            axum::routing::get(move || {
                let u = u.clone();
                async move { axum::Json(json!({ "jwks_uri": format!("{u}/keys") })) }
            }),
        )
        .route(
            "/keys",
            axum::routing::get(move || {
                f.fetch_add(1, Ordering::SeqCst);
                let keys = k.lock().unwrap().clone();
                async move { axum::Json(json!({ "keys": keys })) }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    KeyServer { url, keys, fetches }
}

#[tokio::test]
async fn rotated_keys_are_picked_up_without_a_refresh_storm() {
    let first = Provider::start("key-2026-01");
    let second = Provider::start("key-2026-07");
    let public_jwk = |p: &Provider| {
        let url = format!("{}/common/v2.0/jwks", p.authority);
        async move {
            let set: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
            set["keys"][0].clone()
        }
    };
    let server = key_server(vec![public_jwk(&first).await]).await;
    let policy = KeyPolicy {
        max_age: Duration::from_secs(3600),
        min_interval: Duration::from_millis(800),
        retry_interval: Duration::from_millis(100),
    };
    let keys = Arc::new(SigningKeys::new(
        format!(
            "{}/common/v2.0/.well-known/openid-configuration",
            server.url
        ),
        auth::http_client().unwrap(),
        policy,
    ));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Database::Sqlite(dir.path().join("t.db")))
        .await
        .unwrap();
    let validator = Arc::new(Validator::new(
        keys.clone(),
        &server.url,
        CLIENT_ID,
        format!("api://localhost/{CLIENT_ID}"),
        AllowedTenants::List(vec![first.tenant_a.clone()]),
        store,
    ));
    // Tokens for this authority, signed by each provider's key.
    let token = |p: &Provider| {
        let mut claims = p.claims();
        claims["iss"] = json!(format!("{}/{}/v2.0", server.url, p.tenant_a));
        p.sign(&claims)
    };
    let (old, new) = (token(&first), token(&second));

    validator.validate(&old, now() as i64).await.unwrap();
    assert_eq!(server.fetches.load(Ordering::SeqCst), 1);

    // A hundred concurrent requests with a key the authority does not publish yet: refused,
    // with no fetch beyond the floor.
    let attempts = (0..100).map(|_| {
        let (v, t) = (validator.clone(), new.clone());
        tokio::spawn(async move { v.validate(&t, now() as i64).await })
    });
    for attempt in attempts {
        assert!(attempt.await.unwrap().is_err());
    }
    assert_eq!(
        server.fetches.load(Ordering::SeqCst),
        1,
        "no refresh within the floor"
    );

    // The authority rotates; after the floor, the new key id triggers one refresh.
    let rotated = public_jwk(&second).await;
    server.keys.lock().unwrap().push(rotated);
    tokio::time::sleep(Duration::from_millis(900)).await;
    let attempts = (0..50).map(|_| {
        let (v, t) = (validator.clone(), new.clone());
        tokio::spawn(async move { v.validate(&t, now() as i64).await })
    });
    for attempt in attempts {
        attempt.await.unwrap().unwrap();
    }
    assert_eq!(
        server.fetches.load(Ordering::SeqCst),
        2,
        "concurrent refreshes coalesced"
    );
    validator.validate(&old, now() as i64).await.unwrap();

    // The authority fails: the last good keys stay in use.
    server.keys.lock().unwrap().clear();
    tokio::time::sleep(Duration::from_millis(900)).await;
    validator.validate(&new, now() as i64).await.unwrap();
    assert_eq!(keys.fetches(), 2);
    // regression (issue 19): an unknown key id makes it fetch a set with no usable key, which
    // does not replace the good ones: a token never seen before, signed by one, still verifies.
    let stranger = Provider::start("key-unknown");
    assert!(validator
        .validate(&token(&stranger), now() as i64)
        .await
        .is_err());
    assert_eq!(keys.fetches(), 3);
    let mut fresh = second.claims();
    fresh["iss"] = json!(format!("{}/{}/v2.0", server.url, second.tenant_a));
    fresh["jti"] = json!("never-seen");
    validator
        .validate(&second.sign(&fresh), now() as i64)
        .await
        .unwrap();
    drop(server);
}

/// Collects what the server logs, for the test that tokens never appear in it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_never_appear_in_the_log() {
    // tracing caches each callsite's interest for the whole process. While only one dispatcher
    // exists, a callsite's interest is taken from the thread that first reaches it, so a sibling
    // test on a thread without a subscriber could switch off, for this one, the very events it
    // captures (seen: an empty log, in about three runs of four under load). A second dispatcher,
    // interested in everything and alive for the whole test, makes tracing ask every live one.
    let _anchor = tracing::Dispatch::new(tracing_subscriber::registry());
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let provider = Provider::start("test-key-1");
    let dir = tempfile::tempdir().unwrap();
    let app = app(&provider, &provider.tenant_a, dir.path()).await;
    let good = provider.token("alice@a").await;
    let expired = provider.sign(&{
        let mut c = provider.claims();
        c["exp"] = json!(now() - 3600);
        c
    });
    let bob = provider.token("bob@b").await;
    for token in [&good, &expired, &bob] {
        me(&app, Some(&format!("Bearer {token}"))).await;
    }
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("/v1/me"), "the requests were logged: {log}");
    for token in [&good, &expired, &bob] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!log.contains(signature), "a token signature is in the log");
        assert!(!log.contains(&token[..40]), "a token is in the log");
    }
}
