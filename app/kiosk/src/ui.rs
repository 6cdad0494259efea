//! The Slint window and its adapters: the session's view goes into the `Kiosk` global, the
//! global's callbacks become actions. This module holds drafts of what is being typed and
//! nothing else; the session owns the case.

pub mod board;
pub mod desk;
mod form_editor;
mod present;
mod spoken;
mod typed;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use madoguchi_domain::{Answer, Case, Language};
use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use crate::runtime::{CodeReader, Report, Runtime};
use crate::session::{
    Action, CardPrefill, Mode, Notice, ReviewEdits, ReviewField, Screen as SessionScreen, Session,
    View,
};

#[allow(
    missing_debug_implementations,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used
)]
mod generated {
    slint::include_modules!();
}

pub use generated::*;
pub use present::{grey_image, missing_words};

/// How often the UI thread takes the runtime's answers and tells the session the time.
pub const PUMP_INTERVAL: Duration = Duration::from_millis(50);

/// How many procedures the clerk's search lists at once: a screenful; typing more narrows it.
const ADDABLE_SHOWN: usize = 8;

/// The kiosk's UI-thread half: the session, the runtime handle and the window.
pub struct KioskApp {
    session: Session,
    /// The floor link, when the terminal is on a floor: its state shows in the header.
    floor: Option<crate::floor::FloorLink>,
    runtime: Runtime,
    window: slint::Weak<KioskWindow>,
    started: Instant,
    /// The language on screen.
    language: Language,
    /// The language every case starts in (the configuration file's `[kiosk] language`).
    default_language: Language,
    /// The languages the language button offers, and which of them are machine drafts.
    offered: crate::languages::Offered,
    /// The screen last refreshed, to see a case end (back to the first screen).
    last_screen: Option<SessionScreen>,
    clock: Clock,
    scanner: CodeReader,
    /// Review fields typed but not yet applied.
    review_draft: ReviewEdits,
    camera_live: bool,
    camera_problem: Option<Notice>,
    /// A problem with what was typed on this screen, shown beside the fields.
    form_error: Option<Notice>,
    /// The municipality, for the header.
    city: String,
    /// The last view and case pushed, so unchanged models are not rebuilt on every tick.
    shown: Option<(View, Option<Case>)>,
    /// The card read last copied into the typed fields: each read is copied once, so the
    /// clerk's typing is not overwritten on the next refresh.
    prefilled: Option<Arc<CardPrefill>>,
    /// The supervisor's screens in the same window.
    desk: Option<Rc<RefCell<desk::DeskUi>>>,
    board: Option<Rc<RefCell<board::BoardUi>>>,
    /// The よみあげ voice, when the configuration file has not turned it off.
    speaker: Option<madoguchi_speech::Speaker>,
    /// What よみあげ is reading, or last read, on this screen.
    reading: Option<Reading>,
}

/// よみあげ on one screen: which utterance, and whether it is still playing.
#[derive(Clone, Debug)]
struct Reading {
    screen: SessionScreen,
    id: u64,
    playing: bool,
    /// Played to its end: a press now asks for the personal details too.
    finished: bool,
    /// What was handed to the synthesiser (tests read it; it is never logged).
    utterance: madoguchi_speech::Utterance,
}

impl std::fmt::Debug for KioskApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KioskApp")
            .field("screen", &self.session.screen())
            .finish_non_exhaustive()
    }
}

/// Where the kiosk's date comes from: the local clock, or a fixed day (screenshots, tests).
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    Local,
    Fixed(NaiveDate),
}

impl Clock {
    pub fn today(self) -> NaiveDate {
        match self {
            Clock::Local => chrono::Local::now().date_naive(),
            Clock::Fixed(day) => day,
        }
    }
}

/// What the kiosk starts with.
#[derive(Debug)]
pub struct Setup {
    pub session: Session,
    pub clock: Clock,
    pub city: String,
}

impl KioskApp {
    /// Wires the window to a new app and shows the first screen.
    pub fn attach(window: &KioskWindow, setup: Setup, runtime: Runtime) -> Rc<RefCell<KioskApp>> {
        // Japanese unless a clerk switches; the system locale does not decide.
        let _ = slint::select_bundled_translation("");
        let app = Rc::new(RefCell::new(KioskApp {
            session: setup.session,
            floor: None,
            runtime,
            window: window.as_weak(),
            started: Instant::now(),
            language: Language::Japanese,
            default_language: Language::Japanese,
            offered: crate::languages::Offered::japanese_and_english(),
            last_screen: None,
            clock: setup.clock,
            scanner: CodeReader::default(),
            review_draft: ReviewEdits::default(),
            camera_live: false,
            camera_problem: None,
            form_error: None,
            city: setup.city,
            shown: None,
            prefilled: None,
            desk: None,
            board: None,
            speaker: None,
            reading: None,
        }));
        wire(window, &app);
        app.borrow_mut().clear_drafts();
        app.borrow_mut().refresh();
        app
    }

