//! Packets made from the shipped templates and real fonts, read back with poppler's pdftotext
//! and pdfinfo: every filled value is in the PDF, rows continue on extra sheets, characters no
//! face can draw are reported (not printed as silent boxes), and the packet stays small.

use std::path::{Path, PathBuf};
use std::process::Command;

use madoguchi_domain::{Case, Member, Person, Zokugara};
use madoguchi_forms::{
    CounterStop, DEBIAN_MINCHO, Fonts, Guidance, GuidanceProcedure, Library, Office, Packet,
    PacketRequest, ProblemKind, ReportKind, render_packet,
};

const EIGHT_FORMS: &str = include_str!("../../../docs/examples/eight-forms.json");
const FOREIGN_RESIDENTS: &str = include_str!("../../../docs/examples/foreign-residents.json");

const ALL_FORMS: [&str; 8] = [
    "jumin_ido_todoke",
    "juminhyo_seikyu",
    "inkan_toroku",
    "kokuho_shutoku",
    "jidou_teate_nintei",
    "kodomo_iryo",
    "kaigo_todoke",
    "inu_henko",
];

fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms")
}

fn library() -> Library {
    Library::load(&forms_dir()).expect("the shipped templates load")
}

fn mincho() -> Fonts {
    let fonts = Fonts::with_mincho(Some(Path::new(DEBIAN_MINCHO)));
    assert!(
        fonts.mincho().is_some(),
        "IPAmj明朝 is missing: scripts/setup installs fonts-ipamj-mincho"
    );
    fonts
}

fn case() -> Case {
    serde_json::from_str(EIGHT_FORMS).expect("sample case")
}

fn guidance(case: &Case) -> Guidance {
    Guidance {
        language: madoguchi_forms::SheetLanguage::Japanese,
        household: "髙𠮷 一郎".into(),
        members: case.household.members.len(),
        office: "標準市役所".into(),
        visit_date: case.event.visit_date(),
        event: "転入".into(),
        condolence: false,
        reception: "A-012".into(),
        counters: vec![CounterStop {
            name: "市民課".into(),
            place: Some("本庁舎1階 1〜5番窓口".into()),
            building: Some("本庁舎".into()),
            floor: Some(1),
            external: false,
            procedures: vec![GuidanceProcedure {
                name: "転入届".into(),
                critical: true,
                who: Vec::new(),
                why: vec!["他の市区町村から転入するため".into()],
                deadline: case.event.date.checked_add_days(chrono::Days::new(14)),
                deadline_moved: Some("11月28日は土曜日のため翌開庁日".into()),
                overdue: false,
                bring: vec!["本人確認書類".into()],
                fees: Vec::new(),
                forms: vec![("住民異動届".into(), true)],
                after: Vec::new(),
            }],
        }],
        to_confirm: vec![madoguchi_forms::ConfirmItem {
            name: "保育所等の利用申込み".into(),
            counter: "保育課".into(),
            waiting_on: vec!["保育所等の利用".into()],
        }],
        coming: vec![madoguchi_forms::ComingNote {
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
            what: "後期高齢者医療の被保険者になります（74歳の方）".into(),
            todo: "届出は要りません。".into(),
        }],
    }
}

/// The QR payload is the kiosk's business (the pre-fill encoder); here each form's code carries a
/// fixed marker, which is enough to lay out and draw a real symbol.
fn render(case: &Case, fonts: &Fonts, forms: &[&str]) -> Packet {
    let forms: Vec<String> = forms.iter().map(|f| f.to_string()).collect();
    let procedures = vec![
        "kokuho_kanyu".to_string(),
        "jidou_teate".to_string(),
        "kaigo_hihokensha".to_string(),
    ];
    let qr = |_: &Case| Ok(vec!["MDG1:TEST".to_string()]);
    let sheet = guidance(case);
    render_packet(
        &library(),
        fonts,
        &PacketRequest {
            case,
            event_name: "転入",
            office: &Office::default(),
            forms: &forms,
            procedures: &procedures,
            concerns: &[],
            guidance: Some(&sheet),
            qr: &qr,
        },
    )
    .expect("a packet")
}

