//! The passcode routes for readers outside the organisations: `POST /v1/passcodes` (ask for a
//! code; the same answer whether or not one is sent), `POST /v1/passcodes/verify` (enter it;
//! a reader session), and `POST /v1/passcodes/unwrap` (open keys with that session). The first
//! two are anonymous, so each is rate-limited per client address (and the first per email
//! address too); the rules are [`crate::passcodes`]. `POST /v1/recipients/check` tells a
//! signed-in sender, before encrypting, how each recipient would read.

use addin_wasm::protocol::keys::{Created, UnwrapAnswer, UnwrapRequest};
use addin_wasm::protocol::passcodes::{
    PasscodeChallenge, PasscodeEntry, PasscodeRequest, ReaderSession, RecipientsCheck,
    RecipientsReading, ReplyKeyRequest, ReplyMail, ReplySent,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

use super::caller::Reader;
use super::errors::ApiError;
use super::extract::{Body, ClientIp};
use super::AppState;
use crate::auth::Principal;
use crate::clock;
use crate::passcodes::{PasscodeError, Passcodes};

/// The passcode routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/passcodes", post(request))
        .route("/v1/passcodes/verify", post(verify))
        .route("/v1/passcodes/unwrap", post(unwrap))
        .route("/v1/passcodes/reply-key", post(reply_key))
        .route("/v1/passcodes/reply", post(reply))
        .route("/v1/recipients/check", post(check))
}

#[utoipa::path(post, path = "/v1/passcodes/reply-key", tag = "passcodes", security(("reader" = [])), request_body = ReplyKeyRequest,
    responses((status = 201, description = "A key for the reply, owned by the reader, for the message's sender and other recipients.", body = Created), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn reply_key(
    State(state): State<AppState>,
    Reader(p): Reader,
    Body(body): Body<ReplyKeyRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let passcodes = passcodes(&state)?;
    state.limits.create(&p.limit_key())?;
    let created = passcodes
        .reply_key(&state.broker, &p, &body.reply_to, clock::now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(post, path = "/v1/passcodes/reply", tag = "passcodes", security(("reader" = [])), request_body = ReplyMail,
    responses((status = 200, description = "The protected reply was mailed to its key's recipients.", body = ReplySent), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn reply(
    State(state): State<AppState>,
    Reader(p): Reader,
    Body(body): Body<ReplyMail>,
) -> Result<Json<ReplySent>, ApiError> {
    let passcodes = passcodes(&state)?;
    state.limits.create(&p.limit_key())?;
    Ok(Json(passcodes.send_reply(&p, body, clock::now_ms()).await?))
}

#[utoipa::path(post, path = "/v1/recipients/check", tag = "passcodes", security(("bearer" = [])), request_body = RecipientsCheck,
    responses((status = 200, description = "How each recipient would read what the caller protects: signing in, with a passcode, or not at all and why.", body = RecipientsReading), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn check(
    State(state): State<AppState>,
    p: Principal,
    Body(body): Body<RecipientsCheck>,
) -> Result<Json<RecipientsReading>, ApiError> {
    let recipients = crate::passcodes::how_they_read(
        &state.store,
        state.passcodes.is_some(),
        &p.tenant_id,
        &body.recipients,
    )
    .await?;
    Ok(Json(RecipientsReading { recipients }))
}

fn passcodes(state: &AppState) -> Result<&Passcodes, ApiError> {
    state
        .passcodes
        .as_deref()
        .ok_or_else(|| ApiError::from(PasscodeError::Off))
}

#[utoipa::path(post, path = "/v1/passcodes", tag = "passcodes", request_body = PasscodeRequest,
    responses((status = 200, description = "A challenge for the page; a code is mailed if the address may read, and the answer is the same either way.", body = PasscodeChallenge), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn request(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    Body(body): Body<PasscodeRequest>,
) -> Result<Json<PasscodeChallenge>, ApiError> {
    let passcodes = passcodes(&state)?;
    state.limits.passcode_request(client, &body.address)?;
    Ok(Json(passcodes.request(body, clock::now_ms()).await?))
}

#[utoipa::path(post, path = "/v1/passcodes/verify", tag = "passcodes", request_body = PasscodeEntry,
    responses((status = 200, description = "The code was right: a reader session.", body = ReaderSession), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn verify(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    Body(body): Body<PasscodeEntry>,
) -> Result<Json<ReaderSession>, ApiError> {
    let passcodes = passcodes(&state)?;
    state.limits.passcode_entry(client)?;
    Ok(Json(passcodes.verify(body, clock::now_ms()).await?))
}

#[utoipa::path(post, path = "/v1/passcodes/unwrap", tag = "passcodes", security(("reader" = [])), request_body = UnwrapRequest,
    responses((status = 200, description = "Each key asked for, released or refused with why, in the order asked.", body = UnwrapAnswer), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn unwrap(
    State(state): State<AppState>,
    Reader(p): Reader,
    Body(body): Body<UnwrapRequest>,
) -> Result<Json<UnwrapAnswer>, ApiError> {
    let passcodes = passcodes(&state)?;
    state.limits.unwrap(&p.limit_key())?;
    let results = passcodes
        .unwrap(&state.broker, &p, &body.key_ids, clock::now_ms())
        .await?;
    Ok(Json(UnwrapAnswer { results }))
}
