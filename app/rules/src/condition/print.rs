//! Writes a parsed condition back as text in the condition language, so that a condition built
//! with the editor's widgets is stored in the catalogue file exactly as a person would type it.
//!
//! `parse(print(c)) == c` for every condition: the editor relies on it, and a test checks it
//! over the shipped catalogue.

use madoguchi_domain::{EventKind, IdentityDocument, Relation, Sex};

use super::{AgeKind, Condition, MemberCondition, MemberFact, Op, Quantity, Value};

/// The condition as text; `question_id` names a question by its index.
pub fn print_condition(condition: &Condition, question_id: &dyn Fn(usize) -> String) -> String {
    match condition {
        Condition::All(parts) => group("all", parts, |c| print_condition(c, question_id)),
        Condition::Any(parts) => group("any", parts, |c| print_condition(c, question_id)),
        Condition::Not(inner) => format!("not({})", print_condition(inner, question_id)),
        Condition::EventIn(kinds) => membership("event", kinds, |k: &EventKind| k.id().into()),
        Condition::IdentifiedBy(documents) => {
            membership("identified_by", documents, |d: &IdentityDocument| {
                d.id().into()
            })
        }
        Condition::Answer {
            question,
            op,
            value,
        } => format!(
            "{} {} {}",
            question_id(*question),
            op.symbol(),
            print_value(value)
        ),
        Condition::AnswerIn { question, values } => {
            let listed: Vec<String> = values.iter().map(print_value).collect();
            format!("{} in [{}]", question_id(*question), listed.join(", "))
        }
        Condition::Members { filter, quantity } => {
            let inner = print_member_condition(filter, question_id);
            match quantity {
                Quantity::Some => format!("any_member({inner})"),
                Quantity::Every => format!("all_members({inner})"),
                Quantity::None => format!("no_member({inner})"),
                Quantity::Count(op, n) => format!("count({inner}) {} {n}", op.symbol()),
            }
        }
    }
}

/// A condition over one member as text; `question_id` names a question about members.
pub fn print_member_condition(
    condition: &MemberCondition,
    question_id: &dyn Fn(usize) -> String,
) -> String {
    let print = |c: &MemberCondition| print_member_condition(c, question_id);
    match condition {
        MemberCondition::All(parts) => group("all", parts, print),
        MemberCondition::Any(parts) => group("any", parts, print),
        MemberCondition::Not(inner) => format!("not({})", print(inner)),
        MemberCondition::Fact(fact) => print_member_fact(fact, question_id),
    }
}

fn print_member_fact(fact: &MemberFact, question_id: &dyn Fn(usize) -> String) -> String {
    match fact {
        MemberFact::Age(kind, op, years) => {
            format!("{} {} {years}", age_word(*kind), op.symbol())
        }
        MemberFact::Sex(Sex::Male) => "sex = male".into(),
        MemberFact::Sex(Sex::Female) => "sex = female".into(),
        MemberFact::Foreign(true) => "nationality = foreign".into(),
        MemberFact::Foreign(false) => "nationality = japanese".into(),
        MemberFact::Subject(true) => "subject = yes".into(),
        MemberFact::Subject(false) => "subject = no".into(),
        MemberFact::RelationIn(relations) => {
            membership("relation", relations, |r: &Relation| r.id().into())
        }
        MemberFact::Named { question, named } => format!(
            "{} = {}",
            question_id(*question),
            if *named { "yes" } else { "no" }
        ),
    }
}

/// The word the language uses for an age.
pub fn age_word(kind: AgeKind) -> &'static str {
    match kind {
        AgeKind::Legal => "age",
        AgeKind::School => "school_age",
        AgeKind::Birthday => "birthday_age",
    }
}

pub fn print_value(value: &Value) -> String {
    match value {
        Value::Yes => "yes".into(),
        Value::No => "no".into(),
        Value::Number(n) => n.to_string(),
        Value::Choice(id) => id.clone(),
        Value::Date(day) => day.format("%Y-%m-%d").to_string(),
    }
}

fn group<T>(head: &str, parts: &[T], print: impl Fn(&T) -> String) -> String {
    let printed: Vec<String> = parts.iter().map(print).collect();
    format!("{head}({})", printed.join(", "))
}

/// `fact = x` for one value, `fact in [x, y]` for several.
fn membership<T>(fact: &str, values: &[T], id: impl Fn(&T) -> String) -> String {
    match values {
        [one] => format!("{fact} = {}", id(one)),
        _ => {
            let listed: Vec<String> = values.iter().map(id).collect();
            format!("{fact} in [{}]", listed.join(", "))
        }
    }
}

impl Op {
    /// Every operator, in the order the editor offers them.
    pub const ALL: [Op; 6] = [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge];
}
