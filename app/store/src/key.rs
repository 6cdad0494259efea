//! The key that encrypts the personal fields of cases. It lives outside the database: in a key
//! file (created with mode 0600 on first start) or in the environment. Without it the personal
//! fields cannot be read by anyone, the kiosk included; statistics stay readable.
//!
//! The database holds a key-check value: a known text sealed with the key when the database
//! first met it. [`crate::Store::open`] opens it before anything else, so that a wrong key is
//! refused at once — it never writes a case the right key could not read — and a key file
//! that has gone missing is an error, never silently replaced by a new key.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::StoreError;

/// The environment variable that can hold the key (64 hex digits) instead of a key file.
pub const KEY_ENV: &str = "MADOGUCHI_STORE_KEY";
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// A 256-bit XChaCha20-Poly1305 key, wiped from memory when dropped.
#[derive(Clone)]
pub struct StoreKey(Zeroizing<[u8; KEY_LEN]>);

/// Where the key came from: said in every message about it, so that the person who reads the
/// message knows which file or variable to look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `MADOGUCHI_STORE_KEY`.
    Environment,
    /// A key file.
    File(std::path::PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Environment => write!(f, "the environment variable {KEY_ENV}"),
            KeySource::File(path) => write!(f, "the key file {}", path.display()),
        }
    }
}

/// The text sealed as the key-check value.
pub(crate) const CHECK_TEXT: &[u8] = b"madoguchi store key check v1";
/// Its associated data (no case or print job has this context).
pub(crate) const CHECK_CONTEXT: &[u8] = b"key-check";

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

impl StoreKey {
    /// The key from `MADOGUCHI_STORE_KEY` if set, else from the file at `path`; `None` when
    /// that file does not exist (the caller decides whether a new key may be made).
    pub fn load(path: &Path) -> Result<Option<(StoreKey, KeySource)>, StoreError> {
        if let Ok(hex) = std::env::var(KEY_ENV) {
            let key = StoreKey::parse_hex(hex.trim())
                .map_err(|why| StoreError::Key(format!("{}: {why}", KeySource::Environment)))?;
            return Ok(Some((key, KeySource::Environment)));
        }
        let source = KeySource::File(path.to_path_buf());
        Ok(StoreKey::load_file(path)?.map(|key| (key, source)))
    }

    /// The key in the file at `path` only, whatever the environment says (the floor key,
    /// which is never the store's); `None` when the file does not exist.
    pub fn load_file(path: &Path) -> Result<Option<StoreKey>, StoreError> {
        let source = KeySource::File(path.to_path_buf());
        match fs::read_to_string(path) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                let key = StoreKey::parse_hex(text.trim())
                    .map_err(|why| StoreError::Key(format!("{source}: {why}")))?;
                Ok(Some(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Key(format!("{source}: {e}"))),
        }
    }

    /// A new key in a new file at `path` (mode 0600), or the one already there; never the
    /// environment's.
    pub fn create_or_load_file(path: &Path) -> Result<StoreKey, StoreError> {
        match StoreKey::create(path) {
            Ok(key) => Ok(key),
            Err(created) => StoreKey::load_file(path)?.ok_or(created),
        }
    }

    /// A new key in a new file at `path` (mode 0600), or the key another process wrote there
    /// first.
    pub fn create_or_load(path: &Path) -> Result<(StoreKey, KeySource), StoreError> {
        match StoreKey::create(path) {
            Ok(key) => Ok((key, KeySource::File(path.to_path_buf()))),
            Err(created) => match StoreKey::load(path)? {
                Some(found) => Ok(found),
                None => Err(created),
            },
        }
    }

    fn create(path: &Path) -> Result<StoreKey, StoreError> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| StoreError::Key(format!("{}: {e}", dir.display())))?;
        }
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        bytes.copy_from_slice(&key);
        let hex = Zeroizing::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| StoreError::Key(format!("{}: {e}", path.display())))?;
        file.write_all(format!("{}\n", hex.as_str()).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| StoreError::Key(format!("{}: {e}", path.display())))?;
        tracing::info!(path = %path.display(), "created a new store key");
        Ok(StoreKey(bytes))
    }

    pub fn from_hex(hex: &str) -> Result<StoreKey, StoreError> {
        StoreKey::parse_hex(hex).map_err(|why| StoreError::Key(why.into()))
    }

    fn parse_hex(hex: &str) -> Result<StoreKey, &'static str> {
        let invalid = || "the key must be 64 hexadecimal digits";
        if hex.len() != KEY_LEN * 2 {
            return Err(invalid());
        }
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or_else(invalid)?, 16)
                .map_err(|_| invalid())?;
        }
        Ok(StoreKey(bytes))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_slice().into())
    }

    /// A random nonce followed by the ciphertext. `context` (e.g. the case id) is
    /// authenticated, so a blob copied to another row does not decrypt.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>, StoreError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .map_err(|_| StoreError::Key("encryption failed".into()))?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        if sealed.len() < NONCE_LEN {
            return Err(StoreError::WrongKey);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| StoreError::WrongKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_file_is_private_and_reads_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keys").join("store.key");
        let (key, _) = StoreKey::create_or_load(&path).expect("created");
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &fs::metadata(&path).expect("file").permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
        let (again, source) = StoreKey::load(&path).expect("read").expect("there");
        assert_eq!(source, KeySource::File(path.clone()));
        let sealed = key.seal(b"secret", b"case:1").expect("sealed");
        assert_eq!(
            again.open(&sealed, b"case:1").expect("opened").as_slice(),
            b"secret"
        );
        assert!(again.open(&sealed, b"case:2").is_err(), "bound to its row");
        let other = StoreKey::from_hex(&"ab".repeat(32)).expect("hex key");
        assert!(matches!(
            other.open(&sealed, b"case:1"),
            Err(StoreError::WrongKey)
        ));
    }
}
