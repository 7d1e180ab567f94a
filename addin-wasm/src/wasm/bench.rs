//! Exports for the envelope benchmark only (feature `bench`, built by `scripts/bench.sh` into
//! its own package): raw AES-256-GCM, so that the benchmark page can compare the module's cipher
//! with WebCrypto's on the same bytes.

use aes_gcm::aead::AeadInOut;
use aes_gcm::Nonce;
use wasm_bindgen::prelude::*;

use super::error;
use crate::envelope::Key;

/// Encrypts `data` in place with AES-256-GCM (`key`: 32 bytes, `iv`: 12 bytes, no additional
/// data) and returns the 16-byte tag.
#[wasm_bindgen(js_name = aes256GcmSeal)]
pub fn aes256_gcm_seal(key: &[u8], iv: &[u8], data: &mut [u8]) -> Result<Vec<u8>, JsValue> {
    let key = Key::from_bytes(key).map_err(|e| error(&e.to_string()))?;
    let iv: [u8; 12] = iv
        .try_into()
        .map_err(|_| error("aes256GcmSeal: iv must be 12 bytes"))?;
    let tag = key
        .cipher()
        .encrypt_inout_detached(&Nonce::from(iv), &[], data.into())
        .map_err(|_| error("aes256GcmSeal: too much data"))?;
    Ok(tag.to_vec())
}
