//! What a scan returns: the verdict, the findings, and a summary per category.
//!
//! The shapes are the wire shapes (camelCase JSON), so the JavaScript API returns them as
//! they are.

use std::collections::BTreeMap;

use serde::Serialize;

use super::detect::Detector;
use super::dictionary::{Confidence, Severity};

/// The result of scanning one text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// What the client should do.
    pub verdict: Verdict,
    /// What was found, in text order (at most [`MAX_FINDINGS`]).
    pub findings: Vec<Finding>,
    /// One summary per category with findings, in dictionary order. Counts include findings
    /// left out of `findings` by the cap.
    pub categories: Vec<CategorySummary>,
    /// More than [`MAX_FINDINGS`] findings: the list stops there.
    pub truncated: bool,
}

/// The most findings listed in a [`Report`].
pub const MAX_FINDINGS: usize = 10_000;

/// The decision for a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    /// Nothing that counts.
    Allow,
    /// A category reached its threshold with findings of severity `warn`: the user may go on.
    Warn,
    /// A category reached its threshold with findings of severity `block`.
    Block,
}

/// One thing found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The category's id.
    pub category: String,
    /// The dictionary entry that matched, or `None` for a detector.
    pub entry_id: Option<String>,
    /// The detector that found it, or `None` for a dictionary entry.
    pub detector: Option<Detector>,
    /// Start in UTF-16 code units of the scanned text (as JavaScript and Office.js count).
    pub start: usize,
    /// End (exclusive) in UTF-16 code units.
    pub end: usize,
    /// The text as written, `text.substring(start, end)` in JavaScript.
    pub text: String,
    /// How serious it is.
    pub severity: Severity,
    /// How sure the scanner is.
    pub confidence: Confidence,
}

/// How many findings a category has and whether they count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategorySummary {
    /// The category's id.
    pub id: String,
    /// Its label by language, for messages to the user.
    pub label: BTreeMap<String, String>,
    /// Its number of findings.
    pub count: usize,
    /// How many it takes to count.
    pub threshold: u32,
    /// The highest severity among its findings.
    pub severity: Severity,
    /// `count >= threshold`: the category contributes its severity to the verdict.
    pub reached: bool,
}

impl Verdict {
    /// The verdict a reached category of this severity gives.
    pub(crate) fn of(severity: Severity) -> Verdict {
        match severity {
            Severity::Info => Verdict::Allow,
            Severity::Warn => Verdict::Warn,
            Severity::Block => Verdict::Block,
        }
    }
}
