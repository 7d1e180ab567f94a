//! The policy's routes: `GET /v1/policy` for every signed-in user of the organisation (with
//! ETag and `If-None-Match`, so that clients show the rules before acting), `GET` and
//! `PUT /v1/admin/policy` for its admins (`If-Match` guards a replacement).

use addin_wasm::protocol::policy::{OrgPolicy, PolicyVersion};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::documents;
use super::AppState;
use crate::auth::Principal;
use crate::documents::Published;
use crate::policy::PolicyError;
use crate::store::DocumentKind;

const KIND: DocumentKind = DocumentKind::Policy;

/// The policy routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/policy", get(for_users))
        .route("/v1/admin/policy", get(for_admins).put(replace))
}

/// `GET /v1/policy`: the caller's organisation's policy, every setting.
#[utoipa::path(get, path = "/v1/policy", tag = "policy", security(("bearer" = [])),
    responses((status = 200, description = "The organisation's policy, with its ETag.", body = OrgPolicy), (status = 304, description = "The If-None-Match ETag is current."), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn for_users(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let published = crate::policy::current(&state.store, &p.tenant_id)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(documents::users_view(&headers, KIND, &published))
}

fn admin_view(published: &Published) -> Response {
    let policy = match OrgPolicy::from_json(&published.document) {
        Ok(policy) => policy,
        Err(problems) => return PolicyError::Invalid(problems).into_response(),
    };
    let view = PolicyVersion {
        version: published.version,
        etag: published.etag.clone(),
        published_at: (published.version > 0).then(|| crate::clock::rfc3339(published.created_at)),
        published_by: published.created_by.clone(),
        policy,
    };
    documents::with_etag(Json(view).into_response(), KIND, published)
}

/// `GET /v1/admin/policy`: the admin's organisation's policy with its version.
#[utoipa::path(get, path = "/v1/admin/policy", tag = "policy", security(("bearer" = [])),
    responses((status = 200, description = "The policy with its version, for admins.", body = PolicyVersion), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn for_admins(
    State(state): State<AppState>,
    p: Principal,
) -> Result<Response, Response> {
    p.require_admin()
        .map_err(|e| PolicyError::from(e).into_response())?;
    let published = crate::policy::current(&state.store, &p.tenant_id)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(admin_view(&published))
}

/// `PUT /v1/admin/policy`: publishes the body as the next version.
#[utoipa::path(put, path = "/v1/admin/policy", tag = "policy", security(("bearer" = [])), request_body(content = OrgPolicy, description = "The policy; a setting left out takes its default"),
    params(("If-Match" = String, Header, description = "The ETag of the version it replaces")),
    responses((status = 200, description = "The new version.", body = PolicyVersion), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn replace(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    p.require_admin()
        .map_err(|e| PolicyError::from(e).into_response())?;
    let current = crate::policy::current(&state.store, &p.tenant_id)
        .await
        .map_err(IntoResponse::into_response)?;
    let (json, based_on) = documents::replacement(KIND, &headers, &body, &current)
        .map_err(IntoResponse::into_response)?;
    let published = crate::policy::publish(
        &state.store,
        &p.tenant_id,
        json,
        Some(based_on),
        p.actor(),
        crate::clock::now_ms(),
    )
    .await
    .map_err(IntoResponse::into_response)?;
    tracing::info!(target: "admin", tenant = %p.tenant_id, version = published.version, "policy published");
    Ok(admin_view(&published))
}
