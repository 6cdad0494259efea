//! What people type, read one way everywhere: the home page, the kiosk's screens and the
//! supervisor's editor all parse dates, postal codes, ふりがな and numbers here, so that the
//! same text gives the same result wherever it is typed, and a value that cannot be read is an
//! error beside its field — never silently dropped.
//!
//! Full-width digits and separators are read as their ASCII forms (a Japanese keyboard gives
//! either). Every function is pure and bounded: text longer than [`MAX_TYPED_CHARS`] is
//! refused unread.

use chrono::NaiveDate;

use crate::foreign::{ForeignCategory, ResidenceCardNumber, ResidenceStatus};
use crate::wareki;

/// The longest text read as one typed value: the longest date (`令和元年十二月三十一日` and
/// spaces) or postal code is far shorter.
pub const MAX_TYPED_CHARS: usize = 64;

/// Why a typed value cannot be used, in words for the person who typed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{}", self.message_en())]
    Date,
    #[error("{}", self.message_en())]
    PostalCode,
    #[error("{}", self.message_en())]
    Kana,
    #[error("{}", self.message_en())]
    WholeNumber,
    #[error("{}", self.message_en())]
    Phone,
    #[error("{}", self.message_en())]
    ResidenceCard,
    #[error("{}", self.message_en())]
    ResidenceStatus,
    #[error("{}", self.message_en())]
    ForeignCategory,
    #[error("{}", self.message_en())]
    Relation,
}

impl InputError {
    pub const ALL: [InputError; 9] = [
        InputError::Date,
        InputError::PostalCode,
        InputError::Kana,
        InputError::WholeNumber,
        InputError::Phone,
        InputError::ResidenceCard,
        InputError::ResidenceStatus,
        InputError::ForeignCategory,
        InputError::Relation,
    ];

    pub fn message_ja(self) -> &'static str {
        match self {
            InputError::Date => {
                "日付として読めません。2026-04-01 や 令和8年4月1日 のように入力してください。"
            }
            InputError::PostalCode => "郵便番号は7けたの数字です（例：123-4567）。",
            InputError::Kana => "ふりがなは、ひらがなかカタカナで入力してください。",
            InputError::WholeNumber => "数字で入力してください（例：14）。",
            InputError::Phone => "電話番号は数字で入力してください（例：046-822-4000）。",
            InputError::ResidenceCard => {
                "在留カード等番号は英字2文字・数字8桁・英字2文字の12文字です（例：AB12345678CD）。"
            }
            InputError::ResidenceStatus => {
                "在留資格はカードの記載どおりに入力してください（例：技術・人文知識・国際業務、永住者、留学）。"
            }
            InputError::ForeignCategory => {
                "区分は、中長期在留者・特別永住者・一時庇護許可者・仮滞在許可者・出生による経過滞在者・国籍喪失による経過滞在者のどれかです。"
            }
            InputError::Relation => {
                "続柄は16文字までの1行で入力してください（例：子、兄、妻の弟）。"
            }
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            InputError::Date => "Not a date: enter it like 2026-04-01 or 令和8年4月1日.",
            InputError::PostalCode => "A postal code is 7 digits (e.g. 123-4567).",
            InputError::Kana => "Enter the reading in hiragana or katakana.",
            InputError::WholeNumber => "Enter a whole number (e.g. 14).",
            InputError::Phone => "Enter the telephone number in digits (e.g. 046-822-4000).",
            InputError::ResidenceCard => {
                "A residence card number is 12 characters: 2 letters, 8 digits, 2 letters (e.g. AB12345678CD)."
            }
            InputError::ResidenceStatus => {
                "Enter the status of residence as the card prints it (e.g. 技術・人文知識・国際業務, 永住者, 留学)."
            }
            InputError::ForeignCategory => {
                "The category is one of 中長期在留者, 特別永住者, 一時庇護許可者, 仮滞在許可者, 出生による経過滞在者 and 国籍喪失による経過滞在者."
            }
            InputError::Relation => {
                "Enter the relation on one line, at most 16 characters (e.g. 子, 兄, 妻の弟)."
            }
        }
    }
}

fn bounded(text: &str) -> Option<&str> {
    let text = text.trim();
    (text.chars().count() <= MAX_TYPED_CHARS).then_some(text)
}

