//! The card emulator: a virtual My Number card, 在留カード, 特別永住者証明書 or driving licence, that plugs into a real pcscd through
//! vsmartcard's vpcd driver, for tests and for the demo when no reader is attached.
//!
//! It is development equipment. vpcd listens on the network for cards to "insert", so the
//! `vsmartcard-vpcd` package must never be installed on a production kiosk.

pub mod licence_card;
pub mod persona;
pub mod residence_card;
pub mod virtual_card;
pub mod vpcd;

pub use licence_card::{LicenceChip, LicencePersona};
pub use persona::{CardPersona, Persona, PersonaError};
pub use residence_card::{ResidenceBehaviour, ResidenceChip, ResidencePersona};
pub use virtual_card::{CardBehaviour, MAX_TRIES, MyNumberChip, VirtualCard};
pub use vpcd::{
    DEFAULT_VPCD_PORT, EmulatorEnd, EmulatorEvent, EmulatorThread, SharedCard, WireBehaviour,
};

/// A status word with no data: what a chip answers when it refuses or has nothing to give.
pub(crate) fn sw(word: u16) -> Vec<u8> {
    word.to_be_bytes().to_vec()
}

/// `data` followed by `90 00`.
pub(crate) fn with_ok(mut data: Vec<u8>) -> Vec<u8> {
    data.extend_from_slice(&[0x90, 0x00]);
    data
}
