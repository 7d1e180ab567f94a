//! The organisation's policy as the server keeps it: one versioned document per tenant
//! ([`crate::documents`]), checked by the core's rules ([`OrgPolicy::from_json`]), the default
//! policy for a tenant that never published one. Users read it (`GET /v1/policy`) so that the
//! clients show the rules before acting; admins replace it (`PUT /v1/admin/policy`, `If-Match`)
//! or import and export it (`addin-server policy import|export`). The server enforces it where
//! it decides (passcodes, outside domains, replies), whatever the clients show.

use std::path::Path;

use addin_wasm::protocol::policy::OrgPolicy;
use addin_wasm::scan::Problem;

use crate::audit::Actor;
use crate::documents::{self, Draft, Published, VersionError};
use crate::store::{DocumentKind, Store, StoreError};

/// Why a policy could not be read or published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The document is not a policy; every problem found.
    #[error("the policy is not valid: {}", crate::dictionary::summary(.0))]
    Invalid(Vec<Problem>),
    /// The caller is not an admin.
    #[error(transparent)]
    NotAdmin(#[from] crate::auth::NotAdmin),
    /// The version could not be published (conflict, `If-Match`, store).
    #[error(transparent)]
    Version(#[from] VersionError),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl From<StoreError> for PolicyError {
    fn from(e: StoreError) -> PolicyError {
        PolicyError::Version(VersionError::Store(e))
    }
}

/// The default policy's ETag and JSON, computed once.
fn default_policy() -> &'static (String, String) {
    static DEFAULT: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(|| documents::default_version(OrgPolicy::default().to_json()))
}

/// The tenant's current policy document (the default as version 0 if none).
pub async fn current(store: &Store, tenant_id: &str) -> Result<Published, PolicyError> {
    Ok(documents::current(store, DocumentKind::Policy, tenant_id, default_policy()).await?)
}

/// The tenant's policy in force, as the server applies it.
pub async fn in_force(store: &Store, tenant_id: &str) -> Result<OrgPolicy, PolicyError> {
    let published = current(store, tenant_id).await?;
    // Stored documents were validated when published; one that no longer parses (a newer
    // server's setting after a downgrade) must not loosen anything: refuse rather than guess.
    OrgPolicy::from_json(&published.document).map_err(PolicyError::Invalid)
}

/// Publishes `json` as the tenant's next policy, replacing version `based_on` (the latest when
/// `None`), recorded as done by `actor` at `now_ms` (Unix milliseconds).
pub async fn publish(
    store: &Store,
    tenant_id: &str,
    json: &str,
    based_on: Option<i64>,
    actor: Actor,
    now_ms: i64,
) -> Result<Published, PolicyError> {
    let policy = OrgPolicy::from_json(json).map_err(PolicyError::Invalid)?;
    let after = match based_on {
        Some(version) => version,
        None => current(store, tenant_id).await?.version,
    };
    let mut detail = serde_json::Map::new();
    detail.insert("passcodes".into(), policy.passcodes.enabled.into());
    detail.insert("outsideDomains".into(), policy.outside_domains.len().into());
    let draft = Draft {
        kind: DocumentKind::Policy,
        tenant_id: tenant_id.to_owned(),
        document: policy.to_json(),
        detail,
    };
    Ok(documents::publish(store, draft, after, actor, now_ms).await?)
}

/// `addin-server policy import FILE`: publishes the policy in `file` over the latest version.
pub async fn import(
    store: &Store,
    tenant_id: &str,
    file: &Path,
    now_ms: i64,
) -> Result<Published, PolicyError> {
    let json = std::fs::read_to_string(file).map_err(|source| PolicyError::Read {
        path: file.display().to_string(),
        source,
    })?;
    publish(
        store,
        tenant_id,
        &json,
        None,
        Actor::system("policy import"),
        now_ms,
    )
    .await
}

/// `addin-server policy export`: the tenant's policy in force, every setting, pretty-printed.
pub async fn export(store: &Store, tenant_id: &str) -> Result<String, PolicyError> {
    let policy = in_force(store, tenant_id).await?;
    let mut text = serde_json::to_string_pretty(&policy).unwrap_or_default();
    text.push('\n');
    Ok(text)
}
