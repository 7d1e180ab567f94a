//! Rate limits: how often one client address or one user may do what costs the server (or an
//! attacker's guesses) the most, answered 429 with `Retry-After` beyond it.
//!
//! Each limit is a token bucket per key (governor's GCRA): a burst is allowed, then a steady
//! rate. The keys are what a caller cannot change at will without a new identity: the client's
//! address for what anyone can reach before signing in (refused tokens, the consent callback),
//! and (tenant, object id) for what a signed-in user does (keys created, unwraps, consent links).
//! The buckets live in this process: several servers behind a load balancer each allow the rate
//! (a shared limit would need a shared store on the hot path; the per-server bound is what keeps
//! one server from being exhausted, which is the point). Buckets of idle keys are dropped by
//! [`Limits::forget_idle`], which the server calls every minute.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A limit was reached: what, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// What was limited, in words ("key creations").
    pub what: &'static str,
    /// How long until the next attempt can succeed.
    pub retry_after: Duration,
}

impl Limited {
    /// The wait as whole seconds (for `Retry-After`), rounded up and at least one.
    pub fn retry_seconds(&self) -> u64 {
        (self.retry_after.as_millis().div_ceil(1000) as u64).max(1)
    }
}

/// One kind of limit: a bucket per key.
#[derive(Debug)]
struct Bucket<K: Hash + Eq + Clone> {
    what: &'static str,
    limiter: DefaultKeyedRateLimiter<K>,
}

fn per_minute(n: u32, burst: u32) -> Quota {
    let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(burst)
}

impl<K: Hash + Eq + Clone> Bucket<K> {
    fn new(what: &'static str, quota: Quota) -> Self {
        Bucket {
            what,
            limiter: RateLimiter::keyed(quota),
        }
    }

    fn check(&self, key: &K) -> Result<(), Limited> {
        self.limiter.check_key(key).map_err(|not_until| Limited {
            what: self.what,
            retry_after: not_until.wait_time_from(DefaultClock::default().now()),
        })
    }
}

/// A user, as limits count them.
pub type UserKey = (String, String);

/// The server's rate limits.
#[derive(Debug)]
pub struct Limits {
    token_failures: Bucket<IpAddr>,
    consent_callbacks: Bucket<IpAddr>,
    creates: Bucket<UserKey>,
    unwraps: Bucket<UserKey>,
    consent_links: Bucket<UserKey>,
    passcode_clients: Bucket<IpAddr>,
    passcode_addresses: Bucket<String>,
    passcode_entries: Bucket<IpAddr>,
    /// Addresses held back after too many refused tokens, until when.
    held: Mutex<HashMap<IpAddr, Instant>>,
}

impl Default for Limits {
    /// The limits in force. Each is far above what the add-in does for one person (the task
    /// pane unwraps a whole document in one request; a user creates a key per action) and low
    /// enough that guessing or flooding is slow.
    fn default() -> Self {
        Limits::scaled(1)
    }
}

impl Limits {
    /// The limits in force, each multiplied by `k` (`ADDIN_RATE_LIMIT_SCALE`: a benchmark that
    /// sends one user's requests by the thousand still pays for the limiter, without tripping it).
    pub fn scaled(k: u32) -> Self {
        let q = |n: u32, burst: u32| per_minute(n.saturating_mul(k), burst.saturating_mul(k));
        Limits {
            token_failures: Bucket::new("refused sign-ins from your address", q(30, 30)),
            consent_callbacks: Bucket::new("consent answers from your address", q(10, 10)),
            creates: Bucket::new("key creations", q(120, 60)),
            unwraps: Bucket::new("key requests", q(600, 300)),
            consent_links: Bucket::new("consent links", q(5, 5)),
            passcode_clients: Bucket::new("passcode requests from your address", q(10, 10)),
            // Five codes at once for one mailbox, then one every three minutes.
            passcode_addresses: Bucket::new(
                "passcodes for this email address",
                Quota::with_period(std::time::Duration::from_secs(180) / k.max(1))
                    .unwrap_or_else(|| per_minute(1, 1))
                    .allow_burst(
                        NonZeroU32::new(5u32.saturating_mul(k)).unwrap_or(NonZeroU32::MIN),
                    ),
            ),
            passcode_entries: Bucket::new("passcode entries from your address", q(30, 30)),
            held: Mutex::default(),
        }
    }

