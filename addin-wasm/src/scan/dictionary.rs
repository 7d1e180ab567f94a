//! The dictionary document: what admins edit, the server stores and every client compiles.
//!
//! A dictionary is a versioned JSON document (the shape is in `DICTIONARY.md`):
//!
//! ```json
//! { "version": 1,
//!   "categories": [ { "id": "finance", "label": { "en": "Financial data", "fr": "Données financières" },
//!                     "severity": "warn", "threshold": 1, "detectors": ["payment_card", "iban"] } ],
//!   "entries": [ { "id": "orion", "pattern": "projet orion", "kind": "phrase", "category": "finance",
//!                  "severity": "block", "caseSensitive": false } ] }
//! ```
//!
//! This module only describes the document and reads it; whether it makes sense (unique ids,
//! known categories, valid regexes, limits) is checked when it is compiled into a
//! [`Scanner`](super::Scanner), which reports every problem at once.
//!
//! Unknown fields are refused rather than ignored: a misspelt `caseSensitve` would otherwise
//! silently change what the dictionary matches.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::detect::Detector;
use super::error::{Error, Problem};
use super::limits::MAX_DOCUMENT_BYTES;

/// The only dictionary format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A dictionary document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dictionary {
    /// The format version, [`FORMAT_VERSION`].
    pub version: u32,
    /// The categories findings are grouped and counted in.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// The organisation's words, phrases and patterns.
    #[serde(default)]
    pub entries: Vec<Entry>,
}

/// A category: a label for people, a severity, a threshold and the built-in detectors it
/// switches on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Category {
    /// A short identifier, referenced by entries (`[a-z0-9_-]`, at most 64 characters).
    pub id: String,
    /// The label shown to users, by language (`en` is required; `fr` is shown to French users).
    pub label: BTreeMap<String, String>,
    /// The severity of the category's findings (entries may override it).
    pub severity: Severity,
    /// How many findings of the category a text must contain before the category counts
    /// towards the verdict.
    #[serde(default = "one")]
    pub threshold: u32,
    /// The built-in detectors whose findings belong to this category.
    #[serde(default)]
    pub detectors: Vec<Detector>,
    /// Detector findings below this confidence are left out (entries always have high
    /// confidence).
    #[serde(default)]
    pub min_confidence: Confidence,
}

/// An organisation's word, phrase or pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entry {
    /// A unique identifier, reported with each finding (at most 128 characters).
    pub id: String,
    /// The text to look for, or a regular expression for [`Kind::Regex`].
    pub pattern: String,
    /// How the pattern matches.
    pub kind: Kind,
    /// The id of the category the entry belongs to.
    pub category: String,
    /// Overrides the category's severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Match case and accents exactly as written instead of folding them.
    #[serde(default)]
    pub case_sensitive: bool,
}

/// How an entry's pattern matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// One whole word: `orion` matches in `Orion,` but not in `Orions`.
    Word,
    /// Words in sequence, whole words at both ends, any spacing between them.
    Phrase,
    /// Anywhere, even inside a word.
    Substring,
    /// A regular expression (the `regex` crate's syntax, linear time). By default it matches
    /// the folded text (write it in lowercase without accents; `\b` is an ASCII word
    /// boundary there); with `caseSensitive`, the text as written, one line at a time.
    Regex,
}

/// How serious a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// Reported, never stops a message.
    #[default]
    Info,
    /// The user is warned and may send anyway.
    Warn,
    /// The user is warned and may not send as is.
    Block,
}

/// How sure a detector is that what it found is what it looks for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Confidence {
    /// The shape and checksum fit, but such numbers are common (e.g. nine plain digits).
    Low,
    /// The shape and checksum fit and the number is written the way such numbers are.
    #[default]
    Medium,
    /// As medium, and a keyword (`card`, `IBAN`, `NAS`, ...) stands nearby; or a dictionary
    /// entry, which the organisation named explicitly.
    High,
}

impl Confidence {
    /// One level up (a keyword stands nearby).
    pub(crate) fn raised(self) -> Confidence {
        match self {
            Confidence::Low => Confidence::Medium,
            Confidence::Medium | Confidence::High => Confidence::High,
        }
    }
}

fn one() -> u32 {
    1
}

impl Dictionary {
    /// Reads a dictionary from JSON. Structural errors (a wrong type, an unknown field or value)
    /// are reported with the path of the offending value, e.g. `entries[3].kind`.
    pub fn from_json(json: &str) -> Result<Dictionary, Error> {
        if json.len() > MAX_DOCUMENT_BYTES {
            return Err(Error::single(Problem::document(format!(
                "the dictionary is {} bytes; the limit is {} bytes, so split it or remove entries",
                json.len(),
                MAX_DOCUMENT_BYTES
            ))));
        }
        // Tracking the path of every value slows reading down (most in the wasm2js build), so
        // the document is read again with it only to say where a plain read failed.
        if let Ok(dictionary) = serde_json::from_str(json) {
            return Ok(dictionary);
        }
        let de = &mut serde_json::Deserializer::from_str(json);
        let dictionary = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let path = e.path().to_string();
            Error::single(Problem::at_path(path, e.into_inner().to_string()))
        })?;
        // What failed the plain read may come after the document (trailing characters).
        de.end()
            .map_err(|e| Error::single(Problem::document(e.to_string())))?;
        Ok(dictionary)
    }

    /// The dictionary as JSON (pretty-printed, the way admins edit it).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A starter dictionary: one category per built-in detector family with every detector
    /// switched on, and a few confidentiality markings in English and French.
    pub fn starter() -> Dictionary {
        #[allow(clippy::expect_used)]
        Dictionary::from_json(include_str!("starter-dictionary.json"))
            .expect("the starter dictionary is valid (tested)")
    }
}
