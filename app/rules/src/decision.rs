//! What the engine decides for a case: the JSON that `madoguchi rules evaluate` prints and the
//! kiosk, the forms and the guidance sheet read.

use chrono::NaiveDate;
use madoguchi_domain::{EventDate, EventKind};
use serde::Serialize;

use crate::catalogue::{Choice, Phrase, QuestionKind, Text, Tier, Translated};
pub use crate::transitions::Coming;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub catalogue: CatalogueVersion,
    /// The day whose rules were applied.
    pub as_of: NaiveDate,
    pub event: EventKind,
    /// The event's name as the catalogue gives it (「転入」, 「死亡」).
    pub event_name: Text,
    /// How the screens and the guidance sheet speak during this event (gentle after a death).
    pub tone: crate::catalogue::Tone,
    /// Procedures that apply.
    pub procedures: Vec<ProcedureDecision>,
    /// Procedures that may apply, waiting on an unanswered or 「わからない」 answer. Critical
    /// ones come first.
    pub to_confirm: Vec<ProcedureDecision>,
    /// Questions whose answer can still change this decision, in tier order.
    pub next_questions: Vec<NextQuestion>,
    /// Changes an age brings soon after the move (75 → 後期高齢者医療 …), by date.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coming: Vec<Coming>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CatalogueVersion {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcedureDecision {
    pub id: String,
    pub name: Text,
    pub critical: bool,
    pub counter: CounterRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Deadline>,
    pub bring: Vec<Named>,
    pub forms: Vec<Named>,
    /// Why it applies (or would apply), in plain words.
    pub reasons: Vec<Text>,
    /// What the counter charges (certificates' 手数料).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<FeeDue>,
    /// The household members (by index) the rule that applies is about: the member who
    /// registers a seal, the children a benefit is for. Empty when the rule is about the
    /// household as a whole.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub concerns: Vec<usize>,
    /// For procedures to confirm: the answers it waits on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiting_on: Vec<Pending>,
    /// Procedures of this decision to finish first (by id), in the catalogue's words
    /// 「…の後で」. Those that do not apply are left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Phrase>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CounterRef {
    pub id: String,
    pub name: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Text>,
    /// The building it is in, with its place in the catalogue's walking order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building: Option<BuildingRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<i32>,
    /// Another agency: the resident is told, the city does not handle it.
    pub external: bool,
}

/// A building as a decision names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BuildingRef {
    /// Its place in the catalogue's list: the order a resident walks the buildings.
    pub order: usize,
    pub name: Text,
}

/// A fee for what a procedure issues, with the copies the case asks for when it says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeeDue {
    pub what: Text,
    /// Yen for one copy.
    pub yen: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copies: Option<u8>,
}

/// An item to bring or a form to print, with its words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Named {
    pub id: String,
    pub ja: String,
    /// やさしい日本語 with ルビ marks; empty where the catalogue has none (forms).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub easy: String,
    pub en: String,
    #[serde(skip_serializing_if = "Translated::is_empty")]
    pub other: Translated,
}

impl Named {
    /// An item's or form's id with its words.
    pub fn new(id: &str, text: &Text) -> Named {
        Named {
            id: id.to_string(),
            ja: text.ja.clone(),
            easy: text.easy.clone(),
            en: text.en.clone(),
            other: text.other.clone(),
        }
    }

    /// The words a reader of `language` sees, as [`Text::get`] chooses them.
    pub fn get(&self, language: madoguchi_domain::Language) -> &str {
        crate::catalogue::wording(language, &self.ja, &self.easy, &self.en, &self.other)
    }
}

/// The last day to complete a procedure, counted from an event date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deadline {
    pub date: NaiveDate,
    /// The same day in 和暦, as forms print it.
    pub wareki: String,
    pub days: u32,
    /// When not 0, the count is this many months, and `days` is 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub months: u32,
    /// The count includes its first day (戸籍法 第43条).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub first_day: bool,
    pub from: EventDate,
    pub basis: String,
    /// The deadline had already passed on the visit date.
    pub overdue: bool,
    /// Set when the day the count gives is one the office is closed, and `date` is the next
    /// open day instead (地方自治法 第4条の2 第4項).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved: Option<MovedDeadline>,
    /// The office calendar does not list the holidays of `date`'s year: a holiday there would
    /// not have moved it. `rules check` warns before this can happen.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub holidays_unknown: bool,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A deadline that fell on a closed day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MovedDeadline {
    /// The day the count gives.
    pub counted: NaiveDate,
    /// Why the office is closed that day: 「日曜日」「祝日（勤労感謝の日）」「年末年始の休日」.
    pub closed: Phrase,
    /// Why it moved, for the resident and the clerk: 「期限の令和8年11月29日は日曜日のため、
    /// 翌開庁日まで（地方自治法第4条の2第4項）」.
    pub why: Phrase,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pending {
    pub question: String,
    pub label: Phrase,
    /// `unanswered` (not asked yet) or `unknown` (answered 「わからない」).
    pub state: PendingState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    Unanswered,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NextQuestion {
    pub id: String,
    pub tier: Tier,
    pub kind: QuestionKind,
    /// Worded for this case's event.
    pub text: Text,
    /// Always ends with 「わからない」.
    pub options: Vec<Choice>,
    /// For a question about members: the members it is asked of (household indices), which
    /// are offered as its choices beside `options` (「該当する方はいない」, 「わからない」).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<usize>,
    pub sensitive: bool,
    /// The procedures whose outcome the answer can change.
    pub affects: Vec<String>,
}

impl Decision {
    /// Ids of the procedures that apply, in order.
    pub fn procedure_ids(&self) -> Vec<&str> {
        self.procedures.iter().map(|p| p.id.as_str()).collect()
    }

    pub fn to_confirm_ids(&self) -> Vec<&str> {
        self.to_confirm.iter().map(|p| p.id.as_str()).collect()
    }
}
