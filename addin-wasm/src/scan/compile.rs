//! From a [`Dictionary`] to the matchers a [`Scanner`](super::Scanner) runs, checking
//! everything on the way and reporting every problem at once.

use std::collections::hash_map::Entry as Slot;
use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use super::detect::keywords::KeywordIndex;
use super::detect::Detector;
use super::dictionary::{Category, Dictionary, Entry, Kind, Severity, FORMAT_VERSION};
use super::error::{Error, Problem};
use super::limits::*;
use super::literal::{LiteralSpec, Literals};
use super::regexes::{self, Regexes};
use super::words::{count_tokens, MAX_TOKENS};
use crate::fold::Folded;

/// A dictionary compiled for scanning.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub(crate) categories: Vec<Category>,
    /// For each entry: its id, its category's index and its severity.
    pub(crate) entries: Vec<(String, usize, Severity)>,
    pub(crate) literals: Literals,
    pub(crate) regexes: Option<Regexes>,
    /// For each detector (by `Detector as usize`), the index of the category that switches it
    /// on.
    pub(crate) detectors: [Option<usize>; 4],
    pub(crate) keywords: Option<KeywordIndex>,
}

/// Checks and compiles a dictionary.
pub(crate) fn compile(dictionary: &Dictionary) -> Result<Compiled, Error> {
    let mut problems = Vec::new();
    if dictionary.version != FORMAT_VERSION {
        problems.push(Problem::at_path(
            "version",
            format!(
                "version {} is not supported: this build reads version {FORMAT_VERSION}; \
                 update the add-in, or write the dictionary in version {FORMAT_VERSION}",
                dictionary.version
            ),
        ));
    }
    let categories = check_categories(&dictionary.categories, &mut problems);
    let detectors = detector_owners(&dictionary.categories, &mut problems);
    let (entries, literal_specs, regex_list) = check_entries(
        &dictionary.entries,
        &dictionary.categories,
        &categories,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(Error::Dictionary(problems));
    }
    let literals = Literals::new(&literal_specs)
        .map_err(|message| Error::Dictionary(vec![Problem::at_path("entries", message)]))?;
    let regexes = Regexes::new(regex_list)
        .map_err(|message| Error::Dictionary(vec![Problem::at_path("entries", message)]))?;
    let enabled: Vec<Detector> = Detector::ALL
        .into_iter()
        .filter(|d| detectors[*d as usize].is_some())
        .collect();
    Ok(Compiled {
        categories: dictionary.categories.clone(),
        entries,
        literals,
        regexes,
        detectors,
        keywords: KeywordIndex::new(&enabled),
    })
}

/// Checks the categories; returns the index of each id.
fn check_categories(
    categories: &[Category],
    problems: &mut Vec<Problem>,
) -> HashMap<String, usize, FxBuildHasher> {
    if categories.len() > MAX_CATEGORIES {
        problems.push(Problem::at_path(
            "categories",
            format!(
                "{} categories; the limit is {MAX_CATEGORIES}",
                categories.len()
            ),
        ));
    }
    let mut ids: HashMap<String, usize, FxBuildHasher> = HashMap::default();
    for (i, c) in categories.iter().enumerate() {
        let mut problem =
            |message: String| problems.push(Problem::item("categories", i, &c.id, message));
        let valid_id = !c.id.is_empty()
            && c.id.len() <= 64
            && c.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid_id {
            problem(
                "the id must be 1 to 64 characters among a-z, 0-9, _ and - (e.g. \"finance\")"
                    .to_owned(),
            );
        }
        if let Some(first) = ids.get(&c.id) {
            problem(format!(
                "the id is already used by categories[{first}]; ids must be unique"
            ));
        } else {
            ids.insert(c.id.clone(), i);
        }
        if c.label.get("en").is_none_or(|l| l.trim().is_empty()) {
            problem("the label needs an English text: \"label\": { \"en\": \"...\" }".to_owned());
        }
        for (language, text) in &c.label {
            if text.chars().count() > MAX_LABEL_CHARS {
                problem(format!(
                    "the {language} label is longer than {MAX_LABEL_CHARS} characters"
                ));
            }
        }
        if !(1..=MAX_THRESHOLD).contains(&c.threshold) {
            problem(format!(
                "threshold {} is out of range: use 1 to {MAX_THRESHOLD} (how many findings \
                 before the category counts)",
                c.threshold
            ));
        }
    }
    ids
}

/// Which category switches each detector on; a detector may belong to one category only.
fn detector_owners(categories: &[Category], problems: &mut Vec<Problem>) -> [Option<usize>; 4] {
    let mut owners = [None; 4];
    for (i, c) in categories.iter().enumerate() {
        for d in &c.detectors {
            match owners[*d as usize] {
                None => owners[*d as usize] = Some(i),
                Some(first) => problems.push(Problem::item(
                    "categories",
                    i,
                    &c.id,
                    format!(
                        "detector {} is already switched on in categories[{first}]; a detector \
                         belongs to one category",
                        d.name()
                    ),
                )),
            }
        }
    }
    owners
}

