//! The kiosk driven through its window, headless (Slint's testing backend), against the real
//! parts: the demo card in a private pcscd with vsmartcard's virtual reader, a SQLite store in a
//! temp folder, and a private cupsd whose cups-pdf queue writes the printed packet to disk.
//!
//! Every tap goes to an element found by its accessible label, as a screen reader would find
//! it. The camera is the one part mocked: it plays pictures of a QR code (there is no camera
//! here). Slint's platform is per thread, so this file has its own `main` and runs the flows
//! one after another on the main thread. Needs root (pcscd and cupsd), like CI.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use i_slint_backend_testing::ElementHandle;
use madoguchi_card::CardService;
use madoguchi_card::testbed::TestPcscd;
use madoguchi_domain::Case;
use madoguchi_forms::Fonts;
use madoguchi_kiosk::runtime::feed::CatalogueFeed;
use madoguchi_kiosk::runtime::{CameraFactory, Runtime, Services};
use madoguchi_kiosk::session::{Mode, Screen, Session};
use madoguchi_kiosk::supervisor::Desk as Desk_;
use madoguchi_kiosk::ui::{
    Clock, ConditionForm, Desk, DeskPublishing, DeskScreen, Interview, Kiosk, KioskApp,
    KioskWindow, Outcome, People, PinEntry, Printing, ProcedureForm, QuestionForm, Scanner, Setup,
};
use madoguchi_prefill::camera::{FrameSource, Frames};
use madoguchi_printer::Cups;
use madoguchi_printer::testbed::TestCups;
use madoguchi_rules::Catalogue;
use madoguchi_store::{PrintState, Role, Store, StoreConfig};
use slint::platform::{Key, WindowEvent};
use slint::{ComponentHandle, Model};

#[path = "support/announced.rs"]
mod announced;
#[path = "kiosk_ui/cards.rs"]
mod cards;
#[path = "kiosk_ui/events.rs"]
mod events;
#[path = "kiosk_ui/floor.rs"]
mod floor;
#[path = "kiosk_ui/forms.rs"]
mod forms;
#[path = "kiosk_ui/keys.rs"]
mod keys;
#[path = "kiosk_ui/languages.rs"]
mod languages;
#[path = "kiosk_ui/read_aloud.rs"]
mod read_aloud;

/// The fictional 出入国在留管理庁 CA the emulated 在留カード are signed under.
fn trust() -> madoguchi_card::residence::signature::TrustStore {
    let dir = repo("assets/personas/zairyu/trust");
    madoguchi_card::residence::signature::TrustStore::load(&[dir.as_path()]).expect("the test CA")
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn catalogue() -> Arc<Catalogue> {
    madoguchi_kiosk::samples::shipped_catalogue().expect("the shipped catalogue")
}

/// A store in its own folder; the folder outlives the kiosk so the test can look inside.
fn store(dir: &Path) -> Store {
    let config = StoreConfig {
        db_path: dir.join("madoguchi.sqlite3"),
        key_path: dir.join("store.key"),
    };
    Store::open(&config, chrono::Utc::now())
        .expect("the store opens")
        .store
}

/// One kiosk in a window, with its runtime wired to the real parts.
struct TestKiosk {
    window: KioskWindow,
    app: Rc<RefCell<KioskApp>>,
    taps: usize,
    /// Touch, a keyboard or a numeric keypad (`keys.rs`).
    input: keys::Input,
    key_presses: std::cell::Cell<usize>,
}

/// A household member as the clerk types them on the household screen.
struct TypedMember<'a> {
    name: &'a str,
    kana: Option<&'a str>,
    birth: &'a str,
    /// The sex button's label: 「男」 or 「女」.
    sex: &'a str,
    /// A 続柄 to choose, when not the one the form proposes.
    relation: Option<&'a str>,
}

/// The wife of the sample family, typed as a clerk would (a 29 February birthday in 和暦).
const HANAKO: TypedMember<'static> = TypedMember {
    name: "山田　花子",
    kana: Some("やまだ　はなこ"),
    birth: "昭和63年2月29日",
    sex: "女",
    relation: None,
};

impl TestKiosk {
    fn open(mode: Mode, store: Store, cups: &TestCups, camera: Option<CameraFactory>) -> TestKiosk {
        TestKiosk::following(mode, store, cups, camera, None)
    }

    /// A kiosk whose runtime watches the store for newly published catalogues.
    fn following(
        mode: Mode,
        store: Store,
        cups: &TestCups,
        camera: Option<CameraFactory>,
        catalogue_feed: Option<CatalogueFeed>,
    ) -> TestKiosk {
        let services = Services {
            card: CardService::new(),
            residence_trust: trust(),
            store,
            cups: Cups::new(cups.url()),
            printer: Some(cups.queue.clone()),
            forms: repo("forms"),
            fonts: Fonts::load(),
            camera,
            catalogue_feed,
            floor: None,
        };
        let window = KioskWindow::new().expect("the window");
        let session = Session::new(catalogue(), mode, today());
        let app = KioskApp::attach(
            &window,
            Setup {
                session,
                clock: Clock::Fixed(today()),
                city: "標準市".into(),
            },
            Runtime::start(services),
        );
        app.borrow_mut()
            .offer_languages(madoguchi_kiosk::languages::for_kiosk(&catalogue()));
        // The counter's screen size: Slint creates the rows of a scrolled list only as far as
        // they are in view, so what a test can find depends on it.
        window
            .window()
            .set_size(slint::LogicalSize::new(1280.0, 800.0));
        window.show().expect("shown");
        TestKiosk {
            window,
            app,
            taps: 0,
            input: keys::Input::Touch,
            key_presses: std::cell::Cell::new(0),
        }
    }

