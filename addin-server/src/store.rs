//! The store: one place that knows which database engine holds the server's state.
//!
//! It opens the database, creates it on first start, applies the migrations in
//! `addin-server/migrations/`, and answers queries. It enforces no policy: who may read or
//! change what is decided by the layers above.

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::config::Database;

/// Why the store could not be opened or queried.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error("cannot open the SQLite database {path}: {source}; check that ADDIN_DATA_DIR (or the path in ADDIN_DATABASE_URL) is writable")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot apply the database migrations: {0}; the database may belong to a newer server version, restore a backup or use a newer server")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

/// A handle to the store, cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) and migrates the configured database.
    pub async fn open(database: &Database) -> Result<Store, StoreError> {
        let Database::Sqlite(path) = database;
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::fsutil::create_private_dir(dir).map_err(|e| open_err(sqlx::Error::Io(e)))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(open_err)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the tenant's administrator granted admin consent (a lowercase GUID).
    pub async fn tenant_consented(&self, tenant_id: &str) -> Result<bool, StoreError> {
        let found = sqlx::query("SELECT 1 FROM tenants WHERE tenant_id = ?")
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// Records a pending admin-consent request (see [`crate::consent`]), and forgets expired ones.
    pub async fn create_consent_state(
        &self,
        state: &str,
        tenant_id: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM consent_states WHERE expires_at <= ?")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO consent_states (state, tenant_id, expires_at) VALUES (?, ?, ?)")
            .bind(state)
            .bind(tenant_id)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a pending admin-consent request (it can be used once): its tenant, if it exists and
    /// has not expired at `now`.
    pub async fn take_consent_state(
        &self,
        state: &str,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "DELETE FROM consent_states WHERE state = ? RETURNING tenant_id, expires_at",
        )
        .bind(state)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .filter(|(_, expires)| *expires > now)
            .map(|(tenant, _)| tenant))
    }

    /// Records that `tenant_id`'s administrator granted admin consent (again, if already).
    pub async fn record_consent(&self, tenant_id: &str, at: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tenants (tenant_id, consented_at) VALUES (?, ?) \
             ON CONFLICT (tenant_id) DO UPDATE SET consented_at = excluded.consented_at",
        )
        .bind(tenant_id)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Closes the connections, waiting for running queries.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn creates_migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::Sqlite(dir.path().join("sub/addin.db"));
        let store = Store::open(&db).await.unwrap();
        store.ping().await.unwrap();
        store.close().await;
        // A second open finds the schema in place and applies nothing twice.
        let again = Store::open(&db).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants")
            .fetch_one(&again.pool)
            .await
            .unwrap();
        assert_eq!(n, 0);
    }

    #[tokio::test]
    async fn consent_states_work_once_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Database::Sqlite(dir.path().join("a.db")))
            .await
            .unwrap();
        store
            .create_consent_state("s1", "t1", 1_000, 0)
            .await
            .unwrap();
        store
            .create_consent_state("s2", "t2", 1_000, 0)
            .await
            .unwrap();
        assert_eq!(
            store
                .take_consent_state("s1", 999)
                .await
                .unwrap()
                .as_deref(),
            Some("t1")
        );
        assert_eq!(
            store.take_consent_state("s1", 999).await.unwrap(),
            None,
            "used once"
        );
        assert_eq!(
            store.take_consent_state("s2", 1_000).await.unwrap(),
            None,
            "expired"
        );
        // Creating a state sweeps the expired ones.
        store
            .create_consent_state("s3", "t3", 900, 0)
            .await
            .unwrap();
        store
            .create_consent_state("s4", "t4", 5_000, 1_000)
            .await
            .unwrap();
        assert_eq!(store.take_consent_state("s3", 0).await.unwrap(), None);
        assert!(!store.tenant_consented("t4").await.unwrap());
        store
            .record_consent("t4", "2026-11-25T00:00:00Z")
            .await
            .unwrap();
        store
            .record_consent("t4", "2026-11-26T00:00:00Z")
            .await
            .unwrap();
        assert!(store.tenant_consented("t4").await.unwrap());
    }

    #[tokio::test]
    async fn an_unwritable_location_is_a_clear_error() {
        let db = Database::Sqlite(PathBuf::from("/proc/addin-test/addin.db"));
        let err = Store::open(&db).await.unwrap_err().to_string();
        assert!(
            err.starts_with("cannot open the SQLite database /proc/addin-test/addin.db"),
            "{err}"
        );
    }
}
