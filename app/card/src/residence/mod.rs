//! The 在留カード and the 特別永住者証明書 (出入国在留管理庁), first and second generation.
//!
//! There is no PIN: the twelve characters printed on the card ([`ResidenceCardNumber`]) are the
//! key. The reader authenticates with the card and the card with the reader ([`secure`]),
//! VERIFYs the number under secure messaging, and reads (see [`read`]):
//!
//! * second generation (card types `05`, `06`): the printed entries as text — card expiry,
//!   birth date, sex, nationality code, 在留資格 code, 在留期間, its end, 就労制限 — and the
//!   name and the address as images (the chip holds them only as pictures);
//! * first generation (`1`, `2`): the whole front side as one image, and the address the city
//!   wrote on the chip as text;
//! * both: 資格外活動許可 and whether an application is pending, and the issuer's signature over
//!   the entries and images, verified against the 出入国在留管理庁's certificates
//!   ([`signature`]). A card whose signature fails is refused. What is written after issue (the
//!   back: address, permissions, pending application) is not signed and is kept apart
//!   ([`BackEntries`]) for the clerk to confirm against the card.
//!
//! The face photo is read only because the signature covers it; it is hashed and wiped, never
//! returned. Invariants: nothing read here is logged; every length is bounded by the
//! specification's; the 在留資格 comes as the card's code, which the clerk confirms from the
//! card's face (no verified table of the codes is public), never guessed into words.

pub mod image;
pub mod layout;
pub mod nationality;
pub mod read;
pub mod secure;
pub mod signature;

use chrono::NaiveDate;
pub use madoguchi_domain::ResidenceCardNumber;
use madoguchi_domain::{ForeignCategory, ForeignResident};
use serde::Serialize;

pub use secure::Generation;

use crate::facts::CardSex;

/// The twelve ASCII bytes of a card number (the key and the VERIFY are made from them), wiped
/// when dropped. `ResidenceCardNumber` is always twelve ASCII characters.
pub(crate) fn number_bytes(number: &ResidenceCardNumber) -> zeroize::Zeroizing<[u8; 12]> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 12]);
    let typed = number.as_str().as_bytes();
    bytes.copy_from_slice(&typed[..typed.len().min(12)]);
    bytes
}

/// Which of the two documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Document {
    /// 在留カード: a 中長期在留者's.
    ResidenceCard,
    /// 特別永住者証明書.
    SpecialPermanentCertificate,
}

impl Document {
    pub fn ja(self) -> &'static str {
        match self {
            Document::ResidenceCard => "在留カード",
            Document::SpecialPermanentCertificate => "特別永住者証明書",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Document::ResidenceCard => "residence card",
            Document::SpecialPermanentCertificate => "special permanent resident certificate",
        }
    }

    /// The resident's 区分 under 住民基本台帳法 第30条の45.
    pub fn category(self) -> ForeignCategory {
        match self {
            Document::ResidenceCard => ForeignCategory::MidLongTerm,
            Document::SpecialPermanentCertificate => ForeignCategory::SpecialPermanent,
        }
    }
}

/// The card type the chip reports in MF EF02.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CardType {
    pub document: Document,
    pub generation: Generation,
}

impl CardType {
    /// `1`/`2` (first generation), `05`/`06` (second). The 特定在留カード (`07`/`08`) carries
    /// the My Number card's applications and is read as one, so it is not a type here.
    pub fn from_code(code: &[u8]) -> Option<CardType> {
        let (document, generation) = match code {
            b"1" => (Document::ResidenceCard, Generation::First),
            b"2" => (Document::SpecialPermanentCertificate, Generation::First),
            b"05" => (Document::ResidenceCard, Generation::Second),
            b"06" => (Document::SpecialPermanentCertificate, Generation::Second),
            _ => return None,
        };
        Some(CardType {
            document,
            generation,
        })
    }

