//! Master keys (key-encryption keys) and the AES-256-GCM sealing of secrets under them.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use rand::RngCore;
use secrecy::zeroize::{Zeroize, Zeroizing};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox, SecretString};
use sha2::{Digest, Sha256};

use crate::StoreError;

/// The environment variable that may hold the master key (base64 of 32 bytes) or a key file path.
pub const MASTER_KEY_ENV: &str = "IMSBRIDGE_MASTER_KEY";

/// The `format` marker of a key file.
const FILE_FORMAT: &str = "imsbridge-keyring/1";

/// Bytes of the random nonce in front of every ciphertext (96 bits, as GCM wants).
const NONCE_LEN: usize = 12;

/// One master key: its id and 32 bytes that never leave this module unwrapped.
struct MasterKey {
    id: String,
    created_at: Option<DateTime<Utc>>,
    material: SecretBox<[u8; 32]>,
}

/// Where a keyring came from, which decides whether it can be rotated.
#[derive(Clone, Debug)]
enum Source {
    File(PathBuf),
    Env,
}

/// The master keys that protect stored secrets: one active key that seals new secrets, and
/// older keys kept only to open what they sealed until rotation has moved everything on.
///
/// `Debug` shows key ids only.
pub struct Keyring {
    keys: Vec<MasterKey>,
    active: String,
    source: Source,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("active", &self.active)
            .field("keys", &self.key_ids())
            .field("source", &self.source)
            .finish()
    }
}