    /// The resident's own display beside the clerk's (`[kiosk] resident_screen`): the PIN pad
    /// and the private questions move there. `None`: one display for both.
    pub fn set_resident_screen(&self, screen: Option<crate::config::ResidentScreen>) {
        if let Some(window) = self.window.upgrade() {
            let kiosk = window.global::<Kiosk>();
            let (width, height) = screen.map_or((0.0, 0.0), |s| (s.width as f32, s.height as f32));
            kiosk.set_resident_width(width);
            kiosk.set_resident_height(height);
        }
    }

    /// Gives the kiosk its よみあげ voice: the header shows the button in every language the
    /// voice reads.
    pub fn set_speaker(&mut self, speaker: madoguchi_speech::Speaker) {
        self.speaker = Some(speaker);
        self.refresh();
    }

    /// The よみあげ button: reads the screen, or stops the reading. A press after a reading
    /// ended on the same screen reads the personal details too (the resident asked).
    pub fn read_aloud_pressed(&mut self) {
        let (Some(speaker), Some(window)) = (&self.speaker, self.window.upgrade()) else {
            return;
        };
        let view = self.session.view();
        let same_screen = self.reading.as_ref().filter(|r| r.screen == view.screen);
        if same_screen.is_some_and(|r| r.playing) {
            speaker.stop();
        } else {
            let personal = same_screen.is_some_and(|r| r.finished);
            let context = self.context_for(&view);
            let utterance = madoguchi_speech::Utterance {
                language: self.language,
                text: spoken::screen_text(&window, view.screen, personal, &context),
            };
            let id = speaker.say(utterance.clone());
            self.reading = Some(Reading {
                screen: view.screen,
                id,
                playing: true,
                finished: false,
                utterance,
            });
        }
        self.show_speaking(&window);
    }

    /// What よみあげ last handed the synthesiser on this screen, and its number (tests).
    pub fn read_aloud_text(&self) -> Option<(u64, &madoguchi_speech::Utterance)> {
        self.reading.as_ref().map(|r| (r.id, &r.utterance))
    }

    /// The voice, for tests that wait for what it did.
    pub fn speaker(&self) -> Option<&madoguchi_speech::Speaker> {
        self.speaker.as_ref()
    }

    /// Takes what the voice did: a reading that ended frees the button.
    fn speech_events(&mut self) {
        let Some(speaker) = &self.speaker else {
            return;
        };
        let events: Vec<_> = std::iter::from_fn(|| speaker.try_event()).collect();
        for event in &events {
            self.speech_event(event);
        }
    }

    /// One thing the voice did (the app's own pump, or a test that waited for it).
    pub fn speech_event(&mut self, event: &madoguchi_speech::SpeechEvent) {
        use madoguchi_speech::SpeechEvent;
        let (id, finished) = match event {
            SpeechEvent::Speaking(_) => return,
            SpeechEvent::Finished(id) => (*id, true),
            SpeechEvent::Stopped(id) | SpeechEvent::Failed(id, _) => (*id, false),
        };
        let Some(reading) = self.reading.as_mut().filter(|r| r.id == id) else {
            return;
        };
        reading.playing = false;
        reading.finished = finished;
        if matches!(event, SpeechEvent::Failed(..)) {
            // The resident pressed and heard nothing: the screen says so (the speaker logged
            // why, for the technician).
            self.show_error(Notice::new(
                "読み上げができませんでした。音が出ないときは、係員に声をかけてください。",
                "The screen could not be read aloud. If there is no sound, please ask a member of staff.",
            ));
            return;
        }
        if let Some(window) = self.window.upgrade() {
            self.show_speaking(&window);
        }
    }

    /// The screen changed, or its language: what was being read is not on it any more.
    fn stop_reading(&mut self) {
        if let Some(speaker) = &self.speaker
            && self.reading.take().is_some_and(|r| r.playing)
        {
            speaker.stop();
        }
    }

