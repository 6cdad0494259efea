//! Property tests over the whole accepted domain: any case that passes validation — dates
//! anywhere in the window, names and addresses of any characters up to their limits, any
//! household, any answers — evaluates without a panic, round-trips through the QR format, and
//! (for a sample) renders as a packet.

use chrono::{Days, NaiveDate};
use madoguchi_domain::{
    Address, Answer, Case, CertificateKind, CertificateRequest, Household, LifeEvent, Member,
    Nationality, Person, Sex, Zokugara, limits,
};
use madoguchi_forms::{Fonts, Library};
use madoguchi_kiosk::packet::{Local, PacketInput, make};
use madoguchi_prefill::{Prefill, PrefillError, decode, encode};
use madoguchi_rules::catalogue::{AddressRole, QuestionKind};
use madoguchi_rules::{Catalogue, Engine};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::support::Section;

fn window_days() -> i64 {
    (limits::LAST_DAY - limits::FIRST_DAY).num_days()
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    (0..=window_days()).prop_map(|n| {
        limits::FIRST_DAY
            .checked_add_days(Days::new(n as u64))
            .unwrap_or(limits::LAST_DAY)
    })
}

/// Text of any printable characters, usually short, sometimes at the limit.
fn text(max: usize) -> impl Strategy<Value = String> {
    let short =
        proptest::string::string_regex(&format!("\\PC{{1,{}}}", 24.min(max))).expect("a pattern");
    prop_oneof![
        4 => short,
        1 => Just("𠮷".repeat(max)),
        1 => Just("W".repeat(max)),
    ]
}

fn address() -> impl Strategy<Value = Option<Address>> {
    prop::option::of(
        (
            text(limits::MAX_ADDRESS_CHARS),
            prop::option::of("[0-9]{7}"),
        )
            .prop_map(|(text, postal_code)| Address {
                building: None,
                text,
                postal_code,
                parts: None,
            }),
    )
}

fn member() -> impl Strategy<Value = Member> {
    (
        text(limits::MAX_NAME_CHARS),
        prop::option::of(text(limits::MAX_NAME_CHARS)),
        prop::option::of(any_day()),
        prop::option::of(prop_oneof![Just(Sex::Male), Just(Sex::Female)]),
        prop::option::of(prop_oneof![
            Just(Nationality::Japanese),
            prop::option::of(text(limits::MAX_COUNTRY_CHARS)).prop_map(Nationality::foreign_from),
        ]),
        prop::sample::select(Zokugara::all().collect::<Vec<_>>()),
        address(),
    )
        .prop_map(
            |(name, kana, birth_date, sex, nationality, relation, address)| Member {
                person: Person {
                    name,
                    kana,
                    birth_date,
                    sex,
                    nationality,
                    address,
                },
                relation,
            },
        )
}

/// Any of the catalogue's events, with each of its other dates given or not (the member it
/// is about, for the events that have one, is chosen with the household in `case`).
fn event(catalogue: &'static Catalogue) -> impl Strategy<Value = LifeEvent> {
    (
        0..catalogue.events.len(),
        any_day(),
        any_day(),
        prop::collection::vec(prop::option::of(any_day()), 8),
        address(),
        address(),
    )
        .prop_map(move |(index, date, visit_date, others, first, second)| {
            let def = &catalogue.events[index];
            let mut event = LifeEvent::new(def.id, date, visit_date);
            if def.asks(AddressRole::Next) {
                event.next_address = first;
            } else if def.asks(AddressRole::New) {
                event.previous_address = first;
                event.new_address = second;
            }
            for (other, day) in def.dates.iter().zip(others) {
                if let Some(day) = day {
                    event.dates.insert(other.id, day);
                }
            }
            event
        })
}

