//! The issuer's signature on a 在留カード, checked offline.
//!
//! DF3 holds the signature and the certificate of the key that made it. The certificate must
//! be issued by one of the trust anchors — the 出入国在留管理庁's CA certificates, which the city
//! installs (docs/card.md says where from) — and both must be valid today; then the signature
//! must verify over what the specification says it covers:
//!
//! * second generation: ECDSA P-384 with SHA-256 over the printed entries' values (53 bytes, a
//!   特別永住者証明書's 34 padded with NUL), the face image padded to 3000 bytes and the name
//!   image padded to 2500;
//! * first generation: RSA PKCS #1 v1.5 with SHA-256 over the front image padded to 7000 bytes
//!   and the face image padded to 3000.
//!
//! A card that fails any of this is refused ([`CardError::BadSignature`]): its data could have
//! been written by anyone.

use std::path::Path;

use chrono::NaiveDate;
use der::{Decode, Encode, SliceReader};
use p384::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::signature::Verifier;
use sha2::{Digest, Sha256, Sha384};
use x509_cert::Certificate;

use super::VerifiedSignature;
use crate::error::{CardError, SignatureFault};

const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const OID_RSA_SHA256: &str = "1.2.840.113549.1.1.11";
const OID_EC_KEY: &str = "1.2.840.10045.2.1";
const OID_RSA_KEY: &str = "1.2.840.113549.1.1.1";
const OID_SECP384R1: &str = "1.3.132.0.34";

/// The most anchors a store takes, and the largest certificate file read.
const MAX_ANCHORS: usize = 64;
const MAX_CERTIFICATE_FILE: u64 = 64 * 1024;

/// The certificates a card's signer must be issued by.
#[derive(Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrustStore({} anchors)", self.anchors.len())
    }
}

/// A certificate file that could not be used as an anchor.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct TrustStoreError {
    pub path: String,
    pub message: String,
}

/// Where the 出入国在留管理庁's certificates are looked for: what the city installs, then what
/// a package ships (docs/card.md).
pub const STANDARD_DIRS: [&str; 2] = [
    "/etc/madoguchi/zairyu-trust",
    "/usr/share/madoguchi/zairyu-trust",
];

impl TrustStore {
    /// The certificates in `extra` and in [`STANDARD_DIRS`].
    pub fn load_with_standard(extra: &[&Path]) -> Result<TrustStore, TrustStoreError> {
        let mut dirs = extra.to_vec();
        dirs.extend(STANDARD_DIRS.iter().map(Path::new));
        TrustStore::load(&dirs)
    }

    /// Every `.pem`, `.crt`, `.cer` and `.der` file in `dirs` (DER or PEM; a missing folder is
    /// empty). A file that is not a certificate is an error naming it: an anchor that silently
    /// failed to load would refuse every card.
    pub fn load(dirs: &[&Path]) -> Result<TrustStore, TrustStoreError> {
        let mut store = TrustStore::default();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                let known = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| ["pem", "crt", "cer", "der"].contains(&e));
                if known {
                    store.add_file(&path)?;
                }
            }
        }
        Ok(store)
    }

    fn add_file(&mut self, path: &Path) -> Result<(), TrustStoreError> {
        let error = |message: String| TrustStoreError {
            path: path.display().to_string(),
            message,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| error(e.to_string()))?
            .len();
        if size > MAX_CERTIFICATE_FILE {
            return Err(error(format!(
                "{size} bytes is too large for a certificate"
            )));
        }
        if self.anchors.len() >= MAX_ANCHORS {
            return Err(error(format!("more than {MAX_ANCHORS} certificates")));
        }
        let bytes = std::fs::read(path).map_err(|e| error(e.to_string()))?;
        self.add(&bytes).map_err(error)
    }

    /// One anchor from DER or PEM bytes.
    pub fn add(&mut self, bytes: &[u8]) -> Result<(), String> {
        let certificate = if bytes.starts_with(b"-----BEGIN") {
            <Certificate as der::DecodePem>::from_pem(bytes).map_err(|e| e.to_string())?
        } else {
            Certificate::from_der(bytes).map_err(|e| e.to_string())?
        };
        self.anchors.push(certificate);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Checks the card's certificate against the anchors and the signature over `signed` with
    /// it, both valid on `today`.
    pub fn verify(
        &self,
        certificate: &[u8],
        signature: &[u8],
        signed: &[u8],
        today: NaiveDate,
    ) -> Result<VerifiedSignature, CardError> {
        let fault = |fault| CardError::BadSignature { fault };
        let card = read_certificate(certificate).ok_or(fault(SignatureFault::Certificate))?;
        let issuer = &card.tbs_certificate.issuer;
        let anchor = self
            .anchors
            .iter()
            .filter(|a| a.tbs_certificate.subject == *issuer)
            .find(|a| issued_by(&card, a))
            .ok_or(fault(SignatureFault::UntrustedIssuer))?;
        if !valid_on(anchor, today) || !valid_on(&card, today) {
            return Err(fault(SignatureFault::Expired));
        }
        if !signature_holds(&card, signature, signed) {
            return Err(fault(SignatureFault::Mismatch));
        }
        Ok(VerifiedSignature {
            anchor: anchor.tbs_certificate.subject.to_string(),
        })
    }
}

