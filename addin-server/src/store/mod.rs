//! The store: one place that knows which database engine holds the server's state.
//!
//! It opens the database (SQLite, the embedded default, or PostgreSQL, shared by several
//! servers), creates it on first start, applies the migrations of its engine
//! (`addin-server/migrations/{sqlite,postgres}/`, same tables and columns), and answers
//! queries. Queries are written once, in the SQL both engines accept (numbered `$n`
//! parameters, `BIGINT` integers, byte strings), through sqlx's `Any` driver; only long lists of
//! parameters are spelt per engine (`Engine::params`).
//!
//! Every write of the key broker goes through one writer task per process ([`writer`]), which
//! commits concurrent requests together and appends their audit records to the hash chain in the
//! same transaction; it also reads the keys of unwraps, for all of them at once, inside the
//! transaction that records their release ([`releases`]). The store enforces no policy: who
//! may read or change what is decided by [`crate::broker`].

mod audit;
mod checkpoint;
mod documents;
mod identity;
mod keys;
pub mod passcodes;
pub mod releases;
mod tenants;
pub mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, ConnectOptions, Executor};

use crate::audit::AuditKeys;
use crate::config::{Database, PostgresUrl};

pub use audit::AuditFilter;
pub use documents::{DocumentKind, DocumentRow, NewVersion};
pub use keys::{KeyRow, NewKey, PolicyChange};
pub use releases::{Decide, Release, UnwrapRow};
pub use tenants::ConsentState;
pub use writer::{
    KeyCreated, PolicyChanged, Publication, Removal, Revocation, Rewrap, Write, Written,
};

/// Why the store could not be opened or queried.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error("cannot open the database {location}: {source}; {fix}")]
    Open {
        /// The database file or redacted URL.
        location: String,
        /// The driver's error.
        source: sqlx::Error,
        /// What to check.
        fix: &'static str,
    },
    /// The schema could not be brought up to date.
    #[error("cannot apply the database migrations: {0}; the database may belong to a newer server version, restore a backup or use a newer server")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// The writer task has stopped (the server is shutting down).
    #[error("the database writer has stopped")]
    WriterStopped,
    /// A role could not be given the server's privileges; the message says why.
    #[error("{0}")]
    Grant(String),
    /// The schema needs migrations that this database role may not apply.
    #[error("the database schema is older than this server and its role may not change it: run `addin-server migrate` with the database owner's ADDIN_DATABASE_URL, then start the server again")]
    SchemaOutOfDate,
    /// A write came before the master key file was loaded: audit records cannot be MACed.
    #[error("the audit log's keys are not loaded (the master key file must be opened before anything is written)")]
    NoAuditKeys,
}

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// One SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Engine {
    /// `n` parameter placeholders for a statement whose parameters are all bound in the order
    /// they appear, the first being the `first`th: `$first, $first+1, ...` on PostgreSQL, and
    /// anonymous `?` on SQLite. SQLite looks a numbered parameter up by a linear search of the
    /// statement's names, which made binding a many-row insert quadratic (a tenth of the server's
    /// time under load); anonymous ones are bound by position. So a statement must not mix these
    /// with numbered `$n` written by hand.
    pub(crate) fn params(self, first: usize, n: usize) -> String {
        match self {
            Engine::Postgres => (first..first + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", "),
            Engine::Sqlite => vec!["?"; n].join(", "),
        }
    }
}

/// A handle to the store, cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    writer: writer::Handle,
    audit_keys: writer::KeySlot,
    /// SQLite's background checkpoints' connection.
    checkpointer: Option<AnyPool>,
}

