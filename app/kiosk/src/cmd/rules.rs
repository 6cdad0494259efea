//! `madoguchi rules …`

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use madoguchi_rules::{Engine, interview, scenario};

use crate::catalogue_dir::{load_or_report, load_quietly, shown_under};
use crate::cmd::cli::CaseArgs;

pub fn check(dir: &Path) -> Result<ExitCode> {
    let (mut loaded, files) = load_or_report(dir)?;
    let today = chrono::Local::now().date_naive();
    loaded.warnings.extend(madoguchi_rules::calendar::staleness(
        &loaded.catalogue.calendar,
        today,
    ));
    for warning in &loaded.warnings {
        eprintln!("{}", shown_under(dir, warning));
    }
    let c = &loaded.catalogue;
    let scenarios = load_scenarios(dir, c, &files)?;
    let ids: std::collections::BTreeSet<&str> =
        c.procedures.iter().map(|p| p.id.as_str()).collect();
    println!(
        "{} {}: {} procedures ({} versions), {} questions, {} counters, {} forms, {} items, {} scenarios: no errors, {} warning(s)",
        c.info.name,
        c.info.version,
        ids.len(),
        c.procedures.len(),
        c.questions.len(),
        c.counters.len(),
        c.forms.len(),
        c.items.len(),
        scenarios.len(),
        loaded.warnings.len()
    );
    println!("{}", calendar_summary(&c.calendar));
    print_languages(c);
    Ok(ExitCode::SUCCESS)
}

/// Each translated language's line: how many texts are translated and reviewed, then the
/// same of the screens' and the sheet's words this build carries (`ui/translations`).
fn print_languages(catalogue: &madoguchi_rules::Catalogue) {
    println!("languages (translations/<code>.toml):");
    for status in &catalogue.languages {
        println!("  {}", status.summary());
    }
    println!("words built in (ui/translations/<code>/LC_MESSAGES):");
    for words in madoguchi_words::statuses() {
        let mut line = format!(
            "  {} {}.po: {} words, {} reviewed",
            words.language.code(),
            words.domain.file_stem(),
            words.words,
            words.reviewed
        );
        if words.reviewed < words.words && !words.drafted.is_empty() {
            line.push_str(&format!(" (draft: {})", words.drafted));
        }
        if !words.reviewers.is_empty() {
            line.push_str(&format!(" (reviewed by {})", words.reviewers.join(", ")));
        }
        println!("{line}");
    }
    for problem in madoguchi_words::problems() {
        println!("  {problem}");
    }
}

