//! Editing a rule's or a question's condition as a typed tree (`condition.rs`): choosing a
//! part, its fact, comparison and value, adding and removing parts. The tree is written back
//! to the draft as condition text after every change, through the draft helper.

use super::*;

impl Desk {
    pub fn condition_rows(&self) -> Vec<Row> {
        match (
            self.catalogue(),
            self.editing.as_ref().and_then(|e| e.tree.as_ref()),
        ) {
            (Some(catalogue), Some(tree)) => tree.rows(catalogue),
            _ => Vec::new(),
        }
    }

    pub fn select_row(&mut self, path: Vec<usize>) {
        if let Some(editing) = &mut self.editing
            && editing.tree.as_ref().and_then(|t| t.at(&path)).is_some()
        {
            editing.selected = path;
        }
    }

    /// The selected node, and whether it compares a member.
    pub fn selected(&self) -> Option<(&Node, bool)> {
        let editing = self.editing.as_ref()?;
        let tree = editing.tree.as_ref()?;
        Some((
            tree.at(&editing.selected)?,
            tree.in_members(&editing.selected),
        ))
    }

    /// The facts the picker offers for the selected comparison. A question's own answer is
    /// not among them: it cannot decide whether the question is asked.
    pub fn facts(&self) -> Vec<Fact> {
        let own = self
            .editing
            .as_ref()
            .and_then(Editing::question)
            .map(Fact::Question);
        match (self.catalogue(), self.selected()) {
            (Some(catalogue), Some((Node::Leaf(_), in_members))) => {
                condition::facts(catalogue, in_members)
                    .into_iter()
                    .filter(|fact| Some(*fact) != own)
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Changes the selected comparison's fact (its operator and value start afresh).
    pub fn pick_fact(&mut self, fact: Fact) {
        let Some(catalogue) = self.catalogue() else {
            return;
        };
        let leaf = condition::default_leaf(fact, catalogue, self.today());
        self.change_selected(|node| *node = Node::Leaf(leaf));
    }

    pub fn pick_op(&mut self, op: madoguchi_rules::condition::Op) {
        self.change_selected(|node| {
            if let Node::Leaf(leaf) = node {
                condition::set_op(leaf, op)
            }
        });
    }

    pub fn pick_value(&mut self, index: usize) {
        let Some(catalogue) = self.catalogue().cloned() else {
            return;
        };
        self.change_selected(|node| {
            if let Node::Leaf(leaf) = node {
                condition::pick_option(leaf, index, &catalogue)
            }
        });
    }

    pub fn set_number(&mut self, number: i64) {
        self.change_selected(|node| {
            if let Node::Leaf(leaf) = node {
                condition::set_number(leaf, number)
            }
        });
    }

    /// Sets the selected comparison's value from typed text: a number or a date, as it takes.
    pub fn set_value_text(&mut self, text: &str) {
        match self.value_choice() {
            Some(ValueChoice::Number(_)) => match input::whole_number(text) {
                Ok(n) => self.set_number(n),
                Err(problem) => self.field_error("condition", input_notice(problem)),
            },
            Some(ValueChoice::Date(_)) => self.set_date(text),
            _ => {}
        }
    }

    /// Moves the selected comparison's number by `step` (the −1 / +1 buttons).
    pub fn step_number(&mut self, step: i64) {
        if let Some(ValueChoice::Number(n)) = self.value_choice() {
            self.set_number(n + step);
        }
    }

    pub fn set_date(&mut self, text: &str) {
        let mut ok = true;
        self.change_selected(|node| {
            if let Node::Leaf(leaf) = node {
                ok = condition::set_date(leaf, text)
            }
        });
        if !ok {
            self.field_error("condition", input_notice(input::InputError::Date));
        }
    }

    /// Changes the selected group's kind.
    pub fn set_group(&mut self, group: Group) {
        self.change_selected(|node| {
            if let Node::Group(kind, _) = node {
                *kind = group
            }
        });
    }

    /// Where a part would be added: the selected group, or the group of the selected
    /// comparison.
    pub(super) fn insertion_point(&self) -> Option<Vec<usize>> {
        let editing = self.editing.as_ref()?;
        let tree = editing.tree.as_ref()?;
        let mut at = editing.selected.clone();
        if matches!(tree.at(&at), Some(Node::Leaf(_))) {
            at.pop();
        }
        Some(at)
    }

    /// Whether a part added now compares a member (age, sex…) rather than the case.
    pub fn adds_member_facts(&self) -> bool {
        let tree = self.editing.as_ref().and_then(|e| e.tree.as_ref());
        match (tree, self.insertion_point()) {
            (Some(tree), Some(at)) => tree.adds_member_facts(&at),
            _ => false,
        }
    }

    /// Adds a comparison (or, with `group`, a group holding one) to the selected group, or
    /// beside the selected comparison.
    pub fn add_part(&mut self, group: Option<Group>) {
        let Some(catalogue) = self.catalogue().cloned() else {
            return;
        };
        let today = self.today();
        let in_members = self.adds_member_facts();
        let Some(at) = self.insertion_point() else {
            return;
        };
        let Some(editing) = &mut self.editing else {
            return;
        };
        let Some(tree) = &mut editing.tree else {
            return;
        };
        let fact = if in_members {
            Fact::Age(madoguchi_rules::condition::AgeKind::Legal)
        } else {
            Fact::Event
        };
        let leaf = Node::Leaf(condition::default_leaf(fact, &catalogue, today));
        let part = match group {
            Some(kind) if kind.over_members() => Node::Group(
                kind,
                vec![Node::Leaf(condition::default_leaf(
                    Fact::Age(madoguchi_rules::condition::AgeKind::Legal),
                    &catalogue,
                    today,
                ))],
            ),
            Some(kind) => Node::Group(kind, vec![leaf]),
            None => leaf,
        };
        if let Some(path) = tree.insert_part(&at, part) {
            editing.selected = path;
        }
        self.commit_tree();
    }

    /// Removes the selected part. The whole condition goes only from a question (which is
    /// then asked whenever it can matter); a rule cannot be without one.
    pub fn remove_part(&mut self) {
        let Some(editing) = &mut self.editing else {
            return;
        };
        if editing.selected.is_empty() {
            if editing.question().is_some() {
                self.ask_always();
            } else {
                self.field_error(
                    "condition",
                    Notice::new(
                        "条件の全体は削除できません（手続きには条件が要ります）。消す部分を選んでください。",
                        "The whole condition cannot be removed (a procedure needs one): pick the part to remove.",
                    ),
                );
            }
            return;
        }
        let Some(tree) = &mut editing.tree else {
            return;
        };
        let mut parent = editing.selected.clone();
        let Some(index) = parent.pop() else { return };
        if let Some(Node::Group(_, parts)) = tree.at_mut(&parent)
            && index < parts.len()
        {
            parts.remove(index);
            editing.selected = parent;
        }
        self.commit_tree();
    }

    pub(super) fn change_selected(&mut self, change: impl FnOnce(&mut Node)) {
        let Some(editing) = &mut self.editing else {
            return;
        };
        let path = editing.selected.clone();
        if let Some(node) = editing.tree.as_mut().and_then(|t| t.at_mut(&path)) {
            change(node);
        }
        self.commit_tree();
    }

    /// Writes the tree into the draft when it makes a whole condition; otherwise shows why
    /// beside the condition and keeps the tree as it is for the next change.
    pub(super) fn commit_tree(&mut self) {
        let Some(tree) = self.editing.as_ref().and_then(|e| e.tree.as_ref()) else {
            return;
        };
        match tree.to_condition() {
            Ok(condition) if self.open_condition().as_ref() == Some(&condition) => {
                if let Some(editing) = &mut self.editing {
                    editing.errors.remove("condition");
                }
            }
            Ok(condition) => {
                let Some(text) = self.catalogue().map(|c| c.condition_text(&condition)) else {
                    return;
                };
                self.write_condition(Some(text));
            }
            Err(problem) => self.field_error("condition", Notice::from_pair(problem)),
        }
    }

    /// The condition of the open entry in the draft: the open rule's, or when the open
    /// question is asked.
    pub(super) fn open_condition(&self) -> Option<madoguchi_rules::condition::Condition> {
        let catalogue = self.catalogue()?;
        match self.editing.as_ref()?.entry {
            Entry::Procedure { index, rule } => catalogue
                .procedures
                .get(index)?
                .rules
                .get(rule)
                .map(|r| r.when.clone()),
            Entry::Question(index) => catalogue.questions.get(index)?.ask_when.clone(),
        }
    }

    /// Writes the open entry's condition as text; `None` (questions only) removes it.
    pub(super) fn write_condition(&mut self, text: Option<String>) -> bool {
        match self.editing.as_ref().map(|e| e.entry) {
            Some(Entry::Procedure { rule, .. }) => match text {
                Some(text) => {
                    let written = self.edit("condition", ProcedureEdit::RuleWhen { rule, text });
                    if written {
                        self.check_reason_ages();
                    }
                    written
                }
                None => false,
            },
            Some(Entry::Question(_)) => {
                self.edit_question("condition", QuestionEdit::AskWhen(text))
            }
            None => false,
        }
    }

    /// After the open rule's condition changed: warns beside the reason when it names an age
    /// the rule no longer compares (「18歳」 after 18 became 15) — the check `rules check`
    /// makes — since residents would read one rule and be decided by another.
    pub(super) fn check_reason_ages(&mut self) {
        let ages = self
            .catalogue()
            .zip(
                self.editing
                    .as_ref()
                    .and_then(|e| e.procedure().zip(e.rule())),
            )
            .and_then(|(catalogue, (procedure, rule))| {
                let rule = catalogue.procedures.get(procedure)?.rules.get(rule)?;
                Some(madoguchi_rules::stray_reason_ages(catalogue, rule))
            })
            .unwrap_or_default();
        let Some(editing) = &mut self.editing else {
            return;
        };
        if ages.is_empty() {
            editing.warnings.remove("because");
            return;
        }
        let listed = |unit: &str, separator: &str| {
            ages.iter()
                .map(|age| format!("{age}{unit}"))
                .collect::<Vec<_>>()
                .join(separator)
        };
        editing.warnings.insert(
            "because",
            Notice::new(
                format!(
                    "理由の文に「{}」とありますが、条件にはもうありません。理由の文も直してください（やさしい日本語と英語も）。",
                    listed("歳", "」「")
                ),
                format!(
                    "The reason still says {}, which the condition no longer has: correct the reason too (and its plain Japanese and English).",
                    listed("", ", ")
                ),
            ),
        );
    }

    /// The condition text the open entry has in the draft (for reviewers who read files).
    pub fn condition_text(&self) -> String {
        match (self.catalogue(), self.open_condition()) {
            (Some(catalogue), Some(condition)) => catalogue.condition_text(&condition),
            _ => String::new(),
        }
    }

    pub fn value_choice(&self) -> Option<ValueChoice> {
        match (self.catalogue(), self.selected()) {
            (Some(catalogue), Some((Node::Leaf(leaf), _))) => {
                Some(condition::value_choice(leaf, catalogue))
            }
            _ => None,
        }
    }

    pub fn selected_leaf(&self) -> Option<&Leaf> {
        match self.selected() {
            Some((Node::Leaf(leaf), _)) => Some(leaf),
            _ => None,
        }
    }
}
