//! Folding in WebAssembly, where its ASCII loop takes sixteen bytes at a time with 128-bit SIMD
//! (native builds and the wasm2js build use eight-byte words): checked against a byte-by-byte
//! reference on many texts that put every kind of byte at every position of the sixteen.
//!
//! `scripts/test.sh` runs it with the other wasm-bindgen tests, in node and in Chromium.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use addin_wasm::fold::Folded;
use wasm_bindgen_test::wasm_bindgen_test;

/// Characters that fold differently: letters of both cases and the bytes just outside their
/// ranges, signs at both ends of the printable range, each kind of whitespace and the control
/// characters next to it, DEL and NUL (which end the ASCII loop), and a non-ASCII letter.
const ALPHABET: [char; 23] = [
    'a', 'Z', 'A', 'z', 'm', '!', '~', '0', '@', '[', '`', '{', ' ', '\t', '\n', '\r', '\u{b}',
    '\u{8}', '\u{e}', '\u{1f}', '\u{7f}', '\0', 'É',
];

/// Folding as the module documents it, one character at a time, for [`ALPHABET`].
fn reference(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else if c == 'É' {
            out.push('e');
        } else {
            // Control characters, DEL and NUL are kept as they are.
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[wasm_bindgen_test]
fn folds_like_the_byte_by_byte_reference() {
    const {
        assert!(
            cfg!(target_feature = "simd128"),
            "built without SIMD: the sixteen-byte loop is not under test"
        )
    };
    // xorshift: deterministic texts of 0 to 80 characters, mostly letters (long runs) with
    // whitespace and the stopping character here and there.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for case in 0..5000 {
        let len = (next() % 81) as usize;
        let text: String = (0..len)
            .map(|_| {
                let r = next();
                if r % 3 == 0 {
                    ALPHABET[(r >> 8) as usize % ALPHABET.len()]
                } else {
                    ALPHABET[(r >> 8) as usize % 5]
                }
            })
            .collect();
        let folded = Folded::new(&text);
        assert_eq!(folded.as_str(), reference(&text), "case {case}: {text:?}");
        assert_eq!(
            folded.utf16_len(),
            text.encode_utf16().count(),
            "case {case}"
        );
        // Every folded byte maps back to the character it came from.
        for (i, b) in folded.as_str().bytes().enumerate() {
            let range = folded.original_range(i..i + 1).unwrap();
            let original = &text[range.bytes];
            let expected = if b == b' ' {
                original.starts_with(char::is_whitespace)
            } else {
                reference(original) == (b as char).to_string()
            };
            assert!(
                expected,
                "case {case}: folded byte {i} {:?} maps to {original:?} in {text:?}",
                b as char
            );
        }
    }
}
