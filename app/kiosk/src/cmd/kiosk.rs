//! `madoguchi` (no arguments) and `madoguchi kiosk`: the touchscreen kiosk.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::floor::board::{BoardKind, BoardParts, BoardPrinting, FloorBoard, Follower};
use crate::floor::{FloorConfig, FloorLink};
use crate::packet;
use crate::runtime::feed::CatalogueFeed;
use crate::runtime::spooler::Spooler;
use crate::runtime::{CameraFactory, Runtime, Services};
use crate::session::{Mode, Session, Timeouts};
use crate::ui::board::BoardUi;
use crate::ui::{KioskApp, KioskWindow, Setup};
use anyhow::{Context, Result};
use madoguchi_card::CardService;
use madoguchi_card::residence::signature::TrustStore;
use madoguchi_forms::Fonts;
use madoguchi_prefill::camera::{FrameSource, ImageSequence};
use madoguchi_printer::Cups;
use slint::ComponentHandle;

use crate::catalogue_dir;
use crate::cmd::{print as print_cmd, store as store_cmd};

/// How the kiosk runs.
#[derive(Debug, Clone, Default)]
pub struct KioskArgs {
    pub self_service: bool,
    pub catalogue: Option<PathBuf>,
    /// Seconds without a tap before the warning ends the session.
    pub idle: Option<u64>,
    /// A department counter's terminal: its 受付一覧 instead of the interview (or the floor
    /// settings' `counter`).
    pub counter: Option<String>,
}

pub fn run(args: &KioskArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let (window, app) = match open(args) {
        Ok(opened) => opened,
        Err(error) => return stopped(error),
    };
    let _timer = KioskApp::start_timer(&app);
    tracing::info!(ms = started.elapsed().as_millis() as u64, "kiosk ready");
    window.run().context(
        "the kiosk window could not run (is there a display? DISPLAY or WAYLAND_DISPLAY)",
    )?;
    Ok(ExitCode::SUCCESS)
}

/// How long the problem screen stays before the process ends, so that the service manager
/// starts it again and it tries afresh (a key put back, a database freed).
const STOPPED_RETRY: Duration = Duration::from_secs(60);

/// The kiosk cannot start: what is wrong goes to the journal (stderr) and on screen, where a
/// technician reads it and a resident reads that the terminal is not available. The screen
/// ends as soon as the configuration file changes, or after [`STOPPED_RETRY`]; the service
/// then starts the kiosk again. Exit status 1.
fn stopped(error: anyhow::Error) -> Result<ExitCode> {
    // No display at all: the error alone, as every command says it.
    let Ok(window) = crate::ui::StoppedWindow::new() else {
        return Err(error);
    };
    // A broken configuration file: every line of it, as `config check` prints them.
    let problems = match crate::config::path().map(|path| crate::config::load(&path)) {
        Some(Err(problems)) => format!(
            "設定ファイルに誤りがあります / the configuration file has problems:\n{problems}"
        ),
        _ => error
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    };
    eprintln!("error: the kiosk cannot start:\n{problems}");
    window.set_problems(problems.into());
    window.set_check_command("madoguchi config check; madoguchi doctor".into());
    // Watched off the UI thread: the window only draws.
    let config_seen = config_stamp();
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        while config_stamp() == config_seen && started.elapsed() < STOPPED_RETRY {
            std::thread::sleep(Duration::from_secs(2));
        }
        let _ = slint::invoke_from_event_loop(|| {
            let _ = slint::quit_event_loop();
        });
    });
    window.run().context(
        "the kiosk window could not run (is there a display? DISPLAY or WAYLAND_DISPLAY)",
    )?;
    Ok(ExitCode::FAILURE)
}