    fn show_speaking(&self, window: &KioskWindow) {
        let kiosk = window.global::<Kiosk>();
        kiosk.set_read_aloud(
            self.speaker
                .as_ref()
                .is_some_and(|s| s.speaks(self.language)),
        );
        kiosk.set_speaking(self.reading.as_ref().is_some_and(|r| r.playing));
    }

    /// The printers nearby the clerk is offered when this terminal's own one fails.
    pub fn offer_printers(&self, others: &[crate::config::OtherPrinter]) {
        if let Some(window) = self.window.upgrade() {
            let rows: Vec<OtherPrinter> = others
                .iter()
                .map(|other| OtherPrinter {
                    queue: other.queue.as_str().into(),
                    name: other.name.as_str().into(),
                })
                .collect();
            window.global::<Printing>().set_other_printers(model(rows));
        }
    }

    /// Starts the timer that drains the runtime and ticks the session (real event loop).
    pub fn start_timer(app: &Rc<RefCell<KioskApp>>) -> slint::Timer {
        let timer = slint::Timer::default();
        let weak = Rc::downgrade(app);
        timer.start(slint::TimerMode::Repeated, PUMP_INTERVAL, move || {
            if let Some(app) = weak.upgrade() {
                app.borrow_mut().pump();
            }
        });
        timer
    }

