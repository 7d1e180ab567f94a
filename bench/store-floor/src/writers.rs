//! The database of the store floor, and the two ways it carries out a release.
//!
//! - [`store_release`] hands the release to the broker's own store ([`Store::release`]): its
//!   writer task, its group commit through sqlx, its statements, with a decision reduced to the
//!   recipient rule (no AES-GCM).
//! - [`rusqlite_writer`] runs on a thread of its own and calls SQLite directly, with the same
//!   gathering of waiting requests into one commit but no driver thread to hand each statement
//!   and row to: for each key, one prepared read and one prepared insert, the cheapest way to
//!   reach SQLite from Rust. Unlike the broker's writer, it does not retry a failed batch request
//!   by request (every request of the batch gets the error), which costs nothing when none fails.
//!
//! Both append the records the broker would (the same events, MACed as the broker does, with
//! audit keys derived from the fixed [`AUDIT_SECRET`]: the floor has no master key file).

use std::path::Path;

use addin_server::audit::{Action, Actor, AuditKeys, Event};
use addin_server::config::Database;
use addin_server::store::{KeyRow, NewKey, Store, UnwrapRow, Write};
use anyhow::Context;
use base64::Engine as _;
use sqlx::any::AnyPoolOptions;
use sqlx::{AssertSqlSafe, Executor};
use tokio::sync::mpsc;

use crate::{Job, CALLER, MAX_BATCH};

/// The owner's tenant and the caller's, as in the benchmark's tokens (any GUIDs would do).
const OWNER_TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OWNER_OID: &str = "11111111-1111-4111-8111-111111111111";
const CALLER_TENANT: &str = "e5c4b3a2-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
const CALLER_OID: &str = "33333333-3333-4333-8333-333333333333";

/// What the server's SQLite connections set (`store::open_sqlite`); the checkpoints are the
/// store's, kept open beside this writer.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA wal_autocheckpoint = 10000; \
     PRAGMA temp_store = MEMORY;";

/// The secret the floor's audit keys are derived from (it measures the cost of the MAC, not
/// its secrecy).
pub(crate) const AUDIT_SECRET: [u8; 32] = [0; 32];

/// The floor's audit keys.
pub(crate) fn audit_keys() -> anyhow::Result<AuditKeys> {
    AuditKeys::derive(&AUDIT_SECRET).map_err(anyhow::Error::msg)
}

/// Keys created per write while seeding.
const SEED_BATCH: usize = 100;

/// Makes the database to run on and returns it: for PostgreSQL, a new database on the server
/// `database` names, `store_floor_` and random hex, never dropped (the benchmark's cluster is a throwaway
/// one); for SQLite, the file `database` names, which must not exist yet.
pub(crate) async fn create(database: Database) -> anyhow::Result<Database> {
    match database {
        Database::Sqlite(ref path) if path.exists() => anyhow::bail!(
            "{} exists: the store floor seeds a database of its own; name a file that does not exist",
            path.display()
        ),
        Database::Sqlite(_) => Ok(database),
        Database::Postgres(ref url) => {
            let mut suffix = [0u8; 6];
            getrandom::getrandom(&mut suffix)
                .map_err(|e| anyhow::anyhow!("the system's random generator failed: {e}"))?;
            let name = format!(
                "store_floor_{}",
                suffix.iter().map(|b| format!("{b:02x}")).collect::<String>()
            );
            sqlx::any::install_default_drivers();
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .connect(url.connect_url())
                .await
                .with_context(|| format!("cannot connect to {}", url.redacted()))?;
            pool.execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await?;
            pool.close().await;
            let mut fresh = url::Url::parse(url.connect_url())?;
            fresh.set_path(&name);
            Ok(fresh.as_str().parse()?)
        }
    }
}