/// An answer of the right kind for one of the catalogue's questions.
fn answers(catalogue: &'static Catalogue) -> impl Strategy<Value = Vec<(String, Answer)>> {
    let questions: Vec<usize> = (0..catalogue.questions.len()).collect();
    prop::collection::vec(
        (
            prop::sample::select(questions),
            any::<u32>(),
            any_day(),
            any::<bool>(),
        ),
        0..20,
    )
    .prop_map(move |picked| {
        picked
            .into_iter()
            .map(|(q, seed, day, unknown)| {
                let question = &catalogue.questions[q];
                let answer = if unknown {
                    Answer::Unknown
                } else {
                    match &question.kind {
                        QuestionKind::YesNo => {
                            if seed % 2 == 0 {
                                Answer::Yes
                            } else {
                                Answer::No
                            }
                        }
                        QuestionKind::Choice => {
                            let choices = &question.choices;
                            Answer::Choice(choices[seed as usize % choices.len()].id.clone())
                        }
                        QuestionKind::Number { min, max } => {
                            let span = (max - min).unsigned_abs().max(1);
                            Answer::Number(min + (u64::from(seed) % span) as i64)
                        }
                        QuestionKind::Date => Answer::Date(day),
                        // Every generated household has a first member.
                        QuestionKind::Members => Answer::members((seed % 2 == 0).then_some(0)),
                    }
                };
                (question.id.clone(), answer)
            })
            .collect()
    })
}

fn case(catalogue: &'static Catalogue) -> impl Strategy<Value = Case> {
    (
        event(catalogue),
        prop::collection::vec(member(), 1..8),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        answers(catalogue),
        prop::collection::vec(
            (prop::sample::select(CertificateKind::ALL.to_vec()), 1u8..=9)
                .prop_map(|(kind, copies)| CertificateRequest { kind, copies }),
            0..3,
        ),
    )
        .prop_map(
            move |(mut event, mut members, applicant, subject, answers, certificates)| {
                // Birth dates after the event are refused by validation: keep the draw accepted.
                let move_date = event.date;
                for member in &mut members {
                    member.person.birth_date = member.person.birth_date.filter(|b| *b <= move_date);
                }
                let about_one = catalogue
                    .event(event.kind)
                    .is_some_and(|def| def.subject.is_some());
                event.subject = about_one.then(|| subject.index(members.len()));
                Case {
                    phone: None,
                    proxy: None,
                    applicant: applicant.index(members.len()),
                    event,
                    household: Household {
                        members,
                        ..Default::default()
                    },
                    answers: answers.into_iter().collect(),
                    certificates,
                    resident_writes: Default::default(),
                    identified_by: None,
                }
            },
        )
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

/// Evaluates and round-trips `count` accepted cases; renders the first `rendered` of them.
pub fn accepted_domain(catalogue: &'static Catalogue, count: u32, rendered: usize) -> Section {
    let mut section = Section::new("accepted domain (evaluate, QR round trip, packet)");
    let library = Library::load(&crate::support::repo("forms")).expect("templates");
    let fonts = Fonts::load();
    let engine = Engine::new(catalogue);
    let mut runner = TestRunner::new(Config {
        cases: count,
        failure_persistence: None,
        ..Config::default()
    });
    let tried = std::cell::Cell::new(0usize);
    let result = runner.run(&case(catalogue), |case| {
        prop_assume!(case.validate().is_ok());
        let n = tried.get();
        tried.set(n + 1);
        let as_of = case.event.visit_date();
        let decision = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            engine.evaluate(&case, as_of)
        }))
        .map_err(|_| fail("the engine panicked".into()))?
        .map_err(|e| fail(format!("an accepted case was not decided: {e}")))?;
        let issued = as_of;
        let expires = issued.checked_add_days(Days::new(30)).unwrap_or(issued);
        let prefill = Prefill {
            issued,
            expires,
            case: case.clone(),
        };
        match encode(&prefill) {
            Ok(symbols) => {
                let back = decode(&symbols, issued).map_err(|e| fail(format!("decode: {e}")))?;
                prop_assert_eq!(back, prefill);
            }
            Err(PrefillError::TooLarge { .. }) => {}
            Err(e) => return Err(fail(format!("encode: {e}"))),
        }
        if n < rendered {
            let local = Local::default();
            let input = PacketInput {
                case: &case,
                decision: &decision,
                local: &local,
                reception: "",
                guidance: true,
                language: madoguchi_forms::SheetLanguage::Japanese,
            };
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                make(&library, &fonts, &input)
            }))
            .map_err(|_| fail("rendering panicked".into()))?
            .map_err(|e| fail(format!("rendering: {e}")))?;
        }
        Ok(())
    });
    section.tried = tried.get();
    if let Err(failure) = result {
        section.failures.push(failure.to_string());
    }
    section
}
