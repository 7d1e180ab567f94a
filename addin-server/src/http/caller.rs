//! Who is calling, as handler arguments: [`Principal`] (a signed-in user of an admitted
//! tenant) and [`AnyTenant`] (a signed-in user of any tenant, for the one route that admits
//! one). Each validates the bearer token with the state's [`crate::auth::Validator`], refuses a
//! client held back for too many refused tokens before its token costs a check, and logs each
//! refusal with the client's address (never the token).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::extract::client_ip;
use super::AppState;
use crate::auth::{AuthError, Principal};

/// The bearer token of a request.
fn bearer(parts: &Parts) -> Result<&str, AuthError> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or(AuthError::Missing)
}

/// Refuses a client held back for too many refused tokens, before its token costs a check.
fn not_held_back(parts: &Parts, state: &AppState) -> Result<(), AuthError> {
    match client_ip(parts) {
        Some(client) => state
            .limits
            .held_back(client)
            .map_err(AuthError::RateLimited),
        None => Ok(()),
    }
}

/// Logs why a request's token was refused, with the client's address (never the token), and
/// counts the refusal against that address.
fn logged<T>(
    parts: &Parts,
    state: &AppState,
    result: Result<T, AuthError>,
) -> Result<T, AuthError> {
    let Err(e) = &result else {
        return result;
    };
    if !matches!(
        e,
        AuthError::Invalid(_) | AuthError::InsufficientScope | AuthError::TenantNotAllowed { .. }
    ) {
        return result;
    }
    let client = client_ip(parts);
    tracing::warn!(target: "security", client = ?client, path = parts.uri.path(), reason = %e, "token refused");
    if let Some(client) = client {
        state
            .limits
            .token_refused(client)
            .map_err(AuthError::RateLimited)?;
    }
    result
}

/// The validator and the request's bearer token, once the client is known not to be held
/// back (before its token costs a check).
fn presented<'a>(
    parts: &'a Parts,
    state: &'a AppState,
) -> Result<(&'a crate::auth::Validator, &'a str), AuthError> {
    let validator = state.auth.as_ref().ok_or(AuthError::NotConfigured)?;
    not_held_back(parts, state)?;
    Ok((validator, bearer(parts)?))
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthError> {
        let (validator, token) = presented(parts, state)?;
        let result = validator.validate(token, crate::clock::now_secs()).await;
        logged(parts, state, result)
    }
}

/// A signed-in user of any tenant, allowed or not: for the one route an administrator of a
/// tenant not yet admitted calls, to ask for its admission. Its address is not resolved.
#[derive(Debug, Clone)]
pub struct AnyTenant(pub Principal);

impl FromRequestParts<AppState> for AnyTenant {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthError> {
        let (validator, token) = presented(parts, state)?;
        let result = validator.authenticate(token).await;
        logged(parts, state, result).map(|(principal, _)| AnyTenant(principal))
    }
}

/// A reader outside the organisations, by the bearer token of a passcode session
/// ([`crate::passcodes`]): a [`Principal::outside`], never accepted where a signed-in user is.
#[derive(Debug, Clone)]
pub struct Reader(pub Principal);

impl FromRequestParts<AppState> for Reader {
    type Rejection = super::errors::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use crate::passcodes::PasscodeError;
        let passcodes = state.passcodes.as_ref().ok_or(PasscodeError::Off)?;
        let token = bearer(parts).map_err(|_| PasscodeError::SessionExpired)?;
        Ok(Reader(
            passcodes.session(token, crate::clock::now_ms()).await?,
        ))
    }
}
