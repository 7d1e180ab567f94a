//! The passcode tables: challenges (one per code asked for), wrong-entry counts and locks per
//! address, and reader sessions. The rules (how many tries, how long a lock) are the caller's
//! ([`crate::passcodes`]): an entry is decided by the caller's function, run by the writer on
//! the rows it read under the write lock, so two entries at once cannot both count as the
//! fourth wrong one, and each decision commits with its records.

use std::sync::{Arc, Mutex};

use sqlx::{Any, Transaction};

use super::writer::Write;
use super::{Store, StoreError};
use crate::audit::Event;

/// A challenge to store.
#[derive(Debug, Clone)]
pub struct NewChallenge {
    /// SHA-256 of the challenge, hex.
    pub challenge_hash: String,
    /// The reader's address, lowercase.
    pub address: String,
    /// The reference shown.
    pub reference: String,
    /// The keys' owner tenant (whose admins see the records), if any key exists.
    pub tenant_id: Option<String>,
    /// The code's HMAC.
    pub code_mac: Vec<u8>,
    /// Whether the code was mailed.
    pub sent: bool,
    /// Unix milliseconds.
    pub expires_at: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A stored challenge, as an entry sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChallengeRow {
    /// The reader's address.
    pub address: String,
    /// The keys' owner tenant.
    pub tenant_id: Option<String>,
    /// The code's HMAC.
    pub code_mac: Vec<u8>,
    /// 1 if the code was mailed.
    pub sent: i64,
    /// 1 once used.
    pub used: i64,
    /// Unix milliseconds.
    pub expires_at: i64,
}

/// An address's wrong entries and lock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Lockout {
    /// Wrong entries since `window_start`.
    pub failures: i64,
    /// Unix milliseconds.
    pub window_start: i64,
    /// Unix milliseconds; 0 when not locked.
    pub locked_until: i64,
}

/// A session to store.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// The address it stands for.
    pub address: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// What an entry changes.
#[derive(Debug, Clone, Default)]
pub struct EntryChange {
    /// Mark the challenge used.
    pub used: bool,
    /// The address's new lockout state (`None`: unchanged).
    pub lockout: Option<Lockout>,
    /// A session to open.
    pub session: Option<NewSession>,
}

/// Decides an entry from the challenge (if it exists) and its address's lockout.
pub type DecideEntry =
    Box<dyn Fn(Option<&ChallengeRow>, Lockout) -> (EntryChange, Vec<Event>) + Send + Sync>;

/// One entry of a code, as the writer carries it out.
pub struct Entry {
    /// SHA-256 of the challenge, hex.
    pub challenge_hash: String,
    /// The caller's decision.
    pub decide: DecideEntry,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").finish_non_exhaustive()
    }
}

impl Store {
    /// The lockout of `address` (all zero if it never entered a wrong code).
    pub async fn lockout(&self, address: &str) -> Result<Lockout, StoreError> {
        Ok(sqlx::query_as(
            "SELECT failures, window_start, locked_until FROM passcode_lockouts WHERE address = $1",
        )
        .bind(address)
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or_default())
    }

    /// The address of the session whose token hashes to `token_hash`, if it lasts beyond
    /// `now_ms`.
    pub async fn reader_session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT address FROM reader_sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Commits an entry of a code for `challenge_hash`: `decide` runs under the write lock on
    /// what is stored then, and its outcome is returned once its changes and records are
    /// committed.
    pub async fn passcode_entry<T: Send + 'static>(
        &self,
        challenge_hash: String,
        decide: impl Fn(Option<&ChallengeRow>, Lockout) -> (T, EntryChange, Vec<Event>)
            + Send
            + Sync
            + 'static,
    ) -> Result<T, StoreError> {
        let slot: Arc<Mutex<Option<T>>> = Arc::default();
        let outcome = slot.clone();
        let decide = move |row: Option<&ChallengeRow>, lockout: Lockout| {
            let (made, change, records) = decide(row, lockout);
            *outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(made);
            (change, records)
        };
        self.write(vec![Write::PasscodeEntry(Entry {
            challenge_hash,
            decide: Box::new(decide),
        })])
        .await?;
        let made = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        made.ok_or(StoreError::WriterStopped)
    }
}

/// Stores `challenge`, and forgets challenges and sessions that ended before it was made.
pub(super) async fn insert_challenge(
    tx: &mut Transaction<'static, Any>,
    challenge: &NewChallenge,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM passcode_challenges WHERE expires_at < $1")
        .bind(challenge.created_at)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM reader_sessions WHERE expires_at < $1")
        .bind(challenge.created_at)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO passcode_challenges \
         (challenge_hash, address, reference, tenant_id, code_mac, sent, used, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)",
    )
    .bind(&challenge.challenge_hash)
    .bind(&challenge.address)
    .bind(&challenge.reference)
    .bind(&challenge.tenant_id)
    .bind(&challenge.code_mac)
    .bind(i64::from(challenge.sent))
    .bind(challenge.expires_at)
    .bind(challenge.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Reads what `entry` decides on, runs its decision and applies it; returns its records.
pub(super) async fn enter(
    tx: &mut Transaction<'static, Any>,
    entry: &Entry,
) -> Result<Vec<Event>, StoreError> {
    let row: Option<ChallengeRow> = sqlx::query_as(
        "SELECT address, tenant_id, code_mac, sent, used, expires_at FROM passcode_challenges \
         WHERE challenge_hash = $1",
    )
    .bind(&entry.challenge_hash)
    .fetch_optional(&mut **tx)
    .await?;
    let lockout = match &row {
        Some(row) => sqlx::query_as(
            "SELECT failures, window_start, locked_until FROM passcode_lockouts WHERE address = $1",
        )
        .bind(&row.address)
        .fetch_optional(&mut **tx)
        .await?
        .unwrap_or_default(),
        None => Lockout::default(),
    };
    let (change, records) = (entry.decide)(row.as_ref(), lockout);
    let Some(row) = row else {
        return Ok(records);
    };
    if change.used {
        sqlx::query("UPDATE passcode_challenges SET used = 1 WHERE challenge_hash = $1")
            .bind(&entry.challenge_hash)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(l) = change.lockout {
        sqlx::query("DELETE FROM passcode_lockouts WHERE address = $1")
            .bind(&row.address)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO passcode_lockouts (address, failures, window_start, locked_until) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&row.address)
        .bind(l.failures)
        .bind(l.window_start)
        .bind(l.locked_until)
        .execute(&mut **tx)
        .await?;
    }
    if let Some(s) = &change.session {
        sqlx::query(
            "INSERT INTO reader_sessions (token_hash, address, expires_at, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&s.token_hash)
        .bind(&s.address)
        .bind(s.expires_at)
        .bind(s.created_at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(records)
}
