//! `madoguchi doctor`: what a technician checks first at a counter that does not work, one
//! line each with a verdict — the card reader service and its readers, the printer, the store
//! and its key, the catalogue in force and the languages it offers, the counter floor — and
//! exit 3 when something is wrong.
//! It reads and asks; it changes nothing (opening the store brings its schema up to date, as
//! every command does).

use std::os::unix::fs::PermissionsExt;
use std::process::ExitCode;

use madoguchi_card::CardService;
use madoguchi_printer::{Cups, PrinterReadiness};
use madoguchi_store::StoreConfig;

use crate::cmd::{card as card_cmd, print as print_cmd, store as store_cmd};
use crate::floor::FloorConfig;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Works, with something to know (a virtual reader, a floor that cannot be reached now).
    Note,
    Wrong,
}

/// One line of the report.
#[derive(Clone, Debug)]
pub struct Check {
    pub what: &'static str,
    pub verdict: Verdict,
    pub detail: String,
}

impl Check {
    fn new(what: &'static str, verdict: Verdict, detail: impl Into<String>) -> Check {
        Check {
            what,
            verdict,
            detail: detail.into(),
        }
    }

    /// The printed line: 「[OK] 保存領域: …」.
    pub fn line(&self) -> String {
        let mark = match self.verdict {
            Verdict::Ok => "[OK]",
            Verdict::Note => "[注意]",
            Verdict::Wrong => "[NG]",
        };
        format!("{mark} {}: {}", self.what, self.detail)
    }
}

