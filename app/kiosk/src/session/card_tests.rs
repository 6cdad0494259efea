//! The identification screen for each card: what it asks, what a wrong answer costs, and what
//! its read gives the case.

use madoguchi_domain::{IdentityDocument, Nationality};

use super::*;

fn to_the_reader(session: &mut Session) {
    session.handle(Action::Begin);
    let effects = session.handle(Action::IdentifyWithCard);
    assert!(matches!(effects[..], [Effect::QueryCard]));
}

fn press_code_b(session: &mut Session, digits: &str) {
    for digit in digits.bytes() {
        session.handle(Action::CodeBDigit(digit - b'0'));
    }
}

fn residence_facts() -> madoguchi_card::residence::ResidenceFacts {
    crate::samples::residence_card().expect("the sample card")
}

fn foreign(person: &Person) -> &madoguchi_domain::ForeignResident {
    match &person.nationality {
        Some(Nationality::Foreign(foreign)) => foreign,
        other => panic!("not a foreign resident: {other:?}"),
    }
}

#[test]
fn a_blocked_pin_goes_to_the_code_b_and_the_code_reads_the_card() {
    let mut session = clerk();
    to_the_reader(&mut session);
    session.handle(Action::CardState(Ok(CardOnReader::MyNumber {
        pin: PinState::Blocked,
        code_b: PinState::Ready { tries_left: 10 },
    })));
    let view = session.view();
    assert_eq!(view.screen, Screen::CodeB);
    assert!(view.notice.expect("why").ja.contains("照合番号B"));
    assert_eq!(view.code_b_tries_left, Some(10));

    press_code_b(&mut session, "1004012031");
    let effects = session.handle(Action::CodeBSubmit);
    assert!(effects.is_empty(), "an incomplete code is not sent");
    assert!(
        session
            .view()
            .notice
            .expect("which part")
            .ja
            .contains("セキュリティコード")
    );
    assert_eq!(
        session.view().code_b_shown.0,
        "1004012031",
        "the digits stay to finish"
    );

    press_code_b(&mut session, "1234");
    let effects = session.handle(Action::CodeBSubmit);
    assert!(matches!(effects[..], [Effect::ReadCard(CardKey::CodeB(_))]));
    assert_eq!(
        session.view().code_b_shown.0,
        "",
        "the code leaves the screen once sent"
    );
    session.handle(Action::CardRead(Err(CardError::WrongCodeB {
        tries_left: 9,
    })));
    let view = session.view();
    assert_eq!(view.screen, Screen::CodeB);
    assert_eq!(view.code_b_tries_left, Some(9));
    assert!(view.notice.is_some());

    press_code_b(&mut session, "10040120311234");
    session.handle(Action::CodeBSubmit);
    session.handle(Action::CardRead(Ok(CardIdentity::my_number_card(person(
        "窓口 太郎",
        date(1990, 4, 1),
        Sex::Male,
    )))));
    assert_eq!(session.screen(), Screen::Event);
    assert_eq!(
        session.view().identified_by,
        Some(IdentityDocument::MyNumberCard)
    );
}

#[test]
fn the_pressed_secrets_never_print() {
    let mut session = clerk();
    to_the_reader(&mut session);
    session.handle(Action::CardState(Ok(CardOnReader::my_number(
        PinState::Ready { tries_left: 3 },
    ))));
    for digit in [7, 3, 9] {
        session.handle(Action::PinDigit(digit));
    }
    let printed = format!("{:?} {:?}", session.pin, session.view());
    assert!(!printed.contains("739"), "the PIN pressed: {printed}");
    session.handle(Action::UseCodeB);
    press_code_b(&mut session, "60041220");
    let printed = format!("{:?} {:?}", session.code_b, session.view());
    assert!(printed.contains("8 digits"), "{printed}");
    assert!(
        !printed.contains("600412"),
        "the 照合番号B pressed: {printed}"
    );
}

