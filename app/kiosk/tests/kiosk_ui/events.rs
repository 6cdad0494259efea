//! The life events beyond a move, through the window to a printed packet: a death served from
//! the deceased's own card (the family knows its PIN), and a birth typed by the clerk. Both go
//! through the real pcscd or typing, the interview, the review and the real cupsd; the printed
//! PDF is read back with pdftotext.

use std::io::Write;

use chrono::Days;

use super::*;

/// The packet the kiosk makes for `case` (cups-pdf's copy has lost the text layer), with its
/// page count and its text without the spaces pdftotext puts between runs.
fn packet_for(case: &Case) -> (usize, String) {
    let made = packet_made(case, &catalogue());
    let mut pdftotext = Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils)");
    pdftotext
        .stdin
        .take()
        .expect("stdin")
        .write_all(&made.pdf)
        .expect("the PDF goes in");
    let output = pdftotext.wait_with_output().expect("pdftotext ends");
    let text = String::from_utf8_lossy(&output.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    (made.pages, text)
}

/// Review, print and wait for the packet; returns its file and the case printed. The printed
/// file has as many pages as the packet the kiosk makes of that case.
pub(super) fn print_packet(kiosk: &mut TestKiosk, cups: &TestCups) -> (PathBuf, Case, String) {
    let printed_before = cups.printed().len();
    let case = kiosk.app.borrow().case().expect("a case");
    let (pages, text) = packet_for(&case);
    kiosk.tap("書類の内容を確認する");
    assert_eq!(kiosk.screen(), Screen::Review);
    kiosk.tap("印刷する");
    kiosk.wait_for(Screen::Done, 90);
    let printed = wait_for_printed(cups, printed_before + 1);
    let packet = printed.last().expect("a printed file").clone();
    // Kept for a person to look at (pdftoppm) when the test is run by hand.
    std::fs::copy(
        &packet,
        std::env::temp_dir().join(format!("madoguchi-kiosk-{}.pdf", case.event.kind.id())),
    )
    .ok();
    let start = Instant::now();
    while page_count(&packet) != pages {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "printed {} pages, the packet has {pages}",
            page_count(&packet)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    (packet, case, text)
}

/// おくやみ from the deceased's own card: the family knows its PIN, so the card is read as any
/// other. The clerk chooses おくやみ, types the dates, adds the widow who came and marks the
/// card's holder as the person who died — the widow then files (申請者) — and the printed
/// packet is 「おくやみ手続きのご案内」 with the 葬祭費 sheet in their names.
pub(super) fn a_bereaved_family_is_served_from_the_deceaseds_card(cups: &TestCups) {
    let mut pcscd = TestPcscd::start().expect("a private pcscd (root, pcscd, vsmartcard-vpcd)");
    let _card = Emulator::start(&pcscd, "demo.toml");
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = TestKiosk::open(Mode::Clerk, store(dir.path()), cups, None);

    kiosk.tap("受付をはじめる");
    kiosk.tap("カードを読み取る");
    kiosk.wait_for(Screen::Pin, 20);
    for digit in ["1", "2", "3", "4"] {
        kiosk.tap(digit);
    }
    kiosk.tap("暗証番号を決定");
    kiosk.wait_for(Screen::Event, 20);

    kiosk.tap("おくやみ（死亡）");
    let day = |back: u64| {
        today()
            .checked_sub_days(Days::new(back))
            .expect("a day")
            .format("%Y-%m-%d")
            .to_string()
    };
    kiosk.type_into("お亡くなりになった日", &day(6));
    kiosk.type_into("葬儀（葬祭）を行った日", &day(3));
    kiosk.tap("次へ");
    assert_eq!(
        kiosk.screen(),
        Screen::Household,
        "{}",
        kiosk.window.global::<Kiosk>().get_notice()
    );

    kiosk.type_member(&HANAKO);
    kiosk.tap("追加する");
    kiosk.tap("山田　太郎をお亡くなりになった方にする");
    let case = kiosk.app.borrow().case().expect("a case");
    assert_eq!(case.event.subject, Some(0), "the card's holder died");
    assert_eq!(case.applicant, 1, "the widow files");
    let notice = kiosk.window.global::<Kiosk>().get_notice().to_string();
    assert!(
        notice.contains("山田　花子"),
        "the clerk is told who files: {notice}"
    );
    kiosk.tap("質問へ進む");
    let questions = kiosk.answer_every_question();
    assert_eq!(kiosk.screen(), Screen::Result);
    let procedures = kiosk.listed_procedures();
    for id in ["kokuho_soshitsu_shibou", "kokuho_sousaihi", "souzoku_houki"] {
        assert!(procedures.iter().any(|p| p == id), "{id}: {procedures:?}");
    }

    let (packet, case, text) = print_packet(&mut kiosk, cups);
    println!(
        "おくやみ: {} taps from the first screen to the printed packet ({questions} questions)",
        kiosk.taps
    );
    for expected in [
        "おくやみ手続きのご案内",
        "心よりお悔やみ申し上げます",
        "葬祭費支給申請書",
        "家庭裁判所",
    ] {
        assert!(text.contains(expected), "{expected} is not in the packet");
    }
    let people = printed_people_on(&packet, case.event.visit_date());
    for name in ["山田　太郎", "山田　花子"] {
        assert!(people.iter().any(|p| p == name), "{name}: {people:?}");
    }
    pcscd.stop();
}

/// 出生, typed by the clerk: the father is typed, the newborn added and marked, and the packet
/// sends the family to the 国保 before the 子ども医療費 with the 児童手当 claim filled in.
pub(super) fn a_birth_is_typed_to_a_printed_packet(cups: &TestCups) {
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = TestKiosk::open(Mode::Clerk, store(dir.path()), cups, None);
    kiosk.tap("受付をはじめる");
    kiosk.tap("係員が入力");
    assert_eq!(kiosk.screen(), Screen::TypeApplicant);
    kiosk.type_into("氏名", "誕生　大地");
    kiosk.type_into("ふりがな", "たんじょう　だいち");
    kiosk.type_into("生年月日", "1992-06-06");
    kiosk.type_into("住所（前の住所）", "標準市中央一丁目2番3号");
    kiosk.tap("次へ");
    assert_eq!(
        kiosk.screen(),
        Screen::Event,
        "{}",
        kiosk.window.global::<Kiosk>().get_notice()
    );

    kiosk.tap("出生（お子さんが生まれた）");
    let born = today().checked_sub_days(Days::new(5)).expect("a day");
    kiosk.type_into("生まれた日", &born.format("%Y-%m-%d").to_string());
    kiosk.tap("次へ");
    assert_eq!(kiosk.screen(), Screen::Household);
    // The newborn first: the row right under the father's, in view on the screen.
    kiosk.type_member(&TypedMember {
        name: "誕生　陽",
        kana: Some("たんじょう　はる"),
        birth: &born.format("%Y-%m-%d").to_string(),
        sex: "男",
        relation: Some("子"),
    });
    kiosk.tap("追加する");
    kiosk.tap("誕生　陽を生まれたお子さんにする");
    kiosk.type_member(&TypedMember {
        name: "誕生　空",
        kana: Some("たんじょう　そら"),
        birth: "1994-07-07",
        sex: "女",
        relation: Some("妻"),
    });
    kiosk.tap("追加する");
    let case = kiosk.app.borrow().case().expect("a case");
    assert_eq!(case.event.subject, Some(1));
    assert_eq!(
        case.household.members[1].relation,
        madoguchi_domain::Zokugara::CHILD
    );
    assert_eq!(
        case.household.members[2].relation,
        madoguchi_domain::Zokugara::WIFE
    );
    kiosk.tap("質問へ進む");
    let questions = kiosk.answer_every_question();
    assert_eq!(kiosk.screen(), Screen::Result);

    let (packet, case, text) = print_packet(&mut kiosk, cups);
    println!(
        "出生: {} taps from the first screen to the printed packet ({questions} questions)",
        kiosk.taps
    );
    for expected in ["窓口案内シート", "出生届", "児童手当認定請求書"] {
        assert!(text.contains(expected), "{expected} is not in the packet");
    }
    let people = printed_people_on(&packet, case.event.visit_date());
    assert!(
        people.iter().any(|p| p == "誕生　陽"),
        "the newborn is on the printed forms: {people:?}"
    );
}
