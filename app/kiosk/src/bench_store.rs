//! `madoguchi bench store`: the time to save a checkpoint of a case (it happens on every step)
//! and the time to open a store holding 100,000 cases, ready to work.
//!
//! Uses a temporary database and key; timing is printed, never asserted.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use madoguchi_domain::Case;
use madoguchi_store::{FinishedCase, Store, StoreConfig};

use crate::demo::SAMPLE_CASE;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

pub fn run(cases: usize, checkpoints: usize) -> Result<ExitCode> {
    let profile = if cfg!(debug_assertions) {
        "debug build: figures are not representative"
    } else {
        "release build"
    };
    let dir = std::env::temp_dir().join(format!("madoguchi-bench-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = StoreConfig {
        db_path: dir.join("madoguchi.sqlite3"),
        key_path: dir.join("store.key"),
    };
    println!("bench store ({profile}): {}", config.db_path.display());
    let case: Case = serde_json::from_str(SAMPLE_CASE).context("sample case")?;
    let result = measure(&config, &case, cases, checkpoints);
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    Ok(ExitCode::SUCCESS)
}

fn measure(config: &StoreConfig, case: &Case, cases: usize, checkpoints: usize) -> Result<()> {
    let mut store = Store::open(config, Utc::now())?.store;
    let id = store.start_case(Utc::now())?;
    let mut times = Vec::with_capacity(checkpoints);
    for step in 0..checkpoints {
        let started = Instant::now();
        store.checkpoint(
            id,
            &format!("step {step}"),
            case,
            &["tennyu", "jidou_teate"],
            Utc::now(),
        )?;
        times.push(started.elapsed());
    }
    let worst = times.iter().max().copied().unwrap_or_default();
    println!(
        "checkpoint of the family of four (sealed, WAL, synchronous=FULL): median {:.2} ms, worst {:.2} ms over {checkpoints} (target < 5 ms)",
        ms(median(times)),
        ms(worst)
    );

    let filled = Instant::now();
    let now = Utc::now();
    let procedures: &[&str] = &["tennyu", "kokuho_kanyu", "jidou_teate"];
    for chunk in 0..cases.div_ceil(10_000) {
        let batch: Vec<_> = (0..10_000.min(cases - chunk * 10_000))
            .map(|i| {
                let ended = now - chrono::Duration::seconds((chunk * 10_000 + i) as i64 * 20);
                FinishedCase {
                    started: ended - chrono::Duration::minutes(15),
                    ended,
                    case,
                    procedures,
                    forms_printed: 4,
                }
            })
            .collect();
        store.insert_finished(&batch)?;
    }
    drop(store);
    println!(
        "filled {cases} cases in {:.1} s",
        filled.elapsed().as_secs_f64()
    );

    let mut opens = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let store = Store::open(config, now)?.store;
        let _ = store.unfinished_case()?;
        let info = store.info()?;
        opens.push(started.elapsed());
        anyhow::ensure!(info.cases as usize >= cases, "cases missing");
    }
    println!(
        "startup with {cases} stored cases (open, migrate check, purge at start, unfinished case, counts): median {:.1} ms of 5 (target < 200 ms)",
        ms(median(opens))
    );
    Ok(())
}
