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
    /// With TLS: the TCP port on 127.0.0.1 and the CA that signed the server's certificate.
    tls: Option<(u16, PathBuf)>,
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
            tls: None,
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

    /// A cluster that also listens on 127.0.0.1 with TLS only (`hostssl`, SCRAM), its server
    /// certificate (for `localhost`) signed by a CA of its own, made with the `openssl`
    /// program: [`ca_file`](Self::ca_file) is what a terminal is given.
    pub fn start_with_tls() -> TestCluster {
        let mut cluster = TestCluster::start();
        cluster.stop();
        let data = PathBuf::from(cluster.data());
        let certs = cluster.dir.path().join("certs");
        std::fs::create_dir_all(&certs).expect("certs folder");
        make_certificates(&certs);
        for (from, to) in [("server.crt", "server.crt"), ("server.key", "server.key")] {
            std::fs::copy(certs.join(from), data.join(to)).expect("copy certificate");
        }
        if is_root() {
            let owned = Command::new("chown")
                .args(["-R", CLUSTER_USER])
                .arg(&data)
                .status()
                .is_ok_and(|s| s.success());
            assert!(owned, "chown the certificates");
        }
        let port = free_port();
        let conf = data.join("postgresql.conf");
        let mut settings = std::fs::read_to_string(&conf).expect("postgresql.conf");
        settings
            .push_str("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        std::fs::write(&conf, settings).expect("postgresql.conf");
        let hba = data.join("pg_hba.conf");
        let mut rules = std::fs::read_to_string(&hba).expect("pg_hba.conf");
        rules.push_str("hostssl all all 127.0.0.1/32 scram-sha-256\n");
        std::fs::write(&hba, rules).expect("pg_hba.conf");
        cluster.tls = Some((port, certs.join("ca.crt")));
        cluster.start_again();
        cluster
    }

    /// The CA certificate of a cluster started with TLS.
    pub fn ca_file(&self) -> Option<&Path> {
        self.tls.as_ref().map(|(_, ca)| ca.as_path())
    }

    /// Connection parameters over TCP to `localhost` (TLS clusters only).
    pub fn tcp_connection_string(&self, user: &str) -> Option<String> {
        self.tls.as_ref().map(|(port, _)| {
            format!("host=localhost hostaddr=127.0.0.1 port={port} dbname=postgres user={user}")
        })
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
            "host={} port={} dbname=postgres user={user}",
            self.socket_dir().display(),
            self.socket_port()
        )
    }

    /// Starts the cluster (again, after [`stop`](Self::stop)) and waits until it accepts
    /// connections.
    pub fn start_again(&self) {
        // With TLS the server also listens on 127.0.0.1 at its own port; the socket keeps
        // the shared name, being in its own folder.
        let listen = match &self.tls {
            Some((port, _)) => format!("-c listen_addresses=127.0.0.1 -c port={port}"),
            None => format!("-c listen_addresses='' -p {PORT}"),
        };
        let options = format!(
            "{listen} -k {} -c max_connections=300",
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

    fn socket_port(&self) -> u16 {
        self.tls.as_ref().map_or(PORT, |(port, _)| *port)
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
                &self.socket_port().to_string(),
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
            .port(self.socket_port())
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A CA and a server certificate for `localhost` it signed, with the `openssl` program.
fn make_certificates(dir: &Path) {
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs (scripts/setup installs it)");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Madoguchi test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").expect("san.ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.crt",
    ]);
    let private = Command::new("chmod")
        .args(["0600", "server.key"])
        .current_dir(dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(private, "chmod the server key");
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
    }
}
