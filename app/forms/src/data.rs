//! What a template's `value = "…"` paths mean: the case data a field is bound to.
//!
//! The list of paths is in `docs/forms.md`. Paths are checked when templates load, so a typo
//! is an error with its file and line, never an empty box on paper.

use chrono::{Datelike, NaiveDate};
use madoguchi_domain::wareki::WarekiDate;
use madoguchi_domain::{Address, Answer, Case, CertificateKind, Member, Nationality, Sex};

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
    /// The event's Japanese name (`event.ja`).
    pub(crate) event_name: &'a str,
    /// The catalogue form id that asked for this form (国保 取得 / 喪失 / 変更 share a form).
    pub(crate) variant: &'a str,
    /// The member the sheet is about (`subject.*`), whom `filer.relation` relates the 届出人
    /// to: the member a `per_member` sheet is for, else the first member of the template's
    /// rows, else the applicant.
    pub(crate) subject: usize,
    /// The members the procedures asking for this form are for (rows `source = "procedure"`).
    pub(crate) procedure_members: &'a [usize],
}

const MEMBER_PROPS: [&str; 16] = [
    "name",
    "grade",
    "kana",
    "birth_date",
    "sex",
    "relation",
    "nationality",
    "country",
    "address",
    "address.postal",
    "age",
    "alias",
    "residence_card",
    "residence_status",
    "residence_until",
    "residence_category",
];

/// What an address path may add: nothing (the whole address, 方書 included), its postal code,
/// the address without the 方書, or the 方書 alone.
const ADDRESS_PARTS: [&str; 4] = ["", "postal", "main", "building"];

/// What `filer.*` can say of the 届出人, whether a member or a 代理人.
const FILER_PROPS: [&str; 8] = [
    "zokugara",
    "name",
    "kana",
    "address",
    "address.postal",
    "phone",
    "role",
    "relation",
];

/// What `proxy.*` says of a 代理人 (empty when the 届出人 is a member).
const PROXY_PROPS: [&str; 5] = ["name", "kana", "address", "address.postal", "phone"];

/// `member.named.<question>` inside rows: the question id.
fn row_named(rest: &str) -> Option<&str> {
    rest.strip_prefix("named.").filter(|q| !q.is_empty())
}

/// The case value a path prints part of: `new_address.main` is part of `new_address`.
pub(crate) fn fact_of(path: &str) -> &str {
    path.strip_suffix(".main").unwrap_or(path)
}

