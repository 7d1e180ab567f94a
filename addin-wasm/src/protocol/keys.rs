//! The key routes' bodies and answers (`/v1/keys...`): what a client sends to create, open,
//! change and list data keys, and what the server answers.

use serde::{Deserialize, Deserializer, Serialize};
use zeroize::Zeroizing;

/// A key's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// The name the owner signed in with, for people to read (never an identity).
    pub username: String,
    /// Tenant id.
    pub tenant_id: String,
}

/// A key's policy, as its owner and admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// The key id (the envelope's `kid`).
    pub key_id: String,
    /// Who created it.
    pub owner: Owner,
    /// Named recipients, lowercase; `*` stands for everyone in the owner's organisation.
    pub recipients: Vec<String>,
    /// The owner's label.
    pub label: Option<String>,
    /// The document it protects.
    pub doc_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// RFC 3339; absent when it never expires.
    pub expires_at: Option<String>,
    /// RFC 3339; absent unless revoked.
    pub revoked_at: Option<String>,
}

/// `POST /v1/keys`: a new key for these people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateKey {
    /// Named recipients (addresses, or `*` for everyone in the caller's organisation); at most
    /// [`super::MAX_RECIPIENTS`].
    pub recipients: Vec<String>,
    /// RFC 3339; absent for a key that never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The owner's label, shown in their list of keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The document it protects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_id: Option<String>,
}

/// A new key: its id, the key itself, and its policy.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Created {
    /// The key id.
    pub key_id: String,
    /// The data key, base64url without padding.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub key: Zeroizing<String>,
    /// Its policy.
    pub policy: Policy,
}

/// `PATCH /v1/keys/{id}`: the owner's change of who may read and until when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyChange {
    /// Recipients to add (`*` adds the whole organisation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_recipients: Vec<String>,
    /// Recipients to remove (`*` removes the whole organisation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_recipients: Vec<String>,
    /// Absent: unchanged; `null`: never expire; a time (RFC 3339): expire then.
    #[serde(
        default,
        deserialize_with = "explicit",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub expires_at: Option<Option<String>>,
}

/// `Some(None)` for an explicit `null`, `Some(Some(v))` for a value; absent stays `None`.
fn explicit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `POST /v1/keys/unwrap`: the keys of these ids, at most [`super::MAX_UNWRAP`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnwrapRequest {
    /// The envelopes' `kid`s.
    pub key_ids: Vec<String>,
}

/// The answer of `POST /v1/keys/unwrap`: one result per id asked, in the order asked.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnwrapAnswer {
    /// Each key, released or refused.
    pub results: Vec<Unwrapped>,
}

/// The outcome for one key of an unwrap.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Unwrapped {
    /// Released.
    Key {
        /// The key id.
        #[serde(rename = "keyId")]
        key_id: String,
        /// The data key, base64url without padding.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        key: Zeroizing<String>,
        /// Who created the key, so that a reader can see whose text they are reading.
        owner: Owner,
    },
    /// Refused.
    Error {
        /// The key id as asked.
        #[serde(rename = "keyId")]
        key_id: String,
        /// Why.
        error: KeyRefusal,
    },
}

/// Why one key of an unwrap was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRefusal {
    /// What a client decides on.
    pub code: RefusalCode,
    /// In words, with what to do.
    pub message: String,
}

/// The reason codes of [`KeyRefusal`]. A caller who may not read a key is not told whether it
/// exists: both are `not_found`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// Not a key id of this server (a damaged range, or another server's).
    InvalidKeyId,
    /// No such key, or the caller is not among its recipients.
    NotFound,
    /// The owner revoked it.
    Revoked,
    /// Its expiry has passed.
    Expired,
    /// The server's copy failed its integrity check.
    Integrity,
}

/// The query of `GET /v1/keys`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListQuery {
    /// Only `me` (the caller's own keys), the default.
    pub owner: Option<String>,
    /// 1 to [`super::MAX_PAGE`], [`super::DEFAULT_PAGE`] by default.
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

impl RefusalCode {
    /// The code as sent.
    ///
    /// ```
    /// use addin_wasm::protocol::keys::RefusalCode;
    /// let code = RefusalCode::InvalidKeyId;
    /// assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{}\"", code.as_str()));
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::InvalidKeyId => "invalid_key_id",
            RefusalCode::NotFound => "not_found",
            RefusalCode::Revoked => "revoked",
            RefusalCode::Expired => "expired",
            RefusalCode::Integrity => "integrity",
        }
    }
}