    /// Waits until the printing screen reports what the printer is doing (stopped, jammed …).
    fn wait_for_printer_state(&mut self) {
        let start = Instant::now();
        while self
            .window
            .global::<Printing>()
            .get_print_reason()
            .is_empty()
        {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no printer state"
            );
            self.app
                .borrow_mut()
                .pump_blocking(Duration::from_millis(200));
        }
    }

    /// Waits until the runtime has handed the session a newly published catalogue.
    fn wait_for_new_catalogue(&mut self) {
        let started = std::time::Instant::now();
        while self.app.borrow().session().next_catalogue().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the kiosk did not see the publication"
            );
            self.app
                .borrow_mut()
                .pump_blocking(Duration::from_millis(100));
        }
    }

    fn screen(&self) -> Screen {
        self.app.borrow().session().screen()
    }

    /// The labels of the buttons on screen, for a message when one is missing.
    fn buttons_in_view(&self) -> Vec<String> {
        i_slint_backend_testing::ElementQuery::from_root(&self.window)
            .match_descendants()
            .match_accessible_role(i_slint_backend_testing::AccessibleRole::Button)
            .find_all()
            .iter()
            .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
            .collect()
    }

    /// The element a finger would tap: a button (a plain text with the same words is not).
    /// When it is below the fold, the screen is scrolled to it first, as a clerk scrolls with the
    /// wheel (not a tap).
    fn find(&self, label: &str) -> ElementHandle {
        let found = self.scrolled_to(label, |role| {
            role != Some(i_slint_backend_testing::AccessibleRole::Text)
        });
        assert!(
            !found.is_empty(),
            "nothing labelled {label:?} on {:?}; buttons in view: {:?}",
            self.screen(),
            self.buttons_in_view()
        );
        found.into_iter().next().expect("found")
    }

    /// The elements with this label and a role that `wanted` accepts; when none is in view, the
    /// screen is scrolled down a step at a time until one is, as a clerk scrolls with the wheel.
    fn scrolled_to(
        &self,
        label: &str,
        wanted: impl Fn(Option<i_slint_backend_testing::AccessibleRole>) -> bool,
    ) -> Vec<ElementHandle> {
        let buttons = || -> Vec<ElementHandle> {
            ElementHandle::find_by_accessible_label(&self.window, label)
                .filter(|e| wanted(e.accessible_role()))
                .collect()
        };
        let mut found = buttons();
        let window = self.window.window();
        let size = window.size().to_logical(window.scale_factor());
        let position = slint::LogicalPosition::new(size.width / 2.0, size.height / 2.0);
        for _ in 0..20 {
            if !found.is_empty() {
                break;
            }
            window.dispatch_event(WindowEvent::PointerMoved { position });
            window.dispatch_event(WindowEvent::PointerScrolled {
                position,
                delta_x: 0.0,
                delta_y: -120.0,
            });
            found = buttons();
        }
        found
    }

    /// A tap on the element with this accessible label; then, as a person looks at the screen
    /// once it has answered, the supervisor's desk is given time to finish what the tap asked.
    fn tap(&mut self, label: &str) {
        self.tap_and_go_on(label);
        self.settle_desk();
    }

    /// A tap, without waiting for the desk's thread.
    fn tap_and_go_on(&mut self, label: &str) {
        if self.input != keys::Input::Touch {
            self.press(label);
            return;
        }
        self.find(label).invoke_accessible_default_action();
        self.taps += 1;
    }

    /// Waits until the desk's thread has done what it was given, and redraws.
    fn settle_desk(&self) {
        let desk = self.app.borrow().desk();
        if let Some(desk) = desk {
            assert!(
                desk.borrow().settle(Duration::from_secs(120)),
                "the supervisor's desk is still working"
            );
        }
    }

    /// Scrolls the panel that shows `anchor` until something labelled `label` is on screen, as
    /// a clerk scrolls a long form with the wheel or a finger.
    fn scroll_to(&self, anchor: &str, label: &str) {
        // Beside the field, in the panel's margin: a text field keeps the wheel to itself.
        let anchor = self.field(anchor);
        let at = anchor.absolute_position();
        let size = anchor.size();
        let position = slint::LogicalPosition::new(at.x - 8.0, at.y + size.height / 2.0);
        let window = self.window.window();
        window.dispatch_event(WindowEvent::PointerMoved { position });
        for _ in 0..30 {
            if ElementHandle::find_by_accessible_label(&self.window, label)
                .next()
                .is_some()
            {
                return;
            }
            window.dispatch_event(WindowEvent::PointerScrolled {
                position,
                delta_x: 0.0,
                delta_y: -60.0,
            });
        }
        panic!("{label:?} does not come into view on {:?}", self.screen());
    }

    /// Types into the field with this accessible label (the clerk's keyboard: not a tap).
    fn type_into(&self, label: &str, text: &str) {
        if self.input == keys::Input::Touch {
            self.field(label).set_accessible_value(text);
        } else {
            self.type_by_keys(label, text);
        }
        self.settle_desk();
    }

    /// Replaces the text of a field with this accessible label and presses Enter in it, as a
    /// supervisor does to change one of a rule's fields.
    fn enter_into(&self, label: &str, text: &str) {
        let field = self.field(label);
        field.set_accessible_value(text);
        field.mock_single_click(slint::platform::PointerEventButton::Left);
        let enter: slint::SharedString = Key::Return.into();
        let window = self.window.window();
        window.dispatch_event(WindowEvent::KeyPressed {
            text: enter.clone(),
        });
        window.dispatch_event(WindowEvent::KeyReleased { text: enter });
        self.settle_desk();
    }

    fn field(&self, label: &str) -> ElementHandle {
        self.scrolled_to(label, |role| {
            role == Some(i_slint_backend_testing::AccessibleRole::TextInput)
        })
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no field labelled {label:?} on {:?}", self.screen()))
    }

    /// Types a member into the household screen's form — name, ふりがな (when given), birth
    /// date, sex, 続柄 (when given) — without pressing 「追加する」, so that a test can add
    /// more before it does.
    fn type_member(&mut self, member: &TypedMember<'_>) {
        self.type_into("氏名", member.name);
        if let Some(kana) = member.kana {
            self.type_into("ふりがな", kana);
        }
        self.type_into("生年月日", member.birth);
        self.tap(member.sex);
        if let Some(relation) = member.relation {
            self.choose_relation(relation);
        }
    }

    /// Chooses a 続柄 in the add-member form's list, as the clerk's selection does (the list's
    /// `selected` sets the index and tells the controller).
    fn choose_relation(&self, word: &str) {
        let people = self.window.global::<People>();
        let index = people
            .get_relations()
            .iter()
            .position(|r| r == word)
            .unwrap_or_else(|| panic!("{word} is not in the list"));
        let index = i32::try_from(index).expect("a short list");
        people.set_person_relation(index);
        people.invoke_person_relation_chosen(index);
    }

    /// Answers every question the interview asks — いいえ, else the first option — checking
    /// each shows a question and its place in the interview; returns how many it asked.
    fn answer_every_question(&mut self) -> usize {
        let mut questions = 0;
        while self.screen() == Screen::Question {
            let interview = self.window.global::<Interview>();
            assert!(!interview.get_question().is_empty());
            assert!(interview.get_steps() >= interview.get_step());
            if interview.get_question_yes_no() {
                self.tap("いいえ");
            } else {
                let first = interview
                    .get_question_options()
                    .iter()
                    .next()
                    .expect("an option")
                    .label;
                self.tap(&first);
            }
            questions += 1;
            assert!(questions < 40, "the interview never ends");
        }
        questions
    }

    /// The names of the procedures the result screen lists, as it words them.
    fn procedure_names(&self) -> Vec<String> {
        self.window
            .global::<Outcome>()
            .get_procedures()
            .iter()
            .map(|p| p.name.to_string())
            .collect()
    }

    /// The ids of the procedures the result screen lists.
    fn listed_procedures(&self) -> Vec<String> {
        self.window
            .global::<Outcome>()
            .get_procedures()
            .iter()
            .map(|p| p.id.to_string())
            .collect()
    }

    /// Lets the runtime answer until the session shows `screen`.
    fn wait_for(&self, screen: Screen, seconds: u64) {
        let start = Instant::now();
        while self.screen() != screen {
            assert!(
                start.elapsed() < Duration::from_secs(seconds),
                "still on {:?} waiting for {screen:?}; notice: {:?}",
                self.screen(),
                self.app.borrow().view().notice
            );
            self.app
                .borrow_mut()
                .pump_blocking(Duration::from_millis(100));
        }
    }

    /// A keyboard-wedge scanner: it types the code's text and presses Enter.
    fn scanner_types(&self, text: &str) {
        let window = self.window.window();
        for c in text.chars() {
            let text: slint::SharedString = c.to_string().into();
            window.dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
            window.dispatch_event(WindowEvent::KeyReleased { text });
        }
        let enter: slint::SharedString = Key::Return.into();
        window.dispatch_event(WindowEvent::KeyPressed {
            text: enter.clone(),
        });
        window.dispatch_event(WindowEvent::KeyReleased { text: enter });
    }
}

