//! The catalogue's texts in the languages translated from it: one text table per language,
//! `translations/<code>.toml` (`vi.toml`, `zh-Hans.toml`, …).
//!
//! ```toml
//! drafted = "機械翻訳（2026年12月2日）"   # who drafted the texts nobody has reviewed yet
//!
//! [[text]]
//! ja = "出生届"                      # the catalogue's Japanese, exactly
//! text = "Đăng ký khai sinh"
//! reviewed = { by = "グエン・ヴァン・アン（通訳）", on = 2026-12-10 }   # absent: a draft
//! ```
//!
//! A text is found by its Japanese: the same words in several places are translated once, and
//! a text whose Japanese a supervisor changes has no translation until a translator writes
//! one (it reads the English meanwhile, and `rules check` names it). The loader fills every
//! resident-facing [`Text`] and [`Phrase`] of the catalogue from the tables and sums each
//! language's state into a [`LanguageStatus`]: a city offers a language once its texts are
//! translated and, unless it accepts drafts, reviewed (`docs/kiosk.md`).
//!
//! Invariants: a table's file name is a translated language's code; each Japanese text appears
//! once per table; a translation is non-empty, at most [`MAX_TEXT_CHARS`], and cites exactly
//! the placeholders (`{ages}`, `{count}`) its Japanese cites.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use madoguchi_domain::Language;
use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use crate::catalogue::{Catalogue, Location, Phrase, Text, Translated};
use crate::diagnostic::Diagnostic;
use crate::files::{self, CatalogueFiles};
use crate::load::SourceFile;

/// Where the text tables live in a catalogue.
pub const FOLDER: &str = "translations";

/// The longest translation read: the catalogue's longest Japanese text is about 200 characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// The placeholders a reason may cite; the engine fills them in.
const PLACEHOLDERS: [&str; 2] = ["{ages}", "{count}"];

/// Who checked a translation, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub by: String,
    pub on: NaiveDate,
}

impl Catalogue {
    /// Whether the catalogue's texts can be shown in `language` (`Err` says why not), and
    /// whether every one of them is reviewed: [`LanguageStatus::offerable`] of its table.
    pub fn offerable_in(&self, language: Language) -> Result<bool, String> {
        self.languages
            .iter()
            .find(|s| s.language == language)
            .ok_or("the catalogue knows no such language")?
            .offerable()
    }
}

/// One language's texts, summed up for `rules check` and for the city's choice to offer it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageStatus {
    pub language: Language,
    /// The catalogue has a table for it.
    pub has_table: bool,
    /// The resident-facing texts of the catalogue (each Japanese wording once).
    pub texts: usize,
    pub translated: usize,
    /// Translated and reviewed by someone.
    pub reviewed: usize,
    /// Who drafted the unreviewed texts (`drafted` in the table).
    pub drafted: String,
    /// The reviewers, each once, in the order the table names them.
    pub reviewers: Vec<String>,
}

impl LanguageStatus {
    pub fn missing(&self) -> usize {
        self.texts - self.translated
    }

    pub fn unreviewed(&self) -> usize {
        self.translated - self.reviewed
    }

    /// Every text has a translation.
    pub fn complete(&self) -> bool {
        self.has_table && self.translated == self.texts
    }

    /// Every text has a translation someone reviewed.
    pub fn reviewed_fully(&self) -> bool {
        self.complete() && self.reviewed == self.texts
    }

    /// Whether the catalogue's texts can be shown in this language (`Err` says why not, in a
    /// line for the log), and whether every one of them is reviewed.
    pub fn offerable(&self) -> Result<bool, String> {
        if !self.complete() {
            return Err(format!(
                "the catalogue's text table lacks {} of {} texts (madoguchi rules translations --language {})",
                self.missing(),
                self.texts,
                self.language.code()
            ));
        }
        Ok(self.reviewed_fully())
    }

