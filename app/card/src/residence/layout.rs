//! Where the 在留カード keeps what, and how its files are spelled: the DFs' AIDs, the short
//! file identifiers READ BINARY names in P1, and the tags inside (在留カード等仕様書 3.3; the
//! second generation's text is UTF-8, the first generation's back-side text Shift_JIS).
//!
//! Parsing is strict and bounded: a tag that appears twice, a value longer than the
//! specification allows, or a date that is not one is refused, because a wrong value here
//! would print on the resident's 住民票. The builders are what the emulator serves.

use chrono::NaiveDate;

use super::{CardType, OutsideActivity, PeriodOfStay, PrintedEntries, WorkRestriction};
use crate::error::CardError;
use crate::facts::CardSex;
use crate::tlv::{self, Tags, Tlv};

/// DF1: the card number, the printed entries and the images (secure messaging).
pub const DF1: [u8; 16] = aid(0x02);
/// DF2: the back side (permission to work outside the status, pending applications; the
/// first generation's address).
pub const DF2: [u8; 16] = aid(0x03);
/// DF3: the issuer's signature and its certificate.
pub const DF3: [u8; 16] = aid(0x04);

const fn aid(last: u8) -> [u8; 16] {
    let mut aid = [0u8; 16];
    aid[0] = 0xD3;
    aid[1] = 0x92;
    aid[2] = 0xF0;
    aid[3] = 0x00;
    aid[4] = 0x4F;
    aid[5] = last;
    aid
}

/// P1 of READ BINARY naming a file by its short identifier (bit 8 set), per generation.
pub mod file {
    /// MF EF02: the card type (free to read, both generations).
    pub const CARD_TYPE: u8 = 0x8A;
    /// DF3 EF01: the signature and the certificate (both generations).
    pub const SIGNATURE: u8 = 0x82;

    /// The second generation's files.
    pub mod second {
        /// DF1 EF01: the card number.
        pub const CARD_NUMBER: u8 = 0x81;
        /// DF1 EF02: the printed entries.
        pub const PRINTED: u8 = 0x83;
        /// DF1 EF03: the name image and the face image.
        pub const NAME_AND_FACE: u8 = 0x84;
        /// DF1 EF04: the address image.
        pub const ADDRESS_IMAGE: u8 = 0x86;
        /// DF2 EF01: permission outside the status (在留カード only).
        pub const PERMISSION: u8 = 0x81;
        /// DF2 EF02: an application pending (在留カード only).
        pub const PENDING: u8 = 0x82;
    }

    /// The first generation's files.
    pub mod first {
        /// DF1: the whole front side as an image.
        pub const FRONT_IMAGE: u8 = 0x85;
        /// DF1: the face image.
        pub const FACE_IMAGE: u8 = 0x86;
        /// DF2: the address the city wrote.
        pub const ADDRESS: u8 = 0x81;
        /// DF2: the comprehensive permission's text (在留カード only).
        pub const COMPREHENSIVE: u8 = 0x82;
        /// DF2: the individual permission's text (在留カード only).
        pub const INDIVIDUAL: u8 = 0x83;
        /// DF2: an application pending (在留カード only).
        pub const PENDING: u8 = 0x84;
    }
}

pub const TAG_CARD_TYPE: u32 = 0xC1;
pub const TAG_CARD_NUMBER: u32 = 0xC2;
pub const TAG_EXPIRY: u32 = 0xC5;
pub const TAG_BIRTH: u32 = 0xC6;
pub const TAG_SEX: u32 = 0xC7;
pub const TAG_NATIONALITY: u32 = 0xC8;
pub const TAG_STATUS: u32 = 0xC9;
pub const TAG_PERMISSION_KIND: u32 = 0xCA;
pub const TAG_PERMISSION_DATE: u32 = 0xCB;
pub const TAG_WORK: u32 = 0xCC;
pub const TAG_PERIOD_END: u32 = 0xCD;
pub const TAG_PERIOD: u32 = 0xCE;
pub const TAG_NAME_IMAGE: u32 = 0xD0;
pub const TAG_FACE_IMAGE: u32 = 0xD1;
pub const TAG_ADDRESS_IMAGE: u32 = 0xDFD1;
/// First generation: the whole front side as one image.
pub const TAG_FRONT_IMAGE: u32 = 0xD0;
pub const TAG_ADDRESS_DATE: u32 = 0xD2;
pub const TAG_MUNICIPALITY: u32 = 0xD3;
pub const TAG_ADDRESS: u32 = 0xD4;
/// Second generation: the comprehensive permission code; first generation: its text.
pub const TAG_COMPREHENSIVE: u32 = 0xD5;
/// First generation: the individual permission's text.
pub const TAG_INDIVIDUAL_TEXT: u32 = 0xD6;
/// Second generation: whether there is an individual permission.
pub const TAG_INDIVIDUAL: u32 = 0xD7;
/// Second generation: an application pending; first generation: the same is `D7`.
pub const TAG_PENDING: u32 = 0xD8;
pub const TAG_FIRST_PENDING: u32 = 0xD7;
pub const TAG_SIGNATURE: u32 = 0xDC;
pub const TAG_CERTIFICATE: u32 = 0xDD;
pub const TAG_FIRST_SIGNATURE: u32 = 0xDA;
pub const TAG_FIRST_CERTIFICATE: u32 = 0xDB;

