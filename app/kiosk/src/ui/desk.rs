//! The supervisor's screens: the desk controller's state goes into the `Desk` global, the
//! global's callbacks become desk calls. Like the clerk's adapter, it holds nothing of its own.

use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::rc::Rc;

use madoguchi_rules::Catalogue;
use madoguchi_rules::condition::Op;
use madoguchi_store::Statistics;
use slint::{ComponentHandle, ModelRc, SharedString};

use super::generated::{
    Bar, ConditionForm, Desk as DeskGlobal, DeskPublishing, DeskRow, DeskScreen as UiScreen,
    Figure, KioskWindow, ProcedureForm, QuestionForm, StatisticsBoard, Tick, TreeRow,
};
use super::model;
use crate::session::Notice;
use crate::supervisor::condition::{self, Group, Node, ValueChoice};
use crate::supervisor::{Desk, DeskConfirm, DeskScreen, Editing, Register};
use crate::worker::DeskWorker;

/// The desk's thread and the window it draws into.
pub struct DeskUi {
    worker: DeskWorker,
    window: slint::Weak<KioskWindow>,
    /// The worker's finished-job count when the window was last drawn from the desk.
    drawn: Cell<u64>,
    /// The kiosk's language: the desk's notices are drawn in it.
    english: Cell<bool>,
    /// The form editor's page as last handed to the window.
    picture: super::form_editor::ShownPicture,
}

impl std::fmt::Debug for DeskUi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskUi")
            .field("worker", &self.worker)
            .finish_non_exhaustive()
    }
}

fn strings(items: impl IntoIterator<Item = String>) -> ModelRc<SharedString> {
    model(items.into_iter().map(SharedString::from).collect())
}

impl DeskUi {
    /// Starts `desk` on its own thread and wires the supervisor's screens of `window` to it.
    pub fn attach(window: &KioskWindow, desk: Desk) -> Rc<RefCell<DeskUi>> {
        let ui = Rc::new(RefCell::new(DeskUi {
            worker: DeskWorker::start("supervisor-desk", desk),
            window: window.as_weak(),
            drawn: Cell::new(0),
            english: Cell::new(false),
            picture: Default::default(),
        }));
        wire(window, &ui);
        ui.borrow().refresh();
        ui
    }

    /// The desk's thread: tests and screenshots hand it calls and wait for them.
    pub fn worker(&self) -> &DeskWorker {
        &self.worker
    }

    /// Draws the notices in English (or Japanese) from now on.
    pub fn set_english(&self, english: bool) {
        self.english.set(english);
        self.drawn.set(u64::MAX);
        self.poll();
    }

    /// Hands one desk call to the desk's thread and shows that work is in progress.
    pub fn run(&self, job: impl FnOnce(&mut Desk) + Send + 'static) {
        self.worker.submit(job);
        self.refresh();
    }

    /// Redraws once the desk's thread has finished what it was given (the kiosk's timer calls
    /// this every tick).
    pub fn poll(&self) {
        if self.worker.finished() != self.drawn.get() && !self.worker.busy() {
            self.refresh();
        }
    }

    /// Waits (at most `timeout`) until the desk's thread is idle, then redraws: for tests and
    /// screenshots, which look at the screen after each tap.
    pub fn settle(&self, timeout: std::time::Duration) -> bool {
        let idle = self.worker.wait_idle(timeout);
        self.refresh();
        idle
    }