/// A household with two 16-year-olds (学齢 15): the child medical subsidy's limit decides.
fn teenagers_moving_in() -> Case {
    let mut case: Case = madoguchi_kiosk::samples::family_of_four().expect("example");
    for member in &mut case.household.members {
        if member.category() == madoguchi_domain::Relation::Child {
            member.person.birth_date = NaiveDate::from_ymd_opt(2010, 1, 10);
        }
    }
    case
}

/// Whether the catalogue the clerk's session now decides with gives the subsidy.
fn clerk_gives_child_medical(kiosk: &TestKiosk) -> bool {
    let app = kiosk.app.borrow();
    let catalogue = app.session().catalogue();
    let case = teenagers_moving_in();
    madoguchi_rules::Engine::new(catalogue)
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates")
        .procedures
        .iter()
        .any(|p| p.id == "kodomo_iryo")
}

/// A store with the shipped catalogue in force and the supervisor kakari, who added `others`
/// (login, password) as supervisors; its configuration (to open it again) and the checksum
/// of the version in force (for a kiosk that follows the store's catalogue).
fn supervised_store(dir: &Path, others: &[(&str, &str)]) -> (Store, StoreConfig, String) {
    let config = StoreConfig {
        db_path: dir.join("madoguchi.sqlite3"),
        key_path: dir.join("store.key"),
    };
    let mut setup = store(dir);
    let files = madoguchi_rules::read_folder(&repo("assets/catalogue")).expect("files");
    let now = chrono::Utc::now();
    let first = setup
        .seed_catalogue(&files, "shipped", now)
        .expect("version 1")
        .expect("the first version");
    let kakari = setup
        .bootstrap_supervisor("kakari", KAKARI, now)
        .expect("staff");
    for (login, password) in others {
        setup
            .set_staff(&kakari, login, Role::Supervisor, password, now)
            .expect("staff");
    }
    let checksum = setup.catalogue(first).expect("read").expect("v1").checksum;
    (setup, config, checksum)
}

/// The packet the kiosk makes of `case` with `catalogue` (and the city's forms it carries),
/// as its runtime does: cups-pdf's printed copy has lost the text layer, this one has it.
fn packet_made(case: &Case, catalogue: &Catalogue) -> madoguchi_forms::Packet {
    packet_made_in(case, catalogue, madoguchi_forms::SheetLanguage::Japanese)
}

/// The same, its guidance sheet in `language`.
fn packet_made_in(
    case: &Case,
    catalogue: &Catalogue,
    language: madoguchi_forms::SheetLanguage,
) -> madoguchi_forms::Packet {
    use madoguchi_kiosk::packet::{self, PacketInput, Templates};
    let decision = madoguchi_rules::Engine::new(catalogue)
        .evaluate(case, packet::as_of(case))
        .expect("decided");
    let mut templates = Templates::new(repo("forms"));
    let library = templates
        .for_catalogue(catalogue, [0.0, 0.0])
        .expect("templates");
    packet::make(
        library,
        &Fonts::load(),
        &PacketInput {
            case,
            decision: &decision,
            local: &packet::Local::default(),
            reception: "",
            guidance: true,
            language,
        },
    )
    .expect("the packet")
}

fn sign_in(kiosk: &mut TestKiosk, login: &str, password: &str) {
    kiosk.type_into("ログイン名", login);
    kiosk.type_into("パスワード", password);
    kiosk.tap("ログイン");
}

const KAKARI: &str = "sakura-no-hana-2026";
const HANCHO: &str = "ume-no-hana-2026";
const KACHO: &str = "matsu-no-midori-2026";

/// The impact preview (every scenario and the recent cases) runs on the desk's thread: the
/// window says it is working and still answers a tap. The test holds the desk's thread with a
/// gate handed over right after the preview, so that "still working" does not depend on how
/// fast this machine is.
fn preview_while_the_window_answers(kiosk: &mut TestKiosk) {
    kiosk.tap_and_go_on("影響を確かめる");
    let desk = kiosk.app.borrow().desk().expect("the desk");
    let (release, gate) = std::sync::mpsc::channel::<()>();
    desk.borrow().worker().submit(move |_| {
        let _ = gate.recv();
    });
    desk.borrow().poll();
    assert!(
        kiosk.window.global::<Desk>().get_busy(),
        "the window says it is working"
    );
    assert!(
        ElementHandle::find_by_accessible_label(&kiosk.window, "処理しています…").count() > 0,
        "and shows it"
    );
    assert_eq!(
        kiosk.window.global::<ProcedureForm>().get_procedure_part(),
        0
    );
    kiosk.tap_and_go_on("持ち物");
    assert_eq!(
        kiosk.window.global::<ProcedureForm>().get_procedure_part(),
        1,
        "a tap is answered while the preview runs"
    );
    assert!(kiosk.window.global::<Desk>().get_busy());
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Procedure,
        "nothing is drawn from the desk mid-work"
    );
    release.send(()).expect("release the gate");
    kiosk.settle_desk();
    assert!(!kiosk.window.global::<Desk>().get_busy());
}

/// The submitter signs out; a second supervisor signs in, opens the version waiting on the
/// versions screen and approves it (決裁).
fn approve_as_another_supervisor(kiosk: &mut TestKiosk) {
    kiosk.tap("ログアウト");
    sign_in(kiosk, "kacho", KACHO);
    assert_eq!(
        kiosk.window.global::<DeskPublishing>().get_pending_count(),
        1
    );
    kiosk.tap("版の履歴・決裁・戻す・移す");
    kiosk.tap("決裁する");
    assert!(kiosk.window.global::<DeskPublishing>().get_deciding());
    assert!(kiosk.window.global::<DeskPublishing>().get_may_decide());
    kiosk.tap("承認して公開する");
    assert!(
        kiosk
            .window
            .global::<Desk>()
            .get_notice()
            .contains("公開しました"),
        "{}",
        kiosk.window.global::<Desk>().get_notice()
    );
    assert_eq!(
        kiosk.window.global::<DeskPublishing>().get_pending_count(),
        0
    );
}