    pub fn code(self) -> &'static [u8] {
        match (self.document, self.generation) {
            (Document::ResidenceCard, Generation::First) => b"1",
            (Document::SpecialPermanentCertificate, Generation::First) => b"2",
            (Document::ResidenceCard, Generation::Second) => b"05",
            (Document::SpecialPermanentCertificate, Generation::Second) => b"06",
        }
    }
}

/// 在留期間 as the chip codes it: `YYMM` years and months, `DDD` days, `0000` indefinite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PeriodOfStay {
    Indefinite,
    YearsMonths { years: u8, months: u8 },
    Days { days: u16 },
}

impl PeriodOfStay {
    pub fn parse(code: &str) -> Option<PeriodOfStay> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match code.len() {
            4 if code == "0000" => Some(PeriodOfStay::Indefinite),
            4 => {
                let years = code[..2].parse().ok()?;
                let months = code[2..].parse().ok()?;
                (months < 12).then_some(PeriodOfStay::YearsMonths { years, months })
            }
            3 => Some(PeriodOfStay::Days {
                days: code.parse().ok()?,
            }),
            _ => None,
        }
    }

    /// As the card prints it: 「無期限」, 「5年」, 「1年6月」, 「90日」.
    pub fn ja(self) -> String {
        match self {
            PeriodOfStay::Indefinite => "無期限".into(),
            PeriodOfStay::YearsMonths { years, months: 0 } => format!("{years}年"),
            PeriodOfStay::YearsMonths { years: 0, months } => format!("{months}月"),
            PeriodOfStay::YearsMonths { years, months } => format!("{years}年{months}月"),
            PeriodOfStay::Days { days } => format!("{days}日"),
        }
    }

    /// The chip's code.
    pub fn code(self) -> String {
        match self {
            PeriodOfStay::Indefinite => "0000".into(),
            PeriodOfStay::YearsMonths { years, months } => format!("{years:02}{months:02}"),
            PeriodOfStay::Days { days } => format!("{days:03}"),
        }
    }
}

/// 就労制限の有無 (second generation, 在留カード only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkRestriction {
    /// `1` 就労制限なし
    None,
    /// `2` 在留資格に基づく就労活動のみ可
    StatusOnly,
    /// `4` 指定書記載機関での在留資格に基づく就労活動のみ可
    DesignatedOnly,
    /// `9` 就労不可
    NotPermitted,
}

impl WorkRestriction {
    pub fn from_code(code: &str) -> Option<WorkRestriction> {
        match code {
            "1" => Some(WorkRestriction::None),
            "2" => Some(WorkRestriction::StatusOnly),
            "4" => Some(WorkRestriction::DesignatedOnly),
            "9" => Some(WorkRestriction::NotPermitted),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            WorkRestriction::None => "1",
            WorkRestriction::StatusOnly => "2",
            WorkRestriction::DesignatedOnly => "4",
            WorkRestriction::NotPermitted => "9",
        }
    }

    pub fn ja(self) -> &'static str {
        match self {
            WorkRestriction::None => "就労制限なし",
            WorkRestriction::StatusOnly => "在留資格に基づく就労活動のみ可",
            WorkRestriction::DesignatedOnly => "指定書記載機関での在留資格に基づく就労活動のみ可",
            WorkRestriction::NotPermitted => "就労不可",
        }
    }
}

/// 資格外活動許可's comprehensive form (second generation's `D5`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comprehensive {
    /// `1`: up to 28 hours a week, no adult entertainment business.
    Ordinary,
    /// `2`: the same, for holders of 「教育」 and the like.
    Education,
}

/// 資格外活動許可.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutsideActivity {
    pub comprehensive: Option<Comprehensive>,
    /// An individual permission exists (its content is on the permission document).
    pub individual: bool,
}