    /// Pushes the desk's state into the global.
    ///
    /// While the desk's thread is working, the global keeps what it shows and says that work
    /// is in progress; it is never drawn from a desk in the middle of a call.
    pub fn refresh(&self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let chrome = window.global::<DeskGlobal>();
        let publishing = window.global::<DeskPublishing>();
        let procedure_form = window.global::<ProcedureForm>();
        let board = window.global::<StatisticsBoard>();
        let Some(desk) = self.worker.idle_view() else {
            chrome.set_busy(true);
            return;
        };
        chrome.set_busy(false);
        self.drawn.set(self.worker.finished());
        let desk = &*desk;
        chrome.set_screen(ui_screen(desk.screen()));
        if desk.screen() != DeskScreen::Procedure {
            procedure_form.set_procedure_part(0);
        }
        chrome.set_user(desk.user().unwrap_or_default().into());
        let english = self.english.get();
        chrome.set_notice(
            desk.notice()
                .map_or_else(SharedString::new, |n| pick(n, english)),
        );
        chrome.set_notice_is_error(!desk.notice_is_success());
        chrome.set_has_draft(desk.has_draft());
        let (kind, detail) = match desk.confirming() {
            None => (0, String::new()),
            Some(DeskConfirm::DiscardDraft) => (1, String::new()),
            Some(DeskConfirm::AcceptScenario(n)) => (
                2,
                desk.impact()
                    .and_then(|i| i.scenarios.get(n))
                    .map(|s| s.label.clone())
                    .unwrap_or_default(),
            ),
        };
        chrome.set_confirm_kind(kind);
        chrome.set_confirm_detail(detail.into());
        chrome.set_filter_text(desk.filter().into());
        if desk.user().is_some() {
            publishing.set_approval_required(desk.approval_required());
            publishing.set_pending_count(i32::try_from(desk.pending().len()).unwrap_or(i32::MAX));
        }
        let deciding = desk.deciding();
        publishing.set_deciding(deciding.is_some());
        if let Some((version, may)) = &deciding {
            publishing.set_deciding_title(format!("決裁待ち　版{}", version.id).into());
            publishing.set_deciding_detail(
                format!(
                    "起案：{}（{}）　{}",
                    version.author,
                    local_day(&version.created_at),
                    version.note
                )
                .into(),
            );
            publishing.set_may_decide(*may);
        }
        chrome.set_in_force(
            desk.in_force()
                .map(|v| {
                    format!(
                        "使用中: 版{}（{}）{}",
                        v.id,
                        local_day(&v.created_at),
                        v.note
                    )
                })
                .unwrap_or_default()
                .into(),
        );
        let Some(catalogue) = desk.catalogue() else {
            return;
        };
        match desk.screen() {
            DeskScreen::Procedures => {
                chrome.set_rows(model(procedure_rows(catalogue, &desk.listed_procedures())))
            }
            DeskScreen::Questions => {
                chrome.set_rows(model(question_rows(catalogue, &desk.listed_questions())))
            }
            DeskScreen::Question => push_question(desk, &window, catalogue, english),
            DeskScreen::Versions => chrome.set_rows(model(version_rows(desk))),
            DeskScreen::Cases => chrome.set_rows(model(
                desk.recent_cases()
                    .iter()
                    .map(|(_, label)| row(label.clone(), String::new(), "", "シナリオにする"))
                    .collect(),
            )),
            DeskScreen::Calendar => {
                chrome.set_calendar_note(calendar_note(desk).into());
                chrome.set_rows(model(calendar_rows(desk)));
            }
            DeskScreen::Impact => push_impact(desk, &window, catalogue),
            DeskScreen::Procedure => push_procedure(desk, &window, catalogue, english),
            DeskScreen::Statistics => {
                push_statistics(&board, desk.statistics(), catalogue);
                push_floor_statistics(&board, desk, catalogue, english);
            }
            DeskScreen::Forms => chrome.set_rows(model(form_list_rows(desk))),
            DeskScreen::FormEditor => super::form_editor::push(desk, &window, &self.picture),
            DeskScreen::SignIn | DeskScreen::Home => {}
        }
    }
}

/// The closed days of the coming year: the date in 和暦 with its weekday, why, and for the
/// city's own days the action that takes them off.
fn calendar_rows(desk: &Desk) -> Vec<DeskRow> {
    desk.closed_days()
        .iter()
        .map(|day| {
            let (mark, action) = if day.is_city_day() {
                ("changed", "開庁日に戻す")
            } else {
                ("same", "")
            };
            row(
                format!(
                    "{}（{}）",
                    madoguchi_domain::wareki::format(day.date).unwrap_or_default(),
                    madoguchi_domain::calendar::weekday_ja(day.date)
                ),
                day.because.ja(),
                mark,
                action,
            )
        })
        .collect()
}

/// What the calendar screen says above its list: the rule, and how far the holidays reach.
fn calendar_note(desk: &Desk) -> String {
    let reach = desk.holidays_until().map_or_else(
        || "祝日の一覧がありません（calendar.toml と holidays.csv）。".to_string(),
        |year| format!("祝日は{year}年まで登録されています。"),
    );
    format!(
        "期限が閉庁日に当たると翌開庁日まで延びます（地方自治法第4条の2）。土日は毎週閉庁です。{reach}市の休日の追加・削除は下書きになり、公開すると期限の計算に使われます。"
    )
}

/// The catalogue's forms, marked where the city's own form prints instead of the shipped one.
fn form_list_rows(desk: &Desk) -> Vec<DeskRow> {
    desk.form_listing()
        .into_iter()
        .map(|form| {
            let (text, mark) = if form.citys_own {
                (
                    format!("{}　市の様式（欄を置いたもの）", form.id),
                    "changed",
                )
            } else {
                (format!("{}　標準の様式", form.id), "")
            };
            row(form.title, text, mark, "")
        })
        .collect()
}

/// Versions waiting for a decision first, then the published ones, newest first.
fn version_rows(desk: &Desk) -> Vec<DeskRow> {
    let current = desk.in_force().map(|v| v.id);
    let user = desk.user().unwrap_or_default();
    let pending = desk.pending().iter().map(|v| {
        let action = if v.author == user { "" } else { "決裁する" };
        row(
            format!("決裁待ち　版{}　{}", v.id, local_day(&v.created_at)),
            format!("起案：{}　{}", v.author, v.note),
            "pending",
            action,
        )
    });
    let published = desk.versions().iter().map(|v| {
        let here = Some(v.id) == current;
        let decided = v
            .decided_by
            .as_deref()
            .map(|d| format!("（決裁：{d}）"))
            .unwrap_or_default();
        // On a floor, whether the version is there for every terminal.
        let floor = v
            .floor_id
            .map(|id| format!("　フロアの版{id}"))
            .unwrap_or_default();
        row(
            format!("版{}　{}{floor}", v.id, local_day(&v.created_at)),
            format!("{}{decided}：{}", v.author, v.note),
            if here { "current" } else { "" },
            if here { "" } else { "この版に戻す" },
        )
    });
    pending.chain(published).collect()
}

