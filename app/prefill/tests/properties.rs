//! Property tests: any case round-trips through the symbols; no text, however damaged, makes
//! the decoder panic.

use chrono::NaiveDate;
use madoguchi_domain::foreign::RESIDENCE_STATUSES;
use madoguchi_domain::{
    Address, Answer, Case, CertificateKind, CertificateRequest, EventDate, EventKind,
    ForeignCategory, ForeignResident, Household, LifeEvent, Member, Nationality, Person,
    ResidenceCardNumber, ResidenceStatus, Sex, Zokugara,
};
use madoguchi_prefill::{Prefill, decode, encode};
use proptest::prelude::*;

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).expect("date") + chrono::Duration::days(offset)
}

fn address() -> impl Strategy<Value = Option<Address>> {
    prop::option::of(
        (
            "\\PC{1,40}",
            prop::option::of("[0-9]{7}"),
            prop::option::of("\\PC{1,20}"),
        )
            .prop_map(|(text, postal_code, building)| Address {
                text,
                building,
                postal_code,
                parts: None,
            }),
    )
}

/// A foreign resident's facts, each known or not: the QR code carries every one of them.
fn foreign_resident() -> impl Strategy<Value = ForeignResident> {
    (
        prop::option::of("\\PC{1,10}"),
        prop::option::of("[A-Z]{2}[0-9]{8}[A-Z]{2}"),
        prop::option::of(prop::sample::select(RESIDENCE_STATUSES.to_vec())),
        prop::option::of(0i64..4_000),
        prop::option::of(prop::sample::select(ForeignCategory::ALL.to_vec())),
        prop::option::of("\\PC{1,20}"),
    )
        .prop_map(
            |(country, card, status, end, category, alias)| ForeignResident {
                country,
                card_number: card.and_then(|c| ResidenceCardNumber::parse(&c).ok()),
                status: status.and_then(|s| ResidenceStatus::parse(s).ok()),
                period_end: end.map(day),
                category,
                alias,
            },
        )
}

fn member() -> impl Strategy<Value = Member> {
    (
        "\\PC{1,20}",
        prop::option::of("\\PC{1,20}"),
        prop::option::of(-40_000i64..0),
        prop::option::of(prop_oneof![Just(Sex::Male), Just(Sex::Female)]),
        prop::option::of(prop_oneof![
            Just(Nationality::Japanese),
            foreign_resident().prop_map(Nationality::Foreign),
        ]),
        prop::sample::select(Zokugara::all().collect::<Vec<_>>()),
        address(),
    )
        .prop_map(
            |(name, kana, birth, sex, nationality, relation, address)| Member {
                person: Person {
                    name,
                    kana,
                    birth_date: birth.map(day),
                    sex,
                    nationality,
                    address,
                },
                relation,
            },
        )
}

/// A move as `MDG2` says it, or (`MDG3`) any other event by its id, with named dates and the
/// member it is about.
fn event() -> impl Strategy<Value = LifeEvent> {
    (
        0u8..4,
        "[a-z][a-z0-9_]{0,31}",
        0i64..30,
        address(),
        address(),
        prop::option::of(-30i64..0),
        prop::collection::btree_map("d_[a-z]{1,10}", -30i64..30, 0..4),
        prop::option::of(0usize..6),
    )
        .prop_map(
            |(kind, id, visit, first, second, moved_out, dates, subject)| {
                let kinds = [EventKind::TENNYU, EventKind::TENKYO, EventKind::TENSHUTSU];
                let kind = match kinds.get(usize::from(kind)) {
                    Some(&kind) => kind,
                    None => EventKind::new(&id).expect("an id"),
                };
                let mut event = LifeEvent::new(kind, day(0), day(visit));
                if kind == EventKind::TENSHUTSU {
                    event.next_address = first;
                } else {
                    event.previous_address = first;
                    event.new_address = second;
                }
                if let Some(date) = moved_out.filter(|_| kind != EventKind::TENSHUTSU) {
                    event.dates.insert(EventDate::MOVED_OUT_DATE, day(date));
                }
                if !kinds.contains(&kind) {
                    for (id, date) in dates {
                        event
                            .dates
                            .insert(EventDate::new(&id).expect("an id"), day(date));
                    }
                    event.subject = subject;
                }
                event
            },
        )
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        Just(Answer::Yes),
        Just(Answer::No),
        Just(Answer::Unknown),
        any::<i64>().prop_map(Answer::Number),
        "[a-z_]{1,12}".prop_map(Answer::Choice),
        (-20_000i64..20_000).prop_map(|d| Answer::Date(day(d))),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        event(),
        prop::collection::vec(member(), 1..6),
        any::<prop::sample::Index>(),
        prop::collection::btree_map("[a-z_]{1,16}", answer(), 0..12),
        prop::collection::vec(
            (prop::sample::select(CertificateKind::ALL.to_vec()), 1u8..=9)
                .prop_map(|(kind, copies)| CertificateRequest { kind, copies }),
            0..3,
        ),
        prop::option::of("\\PC{1,20}"),
    )
        .prop_map(
            |(mut event, members, applicant, answers, certificates, previous_head)| Case {
                phone: None,
                proxy: None,
                applicant: applicant.index(members.len()),
                event: {
                    event.subject = event.subject.map(|i| i % members.len());
                    event
                },
                household: Household {
                    members,
                    joining_head: None,
                    previous_head,
                },
                answers,
                certificates,
                resident_writes: Default::default(),
                identified_by: None,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_case_round_trips(case in case()) {
        prop_assume!(case.validate().is_ok());
        let original = Prefill { issued: day(0), expires: day(30), case };
        let symbols = encode(&original).expect("a household of five fits");
        let back = decode(&symbols, day(10)).expect("decodes");
        prop_assert_eq!(back, original);
    }

    #[test]
    fn damaged_symbols_never_panic(
        case in case(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 0usize..45), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        prop_assume!(case.validate().is_ok());
        let original = Prefill { issued: day(0), expires: day(30), case };
        let symbols = encode(&original).expect("encodes");
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        let mut bytes = symbols[0].as_bytes().to_vec();
        for (at, replacement) in flips {
            let i = at.index(bytes.len());
            bytes[i] = ALPHABET[replacement];
        }
        let damaged = String::from_utf8(bytes).expect("ascii");
        let _ = decode(std::slice::from_ref(&damaged), day(10));
        let _ = decode(&[damaged[..cut.index(damaged.len())].to_string()], day(10));
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,300}") {
        let _ = decode(std::slice::from_ref(&text), day(0));
        let _ = decode(&[format!("MDG1:{text}")], day(0));
        let _ = decode(&[format!("MDG1-1-2-0000ABCD:{text}")], day(0));
    }
}
