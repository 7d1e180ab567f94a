//! Regex entries: one set pass to learn which patterns occur, then each of those alone to learn
//! where.
//!
//! Regexes run on the text as written, case-insensitively unless the entry is case-sensitive
//! (folding accents inside a pattern would change its meaning: `\D` is not `\d`). The `regex`
//! crate matches in time linear in the text whatever the pattern, and the compiled size of each
//! regex and of the set is capped ([`limits`](super::limits)), so a hostile pattern can cost
//! neither time nor memory beyond those bounds.

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::limits::{
    MAX_REGEX_CACHE_BYTES, MAX_REGEX_COMPILED_BYTES, MAX_REGEX_SET_COMPILED_BYTES,
};
use super::Hit;
use crate::fold::{Folded, OriginalRange};

/// The compiled regex entries.
#[derive(Debug, Clone)]
pub(crate) struct Regexes {
    set: RegexSet,
    /// Each regex and the index of its entry, in the set's order.
    each: Vec<(Regex, u32)>,
}

/// The pattern with its case flag applied, as both the set and the single regex compile it.
fn flagged(pattern: &str, case_sensitive: bool) -> String {
    let flags = if case_sensitive { "" } else { "i" };
    format!("(?{flags}:{pattern})")
}

/// Compiles one regex entry, or says what is wrong with it.
pub(crate) fn compile(pattern: &str, case_sensitive: bool) -> Result<Regex, String> {
    let flagged = flagged(pattern, case_sensitive);
    let regex = RegexBuilder::new(&flagged)
        .size_limit(MAX_REGEX_COMPILED_BYTES)
        .dfa_size_limit(MAX_REGEX_CACHE_BYTES)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => format!(
                "the regex compiles to more than {limit} bytes; simplify it (large counted \
                 repetitions such as \\w{{500}} and Unicode classes are the usual cause)"
            ),
            other => format!("invalid regex: {other}"),
        })?;
    let matches_empty = regex_syntax::Parser::new()
        .parse(&flagged)
        .map(|hir| hir.properties().minimum_len() == Some(0))
        .unwrap_or(false);
    if matches_empty {
        return Err(
            "the regex matches empty text, so it would match every message; \
                    make it require at least one character"
                .to_owned(),
        );
    }
    Ok(regex)
}

impl Regexes {
    /// Builds the set from regexes already compiled one by one with [`compile`].
    pub(crate) fn new(each: Vec<(Regex, u32)>) -> Result<Option<Regexes>, String> {
        if each.is_empty() {
            return Ok(None);
        }
        let set = RegexSetBuilder::new(each.iter().map(|(r, _)| r.as_str()))
            .size_limit(MAX_REGEX_SET_COMPILED_BYTES)
            .dfa_size_limit(MAX_REGEX_CACHE_BYTES)
            .build()
            .map_err(|e| format!("the regex entries together are too large to compile: {e}"))?;
        Ok(Some(Regexes { set, each }))
    }

    /// Finds every regex entry in the text.
    pub(crate) fn find(&self, folded: &Folded<'_>, out: &mut Vec<Hit>) {
        let text = folded.original();
        for index in self.set.matches(text).iter() {
            let (regex, entry) = &self.each[index];
            for m in regex.find_iter(text) {
                if m.is_empty() {
                    continue;
                }
                let range = OriginalRange {
                    utf16: folded.utf16_offset(m.start())..folded.utf16_offset(m.end()),
                    bytes: m.range(),
                };
                out.push(Hit {
                    entry: *entry,
                    range,
                });
            }
        }
    }
}