impl Store {
    /// Opens (creating if needed) and migrates the configured database, and starts its writer.
    ///
    /// The writer has a connection of its own, so that committing never waits for a connection
    /// that readers hold; readers share a pool.
    pub async fn open(database: &Database) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (pool, engine) = match database {
            Database::Sqlite(path) => (open_sqlite(path, readers()).await?, Engine::Sqlite),
            Database::Postgres(url) => (open_postgres(url, 16).await?, Engine::Postgres),
        };
        let migrator = match engine {
            Engine::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Engine::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        // A schema that is up to date is left alone, so that a server whose PostgreSQL role may
        // not change the schema (see `grant_server_role`) starts; only the owner migrates.
        if !up_to_date(&pool, &migrator).await {
            migrator.run(&pool).await.map_err(|e| match engine {
                Engine::Postgres if e.to_string().contains("permission denied") => {
                    StoreError::SchemaOutOfDate
                }
                _ => StoreError::Migrate(e),
            })?;
        }
        let writer_pool = match database {
            Database::Sqlite(path) => open_sqlite(path, 1).await?,
            Database::Postgres(url) => open_postgres(url, 1).await?,
        };
        let audit_keys = writer::KeySlot::default();
        let writer = writer::Handle::start(writer_pool, engine, audit_keys.clone());
        let checkpointer = match database {
            Database::Sqlite(path) => Some(checkpoint::start(open_sqlite(path, 1).await?)),
            Database::Postgres(_) => None,
        };
        Ok(Store {
            pool,
            engine,
            writer,
            audit_keys,
            checkpointer,
        })
    }

    /// Gives the PostgreSQL role `role` what the server needs and nothing more: reading and
    /// writing the rows of its tables, but no schema change, no `TRUNCATE`, and on the audit log
    /// only `SELECT` and `INSERT`. Run by the database owner (`addin-server migrate --grant`);
    /// the server then runs as `role`.
    pub async fn grant_server_role(&self, role: &str) -> Result<(), StoreError> {
        if self.engine != Engine::Postgres {
            return Err(StoreError::Grant(
                "roles are PostgreSQL's; a SQLite file is protected by its file permissions".into(),
            ));
        }
        let valid = !role.is_empty()
            && role.len() <= 63
            && role.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(StoreError::Grant(format!(
                "{role:?} is not a role name this command accepts: lowercase letters, digits and _, at most 63"
            )));
        }
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_roles WHERE rolname = $1")
            .bind(role)
            .fetch_optional(&self.pool)
            .await?;
        if exists.is_none() {
            return Err(StoreError::Grant(format!(
                "there is no PostgreSQL role {role}: create it first (CREATE ROLE {role} LOGIN PASSWORD '...')"
            )));
        }
        let database: String = sqlx::query_scalar("SELECT CAST(current_database() AS TEXT)")
            .fetch_one(&self.pool)
            .await?;
        let statements = [
            format!("REVOKE ALL ON DATABASE \"{database}\" FROM PUBLIC"),
            format!("GRANT CONNECT ON DATABASE \"{database}\" TO {role}"),
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC".to_owned(),
            format!("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"),
            format!("GRANT USAGE ON SCHEMA public TO {role}"),
            format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            ),
            format!("REVOKE UPDATE, DELETE ON audit_log FROM {role}"),
            format!("REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM {role}"),
            format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        ];
        let mut tx = self.pool.begin().await?;
        for sql in statements {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Gives the writer the audit log's keys (from the master key file); until then every write
    /// is refused. They never change, so a second call keeps the first keys.
    pub fn set_audit_keys(&self, keys: AuditKeys) {
        let _ = self.audit_keys.set(keys);
    }

    /// The audit log's keys, once set.
    pub fn audit_keys(&self) -> Option<&AuditKeys> {
        self.audit_keys.get()
    }

    /// The engine behind this store.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The migrations applied, oldest first: `(version, description)`.
    pub async fn migrations(&self) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT version, description FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Commits `ops` in one transaction, with any other writes waiting at the same time, and
    /// returns what each did. Nothing is acknowledged before it is durable.
    pub async fn write(&self, ops: Vec<Write>) -> Result<Vec<Written>, StoreError> {
        self.writer.write(ops).await
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the connections, waiting for running queries.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
        if let Some(pool) = &self.checkpointer {
            pool.close().await;
        }
    }
}

