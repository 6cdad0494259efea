//! `madoguchi store …`: the kiosk's database from the command line. The database and key
//! paths come from `MADOGUCHI_DB` and `MADOGUCHI_STORE_KEY_FILE` (or `MADOGUCHI_STORE_KEY`),
//! as for the kiosk.

use std::io::Write;
use std::process::ExitCode;

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{Local, NaiveDate, TimeZone, Utc};
use madoguchi_domain::{Answers, Case};
use madoguchi_store::{CatalogueStatus, Opened, Role, Store, StoreConfig};

use crate::catalogue_dir;
use crate::demo::SAMPLE_CASE;
use madoguchi_kiosk::supervisor;

pub fn open() -> Result<Store> {
    let config = StoreConfig::from_env();
    let Opened {
        store,
        set_aside,
        purged,
    } = Store::open(&config, Utc::now())?;
    let mut store = store;
    if let Some(moved) = set_aside {
        eprintln!(
            "データベースが壊れていたため {} に移し、新しく始めました。/ The database was damaged: it was set aside as {} and a fresh one started.",
            moved.display(),
            moved.display()
        );
    }
    if purged > 0 {
        eprintln!(
            "保存期間を過ぎた個人情報を {purged} 件消去しました / purged {purged} expired personal records"
        );
    }
    import_shipped_catalogue(&mut store)?;
    Ok(store)
}

/// The folder of the catalogue in force: the store's newest published version, written once
/// into the cache under its checksum (`~/.cache/madoguchi/catalogues/<sha256>`), so that every
/// kiosk start after a publication uses the new rules.
pub fn catalogue_in_force() -> Result<std::path::PathBuf> {
    let store = open()?;
    let version = store
        .newest_published()?
        .context("the store has no published catalogue")?;
    let cache = std::env::var_os("MADOGUCHI_CACHE")
        .map(std::path::PathBuf::from)
        .or_else(|| dirs_cache().map(|d| d.join("madoguchi")))
        .context("no cache directory")?
        .join("catalogues");
    let dir = cache.join(&version.checksum);
    if !dir.join("catalogue.toml").exists() {
        let partial = cache.join(format!(
            "{}.partial-{}",
            version.checksum,
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&partial);
        catalogue_dir::write_files(&partial, &version.files)?;
        if std::fs::rename(&partial, &dir).is_err() {
            // Another process wrote the same version first.
            let _ = std::fs::remove_dir_all(&partial);
        }
    }
    Ok(dir)
}

fn dirs_cache() -> Option<std::path::PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))
}

/// On first start the store has no catalogue: the shipped default becomes version 1.
fn import_shipped_catalogue(store: &mut Store) -> Result<()> {
    if !store.catalogue_versions()?.is_empty() {
        return Ok(());
    }
    let dir = catalogue_dir::default_dir();
    let loaded = catalogue_dir::load_quietly(&dir)?;
    let files = catalogue_dir::read_files(&dir)?;
    let note = format!(
        "shipped default {} {}",
        loaded.info.name, loaded.info.version
    );
    store.add_catalogue(
        &files,
        CatalogueStatus::Published,
        "system",
        &note,
        Utc::now(),
    )?;
    Ok(())
}

/// A validated catalogue folder becomes the newest published version, after its impact on
/// the scenarios and recent cases is printed. A folder written by `export-catalogue` carries a
/// `SHA256SUM` and is refused if it does not match. Audited.
pub fn import_catalogue(dir: &Path, note: &str, author: &str) -> Result<ExitCode> {
    catalogue_dir::load_or_report(dir)?;
    let files = if dir.join(supervisor::CHECKSUM_FILE).exists() {
        supervisor::read_export(dir).map_err(anyhow::Error::msg)?
    } else {
        catalogue_dir::read_files(dir)?
    };
    let mut store = open()?;
    print_impact(&store, &files)?;
    let id = store.add_catalogue(&files, CatalogueStatus::Published, author, note, Utc::now())?;
    println!("published catalogue version {id} ({} files)", files.len());
    Ok(ExitCode::SUCCESS)
}

