//! `madoguchi forms render|list|check|calibrate` from the command line: the packet of the
//! eight-forms family (guidance sheet plus eight forms), whose back-office QR codes decode to
//! each form's people; a name no font can print gives a warning naming the field and exit
//! status 3, the PDF is still written, and the name itself never reaches the terminal; the
//! shipped templates checked clean; a catalogue carrying the city's own form; the printer's
//! calibration for pre-printed paper.

#[path = "support/dirs.rs"]
mod dirs;

#[path = "support/staff.rs"]
mod staff;

use std::path::Path;
use std::process::{Command, Output};

use dirs::copy_dir;

const EIGHT_FORMS: &str = "../../docs/examples/eight-forms.json";

fn madoguchi(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_madoguchi"));
    command
        .env("MADOGUCHI_DB", dir.join("madoguchi.sqlite3"))
        .env("MADOGUCHI_STORE_KEY_FILE", dir.join("store.key"))
        .env_remove("MADOGUCHI_STORE_KEY")
        .env_remove("MADOGUCHI_FORMS")
        .env_remove("MADOGUCHI_LOG");
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    madoguchi(dir).args(args).output().expect("runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The PDF's text (pages `from..=to`, or all), without the whitespace pdftotext puts between
/// runs and lines.
fn plain_text(pdf: &Path, pages: Option<(u32, u32)>) -> String {
    let mut command = Command::new("pdftotext");
    if let Some((from, to)) = pages {
        command.args(["-f", &from.to_string(), "-l", &to.to_string()]);
    }
    let output = command.arg(pdf).arg("-").output().expect("pdftotext");
    String::from_utf8_lossy(&output.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn render(dir: &Path, case: &str) -> (Output, std::path::PathBuf) {
    let out = dir.join("packet.pdf");
    let output = run(
        dir,
        &[
            "forms",
            "render",
            "--case",
            case,
            "--out",
            out.to_str().expect("utf-8"),
        ],
    );
    (output, out)
}

#[test]
fn the_family_packet_has_the_guidance_sheet_and_eight_forms() {
    let dir = tempfile::tempdir().expect("dir");
    let (output, pdf) = render(dir.path(), EIGHT_FORMS);
    assert!(output.status.success(), "{}", text(&output));
    let said = text(&output);
    for title in [
        "住民異動届",
        "住民票の写し等交付請求書",
        "印鑑登録申請書",
        "国民健康保険 異動届",
        "児童手当 認定請求書",
        "子ども医療費助成 受給資格認定申請書",
        "介護保険 受給資格証明書提出・住所変更届",
        "犬の登録事項変更届",
    ] {
        assert!(said.contains(title), "{title} not in the packet: {said}");
    }
    let plain = plain_text(&pdf, None);
    assert!(plain.contains("髙𠮷一郎") && plain.contains("山﨑トメ"));
    let first = plain_text(&pdf, Some((1, 1)));
    assert!(
        first.contains("窓口案内シート") && first.contains("1/"),
        "the guidance sheet comes first: {first}"
    );
}

/// The page `title`'s form starts on, from the listing `forms render` prints
/// (`  p.9   児童手当 認定請求書 (1 page(s))`).
fn page_of(said: &str, title: &str) -> String {
    said.lines()
        .find(|l| l.contains(title))
        .and_then(|l| l.trim().strip_prefix("p."))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no page for {title}: {said}"))
        .to_string()
}

/// The case the back-office QR code on `page` of `pdf` carries (all its symbols), read back
/// with `madoguchi qr decode` from the page drawn at 200 dpi.
fn qr_case_on_page(dir: &Path, pdf: &Path, page: &str, today: &str) -> serde_json::Value {
    let image = dir.join(format!("page-{page}"));
    let rendered = Command::new("pdftoppm")
        .args(["-r", "200", "-png", "-singlefile", "-f", page, "-l", page])
        .arg(pdf)
        .arg(&image)
        .status()
        .expect("pdftoppm");
    assert!(rendered.success());
    let png = image.with_extension("png");
    let decoded = run(
        dir,
        &[
            "qr",
            "decode",
            png.to_str().expect("utf-8"),
            "--today",
            today,
        ],
    );
    assert!(decoded.status.success(), "page {page}: {}", text(&decoded));
    let json: serde_json::Value = serde_json::from_slice(&decoded.stdout).expect("JSON");
    json["case"].clone()
}

fn member_names(case: &serde_json::Value) -> Vec<&str> {
    case["household"]["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["person"]["name"].as_str().expect("name"))
        .collect()
}

#[test]
fn each_form_carries_its_own_people_in_its_qr_code() {
    let dir = tempfile::tempdir().expect("dir");
    let (output, pdf) = render(dir.path(), EIGHT_FORMS);
    assert!(output.status.success(), "{}", text(&output));
    let page = page_of(&text(&output), "児童手当 認定請求書");
    let case = qr_case_on_page(dir.path(), &pdf, &page, "2026-11-20");
    // The claimant and the child: not the spouse or the grandmother, and no answers.
    assert_eq!(member_names(&case), vec!["髙𠮷 一郎", "髙𠮷 陽翔"]);
    assert!(case["answers"].as_object().is_none_or(|a| a.is_empty()));
}

/// After a death every form's code carries the person who died and says so — whoever else
/// it carries (the widow who files, the members of its rows): the back office never reads
/// the widow as the one who died.
#[test]
fn every_code_of_a_death_names_the_person_who_died() {
    let dir = tempfile::tempdir().expect("dir");
    let (output, pdf) = render(dir.path(), "../../docs/examples/okuyami.json");
    assert!(output.status.success(), "{}", text(&output));
    let said = text(&output);
    for title in [
        "世帯主変更届",
        "国民健康保険 異動届",
        "葬祭費 支給申請書",
        "介護保険 資格喪失届",
        "未支給年金の請求のご案内",
    ] {
        let case = qr_case_on_page(dir.path(), &pdf, &page_of(&said, title), "2026-11-27");
        let names = member_names(&case);
        let subject = case["event"]["subject"].as_u64().expect("a subject") as usize;
        assert_eq!(names[subject], "相談 正男", "{title}: {names:?}");
        assert!(
            names.contains(&"相談 和子"),
            "{title}: the widow files: {names:?}"
        );
    }
}

/// The largest household of the samples (eight people, long names and addresses) gets every
/// form's code printed: two symbols stacked where one would be too dense to scan, read back
/// as the eight.
#[test]
fn a_household_of_eight_gets_every_code_printed() {
    let dir = tempfile::tempdir().expect("dir");
    let (output, pdf) = render(dir.path(), "../../forms/samples/longest.json");
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(!said.contains("QRコードが細かすぎる"), "{said}");
    let case = qr_case_on_page(
        dir.path(),
        &pdf,
        &page_of(&said, "住民異動届"),
        "2026-11-20",
    );
    assert_eq!(member_names(&case).len(), 8);
}

/// The sample families moving in get every form filled in: none is left to the counter's paper
/// (「窓口で記入」 on the guidance sheet) — the family of four, the eight forms, and the single
/// mother whose private answers bring the welfare, health and protection forms.
#[test]
fn the_sample_families_write_no_form_by_hand() {
    for case in [
        "../../docs/examples/family-of-four.json",
        EIGHT_FORMS,
        "../../forms/samples/private-matters.json",
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let (output, pdf) = render(dir.path(), case);
        let said = text(&output);
        assert!(output.status.success(), "{case}: {said}");
        assert!(!said.contains("no template"), "{case}: {said}");
        let sheet = plain_text(&pdf, Some((1, first_form_page(&said) - 1)));
        assert!(!sheet.contains("窓口で記入"), "{case}: {sheet}");
        assert!(sheet.contains("記入済み"), "{case}: {sheet}");
    }
}

/// `forms check` against the shipped catalogue: every catalogue form has a template, and every
/// template holds for every sample (the catalogue's scenarios and the templates' own samples).
#[test]
fn forms_check_finds_the_shipped_templates_clean() {
    let dir = tempfile::tempdir().expect("dir");
    let checked = run(
        dir.path(),
        &["forms", "check", "--catalogue", "../../assets/catalogue"],
    );
    let said = text(&checked);
    assert_eq!(checked.status.code(), Some(0), "{said}");
    let listed = text(&run(dir.path(), &["forms", "list"]));
    let catalogue = std::fs::read_to_string("../../assets/catalogue/forms.toml").expect("forms");
    for id in catalogue
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .filter_map(|l| l.strip_suffix('"'))
    {
        assert!(
            listed.contains(&format!("{id},")) || listed.contains(&format!("{id}]")),
            "{id} has no template: {listed}"
        );
    }
    let files_in = |dir: &str, ext: &str| {
        std::fs::read_dir(dir)
            .expect("dir")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == ext))
            })
            .count()
    };
    let samples = files_in("../../assets/catalogue/scenarios", "toml")
        + files_in("../../forms/samples", "json");
    assert!(
        said.contains(&format!("{samples} sample cases: 0 problem(s)")),
        "every scenario and every sample, no problem: {said}"
    );
}

#[test]
fn an_unprintable_name_warns_the_clerk_without_showing_the_name() {
    let dir = tempfile::tempdir().expect("dir");
    let mut case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(EIGHT_FORMS).expect("read")).expect("JSON");
    case["household"]["members"][0]["person"]["name"] = "秘密川 \u{2EBF0}郎".into();
    let file = dir.path().join("case.json");
    std::fs::write(&file, case.to_string()).expect("write");
    let (output, pdf) = render(dir.path(), file.to_str().expect("utf-8"));
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(pdf.exists(), "the packet is still written");
    let said = text(&output);
    assert!(
        said.contains("U+2EBF0") && said.contains("印字できない文字"),
        "{said}"
    );
    assert!(said.contains("住民異動届"), "{said}");
    assert!(
        !said.contains("秘密川"),
        "the name must not be shown: {said}"
    );
}