/// The forms alone (no guidance sheet, no QR payload) of the example case, from `library`.
fn forms_only(library: &Library, forms: &[&str]) -> Packet {
    let case = case();
    let forms: Vec<String> = forms.iter().map(|f| f.to_string()).collect();
    let qr = |_: &Case| Ok(Vec::new());
    render_packet(
        library,
        &mincho(),
        &PacketRequest {
            case: &case,
            event_name: "転入",
            office: &Office::default(),
            forms: &forms,
            procedures: &[],
            concerns: &[],
            guidance: None,
            qr: &qr,
        },
    )
    .expect("packet")
}

fn pdftotext(pdf: &[u8]) -> String {
    pdftotext_with(pdf, &[])
}

/// The text laid out as on the page, a table's rows on their lines.
fn pdftotext_layout(pdf: &[u8]) -> String {
    pdftotext_with(pdf, &["-layout"])
}

fn pdftotext_with(pdf: &[u8], options: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("packet.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = Command::new("pdftotext")
        .args(options)
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// pdftotext breaks lines and may put spaces between runs: compare without whitespace.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_filled_value_is_in_the_packet() {
    let case = case();
    let packet = render(&case, &mincho(), &ALL_FORMS);
    assert_eq!(packet.forms.len(), 8, "{:?}", packet.forms);
    assert!(packet.without_template.is_empty());
    assert!(packet.reports.is_empty(), "{:?}", packet.reports);
    let text = squeezed(&pdftotext(&packet.pdf));
    let expected = [
        // the 受付番号 the departments call the household by
        "受付番号A-012",
        // names exactly as on the card, with 髙, 𠮷, 﨑 and the IVS sequence 葛+E0102
        "髙𠮷一郎",
        "髙𠮷葛\u{E0102}子",
        "髙𠮷陽翔",
        // the household's phone, in the 電話番号 boxes
        "046-822-4000",
        "山﨑トメ",
        "たかよしいちろう",
        "やまさきとめ",
        // addresses and postal codes
        "標準市中央一丁目2番3号さくらハイツ201",
        "〒100-0001",
        "福岡県北九州市小倉北区城内1番1号城内マンション305",
        // dates in 和暦, including 元年
        "令和8年11月20日",
        "元年",
        // rows: the 続柄 as the 住民票 writes them
        "世帯主",
        "妻",
        "妻の母",
        // certificates
        "2通",
        "1通",
        // the addressee and the guidance sheet
        "標準市長",
        "窓口案内シート",
        "令和8年11月29日（2026年11月29日）まで（11月28日は土曜日のため翌開庁日）",
        "確認が必要な手続き",
        "保育所等の利用申込み（保育課）確認すること：保育所等の利用",
        "これからの節目",
        "令和8年12月1日（2026年12月1日）：後期高齢者医療の被保険者になります（74歳の方）届出は要りません。",
        "窓口案内シート1/1",
    ];
    for value in expected {
        assert!(text.contains(value), "{value} is missing from the packet");
    }
    for title in [
        "住民異動届",
        "住民票の写し等交付請求書",
        "印鑑登録申請書",
        "国民健康保険異動届",
        "児童手当認定請求書",
        "子ども医療費助成受給資格認定申請書",
        "介護保険受給資格証明書提出・住所変更届",
        "犬の登録事項変更届",
    ] {
        assert!(text.contains(title), "{title} is missing");
    }
}

#[test]
fn the_family_packet_is_small_and_embeds_subset_fonts() {
    let packet = render(&case(), &mincho(), &ALL_FORMS);
    assert!(packet.pdf.len() < 1024 * 1024, "{} bytes", packet.pdf.len());
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, &packet.pdf).expect("write");
    let fonts = Command::new("pdffonts")
        .arg(&path)
        .output()
        .expect("pdffonts");
    let listing = String::from_utf8_lossy(&fonts.stdout);
    assert!(listing.contains("BIZUDGothic-Regular"), "{listing}");
    assert!(listing.contains("IPAmjMincho"), "{listing}");
    for line in listing.lines().skip(2) {
        // emb, sub and uni all "yes": embedded, subset, copyable text.
        let yes = line.split_whitespace().filter(|w| *w == "yes").count();
        assert_eq!(yes, 3, "{line}");
    }
    let info = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().to_string());
    assert_eq!(pages, Some(packet.pages.to_string()), "{info}");
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
}

