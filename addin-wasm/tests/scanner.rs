//! The scanner as its users see it: dictionaries in, verdicts and findings out.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::panic)]

use addin_wasm::scan::{
    Confidence, Detector, Dictionary, Error, Report, Scanner, Severity, Verdict,
};
use serde_json::json;

fn scanner(dictionary: serde_json::Value) -> Scanner {
    Scanner::from_json(&dictionary.to_string()).unwrap()
}

fn problems(dictionary: serde_json::Value) -> Vec<String> {
    match Scanner::from_json(&dictionary.to_string()) {
        Err(Error::Dictionary(problems)) => problems.iter().map(ToString::to_string).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

/// A dictionary with one category `c` and the given entries.
fn with_entries(entries: serde_json::Value) -> serde_json::Value {
    json!({
        "version": 1,
        "categories": [ { "id": "c", "label": { "en": "C", "fr": "C" }, "severity": "warn" } ],
        "entries": entries
    })
}

fn texts(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.text.as_str()).collect()
}

/// The UTF-16 slice of `s`.
fn utf16_slice(s: &str, start: usize, end: usize) -> String {
    let units: Vec<u16> = s.encode_utf16().collect();
    String::from_utf16(&units[start..end]).unwrap()
}

#[test]
fn words_match_whole_words_only_whatever_the_case_and_accents() {
    let s = scanner(with_entries(json!([
        { "id": "orion", "pattern": "Orión", "kind": "word", "category": "c" }
    ])));
    let r = s
        .scan("ORION, orion; orions, lorion, Orión. ＯＲＩＯＮ")
        .unwrap();
    assert_eq!(texts(&r), ["ORION", "orion", "Orión", "ＯＲＩＯＮ"]);
    assert_eq!(r.verdict, Verdict::Warn);
}

#[test]
fn phrases_match_across_line_breaks_and_repeated_spaces() {
    let s = scanner(with_entries(json!([
        { "id": "p", "pattern": "projet  orion", "kind": "phrase", "category": "c" }
    ])));
    let text = "Le projet\r\n   Orion et le projet orionis";
    let r = s.scan(text).unwrap();
    assert_eq!(texts(&r), ["projet\r\n   Orion"]);
    let f = &r.findings[0];
    assert_eq!(utf16_slice(text, f.start, f.end), f.text);
}

#[test]
fn substrings_match_inside_words() {
    let s = scanner(with_entries(json!([
        { "id": "s", "pattern": "secret", "kind": "substring", "category": "c" }
    ])));
    assert_eq!(
        texts(&s.scan("topsecretfile, SECRÈTE").unwrap()),
        ["secret", "SECRÈT"]
    );
}

#[test]
fn case_sensitive_entries_match_as_written() {
    let s = scanner(with_entries(json!([
        { "id": "acme", "pattern": "ACME", "kind": "word", "category": "c", "caseSensitive": true }
    ])));
    assert_eq!(texts(&s.scan("acme Acme ACME ACMEs").unwrap()), ["ACME"]);
}

#[test]
fn regexes_run_case_insensitively_on_the_text_as_written() {
    let s = scanner(with_entries(json!([
        { "id": "contract", "pattern": r"\bCTR-\d{6}\b", "kind": "regex", "category": "c" },
        { "id": "Code", "pattern": r"\bCODE-[A-Z]{2}\b", "kind": "regex", "category": "c",
          "caseSensitive": true }
    ])));
    let text = "😀 ctr-123456 CTR-1234567 code-ab CODE-AB";
    let r = s.scan(text).unwrap();
    assert_eq!(texts(&r), ["ctr-123456", "CODE-AB"]);
    for f in &r.findings {
        assert_eq!(utf16_slice(text, f.start, f.end), f.text);
    }
    assert_eq!(r.findings[0].start, 3);
}

#[test]
fn regexes_match_the_folded_text_unless_case_sensitive() {
    let s = scanner(with_entries(json!([
        { "id": "pw", "pattern": r"\bmot de passe\s*:\s*\S+", "kind": "regex", "category": "c" },
        { "id": "eleve", "pattern": r"\bÉlève\b", "kind": "regex", "category": "c",
          "caseSensitive": true }
    ])));
    let text = "MOT  DE\r\nPASSE : hunter2. Élève, élève, Élèves";
    assert_eq!(
        texts(&s.scan(text).unwrap()),
        ["MOT  DE\r\nPASSE : hunter2.", "Élève"]
    );

    let found = problems(with_entries(json!([
        { "id": "n", "pattern": "numéro \\d+", "kind": "regex", "category": "c" }
    ])));
    assert!(
        found[0].contains(r#"write "e" instead of 'é'"#),
        "{found:?}"
    );
}

#[test]
fn the_longest_entry_wins_and_a_rejected_long_match_leaves_the_shorter_one() {
    let s = scanner(with_entries(json!([
        { "id": "short", "pattern": "projet", "kind": "word", "category": "c" },
        { "id": "long", "pattern": "projet orion", "kind": "phrase", "category": "c" }
    ])));
    let r = s.scan("projet orion; projet orions").unwrap();
    let found: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.entry_id.as_deref().unwrap(), f.text.as_str()))
        .collect();
    assert_eq!(found, [("long", "projet orion"), ("short", "projet")]);
}

