//! The one writer of the key broker's tables in this process, with group commit.
//!
//! Requests send their writes ([`Write`]) to a task that takes everything waiting, up to
//! [`MAX_BATCH_OPS`], and commits it in one transaction: one disk flush for many requests,
//! which is what lets SQLite keep `synchronous = FULL` (nothing acknowledged is ever lost)
//! at thousands of requests a second. Each write that records an audit event appends it to the
//! hash chain in that same transaction, so a change and its record are committed together, and
//! a key is released only once the record of its release is on disk. Records are MACed with
//! the audit keys of the master key file ([`crate::audit`]); without them nothing is written.
//!
//! The transaction starts by updating the chain's head row, which takes the write lock at once:
//! on PostgreSQL it serialises the appends of every server sharing the database; on SQLite it
//! avoids a read lock that would have to be upgraded. Unwraps come as [`Release`]s, whose keys
//! are read next, for the whole batch in one statement ([`releases`]). Inserting the records
//! advances the head (a trigger), so a batch costs five round trips to the database: begin, lock
//! the head, read the releases' keys, insert, commit. The writer has a connection of its own
//! (and, on SQLite, the only page cache that stays warm: another connection's commit empties a
//! reader's). If a batch fails, its writes are retried one request at a time, so one bad request
//! cannot fail the others.

use std::borrow::Cow;

use sqlx::{Any, AnyPool, AssertSqlSafe, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::documents::{self, NewVersion};
use super::keys::{self, NewKey, PolicyChange};
use super::releases::{self, Release, UnwrapRow};
use super::tenants;
use super::{Engine, StoreError};
use std::sync::{Arc, OnceLock};

use crate::audit::{AuditKeys, Event};

/// The most writes committed in one transaction, a release counting as many as the keys it asks
/// for (a request bigger than this is committed alone).
pub const MAX_BATCH_OPS: usize = 512;

/// One change to the key broker's tables.
#[derive(Debug)]
pub enum Write {
    /// Record an event only (a refusal of what is not a key id, a master key rotation).
    Audit(Event),
    /// Read keys and record what the broker decides of them (an unwrap).
    Release(Release),
    /// Create a data key with its recipients, unless its master key version is retired.
    CreateKey {
        /// The key.
        key: NewKey,
        /// Its creation record.
        audit: Event,
    },
    /// Change a key's recipients or expiry, unless it is revoked.
    ChangePolicy {
        /// The change.
        change: PolicyChange,
        /// Its record, written only if the change applied.
        audit: Event,
    },
    /// Revoke a key, unless it is revoked already.
    Revoke {
        /// The key.
        key_id: String,
        /// When, in Unix seconds.
        at: i64,
        /// Its record, written only if the key was not revoked yet.
        audit: Event,
    },
    /// Publish a new version of a tenant's document (dictionary, policy), unless another was
    /// published since the version it replaces.
    Publish {
        /// The new version.
        version: NewVersion,
        /// Its record, written only if it was published.
        audit: Event,
    },
    /// Store a passcode challenge, with the record of the code sent or refused.
    Challenge {
        /// The challenge.
        challenge: super::passcodes::NewChallenge,
        /// Its record.
        audit: Event,
    },
    /// Enter a passcode: read the challenge and lockout, decide, apply, record.
    PasscodeEntry(super::passcodes::Entry),
    /// Admit a tenant whose administrator consented.
    AdmitTenant {
        /// The tenant.
        tenant_id: String,
        /// The consenting administrator's object id.
        object_id: String,
        /// When, RFC 3339.
        at: String,
        /// Its record.
        audit: Event,
    },
    /// Remove an admitted tenant and what was learnt of it, if it is admitted.
    RemoveTenant {
        /// The tenant.
        tenant_id: String,
        /// Its record, written only if the tenant was admitted.
        audit: Event,
    },
    /// Store keys rewrapped under a new master key version (each if it is still wrapped under
    /// the version it was read with), and record the batch in the same transaction: `audit`'s
    /// detail gets the counts of what applied.
    RewrapBatch {
        /// The keys.
        keys: Vec<Rewrap>,
        /// The new version.
        to_version: i64,
        /// Keys that could not be unwrapped, left as they were (counted in the record).
        failed: usize,
        /// The batch's record (action `rotate`); its detail is filled in with the counts.
        audit: Event,
    },
}

/// One key of a [`Write::RewrapBatch`].
#[derive(Debug)]
pub struct Rewrap {
    /// The key.
    pub key_id: String,
    /// The version it was read with.
    pub from_version: i64,
    /// The key wrapped under the new version.
    pub wrapped: Vec<u8>,
}

/// What a write did: one variant per kind of write, each with its own outcome, so that one
/// write's outcome cannot be read as another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// An audit record, or a release's records, appended.
    Recorded,
    /// Of a [`Write::CreateKey`].
    Key(KeyCreated),
    /// Of a [`Write::ChangePolicy`].
    Policy(PolicyChanged),
    /// Of a [`Write::Revoke`].
    Revocation(Revocation),
    /// Of a [`Write::Publish`].
    Document(Publication),
    /// Of a [`Write::AdmitTenant`]: admitted (again, if it was).
    Admitted,
    /// Of a [`Write::RemoveTenant`].
    Removal(Removal),
    /// Of a [`Write::RewrapBatch`]: how many keys were rewrapped, and how many had been
    /// rewrapped by someone else since they were read (left as they are).
    Rewrapped {
        /// Rewrapped now.
        rewrapped: u64,
        /// Already under another version.
        moved: u64,
    },
}