#[test]
fn forms_list_names_every_template() {
    let dir = tempfile::tempdir().expect("dir");
    let output = run(dir.path(), &["forms", "list"]);
    assert!(output.status.success(), "{}", text(&output));
    let said = text(&output);
    assert!(said.contains("kokuho_shutoku") && said.contains("kokuho_soshitsu"));
    let templates = std::fs::read_dir("../../forms")
        .expect("forms")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .count();
    assert_eq!(
        said.lines().filter(|l| l.starts_with("  ")).count(),
        templates,
        "{said}"
    );
}

#[test]
fn a_broken_template_folder_is_one_clear_error() {
    let dir = tempfile::tempdir().expect("dir");
    let forms = dir.path().join("forms");
    std::fs::create_dir_all(&forms).expect("dir");
    std::fs::write(forms.join("x.toml"), "[form]\nid = 1\n").expect("write");
    let output = run(
        dir.path(),
        &["forms", "list", "--forms", forms.to_str().expect("utf-8")],
    );
    assert_eq!(output.status.code(), Some(2));
    let said = text(&output);
    assert!(
        said.contains("x.toml") && said.starts_with("error:"),
        "{said}"
    );
    assert!(!said.contains("panicked"));
}

#[test]
fn the_guidance_sheet_uses_the_citys_settings() {
    let dir = tempfile::tempdir().expect("dir");
    staff::first_supervisor(madoguchi(dir.path()));
    for (key, value) in [
        ("office.city", "窓口市"),
        ("counter.shimin.place", "新庁舎2階 A窓口"),
    ] {
        let set = staff::as_supervisor(madoguchi(dir.path()), &["store", "set", key, value]);
        assert!(set.status.success(), "{}", text(&set));
    }
    let unknown = staff::as_supervisor(madoguchi(dir.path()), &["store", "set", "colour", "blue"]);
    assert_eq!(unknown.status.code(), Some(2));
    let unsigned = run(dir.path(), &["store", "set", "office.city", "別の市"]);
    assert_eq!(
        unsigned.status.code(),
        Some(2),
        "a setting needs a supervisor"
    );
    let (output, pdf) = render(dir.path(), EIGHT_FORMS);
    assert!(output.status.success(), "{}", text(&output));
    let plain = plain_text(&pdf, None);
    assert!(
        plain.contains("新庁舎2階A窓口"),
        "the counter's place from the settings"
    );
    assert!(plain.contains("窓口市役所") && plain.contains("窓口市長"));
}