/// Adds a member with a name, a birth date and a 続柄 to the sample household.
fn add_member(case: &mut Case, name: &str, birth: (i32, u32, u32), zokugara: &str) {
    case.household.members.push(Member {
        person: Person {
            name: name.into(),
            birth_date: chrono::NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2),
            ..Person::default()
        },
        relation: Zokugara::from_word(zokugara).expect("a 続柄"),
    });
}

#[test]
fn rows_continue_on_a_second_sheet() {
    let mut case = case();
    for (n, number) in ["一", "二", "三", "四", "五", "六", "七"]
        .iter()
        .enumerate()
    {
        add_member(
            &mut case,
            &format!("続紙 {number}郎"),
            (2000 + n as i32, 1, 1),
            "子",
        );
    }
    let packet = render(&case, &mincho(), &["jumin_ido_todoke"]);
    let form = &packet.forms[0];
    assert_eq!(
        form.pages, 2,
        "11 people: 4 on the first sheet, 7 on the second"
    );
    let text = squeezed(&pdftotext(&packet.pdf));
    assert!(text.contains("住民異動届（続紙2枚目）"));
    assert!(text.contains("続紙七郎"));
}

#[test]
fn the_moving_notice_prints_each_members_zokugara_as_the_juminhyo_does() {
    let mut case = case();
    add_member(&mut case, "髙𠮷 孫一", (2024, 5, 5), "孫");
    let packet = render(&case, &mincho(), &["jumin_ido_todoke"]);
    let layout = pdftotext_layout(&packet.pdf);
    let lines: Vec<&str> = layout.lines().collect();
    // A row prints the 続柄 at the end of its first line and the name on the next.
    for (name, word) in [
        ("山﨑 トメ", "妻の母"),
        ("髙𠮷 孫一", "孫"),
        ("髙𠮷 葛\u{E0102}子", "妻"),
    ] {
        let at = lines.iter().position(|l| l.contains(name)).expect(name);
        let row = lines[at - 1];
        assert!(
            row.split_whitespace().last() == Some(word),
            "{name}: {word} is not the 続柄 in {row:?}"
        );
    }
    let text = squeezed(&pdftotext(&packet.pdf));
    for category in ["配偶者", "父母"] {
        assert!(!text.contains(category), "{category} is not a 続柄");
    }
}

#[test]
fn each_member_who_registers_a_seal_gets_their_own_application() {
    let mut case = case();
    case.answers
        .insert("seal".into(), madoguchi_domain::Answer::members([0, 1]));
    let packet = render(&case, &mincho(), &["inkan_toroku"]);
    let sheets: Vec<_> = packet
        .forms
        .iter()
        .filter(|f| f.id == "inkan_toroku")
        .collect();
    assert_eq!(sheets.len(), 2, "{:?}", packet.forms);
    let text = pdftotext(&packet.pdf);
    // pdftotext separates pages with a form feed: each sheet names its own registrant.
    let pages: Vec<String> = text.split('\u{c}').map(squeezed).collect();
    let sheet_of = |name: &str| {
        pages
            .iter()
            .filter(|p| p.contains("印鑑登録申請書"))
            .position(|p| p.contains(name))
    };
    assert!(sheet_of("髙𠮷一郎").is_some());
    assert!(sheet_of("髙𠮷葛\u{E0102}子").is_some());
    assert_ne!(sheet_of("髙𠮷一郎"), sheet_of("髙𠮷葛\u{E0102}子"));
}

