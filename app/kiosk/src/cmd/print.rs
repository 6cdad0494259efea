//! `madoguchi print …`: queue a PDF for a CUPS printer and follow it, list the queue, and carry
//! on with waiting jobs (after a stopped printer or a restart).

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use madoguchi_store::{NewPrintJob, PrintJobId, PrintState, Store};

use crate::cmd::store as store_cmd;
use crate::runtime::spooler::Spooler;
use madoguchi_printer::{Cups, cups_base};

/// Exit status when jobs are still waiting in the queue (nothing is lost).
const WAITING: u8 = 3;

/// The printer: the one given, else `$MADOGUCHI_PRINTER`, else the store's `printer` setting.
pub fn printer_name(given: Option<&str>, store: &Store) -> Result<String> {
    if let Some(name) = given {
        return Ok(name.to_string());
    }
    if let Ok(name) = std::env::var("MADOGUCHI_PRINTER") {
        return Ok(name);
    }
    store.setting("printer")?.context(
        "no printer is set: put `queue` under [printer] in /etc/madoguchi/madoguchi.toml (or pass --printer NAME, set MADOGUCHI_PRINTER, or the store setting `printer`)",
    )
}

/// What a queued packet is.
#[derive(Debug)]
pub struct Document<'a> {
    pub title: &'a str,
    pub pages: usize,
    pub forms: usize,
    pub pdf: &'a [u8],
}

/// Queues a document and follows it for up to `wait`.
pub fn queue_and_follow(
    store: &mut Store,
    printer: &str,
    document: &Document<'_>,
    wait: Duration,
) -> Result<ExitCode> {
    let id = store.enqueue_print(
        &NewPrintJob {
            case_id: None,
            printer,
            title: document.title,
            pages: document.pages,
            forms: document.forms,
            document: document.pdf,
        },
        Utc::now(),
    )?;
    println!("queued print job {id} for {printer}");
    follow(store, &[id], wait)
}

/// The largest PDF `print file` queues: a packet is a few hundred kilobytes.
const MAX_PDF_BYTES: usize = 64 * 1024 * 1024;

pub fn print_file(
    file: &Path,
    printer: Option<&str>,
    title: Option<&str>,
    wait: u64,
) -> Result<ExitCode> {
    let pdf = crate::cmd::input::read_bounded(file, MAX_PDF_BYTES, "a PDF")?;
    if !pdf.starts_with(b"%PDF-") {
        bail!("{} is not a PDF", file.display());
    }
    let mut store = store_cmd::open()?;
    let printer = printer_name(printer, &store)?;
    let name = file.file_stem().map_or_else(
        || "madoguchi".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    queue_and_follow(
        &mut store,
        &printer,
        &Document {
            title: title.unwrap_or(&name),
            pages: 0,
            forms: 0,
            pdf: &pdf,
        },
        Duration::from_secs(wait),
    )
}

pub fn resume(wait: u64) -> Result<ExitCode> {
    let mut store = store_cmd::open()?;
    let open: Vec<PrintJobId> = store.open_print_jobs()?.iter().map(|j| j.id).collect();
    if open.is_empty() {
        println!("no print jobs are waiting");
        return Ok(ExitCode::SUCCESS);
    }
    follow(&mut store, &open, Duration::from_secs(wait))
}

pub fn retry(id: PrintJobId, wait: u64) -> Result<ExitCode> {
    let mut store = store_cmd::open()?;
    if !store.retry_print(id, Utc::now())? {
        bail!(
            "print job {id} is not a failed job with its document kept (see `madoguchi print queue`)"
        );
    }
    follow(&mut store, &[id], Duration::from_secs(wait))
}

pub fn queue(json: bool) -> Result<ExitCode> {
    let store = store_cmd::open()?;
    let jobs = store.recent_print_jobs(50)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&jobs)?);
        return Ok(ExitCode::SUCCESS);
    }
    if jobs.is_empty() {
        println!("the print queue is empty");
    }
    for job in jobs {
        println!(
            "{:>5}  {:<8}  {:<16}  {}{}",
            job.id,
            job.state.id(),
            job.printer,
            job.title,
            job.last_error
                .map(|e| format!("  — {e}"))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Steps the spooler until `ids` are all printed or failed, or `wait` runs out.
fn follow(store: &mut Store, ids: &[PrintJobId], wait: Duration) -> Result<ExitCode> {
    let spooler = Spooler::new(Cups::from_env());
    let started = Instant::now();
    let mut last_said: Vec<(PrintJobId, PrintState, Option<String>)> = Vec::new();
    loop {
        for progress in spooler.step(store)? {
            if !ids.contains(&progress.id) {
                continue;
            }
            let said = (progress.id, progress.state, progress.reason.clone());
            if !last_said.contains(&said) {
                println!(
                    "job {}: {}{}",
                    progress.id,
                    progress.state.id(),
                    progress
                        .reason
                        .map(|r| format!(" — {r}"))
                        .unwrap_or_default()
                );
                last_said.retain(|(id, _, _)| *id != progress.id);
                last_said.push(said);
            }
        }
        let mut states = Vec::new();
        for id in ids {
            if let Some(job) = store.print_job(*id)? {
                states.push(job);
            }
        }
        if states.iter().all(|j| !j.state.is_open()) {
            for job in &states {
                println!("job {}: {}", job.id, job.state.id());
            }
            let failed = states.iter().any(|j| j.state == PrintState::Failed);
            return Ok(if failed {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            });
        }
        if started.elapsed() >= wait {
            println!(
                "still waiting: the job stays in the queue and prints when the printer is ready (run `madoguchi print resume`; CUPS at {})",
                cups_base()
            );
            return Ok(ExitCode::from(WAITING));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}
