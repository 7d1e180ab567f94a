//! The client core of the add-in: what runs inside Office, written once in Rust.
//!
//! Use this crate when you need the exact code the Office clients run: the server validates
//! dictionaries with it, command-line tools encrypt and inspect envelopes with it, and the
//! task pane and the Outlook event handler load it as WebAssembly.
//!
//! The crate has two layers, and data flows one way between them:
//!
//! - a **pure-Rust core** (every public module except [`wasm`]) with no JavaScript types, that
//!   builds and tests natively;
//! - a **thin JavaScript API** in [`wasm`], compiled only for `wasm32`, which converts JavaScript
//!   values into core types, calls the core, and converts results and errors back.
//!
//! The core has two capabilities: [`scan`], the sensitive-text scanner, and [`envelope`], the
//! encryption of document ranges (format in `FORMAT.md`). Wire types that the clients and the
//! server both speak live in [`protocol`]; [`fold`] is the text folding the scanner matches on
//! (case, accents, width), with its map back to UTF-16 offsets.
//!
//! # Example
//!
//! ```
//! // The version the task pane shows, and the server reports at /healthz.
//! assert_eq!(addin_wasm::version(), env!("CARGO_PKG_VERSION"));
//! ```
#![deny(missing_docs)]

mod ascii;
pub mod envelope;
pub mod fold;
pub mod protocol;
pub mod scan;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd16;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The version of this crate, as released with the server and the task pane.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Returns the version of the client core ([`VERSION`]).
///
/// The task pane shows it, so a user or an admin can tell which build an Office client loaded.
pub fn version() -> &'static str {
    VERSION
}
