//! The key broker's HTTP routes under `/v1`: request and response shapes, and how broker errors
//! become answers. Handlers only extract, call [`Broker`](crate::broker::Broker) and map.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Deserializer, Serialize};

use super::errors::ApiError;
use super::extract::{Body, Query};
use super::AppState;
use crate::audit::{Action, Record};
use crate::auth::Principal;
use crate::broker::{input, BrokerError, ChangeRequest, NewKeyRequest, Policy, Unwrapped};
use crate::clock;
use crate::store::{AuditFilter, UserStats};

/// The most items in one page.
const MAX_PAGE: i64 = 200;
/// Items in a page when the client does not say.
const DEFAULT_PAGE: i64 = 50;

/// The key broker's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/keys", post(create).get(list))
        .route("/v1/keys/unwrap", post(unwrap))
        .route("/v1/keys/{id}", get(policy).patch(change))
        .route("/v1/keys/{id}/revoke", post(revoke))
        .route("/v1/admin/audit", get(audit))
        .route("/v1/admin/stats", get(stats))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct CreateBody {
    recipients: Vec<String>,
    expires_at: Option<String>,
    label: Option<String>,
    doc_id: Option<String>,
}

#[utoipa::path(post, path = "/v1/keys", tag = "keys", security(("bearer" = [])), request_body = CreateBody,
    responses((status = 201, description = "A new data key, its id and its policy.", body = crate::broker::Created), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn create(
    State(state): State<AppState>,
    p: Principal,
    Body(body): Body<CreateBody>,
) -> Result<(StatusCode, Json<crate::broker::Created>), ApiError> {
    state.limits.create(&p.limit_key())?;
    let created = state
        .broker
        .create(
            &p,
            NewKeyRequest {
                recipients: body.recipients,
                expires_at: body.expires_at,
                label: body.label,
                doc_id: body.doc_id,
            },
            clock::now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct UnwrapBody {
    key_ids: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct UnwrapAnswer {
    results: Vec<Unwrapped>,
}

#[utoipa::path(post, path = "/v1/keys/unwrap", tag = "keys", security(("bearer" = [])), request_body = UnwrapBody,
    responses((status = 200, description = "Each key asked for, released or refused with why, in the order asked.", body = UnwrapAnswer), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn unwrap(
    State(state): State<AppState>,
    p: Principal,
    Body(body): Body<UnwrapBody>,
) -> Result<Json<UnwrapAnswer>, ApiError> {
    state.limits.unwrap(&p.limit_key())?;
    let results = state
        .broker
        .unwrap(&p, &body.key_ids, clock::now_ms())
        .await?;
    Ok(Json(UnwrapAnswer { results }))
}

#[utoipa::path(get, path = "/v1/keys/{id}", tag = "keys", security(("bearer" = [])), params(("id" = String, Path, description = "The key id")),
    responses((status = 200, description = "The key's policy, for its owner and its organisation's admins.", body = crate::broker::Policy), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn policy(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<Policy>, ApiError> {
    Ok(Json(state.broker.policy(&p, &id).await?))
}

/// `Some(None)` for an explicit `null`, `Some(Some(v))` for a value; absent stays `None`.
fn explicit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ChangeBody {
    #[serde(default)]
    add_recipients: Vec<String>,
    #[serde(default)]
    remove_recipients: Vec<String>,
    #[serde(default, deserialize_with = "explicit")]
    expires_at: Option<Option<String>>,
}

#[utoipa::path(patch, path = "/v1/keys/{id}", tag = "keys", security(("bearer" = [])), params(("id" = String, Path, description = "The key id")), request_body = ChangeBody,
    responses((status = 200, description = "The key's policy after the change.", body = crate::broker::Policy), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn change(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    Body(body): Body<ChangeBody>,
) -> Result<Json<Policy>, ApiError> {
    let req = ChangeRequest {
        add: body.add_recipients,
        remove: body.remove_recipients,
        expires_at: body.expires_at,
    };
    Ok(Json(
        state.broker.change(&p, &id, req, clock::now_ms()).await?,
    ))
}

#[utoipa::path(post, path = "/v1/keys/{id}/revoke", tag = "keys", security(("bearer" = [])), params(("id" = String, Path, description = "The key id")),
    responses((status = 200, description = "The revoked key's policy.", body = crate::broker::Policy), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<Policy>, ApiError> {
    Ok(Json(state.broker.revoke(&p, &id, clock::now_ms()).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ListQuery {
    owner: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct Page<T> {
    items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

fn page_size(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::from(BrokerError::Invalid(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )))),
    }
}

#[utoipa::path(get, path = "/v1/keys", tag = "keys", security(("bearer" = [])),
    params(("owner" = Option<String>, Query, description = "Only `me`"), ("limit" = Option<i64>, Query, description = "1 to 200, 50 by default"), ("cursor" = Option<String>, Query, description = "The `next` of the previous page")),
    responses((status = 200, description = "The caller's keys, newest first.", body = Page<crate::broker::Policy>), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<Policy>>, ApiError> {
    if q.owner.as_deref().unwrap_or("me") != "me" {
        return Err(ApiError::from(BrokerError::Invalid(
            "only owner=me is supported: you can list the keys you own".into(),
        )));
    }
    let (items, next) = state
        .broker
        .owned(&p, q.cursor.as_deref(), page_size(q.limit)?)
        .await?;
    Ok(Json(Page { items, next }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct AuditQuery {
    user: Option<String>,
    key_id: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// A record as admins read it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct RecordView {
    seq: i64,
    at: String,
    action: Action,
    actor: crate::audit::Actor,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<serde_json::Value>,
}

impl From<Record> for RecordView {
    fn from(r: Record) -> RecordView {
        RecordView {
            seq: r.seq,
            at: clock::rfc3339_ms(r.event.at_ms),
            action: r.event.action,
            actor: r.event.actor,
            key_id: r.event.key_id,
            reason: r.event.reason,
            detail: r.event.detail.and_then(|d| serde_json::from_str(&d).ok()),
        }
    }
}

fn time_ms(field: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|v| input::time(field, v).map(|s| s * 1000))
        .transpose()
        .map_err(ApiError::from)
}

#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", security(("bearer" = [])),
    params(("user" = Option<String>, Query), ("keyId" = Option<String>, Query), ("action" = Option<String>, Query), ("from" = Option<String>, Query, description = "RFC 3339"), ("to" = Option<String>, Query, description = "RFC 3339"), ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, description = "The organisation's audit records, newest first.", body = Page<RecordView>), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn audit(
    State(state): State<AppState>,
    p: Principal,
    q: Result<Query<AuditQuery>, ApiError>,
) -> Result<Json<Page<RecordView>>, ApiError> {
    // The role before the query: a non-admin is told that, whatever the query says.
    p.require_admin()?;
    let Query(q) = q?;
    let action = q
        .action
        .as_deref()
        .map(|a| {
            Action::parse(a).ok_or_else(|| {
                ApiError::from(BrokerError::Invalid(format!(
                    "action must be one of {}",
                    Action::ALL.map(Action::as_str).join(", ")
                )))
            })
        })
        .transpose()?;
    let before_seq = q
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>().map_err(|_| {
                ApiError::from(BrokerError::Invalid(
                    "the cursor is not one this server gave; start from the first page".into(),
                ))
            })
        })
        .transpose()?;
    let limit = page_size(q.limit)?;
    let filter = AuditFilter {
        tenant_id: p.tenant_id.clone(),
        user: q.user.map(|u| u.trim().to_lowercase()),
        key_id: q.key_id,
        action,
        from_ms: time_ms("from", q.from.as_deref())?,
        to_ms: time_ms("to", q.to.as_deref())?,
        before_seq,
        limit: limit + 1,
    };
    let mut records = state
        .broker
        .store()
        .audit_records(&filter)
        .await
        .map_err(BrokerError::from)?;
    let next = (records.len() as i64 > limit).then(|| {
        records.truncate(limit as usize);
        records.last().map(|r| r.seq.to_string())
    });
    Ok(Json(Page {
        items: records.into_iter().map(RecordView::from).collect(),
        next: next.flatten(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct StatsQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct StatsAnswer {
    from: String,
    to: String,
    users: Vec<UserStats>,
}

#[utoipa::path(get, path = "/v1/admin/stats", tag = "admin", security(("bearer" = [])),
    params(("from" = Option<String>, Query, description = "RFC 3339"), ("to" = Option<String>, Query, description = "RFC 3339")),
    responses((status = 200, description = "What each user did over the period.", body = StatsAnswer), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn stats(
    State(state): State<AppState>,
    p: Principal,
    q: Result<Query<StatsQuery>, ApiError>,
) -> Result<Json<StatsAnswer>, ApiError> {
    // The role before the query: a non-admin is told that, whatever the query says.
    p.require_admin()?;
    let Query(q) = q?;
    let now = clock::now_ms();
    let to = time_ms("to", q.to.as_deref())?.unwrap_or(now);
    let from = time_ms("from", q.from.as_deref())?.unwrap_or(to - 30 * 86_400_000);
    if from >= to {
        return Err(ApiError::from(BrokerError::Invalid(
            "from must be before to".into(),
        )));
    }
    let users = state
        .broker
        .store()
        .user_stats(&p.tenant_id, from, to)
        .await
        .map_err(BrokerError::from)?;
    Ok(Json(StatsAnswer {
        from: clock::rfc3339_ms(from),
        to: clock::rfc3339_ms(to),
        users,
    }))
}
