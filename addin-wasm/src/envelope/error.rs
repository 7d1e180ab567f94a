//! The envelope's errors: each failure is its own variant, with a message that says what is
//! wrong and, where the user can act, what to do. No variant ever holds key material.

use std::fmt;

/// One of the five dot-separated parts of a JWE compact serialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The protected header (part 1).
    Header,
    /// The encrypted key (part 2), empty for direct encryption.
    EncryptedKey,
    /// The initialization vector (part 3).
    Iv,
    /// The ciphertext (part 4).
    Ciphertext,
    /// The authentication tag (part 5).
    Tag,
}

impl Part {
    /// The five parts, in order.
    pub const ALL: [Part; 5] = [
        Part::Header,
        Part::EncryptedKey,
        Part::Iv,
        Part::Ciphertext,
        Part::Tag,
    ];

    fn name(self) -> &'static str {
        match self {
            Part::Header => "part 1 (protected header)",
            Part::EncryptedKey => "part 2 (encrypted key)",
            Part::Iv => "part 3 (initialization vector)",
            Part::Ciphertext => "part 4 (ciphertext)",
            Part::Tag => "part 5 (authentication tag)",
        }
    }
}

/// A field of the envelope that the caller can expect a value for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The document id (`tg_doc`).
    DocId,
    /// The range id (`tg_range`).
    RangeId,
    /// The key id (`kid`).
    KeyId,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::DocId => "document id",
            Field::RangeId => "range id",
            Field::KeyId => "key id",
        }
    }
}

/// Why an envelope could not be made or opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The text is not a JWE compact serialization of this format: `part` says which of the
    /// five parts is wrong (`None` when the number of parts is), `reason` how.
    Malformed {
        /// The offending part.
        part: Option<Part>,
        /// What is wrong with it.
        reason: String,
    },
    /// A header parameter has a value this implementation does not support.
    Unsupported {
        /// The header parameter (`alg`, `enc`, `zip`, `tg_version`, `crit`).
        parameter: &'static str,
        /// Its value, as found.
        value: String,
    },
    /// The key is not 32 bytes.
    KeyLength {
        /// The length received.
        bytes: usize,
    },
    /// Decryption failed: the key is not the one the range was encrypted with, or the envelope
    /// was changed after it was made.
    Authentication,
    /// The envelope is authentic but was made for another document, range or key than the
    /// caller expected: it was copied or moved from elsewhere.
    Mismatch {
        /// The field that differs.
        field: Field,
        /// The value the caller expected.
        expected: String,
        /// The value in the envelope.
        found: String,
    },
    /// Something exceeds a limit of [`limits`](super::limits).
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// Its size in bytes.
        bytes: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// An argument is not usable (an empty id, an id too long...).
    InvalidArgument(String),
    /// The decrypted payload is not the JSON object this format defines (only an envelope
    /// made by a faulty implementation with the right key can cause this).
    Payload(String),
    /// The platform's random number generator failed.
    Random(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed { part: None, reason } => {
                write!(f, "not an encrypted range: {reason}")
            }
            Error::Malformed {
                part: Some(part),
                reason,
            } => write!(f, "malformed encrypted range: {} {reason}", part.name()),
            Error::Unsupported { parameter, value } => write!(
                f,
                "unsupported encrypted range: {parameter} {value:?} is not supported by this \
                 version; update the add-in"
            ),
            Error::KeyLength { bytes } => write!(
                f,
                "the key must be 32 bytes (AES-256), not {bytes}; pass the key the key server \
                 returned, decoded from base64url"
            ),
            Error::Authentication => write!(
                f,
                "cannot decrypt this range: the key is not the one it was encrypted with, or the \
                 range was changed after it was encrypted"
            ),
            Error::Mismatch {
                field,
                expected,
                found,
            } => write!(
                f,
                "this encrypted range was made for {} {found:?}, not {expected:?}: it was copied \
                 or moved from elsewhere, so it is not shown",
                field.name()
            ),
            Error::TooLarge { what, bytes, limit } => {
                write!(f, "{what} is {bytes} bytes, over the limit of {limit}")
            }
            Error::InvalidArgument(message) | Error::Payload(message) => f.write_str(message),
            Error::Random(message) => write!(
                f,
                "the platform's random number generator failed ({message}); nothing was encrypted"
            ),
        }
    }
}

impl std::error::Error for Error {}
