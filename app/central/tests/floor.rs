//! The central schema against a real PostgreSQL cluster this test starts (initdb into a
//! temporary folder, a Unix socket of its own, stopped when the test ends). PostgreSQL refuses
//! to run as root, so under root the cluster runs as the system user `madoguchi-pg`, made here
//! when missing.

use std::path::PathBuf;
use std::process::Command;

use madoguchi_central::{CaseRow, Terminal, add_terminal, migrate, push_case, routed_to};
use postgres::{Client, NoTls};
use uuid::Uuid;

const CLUSTER_USER: &str = "madoguchi-pg";

/// A private cluster: its folder, its socket folder and port; stopped on drop.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The newest installed PostgreSQL's programs (Debian keeps them per version).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (scripts/setup installs it)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("an initdb")
}

impl Cluster {
    fn start() -> Cluster {
        let dir = tempfile::tempdir().expect("dir");
        let bin = postgres_bin();
        if is_root() {
            let exists = Command::new("id")
                .arg(CLUSTER_USER)
                .output()
                .is_ok_and(|o| o.status.success());
            if !exists {
                let made = Command::new("useradd")
                    .args([
                        "--system",
                        "--no-create-home",
                        "--shell",
                        "/usr/sbin/nologin",
                        CLUSTER_USER,
                    ])
                    .status()
                    .expect("useradd runs");
                assert!(made.success(), "cannot create the {CLUSTER_USER} user");
            }
            let status = Command::new("chown")
                .args(["-R", CLUSTER_USER])
                .arg(dir.path())
                .status()
                .expect("chown runs");
            assert!(status.success());
        }
        // A port of its own: the socket's name carries it, and no TCP port is opened.
        let port = 20_000 + (std::process::id() % 20_000) as u16;
        let cluster = Cluster { dir, bin, port };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().expect("utf-8"),
                "-U",
                "postgres",
                "--auth-local=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ],
        );
        // Terminals log in with their own SCRAM passwords; the test's superuser by trust.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all postgres trust\nlocal all all scram-sha-256\n",
        )
        .expect("pg_hba.conf");
        let options = format!(
            "-c listen_addresses='' -k {} -p {}",
            cluster.dir.path().display(),
            port
        );
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().expect("utf-8"),
                "-o",
                &options,
                "-l",
                cluster.dir.path().join("log").to_str().expect("utf-8"),
                "-w",
                "start",
            ],
        );
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs one of PostgreSQL's programs as the cluster's user; its output shows only when it
    /// fails.
    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let output = if is_root() {
            Command::new("runuser")
                .args(["-u", CLUSTER_USER, "--"])
                .arg(&path)
                .args(args)
                .output()
        } else {
            Command::new(&path).args(args).output()
        }
        .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn connect(&self, user: &str, password: Option<&str>) -> Result<Client, postgres::Error> {
        let mut config = postgres::Config::new();
        config
            .host_path(self.dir.path())
            .port(self.port)
            .user(user)
            .dbname("postgres");
        if let Some(password) = password {
            config.password(password);
        }
        config.connect(NoTls)
    }

    fn superuser(&self) -> Client {
        self.connect("postgres", None)
            .expect("the superuser connects")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.run_quietly(&[
            "-D",
            data.to_str().unwrap_or_default(),
            "-m",
            "immediate",
            "stop",
        ]);
    }
}

impl Cluster {
    fn run_quietly(&self, args: &[&str]) -> std::io::Result<()> {
        let path = self.bin.join("pg_ctl");
        if is_root() {
            Command::new("runuser")
                .args(["-u", CLUSTER_USER, "--"])
                .arg(&path)
                .args(args)
                .output()?;
        } else {
            Command::new(&path).args(args).output()?;
        }
        Ok(())
    }
}

const PASSWORD: &str = "a-long-terminal-password-2026";

fn terminal(login: &str, counters: &[&str]) -> Terminal {
    Terminal {
        login: login.into(),
        place: "本庁舎1階".into(),
        counters: counters.iter().map(|c| c.to_string()).collect(),
    }
}

fn a_case(counters: &[&str]) -> CaseRow {
    CaseRow {
        id: Uuid::new_v4(),
        event: "tennyu".into(),
        members: 3,
        procedures: vec!["tennyu_todoke".into(), "kokuho_kanyu".into()],
        counters: counters.iter().map(|c| c.to_string()).collect(),
        sealed: vec![0x5e; 48],
    }
}

/// The schema migrates once, terminals log in with their own passwords, a case pushed twice is
/// one row, each department terminal sees only the cases routed to its counters, and no
/// terminal may read the audit or publish a catalogue: the engine refuses, not our code.
#[test]
fn terminals_see_only_their_counters_cases_and_pushes_are_idempotent() {
    let cluster = Cluster::start();
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
    let case = a_case(&["hoken_nenkin"]);
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
    let waiting = routed_to(&mut hoken, "hoken_nenkin").expect("its list");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].case, case.id);
    assert_eq!(waiting[0].state, "waiting");
    assert!(
        madoguchi_central::set_route_state(&mut hoken, case.id, "hoken_nenkin", "done", "")
            .expect("marks done")
    );
    let seen = routed_to(&mut desk, "hoken_nenkin").expect("the desk's view");
    assert_eq!(
        seen[0].state, "done",
        "the interview desk sees the counter's progress"
    );

    let mut kodomo = cluster
        .connect("kodomo_1", Some(PASSWORD))
        .expect("kodomo logs in");
    assert!(
        routed_to(&mut kodomo, "hoken_nenkin")
            .expect("query runs")
            .is_empty()
    );
    let visible: i64 = kodomo
        .query_one("SELECT count(*) FROM cases", &[])
        .expect("count")
        .get(0);
    assert_eq!(visible, 0, "another counter's case is not visible");
    for forbidden in [
        "SELECT * FROM audit",
        "INSERT INTO catalogue_versions (name, version, checksum, files, published_by) VALUES ('x', '1', 'x', '{}', 'kodomo_1')",
        "UPDATE cases SET sealed = ''",
        "DELETE FROM cases",
    ] {
        let refused = kodomo.batch_execute(forbidden);
        assert!(refused.is_err(), "a terminal may not: {forbidden}");
    }
    // Marking another counter's work is not possible either: the row is not visible to it.
    assert!(
        !madoguchi_central::set_route_state(
            &mut kodomo,
            case.id,
            "hoken_nenkin",
            "not_needed",
            "x"
        )
        .expect("runs")
    );
}
