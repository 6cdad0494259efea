//! The card reader against the real thing: a private pcscd with vsmartcard's virtual reader,
//! and the card emulator plugged into it over TCP. Needs root and the `pcscd` and
//! `vsmartcard-vpcd` packages (scripts/test installs them).
//!
//! pcscd runs once per machine, so these tests take a lock and run one at a time; each starts
//! its own pcscd and stops it by PID when done.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use madoguchi_card::emulator::{
    CardBehaviour, CardPersona, EmulatorThread, Persona, VirtualCard, WireBehaviour,
};
use madoguchi_card::testbed::TestPcscd;
use madoguchi_card::{CardError, CardService, Pin, PinState, ReaderEvent, ReaderWatcher};

static ONE_PCSCD_AT_A_TIME: Mutex<()> = Mutex::new(());

fn exclusive() -> MutexGuard<'static, ()> {
    ONE_PCSCD_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

fn pcscd() -> TestPcscd {
    TestPcscd::start().unwrap_or_else(|e| panic!("starting pcscd: {e}"))
}

fn persona(file: &str) -> Persona {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/personas")
        .join(file);
    Persona::load(&path).expect("persona loads")
}

fn pin(text: &str) -> Pin {
    Pin::parse(text).expect("valid PIN")
}

struct Insert<'a> {
    persona: &'a str,
    behaviour: CardBehaviour,
    slot: u16,
    pull_at: Option<u32>,
    delay: Duration,
}

impl<'a> Insert<'a> {
    fn persona(persona: &'a str) -> Self {
        Insert {
            persona,
            behaviour: CardBehaviour::default(),
            slot: 0,
            pull_at: None,
            delay: Duration::ZERO,
        }
    }

    /// Plugs the emulator in and waits until pcscd sees the card.
    fn into(self, pcscd: &TestPcscd, service: &CardService) -> EmulatorThread {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/personas")
            .join(self.persona);
        let persona = CardPersona::load(&path).expect("persona loads");
        let card = VirtualCard::from_persona(&persona, self.behaviour);
        let mut wire = WireBehaviour::new(pcscd.slot_address(self.slot));
        wire.pull_at = self.pull_at;
        wire.delay = self.delay;
        let emulator = EmulatorThread::spawn(card, wire);
        wait_for_card(service, &pcscd.reader_name(self.slot), true);
        emulator
    }
}

fn wait_for_card(service: &CardService, reader: &str, present: bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        let seen = service.reader_statuses().is_ok_and(|statuses| {
            statuses
                .iter()
                .any(|s| s.name == reader && s.card_present == present)
        });
        if seen {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("card in {reader} did not become present={present}");
}

#[test]
fn reads_the_four_facts_through_pcscd_and_resets_the_card() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let emulator = Insert::persona("rare-kanji.toml").into(&pcscd, &service);
    assert_eq!(service.reader_with_card(), Ok(reader.clone()));
    assert_eq!(
        service.pin_state(&reader),
        Ok(PinState::Ready { tries_left: 3 })
    );
    let (read, timing) = service.read_timed(&reader, &pin("5678"), false);
    let read = read.expect("reads");
    let expected = persona("rare-kanji.toml").basic_facts();
    assert_eq!(read.facts.name.as_bytes(), expected.name.as_bytes());
    assert_eq!(read.facts, expected);
    assert!(read.my_number.is_none());
    assert_eq!(timing.apdus, 5);
    // The read ended with a reset: the PIN is no longer verified.
    assert_eq!(
        service.pin_state(&reader),
        Ok(PinState::Ready { tries_left: 3 })
    );
    let read = service
        .read(&reader, &pin("5678"), true)
        .expect("reads again");
    assert_eq!(read.my_number.expect("asked").expose(), "314159265352");
    assert_eq!(emulator.card().verify_commands(), 2);
}

#[test]
fn a_long_address_is_read_in_two_chunks() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let _emulator = Insert::persona("long-address.toml").into(&pcscd, &service);
    let (read, timing) = service.read_timed(&pcscd.reader_name(0), &pin("1357"), false);
    assert_eq!(
        read.expect("reads").facts,
        persona("long-address.toml").basic_facts()
    );
    assert_eq!(timing.apdus, 6);
}

