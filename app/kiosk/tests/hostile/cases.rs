//! The case JSON, as other programs and files give it: the library's `Case::from_json`, the
//! engine on whatever it accepts, and `madoguchi rules evaluate` on the same files.

use std::path::Path;

use madoguchi_domain::Case;
use madoguchi_rules::{Catalogue, Engine};
use serde_json::{Value, json};

use crate::support::{LIMIT, Madoguchi, Section, within};

const FAMILY: &str = madoguchi_kiosk::samples::FAMILY_OF_FOUR;

fn family() -> Value {
    serde_json::from_str(FAMILY).expect("the example")
}

/// The example with `path` (a JSON pointer) set to `value`.
fn with(path: &str, value: Value) -> Value {
    let mut case = family();
    if let Some(slot) = case.pointer_mut(path) {
        *slot = value;
    } else {
        let (parent, key) = path.rsplit_once('/').expect("a pointer");
        case.pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .expect("a parent object")
            .insert(key.to_string(), value);
    }
    case
}

/// The example as a death: the same household, the first member the person who died.
fn death() -> Value {
    let mut case = with("/event/kind", json!("shibou"));
    case["event"]["subject"] = json!(0);
    case["event"]
        .as_object_mut()
        .expect("an event")
        .remove("moved_out_date");
    case
}

/// Hostile case documents, each with a name.
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut corpus: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: &str, value: Value| {
        corpus.push((name.to_string(), value.to_string().into_bytes()));
    };
    for date in [
        "262142-12-31",
        "+262142-12-31",
        "-262143-01-01",
        "-0001-05-01",
        "0000-01-01",
        "1867-12-31",
        "2201-01-01",
        "9999-12-31",
        "2026-02-30",
        "2026-13-01",
        "",
    ] {
        for field in [
            "/event/date",
            "/event/move_date",
            "/event/visit_date",
            "/event/moved_out_date",
            "/household/members/0/person/birth_date",
            "/answers/some_date",
        ] {
            add(&format!("{field} = {date:?}"), with(field, json!(date)));
        }
        for field in ["funeral_date", "learned_date"] {
            let mut case = death();
            case["event"][field] = json!(date);
            add(&format!("a death's {field} = {date:?}"), case);
        }
    }
    for (field, chars) in [
        ("/household/members/0/person/name", 201),
        ("/household/members/0/person/name", 100_000),
        ("/household/members/0/person/kana", 5_000),
        ("/event/previous_address/text", 301),
        ("/event/previous_address/text", 200_000),
        ("/household/members/1/person/address", 0),
    ] {
        let value = if chars == 0 {
            json!({ "text": "x".repeat(400) })
        } else {
            json!("あ".repeat(chars))
        };
        add(&format!("{field}: {chars} characters"), with(field, value));
    }
    for control in ["\n", "\r", "\u{1b}[31m", "\u{0}", "\u{7f}", "\u{85}"] {
        add(
            &format!("a name with {control:?}"),
            with(
                "/household/members/0/person/name",
                json!(format!("窓口{control}太郎")),
            ),
        );
    }
    let member = family()["household"]["members"][0].clone();
    add(
        "31 members",
        with("/household/members", Value::Array(vec![member; 31])),
    );
    add("no members", with("/household/members", json!([])));
    for applicant in [json!(4), json!(99), json!(-1), json!(u64::MAX), json!(1.5)] {
        add(
            &format!("applicant {applicant}"),
            with("/applicant", applicant),
        );
    }
    let many: serde_json::Map<String, Value> =
        (0..301).map(|i| (format!("q{i}"), json!("yes"))).collect();
    add("301 answers", with("/answers", Value::Object(many)));
    add(
        "a 65-character question id",
        with("/answers", json!({ "q".repeat(65): "yes" })),
    );
    add(
        "a 65-character choice",
        with("/answers/health_insurance", json!("c".repeat(65))),
    );
    for number in [
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1e300),
    ] {
        add(
            &format!("answer {number}"),
            with("/answers/children_count", number),
        );
    }
    for copies in [0, 10, 255, 256] {
        add(
            &format!("{copies} copies"),
            with(
                "/certificates",
                json!([{ "kind": "juminhyo", "copies": copies }]),
            ),
        );
    }
    for postal in ["12345678", "abcdefg", "１２３４５６７", ""] {
        add(
            &format!("postal code {postal:?}"),
            with("/event/previous_address/postal_code", json!(postal)),
        );
    }
    add("an unknown field", with("/colour", json!("blue")));
    add("members as text", with("/household/members", json!("four")));
    add("a null event", with("/event", Value::Null));
    for kind in [
        json!("rikon"),
        json!("Tennyu"),
        json!("転入"),
        json!("a".repeat(33)),
        json!(""),
        json!(7),
        json!(null),
    ] {
        add(&format!("event kind {kind}"), with("/event/kind", kind));
    }
    add(
        "a move with a funeral date",
        with("/event/funeral_date", json!("2026-04-01")),
    );
    add(
        "a named date that is not an id",
        with("/event/Funeral-Date", json!("2026-04-01")),
    );
    add("a move about one member", with("/event/subject", json!(0)));
    let mut dated = family();
    for i in 0..9 {
        dated["event"][format!("d{i}")] = json!("2026-04-01");
    }
    add("an event with 9 named dates", dated);
    let mut nobody = death();
    nobody["event"]
        .as_object_mut()
        .expect("an event")
        .remove("subject");
    add("a death about nobody", nobody);
    for subject in [
        json!(4),
        json!(99),
        json!(-1),
        json!(u64::MAX),
        json!("x"),
        json!(1.5),
    ] {
        let mut case = death();
        case["event"]["subject"] = subject.clone();
        add(&format!("a death about member {subject}"), case);
    }
    add("a death as recorded", death());
    for relation in [
        json!("子"),
        json!(""),
        json!(" "),
        json!("子\n"),
        json!("子".repeat(17)),
        json!(7),
        json!(null),
    ] {
        let mut case = death();
        case["proxy"] = json!({ "name": "窓口 一郎", "relation": relation.clone() });
        add(
            &format!("family from another household, relation {relation:.40}"),
            case,
        );
    }
    for (name, bytes) in [
        ("empty", Vec::new()),
        ("{}", b"{}".to_vec()),
        ("null", b"null".to_vec()),
        ("nested arrays", "[".repeat(100_000).into_bytes()),
        ("nested objects", "{\"a\":".repeat(50_000).into_bytes()),
        (
            "a byte-order mark",
            [&[0xEF, 0xBB, 0xBF][..], FAMILY.as_bytes()].concat(),
        ),
        ("not UTF-8", [FAMILY.as_bytes(), &[0xFF, 0xFE]].concat()),
        ("binary", (0..=255u8).cycle().take(4096).collect()),
        ("300 KB of spaces", vec![b' '; 300 * 1024]),
        (
            "a 1 MB name",
            FAMILY
                .replace("窓口 太郎", &"太".repeat(350_000))
                .into_bytes(),
        ),
        (
            "duplicate keys",
            FAMILY
                .replacen("\"event\"", "\"event\": {}, \"event\"", 1)
                .into_bytes(),
        ),
    ] {
        corpus.push((name.to_string(), bytes));
    }
    corpus
}

