//! Exports for the back office, catalogue versions and staff sign-in.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use madoguchi_domain::Case;
use madoguchi_store::catalogue::Submitted;
use madoguchi_store::export::to_csv;
use madoguchi_store::{LoginError, Role, Routed, Store, StoreConfig, StoreError, Supervisor};

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

/// The store's first supervisor, and a second one for approvals.
fn supervisors(store: &mut Store) -> (Supervisor, Supervisor) {
    let first = store
        .bootstrap_supervisor("kakari", "sakura-no-hana-2026", now())
        .expect("first supervisor");
    store
        .set_staff(
            &first,
            "hancho",
            Role::Supervisor,
            "ume-no-hana-2026",
            now(),
        )
        .expect("second supervisor");
    let second = store
        .sign_in("hancho", "ume-no-hana-2026", now())
        .expect("signs in")
        .supervisor()
        .expect("a supervisor");
    (first, second)
}

/// The procedures, all handled at 市民課.
fn at_one_counter<'a>(procedures: &[&'a str]) -> Vec<Routed<'a>> {
    procedures
        .iter()
        .map(|procedure| Routed {
            procedure,
            counter: "shimin",
        })
        .collect()
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
        .checkpoint(
            id,
            "result",
            &sample(),
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
            now(),
        )
        .expect("checkpoint");
    store
        .finish_case(id, 6, now() + Duration::minutes(14))
        .expect("finish");
    let outside = store.start_case(now() + Duration::days(3)).expect("case");
    assert!(outside > id);

    let range = (now() - Duration::hours(1), now() + Duration::days(1));
    let plain = store.export(range.0, range.1).expect("export").cases;
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

    let (supervisor, _) = supervisors(&mut store);
    let personal = store
        .export_personal(range.0, range.1, &supervisor, now())
        .expect("export")
        .cases;
    assert_eq!(personal[0].case.as_ref(), Some(&sample()));
    let audit = store.audit_entries(1).expect("audit");
    assert_eq!(
        (audit[0].1.as_str(), audit[0].2.as_str()),
        ("kakari", "store.export.personal"),
        "audited under the supervisor's account"
    );
    let csv = String::from_utf8(to_csv(&personal, true).expect("csv")).expect("utf-8");
    assert!(
        csv.contains("applicant_name") && csv.contains("窓口 太郎"),
        "{csv}"
    );
}

/// A row whose sealed fields cannot be read (damaged on disk) is named, and the other cases
/// are exported all the same.
#[test]
fn an_unreadable_row_is_named_and_the_rest_exported() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let (supervisor, _) = supervisors(&mut store);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let id = store.start_case(now()).expect("case");
        store
            .checkpoint(id, "result", &sample(), &at_one_counter(&["tennyu"]), now())
            .expect("checkpoint");
        ids.push(id);
    }
    rusqlite::Connection::open(dir.path().join("db.sqlite3"))
        .and_then(|c| {
            c.execute(
                "UPDATE cases SET personal = zeroblob(64) WHERE id = ?1",
                [ids[1]],
            )
        })
        .expect("one row damaged");
    let range = (now() - Duration::hours(1), now() + Duration::hours(1));
    let export = store
        .export_personal(range.0, range.1, &supervisor, now())
        .expect("the rest is exported");
    assert_eq!(export.unreadable, vec![ids[1]]);
    assert_eq!(export.cases.len(), 3);
    assert!(export.cases[0].case.is_some() && export.cases[2].case.is_some());
    assert!(export.cases[1].case.is_none());
}