/// When the configuration file last changed, if there is one.
fn config_stamp() -> Option<std::time::SystemTime> {
    let path = crate::config::path()?;
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The kiosk's handles on the store — its runtime's and the supervisor desk's, one connection
/// between them — and the catalogue it starts with.
#[derive(Debug)]
pub struct KioskStores {
    pub runtime: madoguchi_store::Store,
    pub desk: madoguchi_store::Store,
    pub catalogue: Arc<madoguchi_rules::Catalogue>,
    /// The stored version's checksum; none for a catalogue folder given on the command line.
    pub checksum: Option<String>,
}

/// Opens the store as the kiosk does (`madoguchi-dev store-hold` uses the same path in tests),
/// with the catalogue in force: the store's newest published version, or a fixed folder.
pub fn stores(catalogue: Option<&std::path::Path>) -> Result<KioskStores> {
    let runtime = store_cmd::open()?;
    let (catalogue, checksum) = match catalogue {
        Some(dir) => (Arc::new(catalogue_dir::load_quietly(dir)?), None),
        None => {
            let (catalogue, checksum) = store_cmd::catalogue_in_force(&runtime)?;
            (catalogue, Some(checksum))
        }
    };
    Ok(KioskStores {
        desk: runtime.share(),
        runtime,
        catalogue,
        checksum,
    })
}

/// The window with its app attached and the first screen drawn, not yet running.
pub fn open(args: &KioskArgs) -> Result<(KioskWindow, std::rc::Rc<std::cell::RefCell<KioskApp>>)> {
    let KioskStores {
        runtime: store,
        desk: desk_store,
        catalogue,
        checksum,
    } = stores(args.catalogue.as_deref())?;
    let mut args = args.clone();
    args.self_service |= args.counter.is_none() && crate::config::self_service();
    let args = &args;
    let mode = if args.self_service {
        Mode::SelfService
    } else {
        Mode::Clerk
    };
    // Only a clerk is offered the case a stopped kiosk left open.
    let resume = match mode {
        Mode::Clerk => store.unfinished_case().unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read the unfinished case");
            None
        }),
        Mode::SelfService => None,
    };
    let today = chrono::Local::now().date_naive();
    let mut timeouts = Timeouts::default();
    if let Some(idle) = args
        .idle
        .or_else(|| setting_secs(&store, "kiosk.idle_seconds"))
    {
        timeouts.idle = Duration::from_secs(idle.max(20));
        timeouts.warning = timeouts.warning.min(timeouts.idle / 2);
    }
    let city = packet::local_settings(Some(&store)).office.city;
    let printer = print_cmd::printer_name(None, &store).ok();
    let floor_config = FloorConfig::from_env()?;
    let counter = board_counter(args, floor_config.as_ref(), &catalogue)?;
    let floor = floor_link(floor_config.as_ref(), &store)?;
    let board_store = store.share();
    let board_feed = checksum.clone().map(CatalogueFeed::new);
    let local = packet::local_settings(Some(&store));
    let board_catalogue = catalogue.clone();
    let services = Services {
        card: CardService::new(),
        residence_trust: residence_trust(),
        store,
        cups: Cups::from_env(),
        printer: printer.clone(),
        forms: packet::default_forms_dir(),
        fonts: Fonts::load(),
        camera: camera(),
        // A catalogue given on the command line is a fixed one; otherwise the kiosk follows
        // the store's publications from its next case.
        catalogue_feed: checksum.map(CatalogueFeed::new),
        floor: floor.as_ref().map(FloorLink::poker),
    };
    let window = KioskWindow::new().context("cannot open the kiosk window")?;
    let language = crate::config::language();
    let offered = crate::languages::for_kiosk(&catalogue);
    let session = Session::new(catalogue, mode, today)
        .with_timeouts(timeouts)
        .with_unfinished(resume);
    let app = KioskApp::attach(
        &window,
        Setup {
            session,
            clock: crate::ui::Clock::Local,
            city,
        },
        Runtime::start(services),
    );
    app.borrow_mut().offer_languages(offered);
    app.borrow_mut().start_cases_in(language);
    if let Some((voices, delivery)) = crate::config::read_aloud(&crate::catalogue_dir::voice_dir())
    {
        let speaker =
            madoguchi_speech::Speaker::start(voices, delivery, madoguchi_speech::Output::default());
        app.borrow_mut().set_speaker(speaker);
    }
    app.borrow()
        .offer_printers(&crate::config::other_printers());
    app.borrow()
        .set_resident_screen(crate::config::resident_screen());
    if let (Some(config), Some(link)) = (floor_config.as_ref(), floor.as_ref()) {
        let kind = counter.map_or(BoardKind::Desk, BoardKind::Counter);
        let options = config.connect_options()?;
        let board = FloorBoard::new(BoardParts {
            kind: kind.clone(),
            catalogue: board_catalogue,
            feed: board_feed,
            options: options.clone(),
            store: board_store,
            floor_key: config.floor_key()?,
            poker: Some(link.poker()),
            printing: BoardPrinting {
                forms_dir: packet::default_forms_dir(),
                local,
                printer: printer.clone(),
                spooler: Spooler::new(Cups::from_env()),
            },
        });
        app.borrow_mut().set_board(BoardUi::attach(
            &window,
            board,
            Follower::start(&kind, options),
        ));
    }
    if let Some(link) = floor {
        app.borrow_mut().set_floor_link(link);
    }
    // Supervisors work in the same window, on the same store (one connection per process).
    if !args.self_service {
        let offset = *chrono::Local::now().offset();
        let mut desk = crate::supervisor::Desk::new(desk_store, offset);
        // On the floor the desk's statistics and impact preview read the whole floor.
        if let Some(config) = floor_config.as_ref() {
            desk = desk.with_floor(crate::supervisor::DeskFloor::new(
                config.connect_options()?,
                config.floor_key()?,
            ));
        }
        app.borrow_mut().set_desk(desk);
    }
    Ok((window, app))
}

