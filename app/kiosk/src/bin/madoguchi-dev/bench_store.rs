//! `madoguchi-dev bench store`: the time to save a checkpoint of a case (it happens on every step)
//! and the time to open a store holding 100,000 and 1,000,000 cases, ready to work as the
//! kiosk starts: open (header, migrations, key check, purge at start), the unfinished case, the
//! catalogue in force.
//!
//! Uses a temporary database and key; timing is printed, never asserted.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use madoguchi_domain::Case;
use madoguchi_store::{FinishedCase, Routed, Store, StoreConfig};

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

pub fn run(sizes: &[usize], checkpoints: usize) -> Result<ExitCode> {
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
    let case: Case = madoguchi_kiosk::samples::family_of_four().context("sample case")?;
    let result = checkpoint_time(&config, &case, checkpoints).and_then(|()| {
        let mut stored = 0;
        for &size in sizes {
            startup_time(&config, &case, stored, size)?;
            stored = stored.max(size);
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    Ok(ExitCode::SUCCESS)
}

fn checkpoint_time(config: &StoreConfig, case: &Case, checkpoints: usize) -> Result<()> {
    let mut store = Store::open(config, Utc::now())?.store;
    let id = store.start_case(Utc::now())?;
    let mut times = Vec::with_capacity(checkpoints);
    for step in 0..checkpoints {
        let started = Instant::now();
        store.checkpoint(
            id,
            &format!("step {step}"),
            case,
            &[
                Routed {
                    procedure: "tennyu",
                    counter: "shimin",
                },
                Routed {
                    procedure: "jidou_teate",
                    counter: "kodomo",
                },
            ],
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
    Ok(())
}

/// Fills the store from `stored` up to `cases` finished cases (one every 20 seconds back
/// from now: most are past the retention period), then times the kiosk's start.
fn startup_time(config: &StoreConfig, case: &Case, stored: usize, cases: usize) -> Result<()> {
    let mut store = Store::open(config, Utc::now())?.store;
    let filled = Instant::now();
    let now = Utc::now();
    let procedures: &[&str] = &["tennyu", "kokuho_kanyu", "jidou_teate"];
    let to_add = cases.saturating_sub(stored);
    for chunk in 0..to_add.div_ceil(10_000) {
        let batch: Vec<_> = (0..10_000.min(to_add - chunk * 10_000))
            .map(|i| {
                let ended =
                    now - chrono::Duration::seconds((stored + chunk * 10_000 + i) as i64 * 20);
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
        "filled {to_add} cases in {:.1} s",
        filled.elapsed().as_secs_f64()
    );

    // The first start after filling purges the personal fields of the old cases: once.
    let started = Instant::now();
    let opened = Store::open(config, now)?;
    let purged = opened.purged;
    let first = started.elapsed();
    drop(opened);
    let mut opens = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        let store = Store::open(config, now)?.store;
        let _ = store.unfinished_case()?;
        let _ = store.newest_published()?;
        opens.push(started.elapsed());
    }
    let count = Store::open(config, now)?.store.info()?.cases;
    anyhow::ensure!(count as usize >= cases, "cases missing");
    println!(
        "startup with {count} stored cases (open, header, migrations, key check, purge, unfinished case, catalogue): median {:.1} ms of 7, worst {:.1} ms (target < 200 ms); the first start purged {purged} old records in {:.0} ms",
        ms(median(opens.clone())),
        ms(opens.iter().max().copied().unwrap_or_default()),
        ms(first)
    );
    Ok(())
}
