//! Word and phrase entries, found by looking words up rather than by running an automaton.
//!
//! A whole-word match can only start where a word starts, so instead of feeding every byte of
//! the text to an automaton, the folded text is cut into [tokens] (a run of word characters, or
//! one other character; spaces only separate) and each token is looked up in a hash table of
//! the entries' first tokens. A hit says whether the token is an entry by itself and how many
//! tokens the longer entries starting with it have; for each such length, the folded text
//! spanning that many tokens is looked up whole. Because folding collapses spaces, that span
//! equals an entry's folded pattern exactly when the entry is there. Building the tables is a
//! hash insertion per entry, so compiling 100,000 entries takes milliseconds where an automaton
//! takes seconds, and the cost of a scan does not grow with the number of entries.
//!
//! Most words of a mail start no entry, and most are rejected before they are even cut out:
//! where the text is ASCII, the [starts] of all tokens in eight bytes are found at once, and
//! each is tested against a filter of the entries' first bytes; only the few that pass are
//! tokenized and looked up.
//!
//! Matches are exactly those of a whole-word search in the folded text (see
//! [`boundary`](super::boundary)); the property tests compare the two.

mod starts;
mod tokens;

use std::collections::HashMap;
use std::ops::Range;

use rustc_hash::FxBuildHasher;

pub(crate) use tokens::count_tokens;

use super::boundary::is_whole_word;
use super::Hit;
use crate::ascii;
use crate::fold::Folded;
use starts::StartFilter;
use tokens::{tokens, tokens_from, word_end};

/// Whole-word entries (word and phrase) that fold, indexed by their first token.
#[derive(Debug, Clone)]
pub(crate) struct WordIndex {
    /// First token -> what starts with it.
    by_first: HashMap<Box<str>, Starts, FxBuildHasher>,
    /// Entries of two tokens or more, by their whole folded pattern.
    sequences: HashMap<Box<str>, u32, FxBuildHasher>,
    /// Rejects most tokens before they are looked up.
    filter: StartFilter,
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
        let mut by_first: HashMap<Box<str>, Starts, FxBuildHasher> = HashMap::default();
        let mut sequences: HashMap<Box<str>, u32, FxBuildHasher> = HashMap::default();
        for (pattern, entry) in entries {
            let mut pattern_tokens = tokens(&pattern);
            let Some(first) = pattern_tokens.next() else {
                continue;
            };
            let count = 1 + pattern_tokens.count();
            if count > MAX_TOKENS {
                continue;
            }
            let starts = by_first.entry(pattern[first].into()).or_default();
            if count == 1 {
                starts.word = Some(entry);
            } else {
                starts.sequence_lengths |= 1 << count;
                sequences.insert(pattern.into_boxed_str(), entry);
            }
        }
        if by_first.is_empty() {
            return None;
        }
        let filter = StartFilter::new(by_first.keys().map(|k| &**k));
        Some(WordIndex {
            by_first,
            sequences,
            filter,
        })
    }

    /// Finds the entries in the folded text (all of them, overlapping ones included).
    pub(crate) fn find(&self, folded: &Folded<'_>, out: &mut Vec<Hit>) {
        self.find_in(folded.as_str(), 0, |entry, range| {
            if let Some(range) = folded.original_range(range) {
                out.push(Hit { entry, range });
            }
        });
    }

    /// Calls `found(entry, folded byte range)` for every entry in `text[from..]`, where `text`
    /// is folded (see [`Folded`]) and `from` is a character boundary that does not split a word.
    pub(crate) fn find_in(
        &self,
        text: &str,
        from: usize,
        mut found: impl FnMut(u32, Range<usize>),
    ) {
        let bytes = text.as_bytes();
        let mut at = from;
        // Whether the byte before `at` is an ASCII word character whose word goes on at `at`.
        let mut in_word = false;
        while let Some(chunk) = ascii::word_at(bytes, at) {
            if chunk & ascii::HIGH_BITS == 0 {
                // All ASCII: test every token that starts in these eight bytes with a byte
                // that some first token starts with. Folded text has no capital letters, and
                // its only whitespace is the space.
                let letters = ascii::in_range(chunk, b'a', b'z') | ascii::equal_to(chunk, b'_');
                let digits = ascii::in_range(chunk, b'0', b'9');
                let words = letters | digits;
                let word_starts = words & !((words << 8) | u64::from(in_word) << 7);
                let firsts = &self.filter.first_bytes;
                let mut starts =
                    word_starts & ((letters & firsts.letters) | (digits & firsts.digits));
                if firsts.others != 0 {
                    starts |= !(words | ascii::equal_to(chunk, b' ')) & ascii::HIGH_BITS;
                }
                while starts != 0 {
                    let start = at + ascii::first_marked(starts);
                    if self.filter.may_start(bytes, start) {
                        if let Some(token) = tokens_from(text, start).next() {
                            self.look_up(text, token, &mut found);
                        }
                    }
                    starts &= starts - 1;
                }
                in_word = words >> 63 != 0;
                at += 8;
            } else {
                // Some non-ASCII character: token by token past these eight bytes.
                at = self.look_up_each(text, at, in_word, at + 8, &mut found);
                in_word = false;
            }
        }
        self.look_up_each(text, at, in_word, text.len(), &mut found);
    }

    /// Looks every token up from `at` until one ends at or after `until`, and returns where the
    /// last one ends (at least `until`; the end of the text when it ends first). When `in_word`, `at` is
    /// inside a word, whose start has been looked at already.
    fn look_up_each(
        &self,
        text: &str,
        at: usize,
        in_word: bool,
        until: usize,
        found: &mut impl FnMut(u32, Range<usize>),
    ) -> usize {
        let start = if in_word { word_end(text, at) } else { at };
        if start >= until {
            return start;
        }
        for token in tokens_from(text, start) {
            let end = token.end;
            self.look_up(text, token, found);
            if end >= until {
                return end;
            }
        }
        text.len()
    }

    /// Reports the entries that start with `token`.
    #[inline]
    fn look_up(&self, text: &str, token: Range<usize>, found: &mut impl FnMut(u32, Range<usize>)) {
        let Some(starts) = self.by_first.get(&text[token.clone()]) else {
            return;
        };
        if let Some(entry) = starts.word {
            found(entry, token.clone());
        }
        if starts.sequence_lengths == 0 {
            return;
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
