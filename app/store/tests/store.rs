//! The store against real SQLite files: encryption at rest, resuming, retention, damage and
//! newer schemas.

use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use madoguchi_domain::Case;
use madoguchi_store::{Routed, Store, StoreConfig, StoreError};

const NAME: &str = "𠮷田　髙志";
const ADDRESS: &str = "横浜市中区本町一丁目１番地　港ハイツ１０１";

const TENNYU: Routed<'static> = Routed {
    procedure: "tennyu",
    counter: "shimin",
};
const JIDOU: Routed<'static> = Routed {
    procedure: "jidou_teate",
    counter: "kodomo",
};

fn config(dir: &Path) -> StoreConfig {
    StoreConfig {
        db_path: dir.join("data").join("madoguchi.sqlite3"),
        key_path: dir.join("config").join("store.key"),
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 3, 10, 0, 0)
        .single()
        .expect("time")
}

fn sample() -> Case {
    let mut case: Case =
        serde_json::from_str(include_str!("../../../docs/examples/family-of-four.json"))
            .expect("sample");
    case.household.members[0].person.name = NAME.into();
    case.household.members[0].person.address = Some(madoguchi_domain::Address {
        building: None,
        text: ADDRESS.into(),
        postal_code: Some("2310005".into()),
        parts: None,
    });
    case
}

fn open(dir: &Path, at: DateTime<Utc>) -> Store {
    Store::open(&config(dir), at).expect("opens").store
}

/// A store in `dir` holding one open case of the sample family (closed again); its id.
fn one_open_case(dir: &Path) -> i64 {
    let mut store = open(dir, now());
    let id = store.start_case(now()).expect("case");
    store
        .checkpoint(id, "household", &sample(), &[], now())
        .expect("checkpoint");
    id
}

/// Every file under `dir` (the database, its WAL and SHM, the key's folder, anything SQLite
/// might have left), as bytes.
fn all_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push((
                    path.display().to_string(),
                    std::fs::read(&path).expect("file"),
                ));
            }
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn personal_data_never_reaches_the_disk_in_plain_text() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = open(dir.path(), now());
    let id = store.start_case(now()).expect("case");
    let case = sample();
    // Birth dates as the case holds them, and in the other forms a leak could take.
    let birth_dates: Vec<String> = case
        .household
        .members
        .iter()
        .filter_map(|m| m.person.birth_date)
        .flat_map(|d| {
            [
                d.format("%Y-%m-%d").to_string(),
                d.format("%Y%m%d").to_string(),
            ]
        })
        .collect();
    assert_eq!(birth_dates.len(), 8, "every member has a birth date");
    for step in ["identify", "household", "interview", "result"] {
        store
            .checkpoint(id, step, &case, &[TENNYU, JIDOU], now())
            .expect("checkpoint");
    }
    // Look while the WAL still holds the pages, and after the store is closed.
    for stage in ["open", "closed"] {
        if stage == "closed" {
            drop(std::mem::replace(&mut store, open(dir.path(), now())));
        }
        let files = all_bytes(dir.path());
        assert!(files.iter().any(|(p, _)| p.ends_with("-wal")) || stage == "closed");
        for (path, bytes) in &files {
            let words = [NAME, "𠮷田", ADDRESS, "本町一丁目"];
            for secret in words
                .iter()
                .copied()
                .chain(birth_dates.iter().map(String::as_str))
            {
                assert!(
                    !contains(bytes, secret.as_bytes()),
                    "{secret} in plain text in {path} ({stage})"
                );
            }
        }
    }
    assert_eq!(store.load_case(id).expect("loads"), Some(case));
}

#[test]
fn a_reopened_store_offers_the_unfinished_case() {
    let dir = tempfile::tempdir().expect("dir");
    let case = sample();
    let id = {
        let mut store = open(dir.path(), now());
        let id = store.start_case(now()).expect("case");
        store
            .checkpoint(id, "household", &case, &[], now())
            .expect("checkpoint");
        id
    };
    let store = open(dir.path(), now() + Duration::minutes(5));
    let unfinished = store
        .unfinished_case()
        .expect("reads")
        .expect("an open case");
    assert_eq!(unfinished.id, id);
    assert_eq!(unfinished.step, "household");
    assert_eq!(unfinished.case, case);
}

