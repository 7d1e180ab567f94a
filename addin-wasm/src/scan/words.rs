//! Word and phrase entries, found by looking words up rather than by running an automaton.
//!
//! A whole-word match can only start where a word starts, so instead of feeding every byte of
//! the text to an automaton, the folded text is cut into tokens once (a run of word
//! characters, or one other character; spaces only separate) and each token is looked up in a
//! hash table of the entries' first tokens. The rare hits are then checked in place: the
//! folded text must continue with the whole entry and end at a word boundary. Building the
//! table is a hash insertion per entry, so compiling 100,000 entries takes milliseconds where
//! an automaton takes seconds, and scanning costs one hash probe per word (most are skipped
//! before hashing by their first byte and length).
//!
//! Matches are exactly those of a whole-word search in the folded text (see
//! [`boundary`](super::boundary)); the property tests compare the two.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use super::boundary::{is_whole_word, is_word_char};
use super::Hit;
use crate::fold::Folded;

/// Whole-word entries (word and phrase) that fold, indexed by their first token.
#[derive(Debug, Clone)]
pub(crate) struct WordIndex {
    /// First token -> indices into `patterns` of the entries that start with it.
    by_first: HashMap<Box<str>, Vec<u32>, FxBuildHasher>,
    /// Each entry's whole folded pattern and the index of its entry.
    patterns: Vec<(Box<str>, u32)>,
    /// Quick rejection before hashing: first bytes of first tokens...
    first_bytes: [bool; 256],
    /// ...and their lengths (bit `n` for length `n`, bit 63 for 63 and more).
    lengths: u64,
}

impl WordIndex {
    /// Indexes `(folded pattern, entry)` pairs; `None` when there are none.
    pub(crate) fn new(entries: impl IntoIterator<Item = (String, u32)>) -> Option<WordIndex> {
        let mut index = WordIndex {
            by_first: HashMap::default(),
            patterns: Vec::new(),
            first_bytes: [false; 256],
            lengths: 0,
        };
        for (pattern, entry) in entries {
            let Some(first) = tokens(&pattern).next() else {
                continue;
            };
            let token = &pattern[first];
            index.first_bytes[usize::from(token.as_bytes()[0])] = true;
            index.lengths |= length_bit(token.len());
            let id = index.patterns.len() as u32;
            index.by_first.entry(token.into()).or_default().push(id);
            index.patterns.push((pattern.into_boxed_str(), entry));
        }
        (!index.patterns.is_empty()).then_some(index)
    }

    /// Finds the entries in the folded text (all of them, overlapping ones included).
    pub(crate) fn find(&self, folded: &Folded<'_>, out: &mut Vec<Hit>) {
        let text = folded.as_str();
        for token in tokens(text) {
            let first = text.as_bytes()[token.start];
            if !self.first_bytes[usize::from(first)] || self.lengths & length_bit(token.len()) == 0
            {
                continue;
            }
            let Some(candidates) = self.by_first.get(&text[token.clone()]) else {
                continue;
            };
            for &id in candidates {
                let (pattern, entry) = &self.patterns[id as usize];
                let end = token.start + pattern.len();
                if text[token.start..].starts_with(&**pattern)
                    && is_whole_word(text, token.start..end)
                {
                    if let Some(range) = folded.original_range(token.start..end) {
                        out.push(Hit {
                            entry: *entry,
                            range,
                        });
                    }
                }
            }
        }
    }
}

fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

/// The tokens of `text` as byte ranges: runs of word characters, and every other character
/// alone; whitespace separates tokens and is not one.
fn tokens(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || loop {
        let b = *bytes.get(i)?;
        let start = i;
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() || b == b'_' {
                i = word_end(text, i);
                return Some(start..i);
            }
            i += 1;
            if b.is_ascii_whitespace() {
                continue;
            }
            return Some(start..i);
        }
        let c = text[i..].chars().next()?;
        if is_word_char(c) {
            i = word_end(text, i);
        } else {
            i += c.len_utf8();
            if c.is_whitespace() {
                continue;
            }
        }
        return Some(start..i);
    })
}

/// The end of the run of word characters that starts at `start`.
fn word_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        match text[i..].chars().next() {
            Some(c) if !c.is_ascii() && is_word_char(c) => i += c.len_utf8(),
            _ => return i,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_words_and_other_characters() {
        let text = "l'équipe  c++ x_1 日本語😀!";
        let found: Vec<&str> = tokens(text).map(|r| &text[r]).collect();
        assert_eq!(
            found,
            [
                "l",
                "'",
                "équipe",
                "c",
                "+",
                "+",
                "x_1",
                "日本語",
                "😀",
                "!"
            ]
        );
    }
}
