//! The sensitive-text scanner: an organisation's dictionary and built-in detectors, run on the
//! device over a mail or a document before it leaves.
//!
//! ```
//! use addin_wasm::scan::{Dictionary, Scanner, Verdict};
//!
//! let dictionary = Dictionary::from_json(r#"{
//!   "version": 1,
//!   "categories": [ { "id": "projects", "label": { "en": "Secret projects" },
//!                     "severity": "warn" } ],
//!   "entries": [ { "id": "orion", "pattern": "projet orion", "kind": "phrase",
//!                  "category": "projects", "severity": "block" } ] }"#)?;
//! let scanner = Scanner::new(&dictionary)?;
//!
//! let report = scanner.scan("Le 😀 PROJET  Orión avance.")?;
//! assert_eq!(report.verdict, Verdict::Block);
//! let finding = &report.findings[0];
//! assert_eq!(finding.text, "PROJET  Orión");
//! // Offsets are UTF-16 code units, as Office.js counts them (the emoji is two).
//! assert_eq!((finding.start, finding.end), (6, 19));
//! # Ok::<(), addin_wasm::scan::Error>(())
//! ```
//!
//! # How a scan works
//!
//! 1. The text is [folded](crate::fold) once: case, accents, width and spacing removed, with a
//!    map back to the original.
//! 2. Word and phrase entries are looked up word by word in that one folded copy, substring
//!    entries found in it by an Aho-Corasick automaton, and case-sensitive entries found in the
//!    original by another; whole-word entries must pass a Unicode word-boundary test.
//! 3. Regex entries run on the folded text too (case-sensitive ones on the original), through
//!    a regex set when there are many.
//! 4. The built-in [detectors](Detector) read numbers from the folded text and validate them
//!    (Luhn, mod 97, issuer and area rules); keywords nearby raise their confidence.
//! 5. Every finding gets its category, severity and confidence; each category that reaches its
//!    threshold contributes its highest severity to the [`Verdict`].
//!
//! Compiling a dictionary checks it whole and reports every problem, each with the path and id
//! of the offending entry ([`Error::Dictionary`]); the [`limits`] bound what a dictionary may
//! cost a client.

mod boundary;
mod compile;
mod detect;
mod dictionary;
mod error;
pub mod limits;
mod literal;
mod regexes;
mod report;
mod words;

pub use detect::keywords::PROXIMITY;
pub use detect::Detector;
pub use dictionary::{Category, Confidence, Dictionary, Entry, Kind, Severity, FORMAT_VERSION};
pub use error::{Error, Problem};
pub use literal::DFA_MAX_PATTERNS;
pub use regexes::SET_MIN_REGEXES;
pub use report::{CategorySummary, Finding, Report, Verdict, MAX_FINDINGS};

use crate::fold::{Folded, OriginalRange};

/// A compiled dictionary, ready to scan any number of texts.
#[derive(Debug, Clone)]
pub struct Scanner {
    compiled: compile::Compiled,
}

/// A dictionary entry found in the text.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// The index of the entry.
    pub(crate) entry: u32,
    pub(crate) range: OriginalRange,
}

impl Scanner {
    /// Compiles a dictionary, or reports every problem in it.
    pub fn new(dictionary: &Dictionary) -> Result<Scanner, Error> {
        Ok(Scanner {
            compiled: compile::compile(dictionary)?,
        })
    }

    /// Reads and compiles a dictionary from JSON.
    pub fn from_json(json: &str) -> Result<Scanner, Error> {
        Scanner::new(&Dictionary::from_json(json)?)
    }

    /// Scans a text.
    pub fn scan(&self, text: &str) -> Result<Report, Error> {
        if text.len() > limits::MAX_TEXT_BYTES {
            return Err(Error::TextTooLong {
                bytes: text.len(),
                limit: limits::MAX_TEXT_BYTES,
            });
        }
        let c = &self.compiled;
        let folded = Folded::new(text);
        let mut findings = Vec::new();

        let mut hits = Vec::new();
        c.literals.find(&folded, &mut hits);
        if let Some(regexes) = &c.regexes {
            regexes.find(&folded, &mut hits);
        }
        for hit in hits {
            let (id, category, severity) = &c.entries[hit.entry as usize];
            findings.push(self.finding(
                text,
                *category,
                Some(id.clone()),
                None,
                hit.range,
                *severity,
                Confidence::High,
            ));
        }

        let enabled = c.detectors.map(|owner| owner.is_some());
        let mut detections = Vec::new();
        detect::detect(folded.as_str(), enabled, &mut detections);
        for d in detections {
            let (Some(category), Some(range)) = (
                c.detectors[d.detector as usize],
                folded.original_range(d.folded.clone()),
            ) else {
                continue;
            };
            let near = c.keywords.as_ref().is_some_and(|k| {
                k.near(d.detector, &folded, d.folded.clone(), range.utf16.clone())
            });
            let confidence = if near {
                d.confidence.raised()
            } else {
                d.confidence
            };
            let cat = &c.categories[category];
            if confidence < cat.min_confidence {
                continue;
            }
            findings.push(self.finding(
                text,
                category,
                None,
                Some(d.detector),
                range,
                cat.severity,
                confidence,
            ));
        }
        findings.sort_by_key(|f| (f.start, f.end));
        Ok(self.report(findings))
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        text: &str,
        category: usize,
        entry_id: Option<String>,
        detector: Option<Detector>,
        range: OriginalRange,
        severity: Severity,
        confidence: Confidence,
    ) -> Finding {
        Finding {
            category: self.compiled.categories[category].id.clone(),
            entry_id,
            detector,
            start: range.utf16.start,
            end: range.utf16.end,
            text: text[range.bytes].to_owned(),
            severity,
            confidence,
        }
    }

    /// Counts findings per category, decides the verdict, and caps the list.
    fn report(&self, mut findings: Vec<Finding>) -> Report {
        let categories = &self.compiled.categories;
        let mut counts = vec![(0usize, Severity::Info); categories.len()];
        let index: std::collections::HashMap<&str, usize, rustc_hash::FxBuildHasher> = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        for f in &findings {
            if let Some(&i) = index.get(f.category.as_str()) {
                counts[i].0 += 1;
                counts[i].1 = counts[i].1.max(f.severity);
            }
        }
        let mut verdict = Verdict::Allow;
        let mut summaries = Vec::new();
        for (c, (count, severity)) in categories.iter().zip(counts) {
            if count == 0 {
                continue;
            }
            let reached = count >= c.threshold as usize;
            if reached {
                verdict = verdict.max(Verdict::of(severity));
            }
            summaries.push(CategorySummary {
                id: c.id.clone(),
                label: c.label.clone(),
                count,
                threshold: c.threshold,
                severity,
                reached,
            });
        }
        let truncated = findings.len() > MAX_FINDINGS;
        findings.truncate(MAX_FINDINGS);
        Report {
            verdict,
            findings,
            categories: summaries,
            truncated,
        }
    }
}
