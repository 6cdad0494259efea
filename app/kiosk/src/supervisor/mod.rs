//! Supervisor mode: the controller behind the supervisor's screens, plain Rust like the clerk's
//! session and tested without a window.
//!
//! A supervisor signs in (argon2, lock-out after three failures), edits a *draft* of the
//! catalogue in force with typed widgets, sees the impact preview (every scenario and the
//! recent cases, before and after, anonymised), accepts intended new outcomes, and publishes
//! with a note. Earlier versions can be restored, a finished case can become a scenario, and
//! the statistics can be read and exported as CSV. Every supervisor action is audited.
//!
//! Every action that changes or reads out anything checks the signed-in account again in the
//! store (it may have been locked or demoted since), not only which screen is shown. Publishing
//! is 起案 → 決裁 unless the city turned approval off: the draft (or an import, or a restore)
//! goes to another supervisor, who approves or sends it back on the versions screen.

pub mod condition;
mod questions;
pub mod worker;

pub use questions::Register;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};
use madoguchi_rules::authoring::{AuthoringError, Draft, ProcedureEdit, QuestionEdit, Wording};
use madoguchi_rules::impact::{Impact, RecentCase, compare};
use madoguchi_rules::pinning::scenario_from_case;
use madoguchi_rules::{Catalogue, Engine, scenario};
use madoguchi_store::catalogue::Submitted;
use madoguchi_store::{
    CatalogueStatus, CatalogueVersion, LoginError, Statistics, Store, Supervisor,
};

use crate::catalogue_dir;
use condition::{Fact, Group, Leaf, Node, Row, ValueChoice};
use madoguchi_domain::input;

/// How many recent cases the impact preview compares.
const RECENT_CASES: usize = 200;
/// The statistics' default period, in days up to today.
pub const STATISTICS_DAYS: u64 = 28;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskScreen {
    SignIn,
    Home,
    Procedures,
    Procedure,
    Questions,
    Question,
    Impact,
    Versions,
    Statistics,
    Cases,
}

/// The catalogue versions the desk shows, as last read.
#[derive(Debug)]
struct Versions {
    pending: Vec<CatalogueVersion>,
    published: Vec<CatalogueVersion>,
    approval_required: bool,
}

impl Default for Versions {
    fn default() -> Versions {
        Versions {
            pending: Vec::new(),
            published: Vec::new(),
            // Until the setting is read, assume the safer default.
            approval_required: true,
        }
    }
}

/// The catalogue loaded from a version's files.
struct Loaded {
    catalogue: Catalogue,
}

/// The draft being edited, on top of the published version it started from.
struct Working {
    id: i64,
    draft: Draft,
    loaded: Loaded,
    /// Where the draft came from, for the audit and the publication note.
    origin: String,
}

/// What the editor has open, by its index in the catalogue shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A procedure, with the rule whose condition the tree shows.
    Procedure { index: usize, rule: usize },
    /// A question; the tree shows when it is asked (none: whenever it can matter).
    Question(usize),
}

/// The entry open in the editor, its condition as a tree and the problems beside its fields.
#[derive(Clone, Debug)]
pub struct Editing {
    pub entry: Entry,
    pub tree: Option<Node>,
    pub selected: Vec<usize>,
    /// Problems to show beside a field, keyed by field name.
    pub errors: BTreeMap<&'static str, String>,
}

impl Editing {
    fn new(entry: Entry, tree: Option<Node>) -> Editing {
        Editing {
            entry,
            tree,
            selected: Vec::new(),
            errors: BTreeMap::new(),
        }
    }

    pub fn procedure(&self) -> Option<usize> {
        match self.entry {
            Entry::Procedure { index, .. } => Some(index),
            Entry::Question(_) => None,
        }
    }

    pub fn rule(&self) -> Option<usize> {
        match self.entry {
            Entry::Procedure { rule, .. } => Some(rule),
            Entry::Question(_) => None,
        }
    }

    pub fn question(&self) -> Option<usize> {
        match self.entry {
            Entry::Question(index) => Some(index),
            Entry::Procedure { .. } => None,
        }
    }
}

