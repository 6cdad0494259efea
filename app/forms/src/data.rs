//! What a template's `value = "…"` paths mean: the case data a field is bound to.
//!
//! The list of paths is in `docs/forms.md`. Paths are checked when templates load, so a typo
//! is an error with its file and line, never an empty box on paper.

use chrono::{Datelike, NaiveDate};
use madoguchi_domain::wareki::WarekiDate;
use madoguchi_domain::{
    Address, Answer, Case, CertificateKind, LifeEvent, Member, Nationality, Sex,
};

/// A bound value before formatting.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Empty,
    Text(String),
    Date(NaiveDate),
    Bool(bool),
    Number(i64),
}

/// The office printing the forms: who they are addressed to.
#[derive(Clone, Debug)]
pub struct Office {
    /// The municipality, e.g. 「標準市」.
    pub city: String,
    /// The addressee line, e.g. 「標準市長」.
    pub mayor: String,
}

impl Default for Office {
    fn default() -> Office {
        Office {
            city: "標準市".into(),
            mayor: "標準市長".into(),
        }
    }
}

/// Everything a form can be filled from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Context<'a> {
    pub(crate) case: &'a Case,
    pub(crate) office: &'a Office,
    /// Ids of the procedures that apply (the routing boxes of 住民異動届 tick from these).
    pub(crate) procedures: &'a [String],
    /// The catalogue form id that asked for this form (国保 取得 / 喪失 / 変更 share a form).
    pub(crate) variant: &'a str,
}

const MEMBER_PROPS: [&str; 10] = [
    "name",
    "kana",
    "birth_date",
    "sex",
    "relation",
    "nationality",
    "country",
    "address",
    "address.postal",
    "age",
];

/// Checks that `path` names something; `in_rows` allows `member.*` and `row.*`.
pub(crate) fn check_path(path: &str, in_rows: bool) -> Result<(), String> {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let ok = match head {
        "visit_date" | "move_date" | "moved_out_date" => rest.is_empty(),
        "event" => rest.is_empty() || rest == "ja",
        "new_address" | "previous_address" | "next_address" => rest.is_empty() || rest == "postal",
        "applicant" | "head" | "spouse" => MEMBER_PROPS.contains(&rest),
        "member" => in_rows && MEMBER_PROPS.contains(&rest),
        "row" => in_rows && rest == "number",
        "answer" | "procedure" => !rest.is_empty(),
        "certificate" => certificate_kind(rest).is_some(),
        "office" => matches!(rest, "city" | "mayor"),
        "form" => rest == "variant",
        "members" => rest == "count",
        _ => false,
    };
    if ok {
        Ok(())
    } else if head == "member" || head == "row" {
        Err(format!(
            "`{path}` is only known inside [rows] (and must be one of member.{})",
            MEMBER_PROPS.join(", member.")
        ))
    } else {
        Err(format!("`{path}` is not a known value (see docs/forms.md)"))
    }
}

fn certificate_kind(id: &str) -> Option<CertificateKind> {
    match id {
        "juminhyo" => Some(CertificateKind::Juminhyo),
        "kisai_jiko" => Some(CertificateKind::JuminhyoKisaiJiko),
        "inkan" => Some(CertificateKind::InkanTourokuShomei),
        _ => None,
    }
}

