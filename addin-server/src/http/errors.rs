//! How errors become HTTP responses: the one place that maps every domain error (auth, admin
//! check, rate limits, key broker, dictionary) to a status and a JSON body.
//!
//! Every error answer is JSON `{ "error": { "code", "message" } }` ([`ErrorBody`]). Client errors
//! carry a message the user can act on; internal errors are logged in full (with the request id
//! of the surrounding span) and answered with a generic message, so no internal detail leaks.

use addin_wasm::protocol::{ErrorBody, ErrorCode};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::auth::AuthError;
use crate::broker::BrokerError;
use crate::dictionary::DictionaryError;
use crate::documents::VersionError;
use crate::limits::Limited;
use crate::passcodes::PasscodeError;
use crate::policy::PolicyError;

/// An error answered to an HTTP client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    /// Seconds, for `Retry-After`.
    retry_after: Option<u64>,
}

impl ApiError {
    /// A 404 for a path that names nothing.
    pub fn not_found(path: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            body: ErrorBody::new(
                ErrorCode::NotFound,
                format!("nothing is served at {path}; the task pane is at /taskpane.html and the manifests under /manifest/"),
            ),
            retry_after: None,
        }
    }

    /// The 400 for a part of the request (`what`) that does not parse, and the framework's
    /// reason (`why`).
    pub fn invalid_input(what: &str, why: &str) -> ApiError {
        ApiError::bad_request(
            ErrorCode::InvalidRequest,
            format!("{what} is not what this route takes: {why}"),
        )
    }

    /// The 404 for a file the build should have made (`problem` says which and how).
    pub fn not_built(problem: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotBuilt, problem)
    }

    /// A 503: a dependency (the store, the signing keys) is not reachable right now.
    pub fn unavailable(what: &str, error: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(target: "request", %error, "{what} unavailable");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: ErrorBody::new(
                ErrorCode::Unavailable,
                format!("the {what} is not reachable; try again shortly, and if it persists ask the administrator to check the server log"),
            ),
            retry_after: None,
        }
    }

    /// An error with any status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody::new(code, message.into()),
            retry_after: None,
        }
    }

    /// A 400 for a request the client must change, with what to change.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody::new(code, message.into()),
            retry_after: None,
        }
    }

    /// A 503 whose cause the client can be told (a missing setting), with what to do.
    pub fn unavailable_because(code: ErrorCode, message: &str) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: ErrorBody::new(code, message),
            retry_after: None,
        }
    }

    /// A 503 for a request that took longer than `limit`.
    pub fn timeout(limit: std::time::Duration) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: ErrorBody::new(
                ErrorCode::Timeout,
                format!(
                    "the request took longer than {} seconds and was stopped; try again",
                    limit.as_secs()
                ),
            ),
            retry_after: None,
        }
    }

    /// A 500: logged in full, answered without detail.
    pub fn internal(error: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(target: "request", %error, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: ErrorBody::new(
                ErrorCode::Internal,
                "the server failed to handle this request; ask the administrator to check the server log for the request id in the x-request-id header",
            ),
            retry_after: None,
        }
    }

    /// A 429: `limited` was reached; the client is told what and when to try again.
    pub fn rate_limited(limited: Limited) -> ApiError {
        let seconds = limited.retry_seconds();
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: ErrorBody::new(
                ErrorCode::RateLimited,
                format!(
                    "too many {} in a short time; try again in {seconds} {}",
                    limited.what,
                    if seconds == 1 { "second" } else { "seconds" }
                ),
            ),
            retry_after: Some(seconds),
        }
    }

    /// The status this error is answered with.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<crate::auth::NotAdmin> for ApiError {
    fn from(e: crate::auth::NotAdmin) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, e.to_string())
    }
}

