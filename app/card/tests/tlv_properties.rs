//! Property tests: the TLV parser and the facts reader accept every valid encoding, never
//! panic on random or damaged input, and the conversation survives any answer a card gives.

use chrono::NaiveDate;
use madoguchi_card::facts::{BasicFacts, CardSex};
use madoguchi_card::protocol::read_card;
use madoguchi_card::tlv::{self, TlvError};
use madoguchi_card::{CardError, Pin, Transport};
use proptest::prelude::*;

/// Tags as the card uses them: one byte, and two bytes in the private class.
fn tag() -> impl Strategy<Value = u32> {
    prop_oneof![
        (0x01u32..0x1F).prop_map(|t| t | 0x40),
        (0x01u32..0x7F).prop_map(|t| 0xDF00 | t),
        Just(0xFF20),
        Just(0xFF10),
    ]
}

/// How to write a length: the short form when it fits, `81 xx` when it fits, `82 xx xx`.
#[derive(Clone, Copy, Debug)]
enum LengthForm {
    Shortest,
    One,
    Two,
}

fn encode_with(tag: u32, value: &[u8], form: LengthForm, out: &mut Vec<u8>) {
    let bytes = tag.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(3);
    out.extend_from_slice(&bytes[first..]);
    let len = value.len();
    match form {
        LengthForm::Shortest if len < 0x80 => out.push(len as u8),
        LengthForm::Shortest | LengthForm::One if len <= 0xFF => out.extend([0x81, len as u8]),
        _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(value);
}

fn form() -> impl Strategy<Value = LengthForm> {
    prop_oneof![
        Just(LengthForm::Shortest),
        Just(LengthForm::One),
        Just(LengthForm::Two)
    ]
}

fn objects() -> impl Strategy<Value = Vec<(u32, Vec<u8>, LengthForm)>> {
    prop::collection::vec(
        (tag(), prop::collection::vec(any::<u8>(), 0..400), form()),
        1..6,
    )
}

fn filler() -> impl Strategy<Value = Vec<u8>> {
    (0usize..40, prop::bool::ANY).prop_map(|(n, ff)| vec![if ff { 0xFF } else { 0x00 }; n])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(objects) = tlv::parse(&bytes) {
            let total: usize = objects.iter().map(|o| o.value.len()).sum();
            prop_assert!(total <= bytes.len());
        }
        let _ = tlv::read_header(&bytes);
        let _ = BasicFacts::from_file(&bytes);
    }

    #[test]
    fn every_length_form_round_trips(objects in objects(), filler in filler()) {
        let mut encoded = Vec::new();
        for (tag, value, form) in &objects {
            encode_with(*tag, value, *form, &mut encoded);
        }
        encoded.extend_from_slice(&filler);
        let parsed = tlv::parse(&encoded).expect("valid encoding parses");
        prop_assert_eq!(parsed.len(), objects.len());
        for (got, (tag, value, _)) in parsed.iter().zip(&objects) {
            prop_assert_eq!(got.tag, *tag);
            prop_assert_eq!(got.value, value.as_slice());
        }
    }

    #[test]
    fn truncation_inside_an_object_is_an_error(objects in objects(), cut in any::<prop::sample::Index>()) {
        let mut encoded = Vec::new();
        let mut bounds = Vec::new();
        for (tag, value, form) in &objects {
            let start = encoded.len();
            encode_with(*tag, value, *form, &mut encoded);
            bounds.push((start, encoded.len()));
        }
        let cut = cut.index(encoded.len());
        let inside = bounds.iter().find(|(start, end)| *start < cut && cut < *end);
        let result = tlv::parse(&encoded[..cut]);
        if let Some((start, _)) = inside {
            let rest = &encoded[*start..cut];
            let looks_like_filler = rest.iter().all(|&b| b == 0xFF) || rest.iter().all(|&b| b == 0);
            if !looks_like_filler {
                prop_assert!(result.is_err(), "cut at {} inside an object parsed", cut);
            }
        } else {
            prop_assert!(result.is_ok());
        }
    }

    #[test]
    fn mutated_files_never_panic(
        name in "\\PC{0,40}",
        address in "\\PC{0,120}",
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let facts = BasicFacts {
            name,
            address,
            birth_date: NaiveDate::from_ymd_opt(1970, 1, 1),
            unparsed_birth_date: None,
            sex: CardSex::Female,
        };
        let mut file = facts.to_file(16);
        for (at, byte) in flips {
            let i = at.index(file.len());
            file[i] = byte;
        }
        let _ = BasicFacts::from_file(&file);
        let _ = BasicFacts::from_file(&file[..cut.index(file.len())]);
    }

    #[test]
    fn any_text_survives_the_card_byte_exact(
        name in "\\PC{0,60}",
        address in "\\PC{0,200}",
        days in 0i64..60_000,
        sex in prop_oneof![Just(CardSex::Male), Just(CardSex::Female), Just(CardSex::NotApplicable), Just(CardSex::NotKnown)],
        filler in 0usize..64,
    ) {
        let birth = NaiveDate::from_ymd_opt(1900, 1, 1).expect("date") + chrono::Duration::days(days);
        let facts = BasicFacts { name, address, birth_date: Some(birth), unparsed_birth_date: None, sex };
        let read = BasicFacts::from_file(&facts.to_file(filler)).expect("reads back");
        prop_assert_eq!(read.name.as_bytes(), facts.name.as_bytes());
        prop_assert_eq!(read.address.as_bytes(), facts.address.as_bytes());
        prop_assert_eq!(read, facts);
    }

    #[test]
    fn any_card_answer_gives_a_result_not_a_panic(
        answers in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..12),
        statuses in prop::collection::vec((any::<u8>(), any::<u8>()), 0..12),
    ) {
        let mut script: Vec<Vec<u8>> = answers
            .into_iter()
            .zip(statuses)
            .map(|(mut data, (sw1, sw2))| { data.extend([sw1, sw2]); data })
            .collect();
        script.reverse();
        let mut card = Replay(script);
        let pin = Pin::parse("1234").expect("pin");
        let (result, apdus) = read_card(&mut card, &pin, true);
        prop_assert!(apdus <= 64, "bounded number of commands: {}", apdus);
        if let Err(CardError::WrongPin { tries_left }) = result {
            prop_assert!(tries_left < 16);
        }
    }
}

/// Answers from a list; an exhausted list answers nothing (a pulled card).
struct Replay(Vec<Vec<u8>>);

impl Transport for Replay {
    fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, CardError> {
        Ok(self.0.pop().unwrap_or_default())
    }
}

#[test]
fn the_indefinite_form_is_refused() {
    assert!(matches!(
        tlv::parse(&[0xFF, 0x20, 0x80, 0x00, 0x00]),
        Err(TlvError::UnsupportedLength { .. })
    ));
}
