//! The form's state and its checks. The page is stateless: every step posts all fields so far
//! (the current step's as inputs, the rest as hidden fields), and the server keeps nothing.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use madoguchi_domain::{
    Address, Answer, Case, CertificateKind, CertificateRequest, EventDate, EventKind,
    ForeignResident, Household, Language, LifeEvent, Member, Nationality, Person, Sex, Zokugara,
    input,
};

use madoguchi_rules::Catalogue;

use crate::text::Message;

/// At most this many people in one household on the page.
pub const MAX_MEMBERS: usize = 10;

/// The steps, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Start,
    Household,
    Questions,
    Certificates,
    Result,
}

impl Step {
    pub fn id(self) -> &'static str {
        match self {
            Step::Start => "start",
            Step::Household => "household",
            Step::Questions => "questions",
            Step::Certificates => "certificates",
            Step::Result => "result",
        }
    }

    pub fn from_id(id: &str) -> Step {
        match id {
            "household" => Step::Household,
            "questions" => Step::Questions,
            "certificates" => Step::Certificates,
            "result" => Step::Result,
            _ => Step::Start,
        }
    }

    pub fn previous(self) -> Step {
        match self {
            Step::Start | Step::Household => Step::Start,
            Step::Questions => Step::Household,
            Step::Certificates => Step::Questions,
            Step::Result => Step::Certificates,
        }
    }

    /// Position for "step 2 of 5".
    pub fn number(self) -> usize {
        self as usize + 1
    }
}

/// Every field posted so far, by name. Field names: `event`, `move_date`, `visit_date`,
/// `moved_out_date`, `new_address`, `new_postal`, `previous_address`, `next_address`,
/// `new_building`, `phone`, `members`, `joining_head`, `previous_head`,
/// `m{i}_name|kana|birth|sex|relation|nationality|country|card|status|until|category|alias`,
/// `q_{question id}`,
/// `u_{question id}` (「わからない」 beside a number or a date), `n{i}_{question id}` (member `i`
/// ticked for a question about members),
/// `shown` (question ids already offered), `cert_{kind}`, `lang`, `step`.
#[derive(Clone, Debug, Default)]
pub struct Fields(pub BTreeMap<String, String>);

/// A problem with one field, shown beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Message,
}

/// The most fields a post may carry: the page's own number at most a few hundred.
pub const MAX_FIELDS: usize = 600;

/// The moves, whose fields the page has by name (`move_date`, `new_address` …); every other
/// event of the catalogue has its dates in `ev-` fields.
pub fn is_move(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::TENNYU | EventKind::TENKYO | EventKind::TENSHUTSU
    )
}

/// The field of an event's own date (`ev-shibou`) or of another of its dates
/// (`ev-shibou-funeral_date`).
pub fn event_date_key(kind: EventKind, date: Option<EventDate>) -> String {
    match date {
        None => format!("ev-{}", kind.id()),
        Some(date) => format!("ev-{}-{}", kind.id(), date.id()),
    }
}

fn is_event_date_key(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("ev-") else {
        return false;
    };
    let mut parts = rest.split('-');
    let kind = parts.next().is_some_and(|k| EventKind::new(k).is_ok());
    let date = parts.next().is_none_or(|d| EventDate::new(d).is_ok());
    kind && date && parts.next().is_none()
}

/// The fields the page has. Anything else a post carries is dropped at once: it is never
/// stored, never echoed back as a hidden input.
fn is_known_key(key: &str) -> bool {
    const FIXED: [&str; 18] = [
        "subject",
        "phone",
        "new_building",
        "joining_head",
        "previous_head",
        "event",
        "move_date",
        "visit_date",
        "moved_out_date",
        "new_address",
        "new_postal",
        "previous_address",
        "next_address",
        "members",
        "shown",
        "asking",
        "review",
        "lang",
    ];
    let member_part = || {
        let rest = key.strip_prefix('m')?;
        let (index, part) = rest.split_once('_')?;
        let index: usize = index.parse().ok()?;
        (index < MAX_MEMBERS && MEMBER_PARTS.contains(&part)).then_some(())
    };
    let question = || {
        let id = key
            .strip_prefix("q_")
            .or_else(|| key.strip_prefix("u_"))
            .or_else(|| named_member(key).map(|(_, id)| id))?;
        let fits = !id.is_empty()
            && id.len() <= madoguchi_domain::limits::MAX_ID_CHARS
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        fits.then_some(())
    };
    let certificate = || {
        let kind = key.strip_prefix("cert_")?;
        CertificateKind::ALL
            .into_iter()
            .any(|k| kind_id(k) == kind)
            .then_some(())
    };
    FIXED.contains(&key)
        || key == "step"
        || is_event_date_key(key)
        || member_part().is_some()
        || question().is_some()
        || certificate().is_some()
}