impl OutsideActivity {
    /// In the words the clerk reads on the card's back (our wording, not the chip's).
    pub fn ja(&self) -> String {
        let mut parts = Vec::new();
        match self.comprehensive {
            Some(Comprehensive::Ordinary) => {
                parts.push("許可（原則週28時間以内・風俗営業等の従事を除く）")
            }
            Some(Comprehensive::Education) => {
                parts.push("許可（「教育」等の在留資格・原則週28時間以内）")
            }
            None => {}
        }
        if self.individual {
            parts.push("個別許可あり（許可書を確認）");
        }
        if parts.is_empty() {
            "なし".into()
        } else {
            parts.join("、")
        }
    }
}

/// The second generation's printed entries, as text.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct PrintedEntries {
    pub card_expiry: NaiveDate,
    /// `None` when the card's date is partly unknown (`19700000`); its text is then in
    /// `birth_date_text`.
    pub birth_date: Option<NaiveDate>,
    pub birth_date_text: String,
    pub sex: CardSex,
    /// ISO 3166-1 alpha-3 as the chip holds it ([`nationality::name_ja`] names it).
    pub nationality_code: String,
    /// The chip's 在留資格 code, for the clerk to compare with the card's face.
    pub status_code: Option<String>,
    pub period_of_stay: Option<PeriodOfStay>,
    pub work_restriction: Option<WorkRestriction>,
    /// 在留期間の満了日.
    pub period_end: Option<NaiveDate>,
    /// The values as signed.
    #[serde(skip)]
    pub signed_values: Vec<u8>,
}

/// Personal data: never in a log.
impl std::fmt::Debug for PrintedEntries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrintedEntries(…)")
    }
}

/// The pictures the chip holds instead of text (MMR-compressed TIFF, as stored): shown to the
/// clerk beside the fields they type, never read by OCR.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CardImages {
    /// Second generation: the name as printed.
    pub name: Option<Vec<u8>>,
    /// Second generation: the address as printed at issue (the city's later changes are on the
    /// back). Not covered by the issuer's signature: the clerk compares it with the card.
    pub address: Option<Vec<u8>>,
    /// First generation: the whole front side.
    pub front: Option<Vec<u8>>,
}

impl std::fmt::Debug for CardImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardImages(…)")
    }
}

/// Whose certificate signed the card's data: the trust anchor's subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedSignature {
    pub anchor: String,
}

/// What the back of the card records after issue — written by the city (the address) or the
/// immigration office (permissions, a pending application). The issuer's signature does not
/// cover it, so the clerk confirms it against the card's back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BackEntries {
    pub outside_activity: OutsideActivity,
    /// First generation: the permission as the card's text says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_activity_text: Option<String>,
    /// An application for renewal or change of status is pending (申請中).
    pub application_pending: bool,
    /// First generation: the address the city last wrote on the chip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// What a 在留カード or 特別永住者証明書 says: everything but `back` and the address image
/// under the issuer's verified signature.
#[derive(Clone, Serialize)]
pub struct ResidenceFacts {
    pub card_type: CardType,
    pub card_number: ResidenceCardNumber,
    /// Second generation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub printed: Option<PrintedEntries>,
    /// Not signed: for the clerk to confirm against the card's back.
    pub back: BackEntries,
    #[serde(skip)]
    pub images: CardImages,
    pub signature: VerifiedSignature,
}

impl std::fmt::Debug for ResidenceFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResidenceFacts(…)")
    }
}

impl ResidenceFacts {
    /// What the 住民票 records of the resident from this card. The 在留資格 stays for the
    /// clerk to choose by the card's face.
    pub fn foreign_resident(&self) -> ForeignResident {
        let printed = self.printed.as_ref();
        ForeignResident {
            country: printed
                .and_then(|p| nationality::name_ja(&p.nationality_code))
                .map(str::to_owned),
            card_number: Some(self.card_number.clone()),
            status: None,
            period_end: printed.and_then(|p| p.period_end),
            category: Some(self.card_type.document.category()),
            alias: None,
        }
    }
}