    pub fn view(&self) -> View {
        self.session.view()
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Takes every waiting report from the runtime, tells the session the time, and redraws.
    pub fn pump(&mut self) {
        while let Some(report) = self.runtime.try_recv() {
            self.report(report);
        }
        self.speech_events();
        let elapsed = self.started.elapsed();
        let effects = self.session.handle(Action::Tick {
            elapsed,
            today: self.clock.today(),
        });
        self.runtime.run(effects);
        self.refresh();
        if let Some(desk) = &self.desk {
            desk.borrow().poll();
        }
        if let Some(board) = &self.board {
            board.borrow().poll();
        }
    }

    /// Waits up to `timeout` for one report and handles it (tests and screenshots).
    pub fn pump_blocking(&mut self, timeout: Duration) -> bool {
        let Some(report) = self.runtime.recv_timeout(timeout) else {
            return false;
        };
        self.report(report);
        self.pump();
        true
    }

    /// Pretends `by` more has passed since the start (tests of the inactivity timeout).
    pub fn advance_clock(&mut self, by: Duration) {
        self.started = self.started.checked_sub(by).unwrap_or(self.started);
        self.pump();
    }

    fn report(&mut self, report: Report) {
        match report {
            Report::Action(action) => {
                if matches!(*action, Action::QrRead(Ok(_))) {
                    self.camera_live = false;
                }
                self.act(*action);
            }
            Report::Preview(frame) => {
                self.camera_live = true;
                if let Some(window) = self.window.upgrade() {
                    window
                        .global::<Scanner>()
                        .set_camera_frame(present::grey_image(&frame));
                }
            }
            Report::CameraProblem(notice) => {
                self.camera_live = false;
                self.camera_problem = Some(notice);
            }
        }
    }

    /// One action: the session decides, the runtime works, the window shows.
    /// Keeps the floor link, whose state the header shows.
    pub fn set_floor_link(&mut self, link: crate::floor::FloorLink) {
        self.floor = Some(link);
        self.refresh();
    }

    /// Gives the window its supervisor's screens.
    pub fn set_desk(&mut self, desk: crate::supervisor::Desk) {
        if let Some(window) = self.window.upgrade() {
            self.desk = Some(desk::DeskUi::attach(&window, desk));
        }
    }

    /// Gives the window its floor board (a department's 受付一覧, or an interview desk's view
    /// of the households it sent on).
    pub fn set_board(&mut self, board: Rc<RefCell<board::BoardUi>>) {
        board.borrow().set_english(self.clerk_english());
        self.board = Some(board);
    }

    pub fn board(&self) -> Option<Rc<RefCell<board::BoardUi>>> {
        self.board.clone()
    }

    pub fn desk(&self) -> Option<Rc<RefCell<desk::DeskUi>>> {
        self.desk.clone()
    }

    pub fn act(&mut self, action: Action) {
        let before = self.session.screen();
        let effects = self.session.handle(action);
        let after = self.session.screen();
        if before != after {
            self.form_error = None;
            if after == SessionScreen::Start || after == SessionScreen::Done {
                self.clear_drafts();
            }
            if after != SessionScreen::ScanQr {
                self.camera_live = false;
                self.camera_problem = None;
            }
        }
        self.runtime.run(effects);
        self.refresh();
    }

    /// The card read is set aside: its facts leave the form with it.
    fn forget_card_read(&mut self) {
        self.act(Action::ForgetCardRead);
        if let Some(window) = self.window.upgrade() {
            present::clear_person(&window.global::<People>());
        }
    }

    /// Copies a card read into the typed fields once, when it first shows.
    fn prefill_once(&mut self, window: &KioskWindow, view: &View) {
        let Some(prefill) = &view.card_prefill else {
            self.prefilled = None;
            return;
        };
        if self
            .prefilled
            .as_ref()
            .is_some_and(|p| Arc::ptr_eq(p, prefill))
        {
            return;
        }
        present::prefill_person(&window.global::<People>(), &prefill.person);
        window
            .global::<PinEntry>()
            .set_card_number(SharedString::new());
        self.prefilled = Some(prefill.clone());
    }

    fn clear_drafts(&mut self) {
        self.review_draft = ReviewEdits::default();
        self.scanner = CodeReader::default();
        if let Some(window) = self.window.upgrade() {
            present::clear_typed(&window);
        }
    }

    /// Pushes the session's view into the window.
    /// Starts every case in English (the configuration file's `[kiosk] language = "en"`)
    /// rather than Japanese; a clerk or resident still switches on any screen.
    pub fn start_cases_in(&mut self, language: Language) {
        self.default_language = language;
        if self.language != language {
            self.choose_language(language);
        }
    }

    /// The languages the language button offers (`languages::offered`).
    pub fn offer_languages(&mut self, offered: crate::languages::Offered) {
        self.offered = offered;
        self.shown = None;
        self.refresh();
    }

    /// The clerk's own screens (the desk, the floor board, the floor link) are in Japanese
    /// unless the screen is in English: a resident's language does not move them.
    fn clerk_english(&self) -> bool {
        self.language == Language::English
    }

    fn refresh(&mut self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let view = self.session.view();
        if self
            .reading
            .as_ref()
            .is_some_and(|r| r.screen != view.screen)
        {
            self.stop_reading();
        }
        // A case that ends leaves the next one in the city's language, not the last visitor's.
        let case_ended = view.screen == SessionScreen::Start
            && self.last_screen.is_some_and(|s| s != SessionScreen::Start);
        let screen_opened = self.last_screen != Some(view.screen);
        self.last_screen = Some(view.screen);
        if case_ended && view.mode == Mode::SelfService {
            // The next resident at a self-service kiosk starts with the screen as the city set
            // it, not as the last one needed it (the clerk at a counter keeps their choice).
            let theme = window.global::<Theme>();
            theme.set_text_scale(1.0);
            theme.set_high_contrast(false);
        }
        if case_ended && self.language != self.default_language {
            self.choose_language(self.default_language);
            return;
        }
        let context = self.context_for(&view);
        let kiosk = window.global::<Kiosk>();
        kiosk.set_screen(present::screen(view.screen));
        // The keypad's + and − work from a new screen's first moment; the PIN pad, 照合番号B
        // and the scanner's field take the keys themselves.
        let takes_keys_itself = matches!(
            view.screen,
            SessionScreen::Pin | SessionScreen::CodeB | SessionScreen::ScanQr
        );
        if screen_opened && !takes_keys_itself {
            window.invoke_take_keys();
        }
        kiosk.set_self_service(view.mode == Mode::SelfService);
        kiosk.set_city(self.city.as_str().into());
        kiosk.set_english(self.clerk_english());
        self.push_languages(&kiosk);
        self.show_speaking(&window);
        // Never waits on the link's thread: a state being written is read at the next tick.
        if let Some(state) = self
            .floor
            .as_ref()
            .and_then(crate::floor::FloorLink::try_state)
        {
            kiosk.set_floor_link(state.label(self.clerk_english()).into());
            kiosk.set_floor_offline(!state.online);
        }
        let notice = view.notice.as_ref().or(self.form_error.as_ref());
        kiosk.set_notice(notice.map_or_else(SharedString::new, |n| context.notice(n)));
        kiosk.set_timeout_seconds(view.timeout_warning.map_or(-1, |s| s as i32));
        kiosk.set_confirm(present::confirm(view.confirm));
        kiosk.set_take_card(view.take_card);
        let (step, steps) = view.progress.unwrap_or((0, 0));
        kiosk.set_step(i32::try_from(step).unwrap_or(0));
        kiosk.set_steps(i32::try_from(steps).unwrap_or(0));
        let people = window.global::<People>();
        people.set_today(present::day(self.session.today(), self.language).into());
        people.set_form_error(SharedString::new());
        let scanner = window.global::<Scanner>();
        scanner.set_camera_live(self.camera_live);
        scanner.set_camera_problem(
            self.camera_problem
                .as_ref()
                .map_or_else(SharedString::new, |n| context.notice(n)),
        );
        window.global::<StartPage>().set_resume_offer(
            view.unfinished
                .as_ref()
                .map_or_else(SharedString::new, |offer| {
                    present::resume_offer(offer, self.clerk_english()).into()
                }),
        );
        // Models are rebuilt only when the view or the case changed (the clock ticks 20 times
        // a second).
        let case = self.session.case();
        if self
            .shown
            .as_ref()
            .is_some_and(|(v, c)| *v == view && *c == case)
        {
            return;
        }
        let outcome = window.global::<Outcome>();
        present::pin(&window.global::<PinEntry>(), &view);
        present::question(&window.global::<Interview>(), &view, &context);
        present::members(&people, case.as_ref(), self.session.catalogue(), &context);
        present::event_fields(&people, self.session.catalogue(), true, &context);
        present::identity(&people, &view, &context);
        present::card_facts(&people, &view, &context);
        self.prefill_once(&window, &view);
        present::procedures(&outcome, &view, &context, self.session.overrides());
        // The search for a procedure to add follows the list (what was added leaves it) and
        // starts empty with each case.
        if view.screen != SessionScreen::Result {
            outcome.set_add_query(SharedString::new());
        }
        let found = self
            .session
            .addable_procedures(&outcome.get_add_query(), ADDABLE_SHOWN);
        present::addable(&outcome, &found, &context);
        present::summary(&scanner, case.as_ref(), &context);
        if view.screen == SessionScreen::Review {
            present::review(&outcome, case.as_ref(), &self.review_draft, &view, &context);
        }
        present::printing(&window.global::<Printing>(), &view, &context);
        self.shown = Some((view, case));
    }

    fn show_error(&mut self, notice: Notice) {
        self.form_error = Some(notice);
        self.shown = None;
        self.refresh();
    }

    /// Japanese ↔ English, as a clerk switches for an English-speaking resident.
    pub fn toggle_language(&mut self) {
        let other = if self.language == Language::English {
            Language::Japanese
        } else {
            Language::English
        };
        self.choose_language(other);
    }

    /// Puts the screen (and the guidance sheet to come) in `language`.
    pub fn choose_language(&mut self, language: Language) {
        self.stop_reading();
        self.language = language;
        self.session.set_language(language);
        let bundle = if language.is_japanese() {
            ""
        } else {
            language.code()
        };
        if let Err(error) = slint::select_bundled_translation(bundle) {
            tracing::warn!(language = language.code(), ?error, "no screen translation");
        }
        let english = self.clerk_english();
        if let Some(board) = &self.board {
            board.borrow().set_english(english);
        }
        if let Some(desk) = &self.desk {
            desk.borrow().set_english(english);
        }
        if let Some(window) = self.window.upgrade() {
            window.global::<Kiosk>().set_picking_language(false);
            window
                .global::<Theme>()
                .set_font(screen_font(language).into());
        }
        self.shown = None;
        self.refresh();
    }

    /// The language button's list: each offered language in itself, the one on screen marked,
    /// and whether its translation is a machine draft (the screen says so).
    fn push_languages(&self, kiosk: &Kiosk<'_>) {
        let names: Vec<SharedString> = self
            .offered
            .languages
            .iter()
            .map(|l| l.native_name().into())
            .collect();
        kiosk.set_language_names(model(names));
        let shown = if self.language == Language::Easy {
            Language::Japanese
        } else {
            self.language
        };
        let index = self.offered.languages.iter().position(|l| *l == shown);
        kiosk.set_language_index(index.map_or(-1, |i| i32::try_from(i).unwrap_or(-1)));
        kiosk.set_language_draft(self.offered.drafts.contains(&self.language));
    }

    /// The resident or clerk picked the `index`th language of the button's list.
    pub fn language_chosen(&mut self, index: usize) {
        if let Some(language) = self.offered.languages.get(index).copied() {
            self.choose_language(language);
        }
    }

    fn scanner_entered(&mut self, text: &str) {
        if let Some(window) = self.window.upgrade() {
            window
                .global::<Scanner>()
                .set_scanner_text(SharedString::new());
        }
        if text.trim().is_empty() {
            return;
        }
        if let Some(result) = self.scanner.add_typed(text) {
            self.act(Action::QrRead(result));
        }
    }

    fn answer(&mut self, id: &str) {
        let Some(question) = self.session.view().question else {
            return;
        };
        let answer = match question.kind {
            madoguchi_rules::catalogue::QuestionKind::Number { .. } if id != "unknown" => {
                id.parse().map_or(Answer::Unknown, Answer::Number)
            }
            _ => Answer::from_text(id),
        };
        self.act(Action::Answer(answer));
    }

    /// Lists again what the clerk's search for a procedure to add finds.
    pub fn search_procedures(&mut self) {
        self.shown = None;
        self.refresh();
    }

    fn restore_procedure(&mut self, id: &str) {
        self.act(Action::ProcedureRestored(id.to_string()));
        self.shown = None;
        self.refresh();
    }

    fn change_procedure(&mut self, id: &str, added: bool) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let outcome = window.global::<Outcome>();
        let reason = outcome.get_change_reason().to_string();
        let id = id.to_string();
        self.act(if added {
            Action::ProcedureAdded { id, reason }
        } else {
            Action::ProcedureRemoved { id, reason }
        });
        if self.session.view().notice.is_none() {
            outcome.set_change_reason(SharedString::new());
        }
        self.shown = None;
        self.refresh();
    }

