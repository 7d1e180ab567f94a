//! The JavaScript API of the client core (compiled only for `wasm32`).
//!
//! This module is deliberately thin: it converts JavaScript values into core types, calls the
//! core, and turns results back into JavaScript values. Decisions live in the core, so they are
//! tested natively as well as here.
//!
//! Every error is thrown as a JavaScript `Error` whose message says what to do. Dictionary
//! errors also carry a `problems` array (`{ path, id?, message }`), so an admin page can point
//! at each offending entry; envelope errors a `code` (see [`envelope`]).

#[cfg(feature = "bench")]
pub mod bench;
pub mod envelope;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::scan::{self, Dictionary};

/// Returns the version of the client core, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    crate::version().to_owned()
}

/// The most key ids one unwrap request may ask for (the server's limit, from the protocol).
#[wasm_bindgen(js_name = maxUnwrap)]
pub fn max_unwrap() -> u32 {
    crate::protocol::MAX_UNWRAP as u32
}

/// The link to the reader page of `origin` carrying `envelope` in its fragment, or `undefined`
/// when it is too long for mail programs to keep (the protocol's rule, the server's own).
#[wasm_bindgen(js_name = readerLink)]
pub fn reader_link(origin: &str, envelope: &str) -> Option<String> {
    crate::protocol::passcodes::reader_link(origin, envelope)
}

/// A named recipient as the server stores it (trimmed, lowercase); throws an `Error` saying
/// what is wrong with one the server would refuse.
#[wasm_bindgen(js_name = checkRecipient)]
pub fn check_recipient(value: &str) -> Result<String, JsValue> {
    crate::protocol::recipient(value).map_err(|problem| error(&format!("{value:?} {problem}")))
}

/// The sensitive-text scanner: `new Scanner(dictionary)`, then `scanner.scan(text)`.
#[wasm_bindgen(js_name = Scanner)]
pub struct JsScanner {
    inner: scan::Scanner,
}

#[wasm_bindgen(js_class = Scanner)]
impl JsScanner {
    /// Compiles a dictionary, given as an object or as its JSON text. Throws an `Error` listing
    /// every problem (also as `error.problems`) when the dictionary is invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(dictionary: JsValue) -> Result<JsScanner, JsValue> {
        let dictionary = if let Some(json) = dictionary.as_string() {
            Dictionary::from_json(&json)
        } else if dictionary.is_object() {
            dictionary_from_object(dictionary)
        } else {
            return Err(error(
                "new Scanner(dictionary): pass the dictionary as an object or as its JSON text \
                 (Scanner.defaultDictionary() gives one to start from)",
            ));
        };
        let inner = dictionary
            .and_then(|d| scan::Scanner::new(&d))
            .map_err(scan_error)?;
        Ok(JsScanner { inner })
    }

    /// Scans a text: `{ verdict, findings, categories, truncated }`, with finding offsets in
    /// UTF-16 code units of `text` (`text.substring(start, end)` is the finding's text).
    pub fn scan(&self, text: JsValue) -> Result<JsValue, JsValue> {
        let Some(text) = text.as_string() else {
            return Err(error("scanner.scan(text): text must be a string"));
        };
        let report = self.inner.scan(&text).map_err(scan_error)?;
        to_js(&report)
    }

    /// A starter dictionary with every built-in detector switched on, to edit or use as is.
    #[wasm_bindgen(js_name = defaultDictionary)]
    pub fn default_dictionary() -> Result<JsValue, JsValue> {
        to_js(&Dictionary::starter())
    }
}

/// Reads a dictionary from a JavaScript object, with the path of any structural error.
fn dictionary_from_object(value: JsValue) -> Result<Dictionary, scan::Error> {
    // As in Dictionary::from_json: the path is tracked only once the plain read has failed.
    if let Ok(dictionary) = serde_wasm_bindgen::from_value(value.clone()) {
        return Ok(dictionary);
    }
    let de = serde_wasm_bindgen::Deserializer::from(value);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        // serde-wasm-bindgen's errors are JavaScript Errors; keep their message only.
        let message = e.into_inner().to_string();
        let message = message
            .strip_prefix("Error: ")
            .unwrap_or(&message)
            .to_owned();
        scan::Error::Dictionary(vec![scan::Problem {
            path,
            id: None,
            message,
        }])
    })
}

/// Converts a result to a plain JavaScript object (maps as objects, `None` as `null`).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error(&format!("internal error converting a result: {e}")))
}

/// A JavaScript `Error` with `message`.
fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// A scanner error as a JavaScript `Error`, with `problems` for dictionary errors.
fn scan_error(e: scan::Error) -> JsValue {
    let js = error(&e.to_string());
    if let scan::Error::Dictionary(problems) = &e {
        if let Ok(problems) = to_js(problems) {
            // Setting a property on a fresh Error cannot fail.
            let _ = js_sys::Reflect::set(&js, &JsValue::from_str("problems"), &problems);
        }
    }
    js
}
