//! `madoguchi qr encode|decode` as a user runs it: round trips through PNG, SVG and scanner
//! text, and the errors a clerk sees.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn madoguchi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(args)
        .env_remove("MADOGUCHI_LOG")
        .output()
        .expect("the binary runs")
}

fn family() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples/family-of-four.json")
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn encode_to(dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    let result = madoguchi(&[
        "qr",
        "encode",
        "--case",
        &family(),
        "--out",
        out.to_str().expect("utf-8"),
        "--issued",
        "2026-04-01",
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(
        text(&result.stderr).contains("QR version"),
        "{}",
        text(&result.stderr)
    );
    out
}

fn decoded_case(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", text(&output.stderr));
    let decoded: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(decoded["expires"], "2026-05-01");
    decoded["case"].clone()
}

#[test]
fn encode_then_decode_gives_back_the_case_through_png_svg_and_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(family()).expect("case")).expect("JSON");
    for name in ["qr.png", "qr.svg", "qr.txt"] {
        let file = encode_to(dir.path(), name);
        let case = decoded_case(&madoguchi(&[
            "qr",
            "decode",
            file.to_str().expect("utf-8"),
            "--today",
            "2026-04-12",
        ]));
        assert_eq!(case, original, "{name}");
    }
    let typed = std::fs::read_to_string(dir.path().join("qr.txt")).expect("text");
    let case = decoded_case(&madoguchi(&[
        "qr",
        "decode",
        "--text",
        typed.trim_end(),
        "--today",
        "2026-04-12",
    ]));
    assert_eq!(
        case["household"]["members"][0]["person"]["name"],
        original["household"]["members"][0]["person"]["name"]
    );
}

#[test]
fn an_expired_or_foreign_code_is_a_plain_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = encode_to(dir.path(), "qr.txt");
    let late = madoguchi(&[
        "qr",
        "decode",
        file.to_str().expect("utf-8"),
        "--today",
        "2026-05-02",
    ]);
    assert!(!late.status.success());
    let stderr = text(&late.stderr);
    assert!(
        stderr.contains("error[expired]") && stderr.contains("有効期限"),
        "{stderr}"
    );
    let foreign = madoguchi(&["qr", "decode", "--text", "https://example.com/"]);
    assert!(text(&foreign.stderr).contains("error[wrong_prefix]"));
    assert!(!text(&foreign.stderr).contains("panicked"));
}
