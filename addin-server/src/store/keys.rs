//! The data key tables: keys (wrapped), their recipients, and the master key versions.

use sqlx::{Any, Transaction};

use super::writer::{KeyCreated, PolicyChanged, Revocation};
use sqlx::AssertSqlSafe;

use super::{Store, StoreError};

/// A data key to insert: its row as it will be stored, and what only a new key carries.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// The key and its policy, inserted as given.
    pub row: KeyRow,
    /// Named recipients, lowercase, without duplicates.
    pub recipients: Vec<String>,
    /// The master key version that wrapped it.
    pub master_version: i64,
    /// The wrapped key.
    pub wrapped: Vec<u8>,
}

/// A stored data key and its policy (without the named recipients: see
/// [`Store::recipients`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    /// Its id.
    pub key_id: String,
    /// The owner's tenant.
    pub tenant_id: String,
    /// The owner's object id.
    pub owner_oid: String,
    /// The owner's user name.
    pub owner_name: String,
    /// 1 if everyone in the owner's tenant is a recipient.
    pub whole_tenant: i64,
    /// The owner's label.
    pub label: Option<String>,
    /// The document.
    pub doc_id: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    /// Unix seconds.
    pub revoked_at: Option<i64>,
}

/// A change to a key's policy.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    /// The key.
    pub key_id: String,
    /// Unix seconds.
    pub at: i64,
    /// Recipients to add (lowercase).
    pub add: Vec<String>,
    /// Recipients to remove (lowercase).
    pub remove: Vec<String>,
    /// `Some(flag)` to include or exclude the owner's whole tenant.
    pub whole_tenant: Option<bool>,
    /// `Some(None)` removes the expiry; `Some(Some(t))` sets it.
    pub expires_at: Option<Option<i64>>,
}

const KEY_COLUMNS: &str = "key_id, tenant_id, owner_oid, owner_name, whole_tenant, label, doc_id, \
                           created_at, updated_at, expires_at, revoked_at";

