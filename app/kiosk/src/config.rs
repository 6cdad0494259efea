//! The terminal's one configuration file, `/etc/madoguchi/madoguchi.toml` (docs/deploy.md,
//! field by field): the city, its counters' places, the printer, the kiosk's idle time and
//! language, the store's files and retention, and the counter floor when there is one.
//!
//! Where it is: `MADOGUCHI_CONFIG` (a path; empty for none, as `cargo test` and `cargo run`
//! set it in `.cargo/config.toml`), else `/etc/madoguchi/madoguchi.toml` when that exists.
//! No file: every setting has its default and the store's settings apply, as when the kiosk
//! runs from a checkout.
//!
//! Invariants:
//! - the file is read once per process, bounded (64 KB), and checked whole before anything
//!   uses it: [`check`] lists every problem, one line each with its line number, and a broken
//!   file stops every command that would act on it (the kiosk shows the lines on screen);
//! - what the file sets wins over the store's settings ([`Config::fixed_settings`]): a
//!   supervisor cannot change on screen what the city's IT staff fixed here, and is told so;
//! - the environment (`MADOGUCHI_DB`, `MADOGUCHI_STORE_KEY_FILE`, `MADOGUCHI_CENTRAL`, …) still
//!   wins over the file, for development and tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Result, anyhow};
use madoguchi_store::{FixedSettings, StoreConfig};
use serde::Deserialize;
use toml::Spanned;

use crate::floor::FloorConfig;

/// The installed file's path.
pub const INSTALLED_PATH: &str = "/etc/madoguchi/madoguchi.toml";
/// A configuration file is a page of settings; anything larger is not one.
const MAX_BYTES: u64 = 64 * 1024;

/// What `madoguchi.toml` holds. Every section and field is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub city: CitySection,
    /// Where each counter is, by the catalogue's counter id: `shimin = "本庁舎1階 2番"`.
    #[serde(default)]
    pub counters: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub printer: PrinterSection,
    #[serde(default)]
    pub kiosk: KioskSection,
    #[serde(default)]
    pub store: StoreSection,
    #[serde(default)]
    pub read_aloud: ReadAloudSection,
    /// The counter floor's central database: the same fields as `central.toml`
    /// (docs/central.md). None: the terminal runs alone.
    #[serde(default)]
    pub central: Option<Spanned<FloorConfig>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitySection {
    /// The municipality: 標準市.
    pub name: Option<Spanned<String>>,
    /// The addressee on forms: 標準市長.
    pub mayor: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterSection {
    /// A CUPS queue on this PC (`counter-1`), or an IPP printer's URI
    /// (`ipp://192.0.2.10/ipp/print`).
    pub queue: Option<Spanned<String>>,
    /// Printers nearby the clerk may send a packet to when this one stops (at most
    /// [`MAX_OTHER_PRINTERS`]): `others = [{ queue = "counter-2", name = "2番窓口のプリンター" }]`.
    #[serde(default)]
    pub others: Vec<Spanned<OtherPrinter>>,
}

/// A printer offered when the terminal's own one stops: its queue (as `queue`) and the words
/// the clerk sees.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherPrinter {
    pub queue: String,
    pub name: String,
}

/// A counter has a printer or two within reach; a longer list is not a choice at a glance.
pub const MAX_OTHER_PRINTERS: usize = 4;
/// A printer's name on a button.
const MAX_PRINTER_NAME_CHARS: usize = 30;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskSection {
    /// What this terminal is: `clerk` (the counter's interview, the default) or
    /// `self-service` (the residents' kiosk: the QR code path only).
    pub mode: Option<Spanned<String>>,
    /// Seconds without a tap before the kiosk warns and clears (20 to 3600).
    pub idle_seconds: Option<Spanned<i64>>,
    /// The language every case starts in: `ja`, `en`, or a translated one (`vi`, …).
    pub language: Option<Spanned<String>>,
    /// The languages offered besides Japanese and English (default: every translated one).
    pub languages: Option<Spanned<Vec<String>>>,
    /// Whether a language whose texts nobody has reviewed yet (machine drafts) is offered:
    /// `offer` (the default, marked as a draft on screen) or `hide`.
    pub unreviewed: Option<Spanned<String>>,
    /// One or two capital letters before this terminal's 受付番号.
    pub reception_prefix: Option<Spanned<String>>,
    /// The resident's own display, to the right of the clerk's: its size in pixels. The PIN
    /// pad and the private questions show there, not on the clerk's screen.
    pub resident_screen: Option<Spanned<ResidentScreen>>,
}

