//! Master key rotation's second half: rewrapping every stored data key under the newest
//! version of the master key file, in batches, each committed with its own `rotate` record.

use crate::audit::{Action, Actor, Event};
use crate::keyring::Keyring;
use crate::store::{Rewrap, Store, StoreError, Write, Written};

/// Keys rewrapped per transaction.
const BATCH: i64 = 500;

/// What a rewrap did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewrapReport {
    /// The version the keys are now under.
    pub version: i64,
    /// Keys rewrapped.
    pub rewrapped: u64,
    /// Keys that could not be unwrapped, left as they are: `key id: why`.
    pub failed: Vec<String>,
}

/// Rewraps under `ring`'s newest version every key of `store` still under an older one, as
/// `actor` at `now_ms`. Each batch commits with its record (how many it rewrapped, how many
/// had moved on meanwhile, how many failed); with nothing to rewrap, one record still says the
/// rotation ran.
pub async fn rewrap_all(
    store: &Store,
    ring: &Keyring,
    actor: Actor,
    now_ms: i64,
) -> Result<RewrapReport, StoreError> {
    let version = i64::from(ring.current());
    let (mut rewrapped, mut failed) = (0u64, Vec::new());
    let mut after = String::new();
    let mut batches = 0;
    loop {
        let batch = store.keys_to_rewrap(version, &after, BATCH).await?;
        // With nothing left, a batch is still recorded when none was: the command ran.
        match batch.last() {
            Some(last) => after.clone_from(&last.0),
            None if batches > 0 => break,
            None => {}
        }
        batches += 1;
        let done = batch.is_empty();
        let mut keys = Vec::with_capacity(batch.len());
        let failed_before = failed.len();
        for (key_id, tenant, from, wrapped) in batch {
            let from_u32 = u32::try_from(from).unwrap_or(0);
            match ring.rewrap(from_u32, &tenant, &key_id, &wrapped) {
                Ok(wrapped) => keys.push(Rewrap {
                    key_id,
                    from_version: from,
                    wrapped,
                }),
                Err(e) => failed.push(format!("{key_id}: {e}")),
            }
        }
        let audit = Event {
            at_ms: now_ms,
            action: Action::Rotate,
            actor: actor.clone(),
            key_id: None,
            key_tenant: None,
            reason: None,
            detail: None,
        };
        let written = store
            .write(vec![Write::RewrapBatch {
                keys,
                to_version: version,
                failed: failed.len() - failed_before,
                audit,
            }])
            .await?;
        if let Some(Written::Rewrapped { rewrapped: n, .. }) = written.first() {
            rewrapped += n;
        }
        if done {
            break;
        }
    }
    Ok(RewrapReport {
        version,
        rewrapped,
        failed,
    })
}
