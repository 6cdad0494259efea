//! What IT staff give an installed PC: the configuration file (`/etc/madoguchi/madoguchi.toml`),
//! damaged one way at a time — `madoguchi config check` lists its problems, one line each, and
//! exits 1; a command that uses the file (`store info`) refuses in one line naming the first
//! problem; nothing is read past the file's 64 KB limit — and the backup's target
//! (`store backup --out`), which must be refused in one line, leaving nothing half-written.

use std::path::Path;

use crate::support::{Madoguchi, Section, run};

pub fn files(madoguchi: &Madoguchi, work: &Path) -> Section {
    let mut section = Section::new("configuration file (config check, store info)");
    let dir = work.join("config");
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("madoguchi.toml");
    let long = "市".repeat(100_000);
    let many_counters: String = (0..5_000).map(|i| format!("c{i} = \"{i}\"\n")).collect();
    let cases: Vec<(&str, String)> = vec![
        ("binary garbage", "\u{0}\u{1}\u{fffd}==".into()),
        ("1 MB of comments", "#".repeat(1 << 20)),
        ("an unknown section", "[printers]\nqueue = \"a\"\n".into()),
        ("an unknown field", "[kiosk]\nidel_seconds = 30\n".into()),
        ("a number as text", "[kiosk]\nidle_seconds = \"thirty\"\n".into()),
        ("a number too large for any integer", "[kiosk]\nidle_seconds = 99999999999999999999999\n".into()),
        ("a negative retention", "[store]\nretention_days = -5\n".into()),
        ("a city of 100,000 characters", format!("[city]\nname = \"{long}\"\n")),
        ("a city with a newline", "[city]\nname = \"標準\\n市\"\n".into()),
        ("a printer with a space", "[printer]\nqueue = \"two words\"\n".into()),
        ("a printer URI of another scheme", "[printer]\nqueue = \"file:///etc/passwd\"\n".into()),
        ("another printer that is this one", "[printer]\nqueue = \"c1\"\nothers = [{ queue = \"c1\", name = \"同じ\" }]\n".into()),
        ("another printer with a 100,000-character name", format!("[printer]\nothers = [{{ queue = \"c2\", name = \"{long}\" }}]\n")),
        ("another printer of another scheme", "[printer]\nothers = [{ queue = \"file:///etc/passwd\", name = \"x\" }]\n".into()),
        ("5,000 other printers", format!("[printer]\nothers = [{}]\n", (0..5_000).map(|i| format!("{{ queue = \"p{i}\", name = \"p\" }}")).collect::<Vec<_>>().join(", "))),
        ("a resident's screen 2^40 pixels wide", "[kiosk]\nresident_screen = { width = 1099511627776, height = 800 }\n".into()),
        ("a resident's screen of negative height", "[kiosk]\nresident_screen = { width = 1280, height = -800 }\n".into()),
        ("a resident's screen as text", "[kiosk]\nresident_screen = \"right\"\n".into()),
        ("a counter id that is not one", "[counters]\n\"保険; DROP\" = \"1階\"\n".into()),
        ("an empty place", "[counters]\nshimin = \"\"\n".into()),
        ("5,000 counters (past the size limit)", format!("[counters]\n{many_counters}")),
        ("a relative database path", "[store]\ndatabase = \"madoguchi.sqlite3\"\n".into()),
        ("a key in a folder that does not exist", "[store]\nkey_file = \"/nonexistent/folder/store.key\"\n".into()),
        ("a language nobody set up", "[kiosk]\nlanguage = \"xx\"\n".into()),
        ("a mode that does not exist", "[kiosk]\nmode = \"admin\"\n".into()),
        ("a table where a value belongs", "[kiosk]\nidle_seconds = { a = 1 }\n".into()),
        ("a section twice", "[kiosk]\nidle_seconds = 30\n[kiosk]\nidle_seconds = 40\n".into()),
        ("floor settings missing their files", "[central]\nconnection = \"host=/x user=desk_1\"\npassword_file = \"/nonexistent/p\"\nfloor_key_file = \"/nonexistent/k\"\npublishing_keys_file = \"/nonexistent/t\"\n".into()),
        ("a retention the floor decides", "[store]\nretention_days = 10\n[central]\nconnection = \"host=/x user=desk_1\"\npassword_file = \"/etc/passwd\"\nfloor_key_file = \"/etc/passwd\"\npublishing_keys_file = \"/etc/passwd\"\n".into()),
        ("a read-aloud volume of 2^40", "[read_aloud]\nvolume = 1099511627776\n".into()),
        ("a read-aloud speed as text", "[read_aloud]\nspeed = \"fast\"\n".into()),
        ("a read-aloud speed of zero", "[read_aloud]\nspeed = 0\n".into()),
        ("a voice name that is a shell command", "[read_aloud.voices]\nvi = \"vi; rm -rf /\"\n".into()),
        ("a voice name of 100,000 characters", format!("[read_aloud.voices]\nvi = \"{long}\"\n")),
        ("a voice for Japanese (Open JTalk's)", "[read_aloud.voices]\nja = \"ja\"\n".into()),
        ("voices for 5,000 languages (past the size limit)", format!("[read_aloud.voices]\n{}", (0..5_000).map(|i| format!("l{i} = \"en\"\n")).collect::<String>())),
        ("deeply nested tables", format!("a = {}1{}\n", "[".repeat(5_000), "]".repeat(5_000))),
    ];
    for (name, text) in cases {
        std::fs::write(&path, &text).expect("write");
        check(&mut section, madoguchi, &path, name);
    }
    let _ = std::fs::remove_file(&path);
    std::os::unix::fs::symlink("/dev/zero", &path).expect("symlink");
    check(&mut section, madoguchi, &path, "a file that is /dev/zero");
    let _ = std::fs::remove_file(&path);
    check(&mut section, madoguchi, &path, "a file that is not there");
    section
}