/// The most characters a field may hold: names and addresses as the case allows, other
/// fields (dates, choices, ids, lists of ids) a few hundred at most.
fn max_chars(key: &str) -> usize {
    use madoguchi_domain::limits;
    if key.ends_with("_address") || key.ends_with("_building") {
        limits::MAX_ADDRESS_CHARS
    } else if key.ends_with("_name")
        || key.ends_with("_kana")
        || key.ends_with("_alias")
        || key.ends_with("_head")
    {
        limits::MAX_NAME_CHARS
    } else if key.ends_with("_country") {
        limits::MAX_COUNTRY_CHARS
    } else if key == "shown" || key == "asking" {
        8 * 1024
    } else {
        limits::MAX_ID_CHARS
    }
}

impl Fields {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Fields {
        let mut map = BTreeMap::new();
        for (key, value) in pairs.into_iter().take(MAX_FIELDS) {
            // Control fields are not state; unknown ones are not the page's.
            if key != "action" && is_known_key(&key) {
                map.insert(key, value);
            }
        }
        Fields(map)
    }

    /// A problem beside every field longer than it may be.
    pub fn length_errors(&self) -> Vec<FieldError> {
        self.0
            .iter()
            .filter(|(key, value)| value.chars().count() > max_chars(key))
            .map(|(key, _)| FieldError {
                field: key.clone(),
                message: Message::new(
                    "長すぎます（{max}文字までです）。",
                    "Too long: at most {max} characters.",
                )
                .with_number("max", max_chars(key)),
            })
            .collect()
    }

    pub fn get(&self, key: &str) -> &str {
        self.0.get(key).map_or("", |v| v.trim())
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.0.insert(key.to_owned(), value.into());
    }

    /// The page's language, as the app settled it (Japanese when none).
    pub fn lang(&self) -> Language {
        Language::from_code(self.get("lang")).unwrap_or(Language::Japanese)
    }

    pub fn members(&self) -> usize {
        self.get("members")
            .parse()
            .unwrap_or(1)
            .clamp(1, MAX_MEMBERS)
    }

    pub fn add_member(&mut self) {
        let n = self.members();
        if n < MAX_MEMBERS {
            self.set("members", (n + 1).to_string());
            self.set(&format!("m{n}_relation"), Zokugara::CHILD.word());
        }
    }

    /// Removes member `index`, moving the later ones up.
    pub fn remove_member(&mut self, index: usize) {
        let n = self.members();
        if n <= 1 || index >= n {
            return;
        }
        for i in index..n - 1 {
            for part in MEMBER_PARTS {
                let next = self.get(&format!("m{}_{part}", i + 1)).to_owned();
                self.set(&format!("m{i}_{part}"), next);
            }
        }
        for part in MEMBER_PARTS {
            self.0.remove(&format!("m{}_{part}", n - 1));
        }
        // The member the event is about follows its member, and is gone with them.
        if let Ok(subject) = self.get("subject").parse::<usize>() {
            match subject.cmp(&index) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Greater => self.set("subject", (subject - 1).to_string()),
                std::cmp::Ordering::Equal => self.set("subject", ""),
            }
        }
        // Ticks naming members (`n{i}_{question}`) follow the members they name; the removed
        // member's go with them.
        let named: Vec<(usize, String)> = self
            .0
            .keys()
            .filter_map(|key| named_member(key).map(|(i, id)| (i, id.to_owned())))
            .collect();
        for (i, id) in &named {
            self.0.remove(&format!("n{i}_{id}"));
        }
        for (i, id) in named {
            match i.cmp(&index) {
                std::cmp::Ordering::Less => self.set(&format!("n{i}_{id}"), "1"),
                std::cmp::Ordering::Greater => self.set(&format!("n{}_{id}", i - 1), "1"),
                std::cmp::Ordering::Equal => {}
            }
        }
        self.set("members", (n - 1).to_string());
    }

    pub fn shown(&self) -> Vec<String> {
        self.get("shown")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    pub fn mark_shown(&mut self, ids: &[String]) {
        let mut shown = self.shown();
        shown.extend(ids.iter().cloned());
        shown.sort();
        shown.dedup();
        self.set("shown", shown.join(","));
    }
}

