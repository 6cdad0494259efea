//! `madoguchi-dev store-simulate` and `store-hold`: the store driven as the kiosk drives it,
//! one write at a time, for the tests that kill or stop a kiosk midway (and for showing crash
//! recovery).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use madoguchi_domain::{Answers, Case};
use madoguchi_kiosk::cmd::{input, kiosk, store};

/// Plays a clerk's session on the sample family: one checkpoint per step (the household, then
/// one answer per step), printing `checkpoint N` after each is saved. Tests kill it midway.
pub fn simulate(case_file: Option<&Path>, pause_ms: u64, finish: bool) -> Result<ExitCode> {
    let mut store = store::open()?;
    let full: Case = match case_file {
        Some(path) => input::read_case(path)?,
        None => madoguchi_kiosk::samples::family_of_four().context("the bundled sample case")?,
    };
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

/// Holds the store as the kiosk does (its three handles) and writes on demand, for the test
/// that stops a running kiosk with SIGTERM: each line of standard input is one write — `case`
/// saves a checkpoint of a new case (the runtime's kind of write), `login` a failed
/// supervisor sign-in (the desk's kind: an audit row) — answered `ok N` once committed.
pub fn hold() -> Result<ExitCode> {
    use std::io::BufRead;
    let mut stores = kiosk::stores(None)?;
    let case: Case =
        madoguchi_kiosk::samples::family_of_four().context("the bundled sample case")?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "ready")?;
    stdout.flush()?;
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        match line?.trim() {
            "case" => {
                let id = stores.runtime.start_case(Utc::now())?;
                stores
                    .runtime
                    .checkpoint(id, "household", &case, &[], Utc::now())?;
            }
            "login" => {
                let _ = stores.desk.sign_in("nobody", "not-a-password", Utc::now());
            }
            other => bail!("hold: `case` or `login`, not `{other}`"),
        }
        writeln!(stdout, "ok {}", n + 1)?;
        stdout.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