    /// One line for `rules check`: 「vi Tiếng Việt: 452/452 translated, 0 reviewed (draft: …)」.
    pub fn summary(&self) -> String {
        let name = format!("{} {}", self.language.code(), self.language.native_name());
        if !self.has_table {
            return format!("{name}: no table ({FOLDER}/{}.toml)", self.language.code());
        }
        let mut line = format!(
            "{name}: {}/{} translated, {} reviewed",
            self.translated, self.texts, self.reviewed
        );
        if self.unreviewed() > 0 && !self.drafted.is_empty() {
            line.push_str(&format!(" (draft: {})", self.drafted));
        }
        if !self.reviewers.is_empty() {
            line.push_str(&format!(" (reviewed by {})", self.reviewers.join(", ")));
        }
        line
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    #[serde(default)]
    drafted: String,
    #[serde(default)]
    text: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    ja: Spanned<String>,
    text: String,
    reviewed: Option<RawReview>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReview {
    by: String,
    on: Datetime,
}

struct Entry {
    text: String,
    review: Option<Review>,
    at: Location,
    used: bool,
}

struct Table {
    language: Language,
    drafted: String,
    entries: HashMap<String, Entry>,
}

/// Fills every resident-facing text of `catalogue` from the tables among `files` and returns
/// each translated language's state. Problems with a table are errors, added to `problems`; a
/// text a table lacks and an entry no text uses are warnings, returned apart: the loader gives
/// them only for a catalogue without errors (in a broken one, texts are missing because of the
/// errors, and the warnings would bury them).
pub(crate) fn apply(
    catalogue: &mut Catalogue,
    files: &CatalogueFiles,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<LanguageStatus>, Vec<Diagnostic>) {
    let mut tables: Vec<Table> = files::in_folder(files, FOLDER)
        .filter_map(|(rel, src)| read_table(rel, src, problems))
        .collect();
    let mut sources: BTreeMap<String, Location> = BTreeMap::new();
    each_text(catalogue, &mut |text, at| {
        sources
            .entry(text.source().to_string())
            .or_insert_with(|| at.clone());
        for table in &mut tables {
            if let Some(entry) = table.entries.get_mut(text.source()) {
                entry.used = true;
                text.translated()
                    .0
                    .insert(table.language, entry.text.clone());
            }
        }
    });
    let mut warnings = Vec::new();
    for table in &tables {
        report_missing_and_unused(table, &sources, &mut warnings);
    }
    let statuses = Language::TRANSLATED
        .into_iter()
        .map(|language| {
            let table = tables.iter().find(|t| t.language == language);
            status(language, table, &sources)
        })
        .collect();
    (statuses, warnings)
}

fn read_table(rel: &str, src: &str, problems: &mut Vec<Diagnostic>) -> Option<Table> {
    let file = SourceFile::new(rel, src);
    let code = Path::new(rel).file_stem()?.to_str()?;
    let Some(language) = Language::from_code(code).filter(|l| l.is_translated()) else {
        let known: Vec<&str> = Language::TRANSLATED.iter().map(|l| l.code()).collect();
        problems.push(Diagnostic::error(
            Path::new(rel),
            0,
            format!(
                "`{code}` is not a language the catalogue is translated into (known: {}); Japanese, やさしい日本語 and English are written in the catalogue itself",
                known.join(", ")
            ),
        ));
        return None;
    };
    let raw: RawTable = file.parse(problems)?;
    let mut entries = HashMap::new();
    for raw_entry in raw.text {
        let at = file.location(&raw_entry.ja);
        if let Some(entry) = entry(&raw_entry, &at, problems) {
            let ja = raw_entry.ja.into_inner();
            if let Some(first) = entries.get(&ja).map(|e: &Entry| e.at.line) {
                problems.push(Diagnostic::error(
                    &at.file,
                    at.line,
                    format!("「{ja}」 is translated twice (first on line {first})"),
                ));
            } else {
                entries.insert(ja, entry);
            }
        }
    }
    Some(Table {
        language,
        drafted: raw.drafted,
        entries,
    })
}

fn entry(raw: &RawEntry, at: &Location, problems: &mut Vec<Diagnostic>) -> Option<Entry> {
    let ja = raw.ja.get_ref();
    let mut refuse = |why: String| {
        problems.push(Diagnostic::error(&at.file, at.line, why));
        None::<Entry>
    };
    let text = raw.text.trim();
    if text.is_empty() {
        return refuse(format!("「{ja}」: the translation is empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return refuse(format!(
            "「{ja}」: the translation is longer than {MAX_TEXT_CHARS} characters"
        ));
    }
    if text.chars().any(|c| c.is_control()) {
        return refuse(format!(
            "「{ja}」: the translation holds a control character (a line break or tab)"
        ));
    }
    for placeholder in PLACEHOLDERS {
        if ja.contains(placeholder) != text.contains(placeholder) {
            return refuse(format!(
                "「{ja}」: the Japanese and its translation must both cite {placeholder}, or neither"
            ));
        }
    }
    let review = match &raw.reviewed {
        None => None,
        Some(review) => {
            let Some(on) = review_date(&review.on) else {
                return refuse(format!(
                    "「{ja}」: `reviewed.on` must be a date (2026-12-10)"
                ));
            };
            if review.by.trim().is_empty() {
                return refuse(format!("「{ja}」: `reviewed.by` must name the reviewer"));
            }
            Some(Review {
                by: review.by.trim().to_string(),
                on,
            })
        }
    };
    Some(Entry {
        text: text.to_string(),
        review,
        at: at.clone(),
        used: false,
    })
}

fn review_date(value: &Datetime) -> Option<NaiveDate> {
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        _ => None,
    }
}

fn report_missing_and_unused(
    table: &Table,
    sources: &BTreeMap<String, Location>,
    problems: &mut Vec<Diagnostic>,
) {
    let code = table.language.code();
    for (ja, at) in sources {
        if !table.entries.contains_key(ja) {
            problems.push(Diagnostic::warning(
                &at.file,
                at.line,
                format!("{code}: 「{ja}」 has no translation ({FOLDER}/{code}.toml); it reads the English"),
            ));
        }
    }
    let mut unused: Vec<(&String, &Entry)> =
        table.entries.iter().filter(|(_, e)| !e.used).collect();
    unused.sort_by_key(|(_, e)| e.at.line);
    for (ja, entry) in unused {
        problems.push(Diagnostic::warning(
            &entry.at.file,
            entry.at.line,
            format!("「{ja}」 is no text of the catalogue (was its Japanese changed?)"),
        ));
    }
}

fn status(
    language: Language,
    table: Option<&Table>,
    sources: &BTreeMap<String, Location>,
) -> LanguageStatus {
    let mut status = LanguageStatus {
        language,
        has_table: table.is_some(),
        texts: sources.len(),
        translated: 0,
        reviewed: 0,
        drafted: String::new(),
        reviewers: Vec::new(),
    };
    let Some(table) = table else {
        return status;
    };
    status.drafted = table.drafted.clone();
    for ja in sources.keys() {
        let Some(entry) = table.entries.get(ja) else {
            continue;
        };
        status.translated += 1;
        if let Some(review) = &entry.review {
            status.reviewed += 1;
            if !status.reviewers.contains(&review.by) {
                status.reviewers.push(review.by.clone());
            }
        }
    }
    status
}

/// A text of the catalogue that `language`'s table lacks, with its English and where it is
/// first written: what a translator fills in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Untranslated {
    pub ja: String,
    pub en: String,
    pub at: Location,
}

