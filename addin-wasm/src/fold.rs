//! Text folding for matching: case, accents, width and spacing removed, with a map back to the
//! original.
//!
//! The scanner matches dictionary terms against a *folded* copy of the text, so that `Projet
//! Orion`, `PROJET  ORIÓN` (two spaces) and `ｐｒｏｊｅｔ ｏｒｉｏｎ` all match the entry `projet
//! orion`. Findings must still point into the text the user wrote (Office.js highlights ranges by
//! UTF-16 offsets), so [`Folded`] remembers where each piece of the folded text came from.
//!
//! Folding one character:
//!
//! 1. whitespace of any kind (spaces, tabs, line breaks, no-break spaces) becomes one ASCII space,
//!    and a run of whitespace becomes a single space; invisible characters that split words in
//!    pasted or Word text (soft hyphen, zero-width space and joiners, byte-order mark) disappear;
//! 2. typographic apostrophes become `'` and dashes become `-`, so `l’équipe` matches `l'equipe`
//!    and `123–45–6789` is read as a number;
//! 3. a few letters that Unicode does not decompose are spelled out: `ß` → `ss`, `œ` → `oe`,
//!    `æ` → `ae`, `ø` → `o`, `ł` → `l`, `đ` → `d`, `ı` → `i`;
//! 4. otherwise the character is decomposed by compatibility (NFKD), which also turns full-width
//!    forms and ligatures into their plain letters (`Ａ` → `A`, `ﬁ` → `fi`);
//! 5. combining marks are dropped (the accents of `é`, `ç`) and what remains is lowercased.
//!
//! A character that folds to nothing (a combining mark written on its own, the second space of a
//! run, a soft hyphen) stays part of the preceding character's original range, so a match never
//! ends between a letter and its accent.
//!
//! # The offset map
//!
//! Mail and documents are mostly ASCII, so the map is kept in *segments* rather than per byte: a
//! linear segment is a run of ASCII characters that each fold to one byte (folded byte `i` of the
//! run is original character `i`); any other character gets a segment of its own, covering
//! whatever it folded to. Looking an offset up is a binary search over the segments, and folding
//! costs a few bytes of map per non-ASCII character instead of eight per byte.

use std::ops::Range;
use std::sync::OnceLock;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::ascii;

/// A folded copy of a text and the map back to the original.
#[derive(Debug, Clone)]
pub struct Folded<'a> {
    original: &'a str,
    text: String,
    segments: Vec<Segment>,
    /// The length of the original in UTF-16 code units.
    utf16_len: usize,
}

/// Where a range of the folded text came from in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginalRange {
    /// The range in UTF-8 bytes of the original `&str`.
    pub bytes: Range<usize>,
    /// The same range in UTF-16 code units, as JavaScript and Office.js count.
    pub utf16: Range<usize>,
}

/// A piece of the folded text and where it starts in the original. It ends where the next
/// segment starts.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Start in the folded text (bytes).
    folded: u32,
    /// Start in the original, in bytes.
    byte: u32,
    /// Start in the original, in UTF-16 code units.
    utf16: u32,
    /// Each folded byte of the segment is one ASCII character of the original.
    linear: bool,
}

