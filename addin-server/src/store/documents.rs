//! The organisations' versioned documents, one table per kind (`dictionaries`, `policies`):
//! every version kept, the highest the one in force.

use sqlx::{Any, AssertSqlSafe, Transaction};

use super::writer::Publication;
use super::{Store, StoreError};

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// The sensitive-text dictionary.
    Dictionary,
    /// The organisation's policy.
    Policy,
}

impl DocumentKind {
    /// Its table: a constant of the code, never from input.
    fn table(self) -> &'static str {
        match self {
            DocumentKind::Dictionary => "dictionaries",
            DocumentKind::Policy => "policies",
        }
    }
}

/// One version of a tenant's document.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentRow {
    /// 1, 2, 3... per tenant.
    pub version: i64,
    /// The document (JSON), as validated.
    pub document: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Who published it (a user name or a command).
    pub created_by: String,
}

/// A new version to publish, if the tenant's latest version is still `after`.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// Which document.
    pub kind: DocumentKind,
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
    /// The tenant's latest `kind` document, if it ever published one.
    pub async fn document(
        &self,
        kind: DocumentKind,
        tenant_id: &str,
    ) -> Result<Option<DocumentRow>, StoreError> {
        let sql = format!(
            "SELECT version, document, created_at, created_by FROM {} \
             WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1",
            kind.table()
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// Inserts version `after + 1`, unless another version was published since `after`.
pub(super) async fn publish(
    tx: &mut Transaction<'static, Any>,
    new: &NewVersion,
) -> Result<Publication, StoreError> {
    let table = new.kind.table();
    let latest: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM {table} WHERE tenant_id = $1"
    )))
    .bind(&new.tenant_id)
    .fetch_one(&mut **tx)
    .await?;
    if latest != new.after {
        return Ok(Publication::Conflict);
    }
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {table} (tenant_id, version, document, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5)"
    )))
    .bind(&new.tenant_id)
    .bind(new.after + 1)
    .bind(&new.document)
    .bind(new.created_at)
    .bind(&new.created_by)
    .execute(&mut **tx)
    .await?;
    Ok(Publication::Published)
}
