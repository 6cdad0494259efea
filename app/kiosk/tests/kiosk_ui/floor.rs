//! The counter floor on screen: a private PostgreSQL cluster (`madoguchi_central::testbed`),
//! an interview desk that finishes a case and pushes it with its floor link, and a department
//! counter's kiosk window in counter mode (the real board controller, list follower and floor
//! link, the real cupsd). The clerk at こども支援課 sees the household appear, opens it, prints
//! the counter's forms and marks the work done; the desk that made the case sees it done.

use madoguchi_central::testbed::TestCluster;
use madoguchi_central::{ConnectOptions, Terminal};
use madoguchi_kiosk::floor::FloorLink;
use madoguchi_kiosk::floor::board::{
    BoardKind, BoardParts, BoardPrinting, FloorBoard, Follower, RouteState,
};
use madoguchi_kiosk::packet::{self, PacketInput};
use madoguchi_kiosk::runtime::spooler::Spooler;
use madoguchi_kiosk::ui::board::BoardUi;
use madoguchi_rules::Engine;
use madoguchi_store::StoreKey;
use madoguchi_store::signature::TrustedKeys;

use super::*;
use madoguchi_kiosk::ui::Board;

const COUNTER: &str = "kodomo";

fn options(cluster: &TestCluster, login: &str) -> ConnectOptions {
    ConnectOptions {
        connection: cluster.connection_string(login),
        password: Some(format!("{login}-secret-of-the-floor")),
        ca_file: None,
    }
}

fn add_terminal(cluster: &TestCluster, login: &str, counters: &[&str]) {
    let mut admin = cluster.superuser();
    madoguchi_central::add_terminal(
        &mut admin,
        &Terminal {
            login: login.into(),
            place: "本庁舎1階".into(),
            counters: counters.iter().map(|c| (*c).to_string()).collect(),
            supervisor: false,
            back_office: false,
        },
        &format!("{login}-secret-of-the-floor"),
    )
    .expect("the terminal's login");
}

/// The interview desk: one finished case of the sample family, routed as its decision says,
/// pushed by the desk's floor link. Returns the link (it keeps running) and the case's UUID.
fn interview_desk(cluster: &TestCluster, dir: &Path, floor_key: &StoreKey) -> (FloorLink, String) {
    let mut desk = store(dir);
    let case = madoguchi_kiosk::samples::family_of_four().expect("the sample case");
    let id = madoguchi_kiosk::samples::finish_routed_case(&mut desk, &catalogue(), &case, 5)
        .expect("a finished case");
    let uuid = desk.case_uuid(id).expect("uuid").expect("a uuid");
    let link = FloorLink::start(
        options(cluster, "desk_1"),
        desk.share(),
        floor_key.clone(),
        TrustedKeys::parse("").expect("no keys"),
    );
    let start = Instant::now();
    while desk.unsent().expect("unsent").total() > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the desk did not push"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (link, uuid)
}

fn settle_board(kiosk: &TestKiosk) {
    let board = kiosk.app.borrow().board().expect("a board");
    assert!(
        board.borrow().settle(Duration::from_secs(60)),
        "the board is still working"
    );
}

