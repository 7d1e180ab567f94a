//! The audit log's records and their chain: what is recorded, how each record is
//! authenticated, how a chain read back from the store is checked, and signed checkpoints of its
//! head.
//!
//! Every record carries the previous record's `hash` (`prev_hash`, 32 zero bytes for the first)
//! and its own, an HMAC-SHA256 over its number, its content and `prev_hash` in an unambiguous
//! encoding ([`AuditKeys::record_mac`]), under a key derived from the master key file's audit
//! secret ([`crate::keyring::Keyring::audit_secret`]). Records are numbered 1, 2, 3... without
//! gaps, and the store keeps the last number and hash in a separate head row. So:
//!
//! - a *modified* record no longer matches its MAC;
//! - a *deleted* record leaves a gap in the numbers (or, at the end, a head that points past the
//!   last record);
//! - an *inserted* or *reordered* record breaks the link to its predecessor;
//! - and none of it can be repaired by someone who can write the database but not read the key
//!   file: they cannot compute a MAC.
//!
//! Records written before the chain was keyed carry a plain SHA-256 ([`unkeyed_hash`]). They are
//! accepted only before the first keyed record, whose MAC covers the last of them, so they are
//! protected from then on; an unkeyed record after a keyed one is reported.
//!
//! Whoever holds both the key file and the database could still rewrite the whole tail. A
//! [`Checkpoint`] (the head, signed with an Ed25519 key derived from the same secret) kept
//! elsewhere anchors the history up to it: `addin-server audit verify --checkpoint FILE`
//! checks that the record it names still has the hash it names.
//!
//! This module is pure: the store ([`crate::store`]) appends and reads the rows, and
//! [`ChainCheck`] judges them.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{Context, SHA256};
use aws_lc_rs::hkdf::{Salt, HKDF_SHA256};
use aws_lc_rs::hmac;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The `prev_hash` of the first record.
pub const GENESIS: [u8; 32] = [0; 32];

pub use addin_wasm::protocol::audit::{Action, Actor};

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
    /// This record's hash: [`AuditKeys::record_mac`] of the above (or, written before the
    /// chain was keyed, [`unkeyed_hash`]).
    pub hash: Vec<u8>,
}

/// Feeds the encoding of record `seq` (holding `event`, after `prev_hash`) to `update`.
///
/// Every field is written with a tag (absent / present) and a length, so no two different
/// records encode the same way.
fn encode(seq: i64, event: &Event, prev_hash: &[u8], mut update: impl FnMut(&[u8])) {
    update(&(prev_hash.len() as u32).to_be_bytes());
    update(prev_hash);
    update(&seq.to_be_bytes());
    update(&event.at_ms.to_be_bytes());
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
            None => update(&[0]),
            Some(text) => {
                update(&[1]);
                update(&(text.len() as u32).to_be_bytes());
                update(text.as_bytes());
            }
        }
    }
}

