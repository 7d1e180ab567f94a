//! The master key file and what is derived from it: per-tenant key-encryption keys that wrap
//! and unwrap data keys, and the audit log's secret.
//!
//! # The file
//!
//! `ADDIN_MASTER_KEY_FILE` (by default `master.key` in the data directory, generated on first
//! start with mode 0600) holds one line per master key version:
//!
//! ```text
//! # comment lines start with #
//! v1 <32 bytes, base64url without padding>
//! v2 <...>
//! audit <32 bytes>   (written when the oldest version is retired; see Keyring::audit_secret)
//! ```
//!
//! The newest version wraps new data keys; every version in the file unwraps. `addin-server keys
//! rotate-master` appends a version and rewraps the stored keys under it; `keys retire-master`
//! removes a version no key uses any more. The file must be readable by its owner only.
//!
//! # Wrapping
//!
//! The key-encryption key (KEK) of tenant `t` under version `v` is
//! `HKDF-SHA256(salt = "textguard kek v1", ikm = master key v, info = t)`. A data key is stored
//! as `nonce (12) || AES-256-GCM(KEK, data key, aad) (32) || tag (16)`, where the additional
//! data binds the key id, the tenant and the version: a wrapped key copied to another row, tenant
//! or version fails to unwrap. KEKs exist only inside aws-lc-rs key objects; master keys and
//! data keys in this crate's memory are zeroized when dropped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::hkdf::{Salt, HKDF_SHA256};
use aws_lc_rs::hmac;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use zeroize::Zeroizing;

/// A 256-bit key, zeroized when dropped.
pub type Key32 = Zeroizing<[u8; 32]>;

/// Bytes of a wrapped data key: nonce, ciphertext, tag.
pub const WRAPPED_LEN: usize = NONCE_LEN + 32 + 16;

