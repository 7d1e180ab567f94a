//! One-time passcodes for readers outside the organisations: the rules, over the store's
//! passcode tables ([`crate::store::passcodes`]) and the mail transport.
//!
//! A reader asks for a code for their address and the keys of the text they hold. The code is
//! mailed only when one of those keys names that address, is neither revoked nor expired, the
//! address's domain belongs to no organisation of this server (their people sign in with
//! Microsoft), and the key owner's policy allows passcodes for that domain. Whatever the case,
//! the answer is the same (a challenge, a reference and a lifetime taken from the policy of the
//! keys' owner), the mail is sent after the answer, and a challenge is stored: one for which no
//! code was sent can never be opened. Each request is recorded, sent or refused with why.
//!
//! A correct code, once, before it expires, opens a reader session of [`SESSION_MINUTES`] for
//! that address; [`MAX_WRONG_ENTRIES`] wrong ones within [`LOCKOUT_MINUTES`] lock the address
//! for [`LOCKOUT_MINUTES`]. Codes are kept only as HMACs (under a key derived from the master
//! key file, so the database alone cannot be searched for them), challenges and session tokens
//! only as SHA-256 hashes; codes are compared in constant time.

use std::collections::HashSet;
use std::sync::Arc;

use addin_wasm::protocol::keys::{CreateKey, Created, Unwrapped};
use addin_wasm::protocol::passcodes::{
    CannotRead, PasscodeChallenge, PasscodeEntry, PasscodeRequest, ReaderSession, ReadsWith,
    RecipientReading, ReplyMail, ReplySent, CODE_DIGITS, LOCKOUT_MINUTES, MAX_WRONG_ENTRIES,
    SESSION_MINUTES,
};
use addin_wasm::protocol::policy::OrgPolicy;
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{digest, SHA256};
use aws_lc_rs::hkdf::{Salt, HKDF_SHA256};
use aws_lc_rs::hmac;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use zeroize::Zeroizing;

use crate::audit::{hex, Action, Actor, Event};
use crate::auth::Principal;
use crate::broker::{input, Broker, BrokerError};
use crate::mail::{templates, Mailer};
use crate::policy::PolicyError;
use crate::store::passcodes::{ChallengeRow, EntryChange, Lockout, NewChallenge, NewSession};
use crate::store::{Store, StoreError, Write};

const MINUTE_MS: i64 = 60_000;
/// The letters of a reference: no 0/O or 1/I/L to confuse.
const REFERENCE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const REFERENCE_LEN: usize = 4;

/// Why a passcode step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PasscodeError {
    /// This server does not send passcodes.
    #[error("this server does not send passcodes; ask the sender to share the text with an account you can sign in with")]
    Off,
    /// The request is wrong; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// Too many wrong codes for this address.
    #[error("too many wrong passcodes for this address; try again in {} minutes", .retry_after_s.div_ceil(60))]
    Locked {
        /// Seconds until the lock ends.
        retry_after_s: u64,
    },
    /// The code is not the one sent.
    #[error("this is not the passcode that was sent; {left} {} left before the address is locked for {LOCKOUT_MINUTES} minutes", if *.left == 1 { "try" } else { "tries" })]
    Wrong {
        /// Tries left.
        left: u32,
    },
    /// The code expired or was used, or the challenge is not one.
    #[error("this passcode has expired or was already used; ask for a new one")]
    Expired,
    /// A reply is not allowed; the message says why.
    #[error("{0}")]
    RepliesOff(String),
    /// The session is not one, or over.
    #[error("your reading session has ended; enter a new passcode to go on")]
    SessionExpired,
    /// The system's random generator failed.
    #[error("the system's random number generator failed: {0}")]
    Random(String),
    /// A policy could not be read.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The broker failed.
    #[error(transparent)]
    Broker(#[from] BrokerError),
    /// The mail relay did not take a message.
    #[error("the reply could not be mailed ({0}); try again later")]
    Mail(String),
}