/// The eight-forms family as a case file in `dir`, changed by `change`.
fn eight_forms_changed(dir: &Path, change: impl FnOnce(&mut serde_json::Value)) -> String {
    let text = std::fs::read_to_string(EIGHT_FORMS).expect("example");
    let mut case: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    change(&mut case);
    let path = dir.join("case.json");
    std::fs::write(&path, case.to_string()).expect("write");
    path.to_str().expect("utf-8").to_string()
}

#[test]
fn a_move_in_without_the_new_address_names_each_form_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let case = eight_forms_changed(dir.path(), |case| {
        case["event"]
            .as_object_mut()
            .expect("event")
            .remove("new_address");
    });
    let (output, pdf) = render(dir.path(), &case);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    assert!(!pdf.exists(), "nothing is written");
    let said = String::from_utf8_lossy(&output.stderr).to_string();
    let missing: Vec<&str> = said
        .lines()
        .filter(|l| l.starts_with("missing / 未記入: "))
        .collect();
    for title in [
        "住民異動届",
        "住民票の写し等交付請求書",
        "印鑑登録申請書",
        "国民健康保険 異動届",
        "児童手当 認定請求書",
        "子ども医療費助成 受給資格認定申請書",
        "介護保険 受給資格証明書提出・住所変更届",
        "犬の登録事項変更届",
        "個人番号カード 継続利用・券面記載事項変更届",
    ] {
        let line = missing
            .iter()
            .find(|l| l.contains(&format!("{title} p.")))
            .unwrap_or_else(|| panic!("{title} is not named: {said}"));
        assert!(line.contains("(new_address)"), "{line}");
    }
    // One line per sheet, as many as the complete packet has (a move-in's every form needs
    // the new address; the two card holders have a sheet each).
    let (complete, _) = render(dir.path(), EIGHT_FORMS);
    let sheets = text(&complete)
        .lines()
        .filter(|l| l.trim().starts_with("p."))
        .count();
    assert_eq!(missing.len(), sheets, "one line per sheet: {said}");

    // Left to the resident, on the command line or in the case, the packet is written.
    let mut blanks = madoguchi(dir.path());
    let output = blanks
        .args([
            "forms",
            "render",
            "--case",
            &case,
            "--allow-blanks",
            "--out",
        ])
        .arg(&pdf)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("left blank / 本人が記入"));
    std::fs::remove_file(&pdf).expect("remove");
    let recorded = eight_forms_changed(dir.path(), |case| {
        case["event"]
            .as_object_mut()
            .expect("event")
            .remove("new_address");
        case["resident_writes"] = serde_json::json!(["new_address"]);
    });
    let (output, pdf) = render(dir.path(), &recorded);
    assert!(output.status.success(), "{}", text(&output));
    assert!(pdf.exists());
}

