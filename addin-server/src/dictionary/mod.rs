//! The organisation's sensitive-text dictionary, as the server keeps it: one per tenant,
//! versioned, validated by the same Rust compiler the Outlook clients run, every change audited.
//!
//! Outlook fetches its tenant's dictionary at send time (`GET /v1/dictionary`, with an ETag so a
//! device that has the current version gets 304 and no body); admins read and replace it
//! (`GET`/`PUT /v1/admin/dictionary`), or import and export it from the command line
//! (`addin-server dictionary import|export`). A tenant that never published one gets the
//! scanner's starter dictionary (every built-in detector on), as version 0.
//!
//! A new version is accepted only if it compiles: every problem is reported at once, each with
//! where it is (`entries[3]`) and the entry's id. It is stored in canonical form (the compiler's
//! own serialisation), so the ETag (a hash of what is served) changes exactly when the content
//! does. Publishing goes through the store's writer with its audit record, and only if the
//! version it replaces is still the latest (`If-Match` on the HTTP route, or the version read
//! just before): two admins cannot overwrite each other unknowingly.

pub mod command;
pub mod csv;

use addin_wasm::scan::{Dictionary, Problem, Scanner};

use crate::audit::Actor;
pub use crate::documents::Published;
use crate::documents::{self, Draft, VersionError};
use crate::store::{DocumentKind, Store, StoreError};

/// Why a dictionary could not be read or published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DictionaryError {
    /// The document does not compile; every problem found.
    #[error("the dictionary does not compile: {}", summary(.0))]
    Invalid(Vec<Problem>),
    /// The caller is a guest of the organisation: its dictionary names the organisation's
    /// secrets.
    #[error("the organisation's dictionary is for its members; as a guest, your mail is checked with the built-in detectors only")]
    MembersOnly,
    /// The caller is not an admin.
    #[error(transparent)]
    NotAdmin(#[from] crate::auth::NotAdmin),
    /// The version could not be published (conflict, `If-Match`, store).
    #[error(transparent)]
    Version(#[from] VersionError),
}

impl From<StoreError> for DictionaryError {
    fn from(e: StoreError) -> DictionaryError {
        DictionaryError::Version(VersionError::Store(e))
    }
}

/// The problems, one sentence.
pub fn summary(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Validates `json` with the scanner's compiler; returns the dictionary it holds.
pub fn validate(json: &str) -> Result<Dictionary, DictionaryError> {
    let dictionary =
        Dictionary::from_json(json).map_err(|e| DictionaryError::Invalid(e.problems().to_vec()))?;
    Scanner::new(&dictionary).map_err(|e| DictionaryError::Invalid(e.problems().to_vec()))?;
    Ok(dictionary)
}

/// The starter dictionary's ETag and canonical JSON, computed once: every Send of a tenant that
/// never published a dictionary asks for it.
fn starter() -> &'static (String, String) {
    static STARTER: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    STARTER.get_or_init(|| documents::default_version(Dictionary::starter().to_json()))
}

/// The tenant's current dictionary (the starter dictionary as version 0 if none).
pub async fn current(store: &Store, tenant_id: &str) -> Result<Published, DictionaryError> {
    Ok(documents::current(store, DocumentKind::Dictionary, tenant_id, starter()).await?)
}

/// Publishes `json` as the tenant's next version, replacing version `based_on` (the latest
/// when `None`), recorded in the audit log as done by `actor` at `now_ms` (Unix milliseconds).
pub async fn publish(
    store: &Store,
    tenant_id: &str,
    json: &str,
    based_on: Option<i64>,
    actor: Actor,
    now_ms: i64,
) -> Result<Published, DictionaryError> {
    let dictionary = validate(json)?;
    let after = match based_on {
        Some(version) => version,
        None => current(store, tenant_id).await?.version,
    };
    let mut detail = serde_json::Map::new();
    detail.insert("entries".into(), dictionary.entries.len().into());
    let draft = Draft {
        kind: DocumentKind::Dictionary,
        tenant_id: tenant_id.to_owned(),
        document: dictionary.to_json(),
        detail,
    };
    Ok(documents::publish(store, draft, after, actor, now_ms).await?)
}
