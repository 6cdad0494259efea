//! The driving licence read against the emulator's chip, without pcscd: the 記載事項, PIN 1's
//! tries (checked without using one, a wrong PIN costing one, a locked PIN), a 外字, the card
//! pulled and its answers damaged at every command.

use std::path::PathBuf;

use chrono::NaiveDate;
use madoguchi_card::emulator::{CardBehaviour, CardPersona, VirtualCard};
use madoguchi_card::licence::read::{query_pin, read_licence};
use madoguchi_card::protocol::Transport;
use madoguchi_card::{CardError, Pin, PinState};

fn persona() -> CardPersona {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/personas/menkyo-watanabe.toml");
    CardPersona::load(&path).expect("persona loads")
}

fn licence() -> VirtualCard {
    VirtualCard::from_persona(&persona(), CardBehaviour::default())
}

fn pin(text: &str) -> Pin {
    Pin::parse(text).expect("four digits")
}

#[test]
fn pin_1_opens_the_entries_a_gaiji_is_marked_and_nothing_else_is_returned() {
    let mut card = licence();
    assert_eq!(query_pin(&mut card), Ok(PinState::Ready { tries_left: 3 }));
    card.reset();
    let (facts, apdus) = read_licence(&mut card, &pin("1357"));
    let facts = facts.expect("reads");
    assert_eq!(facts.name.text, "渡邊　〓志");
    assert_eq!(facts.name.gaiji, 1);
    assert_eq!(facts.gaiji(), 1);
    assert_eq!(
        facts.kana.as_ref().map(|k| k.text.as_str()),
        Some("ワタナベ　タカシ")
    );
    assert_eq!(facts.address.text, "東京都三鷹市下連雀三丁目１４番５号");
    assert_eq!(facts.birth_date, NaiveDate::from_ymd_opt(1958, 6, 2));
    assert_eq!(facts.expiry, NaiveDate::from_ymd_opt(2029, 7, 2));
    assert!(facts.alias.is_none());
    // MF, VERIFY, DF1, EF01, and 880 bytes in four reads.
    assert_eq!(apdus, 8);
    let json = serde_json::to_string(&facts).expect("JSON");
    assert!(
        !json.contains("301234567890"),
        "the licence number is not returned"
    );
    assert!(!json.contains("公安委員会"));
    let person = facts.to_person();
    assert_eq!(person.name, "渡邊　〓志");
    assert_eq!(person.sex, None, "a licence does not say");
}

#[test]
fn a_wrong_pin_costs_exactly_one_try_and_three_lock_it() {
    let mut card = licence();
    for left in [2, 1] {
        assert_eq!(
            read_licence(&mut card, &pin("0000")).0.err(),
            Some(CardError::WrongLicencePin { tries_left: left })
        );
        card.reset();
        assert_eq!(
            query_pin(&mut card),
            Ok(PinState::Ready { tries_left: left })
        );
        card.reset();
    }
    // The right PIN resets the counter.
    assert!(read_licence(&mut card, &pin("1357")).0.is_ok());
    card.reset();
    assert_eq!(query_pin(&mut card), Ok(PinState::Ready { tries_left: 3 }));
    for _ in 0..3 {
        card.reset();
        let _ = read_licence(&mut card, &pin("9999"));
    }
    card.reset();
    assert_eq!(query_pin(&mut card), Ok(PinState::Blocked));
    card.reset();
    assert_eq!(
        read_licence(&mut card, &pin("1357")).0.err(),
        Some(CardError::LicencePinBlocked)
    );
    let blocked = CardBehaviour {
        blocked: true,
        ..CardBehaviour::default()
    };
    let mut locked = VirtualCard::from_persona(&persona(), blocked);
    assert_eq!(query_pin(&mut locked), Ok(PinState::Blocked));
}

/// Pulls the card at one command, or changes one byte of one answer.
struct Faulty<'a> {
    card: &'a mut VirtualCard,
    index: usize,
    pull_at: Option<usize>,
    damage: Option<(usize, usize)>,
}

impl Transport for Faulty<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        self.index += 1;
        if self.pull_at == Some(self.index) {
            return Err(CardError::CardRemoved);
        }
        let mut answer = self.card.transmit(command)?;
        if let Some((at, byte)) = self.damage
            && at == self.index
        {
            let position = byte % answer.len();
            answer[position] ^= 0x5A;
        }
        Ok(answer)
    }
}

#[test]
fn a_licence_pulled_at_any_command_costs_no_try_and_damage_never_panics() {
    for pull_at in 1..=8 {
        let mut card = licence();
        let mut faulty = Faulty {
            card: &mut card,
            index: 0,
            pull_at: Some(pull_at),
            damage: None,
        };
        assert_eq!(
            read_licence(&mut faulty, &pin("1357")).0.err(),
            Some(CardError::CardRemoved),
            "at {pull_at}"
        );
        assert_eq!(card.tries_left(), 3, "pulled before the card answered");
    }
    for index in 1..=8 {
        for byte in [0, 1, 3, 40, 255, 300] {
            let mut card = licence();
            let mut faulty = Faulty {
                card: &mut card,
                index: 0,
                pull_at: None,
                damage: Some((index, byte)),
            };
            // An error, or facts (a changed character is text the clerk confirms): no panic.
            let _ = read_licence(&mut faulty, &pin("1357"));
        }
    }
}

#[test]
fn a_persona_says_what_is_wrong_with_it() {
    let good = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/personas/menkyo-watanabe.toml"),
    )
    .expect("persona");
    for (from, to, expected) in [
        ("pin1 = \"1357\"", "pin1 = \"13a7\"", "pin1"),
        ("\"1958-06-02\"", "\"1858-06-02\"", "birth_date"),
        ("\"301234567890\"", "\"3012\"", "licence_number"),
        (
            "pin1 = \"1357\"",
            "pin1 = \"1357\"\npin1_tries_left = 4",
            "pin1_tries_left",
        ),
    ] {
        let text = good.replace(from, to);
        let error = madoguchi_card::emulator::LicencePersona::from_toml(&text).expect_err(expected);
        assert!(error.contains(expected), "{expected}: {error}");
    }
    let long = good.replace(
        "東京都三鷹市下連雀三丁目１４番５号",
        &"東京都三鷹市下連雀三丁目１４番５号".repeat(30),
    );
    assert!(madoguchi_card::emulator::LicencePersona::from_toml(&long).is_err());
}

#[test]
fn the_licence_is_identified_by_its_application() {
    let mut card = licence();
    assert_eq!(
        madoguchi_card::protocol::identify(&mut card),
        Ok(madoguchi_card::CardKind::DrivingLicence)
    );
}
