//! The HTTP edge: the state, one router module per feature, the extractors, the layers, and
//! the one place where errors become answers ([`errors`]).
//!
//! Handlers here only extract, call plain modules ([`crate::broker`], [`crate::dictionary`],
//! [`crate::consent`], [`crate::store`], [`crate::manifest`]) and map what they return. Build
//! the router with [`router`] and test it without a socket through `tower::ServiceExt::oneshot`.
//!
//! - [`state`] holds [`AppState`];
//! - [`pages`]: health, the caller, manifests, the send-time handler; [`keys`]: data keys and
//!   the admin's audit and statistics; [`dictionary`], [`consent`], [`sign_in`], [`tenants`]:
//!   their features' routes; [`openapi`]: the API's OpenAPI document;
//! - [`caller`]: who is calling, as an extractor; [`extract`]: request bodies and queries, and
//!   the client's address; [`event_handler`]: the send-time script's answer; [`errors`]: every error
//!   as a JSON answer; [`layers`] and [`csp`]: what every response passes through.

pub mod admin;
pub mod caller;
pub mod consent;
pub mod csp;
pub mod dictionary;
pub mod documents;
pub mod errors;
pub mod event_handler;
pub mod extract;
pub mod keys;
pub mod layers;
pub mod openapi;
pub mod pages;
pub mod passcodes;
pub mod policy;
pub mod sign_in;
pub mod state;
pub mod tenants;

use std::path::Path;

use axum::http::{HeaderName, Request};
use axum::routing::get;
use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

pub use state::AppState;

/// The header that carries each request's id, set by the server and echoed in the response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Where a client's own `X-Request-Id` is kept: never as the server's id, which is always
/// generated (a client could otherwise forge or collide ids in the log and the audit trail).
pub const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-client-request-id");

/// Moves a client's `X-Request-Id` to [`CLIENT_REQUEST_ID`], kept only when it is at most 64
/// visible ASCII characters.
fn set_aside_client_id<B>(mut request: Request<B>) -> Request<B> {
    if let Some(given) = request.headers_mut().remove(&REQUEST_ID) {
        let ok = given.len() <= 64 && given.as_bytes().iter().all(|b| b.is_ascii_graphic());
        if ok {
            request.headers_mut().insert(CLIENT_REQUEST_ID, given);
        }
    }
    request
}

