//! International bank account numbers (ISO 13616).
//!
//! An IBAN is a country code, two check digits and a national account number, 15 to 34
//! characters in all, the length fixed per country. It is written in one piece or in groups of
//! four separated by single spaces (`FR76 3000 6000 0112 3456 7890 189`). A candidate counts
//! when its country is in the registry, it has exactly that country's length, it ends at a word
//! boundary, and the mod 97-10 check holds. Confidence is medium, high with a keyword such as
//! `IBAN`, `RIB` or `virement` nearby.

use std::ops::Range;

use super::checksum::iban_mod97;
use crate::scan::dictionary::Confidence;

/// IBAN lengths by country code (the SWIFT IBAN registry, including the partner countries that
/// use the format).
const LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"ad", 24),
    (b"ae", 23),
    (b"al", 28),
    (b"at", 20),
    (b"az", 28),
    (b"ba", 20),
    (b"be", 16),
    (b"bg", 22),
    (b"bh", 22),
    (b"bi", 27),
    (b"br", 29),
    (b"by", 28),
    (b"ch", 21),
    (b"cr", 22),
    (b"cy", 28),
    (b"cz", 24),
    (b"de", 22),
    (b"dj", 27),
    (b"dk", 18),
    (b"do", 28),
    (b"ee", 20),
    (b"eg", 29),
    (b"es", 24),
    (b"fi", 18),
    (b"fk", 18),
    (b"fo", 18),
    (b"fr", 27),
    (b"gb", 22),
    (b"ge", 22),
    (b"gi", 23),
    (b"gl", 18),
    (b"gr", 27),
    (b"gt", 28),
    (b"hr", 21),
    (b"hu", 28),
    (b"ie", 22),
    (b"il", 23),
    (b"iq", 23),
    (b"is", 26),
    (b"it", 27),
    (b"jo", 30),
    (b"kw", 30),
    (b"kz", 20),
    (b"lb", 28),
    (b"lc", 32),
    (b"li", 21),
    (b"lt", 20),
    (b"lu", 20),
    (b"lv", 21),
    (b"ly", 25),
    (b"mc", 27),
    (b"md", 24),
    (b"me", 22),
    (b"mk", 19),
    (b"mn", 20),
    (b"mr", 27),
    (b"mt", 31),
    (b"mu", 30),
    (b"ni", 28),
    (b"nl", 18),
    (b"no", 15),
    (b"om", 23),
    (b"pk", 24),
    (b"pl", 28),
    (b"ps", 29),
    (b"pt", 25),
    (b"qa", 29),
    (b"ro", 24),
    (b"rs", 22),
    (b"ru", 33),
    (b"sa", 24),
    (b"sc", 31),
    (b"sd", 18),
    (b"se", 24),
    (b"si", 19),
    (b"sk", 24),
    (b"sm", 27),
    (b"so", 23),
    (b"st", 25),
    (b"sv", 28),
    (b"tl", 23),
    (b"tn", 24),
    (b"tr", 26),
    (b"ua", 29),
    (b"va", 22),
    (b"vg", 24),
    (b"xk", 20),
    (b"ye", 30),
];

/// The longest IBAN (Russia).
const MAX_LEN: usize = 34;

/// Reads an IBAN starting at `start` of folded `text` (lowercase). Returns its span and the
/// confidence without a keyword.
pub(crate) fn at(text: &[u8], start: usize) -> Option<(Range<usize>, Confidence)> {
    let country = text.get(start..start + 2)?;
    let &(_, len) = LENGTHS.iter().find(|(c, _)| &c[..] == country)?;
    let mut iban = [0u8; MAX_LEN];
    let mut count = 0;
    let mut i = start;
    while count < len {
        let b = *text.get(i)?;
        if b == b' ' && count > 0 && text.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
            continue;
        }
        if !b.is_ascii_alphanumeric() {
            return None;
        }
        iban[count] = b;
        count += 1;
        i += 1;
    }
    let check_digits_ok = iban[2].is_ascii_digit() && iban[3].is_ascii_digit();
    let ends_at_boundary = !text.get(i).is_some_and(u8::is_ascii_alphanumeric);
    (check_digits_ok && ends_at_boundary && iban_mod97(&iban[..len]))
        .then_some((start..i, Confidence::Medium))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iban(s: &str) -> Option<Range<usize>> {
        at(s.as_bytes(), 0).map(|(r, _)| r)
    }

    #[test]
    fn reads_ibans_in_one_piece_and_in_groups() {
        assert_eq!(iban("fr76 3000 6000 0112 3456 7890 189"), Some(0..33));
        assert_eq!(iban("fr7630006000011234567890189 next"), Some(0..27));
        assert_eq!(iban("gb82 west 1234 5698 7654 32."), Some(0..27));
        assert_eq!(iban("de89 3704 0044 0532 0130 00 2024"), Some(0..27));
    }

    #[test]
    fn rejects_wrong_lengths_countries_and_checksums() {
        assert_eq!(iban("fr76 3000 6000 0112 3456 7890 18"), None); // one short
        assert_eq!(iban("fr7630006000011234567890189x"), None); // runs on
        assert_eq!(iban("zz76 3000 6000 0112 3456 7890 189"), None); // no such country
        assert_eq!(iban("fr77 3000 6000 0112 3456 7890 189"), None); // checksum
        assert_eq!(iban("gb82  west 1234 5698 7654 32"), None); // two spaces
    }

    #[test]
    fn the_length_table_is_sorted_and_within_bounds() {
        assert!(LENGTHS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(LENGTHS
            .iter()
            .all(|&(_, len)| (15..=MAX_LEN).contains(&len)));
    }
}
