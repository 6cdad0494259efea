//! The card conversation against the virtual card directly (no pcscd): the PIN rules, the
//! APDU budget, byte-exact facts, and answers a real card might give that the emulator does
//! not (scripted).

use std::collections::VecDeque;
use std::path::PathBuf;

use madoguchi_card::emulator::{CardBehaviour, Persona, VirtualCard};
use madoguchi_card::protocol::{query_pin, read_card};
use madoguchi_card::{CardError, Pin, PinState, StatusWord, Step, Transport};

fn persona(file: &str) -> Persona {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/personas")
        .join(file);
    Persona::load(&path).expect("persona loads")
}

fn card(file: &str) -> VirtualCard {
    VirtualCard::new(&persona(file), CardBehaviour::default())
}

fn pin(text: &str) -> Pin {
    Pin::parse(text).expect("valid PIN")
}

#[test]
fn a_clean_read_takes_five_apdus_and_keeps_every_byte() {
    for (file, code, expected_apdus) in [
        ("demo.toml", "1234", 5),
        ("rare-kanji.toml", "5678", 5),
        ("ivs-name.toml", "2468", 5),
        ("foreign-resident.toml", "0000", 5),
        // Over 256 bytes: one more READ BINARY.
        ("long-address.toml", "1357", 6),
    ] {
        let persona = persona(file);
        let mut card = VirtualCard::new(&persona, CardBehaviour::default());
        let (result, apdus) = read_card(&mut card, &pin(code), false);
        let read = result.unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            read.facts.name.as_bytes(),
            persona.name.as_bytes(),
            "{file}"
        );
        assert_eq!(
            read.facts.address.as_bytes(),
            persona.address.as_bytes(),
            "{file}"
        );
        assert_eq!(read.facts, persona.basic_facts(), "{file}");
        assert!(read.my_number.is_none(), "{file}: not asked for");
        assert_eq!(apdus, expected_apdus, "{file}");
        assert!(apdus <= 7);
    }
}

#[test]
fn the_my_number_is_read_only_when_asked_and_checked() {
    let mut card = card("demo.toml");
    let (result, apdus) = read_card(&mut card, &pin("1234"), true);
    let read = result.expect("reads");
    assert_eq!(read.my_number.expect("asked for").expose(), "987654321018");
    assert_eq!(apdus, 7);
}

#[test]
fn the_tries_query_uses_no_try() {
    let mut card = card("ivs-name.toml");
    for _ in 0..5 {
        assert_eq!(query_pin(&mut card), Ok(PinState::Ready { tries_left: 2 }));
    }
    assert_eq!(card.tries_left(), 2);
    assert_eq!(card.verify_commands(), 0);
}

#[test]
fn a_wrong_pin_costs_exactly_one_try_and_says_how_many_are_left() {
    let mut card = card("demo.toml");
    let (result, _) = read_card(&mut card, &pin("9999"), false);
    assert_eq!(result.err(), Some(CardError::WrongPin { tries_left: 2 }));
    assert_eq!(card.tries_left(), 2);
    assert_eq!(card.verify_commands(), 1);
    // A right PIN afterwards resets the counter, as on a real card.
    let (result, _) = read_card(&mut card, &pin("1234"), false);
    assert!(result.is_ok());
    assert_eq!(card.tries_left(), 3);
}

#[test]
fn three_wrong_pins_block_the_card() {
    let mut card = card("demo.toml");
    let mut errors = Vec::new();
    for _ in 0..3 {
        card.reset();
        errors.push(read_card(&mut card, &pin("0000"), false).0.err());
    }
    assert_eq!(
        errors,
        [
            Some(CardError::WrongPin { tries_left: 2 }),
            Some(CardError::WrongPin { tries_left: 1 }),
            Some(CardError::PinBlocked),
        ]
    );
    card.reset();
    assert_eq!(query_pin(&mut card), Ok(PinState::Blocked));
    // Even the right PIN no longer opens it.
    card.reset();
    assert_eq!(
        read_card(&mut card, &pin("1234"), false).0.err(),
        Some(CardError::PinBlocked)
    );
}

