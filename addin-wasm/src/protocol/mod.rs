//! Wire types shared by the Office clients and the server.
//!
//! Everything here is plain serde data in the JSON shape the server speaks (camelCase fields,
//! errors as `{ "error": { "code", "message" } }`). Keeping them in one place means the server
//! and the clients cannot drift apart: both compile against these definitions, and the
//! server's OpenAPI document is generated from them (feature `openapi`).
//!
//! Here: the limits the server enforces, the recipient rule, the error body and its codes, and
//! paging; the routes' bodies by feature in [`keys`], [`audit`], [`account`],
//! [`dictionary`], [`policy`] and [`passcodes`].

pub mod account;
pub mod audit;
pub mod dictionary;
pub mod keys;
pub mod passcodes;
pub mod policy;

use serde::{Deserialize, Serialize};

/// The most people one key may name: a team or a distribution's worth; larger audiences are
/// "everyone in the organisation". Every unwrap reads a key's recipients, so this also bounds
/// what one key can cost the server.
pub const MAX_RECIPIENTS: usize = 100;
/// The most key ids one unwrap request may ask for; the clients split larger sets.
pub const MAX_UNWRAP: usize = 256;
/// The longest named recipient in bytes (an email address is at most 254 octets, RFC 5321).
pub const MAX_RECIPIENT: usize = 254;

/// The most items in one page of a list.
pub const MAX_PAGE: i64 = 200;
/// Items in a page when the client does not say.
pub const DEFAULT_PAGE: i64 = 50;

/// Why a named recipient is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientProblem {
    /// Nothing but spaces.
    Empty,
    /// Longer than [`MAX_RECIPIENT`] bytes.
    TooLong,
    /// Spaces or control characters inside.
    Spaces,
    /// No `@`.
    NoAt,
    /// Nothing before the `@`, or a domain without a dot (other than `localhost`).
    Incomplete,
}

impl std::fmt::Display for RecipientProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecipientProblem::Empty => write!(f, "is empty"),
            RecipientProblem::TooLong => write!(f, "is longer than {MAX_RECIPIENT} bytes"),
            RecipientProblem::Spaces => write!(f, "contains spaces or control characters"),
            RecipientProblem::NoAt => write!(f, "is not an address (no @)"),
            RecipientProblem::Incomplete => write!(f, "is not a complete address"),
        }
    }
}

/// A named recipient as the server stores it (trimmed, lowercase): a user principal name or an
/// email address. The one rule for the server and the clients, so that the pane refuses what
/// the server would.
///
/// ```
/// use addin_wasm::protocol::{recipient, RecipientProblem};
/// assert_eq!(recipient(" Bob@Fabrikam.example ").unwrap(), "bob@fabrikam.example");
/// assert_eq!(recipient("bob"), Err(RecipientProblem::NoAt));
/// ```
pub fn recipient(value: &str) -> Result<String, RecipientProblem> {
    let value = value.trim();
    if value.is_empty() {
        return Err(RecipientProblem::Empty);
    }
    if value.len() > MAX_RECIPIENT {
        return Err(RecipientProblem::TooLong);
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(RecipientProblem::Spaces);
    }
    let Some((local, domain)) = value.rsplit_once('@') else {
        return Err(RecipientProblem::NoAt);
    };
    if local.is_empty() || domain.is_empty() || !domain.contains('.') && domain != "localhost" {
        return Err(RecipientProblem::Incomplete);
    }
    Ok(value.to_lowercase())
}

