//! A damaged catalogue gives one line per problem naming the file and the line, never a panic.
//! Each test copies the shipped catalogue, breaks one file in one way, and checks the report.

use std::fs;
use std::path::{Path, PathBuf};

use madoguchi_rules::{Diagnostic, load};

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create dir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A copy of the shipped catalogue with `find` replaced by `replace` in `file`; returns the
/// folder and the 1-based line where the replacement starts.
fn broken(file: &str, find: &str, replace: &str) -> (tempfile::TempDir, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&shipped(), dir.path());
    let path = dir.path().join(file);
    let text = fs::read_to_string(&path).expect("read");
    let at = text
        .find(find)
        .unwrap_or_else(|| panic!("`{find}` not in {file}"));
    let line = text[..at].matches('\n').count() + 1;
    fs::write(&path, text.replacen(find, replace, 1)).expect("write");
    (dir, line)
}

/// The 1-based line of the first `needle` in `file` of the catalogue at `dir`.
fn line_of(dir: &Path, file: &str, needle: &str) -> usize {
    let text = fs::read_to_string(dir.join(file)).expect("read");
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in {file}"));
    text[..at].matches('\n').count() + 1
}

fn errors(dir: &Path) -> Vec<Diagnostic> {
    match load(dir) {
        Ok(_) => panic!("the broken catalogue loaded"),
        Err(problems) => problems.into_iter().filter(Diagnostic::is_error).collect(),
    }
}

