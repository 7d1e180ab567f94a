//! Organisations admitted by admin consent (`ADDIN_ALLOWED_TENANTS=*`) and the pending consent
//! requests that lead to them.
//!
//! A consent request (its state) is bound to the tenant and the administrator who asked for it
//! and works once. Recording a consent and removing a tenant are writes of the
//! [writer](super::writer), so each is committed with its audit record; removing a tenant also
//! forgets what was learnt of it (the domains it owns, the addresses bound to its users), so
//! that a tenant admitted again later, or another tenant that now owns those domains, starts
//! afresh.

use addin_wasm::protocol::account::Tenant;
use sqlx::{Any, Transaction};

use super::writer::Removal;
use super::{Store, StoreError};

/// A pending consent request, as taken back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentState {
    /// The tenant it was made for.
    pub tenant_id: String,
    /// The administrator who asked for it.
    pub object_id: String,
    /// That administrator's user name, for the record.
    pub username: String,
}

/// A row of `tenants`: id, RFC 3339 consent time, consenting administrator.
type TenantColumns = (String, String, Option<String>);

fn tenant((tenant_id, consented_at, consented_by): TenantColumns) -> Tenant {
    Tenant {
        tenant_id,
        consented_at,
        consented_by,
    }
}

impl Store {
    /// Whether the tenant's administrator granted admin consent (a lowercase GUID).
    pub async fn tenant_consented(&self, tenant_id: &str) -> Result<bool, StoreError> {
        let found = sqlx::query("SELECT 1 FROM tenants WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// The admitted tenants, in the order of their ids.
    pub async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let rows: Vec<TenantColumns> = sqlx::query_as(
            "SELECT tenant_id, consented_at, consented_by FROM tenants ORDER BY tenant_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(tenant).collect())
    }

    /// The admitted tenant `tenant_id`, if it is.
    pub async fn tenant(&self, tenant_id: &str) -> Result<Option<Tenant>, StoreError> {
        let row: Option<TenantColumns> = sqlx::query_as(
            "SELECT tenant_id, consented_at, consented_by FROM tenants WHERE tenant_id = $1",
        )
        .bind(tenant_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(tenant))
    }

    /// Records a pending admin-consent request of `object_id` (named `username`) for
    /// `tenant_id` (see [`crate::consent`]), and forgets expired ones.
    pub async fn create_consent_state(
        &self,
        state: &str,
        tenant_id: &str,
        object_id: &str,
        username: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM consent_states WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO consent_states (state, tenant_id, object_id, actor_name, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(state)
        .bind(tenant_id)
        .bind(object_id)
        .bind(username)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a pending admin-consent request (it can be used once): whom and what it was made
    /// for, if it exists, was bound to an administrator, and has not expired at `now`.
    pub async fn take_consent_state(
        &self,
        state: &str,
        now: i64,
    ) -> Result<Option<ConsentState>, StoreError> {
        type Row = (String, Option<String>, Option<String>, i64);
        let row: Option<Row> = sqlx::query_as(
            "DELETE FROM consent_states WHERE state = $1 \
             RETURNING tenant_id, object_id, actor_name, expires_at",
        )
        .bind(state)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.filter(|(_, _, _, expires)| *expires > now).and_then(
            |(tenant_id, object_id, username, _)| {
                Some(ConsentState {
                    tenant_id,
                    object_id: object_id?,
                    username: username.unwrap_or_default(),
                })
            },
        ))
    }
}

/// Admits `tenant_id`, consented by `object_id` at `at` (RFC 3339); a second consent
/// replaces the first's record.
pub(super) async fn admit(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    object_id: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO tenants (tenant_id, consented_at, consented_by) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id) DO UPDATE \
         SET consented_at = excluded.consented_at, consented_by = excluded.consented_by",
    )
    .bind(tenant_id)
    .bind(at)
    .bind(object_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes `tenant_id` and what was learnt of it; not applied when it was not admitted.
pub(super) async fn remove(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
) -> Result<Removal, StoreError> {
    let removed = sqlx::query("DELETE FROM tenants WHERE tenant_id = $1")
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if removed == 0 {
        return Ok(Removal::NotAdmitted);
    }
    for table in ["domain_tenants", "address_bindings"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE tenant_id = $1"
        )))
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(Removal::Removed)
}
