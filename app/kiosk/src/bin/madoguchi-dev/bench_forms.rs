//! `madoguchi-dev bench forms`: the time and size of the full packet, from the decision to the
//! PDF bytes with the fonts loaded once as the kiosk does, for a family of four moving in
//! (`docs/examples/eight-forms.json`: the guidance sheet and every form of its move-in) and for the largest
//! household of the samples (`forms/samples/longest.json`: eight people with the longest
//! names and addresses, every procedure that applies and all its forms) and the one whose
//! private answers bring the welfare and health forms (`forms/samples/private-matters.json`).
//! Timing is printed, never asserted.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use madoguchi_domain::Case;
use madoguchi_forms::Fonts;
use madoguchi_rules::Engine;

use madoguchi_kiosk::catalogue_dir;
use madoguchi_kiosk::packet::{self, Local, PacketInput};

pub const EIGHT_FORMS: &str = include_str!("../../../../../docs/examples/eight-forms.json");
const LONGEST: &str = include_str!("../../../../../forms/samples/longest.json");
const PRIVATE_MATTERS: &str = include_str!("../../../../../forms/samples/private-matters.json");

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

pub fn run(iterations: usize) -> Result<ExitCode> {
    let profile = if cfg!(debug_assertions) {
        "debug build: figures are not representative"
    } else {
        "release build"
    };
    let catalogue = catalogue_dir::load_quietly(&catalogue_dir::default_dir())?;
    let started = Instant::now();
    let library = packet::load_library(&packet::default_forms_dir())?;
    let templates = started.elapsed();
    let started = Instant::now();
    let fonts = Fonts::load();
    let font_load = started.elapsed();
    // The forms of a packet are filled side by side: the figures depend on the cores.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("bench forms ({profile}, {cores} core(s)), {iterations} packets each");
    for (name, json, size_target) in [
        ("family of four (eight-forms.json)", EIGHT_FORMS, "1 MB"),
        (
            "household of eight (forms/samples/longest.json)",
            LONGEST,
            "2 MB",
        ),
        (
            "single mother's household of eight (forms/samples/private-matters.json)",
            PRIVATE_MATTERS,
            "2 MB",
        ),
    ] {
        let case: Case = serde_json::from_str(json).context("sample case")?;
        let decision = Engine::new(&catalogue).evaluate(&case, packet::as_of(&case))?;
        let local = Local::default();
        let input = PacketInput {
            case: &case,
            decision: &decision,
            local: &local,
            reception: "A-012",
            guidance: true,
            language: madoguchi_forms::SheetLanguage::Japanese,
        };
        let mut times = Vec::with_capacity(iterations);
        let mut made = None;
        for _ in 0..iterations.max(1) {
            let started = Instant::now();
            let packet = packet::make(&library, &fonts, &input)?;
            times.push(started.elapsed());
            made = Some(packet);
        }
        let made = made.context("no packet")?;
        times.sort();
        let median = times[times.len() / 2];
        let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
        println!("  {name}");
        println!(
            "    packet: guidance sheet + {} forms, {} pages; {} without a template",
            made.forms.len(),
            made.pages,
            made.without_template.len()
        );
        println!(
            "    time:   median {:.1} ms, p95 {:.1} ms, fastest {:.1} ms (target < 300 ms)",
            ms(median),
            ms(p95),
            ms(times[0])
        );
        println!(
            "    size:   {} bytes = {:.0} KB (target < {size_target})",
            made.pdf.len(),
            made.pdf.len() as f64 / 1024.0
        );
    }
    println!(
        "  once per process: templates {:.1} ms, fonts {:.1} ms (IPAmj明朝 {})",
        ms(templates),
        ms(font_load),
        if fonts.mincho().is_some() {
            "loaded"
        } else {
            "not installed"
        }
    );
    Ok(ExitCode::SUCCESS)
}