/// The key file as written to disk.
#[derive(serde::Serialize, serde::Deserialize)]
struct KeyFile {
    format: String,
    active: String,
    keys: Vec<KeyFileEntry>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KeyFileEntry {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<DateTime<Utc>>,
    /// Base64 of the 32 key bytes.
    key: String,
}

impl Drop for KeyFileEntry {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl Keyring {
    /// Loads a key file; a missing, unreadable or malformed file is a [`StoreError::Key`]
    /// that names the path and the fix.
    pub fn load(path: &Path) -> Result<Self, StoreError> {
        let raw = Zeroizing::new(std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                StoreError::Key(format!(
                    "the key file {} does not exist; restore it from your backup, or set {MASTER_KEY_ENV}",
                    path.display()
                ))
            } else {
                StoreError::Key(format!(
                    "the key file {} cannot be read ({e}); check its owner and permissions (0600)",
                    path.display()
                ))
            }
        })?);
        warn_if_readable_by_others(path);
        let corrupt = |why: String| {
            StoreError::Key(format!(
                "the key file {} is corrupt ({why}); restore it from your backup",
                path.display()
            ))
        };
        let file: KeyFile = serde_json::from_slice(&raw)
            // serde_json's message names the position, never the content of a string.
            .map_err(|e| corrupt(format!("not a key file: {e}")))?;
        if file.format != FILE_FORMAT {
            return Err(corrupt(format!(
                "format {:?}, expected {FILE_FORMAT:?}",
                file.format
            )));
        }
        let mut keys = Vec::with_capacity(file.keys.len());
        for entry in &file.keys {
            let material = decode_key(&entry.key)
                .ok_or_else(|| corrupt(format!("key {:?} is not base64 of 32 bytes", entry.id)))?;
            if keys.iter().any(|k: &MasterKey| k.id == entry.id) {
                return Err(corrupt(format!("key id {:?} appears twice", entry.id)));
            }
            keys.push(MasterKey {
                id: entry.id.clone(),
                created_at: entry.created_at,
                material,
            });
        }
        if !keys.iter().any(|k| k.id == file.active) {
            return Err(corrupt(format!(
                "the active key {:?} is not among its keys",
                file.active
            )));
        }
        Ok(Self {
            active: file.active.clone(),
            keys,
            source: Source::File(path.to_owned()),
        })
    }

    /// Makes a new key file with one fresh key, readable by its owner only (0600).
    ///
    /// Refuses to overwrite an existing file.
    pub fn create(path: &Path, now: DateTime<Utc>) -> Result<Self, StoreError> {
        let key = MasterKey::generate(now);
        let ring = Self {
            active: key.id.clone(),
            keys: vec![key],
            source: Source::File(path.to_owned()),
        };
        ring.write_file(path, true)?;
        Ok(ring)
    }

    /// Builds a keyring from the value of [`MASTER_KEY_ENV`]: base64 of 32 bytes (one key,
    /// which cannot be rotated), or the path of a key file.
    pub fn from_env_value(value: &SecretString) -> Result<Self, StoreError> {
        let value = value.expose_secret().trim();
        if let Some(material) = decode_key(value) {
            // A stable id, so that the key checks recorded in the database recognise it later.
            let digest = Sha256::digest(material.expose_secret());
            let id = format!("env-{}", hex::encode(&digest[..4]));
            return Ok(Self {
                active: id.clone(),
                keys: vec![MasterKey {
                    id,
                    created_at: None,
                    material,
                }],
                source: Source::Env,
            });
        }
        let path = Path::new(value);
        if value.is_empty() || !path.exists() {
            return Err(StoreError::Key(format!(
                "{MASTER_KEY_ENV} is neither base64 of 32 bytes nor the path of an existing key file; generate a key with `openssl rand -base64 32`"
            )));
        }
        Self::load(path)
    }

    /// The id of the key that seals new secrets.
    pub fn active_key_id(&self) -> &str {
        &self.active
    }

    /// The ids of every key held, active or not.
    pub fn key_ids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.id.as_str()).collect()
    }

    /// The key file this keyring lives in, if it came from one.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::File(p) => Some(p),
            Source::Env => None,
        }
    }

    /// Whether a key with this id is held.
    pub fn contains(&self, key_id: &str) -> bool {
        self.keys.iter().any(|k| k.id == key_id)
    }

    /// Adds a fresh key, makes it active and saves the key file (before anything is sealed
    /// under the new key, so a crash never leaves ciphertext whose key is lost).
    pub(crate) fn add_active_key(&mut self, now: DateTime<Utc>) -> Result<String, StoreError> {
        let Source::File(path) = self.source.clone() else {
            return Err(StoreError::Key(format!(
                "the master key comes from {MASTER_KEY_ENV} as a raw value, which cannot be rotated; move it into a key file and point {MASTER_KEY_ENV} at that file (or use the data directory's master.key)"
            )));
        };
        let mut key = MasterKey::generate(now);
        while self.contains(&key.id) {
            key = MasterKey::generate(now);
        }
        let previous = std::mem::replace(&mut self.active, key.id.clone());
        self.keys.push(key);
        if let Err(e) = self.write_file(&path, false) {
            // Keep memory and disk in agreement: the new key was not saved, so do not use it.
            self.keys.pop();
            self.active = previous;
            return Err(e);
        }
        Ok(self.active.clone())
    }

    /// Drops every key but the active one and saves the key file; returns the dropped ids.
    pub(crate) fn retire_inactive(&mut self) -> Result<Vec<String>, StoreError> {
        let Source::File(path) = self.source.clone() else {
            return Ok(Vec::new());
        };
        let retired: Vec<String> = self
            .keys
            .iter()
            .filter(|k| k.id != self.active)
            .map(|k| k.id.clone())
            .collect();
        if retired.is_empty() {
            return Ok(retired);
        }
        let (kept, dropped): (Vec<MasterKey>, Vec<MasterKey>) = std::mem::take(&mut self.keys)
            .into_iter()
            .partition(|k| k.id == self.active);
        self.keys = kept;
        if let Err(e) = self.write_file(&path, false) {
            self.keys.extend(dropped);
            return Err(e);
        }
        Ok(retired)
    }

    /// Encrypts `plaintext` under the active key, bound to `context` (such as
    /// `configs/<id>/client_secret`); returns the key id and `nonce ‖ ciphertext ‖ tag`.
    pub(crate) fn seal(
        &self,
        context: &str,
        plaintext: &[u8],
    ) -> Result<(String, Vec<u8>), StoreError> {
        let key = self.key(&self.active)?;
        let sealed = seal_with(
            key.material.expose_secret(),
            &aad(&key.id, context),
            plaintext,
        )?;
        Ok((key.id.clone(), sealed))
    }

    /// Decrypts what [`Keyring::seal`] made for the same `context`.
    pub(crate) fn open(
        &self,
        key_id: &str,
        context: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let key = self.key(key_id)?;
        open_with(key.material.expose_secret(), &aad(key_id, context), sealed).map_err(|_| {
            StoreError::Crypto(format!(
                "{context} does not decrypt under key {key_id:?}: the key file does not match this database, or the value was altered or moved"
            ))
        })
    }

    /// Decrypts a sealed UTF-8 secret.
    pub(crate) fn open_string(
        &self,
        key_id: &str,
        context: &str,
        sealed: &[u8],
    ) -> Result<SecretString, StoreError> {
        let bytes = self.open(key_id, context, sealed)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| StoreError::Crypto(format!("{context} is not UTF-8 text")))?;
        Ok(SecretString::from(text.to_owned()))
    }

    fn key(&self, key_id: &str) -> Result<&MasterKey, StoreError> {
        self.keys.iter().find(|k| k.id == key_id).ok_or_else(|| {
            StoreError::Key(format!(
                "data is sealed under key {key_id:?}, which the key ring ({}) does not hold; restore the key file that has it",
                self.describe_source()
            ))
        })
    }

    pub(crate) fn describe_source(&self) -> String {
        match &self.source {
            Source::File(p) => format!("key file {}", p.display()),
            Source::Env => MASTER_KEY_ENV.to_owned(),
        }
    }

    /// Writes the key file atomically: a 0600 temporary file beside it, then a rename.
    fn write_file(&self, path: &Path, must_be_new: bool) -> Result<(), StoreError> {
        let fail = |what: &str, e: std::io::Error| {
            StoreError::Key(format!(
                "could not {what} the key file {} ({e}); check that its directory exists and is writable",
                path.display()
            ))
        };
        if must_be_new && path.exists() {
            return Err(StoreError::Key(format!(
                "the key file {} already exists; refusing to overwrite a master key",
                path.display()
            )));
        }
        let file = KeyFile {
            format: FILE_FORMAT.to_owned(),
            active: self.active.clone(),
            keys: self
                .keys
                .iter()
                .map(|k| KeyFileEntry {
                    id: k.id.clone(),
                    created_at: k.created_at,
                    key: B64.encode(k.material.expose_secret()),
                })
                .collect(),
        };
        let bytes = Zeroizing::new(
            serde_json::to_vec_pretty(&file)
                .map_err(|e| StoreError::Key(format!("could not encode the key file: {e}")))?,
        );
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut out = options.open(&tmp).map_err(|e| fail("create", e))?;
        let written = out
            .write_all(&bytes)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.sync_all());
        drop(out);
        if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(fail("write", e));
        }
        Ok(())
    }
}

