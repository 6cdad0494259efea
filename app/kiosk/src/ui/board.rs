//! The floor board's screen: the board controller (`floor::board::FloorBoard`, on its own
//! thread) and the list's follower go into the `Board` global; the global's callbacks become
//! board calls. Like the other adapters, it holds nothing of its own but which case each drawn
//! row is.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use chrono::Utc;
use madoguchi_domain::{Case, EventKind, Language};
use slint::{ComponentHandle, SharedString};
use uuid::Uuid;

use super::generated::{Board, BoardItem, CaseLine, CaseProcedure, KioskWindow};
use super::model;
use super::present::{self, Context};
use crate::floor::board::{BoardKind, BoardRow, FloorBoard, Follower, OpenedCase, RouteState};
use crate::worker::Worker;

/// How often queued print jobs are moved on while the board shows.
const PRINT_STEP: Duration = Duration::from_secs(10);

/// An opened case closes after this long without a tap: its personal fields leave the screen
/// when the clerk steps away.
pub const CASE_IDLE: Duration = Duration::from_secs(180);

/// Reasons a counter gives most often for 「不要」 (the clerk may type another).
const REASONS: [&str; 4] = ["手続き済み", "対象外と確認", "後日来庁", "希望しない"];

/// The board's thread, its list's follower, and the window it draws into.
pub struct BoardUi {
    worker: Worker<FloorBoard>,
    follower: Follower,
    window: slint::Weak<KioskWindow>,
    /// The worker's finished-job count when the window was last drawn.
    drawn: Cell<u64>,
    /// The follower's list generation last handed to the board.
    taken: Cell<u64>,
    english: Cell<bool>,
    /// The case of each row drawn, in order: a tapped row's index names its case.
    shown: RefCell<Vec<Uuid>>,
    stepped: Cell<Instant>,
    /// The last tap on the board.
    touched: Cell<Instant>,
}

impl std::fmt::Debug for BoardUi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardUi")
            .field("worker", &self.worker)
            .finish_non_exhaustive()
    }
}

impl BoardUi {
    /// Starts `board` on its own thread, follows its list, and wires the board's screen.
    pub fn attach(
        window: &KioskWindow,
        board: FloorBoard,
        follower: Follower,
    ) -> Rc<RefCell<BoardUi>> {
        let counter = matches!(board.kind(), BoardKind::Counter(_));
        let ui = Rc::new(RefCell::new(BoardUi {
            worker: Worker::start("floor-board", board),
            follower,
            window: window.as_weak(),
            drawn: Cell::new(u64::MAX),
            taken: Cell::new(0),
            english: Cell::new(false),
            shown: RefCell::new(Vec::new()),
            stepped: Cell::new(Instant::now()),
            touched: Cell::new(Instant::now()),
        }));
        let global = window.global::<Board>();
        global.set_counter(counter);
        // A department counter's terminal is its board; an interview desk opens it.
        global.set_open(counter);
        global.set_reasons(model(REASONS.iter().map(|r| (*r).into()).collect()));
        wire(window, &ui);
        ui.borrow().refresh();
        ui
    }

    pub fn worker(&self) -> &Worker<FloorBoard> {
        &self.worker
    }

    pub fn set_english(&self, english: bool) {
        self.english.set(english);
        self.drawn.set(u64::MAX);
        self.poll();
    }

    /// Hands a board call to its thread and shows that work is in progress.
    pub fn run(&self, job: impl FnOnce(&mut FloorBoard) + Send + 'static) {
        self.touched.set(Instant::now());
        self.worker.submit(job);
        self.refresh();
    }

