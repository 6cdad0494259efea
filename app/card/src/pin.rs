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
        digits::<4>(typed).map(Pin).ok_or(CardError::PinFormat)
    }

    /// The bytes VERIFY sends.
    pub(crate) fn ascii_digits(&self) -> &[u8; 4] {
        &self.0
    }
}

/// Exactly `N` digits, ASCII or full-width (an input method may send either), surrounding
/// white space ignored; what is read is wiped when the text is refused.
pub(crate) fn digits<const N: usize>(typed: &str) -> Option<[u8; N]> {
    let mut found = [0u8; N];
    let mut count = 0;
    for ch in typed.trim().chars() {
        let digit = match ch {
            '0'..='9' => ch as u8,
            '０'..='９' => b'0' + (ch as u32 - '０' as u32) as u8,
            _ => 0,
        };
        if digit == 0 || count == N {
            found.zeroize();
            return None;
        }
        found[count] = digit;
        count += 1;
    }
    if count == N {
        Some(found)
    } else {
        found.zeroize();
        None
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
