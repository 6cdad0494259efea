//! The floor board: what a terminal on the floor shows of the households handed from counter
//! to counter.
//!
//! - A **department counter** (`madoguchi kiosk --counter hoken_nenkin`) sees its 受付一覧: the
//!   households routed to it today, with their 受付番号 from the guidance sheet, the procedures
//!   for this counter, what was printed and how far the counter is. The clerk opens a case (its
//!   sealed fields are fetched and opened with the floor key; the opening is a hand-over event
//!   and audited on the floor), prints this counter's forms, and marks the counter's work done
//!   or not needed with a reason.
//! - An **interview desk** sees the households it sent on, each with every counter's state.
//!
//! The list itself is followed by a [`Follower`] thread (LISTEN/NOTIFY with re-reads as the
//! fallback) and taken in by [`FloorBoard::absorb`]; everything else is a plain call on the
//! controller, which the kiosk runs on a [`crate::worker::Worker`] so the window never waits.
//! Marks go through the store's outbox like every write a terminal makes, so they survive a
//! crash and reach the floor when the server is back; until the floor has them the list shows
//! them as not yet sent.
//!
//! Nothing personal is in a list: 受付番号, time, event, household size, procedure names, states.
//! Only an opened case holds names, and only until it is closed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use madoguchi_central::{ConnectOptions, HandoverKind, Waiting};
use madoguchi_domain::{Case, EventKind};
use madoguchi_forms::Fonts;
use madoguchi_rules::{Catalogue, Decision, Engine};
use madoguchi_store::{NewPrintJob, PrintState, Store, StoreKey};
use uuid::Uuid;

use super::counter::{CounterList, Watch, mark};
use super::link::Poker;
use crate::packet::{self, PacketInput};
use crate::runtime::feed::CatalogueFeed;
use crate::runtime::spooler::Spooler;
use crate::session::Notice;

/// The longest reason a clerk gives for 「不要」.
pub const MAX_REASON_CHARS: usize = 200;

/// How long the follower waits for a notification before looking again.
const LISTEN_SLICE: Duration = Duration::from_millis(500);
/// How long a print is followed before the clerk is told it is still queued.
const PRINT_FOLLOW: Duration = Duration::from_secs(15);

/// Japan's clock: the list's times are the counter's.
fn japan() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero"))
}

/// Whose list this is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoardKind {
    /// A department counter (its id in the catalogue).
    Counter(String),
    /// An interview desk following the households it sent on.
    Desk,
}

impl BoardKind {
    fn watch(&self) -> Watch {
        match self {
            BoardKind::Counter(id) => Watch::Counter(id.clone()),
            BoardKind::Desk => Watch::MadeHere,
        }
    }
}

/// The list as the follower last read it.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    /// Counts the reads: a new value means a new list.
    pub generation: u64,
    pub routes: Vec<Waiting>,
    pub online: bool,
    /// Why the last read failed (never personal).
    pub problem: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The thread that follows the list.
pub struct Follower {
    listing: Arc<Mutex<Listing>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower").finish_non_exhaustive()
    }
}

