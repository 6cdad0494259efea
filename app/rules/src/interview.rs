//! The interview simulation: how many questions does a real interview ask?
//!
//! For each scenario, start from what a card reader gives (the event and the household's
//! names, addresses, birth dates and sexes, with the relations the clerk records while
//! building the household: no nationality, no answers), ask the first question
//! the engine proposes, answer it as the scenario does (「わからない」 when the scenario is
//! silent), and repeat until the engine proposes nothing. The interview is good when it asks
//! few of the catalogue's questions and ends at the same decision as the scenario's full case.

use std::collections::BTreeSet;

use madoguchi_domain::{Answer, Case};

use crate::engine::{Engine, EvalError};
use crate::scenario::Scenario;

/// One simulated interview.
#[derive(Clone, Debug)]
pub struct Interview {
    pub scenario: String,
    /// The questions asked, in order.
    pub asked: Vec<String>,
    /// Whether the interview ended at the full case's decision.
    pub same_decision: bool,
    /// When it did not: what differed.
    pub differences: Vec<String>,
}

/// What a card gives: the people and the event, nothing asked yet.
fn card_only(case: &Case) -> Case {
    let mut start = case.clone();
    start.answers.clear();
    for member in &mut start.household.members {
        member.person.nationality = None;
    }
    start
}

fn ids(list: Vec<&str>) -> BTreeSet<String> {
    list.into_iter().map(str::to_string).collect()
}

pub fn simulate(engine: &Engine<'_>, scenario: &Scenario) -> Result<Interview, EvalError> {
    let as_of = scenario.as_of();
    let full = engine.evaluate(&scenario.case, as_of)?;
    let truth = engine.known_answers(&scenario.case)?;
    let mut case = card_only(&scenario.case);
    let mut asked = Vec::new();
    let limit = engine.catalogue().questions.len() + 1;
    let decision = loop {
        let decision = engine.evaluate(&case, as_of)?;
        let Some(next) = decision.next_questions.first() else {
            break decision;
        };
        if asked.len() >= limit || asked.contains(&next.id) {
            break decision;
        }
        let answer = truth.get(&next.id).cloned().unwrap_or(Answer::Unknown);
        case.answers.insert(next.id.clone(), answer);
        asked.push(next.id.clone());
    };
    let mut differences = Vec::new();
    for (label, got, want) in [
        (
            "procedures",
            ids(decision.procedure_ids()),
            ids(full.procedure_ids()),
        ),
        (
            "to_confirm",
            ids(decision.to_confirm_ids()),
            ids(full.to_confirm_ids()),
        ),
    ] {
        if got != want {
            let missing: Vec<_> = want.difference(&got).cloned().collect();
            let extra: Vec<_> = got.difference(&want).cloned().collect();
            differences.push(format!(
                "{label}: missing [{}], extra [{}]",
                missing.join(", "),
                extra.join(", ")
            ));
        }
    }
    Ok(Interview {
        scenario: scenario.name.clone(),
        asked,
        same_decision: differences.is_empty(),
        differences,
    })
}

/// The simulation over many scenarios.
#[derive(Clone, Debug)]
pub struct InterviewReport {
    pub interviews: Vec<Interview>,
    pub catalogue_questions: usize,
}

impl InterviewReport {
    pub fn average_asked(&self) -> f64 {
        if self.interviews.is_empty() {
            return 0.0;
        }
        self.interviews
            .iter()
            .map(|i| i.asked.len() as f64)
            .sum::<f64>()
            / self.interviews.len() as f64
    }

    /// Average questions asked as a share of the catalogue's questions.
    pub fn average_share(&self) -> f64 {
        self.average_asked() / self.catalogue_questions.max(1) as f64
    }

    pub fn all_same_decision(&self) -> bool {
        self.interviews.iter().all(|i| i.same_decision)
    }
}

/// Simulates every scenario whose event is `event` (all when `None`).
pub fn simulate_all(
    engine: &Engine<'_>,
    scenarios: &[Scenario],
    event: Option<madoguchi_domain::EventKind>,
) -> Result<InterviewReport, EvalError> {
    let interviews = scenarios
        .iter()
        .filter(|s| event.is_none_or(|e| s.case.event.kind() == e))
        .map(|s| simulate(engine, s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InterviewReport {
        interviews,
        catalogue_questions: engine.catalogue().questions.len(),
    })
}