fn push_procedure(desk: &Desk, window: &KioskWindow, catalogue: &Catalogue, english: bool) {
    let procedure_form = window.global::<ProcedureForm>();
    let Some(editing) = desk.editing() else {
        return;
    };
    let (Some(index), Some(rule)) = (editing.procedure(), editing.rule()) else {
        return;
    };
    let procedure = &catalogue.procedures[index];
    let error = |field: &str| field_error(editing, field, english);
    procedure_form.set_procedure_title(format!("{}（{}）", procedure.name.ja, procedure.id).into());
    procedure_form.set_name_ja(procedure.name.ja.clone().into());
    procedure_form.set_source(procedure.source.clone().into());
    procedure_form.set_effective_from(
        procedure
            .effective
            .from
            .map(|d| d.to_string())
            .unwrap_or_default()
            .into(),
    );
    procedure_form.set_effective_to(
        procedure
            .effective
            .to
            .map(|d| d.to_string())
            .unwrap_or_default()
            .into(),
    );
    procedure_form.set_critical(procedure.critical);
    procedure_form.set_deadlines(strings(procedure.deadlines.iter().map(|d| {
        if d.months > 0 {
            format!("{}か月", d.months)
        } else {
            d.days.to_string()
        }
    })));
    procedure_form.set_rule_tabs(strings(
        (1..=procedure.rules.len()).map(|n| format!("条件{n}")),
    ));
    procedure_form.set_rule(i32::try_from(rule).unwrap_or(0));
    procedure_form.set_because_ja(
        procedure
            .rules
            .get(rule)
            .map(|r| r.because.ja.clone())
            .unwrap_or_default()
            .into(),
    );
    procedure_form.set_name_error(error("name"));
    procedure_form.set_source_error(error("source"));
    procedure_form.set_effective_error(
        [error("effective_from"), error("effective_to")]
            .into_iter()
            .find(|e: &SharedString| !e.is_empty())
            .unwrap_or_default(),
    );
    procedure_form.set_deadline_error(error("deadline"));
    procedure_form.set_because_error(error("because"));
    procedure_form.set_because_warning(
        editing
            .warnings
            .get("because")
            .map_or_else(SharedString::new, |n| pick(n, english)),
    );
    push_bring(desk, &procedure_form, catalogue, procedure);
    procedure_form.set_bring_error(error("bring"));
    push_condition(desk, window, catalogue, editing, english);
}

/// The items offered for what to bring, ticked where the procedure asks for them.
fn push_bring(
    desk: &Desk,
    g: &ProcedureForm<'_>,
    catalogue: &Catalogue,
    procedure: &madoguchi_rules::catalogue::Procedure,
) {
    g.set_item_filter(desk.item_filter().into());
    g.set_items(model(
        desk.listed_items()
            .into_iter()
            .map(|i| Tick {
                text: catalogue.items[i].text.ja.clone().into(),
                ticked: procedure.bring.contains(&i),
            })
            .collect(),
    ));
    let brought: Vec<&str> = procedure
        .bring
        .iter()
        .map(|i| catalogue.items[*i].text.ja.as_str())
        .collect();
    g.set_bring_summary(
        if brought.is_empty() {
            "持ち物はありません。下の一覧から選びます。".to_string()
        } else {
            format!("持ち物（{}）：{}", brought.len(), brought.join("、"))
        }
        .into(),
    );
}

fn push_question(desk: &Desk, window: &KioskWindow, catalogue: &Catalogue, english: bool) {
    let procedure_form = window.global::<ProcedureForm>();
    let question_form = window.global::<QuestionForm>();
    let Some(editing) = desk.editing() else {
        return;
    };
    let Some(question) = editing.question().and_then(|i| catalogue.questions.get(i)) else {
        return;
    };
    let error = |field: &str| field_error(editing, field, english);
    question_form.set_question_title(format!("{}（{}）", question.label.ja, question.id).into());
    question_form.set_question_kind(question_kind(question).into());
    question_form.set_text_ja(question.text.ja.clone().into());
    question_form.set_text_easy(question.text.easy.clone().into());
    question_form.set_text_en(question.text.en.clone().into());
    question_form.set_label_ja(question.label.ja.clone().into());
    question_form.set_sensitive(question.sensitive);
    procedure_form.set_source(question.source.clone().unwrap_or_default().into());
    question_form.set_has_condition(editing.tree.is_some());
    question_form.set_text_ja_error(error(Register::Ja.field()));
    question_form.set_text_easy_error(error(Register::Easy.field()));
    question_form.set_text_en_error(error(Register::En.field()));
    question_form.set_label_error(error("label"));
    procedure_form.set_source_error(error("source"));
    push_condition(desk, window, catalogue, editing, english);
}

/// The open condition as tree rows, and the picker for its selected part.
fn push_condition(
    desk: &Desk,
    window: &KioskWindow,
    catalogue: &Catalogue,
    editing: &Editing,
    english: bool,
) {
    let condition_form = window.global::<ConditionForm>();
    condition_form.set_condition_error(field_error(editing, "condition", english));
    condition_form.set_condition_text(desk.condition_text().into());
    let rows = desk.condition_rows();
    condition_form.set_tree(model(
        rows.iter()
            .map(|r| TreeRow {
                text: r.text.clone().into(),
                depth: i32::try_from(r.depth).unwrap_or(0),
                group: r.group,
                selected: r.path == editing.selected,
            })
            .collect(),
    ));
    push_picker(desk, &condition_form, catalogue);
}