impl<'a> Folded<'a> {
    /// Folds `original`.
    ///
    /// ```
    /// use addin_wasm::fold::Folded;
    ///
    /// let f = Folded::new("Straße  ÉTÉ");
    /// assert_eq!(f.as_str(), "strasse ete");
    /// // "ete" is at bytes 8..11 of the folded text, and at UTF-16 offsets 8..11 of the original.
    /// let range = f.original_range(8..11).unwrap();
    /// assert_eq!(range.utf16, 8..11);
    /// assert_eq!(&f.original()[range.bytes], "ÉTÉ");
    /// ```
    ///
    /// # Panics
    ///
    /// Never for texts under 4 GiB; longer texts are rejected by the scanner before folding.
    pub fn new(original: &'a str) -> Folded<'a> {
        // Built as bytes and checked once at the end: every byte pushed comes from a `&str` or
        // is ASCII, so the check cannot fail.
        let mut text: Vec<u8> = Vec::with_capacity(original.len());
        // About one segment per 24 bytes of French and English mail (an accented letter, and
        // the ASCII run after it): room for that many, so that the vector rarely grows.
        let mut segments: Vec<Segment> = Vec::with_capacity(original.len() / 16);
        let mut utf16 = 0u32;
        // The last segment is linear and ends where the folded text does.
        let mut extend = false;
        let bytes = original.as_bytes();
        let mut byte = 0;
        while byte < bytes.len() {
            let run = ascii_run(bytes, byte, text.last() == Some(&b' '), &mut text);
            if run > 0 {
                segments.push(Segment {
                    folded: (text.len() - run) as u32,
                    byte: byte as u32,
                    utf16,
                    linear: true,
                });
                utf16 += run as u32;
                byte += run;
                extend = true;
                // The run ends at the end of the text or at a character it does not fold,
                // which is folded here (a second `ascii_run` would stop at it at once).
                if byte >= bytes.len() {
                    break;
                }
            }
            let Some(c) = char_at(original, byte) else {
                break;
            };
            let start = Segment {
                folded: text.len() as u32,
                byte: byte as u32,
                utf16,
                linear: false,
            };
            byte += c.len_utf8();
            utf16 += c.len_utf16() as u32;
            if c.is_whitespace() {
                if text.last() != Some(&b' ') {
                    text.push(b' ');
                }
            } else {
                fold_char(c, &mut text);
            }
            let produced = text.len() as u32 - start.folded;
            if produced == 0 {
                // Folded away: it belongs to the preceding character, which must therefore end
                // its segment (a linear segment's last byte becomes a segment of its own).
                if extend {
                    split_last_byte(&mut segments, start.folded);
                }
                extend = false;
                continue;
            }
            segments.push(start);
            extend = false;
        }
        let text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Folded {
            original,
            text,
            segments,
            utf16_len: utf16 as usize,
        }
    }

    /// The folded text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The original text.
    pub fn original(&self) -> &'a str {
        self.original
    }

    /// The length of the original in UTF-16 code units.
    pub fn utf16_len(&self) -> usize {
        self.utf16_len
    }

    /// Maps a non-empty byte range of the folded text to the original characters it came from.
    /// A range that covers part of an expansion (one `s` of the `ss` that `ß` folds to) maps to
    /// the whole original character.
    ///
    /// Returns `None` for an empty range or one that reaches past the folded text.
    pub fn original_range(&self, folded: Range<usize>) -> Option<OriginalRange> {
        if folded.start >= folded.end || folded.end > self.text.len() {
            return None;
        }
        let first = self.segment_at(folded.start);
        let last = self.segment_at(folded.end - 1);
        let (byte_start, utf16_start) = self.position_in(first, folded.start);
        let (byte_end, utf16_end) = if self.segments[last].linear {
            let (b, u) = self.position_in(last, folded.end - 1);
            (b + 1, u + 1)
        } else {
            self.segment_start(last + 1)
        };
        Some(OriginalRange {
            bytes: byte_start..byte_end,
            utf16: utf16_start..utf16_end,
        })
    }

    /// Converts a byte offset of the original (on a character boundary) to UTF-16 code units.
    /// Used for matches found in the original rather than in the folded text.
    pub fn utf16_offset(&self, original_byte: usize) -> usize {
        let next = self
            .segments
            .partition_point(|s| s.byte as usize <= original_byte);
        let (byte, utf16) = match next.checked_sub(1) {
            Some(i) => (
                self.segments[i].byte as usize,
                self.segments[i].utf16 as usize,
            ),
            None => (0, 0),
        };
        let between = self.original.get(byte..original_byte).unwrap_or("");
        utf16 + between.encode_utf16().count()
    }

    /// The index of the segment holding folded byte `at` (which must exist).
    fn segment_at(&self, at: usize) -> usize {
        self.segments.partition_point(|s| s.folded as usize <= at) - 1
    }

    /// The original (byte, UTF-16) position of folded byte `at` inside segment `i`.
    fn position_in(&self, i: usize, at: usize) -> (usize, usize) {
        let s = self.segments[i];
        let offset = if s.linear { at - s.folded as usize } else { 0 };
        (s.byte as usize + offset, s.utf16 as usize + offset)
    }

