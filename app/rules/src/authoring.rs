//! Changing a catalogue's files the way a supervisor's editor does: one value at a time, in
//! place, so that the comments and layout a reviewer reads survive every edit.
//!
//! A [`Draft`] holds the files of one catalogue version (path → text, as stored). Entries are
//! found by their file and their position in it ([`EntryRef`]), which is what the loader's
//! [`Location`](crate::catalogue::Location)s give. Every edit leaves valid TOML; whether the
//! catalogue still makes sense is the loader's and the scenario runner's job.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use madoguchi_domain::EventDate;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use crate::Catalogue;
use crate::catalogue::Location;
use crate::decision::Decision;

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthoringError {
    #[error("{file}: the file is not in this catalogue")]
    NoFile { file: String },
    #[error("{file}: the file is not valid TOML ({message})")]
    NotToml { file: String, message: String },
    #[error("{file}: entry {ordinal} of [[{table}]] does not exist")]
    NoEntry {
        file: String,
        table: String,
        ordinal: usize,
    },
    #[error("{name}: a form file is a plain name ending in .toml or .b64")]
    FormName { name: String },
}

/// Which `[[table]]` entry of which file: `ordinal` counts from 0 in file order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntryRef {
    pub file: String,
    pub ordinal: usize,
}

/// Text in Japanese, やさしい日本語 and English; an empty `easy` is left out of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wording {
    pub ja: String,
    pub easy: String,
    pub en: String,
}

/// One deadline as written: `days` (or, when not 0, `months`) after the event date `from`,
/// with its legal basis; `first_day` counts the day itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineText {
    pub days: u32,
    pub months: u32,
    pub first_day: bool,
    pub from: EventDate,
    pub basis: String,
}

/// One change to a `[[procedure]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProcedureEdit {
    Name(Wording),
    Counter(String),
    Forms(Vec<String>),
    Bring(Vec<String>),
    Deadlines(Vec<DeadlineText>),
    Source(String),
    EffectiveFrom(Option<NaiveDate>),
    EffectiveTo(Option<NaiveDate>),
    Critical(bool),
    /// The condition of rule `rule`, as condition text.
    RuleWhen {
        rule: usize,
        text: String,
    },
    RuleBecause {
        rule: usize,
        wording: Wording,
    },
    RuleEffective {
        rule: usize,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
    AddRule {
        when: String,
        because: Wording,
    },
    RemoveRule(usize),
}

/// One change to a `[[question]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionEdit {
    Text(Wording),
    Label(Wording),
    Sensitive(bool),
    Source(String),
    /// `None` asks the question whenever it can change the result.
    AskWhen(Option<String>),
}

/// A catalogue version's files being changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    files: BTreeMap<String, String>,
}

impl Draft {
    pub fn new(files: BTreeMap<String, String>) -> Draft {
        Draft { files }
    }

    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    pub fn into_files(self) -> BTreeMap<String, String> {
        self.files
    }

    /// Where the catalogue's procedure `index` is written.
    pub fn procedure_ref(catalogue: &Catalogue, index: usize) -> EntryRef {
        let places: Vec<&Location> = catalogue.procedures.iter().map(|p| &p.at).collect();
        entry_ref(&places, index)
    }

    /// Where the catalogue's question `index` is written.
    pub fn question_ref(catalogue: &Catalogue, index: usize) -> EntryRef {
        let places: Vec<&Location> = catalogue.questions.iter().map(|q| &q.at).collect();
        entry_ref(&places, index)
    }

    pub fn edit_procedure(
        &mut self,
        at: &EntryRef,
        edit: &ProcedureEdit,
    ) -> Result<(), AuthoringError> {
        self.edit_entry(at, "procedure", |table| apply_procedure_edit(table, edit))
    }

    pub fn edit_question(
        &mut self,
        at: &EntryRef,
        edit: &QuestionEdit,
    ) -> Result<(), AuthoringError> {
        self.edit_entry(at, "question", |table| apply_question_edit(table, edit))
    }

