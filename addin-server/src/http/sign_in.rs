//! `GET /v1/sign-in-config`: the app registration, for the fallback sign-in dialog.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;
use crate::auth::AuthError;
use addin_wasm::protocol::account::SignInConfig;

/// The sign-in configuration route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/sign-in-config", get(handler))
}

/// `GET /v1/sign-in-config`.
#[utoipa::path(get, path = "/v1/sign-in-config", tag = "sign-in",
    responses((status = 200, description = "What the fallback sign-in dialog signs in with.", body = SignInConfig), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn handler(
    State(state): State<AppState>,
) -> Result<Json<SignInConfig>, AuthError> {
    state
        .sign_in
        .as_deref()
        .cloned()
        .map(Json)
        .ok_or(AuthError::NotConfigured)
}
