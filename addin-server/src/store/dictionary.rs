//! The dictionaries table: each tenant's sensitive-text dictionary, every version kept.

use sqlx::{Any, Transaction};

use super::writer::Publication;
use super::{Store, StoreError};

/// One version of a tenant's dictionary.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DictionaryRow {
    /// 1, 2, 3... per tenant.
    pub version: i64,
    /// The dictionary document (JSON), as validated.
    pub document: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Who published it (a user name or a command).
    pub created_by: String,
}

/// A new version to publish, if the tenant's latest version is still `after`.
#[derive(Debug, Clone)]
pub struct NewDictionary {
    /// The tenant.
    pub tenant_id: String,
    /// The version this one replaces (0: none yet).
    pub after: i64,
    /// The document.
    pub document: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Who publishes it.
    pub created_by: String,
}

impl Store {
    /// The tenant's latest dictionary, if it ever published one.
    pub async fn dictionary(&self, tenant_id: &str) -> Result<Option<DictionaryRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT version, document, created_at, created_by FROM dictionaries \
             WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(tenant_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}

/// Inserts version `after + 1`, unless another version was published since `after`.
pub(super) async fn publish(
    tx: &mut Transaction<'static, Any>,
    new: &NewDictionary,
) -> Result<Publication, StoreError> {
    let latest: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM dictionaries WHERE tenant_id = $1",
    )
    .bind(&new.tenant_id)
    .fetch_one(&mut **tx)
    .await?;
    if latest != new.after {
        return Ok(Publication::Conflict);
    }
    sqlx::query(
        "INSERT INTO dictionaries (tenant_id, version, document, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&new.tenant_id)
    .bind(new.after + 1)
    .bind(&new.document)
    .bind(new.created_at)
    .bind(&new.created_by)
    .execute(&mut **tx)
    .await?;
    Ok(Publication::Published)
}
