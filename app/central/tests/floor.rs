//! The central schema against a real PostgreSQL cluster the test starts
//! (`madoguchi_central::testbed`): migrations, terminals' own logins, idempotent pushes, and
//! row-level security enforced by the engine.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use madoguchi_central::testbed::TestCluster;
use madoguchi_central::{
    CaseRow, HandoverKind, HandoverRow, PublishedCatalogue, Terminal, add_terminal, migrate,
    newest_catalogue_after, progress, publish_catalogue, push_case, push_handover, revoke_terminal,
    routed_to, sealed_case,
};
use uuid::Uuid;

const PASSWORD: &str = "a-long-terminal-password-2026";

fn terminal(login: &str, counters: &[&str]) -> Terminal {
    Terminal {
        login: login.into(),
        place: "本庁舎1階".into(),
        counters: counters.iter().map(|c| c.to_string()).collect(),
        supervisor: false,
        back_office: false,
    }
}

fn a_case(counters: &[&str]) -> CaseRow {
    let finished_at = Utc::now();
    CaseRow {
        id: Uuid::new_v4(),
        reception: "A-001".into(),
        started_at: finished_at - Duration::minutes(15),
        finished_at,
        event: "tennyu".into(),
        members: 3,
        procedures: vec!["tennyu_todoke".into(), "kokuho_kanyu".into()],
        routes: counters
            .iter()
            .map(|c| (c.to_string(), vec![format!("{c}_procedure")]))
            .collect(),
        forms_printed: 4,
        sealed: Some(vec![0x5e; 48]),
    }
}

fn event(case: Uuid, counter: &str, kind: HandoverKind, detail: &str) -> HandoverRow {
    HandoverRow {
        id: Uuid::new_v4(),
        case,
        counter: counter.into(),
        kind,
        detail: detail.into(),
        at: Utc::now(),
    }
}

fn today() -> chrono::DateTime<Utc> {
    Utc::now() - Duration::hours(12)
}