pub const MEMBER_PARTS: [&str; 12] = [
    "name",
    "kana",
    "birth",
    "sex",
    "relation",
    "nationality",
    "country",
    "card",
    "status",
    "until",
    "category",
    "alias",
];

fn error(field: &str, ja: &str, en: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: Message::new(ja, en),
    }
}

fn date_field(
    fields: &Fields,
    key: &str,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let text = fields.get(key);
    if text.is_empty() {
        if required {
            errors.push(error(key, "日付を入れてください。", "Enter a date."));
        }
        return None;
    }
    match input::date(text) {
        Ok(date) => Some(date),
        Err(problem) => {
            errors.push(input_error(key, problem));
            None
        }
    }
}

/// A problem with a typed value, beside its field, in the words `domain::input` gives it.
fn input_error(field: &str, problem: input::InputError) -> FieldError {
    error(field, problem.message_ja(), problem.message_en())
}

fn address(
    fields: &Fields,
    text_key: &str,
    postal_key: Option<&str>,
    building_key: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<Address> {
    let text = fields.get(text_key);
    let building = building_key
        .map(|key| fields.get(key).trim())
        .filter(|b| !b.is_empty())
        .map(str::to_owned);
    let postal = postal_key
        .map(|key| (key, fields.get(key)))
        .filter(|(_, v)| !v.is_empty());
    let postal_code = match postal {
        None => None,
        Some((key, value)) => match input::postal_code(value) {
            Ok(postal) => Some(postal),
            Err(problem) => {
                errors.push(input_error(key, problem));
                None
            }
        },
    };
    (!text.is_empty()).then(|| Address {
        text: text.to_owned(),
        building,
        postal_code,
        parts: None,
    })
}

/// The event from the first step, or what is wrong with it. The member it is about (the
/// person who died, the child born) comes from the household step: see [`subject`].
pub fn event(
    fields: &Fields,
    catalogue: &Catalogue,
    errors: &mut Vec<FieldError>,
) -> Option<LifeEvent> {
    let kind = EventKind::new(fields.get("event"))
        .ok()
        .filter(|kind| catalogue.event(*kind).is_some());
    match kind {
        Some(kind) if !is_move(kind) => other_event(fields, catalogue, kind, errors),
        _ => move_event(fields, errors),
    }
}

/// An event other than a move: its own date, the visit, its other dates, and the member it is
/// about when the household step has named them.
fn other_event(
    fields: &Fields,
    catalogue: &Catalogue,
    kind: EventKind,
    errors: &mut Vec<FieldError>,
) -> Option<LifeEvent> {
    let def = catalogue.event(kind)?;
    let own_key = event_date_key(kind, None);
    let date = date_field(fields, &own_key, true, errors);
    let visit_date = date_field(fields, "visit_date", true, errors);
    let mut others = BTreeMap::new();
    for other in &def.dates {
        let key = event_date_key(kind, Some(other.id));
        if let Some(day) = date_field(fields, &key, false, errors) {
            others.insert(other.id, day);
        }
    }
    if let (Some(d), Some(v)) = (date, visit_date)
        && v < d
    {
        errors.push(error(
            "visit_date",
            "窓口に来る日は、その日より後の日にしてください。",
            "The visit comes after the day it happened.",
        ));
    }
    let mut event = LifeEvent::new(kind, date?, visit_date?);
    event.dates = others;
    if def.subject.is_some() {
        event.subject = fields
            .get("subject")
            .parse()
            .ok()
            .filter(|&i| i < fields.members());
    }
    Some(event)
}

/// Whom the event is about, checked at the household step: one of the members, not the first
/// (the person who comes to the counter).
pub fn subject(event: &LifeEvent, catalogue: &Catalogue, errors: &mut Vec<FieldError>) {
    let Some(called) = catalogue.event(event.kind).and_then(|d| d.subject.as_ref()) else {
        return;
    };
    let message = match event.subject {
        None => Message::new("{who}を選んでください。", "Choose {who}."),
        Some(0) => Message::new(
            "1人目は窓口に来る人です。{who}は2人目より後に入れてください。",
            "The first person is the one who comes to the counter: enter {who} after them.",
        ),
        Some(_) => return,
    };
    errors.push(FieldError {
        field: "subject".into(),
        message: message.with("who", called.clone()),
    });
}

fn move_event(fields: &Fields, errors: &mut Vec<FieldError>) -> Option<LifeEvent> {
    let move_date = date_field(fields, "move_date", true, errors);
    let visit_date = date_field(fields, "visit_date", true, errors);
    let moved_out_date = date_field(fields, "moved_out_date", false, errors);
    let new_address = address(
        fields,
        "new_address",
        Some("new_postal"),
        Some("new_building"),
        errors,
    );
    let previous_address = address(fields, "previous_address", None, None, errors);
    let next_address = address(fields, "next_address", None, None, errors);
    if let (Some(m), Some(v)) = (move_date, visit_date)
        && v < m
        && fields.get("event") != "tenshutsu"
    {
        errors.push(error(
            "visit_date",
            "窓口に来る日は、引っ越しの日より後の日にしてください。",
            "The visit comes after the move.",
        ));
    }
    let (move_date, visit_date) = (move_date?, visit_date?);
    let kind = EventKind::new(fields.get("event")).ok();
    match kind {
        Some(kind @ (EventKind::TENNYU | EventKind::TENKYO)) => {
            let mut event = LifeEvent::new(kind, move_date, visit_date);
            event.previous_address = previous_address;
            event.new_address = new_address;
            if kind == EventKind::TENNYU
                && let Some(date) = moved_out_date
            {
                event.dates.insert(EventDate::MOVED_OUT_DATE, date);
            }
            Some(event)
        }
        Some(EventKind::TENSHUTSU) => {
            let mut event = LifeEvent::new(EventKind::TENSHUTSU, move_date, visit_date);
            event.next_address = next_address;
            Some(event)
        }
        _ => {
            errors.push(error(
                "event",
                "どの手続きか選んでください。",
                "Choose what you are doing.",
            ));
            None
        }
    }
}

/// The household from the second step.
pub fn household(
    fields: &Fields,
    move_date: Option<NaiveDate>,
    errors: &mut Vec<FieldError>,
) -> Household {
    let mut members = Vec::new();
    for i in 0..fields.members() {
        let key = |part: &str| format!("m{i}_{part}");
        let name = fields.get(&key("name"));
        if name.is_empty() {
            errors.push(error(
                &key("name"),
                "名前を入れてください。",
                "Enter the name.",
            ));
        }
        let kana = fields.get(&key("kana"));
        if let Err(problem) = input::optional_kana(kana) {
            errors.push(input_error(&key("kana"), problem));
        }
        let birth_date = date_field(fields, &key("birth"), false, errors);
        if let (Some(birth), Some(moved)) = (birth_date, move_date)
            && birth > moved
        {
            errors.push(error(
                &key("birth"),
                "生まれた日が、引っ越しの日より後になっています。",
                "The birth date is after the move.",
            ));
        }
        let sex = match fields.get(&key("sex")) {
            "male" => Some(Sex::Male),
            "female" => Some(Sex::Female),
            _ => None,
        };
        let nationality = match fields.get(&key("nationality")) {
            "japanese" => Some(Nationality::Japanese),
            "foreign" => Some(Nationality::Foreign(foreign_resident(fields, i, errors))),
            _ => None,
        };
        // A select gives a word of the list; a form posted from an older page, a category.
        let relation = Zokugara::read(fields.get(&key("relation")), sex).unwrap_or(if i == 0 {
            Zokugara::HEAD
        } else {
            Zokugara::COHABITANT
        });
        members.push(Member {
            person: Person {
                name: name.to_owned(),
                kana: Some(kana.to_owned()).filter(|k| !k.is_empty()),
                birth_date,
                sex,
                nationality,
                address: None,
            },
            relation,
        });
    }
    let head = |key: &str| Some(fields.get(key).trim().to_owned()).filter(|h| !h.is_empty());
    let joining_head = head("joining_head");
    if joining_head.is_some() && members.iter().any(|m| m.relation == Zokugara::HEAD) {
        errors.push(error(
            "joining_head",
            "引っ越す人の中に世帯主がいます。ここは、引っ越す先の世帯主がほかの人のときだけ入れてください。",
            "Someone who moves is the head of household; fill this in only when you join someone else's household.",
        ));
    }
    Household {
        members,
        joining_head,
        previous_head: head("previous_head"),
    }
}

/// Member `i`'s 在留カード facts, each checked where it is typed.
fn foreign_resident(fields: &Fields, i: usize, errors: &mut Vec<FieldError>) -> ForeignResident {
    let key = |part: &str| format!("m{i}_{part}");
    let typed = |part: &str| Some(fields.get(&key(part)).trim()).filter(|t| !t.is_empty());
    let mut read = |part: &str, problem: Option<input::InputError>| {
        if let Some(problem) = problem {
            errors.push(input_error(&key(part), problem));
        }
    };
    let card_number = input::optional_residence_card(fields.get(&key("card")));
    read("card", card_number.as_ref().err().copied());
    let status = input::optional_residence_status(fields.get(&key("status")));
    read("status", status.as_ref().err().copied());
    let category = input::optional_foreign_category(fields.get(&key("category")));
    read("category", category.as_ref().err().copied());
    ForeignResident {
        country: typed("country").map(str::to_owned),
        card_number: card_number.ok().flatten(),
        status: status.ok().flatten(),
        period_end: date_field(fields, &key("until"), false, errors),
        category: category.ok().flatten(),
        alias: typed("alias").map(str::to_owned),
    }
}

/// `n{i}_{question id}`: the box saying member `i` is one the question is about.
pub fn named_member(key: &str) -> Option<(usize, &str)> {
    let (index, id) = key.strip_prefix('n')?.split_once('_')?;
    let index: usize = index.parse().ok()?;
    (index < MAX_MEMBERS && !id.is_empty()).then_some((index, id))
}

/// The household's telephone number (`phone`), read as the kiosk reads it; empty is none.
pub fn phone(fields: &Fields, errors: &mut Vec<FieldError>) -> Option<String> {
    input::optional_phone(fields.get("phone")).unwrap_or_else(|problem| {
        errors.push(input_error("phone", problem));
        None
    })
}

/// The answers given so far (`q_{id}` fields), typed by what they look like; for a question
/// about members, the members whose `n{i}_{id}` box is ticked outweigh 「いない」.
pub fn answers(fields: &Fields) -> BTreeMap<String, Answer> {
    let mut named: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for key in fields.0.keys() {
        if let Some((index, id)) = named_member(key) {
            named.entry(id.to_owned()).or_default().push(index);
        }
    }
    let mut answers: BTreeMap<String, Answer> = fields
        .0
        .iter()
        .filter_map(|(key, value)| {
            let id = key.strip_prefix("q_")?;
            // A number or date question's 「わからない」 box outweighs what is in the box.
            if !fields.get(&format!("u_{id}")).is_empty() {
                return Some((id.to_owned(), Answer::Unknown));
            }
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            let answer = match value.parse::<i64>() {
                Ok(number) => Answer::Number(number),
                Err(_) => Answer::from_text(value),
            };
            Some((id.to_owned(), answer))
        })
        .collect();
    for (id, members) in named {
        answers.insert(id, Answer::members(members));
    }
    answers
}

pub fn certificates(fields: &Fields, errors: &mut Vec<FieldError>) -> Vec<CertificateRequest> {
    CertificateKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let key = format!("cert_{}", kind_id(kind));
            let text = fields.get(&key);
            if text.trim().is_empty() {
                return None;
            }
            match input::whole_number(text) {
                Ok(0) => None,
                Ok(copies @ 1..=9) => Some(CertificateRequest {
                    kind,
                    copies: u8::try_from(copies).unwrap_or(1),
                }),
                _ => {
                    errors.push(error(
                        &key,
                        "0から9までの数を入れてください。",
                        "Enter a number from 0 to 9.",
                    ));
                    None
                }
            }
        })
        .collect()
}

