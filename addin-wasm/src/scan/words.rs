//! Word and phrase entries, found by looking words up rather than by running an automaton.
//!
//! A whole-word match can only start where a word starts, so instead of feeding every byte of
//! the text to an automaton, the folded text is cut into tokens once (a run of word
//! characters, or one other character; spaces only separate) and each token is looked up in a
//! hash table of the entries' first tokens. A hit says whether the token is an entry by itself
//! and how many tokens the longer entries starting with it have; for each such length, the
//! folded text spanning that many tokens is looked up whole. Because folding collapses spaces,
//! that span equals an entry's folded pattern exactly when the entry is there. Building the
//! tables is a hash insertion per entry, so compiling 100,000 entries takes milliseconds where
//! an automaton takes seconds, and scanning costs one probe per word (most words are rejected
//! before hashing by their first byte and length), however many entries share a first word.
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
    /// First token -> what starts with it.
    by_first: HashMap<Box<str>, Starts, FxBuildHasher>,
    /// Entries of two tokens or more, by their whole folded pattern.
    sequences: HashMap<Box<str>, u32, FxBuildHasher>,
    /// Quick rejection before hashing: first bytes of first tokens...
    first_bytes: [bool; 256],
    /// ...and their lengths (bit `n` for length `n`, bit 63 for 63 and more).
    lengths: u64,
}

/// What starts with one token.
#[derive(Debug, Clone, Default)]
struct Starts {
    /// The entry that is this token alone.
    word: Option<u32>,
    /// The token counts of the longer entries that start with it (bit `n` for `n` tokens).
    sequence_lengths: u64,
}

/// The most tokens in one entry.
pub(crate) const MAX_TOKENS: usize = 63;

impl WordIndex {
    /// Indexes `(folded pattern, entry)` pairs; `None` when there are none. Patterns of more
    /// than [`MAX_TOKENS`] tokens are left out (compiling refuses them first).
    pub(crate) fn new(entries: impl IntoIterator<Item = (String, u32)>) -> Option<WordIndex> {
        let mut index = WordIndex {
            by_first: HashMap::default(),
            sequences: HashMap::default(),
            first_bytes: [false; 256],
            lengths: 0,
        };
        for (pattern, entry) in entries {
            let mut pattern_tokens = tokens(&pattern);
            let Some(first) = pattern_tokens.next() else {
                continue;
            };
            let count = 1 + pattern_tokens.count();
            if count > MAX_TOKENS {
                continue;
            }
            let token = &pattern[first];
            index.first_bytes[usize::from(token.as_bytes()[0])] = true;
            index.lengths |= length_bit(token.len());
            let starts = index.by_first.entry(token.into()).or_default();
            if count == 1 {
                starts.word = Some(entry);
            } else {
                starts.sequence_lengths |= 1 << count;
                index.sequences.insert(pattern.into_boxed_str(), entry);
            }
        }
        (!index.by_first.is_empty()).then_some(index)
    }

    /// Finds the entries in the folded text (all of them, overlapping ones included).
    pub(crate) fn find(&self, folded: &Folded<'_>, out: &mut Vec<Hit>) {
        self.find_in(folded.as_str(), 0, |entry, range| {
            if let Some(range) = folded.original_range(range) {
                out.push(Hit { entry, range });
            }
        });
    }

    /// Calls `found(entry, folded byte range)` for every entry in `text[from..]`, where `from`
    /// is a character boundary that does not split a word.
    pub(crate) fn find_in(
        &self,
        text: &str,
        from: usize,
        mut found: impl FnMut(u32, std::ops::Range<usize>),
    ) {
        for token in tokens_from(text, from) {
            let first = text.as_bytes()[token.start];
            if !self.first_bytes[usize::from(first)] || self.lengths & length_bit(token.len()) == 0
            {
                continue;
            }
            let Some(starts) = self.by_first.get(&text[token.clone()]) else {
                continue;
            };
            if let Some(entry) = starts.word {
                found(entry, token.clone());
            }
            if starts.sequence_lengths == 0 {
                continue;
            }
            // Try each length of sequence that starts with this token, longest last.
            let mut rest = tokens_from(text, token.end);
            for count in 2..=MAX_TOKENS {
                if starts.sequence_lengths >> count == 0 {
                    break;
                }
                let Some(next) = rest.next() else { break };
                let end = next.end;
                if starts.sequence_lengths & (1 << count) == 0 {
                    continue;
                }
                let slice = &text[token.start..end];
                if let Some(&entry) = self.sequences.get(slice) {
                    if is_whole_word(text, token.start..end) {
                        found(entry, token.start..end);
                    }
                }
            }
        }
    }
}

/// The number of tokens in `text`, as the index counts them.
pub(crate) fn count_tokens(text: &str) -> usize {
    tokens(text).count()
}

fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

/// The tokens of `text` as byte ranges: runs of word characters, and every other character
/// alone; whitespace separates tokens and is not one.
fn tokens(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    tokens_from(text, 0)
}

/// The tokens of `text[from..]` (`from` on a character boundary), with ranges into `text`.
fn tokens_from(text: &str, from: usize) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut i = from;
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
        if bytes.get(i).is_none_or(u8::is_ascii) {
            return i;
        }
        match text[i..].chars().next() {
            Some(c) if is_word_char(c) => i += c.len_utf8(),
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
