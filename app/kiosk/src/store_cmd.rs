//! `madoguchi store …`: the kiosk's database from the command line. The database and key
//! paths come from `MADOGUCHI_DB` and `MADOGUCHI_STORE_KEY_FILE` (or `MADOGUCHI_STORE_KEY`),
//! as for the kiosk.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::Utc;
use madoguchi_domain::{Answers, Case};
use madoguchi_store::{Opened, Store, StoreConfig};

use crate::demo::SAMPLE_CASE;

fn open() -> Result<Store> {
    let config = StoreConfig::from_env();
    let Opened {
        store,
        set_aside,
        purged,
    } = Store::open(&config, Utc::now())?;
    if let Some(moved) = set_aside {
        eprintln!(
            "データベースが壊れていたため {} に移し、新しく始めました。/ The database was damaged: it was set aside as {} and a fresh one started.",
            moved.display(),
            moved.display()
        );
    }
    if purged > 0 {
        eprintln!(
            "保存期間を過ぎた個人情報を {purged} 件消去しました / purged {purged} expired personal records"
        );
    }
    Ok(store)
}

pub fn info(json: bool, check: bool) -> Result<ExitCode> {
    let store = open()?;
    let info = store.info()?;
    if check {
        let result = store.integrity_check()?;
        eprintln!("integrity check: {result}");
        if result != "ok" {
            return Ok(ExitCode::FAILURE);
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&info)?);
    } else {
        println!("database        {}", info.path);
        println!("schema version  {}", info.schema_version);
        println!(
            "cases           {} ({} open, {} with personal fields)",
            info.cases, info.open_cases, info.cases_with_personal_fields
        );
        println!("catalogues      {}", info.catalogue_versions);
        println!("print jobs      {} waiting", info.print_jobs_waiting);
        println!("audit entries   {}", info.audit_entries);
        println!(
            "retention       {} days (last purge {})",
            info.retention_days,
            info.last_purge.as_deref().unwrap_or("never")
        );
    }
    if let Some(unfinished) = store.unfinished_case()? {
        println!(
            "unfinished case {} at step \"{}\" (last saved {}): `madoguchi store resume` shows it",
            unfinished.id, unfinished.step, unfinished.updated_at
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn purge() -> Result<ExitCode> {
    let mut store = open()?;
    let removed = store.purge(Utc::now())?;
    store.audit(
        Utc::now(),
        "cli",
        "store.purge.requested",
        &format!("{removed} removed"),
    )?;
    println!(
        "purged {removed} records older than {} days",
        store.retention_days()?
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints the case a stopped kiosk left open, as the kiosk would offer to resume it.
pub fn resume() -> Result<ExitCode> {
    let store = open()?;
    match store.unfinished_case()? {
        Some(unfinished) => {
            let out = serde_json::json!({
                "id": unfinished.id,
                "step": unfinished.step,
                "updated_at": unfinished.updated_at,
                "case": unfinished.case,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("再開できる手続きはありません / no unfinished case");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Plays a clerk's session on the sample family: one checkpoint per step (the household, then
/// one answer per step), printing `checkpoint N` after each is saved. Tests kill it midway.
pub fn simulate(pause_ms: u64, finish: bool) -> Result<ExitCode> {
    let mut store = open()?;
    let full: Case = serde_json::from_str(SAMPLE_CASE).context("sample case")?;
    let mut case = full.clone();
    case.answers = Answers::new();
    let id = store.start_case(Utc::now())?;
    let mut stdout = std::io::stdout();
    store.checkpoint(id, "household", &case, &[], Utc::now())?;
    writeln!(stdout, "case {id}")?;
    writeln!(stdout, "checkpoint 0")?;
    stdout.flush()?;
    for (n, (question, answer)) in full.answers.iter().enumerate() {
        std::thread::sleep(std::time::Duration::from_millis(pause_ms));
        case.answers.insert(question.clone(), answer.clone());
        store.checkpoint(id, &format!("interview {}", n + 1), &case, &[], Utc::now())?;
        writeln!(stdout, "checkpoint {}", n + 1)?;
        stdout.flush()?;
    }
    if finish {
        store.finish_case(id, 0, Utc::now())?;
        writeln!(stdout, "finished")?;
    }
    Ok(ExitCode::SUCCESS)
}