impl Written {
    /// Whether the write changed what it was for (its record is then appended): a key created,
    /// a policy changed, a key revoked now, a version published, a tenant admitted or removed,
    /// records appended.
    pub fn applied(&self) -> bool {
        match self {
            Written::Recorded | Written::Admitted | Written::Rewrapped { .. } => true,
            Written::Key(k) => *k == KeyCreated::Created,
            Written::Policy(p) => *p == PolicyChanged::Changed,
            Written::Revocation(r) => *r == Revocation::Revoked,
            Written::Document(d) => *d == Publication::Published,
            Written::Removal(r) => *r == Removal::Removed,
        }
    }
}

/// Whether a key was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCreated {
    /// It was, with its recipients and its record.
    Created,
    /// Not: the master key version it was wrapped under has been retired meanwhile.
    MasterRetired,
}

/// Whether a key's policy changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyChanged {
    /// It did, and its record was written.
    Changed,
    /// Not: the key is revoked (or gone).
    Revoked,
}

/// Whether a key was revoked now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// It was, and its record was written.
    Revoked,
    /// It was revoked already (or is gone): nothing changed, nothing recorded.
    AlreadyRevoked,
}

/// Whether a document version was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publication {
    /// It was, as the next version, with its record.
    Published,
    /// Not: another version was published since the one it replaces.
    Conflict,
}

/// Whether a tenant was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// It was, with what was learnt of it, and its record was written.
    Removed,
    /// It was not admitted: nothing changed, nothing recorded.
    NotAdmitted,
}

struct Job {
    ops: Vec<Write>,
    reply: oneshot::Sender<Result<Vec<Written>, StoreError>>,
}

/// Sends writes to the writer task.
#[derive(Debug, Clone)]
pub(super) struct Handle {
    jobs: mpsc::Sender<Job>,
    pool: AnyPool,
}

/// The audit keys the writer MACs records with, set once the master key file is loaded
/// ([`super::Store::set_audit_keys`]); until then every write is refused.
pub(super) type KeySlot = Arc<OnceLock<AuditKeys>>;

impl Write {
    /// What this write counts for towards [`MAX_BATCH_OPS`].
    fn weight(&self) -> usize {
        match self {
            Write::Release(release) => release.ids.len().max(1),
            _ => 1,
        }
    }
}

impl Job {
    fn weight(&self) -> usize {
        self.ops.iter().map(Write::weight).sum()
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("ops", &self.ops.len()).finish()
    }
}