/// The MAC key of codes: `HKDF-SHA256(salt = "textguard passcode v1", ikm = the master key
/// file's audit secret)`, so that it survives master key rotation as the audit key does.
pub struct PasscodeKey(hmac::Key);

impl std::fmt::Debug for PasscodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasscodeKey")
    }
}

impl PasscodeKey {
    /// The key derived from `secret`.
    pub fn derive(secret: &[u8; 32]) -> Result<PasscodeKey, String> {
        let mut out = Zeroizing::new([0u8; 32]);
        Salt::new(HKDF_SHA256, b"textguard passcode v1")
            .extract(secret)
            .expand(&[b"code mac"], HKDF_SHA256)
            .and_then(|okm| okm.fill(out.as_mut()))
            .map_err(|_| "the crypto library refused to derive the passcode key".to_owned())?;
        Ok(PasscodeKey(hmac::Key::new(hmac::HMAC_SHA256, out.as_ref())))
    }

    /// The MAC of `code` for `challenge` (the challenge binds the code to its page).
    fn code_mac(&self, challenge: &str, code: &str) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(&(challenge.len() as u64).to_be_bytes());
        ctx.update(challenge.as_bytes());
        ctx.update(code.as_bytes());
        ctx.sign().as_ref().to_vec()
    }
}

/// The SHA-256 of `secret`, hex: how challenges and session tokens are looked up.
fn lookup_hash(secret: &str) -> String {
    hex(digest(&SHA256, secret.as_bytes()).as_ref())
}

fn random_bytes<const N: usize>() -> Result<Zeroizing<[u8; N]>, PasscodeError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::getrandom(bytes.as_mut()).map_err(|e| PasscodeError::Random(e.to_string()))?;
    Ok(bytes)
}

/// A uniform number below `n` (rejection sampling: no modulo bias).
fn uniform(n: u32) -> Result<u32, PasscodeError> {
    let zone = u32::MAX - u32::MAX % n;
    loop {
        let v = u32::from_le_bytes(*random_bytes::<4>()?);
        if v < zone {
            return Ok(v % n);
        }
    }
}

fn new_code() -> Result<Zeroizing<String>, PasscodeError> {
    let mut code = Zeroizing::new(String::with_capacity(CODE_DIGITS));
    for _ in 0..CODE_DIGITS {
        code.push(char::from(b'0' + uniform(10)? as u8));
    }
    Ok(code)
}

fn new_reference() -> Result<String, PasscodeError> {
    (0..REFERENCE_LEN)
        .map(|_| {
            uniform(REFERENCE_ALPHABET.len() as u32)
                .map(|i| char::from(REFERENCE_ALPHABET[i as usize]))
        })
        .collect()
}

/// The audit actor of a passcode reader.
fn actor(address: &str) -> Actor {
    Principal::outside(address).actor()
}

fn event(address: &str, action: Action, key_tenant: Option<&str>, now_ms: i64) -> Event {
    Event {
        at_ms: now_ms,
        action,
        actor: actor(address),
        key_id: None,
        key_tenant: key_tenant.map(str::to_owned),
        reason: None,
        detail: None,
    }
}

/// Passcodes on this server.
#[derive(Debug)]
pub struct Passcodes {
    store: Store,
    mailer: Mailer,
    key: PasscodeKey,
    /// The server's public origin, for the reader links of replies.
    origin: String,
}

/// The largest reply envelope mailed (the reply's HTML is encrypted in the page).
const MAX_REPLY: usize = 1 << 20;

/// What a request found: whether to send, to whom from whom, and for how long.
struct Eligibility {
    /// The key owner's name and tenant, when a code is to be sent.
    send_for: Option<(String, String)>,
    /// Why not, for the record.
    refusal: Option<&'static str>,
    /// The tenant whose admins see the record, and whose policy sets the lifetime.
    tenant: Option<String>,
    /// The code's lifetime in minutes.
    minutes: u32,
}

impl Passcodes {
    /// Passcodes over `store`, mailed by `mailer`, with codes MACed under `key`.
    pub fn new(store: Store, mailer: Mailer, key: PasscodeKey, origin: &str) -> Passcodes {
        Passcodes {
            store,
            mailer,
            key,
            origin: origin.trim_end_matches('/').to_owned(),
        }
    }

