//! The command APDUs the counter sends to the 券面事項入力補助AP, and the card's answers.
//! All are short APDUs with CLA `00`; see `../shared/research/card-protocol.md`.

use zeroize::Zeroizing;

use crate::code_b::CodeB;
use crate::error::{CardError, StatusWord, Step};
use crate::pin::Pin;

/// AID of the 券面事項入力補助AP (card info input support application).
pub const CARD_INFO_AP: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
/// The PIN's elementary file inside the application.
pub const EF_PIN: [u8; 2] = [0x00, 0x11];
/// 氏名, 住所, 生年月日, 性別.
pub const EF_BASIC_FACTS: [u8; 2] = [0x00, 0x02];
/// 個人番号.
pub const EF_MY_NUMBER: [u8; 2] = [0x00, 0x01];
/// The 照合番号B key of the same application: fourteen digits from the card's face.
pub const EF_CODE_B: [u8; 2] = [0x00, 0x15];

const INS_SELECT: u8 = 0xA4;
const INS_VERIFY: u8 = 0x20;
const INS_READ_BINARY: u8 = 0xB0;
const INS_GET_RESPONSE: u8 = 0xC0;

/// One command, with the step it belongs to. The bytes are wiped when dropped, because a VERIFY
/// carries the PIN.
#[derive(Clone, Debug)]
pub struct Command {
    bytes: Zeroizing<Vec<u8>>,
    step: Step,
}

impl Command {
    pub(crate) fn new(step: Step, bytes: Vec<u8>) -> Command {
        Command {
            bytes: Zeroizing::new(bytes),
            step,
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn step(&self) -> Step {
        self.step
    }

    /// SELECT by DF name (AID), no answer data requested (P2 `0C`).
    pub fn select_application(aid: &[u8]) -> Command {
        let mut bytes = vec![0x00, INS_SELECT, 0x04, 0x0C, aid.len() as u8];
        bytes.extend_from_slice(aid);
        Command::new(Step::SelectApplication, bytes)
    }

    /// SELECT an elementary file by its two-byte id inside the current application.
    pub fn select_file(id: [u8; 2]) -> Command {
        Command::new(
            Step::SelectFile,
            vec![0x00, INS_SELECT, 0x02, 0x0C, 0x02, id[0], id[1]],
        )
    }

    /// VERIFY without data: asks how many tries are left without using one. Exactly four
    /// bytes; `00 20 00 80 00` would be a different command.
    pub fn tries_left() -> Command {
        Command::new(Step::TriesLeft, vec![0x00, INS_VERIFY, 0x00, 0x80])
    }

    /// VERIFY with the four ASCII digits of the PIN.
    pub fn verify(pin: &Pin) -> Command {
        let mut bytes = vec![0x00, INS_VERIFY, 0x00, 0x80, 0x04];
        bytes.extend_from_slice(pin.ascii_digits());
        Command::new(Step::VerifyPin, bytes)
    }

    /// VERIFY with the fourteen ASCII digits of the 照合番号B (its key file selected).
    pub fn verify_code_b(code: &CodeB) -> Command {
        let mut bytes = vec![0x00, INS_VERIFY, 0x00, 0x80, 0x0E];
        bytes.extend_from_slice(code.ascii_digits());
        Command::new(Step::VerifyCodeB, bytes)
    }

    /// READ BINARY from `offset` (at most 0x7FFF) of the current file; `le` 0 asks for 256.
    pub fn read_binary(offset: u16, le: u8) -> Command {
        let [p1, p2] = offset.to_be_bytes();
        Command::new(
            Step::ReadFile,
            vec![0x00, INS_READ_BINARY, p1 & 0x7F, p2, le],
        )
    }

    /// GET RESPONSE for data the card holds after a `61 xx`.
    pub fn get_response(le: u8) -> Command {
        Command::new(
            Step::GetResponse,
            vec![0x00, INS_GET_RESPONSE, 0x00, 0x00, le],
        )
    }

    /// The same command with another Le, for a card that answered `6C xx`.
    pub fn with_le(&self, le: u8) -> Command {
        let mut bytes = self.bytes.to_vec();
        if let Some(last) = bytes.last_mut() {
            *last = le;
        }
        Command::new(self.step, bytes)
    }
}

/// The card's answer: data and status word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub status: StatusWord,
}

impl Response {
    /// Splits raw response bytes. Fewer than two bytes means the card went away mid-command
    /// (pcscd returns an empty answer when the card is pulled).
    pub fn parse(raw: &[u8]) -> Result<Response, CardError> {
        if raw.len() < 2 {
            return Err(CardError::CardRemoved);
        }
        let (data, sw) = raw.split_at(raw.len() - 2);
        Ok(Response {
            data: data.to_vec(),
            status: StatusWord(u16::from_be_bytes([sw[0], sw[1]])),
        })
    }

    pub fn is_ok(&self) -> bool {
        self.status == StatusWord::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_match_the_documented_bytes() {
        assert_eq!(
            Command::select_application(&CARD_INFO_AP).bytes(),
            [
                0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04,
                0x08
            ]
        );
        assert_eq!(
            Command::select_file(EF_PIN).bytes(),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11]
        );
        assert_eq!(Command::tries_left().bytes(), [0x00, 0x20, 0x00, 0x80]);
        let pin = Pin::parse("1234").expect("valid pin");
        assert_eq!(
            Command::verify(&pin).bytes(),
            [0x00, 0x20, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34]
        );
        assert_eq!(
            Command::read_binary(0x0100, 0).bytes(),
            [0x00, 0xB0, 0x01, 0x00, 0x00]
        );
        assert_eq!(
            Command::read_binary(0, 0x11).with_le(0x20).bytes(),
            [0x00, 0xB0, 0x00, 0x00, 0x20]
        );
    }

    #[test]
    fn a_short_answer_means_the_card_is_gone() {
        assert_eq!(Response::parse(&[]), Err(CardError::CardRemoved));
        assert_eq!(Response::parse(&[0x90]), Err(CardError::CardRemoved));
        let ok = Response::parse(&[0x41, 0x90, 0x00]).expect("parses");
        assert!(ok.is_ok());
        assert_eq!(ok.data, [0x41]);
    }
}
