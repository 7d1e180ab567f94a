//! `GET` and `DELETE /v1/admin/tenant`: an organisation's admins see how it was admitted, and
//! take it back out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::errors::ApiError;
use super::AppState;
use crate::auth::Principal;
use addin_wasm::protocol::account::Tenant;

/// The tenant routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/admin/tenant", get(status).delete(withdraw))
}

/// `GET /v1/admin/tenant`: the caller's organisation's admission, for its admins.
#[utoipa::path(get, path = "/v1/admin/tenant", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "How the caller's organisation was admitted.", body = Tenant), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn status(
    State(state): State<AppState>,
    p: Principal,
) -> Result<Json<Tenant>, ApiError> {
    Ok(Json(crate::tenants::admission(&state.store, &p).await?))
}

/// `DELETE /v1/admin/tenant`: withdraws the caller's organisation, for its admins. Its users,
/// the caller included, are refused from the next request on.
#[utoipa::path(delete, path = "/v1/admin/tenant", tag = "admin", security(("bearer" = [])),
    responses((status = 204, description = "Withdrawn: its users are refused from the next request."), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn withdraw(
    State(state): State<AppState>,
    p: Principal,
) -> Result<StatusCode, ApiError> {
    crate::tenants::withdraw(&state.store, &p, crate::clock::now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
