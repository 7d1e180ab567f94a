//! What every response passes through: security headers, a cache policy, CORS for the add-in's
//! own origin only, and limits on request bodies and handling time.
//!
//! Office shows the task pane in an iframe (Office on the web) or a webview (desktop), so the
//! pages must stay frameable by Office: no `X-Frame-Options`; the policy's `frame-ancestors`
//! lists the Office and Outlook web origins instead.

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use super::errors::ApiError;

/// The most bytes of a request body.
pub const MAX_BODY_BYTES: usize = 2 << 20;
/// The longest a request may take before it is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Adds the layers to `router`; `public_origin` (`https://host[:port]`) is the only origin
/// allowed to call the API from a browser, and `csp` the Content-Security-Policy of every
/// response (see [`super::csp`]).
pub fn apply(router: Router, public_origin: &str, csp: String) -> Router {
    let headers = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::REFERRER_POLICY, "no-referrer".to_owned()),
        (
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000".to_owned(),
        ),
        (header::CONTENT_SECURITY_POLICY, csp),
    ];
    let mut router = router
        .layer(middleware::from_fn(cache_policy))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(cors(public_origin));
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
        }
    }
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                ApiError::timeout(REQUEST_TIMEOUT)
            }))
            .timeout(REQUEST_TIMEOUT),
    )
}

fn cors(public_origin: &str) -> CorsLayer {
    let origin = HeaderValue::from_str(public_origin)
        .map(AllowOrigin::exact)
        .unwrap_or_else(|_| AllowOrigin::list([]));
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([header::ETAG, header::WWW_AUTHENTICATE])
        .max_age(Duration::from_secs(3600))
}

/// Files whose names carry a content hash (trunk's `name-0123456789abcdef.ext`) never change
/// and are cached for a year; the icons Office shows on the ribbon (`/static/*.png`) are cached
/// for a day, as Office expects of them; API answers (`/v1/`) are never stored; everything else
/// is revalidated on each use, so a new version of the task pane or the manifests is seen at
/// once.
async fn cache_policy(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let immutable = path.rsplit('/').next().is_some_and(has_content_hash);
    let icon = path.starts_with("/static/") && path.ends_with(".png");
    let api = path.starts_with("/v1/");
    let mut response = next.run(request).await.into_response();
    let ok = response.status().is_success();
    let value = if api {
        // Keys, policies, audit pages and the caller's identity must not be kept by any cache,
        // the browser's included. (A route that wants revalidation, like the dictionary, sets
        // its own header, which is kept.)
        "no-store"
    } else if immutable && ok {
        "public, max-age=31536000, immutable"
    } else if icon && ok {
        "public, max-age=86400"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(value));
    response
}

/// Whether a file name ends in `-` and 16 hexadecimal digits before its extension (and before
/// wasm-bindgen's `_bg`).
fn has_content_hash(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_in_file_names() {
        assert!(has_content_hash("addin-wasm-3f2a9c0d1e4b5a6f_bg.wasm"));
        assert!(has_content_hash("addin-wasm-3f2a9c0d1e4b5a6f.js"));
        assert!(has_content_hash("taskpane-0123456789abcdef.css"));
        assert!(!has_content_hash("taskpane.html"));
        assert!(!has_content_hash("icon-32.png"));
    }
}
