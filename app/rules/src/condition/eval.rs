//! Three-valued evaluation of conditions, with an optional trace in plain words.

use chrono::NaiveDate;
use madoguchi_domain::{Answer, EventKind, IdentityDocument, Member, Relation, Sex, age};
use serde::Serialize;

use super::phrase::{self, Labels};
use super::{AgeKind, Condition, MemberCondition, MemberFact, Op, Quantity, Value};

/// Kleene's three-valued truth: a comparison on a fact nobody knows yet is `Unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    pub fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    pub fn negate(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    /// The conjunction of `parts`: false if any is false, true if all are true.
    pub fn all(parts: impl IntoIterator<Item = Truth>) -> Truth {
        let mut result = Truth::True;
        for part in parts {
            match part {
                Truth::False => return Truth::False,
                Truth::Unknown => result = Truth::Unknown,
                Truth::True => {}
            }
        }
        result
    }

    /// The disjunction of `parts`: true if any is true, false if all are false.
    pub fn any(parts: impl IntoIterator<Item = Truth>) -> Truth {
        Truth::all(parts.into_iter().map(Truth::negate)).negate()
    }

    pub fn mark(self) -> &'static str {
        match self {
            Truth::True => "✓",
            Truth::False => "✗",
            Truth::Unknown => "?",
        }
    }
}

/// What a condition can know about one member, computed once per case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFacts {
    /// The member's place in the household, which answers to questions about members name.
    pub index: usize,
    pub legal_age: Option<u32>,
    pub school_age: Option<u32>,
    pub birthday_age: Option<u32>,
    pub sex: Option<Sex>,
    pub foreign: Option<bool>,
    pub relation: Relation,
    /// The member the event is about (`event.subject`).
    pub subject: bool,
}

impl MemberFacts {
    /// The facts of member `index` with ages taken on `event_date`.
    pub fn of(index: usize, member: &Member, event_date: NaiveDate) -> MemberFacts {
        let birth = member.person.birth_date;
        MemberFacts {
            index,
            legal_age: birth.map(|b| age::legal_age(b, event_date)),
            school_age: birth.map(|b| age::school_age(b, event_date)),
            birthday_age: birth.map(|b| age::birthday_age(b, event_date)),
            sex: member.person.sex,
            foreign: member.person.nationality.as_ref().map(|n| n.is_foreign()),
            relation: member.category(),
            subject: false,
        }
    }

    fn age(&self, kind: AgeKind) -> Option<u32> {
        match kind {
            AgeKind::Legal => self.legal_age,
            AgeKind::School => self.school_age,
            AgeKind::Birthday => self.birthday_age,
        }
    }
}

/// Where a question stands in this case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionState {
    /// Answered, or known from the facts without asking.
    Answered(Answer),
    /// Answered 「わからない」.
    DontKnow,
    /// Not answered yet, and it applies: it may be asked.
    Unanswered,
    /// Whether it applies depends on answers not given yet.
    Waiting,
    /// It does not apply to this case (its `ask_when` is false): comparisons with it are false.
    NotApplicable,
}

/// The facts of one case that conditions read.
#[derive(Clone, Debug)]
pub struct Facts<'m> {
    pub event: EventKind,
    /// The ID card the applicant was identified by, if any.
    pub identified_by: Option<IdentityDocument>,
    pub members: &'m [MemberFacts],
    /// Indexed like the catalogue's questions.
    pub questions: Vec<QuestionState>,
}

fn compare(answer: &Answer, op: Op, value: &Value) -> bool {
    match (answer, value) {
        (Answer::Yes, Value::Yes) | (Answer::No, Value::No) => op == Op::Eq,
        (Answer::Yes, Value::No) | (Answer::No, Value::Yes) => op == Op::Ne,
        (Answer::Number(a), Value::Number(b)) => op.holds(a, b),
        (Answer::Date(a), Value::Date(b)) => op.holds(a, b),
        (Answer::Choice(a), Value::Choice(b)) => op.holds(a, b),
        // Over the case, a question about members is "yes" when it names someone.
        (Answer::Members(list), Value::Yes) => op.holds(!list.is_empty(), true),
        (Answer::Members(list), Value::No) => op.holds(list.is_empty(), true),
        // Case validation rejects answers of the wrong kind before evaluation.
        _ => false,
    }
}

fn answer_truth(state: &QuestionState, test: impl Fn(&Answer) -> bool) -> Truth {
    match state {
        QuestionState::Answered(answer) => Truth::from_bool(test(answer)),
        QuestionState::NotApplicable => Truth::False,
        QuestionState::DontKnow | QuestionState::Unanswered | QuestionState::Waiting => {
            Truth::Unknown
        }
    }
}

/// How many of `members` match, as (certainly, possibly) counts.
fn match_counts(filter: &MemberCondition, facts: &Facts<'_>) -> (u32, u32) {
    let mut certain = 0;
    let mut possible = 0;
    for member in facts.members {
        match filter.eval(member, &facts.questions) {
            Truth::True => {
                certain += 1;
                possible += 1;
            }
            Truth::Unknown => possible += 1,
            Truth::False => {}
        }
    }
    (certain, possible)
}