/// The counter whose 受付一覧 this terminal shows, if it is a department's: `--counter`, else
/// the floor settings' `counter`. It must be one of the catalogue's counters, and a counter's
/// terminal needs floor settings (its list is on the floor).
fn board_counter(
    args: &KioskArgs,
    config: Option<&FloorConfig>,
    catalogue: &madoguchi_rules::Catalogue,
) -> Result<Option<String>> {
    if args.self_service {
        return Ok(None);
    }
    let counter = args
        .counter
        .clone()
        .or_else(|| config.and_then(|c| c.counter.clone()));
    let Some(counter) = counter else {
        return Ok(None);
    };
    if config.is_none() {
        anyhow::bail!(
            "窓口モード（--counter {counter}）にはフロアの設定（central.toml）が必要です / a counter's terminal needs the floor settings (MADOGUCHI_CENTRAL or ~/.config/madoguchi/central.toml; docs/central.md)"
        );
    }
    if !catalogue.counters.iter().any(|c| c.id == counter) {
        let known: Vec<&str> = catalogue.counters.iter().map(|c| c.id.as_str()).collect();
        anyhow::bail!(
            "窓口「{counter}」は手続きカタログにありません / the catalogue has no counter `{counter}` (its counters: {})",
            known.join(", ")
        );
    }
    Ok(Some(counter))
}

/// The floor link when the terminal has floor settings; a broken settings file stops the
/// start with what is wrong (a terminal the city put on the floor must not quietly run alone).
fn floor_link(
    config: Option<&FloorConfig>,
    store: &madoguchi_store::Store,
) -> Result<Option<FloorLink>> {
    let Some(config) = config else {
        return Ok(None);
    };
    let link = FloorLink::start(
        config.connect_options()?,
        store.share(),
        config.floor_key()?,
        config.trusted_keys()?,
    );
    Ok(Some(link))
}

/// The 出入国在留管理庁's certificates: the folders `MADOGUCHI_ZAIRYU_TRUST` names (the demo and
/// tests: the fictional CA of the emulated cards), then where the city installs them
/// (docs/card.md). A file that is not a certificate is logged by its path and the kiosk
/// starts without the anchors: every 在留カード read then says none are installed.
fn residence_trust() -> TrustStore {
    let extra: Vec<PathBuf> = std::env::var_os("MADOGUCHI_ZAIRYU_TRUST")
        .map(|dirs| std::env::split_paths(&dirs).collect())
        .unwrap_or_default();
    let extra: Vec<&std::path::Path> = extra.iter().map(PathBuf::as_path).collect();
    TrustStore::load_with_standard(&extra).unwrap_or_else(|error| {
        tracing::error!(%error, "the residence card certificates cannot be used");
        TrustStore::default()
    })
}

fn setting_secs(store: &madoguchi_store::Store, key: &str) -> Option<u64> {
    store.setting(key).ok().flatten()?.parse().ok()
}

/// Where QR frames come from: `MADOGUCHI_CAMERA_FRAMES` (a folder of pictures, played in
/// order: demos and tests, as no camera is attached here), else the webcam through GStreamer
/// (`MADOGUCHI_CAMERA` names a pipeline) when built with the `camera` feature.
fn camera() -> Option<CameraFactory> {
    if let Some(dir) = std::env::var_os("MADOGUCHI_CAMERA_FRAMES") {
        let dir = PathBuf::from(dir);
        return Some(Box::new(move || {
            let mut frames: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| madoguchi_prefill::camera::CameraError::Open(e.to_string()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .collect();
            frames.sort();
            Ok(Box::new(Paced(ImageSequence::new(frames))) as Box<dyn FrameSource>)
        }));
    }
    webcam()
}

/// Plays recorded frames at about camera speed, so the preview can be seen.
struct Paced(ImageSequence);

impl FrameSource for Paced {
    fn next_frame(
        &mut self,
    ) -> Result<Option<image::GrayImage>, madoguchi_prefill::camera::CameraError> {
        std::thread::sleep(Duration::from_millis(200));
        self.0.next_frame()
    }
}

#[cfg(feature = "camera")]
fn webcam() -> Option<CameraFactory> {
    let pipeline = std::env::var("MADOGUCHI_CAMERA")
        .unwrap_or_else(|_| madoguchi_prefill::camera::DEFAULT_PIPELINE.to_string());
    Some(Box::new(move || {
        madoguchi_prefill::camera::GstCamera::open(&pipeline)
            .map(|camera| Box::new(camera) as Box<dyn FrameSource>)
    }))
}

#[cfg(not(feature = "camera"))]
fn webcam() -> Option<CameraFactory> {
    None
}