    /// Takes in a newer list, moves queued prints on now and then, and redraws once the
    /// board's thread is idle (the kiosk's timer calls this every tick).
    pub fn poll(&self) {
        if let Some(listing) = self.follower.newer_than(self.taken.get()) {
            self.taken.set(listing.generation);
            self.worker.submit(move |board| board.absorb(listing));
        }
        if self.touched.get().elapsed() >= CASE_IDLE && self.case_shown() {
            self.touched.set(Instant::now());
            self.worker.submit(FloorBoard::close);
        }
        if !self.worker.busy() && self.stepped.get().elapsed() >= PRINT_STEP {
            self.stepped.set(Instant::now());
            self.worker.submit(FloorBoard::step_printing);
        }
        if self.worker.finished() != self.drawn.get() && !self.worker.busy() {
            self.refresh();
        }
    }

    /// Waits until the board's thread is idle (at most `timeout`), then redraws: for tests and
    /// screenshots.
    pub fn settle(&self, timeout: Duration) -> bool {
        let idle = self.worker.wait_idle(timeout);
        self.refresh();
        idle
    }

    /// Pushes the board's state into the global; while its thread works the global keeps what
    /// it shows and says so.
    pub fn refresh(&self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let global = window.global::<Board>();
        let Some(board) = self.worker.idle_view() else {
            global.set_busy(true);
            return;
        };
        global.set_busy(false);
        self.drawn.set(self.worker.finished());
        let context = Context {
            language: if self.english.get() {
                Language::English
            } else {
                Language::Japanese
            },
            resident: false,
        };
        let english = context.english();
        global.set_title(context.notice(&board.title()));
        global.set_offline(!board.online());
        global.set_status(status(&board, english).into());
        match board.notice() {
            Some((notice, error)) => {
                global.set_notice(context.notice(notice));
                global.set_notice_is_error(*error);
            }
            None => global.set_notice(SharedString::new()),
        }
        let rows = board.rows();
        let opened = board.opened().map(|o| o.case_id);
        let show_finished = global.get_show_finished();
        let waiting = rows.iter().filter(|r| !r.finished()).count();
        global.set_counts(
            if english {
                format!("{waiting} waiting, {} finished", rows.len() - waiting)
            } else {
                format!(
                    "対応待ち{waiting}世帯　対応済み{}世帯",
                    rows.len() - waiting
                )
            }
            .into(),
        );
        let counter = matches!(board.kind(), BoardKind::Counter(_));
        let drawn: Vec<&BoardRow> = rows
            .iter()
            .filter(|r| show_finished || !r.finished() || Some(r.case) == opened)
            .collect();
        *self.shown.borrow_mut() = drawn.iter().map(|r| r.case).collect();
        global.set_items(model(
            drawn
                .iter()
                .map(|r| item(r, counter, Some(r.case) == opened, &context))
                .collect(),
        ));
        match board.opened() {
            Some(case) => {
                let row = rows.iter().find(|r| r.case == case.case_id);
                push_case(&global, case, row, &context);
            }
            None => {
                global.set_has_case(false);
                global.set_case_people(model(Vec::new()));
                global.set_case_facts(model(Vec::new()));
                global.set_case_procedures(model(Vec::new()));
            }
        }
    }

    fn case_shown(&self) -> bool {
        self.window
            .upgrade()
            .is_some_and(|w| w.global::<Board>().get_has_case())
    }

    fn case_at(&self, index: i32) -> Option<Uuid> {
        let index = usize::try_from(index).ok()?;
        self.shown.borrow().get(index).copied()
    }
}

fn status(board: &FloorBoard, english: bool) -> String {
    let counter = matches!(board.kind(), BoardKind::Counter(_));
    match (board.online(), board.read_at(), english) {
        (true, Some(at), false) if counter => {
            format!("{at} 更新（受付が終わると自動で表示されます）")
        }
        (true, Some(at), true) if counter => {
            format!("Updated {at} (new households appear by themselves)")
        }
        (true, Some(at), false) => format!("{at} 更新（各窓口の対応は自動で更新されます）"),
        (true, Some(at), true) => format!("Updated {at} (each counter's work shows by itself)"),
        (_, _, false) if board.generation() == 0 => "センターに接続しています…".into(),
        (_, _, true) if board.generation() == 0 => "Connecting to the central database…".into(),
        (_, at, false) => format!(
            "センターに接続できません。再接続を続けています{}",
            at.map(|a| format!("（最後の更新 {a}）"))
                .unwrap_or_default()
        ),
        (_, at, true) => format!(
            "The central database cannot be reached; reconnecting{}",
            at.map(|a| format!(" (last update {a})"))
                .unwrap_or_default()
        ),
    }
}

