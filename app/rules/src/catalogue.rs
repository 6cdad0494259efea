//! The catalogue as the engine uses it: every id resolved, every condition parsed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use madoguchi_domain::{Answer, EventDate, EventKind, Language};
use serde::Serialize;

use crate::condition::{AnswerShape, Condition, Labels, MemberCondition};

/// A name or text in the three registers the catalogue writes itself — Japanese, やさしい日本語
/// and English — and its translations from the text tables (`translations/<code>.toml`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Text {
    pub ja: String,
    pub easy: String,
    pub en: String,
    #[serde(skip_serializing_if = "Translated::is_empty")]
    pub other: Translated,
}

/// A short statement in Japanese and English (reasons, labels, notes), and its translations.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Phrase {
    pub ja: String,
    pub en: String,
    #[serde(skip_serializing_if = "Translated::is_empty")]
    pub other: Translated,
}

/// A text's wording in the languages translated from the Japanese, filled in by the loader
/// from the catalogue's text tables. A language without its wording here reads the English.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Translated(pub BTreeMap<Language, String>);

impl Translated {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The wording in `language`, or `english` when the table has none.
    pub fn or_english<'a>(&'a self, language: Language, english: &'a str) -> &'a str {
        self.0.get(&language).map_or(english, String::as_str)
    }
}

impl Text {
    pub fn new(ja: impl Into<String>, easy: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            ja: ja.into(),
            easy: easy.into(),
            en: en.into(),
            other: Translated::default(),
        }
    }

    /// The wording a reader of `language` sees: やさしい日本語 as written, with its ルビ marks
    /// (the Japanese where the catalogue has none); a translated language's wording, or the
    /// English where its table has none.
    pub fn get(&self, language: Language) -> &str {
        wording(language, &self.ja, &self.easy, &self.en, &self.other)
    }
}

/// The one rule for choosing a wording, for [`Text`] and the decision's items and forms.
pub(crate) fn wording<'a>(
    language: Language,
    ja: &'a str,
    easy: &'a str,
    en: &'a str,
    other: &'a Translated,
) -> &'a str {
    match language {
        Language::Japanese => ja,
        Language::Easy if easy.is_empty() => ja,
        Language::Easy => easy,
        Language::English => en,
        translated => other.or_english(translated, en),
    }
}

impl Phrase {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Phrase {
        Phrase {
            ja: ja.into(),
            en: en.into(),
            other: Translated::default(),
        }
    }

    /// The wording a reader of `language` sees (Japanese for やさしい日本語: phrases have no
    /// plain wording; English where a table has none).
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Japanese | Language::Easy => &self.ja,
            Language::English => &self.en,
            other => self.other.or_english(other, &self.en),
        }
    }
}

/// Where a catalogue entry was written: the file (relative to the catalogue folder) and line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

/// The days between which an entry is in force, both ends inclusive; open ends are unbounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= day) && self.to.is_none_or(|to| day <= to)
    }

    pub fn overlaps(&self, other: &Period) -> bool {
        let starts_before_other_ends = match (self.from, other.to) {
            (Some(from), Some(to)) => from <= to,
            _ => true,
        };
        let other_starts_before_this_ends = match (other.from, self.to) {
            (Some(from), Some(to)) => from <= to,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_this_ends
    }

    /// Whether every day of `self` lies within `outer`.
    pub fn within(&self, outer: &Period) -> bool {
        let from_ok = match (outer.from, self.from) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(s)) => o <= s,
        };
        let to_ok = match (outer.to, self.to) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(s)) => s <= o,
        };
        from_ok && to_ok
    }
}

/// Catalogue-wide facts from `catalogue.toml`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Info {
    pub name: String,
    pub version: String,
    pub municipality: String,
}

/// A counter (窓口) the resident goes to.
#[derive(Clone, Debug)]
pub struct Counter {
    pub id: String,
    pub name: Text,
    /// Where it is, e.g. 「本庁舎1階 2番窓口」.
    pub place: Option<Text>,
    /// The building it is in (an index into [`Catalogue::buildings`]) and its floor: the
    /// guidance sheet orders its route by them.
    pub building: Option<usize>,
    pub floor: Option<i32>,
    /// Another agency (police, transport bureau, utilities): information only.
    pub external: bool,
    pub at: Location,
}