    /// Whether `address` may get a code for `ids` at `now_ms`, and why not.
    async fn eligibility(
        &self,
        address: &str,
        ids: &[&str],
        now_ms: i64,
    ) -> Result<Eligibility, PasscodeError> {
        // The lifetime the answer states comes from the policy of the keys' owner whether or
        // not the address is named, so that it tells nothing.
        let owners = self.store.key_tenants(ids).await?;
        let tenant = owners.first().map(|(_, t)| t.clone());
        let owner_policy = match &tenant {
            Some(t) => crate::policy::in_force(&self.store, t).await?,
            None => OrgPolicy::default(),
        };
        let mut found = Eligibility {
            send_for: None,
            refusal: None,
            tenant,
            minutes: owner_policy.passcodes.lifetime_minutes,
        };
        let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
        if self.store.domain_owner(domain).await?.is_some() {
            found.refusal = Some("the address belongs to an organisation of this server: its people sign in with Microsoft");
            return Ok(found);
        }
        let naming = self.store.keys_naming(address, ids, now_ms / 1000).await?;
        if naming.is_empty() {
            found.refusal =
                Some("no key asked for names this address (or each is revoked or expired)");
            return Ok(found);
        }
        let mut checked = HashSet::new();
        for (_, tenant, owner) in &naming {
            if !checked.insert(tenant.clone()) {
                continue;
            }
            let policy = crate::policy::in_force(&self.store, tenant).await?;
            if policy.admits_outside(address) {
                found.send_for = Some((owner.clone(), tenant.clone()));
                found.tenant = Some(tenant.clone());
                found.minutes = policy.passcodes.lifetime_minutes;
                return Ok(found);
            }
        }
        found.refusal = Some("the key owner's policy does not allow passcodes for this address");
        Ok(found)
    }

