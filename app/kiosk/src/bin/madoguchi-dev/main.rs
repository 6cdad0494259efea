//! `madoguchi-dev`: the development tools, kept out of the product binary. Screenshots of every
//! screen, the benchmarks that print the figures the issues name, and the store driven one
//! write at a time for the crash tests. It uses the same library code as `madoguchi`
//! (`madoguchi_kiosk::cmd`) and reads the same environment (MADOGUCHI_DB, …).

mod bench_card;
mod bench_floor;
mod bench_forms;
mod bench_kiosk;
mod bench_qr;
mod bench_rules;
mod bench_store;
mod card_emulator;
mod demo;
mod floor_tools;
mod screenshots;
mod shots_floor;
mod shots_forms;
mod store_tools;
mod tour;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use madoguchi_kiosk::cmd::cli::CatalogueArg;

#[derive(Debug, Parser)]
#[command(
    name = "madoguchi-dev",
    version,
    about = "Madoguchi's development tools: screenshots, benchmarks, store simulations"
)]
struct Dev {
    #[command(subcommand)]
    command: DevCommand,
}

#[derive(Debug, Subcommand)]
enum DevCommand {
    /// Draw every kiosk screen into PNG files (needs a display; scripts/screenshots uses Xvfb).
    Screenshots {
        #[arg(long, default_value = "docs/screenshots", value_name = "DIR")]
        out: PathBuf,
        /// Only the screens whose file name contains this.
        #[arg(long)]
        only: Option<String>,
        /// Use this catalogue folder instead of the shipped one.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
    },
    /// Measure the engine, the card reader, QR reading, the store, forms and the kiosk.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Be a card in vsmartcard's virtual reader (the demo card and the card tests): a My
    /// Number card, or the 在留カード / 特別永住者証明書 a persona's `kind` names.
    CardEmulate {
        /// The persona file (assets/personas/*.toml).
        #[arg(long, value_name = "FILE")]
        persona: PathBuf,
        /// Where vpcd listens: HOST[:PORT] (port 35963 is reader "Virtual PCD 00 00").
        #[arg(long, default_value = "127.0.0.1", value_name = "HOST[:PORT]")]
        vpcd: String,
        /// The PIN is locked (three wrong tries already made).
        #[arg(long)]
        blocked: bool,
        /// Be an IC card without the My Number application.
        #[arg(long)]
        not_my_number: bool,
        /// (在留カード) sign other data than the card holds, as an altered card would.
        #[arg(long)]
        bad_signature: bool,
        /// Wait this long before every answer.
        #[arg(long, default_value_t = 0, value_name = "MS")]
        slow_ms: u64,
        /// Leave the reader when the N-th command arrives (counting from 1), then exit.
        #[arg(long, value_name = "N")]
        pull_at: Option<u32>,
    },
    /// Decide the bundled sample move-in (a family of four) with the catalogue in force and
    /// print the decision.
    Demo {
        /// Print the decision as JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Play a clerk's session on the sample family, one checkpoint per step (for the tests
    /// that kill it midway, and demonstrations of crash recovery).
    StoreSimulate {
        /// The case to play (default: the sample family of four).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// Pause between steps.
        #[arg(long, default_value_t = 0)]
        pause_ms: u64,
        /// Close the case at the end.
        #[arg(long)]
        finish: bool,
    },
    /// An interview desk on the floor without a window (MADOGUCHI_CENTRAL): finish cases of the
    /// sample family and wait for the floor link to send them (exit 3 if it cannot).
    FloorTerminal {
        #[arg(long, default_value_t = 1)]
        cases: usize,
        /// Pause between cases.
        #[arg(long, default_value_t = 0)]
        pause_ms: u64,
        /// Seconds to wait for the link (and, with --follow, the counters).
        #[arg(long, default_value_t = 30)]
        wait: u64,
        /// After sending, print each counter's progress until all are done.
        #[arg(long)]
        follow: bool,
        /// The case to finish (docs/case.md); the bundled family of four when left out.
        #[arg(long)]
        case: Option<std::path::PathBuf>,
    },
    /// A department counter on the floor without a window: print its 受付一覧 as households
    /// arrive, for `seconds`.
    FloorCounter {
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// Mark each new household done.
        #[arg(long)]
        mark_done: bool,
    },
    /// Hold the store as the kiosk does and write one line at a time (for the test that stops
    /// a running kiosk with SIGTERM).
    StoreHold,
    /// Open the kiosk, print `ready` once its first screen is drawn, and close after
    /// `exit_after` seconds (what `bench kiosk` times).
    KioskOnce {
        #[arg(long, default_value_t = 1)]
        exit_after: u64,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Make the packet of a family of four moving in (guidance sheet + eight forms): time and
    /// size.
    Forms {
        #[arg(long, default_value_t = 30)]
        iterations: usize,
    },
    /// Time one evaluation of each sample case and simulate the move-in interviews.
    Rules {
        #[command(flatten)]
        catalogue: CatalogueArg,
        /// Evaluations per case.
        #[arg(long, default_value_t = 20_000)]
        iterations: u32,
    },
    /// The family-of-four code's size, and each QR decoder's success and time on synthetic
    /// degraded 1280×720 frames.
    Qr {
        /// Frames per kind of degradation and payload.
        #[arg(long, default_value_t = 10)]
        per_kind: u64,
        /// Also write the frames as PNG files into this folder, to look at.
        #[arg(long, value_name = "DIR")]
        save_frames: Option<PathBuf>,
    },
    /// A busy day on one floor: desks pushing cases into a private PostgreSQL, departments
    /// following their lists and marking each case done (push time, case-to-list delay).
    Floor {
        #[arg(long, default_value_t = 100)]
        terminals: usize,
        /// Cases per desk.
        #[arg(long, default_value_t = 60)]
        cases: usize,
        /// Department counters (each case goes to two).
        #[arg(long, default_value_t = 5)]
        counters: usize,
        /// The day compressed into this many seconds (0: push as fast as possible).
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// The supervisor's floor statistics over many stored cases (a private PostgreSQL).
    FloorStatistics {
        #[arg(long, default_value_t = 10_000_000)]
        cases: u64,
    },
    /// Checkpoint time and startup time with many stored cases (a temporary database).
    Store {
        /// Store sizes to time the start-up at, in order.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
        cases: Vec<usize>,
        #[arg(long, default_value_t = 200)]
        checkpoints: usize,
    },
    /// The kiosk's start-up to its first drawn screen, and its memory while idle (needs a
    /// display: run it under Xvfb with SLINT_BACKEND=winit-software, as a kiosk would).
    Kiosk {
        /// Start-ups to time.
        #[arg(long, default_value_t = 5)]
        starts: u32,
        /// Seconds to leave it idle before reading its memory.
        #[arg(long, default_value_t = 10)]
        idle: u64,
    },
    /// Read the demo card through a private pcscd and the emulator: APDUs and time.
    Card {
        /// Reads to time.
        #[arg(long, default_value_t = 50)]
        reads: u32,
    },
}

fn main() -> ExitCode {
    madoguchi_kiosk::cmd::main(run)
}

fn run(dev: Dev) -> Result<ExitCode> {
    match dev.command {
        DevCommand::Screenshots {
            out,
            only,
            catalogue,
        } => screenshots::run(&out, catalogue, only.as_deref()),
        DevCommand::Bench { command } => match command {
            BenchCommand::Rules {
                catalogue,
                iterations,
            } => bench_rules::rules(&catalogue.dir(), iterations),
            BenchCommand::Card { reads } => bench_card::run(reads),
            BenchCommand::Kiosk { starts, idle } => bench_kiosk::run(starts, idle),
            BenchCommand::Forms { iterations } => bench_forms::run(iterations),
            BenchCommand::Store { cases, checkpoints } => bench_store::run(&cases, checkpoints),
            BenchCommand::Floor {
                terminals,
                cases,
                counters,
                seconds,
            } => bench_floor::run(terminals, cases, counters, seconds),
            BenchCommand::FloorStatistics { cases } => bench_floor::statistics(cases),
            BenchCommand::Qr {
                per_kind,
                save_frames,
            } => bench_qr::run(per_kind, save_frames.as_deref()),
        },
        DevCommand::CardEmulate {
            persona,
            vpcd,
            blocked,
            not_my_number,
            bad_signature,
            slow_ms,
            pull_at,
        } => card_emulator::emulate(&card_emulator::EmulateOptions {
            persona: &persona,
            vpcd: &vpcd,
            blocked,
            not_my_number,
            bad_signature,
            slow_ms,
            pull_at,
        }),
        DevCommand::Demo { json } => demo::run(json),
        DevCommand::StoreSimulate {
            case,
            pause_ms,
            finish,
        } => store_tools::simulate(case.as_deref(), pause_ms, finish),
        DevCommand::StoreHold => store_tools::hold(),
        DevCommand::FloorTerminal {
            cases,
            pause_ms,
            wait,
            follow,
            case,
        } => floor_tools::terminal(
            floor_tools::Desk {
                cases,
                pause_ms,
                wait,
                follow,
            },
            case.as_deref(),
        ),
        DevCommand::FloorCounter { seconds, mark_done } => floor_tools::counter(seconds, mark_done),
        DevCommand::KioskOnce { exit_after } => bench_kiosk::once(exit_after),
    }
}