/// A building of the city hall. The catalogue lists them in the order a resident walks them
/// (the main building, where the 転入届 is filed, first).
#[derive(Clone, Debug)]
pub struct Building {
    pub id: String,
    pub name: Text,
    pub at: Location,
}

/// A fee the counter charges for what a procedure issues (a certificate's 手数料), as this
/// city sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fee {
    /// 「住民票の写し」
    pub what: Text,
    /// Yen for one copy.
    pub yen: u32,
    /// The certificate the case counts copies of, when the fee is per copy of one.
    pub certificate: Option<madoguchi_domain::CertificateKind>,
}

/// Something the resident must bring.
#[derive(Clone, Debug)]
pub struct Item {
    pub id: String,
    pub text: Text,
    /// Brought when a 代理人 files (the 委任状): added to every procedure that has a form.
    pub for_proxy: bool,
    /// The 委任状 itself: not brought by family filing about the member an event is about
    /// (the person who died cannot sign one; `Case::needs_letter_of_attorney`).
    pub letter_of_attorney: bool,
    /// Listed unless this is false for the case (unknown keeps it: one paper too many beats a
    /// second trip): the 喪主's 委任状 only when someone else held the funeral.
    pub when: Option<Condition>,
    pub at: Location,
}

/// A form the kiosk can print.
#[derive(Clone, Debug)]
pub struct Form {
    pub id: String,
    pub title: Phrase,
    pub at: Location,
}

/// The interview's tiers, asked in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Profile,
    Core,
    Detailed,
    FollowUp,
}

impl Tier {
    pub fn from_id(id: &str) -> Option<Tier> {
        match id {
            "profile" => Some(Tier::Profile),
            "core" => Some(Tier::Core),
            "detailed" => Some(Tier::Detailed),
            "follow_up" => Some(Tier::FollowUp),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum QuestionKind {
    YesNo,
    Number {
        min: i64,
        max: i64,
    },
    Choice,
    Date,
    /// A question about members ("who registers a seal?"): the answer names members.
    Members,
}

/// One option of a question, as the resident sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub id: String,
    #[serde(flatten)]
    pub text: Text,
}

/// A derived answer: when `when` is true for a case, the question is answered `answer`
/// without being asked ("never ask what the card already says").
#[derive(Clone, Debug)]
pub struct KnownFrom {
    pub when: Condition,
    pub answer: Answer,
}

#[derive(Clone, Debug)]
pub struct Question {
    pub id: String,
    pub tier: Tier,
    pub kind: QuestionKind,
    pub text: Text,
    /// Wording for a particular life event, replacing `text`.
    pub variants: BTreeMap<EventKind, Text>,
    /// A short statement used in reasons: 「犬を飼っている」.
    pub label: Phrase,
    /// The options a supervisor defined (for choice questions); see [`Question::options`].
    pub choices: Vec<Choice>,
    /// Answered privately on screen, never read aloud.
    pub sensitive: bool,
    pub ask_when: Option<Condition>,
    pub known_from: Vec<KnownFrom>,
    /// For a question about members: which members it is asked of (`age >= 15` for a seal);
    /// the kiosk and the home page offer only those. `None`: every member.
    pub who: Option<MemberCondition>,
    /// Procedures whose forms the answer fills (`fills = ["jidou_teate"]`): a question no rule
    /// reads, asked once the decision is settled and one of them applies (児童手当 の請求者,
    /// the previous insurance the 国保 form ticks). Procedure ids; `rules check` resolves them.
    pub fills: Vec<String>,
    pub source: Option<String>,
    pub at: Location,
    /// The options every question of its kind offers, with their translations (shared by
    /// every question of one catalogue).
    pub common: std::sync::Arc<CommonChoices>,
}

/// The options the catalogue does not write: yes and no, 「該当する方はいない」 for a question
/// about members, and 「わからない」 for every question. The loader fills in their translations
/// from the text tables, as for the catalogue's own texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommonChoices {
    pub yes: Text,
    pub no: Text,
    pub nobody: Text,
    pub unknown: Text,
}

impl Default for CommonChoices {
    fn default() -> CommonChoices {
        CommonChoices {
            yes: Text::new("はい", "はい", "Yes"),
            no: Text::new("いいえ", "いいえ", "No"),
            nobody: Text::new("該当する方はいない", "いない", "Nobody"),
            unknown: Text::new("わからない", "わからない", "I don't know"),
        }
    }
}

impl CommonChoices {
    pub(crate) fn texts_mut(&mut self) -> [&mut Text; 4] {
        [
            &mut self.yes,
            &mut self.no,
            &mut self.nobody,
            &mut self.unknown,
        ]
    }
}

impl Question {
    /// The options a resident can pick, always ending with 「わからない」.
    pub fn options(&self) -> Vec<Choice> {
        let choice = |id: &str, text: &Text| Choice {
            id: id.into(),
            text: text.clone(),
        };
        let common = &self.common;
        let mut options = match self.kind {
            QuestionKind::YesNo => vec![choice("yes", &common.yes), choice("no", &common.no)],
            QuestionKind::Choice => self.choices.clone(),
            // The members themselves are the choices; the one option says "nobody".
            QuestionKind::Members => vec![choice("no", &common.nobody)],
            QuestionKind::Number { .. } | QuestionKind::Date => Vec::new(),
        };
        options.push(choice("unknown", &common.unknown));
        options
    }

