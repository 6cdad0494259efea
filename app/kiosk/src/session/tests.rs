//! Every transition of the session, against the shipped catalogue and without a window.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use madoguchi_card::{CardError, PinState};
use madoguchi_domain::{Answer, Case, EventKind, Member, Sex, Zokugara};
use madoguchi_store::{PrintState, Unfinished};

use super::*;
use crate::samples::{moving_in as tennyu, resident as person};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Time passed since the start, on the clerk's day.
fn tick(seconds: u64) -> Action {
    Action::Tick {
        elapsed: Duration::from_secs(seconds),
        today: date(2026, 11, 20),
    }
}

/// A case as a QR code made the day before `today`, valid for 30 days.
fn code(case: Case, today: NaiveDate) -> Prefill {
    Prefill {
        issued: today.pred_opt().expect("a day before"),
        expires: today + chrono::Days::new(30),
        case,
    }
}

fn catalogue() -> Arc<Catalogue> {
    crate::samples::shipped_catalogue().expect("catalogue")
}

fn clerk() -> Session {
    Session::new(catalogue(), Mode::Clerk, date(2026, 11, 20))
}

/// Taps and card answers up to the event screen, through the PIN pad.
fn through_the_card(session: &mut Session) -> usize {
    let mut taps = 0;
    let mut tap = |session: &mut Session, action: Action| {
        taps += 1;
        session.handle(action)
    };
    tap(session, Action::Begin);
    let effects = tap(session, Action::IdentifyWithCard);
    assert!(matches!(effects[..], [Effect::QueryCard]));
    session.handle(Action::CardState(Ok(CardOnReader::my_number(
        PinState::Ready { tries_left: 3 },
    ))));
    assert_eq!(session.screen(), Screen::Pin);
    for digit in [1, 2, 3, 4] {
        tap(session, Action::PinDigit(digit));
    }
    let effects = tap(session, Action::PinSubmit);
    assert!(matches!(effects[..], [Effect::ReadCard(_)]));
    assert_eq!(session.screen(), Screen::ReadingCard);
    session.handle(Action::CardRead(Ok(CardIdentity::my_number_card(person(
        "窓口 太郎",
        date(1990, 4, 1),
        Sex::Male,
    )))));
    assert_eq!(session.screen(), Screen::Event);
    taps
}

#[test]
fn a_family_of_three_moves_in_from_card_to_print() {
    let mut session = clerk();
    let mut taps = through_the_card(&mut session);
    let effects = session.handle(Action::EventChosen(tennyu()));
    taps += 1;
    assert!(matches!(
        effects[..],
        [Effect::Checkpoint {
            step: "household",
            ..
        }]
    ));
    taps += add_wife_and_daughter(&mut session);
    session.handle(Action::HouseholdDone);
    taps += 1;
    let mut questions = 0;
    while session.screen() == Screen::Question {
        let view = session.view();
        let (number, total) = view.step.expect("a step count");
        assert_eq!(number, questions + 1);
        assert!(total >= number);
        let question = view.question.expect("a question");
        session.handle(Action::Answer(typical_answer(&question)));
        taps += 1;
        questions += 1;
        assert!(questions < 40, "the interview ends");
    }
    assert_eq!(session.screen(), Screen::Result);
    let view = session.view();
    assert!(view.procedures.iter().any(|p| p.id == "tennyu_todoke"));
    assert!(view.procedures.iter().any(|p| p.id == "jidou_teate"));
    session.handle(Action::ResultAccepted);
    // The runtime lays the packet out and finds nothing missing.
    session.handle(Action::FormsChecked(FormCheck::default()));
    taps += 1;
    let effects = session.handle(Action::Reviewed(ReviewEdits::default()));
    taps += 1;
    let Some(Effect::Print { case, decision, .. }) = effects.into_iter().next() else {
        panic!("review leads to printing");
    };
    assert_eq!(case.household.members.len(), 3);
    assert_eq!(
        case.identified_by,
        Some(madoguchi_domain::IdentityDocument::MyNumberCard),
        "the 住民異動届 ticks マイナンバーカード in its 本人確認 box"
    );
    assert!(decision.procedures.iter().any(|p| p.id == "jidou_teate"));
    assert_eq!(session.screen(), Screen::Printing);
    let effects = session.handle(Action::PrintProgress {
        state: PrintState::Done,
        reason: None,
    });
    assert!(matches!(effects[..], [Effect::Finish { printed: true }]));
    assert_eq!(session.screen(), Screen::Done);
    assert!(
        session.case().is_none(),
        "nothing personal stays once printed"
    );
    println!("family of three: {taps} taps, {questions} questions, card to print");
    assert!(taps <= 25, "{taps} taps (target ≤ 25)");
}

#[test]
fn a_wrong_pin_costs_one_try_and_the_last_try_is_never_wasted() {
    let mut session = clerk();
    session.handle(Action::Begin);
    session.handle(Action::IdentifyWithCard);
    session.handle(Action::CardState(Ok(CardOnReader::my_number(
        PinState::Ready { tries_left: 2 },
    ))));
    for digit in [9, 9, 9, 9] {
        session.handle(Action::PinDigit(digit));
    }
    session.handle(Action::PinSubmit);
    session.handle(Action::CardRead(Err(CardError::WrongPin { tries_left: 1 })));
    let view = session.view();
    assert_eq!(view.screen, Screen::Pin);
    assert_eq!((view.tries_left, view.pin_entered), (Some(1), 0));
    assert!(view.notice.is_some());
    for digit in [1, 2, 3, 4] {
        session.handle(Action::PinDigit(digit));
    }
    assert!(session.view().last_try_warning);
    let effects = session.handle(Action::PinSubmit);
    assert!(effects.is_empty(), "the last try waits for a confirmation");
    assert_eq!(session.screen(), Screen::Pin);
    let effects = session.handle(Action::PinConfirmLastTry);
    assert!(matches!(effects[..], [Effect::ReadCard(_)]));
}

#[test]
fn a_card_pulled_mid_read_asks_for_the_card_again_and_loses_nothing() {
    let mut session = clerk();
    session.handle(Action::Begin);
    session.handle(Action::IdentifyWithCard);
    session.handle(Action::CardState(Ok(CardOnReader::my_number(
        PinState::Ready { tries_left: 3 },
    ))));
    for digit in [1, 2, 3, 4] {
        session.handle(Action::PinDigit(digit));
    }
    session.handle(Action::PinSubmit);
    session.handle(Action::CardRead(Err(CardError::CardRemoved)));
    let view = session.view();
    assert_eq!(view.screen, Screen::InsertCard);
    assert!(view.notice.is_some());
    let effects = session.handle(Action::IdentifyWithCard);
    assert!(matches!(effects[..], [Effect::QueryCard]));
}

#[test]
fn a_blocked_card_sends_the_clerk_to_another_way() {
    let mut session = clerk();
    session.handle(Action::Begin);
    session.handle(Action::IdentifyWithCard);
    session.handle(Action::CardState(Ok(CardOnReader::MyNumber {
        pin: PinState::Blocked,
        code_b: PinState::Blocked,
    })));
    let view = session.view();
    assert_eq!(view.screen, Screen::Identify);
    assert!(view.notice.expect("notice").ja.contains("ロック"));
}

#[test]
fn a_late_card_answer_changes_nothing() {
    let mut session = clerk();
    session.handle(Action::Begin);
    session.handle(Action::CardRead(Ok(CardIdentity::my_number_card(person(
        "誰か",
        date(1990, 1, 1),
        Sex::Male,
    )))));
    assert_eq!(session.screen(), Screen::Identify);
    assert!(session.case().is_none());
}

