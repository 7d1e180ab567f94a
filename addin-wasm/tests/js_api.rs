//! The JavaScript API, tested in a JavaScript host.
//!
//! `scripts/test.sh` runs this file twice: in node, and with `WASM_BINDGEN_USE_BROWSER=1` in
//! headless Chromium.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(addin_wasm::wasm::version(), env!("CARGO_PKG_VERSION"));
}

/// Pins down that the runner really ran us in a JavaScript host (a window or node's process),
/// and that WebAssembly exists there: the event runtime without it is covered by the wasm2js
/// build's tests in `tests/js/`.
#[wasm_bindgen_test]
fn runs_in_a_javascript_host_with_webassembly() {
    let global = js_sys::global();
    let has = |name: &str| js_sys::Reflect::has(&global, &JsValue::from_str(name)).unwrap_or(false);
    assert!(
        has("window") || has("process"),
        "neither a browser window nor node"
    );
    assert!(has("WebAssembly"));
}