    /// The questions whose answers decide whether this one applies or is known without
    /// asking (those its `ask_when` and `known_from` read).
    pub fn reads(&self) -> Vec<usize> {
        let mut deps = self
            .ask_when
            .as_ref()
            .map(|c| c.questions())
            .unwrap_or_default();
        self.known_from
            .iter()
            .for_each(|k| deps.extend(k.when.questions()));
        deps
    }

    /// The wording for `event`.
    pub fn text_for(&self, event: EventKind) -> &Text {
        self.variants.get(&event).unwrap_or(&self.text)
    }

    pub fn shape(&self) -> AnswerShape<'_> {
        match self.kind {
            QuestionKind::YesNo => AnswerShape::YesNo,
            QuestionKind::Number { .. } => AnswerShape::Number,
            QuestionKind::Date => AnswerShape::Date,
            QuestionKind::Members => AnswerShape::Members,
            QuestionKind::Choice => {
                AnswerShape::Choice(self.choices.iter().map(|c| c.id.as_str()).collect())
            }
        }
    }
}

/// How a deadline is counted from the named event date: `days` after it (初日不算入, so a move on
/// 1 April with 14 days gives 15 April; with `first_day`, the day itself counts, as 戸籍法
/// 第43条 counts a birth's 14 days), or, when `months` is not 0, that many months after it by
/// the calendar (民法 第143条: a death on 10 April with 3 months gives 10 July, and a count
/// that ends on a day the month lacks ends on the month's last day).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineRule {
    pub days: u32,
    pub months: u32,
    pub first_day: bool,
    pub from: EventDate,
    /// The legal basis, e.g. 「住民基本台帳法 第22条」.
    pub basis: String,
}

/// One condition under which a procedure applies, with the reason given to the resident.
#[derive(Clone, Debug)]
pub struct Rule {
    pub when: Condition,
    /// May cite `{ages}` (the ages of the members the condition matched) and `{count}`. Its
    /// `easy` wording (やさしい日本語 with ルビ) may be empty; `rules check` warns when it is.
    pub because: Text,
    pub effective: Period,
    pub at: Location,
}

/// One version of a procedure; the same id may have several versions with disjoint periods.
#[derive(Clone, Debug)]
pub struct Procedure {
    pub id: String,
    pub name: Text,
    pub counter: usize,
    pub forms: Vec<usize>,
    pub bring: Vec<usize>,
    pub deadlines: Vec<DeadlineRule>,
    pub source: String,
    pub effective: Period,
    /// Missing it costs the resident (money, a lapsed certification): always shown.
    pub critical: bool,
    pub note: Option<Phrase>,
    /// What the counter charges for what it issues.
    pub fees: Vec<Fee>,
    /// Procedures to finish first when they apply too (国民健康保険の加入 before 子ども医療費,
    /// whose certificate needs the insurance card), by id. Checked: known ids, no cycle.
    pub after: Vec<String>,
    pub rules: Vec<Rule>,
    pub at: Location,
}

