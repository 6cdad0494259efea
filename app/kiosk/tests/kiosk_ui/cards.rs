//! Every ID card at the counter, through the window, the real pcscd and the card emulator: a
//! foreign resident identified by the 在留カード — the number typed, the chip's signature
//! verified, the name and address typed beside the card's own pictures — to a printed
//! 住民異動届 carrying the 在留 facts; a My Number card whose PIN the resident has forgotten,
//! read with its 照合番号B; a driving licence by its PIN 1, its 外字 pointed out.

use super::events::print_packet;
use super::*;

/// Taps into the card screens with `persona` on the reader; returns the pcscd and emulator.
fn card_on_the_reader(
    persona: &str,
    cups: &TestCups,
) -> (TestPcscd, Emulator, tempfile::TempDir, TestKiosk) {
    let pcscd = TestPcscd::start().expect("a private pcscd (root, pcscd, vsmartcard-vpcd)");
    let card = Emulator::start(&pcscd, persona);
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = TestKiosk::open(Mode::Clerk, store(dir.path()), cups, None);
    kiosk.tap("受付をはじめる");
    kiosk.tap("カードを読み取る");
    (pcscd, card, dir, kiosk)
}

/// Key presses, as a keyboard or a numeric keypad sends them to the window.
fn press_keys(kiosk: &TestKiosk, keys: &[&str]) {
    let window = kiosk.window.window();
    for key in keys {
        let text = slint::SharedString::from(*key);
        window.dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
        window.dispatch_event(WindowEvent::KeyReleased { text });
    }
}

fn notice(kiosk: &TestKiosk) -> String {
    kiosk.window.global::<Kiosk>().get_notice().to_string()
}

pub(super) fn a_foreign_resident_is_identified_by_the_residence_card(cups: &TestCups) {
    let (mut pcscd, _card, _dir, mut kiosk) = card_on_the_reader("zairyu-nguyen.toml", cups);
    kiosk.wait_for(Screen::CardNumber, 20);

    // A number of the wrong shape never reaches the card; a wrong one costs nothing.
    kiosk.type_into("在留カード等番号", "UH1234");
    kiosk.tap("読み取る");
    assert_eq!(kiosk.screen(), Screen::CardNumber);
    assert!(notice(&kiosk).contains("12文字"), "{}", notice(&kiosk));
    kiosk.type_into("在留カード等番号", "UH12345679VN");
    kiosk.tap("読み取る");
    kiosk.wait_for(Screen::CardNumber, 20);
    assert!(notice(&kiosk).contains("番号"), "{}", notice(&kiosk));

    kiosk.type_into("在留カード等番号", "uh12345678vn");
    kiosk.tap("読み取る");
    kiosk.wait_for(Screen::TypeApplicant, 20);
    let people = kiosk.window.global::<People>();
    let pictures: Vec<_> = people.get_card_pictures().iter().collect();
    assert_eq!(
        pictures.len(),
        2,
        "the name and the address as the chip holds them"
    );
    let size = pictures[0].picture.size();
    assert_eq!((size.width, size.height), (640, 56));
    let notes: Vec<String> = people
        .get_card_notes()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert!(
        people.get_card_read().contains("署名を確認済み"),
        "{}",
        people.get_card_read()
    );
    assert!(notes.iter().any(|n| n.contains("TEST-SSW1")), "{notes:?}");
    // The signed facts are filled in; the name and address are for the clerk to type.
    assert_eq!(people.get_person_name(), "");
    assert_eq!(people.get_person_birth(), "1999/8/15");
    assert_eq!(people.get_person_sex(), 1);
    assert_eq!(people.get_person_foreign(), 1);
    assert_eq!(people.get_person_country(), "ベトナム");
    assert_eq!(people.get_person_card(), "UH12345678VN");
    assert_eq!(people.get_person_until(), "2029/3/31");

    kiosk.type_into("氏名", "NGUYEN THI LAN");
    // A birth date typed over the card's is refused below: the issuer signed it.
    kiosk.type_into("生年月日", "1999-08-16");
    kiosk.type_into("住所（前の住所）", "東京都新宿区西新宿二丁目8番1号");
    let status = madoguchi_domain::foreign::RESIDENCE_STATUSES
        .iter()
        .position(|s| s.starts_with("特定技能"))
        .expect("listed");
    people.set_person_status(i32::try_from(status + 1).expect("small"));
    drop(people);
    kiosk.tap("次へ");
    assert_eq!(kiosk.screen(), Screen::TypeApplicant);
    assert!(notice(&kiosk).contains("生年月日"), "{}", notice(&kiosk));
    assert_eq!(
        kiosk.window.global::<People>().get_person_name(),
        "NGUYEN THI LAN",
        "what was typed stays"
    );
    // Corrected as the clerk does, above the fields scrolled past.
    kiosk
        .window
        .global::<People>()
        .set_person_birth("1999/8/15".into());
    kiosk.tap("次へ");
    assert_eq!(kiosk.screen(), Screen::Event, "{}", notice(&kiosk));
    assert!(
        kiosk
            .window
            .global::<People>()
            .get_identified_by()
            .contains("在留カード"),
        "the clerk sees which card was read"
    );

    kiosk.type_into(
        "住み始めた日（異動日）",
        &today().format("%Y-%m-%d").to_string(),
    );
    kiosk.type_into("新しい住所", "標準市港町二丁目8番1号");
    kiosk.tap("次へ");
    assert_eq!(kiosk.screen(), Screen::Household, "{}", notice(&kiosk));
    kiosk.tap("質問へ進む");
    kiosk.answer_every_question();
    assert_eq!(kiosk.screen(), Screen::Result);
    let procedures = kiosk.listed_procedures();
    assert!(
        procedures.iter().any(|p| p == "zairyu_jukyochi"),
        "the 在留カード's 住居地 notification: {procedures:?}"
    );

    let (_packet, case, text) = print_packet(&mut kiosk, cups);
    assert_eq!(
        case.identified_by,
        Some(madoguchi_domain::IdentityDocument::ResidenceCard)
    );
    let applicant = &case.household.members[0].person;
    let facts = applicant
        .nationality
        .as_ref()
        .and_then(madoguchi_domain::Nationality::foreign)
        .expect("a foreign resident");
    assert_eq!(
        facts.category,
        Some(madoguchi_domain::ForeignCategory::MidLongTerm)
    );
    assert!(facts.status.is_some(), "the status the clerk chose");
    for expected in ["住民異動届", "NGUYENTHILAN", "ベトナム", "UH12345678VN"] {
        assert!(text.contains(expected), "{expected} is not in the packet");
    }
    pcscd.stop();
}