    /// Makes a scenario expect what `decision` gives: its procedures, and its procedures still
    /// to confirm where the scenario pins those. Reasons and deadlines of procedures that no
    /// longer apply are dropped. This is how a supervisor accepts an intended change.
    pub fn accept_outcome(
        &mut self,
        file: &str,
        decision: &Decision,
    ) -> Result<(), AuthoringError> {
        let mut doc = self.document(file)?;
        let applied: BTreeSet<&str> = decision.procedures.iter().map(|p| p.id.as_str()).collect();
        let to_confirm: BTreeSet<&str> =
            decision.to_confirm.iter().map(|p| p.id.as_str()).collect();
        let expect = doc
            .entry("expect")
            .or_insert_with(toml_edit::table)
            .as_table_like_mut()
            .ok_or_else(|| not_toml(file, "[expect] is not a table"))?;
        expect.insert("procedures", Item::Value(string_array(&applied)));
        if expect.contains_key("to_confirm") {
            expect.insert("to_confirm", Item::Value(string_array(&to_confirm)));
        }
        let known: BTreeSet<&str> = applied.union(&to_confirm).copied().collect();
        for pinned in ["reasons", "deadlines", "deadline_moved"] {
            if let Some(table) = expect.get_mut(pinned).and_then(Item::as_table_like_mut) {
                let gone: Vec<String> = table
                    .iter()
                    .map(|(id, _)| id.to_string())
                    .filter(|id| !known.contains(id.as_str()))
                    .collect();
                gone.iter().for_each(|id| {
                    table.remove(id);
                });
            }
        }
        self.files.insert(file.to_string(), doc.to_string());
        Ok(())
    }

    /// Records a day the city's offices are closed (`calendar.toml`, `[[closed]]`), or renames
    /// the one already on `date`. The catalogue's loader checks the name and the date.
    pub fn set_closed_day(&mut self, date: NaiveDate, name: &str) -> Result<(), AuthoringError> {
        let file = crate::calendar::CALENDAR_FILE;
        let mut doc = match self.files.get(file) {
            Some(_) => self.document(file)?,
            None => DocumentMut::new(),
        };
        let days = closed_days(&mut doc, file)?;
        let day = date_value(date);
        if let Some(entry) = days.iter_mut().find(|t| is_on(t, &day)) {
            set(entry, "name", Some(name.into()));
        } else {
            let mut entry = Table::new();
            entry.insert("date", Item::Value(day));
            entry.insert("name", Item::Value(name.into()));
            days.push(entry);
        }
        self.files.insert(file.to_string(), doc.to_string());
        Ok(())
    }

    /// Takes the city's closed day on `date` off the calendar; `false` when there was none.
    pub fn remove_closed_day(&mut self, date: NaiveDate) -> Result<bool, AuthoringError> {
        let file = crate::calendar::CALENDAR_FILE;
        if !self.files.contains_key(file) {
            return Ok(false);
        }
        let mut doc = self.document(file)?;
        let days = closed_days(&mut doc, file)?;
        let day = date_value(date);
        let Some(index) = days.iter().position(|t| is_on(t, &day)) else {
            return Ok(false);
        };
        days.remove(index);
        if days.is_empty() {
            doc.remove("closed");
        }
        self.files.insert(file.to_string(), doc.to_string());
        Ok(true)
    }

    /// Adds a scenario file under `scenarios/`, named after `stem` and not clashing with an
    /// existing one; returns its path.
    pub fn add_scenario(&mut self, stem: &str, text: String) -> String {
        let taken = |name: &String| self.files.contains_key(name);
        let mut path = format!("scenarios/{stem}.toml");
        let mut n = 2;
        while taken(&path) {
            path = format!("scenarios/{stem}-{n}.toml");
            n += 1;
        }
        self.files.insert(path.clone(), text);
        path
    }