/// The texts `language`'s table lacks, each Japanese wording once, in catalogue order.
pub fn untranslated(catalogue: &Catalogue, language: Language) -> Vec<Untranslated> {
    let mut walked = catalogue.clone();
    let mut seen = std::collections::HashSet::new();
    let mut lacking = Vec::new();
    each_text(&mut walked, &mut |text, at| {
        let ja = text.source().to_string();
        if seen.insert(ja.clone()) && !text.translated().0.contains_key(&language) {
            lacking.push(Untranslated {
                ja,
                en: text.english().to_string(),
                at: at.clone(),
            });
        }
    });
    lacking
}

/// A text of the catalogue a table translates: a [`Text`] or a [`Phrase`].
pub(crate) trait Translatable {
    /// The Japanese the table finds it by.
    fn source(&self) -> &str;
    fn english(&self) -> &str;
    fn translated(&mut self) -> &mut Translated;
}

impl Translatable for Text {
    fn source(&self) -> &str {
        &self.ja
    }

    fn english(&self) -> &str {
        &self.en
    }

    fn translated(&mut self) -> &mut Translated {
        &mut self.other
    }
}

impl Translatable for Phrase {
    fn source(&self) -> &str {
        &self.ja
    }

    fn english(&self) -> &str {
        &self.en
    }