/// The よみあげ button: whether it shows, how loud and how fast it reads, and which espeak-ng
/// voice reads a language (Japanese is always Open JTalk's Mei voice).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadAloudSection {
    /// `false`: no よみあげ button (a PC with no speaker or handset).
    pub enabled: Option<Spanned<bool>>,
    /// Per cent of full volume, 0–100 (default 80).
    pub volume: Option<Spanned<i64>>,
    /// Per cent of the voice's normal speed, 50–200 (default 100).
    pub speed: Option<Spanned<i64>>,
    /// espeak-ng voices by language code, replacing the defaults (`fil = "id"` reads Filipino
    /// with the Indonesian voice, which a city may judge good enough; none is the default).
    #[serde(default)]
    pub voices: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// A display's size in pixels, as the compositor lays it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentScreen {
    pub width: i64,
    pub height: i64,
}

/// What a resident's display can be: a small touch panel up to a 4K monitor.
const RESIDENT_WIDTHS: std::ops::RangeInclusive<i64> = 480..=3840;
const RESIDENT_HEIGHTS: std::ops::RangeInclusive<i64> = 320..=2160;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// The kiosk's database file.
    pub database: Option<Spanned<PathBuf>>,
    /// The key that seals personal fields (mode 0600, owned by the kiosk's user).
    pub key_file: Option<Spanned<PathBuf>>,
    /// Days personal fields are kept after a case's last change (1 to 3650).
    pub retention_days: Option<Spanned<i64>>,
}

pub use madoguchi_domain::Language;

/// A loaded file: where it is, its text (for line numbers) and what it says.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    text: String,
    pub config: Config,
}

/// One thing wrong with the file, on one line: `madoguchi.toml:12: [printer] queue: …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub message: String,
}

/// The file's problems, each on its own line, with the file's path.
#[derive(Clone, Debug)]
pub struct Problems {
    pub path: PathBuf,
    pub list: Vec<Problem>,
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, problem) in self.list.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match problem.line {
                Some(line) => write!(f, "{}:{line}: {}", self.path.display(), problem.message)?,
                None => write!(f, "{}: {}", self.path.display(), problem.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// The file's path, when there is one to read.
pub fn path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("MADOGUCHI_CONFIG") {
        // Empty: no file, whatever is installed (the tests and `cargo run` from a checkout).
        return (!path.is_empty()).then(|| PathBuf::from(path));
    }
    let installed = PathBuf::from(INSTALLED_PATH);
    installed.exists().then_some(installed)
}

/// The file this process runs with, read and checked once: `None` when there is none.
pub fn current() -> Result<Option<&'static Loaded>> {
    static CURRENT: OnceLock<Result<Option<Loaded>, Problems>> = OnceLock::new();
    let loaded = CURRENT.get_or_init(|| path().map(|path| load(&path)).transpose());
    match loaded {
        Ok(loaded) => Ok(loaded.as_ref()),
        Err(problems) => Err(anyhow!(
            "設定ファイルに誤りがあります / the configuration file has a problem: {}",
            problems.summary()
        )),
    }
}

impl Problems {
    /// The first problem on one line, and how many more there are (`madoguchi config check`
    /// lists them all).
    pub fn summary(&self) -> String {
        let first = Problems {
            path: self.path.clone(),
            list: self.list.iter().take(1).cloned().collect(),
        };
        match self.list.len() {
            0 | 1 => first.to_string(),
            n => format!("{first} (and {} more: madoguchi config check)", n - 1),
        }
    }
}

