//! The JWE compact serialization: five base64url parts separated by dots.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::limits::{MAX_ENVELOPE_BYTES, MAX_HEADER_BYTES};
use super::{Error, Part};

/// The five parts of an envelope, the header still encoded (it is the AAD as written).
pub(super) struct Compact<'a> {
    /// Part 1 as written: the additional authenticated data.
    pub(super) encoded_header: &'a str,
    pub(super) header: Vec<u8>,
    /// Whether part 2 is empty, as direct encryption requires ([`Compact::check_direct`]).
    encrypted_key_empty: bool,
    pub(super) iv: [u8; IV_BYTES],
    pub(super) ciphertext: Vec<u8>,
    pub(super) tag: [u8; TAG_BYTES],
}

/// The AES-GCM nonce length this format uses, in bytes.
pub(super) const IV_BYTES: usize = 12;
/// The AES-GCM tag length, in bytes.
pub(super) const TAG_BYTES: usize = 16;

impl<'a> Compact<'a> {
    /// Splits and decodes an envelope.
    pub(super) fn parse(jwe: &'a str) -> Result<Compact<'a>, Error> {
        if jwe.len() > MAX_ENVELOPE_BYTES {
            return Err(Error::TooLarge {
                what: "the encrypted range",
                bytes: jwe.len(),
                limit: MAX_ENVELOPE_BYTES,
            });
        }
        let jwe = jwe.trim();
        let parts: Vec<&str> = jwe.split('.').collect();
        if parts.len() != 5 {
            return Err(Error::Malformed {
                part: None,
                reason: format!(
                    "a JWE in compact form has 5 parts separated by dots, this text has {}",
                    parts.len()
                ),
            });
        }
        let decode = |part: Part, text: &str| {
            URL_SAFE_NO_PAD.decode(text).map_err(|e| Error::Malformed {
                part: Some(part),
                reason: format!("is not base64url without padding: {e}"),
            })
        };
        let encoded_header = parts[0];
        if encoded_header.len() > MAX_HEADER_BYTES * 4 / 3 + 4 {
            return Err(Error::TooLarge {
                what: "the protected header",
                bytes: encoded_header.len() * 3 / 4,
                limit: MAX_HEADER_BYTES,
            });
        }
        let header = decode(Part::Header, encoded_header)?;
        let iv = decode(Part::Iv, parts[2])?;
        let iv: [u8; IV_BYTES] = iv.as_slice().try_into().map_err(|_| Error::Malformed {
            part: Some(Part::Iv),
            reason: format!("must be {IV_BYTES} bytes for A256GCM, not {}", iv.len()),
        })?;
        let ciphertext = decode(Part::Ciphertext, parts[3])?;
        let tag = decode(Part::Tag, parts[4])?;
        let tag: [u8; TAG_BYTES] = tag.as_slice().try_into().map_err(|_| Error::Malformed {
            part: Some(Part::Tag),
            reason: format!("must be {TAG_BYTES} bytes for A256GCM, not {}", tag.len()),
        })?;
        Ok(Compact {
            encoded_header,
            header,
            encrypted_key_empty: parts[1].is_empty(),
            iv,
            ciphertext,
            tag,
        })
    }
}

impl Compact<'_> {
    /// Checks that part 2 is empty, as direct encryption requires. Done after the header is
    /// read, so that an envelope of another key management algorithm is reported as such.
    pub(super) fn check_direct(&self) -> Result<(), Error> {
        if self.encrypted_key_empty {
            Ok(())
        } else {
            Err(Error::Malformed {
                part: Some(Part::EncryptedKey),
                reason: "must be empty for direct encryption (alg \"dir\")".to_owned(),
            })
        }
    }
}

/// Encodes bytes as base64url without padding.
pub(super) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
