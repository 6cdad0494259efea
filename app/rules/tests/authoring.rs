//! The supervisor's tools against the shipped catalogue: an edit in place, its impact over the
//! scenarios, accepting the intended new outcomes, and a scenario made from a real case.

use std::fs;
use std::path::{Path, PathBuf};

use madoguchi_domain::Case;
use madoguchi_rules::authoring::{Draft, ProcedureEdit};
use madoguchi_rules::impact::{RecentCase, compare};
use madoguchi_rules::pinning::scenario_from_case;
use madoguchi_rules::{Catalogue, CatalogueFiles, Engine, read_folder, scenario};

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue")
}

fn shipped_files() -> CatalogueFiles {
    read_folder(&shipped()).expect("the shipped catalogue reads")
}

/// Loads files as a catalogue, from memory.
fn load_files(files: &CatalogueFiles) -> Catalogue {
    madoguchi_rules::load_files(files)
        .unwrap_or_else(|problems| panic!("loads: {problems:?}"))
        .catalogue
}

fn child_medical(catalogue: &Catalogue) -> usize {
    catalogue
        .procedures
        .iter()
        .position(|p| p.id == "kodomo_iryo")
        .expect("kodomo_iryo")
}

#[test]
fn an_edit_changes_one_line_and_its_impact_is_listed_until_accepted() {
    let files = shipped_files();
    let before = load_files(&files);
    let mut draft = Draft::new(files.clone());
    let at = Draft::procedure_ref(&before, child_medical(&before));
    assert_eq!(at.file, "procedures/kodomo.toml");
    draft
        .edit_procedure(
            &at,
            &ProcedureEdit::RuleWhen {
                rule: 0,
                text: "all(event = tennyu, any_member(school_age < 15))".into(),
            },
        )
        .expect("edits");

    let old = &files["procedures/kodomo.toml"];
    let new = &draft.files()["procedures/kodomo.toml"];
    let changed: Vec<(&str, &str)> = old
        .lines()
        .zip(new.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(old.lines().count(), new.lines().count());
    assert_eq!(
        changed,
        vec![(
            r#"when = "all(event = tennyu, any_member(school_age < 18))""#,
            r#"when = "all(event = tennyu, any_member(school_age < 15))""#
        )],
        "only the condition's line changes; comments and layout stay"
    );

    let after = load_files(draft.files());
    let scenarios = scenario::load_all(&after, draft.files()).expect("scenarios load");
    let impact = compare(&before, &after, &scenarios, &[]);
    assert!(
        impact.failing_scenarios() > 0,
        "some scenario pins the old limit"
    );
    for failing in impact.scenarios.iter().filter(|s| !s.passes()) {
        assert_eq!(
            failing.removed(),
            vec!["kodomo_iryo".to_string()],
            "{}",
            failing.label
        );
        assert!(failing.added().is_empty());
    }

    for failing in impact.scenarios.iter().filter(|s| !s.passes()) {
        let decision = failing.decision.as_ref().expect("evaluates");
        draft
            .accept_outcome(&failing.file, decision)
            .expect("accepts");
    }
    let accepted = load_files(draft.files());
    let scenarios = scenario::load_all(&accepted, draft.files()).expect("scenarios load");
    let engine = Engine::new(&accepted);
    for s in &scenarios {
        let outcome = scenario::run(&engine, s);
        assert!(
            outcome.failures.is_empty(),
            "{}: {:?}",
            s.name,
            outcome.failures
        );
    }
}

#[test]
fn a_case_becomes_a_scenario_without_its_personal_data() {
    let files = shipped_files();
    let catalogue = load_files(&files);
    let case: Case = serde_json::from_str(
        &fs::read_to_string(shipped().join("../../docs/examples/family-of-four.json"))
            .expect("example"),
    )
    .expect("case");
    let engine = Engine::new(&catalogue);
    let as_of = case.event.visit_date();
    let text =
        scenario_from_case(&engine, &case, as_of, "案件 #7 から", "窓口の実例").expect("pins");
    for member in &case.household.members {
        assert!(!text.contains(&member.person.name), "{text}");
        let birth = member.person.birth_date.expect("birth date").to_string();
        assert!(!text.contains(&birth), "{birth} left in {text}");
    }

    let mut draft = Draft::new(files);
    let path = draft.add_scenario("case-7", text);
    let pinned = load_files(draft.files());
    let scenarios = scenario::load_all(&pinned, draft.files()).expect("scenarios load");
    let ours = scenarios
        .iter()
        .find(|s| s.file == Path::new(&path))
        .expect("the new scenario");
    let outcome = scenario::run(&Engine::new(&pinned), ours);
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let original = engine.evaluate(&case, as_of).expect("evaluates");
    let expected: Vec<&str> = original.procedures.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ours.expect
            .procedures
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .len(),
        expected.len()
    );

    let impact = compare(
        &catalogue,
        &pinned,
        &[],
        &[RecentCase {
            label: "案件 #7".into(),
            case: case.clone(),
            as_of,
        }],
    );
    assert!(
        !impact.cases[0].changed(),
        "the same rules give the same list"
    );
}

