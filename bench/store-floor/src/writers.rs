//! The two group-commit writers of the store floor, and the database they share.
//!
//! Both take every job waiting (up to [`MAX_BATCH`] keys), decide each key in one transaction
//! and append one audit record per key, then commit and answer. They differ only in how they
//! reach the database:
//!
//! - [`sqlx_writer`] makes the statements the broker's writer makes, through sqlx's Any driver
//!   (begin, lock the chain's head, read the batch's keys in one statement, insert the records in
//!   statements of up to 64 rows, commit), with the broker's placeholders ([`Engine::params`]). On SQLite each statement is handed to sqlx's thread
//!   for the connection and back.
//! - [`rusqlite_writer`] runs on a thread of its own and calls SQLite directly: a prepared
//!   statement per key read and per record, with no hand-off between threads but the job's.

use std::path::Path;
use std::str::FromStr;

use addin_server::audit::{chain_hash, Action, Actor, Event};
use addin_server::store::Engine;
use anyhow::Context;
use base64::Engine as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, AssertSqlSafe, Executor};
use tokio::sync::mpsc;

use crate::{Job, CALLER, MAX_BATCH};

/// The owner's tenant and the caller's, as in the benchmark's tokens (any GUIDs would do).
const OWNER_TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CALLER_TENANT: &str = "e5c4b3a2-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
const CALLER_OID: &str = "33333333-3333-4333-8333-333333333333";

/// What the server's SQLite connections set.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA temp_store = MEMORY;";

/// Records per insert statement, as in the broker's writer.
const INSERT_ROWS: usize = 64;

