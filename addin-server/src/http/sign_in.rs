//! `GET /v1/sign-in-config`: the app registration, for the fallback sign-in dialog.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;
use crate::auth::AuthError;
use crate::sign_in::SignInConfig;

/// The sign-in configuration route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/sign-in-config", get(handler))
}

/// `GET /v1/sign-in-config`.
pub async fn handler(State(state): State<AppState>) -> Result<Json<SignInConfig>, AuthError> {
    state
        .sign_in
        .as_deref()
        .cloned()
        .map(Json)
        .ok_or(AuthError::NotConfigured)
}