fn push_picker(desk: &Desk, g: &ConditionForm<'_>, catalogue: &Catalogue) {
    let selected = desk.selected();
    let leaf = desk.selected_leaf();
    g.set_leaf_selected(leaf.is_some());
    let facts = desk.facts();
    g.set_facts(strings(
        facts.iter().map(|f| condition::fact_text(*f, catalogue)),
    ));
    let fact = leaf
        .map(condition::fact_of)
        .and_then(|f| facts.iter().position(|x| *x == f));
    g.set_fact(index(fact));
    let ops = leaf.map(condition::ops).unwrap_or_default();
    g.set_ops(strings(
        ops.iter().map(|o| condition::op_text(*o).to_string()),
    ));
    let op = leaf
        .and_then(leaf_op)
        .and_then(|op| ops.iter().position(|o| *o == op));
    g.set_op(index(op));
    let (options, picked, number, date, text) = match desk.value_choice() {
        Some(ValueChoice::Options { labels, picked, .. }) => {
            (labels, picked, false, false, String::new())
        }
        Some(ValueChoice::Number(n)) => (Vec::new(), Vec::new(), true, false, n.to_string()),
        Some(ValueChoice::Date(d)) => (Vec::new(), Vec::new(), false, true, d),
        None => (Vec::new(), Vec::new(), false, false, String::new()),
    };
    g.set_value_options(strings(options));
    g.set_value_picked(model(picked));
    g.set_value_is_number(number);
    g.set_value_is_date(date);
    g.set_value_text(text.into());
    let groups = match selected {
        Some((Node::Group(..), in_members)) => group_choices(in_members),
        _ => Vec::new(),
    };
    g.set_groups(strings(groups.iter().map(|k| condition::group_text(*k))));
    let current = match selected {
        Some((Node::Group(kind, _), _)) => groups.iter().position(|k| k == kind),
        _ => None,
    };
    g.set_group(index(current));
}

fn push_impact(desk: &Desk, window: &KioskWindow, catalogue: &Catalogue) {
    let chrome = window.global::<DeskGlobal>();
    let publishing = window.global::<DeskPublishing>();
    let Some(impact) = desk.impact() else {
        return;
    };
    let name = |id: &String| procedure_name(catalogue, id);
    let diff = |c: &madoguchi_rules::impact::Comparison| {
        let mut parts = Vec::new();
        let added: Vec<String> = c.added().iter().map(name).collect();
        let removed: Vec<String> = c.removed().iter().map(name).collect();
        if !added.is_empty() {
            parts.push(format!("＋加わる：{}", added.join("、")));
        }
        if !removed.is_empty() {
            parts.push(format!("−なくなる：{}", removed.join("、")));
        }
        if let Err(e) = &c.after {
            parts.push(format!("評価できません: {e}"));
        }
        parts.join("　")
    };
    let scenario_rows = shown_scenarios(impact)
        .into_iter()
        .map(|i| &impact.scenarios[i])
        .map(|s| {
            let mut text = diff(s);
            if !s.passes() {
                text = format!("{text}　（シナリオの期待と違います）");
            }
            let (mark, action) = match (s.passes(), s.changed()) {
                (false, _) => ("fail", "この結果を正とする"),
                (true, true) => ("changed", ""),
                (true, false) => ("same", ""),
            };
            row(s.label.clone(), text, mark, action)
        })
        .collect();
    chrome.set_rows(model(scenario_rows));
    chrome.set_case_rows(model(
        impact
            .cases
            .iter()
            .filter(|c| c.changed())
            .map(|c| row(c.label.clone(), diff(c), "changed", ""))
            .collect(),
    ));
    publishing.set_impact_summary(
            format!(
                "シナリオ{}件のうち{}件で手続きが変わり、{}件が期待と違います。最近の案件{}件のうち{}件で変わります。",
                impact.scenarios.len(),
                impact.changed_scenarios(),
                impact.failing_scenarios(),
                impact.cases.len(),
                impact.changed_cases()
            )
            .into(),
        );
    publishing.set_form_rows(model(form_rows(impact, desk.form_findings())));
    publishing.set_can_publish(impact.failing_scenarios() == 0 && desk.form_findings().is_empty());
    publishing.set_impact_scope(desk.impact_scope().words().ja.into());
    publishing.set_impact_floor(desk.impact_scope().is_floor());
}

/// The city's forms the change touches, then anything their check found.
fn form_rows(impact: &madoguchi_rules::impact::Impact, findings: &[String]) -> Vec<DeskRow> {
    use madoguchi_rules::impact::FileChange;
    let changed = impact.forms.iter().map(|change| {
        let what = match change.change {
            FileChange::Added => "追加",
            FileChange::Changed => "変更",
            FileChange::Removed => "削除",
        };
        let kind = if change.file.ends_with(".b64") {
            "様式の画像"
        } else {
            "様式"
        };
        row(
            change.file.clone(),
            format!("{kind}を{what}"),
            "changed",
            "",
        )
    });
    let found = findings
        .iter()
        .map(|finding| row("帳票の確認".into(), finding.clone(), "fail", ""));
    changed.chain(found).collect()
}

