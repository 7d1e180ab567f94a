//! The routes that are not the API's features: health and readiness, the caller's identity,
//! the Office manifests, the send-time handler, the list of scripts Office may run with SSO,
//! and the 404 of paths that name nothing.

use std::path::Path;

use addin_wasm::protocol::account::Me;
use addin_wasm::protocol::Health;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};

use super::errors::ApiError;
use super::AppState;
use crate::auth::Principal;

/// The routes of this module; the send-time handler is read from `assets_dir`.
pub fn routes(public_origin: &str, assets_dir: &Path) -> Router<AppState> {
    let handler = |path: &str| -> MethodRouter<AppState> {
        let handler = std::sync::Arc::new(super::event_handler::EventHandler::load(
            assets_dir,
            path.trim_start_matches('/'),
            public_origin,
        ));
        get(move |headers: axum::http::HeaderMap| async move { handler.response(&headers) })
    };
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/taskpane.html") }))
        // The reader page for people without the add-in (scripts/build-reader.sh).
        .route_service(
            "/read",
            tower_http::services::ServeFile::new(assets_dir.join("reader.html")),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/v1/me", get(me))
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
}

#[utoipa::path(get, path = "/healthz", tag = "server",
    responses((status = 200, description = "The process is up.", body = addin_wasm::protocol::Health)))]
pub(super) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: addin_wasm::VERSION.into(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "server",
    responses((status = 200, description = "The database and the signing keys are reachable.", body = addin_wasm::protocol::Health), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
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
#[utoipa::path(get, path = "/v1/me", tag = "sign-in", security(("bearer" = [])),
    responses((status = 200, description = "Who is signed in.", body = Me), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn me(principal: Principal) -> Json<Me> {
    Json(principal.me())
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

/// The answer for a path that names nothing.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(uri.path())
}
