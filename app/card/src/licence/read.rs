//! The exchanges with a driving licence, over any [`Transport`]: the tries of PIN 1 (using
//! none), and the read — SELECT MF, VERIFY PIN 1 once, SELECT DF1 and its EF01, READ BINARY
//! in chunks of 256 up to the file's 880 bytes.

use crate::apdu::Command;
use crate::error::{CardError, Step};
use crate::pin::Pin;
use crate::protocol::{PinState, Session, Transport};

use super::{DF1, EF_ENTRIES, ENTRIES_LEN, LicenceFacts, PIN1_REFERENCE};

/// SELECT MF (`00 A4 00 00`): the licence's top level, where its PINs are.
fn select_mf<T: Transport + ?Sized>(session: &mut Session<'_, T>) -> Result<(), CardError> {
    let answer = session.exchange(&Command::new(
        Step::SelectApplication,
        vec![0x00, 0xA4, 0x00, 0x00],
    ))?;
    match answer.status.0 {
        0x9000 => Ok(()),
        _ => Err(CardError::UnexpectedAnswer {
            step: Step::SelectApplication,
            status: answer.status,
        }),
    }
}

/// PIN 1's tries left, using none.
pub fn query_pin<T: Transport + ?Sized>(transport: &mut T) -> Result<PinState, CardError> {
    let mut session = Session::new(transport);
    select_mf(&mut session)?;
    let answer = session.exchange(&Command::new(
        Step::TriesLeft,
        vec![0x00, 0x20, 0x00, PIN1_REFERENCE],
    ))?;
    match (answer.status.sw1(), answer.status.sw2()) {
        (0x90, 0x00) => Ok(PinState::Verified),
        (0x63, 0xC0) | (0x69, 0x84) | (0x69, 0x83) => Ok(PinState::Blocked),
        (0x63, sw2) if sw2 & 0xF0 == 0xC0 => Ok(PinState::Ready {
            tries_left: sw2 & 0x0F,
        }),
        _ => Err(CardError::UnexpectedAnswer {
            step: Step::TriesLeft,
            status: answer.status,
        }),
    }
}

/// Verifies PIN 1 once and reads the 記載事項; returns the APDU count with the result.
pub fn read_licence<T: Transport + ?Sized>(
    transport: &mut T,
    pin: &Pin,
) -> (Result<LicenceFacts, CardError>, u32) {
    let mut session = Session::new(transport);
    let result = read_in_session(&mut session, pin);
    (result, session.apdu_count())
}

fn read_in_session<T: Transport + ?Sized>(
    session: &mut Session<'_, T>,
    pin: &Pin,
) -> Result<LicenceFacts, CardError> {
    select_mf(session)?;
    let mut verify = vec![0x00, 0x20, 0x00, PIN1_REFERENCE, 0x04];
    verify.extend_from_slice(pin.ascii_digits());
    let answer = session.exchange(&Command::new(Step::VerifyLicencePin, verify))?;
    match (answer.status.sw1(), answer.status.sw2()) {
        (0x90, 0x00) => {}
        (0x63, 0xC0) | (0x69, 0x84) | (0x69, 0x83) => return Err(CardError::LicencePinBlocked),
        (0x63, sw2) if sw2 & 0xF0 == 0xC0 => {
            return Err(CardError::WrongLicencePin {
                tries_left: sw2 & 0x0F,
            });
        }
        _ => {
            return Err(CardError::UnexpectedAnswer {
                step: Step::VerifyLicencePin,
                status: answer.status,
            });
        }
    }
    let selected = session.exchange(&Command::select_application(&DF1))?;
    if !selected.is_ok() {
        return Err(CardError::UnexpectedAnswer {
            step: Step::SelectApplication,
            status: selected.status,
        });
    }
    let selected = session.exchange(&Command::select_file(EF_ENTRIES))?;
    if !selected.is_ok() {
        return Err(CardError::UnexpectedAnswer {
            step: Step::SelectFile,
            status: selected.status,
        });
    }
    let mut file = Vec::with_capacity(ENTRIES_LEN);
    while file.len() < ENTRIES_LEN {
        let wanted = (ENTRIES_LEN - file.len()).min(256);
        // The offset stays below 880: P1 P2 hold it.
        let answer = session.exchange(&Command::read_binary(
            file.len() as u16,
            (wanted % 256) as u8,
        ))?;
        match answer.status.0 {
            // 62 82: the file ended before Le bytes; what exists is there.
            0x9000 | 0x6282 => {
                let take = answer.data.len().min(wanted);
                file.extend_from_slice(&answer.data[..take]);
                if answer.status.0 == 0x6282 || take == 0 {
                    break;
                }
            }
            0x6B00 => break,
            _ => {
                return Err(CardError::UnexpectedAnswer {
                    step: Step::ReadFile,
                    status: answer.status,
                });
            }
        }
    }
    LicenceFacts::from_file(&file)
}
