//! Reference vectors made by an independent writer (`tests/vectors/make_vectors.py`: Python's
//! cbor2 and zlib, base45 from RFC 9285) from `docs/qr-format.md` alone.

use chrono::NaiveDate;
use madoguchi_domain::{Case, CertificateKind, CertificateRequest, Zokugara};
use madoguchi_prefill::{Prefill, PrefillError, decode, to_cbor};

const VECTORS: &str = include_str!("vectors/vectors.txt");

fn vector(name: &str) -> Vec<&'static str> {
    VECTORS
        .lines()
        .filter_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .collect()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn single_adult() -> Prefill {
    let mut case: Case =
        serde_json::from_str(include_str!("../../../docs/examples/single-adult.json"))
            .expect("sample");
    case.certificates = vec![CertificateRequest {
        kind: CertificateKind::Juminhyo,
        copies: 2,
    }];
    Prefill {
        issued: date("2026-04-01"),
        expires: date("2026-05-01"),
        case,
    }
}

#[test]
fn our_cbor_is_byte_for_byte_the_reference_document() {
    let expected = vector("single-adult cbor")[0];
    let ours: String = to_cbor(&single_adult())
        .expect("encodes")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(ours, expected);
}

#[test]
fn a_symbol_written_by_another_implementation_decodes() {
    let symbol = vector("single-adult symbol");
    let read = decode(&symbol, date("2026-04-06")).expect("decodes");
    assert_eq!(read, single_adult());
    assert_eq!(read.case.household.members[0].person.name, "髙橋 𠮷男");
}

#[test]
fn its_three_parts_decode_in_any_order() {
    let parts = vector("single-adult part");
    assert_eq!(parts.len(), 3);
    assert!(parts[0].starts_with("MDG2-3-3-"), "stored last part first");
    assert_eq!(
        decode(&parts, date("2026-04-06")).expect("decodes"),
        single_adult()
    );
}

#[test]
fn a_version_1_code_still_reads_where_the_sex_decides_the_relation() {
    let read = decode(&vector("v1-single-adult symbol"), date("2026-04-06")).expect("decodes");
    assert_eq!(read, single_adult());
    let couple = decode(&vector("v1-couple symbol"), date("2026-04-06")).expect("decodes");
    let members = &couple.case.household.members;
    assert_eq!(members[0].relation, Zokugara::HEAD);
    assert_eq!(members[1].relation, Zokugara::WIFE, "spouse + female = 妻");
}

#[test]
fn a_version_1_code_that_does_not_say_the_relation_is_refused_clearly() {
    let error = decode(&vector("v1-siblings symbol"), date("2026-04-06")).expect_err("refused");
    assert!(
        matches!(&error, PrefillError::OlderFormat { detail } if detail.contains("member 2")),
        "{error:?}"
    );
    assert_eq!(error.code(), "older_format");
    assert!(
        error.message_ja().contains("古い形式"),
        "{}",
        error.message_ja()
    );
    assert!(!error.message_en().contains("一郎"), "no names in messages");
}

/// docs/examples/okuyami.json as a resident would make it at home on 2026-11-25.
fn okuyami() -> Prefill {
    let case: Case =
        serde_json::from_str(include_str!("../../../docs/examples/okuyami.json")).expect("sample");
    Prefill {
        issued: date("2026-11-25"),
        expires: date("2026-12-25"),
        case,
    }
}

/// Version 3 (§4.2): a death, its kind as text, its funeral date (Event 7) and the member who
/// died (Event 8), written by the other implementation, reads as the sample case; our writer
/// makes the same bytes and the same version.
#[test]
fn a_death_written_by_another_implementation_reads_as_version_3() {
    let symbol = vector("okuyami symbol");
    assert!(symbol[0].starts_with("MDG3:"), "{}", symbol[0]);
    let read = decode(&symbol, date("2026-11-27")).expect("decodes");
    assert_eq!(read, okuyami());
    assert_eq!(read.case.event.subject, Some(0));
    let ours: String = to_cbor(&okuyami())
        .expect("encodes")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(ours, vector("okuyami cbor")[0]);
    let written = madoguchi_prefill::encode(&okuyami()).expect("encodes");
    assert!(written[0].starts_with("MDG3:"), "{}", written[0]);
}