    /// Puts the form editor's file `name` (a template `<name>.toml`, or a background's base64
    /// text `<name>.b64`) in the catalogue's `forms/` folder, replacing one of that name.
    pub fn put_form_file(&mut self, name: &str, text: String) -> Result<(), AuthoringError> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name.len() <= 100
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && (name.ends_with(".toml") || name.ends_with(".b64"));
        if !plain {
            return Err(AuthoringError::FormName { name: name.into() });
        }
        self.files
            .insert(format!("{}{name}", crate::files::FORMS_FOLDER), text);
        Ok(())
    }

    /// Takes the form file `name` out of the catalogue's `forms/` folder; whether it was there.
    pub fn remove_form_file(&mut self, name: &str) -> bool {
        self.files
            .remove(&format!("{}{name}", crate::files::FORMS_FOLDER))
            .is_some()
    }

    fn document(&self, file: &str) -> Result<DocumentMut, AuthoringError> {
        let text = self.files.get(file).ok_or_else(|| AuthoringError::NoFile {
            file: file.to_string(),
        })?;
        text.parse::<DocumentMut>()
            .map_err(|e| not_toml(file, e.message()))
    }

    fn edit_entry(
        &mut self,
        at: &EntryRef,
        table: &str,
        edit: impl FnOnce(&mut Table),
    ) -> Result<(), AuthoringError> {
        let mut doc = self.document(&at.file)?;
        let entry = doc
            .get_mut(table)
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|entries| entries.get_mut(at.ordinal))
            .ok_or_else(|| AuthoringError::NoEntry {
                file: at.file.clone(),
                table: table.to_string(),
                ordinal: at.ordinal,
            })?;
        edit(entry);
        self.files.insert(at.file.clone(), doc.to_string());
        Ok(())
    }
}

/// The `[[closed]]` entries of the calendar file, made when there are none.
fn closed_days<'d>(
    doc: &'d mut DocumentMut,
    file: &str,
) -> Result<&'d mut ArrayOfTables, AuthoringError> {
    doc.entry("closed")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| not_toml(file, "closed is not a list of [[closed]] days"))
}

fn is_on(entry: &Table, day: &Value) -> bool {
    let written = entry
        .get("date")
        .and_then(Item::as_value)
        .and_then(Value::as_datetime);
    written.is_some_and(|d| Some(d) == day.as_datetime())
}

/// Entry `index` of a list of entries loaded in file order, as its file and its position there.
fn entry_ref(places: &[&Location], index: usize) -> EntryRef {
    let file = &places[index].file;
    let ordinal = places[..index].iter().filter(|p| &p.file == file).count();
    EntryRef {
        file: path_text(file),
        ordinal,
    }
}

fn not_toml(file: &str, message: &str) -> AuthoringError {
    AuthoringError::NotToml {
        file: file.to_string(),
        message: message.trim().to_string(),
    }
}