    /// The original (byte, UTF-16) position where segment `i` starts, or the end of the original
    /// for the segment after the last.
    fn segment_start(&self, i: usize) -> (usize, usize) {
        match self.segments.get(i) {
            Some(s) => (s.byte as usize, s.utf16 as usize),
            None => (self.original.len(), self.utf16_len),
        }
    }
}

/// Copies the run of ASCII characters at `bytes[from..]` that fold to one byte each to `out`,
/// folded; returns its length. Those are the printable characters (lowercased) and whitespace
/// that does not follow whitespace (as one space); `after_space` says whether the folded text
/// so far ends with a space.
///
/// Sixteen bytes at a time where WebAssembly has 128-bit SIMD ([`ascii_run_16`]), eight at a
/// time while they allow it (see [`ascii`](crate::ascii)), then one at a time.
fn ascii_run(bytes: &[u8], from: usize, after_space: bool, out: &mut Vec<u8>) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    let mut at = from;
    let mut after_space = after_space;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if let Some(end) = ascii_run_16(bytes, &mut at, &mut after_space, out) {
        return end - from;
    }
    while let Some(word) = ascii::word_at(bytes, at) {
        let spaces = ascii::whitespace(word);
        let printable = ascii::in_range(word, b'!', b'~');
        // Every byte printable or whitespace, and no whitespace after whitespace (within the
        // word, or at its start after the text so far).
        let doubled = spaces & ((spaces << 8) | u64::from(after_space) << 7);
        let stops = (!(printable | spaces) & ascii::HIGH_BITS) | doubled;
        let space_bytes = (spaces >> 7) * 0xff;
        let folded = (ascii::to_lowercase(word) & !space_bytes) | (SPACES & space_bytes);
        if stops == 0 {
            out.extend_from_slice(&folded.to_le_bytes());
            after_space = spaces >> 63 != 0;
            at += 8;
        } else {
            // The bytes before the first that stops the run are folded already (written whole
            // and cut, which is cheaper than a copy of variable length).
            let kept = ascii::first_marked(stops);
            out.extend_from_slice(&folded.to_le_bytes());
            out.truncate(out.len() - (8 - kept));
            return at + kept - from;
        }
    }
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii_graphic() {
            out.push(b.to_ascii_lowercase());
            after_space = false;
        } else if ascii::is_whitespace(b) && !after_space {
            out.push(b' ');
            after_space = true;
        } else {
            break;
        }
        at += 1;
    }
    at - from
}

/// The character that starts at byte `at` of `text` (a character boundary). Two-byte characters
/// (the accented letters of European languages) are decoded here, without the general decoder.
#[inline]
fn char_at(text: &str, at: usize) -> Option<char> {
    let bytes = text.as_bytes();
    if let (Some(&lead), Some(&next)) = (bytes.get(at), bytes.get(at + 1)) {
        // In a `&str`, a lead byte 110xxxxx is followed by one continuation byte.
        if lead & 0xe0 == 0xc0 {
            return char::from_u32(u32::from(lead & 0x1f) << 6 | u32::from(next & 0x3f));
        }
    }
    text.get(at..)?.chars().next()
}

