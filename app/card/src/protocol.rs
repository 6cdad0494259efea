//! The conversation with the 券面事項入力補助AP, independent of how bytes reach the card.
//!
//! [`query_pin`] and [`read_card`] are the two exchanges the counter makes. They are written
//! against [`Transport`] so that the same code runs over PC/SC in the kiosk and straight against
//! the virtual card in unit tests.

use crate::apdu::{
    CARD_INFO_AP, Command, EF_BASIC_FACTS, EF_CODE_B, EF_MY_NUMBER, EF_PIN, Response,
};
use crate::code_b::CodeB;
use crate::error::{CardError, StatusWord, Step};
use crate::facts::BasicFacts;
use crate::my_number::MyNumber;
use crate::pin::Pin;
use crate::tlv;

/// Sends one command APDU and returns the raw answer (data and status word).
pub trait Transport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError>;
}

/// The largest EF we are willing to read: P1 P2 address at most 0x7FFF bytes.
const MAX_FILE_LEN: usize = 0x7FFF;

/// What the tries query found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum PinState {
    /// The PIN may be tried `tries_left` more times.
    Ready { tries_left: u8 },
    /// Already verified in this card session (no try needed).
    Verified,
    /// Locked: the resident must go to the 市民課 counter.
    Blocked,
}

/// What a read returns: the four facts, the 個人番号 only when asked for.
#[derive(Debug)]
pub struct CardRead {
    pub facts: BasicFacts,
    pub my_number: Option<MyNumber>,
}

/// Counts the commands sent, for the benchmark and for tests that pin the APDU budget.
#[derive(Debug)]
pub struct Session<'t, T: Transport + ?Sized> {
    transport: &'t mut T,
    apdus: u32,
}

impl<'t, T: Transport + ?Sized> Session<'t, T> {
    pub fn new(transport: &'t mut T) -> Self {
        Session {
            transport,
            apdus: 0,
        }
    }

    /// Commands sent so far, retries for `6C` / `61` included.
    pub fn apdu_count(&self) -> u32 {
        self.apdus
    }

    fn send(&mut self, command: &Command) -> Result<Response, CardError> {
        self.apdus += 1;
        let raw = self.transport.transmit(command.bytes())?;
        let response = Response::parse(&raw);
        // The step and the status word only: commands and answers carry the PIN and the facts.
        match &response {
            Ok(answer) => {
                tracing::debug!(step = %command.step(), status = %answer.status, "card answered")
            }
            Err(error) => {
                tracing::debug!(step = %command.step(), error = error.code(), "no answer")
            }
        }
        response
    }

    /// Sends a command and follows the card's requests to resend with the right Le (`6C xx`)
    /// or to fetch the rest with GET RESPONSE (`61 xx`). Never loops: at most a few follow-ups.
    pub(crate) fn exchange(&mut self, command: &Command) -> Result<Response, CardError> {
        let mut response = self.send(command)?;
        if response.status.sw1() == 0x6C {
            response = self.send(&command.with_le(response.status.sw2()))?;
        }
        let mut data = std::mem::take(&mut response.data);
        let mut follow_ups = 0;
        while response.status.sw1() == 0x61 {
            follow_ups += 1;
            if follow_ups > 32 {
                return Err(unexpected(Step::GetResponse, response.status));
            }
            response = self.send(&Command::get_response(response.status.sw2()))?;
            data.append(&mut response.data);
        }
        response.data = data;
        Ok(response)
    }

    /// SELECT the application by its AID. Any refusal means this is not a My Number card.
    pub fn select_application(&mut self) -> Result<(), CardError> {
        let response = self.exchange(&Command::select_application(&CARD_INFO_AP))?;
        match response.status.0 {
            0x9000 => Ok(()),
            0x6A82 | 0x6A86 | 0x6A87 | 0x6D00 | 0x6E00 | 0x6999 => Err(CardError::NotMyNumberCard),
            _ => Err(unexpected(Step::SelectApplication, response.status)),
        }
    }

    pub fn select_file(&mut self, id: [u8; 2]) -> Result<(), CardError> {
        let response = self.exchange(&Command::select_file(id))?;
        match response.status.0 {
            0x9000 => Ok(()),
            // The application answered but lacks the file: not the card we know.
            0x6A82 => Err(CardError::NotMyNumberCard),
            _ => Err(unexpected(Step::SelectFile, response.status)),
        }
    }

