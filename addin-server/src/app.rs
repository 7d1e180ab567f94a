//! The HTTP application: routes, shared state and the layers around them.
//!
//! Handlers here only extract, call and map errors; what they call lives in plain modules
//! ([`crate::store`], [`crate::manifest`]). Build the router with [`router`] and test it without
//! a socket through `tower::ServiceExt::oneshot`.

use std::path::Path;
use std::sync::Arc;

use addin_wasm::protocol::Health;
use axum::extract::State;
use axum::http::{header, HeaderName, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::auth::{Principal, Validator};
use crate::broker::{Broker, MasterKeys};
use crate::config::{AllowedTenants, Config};
use crate::consent::ConsentLinks;
use crate::error::ApiError;
use crate::manifest::Manifests;
use crate::sign_in::SignInConfig;
use crate::store::Store;

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

/// What every handler may use.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The manifests of this deployment, rendered at start.
    pub manifests: Arc<Manifests>,
    /// The origin the add-in is served from (`ADDIN_PUBLIC_URL`): the only one CORS allows.
    pub public_origin: String,
    /// The origin of the sign-in authority (`ADDIN_AUTHORITY`), where the pages may connect.
    pub authority_origin: String,
    /// Admin-consent links; `None` when no client id is configured.
    pub consent: Option<Arc<ConsentLinks>>,
    /// Token validation; `None` when no client id is configured (authenticated routes then
    /// answer 503 saying so).
    pub auth: Option<Arc<Validator>>,
    /// The key broker.
    pub broker: Broker,
    /// The fallback sign-in dialog's configuration; `None` without a client id.
    pub sign_in: Option<Arc<SignInConfig>>,
    /// Whether organisations are admitted by admin consent (`ADDIN_ALLOWED_TENANTS=*`).
    pub tenants_by_consent: bool,
    /// The rate limits.
    pub limits: Arc<crate::limits::Limits>,
}

impl AppState {
    /// The state of a server configured by `config`, on `store` with the master keys
    /// `master`: its manifests rendered, and sign-in and admin consent set up when it names a
    /// client id.
    pub fn new(config: &Config, store: Store, master: Arc<MasterKeys>) -> Result<AppState, String> {
        let manifests = Manifests::render(&config.public_url, config.client_id.as_deref())
            .map_err(|e| e.to_string())?;
        Ok(AppState {
            auth: crate::auth::validator(config, store.clone())?,
            consent: ConsentLinks::from_config(config).map(Arc::new),
            sign_in: SignInConfig::from_config(config).map(Arc::new),
            public_origin: config.public_url.as_str().to_owned(),
            authority_origin: url::Url::parse(&config.authority)
                .map(|u| u.origin().ascii_serialization())
                .map_err(|e| format!("ADDIN_AUTHORITY: {e}"))?,
            tenants_by_consent: matches!(config.allowed_tenants, AllowedTenants::Consented),
            limits: Arc::new(crate::limits::Limits::scaled(config.rate_limit_scale)),
            manifests: Arc::new(manifests),
            broker: Broker::new(store.clone(), master),
            store,
        })
    }
}

/// Builds the application: API routes, rendered manifests, and the static task pane from
/// `assets_dir` (the trunk output).
pub fn router(state: AppState, assets_dir: &Path) -> Router {
    let public_origin = state.public_origin.clone();
    let state_authority_origin = state.authority_origin.clone();
    let handler = |path: &str| {
        let handler = std::sync::Arc::new(crate::event_handler::EventHandler::load(
            assets_dir,
            path.trim_start_matches('/'),
            &public_origin,
        ));
        get(move |headers: axum::http::HeaderMap| async move { handler.response(&headers) })
    };
    let static_files = ServeDir::new(assets_dir)
        .append_index_html_on_directories(false)
        .fallback(get(not_found));
    let routes = Router::new()
        .route("/", get(|| async { Redirect::temporary("/taskpane.html") }))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/v1/me", get(me))
        .route("/v1/sign-in-config", get(crate::sign_in::handler))
        .route("/v1/admin-consent/url", get(crate::consent::url))
        .route(crate::consent::CALLBACK_PATH, get(crate::consent::callback))
        .route("/manifest/word.xml", get(word_manifest))
        .route("/manifest/outlook.xml", get(outlook_manifest))
        .route("/manifest/manifest.json", get(unified_manifest))
        .route(
            crate::manifest::EVENT_HANDLER_PATH,
            handler(crate::manifest::EVENT_HANDLER_PATH),
        )
        .route(
            crate::manifest::CLASSIC_EVENT_HANDLER_PATH,
            handler(crate::manifest::CLASSIC_EVENT_HANDLER_PATH),
        )
        .route(
            "/.well-known/microsoft-officeaddins-allowed.json",
            get(allowed_scripts),
        )
        .merge(crate::broker::api::routes())
        .merge(crate::dictionary::api::routes())
        .merge(crate::tenants::routes())
        .fallback_service(static_files)
        .with_state(state);
    let csp = crate::csp::policy(&state_authority_origin, assets_dir);
    crate::layers::apply(routes, &public_origin, csp)
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

async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: addin_wasm::VERSION.into(),
    })
}

async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| ApiError::unavailable("database", &e))?;
    if let Some(auth) = &state.auth {
        auth.keys()
            .ready()
            .await
            .map_err(|e| ApiError::unavailable("sign-in key service", &e))?;
    }
    Ok(healthz().await)
}

/// Who is signed in, for the task pane to show.
async fn me(principal: Principal) -> Json<Principal> {
    Json(principal)
}

/// The scripts Office may run with SSO in its JavaScript-only event runtime (classic Outlook on
/// Windows): the Outlook event handlers, from this origin.
async fn allowed_scripts(State(state): State<AppState>) -> Json<serde_json::Value> {
    let origin = &state.public_origin;
    Json(serde_json::json!({
        "allowed": [
            format!("{origin}{}", crate::manifest::CLASSIC_EVENT_HANDLER_PATH),
            format!("{origin}{}", crate::manifest::EVENT_HANDLER_PATH),
        ]
    }))
}

async fn word_manifest(State(state): State<AppState>) -> Response {
    xml(state.manifests.word_xml.clone())
}

async fn unified_manifest(State(state): State<AppState>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        state.manifests.unified_json.clone(),
    )
        .into_response()
}

async fn outlook_manifest(State(state): State<AppState>) -> Response {
    xml(state.manifests.outlook_xml.clone())
}

fn xml(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(uri.path())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Database;
    use axum::body::Body;
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
        assert_eq!(body.error.code, "not_found");
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
