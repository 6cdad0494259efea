//! `forms check` at the library level: templates written with one mistake each (in a folder
//! of their own) are reported with their file, item and what is wrong; the shipped templates
//! are bound only to what the shipped vocabulary has; a sample too long for a box is found.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use madoguchi_domain::Case;
use madoguchi_forms::{
    AnswerShape, Finding, Fonts, Library, Sample, Vocabulary, check_fit, check_templates,
};

/// A vocabulary with the little the test templates use.
fn vocabulary() -> Vocabulary {
    Vocabulary {
        forms: vec![
            ("test_form".into(), "試験の届".into()),
            ("unwritten".into(), "まだ様式のない届".into()),
        ],
        questions: BTreeMap::from([
            ("dog".to_string(), AnswerShape::YesNo),
            (
                "insurance".to_string(),
                AnswerShape::Choice(vec!["kokuho".into(), "shaho".into()]),
            ),
            ("seal".to_string(), AnswerShape::Members),
        ]),
        question_labels: BTreeMap::from([
            ("dog".to_string(), "犬を飼っている".to_string()),
            ("insurance".to_string(), "健康保険".to_string()),
            ("seal".to_string(), "印鑑登録".to_string()),
        ]),
        procedures: BTreeSet::from(["inu_henko".to_string()]),
        procedure_names: BTreeMap::from([(
            "inu_henko".to_string(),
            "犬の登録事項の変更".to_string(),
        )]),
        event_dates: BTreeSet::from(["funeral_date".to_string()]),
    }
}

/// A folder holding one template, `test_form`, with `items` after its header.
fn library_with(items: &str) -> (tempfile::TempDir, Library) {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("test_form.toml"),
        format!(
            "[form]\nid = \"test_form\"\ntitle = \"試験の届\"\nqr_members = \"applicant\"\n\n{items}"
        ),
    )
    .expect("write");
    let library = Library::load(dir.path()).expect("the template loads");
    (dir, library)
}

fn messages(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(ToString::to_string).collect()
}

fn field(rect: &str, value: &str, extra: &str) -> String {
    format!("[[item]]\ntype = \"field\"\nrect = {rect}\nvalue = \"{value}\"\n{extra}\n")
}

#[test]
fn a_form_without_a_template_is_named_with_its_title() {
    let (_dir, library) = library_with(&field("[10, 10, 50, 8]", "applicant.name", ""));
    let found = messages(&check_templates(&library, &vocabulary()));
    assert_eq!(
        found,
        [
            "form unwritten: 「まだ様式のない届」 has no template: it is written by hand (窓口で記入)"
        ]
    );
}

#[test]
fn bindings_to_what_the_catalogue_never_gives_are_reported_with_their_item() {
    let items = [
        field("[10, 10, 50, 8]", "answer.cat", "required = true"),
        "[[item]]\ntype = \"check\"\nat = [10, 30]\nvalue = \"answer.insurance\"\nequals = \"kyosai\"\n".into(),
        "[[item]]\ntype = \"check\"\nat = [10, 40]\nvalue = \"answer.dog\"\nequals = \"yes\"\n".into(),
        field("[10, 50, 50, 8]", "date.wedding_date", ""),
        "[[item]]\ntype = \"check\"\nat = [10, 60]\nvalue = \"procedure.neko_toroku\"\n".into(),
        "[[item]]\ntype = \"check\"\nat = [10, 70]\nvalue = \"form.variant\"\nequals = \"other_form\"\n".into(),
        field(
            "[10, 80, 50, 8]",
            "applicant.name",
            "when = { value = \"answer.insurance\", equals = \"none\" }",
        ),
    ]
    .concat();
    let (_dir, library) = library_with(&items);
    let found = messages(&check_templates(&library, &vocabulary()));
    for expected in [
        "test_form.toml: item 1 (field answer.cat): required, but bound to nothing a case can have: `answer.cat`: the catalogue has no question `cat`",
        "test_form.toml: item 2 (check answer.insurance): `answer.insurance` is one of kokuho, shaho, never \"kyosai\"",
        "test_form.toml: item 3 (check answer.dog): `answer.dog` is yes or no (true / false), never \"yes\"",
        "test_form.toml: item 4 (field date.wedding_date): `date.wedding_date`: no event of the catalogue declares the date `wedding_date`",
        "test_form.toml: item 5 (check procedure.neko_toroku): `procedure.neko_toroku`: the catalogue has no procedure `neko_toroku`",
        "test_form.toml: item 6 (check form.variant): `form.variant` is one of test_form, never \"other_form\"",
        "test_form.toml: item 7 (field applicant.name): its `when`: `answer.insurance` is one of kokuho, shaho, never \"none\"",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected}\nnot in {found:#?}"
        );
    }
    assert_eq!(
        found.len(),
        8,
        "and the form without a template: {found:#?}"
    );
}

