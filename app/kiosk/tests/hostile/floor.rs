//! The floor's settings IT staff write (`central.toml`, the password file, the floor key, the
//! trusted publishing keys) and the `SIGNATURE` file a catalogue folder carries, each damaged
//! one way: `madoguchi central sync` and `store import-catalogue` refuse in one line, in time,
//! without a panic. No server is needed: every input here is refused before any connection.

use std::path::Path;

use crate::support::{Madoguchi, Section, repo, run};

const PUBLIC_KEY: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";

/// The files of a sound terminal in `dir`, with `settings` as its central.toml.
fn terminal(dir: &Path, settings: &str) {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join("password"), "a-long-terminal-password\n").expect("password");
    std::fs::write(dir.join("floor.key"), format!("{}\n", "ab".repeat(32))).expect("key");
    std::fs::write(dir.join("trusted.pub"), format!("{PUBLIC_KEY}\n")).expect("keys");
    std::fs::write(dir.join("central.toml"), settings).expect("settings");
}

fn settings(dir: &Path, connection: &str, more: &str) -> String {
    format!(
        "connection = \"{connection}\"\npassword_file = \"{}\"\nfloor_key_file = \"{}\"\npublishing_keys_file = \"{}\"\n{more}",
        dir.join("password").display(),
        dir.join("floor.key").display(),
        dir.join("trusted.pub").display()
    )
}

pub fn settings_files(madoguchi: &Madoguchi, work: &Path) -> Section {
    let mut section = Section::new("floor settings (madoguchi central sync)");
    let dir = work.join("floor");
    let socket = "host=/nonexistent/socket user=desk_1";
    type Damage = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Damage)> = vec![
        ("an empty file", Box::new(|d| write(d, "central.toml", ""))),
        (
            "binary garbage",
            Box::new(|d| write(d, "central.toml", "\u{0}\u{1}\u{fffd}==")),
        ),
        (
            "1 MB of comments",
            Box::new(|d| write(d, "central.toml", &"#".repeat(1 << 20))),
        ),
        (
            "an unknown key",
            Box::new(move |d| write(d, "central.toml", &settings(d, socket, "printer = \"x\"\n"))),
        ),
        (
            "a counter that is not an id",
            Box::new(move |d| {
                write(
                    d,
                    "central.toml",
                    &settings(d, socket, "counter = \"保険年金課; DROP\"\n"),
                )
            }),
        ),
        (
            "a password in the connection",
            Box::new(|d| {
                write(
                    d,
                    "central.toml",
                    &settings(d, "host=/x user=desk_1 password=secret", ""),
                )
            }),
        ),
        (
            "a network host without a CA",
            Box::new(|d| {
                write(
                    d,
                    "central.toml",
                    &settings(d, "host=db.city.lg.jp user=desk_1", ""),
                )
            }),
        ),
        (
            "connection parameters that do not parse",
            Box::new(|d| write(d, "central.toml", &settings(d, "host=/x port=notaport", ""))),
        ),
        (
            "a missing password file",
            Box::new(|d| {
                let _ = std::fs::remove_file(d.join("password"));
            }),
        ),
        (
            "an empty password file",
            Box::new(|d| write(d, "password", "\n")),
        ),
        (
            "a missing floor key",
            Box::new(|d| {
                let _ = std::fs::remove_file(d.join("floor.key"));
            }),
        ),
        (
            "a floor key of the wrong length",
            Box::new(|d| write(d, "floor.key", "abcd\n")),
        ),
        (
            "trusted keys that are not keys",
            Box::new(|d| write(d, "trusted.pub", "not a key\n")),
        ),
        (
            "no trusted key at all",
            Box::new(|d| write(d, "trusted.pub", "# none yet\n")),
        ),
        (
            "a 1 MB trusted-keys file",
            Box::new(|d| write(d, "trusted.pub", &format!("{PUBLIC_KEY}\n").repeat(20_000))),
        ),
        (
            "settings that are /dev/zero",
            Box::new(|d| link(d, "central.toml")),
        ),
        (
            "a password file that is /dev/zero",
            Box::new(|d| link(d, "password")),
        ),
        (
            "trusted keys that are /dev/zero",
            Box::new(|d| link(d, "trusted.pub")),
        ),
        (
            "a CA file that is not a certificate",
            Box::new(|d| {
                write(d, "ca.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n");
                write(
                    d,
                    "central.toml",
                    &settings(
                        d,
                        "host=127.0.0.1 port=1 user=desk_1",
                        &format!("ca_file = \"{}\"\n", d.join("ca.pem").display()),
                    ),
                );
            }),
        ),
    ];
    for (name, damage) in cases {
        let _ = std::fs::remove_dir_all(&dir);
        terminal(&dir, &settings(&dir, socket, ""));
        damage(&dir);
        let mut command = madoguchi.command(&["central", "sync", "--wait", "2"]);
        command.env("MADOGUCHI_CENTRAL", dir.join("central.toml"));
        let ran = run(command, None);
        section.check(name, ran.refused());
    }
    section
}

/// Replaces `file` with a link to `/dev/zero`: endless, and zero bytes long to `stat`.
fn link(dir: &Path, file: &str) {
    let _ = std::fs::remove_file(dir.join(file));
    std::os::unix::fs::symlink("/dev/zero", dir.join(file)).expect("symlink");
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).expect("write");
}

/// A catalogue folder's `SIGNATURE`, damaged, on a terminal that trusts a key: the import is
/// refused naming the signature, before any supervisor signs in.
pub fn signatures(madoguchi: &Madoguchi, work: &Path) -> Section {
    let mut section = Section::new("catalogue signatures (madoguchi store import-catalogue)");
    let keys = work.join("trusted.pub");
    std::fs::write(&keys, format!("{PUBLIC_KEY}\n")).expect("keys");
    let folder = work.join("signed-catalogue");
    let lines = [
        ("no SIGNATURE file", None),
        ("an empty SIGNATURE", Some(String::new())),
        (
            "another algorithm",
            Some(format!("rsa 0011223344556677 {}", "00".repeat(64))),
        ),
        (
            "an odd-length signature",
            Some("ed25519 0011223344556677 abc".to_string()),
        ),
        (
            "a 1 MB signature",
            Some(format!("ed25519 0011223344556677 {}", "0".repeat(1 << 20))),
        ),
        (
            "an unknown key",
            Some(format!("ed25519 0011223344556677 {}", "00".repeat(64))),
        ),
        ("binary garbage", Some("\u{0}\u{7f}\u{fffd}".to_string())),
    ];
    for (name, line) in lines {
        let _ = std::fs::remove_dir_all(&folder);
        let copied = std::process::Command::new("cp")
            .arg("-r")
            .arg(repo("assets/catalogue"))
            .arg(&folder)
            .status()
            .is_ok_and(|s| s.success());
        assert!(copied, "copy the catalogue");
        if let Some(line) = line {
            std::fs::write(folder.join("SIGNATURE"), line).expect("signature");
        }
        let mut command = madoguchi.command(&[
            "store",
            "import-catalogue",
            &folder.to_string_lossy(),
            "--note",
            "hostile",
            "--as",
            "kakari",
        ]);
        command.env("MADOGUCHI_PUBLISHING_KEYS", &keys);
        let ran = run(command, None);
        section.check(name, ran.refused_saying("署名"));
    }
    section
}