#[test]
fn thresholds_and_severities_decide_the_verdict() {
    let dictionary = json!({
        "version": 1,
        "categories": [
            { "id": "names", "label": { "en": "Names" }, "severity": "warn", "threshold": 2 },
            { "id": "info", "label": { "en": "Info" }, "severity": "info" }
        ],
        "entries": [
            { "id": "alice", "pattern": "alice", "kind": "word", "category": "names" },
            { "id": "bob", "pattern": "bob", "kind": "word", "category": "names", "severity": "block" },
            { "id": "memo", "pattern": "memo", "kind": "word", "category": "info" }
        ]
    });
    let s = scanner(dictionary);
    let r = s.scan("memo for alice").unwrap();
    assert_eq!(
        r.verdict,
        Verdict::Allow,
        "one name is below the threshold of two"
    );
    assert_eq!(r.findings.len(), 2);
    assert!(!r.categories.iter().any(|c| c.reached && c.id == "names"));

    let r = s.scan("alice and bob").unwrap();
    assert_eq!(r.verdict, Verdict::Block);
    let names = r.categories.iter().find(|c| c.id == "names").unwrap();
    assert_eq!(
        (names.count, names.severity, names.reached),
        (2, Severity::Block, true)
    );

    assert_eq!(s.scan("alice alice").unwrap().verdict, Verdict::Warn);
    assert_eq!(
        s.scan("").unwrap(),
        Report {
            verdict: Verdict::Allow,
            findings: vec![],
            categories: vec![],
            truncated: false
        }
    );
}

#[test]
fn detectors_report_confidence_and_keywords_raise_it() {
    let s = Scanner::new(&Dictionary::starter()).unwrap();
    let r = s.scan("Ma carte : 4970 1012 3456 7893.").unwrap();
    let f = &r.findings[0];
    assert_eq!(f.detector, Some(Detector::PaymentCard));
    assert_eq!(f.confidence, Confidence::High);
    assert_eq!(f.category, "payment_cards");
    assert_eq!(r.verdict, Verdict::Warn);

    let r = s.scan("Ref 4970-1012-3456-7893").unwrap();
    assert_eq!(r.findings[0].confidence, Confidence::Medium);

    // Nine plain digits are low confidence for both national ids: left out by default...
    assert_eq!(
        s.scan("Order 130692544 shipped").unwrap().verdict,
        Verdict::Allow
    );
    // ...but a keyword nearby raises the matching one.
    let r = s.scan("Mon NAS est le 130692544").unwrap();
    let found: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.detector, f.confidence))
        .collect();
    assert_eq!(found, [(Some(Detector::CaSin), Confidence::Medium)]);
}

#[test]
fn every_detector_of_the_starter_dictionary_finds_its_numbers() {
    let s = Scanner::new(&Dictionary::starter()).unwrap();
    let text = "IBAN FR76 3000 6000 0112 3456 7890 189, SSN 536-22-1234, \
                SIN 130 692 544, card 3412 098765 43211. Strictly   confidential!";
    let r = s.scan(text).unwrap();
    let found: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.category.as_str(), f.text.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("bank_accounts", "FR76 3000 6000 0112 3456 7890 189"),
            ("national_ids", "536-22-1234"),
            ("national_ids", "130 692 544"),
            ("payment_cards", "3412 098765 43211"),
            ("confidential", "Strictly   confidential"),
        ]
    );
    assert_eq!(
        Dictionary::starter()
            .categories
            .iter()
            .flat_map(|c| &c.detectors)
            .count(),
        4
    );
}

#[test]
fn a_detector_switched_off_finds_nothing() {
    let s = scanner(with_entries(json!([])));
    assert!(s
        .scan("card 4970 1012 3456 7893")
        .unwrap()
        .findings
        .is_empty());
}

#[test]
fn min_confidence_lets_a_category_see_low_confidence_findings() {
    let s = scanner(json!({
        "version": 1,
        "categories": [ { "id": "ids", "label": { "en": "IDs" }, "severity": "block",
                          "detectors": ["us_ssn"], "minConfidence": "low" } ]
    }));
    let r = s.scan("Order 536221234").unwrap();
    assert_eq!(r.verdict, Verdict::Block);
    assert_eq!(r.findings[0].confidence, Confidence::Low);
}

