//! A supervisor for the command line tests: the administrative commands sign in with `--as`
//! and read the password from standard input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub const LOGIN: &str = "kakari";
pub const PASSWORD: &str = "sakura-no-hana-2026";

/// Runs `command` with `lines` on standard input, one per line.
pub fn with_input(mut command: Command, lines: &[&str]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    if let Some(mut stdin) = child.stdin.take() {
        for line in lines {
            // The command may stop reading early (a refusal); that is its answer, not ours.
            let _ = writeln!(stdin, "{line}");
        }
    }
    child.wait_with_output().expect("ends")
}

/// Makes the store's first supervisor (`store add-staff --supervisor`, no sign-in needed).
pub fn first_supervisor(mut command: Command) {
    command.args(["store", "add-staff", "--login", LOGIN, "--supervisor"]);
    let output = with_input(command, &[PASSWORD]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs an administrative command `args` signed in as the supervisor.
pub fn as_supervisor(mut command: Command, args: &[&str]) -> Output {
    command.args(args).args(["--as", LOGIN]);
    with_input(command, &[PASSWORD])
}
