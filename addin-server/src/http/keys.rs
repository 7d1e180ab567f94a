//! The key broker's HTTP routes under `/v1/keys`. Handlers only extract, call
//! [`Broker`](crate::broker::Broker) with the time, and answer; the bodies are
//! [`addin_wasm::protocol::keys`].

use addin_wasm::protocol::keys::{
    CreateKey, Created, KeyChange, ListQuery, Policy, UnwrapAnswer, UnwrapRequest,
};
use addin_wasm::protocol::Page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::errors::ApiError;
use super::extract::{Body, Query};
use super::AppState;
use crate::auth::Principal;
use crate::broker::{input, BrokerError};
use crate::clock;

/// The key broker's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/keys", post(create).get(list))
        .route("/v1/keys/unwrap", post(unwrap))
        .route("/v1/keys/{id}", get(policy).patch(change))
        .route("/v1/keys/{id}/revoke", post(revoke))
}

#[utoipa::path(post, path = "/v1/keys", tag = "keys", security(("bearer" = [])), request_body = CreateKey,
    responses((status = 201, description = "A new data key, its id and its policy.", body = Created), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn create(
    State(state): State<AppState>,
    p: Principal,
    Body(body): Body<CreateKey>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    state.limits.create(&p.limit_key())?;
    let created = state.broker.create(&p, body, clock::now_ms()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(post, path = "/v1/keys/unwrap", tag = "keys", security(("bearer" = [])), request_body = UnwrapRequest,
    responses((status = 200, description = "Each key asked for, released or refused with why, in the order asked.", body = UnwrapAnswer), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn unwrap(
    State(state): State<AppState>,
    p: Principal,
    Body(body): Body<UnwrapRequest>,
) -> Result<Json<UnwrapAnswer>, ApiError> {
    state.limits.unwrap(&p.limit_key())?;
    let results = state
        .broker
        .unwrap(&p, &body.key_ids, clock::now_ms())
        .await?;
    Ok(Json(UnwrapAnswer { results }))
}

#[utoipa::path(get, path = "/v1/keys/{id}", tag = "keys", security(("bearer" = [])), params(("id" = String, Path, description = "The key id")),
    responses((status = 200, description = "The key's policy, for its owner and its organisation's admins.", body = Policy), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn policy(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<Policy>, ApiError> {
    Ok(Json(state.broker.policy(&p, &id).await?))
}

#[utoipa::path(patch, path = "/v1/keys/{id}", tag = "keys", security(("bearer" = [])), params(("id" = String, Path, description = "The key id")), request_body = KeyChange,
    responses((status = 200, description = "The key's policy after the change.", body = Policy), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn change(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    Body(body): Body<KeyChange>,
) -> Result<Json<Policy>, ApiError> {
    Ok(Json(
        state.broker.change(&p, &id, body, clock::now_ms()).await?,
    ))
}

#[utoipa::path(post, path = "/v1/keys/{id}/revoke", tag = "keys", security(("bearer" = [])), params(("id" = String, Path, description = "The key id")),
    responses((status = 200, description = "The revoked key's policy.", body = Policy), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<Policy>, ApiError> {
    Ok(Json(state.broker.revoke(&p, &id, clock::now_ms()).await?))
}

#[utoipa::path(get, path = "/v1/keys", tag = "keys", security(("bearer" = [])),
    params(("owner" = Option<String>, Query, description = "Only `me`"), ("limit" = Option<i64>, Query, description = "1 to 200, 50 by default"), ("cursor" = Option<String>, Query, description = "The `next` of the previous page")),
    responses((status = 200, description = "The caller's keys, newest first.", body = Page<Policy>), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
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
        .owned(&p, q.cursor.as_deref(), input::page_size(q.limit)?)
        .await?;
    Ok(Json(Page { items, next }))
}