pub fn kind_id(kind: CertificateKind) -> &'static str {
    match kind {
        CertificateKind::Juminhyo => "juminhyo",
        CertificateKind::JuminhyoKisaiJiko => "juminhyo_kisai_jiko",
        CertificateKind::InkanTourokuShomei => "inkan_touroku_shomei",
    }
}

/// The whole case, when every step so far is valid.
pub fn case(fields: &Fields, catalogue: &Catalogue, errors: &mut Vec<FieldError>) -> Option<Case> {
    let event = event(fields, catalogue, errors);
    let household = household(fields, event.as_ref().map(|e| e.date), errors);
    if let Some(event) = &event {
        subject(event, catalogue, errors);
    }
    let certificates = certificates(fields, errors);
    let case = Case {
        phone: phone(fields, errors),
        proxy: None,
        event: event?,
        household,
        applicant: 0,
        answers: answers(fields),
        certificates,
        resident_writes: Default::default(),
        identified_by: None,
    };
    checked(case, errors)
}

/// The case if it is valid and nothing else was wrong; else a problem for the whole page.
pub fn checked(case: Case, errors: &mut Vec<FieldError>) -> Option<Case> {
    if let Err(problem) = case.validate() {
        errors.push(page_error(&problem));
    }
    errors.is_empty().then_some(case)
}

