//! Scenario tests: plain files holding a case and the procedures expected for it.
//!
//! ```toml
//! [scenario]
//! name = "family of four moves in"
//! as_of = 2026-04-03          # optional; default: the visit date
//!
//! [case]                      # the case, as in docs/case.md (TOML dates allowed)
//! ...
//!
//! [expect]
//! procedures = ["tennyu_todoke", "jidou_teate"]   # exactly these apply
//! to_confirm = []                                 # optional: exactly these wait on answers
//! [expect.reasons]                                # optional: words a reason must contain
//! jidou_teate = "2歳、7歳"
//! [expect.deadlines]                              # optional
//! jidou_teate = 2026-04-15
//! [expect.deadline_moved]                         # optional: words the reason a deadline
//! jidou_teate = "日曜日"                            # moved to an open day must contain
//! [expect.coming]                                 # optional: a change an age brings soon
//! kouki_75 = 2026-06-10                           # after the move, and its first day
//! [expect.concerns]                               # optional: exactly the members (by
//! inkan_toroku = [0]                              # household index) a procedure is for
//! [expect.bring]                                  # optional: items a procedure's list
//! tennyu_todoke = ["ininjo"]                      # must hold
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use madoguchi_domain::Case;
use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use crate::catalogue::Catalogue;
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::engine::Engine;
use crate::files::{self, CatalogueFiles};

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub file: PathBuf,
    pub as_of: Option<NaiveDate>,
    pub case: Case,
    pub expect: Expectations,
}

#[derive(Clone, Debug, Default)]
pub struct Expectations {
    pub procedures: BTreeSet<String>,
    pub to_confirm: Option<BTreeSet<String>>,
    pub reasons: BTreeMap<String, String>,
    pub deadlines: BTreeMap<String, NaiveDate>,
    /// Words the reason a deadline moved off a closed day must contain.
    pub deadline_moved: BTreeMap<String, String>,
    /// Coming changes (transition id) and the day each starts.
    pub coming: BTreeMap<String, NaiveDate>,
    /// The members (household indices) a procedure is for, exactly.
    pub concerns: BTreeMap<String, Vec<usize>>,
    /// Items a procedure's list of things to bring must hold.
    pub bring: BTreeMap<String, Vec<String>>,
}

impl Scenario {
    /// The day whose rules apply: `as_of`, or the visit date.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of.unwrap_or_else(|| self.case.event.visit_date())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    scenario: RawMeta,
    case: Spanned<toml::Value>,
    expect: RawExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: String,
    #[serde(default)]
    #[allow(dead_code)] // documentation for the reader of the file
    description: Option<String>,
    as_of: Option<Datetime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    procedures: Vec<Spanned<String>>,
    to_confirm: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    reasons: BTreeMap<String, String>,
    #[serde(default)]
    deadlines: BTreeMap<String, Datetime>,
    #[serde(default)]
    deadline_moved: BTreeMap<String, String>,
    #[serde(default)]
    coming: BTreeMap<String, Datetime>,
    #[serde(default)]
    concerns: BTreeMap<String, Vec<usize>>,
    #[serde(default)]
    bring: BTreeMap<String, Vec<String>>,
}

