//! Conditions in plain Japanese and English, for traces and reasons.

use super::eval::QuestionState;
use super::{AgeKind, Condition, MemberCondition, MemberFact, Op, Quantity, Value};
use madoguchi_domain::{Answer, EventKind, Sex};

/// Names of questions and options in both languages, as the catalogue gives them.
pub trait Labels {
    /// The question's short statement, e.g. 「犬を飼っている」 / "keeps a dog".
    fn question(&self, question: usize) -> (String, String);
    /// An option's label, e.g. 「国民健康保険」 / "National Health Insurance".
    fn option(&self, question: usize, option: &str) -> (String, String);
    /// An event's name, e.g. 「転入」 / "moving in".
    fn event(&self, kind: EventKind) -> (String, String) {
        (kind.id().to_string(), kind.id().to_string())
    }
}

/// Ages as a reason cites them: 「2歳、7歳」 / "2, 7".
pub fn ages(ages: &[u32]) -> (String, String) {
    let ja: Vec<String> = ages.iter().map(|a| format!("{a}歳")).collect();
    let en: Vec<String> = ages.iter().map(|a| a.to_string()).collect();
    (ja.join("、"), en.join(", "))
}

fn join(parts: Vec<(String, String)>, ja_sep: &str, en_sep: &str) -> (String, String) {
    let (ja, en): (Vec<String>, Vec<String>) = parts.into_iter().unzip();
    (ja.join(ja_sep), en.join(en_sep))
}

fn value(labels: &dyn Labels, question: usize, value: &Value) -> (String, String) {
    match value {
        Value::Yes => ("はい".into(), "yes".into()),
        Value::No => ("いいえ".into(), "no".into()),
        Value::Number(n) => (n.to_string(), n.to_string()),
        Value::Date(d) => (d.format("%Y年%-m月%-d日").to_string(), d.to_string()),
        Value::Choice(id) => labels.option(question, id),
    }
}

/// 「…が3以上」 / "… is at least 3".
fn comparison(subject: (String, String), op: Op, object: (String, String)) -> (String, String) {
    let (s_ja, s_en) = subject;
    let (o_ja, o_en) = object;
    let (ja, en) = match op {
        Op::Eq => (format!("{s_ja}：{o_ja}"), format!("{s_en}: {o_en}")),
        Op::Ne => (format!("{s_ja}：{o_ja}以外"), format!("{s_en}: not {o_en}")),
        Op::Lt => (
            format!("{s_ja}が{o_ja}未満"),
            format!("{s_en} is under {o_en}"),
        ),
        Op::Le => (
            format!("{s_ja}が{o_ja}以下"),
            format!("{s_en} is at most {o_en}"),
        ),
        Op::Gt => (
            format!("{s_ja}が{o_ja}を超える"),
            format!("{s_en} is over {o_en}"),
        ),
        Op::Ge => (
            format!("{s_ja}が{o_ja}以上"),
            format!("{s_en} is at least {o_en}"),
        ),
    };
    (ja, en)
}

pub fn condition(
    condition: &Condition,
    labels: &dyn Labels,
    matching_ages: &[u32],
) -> (String, String) {
    match condition {
        Condition::All(_) => ("次のすべてに当てはまる".into(), "all of these hold".into()),
        Condition::Any(_) => (
            "次のいずれかに当てはまる".into(),
            "any of these holds".into(),
        ),
        Condition::Not(_) => ("次に当てはまらない".into(), "this does not hold".into()),
        Condition::IdentifiedBy(documents) => {
            let (ja, en) = join(
                documents
                    .iter()
                    .map(|d| (d.ja().to_string(), d.en().to_string()))
                    .collect(),
                "・",
                " or ",
            );
            (format!("本人確認書類が{ja}"), format!("identified by {en}"))
        }
        Condition::EventIn(kinds) => {
            let (ja, en) = join(
                kinds.iter().map(|&k| labels.event(k)).collect(),
                "・",
                " or ",
            );
            (format!("届出が{ja}"), format!("the event is {en}"))
        }
        Condition::Answer {
            question,
            op,
            value: v,
        } => {
            let label = labels.question(*question);
            match v {
                Value::Yes if *op == Op::Eq => label,
                Value::No if *op == Op::Ne => label,
                _ => comparison(label, *op, value(labels, *question, v)),
            }
        }
        Condition::AnswerIn { question, values } => {
            let options = join(
                values.iter().map(|v| value(labels, *question, v)).collect(),
                "・",
                " or ",
            );
            comparison(labels.question(*question), Op::Eq, options)
        }
        Condition::Members { filter, quantity } => {
            members(filter, *quantity, matching_ages, labels)
        }
    }
}