fn item(row: &BoardRow, counter: bool, selected: bool, context: &Context) -> BoardItem {
    let english = context.english();
    let what = if english {
        format!("{}, {} people", row.event.en, row.members)
    } else {
        format!("{}・{}人", row.event.ja, row.members)
    };
    let detail = if counter {
        row.procedures.join(if english { ", " } else { "、" })
    } else {
        row.parts
            .iter()
            .map(|p| format!("{}：{}", p.name, context.notice(&p.state.words())))
            .collect::<Vec<_>>()
            .join("　")
    };
    let printed = match (row.printed_here, row.packet_printed, english) {
        (true, _, false) => "この窓口で書類を印刷済み",
        (true, _, true) => "Forms printed at this counter",
        (false, true, false) => "受付で書類を印刷済み",
        (false, true, true) => "Forms printed at the interview",
        (false, false, _) => "",
    };
    let state = row.state();
    let state_text = match row.parts.first() {
        Some(part) if counter && state == RouteState::NotNeeded && !part.reason.is_empty() => {
            format!("{}（{}）", context.notice(&state.words()), part.reason)
        }
        _ => context.notice(&state.words()).to_string(),
    };
    BoardItem {
        reception: row.reception.as_str().into(),
        time: row.time.as_str().into(),
        what: what.into(),
        detail: detail.into(),
        state: state.id().into(),
        state_text: state_text.into(),
        printed: printed.into(),
        unsent: row.parts.iter().any(|p| p.unsent),
        selected,
    }
}

fn push_case(global: &Board<'_>, opened: &OpenedCase, row: Option<&BoardRow>, context: &Context) {
    let english = context.english();
    let case = &opened.case;
    let event = row.map_or_else(String::new, |r| context.notice(&r.event).to_string());
    global.set_has_case(true);
    global.set_case_title(
        format!(
            "{}　{}　{}{}",
            opened.reception,
            event,
            case.household.members.len(),
            if english { " people" } else { "人" }
        )
        .into(),
    );
    let state = row.map_or(RouteState::Open, BoardRow::state);
    global.set_case_finished(matches!(state, RouteState::Done | RouteState::NotNeeded));
    global.set_case_state(
        format!(
            "{}{}",
            if english {
                "This counter: "
            } else {
                "この窓口："
            },
            context.notice(&state.words())
        )
        .into(),
    );
    global.set_case_people(model(people(case, context)));
    global.set_case_facts(model(facts(case, context)));
    global.set_case_procedures(model(
        opened
            .decision
            .procedures
            .iter()
            .map(|p| {
                let row = present::procedure_row(p, context);
                CaseProcedure {
                    name: row.name,
                    reasons: row.reason,
                    forms: if row.forms.is_empty() {
                        SharedString::new()
                    } else {
                        format!(
                            "{}{}",
                            if english { "Forms: " } else { "様式：" },
                            row.forms
                        )
                        .into()
                    },
                    bring: row.bring,
                    deadline: row.deadline,
                }
            })
            .collect(),
    ));
    global.set_case_warning(
        if opened.unknown_procedures.is_empty() {
            String::new()
        } else if english {
            format!(
                "Today's catalogue no longer decides: {}",
                opened.unknown_procedures.join(", ")
            )
        } else {
            format!(
                "今の規則では判定されない手続きがあります：{}",
                opened.unknown_procedures.join("、")
            )
        }
        .into(),
    );
}

