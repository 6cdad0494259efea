//! The store shared between processes, as the kiosk and the command line share it: the kiosk
//! opens the store several times (its runtime, the supervisor's desk, the catalogue feed), and
//! `madoguchi store info` runs beside it. No write of the kiosk may be lost.
//!
//! The other process is this test binary run again with `MADOGUCHI_TEST_OTHER_PROCESS` set: it
//! opens the store, reads its counts and closes it, as `store info` does.

use std::path::Path;
use std::process::Command;

use chrono::Utc;
use madoguchi_store::{Store, StoreConfig};

const OTHER: &str = "MADOGUCHI_TEST_OTHER_PROCESS";

fn config(dir: &Path) -> StoreConfig {
    StoreConfig {
        db_path: dir.join("madoguchi.sqlite3"),
        key_path: dir.join("store.key"),
    }
}

/// Opens the store in another process, prints its case count and closes it.
fn cases_seen_by_another_process(dir: &Path) -> i64 {
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new(exe)
        .args([
            "--exact",
            "other_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(OTHER, dir)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.split_once("cases ").map(|(_, n)| n))
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no count in {stdout}"))
}

#[test]
fn other_process() {
    let Some(dir) = std::env::var_os(OTHER) else {
        return; // Only as the other process.
    };
    let store = Store::open(&config(Path::new(&dir)), Utc::now())
        .expect("opens")
        .store;
    println!("cases {}", store.info().expect("info").cases);
}

#[test]
fn writes_after_another_process_closed_the_store_are_kept() {
    if std::env::var_os(OTHER).is_some() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    // The kiosk's opens: the runtime's, the desk's, the catalogue feed's.
    let mut runtime = Store::open(&config(dir.path()), Utc::now())
        .expect("opens")
        .store;
    let _desk = Store::open(&config(dir.path()), Utc::now())
        .expect("opens")
        .store;
    let _feed = Store::open(&config(dir.path()), Utc::now())
        .expect("opens")
        .store;
    runtime.start_case(Utc::now()).expect("case");
    assert_eq!(cases_seen_by_another_process(dir.path()), 1);
    for _ in 0..20 {
        runtime.start_case(Utc::now()).expect("case");
    }
    let wal = dir.path().join("madoguchi.sqlite3-wal");
    assert!(wal.exists(), "the WAL the kiosk writes into is still there");
    assert_eq!(
        cases_seen_by_another_process(dir.path()),
        21,
        "another process sees every write"
    );
}
