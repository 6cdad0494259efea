//! A private pcscd with vsmartcard's virtual reader, for integration tests, the benchmark and
//! the demo: started with its own configuration directory and free ports, stopped by its PID.
//!
//! pcsc-lite allows one pcscd per machine (it owns `/run/pcscd`), so at most one test bed runs
//! at a time, and none while the system's pcscd runs. It needs the `pcscd` and
//! `vsmartcard-vpcd` packages and root (pcscd writes `/run/pcscd`).

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::reader::{CardService, VIRTUAL_READER_PREFIX};

/// Where Debian's `vsmartcard-vpcd` puts its pcscd driver.
pub const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
const PCSCD_PID_FILE: &str = "/run/pcscd/pcscd.pid";
const START_TIMEOUT: Duration = Duration::from_secs(15);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum TestbedError {
    #[error(
        "another pcscd is running (pid {0}); stop it first (as root: systemctl stop pcscd.socket pcscd, or kill {0})"
    )]
    AlreadyRunning(u32),
    #[error(
        "the vpcd driver {VPCD_DRIVER} is missing: install vsmartcard-vpcd (scripts/setup does)"
    )]
    NoVpcd,
    #[error("could not start pcscd: {0}")]
    Spawn(std::io::Error),
    #[error("pcscd did not come up within {seconds} s; its log:\n{log}")]
    NotReady { seconds: u64, log: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A running pcscd with one vpcd entry: two virtual readers, listening for emulated cards on
/// `port` and `port + 1`.
#[derive(Debug)]
pub struct TestPcscd {
    child: Option<Child>,
    dir: PathBuf,
    port: u16,
}

static INSTANCE: AtomicU32 = AtomicU32::new(0);

impl TestPcscd {
    /// Starts pcscd on two free ports and waits until both virtual readers are listed.
    pub fn start() -> Result<TestPcscd, TestbedError> {
        if !Path::new(VPCD_DRIVER).exists() {
            return Err(TestbedError::NoVpcd);
        }
        if let Some(pid) = running_pcscd() {
            return Err(TestbedError::AlreadyRunning(pid));
        }
        let dir = std::env::temp_dir().join(format!(
            "madoguchi-pcscd-{}-{}",
            std::process::id(),
            INSTANCE.fetch_add(1, Ordering::SeqCst)
        ));
        fs::create_dir_all(dir.join("reader.conf.d"))?;
        let port = free_port_pair()?;
        fs::write(
            dir.join("reader.conf.d").join("vpcd"),
            format!(
                "FRIENDLYNAME \"{VIRTUAL_READER_PREFIX}\"\nDEVICENAME /dev/null:0x{port:04X}\nLIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:04X}\n"
            ),
        )?;
        let mut pcscd = TestPcscd {
            child: None,
            dir,
            port,
        };
        pcscd.spawn()?;
        Ok(pcscd)
    }

    fn spawn(&mut self) -> Result<(), TestbedError> {
        let log = fs::File::create(self.log_path())?;
        let child = Command::new(pcscd_binary())
            .arg("--foreground")
            .arg("--config")
            .arg(self.dir.join("reader.conf.d"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(TestbedError::Spawn)?;
        self.child = Some(child);
        self.wait_until_ready()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("pcscd.log")
    }

    fn wait_until_ready(&mut self) -> Result<(), TestbedError> {
        let start = Instant::now();
        while start.elapsed() < START_TIMEOUT {
            let exited = self
                .child
                .as_mut()
                .is_none_or(|child| !matches!(child.try_wait(), Ok(None)));
            if exited {
                break;
            }
            let service = CardService::new();
            if service.readers().is_ok_and(|readers| readers.len() >= 2) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = fs::read_to_string(self.log_path()).unwrap_or_default();
        self.stop();
        Err(TestbedError::NotReady {
            seconds: START_TIMEOUT.as_secs(),
            log,
        })
    }

    /// pcscd's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Where a card emulator connects to be in reader `slot` (0 or 1).
    pub fn slot_address(&self, slot: u16) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port + slot))
    }

    /// The name pcscd gives reader `slot`.
    pub fn reader_name(&self, slot: u16) -> String {
        format!("{VIRTUAL_READER_PREFIX} 00 {slot:02X}")
    }

    /// Stops pcscd (SIGTERM, then SIGKILL if it lingers) and waits for it to exit.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let start = Instant::now();
        while start.elapsed() < STOP_TIMEOUT {
            if !matches!(child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Stops pcscd and starts it again with the same readers, as a service restart would.
    pub fn restart(&mut self) -> Result<(), TestbedError> {
        self.stop();
        self.spawn()
    }
}

impl Drop for TestPcscd {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn pcscd_binary() -> PathBuf {
    let sbin = PathBuf::from("/usr/sbin/pcscd");
    if sbin.exists() {
        sbin
    } else {
        PathBuf::from("pcscd")
    }
}

/// The PID of a live pcscd, from its PID file.
fn running_pcscd() -> Option<u32> {
    // pcscd writes its PID, a newline and a NUL byte.
    let text = fs::read_to_string(PCSCD_PID_FILE).ok()?;
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let pid: u32 = digits.parse().ok()?;
    let command = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    (command.trim() == "pcscd").then_some(pid)
}

/// A port `p` such that `p` and `p + 1` are both free on every interface (vpcd listens on all).
fn free_port_pair() -> std::io::Result<u16> {
    for _ in 0..50 {
        let first = TcpListener::bind((Ipv4Addr::UNSPECIFIED, 0))?;
        let port = first.local_addr()?.port();
        if port < u16::MAX && TcpListener::bind((Ipv4Addr::UNSPECIFIED, port + 1)).is_ok() {
            return Ok(port);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        "no two adjacent free ports",
    ))
}