/// `ids` padded to the next power of two by repeating the last id, so the number of distinct
/// statements each connection prepares stays small; `None` when there are no ids. Its length
/// is the number of parameters to write in the statement, and it yields what to bind to them.
pub(super) fn padded<'a>(ids: &'a [&'a str]) -> Option<impl ExactSizeIterator<Item = &'a str>> {
    let last = *ids.last()?;
    Some((0..ids.len().next_power_of_two()).map(move |i| *ids.get(i).unwrap_or(&last)))
}

impl Store {
    /// The key `key_id`, if it exists.
    pub async fn key(&self, key_id: &str) -> Result<Option<KeyRow>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM data_keys WHERE key_id = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(key_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The named recipients of each of `key_ids`, sorted: `(key id, recipient)`.
    pub async fn recipients(&self, key_ids: &[&str]) -> Result<Vec<(String, String)>, StoreError> {
        let Some(ids) = padded(key_ids) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT DISTINCT key_id, recipient FROM key_recipients WHERE key_id IN ({}) \
             ORDER BY key_id, recipient",
            self.engine.params(1, ids.len())
        );
        Ok(ids
            .fold(sqlx::query_as(AssertSqlSafe(sql)), |q, id| q.bind(id))
            .fetch_all(&self.pool)
            .await?)
    }

    /// Those of `key_ids` that name `address` (lowercase) among their recipients, neither
    /// revoked nor expired at `now_s` (Unix seconds): `(key id, owner's tenant, owner's name)`.
    pub async fn keys_naming(
        &self,
        address: &str,
        key_ids: &[&str],
        now_s: i64,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let Some(ids) = padded(key_ids) else {
            return Ok(Vec::new());
        };
        let n = ids.len();
        let sql = format!(
            "SELECT DISTINCT k.key_id, k.tenant_id, k.owner_name FROM data_keys k \
             JOIN key_recipients r ON r.key_id = k.key_id \
             WHERE r.recipient = {} AND k.revoked_at IS NULL \
             AND (k.expires_at IS NULL OR k.expires_at > {}) AND k.key_id IN ({}) \
             ORDER BY k.key_id",
            self.engine.params(1, 1),
            self.engine.params(2, 1),
            self.engine.params(3, n)
        );
        Ok(ids
            .fold(
                sqlx::query_as(AssertSqlSafe(sql)).bind(address).bind(now_s),
                |q, id| q.bind(id),
            )
            .fetch_all(&self.pool)
            .await?)
    }

    /// The owners' tenants of those of `key_ids` that exist: `(key id, tenant)`.
    pub async fn key_tenants(&self, key_ids: &[&str]) -> Result<Vec<(String, String)>, StoreError> {
        let Some(ids) = padded(key_ids) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT DISTINCT key_id, tenant_id FROM data_keys WHERE key_id IN ({})",
            self.engine.params(1, ids.len())
        );
        Ok(ids
            .fold(sqlx::query_as(AssertSqlSafe(sql)), |q, id| q.bind(id))
            .fetch_all(&self.pool)
            .await?)
    }

    /// The keys owned by `(tenant, oid)`, newest first, after the cursor `(created_at, key_id)`.
    pub async fn owned_keys(
        &self,
        tenant_id: &str,
        owner_oid: &str,
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<KeyRow>, StoreError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM data_keys WHERE tenant_id = $1 AND owner_oid = $2 \
             AND (created_at < $3 OR (created_at = $3 AND key_id < $4)) \
             ORDER BY created_at DESC, key_id DESC LIMIT $5"
        );
        let query = sqlx::query_as(AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(owner_oid)
            .bind(at)
            .bind(id)
            .bind(limit);
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Up to `limit` keys after `after` (by id) wrapped under a master key version older than
    /// `version`: `(key id, tenant, version, wrapped)`.
    pub async fn keys_to_rewrap(
        &self,
        version: i64,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, i64, Vec<u8>)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT key_id, tenant_id, master_version, wrapped FROM data_keys \
             WHERE master_version < $1 AND key_id > $2 ORDER BY key_id LIMIT $3",
        )
        .bind(version)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many keys each master key version wraps: `(version, count)`.
    pub async fn keys_per_master_version(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT master_version, CAST(COUNT(*) AS BIGINT) FROM data_keys \
             GROUP BY master_version ORDER BY master_version",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The registered master key versions: `(version, check value, retired_at)`.
    pub async fn master_versions(&self) -> Result<Vec<(i64, Vec<u8>, Option<i64>)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT version, check_value, retired_at FROM master_keys ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Registers a master key version (no change if it is registered already).
    pub async fn register_master_version(
        &self,
        version: i64,
        check_value: &[u8],
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO master_keys (version, check_value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (version) DO NOTHING",
        )
        .bind(version)
        .bind(check_value)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks a master key version retired, if no key uses it; returns whether it did.
    pub async fn retire_master_version(&self, version: i64, at: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE master_keys SET retired_at = $1 WHERE version = $2 AND retired_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM data_keys WHERE master_version = $2)",
        )
        .bind(at)
        .bind(version)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Inserts `key` unless its master key version is retired (a server that has not reloaded the
/// key file since would otherwise wrap keys no other server can unwrap).
pub(super) async fn insert(
    tx: &mut Transaction<'static, Any>,
    key: &NewKey,
) -> Result<KeyCreated, StoreError> {
    let row = &key.row;
    let sql = format!(
        "INSERT INTO data_keys ({KEY_COLUMNS}, master_version, wrapped) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 \
         WHERE EXISTS (SELECT 1 FROM master_keys WHERE version = $12 AND retired_at IS NULL)"
    );
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(&row.key_id)
        .bind(&row.tenant_id)
        .bind(&row.owner_oid)
        .bind(&row.owner_name)
        .bind(row.whole_tenant)
        .bind(&row.label)
        .bind(&row.doc_id)
        .bind(row.created_at)
        .bind(row.updated_at)
        .bind(row.expires_at)
        .bind(row.revoked_at)
        .bind(key.master_version)
        .bind(&key.wrapped)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(KeyCreated::MasterRetired);
    }
    for recipient in &key.recipients {
        add_recipient(tx, &row.key_id, recipient).await?;
    }
    Ok(KeyCreated::Created)
}

async fn add_recipient(
    tx: &mut Transaction<'static, Any>,
    key_id: &str,
    recipient: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO key_recipients (key_id, recipient) VALUES ($1, $2) \
         ON CONFLICT (key_id, recipient) DO NOTHING",
    )
    .bind(key_id)
    .bind(recipient)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn change(
    tx: &mut Transaction<'static, Any>,
    change: &PolicyChange,
) -> Result<PolicyChanged, StoreError> {
    let found = sqlx::query(
        "UPDATE data_keys SET updated_at = $1 WHERE key_id = $2 AND revoked_at IS NULL",
    )
    .bind(change.at)
    .bind(&change.key_id)
    .execute(&mut **tx)
    .await?;
    if found.rows_affected() == 0 {
        return Ok(PolicyChanged::Revoked);
    }
    if let Some(expires_at) = change.expires_at {
        sqlx::query("UPDATE data_keys SET expires_at = $1 WHERE key_id = $2")
            .bind(expires_at)
            .bind(&change.key_id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(whole) = change.whole_tenant {
        sqlx::query("UPDATE data_keys SET whole_tenant = $1 WHERE key_id = $2")
            .bind(i64::from(whole))
            .bind(&change.key_id)
            .execute(&mut **tx)
            .await?;
    }
    for recipient in &change.remove {
        sqlx::query("DELETE FROM key_recipients WHERE key_id = $1 AND recipient = $2")
            .bind(&change.key_id)
            .bind(recipient)
            .execute(&mut **tx)
            .await?;
    }
    for recipient in &change.add {
        add_recipient(tx, &change.key_id, recipient).await?;
    }
    Ok(PolicyChanged::Changed)
}

pub(super) async fn revoke(
    tx: &mut Transaction<'static, Any>,
    key_id: &str,
    at: i64,
) -> Result<Revocation, StoreError> {
    let done = sqlx::query(
        "UPDATE data_keys SET revoked_at = $1, updated_at = $1 WHERE key_id = $2 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(key_id)
    .execute(&mut **tx)
    .await?;
    Ok(if done.rows_affected() == 1 {
        Revocation::Revoked
    } else {
        Revocation::AlreadyRevoked
    })
}

pub(super) async fn rewrap(
    tx: &mut Transaction<'static, Any>,
    key_id: &str,
    from_version: i64,
    to_version: i64,
    wrapped: &[u8],
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE data_keys SET master_version = $1, wrapped = $2 \
         WHERE key_id = $3 AND master_version = $4",
    )
    .bind(to_version)
    .bind(wrapped)
    .bind(key_id)
    .bind(from_version)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_padded_to_a_power_of_two_with_the_last_one() {
        assert!(padded(&[]).is_none());
        let padded_ids = |ids: &[&str]| padded(ids).map(|p| p.collect::<Vec<_>>().join(" "));
        assert_eq!(padded_ids(&["a"]).as_deref(), Some("a"));
        assert_eq!(padded_ids(&["a", "b"]).as_deref(), Some("a b"));
        assert_eq!(padded_ids(&["a", "b", "c"]).as_deref(), Some("a b c c"));
        assert_eq!(padded(&["a"; 5]).map(|p| p.len()), Some(8));
    }
}
