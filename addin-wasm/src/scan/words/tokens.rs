//! Cutting folded text into tokens: runs of word characters, and every other character alone.
//!
//! ASCII bytes are classified by a table and runs of word characters are skipped eight bytes at
//! a time; only non-ASCII characters are decoded (and tested with the Unicode word rules of
//! [`boundary`](crate::scan::boundary)).

use crate::ascii;
use crate::scan::boundary::is_word_char;

/// The number of tokens in `text`, as the index counts them.
pub(crate) fn count_tokens(text: &str) -> usize {
    tokens(text).count()
}

/// The tokens of `text` as byte ranges: runs of word characters, and every other character
/// alone; whitespace separates tokens and is not one.
pub(super) fn tokens(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    tokens_from(text, 0)
}

/// The tokens of `text[from..]` (`from` on a character boundary), with ranges into `text`.
pub(super) fn tokens_from(text: &str, from: usize) -> Tokens<'_> {
    Tokens { text, at: from }
}

/// The iterator of [`tokens_from`]: ASCII bytes are classified by a table, and only non-ASCII
/// characters are decoded.
pub(super) struct Tokens<'t> {
    text: &'t str,
    at: usize,
}

/// What an ASCII byte is to the tokenizer; every byte from `0x80` is [`Class::NonAscii`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Word,
    Space,
    Other,
    NonAscii,
}

const CLASSES: [Class; 256] = {
    let mut classes = [Class::NonAscii; 256];
    let mut b = 0;
    while b < 0x80 {
        let byte = b as u8;
        classes[b] = if byte.is_ascii_alphanumeric() || byte == b'_' {
            Class::Word
        } else if ascii::is_whitespace(byte) {
            Class::Space
        } else {
            Class::Other
        };
        b += 1;
    }
    classes
};

impl Iterator for Tokens<'_> {
    type Item = std::ops::Range<usize>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        loop {
            let start = self.at;
            let b = *bytes.get(start)?;
            match CLASSES[usize::from(b)] {
                Class::Word => {
                    self.at = word_end(self.text, start + 1);
                    return Some(start..self.at);
                }
                Class::Space => self.at += 1,
                Class::Other => {
                    self.at += 1;
                    return Some(start..self.at);
                }
                Class::NonAscii => {
                    let c = self.text[start..].chars().next()?;
                    if is_word_char(c) {
                        self.at = word_end(self.text, start + c.len_utf8());
                        return Some(start..self.at);
                    }
                    self.at += c.len_utf8();
                    if !c.is_whitespace() {
                        return Some(start..self.at);
                    }
                }
            }
        }
    }
}

/// The end of the run of word characters that continues at `from`.
#[inline(always)]
pub(super) fn word_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    // Eight bytes at a time, then one at a time near the end of the text.
    while let Some(word) = ascii::word_at(bytes, i) {
        let others = !ascii::word_bytes(word) & ascii::HIGH_BITS;
        if others != 0 {
            i += ascii::first_marked(others);
            break;
        }
        i += 8;
    }
    while bytes
        .get(i)
        .is_some_and(|&b| CLASSES[usize::from(b)] == Class::Word)
    {
        i += 1;
    }
    if bytes.get(i).is_none_or(u8::is_ascii) {
        i
    } else {
        non_ascii_word_end(text, i)
    }
}

/// [`word_end`] once it meets a non-ASCII character at `from`.
#[cold]
#[inline(never)]
fn non_ascii_word_end(text: &str, from: usize) -> usize {
    let mut i = from;
    while let Some(c) = text[i..].chars().next() {
        if c.is_ascii() {
            if CLASSES[usize::from(c as u8)] != Class::Word {
                break;
            }
            i += 1;
        } else if is_word_char(c) {
            i += c.len_utf8();
        } else {
            break;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_words_and_other_characters() {
        let text = "l'équipe  c++ x_1 日本語😀!";
        let found: Vec<&str> = tokens(text).map(|r| &text[r]).collect();
        assert_eq!(
            found,
            [
                "l",
                "'",
                "équipe",
                "c",
                "+",
                "+",
                "x_1",
                "日本語",
                "😀",
                "!"
            ]
        );
    }
}
