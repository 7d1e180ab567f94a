//! A filter on where tokens start, to skip most words of a text without reading them whole.
//!
//! The filter remembers the first four bytes of every first token of the index (all of a
//! token shorter than four bytes, with its length) as bits of a bit set, hashed. A token in the
//! text can start an entry only if its own first bytes are in the set, and testing that takes
//! one four-byte load, a multiplication and a bit test, without finding where the token ends.
//! A few tokens pass without starting anything (two first tokens sharing their first four
//! bytes, or hash collisions); they are then looked up properly. None that starts an entry is
//! ever rejected.
//!
//! The set has at least 32 bits per first token, so about one word in thirty that starts no
//! entry gets past it.

/// The bit set of first-token prefixes.
#[derive(Debug, Clone)]
pub(super) struct StartFilter {
    bits: Vec<u64>,
    /// `64 - log2(number of bits)`: a hash's top bits pick its bit.
    shift: u32,
    /// Bit `n` set when a first token is `n` bytes long, for `n` in 1 to 3.
    short_lengths: u8,
    /// The kinds of ASCII bytes that first tokens start with.
    pub(super) first_bytes: FirstBytes,
}

/// Which kinds of ASCII bytes first tokens start with, as masks for the byte tests of
/// [`ascii`](crate::ascii): all ones when some first token starts with that kind, else zero.
/// Most dictionaries have no entry that starts with a digit or a punctuation mark, and then
/// the numbers and punctuation of a text (a third of its tokens) are not even tested.
#[derive(Debug, Clone, Default)]
pub(super) struct FirstBytes {
    /// ASCII letters and `_`.
    pub(super) letters: u64,
    pub(super) digits: u64,
    /// Other ASCII characters that are not whitespace.
    pub(super) others: u64,
}

/// Bits per first token (a power of two).
const BITS_PER_TOKEN: usize = 32;
/// The smallest set, in bits (a power of two).
const MIN_BITS: usize = 1 << 12;

impl StartFilter {
    /// Builds the filter of `first_tokens` (non-empty, folded).
    pub(super) fn new<'a>(first_tokens: impl ExactSizeIterator<Item = &'a str>) -> StartFilter {
        let bit_count = (first_tokens.len() * BITS_PER_TOKEN)
            .next_power_of_two()
            .max(MIN_BITS);
        let mut filter = StartFilter {
            bits: vec![0; bit_count / 64],
            shift: 64 - bit_count.trailing_zeros(),
            short_lengths: 0,
            first_bytes: FirstBytes::default(),
        };
        for token in first_tokens {
            let bytes = token.as_bytes();
            match bytes.first() {
                Some(b) if b.is_ascii_digit() => filter.first_bytes.digits = u64::MAX,
                Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
                    filter.first_bytes.letters = u64::MAX
                }
                Some(b) if b.is_ascii() => filter.first_bytes.others = u64::MAX,
                _ => {}
            }
            let len = bytes.len().min(4);
            if len < 4 {
                filter.short_lengths |= 1 << len;
            }
            let bit = filter.bit(prefix(bytes, 0), len);
            filter.bits[bit / 64] |= 1 << (bit % 64);
        }
        filter
    }

    /// Whether a token that starts at `bytes[at]` may be a first token.
    #[inline(always)]
    pub(super) fn may_start(&self, bytes: &[u8], at: usize) -> bool {
        let prefix = prefix(bytes, at);
        if self.has(prefix, 4) {
            return true;
        }
        self.short_lengths != 0
            && (1..4).any(|len| self.short_lengths & (1 << len) != 0 && self.has(prefix, len))
    }

    #[inline(always)]
    fn has(&self, prefix: u32, len: usize) -> bool {
        let bit = self.bit(prefix, len);
        self.bits[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// The bit of the first `len` bytes of `prefix` (1 to 4).
    #[inline(always)]
    fn bit(&self, prefix: u32, len: usize) -> usize {
        let kept = if len >= 4 {
            prefix
        } else {
            prefix & ((1 << (8 * len)) - 1)
        };
        let key = u64::from(kept) | (len as u64) << 32;
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }
}

/// The four bytes at `bytes[at..]` as a little-endian number, with zeros past the end.
#[inline]
fn prefix(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(four) => u32::from_le_bytes([four[0], four[1], four[2], four[3]]),
        None => {
            let mut four = [0; 4];
            let rest = bytes.get(at..).unwrap_or_default();
            four[..rest.len()].copy_from_slice(rest);
            u32::from_le_bytes(four)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_rejects_a_first_token_and_rejects_most_other_words() {
        let firsts = ["projet", "c", "ab", "xyz", "orion", "日本"];
        let filter = StartFilter::new(firsts.into_iter());
        for text in [
            "projet",
            "projets",
            "c++",
            "c",
            "ab,",
            "xyz",
            "orion!",
            "日本語",
        ] {
            assert!(filter.may_start(text.as_bytes(), 0), "{text}");
        }
        let text = "the quick brown fox jumps over the lazy dog while we wait";
        let passed = text
            .split(' ')
            .filter(|w| filter.may_start(w.as_bytes(), 0))
            .count();
        assert!(passed <= 1, "{passed} words passed");
    }
}