/// The library: a refused document is an `Err`; an accepted one evaluates without a panic.
pub fn library(catalogue: &'static Catalogue) -> Section {
    let mut section = Section::new("case JSON (Case::from_json, Engine::evaluate)");
    for (name, bytes) in corpus() {
        let outcome = within(LIMIT, move || match Case::from_json(&bytes) {
            Ok(case) => Engine::new(catalogue)
                .evaluate(&case, case.event.visit_date())
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        });
        // An `Err` inside is the refusal the input deserved; only a panic or a hang is not.
        section.check(&name, outcome.err());
    }
    section
}

/// `madoguchi rules evaluate --case FILE` on every document: refused in one line, never 101.
pub fn command_line(madoguchi: &Madoguchi, dir: &Path) -> Section {
    let mut section = Section::new("case JSON (madoguchi rules evaluate --case)");
    for (n, (name, bytes)) in corpus().into_iter().enumerate() {
        let file = dir.join(format!("case-{n}.json"));
        std::fs::write(&file, &bytes).expect("write");
        let ran = madoguchi.run(&["rules", "evaluate", "--case", &file.to_string_lossy()]);
        section.check(&name, ran.problem());
    }
    // Standard input, /dev/zero, a folder, a file that is not there, 100 MB.
    let big = dir.join("big.json");
    {
        let file = std::fs::File::create(&big).expect("create");
        file.set_len(100 * 1024 * 1024).expect("100 MB");
    }
    for (name, path) in [
        ("/dev/zero", "/dev/zero".to_string()),
        ("a folder", dir.to_string_lossy().into_owned()),
        (
            "a missing file",
            dir.join("nothing.json").to_string_lossy().into_owned(),
        ),
        ("a 100 MB file", big.to_string_lossy().into_owned()),
    ] {
        let ran = madoguchi.run(&["rules", "evaluate", "--case", &path]);
        section.check(name, ran.refused());
    }
    let ran = madoguchi.run_with(&["rules", "evaluate", "--case", "-"], "{\"event\": 5}");
    section.check("standard input", ran.refused());
    let _ = std::fs::remove_file(big);
    section
}