/// The `code` of every HTTP error body: stable, machine-readable, snake_case. The message
/// beside it is for people and may change; a client decides on the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is not what the route takes (body, query, a field); the message says what to change.
    InvalidRequest,
    /// No bearer token: sign in.
    Unauthenticated,
    /// The token is not valid (signature, expiry, issuer, audience); the message says why.
    InvalidToken,
    /// The token lacks the API's `access_as_user` scope.
    InsufficientScope,
    /// The token's organisation has not enabled the add-in on this server.
    TenantNotAllowed,
    /// The caller may not do this (not the key's owner, not an admin).
    Forbidden,
    /// No such key or path, or the caller may not know it exists.
    NotFound,
    /// Another change was made first; reload and try again.
    Conflict,
    /// The key is revoked; its policy can no longer change.
    Revoked,
    /// Too many requests in a short time; `Retry-After` says when to try again.
    RateLimited,
    /// A replacement needs `If-Match` with the ETag read.
    PreconditionRequired,
    /// The `If-Match` ETag is not the latest any more.
    PreconditionFailed,
    /// The dictionary does not compile; `problems` lists each problem.
    InvalidDictionary,
    /// The policy is not valid; `problems` lists each problem.
    InvalidPolicy,
    /// The passcode is not the one sent; the message says how many tries are left.
    WrongPasscode,
    /// Too many wrong passcodes for this address; `Retry-After` says when to try again.
    PasscodeLocked,
    /// The passcode has expired or was used; ask for a new one.
    PasscodeExpired,
    /// The reader session has expired or is not one; enter a new passcode.
    SessionExpired,
    /// The server does not send passcodes.
    PasscodesOff,
    /// A reply is not allowed: not a message the reader may read, or the owner's policy forbids
    /// replies.
    RepliesOff,
    /// The organisation's dictionary is for its members, not its guests.
    MembersOnly,
    /// Admin consent needs a directory role that may grant it.
    NotAnAdministrator,
    /// A consent link was asked for another organisation than the caller's.
    NotYourTenant,
    /// A tenant id is not one, or not the one a consent link was made for.
    InvalidTenant,
    /// A consent link expired or was already used.
    InvalidState,
    /// Entra ID did not report admin consent.
    ConsentRefused,
    /// The server admits organisations by its configuration, not by consent.
    ConsentNotUsed,
    /// The organisation is not admitted by consent.
    NotAdmitted,
    /// The server lacks a setting this needs (its administrator's to set).
    NotConfigured,
    /// A file the build makes is missing on the server.
    NotBuilt,
    /// A dependency (database, signing keys) is unreachable; try again shortly.
    Unavailable,
    /// The request took too long and was stopped; try again.
    Timeout,
    /// The server failed; its log has the details under the request id.
    Internal,
}

impl ErrorCode {
    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::TenantNotAllowed => "tenant_not_allowed",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Revoked => "revoked",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::PreconditionRequired => "precondition_required",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::InvalidDictionary => "invalid_dictionary",
            ErrorCode::InvalidPolicy => "invalid_policy",
            ErrorCode::WrongPasscode => "wrong_passcode",
            ErrorCode::PasscodeLocked => "passcode_locked",
            ErrorCode::PasscodeExpired => "passcode_expired",
            ErrorCode::SessionExpired => "session_expired",
            ErrorCode::PasscodesOff => "passcodes_off",
            ErrorCode::RepliesOff => "replies_off",
            ErrorCode::MembersOnly => "members_only",
            ErrorCode::NotAnAdministrator => "not_an_administrator",
            ErrorCode::NotYourTenant => "not_your_tenant",
            ErrorCode::InvalidTenant => "invalid_tenant",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::ConsentRefused => "consent_refused",
            ErrorCode::ConsentNotUsed => "consent_not_used",
            ErrorCode::NotAdmitted => "not_admitted",
            ErrorCode::NotConfigured => "not_configured",
            ErrorCode::NotBuilt => "not_built",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Internal => "internal",
        }
    }
}

/// The body of every HTTP error the server returns.
///
/// ```
/// use addin_wasm::protocol::{ErrorBody, ErrorCode};
///
/// let body = ErrorBody::new(ErrorCode::NotFound, "no route for GET /nope; see the README for the API");
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
    /// A stable, machine-readable code.
    pub code: ErrorCode,
    /// A sentence for people: what failed, and what to do about it.
    pub message: String,
}

impl ErrorBody {
    /// Builds an error body from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code,
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

/// One page of a list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}