    fn translated(&mut self) -> &mut Translated {
        &mut self.other
    }
}

/// Calls `visit` with every text a resident reads or hears, and where it is written: events
/// and their dates, buildings, counters and their places, things to bring, form titles,
/// questions (their wordings, labels and options, and the options every question offers),
/// procedures (names, reasons, notes, fees) and the changes an age brings.
pub(crate) fn each_text(
    catalogue: &mut Catalogue,
    visit: &mut dyn FnMut(&mut dyn Translatable, &Location),
) {
    for event in &mut catalogue.events {
        let at = event.at.clone();
        visit(&mut event.name, &at);
        visit(&mut event.date.name, &at);
        for date in &mut event.dates {
            visit(&mut date.name, &at);
        }
        if let Some(subject) = &mut event.subject {
            visit(subject, &at);
        }
    }
    for building in &mut catalogue.buildings {
        visit(&mut building.name, &building.at);
    }
    for counter in &mut catalogue.counters {
        visit(&mut counter.name, &counter.at);
        if let Some(place) = &mut counter.place {
            visit(place, &counter.at);
        }
    }
    for item in &mut catalogue.items {
        visit(&mut item.text, &item.at);
    }
    for form in &mut catalogue.forms {
        visit(&mut form.title, &form.at);
    }
    each_question_text(catalogue, visit);
    for procedure in &mut catalogue.procedures {
        let at = procedure.at.clone();
        visit(&mut procedure.name, &at);
        if let Some(note) = &mut procedure.note {
            visit(note, &at);
        }
        for fee in &mut procedure.fees {
            visit(&mut fee.what, &at);
        }
        for rule in &mut procedure.rules {
            visit(&mut rule.because, &rule.at);
        }
    }
    for transition in &mut catalogue.transitions {
        visit(&mut transition.name, &transition.at);
        visit(&mut transition.todo, &transition.at);
    }
}

fn each_question_text(
    catalogue: &mut Catalogue,
    visit: &mut dyn FnMut(&mut dyn Translatable, &Location),
) {
    let Some(first) = catalogue.questions.first() else {
        return;
    };
    // The options every question offers are written once, here; each question shares them.
    let mut common = (*first.common).clone();
    let built_in = Location {
        file: PathBuf::from("questions.toml"),
        line: 0,
    };
    for text in common.texts_mut() {
        visit(text, &built_in);
    }
    let common = std::sync::Arc::new(common);
    for question in &mut catalogue.questions {
        let at = question.at.clone();
        visit(&mut question.text, &at);
        for variant in question.variants.values_mut() {
            visit(variant, &at);
        }
        visit(&mut question.label, &at);
        for choice in &mut question.choices {
            visit(&mut choice.text, &at);
        }
        question.common = common.clone();
    }
}

#[cfg(test)]
mod tests;
