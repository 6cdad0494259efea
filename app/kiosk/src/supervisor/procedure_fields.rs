//! The procedure editor: finding a procedure, its names, source, dates in force, whether it
//! is critical, what to bring, deadlines and the reason residents read. Each change goes
//! through the draft helper (`draft.rs`), so a change that would not load is refused beside
//! its field.

use super::*;

impl Desk {
    /// Narrows the procedure list to those whose name, id or counter contains `words`.
    pub fn set_filter(&mut self, words: &str) {
        self.filter = words.trim().to_string();
    }

    /// The search words the list was narrowed by.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// The procedures the list shows (indices into the catalogue), in catalogue order.
    pub fn listed_procedures(&self) -> Vec<usize> {
        let Some(catalogue) = self.catalogue() else {
            return Vec::new();
        };
        matching(&catalogue.procedures, &self.filter, |p| {
            [&p.name.ja, &p.id, &catalogue.counters[p.counter].name.ja]
        })
    }

    /// Opens procedure `index` of the catalogue shown, with its first rule.
    pub fn open_procedure(&mut self, index: usize) {
        let Some(catalogue) = self.catalogue() else {
            return;
        };
        if index >= catalogue.procedures.len() {
            return;
        }
        let tree = catalogue.procedures[index]
            .rules
            .first()
            .map(|r| Node::from_condition(&r.when));
        self.editing = Some(Editing::new(Entry::Procedure { index, rule: 0 }, tree));
        self.item_filter.clear();
        self.notice = None;
        self.screen = DeskScreen::Procedure;
    }

    pub fn open_rule(&mut self, rule: usize) {
        let Some(procedure) = self.editing.as_ref().and_then(Editing::procedure) else {
            return;
        };
        let tree = self
            .catalogue()
            .and_then(|c| c.procedures[procedure].rules.get(rule))
            .map(|r| Node::from_condition(&r.when));
        if let Some(editing) = &mut self.editing
            && tree.is_some()
        {
            editing.entry = Entry::Procedure {
                index: procedure,
                rule,
            };
            editing.tree = tree;
            editing.selected = Vec::new();
            editing.errors.remove("condition");
            editing.warnings.remove("because");
        }
    }

    /// Applies an edit to the open procedure in the draft (starting one if needed). The edit
    /// stays only if the catalogue still loads; otherwise the problem shows beside `field`.
    pub fn edit(&mut self, field: &'static str, edit: ProcedureEdit) -> bool {
        let Some(procedure) = self.editing.as_ref().and_then(Editing::procedure) else {
            return false;
        };
        self.change_draft(field, |draft, catalogue| {
            draft.edit_procedure(&Draft::procedure_ref(catalogue, procedure), &edit)
        })
    }

    /// Applies an edit to the open question in the draft, like [`Desk::edit`].
    pub fn edit_question(&mut self, field: &'static str, edit: QuestionEdit) -> bool {
        let Some(question) = self.editing.as_ref().and_then(Editing::question) else {
            return false;
        };
        self.change_draft(field, |draft, catalogue| {
            draft.edit_question(&Draft::question_ref(catalogue, question), &edit)
        })
    }

    /// Sets the open procedure's Japanese name, keeping the other registers.
    pub fn set_name_ja(&mut self, ja: &str) -> bool {
        let Some(p) = self.open_procedure_data() else {
            return false;
        };
        if ja.trim().is_empty() {
            self.field_error(
                "name",
                Notice::new("名称を入れてください。", "Enter the name."),
            );
            return false;
        }
        let wording = Wording {
            ja: ja.trim().into(),
            easy: p.name.easy.clone(),
            en: p.name.en.clone(),
        };
        self.edit("name", ProcedureEdit::Name(wording))
    }

    /// Sets the open procedure's or question's source (the law or page it rests on).
    pub fn set_source(&mut self, text: &str) -> bool {
        if self.editing.as_ref().and_then(Editing::question).is_some() {
            return self.edit_question("source", QuestionEdit::Source(text.into()));
        }
        self.edit("source", ProcedureEdit::Source(text.into()))
    }

