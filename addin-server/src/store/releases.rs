//! Releases: the reads of unwraps, made by the writer inside the transaction that records them,
//! for every request waiting at once.
//!
//! An unwrap is the broker's hot path (a document opened by many people, a mailbox of protected
//! messages), and each one both reads keys and appends audit records. Read apart, through the
//! pool of readers, every request cost two more hand-offs to the database driver (for SQLite a
//! thread per connection, woken for each statement; for PostgreSQL a round trip), and those
//! hand-offs, not the reads themselves, were where the server spent its time under load. So a
//! [`Release`] goes to the [writer](super::writer) like any other write: the writer reads the
//! keys of all the releases of its batch in one statement, right after taking the write lock,
//! hands each release its own rows, and appends the records the release's decision returns, all
//! in the one transaction it commits.
//!
//! Reading under the write lock also makes each decision and its record one atomic step: a
//! policy change committed before the batch began is always seen, and none can slip in between
//! a decision and the commit that makes it effective. Reads are never cached, as several servers
//! may share one PostgreSQL database and a stale policy there would be a security bug.
//!
//! The statement reads every key of the batch and, for each key, which of the batch's callers'
//! user names are among its recipients; each release then gets only its own keys, with whether
//! its own caller is named. The decision itself is not made here (the store enforces no
//! policy): it is the release's `decide` function, given by the broker.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use sqlx::{Any, AssertSqlSafe, Transaction};

use super::keys::padded;
use super::writer::Write;
use super::{Engine, Store, StoreError};
use crate::audit::Event;

/// Decides what to release of the keys read, and returns the records of its decisions. It runs
/// inside the writer's transaction; if that transaction fails and the writer retries, it runs
/// again with the rows read then, so it must keep only its last decision.
pub type Decide = Box<dyn Fn(Vec<UnwrapRow>) -> Vec<Event> + Send + Sync>;

/// One request's unwrap, as the writer carries it out.
pub struct Release {
    /// The key ids asked for: well-formed, distinct.
    pub ids: Vec<String>,
    /// The caller's vouched-for address, lowercase (to tell whether it is a named recipient);
    /// `None` when it has none, so that no recipient names it.
    pub address: Option<String>,
    /// The broker's decision.
    pub decide: Decide,
}

impl fmt::Debug for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Release")
            .field("ids", &self.ids.len())
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

/// What an unwrap needs to know of a key, for one caller.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnwrapRow {
    /// Its id.
    pub key_id: String,
    /// The owner's tenant.
    pub tenant_id: String,
    /// The owner's object id.
    pub owner_oid: String,
    /// The owner's user name, lowercase (shown to whoever the key is released to).
    pub owner_name: String,
    /// 1 if everyone in the owner's tenant is a recipient.
    pub whole_tenant: i64,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    /// Unix seconds.
    pub revoked_at: Option<i64>,
    /// The master key version that wrapped it.
    pub master_version: i64,
    /// The wrapped key.
    pub wrapped: Vec<u8>,
    /// 1 if the caller is a named recipient (not a column: set for each caller by `split`).
    #[sqlx(default)]
    pub named: i64,
}

/// A key as the batch statement reads it: once per caller of the batch named among its
/// recipients, or once with no recipient when none is.
#[derive(sqlx::FromRow)]
struct BatchRow {
    #[sqlx(flatten)]
    key: UnwrapRow,
    recipient: Option<String>,
}

impl Store {
    /// Commits `ops` and a release of `ids` to `address` (lowercase) in one transaction, with
    /// any other writes waiting at the same time. `decide` is given the rows read of `ids`
    /// under the write lock and returns its decision and the records to append; the decision of
    /// its last run is returned (the writer runs it again when it retries a failed batch), and
    /// only once those records are committed.
    pub async fn release<T: Send + 'static>(
        &self,
        mut ops: Vec<Write>,
        ids: Vec<String>,
        address: Option<String>,
        decide: impl Fn(Vec<UnwrapRow>) -> (T, Vec<Event>) + Send + Sync + 'static,
    ) -> Result<T, StoreError> {
        let slot: Arc<Mutex<Option<T>>> = Arc::default();
        let decisions = slot.clone();
        let decide = move |rows: Vec<UnwrapRow>| {
            let (made, records) = decide(rows);
            *decisions.lock().unwrap_or_else(|e| e.into_inner()) = Some(made);
            records
        };
        ops.push(Write::Release(Release {
            ids,
            address,
            decide: Box::new(decide),
        }));
        self.write(ops).await?;
        let made = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        // The writer acknowledges a release only after running its decision.
        made.ok_or(StoreError::WriterStopped)
    }
}