#[test]
fn with_the_new_address_every_form_prints_it() {
    let dir = tempfile::tempdir().expect("dir");
    let (output, pdf) = render(dir.path(), EIGHT_FORMS);
    assert!(output.status.success(), "{}", text(&output));
    let said = text(&output);
    let forms: Vec<(u32, String)> = said
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("p.")?;
            let (page, title) = rest.split_once(' ')?;
            Some((page.parse().ok()?, title.trim().to_string()))
        })
        .collect();
    // The eight forms and more (the card's on a sheet for each of the two holders).
    assert!(forms.len() >= 10, "{said}");
    for (page, title) in forms {
        let sheet = plain_text(&pdf, Some((page, page)));
        // The 方書 follows the 住居表示, on the same line or (住民異動届) on its own.
        assert!(
            sheet.contains("標準市中央一丁目2番3号") && sheet.contains("さくらハイツ201"),
            "{title} (p.{page}) does not print the new address"
        );
    }
}

/// The family of four's guidance sheet in the language a session ran in: whose it is and its
/// 受付番号 at the top, each procedure's members by name, the certificates' fees, the
/// counters floor by floor, forms by the titles their sheets carry, and 「□ 済」 to tick.
#[test]
fn the_family_of_four_sheet_names_people_fees_and_the_route_in_three_languages() {
    let dir = tempfile::tempdir().expect("dir");
    let sheet = |language: &str| {
        let out = dir.path().join(format!("sheet-{language}.pdf"));
        let output = run(
            dir.path(),
            &[
                "forms",
                "render",
                "--case",
                "../../docs/examples/family-of-four.json",
                "--out",
                out.to_str().expect("utf-8"),
                "--allow-blanks",
                "--language",
                language,
                "--reception",
                "A-012",
            ],
        );
        assert!(output.status.success(), "{}", text(&output));
        // The guidance sheet's pages: those before the first form's.
        let first_form = first_form_page(&text(&output));
        (plain_text(&out, Some((1, first_form - 1))), first_form - 1)
    };
    let (japanese, pages) = sheet("ja");
    for expected in [
        "窓口案内シート",
        "受付番号A-012",
        "窓口太郎様の世帯（4人）",
        "対象：窓口陽菜（7歳）、窓口蒼（2歳）",
        "手数料：住民票の写し1通300円",
        "まわる順：本庁舎1階（1）→本庁舎2階（2・3・4）→第二庁舎3階（5）",
        // The form's own title, not the catalogue's 「個人番号カード…」 alone.
        "住民異動届（記入済み）",
        "済",
    ] {
        assert!(japanese.contains(expected), "{expected} not in: {japanese}");
    }
    assert_eq!(pages, 2, "no page holds only a few lines: {japanese}");

    let (easy, _) = sheet("easy");
    for expected in [
        // Kanji with their readings above (pdftotext gives the readings' line first).
        "まどぐち",
        "窓口の案内",
        "窓口太郎さんの家族（4人）",
        "じゅうみんひょう",
        "1枚300円",
    ] {
        assert!(easy.contains(expected), "{expected} not in: {easy}");
    }
    assert!(!easy.contains('《'), "no ルビ mark is printed as text");

    let (english, _) = sheet("en");
    for expected in [
        "Counterguide",
        "Householdof窓口太郎(4people)",
        "For:窓口陽菜(7),窓口蒼(2)",
        "Copyoftheresidencerecord:¥300acopy",
        "Yourroute:Mainbuilding,floor1(1)→Mainbuilding,floor2(2,3,4)",
        "住民異動届(Notificationofchangeofresidence)(filledin)",
    ] {
        assert!(english.contains(expected), "{expected} not in: {english}");
    }
}