    fn typed(&self) -> Option<typed::Typed> {
        self.window
            .upgrade()
            .map(|window| typed::Typed::read(&window.global::<People>()))
    }

    fn applicant_submitted(&mut self) {
        let Some(typed) = self.typed() else { return };
        match typed.person(true) {
            Ok(person) => {
                self.act(Action::ApplicantTyped(person));
                // The household screen starts from a blank person (the nationality stays);
                // a person the session refused stays to be corrected.
                let accepted = self.session.screen() != SessionScreen::TypeApplicant;
                if let (true, Some(window)) = (accepted, self.window.upgrade()) {
                    present::clear_for_spouse(&window.global::<People>());
                }
            }
            Err(notice) => self.show_error(notice),
        }
    }

    /// How the screens speak for `view`: English or Japanese, and a resident reading alone.
    fn context_for(&self, view: &View) -> present::Context {
        present::Context {
            language: self.language,
            resident: view.mode == Mode::SelfService
                || view.screen == SessionScreen::PrivateQuestion,
        }
    }

    /// Another event was chosen: its dates and addresses replace the last one's.
    pub fn event_kind_changed(&self) {
        if let Some(window) = self.window.upgrade() {
            let context = self.context_for(&self.session.view());
            present::event_fields(
                &window.global::<People>(),
                self.session.catalogue(),
                false,
                &context,
            );
        }
    }

