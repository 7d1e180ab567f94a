//! Why a request was not authenticated, answered as RFC 6750 says: 401 with a
//! `WWW-Authenticate: Bearer` challenge for a missing or invalid token, 403 for a valid token
//! that may not do this, and always the JSON error body. Token contents never appear.

use addin_wasm::protocol::ErrorBody;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::token::SCOPE;

/// An authentication failure.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No bearer token in the request.
    #[error("this API needs a bearer token: sign in to the add-in, which sends one")]
    Missing,
    /// The token is not valid; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// The token lacks the API's delegated scope.
    #[error("the token does not carry the {SCOPE} scope; the add-in must ask for it")]
    InsufficientScope,
    /// The token's tenant may not use this server.
    #[error("organisation {tenant_id} has not enabled this add-in; an administrator of that organisation must grant admin consent (GET /v1/admin-consent/url gives the link), or the server's administrator must add the tenant to ADDIN_ALLOWED_TENANTS")]
    TenantNotAllowed {
        /// The tenant.
        tenant_id: String,
    },
    /// The signing keys or the store could not be reached to decide (logged; the client is told
    /// to try again).
    #[error("{0}")]
    Unavailable(String),
    /// The client's address had too many tokens refused; it is held back for a while.
    #[error("too many refused sign-ins from your address; try again in {} seconds", crate::error::retry_seconds(.0.retry_after))]
    RateLimited(crate::limits::Limited),
    /// The server has no client id configured.
    #[error(
        "this server is not configured for sign-in: its administrator must set ADDIN_CLIENT_ID"
    )]
    NotConfigured,
}

impl AuthError {
    /// An invalid token, with why.
    pub fn invalid(why: impl Into<String>) -> AuthError {
        AuthError::Invalid(why.into())
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        if let AuthError::RateLimited(limited) = self {
            return crate::error::ApiError::rate_limited(limited).into_response();
        }
        let message = self.to_string();
        let (status, code, challenge) = match &self {
            AuthError::Missing => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                Some(r#"Bearer"#.to_owned()),
            ),
            AuthError::Invalid(_) => (
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                Some(format!(
                    r#"Bearer error="invalid_token", error_description="{}""#,
                    message.replace(['"', '\\'], "'")
                )),
            ),
            AuthError::InsufficientScope => (
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                Some(format!(
                    r#"Bearer error="insufficient_scope", scope="{SCOPE}""#
                )),
            ),
            AuthError::TenantNotAllowed { .. } => {
                (StatusCode::FORBIDDEN, "tenant_not_allowed", None)
            }
            AuthError::Unavailable(_) => {
                tracing::error!(error = %message, "cannot authenticate");
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None)
            }
            AuthError::NotConfigured | AuthError::RateLimited(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "not_configured", None)
            }
        };
        let message = match &self {
            AuthError::Unavailable(_) => "sign-in cannot be checked right now; try again shortly, and if it persists ask the administrator to check the server log".to_owned(),
            _ => message,
        };
        let mut response = (status, Json(ErrorBody::new(code, message))).into_response();
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}
