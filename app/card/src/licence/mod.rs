//! The IC driving licence (運転免許証, 警察庁「運転免許証及び運転免許証作成システム等仕様書」).
//!
//! PIN 1 (four digits, its own tries counter) opens DF1 EF01, the 記載事項 except the 本籍:
//! 氏名, 呼び名, 通称名, 生年月日, 住所 and the licence's dates, in JIS X 0208 ([`text`]). The
//! counter reads only what identifies the resident and where they live; PIN 2 is never asked
//! for, so the 本籍 and the photo are never read, and the licence number, conditions and
//! categories are not returned. A 外字 is shown as 〓 and counted for the clerk to copy from the
//! licence. The tries are checked first without using one ([`read::query_pin`]).
//!
//! A licence holder whose licence has no PIN set (the holder chose none) is not supported yet:
//! the card then expects `****`.

pub mod read;
pub mod text;

use chrono::NaiveDate;
use madoguchi_domain::{Address, Person};
use serde::Serialize;

use crate::error::CardError;
use crate::tlv::{self, Tags};
pub use text::LicenceText;

/// DF1: the 記載事項.
pub const DF1: [u8; 16] = [
    0xA0, 0x00, 0x00, 0x02, 0x31, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];
/// DF1 EF01: the 記載事項 except the 本籍 (880 bytes).
pub const EF_ENTRIES: [u8; 2] = [0x00, 0x01];
/// The size of EF01.
pub const ENTRIES_LEN: usize = 880;
/// VERIFY's P2 for PIN 1 (PIN 2 is `82` and never used here).
pub const PIN1_REFERENCE: u8 = 0x81;

pub const TAG_JIS_VERSION: u32 = 0x11;
pub const TAG_NAME: u32 = 0x12;
pub const TAG_KANA: u32 = 0x13;
pub const TAG_ALIAS: u32 = 0x14;
pub const TAG_UNIFIED_NAME: u32 = 0x15;
pub const TAG_BIRTH: u32 = 0x16;
pub const TAG_ADDRESS: u32 = 0x17;
pub const TAG_ISSUED: u32 = 0x18;
pub const TAG_EXPIRY: u32 = 0x1B;
pub const TAG_COMMISSION: u32 = 0x20;
pub const TAG_NUMBER: u32 = 0x21;

/// The longest text field the counter accepts (the address is the longest: about 100
/// characters, 200 bytes).
const MAX_TEXT: usize = 400;

/// What the counter takes from a licence.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct LicenceFacts {
    pub name: LicenceText,
    /// 呼び名 (the reading a holder registered), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kana: Option<LicenceText>,
    /// 通称名, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<LicenceText>,
    pub birth_date: Option<NaiveDate>,
    pub address: LicenceText,
    /// 有効期間の末日: a licence past it is not a valid 本人確認書類.
    pub expiry: Option<NaiveDate>,
}

impl std::fmt::Debug for LicenceFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LicenceFacts(…)")
    }
}

impl LicenceFacts {
    /// Reads DF1 EF01 (its objects, then filler).
    pub fn from_file(file: &[u8]) -> Result<LicenceFacts, CardError> {
        let objects =
            tlv::parse_with(file, Tags::OneByte).map_err(|e| bad(format!("記載事項: {e}")))?;
        let field = |tag: u32| -> Result<Option<&[u8]>, CardError> {
            let mut found = objects.iter().filter(|o| o.tag == tag);
            match (found.next(), found.next()) {
                (Some(_), Some(_)) => Err(bad(format!("tag {tag:02X} appears twice"))),
                (Some(one), None) if one.value.len() > MAX_TEXT => {
                    Err(bad(format!("tag {tag:02X} is {} bytes", one.value.len())))
                }
                (one, _) => Ok(one.map(|o| o.value)),
            }
        };
        let text = |tag: u32, what: &str| -> Result<Option<LicenceText>, CardError> {
            match field(tag)? {
                None | Some([]) => Ok(None),
                Some(bytes) => text::decode(bytes)
                    .map(|t| Some(t).filter(|t| !t.text.trim().is_empty()))
                    .map_err(|e| bad(format!("{what}: {e}"))),
            }
        };
        let name = text(TAG_NAME, "name")?.ok_or_else(|| bad("no name".into()))?;
        let address = text(TAG_ADDRESS, "address")?.ok_or_else(|| bad("no address".into()))?;
        let date = |tag: u32| -> Result<Option<NaiveDate>, CardError> {
            Ok(field(tag)?.and_then(text::era_date))
        };
        Ok(LicenceFacts {
            name,
            kana: text(TAG_KANA, "kana")?,
            alias: text(TAG_ALIAS, "alias")?,
            birth_date: date(TAG_BIRTH)?,
            address,
            expiry: date(TAG_EXPIRY)?,
        })
    }

    /// The resident as the domain knows them. A 外字 stays as 〓 for the clerk to correct.
    pub fn to_person(&self) -> Person {
        Person {
            name: self.name.text.clone(),
            kana: self.kana.as_ref().map(|k| k.text.clone()),
            birth_date: self.birth_date,
            sex: None,
            nationality: None,
            address: Some(Address {
                building: None,
                text: self.address.text.clone(),
                postal_code: None,
                parts: None,
            }),
        }
    }

    /// 外字 anywhere in what the counter uses.
    pub fn gaiji(&self) -> usize {
        self.name.gaiji
            + self.address.gaiji
            + self.kana.as_ref().map_or(0, |k| k.gaiji)
            + self.alias.as_ref().map_or(0, |a| a.gaiji)
    }
}

fn bad(detail: String) -> CardError {
    CardError::BadCardData { detail }
}