#[test]
fn the_pin_screen_offers_the_code_b() {
    let mut session = clerk();
    to_the_reader(&mut session);
    session.handle(Action::CardState(Ok(CardOnReader::my_number(
        PinState::Ready { tries_left: 1 },
    ))));
    let view = session.view();
    assert_eq!(view.screen, Screen::Pin);
    assert_eq!(view.pin_for, PinFor::MyNumberCard);
    assert!(view.code_b_offered, "the pad offers the 照合番号B");
    assert_eq!(view.tries_left, Some(1));
    session.handle(Action::PinDigit(1));
    session.handle(Action::UseCodeB);
    assert_eq!(session.screen(), Screen::CodeB);
    assert_eq!(session.view().pin_entered, 0, "the PIN typed is forgotten");
    session.handle(Action::Back);
    assert_eq!(session.screen(), Screen::Pin, "back to the PIN");
}

#[test]
fn a_card_whose_code_b_is_locked_offers_only_the_pin() {
    let mut session = clerk();
    to_the_reader(&mut session);
    session.handle(Action::CardState(Ok(CardOnReader::MyNumber {
        pin: PinState::Ready { tries_left: 3 },
        code_b: PinState::Blocked,
    })));
    assert!(!session.view().code_b_offered);
    session.handle(Action::UseCodeB);
    assert_eq!(session.screen(), Screen::Pin, "not offered, not taken");
}

#[test]
fn a_residence_card_is_opened_by_its_number_and_completed_by_the_clerk() {
    let mut session = clerk();
    to_the_reader(&mut session);
    session.handle(Action::CardState(Ok(CardOnReader::Residence)));
    assert_eq!(session.screen(), Screen::CardNumber);

    for typed in ["UH1234", "12345678UHVN", &"A".repeat(10_000)] {
        let effects = session.handle(Action::CardNumberEntered(typed.to_string()));
        assert!(effects.is_empty(), "{typed:.20} is not sent");
        assert!(session.view().notice.is_some());
    }
    let effects = session.handle(Action::CardNumberEntered("uh 12345678 vn".into()));
    match &effects[..] {
        [Effect::ReadCard(CardKey::ResidenceNumber(number))] => {
            assert_eq!(number.as_str(), "UH12345678VN")
        }
        other => panic!("{other:?}"),
    }
    session.handle(Action::CardRead(Err(CardError::WrongResidenceNumber)));
    assert_eq!(session.screen(), Screen::CardNumber, "typed again");

    session.handle(Action::CardNumberEntered("UH12345678VN".into()));
    session.handle(Action::CardRead(Ok(CardIdentity::residence(
        &residence_facts(),
    ))));
    let view = session.view();
    assert_eq!(view.screen, Screen::TypeApplicant);
    let prefill = view.card_prefill.expect("the card's facts");
    assert_eq!(prefill.document, IdentityDocument::ResidenceCard);
    assert_eq!(prefill.pictures.len(), 2, "the name and the address");
    assert!(prefill.pictures[0].bitmap.black_pixels() > 0);
    assert!(prefill.notes.iter().any(|n| n.ja.contains("申請中")));
    assert!(
        prefill.notes.iter().any(|n| n.ja.contains("12")),
        "the chip's code"
    );
    assert_eq!(
        foreign(&prefill.person).country.as_deref(),
        Some("ベトナム")
    );

    // What the issuer signed cannot be typed over.
    let mut typed = prefill.person.clone();
    typed.name = "グエン ティ ラン".into();
    typed.birth_date = Some(date(1998, 7, 15));
    session.handle(Action::ApplicantTyped(typed.clone()));
    assert_eq!(session.screen(), Screen::TypeApplicant);
    assert!(
        session
            .view()
            .notice
            .expect("refused")
            .ja
            .contains("生年月日")
    );

    typed.birth_date = Some(date(1998, 7, 14));
    session.handle(Action::ApplicantTyped(typed));
    let view = session.view();
    assert_eq!(view.screen, Screen::Event);
    assert_eq!(view.identified_by, Some(IdentityDocument::ResidenceCard));
    assert!(view.card_prefill.is_none());
    session.handle(Action::EventChosen(tennyu()));
    let case = session.case().expect("case");
    assert_eq!(case.identified_by, Some(IdentityDocument::ResidenceCard));
    let applicant = &case.household.members[0].person;
    assert_eq!(applicant.name, "グエン ティ ラン");
    let facts = foreign(applicant);
    assert_eq!(
        facts.card_number.as_ref().map(|n| n.as_str()),
        Some("UH12345678VN")
    );
    assert_eq!(facts.period_end, Some(date(2028, 4, 1)));
}