impl Follower {
    /// Starts following `kind`'s list of today (Japan's day).
    pub fn start(kind: &BoardKind, options: ConnectOptions) -> Follower {
        let listing = Arc::new(Mutex::new(Listing::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut list = CounterList::watching(kind.watch(), options);
        let thread = {
            let listing = listing.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("floor-board".into())
                .spawn(move || follow(&mut list, &listing, &stop))
                .ok()
        };
        Follower {
            listing,
            stop,
            thread,
        }
    }

    /// The newest list when it is newer than `generation`. Never waits on the thread.
    pub fn newer_than(&self, generation: u64) -> Option<Listing> {
        let listing = self.listing.try_lock().ok()?;
        (listing.generation != generation).then(|| listing.clone())
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn follow(list: &mut CounterList, listing: &Mutex<Listing>, stop: &AtomicBool) {
    let mut offline_pause = Duration::from_millis(500);
    while !stop.load(Ordering::SeqCst) {
        let since = madoguchi_store::floor::day_start(Utc::now());
        match list.wait_for_change(LISTEN_SLICE, since) {
            Ok(None) => {}
            Ok(Some(routes)) => {
                offline_pause = Duration::from_millis(500);
                let mut shared = listing.lock().unwrap_or_else(|e| e.into_inner());
                shared.generation += 1;
                shared.routes = routes;
                shared.online = true;
                shared.problem = None;
                shared.read_at = Some(Utc::now());
            }
            Err(error) => {
                {
                    let mut shared = listing.lock().unwrap_or_else(|e| e.into_inner());
                    if shared.online || shared.generation == 0 {
                        shared.generation += 1;
                    }
                    shared.online = false;
                    shared.problem = Some(format!("{error:#}"));
                }
                // Wait in short steps so that closing the board is never held up.
                let until = Instant::now() + offline_pause;
                while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(100));
                }
                offline_pause = (offline_pause * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// A counter's state for one case, as the screen names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteState {
    Waiting,
    Open,
    Done,
    NotNeeded,
}

impl RouteState {
    fn from_id(id: &str) -> RouteState {
        match id {
            "open" => RouteState::Open,
            "done" => RouteState::Done,
            "not_needed" => RouteState::NotNeeded,
            _ => RouteState::Waiting,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            RouteState::Waiting => "waiting",
            RouteState::Open => "open",
            RouteState::Done => "done",
            RouteState::NotNeeded => "not_needed",
        }
    }

    pub fn words(self) -> Notice {
        match self {
            RouteState::Waiting => Notice::new("待ち", "waiting"),
            RouteState::Open => Notice::new("対応中", "in progress"),
            RouteState::Done => Notice::new("完了", "done"),
            RouteState::NotNeeded => Notice::new("不要", "not needed"),
        }
    }

    fn finished(self) -> bool {
        matches!(self, RouteState::Done | RouteState::NotNeeded)
    }
}

/// A counter's part of a case, in a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CounterPart {
    pub counter: String,
    /// The counter's name from the catalogue (its id when the catalogue does not know it).
    pub name: String,
    pub state: RouteState,
    pub reason: String,
    /// Marked here and not yet on the floor.
    pub unsent: bool,
}

/// One household in the list: nothing personal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardRow {
    pub case: Uuid,
    pub reception: String,
    /// When the interview ended, Japan's time (「09:41」).
    pub time: String,
    pub event: Notice,
    pub members: i16,
    /// The procedures for this counter, by name (a department's list).
    pub procedures: Vec<String>,
    /// The interview desk printed the packet.
    pub packet_printed: bool,
    /// This counter printed its forms again.
    pub printed_here: bool,
    /// Every counter's part (an interview desk's list has several, a department's one).
    pub parts: Vec<CounterPart>,
}

impl BoardRow {
    /// The row's state: the least finished of its counters'.
    pub fn state(&self) -> RouteState {
        let order = [
            RouteState::Waiting,
            RouteState::Open,
            RouteState::NotNeeded,
            RouteState::Done,
        ];
        self.parts
            .iter()
            .map(|p| p.state)
            .min_by_key(|s| order.iter().position(|o| o == s))
            .unwrap_or(RouteState::Waiting)
    }

    pub fn finished(&self) -> bool {
        self.parts.iter().all(|p| p.state.finished())
    }
}

/// A case the clerk opened: the personal fields, for the clerk's eyes only.
#[derive(Clone, Debug)]
pub struct OpenedCase {
    pub case_id: Uuid,
    pub reception: String,
    pub case: Case,
    /// The decision of today's catalogue, narrowed to this counter's procedures.
    pub decision: Decision,
    /// Procedures routed here that today's catalogue no longer decides for the case.
    pub unknown_procedures: Vec<String>,
}

/// A mark made here, shown until the floor's list has it.
#[derive(Clone, Debug)]
struct LocalMark {
    state: RouteState,
    reason: String,
    printed: bool,
}

/// What the board needs to print a counter's forms.
pub struct BoardPrinting {
    pub forms_dir: std::path::PathBuf,
    pub local: packet::Local,
    pub printer: Option<String>,
    pub spooler: Spooler,
}

impl std::fmt::Debug for BoardPrinting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardPrinting")
            .field("printer", &self.printer)
            .finish_non_exhaustive()
    }
}

/// The board's controller.
pub struct FloorBoard {
    kind: BoardKind,
    catalogue: Arc<Catalogue>,
    feed: Option<CatalogueFeed>,
    options: ConnectOptions,
    central: Option<madoguchi_central::Central>,
    store: Store,
    floor_key: StoreKey,
    poker: Option<Poker>,
    printing: BoardPrinting,
    templates: packet::Templates,
    fonts: Option<Fonts>,
    listing: Listing,
    marks: HashMap<Uuid, LocalMark>,
    opened: Option<OpenedCase>,
    notice: Option<(Notice, bool)>,
}

impl std::fmt::Debug for FloorBoard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FloorBoard")
            .field("kind", &self.kind)
            .field("rows", &self.listing.routes.len())
            .field("opened", &self.opened.is_some())
            .finish_non_exhaustive()
    }
}

