//! The key broker: creates data keys, releases them to the people their owner named, lets the
//! owner change who may see them, and records every decision in the audit log.
//!
//! The rules, in the order they are applied to a caller asking for a key:
//!
//! 1. a caller who is neither the owner, nor a named recipient (by the address its tenant
//!    vouches for, [`crate::auth::identity`]), nor (when the key includes the whole
//!    organisation) a member of the owner's tenant, guests excluded, is told the key does not
//!    exist, exactly as for a key that does not exist: a non-recipient cannot learn that a key
//!    exists;
//! 2. a revoked key is refused, then an expired one;
//! 3. otherwise the key is released, once the record of its release is committed.
//!
//! Every release and refusal is recorded (the unknown keys of one request in one record with
//! their count); if the record cannot be written, nothing is released. The owner (and only the owner) changes recipients and expiry;
//! the owner or an admin of the owner's tenant reads the policy and revokes. Handlers live in
//! [`crate::http::keys`]; inputs are checked in [`input`]; master keys are held by [`master`], and
//! [`rotation`] rewraps the stored keys under a new master key version.

pub mod input;
pub mod master;
pub mod reports;
pub mod rotation;

use std::collections::HashMap;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use zeroize::Zeroizing;

use addin_wasm::protocol::keys::{
    CreateKey, Created, KeyChange, KeyRefusal, Owner, Policy, RefusalCode, Unwrapped,
};

use crate::audit::{Action, Event};
use crate::auth::Principal;
use crate::clock;
use crate::keyring::{random_key, Keyring, KeyringError};
use crate::store::{
    KeyCreated, KeyRow, NewKey, PolicyChange, PolicyChanged, Store, StoreError, UnwrapRow, Write,
    Written,
};

pub use master::MasterKeys;

/// Why a broker operation failed as a whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrokerError {
    /// The request is wrong; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// No such key, or the caller may not see it (the two are not told apart).
    #[error("no key with this id exists, or you are not allowed to see it")]
    NotFound,
    /// The caller may see the key but not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The key is revoked: it cannot change any more.
    #[error("this key is revoked; its policy can no longer change, create a new key instead")]
    Revoked,
    /// The master key file does not fit the database.
    #[error("{0}")]
    MasterKey(String),
    /// A key could not be wrapped or unwrapped.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// The database failed; for an unwrap, nothing was released.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The key broker of one server.
#[derive(Debug, Clone)]
pub struct Broker {
    store: Store,
    master: Arc<MasterKeys>,
}

/// Why a key is refused, as recorded and as answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Malformed,
    Unknown,
    NotRecipient,
    /// Named, but read with a passcode, which the owner's policy does not allow (now).
    OutsideNotAllowed,
    Revoked,
    Expired,
    Integrity,
}

impl Refusal {
    /// The reason recorded in the audit log (admins see the truth).
    fn reason(self) -> &'static str {
        match self {
            Refusal::Malformed => "not a key id",
            Refusal::Unknown => "no such key",
            Refusal::NotRecipient => "not a recipient",
            Refusal::OutsideNotAllowed => {
                "the owner's policy does not allow passcodes for this address"
            }
            Refusal::Revoked => "revoked",
            Refusal::Expired => "expired",
            Refusal::Integrity => "the stored key failed its integrity check",
        }
    }

    /// The answer to the caller (who is not told whether a key they may not see exists).
    fn answer(self) -> KeyRefusal {
        let (code, message) = match self {
            Refusal::Malformed => (
                RefusalCode::InvalidKeyId,
                "this is not a key id of this server; the encrypted range may be damaged or come from another server",
            ),
            Refusal::Unknown | Refusal::NotRecipient | Refusal::OutsideNotAllowed => (
                RefusalCode::NotFound,
                "no key with this id exists, or you are not among its recipients; ask the document's owner to give you access",
            ),
            Refusal::Revoked => (
                RefusalCode::Revoked,
                "the owner revoked access to this text; ask them for a new copy",
            ),
            Refusal::Expired => (
                RefusalCode::Expired,
                "access to this text has expired; ask the owner to extend it",
            ),
            Refusal::Integrity => (
                RefusalCode::Integrity,
                "the server's copy of this key failed its integrity check; ask your administrator to check the server",
            ),
        };
        KeyRefusal {
            code,
            message: message.to_owned(),
        }
    }
}

