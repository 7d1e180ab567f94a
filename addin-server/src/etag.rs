//! Strong ETags for the documents the server serves whole (an organisation's dictionary, the
//! Outlook event handlers), and the `If-None-Match` / `If-Match` test against one, so that
//! clients revalidate what they cached instead of downloading it again.

use axum::http::{header::HeaderName, HeaderMap};

/// The strong ETag of `bytes`: the first 128 bits of their SHA-256, in hex, quoted.
pub fn of(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let hex: String = digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("\"{hex}\"")
}

/// Whether the `If-None-Match` or `If-Match` header `name` names `etag` (weak or strong) or
/// `*`; `None` when the request has no such header.
pub fn named_in(headers: &HeaderMap, name: HeaderName, etag: &str) -> Option<bool> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(
        value
            .split(',')
            .map(str::trim)
            .any(|t| t == "*" || t.trim_start_matches("W/") == etag),
    )
}