fn at_the_first_question() -> Session {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::MemberAdded(Member {
        person: person("窓口 陽菜", date(2019, 9, 21), Sex::Female),
        relation: Zokugara::CHILD,
    }));
    session.handle(Action::HouseholdDone);
    assert_eq!(session.screen(), Screen::Question);
    session
}

#[test]
fn back_offers_the_last_question_again_with_its_answer_undone() {
    let mut session = at_the_first_question();
    let first = session.view().question.expect("question").id;
    session.handle(Action::Answer(Answer::Unknown));
    assert_ne!(session.view().question.map(|q| q.id), Some(first.clone()));
    session.handle(Action::Back);
    assert_eq!(session.screen(), Screen::Question);
    assert_eq!(session.view().question.map(|q| q.id), Some(first.clone()));
    assert!(!session.case().expect("case").answers.contains_key(&first));
}

#[test]
fn a_sensitive_question_can_be_answered_privately() {
    let mut session = at_the_first_question();
    session.handle(Action::HandToResident);
    assert_eq!(session.screen(), Screen::PrivateQuestion);
    let question = session.view().question.expect("the same question");
    session.handle(Action::Answer(Answer::No));
    assert!(matches!(
        session.screen(),
        Screen::Question | Screen::Result
    ));
    assert_eq!(
        session.case().expect("case").answers.get(&question.id),
        Some(&Answer::No)
    );
}

fn at_the_result() -> Session {
    let mut session = at_the_first_question();
    while session.screen() == Screen::Question {
        session.handle(Action::Answer(Answer::Unknown));
    }
    assert_eq!(session.screen(), Screen::Result);
    session
}

/// From the result: accepted, the packet laid out with nothing missing, reviewed as it is.
fn review_and_print(session: &mut Session) -> Vec<Effect> {
    session.handle(Action::ResultAccepted);
    // The runtime lays the packet out and finds nothing missing.
    session.handle(Action::FormsChecked(FormCheck::default()));
    session.handle(Action::Reviewed(ReviewEdits::default()))
}

/// The decision the packet prints, from the result.
fn printed(session: &mut Session) -> Decision {
    match review_and_print(session).into_iter().next() {
        Some(Effect::Print { decision, .. }) => *decision,
        other => panic!("prints, not {other:?}"),
    }
}

#[test]
fn the_clerk_adds_or_removes_a_procedure_only_with_a_reason() {
    let mut session = at_the_result();
    session.handle(Action::ProcedureRemoved {
        id: "jidou_teate".into(),
        reason: " ".into(),
    });
    assert!(session.view().notice.is_some());
    assert!(lists(&session, "jidou_teate"));
    session.handle(Action::ProcedureRemoved {
        id: "jidou_teate".into(),
        reason: "前住所地で手続き済み".into(),
    });
    assert!(!lists(&session, "jidou_teate"));
    let confirm = session.view().to_confirm;
    let Some(candidate) = confirm.first() else {
        panic!("answering わからない leaves procedures to confirm");
    };
    let id = candidate.id.clone();
    session.handle(Action::ProcedureAdded {
        id: id.clone(),
        reason: "窓口で確認した".into(),
    });
    let view = session.view();
    assert!(view.procedures.iter().any(|p| p.id == id));
    assert!(!view.to_confirm.iter().any(|p| p.id == id));
    assert_eq!(session.overrides().len(), 2);
    let decision = printed(&mut session);
    assert!(!decision.procedures.iter().any(|p| p.id == "jidou_teate"));
    assert!(decision.procedures.iter().any(|p| p.id == id));
}

#[test]
fn the_clerk_finds_any_catalogue_procedure_by_its_reading_adds_it_and_can_undo() {
    let mut session = at_the_result();
    assert!(session.addable_procedures("", 8).is_empty());
    assert!(session.addable_procedures("  ", 8).is_empty());
    let view = session.view();
    let named = |id: &str| {
        view.procedures
            .iter()
            .chain(&view.to_confirm)
            .any(|p| p.id == id)
    };
    let Some(other) = session
        .catalogue
        .procedures
        .iter()
        .find(|p| !named(&p.id) && ruby::reading_text(&p.name.easy).chars().count() >= 4)
        .cloned()
    else {
        panic!("the catalogue has procedures this case does not decide");
    };
    // Searched by its reading (what a clerk types on a kana keyboard), and by its Japanese name.
    let reading: String = ruby::reading_text(&other.name.easy)
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(4)
        .collect();
    let found = session.addable_procedures(&reading, 50);
    assert!(
        found.iter().any(|f| f.id == other.id),
        "{reading} finds {}",
        other.id
    );
    let found = session.addable_procedures(&other.name.ja, 50);
    assert!(found.iter().any(|f| f.id == other.id));
    assert!(
        found.iter().all(|f| !named(&f.id)),
        "what is on the list is not offered"
    );
    assert!(session.addable_procedures(&other.name.ja, 1).len() <= 1);

    session.handle(Action::ProcedureAdded {
        id: other.id.clone(),
        reason: "ご本人の申し出".into(),
    });
    let view = session.view();
    let added = view
        .procedures
        .iter()
        .find(|p| p.id == other.id)
        .expect("the added procedure is on the list");
    assert!(
        added.reasons.is_empty(),
        "the clerk's reason stands for the rules'"
    );
    assert_eq!(
        added.counter.id,
        session.catalogue.counters[other.counter].id
    );
    assert!(
        session
            .addable_procedures(&other.name.ja, 50)
            .iter()
            .all(|f| f.id != other.id)
    );
    // It prints with the packet.
    let decision = printed(&mut session);
    assert!(decision.procedures.iter().any(|p| p.id == other.id));
}

#[test]
fn a_search_or_a_reason_too_long_is_refused_and_changes_nothing() {
    let mut session = at_the_result();
    assert!(
        session
            .addable_procedures(&"じどう".repeat(10_000), 8)
            .is_empty()
    );
    session.handle(Action::ProcedureRemoved {
        id: "jidou_teate".into(),
        reason: "理".repeat(100_000),
    });
    assert!(
        session
            .view()
            .notice
            .is_some_and(|n| n.ja.contains("200文字"))
    );
    assert!(session.overrides().is_empty());
    assert!(lists(&session, "jidou_teate"));
    session.handle(Action::ProcedureAdded {
        id: "no_such_procedure".into(),
        reason: "理由".into(),
    });
    assert!(session.overrides().is_empty(), "an unknown id is refused");
}

#[test]
fn a_removed_procedure_is_listed_with_its_reason_and_comes_back_on_undo() {
    let mut session = at_the_result();
    session.handle(Action::ProcedureRemoved {
        id: "jidou_teate".into(),
        reason: "前住所地で手続き済み".into(),
    });
    let view = session.view();
    assert!(view.removed.iter().any(|p| p.id == "jidou_teate"));
    assert!(!view.procedures.iter().any(|p| p.id == "jidou_teate"));
    session.handle(Action::ProcedureRestored("jidou_teate".into()));
    let view = session.view();
    assert!(view.removed.is_empty());
    assert!(view.procedures.iter().any(|p| p.id == "jidou_teate"));
    assert!(session.overrides().is_empty());
}

