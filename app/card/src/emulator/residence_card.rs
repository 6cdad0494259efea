//! A 在留カード or 特別永住者証明書 as a state machine: its files built from a persona, signed
//! with the test PKI's keys, and the card's half of the authentication and secure messaging.
//!
//! Persona files (paths relative to the file):
//!
//! ```toml
//! kind = "residence_card"          # or "special_permanent_certificate"
//! generation = 2                   # 1: triple DES, front image; 2: AES, text and images
//! card_number = "UH12345678VN"
//! card_expiry = "2029-03-31"       # second generation: the printed entries
//! birth_date = "1999-08-15"        #   (eight digits for a partly unknown date)
//! sex = "female"                   #   male | female | not_known
//! nationality = "VNM"
//! status_code = "TEST-SSW1"        #   the chip's 在留資格 code, at most 10 characters
//! period_of_stay = "0300"          #   YYMM, DDD or 0000
//! period_end = "2029-03-31"
//! work_restriction = "4"           #   1, 2, 4 or 9 (在留カード)
//! outside_activity = "0"           #   0, 1 or 2, and individual_permission = true|false
//! application_pending = false
//! name_image = "zairyu/nguyen-name.tif"
//! address_image = "zairyu/nguyen-address.tif"
//! front_image = "zairyu/santos-front.tif"   # first generation
//! address = "…"                    # first generation: what the city wrote, and when
//! face_image = "zairyu/face.jp2"
//! ```

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::residence::layout::{self, file, object};
use crate::residence::secure::{self, Generation};
use crate::residence::{CardType, Document, PeriodOfStay, ResidenceCardNumber, WorkRestriction};
use crate::residence::{number_bytes, signature};

use super::{sw, with_ok};

/// The test PKI's signing keys and certificates, beside the personas.
const SIGNER_DIR: &str = "zairyu/signer";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResidencePersonaFile {
    kind: String,
    generation: u8,
    card_number: String,
    card_expiry: Option<String>,
    birth_date: Option<String>,
    sex: Option<String>,
    nationality: Option<String>,
    status_code: Option<String>,
    period_of_stay: Option<String>,
    period_end: Option<String>,
    #[serde(default = "default_permission_kind")]
    permission_kind: String,
    permission_date: Option<String>,
    work_restriction: Option<String>,
    #[serde(default = "zero")]
    outside_activity: String,
    #[serde(default)]
    individual_permission: bool,
    #[serde(default)]
    application_pending: bool,
    name_image: Option<String>,
    address_image: Option<String>,
    front_image: Option<String>,
    face_image: String,
    address: Option<String>,
    address_written: Option<String>,
    municipality_code: Option<String>,
    outside_activity_text: Option<String>,
}

fn default_permission_kind() -> String {
    "01".into()
}

fn zero() -> String {
    "0".into()
}

/// A residence card persona, its files built and signed.
#[derive(Clone)]
pub struct ResidencePersona {
    pub card_type: CardType,
    pub card_number: ResidenceCardNumber,
    files: Files,
}

impl std::fmt::Debug for ResidencePersona {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ResidencePersona({:?})", self.card_type)
    }
}

/// Every file the card serves, by DF and P1.
#[derive(Clone, Default)]
struct Files {
    card_type: Vec<u8>,
    df1: Vec<(u8, Vec<u8>)>,
    df2: Vec<(u8, Vec<u8>)>,
    df3: Vec<(u8, Vec<u8>)>,
}