    /// A code for `req` at `now_ms`: the same answer whether or not one is mailed.
    pub async fn request(
        &self,
        req: PasscodeRequest,
        now_ms: i64,
    ) -> Result<PasscodeChallenge, PasscodeError> {
        let address = addin_wasm::protocol::recipient(&req.address)
            .map_err(|p| PasscodeError::Invalid(format!("the address {p}")))?;
        if req.key_ids.is_empty() || req.key_ids.len() > input::MAX_UNWRAP {
            return Err(PasscodeError::Invalid(format!(
                "keyIds must list between 1 and {} key ids",
                input::MAX_UNWRAP
            )));
        }
        if let Some(bad) = req.key_ids.iter().find(|id| !input::is_key_id(id)) {
            return Err(PasscodeError::Invalid(format!(
                "{bad:?} is not a key id of this server"
            )));
        }
        let lockout = self.store.lockout(&address).await?;
        if lockout.locked_until > now_ms {
            return Err(locked(lockout.locked_until, now_ms));
        }
        let ids: Vec<&str> = req.key_ids.iter().map(String::as_str).collect();
        let found = self.eligibility(&address, &ids, now_ms).await?;
        let challenge = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?.as_ref());
        let reference = new_reference()?;
        let code = new_code()?;
        let expires_at = now_ms + i64::from(found.minutes) * MINUTE_MS;
        let sent = found.send_for.is_some();
        let mut audit = event(
            &address,
            if sent {
                Action::PasscodeSent
            } else {
                Action::PasscodeRefused
            },
            found.tenant.as_deref(),
            now_ms,
        );
        audit.reason = found.refusal.map(str::to_owned);
        audit.detail =
            Some(serde_json::json!({ "reference": reference, "keys": ids.len() }).to_string());
        self.store
            .write(vec![Write::Challenge {
                challenge: NewChallenge {
                    challenge_hash: lookup_hash(&challenge),
                    address: address.clone(),
                    reference: reference.clone(),
                    tenant_id: found.tenant.clone(),
                    code_mac: self.key.code_mac(&challenge, &code),
                    sent,
                    expires_at,
                    created_at: now_ms,
                },
                audit,
            }])
            .await?;
        if let Some((owner, _)) = found.send_for {
            let language = templates::Language::from_tag(req.lang.as_deref().unwrap_or("en"));
            let mail =
                templates::passcode(language, &address, &code, &reference, found.minutes, &owner);
            let mailer = self.mailer.clone();
            // After the answer: how long the relay takes must not tell who is a recipient.
            tokio::spawn(async move {
                if let Err(e) = mailer.send(mail).await {
                    tracing::error!(target: "admin", error = %e, "a passcode could not be mailed");
                }
            });
        }
        Ok(PasscodeChallenge {
            challenge,
            reference,
            expires_in_seconds: u64::from(found.minutes) * 60,
        })
    }

    /// Checks `entry` at `now_ms`; a correct code opens a reader session.
    pub async fn verify(
        &self,
        entry: PasscodeEntry,
        now_ms: i64,
    ) -> Result<ReaderSession, PasscodeError> {
        let code: String = entry.code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != CODE_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PasscodeError::Invalid(format!(
                "the passcode is the {CODE_DIGITS} digits of the mail"
            )));
        }
        let mac = self.key.code_mac(&entry.challenge, &code);
        let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?.as_ref());
        let session_hash = lookup_hash(&token);
        let outcome = self
            .store
            .passcode_entry(lookup_hash(&entry.challenge), move |row, lockout| {
                decide_entry(row, lockout, &mac, &session_hash, now_ms)
            })
            .await?;
        let address = outcome?;
        Ok(ReaderSession {
            token,
            address,
            expires_in_seconds: u64::from(SESSION_MINUTES) * 60,
        })
    }

    /// The reader whose session `token` is, at `now_ms`.
    pub async fn session(&self, token: &str, now_ms: i64) -> Result<Principal, PasscodeError> {
        self.store
            .reader_session(&lookup_hash(token), now_ms)
            .await?
            .map(|address| Principal::outside(&address))
            .ok_or(PasscodeError::SessionExpired)
    }

    /// A key owned by the reader `p` for a protected reply to the message whose key is
    /// `reply_to`: readable by that message's owner (at the address the owner's organisation
    /// vouched for) and its other named recipients, when `p` may read that message and the
    /// owner's policy allows outside replies.
    pub async fn reply_key(
        &self,
        broker: &Broker,
        p: &Principal,
        reply_to: &str,
        now_ms: i64,
    ) -> Result<Created, PasscodeError> {
        let address = p.address.clone().unwrap_or_default();
        let not_yours = || {
            PasscodeError::RepliesOff(
                "you can reply only to a protected message you may read".into(),
            )
        };
        if !input::is_key_id(reply_to) {
            return Err(not_yours());
        }
        let naming = self
            .store
            .keys_naming(&address, &[reply_to], now_ms / 1000)
            .await?;
        let Some((_, tenant, _)) = naming.first() else {
            return Err(not_yours());
        };
        let policy = crate::policy::in_force(&self.store, tenant).await?;
        if !policy.admits_outside(&address) || !policy.outside_replies {
            return Err(PasscodeError::RepliesOff(
                "the sender's organisation does not allow protected replies from outside; answer them another way".into(),
            ));
        }
        let key = self.store.key(reply_to).await?.ok_or_else(not_yours)?;
        let owner = self
            .store
            .addresses_of(&key.tenant_id, &key.owner_oid)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                PasscodeError::RepliesOff(
                    "the sender has no address their organisation vouches for, so a protected reply cannot reach them".into(),
                )
            })?;
        let mut recipients = vec![owner];
        for (_, named) in self.store.recipients(&[reply_to]).await? {
            if named != address && !recipients.contains(&named) {
                recipients.push(named);
            }
        }
        recipients.truncate(input::MAX_RECIPIENTS);
        let request = CreateKey {
            recipients,
            expires_at: None,
            label: Some(format!("Reply from {address}")),
            doc_id: None,
        };
        Ok(broker.create(p, request, now_ms).await?)
    }

    /// Mails the reply `mail` (an envelope under a reply key of `p`) to that key's recipients.
    pub async fn send_reply(
        &self,
        p: &Principal,
        mail: ReplyMail,
        now_ms: i64,
    ) -> Result<ReplySent, PasscodeError> {
        let address = p.address.clone().unwrap_or_default();
        let key = match self.store.key(&mail.key_id).await? {
            Some(k)
                if k.tenant_id == p.tenant_id
                    && k.owner_oid == p.object_id
                    && k.revoked_at.is_none() =>
            {
                k
            }
            _ => return Err(PasscodeError::RepliesOff(
                "this is not a reply key of yours; ask for one with POST /v1/passcodes/reply-key"
                    .into(),
            )),
        };
        if mail.envelope.len() > MAX_REPLY {
            return Err(PasscodeError::Invalid(format!(
                "the reply is larger than {} KiB; shorten it",
                MAX_REPLY / 1024
            )));
        }
        let header = addin_wasm::envelope::inspect_envelope(&mail.envelope)
            .map_err(|e| PasscodeError::Invalid(format!("the reply is not an envelope: {e}")))?;
        if header.kid != key.key_id {
            return Err(PasscodeError::Invalid(
                "the reply is not encrypted under the reply key".into(),
            ));
        }
        let to: Vec<String> = self
            .store
            .recipients(&[key.key_id.as_str()])
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let mut audit = event(&address, Action::OutsideReply, None, now_ms);
        audit.key_id = Some(key.key_id.clone());
        audit.key_tenant = Some(key.tenant_id.clone());
        audit.detail = Some(serde_json::json!({ "to": to.len() }).to_string());
        self.store.write(vec![Write::Audit(audit)]).await?;
        let language = templates::Language::from_tag(mail.lang.as_deref().unwrap_or("en"));
        let link = addin_wasm::protocol::passcodes::reader_link(&self.origin, &mail.envelope);
        for recipient in &to {
            let message = templates::protected_reply(
                language,
                recipient,
                &address,
                &mail.envelope,
                link.as_deref(),
            );
            self.mailer.send(message).await.map_err(|e| {
                tracing::error!(target: "admin", error = %e, "a protected reply could not be mailed");
                PasscodeError::Mail(e.to_string())
            })?;
        }
        Ok(ReplySent { to })
    }

    /// Releases to the reader `p` those of `key_ids` that name their address and whose owner's
    /// policy still allows passcodes for it.
    pub async fn unwrap(
        &self,
        broker: &Broker,
        p: &Principal,
        key_ids: &[String],
        now_ms: i64,
    ) -> Result<Vec<Unwrapped>, PasscodeError> {
        let address = p.address.clone().unwrap_or_default();
        let ids: Vec<&str> = key_ids
            .iter()
            .filter(|id| input::is_key_id(id))
            .map(String::as_str)
            .collect();
        let mut admitted = HashSet::new();
        for (_, tenant) in self.store.key_tenants(&ids).await? {
            if !admitted.contains(&tenant)
                && crate::policy::in_force(&self.store, &tenant)
                    .await?
                    .admits_outside(&address)
            {
                admitted.insert(tenant);
            }
        }
        Ok(broker
            .unwrap_outside(p, key_ids, Arc::new(admitted), now_ms)
            .await?)
    }
}