#[test]
fn a_proxy_files_in_their_own_name_and_the_forms_say_so() {
    let mut case = case();
    case.proxy = Some(Box::new(madoguchi_domain::Proxy {
        name: "代理 花子".into(),
        kana: None,
        address: None,
        phone: None,
        relation: None,
    }));
    let packet = render(&case, &mincho(), &["jumin_ido_todoke", "inkan_toroku"]);
    let text = squeezed(&pdftotext(&packet.pdf));
    assert!(text.contains("代理花子"), "the 代理人 is named");
}

/// The 葬祭費 is the 喪主's: the 届出人 is printed in the 申請者 boxes only when the case says they
/// held the funeral; otherwise the boxes are left for the 喪主, and the letter they must sign
/// is ticked among the papers to attach.
#[test]
fn the_funeral_grant_names_the_filer_only_when_they_held_the_funeral() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/okuyami.json");
    let mut case: Case =
        serde_json::from_str(&std::fs::read_to_string(sample).expect("sample")).expect("case");
    let widow = "相談和子";
    let sheet = |case: &Case| {
        squeezed(&pdftotext(
            &render(case, &mincho(), &["sousaihi_kokuho"]).pdf,
        ))
    };
    let held = sheet(&case);
    assert!(held.contains(widow), "the widow held the funeral");
    assert!(!held.contains("葬儀を行った方がご記入ください"));
    case.answers
        .insert("funeral_by_filer".into(), madoguchi_domain::Answer::No);
    let other = sheet(&case);
    assert!(!other.contains(widow), "her son held it: his to write");
    assert!(other.contains("葬儀を行った方がご記入ください"));
    assert!(
        other.contains("相談正男"),
        "the person who died is printed either way"
    );
}

/// Rows with `source = "procedure"` list the members the procedures asking for the form are
/// for: the grandmother of 71 alone on the 後期高齢者医療 sheet when the decision says it is
/// for her; everyone who moves when the decision names nobody.
#[test]
fn the_elderly_care_sheet_lists_whom_its_procedure_is_for() {
    let case = case();
    let qr = |_: &Case| Ok(vec!["MDG1:TEST".to_string()]);
    let sheet = |concerns: &[(String, Vec<usize>)]| {
        let packet = render_packet(
            &library(),
            &mincho(),
            &PacketRequest {
                case: &case,
                event_name: "転入",
                office: &Office::default(),
                forms: &["kouki_todoke".to_string()],
                procedures: &[],
                concerns,
                guidance: None,
                qr: &qr,
            },
        )
        .expect("packet");
        squeezed(&pdftotext(&packet.pdf))
    };
    let for_her = sheet(&[("kouki_todoke".to_string(), vec![3])]);
    assert!(for_her.contains("山﨑トメ"), "{for_her}");
    assert!(!for_her.contains("陽翔"), "only whom it is for: {for_her}");
    let everyone = sheet(&[]);
    assert!(
        everyone.contains("山﨑トメ") && everyone.contains("陽翔"),
        "{everyone}"
    );
}

#[test]
fn the_medical_subsidy_lists_children_to_18_as_its_rule_covers_them() {
    let mut case = case();
    add_member(&mut case, "髙𠮷 高校生", (2010, 5, 5), "子");
    let packet = render(&case, &mincho(), &["kodomo_iryo"]);
    let text = squeezed(&pdftotext(&packet.pdf));
    assert!(
        text.contains("髙𠮷高校生"),
        "the 16-year-old is on the form"
    );
}

#[test]
fn foreign_residents_card_facts_print_on_the_notice_and_the_residence_sheet() {
    let case: Case = serde_json::from_str(FOREIGN_RESIDENTS).expect("sample case");
    let packet = render(&case, &mincho(), &["jumin_ido_todoke", "zairyu_todoke"]);
    assert!(packet.reports.is_empty(), "{:?}", packet.reports);
    let text = pdftotext(&packet.pdf);
    let pages: Vec<String> = text.split('\u{c}').map(squeezed).collect();
    let notice = pages
        .iter()
        .find(|p| p.contains("異動する人"))
        .expect("the notice");
    for fact in ["ベトナム", "AB12345678CD", "EF23456789GH", "IJ34567890KL"] {
        assert!(notice.contains(fact), "the notice lacks {fact}");
    }
    let sheet = pages
        .iter()
        .find(|p| p.contains("外国人住民の方（在留カード"))
        .expect("the residence sheet");
    for fact in [
        "NGUYENVANAN",
        "AB12345678CD",
        "技術・人文知識・国際業務",
        "家族滞在",
        "2029年4月30日",
        "中長期在留者",
        "中村舞",
        "標準市港町二丁目8番1号ハーバーテラス305",
        "080-1234-5678",
    ] {
        assert!(sheet.contains(fact), "the residence sheet lacks {fact}");
    }
}

