//! The key that encrypts the personal fields of cases. It lives outside the database: in a key
//! file (created with mode 0600 on first start) or in the environment. Without it the personal
//! fields cannot be read by anyone, the kiosk included; statistics stay readable.

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
pub struct StoreKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

impl StoreKey {
    /// The key from `MADOGUCHI_STORE_KEY` if set, else from `path`, creating the file (mode
    /// 0600, a fresh random key) if it does not exist yet.
    pub fn load_or_create(path: &Path) -> Result<StoreKey, StoreError> {
        if let Ok(hex) = std::env::var(KEY_ENV) {
            return StoreKey::from_hex(hex.trim());
        }
        match fs::read_to_string(path) {
            Ok(text) => StoreKey::from_hex(text.trim()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => StoreKey::create(path),
            Err(e) => Err(StoreError::Key(format!("{}: {e}", path.display()))),
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
        let invalid = || StoreError::Key("the key must be 64 hexadecimal digits".into());
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
        let key = StoreKey::load_or_create(&path).expect("created");
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &fs::metadata(&path).expect("file").permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
        let again = StoreKey::load_or_create(&path).expect("read back");
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
