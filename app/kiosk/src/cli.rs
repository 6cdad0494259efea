//! The command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::{bench, catalogue_dir, demo, rules_cmd};

#[derive(Debug, Parser)]
#[command(
    name = "madoguchi",
    version,
    about = "書かないワンストップ窓口 — the no-writing one-stop counter"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide the bundled sample move-in (a family of four) and print the decision.
    Demo {
        /// Print the decision as JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Check, test and run the procedure catalogue.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Measure the engine: evaluation time and interview length.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Args)]
pub struct CatalogueArg {
    /// The catalogue folder (default: the shipped catalogue).
    #[arg(long, value_name = "DIR")]
    pub catalogue: Option<PathBuf>,
}

impl CatalogueArg {
    pub fn dir(&self) -> PathBuf {
        self.catalogue
            .clone()
            .unwrap_or_else(catalogue_dir::default_dir)
    }
}

#[derive(Debug, Args)]
pub struct CaseArgs {
    /// The case JSON (docs/case.md); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub case: PathBuf,
    /// Apply the rules in force on this day (default: the case's visit date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Validate the catalogue: one line per problem, naming file and line.
    Check {
        #[command(flatten)]
        catalogue: CatalogueArg,
    },
    /// Run the scenario tests in the catalogue's scenarios/ folder.
    Test {
        #[command(flatten)]
        catalogue: CatalogueArg,
        /// Only scenarios whose file name contains this.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Decide the procedures for a case and print the decision as JSON.
    Evaluate {
        #[command(flatten)]
        case: CaseArgs,
    },
    /// Explain why one procedure does or does not apply to a case.
    Explain {
        #[command(flatten)]
        case: CaseArgs,
        /// The procedure id.
        #[arg(long)]
        procedure: String,
        /// Print the trace as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Simulate the interview for every scenario and report how many questions it asks.
    Interview {
        #[command(flatten)]
        catalogue: CatalogueArg,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Time one evaluation of each sample case and simulate the move-in interviews.
    Rules {
        #[command(flatten)]
        catalogue: CatalogueArg,
        /// Evaluations per case.
        #[arg(long, default_value_t = 20_000)]
        iterations: u32,
    },
}

impl Cli {
    pub fn run(self) -> Result<ExitCode> {
        match self.command {
            None => demo::run(false),
            Some(Command::Demo { json }) => demo::run(json),
            Some(Command::Rules { command }) => match command {
                RulesCommand::Check { catalogue } => rules_cmd::check(&catalogue.dir()),
                RulesCommand::Test { catalogue, filter } => {
                    rules_cmd::test(&catalogue.dir(), filter.as_deref())
                }
                RulesCommand::Evaluate { case } => rules_cmd::evaluate(&case),
                RulesCommand::Explain {
                    case,
                    procedure,
                    json,
                } => rules_cmd::explain(&case, &procedure, json),
                RulesCommand::Interview { catalogue } => rules_cmd::interview(&catalogue.dir()),
            },
            Some(Command::Bench {
                command:
                    BenchCommand::Rules {
                        catalogue,
                        iterations,
                    },
            }) => bench::rules(&catalogue.dir(), iterations),
        }
    }
}
