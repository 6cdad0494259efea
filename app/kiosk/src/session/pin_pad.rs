//! The on-screen PIN pad: four digits, the tries left, and a stop before the last try.
//!
//! The digits live only here, zeroised when cleared or dropped, and leave as a
//! `madoguchi_card::Pin` once, when the resident confirms.

use madoguchi_card::Pin;
use zeroize::Zeroizing;

pub const PIN_LENGTH: usize = 4;

#[derive(Default)]
pub struct PinPad {
    digits: Zeroizing<String>,
    /// From the card, before any try; `None` until the card answers.
    tries_left: Option<u8>,
    /// The resident agreed to use the last try.
    last_try_confirmed: bool,
}

/// The digits never print: a debug line says how many there are.
impl std::fmt::Debug for PinPad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinPad")
            .field("entered", &self.digits.len())
            .field("tries_left", &self.tries_left)
            .field("last_try_confirmed", &self.last_try_confirmed)
            .finish()
    }
}

/// What submitting the pad leads to.
#[derive(Debug)]
pub enum PinOutcome {
    /// Fewer than four digits: nothing is sent.
    Incomplete,
    /// One try is left: the resident must confirm first (nothing is sent).
    ConfirmLastTry,
    Send(Pin),
}

impl PinPad {
    pub fn new(tries_left: Option<u8>) -> PinPad {
        PinPad {
            digits: Zeroizing::new(String::new()),
            tries_left,
            last_try_confirmed: false,
        }
    }

    pub fn press(&mut self, digit: u8) {
        if digit <= 9 && self.digits.len() < PIN_LENGTH {
            self.digits.push(char::from(b'0' + digit));
        }
    }

    pub fn erase(&mut self) {
        self.digits.pop();
    }

    pub fn clear(&mut self) {
        self.digits.clear();
    }

    /// How many dots to show.
    pub fn entered(&self) -> usize {
        self.digits.len()
    }

    pub fn tries_left(&self) -> Option<u8> {
        self.tries_left
    }

    /// After a wrong PIN: the card's new count; the digits are cleared.
    pub fn wrong(&mut self, tries_left: u8) {
        self.tries_left = Some(tries_left);
        self.last_try_confirmed = false;
        self.clear();
    }

    pub fn confirm_last_try(&mut self) {
        self.last_try_confirmed = true;
    }

    pub fn submit(&mut self) -> PinOutcome {
        if self.digits.len() < PIN_LENGTH {
            return PinOutcome::Incomplete;
        }
        if self.tries_left == Some(1) && !self.last_try_confirmed {
            return PinOutcome::ConfirmLastTry;
        }
        match Pin::parse(&self.digits) {
            Ok(pin) => {
                self.clear();
                PinOutcome::Send(pin)
            }
            Err(_) => {
                self.clear();
                PinOutcome::Incomplete
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_digits_are_sent_once_and_cleared() {
        let mut pad = PinPad::new(Some(3));
        for d in [1, 2, 3] {
            pad.press(d);
        }
        assert!(matches!(pad.submit(), PinOutcome::Incomplete));
        pad.press(4);
        pad.press(5);
        assert_eq!(pad.entered(), 4, "a fifth digit is ignored");
        assert!(matches!(pad.submit(), PinOutcome::Send(_)));
        assert_eq!(pad.entered(), 0);
    }

    #[test]
    fn the_last_try_needs_a_confirmation() {
        let mut pad = PinPad::new(Some(3));
        pad.wrong(1);
        for d in [9, 9, 9, 9] {
            pad.press(d);
        }
        assert!(matches!(pad.submit(), PinOutcome::ConfirmLastTry));
        assert_eq!(pad.entered(), 4, "the digits wait for the answer");
        pad.confirm_last_try();
        assert!(matches!(pad.submit(), PinOutcome::Send(_)));
    }
}
