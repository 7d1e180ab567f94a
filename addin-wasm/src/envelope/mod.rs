//! Range encryption: a Word range's content sealed in a JWE (RFC 7516) with a data key from
//! the key server, bound to its document and range.
//!
//! The format is written down in `FORMAT.md` at the root of this crate. In short, an envelope
//! is a JWE in compact serialization with `alg: "dir"` and `enc: "A256GCM"`; its protected
//! header names the key (`kid`), the document (`tg_doc`) and the range (`tg_range`), and is
//! authenticated as AES-GCM's additional data, so any standard JOSE library opens it with the
//! key, and a range moved to another document is caught when the reader says which document
//! it expected.
//!
//! ```
//! use addin_wasm::envelope::{decrypt_range, encrypt_range, inspect_envelope, Error, Expected,
//!     Format, Key, Range};
//!
//! let key = Key::from_bytes(&[7; 32])?;
//! let range = Range { key_id: "k1", doc_id: "doc-a", range_id: "r1",
//!                     content: "<w:p>Budget 2027</w:p>", format: Format::Ooxml };
//! let jwe = encrypt_range(&key, &range)?;
//!
//! // Without the key: which key to ask the key server for.
//! assert_eq!(inspect_envelope(&jwe)?.kid, "k1");
//!
//! let opened = decrypt_range(&jwe, &key, &Expected::document("doc-a"))?;
//! assert_eq!(opened.content, "<w:p>Budget 2027</w:p>");
//!
//! // Pasted into another document: authentic, but refused.
//! let moved = decrypt_range(&jwe, &key, &Expected::document("doc-b"));
//! assert!(matches!(moved, Err(Error::Mismatch { .. })));
//! # Ok::<(), Error>(())
//! ```

mod compact;
mod error;
mod header;
pub mod limits;

use std::fmt;

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use error::{Error, Field, Part};
pub use header::{Header, ALG, ENC, ZIP_DEFLATE};

use compact::{Compact, IV_BYTES};
use header::check_id;
use limits::{MAX_CONTENT_BYTES, MAX_PAYLOAD_BYTES};

/// The version of the format this implementation writes and reads (`tg_version`).
pub const FORMAT_VERSION: u32 = 1;

/// Payloads shorter than this are not compressed: DEFLATE cannot gain enough to matter.
const MIN_COMPRESSED_BYTES: usize = 256;

/// A 256-bit data key. Zeroized when dropped; its `Debug` form never shows it.
pub struct Key(Zeroizing<[u8; 32]>);

impl Key {
    /// Takes a key of exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, Error> {
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::KeyLength { bytes: bytes.len() })?;
        Ok(Key(Zeroizing::new(key)))
    }

    /// The AES-256-GCM cipher of this key (zeroized when dropped).
    pub(crate) fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new((&*self.0).into())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

/// What a range's content is, so that decrypting restores it the way it was inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Office Open XML (Word's `getOoxml()`), with formatting.
    Ooxml,
    /// HTML.
    Html,
    /// Plain text.
    Text,
}

/// A range to encrypt.
#[derive(Debug, Clone, Copy)]
pub struct Range<'a> {
    /// The key server's id of `key`.
    pub key_id: &'a str,
    /// The id of the document the range belongs to.
    pub doc_id: &'a str,
    /// The id of the range within the document.
    pub range_id: &'a str,
    /// The content.
    pub content: &'a str,
    /// What the content is.
    pub format: Format,
}

/// What the reader expects an envelope to be bound to; `None` accepts any value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// The document being read.
    pub doc_id: Option<String>,
    /// The range being read.
    pub range_id: Option<String>,
    /// The key the envelope should name.
    pub key_id: Option<String>,
}

impl Expected {
    /// Expects the envelope to belong to the document `doc_id`.
    pub fn document(doc_id: &str) -> Expected {
        Expected {
            doc_id: Some(doc_id.to_owned()),
            ..Expected::default()
        }
    }
}

/// A decrypted range (in JSON, as the JavaScript API returns it: `{ content, format, docId,
/// rangeId, keyId }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    /// The content, as it was encrypted.
    pub content: String,
    /// What the content is.
    pub format: Format,
    /// The document the envelope is bound to.
    pub doc_id: String,
    /// The range the envelope is bound to.
    pub range_id: String,
    /// The key id the envelope names.
    pub key_id: String,
}

