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

mod calendar;
mod cases;
pub mod condition;
mod condition_editing;
mod draft;
mod floor;
pub mod form_editor;
mod forms;
mod procedure_fields;
mod publishing;
mod questions;
mod transfer;

pub use calendar::{CALENDAR_DAYS, ClosedDay};

pub use floor::{DeskFloor, Scope};
pub use forms::{FormListing, default_import_folders};
pub use questions::Register;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};
use madoguchi_domain::{Case, EventKind};
use madoguchi_rules::authoring::{AuthoringError, Draft, ProcedureEdit, QuestionEdit, Wording};
use madoguchi_rules::impact::{Impact, RecentCase, compare};
use madoguchi_rules::pinning::scenario_from_case;
use madoguchi_rules::{Catalogue, Engine, scenario};
use madoguchi_store::catalogue::Submitted;
use madoguchi_store::{
    CatalogueStatus, CatalogueVersion, LoginError, Statistics, Store, StoreKey, Supervisor,
};

use crate::catalogue_dir;
use crate::session::Notice;
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
    Calendar,
    /// The catalogue's forms, to open one in the form editor.
    Forms,
    FormEditor,
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
    pub errors: BTreeMap<&'static str, Notice>,
    /// What the supervisor should look at again after a change that did go in (the reason
    /// still naming an age the condition no longer has), keyed by field name.
    pub warnings: BTreeMap<&'static str, Notice>,
}

impl Editing {
    fn new(entry: Entry, tree: Option<Node>) -> Editing {
        Editing {
            entry,
            tree,
            selected: Vec::new(),
            errors: BTreeMap::new(),
            warnings: BTreeMap::new(),
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
    notice: Option<Notice>,
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
    /// The counter floor, when the terminal is on one.
    floor: Option<DeskFloor>,
    /// The floor's statistics of the same period, when the floor could be read.
    floor_statistics: Option<madoguchi_central::FloorStatistics>,
    /// Whose cases the statistics and the impact preview counted.
    statistics_scope: Scope,
    impact_scope: Scope,
    /// A question waiting for a yes before something that cannot be undone.
    confirming: Option<DeskConfirm>,
    /// The shipped form templates, which the draft's own (the city's forms) are checked with.
    forms_dir: std::path::PathBuf,
    /// What the last preview found wrong with the draft's form templates.
    form_findings: Vec<String>,
    /// The form editor, while a form is open in it.
    form_editor: Option<form_editor::FormEditor>,
    /// Where the editor looks for the city's form files (the usual places when not set: read
    /// when the editor opens, on the desk's thread), and what it found there.
    import_folders: Option<Vec<std::path::PathBuf>>,
    offered_files: Vec<std::path::PathBuf>,
    /// The `madoguchi` program, which reads a form's page in a child process.
    page_reader: std::path::PathBuf,
}

/// What the desk asks before it does what cannot be undone: a morning of edits discarded, or a
/// scenario's expectation rewritten (the 係長's safety net) by one tap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskConfirm {
    DiscardDraft,
    /// Scenario `n` of the impact preview takes its new outcome as expected.
    AcceptScenario(usize),
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("screen", &self.screen)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// A problem another crate reported (the store, the catalogue loader) in its own words,
/// which name the file, line or row.
fn plain(e: impl std::fmt::Display) -> Notice {
    Notice::from_pair(e.to_string())
}

/// What `domain::input` says about a typed value.
fn input_notice(problem: input::InputError) -> Notice {
    Notice::new(problem.message_ja(), problem.message_en())
}

fn sign_in_first() -> Notice {
    Notice::new("ログインしてください。", "Sign in first.")
}

fn no_change() -> Notice {
    Notice::new(
        "変更がありません。先にルールを変えてください。",
        "Nothing has changed: change a rule first.",
    )
}

fn nothing_published() -> Notice {
    Notice::new("公開中のルールがありません。", "No catalogue is published.")
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
            floor: None,
            floor_statistics: None,
            statistics_scope: Scope::ThisTerminal(None),
            impact_scope: Scope::ThisTerminal(None),
            confirming: None,
            forms_dir: crate::packet::default_forms_dir(),
            form_findings: Vec::new(),
            form_editor: None,
            import_folders: None,
            offered_files: Vec::new(),
            page_reader: std::env::current_exe().unwrap_or_else(|_| "madoguchi".into()),
        }
    }

    pub fn screen(&self) -> DeskScreen {
        self.screen
    }

    pub fn user(&self) -> Option<&str> {
        self.user.as_ref().map(Supervisor::login)
    }

    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
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
    pub fn say(&mut self, notice: Notice) {
        self.problem(notice);
    }

    fn problem(&mut self, notice: Notice) {
        self.notice = Some(notice);
        self.notice_is_success = false;
    }

    /// Shows that something was done.
    fn done(&mut self, notice: Notice) {
        self.notice = Some(notice);
        self.notice_is_success = true;
    }

