//! National identity numbers: US Social Security numbers and Canadian Social Insurance numbers.
//!
//! Both are nine digits, and nine-digit numbers are everywhere (orders, invoices, phone
//! extensions), so the way a number is written and the words around it decide the confidence.
//!
//! **US SSN** (`us_ssn`): written `123-45-6789`, `123 45 6789` or in one piece; the area (first
//! three digits) is not 000, 666 or 900-999, the group (next two) is not 00 and the serial (last
//! four) is not 0000; numbers the Social Security Administration has voided after publishing
//! them in advertising are left out. Confidence: medium when grouped 3-2-4, low in one piece;
//! one level higher with a keyword such as `SSN` or `social security` nearby.
//!
//! **Canadian SIN** (`ca_sin`): written `046 454 286`, `046-454-286` or in one piece; the Luhn
//! check holds, and the first digit is not 0 (never assigned) or 8 (unused). Confidence: low
//! (nine grouped digits also read as an amount, `123 456 789`), one level higher with a keyword
//! such as `SIN`, `NAS` or `assurance sociale` nearby.

use super::checksum::luhn;
use super::number::{Formatting, Number};
use crate::scan::dictionary::Confidence;

/// SSNs voided after appearing in advertising and examples.
const VOIDED_SSNS: &[[u8; 9]] = &[
    [0, 7, 8, 0, 5, 1, 1, 2, 0],
    [2, 1, 9, 0, 9, 9, 9, 9, 9],
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
];

/// Checks `number` as a US Social Security number.
pub(crate) fn us_ssn(number: &Number) -> Option<Confidence> {
    let d = nine_digits(number)?;
    let area = u32::from(d[0]) * 100 + u32::from(d[1]) * 10 + u32::from(d[2]);
    let valid = area != 0
        && area != 666
        && area < 900
        && d[3..5] != [0, 0]
        && d[5..9] != [0, 0, 0, 0]
        && !VOIDED_SSNS.iter().any(|v| v[..] == d[..]);
    if !valid {
        return None;
    }
    match number.written_as(&[3, 2, 4]) {
        Formatting::Grouped => Some(Confidence::Medium),
        Formatting::Plain => Some(Confidence::Low),
        Formatting::Other => None,
    }
}

/// Checks `number` as a Canadian Social Insurance number.
pub(crate) fn ca_sin(number: &Number) -> Option<Confidence> {
    let d = nine_digits(number)?;
    if d[0] == 0 || d[0] == 8 || !luhn(d) {
        return None;
    }
    match number.written_as(&[3, 3, 3]) {
        Formatting::Grouped | Formatting::Plain => Some(Confidence::Low),
        Formatting::Other => None,
    }
}

fn nine_digits(number: &Number) -> Option<&[u8]> {
    number.digits().filter(|d| d.len() == 9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::detect::number::read;

    fn ssn(s: &str) -> Option<Confidence> {
        us_ssn(&read(s.as_bytes(), 0))
    }

    fn sin(s: &str) -> Option<Confidence> {
        ca_sin(&read(s.as_bytes(), 0))
    }

    #[test]
    fn ssn_rules() {
        assert_eq!(ssn("536-22-1234"), Some(Confidence::Medium));
        assert_eq!(ssn("536 22 1234"), Some(Confidence::Medium));
        assert_eq!(ssn("536221234"), Some(Confidence::Low));
        for bad in [
            "000-22-1234",
            "666-22-1234",
            "912-22-1234",
            "536-00-1234",
            "536-22-0000",
            "078-05-1120",
            "536-221-234",
            "536-22 1234",
            "536-22-12345",
        ] {
            assert_eq!(ssn(bad), None, "{bad}");
        }
    }

    #[test]
    fn sin_rules() {
        assert_eq!(sin("130 692 544"), Some(Confidence::Low));
        assert_eq!(sin("130-692-544"), Some(Confidence::Low));
        assert_eq!(sin("130692544"), Some(Confidence::Low));
        for bad in [
            "130 692 545", // Luhn
            "046 454 286", // starts with 0
            "830 692 547", // starts with 8 (Luhn-valid)
            "130 69 2544", // grouping
        ] {
            assert_eq!(sin(bad), None, "{bad}");
        }
    }
}