/// Reads and checks the file at `path`: the whole file, every problem.
pub fn load(path: &Path) -> Result<Loaded, Problems> {
    let fail = |list| Problems {
        path: path.to_path_buf(),
        list,
    };
    let text = crate::floor::config::read_bounded(path, MAX_BYTES).map_err(|error| {
        fail(vec![Problem {
            line: None,
            message: format!("{error:#}"),
        }])
    })?;
    let config: Config = toml::from_str(&text).map_err(|error| {
        fail(vec![Problem {
            line: error.span().map(|span| line_of(&text, span.start)),
            message: error.message().trim().replace('\n', " "),
        }])
    })?;
    let loaded = Loaded {
        path: path.to_path_buf(),
        text,
        config,
    };
    let problems = loaded.problems();
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(fail(problems))
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

impl Loaded {
    fn at<T>(&self, value: &Spanned<T>, message: String) -> Problem {
        Problem {
            line: Some(line_of(&self.text, value.span().start)),
            message,
        }
    }

    /// Every value checked against what it may hold; the files it names checked to exist.
    fn problems(&self) -> Vec<Problem> {
        let config = &self.config;
        let mut problems = Vec::new();
        let checked = |key: &str, label: &str, value: Option<(String, usize)>| {
            let (value, start) = value?;
            let expected = madoguchi_store::settings::spec(key)?
                .kind
                .check(&value)
                .err()?;
            Some(Problem {
                line: Some(line_of(&self.text, start)),
                message: format!("{label}: must be {expected}"),
            })
        };
        let mut setting = |key: &str, label: &str, value: Option<(String, usize)>| {
            problems.extend(checked(key, label, value));
        };
        let text =
            |v: &Option<Spanned<String>>| v.as_ref().map(|v| (v.get_ref().clone(), v.span().start));
        let number = |v: &Option<Spanned<i64>>| {
            v.as_ref()
                .map(|v| (v.get_ref().to_string(), v.span().start))
        };
        setting("office.city", "[city] name", text(&config.city.name));
        setting("office.mayor", "[city] mayor", text(&config.city.mayor));
        setting("printer", "[printer] queue", text(&config.printer.queue));
        setting(
            "kiosk.idle_seconds",
            "[kiosk] idle_seconds",
            number(&config.kiosk.idle_seconds),
        );
        setting(
            "reception.prefix",
            "[kiosk] reception_prefix",
            text(&config.kiosk.reception_prefix),
        );
        setting(
            "retention_days",
            "[store] retention_days",
            number(&config.store.retention_days),
        );
        for (id, place) in &config.counters {
            let key = format!("counter.{}.place", id.get_ref());
            if madoguchi_store::settings::spec(&key).is_none() {
                problems.push(self.at(
                    id,
                    format!(
                        "[counters] {}: a counter id of the catalogue (small letters, digits, _)",
                        id.get_ref()
                    ),
                ));
            } else {
                problems.extend(checked(
                    &key,
                    &format!("[counters] {}", id.get_ref()),
                    Some((place.get_ref().clone(), place.span().start)),
                ));
            }
        }
        if let Some(mode) = &config.kiosk.mode
            && !matches!(mode.get_ref().as_str(), "clerk" | "self-service")
        {
            problems.push(self.at(mode, "[kiosk] mode: must be clerk or self-service".into()));
        }
        if let (Some(mode), Some(floor)) = (&config.kiosk.mode, config.floor())
            && mode.get_ref() == "self-service"
            && floor.counter.is_some()
        {
            problems.push(self.at(
                mode,
                "[kiosk] mode: a self-service kiosk is not a department counter's terminal (remove counter from [central])".into(),
            ));
        }
        if let Some(screen) = &config.kiosk.resident_screen {
            let ResidentScreen { width, height } = *screen.get_ref();
            if !RESIDENT_WIDTHS.contains(&width) || !RESIDENT_HEIGHTS.contains(&height) {
                problems.push(self.at(
                    screen,
                    format!(
                        "[kiosk] resident_screen: width {}–{} and height {}–{} pixels",
                        RESIDENT_WIDTHS.start(),
                        RESIDENT_WIDTHS.end(),
                        RESIDENT_HEIGHTS.start(),
                        RESIDENT_HEIGHTS.end()
                    ),
                ));
            }
            if config.self_service() {
                problems.push(self.at(
                    screen,
                    "[kiosk] resident_screen: a self-service kiosk is the resident's screen already".into(),
                ));
            }
        }
        if let Some(language) = &config.kiosk.language
            && screen_language(language.get_ref()).is_none()
        {
            problems.push(self.at(
                language,
                format!("[kiosk] language: must be one of {}", screen_codes()),
            ));
        }
        if let Some(languages) = &config.kiosk.languages {
            let unknown: Vec<&String> = languages
                .get_ref()
                .iter()
                .filter(|code| !Language::from_code(code).is_some_and(|l| l.is_translated()))
                .collect();
            if let Some(code) = unknown.first() {
                let translated: Vec<&str> = Language::TRANSLATED.iter().map(|l| l.code()).collect();
                problems.push(self.at(
                    languages,
                    format!(
                        "[kiosk] languages: `{code}` is not one of {} (Japanese and English are always offered)",
                        translated.join(", ")
                    ),
                ));
            }
        }
        if let Some(unreviewed) = &config.kiosk.unreviewed
            && !matches!(unreviewed.get_ref().as_str(), "offer" | "hide")
        {
            problems.push(self.at(
                unreviewed,
                "[kiosk] unreviewed: must be offer or hide".into(),
            ));
        }
        problems.extend(self.read_aloud_problems());
        problems.extend(self.other_printer_problems());
        problems.extend(self.store_problems());
        problems.extend(self.central_problems());
        problems.sort_by_key(|p| p.line);
        problems
    }

    fn read_aloud_problems(&self) -> Vec<Problem> {
        let section = &self.config.read_aloud;
        let mut problems = Vec::new();
        use madoguchi_speech::Delivery;
        let ranges = [
            (
                &section.volume,
                "volume",
                i64::from(*Delivery::VOLUME.start()),
                i64::from(*Delivery::VOLUME.end()),
            ),
            (
                &section.speed,
                "speed",
                i64::from(*Delivery::SPEED.start()),
                i64::from(*Delivery::SPEED.end()),
            ),
        ];
        for (value, name, low, high) in ranges {
            if let Some(value) = value
                && !(low..=high).contains(value.get_ref())
            {
                problems.push(self.at(
                    value,
                    format!("[read_aloud] {name}: a whole number from {low} to {high} (per cent)"),
                ));
            }
        }
        for (code, voice) in &section.voices {
            let language = Language::from_code(code.get_ref());
            if language.is_none_or(Language::is_japanese) {
                problems.push(self.at(
                    code,
                    format!(
                        "[read_aloud] voices: `{}` is not a language espeak-ng reads for the kiosk (en or one of {})",
                        code.get_ref(),
                        Language::TRANSLATED.map(Language::code).join(", ")
                    ),
                ));
            }
            let name = voice.get_ref();
            let plain = !name.is_empty()
                && name.len() <= 40
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/'));
            if !plain {
                problems.push(self.at(
                    voice,
                    "[read_aloud] voices: an espeak-ng voice name (espeak-ng --voices lists them)"
                        .into(),
                ));
            }
        }
        problems
    }

    fn other_printer_problems(&self) -> Vec<Problem> {
        let printer = &self.config.printer;
        let mut problems = Vec::new();
        if let Some(extra) = printer.others.get(MAX_OTHER_PRINTERS) {
            problems.push(self.at(
                extra,
                format!("[printer] others: at most {MAX_OTHER_PRINTERS} printers"),
            ));
        }
        let own = printer.queue.as_ref().map(|q| q.get_ref().trim());
        for (index, other) in printer.others.iter().enumerate() {
            let OtherPrinter { queue, name } = other.get_ref();
            let queue = queue.trim();
            let expected = madoguchi_store::settings::spec("printer")
                .and_then(|spec| spec.kind.check(queue).err());
            if let Some(expected) = expected {
                problems
                    .push(self.at(other, format!("[printer] others: queue must be {expected}")));
            }
            let name_chars = name.trim().chars().count();
            if name_chars == 0
                || name_chars > MAX_PRINTER_NAME_CHARS
                || name.chars().any(char::is_control)
            {
                problems.push(self.at(
                    other,
                    format!(
                        "[printer] others: name must be 1 to {MAX_PRINTER_NAME_CHARS} characters on one line"
                    ),
                ));
            }
            let repeated = printer.others[..index]
                .iter()
                .any(|o| o.get_ref().queue.trim() == queue);
            if own == Some(queue) || repeated {
                problems.push(self.at(other, format!("[printer] others: {queue} is named twice")));
            }
        }
        problems
    }

    fn store_problems(&self) -> Vec<Problem> {
        let store = &self.config.store;
        let mut problems = Vec::new();
        for (label, path) in [
            ("[store] database", &store.database),
            ("[store] key_file", &store.key_file),
        ] {
            let Some(path) = path else { continue };
            let file = path.get_ref();
            if !file.is_absolute() {
                problems.push(self.at(path, format!("{label}: must be an absolute path")));
            } else if !file.parent().is_some_and(Path::is_dir) {
                problems.push(self.at(
                    path,
                    format!(
                        "{label}: the folder {} does not exist",
                        file.parent().unwrap_or(file).display()
                    ),
                ));
            }
        }
        if let (Some(retention), Some(_)) = (&store.retention_days, &self.config.central) {
            problems.push(self.at(
                retention,
                "[store] retention_days: on a counter floor the floor decides it (madoguchi central set-retention); remove it here".into(),
            ));
        }
        problems
    }

    fn central_problems(&self) -> Vec<Problem> {
        let Some(central) = &self.config.central else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        if let Err(error) = central.get_ref().check() {
            problems.push(self.at(central, format!("[central] {error:#}")));
        }
        let floor = central.get_ref();
        let files = [
            ("password_file", Some(&floor.password_file)),
            ("floor_key_file", Some(&floor.floor_key_file)),
            ("publishing_keys_file", Some(&floor.publishing_keys_file)),
            ("ca_file", floor.ca_file.as_ref()),
            ("publishing_key_file", floor.publishing_key_file.as_ref()),
        ];
        for (label, file) in files {
            if let Some(file) = file
                && !file.is_file()
            {
                problems.push(self.at(
                    central,
                    format!("[central] {label}: {} does not exist", file.display()),
                ));
            }
        }
        problems
    }
}

impl Config {
    /// The store's settings this file fixes, by the store's keys (`office.city`,
    /// `counter.shimin.place`, `printer`, …).
    pub fn fixed_settings(&self) -> BTreeMap<String, String> {
        let mut fixed = BTreeMap::new();
        let mut put = |key: String, value: Option<String>| {
            if let Some(value) = value {
                fixed.insert(key, value.trim().to_string());
            }
        };
        let text = |v: &Option<Spanned<String>>| v.as_ref().map(|v| v.get_ref().clone());
        let number = |v: &Option<Spanned<i64>>| v.as_ref().map(|v| v.get_ref().to_string());
        put("office.city".into(), text(&self.city.name));
        put("office.mayor".into(), text(&self.city.mayor));
        put("printer".into(), text(&self.printer.queue));
        put(
            "kiosk.idle_seconds".into(),
            number(&self.kiosk.idle_seconds),
        );
        put(
            "reception.prefix".into(),
            text(&self.kiosk.reception_prefix),
        );
        put("retention_days".into(), number(&self.store.retention_days));
        for (id, place) in &self.counters {
            put(
                format!("counter.{}.place", id.get_ref()),
                Some(place.get_ref().clone()),
            );
        }
        fixed
    }

    pub fn language(&self) -> Language {
        self.kiosk
            .language
            .as_ref()
            .and_then(|l| screen_language(l.get_ref()))
            .unwrap_or(Language::Japanese)
    }

    /// The translated languages this city lists (every one when it lists none).
    pub fn languages(&self) -> Vec<Language> {
        match &self.kiosk.languages {
            None => Language::TRANSLATED.to_vec(),
            Some(codes) => Language::TRANSLATED
                .into_iter()
                .filter(|l| codes.get_ref().iter().any(|c| c == l.code()))
                .collect(),
        }
    }

    /// Whether languages with machine-drafted texts are offered.
    pub fn offer_unreviewed(&self) -> bool {
        self.kiosk.unreviewed.as_ref().map(|u| u.get_ref().as_str()) != Some("hide")
    }

    /// Whether the よみあげ button shows (default: yes).
    pub fn read_aloud(&self) -> bool {
        self.read_aloud
            .enabled
            .as_ref()
            .is_none_or(|e| *e.get_ref())
    }

    /// How loud and fast the kiosk reads.
    pub fn delivery(&self) -> madoguchi_speech::Delivery {
        let section = &self.read_aloud;
        let default = madoguchi_speech::Delivery::default();
        let volume = section
            .volume
            .as_ref()
            .and_then(|v| u8::try_from(*v.get_ref()).ok())
            .unwrap_or(default.volume);
        let speed = section
            .speed
            .as_ref()
            .and_then(|v| u16::try_from(*v.get_ref()).ok())
            .unwrap_or(default.speed);
        madoguchi_speech::Delivery::new(volume, speed)
    }

    /// The voices on this machine with the file's espeak-ng choices.
    pub fn voices(&self, voice_dir: &std::path::Path) -> madoguchi_speech::Voices {
        let mut voices = madoguchi_speech::Voices::installed(voice_dir);
        for (code, voice) in &self.read_aloud.voices {
            if let Some(language) = Language::from_code(code.get_ref()) {
                voices
                    .espeak_voices
                    .insert(language, voice.get_ref().clone());
            }
        }
        voices
    }

    /// Whether this terminal is the residents' self-service kiosk.
    pub fn self_service(&self) -> bool {
        self.kiosk.mode.as_ref().map(|m| m.get_ref().as_str()) == Some("self-service")
    }

    pub fn floor(&self) -> Option<&FloorConfig> {
        self.central.as_ref().map(Spanned::get_ref)
    }
}

/// Where the store is and which settings are fixed: the environment first, then this file,
/// then the defaults (the user's data and config folders).
pub fn store_config() -> Result<(StoreConfig, FixedSettings)> {
    let mut config = StoreConfig::from_env();
    let Some(loaded) = current()? else {
        return Ok((config, FixedSettings::default()));
    };
    let store = &loaded.config.store;
    if std::env::var_os("MADOGUCHI_DB").is_none()
        && let Some(database) = &store.database
    {
        config.db_path = database.get_ref().clone();
    }
    if std::env::var_os("MADOGUCHI_STORE_KEY_FILE").is_none()
        && let Some(key_file) = &store.key_file
    {
        config.key_path = key_file.get_ref().clone();
    }
    let fixed = FixedSettings {
        values: loaded.config.fixed_settings(),
        source: Some(loaded.path.clone()),
    };
    Ok((config, fixed))
}

/// Whether the configuration file makes this terminal the self-service kiosk.
pub fn self_service() -> bool {
    matches!(current(), Ok(Some(loaded)) if loaded.config.self_service())
}

/// The printers the clerk may send a packet to when the terminal's own stops.
pub fn other_printers() -> Vec<OtherPrinter> {
    match current() {
        Ok(Some(loaded)) => loaded
            .config
            .printer
            .others
            .iter()
            .map(|other| {
                let OtherPrinter { queue, name } = other.get_ref();
                OtherPrinter {
                    queue: queue.trim().to_string(),
                    name: name.trim().to_string(),
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The resident's own display (width, height in pixels), when the counter has one.
pub fn resident_screen() -> Option<ResidentScreen> {
    match current() {
        Ok(Some(loaded)) => loaded
            .config
            .kiosk
            .resident_screen
            .as_ref()
            .map(|s| *s.get_ref()),
        _ => None,
    }
}

/// A language a case may start in: any but やさしい日本語, which a resident alone reads
/// whenever the screen is in Japanese.
fn screen_language(code: &str) -> Option<Language> {
    Language::from_code(code).filter(|l| *l != Language::Easy)
}

fn screen_codes() -> String {
    Language::ALL
        .iter()
        .filter(|l| **l != Language::Easy)
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The language every case starts in.
pub fn language() -> Language {
    match current() {
        Ok(Some(loaded)) => loaded.config.language(),
        _ => Language::Japanese,
    }
}

/// The read-aloud settings: `None` when the file turns the button off.
pub fn read_aloud(
    voice_dir: &std::path::Path,
) -> Option<(madoguchi_speech::Voices, madoguchi_speech::Delivery)> {
    match current() {
        Ok(Some(loaded)) if !loaded.config.read_aloud() => None,
        Ok(Some(loaded)) => Some((loaded.config.voices(voice_dir), loaded.config.delivery())),
        _ => Some((
            madoguchi_speech::Voices::installed(voice_dir),
            madoguchi_speech::Delivery::default(),
        )),
    }
}

/// The city's language settings: the languages listed and whether drafts are offered.
pub fn language_settings() -> (Vec<Language>, bool) {
    match current() {
        Ok(Some(loaded)) => (loaded.config.languages(), loaded.config.offer_unreviewed()),
        _ => (Language::TRANSLATED.to_vec(), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(text: &str) -> Result<Loaded, Problems> {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("madoguchi.toml");
        std::fs::write(&path, text).expect("write");
        load(&path)
    }

    #[test]
    fn the_shipped_file_is_valid_and_fixes_nothing_personal() {
        let text = include_str!("../../../packaging/etc/madoguchi.toml");
        let config: Config = toml::from_str(text).expect("the shipped file parses");
        assert!(config.central.is_none());
        assert!(config.store.database.is_some());
    }

    #[test]
    fn every_problem_is_one_line_with_its_line_number() {
        let problems = loaded(
            "[city]\nname = \"標準市\"\n[printer]\nqueue = \"a b\"\n[kiosk]\nidle_seconds = 5\nlanguage = \"fr\"\nreception_prefix = \"a\"\n[counters]\n\"保険\" = \"1階\"\nshimin = \"\"\n",
        )
        .expect_err("five problems");
        let lines: Vec<String> = problems.to_string().lines().map(String::from).collect();
        assert_eq!(lines.len(), 6, "{problems}");
        assert!(lines[0].contains(":4: [printer] queue"), "{problems}");
        assert!(lines[1].contains(":6: [kiosk] idle_seconds"), "{problems}");
        assert!(lines[2].contains(":7: [kiosk] language"), "{problems}");
        assert!(
            lines[3].contains(":8: [kiosk] reception_prefix"),
            "{problems}"
        );
        assert!(lines[4].contains(":10: [counters] 保険"), "{problems}");
        assert!(lines[5].contains(":11: [counters] shimin"), "{problems}");
    }

    #[test]
    fn the_read_aloud_settings_are_checked_and_read() {
        let problems = loaded(
            "[read_aloud]\nvolume = 101\nspeed = 20\n[read_aloud.voices]\nja = \"ja\"\nfil = \"id; rm -rf /\"\n",
        )
        .expect_err("four problems");
        let said = problems.to_string();
        for expected in [
            ":2: [read_aloud] volume: a whole number from 0 to 100",
            ":3: [read_aloud] speed: a whole number from 50 to 200",
            ":5: [read_aloud] voices: `ja` is not a language espeak-ng reads",
            ":6: [read_aloud] voices: an espeak-ng voice name",
        ] {
            assert!(said.contains(expected), "{expected} not in {said}");
        }
        let good =
            loaded("[read_aloud]\nvolume = 60\nspeed = 120\n[read_aloud.voices]\nfil = \"id\"\n")
                .expect("valid");
        let config = &good.config;
        assert!(config.read_aloud());
        assert_eq!(config.delivery(), madoguchi_speech::Delivery::new(60, 120));
        let voices = config.voices(std::path::Path::new("/nowhere"));
        assert_eq!(
            voices.engine(Language::Filipino),
            Some(madoguchi_speech::Engine::Espeak("id".into()))
        );
        let off = loaded("[read_aloud]\nenabled = false\n").expect("valid");
        assert!(!off.config.read_aloud());
        let default = loaded("").expect("valid");
        assert!(default.config.read_aloud());
        assert_eq!(
            default.config.delivery(),
            madoguchi_speech::Delivery::default()
        );
    }

    #[test]
    fn the_languages_offered_are_checked_and_read() {
        let problems = loaded(
            "[kiosk]\nlanguage = \"easy\"\nlanguages = [\"vi\", \"en\"]\nunreviewed = \"maybe\"\n",
        )
        .expect_err("three problems");
        let said = problems.to_string();
        assert!(
            said.contains(":2: [kiosk] language: must be one of ja, en, zh-Hans"),
            "{said}"
        );
        assert!(
            said.contains(":3: [kiosk] languages: `en` is not one of"),
            "{said}"
        );
        assert!(
            said.contains(":4: [kiosk] unreviewed: must be offer or hide"),
            "{said}"
        );
        let good = loaded(
            "[kiosk]\nlanguage = \"vi\"\nlanguages = [\"ne\", \"vi\"]\nunreviewed = \"hide\"\n",
        )
        .expect("valid");
        assert_eq!(good.config.language(), Language::Vietnamese);
        // In the counter's order, whatever the file's.
        assert_eq!(
            good.config.languages(),
            [Language::Vietnamese, Language::Nepali]
        );
        assert!(!good.config.offer_unreviewed());
        let default = loaded("[kiosk]\n").expect("valid");
        assert_eq!(default.config.languages(), Language::TRANSLATED);
        assert!(default.config.offer_unreviewed());
    }

    #[test]
    fn other_printers_are_checked_one_line_each() {
        let good = loaded(
            "[printer]\nqueue = \"counter-1\"\nothers = [{ queue = \"counter-2\", name = \"2番窓口のプリンター\" }]\n",
        )
        .expect("valid");
        assert_eq!(good.config.printer.others.len(), 1);
        let problems = loaded(concat!(
            "[printer]\nqueue = \"counter-1\"\nothers = [\n",
            "  { queue = \"counter-1\", name = \"同じ\" },\n",
            "  { queue = \"a b\", name = \"空白\" },\n",
            "  { queue = \"c\", name = \"\" },\n",
            "  { queue = \"d\", name = \"二\\n行\" },\n",
            "  { queue = \"e\", name = \"五番目\" },\n",
            "]\n",
        ))
        .expect_err("five problems");
        let text = problems.to_string();
        assert!(
            text.contains(":4: [printer] others: counter-1 is named twice"),
            "{text}"
        );
        assert!(
            text.contains(":5: [printer] others: queue must be"),
            "{text}"
        );
        assert!(
            text.contains(":6: [printer] others: name must be"),
            "{text}"
        );
        assert!(
            text.contains(":7: [printer] others: name must be"),
            "{text}"
        );
        assert!(text.contains(":8: [printer] others: at most 4"), "{text}");
        let unknown = loaded("[printer]\nothers = [{ queue = \"x\", nam = \"y\" }]\n");
        assert!(unknown.is_err());
    }

    #[test]
    fn a_residents_screen_has_a_size_a_display_can_have() {
        let good = loaded("[kiosk]\nresident_screen = { width = 1024, height = 600 }\n");
        let good = good.expect("valid");
        assert_eq!(
            good.config.kiosk.resident_screen.map(|s| *s.get_ref()),
            Some(ResidentScreen {
                width: 1024,
                height: 600
            })
        );
        for text in [
            "[kiosk]\nresident_screen = { width = 0, height = 600 }\n",
            "[kiosk]\nresident_screen = { width = 1024, height = 99999999999 }\n",
            "[kiosk]\nmode = \"self-service\"\nresident_screen = { width = 1024, height = 600 }\n",
        ] {
            let problems = loaded(text).expect_err(text).to_string();
            assert!(problems.contains("[kiosk] resident_screen"), "{problems}");
        }
        assert!(loaded("[kiosk]\nresident_screen = { width = 1024 }\n").is_err());
    }

    #[test]
    fn an_unknown_field_or_bad_syntax_names_its_line() {
        let problems = loaded("[city]\nname = \"標準市\"\nprinter = \"x\"\n").expect_err("unknown");
        assert_eq!(problems.list.len(), 1);
        assert_eq!(problems.list[0].line, Some(3), "{problems}");
        assert!(problems.to_string().contains("printer"), "{problems}");
        let problems = loaded("[city\nname = 1\n").expect_err("syntax");
        assert_eq!(problems.list[0].line, Some(1), "{problems}");
        let problems = loaded("[store]\ndatabase = \"relative.sqlite3\"\n").expect_err("relative");
        assert!(problems.to_string().contains("absolute"), "{problems}");
    }

    #[test]
    fn what_the_file_sets_becomes_the_stores_fixed_settings() {
        let loaded = loaded(
            "[city]\nname = \"標準市\"\nmayor = \"標準市長\"\n[counters]\nshimin = \"本庁舎1階 2番\"\n[printer]\nqueue = \"ipp://192.0.2.10/ipp/print\"\n[kiosk]\nidle_seconds = 120\nlanguage = \"en\"\n",
        )
        .expect("valid");
        let fixed = loaded.config.fixed_settings();
        assert_eq!(fixed["office.city"], "標準市");
        assert_eq!(fixed["counter.shimin.place"], "本庁舎1階 2番");
        assert_eq!(fixed["printer"], "ipp://192.0.2.10/ipp/print");
        assert_eq!(fixed["kiosk.idle_seconds"], "120");
        assert_eq!(loaded.config.language(), Language::English);
    }

    #[test]
    fn a_self_service_kiosk_is_no_counters_terminal() {
        let problems = loaded(
            "[kiosk]\nmode = \"self-service\"\n[central]\nconnection = \"host=/x user=k\"\npassword_file = \"/etc/passwd\"\nfloor_key_file = \"/etc/passwd\"\npublishing_keys_file = \"/etc/passwd\"\ncounter = \"kodomo\"\n",
        )
        .expect_err("a contradiction");
        assert_eq!(problems.list.len(), 1, "{problems}");
        assert!(
            problems.to_string().contains(":2: [kiosk] mode"),
            "{problems}"
        );
    }

    #[test]
    fn tests_from_a_checkout_read_no_installed_file() {
        // .cargo/config.toml gives every test an empty MADOGUCHI_CONFIG: a developer's PC
        // with the package installed must not lend its settings to the tests.
        assert_eq!(std::env::var("MADOGUCHI_CONFIG").as_deref(), Ok(""));
        assert_eq!(path(), None);
    }

    #[test]
    fn a_large_file_is_refused_unread() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("madoguchi.toml");
        std::fs::write(&path, vec![b'#'; 100_000]).expect("write");
        let problems = load(&path).expect_err("too large");
        assert_eq!(problems.list.len(), 1);
        assert!(problems.to_string().contains("too large"), "{problems}");
    }
}
