//! The 個人番号 (My Number): twelve digits whose last is a check digit.
//!
//! It is 特定個人情報: the counter may read it only when a form needs it, must never store or
//! log it, and should keep it in memory no longer than needed. The type makes that the easy
//! path: it does not print, it is wiped on drop, and the digits come out only through
//! [`MyNumber::expose`].

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A 個人番号 whose check digit is right.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MyNumber(String);

/// Why twelve characters are not a 個人番号.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MyNumberError {
    NotTwelveDigits,
    WrongCheckDigit,
}

impl fmt::Display for MyNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MyNumberError::NotTwelveDigits => "a My Number is 12 digits",
            MyNumberError::WrongCheckDigit => "the My Number's check digit is wrong",
        })
    }
}

impl std::error::Error for MyNumberError {}

impl MyNumber {
    pub fn parse(digits: &str) -> Result<MyNumber, MyNumberError> {
        let bytes = digits.as_bytes();
        if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(MyNumberError::NotTwelveDigits);
        }
        let body: [u8; 11] = std::array::from_fn(|i| bytes[i] - b'0');
        if check_digit(&body) != bytes[11] - b'0' {
            return Err(MyNumberError::WrongCheckDigit);
        }
        Ok(MyNumber(digits.to_owned()))
    }

    /// The twelve digits. Call this only to put the number on a form or a screen.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MyNumber(************)")
    }
}

/// The check digit of the first eleven digits (個人番号の検査用数字, 総務省令第85号 第5条):
/// weights 2 to 7 then 2 to 6 counted from the right, modulo 11.
pub fn check_digit(body: &[u8; 11]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &digit)| {
            let n = i as u32 + 1;
            let weight = if n <= 6 { n + 1 } else { n - 5 };
            u32::from(digit) * weight
        })
        .sum();
    let remainder = sum % 11;
    if remainder <= 1 {
        0
    } else {
        (11 - remainder) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_the_check_digit() {
        // Worked by hand: 12345678901 → weights from the right 2,3,4,5,6,7,2,3,4,5,6.
        // 1·2+0·3+9·4+8·5+7·6+6·7+5·2+4·3+3·4+2·5+1·6 = 212; 212 mod 11 = 3; 11-3 = 8.
        assert_eq!(check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]), 8);
        assert!(MyNumber::parse("123456789018").is_ok());
        assert_eq!(
            MyNumber::parse("123456789012"),
            Err(MyNumberError::WrongCheckDigit)
        );
        assert_eq!(
            MyNumber::parse("12345678901"),
            Err(MyNumberError::NotTwelveDigits)
        );
        assert_eq!(
            MyNumber::parse("１２３４５６７８９０１８"),
            Err(MyNumberError::NotTwelveDigits)
        );
        // Remainders 0 and 1 give check digit 0.
        assert_eq!(check_digit(&[0; 11]), 0);
    }

    #[test]
    fn any_other_final_digit_is_refused() {
        for last in b'0'..=b'9' {
            let text = format!("12345678901{}", last as char);
            assert_eq!(MyNumber::parse(&text).is_ok(), last == b'8', "{text}");
        }
    }

    #[test]
    fn never_prints_its_digits() {
        let number = MyNumber::parse("123456789018").expect("valid");
        assert!(!format!("{number:?}").contains("1234"));
    }
}
