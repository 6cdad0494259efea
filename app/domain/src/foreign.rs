//! What the 住民票 records of a foreign resident (住民基本台帳法 第30条の45): 国籍・地域, the
//! number of the 在留カード or 特別永住者証明書, the 在留資格 and the end of the 在留期間, the
//! resident's 区分 under that article, and the 通称 when one is registered.
//!
//! Invariants: a [`ResidenceCardNumber`] is always twelve characters, two capital letters,
//! eight digits and two capital letters (the format 出入国在留管理庁 prints on every card; no
//! check digit is published, so the format is the check, and the chip confirms the number
//! when the card is read); a [`ResidenceStatus`] is always one of the statuses a resident can
//! hold ([`RESIDENCE_STATUSES`]).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A foreign resident's facts, as far as the counter knows them; each may be unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignResident {
    /// 国籍・地域, as on the card (e.g. 「ベトナム」, 「韓国」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// 在留カード等番号: the residence card's or the special permanent resident certificate's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<ResidenceCardNumber>,
    /// 在留資格 (none for a 特別永住者 or a 経過滞在者).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResidenceStatus>,
    /// 在留期間の満了日 (none for 永住者 and 特別永住者).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<NaiveDate>,
    /// 法第30条の45に規定する区分.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<ForeignCategory>,
    /// 通称, when the resident has registered one (住民基本台帳法施行令 第30条の26).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

/// Why a typed or read card number was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "a residence card number is 12 characters: 2 letters, 8 digits, 2 letters (AB12345678CD) / 在留カード等番号は英字2文字・数字8桁・英字2文字の12文字です（例：AB12345678CD）"
)]
pub struct CardNumberError;

/// 在留カード等番号, e.g. `AB12345678CD`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidenceCardNumber(String);

impl ResidenceCardNumber {
    /// Reads a number as typed: full-width letters and digits, small letters, spaces and
    /// hyphens between groups are accepted; what remains must be the card's format.
    pub fn parse(text: &str) -> Result<ResidenceCardNumber, CardNumberError> {
        let plain: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{3000}' | '-' | 'ー' | '－'))
            .map(half_width)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = plain.as_bytes();
        let shaped = bytes.len() == 12
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..10].iter().all(u8::is_ascii_digit)
            && bytes[10..].iter().all(u8::is_ascii_uppercase);
        if shaped {
            Ok(ResidenceCardNumber(plain))
        } else {
            Err(CardNumberError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Full-width ASCII (Ａ, １) as half-width; other characters unchanged.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

impl TryFrom<String> for ResidenceCardNumber {
    type Error = CardNumberError;

    fn try_from(text: String) -> Result<ResidenceCardNumber, CardNumberError> {
        ResidenceCardNumber::parse(&text)
    }
}

impl From<ResidenceCardNumber> for String {
    fn from(number: ResidenceCardNumber) -> String {
        number.0
    }
}

impl fmt::Debug for ResidenceCardNumber {
    // A card number identifies a person: logs and panics show only that there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResidenceCardNumber(…)")
    }
}

/// The 在留資格 a resident registered in a city can hold, as the card prints them:
/// 出入国管理及び難民認定法 別表第一 and 別表第二. 外交, 公用 and 短期滞在 are left out, because
/// their holders are not 住民 (住民基本台帳法 第30条の45, 入管法 第19条の3). When the law adds a
/// status (育成就労, planned for 2027), it is added here.
pub const RESIDENCE_STATUSES: [&str; 35] = [
    "教授",
    "芸術",
    "宗教",
    "報道",
    "高度専門職1号イ",
    "高度専門職1号ロ",
    "高度専門職1号ハ",
    "高度専門職2号",
    "経営・管理",
    "法律・会計業務",
    "医療",
    "研究",
    "教育",
    "技術・人文知識・国際業務",
    "企業内転勤",
    "介護",
    "興行",
    "技能",
    "特定技能1号",
    "特定技能2号",
    "技能実習1号イ",
    "技能実習1号ロ",
    "技能実習2号イ",
    "技能実習2号ロ",
    "技能実習3号イ",
    "技能実習3号ロ",
    "文化活動",
    "留学",
    "研修",
    "家族滞在",
    "特定活動",
    "永住者",
    "日本人の配偶者等",
    "永住者の配偶者等",
    "定住者",
];

/// Why a typed 在留資格 was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a 在留資格 a resident can hold; type it as the card prints it (e.g. 技術・人文知識・国際業務) / 在留資格はカードの記載どおりに入力してください（例：技術・人文知識・国際業務、永住者、留学）"
)]
pub struct StatusError;

