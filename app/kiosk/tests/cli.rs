//! The `madoguchi` command line, run as a user runs it.

#[path = "support/dirs.rs"]
mod dirs;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dirs::copy_dir;

/// Each run gets its own folder: the tests run in parallel, and two processes creating the same
/// database and key at once see each other's half-written files.
static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn madoguchi(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_madoguchi"), args)
}

/// The development tools' binary, on a store of its own in the same way.
fn dev(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_madoguchi-dev"), args)
}

fn run(program: &str, args: &[&str]) -> Output {
    // The demo opens the store: keep it, its key and the catalogue cache out of the home.
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let home =
        std::env::temp_dir().join(format!("madoguchi-cli-test-{}-{run}", std::process::id()));
    Command::new(program)
        .args(args)
        // The kiosk (no arguments) must meet no display here.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("MADOGUCHI_CATALOGUE")
        .env_remove("MADOGUCHI_LOG")
        .env_remove("MADOGUCHI_STORE_KEY")
        .env("MADOGUCHI_DB", home.join("madoguchi.sqlite3"))
        .env("MADOGUCHI_STORE_KEY_FILE", home.join("store.key"))
        .output()
        .expect("the binary runs")
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn without_a_display_the_kiosk_says_so_in_one_line() {
    let out = madoguchi(&[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot open the kiosk window"),
        "{stderr}"
    );
    assert!(stderr.contains("DISPLAY"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

/// The product binary carries no development tool; they are `madoguchi-dev`'s.
#[test]
fn the_product_lists_no_development_command() {
    let help = madoguchi(&["--help"]);
    assert!(help.status.success());
    let listed = text(&help.stdout);
    let store_help = text(&madoguchi(&["store", "--help"]).stdout);
    let kiosk_help = text(&madoguchi(&["kiosk", "--help"]).stdout);
    for tool in ["screenshots", "bench"] {
        assert!(
            !listed.contains(tool),
            "{tool} in madoguchi --help:\n{listed}"
        );
    }
    for tool in ["simulate", "hold"] {
        assert!(!store_help.contains(tool), "{tool} in store --help");
    }
    assert!(!kiosk_help.contains("report-ready") && !kiosk_help.contains("exit-after"));
    for removed in [
        &["screenshots"][..],
        &["bench", "rules"],
        &["store", "hold"],
        // Demos and tests only: the card emulator and the sample family.
        &["card", "emulate", "--persona", "x.toml"],
        &["demo"],
    ] {
        assert_eq!(madoguchi(removed).status.code(), Some(2), "{removed:?}");
    }

    let dev = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi-dev"))
        .arg("--help")
        .output()
        .expect("madoguchi-dev runs");
    let dev_help = text(&dev.stdout);
    for tool in [
        "screenshots",
        "bench",
        "store-simulate",
        "store-hold",
        "card-emulate",
        "demo",
    ] {
        assert!(
            dev_help.contains(tool),
            "{tool} missing from madoguchi-dev:\n{dev_help}"
        );
    }
}

#[test]
fn the_demo_prints_a_decision() {
    let out = dev(&["demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("転入届"), "{stdout}");
    assert!(stdout.contains("児童手当の認定請求"), "{stdout}");
    assert!(stdout.contains("令和8年4月13日"), "{stdout}");
    assert!(
        stdout.contains("期限の令和8年4月12日は日曜日のため、翌開庁日まで"),
        "{stdout}"
    );
}

#[test]
fn evaluate_prints_the_decision_as_json() {
    let case = repo("docs/examples/family-of-four.json");
    let out = madoguchi(&[
        "rules",
        "evaluate",
        "--case",
        case.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let procedures = decision["procedures"].as_array().expect("procedures");
    let allowance = procedures
        .iter()
        .find(|p| p["id"] == "jidou_teate")
        .expect("child allowance");
    // Counted, the 15 days end on Sunday 12 April; the deadline is the next open day.
    assert_eq!(allowance["deadline"]["date"], "2026-04-13");
    assert_eq!(allowance["deadline"]["moved"]["counted"], "2026-04-12");
    assert_eq!(allowance["deadline"]["moved"]["closed"]["ja"], "日曜日");
    assert!(
        allowance["reasons"][0]["ja"]
            .as_str()
            .is_some_and(|r| r.contains("7歳、2歳"))
    );
    assert_eq!(allowance["counter"]["id"], "kodomo");
}

#[test]
fn evaluate_reads_standard_input_and_honours_as_of() {
    let case = std::fs::read(repo("docs/examples/single-adult.json")).expect("example");
    let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["rules", "evaluate", "--case", "-", "--as-of", "2026-04-10"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &case).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(decision["as_of"], "2026-04-10");
}

#[test]
fn a_bad_case_file_is_one_line_and_a_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"event": {"kind": "moving"}}"#).expect("write");
    for path in [bad.to_str().expect("utf-8"), "/no/such/case.json"] {
        let out = madoguchi(&["rules", "evaluate", "--case", path]);
        assert!(!out.status.success());
        let stderr = text(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn check_reports_a_broken_catalogue_line_by_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo("assets/catalogue"), dir.path());
    let file = dir.path().join("procedures/kurashi.toml");
    let source = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        source.replacen("counter = \"kankyo\"", "counter = \"nowhere\"", 1),
    )
    .expect("write");
    let out = madoguchi(&[
        "rules",
        "check",
        "--catalogue",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let first = stderr.lines().next().expect("a line");
    assert!(
        first.contains("procedures/kurashi.toml:")
            && first.contains(": error: unknown counter `nowhere`"),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("error: the catalogue")),
        "{stderr}"
    );
}

/// A reason residents read without its やさしい日本語 is a warning; a broken ルビ mark is an error
/// naming the file and line.
#[test]
fn check_reports_plain_japanese_missing_or_broken() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo("assets/catalogue"), dir.path());
    let file = dir.path().join("procedures/juminkiroku.toml");
    let source = std::fs::read_to_string(&file).expect("read");
    let easy =
        "easy = \"ほかの 市町村《しちょうそん》から 引《ひ》っ越《こ》して 来《き》たからです\", ";
    assert!(source.contains(easy));
    std::fs::write(&file, source.replacen(easy, "", 1)).expect("write");
    let check = || {
        madoguchi(&[
            "rules",
            "check",
            "--catalogue",
            dir.path().to_str().expect("utf-8"),
        ])
    };
    let out = check();
    assert!(
        out.status.success(),
        "a warning does not stop the catalogue"
    );
    let said = text(&out.stderr) + &text(&out.stdout);
    assert!(
        said.contains("rule of `tennyu_todoke`: because: residents read it, but it has no `easy`"),
        "{said}"
    );

    let items = dir.path().join("items.toml");
    let source = std::fs::read_to_string(&items).expect("read");
    std::fs::write(
        &items,
        source.replacen(
            "登録《とうろく》する はんこ",
            "登録《とうろく する はんこ",
            1,
        ),
    )
    .expect("write");
    let out = check();
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let first = stderr.lines().next().expect("a line");
    assert!(
        first.contains("items.toml:") && first.contains("ルビ mark is broken"),
        "{stderr}"
    );
}

#[test]
fn check_and_test_pass_on_the_shipped_catalogue() {
    let out = madoguchi(&["rules", "check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = madoguchi(&["rules", "test"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    let last = stdout.lines().last().expect("a summary");
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
}

#[test]
fn explain_prints_a_trace() {
    let case = repo("docs/examples/single-adult.json");
    let out = madoguchi(&[
        "rules",
        "explain",
        "--case",
        case.to_str().expect("utf-8"),
        "--procedure",
        "kokuho_kanyu",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("kokuho_kanyu 国民健康保険の加入: applies"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✓ 健康保険：国民健康保険に加入する"),
        "{stdout}"
    );
}

#[test]
fn logs_never_carry_personal_data() {
    let case = repo("docs/examples/family-of-four.json");
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["rules", "evaluate", "--case", case.to_str().expect("utf-8")])
        .env("MADOGUCHI_LOG", "trace")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("evaluated a case"),
        "the log is on: {stderr}"
    );
    for personal in [
        "窓口",
        "太郎",
        "マドグチ",
        "1991-07-14",
        "2018-09-21",
        "世田谷",
        "キャロットタワー",
    ] {
        assert!(
            !stderr.contains(personal),
            "the log contains `{personal}`: {stderr}"
        );
    }
}
