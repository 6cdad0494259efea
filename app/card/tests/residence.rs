//! The 在留カード and 特別永住者証明書 read against the emulator's chips, without pcscd: the
//! specification's exchange byte for byte, each persona's facts, a wrong number, the
//! signature's faults, the card pulled and its answers damaged at every command.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use madoguchi_card::emulator::{ResidenceBehaviour, ResidenceChip, ResidencePersona, VirtualCard};
use madoguchi_card::protocol::Transport;
use madoguchi_card::residence::read::{ReadInputs, read_residence_card};
use madoguchi_card::residence::secure::TerminalSecrets;
use madoguchi_card::residence::signature::TrustStore;
use madoguchi_card::residence::{
    Document, Generation, PeriodOfStay, ResidenceCardNumber, ResidenceFacts, WorkRestriction,
};
use madoguchi_card::{CardError, CardSex, SignatureFault};
use zeroize::Zeroizing;

fn personas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/personas")
}

fn persona(file: &str) -> ResidencePersona {
    let text = std::fs::read_to_string(personas().join(file)).expect("persona file");
    ResidencePersona::from_toml(&text, &personas()).expect("persona loads")
}

fn trust() -> TrustStore {
    TrustStore::load(&[&personas().join("zairyu/trust")]).expect("test anchors load")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 15).expect("date")
}

fn number(text: &str) -> ResidenceCardNumber {
    ResidenceCardNumber::parse(text).expect("card number")
}

fn read(
    card: &mut dyn Transport,
    typed: &str,
    trust: &TrustStore,
) -> (Result<ResidenceFacts, CardError>, u32) {
    let typed = number(typed);
    read_residence_card(
        card,
        ReadInputs {
            number: &typed,
            trust,
            today: today(),
            secrets: TerminalSecrets::random().expect("random"),
        },
    )
}

/// The signed images (name, front) a clean read of `file` gives.
fn card_images(file: &str) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let typed = if file.contains("nguyen") {
        "UH12345678VN"
    } else {
        "AB98765432CD"
    };
    let images = read(&mut card(file), typed, &trust())
        .0
        .expect("clean read")
        .images;
    (images.name, images.front)
}

fn card(file: &str) -> VirtualCard {
    VirtualCard::residence(&persona(file), ResidenceBehaviour::default())
}

/// Records every command and can pull the card at one of them.
struct Recorder<'a> {
    card: &'a mut dyn Transport,
    commands: Vec<Vec<u8>>,
    pull_at: Option<usize>,
    damage_at: Option<(usize, usize)>,
}

impl<'a> Recorder<'a> {
    fn new(card: &'a mut dyn Transport) -> Self {
        Recorder {
            card,
            commands: Vec::new(),
            pull_at: None,
            damage_at: None,
        }
    }
}

impl Transport for Recorder<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        self.commands.push(command.to_vec());
        let index = self.commands.len();
        if self.pull_at == Some(index) {
            return Err(CardError::CardRemoved);
        }
        let mut answer = self.card.transmit(command)?;
        if let Some((at, byte)) = self.damage_at
            && at == index
            && !answer.is_empty()
        {
            let position = byte % answer.len();
            answer[position] ^= 0x5A;
        }
        Ok(answer)
    }
}

