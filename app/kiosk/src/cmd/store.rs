//! `madoguchi store …`: the kiosk's database from the command line. The database and key
//! paths come from `MADOGUCHI_DB` and `MADOGUCHI_STORE_KEY_FILE` (or `MADOGUCHI_STORE_KEY`),
//! as for the kiosk.

use std::process::ExitCode;

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{Local, NaiveDate, TimeZone, Utc};
use madoguchi_store::catalogue::Submitted;
use madoguchi_store::{Opened, Role, Store};

use crate::catalogue_dir;
use crate::cmd::sign_in::{self, Passwords};

pub fn open() -> Result<Store> {
    crate::cmd::close_store_on_signals();
    let (config, fixed) = crate::config::store_config()?;
    let Opened {
        store,
        set_aside,
        purged,
    } = Store::open_with_fixed(&config, fixed, Utc::now())?;
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
    // The desk that approves versions signs them with the city's publishing key.
    if let Some(key) = crate::floor::config::publishing_key()? {
        store.sign_publications_with(key);
    }
    Ok(store)
}

/// The catalogue in force: the store's newest published version, loaded from its files in
/// memory, with the checksum that names it.
pub fn catalogue_in_force(
    store: &Store,
) -> Result<(std::sync::Arc<madoguchi_rules::Catalogue>, String)> {
    let version = store
        .newest_published()?
        .context("the store has no published catalogue")?;
    let loaded = catalogue_dir::load_version(&version.files).map_err(|problems| {
        anyhow::anyhow!(
            "the published catalogue (version {}) does not load: {problems}",
            version.id
        )
    })?;
    Ok((std::sync::Arc::new(loaded.catalogue), version.checksum))
}

/// On first start the store has no catalogue: the shipped default becomes version 1.
fn import_shipped_catalogue(store: &mut Store) -> Result<()> {
    if store.newest_published()?.is_some() {
        return Ok(());
    }
    let dir = catalogue_dir::default_dir();
    let (loaded, files) = catalogue_dir::load_or_report(&dir)?;
    let note = format!(
        "shipped default {} {}",
        loaded.catalogue.info.name, loaded.catalogue.info.version
    );
    store.seed_catalogue(&files, &note, Utc::now())?;
    Ok(())
}

