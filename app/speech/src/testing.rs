//! A private PulseAudio daemon for tests (feature `testing`): a null sink whose monitor can be
//! recorded, on a socket in a private folder, so tests hear what the speaker played without a
//! sound card and without touching the machine's own sound service.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The null sink's name; its monitor source is `<SINK>.monitor`.
pub const SINK: &str = "madoguchi_test";

/// How `record` writes, as sox's options for reading it.
pub const RECORDING_FORMAT: [&str; 10] = [
    "-t", "raw", "-r", "22050", "-e", "signed", "-b", "16", "-c", "1",
];

#[derive(Debug)]
pub struct SoundServer {
    folder: tempfile::TempDir,
    daemon: Child,
}

impl SoundServer {
    /// Starts the daemon and waits until it answers. Runs as root too (with a warning from
    /// PulseAudio, which is meant for users' sessions).
    pub fn start() -> Result<SoundServer, String> {
        let folder = tempfile::Builder::new()
            .prefix("madoguchi-sound-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let socket = folder.path().join("native");
        let daemon = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
            ])
            .arg("-F")
            .arg("/dev/null")
            .arg(format!("--load=module-null-sink sink_name={SINK}"))
            .arg(format!(
                "--load=module-native-protocol-unix socket={} auth-anonymous=1",
                socket.display()
            ))
            .env("HOME", folder.path())
            .env("XDG_RUNTIME_DIR", folder.path())
            .env("XDG_CONFIG_HOME", folder.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("pulseaudio could not start ({e}); run scripts/setup"))?;
        let server = SoundServer { folder, daemon };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if server.pactl(&["info"]).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("pulseaudio did not answer within 15 s".into())
    }

    /// The address a client connects to (`Output::server`, `PULSE_SERVER`).
    pub fn address(&self) -> String {
        format!("unix:{}", self.folder.path().join("native").display())
    }

    /// How many streams are playing into the sink now.
    pub fn streams(&self) -> usize {
        self.pactl(&["list", "short", "sink-inputs"])
            .map_or(0, |out| {
                out.lines().filter(|l| !l.trim().is_empty()).count()
            })
    }

    /// Records what the sink plays into `raw` until the returned child is killed: 16-bit
    /// little-endian mono samples at 22,050 Hz, no header ([`RECORDING_FORMAT`]).
    pub fn record(&self, raw: &Path) -> Result<Child, String> {
        let file = std::fs::File::create(raw).map_err(|e| e.to_string())?;
        Command::new("parec")
            .arg("-s")
            .arg(self.address())
            .arg("-d")
            .arg(format!("{SINK}.monitor"))
            .args(["--raw", "--format=s16le", "--channels=1", "--rate=22050"])
            .stdout(file)
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("parec could not start ({e})"))
    }

    pub fn folder(&self) -> PathBuf {
        self.folder.path().to_path_buf()
    }

    fn pactl(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("pactl")
            .arg("-s")
            .arg(self.address())
            .args(args)
            .stderr(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!("pactl {}", out.status))
        }
    }
}

impl Drop for SoundServer {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
