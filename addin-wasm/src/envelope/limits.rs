//! What an envelope may hold. Office ranges are small; these bound what a hostile or broken
//! envelope can make a client allocate.

/// The most bytes of content (UTF-8) in one range: 16 MiB.
pub const MAX_CONTENT_BYTES: usize = 16 << 20;
/// The most bytes of the JSON payload (content and format), before compression: 24 MiB,
/// room for content whose JSON escaping makes it longer.
pub const MAX_PAYLOAD_BYTES: usize = 24 << 20;
/// The most bytes of a whole envelope (its compact text): 33 MiB, a payload of
/// [`MAX_PAYLOAD_BYTES`] in base64url plus a header.
pub const MAX_ENVELOPE_BYTES: usize = 33 << 20;
/// The most bytes of a decoded protected header: 8 KiB.
pub const MAX_HEADER_BYTES: usize = 8 << 10;
/// The most characters of a key, document or range id.
pub const MAX_ID_CHARS: usize = 256;
