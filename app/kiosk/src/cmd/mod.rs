//! The commands of the `madoguchi` binary, each module owning its arguments' work: `cli`
//! parses the command line and calls them. They live in the library so that `madoguchi-dev`
//! (screenshots, benchmarks, store simulations: development tools kept out of the product
//! binary) uses the same code paths.
//!
//! This module also holds what a process built on them needs: one-line errors, logging that
//! never carries personal data, a quiet end on a closed pipe, and the store closed cleanly on
//! SIGTERM, SIGINT and SIGHUP.

pub mod card;
pub mod central;
pub mod cli;
pub mod doctor;
pub mod export;
pub mod forms;
pub mod input;
pub mod kiosk;
pub mod print;
pub mod qr;
pub mod rules;
pub mod sign_in;
pub mod store;

/// Runs a binary's `main`: logging, the closed-pipe hook, parsing (a clap error is one line
/// and exit 2), then `run`, whose error is one line and exit 2.
pub fn main<P: clap::Parser>(
    run: impl FnOnce(P) -> anyhow::Result<std::process::ExitCode>,
) -> std::process::ExitCode {
    end_quietly_on_closed_output();
    init_logging();
    let parsed = match P::try_parse() {
        Ok(parsed) => parsed,
        Err(error) if error.use_stderr() => {
            // clap's own first line says what is wrong with which argument; the usage that
            // follows it is one `--help` away.
            let said = error.to_string();
            let first = said.lines().next().unwrap_or_default();
            eprintln!("{first} (see --help)");
            return std::process::ExitCode::from(2);
        }
        // --help and --version.
        Err(error) => error.exit(),
    };
    match run(parsed) {
        Ok(code) => code,
        Err(error) => {
            // One line: what went wrong and, in the message, what to do.
            eprintln!("error: {}", one_line(&error));
            std::process::ExitCode::from(2)
        }
    }
}

pub fn one_line(error: &anyhow::Error) -> String {
    error
        .chain()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ")
        .replace('\n', " ")
}

/// Prints an error another crate coded (card, QR) in one line — its code for scripts, then
/// the message in Japanese and in English — and fails.
fn coded_failure(code: &str, ja: String, en: String) -> std::process::ExitCode {
    eprintln!("error[{code}]: {ja} / {en}");
    std::process::ExitCode::FAILURE
}

/// A reader that stopped reading (`madoguchi qr decode … | head`) closes the pipe, and the next
/// `println!` fails. That is the reader's choice, not an error: the command ends quietly with
/// status 141, as Unix tools that SIGPIPE ends do, instead of the panic `println!` makes of it.
/// (SIGPIPE itself stays ignored: the kiosk's sockets to pcscd and CUPS must not end it.)
pub fn end_quietly_on_closed_output() {
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
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MADOGUCHI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