/// Which address of a case an event asks for (the kiosk's and the home page's fields, the
/// forms' `previous_address` …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressRole {
    /// Where the household lived before (転入, 転居).
    Previous,
    /// The new address in this municipality (転入, 転居).
    New,
    /// Where a 転出 goes.
    Next,
}

impl AddressRole {
    pub const ALL: [AddressRole; 3] = [AddressRole::Previous, AddressRole::New, AddressRole::Next];

    pub fn id(self) -> &'static str {
        match self {
            AddressRole::Previous => "previous",
            AddressRole::New => "new",
            AddressRole::Next => "next",
        }
    }
}

/// How the screens and the guidance sheet speak to the resident during an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// The counter's usual words.
    #[default]
    Plain,
    /// For a bereaved family: gentle words, no 「異動」, 「お亡くなりになった方」.
    Condolence,
}

/// One named date of an event, as the screens ask for it and deadlines count from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventDateDef {
    pub id: EventDate,
    pub name: Text,
    /// When the case does not give this date, the one named here stands in (死亡を知った日 →
    /// 死亡日): deadlines counted from it then count from that date.
    pub otherwise: Option<EventDate>,
}

/// A life event the counter handles (`events.toml`): its name, its dates, which addresses it
/// asks for, and whether it is about one member (the person who died, the child born).
#[derive(Clone, Debug)]
pub struct EventDef {
    pub id: EventKind,
    pub name: Text,
    /// The day the event happens, on which ages are taken (異動日, 死亡日, 出生日).
    pub date: EventDateDef,
    /// The event's other dates, in the order the screens ask for them.
    pub dates: Vec<EventDateDef>,
    pub addresses: Vec<AddressRole>,
    /// What the member the event is about is called (「お亡くなりになった方」), for events about
    /// one member; the case then names that member (`event.subject`).
    pub subject: Option<Text>,
    pub tone: Tone,
    pub at: Location,
}

impl EventDef {
    /// Every date of the event: its own, the visit, and the others.
    pub fn date_ids(&self) -> impl Iterator<Item = EventDate> + '_ {
        [self.date.id, EventDate::VISIT_DATE]
            .into_iter()
            .chain(self.dates.iter().map(|d| d.id))
    }

    pub fn date_def(&self, id: EventDate) -> Option<&EventDateDef> {
        std::iter::once(&self.date)
            .chain(&self.dates)
            .find(|d| d.id == id)
    }

    pub fn asks(&self, role: AddressRole) -> bool {
        self.addresses.contains(&role)
    }
}

/// The whole catalogue.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    pub info: Info,
    /// The life events, in the order the event screen offers them (`events.toml`).
    pub events: Vec<EventDef>,
    pub buildings: Vec<Building>,
    pub counters: Vec<Counter>,
    pub items: Vec<Item>,
    pub forms: Vec<Form>,
    pub questions: Vec<Question>,
    pub procedures: Vec<Procedure>,
    /// The days the offices are closed (`holidays.csv`, `calendar.toml`).
    pub calendar: crate::calendar::Calendar,
    /// Changes an age brings soon after the move (`transitions.toml`).
    pub transitions: Vec<crate::transitions::Transition>,
    /// How many days after the move a coming change is still told.
    pub transition_window_days: u32,
    /// The form templates the catalogue carries (`forms/*.toml` and their backgrounds, the
    /// city's own forms from the form editor): the rules never read them; the packet prints
    /// with them instead of the shipped templates of the same forms.
    pub form_files: crate::files::FormFiles,
    /// Each translated language's texts: how many are translated and reviewed
    /// (`translations/*.toml`, [`crate::translations`]).
    pub languages: Vec<crate::translations::LanguageStatus>,
}

impl DeadlineRule {
    /// The last day the rule gives for a count starting on `start`; `None` past the calendar.
    pub fn counted(&self, start: NaiveDate) -> Option<NaiveDate> {
        if self.months > 0 {
            start.checked_add_months(chrono::Months::new(self.months))
        } else if self.first_day {
            start.checked_add_days(chrono::Days::new(u64::from(self.days.saturating_sub(1))))
        } else {
            start.checked_add_days(chrono::Days::new(u64::from(self.days)))
        }
    }
}

