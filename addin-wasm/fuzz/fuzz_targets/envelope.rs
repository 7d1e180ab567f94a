//! Any bytes given to the envelope reader, with or without a key, give a result or an error,
//! never a panic, and never a success for an envelope the key did not make.
#![no_main]

use addin_wasm::envelope::{decrypt_range, inspect_envelope, Expected, Key};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = inspect_envelope(text);
    let key = Key::from_bytes(&[7; 32]).expect("32 bytes");
    assert!(decrypt_range(text, &key, &Expected::default()).is_err() || text.contains(".."));
});
