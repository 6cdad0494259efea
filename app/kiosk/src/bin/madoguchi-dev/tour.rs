//! A tour of every screen: for each, a name and the steps that lead to it from a fresh
//! session. `madoguchi-dev screenshots` draws each into a PNG; the layout test
//! (`app/kiosk/tests/layout.rs`, which includes this file) lays each out at every window size
//! and text size and checks that nothing is cut.
//!
//! The session is driven with real actions against the shipped catalogue. The answers the card
//! reader, the camera and the printer would give are handed in directly (the runtime is
//! detached), so the screens are the same on every machine; the headless flow tests drive the
//! real card, store and printer. The desk's screens use a private store, the floor's a private
//! PostgreSQL cluster (`shots_floor`).

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use crate::shots_forms::Stage;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use madoguchi_card::{CardError, PinState};
use madoguchi_domain::{Answer, Case, Language, LifeEvent, Member, Person, Sex, Zokugara};
use madoguchi_kiosk::runtime::Runtime;
use madoguchi_kiosk::session::{
    Action, CardIdentity, CardOnReader, FormCheck, MissingValue, Mode, Notice, ReviewEdits, Screen,
    Session,
};
use madoguchi_kiosk::supervisor::{Desk, DeskScreen};
use madoguchi_kiosk::ui::{
    Clock, Desk as DeskGlobal, Kiosk, KioskApp, KioskWindow, Outcome, People, ProcedureForm,
    Scanner, Setup, Theme,
};
use madoguchi_rules::Catalogue;
use madoguchi_store::PrintState;
use slint::ComponentHandle;

use madoguchi_kiosk::{catalogue_dir, samples};