/// What the board is made from.
pub struct BoardParts {
    pub kind: BoardKind,
    pub catalogue: Arc<Catalogue>,
    /// Follows the store's catalogue in force (none for a fixed catalogue folder).
    pub feed: Option<CatalogueFeed>,
    pub options: ConnectOptions,
    pub store: Store,
    pub floor_key: StoreKey,
    /// Wakes the floor link after a mark.
    pub poker: Option<Poker>,
    pub printing: BoardPrinting,
}

impl std::fmt::Debug for BoardParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardParts")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl FloorBoard {
    pub fn new(parts: BoardParts) -> FloorBoard {
        FloorBoard {
            kind: parts.kind,
            catalogue: parts.catalogue,
            feed: parts.feed,
            options: parts.options,
            central: None,
            store: parts.store,
            floor_key: parts.floor_key,
            poker: parts.poker,
            templates: packet::Templates::new(parts.printing.forms_dir.clone()),
            printing: parts.printing,
            fonts: None,
            listing: Listing::default(),
            marks: HashMap::new(),
            opened: None,
            notice: None,
        }
    }

    pub fn kind(&self) -> &BoardKind {
        &self.kind
    }

    /// Takes in the follower's newest list.
    pub fn absorb(&mut self, listing: Listing) {
        // A mark the floor now shows needs no overlay any more.
        self.marks.retain(|case, mark| {
            !listing.routes.iter().any(|route| {
                route.case == *case
                    && RouteState::from_id(&route.state) == mark.state
                    && (!mark.printed || route.printed_here)
            })
        });
        self.listing = listing;
    }

    /// The generation of the list taken in last.
    pub fn generation(&self) -> u64 {
        self.listing.generation
    }

    pub fn online(&self) -> bool {
        self.listing.online
    }

    /// When the list was last read, Japan's time (「14:05」).
    pub fn read_at(&self) -> Option<String> {
        self.listing
            .read_at
            .map(|at| at.with_timezone(&japan()).format("%H:%M:%S").to_string())
    }

    pub fn notice(&self) -> Option<&(Notice, bool)> {
        self.notice.as_ref()
    }

    fn say(&mut self, notice: Notice, error: bool) {
        self.notice = Some((notice, error));
    }

    pub fn opened(&self) -> Option<&OpenedCase> {
        self.opened.as_ref()
    }

    /// The list's rows, oldest first, each case once.
    pub fn rows(&self) -> Vec<BoardRow> {
        let mut rows: Vec<BoardRow> = Vec::new();
        for route in &self.listing.routes {
            let mark = self.marks.get(&route.case);
            let part = CounterPart {
                counter: route.counter.clone(),
                name: self.catalogue.counter_name(&route.counter),
                state: match (&self.kind, mark) {
                    (BoardKind::Counter(_), Some(mark)) => mark.state,
                    _ => RouteState::from_id(&route.state),
                },
                reason: match (&self.kind, mark) {
                    (BoardKind::Counter(_), Some(mark)) => mark.reason.clone(),
                    _ => route.reason.clone(),
                },
                unsent: matches!(self.kind, BoardKind::Counter(_)) && mark.is_some(),
            };
            if let Some(row) = rows.iter_mut().find(|row| row.case == route.case) {
                row.parts.push(part);
                continue;
            }
            rows.push(BoardRow {
                case: route.case,
                reception: route.reception.clone(),
                time: route
                    .finished_at
                    .with_timezone(&japan())
                    .format("%H:%M")
                    .to_string(),
                event: event_words(&self.catalogue, &route.event),
                members: route.members,
                procedures: route
                    .procedures
                    .iter()
                    .map(|id| self.catalogue.procedure_name(id))
                    .collect(),
                packet_printed: route.forms_printed > 0,
                printed_here: route.printed_here || mark.is_some_and(|m| m.printed),
                parts: vec![part],
            });
        }
        rows
    }

    /// This board's counter's name (the interview desk's board has none).
    pub fn title(&self) -> Notice {
        match &self.kind {
            BoardKind::Counter(id) => {
                let name = self.catalogue.counter_name(id);
                Notice::new(format!("{name} 受付一覧"), format!("{name}: waiting list"))
            }
            BoardKind::Desk => Notice::new(
                "受付状況（この端末で受け付けた世帯）",
                "Progress of the households received here",
            ),
        }
    }

    fn central(&mut self) -> anyhow::Result<&mut madoguchi_central::Central> {
        if self.central.as_ref().is_none_or(|c| c.is_closed()) {
            self.central = Some(madoguchi_central::Central::connect(&self.options)?);
        }
        self.central
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("no connection"))
    }

    fn counter_id(&self) -> Option<String> {
        match &self.kind {
            BoardKind::Counter(id) => Some(id.clone()),
            BoardKind::Desk => None,
        }
    }

    /// Opens a case for the clerk: fetches its sealed fields from the floor, opens them with
    /// the floor key, decides it with today's catalogue and keeps this counter's procedures.
    /// The opening goes to the floor as a hand-over event (and so into its audit).
    pub fn open(&mut self, case_id: Uuid, now: DateTime<Utc>) {
        let Some(counter) = self.counter_id() else {
            return;
        };
        let Some(route) = self
            .listing
            .routes
            .iter()
            .find(|r| r.case == case_id)
            .cloned()
        else {
            return;
        };
        let sealed = match self.central().and_then(|c| Ok(c.sealed_case(case_id)?)) {
            Ok(Some(sealed)) => sealed,
            Ok(None) => {
                self.say(
                    Notice::new(
                        "この受付の個人情報は保存期間を過ぎたため消去されています。",
                        "This case's personal fields were purged after the retention period.",
                    ),
                    true,
                );
                return;
            }
            Err(error) => {
                self.central = None;
                tracing::warn!(error = %format!("{error:#}"), "cannot fetch a case");
                self.say(
                    Notice::new(
                        "センターに接続できないため、受付を開けません。しばらくしてからもう一度押してください。",
                        "The central database cannot be reached: try again in a moment.",
                    ),
                    true,
                );
                return;
            }
        };
        let case = match self.unseal(case_id, &sealed) {
            Ok(case) => case,
            Err(notice) => {
                self.say(notice, true);
                return;
            }
        };
        if let Some(feed) = self.feed.as_mut()
            && let Some(newer) = feed.newer(&self.store, Instant::now())
        {
            self.catalogue = newer;
        }
        let mut decision = match Engine::new(&self.catalogue).evaluate(&case, packet::as_of(&case))
        {
            Ok(decision) => decision,
            Err(error) => {
                self.say(
                    Notice::new(
                        format!("この受付を今の規則で判定できません（{error}）"),
                        format!("the case cannot be decided with today's catalogue ({error})"),
                    ),
                    true,
                );
                return;
            }
        };
        decision
            .procedures
            .retain(|p| p.counter.id == counter && route.procedures.contains(&p.id));
        decision.to_confirm.clear();
        let unknown_procedures = route
            .procedures
            .iter()
            .filter(|id| !decision.procedures.iter().any(|p| &p.id == *id))
            .map(|id| self.catalogue.procedure_name(id))
            .collect();
        self.record(case_id, &counter, HandoverKind::Opened, "", now);
        if RouteState::from_id(&route.state) == RouteState::Waiting {
            self.overlay(case_id, RouteState::Open, "", false);
        }
        self.opened = Some(OpenedCase {
            case_id,
            reception: route.reception,
            case,
            decision,
            unknown_procedures,
        });
        self.notice = None;
    }

    fn unseal(&self, case_id: Uuid, sealed: &[u8]) -> Result<Case, Notice> {
        let context = madoguchi_store::floor::floor_context(&case_id.to_string());
        let plain = self.floor_key.open(sealed, &context).map_err(|_| {
            Notice::new(
                "この受付を開けません。フロアの暗号鍵がこの端末と違います。管理者に連絡してください。",
                "This case cannot be opened: the floor key differs from this terminal's. Call IT staff.",
            )
        })?;
        Case::from_json(&plain).map_err(|error| {
            Notice::new(
                format!("この受付の内容を読めません（{error}）。管理者に連絡してください。"),
                format!("This case cannot be read ({error}). Call IT staff."),
            )
        })
    }

    /// Closes the opened case: its personal fields leave memory.
    pub fn close(&mut self) {
        self.opened = None;
    }

    /// Marks this counter's work on a case done.
    pub fn mark_done(&mut self, case_id: Uuid, now: DateTime<Utc>) {
        let Some(counter) = self.counter_id() else {
            return;
        };
        if self.record(case_id, &counter, HandoverKind::Done, "", now) {
            self.overlay(case_id, RouteState::Done, "", false);
            self.say(Notice::new("完了にしました。", "Marked done."), false);
            self.close_if(case_id);
        }
    }

    /// Marks this counter's work on a case not needed, with the reason the clerk gives.
    pub fn mark_not_needed(&mut self, case_id: Uuid, reason: &str, now: DateTime<Utc>) {
        let Some(counter) = self.counter_id() else {
            return;
        };
        let reason: String = reason
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_REASON_CHARS)
            .collect();
        if reason.is_empty() {
            self.say(
                Notice::new(
                    "「不要」にする理由を選ぶか入力してください。",
                    "Choose or type why it is not needed.",
                ),
                true,
            );
            return;
        }
        if self.record(case_id, &counter, HandoverKind::NotNeeded, &reason, now) {
            self.overlay(case_id, RouteState::NotNeeded, &reason, false);
            self.say(Notice::new("不要にしました。", "Marked not needed."), false);
            self.close_if(case_id);
        }
    }

    fn close_if(&mut self, case_id: Uuid) {
        if self.opened.as_ref().is_some_and(|o| o.case_id == case_id) {
            self.opened = None;
        }
    }

    fn overlay(&mut self, case_id: Uuid, state: RouteState, reason: &str, printed: bool) {
        let current = self.marks.get(&case_id).cloned();
        let shown = self
            .listing
            .routes
            .iter()
            .find(|r| r.case == case_id)
            .map(|r| RouteState::from_id(&r.state));
        // Printing keeps the state the counter gave; opening never undoes a decision.
        let state = match (state, current.as_ref().map(|m| m.state).or(shown)) {
            (RouteState::Open, Some(before)) if before != RouteState::Waiting => before,
            _ => state,
        };
        self.marks.insert(
            case_id,
            LocalMark {
                state,
                reason: reason.to_string(),
                printed: printed || current.is_some_and(|m| m.printed),
            },
        );
    }

    /// Writes a hand-over event to the outbox and wakes the link; tells the clerk if the
    /// store refused it.
    fn record(
        &mut self,
        case_id: Uuid,
        counter: &str,
        kind: HandoverKind,
        reason: &str,
        now: DateTime<Utc>,
    ) -> bool {
        match mark(&mut self.store, case_id, counter, kind, reason, now) {
            Ok(()) => {
                if let Some(poker) = &self.poker {
                    poker.poke();
                }
                true
            }
            Err(error) => {
                tracing::error!(error = %format!("{error:#}"), "cannot record a hand-over");
                self.say(
                    Notice::new(
                        "記録できませんでした（端末の保存領域）。管理者に連絡してください。",
                        "The mark could not be saved on this terminal. Call IT staff.",
                    ),
                    true,
                );
                false
            }
        }
    }

    /// Prints the opened case's forms for this counter (no guidance sheet) and follows the
    /// job for a few seconds; the floor learns that this counter printed.
    pub fn print(&mut self, now: DateTime<Utc>) {
        let Some(counter) = self.counter_id() else {
            return;
        };
        let Some(opened) = self.opened.clone() else {
            return;
        };
        if packet::forms_of(&opened.decision).is_empty() {
            self.say(
                Notice::new(
                    "この窓口の手続きに、印刷する書類はありません。",
                    "This counter's procedures have no forms to print.",
                ),
                false,
            );
            return;
        }
        let made = match self.make_packet(&opened) {
            Ok(made) => made,
            Err(notice) => {
                self.say(notice, true);
                return;
            }
        };
        if made.forms.is_empty() {
            self.say(
                Notice::new(
                    "この窓口の書類には印刷用の様式がありません。窓口の用紙をお使いください。",
                    "This counter's forms have no templates: use the counter's paper forms.",
                ),
                false,
            );
            return;
        }
        let Some(printer) = self.printing.printer.clone() else {
            self.say(
                Notice::new(
                    "プリンターが設定されていません。管理者が設定してください（madoguchi store set printer 名前）。",
                    "No printer is set (madoguchi store set printer NAME).",
                ),
                true,
            );
            return;
        };
        let title = packet::print_title(&made);
        let job = match self.store.enqueue_print(
            &NewPrintJob {
                case_id: None,
                printer: &printer,
                title: &title,
                pages: made.pages,
                forms: made.forms.len(),
                document: &made.pdf,
            },
            now,
        ) {
            Ok(job) => job,
            Err(error) => {
                self.say(
                    Notice::new(
                        format!("印刷の準備ができません（{error}）"),
                        format!("cannot queue the forms ({error})"),
                    ),
                    true,
                );
                return;
            }
        };
        self.record(opened.case_id, &counter, HandoverKind::Printed, "", now);
        let state = self.overlay_state(opened.case_id);
        self.overlay(opened.case_id, state, "", true);
        self.follow_print(job, made.forms.len());
    }

    fn overlay_state(&self, case_id: Uuid) -> RouteState {
        self.marks.get(&case_id).map_or_else(
            || {
                self.listing
                    .routes
                    .iter()
                    .find(|r| r.case == case_id)
                    .map_or(RouteState::Open, |r| RouteState::from_id(&r.state))
            },
            |m| m.state,
        )
    }

    fn make_packet(&mut self, opened: &OpenedCase) -> Result<madoguchi_forms::Packet, Notice> {
        let offset = self.printing.local.preprinted_offset;
        let library = self.templates.for_catalogue(&self.catalogue, offset).map_err(|error| {
            Notice::new(
                format!("帳票のテンプレートを読み込めません（{error:#}）。管理者に連絡してください。"),
                format!("cannot load the form templates ({error:#}); call the supervisor"),
            )
        })?;
        let fonts = self.fonts.get_or_insert_with(Fonts::load);
        packet::make(
            library,
            fonts,
            &PacketInput {
                case: &opened.case,
                decision: &opened.decision,
                local: &self.printing.local,
                reception: &opened.reception,
                guidance: false,
                language: madoguchi_forms::SheetLanguage::Japanese,
            },
        )
        .map_err(|error| {
            Notice::new(
                format!("帳票を作成できません（{error:#}）"),
                format!("cannot make the forms ({error:#})"),
            )
        })
    }

    /// Steps the spooler until the job is printed, failed, or [`PRINT_FOLLOW`] has passed (it
    /// stays queued and [`FloorBoard::step_printing`] carries it on).
    fn follow_print(&mut self, job: madoguchi_store::PrintJobId, forms: usize) {
        let until = Instant::now() + PRINT_FOLLOW;
        loop {
            let progress = match self.printing.spooler.step(&mut self.store) {
                Ok(progress) => progress,
                Err(error) => {
                    tracing::error!(%error, "spooler step failed");
                    Vec::new()
                }
            };
            let mine = progress.into_iter().find(|p| p.id == job);
            let finished = match &mine {
                None => true,
                Some(p) => matches!(p.state, PrintState::Done | PrintState::Failed),
            };
            if finished || Instant::now() >= until {
                let notice = match mine {
                    None => Notice::new(
                        format!("{forms}種類の書類を印刷しました。"),
                        format!("Printed {forms} form(s)."),
                    ),
                    Some(p) if p.state == PrintState::Done => Notice::new(
                        format!("{forms}種類の書類を印刷しました。"),
                        format!("Printed {forms} form(s)."),
                    ),
                    Some(p) => {
                        let reason = p.reason.unwrap_or_default();
                        Notice::new(
                            format!("印刷はまだ終わっていません：{reason}"),
                            format!("Not printed yet: {reason}"),
                        )
                    }
                };
                let error = notice.ja.starts_with("印刷はまだ");
                self.say(notice, error);
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Moves queued print jobs on (called now and then while the board is shown).
    pub fn step_printing(&mut self) {
        if let Err(error) = self.printing.spooler.step(&mut self.store) {
            tracing::warn!(%error, "spooler step failed");
        }
    }

    pub fn dismiss_notice(&mut self) {
        self.notice = None;
    }
}

/// The event's name as the catalogue gives it, or its id when this terminal's catalogue does
/// not know it (another terminal runs a newer version).
fn event_words(catalogue: &Catalogue, id: &str) -> Notice {
    match EventKind::new(id) {
        Ok(kind) => {
            let name = catalogue.event_name(kind);
            Notice::new(&name.ja, &name.en)
        }
        Err(_) => Notice::new(id, id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(dir: &std::path::Path) -> FloorBoard {
        let config = madoguchi_store::StoreConfig {
            db_path: dir.join("db.sqlite3"),
            key_path: dir.join("store.key"),
        };
        let store = Store::open(&config, Utc::now()).expect("store").store;
        FloorBoard::new(BoardParts {
            kind: BoardKind::Counter("kodomo".into()),
            catalogue: crate::samples::shipped_catalogue().expect("catalogue"),
            feed: None,
            // Never reached: marks go through the outbox.
            options: ConnectOptions {
                connection: format!("host={} user=nobody", dir.join("none").display()),
                password: None,
                ca_file: None,
            },
            store,
            floor_key: StoreKey::from_hex(&"11".repeat(32)).expect("key"),
            poker: None,
            printing: BoardPrinting {
                forms_dir: packet::default_forms_dir(),
                local: packet::Local::default(),
                printer: None,
                spooler: Spooler::new(madoguchi_printer::Cups::from_env()),
            },
        })
    }

    fn waiting(case: Uuid, reception: &str, state: &str) -> Waiting {
        Waiting {
            case,
            reception: reception.into(),
            finished_at: Utc::now(),
            event: "tennyu".into(),
            members: 4,
            counter: "kodomo".into(),
            state: state.into(),
            reason: String::new(),
            procedures: vec!["jidou_teate".into()],
            forms_printed: 3,
            printed_here: false,
        }
    }

    fn listing(generation: u64, routes: Vec<Waiting>) -> Listing {
        Listing {
            generation,
            routes,
            online: true,
            problem: None,
            read_at: Some(Utc::now()),
        }
    }

    #[test]
    fn a_mark_shows_at_once_as_unsent_until_the_floor_has_it() {
        let dir = tempfile::tempdir().expect("dir");
        let mut board = board(dir.path());
        let case = Uuid::new_v4();
        board.absorb(listing(1, vec![waiting(case, "A-001", "waiting")]));
        let rows = board.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].reception, "A-001");
        assert_eq!(rows[0].procedures, vec!["児童手当の認定請求".to_string()]);
        assert_eq!(rows[0].state(), RouteState::Waiting);

        board.mark_done(case, Utc::now());
        let row = &board.rows()[0];
        assert_eq!(row.state(), RouteState::Done);
        assert!(row.parts[0].unsent, "not on the floor yet");
        assert_eq!(board.store.unsent().expect("unsent").handovers, 1);

        // The floor's list still says waiting (the link has not pushed): the mark stays.
        board.absorb(listing(2, vec![waiting(case, "A-001", "waiting")]));
        assert!(board.rows()[0].parts[0].unsent);
        // The floor has it: the overlay goes.
        board.absorb(listing(3, vec![waiting(case, "A-001", "done")]));
        let row = &board.rows()[0];
        assert_eq!(row.state(), RouteState::Done);
        assert!(!row.parts[0].unsent);
        assert!(row.finished());
    }

    #[test]
    fn not_needed_asks_for_a_reason_and_keeps_it_short() {
        let dir = tempfile::tempdir().expect("dir");
        let mut board = board(dir.path());
        let case = Uuid::new_v4();
        board.absorb(listing(1, vec![waiting(case, "001", "open")]));
        board.mark_not_needed(case, "  \n ", Utc::now());
        assert!(board.notice().is_some_and(|(_, error)| *error));
        assert_eq!(board.store.unsent().expect("unsent").handovers, 0);

        let long = "理".repeat(MAX_REASON_CHARS + 50);
        board.mark_not_needed(case, &long, Utc::now());
        let row = &board.rows()[0];
        assert_eq!(row.state(), RouteState::NotNeeded);
        assert_eq!(row.parts[0].reason.chars().count(), MAX_REASON_CHARS);
    }

    #[test]
    fn an_interview_desk_sees_each_case_once_with_every_counter() {
        let dir = tempfile::tempdir().expect("dir");
        let mut board = board(dir.path());
        board.kind = BoardKind::Desk;
        let case = Uuid::new_v4();
        let mut hoiku = waiting(case, "001", "waiting");
        hoiku.counter = "hoiku".into();
        board.absorb(listing(1, vec![waiting(case, "001", "done"), hoiku]));
        let rows = board.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].parts.len(), 2);
        assert_eq!(rows[0].state(), RouteState::Waiting, "the least finished");
        // A desk marks nothing.
        board.mark_done(case, Utc::now());
        assert_eq!(board.store.unsent().expect("unsent").handovers, 0);
    }
}