/// The supervisor's flow through the window: a lock-out, the child medical subsidy's age limit
/// lowered with the typed widgets, the impact preview listing the scenarios it breaks, those
/// fixed, publication, the clerk's next case on the new rule, and a restore.
fn a_supervisor_changes_a_rule_and_the_next_case_uses_it(cups: &TestCups) {
    let dir = tempfile::tempdir().expect("dir");
    let (setup, config, checksum) =
        supervised_store(dir.path(), &[("hancho", HANCHO), ("kacho", KACHO)]);
    let reopen = || {
        Store::open(&config, chrono::Utc::now())
            .expect("opens")
            .store
    };

    let feed = CatalogueFeed::new(checksum).every(Duration::from_millis(100));
    let mut kiosk = TestKiosk::following(Mode::Clerk, setup, cups, None, Some(feed));
    {
        let offset = *chrono::Local::now().offset();
        kiosk
            .app
            .borrow_mut()
            .set_desk(Desk_::new(reopen(), offset));
    }
    assert!(
        clerk_gives_child_medical(&kiosk),
        "the shipped rule: up to 18"
    );

    kiosk.tap("管理者メニュー");
    assert!(kiosk.window.global::<Desk>().get_open());
    for _ in 0..3 {
        sign_in(&mut kiosk, "hancho", "wrong");
    }
    assert!(
        kiosk
            .window
            .global::<Desk>()
            .get_notice()
            .contains("ロック"),
        "{}",
        kiosk.window.global::<Desk>().get_notice()
    );
    sign_in(&mut kiosk, "hancho", HANCHO);
    assert!(
        kiosk
            .window
            .global::<Desk>()
            .get_notice()
            .contains("ロック"),
        "locked even with the right password"
    );
    // The desk's notices follow the kiosk's language.
    kiosk.app.borrow_mut().toggle_language();
    assert!(
        kiosk
            .window
            .global::<Desk>()
            .get_notice()
            .contains("locked"),
        "{}",
        kiosk.window.global::<Desk>().get_notice()
    );
    kiosk.app.borrow_mut().toggle_language();
    assert!(
        kiosk
            .window
            .global::<Desk>()
            .get_notice()
            .contains("ロック")
    );
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::SignIn
    );

    sign_in(&mut kiosk, "kakari", KAKARI);
    assert_eq!(kiosk.window.global::<Desk>().get_screen(), DeskScreen::Home);
    kiosk.tap("ルールを編集する");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Procedures
    );
    assert!(
        kiosk.window.global::<Desk>().get_rows().row_count() > 20,
        "{}",
        kiosk.window.global::<Desk>().get_rows().row_count()
    );
    kiosk.type_into("手続きを探す（名前・窓口・ID）", "子ども医療");
    kiosk.tap("子ども医療費助成の申請");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Procedure
    );
    kiosk.tap("学齢（3月31日時点） ＜（未満） 18");
    for _ in 0..3 {
        kiosk.tap("1 減らす");
    }
    assert_eq!(
        kiosk.window.global::<ConditionForm>().get_condition_text(),
        "all(event = tennyu, any_member(school_age < 15))"
    );

    preview_while_the_window_answers(&mut kiosk);
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Impact
    );
    let rows: Vec<_> = kiosk.window.global::<Desk>().get_rows().iter().collect();
    let failing: Vec<_> = rows.iter().filter(|r| r.mark == "fail").collect();
    assert!(
        !failing.is_empty(),
        "the preview lists the scenarios the change breaks"
    );
    for row in &failing {
        assert!(
            row.text.contains("なくなる：子ども医療費助成の申請"),
            "{}",
            row.text
        );
        println!("  affected scenario: {}", row.title);
    }
    assert!(
        !kiosk.window.global::<DeskPublishing>().get_can_publish(),
        "failing scenarios block publishing"
    );
    for n in 0..failing.len() {
        kiosk.tap("この結果を正とする");
        if n == 0 {
            // The first question is answered no: nothing changes.
            assert_eq!(kiosk.window.global::<Desk>().get_confirm_kind(), 2);
            kiosk.tap("やめる");
            assert!(!kiosk.window.global::<DeskPublishing>().get_can_publish());
            kiosk.tap("この結果を正とする");
        }
        kiosk.tap("期待を書き換える");
    }
    assert!(
        kiosk
            .window
            .global::<Desk>()
            .get_rows()
            .iter()
            .all(|r| r.mark != "fail")
    );
    assert!(kiosk.window.global::<DeskPublishing>().get_can_publish());
    kiosk.type_into(
        "公開のメモ（何を、なぜ変えたか）",
        "子ども医療費助成を中学生までに変更",
    );
    kiosk.tap("決裁に回す");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Versions
    );
    assert!(
        kiosk
            .window
            .global::<Desk>()
            .get_notice()
            .contains("決裁に回しました"),
        "{}",
        kiosk.window.global::<Desk>().get_notice()
    );
    approve_as_another_supervisor(&mut kiosk);

    kiosk.tap("ログアウト");
    kiosk.tap("窓口に戻る");
    assert!(!kiosk.window.global::<Desk>().get_open());
    kiosk.wait_for_new_catalogue();
    kiosk.tap("受付をはじめる");
    assert_eq!(kiosk.screen(), Screen::Identify);
    assert!(
        !clerk_gives_child_medical(&kiosk),
        "the clerk's next case uses the new rule"
    );
    kiosk
        .app
        .borrow_mut()
        .act(madoguchi_kiosk::session::Action::Back);
    assert_eq!(kiosk.screen(), Screen::Start);

    kiosk.tap("管理者メニュー");
    sign_in(&mut kiosk, "kakari", KAKARI);
    kiosk.tap("版の履歴・決裁・戻す・移す");
    kiosk.tap("この版に戻す");
    assert!(
        kiosk
            .window
            .global::<Desk>()
            .get_notice()
            .contains("決裁に回しました")
    );
    approve_as_another_supervisor(&mut kiosk);
    kiosk.tap("ログアウト");
    kiosk.tap("窓口に戻る");
    kiosk.wait_for_new_catalogue();
    kiosk.tap("受付をはじめる");
    assert!(
        clerk_gives_child_medical(&kiosk),
        "the restore brings the old behaviour back"
    );

    kiosk
        .app
        .borrow_mut()
        .act(madoguchi_kiosk::session::Action::Back);
    a_supervisor_edits_a_question_and_what_to_bring(&mut kiosk);

    let audit: Vec<String> = reopen()
        .audit_entries(500)
        .expect("audit")
        .into_iter()
        .map(|(_, _, action, _)| action)
        .collect();
    for action in [
        "login.locked",
        "catalogue.preview",
        "scenario.accept",
        "catalogue.submit",
        "catalogue.publish",
        "catalogue.restore",
    ] {
        assert!(
            audit.iter().any(|a| a == action),
            "{action} audited: {audit:?}"
        );
    }
}

