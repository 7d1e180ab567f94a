//! The organisations admitted by admin consent ([`crate::consent`]): the one removal that
//! `GET` and `DELETE /v1/admin/tenant` ([`crate::http::tenants`]) and
//! `addin-server tenants remove` share.
//!
//! A removal is effective at the next request: the token check asks the store whether the
//! tenant is admitted every time, tokens already validated included.

use crate::audit::{Action, Actor, Event};
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
