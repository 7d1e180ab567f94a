//! The organisations admitted by admin consent ([`crate::consent`]): the one removal that
//! `GET` and `DELETE /v1/admin/tenant` ([`crate::http::tenants`]) and
//! `addin-server tenants remove` share.
//!
//! A removal is effective at the next request: the token check asks the store whether the
//! tenant is admitted every time, tokens already validated included.

use crate::audit::{Action, Actor, Event};
use crate::auth::{NotAdmin, Principal};
use addin_wasm::protocol::account::Tenant;

use crate::store::{Removal, Store, StoreError, Write, Written};

/// Removes the admitted tenant `tenant_id`, recording that `actor` did at `now_ms`; whether it
/// was admitted.
pub async fn remove(
    store: &Store,
    tenant_id: &str,
    actor: Actor,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let audit = Event {
        at_ms: now_ms,
        action: Action::TenantRemoved,
        actor,
        key_id: None,
        key_tenant: Some(tenant_id.to_owned()),
        reason: None,
        detail: None,
    };
    let written = store
        .write(vec![Write::RemoveTenant {
            tenant_id: tenant_id.to_owned(),
            audit,
        }])
        .await?;
    Ok(written.first() == Some(&Written::Removal(Removal::Removed)))
}

/// Why an organisation's admin could not see or withdraw its admission.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TenantError {
    /// The caller is not an admin.
    #[error(transparent)]
    NotAdmin(#[from] NotAdmin),
    /// The organisation is not admitted by consent.
    #[error("organisation {0} is not admitted by admin consent here (it may be listed in the server's ADDIN_ALLOWED_TENANTS, which only the server's administrator changes)")]
    NotAdmitted(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How `admin`'s organisation was admitted.
pub async fn admission(store: &Store, admin: &Principal) -> Result<Tenant, TenantError> {
    admin.require_admin()?;
    store
        .tenant(&admin.tenant_id)
        .await?
        .ok_or_else(|| TenantError::NotAdmitted(admin.tenant_id.clone()))
}

/// Withdraws `admin`'s organisation at `now_ms`: its users, `admin` included, are refused from
/// their next request on.
pub async fn withdraw(store: &Store, admin: &Principal, now_ms: i64) -> Result<(), TenantError> {
    admin.require_admin()?;
    if !remove(store, &admin.tenant_id, admin.actor(), now_ms).await? {
        return Err(TenantError::NotAdmitted(admin.tenant_id.clone()));
    }
    tracing::info!(target: "admin", tenant = %admin.tenant_id, by = %admin.object_id, "tenant withdrawn by its admin");
    Ok(())
}
