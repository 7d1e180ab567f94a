//! The check-digit algorithms the detectors validate numbers with.

/// The Luhn (mod 10) check used by payment cards and Canadian SINs: `digits` are values 0-9,
/// the last one being the check digit.
pub(crate) fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum % 10 == 0
}

/// The ISO 7064 mod 97-10 check of an IBAN written without spaces, in upper- or lowercase
/// (ISO 13616): move the first four characters to the end, read letters as 10 to 35, and the
/// number must leave 1 when divided by 97.
pub(crate) fn iban_mod97(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let mut remainder = 0u32;
    for &b in iban[4..].iter().chain(&iban[..4]) {
        remainder = match b {
            b'0'..=b'9' => (remainder * 10 + u32::from(b - b'0')) % 97,
            b'a'..=b'z' => (remainder * 100 + u32::from(b - b'a' + 10)) % 97,
            b'A'..=b'Z' => (remainder * 100 + u32::from(b - b'A' + 10)) % 97,
            _ => return false,
        };
    }
    remainder == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b - b'0').collect()
    }

    #[test]
    fn luhn_known_answers() {
        assert!(luhn(&digits("79927398713")));
        assert!(!luhn(&digits("79927398710")));
        assert!(luhn(&digits("4970101234567893")));
        assert!(luhn(&digits("046454286")));
        assert!(!luhn(&digits("046454287")));
        assert!(!luhn(&[]));
    }

    #[test]
    fn mod97_known_answers() {
        assert!(iban_mod97(b"FR7630006000011234567890189"));
        assert!(iban_mod97(b"de89370400440532013000"));
        assert!(iban_mod97(b"GB82WEST12345698765432"));
        assert!(!iban_mod97(b"GB82WEST12345698765431"));
        assert!(!iban_mod97(b"GB82"));
        assert!(!iban_mod97(b"GB82WEST1234569876543!"));
    }
}