/// Both commands on one damaged file.
fn check(section: &mut Section, madoguchi: &Madoguchi, path: &Path, name: &str) {
    let mut command = madoguchi.command(&["config", "check"]);
    command.env("MADOGUCHI_CONFIG", path);
    let checked = run(command, None);
    let listed = checked
        .problem_listing_errors()
        .or_else(|| checked.refused())
        .filter(|_| !lists_its_problems(&checked.stderr, path));
    section.check(&format!("{name} (config check)"), listed);
    let mut command = madoguchi.command(&["store", "info"]);
    command.env("MADOGUCHI_CONFIG", path);
    section.check(
        &format!("{name} (store info)"),
        run(command, None).refused(),
    );
}

/// `config check`'s answer: every line but the last names the file; the last counts them.
fn lists_its_problems(stderr: &str, path: &Path) -> bool {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let shown = path.display().to_string();
    lines.len() >= 2
        && lines[..lines.len() - 1]
            .iter()
            .all(|l| l.starts_with(&shown))
        && lines[lines.len() - 1].contains("problem(s)")
}

pub fn backup_targets(madoguchi: &Madoguchi, work: &Path) -> Section {
    let mut section = Section::new("backup targets (madoguchi store backup --out)");
    let dir = work.join("backup");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("a-file"), "x").expect("file");
    let a_folder = dir.display().to_string();
    let in_no_folder = dir.join("nowhere/b.sqlite3").display().to_string();
    let under_a_file = dir.join("a-file/b.sqlite3").display().to_string();
    let cases = [
        ("a folder that does not exist", in_no_folder.as_str()),
        ("a folder instead of a file", a_folder.as_str()),
        ("a path under a file", under_a_file.as_str()),
        ("an empty path", ""),
        ("a read-only file system", "/proc/madoguchi-backup.sqlite3"),
    ];
    for (name, out) in cases {
        section.check(
            name,
            madoguchi.run(&["store", "backup", "--out", out]).refused(),
        );
    }
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("read")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    section.check(
        "nothing half-written left",
        (!left.is_empty()).then(|| format!("left {left:?}")),
    );
    section
}
