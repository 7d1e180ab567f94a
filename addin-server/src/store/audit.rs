//! Reading the audit log: the whole chain for verification, filtered pages for admins, and
//! per-user statistics. Appending is the writer's ([`super::writer`]).

use addin_wasm::protocol::audit::UserStats;
use futures_util::TryStreamExt;
use sqlx::Row;

use sqlx::AssertSqlSafe;

use super::{Store, StoreError};
use crate::audit::{Action, Actor, Event, Record};

/// Which records an admin asks for. Records concern the admin's tenant: as the actor's, or as
/// the key's owner's.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The admin's tenant.
    pub tenant_id: String,
    /// Only this actor (user name, lowercase).
    pub user: Option<String>,
    /// Only this key.
    pub key_id: Option<String>,
    /// Only this action.
    pub action: Option<Action>,
    /// From this time (Unix milliseconds, inclusive).
    pub from_ms: Option<i64>,
    /// Until this time (Unix milliseconds, exclusive).
    pub to_ms: Option<i64>,
    /// Records numbered below this (the page cursor).
    pub before_seq: Option<i64>,
    /// At most this many.
    pub limit: i64,
}

const RECORD_COLUMNS: &str = "seq, at, action, actor_tenant, actor_oid, actor_name, key_id, \
                              key_tenant, reason, detail, prev_hash, hash";

fn record(row: &sqlx::any::AnyRow) -> Result<Record, sqlx::Error> {
    let action: String = row.try_get("action")?;
    Ok(Record {
        seq: row.try_get("seq")?,
        event: Event {
            at_ms: row.try_get("at")?,
            // An unknown action name is kept visible to verification: it cannot have been
            // written by the server, and its hash will not match.
            action: Action::parse(&action).unwrap_or(Action::Deny),
            actor: Actor {
                tenant_id: row.try_get("actor_tenant")?,
                object_id: row.try_get("actor_oid")?,
                username: row.try_get("actor_name")?,
            },
            key_id: row.try_get("key_id")?,
            key_tenant: row.try_get("key_tenant")?,
            reason: row.try_get("reason")?,
            detail: row.try_get("detail")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

impl Store {
    /// Calls `each` with every record in order of number, streaming them.
    pub async fn for_each_audit_record(
        &self,
        mut each: impl FnMut(&Record),
    ) -> Result<(), StoreError> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM audit_log ORDER BY seq");
        let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            each(&record(&row)?);
        }
        Ok(())
    }

    /// The head of the chain: the last record's number and hash.
    pub async fn audit_head(&self) -> Result<(i64, Vec<u8>), StoreError> {
        Ok(
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// A page of records matching `filter`, newest first.
    pub async fn audit_records(&self, filter: &AuditFilter) -> Result<Vec<Record>, StoreError> {
        let mut sql = format!(
            "SELECT {RECORD_COLUMNS} FROM audit_log \
             WHERE (actor_tenant = $1 OR key_tenant = $1) AND seq < $2"
        );
        let mut n = 2;
        let mut clause = |column: &str, op: &str| {
            n += 1;
            sql.push_str(&format!(" AND {column} {op} ${n}"));
        };
        if filter.user.is_some() {
            clause("actor_name", "=");
        }
        if filter.key_id.is_some() {
            clause("key_id", "=");
        }
        if filter.action.is_some() {
            clause("action", "=");
        }
        if filter.from_ms.is_some() {
            clause("at", ">=");
        }
        if filter.to_ms.is_some() {
            clause("at", "<");
        }
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT ${}", n + 1));
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(&filter.tenant_id)
            .bind(filter.before_seq.unwrap_or(i64::MAX));
        if let Some(user) = &filter.user {
            query = query.bind(user);
        }
        if let Some(key) = &filter.key_id {
            query = query.bind(key);
        }
        if let Some(action) = filter.action {
            query = query.bind(action.as_str());
        }
        if let Some(from) = filter.from_ms {
            query = query.bind(from);
        }
        if let Some(to) = filter.to_ms {
            query = query.bind(to);
        }
        let rows = query.bind(filter.limit).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(record).collect::<Result<_, _>>()?)
    }

    /// What each user of `tenant_id` did between `from_ms` (inclusive) and `to_ms`
    /// (exclusive), by user name.
    pub async fn user_stats(
        &self,
        tenant_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<UserStats>, StoreError> {
        let count = |action: &str| {
            format!("CAST(SUM(CASE WHEN action = '{action}' THEN 1 ELSE 0 END) AS BIGINT)")
        };
        let sql = format!(
            "SELECT actor_name, {}, {}, {}, {} FROM audit_log \
             WHERE actor_tenant = $1 AND at >= $2 AND at < $3 \
             GROUP BY actor_name ORDER BY actor_name",
            count("create"),
            count("release"),
            count("deny"),
            "CAST(SUM(CASE WHEN action IN ('policy', 'revoke') THEN 1 ELSE 0 END) AS BIGINT)",
        );
        let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(from_ms)
            .bind(to_ms)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(user, keys_created, releases, denials, policy_changes)| UserStats {
                    user,
                    keys_created,
                    releases,
                    denials,
                    policy_changes,
                },
            )
            .collect())
    }
}