#[test]
fn a_stopped_printer_keeps_the_session_waiting_and_retry_prints_again() {
    let mut session = at_the_result();
    review_and_print(&mut session);
    session.handle(Action::PrintProgress {
        state: PrintState::Queued,
        reason: Some("プリンターが停止しています".into()),
    });
    let view = session.view();
    assert_eq!(view.screen, Screen::Printing);
    assert_eq!(
        view.print_state,
        Some((
            PrintState::Queued,
            Some("プリンターが停止しています".into())
        ))
    );
    // The printer does not count as the resident being idle.
    session.handle(tick(3600));
    assert_eq!(session.screen(), Screen::Printing);
    let effects = session.handle(Action::RetryPrint);
    assert!(matches!(effects[..], [Effect::Print { .. }]));
}

#[test]
fn another_printer_is_taken_only_once_the_printer_has_a_problem() {
    let mut session = at_the_result();
    review_and_print(&mut session);
    session.handle(Action::PrintProgress {
        state: PrintState::Printing,
        reason: None,
    });
    assert!(
        session
            .handle(Action::PrintOn("counter-2".into()))
            .is_empty()
    );
    session.handle(Action::PrintProgress {
        state: PrintState::Queued,
        reason: Some("用紙がありません".into()),
    });
    let effects = session.handle(Action::PrintOn("counter-2".into()));
    assert!(
        matches!(&effects[..], [Effect::Print { printer: Some(p), .. }] if p == "counter-2"),
        "{effects:?}"
    );
}

#[test]
fn inactivity_warns_then_clears_the_screen_and_closes_the_case() {
    let mut session = at_the_first_question().with_timeouts(Timeouts {
        idle: Duration::from_secs(120),
        warning: Duration::from_secs(30),
        done: Duration::from_secs(10),
    });
    session.handle(tick(60));
    assert_eq!(session.view().timeout_warning, None);
    session.handle(tick(95));
    assert_eq!(session.view().timeout_warning, Some(25));
    let effects = session.handle(tick(120));
    assert!(matches!(effects[..], [Effect::Finish { printed: false }]));
    let view = session.view();
    assert_eq!(view.screen, Screen::Start);
    assert_eq!(view.members, 0);
    assert!(session.case().is_none());
}

#[test]
fn a_touch_postpones_the_timeout() {
    let mut session = at_the_first_question();
    session.handle(tick(170));
    assert!(session.view().timeout_warning.is_some());
    session.handle(Action::HandToResident);
    assert_eq!(session.view().timeout_warning, None);
    session.handle(tick(200));
    assert_eq!(session.screen(), Screen::PrivateQuestion);
}

#[test]
fn the_done_screen_clears_itself() {
    let mut session = at_the_result();
    session.handle(Action::ResultAccepted);
    // The runtime lays the packet out and finds nothing missing.
    session.handle(Action::FormsChecked(FormCheck::default()));
    session.handle(Action::Reviewed(ReviewEdits::default()));
    session.handle(tick(5));
    session.handle(Action::PrintProgress {
        state: PrintState::Done,
        reason: None,
    });
    session.handle(tick(10));
    assert_eq!(session.screen(), Screen::Done);
    session.handle(tick(30));
    assert_eq!(session.screen(), Screen::Start);
}

fn prefill_case() -> Case {
    crate::samples::family_of_four().expect("sample")
}

#[test]
fn a_resident_with_a_qr_code_goes_from_the_attract_screen_to_the_procedures() {
    let mut session = Session::new(catalogue(), Mode::SelfService, date(2026, 4, 2));
    let effects = session.handle(Action::Begin);
    assert!(matches!(effects[..], [Effect::StartScanner]));
    session.handle(Action::QrRead(Err(Notice::new(
        "読み取れませんでした",
        "could not read the code",
    ))));
    assert_eq!(session.screen(), Screen::ScanQr);
    assert!(session.view().notice.is_some());
    let effects = session.handle(Action::QrRead(Ok(code(prefill_case(), session.today()))));
    assert!(matches!(effects[..], [Effect::StopScanner]));
    assert_eq!(session.screen(), Screen::QrSummary);
    assert_eq!(session.view().members, 4);
    assert_eq!(
        session.case().expect("case").event.visit_date(),
        date(2026, 4, 2),
        "the counter files on the day the resident comes"
    );
    session.handle(Action::QrConfirmed);
    assert_eq!(session.screen(), Screen::Result);
    assert!(!session.view().procedures.is_empty());
    session.handle(Action::Back);
    assert_eq!(session.screen(), Screen::QrSummary);
    assert_eq!(
        session.case().expect("case").answers,
        prefill_case().answers
    );
}

/// A code made at home against another version of the catalogue: its answers the counter
/// cannot take are left out with a notice, and the case is still decided — the kiosk never
/// stops on a code it cannot use whole.
#[test]
fn answers_this_catalogue_cannot_take_are_left_out_and_the_case_goes_on() {
    for mode in [Mode::Clerk, Mode::SelfService] {
        let mut session = Session::new(catalogue(), mode, date(2026, 4, 2));
        session.handle(Action::Begin);
        if mode == Mode::Clerk {
            session.handle(Action::IdentifyWithQr);
        }
        let mut made_at_home = prefill_case();
        made_at_home
            .answers
            .insert("question_of_another_city".into(), Answer::Yes);
        made_at_home
            .answers
            .insert("dog_or_moped".into(), Answer::Choice("maybe".into()));
        session.handle(Action::QrRead(Ok(code(made_at_home, session.today()))));
        assert!(
            matches!(
                session.screen(),
                Screen::Question | Screen::Result | Screen::QrSummary
            ),
            "{mode:?}: {:?}",
            session.screen()
        );
        let notice = session.view().notice.expect("a notice");
        assert!(notice.ja.contains("2件"), "{}", notice.ja);
        let answers = session.case().expect("case").answers;
        assert!(!answers.contains_key("question_of_another_city"));
        assert!(!answers.contains_key("dog_or_moped"));
    }
}

#[test]
fn cancelling_while_scanning_stops_the_scanner() {
    let mut session = Session::new(catalogue(), Mode::SelfService, date(2026, 4, 2));
    session.handle(Action::Begin);
    assert!(session.handle(Action::Cancel).is_empty(), "asks first");
    let effects = session.handle(Action::CancelConfirmed);
    assert!(matches!(effects[..], [Effect::StopScanner]));
    assert_eq!(session.screen(), Screen::Start);
}

/// 最初に戻る asks before a household that took minutes to type is cleared; 「続ける」 keeps
/// everything where it was.
#[test]
fn starting_over_asks_first_and_no_keeps_the_case() {
    let mut session = Session::new(catalogue(), Mode::Clerk, date(2026, 4, 2));
    session.handle(Action::Begin);
    session.handle(Action::IdentifyWithQr);
    session.handle(Action::QrRead(Ok(code(prefill_case(), session.today()))));
    let screen = session.screen();
    let case = session.case();
    assert!(session.handle(Action::Cancel).is_empty());
    assert_eq!(session.view().confirm, Some(Confirm::StartOver));
    session.handle(Action::CancelDismissed);
    assert_eq!(session.view().confirm, None);
    assert_eq!(session.screen(), screen);
    assert_eq!(session.case(), case, "nothing lost to the mis-tap");

    session.handle(Action::Cancel);
    let effects = session.handle(Action::CancelConfirmed);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Finish { printed: false })),
        "{effects:?}"
    );
    assert_eq!(session.screen(), Screen::Start);
    assert_eq!(session.view().confirm, None);
    assert!(session.case().is_none());
    // A yes that comes without the question (a stale tap) does nothing.
    session.handle(Action::Begin);
    session.handle(Action::CancelConfirmed);
    assert_eq!(session.screen(), Screen::Identify);
}