/// How each of `recipients` would read what a user of `tenant_id` protects, on a server that
/// sends passcodes or not (`enabled`): so that the sender is told before encrypting, in the same
/// rules the server applies when a code is asked for.
pub async fn how_they_read(
    store: &Store,
    enabled: bool,
    tenant_id: &str,
    recipients: &[String],
) -> Result<Vec<RecipientReading>, PasscodeError> {
    if recipients.len() > input::MAX_RECIPIENTS {
        return Err(PasscodeError::Invalid(format!(
            "recipients lists {} people; a key names at most {}",
            recipients.len(),
            input::MAX_RECIPIENTS
        )));
    }
    let policy = crate::policy::in_force(store, tenant_id).await?;
    let mut out = Vec::with_capacity(recipients.len());
    for given in recipients {
        let reads = |address: String, reads_with| RecipientReading {
            address,
            reads_with,
            why: None,
            reason: None,
        };
        let cannot = |address: String, why, reason: String| RecipientReading {
            address,
            reads_with: ReadsWith::Nothing,
            why: Some(why),
            reason: Some(reason),
        };
        if given.trim() == input::WHOLE_TENANT {
            out.push(reads(given.trim().to_owned(), ReadsWith::SignIn));
            continue;
        }
        let address = match addin_wasm::protocol::recipient(given) {
            Ok(address) => address,
            Err(problem) => {
                out.push(cannot(
                    given.clone(),
                    CannotRead::NotAnAddress,
                    format!("this {problem}"),
                ));
                continue;
            }
        };
        let domain = address.rsplit_once('@').map_or("", |(_, d)| d).to_owned();
        out.push(if store.domain_owner(&domain).await?.is_some() {
            reads(address, ReadsWith::SignIn)
        } else if !enabled {
            cannot(address, CannotRead::PasscodesOff, "this server does not send passcodes, and their organisation does not use Textguard here".into())
        } else if !policy.passcodes.enabled {
            cannot(address, CannotRead::PolicyOff, "your organisation's policy turns passcodes off, and their organisation does not use Textguard here".into())
        } else if !policy.admits_outside(&address) {
            cannot(address, CannotRead::DomainNotAllowed, format!(
                "your organisation's policy allows passcodes only for {}",
                policy.outside_domains.join(", ")
            ))
        } else {
            reads(address, ReadsWith::Passcode)
        });
    }
    Ok(out)
}