/// A problem with the whole case, in words for the resident (the field it concerns is named
/// in the case's terms, which a resident does not know; the kind of problem is enough).
fn page_error(problem: &madoguchi_domain::CaseError) -> FieldError {
    use madoguchi_domain::CaseError;
    let message = match problem {
        CaseError::TooLong { max, .. } => Message::new(
            "長すぎる入力があります（{max}文字までです）。",
            "Something you entered is too long (at most {max} characters).",
        )
        .with_number("max", *max),
        CaseError::ControlCharacter { .. } => Message::new(
            "改行などの使えない文字があります。1行で入れてください。",
            "Something you entered has a line break or another character that cannot be used.",
        ),
        CaseError::DateOutOfRange { .. } | CaseError::BornAfterEvent { .. } => {
            Message::new("日付を確かめてください。", "Please check the dates.")
        }
        _ => Message::new("入力を確かめてください。", "Please check what you entered."),
    };
    FieldError {
        field: PAGE.to_string(),
        message,
    }
}

/// The pseudo-field of problems that concern the whole page: shown in the summary at its top.
pub const PAGE: &str = "page";

#[cfg(test)]
mod tests {
    use super::*;

    /// The home page reads what people type as the kiosk and the supervisor's editor do
    /// (`domain::input`): a 和暦 date is the same day, a bad postal code an error beside it.
    #[test]
    fn dates_and_postal_codes_are_read_as_everywhere_else() {
        let mut fields = Fields::default();
        fields.set("move_date", "令和8年4月1日");
        fields.set("new_postal", "123-456");
        let mut errors = Vec::new();
        assert_eq!(
            date_field(&fields, "move_date", true, &mut errors),
            NaiveDate::from_ymd_opt(2026, 4, 1)
        );
        assert!(errors.is_empty());
        address(
            &fields,
            "new_address",
            Some("new_postal"),
            None,
            &mut errors,
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "new_postal");
        assert_eq!(
            errors[0].message.get(Language::Japanese),
            madoguchi_domain::input::InputError::PostalCode.message_ja()
        );
    }

