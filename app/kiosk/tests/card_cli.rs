//! `madoguchi card …` run as a clerk or a demo runs it: the emulator as its own process
//! plugged into a private pcscd, and `card read` / `card status` against it.
//! Needs root and the `pcscd` and `vsmartcard-vpcd` packages (scripts/test installs them).

#[path = "support/log.rs"]
mod log;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use madoguchi_card::CardService;
use madoguchi_card::testbed::TestPcscd;

static ONE_PCSCD_AT_A_TIME: Mutex<()> = Mutex::new(());

fn exclusive() -> MutexGuard<'static, ()> {
    ONE_PCSCD_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

fn persona(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/personas")
        .join(file)
}

fn madoguchi() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_madoguchi"));
    command.env_remove("MADOGUCHI_LOG");
    command
}

/// `madoguchi-dev card-emulate` as a child process; killed by its PID when dropped.
struct Emulator {
    child: Child,
    lines: BufReader<ChildStdout>,
}

impl Emulator {
    fn start(pcscd: &TestPcscd, persona_file: &Path, extra: &[&str]) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi-dev"))
            .args(["card-emulate", "--persona"])
            .arg(persona_file)
            .arg("--vpcd")
            .arg(pcscd.slot_address(0).to_string())
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("emulator starts");
        let lines = BufReader::new(child.stdout.take().expect("stdout"));
        let emulator = Emulator { child, lines };
        let service = CardService::new();
        let start = Instant::now();
        while !service
            .reader_statuses()
            .is_ok_and(|readers| readers.iter().any(|r| r.card_present))
        {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "card never present"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        emulator
    }