/// The plaintext of an envelope, as JSON.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload<'a> {
    #[serde(borrow)]
    content: std::borrow::Cow<'a, str>,
    format: Format,
}

/// Encrypts a range under `key`, with a fresh random nonce from the platform's CSPRNG
/// (`crypto.getRandomValues` in a browser). The payload is compressed (`zip: "DEF"`) when that
/// makes it smaller.
pub fn encrypt_range(key: &Key, range: &Range<'_>) -> Result<String, Error> {
    check_id("the key id", range.key_id)?;
    check_id("the document id", range.doc_id)?;
    check_id("the range id", range.range_id)?;
    if range.content.len() > MAX_CONTENT_BYTES {
        return Err(Error::TooLarge {
            what: "the range's content",
            bytes: range.content.len(),
            limit: MAX_CONTENT_BYTES,
        });
    }
    let payload = Payload {
        content: range.content.into(),
        format: range.format,
    };
    let json =
        Zeroizing::new(serde_json::to_vec(&payload).map_err(|e| Error::Payload(e.to_string()))?);
    if json.len() > MAX_PAYLOAD_BYTES {
        return Err(Error::TooLarge {
            what: "the range's content, as JSON",
            bytes: json.len(),
            limit: MAX_PAYLOAD_BYTES,
        });
    }
    let compressed = (json.len() >= MIN_COMPRESSED_BYTES)
        .then(|| Zeroizing::new(miniz_oxide::deflate::compress_to_vec(&json, 6)))
        .filter(|c| c.len() < json.len());
    let header = Header {
        alg: ALG.to_owned(),
        enc: ENC.to_owned(),
        kid: range.key_id.to_owned(),
        zip: compressed.as_ref().map(|_| ZIP_DEFLATE.to_owned()),
        tg_version: FORMAT_VERSION,
        tg_doc: range.doc_id.to_owned(),
        tg_range: range.range_id.to_owned(),
    };
    let encoded_header =
        compact::encode(&serde_json::to_vec(&header).map_err(|e| Error::Payload(e.to_string()))?);

    let mut iv = [0u8; IV_BYTES];
    getrandom::getrandom(&mut iv).map_err(|e| Error::Random(e.to_string()))?;
    let mut buffer = Zeroizing::new(compressed.as_deref().unwrap_or(&json).to_vec());
    let tag = key
        .cipher()
        .encrypt_inout_detached(
            &Nonce::from(iv),
            encoded_header.as_bytes(),
            (&mut buffer[..]).into(),
        )
        .map_err(|_| Error::TooLarge {
            what: "the payload",
            bytes: buffer.len(),
            limit: MAX_PAYLOAD_BYTES,
        })?;
    Ok(format!(
        "{encoded_header}..{}.{}.{}",
        compact::encode(&iv),
        compact::encode(&buffer),
        compact::encode(&tag)
    ))
}

/// Reads an envelope's protected header without a key: which key to ask the key server for,
/// and which document and range the envelope claims. Nothing read here is authenticated until
/// [`decrypt_range`] succeeds.
pub fn inspect_envelope(jwe: &str) -> Result<Header, Error> {
    let compact = Compact::parse(jwe)?;
    let header = Header::parse(&compact.header)?;
    compact.check_direct()?;
    Ok(header)
}