#[test]
fn catalogue_versions_keep_their_files_and_checksum() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    assert!(store.newest_published().expect("reads").is_none());
    assert!(store.newest_published_checksum().expect("reads").is_none());
    let mut files = BTreeMap::new();
    files.insert("catalogue.toml".to_string(), "name = \"x\"\n".to_string());
    let first = store
        .seed_catalogue(&files, "shipped default", now())
        .expect("stored")
        .expect("the first version");
    assert_eq!(
        store.seed_catalogue(&files, "again", now()).expect("read"),
        None,
        "only an empty store is seeded"
    );
    files.insert("questions.toml".to_string(), "# changed\n".to_string());
    let (supervisor, _) = supervisors(&mut store);
    store
        .save_draft(None, &files, &supervisor, now())
        .expect("stored");
    let published = store.newest_published().expect("reads").expect("one");
    assert_eq!(published.id, first, "a draft is not used");
    assert_eq!(published.files.len(), 1);
    assert_eq!(published.checksum.len(), 64);
    assert_eq!(
        store.newest_published_checksum().expect("reads"),
        Some((first, published.checksum.clone())),
        "the cheap question gives the same answer"
    );
    assert_eq!(store.catalogue_versions().expect("list").len(), 2);
}

#[test]
fn three_wrong_passwords_lock_the_account() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    store
        .bootstrap_supervisor("Sato", "correct horse", now())
        .expect("added");
    assert_eq!(
        store
            .sign_in("ＳＡＴＯ", "correct horse", now())
            .expect("signs in")
            .role,
        Role::Supervisor,
        "login names are normalised"
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
            .expect("unlocked")
            .role,
        Role::Supervisor
    );
    assert!(matches!(
        store.sign_in("nobody", "x", now()),
        Err(LoginError::Wrong)
    ));
    let long = "n".repeat(100_000);
    assert!(matches!(
        store.sign_in(&long, "x", now()),
        Err(LoginError::Wrong)
    ));
    let audit = store.audit_entries(1).expect("audit");
    assert!(
        audit[0].1.len() < 40,
        "a typed name that is no login is not written to the audit"
    );
    assert!(
        store.info().expect("info").audit_entries >= 8,
        "every attempt is audited"
    );
}

#[test]
fn statistics_count_days_weeks_times_procedures_and_unknown_answers() {
    use chrono::{FixedOffset, NaiveDate};
    use madoguchi_domain::Answer;
    use madoguchi_store::NewPrintJob;

    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let jst = FixedOffset::east_opt(9 * 3600).expect("offset");
    // Friday 3 April 2026, 19:00 JST; then 16 hours later is Saturday in Japan.
    let mut unsure = sample();
    unsure
        .answers
        .insert("dog_or_moped".into(), Answer::Unknown);
    let visits = [
        (now(), 10, vec!["tennyu_todoke", "jidou_teate"], &unsure),
        (
            now() + Duration::hours(1),
            20,
            vec!["tennyu_todoke"],
            &unsure,
        ),
        (
            now() + Duration::hours(16),
            30,
            vec!["tennyu_todoke", "kokuho"],
            &sample(),
        ),
    ];
    for (start, minutes, procedures, case) in &visits {
        let id = store.start_case(*start).expect("case");
        store
            .checkpoint(id, "result", case, &at_one_counter(procedures), *start)
            .expect("checkpoint");
        store
            .finish_case(id, 3, *start + Duration::minutes(*minutes))
            .expect("finish");
    }
    let left = store.start_case(now()).expect("case");
    store
        .checkpoint(left, "interview", &unsure, &[], now())
        .expect("checkpoint");
    store
        .purge(now() + Duration::days(400))
        .expect("purge marks old open cases abandoned");
    let job = store
        .enqueue_print(
            &NewPrintJob {
                case_id: Some(left),
                printer: "counter",
                title: "packet",
                pages: 2,
                forms: 1,
                document: b"%PDF",
            },
            now(),
        )
        .expect("job");
    store.mark_print_failed(job, "jam", now()).expect("failed");

    let day = |d| NaiveDate::from_ymd_opt(2026, 4, d).expect("day");
    let stats = store.statistics(day(1), day(7), jst).expect("statistics");
    assert_eq!(stats.per_day.len(), 7);
    assert_eq!(stats.per_day[2], (day(3), 2), "two on Friday in Japan");
    assert_eq!(stats.per_day[3], (day(4), 1), "one on Saturday");
    assert_eq!(
        stats.per_week,
        vec![(day(1) - chrono::Days::new(2), 3), (day(6), 0)]
    );
    assert_eq!(stats.finished, 3);
    assert_eq!(stats.abandoned, 1);
    assert_eq!(stats.median_seconds, Some(20 * 60));
    assert!((stats.procedures_per_case - 5.0 / 3.0).abs() < 1e-9);
    assert_eq!(stats.top_procedures[0], ("tennyu_todoke".to_string(), 3));
    assert_eq!(stats.forms_printed, 9);
    assert_eq!((stats.print_jobs, stats.print_failures), (1, 1));
    assert_eq!(stats.unknown_answers, vec![("dog_or_moped".to_string(), 3)]);

    let csv = String::from_utf8(stats.to_csv().expect("csv")).expect("utf-8");
    assert!(csv.contains("cases_per_day,2026-04-03,2\n"), "{csv}");
    assert!(csv.contains("totals,median_seconds,1200\n"), "{csv}");
    assert!(csv.contains("unknown_answers,dog_or_moped,3\n"), "{csv}");
}

