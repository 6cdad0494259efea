//! `madoguchi`: the one binary of the Madoguchi counter.
//!
//! With no arguments it is the touchscreen kiosk; with a command, the command line over the
//! rules, the card, QR codes, the store, forms and printing. This crate is where the
//! capability crates meet.

mod bench;
mod bench_card;
mod bench_forms;
mod bench_kiosk;
mod bench_qr;
mod bench_store;
mod card_cmd;
use madoguchi_kiosk::catalogue_dir;
mod cli;
mod demo;
mod forms_cmd;
mod kiosk_cmd;
mod print_cmd;
mod qr_cmd;
mod rules_cmd;
mod screenshots_cmd;
mod store_cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    init_logging();
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(error) => {
            // One line: what went wrong and, in the message, what to do.
            eprintln!("error: {}", one_line(&error));
            ExitCode::from(2)
        }
    }
}

fn one_line(error: &anyhow::Error) -> String {
    error
        .chain()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ")
        .replace('\n', " ")
}

/// Logs go to stderr, filtered by `MADOGUCHI_LOG` (default: warnings). Nothing personal is ever
/// logged: events carry ids and counts only.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MADOGUCHI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