/// On the floor, the floor's figures and charts replace this terminal's (the procedures and
/// 「わからない」 answers are only counted on each terminal); either way the board says whose
/// cases it counts.
fn push_floor_statistics(
    g: &StatisticsBoard<'_>,
    desk: &Desk,
    catalogue: &Catalogue,
    english: bool,
) {
    let scope = desk.statistics_scope().words();
    g.set_scope(if english { scope.en } else { scope.ja }.into());
    let Some(floor) = desk.floor_statistics() else {
        g.set_floor(false);
        return;
    };
    g.set_floor(true);
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    let figures = [
        ("受付した案件（全端末）", floor.cases.to_string()),
        ("異動した人", floor.members.to_string()),
        ("1件の時間（平均）", format!("{:.1}分", floor.mean_minutes)),
        ("印刷した書類", floor.forms_printed.to_string()),
        ("受付した端末", floor.per_terminal.len().to_string()),
    ];
    g.set_figures(figure_model(figures));
    // Every day of the period, as this terminal's chart lists them, days without cases too.
    let days: Vec<(chrono::NaiveDate, i64)> = match desk.statistics() {
        Some(local) => local
            .from
            .iter_days()
            .take_while(|d| *d <= local.to)
            .map(|d| {
                let n = floor
                    .per_day
                    .iter()
                    .find(|(day, _)| *day == d)
                    .map_or(0, |(_, n)| *n);
                (d, n)
            })
            .collect(),
        None => floor.per_day.clone(),
    };
    g.set_per_day(model(bars(
        days.iter()
            .map(|(d, n)| (d.format("%-d").to_string(), count(*n))),
    )));
    // The counter's usual hours, 8 時 to 19 時, widened to any hour with cases.
    let busy: Vec<usize> = (0..24).filter(|h| floor.per_hour[*h] > 0).collect();
    let first = busy.first().copied().unwrap_or(8).min(8);
    let last = busy.last().copied().unwrap_or(19).max(19);
    g.set_per_hour(model(bars(
        (first..=last).map(|h| (format!("{h}"), count(floor.per_hour[h]))),
    )));
    g.set_per_counter(model(bars(
        floor
            .per_counter
            .iter()
            .take(8)
            .map(|(id, n)| (catalogue.counter_name(id), count(*n))),
    )));
}

fn push_statistics(g: &StatisticsBoard<'_>, stats: Option<&Statistics>, catalogue: &Catalogue) {
    let Some(stats) = stats else { return };
    g.set_period(format!("{} 〜 {}", stats.from, stats.to).into());
    let median = stats
        .median_seconds
        .map(|s| format!("{}分{:02}秒", s / 60, s % 60))
        .unwrap_or_else(|| "—".into());
    let figures = [
        ("完了した案件", stats.finished.to_string()),
        ("中断した案件", stats.abandoned.to_string()),
        ("1件の時間（中央値）", median),
        (
            "1件あたりの手続き",
            format!("{:.1}", stats.procedures_per_case),
        ),
        ("印刷した書類", stats.forms_printed.to_string()),
        (
            "印刷の失敗",
            format!("{} / {}", stats.print_failures, stats.print_jobs),
        ),
    ];
    g.set_figures(figure_model(figures));
    let day_label = |d: &chrono::NaiveDate| d.format("%-d").to_string();
    g.set_per_day(model(bars(
        stats.per_day.iter().map(|(d, n)| (day_label(d), *n)),
    )));
    g.set_per_week(model(bars(
        stats
            .per_week
            .iter()
            .map(|(w, n)| (format!("{}〜", w.format("%-m/%-d")), *n)),
    )));
    g.set_top_procedures(model(bars(
        stats
            .top_procedures
            .iter()
            .take(8)
            .map(|(id, n)| (procedure_name(catalogue, id), *n)),
    )));
    let question = |id: &str| {
        catalogue
            .question_index(id)
            .map(|i| catalogue.questions[i].label.ja.clone())
            .unwrap_or_else(|| id.to_string())
    };
    g.set_unknown_answers(model(bars(
        stats
            .unknown_answers
            .iter()
            .take(6)
            .map(|(id, n)| (question(id), *n)),
    )));
}

/// The scenarios the preview lists: failing ones first, then those whose list changes. The
/// rest are only counted.
fn shown_scenarios(impact: &madoguchi_rules::impact::Impact) -> Vec<usize> {
    let failing = (0..impact.scenarios.len()).filter(|i| !impact.scenarios[*i].passes());
    let changed = (0..impact.scenarios.len())
        .filter(|i| impact.scenarios[*i].passes() && impact.scenarios[*i].changed());
    failing.chain(changed).collect()
}

fn bars(values: impl Iterator<Item = (String, u32)>) -> Vec<Bar> {
    let values: Vec<(String, u32)> = values.collect();
    let longest = values.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    values
        .into_iter()
        .map(|(label, n)| Bar {
            label: label.into(),
            value: i32::try_from(n).unwrap_or(i32::MAX),
            share: n as f32 / longest as f32,
        })
        .collect()
}

fn figure_model<const N: usize>(figures: [(&str, String); N]) -> ModelRc<Figure> {
    model(
        figures
            .into_iter()
            .map(|(label, value)| Figure {
                label: label.into(),
                value: value.into(),
            })
            .collect(),
    )
}

fn row(title: String, text: String, mark: &str, action: &str) -> DeskRow {
    DeskRow {
        title: title.into(),
        text: text.into(),
        mark: mark.into(),
        action: action.into(),
    }
}