impl Context<'_> {
    /// The value at `path`; `row` is the member of the current row and its 1-based number.
    pub(crate) fn value(&self, path: &str, row: Option<(usize, &Member)>) -> Value {
        let (head, rest) = path.split_once('.').unwrap_or((path, ""));
        let event = &self.case.event;
        match head {
            "visit_date" => Value::Date(event.visit_date()),
            "move_date" => Value::Date(event.move_date()),
            "moved_out_date" => match event {
                LifeEvent::Tennyu {
                    moved_out_date: Some(date),
                    ..
                } => Value::Date(*date),
                _ => Value::Empty,
            },
            "event" if rest == "ja" => Value::Text(event.kind().ja().to_string()),
            "event" => Value::Text(event.kind().id().to_string()),
            "new_address" => address_value(new_address(event), rest),
            "previous_address" => address_value(previous_address(event), rest),
            "next_address" => address_value(next_address(event), rest),
            "applicant" => self
                .case
                .applicant()
                .map_or(Value::Empty, |m| self.member_value(m, rest)),
            "head" => self
                .case
                .household
                .members
                .iter()
                .find(|m| m.category() == madoguchi_domain::Relation::Head)
                .map_or(Value::Empty, |m| self.member_value(m, rest)),
            "spouse" => self
                .spouse()
                .map_or(Value::Empty, |m| self.member_value(m, rest)),
            "member" => row.map_or(Value::Empty, |(_, m)| self.member_value(m, rest)),
            "row" => row.map_or(Value::Empty, |(n, _)| Value::Number(n as i64)),
            "answer" => answer_value(self.case.answers.get(rest)),
            "procedure" => Value::Bool(self.procedures.iter().any(|p| p == rest)),
            "certificate" => certificate_kind(rest)
                .and_then(|kind| self.case.certificates.iter().find(|c| c.kind == kind))
                .map_or(Value::Empty, |c| Value::Number(i64::from(c.copies))),
            "office" if rest == "city" => Value::Text(self.office.city.clone()),
            "office" => Value::Text(self.office.mayor.clone()),
            "form" => Value::Text(self.variant.to_string()),
            "members" => Value::Number(self.case.household.members.len() as i64),
            _ => Value::Empty,
        }
    }

    /// The applicant's spouse: the 配偶者 when the applicant heads the household, the head
    /// when the applicant is the 配偶者.
    fn spouse(&self) -> Option<&Member> {
        use madoguchi_domain::Relation;
        let applicant = self.case.applicant()?;
        let wanted = match applicant.category() {
            Relation::Head => Relation::Spouse,
            Relation::Spouse => Relation::Head,
            _ => return None,
        };
        self.case
            .household
            .members
            .iter()
            .find(|m| m.category() == wanted)
    }

    fn member_value(&self, member: &Member, prop: &str) -> Value {
        let person = &member.person;
        match prop {
            "name" => text(&person.name),
            "kana" => person.kana.as_deref().map_or(Value::Empty, text),
            "birth_date" => person.birth_date.map_or(Value::Empty, Value::Date),
            "sex" => match person.sex {
                Some(Sex::Male) => Value::Text("male".into()),
                Some(Sex::Female) => Value::Text("female".into()),
                None => Value::Empty,
            },
            "relation" => Value::Text(member.relation.word().into()),
            "nationality" => match &person.nationality {
                Some(Nationality::Japanese) => Value::Text("japanese".into()),
                Some(Nationality::Foreign { .. }) => Value::Text("foreign".into()),
                None => Value::Empty,
            },
            "country" => match &person.nationality {
                Some(Nationality::Foreign {
                    country: Some(country),
                }) => text(country),
                _ => Value::Empty,
            },
            "address" => address_value(person.address.as_ref(), ""),
            "address.postal" => address_value(person.address.as_ref(), "postal"),
            "age" => person
                .legal_age_on(self.case.event.visit_date())
                .map_or(Value::Empty, |age| Value::Number(i64::from(age))),
            _ => Value::Empty,
        }
    }
}

fn text(s: &str) -> Value {
    if s.trim().is_empty() {
        Value::Empty
    } else {
        Value::Text(s.to_string())
    }
}

fn answer_value(answer: Option<&Answer>) -> Value {
    match answer {
        Some(Answer::Yes) => Value::Bool(true),
        Some(Answer::No) => Value::Bool(false),
        Some(Answer::Unknown) | None => Value::Empty,
        Some(Answer::Number(n)) => Value::Number(*n),
        Some(Answer::Choice(c)) => Value::Text(c.clone()),
        Some(Answer::Date(d)) => Value::Date(*d),
    }
}

/// The 新しい住所 a form prints: the address in this city for 転入 and 転居, and for 転出 the
/// address the household moves to (the 住民異動届 has one 新住所 box for all three).
fn new_address(event: &LifeEvent) -> Option<&Address> {
    match event {
        LifeEvent::Tennyu { new_address, .. } | LifeEvent::Tenkyo { new_address, .. } => {
            new_address.as_ref()
        }
        LifeEvent::Tenshutsu { next_address, .. } => next_address.as_ref(),
    }
}