    #[test]
    fn removing_a_member_moves_the_others_up() {
        let mut fields = Fields::default();
        fields.set("members", "3");
        for (i, name) in ["A", "B", "C"].iter().enumerate() {
            fields.set(&format!("m{i}_name"), *name);
        }
        fields.set("n0_seal", "1");
        fields.set("n1_seal", "1");
        fields.set("n2_seal", "1");
        fields.remove_member(1);
        assert_eq!(fields.members(), 2);
        assert_eq!(fields.get("m1_name"), "C");
        assert_eq!(fields.get("m2_name"), "");
        // C's tick moved up with C; B's went with B.
        assert_eq!(answers(&fields)["seal"], Answer::Members(vec![0, 1]));
        assert_eq!(fields.get("n2_seal"), "");
    }

    /// The member an event is about follows them up the list, and goes with them.
    #[test]
    fn removing_a_member_keeps_whom_the_event_is_about() {
        let mut fields = Fields::default();
        fields.set("members", "3");
        fields.set("subject", "2");
        fields.remove_member(1);
        assert_eq!(fields.get("subject"), "1");
        fields.remove_member(1);
        assert_eq!(fields.get("subject"), "");
    }

    /// An event's date fields are known by shape (`ev-<event>[-<date>]`); anything else a post
    /// carries is dropped.
    #[test]
    fn event_date_fields_are_known_by_shape() {
        let fields = Fields::from_pairs(
            [
                ("ev-shibou", "2026-03-25"),
                ("ev-shibou-funeral_date", "2026-03-28"),
                ("ev-Shibou", "x"),
                ("ev-shibou-funeral_date-x", "x"),
                ("ev-", "x"),
                ("subject", "1"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        );
        let keys: Vec<&str> = fields.0.keys().map(String::as_str).collect();
        assert_eq!(keys, ["ev-shibou", "ev-shibou-funeral_date", "subject"]);
    }

    #[test]
    fn ticked_members_answer_a_question_about_members() {
        let mut fields = Fields::default();
        fields.set("members", "3");
        fields.set("q_seal", "no");
        fields.set("n2_seal", "1");
        fields.set("n0_seal", "1");
        // Ticks outweigh 「いない」.
        assert_eq!(answers(&fields)["seal"], Answer::Members(vec![0, 2]));
        fields.0.remove("n0_seal");
        fields.0.remove("n2_seal");
        assert_eq!(answers(&fields)["seal"], Answer::No);
        assert!(is_known_key("n2_seal"));
        assert!(!is_known_key("n99_seal"));
        assert!(!is_known_key("n2_"));
    }

    #[test]
    fn a_foreign_residents_card_facts_and_the_heads_are_read_and_checked() {
        let mut fields = Fields::default();
        fields.set("members", "2");
        fields.set("m0_name", "NGUYEN VAN AN");
        fields.set("m0_nationality", "foreign");
        fields.set("m0_country", "ベトナム");
        fields.set("m0_card", "ab12345678cd");
        fields.set("m0_status", "留学");
        fields.set("m0_until", "2028-03-31");
        fields.set("m0_category", "mid_long_term");
        fields.set("m0_alias", "阮 安");
        fields.set("m1_name", "TRAN THI MAI");
        fields.set("m1_nationality", "foreign");
        fields.set("m1_card", "EF2345");
        fields.set("m1_status", "短期滞在");
        fields.set("previous_head", "NGUYEN VAN BINH");
        let mut errors = Vec::new();
        let read = household(&fields, None, &mut errors);
        let first = read.members[0]
            .person
            .nationality
            .as_ref()
            .and_then(Nationality::foreign)
            .expect("foreign");
        assert_eq!(
            first.card_number.as_ref().map(|n| n.as_str()),
            Some("AB12345678CD")
        );
        assert_eq!(first.status.map(|s| s.as_str()), Some("留学"));
        assert_eq!(first.alias.as_deref(), Some("阮 安"));
        assert_eq!(read.previous_head.as_deref(), Some("NGUYEN VAN BINH"));
        let wrong: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(wrong, ["m1_card", "m1_status"]);
        // A head to join while one who moves is 世帯主 (the first member, by default).
        fields.set("joining_head", "ほか 世帯主");
        let mut errors = Vec::new();
        household(&fields, None, &mut errors);
        assert!(errors.iter().any(|e| e.field == "joining_head"));
        assert!(is_known_key("m3_card") && is_known_key("new_building"));
    }
}
