//! The floor's screens for `madoguchi-dev screenshots`: a department counter's 受付一覧, a case
//! opened at that counter, an interview desk's view of the households it sent on, and the
//! supervisor's statistics at the approving desk. They are
//! drawn from a real floor — a private PostgreSQL cluster (`madoguchi_central::testbed`, so run
//! as root like the tests), an interview desk that pushed four cases, and こども支援課's board
//! — kept for the whole run and stopped at its end ([`stop`]).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use madoguchi_central::testbed::TestCluster;
use madoguchi_central::{Central, ConnectOptions, HandoverKind, HandoverRow, Terminal};
use madoguchi_kiosk::floor::FloorLink;
use madoguchi_kiosk::floor::board::{BoardKind, BoardParts, BoardPrinting, FloorBoard, Follower};
use madoguchi_kiosk::packet;
use madoguchi_kiosk::runtime::spooler::Spooler;
use madoguchi_kiosk::ui::board::BoardUi;
use madoguchi_kiosk::ui::{Board, KioskApp, KioskWindow};
use madoguchi_store::StoreKey;
use madoguchi_store::signature::TrustedKeys;
use slint::{ComponentHandle, Model};
use uuid::Uuid;

use crate::tour::{resident_case, shots_folder};

const COUNTER: &str = "kodomo";

/// The floor the pictures are drawn from.
struct ShotFloor {
    /// The boards' terminals' floor links, so that what a counter marks reaches the floor
    /// (stopped before the cluster).
    links: Vec<FloorLink>,
    cluster: TestCluster,
    floor_key: StoreKey,
    /// The cases the desk made, oldest first.
    cases: Vec<Uuid>,
    /// The approving desk's login was added.
    supervisor_added: bool,
}

static FLOOR: Mutex<Option<ShotFloor>> = Mutex::new(None);

fn options(cluster: &TestCluster, login: &str) -> ConnectOptions {
    ConnectOptions {
        connection: cluster.connection_string(login),
        password: Some(format!("{login}-picture-password")),
        ca_file: None,
    }
}

