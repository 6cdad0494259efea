//! The kiosk's library half: what the `madoguchi` binary, its UI and its tests share.
//!
//! - `packet`: a decided case becomes the printed packet (guidance sheet and forms).
//! - `session`: the session controller, a plain state machine that owns the case from the
//!   first tap to the printed packet. The UI only shows its view and sends it actions; card
//!   reading, scanning, storage and printing are effects it asks the runtime to carry out
//!   off the UI thread.
//! - `runtime`: carries out the session's effects on worker threads — card, store, printer
//!   (`runtime::spooler`), camera — runs the daily purge and watches the store for newly
//!   published catalogues (`runtime::feed`).
//! - `supervisor`: the supervisor's controller: sign-in, the catalogue draft and its typed
//!   condition editor, the impact preview, publishing and restoring, statistics, scenarios
//!   from cases, and moving a catalogue between kiosks.
//! - `catalogue_dir`: finding the shipped catalogue and loading catalogues, from a folder or
//!   from a stored version's files.
//! - `cmd`: the commands of the `madoguchi` binary and the command line (`cmd::cli`), shared
//!   with the `madoguchi-dev` tools.
//! - `samples`: the family of four and the shipped catalogue, one copy for the demo, the
//!   development tools and the tests.
//! - `floor`: the terminal's side of the counter floor: its settings (`central.toml`) and the
//!   link that pushes finished cases and hand-over events to the central database.
//! - `config`: the terminal's configuration file (`/etc/madoguchi/madoguchi.toml`), checked
//!   whole and read before the store's settings.
//! - `output`: files written for people (packets, exports), private and whole or not at all.

pub mod catalogue_dir;
pub mod cmd;
pub mod config;
pub mod floor;
pub mod form_page;
pub mod languages;
pub mod output;
pub mod packet;
pub mod runtime;
pub mod samples;
pub mod session;
pub mod supervisor;
pub mod ui;
pub mod worker;
