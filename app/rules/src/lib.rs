//! The brain of Madoguchi: the procedure catalogue and the engine that reads it.
//!
//! This crate owns
//! - the catalogue model ([`Catalogue`]: the life events it handles, [`events`] — a new event
//!   is data, not code; procedures with counters, forms, items, deadlines and
//!   effective dates; questions with tiers, variants and 「わからない」; rules; the office
//!   calendar that moves a deadline off a closed day, [`calendar`]; the changes an age brings
//!   soon after the move, [`transitions`]; its texts in the languages translated from it,
//!   each with its review state, [`translations`]),
//! - the condition language supervisors write rules in ([`condition`]),
//! - loading a catalogue's files — held in memory ([`CatalogueFiles`]: the store's versions,
//!   the supervisor's draft) or read from a folder — with one-line `file:line` diagnostics and
//!   semantic validation ([`load_files`], [`load()`]),
//! - the [`Engine`]: evaluate a case as of a date into a [`Decision`], explain one procedure,
//!   and plan the next questions worth asking,
//! - editing a catalogue's files in place for the supervisor's editor ([`authoring`]),
//! - the impact of a change over scenarios and recent cases ([`impact`]), and scenarios made
//!   from real cases with the personal data replaced ([`pinning`]),
//! - the scenario test runner and the interview simulation ([`scenario`], [`interview`]).
//!
//! It reads a catalogue folder when asked to ([`read_folder`]) and never writes one; it knows
//! nothing of the UI, the card, the store or the printer.

pub mod authoring;
pub mod calendar;
pub mod catalogue;
pub mod condition;
pub mod decision;
mod diagnostic;
mod engine;
pub mod events;
pub mod files;
pub mod impact;
pub mod interview;
mod load;
pub mod pinning;
mod reach;
pub mod scenario;
pub mod transitions;
pub mod translations;
mod validate;

pub use catalogue::Catalogue;
pub use decision::Decision;
pub use diagnostic::{Diagnostic, Severity};
pub use engine::{Engine, EvalError, Explanation};
pub use files::{CatalogueFiles, read_folder, read_source};
pub use load::{Loaded, load, load_files};
pub use validate::stray_reason_ages;
