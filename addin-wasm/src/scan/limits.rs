//! Limits on dictionaries and texts.
//!
//! A dictionary comes from an admin, but it runs in every user's mail client on every send: a
//! mistake (or a hostile document) must not be able to freeze Outlook or exhaust its memory. The
//! regex engine already guarantees linear-time matching; these limits bound the rest. Every
//! limit is reported by name when exceeded.

/// The largest dictionary document read from JSON, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;
/// The most entries in a dictionary.
pub const MAX_ENTRIES: usize = 100_000;
/// The most categories in a dictionary.
pub const MAX_CATEGORIES: usize = 256;
/// The longest word, phrase or substring pattern, in characters.
pub const MAX_LITERAL_CHARS: usize = 256;
/// The longest regex pattern, in characters.
pub const MAX_REGEX_CHARS: usize = 1024;
/// The most regex entries in a dictionary (each may be run on its own after the set matches).
pub const MAX_REGEX_ENTRIES: usize = 1_000;
/// The total size of all patterns, in bytes.
pub const MAX_TOTAL_PATTERN_BYTES: usize = 8 * 1024 * 1024;
/// The compiled size of one regex, in bytes (the `regex` crate's `size_limit`).
pub const MAX_REGEX_COMPILED_BYTES: usize = 1024 * 1024;
/// The compiled size of all regexes together, as one set.
pub const MAX_REGEX_SET_COMPILED_BYTES: usize = 16 * 1024 * 1024;
/// The lazy DFA cache of one regex (memory, not correctness: a full cache falls back to a
/// slower linear-time engine).
pub const MAX_REGEX_CACHE_BYTES: usize = 512 * 1024;
/// The longest entry or category id, in characters.
pub const MAX_ID_CHARS: usize = 128;
/// The longest category label, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// The highest category threshold.
pub const MAX_THRESHOLD: u32 = 10_000;
/// The longest text scanned, in bytes (offsets are kept in 32 bits).
pub const MAX_TEXT_BYTES: usize = 256 * 1024 * 1024;