#[test]
fn the_building_prints_on_its_own_line_and_the_previous_head_in_its_box() {
    let mut case = case();
    let layout = pdftotext_layout(&render(&case, &mincho(), &["jumin_ido_todoke"]).pdf);
    let line_of = |text: &str, what: &str| {
        text.lines()
            .position(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what} is not printed"))
    };
    assert!(
        line_of(&layout, "さくらハイツ201") > line_of(&layout, "標準市中央一丁目2番3号"),
        "the 方書 has its own line under the 住居表示"
    );
    // The family moves together: its head was the head before too.
    let heads = layout.lines().filter(|l| l.contains("髙𠮷 一郎")).count();
    assert!(
        heads >= 3,
        "新しい世帯主, 前の世帯主 and the 届出人: {heads}"
    );
    // A student who leaves the parents' household names the parent typed as 前の世帯主.
    case.household.members.truncate(1);
    case.household.previous_head = Some("髙𠮷 父親".into());
    let layout = pdftotext_layout(&render(&case, &mincho(), &["jumin_ido_todoke"]).pdf);
    assert!(layout.contains("髙𠮷 父親"), "the previous head is printed");
}

#[test]
fn the_child_allowance_claim_is_in_the_claimants_name_with_their_spouse_beside() {
    let mut case = case();
    case.answers.insert(
        "allowance_claimant".into(),
        madoguchi_domain::Answer::members([1]),
    );
    let layout = pdftotext_layout(&render(&case, &mincho(), &["jidou_teate_nintei"]).pdf);
    let line = |label: &str| {
        layout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(label))
            .unwrap_or_else(|| panic!("no {label} line: {layout}"))
            .to_string()
    };
    // The 請求者's name is on the line below its ふりがな; the 配偶者 is the head.
    assert!(layout.contains("たかよし くずこ"), "{layout}");
    assert!(line("配偶者").contains("髙𠮷 一郎"), "{}", line("配偶者"));
}

#[test]
fn a_character_no_face_has_is_reported_with_its_field() {
    let mut case = case();
    // U+2EBF0 (CJK Extension I, 2023) is in neither BIZ UDゴシック nor IPAmj明朝.
    case.household.members[0].person.name = "髙𠮷 \u{2EBF0}郎".into();
    let packet = render(&case, &mincho(), &["inkan_toroku"]);
    let missing: Vec<_> = packet
        .reports
        .iter()
        .filter(|r| matches!(&r.kind, ReportKind::Glyph(p) if p.kind == ProblemKind::Missing))
        .collect();
    assert!(!missing.is_empty());
    assert!(missing.iter().all(|r| r.form == "印鑑登録申請書"));
    assert!(missing.iter().any(|r| r.field == "氏名"), "{missing:?}");
    let message = missing[0].message();
    assert!(
        message.contains("U+2EBF0") && message.contains("〓"),
        "{message}"
    );
    assert!(
        !message.contains("髙𠮷"),
        "messages never repeat the name: {message}"
    );
    let text = pdftotext(&packet.pdf);
    assert!(
        text.contains("〓"),
        "the gap is marked on paper, not a silent box"
    );
}

