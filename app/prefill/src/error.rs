//! What can be wrong with a pre-fill code, in words for the clerk and the resident.

use chrono::NaiveDate;

/// Every way a code can fail to decode or encode. Messages are in Japanese and English and
/// carry no personal data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrefillError {
    /// Not a Madoguchi code at all (another QR code, or a scanner that typed something else).
    #[error("{}", self.message_en())]
    WrongPrefix,
    /// A Madoguchi code of a format version this kiosk does not know.
    #[error("{}", self.message_en())]
    UnsupportedVersion { version: String },
    /// A code of the older format (`MDG1`) whose household cannot be written as the 住民票 does:
    /// it said a member was a "sibling" or "other relative", not which 続柄. `detail` names the
    /// member by position only.
    #[error("{}", self.message_en())]
    OlderFormat { detail: String },
    /// The code was read but its content is damaged or does not follow the format.
    #[error("{}", self.message_en())]
    Corrupt { detail: String },
    /// Some parts of a multi-part code are still missing.
    #[error("{}", self.message_en())]
    MissingParts { missing: Vec<u8>, count: u8 },
    /// Parts of two different codes were read together.
    #[error("{}", self.message_en())]
    MixedPayloads,
    /// The code's last day of use has passed.
    #[error("{}", self.message_en())]
    Expired { expired_on: NaiveDate },
    /// The code's dates cannot be right: valid for longer than the format allows, expiring
    /// before it was made, or made in the future.
    #[error("{}", self.message_en())]
    Validity {
        issued: NaiveDate,
        expires: NaiveDate,
    },
    /// More data than the format allows (more than four symbols, or a decompression bomb).
    #[error("{}", self.message_en())]
    TooLarge { detail: String },
    /// Nothing was given to decode.
    #[error("{}", self.message_en())]
    Empty,
}

impl PrefillError {
    /// A stable id for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            PrefillError::WrongPrefix => "wrong_prefix",
            PrefillError::UnsupportedVersion { .. } => "unsupported_version",
            PrefillError::OlderFormat { .. } => "older_format",
            PrefillError::Corrupt { .. } => "corrupt",
            PrefillError::MissingParts { .. } => "missing_parts",
            PrefillError::MixedPayloads => "mixed_payloads",
            PrefillError::Expired { .. } => "expired",
            PrefillError::Validity { .. } => "validity",
            PrefillError::TooLarge { .. } => "too_large",
            PrefillError::Empty => "empty",
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            PrefillError::WrongPrefix => {
                "窓口用のQRコードではありません。ご自宅で作成したQRコードをかざしてください。".into()
            }
            PrefillError::UnsupportedVersion { version } => format!(
                "新しい形式（{version}）のQRコードのため読み取れません。職員が入力します。"
            ),
            PrefillError::OlderFormat { .. } => "古い形式のQRコードのため、ご家族の続柄（兄・姉・妻の母など）がわかりません。ホームページで作り直すか、職員が入力します。".into(),
            PrefillError::Corrupt { .. } => "QRコードの内容が壊れています。もう一度かざしてください。続く場合は職員が入力します。".into(),
            PrefillError::MissingParts { missing, count } => format!(
                "QRコードは{count}枚あります。残りの{}枚目をかざしてください。",
                join(missing, "・")
            ),
            PrefillError::MixedPayloads => "別々に作成したQRコードが混ざっています。同じときに作成したものだけをかざしてください。".into(),
            PrefillError::Expired { expired_on } => format!(
                "QRコードの有効期限（{}）が過ぎています。作り直すか、職員が入力します。",
                expired_on.format("%Y年%m月%d日")
            ),
            PrefillError::Validity { .. } => format!(
                "QRコードの有効期間が正しくありません（作成日から{}日までです）。作り直すか、職員が入力します。",
                crate::symbol::MAX_VALID_DAYS
            ),
            PrefillError::TooLarge { .. } => {
                "QRコードの情報が多すぎます。職員が入力します。".into()
            }
            PrefillError::Empty => "QRコードが読み取れませんでした。".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            PrefillError::WrongPrefix => {
                "This is not a Madoguchi code. Show the QR code made at home.".into()
            }
            PrefillError::UnsupportedVersion { version } => format!(
                "This code uses a newer format ({version}) that this kiosk cannot read. The clerk will type the details."
            ),
            PrefillError::OlderFormat { detail } => format!(
                "This code was made in the older format (MDG1), which does not say which relation {detail} is (elder or younger brother, wife's mother …). Make a new code on the home page, or the clerk will type the details."
            ),
            PrefillError::Corrupt { detail } => format!(
                "The code's content is damaged ({detail}). Show it again; if it came from a scanner, check the scanner's keyboard layout (US/JIS). Otherwise the clerk will type the details."
            ),
            PrefillError::MissingParts { missing, count } => format!(
                "This code has {count} parts. Show part {} as well.",
                join(missing, ", ")
            ),
            PrefillError::MixedPayloads => {
                "Parts of two different codes were shown. Show only the parts made together.".into()
            }
            PrefillError::Expired { expired_on } => format!(
                "This code expired on {expired_on}. Make a new one, or the clerk will type the details."
            ),
            PrefillError::Validity { issued, expires } => format!(
                "This code's dates cannot be right (made {issued}, valid until {expires}; a code is valid for at most {} days from the day it is made). Make a new one, or the clerk will type the details.",
                crate::symbol::MAX_VALID_DAYS
            ),
            PrefillError::TooLarge { detail } => {
                format!("The code holds too much data ({detail}). The clerk will type the details.")
            }
            PrefillError::Empty => "No code was read.".into(),
        }
    }

    pub(crate) fn corrupt(detail: impl Into<String>) -> PrefillError {
        PrefillError::Corrupt {
            detail: detail.into(),
        }
    }
}

fn join(numbers: &[u8], separator: &str) -> String {
    numbers
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}
