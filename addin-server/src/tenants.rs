//! The organisations admitted by admin consent ([`crate::consent`]): what an organisation's
//! admins see of their own admission and how they withdraw it (`GET` and
//! `DELETE /v1/admin/tenant`), and the one removal that those routes and
//! `addin-server tenants remove` share.
//!
//! A removal is effective at the next request: the token check asks the store whether the
//! tenant is admitted every time, tokens already validated included.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::app::AppState;
use crate::audit::{Action, Actor, Event};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::store::{Store, StoreError, TenantRow, Write, Written};

/// Removes the admitted tenant `tenant_id`, recording that `actor` did at `now_ms`; whether it
/// was admitted.
pub async fn remove(
    store: &Store,
    tenant_id: &str,
    actor: Actor,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let audit = Event {
        at_ms: now_ms,
        action: Action::TenantRemoved,
        actor,
        key_id: None,
        key_tenant: Some(tenant_id.to_owned()),
        reason: None,
        detail: None,
    };
    let written = store
        .write(vec![Write::RemoveTenant {
            tenant_id: tenant_id.to_owned(),
            audit,
        }])
        .await?;
    Ok(written.first() == Some(&Written::Done))
}

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
async fn status(State(state): State<AppState>, p: Principal) -> Result<Json<TenantRow>, ApiError> {
    crate::broker::require_admin(&p)?;
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
async fn withdraw(State(state): State<AppState>, p: Principal) -> Result<StatusCode, ApiError> {
    crate::broker::require_admin(&p)?;
    let removed = remove(
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