    /// Asks the tries left for the PIN of the current file without using one.
    pub fn pin_state(&mut self) -> Result<PinState, CardError> {
        let response = self.exchange(&Command::tries_left())?;
        let status = response.status;
        match (status.sw1(), status.sw2()) {
            (0x90, 0x00) => Ok(PinState::Verified),
            (0x63, 0xC0) | (0x69, 0x84) | (0x69, 0x83) => Ok(PinState::Blocked),
            (0x63, sw2) if sw2 & 0xF0 == 0xC0 => Ok(PinState::Ready {
                tries_left: sw2 & 0x0F,
            }),
            _ => Err(unexpected(Step::TriesLeft, status)),
        }
    }

    /// Sends VERIFY exactly once. A wrong PIN reports the tries the card says are left.
    pub fn verify(&mut self, pin: &Pin) -> Result<(), CardError> {
        let response = self.exchange(&Command::verify(pin))?;
        verify_answer(
            response.status,
            Step::VerifyPin,
            CardError::PinBlocked,
            |tries_left| CardError::WrongPin { tries_left },
        )
    }

    /// Sends VERIFY with the 照合番号B exactly once (its key selected). A wrong code reports the
    /// tries the card says are left, counted apart from the PIN's.
    pub fn verify_code_b(&mut self, code: &CodeB) -> Result<(), CardError> {
        let response = self.exchange(&Command::verify_code_b(code))?;
        verify_answer(
            response.status,
            Step::VerifyCodeB,
            CardError::CodeBBlocked,
            |tries_left| CardError::WrongCodeB { tries_left },
        )
    }

    /// Reads the current file's first TLV object whole: 256 bytes first, then the rest in
    /// chunks of at most 256 at increasing offsets, as its BER length says.
    pub fn read_object(&mut self) -> Result<Vec<u8>, CardError> {
        let mut file = self.read_chunk(0, 0)?;
        let header = tlv::read_header(&file).map_err(|e| CardError::BadCardData {
            detail: e.to_string(),
        })?;
        let total = header.total_len();
        if total > MAX_FILE_LEN {
            return Err(CardError::BadCardData {
                detail: format!("object of {total} bytes is larger than a card file"),
            });
        }
        while file.len() < total {
            let wanted = (total - file.len()).min(256);
            // Le 0 asks for 256; the offset is below MAX_FILE_LEN, checked above.
            let chunk = self.read_chunk(file.len() as u16, (wanted % 256) as u8)?;
            if chunk.is_empty() {
                return Err(CardError::BadCardData {
                    detail: format!("file ends at {} of {total} bytes", file.len()),
                });
            }
            file.extend_from_slice(&chunk);
        }
        Ok(file)
    }

    fn read_chunk(&mut self, offset: u16, le: u8) -> Result<Vec<u8>, CardError> {
        let response = self.exchange(&Command::read_binary(offset, le))?;
        match response.status.0 {
            // 62 82: end of file reached before Le bytes: the data that exists is there.
            0x9000 | 0x6282 => Ok(response.data),
            0x6B00 => Err(CardError::BadCardData {
                detail: format!("file ends before byte {offset}"),
            }),
            _ => Err(unexpected(Step::ReadFile, response.status)),
        }
    }
}

/// Which card is on the reader, found by selecting applications (never by the ATR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    /// The 券面事項入力補助AP answers: a My Number card (a 特定在留カード too).
    MyNumberCard,
    /// The 在留カード's DF1 answers: a 在留カード or 特別永住者証明書 (the read tells which).
    ResidenceCard,
    /// The driving licence's DF1 answers.
    DrivingLicence,
}

impl CardKind {
    pub fn ja(self) -> &'static str {
        match self {
            CardKind::MyNumberCard => "マイナンバーカード",
            CardKind::ResidenceCard => "在留カード・特別永住者証明書",
            CardKind::DrivingLicence => "運転免許証",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CardKind::MyNumberCard => "My Number card",
            CardKind::ResidenceCard => "residence card or special permanent resident certificate",
            CardKind::DrivingLicence => "driving licence",
        }
    }
}