/// A procedure's Japanese name, or its id when the catalogue shown no longer has it (counted
/// cases and earlier versions may name procedures since removed).
fn procedure_name(catalogue: &Catalogue, id: &str) -> String {
    catalogue.procedure_name(id)
}

fn field_error(editing: &Editing, field: &str, english: bool) -> SharedString {
    editing
        .errors
        .get(field)
        .map_or_else(SharedString::new, |n| pick(n, english))
}

fn pick(notice: &Notice, english: bool) -> SharedString {
    if english { &notice.en } else { &notice.ja }.into()
}

/// How a question is answered, and whether and when it is asked, in a line.
fn question_kind(question: &madoguchi_rules::catalogue::Question) -> String {
    use madoguchi_rules::catalogue::QuestionKind;
    let kind = match question.kind {
        QuestionKind::YesNo => "はい／いいえ".to_string(),
        QuestionKind::Number { min, max } => format!("数（{min}〜{max}）"),
        QuestionKind::Choice => format!(
            "選ぶ：{}",
            question
                .choices
                .iter()
                .map(|c| c.text.ja.as_str())
                .collect::<Vec<_>>()
                .join(" ／ ")
        ),
        QuestionKind::Date => "日付".to_string(),
        QuestionKind::Members => "世帯員を選ぶ".to_string(),
    };
    let private = if question.sensitive {
        "　住民がひとりで答える"
    } else {
        ""
    };
    format!("答え方: {kind}{private}")
}

fn question_rows(catalogue: &Catalogue, listed: &[usize]) -> Vec<DeskRow> {
    listed
        .iter()
        .map(|i| &catalogue.questions[*i])
        .map(|q| {
            let when = q
                .ask_when
                .as_ref()
                .map(|c| format!("　条件：{}", catalogue.condition_text(c)))
                .unwrap_or_default();
            row(q.text.ja.clone(), format!("{}{when}", q.id), "", "")
        })
        .collect()
}

fn procedure_rows(catalogue: &Catalogue, listed: &[usize]) -> Vec<DeskRow> {
    listed
        .iter()
        .map(|i| &catalogue.procedures[*i])
        .map(|p| {
            let period = match (p.effective.from, p.effective.to) {
                (None, None) => String::new(),
                (from, to) => format!(
                    "　{}〜{}",
                    from.map(|d| d.to_string()).unwrap_or_default(),
                    to.map(|d| d.to_string()).unwrap_or_default()
                ),
            };
            row(
                p.name.ja.clone(),
                format!(
                    "{}　{}　条件{}{period}",
                    p.id,
                    catalogue.counters[p.counter].name.ja,
                    p.rules.len()
                ),
                "",
                "",
            )
        })
        .collect()
}

fn group_choices(in_members: bool) -> Vec<Group> {
    if in_members {
        vec![Group::All, Group::Any, Group::Not]
    } else {
        vec![
            Group::All,
            Group::Any,
            Group::Not,
            Group::AnyMember,
            Group::AllMembers,
            Group::NoMember,
        ]
    }
}

fn leaf_op(leaf: &condition::Leaf) -> Option<Op> {
    match leaf {
        condition::Leaf::Answer { op, .. } | condition::Leaf::Age(_, op, _) => Some(*op),
        _ => None,
    }
}

fn index(position: Option<usize>) -> i32 {
    position.and_then(|p| i32::try_from(p).ok()).unwrap_or(-1)
}

fn ui_screen(screen: DeskScreen) -> UiScreen {
    match screen {
        DeskScreen::SignIn => UiScreen::SignIn,
        DeskScreen::Home => UiScreen::Home,
        DeskScreen::Procedures => UiScreen::Procedures,
        DeskScreen::Procedure => UiScreen::Procedure,
        DeskScreen::Questions => UiScreen::Questions,
        DeskScreen::Question => UiScreen::Question,
        DeskScreen::Impact => UiScreen::Impact,
        DeskScreen::Versions => UiScreen::Versions,
        DeskScreen::Statistics => UiScreen::Statistics,
        DeskScreen::Cases => UiScreen::Cases,
        DeskScreen::Calendar => UiScreen::Calendar,
        DeskScreen::Forms => UiScreen::Forms,
        DeskScreen::FormEditor => UiScreen::FormEditor,
    }
}

fn desk_screen(screen: UiScreen) -> DeskScreen {
    match screen {
        UiScreen::SignIn => DeskScreen::SignIn,
        UiScreen::Home => DeskScreen::Home,
        UiScreen::Procedures => DeskScreen::Procedures,
        UiScreen::Procedure => DeskScreen::Procedure,
        UiScreen::Questions => DeskScreen::Questions,
        UiScreen::Question => DeskScreen::Question,
        UiScreen::Impact => DeskScreen::Impact,
        UiScreen::Versions => DeskScreen::Versions,
        UiScreen::Statistics => DeskScreen::Statistics,
        UiScreen::Cases => DeskScreen::Cases,
        UiScreen::Calendar => DeskScreen::Calendar,
        UiScreen::Forms => DeskScreen::Forms,
        UiScreen::FormEditor => DeskScreen::FormEditor,
    }
}

fn local_day(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| stamp.to_string())
}