/// Decrypts an envelope with its key and checks that it is bound to what the reader expects.
///
/// Errors: [`Error::TooLarge`] and [`Error::Malformed`] for the text; [`Error::Unsupported`]
/// for a header naming another algorithm, compression or version; [`Error::Authentication`]
/// for a wrong key or a changed envelope (a header changed so that it no longer reads is
/// reported as changed, not as malformed, since the key tells which); then
/// [`Error::Mismatch`] for an authentic envelope bound to something else than `expected`.
pub fn decrypt_range(jwe: &str, key: &Key, expected: &Expected) -> Result<Opened, Error> {
    let mut compact = Compact::parse(jwe)?;
    // An algorithm this implementation does not know cannot be checked: said before any work.
    let parsed = Header::parse(&compact.header);
    if let Err(e @ Error::Unsupported { .. }) = parsed {
        return Err(e);
    }
    let mut buffer = Zeroizing::new(std::mem::take(&mut compact.ciphertext));
    let authentic = key
        .cipher()
        .decrypt_inout_detached(
            &Nonce::from(compact.iv),
            compact.encoded_header.as_bytes(),
            (&mut buffer[..]).into(),
            &Tag::from(compact.tag),
        )
        .is_ok();
    let header = match parsed {
        Ok(header) => header,
        Err(_) if !authentic => return Err(Error::Authentication),
        Err(e) => return Err(e),
    };
    compact.check_direct()?;
    if !authentic {
        return Err(Error::Authentication);
    }
    let json = match header.zip {
        Some(_) => Zeroizing::new(
            miniz_oxide::inflate::decompress_to_vec_with_limit(&buffer, MAX_PAYLOAD_BYTES)
                .map_err(|e| match e.status {
                    miniz_oxide::inflate::TINFLStatus::HasMoreOutput => Error::TooLarge {
                        what: "the decompressed payload",
                        bytes: MAX_PAYLOAD_BYTES + 1,
                        limit: MAX_PAYLOAD_BYTES,
                    },
                    status => Error::Payload(format!(
                        "the payload does not decompress ({status:?}) although it is authentic: \
                         it was made by a faulty implementation"
                    )),
                })?,
        ),
        None => buffer,
    };
    let payload: Payload<'_> = serde_json::from_slice(&json).map_err(|e| {
        Error::Payload(format!(
            "the payload is not this format's JSON ({e}) although it is authentic: it was made \
             by a faulty implementation"
        ))
    })?;
    for (field, want, found) in [
        (Field::DocId, &expected.doc_id, &header.tg_doc),
        (Field::RangeId, &expected.range_id, &header.tg_range),
        (Field::KeyId, &expected.key_id, &header.kid),
    ] {
        if let Some(want) = want {
            if want != found {
                return Err(Error::Mismatch {
                    field,
                    expected: want.clone(),
                    found: found.clone(),
                });
            }
        }
    }
    Ok(Opened {
        content: payload.content.into_owned(),
        format: payload.format,
        doc_id: header.tg_doc,
        range_id: header.tg_range,
        key_id: header.kid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AES-256-GCM known answers (test cases 13, 14 and 16 of the GCM specification by McGrew
    /// and Viega), through the cipher the envelope uses.
    #[test]
    fn aes_256_gcm_known_answers() {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let cases = [
            ("00".repeat(32), "00".repeat(12), String::new(), String::new(), String::new(),
             "530f8afbc74536b9a963b4f1c4cb738b"),
            ("00".repeat(32), "00".repeat(12), "00".repeat(16), String::new(),
             "cea7403d4d606b6e074ec5d3baf39d18".to_owned(), "d0d1c8a799996bf0265b98b5d48ab919"),
            ("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308".to_owned(),
             "cafebabefacedbaddecaf888".to_owned(),
             "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39".to_owned(),
             "feedfacedeadbeeffeedfacedeadbeefabaddad2".to_owned(),
             "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662".to_owned(),
             "76fc6ece0f4e1768cddf8853bb2d551b"),
        ];
        for (key, iv, plaintext, aad, ciphertext, tag) in cases {
            let cipher = Key::from_bytes(&hex(&key)).unwrap().cipher();
            let iv: [u8; 12] = hex(&iv).try_into().unwrap();
            let mut buffer = hex(&plaintext);
            let got = cipher
                .encrypt_inout_detached(&Nonce::from(iv), &hex(&aad), (&mut buffer[..]).into())
                .unwrap();
            assert_eq!(buffer, hex(&ciphertext));
            assert_eq!(got[..], hex(tag)[..]);
            cipher
                .decrypt_inout_detached(
                    &Nonce::from(iv),
                    &hex(&aad),
                    (&mut buffer[..]).into(),
                    &got,
                )
                .unwrap();
            assert_eq!(buffer, hex(&plaintext));
        }
    }

    #[test]
    fn keys_never_show_in_debug_output() {
        let key = Key::from_bytes(&[0xab; 32]).unwrap();
        assert_eq!(format!("{key:?}"), "Key(<redacted>)");
        assert_eq!(
            Key::from_bytes(&[1; 16]).unwrap_err(),
            Error::KeyLength { bytes: 16 }
        );
    }
}