fn locked(until_ms: i64, now_ms: i64) -> PasscodeError {
    PasscodeError::Locked {
        retry_after_s: u64::try_from((until_ms - now_ms).max(1000) / 1000).unwrap_or(1),
    }
}

/// The decision on one entry, under the write lock: its outcome, what it changes, its records.
fn decide_entry(
    row: Option<&ChallengeRow>,
    lockout: Lockout,
    mac: &[u8],
    session_hash: &str,
    now_ms: i64,
) -> (Result<String, PasscodeError>, EntryChange, Vec<Event>) {
    let none = EntryChange::default();
    let Some(row) = row else {
        return (Err(PasscodeError::Expired), none, Vec::new());
    };
    if lockout.locked_until > now_ms {
        return (Err(locked(lockout.locked_until, now_ms)), none, Vec::new());
    }
    if row.used != 0 || row.expires_at <= now_ms {
        return (Err(PasscodeError::Expired), none, Vec::new());
    }
    let window = i64::from(LOCKOUT_MINUTES) * MINUTE_MS;
    // A challenge whose code was never sent opens nothing, whatever is typed.
    let correct = row.sent != 0 && verify_slices_are_equal(&row.code_mac, mac).is_ok();
    if correct {
        let change = EntryChange {
            used: true,
            lockout: Some(Lockout::default()),
            session: Some(NewSession {
                token_hash: session_hash.to_owned(),
                address: row.address.clone(),
                expires_at: now_ms + i64::from(SESSION_MINUTES) * MINUTE_MS,
                created_at: now_ms,
            }),
        };
        let record = event(
            &row.address,
            Action::PasscodeAccepted,
            row.tenant_id.as_deref(),
            now_ms,
        );
        return (Ok(row.address.clone()), change, vec![record]);
    }
    let (failures, window_start) = if now_ms - lockout.window_start > window {
        (1, now_ms)
    } else {
        (lockout.failures + 1, lockout.window_start)
    };
    let mut records = vec![event(
        &row.address,
        Action::PasscodeWrong,
        row.tenant_id.as_deref(),
        now_ms,
    )];
    if failures >= i64::from(MAX_WRONG_ENTRIES) {
        let until = now_ms + window;
        records.push(event(
            &row.address,
            Action::PasscodeLocked,
            row.tenant_id.as_deref(),
            now_ms,
        ));
        let change = EntryChange {
            lockout: Some(Lockout {
                failures: 0,
                window_start: now_ms,
                locked_until: until,
            }),
            ..EntryChange::default()
        };
        return (Err(locked(until, now_ms)), change, records);
    }
    let change = EntryChange {
        lockout: Some(Lockout {
            failures,
            window_start,
            locked_until: 0,
        }),
        ..EntryChange::default()
    };
    let left = u32::try_from(i64::from(MAX_WRONG_ENTRIES) - failures).unwrap_or(0);
    (Err(PasscodeError::Wrong { left }), change, records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(sent: bool, mac: &[u8]) -> ChallengeRow {
        ChallengeRow {
            address: "dave@example.net".into(),
            tenant_id: None,
            code_mac: mac.to_vec(),
            sent: i64::from(sent),
            used: 0,
            expires_at: 10 * MINUTE_MS,
        }
    }

    #[test]
    fn codes_are_eight_uniform_digits_and_macs_bind_the_challenge() {
        let key = PasscodeKey::derive(&[7; 32]).unwrap();
        let code = new_code().unwrap();
        assert_eq!(code.len(), CODE_DIGITS);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(key.code_mac("a", "12345678"), key.code_mac("b", "12345678"));
        assert_ne!(
            key.code_mac("a", "12345678"),
            PasscodeKey::derive(&[8; 32])
                .unwrap()
                .code_mac("a", "12345678")
        );
        let reference = new_reference().unwrap();
        assert_eq!(reference.len(), REFERENCE_LEN);
        assert!(reference.bytes().all(|b| REFERENCE_ALPHABET.contains(&b)));
    }

    #[test]
    fn five_wrong_entries_lock_and_a_decoy_never_opens() {
        let mac = [1u8; 32];
        let mut lockout = Lockout::default();
        for tries_left in (1..MAX_WRONG_ENTRIES).rev() {
            let (outcome, change, records) =
                decide_entry(Some(&row(true, &mac)), lockout, &[2; 32], "s", 1000);
            assert!(matches!(outcome, Err(PasscodeError::Wrong { left }) if left == tries_left));
            assert_eq!(records[0].action, Action::PasscodeWrong);
            lockout = change.lockout.unwrap();
        }
        let (outcome, change, records) =
            decide_entry(Some(&row(true, &mac)), lockout, &[2; 32], "s", 1000);
        assert!(matches!(
            outcome,
            Err(PasscodeError::Locked { retry_after_s: 900 })
        ));
        assert_eq!(records[1].action, Action::PasscodeLocked);
        let locked_state = change.lockout.unwrap();
        // Locked: even the right code is refused until the lock ends.
        let (outcome, _, records) =
            decide_entry(Some(&row(true, &mac)), locked_state, &mac, "s", 2000);
        assert!(matches!(outcome, Err(PasscodeError::Locked { .. })));
        assert!(records.is_empty());
        let after = 1000 + 15 * MINUTE_MS;
        let (outcome, change, _) = decide_entry(
            Some(&ChallengeRow {
                expires_at: after + 1,
                ..row(true, &mac)
            }),
            locked_state,
            &mac,
            "s",
            after,
        );
        assert_eq!(outcome.unwrap(), "dave@example.net");
        assert!(change.used && change.session.is_some());

        // The right MAC on a challenge whose code was never sent opens nothing.
        let (outcome, change, _) =
            decide_entry(Some(&row(false, &mac)), Lockout::default(), &mac, "s", 1000);
        assert!(matches!(outcome, Err(PasscodeError::Wrong { .. })));
        assert!(change.session.is_none());
        // Old failures age out of the window.
        let old = Lockout {
            failures: 4,
            window_start: 0,
            locked_until: 0,
        };
        let (outcome, _, _) = decide_entry(
            Some(&ChallengeRow {
                expires_at: i64::MAX,
                ..row(true, &mac)
            }),
            old,
            &[2; 32],
            "s",
            16 * MINUTE_MS,
        );
        assert!(matches!(outcome, Err(PasscodeError::Wrong { left: 4 })));
    }
}
