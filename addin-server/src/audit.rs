//! The audit log's records and its hash chain: what is recorded, how each record is hashed, and
//! how a chain read back from the store is checked.
//!
//! Every record carries the SHA-256 of the previous record (`prev_hash`, 32 zero bytes for the
//! first) and its own `hash`, computed over its number, its content and `prev_hash` in an
//! unambiguous encoding ([`chain_hash`]). Records are numbered 1, 2, 3... without gaps, and the
//! store keeps the last number and hash in a separate head row. So:
//!
//! - a *modified* record no longer matches its own hash;
//! - a *deleted* record leaves a gap in the numbers (or, at the end, a head that points past the
//!   last record);
//! - an *inserted* or *reordered* record breaks the link to its predecessor.
//!
//! Someone able to rewrite the whole tail and the head consistently is not detected by the
//! chain alone: keep the head that `addin-server audit verify` prints somewhere else to anchor it.
//!
//! This module is pure: the store ([`crate::store`]) appends and reads the rows, and
//! [`ChainCheck`] judges them.

use aws_lc_rs::digest::{Context, SHA256};
use serde::Serialize;

/// The `prev_hash` of the first record.
pub const GENESIS: [u8; 32] = [0; 32];

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// A data key was created.
    Create,
    /// A data key was released to a caller.
    Release,
    /// A data key was refused to a caller (the record's `reason` says why).
    Deny,
    /// A key's recipients or expiry changed.
    Policy,
    /// A key was revoked.
    Revoke,
    /// Data keys were rewrapped under a new master key version.
    Rotate,
    /// An organisation's sensitive-text dictionary was replaced (the record's `detail` gives
    /// the new version).
    Dictionary,
    /// An organisation was admitted by its administrator's consent.
    Consent,
    /// An admitted organisation was removed.
    TenantRemoved,
}

impl Action {
    /// Every action, for parsing.
    pub const ALL: [Action; 9] = [
        Action::Create,
        Action::Release,
        Action::Deny,
        Action::Policy,
        Action::Revoke,
        Action::Rotate,
        Action::Dictionary,
        Action::Consent,
        Action::TenantRemoved,
    ];

    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Release => "release",
            Action::Deny => "deny",
            Action::Policy => "policy",
            Action::Revoke => "revoke",
            Action::Rotate => "rotate",
            Action::Dictionary => "dictionary",
            Action::Consent => "consent",
            Action::TenantRemoved => "tenantRemoved",
        }
    }

    /// The action named `name`, if any.
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// Who did it: a signed-in user, or the server's own command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// The user's tenant, or `system` for the command line.
    pub tenant_id: String,
    /// The user's object id, or `system`.
    pub object_id: String,
    /// The user's name, or the command that acted.
    pub username: String,
}

impl Actor {
    /// The server's command line, e.g. `addin-server keys rotate-master`.
    pub fn system(command: &str) -> Actor {
        Actor {
            tenant_id: "system".into(),
            object_id: "system".into(),
            username: command.into(),
        }
    }
}

/// One event to record, before it has a place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// When, in Unix milliseconds.
    pub at_ms: i64,
    /// What happened.
    pub action: Action,
    /// Who did it.
    pub actor: Actor,
    /// The data key concerned, if any.
    pub key_id: Option<String>,
    /// The tenant that owns that key (admins of that tenant see the record).
    pub key_tenant: Option<String>,
    /// Why a key was refused, in words.
    pub reason: Option<String>,
    /// More, as JSON (recipients added, new expiry, counts...). Never document text.
    pub detail: Option<String>,
}

/// A record as stored: an event with its number and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its number, from 1.
    pub seq: i64,
    /// The event.
    pub event: Event,
    /// The previous record's hash ([`GENESIS`] for the first).
    pub prev_hash: Vec<u8>,
    /// This record's hash, [`chain_hash`] of the above.
    pub hash: Vec<u8>,
}

