//! Round trips through the symbol text and through rendered images, and every error kind.

use chrono::NaiveDate;
use madoguchi_domain::{Answer, Case, CertificateKind, CertificateRequest};
use madoguchi_prefill::{Assembler, Prefill, PrefillError, Progress, decode, encode, render, scan};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn family() -> Case {
    let text = include_str!("../../../docs/examples/family-of-four.json");
    let mut case: Case = serde_json::from_str(text).expect("sample case");
    case.phone = Some("046-822-4000".into());
    case.certificates = vec![
        CertificateRequest {
            kind: CertificateKind::Juminhyo,
            copies: 2,
        },
        CertificateRequest {
            kind: CertificateKind::InkanTourokuShomei,
            copies: 1,
        },
    ];
    case
}

fn prefill(case: Case) -> Prefill {
    Prefill {
        issued: date("2026-04-01"),
        expires: date("2026-05-01"),
        case,
    }
}

const TODAY: &str = "2026-04-12";

#[test]
fn a_family_of_four_fits_one_symbol_of_version_20_or_lower() {
    let original = prefill(family());
    let symbols = encode(&original).expect("encodes");
    assert_eq!(symbols.len(), 1, "one symbol");
    let version = render::qr_version(&symbols[0]).expect("fits a QR symbol");
    println!(
        "family of four: {} characters, QR version {version} at ECC M",
        symbols[0].len()
    );
    assert!(version <= 20, "version {version}");
    assert!(symbols[0].starts_with("MDG2:"));
    assert_eq!(decode(&symbols, date(TODAY)).expect("decodes"), original);
}

#[test]
fn round_trips_through_a_png_image() {
    let original = prefill(family());
    let symbols = encode(&original).expect("encodes");
    let png = render::png(&symbols[0], 4).expect("renders");
    let frame = image::load_from_memory(&png).expect("png").to_luma8();
    let read = scan::symbols_in(&frame);
    assert_eq!(read, symbols);
    assert_eq!(decode(&read, date(TODAY)).expect("decodes"), original);
}

#[test]
fn scanner_text_with_enter_and_caps_lock_still_decodes() {
    let original = prefill(family());
    let symbols = encode(&original).expect("encodes");
    let typed = format!("{}\r\n", symbols[0].to_ascii_lowercase());
    assert_eq!(decode(&[typed], date(TODAY)).expect("decodes"), original);
}

#[test]
fn rare_characters_survive_byte_exact() {
    let mut case = family();
    case.household.members[0].person.name = "𠮷田　髙志".into();
    case.household.members[1].person.name = "葛\u{E0100}城　花子".into();
    let original = prefill(case);
    let symbols = encode(&original).expect("encodes");
    let back = decode(&symbols, date(TODAY)).expect("decodes");
    assert_eq!(
        back.case.household.members[1].person.name.as_bytes(),
        "葛\u{E0100}城　花子".as_bytes()
    );
    assert_eq!(back, original);
}

/// A household large enough to need several symbols: long free-text answers do not compress.
fn large_case() -> Case {
    let mut case = family();
    for i in 0..20 {
        let noise: String = (0..24)
            .map(|j| {
                char::from_u32(0x4E00 + ((i * 7919 + j * 104_729) % 20_000) as u32).unwrap_or('x')
            })
            .collect();
        case.answers
            .insert(format!("note_{i}"), Answer::Choice(noise));
    }
    case
}

#[test]
fn a_large_payload_is_split_into_parts_read_in_any_order() {
    let original = prefill(large_case());
    let symbols = encode(&original).expect("encodes");
    assert!(symbols.len() >= 2, "{} symbols", symbols.len());
    for symbol in &symbols {
        assert!(render::qr_version(symbol).is_some_and(|v| v <= 20));
    }
    let mut reversed = symbols.clone();
    reversed.reverse();
    assert_eq!(decode(&reversed, date(TODAY)).expect("decodes"), original);

    let mut assembler = Assembler::default();
    let progress = assembler.add(&symbols[1]).expect("part 2");
    assert!(matches!(progress, Progress::Waiting { ref missing, .. } if missing.contains(&1)));
    assert!(matches!(
        assembler.finish(date(TODAY)),
        Err(PrefillError::MissingParts { .. })
    ));
    // The same part twice is harmless.
    assembler.add(&symbols[1]).expect("part 2 again");
}

