//! `madoguchi-dev demo`: the bundled sample move-in, decided and shown as a clerk would read
//! it, with the catalogue in force.

use std::process::ExitCode;

use anyhow::{Context, Result};
use madoguchi_domain::Case;
use madoguchi_rules::{Decision, Engine};

use madoguchi_kiosk::catalogue_dir::{default_dir, load_quietly};

pub fn run(json: bool) -> Result<ExitCode> {
    // The kiosk runs on the store's newest published catalogue; without a usable store (a
    // read-only home, say) the demo falls back to the shipped one and says so.
    let in_force = madoguchi_kiosk::cmd::store::open()
        .and_then(|store| madoguchi_kiosk::cmd::store::catalogue_in_force(&store));
    let catalogue = match in_force {
        Ok((catalogue, _)) => catalogue,
        Err(error) => {
            eprintln!("store unavailable ({error:#}); using the shipped catalogue");
            std::sync::Arc::new(load_quietly(&default_dir())?)
        }
    };
    let case: Case = madoguchi_kiosk::samples::family_of_four()
        .context("the bundled sample case is not valid")?;
    let engine = Engine::new(&catalogue);
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .context("cannot evaluate the sample")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&decision)?);
    } else {
        print!("{}", summary(&case, &decision));
        println!();
        for line in madoguchi_kiosk::cmd::card::reader_lines() {
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The decision as the clerk's screen will list it: by procedure, with counter, deadline and
/// the reason.
pub fn summary(case: &Case, decision: &Decision) -> String {
    let mut out = format!(
        "Madoguchi — {} / {}, {} people, rules as of {} ({} {})\n\n",
        decision.event_name.ja,
        decision.event_name.en,
        case.household.members.len(),
        decision.as_of,
        decision.catalogue.name,
        decision.catalogue.version
    );
    out.push_str(&format!(
        "必要な手続き / Procedures ({})\n",
        decision.procedures.len()
    ));
    for p in &decision.procedures {
        let deadline = p
            .deadline
            .as_ref()
            .map(|d| {
                let moved = d
                    .moved
                    .as_ref()
                    .map_or_else(String::new, |m| format!("、{}", m.why.ja));
                format!(" — 期限 {}（{}）{moved}", d.wareki, d.date)
            })
            .unwrap_or_default();
        let critical = if p.critical { "★" } else { " " };
        out.push_str(&format!(
            "{critical} [{}] {}{deadline}\n",
            p.counter.name.ja, p.name.ja
        ));
        for r in &p.reasons {
            out.push_str(&format!("      理由: {} / {}\n", r.ja, r.en));
        }
    }
    if !decision.to_confirm.is_empty() {
        out.push_str(&format!(
            "\n要確認 / To confirm ({})\n",
            decision.to_confirm.len()
        ));
        for p in &decision.to_confirm {
            let waiting: Vec<&str> = p.waiting_on.iter().map(|w| w.label.ja.as_str()).collect();
            out.push_str(&format!(
                "  [{}] {} — 確認: {}\n",
                p.counter.name.ja,
                p.name.ja,
                waiting.join("、")
            ));
        }
    }
    if !decision.next_questions.is_empty() {
        out.push_str(&format!(
            "\n次の質問 / Next questions ({})\n",
            decision.next_questions.len()
        ));
        for q in &decision.next_questions {
            out.push_str(&format!("  {} / {}\n", q.text.ja, q.text.en));
        }
    }
    out
}