/// Starts the cluster, adds the desk and the counter, and has the desk finish and push four
/// cases; the counter has finished with the first two.
fn start() -> Result<ShotFloor> {
    let cluster = TestCluster::start();
    let mut admin = cluster.superuser();
    madoguchi_central::migrate(&mut admin)?;
    for (login, counters) in [("desk_1", vec![]), ("kodomo_1", vec![COUNTER.to_string()])] {
        madoguchi_central::add_terminal(
            &mut admin,
            &Terminal {
                login: login.into(),
                place: "本庁舎1階".into(),
                counters,
                supervisor: false,
                back_office: false,
            },
            &format!("{login}-picture-password"),
        )?;
    }
    let dir = shots_folder().join("floor");
    std::fs::create_dir_all(&dir)?;
    let floor_key = StoreKey::create_or_load_file(&dir.join("floor.key"))?;
    let mut desk = madoguchi_store::Store::open(
        &madoguchi_store::StoreConfig {
            db_path: dir.join("desk.sqlite3"),
            key_path: dir.join("desk.key"),
        },
        Utc::now(),
    )?
    .store;
    let catalogue = madoguchi_kiosk::samples::shipped_catalogue()?;
    let family = madoguchi_kiosk::samples::family_of_four()?;
    let mut cases = Vec::new();
    for case in [&family, &resident_case(), &family, &resident_case()] {
        let id = madoguchi_kiosk::samples::finish_routed_case(&mut desk, &catalogue, case, 4)?;
        let uuid = desk.case_uuid(id)?.context("a uuid")?;
        cases.push(Uuid::parse_str(&uuid)?);
    }
    let link = FloorLink::start(
        options(&cluster, "desk_1"),
        desk.share(),
        floor_key.clone(),
        TrustedKeys::default(),
    );
    let started = Instant::now();
    while desk.unsent()?.total() > 0 {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "the desk did not push"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(link);
    let mut counter = Central::connect(&options(&cluster, "kodomo_1"))?;
    for (case, kind, reason) in [
        (cases[0], HandoverKind::Done, ""),
        (cases[1], HandoverKind::NotNeeded, "手続き済み"),
    ] {
        counter.push_handover(&HandoverRow {
            id: Uuid::new_v4(),
            case,
            counter: COUNTER.into(),
            kind,
            detail: reason.into(),
            at: Utc::now(),
        })?;
    }
    Ok(ShotFloor {
        cluster,
        floor_key,
        cases,
        links: Vec::new(),
        supervisor_added: false,
    })
}

/// The supervisor's desk at the approving desk of the floor, on the statistics: the floor's
/// figures beside the made-up month of this terminal's store.
pub fn desk_on_floor(app: &mut KioskApp, window: &KioskWindow) {
    if let Err(error) = try_desk_on_floor(app, window) {
        eprintln!("no floor for the screenshot: {error:#}");
    }
}

fn try_desk_on_floor(app: &mut KioskApp, window: &KioskWindow) -> Result<()> {
    use madoguchi_kiosk::supervisor::{Desk, DeskFloor, DeskScreen};
    let mut held = FLOOR
        .lock()
        .map_err(|_| anyhow::anyhow!("the floor's lock"))?;
    if held.is_none() {
        *held = Some(start()?);
    }
    let floor = held.as_mut().context("the floor")?;
    let login = "kakari_desk";
    if !floor.supervisor_added {
        madoguchi_central::add_terminal(
            &mut floor.cluster.superuser(),
            &Terminal {
                login: login.into(),
                place: "本庁舎1階 係長席".into(),
                counters: Vec::new(),
                supervisor: true,
                back_office: false,
            },
            &format!("{login}-picture-password"),
        )?;
        floor.supervisor_added = true;
    }
    let offset = chrono::FixedOffset::east_opt(9 * 3600).context("JST")?;
    let mut desk = Desk::new(crate::tour::desk_store()?, offset)
        // The floor's cases were made today, not on the samples' day.
        .on_day(chrono::Local::now().date_naive())
        .with_floor(DeskFloor::new(
            options(&floor.cluster, login),
            floor.floor_key.clone(),
        ));
    desk.sign_in("kakari", crate::tour::SHOT_PASSWORD);
    app.set_desk(desk);
    window.global::<madoguchi_kiosk::ui::Desk>().set_open(true);
    if let Some(ui) = app.desk() {
        let ui = ui.borrow();
        ui.run(|desk| desk.go(DeskScreen::Statistics));
        ui.settle(Duration::from_secs(60));
    }
    Ok(())
}

/// Stops the cluster (the end of the run).
pub fn stop() {
    if let Ok(mut floor) = FLOOR.lock() {
        floor.take();
    }
}

/// Gives the window a board on the floor: the counter's (`counter`) or the desk's; with
/// `open`, the counter opens the third case. Returns once the board shows the list.
pub fn show_board(app: &mut KioskApp, window: &KioskWindow, counter: bool, open: bool) {
    if let Err(error) = try_show_board(app, window, counter, open) {
        eprintln!("no floor for the screenshot: {error:#}");
    }
}

fn try_show_board(
    app: &mut KioskApp,
    window: &KioskWindow,
    counter: bool,
    open: bool,
) -> Result<()> {
    let mut held = FLOOR
        .lock()
        .map_err(|_| anyhow::anyhow!("the floor's lock"))?;
    if held.is_none() {
        *held = Some(start()?);
    }
    let floor = held.as_mut().context("the floor")?;
    let (kind, login) = if counter {
        (BoardKind::Counter(COUNTER.into()), "kodomo_1")
    } else {
        (BoardKind::Desk, "desk_1")
    };
    let dir = shots_folder().join(format!("floor-{login}"));
    std::fs::create_dir_all(&dir)?;
    let store = madoguchi_store::Store::open(
        &madoguchi_store::StoreConfig {
            db_path: dir.join("db.sqlite3"),
            key_path: dir.join("store.key"),
        },
        Utc::now(),
    )?
    .store;
    let link = FloorLink::start(
        options(&floor.cluster, login),
        store.share(),
        floor.floor_key.clone(),
        TrustedKeys::default(),
    );
    let poker = link.poker();
    floor.links.push(link);
    let board = FloorBoard::new(BoardParts {
        kind: kind.clone(),
        catalogue: app.session().catalogue().clone(),
        feed: None,
        options: options(&floor.cluster, login),
        store,
        floor_key: floor.floor_key.clone(),
        poker: Some(poker),
        printing: BoardPrinting {
            forms_dir: packet::default_forms_dir(),
            local: packet::Local::default(),
            printer: None,
            spooler: Spooler::new(madoguchi_printer::Cups::from_env()),
        },
    });
    let follower = Follower::start(&kind, options(&floor.cluster, login));
    let ui = BoardUi::attach(window, board, follower);
    app.set_board(ui.clone());
    let global = window.global::<Board>();
    global.set_open(true);
    global.set_show_finished(!open);
    let started = Instant::now();
    loop {
        ui.borrow().poll();
        ui.borrow().settle(Duration::from_secs(30));
        // With the finished ones hidden, the two the counter has not finished.
        let expected = if open { 2 } else { floor.cases.len() };
        if global.get_items().row_count() >= expected {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "the board never showed the list"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    if open {
        let case = floor.cases[2];
        ui.borrow().run(move |board| board.open(case, Utc::now()));
        // Until the floor has the opening and the list shows it.
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3) {
            ui.borrow().poll();
            ui.borrow().settle(Duration::from_secs(30));
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    Ok(())
}