impl Handle {
    /// Starts the writer task on `pool`; it ends when every handle is dropped.
    pub(super) fn start(pool: AnyPool, engine: Engine, keys: KeySlot) -> Handle {
        let (jobs, rx) = mpsc::channel(4096);
        tokio::spawn(run(pool.clone(), engine, keys, rx));
        Handle { jobs, pool }
    }

    /// Closes the writer's connection, waiting for a commit in progress.
    pub(super) async fn close(&self) {
        self.pool.close().await;
    }

    pub(super) async fn write(&self, ops: Vec<Write>) -> Result<Vec<Written>, StoreError> {
        if ops.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { ops, reply })
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }
}

async fn run(pool: AnyPool, engine: Engine, keys: KeySlot, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let Some(keys) = keys.get() else {
            let _ = first.reply.send(Err(StoreError::NoAuditKeys));
            continue;
        };
        let mut count = first.weight();
        let mut jobs = vec![first];
        while count < MAX_BATCH_OPS {
            match rx.try_recv() {
                Ok(job) => {
                    count += job.weight();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        if jobs.len() > 1 {
            let all: Vec<&[Write]> = jobs.iter().map(|j| j.ops.as_slice()).collect();
            match commit(&pool, engine, keys, &all).await {
                Ok(results) => {
                    for (job, result) in jobs.into_iter().zip(results) {
                        let _ = job.reply.send(Ok(result));
                    }
                    continue;
                }
                Err(e) => {
                    tracing::warn!(target: "store", error = %e, jobs = jobs.len(), "a batch failed; retrying its requests one by one");
                }
            }
        }
        for job in jobs {
            let result = commit(&pool, engine, keys, &[&job.ops])
                .await
                .map(|mut r| r.pop().unwrap_or_default());
            let _ = job.reply.send(result);
        }
    }
}

/// Commits the writes of several requests in one transaction; returns each request's results.
async fn commit(
    pool: &AnyPool,
    engine: Engine,
    keys: &AuditKeys,
    jobs: &[&[Write]],
) -> Result<Vec<Vec<Written>>, StoreError> {
    let mut tx = pool.begin().await?;
    let (seq, hash): (i64, Vec<u8>) =
        sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
    let mut chain = Chain {
        keys,
        seq,
        hash,
        records: Vec::new(),
    };
    let all_releases: Vec<&Release> = jobs
        .iter()
        .flat_map(|ops| ops.iter())
        .filter_map(|op| match op {
            Write::Release(release) => Some(release),
            _ => None,
        })
        .collect();
    let mut rows = if all_releases.is_empty() {
        Vec::new()
    } else {
        releases::read(&mut tx, engine, &all_releases).await?
    }
    .into_iter();
    let mut results = Vec::with_capacity(jobs.len());
    for ops in jobs {
        let mut written = Vec::with_capacity(ops.len());
        for op in *ops {
            written.push(apply(&mut tx, &mut chain, op, &mut rows).await?);
        }
        results.push(written);
    }
    if !chain.records.is_empty() {
        // The insert advances the head too (a trigger, migration 0004).
        insert_records(&mut tx, engine, &chain.records).await?;
    }
    tx.commit().await?;
    Ok(results)
}

/// The end of the hash chain as this transaction extends it, and the records it appends.
struct Chain<'a> {
    keys: &'a AuditKeys,
    seq: i64,
    hash: Vec<u8>,
    /// `(seq, event, prev_hash, hash)`, inserted together before the commit (no other write
    /// reads the audit log, so their place in the transaction does not matter).
    records: Vec<Record<'a>>,
}

/// A record to insert: `(seq, event, prev_hash, hash)`; the event is the write's own, or made
/// by a release's decision.
type Record<'a> = (i64, Cow<'a, Event>, Vec<u8>, Vec<u8>);

impl<'a> Chain<'a> {
    /// Appends `event` to the chain.
    fn append(&mut self, event: Cow<'a, Event>) {
        let seq = self.seq + 1;
        let hash = self.keys.record_mac(seq, &event, &self.hash).to_vec();
        let prev = std::mem::replace(&mut self.hash, hash.clone());
        self.seq = seq;
        self.records.push((seq, event, prev, hash));
    }
}

