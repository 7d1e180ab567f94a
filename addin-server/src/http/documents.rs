//! What the routes of the organisations' versioned documents (dictionary, policy) share: the
//! ETag and version headers, `If-None-Match` for users, `If-Match` for replacements.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::errors::ApiError;
use crate::documents::{self, Published, VersionError};
use crate::store::DocumentKind;

/// The response header giving the document's version.
pub fn version_header(kind: DocumentKind) -> HeaderName {
    HeaderName::from_static(match kind {
        DocumentKind::Dictionary => "dictionary-version",
        DocumentKind::Policy => "policy-version",
    })
}

/// `response` with the document's ETag, version and cache policy (always revalidate).
pub fn with_etag(mut response: Response, kind: DocumentKind, published: &Published) -> Response {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&published.etag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(version_header(kind), HeaderValue::from(published.version));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// The document itself, or 304 when the caller's `If-None-Match` names it.
pub fn users_view(headers: &HeaderMap, kind: DocumentKind, published: &Published) -> Response {
    if crate::etag::named_in(headers, header::IF_NONE_MATCH, &published.etag) == Some(true) {
        return with_etag(StatusCode::NOT_MODIFIED.into_response(), kind, published);
    }
    let body = (
        [(header::CONTENT_TYPE, "application/json")],
        published.document.clone(),
    );
    with_etag(body.into_response(), kind, published)
}

/// A replacement's body as text, and the version its `If-Match` says it replaces.
pub fn replacement<'b>(
    kind: DocumentKind,
    headers: &HeaderMap,
    body: &'b Bytes,
    current: &Published,
) -> Result<(&'b str, i64), ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| VersionError::NotUtf8(kind))?;
    let if_match = crate::etag::named_in(headers, header::IF_MATCH, &current.etag);
    Ok((text, documents::based_on(kind, if_match, current)?))
}