/// The question editor and the items to bring, through the window: a question reworded (an
/// empty wording refused beside its field), made private, its condition removed and given
/// again; an item ticked for a procedure; then the draft thrown away.
fn a_supervisor_edits_a_question_and_what_to_bring(kiosk: &mut TestKiosk) {
    kiosk.tap("管理者メニュー");
    sign_in(kiosk, "kakari", KAKARI);
    kiosk.tap("質問を編集する");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Questions
    );
    kiosk.type_into("質問を探す（文言・ID）", "犬を飼って");
    kiosk.tap("犬を飼っていますか。");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Question
    );
    assert_eq!(
        kiosk.window.global::<ConditionForm>().get_condition_text(),
        "dog_or_moped = yes"
    );

    let easy = "やさしい日本語（住民の画面）";
    kiosk.enter_into(easy, " ");
    assert!(
        kiosk
            .window
            .global::<QuestionForm>()
            .get_text_easy_error()
            .contains("やさしい日本語"),
        "{}",
        kiosk.window.global::<QuestionForm>().get_text_easy_error()
    );
    kiosk.enter_into(easy, "いぬ（かいいぬ）を かって いますか。");
    assert_eq!(
        kiosk.window.global::<QuestionForm>().get_text_easy(),
        "いぬ（かいいぬ）を かって いますか。"
    );
    assert_eq!(
        kiosk.window.global::<QuestionForm>().get_text_easy_error(),
        ""
    );
    assert!(kiosk.window.global::<Desk>().get_has_draft());
    kiosk.tap("住民がひとりで答える（読み上げない）");
    assert!(kiosk.window.global::<QuestionForm>().get_sensitive());
    kiosk.tap("条件を外す（いつもたずねる）");
    assert!(!kiosk.window.global::<QuestionForm>().get_has_condition());
    assert_eq!(
        kiosk.window.global::<ConditionForm>().get_condition_text(),
        ""
    );
    kiosk.tap("条件を付ける");
    assert!(kiosk.window.global::<QuestionForm>().get_has_condition());
    assert_eq!(
        kiosk.window.global::<ConditionForm>().get_condition_text(),
        "all(event = tennyu)"
    );
    kiosk.tap("一覧へ");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Questions
    );

    kiosk.tap("メニュー");
    kiosk.tap("ルールを編集する");
    kiosk.type_into("手続きを探す（名前・窓口・ID）", "子ども医療");
    kiosk.tap("子ども医療費助成の申請");
    kiosk.tap("持ち物");
    kiosk.type_into("持ち物を探す", "印鑑");
    kiosk.tap("登録する印鑑");
    let items: Vec<_> = kiosk
        .window
        .global::<ProcedureForm>()
        .get_items()
        .iter()
        .collect();
    assert_eq!(items.len(), 1);
    assert!(items[0].ticked);
    assert!(
        kiosk
            .window
            .global::<ProcedureForm>()
            .get_bring_summary()
            .contains("登録する印鑑"),
        "{}",
        kiosk.window.global::<ProcedureForm>().get_bring_summary()
    );

    kiosk.tap("影響を確かめる");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Impact
    );
    kiosk.tap("下書きを捨てる");
    assert!(
        kiosk.window.global::<Desk>().get_has_draft(),
        "it asks first"
    );
    kiosk.tap("捨てる");
    assert!(!kiosk.window.global::<Desk>().get_has_draft());
    kiosk.tap("ログアウト");
    kiosk.tap("窓口に戻る");
}

/// `madoguchi-dev card-emulate` with a persona in the test pcscd's first slot.
struct Emulator(Child);