/// A certificate at the start of `bytes`; the card pads the file after it.
fn read_certificate(bytes: &[u8]) -> Option<Certificate> {
    let mut reader = SliceReader::new(bytes).ok()?;
    Certificate::decode(&mut reader).ok()
}

fn valid_on(certificate: &Certificate, today: NaiveDate) -> bool {
    let validity = &certificate.tbs_certificate.validity;
    let seconds = |time: &x509_cert::time::Time| time.to_unix_duration().as_secs();
    let Some(noon) = today.and_hms_opt(12, 0, 0) else {
        return false;
    };
    let now = u64::try_from(noon.and_utc().timestamp()).unwrap_or(0);
    seconds(&validity.not_before) <= now && now <= seconds(&validity.not_after)
}

/// Whether `anchor`'s key made `card`'s certificate signature.
fn issued_by(card: &Certificate, anchor: &Certificate) -> bool {
    let Ok(tbs) = card.tbs_certificate.to_der() else {
        return false;
    };
    let Some(signature) = card.signature.as_bytes() else {
        return false;
    };
    let algorithm = card.signature_algorithm.oid.to_string();
    let key = &anchor.tbs_certificate.subject_public_key_info;
    match algorithm.as_str() {
        OID_ECDSA_SHA256 => ecdsa_holds(key, signature, &Sha256::digest(&tbs)),
        OID_ECDSA_SHA384 => ecdsa_holds(key, signature, &Sha384::digest(&tbs)),
        OID_RSA_SHA256 => rsa_holds(key, signature, &tbs),
        _ => false,
    }
}

/// The card's own signature over its data, with the key its certificate carries.
fn signature_holds(card: &Certificate, signature: &[u8], signed: &[u8]) -> bool {
    let key = &card.tbs_certificate.subject_public_key_info;
    match key.algorithm.oid.to_string().as_str() {
        OID_EC_KEY => ecdsa_holds(key, signature, &Sha256::digest(signed)),
        OID_RSA_KEY => rsa_holds(key, signature, signed),
        _ => false,
    }
}

/// ECDSA on P-384 over a digest; the signature in DER or as the raw 96 bytes of r and s.
fn ecdsa_holds(
    key: &x509_cert::spki::SubjectPublicKeyInfoOwned,
    signature: &[u8],
    digest: &[u8],
) -> bool {
    let curve = key
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
        .map(|oid| oid.to_string());
    if key.algorithm.oid.to_string() != OID_EC_KEY || curve.as_deref() != Some(OID_SECP384R1) {
        return false;
    }
    let Some(point) = key.subject_public_key.as_bytes() else {
        return false;
    };
    let Ok(verifying) = p384::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
        return false;
    };
    let parsed = p384::ecdsa::Signature::from_der(signature)
        .or_else(|_| p384::ecdsa::Signature::from_slice(signature));
    parsed.is_ok_and(|s| verifying.verify_prehash(digest, &s).is_ok())
}

/// RSA PKCS #1 v1.5 with SHA-256, keys of 2048 bits or more.
fn rsa_holds(
    key: &x509_cert::spki::SubjectPublicKeyInfoOwned,
    signature: &[u8],
    signed: &[u8],
) -> bool {
    if key.algorithm.oid.to_string() != OID_RSA_KEY {
        return false;
    }
    let Some(bits) = key.subject_public_key.as_bytes() else {
        return false;
    };
    let Ok(public) = rsa::RsaPublicKey::from_pkcs1_der(bits) else {
        return false;
    };
    if rsa::traits::PublicKeyParts::size(&public) < 256 {
        return false;
    }
    let verifying = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public);
    rsa::pkcs1v15::Signature::try_from(signature)
        .is_ok_and(|s| verifying.verify(signed, &s).is_ok())
}

/// What the second generation signs: the printed entries' values (padded to 53 bytes), the
/// face image padded to 3000 and the name image padded to 2500.
pub fn second_generation_target(printed_values: &[u8], face: &[u8], name: &[u8]) -> Vec<u8> {
    let mut target = Vec::with_capacity(53 + 3000 + 2500);
    padded(
        &mut target,
        printed_values,
        super::layout::SIGNED_PRINTED_LEN,
    );
    padded(&mut target, face, super::layout::MAX_FACE_IMAGE);
    padded(&mut target, name, super::layout::MAX_NAME_IMAGE);
    target
}

/// What the first generation signs: the front image padded to 7000 bytes and the face image
/// padded to 3000.
pub fn first_generation_target(front: &[u8], face: &[u8]) -> Vec<u8> {
    let mut target = Vec::with_capacity(7000 + 3000);
    padded(&mut target, front, super::layout::MAX_FRONT_IMAGE);
    padded(&mut target, face, super::layout::MAX_FACE_IMAGE);
    target
}

fn padded(out: &mut Vec<u8>, value: &[u8], length: usize) {
    let take = value.len().min(length);
    out.extend_from_slice(&value[..take]);
    out.resize(out.len() + (length - take), 0);
}