/// Seeds `keys` keys naming [`CALLER`] through the broker's store (its migrations, its key
/// inserts, their creation records); returns their ids (128 random bits each, as the broker's).
pub(crate) async fn seed(store: &Store, keys: usize) -> anyhow::Result<Vec<String>> {
    store.set_audit_keys(audit_keys()?);
    store.register_master_version(1, &[0; 32], 0).await?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut ids = Vec::with_capacity(keys);
    while ids.len() < keys {
        let mut ops = Vec::new();
        for _ in 0..SEED_BATCH.min(keys - ids.len()) {
            let mut id = [0u8; 16];
            let mut wrapped = vec![0u8; 60];
            getrandom::getrandom(&mut id)
                .and_then(|()| getrandom::getrandom(&mut wrapped))
                .map_err(|e| anyhow::anyhow!("the system's random generator failed: {e}"))?;
            let id = b64.encode(id);
            let now = now_ms() / 1000;
            ops.push(Write::CreateKey {
                key: NewKey {
                    row: KeyRow {
                        key_id: id.clone(),
                        tenant_id: OWNER_TENANT.into(),
                        owner_oid: OWNER_OID.into(),
                        owner_name: "alice@contoso.example".into(),
                        whole_tenant: 0,
                        label: None,
                        doc_id: None,
                        created_at: now,
                        updated_at: now,
                        expires_at: None,
                        revoked_at: None,
                    },
                    recipients: vec![CALLER.into()],
                    master_version: 1,
                    wrapped,
                },
                audit: Event {
                    at_ms: now_ms(),
                    action: Action::Create,
                    actor: Actor {
                        tenant_id: OWNER_TENANT.into(),
                        object_id: OWNER_OID.into(),
                        username: "alice@contoso.example".into(),
                    },
                    key_id: Some(id.clone()),
                    key_tenant: Some(OWNER_TENANT.into()),
                    reason: None,
                    detail: None,
                },
            });
            ids.push(id);
        }
        store.write(ops).await?;
    }
    Ok(ids)
}

/// Drops the audit log's index by key id (an experiment the broker does not make).
pub(crate) fn drop_key_index(path: &Path) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("DROP INDEX audit_by_key")?;
    Ok(())
}

