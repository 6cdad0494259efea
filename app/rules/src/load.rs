//! Reads a catalogue's files into a [`Catalogue`], collecting every problem as a [`Diagnostic`].
//!
//! ```text
//! catalogue.toml        [catalogue] name, version, municipality
//! events.toml           [[event]]    the life events (`events`)
//! counters.toml         [[counter]]
//! items.toml            [[item]]     things to bring
//! forms.toml            [[form]]     forms the kiosk prints
//! questions.toml        [[question]]
//! procedures/*.toml     [[procedure]] with [[procedure.rule]]
//! scenarios/*.toml      scenario tests (see `scenario`)
//! ```
//!
//! Loading never stops at the first problem: a supervisor sees them all at once, each on one
//! line as `file:line: error: message`. See `docs/catalogue.md` for the format.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use madoguchi_domain::{Answer, EventDate, EventKind};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::value::Datetime;

use crate::catalogue::{
    Building, Catalogue, Choice, Counter, DeadlineRule, Fee, Form, Info, Item, KnownFrom, Location,
    Period, Phrase, Procedure, Question, QuestionKind, Rule, Text, Tier,
};
use crate::condition::{
    AnswerShape, Condition, MemberCondition, QuestionLookup, parse_condition,
    parse_member_condition,
};
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::files::{self, CatalogueFiles, read_folder};
use crate::transitions::{self, Starts, Transition};
use crate::validate;

