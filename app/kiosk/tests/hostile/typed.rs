//! What people type (`domain::input`, used by the home page, the kiosk's screens and the
//! supervisor's editor), and a stored catalogue version's files loaded from memory
//! (`rules::load_files`): hostile text never panics or hangs, and whatever is accepted lies
//! inside the bounds the rest of the code relies on.

use std::time::Duration;

use madoguchi_domain::{input, limits};
use madoguchi_rules::CatalogueFiles;

use crate::support::{Section, repo, within};

const LIMIT: Duration = Duration::from_secs(10);

/// Text a person, a stuck key or a pasted document can put in a field.
fn corpus() -> Vec<String> {
    let mut texts: Vec<String> = [
        "",
        " ",
        "\u{3000}",
        "0",
        "-",
        "－",
        "〒",
        "〒-",
        "元",
        "令和",
        "令和元年",
        "R",
        "R0.1.1",
        "令和0年1月1日",
        "平成31年5月1日",
        "明治1年1月1日",
        "明治元年1月1日",
        "M1.1.1",
        "1867-12-31",
        "1868-01-01",
        "2200-12-31",
        "2201-01-01",
        "0000-00-00",
        "2026-02-29",
        "2026-4-31",
        "99999999",
        "20260401",
        "2026/4/1/1",
        "2026--04-01",
        "2026-04-01日日",
        "令和8年4月1日\n",
        "令和8年4月1日\u{0}",
        "１２３－４５６７",
        "123-4567-",
        "1234567890",
        "〒〒1234567",
        "123\u{200b}4567",
        "٣٢١٤٥٦٧",
        "-9223372036854775808",
        "9223372036854775808",
        "--1",
        "1e3",
        "+14",
        "やまだ",
        "ヤマダ　タロー",
        "ｶﾅ",
        "ゟ",
        "やまだ\u{0301}",
        "<script>",
        "'; DROP TABLE cases; --",
        "=1+1",
        "𠮷",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in [63, 64, 65, 200, 201, 4_096, 1_000_000] {
        texts.push("1".repeat(n));
        texts.push("あ".repeat(n));
    }
    texts.push("令和".repeat(50_000));
    texts
}

/// The problem with what `domain::input` made of `text`, if any.
fn problem(text: &str) -> Option<String> {
    if let Ok(day) = input::date(text)
        && !limits::date_in_window(day)
    {
        return Some(format!("date {day} outside the window"));
    }
    if let Ok(postal) = input::postal_code(text)
        && !(postal.len() == 7 && postal.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(format!("postal code {postal:?}"));
    }
    if let Ok(kana) = input::kana(text)
        && (kana.is_empty() || kana.chars().count() > limits::MAX_NAME_CHARS)
    {
        return Some("kana out of bounds".into());
    }
    // Whole numbers: any i64 is fine; only a panic or a hang is not.
    let _ = input::whole_number(text);
    let _ = input::optional_date(text);
    let _ = input::optional_postal_code(text);
    let _ = input::optional_kana(text);
    None
}

pub fn values() -> Section {
    let mut section = Section::new("typed values (domain::input)");
    for text in corpus() {
        let shown: String = text.chars().take(40).collect();
        let owned = text.clone();
        let outcome = within(LIMIT, move || problem(&owned)).unwrap_or_else(Some);
        section.check(
            &format!("{shown:?} ({} chars)", text.chars().count()),
            outcome,
        );
    }
    section
}

/// A stored version's files as a damaged or hostile database could hold them: paths outside
/// the catalogue, huge or missing files, too many files. Each is refused with diagnostics.
pub fn stored_catalogues() -> Section {
    let mut section = Section::new("stored catalogue files (rules::load_files)");
    let shipped =
        madoguchi_rules::read_folder(&repo("assets/catalogue")).expect("the shipped catalogue");
    let mut variants: Vec<(&str, CatalogueFiles)> = Vec::new();
    let with = |path: &str, text: String| {
        let mut files = shipped.clone();
        files.insert(path.to_string(), text);
        files
    };
    variants.push((
        "a path climbing out",
        with("../../etc/passwd.toml", String::new()),
    ));
    variants.push(("an absolute path", with("/etc/x.toml", String::new())));
    variants.push((
        "an empty path part",
        with("procedures//x.toml", String::new()),
    ));
    variants.push((
        "a 5 MB procedure file",
        with("procedures/huge.toml", "#".repeat(5 * 1024 * 1024)),
    ));
    variants.push((
        "a procedure file of garbage",
        with("procedures/garbage.toml", "\u{0}\u{1}[[[".into()),
    ));
    let mut many = shipped.clone();
    for n in 0..2_100 {
        many.insert(format!("procedures/p{n}.toml"), String::new());
    }
    variants.push(("2,100 files", many));
    let mut without = shipped.clone();
    without.remove("catalogue.toml");
    variants.push(("no catalogue.toml", without));
    let mut no_procedures = shipped.clone();
    no_procedures.retain(|path, _| !path.starts_with("procedures/"));
    variants.push(("no procedures", no_procedures));
    variants.push(("no files at all", CatalogueFiles::new()));
    variants.push((
        "a text table for no language",
        with("translations/xx.toml", String::new()),
    ));
    variants.push((
        "a text table of garbage",
        with("translations/vi.toml", "\u{0}[[text]]\nja = 3".into()),
    ));
    variants.push((
        "a translation of 100,000 characters",
        with(
            "translations/vi.toml",
            format!(
                "[[text]]\nja = \"出生届\"\ntext = \"{}\"\n",
                "あ".repeat(100_000)
            ),
        ),
    ));
    variants.push((
        "one text translated 20,000 times",
        with(
            "translations/vi.toml",
            "[[text]]\nja = \"出生届\"\ntext = \"a\"\n".repeat(20_000),
        ),
    ));
    for (name, files) in variants {
        let outcome = within(LIMIT, move || match madoguchi_rules::load_files(&files) {
            Ok(_) => Some("loaded".to_string()),
            Err(problems) if problems.iter().any(|p| p.is_error()) => {
                let one_line = problems.iter().all(|p| !p.to_string().contains('\n'));
                (!one_line).then(|| "a diagnostic of more than one line".to_string())
            }
            Err(_) => Some("refused without an error".to_string()),
        })
        .unwrap_or_else(Some);
        section.check(name, outcome);
    }
    section
}