/// The schema migrates once, terminals log in with their own passwords, a case pushed twice is
/// one row, each department terminal sees only the cases routed to its counters, and no
/// terminal may read the audit or publish a catalogue: the engine refuses, not our code.
#[test]
fn terminals_see_only_their_counters_cases_and_pushes_are_idempotent() {
    let cluster = TestCluster::start();
    let mut admin = cluster.superuser();
    assert!(migrate(&mut admin).expect("migrates") >= 1);
    assert_eq!(
        migrate(&mut admin).expect("migrates again"),
        0,
        "already current"
    );
    add_terminal(&mut admin, &terminal("desk_1", &[]), PASSWORD).expect("desk");
    add_terminal(
        &mut admin,
        &terminal("hoken_1", &["hoken_nenkin"]),
        PASSWORD,
    )
    .expect("hoken");
    add_terminal(&mut admin, &terminal("kodomo_1", &["kodomo"]), PASSWORD).expect("kodomo");
    assert!(
        add_terminal(&mut admin, &terminal("bad\"login", &[]), PASSWORD).is_err(),
        "a login that is not a plain identifier is refused before any SQL"
    );
    assert!(
        cluster
            .connect("desk_1", Some("the-wrong-password-entirely"))
            .is_err(),
        "SCRAM refuses a wrong password"
    );

    let mut desk = cluster
        .connect("desk_1", Some(PASSWORD))
        .expect("the desk logs in");
    let case = a_case(&["hoken_nenkin", "shimin"]);
    assert!(push_case(&mut desk, &case).expect("pushes"));
    assert!(
        !push_case(&mut desk, &case).expect("pushes again"),
        "the same case twice is one row"
    );
    let rows: i64 = admin
        .query_one("SELECT count(*) FROM cases", &[])
        .expect("count")
        .get(0);
    assert_eq!(rows, 1);

    let mut hoken = cluster
        .connect("hoken_1", Some(PASSWORD))
        .expect("hoken logs in");
    let waiting = routed_to(&mut hoken, "hoken_nenkin", today()).expect("its list");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].case, case.id);
    assert_eq!(waiting[0].reception, "A-001");
    assert_eq!(waiting[0].state, "waiting");
    assert_eq!(waiting[0].procedures, ["hoken_nenkin_procedure"]);
    assert_eq!(waiting[0].forms_printed, 4);
    assert_eq!(
        sealed_case(&mut hoken, case.id).expect("opens"),
        case.sealed,
        "the routed counter reads the sealed bytes (and needs the floor key to open them)"
    );
    let opened = event(case.id, "hoken_nenkin", HandoverKind::Opened, "");
    assert!(push_handover(&mut hoken, &opened).expect("opened"));
    assert!(!push_handover(&mut hoken, &opened).expect("again"), "once");
    let done = event(case.id, "hoken_nenkin", HandoverKind::Done, "");
    assert!(push_handover(&mut hoken, &done).expect("done"));
    // A late copy of the opening does not undo the counter's decision.
    let late_open = HandoverRow {
        at: Utc::now(),
        ..event(case.id, "hoken_nenkin", HandoverKind::Opened, "")
    };
    push_handover(&mut hoken, &late_open).expect("late open");
    let seen = progress(&mut desk, case.id).expect("the desk's view");
    let hoken_route = seen
        .iter()
        .find(|w| w.counter == "hoken_nenkin")
        .expect("route");
    assert_eq!(
        hoken_route.state, "done",
        "the interview desk sees the counter's progress"
    );
    assert_eq!(seen.len(), 2, "and every other counter's");

    let mut kodomo = cluster
        .connect("kodomo_1", Some(PASSWORD))
        .expect("kodomo logs in");
    assert!(
        routed_to(&mut kodomo, "hoken_nenkin", today())
            .expect("query runs")
            .is_empty()
    );
    assert_eq!(sealed_case(&mut kodomo, case.id).expect("runs"), None);
    let visible: i64 = kodomo
        .query_one("SELECT count(*) FROM cases", &[])
        .expect("count")
        .get(0);
    assert_eq!(visible, 0, "another counter's case is not visible");
    for forbidden in [
        "SELECT * FROM audit",
        "INSERT INTO catalogue_versions (name, version, checksum, files, signature, key_id) VALUES ('x', '1', 'x', '{}', '', 'k')",
        "UPDATE cases SET sealed = ''",
        "DELETE FROM cases",
        "DELETE FROM routes",
    ] {
        let refused = kodomo.batch_execute(forbidden);
        assert!(refused.is_err(), "a terminal may not: {forbidden}");
    }
    // Marking another counter's work is refused by the engine, for the same case too.
    let foreign = event(case.id, "hoken_nenkin", HandoverKind::NotNeeded, "x");
    assert!(push_handover(&mut kodomo, &foreign).is_err());
    let foreign = event(case.id, "shimin", HandoverKind::Done, "");
    assert!(
        push_handover(&mut hoken, &foreign).is_err(),
        "hoken sees the case but does not serve 市民課"
    );
    let marked: i64 = hoken
        .query_one(
            "WITH changed AS (UPDATE routes SET state = 'done' WHERE counter = 'shimin' RETURNING 1)
             SELECT count(*) FROM changed",
            &[],
        )
        .expect("runs")
        .get(0);
    assert_eq!(marked, 0, "row-level security leaves 市民課's route alone");

    // The statistics, kept by the triggers: one case, routed to two counters.
    let today = (Utc::now() + Duration::hours(9)).date_naive();
    let statistics =
        madoguchi_central::floor_statistics(&mut admin, today - Duration::days(1), today)
            .expect("statistics");
    assert_eq!(statistics.cases, 1);
    assert_eq!(statistics.members, 3);
    assert!((statistics.mean_minutes - 15.0).abs() < 0.01);
    assert_eq!(statistics.per_event, [("tennyu".to_string(), 1)]);
    assert_eq!(
        statistics.per_counter,
        [("hoken_nenkin".to_string(), 1), ("shimin".to_string(), 1)]
    );
    assert_eq!(statistics.per_hour.iter().sum::<i64>(), 1);
    assert_eq!(statistics.per_day, [(today, 1)]);
    assert_eq!(statistics.per_terminal, [("desk_1".to_string(), 1)]);
    let none = madoguchi_central::floor_statistics(
        &mut admin,
        today - Duration::days(400),
        today - Duration::days(300),
    )
    .expect("an empty range");
    assert_eq!(none.cases, 0);
    assert!(none.per_day.is_empty());
    assert!(
        kodomo.batch_execute("SELECT * FROM case_counts").is_err(),
        "the statistics are the supervisor's"
    );

    // Retention: the sealed fields go, the statistics stay, and it is audited.
    assert!(
        madoguchi_central::purge_sealed(&mut desk, Utc::now() + Duration::days(1)).is_err(),
        "a terminal may not purge"
    );
    assert_eq!(
        madoguchi_central::purge_sealed(&mut admin, Utc::now() - Duration::days(30))
            .expect("nothing old"),
        0
    );
    assert_eq!(
        madoguchi_central::purge_sealed(&mut admin, Utc::now() + Duration::days(1))
            .expect("purges"),
        1
    );
    assert_eq!(sealed_case(&mut hoken, case.id).expect("runs"), None);
    let audited: i64 = admin
        .query_one(
            "SELECT count(*) FROM audit WHERE action = 'cases.purge'",
            &[],
        )
        .expect("audit")
        .get(0);
    assert_eq!(audited, 1);

    // A revoked terminal cannot log in again.
    assert!(revoke_terminal(&mut admin, "kodomo_1").expect("revokes"));
    assert!(cluster.connect("kodomo_1", Some(PASSWORD)).is_err());
}

