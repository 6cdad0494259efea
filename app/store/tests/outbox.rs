//! The terminal's outbox for the counter floor: 受付番号, finished cases waiting for the
//! central database with their personal fields sealed under the floor key, hand-over events,
//! and what survives retention.

use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use madoguchi_domain::Case;
use madoguchi_store::floor::floor_context;
use madoguchi_store::{Handover, Routed, Store, StoreConfig, StoreKey};

/// 10:00 in Japan on 3 April 2026.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 3, 1, 0, 0)
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

fn floor_key() -> StoreKey {
    StoreKey::from_hex(&"7a".repeat(32)).expect("key")
}

fn finished_case(store: &mut Store, at: DateTime<Utc>) -> i64 {
    let id = store.start_case(at).expect("case");
    let routed = [
        Routed {
            procedure: "tennyu",
            counter: "shimin",
        },
        Routed {
            procedure: "kokuho_kanyu",
            counter: "hoken_nenkin",
        },
        Routed {
            procedure: "inkan",
            counter: "shimin",
        },
    ];
    store
        .checkpoint(id, "result", &sample(), &routed, at)
        .expect("checkpoint");
    store
        .finish_case(id, 3, at + Duration::minutes(12))
        .expect("finish");
    id
}

#[test]
fn reception_numbers_count_the_terminals_day_with_its_prefix() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let first = store.start_case(now()).expect("case");
    assert_eq!(store.reception(first).expect("number"), "001");

    let supervisor = store
        .bootstrap_supervisor("kakari", "sakura-no-hana-2026", now())
        .expect("supervisor");
    assert!(
        store
            .change_setting(&supervisor, "reception.prefix", "a1", now())
            .is_err()
    );
    store
        .change_setting(&supervisor, "reception.prefix", "B", now())
        .expect("prefix");
    let second = store.start_case(now() + Duration::hours(5)).expect("case");
    assert_eq!(store.reception(second).expect("number"), "B-002");
    // 23:59 in Japan is the same day; a minute later a new day starts at 001.
    let late = Utc.with_ymd_and_hms(2026, 4, 3, 14, 59, 0).single();
    let late = store.start_case(late.expect("time")).expect("case");
    assert_eq!(store.reception(late).expect("number"), "B-003");
    let next_day = store.start_case(now() + Duration::hours(14)).expect("case");
    assert_eq!(store.reception(next_day).expect("number"), "B-001");
}

#[test]
fn finished_cases_wait_sealed_under_the_floor_key_until_pushed() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let id = finished_case(&mut store, now());
    let open = store.start_case(now()).expect("an open case is not sent");
    assert_ne!(open, id);

    let waiting = store.unpushed_cases(10, &floor_key()).expect("outbox");
    assert_eq!(waiting.len(), 1);
    let case = &waiting[0];
    assert_eq!(
        Some(&case.uuid),
        store.case_uuid(id).expect("uuid").as_ref()
    );
    assert_eq!(case.event, "tennyu");
    assert_eq!(case.members, 4);
    assert_eq!(case.forms_printed, 3);
    assert_eq!(case.procedures, ["tennyu", "kokuho_kanyu", "inkan"]);
    assert_eq!(case.routes["shimin"], ["tennyu", "inkan"]);
    assert_eq!(case.routes["hoken_nenkin"], ["kokuho_kanyu"]);
    assert_eq!(case.ended_at - case.started_at, Duration::minutes(12));

    let sealed = case.sealed.as_ref().expect("sealed personal fields");
    let plain = floor_key()
        .open(sealed, &floor_context(&case.uuid))
        .expect("the floor key opens it");
    let opened: Case = serde_json::from_slice(&plain).expect("a case");
    assert_eq!(opened, sample());
    let text = String::from_utf8_lossy(sealed);
    assert!(!text.contains(&sample().household.members[0].person.name));
    assert!(
        floor_key()
            .open(sealed, &floor_context("another-case"))
            .is_err(),
        "sealed bytes moved to another case do not open"
    );

    assert_eq!(store.unsent().expect("unsent").cases, 1);
    store
        .mark_cases_pushed(std::slice::from_ref(&case.uuid), now())
        .expect("pushed");
    assert!(store.unpushed_cases(10, &floor_key()).expect("").is_empty());
    assert_eq!(store.unsent().expect("unsent").total(), 0);
}

#[test]
fn handover_events_are_kept_once_until_pushed() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let event = Handover {
        id: "0b7e5f0e-94d4-4d5e-9d3c-2a1f6f9b1c01".into(),
        case_uuid: "1f0c0b7e-4d5e-4c3c-9d3c-2a1f6f9b1c02".into(),
        counter: "hoken_nenkin".into(),
        kind: "done".into(),
        detail: String::new(),
        at: now(),
    };
    store.record_handover(&event).expect("recorded");
    store.record_handover(&event).expect("recorded again");
    let waiting = store.unpushed_handovers(10).expect("outbox");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0], event);
    assert_eq!(store.unsent().expect("unsent").handovers, 1);
    store
        .mark_handovers_pushed(&[event.id], now())
        .expect("pushed");
    assert!(store.unpushed_handovers(10).expect("outbox").is_empty());
}

#[test]
fn a_case_past_retention_is_still_sent_without_its_personal_fields() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    finished_case(&mut store, now());
    store.purge(now() + Duration::days(60)).expect("purge");
    let waiting = store.unpushed_cases(10, &floor_key()).expect("outbox");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].sealed, None);
    assert_eq!(waiting[0].routes["shimin"], ["tennyu", "inkan"]);
}

#[test]
fn the_floor_decides_only_its_settings_and_only_within_their_bounds() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    assert!(
        store
            .adopt_floor_setting("retention_days", "45", now())
            .expect("taken")
    );
    assert_eq!(store.retention_days().expect("setting"), 45);
    assert!(
        !store
            .adopt_floor_setting("retention_days", "45", now())
            .expect("same"),
        "the same value changes nothing"
    );
    assert!(
        store
            .adopt_floor_setting("retention_days", "0", now())
            .is_err()
    );
    assert!(
        store
            .adopt_floor_setting("retention_days", "forever", now())
            .is_err()
    );
    assert!(
        store
            .adopt_floor_setting("printer", "someone-elses", now())
            .is_err(),
        "the floor does not choose a terminal's printer"
    );
    assert_eq!(store.retention_days().expect("setting"), 45);
}
