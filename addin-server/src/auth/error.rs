//! Why a request was not authenticated. [`crate::http::errors`] answers it as RFC 6750 says.
//! Token contents never appear in these messages.

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
    #[error("too many refused sign-ins from your address; try again in {} seconds", .0.retry_seconds())]
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
