//! Dictionary entries as CSV, for admins who keep their word lists in a spreadsheet.
//!
//! The first row names the columns: `id`, `pattern`, `kind` and `category` are required;
//! `severity` and `caseSensitive` (`true`/`false`, default false) are optional; an empty
//! severity means the category's. Categories are not expressed in CSV: imported entries join
//! the categories of the tenant's current dictionary.

use addin_wasm::scan::{Entry, Problem, Severity};

use super::DictionaryError;

const REQUIRED: [&str; 4] = ["id", "pattern", "kind", "category"];
const COLUMNS: [&str; 6] = [
    "id",
    "pattern",
    "kind",
    "category",
    "severity",
    "caseSensitive",
];

/// The entries of a CSV document; every problem, each with its line.
pub fn parse(text: &str) -> Result<Vec<Entry>, DictionaryError> {
    let invalid =
        |path: String, message: String| DictionaryError::Invalid(vec![problem(path, message)]);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| invalid("line 1".into(), format!("cannot read the header row: {e}")))?
        .clone();
    let index = |name: &str| headers.iter().position(|h| h == name);
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|c| index(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(invalid(
            "line 1".into(),
            format!(
                "the header row lacks {}; it must name the columns {} (severity and caseSensitive are optional)",
                missing.join(", "),
                COLUMNS.join(",")
            ),
        ));
    }
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = format!("line {}", i + 2);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(line, format!("cannot read this row: {e}")));
                continue;
            }
        };
        let field = |name: &str| index(name).and_then(|j| record.get(j)).unwrap_or("");
        let mut entry = serde_json::json!({
            "id": field("id"),
            "pattern": field("pattern"),
            "kind": field("kind"),
            "category": field("category"),
        });
        if !field("severity").is_empty() {
            entry["severity"] = field("severity").into();
        }
        match field("caseSensitive").to_ascii_lowercase().as_str() {
            "" | "false" | "no" | "0" => {}
            "true" | "yes" | "1" => entry["caseSensitive"] = true.into(),
            other => {
                problems.push(problem(
                    line,
                    format!("caseSensitive must be true or false, not {other:?}"),
                ));
                continue;
            }
        }
        match serde_json::from_value::<Entry>(entry) {
            Ok(e) => entries.push(e),
            Err(e) => problems.push(problem(
                line,
                format!("{e} (kind is word, phrase, substring or regex; severity is info, warn or block)"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(DictionaryError::Invalid(problems))
    }
}

/// `entries` as CSV, with the header row.
pub fn write(entries: &[Entry]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record(COLUMNS);
    for e in entries {
        let kind = serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let severity = e
            .severity
            .map(|s: Severity| {
                serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        let case = if e.case_sensitive { "true" } else { "false" };
        let _ = out.write_record([
            e.id.as_str(),
            &e.pattern,
            &kind,
            &e.category,
            &severity,
            case,
        ]);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn problem(path: String, message: String) -> Problem {
    Problem {
        path,
        id: None,
        message,
    }
}