/// The plain SHA-256 that records carried before the chain was keyed.
pub fn unkeyed_hash(seq: i64, event: &Event, prev_hash: &[u8]) -> [u8; 32] {
    let mut ctx = Context::new(&SHA256);
    ctx.update(b"textguard audit record v1\0");
    encode(seq, event, prev_hash, |b| ctx.update(b));
    let mut out = [0; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// The audit log's keys: the MAC key of the chain and the signing key of checkpoints, both
/// derived from the master key file's audit secret.
pub struct AuditKeys {
    mac: hmac::Key,
    signer: Ed25519KeyPair,
}

impl std::fmt::Debug for AuditKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKeys")
            .field("public_key", &URL_SAFE_NO_PAD.encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

impl AuditKeys {
    /// The keys derived from `secret`: `HKDF-SHA256(salt = "textguard audit v2", ikm =
    /// secret)`, expanded with `chain mac` and `checkpoint signing`. Fails only if the crypto
    /// library refuses a 32-byte output or seed, which it documents it does not.
    pub fn derive(secret: &[u8; 32]) -> Result<AuditKeys, String> {
        let prk = Salt::new(HKDF_SHA256, b"textguard audit v2").extract(secret);
        let refused = |what: &str| format!("the crypto library refused to derive the audit {what}");
        let expand = |info: &[u8]| {
            let mut out = Zeroizing::new([0u8; 32]);
            // HKDF_SHA256 as the length: 32 bytes.
            prk.expand(&[info], HKDF_SHA256)
                .and_then(|okm| okm.fill(out.as_mut()))
                .map(|()| out)
        };
        let mac_key = expand(b"chain mac").map_err(|_| refused("MAC key"))?;
        let seed = expand(b"checkpoint signing").map_err(|_| refused("signing key"))?;
        let signer = Ed25519KeyPair::from_seed_unchecked(seed.as_ref())
            .map_err(|_| refused("signing key"))?;
        Ok(AuditKeys {
            mac: hmac::Key::new(hmac::HMAC_SHA256, mac_key.as_ref()),
            signer,
        })
    }

    /// The MAC of record `seq` holding `event`, following a record whose hash is `prev_hash`.
    pub fn record_mac(&self, seq: i64, event: &Event, prev_hash: &[u8]) -> [u8; 32] {
        let mut ctx = hmac::Context::with_key(&self.mac);
        ctx.update(b"textguard audit record v2\0");
        encode(seq, event, prev_hash, |b| ctx.update(b));
        let mut out = [0; 32];
        out.copy_from_slice(ctx.sign().as_ref());
        out
    }

    /// The public half of the checkpoint signing key.
    pub fn public_key(&self) -> &[u8] {
        self.signer.public_key().as_ref()
    }

    /// A signed checkpoint of the head `(seq, hash)`, taken at `at` (RFC 3339).
    pub fn checkpoint(&self, seq: i64, hash: &[u8], at: &str) -> Checkpoint {
        let signature = self.signer.sign(&checkpoint_message(seq, hash, at));
        Checkpoint {
            format: CHECKPOINT_FORMAT.into(),
            seq,
            hash: hex(hash),
            at: at.into(),
            public_key: URL_SAFE_NO_PAD.encode(self.public_key()),
            signature: URL_SAFE_NO_PAD.encode(signature.as_ref()),
        }
    }
}

/// The `format` of a checkpoint file.
pub const CHECKPOINT_FORMAT: &str = "textguard audit checkpoint v1";

/// The head of the audit log at one moment, signed: JSON, to keep somewhere the database's
/// administrators cannot write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Checkpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// The last record's number.
    pub seq: i64,
    /// Its hash, hexadecimal.
    pub hash: String,
    /// When the checkpoint was taken, RFC 3339.
    pub at: String,
    /// The signing key's public half (Ed25519, base64url): anyone can check the signature.
    pub public_key: String,
    /// Ed25519 over the format, number, hash and time (base64url).
    pub signature: String,
}

impl Checkpoint {
    /// Checks that this checkpoint was signed by `keys`; the record's hash, as bytes.
    pub fn verify(&self, keys: &AuditKeys) -> Result<Vec<u8>, String> {
        if self.format != CHECKPOINT_FORMAT {
            return Err(format!(
                "not a checkpoint file (format {:?}, expected {CHECKPOINT_FORMAT:?})",
                self.format
            ));
        }
        let hash = unhex(&self.hash).ok_or("its hash is not 64 hexadecimal digits")?;
        if self.public_key != URL_SAFE_NO_PAD.encode(keys.public_key()) {
            return Err("it was signed with another key than this master key file's".into());
        }
        let signature = URL_SAFE_NO_PAD
            .decode(&self.signature)
            .map_err(|_| "its signature is not base64url")?;
        UnparsedPublicKey::new(&ED25519, keys.public_key())
            .verify(&checkpoint_message(self.seq, &hash, &self.at), &signature)
            .map_err(|_| "its signature does not match its content: the file was altered")?;
        Ok(hash)
    }
}

fn checkpoint_message(seq: i64, hash: &[u8], at: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(96);
    m.extend_from_slice(CHECKPOINT_FORMAT.as_bytes());
    m.push(0);
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(&(hash.len() as u32).to_be_bytes());
    m.extend_from_slice(hash);
    m.extend_from_slice(at.as_bytes());
    m
}

/// Bytes as lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
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
    /// The record has an unkeyed hash although a keyed record comes before it: it was written
    /// without the audit key.
    Unkeyed {
        /// The record.
        seq: i64,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Deleted { from, to } if from == to => write!(f, "record {from} was deleted"),
            Problem::Deleted { from, to } => write!(f, "records {from} to {to} were deleted"),
            Problem::Modified { seq } => write!(
                f,
                "record {seq} was modified: its content does not match its MAC (or it was written without this master key file's audit key)"
            ),
            Problem::Unkeyed { seq } => write!(
                f,
                "record {seq} carries an unkeyed hash after keyed records: it was written without the audit key"
            ),
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

/// Checks a chain fed in order of record number, with the audit keys of the master key file.
#[derive(Debug)]
pub struct ChainCheck<'k> {
    keys: &'k AuditKeys,
    expected_seq: i64,
    prev_hash: Vec<u8>,
    /// The records checked so far.
    pub records: u64,
    /// How many of them carry the unkeyed hash of before the chain was keyed.
    pub unkeyed: u64,
    keyed_seen: bool,
    /// What is wrong, in the order found.
    pub problems: Vec<Problem>,
}

impl<'k> ChainCheck<'k> {
    /// A check of a chain from its first record.
    pub fn new(keys: &'k AuditKeys) -> ChainCheck<'k> {
        ChainCheck {
            keys,
            expected_seq: 1,
            prev_hash: GENESIS.to_vec(),
            records: 0,
            unkeyed: 0,
            keyed_seen: false,
            problems: Vec::new(),
        }
    }

    /// Checks the next record.
    pub fn push(&mut self, record: &Record) {
        self.records += 1;
        if record.seq > self.expected_seq {
            self.problems.push(Problem::Deleted {
                from: self.expected_seq,
                to: record.seq - 1,
            });
        }
        let matches = |expected: [u8; 32]| verify_slices_are_equal(&expected, &record.hash).is_ok();
        let authentic = if matches(self.keys.record_mac(
            record.seq,
            &record.event,
            &record.prev_hash,
        )) {
            self.keyed_seen = true;
            true
        } else if matches(unkeyed_hash(record.seq, &record.event, &record.prev_hash)) {
            if self.keyed_seen {
                self.problems.push(Problem::Unkeyed { seq: record.seq });
            } else {
                self.unkeyed += 1;
            }
            !self.keyed_seen
        } else {
            self.problems.push(Problem::Modified { seq: record.seq });
            false
        };
        if authentic && record.prev_hash != self.prev_hash {
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

    fn keys() -> AuditKeys {
        AuditKeys::derive(&[7; 32]).unwrap()
    }

    /// Records 1..=n, the first `unkeyed` of them with the hash of before the chain was keyed.
    fn mixed_chain(n: i64, unkeyed: i64) -> Vec<Record> {
        let keys = keys();
        let mut prev = GENESIS.to_vec();
        (1..=n)
            .map(|seq| {
                let event = event(seq);
                let hash = if seq <= unkeyed {
                    unkeyed_hash(seq, &event, &prev).to_vec()
                } else {
                    keys.record_mac(seq, &event, &prev).to_vec()
                };
                Record {
                    seq,
                    event,
                    prev_hash: std::mem::replace(&mut prev, hash.clone()),
                    hash,
                }
            })
            .collect()
    }

    fn chain(n: i64) -> Vec<Record> {
        mixed_chain(n, 0)
    }

    fn check(records: &[Record], head: &Record) -> Vec<Problem> {
        let keys = keys();
        let mut c = ChainCheck::new(&keys);
        records.iter().for_each(|r| c.push(r));
        c.finish(head.seq, &head.hash)
    }

    #[test]
    fn an_intact_chain_passes() {
        let records = chain(5);
        assert_eq!(check(&records, &records[4]), vec![]);
        assert_eq!(ChainCheck::new(&keys()).finish(0, &GENESIS), vec![]);
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
        let hash = keys().record_mac(4, &extra, &inserted[2].hash).to_vec();
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
        replaced_last[last].hash = keys()
            .record_mac(6, &replaced_last[last].event, &records[4].hash)
            .to_vec();
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
        let k = keys();
        assert_ne!(k.record_mac(1, &a, &GENESIS), k.record_mac(1, &b, &GENESIS));
        a.reason = Some("ab".into());
        a.detail = Some("c".into());
        b.reason = Some("a".into());
        b.detail = Some("bc".into());
        assert_ne!(k.record_mac(1, &a, &GENESIS), k.record_mac(1, &b, &GENESIS));
        assert_ne!(unkeyed_hash(1, &a, &GENESIS), unkeyed_hash(1, &b, &GENESIS));
    }

    #[test]
    fn a_database_writer_without_the_key_cannot_rewrite_history() {
        let records = chain(4);
        let head = records[3].clone();
        // Edited and re-hashed the way the unkeyed chain allowed: refused.
        let mut forged = records.clone();
        forged[3].event.reason = Some("edited".into());
        forged[3].hash = unkeyed_hash(4, &forged[3].event, &records[2].hash).to_vec();
        assert_eq!(
            check(&forged, &forged[3]),
            vec![Problem::Unkeyed { seq: 4 }]
        );
        // Re-MACed under another key (another server's file): refused.
        let other = AuditKeys::derive(&[8; 32]).unwrap();
        let mut foreign = records.clone();
        foreign[1].hash = other
            .record_mac(2, &foreign[1].event, &records[0].hash)
            .to_vec();
        assert!(check(&foreign, &head).contains(&Problem::Modified { seq: 2 }));
    }

    #[test]
    fn unkeyed_records_of_before_are_accepted_only_as_a_prefix_and_are_protected() {
        let records = mixed_chain(6, 3);
        let keys = keys();
        let mut c = ChainCheck::new(&keys);
        records.iter().for_each(|r| c.push(r));
        assert_eq!(c.unkeyed, 3);
        assert_eq!(c.finish(6, &records[5].hash), vec![]);

        // Rewriting the unkeyed prefix consistently breaks the link of the first keyed record.
        let mut rewritten = records.clone();
        let mut prev = GENESIS.to_vec();
        for r in rewritten.iter_mut().take(3) {
            r.event.detail = Some("rewritten".into());
            r.prev_hash = prev.clone();
            r.hash = unkeyed_hash(r.seq, &r.event, &prev).to_vec();
            prev = r.hash.clone();
        }
        assert_eq!(
            check(&rewritten, &records[5]),
            vec![Problem::Unlinked { seq: 4 }]
        );
    }

    #[test]
    fn checkpoints_verify_only_as_signed_and_only_with_their_key() {
        let keys = keys();
        let cp = keys.checkpoint(42, &[9; 32], "2026-12-04T18:00:00Z");
        assert_eq!(cp.verify(&keys).unwrap(), vec![9; 32]);
        let json = serde_json::to_string(&cp).unwrap();
        let back: Checkpoint = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cp);

        let mut moved = cp.clone();
        moved.seq = 41;
        assert!(moved.verify(&keys).unwrap_err().contains("altered"));
        let mut rehashed = cp.clone();
        rehashed.hash = hex(&[8; 32]);
        assert!(rehashed.verify(&keys).unwrap_err().contains("altered"));
        let other = AuditKeys::derive(&[8; 32]).unwrap();
        assert!(cp.verify(&other).unwrap_err().contains("another key"));
        let resigned = other.checkpoint(42, &[9; 32], "2026-12-04T18:00:00Z");
        assert!(resigned.verify(&keys).is_err());
        assert!(serde_json::from_str::<Checkpoint>("{}").is_err());
    }
}