#[test]
fn without_ipamj_the_gothic_face_prints_what_it_can_and_reports_the_rest() {
    let packet = render(&case(), &Fonts::with_mincho(None), &["jumin_ido_todoke"]);
    let kinds: Vec<(String, ProblemKind)> = packet
        .reports
        .iter()
        .filter_map(|r| match &r.kind {
            ReportKind::Glyph(p) => Some((p.code_points(), p.kind)),
            _ => None,
        })
        .collect();
    // 𠮷 is not in BIZ UDゴシック; 葛+E0102 (a Moji_Joho variant) prints as plain 葛.
    assert!(kinds.contains(&("U+20BB7".to_string(), ProblemKind::Missing)));
    assert!(kinds.contains(&(
        "U+845B U+E0102".to_string(),
        ProblemKind::VariantUnavailable
    )));
    // 髙 and 﨑 are in the gothic face.
    assert!(!kinds.iter().any(|(c, _)| c == "U+9AD9" || c == "U+FA11"));
}

#[test]
fn an_address_too_long_for_its_box_shrinks_then_is_reported() {
    let mut case = case();
    case.event.new_address.as_mut().expect("address").text =
        "標準市中央一丁目2番3号 さくらハイツ201号室（管理人室の隣、エレベーター前）".into();
    let packet = render(&case, &mincho(), &["jumin_ido_todoke"]);
    assert!(packet.reports.is_empty(), "{:?}", packet.reports);
    case.event.new_address.as_mut().expect("address").text = "長".repeat(400);
    let packet = render(&case, &mincho(), &["jumin_ido_todoke"]);
    assert!(
        packet
            .reports
            .iter()
            .any(|r| r.kind == ReportKind::Overflow && r.field == "新しい住所"),
        "{:?}",
        packet.reports
    );
}

#[test]
fn a_broken_template_is_refused_with_its_file_and_item() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("bad.toml"),
        "[form]\nid = \"x\"\ntitle = \"x\"\n\n[[item]]\ntype = \"field\"\nrect = [0, 0, 10, 10]\nvalue = \"applicant.nmae\"\n\n[[item]]\ntype = \"text\"\nrect = [0, 20, 10, 10]\ntext = \"x\"\nwhen = { value = \"answer\" }\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("broken.toml"), "[form\nid=").expect("write");
    let error = Library::load(dir.path()).expect_err("refused").to_string();
    assert!(
        error.contains("bad.toml: item 1 (field): `applicant.nmae`"),
        "{error}"
    );
    assert!(
        error.contains("bad.toml: item 2 (text): `answer`"),
        "a `when` is checked like a value: {error}"
    );
    assert!(error.contains("broken.toml"), "{error}");
}

#[test]
fn every_required_form_has_a_template_that_names_its_sources() {
    let library = library();
    let ids: Vec<&str> = library.templates().iter().map(|t| t.id()).collect();
    for id in ALL_FORMS {
        assert!(ids.contains(&id), "{id} has no template");
    }
    for template in library.templates() {
        assert!(
            !template.sources().is_empty(),
            "{} must say where its layout comes from",
            template.path().display()
        );
    }
}