/// `madoguchi rules translations`: the languages' lines, or the texts one language lacks as
/// entries of its table, each with its English and where it is written, to fill in.
pub fn translations(dir: &Path, language: Option<madoguchi_domain::Language>) -> Result<ExitCode> {
    let (loaded, _) = load_or_report(dir)?;
    let Some(language) = language else {
        print_languages(&loaded.catalogue);
        return Ok(ExitCode::SUCCESS);
    };
    let lacking = madoguchi_rules::translations::untranslated(&loaded.catalogue, language);
    println!(
        "# {} ({}): {} text(s) to translate; paste into translations/{}.toml and fill in `text`.",
        language.native_name(),
        language.english_name(),
        lacking.len(),
        language.code()
    );
    for text in &lacking {
        println!(
            "\n[[text]]\n# {}:{} — {}\nja = {}\ntext = \"\"",
            text.at.file.display(),
            text.at.line,
            text.en,
            toml_string(&text.ja)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A TOML basic string holding `text`.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The closed days other than weekends from `from` (default today) for `days` days, one per
/// line: 「2026-12-29 (火) 年末年始の休日」.
pub fn calendar(dir: &Path, from: Option<chrono::NaiveDate>, days: u16) -> Result<ExitCode> {
    use madoguchi_domain::calendar::{ClosedBecause, Office};
    let (loaded, _) = load_or_report(dir)?;
    let calendar = &loaded.catalogue.calendar;
    println!("{}", calendar_summary(calendar));
    let first = from.unwrap_or_else(|| chrono::Local::now().date_naive());
    for day in first.iter_days().take(usize::from(days)) {
        let Some(because) = calendar.days.closed_because(day, Office::City) else {
            continue;
        };
        if matches!(because, ClosedBecause::Saturday | ClosedBecause::Sunday) {
            continue;
        }
        let weekday = madoguchi_domain::calendar::weekday_ja(day);
        let unknown = if calendar.days.covers(day) {
            ""
        } else {
            "  (holidays of this year not listed)"
        };
        println!("{day} ({weekday}) {}{unknown}", because.ja());
    }
    Ok(ExitCode::SUCCESS)
}

/// 「開庁日カレンダー: 祝日 2024〜2027年（76日）…」: what the calendar knows, for the supervisor.
fn calendar_summary(calendar: &madoguchi_rules::calendar::Calendar) -> String {
    let days = &calendar.days;
    let holidays = days.holidays().count();
    let years = match (days.holidays().next(), days.holidays().last()) {
        (Some((first, _)), Some((last, _))) => {
            format!("{}〜{}", first.format("%Y"), last.format("%Y"))
        }
        _ => "なし / none".into(),
    };
    format!(
        "calendar / 開庁日カレンダー: national holidays {years} ({holidays} days; {}), the city's own closed days: {}",
        calendar
            .holidays_source
            .as_deref()
            .unwrap_or("source not given"),
        days.city_days().count()
    )
}

fn load_scenarios(
    dir: &Path,
    catalogue: &madoguchi_rules::Catalogue,
    files: &madoguchi_rules::CatalogueFiles,
) -> Result<Vec<scenario::Scenario>> {
    scenario::load_all(catalogue, files).map_err(|problems| {
        for p in &problems {
            eprintln!("{}", shown_under(dir, p));
        }
        anyhow::anyhow!(
            "{} scenario file problem(s); fix the lines above",
            problems.len()
        )
    })
}

pub fn test(dir: &Path, filter: Option<&str>) -> Result<ExitCode> {
    let (loaded, files) = load_or_report(dir)?;
    let catalogue = loaded.catalogue;
    let engine = Engine::new(&catalogue);
    let scenarios = load_scenarios(dir, &catalogue, &files)?;
    let (mut passed, mut failed) = (0, 0);
    for s in scenarios
        .iter()
        .filter(|s| filter.is_none_or(|f| s.file.to_string_lossy().contains(f)))
    {
        let outcome = scenario::run(&engine, s);
        if outcome.failures.is_empty() {
            passed += 1;
            println!("ok   {} — {}", outcome.file.display(), outcome.name);
        } else {
            failed += 1;
            println!("FAIL {} — {}", outcome.file.display(), outcome.name);
            for failure in &outcome.failures {
                println!("       {failure}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub use crate::cmd::input::read_case;

pub fn evaluate(args: &CaseArgs) -> Result<ExitCode> {
    let catalogue = load_quietly(&args.catalogue.dir())?;
    let case = read_case(&args.case)?;
    let engine = Engine::new(&catalogue);
    let as_of = args.as_of.unwrap_or_else(|| case.event.visit_date());
    let decision = engine
        .evaluate(&case, as_of)
        .context("cannot evaluate the case")?;
    tracing::info!(
        procedures = decision.procedures.len(),
        to_confirm = decision.to_confirm.len(),
        next_questions = decision.next_questions.len(),
        "evaluated a case"
    );
    println!("{}", serde_json::to_string_pretty(&decision)?);
    Ok(ExitCode::SUCCESS)
}

pub fn explain(args: &CaseArgs, procedure: &str, json: bool) -> Result<ExitCode> {
    let catalogue = load_quietly(&args.catalogue.dir())?;
    let case = read_case(&args.case)?;
    let engine = Engine::new(&catalogue);
    let as_of = args.as_of.unwrap_or_else(|| case.event.visit_date());
    let explanation = engine
        .explain(&case, as_of, procedure)
        .context("cannot explain")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&explanation)?);
    } else {
        print!("{}", explanation.render());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn interview(dir: &Path) -> Result<ExitCode> {
    let (loaded, files) = load_or_report(dir)?;
    let catalogue = loaded.catalogue;
    let engine = Engine::new(&catalogue);
    let scenarios = load_scenarios(dir, &catalogue, &files)?;
    let report = interview::simulate_all(&engine, &scenarios, None).context("cannot simulate")?;
    for i in &report.interviews {
        let mark = if i.same_decision { "same" } else { "DIFFERENT" };
        println!(
            "{:>2} asked, {mark:<9} {} [{}]",
            i.asked.len(),
            i.scenario,
            i.asked.join(", ")
        );
        for d in &i.differences {
            println!("      {d}");
        }
    }
    println!(
        "average {:.2} of {} questions asked ({:.1}%); decisions equal to the full answers: {}",
        report.average_asked(),
        report.catalogue_questions,
        report.average_share() * 100.0,
        report.all_same_decision()
    );
    Ok(if report.all_same_decision() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
