//! What a box on a form can hold, in the words a supervisor searches for: the form editor's
//! list of case values (「新しい住所」, 「届出人の氏名」, 「世帯員の生年月日」 …), each with its
//! template path (`docs/forms.md`, "Values") and, for a sample case, what it would print.

use madoguchi_domain::Case;

use crate::check::{AnswerShape, Vocabulary};
use crate::data::{Context, Office};

/// One value a box can hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueChoice {
    /// The template path (`new_address`, `member.name`).
    pub path: String,
    /// What a supervisor calls it.
    pub name: String,
    /// For a check box only: ticked when it holds.
    pub yes_no: bool,
    /// A date: placed in 和暦 era boxes.
    pub date: bool,
}

/// Members a form speaks of, and what it says of each.
const PEOPLE: [(&str, &str); 4] = [
    ("applicant", "申請者"),
    ("head", "世帯主"),
    ("spouse", "配偶者"),
    ("subject", "対象の方"),
];

const PERSON: [(&str, &str); 12] = [
    ("name", "氏名"),
    ("kana", "ふりがな"),
    ("birth_date", "生年月日"),
    ("sex", "性別"),
    ("relation", "続柄"),
    ("age", "年齢"),
    ("nationality", "国籍"),
    ("address", "住所"),
    ("address.postal", "郵便番号"),
    ("residence_card", "在留カード番号"),
    ("residence_status", "在留資格"),
    ("residence_until", "在留期間の満了日"),
];

/// The 届出人, who may be a 代理人 from outside the household.
const FILER: [(&str, &str); 7] = [
    ("filer.name", "届出人の氏名"),
    ("filer.kana", "届出人のふりがな"),
    ("filer.address", "届出人の住所"),
    ("filer.address.postal", "届出人の郵便番号"),
    ("filer.phone", "届出人の電話番号"),
    ("filer.relation", "届出人と対象の方との関係"),
    ("filer.role", "届出人の立場（本人・世帯員・代理人）"),
];

const CASE: [(&str, &str); 16] = [
    ("visit_date", "届出日"),
    ("move_date", "異動日（出来事の日）"),
    ("moved_out_date", "転出日"),
    ("new_address", "新しい住所（方書まで）"),
    ("new_address.main", "新しい住所（方書を除く）"),
    ("new_address.building", "新しい住所の方書"),
    ("new_address.postal", "新しい住所の郵便番号"),
    ("previous_address", "前の住所（方書まで）"),
    ("previous_address.main", "前の住所（方書を除く）"),
    ("previous_address.building", "前の住所の方書"),
    ("previous_address.postal", "前の住所の郵便番号"),
    ("next_address", "転出先の住所"),
    ("phone", "電話番号"),
    ("previous_head", "前の世帯主"),
    ("members.count", "異動する人数"),
    ("office.mayor", "宛先（市長名）"),
];

/// Inside household rows: what each row says of its member.
const ROW: [(&str, &str); 9] = [
    ("row.number", "行の番号"),
    ("member.name", "世帯員の氏名"),
    ("member.kana", "世帯員のふりがな"),
    ("member.birth_date", "世帯員の生年月日"),
    ("member.sex", "世帯員の性別"),
    ("member.relation", "世帯員の続柄"),
    ("member.age", "世帯員の年齢"),
    ("member.grade", "世帯員の学年"),
    ("member.nationality", "世帯員の国籍"),
];

fn is_date(path: &str) -> bool {
    path.ends_with("date") || path.ends_with("_until")
}

/// Every value a box can hold, for the catalogue `vocabulary`: the case's facts, the people's,
/// the interview's answers (by their question labels) and whether each procedure applies; inside
/// household rows, the row's member first.
pub fn value_choices(vocabulary: &Vocabulary, in_rows: bool) -> Vec<ValueChoice> {
    let plain = |path: String, name: String| ValueChoice {
        date: is_date(&path),
        path,
        name,
        yes_no: false,
    };
    let mut choices = Vec::new();
    if in_rows {
        choices.extend(ROW.iter().map(|(p, n)| plain((*p).into(), (*n).into())));
    }
    choices.extend(CASE.iter().map(|(p, n)| plain((*p).into(), (*n).into())));
    choices.extend(FILER.iter().map(|(p, n)| plain((*p).into(), (*n).into())));
    for (who, who_name) in PEOPLE {
        for (what, what_name) in PERSON {
            choices.push(plain(
                format!("{who}.{what}"),
                format!("{who_name}の{what_name}"),
            ));
        }
    }
    for (id, shape) in &vocabulary.questions {
        let label = vocabulary
            .question_labels
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.clone());
        match shape {
            AnswerShape::YesNo => choices.push(ValueChoice {
                path: format!("answer.{id}"),
                name: format!("質問の答え：{label}"),
                yes_no: true,
                date: false,
            }),
            AnswerShape::Members if in_rows => choices.push(ValueChoice {
                path: format!("member.named.{id}"),
                name: format!("この世帯員が該当：{label}"),
                yes_no: true,
                date: false,
            }),
            AnswerShape::Date => choices.push(ValueChoice {
                path: format!("answer.{id}"),
                name: format!("質問の答え：{label}"),
                yes_no: false,
                date: true,
            }),
            AnswerShape::Choice(_) | AnswerShape::Number | AnswerShape::Members => {
                choices.push(plain(
                    format!("answer.{id}"),
                    format!("質問の答え：{label}"),
                ));
            }
        }
    }
    for (id, name) in &vocabulary.procedure_names {
        choices.push(ValueChoice {
            path: format!("procedure.{id}"),
            name: format!("手続きがある：{name}"),
            yes_no: true,
            date: false,
        });
    }
    for date in &vocabulary.event_dates {
        choices.push(plain(format!("date.{date}"), format!("日付：{date}")));
    }
    choices
}

/// The choices whose name or path holds every word of `query` (spaces between words; full-width
/// spaces too), in list order.
pub fn search<'c>(choices: &'c [ValueChoice], query: &str) -> Vec<&'c ValueChoice> {
    let words: Vec<String> = query
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    choices
        .iter()
        .filter(|c| {
            let haystack = format!("{} {}", c.name, c.path).to_lowercase();
            words.iter().all(|w| haystack.contains(w.as_str()))
        })
        .collect()
}

/// What `path` prints for `case`, as the form would write it (dates in 和暦, 〒 before a postal
/// code); `row` is the household member a row is for. Empty when the case does not say.
pub fn sample_value(case: &Case, office: &Office, path: &str, row: Option<usize>) -> String {
    let Ok(()) = crate::data::check_path(path, row.is_some()) else {
        return String::new();
    };
    let context = Context {
        case,
        office,
        procedures: &[],
        event_name: "",
        variant: "",
        subject: case.applicant,
        procedure_members: &[],
    };
    // Rows are numbered from 1, as the packet numbers them.
    let member = row.and_then(|i| case.household.members.get(i).map(|m| (i + 1, m)));
    let format = if path.ends_with("postal") {
        crate::data::Format::Postal
    } else {
        crate::data::Format::Text
    };
    format.write(&context.value(path, member))
}
