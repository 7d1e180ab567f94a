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
//! where the text is ASCII, the [starts] of all tokens in eight bytes (sixteen with
//! WebAssembly's 128-bit SIMD, one loop for both: [`ChunkMasks`]) are found at once, and
//! each is tested against a filter of the entries' first bytes; only the few that pass are
//! tokenized and looked up. Phrases often start with everyday words ("budget", "projet"), so
//! a token that starts phrases is followed up only when the bytes after it (up to eight) are,
//! by a [filter](follow) shared by all first tokens, the start of how one of its phrases goes
//! on. The first-token table is an open-addressing table of packed keys ([`short_table`]),
//! and where a token starts in an ASCII chunk its end is read from the same chunk's masks.
//!
//! Matches are exactly those of a whole-word search in the folded text (see
//! [`boundary`](super::boundary)); the property tests compare the two.

mod follow;
mod short_table;
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
use follow::{FollowFilter, Tail};
use short_table::ShortTable;
use starts::StartFilter;
use tokens::{tokens, tokens_from, word_end};

/// Whole-word entries (word and phrase) that fold, indexed by their first token.
#[derive(Debug, Clone)]
pub(crate) struct WordIndex {
    /// What starts with each first token, by the token's number.
    starts: Vec<Starts>,
    /// First token of at most [`SHORT`] bytes, packed by [`short_key`] -> its number.
    by_short_first: ShortTable,
    /// Longer first token -> its number.
    by_long_first: HashMap<Box<str>, u32, FxBuildHasher>,
    /// Entries of two tokens or more, by their whole folded pattern.
    sequences: HashMap<Box<str>, u32, FxBuildHasher>,
    /// Rejects most tokens before they are looked up.
    filter: StartFilter,
    /// Rejects most first tokens of longer entries before the entries are looked up.
    follow: FollowFilter,
}

/// What starts with one token.
#[derive(Debug, Clone, Default)]
struct Starts {
    /// The entry that is this token alone.
    word: Option<u32>,
    /// The token counts of the longer entries that start with it (bit `n` for `n` tokens).
    sequence_lengths: u64,
    /// How many bytes after this token the [`FollowFilter`] tests: as many as its longer
    /// entries all have, at most [`follow::TESTED`].
    tested: u8,
}

/// The byte classes of an all-ASCII chunk of folded text, one mark per byte: the high bit of
/// each byte for eight-byte words (`STRIDE` 8, as [`ascii`] marks them), or bit `i` for byte
/// `i` of a sixteen-byte SIMD vector (`STRIDE` 1).
#[derive(Clone, Copy)]
struct ChunkMasks {
    /// `a` to `z` and `_`.
    letters: u64,
    digits: u64,
    /// Spaces; only needed (and only set) when some first token starts with an ASCII
    /// character that is neither a letter nor a digit.
    spaces: u64,
}

/// The [`ChunkMasks`] of the sixteen bytes at `bytes[at..]`, or `None` when fewer remain or one
/// of them is not ASCII. WebAssembly's 128-bit SIMD tests all sixteen at once.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn ascii_chunk_16(bytes: &[u8], at: usize, spaces: bool) -> Option<ChunkMasks> {
    use crate::simd16::{bits, equal_to, in_range, load};
    let v = load(bytes, at)?;
    if bits(v) != 0 {
        return None;
    }
    let letters = core::arch::wasm32::v128_or(in_range(v, b'a', b'z'), equal_to(v, b'_'));
    Some(ChunkMasks {
        letters: u64::from(bits(letters)),
        digits: u64::from(bits(in_range(v, b'0', b'9'))),
        spaces: if spaces {
            u64::from(bits(equal_to(v, b' ')))
        } else {
            0
        },
    })
}

/// The most tokens in one entry.
pub(crate) const MAX_TOKENS: usize = 63;

/// The longest token that [`short_key`] packs into a number.
const SHORT: usize = 15;

/// `LOW_BYTES[n]` keeps the low `n` bytes of a number (a table: WebAssembly has no 128-bit
/// shift, and computing the mask would call a helper).
const LOW_BYTES: [u128; SHORT + 1] = {
    let mut masks = [0u128; SHORT + 1];
    let mut n = 1;
    while n <= SHORT {
        masks[n] = (1u128 << (8 * n)) - 1;
        n += 1;
    }
    masks
};

/// `bytes[token]` and its length packed into one number, when the token has at most [`SHORT`]
/// bytes: most words are that short, and a number is hashed and compared in a few
/// instructions, where a string needs a loop and a call to compare it.
#[inline]
fn short_key(bytes: &[u8], token: Range<usize>) -> Option<u128> {
    let len = token.len();
    if len > SHORT {
        return None;
    }
    let packed = match bytes.get(token.start..token.start + 16) {
        // Sixteen bytes read at once, the token's kept.
        Some(chunk) => u128::from_le_bytes(chunk.try_into().ok()?) & LOW_BYTES[len],
        None => {
            let mut padded = [0u8; 16];
            padded[..len].copy_from_slice(bytes.get(token)?);
            u128::from_le_bytes(padded)
        }
    };
    Some(packed | (len as u128) << 120)
}