impl ResidencePersona {
    /// Reads a persona whose `kind` is a residence document; `dir` is where its image paths
    /// and the test signer are found from.
    pub fn from_toml(text: &str, dir: &Path) -> Result<ResidencePersona, String> {
        let file: ResidencePersonaFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let document = match file.kind.as_str() {
            "residence_card" => Document::ResidenceCard,
            "special_permanent_certificate" => Document::SpecialPermanentCertificate,
            other => return Err(format!("kind: {other:?} is not a residence document")),
        };
        let generation = match file.generation {
            1 => Generation::First,
            2 => Generation::Second,
            other => return Err(format!("generation: {other} (1 or 2)")),
        };
        let card_type = CardType {
            document,
            generation,
        };
        let card_number = ResidenceCardNumber::parse(&file.card_number)
            .map_err(|e| format!("card_number: {e}"))?;
        let read = |name: &str, path: &Option<String>, max: usize| -> Result<Vec<u8>, String> {
            let path = dir.join(path.as_deref().ok_or(format!("{name}: missing"))?);
            let size = std::fs::metadata(&path)
                .map_err(|e| format!("{name}: {e}"))?
                .len();
            if size > max as u64 {
                return Err(format!("{name}: {size} bytes, at most {max}"));
            }
            std::fs::read(&path).map_err(|e| format!("{name}: {e}"))
        };
        let face = read(
            "face_image",
            &Some(file.face_image.clone()),
            layout::MAX_FACE_IMAGE,
        )?;
        let signer = Signer::load(&dir.join(SIGNER_DIR), generation)?;
        let mut files = Files {
            card_type: object(layout::TAG_CARD_TYPE, card_type.code()),
            ..Files::default()
        };
        match generation {
            Generation::Second => {
                let name = read("name_image", &file.name_image, layout::MAX_NAME_IMAGE)?;
                let address = read(
                    "address_image",
                    &file.address_image,
                    layout::MAX_ADDRESS_IMAGE,
                )?;
                let printed = printed_values(&file, document)?;
                let mut printed_file = Vec::new();
                for (tag, value) in &printed {
                    printed_file.extend(object(*tag, value));
                }
                let signed_values: Vec<u8> = printed.iter().flat_map(|(_, v)| v.clone()).collect();
                let target = signature::second_generation_target(&signed_values, &face, &name);
                let mut images = object(layout::TAG_NAME_IMAGE, &name);
                images.extend(object(layout::TAG_FACE_IMAGE, &face));
                files.df1 = vec![
                    (
                        file::second::CARD_NUMBER,
                        object(layout::TAG_CARD_NUMBER, card_number.as_str().as_bytes()),
                    ),
                    (file::second::PRINTED, printed_file),
                    (file::second::NAME_AND_FACE, images),
                    (
                        file::second::ADDRESS_IMAGE,
                        object(layout::TAG_ADDRESS_IMAGE, &address),
                    ),
                ];
                if document == Document::ResidenceCard {
                    let mut permission =
                        object(layout::TAG_COMPREHENSIVE, file.outside_activity.as_bytes());
                    permission.extend(object(0xD6, b"00000000"));
                    permission.extend(object(
                        layout::TAG_INDIVIDUAL,
                        if file.individual_permission {
                            b"1"
                        } else {
                            b"0"
                        },
                    ));
                    files.df2 = vec![
                        (file::second::PERMISSION, permission),
                        (
                            file::second::PENDING,
                            object(layout::TAG_PENDING, pending(&file)),
                        ),
                    ];
                }
                files.df3 = vec![(file::SIGNATURE, signer.signature_file(&target)?)];
            }
            Generation::First => {
                let front = read("front_image", &file.front_image, layout::MAX_FRONT_IMAGE)?;
                let target = signature::first_generation_target(&front, &face);
                files.df1 = vec![
                    (
                        file::first::FRONT_IMAGE,
                        object(layout::TAG_FRONT_IMAGE, &front),
                    ),
                    (
                        file::first::FACE_IMAGE,
                        object(layout::TAG_FACE_IMAGE, &face),
                    ),
                ];
                let mut address = object(
                    layout::TAG_ADDRESS_DATE,
                    compact_date(file.address_written.as_deref().unwrap_or(""))?.as_bytes(),
                );
                address.extend(object(
                    layout::TAG_MUNICIPALITY,
                    file.municipality_code.as_deref().unwrap_or("").as_bytes(),
                ));
                address.extend(object(
                    layout::TAG_ADDRESS,
                    &shift_jis(file.address.as_deref().unwrap_or(""))?,
                ));
                files.df2 = vec![(file::first::ADDRESS, address)];
                if document == Document::ResidenceCard {
                    let text = shift_jis(file.outside_activity_text.as_deref().unwrap_or(""))?;
                    files.df2.extend([
                        (
                            file::first::COMPREHENSIVE,
                            object(layout::TAG_COMPREHENSIVE, &text),
                        ),
                        (
                            file::first::INDIVIDUAL,
                            object(layout::TAG_INDIVIDUAL_TEXT, b""),
                        ),
                        (
                            file::first::PENDING,
                            object(layout::TAG_FIRST_PENDING, pending(&file)),
                        ),
                    ]);
                }
                files.df3 = vec![(file::SIGNATURE, signer.signature_file(&target)?)];
            }
        }
        Ok(ResidencePersona {
            card_type,
            card_number,
            files,
        })
    }
}