fn people(case: &Case, context: &Context) -> Vec<CaseLine> {
    case.household
        .members
        .iter()
        .map(|member| {
            let person = &member.person;
            let mut text = person.name.clone();
            if let Some(kana) = &person.kana {
                text.push_str(&format!("（{kana}）"));
            }
            if let Some(born) = person.birth_date {
                text.push_str(&format!("　{}", context.date(born)));
            }
            CaseLine {
                label: if context.english() {
                    member.relation.en().into()
                } else {
                    member.relation.word().into()
                },
                text: text.into(),
            }
        })
        .collect()
}

fn facts(case: &Case, context: &Context) -> Vec<CaseLine> {
    let line = |label: &str, text: String| CaseLine {
        label: label.into(),
        text: text.into(),
    };
    let mut lines = vec![line(
        context.pick("異動日", "Move date"),
        context.date(case.event.date),
    )];
    let new = case.event.address_after();
    // A counter needs where a 転入 comes from; a 転居's old address is the city's own record.
    let old = case
        .event
        .previous_address
        .as_ref()
        .filter(|_| case.event.kind == EventKind::TENNYU);
    if let Some(address) = new {
        lines.push(line(
            context.pick("新しい住所", "New address"),
            present::address_text(address),
        ));
    }
    if let Some(address) = old {
        lines.push(line(
            context.pick("前の住所", "Previous address"),
            present::address_text(address),
        ));
    }
    lines
}

fn wire(window: &KioskWindow, ui: &Rc<RefCell<BoardUi>>) {
    let global = window.global::<Board>();
    let weak = Rc::downgrade(ui);
    let with = move |call: &dyn Fn(&BoardUi)| {
        if let Some(ui) = weak.upgrade() {
            call(&ui.borrow());
        }
    };
    global.on_open_item({
        let with = with.clone();
        move |index| {
            with(&|ui| {
                if let Some(case) = ui.case_at(index) {
                    ui.run(move |board| board.open(case, Utc::now()));
                }
            })
        }
    });
    global.on_close_case({
        let with = with.clone();
        move || with(&|ui| ui.run(FloorBoard::close))
    });
    global.on_print({
        let with = with.clone();
        move || with(&|ui| ui.run(|board| board.print(Utc::now())))
    });
    let weak_window = window.as_weak();
    global.on_done({
        let with = with.clone();
        let weak_window = weak_window.clone();
        move || {
            clear_reason(&weak_window);
            with(&|ui| {
                if let Some(case) = opened_case(ui) {
                    ui.run(move |board| board.mark_done(case, Utc::now()));
                }
            })
        }
    });
    global.on_not_needed({
        let with = with.clone();
        let weak_window = weak_window.clone();
        move |reason| {
            clear_reason(&weak_window);
            with(&|ui| {
                if let Some(case) = opened_case(ui) {
                    let reason = reason.to_string();
                    ui.run(move |board| board.mark_not_needed(case, &reason, Utc::now()));
                }
            })
        }
    });
    global.on_toggle_finished({
        let with = with.clone();
        let weak_window = weak_window.clone();
        move || {
            if let Some(window) = weak_window.upgrade() {
                let global = window.global::<Board>();
                global.set_show_finished(!global.get_show_finished());
            }
            with(&BoardUi::refresh)
        }
    });
    global.on_enter({
        let weak_window = weak_window.clone();
        let with = with.clone();
        move || {
            if let Some(window) = weak_window.upgrade() {
                window.global::<Board>().set_open(true);
            }
            with(&BoardUi::refresh)
        }
    });
    global.on_leave(move || {
        if let Some(window) = weak_window.upgrade() {
            window.global::<Board>().set_open(false);
        }
        with(&|ui| ui.run(FloorBoard::dismiss_notice))
    });
}

/// The case the panel shows, read from the board between calls (never waits on its thread).
fn opened_case(ui: &BoardUi) -> Option<Uuid> {
    ui.worker.idle_view()?.opened().map(|o| o.case_id)
}

fn clear_reason(window: &slint::Weak<KioskWindow>) {
    if let Some(window) = window.upgrade() {
        window.global::<Board>().set_reason(SharedString::new());
    }
}