/// TOML dates become the ISO strings the case JSON uses, so that one definition reads both.
fn toml_to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => serde_json::Value::from(i),
        toml::Value::Float(f) => serde_json::Value::from(f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(toml_to_json).collect())
        }
        toml::Value::Table(t) => {
            serde_json::Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn to_date(d: &Datetime) -> Option<NaiveDate> {
    match (d.date, d.time) {
        (Some(date), None) => NaiveDate::from_ymd_opt(
            i32::from(date.year),
            u32::from(date.month),
            u32::from(date.day),
        ),
        _ => None,
    }
}

fn read_one(rel: &Path, src: &str, catalogue: &Catalogue) -> Result<Scenario, Vec<Diagnostic>> {
    let lines = LineIndex::new(src);
    let raw: RawScenario = toml::from_str(src).map_err(|e| {
        vec![Diagnostic::error(
            rel,
            e.span().map_or(0, |s| lines.line(s.start)),
            e.message().trim().to_string(),
        )]
    })?;
    let case_line = lines.line(raw.case.span().start);
    let case: Case = serde_json::from_value(toml_to_json(raw.case.into_inner()))
        .map_err(|e| vec![Diagnostic::error(rel, case_line, format!("[case]: {e}"))])?;
    let mut problems = Vec::new();
    let known = |id: &Spanned<String>, problems: &mut Vec<Diagnostic>| {
        if catalogue.procedure_versions(id.get_ref()).next().is_none() {
            problems.push(Diagnostic::error(
                rel,
                lines.line(id.span().start),
                format!("unknown procedure `{}`", id.get_ref()),
            ));
        }
        id.get_ref().clone()
    };
    let procedures = raw
        .expect
        .procedures
        .iter()
        .map(|id| known(id, &mut problems))
        .collect();
    let to_confirm = raw
        .expect
        .to_confirm
        .as_ref()
        .map(|ids| ids.iter().map(|id| known(id, &mut problems)).collect());
    let mut deadlines = BTreeMap::new();
    for (id, d) in &raw.expect.deadlines {
        match to_date(d) {
            Some(date) => {
                deadlines.insert(id.clone(), date);
            }
            None => problems.push(Diagnostic::error(
                rel,
                0,
                format!("deadline for `{id}` is not a date"),
            )),
        }
    }
    let mut coming = BTreeMap::new();
    for (id, d) in &raw.expect.coming {
        match to_date(d) {
            Some(date) => {
                coming.insert(id.clone(), date);
            }
            None => problems.push(Diagnostic::error(
                rel,
                0,
                format!("coming `{id}` is not a date"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Scenario {
        name: raw.scenario.name,
        file: rel.to_path_buf(),
        as_of: raw.scenario.as_of.as_ref().and_then(to_date),
        case,
        expect: Expectations {
            procedures,
            to_confirm,
            reasons: raw.expect.reasons,
            deadlines,
            deadline_moved: raw.expect.deadline_moved,
            coming,
            concerns: raw.expect.concerns,
            bring: raw.expect.bring,
        },
    })
}

/// Reads every `scenarios/*.toml` of the catalogue's files, in name order, against the
/// catalogue loaded from the same files.
pub fn load_all(
    catalogue: &Catalogue,
    files: &CatalogueFiles,
) -> Result<Vec<Scenario>, Vec<Diagnostic>> {
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for (rel, src) in files::in_folder(files, "scenarios") {
        match read_one(Path::new(rel), src, catalogue) {
            Ok(s) => scenarios.push(s),
            Err(p) => problems.extend(p),
        }
    }
    if scenarios.is_empty() && problems.is_empty() {
        problems.push(Diagnostic::error(
            Path::new("scenarios"),
            0,
            "the catalogue has no scenario files (scenarios/*.toml)",
        ));
    }
    if problems.is_empty() {
        Ok(scenarios)
    } else {
        Err(problems)
    }
}

/// One scenario's outcome: empty `failures` means it passed.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub name: String,
    pub file: PathBuf,
    pub failures: Vec<String>,
}

fn set_difference(
    label: &str,
    expected: &BTreeSet<String>,
    actual: &BTreeSet<String>,
    failures: &mut Vec<String>,
) {
    let missing: Vec<&str> = expected.difference(actual).map(String::as_str).collect();
    let extra: Vec<&str> = actual.difference(expected).map(String::as_str).collect();
    if !missing.is_empty() {
        failures.push(format!(
            "{label}: expected but missing: {}",
            missing.join(", ")
        ));
    }
    if !extra.is_empty() {
        failures.push(format!("{label}: not expected: {}", extra.join(", ")));
    }
}

/// Evaluates a scenario and compares it with its expectations.
pub fn run(engine: &Engine<'_>, scenario: &Scenario) -> Outcome {
    let mut failures = Vec::new();
    match engine.evaluate(&scenario.case, scenario.as_of()) {
        Err(e) => failures.push(format!("cannot evaluate: {e}")),
        Ok(decision) => {
            let applied: BTreeSet<String> =
                decision.procedures.iter().map(|p| p.id.clone()).collect();
            set_difference(
                "procedures",
                &scenario.expect.procedures,
                &applied,
                &mut failures,
            );
            if let Some(expected) = &scenario.expect.to_confirm {
                let actual: BTreeSet<String> =
                    decision.to_confirm.iter().map(|p| p.id.clone()).collect();
                set_difference("to_confirm", expected, &actual, &mut failures);
            }
            let all = decision.procedures.iter().chain(&decision.to_confirm);
            let find = |id: &str| all.clone().find(|p| p.id == id);
            for (id, words) in &scenario.expect.reasons {
                match find(id) {
                    Some(p) if p.reasons.iter().any(|r| r.ja.contains(words.as_str())) => {}
                    Some(p) => failures.push(format!(
                        "reason for {id}: expected words 「{words}」, got 「{}」",
                        p.reasons
                            .iter()
                            .map(|r| r.ja.as_str())
                            .collect::<Vec<_>>()
                            .join(" / ")
                    )),
                    None => failures.push(format!(
                        "reason for {id}: the procedure is not in the decision"
                    )),
                }
            }
            for (id, date) in &scenario.expect.deadlines {
                match find(id).map(|p| p.deadline.as_ref().map(|d| d.date)) {
                    Some(Some(actual)) if actual == *date => {}
                    Some(actual) => failures.push(format!(
                        "deadline for {id}: expected {date}, got {actual:?}"
                    )),
                    None => failures.push(format!(
                        "deadline for {id}: the procedure is not in the decision"
                    )),
                }
            }
            for (id, members) in &scenario.expect.concerns {
                match find(id) {
                    Some(p) if p.concerns == *members => {}
                    Some(p) => failures.push(format!(
                        "{id} is for members {:?}, expected {members:?}",
                        p.concerns
                    )),
                    None => failures.push(format!(
                        "members of {id}: the procedure is not in the decision"
                    )),
                }
            }
            for (id, items) in &scenario.expect.bring {
                match find(id) {
                    Some(p) => {
                        let missing: Vec<&String> = items
                            .iter()
                            .filter(|item| !p.bring.iter().any(|b| &b.id == *item))
                            .collect();
                        if !missing.is_empty() {
                            failures.push(format!("{id} does not ask to bring {missing:?}"));
                        }
                    }
                    None => failures.push(format!(
                        "things to bring for {id}: the procedure is not in the decision"
                    )),
                }
            }
            for (id, date) in &scenario.expect.coming {
                let dates: Vec<NaiveDate> = decision
                    .coming
                    .iter()
                    .filter(|c| c.id == *id)
                    .map(|c| c.date)
                    .collect();
                if !dates.contains(date) {
                    failures.push(format!("coming {id}: expected {date}, got {dates:?}"));
                }
            }
            for (id, words) in &scenario.expect.deadline_moved {
                let why = find(id)
                    .and_then(|p| p.deadline.as_ref())
                    .and_then(|d| d.moved.as_ref())
                    .map(|m| m.why.ja.as_str());
                match why {
                    Some(why) if why.contains(words.as_str()) => {}
                    Some(why) => failures.push(format!(
                        "moved deadline for {id}: expected words 「{words}」, got 「{why}」"
                    )),
                    None => failures.push(format!(
                        "moved deadline for {id}: the deadline did not move"
                    )),
                }
            }
        }
    }
    Outcome {
        name: scenario.name.clone(),
        file: scenario.file.clone(),
        failures,
    }
}