pub(super) fn a_forgotten_pin_is_replaced_by_the_code_b(cups: &TestCups) {
    let (mut pcscd, _card, _dir, mut kiosk) = card_on_the_reader("demo.toml", cups);
    kiosk.wait_for(Screen::Pin, 20);
    assert!(kiosk.window.global::<PinEntry>().get_code_b_offered());
    kiosk.tap("暗証番号がわからない");
    assert_eq!(kiosk.screen(), Screen::CodeB);
    // The demo card's face: born 昭和60年4月12日, valid until 2034, security code 5678.
    for digit in "6004122034".chars() {
        kiosk.tap(&digit.to_string());
    }
    // A screen reader hears how far each part is filled, never the digits.
    for label in [
        "生年月日（和暦の年・月・日、各2桁）：6桁のうち6桁入力済み",
        "カードの有効期限の西暦年（4桁）：4桁のうち4桁入力済み",
        "セキュリティコード（4桁）：4桁のうち0桁入力済み",
    ] {
        assert!(
            ElementHandle::find_by_accessible_label(&kiosk.window, label)
                .next()
                .is_some(),
            "{label}"
        );
    }
    // The rest from the keyboard.
    press_keys(&kiosk, &["5", "6", "7", "8"]);
    press_keys(&kiosk, &[&slint::SharedString::from(Key::Return)]);
    kiosk.wait_for(Screen::Event, 20);
    assert!(
        kiosk
            .window
            .global::<People>()
            .get_identified_by()
            .contains("マイナンバーカード")
    );
    pcscd.stop();
}

pub(super) fn a_licence_is_read_with_its_pin_1_and_its_gaiji_pointed_out(cups: &TestCups) {
    let (mut pcscd, _card, _dir, mut kiosk) = card_on_the_reader("menkyo-watanabe.toml", cups);
    kiosk.wait_for(Screen::Pin, 20);
    assert!(kiosk.window.global::<PinEntry>().get_for_licence());
    assert!(!kiosk.window.global::<PinEntry>().get_code_b_offered());
    // From the keyboard, as from a numeric keypad: a wrong digit erased, then Enter.
    press_keys(&kiosk, &["1", "3", "9"]);
    press_keys(&kiosk, &[&slint::SharedString::from(Key::Backspace)]);
    assert_eq!(kiosk.window.global::<PinEntry>().get_pin_entered(), 2);
    press_keys(&kiosk, &["5", "7"]);
    assert_eq!(kiosk.window.global::<PinEntry>().get_pin_entered(), 4);
    press_keys(&kiosk, &[&slint::SharedString::from(Key::Return)]);
    kiosk.wait_for(Screen::TypeApplicant, 20);
    let people = kiosk.window.global::<People>();
    let notes: Vec<String> = people
        .get_card_notes()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert!(notes.iter().any(|n| n.contains("外字")), "{notes:?}");
    assert!(people.get_card_read().contains("運転免許証"));
    assert!(people.get_person_name().contains('〓'));
    assert_eq!(people.get_person_sex(), -1, "a licence records no sex");
    // The clerk will copy the 外字 from the licence's face.
    let name = people.get_person_name().replace('〓', "髙");
    drop(people);
    kiosk.tap("次へ");
    assert!(notice(&kiosk).contains("性別"), "{}", notice(&kiosk));
    // The clerk copies the 外字 and chooses the sex.
    kiosk.type_into("氏名", &name);
    kiosk.tap("男");
    kiosk.tap("次へ");
    assert_eq!(kiosk.screen(), Screen::Event, "{}", notice(&kiosk));
    kiosk.type_into(
        "住み始めた日（異動日）",
        &today().format("%Y-%m-%d").to_string(),
    );
    kiosk.type_into("新しい住所", "標準市港町二丁目8番1号");
    kiosk.tap("次へ");
    kiosk.tap("質問へ進む");
    kiosk.answer_every_question();
    assert_eq!(kiosk.screen(), Screen::Result);
    let procedures = kiosk.listed_procedures();
    assert!(
        procedures.iter().any(|p| p == "menkyo_jusho")
            && !procedures.iter().any(|p| p == "info_menkyo"),
        "the licence read sends its holder to the police: {procedures:?}"
    );
    let case = kiosk.app.borrow().case().expect("a case");
    assert!(!case.household.members[0].person.name.contains('〓'));
    pcscd.stop();
}
