//! Reading numbers out of folded text: digits, optionally in groups separated by single spaces
//! or dashes, the way people write card, account and identity numbers.

use std::ops::Range;

/// The most digits kept: the longest payment card has 19. Longer numbers are read whole (so
/// that no detector sees a slice of them) but have no digits to check.
const MAX_DIGITS: usize = 19;
/// The most groups kept.
const MAX_GROUPS: usize = 8;

/// How a number's groups are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Separator {
    /// Written in one piece.
    None,
    /// Groups separated by single spaces.
    Space,
    /// Groups separated by single dashes.
    Dash,
    /// Both spaces and dashes.
    Mixed,
}

/// A number read from folded text.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    /// Where it is in the folded text (bytes).
    pub(crate) span: Range<usize>,
    digits: [u8; MAX_DIGITS],
    digit_count: usize,
    groups: [u8; MAX_GROUPS],
    group_count: usize,
    separator: Separator,
}

impl Number {
    /// The digits (values 0 to 9), or `None` when there are more than 19.
    pub(crate) fn digits(&self) -> Option<&[u8]> {
        (self.digit_count <= MAX_DIGITS).then(|| &self.digits[..self.digit_count])
    }

    /// The number of digits in each group, or `None` when there are more than 8 groups.
    pub(crate) fn groups(&self) -> Option<&[u8]> {
        (self.group_count <= MAX_GROUPS).then(|| &self.groups[..self.group_count])
    }

    /// How the groups are separated.
    pub(crate) fn separator(&self) -> Separator {
        self.separator
    }

    /// Written either in one piece, or in exactly these groups with one kind of separator.
    pub(crate) fn written_as(&self, groups: &[u8]) -> Formatting {
        match self.separator {
            Separator::None => Formatting::Plain,
            Separator::Space | Separator::Dash if self.groups() == Some(groups) => {
                Formatting::Grouped
            }
            _ => Formatting::Other,
        }
    }
}

/// How a number fits the usual way of writing one kind of number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Formatting {
    /// All digits together.
    Plain,
    /// In the usual groups.
    Grouped,
    /// Some other grouping.
    Other,
}

/// Reads the number that starts with the digit at `start` of `text` (ASCII bytes of folded
/// text). A separator counts only between two digits, so `1234 ` ends before the space.
pub(crate) fn read(text: &[u8], start: usize) -> Number {
    let mut number = Number {
        span: start..start,
        digits: [0; MAX_DIGITS],
        digit_count: 0,
        groups: [0; MAX_GROUPS],
        group_count: 1,
        separator: Separator::None,
    };
    let mut group_len = 0u8;
    let mut i = start;
    while i < text.len() {
        let b = text[i];
        if b.is_ascii_digit() {
            if number.digit_count < MAX_DIGITS {
                number.digits[number.digit_count] = b - b'0';
            }
            number.digit_count += 1;
            group_len = group_len.saturating_add(1);
            i += 1;
            continue;
        }
        let separator = match b {
            b' ' => Separator::Space,
            b'-' => Separator::Dash,
            _ => break,
        };
        if !text.get(i + 1).is_some_and(u8::is_ascii_digit) {
            break;
        }
        number.separator = match number.separator {
            Separator::None => separator,
            same if same == separator => same,
            _ => Separator::Mixed,
        };
        if number.group_count <= MAX_GROUPS {
            number.groups[number.group_count - 1] = group_len;
        }
        number.group_count += 1;
        group_len = 0;
        i += 1;
    }
    if number.group_count <= MAX_GROUPS {
        number.groups[number.group_count - 1] = group_len;
    }
    number.span.end = i;
    number
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_groups_and_separators() {
        let n = read(b"x 4970 1012-3456 7899, y", 2);
        assert_eq!(n.span, 2..21);
        assert_eq!(n.digits().unwrap().len(), 16);
        assert_eq!(n.groups(), Some(&[4, 4, 4, 4][..]));
        assert_eq!(n.separator(), Separator::Mixed);

        let n = read(b"123-45-6789 ", 0);
        assert_eq!(n.span, 0..11);
        assert_eq!(n.written_as(&[3, 2, 4]), Formatting::Grouped);
        assert_eq!(n.written_as(&[3, 3, 3]), Formatting::Other);
        assert_eq!(
            read(b"123456789", 0).written_as(&[3, 3, 3]),
            Formatting::Plain
        );
    }

    #[test]
    fn a_separator_counts_only_between_digits() {
        assert_eq!(read(b"1234 -5678", 0).span, 0..4);
        assert_eq!(read(b"1234  5678", 0).span, 0..4);
        assert_eq!(read(b"1234-", 0).span, 0..4);
    }

    #[test]
    fn long_numbers_are_read_whole_without_digits() {
        let text = [b'1'; 40];
        let n = read(&text, 0);
        assert_eq!(n.span, 0..40);
        assert_eq!(n.digits(), None);
        let many_groups = b"1 2 3 4 5 6 7 8 9 0";
        assert_eq!(read(many_groups, 0).groups(), None);
    }
}