/// The hash of record `seq` holding `event`, following a record whose hash is `prev_hash`.
///
/// Every field is written with a tag (absent / present) and a length, so no two different
/// records encode the same way.
pub fn chain_hash(seq: i64, event: &Event, prev_hash: &[u8]) -> [u8; 32] {
    let mut ctx = Context::new(&SHA256);
    ctx.update(b"textguard audit record v1\0");
    ctx.update(&(prev_hash.len() as u32).to_be_bytes());
    ctx.update(prev_hash);
    ctx.update(&seq.to_be_bytes());
    ctx.update(&event.at_ms.to_be_bytes());
    let fields = [
        Some(event.action.as_str()),
        Some(event.actor.tenant_id.as_str()),
        Some(event.actor.object_id.as_str()),
        Some(event.actor.username.as_str()),
        event.key_id.as_deref(),
        event.key_tenant.as_deref(),
        event.reason.as_deref(),
        event.detail.as_deref(),
    ];
    for field in fields {
        match field {
            None => ctx.update(&[0]),
            Some(text) => {
                ctx.update(&[1]);
                ctx.update(&(text.len() as u32).to_be_bytes());
                ctx.update(text.as_bytes());
            }
        }
    }
    let mut out = [0; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// One thing wrong with a chain, saying which record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Records `from..=to` are missing from the middle.
    Deleted {
        /// First missing number.
        from: i64,
        /// Last missing number.
        to: i64,
    },
    /// The record's content does not match its hash.
    Modified {
        /// The record.
        seq: i64,
    },
    /// The record does not follow the one before it: it was inserted, moved, or the one before
    /// it was replaced.
    Unlinked {
        /// The record.
        seq: i64,
    },
    /// The head says the log ends at `head`, but the last record is `last`: records were
    /// deleted from the end.
    Truncated {
        /// The last record found.
        last: i64,
        /// The last record the head names.
        head: i64,
    },
    /// Records after the head's: appended without going through the server.
    BeyondHead {
        /// The last record the head names.
        head: i64,
        /// The last record found.
        last: i64,
    },
    /// The head's hash is not the last record's.
    HeadMismatch,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Deleted { from, to } if from == to => write!(f, "record {from} was deleted"),
            Problem::Deleted { from, to } => write!(f, "records {from} to {to} were deleted"),
            Problem::Modified { seq } => {
                write!(f, "record {seq} was modified: its content does not match its hash")
            }
            Problem::Unlinked { seq } => write!(
                f,
                "record {seq} does not follow the record before it: it was inserted or reordered, or the one before it was replaced"
            ),
            Problem::Truncated { last, head } => write!(
                f,
                "records {} to {head} were deleted from the end (the log ends at {last})",
                last + 1
            ),
            Problem::BeyondHead { head, last } => write!(
                f,
                "records {} to {last} were added after the last one the server wrote",
                head + 1
            ),
            Problem::HeadMismatch => write!(
                f,
                "the head does not match the last record: the last record was replaced"
            ),
        }
    }
}

/// Checks a chain fed in order of record number.
#[derive(Debug)]
pub struct ChainCheck {
    expected_seq: i64,
    prev_hash: Vec<u8>,
    /// The records checked so far.
    pub records: u64,
    /// What is wrong, in the order found.
    pub problems: Vec<Problem>,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck {
            expected_seq: 1,
            prev_hash: GENESIS.to_vec(),
            records: 0,
            problems: Vec::new(),
        }
    }
}

impl ChainCheck {
    /// Checks the next record.
    pub fn push(&mut self, record: &Record) {
        self.records += 1;
        if record.seq > self.expected_seq {
            self.problems.push(Problem::Deleted {
                from: self.expected_seq,
                to: record.seq - 1,
            });
        }
        if chain_hash(record.seq, &record.event, &record.prev_hash)[..] != record.hash[..] {
            self.problems.push(Problem::Modified { seq: record.seq });
        } else if record.prev_hash != self.prev_hash {
            self.problems.push(Problem::Unlinked { seq: record.seq });
        }
        self.expected_seq = record.seq + 1;
        self.prev_hash.clone_from(&record.hash);
    }

