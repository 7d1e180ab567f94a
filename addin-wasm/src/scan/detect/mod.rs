//! Built-in detectors: numbers that are sensitive whatever the organisation's dictionary says,
//! each validated by its structure and check digits rather than by shape alone.
//!
//! | name           | what                         | validated by                               |
//! |----------------|------------------------------|--------------------------------------------|
//! | `payment_card` | payment card numbers         | length, grouping, issuer ranges, Luhn      |
//! | `iban`         | international bank accounts  | country, length per country, mod 97-10     |
//! | `us_ssn`       | US Social Security numbers   | area, group and serial rules               |
//! | `ca_sin`       | Canadian Social Insurance    | first digit, Luhn                          |
//!
//! Detectors read the folded text (so full-width digits and typographic dashes are plain digits
//! and dashes) in one pass: every number that starts a word is read whole with [`number::read`]
//! and offered to the numeric detectors, and every two letters followed by two digits are
//! offered to the IBAN reader. Each detector gives a confidence (see its module), raised one
//! level by a [keyword](keywords) nearby.

mod card;
mod checksum;
mod iban;
pub(crate) mod keywords;
mod national_id;
pub(crate) mod number;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::boundary::word_before;
use super::dictionary::Confidence;

/// A built-in detector, by the name dictionaries use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    /// Payment card numbers (`payment_card`).
    PaymentCard,
    /// International bank account numbers (`iban`).
    Iban,
    /// US Social Security numbers (`us_ssn`).
    UsSsn,
    /// Canadian Social Insurance numbers (`ca_sin`).
    CaSin,
}

impl Detector {
    /// Every detector.
    pub const ALL: [Detector; 4] = [
        Detector::PaymentCard,
        Detector::Iban,
        Detector::UsSsn,
        Detector::CaSin,
    ];

    /// The name dictionaries and findings use (`payment_card`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Detector::PaymentCard => "payment_card",
            Detector::Iban => "iban",
            Detector::UsSsn => "us_ssn",
            Detector::CaSin => "ca_sin",
        }
    }
}

/// Something a detector found, before keywords are considered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Detection {
    pub(crate) detector: Detector,
    /// Where, in bytes of the folded text.
    pub(crate) folded: Range<usize>,
    pub(crate) confidence: Confidence,
}

/// A check that reads a number as one kind of number, and its confidence without keywords.
type NumberCheck = fn(&number::Number) -> Option<Confidence>;

/// The detectors that read [`number::Number`]s.
const NUMBER_CHECKS: [(Detector, NumberCheck); 3] = [
    (Detector::PaymentCard, card::check),
    (Detector::UsSsn, national_id::us_ssn),
    (Detector::CaSin, national_id::ca_sin),
];

/// Runs the detectors switched on in `enabled` (indexed by `Detector as usize`) over folded
/// text.
pub(crate) fn detect(text: &str, enabled: [bool; 4], out: &mut Vec<Detection>) {
    let on = |d: Detector| enabled[d as usize];
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(digit) = crate::ascii::find_digit(bytes, i) {
        i = digit;
        // Two letters that start a word, then two digits: perhaps an IBAN.
        if on(Detector::Iban)
            && i >= 2
            && bytes[i - 2..i].iter().all(u8::is_ascii_lowercase)
            && !word_before(text, i - 2)
        {
            if let Some((span, confidence)) = iban::at(bytes, i - 2) {
                i = span.end;
                out.push(Detection {
                    detector: Detector::Iban,
                    folded: span,
                    confidence,
                });
                continue;
            }
        }
        let number = number::read(bytes, i);
        i = number.span.end;
        let starts_word = !word_before(text, number.span.start);
        let ends_word = !text[number.span.end..]
            .chars()
            .next()
            .is_some_and(super::boundary::is_word_char);
        if !(starts_word && ends_word) {
            continue;
        }
        for (detector, check) in NUMBER_CHECKS {
            if !on(detector) {
                continue;
            }
            if let Some(confidence) = check(&number) {
                out.push(Detection {
                    detector,
                    folded: number.span.clone(),
                    confidence,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Detector, &str, Confidence)> {
        let mut out = Vec::new();
        detect(text, [true; 4], &mut out);
        out.into_iter()
            .map(|d| (d.detector, &text[d.folded], d.confidence))
            .collect()
    }

    #[test]
    fn finds_each_kind_in_running_text() {
        let text = "card 4970 1012 3456 7893, iban fr76 3000 6000 0112 3456 7890 189; \
                    ssn 536-22-1234 and sin 130 692 544.";
        assert_eq!(
            found(text),
            vec![
                (
                    Detector::PaymentCard,
                    "4970 1012 3456 7893",
                    Confidence::Medium
                ),
                (
                    Detector::Iban,
                    "fr76 3000 6000 0112 3456 7890 189",
                    Confidence::Medium
                ),
                (Detector::UsSsn, "536-22-1234", Confidence::Medium),
                (Detector::CaSin, "130 692 544", Confidence::Low),
            ]
        );
    }

    #[test]
    fn numbers_inside_words_or_longer_numbers_are_not_read() {
        assert!(found("ref4970101234567893").is_empty());
        assert!(found("4970101234567893x").is_empty());
        assert!(found("14970101234567893").is_empty());
        assert!(found("536-22-12345").is_empty());
        assert!(found("x130692544").is_empty());
    }

    #[test]
    fn nine_plain_digits_may_be_both_national_ids() {
        assert_eq!(
            found("130692544"),
            vec![
                (Detector::UsSsn, "130692544", Confidence::Low),
                (Detector::CaSin, "130692544", Confidence::Low),
            ]
        );
    }

    #[test]
    fn switched_off_detectors_do_not_run() {
        let mut out = Vec::new();
        detect("536-22-1234", [true, true, false, true], &mut out);
        assert!(out.is_empty());
    }
}