pub fn run() -> anyhow::Result<ExitCode> {
    let checks = checks();
    for check in &checks {
        println!("{}", check.line());
    }
    if checks.iter().any(|c| c.verdict == Verdict::Wrong) {
        eprintln!("something is wrong: see the lines marked [NG]");
        Ok(ExitCode::from(3))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Every check, in the order a technician goes.
pub fn checks() -> Vec<Check> {
    let mut checks = vec![configuration(), readers(), read_aloud()];
    let store = match store_cmd::open() {
        Ok(store) => store,
        Err(error) => {
            checks.push(Check::new(
                "保存領域 / store",
                Verdict::Wrong,
                format!("{error:#}"),
            ));
            checks.push(floor());
            return checks;
        }
    };
    checks.push(store_integrity(&store));
    checks.push(key());
    checks.push(catalogue(&store));
    checks.push(languages(&store));
    checks.push(printer(&store));
    checks.push(floor());
    checks
}

fn readers() -> Check {
    let what = "カード読み取り機 / card readers";
    match card_cmd::reader_reports(&CardService::new()) {
        Err(error) => Check::new(
            what,
            Verdict::Wrong,
            format!("{} (systemctl status pcscd)", error.message_en()),
        ),
        Ok(reports) if reports.is_empty() => Check::new(
            what,
            Verdict::Wrong,
            "no reader is connected: plug the reader in (pcscd is running)",
        ),
        Ok(reports) => {
            let names: Vec<String> = reports.iter().map(|r| r.reader.name.clone()).collect();
            let only_virtual = reports.iter().all(|r| r.reader.is_virtual);
            let verdict = if only_virtual {
                Verdict::Note
            } else {
                Verdict::Ok
            };
            let mut detail = format!("{}: {}", reports.len(), names.join(", "));
            if only_virtual {
                detail.push_str(" (virtual readers only: demos and tests, not a counter)");
            }
            Check::new(what, verdict, detail)
        }
    }
}

/// よみあげ: which languages a voice reads here, and whether this user's sound service answers
/// (the kiosk's own session has its own: a technician's shell may not reach it).
fn read_aloud() -> Check {
    use madoguchi_domain::Language;
    let what = "よみあげ / read-aloud";
    let Some((voices, _)) = crate::config::read_aloud(&crate::catalogue_dir::voice_dir()) else {
        return Check::new(
            what,
            Verdict::Ok,
            "turned off ([read_aloud] enabled = false)",
        );
    };
    let languages = Language::ALL.into_iter().filter(|l| *l != Language::Easy);
    let (read, unread): (Vec<Language>, Vec<Language>) = languages.partition(|l| voices.speaks(*l));
    let mut detail = format!(
        "reads {}",
        read.iter().map(|l| l.code()).collect::<Vec<_>>().join(", ")
    );
    for language in &unread {
        let why = voices
            .missing(*language)
            .unwrap_or_else(|| "no voice ([read_aloud] voices)".into());
        detail.push_str(&format!("; not {}: {why}", language.code()));
    }
    let mut verdict = if read.contains(&Language::Japanese) {
        Verdict::Ok
    } else {
        Verdict::Wrong
    };
    if let Err(error) =
        madoguchi_speech::sound_service_answers(&madoguchi_speech::Output::default())
    {
        if verdict == Verdict::Ok {
            verdict = Verdict::Note;
        }
        detail.push_str(&format!(
            "; {error} (for this user: the kiosk's session has its own)"
        ));
    }
    Check::new(what, verdict, detail)
}

/// The store's files as the store was opened with them: the configuration file's when it is
/// readable, else the environment's and the defaults.
fn store_paths() -> StoreConfig {
    crate::config::store_config().map_or_else(|_| StoreConfig::from_env(), |(paths, _)| paths)
}

fn configuration() -> Check {
    let what = "設定ファイル / configuration";
    match (crate::config::path(), crate::config::current()) {
        (None, _) => Check::new(
            what,
            Verdict::Note,
            format!(
                "none ({} is not there): defaults and the store's settings apply",
                crate::config::INSTALLED_PATH
            ),
        ),
        (Some(path), Ok(_)) => {
            Check::new(what, Verdict::Ok, format!("{} is valid", path.display()))
        }
        (Some(_), Err(error)) => Check::new(
            what,
            Verdict::Wrong,
            format!("{error:#}").replace('\n', "; "),
        ),
    }
}

fn store_integrity(store: &madoguchi_store::Store) -> Check {
    let what = "保存領域 / store";
    let path = store_paths().db_path;
    match store.integrity_check() {
        Ok(result) if result == "ok" => {}
        Ok(result) => {
            return Check::new(
                what,
                Verdict::Wrong,
                format!("{} is damaged: {result}", path.display()),
            );
        }
        Err(error) => return Check::new(what, Verdict::Wrong, error.to_string()),
    }
    match store.info() {
        Ok(info) => Check::new(
            what,
            Verdict::Ok,
            format!(
                "{} intact; {} cases, {} with personal fields",
                path.display(),
                info.cases,
                info.cases_with_personal_fields
            ),
        ),
        Err(error) => Check::new(what, Verdict::Wrong, error.to_string()),
    }
}

fn key() -> Check {
    let what = "暗号鍵 / store key";
    // The store opened, so the key opens what it sealed; its file must stay private.
    let path = store_paths().key_path;
    match std::fs::metadata(&path) {
        Ok(meta) if meta.permissions().mode() & 0o077 == 0 => Check::new(
            what,
            Verdict::Ok,
            format!("{} (only its owner may read it)", path.display()),
        ),
        Ok(meta) => Check::new(
            what,
            Verdict::Wrong,
            format!(
                "{} can be read by others (mode {:o}): chmod 600 it",
                path.display(),
                meta.permissions().mode() & 0o777
            ),
        ),
        Err(error) => Check::new(what, Verdict::Wrong, format!("{}: {error}", path.display())),
    }
}

fn catalogue(store: &madoguchi_store::Store) -> Check {
    let what = "手続きカタログ / catalogue";
    match store_cmd::catalogue_in_force(store) {
        Ok((catalogue, checksum)) => Check::new(
            what,
            Verdict::Ok,
            format!(
                "{} {} in force ({} procedures, checksum {})",
                catalogue.info.name,
                catalogue.info.version,
                catalogue.procedures.len(),
                checksum.get(..12).unwrap_or(&checksum)
            ),
        ),
        Err(error) => Check::new(what, Verdict::Wrong, format!("{error:#}")),
    }
}

/// The languages this kiosk offers with the catalogue in force, those with machine drafts,
/// and each listed one it leaves out with why (translations, fonts, the city's settings).
fn languages(store: &madoguchi_store::Store) -> Check {
    let what = "言語 / languages";
    let Ok((catalogue, _)) = store_cmd::catalogue_in_force(store) else {
        return Check::new(what, Verdict::Note, "no catalogue in force: see its line");
    };
    let offered = crate::languages::for_kiosk(&catalogue);
    let mut detail: Vec<String> = offered
        .languages
        .iter()
        .map(|language| {
            if offered.drafts.contains(language) {
                format!("{} (machine draft)", language.code())
            } else {
                language.code().to_string()
            }
        })
        .collect();
    detail.extend(
        offered
            .withheld
            .iter()
            .map(|(language, why)| format!("not {}: {why}", language.code())),
    );
    let verdict = if offered.withheld.is_empty() {
        Verdict::Ok
    } else {
        Verdict::Note
    };
    Check::new(what, verdict, detail.join(", "))
}

fn printer(store: &madoguchi_store::Store) -> Check {
    let what = "プリンター / printer";
    let name = match print_cmd::printer_name(None, store) {
        Ok(name) => name,
        Err(error) => return Check::new(what, Verdict::Wrong, format!("{error:#}")),
    };
    match Cups::from_env().readiness(&name) {
        Ok(PrinterReadiness::Ready) => Check::new(what, Verdict::Ok, format!("{name} is ready")),
        Ok(PrinterReadiness::NotReady(why)) => {
            Check::new(what, Verdict::Wrong, format!("{name}: {why}"))
        }
        Err(error) => Check::new(what, Verdict::Wrong, format!("{name}: {error}")),
    }
}

fn floor() -> Check {
    let what = "フロア / counter floor";
    let config = match FloorConfig::from_env() {
        Ok(Some(config)) => config,
        Ok(None) => {
            return Check::new(
                what,
                Verdict::Ok,
                "no floor settings: this terminal runs alone",
            );
        }
        Err(error) => return Check::new(what, Verdict::Wrong, format!("{error:#}")),
    };
    let options = match config.connect_options() {
        Ok(options) => options,
        Err(error) => return Check::new(what, Verdict::Wrong, format!("{error:#}")),
    };
    if let Err(error) = config.floor_key() {
        return Check::new(what, Verdict::Wrong, format!("the floor key: {error:#}"));
    }
    match madoguchi_central::Central::connect(&options) {
        Ok(_) => Check::new(what, Verdict::Ok, "the central database answers"),
        // The terminal serves offline and sends later: worth knowing, not a broken counter.
        Err(error) => Check::new(
            what,
            Verdict::Note,
            format!(
                "the central database cannot be reached now ({error}); cases wait and are sent later"
            ),
        ),
    }
}