/// The day the pictures are set on.
pub(crate) fn today() -> NaiveDate {
    samples::visit_day()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn person(name: &str, kana: &str, birth: NaiveDate, sex: Sex) -> Person {
    Person {
        kana: Some(kana.into()),
        ..samples::resident(name, birth, sex)
    }
}

fn move_in() -> LifeEvent {
    samples::moving_in()
}

fn family() -> Vec<Member> {
    vec![
        Member {
            person: person(
                "窓口　花子",
                "まどぐち　はなこ",
                date(1992, 6, 1),
                Sex::Female,
            ),
            relation: Zokugara::WIFE,
        },
        Member {
            person: person(
                "窓口　陽菜",
                "まどぐち　ひな",
                date(2019, 9, 21),
                Sex::Female,
            ),
            relation: Zokugara::CHILD,
        },
    ]
}

/// The case a resident brings as a QR code.
/// The resident's case as the QR code made at home the day before.
fn resident_code() -> madoguchi_prefill::Prefill {
    madoguchi_prefill::Prefill {
        issued: today().pred_opt().unwrap_or_default(),
        expires: today() + chrono::Days::new(30),
        case: resident_case(),
    }
}

pub(crate) fn resident_case() -> Case {
    let mut members = vec![Member {
        person: person("山田　太郎", "やまだ　たろう", date(1988, 4, 12), Sex::Male),
        relation: Zokugara::HEAD,
    }];
    members.extend(family());
    Case {
        phone: None,
        proxy: None,
        event: move_in(),
        household: madoguchi_domain::Household {
            members,
            ..Default::default()
        },
        applicant: 0,
        answers: Default::default(),
        certificates: Vec::new(),
        resident_writes: Default::default(),
        identified_by: None,
    }
}

/// One screen: a name and the steps that lead to it from a fresh session.
pub(crate) struct Shot {
    pub(crate) name: &'static str,
    pub(crate) mode: Mode,
    steps: fn(&mut KioskApp, &KioskWindow),
}

/// The self-service path in a resident's language, `steps` screens in: the welcome, the
/// camera, what the code says, the procedures, the printed packet.
fn self_path(app: &mut KioskApp, window: &KioskWindow, language: Language, steps: usize) {
    app.choose_language(language);
    let path = [
        Action::Begin,
        Action::QrRead(Ok(resident_code())),
        Action::QrConfirmed,
        Action::ResultAccepted,
    ];
    act(app, path.into_iter().take(steps).collect());
    if steps == 1
        && let Some(frame) = sample_frame()
    {
        let scanner = window.global::<Scanner>();
        scanner.set_camera_frame(frame);
        scanner.set_camera_live(true);
    }
    if steps == 4 {
        app.act(Action::PrintProgress {
            state: PrintState::Done,
            reason: None,
        });
    }
}

/// A key pressed and released on the window, as a keyboard sends it.
fn press_key(window: &KioskWindow, text: slint::SharedString) {
    use slint::platform::WindowEvent;
    let window = window.window();
    window.dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
    window.dispatch_event(WindowEvent::KeyReleased { text });
}

fn act(app: &mut KioskApp, actions: Vec<Action>) {
    for action in actions {
        app.act(action);
    }
}

/// A 在留カード read: the typing screen with the chip's pictures and facts.
fn to_residence_card_read(app: &mut KioskApp) {
    card_on_reader(app, CardOnReader::Residence);
    app.act(Action::CardNumberEntered("UH12345678VN".into()));
    if let Ok(card) = samples::residence_card() {
        app.act(Action::CardRead(Ok(CardIdentity::residence(&card))));
    }
}

/// From the start to the screen `card` on the reader asks for.
fn card_on_reader(app: &mut KioskApp, card: CardOnReader) {
    act(
        app,
        vec![
            Action::Begin,
            Action::IdentifyWithCard,
            Action::CardState(Ok(card)),
        ],
    );
}

fn to_pin(app: &mut KioskApp, _: &KioskWindow) {
    act(
        app,
        vec![
            Action::Begin,
            Action::IdentifyWithCard,
            Action::CardState(Ok(CardOnReader::my_number(PinState::Ready {
                tries_left: 3,
            }))),
            Action::PinDigit(1),
            Action::PinDigit(2),
        ],
    );
}

fn to_event(app: &mut KioskApp, window: &KioskWindow) {
    to_pin(app, window);
    act(
        app,
        vec![
            Action::PinDigit(3),
            Action::PinDigit(4),
            Action::PinSubmit,
            Action::CardRead(Ok(CardIdentity::my_number_card(person(
                "窓口　太郎",
                "まどぐち　たろう",
                date(1990, 4, 1),
                Sex::Male,
            )))),
        ],
    );
}

fn to_household(app: &mut KioskApp, window: &KioskWindow) {
    to_event(app, window);
    app.act(Action::EventChosen(move_in()));
    for member in family() {
        app.act(Action::MemberAdded(member));
    }
}

/// The event screen's index of the catalogue's event `id`.
fn event_index(id: &str) -> i32 {
    let catalogue = samples::shipped_catalogue().expect("the shipped catalogue");
    let at = catalogue.events.iter().position(|e| e.id.id() == id);
    i32::try_from(at.unwrap_or(0)).unwrap_or(0)
}

/// A bereaved family at the counter: the son's card read, his father who died and his mother
/// typed, and the father marked as the person who died.
fn to_household_okuyami(app: &mut KioskApp, window: &KioskWindow) {
    to_event(app, window);
    let shibou = madoguchi_domain::EventKind::new("shibou").expect("an id");
    let mut death = LifeEvent::new(shibou, date(2026, 11, 12), today());
    death.dates.insert(
        madoguchi_domain::EventDate::new("funeral_date").expect("an id"),
        date(2026, 11, 15),
    );
    app.act(Action::EventChosen(death));
    for (name, kana, birth, sex, relation) in [
        (
            "窓口　一郎",
            "まどぐち　いちろう",
            date(1944, 8, 8),
            Sex::Male,
            Zokugara::FATHER,
        ),
        (
            "窓口　トメ",
            "まどぐち　とめ",
            date(1948, 1, 20),
            Sex::Female,
            Zokugara::MOTHER,
        ),
    ] {
        app.act(Action::MemberAdded(Member {
            person: person(name, kana, birth, sex),
            relation,
        }));
    }
    app.act(Action::MemberSubject(1));
}

fn to_question(app: &mut KioskApp, window: &KioskWindow) {
    to_household(app, window);
    app.act(Action::HouseholdDone);
}

/// A sensitive question handed to the resident.
fn to_private_question(app: &mut KioskApp, window: &KioskWindow) {
    to_question(app, window);
    app.act(Action::HandToResident);
}

fn to_result(app: &mut KioskApp, window: &KioskWindow) {
    to_question(app, window);
    answer_all(app);
}

/// The packet reviewed and sent, and the printer stopped.
fn to_stopped_printer(app: &mut KioskApp, window: &KioskWindow) {
    app.offer_printers(&[madoguchi_kiosk::config::OtherPrinter {
        queue: "counter-2".into(),
        name: "2番窓口のプリンター".into(),
    }]);
    to_result(app, window);
    act(
        app,
        vec![
            Action::ResultAccepted,
            Action::Reviewed(ReviewEdits::default()),
            Action::FormsChecked(FormCheck::default()),
            Action::PrintProgress {
                state: PrintState::Queued,
                reason: Some("プリンターが停止しています / the printer is stopped".into()),
            },
        ],
    );
}

/// A counter with the resident's own 1280×800 touch screen (a 10-inch panel) to the right of the
/// clerk's: the window spans both, as cage lays it out.
pub(crate) const RESIDENT_SCREEN: madoguchi_kiosk::config::ResidentScreen =
    madoguchi_kiosk::config::ResidentScreen {
        width: 1280,
        height: 800,
    };

fn with_resident_screen(app: &mut KioskApp, window: &KioskWindow) {
    app.set_resident_screen(Some(RESIDENT_SCREEN));
    window.window().set_size(slint::LogicalSize::new(
        1280.0 + RESIDENT_SCREEN.width as f32,
        800.0,
    ));
}

/// Scrolls the screen's list to its end, as a clerk's swipe would.
fn scroll_to_end(window: &KioskWindow) {
    scroll_by(window, -20_000.0);
}

/// Scrolls the list under the middle of the window (up for a positive `delta`).
fn scroll_by(window: &KioskWindow, delta: f32) {
    window
        .window()
        .dispatch_event(slint::platform::WindowEvent::PointerScrolled {
            position: slint::LogicalPosition::new(640.0, 400.0),
            delta_x: 0.0,
            delta_y: delta,
        });
}

/// いいえ to every question (the first choice of a choice).
fn answer_all(app: &mut KioskApp) {
    let mut guard = 0;
    while app.session().screen() == Screen::Question && guard < 40 {
        let answer = match app.view().question.map(|q| q.options) {
            Some(options) if options.len() > 3 => Answer::from_text(&options[0].id),
            _ => Answer::No,
        };
        app.act(Action::Answer(answer));
        guard += 1;
    }
}

pub(crate) fn shots() -> Vec<Shot> {
    vec![
        Shot {
            name: "01-start",
            mode: Mode::Clerk,
            steps: |_, _| {},
        },
        Shot {
            name: "02-identify",
            mode: Mode::Clerk,
            steps: |app, _| app.act(Action::Begin),
        },
        Shot {
            name: "03-insert-card",
            mode: Mode::Clerk,
            steps: |app, _| {
                act(
                    app,
                    vec![
                        Action::Begin,
                        Action::IdentifyWithCard,
                        Action::CardState(Err(CardError::NoCard {
                            reader: "Reader 0".into(),
                        })),
                    ],
                )
            },
        },
        Shot {
            name: "04-pin",
            mode: Mode::Clerk,
            steps: to_pin,
        },
        Shot {
            name: "04-pin-resident-screen",
            mode: Mode::Clerk,
            steps: |app, window| {
                with_resident_screen(app, window);
                to_pin(app, window);
            },
        },
        Shot {
            name: "05-pin-last-try",
            mode: Mode::Clerk,
            steps: |app, _| {
                act(
                    app,
                    vec![
                        Action::Begin,
                        Action::IdentifyWithCard,
                        Action::CardState(Ok(CardOnReader::my_number(PinState::Ready {
                            tries_left: 1,
                        }))),
                        Action::PinDigit(1),
                        Action::PinDigit(2),
                        Action::PinDigit(3),
                        Action::PinDigit(4),
                    ],
                )
            },
        },
        Shot {
            name: "05-pin-licence",
            mode: Mode::Clerk,
            steps: |app, _| {
                card_on_reader(
                    app,
                    CardOnReader::Licence {
                        pin: PinState::Ready { tries_left: 3 },
                    },
                );
                app.act(Action::PinDigit(1));
            },
        },
        Shot {
            name: "05-code-b",
            mode: Mode::Clerk,
            steps: |app, _| {
                card_on_reader(
                    app,
                    CardOnReader::MyNumber {
                        pin: PinState::Blocked,
                        code_b: PinState::Ready { tries_left: 9 },
                    },
                );
                for digit in [6, 0, 0, 4, 1, 2, 2, 0, 3] {
                    app.act(Action::CodeBDigit(digit));
                }
            },
        },
        Shot {
            name: "05-card-number",
            mode: Mode::Clerk,
            steps: |app, _| {
                card_on_reader(app, CardOnReader::Residence);
                app.act(Action::CardNumberEntered("UH1234".into()));
            },
        },
        Shot {
            name: "07-type-applicant-residence-card",
            mode: Mode::Clerk,
            steps: |app, _| {
                to_residence_card_read(app);
            },
        },
        Shot {
            name: "07-type-applicant-residence-card-fields",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_residence_card_read(app);
                scroll_by(window, -400.0);
            },
        },
        Shot {
            name: "06-reading-card",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_pin(app, window);
                act(
                    app,
                    vec![Action::PinDigit(3), Action::PinDigit(4), Action::PinSubmit],
                );
            },
        },
        Shot {
            name: "07-type-applicant",
            mode: Mode::Clerk,
            steps: |app, window| {
                act(app, vec![Action::Begin, Action::IdentifyByTyping]);
                let people = window.global::<People>();
                people.set_person_name("窓口　太郎".into());
                people.set_person_kana("まどぐち　たろう".into());
                people.set_person_birth("平成2年4月1日".into());
            },
        },
        Shot {
            name: "08-event",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_event(app, window);
                let people = window.global::<People>();
                people.set_move_date("R8.11.15".into());
                people.set_new_address("標準市中央一丁目2番3号".into());
                people.set_new_building("さくらハイツ201".into());
                people.set_new_postal("100-0001".into());
            },
        },
        Shot {
            name: "08-event-okuyami",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_event(app, window);
                let people = window.global::<People>();
                let kind = event_index("shibou");
                people.set_event_kind(kind);
                app.event_kind_changed();
                people.set_move_date("R8.11.12".into());
                people.invoke_other_date_edited(1, "R8.11.15".into());
            },
        },
        Shot {
            name: "09-household",
            mode: Mode::Clerk,
            steps: to_household,
        },
        Shot {
            name: "09-household-okuyami",
            mode: Mode::Clerk,
            steps: to_household_okuyami,
        },
        Shot {
            name: "09-household-foreign-member",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_household(app, window);
                let people = window.global::<People>();
                people.set_person_name("TRAN THI MAI".into());
                people.set_person_birth("1994-02-03".into());
                people.set_person_sex(1);
                people.set_person_foreign(1);
                people.set_person_country("ベトナム".into());
                people.set_person_card("EF23456789GH".into());
                people.set_person_status(30);
                people.set_person_until("R11.4.30".into());
                people.set_person_category(1);
            },
        },
        Shot {
            name: "10-question",
            mode: Mode::Clerk,
            steps: to_question,
        },
        Shot {
            name: "10-question-members",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_question(app, window);
                // Up to 「印鑑登録をする方」, then the wife ticked.
                let mut guard = 0;
                while let Some(question) = app.view().question.filter(|q| q.id != "seal") {
                    let answer = match question.options.len() {
                        n if n > 3 => Answer::from_text(&question.options[0].id),
                        _ => Answer::No,
                    };
                    app.act(Action::Answer(answer));
                    guard += 1;
                    if guard > 40 {
                        break;
                    }
                }
                app.act(Action::MemberToggled(1));
            },
        },
        Shot {
            name: "11-private-question",
            mode: Mode::Clerk,
            steps: to_private_question,
        },
        Shot {
            name: "11-private-question-resident-screen",
            mode: Mode::Clerk,
            steps: |app, window| {
                with_resident_screen(app, window);
                to_private_question(app, window);
            },
        },
        Shot {
            name: "12-result-resident-screen",
            mode: Mode::Clerk,
            steps: |app, window| {
                with_resident_screen(app, window);
                to_result(app, window);
            },
        },
        Shot {
            name: "12-result",
            mode: Mode::Clerk,
            steps: to_result,
        },
        Shot {
            name: "12-result-changes",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_result(app, window);
                act(
                    app,
                    vec![
                        Action::ProcedureRemoved {
                            id: "jidou_teate".into(),
                            reason: "前住所地で受給中、転入先で手続き済み".into(),
                        },
                        Action::ProcedureAdded {
                            id: "seikatsu_hogo".into(),
                            reason: "ご本人から相談の申し出".into(),
                        },
                    ],
                );
                window
                    .global::<Outcome>()
                    .set_add_query("しょうがい".into());
                app.search_procedures();
                scroll_to_end(window);
                // Up to the list's last counter, the procedure taken off and the search.
                scroll_by(window, 420.0);
            },
        },
        Shot {
            name: "12-result-floor-offline",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_result(app, window);
                match offline_floor_link() {
                    Ok(link) => app.set_floor_link(link),
                    Err(error) => eprintln!("no floor link for the screenshot: {error:#}"),
                }
            },
        },
        Shot {
            name: "40-counter-list",
            mode: Mode::Clerk,
            steps: |app, window| crate::shots_floor::show_board(app, window, true, false),
        },
        Shot {
            name: "41-counter-case",
            mode: Mode::Clerk,
            steps: |app, window| crate::shots_floor::show_board(app, window, true, true),
        },
        Shot {
            name: "44-counter-case-large-text",
            mode: Mode::Clerk,
            steps: |app, window| {
                window.global::<Theme>().set_text_scale(2.0);
                crate::shots_floor::show_board(app, window, true, true);
            },
        },
        Shot {
            name: "42-desk-floor-progress",
            mode: Mode::Clerk,
            steps: |app, window| crate::shots_floor::show_board(app, window, false, false),
        },
        Shot {
            name: "13-review-warning",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_result(app, window);
                app.act(Action::ResultAccepted);
                app.act(Action::FormsChecked(FormCheck {
                    warnings: vec![Notice::new(
                        "住民異動届 1ページ「氏名」: U+2EBF0 はどのフォントにもありません。〓で印刷されます。手書きで補ってください。",
                        "住民異動届 page 1 “name”: no font has U+2EBF0; it prints as 〓. Write it in by hand.",
                    )],
                    missing: vec![MissingValue {
                        path: "new_address".into(),
                        place: "住民異動届 p.2「新しい住所」".into(),
                    }],
                }));
            },
        },
        Shot {
            name: "13-review-qr-and-card",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_event(app, window);
                act(
                    app,
                    vec![
                        Action::EventChosen(move_in()),
                        Action::ReadHouseholdQr,
                        Action::QrRead(Ok(resident_code())),
                        Action::QrSamePerson,
                        Action::HouseholdDone,
                    ],
                );
                answer_all(app);
                app.act(Action::ResultAccepted);
            },
        },
        Shot {
            name: "13-household-qr-of-another-person",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_event(app, window);
                act(
                    app,
                    vec![
                        Action::EventChosen(move_in()),
                        Action::ReadHouseholdQr,
                        Action::QrRead(Ok(resident_code())),
                    ],
                );
            },
        },
        Shot {
            name: "14-printing",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_stopped_printer(app, window);
            },
        },
        Shot {
            name: "15-done",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_result(app, window);
                act(
                    app,
                    vec![
                        Action::ResultAccepted,
                        Action::Reviewed(ReviewEdits::default()),
                        Action::FormsChecked(FormCheck::default()),
                        Action::PrintProgress {
                            state: PrintState::Done,
                            reason: None,
                        },
                    ],
                );
            },
        },
        Shot {
            name: "16-timeout",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_household(app, window);
                app.advance_clock(Duration::from_secs(160));
            },
        },
        Shot {
            name: "45-confirm-start-over",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_household(app, window);
                app.act(Action::Cancel);
            },
        },
        Shot {
            name: "46-confirm-end-without-printing",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_stopped_printer(app, window);
                app.act(Action::Cancel);
            },
        },
        Shot {
            name: "17-result-english",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_result(app, window);
                app.toggle_language();
            },
        },
        Shot {
            name: "18-question-large-text",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_question(app, window);
                window.global::<Theme>().set_text_scale(2.0);
            },
        },
        Shot {
            name: "19-household-large-text",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_household(app, window);
                window.global::<Theme>().set_text_scale(2.0);
            },
        },
        Shot {
            name: "20-pin-large-text",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_pin(app, window);
                window.global::<Theme>().set_text_scale(2.0);
            },
        },
        Shot {
            name: "21-self-attract",
            mode: Mode::SelfService,
            steps: |_, _| {},
        },
        Shot {
            name: "27-language-picker",
            mode: Mode::SelfService,
            steps: |_, window| window.global::<Kiosk>().set_picking_language(true),
        },
        Shot {
            name: "28-display-picker",
            mode: Mode::SelfService,
            steps: |_, window| window.global::<Kiosk>().set_picking_display(true),
        },
        Shot {
            name: "28-question-keyboard-focus",
            mode: Mode::Clerk,
            steps: |app, window| {
                to_question(app, window);
                // By keys: Tab past the header's three buttons and 最初に戻る, then はい and
                // onto いいえ, which shows the focus ring.
                for _ in 0..6 {
                    press_key(window, slint::platform::Key::Tab.into());
                }
            },
        },
        Shot {
            name: "29-self-result-high-contrast",
            mode: Mode::SelfService,
            steps: |app, window| {
                window.global::<Theme>().set_high_contrast(true);
                self_path(app, window, Language::Japanese, 3);
            },
        },
        Shot {
            name: "29-question-high-contrast",
            mode: Mode::Clerk,
            steps: |app, window| {
                window.global::<Theme>().set_high_contrast(true);
                to_question(app, window);
            },
        },
        Shot {
            name: "60-vi-self-attract",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Vietnamese, 0),
        },
        Shot {
            name: "61-vi-self-scan",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Vietnamese, 1),
        },
        Shot {
            name: "62-vi-self-summary",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Vietnamese, 2),
        },
        Shot {
            name: "63-vi-self-result",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Vietnamese, 3),
        },
        Shot {
            name: "64-vi-self-done",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Vietnamese, 4),
        },
        Shot {
            name: "75-vi-self-summary-large-text",
            mode: Mode::SelfService,
            steps: |app, window| {
                self_path(app, window, Language::Vietnamese, 2);
                window.global::<Theme>().set_text_scale(2.0);
            },
        },
        Shot {
            name: "65-zh-self-attract",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::ChineseSimplified, 0),
        },
        Shot {
            name: "66-zh-self-scan",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::ChineseSimplified, 1),
        },
        Shot {
            name: "67-zh-self-summary",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::ChineseSimplified, 2),
        },
        Shot {
            name: "68-zh-self-result",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::ChineseSimplified, 3),
        },
        Shot {
            name: "69-zh-self-done",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::ChineseSimplified, 4),
        },
        Shot {
            name: "70-ne-self-attract",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Nepali, 0),
        },
        Shot {
            name: "71-ne-self-scan",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Nepali, 1),
        },
        Shot {
            name: "72-ne-self-summary",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Nepali, 2),
        },
        Shot {
            name: "73-ne-self-result",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Nepali, 3),
        },
        Shot {
            name: "74-ne-self-done",
            mode: Mode::SelfService,
            steps: |app, window| self_path(app, window, Language::Nepali, 4),
        },
        Shot {
            name: "26-self-attract-large-text",
            mode: Mode::SelfService,
            steps: |_, window| window.global::<Theme>().set_text_scale(2.0),
        },
        Shot {
            name: "22-self-scan",
            mode: Mode::SelfService,
            steps: |app, window| {
                app.act(Action::Begin);
                if let Some(frame) = sample_frame() {
                    let scanner = window.global::<Scanner>();
                    scanner.set_camera_frame(frame);
                    scanner.set_camera_live(true);
                }
            },
        },
        Shot {
            name: "23-self-summary",
            mode: Mode::SelfService,
            steps: |app, _| {
                act(
                    app,
                    vec![Action::Begin, Action::QrRead(Ok(resident_code()))],
                )
            },
        },
        Shot {
            name: "24-self-result",
            mode: Mode::SelfService,
            steps: |app, _| {
                act(
                    app,
                    vec![
                        Action::Begin,
                        Action::QrRead(Ok(resident_code())),
                        Action::QrConfirmed,
                    ],
                )
            },
        },
        Shot {
            name: "25-self-done",
            mode: Mode::SelfService,
            steps: |app, _| {
                act(
                    app,
                    vec![
                        Action::Begin,
                        Action::QrRead(Ok(resident_code())),
                        Action::QrConfirmed,
                        Action::ResultAccepted,
                        Action::PrintProgress {
                            state: PrintState::Done,
                            reason: None,
                        },
                    ],
                )
            },
        },
        Shot {
            name: "31-desk-sign-in",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, false);
            },
        },
        Shot {
            name: "32-desk-editor",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                with_desk(app, lower_child_medical_limit);
            },
        },
        Shot {
            name: "33-desk-impact",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                with_desk(app, |desk| {
                    preview_lowered_limit(desk);
                });
            },
        },
        Shot {
            name: "34-desk-statistics",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                with_desk(app, |desk| desk.go(DeskScreen::Statistics));
            },
        },
        Shot {
            name: "43-desk-floor-statistics",
            mode: Mode::Clerk,
            steps: crate::shots_floor::desk_on_floor,
        },
        Shot {
            name: "35-desk-versions",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                with_desk(app, |desk| {
                    submit_lower_limit(desk);
                });
            },
        },
        Shot {
            name: "36-desk-question",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                with_desk(app, |desk| {
                    let Some(dog) = desk.catalogue().and_then(|c| c.question_index("dog")) else {
                        return;
                    };
                    desk.open_question(dog);
                    desk.select_row(Vec::new());
                });
            },
        },
        Shot {
            name: "38-desk-approve",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                with_desk(app, |desk| {
                    let submitted = submit_lower_limit(desk);
                    desk.sign_out();
                    desk.sign_in("hancho", SHOT_PASSWORD);
                    desk.go(DeskScreen::Versions);
                    if let Some(madoguchi_store::catalogue::Submitted::Pending(id)) = submitted {
                        desk.open_pending(id);
                    }
                });
            },
        },
        Shot {
            name: "37-desk-bring",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                // A real edit: the subsidy's application asks for the members' My Numbers, so
                // the supervisor finds the item by a word and ticks it.
                with_desk(app, |desk| {
                    let Some(catalogue) = desk.catalogue() else {
                        return;
                    };
                    let procedure = catalogue
                        .procedures
                        .iter()
                        .position(|p| p.id == "kodomo_iryo");
                    let item = catalogue
                        .items
                        .iter()
                        .position(|i| i.id == "mynumber_known");
                    if let (Some(procedure), Some(item)) = (procedure, item) {
                        desk.open_procedure(procedure);
                        desk.set_item_filter("マイナンバー");
                        desk.toggle_bring(item);
                    }
                });
                window.global::<ProcedureForm>().set_procedure_part(1);
            },
        },
        Shot {
            name: "47-desk-confirm-discard",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                with_desk(app, |desk| {
                    preview_lowered_limit(desk);
                    desk.ask_discard();
                });
            },
        },
        Shot {
            name: "48-desk-confirm-accept",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                with_desk(app, |desk| {
                    preview_lowered_limit(desk);
                    let failing = desk
                        .impact()
                        .and_then(|i| i.scenarios.iter().position(|s| !s.passes()));
                    if let Some(n) = failing {
                        desk.ask_accept_scenario(n);
                    }
                });
            },
        },
        Shot {
            name: "30-desk-home",
            mode: Mode::Clerk,
            steps: |app, window| open_desk(app, window, true),
        },
        Shot {
            name: "39-desk-calendar",
            mode: Mode::Clerk,
            steps: |app, window| {
                open_desk(app, window, true);
                with_desk(app, |desk| {
                    desk.go(DeskScreen::Calendar);
                    desk.add_closed_day("2026-12-10", "市制記念日");
                });
            },
        },
        Shot {
            name: "49-desk-forms",
            mode: Mode::Clerk,
            steps: crate::shots_forms::forms_list,
        },
        Shot {
            name: "50-desk-form-open",
            mode: Mode::Clerk,
            steps: |app, window| crate::shots_forms::editor(app, window, Stage::Opened),
        },
        Shot {
            name: "51-desk-form-placing",
            mode: Mode::Clerk,
            steps: |app, window| crate::shots_forms::editor(app, window, Stage::Placing),
        },
        Shot {
            name: "52-desk-form-rows",
            mode: Mode::Clerk,
            steps: |app, window| crate::shots_forms::editor(app, window, Stage::Rows),
        },
        Shot {
            name: "53-desk-form-preview",
            mode: Mode::Clerk,
            steps: |app, window| crate::shots_forms::editor(app, window, Stage::Preview),
        },
    ]
}