#[test]
fn leaving_the_printing_screen_asks_whether_to_end_without_printing() {
    let mut session = Session::new(catalogue(), Mode::SelfService, date(2026, 4, 2));
    session.handle(Action::Begin);
    session.handle(Action::QrRead(Ok(code(prefill_case(), session.today()))));
    session.handle(Action::QrConfirmed);
    session.handle(Action::ResultAccepted);
    assert_eq!(session.screen(), Screen::Printing);
    session.handle(Action::Cancel);
    assert_eq!(session.view().confirm, Some(Confirm::EndWithoutPrinting));
    // The packet printing meanwhile answers the question.
    session.handle(Action::PrintProgress {
        state: PrintState::Done,
        reason: None,
    });
    assert_eq!(session.screen(), Screen::Done);
    assert_eq!(session.view().confirm, None);
}

#[test]
fn the_step_indicator_follows_each_path() {
    assert_eq!(Screen::Start.step(Mode::Clerk), None);
    assert_eq!(Screen::Pin.step(Mode::Clerk), Some((1, 7)));
    assert_eq!(Screen::Household.step(Mode::Clerk), Some((3, 7)));
    assert_eq!(Screen::PrivateQuestion.step(Mode::Clerk), Some((4, 7)));
    assert_eq!(Screen::Done.step(Mode::Clerk), Some((7, 7)));
    assert_eq!(Screen::ScanQr.step(Mode::SelfService), Some((1, 4)));
    assert_eq!(Screen::Result.step(Mode::SelfService), Some((3, 4)));
}

#[test]
fn a_clerk_reading_a_qr_code_goes_on_with_the_remaining_questions() {
    let mut session = Session::new(catalogue(), Mode::Clerk, date(2026, 4, 2));
    session.handle(Action::Begin);
    session.handle(Action::IdentifyWithQr);
    session.handle(Action::QrRead(Ok(code(prefill_case(), session.today()))));
    assert!(matches!(
        session.screen(),
        Screen::Question | Screen::Result
    ));
    assert_eq!(session.case().expect("case").household.members.len(), 4);
}

#[test]
fn the_applicant_cannot_be_removed_from_the_household() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::MemberRemoved(0));
    assert!(session.view().notice.is_some());
    assert_eq!(session.view().members, 1);
}

#[test]
fn a_member_reads_their_own_card_and_the_clerk_sets_the_relation() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    let effects = session.handle(Action::ReadMemberCard);
    assert!(matches!(effects[..], [Effect::QueryCard]));
    assert!(session.view().reading_member);
    session.handle(Action::CardState(Ok(CardOnReader::my_number(
        PinState::Ready { tries_left: 3 },
    ))));
    for digit in [5, 6, 7, 8] {
        session.handle(Action::PinDigit(digit));
    }
    session.handle(Action::PinSubmit);
    session.handle(Action::CardRead(Ok(CardIdentity::my_number_card(person(
        "窓口 花子",
        date(1992, 6, 1),
        Sex::Female,
    )))));
    assert_eq!(session.screen(), Screen::Household);
    assert!(!session.view().reading_member);
    let case = session.case().expect("case");
    assert_eq!(case.household.members.len(), 2);
    assert_eq!(case.applicant, 0, "the applicant stays the first card");
    assert_eq!(
        case.identified_by,
        Some(madoguchi_domain::IdentityDocument::MyNumberCard),
        "the applicant's card is the 本人確認; a member's card does not change it"
    );
    assert_eq!(case.household.members[1].relation, Zokugara::COHABITANT);
    // Her card says she is a woman: 夫 is refused with a notice, 妻 is taken.
    let effects = session.handle(Action::MemberRelation(1, Zokugara::HUSBAND));
    assert!(effects.is_empty());
    let notice = session.view().notice.expect("a notice");
    assert!(
        notice.ja.contains("「夫」は男性の続柄です"),
        "{}",
        notice.ja
    );
    assert!(!notice.ja.contains("花子"), "no names in notices");
    let effects = session.handle(Action::MemberRelation(1, Zokugara::WIFE));
    assert!(matches!(effects[..], [Effect::Checkpoint { .. }]));
    assert_eq!(
        session.case().expect("case").household.members[1].relation,
        Zokugara::WIFE
    );
}

#[test]
fn backing_out_of_a_members_card_returns_to_the_household() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::ReadMemberCard);
    session.handle(Action::Back);
    assert_eq!(session.screen(), Screen::Household);
    session.handle(Action::ReadMemberCard);
    session.handle(Action::CardState(Ok(CardOnReader::Licence {
        pin: PinState::Blocked,
    })));
    assert_eq!(
        session.screen(),
        Screen::Household,
        "a locked card is skipped"
    );
    assert!(session.view().notice.is_some());
}

/// Through the interview with いいえ (or the first choice) to the result.
/// A typical family's answer: いいえ to yes/no questions, the first option of any other.
/// Whether the result screen lists procedure `id`.
fn lists(session: &Session, id: &str) -> bool {
    session.view().procedures.iter().any(|p| p.id == id)
}

fn typical_answer(question: &NextQuestion) -> Answer {
    match question.kind {
        madoguchi_rules::catalogue::QuestionKind::YesNo => Answer::No,
        _ => Answer::from_text(&question.options[0].id),
    }
}

/// The applicant's wife and daughter join the household; returns the taps it took.
fn add_wife_and_daughter(session: &mut Session) -> usize {
    let family = [
        ("窓口 花子", date(1992, 6, 1), Sex::Female, Zokugara::WIFE),
        ("窓口 陽菜", date(2019, 9, 21), Sex::Female, Zokugara::CHILD),
    ];
    for (name, birth, sex, relation) in family {
        session.handle(Action::MemberAdded(Member {
            person: person(name, birth, sex),
            relation,
        }));
    }
    family.len()
}

fn answer_everything(session: &mut Session) {
    while session.screen() == Screen::Question {
        let question = session.view().question.expect("a question");
        session.handle(Action::Answer(typical_answer(&question)));
    }
}

#[test]
fn the_review_asks_for_a_preview_and_shows_its_warnings() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::HouseholdDone);
    answer_everything(&mut session);
    let effects = session.handle(Action::ResultAccepted);
    assert_eq!(session.screen(), Screen::Review);
    assert!(matches!(effects[..], [Effect::Preview { .. }]));
    session.handle(Action::FormsChecked(FormCheck {
        warnings: vec![Notice::new("〓", "〓")],
        missing: Vec::new(),
    }));
    assert_eq!(session.view().form_warnings.len(), 1);
    let mut case = session.case().expect("case");
    case.household.members[0].person.kana = Some("まどぐち たろう".into());
    let effects = session.handle(Action::CaseEdited(Box::new(case)));
    assert!(matches!(
        effects[..],
        [Effect::Checkpoint { .. }, Effect::Preview { .. }]
    ));
}

fn missing_address() -> FormCheck {
    FormCheck {
        warnings: Vec::new(),
        missing: vec![MissingValue {
            path: "new_address".into(),
            place: "住民異動届 p.2「新しい住所」".into(),
        }],
    }
}

