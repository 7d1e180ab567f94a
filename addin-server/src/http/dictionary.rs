//! The dictionary's routes: `GET /v1/dictionary` for every signed-in user (with ETag and
//! `If-None-Match`), `GET` and `PUT /v1/admin/dictionary` for admins (`If-Match` guards a
//! replacement against another admin's change).

use addin_wasm::protocol::dictionary::DictionaryVersion;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::documents;
use super::AppState;
use crate::auth::Principal;
use crate::dictionary::{DictionaryError, Published};
use crate::store::DocumentKind;

const KIND: DocumentKind = DocumentKind::Dictionary;

/// The dictionary routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/dictionary", get(for_users))
        .route("/v1/admin/dictionary", get(for_admins).put(replace))
}

/// `GET /v1/dictionary`: the caller's organisation's dictionary document, for its members
/// (a guest's mail is checked with the built-in detectors only: the dictionary can name the
/// organisation's secrets); 304 when the caller's `If-None-Match` names it.
#[utoipa::path(get, path = "/v1/dictionary", tag = "dictionary", security(("bearer" = [])),
    responses((status = 200, description = "The organisation's dictionary document (DICTIONARY.md), with its ETag.", body = Object), (status = 304, description = "The If-None-Match ETag is current."), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn for_users(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
) -> Result<Response, Response> {
    if !p.member {
        return Err(DictionaryError::MembersOnly.into_response());
    }
    let published = crate::dictionary::current(&state.store, &p.tenant_id)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(documents::users_view(&headers, KIND, &published))
}

fn admin_view(published: &Published) -> Response {
    let view = DictionaryVersion {
        version: published.version,
        etag: published.etag.clone(),
        published_at: (published.version > 0).then(|| crate::clock::rfc3339(published.created_at)),
        published_by: published.created_by.clone(),
        dictionary: serde_json::from_str(&published.document).unwrap_or_default(),
    };
    documents::with_etag(Json(view).into_response(), KIND, published)
}

/// `GET /v1/admin/dictionary`: the admin's organisation's dictionary with its version.
#[utoipa::path(get, path = "/v1/admin/dictionary", tag = "dictionary", security(("bearer" = [])),
    responses((status = 200, description = "The dictionary with its version, for admins.", body = DictionaryVersion), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn for_admins(
    State(state): State<AppState>,
    p: Principal,
) -> Result<Response, Response> {
    p.require_admin()
        .map_err(|e| DictionaryError::from(e).into_response())?;
    let published = crate::dictionary::current(&state.store, &p.tenant_id)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(admin_view(&published))
}

/// `PUT /v1/admin/dictionary`: publishes the body as the next version.
#[utoipa::path(put, path = "/v1/admin/dictionary", tag = "dictionary", security(("bearer" = [])), request_body(content = Object, description = "The dictionary document (DICTIONARY.md)"),
    params(("If-Match" = String, Header, description = "The ETag of the version it replaces")),
    responses((status = 200, description = "The new version.", body = DictionaryVersion), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn replace(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    p.require_admin()
        .map_err(|e| DictionaryError::from(e).into_response())?;
    let current = crate::dictionary::current(&state.store, &p.tenant_id)
        .await
        .map_err(IntoResponse::into_response)?;
    let (json, based_on) = documents::replacement(KIND, &headers, &body, &current)
        .map_err(IntoResponse::into_response)?;
    let actor = p.actor();
    let published = crate::dictionary::publish(
        &state.store,
        &p.tenant_id,
        json,
        Some(based_on),
        actor,
        crate::clock::now_ms(),
    )
    .await
    .map_err(IntoResponse::into_response)?;
    tracing::info!(target: "admin", tenant = %p.tenant_id, version = published.version, "dictionary published");
    Ok(admin_view(&published))
}