fn members(
    filter: &MemberCondition,
    quantity: Quantity,
    matching_ages: &[u32],
    labels: &dyn Labels,
) -> (String, String) {
    let (who_ja, who_en) = member(filter, labels);
    let (ja, en) = match quantity {
        Quantity::Some => (
            format!("{who_ja}の人がいる"),
            format!("someone is {who_en}"),
        ),
        Quantity::Every => (format!("全員が{who_ja}"), format!("everyone is {who_en}")),
        Quantity::None => (
            format!("{who_ja}の人はいない"),
            format!("nobody is {who_en}"),
        ),
        Quantity::Count(op, n) => comparison(
            (
                format!("{who_ja}の人の数"),
                format!("the number of people {who_en}"),
            ),
            op,
            (format!("{n}人"), n.to_string()),
        ),
    };
    if matching_ages.is_empty() {
        (ja, en)
    } else {
        let (ages_ja, ages_en) = ages(matching_ages);
        (
            format!("{ja}（{ages_ja}）"),
            format!("{en} (aged {ages_en})"),
        )
    }
}

fn age_phrase(kind: AgeKind, op: Op, n: u32) -> (String, String) {
    let (prefix_ja, suffix_en) = match kind {
        AgeKind::Legal => ("", ""),
        AgeKind::School => ("学齢", " by school year"),
        AgeKind::Birthday => ("誕生日基準で", " counted from the birthday"),
    };
    let (ja, en) = match op {
        Op::Lt => (format!("{n}歳未満"), format!("under {n}")),
        Op::Le => (format!("{n}歳以下"), format!("{n} or under")),
        Op::Gt => (format!("{}歳以上", n + 1), format!("{} or over", n + 1)),
        Op::Ge => (format!("{n}歳以上"), format!("{n} or over")),
        Op::Eq => (format!("{n}歳"), format!("aged {n}")),
        Op::Ne => (format!("{n}歳以外"), format!("not aged {n}")),
    };
    (format!("{prefix_ja}{ja}"), format!("{en}{suffix_en}"))
}

/// A member condition as an adjective phrase: 「18歳未満・女性」 / "under 18 and female".
pub fn member(condition: &MemberCondition, labels: &dyn Labels) -> (String, String) {
    let each = |parts: &[MemberCondition]| parts.iter().map(|p| member(p, labels)).collect();
    match condition {
        MemberCondition::All(parts) => join(each(parts), "・", " and "),
        MemberCondition::Any(parts) => {
            let (ja, en) = join(each(parts), "または", " or ");
            (format!("（{ja}）"), format!("({en})"))
        }
        MemberCondition::Not(inner) => {
            let (ja, en) = member(inner, labels);
            (format!("「{ja}」ではない"), format!("not {en}"))
        }
        MemberCondition::Fact(fact) => match fact {
            MemberFact::Age(kind, op, n) => age_phrase(*kind, *op, *n),
            MemberFact::Sex(Sex::Female) => ("女性".into(), "female".into()),
            MemberFact::Sex(Sex::Male) => ("男性".into(), "male".into()),
            MemberFact::Foreign(true) => ("外国籍".into(), "of foreign nationality".into()),
            MemberFact::Foreign(false) => ("日本国籍".into(), "Japanese".into()),
            MemberFact::Subject(true) => {
                ("届出の対象の方".into(), "the one the event is about".into())
            }
            MemberFact::Subject(false) => (
                "届出の対象の方以外".into(),
                "not the one the event is about".into(),
            ),
            MemberFact::RelationIn(relations) => {
                let (ja, en) = join(
                    relations
                        .iter()
                        .map(|r| (r.ja().to_string(), r.en().to_string()))
                        .collect(),
                    "・",
                    " or ",
                );
                (format!("続柄が{ja}"), format!("the {en}"))
            }
            MemberFact::Named { question, named } => {
                let (ja, en) = labels.question(*question);
                if *named {
                    (format!("{ja}と答えた"), format!("named as one who {en}"))
                } else {
                    (
                        format!("{ja}と答えていない"),
                        format!("not named as one who {en}"),
                    )
                }
            }
        },
    }
}

/// Where the answer a leaf reads stands: 「（回答：はい）」, 「（未回答）」, 「（対象外）」…
pub fn state(state: &QuestionState, question: usize, labels: &dyn Labels) -> (String, String) {
    let (ja, en) = match state {
        QuestionState::Answered(answer) => {
            let (ja, en) = match answer {
                Answer::Yes => ("はい".to_string(), "yes".to_string()),
                Answer::No => ("いいえ".to_string(), "no".to_string()),
                Answer::Choice(id) => labels.option(question, id),
                other => (other.to_string(), other.to_string()),
            };
            (format!("回答：{ja}"), format!("answer: {en}"))
        }
        QuestionState::DontKnow => ("わからない".to_string(), "don't know".to_string()),
        QuestionState::Unanswered => ("未回答".to_string(), "not answered".to_string()),
        QuestionState::Waiting => (
            "未回答（前の質問しだい）".to_string(),
            "not answered (depends on earlier answers)".to_string(),
        ),
        QuestionState::NotApplicable => (
            "対象外の質問".to_string(),
            "question does not apply".to_string(),
        ),
    };
    (format!("（{ja}）"), format!(" [{en}]"))
}
