//! The store across processes: a kiosk killed mid-case (SIGKILL) is resumed by the next
//! process with nothing lost; two processes share the file without harm; nothing personal
//! reaches the disk or the log in plain text.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use madoguchi_domain::Case;

#[path = "support/staff.rs"]
mod staff;

const SAMPLE: &str = madoguchi_kiosk::samples::FAMILY_OF_FOUR;
const HANCHO: &str = "ume-no-hana-2026";

/// The sample family with names and an address found nowhere else (the shipped catalogue's
/// scenarios use the sample's own names), written to `dir/case.json`.
fn private_case(dir: &Path) -> (std::path::PathBuf, Case) {
    let mut case: Case = serde_json::from_str(SAMPLE).expect("sample");
    let names = ["秘密山 𠮷太郎", "秘密山 髙子", "秘密山 葛子", "秘密山 蒼汰"];
    for (member, name) in case.household.members.iter_mut().zip(names) {
        member.person.name = name.to_owned();
    }
    case.household.members[0].person.address = Some(madoguchi_domain::Address {
        building: None,
        text: "隠岐県秘密市本町九丁目９番９号".into(),
        postal_code: None,
        parts: None,
    });
    let path = dir.join("case.json");
    std::fs::write(&path, serde_json::to_string(&case).expect("JSON")).expect("write");
    (path, case)
}

fn madoguchi(dir: &Path) -> Command {
    on_the_store(env!("CARGO_BIN_EXE_madoguchi"), dir)
}

/// The development tools (`store-simulate`, `store-hold`) on the same store.
fn dev(dir: &Path) -> Command {
    on_the_store(env!("CARGO_BIN_EXE_madoguchi-dev"), dir)
}

fn on_the_store(program: &str, dir: &Path) -> Command {
    let mut command = Command::new(program);
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    command
        // A temp directory of its own, so that the test can look inside it.
        .env("TMPDIR", tmp)
        .env("MADOGUCHI_DB", dir.join("madoguchi.sqlite3"))
        .env("MADOGUCHI_STORE_KEY_FILE", dir.join("store.key"))
        .env_remove("MADOGUCHI_STORE_KEY")
        .env_remove("MADOGUCHI_LOG");
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    madoguchi(dir).args(args).output().expect("runs")
}