    /// Sets an effective date from typed text (和暦 or 西暦; empty for none).
    pub fn set_effective(&mut self, to: bool, text: &str) -> bool {
        let field = if to { "effective_to" } else { "effective_from" };
        let day = match input::optional_date(text) {
            Ok(day) => day,
            Err(problem) => {
                self.field_error(field, input_notice(problem));
                return false;
            }
        };
        let edit = if to {
            ProcedureEdit::EffectiveTo(day)
        } else {
            ProcedureEdit::EffectiveFrom(day)
        };
        self.edit(field, edit)
    }

    pub fn set_critical(&mut self, critical: bool) -> bool {
        self.edit("critical", ProcedureEdit::Critical(critical))
    }

    /// Narrows the items offered for what to bring to those whose wording or id contains
    /// `words`.
    pub fn set_item_filter(&mut self, words: &str) {
        self.item_filter = words.trim().to_string();
    }

    pub fn item_filter(&self) -> &str {
        &self.item_filter
    }

    /// The items offered for what to bring (indices into the catalogue's items).
    pub fn listed_items(&self) -> Vec<usize> {
        let Some(catalogue) = self.catalogue() else {
            return Vec::new();
        };
        matching(&catalogue.items, &self.item_filter, |item| {
            [&item.text.ja, &item.id, &item.text.easy]
        })
    }

    /// Adds or removes item `index` of the catalogue's items from what to bring.
    pub fn toggle_bring(&mut self, index: usize) -> bool {
        let (Some(catalogue), Some(procedure)) = (
            self.catalogue(),
            self.editing.as_ref().and_then(Editing::procedure),
        ) else {
            return false;
        };
        let Some(item) = catalogue.items.get(index) else {
            return false;
        };
        let procedure = &catalogue.procedures[procedure];
        let mut ids: Vec<String> = procedure
            .bring
            .iter()
            .map(|i| catalogue.items[*i].id.clone())
            .collect();
        match ids.iter().position(|id| *id == item.id) {
            Some(at) => {
                ids.remove(at);
            }
            None => ids.push(item.id.clone()),
        }
        self.edit("bring", ProcedureEdit::Bring(ids))
    }

    /// Sets the days of deadline `index` from typed text.
    pub fn set_deadline_days(&mut self, index: usize, text: &str) -> bool {
        let Some(procedure) = self.open_procedure_data() else {
            return false;
        };
        let Some(days) = input::whole_number(text)
            .ok()
            .and_then(|n| u32::try_from(n).ok())
        else {
            self.field_error(
                "deadline",
                Notice::new(
                    "日数は0以上の数字で入れてください。",
                    "Enter the days as a number, 0 or more.",
                ),
            );
            return false;
        };
        let mut deadlines: Vec<_> = procedure
            .deadlines
            .iter()
            .map(|d| madoguchi_rules::authoring::DeadlineText {
                days: d.days,
                months: d.months,
                first_day: d.first_day,
                from: d.from,
                basis: d.basis.clone(),
            })
            .collect();
        let Some(deadline) = deadlines.get_mut(index) else {
            return false;
        };
        // A count in months stays one: the number typed is its months.
        if deadline.months > 0 {
            deadline.months = days.clamp(1, 120);
        } else {
            deadline.days = days;
        }
        self.edit("deadline", ProcedureEdit::Deadlines(deadlines))
    }

    pub fn set_because_ja(&mut self, ja: &str) -> bool {
        let Some((procedure, rule)) = self
            .open_procedure_data()
            .zip(self.editing.as_ref().and_then(Editing::rule))
        else {
            return false;
        };
        let Some(because) = procedure.rules.get(rule).map(|r| r.because.clone()) else {
            return false;
        };
        if ja.trim().is_empty() {
            self.field_error(
                "because",
                Notice::new(
                    "理由を入れてください（住民に見せる文です）。",
                    "Enter the reason (residents read it).",
                ),
            );
            return false;
        }
        let written = self.edit(
            "because",
            ProcedureEdit::RuleBecause {
                rule,
                wording: Wording {
                    ja: ja.trim().into(),
                    easy: String::new(),
                    en: because.en,
                },
            },
        );
        if written {
            // Reworded: checked against the condition again.
            self.check_reason_ages();
        }
        written
    }

    pub(super) fn open_procedure_data(&self) -> Option<madoguchi_rules::catalogue::Procedure> {
        let procedure = self.editing.as_ref()?.procedure()?;
        self.catalogue()?.procedures.get(procedure).cloned()
    }
}