impl From<Limited> for ApiError {
    fn from(limited: Limited) -> ApiError {
        ApiError::rate_limited(limited)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// RFC 6750: 401 with a `WWW-Authenticate: Bearer` challenge for a missing or invalid token,
/// 403 for a valid token that may not do this, and always the JSON error body.
impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        if let AuthError::RateLimited(limited) = self {
            return ApiError::rate_limited(limited).into_response();
        }
        let message = self.to_string();
        let (status, code, challenge) = match &self {
            AuthError::Missing => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                Some(r#"Bearer"#.to_owned()),
            ),
            AuthError::Invalid(_) => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidToken,
                Some(format!(
                    r#"Bearer error="invalid_token", error_description="{}""#,
                    message.replace(['"', '\\'], "'")
                )),
            ),
            AuthError::InsufficientScope => (
                StatusCode::FORBIDDEN,
                ErrorCode::InsufficientScope,
                Some(format!(
                    r#"Bearer error="insufficient_scope", scope="{}""#,
                    crate::auth::token::SCOPE
                )),
            ),
            AuthError::TenantNotAllowed { .. } => {
                (StatusCode::FORBIDDEN, ErrorCode::TenantNotAllowed, None)
            }
            AuthError::Unavailable(_) => {
                tracing::error!(error = %message, "cannot authenticate");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    None,
                )
            }
            AuthError::NotConfigured | AuthError::RateLimited(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::NotConfigured,
                None,
            ),
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

/// A key broker failure: the client's mistake (400, 403, 404, 409) in its own words, the
/// store as unavailable, and key-file trouble as internal.
impl From<BrokerError> for ApiError {
    fn from(e: BrokerError) -> ApiError {
        match e {
            BrokerError::Invalid(message) => {
                ApiError::bad_request(ErrorCode::InvalidRequest, message)
            }
            BrokerError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "no key with this id exists, or you are not allowed to see it",
            ),
            BrokerError::Forbidden(message) => {
                ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
            }
            BrokerError::Revoked => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::Revoked, e.to_string())
            }
            BrokerError::Store(e) => ApiError::unavailable("database", &e),
            BrokerError::MasterKey(_) | BrokerError::Keyring(_) => ApiError::internal(&e),
        }
    }
}

/// A document refused with every problem listed: 422, with `problems` (path, entry id,
/// message) beside the message.
fn problems(code: ErrorCode, noun: &str, problems: Vec<addin_wasm::scan::Problem>) -> Response {
    let message = match problems.len() {
        1 => format!("the {noun} has 1 problem; fix the one listed in problems and publish again"),
        n => format!(
            "the {noun} has {n} problems; fix each one listed in problems and publish again"
        ),
    };
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(serde_json::json!({
            "error": { "code": code, "message": message, "problems": problems }
        })),
    )
        .into_response()
}

/// A version not published: a lost update (409), `If-Match` missing (428) or stale (412), a
/// body that is not text (400), or the store unavailable.
impl From<VersionError> for ApiError {
    fn from(e: VersionError) -> ApiError {
        let message = e.to_string();
        match e {
            VersionError::Conflict { .. } => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, message)
            }
            VersionError::NotUtf8(_) => ApiError::bad_request(ErrorCode::InvalidRequest, message),
            VersionError::IfMatchMissing(_) => ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                ErrorCode::PreconditionRequired,
                message,
            ),
            VersionError::Stale { .. } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                ErrorCode::PreconditionFailed,
                message,
            ),
            VersionError::Store(e) => ApiError::unavailable("database", &e),
        }
    }
}

/// A dictionary that does not compile, for a guest, or not published.
impl IntoResponse for DictionaryError {
    fn into_response(self) -> Response {
        match self {
            DictionaryError::Invalid(list) => {
                problems(ErrorCode::InvalidDictionary, "dictionary", list)
            }
            DictionaryError::MembersOnly => ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::MembersOnly,
                self.to_string(),
            )
            .into_response(),
            DictionaryError::NotAdmin(e) => ApiError::from(e).into_response(),
            DictionaryError::Version(e) => ApiError::from(e).into_response(),
        }
    }
}