impl WordIndex {
    /// Indexes `(folded pattern, entry)` pairs; `None` when there are none. Patterns of more
    /// than [`MAX_TOKENS`] tokens are left out (compiling refuses them first).
    pub(crate) fn new(entries: impl IntoIterator<Item = (String, u32)>) -> Option<WordIndex> {
        let mut by_short_first: HashMap<u128, u32, FxBuildHasher> = HashMap::default();
        let mut by_long_first: HashMap<Box<str>, u32, FxBuildHasher> = HashMap::default();
        let mut first_tokens: Vec<Box<str>> = Vec::new();
        let mut starts: Vec<Starts> = Vec::new();
        let mut sequences: HashMap<Box<str>, u32, FxBuildHasher> = HashMap::default();
        // (first token's number, what follows it) of each longer entry, for the filter.
        let mut follows: Vec<(u32, Tail)> = Vec::new();
        for (pattern, entry) in entries {
            let mut pattern_tokens = tokens(&pattern);
            let Some(first) = pattern_tokens.next() else {
                continue;
            };
            let count = 1 + pattern_tokens.count();
            if count > MAX_TOKENS {
                continue;
            }
            let token = &pattern[first.clone()];
            // A first token seen for the first time also goes into the start filter.
            let mut first_seen = || {
                first_tokens.push(token.into());
                starts.push(Starts::default());
                (starts.len() - 1) as u32
            };
            let number = match short_key(pattern.as_bytes(), first.clone()) {
                Some(key) => *by_short_first.entry(key).or_insert_with(&mut first_seen),
                None => *by_long_first
                    .entry(token.into())
                    .or_insert_with(&mut first_seen),
            };
            let Some(these) = starts.get_mut(number as usize) else {
                continue;
            };
            if count == 1 {
                these.word = Some(entry);
            } else {
                these.sequence_lengths |= 1 << count;
                let tail = Tail::of(&pattern.as_bytes()[first.end..]);
                // Zero until the token's first longer entry (whose tail has a byte at least).
                these.tested = match these.tested {
                    0 => tail.len(),
                    tested => tested.min(tail.len()),
                };
                follows.push((number, tail));
                sequences.insert(pattern.into_boxed_str(), entry);
            }
        }
        if first_tokens.is_empty() {
            return None;
        }
        let filter = StartFilter::new(first_tokens.iter().map(|k| &**k));
        let mut follow = FollowFilter::with_capacity(follows.len());
        for (number, tail) in &follows {
            if let Some(these) = starts.get(*number as usize) {
                follow.add(*number, tail, these.tested);
            }
        }
        Some(WordIndex {
            starts,
            by_short_first: ShortTable::new(by_short_first.into_iter()),
            by_long_first,
            sequences,
            filter,
            follow,
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
        let firsts = &self.filter.first_bytes;
        while let Some(chunk) = ascii::word_at(bytes, at) {
            // Sixteen bytes at a time where WebAssembly has 128-bit SIMD, else eight.
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            if let Some(masks) = ascii_chunk_16(bytes, at, firsts.others != 0) {
                in_word = self.look_up_chunk::<1, 16>(text, at, in_word, masks, &mut found);
                at += 16;
                continue;
            }
            if chunk & ascii::HIGH_BITS == 0 {
                let masks = ChunkMasks {
                    letters: ascii::in_range(chunk, b'a', b'z') | ascii::equal_to(chunk, b'_'),
                    digits: ascii::in_range(chunk, b'0', b'9'),
                    spaces: if firsts.others != 0 {
                        ascii::equal_to(chunk, b' ')
                    } else {
                        0
                    },
                };
                in_word = self.look_up_chunk::<8, 8>(text, at, in_word, masks, &mut found);
                at += 8;
            } else {
                // Some non-ASCII character: token by token past these eight bytes.
                at = self.look_up_each(text, at, in_word, at + 8, &mut found);
                in_word = false;
            }
        }
        self.look_up_each(text, at, in_word, text.len(), &mut found);
    }

    /// Looks up every token that starts in the all-ASCII chunk of `WIDTH` bytes at `at` with a
    /// byte that some first token starts with, given the chunk's masks (`STRIDE` bits per byte,
    /// see [`ChunkMasks`]); `in_word` says whether a word goes on into the chunk. Returns whether
    /// one goes on past it. Folded text has no capital letters, and its only whitespace is the
    /// space.
    #[inline(always)]
    fn look_up_chunk<const STRIDE: u32, const WIDTH: usize>(
        &self,
        text: &str,
        at: usize,
        in_word: bool,
        masks: ChunkMasks,
        found: &mut impl FnMut(u32, Range<usize>),
    ) -> bool {
        // The mark of byte 0, and the marks of all bytes.
        let mark: u64 = if STRIDE == 8 { 0x80 } else { 1 };
        let all = if STRIDE == 8 {
            ascii::HIGH_BITS
        } else {
            (1 << WIDTH) - 1
        };
        let offset_of = |mask: u64| (mask.trailing_zeros() / STRIDE) as usize;
        let ChunkMasks {
            letters,
            digits,
            spaces,
        } = masks;
        let words = letters | digits;
        let word_starts = words & !((words << STRIDE) | (u64::from(in_word) * mark));
        let firsts = &self.filter.first_bytes;
        let mut starts = word_starts & ((letters & firsts.letters) | (digits & firsts.digits));
        if firsts.others != 0 {
            starts |= !(words | spaces) & all;
        }
        // Bytes that end a word: where a word that starts in this chunk ends, unless it goes on
        // past the chunk.
        let enders = !words & all;
        let bytes = text.as_bytes();
        while starts != 0 {
            let offset = offset_of(starts);
            let start = at + offset;
            if self.filter.may_start(bytes, start) {
                let shift = STRIDE * offset as u32;
                let end = if words & (mark << shift) == 0 {
                    // A character that is a token alone.
                    start + 1
                } else {
                    match enders & (u64::MAX << shift) {
                        0 => word_end(text, at + WIDTH),
                        after => at + offset_of(after),
                    }
                };
                self.look_up(text, start..end, found);
            }
            starts &= starts - 1;
        }
        words & (mark << (STRIDE * (WIDTH as u32 - 1))) != 0
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
            if self.filter.may_start(text.as_bytes(), token.start) {
                self.look_up(text, token, found);
            }
            if end >= until {
                return end;
            }
        }
        text.len()
    }

    /// Reports the entries that start with `token`.
    #[inline]
    fn look_up(&self, text: &str, token: Range<usize>, found: &mut impl FnMut(u32, Range<usize>)) {
        let number = match short_key(text.as_bytes(), token.clone()) {
            Some(key) => self.by_short_first.get(key),
            None => self.by_long_first.get(&text[token.clone()]).copied(),
        };
        let Some((number, starts)) = number.and_then(|n| Some((n, self.starts.get(n as usize)?)))
        else {
            return;
        };
        if let Some(entry) = starts.word {
            found(entry, token.clone());
        }
        if starts.sequence_lengths == 0
            || !self
                .follow
                .may_follow(number, starts.tested, &text.as_bytes()[token.end..])
        {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every occurrence of each pattern in `text` that stands as whole words, overlapping
    /// ones included.
    fn naive(patterns: &[String], text: &str) -> Vec<(u32, Range<usize>)> {
        let mut found = Vec::new();
        for (entry, p) in patterns.iter().enumerate() {
            for (at, _) in text.char_indices() {
                if text[at..].starts_with(p.as_str()) && is_whole_word(text, at..at + p.len()) {
                    found.push((entry as u32, at..at + p.len()));
                }
            }
        }
        found.sort_by_key(|(e, r)| (r.start, r.end, *e));
        found
    }

    #[test]
    fn many_phrases_behind_shared_first_tokens_are_all_found() {
        // First tokens of one to twenty bytes, each starting phrases whose next words share
        // their first bytes and have from one byte to many after the first token.
        let firsts = [
            "a",
            "to",
            "the",
            "plan",
            "budget",
            "ab_cd_ef_gh_ij_klmn",
            "x1",
        ];
        let nexts = [
            "b",
            "be",
            "bet",
            "beta",
            "betas",
            "betamax",
            "betamaxes",
            "b-c",
            "l'eq",
        ];
        let mut patterns: Vec<String> = Vec::new();
        for f in firsts {
            patterns.push(f.to_owned());
            for n in nexts {
                patterns.push(format!("{f} {n}"));
                patterns.push(format!("{f} {n} z"));
            }
        }
        let index = WordIndex::new(patterns.iter().cloned().zip(0..)).unwrap();
        // Texts with the phrases, their prefixes and near misses, in every order.
        let mut words: Vec<&str> = firsts.to_vec();
        words.extend(nexts);
        words.extend(["bet,", "betam", "z", "zz", "plans", "(a)", "été"]);
        let mut text = String::new();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..6_000 {
            // xorshift: words in an order that varies without a period.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(words[(state % words.len() as u64) as usize]);
            text.push(if state % 23 == 0 { '-' } else { ' ' });
        }
        let mut found = Vec::new();
        index.find_in(&text, 0, |entry, range| found.push((entry, range)));
        found.sort_by_key(|(e, r)| (r.start, r.end, *e));
        let expected = naive(&patterns, &text);
        let phrases = expected
            .iter()
            .filter(|(_, r)| text[r.clone()].contains(" "))
            .count();
        assert!(phrases > 300, "{phrases} phrases expected");
        assert_eq!(found, expected);
    }
}
