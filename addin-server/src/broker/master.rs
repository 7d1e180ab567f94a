//! The master keys a server holds: the key file loaded at start and checked against the
//! versions the database registered, reloaded when another server or the command line added a
//! version.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::BrokerError;
use crate::config::Config;
use crate::keyring::Keyring;
use crate::store::Store;

/// The least time between two reloads of the key file.
const RELOAD_FLOOR: Duration = Duration::from_secs(1);

/// The master key file of this server, as last loaded.
#[derive(Debug)]
pub struct MasterKeys {
    ring: RwLock<Arc<Keyring>>,
    /// When the file was last reloaded for a missing version (`None`: never).
    last_reload: Mutex<Option<Instant>>,
}

/// Where the master key file of `config` is.
pub fn key_file(config: &Config) -> PathBuf {
    config
        .master_key_file
        .clone()
        .unwrap_or_else(|| config.data_dir.join("master.key"))
}

impl MasterKeys {
    /// Loads the key file of `config` (creating it on first start when it is the default one
    /// and the database has no version yet), checks it against `store`, and gives `store` the
    /// audit keys derived from it.
    pub async fn open(config: &Config, store: &Store) -> Result<MasterKeys, BrokerError> {
        let path = key_file(config);
        let registered = store.master_versions().await?;
        let ring = if registered.is_empty() && config.master_key_file.is_none() {
            let (ring, created) = Keyring::open_or_create(&path)?;
            if created {
                tracing::warn!(target: "admin", "generated the master key file {}: back it up now, no stored key can be unwrapped without it", path.display());
            }
            ring
        } else {
            Keyring::open(&path)?
        };
        check_against(&ring, store, &registered).await?;
        store.set_audit_keys(
            crate::audit::AuditKeys::derive(&*ring.audit_secret()?)
                .map_err(BrokerError::MasterKey)?,
        );
        Ok(MasterKeys::from_ring(ring))
    }

    /// Wraps a loaded keyring (already checked).
    pub fn from_ring(ring: Keyring) -> MasterKeys {
        MasterKeys {
            ring: RwLock::new(Arc::new(ring)),
            last_reload: Mutex::new(None),
        }
    }

    /// The keyring as loaded now.
    pub fn ring(&self) -> Arc<Keyring> {
        match self.ring.read() {
            Ok(ring) => ring.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reloads the file now (after a write found this server's newest version retired).
    pub async fn reload(&self, store: &Store) -> Result<Arc<Keyring>, BrokerError> {
        let fresh = Keyring::open(self.ring().path())?;
        check(&fresh, store).await?;
        let fresh = Arc::new(fresh);
        if let Ok(mut slot) = self.ring.write() {
            *slot = fresh.clone();
        }
        tracing::info!(target: "admin", "reloaded the master key file: versions {:?}", fresh.versions().collect::<Vec<_>>());
        Ok(fresh)
    }

    /// The keyring with `version` in it, reloading the file (at most once a second) if the one
    /// loaded lacks it.
    pub async fn with_version(&self, version: u32, store: &Store) -> Arc<Keyring> {
        let ring = self.ring();
        if ring.versions().any(|v| v == version) {
            return ring;
        }
        {
            let Ok(mut last) = self.last_reload.lock() else {
                return ring;
            };
            if last.is_some_and(|t| t.elapsed() < RELOAD_FLOOR) {
                return ring;
            }
            *last = Some(Instant::now());
        }
        match self.reload(store).await {
            Ok(fresh) => fresh,
            Err(e) => {
                tracing::error!(target: "admin", error = %e, "cannot reload the master key file; keeping the one loaded");
                ring
            }
        }
    }
}

/// Checks `ring` against the versions `store` registered, and registers its new ones: every
/// registered, unretired version must be in the file with the same key. The check runs again
/// after registering, in case another server registered the same version with another key.
pub async fn check(ring: &Keyring, store: &Store) -> Result<(), BrokerError> {
    check_against(ring, store, &store.master_versions().await?).await
}

/// [`check`], given the versions `store` registered (`registered`, read by the caller).
async fn check_against(
    ring: &Keyring,
    store: &Store,
    registered: &[(i64, Vec<u8>, Option<i64>)],
) -> Result<(), BrokerError> {
    verify(ring, registered)?;
    let now = crate::clock::now_secs();
    let mut added = false;
    for version in ring.versions() {
        if !registered.iter().any(|(v, _, _)| *v == i64::from(version)) {
            store
                .register_master_version(i64::from(version), &ring.check_value(version)?, now)
                .await?;
            added = true;
        }
    }
    if added {
        verify(ring, &store.master_versions().await?)?;
    }
    Ok(())
}

fn verify(ring: &Keyring, registered: &[(i64, Vec<u8>, Option<i64>)]) -> Result<(), BrokerError> {
    for (version, check_value, retired) in registered {
        let in_file = u32::try_from(*version)
            .ok()
            .filter(|v| ring.versions().any(|have| have == *v));
        match (in_file, retired) {
            (None, None) => {
                return Err(BrokerError::MasterKey(format!(
                    "the master key file {} lacks version {version}, which stored keys use; restore the file from its backup",
                    ring.path().display()
                )))
            }
            (None, Some(_)) => {}
            (Some(v), _) => {
                let ours = ring.check_value(v)?;
                if aws_lc_rs::constant_time::verify_slices_are_equal(&ours, check_value).is_err() {
                    return Err(BrokerError::MasterKey(format!(
                        "version {version} in the master key file {} is not the key this database was set up with; restore the right file (ADDIN_MASTER_KEY_FILE)",
                        ring.path().display()
                    )));
                }
            }
        }
    }
    Ok(())
}
