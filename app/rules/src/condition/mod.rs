//! Conditions a supervisor writes in the catalogue, in a small typed language.
//!
//! ```text
//! all(event = tennyu, health_insurance = kokuho, any_member(birthday_age < 75))
//! ```
//!
//! A condition combines typed comparisons over the facts of a case with `all(…)`, `any(…)` and
//! `not(…)`. The facts are the event (`event = tennyu`, `event in [tennyu, tenkyo]`), the
//! answers (`dog = yes`, `children >= 2`, `health_insurance in [kokuho, seiho]`), and the members
//! of the household through `any_member(…)`, `all_members(…)`, `no_member(…)` and
//! `count(…) >= n`. Inside those, a member condition compares `age`, `school_age`,
//! `birthday_age`, `sex`, `nationality` and `relation` (see [`MemberFact`]), and the member's
//! own answer to a question about members: `any_member(seal = yes, age >= 15)` is "a member
//! aged 15 or over who was named as registering a seal". Outside a member condition the same
//! question reads `seal = yes` (it names someone) or `seal = no` (nobody).
//!
//! Conditions are parsed once when the catalogue loads, with every question id and option
//! checked against the catalogue, and evaluated in three-valued logic: a comparison on an
//! unanswered or 「わからない」 answer is *unknown*, which is how the engine finds procedures still
//! "to confirm" and the questions worth asking.

mod eval;
mod parse;
mod phrase;
mod print;

pub use eval::{Facts, MemberFacts, QuestionState, Trace, Truth};
pub use parse::{AnswerShape, ParseError, QuestionLookup, parse_condition, parse_member_condition};
pub use phrase::{Labels, ages as age_list};
pub use print::{age_word, print_condition, print_member_condition, print_value};

use madoguchi_domain::{EventKind, IdentityDocument, Relation, Sex};

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub fn holds<T: Ord>(self, left: T, right: T) -> bool {
        match self {
            Op::Eq => left == right,
            Op::Ne => left != right,
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// A value an answer is compared with, already checked against the question's kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Yes,
    No,
    Number(i64),
    Choice(String),
    Date(chrono::NaiveDate),
}

/// A condition over a whole case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// The event is one of these kinds.
    EventIn(Vec<EventKind>),
    /// The applicant was identified by one of these ID cards (a case identified otherwise, or
    /// typed, matches none).
    IdentifiedBy(Vec<IdentityDocument>),
    /// The answer to question `question` (an index into the catalogue's questions) compares
    /// with `value`.
    Answer {
        question: usize,
        op: Op,
        value: Value,
    },
    /// The answer is one of these values.
    AnswerIn {
        question: usize,
        values: Vec<Value>,
    },
    /// A statement about how many members match.
    Members {
        filter: MemberCondition,
        quantity: Quantity,
    },
}

/// How many members must match a member condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// `any_member(…)`: at least one.
    Some,
    /// `all_members(…)`: every member.
    Every,
    /// `no_member(…)`: none.
    None,
    /// `count(…) op n`.
    Count(Op, u32),
}

/// Which age a member condition compares; see [`madoguchi_domain::age`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgeKind {
    /// `age`: reached on the day before the birthday (年齢計算ニ関スル法律), on the event date.
    Legal,
    /// `school_age`: 学齢, the legal age on the 31 March before the event's school year.
    School,
    /// `birthday_age`: counted from the birthday itself (後期高齢者医療).
    Birthday,
}

/// A fact about one member.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MemberFact {
    Age(AgeKind, Op, u32),
    Sex(Sex),
    Foreign(bool),
    RelationIn(Vec<Relation>),
    /// Whether the member is the one the event is about (the person who died, the child
    /// born): `subject = yes`.
    Subject(bool),
    /// Whether a question about members (index into the catalogue's questions) names this
    /// member (`named`) or does not.
    Named {
        question: usize,
        named: bool,
    },
}

/// A condition over one member.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MemberCondition {
    All(Vec<MemberCondition>),
    Any(Vec<MemberCondition>),
    Not(Box<MemberCondition>),
    Fact(MemberFact),
}

impl MemberCondition {
    /// Calls `visit` with every age comparison inside.
    pub fn for_each_age(&self, visit: &mut impl FnMut(AgeKind, Op, u32)) {
        match self {
            MemberCondition::All(parts) | MemberCondition::Any(parts) => {
                parts.iter().for_each(|p| p.for_each_age(visit))
            }
            MemberCondition::Not(inner) => inner.for_each_age(visit),
            MemberCondition::Fact(MemberFact::Age(kind, op, years)) => visit(*kind, *op, *years),
            MemberCondition::Fact(_) => {}
        }
    }

    /// Calls `visit` with every question about members this condition reads.
    pub fn for_each_question(&self, visit: &mut impl FnMut(usize)) {
        match self {
            MemberCondition::All(parts) | MemberCondition::Any(parts) => {
                parts.iter().for_each(|p| p.for_each_question(visit))
            }
            MemberCondition::Not(inner) => inner.for_each_question(visit),
            MemberCondition::Fact(MemberFact::Named { question, .. }) => visit(*question),
            MemberCondition::Fact(_) => {}
        }
    }

    /// Whether this condition counts ages from the birthday itself (`birthday_age`): the ages
    /// its reason cites are then counted the same way.
    pub fn counts_from_birthday(&self) -> bool {
        let mut birthday = false;
        self.for_each_age(&mut |kind, _, _| birthday |= kind == AgeKind::Birthday);
        birthday
    }
}

impl Condition {
    /// Calls `visit` with every age comparison of every member condition inside.
    pub fn for_each_age(&self, visit: &mut impl FnMut(AgeKind, Op, u32)) {
        match self {
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().for_each(|p| p.for_each_age(visit))
            }
            Condition::Not(inner) => inner.for_each_age(visit),
            Condition::Members { filter, .. } => filter.for_each_age(visit),
            _ => {}
        }
    }

    /// Calls `visit` with every question this condition reads.
    pub fn for_each_question(&self, visit: &mut impl FnMut(usize)) {
        match self {
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().for_each(|p| p.for_each_question(visit))
            }
            Condition::Not(inner) => inner.for_each_question(visit),
            Condition::Answer { question, .. } | Condition::AnswerIn { question, .. } => {
                visit(*question)
            }
            Condition::Members { filter, .. } => filter.for_each_question(visit),
            Condition::EventIn(_) | Condition::IdentifiedBy(_) => {}
        }
    }

    /// The questions this condition reads, in order of first appearance.
    pub fn questions(&self) -> Vec<usize> {
        let mut found = Vec::new();
        self.for_each_question(&mut |q| {
            if !found.contains(&q) {
                found.push(q)
            }
        });
        found
    }

    /// Calls `visit` with every (question, value) comparison, for planning representative
    /// answers.
    pub fn for_each_compared_value(&self, visit: &mut impl FnMut(usize, &Value)) {
        match self {
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().for_each(|p| p.for_each_compared_value(visit))
            }
            Condition::Not(inner) => inner.for_each_compared_value(visit),
            Condition::Answer {
                question, value, ..
            } => visit(*question, value),
            Condition::AnswerIn { question, values } => {
                values.iter().for_each(|v| visit(*question, v))
            }
            Condition::EventIn(_) | Condition::IdentifiedBy(_) | Condition::Members { .. } => {}
        }
    }
}