// ---- the files as written -------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawText {
    pub(crate) ja: Option<String>,
    pub(crate) easy: Option<String>,
    pub(crate) en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInfoFile {
    catalogue: RawInfo,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInfo {
    name: String,
    version: String,
    municipality: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCounters {
    #[serde(default)]
    building: Vec<RawBuilding>,
    #[serde(default)]
    counter: Vec<RawCounter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuilding {
    id: Spanned<String>,
    name: RawText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounter {
    id: Spanned<String>,
    name: RawText,
    place: Option<RawText>,
    building: Option<Spanned<String>>,
    floor: Option<Spanned<i64>>,
    #[serde(default)]
    external: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFee {
    what: RawText,
    yen: Spanned<i64>,
    certificate: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawItems {
    #[serde(default)]
    item: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    text: RawText,
    #[serde(default)]
    for_proxy: bool,
    #[serde(default)]
    letter_of_attorney: bool,
    /// Listed only when this may hold (a condition that is false drops the item).
    #[serde(default)]
    when: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawForms {
    #[serde(default)]
    form: Vec<RawForm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    id: Spanned<String>,
    title: RawText,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawQuestions {
    #[serde(default)]
    question: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    tier: Spanned<String>,
    kind: Spanned<String>,
    text: RawText,
    #[serde(default)]
    variants: BTreeMap<String, RawText>,
    label: RawText,
    #[serde(default)]
    options: Vec<RawOption>,
    #[serde(default)]
    sensitive: bool,
    ask_when: Option<Spanned<String>>,
    #[serde(default)]
    known_from: Vec<RawKnownFrom>,
    who: Option<Spanned<String>>,
    #[serde(default)]
    fills: Vec<String>,
    min: Option<i64>,
    max: Option<i64>,
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    id: Spanned<String>,
    ja: Option<String>,
    easy: Option<String>,
    en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKnownFrom {
    when: Spanned<String>,
    answer: Spanned<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProcedures {
    #[serde(default)]
    procedure: Vec<RawProcedure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    id: Spanned<String>,
    name: RawText,
    counter: Spanned<String>,
    #[serde(default)]
    forms: Vec<Spanned<String>>,
    #[serde(default)]
    bring: Vec<Spanned<String>>,
    #[serde(default)]
    deadline: Vec<RawDeadline>,
    source: Option<String>,
    effective_from: Option<Spanned<Datetime>>,
    effective_to: Option<Spanned<Datetime>>,
    #[serde(default)]
    critical: bool,
    note: Option<RawText>,
    #[serde(default)]
    fees: Vec<RawFee>,
    #[serde(default)]
    after: Vec<Spanned<String>>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTransitions {
    window_days: Option<Spanned<i64>>,
    #[serde(default)]
    transition: Vec<RawTransition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    id: Spanned<String>,
    age: Spanned<i64>,
    starts: Spanned<String>,
    counter: Spanned<String>,
    name: RawText,
    todo: RawText,
    when: Option<Spanned<String>>,
    who: Option<Spanned<String>>,
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    days: Option<Spanned<i64>>,
    months: Option<Spanned<i64>>,
    #[serde(default)]
    first_day: bool,
    from: Spanned<String>,
    basis: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    when: Spanned<String>,
    because: Option<RawText>,
    effective_from: Option<Spanned<Datetime>>,
    effective_to: Option<Spanned<Datetime>>,
}

// ---- reading files ---------------------------------------------------------------------------

/// One catalogue file's text, for turning byte offsets into lines.
pub(crate) struct SourceFile {
    pub(crate) rel: PathBuf,
    src: String,
    lines: LineIndex,
}

impl SourceFile {
    pub(crate) fn new(rel: &str, src: &str) -> SourceFile {
        SourceFile {
            rel: PathBuf::from(rel),
            lines: LineIndex::new(src),
            src: src.to_string(),
        }
    }

    /// A file the catalogue must have.
    fn required(
        files: &CatalogueFiles,
        rel: &str,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<SourceFile> {
        let file = files.get(rel).map(|src| SourceFile::new(rel, src));
        if file.is_none() {
            problems.push(Diagnostic::error(
                Path::new(rel),
                0,
                "the catalogue has no such file",
            ));
        }
        file
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    pub(crate) fn location<T>(&self, spanned: &Spanned<T>) -> Location {
        Location {
            file: self.rel.clone(),
            line: self.line(spanned.span().start),
        }
    }

    pub(crate) fn error<T>(&self, spanned: &Spanned<T>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.rel, self.line(spanned.span().start), message)
    }

    pub(crate) fn parse<T: DeserializeOwned>(&self, problems: &mut Vec<Diagnostic>) -> Option<T> {
        match toml::from_str::<T>(&self.src) {
            Ok(value) => Some(value),
            Err(e) => {
                let line = e.span().map_or(0, |span| self.line(span.start));
                problems.push(Diagnostic::error(
                    &self.rel,
                    line,
                    e.message().trim().to_string(),
                ));
                None
            }
        }
    }

    /// The line of byte `offset` inside the string value `spanned`, allowing for a multi-line
    /// string whose first newline TOML trims.
    pub(crate) fn line_in_string(&self, spanned: &Spanned<String>, offset: usize) -> usize {
        let raw = &self.src[spanned.span()];
        let trimmed_newline = (raw.starts_with("\"\"\"") || raw.starts_with("'''"))
            && (raw[3..].starts_with('\n') || raw[3..].starts_with("\r\n"));
        let value = spanned.get_ref();
        let newlines = value[..offset.min(value.len())].matches('\n').count();
        self.line(spanned.span().start) + newlines + usize::from(trimmed_newline)
    }
}

fn read_optional<T: DeserializeOwned + Default>(
    files: &CatalogueFiles,
    rel: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<(SourceFile, T)> {
    let file = SourceFile::new(rel, files.get(rel)?);
    let value = file.parse(problems)?;
    Some((file, value))
}

// ---- resolving -------------------------------------------------------------------------------

/// Whether a text needs its やさしい日本語 wording: names and items shown to residents must have
/// one; reasons and places should (a warning); notes and labels for the clerk have none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Easy {
    Required,
    Wanted,
    Unused,
}

pub(crate) fn text(
    raw: &RawText,
    need_easy: Easy,
    what: &str,
    at: &Location,
    problems: &mut Vec<Diagnostic>,
) -> Text {
    let mut take = |value: &Option<String>, lang: &str, needed: bool| match value {
        Some(v) if !v.trim().is_empty() => v.clone(),
        _ => {
            if needed {
                problems.push(Diagnostic::error(
                    &at.file,
                    at.line,
                    format!("{what}: the `{lang}` translation is missing"),
                ));
            }
            String::new()
        }
    };
    let text = Text {
        ja: take(&raw.ja, "ja", true),
        easy: take(&raw.easy, "easy", need_easy == Easy::Required),
        en: take(&raw.en, "en", true),
        other: Default::default(),
    };
    if need_easy == Easy::Wanted && text.easy.is_empty() {
        problems.push(Diagnostic::warning(
            &at.file,
            at.line,
            format!("{what}: residents read it, but it has no `easy` wording (やさしい日本語 with ルビ, docs/catalogue.md)"),
        ));
    }
    // `{ages}` and `{count}` are filled before anyone reads the text; only its ルビ marks count.
    let marked = text.easy.replace("{ages}", "1").replace("{count}", "1");
    if let Err(error) = madoguchi_domain::ruby::parse(&marked) {
        problems.push(Diagnostic::error(
            &at.file,
            at.line,
            format!("{what}: the `easy` wording's ルビ mark is broken: {error}"),
        ));
    }
    text
}

fn phrase(raw: &RawText, what: &str, at: &Location, problems: &mut Vec<Diagnostic>) -> Phrase {
    let t = text(raw, Easy::Unused, what, at, problems);
    Phrase::new(t.ja, t.en)
}

fn date(
    file: &SourceFile,
    value: &Option<Spanned<Datetime>>,
    problems: &mut Vec<Diagnostic>,
) -> Option<NaiveDate> {
    let spanned = value.as_ref()?;
    let datetime = spanned.get_ref();
    let day = match (datetime.date, datetime.time, datetime.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        _ => None,
    };
    match day {
        None => problems.push(file.error(
            spanned,
            format!("`{datetime}` is not a calendar date (write YYYY-MM-DD, without a time)"),
        )),
        Some(day) if !madoguchi_domain::limits::date_in_window(day) => {
            problems.push(file.error(
                spanned,
                format!(
                    "`{day}` lies outside the dates Madoguchi handles ({} to {})",
                    madoguchi_domain::limits::FIRST_DAY,
                    madoguchi_domain::limits::LAST_DAY
                ),
            ));
            return None;
        }
        Some(_) => {}
    }
    day
}

fn period(
    file: &SourceFile,
    from: &Option<Spanned<Datetime>>,
    to: &Option<Spanned<Datetime>>,
    problems: &mut Vec<Diagnostic>,
) -> Period {
    let period = Period {
        from: date(file, from, problems),
        to: date(file, to, problems),
    };
    if let (Some(f), Some(t), Some(spanned)) = (period.from, period.to, to)
        && t < f
    {
        problems.push(file.error(
            spanned,
            format!("effective_to {t} is before effective_from {f}"),
        ));
    }
    period
}

/// Ids are what conditions, scenarios and other tools refer to: keep them plain ASCII.
fn check_id(file: &SourceFile, id: &Spanned<String>, problems: &mut Vec<Diagnostic>) {
    let ok = !id.get_ref().is_empty()
        && id
            .get_ref()
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && id.get_ref().as_bytes()[0].is_ascii_lowercase();
    if !ok {
        problems.push(file.error(
            id,
            format!(
                "id `{}` must be lower-case ASCII letters, digits and _ and start with a letter",
                id.get_ref()
            ),
        ));
    }
}

/// Registers `id` in `table`, reporting a duplicate.
fn register(
    table: &mut HashMap<String, usize>,
    kind: &str,
    file: &SourceFile,
    id: &Spanned<String>,
    index: usize,
    first_seen: impl Fn(usize) -> Location,
    problems: &mut Vec<Diagnostic>,
) {
    check_id(file, id, problems);
    if let Some(&earlier) = table.get(id.get_ref()) {
        let at = first_seen(earlier);
        problems.push(file.error(
            id,
            format!(
                "duplicate {kind} id `{}` (first defined at {}:{})",
                id.get_ref(),
                at.file.display(),
                at.line
            ),
        ));
    } else {
        table.insert(id.get_ref().clone(), index);
    }
}

struct Lookup<'a> {
    questions: &'a [Question],
    index: &'a HashMap<String, usize>,
    events: &'a [EventKind],
}

impl QuestionLookup for Lookup<'_> {
    fn lookup(&self, id: &str) -> Option<(usize, AnswerShape<'_>)> {
        let &i = self.index.get(id)?;
        Some((i, self.questions[i].shape()))
    }

    fn events(&self) -> Vec<EventKind> {
        self.events.to_vec()
    }
}

fn condition(
    file: &SourceFile,
    text: &Spanned<String>,
    lookup: &Lookup<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Condition> {
    match parse_condition(text.get_ref(), lookup) {
        Ok(c) => Some(c),
        Err(e) => {
            let line = file.line_in_string(text, e.offset);
            problems.push(Diagnostic::error(
                &file.rel,
                line,
                format!("in condition: {}", e.message),
            ));
            None
        }
    }
}

/// A `who = "…"` condition over one member (facts only: ages, sex, nationality, relation).
fn member_condition(
    file: &SourceFile,
    text: &Spanned<String>,
    problems: &mut Vec<Diagnostic>,
) -> Option<MemberCondition> {
    match parse_member_condition(text.get_ref()) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            problems.push(Diagnostic::error(
                &file.rel,
                file.line_in_string(text, e.offset),
                format!("in condition: {}", e.message),
            ));
            None
        }
    }
}

/// `transitions.toml`, when the catalogue has one: the changes an age brings, and how many days
/// after the move they are told.
fn transitions(
    files: &CatalogueFiles,
    tables: &Tables,
    lookup: &Lookup<'_>,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Transition>, u32) {
    let Some((file, raw)) = read_optional::<RawTransitions>(files, "transitions.toml", problems)
    else {
        return (Vec::new(), transitions::DEFAULT_WINDOW_DAYS);
    };
    let window = match &raw.window_days {
        None => transitions::DEFAULT_WINDOW_DAYS,
        Some(days) => match u32::try_from(*days.get_ref()) {
            Ok(days @ 1..=731) => days,
            _ => {
                problems.push(file.error(days, "window_days is 1 to 731 (two years)"));
                transitions::DEFAULT_WINDOW_DAYS
            }
        },
    };
    let list = raw
        .transition
        .iter()
        .filter_map(|raw| transition(raw, &file, tables, lookup, problems))
        .collect();
    (list, window)
}

fn transition(
    raw: &RawTransition,
    file: &SourceFile,
    tables: &Tables,
    lookup: &Lookup<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Transition> {
    let at = file.location(&raw.id);
    let age = match u32::try_from(*raw.age.get_ref()) {
        Ok(age @ 0..=130) => age,
        _ => {
            problems.push(file.error(&raw.age, "age is 0 to 130"));
            return None;
        }
    };
    let Some(starts) = Starts::from_id(raw.starts.get_ref()) else {
        problems.push(file.error(
            &raw.starts,
            "starts is one of birthday, day_before, month_after, march_after",
        ));
        return None;
    };
    let counter = resolve_ref(&tables.counters, "counter", file, &raw.counter, problems)?;
    let when = match &raw.when {
        Some(text) => Some(condition(file, text, lookup, problems)?),
        None => None,
    };
    let who = match &raw.who {
        Some(text) => Some(member_condition(file, text, problems)?),
        None => None,
    };
    Some(Transition {
        id: raw.id.get_ref().clone(),
        age,
        starts,
        name: text(&raw.name, Easy::Required, "name", &at, problems),
        todo: text(&raw.todo, Easy::Required, "todo", &at, problems),
        counter,
        when,
        who,
        source: raw.source.clone().unwrap_or_default(),
        at,
    })
}

fn question_kind(
    raw: &RawQuestion,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> QuestionKind {
    match raw.kind.get_ref().as_str() {
        "yes_no" => QuestionKind::YesNo,
        "choice" => QuestionKind::Choice,
        "date" => QuestionKind::Date,
        "members" => QuestionKind::Members,
        "number" => {
            let (min, max) = (raw.min.unwrap_or(0), raw.max.unwrap_or(99));
            if min > max {
                problems.push(file.error(&raw.kind, format!("min {min} is above max {max}")));
            }
            QuestionKind::Number { min, max }
        }
        other => {
            problems.push(file.error(
                &raw.kind,
                format!(
                    "unknown question kind `{other}` (yes_no, number, choice, date or members)"
                ),
            ));
            QuestionKind::YesNo
        }
    }
}

const RESERVED_OPTIONS: [&str; 3] = ["yes", "no", "unknown"];

fn question_shell(
    raw: &RawQuestion,
    file: &SourceFile,
    events: &[EventKind],
    problems: &mut Vec<Diagnostic>,
) -> Question {
    let at = file.location(&raw.id);
    let id = raw.id.get_ref().clone();
    let tier = Tier::from_id(raw.tier.get_ref()).unwrap_or_else(|| {
        problems.push(file.error(
            &raw.tier,
            format!(
                "unknown tier `{}` (profile, core, detailed or follow_up)",
                raw.tier.get_ref()
            ),
        ));
        Tier::Detailed
    });
    let kind = question_kind(raw, file, problems);
    if raw.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
        problems.push(file.error(
            &raw.id,
            format!("question `{id}` has no `source` (the document or law it comes from)"),
        ));
    }
    let mut choices = Vec::new();
    for option in &raw.options {
        let oid = option.id.get_ref();
        check_id(file, &option.id, problems);
        if RESERVED_OPTIONS.contains(&oid.as_str()) {
            problems.push(file.error(
                &option.id,
                format!(
                    "option id `{oid}` is reserved (「わからない」 is added to every question)"
                ),
            ));
        }
        if choices.iter().any(|c: &Choice| &c.id == oid) {
            problems.push(file.error(&option.id, format!("duplicate option `{oid}`")));
        }
        let raw_text = RawText {
            ja: option.ja.clone(),
            easy: option.easy.clone(),
            en: option.en.clone(),
        };
        let option_at = file.location(&option.id);
        choices.push(Choice {
            id: oid.clone(),
            text: text(
                &raw_text,
                Easy::Required,
                &format!("option `{oid}`"),
                &option_at,
                problems,
            ),
        });
    }
    match kind {
        QuestionKind::Choice if choices.len() < 2 => {
            problems.push(file.error(
                &raw.kind,
                format!("choice question `{id}` needs at least two options"),
            ));
        }
        QuestionKind::Choice => {}
        _ if !choices.is_empty() => {
            problems.push(file.error(
                &raw.kind,
                format!(
                    "only choice questions take options (`{id}` is {})",
                    raw.kind.get_ref()
                ),
            ));
        }
        _ => {}
    }
    let mut variants = BTreeMap::new();
    for (event, raw_text) in &raw.variants {
        match EventKind::new(event)
            .ok()
            .filter(|kind| events.contains(kind))
        {
            Some(kind) => {
                variants.insert(
                    kind,
                    text(
                        raw_text,
                        Easy::Required,
                        &format!("question `{id}` variant `{event}`"),
                        &at,
                        problems,
                    ),
                );
            }
            None => problems.push(Diagnostic::error(
                &at.file,
                at.line,
                format!("question `{id}`: unknown event `{event}` in variants"),
            )),
        }
    }
    Question {
        text: text(
            &raw.text,
            Easy::Required,
            &format!("question `{id}` text"),
            &at,
            problems,
        ),
        label: phrase(&raw.label, &format!("question `{id}` label"), &at, problems),
        id,
        tier,
        kind,
        variants,
        choices,
        sensitive: raw.sensitive,
        ask_when: None,
        known_from: Vec::new(),
        who: None,
        fills: raw.fills.clone(),
        source: raw.source.clone(),
        at,
        common: Default::default(),
    }
}

fn known_answer(
    question: &Question,
    raw: &Spanned<String>,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> Option<Answer> {
    let word = raw.get_ref();
    let answer = match question.kind {
        QuestionKind::YesNo => {
            matches!(word.as_str(), "yes" | "no").then(|| Answer::from_text(word))
        }
        QuestionKind::Number { .. } => word.parse().ok().map(Answer::Number),
        // Known facts can say "nobody"; who is somebody is the resident's to say.
        QuestionKind::Members => (word == "no").then(|| Answer::Members(Vec::new())),
        QuestionKind::Date => match Answer::from_text(word) {
            a @ Answer::Date(_) => Some(a),
            _ => None,
        },
        QuestionKind::Choice => question
            .choices
            .iter()
            .any(|c| &c.id == word)
            .then(|| Answer::Choice(word.clone())),
    };
    if answer.is_none() {
        problems.push(file.error(
            raw,
            format!("`{word}` is not a possible answer to `{}`", question.id),
        ));
    }
    answer
}

struct Tables {
    counters: HashMap<String, usize>,
    items: HashMap<String, usize>,
    forms: HashMap<String, usize>,
    /// Every date some event has, which deadlines may count from.
    event_dates: BTreeSet<EventDate>,
}

fn resolve_ref(
    table: &HashMap<String, usize>,
    kind: &str,
    file: &SourceFile,
    id: &Spanned<String>,
    problems: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let found = table.get(id.get_ref()).copied();
    if found.is_none() {
        problems.push(file.error(id, format!("unknown {kind} `{}`", id.get_ref())));
    }
    found
}

fn procedure(
    raw: &RawProcedure,
    file: &SourceFile,
    tables: &Tables,
    lookup: &Lookup<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Procedure {
    let at = file.location(&raw.id);
    let id = raw.id.get_ref().clone();
    check_id(file, &raw.id, problems);
    let counter =
        resolve_ref(&tables.counters, "counter", file, &raw.counter, problems).unwrap_or(0);
    let forms = raw
        .forms
        .iter()
        .filter_map(|f| resolve_ref(&tables.forms, "form", file, f, problems))
        .collect();
    let bring = raw
        .bring
        .iter()
        .filter_map(|i| resolve_ref(&tables.items, "item", file, i, problems))
        .collect();
    let deadlines = raw
        .deadline
        .iter()
        .filter_map(|d| deadline(d, file, &tables.event_dates, problems))
        .collect();
    let source = raw.source.clone().unwrap_or_default();
    if source.trim().is_empty() {
        problems.push(Diagnostic::error(
            &at.file,
            at.line,
            format!(
                "procedure `{id}` has no `source` (its legal basis or the document it comes from)"
            ),
        ));
    }
    if raw.rule.is_empty() {
        problems.push(Diagnostic::error(
            &at.file,
            at.line,
            format!("procedure `{id}` is unreachable: it has no [[procedure.rule]]"),
        ));
    }
    let rules = raw
        .rule
        .iter()
        .filter_map(|r| {
            let rule_at = file.location(&r.when);
            let when = condition(file, &r.when, lookup, problems);
            let because = match &r.because {
                Some(b) => text(
                    b,
                    Easy::Wanted,
                    &format!("rule of `{id}`: because"),
                    &rule_at,
                    problems,
                ),
                None => {
                    problems.push(Diagnostic::error(
                        &rule_at.file,
                        rule_at.line,
                        format!(
                            "rule of `{id}` has no `because` (the reason shown to the resident)"
                        ),
                    ));
                    Text::default()
                }
            };
            let effective = period(file, &r.effective_from, &r.effective_to, problems);
            when.map(|when| Rule {
                when,
                because,
                effective,
                at: rule_at,
            })
        })
        .collect();
    Procedure {
        name: text(
            &raw.name,
            Easy::Required,
            &format!("procedure `{id}` name"),
            &at,
            problems,
        ),
        note: raw
            .note
            .as_ref()
            .map(|n| phrase(n, &format!("procedure `{id}` note"), &at, problems)),
        effective: period(file, &raw.effective_from, &raw.effective_to, problems),
        id,
        counter,
        forms,
        bring,
        deadlines,
        source,
        critical: raw.critical,
        fees: raw
            .fees
            .iter()
            .filter_map(|f| fee(f, file, problems))
            .collect(),
        after: raw
            .after
            .iter()
            .map(|a| {
                check_id(file, a, problems);
                a.get_ref().clone()
            })
            .collect(),
        rules,
        at,
    }
}

/// Most a fee may be: no certificate costs more, and a typo of a zero too many is caught.
const MAX_FEE_YEN: i64 = 100_000;

fn fee(raw: &RawFee, file: &SourceFile, problems: &mut Vec<Diagnostic>) -> Option<Fee> {
    let at = file.location(&raw.yen);
    let what = text(&raw.what, Easy::Wanted, "fee `what`", &at, problems);
    let yen = *raw.yen.get_ref();
    if !(0..=MAX_FEE_YEN).contains(&yen) {
        problems.push(Diagnostic::error(
            &at.file,
            at.line,
            format!("fee `yen` is {yen}: give the yen for one copy, 0 to {MAX_FEE_YEN}"),
        ));
        return None;
    }
    let certificate = match &raw.certificate {
        None => None,
        Some(name) => {
            let found = madoguchi_domain::CertificateKind::ALL
                .into_iter()
                .find(|kind| kind.id() == name.get_ref());
            if found.is_none() {
                let at = file.location(name);
                let known: Vec<&str> = madoguchi_domain::CertificateKind::ALL
                    .iter()
                    .map(|k| k.id())
                    .collect();
                problems.push(Diagnostic::error(
                    &at.file,
                    at.line,
                    format!(
                        "fee `certificate` `{}` is not one of {}",
                        name.get_ref(),
                        known.join(", ")
                    ),
                ));
                return None;
            }
            found
        }
    };
    Some(Fee {
        what,
        yen: u32::try_from(yen).unwrap_or(0),
        certificate,
    })
}

fn deadline(
    raw: &RawDeadline,
    file: &SourceFile,
    event_dates: &BTreeSet<EventDate>,
    problems: &mut Vec<Diagnostic>,
) -> Option<DeadlineRule> {
    let (days, months) = match (&raw.days, &raw.months) {
        (Some(days), None) => match u32::try_from(*days.get_ref()) {
            Ok(n) if n <= 3660 && (n > 0 || !raw.first_day) => (n, 0),
            _ => {
                problems.push(file.error(
                    days,
                    format!(
                        "deadline days {} must be between {} and 3660",
                        days.get_ref(),
                        u8::from(raw.first_day)
                    ),
                ));
                return None;
            }
        },
        (None, Some(months)) => match u32::try_from(*months.get_ref()) {
            Ok(n @ 1..=120) if !raw.first_day => (0, n),
            Ok(1..=120) => {
                problems.push(file.error(
                    months,
                    "a count in months never counts its first day (民法 第140条): drop first_day",
                ));
                return None;
            }
            _ => {
                problems.push(file.error(
                    months,
                    format!(
                        "deadline months {} must be between 1 and 120",
                        months.get_ref()
                    ),
                ));
                return None;
            }
        },
        _ => {
            problems.push(file.error(
                &raw.from,
                "a deadline counts either `days` or `months`: give one of them",
            ));
            return None;
        }
    };
    let Some(from) = EventDate::new(raw.from.get_ref())
        .ok()
        .filter(|from| event_dates.contains(from))
    else {
        let known: Vec<&str> = event_dates.iter().map(|d| d.id()).collect();
        problems.push(file.error(
            &raw.from,
            format!(
                "unknown event date `{}` (the events' dates: {})",
                raw.from.get_ref(),
                known.join(", ")
            ),
        ));
        return None;
    };
    let basis = raw.basis.clone().unwrap_or_default();
    if basis.trim().is_empty() {
        problems.push(file.error(&raw.from, "a deadline needs its legal `basis`"));
    }
    Some(DeadlineRule {
        days,
        months,
        first_day: raw.first_day,
        from,
        basis,
    })
}

/// Everything a successful load gives: the catalogue, and warnings worth a supervisor's look.
#[derive(Debug)]
pub struct Loaded {
    pub catalogue: Catalogue,
    pub warnings: Vec<Diagnostic>,
}

/// Reads the catalogue folder `dir` and loads it ([`read_folder`], then [`load_files`]).
pub fn load(dir: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    load_files(&read_folder(dir)?)
}

/// What stops the catalogue first, in file order, then the warnings: the editor fixes the top
/// line first.
fn errors_first(mut problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    problems
        .sort_by(|a, b| (!a.is_error(), &a.file, a.line).cmp(&(!b.is_error(), &b.file, b.line)));
    problems
}

/// Loads and validates a catalogue's files. Errors come back all together, in file order,
/// each naming its file by its path in the catalogue.
pub fn load_files(files: &CatalogueFiles) -> Result<Loaded, Vec<Diagnostic>> {
    let mut problems = files::check(files);
    if !problems.is_empty() {
        return Err(problems);
    }
    let info = SourceFile::required(files, "catalogue.toml", &mut problems)
        .and_then(|f| f.parse::<RawInfoFile>(&mut problems))
        .map(|raw| Info {
            name: raw.catalogue.name,
            version: raw.catalogue.version,
            municipality: raw.catalogue.municipality,
        })
        .unwrap_or_default();
    let mut catalogue = Catalogue {
        info,
        calendar: crate::calendar::load(files, &mut problems),
        ..Catalogue::default()
    };
    let mut tables = Tables {
        counters: HashMap::new(),
        items: HashMap::new(),
        forms: HashMap::new(),
        event_dates: BTreeSet::new(),
    };

    if let Some((file, raw)) = read_optional::<RawCounters>(files, "counters.toml", &mut problems) {
        let mut buildings: HashMap<String, usize> = HashMap::new();
        for b in raw.building {
            let at = file.location(&b.id);
            let index = catalogue.buildings.len();
            register(
                &mut buildings,
                "building",
                &file,
                &b.id,
                index,
                |i| catalogue.buildings[i].at.clone(),
                &mut problems,
            );
            let id = b.id.into_inner();
            catalogue.buildings.push(Building {
                name: text(
                    &b.name,
                    Easy::Required,
                    &format!("building `{id}` name"),
                    &at,
                    &mut problems,
                ),
                id,
                at,
            });
        }
        for c in raw.counter {
            let at = file.location(&c.id);
            let index = catalogue.counters.len();
            register(
                &mut tables.counters,
                "counter",
                &file,
                &c.id,
                index,
                |i| catalogue.counters[i].at.clone(),
                &mut problems,
            );
            let id = c.id.into_inner();
            catalogue.counters.push(Counter {
                name: text(
                    &c.name,
                    Easy::Required,
                    &format!("counter `{id}` name"),
                    &at,
                    &mut problems,
                ),
                place: c.place.as_ref().map(|p| {
                    text(
                        p,
                        Easy::Wanted,
                        &format!("counter `{id}` place"),
                        &at,
                        &mut problems,
                    )
                }),
                building: c.building.as_ref().and_then(|b| {
                    let found = buildings.get(b.get_ref()).copied();
                    if found.is_none() {
                        let at = file.location(b);
                        problems.push(Diagnostic::error(
                            &at.file,
                            at.line,
                            format!(
                                "counter `{id}`: no building `{}` in counters.toml",
                                b.get_ref()
                            ),
                        ));
                    }
                    found
                }),
                floor: c.floor.as_ref().and_then(|f| {
                    let floor = *f.get_ref();
                    if (-9..=99).contains(&floor) {
                        i32::try_from(floor).ok()
                    } else {
                        let at = file.location(f);
                        problems.push(Diagnostic::error(
                            &at.file,
                            at.line,
                            format!("counter `{id}`: floor {floor} is not between -9 and 99"),
                        ));
                        None
                    }
                }),
                external: c.external,
                id,
                at,
            });
        }
    }
    // Items' conditions name questions, so they are parsed once the questions are known.
    let mut item_conditions: Vec<(usize, Spanned<String>)> = Vec::new();
    let mut items_file = None;
    if let Some((file, raw)) = read_optional::<RawItems>(files, "items.toml", &mut problems) {
        for item in raw.item {
            let at = file.location(&item.id);
            let index = catalogue.items.len();
            register(
                &mut tables.items,
                "item",
                &file,
                &item.id,
                index,
                |i| catalogue.items[i].at.clone(),
                &mut problems,
            );
            let id = item.id.into_inner();
            catalogue.items.push(Item {
                text: text(
                    &item.text,
                    Easy::Required,
                    &format!("item `{id}`"),
                    &at,
                    &mut problems,
                ),
                for_proxy: item.for_proxy,
                letter_of_attorney: item.letter_of_attorney,
                when: None,
                id,
                at,
            });
            if let Some(when) = item.when {
                item_conditions.push((index, when));
            }
        }
        items_file = Some(file);
    }
    if let Some((file, raw)) = read_optional::<RawForms>(files, "forms.toml", &mut problems) {
        for form in raw.form {
            let at = file.location(&form.id);
            let index = catalogue.forms.len();
            register(
                &mut tables.forms,
                "form",
                &file,
                &form.id,
                index,
                |i| catalogue.forms[i].at.clone(),
                &mut problems,
            );
            let id = form.id.into_inner();
            catalogue.forms.push(Form {
                title: phrase(
                    &form.title,
                    &format!("form `{id}` title"),
                    &at,
                    &mut problems,
                ),
                id,
                at,
            });
        }
    }

    catalogue.events = crate::events::load(files, &mut problems);
    let events = catalogue.event_kinds();
    tables.event_dates = catalogue.events.iter().flat_map(|e| e.date_ids()).collect();

    let mut question_index = HashMap::new();
    let questions_file = SourceFile::required(files, "questions.toml", &mut problems);
    let raw_questions = questions_file
        .as_ref()
        .and_then(|f| f.parse::<RawQuestions>(&mut problems))
        .unwrap_or_default();
    if let Some(file) = &questions_file {
        for raw in &raw_questions.question {
            let index = catalogue.questions.len();
            register(
                &mut question_index,
                "question",
                file,
                &raw.id,
                index,
                |i| catalogue.questions[i].at.clone(),
                &mut problems,
            );
            catalogue
                .questions
                .push(question_shell(raw, file, &events, &mut problems));
        }
        // Conditions may name questions defined further down, so they are parsed second.
        let shells = catalogue.questions.clone();
        let lookup = Lookup {
            questions: &shells,
            index: &question_index,
            events: &events,
        };
        for (question, raw) in catalogue.questions.iter_mut().zip(&raw_questions.question) {
            question.ask_when = raw
                .ask_when
                .as_ref()
                .and_then(|w| condition(file, w, &lookup, &mut problems));
            question.known_from = raw
                .known_from
                .iter()
                .filter_map(|k| {
                    let when = condition(file, &k.when, &lookup, &mut problems)?;
                    let answer = known_answer(question, &k.answer, file, &mut problems)?;
                    Some(KnownFrom { when, answer })
                })
                .collect();
            question.who = raw.who.as_ref().and_then(|who| {
                if question.kind != QuestionKind::Members {
                    problems.push(file.error(
                        who,
                        format!(
                            "only `members` questions take `who` (`{}` is not one)",
                            question.id
                        ),
                    ));
                    return None;
                }
                member_condition(file, who, &mut problems)
            });
        }
    }

    let lookup = Lookup {
        questions: &catalogue.questions,
        index: &question_index,
        events: &events,
    };
    if let Some(file) = &items_file {
        for (index, when) in &item_conditions {
            catalogue.items[*index].when = condition(file, when, &lookup, &mut problems);
        }
    }
    let mut procedures = Vec::new();
    let mut procedure_files = files::in_folder(files, "procedures").peekable();
    if procedure_files.peek().is_none() {
        problems.push(Diagnostic::error(
            Path::new("procedures"),
            0,
            "the catalogue has no procedure files (procedures/*.toml)",
        ));
    }
    for (rel, src) in procedure_files {
        let file = SourceFile::new(rel, src);
        let Some(raw) = file.parse::<RawProcedures>(&mut problems) else {
            continue;
        };
        if raw.procedure.is_empty() {
            problems.push(Diagnostic::warning(
                &file.rel,
                0,
                "no [[procedure]] in this file",
            ));
        }
        procedures.extend(
            raw.procedure
                .iter()
                .map(|p| procedure(p, &file, &tables, &lookup, &mut problems)),
        );
    }
    catalogue.procedures = procedures;
    let (transitions, window) = transitions(files, &tables, &lookup, &mut problems);
    catalogue.transitions = transitions;
    catalogue.transition_window_days = window;
    catalogue.form_files = files::FormFiles::of(files);
    let (languages, translation_warnings) =
        crate::translations::apply(&mut catalogue, files, &mut problems);
    catalogue.languages = languages;

    if catalogue.questions.is_empty() && questions_file.is_some() {
        problems.push(Diagnostic::error(
            Path::new("questions.toml"),
            0,
            "the catalogue defines no questions",
        ));
    }
    if problems.iter().any(Diagnostic::is_error) {
        return Err(errors_first(problems));
    }
    // Semantic checks need a fully resolved catalogue.
    problems.extend(validate::check(&catalogue));
    problems.extend(crate::calendar::missing_holidays(files));
    if problems.iter().any(Diagnostic::is_error) {
        return Err(errors_first(problems));
    }
    problems.extend(translation_warnings);
    Ok(Loaded {
        catalogue,
        warnings: problems,
    })
}