    fn event_submitted(&mut self) {
        let Some(typed) = self.typed() else { return };
        match typed.event(self.session.today(), self.session.catalogue()) {
            Ok(event) => self.act(Action::EventChosen(event)),
            Err(notice) => self.show_error(notice),
        }
    }

    fn member_submitted(&mut self) {
        let Some(typed) = self.typed() else { return };
        match typed.member() {
            Ok(member) => {
                let before = self.session.view().members;
                self.act(Action::MemberAdded(member));
                let accepted = self.session.view().members > before;
                if let (true, Some(window)) = (accepted, self.window.upgrade()) {
                    present::clear_person(&window.global::<People>());
                }
            }
            Err(notice) => self.show_error(notice),
        }
    }

    /// Hands the review draft to the session, which reads and applies it (the forms are
    /// checked again); the draft is kept while a field does not read.
    fn review_action(&mut self, make: fn(ReviewEdits) -> Action) {
        let edits = std::mem::take(&mut self.review_draft);
        self.act(make(edits.clone()));
        if self.session.view().notice.is_some() {
            self.review_draft = edits;
        }
    }

    /// The case the session holds, for tests.
    pub fn case(&self) -> Option<Case> {
        self.session.case()
    }
}

/// The keypad's + or −: the focus moves as Tab or Shift+Tab moves it.
fn move_focus(window: &KioskWindow, forward: bool) {
    use slint::platform::{Key, WindowEvent};
    let key: SharedString = if forward { Key::Tab } else { Key::Backtab }.into();
    let window = window.window();
    window.dispatch_event(WindowEvent::KeyPressed { text: key.clone() });
    window.dispatch_event(WindowEvent::KeyReleased { text: key });
}

