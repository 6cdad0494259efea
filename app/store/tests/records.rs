//! Exports for the back office, catalogue versions and staff sign-in.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use madoguchi_domain::Case;
use madoguchi_store::export::to_csv;
use madoguchi_store::{CatalogueStatus, LoginError, Role, Store, StoreConfig};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 3, 10, 0, 0)
        .single()
        .expect("time")
}

fn store(dir: &Path) -> Store {
    let config = StoreConfig {
        db_path: dir.join("db.sqlite3"),
        key_path: dir.join("store.key"),
    };
    Store::open(&config, now()).expect("opens").store
}

fn sample() -> Case {
    serde_json::from_str(include_str!("../../../docs/examples/family-of-four.json"))
        .expect("sample")
}

#[test]
fn exports_list_statistics_and_personal_fields_only_when_asked() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let id = store.start_case(now()).expect("case");
    store
        .checkpoint(id, "result", &sample(), &["tennyu", "jidou_teate"], now())
        .expect("checkpoint");
    store
        .finish_case(id, 6, now() + Duration::minutes(14))
        .expect("finish");
    let outside = store.start_case(now() + Duration::days(3)).expect("case");
    assert!(outside > id);

    let range = (now() - Duration::hours(1), now() + Duration::days(1));
    let plain = store.export(range.0, range.1, false).expect("export");
    assert_eq!(plain.len(), 1, "only the case in range");
    assert_eq!(plain[0].procedures, ["tennyu", "jidou_teate"]);
    assert_eq!(plain[0].duration_s, Some(14 * 60));
    assert_eq!(plain[0].forms_printed, 6);
    assert!(plain[0].case.is_none());
    let csv = String::from_utf8(to_csv(&plain, false).expect("csv")).expect("utf-8");
    assert!(csv.starts_with('\u{FEFF}'));
    let mut lines = csv.trim_start_matches('\u{FEFF}').lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,started_at,ended_at,state,event,members,procedures,forms_printed,duration_s,personal_purged"
        )
    );
    let row = lines.next().expect("a row");
    assert!(
        row.contains(",done,tennyu,4,tennyu;jidou_teate,6,840,false"),
        "{row}"
    );
    assert!(!csv.contains("窓口"), "no names without asking");

    let personal = store.export(range.0, range.1, true).expect("export");
    assert_eq!(personal[0].case.as_ref(), Some(&sample()));
    let csv = String::from_utf8(to_csv(&personal, true).expect("csv")).expect("utf-8");
    assert!(
        csv.contains("applicant_name") && csv.contains("窓口 太郎"),
        "{csv}"
    );
}

#[test]
fn catalogue_versions_keep_their_files_and_checksum() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    assert!(store.newest_published().expect("reads").is_none());
    let mut files = BTreeMap::new();
    files.insert("catalogue.toml".to_string(), "name = \"x\"\n".to_string());
    let first = store
        .add_catalogue(
            &files,
            CatalogueStatus::Published,
            "system",
            "shipped default",
            now(),
        )
        .expect("stored");
    files.insert("questions.toml".to_string(), "# changed\n".to_string());
    store
        .add_catalogue(&files, CatalogueStatus::Draft, "sato", "draft", now())
        .expect("stored");
    let published = store.newest_published().expect("reads").expect("one");
    assert_eq!(published.id, first, "a draft is not used");
    assert_eq!(published.files.len(), 1);
    assert_eq!(published.checksum.len(), 64);
    assert_eq!(store.catalogue_versions().expect("list").len(), 2);
}

#[test]
fn three_wrong_passwords_lock_the_account() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    store
        .set_staff("sato", Role::Supervisor, "correct horse", "admin", now())
        .expect("added");
    assert_eq!(
        store
            .sign_in("sato", "correct horse", now())
            .expect("signs in"),
        Role::Supervisor
    );
    for attempt in 1..=3 {
        let result = store.sign_in("sato", "wrong", now());
        match (attempt, result) {
            (1 | 2, Err(LoginError::Wrong)) | (3, Err(LoginError::Locked { .. })) => {}
            (n, other) => panic!("attempt {n}: {other:?}"),
        }
    }
    assert!(matches!(
        store.sign_in("sato", "correct horse", now()),
        Err(LoginError::Locked { .. })
    ));
    let later = now() + Duration::minutes(16);
    assert_eq!(
        store
            .sign_in("sato", "correct horse", later)
            .expect("unlocked"),
        Role::Supervisor
    );
    assert!(matches!(
        store.sign_in("nobody", "x", now()),
        Err(LoginError::Wrong)
    ));
    assert!(
        store.info().expect("info").audit_entries >= 8,
        "every attempt is audited"
    );
}