fn hex(text: &str) -> Vec<u8> {
    let digits: String = text.split_whitespace().collect();
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn the_exchange_is_the_specifications_byte_for_byte() {
    // The nguyen persona, renumbered to the specification's example card.
    let text = std::fs::read_to_string(personas().join("zairyu-nguyen.toml"))
        .expect("persona")
        .replace("UH12345678VN", "AA12345678BB");
    let persona = ResidencePersona::from_toml(&text, &personas()).expect("loads");
    let rnd_icc: [u8; 8] = hex("92 1C E2 77 32 3D A0 57").try_into().expect("8");
    let k_icc: [u8; 16] = hex("2C C6 AF 9B 8B 60 7C 66 2F DC AD 27 B4 01 D0 8B")
        .try_into()
        .expect("16");
    let mut card = VirtualCard::Residence(
        ResidenceChip::new(&persona, ResidenceBehaviour::default())
            .with_fixed_randomness(rnd_icc, k_icc),
    );
    let mut recorder = Recorder::new(&mut card);
    let typed = number("AA12345678BB");
    let secrets = TerminalSecrets {
        rnd_ifd: hex("11 22 33 44 55 66 77 88").try_into().expect("8"),
        k_ifd: Zeroizing::new(
            hex("40 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F")
                .try_into()
                .expect("16"),
        ),
    };
    let trust = trust();
    let (result, _) = read_residence_card(
        &mut recorder,
        ReadInputs {
            number: &typed,
            trust: &trust,
            today: today(),
            secrets,
        },
    );
    result.expect("reads");
    let mutual = recorder
        .commands
        .iter()
        .find(|c| c[1] == 0x82)
        .expect("MUTUAL AUTHENTICATE sent");
    assert_eq!(
        mutual,
        &hex("00 82 00 00 28 4A D3 C7 B6 BB 48 4A 52 77 19 77
             DE D6 18 B4 1D F8 41 FA 04 76 A0 5F BE 04 1D EA
             D6 10 9E 77 3B AC 85 46 17 63 4F 53 97 00")
    );
    let verify = recorder
        .commands
        .iter()
        .find(|c| c[1] == 0x20)
        .expect("VERIFY sent");
    assert_eq!(
        verify,
        &hex("08 20 00 86 13 86 11 01 EE 0B 31 EF 87 7F 68 D0
             71 C5 6D 58 C7 2E 67 48")
    );
    let read_name_and_face = recorder
        .commands
        .iter()
        .find(|c| c[..3] == [0x08, 0xB0, 0x84])
        .expect("the images read");
    assert_eq!(
        read_name_and_face,
        &hex("08 B0 84 00 00 00 04 96 02 00 00 00 00")
    );
}

#[test]
fn a_second_generation_residence_card_gives_its_printed_entries_and_images() {
    let mut card = card("zairyu-nguyen.toml");
    let (facts, apdus) = read(&mut card, "uh12345678vn", &trust());
    let facts = facts.expect("reads");
    assert_eq!(facts.card_type.document, Document::ResidenceCard);
    assert_eq!(facts.card_type.generation, Generation::Second);
    assert_eq!(facts.card_number.as_str(), "UH12345678VN");
    let printed = facts.printed.as_ref().expect("printed entries");
    assert_eq!(printed.birth_date, NaiveDate::from_ymd_opt(1999, 8, 15));
    assert_eq!(printed.sex, CardSex::Female);
    assert_eq!(printed.nationality_code, "VNM");
    assert_eq!(printed.status_code.as_deref(), Some("TEST-SSW1"));
    assert_eq!(
        printed.period_of_stay,
        Some(PeriodOfStay::YearsMonths {
            years: 3,
            months: 0
        })
    );
    assert_eq!(printed.period_end, NaiveDate::from_ymd_opt(2029, 3, 31));
    assert_eq!(
        printed.work_restriction,
        Some(WorkRestriction::DesignatedOnly)
    );
    assert_eq!(printed.signed_values.len(), 53);
    assert!(!facts.back.application_pending);
    assert_eq!(facts.back.outside_activity.ja(), "なし");
    let name = std::fs::read(personas().join("zairyu/nguyen-name.tif")).expect("image");
    assert_eq!(facts.images.name.as_deref(), Some(name.as_slice()));
    assert!(facts.images.address.is_some());
    assert!(facts.images.front.is_none());
    assert!(
        facts
            .signature
            .anchor
            .contains("Test residence card CA (ECDSA)")
    );
    // What the case keeps of it.
    let foreign = facts.foreign_resident();
    assert_eq!(foreign.country.as_deref(), Some("ベトナム"));
    assert_eq!(foreign.period_end, NaiveDate::from_ymd_opt(2029, 3, 31));
    assert_eq!(
        foreign.category,
        Some(madoguchi_domain::ForeignCategory::MidLongTerm)
    );
    assert_eq!(
        foreign.status, None,
        "the clerk confirms the 在留資格 by the card's face"
    );
    // Type, DF1, challenge, authenticate, verify, four secure reads, DF2 and two reads, DF3
    // and the signature.
    assert_eq!(apdus, 14);
}

#[test]
fn a_special_permanent_resident_certificate_has_no_work_or_permission_entries() {
    let mut card = card("zairyu-kim.toml");
    let (facts, apdus) = read(&mut card, "SP20240001KR", &trust());
    let facts = facts.expect("reads");
    assert_eq!(
        facts.card_type.document,
        Document::SpecialPermanentCertificate
    );
    let printed = facts.printed.as_ref().expect("printed entries");
    assert_eq!(printed.work_restriction, None);
    assert_eq!(printed.period_of_stay, Some(PeriodOfStay::Indefinite));
    assert_eq!(printed.nationality_code, "KOR");
    assert_eq!(
        facts.foreign_resident().category,
        Some(madoguchi_domain::ForeignCategory::SpecialPermanent)
    );
    assert_eq!(apdus, 11, "no DF2 reads on a 特別永住者証明書");
}

#[test]
fn a_first_generation_card_gives_its_front_image_and_the_address_the_city_wrote() {
    let mut card = card("zairyu-santos.toml");
    let (facts, apdus) = read(&mut card, "AB98765432CD", &trust());
    let facts = facts.expect("reads");
    assert_eq!(facts.card_type.generation, Generation::First);
    assert!(
        facts.printed.is_none(),
        "the first generation prints them on its image only"
    );
    assert_eq!(
        facts.back.address.as_deref(),
        Some("愛知県豊田市若宮町一丁目５７番地１")
    );
    let front = std::fs::read(personas().join("zairyu/santos-front.tif")).expect("image");
    assert_eq!(facts.images.front.as_deref(), Some(front.as_slice()));
    assert!(facts.signature.anchor.contains("(RSA)"));
    // Type, DF1, challenge, authenticate, verify, two secure reads, DF2 and four reads, DF3
    // and the signature.
    assert_eq!(apdus, 14);
}

#[test]
fn a_wrong_number_is_refused_by_the_card_and_costs_nothing() {
    let mut card = card("zairyu-nguyen.toml");
    for _ in 0..5 {
        let (result, apdus) = read(&mut card, "UH12345678VM", &trust());
        assert_eq!(result.err(), Some(CardError::WrongResidenceNumber));
        assert_eq!(apdus, 4, "stops at MUTUAL AUTHENTICATE");
        // As the reader's disconnect does after every read.
        card.reset();
    }
    assert!(read(&mut card, "UH12345678VN", &trust()).0.is_ok());
}

/// A read takes a parsed number, so a misshapen one cannot reach the card; the parser is the
/// check (the command line's test shows the refusal).
#[test]
fn misshapen_numbers_are_refused_by_the_parser() {
    for typed in ["UH1234567VN", "1234567890AB", "UH12345678V", "ＵＨ１２３４"] {
        assert!(ResidenceCardNumber::parse(typed).is_err(), "{typed}");
    }
    assert_eq!(
        number("ｕｈ１２３４５６７８ｖｎ").as_str(),
        "UH12345678VN",
        "full-width and small letters as a keyboard may send them"
    );
}

#[test]
fn a_signature_that_fails_refuses_the_card() {
    for file in ["zairyu-nguyen.toml", "zairyu-santos.toml"] {
        let mut altered = VirtualCard::residence(
            &persona(file),
            ResidenceBehaviour {
                bad_signature: true,
            },
        );
        let typed = if file.contains("nguyen") {
            "UH12345678VN"
        } else {
            "AB98765432CD"
        };
        assert_eq!(
            read(&mut altered, typed, &trust()).0.err(),
            Some(CardError::BadSignature {
                fault: SignatureFault::Mismatch
            }),
            "{file}"
        );
    }
}

#[test]
fn a_card_signed_outside_the_trusted_certificates_is_refused() {
    let mut card = card("zairyu-nguyen.toml");
    let (result, apdus) = read(&mut card, "UH12345678VN", &TrustStore::default());
    assert_eq!(
        result.err(),
        Some(CardError::BadSignature {
            fault: SignatureFault::NoAnchors
        })
    );
    assert_eq!(apdus, 0, "nothing is sent when no certificate is installed");
    card.reset();
    // Only the first generation's CA: the second generation's signer is not trusted.
    let mut only_rsa = TrustStore::default();
    only_rsa
        .add(&std::fs::read(personas().join("zairyu/trust/test-ca-rsa.pem")).expect("pem"))
        .expect("anchor");
    assert_eq!(
        read(&mut card, "UH12345678VN", &only_rsa).0.err(),
        Some(CardError::BadSignature {
            fault: SignatureFault::UntrustedIssuer
        })
    );
    card.reset();
    // Long after the test certificates end.
    let typed = number("UH12345678VN");
    let trust = trust();
    let (late, _) = read_residence_card(
        &mut card,
        ReadInputs {
            number: &typed,
            trust: &trust,
            today: NaiveDate::from_ymd_opt(2070, 1, 1).expect("date"),
            secrets: TerminalSecrets::random().expect("random"),
        },
    );
    assert_eq!(
        late.err(),
        Some(CardError::BadSignature {
            fault: SignatureFault::Expired
        })
    );
}

#[test]
fn a_card_pulled_at_any_command_is_reported_and_a_damaged_answer_never_passes() {
    for file in ["zairyu-nguyen.toml", "zairyu-santos.toml"] {
        let typed = if file.contains("nguyen") {
            "UH12345678VN"
        } else {
            "AB98765432CD"
        };
        for index in 1..=14 {
            let mut card = card(file);
            let mut recorder = Recorder::new(&mut card);
            recorder.pull_at = Some(index);
            let (result, _) = read(&mut recorder, typed, &trust());
            assert_eq!(
                result.err(),
                Some(CardError::CardRemoved),
                "{file} at {index}"
            );
        }
        // One byte of any answer changed (several positions each): an error, never other
        // facts than the card's and never a panic.
        // The back is not signed (the city writes it after issue): a damaged byte there can
        // only be caught by the clerk comparing with the card, which is why it is kept apart.
        let signed_part = |facts: &ResidenceFacts| {
            let mut value = serde_json::to_value(facts).expect("JSON");
            value.as_object_mut().expect("object").remove("back");
            // The address image is not signed either; the name and front images are.
            let signed_images = (facts.images.name.clone(), facts.images.front.clone());
            (value, signed_images == card_images(file))
        };
        let clean = read(&mut card(file), typed, &trust())
            .0
            .expect("clean read");
        let clean = signed_part(&clean);
        let mut refused = 0;
        for index in 1..=14 {
            for byte in [0, 1, 2, 5, 17, 40, 1000] {
                let mut card = card(file);
                let mut recorder = Recorder::new(&mut card);
                recorder.damage_at = Some((index, byte));
                match read(&mut recorder, typed, &trust()).0 {
                    // A change the result does not depend on (the cryptogram's padding, a
                    // status word the read does not look at) may still read; then the facts
                    // are exactly the card's.
                    Ok(facts) => assert_eq!(signed_part(&facts), clean, "{file} {index} {byte}"),
                    Err(_) => refused += 1,
                }
            }
        }
        // Most damage is refused outright (the rest fell in unsigned or unused bytes).
        assert!(
            refused >= 60,
            "{file}: only {refused} of 98 damaged reads refused"
        );
    }
}

#[test]
fn the_test_anchors_load_and_a_bad_file_is_named() {
    assert!(!trust().is_empty());
    let dir = std::env::temp_dir().join(format!("madoguchi-trust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("broken.pem"), "-----BEGIN CERTIFICATE-----\nnot\n").expect("write");
    std::fs::write(dir.join("notes.txt"), "ignored").expect("write");
    let error = TrustStore::load(&[dir.as_path()]).expect_err("refused");
    assert!(error.to_string().contains("broken.pem"), "{error}");
    std::fs::remove_file(dir.join("broken.pem")).expect("clean");
    std::fs::write(dir.join("huge.der"), vec![0x30u8; 200 * 1024]).expect("write");
    let error = TrustStore::load(&[dir.as_path()]).expect_err("refused");
    assert!(error.to_string().contains("too large"), "{error}");
    std::fs::remove_dir_all(&dir).expect("clean");
    assert!(
        TrustStore::load(&[Path::new("/nonexistent/madoguchi")])
            .expect("a missing folder is empty")
            .is_empty()
    );
}

#[test]
fn a_persona_says_what_is_wrong_with_it() {
    let good = std::fs::read_to_string(personas().join("zairyu-nguyen.toml")).expect("persona");
    let cases = [
        ("kind = \"residence_card\"", "kind = \"passport\"", "kind"),
        ("generation = 2", "generation = 3", "generation"),
        ("UH12345678VN", "UH1234567VN", "card_number"),
        ("\"female\"", "\"x\"", "sex"),
        ("\"VNM\"", "\"vn\"", "nationality"),
        ("\"TEST-SSW1\"", "\"TOO-LONG-CODE\"", "status_code"),
        ("\"0300\"", "\"0313\"", "period_of_stay"),
        (
            "work_restriction = \"4\"",
            "work_restriction = \"3\"",
            "work_restriction",
        ),
        ("\"2029-03-31\"\nbirth", "\"31/03/2029\"\nbirth", "2029"),
        ("zairyu/nguyen-name.tif", "zairyu/missing.tif", "name_image"),
        ("zairyu/face.jp2", "zairyu/santos-front.tif", "face_image"),
    ];
    for (from, to, expected) in cases {
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let error = ResidencePersona::from_toml(&text, &personas()).expect_err(expected);
        assert!(error.contains(expected), "{expected}: {error}");
    }
    let santos = std::fs::read_to_string(personas().join("zairyu-santos.toml")).expect("persona");
    let error = ResidencePersona::from_toml(&santos.replace("若宮町", "若宮町😀"), &personas())
        .expect_err("not Shift_JIS");
    assert!(error.contains("Shift_JIS"), "{error}");
}