/// Asserts that one error names `file` at `line` and says `words`, and that every report is
/// one line of the form `file:line: error: message`.
fn assert_reported(problems: &[Diagnostic], file: &str, line: usize, words: &str) {
    for p in problems {
        let shown = p.to_string();
        assert!(!shown.contains('\n'), "not one line: {shown}");
        assert!(
            shown.starts_with(&format!("{}:{}: error: ", p.file.display(), p.line)),
            "{shown}"
        );
    }
    assert!(
        problems
            .iter()
            .any(|p| p.file == Path::new(file) && p.line == line && p.message.contains(words)),
        "expected {file}:{line} saying `{words}`, got:\n{}",
        problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_shipped_catalogue_loads_clean() {
    let loaded = load(&shipped()).unwrap_or_else(|problems| {
        panic!(
            "{}",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let ids: std::collections::BTreeSet<_> =
        loaded.catalogue.procedures.iter().map(|p| &p.id).collect();
    assert!(ids.len() >= 30, "at least 30 procedures, got {}", ids.len());
    assert!(loaded.catalogue.questions.len() >= 20);
    assert!(
        loaded
            .catalogue
            .procedures
            .iter()
            .all(|p| !p.source.is_empty())
    );
}

#[test]
fn an_unknown_counter_id() {
    let (dir, line) = broken(
        "procedures/kurashi.toml",
        "counter = \"kankyo\"",
        "counter = \"kankyoo\"",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/kurashi.toml",
        line,
        "unknown counter `kankyoo`",
    );
}

#[test]
fn an_unknown_question_in_a_condition() {
    let (dir, line) = broken("procedures/kurashi.toml", "dog = yes)", "dogg = yes)");
    assert_reported(
        &errors(dir.path()),
        "procedures/kurashi.toml",
        line,
        "unknown question `dogg`",
    );
}

/// An item's `when` is a condition like a rule's, checked against the questions.
#[test]
fn an_unknown_question_in_an_items_condition() {
    let (dir, line) = broken(
        "items.toml",
        "when = \"funeral_by_filer = no\"",
        "when = \"funeral_by_filer = maybe\"",
    );
    assert_reported(&errors(dir.path()), "items.toml", line, "in condition");
    let (dir, line) = broken(
        "items.toml",
        "when = \"funeral_by_filer = no\"",
        "when = \"funeral_host = no\"",
    );
    assert_reported(
        &errors(dir.path()),
        "items.toml",
        line,
        "unknown question `funeral_host`",
    );
}

#[test]
fn an_unknown_form_and_item() {
    let (dir, line) = broken(
        "procedures/kurashi.toml",
        "forms = [\"inu_henko\"]",
        "forms = [\"inu_henkou\"]",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/kurashi.toml",
        line,
        "unknown form `inu_henkou`",
    );
    let (dir, line) = broken(
        "procedures/kurashi.toml",
        "bring = [\"kansatsu\"]",
        "bring = [\"kansatu\"]",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/kurashi.toml",
        line,
        "unknown item `kansatu`",
    );
}

#[test]
fn a_bad_date() {
    let (dir, line) = broken(
        "procedures/kodomo.toml",
        "effective_from = 2024-10-01",
        "effective_from = 2024-02-30",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/kodomo.toml",
        line,
        "invalid date",
    );
}

#[test]
fn a_period_that_ends_before_it_starts() {
    let (dir, line) = broken(
        "procedures/juminkiroku.toml",
        "effective_from = 2024-05-27",
        "effective_from = 2024-05-27\neffective_to = 2024-01-01",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/juminkiroku.toml",
        line + 1,
        "before effective_from",
    );
}

#[test]
fn a_syntax_error() {
    let (dir, line) = broken(
        "questions.toml",
        "label = { ja = \"犬を飼っている\"",
        "label = { ja = \"犬を飼っている",
    );
    assert_reported(&errors(dir.path()), "questions.toml", line, "");
}

#[test]
fn an_unknown_field_is_not_ignored() {
    let (dir, line) = broken("procedures/kodomo.toml", "critical = ", "criticall = ");
    assert_reported(
        &errors(dir.path()),
        "procedures/kodomo.toml",
        line,
        "unknown field `criticall`",
    );
}

#[test]
fn an_unreachable_procedure() {
    // `seal` is only asked on a move-in, so a move-out rule reading it can never hold.
    let (dir, line) = broken(
        "procedures/kurashi.toml",
        "when = \"all(event = tenshutsu, moped = yes)\"",
        "when = \"all(event = tenshutsu, seal = yes)\"",
    );
    let problems = errors(dir.path());
    assert_reported(&problems, "procedures/kurashi.toml", line, "can never hold");
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("`gentsuki_haisha` is unreachable")),
        "{problems:?}"
    );
}

#[test]
fn a_contradictory_rule_is_unreachable() {
    let (dir, line) = broken(
        "procedures/kurashi.toml",
        "when = \"all(event in [tennyu, tenkyo], dog = yes)\"",
        "when = \"all(event = tennyu, dog = yes, not(dog_or_moped = yes))\"",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/kurashi.toml",
        line,
        "can never hold",
    );
}

#[test]
fn a_question_that_can_never_be_asked() {
    let (dir, _) = broken(
        "questions.toml",
        "ask_when = \"dog_or_moped = yes\"",
        "ask_when = \"all(event = tennyu, event = tenkyo)\"",
    );
    let line = line_of(dir.path(), "questions.toml", "id = \"dog\"");
    assert_reported(
        &errors(dir.path()),
        "questions.toml",
        line,
        "can never be asked",
    );
}

#[test]
fn a_duplicate_id() {
    let (dir, line) = broken("questions.toml", "id = \"moped\"", "id = \"dog\"");
    assert_reported(
        &errors(dir.path()),
        "questions.toml",
        line,
        "duplicate question id `dog`",
    );
}

#[test]
fn overlapping_effective_dates() {
    let (dir, line) = broken(
        "procedures/kodomo.toml",
        "effective_to = 2024-09-30",
        "effective_to = 2024-10-05",
    );
    let _ = line;
    let problems = errors(dir.path());
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("overlapping effective dates")
                && p.file == Path::new("procedures/kodomo.toml")),
        "{problems:?}"
    );
}

#[test]
fn a_duplicate_rule() {
    let rule = "[[procedure.rule]]\nwhen = \"all(event in [tennyu, tenkyo], dog = yes)\"\nbecause = { ja = \"犬\", en = \"dog\" }\n";
    let (dir, line) = broken(
        "procedures/kurashi.toml",
        "[[procedure]]\nid = \"gentsuki_toroku\"",
        &format!("{rule}\n[[procedure]]\nid = \"gentsuki_toroku\""),
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/kurashi.toml",
        line + 1,
        "duplicate rule",
    );
}

#[test]
fn a_missing_translation() {
    let (dir, line) = broken(
        "procedures/kurashi.toml",
        "name = { ja = \"犬の登録事項変更\", easy = \"犬《いぬ》の 登録《とうろく》の 変更《へんこう》\", en = \"Dog registration change\" }",
        "name = { ja = \"犬の登録事項変更\", easy = \"犬《いぬ》の 登録《とうろく》の 変更《へんこう》\" }",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/kurashi.toml",
        line - 1,
        "`en` translation is missing",
    );
}

#[test]
fn an_error_inside_a_multi_line_condition_names_its_own_line() {
    let (dir, line) = broken(
        "procedures/kurashi.toml",
        "when = \"all(event in [tennyu, tenkyo], dog = yes)\"",
        "when = \"\"\"\nall(\n  event in [tennyu, tenkyo],\n  dog = maybe,\n)\"\"\"",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/kurashi.toml",
        line + 3,
        "yes/no question",
    );
}

#[test]
fn a_choice_value_that_is_not_an_option() {
    let (dir, line) = broken(
        "procedures/hoken_nenkin.toml",
        "health_insurance = kokuho, not(",
        "health_insurance = nhi, not(",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/hoken_nenkin.toml",
        line,
        "has no option `nhi`",
    );
}

#[test]
fn a_dependency_cycle_between_questions() {
    // dog is asked when moped = yes, and moped when dog = yes.
    let (dir, _) = broken(
        "questions.toml",
        "ask_when = \"dog_or_moped = yes\"",
        "ask_when = \"moped = yes\"",
    );
    let path = dir.path().join("questions.toml");
    let text = fs::read_to_string(&path).expect("read");
    fs::write(
        &path,
        text.replacen(
            "ask_when = \"dog_or_moped = yes\"",
            "ask_when = \"dog = yes\"",
            1,
        ),
    )
    .expect("write");
    let line = line_of(dir.path(), "questions.toml", "id = \"dog\"");
    assert_reported(
        &errors(dir.path()),
        "questions.toml",
        line,
        "`dog` depends on itself",
    );
}

#[test]
fn garbage_in_any_file_is_an_error_not_a_panic() {
    let files = [
        "catalogue.toml",
        "counters.toml",
        "items.toml",
        "forms.toml",
        "questions.toml",
        "procedures/kodomo.toml",
    ];
    let garbage: [&[u8]; 4] = [
        b"\xff\xfe\x00garbage",
        b"[[procedure]]\nid = 3\n",
        b"= = =",
        b"[catalogue]\n",
    ];
    for file in files {
        for bytes in garbage {
            let dir = tempfile::tempdir().expect("temp dir");
            copy_dir(&shipped(), dir.path());
            fs::write(dir.path().join(file), bytes).expect("write");
            let problems = errors(dir.path());
            assert!(!problems.is_empty(), "{file}");
        }
    }
}

#[test]
fn a_missing_folder_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let problems = errors(dir.path());
    assert!(
        problems
            .iter()
            .any(|p| p.file == Path::new("catalogue.toml")),
        "{problems:?}"
    );
}