fn pending(file: &ResidencePersonaFile) -> &'static [u8] {
    if file.application_pending { b"1" } else { b"0" }
}

/// The second generation's printed entries in file order, each value at its fixed width.
fn printed_values(
    file: &ResidencePersonaFile,
    document: Document,
) -> Result<Vec<(u32, Vec<u8>)>, String> {
    let required = |name: &str, value: &Option<String>| -> Result<String, String> {
        value.clone().ok_or(format!("{name}: missing"))
    };
    let birth = required("birth_date", &file.birth_date)?;
    let birth = if birth.len() == 8 && birth.bytes().all(|b| b.is_ascii_digit()) {
        birth
    } else {
        compact_date(&birth)?
    };
    let sex = match required("sex", &file.sex)?.as_str() {
        "male" => "1",
        "female" => "2",
        "not_known" => "3",
        other => return Err(format!("sex: {other:?}")),
    };
    let nationality = required("nationality", &file.nationality)?;
    if nationality.len() != 3 || !nationality.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("nationality: three capital letters".into());
    }
    let status = required("status_code", &file.status_code)?;
    if status.len() > 10 || !status.is_ascii() {
        return Err("status_code: at most 10 ASCII characters".into());
    }
    let period = required("period_of_stay", &file.period_of_stay)?;
    PeriodOfStay::parse(&period).ok_or("period_of_stay: YYMM, DDD or 0000")?;
    let mut values = vec![
        (
            layout::TAG_EXPIRY,
            compact_date(&required("card_expiry", &file.card_expiry)?)?.into_bytes(),
        ),
        (layout::TAG_BIRTH, birth.into_bytes()),
        (layout::TAG_SEX, sex.as_bytes().to_vec()),
        (layout::TAG_NATIONALITY, nationality.into_bytes()),
        (layout::TAG_STATUS, fixed(&status, 10)),
        (layout::TAG_PERIOD, fixed(&period, 4)),
    ];
    if document == Document::ResidenceCard {
        let work = required("work_restriction", &file.work_restriction)?;
        WorkRestriction::from_code(&work).ok_or("work_restriction: 1, 2, 4 or 9")?;
        if file.permission_kind.len() != 2 {
            return Err("permission_kind: two characters".into());
        }
        values.extend([
            (
                layout::TAG_PERMISSION_KIND,
                file.permission_kind.clone().into_bytes(),
            ),
            (
                layout::TAG_PERMISSION_DATE,
                compact_date(&required("permission_date", &file.permission_date)?)?.into_bytes(),
            ),
            (layout::TAG_WORK, work.into_bytes()),
            (
                layout::TAG_PERIOD_END,
                compact_date(&required("period_end", &file.period_end)?)?.into_bytes(),
            ),
        ]);
    }
    Ok(values)
}

/// A value NUL-padded to the specification's fixed width.
fn fixed(value: &str, width: usize) -> Vec<u8> {
    let mut bytes = value.as_bytes().to_vec();
    bytes.resize(width, 0);
    bytes
}

/// `YYYY-MM-DD` as the chip's `YYYYMMDD` (empty stays empty).
fn compact_date(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Ok(String::new());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.format("%Y%m%d").to_string())
        .map_err(|_| format!("{text:?} is not YYYY-MM-DD"))
}

fn shift_jis(text: &str) -> Result<Vec<u8>, String> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    if unmappable {
        return Err(format!("{text:?} has characters Shift_JIS cannot hold"));
    }
    Ok(bytes.into_owned())
}

/// The test PKI's signer for one generation.
enum Signer {
    Ecdsa(p384::ecdsa::SigningKey, Vec<u8>),
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>, Vec<u8>),
}

