//! Keywords that raise a detector's confidence when they stand near what it found.
//!
//! A nine-digit number is just a number; the same number three words after `NAS` is very
//! likely a social insurance number. Each detector has keywords in English and French, matched
//! as whole words on the folded text (so `numéro` and `NUMERO` both count), and a finding whose
//! distance to one of its detector's keywords is at most [`PROXIMITY`] characters is raised one
//! confidence level.

use aho_corasick::{AhoCorasick, MatchKind};

use super::Detector;
use crate::fold::Folded;
use crate::scan::boundary::is_whole_word;

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

/// The keywords of the enabled detectors, compiled into one automaton.
#[derive(Debug, Clone)]
pub(crate) struct KeywordIndex {
    automaton: AhoCorasick,
    /// The detector of each pattern.
    detectors: Vec<Detector>,
}

/// Where each detector's keywords are in one text, as sorted UTF-16 ranges.
#[derive(Debug, Default)]
pub(crate) struct KeywordHits {
    by_detector: [Vec<(usize, usize)>; Detector::ALL.len()],
}

impl KeywordIndex {
    /// Compiles the keywords of `detectors`; `None` when there are none.
    pub(crate) fn new(detectors: &[Detector]) -> Option<KeywordIndex> {
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for &d in detectors {
            for k in keywords(d) {
                patterns.push(*k);
                owners.push(d);
            }
        }
        if patterns.is_empty() {
            return None;
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok()?;
        Some(KeywordIndex {
            automaton,
            detectors: owners,
        })
    }

    /// Finds the keywords in `folded`.
    pub(crate) fn find(&self, folded: &Folded<'_>) -> KeywordHits {
        let mut hits = KeywordHits::default();
        let text = folded.as_str();
        for m in self.automaton.find_iter(text) {
            if !is_whole_word(text, m.range()) {
                continue;
            }
            if let Some(range) = folded.original_range(m.range()) {
                let detector = self.detectors[m.pattern().as_usize()];
                hits.by_detector[detector as usize].push((range.utf16.start, range.utf16.end));
            }
        }
        hits
    }
}

impl KeywordHits {
    /// Whether a keyword of `detector` stands within [`PROXIMITY`] of the UTF-16 range
    /// `start..end`.
    pub(crate) fn near(&self, detector: Detector, start: usize, end: usize) -> bool {
        let hits = &self.by_detector[detector as usize];
        // Hits do not overlap, so their ends are sorted like their starts.
        let first = hits.partition_point(|&(_, hit_end)| hit_end + PROXIMITY < start);
        hits.get(first)
            .is_some_and(|&(hit_start, _)| hit_start <= end + PROXIMITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_folded_and_unique_per_detector() {
        for d in Detector::ALL {
            let words = keywords(d);
            for k in words {
                assert_eq!(Folded::new(k).as_str(), *k, "{k} is not folded");
            }
            let mut sorted = words.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), words.len(), "{d:?} repeats a keyword");
        }
    }

    #[test]
    fn proximity_in_both_directions() {
        let index = KeywordIndex::new(&Detector::ALL).unwrap();
        let text = format!("Votre NAS{}X{}carte", " ".repeat(10), ".".repeat(400));
        let folded = Folded::new(&text);
        let hits = index.find(&folded);
        let x = text.find('X').unwrap();
        assert!(hits.near(Detector::CaSin, x, x + 1));
        assert!(!hits.near(Detector::UsSsn, x, x + 1));
        assert!(!hits.near(Detector::PaymentCard, x, x + 1));
        assert!(hits.near(Detector::PaymentCard, x + 150, x + 160));
        // "sinus" and "cartel" are not keywords.
        let folded = Folded::new("sinus cartel");
        let hits = index.find(&folded);
        assert!(!hits.near(Detector::CaSin, 0, 12));
        assert!(!hits.near(Detector::PaymentCard, 0, 12));
    }
}