/// A validated catalogue folder is submitted by a signed-in supervisor, after its impact on
/// the scenarios and recent cases is printed: published at once, or (the default) waiting for
/// a second supervisor's `approve-catalogue`. A folder written by `export-catalogue` carries a
/// `SHA256SUM` and is refused if it does not match. Audited under the supervisor.
pub fn import_catalogue(dir: &Path, note: &str, login: Option<&str>) -> Result<ExitCode> {
    let login = sign_in::required(login, "importing a catalogue")?;
    let (_, files) = catalogue_dir::load_or_report(dir)?;
    if madoguchi_store::catalogue_folder::is_export(dir) {
        madoguchi_store::catalogue_folder::verify_export(dir, &files)?;
    }
    if let Some(trusted) = crate::floor::config::trusted_keys()? {
        madoguchi_store::catalogue_folder::verify_signature(dir, &files, &trusted)?;
    }
    let mut store = open()?;
    let supervisor = sign_in::supervisor(&mut store, login, &mut Passwords::new())?;
    print_impact(&store, &files)?;
    match store.propose(&files, note, &supervisor, Utc::now())? {
        Submitted::Published(id) => {
            println!("published catalogue version {id} ({} files)", files.len());
        }
        Submitted::Pending(id) => println!(
            "catalogue version {id} ({} files) waits for a second supervisor: `madoguchi store approve-catalogue {id} --as LOGIN`",
            files.len()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Every stored version, newest first: id, status, author, who decided, the note.
pub fn catalogues() -> Result<ExitCode> {
    let store = open()?;
    for version in store.catalogue_versions()? {
        println!(
            "{:>4}  {:<9}  {}  by {}{}  {}",
            version.id,
            version.status,
            version.created_at,
            version.author,
            version
                .decided_by
                .as_deref()
                .map(|d| format!(", decided by {d}"))
                .unwrap_or_default(),
            version.note
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A second supervisor approves a pending version (決裁): it is published.
pub fn approve_catalogue(id: i64, login: Option<&str>) -> Result<ExitCode> {
    let login = sign_in::required(login, "approving a catalogue")?;
    let mut store = open()?;
    let supervisor = sign_in::supervisor(&mut store, login, &mut Passwords::new())?;
    let published = store.approve(id, &supervisor, Utc::now())?;
    println!("approved version {id}: published as version {published}");
    Ok(ExitCode::SUCCESS)
}

/// A second supervisor sends a pending version back (差戻し), with the reason.
pub fn reject_catalogue(id: i64, reason: &str, login: Option<&str>) -> Result<ExitCode> {
    let login = sign_in::required(login, "sending a catalogue back")?;
    let mut store = open()?;
    let supervisor = sign_in::supervisor(&mut store, login, &mut Passwords::new())?;
    store.reject(id, reason, &supervisor, Utc::now())?;
    println!("version {id} sent back");
    Ok(ExitCode::SUCCESS)
}

/// What publishing `files` would change, against the version in force.
fn print_impact(store: &Store, files: &std::collections::BTreeMap<String, String>) -> Result<()> {
    let Some(current) = store.newest_published()? else {
        return Ok(());
    };
    let before = catalogue_dir::load_version(&current.files)
        .map_err(|_| anyhow::anyhow!("the version in force ({}) does not load", current.id))?;
    let after = catalogue_dir::load_version(files)
        .map_err(|_| anyhow::anyhow!("the catalogue does not load"))?;
    let scenarios =
        madoguchi_rules::scenario::load_all(&after.catalogue, files).map_err(|problems| {
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
    let signature = store.catalogue_signature(version.id)?;
    madoguchi_store::catalogue_folder::write_export(&version, signature.as_ref(), out)?;
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
/// (docs/export.md). With personal fields only for a signed-in supervisor, audited under their
/// account; the file is private (0600) and whole or not written at all. Rows that cannot be
/// read are named and the rest exported (exit status 3).
pub fn export(
    from: NaiveDate,
    to: NaiveDate,
    json: bool,
    personal: bool,
    login: Option<&str>,
    out: Option<&Path>,
) -> Result<ExitCode> {
    let mut store = open()?;
    let start = local_day_start(from)?;
    let end = local_day_start(
        to.checked_add_days(chrono::Days::new(1))
            .context("the last day is outside the calendar")?,
    )?;
    let export = if personal {
        let login = sign_in::required(login, "an export with personal fields")?;
        let supervisor = sign_in::supervisor(&mut store, login, &mut Passwords::new())?;
        store.export_personal(start, end, &supervisor, Utc::now())?
    } else {
        let export = store.export(start, end)?;
        store.audit(
            Utc::now(),
            "cli",
            "store.export",
            &format!("{} cases {from}..{to}", export.cases.len()),
        )?;
        export
    };
    let bytes = if json {
        serde_json::to_vec_pretty(&export.cases)?
    } else {
        madoguchi_store::export::to_csv(&export.cases, personal)?
    };
    match out {
        Some(path) => crate::output::write_private(path, &bytes)
            .with_context(|| format!("writing {}", path.display()))?,
        None => crate::cmd::write_stdout(&bytes)?,
    }
    eprintln!("exported {} cases", export.cases.len());
    if !export.unreadable.is_empty() {
        let ids: Vec<String> = export.unreadable.iter().map(i64::to_string).collect();
        eprintln!(
            "警告: 案件 {} の個人情報を読めませんでした（破損または別の暗号鍵）。ほかの案件は書き出しました / warning: the personal fields of case(s) {} cannot be read (damaged, or sealed with another key); the other cases were exported",
            ids.join(", "),
            ids.join(", ")
        );
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

/// Lists the settings (and any stored value out of its range), or sets one as a signed-in
/// supervisor (audited under their account).
pub fn set(key: Option<&str>, value: Option<&str>, login: Option<&str>) -> Result<ExitCode> {
    let mut store = open()?;
    let (Some(key), Some(value)) = (key, value) else {
        for (key, value) in store.settings_with_prefix("")? {
            if madoguchi_store::settings::spec(&key).is_some() {
                println!("{key} = {value}");
            }
        }
        for problem in store.setting_problems()? {
            eprintln!("warning: {problem}");
        }
        return Ok(ExitCode::SUCCESS);
    };
    let login = sign_in::required(login, "changing a setting")?;
    let supervisor = sign_in::supervisor(&mut store, login, &mut Passwords::new())?;
    store.change_setting(&supervisor, key, value, Utc::now())?;
    println!("{key} = {}", value.trim());
    Ok(ExitCode::SUCCESS)
}

/// Adds or updates a staff account as a signed-in supervisor. The very first supervisor of a
/// store needs no sign-in (there is nobody to give one): docs/security.md. Passwords are read
/// as `sign_in` says: the supervisor's first, then the new account's.
pub fn add_staff(login: &str, supervisor: bool, by: Option<&str>) -> Result<ExitCode> {
    let mut store = open()?;
    let mut passwords = Passwords::new();
    let role = if supervisor {
        Role::Supervisor
    } else {
        Role::Clerk
    };
    let stored = if !store.has_supervisor()? && by.is_none() {
        if !supervisor {
            bail!(
                "the store has no supervisor yet: make the first one with --supervisor, then add others as that supervisor"
            );
        }
        let password = passwords.read(&format!(
            "新しい管理者 {login} のパスワード / password for the first supervisor {login}: "
        ))?;
        store
            .bootstrap_supervisor(login, &password, Utc::now())?
            .login()
            .to_string()
    } else {
        let by = sign_in::required(by, "adding or changing a staff account")?;
        let signed_in = sign_in::supervisor(&mut store, by, &mut passwords)?;
        let password = passwords.read(&format!(
            "{login} の新しいパスワード / new password for {login}: "
        ))?;
        store.set_staff(&signed_in, login, role, &password, Utc::now())?
    };
    println!("{stored}: {}", role.id());
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
        println!("key             {}", info.key_source);
        for problem in &info.setting_problems {
            println!("warning         {problem}");
        }
    }
    if let Some(unfinished) = store.unfinished_case()? {
        // A hint for people: on standard error, so that `--json` stays one document.
        eprintln!(
            "unfinished case {} at step \"{}\" (last saved {}): `madoguchi store resume` shows it",
            unfinished.id, unfinished.step, unfinished.updated_at
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `store backup --out FILE`: the whole database, copied while kiosks work. Audited.
pub fn backup(out: &Path) -> Result<ExitCode> {
    let mut store = open()?;
    store.backup_to(out)?;
    store.audit(Utc::now(), "cli", "store.backup", "copied")?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up the store to {} ({} KB); back up the store key apart from it",
        out.display(),
        size / 1024
    );
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