fn quantity_truth(quantity: Quantity, total: u32, certain: u32, possible: u32) -> Truth {
    let holds_for = |n: u32| match quantity {
        Quantity::Some => n >= 1,
        Quantity::Every => n == total,
        Quantity::None => n == 0,
        Quantity::Count(op, k) => op.holds(n, k),
    };
    let outcomes: Vec<bool> = (certain..=possible).map(holds_for).collect();
    if outcomes.iter().all(|&b| b) {
        Truth::True
    } else if outcomes.iter().all(|&b| !b) {
        Truth::False
    } else {
        Truth::Unknown
    }
}

impl MemberCondition {
    /// Evaluates for one member; `questions` are the case's question states (indexed like
    /// the catalogue's questions), which a condition over a member's own answer reads.
    pub fn eval(&self, member: &MemberFacts, questions: &[QuestionState]) -> Truth {
        match self {
            MemberCondition::All(parts) => {
                Truth::all(parts.iter().map(|p| p.eval(member, questions)))
            }
            MemberCondition::Any(parts) => {
                Truth::any(parts.iter().map(|p| p.eval(member, questions)))
            }
            MemberCondition::Not(inner) => inner.eval(member, questions).negate(),
            MemberCondition::Fact(fact) => match fact {
                MemberFact::Age(kind, op, n) => member
                    .age(*kind)
                    .map_or(Truth::Unknown, |age| Truth::from_bool(op.holds(age, *n))),
                MemberFact::Sex(sex) => member
                    .sex
                    .map_or(Truth::Unknown, |s| Truth::from_bool(s == *sex)),
                MemberFact::Foreign(foreign) => member
                    .foreign
                    .map_or(Truth::Unknown, |f| Truth::from_bool(f == *foreign)),
                MemberFact::RelationIn(relations) => {
                    Truth::from_bool(relations.contains(&member.relation))
                }
                MemberFact::Subject(subject) => Truth::from_bool(member.subject == *subject),
                MemberFact::Named { question, named } => {
                    let state = questions.get(*question).unwrap_or(&QuestionState::Waiting);
                    answer_truth(state, |answer| match answer {
                        Answer::Members(list) => list.contains(&member.index) == *named,
                        // "Nobody" (a legacy `no`) names no one.
                        Answer::No => !named,
                        _ => false,
                    })
                }
            },
        }
    }
}

impl Condition {
    /// Evaluates without building a trace: the engine's fast path.
    pub fn eval(&self, facts: &Facts) -> Truth {
        match self {
            Condition::All(parts) => Truth::all(parts.iter().map(|p| p.eval(facts))),
            Condition::Any(parts) => Truth::any(parts.iter().map(|p| p.eval(facts))),
            Condition::Not(inner) => inner.eval(facts).negate(),
            Condition::EventIn(kinds) => Truth::from_bool(kinds.contains(&facts.event)),
            Condition::IdentifiedBy(documents) => Truth::from_bool(
                facts
                    .identified_by
                    .is_some_and(|document| documents.contains(&document)),
            ),
            Condition::Answer {
                question,
                op,
                value,
            } => answer_truth(&facts.questions[*question], |a| compare(a, *op, value)),
            Condition::AnswerIn { question, values } => {
                answer_truth(&facts.questions[*question], |a| {
                    values.iter().any(|v| compare(a, Op::Eq, v))
                })
            }
            Condition::Members { filter, quantity } => {
                let (certain, possible) = match_counts(filter, facts);
                quantity_truth(*quantity, facts.members.len() as u32, certain, possible)
            }
        }
    }

