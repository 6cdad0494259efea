//! Signed catalogue versions. The city's publishing key (ed25519) signs a version's checksum;
//! every terminal checks the signature against the keys it trusts before it loads a version,
//! wherever the version came from: the floor's database, a file share, a USB stick.
//!
//! What is signed is `madoguchi-catalogue-v1\n` and the version's checksum (SHA-256 over every
//! file's path and text, [`catalogue::checksum`]): a changed file changes the checksum, and a
//! signature over another version does not fit. A key's id is the first 16 hexadecimal digits
//! of the SHA-256 of its public key, so a city can trust a new key beside the old one while it
//! changes keys.
//!
//! The private key lives only where versions are approved (the 係長's desk), in a file of mode
//! 0600; terminals hold the public keys, one per line in a plain file.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use chacha20poly1305::aead::OsRng;
use chacha20poly1305::aead::rand_core::RngCore;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::catalogue::checksum;

/// What precedes the checksum in the signed message: a signature made for anything else does
/// not verify here.
const CONTEXT: &[u8] = b"madoguchi-catalogue-v1\n";

/// A public-key file is a few lines.
const MAX_KEYS_FILE: u64 = 64 * 1024;

/// Why a version's signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error(
        "署名がありません。市の公開鍵で署名された版だけを読み込みます / the catalogue is not signed: this terminal loads only versions signed with the city's publishing key"
    )]
    Unsigned,
    #[error(
        "署名の鍵 {0} はこの端末が信頼する鍵ではありません / the catalogue is signed with key {0}, which this terminal does not trust (docs/central.md, publishing keys)"
    )]
    UnknownKey(String),
    #[error(
        "署名が内容と合いません。改ざんまたは破損のおそれがあるため読み込みません / the catalogue's signature does not match its files: it was changed or damaged, and was not loaded"
    )]
    Mismatch,
    #[error("署名鍵を使えません / the publishing key cannot be used: {0}")]
    Key(String),
}

/// A signature and the id of the key that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueSignature {
    pub key_id: String,
    pub bytes: Vec<u8>,
}

impl CatalogueSignature {
    /// As the export folder's `SIGNATURE` file holds it: `ed25519 <key id> <hex>`.
    pub fn to_line(&self) -> String {
        format!("ed25519 {} {}\n", self.key_id, hex(&self.bytes))
    }

    pub fn from_line(line: &str) -> Result<CatalogueSignature, SignatureError> {
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next(), words.next()) {
            (Some("ed25519"), Some(key_id), Some(signature), None) => Ok(CatalogueSignature {
                key_id: key_id.to_string(),
                bytes: unhex(signature).ok_or(SignatureError::Mismatch)?,
            }),
            _ => Err(SignatureError::Mismatch),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 512 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A small text file, read no further than `max` bytes (a link to `/dev/zero` is refused).
fn read_small(path: &Path, max: u64) -> Result<String, String> {
    use std::io::Read;
    let file = fs::File::open(path).map_err(|e| e.to_string())?;
    let mut text = String::new();
    file.take(max + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > max {
        return Err(format!("larger than {max} bytes: not a key file"));
    }
    Ok(text)
}

fn message(files: &BTreeMap<String, String>) -> Vec<u8> {
    let mut message = CONTEXT.to_vec();
    message.extend_from_slice(checksum(files).as_bytes());
    message
}

fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex(&digest[..8])
}

/// The city's publishing key (private).
pub struct PublishingKey(SigningKey);

impl std::fmt::Debug for PublishingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublishingKey({})", self.key_id())
    }
}

impl PublishingKey {
    /// Reads the key file (64 hexadecimal digits); `None` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<PublishingKey>, SignatureError> {
        if !path.exists() {
            return Ok(None);
        }
        let text = Zeroizing::new(
            read_small(path, 1024)
                .map_err(|e| SignatureError::Key(format!("{}: {e}", path.display())))?,
        );
        let bytes = Zeroizing::new(unhex(text.trim()).unwrap_or_default());
        let secret: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            SignatureError::Key(format!("{}: 64 hexadecimal digits", path.display()))
        })?;
        Ok(Some(PublishingKey(SigningKey::from_bytes(&secret))))
    }

    /// Makes a new key in a new file (mode 0600); refuses to replace one.
    pub fn create(path: &Path) -> Result<PublishingKey, SignatureError> {
        let failed = |e: std::io::Error| SignatureError::Key(format!("{}: {e}", path.display()));
        let mut secret = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(secret.as_mut_slice());
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(failed)?;
        let text = Zeroizing::new(format!("{}\n", hex(secret.as_slice())));
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(failed)?;
        Ok(PublishingKey(SigningKey::from_bytes(&secret)))
    }

    pub fn key_id(&self) -> String {
        key_id(&self.0.verifying_key())
    }

    /// The public key, as a line of the trusted-keys file.
    pub fn public_line(&self) -> String {
        format!(
            "{} {}",
            hex(self.0.verifying_key().as_bytes()),
            self.key_id()
        )
    }

    /// Signs a version's files.
    pub fn sign(&self, files: &BTreeMap<String, String>) -> CatalogueSignature {
        CatalogueSignature {
            key_id: self.key_id(),
            bytes: self.0.sign(&message(files)).to_bytes().to_vec(),
        }
    }
}

