//! 照合番号B: the fourteen digits printed on the My Number card's face that open the
//! 券面事項入力補助AP's basic facts without the PIN — the birth date as the card prints it (the
//! era year, month and day, two digits each), the card's expiry year (four digits) and the
//! four-digit セキュリティコード.
//!
//! For a resident who has forgotten the PIN, or has one try left: the code costs tries of its
//! own (the card counts them apart from the PIN's), so it is checked here, part by part, before
//! anything is sent. Like the PIN it never prints and is wiped when dropped.

use std::fmt;

use chrono::NaiveDate;
use madoguchi_domain::wareki::WarekiDate;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{CardError, CodeBPart};
use crate::pin::digits;

/// The years a card can expire in: the first cards were issued in 2016 and are valid at most
/// ten years after the holder's tenth birthday following issue; a little room either side.
const EXPIRY_YEARS: std::ops::RangeInclusive<u32> = 2016..=2045;

/// Fourteen ASCII digits that can be a 照合番号B.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct CodeB([u8; 14]);

impl CodeB {
    /// From what the resident reads off the card: the birth date (a calendar date, which the
    /// card prints in its era), the expiry year and the security code. Digits may be
    /// full-width; anything else is refused with the part named.
    pub fn new(
        birth: NaiveDate,
        expiry_year: &str,
        security_code: &str,
    ) -> Result<CodeB, CardError> {
        let era = WarekiDate::from_date(birth).map_err(|_| CardError::CodeBFormat {
            part: CodeBPart::BirthDate,
        })?;
        if era.year > 99 {
            return Err(CardError::CodeBFormat {
                part: CodeBPart::BirthDate,
            });
        }
        let birth = format!("{:02}{:02}{:02}", era.year, era.month, era.day);
        CodeB::from_printed(&birth, expiry_year, security_code)
    }

    /// From the three parts as printed: the birth date as six digits (era year, month, day),
    /// the expiry year as four and the security code as four.
    pub fn from_printed(
        birth_yymmdd: &str,
        expiry_year: &str,
        security_code: &str,
    ) -> Result<CodeB, CardError> {
        let birth = digits::<6>(birth_yymmdd).ok_or(CardError::CodeBFormat {
            part: CodeBPart::BirthDate,
        })?;
        let month = u32::from(birth[2] - b'0') * 10 + u32::from(birth[3] - b'0');
        let day = u32::from(birth[4] - b'0') * 10 + u32::from(birth[5] - b'0');
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(CardError::CodeBFormat {
                part: CodeBPart::BirthDate,
            });
        }
        let expiry = digits::<4>(expiry_year).ok_or(CardError::CodeBFormat {
            part: CodeBPart::ExpiryYear,
        })?;
        let year = expiry
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        if !EXPIRY_YEARS.contains(&year) {
            return Err(CardError::CodeBFormat {
                part: CodeBPart::ExpiryYear,
            });
        }
        let code = digits::<4>(security_code).ok_or(CardError::CodeBFormat {
            part: CodeBPart::SecurityCode,
        })?;
        let mut all = [0u8; 14];
        all[..6].copy_from_slice(&birth);
        all[6..10].copy_from_slice(&expiry);
        all[10..].copy_from_slice(&code);
        Ok(CodeB(all))
    }

    /// The bytes VERIFY sends.
    pub(crate) fn ascii_digits(&self) -> &[u8; 14] {
        &self.0
    }
}

impl fmt::Debug for CodeB {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeB(**************)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn the_birth_date_is_written_in_its_era() {
        // 昭和63年2月29日, expiring 2034, code 5678.
        let code = CodeB::new(day(1988, 2, 29), "2034", "5678").expect("valid");
        assert_eq!(code.ascii_digits(), b"63022920345678");
        // 令和2年2月24日; full-width digits as an input method sends them.
        let code = CodeB::new(day(2020, 2, 24), "２０３０", "０１２３").expect("valid");
        assert_eq!(code.ascii_digits(), b"02022420300123");
        // 平成31年4月30日 and 令和元年5月1日, either side of the change of era.
        assert_eq!(
            &CodeB::new(day(2019, 4, 30), "2029", "1111")
                .expect("ok")
                .ascii_digits()[..6],
            b"310430"
        );
        assert_eq!(
            &CodeB::new(day(2019, 5, 1), "2029", "1111")
                .expect("ok")
                .ascii_digits()[..6],
            b"010501"
        );
    }

    #[test]
    fn each_part_is_checked_before_anything_is_sent() {
        let part = |r: Result<CodeB, CardError>| match r {
            Err(CardError::CodeBFormat { part }) => Some(part),
            _ => None,
        };
        for (birth, expiry, code, wrong) in [
            ("630229", "2034", "567", CodeBPart::SecurityCode),
            ("630229", "2034", "56789", CodeBPart::SecurityCode),
            ("630229", "2034", "56a8", CodeBPart::SecurityCode),
            ("630229", "34", "5678", CodeBPart::ExpiryYear),
            ("630229", "1999", "5678", CodeBPart::ExpiryYear),
            ("631329", "2034", "5678", CodeBPart::BirthDate),
            ("630200", "2034", "5678", CodeBPart::BirthDate),
            ("6302291", "2034", "5678", CodeBPart::BirthDate),
            ("", "", "", CodeBPart::BirthDate),
        ] {
            assert_eq!(
                part(CodeB::from_printed(birth, expiry, code)),
                Some(wrong),
                "{birth} {expiry} {code}"
            );
        }
        assert!(CodeB::from_printed(" 630229 ", "2034\n", "5678").is_ok());
        // A birth before 明治 cannot be printed on a card.
        assert_eq!(
            part(CodeB::new(day(1850, 1, 1), "2034", "5678")),
            Some(CodeBPart::BirthDate)
        );
    }

    #[test]
    fn never_prints_its_digits() {
        let code = CodeB::from_printed("630229", "2034", "5678").expect("ok");
        assert!(!format!("{code:?}").contains('6'));
    }
}