impl Catalogue {
    pub fn event(&self, kind: EventKind) -> Option<&EventDef> {
        self.events.iter().find(|e| e.id == kind)
    }

    /// The event's name, or its id when the catalogue does not know it (a case decided under
    /// another version).
    pub fn event_name(&self, kind: EventKind) -> Text {
        self.event(kind).map_or_else(
            || Text::new(kind.id(), kind.id(), kind.id()),
            |e| e.name.clone(),
        )
    }

    /// The event kinds, in catalogue order.
    pub fn event_kinds(&self) -> Vec<EventKind> {
        self.events.iter().map(|e| e.id).collect()
    }

    /// A procedure's Japanese name, or its id when the catalogue does not know it (a case
    /// decided under another version).
    pub fn procedure_name(&self, id: &str) -> String {
        self.procedures
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_string(), |p| p.name.ja.clone())
    }

    /// A counter's Japanese name, or its id when the catalogue does not know it.
    pub fn counter_name(&self, id: &str) -> String {
        self.counters
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_string(), |c| c.name.ja.clone())
    }

    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    /// A condition as the catalogue file would hold it.
    pub fn condition_text(&self, condition: &Condition) -> String {
        crate::condition::print_condition(condition, &|q| self.questions[q].id.clone())
    }

    /// The versions of procedure `id`, in catalogue order.
    pub fn procedure_versions<'a>(
        &'a self,
        id: &'a str,
    ) -> impl Iterator<Item = &'a Procedure> + 'a {
        self.procedures.iter().filter(move |p| p.id == id)
    }
}

impl crate::condition::QuestionLookup for Catalogue {
    fn lookup(&self, id: &str) -> Option<(usize, AnswerShape<'_>)> {
        let i = self.question_index(id)?;
        Some((i, self.questions[i].shape()))
    }

    fn events(&self) -> Vec<EventKind> {
        self.event_kinds()
    }
}

impl Labels for Catalogue {
    fn event(&self, kind: EventKind) -> (String, String) {
        let name = self.event_name(kind);
        (name.ja, name.en)
    }

    fn question(&self, question: usize) -> (String, String) {
        let q = &self.questions[question];
        (q.label.ja.clone(), q.label.en.clone())
    }

    fn option(&self, question: usize, option: &str) -> (String, String) {
        self.questions[question]
            .choices
            .iter()
            .find(|c| c.id == option)
            .map(|c| (c.text.ja.clone(), c.text.en.clone()))
            .unwrap_or_else(|| (option.to_string(), option.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    fn rule(days: u32, months: u32, first_day: bool) -> DeadlineRule {
        DeadlineRule {
            days,
            months,
            first_day,
            from: EventDate::VISIT_DATE,
            basis: String::new(),
        }
    }

    #[test]
    fn deadlines_count_days_months_and_first_days_as_the_laws_do() {
        // 住民基本台帳法: 14 days after a move on 1 April, the day itself not counted.
        assert_eq!(
            rule(14, 0, false).counted(day(2026, 4, 1)),
            Some(day(2026, 4, 15))
        );
        // 戸籍法 第49条・第43条: a birth on 1 April is reported by 14 April.
        assert_eq!(
            rule(14, 0, true).counted(day(2026, 4, 1)),
            Some(day(2026, 4, 14))
        );
        // 民法 第915条・第143条: three months after learning on 10 April ends on 10 July.
        assert_eq!(
            rule(0, 3, false).counted(day(2026, 4, 10)),
            Some(day(2026, 7, 10))
        );
        // A month without the day ends on its last day.
        assert_eq!(
            rule(0, 1, false).counted(day(2026, 1, 31)),
            Some(day(2026, 2, 28))
        );
        assert_eq!(
            rule(0, 24, false).counted(day(2024, 2, 29)),
            Some(day(2026, 2, 28))
        );
        assert_eq!(rule(0, 1, false).counted(NaiveDate::MAX), None);
    }
}
