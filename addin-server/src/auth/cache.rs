//! Tokens already validated. The task pane sends the same token with every request for about an
//! hour; remembering that it was valid turns the RSA verification and claim parsing of each
//! request into one SHA-256 and a map lookup.
//!
//! Entries are keyed by the SHA-256 of the token (the token itself is never kept) and live until
//! the token expires, so nothing is accepted that validation would refuse, except that a token
//! signed with a key the authority has since withdrawn stays accepted until its own expiry (at
//! most about an hour for Entra ID). The tenant is checked again on every request, so a tenant
//! removed from the allowed ones is refused at once. The map is bounded.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_lc_rs::digest::{digest, SHA256};

use super::token::LEEWAY_SECONDS;
use super::Principal;

/// The most tokens remembered.
pub const MAX_ENTRIES: usize = 10_000;

/// Validated tokens, by hash.
#[derive(Debug, Default)]
pub struct Validated {
    entries: Mutex<HashMap<[u8; 32], (Principal, u64)>>,
}

fn key(token: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
    out
}

impl Validated {
    /// The principal of `token` if it was validated and has not expired at `now` (Unix seconds).
    pub fn get(&self, token: &str, now: u64) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&key(token))
            .filter(|(_, exp)| now < exp + LEEWAY_SECONDS)
            .map(|(principal, _)| principal.clone())
    }

    /// Remembers that `token`, which expires at `exp`, speaks for `principal`.
    pub fn insert(&self, token: &str, principal: Principal, exp: u64, now: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, exp)| now < *exp + LEEWAY_SECONDS);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key(token), (principal, exp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(n: u64) -> Principal {
        Principal {
            tenant_id: "t".into(),
            object_id: n.to_string(),
            username: String::new(),
            address: None,
            member: true,
            display_name: String::new(),
            roles: vec![],
            directory_roles: vec![],
        }
    }

    #[test]
    fn entries_expire_with_their_token_and_stay_bounded() {
        let cache = Validated::default();
        cache.insert("a.b.c", principal(1), 1_000, 0);
        assert_eq!(cache.get("a.b.c", 999), Some(principal(1)));
        assert_eq!(cache.get("a.b.c", 1_000 + LEEWAY_SECONDS), None);
        assert_eq!(cache.get("a.b.d", 0), None);
        for n in 0..(MAX_ENTRIES as u64 + 10) {
            cache.insert(&format!("t{n}"), principal(n), 5_000, 0);
        }
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
