//! Regex entries.
//!
//! The `regex` crate matches in time linear in the text whatever the pattern, and the compiled
//! size of each regex and of the set is capped ([`limits`](super::limits)), so a hostile
//! pattern can cost neither time nor memory beyond those bounds. Two facts shape the rest:
//!
//! - **Case-insensitive regexes (the default) run on the folded text**, like every other
//!   entry, so `mot de passe\s*:` also finds `MOT DE PASSE :` and `Mot  de passe:`. Patterns
//!   are therefore written without accents (`numero`, not `numéro`): compiling refuses a letter
//!   that folding would change, rather than let it silently never match. In folded text, Latin
//!   letters are ASCII, so `\b` and `\B` are taken as ASCII word boundaries there: the same
//!   boundaries for English and French, and it keeps the regex engine on its fast DFA (a
//!   Unicode `\b` makes it fall back to an engine about thirty times slower on any non-ASCII
//!   text, which mail always has). And since folded text is lowercase, the pattern is compiled
//!   case-sensitively for lowercase text (see [`lowercase_only`]), which lets the engine find
//!   its literal parts with a plain substring search.
//! - **Case-sensitive regexes run on the text as written**, with full Unicode semantics, one
//!   line at a time (short haystacks keep the engine's fallback fast). They cannot span a line
//!   break.
//!
//! With more than [`SET_MIN_REGEXES`] regexes in a group, one [`RegexSet`] pass says which
//! occur and only those run alone to say where; with fewer, each runs alone from the start,
//! which measured faster because each regex then gets its own literal prefilter.

use std::ops::Range;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Repetition,
};

use super::limits::{
    MAX_REGEX_CACHE_BYTES, MAX_REGEX_COMPILED_BYTES, MAX_REGEX_SET_COMPILED_BYTES,
};
use super::Hit;
use crate::fold::{Folded, OriginalRange};

/// Groups of more regexes than this are filtered through a [`RegexSet`] first.
pub const SET_MIN_REGEXES: usize = 8;

/// A regex entry, compiled for the text it runs on.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRegex {
    regex: Regex,
    case_sensitive: bool,
}

/// Compiles one regex entry, or says what is wrong with it.
pub(crate) fn compile(pattern: &str, case_sensitive: bool) -> Result<CompiledRegex, String> {
    let source = if case_sensitive {
        format!("(?:{pattern})")
    } else {
        // Checked as written first, so that errors point at what the admin wrote.
        build(&format!("(?i:{pattern})"))?;
        if let Some(c) = pattern.chars().find(|c| {
            !c.is_ascii() && Folded::new(&c.to_string()).as_str() != c.to_lowercase().to_string()
        }) {
            let folded = Folded::new(&c.to_string()).as_str().to_owned();
            return Err(format!(
                "regexes match the folded text (lowercase, no accents): write {folded:?} \
                 instead of {c:?}, or make the entry caseSensitive"
            ));
        }
        lowercase_only(&ascii_word_boundaries(pattern))?
    };
    let regex = build(&source)?;
    let matches_empty = regex_syntax::Parser::new()
        .parse(&source)
        .map(|hir| hir.properties().minimum_len() == Some(0))
        .unwrap_or(false);
    if matches_empty {
        return Err(
            "the regex matches empty text, so it would match every message; \
                    make it require at least one character"
                .to_owned(),
        );
    }
    Ok(CompiledRegex {
        regex,
        case_sensitive,
    })
}

fn build(source: &str) -> Result<Regex, String> {
    RegexBuilder::new(source)
        .size_limit(MAX_REGEX_COMPILED_BYTES)
        .dfa_size_limit(MAX_REGEX_CACHE_BYTES)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => format!(
                "the regex compiles to more than {limit} bytes; simplify it (large counted \
                 repetitions such as \\w{{500}} and Unicode classes are the usual cause)"
            ),
            other => format!("invalid regex: {other}"),
        })
}

/// Rewrites a case-insensitive pattern as a case-sensitive one that matches the same folded
/// texts, by dropping from every class the case-insensitive parse produced what folded text
/// never contains: `A`-`Z`, and the long s and Kelvin sign that case folding adds to `s` and
/// `k` (folding spells them `s` and `k`). `(?i:password)` becomes the literal
/// `password`, which the engine finds with a substring search; left case-insensitive, it would
/// be 256 literals (every mix of cases) for a multi-literal automaton, several times slower,
/// most of all in WebAssembly, which has no SIMD substring search.
fn lowercase_only(pattern: &str) -> Result<String, String> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .build()
        .parse(pattern)
        .map_err(|e| format!("invalid regex: {e}"))?;
    Ok(without_ascii_capitals(hir).to_string())
}

fn without_ascii_capitals(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(mut class)) => {
            class.difference(&ClassUnicode::new(
                ['A'..='Z', 'ſ'..='ſ', 'K'..='K']
                    .map(|r| ClassUnicodeRange::new(*r.start(), *r.end())),
            ));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(mut class)) => {
            class.difference(&ClassBytes::new([ClassBytesRange::new(b'A', b'Z')]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(without_ascii_capitals(*r.sub)),
            ..r
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(without_ascii_capitals(*c.sub)),
            ..c
        }),
        HirKind::Concat(subs) => {
            Hir::concat(subs.into_iter().map(without_ascii_capitals).collect())
        }
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.into_iter().map(without_ascii_capitals).collect())
        }
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => Hir::literal(literal.0),
        HirKind::Look(look) => Hir::look(look),
    }
}