#[test]
fn a_blocked_card_and_another_card_are_named_as_such() {
    let blocked = CardBehaviour {
        blocked: true,
        ..CardBehaviour::default()
    };
    let mut card = VirtualCard::new(&persona("demo.toml"), blocked);
    assert_eq!(query_pin(&mut card), Ok(PinState::Blocked));
    let other = CardBehaviour {
        not_my_number: true,
        ..CardBehaviour::default()
    };
    let mut card = VirtualCard::new(&persona("demo.toml"), other);
    assert_eq!(query_pin(&mut card), Err(CardError::NotMyNumberCard));
    let (result, apdus) = read_card(&mut card, &pin("1234"), false);
    assert_eq!(result.err(), Some(CardError::NotMyNumberCard));
    assert_eq!(apdus, 1, "nothing after the failed SELECT, no VERIFY");
    assert_eq!(card.verify_commands(), 0);
}

/// Answers from a script, recording what was sent.
struct Scripted {
    answers: VecDeque<Vec<u8>>,
    sent: Vec<Vec<u8>>,
}

impl Scripted {
    fn new(answers: &[&[u8]]) -> Scripted {
        Scripted {
            answers: answers.iter().map(|a| a.to_vec()).collect(),
            sent: Vec::new(),
        }
    }
}

impl Transport for Scripted {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        self.sent.push(command.to_vec());
        Ok(self.answers.pop_front().unwrap_or_default())
    }
}

const OK: &[u8] = &[0x90, 0x00];

fn my_number_file() -> Vec<u8> {
    let mut file = vec![0xFF, 0x10, 0x0C];
    file.extend_from_slice(b"987654321018");
    file.extend_from_slice(&[0xFF, 0xFF, 0x90, 0x00]);
    file
}

fn basic_file_with_sw(sw: [u8; 2]) -> Vec<u8> {
    let mut file = persona("demo.toml").basic_facts().to_file(0);
    file.extend_from_slice(&sw);
    file
}

#[test]
fn follows_6c_by_resending_with_the_right_length() {
    let basic = basic_file_with_sw([0x90, 0x00]);
    let len = basic.len() as u8 - 2;
    let wrong_length = [0x6C, len];
    let answers: Vec<&[u8]> = vec![OK, OK, OK, OK, &wrong_length, &basic];
    let mut card = Scripted::new(&answers);
    let (result, apdus) = read_card(&mut card, &pin("1234"), false);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(apdus, 6);
    assert_eq!(card.sent[5], [0x00, 0xB0, 0x00, 0x00, len]);
}

#[test]
fn follows_61_with_get_response() {
    let basic = basic_file_with_sw([0x90, 0x00]);
    let (first, rest) = basic.split_at(40);
    let mut first = first.to_vec();
    first.extend_from_slice(&[0x61, (rest.len() - 2) as u8]);
    let answers: Vec<&[u8]> = vec![OK, OK, OK, OK, &first, rest];
    let mut card = Scripted::new(&answers);
    let (result, _) = read_card(&mut card, &pin("1234"), false);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(card.sent[5][..4], [0x00, 0xC0, 0x00, 0x00]);
}

#[test]
fn reads_the_my_number_file_as_documented() {
    let basic = basic_file_with_sw([0x62, 0x82]);
    let number = my_number_file();
    let answers: Vec<&[u8]> = vec![OK, OK, OK, OK, &basic, OK, &number];
    let mut card = Scripted::new(&answers);
    let (result, _) = read_card(&mut card, &pin("1234"), true);
    assert_eq!(
        result.expect("reads").my_number.expect("read").expose(),
        "987654321018"
    );
    assert_eq!(card.sent[5], [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01]);
}

#[test]
fn a_wrong_check_digit_is_bad_card_data() {
    let basic = basic_file_with_sw([0x90, 0x00]);
    let mut number = my_number_file();
    number[14] = b'9';
    let answers: Vec<&[u8]> = vec![OK, OK, OK, OK, &basic, OK, &number];
    let (result, _) = read_card(&mut Scripted::new(&answers), &pin("1234"), true);
    assert!(
        matches!(result, Err(CardError::BadCardData { .. })),
        "{result:?}"
    );
}

