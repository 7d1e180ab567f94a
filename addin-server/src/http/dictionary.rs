//! The dictionary's routes: `GET /v1/dictionary` for every signed-in user (with ETag and
//! `If-None-Match`), `GET` and `PUT /v1/admin/dictionary` for admins (`If-Match` guards a
//! replacement against another admin's change).

use addin_wasm::protocol::dictionary::DictionaryVersion;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;
use crate::auth::Principal;
use crate::dictionary::{DictionaryError, Published};

/// The response header giving the dictionary's version.
pub const VERSION_HEADER: &str = "dictionary-version";

/// The dictionary routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/dictionary", get(for_users))
        .route("/v1/admin/dictionary", get(for_admins).put(replace))
}

fn with_etag(mut response: Response, published: &Published) -> Response {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&published.etag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(VERSION_HEADER, HeaderValue::from(published.version));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
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
    Ok(users_view(&headers, &published))
}

fn users_view(headers: &HeaderMap, published: &Published) -> Response {
    if crate::etag::named_in(headers, header::IF_NONE_MATCH, &published.etag) == Some(true) {
        return with_etag(StatusCode::NOT_MODIFIED.into_response(), published);
    }
    let body = (
        [(header::CONTENT_TYPE, "application/json")],
        published.document.clone(),
    );
    with_etag(body.into_response(), published)
}

fn admin_view(published: &Published) -> Response {
    let view = DictionaryVersion {
        version: published.version,
        etag: published.etag.clone(),
        published_at: (published.version > 0).then(|| crate::clock::rfc3339(published.created_at)),
        published_by: published.created_by.clone(),
        dictionary: serde_json::from_str(&published.document).unwrap_or_default(),
    };
    with_etag(Json(view).into_response(), published)
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
    let json = std::str::from_utf8(&body).map_err(|_| DictionaryError::NotUtf8.into_response())?;
    let current = crate::dictionary::current(&state.store, &p.tenant_id)
        .await
        .map_err(IntoResponse::into_response)?;
    let Some(matches) = crate::etag::named_in(&headers, header::IF_MATCH, &current.etag) else {
        return Err(DictionaryError::IfMatchMissing.into_response());
    };
    if !matches {
        return Err(DictionaryError::Stale {
            now: current.version,
        }
        .into_response());
    }
    let actor = p.actor();
    let published = crate::dictionary::publish(
        &state.store,
        &p.tenant_id,
        json,
        Some(current.version),
        actor,
        crate::clock::now_ms(),
    )
    .await
    .map_err(IntoResponse::into_response)?;
    tracing::info!(target: "admin", tenant = %p.tenant_id, version = published.version, "dictionary published");
    Ok(admin_view(&published))
}
