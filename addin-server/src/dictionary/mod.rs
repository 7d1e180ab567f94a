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

use crate::audit::{Action, Actor, Event};
use crate::store::{NewDictionary, Publication, Store, StoreError, Write, Written};

/// Why a dictionary could not be read or published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DictionaryError {
    /// The document does not compile; every problem found.
    #[error("the dictionary does not compile: {}", summary(.0))]
    Invalid(Vec<Problem>),
    /// Another version was published since the one the change was based on.
    #[error("the dictionary changed since version {based_on} (it is now at version {now}); reload it, reapply your change and publish again")]
    Conflict {
        /// The version the change replaced.
        based_on: i64,
        /// The latest version now.
        now: i64,
    },
    /// The caller is a guest of the organisation: its dictionary names the organisation's
    /// secrets.
    #[error("the organisation's dictionary is for its members; as a guest, your mail is checked with the built-in detectors only")]
    MembersOnly,
    /// The caller is not an admin.
    #[error(transparent)]
    NotAdmin(#[from] crate::auth::NotAdmin),
    /// A replacement's body is not UTF-8.
    #[error("the body must be the dictionary as UTF-8 JSON")]
    NotUtf8,
    /// A replacement came without `If-Match`.
    #[error("send If-Match with the ETag of the dictionary you read (GET /v1/admin/dictionary gives it), so that another admin's change is not overwritten; If-Match: * replaces whatever is published")]
    IfMatchMissing,
    /// A replacement's `If-Match` names a version that is not the latest any more.
    #[error("the dictionary changed since you read it (it is now version {now}); reload it, reapply your change and publish again")]
    Stale {
        /// The latest version.
        now: i64,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn summary(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A tenant's current dictionary, as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// 1, 2, 3...; 0 for the starter dictionary of a tenant that never published one.
    pub version: i64,
    /// The document (canonical JSON).
    pub document: String,
    /// Unix seconds (0 for the starter dictionary).
    pub created_at: i64,
    /// Who published it (empty for the starter dictionary).
    pub created_by: String,
    /// The strong ETag of the document: a quoted hash of its bytes.
    pub etag: String,
}

/// Validates `json` with the scanner's compiler; returns the dictionary it holds.
pub fn validate(json: &str) -> Result<Dictionary, DictionaryError> {
    let dictionary =
        Dictionary::from_json(json).map_err(|e| DictionaryError::Invalid(e.problems().to_vec()))?;
    Scanner::new(&dictionary).map_err(|e| DictionaryError::Invalid(e.problems().to_vec()))?;
    Ok(dictionary)
}

/// The starter dictionary as served (canonical JSON) and its ETag, computed once: every Send of
/// a tenant that never published a dictionary asks for it.
fn starter() -> &'static (String, String) {
    static STARTER: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    STARTER.get_or_init(|| {
        let document = Dictionary::starter().to_json();
        (crate::etag::of(document.as_bytes()), document)
    })
}

/// The tenant's current dictionary (the starter dictionary as version 0 if none).
pub async fn current(store: &Store, tenant_id: &str) -> Result<Published, DictionaryError> {
    Ok(match store.dictionary(tenant_id).await? {
        Some(row) => Published {
            etag: crate::etag::of(row.document.as_bytes()),
            version: row.version,
            document: row.document,
            created_at: row.created_at,
            created_by: row.created_by,
        },
        None => {
            let (etag, document) = starter().clone();
            Published {
                etag,
                version: 0,
                document,
                created_at: 0,
                created_by: String::new(),
            }
        }
    })
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
    let document = dictionary.to_json();
    let etag = crate::etag::of(document.as_bytes());
    let after = match based_on {
        Some(version) => version,
        None => current(store, tenant_id).await?.version,
    };
    let created_by = actor.username.clone();
    let audit = Event {
        at_ms: now_ms,
        action: Action::Dictionary,
        actor,
        key_id: None,
        key_tenant: Some(tenant_id.to_owned()),
        reason: None,
        detail: Some(
            serde_json::json!({
                "version": after + 1,
                "entries": dictionary.entries.len(),
                "etag": etag,
            })
            .to_string(),
        ),
    };
    let written = store
        .write(vec![Write::PublishDictionary {
            dictionary: NewDictionary {
                tenant_id: tenant_id.to_owned(),
                after,
                document: document.clone(),
                created_at: now_ms / 1000,
                created_by: created_by.clone(),
            },
            audit,
        }])
        .await?;
    if written.first() != Some(&Written::Dictionary(Publication::Published)) {
        let now = current(store, tenant_id).await?.version;
        return Err(DictionaryError::Conflict {
            based_on: after,
            now,
        });
    }
    Ok(Published {
        etag,
        version: after + 1,
        document,
        created_at: now_ms / 1000,
        created_by,
    })
}