fn previous_address(event: &LifeEvent) -> Option<&Address> {
    match event {
        LifeEvent::Tennyu {
            previous_address, ..
        }
        | LifeEvent::Tenkyo {
            previous_address, ..
        } => previous_address.as_ref(),
        LifeEvent::Tenshutsu { .. } => None,
    }
}

fn next_address(event: &LifeEvent) -> Option<&Address> {
    match event {
        LifeEvent::Tenshutsu { next_address, .. } => next_address.as_ref(),
        _ => None,
    }
}

fn address_value(address: Option<&Address>, part: &str) -> Value {
    match (address, part) {
        (Some(a), "postal") => a.postal_code.as_deref().map_or(Value::Empty, text),
        (Some(a), _) => text(&a.text),
        (None, _) => Value::Empty,
    }
}

/// How a value is written in a field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Format {
    /// Text as is; dates in 和暦; yes/no as はい/いいえ.
    #[default]
    Text,
    /// 令和8年11月22日
    Wareki,
    /// 2026年11月22日
    Seireki,
    /// 〒123-4567
    Postal,
    /// 男 / 女
    Sex,
    /// The 続柄 as the 住民票 writes it (世帯主, 妻, 妻の母 …): the value is already that word,
    /// so the format only says what the box holds.
    Relation,
    /// 2通
    Copies,
    /// 42歳
    Age,
}

impl Format {
    pub(crate) fn write(self, value: &Value) -> String {
        match (self, value) {
            (_, Value::Empty) => String::new(),
            (Format::Seireki, Value::Date(d)) => {
                format!("{}年{}月{}日", d.year(), d.month(), d.day())
            }
            (_, Value::Date(d)) => WarekiDate::from_date(*d)
                .map(|w| w.to_string())
                .unwrap_or_else(|_| d.to_string()),
            (Format::Postal, Value::Text(t)) => postal(t),
            (Format::Sex, Value::Text(t)) => match t.as_str() {
                "male" => "男".into(),
                "female" => "女".into(),
                other => other.into(),
            },
            (Format::Copies, Value::Number(n)) => format!("{n}通"),
            (Format::Age, Value::Number(n)) => format!("{n}歳"),
            (_, Value::Text(t)) => t.clone(),
            (_, Value::Number(n)) => n.to_string(),
            (_, Value::Bool(true)) => "はい".into(),
            (_, Value::Bool(false)) => "いいえ".into(),
        }
    }
}

fn postal(code: &str) -> String {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 7 {
        format!("〒{}-{}", &digits[..3], &digits[3..])
    } else {
        code.to_string()
    }
}

/// Whether a check box bound to `value` is ticked: equal to `equals` when given, else truthy.
pub(crate) fn ticked(value: &Value, equals: Option<&toml::Value>) -> bool {
    match equals {
        None => match value {
            Value::Empty | Value::Bool(false) => false,
            Value::Number(n) => *n != 0,
            _ => true,
        },
        Some(expected) => match (value, expected) {
            (Value::Text(t), toml::Value::String(e)) => t == e,
            (Value::Bool(b), toml::Value::Boolean(e)) => b == e,
            (Value::Number(n), toml::Value::Integer(e)) => n == e,
            (Value::Empty, _) => false,
            (Value::Date(d), toml::Value::String(e)) => d.to_string() == *e,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_checked_where_they_are_used() {
        assert!(check_path("applicant.name", false).is_ok());
        assert!(check_path("member.birth_date", true).is_ok());
        assert!(check_path("member.birth_date", false).is_err());
        assert!(check_path("applicant.nmae", false).is_err());
        assert!(check_path("certificate.inkan", false).is_ok());
        assert!(check_path("certificate.koseki", false).is_err());
    }

    #[test]
    fn formats_write_as_forms_do() {
        let date = Value::Date(NaiveDate::from_ymd_opt(2019, 5, 1).expect("date"));
        assert_eq!(Format::Text.write(&date), "令和元年5月1日");
        assert_eq!(Format::Seireki.write(&date), "2019年5月1日");
        assert_eq!(
            Format::Postal.write(&Value::Text("1000001".into())),
            "〒100-0001"
        );
        assert_eq!(Format::Copies.write(&Value::Number(2)), "2通");
        assert_eq!(
            Format::Relation.write(&Value::Text("妻の母".into())),
            "妻の母"
        );
    }
}
