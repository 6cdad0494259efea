//! The basic four facts (基本4情報) as the card's EF 0002 holds them, and how they become the
//! domain's person.

use chrono::NaiveDate;
use madoguchi_domain::{Address, Person, Sex};
use serde::Serialize;

use crate::error::CardError;
use crate::tlv;

/// The constructed object that holds the four facts.
pub const TAG_CONTAINER: u32 = 0xFF20;
/// Offsets of the next four objects (not relied on).
pub const TAG_OFFSETS: u32 = 0xDF21;
pub const TAG_NAME: u32 = 0xDF22;
pub const TAG_ADDRESS: u32 = 0xDF23;
pub const TAG_BIRTH_DATE: u32 = 0xDF24;
pub const TAG_SEX: u32 = 0xDF25;

/// 性別 as the card codes it (ISO/IEC 5218).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardSex {
    /// `0`
    NotKnown,
    /// `1`
    Male,
    /// `2`
    Female,
    /// `9`
    NotApplicable,
}

impl CardSex {
    pub fn from_code(code: &[u8]) -> Option<CardSex> {
        match code {
            b"0" => Some(CardSex::NotKnown),
            b"1" => Some(CardSex::Male),
            b"2" => Some(CardSex::Female),
            b"9" => Some(CardSex::NotApplicable),
            _ => None,
        }
    }

    /// The domain's sex: ISO 5218's "not known" and "not applicable" have no equivalent and
    /// stay unknown.
    pub fn to_sex(self) -> Option<Sex> {
        match self {
            CardSex::Male => Some(Sex::Male),
            CardSex::Female => Some(Sex::Female),
            CardSex::NotKnown | CardSex::NotApplicable => None,
        }
    }

    pub fn code(self) -> u8 {
        match self {
            CardSex::NotKnown => b'0',
            CardSex::Male => b'1',
            CardSex::Female => b'2',
            CardSex::NotApplicable => b'9',
        }
    }
}

/// 氏名, 住所, 生年月日 and 性別 exactly as the card holds them. The strings are the card's
/// UTF-8 bytes unchanged: rare kanji, variation selectors and full-width digits are kept.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct BasicFacts {
    pub name: String,
    pub address: String,
    /// `None` when the card's date is not a calendar date (for example a partly unknown birth
    /// date of a foreign resident); the card's text is then in `unparsed_birth_date`.
    pub birth_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unparsed_birth_date: Option<String>,
    pub sex: CardSex,
}

/// Personal data: the derived `Debug` would print it into any log that formats an error chain.
impl std::fmt::Debug for BasicFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BasicFacts(…)")
    }
}

impl BasicFacts {
    /// Reads the facts from the whole content of EF 0002 (filler included).
    pub fn from_file(file: &[u8]) -> Result<BasicFacts, CardError> {
        let top = tlv::parse(file).map_err(bad_data)?;
        let container = match top.as_slice() {
            [only] if only.tag == TAG_CONTAINER => only,
            _ => return Err(bad("EF 0002 does not hold one FF 20 object")),
        };
        let fields = tlv::parse(container.value).map_err(bad_data)?;
        let field = |tag: u32, what: &str| -> Result<&[u8], CardError> {
            let mut found = fields.iter().filter(|t| t.tag == tag);
            match (found.next(), found.next()) {
                (Some(one), None) => Ok(one.value),
                (None, _) => Err(bad(&format!("no {what}"))),
                (Some(_), Some(_)) => Err(bad(&format!("{what} appears twice"))),
            }
        };
        let name = utf8(field(TAG_NAME, "name")?, "name")?;
        let address = utf8(field(TAG_ADDRESS, "address")?, "address")?;
        let birth = field(TAG_BIRTH_DATE, "birth date")?;
        let sex_code = field(TAG_SEX, "sex")?;
        let sex = CardSex::from_code(sex_code).ok_or_else(|| bad("sex is not an ISO 5218 code"))?;
        let (birth_date, unparsed_birth_date) = parse_birth_date(birth)?;
        Ok(BasicFacts {
            name,
            address,
            birth_date,
            unparsed_birth_date,
            sex,
        })
    }

