//! Payment card numbers: 13 to 19 digits, issuer ranges, the Luhn check, test numbers left out.
//!
//! A number counts when all of these hold:
//!
//! - 13 to 19 digits, written together or in groups separated by single spaces or by single
//!   dashes (not both), the first group of four digits and the others of three to six
//!   (`4970 1012 3456 7899`, `3782-822463-10005`);
//! - its leading digits fall in a card network's issuer range and its length is one that
//!   network issues (Visa, Mastercard, American Express, Discover, Diners Club, JCB, UnionPay,
//!   Maestro, Mir, RuPay);
//! - the Luhn check digit is right;
//! - it is not one of the test numbers published by payment processors (they fill
//!   documentation and test mail, and are not anyone's card), nor one digit repeated.
//!
//! Confidence is medium, high with a keyword such as `card` or `carte` nearby.

use super::checksum::luhn;
use super::number::{Number, Separator};
use crate::scan::dictionary::Confidence;

/// Issuer ranges: the first `digits` digits between `low` and `high`, and the lengths issued.
struct Issuer {
    digits: u32,
    low: u32,
    high: u32,
    lengths: &'static [usize],
}

const fn issuer(digits: u32, low: u32, high: u32, lengths: &'static [usize]) -> Issuer {
    Issuer {
        digits,
        low,
        high,
        lengths,
    }
}

const SIXTEEN_TO_NINETEEN: &[usize] = &[16, 17, 18, 19];

const ISSUERS: &[Issuer] = &[
    issuer(1, 4, 4, &[13, 16, 19]),                   // Visa
    issuer(2, 51, 55, &[16]),                         // Mastercard
    issuer(4, 2221, 2720, &[16]),                     // Mastercard 2-series
    issuer(2, 34, 34, &[15]),                         // American Express
    issuer(2, 37, 37, &[15]),                         // American Express
    issuer(4, 6011, 6011, SIXTEEN_TO_NINETEEN),       // Discover
    issuer(3, 644, 649, SIXTEEN_TO_NINETEEN),         // Discover
    issuer(2, 65, 65, SIXTEEN_TO_NINETEEN),           // Discover, RuPay
    issuer(3, 300, 305, &[14, 15, 16, 17, 18, 19]),   // Diners Club
    issuer(2, 36, 36, &[14, 15, 16, 17, 18, 19]),     // Diners Club
    issuer(2, 38, 39, &[14, 15, 16, 17, 18, 19]),     // Diners Club
    issuer(4, 3528, 3589, SIXTEEN_TO_NINETEEN),       // JCB
    issuer(2, 62, 62, SIXTEEN_TO_NINETEEN),           // UnionPay
    issuer(2, 50, 50, &[13, 14, 15, 16, 17, 18, 19]), // Maestro
    issuer(2, 56, 58, &[13, 14, 15, 16, 17, 18, 19]), // Maestro
    issuer(2, 63, 63, &[13, 14, 15, 16, 17, 18, 19]), // Maestro
    issuer(2, 67, 67, &[13, 14, 15, 16, 17, 18, 19]), // Maestro
    issuer(4, 2200, 2204, SIXTEEN_TO_NINETEEN),       // Mir
    issuer(2, 60, 60, &[16]),                         // RuPay
];

/// Numbers published by payment processors and networks for testing.
const TEST_NUMBERS: &[&str] = &[
    "4111111111111111",
    "4242424242424242",
    "4012888888881881",
    "4222222222222",
    "4000056655665556",
    "4444333322221111",
    "4917610000000000",
    "4988438843884305",
    "5555555555554444",
    "5105105105105100",
    "5200828282828210",
    "5454545454545454",
    "2223003122003222",
    "2223000048400011",
    "378282246310005",
    "371449635398431",
    "378734493671000",
    "6011111111111117",
    "6011000990139424",
    "6011000400000000",
    "30569309025904",
    "38520000023237",
    "36227206271667",
    "3530111333300000",
    "3566002020360505",
    "3566111111111113",
    "6200000000000005",
    "6759649826438453",
];

/// Checks `number` as a payment card; returns the confidence without a keyword.
pub(crate) fn check(number: &Number) -> Option<Confidence> {
    let digits = number.digits()?;
    if !(13..=19).contains(&digits.len()) || !grouped_like_a_card(number) {
        return None;
    }
    let known_issuer = ISSUERS.iter().any(|i| {
        let prefix = digits[..i.digits as usize]
            .iter()
            .fold(0u32, |n, &d| n * 10 + u32::from(d));
        (i.low..=i.high).contains(&prefix) && i.lengths.contains(&digits.len())
    });
    if !known_issuer || !luhn(digits) || digits.iter().all(|&d| d == digits[0]) {
        return None;
    }
    let is_test_number = TEST_NUMBERS
        .iter()
        .any(|t| t.len() == digits.len() && t.bytes().zip(digits).all(|(a, &d)| a - b'0' == d));
    (!is_test_number).then_some(Confidence::Medium)
}

fn grouped_like_a_card(number: &Number) -> bool {
    match number.separator() {
        Separator::None => true,
        Separator::Mixed => false,
        Separator::Space | Separator::Dash => match number.groups() {
            Some([first, rest @ ..]) => *first == 4 && rest.iter().all(|g| (3..=6).contains(g)),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::detect::number::read;

    fn card(s: &str) -> Option<Confidence> {
        check(&read(s.as_bytes(), 0))
    }

    #[test]
    fn real_looking_numbers_of_each_network() {
        for n in [
            "4970101234567893",
            "4970 1012 3456 7893",
            "4970-1012-3456-7893",
            "5132 8501 1234 5671",
            "2720 9912 3456 7894",
            "3412 098765 43211",
            "6011 1234 5678 9019",
            "3530 1234 5678 9018",
        ] {
            assert_eq!(card(n), Some(Confidence::Medium), "{n}");
        }
    }

    #[test]
    fn rejects_bad_check_digits_unknown_issuers_odd_groupings_and_test_numbers() {
        for n in [
            "4970101234567894",      // Luhn
            "9970101234567892",      // no issuer starts with 9
            "49701012345678",        // Visa does not issue 14 digits
            "4970 1012-3456 7893",   // mixed separators
            "497 0101 2345 67893",   // first group not four digits
            "4111 1111 1111 1111",   // test number
            "4242424242424242",      // test number
            "0000000000000000",      // no issuer, repeated
            "4970 1012 3456 7810 1", // 17 digits, Visa issues 16 or 19
        ] {
            assert_eq!(card(n), None, "{n}");
        }
    }

    #[test]
    fn test_numbers_pass_luhn_so_the_list_matters() {
        for t in TEST_NUMBERS {
            let digits: Vec<u8> = t.bytes().map(|b| b - b'0').collect();
            assert!(luhn(&digits), "{t}");
        }
    }
}