#[test]
fn a_required_value_missing_stops_the_print_until_typed_or_left_to_the_resident() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::HouseholdDone);
    answer_everything(&mut session);
    session.handle(Action::ResultAccepted);
    // 「印刷する」 before the forms are checked waits for the check …
    let effects = session.handle(Action::Reviewed(ReviewEdits::default()));
    assert!(effects.is_empty());
    // … which finds the new address missing: no print, and a notice saying what to do.
    let effects = session.handle(Action::FormsChecked(missing_address()));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(session.screen(), Screen::Review);
    assert_eq!(session.view().missing.len(), 1);
    let notice = session.view().notice.expect("a notice");
    assert!(notice.ja.contains("1件足りません"), "{}", notice.ja);
    // Tapping 「印刷する」 again does not print either.
    let effects = session.handle(Action::Reviewed(ReviewEdits::default()));
    assert!(effects.is_empty());
    // The clerk leaves it to the resident: recorded on the case, the forms checked again.
    let effects = session.handle(Action::ResidentWrites("new_address".into()));
    assert!(matches!(
        effects[..],
        [Effect::Checkpoint { .. }, Effect::Preview { .. }]
    ));
    let case = session.case().expect("case");
    assert!(case.resident_writes.contains("new_address"));
    // A key the check did not name is ignored.
    assert!(
        session
            .handle(Action::ResidentWrites("office.mayor".into()))
            .is_empty()
    );
    session.handle(Action::FormsChecked(FormCheck::default()));
    let effects = session.handle(Action::Reviewed(ReviewEdits::default()));
    assert!(matches!(effects[..], [Effect::Print { .. }]), "{effects:?}");
}

#[test]
fn typing_the_missing_value_then_printing_prints_once_the_check_comes_back_complete() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::HouseholdDone);
    answer_everything(&mut session);
    session.handle(Action::ResultAccepted);
    session.handle(Action::FormsChecked(missing_address()));
    let mut edits = ReviewEdits::default();
    edits.set(ReviewField::Address, "標準市中央一丁目2番3号");
    let effects = session.handle(Action::Reviewed(edits));
    assert!(
        effects.iter().all(|e| !matches!(e, Effect::Print { .. })),
        "the print waits for the new check"
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::Preview { .. })));
    let effects = session.handle(Action::FormsChecked(FormCheck::default()));
    assert!(matches!(effects[..], [Effect::Print { .. }]), "{effects:?}");
}

#[test]
fn a_resident_alone_prints_straight_from_the_list() {
    let mut session = Session::new(catalogue(), Mode::SelfService, date(2026, 4, 2));
    session.handle(Action::Begin);
    session.handle(Action::QrRead(Ok(code(prefill_case(), session.today()))));
    session.handle(Action::QrConfirmed);
    let effects = session.handle(Action::ResultAccepted);
    assert_eq!(
        session.screen(),
        Screen::Printing,
        "no review for a resident"
    );
    assert!(matches!(effects[..], [Effect::Print { .. }]));
}

#[test]
fn an_unfinished_case_resumes_where_it_stood() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::HouseholdDone);
    session.handle(Action::Answer(Answer::No));
    let stored = session.case().expect("case");
    let unfinished = || {
        Some(Unfinished {
            id: 7,
            step: "interview".into(),
            updated_at: "2026-11-20T10:00:00+09:00".into(),
            case: stored.clone(),
        })
    };
    let mut resumed = clerk().with_unfinished(unfinished());
    assert_eq!(
        resumed.view().unfinished.map(|offer| offer.step),
        Some("interview".to_string()),
        "offered on the start screen"
    );
    resumed.handle(Action::Begin);
    assert!(resumed.view().unfinished.is_none(), "not during a case");
    assert!(resumed.handle(Action::ResumeUnfinished).is_empty());
    resumed.handle(Action::Back);
    let effects = resumed.handle(Action::ResumeUnfinished);
    assert!(
        matches!(effects[..], [Effect::Adopt(7), Effect::Checkpoint { .. }]),
        "{effects:?}"
    );
    assert!(matches!(
        resumed.screen(),
        Screen::Question | Screen::Result
    ));
    assert_eq!(resumed.case().expect("case"), stored);

    let mut discarded = clerk().with_unfinished(unfinished());
    let effects = discarded.handle(Action::DiscardUnfinished);
    assert!(matches!(
        effects[..],
        [Effect::Adopt(7), Effect::Finish { printed: false }]
    ));
    assert!(discarded.view().unfinished.is_none());
    let resident = Session::new(catalogue(), Mode::SelfService, date(2026, 11, 20))
        .with_unfinished(unfinished());
    assert!(
        resident.view().unfinished.is_none(),
        "a resident never sees someone else's case"
    );
}

#[test]
fn an_empty_previous_address_is_the_one_on_the_card() {
    let mut session = clerk();
    through_the_card(&mut session);
    let card_address = session.applicant().and_then(|p| p.address.clone());
    assert!(card_address.is_some());
    session.handle(Action::EventChosen(tennyu()));
    let event = session.case().expect("case").event;
    assert_eq!(event.kind, EventKind::TENNYU);
    assert_eq!(event.previous_address, card_address);
}

#[test]
fn the_pin_pad_clears_at_once() {
    let mut session = clerk();
    session.handle(Action::Begin);
    session.handle(Action::IdentifyWithCard);
    session.handle(Action::CardState(Ok(CardOnReader::my_number(
        PinState::Ready { tries_left: 3 },
    ))));
    for digit in [1, 2, 3] {
        session.handle(Action::PinDigit(digit));
    }
    assert_eq!(session.view().pin_entered, 3);
    session.handle(Action::PinClear);
    assert_eq!(session.view().pin_entered, 0);
}

/// A correction that does not read leaves the case as it was, says which field, and does not
/// print; corrected, the packet prints with it.
#[test]
fn review_corrections_are_read_before_the_packet_prints() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::HouseholdDone);
    answer_everything(&mut session);
    session.handle(Action::ResultAccepted);
    // The runtime lays the packet out and finds nothing missing.
    session.handle(Action::FormsChecked(FormCheck::default()));
    let before = session.case().expect("case");
    let mut edits = ReviewEdits::default();
    edits.set(ReviewField::PostalCode, "123-456");
    edits.set(ReviewField::MoveDate, "令和8年11月16日");
    let effects = session.handle(Action::Reviewed(edits.clone()));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(session.screen(), Screen::Review);
    assert!(
        session
            .view()
            .notice
            .is_some_and(|n| n.ja.starts_with("郵便番号：")),
        "the field is named"
    );
    assert_eq!(session.case().expect("case"), before, "nothing changed");
    edits.set(ReviewField::PostalCode, "１２３－４５６７");
    edits.set(ReviewField::Phone, "046-822 内線");
    session.handle(Action::Reviewed(edits.clone()));
    assert!(
        session
            .view()
            .notice
            .is_some_and(|n| n.ja.starts_with("電話番号：")),
        "a phone number that is not one is named"
    );
    edits.set(ReviewField::Phone, "０４６－８２２－４０００");
    session.handle(Action::Reviewed(edits));
    // Corrected, the forms are checked again; the packet prints when the check is back.
    let effects = session.handle(Action::FormsChecked(FormCheck::default()));
    assert_eq!(session.screen(), Screen::Printing);
    assert!(effects.iter().any(|e| matches!(e, Effect::Print { .. })));
    let case = session.case().expect("case");
    assert_eq!(case.event.date, date(2026, 11, 16));
    assert_eq!(case.phone.as_deref(), Some("046-822-4000"));
}