    /// The content of EF 0002 for these facts, as a card holds it (the emulator serves this).
    /// `filler` bytes of `FF` follow, as unused file space does on a card.
    pub fn to_file(&self, filler: usize) -> Vec<u8> {
        let birth = match (&self.birth_date, &self.unparsed_birth_date) {
            (_, Some(text)) => text.clone(),
            (Some(date), None) => date.format("%Y%m%d").to_string(),
            (None, None) => String::from("00000000"),
        };
        let rest: [(u32, &[u8]); 4] = [
            (TAG_NAME, self.name.as_bytes()),
            (TAG_ADDRESS, self.address.as_bytes()),
            (TAG_BIRTH_DATE, birth.as_bytes()),
            (TAG_SEX, &[self.sex.code()]),
        ];
        let mut fields = Vec::new();
        let mut offsets = Vec::new();
        // DF 21 08 plus its value comes first: eleven bytes, then the four objects.
        let mut position = 11;
        for (tag, value) in rest {
            let start = fields.len();
            tlv::encode(tag, value, &mut fields);
            offsets.push(position);
            position += fields.len() - start;
        }
        let mut content = Vec::new();
        let offsets_value: Vec<u8> = offsets
            .iter()
            .flat_map(|&o| u16::try_from(o).unwrap_or(u16::MAX).to_be_bytes())
            .collect();
        tlv::encode(TAG_OFFSETS, &offsets_value, &mut content);
        content.extend_from_slice(&fields);
        let mut file = Vec::new();
        tlv::encode(TAG_CONTAINER, &content, &mut file);
        // The offsets count from the start of the file: shift them by the container's header.
        let header_len = file.len() - content.len();
        for i in 0..4 {
            let at = header_len + 3 + 2 * i;
            let shifted = u16::from_be_bytes([file[at], file[at + 1]]) + header_len as u16;
            file[at..at + 2].copy_from_slice(&shifted.to_be_bytes());
        }
        file.extend(std::iter::repeat_n(0xFF, filler));
        file
    }

    /// The resident as the domain knows them. The card has no ふりがな and no nationality;
    /// those stay unknown for the clerk to confirm.
    pub fn to_person(&self) -> Person {
        Person {
            name: self.name.clone(),
            kana: None,
            birth_date: self.birth_date,
            sex: self.sex.to_sex(),
            nationality: None,
            address: Some(Address {
                building: None,
                text: self.address.clone(),
                postal_code: None,
                parts: None,
            }),
        }
    }
}

fn parse_birth_date(value: &[u8]) -> Result<(Option<NaiveDate>, Option<String>), CardError> {
    if value.len() != 8 || !value.iter().all(u8::is_ascii_digit) {
        return Err(bad("birth date is not 8 digits"));
    }
    // Checked above: eight ASCII digits are valid UTF-8.
    let text = String::from_utf8_lossy(value).into_owned();
    // A date outside the window every case is held to (year 0000 on a damaged or forged
    // card) is kept as the card's text for the clerk to confirm, like an unknown day.
    match NaiveDate::parse_from_str(&text, "%Y%m%d") {
        Ok(date) if madoguchi_domain::limits::date_in_window(date) => Ok((Some(date), None)),
        _ => Ok((None, Some(text))),
    }
}

fn utf8(value: &[u8], what: &str) -> Result<String, CardError> {
    String::from_utf8(value.to_vec()).map_err(|_| bad(&format!("{what} is not valid UTF-8")))
}

fn bad(detail: &str) -> CardError {
    CardError::BadCardData {
        detail: detail.to_owned(),
    }
}

