//! The condition parser never panics: random text and mutations of real conditions give either
//! a condition or an error whose offset lies inside the text.

use std::path::Path;

use madoguchi_domain::EventKind;
use madoguchi_rules::condition::{AnswerShape, QuestionLookup, parse_condition};
use madoguchi_rules::{Catalogue, load};
use proptest::prelude::*;

/// The catalogue, which resolves questions and events as the loader does.
struct Questions(Catalogue);

impl QuestionLookup for Questions {
    fn lookup(&self, id: &str) -> Option<(usize, AnswerShape<'_>)> {
        self.0.lookup(id)
    }

    fn events(&self) -> Vec<EventKind> {
        self.0.events()
    }
}

fn questions() -> Questions {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue");
    Questions(load(&dir).expect("catalogue loads").catalogue)
}

const SAMPLES: [&str; 4] = [
    "all(event = tennyu, any_member(all(school_age < 18, relation in [child, grandchild])))",
    "all(event in [tennyu, tenkyo], health_insurance = kokuho, not(care_facility = yes))",
    "count(all(age >= 20, age < 60)) >= 2",
    "any(no_member(nationality = foreign), all_members(sex = female))",
];

fn check(text: &str, questions: &Questions) {
    if let Err(e) = parse_condition(text, questions) {
        assert!(
            e.offset <= text.len(),
            "offset {} beyond {:?}",
            e.offset,
            text
        );
        assert!(!e.message.is_empty());
    }
}

/// Every condition of the shipped catalogue, printed by the editor, parses back to itself.
#[test]
fn printed_conditions_parse_back_to_themselves() {
    let questions = questions();
    let catalogue = &questions.0;
    let mut conditions = Vec::new();
    for procedure in &catalogue.procedures {
        conditions.extend(procedure.rules.iter().map(|r| r.when.clone()));
    }
    for question in &catalogue.questions {
        conditions.extend(question.ask_when.clone());
        conditions.extend(question.known_from.iter().map(|k| k.when.clone()));
    }
    assert!(
        conditions.len() > 30,
        "only {} conditions",
        conditions.len()
    );
    for condition in conditions {
        let text = catalogue.condition_text(&condition);
        let parsed = parse_condition(&text, &questions)
            .unwrap_or_else(|e| panic!("{text:?} does not parse: {}", e.message));
        assert_eq!(parsed, condition, "{text}");
    }
}

proptest! {
    #[test]
    fn mutated_conditions_that_parse_print_back_the_same(sample in 0..SAMPLES.len(), cut in 0usize..120, insert in "[()\\[\\],=<>!a-z0-9 -]{0,3}") {
        let questions = questions();
        let text = SAMPLES[sample];
        let at = text.char_indices().map(|(i, _)| i).nth(cut % text.chars().count()).unwrap_or(0);
        let mutated = format!("{}{}{}", &text[..at], insert, &text[(at + 1).min(text.len())..]);
        if let Ok(parsed) = parse_condition(&mutated, &questions) {
            let printed = questions.0.condition_text(&parsed);
            prop_assert_eq!(parse_condition(&printed, &questions).ok(), Some(parsed));
        }
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,80}") {
        check(&text, &questions());
    }

    #[test]
    fn condition_like_text_never_panics(text in "[a-z_()\\[\\],=<>! 0-9-]{0,60}") {
        check(&text, &questions());
    }

    #[test]
    fn mutated_conditions_never_panic(sample in 0..SAMPLES.len(), cut in 0usize..120, insert in "[()\\[\\],=<>!a-z0-9 -]{0,3}") {
        let text = SAMPLES[sample];
        let at = text.char_indices().map(|(i, _)| i).nth(cut % text.chars().count()).unwrap_or(0);
        let mutated = format!("{}{}{}", &text[..at], insert, &text[(at + 1).min(text.len())..]);
        check(&mutated, &questions());
    }
}

#[test]
fn the_samples_parse() {
    let questions = questions();
    for sample in SAMPLES {
        parse_condition(sample, &questions).unwrap_or_else(|e| panic!("{sample}: {}", e.message));
    }
}
