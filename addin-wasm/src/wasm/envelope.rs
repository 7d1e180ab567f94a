//! `encryptRange`, `decryptRange` and `inspectEnvelope`: the range envelope for JavaScript.
//!
//! Errors are JavaScript `Error`s with a `code` the task pane can turn into plain words:
//! `malformed`, `unsupported`, `key_length`, `authentication`, `mismatch`, `too_large`,
//! `invalid_argument`, `payload` or `random`.

use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::{error, to_js};
use crate::envelope::{self, Error, Expected, Format, Key, Range};

/// Encrypts a range: `encryptRange({ key, keyId, docId, rangeId, content, format })` returns
/// the envelope (a JWE compact string). `key` is a `Uint8Array` of 32 bytes; `format` is
/// `"ooxml"`, `"html"` or `"text"`.
#[wasm_bindgen(js_name = encryptRange)]
pub fn encrypt_range(options: JsValue) -> Result<String, JsValue> {
    const CALL: &str = "encryptRange({ key, keyId, docId, rangeId, content, format })";
    if !options.is_object() {
        return Err(coded(
            &format!("{CALL}: pass one object"),
            "invalid_argument",
        ));
    }
    let key = key_from(&property(&options, "key"), CALL)?;
    let text = |name: &str| {
        property(&options, name).as_string().ok_or_else(|| {
            coded(
                &format!("{CALL}: {name} must be a string"),
                "invalid_argument",
            )
        })
    };
    let format = match text("format")?.as_str() {
        "ooxml" => Format::Ooxml,
        "html" => Format::Html,
        "text" => Format::Text,
        other => {
            return Err(coded(
                &format!("{CALL}: format must be \"ooxml\", \"html\" or \"text\", not {other:?}"),
                "invalid_argument",
            ))
        }
    };
    let content = Zeroizing::new(text("content")?);
    let (key_id, doc_id, range_id) = (text("keyId")?, text("docId")?, text("rangeId")?);
    envelope::encrypt_range(
        &key,
        &Range {
            key_id: &key_id,
            doc_id: &doc_id,
            range_id: &range_id,
            content: &content,
            format,
        },
    )
    .map_err(envelope_error)
}

/// Decrypts an envelope: `decryptRange(jwe, key, expected?)` returns `{ content, format, docId,
/// rangeId, keyId }`. `expected` (`{ docId?, rangeId?, keyId? }`) names what the envelope must
/// be bound to; an authentic envelope from elsewhere throws an `Error` with code `mismatch`.
#[wasm_bindgen(js_name = decryptRange)]
pub fn decrypt_range(jwe: JsValue, key: JsValue, expected: JsValue) -> Result<JsValue, JsValue> {
    const CALL: &str = "decryptRange(jwe, key, expected?)";
    let Some(jwe) = jwe.as_string() else {
        return Err(coded(
            &format!("{CALL}: jwe must be a string"),
            "invalid_argument",
        ));
    };
    let key = key_from(&key, CALL)?;
    let expected = if expected.is_undefined() || expected.is_null() {
        Expected::default()
    } else if expected.is_object() {
        let field = |name: &str| -> Result<Option<String>, JsValue> {
            let value = property(&expected, name);
            if value.is_undefined() || value.is_null() {
                Ok(None)
            } else {
                value.as_string().map(Some).ok_or_else(|| {
                    coded(
                        &format!("{CALL}: expected.{name} must be a string"),
                        "invalid_argument",
                    )
                })
            }
        };
        Expected {
            doc_id: field("docId")?,
            range_id: field("rangeId")?,
            key_id: field("keyId")?,
        }
    } else {
        return Err(coded(
            &format!("{CALL}: expected must be an object such as {{ docId }}"),
            "invalid_argument",
        ));
    };
    to_js(&envelope::decrypt_range(&jwe, &key, &expected).map_err(envelope_error)?)
}

/// What [`inspect_envelope`] returns.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Inspected {
    key_id: String,
    doc_id: String,
    range_id: String,
    alg: String,
    enc: String,
    version: u32,
    compressed: bool,
}

/// Reads an envelope's header without a key: `inspectEnvelope(jwe)` returns `{ keyId, docId,
/// rangeId, alg, enc, version, compressed }`. Nothing in it is authenticated until the range is
/// decrypted.
#[wasm_bindgen(js_name = inspectEnvelope)]
pub fn inspect_envelope(jwe: JsValue) -> Result<JsValue, JsValue> {
    let Some(jwe) = jwe.as_string() else {
        return Err(coded(
            "inspectEnvelope(jwe): jwe must be a string",
            "invalid_argument",
        ));
    };
    let header = envelope::inspect_envelope(&jwe).map_err(envelope_error)?;
    to_js(&Inspected {
        key_id: header.kid,
        doc_id: header.tg_doc,
        range_id: header.tg_range,
        alg: header.alg,
        enc: header.enc,
        version: header.tg_version,
        compressed: header.zip.is_some(),
    })
}

/// Copies a `Uint8Array` key into a [`Key`] (zeroized when dropped).
fn key_from(value: &JsValue, call: &str) -> Result<Key, JsValue> {
    let Some(array) = value.dyn_ref::<Uint8Array>() else {
        return Err(coded(
            &format!("{call}: key must be a Uint8Array of 32 bytes"),
            "key_length",
        ));
    };
    let bytes = Zeroizing::new(array.to_vec());
    Key::from_bytes(&bytes).map_err(envelope_error)
}

fn property(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// An envelope error as a JavaScript `Error` with its `code`.
fn envelope_error(e: Error) -> JsValue {
    let code = match e {
        Error::Malformed { .. } => "malformed",
        Error::Unsupported { .. } => "unsupported",
        Error::KeyLength { .. } => "key_length",
        Error::Authentication => "authentication",
        Error::Mismatch { .. } => "mismatch",
        Error::TooLarge { .. } => "too_large",
        Error::InvalidArgument(_) => "invalid_argument",
        Error::Payload(_) => "payload",
        Error::Random(_) => "random",
    };
    coded(&e.to_string(), code)
}

/// A JavaScript `Error` with `message` and a `code` property.
fn coded(message: &str, code: &str) -> JsValue {
    let js = error(message);
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&js, &JsValue::from_str("code"), &JsValue::from_str(code));
    js
}
