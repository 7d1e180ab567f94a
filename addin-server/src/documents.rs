//! An organisation's versioned documents: its sensitive-text dictionary and its policy. Each
//! kind is one JSON document per tenant; every version is kept; the latest is served with a
//! strong ETag (a hash of what is served, so it changes exactly when the content does); a
//! tenant that never published one gets the kind's default as version 0.
//!
//! A new version replaces only the version it was based on (`If-Match` on the HTTP routes, or
//! the version read just before on the command line), so two admins cannot overwrite each
//! other unknowingly, and it is committed by the store's writer together with its audit record.
//! Validating the content is the kind's own module ([`crate::dictionary`], [`crate::policy`]).

use crate::audit::{Action, Actor, Event};
use crate::store::{DocumentKind, NewVersion, Publication, Store, StoreError, Write, Written};

/// A tenant's current document, as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// 1, 2, 3...; 0 for the default of a tenant that never published one.
    pub version: i64,
    /// The document (canonical JSON).
    pub document: String,
    /// Unix seconds (0 for the default).
    pub created_at: i64,
    /// Who published it (empty for the default).
    pub created_by: String,
    /// The strong ETag of the document: a quoted hash of its bytes.
    pub etag: String,
}

/// Why a new version was not published, whatever its content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// Another version was published since the one the change was based on.
    #[error("the {} changed since version {based_on} (it is now at version {now}); reload it, reapply your change and publish again", noun(*.kind))]
    Conflict {
        /// Which document.
        kind: DocumentKind,
        /// The version the change replaced.
        based_on: i64,
        /// The latest version now.
        now: i64,
    },
    /// A replacement's body is not UTF-8.
    #[error("the body must be the {} as UTF-8 JSON", noun(*.0))]
    NotUtf8(DocumentKind),
    /// A replacement came without `If-Match`.
    #[error("send If-Match with the ETag of the {} you read (GET {} gives it), so that another admin's change is not overwritten; If-Match: * replaces whatever is published", noun(*.0), admin_route(*.0))]
    IfMatchMissing(DocumentKind),
    /// A replacement's `If-Match` names a version that is not the latest any more.
    #[error("the {} changed since you read it (it is now version {now}); reload it, reapply your change and publish again", noun(*.kind))]
    Stale {
        /// Which document.
        kind: DocumentKind,
        /// The latest version.
        now: i64,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The document's name in messages.
pub fn noun(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Dictionary => "dictionary",
        DocumentKind::Policy => "policy",
    }
}

/// The route where admins read and replace it.
pub fn admin_route(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Dictionary => "/v1/admin/dictionary",
        DocumentKind::Policy => "/v1/admin/policy",
    }
}

/// The audit action of a publication.
fn action(kind: DocumentKind) -> Action {
    match kind {
        DocumentKind::Dictionary => Action::Dictionary,
        DocumentKind::Policy => Action::OrgPolicy,
    }
}

/// The ETag of a default document, computed once per process by the caller's `OnceLock`.
pub fn default_version(document: String) -> (String, String) {
    (crate::etag::of(document.as_bytes()), document)
}

/// The tenant's current `kind` document; `default` (ETag, document) as version 0 if none.
pub async fn current(
    store: &Store,
    kind: DocumentKind,
    tenant_id: &str,
    default: &(String, String),
) -> Result<Published, StoreError> {
    Ok(match store.document(kind, tenant_id).await? {
        Some(row) => Published {
            etag: crate::etag::of(row.document.as_bytes()),
            version: row.version,
            document: row.document,
            created_at: row.created_at,
            created_by: row.created_by,
        },
        None => Published {
            etag: default.0.clone(),
            version: 0,
            document: default.1.clone(),
            created_at: 0,
            created_by: String::new(),
        },
    })
}

/// The version a replacement is based on, given whether its `If-Match` names `current`'s ETag
/// (`None`: no `If-Match`).
pub fn based_on(
    kind: DocumentKind,
    if_match: Option<bool>,
    current: &Published,
) -> Result<i64, VersionError> {
    match if_match {
        None => Err(VersionError::IfMatchMissing(kind)),
        Some(false) => Err(VersionError::Stale {
            kind,
            now: current.version,
        }),
        Some(true) => Ok(current.version),
    }
}

/// A validated, canonical document to publish, with what its audit record says of it.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Which document.
    pub kind: DocumentKind,
    /// The tenant.
    pub tenant_id: String,
    /// The canonical JSON.
    pub document: String,
    /// What the record's `detail` adds to the version and ETag (e.g. the number of entries).
    pub detail: serde_json::Map<String, serde_json::Value>,
}

/// Publishes `draft` as the version after `after`, recorded as done by `actor` at `now_ms`
/// (Unix milliseconds).
pub async fn publish(
    store: &Store,
    draft: Draft,
    after: i64,
    actor: Actor,
    now_ms: i64,
) -> Result<Published, VersionError> {
    let etag = crate::etag::of(draft.document.as_bytes());
    let mut detail = draft.detail;
    detail.insert("version".into(), (after + 1).into());
    detail.insert("etag".into(), etag.clone().into());
    let created_by = actor.username.clone();
    let audit = Event {
        at_ms: now_ms,
        action: action(draft.kind),
        actor,
        key_id: None,
        key_tenant: Some(draft.tenant_id.clone()),
        reason: None,
        detail: Some(serde_json::Value::Object(detail).to_string()),
    };
    let written = store
        .write(vec![Write::Publish {
            version: NewVersion {
                kind: draft.kind,
                tenant_id: draft.tenant_id.clone(),
                after,
                document: draft.document.clone(),
                created_at: now_ms / 1000,
                created_by: created_by.clone(),
            },
            audit,
        }])
        .await?;
    if written.first() != Some(&Written::Document(Publication::Published)) {
        let now = store
            .document(draft.kind, &draft.tenant_id)
            .await?
            .map_or(0, |row| row.version);
        return Err(VersionError::Conflict {
            kind: draft.kind,
            based_on: after,
            now,
        });
    }
    Ok(Published {
        etag,
        version: after + 1,
        document: draft.document,
        created_at: now_ms / 1000,
        created_by,
    })
}
