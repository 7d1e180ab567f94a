//! Request extractors whose refusals are the crate's JSON errors: a JSON body ([`Body`]) and a
//! query string ([`Query`]); and the client's address ([`client_ip`]). axum's own extractors answer a plain-text 400; these answer
//! `{ "error": { "code": "invalid_request", "message" } }` like every other error, with what
//! did not parse. Handlers take these instead of `axum::Json` and `axum::extract::Query`.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::errors::ApiError;

/// A JSON body, with a message saying which field is wrong when it does not parse.
#[derive(Debug, Clone, Copy, Default)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(v)| Body(v))
            .map_err(|e| invalid("the request body", &e.body_text()))
    }
}

/// A query string, with a message saying which parameter is wrong when it does not parse.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| invalid("the query string", &e.body_text()))
    }
}

/// The address of the client that opened the connection, when the server knows it (it does
/// when serving sockets; requests made in tests without one have none). A client's own
/// `X-Forwarded-For` is never believed: behind a proxy, every client is the proxy.
pub fn client_ip(parts: &Parts) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

/// The client's address as a handler argument (see [`client_ip`]); never refuses.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

fn invalid(what: &str, why: &str) -> ApiError {
    ApiError::invalid_input(what, why)
}

#[cfg(test)]
pub(crate) mod tests {
    use axum::body::to_bytes;
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use axum::Router;
    use serde::Deserialize;
    use tower::ServiceExt;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Page {
        limit: Option<i64>,
    }

    fn app() -> Router {
        Router::new()
            .route(
                "/q",
                get(|Query(p): Query<Page>| async move { format!("{:?}", p.limit) }),
            )
            .route(
                "/b",
                post(|Body(p): Body<Page>| async move { format!("{:?}", p.limit) }),
            )
    }

    async fn call(method: &str, uri: &str, body: &str) -> (StatusCode, String, String) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap();
        send(app(), request).await
    }

    /// Sends `request` to `app`: the status, the content type and the body as text.
    pub(crate) async fn send(app: Router, request: Request) -> (StatusCode, String, String) {
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let kind = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, kind, String::from_utf8(bytes.to_vec()).unwrap())
    }

    fn error(body: &str) -> (String, String) {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        (
            v["error"]["code"].as_str().unwrap().to_owned(),
            v["error"]["message"].as_str().unwrap().to_owned(),
        )
    }

    #[tokio::test]
    async fn good_requests_pass_through() {
        assert_eq!(call("GET", "/q?limit=3", "").await.2, "Some(3)");
        assert_eq!(call("POST", "/b", r#"{"limit":4}"#).await.2, "Some(4)");
    }

    #[tokio::test]
    async fn a_bad_query_string_is_a_json_400_naming_the_parameter() {
        for uri in ["/q?limit=ten", "/q?other=1", "/q?limit=1&limit=2"] {
            let (status, kind, body) = call("GET", uri, "").await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
            assert_eq!(kind, "application/json", "{uri}");
            let (code, message) = error(&body);
            assert_eq!(code, "invalid_request");
            assert!(
                message.starts_with("the query string is not what this route takes: ")
                    && (message.contains("limit") || message.contains("other")),
                "{uri}: {message}"
            );
        }
    }

    #[tokio::test]
    async fn a_bad_body_is_a_json_400_naming_the_field() {
        let (status, kind, body) = call("POST", "/b", r#"{"limit":"ten"}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(kind, "application/json");
        let (code, message) = error(&body);
        assert_eq!(code, "invalid_request");
        assert!(
            message.starts_with("the request body is not what this route takes: ")
                && message.contains("limit"),
            "{message}"
        );
    }
}