/// A policy that is not valid, or not published.
impl IntoResponse for PolicyError {
    fn into_response(self) -> Response {
        match self {
            PolicyError::Invalid(list) => problems(ErrorCode::InvalidPolicy, "policy", list),
            PolicyError::NotAdmin(e) => ApiError::from(e).into_response(),
            PolicyError::Version(e) => ApiError::from(e).into_response(),
            // Files are the command line's; a route never reads one.
            PolicyError::Read { .. } => ApiError::internal(&self).into_response(),
        }
    }
}

/// A passcode step refused: wrong (401, with the tries left), locked (429 with
/// `Retry-After`), expired or used (400), the session over (401), or passcodes off (403).
impl From<PasscodeError> for ApiError {
    fn from(e: PasscodeError) -> ApiError {
        let message = e.to_string();
        match e {
            PasscodeError::Off => {
                ApiError::new(StatusCode::FORBIDDEN, ErrorCode::PasscodesOff, message)
            }
            PasscodeError::Invalid(_) => ApiError::bad_request(ErrorCode::InvalidRequest, message),
            PasscodeError::Locked { retry_after_s } => ApiError {
                status: StatusCode::TOO_MANY_REQUESTS,
                body: ErrorBody::new(ErrorCode::PasscodeLocked, message),
                retry_after: Some(retry_after_s),
            },
            PasscodeError::Wrong { .. } => {
                ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::WrongPasscode, message)
            }
            PasscodeError::Expired => ApiError::bad_request(ErrorCode::PasscodeExpired, message),
            PasscodeError::SessionExpired => {
                ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired, message)
            }
            PasscodeError::RepliesOff(_) => {
                ApiError::new(StatusCode::FORBIDDEN, ErrorCode::RepliesOff, message)
            }
            PasscodeError::Mail(_) => {
                ApiError::unavailable_because(ErrorCode::Unavailable, &message)
            }
            PasscodeError::Random(_) => ApiError::internal(&message),
            PasscodeError::Store(e)
            | PasscodeError::Policy(PolicyError::Version(VersionError::Store(e))) => {
                ApiError::unavailable("database", &e)
            }
            PasscodeError::Policy(_) => ApiError::internal(&message),
            PasscodeError::Broker(e) => e.into(),
        }
    }
}

/// Admin consent refused, with what to do.
impl From<crate::consent::ConsentError> for ApiError {
    fn from(e: crate::consent::ConsentError) -> ApiError {
        use crate::consent::ConsentError as C;
        let message = e.to_string();
        match e {
            C::NotConfigured => ApiError::unavailable_because(ErrorCode::NotConfigured, &message),
            C::NotUsed => ApiError::new(StatusCode::CONFLICT, ErrorCode::ConsentNotUsed, message),
            C::InvalidTenant | C::WrongTenant => {
                ApiError::bad_request(ErrorCode::InvalidTenant, message)
            }
            C::OtherTenant { .. } => {
                ApiError::new(StatusCode::FORBIDDEN, ErrorCode::NotYourTenant, message)
            }
            C::NotAnAdministrator => ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::NotAnAdministrator,
                message,
            ),
            C::InvalidState => ApiError::bad_request(ErrorCode::InvalidState, message),
            C::Declined { .. } | C::NotReported => {
                ApiError::bad_request(ErrorCode::ConsentRefused, message)
            }
            C::Store(e) => ApiError::unavailable("database", &e),
            C::Random(_) => ApiError::internal(&message),
        }
    }
}

/// An organisation's admission, not seen or not withdrawn.
impl From<crate::tenants::TenantError> for ApiError {
    fn from(e: crate::tenants::TenantError) -> ApiError {
        use crate::tenants::TenantError as T;
        match e {
            T::NotAdmin(e) => e.into(),
            T::NotAdmitted(_) => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotAdmitted, e.to_string())
            }
            T::Store(e) => ApiError::unavailable("database", &e),
        }
    }
}
