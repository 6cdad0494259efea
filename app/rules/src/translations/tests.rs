use std::path::Path;

use madoguchi_domain::Language;

use crate::files::{CatalogueFiles, read_folder};
use crate::{Diagnostic, Loaded, load_files};

fn shipped() -> CatalogueFiles {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue");
    let mut files = read_folder(&dir).expect("the shipped catalogue reads");
    // Each test brings the tables it is about.
    files.retain(|path, _| !path.starts_with("translations/"));
    files
}

fn with_table(name: &str, table: &str) -> CatalogueFiles {
    let mut files = shipped();
    files.insert(format!("translations/{name}"), table.to_string());
    files
}

fn loads(files: &CatalogueFiles) -> Loaded {
    load_files(files).unwrap_or_else(|problems| panic!("loads: {problems:#?}"))
}

fn errors(files: &CatalogueFiles) -> Vec<Diagnostic> {
    match load_files(files) {
        Ok(_) => panic!("the table was accepted"),
        Err(problems) => problems,
    }
}

fn said(problems: &[Diagnostic]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

const VIETNAMESE: &str = r#"
drafted = "機械翻訳"

[[text]]
ja = "出生届"
text = "Đăng ký khai sinh"
reviewed = { by = "Nguyễn Văn An", on = 2026-12-10 }

[[text]]
ja = "はい"
text = "Có"

[[text]]
ja = "中学生までの子（{ages}）が転入するため"
text = "có trẻ em đến tuổi trung học cơ sở ({ages} tuổi) chuyển đến"

[[text]]
ja = "もう使われていない言葉"
text = "không còn dùng"
"#;

#[test]
fn a_table_translates_the_texts_it_has_and_the_rest_read_the_english() {
    let loaded = loads(&with_table("vi.toml", VIETNAMESE));
    let catalogue = &loaded.catalogue;
    let birth = catalogue
        .procedures
        .iter()
        .find(|p| p.id == "shussei_todoke")
        .expect("出生届");
    assert_eq!(birth.name.get(Language::Vietnamese), "Đăng ký khai sinh");
    assert_eq!(birth.name.get(Language::Korean), "Birth registration");
    assert_eq!(birth.name.get(Language::Japanese), "出生届");
    let note = birth.note.as_ref().expect("a note");
    assert_eq!(note.get(Language::Vietnamese), note.en);

    // The options no catalogue file writes are translated from the same table.
    let yes_no = catalogue
        .questions
        .iter()
        .find(|q| q.id == "foreign_member")
        .expect("a yes/no question");
    let options = yes_no.options();
    assert_eq!(options[0].text.get(Language::Vietnamese), "Có");
    assert_eq!(options[1].text.get(Language::Vietnamese), "No");

    let warnings = said(&loaded.warnings);
    assert!(
        warnings.contains("procedures/shussei.toml:")
            && warnings
                .contains("vi: 「出産育児一時金の差額の申請（国民健康保険）」 has no translation"),
        "{warnings}"
    );
    assert!(
        warnings.contains("translations/vi.toml:")
            && warnings.contains("「もう使われていない言葉」 is no text of the catalogue"),
        "{warnings}"
    );
}

#[test]
fn each_language_is_summed_up_for_the_city_and_rules_check() {
    let loaded = loads(&with_table("vi.toml", VIETNAMESE));
    let languages = &loaded.catalogue.languages;
    assert_eq!(
        languages.iter().map(|s| s.language).collect::<Vec<_>>(),
        Language::TRANSLATED
    );
    let vietnamese = languages
        .iter()
        .find(|s| s.language == Language::Vietnamese)
        .expect("vi");
    assert!(vietnamese.has_table && !vietnamese.complete());
    assert_eq!((vietnamese.translated, vietnamese.reviewed), (3, 1));
    assert!(vietnamese.texts > 300, "{}", vietnamese.texts);
    assert_eq!(vietnamese.reviewers, ["Nguyễn Văn An"]);
    let line = vietnamese.summary();
    assert!(
        line.starts_with("vi Tiếng Việt: 3/")
            && line.contains("1 reviewed (draft: 機械翻訳) (reviewed by Nguyễn Văn An)"),
        "{line}"
    );
    let korean = languages
        .iter()
        .find(|s| s.language == Language::Korean)
        .expect("ko");
    assert!(!korean.has_table && korean.summary().contains("no table"));
}

#[test]
fn a_reason_keeps_its_placeholders_and_the_engine_fills_them() {
    let loaded = loads(&with_table("vi.toml", VIETNAMESE));
    let rule = loaded
        .catalogue
        .procedures
        .iter()
        .flat_map(|p| &p.rules)
        .find(|r| r.because.ja == "中学生までの子（{ages}）が転入するため")
        .expect("the reason");
    assert_eq!(
        rule.because.get(Language::Vietnamese),
        "có trẻ em đến tuổi trung học cơ sở ({ages} tuổi) chuyển đến"
    );
}

#[test]
fn broken_tables_are_refused_with_the_line_and_the_reason() {
    let cases = [
        (
            "xx.toml",
            "",
            "`xx` is not a language the catalogue is translated into",
        ),
        (
            "en.toml",
            "",
            "`en` is not a language the catalogue is translated into",
        ),
        (
            "vi.toml",
            "[[text]]\nja = \"出生届\"\ntext = \"a\"\n[[text]]\nja = \"出生届\"\ntext = \"b\"\n",
            "translations/vi.toml:5: error: 「出生届」 is translated twice (first on line 2)",
        ),
        (
            "vi.toml",
            "[[text]]\nja = \"出生届\"\ntext = \"  \"\n",
            "「出生届」: the translation is empty",
        ),
        (
            "vi.toml",
            "[[text]]\nja = \"中学生までの子（{ages}）が転入するため\"\ntext = \"trẻ em chuyển đến\"\n",
            "must both cite {ages}, or neither",
        ),
        (
            "vi.toml",
            "[[text]]\nja = \"出生届\"\ntext = \"a\\nb\"\n",
            "holds a control character",
        ),
        (
            "vi.toml",
            "[[text]]\nja = \"出生届\"\ntext = \"a\"\nreviewed = { by = \"An\", on = 2026-12-10T10:00:00 }\n",
            "`reviewed.on` must be a date",
        ),
        (
            "vi.toml",
            "[[text]]\nja = \"出生届\"\ntext = \"a\"\nreviewed = { by = \" \", on = 2026-12-10 }\n",
            "`reviewed.by` must name the reviewer",
        ),
        (
            "vi.toml",
            "[[text]]\nja = \"出生届\"\ntranslation = \"a\"\n",
            "translations/vi.toml:",
        ),
    ];
    for (name, table, expected) in cases {
        let problems = said(&errors(&with_table(name, table)));
        assert!(problems.contains(expected), "{name}: {problems}");
    }
    let long = format!(
        "[[text]]\nja = \"出生届\"\ntext = \"{}\"\n",
        "あ".repeat(super::MAX_TEXT_CHARS + 1)
    );
    let problems = said(&errors(&with_table("vi.toml", &long)));
    assert!(
        problems.contains("longer than 2000 characters"),
        "{problems}"
    );
}

#[test]
fn the_shipped_catalogue_has_every_text_in_every_language() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue");
    let loaded = loads(&read_folder(&dir).expect("reads"));
    assert!(loaded.warnings.is_empty(), "{}", said(&loaded.warnings));
    for status in &loaded.catalogue.languages {
        assert!(status.complete(), "{}", status.summary());
        let lacking = super::untranslated(&loaded.catalogue, status.language);
        assert!(lacking.is_empty(), "{}: {lacking:?}", status.language);
    }
}
