//! A filter on how a phrase goes on after its first token, to follow up only the tokens whose
//! next bytes some phrase starting with them has.
//!
//! Phrases often start with everyday words ("budget", "project"), so most tokens that start a
//! phrase in a mail start none of the phrases there: what follows them differs. Checking that
//! properly means cutting out the next tokens and looking the span up, a string hash and
//! compare per length of phrase. This filter answers first, from one bit set shared by all
//! first tokens: each phrase sets the bit of (its first token's number, the first bytes after
//! its first token), hashed, so a token is followed up only when the bytes after it in the
//! text have their bit set under that token's number. How many bytes are tested is decided per
//! first token: as many as its shortest phrase has after it, up to [`TESTED`].
//!
//! It replaced a filter of 256 bits per first token on the three bytes after it: with a hundred
//! phrases behind one first token, a third of those bits were set, and three bytes (a space
//! and two letters) are the same in many words of two languages ("pro" of "proposal" and
//! "projet"), so four first tokens in ten were followed up. Testing each count of bytes that a
//! token's phrases have (one bit each) was tried too: every test adds its own false positives,
//! and with four counts per token a seventh of them got through. One test of up to eight bytes,
//! in a set of at least [`BITS_PER_PHRASE`] bits per phrase (2 bytes each), is cheaper, and lets
//! through only what shares the tested bytes plus a few collisions (about a third of what the
//! old filter did; figures in bench/README.md). None that starts a phrase is ever rejected.

/// Bits per phrase (a power of two).
const BITS_PER_PHRASE: usize = 16;
/// The smallest set, in bits (a power of two).
const MIN_BITS: usize = 1 << 10;
/// How many bytes after a first token are tested, at most.
pub(super) const TESTED: usize = 8;

/// The bit set of (first token, following bytes).
#[derive(Debug, Clone)]
pub(super) struct FollowFilter {
    bits: Vec<u64>,
    /// `64 - log2(number of bits)`: a hash's top bits pick its bit.
    shift: u32,
}

/// The first bytes (at most [`TESTED`]) after a phrase's first token.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tail {
    next: u64,
    len: u8,
}

impl Tail {
    /// The tail of a phrase with `after` after its first token.
    pub(super) fn of(after: &[u8]) -> Tail {
        Tail {
            next: next_bytes(after),
            len: after.len().min(TESTED) as u8,
        }
    }

    /// How many bytes it has (1 to [`TESTED`]; 0 for a phrase that ends with its first token,
    /// which none does).
    pub(super) fn len(&self) -> u8 {
        self.len
    }
}

impl FollowFilter {
    /// An empty filter sized for `phrases` phrases.
    pub(super) fn with_capacity(phrases: usize) -> FollowFilter {
        let bit_count = (phrases * BITS_PER_PHRASE)
            .next_power_of_two()
            .max(MIN_BITS);
        FollowFilter {
            bits: vec![0; bit_count / 64],
            shift: 64 - bit_count.trailing_zeros(),
        }
    }

    /// Adds a phrase whose first token has number `first` and is followed by `tail` in the
    /// phrase, testing `tested` bytes (at most the shortest tail of that first token).
    pub(super) fn add(&mut self, first: u32, tail: &Tail, tested: u8) {
        let bit = self.bit(first, tail.next, tested.min(tail.len));
        if let Some(word) = self.bits.get_mut(bit / 64) {
            *word |= 1 << (bit % 64);
        }
    }

    /// Whether a phrase whose first token has number `first` and tests `tested` bytes may go
    /// on with `after`, the text that follows that token.
    #[inline]
    pub(super) fn may_follow(&self, first: u32, tested: u8, after: &[u8]) -> bool {
        let bit = self.bit(first, next_bytes(after), tested);
        self.bits
            .get(bit / 64)
            .is_some_and(|word| word & (1 << (bit % 64)) != 0)
    }

    /// The bit of `first` and the first `n` (up to [`TESTED`]) bytes of `next`.
    #[inline(always)]
    fn bit(&self, first: u32, next: u64, n: u8) -> usize {
        let kept = if usize::from(n) >= TESTED {
            next
        } else {
            next & ((1 << (8 * n)) - 1)
        };
        let key = kept.wrapping_mul(0xc2b2_ae3d_27d4_eb4f) ^ u64::from(first);
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }
}

/// The first [`TESTED`] bytes of `after` as a little-endian number, zeros past its end.
#[inline(always)]
fn next_bytes(after: &[u8]) -> u64 {
    match after.get(..TESTED) {
        Some(eight) => {
            let mut bytes = [0; TESTED];
            bytes.copy_from_slice(eight);
            u64::from_le_bytes(bytes)
        }
        None => {
            let mut bytes = [0; TESTED];
            bytes[..after.len()].copy_from_slice(after);
            u64::from_le_bytes(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_rejects_what_was_added_and_rejects_most_of_the_rest() {
        // Ten first tokens, each with a hundred tails of 2 to 12 bytes sharing their first bytes.
        let after = |i: u32| format!(" w{i:04}xyzabcd")[..2 + (i % 11) as usize].to_owned();
        let phrases: Vec<(u32, Tail)> = (0..1_000)
            .map(|i| (i % 10, Tail::of(after(i).as_bytes())))
            .collect();
        let mut tested = [TESTED as u8; 20];
        for (first, tail) in &phrases {
            tested[*first as usize] = tested[*first as usize].min(tail.len());
        }
        let mut filter = FollowFilter::with_capacity(phrases.len());
        for (first, tail) in &phrases {
            filter.add(*first, tail, tested[*first as usize]);
        }
        for i in 0..1_000 {
            let (first, after) = (i % 10, after(i));
            let n = tested[first as usize];
            let text = format!("{after} and more");
            assert!(
                filter.may_follow(first, n, text.as_bytes()),
                "{first} {after:?}"
            );
            assert!(
                filter.may_follow(first, n, after.as_bytes()),
                "at the end: {after:?}"
            );
        }
        // Tails under first tokens that have none, and bytes no phrase has.
        let passed = (0..1_000u32)
            .filter(|&i| {
                let other = format!(" v{i:04}xyzab");
                filter.may_follow(i % 10 + 10, 8, after(i).as_bytes())
                    || filter.may_follow(i % 10, tested[i as usize % 10], other.as_bytes())
            })
            .count();
        assert!(passed < 100, "{passed} of 1000 passed");
    }
}
