//! `madoguchi`: the one binary of the Madoguchi counter.
//!
//! With no arguments it is the touchscreen kiosk; with a command, the command line over the
//! rules, the card, QR codes, the store, forms and printing (`madoguchi_kiosk::cmd`).

use std::process::ExitCode;

fn main() -> ExitCode {
    madoguchi_kiosk::cmd::main(madoguchi_kiosk::cmd::cli::Cli::run)
}