fn bad_data(error: tlv::TlvError) -> CardError {
    CardError::BadCardData {
        detail: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(name: &str, address: &str) -> BasicFacts {
        BasicFacts {
            name: name.into(),
            address: address.into(),
            birth_date: NaiveDate::from_ymd_opt(1980, 2, 17),
            unparsed_birth_date: None,
            sex: CardSex::Male,
        }
    }

    #[test]
    fn writes_the_layout_of_the_public_fixture() {
        let file = facts("黒桐　幹也", "東京都清瀬市観布子南１２－７－２０２").to_file(0);
        let expected_start = [
            0xFF, 0x20, 0x65, 0xDF, 0x21, 0x08, 0x00, 0x0E, 0x00, 0x20, 0x00, 0x59, 0x00, 0x64,
            0xDF, 0x22, 0x0F, 0xE9, 0xBB, 0x92, 0xE6, 0xA1, 0x90, 0xE3, 0x80, 0x80, 0xE5, 0xB9,
            0xB9, 0xE4, 0xB9, 0x9F, 0xDF, 0x23, 0x36,
        ];
        assert_eq!(&file[..expected_start.len()], &expected_start);
        assert!(file.ends_with(&[
            0xDF, 0x24, 0x08, b'1', b'9', b'8', b'0', b'0', b'2', b'1', b'7', 0xDF, 0x25, 0x01,
            0x31
        ]));
    }

    #[test]
    fn keeps_rare_characters_byte_exact() {
        // 𠮷 (four bytes in UTF-8), 髙 and 葛 with a variation selector (IVS).
        let original = facts("𠮷田　髙志", "京都府葛\u{E0100}城市１－２");
        let read = BasicFacts::from_file(&original.to_file(32)).expect("reads");
        assert_eq!(read.name.as_bytes(), original.name.as_bytes());
        assert_eq!(read.address.as_bytes(), original.address.as_bytes());
        assert_eq!(read.birth_date, NaiveDate::from_ymd_opt(1980, 2, 17));
    }

    #[test]
    fn a_long_address_uses_a_long_form_length() {
        let address = "北海道".repeat(50);
        let file = facts("長　住所", &address).to_file(0);
        assert_eq!(&file[..2], &[0xFF, 0x20]);
        assert_eq!(file[2], 0x82, "the container needs the three-byte form");
        let read = BasicFacts::from_file(&file).expect("reads");
        assert_eq!(read.address, address);
    }

    #[test]
    fn maps_to_the_domain_person() {
        let person = facts("山田　太郎", "東京都").to_person();
        assert_eq!(person.sex, Some(Sex::Male));
        assert_eq!(person.kana, None);
        assert_eq!(person.address.map(|a| a.text).as_deref(), Some("東京都"));
    }

    #[test]
    fn an_unknown_day_of_birth_is_kept_as_text() {
        let mut partial = facts("ＳＭＩＴＨ　ＪＯＨＮ", "東京都");
        partial.birth_date = None;
        partial.unparsed_birth_date = Some("19700000".into());
        let read = BasicFacts::from_file(&partial.to_file(0)).expect("reads");
        assert_eq!(read.birth_date, None);
        assert_eq!(read.unparsed_birth_date.as_deref(), Some("19700000"));
    }

    #[test]
    fn refuses_damaged_files() {
        let good = facts("山田　太郎", "東京都").to_file(0);
        let mut no_container = good.clone();
        no_container[1] = 0x21;
        assert!(BasicFacts::from_file(&no_container).is_err());
        let mut bad_sex = good.clone();
        let last = bad_sex.len() - 1;
        bad_sex[last] = b'5';
        assert!(BasicFacts::from_file(&bad_sex).is_err());
        let mut bad_utf8 = good.clone();
        bad_utf8[17] = 0xC0;
        assert!(BasicFacts::from_file(&bad_utf8).is_err());
        assert!(BasicFacts::from_file(&good[..good.len() - 1]).is_err());
        assert!(BasicFacts::from_file(&[]).is_err());
    }
}
