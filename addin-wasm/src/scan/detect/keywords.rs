//! Keywords that raise a detector's confidence when they stand near what it found.
//!
//! A nine-digit number is just a number; the same number three words after `NAS` is very
//! likely a social insurance number. Each detector has keywords in English and French, matched
//! as whole words on the folded text (so `numéro` and `NUMERO` both count), and a finding whose
//! distance to one of its detector's keywords is at most [`PROXIMITY`] characters is raised one
//! confidence level. Detections are rare, so only the text around each is read for keywords,
//! with the same word lookup as dictionary entries.

use std::ops::Range;

use super::Detector;
use crate::fold::Folded;
use crate::scan::boundary::{is_word_char, word_before};
use crate::scan::words::WordIndex;

/// How close a keyword must be, in UTF-16 code units between the two.
pub const PROXIMITY: usize = 300;

/// The keywords of a detector, already folded (lowercase, no accents).
pub(crate) fn keywords(detector: Detector) -> &'static [&'static str] {
    match detector {
        Detector::PaymentCard => &[
            "card",
            "cards",
            "credit card",
            "debit card",
            "card number",
            "card no",
            "cc#",
            "carte",
            "cartes",
            "carte bancaire",
            "carte de credit",
            "carte de debit",
            "numero de carte",
            "cb",
            "visa",
            "mastercard",
            "amex",
            "american express",
            "discover",
            "jcb",
            "diners",
            "maestro",
            "unionpay",
            "cvv",
            "cvc",
            "cvv2",
            "expiry",
            "exp",
            "expiration",
            "date d'expiration",
            "pan",
        ],
        Detector::Iban => &[
            "iban",
            "bic",
            "swift",
            "rib",
            "sepa",
            "bank account",
            "account number",
            "account no",
            "bank details",
            "wire transfer",
            "compte",
            "compte bancaire",
            "numero de compte",
            "coordonnees bancaires",
            "releve d'identite bancaire",
            "virement",
        ],
        Detector::UsSsn => &[
            "ssn",
            "ssns",
            "ss#",
            "ssn#",
            "social security",
            "social security number",
            "social security no",
            "soc sec",
            "ssa",
        ],
        Detector::CaSin => &[
            "sin",
            "sin#",
            "social insurance",
            "social insurance number",
            "insurance number",
            "nas",
            "numero d'assurance sociale",
            "assurance sociale",
        ],
    }
}

/// The keywords of the enabled detectors, indexed for lookup near each detection.
#[derive(Debug, Clone)]
pub(crate) struct KeywordIndex {
    words: WordIndex,
    /// The detector of each keyword (the index's entry numbers).
    detectors: Vec<Detector>,
}

/// How far around a detection to read, in folded bytes: a UTF-16 code unit of the original
/// folds to at most a few bytes, and the exact distance is checked afterwards.
const WINDOW_BYTES: usize = 4 * PROXIMITY + 64;

impl KeywordIndex {
    /// Indexes the keywords of `detectors`; `None` when there are none.
    pub(crate) fn new(detectors: &[Detector]) -> Option<KeywordIndex> {
        let mut owners = Vec::new();
        let mut patterns = Vec::new();
        for &d in detectors {
            for k in keywords(d) {
                patterns.push(((*k).to_owned(), owners.len() as u32));
                owners.push(d);
            }
        }
        Some(KeywordIndex {
            words: WordIndex::new(patterns)?,
            detectors: owners,
        })
    }

    /// Whether a keyword of `detector` stands within [`PROXIMITY`] UTF-16 code units of what
    /// was found at `found` (bytes of the folded text) = `found_utf16` (in the original).
    /// Only the text around the finding is read.
    pub(crate) fn near(
        &self,
        detector: Detector,
        folded: &Folded<'_>,
        found: Range<usize>,
        found_utf16: Range<usize>,
    ) -> bool {
        let text = folded.as_str();
        let (start, end) = word_aligned_window(
            text,
            found.start.saturating_sub(WINDOW_BYTES),
            (found.end + WINDOW_BYTES).min(text.len()),
        );
        let mut near = false;
        self.words.find_in(&text[..end], start, |entry, range| {
            if near || self.detectors[entry as usize] != detector {
                return;
            }
            if let Some(k) = folded.original_range(range) {
                let gap = if k.utf16.end <= found_utf16.start {
                    found_utf16.start - k.utf16.end
                } else {
                    k.utf16.start.saturating_sub(found_utf16.end)
                };
                near = gap <= PROXIMITY;
            }
        });
        near
    }
}

/// Widens `start..end` to character boundaries and narrows it so that it splits no word (a
/// window must not turn the end of `cardinal` into the keyword `card`).
fn word_aligned_window(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    while !text.is_char_boundary(start) {
        start += 1;
    }
    while start < end && word_before(text, start) {
        start += text[start..].chars().next().map_or(1, char::len_utf8);
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    while end < text.len() && word_before(text, end) && text[end..].starts_with(is_word_char) {
        end += text[end..].chars().next().map_or(1, char::len_utf8);
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_folded_and_unique() {
        let mut all = Vec::new();
        for d in Detector::ALL {
            for k in keywords(d) {
                assert_eq!(Folded::new(k).as_str(), *k, "{k} is not folded");
                all.push(*k);
            }
        }
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count, "a keyword is listed twice");
    }

    fn near(index: &KeywordIndex, d: Detector, text: &str, what: &str) -> bool {
        let folded = Folded::new(text);
        let at = folded.as_str().find(what).unwrap();
        let utf16 = folded.original_range(at..at + what.len()).unwrap().utf16;
        index.near(d, &folded, at..at + what.len(), utf16)
    }

    #[test]
    fn proximity_in_both_directions() {
        let index = KeywordIndex::new(&Detector::ALL).unwrap();
        let text = format!("Votre NAS{}X{}carte", " ".repeat(10), ".".repeat(400));
        assert!(near(&index, Detector::CaSin, &text, "x"));
        assert!(!near(&index, Detector::UsSsn, &text, "x"));
        assert!(!near(&index, Detector::PaymentCard, &text, "x"));
        let text = format!("X{}carte", ".".repeat(299));
        assert!(near(&index, Detector::PaymentCard, &text, "x"));
        let text = format!("X{}carte", ".".repeat(301));
        assert!(!near(&index, Detector::PaymentCard, &text, "x"));
        // "sinus" and "cartel" are not keywords.
        assert!(!near(&index, Detector::CaSin, "sinus X", "x"));
        assert!(!near(&index, Detector::PaymentCard, "cartel X", "x"));
    }

    #[test]
    fn windows_never_split_a_word() {
        let text = "discard x";
        assert_eq!(word_aligned_window(text, 3, 9), (8, 9));
        assert_eq!(word_aligned_window(text, 0, 4), (0, 7));
        assert_eq!(word_aligned_window("é", 1, 1), (2, 2));
    }
}
