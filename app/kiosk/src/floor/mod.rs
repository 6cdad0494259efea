//! The terminal's side of the counter floor (docs/central.md): its settings
//! (`central.toml`, [`config`]) and the link that pushes the store's outbox to the central
//! database ([`link`]), a department counter's live 受付一覧 ([`counter`]), and the board a counter or an interview desk shows of the households handed on ([`board`]). A terminal without settings runs alone, exactly as before.

pub mod board;
pub mod config;
pub mod counter;
pub mod export;
pub mod link;

pub use config::FloorConfig;
pub use link::{FloorLink, LinkState, Poker};