/// The sixteen-byte step of [`ascii_run`] with WebAssembly's 128-bit SIMD, one lane per byte:
/// the same tests as its eight-byte words, in half the steps. Folds from `*at` while sixteen
/// bytes remain and all fold to one byte each; returns where the run ends when a byte stops it,
/// or `None` with `*at` and `*after_space` moved on for the eight-byte loop to finish.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn ascii_run_16(
    bytes: &[u8],
    at: &mut usize,
    after_space: &mut bool,
    out: &mut Vec<u8>,
) -> Option<usize> {
    use crate::simd16::{bits, equal_to, in_range, load};
    use core::arch::wasm32::*;
    while let Some(v) = load(bytes, *at) {
        let spaces = v128_or(equal_to(v, b' '), in_range(v, 0x09, 0x0d));
        let printable = in_range(v, b'!', b'~');
        let lowered = v128_or(v, v128_and(in_range(v, b'A', b'Z'), u8x16_splat(0x20)));
        let folded = v128_bitselect(u8x16_splat(b' '), lowered, spaces);
        let space_bits = bits(spaces);
        let foldable_bits = bits(v128_or(printable, spaces));
        let doubled = space_bits & ((space_bits << 1) | u32::from(*after_space));
        let stops = (!foldable_bits & 0xffff) | doubled;
        let mut folded_bytes = [0u8; 16];
        folded_bytes[..8].copy_from_slice(&u64x2_extract_lane::<0>(folded).to_le_bytes());
        folded_bytes[8..].copy_from_slice(&u64x2_extract_lane::<1>(folded).to_le_bytes());
        if stops != 0 {
            // Written whole and cut, as in the eight-byte step.
            let kept = stops.trailing_zeros() as usize;
            out.extend_from_slice(&folded_bytes);
            out.truncate(out.len() - (16 - kept));
            return Some(*at + kept);
        }
        out.extend_from_slice(&folded_bytes);
        *after_space = space_bits >> 15 != 0;
        *at += 16;
    }
    None
}

/// Ends the last (linear) segment before its last byte and gives that byte, which is at folded
/// offset `end - 1`, a segment of its own, so characters folded away after it extend it alone.
fn split_last_byte(segments: &mut Vec<Segment>, end: u32) {
    let Some(last) = segments.last_mut() else {
        return;
    };
    let offset = end - 1 - last.folded;
    if offset == 0 {
        last.linear = false;
        return;
    }
    let split = Segment {
        folded: end - 1,
        byte: last.byte + offset,
        utf16: last.utf16 + offset,
        linear: false,
    };
    segments.push(split);
}

/// Blocks whose folded forms are computed once, because mail is full of them: decomposing on
/// every occurrence was the largest cost of folding French text. Latin-1 Supplement and Latin
/// Extended-A and B hold the accented letters of European languages; General Punctuation and
/// Currency Symbols the typographic quotes, dashes and the euro sign.
const CACHED_BLOCKS: [Range<u32>; 2] = [0x80..0x250, 0x2000..0x20d0];

/// A folded form of at most [`Short::CAPACITY`] bytes, stored inline.
#[derive(Clone, Copy)]
struct Short {
    bytes: [u8; Short::CAPACITY],
    len: u8,
}

impl Short {
    const CAPACITY: usize = 7;
}

/// Appends the folded form of `c` (not ASCII, not whitespace) to `out`.
fn fold_char(c: char, out: &mut Vec<u8>) {
    match cached_fold(c) {
        Some(short) => {
            // A fixed-size copy then a cut, rather than a copy of variable length.
            out.extend_from_slice(&short.bytes);
            out.truncate(out.len() - (Short::CAPACITY - usize::from(short.len)));
        }
        None => fold_char_slowly(c, out),
    }
}

/// The folded form of `c` from the cache of [`CACHED_BLOCKS`], when it is there and short.
fn cached_fold(c: char) -> Option<Short> {
    static CACHE: OnceLock<Vec<Option<Short>>> = OnceLock::new();
    let code = u32::from(c);
    let mut index = 0;
    for block in CACHED_BLOCKS {
        if block.contains(&code) {
            let cache = CACHE.get_or_init(|| {
                CACHED_BLOCKS
                    .into_iter()
                    .flatten()
                    .map(|code| {
                        let mut folded = Vec::new();
                        fold_char_slowly(char::from_u32(code)?, &mut folded);
                        let mut short = Short {
                            bytes: [0; Short::CAPACITY],
                            len: u8::try_from(folded.len()).ok()?,
                        };
                        short
                            .bytes
                            .get_mut(..folded.len())?
                            .copy_from_slice(&folded);
                        Some(short)
                    })
                    .collect()
            });
            return *cache.get(index + (code - block.start) as usize)?;
        }
        index += block.len();
    }
    None
}

