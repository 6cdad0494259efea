//! The form editor's templates (`madoguchi_forms::authoring`): what it places is written as an
//! ordinary template that the loader accepts and the packet prints, and it opens again as it
//! was; a template written by hand is not opened as the editor's.

use std::collections::BTreeMap;

use madoguchi_domain::Case;
use madoguchi_forms::authoring::{Paper, PlaceKind, Placed, PlacedRows, PlacedTemplate, problems};
use madoguchi_forms::{Fonts, Library, Office, PacketRequest, RowSource, render_packet};

fn case() -> Case {
    let mut case: Case = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/examples/family-of-four.json"
        ))
        .expect("example"),
    )
    .expect("case");
    case.applicant = 0;
    case
}

fn placed() -> PlacedTemplate {
    let mut template = PlacedTemplate::new(
        "inkan_toroku",
        "印鑑登録申請書（市の様式）",
        Some("scan.png"),
    );
    template.items.push(Placed::new(
        PlaceKind::Field,
        [40.0, 50.0, 100.0, 9.0],
        "applicant.name",
    ));
    template.items.push(Placed::new(
        PlaceKind::Era,
        [40.0, 62.5, 80.0, 9.0],
        "applicant.birth_date",
    ));
    template.items.push(Placed::new(
        PlaceKind::Field,
        [40.0, 75.0, 150.0, 9.0],
        "new_address",
    ));
    template.items.push(Placed::new(
        PlaceKind::Check,
        [20.0, 90.0, 4.0, 4.0],
        "answer.seal",
    ));
    template
        .items
        .push(Placed::new(PlaceKind::Qr, [160.0, 240.0, 34.0, 36.0], ""));
    template.rows = Some(PlacedRows {
        source: RowSource::Household,
        origin: [20.0, 110.0],
        height: 12.0,
        per_page: 4,
        items: vec![
            Placed::new(PlaceKind::Field, [0.0, 0.0, 60.0, 12.0], "member.name"),
            Placed::new(PlaceKind::Field, [60.0, 0.0, 20.0, 12.0], "member.relation"),
        ],
    });
    template
}

#[test]
fn a_placed_template_loads_prints_and_opens_again() {
    let template = placed();
    assert!(problems(&template).is_empty(), "{:?}", problems(&template));
    let text = template.to_toml();
    assert!(
        text.starts_with("# 印鑑登録申請書（市の様式） — "),
        "{text}"
    );
    assert_eq!(PlacedTemplate::parse(&text).expect("opens"), template);

    let words = pdftotext_words(&printed(&template, [0.0, 0.0]));
    let case = case();
    for member in &case.household.members {
        let name: String = member
            .person
            .name
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(words.contains(&name), "{name} in {words}");
    }
}

#[test]
fn what_cannot_be_saved_is_said() {
    let mut template = placed();
    template.items[0].set_value("");
    template.items[2].set_rect([180.0, 75.0, 50.0, 9.0]);
    template.form.id = String::new();
    let said = problems(&template).join("\n");
    assert!(said.contains("帳票ID"), "{said}");
    assert!(said.contains("1番目の欄に入れる値"), "{said}");
    assert!(said.contains("3番目の欄が用紙からはみ出して"), "{said}");
}

#[test]
fn a_template_written_by_hand_is_not_opened_as_the_editors() {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../forms/inkan_toroku.toml"
    ))
    .expect("shipped");
    let said = PlacedTemplate::parse(&shipped).expect_err("refused");
    assert!(said.contains("手で書かれた"), "{said}");
}

/// The packet of `template` (over a grey page) for the family, values on pre-printed paper
/// moved by `offset`.
fn printed(template: &PlacedTemplate, offset: [f32; 2]) -> Vec<u8> {
    let picture = image::GrayImage::from_pixel(210, 297, image::Luma([250]));
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    let files: BTreeMap<String, String> = [
        ("forms/city_inkan.toml".to_string(), template.to_toml()),
        (
            "forms/scan.png.b64".to_string(),
            madoguchi_forms::encode_background(&png),
        ),
    ]
    .into_iter()
    .collect();
    let mut library = Library::from_catalogue_files(&files).expect("loads");
    library.set_preprinted_offset(offset);
    let case = case();
    let qr = |_: &Case| Ok(vec!["MDG3:TEST".to_string()]);
    render_packet(
        &library,
        &Fonts::load(),
        &PacketRequest {
            case: &case,
            event_name: "転入",
            office: &Office::default(),
            forms: &["inkan_toroku".to_string()],
            procedures: &[],
            concerns: &[],
            guidance: None,
            qr: &qr,
        },
    )
    .expect("packet")
    .pdf
}

/// What `tool` (a poppler utility) says of `pdf`, run with `args` before the file.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Where pdftotext finds the first word of a page, in points from the top-left corner.
fn first_word_at(pdf: &[u8]) -> (f64, f64) {
    let html = poppler("pdftotext", &["-bbox"], pdf);
    let word = html
        .lines()
        .find(|l| l.contains("<word "))
        .unwrap_or_else(|| panic!("no word: {html}"));
    let attribute = |name: &str| -> f64 {
        let start = word.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        word[start..]
            .split('"')
            .next()
            .expect("value")
            .parse()
            .expect("number")
    };
    (attribute("xMin"), attribute("yMin"))
}

fn images_in(pdf: &[u8]) -> usize {
    poppler("pdfimages", &["-list"], pdf)
        .lines()
        .skip(2)
        .count()
}

fn pdftotext_words(pdf: &[u8]) -> String {
    poppler("pdftotext", &[], pdf)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// On the city's pre-printed paper only the values print — no scanned page under them, no
/// check box squares, no 明大昭平令 — moved by the printer's calibrated offset.
#[test]
fn pre_printed_paper_gets_the_values_alone_moved_by_the_printers_offset() {
    let plain = placed();
    let mut preprinted = placed();
    preprinted.form.paper = Paper::Preprinted;
    let text = preprinted.to_toml();
    assert!(text.contains("paper = \"preprinted\""), "{text}");
    assert_eq!(
        PlacedTemplate::parse(&text).expect("opens").form.paper,
        Paper::Preprinted
    );
    let on_plain = printed(&plain, [0.0, 0.0]);
    let on_form = printed(&preprinted, [2.0, -1.0]);
    assert_eq!(images_in(&on_plain), 1);
    assert_eq!(images_in(&on_form), 0);
    let plain_words = pdftotext_words(&on_plain);
    let form_words = pdftotext_words(&on_form);
    assert!(plain_words.contains("明大"), "{plain_words}");
    assert!(!form_words.contains("明"), "{form_words}");
    let (x0, y0) = first_word_at(&on_plain);
    let (x1, y1) = first_word_at(&on_form);
    // 2 mm right and 1 mm up, in points.
    assert!((x1 - x0 - 2.0 * 72.0 / 25.4).abs() < 0.2, "{x0} → {x1}");
    assert!((y1 - y0 + 72.0 / 25.4).abs() < 0.2, "{y0} → {y1}");
}