/// A 在留資格 from [`RESIDENCE_STATUSES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct ResidenceStatus(&'static str);

impl<'de> Deserialize<'de> for ResidenceStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ResidenceStatus, D::Error> {
        let text = String::deserialize(d)?;
        ResidenceStatus::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl ResidenceStatus {
    /// Reads a status as typed: full-width digits, 「･」 or 「·」 for 「・」 and spaces are
    /// accepted.
    pub fn parse(text: &str) -> Result<ResidenceStatus, StatusError> {
        let plain: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(half_width)
            .map(|c| {
                if matches!(c, '･' | '·' | '.') {
                    '・'
                } else {
                    c
                }
            })
            .collect();
        RESIDENCE_STATUSES
            .iter()
            .find(|status| **status == plain)
            .map(|status| ResidenceStatus(status))
            .ok_or(StatusError)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl From<ResidenceStatus> for String {
    fn from(status: ResidenceStatus) -> String {
        status.0.to_string()
    }
}

/// 住民基本台帳法 第30条の45 の区分: why a foreign national is a resident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForeignCategory {
    /// 中長期在留者 (holds a 在留カード)
    MidLongTerm,
    /// 特別永住者 (holds a 特別永住者証明書)
    SpecialPermanent,
    /// 一時庇護許可者
    TemporaryRefuge,
    /// 仮滞在許可者
    ProvisionalStay,
    /// 出生による経過滞在者 (born in Japan, within 60 days of birth)
    BornInJapan,
    /// 国籍喪失による経過滞在者 (lost Japanese nationality, within 60 days)
    LostNationality,
}

impl ForeignCategory {
    pub const ALL: [ForeignCategory; 6] = [
        ForeignCategory::MidLongTerm,
        ForeignCategory::SpecialPermanent,
        ForeignCategory::TemporaryRefuge,
        ForeignCategory::ProvisionalStay,
        ForeignCategory::BornInJapan,
        ForeignCategory::LostNationality,
    ];

    /// The words the 住民票 and the forms print.
    pub fn ja(self) -> &'static str {
        match self {
            ForeignCategory::MidLongTerm => "中長期在留者",
            ForeignCategory::SpecialPermanent => "特別永住者",
            ForeignCategory::TemporaryRefuge => "一時庇護許可者",
            ForeignCategory::ProvisionalStay => "仮滞在許可者",
            ForeignCategory::BornInJapan => "出生による経過滞在者",
            ForeignCategory::LostNationality => "国籍喪失による経過滞在者",
        }
    }

    /// The id the case JSON writes (`mid_long_term` …).
    pub fn id(self) -> &'static str {
        match self {
            ForeignCategory::MidLongTerm => "mid_long_term",
            ForeignCategory::SpecialPermanent => "special_permanent",
            ForeignCategory::TemporaryRefuge => "temporary_refuge",
            ForeignCategory::ProvisionalStay => "provisional_stay",
            ForeignCategory::BornInJapan => "born_in_japan",
            ForeignCategory::LostNationality => "lost_nationality",
        }
    }