/// Pumps the window until something labelled `label` shows.
fn wait_for_label(kiosk: &TestKiosk, label: &str) {
    let start = Instant::now();
    loop {
        kiosk.app.borrow_mut().pump();
        settle_board(kiosk);
        if ElementHandle::find_by_accessible_label(&kiosk.window, label)
            .next()
            .is_some()
        {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{label:?} never showed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn route_state(cluster: &TestCluster, case: &str) -> (String, bool) {
    let row = cluster
        .superuser()
        .query_one(
            "SELECT state, printed FROM routes WHERE case_id = $1::text::uuid AND counter = $2",
            &[&case, &COUNTER],
        )
        .expect("the route");
    (row.get(0), row.get(1))
}

pub fn a_department_counter_works_its_list_on_screen(cups: &TestCups) {
    let cluster = TestCluster::start();
    madoguchi_central::migrate(&mut cluster.superuser()).expect("the schema");
    add_terminal(&cluster, "desk_1", &[]);
    add_terminal(&cluster, "kodomo_1", &[COUNTER]);
    let dir = tempfile::tempdir().expect("dir");
    let floor_key = StoreKey::create_or_load_file(&dir.path().join("floor.key")).expect("key");
    std::fs::create_dir_all(dir.path().join("desk")).expect("desk");
    std::fs::create_dir_all(dir.path().join("counter")).expect("counter");
    let (_desk_link, case) = interview_desk(&cluster, &dir.path().join("desk"), &floor_key);

    // The department's terminal: a kiosk window whose board is こども支援課's 受付一覧.
    let counter_store = store(&dir.path().join("counter"));
    let link = FloorLink::start(
        options(&cluster, "kodomo_1"),
        counter_store.share(),
        floor_key.clone(),
        TrustedKeys::parse("").expect("no keys"),
    );
    let board_store = counter_store.share();
    let mut kiosk = TestKiosk::open(Mode::Clerk, counter_store, cups, None);
    let kind = BoardKind::Counter(COUNTER.into());
    let board = FloorBoard::new(BoardParts {
        kind: kind.clone(),
        catalogue: catalogue(),
        feed: None,
        options: options(&cluster, "kodomo_1"),
        store: board_store,
        floor_key: floor_key.clone(),
        poker: Some(link.poker()),
        printing: BoardPrinting {
            forms_dir: repo("forms"),
            local: packet::Local::default(),
            printer: Some(cups.queue.clone()),
            spooler: Spooler::new(Cups::new(cups.url())),
        },
    });
    let follower = Follower::start(&kind, options(&cluster, "kodomo_1"));
    let board_ui = BoardUi::attach(&kiosk.window, board, follower);
    kiosk.app.borrow_mut().set_board(board_ui);

    // The household appears with its 受付番号, and nothing personal is in the list.
    wait_for_label(&kiosk, "001 待ち");
    let family = madoguchi_kiosk::samples::family_of_four().expect("the sample case");
    let applicant = family.household.members[0].person.name.clone();
    assert!(
        ElementHandle::find_by_accessible_label(&kiosk.window, &applicant)
            .next()
            .is_none(),
        "a name in the list"
    );

    // Opening it shows the household to the clerk, and the floor's audit has the opening.
    kiosk.tap("001 待ち");
    settle_board(&kiosk);
    let shown = kiosk.window.global::<Board>();
    let people: Vec<String> = shown
        .get_case_people()
        .iter()
        .map(|line| line.text.to_string())
        .collect();
    assert!(
        people.iter().any(|p| p.starts_with(&applicant)),
        "the opened case shows the applicant: {people:?}; notice {:?}",
        shown.get_notice()
    );
    assert!(
        shown
            .get_case_procedures()
            .iter()
            .any(|p| p.name.contains("児童手当")),
        "this counter's procedures"
    );
    let start = Instant::now();
    loop {
        let opened: i64 = cluster
            .superuser()
            .query_one(
                "SELECT count(*) FROM audit WHERE action = 'case.open' AND actor = 'kodomo_1'",
                &[],
            )
            .expect("audit")
            .get(0);
        if opened == 1 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the opening is not audited"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Printing gives this counter's forms only: no guidance sheet, no other counter's form.
    let before = cups.printed().len();
    kiosk.tap("書類を印刷");
    settle_board(&kiosk);
    let printed = wait_for_printed(cups, before + 1);
    let pdf = printed.last().expect("the print");
    let decision = Engine::new(&catalogue())
        .evaluate(&family, packet::as_of(&family))
        .expect("decided");
    let mut ours = decision.clone();
    ours.procedures.retain(|p| p.counter.id == COUNTER);
    let library = packet::load_library(&repo("forms")).expect("forms");
    let expected = packet::make(
        &library,
        &Fonts::load(),
        &PacketInput {
            case: &family,
            decision: &ours,
            local: &packet::Local::default(),
            reception: "001",
            guidance: false,
            language: madoguchi_forms::SheetLanguage::Japanese,
        },
    )
    .expect("the counter's forms");
    assert!(expected.pages > 0, "こども支援課 has forms with templates");
    let start = Instant::now();
    while page_count(pdf) != expected.pages {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "printed {} pages, the counter's forms are {}",
            page_count(pdf),
            expected.pages
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let people = printed_people_on(pdf, family.event.visit_date());
    assert!(
        family
            .household
            .members
            .iter()
            .any(|m| people.contains(&m.person.name)),
        "the forms are the family's: {people:?}"
    );

    // Done: the floor has it, and the desk that made the case sees it.
    kiosk.tap("完了にする");
    settle_board(&kiosk);
    let start = Instant::now();
    while route_state(&cluster, &case) != ("done".into(), true) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the floor has {:?}",
            route_state(&cluster, &case)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    wait_for_label(&kiosk, "対応済みも表示");
    assert!(
        ElementHandle::find_by_accessible_label(&kiosk.window, "001 完了")
            .next()
            .is_none(),
        "a finished household leaves the list"
    );
    kiosk.tap("対応済みも表示");
    wait_for_label(&kiosk, "001 完了");

    let desk_view = Follower::start(&BoardKind::Desk, options(&cluster, "desk_1"));
    let start = Instant::now();
    let listing = loop {
        if let Some(listing) = desk_view.newer_than(0)
            && listing.online
        {
            break listing;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no desk list");
        std::thread::sleep(Duration::from_millis(100));
    };
    let ours: Vec<_> = listing
        .routes
        .iter()
        .filter(|r| r.case.to_string() == case)
        .collect();
    assert!(ours.len() > 1, "every counter of the case: {ours:?}");
    assert!(
        ours.iter()
            .any(|r| r.counter == COUNTER && r.state == RouteState::Done.id()),
        "{ours:?}"
    );
    drop(kiosk);
    drop(link);
}
