//! The kiosk's library half: what the `madoguchi` binary, its UI and its tests share.
//!
//! - `packet`: a decided case becomes the printed packet (guidance sheet and forms).
//! - `printing`: IPP to CUPS and the spooler over the store's print queue.
//! - `session`: the session controller, a plain state machine that owns the case from the
//!   first tap to the printed packet. The UI only shows its view and sends it actions; card
//!   reading, scanning, storage and printing are effects it asks the runtime to carry out
//!   off the UI thread.
//! - `supervisor`: the supervisor's controller: sign-in, the catalogue draft and its typed
//!   condition editor, the impact preview, publishing and restoring, statistics, scenarios
//!   from cases, and moving a catalogue between kiosks.
//! - `catalogue_dir`: finding, loading, reading and writing catalogue folders.
//! - `output`: files written for people (packets, exports), private and whole or not at all.

pub mod catalogue_dir;
pub mod output;
pub mod packet;
pub mod printing;
pub mod runtime;
pub mod session;
pub mod supervisor;
pub mod ui;