/// The desk's screens on a private store: the shipped catalogue, a supervisor, and four weeks
/// of made-up finished cases for the statistics.
pub(crate) fn open_desk(app: &mut KioskApp, window: &KioskWindow, sign_in: bool) {
    let store = match desk_store() {
        Ok(store) => store,
        Err(error) => {
            eprintln!("the desk screenshots need a store: {error:#}");
            return;
        }
    };
    let Some(offset) = chrono::FixedOffset::east_opt(9 * 3600) else {
        return;
    };
    let mut desk = Desk::new(store, offset).on_day(today());
    if sign_in {
        desk.sign_in("kakari", SHOT_PASSWORD);
    }
    app.set_desk(desk);
    window.global::<DeskGlobal>().set_open(true);
    with_desk(app, |_| {});
}

/// Runs `change` on the desk's thread and draws the result.
pub(crate) fn with_desk(app: &mut KioskApp, change: impl FnOnce(&mut Desk) + Send + 'static) {
    if let Some(ui) = app.desk() {
        let ui = ui.borrow();
        ui.run(change);
        ui.settle(Duration::from_secs(60));
    }
}

fn lower_child_medical_limit(desk: &mut Desk) {
    let Some(index) = desk
        .catalogue()
        .and_then(|c| c.procedures.iter().position(|p| p.id == "kodomo_iryo"))
    else {
        return;
    };
    desk.open_procedure(index);
    if let Some(row) = desk
        .condition_rows()
        .into_iter()
        .find(|r| r.text.starts_with("学齢"))
    {
        desk.select_row(row.path);
        desk.set_number(15);
    }
}

