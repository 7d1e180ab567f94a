//! Tests on eight bytes at once, for the hot loops over mostly-ASCII text.
//!
//! Folding and the detectors look at every byte of a mail. Reading the text eight bytes at a
//! time as a `u64` and testing all eight in a handful of integer operations ("SIMD within a
//! register") makes those loops several times faster than a byte at a time, in native code and
//! in WebAssembly alike (both have 64-bit integers; neither needs a SIMD extension).
//!
//! Every function here is exact for every byte value: a test marks a byte by setting its high
//! bit (`0x80`) in the result and leaves the other bytes zero, with no carry between bytes.

/// `0x0101...01`: one in every byte.
const ONES: u64 = u64::from_ne_bytes([1; 8]);
/// `0x8080...80`: the high bit of every byte, which is what the tests give when all eight bytes
/// pass.
pub(crate) const HIGH_BITS: u64 = ONES * 0x80;
/// `0x7f7f...7f`: the low seven bits of every byte.
const LOWS: u64 = ONES * 0x7f;

/// Reads eight bytes of `bytes` from `at` as a little-endian word, or `None` when fewer remain.
#[inline]
pub(crate) fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// Marks the bytes of `word` in `low..=high` (both ASCII).
#[inline]
pub(crate) fn in_range(word: u64, low: u8, high: u8) -> u64 {
    debug_assert!(low <= high && high < 0x80);
    let seven = word & LOWS;
    // With at most seven bits in each byte, adding at most 0x80 cannot carry into the next.
    let at_least_low = seven + ONES * u64::from(0x80 - low);
    let above_high = seven + ONES * u64::from(0x7f - high);
    at_least_low & !above_high & !word & HIGH_BITS
}

/// Marks the bytes of `word` equal to `byte` (ASCII).
#[inline]
pub(crate) fn equal_to(word: u64, byte: u8) -> u64 {
    in_range(word, byte, byte)
}

/// Marks the ASCII word characters of `word`: letters, digits and `_`.
#[inline]
pub(crate) fn word_bytes(word: u64) -> u64 {
    letters(word) | in_range(word, b'0', b'9')
}

/// Marks the ASCII letters of `word`, and `_`: the word characters that are not digits.
#[inline]
pub(crate) fn letters(word: u64) -> u64 {
    in_range(word, b'a', b'z') | in_range(word, b'A', b'Z') | equal_to(word, b'_')
}

/// Whether the byte `b` is an ASCII character that [`char::is_whitespace`] accepts: space, and
/// tab to carriage return (`0x09..=0x0d`; unlike [`u8::is_ascii_whitespace`], with the vertical
/// tab). [`whitespace`] tests eight at once.
pub(crate) const fn is_whitespace(b: u8) -> bool {
    b == b' ' || (0x09 <= b && b <= 0x0d)
}

/// Marks the bytes of `word` that are whitespace ([`is_whitespace`]).
#[inline]
pub(crate) fn whitespace(word: u64) -> u64 {
    equal_to(word, b' ') | in_range(word, 0x09, 0x0d)
}

/// Lowercases the ASCII capital letters of `word`, leaving every other byte as it is.
#[inline]
pub(crate) fn to_lowercase(word: u64) -> u64 {
    word | (in_range(word, b'A', b'Z') >> 2)
}

/// The index (0 to 7) of the first marked byte of a non-zero mask from the tests above, counting
/// from the byte read first by [`word_at`].
#[inline]
pub(crate) fn first_marked(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The offset of the first ASCII digit in `bytes` at or after `from`, if any. Sixteen bytes at
/// a time where WebAssembly has 128-bit SIMD ([`simd16`](crate::simd16)), then eight.
pub(crate) fn find_digit(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    while let Some(v) = crate::simd16::load(bytes, at) {
        let digits = crate::simd16::bits(crate::simd16::in_range(v, b'0', b'9'));
        if digits != 0 {
            return Some(at + digits.trailing_zeros() as usize);
        }
        at += 16;
    }
    while let Some(word) = word_at(bytes, at) {
        let digits = in_range(word, b'0', b'9');
        if digits != 0 {
            return Some(at + first_marked(digits));
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    rest.iter().position(u8::is_ascii_digit).map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scalar version of a byte test, as a mask.
    fn scalar(bytes: [u8; 8], test: impl Fn(u8) -> bool) -> u64 {
        u64::from_le_bytes(bytes.map(|b| if test(b) { 0x80 } else { 0 }))
    }

    #[test]
    fn byte_tests_agree_with_scalar_tests_on_every_byte_value() {
        // Every byte value in every position, next to neighbours that could carry into it.
        for b in 0..=255u8 {
            for fill in [0x00, 0x7f, 0x80, 0xff, b'0', b'Z'] {
                for position in 0..8 {
                    let mut bytes = [fill; 8];
                    bytes[position] = b;
                    let word = u64::from_le_bytes(bytes);
                    for (low, high) in [(b'0', b'9'), (b'A', b'Z'), (0x20, 0x7e), (b' ', b' ')] {
                        assert_eq!(
                            in_range(word, low, high),
                            scalar(bytes, |x| (low..=high).contains(&x)),
                            "{bytes:?} in {low}..={high}"
                        );
                    }
                    assert_eq!(
                        whitespace(word),
                        scalar(bytes, |x| x < 0x80 && char::from(x).is_whitespace())
                    );
                    assert_eq!(is_whitespace(b), b < 0x80 && char::from(b).is_whitespace());
                    assert_eq!(
                        word_bytes(word),
                        scalar(bytes, |x| x.is_ascii_alphanumeric() || x == b'_')
                    );
                    assert_eq!(
                        to_lowercase(word).to_le_bytes(),
                        bytes.map(|x| x.to_ascii_lowercase())
                    );
                }
            }
        }
    }

    #[test]
    fn finds_the_first_digit() {
        let text = b"no digits here, then 42 and 7";
        assert_eq!(find_digit(text, 0), Some(21));
        assert_eq!(find_digit(text, 22), Some(22));
        assert_eq!(find_digit(text, 23), Some(28));
        assert_eq!(find_digit(text, 29), None);
        assert_eq!(find_digit(text, 40), None);
        assert_eq!(find_digit("é1".as_bytes(), 0), Some(2));
        assert_eq!(
            first_marked(equal_to(u64::from_le_bytes(*b"abc def "), b' ')),
            3
        );
    }
}