/// Selects each known application in turn. Nothing is verified; the caller resets the card
/// afterwards so that a read starts from its top level.
pub fn identify<T: Transport + ?Sized>(transport: &mut T) -> Result<CardKind, CardError> {
    let mut session = Session::new(transport);
    match session.select_application() {
        Ok(()) => return Ok(CardKind::MyNumberCard),
        Err(CardError::NotMyNumberCard) => {}
        Err(other) => return Err(other),
    }
    let candidates = [
        (&crate::residence::layout::DF1, CardKind::ResidenceCard),
        (&crate::licence::DF1, CardKind::DrivingLicence),
    ];
    for (aid, kind) in candidates {
        if session.exchange(&Command::select_application(aid))?.is_ok() {
            return Ok(kind);
        }
    }
    Err(CardError::UnknownCard)
}

/// Selects the application and its PIN file and asks for the tries left. Uses no try.
pub fn query_pin<T: Transport + ?Sized>(transport: &mut T) -> Result<PinState, CardError> {
    let mut session = Session::new(transport);
    session.select_application()?;
    session.select_file(EF_PIN)?;
    session.pin_state()
}

/// Selects the application and its 照合番号B key and asks for the tries left. Uses no try.
pub fn query_code_b<T: Transport + ?Sized>(transport: &mut T) -> Result<PinState, CardError> {
    let mut session = Session::new(transport);
    session.select_application()?;
    session.select_file(EF_CODE_B)?;
    session.pin_state()
}

/// The four facts opened with the 照合番号B instead of the PIN: select, verify once, read.
/// The 個人番号 is not read this way (a form that needs it needs the PIN). Returns the APDU
/// count with the result.
pub fn read_facts_by_code_b<T: Transport + ?Sized>(
    transport: &mut T,
    code: &CodeB,
) -> (Result<BasicFacts, CardError>, u32) {
    let mut session = Session::new(transport);
    let result = (|| {
        session.select_application()?;
        session.select_file(EF_CODE_B)?;
        session.verify_code_b(code)?;
        session.select_file(EF_BASIC_FACTS)?;
        BasicFacts::from_file(&session.read_object()?)
    })();
    (result, session.apdu_count())
}

/// The whole read in one go: select, verify once, read the four facts and, when asked, the
/// 個人番号. Returns the APDU count with the result, for the benchmark.
pub fn read_card<T: Transport + ?Sized>(
    transport: &mut T,
    pin: &Pin,
    with_my_number: bool,
) -> (Result<CardRead, CardError>, u32) {
    let mut session = Session::new(transport);
    let result = read_in_session(&mut session, pin, with_my_number);
    (result, session.apdu_count())
}

fn read_in_session<T: Transport + ?Sized>(
    session: &mut Session<'_, T>,
    pin: &Pin,
    with_my_number: bool,
) -> Result<CardRead, CardError> {
    session.select_application()?;
    session.select_file(EF_PIN)?;
    session.verify(pin)?;
    session.select_file(EF_BASIC_FACTS)?;
    let facts = BasicFacts::from_file(&session.read_object()?)?;
    let my_number = if with_my_number {
        session.select_file(EF_MY_NUMBER)?;
        Some(parse_my_number(&session.read_object()?)?)
    } else {
        None
    };
    Ok(CardRead { facts, my_number })
}

/// EF 0001 holds `FF 10 0C` and twelve ASCII digits, then filler.
fn parse_my_number(file: &[u8]) -> Result<MyNumber, CardError> {
    let bad = |detail: String| CardError::BadCardData { detail };
    let objects = tlv::parse(file).map_err(|e| bad(e.to_string()))?;
    let digits = match objects.as_slice() {
        [only] if only.tag == 0xFF10 => only.value,
        _ => return Err(bad("EF 0001 does not hold one FF 10 object".into())),
    };
    let text = std::str::from_utf8(digits).map_err(|_| bad("My Number is not text".into()))?;
    MyNumber::parse(text).map_err(|e| bad(e.to_string()))
}

/// What a VERIFY's status word means: done, locked (`blocked`), wrong with the tries left
/// (`wrong`), or an answer the card should not give.
fn verify_answer(
    status: StatusWord,
    step: Step,
    blocked: CardError,
    wrong: fn(u8) -> CardError,
) -> Result<(), CardError> {
    match (status.sw1(), status.sw2()) {
        (0x90, 0x00) => Ok(()),
        (0x63, 0xC0) | (0x69, 0x84) | (0x69, 0x83) => Err(blocked),
        (0x63, sw2) if sw2 & 0xF0 == 0xC0 => Err(wrong(sw2 & 0x0F)),
        _ => Err(unexpected(step, status)),
    }
}

fn unexpected(step: Step, status: StatusWord) -> CardError {
    CardError::UnexpectedAnswer { step, status }
}
