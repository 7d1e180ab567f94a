//! Wire types shared by the Office clients and the server.
//!
//! Everything here is plain serde data in the JSON shape the server speaks (camelCase fields,
//! errors as `{ "error": { "code", "message" } }`). Keeping them in one place means the server
//! and the clients cannot drift apart: both compile against these definitions.

use serde::{Deserialize, Serialize};

/// The most people one key may name: a team or a distribution's worth; larger audiences are
/// "everyone in the organisation". Every unwrap reads a key's recipients, so this also bounds
/// what one key can cost the server.
pub const MAX_RECIPIENTS: usize = 100;
/// The most key ids one unwrap request may ask for; the clients split larger sets.
pub const MAX_UNWRAP: usize = 256;
/// The longest named recipient in bytes (an email address is at most 254 octets, RFC 5321).
pub const MAX_RECIPIENT: usize = 254;

/// The body of every HTTP error the server returns.
///
/// ```
/// use addin_wasm::protocol::ErrorBody;
///
/// let body = ErrorBody::new("not_found", "no route for GET /nope; see the README for the API");
/// let json = serde_json::to_string(&body).unwrap();
/// assert_eq!(
///     json,
///     r#"{"error":{"code":"not_found","message":"no route for GET /nope; see the README for the API"}}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong and what to do about it.
    pub error: ErrorDetail,
}

/// The inside of an [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// A stable, machine-readable code in snake_case (`not_found`, `invalid_token`, ...).
    pub code: String,
    /// A sentence for people: what failed, and what to do about it.
    pub message: String,
}

impl ErrorBody {
    /// Builds an error body from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
            },
        }
    }
}

/// The answer of `GET /healthz`: the process is up and serving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Always `"ok"` when the server answers at all.
    pub status: String,
    /// The server's version, equal to the client core's [`crate::VERSION`] for one release.
    pub version: String,
}
