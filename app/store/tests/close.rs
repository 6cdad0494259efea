//! `close_all`, which the binary's signal handler calls on SIGTERM and SIGINT. In a file of its
//! own: it closes every store of the process, so it must not share one with other tests.

use chrono::Utc;
use madoguchi_store::{Store, StoreConfig, StoreError, close_all};

#[test]
fn closing_checkpoints_the_wal_and_later_calls_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let config = StoreConfig {
        db_path: dir.path().join("madoguchi.sqlite3"),
        key_path: dir.path().join("store.key"),
    };
    let mut store = Store::open(&config, Utc::now()).expect("opens").store;
    let other = Store::open(&config, Utc::now()).expect("opens").store;
    for _ in 0..20 {
        store.start_case(Utc::now()).expect("case");
    }
    let wal = dir.path().join("madoguchi.sqlite3-wal");
    assert!(wal.exists(), "writes go to the WAL first");
    close_all();
    assert!(
        !wal.exists(),
        "closing checkpointed the WAL into the database"
    );
    assert!(matches!(
        store.start_case(Utc::now()),
        Err(StoreError::Closed)
    ));
    assert!(matches!(other.info(), Err(StoreError::Closed)));
    assert!(matches!(
        Store::open(&config, Utc::now()),
        Err(StoreError::Closed)
    ));
    drop((store, other));
    let cases: i64 = rusqlite::Connection::open(&config.db_path)
        .and_then(|c| c.query_row("SELECT count(*) FROM cases", [], |row| row.get(0)))
        .expect("read");
    assert_eq!(cases, 20);
}
