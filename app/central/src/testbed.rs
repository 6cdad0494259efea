//! A private PostgreSQL cluster for tests and benchmarks: `initdb` into a temporary folder,
//! listening only on a Unix socket in that folder (no TCP port, so clusters never collide),
//! stopped by `pg_ctl` when dropped. It never touches the machine's own clusters.
//!
//! PostgreSQL refuses to run as root, so under root the cluster runs as the system user
//! `madoguchi-pg`, created here when missing. Its superuser `postgres` logs in by trust over
//! the socket; every other role (terminals, supervisors) with its SCRAM password. Panics when
//! PostgreSQL is missing or will not start: a test cannot go on without it.

use std::path::{Path, PathBuf};
use std::process::Command;

use postgres::{Client, NoTls};

/// The system user clusters run as under root.
pub const CLUSTER_USER: &str = "madoguchi-pg";

/// The port in the socket's name (`.s.PGSQL.5432`): each cluster has its own socket folder.
const PORT: u16 = 5432;

#[derive(Debug)]
pub struct TestCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The newest installed PostgreSQL's programs (Debian keeps them per major version).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (scripts/setup installs it)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("an initdb")
}

fn ensure_cluster_user() {
    let exists = Command::new("id")
        .arg(CLUSTER_USER)
        .output()
        .is_ok_and(|o| o.status.success());
    if exists {
        return;
    }
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
    // Two test binaries may race to create it: the loser finds it made.
    let exists = Command::new("id")
        .arg(CLUSTER_USER)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        made.success() || exists,
        "cannot create the {CLUSTER_USER} user"
    );
}

impl TestCluster {
    /// Makes and starts a cluster.
    pub fn start() -> TestCluster {
        let dir = tempfile::tempdir().expect("a temporary folder");
        if is_root() {
            ensure_cluster_user();
            let status = Command::new("chown")
                .args(["-R", CLUSTER_USER])
                .arg(dir.path())
                .status()
                .expect("chown runs");
            assert!(status.success());
        }
        let cluster = TestCluster {
            dir,
            bin: postgres_bin(),
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth-local=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ],
        );
        std::fs::write(
            Path::new(&data).join("pg_hba.conf"),
            "local all postgres trust\nlocal all all scram-sha-256\n",
        )
        .expect("pg_hba.conf");
        cluster.start_again();
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// The folder holding the socket: libpq's `host`.
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    /// A connection string for `user` (its password is given apart).
    pub fn connection_string(&self, user: &str) -> String {
        format!(
            "host={} port={PORT} dbname=postgres user={user}",
            self.socket_dir().display()
        )
    }

    /// Starts the cluster (again, after [`stop`](Self::stop)) and waits until it accepts
    /// connections.
    pub fn start_again(&self) {
        let options = format!(
            "-c listen_addresses='' -k {} -p {PORT} -c max_connections=300",
            self.socket_dir().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the cluster at once (the server going away under the terminals).
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// Runs one of PostgreSQL's programs as the cluster's user, with `args`; returns its
    /// standard output, and panics with its output when it fails.
    pub fn run(&self, program: &str, args: &[&str]) -> Vec<u8> {
        let output = self
            .command(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", CLUSTER_USER, "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    /// Everything in the database as `pg_dump` writes it (the superuser's view).
    pub fn dump(&self) -> Vec<u8> {
        let host = self.socket_dir().display().to_string();
        self.run(
            "pg_dump",
            &[
                "-h",
                &host,
                "-p",
                &PORT.to_string(),
                "-U",
                "postgres",
                "postgres",
            ],
        )
    }

    /// Connects as `user`, with a password for every role but the superuser.
    pub fn connect(&self, user: &str, password: Option<&str>) -> Result<Client, postgres::Error> {
        let mut config = postgres::Config::new();
        config
            .host_path(self.socket_dir())
            .port(PORT)
            .user(user)
            .dbname("postgres");
        if let Some(password) = password {
            config.password(password);
        }
        config.connect(NoTls)
    }

    /// The superuser, for setting up.
    pub fn superuser(&self) -> Client {
        self.connect("postgres", None)
            .expect("the superuser connects")
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
    }
}
