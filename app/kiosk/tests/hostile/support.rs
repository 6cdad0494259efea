//! The suite's runner: every input runs under a time limit, and what counts as handled is the
//! same everywhere — no panic (exit status 101), no hang, and one plain line on standard error
//! when the input is refused.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Time any one input may take before it counts as a hang. Generous: the machines are shared
/// and the debug build is slow; a hang is minutes, not seconds.
pub const LIMIT: Duration = Duration::from_secs(60);

/// What one entry point's corpus came to.
#[derive(Debug, Default)]
pub struct Section {
    pub name: &'static str,
    pub tried: usize,
    pub failures: Vec<String>,
}

impl Section {
    pub fn new(name: &'static str) -> Section {
        Section {
            name,
            ..Section::default()
        }
    }

    /// Counts one input and records `problem` if there is one.
    pub fn check(&mut self, input: &str, problem: Option<String>) {
        self.tried += 1;
        if let Some(problem) = problem {
            self.failures.push(format!("{input}: {problem}"));
        }
    }
}

/// Runs `work` on its own thread; `Err` when it panics or does not finish within `limit`.
pub fn within<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let _ = sender.send(result);
    });
    match receiver.recv_timeout(limit) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(panic)) => Err(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("?")
        )),
        Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
    }
}

/// What a command did.
#[derive(Debug)]
pub struct Ran {
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Ran {
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// The lines a person reads on standard error.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }

    /// `None` when the command handled its input: it ended in time, without a panic, and a
    /// refusal says why in exactly one line. Otherwise what went wrong.
    pub fn problem(&self) -> Option<String> {
        let Some(status) = self.status else {
            return Some(format!(
                "still running after {} s (killed)",
                LIMIT.as_secs()
            ));
        };
        if status.code() == Some(101) || self.stderr.contains("panicked") {
            return Some(format!("panicked: {}", self.stderr.trim()));
        }
        if status.code().is_none() {
            return Some(format!("ended by a signal ({status})"));
        }
        if !status.success() && self.error_lines().len() != 1 {
            return Some(format!(
                "exit {:?} with {} lines on stderr: {}",
                status.code(),
                self.error_lines().len(),
                self.stderr.trim()
            ));
        }
        None
    }

    /// Like `problem`, for the commands that check a whole folder and list every problem
    /// they find, one line each (`rules check`, `import-catalogue`): more than one line is
    /// their documented answer when every line names an error.
    pub fn problem_listing_errors(&self) -> Option<String> {
        let listed = self.error_lines().iter().all(|l| l.contains("error"));
        self.problem()
            .filter(|p| !(listed && p.contains("lines on stderr")))
    }

    /// Like `refused`, and the one line must say `words` (so that it was refused for the
    /// right reason).
    pub fn refused_saying(&self, words: &str) -> Option<String> {
        self.refused().or_else(|| {
            (!self.stderr.contains(words))
                .then(|| format!("refused, but not saying {words:?}: {}", self.stderr.trim()))
        })
    }

    /// Like `problem`, and the command must also have refused the input.
    pub fn refused(&self) -> Option<String> {
        self.problem().or_else(|| {
            self.status
                .is_some_and(|s| s.success())
                .then(|| "accepted what it should refuse".to_string())
        })
    }
}

/// The `madoguchi` binary in a private folder: its own database, key, cache and temp.
pub struct Madoguchi {
    pub dir: PathBuf,
}

impl Madoguchi {
    pub fn new(dir: &Path) -> Madoguchi {
        std::fs::create_dir_all(dir.join("tmp")).expect("tmp");
        Madoguchi {
            dir: dir.to_path_buf(),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        self.program(env!("CARGO_BIN_EXE_madoguchi"), args)
    }

    /// `madoguchi-dev` (the development tools) on the same store.
    pub fn dev_command(&self, args: &[&str]) -> Command {
        self.program(env!("CARGO_BIN_EXE_madoguchi-dev"), args)
    }

    fn program(&self, program: &str, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command
            .args(args)
            .env("TMPDIR", self.dir.join("tmp"))
            .env("MADOGUCHI_DB", self.dir.join("madoguchi.sqlite3"))
            .env("MADOGUCHI_STORE_KEY_FILE", self.dir.join("store.key"))
            .env("MADOGUCHI_LOG", "off")
            .env_remove("MADOGUCHI_STORE_KEY")
            .env_remove("MADOGUCHI_CATALOGUE")
            .env_remove("MADOGUCHI_FORMS");
        command
    }

    pub fn run(&self, args: &[&str]) -> Ran {
        run(self.command(args), None)
    }

    /// Runs with `input` on standard input.
    pub fn run_with(&self, args: &[&str], input: &str) -> Ran {
        run(self.command(args), Some(input))
    }
}

/// Runs `command` under [`LIMIT`], killing it if it overruns.
pub fn run(mut command: Command, input: Option<&str>) -> Ran {
    let started = Instant::now();
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("madoguchi runs");
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        let text = text.to_string();
        std::thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(text.as_bytes());
        });
    }
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
    }
}

/// The repository's root.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}