#[test]
fn a_wrong_pin_costs_exactly_one_try() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let emulator = Insert::persona("demo.toml").into(&pcscd, &service);
    let result = service.read(&reader, &pin("4321"), false);
    assert_eq!(result.err(), Some(CardError::WrongPin { tries_left: 2 }));
    // The emulator's own counter: one VERIFY arrived, one try went.
    assert_eq!(emulator.card().verify_commands(), 1);
    assert_eq!(emulator.card().tries_left(), 2);
    assert_eq!(
        service.pin_state(&reader),
        Ok(PinState::Ready { tries_left: 2 })
    );
    let message = CardError::WrongPin { tries_left: 2 };
    assert!(message.message_ja().contains("あと2回"));
    assert!(message.message_en().contains("2 more wrong tries"));
}

#[test]
fn a_blocked_card_sends_the_resident_to_the_counter() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let mut insert = Insert::persona("demo.toml");
    insert.behaviour.blocked = true;
    let _emulator = insert.into(&pcscd, &service);
    assert_eq!(service.pin_state(&reader), Ok(PinState::Blocked));
    let error = service
        .read(&reader, &pin("1234"), false)
        .expect_err("blocked");
    assert_eq!(error, CardError::PinBlocked);
    assert!(error.message_ja().contains("市民課"));
}

#[test]
fn another_card_is_not_taken_for_a_my_number_card() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let mut insert = Insert::persona("demo.toml");
    insert.behaviour.not_my_number = true;
    let emulator = insert.into(&pcscd, &service);
    assert_eq!(service.pin_state(&reader), Err(CardError::NotMyNumberCard));
    assert_eq!(
        service.read(&reader, &pin("1234"), false).err(),
        Some(CardError::NotMyNumberCard)
    );
    assert_eq!(emulator.card().verify_commands(), 0);
}

#[test]
fn a_card_pulled_at_any_command_is_reported_as_removed() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    // The tries query is three commands; the read with the 個人番号 is seven.
    for pull_at in 1..=3 {
        let mut insert = Insert::persona("demo.toml");
        insert.pull_at = Some(pull_at);
        let emulator = insert.into(&pcscd, &service);
        assert_eq!(
            service.pin_state(&reader),
            Err(CardError::CardRemoved),
            "query, APDU {pull_at}"
        );
        assert!(emulator.ends_within(Duration::from_secs(5)));
        wait_for_card(&service, &reader, false);
    }
    for pull_at in 1..=7 {
        let mut insert = Insert::persona("demo.toml");
        insert.pull_at = Some(pull_at);
        let emulator = insert.into(&pcscd, &service);
        let started = Instant::now();
        let result = service.read(&reader, &pin("1234"), true);
        assert_eq!(
            result.err(),
            Some(CardError::CardRemoved),
            "read, APDU {pull_at}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no hang at APDU {pull_at}"
        );
        // Pulled before the card answered: a pull during VERIFY costs no try.
        assert_eq!(emulator.card().tries_left(), 3);
        wait_for_card(&service, &reader, false);
    }
}

#[test]
fn a_pcscd_restart_between_two_reads_is_survived() {
    let _one = exclusive();
    let mut pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let _emulator = Insert::persona("demo.toml").into(&pcscd, &service);
    service
        .read(&reader, &pin("1234"), false)
        .expect("first read");
    pcscd.restart().expect("pcscd restarts");
    // The emulator reconnects on its own, as a card stays in its reader.
    wait_for_card(&service, &reader, true);
    let read = service
        .read(&reader, &pin("1234"), false)
        .expect("second read");
    assert_eq!(read.facts.name, "山田　太郎");
}