    /// The legal ages of the members matched by the first true member condition (depth
    /// first), for the `{ages}` of a reason; `None` when this condition is not true.
    pub fn true_member_ages(&self, facts: &Facts<'_>) -> Option<Vec<u32>> {
        if self.eval(facts) != Truth::True {
            return None;
        }
        match self {
            Condition::Members { filter, .. } => {
                // 「70〜74歳の方（…）」 over `birthday_age` cites the birthday age: on the eve
                // of the 75th birthday that is 74, where the legal age is already 75.
                let kind = if filter.counts_from_birthday() {
                    AgeKind::Birthday
                } else {
                    AgeKind::Legal
                };
                Some(
                    facts
                        .members
                        .iter()
                        .filter(|m| filter.eval(m, &facts.questions) == Truth::True)
                        .filter_map(|m| m.age(kind))
                        .collect(),
                )
            }
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().find_map(|p| p.true_member_ages(facts))
            }
            _ => None,
        }
    }

    /// The questions of the unknown comparisons inside an unknown condition: what it waits on.
    pub fn unknown_questions(&self, facts: &Facts<'_>, into: &mut Vec<usize>) {
        if self.eval(facts) != Truth::Unknown {
            return;
        }
        match self {
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().for_each(|p| p.unknown_questions(facts, into))
            }
            Condition::Not(inner) => inner.unknown_questions(facts, into),
            Condition::Answer { question, .. } | Condition::AnswerIn { question, .. } => {
                if !into.contains(question) {
                    into.push(*question);
                }
            }
            Condition::Members { filter, .. } => filter.for_each_question(&mut |q| {
                let unknown = matches!(
                    facts.questions[q],
                    QuestionState::DontKnow | QuestionState::Unanswered | QuestionState::Waiting
                );
                if unknown && !into.contains(&q) {
                    into.push(q);
                }
            }),
            Condition::EventIn(_) | Condition::IdentifiedBy(_) => {}
        }
    }

    /// The household indices of the members matched by the first true member condition (depth
    /// first): whom a procedure is for. Empty when the condition is not true or names no
    /// member condition.
    pub fn true_members(&self, facts: &Facts<'_>) -> Vec<usize> {
        if self.eval(facts) != Truth::True {
            return Vec::new();
        }
        match self {
            Condition::Members {
                filter,
                quantity: Quantity::Some | Quantity::Count(..),
            } => facts
                .members
                .iter()
                .filter(|m| filter.eval(m, &facts.questions) == Truth::True)
                .map(|m| m.index)
                .collect(),
            Condition::All(parts) | Condition::Any(parts) => parts
                .iter()
                .map(|p| p.true_members(facts))
                .find(|found| !found.is_empty())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Evaluates and explains: every node says in Japanese and English what it checked.
    pub fn trace(&self, facts: &Facts, labels: &dyn Labels) -> Trace {
        let children: Vec<Trace> = match self {
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().map(|p| p.trace(facts, labels)).collect()
            }
            Condition::Not(inner) => vec![inner.trace(facts, labels)],
            _ => Vec::new(),
        };
        let matching_ages = match self {
            Condition::Members { filter, .. } => facts
                .members
                .iter()
                .filter(|m| filter.eval(m, &facts.questions) == Truth::True)
                .filter_map(|m| m.legal_age)
                .collect(),
            _ => Vec::new(),
        };
        let (mut ja, mut en) = phrase::condition(self, labels, &matching_ages);
        if let Some(q) = self.leaf_question() {
            let (state_ja, state_en) = phrase::state(&facts.questions[q], q, labels);
            ja.push_str(&state_ja);
            en.push_str(&state_en);
        }
        Trace {
            truth: self.eval(facts),
            ja,
            en,
            matching_ages,
            children,
        }
    }

    fn leaf_question(&self) -> Option<usize> {
        match self {
            Condition::Answer { question, .. } | Condition::AnswerIn { question, .. } => {
                Some(*question)
            }
            _ => None,
        }
    }
}

/// One evaluated node of a condition, in plain words.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    pub truth: Truth,
    pub ja: String,
    pub en: String,
    /// For conditions over members: the legal ages of the members who match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matching_ages: Vec<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Trace>,
}

impl Trace {
    /// Writes the trace as an indented tree, one line per node, in both languages.
    pub fn render(&self, depth: usize, out: &mut String) {
        let indent = "  ".repeat(depth);
        out.push_str(&format!(
            "{indent}{} {}  /  {}\n",
            self.truth.mark(),
            self.ja,
            self.en
        ));
        self.children.iter().for_each(|c| c.render(depth + 1, out));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_card_read_is_known_for_every_case() {
        let facts = |identified_by| Facts {
            event: EventKind::TENNYU,
            identified_by,
            members: &[],
            questions: Vec::new(),
        };
        let licence = Condition::IdentifiedBy(vec![IdentityDocument::DrivingLicence]);
        assert_eq!(
            licence.eval(&facts(Some(IdentityDocument::DrivingLicence))),
            Truth::True
        );
        assert_eq!(
            licence.eval(&facts(Some(IdentityDocument::MyNumberCard))),
            Truth::False
        );
        // Typed, or read from a QR code: no card, and never "unknown".
        assert_eq!(licence.eval(&facts(None)), Truth::False);
    }

    #[test]
    fn kleene_logic() {
        use Truth::*;
        assert_eq!(Truth::all([True, Unknown]), Unknown);
        assert_eq!(Truth::all([False, Unknown]), False);
        assert_eq!(Truth::any([True, Unknown]), True);
        assert_eq!(Truth::any([False, Unknown]), Unknown);
        assert_eq!(Truth::any([False, False]), False);
        assert_eq!(Unknown.negate(), Unknown);
    }

    #[test]
    fn counts_with_unknown_members_are_unknown_only_when_they_could_matter() {
        use Quantity::*;
        // 1 certain match, 1 possible (unknown), 3 members.
        assert_eq!(quantity_truth(Some, 3, 1, 2), Truth::True);
        assert_eq!(quantity_truth(None, 3, 1, 2), Truth::False);
        assert_eq!(quantity_truth(Count(Op::Ge, 2), 3, 1, 2), Truth::Unknown);
        assert_eq!(quantity_truth(Count(Op::Ge, 3), 3, 1, 2), Truth::False);
        assert_eq!(quantity_truth(Every, 2, 2, 2), Truth::True);
    }
}