fn swap_char(symbol: &str, at: usize) -> String {
    let mut bytes = symbol.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'+' { b':' } else { b'+' };
    String::from_utf8(bytes).expect("ascii")
}

#[test]
fn every_error_kind_is_reported() {
    let today = date(TODAY);
    let family_symbols = encode(&prefill(family())).expect("encodes");
    let single = family_symbols[0].clone();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["https://example.com/".into()], "wrong_prefix"),
        (vec!["HC1:6BFOXN".into()], "wrong_prefix"),
        (
            vec![single.replacen("MDG2:", "MDG4:", 1)],
            "unsupported_version",
        ),
        (vec![single.replacen("MDG2:", "MDG2:%%", 1)], "corrupt"),
        (vec![format!("{}A", &single[..single.len() - 3])], "corrupt"),
        (vec!["MDG2:".into()], "corrupt"),
        // A version-2 document under a version-1 header: its relations are text, not codes.
        (vec![single.replacen("MDG2:", "MDG1:", 1)], "corrupt"),
        // A scanner with the wrong keyboard layout types one character for another.
        (vec![swap_char(&single, 20)], "corrupt"),
        (vec![], "empty"),
    ];
    for (symbols, code) in cases {
        let error = decode(&symbols, today).expect_err(code);
        assert_eq!(error.code(), code, "{error:?}");
        assert!(!error.message_ja().is_empty() && !error.message_en().is_empty());
    }
    // Expired: read a day after the last day.
    let expired = decode(&family_symbols, date("2026-05-02")).expect_err("expired");
    assert_eq!(
        expired,
        PrefillError::Expired {
            expired_on: date("2026-05-01")
        }
    );
    assert!(
        decode(&family_symbols, date("2026-05-01")).is_ok(),
        "the last day is valid"
    );
    // Parts of two payloads.
    let large = encode(&prefill(large_case())).expect("encodes");
    let mut other = large_case();
    other.applicant = 1;
    let other = encode(&prefill(other)).expect("encodes");
    let mixed = decode(&[large[0].clone(), other[1].clone()], today).expect_err("mixed");
    assert_eq!(mixed, PrefillError::MixedPayloads);
    assert_eq!(
        decode(&[single.clone(), large[0].clone()], today).expect_err("mixed"),
        PrefillError::MixedPayloads
    );
    // Missing parts.
    let missing = decode(&large[..1], today).expect_err("missing");
    assert!(
        matches!(missing, PrefillError::MissingParts { .. }),
        "{missing:?}"
    );
    // Too large: a household nobody could carry in four symbols.
    let mut huge = large_case();
    for i in 0..250u32 {
        // Sixty different kanji per answer: text that does not compress.
        let choice: String = (0..60u32)
            .filter_map(|k| char::from_u32(0x4E00 + (i * 61 + k * 97) % 20_000))
            .collect();
        huge.answers
            .insert(format!("extra_{i}"), Answer::Choice(choice));
    }
    let too_large = encode(&prefill(huge)).expect_err("too large");
    assert_eq!(too_large.code(), "too_large");
}

#[test]
fn a_jpeg_camera_frame_decodes() {
    let original = prefill(family());
    let symbols = encode(&original).expect("encodes");
    let frame =
        madoguchi_prefill::corpus::frame(madoguchi_prefill::corpus::Kind::Rotated, &symbols, 5)
            .expect("frame");
    let dir = std::env::temp_dir().join(format!("madoguchi-jpeg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("frame.jpg");
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 70)
        .encode_image(&frame.image)
        .expect("jpeg");
    std::fs::write(&path, bytes).expect("write");
    let read = scan::symbols_in_file(&path).expect("reads the file");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(decode(&read, date(TODAY)).expect("decodes"), original);
}
