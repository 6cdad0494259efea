//! What a card answers: the TLV parser and the basic facts (EF 0002) on damaged, forged and
//! random bytes.

use madoguchi_card::{BasicFacts, tlv};

use crate::qr::Noise;
use crate::support::{LIMIT, Section, within};

fn named() -> Vec<(String, Vec<u8>)> {
    let mut corpus = vec![
        ("nothing".to_string(), vec![]),
        (
            "a length of 2^32 (84)".into(),
            vec![0xFF, 0x20, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],
        ),
        (
            "a length of 2^40 (85)".into(),
            vec![0xFF, 0x20, 0x85, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        ),
        (
            "a length past the end".into(),
            vec![0xFF, 0x20, 0x82, 0x40, 0x00, 0x01],
        ),
        ("a tag that never ends".into(), vec![0xDF; 64]),
        ("only filler".into(), vec![0xFF; 4096]),
        ("only zeros".into(), vec![0x00; 4096]),
        (
            "a birth date of year 0".into(),
            [
                &[0xFF, 0x20, 0x1A][..],
                &[0xDF, 0x22, 0x01, b'a'],
                &[0xDF, 0x23, 0x01, b'b'],
                &[0xDF, 0x24, 0x08],
                b"00000101",
                &[0xDF, 0x25, 0x01, b'1'],
            ]
            .concat(),
        ),
    ];
    let mut nested = Vec::new();
    for _ in 0..10_000 {
        nested.splice(0..0, [0x70, 0x82, 0x00, 0x00]);
    }
    corpus.push(("10,000 nested headers".into(), nested));
    corpus
}

/// Parses (and reads the facts from) every input: errors are answers, panics and hangs not.
pub fn tlv(random: usize) -> Section {
    let mut section = Section::new("card TLV (tlv::parse, BasicFacts::from_file)");
    let mut noise = Noise(0x2545_f491_4f6c_dd1d);
    let mut corpus = named();
    for n in 0..random {
        let len = noise.below(300);
        let mut bytes: Vec<u8> = (0..len).map(|_| noise.next() as u8).collect();
        if n % 2 == 0 && bytes.len() > 3 {
            bytes[0] = 0xFF;
            bytes[1] = 0x20;
        }
        corpus.push((format!("random {n}"), bytes));
    }
    for (name, bytes) in corpus {
        let outcome = within(LIMIT, move || {
            let _ = tlv::parse(&bytes);
            let _ = BasicFacts::from_file(&bytes).map(|facts| facts.to_person());
        });
        section.check(&name, outcome.err());
    }
    section
}