/// Rewrites `\b` and `\B` as their ASCII forms, leaving every other escape as it is.
fn ascii_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str(r"(?-u:\b)"),
            Some('B') => out.push_str(r"(?-u:\B)"),
            Some(next) => {
                out.push('\\');
                out.push(next);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The compiled regex entries.
#[derive(Debug, Clone)]
pub(crate) struct Regexes {
    folded: Option<Group>,
    exact: Option<Group>,
}

/// Regexes that run on the same text.
#[derive(Debug, Clone)]
struct Group {
    /// A filter, for groups larger than [`SET_MIN_REGEXES`].
    set: Option<RegexSet>,
    /// Each regex and the index of its entry.
    each: Vec<(Regex, u32)>,
}

impl Regexes {
    /// Groups compiled regexes by the text they run on.
    pub(crate) fn new(regexes: Vec<(CompiledRegex, u32)>) -> Result<Option<Regexes>, String> {
        if regexes.is_empty() {
            return Ok(None);
        }
        let (exact, folded): (Vec<_>, Vec<_>) =
            regexes.into_iter().partition(|(r, _)| r.case_sensitive);
        Ok(Some(Regexes {
            folded: Group::new(folded)?,
            exact: Group::new(exact)?,
        }))
    }

    /// Finds every regex entry in the text.
    pub(crate) fn find(&self, folded: &Folded<'_>, out: &mut Vec<Hit>) {
        if let Some(group) = &self.folded {
            group.find(folded.as_str(), |entry, range| {
                if let Some(range) = folded.original_range(range) {
                    out.push(Hit { entry, range });
                }
            });
        }
        if let Some(group) = &self.exact {
            let mut line_start = 0;
            for line in folded.original().split_inclusive('\n') {
                group.find(line, |entry, range| {
                    let bytes = line_start + range.start..line_start + range.end;
                    out.push(Hit {
                        entry,
                        range: OriginalRange {
                            utf16: folded.utf16_offset(bytes.start)..folded.utf16_offset(bytes.end),
                            bytes,
                        },
                    });
                });
                line_start += line.len();
            }
        }
    }
}

impl Group {
    fn new(regexes: Vec<(CompiledRegex, u32)>) -> Result<Option<Group>, String> {
        if regexes.is_empty() {
            return Ok(None);
        }
        let each: Vec<(Regex, u32)> = regexes.into_iter().map(|(r, e)| (r.regex, e)).collect();
        let set = if each.len() > SET_MIN_REGEXES {
            let set = RegexSetBuilder::new(each.iter().map(|(r, _)| r.as_str()))
                .size_limit(MAX_REGEX_SET_COMPILED_BYTES)
                .dfa_size_limit(MAX_REGEX_CACHE_BYTES)
                .build()
                .map_err(|e| format!("the regex entries together are too large to compile: {e}"))?;
            Some(set)
        } else {
            None
        };
        Ok(Some(Group { set, each }))
    }

    /// Calls `found(entry, byte range)` for every non-empty match in `text`.
    fn find(&self, text: &str, mut found: impl FnMut(u32, Range<usize>)) {
        let mut run = |regex: &Regex, entry: u32| {
            for m in regex.find_iter(text) {
                if !m.is_empty() {
                    found(entry, m.range());
                }
            }
        };
        match &self.set {
            Some(set) => {
                for index in set.matches(text).iter() {
                    let (regex, entry) = &self.each[index];
                    run(regex, *entry);
                }
            }
            None => {
                for (regex, entry) in &self.each {
                    run(regex, *entry);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_word_boundary_escapes_are_rewritten() {
        assert_eq!(
            ascii_word_boundaries(r"\bctr-\d+\B"),
            r"(?-u:\b)ctr-\d+(?-u:\B)"
        );
        assert_eq!(ascii_word_boundaries(r"a\\b\\\b"), r"a\\b\\(?-u:\b)");
        assert_eq!(ascii_word_boundaries(r"[\w\-]\p{L}"), r"[\w\-]\p{L}");
    }

    #[test]
    fn case_insensitive_patterns_become_lowercase_patterns() {
        let source = |p: &str| lowercase_only(&ascii_word_boundaries(p)).unwrap();
        let lowercase = source(r"\bPassWord\s*[:=]");
        assert!(lowercase.contains("password"), "{lowercase}");
        let regex = compile(r"\b[A-Z]{3}-\d{2}\b", false).unwrap().regex;
        assert!(regex.is_match("abc-12") && regex.is_match("x xyz-34 y"));
        assert!(!regex.is_match("ABC-12"), "folded text is never uppercase");
        assert!(!regex.is_match("ab-12") && !regex.is_match("abcd-12"));
        let regex = compile(r"^(?:KM|[S-U])\d", false).unwrap().regex;
        assert!(regex.is_match("km1") && regex.is_match("t2") && !regex.is_match("KM1"));
    }

    #[test]
    fn accents_in_case_insensitive_patterns_are_refused_with_the_fix() {
        let e = compile("numéro", false).unwrap_err();
        assert!(e.contains(r#"write "e" instead of 'é'"#), "{e}");
        assert!(compile("numéro", true).is_ok());
        assert!(
            compile("日本", false).is_ok(),
            "characters that do not fold are fine"
        );
    }
}