    /// Stops the emulator (the card leaves the reader) and returns what it printed.
    fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut lines = Vec::new();
        let mut line = String::new();
        while self.lines.read_line(&mut line).is_ok_and(|n| n > 0) {
            lines.push(line.trim_end().to_owned());
            line.clear();
        }
        lines
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_with_pin(pin: &str, extra: &[&str], log: Option<&str>) -> Output {
    let mut command = madoguchi();
    command
        .args(["card", "read"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(level) = log {
        command.env("MADOGUCHI_LOG", level);
    }
    let mut child = command.spawn().expect("card read starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{pin}\n").as_bytes())
        .expect("PIN written");
    child.wait_with_output().expect("card read ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn card_read_prints_the_personas_four_facts() {
    let _one = exclusive();
    let pcscd = TestPcscd::start().expect("pcscd");
    let emulator = Emulator::start(&pcscd, &persona("rare-kanji.toml"), &[]);
    let out = read_with_pin("5678", &[], Some("trace"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let facts: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(facts["name"], "𠮷田　髙志");
    assert_eq!(facts["address"], "長崎県長崎市山﨑町３－１５");
    assert_eq!(facts["birth_date"], "1962-11-03");
    assert_eq!(facts["sex"], "male");
    assert_eq!(facts["reader"], pcscd.reader_name(0));
    assert!(facts.get("my_number").is_none(), "only on request");
    // Even at the most detailed log level nothing personal reaches the log.
    let log = log::without_timestamps(&text(&out.stderr));
    for secret in ["𠮷田", "髙志", "長崎", "1962", "5678", "314159265352"] {
        assert!(!log.contains(secret), "log shows {secret}: {log}");
    }
    let with_number = read_with_pin("5678", &["--my-number"], None);
    let facts: serde_json::Value = serde_json::from_slice(&with_number.stdout).expect("JSON");
    assert_eq!(facts["my_number"], "314159265352");
    let lines = emulator.stop();
    assert_eq!(
        lines.iter().filter(|l| l.contains("VERIFY PIN")).count(),
        2,
        "{lines:?}"
    );
    assert!(
        lines.iter().all(|l| !l.contains("5678")),
        "the emulator prints no PIN"
    );
}

#[test]
fn a_wrong_pin_through_the_command_line_costs_one_try() {
    let _one = exclusive();
    let pcscd = TestPcscd::start().expect("pcscd");
    let emulator = Emulator::start(&pcscd, &persona("demo.toml"), &[]);
    let out = read_with_pin("1111", &[], None);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[wrong_pin]"), "{stderr}");
    assert!(stderr.contains("あと2回"), "{stderr}");
    let lines = emulator.stop();
    let verifies: Vec<&String> = lines.iter().filter(|l| l.contains("VERIFY PIN")).collect();
    assert_eq!(verifies.len(), 1, "{lines:?}");
    assert!(verifies[0].contains("63 C2") && verifies[0].contains("tries left 2"));
}

#[test]
fn a_pin_that_is_not_four_digits_never_reaches_the_card() {
    let _one = exclusive();
    let pcscd = TestPcscd::start().expect("pcscd");
    let emulator = Emulator::start(&pcscd, &persona("demo.toml"), &[]);
    let out = read_with_pin("12345", &[], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("error[pin_format]"));
    let lines = emulator.stop();
    assert!(lines.iter().all(|l| !l.contains("VERIFY PIN")), "{lines:?}");
}

#[test]
fn the_last_try_is_not_used_without_being_asked_for() {
    let _one = exclusive();
    let pcscd = TestPcscd::start().expect("pcscd");
    let dir = tempfile::tempdir().expect("temp dir");
    let one_try = dir.path().join("one-try.toml");
    let text_of = std::fs::read_to_string(persona("demo.toml")).expect("persona");
    std::fs::write(
        &one_try,
        text_of.replace("tries_left = 3", "tries_left = 1"),
    )
    .expect("write");
    let emulator = Emulator::start(&pcscd, &one_try, &[]);
    let refused = read_with_pin("9999", &[], None);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("--allow-last-try"));
    let allowed = read_with_pin("1234", &["--allow-last-try"], None);
    assert!(allowed.status.success(), "{}", text(&allowed.stderr));
    let lines = emulator.stop();
    assert_eq!(lines.iter().filter(|l| l.contains("VERIFY PIN")).count(), 1);
}

#[test]
fn card_status_lists_readers_and_tries_left() {
    let _one = exclusive();
    let pcscd = TestPcscd::start().expect("pcscd");
    let _emulator = Emulator::start(&pcscd, &persona("ivs-name.toml"), &[]);
    let out = madoguchi()
        .args(["card", "status", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let readers: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(readers[0]["name"], pcscd.reader_name(0));
    assert_eq!(readers[0]["card_present"], true);
    assert_eq!(readers[0]["is_virtual"], true);
    assert_eq!(readers[0]["pin"]["tries_left"], 2);
    assert_eq!(readers[0]["card"], "my_number_card");
    assert_eq!(readers[1]["card_present"], false);
    let out = madoguchi().args(["card", "status"]).output().expect("runs");
    assert!(
        text(&out.stdout).contains("残り2回"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_card_pulled_mid_read_is_a_plain_message() {
    let _one = exclusive();
    let pcscd = TestPcscd::start().expect("pcscd");
    // Three commands for the tries query, then the read: pull at its VERIFY.
    let emulator = Emulator::start(&pcscd, &persona("demo.toml"), &["--pull-at", "6"]);
    let out = read_with_pin("1234", &[], None);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[card_removed]"), "{stderr}");
    assert!(stderr.contains("カードが離れました"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    let lines = emulator.stop();
    assert!(
        lines.iter().any(|l| l == "card pulled at apdu 6"),
        "{lines:?}"
    );
}

#[test]
fn without_pcscd_card_commands_say_so() {
    let _one = exclusive();
    let out = madoguchi().args(["card", "status"]).output().expect("runs");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("error[service_unavailable]"));
    assert!(text(&out.stderr).contains("pcscd"));
}

/// `madoguchi doctor` at a counter: with the card service up (a virtual reader, said as such),
/// a healthy store, key and catalogue (and the languages it offers) and no floor, but no
/// printer set, it says each in one line, marks the printer wrong and ends with exit 3; a
/// broken floor settings file is wrong too; the card service stopped is wrong, with what to
/// check.
#[test]
fn doctor_says_what_a_technician_checks_first() {
    let _one = exclusive();
    let dir = tempfile::tempdir().expect("dir");
    let doctor = |central: Option<&Path>| {
        let mut command = madoguchi();
        command
            .arg("doctor")
            .env("MADOGUCHI_DB", dir.path().join("db.sqlite3"))
            .env("MADOGUCHI_STORE_KEY_FILE", dir.path().join("store.key"))
            .env("HOME", dir.path())
            .env_remove("MADOGUCHI_PRINTER")
            .env_remove("MADOGUCHI_STORE_KEY");
        match central {
            Some(file) => command.env("MADOGUCHI_CENTRAL", file),
            None => command.env_remove("MADOGUCHI_CENTRAL"),
        };
        command.output().expect("runs")
    };
    let line = |out: &Output, start: &str| -> String {
        text(&out.stdout)
            .lines()
            .find(|l| l.contains(start))
            .unwrap_or_else(|| panic!("no {start} line: {}", text(&out.stdout)))
            .to_string()
    };
    {
        let _pcscd = TestPcscd::start().expect("pcscd");
        let out = doctor(None);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        assert!(
            line(&out, "カード読み取り機").starts_with("[注意]"),
            "{}",
            text(&out.stdout)
        );
        assert!(line(&out, "virtual").contains("not a counter"));
        for ok in ["保存領域", "暗号鍵", "手続きカタログ", "フロア"] {
            assert!(line(&out, ok).starts_with("[OK]"), "{}", text(&out.stdout));
        }
        assert!(line(&out, "プリンター").starts_with("[NG]"));
        // Every language is offered here (the shipped translations are machine drafts).
        let languages = line(&out, "言語 / languages");
        assert!(
            languages.starts_with("[OK]")
                && languages.contains(": ja, en, zh-Hans (machine draft), vi (machine draft)")
                && languages.ends_with("id (machine draft)"),
            "{languages}"
        );
        assert_eq!(text(&out.stderr).trim().lines().count(), 1);

        let broken = dir.path().join("central.toml");
        std::fs::write(&broken, "connection = [\n").expect("write");
        let out = doctor(Some(&broken));
        assert!(
            line(&out, "フロア").starts_with("[NG]"),
            "{}",
            text(&out.stdout)
        );
    }
    let out = doctor(None);
    assert_eq!(out.status.code(), Some(3));
    let readers = line(&out, "カード読み取り機");
    assert!(
        readers.starts_with("[NG]") && readers.contains("pcscd"),
        "{readers}"
    );
}

/// `card read --code-b`: the three parts on standard input. A security code of the wrong
/// length never reaches the card; a wrong one costs one of the 照合番号B's tries and says how
/// many are left; the right one prints the four facts (the birth date typed as the card
/// prints it, or as a date) and nothing personal reaches the log. Asking for the 個人番号
/// with it is refused before anything is read.
#[test]
fn the_code_b_reads_the_facts_from_the_command_line() {
    let _one = exclusive();
    let pcscd = TestPcscd::start().expect("pcscd");
    let emulator = Emulator::start(&pcscd, &persona("demo.toml"), &[]);
    let short = read_with_pin("600412\n2034\n567", &["--code-b"], None);
    assert!(!short.status.success());
    let said = text(&short.stderr);
    assert!(
        said.contains("error[code_b_format]") && said.contains("セキュリティコード"),
        "{said}"
    );
    let wrong = read_with_pin("600412\n2034\n1111", &["--code-b"], None);
    assert!(!wrong.status.success());
    let said = text(&wrong.stderr);
    assert!(
        said.contains("error[wrong_code_b]") && said.contains("あと9回"),
        "{said}"
    );
    for birth in ["600412", "昭和60年4月12日", "1985-04-12"] {
        let out = read_with_pin(
            &format!("{birth}\n2034\n5678"),
            &["--code-b"],
            Some("trace"),
        );
        assert!(out.status.success(), "{birth}: {}", text(&out.stderr));
        let facts: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(facts["birth_date"], "1985-04-12");
        assert!(facts.get("my_number").is_none());
        let log = log::without_timestamps(&text(&out.stderr));
        for secret in ["600412", "5678", "1985", "2034"] {
            assert!(!log.contains(secret), "log shows {secret}: {log}");
        }
    }
    // A line of 32 KB (within the pipe's buffer) is cut where it is read and refused as not digits, unsent.
    let flood = format!("{}\n2034\n5678", "6".repeat(1 << 15));
    let flooded = read_with_pin(&flood, &["--code-b"], None);
    assert!(
        text(&flooded.stderr).contains("error[code_b_format]"),
        "{}",
        text(&flooded.stderr)
    );
    let both = read_with_pin("600412\n2034\n5678", &["--code-b", "--my-number"], None);
    assert!(!both.status.success());
    let lines = emulator.stop();
    let verifies = lines
        .iter()
        .filter(|l| l.contains("VERIFY 照合番号B"))
        .count();
    assert_eq!(verifies, 4, "one wrong and three right codes: {lines:?}");
    assert!(lines.iter().all(|l| !l.contains("VERIFY PIN")), "{lines:?}");
}

#[test]
fn a_residence_card_is_named_and_read_with_its_number() {
    let _one = exclusive();
    let pcscd = TestPcscd::start().expect("pcscd");
    let trust = persona("zairyu/trust");
    let trust = trust.to_str().expect("utf-8 path");
    for (file, number) in [
        ("zairyu-nguyen.toml", "UH12345678VN"),
        ("zairyu-santos.toml", "AB98765432CD"),
    ] {
        let emulator = Emulator::start(&pcscd, &persona(file), &[]);
        let status = madoguchi()
            .args(["card", "status", "--json"])
            .output()
            .expect("runs");
        let readers: serde_json::Value = serde_json::from_slice(&status.stdout).expect("JSON");
        assert_eq!(readers[0]["card"], "residence_card", "{file}");
        assert!(readers[0].get("pin").is_none());
        let status = madoguchi().args(["card", "status"]).output().expect("runs");
        assert!(
            text(&status.stdout).contains("在留カード"),
            "{}",
            text(&status.stdout)
        );

        // A misshapen number never reaches the card; a wrong one is refused by it.
        let out = read_with_pin("UH1234", &["--trust", trust], None);
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("residence_number_format"),
            "{}",
            text(&out.stderr)
        );
        let out = read_with_pin("ZZ00000000ZZ", &["--trust", trust], None);
        assert!(
            text(&out.stderr).contains("wrong_residence_number"),
            "{}",
            text(&out.stderr)
        );
        // Without the agency's certificates the card cannot be checked: said plainly.
        let out = read_with_pin(number, &[], None);
        assert!(
            text(&out.stderr).contains("出入国在留管理庁の証明書"),
            "{}",
            text(&out.stderr)
        );

        let images = std::env::temp_dir().join(format!("madoguchi-zairyu-{}", std::process::id()));
        let images_arg = images.to_str().expect("utf-8 path");
        let out = read_with_pin(
            &number.to_lowercase(),
            &["--trust", trust, "--images", images_arg],
            Some("trace"),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let facts: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(facts["card"], "residence_card");
        assert_eq!(facts["document"], "在留カード");
        assert_eq!(facts["card_number"], number);
        assert!(
            facts["signature"]["anchor"]
                .as_str()
                .is_some_and(|a| a.contains("TEST ONLY"))
        );
        if file.contains("nguyen") {
            assert_eq!(facts["printed"]["nationality_code"], "VNM");
            assert_eq!(facts["nationality"], "ベトナム");
            assert_eq!(facts["printed"]["birth_date"], "1999-08-15");
            assert_eq!(facts["printed"]["work_restriction"], "designated_only");
            let name = images.join("name.tif");
            let mode = std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(&name)
                    .expect("name image saved")
                    .permissions(),
            );
            assert_eq!(mode & 0o777, 0o600, "a private file");
        } else {
            assert_eq!(
                facts["back"]["address"],
                "愛知県豊田市若宮町一丁目５７番地１"
            );
            assert!(images.join("front.tif").exists());
        }
        // The trace log names the steps, never the number or the facts.
        let log = text(&out.stderr);
        assert!(log.contains("MUTUAL AUTHENTICATE"), "{log}");
        assert!(!log.contains(number) && !log.to_lowercase().contains(&number.to_lowercase()));
        assert!(!log.contains("1999") && !log.contains("愛知県"));
        std::fs::remove_dir_all(&images).expect("clean");
        let printed = emulator.stop();
        assert!(
            printed.iter().any(|l| l.contains("MUTUAL AUTHENTICATE")),
            "{printed:?}"
        );
        // Wait until pcscd has seen the card leave before the next one is inserted.
        let service = CardService::new();
        let start = Instant::now();
        while service
            .reader_statuses()
            .is_ok_and(|readers| readers.iter().any(|r| r.card_present))
        {
            assert!(start.elapsed() < Duration::from_secs(10), "card never left");
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

#[test]
fn a_driving_licence_is_named_and_read_with_pin_1() {
    let _one = exclusive();
    let pcscd = TestPcscd::start().expect("pcscd");
    let emulator = Emulator::start(&pcscd, &persona("menkyo-watanabe.toml"), &[]);
    let status = madoguchi()
        .args(["card", "status", "--json"])
        .output()
        .expect("runs");
    let readers: serde_json::Value = serde_json::from_slice(&status.stdout).expect("JSON");
    assert_eq!(readers[0]["card"], "driving_licence");
    assert_eq!(readers[0]["pin"]["tries_left"], 3);
    let status = madoguchi().args(["card", "status"]).output().expect("runs");
    assert!(
        text(&status.stdout).contains("運転免許証、暗証番号1 残り3回"),
        "{}",
        text(&status.stdout)
    );
    let out = read_with_pin("0000", &[], None);
    assert!(
        text(&out.stderr).contains("wrong_licence_pin"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("あと2回"),
        "{}",
        text(&out.stderr)
    );
    let out = read_with_pin("1357", &["--my-number"], None);
    assert!(!out.status.success(), "a licence holds no My Number");
    let out = read_with_pin("1357", &[], Some("trace"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(read["card"], "driving_licence");
    assert_eq!(read["facts"]["name"]["text"], "渡邊　〓志");
    assert_eq!(read["facts"]["birth_date"], "1958-06-02");
    let log = text(&out.stderr);
    assert!(log.contains("外字が1文字"), "{log}");
    assert!(log.contains("VERIFY 暗証番号1"), "{log}");
    for personal in ["渡邊", "三鷹", "1958", "1357"] {
        assert!(
            !log.lines()
                .filter(|l| l.contains("DEBUG") || l.contains("INFO"))
                .any(|l| l.contains(personal)),
            "{personal} in the log"
        );
    }
    drop(emulator);
}
