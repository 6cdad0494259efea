//! The folder a catalogue version is exported to and imported from, to move it between kiosks
//! or to keep it beside a city's records: the version's files as they are stored, plus
//! `SHA256SUM` holding the version's checksum ([`crate::catalogue::checksum`]) and id.
//!
//! Reading a folder's files is the rules crate's job (`madoguchi_rules::read_folder`); this
//! module writes an export and checks files read back against its `SHA256SUM`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::catalogue::{CatalogueVersion, checksum};
use crate::signature::{CatalogueSignature, SignatureError, TrustedKeys};

/// The file beside an exported version that holds its checksum.
pub const CHECKSUM_FILE: &str = "SHA256SUM";

/// The file beside a signed version that holds the city's signature
/// (`ed25519 <key id> <hex>`, [`crate::signature`]).
pub const SIGNATURE_FILE: &str = "SIGNATURE";

/// Why an export could not be written or an import does not match.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("書き出せませんでした / cannot write {path}: {detail}")]
    Write { path: String, detail: String },
    #[error("ファイル名 {0:?} は書き出せません / refusing the file name {0:?}")]
    BadName(String),
    #[error(
        "{dir} に {CHECKSUM_FILE} がありません（書き出したフォルダを選んでください） / {dir} has no readable {CHECKSUM_FILE} ({detail}): choose a folder written by export"
    )]
    NoChecksum { dir: String, detail: String },
    #[error(
        "チェックサムが合いません（途中で変わったか壊れています）。書き出し直してください。意図して編集したなら {CHECKSUM_FILE} を消してから取り込んでください。/ the files do not match {CHECKSUM_FILE} (expected {expected}, got {actual}): export again, or delete {CHECKSUM_FILE} if you edited them on purpose"
    )]
    Mismatch { expected: String, actual: String },
    #[error("{dir}: {error}")]
    Signature { dir: String, error: SignatureError },
}

/// Writes `version`'s files, its `SHA256SUM` and, for a signed version, its `SIGNATURE` into
/// `dir` (created if missing).
pub fn write_export(
    version: &CatalogueVersion,
    signature: Option<&CatalogueSignature>,
    dir: &Path,
) -> Result<(), FolderError> {
    for (relative, text) in &version.files {
        if relative
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Err(FolderError::BadName(relative.clone()));
        }
        write(&dir.join(relative), text)?;
    }
    if let Some(signature) = signature {
        write(&dir.join(SIGNATURE_FILE), &signature.to_line())?;
    }
    write(
        &dir.join(CHECKSUM_FILE),
        &format!(
            "{}  madoguchi-catalogue-version-{}\n",
            version.checksum, version.id
        ),
    )
}

/// Checks the folder's `SIGNATURE` over the files read from it against the keys this terminal
/// trusts: a folder without one, or signed by another key, or whose files changed, is refused.
pub fn verify_signature(
    dir: &Path,
    files: &BTreeMap<String, String>,
    trusted: &TrustedKeys,
) -> Result<(), FolderError> {
    let refused = |error| FolderError::Signature {
        dir: dir.display().to_string(),
        error,
    };
    let mut line = String::new();
    let signature = match std::fs::File::open(dir.join(SIGNATURE_FILE)) {
        Ok(file) => {
            file.take(4096)
                .read_to_string(&mut line)
                .map_err(|_| refused(SignatureError::Mismatch))?;
            Some(CatalogueSignature::from_line(&line).map_err(refused)?)
        }
        Err(_) => None,
    };
    trusted.verify(files, signature.as_ref()).map_err(refused)
}

fn write(path: &Path, text: &str) -> Result<(), FolderError> {
    let failed = |e: std::io::Error| FolderError::Write {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    std::fs::write(path, text).map_err(failed)
}

/// Whether `dir` is an export (it holds a `SHA256SUM`).
pub fn is_export(dir: &Path) -> bool {
    dir.join(CHECKSUM_FILE).exists()
}

/// Checks the files read from the export `dir` against its `SHA256SUM`.
pub fn verify_export(dir: &Path, files: &BTreeMap<String, String>) -> Result<(), FolderError> {
    let no_checksum = |detail: String| FolderError::NoChecksum {
        dir: dir.display().to_string(),
        detail,
    };
    let mut sum = String::new();
    std::fs::File::open(dir.join(CHECKSUM_FILE))
        .and_then(|file| file.take(4096).read_to_string(&mut sum))
        .map_err(|e| no_checksum(e.to_string()))?;
    let expected = sum
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let actual = checksum(files);
    if actual == expected {
        Ok(())
    } else {
        Err(FolderError::Mismatch { expected, actual })
    }
}