async fn apply<'a>(
    tx: &mut Transaction<'static, Any>,
    chain: &mut Chain<'a>,
    op: &'a Write,
    rows: &mut impl Iterator<Item = Vec<UnwrapRow>>,
) -> Result<Written, StoreError> {
    let (written, audit) = match op {
        Write::Audit(event) => (Written::Recorded, Some(event)),
        Write::Release(release) => {
            for event in (release.decide)(rows.next().unwrap_or_default()) {
                chain.append(Cow::Owned(event));
            }
            (Written::Recorded, None)
        }
        Write::CreateKey { key, audit } => {
            (Written::Key(keys::insert(tx, key).await?), Some(audit))
        }
        Write::ChangePolicy { change, audit } => (
            Written::Policy(keys::change(tx, change).await?),
            Some(audit),
        ),
        Write::Revoke { key_id, at, audit } => (
            Written::Revocation(keys::revoke(tx, key_id, *at).await?),
            Some(audit),
        ),
        Write::Publish { version, audit } => (
            Written::Document(documents::publish(tx, version).await?),
            Some(audit),
        ),
        Write::Challenge { challenge, audit } => {
            super::passcodes::insert_challenge(tx, challenge).await?;
            (Written::Recorded, Some(audit))
        }
        Write::PasscodeEntry(entry) => {
            for event in super::passcodes::enter(tx, entry).await? {
                chain.append(Cow::Owned(event));
            }
            (Written::Recorded, None)
        }
        Write::AdmitTenant {
            tenant_id,
            object_id,
            at,
            audit,
        } => {
            tenants::admit(tx, tenant_id, object_id, at).await?;
            (Written::Admitted, Some(audit))
        }
        Write::RemoveTenant { tenant_id, audit } => (
            Written::Removal(tenants::remove(tx, tenant_id).await?),
            Some(audit),
        ),
        Write::RewrapBatch {
            keys: batch,
            to_version,
            failed,
            audit,
        } => {
            let mut rewrapped = 0u64;
            for key in batch {
                if keys::rewrap(tx, &key.key_id, key.from_version, *to_version, &key.wrapped)
                    .await?
                {
                    rewrapped += 1;
                }
            }
            let moved = batch.len() as u64 - rewrapped;
            let mut record = audit.clone();
            record.detail = Some(
                serde_json::json!({
                    "toVersion": to_version,
                    "rewrapped": rewrapped,
                    "alreadyMoved": moved,
                    "failed": failed,
                })
                .to_string(),
            );
            chain.append(Cow::Owned(record));
            (Written::Rewrapped { rewrapped, moved }, None)
        }
    };
    if let Some(event) = audit.filter(|_| written.applied()) {
        chain.append(Cow::Borrowed(event));
    }
    Ok(written)
}

/// The most rows in one insert: a batch is inserted in one statement per this many records
/// (each round trip to the database costs more than the rows it carries), and the writer's
/// connection prepares at most this many distinct inserts.
const MAX_INSERT_ROWS: usize = 64;

/// Columns of an audit record.
const RECORD_COLUMNS: usize = 12;

/// Inserts the records appended by a transaction.
async fn insert_records(
    tx: &mut Transaction<'static, Any>,
    engine: Engine,
    records: &[Record<'_>],
) -> Result<(), StoreError> {
    for chunk in records.chunks(MAX_INSERT_ROWS) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                format!(
                    "({})",
                    engine.params(r * RECORD_COLUMNS + 1, RECORD_COLUMNS)
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO audit_log (seq, at, action, actor_tenant, actor_oid, actor_name, key_id, \
             key_tenant, reason, detail, prev_hash, hash) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (seq, event, prev, hash) in chunk {
            query = query
                .bind(*seq)
                .bind(event.at_ms)
                .bind(event.action.as_str())
                .bind(&event.actor.tenant_id)
                .bind(&event.actor.object_id)
                .bind(&event.actor.username)
                .bind(&event.key_id)
                .bind(&event.key_tenant)
                .bind(&event.reason)
                .bind(&event.detail)
                .bind(prev)
                .bind(hash);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
