//! The scanner's loops that take sixteen bytes at a time with WebAssembly's 128-bit SIMD
//! (native builds and the wasm2js build use eight-byte words), in WebAssembly:
//!
//! - the word index: word and phrase findings checked against a plain substring search on
//!   many texts that put word starts, word ends, digits, punctuation and non-ASCII characters
//!   at every position of the sixteen;
//! - the detectors' digit search: numbers found wherever they stand among the sixteen, after
//!   the bytes on either side of the digits' range.
//!
//! `scripts/test.sh` runs it with the other wasm-bindgen tests, in node and in Chromium.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support {
    pub(crate) mod whole_words;
}

use addin_wasm::scan::{Finding, Scanner};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

// Without SIMD, the sixteen-byte loops would not be under test.
const _: () = assert!(cfg!(target_feature = "simd128"), "built without SIMD");

/// The findings of `text`.
fn scan(scanner: &Scanner, text: &str) -> Vec<Finding> {
    scanner.scan(text).unwrap().findings
}

/// Entries that start with a letter, a digit and a punctuation mark (each switches on another
/// part of the loop), single words and phrases, one longer than a chunk.
const PATTERNS: [&str; 11] = [
    "orion",
    "projet orion",
    "projet",
    "c++",
    "7",
    "x y",
    "a_b",
    "l'equipe",
    "budget previsionnel annuel",
    "e",
    "日本",
];

/// Pieces of text: the patterns' words and near misses, separators, and characters that end
/// the sixteen-byte loop.
const PIECES: [&str; 26] = [
    "orion",
    "orions",
    "projet",
    "PROJET",
    "c",
    "++",
    "7",
    "77",
    "x",
    "y",
    "a_b",
    "l'équipe",
    "budget",
    "prévisionnel",
    "annuel",
    "e",
    "é",
    "日本",
    " ",
    " ",
    ",",
    "-",
    "_",
    "\r\n",
    "Projet  Orion",
    "budget previsionnel annuel",
];

#[wasm_bindgen_test]
fn finds_what_a_plain_substring_search_finds() {
    let scanner = support::whole_words::word_scanner(&PATTERNS);
    // A linear congruential generator (its high bits): deterministic texts of 0 to 60 pieces,
    // mostly words and spaces.
    let mut state = 7u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 24
    };
    let mut phrases = 0;
    for case in 0..3000 {
        let len = (next() % 61) as usize;
        // Each piece after a space half of the time.
        let mut text = String::new();
        for r in std::iter::repeat_with(&mut next).take(len) {
            if r % 2 == 0 {
                text.push(' ');
            }
            text.push_str(PIECES[(r >> 8) as usize % PIECES.len()]);
        }
        let found: Vec<_> = scan(&scanner, &text)
            .iter()
            .map(|f| (f.start, f.end))
            .collect();
        let expected = support::whole_words::naive_whole_words(&PATTERNS, &text);
        phrases += found.iter().filter(|(s, e)| e - s > 8).count();
        assert_eq!(found, expected, "case {case}: {text:?}");
    }
    assert!(phrases > 100, "only {phrases} long findings");
}

#[wasm_bindgen_test]
fn finds_numbers_at_every_position_of_the_sixteen() {
    let dictionary = json!({ "version": 1,
        "categories": [ { "id": "n", "label": { "en": "N" }, "severity": "warn",
                          "detectors": ["payment_card", "us_ssn", "ca_sin"],
                          "minConfidence": "low" } ],
        "entries": [] });
    let scanner = Scanner::from_json(&dictionary.to_string()).unwrap();
    // Numbers that start with each end of the digits' range, and one in the middle, followed
    // by more than sixteen bytes (the last fifteen are read eight bytes at a time).
    let numbers = " 4970 1012 3456 7893 et 012-34-5678, 900 000 001, puis du texte sans chiffres.";
    for len in 0..40 {
        // '/' and ':' are the bytes just outside '0'..='9'.
        let prefix: String = (0..len).map(|i| ["x", "/", ":", " "][i % 4]).collect();
        let text = format!("{prefix}{numbers}");
        let found: Vec<_> = scan(&scanner, &text)
            .into_iter()
            .map(|f| (f.start, f.text))
            .collect();
        let at = |number: &str| len + numbers.find(number).unwrap();
        assert_eq!(
            found,
            [
                (at("4970"), "4970 1012 3456 7893".to_owned()),
                (at("012-"), "012-34-5678".to_owned()),
                (at("900"), "900 000 001".to_owned())
            ],
            "{text:?}"
        );
    }
}