/// The record of a decision on `key_id` for [`CALLER`].
fn event(key_id: &str, released: bool, at_ms: i64) -> Event {
    Event {
        at_ms,
        action: if released {
            Action::Release
        } else {
            Action::Deny
        },
        actor: Actor {
            tenant_id: CALLER_TENANT.into(),
            object_id: CALLER_OID.into(),
            username: CALLER.into(),
        },
        key_id: Some(key_id.into()),
        key_tenant: Some(OWNER_TENANT.into()),
        reason: (!released).then(|| "not a recipient".into()),
        detail: None,
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Whether [`CALLER`] gets a key at `now_ms`: named among its recipients, neither revoked nor
/// expired (the broker's rule, without owners and whole organisations, which no seeded key has).
fn releasable(named: bool, revoked_at: Option<i64>, expires_at: Option<i64>, now_ms: i64) -> bool {
    named && revoked_at.is_none() && expires_at.is_none_or(|t| t * 1000 > now_ms)
}

/// Releases `ids` to [`CALLER`] through the broker's store ([`Store::release`]): each key's
/// wrapped bytes if [`releasable`], once its record is committed.
pub(crate) async fn store_release(
    store: &Store,
    ids: Vec<String>,
) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
    let wanted = ids.clone();
    let decide = move |rows: Vec<UnwrapRow>| {
        let now = now_ms();
        let mut keys = Vec::with_capacity(wanted.len());
        let mut records = Vec::with_capacity(wanted.len());
        for id in &wanted {
            let key = rows
                .iter()
                .find(|r| &r.key_id == id)
                .filter(|r| releasable(r.named == 1, r.revoked_at, r.expires_at, now))
                .map(|r| r.wrapped.clone());
            records.push(event(id, key.is_some(), now));
            keys.push(key);
        }
        (keys, records)
    };
    Ok(store
        .release(Vec::new(), ids, Some(CALLER.into()), decide)
        .await?)
}

/// Takes the jobs waiting after `first`, up to [`MAX_BATCH`] keys.
fn batch(first: Job, rx: &mut mpsc::Receiver<Job>) -> Vec<Job> {
    let mut count = first.ids.len();
    let mut jobs = vec![first];
    while count < MAX_BATCH {
        match rx.try_recv() {
            Ok(job) => {
                count += job.ids.len();
                jobs.push(job);
            }
            Err(_) => break,
        }
    }
    jobs
}

/// The writer through rusqlite, on the calling thread (which it blocks): takes every job
/// waiting, decides and records each key in one transaction, commits, then answers.
pub(crate) fn rusqlite_writer(path: &Path, mut rx: mpsc::Receiver<Job>) {
    let opened = rusqlite::Connection::open(path)
        .and_then(|c| c.execute_batch(SQLITE_PRAGMAS).map(|()| c))
        .with_context(|| format!("cannot open {}", path.display()));
    let (mut conn, audit) = match opened.and_then(|c| Ok((c, audit_keys()?))) {
        Ok(ready) => ready,
        Err(e) => {
            while let Some(job) = rx.blocking_recv() {
                let _ = job.reply.send(Err(anyhow::anyhow!("{e:#}")));
            }
            return;
        }
    };
    while let Some(first) = rx.blocking_recv() {
        let jobs = batch(first, &mut rx);
        match rusqlite_commit(&mut conn, &audit, &jobs) {
            Ok(keys) => {
                for (job, keys) in jobs.into_iter().zip(keys) {
                    let _ = job.reply.send(Ok(keys));
                }
            }
            Err(e) => {
                for job in jobs {
                    let _ = job.reply.send(Err(anyhow::anyhow!("{e:#}")));
                }
            }
        }
    }
}

fn rusqlite_commit(
    conn: &mut rusqlite::Connection,
    audit: &AuditKeys,
    jobs: &[Job],
) -> anyhow::Result<Vec<Vec<Option<Vec<u8>>>>> {
    let tx = conn.transaction()?;
    let (mut seq, mut hash): (i64, Vec<u8>) = tx.query_row(
        "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let now = now_ms();
    let mut answers = Vec::with_capacity(jobs.len());
    {
        let mut read = tx.prepare_cached(
            "SELECT k.wrapped, k.revoked_at, k.expires_at, r.recipient FROM data_keys k \
             LEFT JOIN key_recipients r ON r.key_id = k.key_id AND r.recipient = ?2 \
             WHERE k.key_id = ?1",
        )?;
        // The insert advances the head too (the trigger of migration 0004).
        let mut insert = tx.prepare_cached(
            "INSERT INTO audit_log (seq, at, action, actor_tenant, actor_oid, actor_name, key_id, \
             key_tenant, reason, detail, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for job in jobs {
            let mut keys = Vec::with_capacity(job.ids.len());
            for id in &job.ids {
                type Row = (Vec<u8>, Option<i64>, Option<i64>, Option<String>);
                let row: Option<Row> = read
                    .query_map(rusqlite::params![id, CALLER], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?
                    .next()
                    .transpose()?;
                let key = row
                    .filter(|(_, revoked, expires, named)| {
                        releasable(named.is_some(), *revoked, *expires, now)
                    })
                    .map(|(wrapped, ..)| wrapped);
                let e = event(id, key.is_some(), now);
                seq += 1;
                let next = audit.record_mac(seq, &e, &hash).to_vec();
                insert.execute(rusqlite::params![
                    seq,
                    e.at_ms,
                    e.action.as_str(),
                    e.actor.tenant_id,
                    e.actor.object_id,
                    e.actor.username,
                    e.key_id,
                    e.key_tenant,
                    e.reason,
                    e.detail,
                    hash,
                    next
                ])?;
                hash = next;
                keys.push(key);
            }
            answers.push(keys);
        }
    }
    tx.commit()?;
    Ok(answers)
}