/// The lowered limit and its impact preview.
fn preview_lowered_limit(desk: &mut Desk) {
    lower_child_medical_limit(desk);
    desk.preview();
}

/// The lowered limit, previewed, its new outcomes accepted, and submitted.
fn submit_lower_limit(desk: &mut Desk) -> Option<madoguchi_store::catalogue::Submitted> {
    preview_lowered_limit(desk);
    accept_all(desk);
    desk.publish("子ども医療費助成を中学生までに変更（令和9年4月から）")
}

fn accept_all(desk: &mut Desk) {
    let failing: Vec<usize> = desk
        .impact()
        .map(|i| {
            (0..i.scenarios.len())
                .filter(|n| !i.scenarios[*n].passes())
                .collect()
        })
        .unwrap_or_default();
    for n in failing {
        desk.accept_scenario(n);
    }
}

/// The pictures' supervisor's password.
pub(crate) const SHOT_PASSWORD: &str = "shashin-no-hi-2026";

/// A real floor link whose server cannot be reached (its socket folder does not exist), on a
/// store with three finished cases waiting: the header as a clerk sees it when the network is
/// down.
fn offline_floor_link() -> Result<madoguchi_kiosk::floor::FloorLink> {
    use madoguchi_store::{StoreConfig, StoreKey};
    let dir = shots_folder().join("store-floor");
    std::fs::create_dir_all(&dir)?;
    let config = StoreConfig {
        db_path: dir.join("db.sqlite3"),
        key_path: dir.join("store.key"),
    };
    let mut store = madoguchi_store::Store::open(&config, chrono::Utc::now())?.store;
    for _ in 0..3 {
        let id = store.start_case(chrono::Utc::now())?;
        store.checkpoint(id, "result", &resident_case(), &[], chrono::Utc::now())?;
        store.finish_case(id, 2, chrono::Utc::now())?;
    }
    let options = madoguchi_central::ConnectOptions {
        connection: format!("host={} user=desk_1", dir.join("no-server").display()),
        password: Some("not-used-here-at-all".into()),
        ca_file: None,
    };
    let floor_key = StoreKey::from_hex(&"5a".repeat(32))?;
    // No catalogue comes from an unreachable server: the trusted list may be empty.
    let trusted = madoguchi_store::signature::TrustedKeys::default();
    Ok(madoguchi_kiosk::floor::FloorLink::start(
        options, store, floor_key, trusted,
    ))
}