/// The family of four's guidance sheet in each translated language, rendered and read back
/// with pdftotext: every procedure's name, reasons and things to bring as the catalogue's
/// table words them (shaped: Devanagari's conjuncts and Vietnamese marks come back as
/// written), the procedure names' Japanese beside them for the clerk, and nothing as 〓.
#[test]
fn each_translated_sheet_reads_back_as_the_catalogue_words_it() {
    let dir = tempfile::tempdir().expect("dir");
    let case = "../../docs/examples/family-of-four.json";
    let catalogue = "../../assets/catalogue";
    let decided = run(
        dir.path(),
        &[
            "rules",
            "evaluate",
            "--case",
            case,
            "--catalogue",
            catalogue,
        ],
    );
    assert!(decided.status.success(), "{}", text(&decided));
    let decision: serde_json::Value = serde_json::from_slice(&decided.stdout).expect("json");
    let procedures = decision["procedures"].as_array().expect("procedures");
    assert!(procedures.len() >= 8);
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    for code in ["zh-Hans", "vi", "ko", "fil", "pt-BR", "ne", "id"] {
        let out = dir.path().join(format!("sheet-{code}.pdf"));
        let output = run(
            dir.path(),
            &[
                "forms",
                "render",
                "--case",
                case,
                "--catalogue",
                catalogue,
                "--out",
                out.to_str().expect("utf-8"),
                "--allow-blanks",
                "--language",
                code,
            ],
        );
        assert!(output.status.success(), "{code}: {}", text(&output));
        assert!(
            !text(&output).contains("cannot be printed"),
            "{code}: {}",
            text(&output)
        );
        let sheet = plain_text(&out, Some((1, first_form_page(&text(&output)) - 1)));
        assert!(
            !sheet.contains('〓'),
            "{code}: a character no face has: {sheet}"
        );
        let words = |text: &serde_json::Value| {
            let own = text["other"][code]
                .as_str()
                .unwrap_or_else(|| panic!("{code}: no translation of {}", text["ja"]));
            squeeze(own)
        };
        for procedure in procedures {
            let name = words(&procedure["name"]);
            let beside = squeeze(procedure["name"]["ja"].as_str().expect("ja"));
            assert!(sheet.contains(&name), "{code}: {name} not in: {sheet}");
            assert!(sheet.contains(&beside), "{code}: {beside} not in: {sheet}");
            for reason in procedure["reasons"].as_array().expect("reasons") {
                let reason = words(reason);
                assert!(sheet.contains(&reason), "{code}: {reason} not in: {sheet}");
            }
            for item in procedure["bring"].as_array().expect("bring") {
                let item = words(item);
                assert!(sheet.contains(&item), "{code}: {item} not in: {sheet}");
            }
        }
    }
}