#[test]
fn a_background_picture_is_printed_under_the_fields() {
    let dir = tempfile::tempdir().expect("dir");
    let picture = image::RgbImage::from_fn(210, 297, |x, y| {
        if (x + y) % 20 == 0 {
            image::Rgb([200, 200, 200])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    picture.save(dir.path().join("scan.png")).expect("png");
    std::fs::write(
        dir.path().join("scanned.toml"),
        "[form]\nid = \"inkan_toroku\"\ntitle = \"印鑑登録申請書（市の様式）\"\nbackground = \"scan.png\"\n\
         sources = [\"a scan of the city's own form\"]\n\n\
         [[item]]\ntype = \"field\"\nrect = [40, 40, 100, 10]\nvalue = \"applicant.name\"\nfont = \"names\"\n",
    )
    .expect("template");
    let library = Library::load(dir.path()).expect("loads");
    let packet = forms_only(&library, &["inkan_toroku"]);
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, &packet.pdf).expect("write");
    let images = Command::new("pdfimages")
        .arg("-list")
        .arg(&path)
        .output()
        .expect("pdfimages");
    let listing = String::from_utf8_lossy(&images.stdout);
    assert!(listing.contains(" 210   297 "), "{listing}");
    assert!(squeezed(&pdftotext(&packet.pdf)).contains("髙𠮷一郎"));
}

/// A picture of `width` × `height` pixels as PNG bytes.
fn png_bytes(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, _| {
        image::Rgb(if x % 10 == 0 {
            [0, 0, 0]
        } else {
            [255, 255, 255]
        })
    });
    let mut bytes = Vec::new();
    picture
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("png");
    bytes
}

/// The city's template for 印鑑登録 as a catalogue version carries it, over its background.
fn city_files(template: &str) -> std::collections::BTreeMap<String, String> {
    [
        ("catalogue.toml".to_string(), "not a template".to_string()),
        ("forms/city_inkan.toml".to_string(), template.to_string()),
        (
            "forms/city_inkan.png.b64".to_string(),
            madoguchi_forms::encode_background(&png_bytes(105, 148)),
        ),
        // Deeper folders and other files are not templates.
        ("forms/old/x.toml".to_string(), "broken [".to_string()),
        ("procedures/a.toml".to_string(), "[[procedure]]".to_string()),
    ]
    .into_iter()
    .collect()
}

const CITY_INKAN: &str = "[form]\nid = \"inkan_toroku\"\ntitle = \"印鑑登録申請書（市の様式）\"\n\
    background = \"city_inkan.png\"\nqr_members = \"applicant\"\n\n\
    [[item]]\ntype = \"field\"\nrect = [40, 40, 100, 10]\nvalue = \"applicant.name\"\nfont = \"names\"\n";

/// Templates a catalogue version carries (the form editor's) print instead of the shipped
/// template of the same form id, with their background; every other form keeps its own.
#[test]
fn a_catalogue_template_prints_instead_of_the_shipped_one() {
    let city = Library::from_catalogue_files(&city_files(CITY_INKAN)).expect("city templates");
    assert_eq!(city.templates().len(), 1);
    let shipped = library();
    let shipped_count = shipped.templates().len();
    let library = shipped.overlaid_by(city);
    assert_eq!(library.templates().len(), shipped_count, "one replaced");
    let inkan = library.for_form("inkan_toroku").expect("printed");
    assert_eq!(inkan.title(), "印鑑登録申請書（市の様式）");
    assert_eq!(inkan.path(), Path::new("forms/city_inkan.toml"));
    assert_eq!(
        library
            .for_form("jumin_ido_todoke")
            .map(madoguchi_forms::Template::title),
        Some("住民異動届")
    );
    let packet = forms_only(&library, &["inkan_toroku", "jumin_ido_todoke"]);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, &packet.pdf).expect("write");
    let images = Command::new("pdfimages")
        .arg("-list")
        .arg(&path)
        .output()
        .expect("pdfimages");
    let listing = String::from_utf8_lossy(&images.stdout);
    assert!(listing.contains(" 105   148 "), "{listing}");
    let words = squeezed(&pdftotext(&packet.pdf));
    assert!(words.contains("髙𠮷一郎"), "{words}");
    assert!(words.contains("住民異動届"), "{words}");
}

/// A catalogue's template whose background is missing, damaged or named with a folder is
/// refused with its file named; the library does not load half.
#[test]
fn a_catalogue_template_with_a_bad_background_is_refused() {
    let mut missing = city_files(CITY_INKAN);
    missing.remove("forms/city_inkan.png.b64");
    let mut damaged = city_files(CITY_INKAN);
    damaged.insert("forms/city_inkan.png.b64".into(), "iVBOR***".into());
    let mut not_a_picture = city_files(CITY_INKAN);
    not_a_picture.insert(
        "forms/city_inkan.png.b64".into(),
        madoguchi_forms::encode_background(b"hello"),
    );
    let climbing = city_files(&CITY_INKAN.replace("city_inkan.png", "../../etc/passwd"));
    for (files, said) in [
        (missing, "forms/city_inkan.png.b64"),
        (damaged, "base64"),
        (not_a_picture, "background city_inkan.png"),
        (climbing, "without folders"),
    ] {
        let error = Library::from_catalogue_files(&files)
            .expect_err("refused")
            .to_string();
        assert!(error.contains("forms/city_inkan.toml"), "{error}");
        assert!(error.contains(said), "{said}: {error}");
    }
}