/// Catalogue versions are published by supervisors, pulled by terminals, and never changed.
#[test]
fn published_catalogues_are_pulled_and_never_changed() {
    let cluster = TestCluster::start();
    let mut admin = cluster.superuser();
    migrate(&mut admin).expect("migrates");
    add_terminal(&mut admin, &terminal("desk_1", &[]), PASSWORD).expect("desk");
    admin
        .batch_execute(&format!(
            "CREATE ROLE kakari LOGIN PASSWORD '{PASSWORD}' IN ROLE madoguchi_supervisor"
        ))
        .expect("a supervisor's login");
    let mut supervisor = cluster.connect("kakari", Some(PASSWORD)).expect("logs in");
    let catalogue = PublishedCatalogue {
        id: 0,
        name: "標準市".into(),
        version: "2026.12.1".into(),
        checksum: "sha256:00".into(),
        files: BTreeMap::from([("catalogue.toml".into(), "[catalogue]\n".into())]),
        signature: vec![1; 64],
        key_id: "key-1".into(),
    };
    let id = publish_catalogue(&mut supervisor, &catalogue).expect("publishes");
    assert_eq!(
        publish_catalogue(&mut supervisor, &catalogue).expect("again"),
        id,
        "the same version twice is one row"
    );
    let mut desk = cluster.connect("desk_1", Some(PASSWORD)).expect("logs in");
    let pulled = newest_catalogue_after(&mut desk, 0)
        .expect("pulls")
        .expect("a version");
    assert_eq!(pulled, PublishedCatalogue { id, ..catalogue });
    assert_eq!(newest_catalogue_after(&mut desk, id).expect("pulls"), None);
    assert!(
        publish_catalogue(&mut desk, &pulled).is_err(),
        "a terminal may not publish"
    );
    for forbidden in [
        "UPDATE catalogue_versions SET version = 'x'",
        "DELETE FROM catalogue_versions",
        "UPDATE audit SET detail = ''",
    ] {
        assert!(
            supervisor.batch_execute(forbidden).is_err(),
            "nobody may: {forbidden}"
        );
    }
    let refused = admin.batch_execute("UPDATE catalogue_versions SET version = 'x'");
    assert!(
        refused.is_err(),
        "not even the owner, short of dropping the trigger"
    );
}

/// Over the network a terminal logs in only over TLS, and only to a server whose certificate
/// the city's CA signed: no CA given, or another CA, and it does not connect at all.
#[test]
fn network_hosts_are_reached_only_over_tls_checked_against_the_city_ca() {
    let cluster = TestCluster::start_with_tls();
    let mut admin = cluster.superuser();
    migrate(&mut admin).expect("migrates");
    add_terminal(&mut admin, &terminal("desk_1", &[]), PASSWORD).expect("desk");
    let connection = cluster
        .tcp_connection_string("desk_1")
        .expect("a TCP address");
    let options = |ca_file: Option<std::path::PathBuf>| madoguchi_central::ConnectOptions {
        connection: connection.clone(),
        password: Some(PASSWORD.into()),
        ca_file,
    };
    let ca = cluster.ca_file().expect("the CA").to_path_buf();
    let mut desk =
        madoguchi_central::Central::connect(&options(Some(ca.clone()))).expect("connects over TLS");
    assert!(
        desk.push_case(&a_case(&["shimin"])).expect("pushes"),
        "works over TLS"
    );
    let plain = madoguchi_central::Central::connect(&options(None)).expect_err("no CA");
    assert!(plain.to_string().contains("ca_file"), "{plain}");
    // Another CA: a self-signed certificate of our own making.
    let other = tempfile::tempdir().expect("dir");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=Other",
            "-keyout",
            "other.key",
            "-out",
            "other.crt",
        ])
        .current_dir(other.path())
        .output()
        .expect("openssl");
    assert!(made.status.success());
    let refused =
        madoguchi_central::Central::connect(&options(Some(other.path().join("other.crt"))));
    assert!(
        refused.is_err(),
        "a server the city's CA did not sign is refused"
    );
    let wrong_password = madoguchi_central::Central::connect(&madoguchi_central::ConnectOptions {
        password: Some("not-the-terminals-password".into()),
        ..options(Some(ca))
    });
    assert!(wrong_password.is_err());
}
