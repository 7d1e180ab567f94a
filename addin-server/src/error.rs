//! How errors become HTTP responses: the one place that maps them.
//!
//! Every error answer is JSON `{ "error": { "code", "message" } }` ([`ErrorBody`]). Client errors
//! carry a message the user can act on; internal errors are logged in full (with the request id
//! of the surrounding span) and answered with a generic message, so no internal detail leaks.

use addin_wasm::protocol::ErrorBody;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An error answered to an HTTP client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    /// A 404 for a path that names nothing.
    pub fn not_found(path: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            body: ErrorBody::new(
                "not_found",
                format!("nothing is served at {path}; the task pane is at /taskpane.html and the manifests under /manifest/"),
            ),
        }
    }

    /// A 503: a dependency (the store, the signing keys) is not reachable right now.
    pub fn unavailable(what: &str, error: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(target: "request", %error, "{what} unavailable");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: ErrorBody::new(
                "unavailable",
                format!("the {what} is not reachable; try again shortly, and if it persists ask the administrator to check the server log"),
            ),
        }
    }

    /// An error with any status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody::new(code, message.into()),
        }
    }

    /// A 400 for a request the client must change, with what to change.
    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody::new(code, message.into()),
        }
    }

    /// A 503 whose cause the client can be told (a missing setting), with what to do.
    pub fn unavailable_because(code: &str, message: &str) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: ErrorBody::new(code, message),
        }
    }

    /// A 503 for a request that took longer than `limit`.
    pub fn timeout(limit: std::time::Duration) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: ErrorBody::new(
                "timeout",
                format!(
                    "the request took longer than {} seconds and was stopped; try again",
                    limit.as_secs()
                ),
            ),
        }
    }

    /// A 500: logged in full, answered without detail.
    pub fn internal(error: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(target: "request", %error, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: ErrorBody::new(
                "internal",
                "the server failed to handle this request; ask the administrator to check the server log for the request id in the x-request-id header",
            ),
        }
    }

    /// The status this error is answered with.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