#[test]
fn a_draft_is_saved_in_place_and_published_as_the_newest_version() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let (kakari, hancho) = supervisors(&mut store);
    let shipped = BTreeMap::from([("catalogue.toml".to_string(), "v1".to_string())]);
    let first = store
        .seed_catalogue(&shipped, "shipped", now())
        .expect("shipped")
        .expect("first");
    let draft = store
        .save_draft(None, &shipped, &kakari, now())
        .expect("draft");
    let edited = BTreeMap::from([("catalogue.toml".to_string(), "v2".to_string())]);
    assert_eq!(
        store
            .save_draft(Some(draft), &edited, &kakari, now())
            .expect("saved"),
        draft,
        "the same draft"
    );
    assert_eq!(
        store.newest_published().expect("read").expect("one").id,
        first
    );
    assert_eq!(
        store.newest_draft().expect("read").expect("draft").files,
        edited
    );
    // Another proposal meanwhile (an import) must not hide the draft's publication.
    let Submitted::Pending(other) = store
        .propose(&shipped, "import", &hancho, now())
        .expect("import")
    else {
        panic!("approval is required by default");
    };
    let Submitted::Pending(submitted) = store
        .submit_draft(draft, "中学生までに変更", &kakari, now())
        .expect("submit")
    else {
        panic!("approval is required by default");
    };
    assert_eq!(
        store.newest_published().expect("read").expect("one").id,
        first,
        "nothing is published before the second supervisor decides"
    );
    match store.approve(submitted, &kakari, now()) {
        Err(StoreError::NotAuthorised(_)) => {}
        other => panic!("the author approved their own proposal: {other:?}"),
    }
    store
        .reject(other, "版が古い", &kakari, now())
        .expect("sent back");
    let published = store.approve(submitted, &hancho, now()).expect("approved");
    assert!(published > other);
    let newest = store.newest_published().expect("read").expect("one");
    assert_eq!((newest.id, newest.files), (published, edited));
    assert_eq!(newest.author, "kakari");
    assert_eq!(newest.decided_by.as_deref(), Some("hancho"));
    assert!(store.newest_draft().expect("read").is_none());
    assert!(store.pending_versions().expect("read").is_empty());
    let audit = store.audit_entries(3).expect("audit");
    assert_eq!(
        (audit[0].1.as_str(), audit[0].2.as_str()),
        ("hancho", "catalogue.publish")
    );

    let id = store.start_case(now()).expect("case");
    store
        .checkpoint(
            id,
            "result",
            &sample(),
            &at_one_counter(&["tennyu_todoke"]),
            now(),
        )
        .expect("checkpoint");
    assert!(
        store.recent_finished(10).expect("recent").is_empty(),
        "open cases are not finished"
    );
    store.finish_case(id, 1, now()).expect("finish");
    let recent = store.recent_finished(10).expect("recent");
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].case, sample());
}