fn is_admin_of(p: &Principal, tenant_id: &str) -> bool {
    p.tenant_id == tenant_id && p.is_admin()
}

/// Whether `p` owns the key of `tenant_id` created by `owner_oid`.
fn is_owner(p: &Principal, tenant_id: &str, owner_oid: &str) -> bool {
    p.tenant_id == tenant_id && p.object_id == owner_oid
}

/// The record of `p` doing `action` at `now` (Unix milliseconds).
fn event(
    p: &Principal,
    action: Action,
    key_id: Option<&str>,
    key_tenant: Option<&str>,
    now: i64,
) -> Event {
    Event {
        at_ms: now,
        action,
        actor: p.actor(),
        key_id: key_id.map(str::to_owned),
        key_tenant: key_tenant.map(str::to_owned),
        reason: None,
        detail: None,
    }
}

fn policy(key: &KeyRow, mut recipients: Vec<String>) -> Policy {
    if key.whole_tenant != 0 {
        recipients.insert(0, input::WHOLE_TENANT.to_owned());
    }
    Policy {
        key_id: key.key_id.clone(),
        owner: Owner {
            username: key.owner_name.clone(),
            tenant_id: key.tenant_id.clone(),
        },
        recipients,
        label: key.label.clone(),
        doc_id: key.doc_id.clone(),
        created_at: clock::rfc3339(key.created_at),
        updated_at: clock::rfc3339(key.updated_at),
        expires_at: key.expires_at.map(clock::rfc3339),
        revoked_at: key.revoked_at.map(clock::rfc3339),
    }
}

