//! The 4-digit PIN of the 券面事項入力補助AP, checked before it goes anywhere near a card.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::CardError;

/// A PIN that is exactly four ASCII digits. Its bytes are wiped when it is dropped and it never
/// prints: `Debug` shows `Pin(****)`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Pin([u8; 4]);

impl Pin {
    /// Accepts four digits, ASCII or full-width (an input method may send either), with
    /// surrounding white space (a terminal's newline) ignored. Anything else is refused here,
    /// because every wrong VERIFY costs the resident one of three tries.
    pub fn parse(typed: &str) -> Result<Pin, CardError> {
        let mut digits = [0u8; 4];
        let mut count = 0;
        for ch in typed.trim().chars() {
            let digit = match ch {
                '0'..='9' => ch as u8,
                '０'..='９' => b'0' + (ch as u32 - '０' as u32) as u8,
                _ => return Err(CardError::PinFormat),
            };
            if count == digits.len() {
                digits.zeroize();
                return Err(CardError::PinFormat);
            }
            digits[count] = digit;
            count += 1;
        }
        if count != digits.len() {
            digits.zeroize();
            return Err(CardError::PinFormat);
        }
        Ok(Pin(digits))
    }

    /// The bytes VERIFY sends.
    pub(crate) fn ascii_digits(&self) -> &[u8; 4] {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_four_digits_only() {
        assert_eq!(Pin::parse("1234").expect("ok").ascii_digits(), b"1234");
        assert_eq!(Pin::parse(" 0000\n").expect("ok").ascii_digits(), b"0000");
        assert_eq!(Pin::parse("９８７６").expect("ok").ascii_digits(), b"9876");
        for bad in ["", "123", "12345", "12a4", "12 34", "١٢٣٤", "1234567890"] {
            assert_eq!(Pin::parse(bad), Err(CardError::PinFormat), "{bad:?}");
        }
    }

    #[test]
    fn never_prints_its_digits() {
        let pin = Pin::parse("4321").expect("ok");
        assert_eq!(format!("{pin:?}"), "Pin(****)");
    }
}