#[test]
fn unexpected_answers_carry_their_status_word_and_step() {
    let answers: Vec<&[u8]> = vec![OK, OK, &[0x6F, 0x00]];
    let (result, apdus) = read_card(&mut Scripted::new(&answers), &pin("1234"), false);
    assert_eq!(
        result.err(),
        Some(CardError::UnexpectedAnswer {
            step: Step::VerifyPin,
            status: StatusWord(0x6F00)
        })
    );
    assert_eq!(apdus, 3);
    let message = CardError::UnexpectedAnswer {
        step: Step::VerifyPin,
        status: StatusWord(0x6F00),
    };
    assert!(message.message_en().contains("6F 00"));
    assert!(message.message_ja().contains("6F 00"));
}

#[test]
fn an_empty_answer_at_any_step_means_the_card_was_removed() {
    let basic = basic_file_with_sw([0x90, 0x00]);
    let number = my_number_file();
    let full: Vec<&[u8]> = vec![OK, OK, OK, OK, &basic, OK, &number];
    for cut in 0..full.len() {
        let mut answers = full[..cut].to_vec();
        answers.push(&[]);
        let (result, apdus) = read_card(&mut Scripted::new(&answers), &pin("1234"), true);
        assert_eq!(result.err(), Some(CardError::CardRemoved), "cut at {cut}");
        assert_eq!(apdus as usize, cut + 1);
    }
}

/// The demo card's 照合番号B as its face prints it: born 昭和60年4月12日 (the persona),
/// expiring 2034, security code 5678 (the persona's defaults).
fn demo_code_b(security_code: &str) -> madoguchi_card::CodeB {
    let birth = persona("demo.toml")
        .basic_facts()
        .birth_date
        .expect("a calendar date");
    madoguchi_card::CodeB::new(birth, "2034", security_code).expect("well-formed")
}

/// 照合番号B opens the four facts without the PIN, in five commands; the 個人番号 stays
/// closed to it; a wrong code costs one of its own tries (never the PIN's) and says how many
/// are left; its tries query costs none; ten wrong codes lock it and the PIN still reads.
#[test]
fn the_code_b_opens_the_facts_and_counts_its_own_tries() {
    use madoguchi_card::protocol::{query_code_b, read_facts_by_code_b};
    let persona = persona("demo.toml");
    let mut card = VirtualCard::new(&persona, CardBehaviour::default());
    let (facts, apdus) = read_facts_by_code_b(&mut card, &demo_code_b("5678"));
    assert_eq!(facts.expect("read"), persona.basic_facts());
    assert_eq!(apdus, 5);
    assert_eq!(card.verify_commands(), 1);

    // The 個人番号 is not opened by the code: selecting and reading it is refused.
    let mut session = madoguchi_card::protocol::Session::new(&mut card);
    session.select_application().expect("select");
    session
        .select_file(madoguchi_card::apdu::EF_CODE_B)
        .expect("key");
    session.verify_code_b(&demo_code_b("5678")).expect("opens");
    session
        .select_file(madoguchi_card::apdu::EF_MY_NUMBER)
        .expect("file");
    assert!(matches!(
        session.read_object(),
        Err(CardError::UnexpectedAnswer {
            step: Step::ReadFile,
            status: StatusWord(0x6982)
        })
    ));

    let mut card = VirtualCard::new(&persona, CardBehaviour::default());
    assert_eq!(
        query_code_b(&mut card),
        Ok(PinState::Ready { tries_left: 10 })
    );
    assert_eq!(card.verify_commands(), 0, "the query costs no try");
    let (wrong, _) = read_facts_by_code_b(&mut card, &demo_code_b("0000"));
    assert_eq!(wrong, Err(CardError::WrongCodeB { tries_left: 9 }));
    assert_eq!(card.tries_left(), 3, "the PIN's tries are untouched");
    for left in (0..9).rev() {
        let (wrong, _) = read_facts_by_code_b(&mut card, &demo_code_b("0000"));
        let expected = if left == 0 {
            CardError::CodeBBlocked
        } else {
            CardError::WrongCodeB { tries_left: left }
        };
        assert_eq!(wrong, Err(expected));
    }
    assert_eq!(query_code_b(&mut card), Ok(PinState::Blocked));
    let (right_but_locked, _) = read_facts_by_code_b(&mut card, &demo_code_b("5678"));
    assert_eq!(right_but_locked, Err(CardError::CodeBBlocked));
    let (read, _) = read_card(&mut card, &pin("1234"), true);
    assert!(read.expect("the PIN still reads").my_number.is_some());
}
