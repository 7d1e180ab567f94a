//! The reference search that the word index is compared with, natively (`scan_properties`) and
//! in WebAssembly (`wasm_scan`): a plain substring search of each pattern in the folded text.

use addin_wasm::fold::Folded;
use addin_wasm::scan::Scanner;
use serde_json::json;

/// A scanner of `patterns` alone, as word entries or (with a space) phrase entries.
pub(crate) fn word_scanner(patterns: &[&str]) -> Scanner {
    let entries: Vec<_> = patterns
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let kind = if p.contains(' ') { "phrase" } else { "word" };
            json!({ "id": format!("e{i}"), "pattern": p, "kind": kind, "category": "c" })
        })
        .collect();
    let dictionary = json!({ "version": 1,
        "categories": [ { "id": "c", "label": { "en": "C" }, "severity": "warn" } ],
        "entries": entries });
    Scanner::from_json(&dictionary.to_string()).unwrap()
}

/// The reference: every occurrence of each folded pattern in the folded text (overlapping ones
/// too) that does not continue a word on either side, then leftmost-longest without overlaps.
pub(crate) fn naive_whole_words(patterns: &[&str], text: &str) -> Vec<(usize, usize)> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let folded = Folded::new(text);
    let f = folded.as_str();
    let mut hits = Vec::new();
    for p in patterns {
        for at in (0..f.len()).filter(|&at| f.is_char_boundary(at) && f[at..].starts_with(p)) {
            let end = at + p.len();
            let joins_before = word(f[..at].chars().next_back()) && word(p.chars().next());
            let joins_after = word(f[end..].chars().next()) && word(p.chars().next_back());
            if !joins_before && !joins_after {
                hits.push((at, end));
            }
        }
    }
    hits.sort_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
    let mut kept = Vec::new();
    let mut last_end = 0;
    for (start, end) in hits {
        if start >= last_end {
            last_end = end;
            let r = folded.original_range(start..end).unwrap();
            kept.push((r.utf16.start, r.utf16.end));
        }
    }
    kept
}