impl Signer {
    fn load(dir: &Path, generation: Generation) -> Result<Signer, String> {
        let read = |name: &str| {
            std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        match generation {
            Generation::Second => {
                let pem = String::from_utf8(read("card-ecdsa.key")?).map_err(|e| e.to_string())?;
                let key = <p384::SecretKey as p384::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pem)
                    .map_err(|e| format!("card-ecdsa.key: {e}"))?;
                Ok(Signer::Ecdsa(key.into(), read("card-ecdsa.der")?))
            }
            Generation::First => {
                let pem = String::from_utf8(read("card-rsa.key")?).map_err(|e| e.to_string())?;
                let key =
                    <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pem)
                        .map_err(|e| format!("card-rsa.key: {e}"))?;
                Ok(Signer::Rsa(
                    Box::new(rsa::pkcs1v15::SigningKey::<Sha256>::new(key)),
                    read("card-rsa.der")?,
                ))
            }
        }
    }

    /// DF3 EF01: the signature over `target` and the certificate, then NUL padding.
    fn signature_file(&self, target: &[u8]) -> Result<Vec<u8>, String> {
        use p384::ecdsa::signature::hazmat::PrehashSigner;
        use rsa::signature::{SignatureEncoding, Signer as _};
        let (signature, certificate, tags) = match self {
            Signer::Ecdsa(key, certificate) => {
                let signature: p384::ecdsa::Signature = key
                    .sign_prehash(&Sha256::digest(target))
                    .map_err(|e| e.to_string())?;
                (
                    signature.to_der().as_bytes().to_vec(),
                    certificate,
                    (layout::TAG_SIGNATURE, layout::TAG_CERTIFICATE),
                )
            }
            Signer::Rsa(key, certificate) => (
                key.sign(target).to_vec(),
                certificate,
                (layout::TAG_FIRST_SIGNATURE, layout::TAG_FIRST_CERTIFICATE),
            ),
        };
        let mut file = object(tags.0, &signature);
        file.extend(object(tags.1, certificate));
        file.extend([0u8; 4]);
        Ok(file)
    }
}

const SIGNATURE_BYTE_TO_ALTER: usize = 42;

/// How the card behaves apart from its data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResidenceBehaviour {
    /// The signature file carries a signature over other data, as on an altered card.
    pub bad_signature: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Folder {
    Master,
    Df1,
    Df2,
    Df3,
}

/// The card's state: the selection, the challenge it gave, the session key, whether the number
/// was verified. All lost on reset.
pub struct ResidenceChip {
    persona: ResidencePersona,
    folder: Folder,
    challenge: Option<[u8; 8]>,
    session: Option<secure::Key>,
    verified: bool,
    /// The specification's randomness, for the test-vector exchange.
    fixed: Option<([u8; 8], [u8; 16])>,
}

impl std::fmt::Debug for ResidenceChip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResidenceChip")
            .field("folder", &self.folder)
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

impl ResidenceChip {
    pub fn new(persona: &ResidencePersona, behaviour: ResidenceBehaviour) -> ResidenceChip {
        let mut persona = persona.clone();
        if behaviour.bad_signature {
            for (_, content) in &mut persona.files.df3 {
                // A byte well inside the signature value (after its tag, length and, for
                // ECDSA, the DER header of r): the file still parses, the signature fails.
                if let Some(byte) = content.get_mut(SIGNATURE_BYTE_TO_ALTER) {
                    *byte ^= 0x01;
                }
            }
        }
        ResidenceChip {
            persona,
            folder: Folder::Master,
            challenge: None,
            session: None,
            verified: false,
            fixed: None,
        }
    }

    /// Answers GET CHALLENGE with `rnd_icc` and authenticates with `k_icc` (the
    /// specification's appendix 2 values), so that the exchange can be compared byte for byte.
    pub fn with_fixed_randomness(mut self, rnd_icc: [u8; 8], k_icc: [u8; 16]) -> ResidenceChip {
        self.fixed = Some((rnd_icc, k_icc));
        self
    }