#[test]
fn still_here_keeps_the_session_open() {
    let mut session = clerk().with_timeouts(Timeouts {
        idle: Duration::from_secs(60),
        warning: Duration::from_secs(20),
        done: Duration::from_secs(10),
    });
    session.handle(Action::Begin);
    session.handle(tick(45));
    assert!(session.view().timeout_warning.is_some());
    session.handle(Action::StillHere);
    assert_eq!(session.view().timeout_warning, None);
    session.handle(tick(100));
    assert_eq!(session.screen(), Screen::Identify);
}

#[test]
fn a_households_qr_code_joins_a_case_identified_by_card() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    let effects = session.handle(Action::ReadHouseholdQr);
    assert!(matches!(effects[..], [Effect::StartScanner]));
    assert_eq!(session.screen(), Screen::ScanQr);
    let qr = prefill_case();
    let effects = session.handle(Action::QrRead(Ok(code(qr.clone(), session.today()))));
    assert!(matches!(
        effects[..],
        [Effect::StopScanner, Effect::Checkpoint { .. }]
    ));
    assert_eq!(session.screen(), Screen::Household);
    // The code gives the applicant another birth date: it waits for the clerk, and nothing
    // goes on before the clerk says whose it is.
    assert!(session.view().identity_in_question);
    assert_eq!(session.case().expect("case").household.members.len(), 1);
    assert!(session.handle(Action::HouseholdDone).is_empty());
    assert_eq!(session.screen(), Screen::Household);
    assert!(session.view().notice.is_some());
    // The same person (an old code, a typo): its household and answers join.
    let effects = session.handle(Action::QrSamePerson);
    assert!(matches!(effects[..], [Effect::Checkpoint { .. }]));
    assert!(!session.view().identity_in_question);
    let case = session.case().expect("case");
    // The card's applicant stays; the code's three others join; its answers come along.
    assert_eq!(case.household.members.len(), 4);
    assert_eq!(case.household.members[0].person.name, "窓口 太郎");
    assert_eq!(case.answers, qr.answers);
    assert_eq!(case.event.kind, EventKind::TENNYU);
    // The code gives the applicant another birth date and address: the review says so, and
    // the name, the same, is not flagged.
    let differences = session.view().differences;
    let fields: Vec<&str> = differences.iter().map(|d| d.field.ja.as_str()).collect();
    assert_eq!(fields, ["生年月日", "住所"], "{differences:?}");
    // Reading the same code again adds no one twice.
    session.handle(Action::ReadHouseholdQr);
    session.handle(Action::QrRead(Ok(code(qr, session.today()))));
    session.handle(Action::QrSamePerson);
    assert_eq!(session.case().expect("case").household.members.len(), 4);
    // Back from the scanner returns to the household.
    session.handle(Action::ReadHouseholdQr);
    let effects = session.handle(Action::Back);
    assert!(matches!(effects[..], [Effect::StopScanner]));
    assert_eq!(session.screen(), Screen::Household);
}

#[test]
fn the_result_tells_what_an_age_brings_soon_after_the_move() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    // Moving on 15 November 2026, 75 on 1 December: 後期高齢者医療 from that day.
    session.handle(Action::MemberAdded(Member {
        person: person("窓口 トメ", date(1951, 12, 1), Sex::Female),
        relation: Zokugara::from_word("妻の母").expect("a 続柄"),
    }));
    session.handle(Action::HouseholdDone);
    answer_everything(&mut session);
    assert_eq!(session.screen(), Screen::Result);
    let coming = session.view().coming;
    let kouki = coming
        .iter()
        .find(|c| c.id == "kouki_75")
        .expect("the 後期高齢者医療 notice");
    assert_eq!(kouki.date, date(2026, 12, 1));
    assert_eq!(kouki.member, 1, "named by position, never by name");
}

#[test]
fn another_persons_qr_code_is_dropped_whole_when_the_clerk_says_so() {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    session.handle(Action::ReadHouseholdQr);
    let mut someone_else = prefill_case();
    someone_else.household.members[0].person.name = "山田 太郎".into();
    session.handle(Action::QrRead(Ok(code(someone_else, session.today()))));
    let view = session.view();
    assert!(view.identity_in_question);
    let fields: Vec<&str> = view
        .differences
        .iter()
        .map(|d| d.field.ja.as_str())
        .collect();
    assert!(fields.contains(&"氏名"), "{fields:?}");
    session.handle(Action::QrOtherPerson);
    let case = session.case().expect("case");
    assert_eq!(case.household.members.len(), 1, "no one from the code");
    assert!(case.answers.is_empty(), "none of its answers");
    assert!(session.view().differences.is_empty());
    let effects = session.handle(Action::HouseholdDone);
    assert!(!effects.is_empty(), "the case goes on");
}

#[test]
fn a_new_catalogue_is_taken_only_between_cases() {
    let mut session = clerk();
    let version = |v: &str| {
        let mut published = (*catalogue()).clone();
        published.info.version = v.into();
        Arc::new(published)
    };
    session.handle(Action::CatalogueArrived(version("2099.1.0")));
    assert_ne!(
        session.catalogue().info.version,
        "2099.1.0",
        "waits for the case to begin"
    );
    session.handle(Action::Begin);
    session.handle(Action::CatalogueArrived(version("2099.2.0")));
    session.handle(Action::IdentifyWithQr);
    session.handle(Action::QrRead(Ok(code(prefill_case(), session.today()))));
    let decided = session.decision().expect("decided");
    assert_eq!(
        decided.catalogue.version, "2099.1.0",
        "the case is decided with the catalogue taken when it began"
    );
    session.handle(Action::Cancel);
    session.handle(Action::CancelConfirmed);
    session.handle(Action::Begin);
    assert_eq!(
        session.catalogue().info.version,
        "2099.2.0",
        "the next case takes the one that arrived meanwhile"
    );
}

/// A kiosk left on overnight: the case open at midnight keeps its day; the next one is visited
/// and decided on the new day, and a code that expired at midnight is refused.
#[test]
fn a_session_crosses_midnight_and_the_next_case_uses_the_new_date() {
    let evening = date(2026, 11, 20);
    let morning = date(2026, 11, 21);
    let at = |seconds: u64, today: NaiveDate| Action::Tick {
        elapsed: Duration::from_secs(seconds),
        today,
    };
    let mut session = Session::new(catalogue(), Mode::SelfService, evening);
    let last_day = Prefill {
        issued: date(2026, 11, 1),
        expires: evening,
        case: prefill_case(),
    };
    session.handle(at(1, evening));
    session.handle(Action::Begin);
    session.handle(Action::QrRead(Ok(last_day.clone())));
    assert_eq!(session.screen(), Screen::QrSummary, "valid until tonight");
    session.handle(at(2, morning));
    assert_eq!(session.today(), evening, "the case on screen keeps its day");
    assert_eq!(session.case().expect("case").event.visit_date(), evening);
    session.handle(Action::Cancel);
    session.handle(Action::CancelConfirmed);

    session.handle(at(3, morning));
    assert_eq!(session.today(), morning);
    session.handle(Action::Begin);
    session.handle(Action::QrRead(Ok(last_day)));
    assert_eq!(session.screen(), Screen::ScanQr, "expired at midnight");
    let notice = session.view().notice.expect("a notice");
    assert!(notice.en.contains("expired"), "{}", notice.en);
    session.handle(Action::QrRead(Ok(code(prefill_case(), morning))));
    assert_eq!(session.screen(), Screen::QrSummary);
    assert_eq!(
        session.case().expect("case").event.visit_date(),
        morning,
        "the next case is visited on the new day"
    );
    session.handle(Action::QrConfirmed);
    let decided = session.decision().expect("decided");
    assert_eq!(
        decided.as_of, morning,
        "and decided with the rules of the new day"
    );
}

