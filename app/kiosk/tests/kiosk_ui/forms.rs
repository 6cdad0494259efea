//! The form editor through the window: a supervisor brings a city's own 住民異動届 (a PDF on the
//! terminal, read in its own process) onto the page, places the new address, the 届出人 and the
//! 異動日 in 和暦 by dragging over the printed cells, and the household rows with each member's
//! name; previews the sample household's page, saves, publishes with 決裁, and the clerk's next
//! packet prints the 住民異動届 over the city's page with the values in its cells.

use super::*;
use madoguchi_kiosk::ui::{FormPlacing, PlacedBox};

/// A finger drawn over the form's page from `from` to `to`, in millimetres of the sheet.
fn drag_on_page(kiosk: &TestKiosk, from: [f32; 2], to: [f32; 2]) {
    let page = ElementHandle::find_by_accessible_label(&kiosk.window, "様式のページ")
        .next()
        .expect("the form's page is on screen");
    let at = page.absolute_position();
    let per_mm = page.size().width / 210.0;
    let point =
        |mm: [f32; 2]| slint::LogicalPosition::new(at.x + mm[0] * per_mm, at.y + mm[1] * per_mm);
    let window = kiosk.window.window();
    let button = slint::platform::PointerEventButton::Left;
    window.dispatch_event(WindowEvent::PointerMoved {
        position: point(from),
    });
    window.dispatch_event(WindowEvent::PointerPressed {
        position: point(from),
        button,
    });
    window.dispatch_event(WindowEvent::PointerMoved {
        position: point(to),
    });
    window.dispatch_event(WindowEvent::PointerReleased {
        position: point(to),
        button,
    });
    kiosk.settle_desk();
}

/// Places a box of the tool labelled `tool` over `from`–`to` and gives it the value the search
/// `words` finds under the name `value`.
fn place(
    kiosk: &mut TestKiosk,
    tool: &str,
    from: [f32; 2],
    to: [f32; 2],
    words: &str,
    value: &str,
) {
    kiosk.tap(tool);
    drag_on_page(kiosk, from, to);
    let placing = kiosk.window.global::<FormPlacing>();
    assert!(placing.get_item_selected(), "the new box is selected");
    kiosk.type_into("入れる値を探す", words);
    kiosk.tap(value);
    assert_eq!(
        kiosk.window.global::<FormPlacing>().get_selected_caption(),
        value
    );
}