#[test]
fn a_question_without_its_source() {
    let (dir, _) = broken("questions.toml", "source = \"狂犬病予防法 第4条\"\n", "");
    let line = line_of(dir.path(), "questions.toml", "id = \"dog\"");
    assert_reported(
        &errors(dir.path()),
        "questions.toml",
        line,
        "has no `source`",
    );
}

#[test]
fn a_reason_that_names_an_age_its_rule_does_not_use_is_a_warning() {
    let (dir, _) = broken(
        "procedures/kaigo.toml",
        "65歳以上の方（{ages}）は介護保険の第1号被保険者になるため",
        "60歳以上の方（{ages}）は介護保険の第1号被保険者になるため",
    );
    let loaded = load(dir.path()).expect("still loads");
    let warning = loaded
        .warnings
        .iter()
        .find(|w| w.message.contains("60歳"))
        .expect("a warning naming the age");
    assert!(!warning.is_error());
    assert!(
        warning.file.ends_with("procedures/kaigo.toml"),
        "{warning:?}"
    );
    assert!(warning.message.contains("65"), "{}", warning.message);
    // The shipped catalogue says what its rules decide.
    let shipped = load(&shipped()).expect("loads");
    assert!(
        !shipped
            .warnings
            .iter()
            .any(|w| w.message.contains("理由の年齢")),
        "{:?}",
        shipped.warnings
    );
}

#[test]
fn a_list_of_holidays_with_a_bad_line_names_it() {
    let (dir, _) = broken(
        "holidays.csv",
        "2026/11/23,勤労感謝の日",
        "2026/11/31,勤労感謝の日",
    );
    let problems = errors(dir.path());
    let line = line_of(dir.path(), "holidays.csv", "2026/11/31");
    assert!(
        problems
            .iter()
            .any(|p| p.file.ends_with("holidays.csv") && p.line == line),
        "{problems:?}"
    );
}

#[test]
fn garbage_in_the_calendar_and_the_transitions_is_an_error_not_a_panic() {
    let garbage: [&[u8]; 5] = [
        b"\xff\xfe\x00garbage",
        b"= = =",
        b"window_days = \"soon\"\n",
        b"[[transition]]\nid = 3\n",
        b"[calendar]\nholidays_source = 5\n[[closed]]\ndate = \"tomorrow\"\n",
    ];
    for file in ["transitions.toml", "calendar.toml"] {
        for bytes in garbage {
            let dir = tempfile::tempdir().expect("temp dir");
            copy_dir(&shipped(), dir.path());
            fs::write(dir.path().join(file), bytes).expect("write");
            let problems = errors(dir.path());
            assert!(
                problems.iter().any(|p| p.file.ends_with(file)),
                "{file}: {problems:?}"
            );
        }
    }
}