#[test]
fn a_city_closed_day_is_added_renamed_and_removed_and_deadlines_follow_it() {
    use madoguchi_domain::calendar::{ClosedBecause, Office};
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let files = shipped_files();
    let mut draft = Draft::new(files.clone());
    // A Tuesday the default catalogue keeps open.
    let founding = day(2027, 5, 18);
    draft.set_closed_day(founding, "市制記念日").expect("adds");
    draft
        .set_closed_day(founding, "市制施行記念日")
        .expect("renames");
    let calendar = &draft.files()["calendar.toml"];
    let entries = calendar.lines().filter(|l| *l == "[[closed]]").count();
    assert_eq!(entries, 1, "{calendar}");
    assert!(
        calendar.starts_with(&files["calendar.toml"]),
        "the file's comments and the rest stay: {calendar}"
    );
    let closed_on = |draft: &Draft| {
        load_files(draft.files())
            .calendar
            .days
            .closed_because(founding, Office::City)
    };
    assert_eq!(
        closed_on(&draft),
        Some(ClosedBecause::CityDay("市制施行記念日".into()))
    );
    assert!(draft.remove_closed_day(founding).expect("removes"));
    assert!(
        !draft
            .remove_closed_day(founding)
            .expect("nothing to remove")
    );
    assert_eq!(closed_on(&draft), None);
    // A name the loader refuses (over 40 characters) does not load: the desk keeps the draft.
    draft
        .set_closed_day(founding, &"長".repeat(41))
        .expect("written");
    assert!(madoguchi_rules::load_files(draft.files()).is_err());
}

/// The form editor's files go into the draft's `forms/` folder under plain names only, the
/// rules never read them, and the impact lists each one added, changed or taken out.
#[test]
fn form_files_are_put_in_the_draft_and_their_changes_listed() {
    use madoguchi_rules::impact::{FileChange, form_changes};
    let files = shipped_files();
    let before = load_files(&files);
    let mut draft = Draft::new(files);
    for refused in [
        "../x.toml",
        "forms/x.toml",
        ".hidden.toml",
        "x.png",
        "",
        "空.toml",
    ] {
        assert!(
            draft.put_form_file(refused, "x".into()).is_err(),
            "{refused}"
        );
    }
    draft
        .put_form_file("city_inkan.toml", "[form]\nid = \"inkan_toroku\"\n".into())
        .expect("put");
    draft
        .put_form_file("city_inkan.png.b64", "iVBORw0KGgo=".into())
        .expect("put");
    let added = load_files(draft.files());
    assert_eq!(added.procedures.len(), before.procedures.len());
    let changes = |a: &Catalogue, b: &Catalogue| -> Vec<(String, FileChange)> {
        form_changes(a, b)
            .into_iter()
            .map(|c| (c.file, c.change))
            .collect()
    };
    assert_eq!(
        changes(&before, &added),
        [
            ("forms/city_inkan.png.b64".to_string(), FileChange::Added),
            ("forms/city_inkan.toml".to_string(), FileChange::Added),
        ]
    );
    draft
        .put_form_file(
            "city_inkan.toml",
            "[form]\nid = \"inkan_toroku\"\ntitle = \"x\"\n".into(),
        )
        .expect("put");
    assert!(draft.remove_form_file("city_inkan.png.b64"));
    let altered = load_files(draft.files());
    assert_eq!(
        changes(&added, &altered),
        [
            ("forms/city_inkan.png.b64".to_string(), FileChange::Removed),
            ("forms/city_inkan.toml".to_string(), FileChange::Changed),
        ]
    );
    assert!(changes(&altered, &altered).is_empty());
}