/// The largest values the specification allows, so that a hostile chip cannot hand us more.
pub const MAX_NAME_IMAGE: usize = 2500;
pub const MAX_FACE_IMAGE: usize = 3000;
pub const MAX_ADDRESS_IMAGE: usize = 2500;
pub const MAX_FRONT_IMAGE: usize = 7000;
pub const MAX_CERTIFICATE: usize = 1400;
/// The printed entries are signed as 53 bytes of values (a 特別永住者証明書's 34, padded).
pub const SIGNED_PRINTED_LEN: usize = 53;

/// The objects of a file by tag, refusing a tag seen twice.
pub struct Objects<'a>(Vec<Tlv<'a>>);

/// Card data: the tags only.
impl std::fmt::Debug for Objects<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tags: Vec<String> = self.0.iter().map(|o| format!("{:X}", o.tag)).collect();
        write!(f, "Objects({})", tags.join(" "))
    }
}

impl<'a> Objects<'a> {
    pub fn parse(file: &'a [u8], what: &str) -> Result<Objects<'a>, CardError> {
        let objects =
            tlv::parse_with(file, Tags::AtMostTwoBytes).map_err(|e| bad(format!("{what}: {e}")))?;
        for (i, object) in objects.iter().enumerate() {
            if objects[..i].iter().any(|o| o.tag == object.tag) {
                return Err(bad(format!("{what}: tag {:X} appears twice", object.tag)));
            }
        }
        Ok(Objects(objects))
    }

    pub fn get(&self, tag: u32) -> Option<&'a [u8]> {
        self.0.iter().find(|o| o.tag == tag).map(|o| o.value)
    }

    /// A value that must be there, at most `max` bytes long.
    pub fn required(&self, tag: u32, max: usize, what: &str) -> Result<&'a [u8], CardError> {
        let value = self.get(tag).ok_or_else(|| bad(format!("no {what}")))?;
        if value.len() > max {
            return Err(bad(format!(
                "{what} is {} bytes, at most {max}",
                value.len()
            )));
        }
        Ok(value)
    }

    /// The values in file order, concatenated: what the issuer signed.
    pub fn values(&self) -> Vec<u8> {
        self.0
            .iter()
            .flat_map(|o| o.value.iter().copied())
            .collect()
    }
}

/// The card type in MF EF02 (`C1`): `1`/`2` first generation, `05`/`06` second, `07`/`08`
/// the 特定在留カード (a My Number card, read as one).
pub fn parse_card_type(file: &[u8]) -> Result<CardType, CardError> {
    let objects = Objects::parse(file, "card type")?;
    let code = objects.required(TAG_CARD_TYPE, 2, "card type")?;
    CardType::from_code(code).ok_or_else(|| bad(format!("unknown card type {}", ascii(code))))
}

