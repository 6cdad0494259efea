//! Can any case make a condition true? Used to find procedures no answer can reach, questions
//! that can never be asked and `known_from` entries that contradict each other.
//!
//! Every fact a condition reads has a finite set of values that matter: the event kinds, a
//! question's options (or, for numbers and dates, each constant it is compared with and its
//! neighbours), "not applicable", and for members the ages compared with and their neighbours.
//! A depth-first search over those values, splitting on `any`, decides satisfiability exactly
//! for single comparisons and conservatively for member counts. A comparison with an answer
//! also requires the question to be askable, so a rule reading a question whose `ask_when`
//! excludes the rule's own event is found unreachable.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use madoguchi_domain::{IdentityDocument, Relation, Sex};

use crate::catalogue::{Catalogue, QuestionKind};
use crate::condition::{AgeKind, Condition, MemberCondition, MemberFact, Op, Quantity, Value};

const NOT_APPLICABLE: i64 = i64::MIN;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Var {
    Event,
    /// 0: identified by no card; i + 1: by `IdentityDocument::ALL[i]`.
    IdentifiedBy,
    Question(usize),
    Age(u8),
    Sex,
    Foreign,
    Relation,
    Subject,
    /// Whether a question about members names the member.
    Named(usize),
}

/// The finite candidate values of every variable in one catalogue.
pub struct Universe<'c> {
    catalogue: &'c Catalogue,
    question_values: Vec<Vec<i64>>,
    ages: Vec<i64>,
}

fn value_code(catalogue: &Catalogue, question: usize, value: &Value) -> i64 {
    match value {
        Value::Yes => 1,
        Value::No => 0,
        Value::Number(n) => *n,
        Value::Date(d) => i64::from(d.num_days_from_ce()),
        Value::Choice(id) => catalogue.questions[question]
            .choices
            .iter()
            .position(|c| &c.id == id)
            .unwrap_or(0) as i64,
    }
}

fn collect_member_constants(filter: &MemberCondition, into: &mut BTreeSet<i64>) {
    match filter {
        MemberCondition::All(parts) | MemberCondition::Any(parts) => {
            parts.iter().for_each(|p| collect_member_constants(p, into))
        }
        MemberCondition::Not(inner) => collect_member_constants(inner, into),
        MemberCondition::Fact(MemberFact::Age(_, _, n)) => {
            let n = i64::from(*n);
            into.extend([n - 1, n, n + 1]);
        }
        MemberCondition::Fact(_) => {}
    }
}

fn collect_condition_constants(condition: &Condition, ages: &mut BTreeSet<i64>) {
    match condition {
        Condition::All(parts) | Condition::Any(parts) => parts
            .iter()
            .for_each(|p| collect_condition_constants(p, ages)),
        Condition::Not(inner) => collect_condition_constants(inner, ages),
        Condition::Members { filter, .. } => collect_member_constants(filter, ages),
        _ => {}
    }
}

impl<'c> Universe<'c> {
    pub fn new(catalogue: &'c Catalogue) -> Universe<'c> {
        let mut numeric: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); catalogue.questions.len()];
        let mut ages: BTreeSet<i64> = [0, 130].into_iter().collect();
        let mut visit_condition = |c: &Condition| {
            c.for_each_compared_value(&mut |q, v| {
                if matches!(v, Value::Number(_) | Value::Date(_)) {
                    let code = value_code(catalogue, q, v);
                    numeric[q].extend([code - 1, code, code + 1]);
                }
            });
            collect_condition_constants(c, &mut ages);
        };
        for q in &catalogue.questions {
            q.ask_when.iter().for_each(&mut visit_condition);
            q.known_from.iter().for_each(|k| visit_condition(&k.when));
        }
        for p in &catalogue.procedures {
            p.rules.iter().for_each(|r| visit_condition(&r.when));
        }
        let question_values = catalogue
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let mut values: Vec<i64> = match q.kind {
                    QuestionKind::YesNo | QuestionKind::Members => vec![0, 1],
                    QuestionKind::Choice => (0..q.choices.len() as i64).collect(),
                    QuestionKind::Number { min, max } => numeric[i]
                        .iter()
                        .copied()
                        .chain([min, max])
                        .filter(|v| (min..=max).contains(v))
                        .collect(),
                    QuestionKind::Date => numeric[i].iter().copied().chain([0]).collect(),
                };
                values.push(NOT_APPLICABLE);
                values.sort_unstable();
                values.dedup();
                values
            })
            .collect();
        Universe {
            catalogue,
            question_values,
            ages: ages.into_iter().filter(|a| *a >= 0).collect(),
        }
    }

    fn candidates(&self, var: Var) -> Vec<i64> {
        match var {
            Var::Event => (0..self.catalogue.events.len() as i64).collect(),
            Var::IdentifiedBy => (0..=IdentityDocument::ALL.len() as i64).collect(),
            Var::Question(q) => self.question_values[q].clone(),
            Var::Age(_) => self.ages.clone(),
            Var::Sex | Var::Foreign | Var::Subject | Var::Named(_) => vec![0, 1],
            Var::Relation => (0..Relation::ALL.len() as i64).collect(),
        }
    }

    /// Whether some case makes `condition` true.
    pub fn satisfiable(&self, condition: &Condition) -> bool {
        let mut search = Search {
            universe: self,
            budget: 200_000,
        };
        search.run(vec![(condition, true)], State::default())
    }
}

