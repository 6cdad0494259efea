//! `madoguchi central export`: the back-office hand-over (docs/export.md) — a counter's cases
//! from the floor as CSV and JSON files in a folder, on demand or every few minutes, with the
//! terminal's own floor settings (its login decides which counters and whether personal fields
//! may be written; the floor audits every export).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use madoguchi_central::{Central, ExportScope};

use crate::cmd::store as store_cmd;
use crate::floor::FloorConfig;
use crate::floor::export::{self, ExportFormat, ExportRequest, Header};

/// What `central export` was asked.
#[derive(Debug)]
pub struct ExportArgs<'a> {
    pub counter: Option<&'a str>,
    pub out: Option<&'a Path>,
    pub personal: bool,
    /// A day (西暦 or 和暦) to export again from; none for the cases not yet exported.
    pub since: Option<&'a str>,
    pub header: Header,
    pub fields: Option<&'a Path>,
    /// Minutes between runs; none for one run.
    pub every: Option<u64>,
    /// Only check the field list and print it.
    pub check: bool,
}

pub fn run(args: &ExportArgs<'_>) -> Result<ExitCode> {
    let format = match args.fields {
        Some(path) => ExportFormat::load(path)?,
        None => ExportFormat::shipped()?,
    };
    if args.check {
        print_format(&format);
        return Ok(ExitCode::SUCCESS);
    }
    let Some(out) = args.out else {
        bail!("give the folder to write into: --out DIR");
    };
    let Some(config) = FloorConfig::from_env()? else {
        bail!(
            "this terminal has no floor settings (MADOGUCHI_CENTRAL or ~/.config/madoguchi/central.toml): exports come from the floor"
        );
    };
    let counter = args
        .counter
        .map(str::to_string)
        .or_else(|| config.counter.clone())
        .context("say which counter's cases: --counter ID (or `counter` in central.toml)")?;
    let scope = match args.since {
        Some(text) => {
            let day = madoguchi_domain::input::date(text)
                .map_err(|e| anyhow::anyhow!("--since {text}: {e}"))?;
            ExportScope::FinishedSince(madoguchi_store::floor::day_start(
                day.and_hms_opt(12, 0, 0).context("a day")?.and_utc(),
            ))
        }
        None => ExportScope::NotYetExported,
    };
    let store = store_cmd::open()?;
    let (catalogue, _) = store_cmd::catalogue_in_force(&store)?;
    let floor_key = config.floor_key()?;
    let options = config.connect_options()?;
    let pause = args
        .every
        .map(|m| Duration::from_secs(m.clamp(1, 24 * 60) * 60));
    loop {
        let result = Central::connect(&options)
            .context("cannot reach the central database")
            .and_then(|mut central| {
                export::run(
                    &mut central,
                    &format,
                    &catalogue,
                    &floor_key,
                    &ExportRequest {
                        counter: &counter,
                        scope,
                        personal: args.personal,
                        header: args.header,
                        out,
                        now: Utc::now(),
                    },
                )
            });
        match (result, pause) {
            (Ok(done), _) => {
                for file in &done.files {
                    println!("wrote {}", file.display());
                }
                println!(
                    "exported {} case(s), {} row(s) for {counter}{}",
                    done.cases,
                    done.rows,
                    if args.personal {
                        " with personal fields"
                    } else {
                        ""
                    }
                );
            }
            (Err(error), None) => return Err(error),
            // On a schedule a failed run is said and tried again at the next turn.
            (Err(error), Some(_)) => eprintln!("export failed: {error:#}"),
        }
        let Some(pause) = pause else {
            return Ok(ExitCode::SUCCESS);
        };
        std::thread::sleep(pause);
    }
}

fn print_format(format: &ExportFormat) {
    println!(
        "{} version {}: {} fields",
        export::FORMAT,
        format.version,
        format.fields.len()
    );
    for (n, field) in format.fields.iter().enumerate() {
        let mut line = format!(
            "{:>2} {:<18} {}{}",
            n + 1,
            field.id,
            field.ja,
            if field.personal {
                "（個人情報）"
            } else {
                ""
            }
        );
        for (label, value) in [
            ("法", &field.law),
            ("標準", &field.standard),
            ("基本データリスト", &field.kihon_data_list),
        ] {
            if !value.is_empty() {
                line.push_str(&format!("　{label}: {value}"));
            }
        }
        println!("{line}");
    }
}

/// The header argument's words.
pub fn header(word: &str) -> Result<Header> {
    match word {
        "id" => Ok(Header::Id),
        "ja" => Ok(Header::Japanese),
        "kihon" => Ok(Header::KihonDataList),
        other => bail!("--header is id, ja or kihon, not `{other}`"),
    }
}
