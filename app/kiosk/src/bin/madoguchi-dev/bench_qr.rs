//! `madoguchi-dev bench qr`: the size of the family-of-four code, and how often and how fast each
//! decoder reads the synthetic degraded frames (madoguchi_prefill::corpus).
//!
//! Timing is printed, never asserted. Build with `--release` for figures worth quoting.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use madoguchi_domain::{Answer, Case, CertificateKind, CertificateRequest};
use madoguchi_prefill::corpus::{self, Frame};
use madoguchi_prefill::scan::{self, Engine};
use madoguchi_prefill::{Prefill, render};

const SINGLE_ADULT: &str = include_str!("../../../../../docs/examples/single-adult.json");

fn prefill(case: Case) -> Prefill {
    let issued = case.event.visit_date() - chrono::Days::new(7);
    Prefill {
        issued,
        expires: issued + chrono::Days::new(30),
        case,
    }
}

/// The payloads the corpus shows: the family of four with certificates (the size that matters),
/// a single adult (small), and one part of a code too large for one symbol (version 20).
pub fn payloads() -> Result<Vec<String>> {
    let mut family: Case = madoguchi_kiosk::samples::family_of_four().context("sample case")?;
    family.certificates = vec![
        CertificateRequest {
            kind: CertificateKind::Juminhyo,
            copies: 2,
        },
        CertificateRequest {
            kind: CertificateKind::InkanTourokuShomei,
            copies: 1,
        },
    ];
    let single: Case = serde_json::from_str(SINGLE_ADULT).context("single adult")?;
    let mut large = family.clone();
    for i in 0..12 {
        let text: String = (0..24)
            .filter_map(|j| char::from_u32(0x4E00 + ((i * 7919 + j * 104_729) % 20_000)))
            .collect();
        large
            .answers
            .insert(format!("note_{i}"), Answer::Choice(text));
    }
    let mut payloads = madoguchi_prefill::encode(&prefill(family))?;
    payloads.extend(madoguchi_prefill::encode(&prefill(single))?);
    let large = madoguchi_prefill::encode(&prefill(large))?;
    payloads.extend(large.into_iter().take(1));
    Ok(payloads)
}

fn read_all(frame: &Frame, engine: Engine) -> (bool, Duration) {
    let start = Instant::now();
    let found = scan::symbols_with(&frame.image, engine);
    let elapsed = start.elapsed();
    (frame.expected.iter().all(|e| found.contains(e)), elapsed)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

pub fn run(per_kind: u64, save: Option<&Path>) -> Result<ExitCode> {
    let profile = if cfg!(debug_assertions) {
        "debug build: figures are not representative"
    } else {
        "release build"
    };
    let payloads = payloads()?;
    println!("bench qr ({profile})");
    for (name, payload) in ["family of four", "single adult", "one part of a large code"]
        .iter()
        .zip(&payloads)
    {
        println!(
            "payload, {name}: {} characters, QR version {} at ECC M",
            payload.len(),
            render::qr_version(payload).unwrap_or(0)
        );
    }
    let frames = corpus::standard(&payloads, per_kind);
    if let Some(dir) = save {
        std::fs::create_dir_all(dir)?;
        for (i, frame) in frames.iter().enumerate() {
            let name = format!("{i:03}-{}.png", frame.kind.name().replace(' ', "-"));
            frame.image.save(dir.join(name))?;
        }
    }
    println!(
        "corpus: {} frames of {}×{} ({} kinds)",
        frames.len(),
        corpus::WIDTH,
        corpus::HEIGHT,
        corpus::Kind::ALL.len()
    );
    for engine in Engine::ALL {
        let mut by_kind: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
        let mut times = Vec::new();
        for frame in &frames {
            let (read, elapsed) = read_all(frame, engine);
            let entry = by_kind.entry(frame.kind.name()).or_default();
            entry.0 += u32::from(read);
            entry.1 += 1;
            times.push(elapsed);
        }
        times.sort();
        let read: u32 = by_kind.values().map(|(r, _)| r).sum();
        let total = frames.len() as f64;
        let mean = times.iter().sum::<Duration>().as_secs_f64() * 1e3 / total;
        println!(
            "{:<17} read {read}/{} = {:.1}% (target ≥ 98%); per frame mean {mean:.1} ms, median {:.1} ms, p95 {:.1} ms (target ≤ 30 ms)",
            engine.name(),
            frames.len(),
            f64::from(read) * 100.0 / total,
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
        );
        let detail: Vec<String> = by_kind
            .iter()
            .map(|(kind, (r, n))| format!("{kind} {r}/{n}"))
            .collect();
        println!("                  {}", detail.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