/// Appends the folded form (UTF-8) of one non-ASCII, non-whitespace character to `out`.
fn fold_char_slowly(c: char, out: &mut Vec<u8>) {
    let mut push = |c: char| out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    let spelled = match c {
        // Invisible characters that split words.
        '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => "",
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '\u{FF07}' => "'",
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => "-",
        'ß' | 'ẞ' => "ss",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ø' | 'Ø' => "o",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' => "d",
        'ı' => "i",
        _ => {
            decompose_compatible(c, |d| {
                if !is_combining_mark(d) {
                    for lower in d.to_lowercase() {
                        // Lowercasing can itself produce a combining mark ('İ' → "i̇").
                        if !is_combining_mark(lower) {
                            push(lower);
                        }
                    }
                }
            });
            return;
        }
    };
    out.extend_from_slice(spelled.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UTF-16 slice of `s` in `range`, as a String.
    fn utf16_slice(s: &str, range: Range<usize>) -> String {
        let units: Vec<u16> = s.encode_utf16().collect();
        String::from_utf16(&units[range]).unwrap()
    }

    /// Checks both halves of an [`OriginalRange`] against each other and returns the text.
    fn original_text(f: &Folded<'_>, folded: Range<usize>) -> String {
        let range = f.original_range(folded).unwrap();
        let by_bytes = &f.original()[range.bytes.clone()];
        assert_eq!(by_bytes, utf16_slice(f.original(), range.utf16.clone()));
        by_bytes.to_owned()
    }

    #[test]
    fn folds_case_accents_width_ligatures_and_spacing() {
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
            ("projet \r\n\t orion\u{A0}x", "projet orion x"),
            ("confi\u{AD}dentiel, l’équipe", "confidentiel, l'equipe"),
            ("123–45—6789", "123-45-6789"),
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
        assert_eq!(utf16_slice(text, range.utf16.clone()), "PROJET Orión");
        assert_eq!(&text[range.bytes], "PROJET Orión");
    }

    #[test]
    fn a_match_inside_an_expansion_covers_the_whole_character() {
        let f = Folded::new("Maß");
        assert_eq!(f.as_str(), "mass");
        assert_eq!(original_text(&f, 2..3), "ß");
        assert_eq!(original_text(&f, 0..4), "Maß");
        assert_eq!(original_text(&f, 1..2), "a");
    }

    #[test]
    fn a_match_never_ends_between_a_letter_and_its_combining_accent() {
        let f = Folded::new("cafe\u{301} noir");
        assert_eq!(f.as_str(), "cafe noir");
        assert_eq!(original_text(&f, 0..4), "cafe\u{301}");
        assert_eq!(original_text(&f, 2..3), "f");
        assert_eq!(original_text(&f, 5..9), "noir");
    }

    #[test]
    fn collapsed_whitespace_maps_to_the_whole_run() {
        let f = Folded::new("projet \r\n orion");
        assert_eq!(f.as_str(), "projet orion");
        assert_eq!(original_text(&f, 0..12), "projet \r\n orion");
        assert_eq!(original_text(&f, 7..12), "orion");
        assert_eq!(original_text(&f, 0..6), "projet");
    }

    #[test]
    fn utf16_offsets_of_original_bytes() {
        let text = "é😀a  b\u{301}c";
        let f = Folded::new(text);
        for (byte, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(
                f.utf16_offset(byte),
                text[..byte].encode_utf16().count(),
                "byte {byte}"
            );
        }
    }

    #[test]
    fn char_at_decodes_like_the_general_decoder() {
        // Every character of one to four bytes, alone and between neighbours.
        for code in (0..0x800).chain((0x800..0x11_0000).step_by(97)) {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            for text in [c.to_string(), format!("a{c}é"), format!("é{c}")] {
                for (at, expected) in text.char_indices() {
                    assert_eq!(char_at(&text, at), Some(expected), "{text:?} at {at}");
                }
                assert_eq!(char_at(&text, text.len()), None);
            }
        }
    }

    #[test]
    fn empty_and_invisible_only_texts() {
        assert_eq!(Folded::new("").as_str(), "");
        assert_eq!(Folded::new("\u{301}\u{308}\u{AD}").as_str(), "");
        assert_eq!(Folded::new("").original_range(0..1), None);
        assert_eq!(Folded::new("ab").original_range(1..1), None);
        assert_eq!(Folded::new("ab").original_range(1..3), None);
        assert_eq!(Folded::new("\u{301}ab").utf16_offset(2), 1);
    }
}
