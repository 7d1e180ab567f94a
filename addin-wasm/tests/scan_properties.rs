//! Properties of folding and scanning that must hold for every text.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;

use addin_wasm::fold::Folded;
use addin_wasm::scan::{Finding, Scanner};
use proptest::prelude::*;
use serde_json::json;

mod support {
    pub(crate) mod whole_words;
}

/// One scanner for every case (compiling it is the slow part in a debug build).
fn scanner() -> &'static Scanner {
    static SCANNER: LazyLock<Scanner> = LazyLock::new(compile_scanner);
    &SCANNER
}

fn compile_scanner() -> Scanner {
    let dictionary = json!({
        "version": 1,
        "categories": [
            { "id": "words", "label": { "en": "Words" }, "severity": "warn" },
            { "id": "numbers", "label": { "en": "Numbers" }, "severity": "block",
              "detectors": ["payment_card", "iban", "us_ssn", "ca_sin"], "minConfidence": "low" }
        ],
        "entries": [
            { "id": "orion", "pattern": "orion", "kind": "word", "category": "words" },
            { "id": "projet-orion", "pattern": "projet orion", "kind": "phrase", "category": "words" },
            { "id": "strasse", "pattern": "strasse", "kind": "word", "category": "words" },
            { "id": "secr", "pattern": "secr", "kind": "substring", "category": "words" },
            { "id": "acme", "pattern": "ACME", "kind": "word", "category": "words", "caseSensitive": true },
            { "id": "ctr", "pattern": "\\bctr-\\d{3}\\b", "kind": "regex", "category": "words" }
        ]
    });
    Scanner::from_json(&dictionary.to_string()).unwrap()
}

/// Texts made of pieces that matter to the scanner: entries in many spellings, numbers,
/// emoji, combining marks, odd whitespace and invisible characters.
fn texts() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "orion",
        "Orión",
        "ORION",
        "ＯＲＩＯＮ",
        "projet",
        "PROJET",
        "secret",
        "SECRÈTE",
        "ACME",
        "acme",
        "Straße",
        "ctr-123",
        "CTR-123",
        "4970 1012 3456 7893",
        "536-22-1234",
        "130692544",
        "FR76 3000 6000 0112 3456 7890 189",
        "carte",
        "NAS",
        "😀",
        "é",
        "e\u{301}",
        "\u{301}",
        "ß",
        "日本",
        "c++",
        "C ++",
        "l’équipe",
        "y",
        " ",
        "  ",
        "\r\n",
        "\t",
        "\u{A0}",
        "\u{AD}",
        "\u{200B}",
        ",",
        ".",
        "-",
        "–",
        "x",
        "7",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|p| p.concat())
}

fn utf16_slice(s: &str, start: usize, end: usize) -> Option<String> {
    let units: Vec<u16> = s.encode_utf16().collect();
    String::from_utf16(units.get(start..end)?).ok()
}

fn check_findings(text: &str, findings: &[Finding]) -> Result<(), TestCaseError> {
    for f in findings {
        prop_assert!(f.start < f.end, "{f:?}");
        prop_assert_eq!(utf16_slice(text, f.start, f.end), Some(f.text.clone()));
    }
    Ok(())
}

/// Word and phrase entries only, for comparison with [`naive_whole_words`].
fn word_scanner() -> &'static Scanner {
    static SCANNER: LazyLock<Scanner> =
        LazyLock::new(|| support::whole_words::word_scanner(WORD_PATTERNS));
    &SCANNER
}

const WORD_PATTERNS: &[&str] = &[
    "orion",
    "projet orion",
    "projet",
    "c++",
    "l'equipe",
    "日本",
    "x y",
    "7",
];

/// The reference of [`support::whole_words`] for [`WORD_PATTERNS`].
fn naive_whole_words(text: &str) -> Vec<(usize, usize)> {
    support::whole_words::naive_whole_words(WORD_PATTERNS, text)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn findings_point_at_their_text(text in texts()) {
        let report = scanner().scan(&text).unwrap();
        check_findings(&text, &report.findings)?;
    }

    #[test]
    fn any_unicode_scans_without_panicking_and_offsets_hold(text in any::<String>()) {
        let report = scanner().scan(&text).unwrap();
        check_findings(&text, &report.findings)?;
    }

    #[test]
    fn word_lookup_finds_what_a_naive_whole_word_search_finds(text in texts()) {
        let found: Vec<(usize, usize)> =
            word_scanner().scan(&text).unwrap().findings.iter().map(|f| (f.start, f.end)).collect();
        prop_assert_eq!(found, naive_whole_words(&text));
    }

    #[test]
    fn folding_never_shifts_offsets(text in texts()) {
        // Emoji and punctuation before the text move every finding by exactly their length.
        let text = text.trim_start_matches(|c: char| {
            c.is_whitespace() || unicode_normalization::char::is_combining_mark(c) || c == '\u{AD}'
        });
        let prefix = "😀 ¿«» 😀 ";
        let shift = prefix.encode_utf16().count();
        let s = scanner();
        let plain = s.scan(text).unwrap().findings;
        let shifted = s.scan(&format!("{prefix}{text}")).unwrap().findings;
        prop_assert_eq!(plain.len(), shifted.len());
        for (a, b) in plain.iter().zip(&shifted) {
            prop_assert_eq!((a.start + shift, a.end + shift), (b.start, b.end));
            prop_assert_eq!(&a.text, &b.text);
        }
    }

    #[test]
    fn every_folded_range_maps_to_a_consistent_original_range(text in texts()) {
        let folded = Folded::new(&text);
        let f = folded.as_str();
        let bounds: Vec<usize> = f.char_indices().map(|(i, _)| i).chain([f.len()]).collect();
        let mut previous_end = 0;
        for w in bounds.windows(2) {
            let r = folded.original_range(w[0]..w[1]).unwrap();
            // Bytes and UTF-16 describe the same characters...
            prop_assert_eq!(text[..r.bytes.start].encode_utf16().count(), r.utf16.start);
            prop_assert_eq!(
                utf16_slice(&text, r.utf16.start, r.utf16.end),
                Some(text[r.bytes.clone()].to_owned())
            );
            // ...and consecutive folded characters come from consecutive original ones.
            prop_assert!(r.bytes.start >= previous_end || r.bytes.end <= previous_end);
            previous_end = previous_end.max(r.bytes.end);
        }
    }
}
