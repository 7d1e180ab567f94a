//! The authority's signing keys: fetched from its OpenID metadata, cached, and refreshed.
//!
//! Keys are read from `jwks_uri` in `{authority}/{tenant or common}/v2.0/.well-known/
//! openid-configuration`. They are refreshed when they are older than [`KeyPolicy::max_age`],
//! and when a token names a key id the cache does not have (the authority rotated its keys), but
//! never more often than [`KeyPolicy::min_interval`] after a successful fetch (or
//! [`KeyPolicy::retry_interval`] after a failed one), however many requests carry unknown key
//! ids: a flood of forged tokens costs the authority nothing. Concurrent refreshes are coalesced
//! (one fetch, the other callers wait for it), and a failed refresh keeps the last good keys.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::DecodingKey;
use serde::Deserialize;

/// How often keys may and must be fetched.
#[derive(Debug, Clone, Copy)]
pub struct KeyPolicy {
    /// Keys older than this are refreshed on the next request.
    pub max_age: Duration,
    /// After a successful fetch, no other for this long.
    pub min_interval: Duration,
    /// After a failed fetch, no other for this long.
    pub retry_interval: Duration,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        KeyPolicy {
            max_age: Duration::from_secs(24 * 3600),
            min_interval: Duration::from_secs(5 * 60),
            retry_interval: Duration::from_secs(10),
        }
    }
}

/// Why keys could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The metadata or the key set could not be fetched or read.
    #[error("cannot fetch the signing keys from {url}: {reason}")]
    Fetch {
        /// What was being fetched.
        url: String,
        /// Why it failed.
        reason: String,
    },
}

/// The cached signing keys of one authority.
#[derive(Debug)]
pub struct SigningKeys {
    metadata_url: String,
    http: reqwest::Client,
    policy: KeyPolicy,
    cache: RwLock<Cache>,
    /// Held by the one task that fetches; the others wait on it, then read what it got.
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct Cache {
    keys: HashMap<String, Arc<DecodingKey>>,
    fetched_at: Option<Instant>,
    last_attempt: Option<(Instant, bool)>,
    fetches: u64,
}

#[derive(Deserialize)]
struct Metadata {
    jwks_uri: String,
}

impl SigningKeys {
    /// Keys from the OpenID metadata at `metadata_url`, fetched on first use.
    pub fn new(metadata_url: String, http: reqwest::Client, policy: KeyPolicy) -> SigningKeys {
        SigningKeys {
            metadata_url,
            http,
            policy,
            cache: RwLock::new(Cache::default()),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// The metadata URL keys come from.
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The key with id `kid`, refreshing the cache first if it is stale or lacks that key (within
    /// the policy's limits). `None` when the authority has no such key.
    pub async fn get(&self, kid: &str) -> Result<Option<Arc<DecodingKey>>, KeyError> {
        let (key, stale) = self.lookup(kid);
        if key.is_some() && !stale {
            return Ok(key);
        }
        let refreshed = self.refresh().await;
        match (self.lookup(kid).0, refreshed) {
            (Some(key), _) => Ok(Some(key)),
            // No keys at all: they are unavailable, which says nothing about the token.
            (None, Err(e)) if self.is_empty() => Err(e),
            (None, Ok(())) if self.is_empty() => Err(KeyError::Fetch {
                url: self.metadata_url.clone(),
                reason: "no signing keys could be fetched yet; retrying shortly".into(),
            }),
            (None, _) => Ok(None),
        }
    }

    /// Fetches the keys if none have been fetched yet, and says whether some are cached (for
    /// `/readyz`).
    pub async fn ready(&self) -> Result<(), KeyError> {
        if self.is_empty() {
            self.refresh().await?;
        }
        if self.is_empty() {
            return Err(KeyError::Fetch {
                url: self.metadata_url.clone(),
                reason: "the key set has no RSA signing keys".into(),
            });
        }
        Ok(())
    }

    /// How many fetches have been made (for tests and logs).
    pub fn fetches(&self) -> u64 {
        self.read().fetches
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.cache.read().unwrap_or_else(|e| e.into_inner())
    }

    fn is_empty(&self) -> bool {
        self.read().keys.is_empty()
    }

    /// The cached key, and whether the cache is older than the policy allows.
    fn lookup(&self, kid: &str) -> (Option<Arc<DecodingKey>>, bool) {
        let cache = self.read();
        let stale = cache
            .fetched_at
            .is_none_or(|at| at.elapsed() > self.policy.max_age);
        (cache.keys.get(kid).cloned(), stale)
    }

    /// Fetches the keys unless a fetch happened too recently; coalesced across callers.
    async fn refresh(&self) -> Result<(), KeyError> {
        let _one_at_a_time = self.refreshing.lock().await;
        if let Some((at, ok)) = self.read().last_attempt {
            let wait = if ok {
                self.policy.min_interval
            } else {
                self.policy.retry_interval
            };
            if at.elapsed() < wait {
                return Ok(());
            }
        }
        let fetched = self.fetch().await;
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        cache.fetches += 1;
        cache.last_attempt = Some((Instant::now(), fetched.is_ok()));
        match fetched {
            Ok(keys) => {
                tracing::info!(url = %self.metadata_url, keys = keys.len(), "signing keys fetched");
                cache.keys = keys;
                cache.fetched_at = Some(Instant::now());
                Ok(())
            }
            Err(e) => {
                tracing::warn!(error = %e, kept = cache.keys.len(), "signing keys not refreshed; keeping the last good ones");
                Err(e)
            }
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<DecodingKey>>, KeyError> {
        let metadata: Metadata = self.get_json(&self.metadata_url).await?;
        let set: JwkSet = self.get_json(&metadata.jwks_uri).await?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let signing = jwk
                .common
                .public_key_use
                .as_ref()
                .is_none_or(|u| *u == PublicKeyUse::Signature);
            let rs256 = jwk
                .common
                .key_algorithm
                .is_none_or(|a| a == KeyAlgorithm::RS256);
            let (Some(kid), AlgorithmParameters::RSA(_)) = (&jwk.common.key_id, &jwk.algorithm)
            else {
                continue;
            };
            if !(signing && rs256) {
                continue;
            }
            match DecodingKey::from_jwk(jwk) {
                Ok(key) => {
                    keys.insert(kid.clone(), Arc::new(key));
                }
                Err(e) => tracing::warn!(kid, error = %e, "signing key skipped"),
            }
        }
        // A set with no usable key is a failed fetch, not an answer: it must not replace the
        // keys that verify today's tokens (a broken or hostile key endpoint would otherwise
        // sign everyone out).
        if keys.is_empty() {
            return Err(KeyError::Fetch {
                url: metadata.jwks_uri,
                reason: format!(
                    "the key set has no usable RS256 signing key ({} keys listed)",
                    set.keys.len()
                ),
            });
        }
        Ok(keys)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, KeyError> {
        let fail = |reason: String| KeyError::Fetch {
            url: url.to_owned(),
            reason,
        };
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if !response.status().is_success() {
            return Err(fail(format!("HTTP status {}", response.status())));
        }
        response.json().await.map_err(|e| fail(e.to_string()))
    }
}
