//! Interview planning on small hand-made catalogues, where every outcome can be worked out by
//! hand.

use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use madoguchi_domain::{Answer, Case};
use madoguchi_rules::{Catalogue, Engine, load};

const QUESTIONS: &str = r#"
[[question]]
id = "a"
tier = "core"
kind = "yes_no"
text = { ja = "A?", easy = "A?", en = "A?" }
label = { ja = "A", en = "A" }
source = "test"

[[question]]
id = "b"
tier = "core"
kind = "yes_no"
text = { ja = "B?", easy = "B?", en = "B?" }
label = { ja = "B", en = "B" }
source = "test"

[[question]]
id = "c"
tier = "follow_up"
kind = "yes_no"
text = { ja = "C?", easy = "C?", en = "C?" }
label = { ja = "C", en = "C" }
source = "test"
ask_when = "a = yes"
"#;

fn catalogue_with(rules: &[(&str, &str)]) -> (tempfile::TempDir, Catalogue) {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    fs::write(
        p.join("catalogue.toml"),
        "[catalogue]\nname = \"t\"\nversion = \"1\"\nmunicipality = \"t\"\n",
    )
    .expect("write");
    fs::write(
        p.join("counters.toml"),
        "[[counter]]\nid = \"x\"\nname = { ja = \"窓口\", easy = \"まどぐち\", en = \"Counter\" }\n",
    )
    .expect("write");
    fs::write(p.join("questions.toml"), QUESTIONS).expect("write");
    fs::create_dir(p.join("procedures")).expect("mkdir");
    let procedures: String = rules
        .iter()
        .map(|(id, when)| {
            format!(
                "[[procedure]]\nid = \"{id}\"\nname = {{ ja = \"{id}\", easy = \"{id}\", en = \"{id}\" }}\ncounter = \"x\"\nsource = \"test\"\n\n[[procedure.rule]]\nwhen = \"{when}\"\nbecause = {{ ja = \"理由\", en = \"reason\" }}\n\n"
            )
        })
        .collect();
    fs::write(p.join("procedures/p.toml"), procedures).expect("write");
    let catalogue = load(p).unwrap_or_else(|e| panic!("{e:?}")).catalogue;
    (dir, catalogue)
}

fn case(answers: &[(&str, Answer)]) -> Case {
    let mut case: Case = serde_json::from_str(
        r#"{"event": {"kind": "tennyu", "move_date": "2026-04-01", "visit_date": "2026-04-01"},
            "household": {"members": [{"relation": "head", "person": {"name": "試験"}}]}}"#,
    )
    .expect("case");
    for (id, answer) in answers {
        case.answers.insert(id.to_string(), answer.clone());
    }
    case
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).expect("date")
}

fn next(catalogue: &Catalogue, answers: &[(&str, Answer)]) -> Vec<String> {
    let engine = Engine::new(catalogue);
    engine
        .evaluate(&case(answers), day())
        .expect("evaluates")
        .next_questions
        .into_iter()
        .map(|q| q.id)
        .collect()
}

#[test]
fn a_question_is_asked_only_if_some_answer_changes_the_decision() {
    let (_dir, catalogue) = catalogue_with(&[("p", "all(a = yes, b = yes)")]);
    assert_eq!(next(&catalogue, &[]), ["a", "b"]);
    // Once a is no, p cannot apply whatever b says.
    assert!(next(&catalogue, &[("a", Answer::No)]).is_empty());
    assert_eq!(next(&catalogue, &[("a", Answer::Yes)]), ["b"]);
}

#[test]
fn a_follow_up_waits_for_its_gateway_and_does_not_apply_without_it() {
    let (_dir, catalogue) = catalogue_with(&[("p", "c = yes"), ("q", "not(c = yes)")]);
    // c waits on a; a is worth asking because it decides whether c applies.
    assert_eq!(next(&catalogue, &[]), ["a"]);
    let engine = Engine::new(&catalogue);
    let decision = engine
        .evaluate(&case(&[("a", Answer::No)]), day())
        .expect("evaluates");
    // c does not apply: `c = yes` is false and `not(c = yes)` true; nothing waits.
    assert_eq!(decision.procedure_ids(), ["q"]);
    assert!(decision.to_confirm.is_empty());
    // With a = yes, c is asked.
    assert_eq!(next(&catalogue, &[("a", Answer::Yes)]), ["c"]);
}

#[test]
fn answers_that_decide_only_together_are_still_asked() {
    // Either answer alone leaves "both the same" unknown; together they decide it.
    let (_dir, catalogue) =
        catalogue_with(&[("same", "any(all(a = yes, b = yes), all(a = no, b = no))")]);
    assert_eq!(next(&catalogue, &[]), ["a", "b"]);
    assert_eq!(next(&catalogue, &[("a", Answer::Yes)]), ["b"]);
    let engine = Engine::new(&catalogue);
    let decided = engine
        .evaluate(&case(&[("a", Answer::Yes), ("b", Answer::No)]), day())
        .expect("evaluates");
    assert!(decided.procedures.is_empty() && decided.to_confirm.is_empty());
}

#[test]
fn dont_know_is_not_asked_again_and_leaves_the_procedure_to_confirm() {
    let (_dir, catalogue) = catalogue_with(&[("p", "all(a = yes, b = yes)")]);
    let answers = [("a", Answer::Unknown), ("b", Answer::Yes)];
    assert!(next(&catalogue, &answers).is_empty());
    let engine = Engine::new(&catalogue);
    let decision = engine.evaluate(&case(&answers), day()).expect("evaluates");
    assert_eq!(decision.to_confirm_ids(), ["p"]);
}

#[test]
fn a_catalogue_without_a_scenarios_folder_is_reported() {
    let (dir, catalogue) = catalogue_with(&[("p", "a = yes")]);
    assert!(!Path::new(&dir.path().join("scenarios")).exists());
    let files = madoguchi_rules::read_folder(dir.path()).expect("reads");
    assert!(madoguchi_rules::scenario::load_all(&catalogue, &files).is_err());
}