/// The family of three at the first question about members (「印鑑登録をする方」), answering
/// every question before it as a typical family does.
fn at_the_seal_question() -> Session {
    let mut session = clerk();
    through_the_card(&mut session);
    session.handle(Action::EventChosen(tennyu()));
    add_wife_and_daughter(&mut session);
    session.handle(Action::HouseholdDone);
    for _ in 0..40 {
        let question = session.view().question.expect("a question");
        if question.id == "seal" {
            return session;
        }
        session.handle(Action::Answer(typical_answer(&question)));
    }
    panic!("the seal question is never asked");
}

#[test]
fn a_question_about_members_is_answered_by_ticking_them() {
    let mut session = at_the_seal_question();
    let view = session.view();
    // Only the two adults can register a seal; the child is not offered.
    let offered: Vec<&str> = view
        .question_members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(offered, ["窓口 太郎", "窓口 花子"]);
    assert!(view.question_members.iter().all(|m| !m.ticked));
    // Nothing ticked: 「決定」 does nothing.
    session.handle(Action::MembersChosen);
    assert_eq!(session.view().question.expect("still asked").id, "seal");
    session.handle(Action::MemberToggled(1));
    session.handle(Action::MemberToggled(0));
    session.handle(Action::MemberToggled(0));
    let ticked: Vec<bool> = session
        .view()
        .question_members
        .iter()
        .map(|m| m.ticked)
        .collect();
    assert_eq!(ticked, [false, true]);
    session.handle(Action::MembersChosen);
    let case = session.case().expect("a case");
    assert_eq!(case.answers.get("seal"), Some(&Answer::Members(vec![1])));
    // Back undoes the answer and clears the ticks.
    session.handle(Action::Back);
    assert_eq!(session.view().question.expect("asked again").id, "seal");
    assert!(session.view().question_members.iter().all(|m| !m.ticked));
    // 「該当する方はいない」 names nobody.
    session.handle(Action::Answer(Answer::No));
    let case = session.case().expect("a case");
    assert_eq!(case.answers.get("seal"), Some(&Answer::Members(Vec::new())));
}

/// A 代理人 typed on the review screen files for the household: the decision asks for the
/// 委任状 and the 代理人's own ID, and clearing the name makes the household file again.
#[test]
fn a_proxy_typed_on_review_brings_the_letter_of_attorney() {
    let mut session = at_the_result();
    session.handle(Action::ResultAccepted);
    assert_eq!(session.screen(), Screen::Review);
    let brings_letter = |session: &Session| {
        session.decision().is_some_and(|d| {
            d.procedures
                .iter()
                .any(|p| p.bring.iter().any(|item| item.id == "ininjo"))
        })
    };
    assert!(!brings_letter(&session));
    let mut edits = ReviewEdits::default();
    edits.set(ReviewField::ProxyKana, "だいり はなこ");
    session.handle(Action::ReviewEdited(edits));
    let notice = session.view().notice;
    assert!(
        notice
            .as_ref()
            .is_some_and(|n| n.ja.contains("代理人の氏名")),
        "a 代理人 without a name is refused: {notice:?}"
    );
    let mut edits = ReviewEdits::default();
    edits.set(ReviewField::ProxyName, "代理 花子");
    edits.set(ReviewField::ProxyKana, "だいり はなこ");
    edits.set(ReviewField::ProxyPhone, "０９０－１２３４－５６７８");
    session.handle(Action::ReviewEdited(edits));
    let case = session.case().expect("a case");
    let proxy = case.proxy.as_deref().expect("a 代理人");
    assert_eq!(proxy.name, "代理 花子");
    assert_eq!(proxy.phone.as_deref(), Some("090-1234-5678"));
    assert!(brings_letter(&session), "the 委任状 is on the list");
    let mut edits = ReviewEdits::default();
    edits.set(ReviewField::ProxyName, "");
    session.handle(Action::ReviewEdited(edits));
    assert_eq!(session.case().expect("a case").proxy, None);
    assert!(!brings_letter(&session));
}

/// A card put on the reader is remembered to the end: the done screen says to take it, and so
/// does the start screen for a minute after a case that was closed without printing.
#[test]
fn the_end_of_a_case_with_a_card_reminds_to_take_it() {
    let mut session = Session::new(catalogue(), Mode::Clerk, date(2026, 4, 2));
    session.handle(Action::Begin);
    session.handle(Action::IdentifyWithCard);
    assert!(!session.view().take_card);
    session.handle(Action::CardState(Ok(CardOnReader::my_number(
        PinState::Ready { tries_left: 3 },
    ))));
    assert!(!session.view().take_card, "not while the case goes on");
    session.handle(Action::Cancel);
    session.handle(Action::CancelConfirmed);
    assert_eq!(session.screen(), Screen::Start);
    assert!(session.view().take_card);
    session.handle(Action::Tick {
        elapsed: Duration::from_secs(61),
        today: date(2026, 4, 2),
    });
    assert!(
        !session.view().take_card,
        "a minute later the reminder is gone"
    );

    // Printed: the done screen says it, while the case itself is already cleared.
    let mut printed = Session::new(catalogue(), Mode::Clerk, date(2026, 4, 2));
    printed.handle(Action::Begin);
    printed.handle(Action::IdentifyWithCard);
    printed.handle(Action::CardState(Ok(CardOnReader::my_number(
        PinState::Ready { tries_left: 3 },
    ))));
    for digit in [1, 2, 3, 4] {
        printed.handle(Action::PinDigit(digit));
    }
    printed.handle(Action::PinSubmit);
    printed.handle(Action::CardRead(Ok(CardIdentity::my_number_card(person(
        "窓口　太郎",
        date(1990, 4, 1),
        Sex::Male,
    )))));
    printed.handle(Action::EventChosen(tennyu()));
    printed.handle(Action::HouseholdDone);
    for _ in 0..40 {
        let Some(question) = printed.view().question else {
            break;
        };
        let answer = match question.options.len() {
            n if n > 3 => Answer::from_text(&question.options[0].id),
            _ => Answer::Unknown,
        };
        printed.handle(Action::Answer(answer));
    }
    printed.handle(Action::ResultAccepted);
    printed.handle(Action::Reviewed(ReviewEdits::default()));
    printed.handle(Action::FormsChecked(FormCheck::default()));
    assert_eq!(printed.screen(), Screen::Printing);
    assert!(printed.view().take_card);
    printed.handle(Action::PrintProgress {
        state: PrintState::Done,
        reason: None,
    });
    assert_eq!(printed.screen(), Screen::Done);
    assert!(printed.case().is_none());
    assert!(printed.view().take_card);

    let mut typed = Session::new(catalogue(), Mode::Clerk, date(2026, 4, 2));
    typed.handle(Action::Begin);
    typed.handle(Action::Cancel);
    typed.handle(Action::CancelConfirmed);
    assert!(!typed.view().take_card, "no card, no reminder");
}

