//! Word, phrase and substring entries.
//!
//! Three matchers share the work:
//!
//! - word and phrase entries that fold (the bulk of any dictionary) are looked up word by word
//!   in the folded text ([`words`](super::words));
//! - substring entries that fold are found in the folded text by an Aho-Corasick automaton;
//! - case-sensitive entries are found in the text as written by another automaton.
//!
//! The automata are searched for *overlapping* matches, because a whole-word test can reject a
//! long match (`projet orion` in `projet orions`) while a shorter one at the same place stands
//! (`projet`); a non-overlapping search would have skipped it. All matches are then resolved
//! the way a reader would: leftmost first, and the longest of those that start at the same
//! place.
//!
//! The automaton kind follows the number of patterns (figures in `TOOLCHAIN.md` and the
//! benchmark): a DFA is about twice as fast as an NFA but takes about a kilobyte per pattern
//! and longer to build, so large lists use the contiguous NFA.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::boundary::is_whole_word;
use super::words::WordIndex;
use super::Hit;
use crate::fold::Folded;

/// Automata of at most this many patterns are DFAs.
pub const DFA_MAX_PATTERNS: usize = 2_000;

/// One literal entry, ready to compile.
#[derive(Debug, Clone)]
pub(crate) struct LiteralSpec {
    /// The index of the entry in the dictionary.
    pub(crate) entry: u32,
    /// The pattern: folded, unless `case_sensitive`.
    pub(crate) pattern: String,
    pub(crate) whole_word: bool,
    pub(crate) case_sensitive: bool,
}

/// The compiled literal entries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Literals {
    words: Option<WordIndex>,
    folded: Option<Automaton>,
    exact: Option<Automaton>,
}

#[derive(Debug, Clone)]
struct Automaton {
    ac: AhoCorasick,
    /// For each pattern: its entry and whether it must stand as a whole word.
    patterns: Vec<(u32, bool)>,
}

impl Literals {
    /// Compiles the literal entries. Fails only when the automaton cannot be built (its size
    /// limits), with the reason.
    pub(crate) fn new(specs: &[LiteralSpec]) -> Result<Literals, String> {
        let (exact, folded): (Vec<_>, Vec<_>) = specs.iter().partition(|s| s.case_sensitive);
        let (words, substrings): (Vec<_>, Vec<_>) = folded.into_iter().partition(|s| s.whole_word);
        Ok(Literals {
            words: WordIndex::new(words.into_iter().map(|s| (s.pattern.clone(), s.entry))),
            folded: Automaton::new(&substrings)?,
            exact: Automaton::new(&exact)?,
        })
    }

    /// Finds the literal entries in a text, resolved to non-overlapping hits, in order.
    pub(crate) fn find(&self, folded: &Folded<'_>, out: &mut Vec<Hit>) {
        let mut hits = Vec::new();
        if let Some(w) = &self.words {
            w.find(folded, &mut hits);
        }
        if let Some(a) = &self.folded {
            a.find(folded.as_str(), &mut hits, |range| {
                folded.original_range(range)
            });
        }
        if let Some(a) = &self.exact {
            a.find(folded.original(), &mut hits, |range| {
                Some(crate::fold::OriginalRange {
                    utf16: folded.utf16_offset(range.start)..folded.utf16_offset(range.end),
                    bytes: range,
                })
            });
        }
        hits.sort_by_key(|h| (h.range.bytes.start, std::cmp::Reverse(h.range.bytes.end)));
        let mut end = 0;
        for hit in hits {
            if hit.range.bytes.start >= end {
                end = hit.range.bytes.end;
                out.push(hit);
            }
        }
    }
}

impl Automaton {
    fn new(specs: &[&LiteralSpec]) -> Result<Option<Automaton>, String> {
        if specs.is_empty() {
            return Ok(None);
        }
        let kind = if specs.len() <= DFA_MAX_PATTERNS {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(specs.iter().map(|s| &s.pattern))
            .map_err(|e| format!("the word list cannot be compiled: {e}"))?;
        let patterns = specs.iter().map(|s| (s.entry, s.whole_word)).collect();
        Ok(Some(Automaton { ac, patterns }))
    }

    /// Finds every match in `text` that passes its whole-word test, mapped to the original.
    fn find(
        &self,
        text: &str,
        out: &mut Vec<Hit>,
        to_original: impl Fn(std::ops::Range<usize>) -> Option<crate::fold::OriginalRange>,
    ) {
        for m in self.ac.find_overlapping_iter(text) {
            let (entry, whole_word) = self.patterns[m.pattern().as_usize()];
            if whole_word && !is_whole_word(text, m.range()) {
                continue;
            }
            if let Some(range) = to_original(m.range()) {
                out.push(Hit { entry, range });
            }
        }
    }
}
