//! The Content-Security-Policy of every response: where the add-in's pages may load scripts,
//! styles and images from, and where they may connect.
//!
//! Scripts come from this server, Office.js's CDN and the inline scripts of the served pages
//! (trunk writes the wasm loader inline), each allowed by its SHA-256 hash, read from the assets
//! directory at start, so an injected inline script never runs. Connections go to this server and
//! the sign-in authority (MSAL fetches its metadata and tokens). Inline styles stay allowed: a
//! decrypted mail body is shown in a `srcdoc` frame, which inherits this policy, and mail is
//! styled inline; the frame's own policy forbids everything else.

use std::path::Path;

use aws_lc_rs::digest::{digest, SHA256};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Where Office hosts add-in pages, for `frame-ancestors`.
const OFFICE_ANCESTORS: &str = "'self' https://*.office.com https://*.office365.com \
    https://*.officeapps.live.com https://*.sharepoint.com https://outlook.live.com \
    https://*.cloud.microsoft https://*.microsoft365.com";

/// Office.js and the scripts it loads.
const OFFICE_JS: &str = "https://appsforoffice.microsoft.com";

/// The most HTML files read for inline scripts, and how deep: the pane's pages, not a tree.
const MAX_PAGES: usize = 64;
const MAX_DEPTH: usize = 3;

/// The policy for a server whose sign-in authority has the origin `authority_origin`, serving
/// the pages of `assets_dir`.
pub fn policy(authority_origin: &str, assets_dir: &Path) -> String {
    let mut hashes = Vec::new();
    let mut pages = 0;
    collect_hashes(assets_dir, 0, &mut pages, &mut hashes);
    hashes.sort();
    hashes.dedup();
    let inline: String = hashes.iter().map(|h| format!(" '{h}'")).collect();
    format!(
        "default-src 'self'; \
         script-src 'self' 'wasm-unsafe-eval' {OFFICE_JS}{inline}; \
         style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; \
         connect-src 'self' {authority_origin}; \
         frame-src 'self' {authority_origin}; \
         object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors {OFFICE_ANCESTORS}"
    )
}

/// Adds `sha256-...` for each inline script of the HTML files under `dir`.
fn collect_hashes(dir: &Path, depth: usize, pages: &mut usize, hashes: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if *pages >= MAX_PAGES {
            return;
        }
        if path.is_dir() {
            if depth < MAX_DEPTH {
                collect_hashes(&path, depth + 1, pages, hashes);
            }
        } else if path.extension().is_some_and(|e| e == "html") {
            *pages += 1;
            if let Ok(html) = std::fs::read_to_string(&path) {
                hashes.extend(inline_scripts(&html).map(hash));
            }
        }
    }
}

/// The bodies of the `<script>` elements of `html` that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let open = find_ascii_ci(rest, "<script")?;
        let after = &rest[open + "<script".len()..];
        let tag_end = after.find('>')?;
        let attributes = &after[..tag_end];
        let body_and_more = &after[tag_end + 1..];
        let close = find_ascii_ci(body_and_more, "</script")?;
        rest = &body_and_more[close..];
        if !has_src(attributes) {
            return Some(&body_and_more[..close]);
        }
    })
}

/// Whether a tag's attribute text names a `src` attribute.
fn has_src(attributes: &str) -> bool {
    attributes
        .split(|c: char| c.is_ascii_whitespace())
        .any(|a| a.to_ascii_lowercase().starts_with("src="))
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn hash(script: &str) -> String {
    format!(
        "sha256-{}",
        STANDARD.encode(digest(&SHA256, script.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_hash_and_nothing_else_inline() {
        let dir = tempfile::tempdir().unwrap();
        let loader = "import init from '/core.js'; await init();";
        std::fs::write(
            dir.path().join("pane.html"),
            format!(
                "<!doctype html><script src=\"https://appsforoffice.microsoft.com/office.js\"></script>\
                 <SCRIPT type=\"module\">{loader}</SCRIPT><p>text</p>"
            ),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("event")).unwrap();
        std::fs::write(
            dir.path().join("event/page.html"),
            "<script>one()</script><script src=x.js></script>",
        )
        .unwrap();
        let csp = policy("https://login.example", dir.path());
        let script_src = csp
            .split("; ")
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        // The hashes a browser computes: base64 of SHA-256 over the script's text.
        let expected = |s: &str| hash(s);
        assert!(script_src.contains(&expected(loader)), "{script_src}");
        assert!(script_src.contains(&expected("one()")), "{script_src}");
        assert!(!script_src.contains("unsafe-inline"), "{script_src}");
        assert_eq!(script_src.matches("'sha256-").count(), 2, "{script_src}");
        assert!(csp.starts_with("default-src 'self'; "), "{csp}");
        assert!(
            csp.contains("connect-src 'self' https://login.example;"),
            "{csp}"
        );
    }

    #[test]
    fn a_known_hash() {
        // echo -n "alert(1)" | openssl dgst -sha256 -binary | base64
        assert_eq!(
            hash("alert(1)"),
            "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }

    #[test]
    fn a_missing_assets_directory_allows_no_inline_script() {
        let csp = policy("https://login.example", Path::new("/nonexistent"));
        assert!(!csp.contains("sha256-"), "{csp}");
    }
}
