//! Card readers over PC/SC (pcscd on Linux): which readers there are, whether a card is in one,
//! the PIN's tries left, and the read itself.
//!
//! Every exchange connects in shared mode (some readers refuse exclusive mode), runs in one
//! transaction, and disconnects; a read ends by resetting the card so that the verified PIN
//! does not outlive it. When pcscd restarts, an existing context answers "no service" forever:
//! the service then drops it and establishes a new one, once per call.

use std::ffi::CString;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use serde::Serialize;

use crate::code_b::CodeB;
use crate::error::CardError;
use crate::facts::BasicFacts;
use crate::licence::{self, LicenceFacts};
use crate::pin::Pin;
use crate::protocol::{self, CardKind, CardRead, PinState, Transport};
use crate::residence::{
    self, ResidenceCardNumber, ResidenceFacts, secure::TerminalSecrets, signature::TrustStore,
};

/// Readers named like this are vsmartcard's virtual reader (the demo card), not hardware.
pub const VIRTUAL_READER_PREFIX: &str = "Virtual PCD";

/// One reader as the counter sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReaderStatus {
    pub name: String,
    pub card_present: bool,
    /// vsmartcard's virtual reader, where the card emulator plugs in.
    pub is_virtual: bool,
}

/// How long the parts of a read took, for the benchmark.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadTiming {
    pub apdus: u32,
    /// Connecting and starting the transaction (pcscd's work).
    pub connect: Duration,
    /// Inside `transmit`: pcscd, the reader and the card.
    pub card_io: Duration,
    /// Disconnecting with a reset.
    pub disconnect: Duration,
    /// The whole read, from connect to the parsed facts.
    pub total: Duration,
}

impl ReadTiming {
    /// Time spent in our own code: parsing, building commands, bookkeeping.
    pub fn own_overhead(&self) -> Duration {
        self.total
            .saturating_sub(self.connect + self.card_io + self.disconnect)
    }
}

/// Access to the card readers. Cheap to share between threads; calls are serialised.
#[derive(Default)]
pub struct CardService {
    context: Mutex<Option<Context>>,
}

impl std::fmt::Debug for CardService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardService")
    }
}

/// Errors after which the context is useless and a new one must be established.
pub(crate) fn service_lost(error: pcsc::Error) -> bool {
    matches!(
        error,
        pcsc::Error::NoService
            | pcsc::Error::ServiceStopped
            | pcsc::Error::InvalidHandle
            | pcsc::Error::CommError
    )
}

impl CardService {
    pub fn new() -> CardService {
        CardService::default()
    }

    fn context(&self) -> Result<Context, CardError> {
        let mut slot = self.context.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(context) = slot.as_ref() {
            return Ok(context.clone());
        }
        let context = Context::establish(Scope::User).map_err(CardError::from)?;
        *slot = Some(context.clone());
        Ok(context)
    }