#[test]
fn without_pcscd_the_service_is_reported_unavailable() {
    let _one = exclusive();
    let mut pcscd = pcscd();
    let service = CardService::new();
    assert_eq!(service.readers().map(|r| r.len()), Ok(2));
    pcscd.stop();
    assert_eq!(service.readers(), Err(CardError::ServiceUnavailable));
    assert_eq!(
        service.read("Virtual PCD 00 00", &pin("1234"), false).err(),
        Some(CardError::ServiceUnavailable)
    );
}

#[test]
fn two_readers_are_read_at_the_same_time() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = Arc::new(CardService::new());
    let _first = Insert::persona("demo.toml").into(&pcscd, &service);
    let mut second = Insert::persona("foreign-resident.toml");
    second.slot = 1;
    let _second = second.into(&pcscd, &service);
    let readers: Vec<(String, &str, &str)> = vec![
        (pcscd.reader_name(0), "1234", "demo.toml"),
        (pcscd.reader_name(1), "0000", "foreign-resident.toml"),
    ];
    let threads: Vec<_> = readers
        .into_iter()
        .map(|(reader, code, file)| {
            let service = Arc::clone(&service);
            std::thread::spawn(move || {
                let read = service.read(&reader, &pin(code), false).expect("reads");
                assert_eq!(read.facts, persona(file).basic_facts(), "{reader}");
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("reader thread");
    }
}

#[test]
fn an_empty_reader_and_an_unknown_reader_are_told_apart() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    assert_eq!(
        service.read(&reader, &pin("1234"), false).err(),
        Some(CardError::NoCard {
            reader: reader.clone()
        })
    );
    assert_eq!(
        service.reader_with_card().err(),
        Some(CardError::NoCard { reader })
    );
    assert_eq!(
        service.pin_state("No Such Reader 00 00").err(),
        Some(CardError::UnknownReader {
            reader: "No Such Reader 00 00".into()
        })
    );
}

#[test]
fn a_slow_card_is_waited_for() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let mut insert = Insert::persona("demo.toml");
    insert.delay = Duration::from_millis(300);
    let _emulator = insert.into(&pcscd, &service);
    let (read, timing) = service.read_timed(&pcscd.reader_name(0), &pin("1234"), false);
    assert!(read.is_ok());
    assert!(
        timing.card_io >= Duration::from_millis(1500),
        "five slow answers"
    );
}

/// Collects events until `want` has been seen or ten seconds pass.
fn wait_for_event(watcher: &mut ReaderWatcher, want: &ReaderEvent) -> Vec<ReaderEvent> {
    let mut seen = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        let events = watcher.wait(Duration::from_millis(500)).expect("watch");
        let found = events.contains(want);
        seen.extend(events);
        if found {
            return seen;
        }
    }
    panic!("never saw {want:?}; saw {seen:?}");
}

#[test]
fn the_watcher_follows_cards_readers_and_the_service() {
    let _one = exclusive();
    let mut pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let mut watcher = ReaderWatcher::new();
    wait_for_event(&mut watcher, &ReaderEvent::ReaderAdded(reader.clone()));
    let emulator = Insert::persona("demo.toml").into(&pcscd, &service);
    wait_for_event(&mut watcher, &ReaderEvent::CardInserted(reader.clone()));
    emulator.remove();
    wait_for_event(&mut watcher, &ReaderEvent::CardRemoved(reader.clone()));
    pcscd.stop();
    wait_for_event(&mut watcher, &ReaderEvent::ServiceLost);
    pcscd.restart().expect("pcscd starts again");
    let seen = wait_for_event(&mut watcher, &ReaderEvent::ServiceRestored);
    let added = ReaderEvent::ReaderAdded(reader);
    if !seen.contains(&added) {
        wait_for_event(&mut watcher, &added);
    }
}

#[test]
fn a_wait_is_cancelled_from_a_tokio_task() {
    let _one = exclusive();
    let _pcscd = pcscd();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut watcher = ReaderWatcher::new();
        // Take the initial reader list so that the next wait blocks.
        watcher
            .wait(Duration::from_millis(200))
            .expect("first wait");
        let canceller = watcher.canceller();
        let started = Instant::now();
        let waiting = tokio::task::spawn_blocking(move || watcher.wait(Duration::from_secs(60)));
        tokio::time::sleep(Duration::from_millis(300)).await;
        canceller.cancel();
        let result = waiting.await.expect("join");
        assert_eq!(result, Err(CardError::Cancelled));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "cancel ends the wait at once"
        );
    });
}