/// The 本人確認 box ticks the ID card the counter read (`Case::identified_by`): the tick is
/// found on the printed page in the box of that document and no other; a 特別永住者証明書 ticks
/// その他 and names itself in its brackets; nothing is ticked when the clerk typed the person.
#[test]
fn the_identity_box_ticks_the_card_the_counter_read() {
    use madoguchi_domain::IdentityDocument;
    let mut case: Case = serde_json::from_str(FOREIGN_RESIDENTS).expect("sample case");
    // The checks' boxes on the form (`forms/jumin_ido_todoke.toml`), left edge at 13, 50, 80
    // and 110 mm, 250 mm down.
    let boxes = [13.0, 50.0, 80.0, 110.0];
    let inked = |case: &Case| -> Vec<usize> {
        let packet = render(case, &mincho(), &["jumin_ido_todoke"]);
        let number = pdftotext(&packet.pdf)
            .split('\u{c}')
            .position(|p| p.contains("異動する人"))
            .expect("the notice's page")
            + 1;
        let page = grey_page(&packet.pdf, number);
        boxes
            .iter()
            .map(|x| page.dark_in_mm(*x, 250.0, 3.0, 3.0))
            .collect()
    };
    case.identified_by = None;
    let blank = inked(&case);
    let documents = [
        IdentityDocument::MyNumberCard,
        IdentityDocument::DrivingLicence,
        IdentityDocument::ResidenceCard,
        IdentityDocument::SpecialPermanentCertificate,
    ];
    for (index, document) in documents.into_iter().enumerate() {
        case.identified_by = Some(document);
        let ticked = inked(&case);
        for (at, (with, without)) in ticked.iter().zip(&blank).enumerate() {
            if at == index {
                assert!(with > without, "{document:?}: no tick in box {at}");
            } else {
                assert_eq!(with, without, "{document:?}: box {at} changed");
            }
        }
        let text = squeezed(&pdftotext(
            &render(&case, &mincho(), &["jumin_ido_todoke"]).pdf,
        ));
        assert_eq!(
            text.contains("特別永住者証明書"),
            document == IdentityDocument::SpecialPermanentCertificate,
            "{document:?}"
        );
    }
}

/// Page `number` of `pdf` in grey, as pdftoppm draws it at 100 dpi.
struct GreyPage {
    width: usize,
    pixels: Vec<u8>,
}

impl GreyPage {
    /// Pixels darker than mid-grey in a `w` × `h` mm rectangle at (`x`, `y`) mm.
    fn dark_in_mm(&self, x: f32, y: f32, w: f32, h: f32) -> usize {
        let px = |mm: f32| (mm / 25.4 * 100.0).round() as usize;
        let mut dark = 0;
        for row in px(y)..px(y + h) {
            for column in px(x)..px(x + w) {
                if self
                    .pixels
                    .get(row * self.width + column)
                    .is_some_and(|&v| v < 128)
                {
                    dark += 1;
                }
            }
        }
        dark
    }
}

fn grey_page(pdf: &[u8], number: usize) -> GreyPage {
    let dir = std::env::temp_dir().join(format!(
        "madoguchi-identity-{}-{}",
        std::process::id(),
        pdf.len()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let input = dir.join("form.pdf");
    std::fs::write(&input, pdf).expect("pdf written");
    let page = number.to_string();
    let status = std::process::Command::new("pdftoppm")
        .args([
            "-r",
            "100",
            "-gray",
            "-singlefile",
            "-f",
            &page,
            "-l",
            &page,
        ])
        .arg(&input)
        .arg(dir.join("page"))
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
    let pgm = std::fs::read(dir.join("page.pgm")).expect("page drawn");
    std::fs::remove_dir_all(&dir).expect("clean");
    // P5 header: magic, width, height, maxval, each followed by white space.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
    }
    let width: usize = fields[1].parse().expect("width");
    GreyPage {
        width,
        pixels: pgm[at + 1..].to_vec(),
    }
}
