//! The command line as an attacker and a clumsy user type it: the reproductions of the issue
//! that made this suite (a panic on a huge validity, settings that broke the store, free-text
//! actors, a wrong or lost key, world-readable exports, a closed pipe) and their relatives.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use crate::support::{Madoguchi, Ran, Section, repo, run};

const LOGIN: &str = "kakari";
const PASSWORD: &str = "sakura-no-hana-2026";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

fn cases(madoguchi: &Madoguchi) -> i64 {
    let info = madoguchi.run(&["store", "info", "--json"]);
    serde_json::from_slice::<serde_json::Value>(&info.stdout)
        .ok()
        .and_then(|v| v["cases"].as_i64())
        .unwrap_or(-1)
}

/// Runs an administrative command signed in as the supervisor.
fn signed(madoguchi: &Madoguchi, args: &[&str], more: &[&str]) -> Ran {
    let mut all = args.to_vec();
    all.extend(["--as", LOGIN]);
    let input = [&[PASSWORD][..], more].concat().join("\n") + "\n";
    madoguchi.run_with(&all, &input)
}

pub fn reproductions(madoguchi: &Madoguchi, dir: &Path) -> Section {
    let mut section = Section::new("command line (reproductions and their relatives)");
    let family = repo("docs/examples/family-of-four.json");
    let family = family.to_string_lossy().into_owned();
    let png = dir.join("code.png");
    let png_text = png.to_string_lossy().into_owned();

    let encode = ["qr", "encode", "--case", &family, "--out", &png_text];
    let evaluate = ["rules", "evaluate", "--case", &family];
    let export = ["store", "export", "--from", "2026-01-01"];
    let sheet = dir.join("sheet.pdf");
    let sheet = sheet.to_string_lossy().into_owned();
    let render = [
        "forms",
        "render",
        "--case",
        &family,
        "--out",
        &sheet,
        "--allow-blanks",
    ];
    let page = ["prefill-server", "--listen", "127.0.0.1:0"];
    let long_code = "x".repeat(100_000);
    let refused: [(&str, &[&str], &[&str]); 21] = [
        ("qr encode", &encode, &["--valid-days", "4294967295"]),
        ("qr encode", &encode, &["--valid-days", "0"]),
        ("qr encode", &encode, &["--valid-days", "91"]),
        ("qr encode", &encode, &["--issued", "262142-12-31"]),
        ("qr encode", &encode, &["--issued", "-0001-01-01"]),
        ("rules evaluate", &evaluate, &["--as-of", "262142-12-31"]),
        ("store export", &export, &["--to", "262142-12-31"]),
        (
            "store export without --as",
            &export,
            &["--to", "2026-12-31", "--personal"],
        ),
        (
            "qr decode",
            &["qr", "decode"],
            &["--today", "0000-01-01", "--text", "MDG1:00"],
        ),
        (
            "store set without --as",
            &["store", "set"],
            &["retention_days", "30"],
        ),
        ("an unknown command", &["store"], &["drop-everything"]),
        (
            "the old --actor option",
            &export,
            &["--to", "2026-01-02", "--actor", "boss"],
        ),
        (
            "the old --author option",
            &["store", "import-catalogue", "."],
            &["--note", "x", "--author", "boss"],
        ),
        ("print file", &["print", "file"], &["/dev/zero"]),
        (
            "forms render",
            &render,
            &["--reception", "A-0123456789012345"],
        ),
        ("forms render", &render, &["--reception", "A\u{7}12"]),
        ("forms render", &render, &["--language", "fr"]),
        ("prefill-server", &page, &["--languages", &long_code]),
        ("prefill-server", &page, &["--languages", ""]),
        ("prefill-server", &page, &["--languages", "vi,ja"]),
        ("prefill-server", &page, &["--unreviewed", "maybe"]),
    ];
    for (name, command, extra) in refused {
        let args = [command, extra].concat();
        section.check(
            &format!("{name} {}", extra.join(" ")),
            madoguchi.run(&args).refused(),
        );
    }
    let dev = madoguchi.run(&[
        "store",
        "import-catalogue",
        "/dev",
        "--note",
        "x",
        "--as",
        LOGIN,
    ]);
    section.check(
        "store import-catalogue of /dev",
        dev.problem_listing_errors().or_else(|| {
            dev.status
                .is_some_and(|s| s.success())
                .then(|| "accepted".into())
        }),
    );
    let catalogue = repo("assets/catalogue");
    let unsigned = madoguchi.run(&[
        "store",
        "import-catalogue",
        &catalogue.to_string_lossy(),
        "--note",
        "x",
    ]);
    section.check(
        "store import-catalogue without --as",
        unsigned.refused_saying("--as"),
    );
    section.check(
        "a code made at all is private (0600)",
        match madoguchi.run(&["qr", "encode", "--case", &family, "--out", &png_text]) {
            ran if ran.problem().is_some() => ran.problem(),
            _ if mode(&png) == 0o600 => None,
            _ => Some(format!("mode {:o}", mode(&png))),
        },
    );

    // The first supervisor needs no sign-in; after that, every account change does.
    let first = madoguchi.run_with(
        &["store", "add-staff", "--login", LOGIN, "--supervisor"],
        &format!("{PASSWORD}\n"),
    );
    section.check("the first supervisor", first.problem());
    let again = madoguchi.run_with(
        &["store", "add-staff", "--login", "intruder", "--supervisor"],
        "intruder-password-1\n",
    );
    section.check("a second supervisor without signing in", again.refused());
    let long_login = "x".repeat(100_000);
    for (name, login, password, why) in [
        ("an empty login", "", "tsubaki-no-hana-7", "login name"),
        (
            "a 100,000-character login",
            long_login.as_str(),
            "tsubaki-no-hana-7",
            "login name",
        ),
        (
            "a login with a space",
            "sato taro",
            "tsubaki-no-hana-7",
            "login name",
        ),
        ("a password of ten spaces", "sato", "          ", "blank"),
        (
            "a password that is the login",
            "satotaro",
            "satotaro12345",
            "login name",
        ),
        (
            "a common password",
            "sato",
            "password123",
            "common passwords",
        ),
        ("a short password", "sato", "abc", "at least 10"),
    ] {
        let ran = signed(
            madoguchi,
            &["store", "add-staff", "--login", login],
            &[password],
        );
        section.check(name, ran.refused_saying(why));
    }
    let wrong = madoguchi.run_with(
        &["store", "set", "office.city", "窓口市", "--as", LOGIN],
        "wrong-password-00\n",
    );
    section.check(
        "a wrong supervisor password",
        wrong.refused_saying("wrong name or password"),
    );

    // Settings out of range are refused, and the store keeps opening whatever the file holds.
    for value in ["100000000", "0", "-1", "thirty", ""] {
        let ran = signed(madoguchi, &["store", "set", "retention_days", value], &[]);
        section.check(
            &format!("retention_days {value:?}"),
            ran.refused_saying("from 1 to 3650"),
        );
    }
    for (key, value, why) in [
        ("printer", "two words", "CUPS queue"),
        ("kiosk.idle_seconds", "5", "from 20 to 3600"),
        ("catalogue.approval", "maybe", "required, off"),
        ("colour", "blue", "no such setting"),
    ] {
        let ran = signed(madoguchi, &["store", "set", key, value], &[]);
        section.check(&format!("{key} {value:?}"), ran.refused_saying(why));
    }
    section.check(
        "the store still opens",
        madoguchi.run(&["store", "info"]).problem(),
    );

    // Exports: formula cells neutralised, the file private, unreadable rows named.
    let formula = dir.join("formula.json");
    let text = std::fs::read_to_string(repo("docs/examples/family-of-four.json"))
        .expect("example")
        .replace("窓口 太郎", "=HYPERLINK(\\\"http://evil.invalid\\\")")
        .replace("窓口 花子", "+cmd|' /C calc'!A0");
    std::fs::write(&formula, text).expect("write");
    let simulated = run(
        madoguchi.dev_command(&[
            "store-simulate",
            "--case",
            &formula.to_string_lossy(),
            "--finish",
        ]),
        None,
    );
    section.check("a case with formulas for names", simulated.problem());
    let csv = dir.join("export.csv");
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let export = signed(
        madoguchi,
        &[
            "store",
            "export",
            "--from",
            &today,
            "--to",
            &today,
            "--personal",
            "--out",
            &csv.to_string_lossy(),
        ],
        &[],
    );
    let written = std::fs::read_to_string(&csv).unwrap_or_default();
    // Names hold no commas here, so a naive split finds every cell; a quoted cell starts
    // with `"`, then its text.
    let formula_cell = written.lines().skip(1).any(|line| {
        line.split(',').any(|cell| {
            cell.trim_start_matches('"')
                .starts_with(['=', '+', '-', '@'])
        })
    });
    section.check(
        "the personal CSV",
        export.problem().or_else(|| {
            if mode(&csv) != 0o600 {
                Some(format!("mode {:o}", mode(&csv)))
            } else if !written.contains("'=HYPERLINK") {
                Some("the applicant's name is missing".into())
            } else if formula_cell {
                Some(format!(
                    "a cell a spreadsheet takes for a formula: {written}"
                ))
            } else {
                None
            }
        }),
    );

    // A closed pipe ends the command quietly.
    let mut command = madoguchi.command(&["rules", "evaluate", "--case", &family]);
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("ends");
    let said = String::from_utf8_lossy(&output.stderr);
    section.check(
        "rules evaluate | (closed)",
        (output.status.code() != Some(141) || said.contains("panicked"))
            .then(|| format!("{:?}: {said}", output.status.code())),
    );

    // The database and the key from outside.
    let folder = dir.join("a-folder");
    std::fs::create_dir_all(&folder).expect("folder");
    let document = dir.join("notes.txt");
    std::fs::write(&document, "my own notes\n").expect("write");
    for (name, db) in [
        ("MADOGUCHI_DB is a folder", &folder),
        ("MADOGUCHI_DB is a document", &document),
    ] {
        let mut command = madoguchi.command(&["store", "info"]);
        command.env("MADOGUCHI_DB", db);
        let ran = run(command, None);
        let untouched = std::fs::read_to_string(&document).ok().as_deref()
            == Some("my own notes\n")
            && !dir.join("notes.txt-wal").exists();
        section.check(
            name,
            ran.refused()
                .or_else(|| (!untouched).then(|| "the file was changed".into())),
        );
    }
    let before = cases(madoguchi);
    let mut command = madoguchi.dev_command(&["store-simulate"]);
    command.env("MADOGUCHI_STORE_KEY", "ab".repeat(32));
    let ran = run(command, None);
    section.check(
        "a wrong MADOGUCHI_STORE_KEY",
        ran.refused().or_else(|| {
            (cases(madoguchi) != before).then(|| "a case was written with the wrong key".into())
        }),
    );
    let key = madoguchi.dir.join("store.key");
    let kept = madoguchi.dir.join("store.key.kept");
    std::fs::rename(&key, &kept).expect("the key goes missing");
    let ran = madoguchi.run(&["store", "info"]);
    section.check(
        "a deleted key file",
        ran.refused()
            .or_else(|| key.exists().then(|| "a new key was made".into())),
    );
    std::fs::rename(&kept, &key).expect("restored");
    // The floor's new arguments, each refused in one line before anything is read or sent.
    let out = dir.join("export-out");
    let out = out.to_string_lossy().into_owned();
    let long_counter = "k".repeat(10_000);
    let floor_arguments: [(&str, Vec<&str>); 6] = [
        (
            "a counter mode with no floor",
            vec!["kiosk", "--counter", "kodomo"],
        ),
        (
            "a counter id of 10,000 letters",
            vec!["kiosk", "--counter", &long_counter],
        ),
        (
            "an export header that is no header",
            vec!["central", "export", "--out", &out, "--header", "html"],
        ),
        ("an export with no folder", vec!["central", "export"]),
        (
            "an export from no floor",
            vec![
                "central",
                "export",
                "--out",
                &out,
                "--since",
                "令和99年99月99日",
            ],
        ),
        (
            "a retention of 2^40 days",
            vec!["central", "purge", "--days", "1099511627776"],
        ),
    ];
    for (name, args) in floor_arguments {
        section.check(name, madoguchi.run(&args).refused());
    }
    section
}

/// A render onto a full disk leaves nothing behind (needs root to mount a small tmpfs; CI runs
/// as root). Returns `None` when it cannot run here, saying why.
pub fn full_disk(madoguchi: &Madoguchi, dir: &Path) -> Option<Section> {
    let full = dir.join("full");
    std::fs::create_dir_all(&full).expect("dir");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&full)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("hostile: skipping the full-disk render (mounting a tmpfs needs root)");
        return None;
    }
    let mut section = Section::new("full disk (madoguchi forms render --out on a 64 KB tmpfs)");
    let out = full.join("packet.pdf");
    let ran = madoguchi.run(&[
        "forms",
        "render",
        "--case",
        &repo("docs/examples/eight-forms.json").to_string_lossy(),
        "--catalogue",
        &repo("assets/catalogue").to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    let left: Vec<_> = std::fs::read_dir(&full)
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    section.check(
        "a packet onto a full disk",
        ran.refused()
            .or_else(|| (!left.is_empty()).then(|| format!("left behind: {left:?}"))),
    );
    let _ = std::process::Command::new("umount").arg(&full).status();
    Some(section)
}