#[test]
fn values_on_top_of_each_other_or_off_the_sheet_are_reported() {
    let items = [
        field("[10, 10, 60, 10]", "applicant.name", ""),
        // Overlaps the name by 5 mm each way.
        field("[65, 5, 40, 10]", "applicant.kana", ""),
        // Shares a border strip under 1 mm with the name: not an overlap.
        field("[10, 19.5, 60, 8]", "applicant.address", ""),
        // Same place, but printed only when the other is not.
        field(
            "[10, 40, 60, 8]",
            "filer.name",
            "when = { value = \"answer.dog\", equals = true }",
        ),
        "[[item]]\ntype = \"text\"\nrect = [10, 40, 60, 8]\ntext = \"（ご記入ください）\"\nwhen = { value = \"answer.dog\", equals = false }\n".into(),
        field(
            "[12, 41, 30, 6]",
            "filer.phone",
            "when = { value = \"answer.dog\", equals = false }",
        ),
        // Runs 8 mm past the right edge (loading allows up to 20 mm of bleed).
        field("[170, 100, 48, 8]", "phone", ""),
    ]
    .concat();
    let (_dir, library) = library_with(&items);
    let found = messages(&check_templates(&library, &vocabulary()));
    let expected = [
        "form unwritten: 「まだ様式のない届」 has no template: it is written by hand (窓口で記入)",
        "test_form.toml: item 7 (field phone): leaves the A4 sheet",
        "test_form.toml: item 1 (field applicant.name) overlaps item 2 (field applicant.kana)",
    ];
    assert_eq!(found, expected);
}

#[test]
fn rows_are_checked_within_a_row_and_as_a_block_against_the_sheet() {
    let items = [
        field("[10, 100, 60, 8]", "applicant.name", ""),
        "[rows]\nsource = \"household\"\norigin = [10, 60]\nheight = 10\nper_page = 40\n".into(),
        "[[rows.item]]\ntype = \"field\"\nrect = [0, 0, 50, 9]\nvalue = \"member.name\"\n".into(),
        "[[rows.item]]\ntype = \"field\"\nrect = [45, 0, 30, 9]\nvalue = \"member.kana\"\n".into(),
    ]
    .concat();
    let (_dir, library) = library_with(&items);
    let found = messages(&check_templates(&library, &vocabulary()));
    for expected in [
        "test_form.toml: [rows] item 1 (field member.name) overlaps [rows] item 2 (field member.kana)",
        "test_form.toml: item 1 (field applicant.name) overlaps [rows] item 1 (field member.name)",
        "test_form.toml: [rows] item 1 (field member.name): leaves the A4 sheet",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected}\nnot in {found:#?}"
        );
    }
}