#[test]
fn every_problem_is_reported_with_its_index_and_id() {
    let found = problems(json!({
        "version": 1,
        "categories": [
            { "id": "c", "label": { "en": "C" }, "severity": "warn", "detectors": ["iban"] },
            { "id": "c", "label": { "fr": "C" }, "severity": "warn", "threshold": 0,
              "detectors": ["iban"] }
        ],
        "entries": [
            { "id": "a", "pattern": "  ", "kind": "word", "category": "c" },
            { "id": "a", "pattern": "x", "kind": "word", "category": "nope" },
            { "id": "r", "pattern": "(unclosed", "kind": "regex", "category": "c" },
            { "id": "e", "pattern": "a*", "kind": "regex", "category": "c" },
            { "id": "w", "pattern": "two words", "kind": "word", "category": "c" },
            { "id": "long", "pattern": "x".repeat(300), "kind": "phrase", "category": "c" },
            { "id": "d1", "pattern": "Élan", "kind": "word", "category": "c" },
            { "id": "d2", "pattern": "elan", "kind": "phrase", "category": "c" },
            { "id": "", "pattern": "y", "kind": "word", "category": "c" },
            { "id": "marks", "pattern": "\u{301}\u{AD}", "kind": "substring", "category": "c" }
        ]
    }));
    let expect = [
        "categories[1] (id \"c\"): the id is already used by categories[0]",
        "categories[1] (id \"c\"): the label needs an English text",
        "categories[1] (id \"c\"): threshold 0 is out of range",
        "categories[1] (id \"c\"): detector iban is already switched on in categories[0]",
        "entries[0] (id \"a\"): the pattern is empty",
        "entries[1] (id \"a\"): the id is already used by entries[0]",
        "entries[1] (id \"a\"): unknown category \"nope\"; the categories are: c, c",
        "entries[2] (id \"r\"): invalid regex",
        "entries[3] (id \"e\"): the regex matches empty text",
        "entries[4] (id \"w\"): a word entry cannot contain spaces; use \"kind\": \"phrase\"",
        "entries[5] (id \"long\"): the pattern is longer than 256 characters",
        "entries[7] (id \"d2\"): the same pattern as entries[6]",
        "entries[8]: the id is empty",
        "entries[9] (id \"marks\"): the pattern has no visible characters",
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for (found, expect) in found.iter().zip(expect) {
        assert!(
            found.starts_with(expect),
            "{found:?} should start with {expect:?}"
        );
    }
}

#[test]
fn structural_errors_name_the_path() {
    let found = problems(json!({ "version": 1, "categories": [],
        "entries": [ { "id": "a", "pattern": "x", "kind": "glob", "category": "c" } ] }));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("entries[0].kind: unknown variant `glob`"),
        "{found:?}"
    );

    let found = problems(json!({ "version": 1, "entries": [
        { "id": "a", "pattern": "x", "kind": "word", "category": "c", "caseSensitve": true } ] }));
    assert!(
        found[0].contains("unknown field `caseSensitve`"),
        "{found:?}"
    );

    let found = problems(json!({ "version": 2 }));
    assert!(
        found[0].starts_with("version: version 2 is not supported"),
        "{found:?}"
    );

    let err = Scanner::from_json("{ not json").unwrap_err();
    assert!(err.to_string().starts_with("invalid dictionary: "), "{err}");

    // A valid document followed by anything else is refused, not read up to the end of it.
    let valid = with_entries(json!([]));
    let err = Scanner::from_json(&format!("{valid} {{}}")).unwrap_err();
    assert!(err.to_string().contains("trailing characters"), "{err}");
}

#[test]
fn pathological_regexes_are_refused_or_run_in_linear_time() {
    let found = problems(with_entries(json!([
        { "id": "huge", "pattern": r"\w{1000}\w{1000}", "kind": "regex", "category": "c" }
    ])));
    assert!(found[0].contains("compiles to more than"), "{found:?}");

    // The classic catastrophic backtracking case: linear here.
    let s = scanner(with_entries(json!([
        { "id": "evil", "pattern": "(a+)+$b", "kind": "regex", "category": "c" }
    ])));
    let text = "a".repeat(100_000) + "!";
    assert!(s.scan(&text).unwrap().findings.is_empty());
}

#[test]
fn the_findings_list_is_capped_but_counts_are_not() {
    let s = scanner(with_entries(json!([
        { "id": "x", "pattern": "x", "kind": "word", "category": "c" }
    ])));
    let text = "x ".repeat(12_000);
    let r = s.scan(&text).unwrap();
    assert!(r.truncated);
    assert_eq!(r.findings.len(), addin_wasm::scan::MAX_FINDINGS);
    assert_eq!(r.categories[0].count, 12_000);
}

#[test]
fn the_starter_dictionary_round_trips_through_json() {
    let d = Dictionary::starter();
    assert_eq!(Dictionary::from_json(&d.to_json()).unwrap(), d);
}
