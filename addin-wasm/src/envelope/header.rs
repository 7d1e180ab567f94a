//! The protected header: what it holds, how it is written, and what reading one refuses.

use serde::{Deserialize, Serialize};

use super::limits::MAX_ID_CHARS;
use super::{Error, Part, FORMAT_VERSION};

/// The protected header of an envelope, as [`inspect_envelope`](super::inspect_envelope)
/// reads it without a key. Every field is authenticated by the tag (the encoded header is the
/// AES-GCM additional authenticated data), but only once the range is decrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Key management: always `dir` (the data key encrypts the content directly).
    pub alg: String,
    /// Content encryption: always `A256GCM`.
    pub enc: String,
    /// The key server's id of the data key.
    pub kid: String,
    /// `DEF` when the payload was compressed with raw DEFLATE before encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// The version of this format ([`FORMAT_VERSION`]).
    pub tg_version: u32,
    /// The id of the document the range belongs to.
    pub tg_doc: String,
    /// The id of the range within the document.
    pub tg_range: String,
}

/// The `alg` this format uses.
pub const ALG: &str = "dir";
/// The `enc` this format uses.
pub const ENC: &str = "A256GCM";
/// The `zip` value for raw DEFLATE.
pub const ZIP_DEFLATE: &str = "DEF";

impl Header {
    /// Reads and checks a decoded protected header.
    pub(super) fn parse(json: &[u8]) -> Result<Header, Error> {
        let malformed = |reason: String| Error::Malformed {
            part: Some(Part::Header),
            reason,
        };
        // Checked first and apart, so that an envelope of another algorithm is reported as
        // unsupported rather than as a header with unknown fields.
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| malformed(format!("is not JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| malformed("is not a JSON object".to_owned()))?;
        for (parameter, expected) in [("alg", ALG), ("enc", ENC)] {
            match object.get(parameter) {
                Some(serde_json::Value::String(s)) if s == expected => {}
                Some(other) => {
                    return Err(Error::Unsupported {
                        parameter,
                        value: other
                            .as_str()
                            .map_or_else(|| other.to_string(), str::to_owned),
                    })
                }
                None => return Err(malformed(format!("has no {parameter:?}"))),
            }
        }
        if let Some(crit) = object.get("crit") {
            return Err(Error::Unsupported {
                parameter: "crit",
                value: crit.to_string(),
            });
        }
        let header: Header = serde_json::from_value(value)
            .map_err(|e| malformed(format!("is not this format's header: {e}")))?;
        if header.tg_version != FORMAT_VERSION {
            return Err(Error::Unsupported {
                parameter: "tg_version",
                value: header.tg_version.to_string(),
            });
        }
        if let Some(zip) = &header.zip {
            if zip != ZIP_DEFLATE {
                return Err(Error::Unsupported {
                    parameter: "zip",
                    value: zip.clone(),
                });
            }
        }
        for (name, id) in [
            ("kid", &header.kid),
            ("tg_doc", &header.tg_doc),
            ("tg_range", &header.tg_range),
        ] {
            check_id(name, id).map_err(|e| malformed(e.to_string()))?;
        }
        Ok(header)
    }
}

/// Checks an id (key, document or range): not empty, at most [`MAX_ID_CHARS`] characters.
pub(super) fn check_id(name: &str, id: &str) -> Result<(), Error> {
    let chars = id.chars().count();
    if chars == 0 {
        return Err(Error::InvalidArgument(format!("{name} is empty")));
    }
    if chars > MAX_ID_CHARS {
        return Err(Error::InvalidArgument(format!(
            "{name} is {chars} characters long, over the limit of {MAX_ID_CHARS}"
        )));
    }
    Ok(())
}