#[test]
fn purge_removes_old_personal_fields_and_keeps_statistics() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = open(dir.path(), now());
    let old = store.start_case(now()).expect("case");
    store
        .checkpoint(old, "result", &sample(), &[TENNYU], now())
        .expect("checkpoint");
    store
        .finish_case(old, 5, now() + Duration::minutes(12))
        .expect("finish");
    let later = now() + Duration::days(29);
    let recent = store.start_case(later).expect("case");
    store
        .checkpoint(recent, "result", &sample(), &[TENNYU], later)
        .expect("checkpoint");
    drop(store);

    // Day 31 after the first case: it goes, the recent one stays.
    let opened = Store::open(&config(dir.path()), now() + Duration::days(31)).expect("opens");
    assert_eq!(opened.purged, 1, "purged at start");
    let store = opened.store;
    assert_eq!(store.load_case(old).expect("reads"), None);
    assert!(store.load_case(recent).expect("reads").is_some());
    let info = store.info().expect("info");
    assert_eq!(info.cases, 2, "statistics stay");
    assert_eq!(info.cases_with_personal_fields, 1);
    assert!(info.audit_entries >= 1, "the purge is audited");
}

#[test]
fn a_truncated_database_is_set_aside_and_a_fresh_store_starts() {
    let dir = tempfile::tempdir().expect("dir");
    let db = config(dir.path()).db_path;
    {
        let mut store = open(dir.path(), now());
        for _ in 0..200 {
            let id = store.start_case(now()).expect("case");
            store
                .checkpoint(id, "result", &sample(), &[TENNYU], now())
                .expect("checkpoint");
        }
    }
    let original = std::fs::read(&db).expect("db");
    let damaged = original[..original.len() / 2].to_vec();
    std::fs::write(&db, &damaged).expect("damage");
    let _ = std::fs::remove_file(format!("{}-wal", db.display()));
    let opened = Store::open(&config(dir.path()), now()).expect("a fresh store");
    let moved = opened.set_aside.expect("set aside");
    assert_eq!(
        std::fs::read(&moved).expect("kept"),
        damaged,
        "kept, not deleted"
    );
    let info = opened.store.info().expect("info");
    assert_eq!(info.cases, 0, "fresh");
    assert_eq!(info.audit_entries, 1, "the setting aside is audited");
}

#[test]
fn a_file_that_is_not_ours_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let text = dir.path().join("notes.txt");
    let words = b"this is not a database at all, just some text".repeat(100);
    std::fs::write(&text, &words).expect("a user's file");
    let folder = dir.path().join("photos");
    std::fs::create_dir(&folder).expect("a user's folder");
    let other = dir.path().join("other.sqlite3");
    rusqlite::Connection::open(&other)
        .and_then(|c| {
            c.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');")
        })
        .expect("another program's database");
    let other_bytes = std::fs::read(&other).expect("read");
    for path in [&text, &folder, &other] {
        let config = StoreConfig {
            db_path: path.clone(),
            key_path: dir.path().join("store.key"),
        };
        match Store::open(&config, now()) {
            Err(StoreError::NotOurs { .. }) => {}
            other => panic!("{}: {other:?}", path.display()),
        }
    }
    assert_eq!(std::fs::read(&text).expect("kept"), words);
    assert!(folder.is_dir());
    assert_eq!(std::fs::read(&other).expect("kept"), other_bytes);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        3,
        "nothing set aside, no WAL, no key: {names:?}"
    );
}

#[test]
fn a_bad_stored_setting_is_reported_and_its_default_applies() {
    let dir = tempfile::tempdir().expect("dir");
    let id = one_open_case(dir.path());
    let db = config(dir.path()).db_path;
    for value in ["100000000", "0", "-3", "many"] {
        rusqlite::Connection::open(&db)
            .and_then(|c| {
                c.execute(
                    "INSERT INTO settings (key, value) VALUES ('retention_days', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [value],
                )
            })
            .expect("a value written by hand");
        // An hour later: whatever the file says, the open case is kept.
        let store = open(dir.path(), now() + Duration::hours(1));
        assert_eq!(store.retention_days().expect("days"), 30, "{value}");
        let info = store.info().expect("info");
        assert_eq!(info.setting_problems.len(), 1, "{value}: reported");
        assert!(info.setting_problems[0].contains("retention_days"));
        assert!(store.load_case(id).expect("loads").is_some(), "{value}");
    }
}

#[test]
fn a_newer_schema_is_refused_not_migrated_down() {
    let dir = tempfile::tempdir().expect("dir");
    drop(open(dir.path(), now()));
    let db = config(dir.path()).db_path;
    rusqlite::Connection::open(&db)
        .and_then(|c| c.execute_batch("PRAGMA user_version = 99;"))
        .expect("bump");
    match Store::open(&config(dir.path()), now()) {
        Err(StoreError::NewerSchema { found: 99, known }) => assert!(known < 99),
        other => panic!("{other:?}"),
    }
    assert!(db.exists(), "the newer file is left alone");
}

