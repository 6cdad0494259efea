//! What a catalogue change would do: every scenario and every given case evaluated with the
//! catalogue in force and with the changed one, and the procedure lists compared.
//!
//! The supervisor sees this before publishing (and before importing a catalogue from another
//! kiosk). Cases come in already anonymised: the caller gives each a label such as 「案件 #41
//! 転入 3人」 and nothing about the people reaches the preview.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use madoguchi_domain::Case;

use crate::decision::Decision;
use crate::scenario::{self, Scenario};
use crate::{Catalogue, Engine};

/// How one scenario or case fares.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub label: String,
    /// The scenario's file (relative to the catalogue); empty for a case.
    pub file: String,
    /// The procedures that apply with the catalogue in force, or why it could not be evaluated.
    pub before: Result<BTreeSet<String>, String>,
    /// The procedures that apply with the changed catalogue.
    pub after: Result<BTreeSet<String>, String>,
    /// The changed catalogue's decision, for accepting it as the scenario's new expectation.
    pub decision: Option<Decision>,
    /// The scenario's failed expectations with the changed catalogue; always empty for a case.
    pub failures: Vec<String>,
}

impl Comparison {
    /// Procedures the change adds.
    pub fn added(&self) -> Vec<String> {
        match (&self.before, &self.after) {
            (Ok(before), Ok(after)) => after.difference(before).cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Procedures the change takes away.
    pub fn removed(&self) -> Vec<String> {
        match (&self.before, &self.after) {
            (Ok(before), Ok(after)) => before.difference(after).cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the procedure list differs (or only one side could be evaluated).
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    pub fn passes(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The whole preview.
#[derive(Clone, Debug, Default)]
pub struct Impact {
    pub scenarios: Vec<Comparison>,
    pub cases: Vec<Comparison>,
    /// The catalogue's own form files (`forms/`: the city's templates and their pictures)
    /// added, changed or removed.
    pub forms: Vec<FormChange>,
}

/// A file of the catalogue's `forms/` folder that the change adds, alters or takes out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormChange {
    /// The path in the catalogue (`forms/city_inkan.toml`).
    pub file: String,
    pub change: FileChange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileChange {
    Added,
    Changed,
    Removed,
}

/// The `forms/` files that differ between `before` and `after`, in path order.
pub fn form_changes(before: &Catalogue, after: &Catalogue) -> Vec<FormChange> {
    let (old, new) = (&before.form_files.0, &after.form_files.0);
    let mut changes: Vec<FormChange> = new
        .iter()
        .filter_map(|(file, text)| {
            let change = match old.get(file) {
                None => FileChange::Added,
                Some(was) if was != text => FileChange::Changed,
                Some(_) => return None,
            };
            Some(FormChange {
                file: file.clone(),
                change,
            })
        })
        .chain(
            old.keys()
                .filter(|file| !new.contains_key(*file))
                .map(|file| FormChange {
                    file: file.clone(),
                    change: FileChange::Removed,
                }),
        )
        .collect();
    changes.sort_by(|a, b| a.file.cmp(&b.file));
    changes
}

impl Impact {
    pub fn failing_scenarios(&self) -> usize {
        self.scenarios.iter().filter(|s| !s.passes()).count()
    }

    pub fn changed_scenarios(&self) -> usize {
        self.scenarios.iter().filter(|s| s.changed()).count()
    }

    pub fn changed_cases(&self) -> usize {
        self.cases.iter().filter(|c| c.changed()).count()
    }
}

/// A case to compare: its anonymous label, the case and the day whose rules apply.
#[derive(Clone, Debug)]
pub struct RecentCase {
    pub label: String,
    pub case: Case,
    pub as_of: NaiveDate,
}

/// Compares `before` and `after` over the changed catalogue's scenarios and the recent cases.
pub fn compare(
    before: &Catalogue,
    after: &Catalogue,
    scenarios: &[Scenario],
    cases: &[RecentCase],
) -> Impact {
    let old = Engine::new(before);
    let new = Engine::new(after);
    let scenarios = scenarios
        .iter()
        .map(|s| {
            let outcome = scenario::run(&new, s);
            let decision = new.evaluate(&s.case, s.as_of());
            Comparison {
                label: s.name.clone(),
                file: s.file.to_string_lossy().replace('\\', "/"),
                before: applied(old.evaluate(&s.case, s.as_of()).map_err(|e| e.to_string())),
                after: applied(decision.clone().map_err(|e| e.to_string())),
                decision: decision.ok(),
                failures: outcome.failures,
            }
        })
        .collect();
    let cases = cases
        .iter()
        .map(|c| {
            let decision = new.evaluate(&c.case, c.as_of);
            Comparison {
                label: c.label.clone(),
                file: String::new(),
                before: applied(old.evaluate(&c.case, c.as_of).map_err(|e| e.to_string())),
                after: applied(decision.clone().map_err(|e| e.to_string())),
                decision: None,
                failures: Vec::new(),
            }
        })
        .collect();
    Impact {
        scenarios,
        cases,
        forms: form_changes(before, after),
    }
}

fn applied(decision: Result<Decision, String>) -> Result<BTreeSet<String>, String> {
    decision.map(|d| d.procedures.into_iter().map(|p| p.id).collect())
}