/// The publishing keys a terminal trusts.
#[derive(Clone, Debug, Default)]
pub struct TrustedKeys(Vec<VerifyingKey>);

impl TrustedKeys {
    /// One public key per line (64 hexadecimal digits, optionally followed by its id);
    /// `#` starts a comment.
    pub fn parse(text: &str) -> Result<TrustedKeys, SignatureError> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            let Some(first) = line.split_whitespace().next() else {
                continue;
            };
            let key = unhex(first)
                .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
                .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
                .ok_or_else(|| {
                    SignatureError::Key(format!("line {}: not an ed25519 public key", n + 1))
                })?;
            keys.push(key);
        }
        Ok(TrustedKeys(keys))
    }

    pub fn load(path: &Path) -> Result<TrustedKeys, SignatureError> {
        let failed = |e: String| SignatureError::Key(format!("{}: {e}", path.display()));
        let text = read_small(path, MAX_KEYS_FILE).map_err(failed)?;
        TrustedKeys::parse(&text).map_err(|e| failed(e.to_string()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `signature` is a trusted key's over exactly these files.
    pub fn verify(
        &self,
        files: &BTreeMap<String, String>,
        signature: Option<&CatalogueSignature>,
    ) -> Result<(), SignatureError> {
        let signature = signature.ok_or(SignatureError::Unsigned)?;
        let key = self
            .0
            .iter()
            .find(|key| key_id(key) == signature.key_id)
            .ok_or_else(|| SignatureError::UnknownKey(signature.key_id.clone()))?;
        let bytes: [u8; 64] = signature
            .bytes
            .as_slice()
            .try_into()
            .map_err(|_| SignatureError::Mismatch)?;
        key.verify(&message(files), &Signature::from_bytes(&bytes))
            .map_err(|_| SignatureError::Mismatch)
    }
}

/// A signed version as the floor carries it.
#[derive(Clone, Debug)]
pub struct FloorCatalogue {
    /// Its id in the central database.
    pub floor_id: i64,
    pub files: BTreeMap<String, String>,
    pub signature: CatalogueSignature,
    /// 「標準市 2026.12.1」, for the audit and the version list.
    pub label: String,
}

impl crate::Store {
    /// A published version's signature, when it has one.
    pub fn catalogue_signature(
        &self,
        id: i64,
    ) -> Result<Option<CatalogueSignature>, crate::StoreError> {
        let line: Option<String> = self
            .conn()?
            .query_row(
                "SELECT signature FROM catalogue_versions WHERE id = ?1",
                [id],
                |row| row.get(0),
            )
            .optional()?;
        Ok(line
            .filter(|line| !line.is_empty())
            .and_then(|line| CatalogueSignature::from_line(&line).ok()))
    }

    /// The newest central id among the versions this store has from the floor (0 for none).
    pub fn newest_floor_catalogue(&self) -> Result<i64, crate::StoreError> {
        Ok(self.conn()?.query_row(
            "SELECT coalesce(max(floor_id), 0) FROM catalogue_versions",
            [],
            |row| row.get(0),
        )?)
    }

    /// Takes a version pulled from the floor, whose signature the caller checked, as the
    /// newest published version (the kiosk's feed loads it at its next case). A version with
    /// the same files already here is only given its floor id. Audited as `floor`.
    pub fn adopt_floor_catalogue(
        &mut self,
        version: &FloorCatalogue,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64, crate::StoreError> {
        let sum = crate::catalogue::checksum(&version.files);
        let json = serde_json::to_string(&version.files)
            .map_err(|e| crate::StoreError::Damaged(e.to_string()))?;
        let at = crate::timestamp(now);
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM catalogue_versions WHERE status = 'published' AND checksum = ?1
                 ORDER BY id DESC LIMIT 1",
                [&sum],
                |row| row.get(0),
            )
            .optional()?;
        let id = match existing {
            Some(id) => {
                tx.execute(
                    "UPDATE catalogue_versions SET floor_id = ?2 WHERE id = ?1",
                    rusqlite::params![id, version.floor_id],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO catalogue_versions (status, author, created_at, note, files, checksum, signature, floor_id)
                     VALUES ('published', 'floor', ?1, ?2, ?3, ?4, ?5, ?6)",
                    rusqlite::params![
                        at,
                        version.label,
                        json,
                        sum,
                        version.signature.to_line(),
                        version.floor_id
                    ],
                )?;
                let id = tx.last_insert_rowid();
                tx.execute(
                    "INSERT INTO audit (at, actor, action, detail) VALUES (?1, 'floor', 'catalogue.adopt', ?2)",
                    rusqlite::params![
                        at,
                        format!(
                            "version {id} {sum} from the floor ({}), key {}",
                            version.label, version.signature.key_id
                        )
                    ],
                )?;
                id
            }
        };
        tx.commit()?;
        Ok(id)
    }

    /// Signs a published version that has no signature yet with the publishing key this store
    /// was given (the version in force before the desk had a key); `false` when it has none
    /// or the version is already signed. Audited.
    pub fn sign_version(
        &mut self,
        id: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, crate::StoreError> {
        let Some(key) = self.publishing.clone() else {
            return Ok(false);
        };
        let Some(version) = self.catalogue(id)? else {
            return Ok(false);
        };
        let line = key.sign(&version.files).to_line();
        let changed = self.conn()?.execute(
            "UPDATE catalogue_versions SET signature = ?2
             WHERE id = ?1 AND status = 'published' AND signature = ''",
            rusqlite::params![id, line],
        )?;
        if changed == 1 {
            self.audit(
                now,
                "system",
                "catalogue.sign",
                &format!(
                    "version {id} {} with key {}",
                    version.checksum,
                    key.key_id()
                ),
            )?;
        }
        Ok(changed == 1)
    }

    /// Signed published versions the floor does not have yet (the desk that approved them
    /// pushes them), oldest first.
    pub fn signed_versions_not_on_floor(&self) -> Result<Vec<i64>, crate::StoreError> {
        let conn = self.conn()?;
        let mut statement = conn.prepare(
            "SELECT id FROM catalogue_versions
             WHERE status = 'published' AND signature != '' AND floor_id IS NULL ORDER BY id",
        )?;
        let ids = statement.query_map([], |row| row.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Records a version's id on the floor.
    pub fn mark_on_floor(&mut self, id: i64, floor_id: i64) -> Result<(), crate::StoreError> {
        self.conn()?.execute(
            "UPDATE catalogue_versions SET floor_id = ?2 WHERE id = ?1",
            rusqlite::params![id, floor_id],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(text: &str) -> BTreeMap<String, String> {
        BTreeMap::from([("catalogue.toml".to_string(), text.to_string())])
    }

    #[test]
    fn a_signature_holds_for_its_files_and_trusted_key_only() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("publishing.key");
        let key = PublishingKey::create(&path).expect("key");
        assert!(PublishingKey::create(&path).is_err(), "never replaced");
        let again = PublishingKey::load(&path).expect("loads").expect("there");
        assert_eq!(again.key_id(), key.key_id());
        let trusted = TrustedKeys::parse(&format!("# the city's key\n{}\n", key.public_line()))
            .expect("keys");

        let signed = key.sign(&files("[catalogue]\n"));
        let line = signed.to_line();
        let read = CatalogueSignature::from_line(&line).expect("a line");
        assert_eq!(read, signed);
        assert_eq!(trusted.verify(&files("[catalogue]\n"), Some(&read)), Ok(()));
        assert_eq!(
            trusted.verify(&files("[catalogue] changed\n"), Some(&read)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            trusted.verify(&files("[catalogue]\n"), None),
            Err(SignatureError::Unsigned)
        );
        let other = PublishingKey::create(&dir.path().join("other.key")).expect("key");
        let foreign = other.sign(&files("[catalogue]\n"));
        assert_eq!(
            trusted.verify(&files("[catalogue]\n"), Some(&foreign)),
            Err(SignatureError::UnknownKey(other.key_id()))
        );
        let mut forged = signed.clone();
        forged.bytes[0] ^= 1;
        assert_eq!(
            trusted.verify(&files("[catalogue]\n"), Some(&forged)),
            Err(SignatureError::Mismatch)
        );
        assert!(TrustedKeys::parse("not a key\n").is_err());
        assert!(CatalogueSignature::from_line("ed25519 id zz").is_err());
    }
}
