//! Whole-word tests by Unicode rules.
//!
//! A word character is what the `regex` crate's `\w` matches (Unicode's alphabetic characters,
//! marks, decimal digits, connector punctuation and join controls, after UTS #18). A match is a
//! whole word when it does not continue a word on either side: the character before it and its
//! own first character are not both word characters, and likewise at its end. So `orion` is a
//! whole word in `Orion,` and `(orion)` but not in `orions`; and an entry `C++` is a whole
//! word in `C++ code` even though `+` is not a word character.

use std::ops::Range;

/// Whether `c` is a word character (the `regex` crate's `\w`).
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        regex_syntax::try_is_word_character(c).unwrap_or_else(|_| c.is_alphanumeric())
    }
}

/// Whether `text[range]` (a non-empty range on character boundaries) stands as a whole word.
pub(crate) fn is_whole_word(text: &str, range: Range<usize>) -> bool {
    let (before, inside, after) = (
        &text[..range.start],
        &text[range.clone()],
        &text[range.end..],
    );
    let joins = |outer: Option<char>, inner: Option<char>| matches!((outer, inner), (Some(o), Some(i)) if is_word_char(o) && is_word_char(i));
    !joins(before.chars().next_back(), inside.chars().next())
        && !joins(after.chars().next(), inside.chars().next_back())
}

/// Whether a word character ends just before byte `at` of `text`.
#[inline]
pub(crate) fn word_before(text: &str, at: usize) -> bool {
    match at.checked_sub(1).and_then(|last| text.as_bytes().get(last)) {
        // An ASCII byte is a whole character: no decoding backwards.
        Some(&b) if b.is_ascii() => b.is_ascii_alphanumeric() || b == b'_',
        Some(_) => text[..at].chars().next_back().is_some_and(is_word_char),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str, needle: &str) -> bool {
        let at = text.find(needle).unwrap();
        is_whole_word(text, at..at + needle.len())
    }

    #[test]
    fn word_before_agrees_with_decoding_the_character_before() {
        let text = "a_1 (b)é日本x😀-\u{301}z\t_";
        for (at, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let decoded = text[..at].chars().next_back().is_some_and(is_word_char);
            assert_eq!(word_before(text, at), decoded, "at {at}");
        }
    }

    #[test]
    fn whole_words() {
        assert!(whole("orion", "orion"));
        assert!(whole("le projet orion, ici", "orion"));
        assert!(whole("(orion)", "orion"));
        assert!(!whole("orions", "orion"));
        assert!(!whole("lorion", "orion"));
        assert!(!whole("orion_2", "orion"));
        assert!(whole("c++ code", "c++"));
        assert!(whole("d'orion", "orion"));
        assert!(!whole("éorion", "orion"));
        assert!(!whole("東京orion", "orion"));
        assert!(whole("😀orion😀", "orion"));
    }
}