/// The page the first form starts on, as `forms render` lists the forms (`p.3  …`).
fn first_form_page(said: &str) -> u32 {
    said.lines()
        .find_map(|l| l.trim().strip_prefix("p."))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("a form's first page")
}

/// The guidance sheet's pages and the forms' pages of a rendered packet: the sheet ends where
/// the first form starts (the command prints `p.N` for each form).
fn sheet_and_forms(dir: &Path, case: &str) -> (String, String, String) {
    let (output, pdf) = render(dir, case);
    assert!(output.status.success(), "{}", text(&output));
    let said = text(&output);
    let first_form = first_form_page(&said);
    let sheet = plain_text(&pdf, Some((1, first_form - 1)));
    let forms = plain_text(&pdf, Some((first_form, 99)));
    (said, sheet, forms)
}

/// After a death: 「おくやみ手続きのご案内」 opens with condolences and no 「異動」 of its own,
/// the 葬祭費 follows the 国保's 資格喪失 and says so, and the family's forms are filled in —
/// the 世帯主変更届 with the head who died, the 葬祭費 and 介護保険 sheets for them, and the
/// 年金事務所's information sheet.
#[test]
fn a_bereaved_familys_packet_is_gentle_ordered_and_filled_in() {
    let dir = tempfile::tempdir().expect("dir");
    let (said, sheet, forms) = sheet_and_forms(dir.path(), "../../docs/examples/okuyami.json");
    for title in [
        "世帯主変更届",
        "国民健康保険 異動届",
        "葬祭費 支給申請書",
        "介護保険 資格喪失届",
        "未支給年金の請求のご案内",
    ] {
        assert!(said.contains(title), "{title} not printed: {said}");
    }
    for expected in [
        "おくやみ手続きのご案内",
        // The 世帯主 died: the sheet goes by the widow at the counter, and counts those who
        // remain.
        "相談和子様の世帯（2人）",
        "心よりお悔やみ申し上げます",
        "先に済ませる手続き：国民健康保険の資格喪失（保険証の返却）（保険年金課）",
        "用紙：葬祭費支給申請書（記入済み）",
        "おくやみ手続きのご案内1/2",
    ] {
        assert!(sheet.contains(expected), "{expected} not in: {sheet}");
    }
    assert!(
        !sheet.replace("国民健康保険異動届", "").contains("異動"),
        "the sheet speaks without 「異動」: {sheet}"
    );
    for expected in [
        // The person who died, as 旧世帯主, 被保険者 and 亡くなった方; the widow files.
        "相談正男",
        "相談和子",
        "標準市中央三丁目4番5号",
        "世帯主の死亡",
        "亡くなった方との続柄",
        "妻",
        "請求できる方",
    ] {
        assert!(
            forms.contains(expected),
            "{expected} not in the forms: {forms}"
        );
    }
}