/// The printed entries of DF1 EF02 (second generation).
pub fn parse_printed(file: &[u8], card_type: CardType) -> Result<PrintedEntries, CardError> {
    let objects = Objects::parse(file, "printed entries")?;
    let text = |tag: u32, max: usize, what: &str| -> Result<String, CardError> {
        let value = objects.required(tag, max, what)?;
        std::str::from_utf8(value)
            .map(|t| t.trim_end_matches(['\0', ' ']).to_owned())
            .map_err(|_| bad(format!("{what} is not UTF-8")))
    };
    let optional_text = |tag: u32, max: usize, what: &str| -> Result<Option<String>, CardError> {
        match objects.get(tag) {
            None => Ok(None),
            Some(_) => text(tag, max, what).map(|t| Some(t).filter(|t| !t.is_empty())),
        }
    };
    let birth_text = text(TAG_BIRTH, 8, "birth date")?;
    let residence = card_type.document == super::Document::ResidenceCard;
    Ok(PrintedEntries {
        card_expiry: date(&text(TAG_EXPIRY, 8, "card expiry")?, "card expiry")?,
        birth_date: calendar_date(&birth_text),
        birth_date_text: birth_text,
        sex: match text(TAG_SEX, 1, "sex")?.as_str() {
            "1" => CardSex::Male,
            "2" => CardSex::Female,
            "3" => CardSex::NotKnown,
            other => return Err(bad(format!("sex code {other:?}"))),
        },
        nationality_code: text(TAG_NATIONALITY, 3, "nationality")?,
        status_code: optional_text(TAG_STATUS, 10, "status")?,
        period_of_stay: optional_text(TAG_PERIOD, 4, "period of stay")?
            .map(|t| PeriodOfStay::parse(&t).ok_or_else(|| bad(format!("period {t:?}"))))
            .transpose()?,
        work_restriction: if residence {
            optional_text(TAG_WORK, 1, "work restriction")?
                .map(|t| {
                    WorkRestriction::from_code(&t).ok_or_else(|| bad(format!("work code {t:?}")))
                })
                .transpose()?
        } else {
            None
        },
        period_end: match optional_text(TAG_PERIOD_END, 8, "period end")? {
            Some(t) => calendar_date(&t),
            None => None,
        },
        signed_values: objects.values(),
    })
}

/// The second generation's DF2 EF01 (`D5`, `D6`, `D7`).
pub fn parse_permission(file: &[u8]) -> Result<OutsideActivity, CardError> {
    let objects = Objects::parse(file, "permission")?;
    let code = |tag| objects.get(tag).map(ascii).unwrap_or_default();
    Ok(OutsideActivity {
        comprehensive: match code(TAG_COMPREHENSIVE).trim_end_matches('\0') {
            "" | "0" => None,
            "1" => Some(super::Comprehensive::Ordinary),
            "2" => Some(super::Comprehensive::Education),
            other => return Err(bad(format!("permission code {other:?}"))),
        },
        individual: code(TAG_INDIVIDUAL).starts_with('1'),
    })
}

/// The second generation's DF2 EF02 (`D8`): an application for renewal or change is pending.
pub fn parse_pending(file: &[u8], tag: u32) -> Result<bool, CardError> {
    let objects = Objects::parse(file, "pending application")?;
    Ok(objects.get(tag).is_some_and(|v| v.starts_with(b"1")))
}

/// The first generation's address (DF2, Shift_JIS as the city wrote it).
pub fn parse_first_address(file: &[u8]) -> Result<Option<String>, CardError> {
    let objects = Objects::parse(file, "address")?;
    let Some(value) = objects.get(TAG_ADDRESS) else {
        return Ok(None);
    };
    let value = trim_nul(value);
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(value);
    if errors {
        return Err(bad("address is not Shift_JIS".into()));
    }
    Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty()))
}

/// The first generation's permission texts, as the card prints them.
pub fn parse_first_permission(file: &[u8], tag: u32) -> Result<Option<String>, CardError> {
    let objects = Objects::parse(file, "permission")?;
    let Some(value) = objects.get(tag) else {
        return Ok(None);
    };
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(trim_nul(value));
    if errors {
        return Err(bad("permission is not Shift_JIS".into()));
    }
    Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty()))
}

fn trim_nul(value: &[u8]) -> &[u8] {
    let end = value.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &value[..end]
}

/// `YYYYMMDD` that must be a date.
fn date(text: &str, what: &str) -> Result<NaiveDate, CardError> {
    calendar_date(text).ok_or_else(|| bad(format!("{what} is not a date")))
}

/// `YYYYMMDD` when it is a calendar date inside the window every case is held to; a partly
/// unknown birth date (`19700000`) is not.
pub fn calendar_date(text: &str) -> Option<NaiveDate> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y%m%d")
        .ok()
        .filter(|d| madoguchi_domain::limits::date_in_window(*d))
}

fn ascii(value: &[u8]) -> String {
    value
        .iter()
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect()
}

pub fn bad(detail: String) -> CardError {
    CardError::BadCardData { detail }
}

/// One object, for the emulator's files.
pub fn object(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    tlv::encode(tag, value, &mut out);
    out
}