/// Builds the application: API routes, rendered manifests, and the static task pane from
/// `assets_dir` (the trunk output).
pub fn router(state: AppState, assets_dir: &Path) -> Router {
    let public_origin = state.public_origin.clone();
    let csp = csp::policy(&state.authority_origin, assets_dir);
    let static_files = ServeDir::new(assets_dir)
        .append_index_html_on_directories(false)
        .fallback(get(pages::not_found));
    let routes = Router::new()
        .merge(pages::routes(&public_origin, assets_dir))
        .merge(sign_in::routes())
        .merge(consent::routes())
        .merge(keys::routes())
        .merge(admin::routes())
        .merge(dictionary::routes())
        .merge(policy::routes())
        .merge(passcodes::routes())
        .merge(tenants::routes())
        .merge(openapi::routes())
        .fallback_service(static_files)
        .with_state(state);
    layers::apply(routes, &public_origin, csp)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let header = |name: &HeaderName| {
                request
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-")
                    .to_owned()
            };
            let (id, client_id) = (header(&REQUEST_ID), header(&CLIENT_REQUEST_ID));
            tracing::info_span!("request", id, client_id, method = %request.method(), path = request.uri().path())
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(tower::util::MapRequestLayer::new(set_aside_client_id))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::broker::MasterKeys;
    use crate::config::Config;
    use crate::config::Database;
    use crate::store::Store;
    use addin_wasm::protocol::Health;
    use axum::body::Body;
    use axum::http::StatusCode;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn app(dir: &Path) -> Router {
        let store = Store::open(&Database::Sqlite(dir.join("t.db")))
            .await
            .unwrap();
        let config = Config::from_vars([(
            "ADDIN_DATA_DIR".to_owned(),
            dir.join("data").to_string_lossy().into_owned(),
        )])
        .unwrap();
        std::fs::write(dir.join("taskpane.html"), "<!doctype html><p>pane</p>").unwrap();
        let master = Arc::new(MasterKeys::open(&config, &store).await.unwrap());
        router(AppState::new(&config, store, master).unwrap(), dir)
    }

    async fn get(app: Router, path: &str) -> (StatusCode, Vec<(String, String)>, String) {
        let response = app
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[tokio::test]
    async fn healthz_reports_the_version_with_a_request_id() {
        let dir = tempfile::tempdir().unwrap();
        let (status, headers, body) = get(app(dir.path()).await, "/healthz").await;
        assert_eq!(status, StatusCode::OK);
        let health: Health = serde_json::from_str(&body).unwrap();
        assert_eq!(health.version, addin_wasm::VERSION);
        assert_eq!(header(&headers, "x-request-id").map(str::len), Some(36));
    }

    #[tokio::test]
    async fn a_clients_request_id_is_never_taken_for_the_servers() {
        let dir = tempfile::tempdir().unwrap();
        let response = app(dir.path())
            .await
            .oneshot(
                Request::get("/healthz")
                    .header("x-request-id", "forged-id")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let id = response.headers().get("x-request-id").unwrap();
        assert_ne!(id, "forged-id");
        assert_eq!(id.len(), 36);
        assert!(set_aside_client_id(
            Request::get("/")
                .header("x-request-id", "abc")
                .body(())
                .unwrap()
        )
        .headers()
        .get(CLIENT_REQUEST_ID)
        .is_some_and(|v| v == "abc"));
    }

    #[tokio::test]
    async fn readyz_checks_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let (status, _, _) = get(app(dir.path()).await, "/readyz").await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn responses_carry_security_headers_and_a_cache_policy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("addin-wasm-0123456789abcdef.js"), "//").unwrap();
        std::fs::create_dir(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/icon-32.png"), "png").unwrap();
        let app = app(dir.path()).await;
        for (path, cache) in [
            ("/taskpane.html", "no-cache"),
            ("/healthz", "no-cache"),
            ("/v1/nope", "no-store"),
        ] {
            let (_, headers, _) = get(app.clone(), path).await;
            assert_eq!(
                header(&headers, "x-content-type-options"),
                Some("nosniff"),
                "{path}"
            );
            assert_eq!(
                header(&headers, "referrer-policy"),
                Some("no-referrer"),
                "{path}"
            );
            let csp = header(&headers, "content-security-policy").unwrap();
            assert!(
                csp.contains("frame-ancestors 'self' https://*.office.com"),
                "{csp}"
            );
            assert_eq!(
                header(&headers, "x-frame-options"),
                None,
                "Office frames the pane"
            );
            assert_eq!(header(&headers, "cache-control"), Some(cache), "{path}");
        }
        let (status, headers, _) = get(app.clone(), "/addin-wasm-0123456789abcdef.js").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header(&headers, "cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        let (status, headers, _) = get(app, "/static/icon-32.png").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header(&headers, "cache-control"),
            Some("public, max-age=86400")
        );
    }

    #[tokio::test]
    async fn cors_allows_the_public_origin_only() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path()).await;
        let preflight = |origin: &'static str| {
            Request::builder()
                .method("OPTIONS")
                .uri("/v1/me")
                .header("origin", origin)
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "authorization")
                .body(Body::empty())
                .unwrap()
        };
        let ok = app
            .clone()
            .oneshot(preflight("https://localhost:3000"))
            .await
            .unwrap();
        assert_eq!(
            ok.headers().get("access-control-allow-origin").unwrap(),
            "https://localhost:3000"
        );
        let other = app
            .oneshot(preflight("https://evil.example"))
            .await
            .unwrap();
        // Another origin is told only the allowed one, which its browser then refuses.
        let allowed = other.headers().get("access-control-allow-origin");
        assert!(
            allowed.is_none_or(|v| v == "https://localhost:3000"),
            "{allowed:?}"
        );
    }

    #[tokio::test]
    async fn the_well_known_list_allows_the_event_handler_and_me_needs_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path()).await;
        let (status, _, body) = get(
            app.clone(),
            "/.well-known/microsoft-officeaddins-allowed.json",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({ "allowed": [
                "https://localhost:3000/launchevent-classic.js",
                "https://localhost:3000/launchevent.js"
            ] })
        );
        // Without ADDIN_CLIENT_ID, authenticated routes say what to configure.
        let (status, _, body) = get(app, "/v1/me").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("ADDIN_CLIENT_ID"), "{body}");
    }

    #[tokio::test]
    async fn serves_the_task_pane_and_manifests() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path()).await;
        let (status, _, body) = get(app.clone(), "/taskpane.html").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("pane"));
        let (status, headers, body) = get(app.clone(), "/manifest/word.xml").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header(&headers, "content-type"),
            Some("application/xml; charset=utf-8")
        );
        assert!(body.contains("https://localhost:3000/taskpane.html"));
        let (status, headers, _) = get(app, "/").await;
        assert_eq!(status, StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(header(&headers, "location"), Some("/taskpane.html"));
    }

    #[tokio::test]
    async fn unknown_paths_get_a_json_404() {
        let dir = tempfile::tempdir().unwrap();
        let (status, _, body) = get(app(dir.path()).await, "/v1/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let body: addin_wasm::protocol::ErrorBody = serde_json::from_str(&body).unwrap();
        assert_eq!(body.error.code.as_str(), "not_found");
        assert!(body.error.message.contains("/v1/nope"));
    }

    #[tokio::test]
    async fn paths_cannot_escape_the_assets_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.txt"), "classified-content").unwrap();
        let app = app(&dir.path().join("pane")).await;
        for path in ["/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt"] {
            let (status, _, body) = get(app.clone(), path).await;
            assert_ne!(status, StatusCode::OK, "{path}");
            assert!(!body.contains("classified-content"), "{path}: {body}");
        }
    }
}