#[derive(Clone, Default)]
struct State<'a> {
    domains: BTreeMap<Var, Vec<i64>>,
    /// Member conditions some member must satisfy, with their polarity.
    exists: Vec<(&'a MemberCondition, bool)>,
    /// Member conditions every member must satisfy.
    every: Vec<(&'a MemberCondition, bool)>,
}

impl State<'_> {
    /// Restricts `var` to the values `keep` accepts; false when nothing is left.
    fn restrict(&mut self, universe: &Universe<'_>, var: Var, keep: impl Fn(i64) -> bool) -> bool {
        let domain = self
            .domains
            .entry(var)
            .or_insert_with(|| universe.candidates(var));
        domain.retain(|&v| keep(v));
        !domain.is_empty()
    }
}

struct Search<'u, 'c> {
    universe: &'u Universe<'c>,
    /// Bounds the search on pathological input; running out counts as satisfiable.
    budget: u32,
}

fn flip(op: Op) -> Op {
    match op {
        Op::Eq => Op::Ne,
        Op::Ne => Op::Eq,
        Op::Lt => Op::Ge,
        Op::Le => Op::Gt,
        Op::Gt => Op::Le,
        Op::Ge => Op::Lt,
    }
}

impl<'a, 'c: 'a> Search<'_, 'c> {
    fn run(&mut self, mut goals: Vec<(&'a Condition, bool)>, mut state: State<'a>) -> bool {
        if self.budget == 0 {
            return true;
        }
        self.budget -= 1;
        let Some((condition, positive)) = goals.pop() else {
            return self.members_possible(&state);
        };
        let universe = self.universe;
        match (condition, positive) {
            (Condition::All(parts), true) | (Condition::Any(parts), false) => {
                goals.extend(parts.iter().map(|p| (p, positive)));
                self.run(goals, state)
            }
            (Condition::Any(parts), true) | (Condition::All(parts), false) => {
                parts.iter().any(|p| {
                    let mut branch = goals.clone();
                    branch.push((p, positive));
                    self.run(branch, state.clone())
                })
            }
            (Condition::Not(inner), _) => {
                goals.push((inner, !positive));
                self.run(goals, state)
            }
            (Condition::IdentifiedBy(documents), _) => {
                let allowed: Vec<i64> = IdentityDocument::ALL
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| documents.contains(d))
                    .map(|(i, _)| i as i64 + 1)
                    .collect();
                state.restrict(universe, Var::IdentifiedBy, |v| {
                    allowed.contains(&v) == positive
                }) && self.run(goals, state)
            }
            (Condition::EventIn(kinds), _) => {
                let allowed: Vec<i64> = universe
                    .catalogue
                    .events
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| kinds.contains(&e.id))
                    .map(|(i, _)| i as i64)
                    .collect();
                state.restrict(universe, Var::Event, |v| allowed.contains(&v) == positive)
                    && self.run(goals, state)
            }
            (
                Condition::Answer {
                    question,
                    op,
                    value,
                },
                _,
            ) => {
                let target = value_code(universe.catalogue, *question, value);
                self.answer(goals, state, *question, positive, |v| op.holds(v, target))
            }
            (Condition::AnswerIn { question, values }, _) => {
                let targets: Vec<i64> = values
                    .iter()
                    .map(|v| value_code(universe.catalogue, *question, v))
                    .collect();
                self.answer(goals, state, *question, positive, |v| targets.contains(&v))
            }
            (Condition::Members { filter, quantity }, _) => {
                match (*quantity, positive) {
                    (Quantity::Some, true) | (Quantity::None, false) => {
                        state.exists.push((filter, true))
                    }
                    (Quantity::None, true) | (Quantity::Some, false) => {
                        state.every.push((filter, false))
                    }
                    (Quantity::Every, true) => state.every.push((filter, true)),
                    (Quantity::Every, false) => state.exists.push((filter, false)),
                    (Quantity::Count(op, n), _) => {
                        let op = if positive { op } else { flip(op) };
                        if !op.holds(0, n) {
                            state.exists.push((filter, true));
                        }
                    }
                }
                self.run(goals, state)
            }
        }
    }

    fn answer(
        &mut self,
        mut goals: Vec<(&'a Condition, bool)>,
        mut state: State<'a>,
        question: usize,
        positive: bool,
        matches: impl Fn(i64) -> bool,
    ) -> bool {
        let universe = self.universe;
        let ok = if positive {
            if let Some(ask_when) = &universe.catalogue.questions[question].ask_when {
                goals.push((ask_when, true));
            }
            state.restrict(universe, Var::Question(question), |v| {
                v != NOT_APPLICABLE && matches(v)
            })
        } else {
            state.restrict(universe, Var::Question(question), |v| {
                v == NOT_APPLICABLE || !matches(v)
            })
        };
        ok && self.run(goals, state)
    }

    fn members_possible(&mut self, state: &State<'a>) -> bool {
        let every = state.every.clone();
        if state.exists.is_empty() {
            return self.member_run(every, State::default());
        }
        state.exists.iter().all(|&e| {
            let mut goals = every.clone();
            goals.push(e);
            self.member_run(goals, State::default())
        })
    }

    fn member_run(
        &mut self,
        mut goals: Vec<(&'a MemberCondition, bool)>,
        mut state: State<'a>,
    ) -> bool {
        if self.budget == 0 {
            return true;
        }
        self.budget -= 1;
        let Some((condition, positive)) = goals.pop() else {
            return true;
        };
        let universe = self.universe;
        match (condition, positive) {
            (MemberCondition::All(parts), true) | (MemberCondition::Any(parts), false) => {
                goals.extend(parts.iter().map(|p| (p, positive)));
                self.member_run(goals, state)
            }
            (MemberCondition::Any(parts), true) | (MemberCondition::All(parts), false) => {
                parts.iter().any(|p| {
                    let mut branch = goals.clone();
                    branch.push((p, positive));
                    self.member_run(branch, state.clone())
                })
            }
            (MemberCondition::Not(inner), _) => {
                goals.push((inner, !positive));
                self.member_run(goals, state)
            }
            (MemberCondition::Fact(fact), _) => {
                let ok = match fact {
                    MemberFact::Age(kind, op, n) => {
                        let op = if positive { *op } else { flip(*op) };
                        let var = Var::Age(match kind {
                            AgeKind::Legal => 0,
                            AgeKind::School => 1,
                            AgeKind::Birthday => 2,
                        });
                        state.restrict(universe, var, |v| op.holds(v, i64::from(*n)))
                    }
                    MemberFact::Sex(sex) => {
                        let code = i64::from(*sex == Sex::Female);
                        state.restrict(universe, Var::Sex, |v| (v == code) == positive)
                    }
                    MemberFact::Foreign(foreign) => {
                        let code = i64::from(*foreign);
                        state.restrict(universe, Var::Foreign, |v| (v == code) == positive)
                    }
                    MemberFact::Subject(subject) => {
                        let code = i64::from(*subject);
                        state.restrict(universe, Var::Subject, |v| (v == code) == positive)
                    }
                    MemberFact::RelationIn(relations) => {
                        let allowed: Vec<i64> = Relation::ALL
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| relations.contains(r))
                            .map(|(i, _)| i as i64)
                            .collect();
                        state.restrict(universe, Var::Relation, |v| {
                            allowed.contains(&v) == positive
                        })
                    }
                    // Conservative: whether the question can be asked at all is left to the
                    // case-level search.
                    MemberFact::Named { question, named } => {
                        let code = i64::from(*named);
                        state.restrict(universe, Var::Named(*question), |v| (v == code) == positive)
                    }
                };
                ok && self.member_run(goals, state)
            }
        }
    }
}