#[test]
fn a_card_held_by_another_program_is_reported_busy() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let emulator = Insert::persona("demo.toml").into(&pcscd, &service);
    let other = pcsc::Context::establish(pcsc::Scope::User).expect("context");
    let name = std::ffi::CString::new(reader.clone()).expect("name");
    let held = other
        .connect(&name, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY)
        .expect("exclusive connect");
    assert_eq!(service.pin_state(&reader), Err(CardError::ReaderBusy));
    assert_eq!(
        service.read(&reader, &pin("1234"), false).err(),
        Some(CardError::ReaderBusy)
    );
    assert_eq!(emulator.card().verify_commands(), 0);
    drop(held);
    assert_eq!(
        service.pin_state(&reader),
        Ok(PinState::Ready { tries_left: 3 })
    );
}

/// The demo card's 照合番号B as its face prints it: born 1985-04-12 (昭和60年), expiring
/// 2034, security code as given (the card's is 5678).
fn demo_code_b(security_code: &str) -> madoguchi_card::CodeB {
    let birth = chrono::NaiveDate::from_ymd_opt(1985, 4, 12).expect("date");
    madoguchi_card::CodeB::new(birth, "2034", security_code).expect("well-formed")
}

/// Through pcscd, 照合番号B: its tries shown without using one, a wrong code costing one of
/// its own ten (the PIN's three untouched), the right one reading the facts in five commands,
/// and a card pulled at each of them reported as removed, costing nothing.
#[test]
fn the_code_b_reads_the_facts_without_the_pin() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let emulator = Insert::persona("demo.toml").into(&pcscd, &service);
    assert_eq!(
        service.code_b_state(&reader),
        Ok(PinState::Ready { tries_left: 10 })
    );
    let (wrong, _) = service.read_by_code_b(&reader, &demo_code_b("1111"));
    assert_eq!(wrong, Err(CardError::WrongCodeB { tries_left: 9 }));
    assert_eq!(emulator.card().code_b_tries_left(), 9);
    assert_eq!(emulator.card().tries_left(), 3, "the PIN's tries untouched");
    let (facts, timing) = service.read_by_code_b(&reader, &demo_code_b("5678"));
    assert_eq!(facts.expect("reads"), persona("demo.toml").basic_facts());
    assert_eq!(timing.apdus, 5);
    assert_eq!(
        service.code_b_state(&reader),
        Ok(PinState::Ready { tries_left: 10 }),
        "the right code resets its counter, and the read reset the card"
    );
    drop(emulator);
    wait_for_card(&service, &reader, false);
    for pull_at in 1..=5 {
        let mut insert = Insert::persona("demo.toml");
        insert.pull_at = Some(pull_at);
        let emulator = insert.into(&pcscd, &service);
        let (result, _) = service.read_by_code_b(&reader, &demo_code_b("5678"));
        assert_eq!(result, Err(CardError::CardRemoved), "APDU {pull_at}");
        assert_eq!(emulator.card().code_b_tries_left(), 10);
        wait_for_card(&service, &reader, false);
    }
}

fn residence_trust() -> madoguchi_card::residence::signature::TrustStore {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/personas/zairyu/trust");
    madoguchi_card::residence::signature::TrustStore::load(&[dir.as_path()]).expect("anchors")
}

fn residence_number(text: &str) -> madoguchi_card::residence::ResidenceCardNumber {
    madoguchi_card::residence::ResidenceCardNumber::parse(text).expect("number")
}

fn residence_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2027, 1, 15).expect("date")
}