/// Checks that `path` names something; `in_rows` allows `member.*` and `row.*`.
pub(crate) fn check_path(path: &str, in_rows: bool) -> Result<(), String> {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let ok = match head {
        "member" if row_named(rest).is_some() => in_rows,
        "filer" => FILER_PROPS.contains(&rest),
        "proxy" => PROXY_PROPS.contains(&rest),
        "visit_date" | "move_date" | "moved_out_date" => rest.is_empty(),
        "date" => madoguchi_domain::EventDate::new(rest).is_ok(),
        "event" => rest.is_empty() || rest == "ja",
        "new_address" | "previous_address" | "next_address" => ADDRESS_PARTS.contains(&rest),
        "applicant" | "head" | "spouse" | "subject" => MEMBER_PROPS.contains(&rest),
        "member" => in_rows && MEMBER_PROPS.contains(&rest),
        "row" => in_rows && rest == "number",
        "answer" | "procedure" => !rest.is_empty(),
        "certificate" => certificate_kind(rest).is_some(),
        "office" => matches!(rest, "city" | "mayor"),
        "identified_by" => madoguchi_domain::IdentityDocument::from_id(rest).is_some(),
        "form" => rest == "variant",
        "members" => rest == "count",
        "phone" | "previous_head" => rest.is_empty(),
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
    /// Where the household lives when the event moves nobody (a death, a birth): the 世帯主's
    /// address, else the applicant's. Forms print it where a move prints the new address.
    fn home(&self) -> Option<&madoguchi_domain::Address> {
        let event = &self.case.event;
        if event.previous_address.is_some() || event.next_address.is_some() {
            return None;
        }
        let household = &self.case.household;
        household
            .head_member()
            .and_then(|m| m.person.address.as_ref())
            .or_else(|| {
                self.case
                    .applicant()
                    .and_then(|m| m.person.address.as_ref())
            })
    }

    /// The value at `path`; `row` is the member of the current row and its 1-based number.
    pub(crate) fn value(&self, path: &str, row: Option<(usize, &Member)>) -> Value {
        let (head, rest) = path.split_once('.').unwrap_or((path, ""));
        let event = &self.case.event;
        match head {
            "visit_date" => Value::Date(event.visit_date),
            "move_date" => Value::Date(event.date),
            "moved_out_date" => event.moved_out_date().map_or(Value::Empty, Value::Date),
            "date" => madoguchi_domain::EventDate::new(rest)
                .ok()
                .and_then(|id| event.named_date(id))
                .map_or(Value::Empty, Value::Date),
            "event" if rest == "ja" => Value::Text(self.event_name.to_string()),
            "event" => Value::Text(event.kind.id().to_string()),
            "new_address" => address_value(event.address_after().or(self.home()), rest),
            "previous_address" => address_value(event.previous_address.as_ref(), rest),
            "next_address" => address_value(event.next_address.as_ref(), rest),
            "applicant" => self
                .case
                .applicant()
                .map_or(Value::Empty, |m| self.member_value(m, rest)),
            "head" => match self.case.household.head_member() {
                Some(head) => self.member_value(head, rest),
                // A head who does not move is known by name only.
                None if rest == "name" => self
                    .case
                    .household
                    .joining_head
                    .as_deref()
                    .map_or(Value::Empty, text),
                None => Value::Empty,
            },
            "previous_head" => self
                .case
                .household
                .previous_head_name()
                .map_or(Value::Empty, text),
            "subject" => self
                .case
                .household
                .members
                .get(self.subject)
                .map_or(Value::Empty, |m| self.member_value(m, rest)),
            "spouse" => self
                .spouse()
                .map_or(Value::Empty, |m| self.member_value(m, rest)),
            "member" => match (row, row_named(rest)) {
                (Some((_, member)), Some(question)) => Value::Bool(self.names(question, member)),
                (Some((_, member)), None) => self.member_value(member, rest),
                (None, _) => Value::Empty,
            },
            "filer" => self.filer_value(rest),
            "proxy" if self.case.proxy.is_some() => self.filer_value(rest),
            "proxy" => Value::Empty,
            "row" => row.map_or(Value::Empty, |(n, _)| Value::Number(n as i64)),
            "answer" => answer_value(self.case.answers.get(rest)),
            "procedure" => Value::Bool(self.procedures.iter().any(|p| p == rest)),
            "certificate" => certificate_kind(rest)
                .and_then(|kind| self.case.certificates.iter().find(|c| c.kind == kind))
                .map_or(Value::Empty, |c| Value::Number(i64::from(c.copies))),
            "identified_by" => Value::Bool(self.case.identified_by.map(|d| d.id()) == Some(rest)),
            "office" if rest == "city" => Value::Text(self.office.city.clone()),
            "office" => Value::Text(self.office.mayor.clone()),
            "form" => Value::Text(self.variant.to_string()),
            "members" => Value::Number(self.case.household.members.len() as i64),
            "phone" => self.case.phone.as_deref().map_or(Value::Empty, text),
            _ => Value::Empty,
        }
    }

    /// The members a question about members names (`answers.seal = [0]`), in household order.
    fn named(&self, question: &str) -> Vec<&Member> {
        match self.case.answers.get(question) {
            Some(Answer::Members(list)) => list
                .iter()
                .filter_map(|&i| self.case.household.members.get(i))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn names(&self, question: &str, member: &Member) -> bool {
        self.named(question)
            .into_iter()
            .any(|named| std::ptr::eq(named, member))
    }

    /// The 届出人: the 代理人 when one files, else the applicant member. `role` is 本人,
    /// 世帯員, 代理人 or 親族 towards the form's subject; `relation` is what the 届出人 is to the
    /// subject (本人, 子, 妻 …, a 親族's own word, or 代理人).
    fn filer_value(&self, prop: &str) -> Value {
        let case = self.case;
        let role = case.filer_role(self.subject);
        match (prop, &case.proxy) {
            ("role", _) => Value::Text(role.ja().into()),
            // The 届出人's own 続柄 in the household: a 代理人 has none.
            ("zokugara", Some(_)) => Value::Empty,
            ("zokugara", None) => case
                .applicant()
                .map_or(Value::Empty, |m| self.member_value(m, "relation")),
            // Family from outside the household say what they are (子); a 代理人 is 代理人.
            ("relation", Some(proxy)) => {
                Value::Text(proxy.relation.clone().unwrap_or_else(|| role.ja().into()))
            }
            ("relation", None) => {
                let (Some(filer), Some(subject)) =
                    (case.applicant(), case.household.members.get(self.subject))
                else {
                    return Value::Empty;
                };
                if role == madoguchi_domain::FilerRole::SelfPerson {
                    return Value::Text(role.ja().into());
                }
                filer
                    .relation
                    .relation_to(filer.person.sex, subject.relation)
                    .map_or(Value::Empty, text)
            }
            ("name", Some(proxy)) => text(&proxy.name),
            ("kana", Some(proxy)) => proxy.kana.as_deref().map_or(Value::Empty, text),
            ("address", Some(proxy)) => address_value(proxy.address.as_ref(), ""),
            ("address.postal", Some(proxy)) => address_value(proxy.address.as_ref(), "postal"),
            ("phone", Some(proxy)) => proxy.phone.as_deref().map_or(Value::Empty, text),
            ("phone", None) => case.phone.as_deref().map_or(Value::Empty, text),
            (_, None) => case
                .applicant()
                .map_or(Value::Empty, |m| self.member_value(m, prop)),
            _ => Value::Empty,
        }
    }

    /// The applicant's spouse: the 配偶者 when the applicant heads the household, the head
    /// when the applicant is the 配偶者.
    /// The subject's 配偶者: the spouse when the subject heads the household, the head when the
    /// subject is the spouse (a 児童手当 請求者's spouse, on the claim).
    fn spouse(&self) -> Option<&Member> {
        use madoguchi_domain::Relation;
        let subject = self.case.household.members.get(self.subject)?;
        let wanted = match subject.category() {
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
            "country" => foreign(person, |f| f.country.as_deref().map(str::to_string)),
            "alias" => foreign(person, |f| f.alias.clone()),
            "residence_card" => foreign(person, |f| {
                f.card_number.as_ref().map(|n| n.as_str().to_string())
            }),
            "residence_status" => foreign(person, |f| f.status.map(|s| s.as_str().to_string())),
            "residence_category" => foreign(person, |f| f.category.map(|c| c.ja().to_string())),
            "residence_until" => person
                .nationality
                .as_ref()
                .and_then(Nationality::foreign)
                .and_then(|f| f.period_end)
                .map_or(Value::Empty, Value::Date),
            "address" => address_value(person.address.as_ref(), ""),
            "address.postal" => address_value(person.address.as_ref(), "postal"),
            "age" => person
                .legal_age_on(self.case.event.visit_date())
                .map_or(Value::Empty, |age| Value::Number(i64::from(age))),
            "grade" => person
                .birth_date
                .and_then(|birth| school_grade(birth, self.case.event.date))
                .map_or(Value::Empty, Value::Text),
            _ => Value::Empty,
        }
    }
}

/// The school grade in the school year of `on` (学校教育法 第17条: the first grade in the year
/// whose 学齢 is 6): 「小学校3年」, 「中学校1年」; none before or after compulsory school.
fn school_grade(birth: NaiveDate, on: NaiveDate) -> Option<String> {
    match madoguchi_domain::age::school_age(birth, on) {
        age @ 6..=11 => Some(format!("小学校{}年", age - 5)),
        age @ 12..=14 => Some(format!("中学校{}年", age - 11)),
        _ => None,
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
        Some(Answer::Members(list)) => Value::Bool(!list.is_empty()),
    }
}

fn address_value(address: Option<&Address>, part: &str) -> Value {
    match (address, part) {
        (Some(a), "postal") => a.postal_code.as_deref().map_or(Value::Empty, text),
        (Some(a), "main") => text(&a.text),
        (Some(a), "building") => a.building.as_deref().map_or(Value::Empty, text),
        (Some(a), _) => text(&a.whole()),
        (None, _) => Value::Empty,
    }
}

/// A foreign resident's fact, empty for anyone else.
fn foreign(
    person: &madoguchi_domain::Person,
    fact: impl Fn(&madoguchi_domain::ForeignResident) -> Option<String>,
) -> Value {
    person
        .nationality
        .as_ref()
        .and_then(Nationality::foreign)
        .and_then(fact)
        .map_or(Value::Empty, |t| text(&t))
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

    const EIGHT_FORMS: &str = include_str!("../../../docs/examples/eight-forms.json");

    fn context_for(case: &Case, subject: usize) -> Context<'_> {
        static OFFICE: std::sync::OnceLock<Office> = std::sync::OnceLock::new();
        Context {
            case,
            office: OFFICE.get_or_init(Office::default),
            procedures: &[],
            event_name: "転入",
            variant: "",
            subject,
            procedure_members: &[],
        }
    }

    #[test]
    fn a_childs_grade_follows_the_school_year() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        // Born 2 April 2019: first grade from April 2026; born 1 April 2019: a year ahead.
        assert_eq!(
            school_grade(day(2019, 4, 2), day(2026, 11, 15)).as_deref(),
            Some("小学校1年")
        );
        assert_eq!(
            school_grade(day(2019, 4, 1), day(2026, 11, 15)).as_deref(),
            Some("小学校2年")
        );
        assert_eq!(
            school_grade(day(2013, 6, 1), day(2026, 11, 15)).as_deref(),
            Some("中学校1年")
        );
        assert_eq!(school_grade(day(2020, 6, 1), day(2026, 11, 15)), None);
        assert_eq!(
            school_grade(day(2011, 6, 1), day(2026, 11, 15)).as_deref(),
            Some("中学校3年")
        );
        assert_eq!(school_grade(day(2010, 6, 1), day(2026, 11, 15)), None);
    }

    fn text_of(value: Value) -> String {
        Format::Text.write(&value)
    }

    #[test]
    fn the_filer_is_the_member_at_the_counter_or_the_proxy() {
        let mut case = Case::from_json(EIGHT_FORMS.as_bytes()).expect("the example reads");
        let tome = 3;
        let at_counter = context_for(&case, case.applicant);
        assert_eq!(text_of(at_counter.value("filer.role", None)), "本人");
        assert_eq!(text_of(at_counter.value("filer.zokugara", None)), "世帯主");
        // The 世帯主 files for his wife's mother: he is 子の夫 to her.
        let for_tome = context_for(&case, tome);
        assert_eq!(text_of(for_tome.value("filer.role", None)), "世帯員");
        assert_eq!(text_of(for_tome.value("filer.relation", None)), "子の夫");
        assert_eq!(text_of(for_tome.value("proxy.name", None)), "");

        case.proxy = Some(Box::new(madoguchi_domain::Proxy {
            name: "代理 花子".into(),
            kana: None,
            address: None,
            phone: Some("046-822-4000".into()),
            relation: None,
        }));
        let by_proxy = context_for(&case, tome);
        assert_eq!(text_of(by_proxy.value("filer.role", None)), "代理人");
        assert_eq!(text_of(by_proxy.value("filer.relation", None)), "代理人");
        assert_eq!(text_of(by_proxy.value("filer.name", None)), "代理 花子");
        assert_eq!(text_of(by_proxy.value("filer.zokugara", None)), "");
        assert_eq!(text_of(by_proxy.value("proxy.phone", None)), "046-822-4000");

        // Family from outside the household say what they are to the member.
        if let Some(proxy) = case.proxy.as_mut() {
            proxy.relation = Some("孫".into());
        }
        let by_grandchild = context_for(&case, tome);
        assert_eq!(text_of(by_grandchild.value("filer.role", None)), "親族");
        assert_eq!(text_of(by_grandchild.value("filer.relation", None)), "孫");
    }

    #[test]
    fn a_row_is_ticked_for_the_members_an_answer_names() {
        let case = Case::from_json(EIGHT_FORMS.as_bytes()).expect("the example reads");
        assert_eq!(
            case.answers.get("care_certified"),
            Some(&Answer::Members(vec![3]))
        );
        let context = context_for(&case, 3);
        let members = &case.household.members;
        let named = |i: usize| context.value("member.named.care_certified", Some((1, &members[i])));
        assert_eq!(named(3), Value::Bool(true));
        assert_eq!(named(0), Value::Bool(false));
        assert!(check_path("member.named.care_certified", true).is_ok());
        assert!(check_path("member.named.care_certified", false).is_err());
        assert!(check_path("subject.name", false).is_ok());
        assert!(check_path("filer.relation", false).is_ok());
        assert!(check_path("filer.nmae", false).is_err());
    }
}
