//! The decoder against synthetic degraded camera frames (a camera cannot run here; see
//! `madoguchi_prefill::corpus`): rotation, tilt, blur, noise, low contrast, uneven light, a
//! phone screen's moiré, small symbols and two symbols in one frame. Prints the success rate per
//! kind; `madoguchi-dev bench qr` measures the same with more frames and timing.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use madoguchi_domain::Case;
use madoguchi_prefill::corpus::{self, Kind};
use madoguchi_prefill::scan::{self, Engine};
use madoguchi_prefill::{Prefill, decode, encode};

fn symbols(json: &str) -> Vec<String> {
    let case: Case = serde_json::from_str(json).expect("sample case");
    let issued = NaiveDate::from_ymd_opt(2026, 4, 1).expect("date");
    encode(&Prefill {
        issued,
        expires: issued + chrono::Days::new(30),
        case,
    })
    .expect("encodes")
}

#[test]
fn the_kiosk_engine_reads_at_least_98_percent_of_degraded_frames() {
    let mut payloads = symbols(include_str!("../../../docs/examples/family-of-four.json"));
    payloads.extend(symbols(include_str!(
        "../../../docs/examples/single-adult.json"
    )));
    let frames = corpus::standard(&payloads, 3);
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for frame in &frames {
        let found = scan::symbols_with(&frame.image, Engine::Cascade);
        let read = frame.expected.iter().all(|e| found.contains(e));
        let entry = by_kind.entry(frame.kind.name()).or_default();
        entry.0 += usize::from(read);
        entry.1 += 1;
        if read && frame.kind != Kind::TwoCodes {
            // What the camera read decodes to the case, not just to some text.
            let today = NaiveDate::from_ymd_opt(2026, 4, 10).expect("date");
            assert!(
                decode(&found, today).is_ok(),
                "{:?} seed {}",
                frame.kind,
                frame.seed
            );
        }
    }
    let read: usize = by_kind.values().map(|(r, _)| r).sum();
    let rate = read as f64 / frames.len() as f64;
    println!(
        "cascade: {read}/{} frames = {:.1}%",
        frames.len(),
        rate * 100.0
    );
    for (kind, (r, n)) in &by_kind {
        println!("  {kind}: {r}/{n}");
    }
    assert_eq!(
        by_kind.len(),
        Kind::ALL.len(),
        "every kind is in the corpus"
    );
    assert!(rate >= 0.98, "success rate {:.1}%", rate * 100.0);
}

#[test]
fn frames_are_the_same_for_the_same_seed() {
    let payloads = symbols(include_str!("../../../docs/examples/single-adult.json"));
    let a = corpus::frame(Kind::PhoneScreen, &payloads, 7).expect("frame");
    let b = corpus::frame(Kind::PhoneScreen, &payloads, 7).expect("frame");
    assert_eq!(a.image, b.image);
    assert_eq!(
        (a.image.width(), a.image.height()),
        (corpus::WIDTH, corpus::HEIGHT)
    );
}