    fn forget_context(&self) {
        *self.context.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Runs `f` on the context; if pcscd went away since the last call, once more on a new one.
    /// `f` must be safe to repeat: it never sends a VERIFY.
    fn with_context<R>(
        &self,
        f: impl Fn(&Context) -> Result<R, CardError>,
    ) -> Result<R, CardError> {
        let result = f(&self.context()?);
        match result {
            Err(CardError::ServiceUnavailable) => {
                self.forget_context();
                tracing::info!("pcscd context lost; establishing a new one");
                f(&self.context()?)
            }
            other => other,
        }
    }

    /// The names of the readers pcscd knows, in its order.
    pub fn readers(&self) -> Result<Vec<String>, CardError> {
        self.with_context(list_reader_names)
    }

    /// Every reader and whether a card is in it.
    pub fn reader_statuses(&self) -> Result<Vec<ReaderStatus>, CardError> {
        self.with_context(statuses_on)
    }

    /// The first reader holding a card: the usual choice at a counter with one reader.
    pub fn reader_with_card(&self) -> Result<String, CardError> {
        let statuses = self.reader_statuses()?;
        let first = statuses.first().ok_or(CardError::NoReader)?;
        statuses
            .iter()
            .find(|status| status.card_present)
            .map(|status| status.name.clone())
            .ok_or_else(|| CardError::NoCard {
                reader: first.name.clone(),
            })
    }

    /// Which card is on the reader (by the applications it answers), then a reset: nothing
    /// was verified, and a read starts from the card's top level.
    pub fn card_kind(&self, reader: &str) -> Result<CardKind, CardError> {
        self.with_context(|context| {
            let mut card = connect(context, reader)?;
            let result = {
                let transaction = card.transaction().map_err(CardError::from)?;
                let mut transport = PcscTransport::new(&transaction);
                protocol::identify(&mut transport)
            };
            let disposition = if matches!(result, Err(CardError::CardRemoved)) {
                Disposition::LeaveCard
            } else {
                Disposition::ResetCard
            };
            let _ = card.disconnect(disposition);
            result
        })
    }

    /// The PIN's tries left, using none. Call this before the resident types the PIN, and
    /// let go of the card while they do.
    pub fn pin_state(&self, reader: &str) -> Result<PinState, CardError> {
        self.with_context(|context| query_on(context, reader, |t| protocol::query_pin(t)))
    }

    /// The 照合番号B's tries left (counted apart from the PIN's), using none.
    pub fn code_b_state(&self, reader: &str) -> Result<PinState, CardError> {
        self.with_context(|context| query_on(context, reader, |t| protocol::query_code_b(t)))
    }

    /// Verifies the PIN once and reads the four facts (and the 個人番号 when asked), then
    /// resets the card.
    pub fn read(
        &self,
        reader: &str,
        pin: &Pin,
        with_my_number: bool,
    ) -> Result<CardRead, CardError> {
        self.read_timed(reader, pin, with_my_number).0
    }

    /// [`CardService::read`] with the timing of each part. A read that failed part-way is
    /// never retried here: a second VERIFY could cost the resident a second try.
    pub fn read_timed(
        &self,
        reader: &str,
        pin: &Pin,
        with_my_number: bool,
    ) -> (Result<CardRead, CardError>, ReadTiming) {
        self.transact(reader, "card read", |transport| {
            protocol::read_card(transport, pin, with_my_number)
        })
    }

    /// Verifies the 照合番号B once and reads the four facts (never the 個人番号), then resets
    /// the card: for a resident who does not know the PIN.
    pub fn read_by_code_b(
        &self,
        reader: &str,
        code: &CodeB,
    ) -> (Result<BasicFacts, CardError>, ReadTiming) {
        self.transact(reader, "card read by 照合番号B", |transport| {
            protocol::read_facts_by_code_b(transport, code)
        })
    }

    /// Reads a 在留カード or 特別永住者証明書 with the number typed from its face, checks the
    /// issuer's signature against `trust` (valid on `today`), then resets the card. A wrong
    /// number costs nothing: the card counts no tries for it.
    pub fn read_residence(
        &self,
        reader: &str,
        number: &ResidenceCardNumber,
        trust: &TrustStore,
        today: NaiveDate,
    ) -> (Result<ResidenceFacts, CardError>, ReadTiming) {
        let secrets = match TerminalSecrets::random() {
            Ok(secrets) => secrets,
            Err(_) => {
                return (
                    Err(CardError::BadCardData {
                        detail: "the operating system gave no random numbers".into(),
                    }),
                    ReadTiming::default(),
                );
            }
        };
        self.transact(reader, "residence card read", |transport| {
            residence::read::read_residence_card(
                transport,
                residence::read::ReadInputs {
                    number,
                    trust,
                    today,
                    secrets,
                },
            )
        })
    }

    /// A driving licence's PIN 1 tries left, using none.
    pub fn licence_pin_state(&self, reader: &str) -> Result<PinState, CardError> {
        self.with_context(|context| query_on(context, reader, |t| licence::read::query_pin(t)))
    }

    /// Verifies a driving licence's PIN 1 once and reads its 記載事項 (never the 本籍 or the
    /// photo), then resets the card.
    pub fn read_licence(
        &self,
        reader: &str,
        pin: &Pin,
    ) -> (Result<LicenceFacts, CardError>, ReadTiming) {
        self.transact(reader, "licence read", |transport| {
            licence::read::read_licence(transport, pin)
        })
    }

    /// Connects, runs `exchange` in one transaction, and resets the card, timing each part.
    fn transact<R>(
        &self,
        reader: &str,
        what: &'static str,
        exchange: impl FnOnce(&mut PcscTransport<'_>) -> (Result<R, CardError>, u32),
    ) -> (Result<R, CardError>, ReadTiming) {
        let mut timing = ReadTiming::default();
        let start = Instant::now();
        // Only connecting may be retried on a fresh context: no command has been sent yet.
        let card = self.with_context(|context| connect(context, reader));
        let mut card = match card {
            Ok(card) => card,
            Err(error) => return (Err(error), timing),
        };
        let result = match card.transaction() {
            Err(error) => Err(CardError::from(error)),
            Ok(transaction) => {
                timing.connect = start.elapsed();
                let mut transport = PcscTransport::new(&transaction);
                let (result, apdus) = exchange(&mut transport);
                timing.apdus = apdus;
                timing.card_io = transport.time_in_transmit;
                drop(transaction);
                result
            }
        };
        let before_disconnect = Instant::now();
        // A card that left the reader has lost its security state already, and asking the
        // driver to reset a card that is gone can leave it unable to see the next card
        // (vsmartcard's vpcd does exactly that).
        let disposition = if matches!(result, Err(CardError::CardRemoved)) {
            Disposition::LeaveCard
        } else {
            Disposition::ResetCard
        };
        if let Err((card, _)) = card.disconnect(disposition) {
            // The card is gone or the service stopped; dropping resets what can be reset.
            drop(card);
        }
        timing.disconnect = before_disconnect.elapsed();
        timing.total = start.elapsed();
        match &result {
            Ok(_) => tracing::info!(apdus = timing.apdus, what, "card read"),
            Err(error) => tracing::info!(
                apdus = timing.apdus,
                what,
                error = error.code(),
                "card read failed"
            ),
        }
        if matches!(result, Err(CardError::ServiceUnavailable)) {
            self.forget_context();
        }
        (result, timing)
    }
}

fn statuses_on(context: &Context) -> Result<Vec<ReaderStatus>, CardError> {
    let names = list_reader_names(context)?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut states = names
        .iter()
        .map(|name| Ok(ReaderState::new(c_name(name)?, State::UNAWARE)))
        .collect::<Result<Vec<_>, CardError>>()?;
    match context.get_status_change(Duration::ZERO, &mut states) {
        Ok(()) | Err(pcsc::Error::Timeout) => {}
        Err(error) => return Err(error.into()),
    }
    Ok(names
        .into_iter()
        .zip(&states)
        .map(|(name, state)| ReaderStatus {
            is_virtual: name.starts_with(VIRTUAL_READER_PREFIX),
            card_present: state.event_state().contains(State::PRESENT),
            name,
        })
        .collect())
}

/// A tries query (`query`: the PIN's or the 照合番号B's) on the card in `reader`.
fn query_on(
    context: &Context,
    reader: &str,
    query: impl FnOnce(&mut PcscTransport<'_>) -> Result<PinState, CardError>,
) -> Result<PinState, CardError> {
    let mut card = connect(context, reader)?;
    let result = {
        let transaction = card.transaction().map_err(CardError::from)?;
        let mut transport = PcscTransport::new(&transaction);
        query(&mut transport)
    };
    // Nothing was verified: leave the card as it is.
    let _ = card.disconnect(Disposition::LeaveCard);
    result
}

fn c_name(name: &str) -> Result<CString, CardError> {
    CString::new(name).map_err(|_| CardError::UnknownReader {
        reader: name.to_owned(),
    })
}

fn list_reader_names(context: &Context) -> Result<Vec<String>, CardError> {
    match context.list_readers_owned() {
        Ok(names) => Ok(names
            .iter()
            .map(|name| name.to_string_lossy().into_owned())
            .collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(error) => Err(error.into()),
    }
}

fn connect(context: &Context, reader: &str) -> Result<pcsc::Card, CardError> {
    let name = c_name(reader)?;
    context
        .connect(&name, ShareMode::Shared, Protocols::ANY)
        .map_err(|error| match error {
            pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard => CardError::NoCard {
                reader: reader.to_owned(),
            },
            pcsc::Error::UnknownReader => match list_reader_names(context) {
                Ok(names) if names.is_empty() => CardError::NoReader,
                _ => CardError::UnknownReader {
                    reader: reader.to_owned(),
                },
            },
            other => CardError::from(other),
        })
}

/// Commands through a PC/SC transaction, timing the time spent waiting on the card.
struct PcscTransport<'a> {
    transaction: &'a pcsc::Transaction<'a>,
    buffer: Vec<u8>,
    time_in_transmit: Duration,
}

impl<'a> PcscTransport<'a> {
    fn new(transaction: &'a pcsc::Transaction<'a>) -> Self {
        PcscTransport {
            transaction,
            // Extended length: a 在留カード answers its images in one response of up to 7 KB.
            buffer: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
            time_in_transmit: Duration::ZERO,
        }
    }
}

impl Transport for PcscTransport<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        let start = Instant::now();
        let result = self.transaction.transmit(command, &mut self.buffer);
        self.time_in_transmit += start.elapsed();
        let answer = result.map(<[u8]>::to_vec).map_err(CardError::from);
        // The buffer may hold a PIN echo or card data: do not leave it lying around.
        zeroize::Zeroize::zeroize(&mut self.buffer[..]);
        answer
    }
}