pub struct Desk {
    store: Store,
    /// A fixed day for pictures and tests; otherwise today follows the clock, so that a kiosk
    /// left running overnight counts the new day.
    day: Option<NaiveDate>,
    offset: FixedOffset,
    user: Option<Supervisor>,
    screen: DeskScreen,
    notice: Option<String>,
    /// Whether the notice reports something done rather than a problem.
    notice_is_success: bool,
    base: Option<(CatalogueVersion, Loaded)>,
    working: Option<Working>,
    editing: Option<Editing>,
    impact: Option<Impact>,
    statistics: Option<Statistics>,
    /// Words that narrow the procedure or question list.
    filter: String,
    /// The submitted version opened for a decision on the versions screen.
    deciding: Option<i64>,
    /// The versions as last read from the store (published, and waiting for a decision) and
    /// whether publishing needs a second supervisor: read when they can change (sign-in, a
    /// submission or decision, opening a screen), so that drawing the screens reads nothing.
    versions: Versions,
    /// Words that narrow the items a procedure's "what to bring" offers.
    item_filter: String,
    /// Recent finished cases as listed on the cases screen, read when it opens.
    recent: Vec<(i64, String)>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("screen", &self.screen)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// A problem for the supervisor, in one plain sentence.
fn plain(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Desk {
    /// A desk on `store`, counting days at `offset` from UTC (the kiosk's time zone).
    pub fn new(store: Store, offset: FixedOffset) -> Desk {
        Desk {
            store,
            day: None,
            offset,
            user: None,
            screen: DeskScreen::SignIn,
            notice: None,
            notice_is_success: false,
            base: None,
            working: None,
            editing: None,
            impact: None,
            statistics: None,
            filter: String::new(),
            deciding: None,
            versions: Versions::default(),
            item_filter: String::new(),
            recent: Vec::new(),
        }
    }

    pub fn screen(&self) -> DeskScreen {
        self.screen
    }

    pub fn user(&self) -> Option<&str> {
        self.user.as_ref().map(Supervisor::login)
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The same desk on a fixed day (screenshots and tests).
    pub fn on_day(mut self, day: NaiveDate) -> Desk {
        self.day = Some(day);
        self
    }

    pub fn notice_is_success(&self) -> bool {
        self.notice_is_success
    }

    /// Shows a problem (also for problems the screen finds itself, such as an empty field).
    pub fn say(&mut self, message: &str) {
        self.problem(message.to_string());
        self.notice_is_success = false;
    }

    fn problem(&mut self, message: impl Into<String>) {
        self.notice = Some(message.into());
        self.notice_is_success = false;
    }

    /// Shows that something was done.
    fn done(&mut self, message: String) {
        self.problem(message);
        self.notice_is_success = true;
    }

    pub fn today(&self) -> NaiveDate {
        self.day
            .unwrap_or_else(|| Utc::now().with_timezone(&self.offset).date_naive())
    }

    pub fn editing(&self) -> Option<&Editing> {
        self.editing.as_ref()
    }

    pub fn impact(&self) -> Option<&Impact> {
        self.impact.as_ref()
    }

    pub fn statistics(&self) -> Option<&Statistics> {
        self.statistics.as_ref()
    }

    pub fn has_draft(&self) -> bool {
        self.working.is_some()
    }

    /// The catalogue the screens show: the draft's, else the one in force.
    pub fn catalogue(&self) -> Option<&Catalogue> {
        self.working
            .as_ref()
            .map(|w| &w.loaded.catalogue)
            .or(self.base.as_ref().map(|(_, l)| &l.catalogue))
    }

    fn audit(&mut self, action: &str, detail: &str) {
        let actor = self
            .user
            .as_ref()
            .map_or_else(|| "-".to_string(), |u| u.login().to_string());
        if let Err(e) = self.store.audit(Utc::now(), &actor, action, detail) {
            tracing::warn!(error = %e, action, "audit failed");
            self.problem(format!("監査ログに書けませんでした: {e}"));
        }
    }

    /// The signed-in supervisor, checked again in the store: an account locked or demoted
    /// since signing in is signed out with the reason. Every action that changes or reads out
    /// anything goes through here, whatever screen is showing.
    fn authorised(&mut self) -> Option<Supervisor> {
        let Some(user) = self.user.clone() else {
            self.problem("サインインしてください。");
            return None;
        };
        match self.store.check_supervisor(&user) {
            Ok(()) => Some(user),
            Err(e) => {
                self.sign_out();
                self.problem(plain(e));
                None
            }
        }
    }

    // ---- signing in ---------------------------------------------------------------------

    /// Signs a supervisor in. Clerks are refused (their work is at the counter).
    pub fn sign_in(&mut self, login: &str, password: &str) -> bool {
        self.notice = None;
        match self.store.sign_in(login, password, Utc::now()) {
            Ok(signed_in) => match signed_in.supervisor() {
                Some(supervisor) => {
                    self.user = Some(supervisor);
                    self.screen = DeskScreen::Home;
                    if let Err(e) = self.open_base() {
                        self.problem(e);
                    }
                    true
                }
                None => {
                    self.problem(
                        "この利用者には監督者の権限がありません。監督者に依頼してください。",
                    );
                    false
                }
            },
            Err(LoginError::Wrong) => {
                self.problem("名前かパスワードが違います。");
                false
            }
            Err(LoginError::Locked { until }) => {
                self.problem(format!(
                    "失敗が続いたため、このアカウントはロックされています（{} まで）。時間をおくか管理者に連絡してください。",
                    local_time(&until, self.offset)
                ));
                false
            }
            Err(LoginError::Store(e)) => {
                self.problem(format!("データベースを読めませんでした: {e}"));
                false
            }
        }
    }

    pub fn sign_out(&mut self) {
        if self.user.is_some() {
            self.audit("supervisor.sign_out", "");
        }
        self.user = None;
        self.screen = DeskScreen::SignIn;
        self.notice = None;
        self.base = None;
        self.working = None;
        self.editing = None;
        self.impact = None;
        self.statistics = None;
        self.filter.clear();
        self.deciding = None;
    }

    pub fn go(&mut self, screen: DeskScreen) {
        if self.user.is_none() {
            return;
        }
        self.notice = None;
        self.deciding = None;
        self.reload_versions();
        // A list opened from the menu starts unfiltered; back from its editor, it keeps the
        // search the supervisor came from.
        if self.screen == DeskScreen::Home {
            self.filter.clear();
        }
        match screen {
            DeskScreen::Statistics => self.refresh_statistics(),
            DeskScreen::Impact => return self.preview(),
            DeskScreen::Cases => self.reload_recent_cases(),
            _ => {}
        }
        self.screen = screen;
    }

    fn open_base(&mut self) -> Result<(), String> {
        self.reload_versions();
        let version = self
            .store
            .newest_published()
            .map_err(plain)?
            .ok_or("公開中のルールがありません。")?;
        let loaded = load(version.files.clone())?;
        self.base = Some((version, loaded));
        if let Some(draft) = self.store.newest_draft().map_err(plain)? {
            let id = draft.id;
            let loaded = load(draft.files.clone())?;
            self.working = Some(Working {
                id,
                draft: Draft::new(draft.files),
                loaded,
                origin: format!("下書き {id}"),
            });
        }
        Ok(())
    }

    // ---- the editor ---------------------------------------------------------------------

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

    /// Makes `change` to a copy of the draft (starting one if needed) and keeps it only if the
    /// catalogue still loads; otherwise the problem shows beside `field`.
    fn change_draft(
        &mut self,
        field: &'static str,
        change: impl FnOnce(&mut Draft, &Catalogue) -> Result<(), AuthoringError>,
    ) -> bool {
        if let Err(e) = self.ensure_draft() {
            self.problem(e);
            return false;
        }
        match self.try_change(|draft, catalogue| change(draft, catalogue).map_err(plain)) {
            Ok(()) => {
                if let Some(editing) = &mut self.editing {
                    editing.errors.remove(field);
                }
                true
            }
            Err(problem) => {
                self.field_error(field, &problem);
                false
            }
        }
    }

    /// The one way the draft changes: `change` is made to a copy, the copy is loaded, and only
    /// a copy that loads replaces the draft and is saved (the preview, now stale, is dropped).
    /// The draft must exist (`ensure_draft`).
    fn try_change<T>(
        &mut self,
        change: impl FnOnce(&mut Draft, &Catalogue) -> Result<T, String>,
    ) -> Result<T, String> {
        let working = self
            .working
            .as_mut()
            .ok_or("変更がありません。先にルールを変えてください。")?;
        let mut changed = working.draft.clone();
        let made = change(&mut changed, &working.loaded.catalogue)?;
        let loaded = load(changed.files().clone())?;
        working.draft = changed;
        working.loaded = loaded;
        self.impact = None;
        self.save_draft();
        Ok(made)
    }

    fn ensure_draft(&mut self) -> Result<(), String> {
        if self.working.is_some() {
            return Ok(());
        }
        let author = self.authorised().ok_or("サインインしてください。")?;
        let (version, _) = self.base.as_ref().ok_or("公開中のルールがありません。")?;
        let files = version.files.clone();
        let origin = format!("版 {} から", version.id);
        let id = self
            .store
            .save_draft(None, &files, &author, Utc::now())
            .map_err(plain)?;
        let loaded = load(files.clone())?;
        self.working = Some(Working {
            id,
            draft: Draft::new(files),
            loaded,
            origin: origin.clone(),
        });
        self.audit("catalogue.draft", &format!("draft {id}: {origin}"));
        Ok(())
    }

    fn save_draft(&mut self) {
        let Some(author) = self.authorised() else {
            return;
        };
        let now = Utc::now();
        if let Some(working) = &mut self.working {
            match self
                .store
                .save_draft(Some(working.id), working.draft.files(), &author, now)
            {
                Ok(id) => working.id = id,
                Err(e) => self.problem(format!("下書きを保存できませんでした: {e}")),
            }
        }
    }

    /// Sets the open procedure's Japanese name, keeping the other registers.
    pub fn set_name_ja(&mut self, ja: &str) -> bool {
        let Some(p) = self.open_procedure_data() else {
            return false;
        };
        if ja.trim().is_empty() {
            self.field_error("name", "名称を入れてください。");
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
                self.field_error(field, problem.message_ja());
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
            self.field_error("deadline", "日数は0以上の数字で入れてください。");
            return false;
        };
        let mut deadlines: Vec<_> = procedure
            .deadlines
            .iter()
            .map(|d| madoguchi_rules::authoring::DeadlineText {
                days: d.days,
                from: d.from,
                basis: d.basis.clone(),
            })
            .collect();
        let Some(deadline) = deadlines.get_mut(index) else {
            return false;
        };
        deadline.days = days;
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
            self.field_error("because", "理由を入れてください（住民に見せる文です）。");
            return false;
        }
        self.edit(
            "because",
            ProcedureEdit::RuleBecause {
                rule,
                wording: Wording {
                    ja: ja.trim().into(),
                    easy: String::new(),
                    en: because.en,
                },
            },
        )
    }

    fn open_procedure_data(&self) -> Option<madoguchi_rules::catalogue::Procedure> {
        let procedure = self.editing.as_ref()?.procedure()?;
        self.catalogue()?.procedures.get(procedure).cloned()
    }

    fn field_error(&mut self, field: &'static str, message: &str) {
        if let Some(editing) = &mut self.editing {
            editing.errors.insert(field, message.into());
        }
    }

    // ---- the condition tree --------------------------------------------------------------

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
                Err(problem) => self.field_error("condition", problem.message_ja()),
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
            self.field_error("condition", input::InputError::Date.message_ja());
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
    fn insertion_point(&self) -> Option<Vec<usize>> {
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
                    "条件の全体は削除できません（手続きには条件が要ります）。消す部分を選んでください。",
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

    fn change_selected(&mut self, change: impl FnOnce(&mut Node)) {
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
    fn commit_tree(&mut self) {
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
            Err(problem) => self.field_error("condition", &problem),
        }
    }

    /// The condition of the open entry in the draft: the open rule's, or when the open
    /// question is asked.
    fn open_condition(&self) -> Option<madoguchi_rules::condition::Condition> {
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
    fn write_condition(&mut self, text: Option<String>) -> bool {
        match self.editing.as_ref().map(|e| e.entry) {
            Some(Entry::Procedure { rule, .. }) => match text {
                Some(text) => self.edit("condition", ProcedureEdit::RuleWhen { rule, text }),
                None => false,
            },
            Some(Entry::Question(_)) => {
                self.edit_question("condition", QuestionEdit::AskWhen(text))
            }
            None => false,
        }
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

    // ---- impact, publishing, versions ----------------------------------------------------

    /// Runs the validator (loading) and every scenario on the draft, and compares the draft
    /// with the version in force over the scenarios and the recent cases.
    pub fn preview(&mut self) {
        self.notice = None;
        // A preview that cannot run must not leave an older one to publish on.
        self.impact = None;
        let Some(working) = &self.working else {
            self.problem("変更がありません。先にルールを変えてください。");
            return;
        };
        let Some((_, base)) = &self.base else { return };
        let scenarios = match scenario::load_all(&working.loaded.catalogue, working.draft.files()) {
            Ok(scenarios) => scenarios,
            Err(problems) => {
                self.problem(format!(
                    "シナリオを読めません: {}",
                    problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" / ")
                ));
                return;
            }
        };
        let (recent, unread) = match self.store.recent_finished(RECENT_CASES) {
            Ok(records) => (
                records
                    .into_iter()
                    .map(|r| RecentCase {
                        label: format!(
                            "案件 #{}（{}・{}人）",
                            r.id,
                            r.case.event.kind().ja(),
                            r.case.household.members.len()
                        ),
                        as_of: r.case.event.visit_date(),
                        case: r.case,
                    })
                    .collect::<Vec<_>>(),
                None,
            ),
            // The scenarios still run; the supervisor is told the cases are missing.
            Err(e) => (
                Vec::new(),
                Some(format!("最近の案件を読めませんでした: {e}")),
            ),
        };
        let impact = compare(
            &base.catalogue,
            &working.loaded.catalogue,
            &scenarios,
            &recent,
        );
        let detail = format!(
            "draft {}: {} scenarios changed, {} failing, {} of {} recent cases changed",
            working.id,
            impact.changed_scenarios(),
            impact.failing_scenarios(),
            impact.changed_cases(),
            impact.cases.len()
        );
        self.impact = Some(impact);
        self.screen = DeskScreen::Impact;
        self.audit("catalogue.preview", &detail);
        if let Some(message) = unread {
            self.problem(message);
        }
    }

    /// Accepts the draft's outcome as scenario `index`'s new expectation.
    pub fn accept_scenario(&mut self, index: usize) {
        if self.authorised().is_none() {
            return;
        }
        let Some((file, decision)) = self
            .impact
            .as_ref()
            .and_then(|i| i.scenarios.get(index))
            .and_then(|s| s.decision.clone().map(|d| (s.file.clone(), d)))
        else {
            return;
        };
        let accepted = self.try_change(|draft, _| {
            draft
                .accept_outcome(&file, &decision)
                .map_err(|e: AuthoringError| plain(e))
        });
        match accepted {
            Ok(()) => {
                self.audit("scenario.accept", &file);
                self.preview();
            }
            Err(problem) => self.problem(problem),
        }
    }

    /// Submits the draft (起案). Needs a note, a catalogue that loads and every scenario
    /// passing. With approval required it waits for another supervisor; otherwise it is
    /// published at once.
    pub fn publish(&mut self, note: &str) -> Option<Submitted> {
        if note.trim().is_empty() {
            self.problem("公開の理由（メモ）を書いてください。");
            return None;
        }
        let author = self.authorised()?;
        self.preview();
        let impact = self.impact.as_ref()?;
        if impact.failing_scenarios() > 0 {
            self.problem(format!(
                "シナリオが {} 件失敗しています。直すか、新しい結果を正として採用してから公開してください。",
                impact.failing_scenarios()
            ));
            return None;
        }
        let working = self.working.as_ref()?;
        let note = format!("{}（{}）", note.trim(), working.origin);
        match self
            .store
            .submit_draft(working.id, &note, &author, Utc::now())
        {
            Ok(submitted) => {
                self.working = None;
                self.impact = None;
                self.editing = None;
                if let Err(e) = self.open_base() {
                    self.problem(e);
                } else {
                    self.done(submitted_message(submitted));
                }
                self.screen = DeskScreen::Versions;
                Some(submitted)
            }
            Err(e) => {
                self.problem(format!("公開できませんでした: {e}"));
                None
            }
        }
    }

    /// Throws the draft away.
    pub fn discard(&mut self) {
        let Some(actor) = self.authorised() else {
            return;
        };
        let Some(working) = self.working.take() else {
            return;
        };
        if let Err(e) = self.store.discard_draft(working.id, &actor, Utc::now()) {
            self.problem(format!("下書きを消せませんでした: {e}"));
        }
        self.impact = None;
        self.editing = None;
        self.screen = DeskScreen::Home;
    }

    /// The published versions, newest first.
    pub fn versions(&self) -> &[CatalogueVersion] {
        &self.versions.published
    }

    /// Versions waiting for a second supervisor, oldest first.
    pub fn pending(&self) -> &[CatalogueVersion] {
        &self.versions.pending
    }

    /// Reads the versions and the approval setting again.
    fn reload_versions(&mut self) {
        let read = self.store.catalogue_versions().and_then(|all| {
            Ok(Versions {
                pending: all
                    .iter()
                    .rev()
                    .filter(|v| v.status == CatalogueStatus::Pending.id())
                    .cloned()
                    .collect(),
                published: all
                    .into_iter()
                    .filter(|v| v.status == CatalogueStatus::Published.id())
                    .collect(),
                approval_required: self.store.approval_required()?,
            })
        });
        match read {
            Ok(versions) => self.versions = versions,
            Err(e) => self.problem(format!("版の一覧を読めませんでした: {e}")),
        }
    }

    /// Opens a submitted version for a decision (approve or send back).
    pub fn open_pending(&mut self, id: i64) {
        self.deciding = Some(id);
        self.notice = None;
    }

    pub fn close_pending(&mut self) {
        self.deciding = None;
    }

    /// The submitted version open for a decision, and whether the signed-in supervisor may
    /// decide it (not its author).
    pub fn deciding(&self) -> Option<(CatalogueVersion, bool)> {
        let id = self.deciding?;
        let version = self.pending().iter().find(|v| v.id == id)?.clone();
        let may = self.user().is_some_and(|user| user != version.author);
        Some((version, may))
    }

    /// Whether publishing waits for a second supervisor (the city's setting).
    pub fn approval_required(&self) -> bool {
        self.versions.approval_required
    }

    pub fn in_force(&self) -> Option<&CatalogueVersion> {
        self.base.as_ref().map(|(v, _)| v)
    }

    /// Submits an earlier version to be in force again, as the newest. Audited.
    pub fn restore(&mut self, id: i64) -> Option<Submitted> {
        let author = self.authorised()?;
        let version = match self.store.catalogue(id) {
            Ok(Some(version)) => version,
            Ok(None) => {
                self.problem(format!("版 {id} はありません。"));
                return None;
            }
            Err(e) => {
                self.problem(format!("版 {id} を読めませんでした: {e}"));
                return None;
            }
        };
        let note = format!("版 {id} に戻す（{}）", version.note);
        match self
            .store
            .propose(&version.files, &note, &author, Utc::now())
        {
            Ok(submitted) => {
                self.audit(
                    "catalogue.restore",
                    &format!("version {id} as {submitted:?}"),
                );
                let _ = self.open_base();
                self.done(submitted_message(submitted));
                Some(submitted)
            }
            Err(e) => {
                self.problem(format!("戻せませんでした: {e}"));
                None
            }
        }
    }

    /// Approves a version another supervisor submitted (決裁): it is published.
    pub fn approve(&mut self, id: i64) -> Option<i64> {
        let approver = self.authorised()?;
        match self.store.approve(id, &approver, Utc::now()) {
            Ok(published) => {
                let _ = self.open_base();
                self.deciding = None;
                self.done(format!(
                    "版 {id} を決裁し、版 {published} として公開しました。各窓口の次の案件から使われます。"
                ));
                Some(published)
            }
            Err(e) => {
                self.problem(format!("決裁できませんでした: {e}"));
                None
            }
        }
    }

    /// Sends a submitted version back (差戻し), with the reason.
    pub fn reject(&mut self, id: i64, reason: &str) -> bool {
        if reason.trim().is_empty() {
            self.problem("差し戻す理由を書いてください。");
            return false;
        }
        let Some(by) = self.authorised() else {
            return false;
        };
        match self.store.reject(id, reason, &by, Utc::now()) {
            Ok(()) => {
                self.deciding = None;
                self.reload_versions();
                self.done(format!("版 {id} を差し戻しました。"));
                true
            }
            Err(e) => {
                self.problem(format!("差し戻せませんでした: {e}"));
                false
            }
        }
    }

    // ---- statistics -----------------------------------------------------------------------

    pub fn refresh_statistics(&mut self) {
        let today = self.today();
        let from = today - Days::new(STATISTICS_DAYS - 1);
        match self.store.statistics(from, today, self.offset) {
            Ok(stats) => self.statistics = Some(stats),
            Err(e) => self.problem(format!("統計を読めませんでした: {e}")),
        }
    }

    /// Writes the statistics as CSV. Audited.
    pub fn export_statistics(&mut self, path: &Path) -> bool {
        if self.authorised().is_none() {
            return false;
        }
        let Some(stats) = &self.statistics else {
            return false;
        };
        let written = stats
            .to_csv()
            .map_err(plain)
            .and_then(|csv| crate::output::write_private(path, &csv).map_err(plain));
        match written {
            Ok(()) => {
                self.done(format!("CSV を {} に書き出しました。", path.display()));
                self.audit("statistics.export", &path.display().to_string());
                true
            }
            Err(e) => {
                self.problem(format!("CSV を書き出せませんでした: {e}"));
                false
            }
        }
    }

    // ---- scenario from a case -------------------------------------------------------------

    /// Recent finished cases, by number, event, size and day only (as read when the cases
    /// screen opened).
    pub fn recent_cases(&self) -> &[(i64, String)] {
        &self.recent
    }

    fn reload_recent_cases(&mut self) {
        self.recent = self
            .store
            .recent_finished(30)
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    format!(
                        "案件 #{}　{}　{}人　{}",
                        r.id,
                        r.case.event.kind().ja(),
                        r.case.household.members.len(),
                        r.case.event.visit_date().format("%Y-%m-%d")
                    ),
                )
            })
            .collect();
    }

    /// Adds a scenario made from finished case `id` to the draft. Audited.
    pub fn pin_case(&mut self, id: i64) -> Option<String> {
        self.authorised()?;
        let record = self
            .store
            .recent_finished(RECENT_CASES)
            .ok()?
            .into_iter()
            .find(|r| r.id == id)?;
        if let Err(e) = self.ensure_draft() {
            self.problem(e);
            return None;
        }
        let as_of = record.case.event.visit_date();
        let name = format!("案件 #{id} から（{}）", record.case.event.kind().ja());
        let added = self.try_change(|draft, catalogue| {
            let text = scenario_from_case(
                &Engine::new(catalogue),
                &record.case,
                as_of,
                &name,
                "窓口の実例から作成。氏名・住所・生年月日は置き換えています。",
            )
            .map_err(|e| format!("シナリオにできませんでした: {e}"))?;
            Ok(draft.add_scenario(&format!("case-{id}"), text))
        });
        match added {
            Ok(path) => {
                self.audit("scenario.from_case", &format!("case {id} as {path}"));
                self.done(format!(
                    "{path} を下書きに加えました。公開すると以後のテストに入ります。"
                ));
                Some(path)
            }
            Err(problem) => {
                self.problem(problem);
                None
            }
        }
    }

    // ---- moving a catalogue between kiosks ------------------------------------------------

    /// Writes the version in force to `dir` with its checksum file. Audited.
    pub fn export_catalogue(&mut self, dir: &Path) -> bool {
        if self.authorised().is_none() {
            return false;
        }
        let Some((version, _)) = &self.base else {
            return false;
        };
        let result = madoguchi_store::catalogue_folder::write_export(version, dir);
        match result {
            Ok(()) => {
                let detail = format!("version {} to {}", version.id, dir.display());
                let message = format!("版 {} を {} に書き出しました。", version.id, dir.display());
                self.done(message);
                self.audit("catalogue.export", &detail);
                true
            }
            Err(e) => {
                self.problem(format!("書き出せませんでした: {e}"));
                false
            }
        }
    }

    /// Reads an exported catalogue, checks its checksum, and makes it the draft, then shows
    /// the impact preview (publishing it is the usual step). Audited.
    pub fn import_catalogue(&mut self, dir: &Path) -> bool {
        let Some(author) = self.authorised() else {
            return false;
        };
        if self.working.is_some() {
            self.say(
                "下書きがあります。取り込む前に、公開するか捨ててください（下書きは消しません）。",
            );
            return false;
        }
        let files = match catalogue_dir::read_export(dir) {
            Ok(files) => files,
            Err(e) => {
                self.problem(e);
                return false;
            }
        };
        let loaded = match load(files.clone()) {
            Ok(loaded) => loaded,
            Err(e) => {
                self.problem(format!("取り込むルールに誤りがあります: {e}"));
                return false;
            }
        };
        let id = match self.store.save_draft(None, &files, &author, Utc::now()) {
            Ok(id) => id,
            Err(e) => {
                self.problem(format!("下書きにできませんでした: {e}"));
                return false;
            }
        };
        let origin = format!("{} から取り込み", dir.display());
        self.audit("catalogue.import", &format!("draft {id}, {origin}"));
        self.working = Some(Working {
            id,
            draft: Draft::new(files),
            loaded,
            origin,
        });
        self.preview();
        true
    }
}

/// What the supervisor is told after submitting.
fn submitted_message(submitted: Submitted) -> String {
    match submitted {
        Submitted::Published(id) => {
            format!("版 {id} を公開しました。各窓口の次の案件から使われます。")
        }
        Submitted::Pending(id) => format!(
            "版 {id} を決裁に回しました。別の監督者が「版」の画面で承認すると公開されます。"
        ),
    }
}

/// Watches the store for a newer published catalogue, for the kiosk to take at its next case.
pub struct CatalogueFeed {
    store: Store,
    checksum: String,
}

impl std::fmt::Debug for CatalogueFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogueFeed")
            .field("checksum", &self.checksum)
            .finish_non_exhaustive()
    }
}

