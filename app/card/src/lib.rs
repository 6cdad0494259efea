//! Reading the resident's ID card at the counter: the My Number card (マイナンバーカード), the
//! 在留カード, the 特別永住者証明書 and the driving licence.
//!
//! This crate owns everything between the kiosk and the card: the PC/SC readers (through pcscd),
//! the 券面事項入力補助AP's commands and data layout, the PIN rules that protect the resident's
//! three tries, the typed errors a clerk can act on, and the card emulator that stands in for a
//! real card in tests and demos. It is the only crate that knows PC/SC.
//!
//! The counter reads in two steps, so that no card transaction is open while the resident
//! types: [`CardService::pin_state`] shows the tries left, then [`CardService::read`] verifies
//! the PIN exactly once and reads the four facts (and the 個人番号 only when a form needs it).
//! A resident without the PIN opens the four facts with the 照合番号B printed on the card
//! ([`CodeB`], [`CardService::read_by_code_b`]), which has tries of its own.
//! The 在留カード and 特別永住者証明書 are read with the number printed on them
//! ([`residence`], [`CardService::read_residence`]); [`CardService::card_kind`] tells which
//! card is on the reader by the applications it answers. The driving licence is read with its
//! PIN 1 ([`licence`], [`CardService::read_licence`]).
//! See `docs/card.md` for the protocol and `../shared/research/card-protocol.md` for sources.

pub mod apdu;
pub mod code_b;
pub mod emulator;
pub mod error;
pub mod facts;
pub mod licence;
pub mod my_number;
pub mod pin;
pub mod protocol;
pub mod reader;
pub mod residence;
pub mod testbed;
pub mod tlv;
pub mod watch;

pub use code_b::CodeB;
pub use error::{CardError, CodeBPart, SignatureFault, StatusWord, Step};
pub use facts::{BasicFacts, CardSex};
pub use my_number::MyNumber;
pub use pin::Pin;
pub use protocol::{CardKind, CardRead, PinState, Transport};
pub use reader::{CardService, ReadTiming, ReaderStatus};
pub use watch::{ReaderEvent, ReaderWatcher, WatchCanceller};