    /// Compares the end of the chain with the head `(seq, hash)` and returns the problems.
    pub fn finish(mut self, head_seq: i64, head_hash: &[u8]) -> Vec<Problem> {
        let last = self.expected_seq - 1;
        if head_seq > last {
            self.problems.push(Problem::Truncated {
                last,
                head: head_seq,
            });
        } else if head_seq < last {
            self.problems.push(Problem::BeyondHead {
                head: head_seq,
                last,
            });
        } else if head_hash != self.prev_hash.as_slice() {
            self.problems.push(Problem::HeadMismatch);
        }
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: i64) -> Event {
        Event {
            at_ms: 1_700_000_000_000 + n,
            action: Action::Release,
            actor: Actor {
                tenant_id: "t".into(),
                object_id: "o".into(),
                username: "alice@contoso.example".into(),
            },
            key_id: Some(format!("key{n}")),
            key_tenant: Some("t".into()),
            reason: None,
            detail: None,
        }
    }

    fn chain(n: i64) -> Vec<Record> {
        let mut prev = GENESIS.to_vec();
        (1..=n)
            .map(|seq| {
                let event = event(seq);
                let hash = chain_hash(seq, &event, &prev).to_vec();
                Record {
                    seq,
                    event,
                    prev_hash: std::mem::replace(&mut prev, hash.clone()),
                    hash,
                }
            })
            .collect()
    }

    fn check(records: &[Record], head: &Record) -> Vec<Problem> {
        let mut c = ChainCheck::default();
        records.iter().for_each(|r| c.push(r));
        c.finish(head.seq, &head.hash)
    }

    #[test]
    fn an_intact_chain_passes() {
        let records = chain(5);
        assert_eq!(check(&records, &records[4]), vec![]);
        assert_eq!(ChainCheck::default().finish(0, &GENESIS), vec![]);
    }

    #[test]
    fn every_kind_of_tampering_is_named() {
        let records = chain(6);
        let head = records[5].clone();

        let mut modified = records.clone();
        modified[2].event.reason = Some("edited".into());
        assert_eq!(check(&modified, &head), vec![Problem::Modified { seq: 3 }]);

        let mut deleted = records.clone();
        deleted.remove(2);
        assert_eq!(
            check(&deleted, &head),
            vec![
                Problem::Deleted { from: 3, to: 3 },
                Problem::Unlinked { seq: 4 }
            ]
        );

        let mut reordered = records.clone();
        reordered.swap(2, 3);
        let (a, b) = (reordered[2].seq, reordered[3].seq);
        reordered[2].seq = b;
        reordered[3].seq = a;
        let problems = check(&reordered, &head);
        assert!(
            problems.contains(&Problem::Modified { seq: 3 }),
            "{problems:?}"
        );

        // An inserted record, even with a correct hash of its own and renumbered successors.
        let mut inserted = records[..3].to_vec();
        let extra = event(99);
        let hash = chain_hash(4, &extra, &inserted[2].hash).to_vec();
        inserted.push(Record {
            seq: 4,
            event: extra,
            prev_hash: inserted[2].hash.clone(),
            hash,
        });
        for r in &records[3..] {
            let mut moved = r.clone();
            moved.seq += 1;
            inserted.push(moved);
        }
        let problems = check(&inserted, &head);
        assert_eq!(problems[0], Problem::Modified { seq: 5 }, "{problems:?}");

        let truncated = &records[..4];
        assert_eq!(
            check(truncated, &head),
            vec![Problem::Truncated { last: 4, head: 6 }]
        );

        let mut replaced_last = records.clone();
        let last = replaced_last.len() - 1;
        replaced_last[last].event.key_id = Some("other".into());
        replaced_last[last].hash =
            chain_hash(6, &replaced_last[last].event, &records[4].hash).to_vec();
        assert_eq!(check(&replaced_last, &head), vec![Problem::HeadMismatch]);

        let mut extra_at_end = records.clone();
        extra_at_end.extend(chain(7).pop());
        assert_eq!(
            check(&extra_at_end, &head),
            vec![Problem::BeyondHead { head: 6, last: 7 }]
        );
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let mut a = event(1);
        let mut b = event(1);
        a.reason = None;
        b.reason = Some(String::new());
        assert_ne!(chain_hash(1, &a, &GENESIS), chain_hash(1, &b, &GENESIS));
        a.reason = Some("ab".into());
        a.detail = Some("c".into());
        b.reason = Some("a".into());
        b.detail = Some("bc".into());
        assert_ne!(chain_hash(1, &a, &GENESIS), chain_hash(1, &b, &GENESIS));
    }
}
