//! A private CUPS for tests (this crate's, the kiosk's print tests and its headless UI flows): its own cupsd (own config, spool and port), one queue on the
//! cups-pdf backend (Debian `printer-driver-cups-pdf`) writing PDFs into a temp folder, and
//! any other queue a test adds ([`TestCups::add_queue`], a printer nearby). It
//! never touches the machine's own CUPS queues; it does write cups-pdf's per-queue config
//! (`/etc/cups/cups-pdf-<queue>.conf`, the only place cups-pdf reads it from) and removes it
//! when the queue goes.
//! Needs root, like the backend itself.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct TestCups {
    _dir: tempfile::TempDir,
    root: PathBuf,
    child: Child,
    port: u16,
    pub queue: String,
    pub out: PathBuf,
    backend_conf: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// cups-pdf's per-queue config (the only place it reads it from): where `queue` prints to.
fn write_backend_conf(queue: &str, out: &Path) -> PathBuf {
    let conf = PathBuf::from(format!("/etc/cups/cups-pdf-{queue}.conf"));
    let out = out.display();
    write(&conf, &format!("Out {out}\nAnonDirName {out}\nLabel 0\n"));
    conf
}

fn chmod(path: &Path, mode: &str) {
    let ok = Command::new("chmod")
        .arg(mode)
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "chmod {mode} {}", path.display());
}

impl TestCups {
    pub fn start(name: &str) -> TestCups {
        assert!(
            Path::new("/usr/sbin/cupsd").exists()
                && Path::new("/usr/lib/cups/backend/cups-pdf").exists(),
            "cupsd or the cups-pdf backend is missing: run scripts/setup (cups-daemon, printer-driver-cups-pdf)"
        );
        let uid = Command::new("id").arg("-u").output().expect("id");
        assert_eq!(
            String::from_utf8_lossy(&uid.stdout).trim(),
            "0",
            "the printing tests start a private cupsd and need root (CI runs as root)"
        );
        let dir = tempfile::Builder::new()
            .prefix("madoguchi-cups")
            .tempdir()
            .expect("dir");
        let root = dir.path().to_path_buf();
        for sub in ["etc/ppd", "spool/tmp", "cache", "state", "log", "out"] {
            std::fs::create_dir_all(root.join(sub)).expect("dirs");
        }
        chmod(&root, "0755");
        chmod(&root.join("etc"), "0755");
        chmod(&root.join("spool"), "0755");
        chmod(&root.join("spool/tmp"), "1777");
        // cups-pdf writes as the anonymous user when the job's user is not a local account.
        chmod(&root.join("out"), "0777");
        let port = free_port();
        let queue = format!("madoguchi-{name}-{}", std::process::id());
        write(
            &root.join("etc/cupsd.conf"),
            &format!(
                "Listen 127.0.0.1:{port}\nLogLevel warn\nDefaultAuthType None\nWebInterface No\nBrowsing No\n\
                 <Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
                 <Policy default>\n  JobPrivateAccess all\n  JobPrivateValues none\n  SubscriptionPrivateAccess all\n  SubscriptionPrivateValues none\n  <Limit All>\n    Order deny,allow\n    Allow all\n  </Limit>\n</Policy>\n"
            ),
        );
        let r = root.display();
        write(
            &root.join("etc/cups-files.conf"),
            &format!(
                "ServerRoot {r}/etc\nRequestRoot {r}/spool\nTempDir {r}/spool/tmp\nCacheDir {r}/cache\nStateDir {r}/state\n\
                 AccessLog {r}/log/access_log\nErrorLog {r}/log/error_log\nPageLog {r}/log/page_log\n\
                 ServerBin /usr/lib/cups\nDataDir /usr/share/cups\n"
            ),
        );
        let out = root.join("out");
        let backend_conf = write_backend_conf(&queue, &out);
        let child = Command::new("/usr/sbin/cupsd")
            .arg("-f")
            .arg("-c")
            .arg(root.join("etc/cupsd.conf"))
            .arg("-s")
            .arg(root.join("etc/cups-files.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cupsd starts");
        let cups = TestCups {
            _dir: dir,
            root,
            child,
            port,
            queue,
            out,
            backend_conf,
        };
        cups.wait_until_listening();
        cups.add_printer(&cups.queue);
        cups
    }

    fn wait_until_listening(&self) {
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "cupsd did not start; its log: {}",
                std::fs::read_to_string(self.root.join("log/error_log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `host:port`, as the CUPS tools take it with `-h`.
    pub fn server(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn tool(&self, tool: &str) {
        let done = Command::new(tool)
            .args(["-h", &self.server(), &self.queue])
            .output()
            .expect("CUPS tool runs");
        assert!(
            done.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&done.stderr)
        );
    }

    /// Stops the queue, as a clerk does when the printer jams (`cupsdisable`).
    pub fn stop_queue(&self) {
        self.tool("cupsdisable");
    }

    pub fn start_queue(&self) {
        self.tool("cupsenable");
    }

    pub fn printed(&self) -> Vec<PathBuf> {
        pdfs_in(&self.out)
    }

    /// Adds a queue `name` on this cupsd, printing into a folder of its own.
    pub fn add_queue(&self, name: &str) -> OtherQueue {
        let queue = format!("{}-{name}", self.queue);
        let out = self.root.join(format!("out-{name}"));
        std::fs::create_dir_all(&out).expect("the queue's folder");
        chmod(&out, "0777");
        let backend_conf = write_backend_conf(&queue, &out);
        let other = OtherQueue {
            queue,
            out,
            backend_conf,
        };
        self.add_printer(&other.queue);
        other
    }

    fn add_printer(&self, queue: &str) {
        let added = Command::new("lpadmin")
            .args(["-h", &self.server(), "-p", queue])
            .args(["-v", &format!("cups-pdf:/{queue}")])
            .args(["-P", "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd", "-E"])
            .output()
            .expect("lpadmin runs");
        assert!(
            added.status.success(),
            "lpadmin: {}",
            String::from_utf8_lossy(&added.stderr)
        );
    }
}

/// A second queue on the same cupsd (a printer nearby), printing into its own folder; its
/// cups-pdf config goes with it.
#[derive(Debug)]
pub struct OtherQueue {
    pub queue: String,
    pub out: PathBuf,
    backend_conf: PathBuf,
}

impl OtherQueue {
    pub fn printed(&self) -> Vec<PathBuf> {
        pdfs_in(&self.out)
    }
}

impl Drop for OtherQueue {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.backend_conf);
    }
}

fn pdfs_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "pdf"));
    files.sort();
    files
}

impl Drop for TestCups {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.backend_conf);
    }
}
