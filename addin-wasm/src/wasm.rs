//! The JavaScript API of the client core (compiled only for `wasm32`).
//!
//! This module is deliberately thin: it converts JavaScript values into core types, calls the
//! core, and turns results back into JavaScript values. Decisions live in the core, so they are
//! tested natively as well as here.

use wasm_bindgen::prelude::*;

/// Returns the version of the client core, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    crate::version().to_owned()
}