impl MasterKey {
    fn generate(now: DateTime<Utc>) -> Self {
        let mut material = SecretBox::new(Box::new([0u8; 32]));
        rand::rngs::OsRng.fill_bytes(material.expose_secret_mut());
        let mut tag = [0u8; 4];
        rand::rngs::OsRng.fill_bytes(&mut tag);
        Self {
            id: format!("{}-{}", now.format("%Y%m%d"), hex::encode(tag)),
            created_at: Some(now),
            material,
        }
    }
}

/// Decodes base64 of exactly 32 bytes into key material.
fn decode_key(b64: &str) -> Option<SecretBox<[u8; 32]>> {
    let bytes = Zeroizing::new(B64.decode(b64.trim()).ok()?);
    let mut material = SecretBox::new(Box::new([0u8; 32]));
    if bytes.len() != 32 {
        return None;
    }
    material.expose_secret_mut().copy_from_slice(&bytes);
    Some(material)
}

/// Associated data: the key id and the place the value belongs to, so that a ciphertext
/// copied to another row or field, or relabelled with another key id, does not open.
fn aad(key_id: &str, context: &str) -> Vec<u8> {
    format!("imsbridge/v1/{key_id}/{context}").into_bytes()
}

/// AES-256-GCM with a random 96-bit nonce; returns `nonce ‖ ciphertext ‖ tag`.
pub(crate) fn seal_with(
    key: &[u8; 32],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, StoreError> {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| StoreError::Crypto("encryption failed".into()))?;
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens what [`seal_with`] made with the same key and associated data.
pub(crate) fn open_with(
    key: &[u8; 32],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(StoreError::Crypto("ciphertext is truncated".into()));
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| StoreError::Crypto("authentication failed".into()))
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path = %path.display(),
            "the master key file is readable by other users; run chmod 600 on it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .unwrap()
            .into()
    }

    #[test]
    fn a_new_key_file_is_private_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let ring = Keyring::create(&path, now()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (id, sealed) = ring.seal("configs/x/client_secret", b"hello").unwrap();
        let again = Keyring::load(&path).unwrap();
        let opened = again.open(&id, "configs/x/client_secret", &sealed).unwrap();
        assert_eq!(opened.as_slice(), b"hello");
        assert!(again.open(&id, "configs/y/client_secret", &sealed).is_err());
    }

    #[test]
    fn debug_shows_key_ids_only() {
        let value = SecretString::from(B64.encode([7u8; 32]));
        let ring = Keyring::from_env_value(&value).unwrap();
        let shown = format!("{ring:?}");
        assert!(shown.contains(ring.active_key_id()));
        assert!(!shown.contains(value.expose_secret()));
        assert!(!shown.contains("7, 7"));
    }

    #[test]
    fn an_env_key_keeps_its_id_across_restarts() {
        let value = SecretString::from(B64.encode([9u8; 32]));
        let a = Keyring::from_env_value(&value).unwrap();
        let b = Keyring::from_env_value(&value).unwrap();
        assert_eq!(a.active_key_id(), b.active_key_id());
    }

    #[test]
    fn a_short_or_garbled_env_value_is_a_clear_error() {
        let err = Keyring::from_env_value(&SecretString::from("c2hvcnQ=".to_owned())).unwrap_err();
        assert!(err.to_string().contains(MASTER_KEY_ENV), "{err}");
        assert!(!err.to_string().contains("c2hvcnQ"), "{err}");
    }
}