/// What publishing `files` would change, against the version in force.
fn print_impact(store: &Store, files: &std::collections::BTreeMap<String, String>) -> Result<()> {
    let Some(current) = store.newest_published()? else {
        return Ok(());
    };
    let (before, _old) = catalogue_dir::load_files(&current.files)
        .map_err(|_| anyhow::anyhow!("the version in force ({}) does not load", current.id))?;
    let (after, _new) = catalogue_dir::load_files(files)
        .map_err(|_| anyhow::anyhow!("the catalogue does not load"))?;
    let scenarios = madoguchi_rules::scenario::load_all(&after.catalogue).map_err(|problems| {
        anyhow::anyhow!(
            "the scenarios do not load: {}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    let recent: Vec<madoguchi_rules::impact::RecentCase> = store
        .recent_finished(200)?
        .into_iter()
        .map(|r| madoguchi_rules::impact::RecentCase {
            label: format!("case #{}", r.id),
            as_of: r.case.event.visit_date(),
            case: r.case,
        })
        .collect();
    let impact =
        madoguchi_rules::impact::compare(&before.catalogue, &after.catalogue, &scenarios, &recent);
    println!(
        "impact against version {}: {} of {} scenarios change, {} fail; {} of {} recent cases change",
        current.id,
        impact.changed_scenarios(),
        impact.scenarios.len(),
        impact.failing_scenarios(),
        impact.changed_cases(),
        impact.cases.len()
    );
    for comparison in impact
        .scenarios
        .iter()
        .chain(&impact.cases)
        .filter(|c| c.changed())
    {
        println!(
            "  {}: +[{}] -[{}]",
            comparison.label,
            comparison.added().join(", "),
            comparison.removed().join(", ")
        );
    }
    if impact.failing_scenarios() > 0 {
        bail!(
            "{} scenario(s) fail with this catalogue; fix them (or their expectations) before importing",
            impact.failing_scenarios()
        );
    }
    Ok(())
}

/// Writes a stored version (default: the newest published) out as a folder, with its
/// `SHA256SUM` for the kiosk that imports it.
pub fn export_catalogue(out: &Path, id: Option<i64>) -> Result<ExitCode> {
    let store = open()?;
    let version = match id {
        Some(id) => store.catalogue(id)?,
        None => store.newest_published()?,
    };
    let Some(version) = version else {
        bail!("no such catalogue version");
    };
    supervisor::export_version(&version, out)?;
    println!(
        "catalogue version {} ({}, {}) -> {} (sha256 {})",
        version.id,
        version.status,
        version.note,
        out.display(),
        version.checksum
    );
    Ok(ExitCode::SUCCESS)
}

/// The day's start in the kiosk's time zone, as UTC.
fn local_day_start(day: NaiveDate) -> Result<chrono::DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0).context("midnight")?;
    Ok(Local
        .from_local_datetime(&midnight)
        .earliest()
        .context("no such local time")?
        .with_timezone(&Utc))
}

/// Cases started from `from` to `to` (inclusive, local dates) as CSV or JSON
/// (docs/export.md). Every export is audited; with personal fields, under the actor's name.
pub fn export(
    from: NaiveDate,
    to: NaiveDate,
    json: bool,
    personal: bool,
    actor: &str,
    out: Option<&Path>,
) -> Result<ExitCode> {
    let mut store = open()?;
    let start = local_day_start(from)?;
    let end = local_day_start(to + chrono::Days::new(1))?;
    let cases = store.export(start, end, personal)?;
    let bytes = if json {
        serde_json::to_vec_pretty(&cases)?
    } else {
        madoguchi_store::export::to_csv(&cases, personal)?
    };
    match out {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    let action = if personal {
        "store.export.personal"
    } else {
        "store.export"
    };
    store.audit(
        Utc::now(),
        actor,
        action,
        &format!("{} cases {from}..{to}", cases.len()),
    )?;
    eprintln!("exported {} cases", cases.len());
    Ok(ExitCode::SUCCESS)
}

/// Adds or updates a staff account; the password comes from standard input.
/// Settings a city changes, and what they are for.
const SETTINGS: [(&str, &str); 5] = [
    (
        "office.city",
        "the municipality, e.g. 標準市 (forms address 「標準市長」)",
    ),
    ("office.mayor", "the addressee on forms, e.g. 標準市長"),
    (
        "counter.",
        "counter.<id>.place: where a counter is, for the guidance sheet",
    ),
    ("printer", "the CUPS queue packets print on"),
    (
        "retention_days",
        "days personal fields are kept after a case's last change",
    ),
];

pub fn set(key: Option<&str>, value: Option<&str>, actor: &str) -> Result<ExitCode> {
    let mut store = open()?;
    let (Some(key), Some(value)) = (key, value) else {
        for (key, value) in store.settings_with_prefix("")? {
            if SETTINGS.iter().any(|(known, _)| key.starts_with(known)) {
                println!("{key} = {value}");
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let known = SETTINGS.iter().any(|(known, _)| {
        key == *known || (known.ends_with('.') && key.starts_with(known) && key.ends_with(".place"))
    });
    if !known {
        let list: Vec<String> = SETTINGS
            .iter()
            .map(|(k, why)| format!("{k} ({why})"))
            .collect();
        bail!("unknown setting {key}; settings are: {}", list.join("; "));
    }
    if key == "retention_days" && value.parse::<u32>().is_err() {
        bail!("retention_days must be a whole number of days");
    }
    store.set_setting(key, value)?;
    store.audit(Utc::now(), actor, "settings.set", key)?;
    println!("{key} = {value}");
    Ok(ExitCode::SUCCESS)
}

pub fn add_staff(login: &str, supervisor: bool, actor: &str) -> Result<ExitCode> {
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.chars().count() < 10 {
        bail!("a password needs at least 10 characters");
    }
    let role = if supervisor {
        Role::Supervisor
    } else {
        Role::Clerk
    };
    open()?.set_staff(login, role, password, actor, Utc::now())?;
    println!("{login}: {}", role.id());
    Ok(ExitCode::SUCCESS)
}

pub fn info(json: bool, check: bool) -> Result<ExitCode> {
    let store = open()?;
    let info = store.info()?;
    if check {
        let result = store.integrity_check()?;
        eprintln!("integrity check: {result}");
        if result != "ok" {
            return Ok(ExitCode::FAILURE);
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&info)?);
    } else {
        println!("database        {}", info.path);
        println!("schema version  {}", info.schema_version);
        println!(
            "cases           {} ({} open, {} with personal fields)",
            info.cases, info.open_cases, info.cases_with_personal_fields
        );
        println!("catalogues      {}", info.catalogue_versions);
        println!("print jobs      {} waiting", info.print_jobs_waiting);
        println!("audit entries   {}", info.audit_entries);
        println!(
            "retention       {} days (last purge {})",
            info.retention_days,
            info.last_purge.as_deref().unwrap_or("never")
        );
    }
    if let Some(unfinished) = store.unfinished_case()? {
        println!(
            "unfinished case {} at step \"{}\" (last saved {}): `madoguchi store resume` shows it",
            unfinished.id, unfinished.step, unfinished.updated_at
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn purge() -> Result<ExitCode> {
    let mut store = open()?;
    let removed = store.purge(Utc::now())?;
    store.audit(
        Utc::now(),
        "cli",
        "store.purge.requested",
        &format!("{removed} removed"),
    )?;
    println!(
        "purged {removed} records older than {} days",
        store.retention_days()?
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints the case a stopped kiosk left open, as the kiosk would offer to resume it.
pub fn resume() -> Result<ExitCode> {
    let store = open()?;
    match store.unfinished_case()? {
        Some(unfinished) => {
            let out = serde_json::json!({
                "id": unfinished.id,
                "step": unfinished.step,
                "updated_at": unfinished.updated_at,
                "case": unfinished.case,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("再開できる手続きはありません / no unfinished case");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Plays a clerk's session on the sample family: one checkpoint per step (the household, then
/// one answer per step), printing `checkpoint N` after each is saved. Tests kill it midway.
pub fn simulate(case_file: Option<&Path>, pause_ms: u64, finish: bool) -> Result<ExitCode> {
    let mut store = open()?;
    let text = match case_file {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
        None => SAMPLE_CASE.to_owned(),
    };
    let full: Case = serde_json::from_str(&text).context("not a case (docs/case.md)")?;
    let mut case = full.clone();
    case.answers = Answers::new();
    let id = store.start_case(Utc::now())?;
    let mut stdout = std::io::stdout();
    store.checkpoint(id, "household", &case, &[], Utc::now())?;
    writeln!(stdout, "case {id}")?;
    writeln!(stdout, "checkpoint 0")?;
    stdout.flush()?;
    for (n, (question, answer)) in full.answers.iter().enumerate() {
        std::thread::sleep(std::time::Duration::from_millis(pause_ms));
        case.answers.insert(question.clone(), answer.clone());
        store.checkpoint(id, &format!("interview {}", n + 1), &case, &[], Utc::now())?;
        writeln!(stdout, "checkpoint {}", n + 1)?;
        stdout.flush()?;
    }
    if finish {
        store.finish_case(id, 0, Utc::now())?;
        writeln!(stdout, "finished")?;
    }
    Ok(ExitCode::SUCCESS)
}