/// After a birth: the sheet sends the family to the 国保 before the 子ども医療費 and says so,
/// and the 国保's sheet lists the newborn alone.
#[test]
fn a_birth_sends_the_family_to_the_insurance_before_the_medical_subsidy() {
    let dir = tempfile::tempdir().expect("dir");
    let (_, sheet, forms) = sheet_and_forms(dir.path(), "../../docs/examples/shussei.json");
    for expected in [
        "窓口案内シート",
        "まわる順：本庁舎1階（1・2）→本庁舎2階（3・4）",
        "先に済ませる手続き：出生届（市民課）、国民健康保険の加入（保険年金課）",
    ] {
        assert!(sheet.contains(expected), "{expected} not in: {sheet}");
    }
    let insurance = forms
        .split("児童手当認定請求書")
        .next()
        .expect("the 国保 sheet comes first");
    assert!(insurance.contains("誕生陽"), "{insurance}");
    assert!(
        !insurance
            .replace("世帯主", "")
            .split("加入・変更・脱退する方")
            .nth(1)
            .is_some_and(|rows| rows.contains("誕生空")),
        "only the newborn joins: {insurance}"
    );
}

/// A catalogue folder carrying the city's own 印鑑登録申請書 (a template over a scanned page,
/// as the form editor saves it: `forms/*.toml` and the picture as base64 text): the packet
/// prints the city's form instead of the shipped one, with the page under it, and `forms
/// check` checks it with the rest.
#[test]
fn a_catalogue_carrying_the_citys_form_prints_it() {
    let dir = tempfile::tempdir().expect("dir");
    let catalogue = dir.path().join("catalogue");
    copy_dir(Path::new("../../assets/catalogue"), &catalogue);
    std::fs::create_dir_all(catalogue.join("forms")).expect("forms");
    let page = image::GrayImage::from_fn(248, 351, |x, y| {
        image::Luma([if x % 40 == 0 || y % 40 == 0 { 0 } else { 255 }])
    });
    let mut png = Vec::new();
    page.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    std::fs::write(
        catalogue.join("forms/city_inkan.png.b64"),
        madoguchi_forms::encode_background(&png),
    )
    .expect("picture");
    std::fs::write(
        catalogue.join("forms/city_inkan.toml"),
        "[form]\nid = \"inkan_toroku\"\ntitle = \"印鑑登録申請書（標準市様式）\"\n\
         background = \"city_inkan.png\"\nqr_members = \"applicant\"\n\
         sources = [\"the city's own form, placed in the form editor\"]\n\n\
         [[item]]\ntype = \"field\"\nrect = [40, 60, 100, 10]\nvalue = \"subject.name\"\nfont = \"names\"\n\n\
         [[item]]\ntype = \"qr\"\nrect = [160, 240, 36, 36]\n",
    )
    .expect("template");
    let out = dir.path().join("packet.pdf");
    let output = run(
        dir.path(),
        &[
            "forms",
            "render",
            "--case",
            EIGHT_FORMS,
            "--catalogue",
            catalogue.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ],
    );
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("印鑑登録申請書（標準市様式）"), "{said}");
    let page = page_of(&said, "印鑑登録申請書（標準市様式）");
    let images = Command::new("pdfimages")
        .args(["-list", "-f", &page, "-l", &page])
        .arg(&out)
        .output()
        .expect("pdfimages");
    let listing = String::from_utf8_lossy(&images.stdout);
    assert!(listing.contains(" 248   351 "), "{listing}");
    // The rest of the packet is the shipped templates'.
    assert!(said.contains("住民異動届"), "{said}");

    let checked = run(
        dir.path(),
        &[
            "forms",
            "check",
            "--catalogue",
            catalogue.to_str().expect("utf-8"),
        ],
    );
    let said = text(&checked);
    assert_eq!(checked.status.code(), Some(0), "{said}");
}