/// A date in 西暦 (`2026-04-01`, `2026/4/1`, `20260401`) or 和暦 (`令和8年4月1日`, `R8.4.1`,
/// `平成元年…`), full-width or not, inside the window a case may name
/// (`crate::limits`).
pub fn date(text: &str) -> Result<NaiveDate, InputError> {
    bounded(text)
        .and_then(wareki::parse)
        .ok_or(InputError::Date)
}

/// A date that may be left empty.
pub fn optional_date(text: &str) -> Result<Option<NaiveDate>, InputError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        date(text).map(Some)
    }
}

/// A postal code as its seven ASCII digits, from `123-4567`, `1234567`, `〒123-4567` or
/// full-width input.
pub fn postal_code(text: &str) -> Result<String, InputError> {
    let text = bounded(text).ok_or(InputError::PostalCode)?;
    let text = text.trim_start_matches('〒').trim();
    let mut digits = String::with_capacity(7);
    for c in text.chars() {
        match ascii_digit(c) {
            Some(digit) => digits.push(digit),
            None if is_dash(c) || c == ' ' || c == '\u{3000}' => {}
            None => return Err(InputError::PostalCode),
        }
    }
    if digits.len() == 7 {
        Ok(digits)
    } else {
        Err(InputError::PostalCode)
    }
}

/// A telephone number as forms print it: ASCII digits with single hyphens between groups, from
/// full-width digits, dashes of any kind and spaces (`０４６－８２２ ４０００`). Brackets
/// around the area code read as hyphens (`(046)822-4000`).
pub fn phone(text: &str) -> Result<String, InputError> {
    let text = bounded(text).ok_or(InputError::Phone)?;
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match ascii_digit(c) {
            Some(digit) => out.push(digit),
            None if is_dash(c) || matches!(c, ' ' | '\u{3000}' | '(' | ')' | '（' | '）') => {
                if !out.is_empty() && !out.ends_with('-') {
                    out.push('-');
                }
            }
            None => return Err(InputError::Phone),
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if crate::filer::is_phone(&out) {
        Ok(out)
    } else {
        Err(InputError::Phone)
    }
}

/// What family from outside the household are to the member (子, 兄, 妻の弟), as they say it;
/// empty for none.
pub fn optional_relation(text: &str) -> Result<Option<String>, InputError> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else if text.chars().count() > crate::limits::MAX_RELATION_CHARS
        || text.chars().any(char::is_control)
    {
        Err(InputError::Relation)
    } else {
        Ok(Some(text.to_string()))
    }
}

/// A telephone number that may be left empty.
pub fn optional_phone(text: &str) -> Result<Option<String>, InputError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        phone(text).map(Some)
    }
}

/// A postal code that may be left empty.
pub fn optional_postal_code(text: &str) -> Result<Option<String>, InputError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        postal_code(text).map(Some)
    }
}

/// ふりがな: hiragana or katakana, the long-vowel mark, the middle dot and spaces, trimmed.
pub fn kana(text: &str) -> Result<String, InputError> {
    let text = text.trim();
    let readable = !text.is_empty()
        && text.chars().count() <= crate::limits::MAX_NAME_CHARS
        && text.chars().all(|c| {
            matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | 'ー' | '・' | ' ' | '\u{3000}')
        });
    if readable {
        Ok(text.to_string())
    } else {
        Err(InputError::Kana)
    }
}

/// ふりがな that may be left empty.
pub fn optional_kana(text: &str) -> Result<Option<String>, InputError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        kana(text).map(Some)
    }
}

/// A whole number, in ASCII or full-width digits, with an optional minus sign.
pub fn whole_number(text: &str) -> Result<i64, InputError> {
    let text = bounded(text).ok_or(InputError::WholeNumber)?;
    let mut ascii = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match ascii_digit(c) {
            Some(digit) => ascii.push(digit),
            None if i == 0 && (c == '-' || c == '－' || c == '−') => ascii.push('-'),
            None => return Err(InputError::WholeNumber),
        }
    }
    ascii.parse().map_err(|_| InputError::WholeNumber)
}

/// A digit typed in ASCII or full width.
pub fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
        _ => None,
    }
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '－' | '−' | 'ー' | '‐' | '―')
}