    pub fn from_id(id: &str) -> Option<ForeignCategory> {
        ForeignCategory::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The category whose words are `text` (spaces ignored).
    pub fn from_ja(text: &str) -> Option<ForeignCategory> {
        let plain: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        ForeignCategory::ALL.into_iter().find(|c| c.ja() == plain)
    }

    /// The number the QR format gives it (1 to 6, in the article's order).
    pub fn code(self) -> u8 {
        match self {
            ForeignCategory::MidLongTerm => 1,
            ForeignCategory::SpecialPermanent => 2,
            ForeignCategory::TemporaryRefuge => 3,
            ForeignCategory::ProvisionalStay => 4,
            ForeignCategory::BornInJapan => 5,
            ForeignCategory::LostNationality => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<ForeignCategory> {
        ForeignCategory::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether the resident holds a 在留資格 at all (a 特別永住者 or 経過滞在者 does not).
    pub fn has_status(self) -> bool {
        matches!(
            self,
            ForeignCategory::MidLongTerm
                | ForeignCategory::TemporaryRefuge
                | ForeignCategory::ProvisionalStay
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_read_as_typed_and_refused_when_misshapen() {
        let typed = ResidenceCardNumber::parse("ａｂ１２３４５６７８ｃｄ").expect("full width");
        assert_eq!(typed.as_str(), "AB12345678CD");
        assert_eq!(
            ResidenceCardNumber::parse("AB 1234 5678 CD").map(|n| n.0),
            Ok("AB12345678CD".to_string())
        );
        for bad in [
            "",
            "AB1234567CD",
            "AB123456789CD",
            "A112345678CD",
            "AB12345678C1",
            "ＡＢ12345678ＣＤX",
            "AB12345678ＣＤ\u{0}",
        ] {
            assert_eq!(
                ResidenceCardNumber::parse(bad),
                Err(CardNumberError),
                "{bad:?}"
            );
        }
        assert_eq!(format!("{typed:?}"), "ResidenceCardNumber(…)");
    }

    #[test]
    fn statuses_are_those_a_resident_can_hold() {
        assert_eq!(
            ResidenceStatus::parse("技術･人文知識･国際業務").map(ResidenceStatus::as_str),
            Ok("技術・人文知識・国際業務")
        );
        assert_eq!(
            ResidenceStatus::parse("特定技能１号").map(ResidenceStatus::as_str),
            Ok("特定技能1号")
        );
        for bad in ["短期滞在", "外交", "student", ""] {
            assert_eq!(ResidenceStatus::parse(bad), Err(StatusError), "{bad}");
        }
        let json = serde_json::to_string(&ResidenceStatus::parse("留学").expect("a status"));
        assert_eq!(json.ok().as_deref(), Some("\"留学\""));
    }

    #[test]
    fn categories_round_trip_their_words_and_codes() {
        for category in ForeignCategory::ALL {
            assert_eq!(ForeignCategory::from_ja(category.ja()), Some(category));
            assert_eq!(ForeignCategory::from_code(category.code()), Some(category));
            assert_eq!(ForeignCategory::from_id(category.id()), Some(category));
            let json = serde_json::to_string(&category).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", category.id()));
        }
        assert_eq!(ForeignCategory::from_code(0), None);
        assert!(!ForeignCategory::SpecialPermanent.has_status());
    }

    #[test]
    fn a_foreign_resident_reads_from_the_case_json() {
        let json = r#"{"country": "ベトナム", "card_number": "ab12345678cd",
            "status": "留学", "period_end": "2028-03-31", "category": "mid_long_term",
            "alias": "山田 花"}"#;
        let resident: ForeignResident = serde_json::from_str(json).expect("valid");
        assert_eq!(
            resident.card_number.map(String::from).as_deref(),
            Some("AB12345678CD")
        );
        assert_eq!(resident.category, Some(ForeignCategory::MidLongTerm));
        let bad = r#"{"card_number": "12345"}"#;
        let error = serde_json::from_str::<ForeignResident>(bad).expect_err("refused");
        assert!(error.to_string().contains("在留カード等番号"), "{error}");
    }
}