fn path_text(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn apply_procedure_edit(table: &mut Table, edit: &ProcedureEdit) {
    match edit {
        ProcedureEdit::Name(wording) => set(table, "name", Some(wording_value(wording))),
        ProcedureEdit::Counter(id) => set(table, "counter", Some(id.as_str().into())),
        ProcedureEdit::Forms(ids) => set(table, "forms", non_empty(ids)),
        ProcedureEdit::Bring(ids) => set(table, "bring", non_empty(ids)),
        ProcedureEdit::Deadlines(deadlines) => set_deadlines(table, deadlines),
        ProcedureEdit::Source(text) => set(table, "source", text_value(text)),
        ProcedureEdit::EffectiveFrom(day) => set(table, "effective_from", day.map(date_value)),
        ProcedureEdit::EffectiveTo(day) => set(table, "effective_to", day.map(date_value)),
        ProcedureEdit::Critical(critical) => {
            set(table, "critical", critical.then(|| Value::from(true)))
        }
        ProcedureEdit::RuleWhen { rule, text } => {
            with_rule(table, *rule, |r| set(r, "when", Some(text.as_str().into())))
        }
        ProcedureEdit::RuleBecause { rule, wording } => with_rule(table, *rule, |r| {
            set(r, "because", Some(wording_value(wording)))
        }),
        ProcedureEdit::RuleEffective { rule, from, to } => with_rule(table, *rule, |r| {
            set(r, "effective_from", from.map(date_value));
            set(r, "effective_to", to.map(date_value));
        }),
        ProcedureEdit::AddRule { when, because } => {
            let rules = table
                .entry("rule")
                .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
            if let Some(rules) = rules.as_array_of_tables_mut() {
                let mut rule = Table::new();
                rule.insert("when", Item::Value(when.as_str().into()));
                rule.insert("because", Item::Value(wording_value(because)));
                rules.push(rule);
            }
        }
        ProcedureEdit::RemoveRule(rule) => {
            if let Some(rules) = table.get_mut("rule").and_then(Item::as_array_of_tables_mut)
                && *rule < rules.len()
            {
                rules.remove(*rule);
            }
        }
    }
}

fn apply_question_edit(table: &mut Table, edit: &QuestionEdit) {
    match edit {
        QuestionEdit::Text(wording) => set(table, "text", Some(wording_value(wording))),
        QuestionEdit::Label(wording) => set(table, "label", Some(wording_value(wording))),
        QuestionEdit::Sensitive(sensitive) => {
            set(table, "sensitive", sensitive.then(|| Value::from(true)))
        }
        QuestionEdit::Source(text) => set(table, "source", text_value(text)),
        QuestionEdit::AskWhen(text) => set(
            table,
            "ask_when",
            text.as_deref()
                .filter(|t| !t.trim().is_empty())
                .map(Value::from),
        ),
    }
}

fn with_rule(table: &mut Table, rule: usize, edit: impl FnOnce(&mut Table)) {
    if let Some(entry) = table
        .get_mut("rule")
        .and_then(Item::as_array_of_tables_mut)
        .and_then(|rules| rules.get_mut(rule))
    {
        edit(entry)
    }
}

/// Sets `key` to `value`, keeping its place and the comment before it; `None` removes it.
fn set(table: &mut Table, key: &str, value: Option<Value>) {
    match value {
        Some(mut value) => match table.get_mut(key).and_then(Item::as_value_mut) {
            Some(old) => {
                *value.decor_mut() = old.decor().clone();
                *old = value;
            }
            None => {
                table.insert(key, Item::Value(value));
            }
        },
        None => {
            table.remove(key);
        }
    }
}

fn set_deadlines(table: &mut Table, deadlines: &[DeadlineText]) {
    if deadlines.is_empty() {
        set(table, "deadline", None);
        return;
    }
    let mut array = Array::new();
    for deadline in deadlines {
        let mut entry = InlineTable::new();
        if deadline.months > 0 {
            entry.insert("months", i64::from(deadline.months).into());
        } else {
            entry.insert("days", i64::from(deadline.days).into());
        }
        if deadline.first_day && deadline.months == 0 {
            entry.insert("first_day", true.into());
        }
        entry.insert("from", deadline.from.id().into());
        if !deadline.basis.trim().is_empty() {
            entry.insert("basis", deadline.basis.as_str().into());
        }
        array.push(entry);
    }
    // One deadline per line, as the shipped files write them.
    for value in array.iter_mut() {
        value.decor_mut().set_prefix("\n  ");
    }
    array.set_trailing(",\n");
    set(table, "deadline", Some(Value::Array(array)));
}

fn wording_value(wording: &Wording) -> Value {
    let mut table = InlineTable::new();
    table.insert("ja", wording.ja.trim().into());
    if !wording.easy.trim().is_empty() {
        table.insert("easy", wording.easy.trim().into());
    }
    table.insert("en", wording.en.trim().into());
    Value::InlineTable(table)
}

fn text_value(text: &str) -> Option<Value> {
    let text = text.trim();
    (!text.is_empty()).then(|| Value::from(text))
}

fn non_empty(ids: &[String]) -> Option<Value> {
    (!ids.is_empty()).then(|| Value::Array(ids.iter().map(String::as_str).collect()))
}

fn string_array(ids: &BTreeSet<&str>) -> Value {
    Value::Array(ids.iter().copied().collect())
}

fn date_value(day: NaiveDate) -> Value {
    let date = toml_edit::Date {
        year: u16::try_from(chrono::Datelike::year(&day)).unwrap_or(0),
        month: u8::try_from(chrono::Datelike::month(&day)).unwrap_or(1),
        day: u8::try_from(chrono::Datelike::day(&day)).unwrap_or(1),
    };
    Value::from(toml_edit::Datetime {
        date: Some(date),
        time: None,
        offset: None,
    })
}