#[test]
fn a_case_killed_midway_resumes_with_nothing_lost() {
    let dir = tempfile::tempdir().expect("dir");
    let input = tempfile::tempdir().expect("input dir");
    let (case_file, sample) = private_case(input.path());
    let mut child = dev(dir.path())
        .args(["store-simulate", "--pause-ms", "150", "--case"])
        .arg(&case_file)
        .env("MADOGUCHI_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("session starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut saved = 0;
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(n) = line.strip_prefix("checkpoint ") {
            saved = n.parse().expect("number");
            if saved == 3 {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL");
    let output = child.wait_with_output().expect("ends");
    let log = String::from_utf8_lossy(&output.stderr).into_owned();

    let resumed = run(dir.path(), &["store", "resume"]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&resumed.stdout).expect("JSON");
    let step = json["step"].as_str().expect("step").to_owned();
    let resumed_case: Case = serde_json::from_value(json["case"].clone()).expect("a case");
    // Killed after checkpoint 3 was saved and before 5 could be: 3 or 4 answers, all right.
    let answered = resumed_case.answers.len();
    assert!(
        answered == saved || answered == saved + 1,
        "{step}: {answered} answers"
    );
    assert_eq!(step, format!("interview {answered}"));
    for (id, answer) in &resumed_case.answers {
        assert_eq!(sample.answers.get(id), Some(answer), "{id}");
    }
    assert_eq!(resumed_case.household, sample.household);
    assert_eq!(resumed_case.event, sample.event);

    // Neither the log nor any file holds a name or the address in plain text.
    let mut names: Vec<&str> = sample
        .household
        .members
        .iter()
        .map(|m| m.person.name.as_str())
        .collect();
    names.extend(["秘密山", "隠岐県秘密市本町九丁目"]);
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for folder in [dir.path().to_path_buf(), dir.path().join("tmp")] {
        for entry in std::fs::read_dir(folder).expect("dir").flatten() {
            if entry.path().is_file() {
                files.push(entry.path());
            }
        }
    }
    assert!(files.iter().any(|f| f.ends_with("madoguchi.sqlite3")));
    for name in &names {
        assert!(!log.contains(name), "log shows {name}");
        for file in &files {
            let bytes = std::fs::read(file).expect("file");
            assert!(
                !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
                "{name} in {}",
                file.display()
            );
        }
    }
}

/// The counts `store info --json` gives: (cases, audit entries).
fn counts(dir: &Path) -> (i64, i64) {
    let info = run(dir, &["store", "info", "--json"]);
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).expect("JSON");
    (
        json["cases"].as_i64().expect("cases"),
        json["audit_entries"].as_i64().expect("audit"),
    )
}

/// The kiosk holds the store with several handles; another process runs `store info` beside
/// it (which used to make it lose every later write); it makes 20 writes and is stopped with
/// SIGTERM; all 20 are in the database and the store was closed cleanly.
#[test]
fn a_kiosk_stopped_with_sigterm_keeps_every_write() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = dev(dir.path())
        .args(["store-hold"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kiosk");
    let mut said = BufReader::new(kiosk.stdout.take().expect("stdout")).lines();
    let mut input = kiosk.stdin.take().expect("stdin");
    assert_eq!(said.next().expect("a line").expect("text"), "ready");
    let (cases, audit) = counts(dir.path());
    for n in 1..=20 {
        let write = if n % 2 == 0 { "case" } else { "login" };
        writeln!(input, "{write}").expect("asks");
        input.flush().expect("asks");
        assert_eq!(
            said.next().expect("a line").expect("text"),
            format!("ok {n}")
        );
    }
    let stopped = Command::new("kill")
        .args(["-TERM", &kiosk.id().to_string()])
        .status()
        .expect("kill");
    assert!(stopped.success());
    let status = kiosk.wait().expect("ends");
    assert_eq!(
        status.code(),
        Some(143),
        "ended by SIGTERM, on its own terms"
    );
    assert!(
        !dir.path().join("madoguchi.sqlite3-wal").exists(),
        "closed cleanly: the WAL was checkpointed into the database"
    );
    assert_eq!(
        counts(dir.path()),
        (cases + 10, audit + 10),
        "all 20 writes kept"
    );
}

#[test]
fn two_processes_share_the_database_without_harm() {
    let dir = tempfile::tempdir().expect("dir");
    // Create the key first, so that the two sessions do not race to make it.
    assert!(run(dir.path(), &["store", "info"]).status.success());
    let sessions: Vec<_> = (0..2)
        .map(|_| {
            dev(dir.path())
                .args(["store-simulate", "--finish"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("session")
        })
        .collect();
    // Meanwhile the command line reads.
    for _ in 0..5 {
        let info = run(dir.path(), &["store", "info", "--json"]);
        assert!(
            info.status.success(),
            "{}",
            String::from_utf8_lossy(&info.stderr)
        );
    }
    for session in sessions {
        let output = session.wait_with_output().expect("ends");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let info = run(dir.path(), &["store", "info", "--json", "--check"]);
    assert!(info.status.success());
    assert!(String::from_utf8_lossy(&info.stderr).contains("integrity check: ok"));
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).expect("JSON");
    assert_eq!(json["cases"], 2);
    assert_eq!(json["open_cases"], 0);
}

#[test]
fn export_writes_the_documented_csv_and_json_and_is_audited() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(
        dev(dir.path())
            .args(["store-simulate", "--finish"])
            .status()
            .expect("runs")
            .success()
    );
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let csv = run(
        dir.path(),
        &["store", "export", "--from", &today, "--to", &today],
    );
    assert!(
        csv.status.success(),
        "{}",
        String::from_utf8_lossy(&csv.stderr)
    );
    let text = String::from_utf8(csv.stdout).expect("utf-8");
    let mut lines = text.trim_start_matches('\u{FEFF}').lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,started_at,ended_at,state,event,members,procedures,forms_printed,duration_s,personal_purged"
        )
    );
    assert!(
        lines
            .next()
            .is_some_and(|row| row.contains(",done,tennyu,4,"))
    );
    assert!(!text.contains("窓口"), "no names without --personal");

    let personal = [
        "store",
        "export",
        "--from",
        &today,
        "--to",
        &today,
        "--personal",
    ];
    let unsigned = run(dir.path(), &personal);
    assert_eq!(
        unsigned.status.code(),
        Some(2),
        "personal fields need a supervisor"
    );
    assert!(unsigned.stdout.is_empty());
    staff::first_supervisor(madoguchi(dir.path()));
    let json = staff::as_supervisor(
        madoguchi(dir.path()),
        &[&personal[..], &["--json"]].concat(),
    );
    let cases: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(cases[0]["state"], "done");
    assert_eq!(
        cases[0]["case"]["household"]["members"][0]["person"]["name"],
        "窓口 太郎"
    );
    let info = run(dir.path(), &["store", "info", "--json"]);
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).expect("JSON");
    assert!(
        info["audit_entries"].as_i64().expect("count") >= 2,
        "both exports audited"
    );
}

/// The kiosk's catalogue comes from the store's files in memory: with no home and no temp
/// directory to write to, the newest published version is still the one used.
#[test]
fn the_kiosk_runs_on_the_newest_published_catalogue() {
    let dir = tempfile::tempdir().expect("dir");
    let nowhere = dir.path().join("nowhere");
    let no_writable_folders = |command: &mut Command| {
        command
            .env("HOME", nowhere.join("home"))
            .env("TMPDIR", nowhere.join("tmp"))
            .env_remove("XDG_CACHE_HOME")
            .env_remove("MADOGUCHI_CATALOGUE");
    };
    let run_without_folders = |args: &[&str]| {
        let mut command = madoguchi(dir.path());
        no_writable_folders(&mut command);
        command.args(args).output().expect("runs")
    };
    // The sample family decided with the catalogue in force (a development tool).
    let demo_without_folders = || {
        let mut command = dev(dir.path());
        no_writable_folders(&mut command);
        command.arg("demo").output().expect("runs")
    };
    let first = demo_without_folders();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("2026.12.1"));

    // A supervisor's new version: the same rules under a new version number.
    let folder = dir.path().join("edited");
    let folder_text = folder.to_str().expect("utf-8");
    assert!(
        run_without_folders(&["store", "export-catalogue", "--out", folder_text])
            .status
            .success()
    );
    let path = folder.join("catalogue.toml");
    let text = std::fs::read_to_string(&path).expect("catalogue.toml");
    std::fs::write(&path, text.replace("2026.12.1", "2026.12.2")).expect("edit");
    let signed = |login: &str, passwords: &[&str], args: &[&str]| {
        let mut command = madoguchi(dir.path());
        command.args(args).args(["--as", login]);
        no_writable_folders(&mut command);
        staff::with_input(command, passwords)
    };
    staff::first_supervisor(madoguchi(dir.path()));
    let hancho = signed(
        staff::LOGIN,
        &[staff::PASSWORD, HANCHO],
        &["store", "add-staff", "--login", "hancho", "--supervisor"],
    );
    assert!(
        hancho.status.success(),
        "{}",
        String::from_utf8_lossy(&hancho.stderr)
    );
    let import = [
        "store",
        "import-catalogue",
        folder_text,
        "--note",
        "December rules",
    ];
    let tampered = signed(staff::LOGIN, &[staff::PASSWORD], &import);
    assert!(!tampered.status.success(), "the checksum no longer matches");
    assert!(String::from_utf8_lossy(&tampered.stderr).contains("SHA256SUM"));
    // Edited on purpose: without the checksum file it is a folder like any other.
    std::fs::remove_file(folder.join("SHA256SUM")).expect("remove the checksum");
    let unsigned = run_without_folders(&import);
    assert_eq!(
        unsigned.status.code(),
        Some(2),
        "importing needs a supervisor"
    );
    let submitted = signed(staff::LOGIN, &[staff::PASSWORD], &import);
    assert!(
        submitted.status.success(),
        "{}",
        String::from_utf8_lossy(&submitted.stderr)
    );
    let said = String::from_utf8_lossy(&submitted.stdout).to_string();
    assert!(
        said.contains("0 fail"),
        "the impact is printed first: {said}"
    );
    let id = said
        .split("catalogue version ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the submitted version")
        .to_string();
    assert!(
        String::from_utf8_lossy(&demo_without_folders().stdout).contains("2026.12.1"),
        "nothing changes before a second supervisor approves"
    );
    let own = signed(
        staff::LOGIN,
        &[staff::PASSWORD],
        &["store", "approve-catalogue", &id],
    );
    assert_eq!(
        own.status.code(),
        Some(2),
        "not by the one who submitted it"
    );
    let approved = signed("hancho", &[HANCHO], &["store", "approve-catalogue", &id]);
    assert!(
        approved.status.success(),
        "{}",
        String::from_utf8_lossy(&approved.stderr)
    );

    let next = demo_without_folders();
    assert!(
        String::from_utf8_lossy(&next.stdout).contains("2026.12.2"),
        "the next start uses it: {}",
        String::from_utf8_lossy(&next.stderr)
    );
    assert!(
        !nowhere.exists(),
        "nothing was written outside the database"
    );
}