/// A fresh store in a private folder (removed when the run ends).
pub(crate) fn desk_store() -> Result<madoguchi_store::Store> {
    use chrono::{Duration as Span, TimeZone, Utc};
    use madoguchi_store::{FinishedCase, StoreConfig};
    let dir = shots_folder().join(format!(
        "store-{}",
        SHOT_STORES.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir)?;
    let config = StoreConfig {
        db_path: dir.join("db.sqlite3"),
        key_path: dir.join("store.key"),
    };
    let now = Utc::now();
    let mut store = madoguchi_store::Store::open(&config, now)?.store;
    let (_, files) = catalogue_dir::load_or_report(&catalogue_dir::default_dir())?;
    store.seed_catalogue(&files, "出荷時の既定（2026.12.1）", now)?;
    let kakari = store.bootstrap_supervisor("kakari", SHOT_PASSWORD, now)?;
    store.set_staff(
        &kakari,
        "hancho",
        madoguchi_store::Role::Supervisor,
        SHOT_PASSWORD,
        now,
    )?;
    // Four weeks of visits: more on Mondays and after the new fiscal year's moves.
    let single = resident_case();
    let mut unsure = resident_case();
    unsure
        .answers
        .insert("dog_or_moped".into(), Answer::Unknown);
    unsure
        .answers
        .insert("health_insurance".into(), Answer::Unknown);
    let mut finished = Vec::new();
    let procedures: [&[&str]; 3] = [
        &[
            "tennyu_todoke",
            "kokuho_kanyu",
            "jidou_teate",
            "kodomo_iryo",
        ],
        &["tennyu_todoke", "inkan_toroku"],
        &["tennyu_todoke", "kodomo_iryo", "tennyugaku"],
    ];
    for day in 0..28i64 {
        let date = today() - chrono::Days::new(u64::try_from(27 - day).unwrap_or(0));
        let count = 3 + (day * 7 % 5) + if day % 7 == 3 { 4 } else { 0 };
        for n in 0..count {
            let start = Utc
                .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or(now)
                + Span::days((date - date_first()).num_days())
                + Span::minutes(30 + 35 * n);
            let minutes = 9 + (n * 5 + day) % 11;
            finished.push((start, minutes, usize::try_from(n % 3).unwrap_or(0)));
        }
    }
    let cases: Vec<FinishedCase<'_>> = finished
        .iter()
        .map(|(start, minutes, kind)| FinishedCase {
            started: *start,
            ended: *start + Span::minutes(*minutes),
            case: if *kind == 1 { &unsure } else { &single },
            procedures: procedures[*kind],
            forms_printed: u32::try_from(procedures[*kind].len()).unwrap_or(0) + 1,
        })
        .collect();
    store.insert_finished(&cases)?;
    // A jam on one day among the packets printed.
    for n in 0..12 {
        let job = store.enqueue_print(
            &madoguchi_store::NewPrintJob {
                case_id: None,
                printer: "madoguchi",
                title: "packet",
                pages: 6,
                forms: 4,
                document: b"%PDF-1.7",
            },
            now - Span::days(n),
        )?;
        if n == 4 {
            store.mark_print_failed(job, "paper jam", now)?;
        } else {
            store.mark_print_done(job, now)?;
        }
    }
    Ok(store)
}

fn date_first() -> NaiveDate {
    date(2026, 1, 1)
}

static SHOT_STORES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub(crate) fn shots_folder() -> PathBuf {
    std::env::temp_dir().join(format!("madoguchi-screenshots-{}", std::process::id()))
}

/// A camera frame showing the resident's code, as the preview would.
fn sample_frame() -> Option<slint::Image> {
    let case = resident_case();
    let texts = madoguchi_prefill::encode(&madoguchi_prefill::Prefill {
        issued: today(),
        expires: date(2026, 12, 31),
        case,
    })
    .ok()?;
    let frame =
        madoguchi_prefill::corpus::frame(madoguchi_prefill::corpus::Kind::Clean, &texts, 7)?;
    Some(madoguchi_kiosk::ui::grey_image(&frame.image))
}

/// The window a shot shows, 1280×800, with its steps walked (not yet shown). The app is
/// returned so that it lives as long as the window.
pub(crate) fn open(
    shot: &Shot,
    catalogue: &Arc<Catalogue>,
) -> Result<(KioskWindow, Rc<RefCell<KioskApp>>)> {
    let window =
        KioskWindow::new().context("cannot open a window (run under Xvfb: scripts/screenshots)")?;
    window
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 800.0));
    let session = Session::new(catalogue.clone(), shot.mode, today());
    let app: Rc<RefCell<KioskApp>> = KioskApp::attach(
        &window,
        Setup {
            session,
            clock: Clock::Fixed(today()),
            city: "標準市".into(),
        },
        Runtime::detached(),
    );
    app.borrow_mut()
        .offer_languages(madoguchi_kiosk::languages::for_kiosk(catalogue));
    // The よみあげ button shows as on a counter PC with the voices installed.
    let voices = madoguchi_speech::Voices::installed(&madoguchi_kiosk::catalogue_dir::voice_dir());
    app.borrow_mut()
        .set_speaker(madoguchi_speech::Speaker::start(
            voices,
            madoguchi_speech::Delivery::default(),
            madoguchi_speech::Output::default(),
        ));
    (shot.steps)(&mut app.borrow_mut(), &window);
    Ok((window, app))
}

/// Where the desk's and the floor's private stores live during a run: removed by [`finish`].
pub(crate) fn finish() {
    crate::shots_floor::stop();
    let _ = std::fs::remove_dir_all(shots_folder());
}
