//! What admins read of their organisation's dictionary (`/v1/admin/dictionary`). Users read the
//! dictionary document itself, not a wrapper.

use serde::{Deserialize, Serialize};

/// A published version of the dictionary, with who published it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DictionaryVersion {
    /// 0 for the starter dictionary, then 1, 2, ... per publication.
    pub version: i64,
    /// What `If-Match` names to replace this version.
    pub etag: String,
    /// RFC 3339; absent for the starter dictionary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Who published it; empty for the starter dictionary.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub published_by: String,
    /// The dictionary document.
    pub dictionary: serde_json::Value,
}