type CheckedEntries = (
    Vec<(String, usize, Severity)>,
    Vec<LiteralSpec>,
    Vec<(regexes::CompiledRegex, u32)>,
);

/// Checks the entries and prepares their patterns.
fn check_entries(
    entries: &[Entry],
    categories: &[Category],
    category_ids: &HashMap<String, usize, FxBuildHasher>,
    problems: &mut Vec<Problem>,
) -> CheckedEntries {
    if entries.len() > MAX_ENTRIES {
        problems.push(Problem::at_path(
            "entries",
            format!(
                "{} entries; the limit is {MAX_ENTRIES}; split the dictionary or remove entries",
                entries.len()
            ),
        ));
        return Default::default();
    }
    let total: usize = entries.iter().map(|e| e.pattern.len()).sum();
    if total > MAX_TOTAL_PATTERN_BYTES {
        problems.push(Problem::at_path(
            "entries",
            format!("the patterns total {total} bytes; the limit is {MAX_TOTAL_PATTERN_BYTES}"),
        ));
    }
    let regex_count = entries.iter().filter(|e| e.kind == Kind::Regex).count();
    if regex_count > MAX_REGEX_ENTRIES {
        problems.push(Problem::at_path(
            "entries",
            format!(
                "{regex_count} regex entries; the limit is {MAX_REGEX_ENTRIES}; use word or \
                 phrase entries for plain text"
            ),
        ));
    }

    let mut compiled = Vec::with_capacity(entries.len());
    let mut literals = Vec::new();
    let mut regex_list = Vec::new();
    let mut ids: HashMap<&str, usize, FxBuildHasher> =
        HashMap::with_capacity_and_hasher(entries.len(), FxBuildHasher);
    // (pattern as matched, case-sensitive, whole word) -> first entry with it
    let mut patterns: HashMap<(String, bool, bool), usize, FxBuildHasher> =
        HashMap::with_capacity_and_hasher(entries.len(), FxBuildHasher);
    for (i, e) in entries.iter().enumerate() {
        let mut problem =
            |message: String| problems.push(Problem::item("entries", i, &e.id, message));
        if e.id.trim().is_empty() {
            problem("the id is empty; give every entry a unique id".to_owned());
        } else if e.id.chars().count() > MAX_ID_CHARS {
            problem(format!("the id is longer than {MAX_ID_CHARS} characters"));
        } else if let Some(first) = ids.insert(&e.id, i) {
            ids.insert(&e.id, first);
            problem(format!(
                "the id is already used by entries[{first}]; ids must be unique"
            ));
        }
        let category = category_ids.get(&e.category).copied();
        if category.is_none() {
            let known: Vec<&str> = categories.iter().take(10).map(|c| c.id.as_str()).collect();
            problem(format!(
                "unknown category {:?}; the categories are: {}",
                e.category,
                if known.is_empty() {
                    "(none; add one under \"categories\")".to_owned()
                } else {
                    known.join(", ")
                }
            ));
        }
        let pattern = e.pattern.trim();
        let (limit, what) = match e.kind {
            Kind::Regex => (MAX_REGEX_CHARS, "regex"),
            _ => (MAX_LITERAL_CHARS, "pattern"),
        };
        if pattern.is_empty() {
            problem("the pattern is empty".to_owned());
            continue;
        }
        if pattern.chars().count() > limit {
            problem(format!("the {what} is longer than {limit} characters"));
            continue;
        }
        let matched = match e.kind {
            Kind::Regex => match regexes::compile(pattern, e.case_sensitive) {
                Ok(regex) => {
                    regex_list.push((regex, i as u32));
                    None
                }
                Err(message) => {
                    problem(message);
                    None
                }
            },
            Kind::Word if pattern.chars().any(char::is_whitespace) => {
                problem("a word entry cannot contain spaces; use \"kind\": \"phrase\"".to_owned());
                None
            }
            _ if e.case_sensitive => Some(pattern.to_owned()),
            _ => {
                let folded = Folded::new(pattern).as_str().trim().to_owned();
                if folded.is_empty() {
                    problem("the pattern has no visible characters".to_owned());
                    None
                } else if e.kind != Kind::Substring && count_tokens(&folded) > MAX_TOKENS {
                    problem(format!(
                        "a phrase may have at most {MAX_TOKENS} words and signs; split it or \
                         use a regex"
                    ));
                    None
                } else {
                    Some(folded)
                }
            }
        };
        if let Some(pattern) = matched {
            let whole_word = e.kind != Kind::Substring;
            match patterns.entry((pattern.clone(), e.case_sensitive, whole_word)) {
                Slot::Occupied(first) => problem(format!(
                    "the same pattern as entries[{}] (once case and accents are folded); \
                     remove one of them",
                    first.get()
                )),
                Slot::Vacant(slot) => {
                    slot.insert(i);
                    literals.push(LiteralSpec {
                        entry: i as u32,
                        pattern,
                        whole_word,
                        case_sensitive: e.case_sensitive,
                    });
                }
            }
        }
        if let Some(c) = category {
            let severity = e.severity.unwrap_or(categories[c].severity);
            compiled.push((e.id.clone(), c, severity));
        }
    }
    (compiled, literals, regex_list)
}
