//! Text folding for matching: case, accents and width removed, with a map back to the original.
//!
//! The scanner matches dictionary terms against a *folded* copy of the text, so that `Projet
//! Orion`, `PROJET ORIÓN` and `ｐｒｏｊｅｔ ｏｒｉｏｎ` all match the entry `projet orion`. Findings
//! must still point into the text the user wrote (Office.js highlights ranges by UTF-16 offsets),
//! so [`Folded`] keeps, for every byte of the folded text, the UTF-16 offset of the original
//! character it came from.
//!
//! Folding one character:
//!
//! 1. a few letters that Unicode does not decompose are spelled out: `ß` → `ss`, `œ` → `oe`,
//!    `æ` → `ae`, `ø` → `o`, `ł` → `l`, `đ` → `d`, `ı` → `i`;
//! 2. otherwise the character is decomposed by compatibility (NFKD), which also turns full-width
//!    forms and ligatures into their plain letters (`Ａ` → `A`, `ﬁ` → `fi`);
//! 3. combining marks are dropped (the accents of `é`, `ç`) and what remains is lowercased.
//!
//! A combining mark written as its own character (`e` + U+0301) folds to nothing; it stays part
//! of the preceding character's original range, so a match never ends between a letter and its
//! accent.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// A folded copy of a text and the map back to the original's UTF-16 offsets.
#[derive(Debug, Clone)]
pub struct Folded {
    text: String,
    /// For each byte of `text`, the UTF-16 offset in the original of the character it came from.
    origin: Vec<u32>,
    /// For each byte of `text`, the UTF-16 offset in the original just after the character it
    /// came from, including any combining marks that follow it.
    origin_end: Vec<u32>,
}

impl Folded {
    /// Folds `original`.
    ///
    /// ```
    /// use addin_wasm::fold::Folded;
    ///
    /// let f = Folded::new("Straße ÉTÉ");
    /// assert_eq!(f.as_str(), "strasse ete");
    /// // "ete" is at bytes 8..11 of the folded text, and at UTF-16 offsets 7..10 of the original.
    /// assert_eq!(f.original_range(8..11), Some(7..10));
    /// ```
    pub fn new(original: &str) -> Folded {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        let mut origin_end = Vec::with_capacity(original.len());
        let mut utf16 = 0u32;
        // Where the last character that produced output started in `origin_end`, so the
        // combining marks after it can extend its end.
        let mut last_output = 0usize;
        for c in original.chars() {
            let start = utf16;
            utf16 += c.len_utf16() as u32;
            let before = text.len();
            if c.is_ascii() {
                text.push(c.to_ascii_lowercase());
            } else {
                fold_char(c, &mut text);
            }
            let produced = text.len() - before;
            if produced == 0 {
                // Folded away (a combining mark): it belongs to the preceding character.
                for end in &mut origin_end[last_output..] {
                    *end = utf16;
                }
                continue;
            }
            last_output = origin.len();
            origin.resize(origin.len() + produced, start);
            origin_end.resize(origin_end.len() + produced, utf16);
        }
        Folded {
            text,
            origin,
            origin_end,
        }
    }

    /// The folded text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a non-empty byte range of the folded text to the UTF-16 range of the original
    /// characters it came from. A range that covers part of an expansion (one `s` of the `ss`
    /// that `ß` folds to) maps to the whole original character.
    ///
    /// Returns `None` for an empty range or one that reaches past the folded text.
    pub fn original_range(&self, folded: Range<usize>) -> Option<Range<usize>> {
        if folded.start >= folded.end {
            return None;
        }
        let start = *self.origin.get(folded.start)?;
        let end = *self.origin_end.get(folded.end - 1)?;
        Some(start as usize..end as usize)
    }
}

/// Appends the folded form of one non-ASCII character to `out`.
fn fold_char(c: char, out: &mut String) {
    let spelled = match c {
        'ß' | 'ẞ' => "ss",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ø' | 'Ø' => "o",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' => "d",
        'ı' => "i",
        _ => "",
    };
    if !spelled.is_empty() {
        out.push_str(spelled);
        return;
    }
    decompose_compatible(c, |d| {
        if !is_combining_mark(d) {
            for lower in d.to_lowercase() {
                // Lowercasing can itself produce a combining mark ('İ' → "i̇").
                if !is_combining_mark(lower) {
                    out.push(lower);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UTF-16 slice of `s` in `range`, as a String.
    fn utf16_slice(s: &str, range: Range<usize>) -> String {
        let units: Vec<u16> = s.encode_utf16().collect();
        String::from_utf16(&units[range]).unwrap()
    }

    #[test]
    fn folds_case_accents_width_and_ligatures() {
        let cases = [
            ("Projet ORION", "projet orion"),
            ("Élève à Noël, garçon", "eleve a noel, garcon"),
            ("Straße, STRASSE", "strasse, strasse"),
            ("Œuvre, cœur, Æsir", "oeuvre, coeur, aesir"),
            ("ＰＲＯＪＥＴ　ｏｒｉｏｎ１２", "projet orion12"),
            ("ﬁnance", "finance"),
            ("e\u{301}te\u{301}", "ete"),
            ("İstanbul", "istanbul"),
            ("Łódź Øresund", "lodz oresund"),
        ];
        for (input, folded) in cases {
            assert_eq!(Folded::new(input).as_str(), folded, "{input:?}");
        }
    }

    #[test]
    fn maps_matches_back_to_utf16_offsets_of_the_original() {
        // An emoji (two UTF-16 units) and accents before the match.
        let text = "😀 Réf: PROJET Orión!";
        let f = Folded::new(text);
        let at = f.as_str().find("projet orion").unwrap();
        let range = f.original_range(at..at + "projet orion".len()).unwrap();
        assert_eq!(utf16_slice(text, range), "PROJET Orión");
    }

    #[test]
    fn a_match_inside_an_expansion_covers_the_whole_character() {
        let text = "Maß";
        let f = Folded::new(text);
        assert_eq!(f.as_str(), "mass");
        assert_eq!(utf16_slice(text, f.original_range(2..3).unwrap()), "ß");
        assert_eq!(utf16_slice(text, f.original_range(0..4).unwrap()), "Maß");
    }

    #[test]
    fn a_match_never_ends_between_a_letter_and_its_combining_accent() {
        let text = "cafe\u{301} noir";
        let f = Folded::new(text);
        assert_eq!(f.as_str(), "cafe noir");
        assert_eq!(
            utf16_slice(text, f.original_range(0..4).unwrap()),
            "cafe\u{301}"
        );
    }

    #[test]
    fn empty_and_mark_only_texts() {
        assert_eq!(Folded::new("").as_str(), "");
        assert_eq!(Folded::new("\u{301}\u{308}").as_str(), "");
        assert_eq!(Folded::new("").original_range(0..1), None);
        assert_eq!(Folded::new("ab").original_range(1..1), None);
        assert_eq!(Folded::new("ab").original_range(1..3), None);
    }
}