/// Where statistics CSV files go: `MADOGUCHI_EXPORT_DIR`, else `~/madoguchi-exports`.
fn export_dir() -> PathBuf {
    std::env::var_os("MADOGUCHI_EXPORT_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join("madoguchi-exports")))
        .unwrap_or_else(|| PathBuf::from("."))
}

fn wire(window: &KioskWindow, ui: &Rc<RefCell<DeskUi>>) {
    // Every callback hands one desk call to the desk's thread; the window redraws when it is
    // done (`DeskUi::poll`) and shows that work is in progress meanwhile.
    let with = |ui: &Rc<RefCell<DeskUi>>| {
        let weak = Rc::downgrade(ui);
        move |call: Box<dyn FnOnce(&mut Desk) + Send>| {
            if let Some(ui) = weak.upgrade() {
                ui.borrow().run(call);
            }
        }
    };
    let run = with(ui);
    super::form_editor::wire(window, run.clone());
    let weak_window = window.as_weak();
    window.global::<DeskGlobal>().on_enter({
        let run = run.clone();
        let weak_window = weak_window.clone();
        move || {
            if let Some(window) = weak_window.upgrade() {
                window.global::<DeskGlobal>().set_open(true);
            }
            run(Box::new(|_| {}));
        }
    });
    window.global::<DeskGlobal>().on_leave({
        let run = run.clone();
        move || {
            if let Some(window) = weak_window.upgrade() {
                window.global::<DeskGlobal>().set_open(false);
            }
            run(Box::new(|desk| desk.sign_out()));
        }
    });
    macro_rules! on {
        ($global:ident . $setter:ident, |$desk:ident $(, $arg:ident : $ty:ty)*| $body:expr) => {{
            let run = run.clone();
            window.global::<$global>().$setter(move |$($arg: $ty),*| {
                $(let $arg = owned($arg);)*
                run(Box::new(move |$desk: &mut Desk| { $body; }))
            });
        }};
    }
    on!(
        DeskGlobal.on_sign_in,
        |desk, login: SharedString, password: SharedString| { desk.sign_in(&login, &password) }
    );
    on!(DeskGlobal.on_sign_out, |desk| desk.sign_out());
    on!(DeskGlobal.on_filter, |desk, words: SharedString| desk
        .set_filter(&words));
    on!(DeskGlobal.on_go, |desk, screen: UiScreen| desk
        .go(desk_screen(screen)));
    on!(DeskGlobal.on_open_row, |desk, index: i32| open_row(
        desk, index
    ));
    on!(DeskGlobal.on_row_action, |desk, index: i32| row_action(
        desk, index
    ));
    on!(
        DeskGlobal.on_add_closed_day,
        |desk, date: SharedString, name: SharedString| desk.add_closed_day(&date, &name)
    );
    on!(ProcedureForm.on_set_name, |desk, text: SharedString| desk
        .set_name_ja(&text));
    on!(ProcedureForm.on_set_source, |desk, text: SharedString| desk
        .set_source(&text));
    on!(
        ProcedureForm.on_set_effective,
        |desk, to: bool, text: SharedString| desk.set_effective(to, &text)
    );
    on!(ProcedureForm.on_set_critical, |desk, critical: bool| desk
        .set_critical(critical));
    on!(
        ProcedureForm.on_set_deadline,
        |desk, index: i32, text: SharedString| desk
            .set_deadline_days(usize::try_from(index).unwrap_or(0), &text)
    );
    on!(ProcedureForm.on_pick_rule, |desk, index: i32| desk
        .open_rule(usize::try_from(index).unwrap_or(0)));
    on!(ProcedureForm.on_set_because, |desk, text: SharedString| {
        desk.set_because_ja(&text)
    });
    on!(
        ProcedureForm.on_filter_items,
        |desk, words: SharedString| desk.set_item_filter(&words)
    );
    on!(ProcedureForm.on_toggle_item, |desk, index: i32| {
        if let Some(item) = usize::try_from(index)
            .ok()
            .and_then(|i| desk.listed_items().get(i).copied())
        {
            desk.toggle_bring(item);
        }
    });
    on!(
        QuestionForm.on_set_question_text,
        |desk, register: i32, text: SharedString| {
            let register = match register {
                0 => Register::Ja,
                1 => Register::Easy,
                _ => Register::En,
            };
            desk.set_question_text(register, &text)
        }
    );
    on!(QuestionForm.on_set_label, |desk, text: SharedString| desk
        .set_question_label(&text));
    on!(QuestionForm.on_set_sensitive, |desk, sensitive: bool| desk
        .set_question_sensitive(sensitive));
    on!(
        QuestionForm.on_ask_when,
        |desk, condition: bool| if condition {
            desk.ask_only_when()
        } else {
            desk.ask_always()
        }
    );
    on!(ConditionForm.on_select_node, |desk, index: i32| {
        let rows = desk.condition_rows();
        if let Some(row) = usize::try_from(index).ok().and_then(|i| rows.get(i)) {
            desk.select_row(row.path.clone());
        }
    });
    on!(ConditionForm.on_pick_fact, |desk, index: i32| {
        let facts = desk.facts();
        if !facts.is_empty() {
            let count = i32::try_from(facts.len()).unwrap_or(1);
            let wrapped = usize::try_from(index.rem_euclid(count)).unwrap_or(0);
            desk.pick_fact(facts[wrapped]);
        }
    });
    on!(ConditionForm.on_pick_op, |desk, index: i32| {
        let ops = desk.selected_leaf().map(condition::ops).unwrap_or_default();
        if let Some(op) = usize::try_from(index).ok().and_then(|i| ops.get(i)) {
            desk.pick_op(*op);
        }
    });
    on!(ConditionForm.on_pick_value, |desk, index: i32| desk
        .pick_value(usize::try_from(index).unwrap_or(0)));
    on!(
        ConditionForm.on_set_value_text,
        |desk, text: SharedString| desk.set_value_text(&text)
    );
    on!(ConditionForm.on_step_number, |desk, step: i32| desk
        .step_number(i64::from(step)));
    on!(ConditionForm.on_pick_group, |desk, index: i32| {
        let in_members = matches!(desk.selected(), Some((_, true)));
        if let Some(group) = usize::try_from(index)
            .ok()
            .and_then(|i| group_choices(in_members).get(i).copied())
        {
            desk.set_group(group);
        }
    });
    on!(ConditionForm.on_add_part, |desk, group: bool| {
        // A new group inside a household group combines member facts; outside, it is one.
        let kind = match (group, desk.adds_member_facts()) {
            (false, _) => None,
            (true, true) => Some(Group::All),
            (true, false) => Some(Group::AnyMember),
        };
        desk.add_part(kind)
    });
    on!(ConditionForm.on_remove_part, |desk| desk.remove_part());
    on!(DeskPublishing.on_preview, |desk| desk.preview());
    on!(DeskPublishing.on_publish, |desk, note: SharedString| desk
        .publish(&note));
    on!(DeskPublishing.on_discard, |desk| desk.ask_discard());
    on!(DeskGlobal.on_confirm, |desk| desk.confirm());
    on!(DeskGlobal.on_dismiss, |desk| desk.dismiss());
    on!(DeskPublishing.on_approve, |desk| {
        if let Some((version, _)) = desk.deciding() {
            desk.approve(version.id);
        }
    });
    on!(DeskPublishing.on_reject, |desk, reason: SharedString| {
        if let Some((version, _)) = desk.deciding() {
            desk.reject(version.id, &reason);
        }
    });
    on!(DeskPublishing.on_close_decision, |desk| desk
        .close_pending());
    on!(StatisticsBoard.on_export_statistics, |desk| {
        let dir = export_dir();
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join(format!("statistics-{}.csv", desk.today()));
        desk.export_statistics(&file)
    });
    on!(
        DeskPublishing.on_transfer,
        |desk, import: bool, folder: SharedString| {
            let folder = folder.trim();
            if folder.is_empty() {
                desk.say(Notice::new(
                    "フォルダを入れてください（例: /media/usb/madoguchi）。",
                    "Enter a folder (for example /media/usb/madoguchi).",
                ));
            } else if import {
                desk.import_catalogue(std::path::Path::new(folder));
            } else {
                desk.export_catalogue(std::path::Path::new(folder));
            }
        }
    );
}

fn open_row(desk: &mut Desk, index: i32) {
    let Ok(index) = usize::try_from(index) else {
        return;
    };
    match desk.screen() {
        DeskScreen::Procedures => {
            if let Some(procedure) = desk.listed_procedures().get(index) {
                desk.open_procedure(*procedure);
            }
        }
        DeskScreen::Questions => {
            if let Some(question) = desk.listed_questions().get(index) {
                desk.open_question(*question);
            }
        }
        DeskScreen::Forms => desk.edit_form(index),
        _ => {}
    }
}

fn row_action(desk: &mut Desk, index: i32) {
    let Ok(index) = usize::try_from(index) else {
        return;
    };
    match desk.screen() {
        DeskScreen::Versions => {
            // The rows are the pending versions, then the published ones (`version_rows`).
            let waiting = desk.pending().len();
            if let Some(id) = desk.pending().get(index).map(|v| v.id) {
                desk.open_pending(id);
            } else if let Some(id) = index
                .checked_sub(waiting)
                .and_then(|i| desk.versions().get(i).map(|v| v.id))
            {
                desk.restore(id);
            }
        }
        DeskScreen::Cases => {
            if let Some((id, _)) = desk.recent_cases().get(index) {
                desk.pin_case(*id);
            }
        }
        DeskScreen::Calendar => {
            // The rows are `calendar_rows`: every closed day; only the city's have an action.
            if let Some(day) = desk.closed_days().get(index).filter(|d| d.is_city_day()) {
                let date = day.date;
                desk.remove_closed_day(date);
            }
        }
        DeskScreen::Impact => {
            let shown = desk.impact().map(shown_scenarios).unwrap_or_default();
            if let Some(scenario) = shown.get(index) {
                desk.ask_accept_scenario(*scenario);
            }
        }
        _ => {}
    }
}

/// A callback's argument as a value the desk's thread may own (Slint's strings are shared).
trait Owned {
    type Value: Send + 'static;
    fn owned(self) -> Self::Value;
}

fn owned<T: Owned>(value: T) -> T::Value {
    value.owned()
}

impl Owned for SharedString {
    type Value = String;
    fn owned(self) -> String {
        self.to_string()
    }
}

macro_rules! owned_as_is {
    ($($t:ty),*) => {$(
        impl Owned for $t {
            type Value = $t;
            fn owned(self) -> $t {
                self
            }
        }
    )*};
}
owned_as_is!(i32, bool, UiScreen);