    pub fn reset(&mut self) {
        self.folder = Folder::Master;
        self.challenge = None;
        self.session = None;
        self.verified = false;
    }

    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        let [cla, ins, p1, p2, body @ ..] = apdu else {
            return sw(0x6700);
        };
        match (*cla, *ins) {
            (0x00, 0xA4) => self.select(*p1, *p2, body),
            (0x00, 0xB0) => self.read_plain(*p1, *p2),
            (0x00, 0x84) => self.get_challenge(body),
            (0x00, 0x82) => self.mutual_authenticate(body),
            (0x08, 0x20) => self.verify(*p2, body),
            (0x08, 0xB0) => self.read_secure(*p1, body),
            (0x00 | 0x08, _) => sw(0x6D00),
            _ => sw(0x6E00),
        }
    }

    fn select(&mut self, p1: u8, p2: u8, body: &[u8]) -> Vec<u8> {
        let [lc, aid @ ..] = body else {
            return sw(0x6700);
        };
        if usize::from(*lc) != aid.len() || p1 != 0x04 || p2 != 0x0C {
            return sw(0x6A86);
        }
        self.folder = match aid {
            a if a == layout::DF1 => Folder::Df1,
            a if a == layout::DF2 => Folder::Df2,
            a if a == layout::DF3 => Folder::Df3,
            _ => return sw(0x6A82),
        };
        sw(0x9000)
    }

    fn files(&self) -> &[(u8, Vec<u8>)] {
        match self.folder {
            Folder::Master => &[],
            Folder::Df1 => &self.persona.files.df1,
            Folder::Df2 => &self.persona.files.df2,
            Folder::Df3 => &self.persona.files.df3,
        }
    }

    fn read_plain(&mut self, p1: u8, p2: u8) -> Vec<u8> {
        if p1 == file::CARD_TYPE && self.folder == Folder::Master {
            return with_ok(self.persona.files.card_type.clone());
        }
        if p1 & 0x80 == 0 || p2 != 0 {
            return sw(0x6A86);
        }
        let Some((_, content)) = self.files().iter().find(|(id, _)| *id == p1) else {
            return sw(0x6A82);
        };
        if !self.verified {
            return sw(0x6982);
        }
        if self.folder == Folder::Df1 {
            // DF1 is read under secure messaging only.
            return sw(0x6982);
        }
        with_ok(content.clone())
    }

    fn get_challenge(&mut self, body: &[u8]) -> Vec<u8> {
        if body != [0x08] {
            return sw(0x6700);
        }
        let mut challenge = [0u8; 8];
        match self.fixed {
            Some((rnd_icc, _)) => challenge = rnd_icc,
            None => {
                if getrandom::getrandom(&mut challenge).is_err() {
                    return sw(0x6F00);
                }
            }
        }
        self.challenge = Some(challenge);
        with_ok(challenge.to_vec())
    }

    fn mutual_authenticate(&mut self, body: &[u8]) -> Vec<u8> {
        let Some(rnd_icc) = self.challenge.take() else {
            return sw(0x6985);
        };
        let [0x28, data @ .., 0x00] = body else {
            return sw(0x6700);
        };
        let mut k_icc = Zeroizing::new([0u8; 16]);
        match self.fixed {
            Some((_, fixed)) => *k_icc = fixed,
            None => {
                if getrandom::getrandom(&mut k_icc[..]).is_err() {
                    return sw(0x6F00);
                }
            }
        }
        let key = secure::access_key(&number_bytes(&self.persona.card_number));
        match secure::card_answer(
            self.persona.card_type.generation,
            &key,
            data,
            &rnd_icc,
            &k_icc,
        ) {
            Ok((answer, session)) => {
                self.session = Some(session);
                with_ok(answer)
            }
            Err(_) => sw(0x6300),
        }
    }

    fn verify(&mut self, p2: u8, body: &[u8]) -> Vec<u8> {
        let Some(session) = self.session.as_ref() else {
            return sw(0x6982);
        };
        let [0x13, 0x86, 0x11, 0x01, cryptogram @ ..] = body else {
            return sw(0x6988);
        };
        if p2 != 0x86 || cryptogram.len() != 16 {
            return sw(0x6988);
        }
        let generation = self.persona.card_type.generation;
        let expected = generation.pad(&number_bytes(&self.persona.card_number)[..]);
        match generation.decrypt(session, cryptogram) {
            Ok(plain) if plain[..] == expected[..] => {
                self.verified = true;
                sw(0x9000)
            }
            _ => {
                self.verified = false;
                sw(0x6300)
            }
        }
    }

    fn read_secure(&mut self, p1: u8, body: &[u8]) -> Vec<u8> {
        if body != [0x00, 0x00, 0x04, 0x96, 0x02, 0x00, 0x00, 0x00, 0x00] {
            return sw(0x6988);
        }
        let (Some(session), true) = (self.session.as_ref(), self.verified) else {
            return sw(0x6982);
        };
        if self.folder != Folder::Df1 {
            return sw(0x6882);
        }
        let Some((_, content)) = self.files().iter().find(|(id, _)| *id == p1) else {
            return sw(0x6A82);
        };
        let generation = self.persona.card_type.generation;
        let Ok(cryptogram) = generation.encrypt(session, &generation.pad(content)) else {
            return sw(0x6F00);
        };
        let mut value = vec![0x01];
        value.extend(cryptogram);
        with_ok(object(0x86, &value))
    }
}