/// Opens the SQLite file at `path` in WAL mode with full synchronisation: a write is on disk
/// before it is acknowledged, so neither a killed process nor a power cut loses it. Temporary
/// storage is kept in memory: an insert that fires a trigger inside a transaction needs a
/// statement journal, which SQLite otherwise creates, writes and deletes as a file for every
/// batch of audit records (an open and an unlink per commit, and about a third of the server's
/// file writes under load). It holds only what one statement would undo, never committed data.
async fn open_sqlite(path: &std::path::Path, connections: u32) -> Result<AnyPool, StoreError> {
    let open_err = |source| StoreError::Open {
        location: path.display().to_string(),
        source,
        fix: "check that ADDIN_DATA_DIR (or the path in ADDIN_DATABASE_URL) is writable",
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::fsutil::create_private_dir(dir).map_err(|e| open_err(sqlx::Error::Io(e)))?;
    }
    let url = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .to_url_lossy();
    let options = AnyConnectOptions::from_str(url.as_str()).map_err(open_err)?;
    AnyPoolOptions::new()
        .max_connections(connections)
        // A connection to a local file does not go stale: no round trip to test it.
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA wal_autocheckpoint = 10000; PRAGMA temp_store = MEMORY;",
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(open_err)
}

/// Whether every migration of `migrator` is applied to `pool`'s database, unchanged.
async fn up_to_date(pool: &AnyPool, migrator: &sqlx::migrate::Migrator) -> bool {
    let applied: Result<Vec<(i64, Vec<u8>)>, _> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await;
    let Ok(applied) = applied else {
        return false;
    };
    migrator.iter().all(|m| {
        applied
            .iter()
            .any(|(v, sum)| *v == m.version && sum[..] == m.checksum[..])
    })
}

/// How many connections read SQLite at once: two per processor (a read spends part of its time
/// waiting for the file), at least four.
fn readers() -> u32 {
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cpus * 2).unwrap_or(u32::MAX).max(4)
}

/// Connects to the PostgreSQL server at `url` with at most `connections` connections.
async fn open_postgres(url: &PostgresUrl, connections: u32) -> Result<AnyPool, StoreError> {
    let open_err = |source| {
        StoreError::Open {
        location: url.redacted(),
        source,
        fix: "check ADDIN_DATABASE_URL (host, port, user, password, database) and that the server accepts connections",
    }
    };
    let options = AnyConnectOptions::from_str(url.connect_url()).map_err(open_err)?;
    AnyPoolOptions::new()
        .max_connections(connections)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(open_err)
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
            .create_consent_state("s1", "t1", "o1", "u1", 1_000, 0)
            .await
            .unwrap();
        store
            .create_consent_state("s2", "t2", "o2", "u2", 1_000, 0)
            .await
            .unwrap();
        assert_eq!(
            store.take_consent_state("s1", 999).await.unwrap(),
            Some(ConsentState {
                tenant_id: "t1".into(),
                object_id: "o1".into(),
                username: "u1".into(),
            })
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
            .create_consent_state("s3", "t3", "o3", "u3", 900, 0)
            .await
            .unwrap();
        store
            .create_consent_state("s4", "t4", "o4", "u4", 5_000, 1_000)
            .await
            .unwrap();
        assert_eq!(store.take_consent_state("s3", 0).await.unwrap(), None);
        assert!(!store.tenant_consented("t4").await.unwrap());
    }

    #[tokio::test]
    async fn an_unwritable_location_is_a_clear_error() {
        let db = Database::Sqlite(std::path::PathBuf::from("/proc/addin-test/addin.db"));
        let err = Store::open(&db).await.unwrap_err().to_string();
        assert!(
            err.starts_with("cannot open the database /proc/addin-test/addin.db"),
            "{err}"
        );
    }
}
