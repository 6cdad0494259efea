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
mod input;
mod kiosk_cmd;
mod print_cmd;
mod qr_cmd;
mod rules_cmd;
mod screenshots_cmd;
mod sign_in;
mod store_cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    end_quietly_on_closed_output();
    init_logging();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if error.use_stderr() => {
            // clap's own first line says what is wrong with which argument; the usage that
            // follows it is one `--help` away.
            let said = error.to_string();
            let first = said.lines().next().unwrap_or_default();
            eprintln!("{first} (see --help)");
            return ExitCode::from(2);
        }
        // --help and --version.
        Err(error) => error.exit(),
    };
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

/// A reader that stopped reading (`madoguchi qr decode … | head`) closes the pipe, and the next
/// `println!` fails. That is the reader's choice, not an error: the command ends quietly with
/// status 141, as Unix tools that SIGPIPE ends do, instead of the panic `println!` makes of it.
/// (SIGPIPE itself stays ignored: the kiosk's sockets to pcscd and CUPS must not end it.)
fn end_quietly_on_closed_output() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload_as_str().unwrap_or_default();
        let closed = (message.starts_with("failed printing to stdout")
            || message.starts_with("failed printing to stderr"))
            && message.contains("Broken pipe");
        if closed {
            closed_output();
        }
        default(info);
    }));
}

/// Ends the process quietly after closing the store (see `end_quietly_on_closed_output`).
fn closed_output() -> ! {
    madoguchi_store::close_all();
    std::process::exit(141)
}

/// Writes bytes to standard output; a closed pipe ends the command quietly.
pub fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => closed_output(),
        other => other,
    }
}

/// SIGTERM, SIGINT and SIGHUP close every store of the process — the operation in progress
/// finishes, the WAL is checkpointed — and end it with status 128 + the signal. Installed when
/// the process first opens the store.
pub fn close_store_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) {
            Ok(signals) => signals,
            Err(error) => {
                tracing::warn!(%error, "cannot watch for SIGTERM; the store closes at exit only");
                return;
            }
        };
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    tracing::info!(signal, "stopping: closing the store");
                    madoguchi_store::close_all();
                    std::process::exit(128 + signal);
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot watch for SIGTERM; the store closes at exit only");
        }
    });
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