    /// Limits with every quota replaced by `n` per minute and a burst of `n` (for tests).
    pub fn uniform(n: u32) -> Self {
        let q = || per_minute(n, n);
        Limits {
            token_failures: Bucket::new("refused sign-ins from your address", q()),
            consent_callbacks: Bucket::new("consent answers from your address", q()),
            creates: Bucket::new("key creations", q()),
            unwraps: Bucket::new("key requests", q()),
            consent_links: Bucket::new("consent links", q()),
            passcode_clients: Bucket::new("passcode requests from your address", q()),
            passcode_addresses: Bucket::new("passcodes for this email address", q()),
            passcode_entries: Bucket::new("passcode entries from your address", q()),
            held: Mutex::default(),
        }
    }

    /// Whether `client` is held back for having had too many tokens refused: checked before a
    /// token is validated, so that a guesser costs no signature check while held back.
    pub fn held_back(&self, client: IpAddr) -> Result<(), Limited> {
        let now = Instant::now();
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        match held.get(&client) {
            Some(until) if *until > now => Err(Limited {
                what: self.token_failures.what,
                retry_after: *until - now,
            }),
            _ => Ok(()),
        }
    }

    /// Counts a refused token from `client`; beyond the limit, holds it back for the wait.
    pub fn token_refused(&self, client: IpAddr) -> Result<(), Limited> {
        self.token_failures.check(&client).inspect_err(|limited| {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            held.insert(client, Instant::now() + limited.retry_after);
        })
    }

    /// One consent callback from `client`.
    pub fn consent_callback(&self, client: IpAddr) -> Result<(), Limited> {
        self.consent_callbacks.check(&client)
    }

    /// One key creation by `user`.
    pub fn create(&self, user: &UserKey) -> Result<(), Limited> {
        self.creates.check(user)
    }

    /// One unwrap request by `user`.
    pub fn unwrap(&self, user: &UserKey) -> Result<(), Limited> {
        self.unwraps.check(user)
    }

    /// One consent link for `user`.
    pub fn consent_link(&self, user: &UserKey) -> Result<(), Limited> {
        self.consent_links.check(user)
    }

    /// One passcode request from `client` for `address` (each has its own limit).
    pub fn passcode_request(&self, client: Option<IpAddr>, address: &str) -> Result<(), Limited> {
        if let Some(client) = client {
            self.passcode_clients.check(&client)?;
        }
        self.passcode_addresses
            .check(&address.trim().to_lowercase())
    }

    /// One passcode entry from `client`.
    pub fn passcode_entry(&self, client: Option<IpAddr>) -> Result<(), Limited> {
        client.map_or(Ok(()), |c| self.passcode_entries.check(&c))
    }

    /// Drops the buckets of keys that are back to full.
    pub fn forget_idle(&self) {
        let now = Instant::now();
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
        self.token_failures.limiter.retain_recent();
        self.consent_callbacks.limiter.retain_recent();
        self.creates.limiter.retain_recent();
        self.unwraps.limiter.retain_recent();
        self.consent_links.limiter.retain_recent();
        self.passcode_clients.limiter.retain_recent();
        self.passcode_addresses.limiter.retain_recent();
        self.passcode_entries.limiter.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_wait_per_key() {
        let limits = Limits::uniform(3);
        let (alice, bob) = (
            ("t".to_owned(), "a".to_owned()),
            ("t".to_owned(), "b".to_owned()),
        );
        for _ in 0..3 {
            limits.create(&alice).unwrap();
        }
        let limited = limits.create(&alice).unwrap_err();
        assert_eq!(limited.what, "key creations");
        assert!(
            limited.retry_after > Duration::ZERO && limited.retry_after <= Duration::from_secs(20)
        );
        limits.create(&bob).unwrap();
    }

    #[test]
    fn too_many_refused_tokens_hold_the_address_back() {
        let limits = Limits::uniform(2);
        let ip: IpAddr = [192, 0, 2, 1].into();
        limits.held_back(ip).unwrap();
        limits.token_refused(ip).unwrap();
        limits.token_refused(ip).unwrap();
        limits.held_back(ip).unwrap();
        assert!(limits.token_refused(ip).is_err());
        assert!(limits.held_back(ip).is_err());
        limits.held_back([192, 0, 2, 2].into()).unwrap();
        limits.forget_idle();
        assert!(limits.held_back(ip).is_err(), "still held");
    }
}