/// Reads the keys of `releases` in one statement, in `tx`; returns each release's rows, in order.
pub(super) async fn read(
    tx: &mut Transaction<'static, Any>,
    engine: Engine,
    releases: &[&Release],
) -> Result<Vec<Vec<UnwrapRow>>, StoreError> {
    let mut ids: Vec<&str> = releases
        .iter()
        .flat_map(|r| r.ids.iter().map(String::as_str))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    // A caller without an address is looked up as "", which no recipient is (each has an @), so
    // the statement keeps its shape and still reads the keys.
    let mut names: Vec<&str> = releases
        .iter()
        .map(|r| r.address.as_deref().unwrap_or(""))
        .collect();
    names.sort_unstable();
    names.dedup();
    let (Some(names), Some(ids)) = (padded(&names), padded(&ids)) else {
        return Ok(releases.iter().map(|_| Vec::new()).collect());
    };
    // Parameters are bound in the order they appear: the names, then the ids.
    let sql = format!(
        "SELECT k.key_id, k.tenant_id, k.owner_oid, k.owner_name, k.whole_tenant, k.expires_at, \
         k.revoked_at, k.master_version, k.wrapped, r.recipient \
         FROM data_keys k LEFT JOIN key_recipients r \
         ON r.key_id = k.key_id AND r.recipient IN ({}) \
         WHERE k.key_id IN ({})",
        engine.params(1, names.len()),
        engine.params(1 + names.len(), ids.len())
    );
    let query = names.fold(sqlx::query_as::<_, BatchRow>(AssertSqlSafe(sql)), |q, n| {
        q.bind(n)
    });
    let rows = ids
        .fold(query, |q, id| q.bind(id))
        .fetch_all(&mut **tx)
        .await?;
    Ok(split(rows, releases))
}

/// Gives each release the rows of its own keys, `named` when its own caller is a recipient.
fn split(rows: Vec<BatchRow>, releases: &[&Release]) -> Vec<Vec<UnwrapRow>> {
    // Key id -> (the key, the batch's callers named among its recipients).
    let mut keys: HashMap<String, (UnwrapRow, HashSet<String>)> = HashMap::new();
    for BatchRow { key, recipient } in rows {
        let entry = keys
            .entry(key.key_id.clone())
            .or_insert_with(|| (key, HashSet::new()));
        entry.1.extend(recipient);
    }
    releases
        .iter()
        .map(|release| {
            release
                .ids
                .iter()
                .filter_map(|id| keys.get(id))
                .map(|(key, named)| UnwrapRow {
                    named: i64::from(
                        release
                            .address
                            .as_ref()
                            .is_some_and(|address| named.contains(address)),
                    ),
                    ..key.clone()
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key_id: &str, recipient: Option<&str>) -> BatchRow {
        BatchRow {
            key: UnwrapRow {
                key_id: key_id.into(),
                tenant_id: "t".into(),
                owner_oid: "o".into(),
                owner_name: "o@t".into(),
                whole_tenant: 0,
                expires_at: None,
                revoked_at: None,
                master_version: 1,
                wrapped: vec![1, 2, 3],
                named: 0,
            },
            recipient: recipient.map(str::to_owned),
        }
    }

    fn release(ids: &[&str], address: Option<&str>) -> Release {
        Release {
            ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            address: address.map(str::to_owned),
            decide: Box::new(|_| Vec::new()),
        }
    }

    #[test]
    fn each_release_gets_its_own_keys_and_its_own_recipient_test() {
        // k1 names bob and carol, k2 names nobody of the batch, k3 does not exist.
        let rows = vec![
            row("k1", Some("bob@b")),
            row("k1", Some("carol@c")),
            row("k2", None),
        ];
        let releases = [
            release(&["k1", "k3"], Some("bob@b")),
            release(&["k2", "k1"], Some("dave@d")),
            release(&["k1"], Some("carol@c")),
            release(&["k1"], None),
        ];
        let refs: Vec<&Release> = releases.iter().collect();
        let answers = split(rows, &refs);
        let seen: Vec<Vec<(&str, i64)>> = answers
            .iter()
            .map(|rows| rows.iter().map(|r| (r.key_id.as_str(), r.named)).collect())
            .collect();
        assert_eq!(
            seen,
            vec![
                vec![("k1", 1)],
                vec![("k2", 0), ("k1", 0)],
                vec![("k1", 1)],
                vec![("k1", 0)],
            ]
        );
    }
}