/// Why the key file or a wrapped key could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyringError {
    /// The file could not be read or written.
    #[error("cannot {action} the master key file {path}: {source}")]
    Io {
        /// `read`, `create` or `update`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// The file is not in the expected format.
    #[error("the master key file {path} is not valid at line {line}: {problem}; restore it from your backup")]
    Format {
        /// The file.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// Others may read the file.
    #[error("the master key file {path} can be read by other users (mode {mode:o}); run chmod 600 on it")]
    Exposed {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file has no version that the data names.
    #[error("master key version {0} is not in the master key file; restore the file from the backup made when that version was created")]
    UnknownVersion(u32),
    /// A wrapped key failed authentication: it was altered, moved to another row, or the master
    /// key is not the one it was wrapped with.
    #[error("a stored data key failed its integrity check (altered, moved, or wrapped under another master key)")]
    Integrity,
    /// The system's random generator failed.
    #[error("the system's random number generator failed: {0}")]
    Random(String),
}

/// The master key versions of one file.
pub struct Keyring {
    path: PathBuf,
    versions: BTreeMap<u32, Key32>,
    /// The `audit` line: the audit log's secret, once written down (see [`Keyring::audit_secret`]).
    audit: Option<Key32>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("path", &self.path)
            .field("versions", &self.versions.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Fills a fresh 256-bit key from the operating system's random generator.
pub fn random_key() -> Result<Key32, KeyringError> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(key.as_mut()).map_err(|e| KeyringError::Random(e.to_string()))?;
    Ok(key)
}

impl Keyring {
    /// Reads the file at `path`, or creates it with one fresh version if it does not exist.
    /// Returns the keyring and whether the file was created now.
    pub fn open_or_create(path: &Path) -> Result<(Keyring, bool), KeyringError> {
        match std::fs::metadata(path) {
            Ok(_) => Ok((Keyring::open(path)?, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut ring = Keyring {
                    path: path.to_owned(),
                    versions: BTreeMap::new(),
                    audit: None,
                };
                ring.versions.insert(1, random_key()?);
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    crate::fsutil::create_private_dir(dir).map_err(|source| KeyringError::Io {
                        action: "create",
                        path: path.to_owned(),
                        source,
                    })?;
                }
                ring.save("create")?;
                Ok((ring, true))
            }
            Err(source) => Err(KeyringError::Io {
                action: "read",
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Reads the file at `path`.
    pub fn open(path: &Path) -> Result<Keyring, KeyringError> {
        let io = |source| KeyringError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyringError::Exposed {
                    path: path.to_owned(),
                    mode,
                });
            }
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io)?);
        let mut versions = BTreeMap::new();
        let mut audit = None;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |problem: &str| KeyringError::Format {
                path: path.to_owned(),
                line: i + 1,
                problem: problem.to_owned(),
            };
            let (name, value) = line
                .split_once(char::is_whitespace)
                .ok_or_else(|| bad("expected `vN KEY`"))?;
            // `None` for the audit line.
            let version: Option<u32> = match name {
                "audit" => None,
                _ => Some(
                    name.strip_prefix('v')
                        .and_then(|n| n.parse().ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| bad("the version must be v1, v2, ... (or `audit`)"))?,
                ),
            };
            let bytes = Zeroizing::new(
                URL_SAFE_NO_PAD
                    .decode(value.trim())
                    .map_err(|_| bad("the key is not base64url"))?,
            );
            let mut key = Zeroizing::new([0u8; 32]);
            if bytes.len() != 32 {
                return Err(bad("the key is not 32 bytes"));
            }
            key.copy_from_slice(&bytes);
            let Some(version) = version else {
                if audit.replace(key).is_some() {
                    return Err(bad("the audit line appears twice"));
                }
                continue;
            };
            if versions.insert(version, key).is_some() {
                return Err(bad("this version appears twice"));
            }
        }
        if versions.is_empty() {
            return Err(KeyringError::Format {
                path: path.to_owned(),
                line: 0,
                problem: "it holds no key".into(),
            });
        }
        Ok(Keyring {
            path: path.to_owned(),
            versions,
            audit,
        })
    }

    /// Writes the keyring to its file (mode 0600), through a temporary file and a rename, so a
    /// crash leaves either the old or the new file.
    fn save(&self, action: &'static str) -> Result<(), KeyringError> {
        let mut text = Zeroizing::new(String::from(
            "# Textguard master key-encryption keys. Keep this file secret and backed up:\n\
             # without it no stored data key can be unwrapped. One line per version.\n",
        ));
        for (version, key) in &self.versions {
            let encoded = Zeroizing::new(URL_SAFE_NO_PAD.encode(key.as_ref()));
            text.push_str(&format!("v{version} {}\n", encoded.as_str()));
        }
        if let Some(key) = &self.audit {
            let encoded = Zeroizing::new(URL_SAFE_NO_PAD.encode(key.as_ref()));
            text.push_str(&format!("audit {}\n", encoded.as_str()));
        }
        let io = |source| KeyringError::Io {
            action,
            path: self.path.clone(),
            source,
        };
        let tmp = self.path.with_extension("tmp");
        crate::fsutil::write_private(&tmp, text.as_bytes()).map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io)?;
        }
        Ok(())
    }

    /// Adds a fresh version, newer than all, to the keyring and its file; returns it.
    pub fn add_version(&mut self) -> Result<u32, KeyringError> {
        let version = self.current() + 1;
        self.versions.insert(version, random_key()?);
        self.save("update")?;
        Ok(version)
    }

    /// Removes `version` from the keyring and its file. The audit secret, derived from the
    /// oldest version until then, is written down first when that version goes.
    pub fn remove_version(&mut self, version: u32) -> Result<(), KeyringError> {
        if !self.versions.contains_key(&version) {
            return Err(KeyringError::UnknownVersion(version));
        }
        if self.audit.is_none() {
            self.audit = Some(self.audit_secret()?);
        }
        self.versions.remove(&version);
        self.save("update")
    }

    /// The secret the audit log's keys are derived from ([`crate::audit::AuditKeys`]): the
    /// file's `audit` line, or, until one is written, `HKDF-SHA256(salt = "textguard audit v1",
    /// ikm = the oldest master key)`. It never changes: rotating the master key leaves the oldest
    /// version in place, and retiring the oldest writes this secret down first, so records
    /// keyed years ago still verify. Whoever can write the database but not read this file
    /// cannot make a record the audit log accepts.
    pub fn audit_secret(&self) -> Result<Key32, KeyringError> {
        if let Some(key) = &self.audit {
            return Ok(key.clone());
        }
        let (_, oldest) = self
            .versions
            .first_key_value()
            .ok_or(KeyringError::UnknownVersion(1))?;
        let prk = Salt::new(HKDF_SHA256, b"textguard audit v1").extract(oldest.as_ref());
        let mut out = Zeroizing::new([0u8; 32]);
        prk.expand(&[b"audit secret"], HKDF_SHA256)
            .and_then(|okm| okm.fill(out.as_mut()))
            .map_err(|_| KeyringError::Integrity)?;
        Ok(out)
    }

    /// The newest version: it wraps new keys.
    pub fn current(&self) -> u32 {
        self.versions.keys().next_back().copied().unwrap_or(0)
    }

    /// The versions in the file, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = u32> + '_ {
        self.versions.keys().copied()
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A value that identifies `version`'s key without revealing it (HMAC-SHA256 of a fixed
    /// text): the store keeps it to check that the file matches the database.
    pub fn check_value(&self, version: u32) -> Result<[u8; 32], KeyringError> {
        let master = self.master(version)?;
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, master.as_ref()),
            b"textguard master key check v1",
        );
        let mut out = [0; 32];
        out.copy_from_slice(tag.as_ref());
        Ok(out)
    }

    fn master(&self, version: u32) -> Result<&Key32, KeyringError> {
        self.versions
            .get(&version)
            .ok_or(KeyringError::UnknownVersion(version))
    }

    /// The key-encryption key of `tenant` under `version`.
    fn kek(&self, version: u32, tenant: &str) -> Result<LessSafeKey, KeyringError> {
        let master = self.master(version)?;
        let prk = Salt::new(HKDF_SHA256, b"textguard kek v1").extract(master.as_ref());
        let info = [tenant.as_bytes()];
        let okm = prk
            .expand(&info, &AES_256_GCM)
            .map_err(|_| KeyringError::Integrity)?;
        Ok(LessSafeKey::new(UnboundKey::from(okm)))
    }

    /// Wraps `data_key` for key `key_id` of `tenant` under the newest version.
    pub fn wrap(
        &self,
        tenant: &str,
        key_id: &str,
        data_key: &Key32,
    ) -> Result<(u32, Vec<u8>), KeyringError> {
        let version = self.current();
        self.wrap_with(version, tenant, key_id, data_key)
            .map(|w| (version, w))
    }

    fn wrap_with(
        &self,
        version: u32,
        tenant: &str,
        key_id: &str,
        data_key: &Key32,
    ) -> Result<Vec<u8>, KeyringError> {
        let kek = self.kek(version, tenant)?;
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce).map_err(|e| KeyringError::Random(e.to_string()))?;
        let mut out = Vec::with_capacity(WRAPPED_LEN);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(data_key.as_ref());
        let aad = aad(version, tenant, key_id);
        let tag = kek
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_slice()),
                &mut out[NONCE_LEN..],
            )
            .map_err(|_| KeyringError::Integrity)?;
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Unwraps the data key `key_id` of `tenant`, wrapped under `version`.
    pub fn unwrap(
        &self,
        version: u32,
        tenant: &str,
        key_id: &str,
        wrapped: &[u8],
    ) -> Result<Key32, KeyringError> {
        let kek = self.kek(version, tenant)?;
        if wrapped.len() != WRAPPED_LEN {
            return Err(KeyringError::Integrity);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&wrapped[..NONCE_LEN]);
        let mut buf = Zeroizing::new(wrapped[NONCE_LEN..].to_vec());
        let aad = aad(version, tenant, key_id);
        let plain = kek
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_slice()),
                &mut buf,
            )
            .map_err(|_| KeyringError::Integrity)?;
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(plain);
        Ok(key)
    }

    /// Unwraps with `from` and wraps again under the newest version.
    pub fn rewrap(
        &self,
        from: u32,
        tenant: &str,
        key_id: &str,
        wrapped: &[u8],
    ) -> Result<Vec<u8>, KeyringError> {
        let key = self.unwrap(from, tenant, key_id, wrapped)?;
        self.wrap_with(self.current(), tenant, key_id, &key)
    }
}