/// Connects every callback of the `Kiosk` global to the app.
fn wire(window: &KioskWindow, app: &Rc<RefCell<KioskApp>>) {
    let kiosk = window.global::<Kiosk>();
    let start = window.global::<StartPage>();
    let pin_entry = window.global::<PinEntry>();
    let scanner = window.global::<Scanner>();
    let people = window.global::<People>();
    let interview = window.global::<Interview>();
    let outcome = window.global::<Outcome>();
    let printing = window.global::<Printing>();
    let on = |f: fn(&mut KioskApp)| {
        let weak = Rc::downgrade(app);
        move || {
            if let Some(app) = weak.upgrade() {
                f(&mut app.borrow_mut());
            }
        }
    };
    let act = |make: fn() -> Action| {
        let weak = Rc::downgrade(app);
        move || {
            if let Some(app) = weak.upgrade() {
                app.borrow_mut().act(make());
            }
        }
    };
    kiosk.on_begin(act(|| Action::Begin));
    kiosk.on_read_aloud_pressed(on(KioskApp::read_aloud_pressed));
    let weak = window.as_weak();
    kiosk.on_move_focus(move |forward| {
        if let Some(window) = weak.upgrade() {
            move_focus(&window, forward);
        }
    });
    start.on_identify_card(act(|| Action::IdentifyWithCard));
    start.on_identify_qr(act(|| Action::IdentifyWithQr));
    start.on_identify_typing(act(|| Action::IdentifyByTyping));
    pin_entry.on_pin_erase(act(|| Action::PinErase));
    pin_entry.on_pin_submit(act(|| Action::PinSubmit));
    pin_entry.on_pin_confirm_last_try(act(|| Action::PinConfirmLastTry));
    scanner.on_qr_confirmed(act(|| Action::QrConfirmed));
    people.on_member_read_card(act(|| Action::ReadMemberCard));
    people.on_household_qr(act(|| Action::ReadHouseholdQr));
    people.on_household_done(act(|| Action::HouseholdDone));
    interview.on_hand_to_resident(act(|| Action::HandToResident));
    interview.on_members_chosen(act(|| Action::MembersChosen));
    interview.on_take_back(act(|| Action::TakeBack));
    outcome.on_result_accepted(act(|| Action::ResultAccepted));
    printing.on_retry_print(act(|| Action::RetryPrint));
    let weak = Rc::downgrade(app);
    printing.on_print_on(move |queue| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut().act(Action::PrintOn(queue.to_string()));
        }
    });
    kiosk.on_back(act(|| Action::Back));
    kiosk.on_cancel(act(|| Action::Cancel));
    kiosk.on_cancel_confirmed(act(|| Action::CancelConfirmed));
    kiosk.on_cancel_dismissed(act(|| Action::CancelDismissed));
    pin_entry.on_continue_without_card(act(|| Action::ContinueWithoutCard));
    pin_entry.on_use_code_b(act(|| Action::UseCodeB));
    people.on_forget_card_read(on(KioskApp::forget_card_read));
    pin_entry.on_code_b_erase(act(|| Action::CodeBErase));
    pin_entry.on_code_b_submit(act(|| Action::CodeBSubmit));
    kiosk.on_still_here(act(|| Action::StillHere));
    pin_entry.on_pin_clear(act(|| Action::PinClear));
    outcome.on_reviewed(on(|app| app.review_action(Action::Reviewed)));
    let weak = Rc::downgrade(app);
    kiosk.on_choose_language(move |index| {
        if let (Some(app), Ok(index)) = (weak.upgrade(), usize::try_from(index)) {
            app.borrow_mut().language_chosen(index);
        }
    });
    people.on_applicant_submitted(on(KioskApp::applicant_submitted));
    people.on_event_submitted(on(KioskApp::event_submitted));
    people.on_member_submitted(on(KioskApp::member_submitted));
    start.on_resume(act(|| Action::ResumeUnfinished));
    people.on_qr_same_person(act(|| Action::QrSamePerson));
    people.on_qr_other_person(act(|| Action::QrOtherPerson));
    start.on_discard_resume(act(|| Action::DiscardUnfinished));

    let weak = Rc::downgrade(app);
    pin_entry.on_pin_digit(move |digit| {
        if let (Some(app), Ok(digit)) = (weak.upgrade(), u8::try_from(digit)) {
            app.borrow_mut().act(Action::PinDigit(digit));
        }
    });
    let weak = Rc::downgrade(app);
    pin_entry.on_code_b_digit(move |digit| {
        if let (Some(app), Ok(digit)) = (weak.upgrade(), u8::try_from(digit)) {
            app.borrow_mut().act(Action::CodeBDigit(digit));
        }
    });
    let weak = Rc::downgrade(app);
    pin_entry.on_card_number_entered(move |typed| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut()
                .act(Action::CardNumberEntered(typed.to_string()));
        }
    });
    let weak = Rc::downgrade(app);
    scanner.on_scanner_entered(move |text| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut().scanner_entered(&text);
        }
    });
    let weak = Rc::downgrade(app);
    people.on_event_kind_changed(move |_| {
        if let Some(app) = weak.upgrade() {
            app.borrow().event_kind_changed();
        }
    });
    let window_weak = window.as_weak();
    people.on_other_date_edited(move |index, text| {
        let Some(window) = window_weak.upgrade() else {
            return;
        };
        let rows = window.global::<People>().get_other_dates();
        if let Ok(index) = usize::try_from(index)
            && let Some(mut row) = rows.row_data(index)
        {
            row.value = text;
            rows.set_row_data(index, row);
        }
    });
    let weak = Rc::downgrade(app);
    people.on_member_subject(move |index| {
        if let (Some(app), Ok(index)) = (weak.upgrade(), usize::try_from(index)) {
            app.borrow_mut().act(Action::MemberSubject(index));
        }
    });
    let weak = Rc::downgrade(app);
    people.on_member_remove(move |index| {
        if let (Some(app), Ok(index)) = (weak.upgrade(), usize::try_from(index)) {
            app.borrow_mut().act(Action::MemberRemoved(index));
        }
    });
    let window_weak = window.as_weak();
    people.on_person_relation_chosen(move |index| {
        if let Some(window) = window_weak.upgrade()
            && let Some(sex) = typed::sex_index_of(typed::relation(index))
        {
            window.global::<People>().set_person_sex(sex);
        }
    });
    let weak = Rc::downgrade(app);
    people.on_member_relation(move |index, relation| {
        if let (Some(app), Ok(index)) = (weak.upgrade(), usize::try_from(index)) {
            let relation = typed::relation(relation);
            app.borrow_mut()
                .act(Action::MemberRelation(index, relation));
        }
    });
    let weak = Rc::downgrade(app);
    interview.on_member_toggled(move |index| {
        if let (Some(app), Ok(index)) = (weak.upgrade(), usize::try_from(index)) {
            app.borrow_mut().act(Action::MemberToggled(index));
        }
    });
    let weak = Rc::downgrade(app);
    interview.on_answer(move |id| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut().answer(&id);
        }
    });
    let weak = Rc::downgrade(app);
    outcome.on_procedure_add(move |id| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut().change_procedure(&id, true);
        }
    });
    let weak = Rc::downgrade(app);
    outcome.on_procedure_remove(move |id| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut().change_procedure(&id, false);
        }
    });
    let weak = Rc::downgrade(app);
    outcome.on_procedure_restore(move |id| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut().restore_procedure(&id);
        }
    });
    let weak = Rc::downgrade(app);
    outcome.on_add_query_changed(move |_| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut().search_procedures();
        }
    });
    let weak = Rc::downgrade(app);
    outcome.on_resident_writes(move |key| {
        if let Some(app) = weak.upgrade() {
            app.borrow_mut()
                .act(Action::ResidentWrites(key.to_string()));
        }
    });
    let weak = Rc::downgrade(app);
    outcome.on_review_changed(move |key, value| {
        if let (Some(app), Some(field)) = (weak.upgrade(), ReviewField::from_key(&key)) {
            app.borrow_mut().review_draft.set(field, &value);
        }
    });
    let weak = Rc::downgrade(app);
    outcome.on_review_edited(move |key, value| {
        if let (Some(app), Some(field)) = (weak.upgrade(), ReviewField::from_key(&key)) {
            let mut app = app.borrow_mut();
            app.review_draft.set(field, &value);
            app.review_action(Action::ReviewEdited);
        }
    });
}

/// A model from a vector, as Slint properties take it.
fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items))
}

/// The face the screens draw `language` in: BIZ UDPゴシック for Japanese and English (built
/// in), the language's Noto face (Debian's fonts-noto-core and fonts-noto-cjk) otherwise.
fn screen_font(language: Language) -> &'static str {
    match language {
        Language::Japanese | Language::Easy | Language::English => "BIZ UDPGothic",
        Language::Nepali => "Noto Sans Devanagari",
        Language::ChineseSimplified => "Noto Sans CJK SC",
        Language::Korean => "Noto Sans CJK KR",
        Language::Vietnamese
        | Language::Filipino
        | Language::PortugueseBrazil
        | Language::Indonesian => "Noto Sans",
    }
}
