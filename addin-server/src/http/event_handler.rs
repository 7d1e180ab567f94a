//! Serves the Outlook send-time event handler (`/launchevent.js` for the event runtime's page,
//! `/launchevent-classic.js` for classic Outlook's JavaScript-only runtime) with this server's
//! origin written into it.
//!
//! The handler runs in Outlook's event runtime, where nothing tells a script where it came
//! from, yet it must fetch the dictionary and its scanner from this server. scripts/build-event.sh
//! leaves the placeholder [`ORIGIN_PLACEHOLDER`] in the bundle; the server replaces it once, at
//! start, with `ADDIN_PUBLIC_URL`. Each is served with a strong ETag: the classic handler
//! carries its scanner (2.8 MB), which Outlook then revalidates rather than downloads again.

use std::path::Path;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::errors::ApiError;

/// What the bundle says where the origin goes.
pub const ORIGIN_PLACEHOLDER: &str = "__TEXTGUARD_ORIGIN__";

/// The handler as served (with its ETag), or why it cannot be.
#[derive(Debug, Clone)]
pub struct EventHandler(Result<(Bytes, String), String>);

impl EventHandler {
    /// Reads `{assets_dir}/{file}` (a handler built by scripts/build-event.sh) and writes
    /// `public_origin` into it.
    pub fn load(assets_dir: &Path, file: &str, public_origin: &str) -> EventHandler {
        let path = assets_dir.join(file);
        let rendered = match std::fs::read_to_string(&path) {
            Err(e) => Err(format!(
                "the Outlook event handler is not built ({}: {e}); run scripts/build-wasm.sh, then trunk build (scripts/run.sh does both)",
                path.display()
            )),
            // The origin goes inside a JavaScript string: it must not be able to end it.
            Ok(_) if public_origin.contains(['\'', '"', '\\', '`', '\n', '\r']) => Err(
                "the public URL holds a quote or backslash and cannot be written into the event handler; check ADDIN_PUBLIC_URL".into(),
            ),
            Ok(source) if !source.contains(ORIGIN_PLACEHOLDER) => Err(format!(
                "{} has no {ORIGIN_PLACEHOLDER} to replace; rebuild it with scripts/build-event.sh",
                path.display()
            )),
            Ok(source) => {
                let rendered = source.replace(ORIGIN_PLACEHOLDER, public_origin);
                let etag = crate::etag::of(rendered.as_bytes());
                Ok((Bytes::from(rendered), etag))
            }
        };
        if let Err(problem) = &rendered {
            tracing::warn!(target: "admin", "{problem}");
        }
        EventHandler(rendered)
    }

    /// The response to `GET /{file}` with the request's `headers`: 304 when its
    /// `If-None-Match` names the handler.
    pub fn response(&self, headers: &HeaderMap) -> Response {
        match &self.0 {
            Ok((source, etag)) => {
                let mut response =
                    if crate::etag::named_in(headers, header::IF_NONE_MATCH, etag) == Some(true) {
                        StatusCode::NOT_MODIFIED.into_response()
                    } else {
                        (
                            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                            source.clone(),
                        )
                            .into_response()
                    };
                let headers = response.headers_mut();
                if let Ok(v) = HeaderValue::from_str(etag) {
                    headers.insert(header::ETAG, v);
                }
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                response
            }
            Err(problem) => ApiError::not_built(problem).into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_written_in_and_a_missing_bundle_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let missing = EventHandler::load(dir.path(), "launchevent.js", "https://a.example.com");
        assert!(missing.0.unwrap_err().contains("scripts/build-wasm.sh"));
        std::fs::write(
            dir.path().join("launchevent.js"),
            "var o=\"__TEXTGUARD_ORIGIN__\";fetch(o+\"/v1/dictionary\")",
        )
        .unwrap();
        let ok = EventHandler::load(dir.path(), "launchevent.js", "https://a.example.com:8443");
        let (source, etag) = ok.0.clone().unwrap();
        assert_eq!(
            &source[..],
            b"var o=\"https://a.example.com:8443\";fetch(o+\"/v1/dictionary\")"
        );
        // Served with its ETag, and revalidated with it.
        let served = ok.response(&HeaderMap::new());
        assert_eq!(served.status(), StatusCode::OK);
        assert_eq!(served.headers()[header::ETAG], etag.as_str());
        let mut asked = HeaderMap::new();
        asked.insert(header::IF_NONE_MATCH, etag.parse().unwrap());
        assert_eq!(ok.response(&asked).status(), StatusCode::NOT_MODIFIED);
        let hostile = EventHandler::load(
            dir.path(),
            "launchevent.js",
            "https://a.example.com/\"+x+\"",
        );
        assert!(hostile.0.is_err());
    }
}