#[test]
fn residence_cards_of_both_generations_are_read_through_pcscd() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let trust = residence_trust();
    for (file, typed, generation) in [
        ("zairyu-nguyen.toml", "UH12345678VN", 2),
        ("zairyu-santos.toml", "AB98765432CD", 1),
    ] {
        let emulator = Insert::persona(file).into(&pcscd, &service);
        // A wrong number first: refused, and it costs nothing.
        let (wrong, _) = service.read_residence(
            &reader,
            &residence_number("ZZ00000000ZZ"),
            &trust,
            residence_today(),
        );
        assert_eq!(wrong.err(), Some(CardError::WrongResidenceNumber), "{file}");
        // The images (up to 7 KB) come in one extended-length answer through pcscd.
        let (facts, timing) =
            service.read_residence(&reader, &residence_number(typed), &trust, residence_today());
        let facts = facts.unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(facts.card_number.as_str(), typed);
        assert_eq!(timing.apdus, 14, "{file}");
        match generation {
            2 => assert!(facts.images.name.is_some() && facts.printed.is_some()),
            _ => assert!(facts.images.front.is_some() && facts.back.address.is_some()),
        }
        drop(emulator);
        wait_for_card(&service, &reader, false);
    }
}

#[test]
fn a_residence_card_pulled_at_any_command_or_altered_is_refused() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let trust = residence_trust();
    for pull_at in 1..=14 {
        let mut insert = Insert::persona("zairyu-nguyen.toml");
        insert.pull_at = Some(pull_at);
        let emulator = insert.into(&pcscd, &service);
        let (result, _) = service.read_residence(
            &reader,
            &residence_number("UH12345678VN"),
            &trust,
            residence_today(),
        );
        assert_eq!(result.err(), Some(CardError::CardRemoved), "APDU {pull_at}");
        assert!(emulator.ends_within(Duration::from_secs(5)));
        wait_for_card(&service, &reader, false);
    }
    let mut altered = Insert::persona("zairyu-nguyen.toml");
    altered.behaviour.bad_signature = true;
    let _emulator = altered.into(&pcscd, &service);
    let (result, _) = service.read_residence(
        &reader,
        &residence_number("UH12345678VN"),
        &trust,
        residence_today(),
    );
    assert_eq!(
        result.err(),
        Some(CardError::BadSignature {
            fault: madoguchi_card::SignatureFault::Mismatch
        })
    );
}

#[test]
fn a_driving_licence_is_named_and_read_with_pin_1_through_pcscd() {
    let _one = exclusive();
    let pcscd = pcscd();
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let emulator = Insert::persona("menkyo-watanabe.toml").into(&pcscd, &service);
    assert_eq!(
        service.card_kind(&reader),
        Ok(madoguchi_card::CardKind::DrivingLicence)
    );
    assert_eq!(
        service.licence_pin_state(&reader),
        Ok(PinState::Ready { tries_left: 3 })
    );
    let (wrong, _) = service.read_licence(&reader, &pin("0000"));
    assert_eq!(
        wrong.err(),
        Some(CardError::WrongLicencePin { tries_left: 2 })
    );
    assert_eq!(emulator.card().tries_left(), 2, "exactly one try used");
    let (facts, timing) = service.read_licence(&reader, &pin("1357"));
    let facts = facts.expect("reads");
    assert_eq!(facts.name.gaiji, 1);
    assert_eq!(timing.apdus, 8);
    assert_eq!(
        service.licence_pin_state(&reader),
        Ok(PinState::Ready { tries_left: 3 }),
        "the right PIN reset the counter, and the read's reset ended the verified state"
    );
    drop(emulator);
    wait_for_card(&service, &reader, false);
    for pull_at in 1..=8 {
        let mut insert = Insert::persona("menkyo-watanabe.toml");
        insert.pull_at = Some(pull_at);
        let emulator = insert.into(&pcscd, &service);
        let (result, _) = service.read_licence(&reader, &pin("1357"));
        assert_eq!(result.err(), Some(CardError::CardRemoved), "APDU {pull_at}");
        assert_eq!(
            emulator.card().tries_left(),
            3,
            "no try lost at APDU {pull_at}"
        );
        wait_for_card(&service, &reader, false);
    }
}
