//! `/v1/admin/audit` and `/v1/admin/stats`: an organisation's admins read its audit trail and
//! what each user did. The role is checked before the query, so a non-admin is told that
//! whatever the query says; the reading is [`crate::broker::reports`].

use addin_wasm::protocol::audit::{AuditQuery, AuditRecord, Stats, StatsQuery};
use addin_wasm::protocol::Page;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::errors::ApiError;
use super::extract::Query;
use super::AppState;
use crate::auth::Principal;
use crate::broker::reports;
use crate::clock;

/// The audit routes for admins.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/audit", get(audit))
        .route("/v1/admin/stats", get(stats))
}

#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", security(("bearer" = [])),
    params(("user" = Option<String>, Query), ("keyId" = Option<String>, Query), ("action" = Option<String>, Query), ("from" = Option<String>, Query, description = "RFC 3339"), ("to" = Option<String>, Query, description = "RFC 3339"), ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, description = "The organisation's audit records, newest first.", body = Page<AuditRecord>), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn audit(
    State(state): State<AppState>,
    p: Principal,
    q: Result<Query<AuditQuery>, ApiError>,
) -> Result<Json<Page<AuditRecord>>, ApiError> {
    p.require_admin()?;
    let Query(q) = q?;
    Ok(Json(reports::audit(&state.store, &p.tenant_id, q).await?))
}

#[utoipa::path(get, path = "/v1/admin/stats", tag = "admin", security(("bearer" = [])),
    params(("from" = Option<String>, Query, description = "RFC 3339"), ("to" = Option<String>, Query, description = "RFC 3339")),
    responses((status = 200, description = "What each user did over the period.", body = Stats), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn stats(
    State(state): State<AppState>,
    p: Principal,
    q: Result<Query<StatsQuery>, ApiError>,
) -> Result<Json<Stats>, ApiError> {
    p.require_admin()?;
    let Query(q) = q?;
    Ok(Json(
        reports::stats(&state.store, &p.tenant_id, q, clock::now_ms()).await?,
    ))
}