    /// Shows a problem beside `field` of the open editor.
    fn field_error(&mut self, field: &'static str, notice: Notice) {
        if let Some(editing) = &mut self.editing {
            editing.errors.insert(field, notice);
        }
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

    /// The floor's statistics of the same period, when the floor could be read.
    pub fn floor_statistics(&self) -> Option<&madoguchi_central::FloorStatistics> {
        self.floor_statistics.as_ref()
    }

    /// Whose cases the statistics count.
    pub fn statistics_scope(&self) -> &Scope {
        &self.statistics_scope
    }

    /// Whose recent cases the impact preview compared.
    pub fn impact_scope(&self) -> &Scope {
        &self.impact_scope
    }

    pub fn has_draft(&self) -> bool {
        self.working.is_some()
    }

    /// The catalogue the screens show: the draft's, else the one in force.
    /// An event's Japanese name from the working catalogue, or its id.
    fn event_ja(&self, kind: EventKind) -> String {
        self.event_namer()(kind)
    }

    /// Names events as [`Desk::event_ja`] does, holding no borrow of the desk.
    fn event_namer(&self) -> impl Fn(EventKind) -> String + use<> {
        let names: Vec<(EventKind, String)> = self
            .catalogue()
            .map(|c| c.events.iter().map(|e| (e.id, e.name.ja.clone())).collect())
            .unwrap_or_default();
        move |kind| {
            names
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or_else(|| kind.id().to_string(), |(_, name)| name.clone())
        }
    }

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
            self.problem(Notice::new(
                format!("監査ログに書けませんでした: {e}"),
                format!("could not write the audit log: {e}"),
            ));
        }
    }

    /// The signed-in supervisor, checked again in the store: an account locked or demoted
    /// since signing in is signed out with the reason. Every action that changes or reads out
    /// anything goes through here, whatever screen is showing.
    fn authorised(&mut self) -> Option<Supervisor> {
        let Some(user) = self.user.clone() else {
            self.problem(sign_in_first());
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
                    self.problem(Notice::new(
                        "この利用者には管理者の権限がありません。管理者に依頼してください。",
                        "This account is not a supervisor's. Ask a supervisor.",
                    ));
                    false
                }
            },
            Err(LoginError::Wrong) => {
                self.problem(Notice::new(
                    "名前かパスワードが違います。",
                    "The name or the password is wrong.",
                ));
                false
            }
            Err(LoginError::Locked { until }) => {
                let until = local_time(&until, self.offset);
                self.problem(Notice::new(
                    format!("失敗が続いたため、このアカウントはロックされています（{until} まで）。時間をおくか管理者に連絡してください。"),
                    format!("Too many failed sign-ins: this account is locked until {until}. Wait, or call the administrator."),
                ));
                false
            }
            Err(LoginError::Store(e)) => {
                self.problem(Notice::new(
                    format!("データベースを読めませんでした: {e}"),
                    format!("could not read the database: {e}"),
                ));
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
        self.form_editor = None;
    }

    pub fn go(&mut self, screen: DeskScreen) {
        if self.user.is_none() {
            return;
        }
        self.confirming = None;
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
            // The editor opens from the list of forms, on one of them.
            DeskScreen::FormEditor if self.form_editor.is_none() => {
                self.screen = DeskScreen::Forms;
                return;
            }
            _ => {}
        }
        self.screen = screen;
    }

    fn open_base(&mut self) -> Result<(), Notice> {
        self.reload_versions();
        let version = self
            .store
            .newest_published()
            .map_err(plain)?
            .ok_or_else(nothing_published)?;
        let loaded = load(version.files.clone())?;
        self.base = Some((version, loaded));
        if let Some(draft) = self.store.newest_draft().map_err(plain)? {
            let id = draft.id;
            let loaded = load(draft.files.clone())?;
            self.working = Some(Working {
                id,
                draft: Draft::new(draft.files),
                loaded,
                origin: format!("下書き{id}"),
            });
        }
        Ok(())
    }
}

fn load(files: BTreeMap<String, String>) -> Result<Loaded, Notice> {
    catalogue_dir::load_version(&files)
        .map(|loaded| Loaded {
            catalogue: loaded.catalogue,
        })
        .map_err(plain)
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
        .filter(|(_, entry)| words.is_empty() || texts(entry).iter().any(|t| mentions(t, words)))
        .map(|(i, _)| i)
        .collect()
}

/// Whether `text` holds `words`, as written or, for a text with ルビ marks, as read
/// (「てあて」 finds 「手当《てあて》」).
fn mentions(text: &str, words: &str) -> bool {
    use madoguchi_domain::ruby;
    text.contains(words)
        || (ruby::has_ruby(text)
            && (ruby::base_text(text).contains(words) || ruby::reading_text(text).contains(words)))
}

fn local_time(stamp: &str, offset: FixedOffset) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.with_timezone(&offset).format("%H:%M").to_string())
        .unwrap_or_else(|_| stamp.to_string())
}

#[cfg(test)]
mod tests;