#[test]
fn a_wrong_key_is_refused_before_it_writes_anything() {
    let dir = tempfile::tempdir().expect("dir");
    let id = one_open_case(dir.path());
    let key_path = config(dir.path()).key_path;
    let right = std::fs::read_to_string(&key_path).expect("key");
    std::fs::write(&key_path, "ab".repeat(32)).expect("replace key");
    match Store::open(&config(dir.path()), now()) {
        Err(StoreError::KeyMismatch { used }) => {
            assert_eq!(used, madoguchi_store::KeySource::File(key_path.clone()));
        }
        other => panic!("{other:?}"),
    }
    let message = Store::open(&config(dir.path()), now())
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains(&key_path.display().to_string()),
        "{message}"
    );
    std::fs::write(&key_path, right).expect("the right key back");
    let store = open(dir.path(), now());
    assert_eq!(store.load_case(id).expect("loads"), Some(sample()));
    assert_eq!(store.info().expect("info").cases, 1, "nothing was written");
}

#[test]
fn a_missing_key_file_is_an_error_not_a_new_key() {
    let dir = tempfile::tempdir().expect("dir");
    one_open_case(dir.path());
    let key_path = config(dir.path()).key_path;
    let kept = key_path.with_extension("backup");
    std::fs::rename(&key_path, &kept).expect("the key goes missing");
    match Store::open(&config(dir.path()), now()) {
        Err(StoreError::MissingKey { path }) => assert_eq!(path, key_path.display().to_string()),
        other => panic!("{other:?}"),
    }
    assert!(!key_path.exists(), "no new key was made");
    std::fs::rename(&kept, &key_path).expect("restored");
    assert_eq!(open(dir.path(), now()).info().expect("info").cases, 1);
}

#[test]
fn a_database_from_before_key_checks_is_checked_on_what_it_holds() {
    let dir = tempfile::tempdir().expect("dir");
    one_open_case(dir.path());
    let db = config(dir.path()).db_path;
    rusqlite::Connection::open(&db)
        .and_then(|c| c.execute_batch("DELETE FROM key_check;"))
        .expect("as an older version left it");
    let key_path = config(dir.path()).key_path;
    let right = std::fs::read_to_string(&key_path).expect("key");
    std::fs::write(&key_path, "cd".repeat(32)).expect("replace key");
    assert!(matches!(
        Store::open(&config(dir.path()), now()),
        Err(StoreError::KeyMismatch { .. })
    ));
    std::fs::write(&key_path, right).expect("the right key back");
    assert_eq!(open(dir.path(), now()).info().expect("info").cases, 1);
}

#[test]
fn every_store_on_a_file_in_a_process_shares_one_connection() {
    let dir = tempfile::tempdir().expect("dir");
    let mut first = open(dir.path(), now());
    let second = open(dir.path(), now());
    let mut third = second.share();
    let id = first.start_case(now()).expect("case");
    third
        .checkpoint(id, "household", &sample(), &[], now())
        .expect("checkpoint through another handle");
    assert_eq!(second.load_case(id).expect("loads"), Some(sample()));
    assert_eq!(first.path(), second.path());
}

#[test]
fn a_backup_is_a_whole_private_copy_that_opens_with_the_same_key_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let id = one_open_case(dir.path());
    let store = open(dir.path(), now());
    let target = dir.path().join("backup.sqlite3");
    std::fs::write(&target, b"yesterday's copy").expect("an older copy");
    store.backup_to(&target).expect("backed up");
    let mode = std::fs::metadata(&target)
        .expect("copy")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the copy is private");
    assert!(
        !dir.path().join("backup.partial").exists(),
        "nothing half-written is left"
    );
    let copy_config = StoreConfig {
        db_path: target.clone(),
        key_path: config(dir.path()).key_path,
    };
    let copy = Store::open(&copy_config, now())
        .expect("the copy opens")
        .store;
    assert_eq!(
        copy.load_case(id)
            .expect("read")
            .map(|c| c.household.members.len()),
        Some(sample().household.members.len()),
        "the case is in the copy"
    );
    drop(copy);
    let other_key = StoreConfig {
        db_path: target,
        key_path: dir.path().join("other.key"),
    };
    assert!(
        Store::open(&other_key, now()).is_err(),
        "without the store key the copy does not open"
    );
    let raw = std::fs::read(dir.path().join("backup.sqlite3")).expect("bytes");
    assert!(
        !raw.windows(NAME.len()).any(|w| w == NAME.as_bytes()),
        "the name is sealed in the copy"
    );
}