impl CatalogueFeed {
    /// `checksum` is the version the kiosk started with.
    pub fn new(store: Store, checksum: String) -> CatalogueFeed {
        CatalogueFeed { store, checksum }
    }

    /// The newest published catalogue if it is not the one in use. A version that does not
    /// load is skipped with a warning (the kiosk keeps working with the rules it has).
    pub fn newer(&mut self) -> Option<std::sync::Arc<Catalogue>> {
        let version = match self.store.newest_published() {
            Ok(Some(version)) => version,
            Ok(None) => return None,
            Err(error) => {
                tracing::warn!(%error, "cannot read the published catalogue");
                return None;
            }
        };
        if version.checksum == self.checksum {
            return None;
        }
        match load(version.files) {
            Ok(loaded) => {
                tracing::info!(
                    version = version.id,
                    "catalogue version taken for the next case"
                );
                self.checksum = version.checksum;
                Some(std::sync::Arc::new(loaded.catalogue))
            }
            Err(problem) => {
                tracing::warn!(version = version.id, %problem, "the published catalogue does not load");
                self.checksum = version.checksum;
                None
            }
        }
    }
}

fn load(files: BTreeMap<String, String>) -> Result<Loaded, String> {
    catalogue_dir::load_version(&files).map(|loaded| Loaded {
        catalogue: loaded.catalogue,
    })
}

/// The indices of the `entries` one of whose `texts` contains `words` (all when it is empty).
fn matching<'e, T>(
    entries: &'e [T],
    words: &str,
    texts: impl Fn(&'e T) -> [&'e String; 3],
) -> Vec<usize> {
    entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| words.is_empty() || texts(entry).iter().any(|t| t.contains(words)))
        .map(|(i, _)| i)
        .collect()
}

fn local_time(stamp: &str, offset: FixedOffset) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.with_timezone(&offset).format("%H:%M").to_string())
        .unwrap_or_else(|_| stamp.to_string())
}

#[cfg(test)]
mod tests;