/// The calibration page for pre-printed forms: written with its crosses and steps; a
/// measurement needs a supervisor, becomes the printer's offset (shown on the next page), and
/// one too far off (a misfed sheet) or not a measurement is refused.
#[test]
fn the_printer_is_calibrated_for_pre_printed_forms() {
    let dir = tempfile::tempdir().expect("dir");
    let page = dir.path().join("calibration.pdf");
    let page_arg = page.to_str().expect("utf-8");
    let written = run(dir.path(), &["forms", "calibrate", "--out", page_arg]);
    assert!(written.status.success(), "{}", text(&written));
    let words = plain_text(&page, None);
    assert!(words.contains("プリンターの位置合わせ"), "{words}");
    assert!(words.contains("右へ+0.0mm、下へ+0.0mm"), "{words}");

    staff::first_supervisor(madoguchi(dir.path()));
    let unsigned = run(
        dir.path(),
        &["forms", "calibrate", "--measured", "21.5,19.0"],
    );
    assert_eq!(unsigned.status.code(), Some(2), "{}", text(&unsigned));
    let set = staff::as_supervisor(
        madoguchi(dir.path()),
        &["forms", "calibrate", "--measured", "21.5,19.0"],
    );
    let said = text(&set);
    assert!(set.status.success(), "{said}");
    assert!(said.contains("printer.offset_x = -15"), "{said}");
    assert!(said.contains("printer.offset_y = 10"), "{said}");
    let again = run(dir.path(), &["forms", "calibrate", "--out", page_arg]);
    assert!(again.status.success(), "{}", text(&again));
    let words = plain_text(&page, None);
    assert!(words.contains("右へ-1.5mm、下へ+1.0mm"), "{words}");

    for wrong in ["45,20", "21.5", "left,top", "NaN,20"] {
        let refused = staff::as_supervisor(
            madoguchi(dir.path()),
            &["forms", "calibrate", "--measured", wrong],
        );
        let said = text(&refused);
        assert!(!refused.status.success(), "{wrong}: {said}");
        assert!(said.contains("--measured takes"), "{wrong}: {said}");
        assert!(!said.contains("panicked"), "{said}");
    }
}

/// The city's paper form as the editor's page, read in a child process: a PDF (the calibration
/// page, drawn by us) comes back as an A4 page at 150 dpi with its crosses found as rules; a
/// landscape picture or a text file is refused in one line; a child that takes too long is
/// stopped.
#[test]
fn the_citys_paper_form_is_read_in_its_own_process() {
    use madoguchi_kiosk::form_page::{PAGE_TIMEOUT, open_isolated};
    let dir = tempfile::tempdir().expect("dir");
    let pdf = dir.path().join("form.pdf");
    let written = run(
        dir.path(),
        &["forms", "calibrate", "--out", pdf.to_str().expect("utf-8")],
    );
    assert!(written.status.success(), "{}", text(&written));
    let program = Path::new(env!("CARGO_BIN_EXE_madoguchi"));
    let page = open_isolated(program, &pdf, PAGE_TIMEOUT).expect("reads");
    assert_eq!((page.width, page.height), (1240, 1754));
    let rules = madoguchi_forms::ruling::find_rules(&page.raster());
    assert!(
        rules.vertical.iter().any(|r| (r.at - 20.0).abs() < 0.5),
        "{:?}",
        rules.vertical
    );

    let landscape = dir.path().join("landscape.png");
    image::GrayImage::from_pixel(297, 210, image::Luma([255]))
        .save(&landscape)
        .expect("png");
    let said = open_isolated(program, &landscape, PAGE_TIMEOUT).expect_err("refused");
    assert!(said.contains("A4縦") && !said.contains('\n'), "{said}");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a form").expect("write");
    let said = open_isolated(program, &notes, PAGE_TIMEOUT).expect_err("refused");
    assert!(said.contains("PNG"), "{said}");
    let said = open_isolated(program, &pdf, std::time::Duration::ZERO).expect_err("stopped");
    assert!(said.contains("読み終えられませんでした"), "{said}");
}