/// A value that may be left empty, read by `parse`; `error` when it does not read (or is
/// longer than anyone types).
fn optional_read<T>(
    text: &str,
    parse: impl FnOnce(&str) -> Option<T>,
    error: InputError,
) -> Result<Option<T>, InputError> {
    match bounded(text) {
        Some("") => Ok(None),
        Some(text) => parse(text).map(Some).ok_or(error),
        None => Err(error),
    }
}

/// A 在留カード等番号 that may be left empty: full-width, small letters and spaces are read
/// (`crate::foreign::ResidenceCardNumber::parse`).
pub fn optional_residence_card(text: &str) -> Result<Option<ResidenceCardNumber>, InputError> {
    optional_read(
        text,
        |t| ResidenceCardNumber::parse(t).ok(),
        InputError::ResidenceCard,
    )
}

/// A 在留資格 that may be left empty, as the card prints it.
pub fn optional_residence_status(text: &str) -> Result<Option<ResidenceStatus>, InputError> {
    optional_read(
        text,
        |t| ResidenceStatus::parse(t).ok(),
        InputError::ResidenceStatus,
    )
}

/// A 法第30条の45 区分 that may be left empty: its words (中長期在留者) or its id.
pub fn optional_foreign_category(text: &str) -> Result<Option<ForeignCategory>, InputError> {
    optional_read(
        text,
        |t| ForeignCategory::from_ja(t).or_else(|| ForeignCategory::from_id(t)),
        InputError::ForeignCategory,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn dates_in_every_form_people_type() {
        for text in [
            "2026-04-01",
            "2026/4/1",
            "２０２６／４／１",
            "20260401",
            "令和8年4月1日",
            "令和８年４月１日",
            "R8.4.1",
            " 2026-4-01 ",
        ] {
            assert_eq!(date(text), Ok(day(2026, 4, 1)), "{text}");
        }
        for text in ["", "あした", "2026-13-01", "1600-01-01", "令和999年1月1日"] {
            assert_eq!(date(text), Err(InputError::Date), "{text}");
        }
        assert_eq!(date(&"1".repeat(10_000)), Err(InputError::Date));
        assert_eq!(optional_date("  "), Ok(None));
    }

    #[test]
    fn postal_codes() {
        for text in [
            "123-4567",
            "1234567",
            "〒123-4567",
            "１２３－４５６７",
            "123 4567",
        ] {
            assert_eq!(postal_code(text).as_deref(), Ok("1234567"), "{text}");
        }
        for text in ["123-456", "12345678", "abc-defg", "123-45６7x"] {
            assert_eq!(postal_code(text), Err(InputError::PostalCode), "{text}");
        }
        assert_eq!(optional_postal_code(""), Ok(None));
    }

    #[test]
    fn kana_and_numbers() {
        assert!(kana("やまだ　たろう").is_ok());
        assert!(kana("ヤマダ タロー").is_ok());
        assert_eq!(kana("山田"), Err(InputError::Kana));
        assert_eq!(optional_kana(""), Ok(None));
        assert_eq!(whole_number("１４"), Ok(14));
        assert_eq!(whole_number("-3"), Ok(-3));
        assert_eq!(whole_number("－３"), Ok(-3));
        assert_eq!(whole_number("1-4"), Err(InputError::WholeNumber));
        assert_eq!(
            whole_number("99999999999999999999"),
            Err(InputError::WholeNumber)
        );
    }

    #[test]
    fn phone_numbers_are_read_as_residents_type_them() {
        assert_eq!(phone("046-822-4000"), Ok("046-822-4000".into()));
        assert_eq!(phone("０４６－８２２ ４０００"), Ok("046-822-4000".into()));
        assert_eq!(phone("(046)822-4000"), Ok("046-822-4000".into()));
        assert_eq!(phone("09012345678"), Ok("09012345678".into()));
        assert_eq!(phone("046-822-4000 内線12"), Err(InputError::Phone));
        assert_eq!(phone("12"), Err(InputError::Phone));
        assert_eq!(phone(&"1".repeat(10_000)), Err(InputError::Phone));
        assert_eq!(optional_phone("  "), Ok(None));
    }

    #[test]
    fn every_error_speaks_both_languages() {
        for error in [
            InputError::Date,
            InputError::PostalCode,
            InputError::Kana,
            InputError::WholeNumber,
            InputError::Phone,
        ] {
            assert!(!error.message_ja().is_empty());
            assert!(error.message_en().is_ascii() || error == InputError::Date);
        }
    }
}