/// On the desk that holds the city's publishing key, an approved version is signed as it is
/// published, and the signature holds for its files under the trusted public key.
#[test]
fn approved_versions_are_signed_with_the_publishing_key() {
    use madoguchi_store::signature::{PublishingKey, TrustedKeys};
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let (kakari, hancho) = supervisors(&mut store);
    let key = PublishingKey::create(&dir.path().join("publishing.key")).expect("key");
    let trusted = TrustedKeys::parse(&key.public_line()).expect("trusted");
    store.sign_publications_with(key);
    let files = BTreeMap::from([("catalogue.toml".to_string(), "[catalogue]\n".to_string())]);
    let Submitted::Pending(pending) = store
        .propose(&files, "試験", &kakari, now())
        .expect("proposed")
    else {
        panic!("approval is required by default");
    };
    assert_eq!(store.catalogue_signature(pending).expect("read"), None);
    let published = store.approve(pending, &hancho, now()).expect("approved");
    let signature = store
        .catalogue_signature(published)
        .expect("read")
        .expect("signed");
    assert_eq!(trusted.verify(&files, Some(&signature)), Ok(()));
    assert_eq!(
        store.signed_versions_not_on_floor().expect("read"),
        [published]
    );
    store.mark_on_floor(published, 7).expect("marked");
    assert!(
        store
            .signed_versions_not_on_floor()
            .expect("read")
            .is_empty()
    );
    assert_eq!(store.newest_floor_catalogue().expect("read"), 7);
    // The versions list says which version is on the floor.
    let listed = store.catalogue_versions().expect("versions");
    let on_floor = listed.iter().find(|v| v.id == published).expect("listed");
    assert_eq!(on_floor.floor_id, Some(7));
    assert_eq!(
        store
            .catalogue(published)
            .expect("read")
            .and_then(|v| v.floor_id),
        Some(7)
    );
}

#[test]
fn settings_the_configuration_file_fixes_win_and_are_not_changed_on_screen() {
    let dir = tempfile::tempdir().expect("dir");
    let mut stored = store(dir.path());
    let (supervisor, _) = supervisors(&mut stored);
    stored
        .change_setting(&supervisor, "office.city", "旧市", now())
        .expect("set in the store");
    stored
        .change_setting(&supervisor, "counter.zeimu.place", "2階", now())
        .expect("set in the store");
    drop(stored);
    let fixed = madoguchi_store::FixedSettings {
        values: BTreeMap::from([
            ("office.city".to_string(), "標準市".to_string()),
            ("counter.shimin.place".to_string(), "1階 2番".to_string()),
        ]),
        source: Some("/etc/madoguchi/madoguchi.toml".into()),
    };
    let config = StoreConfig {
        db_path: dir.path().join("db.sqlite3"),
        key_path: dir.path().join("store.key"),
    };
    let mut store = Store::open_with_fixed(&config, fixed, now())
        .expect("opens")
        .store;
    assert_eq!(
        store.setting("office.city").expect("read").as_deref(),
        Some("標準市")
    );
    assert!(store.setting_is_fixed("office.city"));
    let places = store.settings_with_prefix("counter.").expect("places");
    assert_eq!(
        places,
        vec![
            ("counter.shimin.place".to_string(), "1階 2番".to_string()),
            ("counter.zeimu.place".to_string(), "2階".to_string()),
        ],
        "the file's places join the store's"
    );
    let supervisor = store
        .sign_in("kakari", "sakura-no-hana-2026", now())
        .expect("signs in")
        .supervisor()
        .expect("a supervisor");
    let error = store
        .change_setting(&supervisor, "office.city", "別市", now())
        .expect_err("fixed by the file");
    assert!(
        error.to_string().contains("/etc/madoguchi/madoguchi.toml"),
        "{error}"
    );
    assert!(
        store
            .share()
            .setting("office.city")
            .expect("read")
            .as_deref()
            == Some("標準市"),
        "a shared handle reads the same"
    );
}
