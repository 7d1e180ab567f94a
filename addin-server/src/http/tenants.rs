//! `GET` and `DELETE /v1/admin/tenant`: an organisation's admins see how it was admitted, and
//! take it back out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::errors::ApiError;
use super::AppState;
use crate::auth::Principal;
use crate::store::TenantRow;

/// The tenant routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/admin/tenant", get(status).delete(withdraw))
}

fn not_admitted(tenant_id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_admitted",
        format!(
            "organisation {tenant_id} is not admitted by admin consent here (it may be listed in \
             the server's ADDIN_ALLOWED_TENANTS, which only the server's administrator changes)"
        ),
    )
}

/// `GET /v1/admin/tenant`: the caller's organisation's admission, for its admins.
#[utoipa::path(get, path = "/v1/admin/tenant", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "How the caller's organisation was admitted.", body = crate::store::TenantRow), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn status(
    State(state): State<AppState>,
    p: Principal,
) -> Result<Json<TenantRow>, ApiError> {
    p.require_admin()?;
    state
        .store
        .tenant(&p.tenant_id)
        .await
        .map_err(|e| ApiError::unavailable("database", &e))?
        .map(Json)
        .ok_or_else(|| not_admitted(&p.tenant_id))
}

/// `DELETE /v1/admin/tenant`: withdraws the caller's organisation, for its admins. Its users,
/// the caller included, are refused from the next request on.
#[utoipa::path(delete, path = "/v1/admin/tenant", tag = "admin", security(("bearer" = [])),
    responses((status = 204, description = "Withdrawn: its users are refused from the next request."), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn withdraw(
    State(state): State<AppState>,
    p: Principal,
) -> Result<StatusCode, ApiError> {
    p.require_admin()?;
    let removed = crate::tenants::remove(
        &state.store,
        &p.tenant_id,
        p.actor(),
        crate::clock::now_ms(),
    )
    .await
    .map_err(|e| ApiError::unavailable("database", &e))?;
    if !removed {
        return Err(not_admitted(&p.tenant_id));
    }
    tracing::info!(target: "admin", tenant = %p.tenant_id, by = %p.object_id, "tenant withdrawn by its admin");
    Ok(StatusCode::NO_CONTENT)
}