#[test]
fn a_forged_residence_card_is_refused() {
    let mut session = clerk();
    to_the_reader(&mut session);
    session.handle(Action::CardState(Ok(CardOnReader::Residence)));
    session.handle(Action::CardNumberEntered("UH12345678VN".into()));
    session.handle(Action::CardRead(Err(CardError::BadSignature {
        fault: madoguchi_card::SignatureFault::Mismatch,
    })));
    let view = session.view();
    assert_eq!(view.screen, Screen::Identify);
    assert!(view.notice.expect("why").ja.contains("署名"));
    assert!(session.case().is_none());
}

#[test]
fn a_licence_asks_for_pin_1_and_leaves_the_sex_to_the_clerk() {
    let mut session = clerk();
    to_the_reader(&mut session);
    session.handle(Action::CardState(Ok(CardOnReader::Licence {
        pin: PinState::Ready { tries_left: 3 },
    })));
    let view = session.view();
    assert_eq!((view.screen, view.pin_for), (Screen::Pin, PinFor::Licence));
    assert!(!view.code_b_offered, "a licence has no 照合番号B");
    for digit in [1, 3, 5, 7] {
        session.handle(Action::PinDigit(digit));
    }
    let effects = session.handle(Action::PinSubmit);
    assert!(matches!(
        effects[..],
        [Effect::ReadCard(CardKey::LicencePin(_))]
    ));
    session.handle(Action::CardRead(Err(CardError::WrongLicencePin {
        tries_left: 2,
    })));
    assert_eq!(session.view().tries_left, Some(2));
    assert_eq!(session.screen(), Screen::Pin);
    session.handle(Action::CardRead(Err(CardError::LicencePinBlocked)));
    assert_eq!(
        session.screen(),
        Screen::Pin,
        "only an answer to a read counts"
    );

    for digit in [1, 3, 5, 7] {
        session.handle(Action::PinDigit(digit));
    }
    session.handle(Action::PinSubmit);
    session.handle(Action::CardRead(Err(CardError::LicencePinBlocked)));
    let view = session.view();
    assert_eq!(
        view.screen,
        Screen::Identify,
        "a locked licence: another way"
    );
    assert!(view.notice.is_some());
}

/// A household after a move in, with a member's 在留カード just read.
fn a_members_residence_card_read() -> Session {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::ReadMemberCard);
    session.handle(Action::CardState(Ok(CardOnReader::Residence)));
    session.handle(Action::CardNumberEntered("UH12345678VN".into()));
    session.handle(Action::CardRead(Ok(CardIdentity::residence(
        &residence_facts(),
    ))));
    session
}

#[test]
fn a_members_residence_card_fills_the_household_form() {
    let mut session = a_members_residence_card_read();
    let view = session.view();
    assert_eq!(view.screen, Screen::Household);
    assert!(view.card_prefill.is_some());
    assert_eq!(
        view.identified_by,
        Some(IdentityDocument::MyNumberCard),
        "the applicant's card still names the case's identification"
    );
    let mut typed = view.card_prefill.expect("prefill").person.clone();
    typed.name = "グエン ティ ラン".into();
    typed.sex = Some(Sex::Male);
    session.handle(Action::MemberAdded(Member {
        person: typed.clone(),
        relation: Zokugara::WIFE,
    }));
    assert!(session.view().notice.expect("refused").ja.contains("性別"));
    typed.sex = Some(Sex::Female);
    session.handle(Action::MemberAdded(Member {
        person: typed,
        relation: Zokugara::WIFE,
    }));
    let view = session.view();
    assert!(view.card_prefill.is_none());
    assert_eq!(view.members, 2);
}

#[test]
fn a_card_read_set_aside_no_longer_checks_the_form() {
    let mut session = a_members_residence_card_read();
    assert!(session.view().card_prefill.is_some());
    // Someone else is typed instead of the card's holder.
    session.handle(Action::ForgetCardRead);
    assert!(session.view().card_prefill.is_none());
    session.handle(Action::MemberAdded(Member {
        person: person("窓口 花子", date(1992, 5, 5), Sex::Female),
        relation: Zokugara::WIFE,
    }));
    assert_eq!(session.view().members, 2, "{:?}", session.view().notice);
}