/// The additional authenticated data of a wrapped key.
fn aad(version: u32, tenant: &str, key_id: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64);
    aad.extend_from_slice(b"textguard data key v1\0");
    aad.extend_from_slice(&version.to_be_bytes());
    aad.extend_from_slice(tenant.as_bytes());
    aad.push(0);
    aad.extend_from_slice(key_id.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_a_private_file_and_reads_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/master.key");
        let (ring, created) = Keyring::open_or_create(&path).unwrap();
        assert!(created);
        assert_eq!(ring.current(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let (again, created) = Keyring::open_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(again.check_value(1).unwrap(), ring.check_value(1).unwrap());
        assert!(!format!("{again:?}")
            .contains(&URL_SAFE_NO_PAD.encode(ring.master(1).unwrap().as_ref())));
    }

    #[test]
    fn wrapped_keys_are_bound_to_their_id_tenant_and_version() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ring, _) = Keyring::open_or_create(&dir.path().join("m.key")).unwrap();
        let key = random_key().unwrap();
        let (v, wrapped) = ring.wrap("tenant-a", "k1", &key).unwrap();
        assert_eq!(wrapped.len(), WRAPPED_LEN);
        assert_eq!(*ring.unwrap(v, "tenant-a", "k1", &wrapped).unwrap(), *key);
        for (tenant, id) in [("tenant-b", "k1"), ("tenant-a", "k2")] {
            assert!(matches!(
                ring.unwrap(v, tenant, id, &wrapped),
                Err(KeyringError::Integrity)
            ));
        }
        for bit in [0, 12 * 8, (WRAPPED_LEN - 1) * 8 + 7] {
            let mut flipped = wrapped.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(matches!(
                ring.unwrap(v, "tenant-a", "k1", &flipped),
                Err(KeyringError::Integrity)
            ));
        }
        // Rotation: a new version wraps, the old one still unwraps until removed.
        let v2 = ring.add_version().unwrap();
        assert_eq!(v2, 2);
        let rewrapped = ring.rewrap(v, "tenant-a", "k1", &wrapped).unwrap();
        assert_eq!(
            *ring.unwrap(v2, "tenant-a", "k1", &rewrapped).unwrap(),
            *key
        );
        assert!(ring.unwrap(v2, "tenant-a", "k1", &wrapped).is_err());
        assert_eq!(*ring.unwrap(v, "tenant-a", "k1", &wrapped).unwrap(), *key);
        let reread = Keyring::open(ring.path()).unwrap();
        assert_eq!(reread.versions().collect::<Vec<_>>(), vec![1, 2]);
        let audit = ring.audit_secret().unwrap();
        assert_ne!(*audit, **ring.master(1).unwrap(), "derived, not a copy");
        ring.remove_version(1).unwrap();
        let reread = Keyring::open(ring.path()).unwrap();
        assert!(matches!(
            reread.unwrap(1, "tenant-a", "k1", &wrapped),
            Err(KeyringError::UnknownVersion(1))
        ));
        // The audit secret came from version 1 and outlives it: it was written down first.
        assert_eq!(*reread.audit_secret().unwrap(), *audit);
        assert!(std::fs::read_to_string(ring.path())
            .unwrap()
            .contains("\naudit "));
        ring.add_version().unwrap();
        ring.remove_version(2).unwrap();
        assert_eq!(
            *Keyring::open(ring.path()).unwrap().audit_secret().unwrap(),
            *audit
        );
    }

    #[test]
    fn a_bad_or_exposed_file_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.key");
        for (text, expected) in [
            ("v1 abc\n", "line 1: the key is not 32 bytes"),
            ("# only a comment\n", "holds no key"),
            ("x1 AAAA\n", "line 1: the version must be"),
            ("v1\n", "line 1: expected `vN KEY`"),
        ] {
            crate::fsutil::write_private(&path, text.as_bytes()).unwrap();
            let e = Keyring::open(&path).unwrap_err().to_string();
            assert!(e.contains(expected), "{text:?}: {e}");
            assert!(e.contains("restore"), "{e}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = URL_SAFE_NO_PAD.encode([7u8; 32]);
            crate::fsutil::write_private(&path, format!("v1 {key}\n").as_bytes()).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = Keyring::open(&path).unwrap_err().to_string();
            assert!(e.contains("chmod 600"), "{e}");
            assert!(!e.contains(&key), "{e}");
        }
    }
}