impl Emulator {
    fn start(pcscd: &TestPcscd, persona: &str) -> Emulator {
        let child = Command::new(env!("CARGO_BIN_EXE_madoguchi-dev"))
            .args(["card-emulate", "--persona"])
            .arg(repo(&format!("assets/personas/{persona}")))
            .arg("--vpcd")
            .arg(pcscd.slot_address(0).to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator starts");
        let service = CardService::new();
        let start = Instant::now();
        while !service
            .reader_statuses()
            .is_ok_and(|readers| readers.iter().any(|r| r.card_present))
        {
            assert!(start.elapsed() < Duration::from_secs(15), "no card");
            std::thread::sleep(Duration::from_millis(25));
        }
        Emulator(child)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The people named in the QR codes of the printed pages. cups-pdf redraws the text as
/// pictures (Type 3 fonts), so the printed file is read the way the back office reads it: by
/// its forms' QR codes, rendered with pdftoppm.
fn printed_people(pdf: &Path) -> Vec<String> {
    printed_people_on(pdf, today())
}

/// The people in the printed file's codes, read on `day` (a code is valid from its case's
/// visit for a while).
fn printed_people_on(pdf: &Path, day: NaiveDate) -> Vec<String> {
    let start = Instant::now();
    loop {
        let people = people_in(pdf, day);
        if !people.is_empty() || start.elapsed() > Duration::from_secs(30) {
            return people;
        }
        // cups-pdf may still be writing the file.
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The pages of `pdf` drawn by pdftoppm at 150 dpi in grey, as PNG files in a folder that
/// lasts as long as the handle returned; `None` when the file cannot be drawn (cups-pdf may
/// still be writing it).
fn pages_of(pdf: &Path) -> Option<(tempfile::TempDir, Vec<PathBuf>)> {
    let dir = tempfile::tempdir().expect("dir");
    let rendered = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png"])
        .arg(pdf)
        .arg(dir.path().join("page"))
        .stderr(Stdio::null())
        .status()
        .expect("pdftoppm (poppler-utils) runs");
    if !rendered.success() {
        return None;
    }
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("pages")
        .flatten()
        .map(|e| e.path())
        .collect();
    pages.sort();
    Some((dir, pages))
}

fn people_in(pdf: &Path, day: NaiveDate) -> Vec<String> {
    let Some((_dir, pages)) = pages_of(pdf) else {
        return Vec::new();
    };
    let mut people = Vec::new();
    for page in pages {
        let symbols = madoguchi_prefill::scan::symbols_in_file(&page).unwrap_or_default();
        for symbol in symbols {
            if let Ok(prefill) = madoguchi_prefill::decode(&[symbol], day) {
                people.extend(
                    prefill
                        .case
                        .household
                        .members
                        .into_iter()
                        .map(|m| m.person.name),
                );
            }
        }
    }
    people
}

fn page_count(pdf: &Path) -> usize {
    let info = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").and_then(|n| n.trim().parse().ok()))
        .unwrap_or(0)
}

fn wait_for_printed(cups: &TestCups, count: usize) -> Vec<PathBuf> {
    let start = Instant::now();
    loop {
        let mut printed = cups.printed();
        if printed.len() >= count {
            // Oldest first, so `last()` is the newest print.
            printed.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
            return printed;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "nothing printed");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Taps through a family of three moving in: the applicant's card (the demo card, PIN 1234),
/// the spouse and child typed, いいえ to every question, then print.
fn a_family_of_three_moves_in_from_the_demo_card_to_a_printed_packet(cups: &TestCups) {
    family_of_three(cups, keys::Input::Touch);
}

/// The same family at a counter whose clerk uses the keyboard alone: Tab, Enter, typing.
fn a_family_of_three_is_served_by_keys_alone(cups: &TestCups) {
    family_of_three(cups, keys::Input::Keyboard);
}

fn family_of_three(cups: &TestCups, input: keys::Input) {
    let mut pcscd = TestPcscd::start().expect("a private pcscd (root, pcscd, vsmartcard-vpcd)");
    let _card = Emulator::start(&pcscd, "demo.toml");
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = TestKiosk::open(Mode::Clerk, store(dir.path()), cups, None);
    kiosk.input = input;
    let printed_before = cups.printed().len();

    kiosk.tap("受付をはじめる");
    kiosk.tap("カードを読み取る");
    kiosk.wait_for(Screen::Pin, 20);
    assert_eq!(
        kiosk.window.global::<PinEntry>().get_tries_left(),
        3,
        "the pad shows the tries left"
    );
    kiosk.enter_digits("1234");
    assert_eq!(kiosk.window.global::<PinEntry>().get_pin_entered(), 4);
    kiosk.confirm_digits("暗証番号を決定");
    kiosk.wait_for(Screen::Event, 20);

    kiosk.type_into(
        "住み始めた日（異動日）",
        &today().format("%Y-%m-%d").to_string(),
    );
    kiosk.type_into("新しい住所", "標準市中央一丁目2番3号");
    kiosk.type_into("郵便番号", "100-0001");
    kiosk.tap("次へ");
    assert_eq!(
        kiosk.screen(),
        Screen::Household,
        "{} / {:?}",
        kiosk.window.global::<Kiosk>().get_notice(),
        kiosk.window.global::<People>().get_move_date()
    );

    kiosk.type_member(&HANAKO);
    kiosk.tap("追加する");
    kiosk.type_member(&TypedMember {
        name: "山田　陽菜",
        kana: Some("やまだ　ひな"),
        birth: "R1.9.21",
        sex: "女",
        relation: None,
    });
    kiosk.tap("追加する");
    let case: Case = kiosk.app.borrow().case().expect("a case");
    assert_eq!(case.household.members.len(), 3);
    assert_eq!(case.household.members[0].person.name, "山田　太郎");
    assert_eq!(
        case.household.members[1].relation,
        madoguchi_domain::Zokugara::WIFE
    );
    assert_eq!(
        case.household.members[2].relation,
        madoguchi_domain::Zokugara::CHILD
    );
    kiosk.tap("質問へ進む");

    let questions = kiosk.answer_every_question();
    assert_eq!(kiosk.screen(), Screen::Result);
    let procedures = kiosk.listed_procedures();
    assert!(
        procedures.contains(&"tennyu_todoke".to_string()),
        "{procedures:?}"
    );
    assert!(
        procedures.contains(&"jidou_teate".to_string()),
        "{procedures:?}"
    );
    // Above the list, the counters to visit in one line, the registration counter first.
    let counters = kiosk.window.global::<Outcome>().get_counters().to_string();
    assert!(
        counters.starts_with("窓口：市民課（") && counters.contains(" → こども支援課（"),
        "{counters}"
    );

    kiosk.tap("書類の内容を確認する");
    assert_eq!(kiosk.screen(), Screen::Review);
    // The printer is stopped (a jam, say): the job waits, the screen says why, and the
    // retry prints it once the printer is back.
    cups.stop_queue();
    kiosk.tap("印刷する");
    let start = Instant::now();
    while !kiosk
        .window
        .global::<Printing>()
        .get_print_reason()
        .contains("停止")
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the stopped printer is not shown: {:?}",
            kiosk.window.global::<Printing>().get_print_reason()
        );
        kiosk
            .app
            .borrow_mut()
            .pump_blocking(Duration::from_millis(200));
    }
    assert_eq!(kiosk.screen(), Screen::Printing);
    assert_eq!(
        cups.printed().len(),
        printed_before,
        "nothing printed while stopped"
    );
    cups.start_queue();
    kiosk.tap("もう一度印刷する");
    kiosk.wait_for(Screen::Done, 90);
    if input != keys::Input::Touch {
        wait_for_printed(cups, printed_before + 1);
        println!(
            "family of three by {input:?}: {} key presses from the first screen to the printed packet ({questions} questions)",
            kiosk.key_presses.get()
        );
        return;
    }
    println!(
        "family of three: {} taps from the first screen to the printed packet ({questions} questions)",
        kiosk.taps
    );
    assert!(
        kiosk.taps <= 25,
        "a family of three takes at most 25 taps, not {}",
        kiosk.taps
    );

    let printed = wait_for_printed(cups, 1);
    let packet = printed.last().expect("a printed file");
    let people = printed_people(packet);
    for name in ["山田　太郎", "山田　花子", "山田　陽菜"] {
        assert!(
            people.iter().any(|p| p == name),
            "the printed forms' QR codes name {people:?}"
        );
    }
    assert!(page_count(packet) >= 4, "the guidance sheet and the forms");
    let store = store(dir.path());
    let info = store.info().expect("store info");
    assert_eq!(info.open_cases, 0, "the case was closed");
    assert!(
        store
            .recent_print_jobs(5)
            .expect("jobs")
            .iter()
            .all(|j| j.state == PrintState::Done),
        "every job is done"
    );
    // Nothing personal stays on screen.
    assert_eq!(
        kiosk.window.global::<People>().get_members().iter().count(),
        0
    );
    pcscd.stop();
}

/// The sample family of four, and the code a resident made of it at home.
/// A foreign resident typed by the clerk from the 在留カード: 日本以外, the card's facts, the new
/// address's 方書 apart; the wife added with her own card's facts.
fn a_foreign_family_is_typed_from_their_residence_cards(cups: &TestCups) {
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = TestKiosk::open(Mode::Clerk, store(dir.path()), cups, None);
    kiosk.tap("受付をはじめる");
    kiosk.tap("係員が入力");
    assert_eq!(kiosk.screen(), Screen::TypeApplicant);
    kiosk.type_into("氏名", "NGUYEN VAN AN");
    kiosk.type_into("生年月日", "1991-06-12");
    kiosk.tap("日本以外");
    kiosk.type_into("国籍・地域", "ベトナム");
    kiosk.type_into("在留カード等番号", "ab12345678cd");
    // As choosing in the pickers does: 技術・人文知識・国際業務 and 中長期在留者.
    let status = madoguchi_domain::foreign::RESIDENCE_STATUSES
        .iter()
        .position(|s| *s == "技術・人文知識・国際業務")
        .expect("listed");
    let people = kiosk.window.global::<People>();
    people.set_person_status(i32::try_from(status + 1).expect("small"));
    people.set_person_category(1);
    kiosk.type_into("在留期間の満了日", "R11.4.30");
    kiosk.type_into("住所（前の住所）", "愛知県名古屋市中区三の丸三丁目1番1号");
    kiosk.tap("次へ");
    assert_eq!(
        kiosk.screen(),
        Screen::Event,
        "{}",
        kiosk.window.global::<Kiosk>().get_notice()
    );
    kiosk.type_into(
        "住み始めた日（異動日）",
        &today().format("%Y-%m-%d").to_string(),
    );
    kiosk.type_into("新しい住所", "標準市港町二丁目8番1号");
    kiosk.type_into("方書（建物名・部屋番号）", "ハーバーテラス305");
    kiosk.tap("次へ");
    assert_eq!(kiosk.screen(), Screen::Household);
    kiosk.type_member(&TypedMember {
        name: "TRAN THI MAI",
        kana: None,
        birth: "1994-02-03",
        sex: "女",
        relation: None,
    });
    // The nationality stays from the applicant; the card's facts are hers.
    assert_eq!(kiosk.window.global::<People>().get_person_foreign(), 1);
    kiosk.scroll_to("氏名", "在留カード等番号");
    kiosk.type_into("在留カード等番号", "EF2345678");
    kiosk.scroll_to("在留カード等番号", "追加する");
    kiosk.tap("追加する");
    assert!(
        kiosk
            .window
            .global::<Kiosk>()
            .get_notice()
            .contains("在留カード等番号"),
        "a short card number is refused with its field named"
    );
    kiosk.type_into("在留カード等番号", "EF23456789GH");
    kiosk.scroll_to("在留カード等番号", "追加する");
    kiosk.tap("追加する");

    let case: Case = kiosk.app.borrow().case().expect("a case");
    assert_eq!(case.household.members.len(), 2);
    let resident = |index: usize| {
        case.household.members[index]
            .person
            .nationality
            .as_ref()
            .and_then(madoguchi_domain::Nationality::foreign)
            .cloned()
            .expect("a foreign resident")
    };
    let applicant = resident(0);
    assert_eq!(applicant.country.as_deref(), Some("ベトナム"));
    assert_eq!(
        applicant.card_number.as_ref().map(|n| n.as_str()),
        Some("AB12345678CD")
    );
    assert_eq!(
        applicant.status.map(|s| s.as_str()),
        Some("技術・人文知識・国際業務")
    );
    assert_eq!(
        applicant.category,
        Some(madoguchi_domain::ForeignCategory::MidLongTerm)
    );
    assert_eq!(applicant.period_end, NaiveDate::from_ymd_opt(2029, 4, 30));
    let wife = resident(1);
    assert_eq!(wife.country.as_deref(), Some("ベトナム"));
    assert_eq!(
        wife.card_number.as_ref().map(|n| n.as_str()),
        Some("EF23456789GH")
    );
    assert_eq!(wife.status, None, "the applicant's status is not copied");
    assert_eq!(case.event.kind, madoguchi_domain::EventKind::TENNYU);
    let building = case
        .event
        .new_address
        .as_ref()
        .and_then(|a| a.building.clone());
    assert_eq!(building.as_deref(), Some("ハーバーテラス305"));
}

fn residents_code() -> (Case, Vec<String>) {
    let case: Case = serde_json::from_str(
        &std::fs::read_to_string(repo("docs/examples/family-of-four.json")).expect("sample"),
    )
    .expect("a case");
    let texts = madoguchi_prefill::encode(&madoguchi_prefill::Prefill {
        issued: today(),
        expires: today() + chrono::Days::new(30),
        case: case.clone(),
    })
    .expect("encoded");
    (case, texts)
}

/// A resident alone: the attract screen, the QR code shown to the (mocked) camera, the summary,
/// print, and back to the attract screen on its own.
fn a_resident_prints_from_a_qr_code(cups: &TestCups) {
    let (case, texts) = residents_code();
    let frame =
        madoguchi_prefill::corpus::frame(madoguchi_prefill::corpus::Kind::Tilted, &texts, 3)
            .expect("a frame");
    // What the camera sees: an empty counter, then the code.
    let blank = image::GrayImage::from_pixel(640, 360, image::Luma([200]));
    let frames = vec![blank, frame.image];
    let camera: CameraFactory =
        Box::new(move || Ok(Box::new(Frames(frames.clone().into_iter())) as Box<dyn FrameSource>));
    let dir = tempfile::tempdir().expect("dir");
    let printed_before = cups.printed().len();
    let mut kiosk = TestKiosk::open(Mode::SelfService, store(dir.path()), cups, Some(camera));
    assert!(
        kiosk
            .window
            .global::<Scanner>()
            .get_summary()
            .iter()
            .count()
            == 0,
        "the attract screen shows nothing personal"
    );

    // First a code that is not ours, typed by the scanner: a plain message, nothing lost.
    kiosk.tap("はじめる");
    assert_eq!(kiosk.screen(), Screen::ScanQr);
    kiosk.wait_for(Screen::QrSummary, 30);
    let summary: Vec<String> = kiosk
        .window
        .global::<Scanner>()
        .get_summary()
        .iter()
        .map(|l| l.value.to_string())
        .collect();
    assert!(
        summary.iter().any(|v| v.contains("4")),
        "the summary counts the household: {summary:?}"
    );
    kiosk.tap("はい、この内容で すすむ");
    assert_eq!(kiosk.screen(), Screen::Result);
    assert!(
        kiosk
            .window
            .global::<Outcome>()
            .get_procedures()
            .iter()
            .count()
            > 0
    );
    kiosk.tap("書類を 印刷する");
    kiosk.wait_for(Screen::Done, 90);
    let printed = wait_for_printed(cups, printed_before + 1);
    let people = printed_people(printed.last().expect("printed"));
    let applicant = case.household.members[case.applicant].person.name.clone();
    assert!(people.contains(&applicant), "{people:?}");
    // Back to the attract screen on its own, with nothing personal left.
    kiosk
        .app
        .borrow_mut()
        .advance_clock(Duration::from_secs(30));
    assert_eq!(kiosk.screen(), Screen::Start);
    assert_eq!(
        kiosk
            .window
            .global::<Scanner>()
            .get_summary()
            .iter()
            .count(),
        0
    );
}

/// The scanner path: a wrong code gets a message and the resident stays; the right one goes on.
fn a_scanner_typing_a_code_is_read(cups: &TestCups) {
    let (_, texts) = residents_code();
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = TestKiosk::open(Mode::SelfService, store(dir.path()), cups, None);
    kiosk.tap("はじめる");
    kiosk.scanner_types("https://example.com/not-ours");
    kiosk.app.borrow_mut().pump();
    assert_eq!(kiosk.screen(), Screen::ScanQr);
    assert!(
        !kiosk.window.global::<Kiosk>().get_notice().is_empty(),
        "a wrong code is explained"
    );
    for text in &texts {
        kiosk.scanner_types(text);
    }
    kiosk.app.borrow_mut().pump();
    assert_eq!(kiosk.screen(), Screen::QrSummary);

    // The printer is stopped and the resident gives up: the packet must not come out later,
    // in the next resident's hands.
    let printed_before = cups.printed().len();
    cups.stop_queue();
    kiosk.tap("はい、この内容で すすむ");
    kiosk.tap("書類を 印刷する");
    kiosk.wait_for_printer_state();
    kiosk.tap("印刷せずに終わる");
    assert_eq!(kiosk.screen(), Screen::Printing, "it asks first");
    kiosk.tap("印刷をやめて終わる");
    assert_eq!(kiosk.screen(), Screen::Start);
    // Let the worker withdraw the job, then start the printer again.
    std::thread::sleep(Duration::from_secs(2));
    printer_back_prints_nothing_more(
        cups,
        printed_before,
        "the abandoned packet stayed unprinted",
    );
    drop(kiosk);
    let jobs = store(dir.path()).recent_print_jobs(5).expect("jobs");
    assert!(
        jobs.iter().all(|j| j.state == PrintState::Failed),
        "the abandoned job is closed"
    );
}

/// Starts the stopped printer again and gives it time: it prints no more than `before` files.
fn printer_back_prints_nothing_more(cups: &TestCups, before: usize, why: &str) {
    cups.start_queue();
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(cups.printed().len(), before, "{why}");
}

/// The terminal's printer stops and the resident cannot wait: the clerk sends the packet to a
/// printer nearby (`[printer] others`); it prints there, and the stopped one, started again,
/// does not print it a second time.
fn a_stopped_printer_sends_the_packet_to_another(cups: &TestCups) {
    let nearby = cups.add_queue("nearby");
    let (_, texts) = residents_code();
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = TestKiosk::open(Mode::SelfService, store(dir.path()), cups, None);
    kiosk
        .app
        .borrow()
        .offer_printers(&[madoguchi_kiosk::config::OtherPrinter {
            queue: nearby.queue.clone(),
            name: "2番窓口のプリンター".into(),
        }]);
    kiosk.tap("はじめる");
    for text in &texts {
        kiosk.scanner_types(text);
    }
    kiosk.app.borrow_mut().pump();
    assert_eq!(kiosk.screen(), Screen::QrSummary);
    let printed_before = cups.printed().len();
    cups.stop_queue();
    kiosk.tap("はい、この内容で すすむ");
    kiosk.tap("書類を 印刷する");
    kiosk.wait_for_printer_state();
    kiosk.tap("2番窓口のプリンターで印刷する");
    kiosk.wait_for(Screen::Done, 90);
    let start = Instant::now();
    while nearby.printed().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the packet did not come out of the printer nearby"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    printer_back_prints_nothing_more(
        cups,
        printed_before,
        "the stopped printer does not print the moved packet as well",
    );
    drop(kiosk);
    let jobs = store(dir.path()).recent_print_jobs(5).expect("jobs");
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    assert!(
        jobs.iter()
            .any(|j| j.state == PrintState::Done && j.printer == nearby.queue)
    );
    assert!(
        jobs.iter()
            .any(|j| j.state == PrintState::Failed && j.printer == cups.queue)
    );
}

/// A city whose cases start in English (`[kiosk] language = "en"`): a resident who switches to
/// Japanese leaves the next case in English again, not in their language.
fn every_case_starts_in_the_citys_language(cups: &TestCups) {
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = TestKiosk::open(Mode::Clerk, store(dir.path()), cups, None);
    kiosk
        .app
        .borrow_mut()
        .start_cases_in(madoguchi_domain::Language::English);
    assert!(kiosk.window.global::<Kiosk>().get_english());
    kiosk.app.borrow_mut().toggle_language();
    assert!(!kiosk.window.global::<Kiosk>().get_english());
    kiosk.tap("受付をはじめる");
    assert_eq!(kiosk.screen(), Screen::Identify);
    assert!(
        !kiosk.window.global::<Kiosk>().get_english(),
        "a case keeps the language chosen on it"
    );
    kiosk.tap("最初に戻る");
    assert_eq!(kiosk.screen(), Screen::Identify, "it asks first");
    kiosk.tap("消して最初に戻る");
    assert_eq!(kiosk.screen(), Screen::Start);
    assert!(
        kiosk.window.global::<Kiosk>().get_english(),
        "the next case starts in the city's language"
    );
}

fn main() {
    i_slint_backend_testing::init_no_event_loop();
    let cups = TestCups::start("kiosk-ui");
    type Flow = fn(&TestCups);
    let tests: [(&str, Flow); 20] = [
        (
            "every_case_starts_in_the_citys_language",
            every_case_starts_in_the_citys_language,
        ),
        (
            "a_family_of_three_moves_in_from_the_demo_card_to_a_printed_packet",
            a_family_of_three_moves_in_from_the_demo_card_to_a_printed_packet,
        ),
        (
            "a_foreign_resident_is_identified_by_the_residence_card",
            cards::a_foreign_resident_is_identified_by_the_residence_card,
        ),
        (
            "a_forgotten_pin_is_replaced_by_the_code_b",
            cards::a_forgotten_pin_is_replaced_by_the_code_b,
        ),
        (
            "a_licence_is_read_with_its_pin_1_and_its_gaiji_pointed_out",
            cards::a_licence_is_read_with_its_pin_1_and_its_gaiji_pointed_out,
        ),
        (
            "a_foreign_family_is_typed_from_their_residence_cards",
            a_foreign_family_is_typed_from_their_residence_cards,
        ),
        (
            "a_resident_prints_from_a_qr_code",
            a_resident_prints_from_a_qr_code,
        ),
        (
            "a_scanner_typing_a_code_is_read",
            a_scanner_typing_a_code_is_read,
        ),
        (
            "a_stopped_printer_sends_the_packet_to_another",
            a_stopped_printer_sends_the_packet_to_another,
        ),
        (
            "a_supervisor_changes_a_rule_and_the_next_case_uses_it",
            a_supervisor_changes_a_rule_and_the_next_case_uses_it,
        ),
        (
            "a_bereaved_family_is_served_from_the_deceaseds_card",
            events::a_bereaved_family_is_served_from_the_deceaseds_card,
        ),
        (
            "a_birth_is_typed_to_a_printed_packet",
            events::a_birth_is_typed_to_a_printed_packet,
        ),
        (
            "a_supervisor_places_the_citys_own_form_and_the_next_packet_prints_it",
            forms::a_supervisor_places_the_citys_own_form_and_the_next_packet_prints_it,
        ),
        (
            "a_department_counter_works_its_list_on_screen",
            floor::a_department_counter_works_its_list_on_screen,
        ),
        (
            "a_family_of_three_is_served_by_keys_alone",
            a_family_of_three_is_served_by_keys_alone,
        ),
        (
            "a_resident_prints_from_a_qr_code_on_a_keypad",
            keys::a_resident_prints_from_a_qr_code_on_a_keypad,
        ),
        (
            "a_question_is_read_with_its_answers",
            read_aloud::a_question_is_read_with_its_answers,
        ),
        (
            "a_voice_that_cannot_play_says_so",
            read_aloud::a_voice_that_cannot_play_says_so,
        ),
        // Last: their packets would be in the printer's output the others count from empty.
        (
            "a_resident_hears_each_screen_in_their_language",
            read_aloud::a_resident_hears_each_screen_in_their_language,
        ),
        (
            "each_language_prints_from_a_qr_code_in_its_words",
            languages::each_language_prints_from_a_qr_code_in_its_words,
        ),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        println!("test {name} ...");
        test(&cups);
        println!("test {name} ... ok");
    }
}