/// A fresh key id: 128 bits from the operating system's random generator, base64url.
fn new_key_id() -> Result<String, BrokerError> {
    let mut id = [0u8; 16];
    getrandom::getrandom(&mut id).map_err(|e| KeyringError::Random(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(id))
}

impl Broker {
    /// A broker over `store` with the master keys `master`.
    pub fn new(store: Store, master: Arc<MasterKeys>) -> Broker {
        Broker { store, master }
    }

    /// Creates a key owned by `p`.
    pub async fn create(
        &self,
        p: &Principal,
        req: CreateKey,
        now: i64,
    ) -> Result<Created, BrokerError> {
        let recipients = input::recipients("recipients", &req.recipients)?;
        let expires_at = req
            .expires_at
            .as_deref()
            .map(|v| input::expiry("expiresAt", v, now / 1000))
            .transpose()?;
        let label = input::text("label", req.label.as_deref())?;
        let doc_id = input::text("docId", req.doc_id.as_deref())?;
        let key_id = new_key_id()?;
        let data_key = random_key()?;
        let mut audit = event(p, Action::Create, Some(&key_id), Some(&p.tenant_id), now);
        audit.detail = Some(
            serde_json::json!({
                "recipients": recipients.named,
                "wholeOrganisation": recipients.whole_tenant,
                "expiresAt": expires_at.map(clock::rfc3339),
            })
            .to_string(),
        );
        let mut new = NewKey {
            row: KeyRow {
                key_id: key_id.clone(),
                tenant_id: p.tenant_id.clone(),
                owner_oid: p.object_id.clone(),
                owner_name: p.username.to_lowercase(),
                whole_tenant: i64::from(recipients.whole_tenant),
                label,
                doc_id,
                created_at: now / 1000,
                updated_at: now / 1000,
                expires_at,
                revoked_at: None,
            },
            recipients: recipients.named,
            master_version: 0,
            wrapped: Vec::new(),
        };
        // If the newest version this server knows was retired meanwhile, reload and try once
        // more: a key wrapped under a retired version could not be unwrapped elsewhere.
        let mut ring = self.master.ring();
        for attempt in 0..2 {
            let (version, wrapped) = ring.wrap(&p.tenant_id, &key_id, &data_key)?;
            new.master_version = i64::from(version);
            new.wrapped = wrapped;
            let written = self
                .store
                .write(vec![Write::CreateKey {
                    key: new.clone(),
                    audit: audit.clone(),
                }])
                .await?;
            if written.first() == Some(&Written::Key(KeyCreated::Created)) {
                break;
            }
            if attempt == 1 {
                return Err(BrokerError::MasterKey(format!(
                    "master key version {version} is retired but is still the newest in {}; copy the current master key file to this server",
                    ring.path().display()
                )));
            }
            ring = self.master.reload(&self.store).await?;
        }
        Ok(Created {
            key_id,
            key: Zeroizing::new(URL_SAFE_NO_PAD.encode(data_key.as_ref())),
            policy: policy(&new.row, new.recipients),
        })
    }

    /// Releases to `p` each of `key_ids` it may have, and says why for the others. Nothing is
    /// released unless every decision was recorded.
    ///
    /// The decisions are made by the store's writer, inside the transaction that records them
    /// and with the keys read under its lock ([`crate::store::releases`]), so each sees every
    /// policy change committed before it, and concurrent unwraps share one read and one commit.
    /// A key wrapped under a master key version this server's file lacks (another server added
    /// it) is left undecided once: the file is reloaded and the key asked for again.
    pub async fn unwrap(
        &self,
        p: &Principal,
        key_ids: &[String],
        now: i64,
    ) -> Result<Vec<Unwrapped>, BrokerError> {
        self.unwrap_with(p, key_ids, None, now).await
    }

    /// [`Broker::unwrap`] for a reader outside the organisations (a passcode session): as well
    /// as naming them, a key's owner tenant must be among `admitted` (those whose policy allows
    /// passcodes for the reader's address).
    pub async fn unwrap_outside(
        &self,
        p: &Principal,
        key_ids: &[String],
        admitted: Arc<std::collections::HashSet<String>>,
        now: i64,
    ) -> Result<Vec<Unwrapped>, BrokerError> {
        self.unwrap_with(p, key_ids, Some(admitted), now).await
    }

    async fn unwrap_with(
        &self,
        p: &Principal,
        key_ids: &[String],
        admitted: Option<Arc<std::collections::HashSet<String>>>,
        now: i64,
    ) -> Result<Vec<Unwrapped>, BrokerError> {
        if key_ids.is_empty() || key_ids.len() > input::MAX_UNWRAP {
            return Err(BrokerError::Invalid(format!(
                "keyIds must list between 1 and {} key ids; split larger documents into several requests",
                input::MAX_UNWRAP
            )));
        }
        let mut pending: Vec<String> = key_ids
            .iter()
            .filter(|id| input::is_key_id(id))
            .cloned()
            .collect();
        pending.sort_unstable();
        pending.dedup();
        let mut others = Vec::new();
        let malformed = key_ids.iter().filter(|id| !input::is_key_id(id)).count();
        if malformed > 0 {
            let mut audit = event(p, Action::Deny, None, None, now);
            audit.reason = Some(Refusal::Malformed.reason().to_owned());
            audit.detail = Some(serde_json::json!({ "count": malformed }).to_string());
            others.push(Write::Audit(audit));
        }
        let mut decided: HashMap<String, Result<Released, Refusal>> = HashMap::new();
        for last in [false, true] {
            let round = self
                .release(
                    p,
                    std::mem::take(&mut pending),
                    last,
                    std::mem::take(&mut others),
                    admitted.clone(),
                    now,
                )
                .await?;
            decided.extend(round.outcomes);
            if round.deferred.is_empty() {
                break;
            }
            for version in &round.missing_versions {
                self.master.with_version(*version, &self.store).await;
            }
            pending = round.deferred;
        }
        Ok(key_ids
            .iter()
            .map(|id| match decided.get(id.as_str()) {
                Some(Ok(released)) => Unwrapped::Key {
                    key_id: id.clone(),
                    key: released.key.clone(),
                    owner: released.owner.clone(),
                },
                Some(Err(refusal)) => Unwrapped::Error {
                    key_id: id.clone(),
                    error: refusal.answer(),
                },
                None => Unwrapped::Error {
                    key_id: id.clone(),
                    error: Refusal::Malformed.answer(),
                },
            })
            .collect())
    }

    /// One round of an unwrap: has the writer decide on `ids` (with the master keys loaded now)
    /// and commit the records of its decisions together with `ops`. In the `last` round, a
    /// key whose master key version is missing is refused rather than left undecided.
    async fn release(
        &self,
        p: &Principal,
        ids: Vec<String>,
        last: bool,
        ops: Vec<Write>,
        admitted: Option<Arc<std::collections::HashSet<String>>>,
        now: i64,
    ) -> Result<Decisions, BrokerError> {
        if ids.is_empty() {
            if !ops.is_empty() {
                self.store.write(ops).await?;
            }
            return Ok(Decisions::default());
        }
        let ring = self.master.ring();
        let (caller, wanted) = (p.clone(), ids.clone());
        let decide = move |rows: Vec<UnwrapRow>| {
            decide(
                &caller,
                &wanted,
                &rows,
                &ring,
                admitted.as_deref(),
                now,
                last,
            )
        };
        Ok(self
            .store
            .release(ops, ids, p.address.clone(), decide)
            .await?)
    }

    /// The key `key_id` if `p` may manage it: its owner, or (when `admin_ok`) an admin of its
    /// tenant. Others are told it does not exist.
    async fn managed(
        &self,
        p: &Principal,
        key_id: &str,
        admin_ok: bool,
    ) -> Result<KeyRow, BrokerError> {
        if !input::is_key_id(key_id) {
            return Err(BrokerError::NotFound);
        }
        let key = self.store.key(key_id).await?.ok_or(BrokerError::NotFound)?;
        if is_owner(p, &key.tenant_id, &key.owner_oid) {
            return Ok(key);
        }
        if is_admin_of(p, &key.tenant_id) {
            return if admin_ok {
                Ok(key)
            } else {
                Err(BrokerError::Forbidden(
                    "only the key's owner can change who may see it; admins can read and revoke it"
                        .into(),
                ))
            };
        }
        Err(BrokerError::NotFound)
    }

    async fn policy_of(&self, key: &KeyRow) -> Result<Policy, BrokerError> {
        let recipients = self
            .store
            .recipients(&[key.key_id.as_str()])
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        Ok(policy(key, recipients))
    }

    /// The policy of `key_id`, for its owner or an admin of its tenant.
    pub async fn policy(&self, p: &Principal, key_id: &str) -> Result<Policy, BrokerError> {
        let key = self.managed(p, key_id, true).await?;
        self.policy_of(&key).await
    }

    /// Changes recipients or expiry of `key_id`, for its owner; takes effect for every unwrap
    /// that starts after this returns.
    pub async fn change(
        &self,
        p: &Principal,
        key_id: &str,
        req: KeyChange,
        now: i64,
    ) -> Result<Policy, BrokerError> {
        let add = input::recipients("addRecipients", &req.add_recipients)?;
        let remove = input::recipients("removeRecipients", &req.remove_recipients)?;
        let expires_at = match &req.expires_at {
            None => None,
            Some(None) => Some(None),
            Some(Some(v)) => Some(Some(input::expiry("expiresAt", v, now / 1000)?)),
        };
        let key = self.managed(p, key_id, false).await?;
        if key.revoked_at.is_some() {
            return Err(BrokerError::Revoked);
        }
        let mut named: std::collections::HashSet<String> = self
            .store
            .recipients(&[key_id])
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        named.extend(add.named.iter().cloned());
        named.retain(|r| !remove.named.contains(r));
        if named.len() > input::MAX_RECIPIENTS {
            return Err(BrokerError::Invalid(format!(
                "this would name {} people; at most {} can be named, use \"*\" for everyone in your organisation",
                named.len(),
                input::MAX_RECIPIENTS
            )));
        }
        let whole_tenant = match (add.whole_tenant, remove.whole_tenant) {
            (true, true) => {
                return Err(BrokerError::Invalid(
                    "\"*\" is both added and removed; keep it in one list".into(),
                ))
            }
            (true, false) => Some(true),
            (false, true) => Some(false),
            (false, false) => None,
        };
        let mut audit = event(p, Action::Policy, Some(key_id), Some(&key.tenant_id), now);
        audit.detail = Some(
            serde_json::json!({
                "addRecipients": add.named,
                "removeRecipients": remove.named,
                "wholeOrganisation": whole_tenant,
                "expiresAt": expires_at.map(|e| e.map(clock::rfc3339)),
            })
            .to_string(),
        );
        let change = PolicyChange {
            key_id: key_id.to_owned(),
            at: now / 1000,
            add: add.named,
            remove: remove.named,
            whole_tenant,
            expires_at,
        };
        let written = self
            .store
            .write(vec![Write::ChangePolicy { change, audit }])
            .await?;
        if written.first() != Some(&Written::Policy(PolicyChanged::Changed)) {
            return Err(BrokerError::Revoked);
        }
        self.policy(p, key_id).await
    }

    /// Revokes `key_id`, for its owner or an admin of its tenant. Revoking twice is not an
    /// error; only the first is recorded.
    pub async fn revoke(
        &self,
        p: &Principal,
        key_id: &str,
        now: i64,
    ) -> Result<Policy, BrokerError> {
        let key = self.managed(p, key_id, true).await?;
        if key.revoked_at.is_none() {
            let audit = event(p, Action::Revoke, Some(key_id), Some(&key.tenant_id), now);
            self.store
                .write(vec![Write::Revoke {
                    key_id: key_id.to_owned(),
                    at: now / 1000,
                    audit,
                }])
                .await?;
        }
        self.policy(p, key_id).await
    }

    /// A page of the keys `p` owns, newest first, after `cursor`; and the next page's cursor.
    pub async fn owned(
        &self,
        p: &Principal,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<Policy>, Option<String>), BrokerError> {
        let before = cursor.map(decode_cursor).transpose()?;
        let rows = self
            .store
            .owned_keys(
                &p.tenant_id,
                &p.object_id,
                before.as_ref().map(|(t, id)| (*t, id.as_str())),
                limit + 1,
            )
            .await?;
        let more = rows.len() as i64 > limit;
        let rows = &rows[..rows.len().min(limit as usize)];
        let ids: Vec<&str> = rows.iter().map(|r| r.key_id.as_str()).collect();
        let mut recipients: HashMap<String, Vec<String>> = HashMap::new();
        for (key, r) in self.store.recipients(&ids).await? {
            recipients.entry(key).or_default().push(r);
        }
        let next = more
            .then(|| rows.last())
            .flatten()
            .map(|r| URL_SAFE_NO_PAD.encode(format!("{}:{}", r.created_at, r.key_id)));
        let page = rows
            .iter()
            .map(|r| policy(r, recipients.remove(&r.key_id).unwrap_or_default()))
            .collect();
        Ok((page, next))
    }

    /// The store (for the admin routes).
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// What one round of an unwrap decided.
#[derive(Debug, Default)]
struct Decisions {
    /// Key id -> the key released, or why not.
    outcomes: Vec<(String, Result<Released, Refusal>)>,
    /// Keys left undecided: their master key version is not in the file loaded.
    deferred: Vec<String>,
    /// Those versions.
    missing_versions: Vec<u32>,
}

/// Decides, for `p`, each of `ids` given the `rows` read of them at `now` (Unix milliseconds),
/// unwrapping with `ring` what is released; returns the decisions and their audit records.
/// This is the broker's rule (see the module's documentation), applied in the store's writer.
fn decide(
    p: &Principal,
    ids: &[String],
    rows: &[UnwrapRow],
    ring: &Keyring,
    admitted: Option<&std::collections::HashSet<String>>,
    now: i64,
    last: bool,
) -> (Decisions, Vec<Event>) {
    let rows: HashMap<&str, &UnwrapRow> = rows.iter().map(|r| (r.key_id.as_str(), r)).collect();
    let mut made = Decisions::default();
    let mut records = Vec::with_capacity(ids.len());
    let mut unknown = 0usize;
    for id in ids {
        let row = rows.get(id.as_str()).copied();
        let outcome = match row {
            None => Err(Refusal::Unknown),
            Some(row) => {
                let may = is_owner(p, &row.tenant_id, &row.owner_oid)
                    || row.named != 0
                    || (row.whole_tenant != 0 && row.tenant_id == p.tenant_id && p.member);
                if !may {
                    Err(Refusal::NotRecipient)
                } else if admitted.is_some_and(|a| !a.contains(&row.tenant_id)) {
                    Err(Refusal::OutsideNotAllowed)
                } else if row.revoked_at.is_some() {
                    Err(Refusal::Revoked)
                } else if row.expires_at.is_some_and(|t| t * 1000 <= now) {
                    Err(Refusal::Expired)
                } else {
                    match unwrap_key(row, ring, last) {
                        Unwrapping::Done(outcome) => outcome,
                        Unwrapping::MissingVersion(version) => {
                            made.deferred.push(id.clone());
                            if !made.missing_versions.contains(&version) {
                                made.missing_versions.push(version);
                            }
                            continue;
                        }
                    }
                }
            }
        };
        if outcome.is_err() && row.is_none() {
            // One record for all the unknown ids of a request (below): a caller cannot grow
            // the log by a record per id it makes up.
            unknown += 1;
            made.outcomes.push((id.clone(), outcome));
            continue;
        }
        let action = if outcome.is_ok() {
            Action::Release
        } else {
            Action::Deny
        };
        let mut audit = event(p, action, Some(id), row.map(|r| r.tenant_id.as_str()), now);
        audit.reason = outcome.as_ref().err().map(|r| r.reason().to_owned());
        records.push(audit);
        made.outcomes.push((id.clone(), outcome));
    }
    if unknown > 0 {
        let mut audit = event(p, Action::Deny, None, None, now);
        audit.reason = Some(Refusal::Unknown.reason().to_owned());
        audit.detail = Some(serde_json::json!({ "count": unknown }).to_string());
        records.push(audit);
    }
    (made, records)
}

/// A key released to a caller, with whose it is.
#[derive(Debug)]
struct Released {
    key: Zeroizing<String>,
    owner: Owner,
}

/// What became of unwrapping one stored key.
enum Unwrapping {
    /// Unwrapped, or refused for its integrity.
    Done(Result<Released, Refusal>),
    /// Its master key version is not in the file loaded (and this is not the last round).
    MissingVersion(u32),
}

fn unwrap_key(row: &UnwrapRow, ring: &Keyring, last: bool) -> Unwrapping {
    let Ok(version) = u32::try_from(row.master_version) else {
        return Unwrapping::Done(Err(Refusal::Integrity));
    };
    if !last && !ring.versions().any(|v| v == version) {
        return Unwrapping::MissingVersion(version);
    }
    Unwrapping::Done(
        match ring.unwrap(version, &row.tenant_id, &row.key_id, &row.wrapped) {
            Ok(key) => Ok(Released {
                key: Zeroizing::new(URL_SAFE_NO_PAD.encode(key.as_ref())),
                owner: Owner {
                    username: row.owner_name.clone(),
                    tenant_id: row.tenant_id.clone(),
                },
            }),
            Err(e) => {
                tracing::error!(target: "admin", key_id = %row.key_id, error = %e, "a stored key cannot be unwrapped");
                Err(Refusal::Integrity)
            }
        },
    )
}

fn decode_cursor(cursor: &str) -> Result<(i64, String), BrokerError> {
    let bad = || {
        BrokerError::Invalid(
            "the cursor is not one this server gave; start from the first page".into(),
        )
    };
    let text = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(text).map_err(|_| bad())?;
    let (at, id) = text.split_once(':').ok_or_else(bad)?;
    let at = at.parse().map_err(|_| bad())?;
    if !input::is_key_id(id) {
        return Err(bad());
    }
    Ok((at, id.to_owned()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn principal(tenant: &str, oid: &str) -> Principal {
        Principal {
            tenant_id: tenant.into(),
            object_id: oid.into(),
            username: format!("{oid}@example"),
            address: Some(format!("{oid}@example")),
            member: true,
            display_name: String::new(),
            roles: vec![],
            directory_roles: vec![],
        }
    }

    /// A stored key of `ring` owned by ("t1", "owner"), for nobody else unless changed.
    fn row(ring: &Keyring, id: &str) -> UnwrapRow {
        let data_key = random_key().unwrap();
        let (version, wrapped) = ring.wrap("t1", id, &data_key).unwrap();
        UnwrapRow {
            key_id: id.into(),
            tenant_id: "t1".into(),
            owner_oid: "owner".into(),
            owner_name: "owner@example".into(),
            whole_tenant: 0,
            expires_at: None,
            revoked_at: None,
            master_version: i64::from(version),
            wrapped,
            named: 0,
        }
    }

    fn codes(made: &Decisions) -> Vec<(&str, &str)> {
        made.outcomes
            .iter()
            .map(|(id, o)| {
                (
                    id.as_str(),
                    o.as_ref()
                        .map_or_else(|r| r.answer().code.as_str(), |_| "key"),
                )
            })
            .collect()
    }

    #[test]
    fn each_rule_is_applied_and_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let (ring, _) = Keyring::open_or_create(&dir.path().join("master.key")).unwrap();
        let now = 1_000_000_000_000;
        let named = UnwrapRow {
            named: 1,
            ..row(&ring, "named")
        };
        let org = UnwrapRow {
            whole_tenant: 1,
            ..row(&ring, "org")
        };
        let revoked = UnwrapRow {
            revoked_at: Some(1),
            ..named.clone()
        };
        let revoked = UnwrapRow {
            key_id: "revoked".into(),
            ..revoked
        };
        let expired = UnwrapRow {
            expires_at: Some(now / 1000),
            ..named.clone()
        };
        let expired = UnwrapRow {
            key_id: "expired".into(),
            ..expired
        };
        let other = row(&ring, "other");
        let rows = vec![named, org, revoked, expired, other];
        let ids: Vec<String> = ["named", "org", "revoked", "expired", "other", "absent"]
            .map(String::from)
            .into();
        // In another tenant: the whole-organisation key is not for this caller.
        let (made, records) = decide(
            &principal("t2", "bob"),
            &ids,
            &rows,
            &ring,
            None,
            now,
            false,
        );
        assert_eq!(
            codes(&made),
            [
                ("named", "key"),
                ("org", "not_found"),
                ("revoked", "revoked"),
                ("expired", "expired"),
                ("other", "not_found"),
                ("absent", "not_found"),
            ]
        );
        assert!(made.deferred.is_empty());
        let actions: Vec<_> = records
            .iter()
            .map(|r| (r.action, r.reason.as_deref()))
            .collect();
        assert_eq!(
            actions,
            [
                (Action::Release, None),
                (Action::Deny, Some("not a recipient")),
                (Action::Deny, Some("revoked")),
                (Action::Deny, Some("expired")),
                (Action::Deny, Some("not a recipient")),
                (Action::Deny, Some("no such key")),
            ]
        );
        assert!(records.iter().all(|r| r.at_ms == now));
        assert_eq!(records[5].detail.as_deref(), Some(r#"{"count":1}"#));
        // Unknown ids are one record however many.
        let made_up: Vec<String> = (0..200).map(|i| format!("absent{i}")).collect();
        let (_, records) = decide(
            &principal("t2", "bob"),
            &made_up,
            &rows,
            &ring,
            None,
            now,
            false,
        );
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].detail.as_deref(), Some(r#"{"count":200}"#));
        // In the owner's tenant, the whole-organisation key is released; the owner has all
        // that are neither revoked nor expired.
        let (made, _) = decide(
            &principal("t1", "carol"),
            &ids[1..2],
            &rows,
            &ring,
            None,
            now,
            false,
        );
        assert_eq!(codes(&made), [("org", "key")]);
        // A guest of the owner's tenant is not "everyone in the organisation".
        let guest = Principal {
            member: false,
            ..principal("t1", "guest")
        };
        let (made, _) = decide(&guest, &ids[1..2], &rows, &ring, None, now, false);
        assert_eq!(codes(&made), [("org", "not_found")]);
        let (made, _) = decide(
            &principal("t1", "owner"),
            &ids,
            &rows,
            &ring,
            None,
            now,
            false,
        );
        assert_eq!(
            codes(&made).iter().map(|(_, c)| *c).collect::<Vec<_>>(),
            ["key", "key", "revoked", "expired", "key", "not_found"]
        );
    }

    #[test]
    fn a_missing_master_key_version_is_deferred_once_then_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (ring, _) = Keyring::open_or_create(&dir.path().join("master.key")).unwrap();
        let owner = principal("t1", "owner");
        let unknown = UnwrapRow {
            master_version: 7,
            ..row(&ring, "k")
        };
        let ids = vec!["k".to_owned()];
        let (made, records) = decide(
            &owner,
            &ids,
            std::slice::from_ref(&unknown),
            &ring,
            None,
            0,
            false,
        );
        assert!(
            made.outcomes.is_empty() && records.is_empty(),
            "nothing decided, nothing recorded"
        );
        assert_eq!(
            (made.deferred, made.missing_versions),
            (ids.clone(), vec![7])
        );
        let (made, records) = decide(&owner, &ids, &[unknown], &ring, None, 0, true);
        assert_eq!(codes(&made), [("k", "integrity")]);
        assert_eq!(
            records[0].reason.as_deref(),
            Some(Refusal::Integrity.reason())
        );
    }
}