/// Words pdftotext finds on each page, with where they are in millimetres from the top-left.
fn words_by_page(pdf: &Path) -> Vec<Vec<(String, f32, f32)>> {
    let out = Command::new("pdftotext")
        .args(["-bbox"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let html = String::from_utf8_lossy(&out.stdout);
    let number = |tag: &str, key: &str| -> f32 {
        tag.split(&format!("{key}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0)
    };
    let mm = |pt: f32| pt * 25.4 / 72.0;
    let mut pages = Vec::new();
    for page in html.split("<page ").skip(1) {
        let words = page
            .split("<word ")
            .skip(1)
            .map(|w| {
                let text = w
                    .split('>')
                    .nth(1)
                    .and_then(|t| t.split('<').next())
                    .unwrap_or("")
                    .to_string();
                (text, mm(number(w, "xMin")), mm(number(w, "yMin")))
            })
            .collect();
        pages.push(words);
    }
    pages
}

pub(super) fn a_supervisor_places_the_citys_own_form_and_the_next_packet_prints_it(
    cups: &TestCups,
) {
    let dir = tempfile::tempdir().expect("dir");
    let (setup, config, checksum) = supervised_store(dir.path(), &[("kacho", KACHO)]);
    // The city's form, as the supervisor saved it from the city's site into their folder.
    let forms = dir.path().join("downloads");
    std::fs::create_dir(&forms).expect("folder");
    let pdf = forms.join("midori-ido-todoke.pdf");
    std::fs::write(
        &pdf,
        madoguchi_kiosk::samples::city_paper_form_pdf().expect("the city's form"),
    )
    .expect("write");

    let feed = CatalogueFeed::new(checksum).every(Duration::from_millis(100));
    let mut kiosk = TestKiosk::following(Mode::Clerk, setup, cups, None, Some(feed));
    {
        let mut desk = Desk_::new(
            Store::open(&config, chrono::Utc::now())
                .expect("opens")
                .store,
            *chrono::Local::now().offset(),
        );
        desk.set_page_reader(PathBuf::from(env!("CARGO_BIN_EXE_madoguchi")));
        desk.set_import_folders(vec![forms.clone()]);
        kiosk.app.borrow_mut().set_desk(desk);
    }
    kiosk.tap("管理者メニュー");
    sign_in(&mut kiosk, "kakari", KAKARI);
    kiosk.tap("帳票（市の様式）");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Forms
    );
    kiosk.tap("住民異動届");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::FormEditor
    );
    // The file found in the supervisor's folder, read in its own process.
    kiosk.tap("midori-ido-todoke.pdf");
    let placing = kiosk.window.global::<FormPlacing>();
    assert!(
        placing.get_has_page(),
        "{}",
        kiosk.window.global::<Desk>().get_notice()
    );

    // Three fields, roughly inside the printed cells: they snap to the cells' rules.
    place(
        &mut kiosk,
        "文字",
        [52.0, 55.2],
        [198.0, 68.5],
        "新しい住所",
        "新しい住所（方書まで）",
    );
    place(
        &mut kiosk,
        "文字",
        [51.5, 87.0],
        [198.5, 97.0],
        "届出人 氏名",
        "届出人の氏名",
    );
    place(
        &mut kiosk,
        "和暦",
        [51.0, 43.0],
        [150.0, 53.0],
        "異動日",
        "異動日（出来事の日）",
    );
    // The household rows: the first row dragged, the rest found from the printed rules.
    kiosk.tap("世帯の行");
    drag_on_page(&kiosk, [10.5, 112.8], [199.0, 123.2]);
    assert_eq!(
        kiosk.window.global::<FormPlacing>().get_rows_per_page(),
        6,
        "six ruled rows on the city's form"
    );
    place(
        &mut kiosk,
        "文字",
        [23.0, 113.0],
        [91.0, 123.0],
        "世帯員 氏名",
        "世帯員の氏名",
    );
    let boxes: Vec<PlacedBox> = kiosk
        .window
        .global::<FormPlacing>()
        .get_boxes()
        .iter()
        .collect();
    let address = boxes
        .iter()
        .find(|b| b.caption == "新しい住所（方書まで）")
        .expect("the address box");
    assert!(
        (address.x - 50.0).abs() < 0.5 && (address.y - 54.0).abs() < 0.5,
        "snapped to the cell: {address:?}"
    );
    assert!(
        boxes
            .iter()
            .any(|b| b.caption == "世帯員の氏名" && b.sample == "窓口 太郎"),
        "the row shows the sample's first member: {boxes:?}"
    );

    kiosk.tap("見本で確かめる");
    assert!(
        kiosk.window.global::<FormPlacing>().get_showing_preview(),
        "{}",
        kiosk.window.global::<Desk>().get_notice()
    );
    kiosk.tap("欄の配置に戻る");
    kiosk.tap("下書きに保存");
    let notice = kiosk.window.global::<Desk>().get_notice();
    assert!(notice.contains("下書きに保存しました"), "{notice}");
    kiosk.tap("帳票の一覧へ");
    assert!(
        kiosk
            .window
            .global::<Desk>()
            .get_rows()
            .iter()
            .any(|r| r.title == "住民異動届" && r.text.contains("市の様式"))
    );

    kiosk.tap("メニュー");
    kiosk.tap("影響を確かめて公開する");
    assert_eq!(
        kiosk.window.global::<Desk>().get_screen(),
        DeskScreen::Impact
    );
    let forms_changed: Vec<String> = kiosk
        .window
        .global::<DeskPublishing>()
        .get_form_rows()
        .iter()
        .map(|r| format!("{} {}", r.title, r.text))
        .collect();
    assert!(
        forms_changed
            .iter()
            .any(|r| r.contains("city_jumin_ido_todoke.toml")),
        "{forms_changed:?}"
    );
    assert!(
        kiosk.window.global::<DeskPublishing>().get_can_publish(),
        "{forms_changed:?} {}",
        kiosk.window.global::<Desk>().get_notice()
    );
    kiosk.type_into(
        "公開のメモ（何を、なぜ変えたか）",
        "住民異動届を市の様式で印刷する",
    );
    kiosk.tap("決裁に回す");
    approve_as_another_supervisor(&mut kiosk);
    kiosk.tap("ログアウト");
    kiosk.tap("窓口に戻る");
    kiosk.wait_for_new_catalogue();

    // The clerk's next case: the family's code read by the scanner, printed.
    let (_, texts) = residents_code();
    let printed_before = cups.printed().len();
    kiosk.tap("受付をはじめる");
    kiosk.tap("QRコード");
    for text in &texts {
        kiosk.scanner_types(text);
    }
    kiosk.app.borrow_mut().pump();
    let case = advance_to_printing(&mut kiosk);
    let printed = wait_for_printed(cups, printed_before + 1);
    let printed = printed.last().expect("printed").clone();

    // What the kiosk sent: its own packet of the case with the catalogue now in force (the
    // printer's copy has lost the text layer) has the values in the city's cells …
    let catalogue = kiosk.app.borrow().session().catalogue().clone();
    let packet = packet_made(&case, &catalogue);
    let made = dir.path().join("made.pdf");
    std::fs::write(&made, &packet.pdf).expect("write");
    std::fs::copy(
        &made,
        std::env::temp_dir().join("madoguchi-kiosk-city-form.pdf"),
    )
    .ok();
    let pages = words_by_page(&made);
    let city_page = pages
        .iter()
        .find(|words| {
            words
                .iter()
                .any(|(w, x, y)| w.contains("標準市中央") && *x > 49.0 && *y > 54.0 && *y < 70.0)
        })
        .unwrap_or_else(|| panic!("the new address in the city's cell: {pages:?}"));
    for member in ["太郎", "花子", "陽菜", "蒼"] {
        assert!(
            city_page.iter().any(|(w, x, y)| w.contains(member)
                && *x > 21.0
                && *x < 92.0
                && *y > 112.0
                && *y < 184.0),
            "{member} in a household row: {city_page:?}"
        );
    }
    // … and the printed copy is that packet, one of its pages the city's ruled table.
    assert_eq!(page_count(&printed), packet.pages);
    assert!(
        printed_pages_with_the_citys_table(&printed) == 1,
        "one printed page carries the city's form"
    );
}

/// How many pages of the printed `pdf` have the city's household table: rules across at 104,
/// 112 … 184 mm and down at 22, 92 and 152 mm, found as the form editor finds them.
fn printed_pages_with_the_citys_table(pdf: &Path) -> usize {
    let (_dir, pages) = pages_of(pdf).expect("the printed file draws");
    let mut found = 0;
    for page in pages {
        let grey = image::open(&page).expect("a page").to_luma8();
        let scan = madoguchi_forms::scan::ScannedPage {
            width: grey.width() as usize,
            height: grey.height() as usize,
            grey: grey.into_raw(),
        };
        let rules = madoguchi_forms::ruling::find_rules(&scan.raster());
        let near = |rules: &[madoguchi_forms::ruling::Rule], at: f64| {
            rules.iter().any(|r| (r.at - at).abs() < 1.5)
        };
        let across = [104.0, 112.0, 124.0, 136.0, 148.0, 160.0, 172.0, 184.0];
        if across.iter().all(|y| near(&rules.horizontal, *y))
            && [22.0, 92.0, 152.0]
                .iter()
                .all(|x| near(&rules.vertical, *x))
        {
            found += 1;
        }
    }
    found
}

/// From the code's summary through the interview (いいえ to every question) to the printed
/// packet, as the clerk taps; the case printed.
fn advance_to_printing(kiosk: &mut TestKiosk) -> Case {
    let mut printing = None;
    for _ in 0..10 {
        match kiosk.screen() {
            Screen::Done => return printing.expect("the case reviewed"),
            Screen::QrSummary => kiosk.tap("この内容で進む"),
            Screen::Question => {
                kiosk.answer_every_question();
            }
            Screen::Result => kiosk.tap("書類の内容を確認する"),
            Screen::Review => {
                printing = kiosk.app.borrow().case();
                kiosk.tap("印刷する");
                kiosk.wait_for(Screen::Done, 90);
            }
            other => panic!(
                "on {other:?}: {}; buttons {:?}",
                kiosk.window.global::<Kiosk>().get_notice(),
                kiosk.buttons_in_view()
            ),
        }
    }
    panic!("the packet did not print");
}