#[test]
fn a_transition_out_of_range_names_its_line() {
    let (dir, line) = broken("transitions.toml", "age = 75", "age = 500");
    assert_reported(
        &errors(dir.path()),
        "transitions.toml",
        line,
        "age is 0 to 130",
    );
    let (dir, line) = broken(
        "transitions.toml",
        "window_days = 183",
        "window_days = 100000",
    );
    assert_reported(&errors(dir.path()), "transitions.toml", line, "window_days");
    let (dir, line) = broken(
        "transitions.toml",
        "starts = \"birthday\"",
        "starts = \"someday\"",
    );
    assert_reported(
        &errors(dir.path()),
        "transitions.toml",
        line,
        "starts is one of",
    );
}

#[test]
fn a_city_closed_day_that_is_not_a_date_names_its_line() {
    let (dir, _) = broken(
        "calendar.toml",
        "# The city's own closed days",
        "[[closed]]\ndate = 2027-02-30\nname = \"市制記念日\"\n\n# The city's own closed days",
    );
    let problems = errors(dir.path());
    assert!(
        problems.iter().any(|p| p.file.ends_with("calendar.toml")),
        "{problems:?}"
    );
}

#[test]
fn who_belongs_to_questions_about_members_only() {
    let (dir, line) = broken(
        "questions.toml",
        "id = \"dog\"\ntier = \"follow_up\"\nkind = \"yes_no\"",
        "id = \"dog\"\ntier = \"follow_up\"\nkind = \"yes_no\"\nwho = \"age >= 15\"",
    );
    assert_reported(
        &errors(dir.path()),
        "questions.toml",
        line + 3,
        "only `members` questions take `who`",
    );
    // A member condition naming a household-wide question says what to do instead.
    let (dir, line) = broken(
        "procedures/juminkiroku.toml",
        "any_member(all(seal = yes, age >= 15))",
        "any_member(all(copies = yes, age >= 15))",
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/juminkiroku.toml",
        line,
        "asked of the whole household",
    );
}

#[test]
fn a_deadline_counts_days_or_months_never_both_nor_a_first_day_in_months() {
    let find = r#"deadline = [{ days = 14, from = "move_date", basis = "住民基本台帳法 第22条"#;
    for (replace, words) in [
        (
            r#"deadline = [{ days = 14, months = 1, from = "move_date", basis = "住民基本台帳法 第22条"#,
            "either `days` or `months`",
        ),
        (
            r#"deadline = [{ months = 3, first_day = true, from = "move_date", basis = "住民基本台帳法 第22条"#,
            "never counts its first day",
        ),
        (
            r#"deadline = [{ months = 121, from = "move_date", basis = "住民基本台帳法 第22条"#,
            "between 1 and 120",
        ),
        (
            r#"deadline = [{ days = 0, first_day = true, from = "move_date", basis = "住民基本台帳法 第22条"#,
            "between 1 and 3660",
        ),
        (
            r#"deadline = [{ days = 14, from = "death_day", basis = "住民基本台帳法 第22条"#,
            "unknown event date `death_day`",
        ),
    ] {
        let (dir, line) = broken("procedures/juminkiroku.toml", find, replace);
        assert_reported(
            &errors(dir.path()),
            "procedures/juminkiroku.toml",
            line,
            words,
        );
    }
}

#[test]
fn an_order_after_an_unknown_procedure_or_itself() {
    let (dir, _) = broken(
        "procedures/okuyami.toml",
        r#"after = ["kokuho_soshitsu_shibou"]"#,
        r#"after = ["kokuho_soshitu_shibou"]"#,
    );
    let line = line_of(
        dir.path(),
        "procedures/okuyami.toml",
        r#"id = "kokuho_sousaihi""#,
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/okuyami.toml",
        line,
        "comes after `kokuho_soshitu_shibou`, which the catalogue does not have",
    );

    let (dir, _) = broken(
        "procedures/okuyami.toml",
        r#"after = ["kouki_soshitsu"]"#,
        r#"after = ["kouki_sousaihi"]"#,
    );
    let line = line_of(
        dir.path(),
        "procedures/okuyami.toml",
        r#"id = "kouki_sousaihi""#,
    );
    assert_reported(
        &errors(dir.path()),
        "procedures/okuyami.toml",
        line,
        "`kouki_sousaihi` cannot come after itself",
    );
}

#[test]
fn an_order_that_goes_round_in_a_circle() {
    let (dir, _) = broken(
        "procedures/okuyami.toml",
        r#"id = "shibou_todoke""#,
        "id = \"shibou_todoke\"\nafter = [\"setainushi_henko\"]",
    );
    let problems = errors(dir.path());
    let cycle: Vec<&Diagnostic> = problems
        .iter()
        .filter(|p| p.to_string().contains("cannot all come after each other"))
        .collect();
    assert_eq!(cycle.len(), 1, "one report for the circle: {problems:?}");
    let said = cycle[0].to_string();
    assert!(
        said.contains("shibou_todoke") && said.contains("setainushi_henko"),
        "{said}"
    );
}
