//! `addin-server scan FILE [--dictionary D] [--json]`: what the Outlook add-in would find in a
//! text, for admins trying a dictionary before they publish it.
//!
//! The scan runs the same Rust scanner the clients run as WebAssembly, so the verdict and the
//! findings are exactly those a user would get. Positions are printed as `line:column` (columns
//! in characters) for people, and the JSON output keeps the clients' UTF-16 offsets.

use std::fmt::Write as _;
use std::path::Path;

use addin_wasm::scan::{Report, Scanner};

/// Why the command cannot scan: a message for the admin.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ScanCommandError(String);

/// Scans `file` (`-` for standard input) with the dictionary at `dictionary` (the starter
/// dictionary when `None`) and returns what to print.
pub fn run(file: &Path, dictionary: Option<&Path>, json: bool) -> Result<String, ScanCommandError> {
    let scanner = match dictionary {
        Some(path) => Scanner::from_json(&read_text(path)?)
            .map_err(|e| ScanCommandError(format!("{}: {e}", path.display())))?,
        None => Scanner::new(&addin_wasm::scan::Dictionary::starter())
            .map_err(|e| ScanCommandError(format!("the starter dictionary: {e}")))?,
    };
    let text = read_text(file)?;
    let report = scanner
        .scan(&text)
        .map_err(|e| ScanCommandError(format!("{}: {e}", file.display())))?;
    if json {
        let mut out = serde_json::to_string_pretty(&report)
            .map_err(|e| ScanCommandError(format!("cannot write the report as JSON: {e}")))?;
        out.push('\n');
        Ok(out)
    } else {
        Ok(render(&text, &report))
    }
}

/// Reads a UTF-8 text file, or standard input for `-`.
fn read_text(path: &Path) -> Result<String, ScanCommandError> {
    let bytes = if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| ScanCommandError(format!("cannot read standard input: {e}")))?;
        buf
    } else {
        std::fs::read(path)
            .map_err(|e| ScanCommandError(format!("cannot read {}: {e}", path.display())))?
    };
    String::from_utf8(bytes).map_err(|_| {
        ScanCommandError(format!(
            "{} is not UTF-8 text; convert it first (for example: iconv -f latin1 -t utf-8)",
            path.display()
        ))
    })
}

/// The report for people: the verdict, each category, then each finding with its position.
fn render(text: &str, report: &Report) -> String {
    let mut out = String::new();
    let verdict = serde_json::to_value(report.verdict).unwrap_or_default();
    let _ = writeln!(out, "verdict: {}", verdict.as_str().unwrap_or("?"));
    for c in &report.categories {
        let label = c.label.get("en").map(String::as_str).unwrap_or(&c.id);
        let _ = writeln!(
            out,
            "category {} ({label}): {} finding{}, threshold {}, {}",
            c.id,
            c.count,
            if c.count == 1 { "" } else { "s" },
            c.threshold,
            if c.reached { "reached" } else { "not reached" },
        );
    }
    let positions = line_columns(text, report.findings.iter().map(|f| f.start));
    for (f, (line, column)) in report.findings.iter().zip(positions) {
        let source = match (&f.entry_id, f.detector) {
            (Some(id), _) => format!("entry {id}"),
            (None, Some(d)) => format!("detector {}", d.name()),
            (None, None) => String::new(),
        };
        let severity = serde_json::to_value(f.severity).unwrap_or_default();
        let confidence = serde_json::to_value(f.confidence).unwrap_or_default();
        let _ = writeln!(
            out,
            "{line}:{column}\t{}\t{}\t{}\t{source}\t{:?}",
            severity.as_str().unwrap_or("?"),
            confidence.as_str().unwrap_or("?"),
            f.category,
            f.text
        );
    }
    if report.truncated {
        let _ = writeln!(out, "(more findings not listed)");
    }
    out
}

/// Converts sorted UTF-16 offsets of `text` to 1-based (line, column in characters).
fn line_columns(text: &str, offsets: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let mut chars = text.chars().peekable();
    let (mut utf16, mut line, mut column) = (0, 1, 1);
    offsets
        .map(|target| {
            while utf16 < target {
                let Some(c) = chars.next() else { break };
                utf16 += c.len_utf16();
                if c == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            (line, column)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_columns_count_characters_not_code_units() {
        let text = "ab\n😀cd\nx";
        let offsets = [0, 1, 3, 5, 6, 8];
        assert_eq!(
            line_columns(text, offsets.into_iter()),
            [(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 1)]
        );
    }
}