/// The guidance sheet follows the session: the clerk's Japanese, やさしい日本語 for a resident
/// alone, the screen's language whenever a resident or clerk chose another.
#[test]
fn the_guidance_sheet_is_in_the_language_the_session_ran_in() {
    use madoguchi_forms::SheetLanguage;
    let mut clerk = Session::new(catalogue(), Mode::Clerk, date(2026, 4, 2));
    assert_eq!(clerk.sheet_language(), SheetLanguage::Japanese);
    clerk.set_language(SheetLanguage::English);
    assert_eq!(clerk.sheet_language(), SheetLanguage::English);
    clerk.set_language(SheetLanguage::Nepali);
    assert_eq!(clerk.sheet_language(), SheetLanguage::Nepali);
    let mut resident = Session::new(catalogue(), Mode::SelfService, date(2026, 4, 2));
    assert_eq!(resident.sheet_language(), SheetLanguage::Easy);
    resident.set_language(SheetLanguage::English);
    assert_eq!(resident.sheet_language(), SheetLanguage::English);
    resident.set_language(SheetLanguage::Vietnamese);
    assert_eq!(resident.sheet_language(), SheetLanguage::Vietnamese);
    resident.set_language(SheetLanguage::Japanese);
    assert_eq!(resident.sheet_language(), SheetLanguage::Easy);
}

/// A death: the household is typed with the person who died in it, and the case is decided
/// only once the clerk marks who that is; removing members keeps the mark on the same person.
#[test]
fn a_death_is_decided_once_the_person_who_died_is_marked() {
    let mut session = clerk();
    through_the_card(&mut session);
    let shibou = madoguchi_domain::EventKind::new("shibou").expect("an id");
    let death = LifeEvent::new(shibou, date(2026, 11, 12), date(2026, 11, 20));
    session.handle(Action::EventChosen(death));
    assert_eq!(session.screen(), Screen::Household);
    for (name, birth, relation) in [
        ("窓口 一郎", date(1948, 2, 2), Zokugara::FATHER),
        ("窓口 二郎", date(1993, 3, 3), Zokugara::CHILD),
    ] {
        session.handle(Action::MemberAdded(Member {
            person: person(name, birth, Sex::Male),
            relation,
        }));
    }
    session.handle(Action::HouseholdDone);
    assert_eq!(session.screen(), Screen::Household, "nobody is marked yet");
    let notice = session.view().notice.expect("a notice");
    assert!(
        notice.ja.contains("お亡くなりになった方を選んでください"),
        "{}",
        notice.ja
    );

    session.handle(Action::MemberSubject(2));
    session.handle(Action::MemberRemoved(1));
    let case = session.case().expect("a case");
    assert_eq!(case.event.subject, Some(1), "the mark follows the member");
    assert_eq!(case.household.members[1].person.name, "窓口 二郎");
    session.handle(Action::MemberSubject(1));
    assert_eq!(
        session.case().expect("a case").event.subject,
        None,
        "unmarked"
    );
    session.handle(Action::MemberAdded(Member {
        person: person("窓口 一郎", date(1948, 2, 2), Sex::Male),
        relation: Zokugara::FATHER,
    }));
    session.handle(Action::MemberSubject(2));
    session.handle(Action::HouseholdDone);
    assert_eq!(session.screen(), Screen::Question);
    let next = session.view().question.expect("a question");
    assert_eq!(
        next.id, "death_reported",
        "the family is asked first of the 死亡届"
    );
}

/// The card read was the deceased's own: marking its holder as the person who died makes the
/// first other member the 申請者, and the clerk is told; with nobody else in the list the
/// household cannot be finished, since the person who died cannot file.
#[test]
fn the_deceaseds_own_card_hands_the_filing_to_the_family() {
    let mut session = clerk();
    through_the_card(&mut session);
    let shibou = madoguchi_domain::EventKind::new("shibou").expect("an id");
    let death = LifeEvent::new(shibou, date(2026, 11, 12), date(2026, 11, 20));
    session.handle(Action::EventChosen(death));
    session.handle(Action::MemberSubject(0));
    session.handle(Action::HouseholdDone);
    assert_eq!(session.screen(), Screen::Household);
    let notice = session.view().notice.expect("a notice");
    assert!(notice.ja.contains("届出をする方"), "{}", notice.ja);

    session.handle(Action::MemberAdded(Member {
        person: person("窓口 花子", date(1992, 5, 5), Sex::Female),
        relation: Zokugara::WIFE,
    }));
    session.handle(Action::MemberSubject(0));
    session.handle(Action::MemberSubject(0));
    let case = session.case().expect("a case");
    assert_eq!(case.event.subject, Some(0));
    assert_eq!(case.applicant, 1, "the widow files");
    let notice = session.view().notice.expect("a notice");
    assert!(notice.ja.contains("窓口 花子"), "{}", notice.ja);
    session.handle(Action::HouseholdDone);
    assert_eq!(session.screen(), Screen::Question);
}

/// After a death, a son from another household files: typed on the review screen with his
/// 続柄, he files as 親族 and the list asks no 委任状 of him (his father cannot sign one), but
/// still his own ID.
#[test]
fn family_from_another_household_file_after_a_death_without_a_letter() {
    let mut session = clerk();
    through_the_card(&mut session);
    let shibou = madoguchi_domain::EventKind::new("shibou").expect("an id");
    let death = LifeEvent::new(shibou, date(2026, 11, 12), date(2026, 11, 20));
    session.handle(Action::EventChosen(death));
    session.handle(Action::MemberAdded(Member {
        person: person("窓口 花子", date(1952, 5, 5), Sex::Female),
        relation: Zokugara::WIFE,
    }));
    session.handle(Action::MemberSubject(0));
    session.handle(Action::HouseholdDone);
    while session.screen() == Screen::Question {
        session.handle(Action::Answer(Answer::Unknown));
    }
    session.handle(Action::ResultAccepted);
    assert_eq!(session.screen(), Screen::Review);
    // Every answer was 「わからない」: what may apply counts too.
    let brings = |session: &Session, id: &str| {
        session.decision().is_some_and(|d| {
            d.procedures
                .iter()
                .chain(&d.to_confirm)
                .any(|p| p.bring.iter().any(|item| item.id == id))
        })
    };
    let mut edits = ReviewEdits::default();
    edits.set(ReviewField::ProxyName, "窓口 一郎");
    edits.set(
        ReviewField::ProxyRelation,
        "子の子の子の子の子の子の子の子の子",
    );
    session.handle(Action::ReviewEdited(edits));
    let notice = session.view().notice.expect("a notice");
    assert!(notice.ja.contains("続柄は16文字まで"), "{}", notice.ja);

    let mut edits = ReviewEdits::default();
    edits.set(ReviewField::ProxyName, "窓口 一郎");
    edits.set(ReviewField::ProxyRelation, " 子 ");
    session.handle(Action::ReviewEdited(edits));
    let case = session.case().expect("a case");
    assert_eq!(
        case.proxy.as_deref().and_then(|p| p.relation.as_deref()),
        Some("子")
    );
    assert_eq!(case.filer_role(0), madoguchi_domain::FilerRole::Relative);
    assert!(!brings(&session, "ininjo"), "no 委任状 after a death");
    assert!(brings(&session, "dairinin_kakunin"), "his own ID");
}

#[test]
fn a_person_typed_by_the_clerk_was_not_identified_by_a_card() {
    let mut session = clerk();
    session.handle(Action::Begin);
    session.handle(Action::IdentifyByTyping);
    assert_eq!(session.screen(), Screen::TypeApplicant);
    session.handle(Action::ApplicantTyped(person(
        "手入 力子",
        date(1985, 1, 2),
        Sex::Female,
    )));
    session.handle(Action::EventChosen(tennyu()));
    assert_eq!(
        session.case().expect("case").identified_by,
        None,
        "the clerk ticks the 本人確認 box by hand"
    );
}

#[path = "card_tests.rs"]
mod card;
