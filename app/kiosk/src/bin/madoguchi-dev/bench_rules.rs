//! `madoguchi-dev bench rules`: how fast the engine decides, and how short the interview is.
//!
//! Timing is printed, never asserted: these machines are shared and noisy. Build with
//! `--release` for figures worth quoting.

use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use madoguchi_domain::Case;
use madoguchi_rules::{Engine, interview, scenario};

use madoguchi_kiosk::catalogue_dir::load_or_report;

fn time_per_evaluation(engine: &Engine<'_>, case: &Case, iterations: u32) -> Result<f64> {
    let as_of = case.event.visit_date();
    engine.evaluate(case, as_of)?; // warm up, and fail early on a bad case
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(engine.evaluate(black_box(case), as_of)?);
    }
    Ok(start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations.max(1)))
}

pub fn rules(dir: &Path, iterations: u32) -> Result<ExitCode> {
    let (loaded, files) = load_or_report(dir)?;
    let catalogue = loaded.catalogue;
    let engine = Engine::new(&catalogue);
    let profile = if cfg!(debug_assertions) {
        "debug build: figures are not representative"
    } else {
        "release build"
    };
    println!(
        "bench rules ({profile}), catalogue {} {}",
        catalogue.info.name, catalogue.info.version
    );

    let sample: Case = madoguchi_kiosk::samples::family_of_four()
        .context("the bundled sample case is not valid")?;
    let micros = time_per_evaluation(&engine, &sample, iterations)?;
    println!(
        "evaluate, family of four (docs/examples): {micros:.1} µs per case over {iterations} runs (target < 50 µs)"
    );

    let scenarios = scenario::load_all(&catalogue, &files).map_err(|p| {
        anyhow::anyhow!(
            "{} scenario file problem(s); run `madoguchi rules test`",
            p.len()
        )
    })?;
    let per_scenario = (iterations / 10).max(1);
    let mut total = 0.0;
    let mut worst = (0.0_f64, String::new());
    for s in &scenarios {
        let m = time_per_evaluation(&engine, &s.case, per_scenario)?;
        total += m;
        if m > worst.0 {
            worst = (m, s.name.clone());
        }
    }
    println!(
        "evaluate, {} scenarios: {:.1} µs mean, {:.1} µs worst ({}) over {per_scenario} runs each",
        scenarios.len(),
        total / scenarios.len().max(1) as f64,
        worst.0,
        worst.1
    );

    // The interview's length, event by event: the target is under 40% of the catalogue's
    // questions on average, with every decision equal to the full-answer one.
    for event in &catalogue.events {
        let report = interview::simulate_all(&engine, &scenarios, Some(event.id))?;
        if report.interviews.is_empty() {
            println!("interview, {} ({}): no scenarios", event.id, event.name.ja);
            continue;
        }
        println!(
            "interview, {} scenarios of {} ({}): {:.2} of {} questions asked on average ({:.1}%, target < 40%); max {}; every decision equals the full-answer decision: {}",
            report.interviews.len(),
            event.id,
            event.name.ja,
            report.average_asked(),
            report.catalogue_questions,
            report.average_share() * 100.0,
            report
                .interviews
                .iter()
                .map(|i| i.asked.len())
                .max()
                .unwrap_or(0),
            report.all_same_decision()
        );
    }
    Ok(ExitCode::SUCCESS)
}