/// The bindings of the shipped templates are judged against the shipped catalogue by the
/// `forms check` command's test; here, their geometry.
#[test]
fn the_shipped_templates_print_nothing_on_top_of_anything_or_off_the_sheet() {
    let forms = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms");
    let library = Library::load(&forms).expect("the shipped templates");
    let found: Vec<String> = messages(&check_templates(&library, &Vocabulary::default()))
        .into_iter()
        .filter(|f| f.contains(" overlaps ") || f.contains("leaves the A4 sheet"))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_value_too_long_for_its_box_at_the_smallest_size_is_found() {
    let (_dir, library) = library_with(&field(
        "[10, 10, 40, 6]",
        "new_address",
        "label = \"住所\"\nmin_size = 8",
    ));
    let mut case: Case =
        serde_json::from_str(include_str!("../../../docs/examples/single-adult.json"))
            .expect("sample");
    let fits = Sample {
        name: "single-adult".into(),
        case: case.clone(),
        forms: vec!["test_form".into()],
        concerns: Vec::new(),
    };
    let address = case.event.new_address.as_mut().expect("a new address");
    address.text = "標準市中央一丁目二十三番四十五号".repeat(4);
    let long = Sample {
        name: "long".into(),
        case,
        forms: vec!["test_form".into()],
        concerns: Vec::new(),
    };
    let qr = |_: &Case| Ok(vec!["MDG1:TEST".to_string()]);
    let fonts = Fonts::load();
    assert!(check_fit(&library, &fonts, &qr, std::slice::from_ref(&fits)).is_empty());
    let found = messages(&check_fit(&library, &fonts, &qr, &[fits, long]));
    assert_eq!(
        found,
        ["test_form.toml: 「住所」 does not fit even at its minimum size (sample long)"]
    );
}

/// The form editor's list of values: the case's facts and people by their Japanese names, the
/// catalogue's questions by their labels, procedures by their names; inside rows the row's
/// member first; every path one the loader accepts where it is offered.
#[test]
fn the_editors_values_are_named_and_each_is_a_value_a_template_may_hold() {
    use madoguchi_forms::choices::{search, value_choices};
    let vocabulary = vocabulary();
    let sheet = value_choices(&vocabulary, false);
    let rows = value_choices(&vocabulary, true);
    assert!(sheet.iter().all(|c| !c.path.starts_with("member.")));
    assert_eq!(rows[0].path, "row.number");
    assert!(
        rows.iter()
            .any(|c| c.path == "member.named.seal" && c.yes_no)
    );
    let found: Vec<&str> = search(&sheet, "新しい住所　郵便")
        .iter()
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(found, ["new_address.postal"]);
    let dog = search(&sheet, "犬");
    assert!(
        dog.iter().any(|c| c.path == "answer.dog" && c.yes_no),
        "{dog:?}"
    );
    assert!(
        dog.iter().any(|c| c.path == "procedure.inu_henko"),
        "{dog:?}"
    );
    assert!(search(&sheet, "生年月日").iter().all(|c| c.date));
    // Every offered path loads in a template, on the sheet or in rows as offered.
    for (choices, in_rows) in [(&sheet, false), (&rows, true)] {
        for choice in choices.iter() {
            let item = if choice.yes_no {
                format!(
                    "[[item]]\ntype = \"check\"\nat = [20, 20]\nvalue = \"{}\"\n",
                    choice.path
                )
            } else {
                format!(
                    "[[item]]\ntype = \"field\"\nrect = [20, 20, 50, 8]\nvalue = \"{}\"\n",
                    choice.path
                )
            };
            let body = if in_rows {
                format!(
                    "[rows]\nsource = \"household\"\norigin = [10, 100]\nheight = 10\nper_page = 3\n\n{}",
                    item.replace("[[item]]", "[[rows.item]]")
                )
            } else {
                item
            };
            let (_dir, library) = library_with(&body);
            let findings = check_templates(&library, &vocabulary);
            assert!(
                findings.iter().all(|f| !f.message.contains(&choice.path)),
                "{}: {findings:?}",
                choice.path
            );
        }
    }
}

/// The preview beside each value: what the sample case would print there.
#[test]
fn a_value_is_previewed_from_the_sample_case() {
    use madoguchi_forms::Office;
    use madoguchi_forms::choices::sample_value;
    let case: madoguchi_domain::Case = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/examples/family-of-four.json"
        ))
        .expect("example"),
    )
    .expect("case");
    let office = Office::default();
    let applicant = &case.household.members[case.applicant].person.name;
    assert_eq!(
        &sample_value(&case, &office, "applicant.name", None),
        applicant
    );
    assert!(sample_value(&case, &office, "new_address.postal", None).starts_with('〒'));
    assert!(sample_value(&case, &office, "visit_date", None).starts_with("令和"));
    let second = &case.household.members[1].person.name;
    assert_eq!(
        &sample_value(&case, &office, "member.name", Some(1)),
        second
    );
    assert_eq!(sample_value(&case, &office, "member.name", None), "");
    // The first member's row is row 1, as printed.
    assert_eq!(sample_value(&case, &office, "row.number", Some(0)), "1");
    assert_eq!(sample_value(&case, &office, "no.such.value", None), "");
}