/// Connects with the server's settings (one connection: the writer's).
pub(crate) async fn connect(url: &str, postgres: bool) -> anyhow::Result<AnyPool> {
    let options = AnyConnectOptions::from_str(url)?;
    AnyPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if !postgres {
                    conn.execute(SQLITE_PRAGMAS).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open {url}"))
}

/// Makes the database to run on: for PostgreSQL, a new database in the server `url` names
/// (the benchmark's cluster is a throwaway one); for SQLite, the file, which must not exist yet.
/// Returns the URL to connect to.
pub(crate) async fn create(url: &str, postgres: bool) -> anyhow::Result<String> {
    if !postgres {
        return Ok(url.to_owned());
    }
    let mut suffix = [0u8; 6];
    getrandom::getrandom(&mut suffix)
        .map_err(|e| anyhow::anyhow!("the system's random generator failed: {e}"))?;
    let name = format!(
        "store_floor_{}",
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let pool = connect(url, true).await?;
    pool.execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    pool.close().await;
    let mut fresh = url::Url::parse(url).with_context(|| format!("not a URL: {url}"))?;
    fresh.set_path(&name);
    Ok(fresh.to_string())
}

/// Runs the server's migrations on an empty database and seeds `keys` keys naming [`CALLER`];
/// returns their ids (128 random bits each, as the broker's).
pub(crate) async fn prepare(
    url: &str,
    postgres: bool,
    keys: usize,
    without_key_index: bool,
) -> anyhow::Result<Vec<String>> {
    let pool = connect(url, postgres).await?;
    if postgres {
        sqlx::migrate!("../../addin-server/migrations/postgres")
            .run(&pool)
            .await?;
    } else {
        sqlx::migrate!("../../addin-server/migrations/sqlite")
            .run(&pool)
            .await?;
    }
    if without_key_index {
        pool.execute("DROP INDEX audit_by_key").await?;
    }
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO master_keys (version, check_value, created_at) VALUES (1, $1, 0)")
        .bind(vec![0u8; 32])
        .execute(&mut *tx)
        .await?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut ids = Vec::with_capacity(keys);
    for _ in 0..keys {
        let mut id = [0u8; 16];
        let mut wrapped = vec![0u8; 60];
        getrandom::getrandom(&mut id)
            .and_then(|()| getrandom::getrandom(&mut wrapped))
            .map_err(|e| anyhow::anyhow!("the system's random generator failed: {e}"))?;
        let id = b64.encode(id);
        sqlx::query(
            "INSERT INTO data_keys (key_id, tenant_id, owner_oid, owner_name, whole_tenant, \
             created_at, updated_at, master_version, wrapped) \
             VALUES ($1, $2, $3, 'alice@contoso.example', 0, 0, 0, 1, $4)",
        )
        .bind(&id)
        .bind(OWNER_TENANT)
        .bind(CALLER_OID)
        .bind(wrapped)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO key_recipients (key_id, recipient) VALUES ($1, $2)")
            .bind(&id)
            .bind(CALLER)
            .execute(&mut *tx)
            .await?;
        ids.push(id);
    }
    tx.commit().await?;
    pool.close().await;
    Ok(ids)
}

/// The record of the broker's decision on one key for [`CALLER`].
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

/// Sends each job its answer, or the batch's error to all.
fn answer(jobs: Vec<Job>, result: anyhow::Result<Vec<Vec<Option<Vec<u8>>>>>) {
    match result {
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

/// The writer through sqlx, with the broker's statements.
pub(crate) async fn sqlx_writer(pool: AnyPool, engine: Engine, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let jobs = batch(first, &mut rx);
        let result = sqlx_commit(&pool, engine, &jobs).await;
        answer(jobs, result);
    }
}

async fn sqlx_commit(
    pool: &AnyPool,
    engine: Engine,
    jobs: &[Job],
) -> anyhow::Result<Vec<Vec<Option<Vec<u8>>>>> {
    let mut tx = pool.begin().await?;
    let (mut seq, mut hash): (i64, Vec<u8>) =
        sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
    let mut ids: Vec<&str> = jobs
        .iter()
        .flat_map(|j| j.ids.iter().map(String::as_str))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let Some(&last) = ids.last() else {
        return Ok(jobs.iter().map(|_| Vec::new()).collect());
    };
    // Padded to a power of two, as the broker does, so that few distinct statements are prepared.
    let n = ids.len().next_power_of_two();
    let sql = format!(
        "SELECT k.key_id, k.wrapped, r.recipient FROM data_keys k LEFT JOIN key_recipients r \
         ON r.key_id = k.key_id AND r.recipient = {} WHERE k.key_id IN ({})",
        engine.params(1, 1),
        engine.params(2, n)
    );
    let query = (0..n).fold(
        sqlx::query_as::<_, (String, Vec<u8>, Option<String>)>(AssertSqlSafe(sql)).bind(CALLER),
        |q, i| q.bind(*ids.get(i).unwrap_or(&last)),
    );
    let rows: std::collections::HashMap<String, (Vec<u8>, bool)> = query
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(id, wrapped, recipient)| (id, (wrapped, recipient.is_some())))
        .collect();
    let at = now_ms();
    let mut records = Vec::new();
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut keys = Vec::with_capacity(job.ids.len());
        for id in &job.ids {
            let row = rows.get(id).filter(|(_, named)| *named);
            let event = event(id, row.is_some(), at);
            seq += 1;
            let next = chain_hash(seq, &event, &hash).to_vec();
            records.push((seq, event, std::mem::replace(&mut hash, next.clone()), next));
            keys.push(row.map(|(wrapped, _)| wrapped.clone()));
        }
        answers.push(keys);
    }
    for chunk in records.chunks(INSERT_ROWS) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| format!("({})", engine.params(r * 12 + 1, 12)))
            .collect();
        let sql = format!(
            "INSERT INTO audit_log (seq, at, action, actor_tenant, actor_oid, actor_name, key_id, \
             key_tenant, reason, detail, prev_hash, hash) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (seq, e, prev, hash) in chunk {
            query = query
                .bind(*seq)
                .bind(e.at_ms)
                .bind(e.action.as_str())
                .bind(&e.actor.tenant_id)
                .bind(&e.actor.object_id)
                .bind(&e.actor.username)
                .bind(&e.key_id)
                .bind(&e.key_tenant)
                .bind(&e.reason)
                .bind(&e.detail)
                .bind(prev)
                .bind(hash);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(answers)
}

/// The writer through rusqlite, on the calling thread (which it blocks).
pub(crate) fn rusqlite_writer(path: &Path, mut rx: mpsc::Receiver<Job>) {
    let mut conn = match rusqlite::Connection::open(path)
        .and_then(|c| c.execute_batch(SQLITE_PRAGMAS).map(|()| c))
    {
        Ok(conn) => conn,
        Err(e) => {
            // Every request gets the error.
            while let Some(job) = rx.blocking_recv() {
                let _ = job
                    .reply
                    .send(Err(anyhow::anyhow!("cannot open {}: {e}", path.display())));
            }
            return;
        }
    };
    while let Some(first) = rx.blocking_recv() {
        let jobs = batch(first, &mut rx);
        let result = rusqlite_commit(&mut conn, &jobs);
        answer(jobs, result);
    }
}

fn rusqlite_commit(
    conn: &mut rusqlite::Connection,
    jobs: &[Job],
) -> anyhow::Result<Vec<Vec<Option<Vec<u8>>>>> {
    let tx = conn.transaction()?;
    let (mut seq, mut hash): (i64, Vec<u8>) = tx.query_row(
        "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let at = now_ms();
    let mut answers = Vec::with_capacity(jobs.len());
    {
        let mut read = tx.prepare_cached(
            "SELECT k.wrapped, r.recipient FROM data_keys k LEFT JOIN key_recipients r \
             ON r.key_id = k.key_id AND r.recipient = ?2 WHERE k.key_id = ?1",
        )?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO audit_log (seq, at, action, actor_tenant, actor_oid, actor_name, key_id, \
             key_tenant, reason, detail, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for job in jobs {
            let mut keys = Vec::with_capacity(job.ids.len());
            for id in &job.ids {
                let row: Option<(Vec<u8>, Option<String>)> = read
                    .query_map(rusqlite::params![id, CALLER], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })?
                    .next()
                    .transpose()?;
                let released = row.filter(|(_, recipient)| recipient.is_some());
                let e = event(id, released.is_some(), at);
                seq += 1;
                let next = chain_hash(seq, &e, &hash).to_vec();
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
                keys.push(released.map(|(wrapped, _)| wrapped));
            }
            answers.push(keys);
        }
    }
    tx.commit()?;
    Ok(answers)
}
