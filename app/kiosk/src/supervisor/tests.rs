//! The supervisor's controller against a real SQLite store and the shipped catalogue.

use std::path::Path;

use chrono::{Duration, FixedOffset, NaiveDate, Utc};
use madoguchi_domain::Case;
use madoguchi_rules::Engine;
use madoguchi_store::catalogue::Submitted;
use madoguchi_store::{FinishedCase, Role, Store, StoreConfig};

use super::condition::{Fact, Node};
use super::{Desk, DeskConfirm, DeskScreen, Register};
use crate::catalogue_dir;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 2).expect("day")
}

fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("offset")
}

fn store(dir: &Path) -> Store {
    let config = StoreConfig {
        db_path: dir.join("db.sqlite3"),
        key_path: dir.join("store.key"),
    };
    let mut store = Store::open(&config, Utc::now()).expect("opens").store;
    let shipped = madoguchi_rules::read_folder(&catalogue_dir::default_dir()).expect("files");
    store
        .seed_catalogue(&shipped, "shipped", Utc::now())
        .expect("version 1");
    let kakari = store
        .bootstrap_supervisor("kakari", KAKARI, Utc::now())
        .expect("supervisor");
    store
        .set_staff(&kakari, "hancho", Role::Supervisor, HANCHO, Utc::now())
        .expect("second supervisor");
    store
        .set_staff(&kakari, "madoguchi", Role::Clerk, CLERK, Utc::now())
        .expect("clerk");
    store
}

const KAKARI: &str = "sakura-no-hana-2026";
const HANCHO: &str = "ume-no-hana-2026";
const CLERK: &str = "kiku-no-hana-2026";

fn reopen(dir: &Path) -> Store {
    let config = StoreConfig {
        db_path: dir.join("db.sqlite3"),
        key_path: dir.join("store.key"),
    };
    Store::open(&config, Utc::now()).expect("opens").store
}

/// The family example with both children made 16 (学齢 15 on the move date).
fn family_with_a_sixteen_year_old() -> Case {
    let mut case: Case = crate::samples::family_of_four().expect("example");
    for member in &mut case.household.members {
        if member.category() == madoguchi_domain::Relation::Child {
            member.person.birth_date = NaiveDate::from_ymd_opt(2010, 1, 10);
        }
    }
    case
}

fn child_medical_applies(store: &Store, case: &Case) -> bool {
    let version = store.newest_published().expect("read").expect("published");
    let loaded = madoguchi_rules::load_files(&version.files).expect("loads");
    let decision = Engine::new(&loaded.catalogue)
        .evaluate(case, case.event.visit_date())
        .expect("evaluates");
    decision.procedures.iter().any(|p| p.id == "kodomo_iryo")
}

fn signed_in(dir: &Path) -> Desk {
    let mut desk = Desk::new(store(dir), jst()).on_day(today());
    assert!(desk.sign_in("kakari", KAKARI), "{:?}", desk.notice());
    desk
}

/// The version in force: the newest published.
fn in_force(dir: &Path) -> i64 {
    reopen(dir)
        .newest_published()
        .expect("read")
        .expect("one")
        .id
}

/// The second supervisor, at another desk on the same store.
fn hancho(dir: &Path) -> Desk {
    let mut desk = Desk::new(reopen(dir), jst()).on_day(today());
    assert!(desk.sign_in("hancho", HANCHO), "{:?}", desk.notice());
    desk
}

#[test]
fn three_wrong_passwords_lock_the_account_and_clerks_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = Desk::new(store(dir.path()), jst()).on_day(today());
    assert!(!desk.sign_in("madoguchi", CLERK));
    assert!(desk.notice().is_some_and(|n| n.ja.contains("権限")));
    for _ in 0..2 {
        assert!(!desk.sign_in("kakari", "wrong"));
        let notice = desk.notice().expect("a notice");
        assert_eq!(notice.ja, "名前かパスワードが違います。");
        assert_eq!(notice.en, "The name or the password is wrong.");
    }
    assert!(!desk.sign_in("kakari", "wrong"));
    assert!(
        desk.notice().is_some_and(|n| n.ja.contains("ロック")),
        "{:?}",
        desk.notice()
    );
    assert!(
        !desk.sign_in("kakari", KAKARI),
        "locked even with the right password"
    );
    assert_eq!(desk.screen(), DeskScreen::SignIn);
}

#[test]
fn a_supervisor_locked_or_demoted_meanwhile_can_do_nothing_more() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    desk.open_procedure(0);
    assert!(desk.set_source("地方自治法"), "{:?}", desk.notice());
    // Someone tries the account's password three times at another kiosk.
    let mut other = Desk::new(reopen(dir.path()), jst()).on_day(today());
    for _ in 0..3 {
        other.sign_in("kakari", "not-the-password");
    }
    assert_eq!(desk.publish("変更"), None);
    assert_eq!(desk.screen(), DeskScreen::SignIn, "signed out");
    assert!(
        desk.notice().is_some_and(|n| n.ja.contains("kakari")),
        "{:?}",
        desk.notice()
    );
    assert!(desk.restore(1).is_none());
    desk.discard();
    assert!(
        reopen(dir.path()).newest_draft().expect("read").is_some(),
        "the draft was not thrown away by a signed-out desk"
    );
}

#[test]
fn without_approval_a_publication_takes_effect_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let kakari = store
        .sign_in("kakari", KAKARI, Utc::now())
        .expect("signs in")
        .supervisor()
        .expect("supervisor");
    store
        .change_setting(&kakari, "catalogue.approval", "off", Utc::now())
        .expect("set");
    let mut desk = Desk::new(store, jst()).on_day(today());
    assert!(desk.sign_in("kakari", KAKARI));
    assert!(!desk.approval_required());
    let Some(Submitted::Published(restored)) = desk.restore(1) else {
        panic!("{:?}", desk.notice());
    };
    assert_eq!(in_force(dir.path()), restored);
}

#[test]
fn a_changed_age_limit_is_previewed_fixed_published_and_restored() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    let case = family_with_a_sixteen_year_old();
    assert!(child_medical_applies(&reopen(dir.path()), &case));

    let index = procedure_index(&desk, "kodomo_iryo");
    desk.open_procedure(index);
    assert_eq!(desk.screen(), DeskScreen::Procedure);
    let age_row = desk
        .condition_rows()
        .into_iter()
        .find(|r| r.text.starts_with("学齢"))
        .expect("the age comparison is a row");
    assert!(age_row.text.contains("18"), "{}", age_row.text);
    desk.select_row(age_row.path.clone());
    assert!(
        desk.facts().contains(&Fact::Sex),
        "member facts are offered inside a household group"
    );
    desk.set_number(15);
    assert_eq!(
        desk.condition_text(),
        "all(event = tennyu, any_member(school_age < 15))"
    );
    assert!(desk.has_draft());
    // The reason residents read still says 18: the desk says so beside it, until reworded.
    let warning = |desk: &Desk| {
        desk.editing()
            .and_then(|e| e.warnings.get("because"))
            .map(|n| n.ja.clone())
    };
    assert!(
        warning(&desk).is_some_and(|w| w.contains("「18歳」")),
        "{:?}",
        warning(&desk)
    );
    assert!(desk.set_because_ja("中学3年生の年度末までの子（{ages}）がいるため"));
    assert_eq!(warning(&desk), None);

    desk.preview();
    assert_eq!(desk.screen(), DeskScreen::Impact);
    let impact = desk.impact().expect("impact");
    let failing: Vec<usize> = (0..impact.scenarios.len())
        .filter(|i| !impact.scenarios[*i].passes())
        .collect();
    assert!(!failing.is_empty(), "scenarios pin the old limit");
    for i in &failing {
        assert_eq!(impact.scenarios[*i].removed(), ["kodomo_iryo"]);
    }

    assert_eq!(
        desk.publish("中学生までに変更"),
        None,
        "failing scenarios block publishing"
    );
    assert!(desk.notice().is_some_and(|n| n.ja.contains("失敗")));
    for i in failing {
        desk.accept_scenario(i);
    }
    assert_eq!(desk.impact().expect("impact").failing_scenarios(), 0);
    assert_eq!(desk.publish("  "), None, "a note is needed");
    let Some(Submitted::Pending(submitted)) = desk.publish("子ども医療費助成を中学生までに変更")
    else {
        panic!("a second supervisor decides: {:?}", desk.notice());
    };
    assert!(
        child_medical_applies(&reopen(dir.path()), &case),
        "nothing changes before the decision"
    );
    assert!(desk.pending().iter().any(|v| v.id == submitted));
    assert_eq!(desk.approve(submitted), None, "not by its author");
    let mut hancho = hancho(dir.path());
    let published = hancho.approve(submitted).expect("approved");

    let store = reopen(dir.path());
    assert_eq!(
        store.newest_published().expect("read").expect("one").id,
        published
    );
    assert!(
        !child_medical_applies(&store, &case),
        "the next case uses the new rule"
    );

    let Some(Submitted::Pending(restoring)) = desk.restore(1) else {
        panic!(
            "a restore is decided like any publication: {:?}",
            desk.notice()
        );
    };
    assert!(!hancho.reject(restoring, " "), "a reason is needed");
    assert!(hancho.reject(restoring, "まだ戻さない"));
    assert_eq!(
        in_force(dir.path()),
        published,
        "a version sent back is not published"
    );
    let Some(Submitted::Pending(restoring)) = desk.restore(1) else {
        panic!("{:?}", desk.notice());
    };
    let restored = hancho.approve(restoring).expect("restored");
    assert!(restored > published);
    assert!(
        child_medical_applies(&reopen(dir.path()), &case),
        "the old behaviour is back"
    );
}

#[test]
fn an_incomplete_condition_is_shown_beside_the_field_and_not_written() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    desk.open_procedure(0);
    let before = desk.condition_text();
    desk.select_row(Vec::new());
    desk.remove_part();
    assert!(
        desk.editing().expect("editing").errors["condition"]
            .ja
            .contains("全体"),
        "a rule keeps its condition"
    );
    assert_eq!(desk.condition_text(), before);
    let top = desk.condition_rows()[0].path.clone();
    desk.select_row(top);
    desk.add_part(Some(super::condition::Group::Not));
    let not_row = desk.editing().expect("editing").selected.clone();
    // Removing the only part of not(…) leaves an empty group: an error, nothing written.
    desk.select_row([not_row.clone(), vec![0]].concat());
    desk.remove_part();
    let editing = desk.editing().expect("editing");
    assert!(
        editing
            .errors
            .get("condition")
            .is_some_and(|e| e.ja.contains("空"))
    );
    assert!(matches!(desk.selected(), Some((Node::Group(..), false))));
    assert_ne!(
        desk.condition_text(),
        before,
        "the previous, whole change was written"
    );
}

#[test]
fn a_bad_effective_date_is_refused_beside_its_field() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    desk.open_procedure(0);
    assert!(!desk.set_effective(false, "来年の春"));
    assert!(
        desk.editing()
            .expect("editing")
            .errors
            .contains_key("effective_from")
    );
    assert!(!desk.has_draft(), "nothing was changed");
    assert_eq!(
        desk.editing().expect("editing").errors["effective_from"].ja,
        madoguchi_domain::input::InputError::Date.message_ja(),
        "the words every entry point uses"
    );
    // The same 和暦 date as on the home page and the kiosk's screens is the same day.
    assert!(desk.set_effective(false, "令和8年4月1日"));
    assert!(desk.has_draft());
    assert!(desk.editing().expect("editing").errors.is_empty());
    let catalogue = desk.catalogue().expect("the draft's catalogue");
    assert_eq!(
        catalogue.procedures[0].effective.from,
        chrono::NaiveDate::from_ymd_opt(2026, 4, 1)
    );
}

#[test]
fn a_finished_case_becomes_a_scenario_and_statistics_export_as_csv() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let case = family_with_a_sixteen_year_old();
    let ended = Utc::now();
    store
        .insert_finished(&[FinishedCase {
            started: ended - Duration::minutes(12),
            ended,
            case: &case,
            procedures: &["tennyu_todoke", "kodomo_iryo"],
            forms_printed: 3,
        }])
        .expect("a finished case");
    let mut desk = Desk::new(store, jst());
    assert!(desk.sign_in("kakari", KAKARI));
    desk.go(DeskScreen::Cases);
    let (id, label) = desk.recent_cases().first().cloned().expect("a case");
    assert!(!label.contains("窓口"), "no names in the list: {label}");
    let path = desk.pin_case(id).expect("pinned");
    assert!(path.starts_with("scenarios/case-"));
    desk.preview();
    let impact = desk.impact().expect("impact");
    let pinned = impact
        .scenarios
        .iter()
        .find(|s| s.file == path)
        .expect("the new scenario runs");
    assert!(pinned.passes(), "{:?}", pinned.failures);
    assert_eq!(impact.cases.len(), 1);
    assert!(impact.cases[0].label.starts_with("案件 #"));

    desk.go(DeskScreen::Statistics);
    let stats = desk.statistics().expect("statistics");
    assert_eq!(stats.finished, 1);
    assert_eq!(stats.median_seconds, Some(12 * 60));
    let csv = dir.path().join("stats.csv");
    assert!(desk.export_statistics(&csv));
    assert!(
        std::fs::read_to_string(&csv)
            .expect("csv")
            .contains("procedures,kodomo_iryo,1")
    );
}

#[test]
fn a_catalogue_moves_between_kiosks_with_its_checksum() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("usb");
    let mut desk = signed_in(dir.path());
    assert!(desk.export_catalogue(&out));
    assert!(
        desk.notice_is_success(),
        "a success is not shown as a problem"
    );
    assert!(
        out.join(madoguchi_store::catalogue_folder::CHECKSUM_FILE)
            .exists()
    );

    let other = tempfile::tempdir().expect("other kiosk");
    let mut there = signed_in(other.path());
    there.open_procedure(0);
    assert!(there.set_source("作業中の下書き"));
    assert!(
        !there.import_catalogue(&out),
        "a supervisor's draft is never thrown away"
    );
    assert!(!there.notice_is_success());
    assert!(there.has_draft());
    there.discard();
    assert!(there.import_catalogue(&out), "{:?}", there.notice());
    assert_eq!(there.screen(), DeskScreen::Impact);
    let impact = there.impact().expect("impact");
    assert_eq!(
        impact.changed_scenarios(),
        0,
        "the same catalogue changes nothing"
    );
    assert!(there.publish("本庁から取り込み").is_some());

    let kodomo = out.join("procedures/kodomo.toml");
    let text = std::fs::read_to_string(&kodomo).expect("read");
    std::fs::write(&kodomo, text.replace("school_age < 18", "school_age < 12")).expect("tamper");
    assert!(!there.import_catalogue(&out));
    assert!(
        there
            .notice()
            .is_some_and(|n| n.ja.contains("チェックサム")),
        "{:?}",
        there.notice()
    );
}

#[test]
fn the_feed_hands_over_a_new_publication_once() {
    use crate::runtime::feed::CatalogueFeed;
    let dir = tempfile::tempdir().expect("dir");
    let store = store(dir.path());
    let first = store.newest_published().expect("read").expect("one");
    let watch = reopen(dir.path());
    let mut feed = CatalogueFeed::new(first.checksum.clone());
    let mut ask = || feed.newer(&watch, std::time::Instant::now());
    assert!(ask().is_none(), "nothing new");
    let mut desk = Desk::new(store, jst()).on_day(today());
    assert!(desk.sign_in("kakari", KAKARI));
    desk.open_procedure(0);
    assert!(desk.set_source("住民基本台帳法 第22条（改正確認済み）"));
    let Some(Submitted::Pending(submitted)) = desk.publish("出典を更新") else {
        panic!("{:?}", desk.notice());
    };
    assert!(ask().is_none(), "not before the decision");
    hancho(dir.path()).approve(submitted).expect("approved");
    let taken = ask().expect("the new version");
    assert!(
        taken.procedures[0].source.contains("改正確認済み"),
        "{}",
        taken.procedures[0].source
    );
    assert!(ask().is_none(), "taken once");
}

#[test]
fn typed_numbers_are_read_in_either_width_and_refused_otherwise() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    let index = desk
        .catalogue()
        .expect("catalogue")
        .procedures
        .iter()
        .position(|p| p.id == "jidou_teate" && !p.deadlines.is_empty())
        .expect("a procedure with deadlines");
    desk.open_procedure(index);
    assert!(!desk.set_deadline_days(0, "十四"));
    assert!(
        desk.editing()
            .expect("editing")
            .errors
            .contains_key("deadline")
    );
    assert!(desk.set_deadline_days(0, "１４"));
    assert_eq!(
        desk.catalogue().expect("draft").procedures[index].deadlines[0].days,
        14
    );

    let age = desk
        .condition_rows()
        .into_iter()
        .find(|r| r.text.starts_with("学齢"))
        .expect("an age comparison");
    desk.select_row(age.path);
    desk.set_value_text("abc");
    assert!(
        desk.editing().expect("editing").errors["condition"]
            .ja
            .contains("数字")
    );
    desk.set_value_text("１６");
    desk.step_number(-1);
    assert!(
        desk.condition_text().contains("school_age < 15"),
        "{}",
        desk.condition_text()
    );
}

fn procedure_index(desk: &Desk, id: &str) -> usize {
    desk.catalogue()
        .expect("catalogue")
        .procedures
        .iter()
        .position(|p| p.id == id)
        .expect("procedure")
}

fn question_index(desk: &Desk, id: &str) -> usize {
    desk.catalogue()
        .expect("catalogue")
        .question_index(id)
        .expect("question")
}

fn draft_file<'d>(desk: &'d Desk, name: &str) -> &'d str {
    desk.working
        .as_ref()
        .expect("a draft")
        .draft
        .files()
        .get(name)
        .expect("file")
}

/// The questions the engine would ask next for `case` with the catalogue `desk` shows.
fn asked_next(desk: &Desk, case: &Case) -> Vec<String> {
    Engine::new(desk.catalogue().expect("catalogue"))
        .evaluate(case, case.event.visit_date())
        .expect("evaluates")
        .next_questions
        .into_iter()
        .map(|q| q.id)
        .collect()
}

#[test]
fn a_question_is_reworded_in_each_register_and_refused_empty() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    desk.go(DeskScreen::Questions);
    desk.set_filter("犬を飼って");
    let listed = desk.listed_questions();
    let dog = question_index(&desk, "dog");
    assert!(listed.contains(&dog), "{listed:?}");
    desk.open_question(dog);
    assert_eq!(desk.screen(), DeskScreen::Question);

    assert!(!desk.set_question_text(Register::Easy, "  "));
    assert!(
        desk.editing()
            .expect("editing")
            .errors
            .get("text_easy")
            .is_some_and(|e| e.ja.contains("やさしい日本語"))
    );
    assert!(!desk.has_draft(), "nothing was changed");

    let before =
        madoguchi_rules::read_folder(&catalogue_dir::default_dir()).expect("files")["questions.toml"]
            .clone();
    assert!(desk.set_question_text(Register::Ja, "犬（飼い犬）を飼っていますか。"));
    assert!(desk.set_question_text(Register::Easy, "いぬ を かって いますか。"));
    assert!(desk.set_question_label("飼い犬がいる"));
    assert!(desk.set_question_sensitive(true));
    assert!(desk.set_source("狂犬病予防法 第4条（登録）"));
    assert!(desk.editing().expect("editing").errors.is_empty());
    let question = desk.open_question_data().expect("open");
    assert_eq!(question.text.ja, "犬（飼い犬）を飼っていますか。");
    assert_eq!(question.text.en, "Do you keep a dog?", "English kept");
    assert_eq!(question.label.ja, "飼い犬がいる");
    assert_eq!(question.label.en, "keeps a dog", "English kept");
    assert!(question.sensitive);
    assert_eq!(
        question.source.as_deref(),
        Some("狂犬病予防法 第4条（登録）")
    );

    // Only the question's own lines changed: its text, label and source were rewritten in
    // place and one `sensitive` line was added to it.
    let after = draft_file(&desk, "questions.toml");
    let old: Vec<&str> = before.lines().collect();
    let changed: Vec<&str> = after.lines().filter(|l| !old.contains(l)).collect();
    assert_eq!(changed.len(), 3, "{changed:#?}");
    assert_eq!(after.lines().count(), old.len() + 1);
    let block = after
        .split("[[question]]")
        .find(|b| b.contains("id = \"dog\""))
        .expect("the dog question");
    assert!(block.contains("sensitive = true"), "{block}");
}

#[test]
fn the_id_card_read_is_picked_like_any_fact() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    desk.open_question(question_index(&desk, "dog"));
    desk.select_row(Vec::new());
    desk.remove_part();
    desk.ask_only_when();
    desk.select_row(vec![0]);
    assert!(desk.facts().contains(&Fact::IdentifiedBy));
    desk.pick_fact(Fact::IdentifiedBy);
    assert_eq!(desk.condition_text(), "all(identified_by = my_number_card)");
    desk.pick_value(1);
    assert_eq!(
        desk.condition_text(),
        "all(identified_by in [my_number_card, driving_licence])"
    );
    desk.pick_value(0);
    assert_eq!(
        desk.condition_text(),
        "all(identified_by = driving_licence)"
    );
    desk.pick_value(1);
    assert!(
        desk.editing().expect("editing").errors["condition"]
            .ja
            .contains("本人確認書類"),
        "no card picked is not a condition"
    );
    assert_eq!(
        desk.condition_text(),
        "all(identified_by = driving_licence)"
    );
    desk.discard();
}

#[test]
fn when_a_question_is_asked_is_edited_with_the_condition_widgets() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    let case = family_with_a_sixteen_year_old();
    let dog = question_index(&desk, "dog");
    assert!(
        !asked_next(&desk, &case).contains(&"dog".to_string()),
        "shipped: asked only after 「犬または原付等がある」"
    );
    desk.open_question(dog);
    assert_eq!(desk.condition_text(), "dog_or_moped = yes");
    assert!(
        !desk.facts().is_empty() && !desk.facts().contains(&Fact::Question(dog)),
        "a question's own answer cannot decide whether it is asked"
    );

    // 削除 on the whole condition removes it, as 条件を外す does.
    desk.select_row(Vec::new());
    desk.remove_part();
    assert_eq!(desk.condition_text(), "");
    assert!(desk.open_question_data().expect("open").ask_when.is_none());
    assert!(
        asked_next(&desk, &case).contains(&"dog".to_string()),
        "without a condition it is asked whenever it can matter"
    );

    desk.ask_only_when();
    assert_eq!(desk.condition_text(), "all(event = tennyu)");
    // A second part beside a lone comparison, and inside a household group, needs no
    // "one part only" error: a すべて is put around it.
    desk.add_part(Some(super::condition::Group::AnyMember));
    assert_eq!(
        desk.condition_text(),
        "all(event = tennyu, any_member(age < 18))"
    );
    desk.add_part(None);
    assert!(
        desk.editing().expect("editing").errors.is_empty(),
        "{:?}",
        desk.editing().expect("editing").errors
    );
    assert_eq!(
        desk.condition_text(),
        "all(event = tennyu, any_member(all(age < 18, age < 18)))"
    );
    assert!(asked_next(&desk, &case).contains(&"dog".to_string()));

    // When a question is asked decides too: a dog owner outside the new condition is no
    // longer asked, so loses the dog's procedure. The preview shows it and blocks publishing.
    desk.preview();
    let impact = desk.impact().expect("impact");
    let couple = impact
        .scenarios
        .iter()
        .find(|s| s.label.starts_with("ペルソナ1"))
        .expect("the elderly couple with a dog");
    assert_eq!(couple.removed(), ["inu_henko"]);
    assert!(!couple.passes());
    assert!(desk.publish("犬の質問を子のいる世帯だけに").is_none());

    desk.discard();
    assert!(!desk.has_draft());
    desk.open_question(dog);
    assert_eq!(
        desk.condition_text(),
        "dog_or_moped = yes",
        "the draft is gone"
    );
}

#[test]
fn items_to_bring_are_ticked_on_and_off() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    let index = procedure_index(&desk, "kodomo_iryo");
    desk.open_procedure(index);
    desk.set_item_filter("印鑑");
    let listed = desk.listed_items();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let inkan = listed[0];
    // The plain-Japanese wording is found as it is read, its ルビ marks aside.
    desk.set_item_filter("とうろくする");
    assert!(desk.listed_items().contains(&inkan));
    let brings = |desk: &Desk| -> Vec<String> {
        let catalogue = desk.catalogue().expect("catalogue");
        catalogue.procedures[index]
            .bring
            .iter()
            .map(|i| catalogue.items[*i].id.clone())
            .collect()
    };
    assert_eq!(brings(&desk), ["child_insurance", "honnin_kakunin"]);

    assert!(desk.toggle_bring(inkan));
    assert_eq!(
        brings(&desk),
        ["child_insurance", "honnin_kakunin", "inkan"]
    );
    assert!(
        draft_file(&desk, "procedures/kodomo.toml")
            .contains(r#"bring = ["child_insurance", "honnin_kakunin", "inkan"]"#)
    );
    assert!(desk.toggle_bring(inkan));
    assert_eq!(brings(&desk), ["child_insurance", "honnin_kakunin"]);

    desk.open_procedure(index);
    assert!(
        desk.item_filter().is_empty(),
        "a new procedure lists every item"
    );
    assert_eq!(
        desk.listed_items().len(),
        desk.catalogue().expect("catalogue").items.len()
    );
}

#[test]
fn a_supervisor_closes_the_offices_on_the_citys_day_and_the_published_calendar_has_it() {
    use madoguchi_domain::calendar::{ClosedBecause, Office};
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    desk.go(DeskScreen::Calendar);
    assert_eq!(desk.screen(), DeskScreen::Calendar);
    let listed = desk.closed_days();
    assert!(
        listed
            .iter()
            .any(|d| d.because == ClosedBecause::Holiday("昭和の日".into())),
        "the coming holidays are listed: {listed:?}"
    );
    assert!(listed.iter().any(|d| d.because == ClosedBecause::YearEnd));
    assert!(
        !listed
            .iter()
            .any(|d| matches!(d.because, ClosedBecause::Saturday | ClosedBecause::Sunday)),
        "weekends are every week, not listed"
    );

    // A Tuesday, typed in 和暦; a date that does not read, or a day without a name, is refused.
    assert!(!desk.add_closed_day("R8.13.1", "市制記念日"));
    assert!(!desk.add_closed_day("R8.5.12", " "));
    assert!(
        desk.add_closed_day("R8.5.12", "市制記念日"),
        "{:?}",
        desk.notice()
    );
    let founding = NaiveDate::from_ymd_opt(2026, 5, 12).expect("day");
    let city_day = desk
        .closed_days()
        .into_iter()
        .find(|d| d.date == founding)
        .expect("listed in the draft");
    assert!(city_day.is_city_day());
    assert!(
        !desk.add_closed_day("2026-05-12", &"長".repeat(41)),
        "a name the catalogue refuses leaves the draft as it was"
    );
    assert!(
        reopen(dir.path())
            .audit_entries(10)
            .expect("audit")
            .iter()
            .any(|(_, actor, action, detail)| actor == "kakari"
                && action == "catalogue.calendar"
                && detail.contains("2026-05-12")),
        "audited under the supervisor"
    );

    desk.preview();
    let Some(Submitted::Pending(submitted)) = desk.publish("市制記念日を休日に") else {
        panic!("{:?}", desk.notice());
    };
    let published = hancho(dir.path()).approve(submitted).expect("approved");
    let version = reopen(dir.path())
        .newest_published()
        .expect("read")
        .expect("one");
    assert_eq!(version.id, published);
    let loaded = madoguchi_rules::load_files(&version.files).expect("loads");
    assert_eq!(
        loaded
            .catalogue
            .calendar
            .days
            .closed_because(founding, Office::City),
        Some(ClosedBecause::CityDay("市制記念日".into()))
    );

    // Taken off again in a new draft.
    let mut desk = signed_in_again(dir.path());
    desk.go(DeskScreen::Calendar);
    assert!(desk.remove_closed_day(founding), "{:?}", desk.notice());
    assert!(!desk.closed_days().iter().any(|d| d.date == founding));
}

fn signed_in_again(dir: &Path) -> Desk {
    let mut desk = Desk::new(reopen(dir), jst()).on_day(today());
    assert!(desk.sign_in("kakari", KAKARI), "{:?}", desk.notice());
    desk
}

/// 下書きを捨てる asks first; no keeps the draft, yes discards it. A screen change drops the
/// question.
#[test]
fn discarding_a_draft_asks_first() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    desk.open_procedure(0);
    assert!(desk.set_source("地方自治法"), "{:?}", desk.notice());
    desk.ask_discard();
    assert_eq!(desk.confirming(), Some(DeskConfirm::DiscardDraft));
    desk.dismiss();
    assert_eq!(desk.confirming(), None);
    assert!(desk.has_draft(), "no keeps the draft");
    desk.ask_discard();
    desk.go(DeskScreen::Procedures);
    assert_eq!(desk.confirming(), None, "another screen drops the question");
    desk.confirm();
    assert!(desk.has_draft(), "a yes without the question does nothing");
    desk.ask_discard();
    desk.confirm();
    assert!(!desk.has_draft());
    assert!(
        reopen(dir.path()).newest_draft().expect("read").is_none(),
        "the draft is gone from the store"
    );
}

/// The city's own 印鑑登録申請書, placed over its scanned page in the form editor: saved in the
/// draft (an incomplete one, or one for a form the catalogue lacks, is refused), listed by the
/// impact preview, published through 決裁, and printed by the next packet instead of the
/// shipped template; opened again as it was placed.
#[test]
fn a_city_form_is_placed_published_and_printed() {
    use madoguchi_forms::authoring::{PlaceKind, Placed, PlacedRows, PlacedTemplate};
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    let page = {
        let picture = image::GrayImage::from_fn(1240, 1754, |x, y| {
            image::Luma([if x % 118 == 0 || y % 118 == 0 { 0 } else { 255 }])
        });
        let mut png = Vec::new();
        picture
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        png
    };
    let mut template = PlacedTemplate::new("inkan_toroku", "印鑑登録申請書（標準市様式）", None);
    template
        .items
        .push(Placed::new(PlaceKind::Field, [40.0, 50.0, 100.0, 9.0], ""));
    assert!(!desk.save_form(&template, Some(&page)), "no value chosen");
    assert!(
        desk.notice()
            .is_some_and(|n| n.ja.contains("値を選んでください")),
        "{:?}",
        desk.notice()
    );
    template.items[0].set_value("applicant.name");
    template.items.push(Placed::new(
        PlaceKind::Era,
        [40.0, 62.0, 80.0, 9.0],
        "applicant.birth_date",
    ));
    template.items.push(Placed::new(
        PlaceKind::Field,
        [40.0, 75.0, 150.0, 9.0],
        "new_address",
    ));
    template.rows = Some(PlacedRows {
        source: madoguchi_forms::RowSource::Household,
        origin: [20.0, 110.0],
        height: 12.0,
        per_page: 4,
        items: vec![Placed::new(
            PlaceKind::Field,
            [0.0, 0.0, 60.0, 12.0],
            "member.name",
        )],
    });
    let mut unknown = template.clone();
    unknown.form.id = "no_such_form".into();
    assert!(!desk.save_form(&unknown, Some(&page)));
    assert!(
        desk.save_form(&template, Some(&page)),
        "{:?}",
        desk.notice()
    );
    let (reopened, reopened_page) = desk.city_form("inkan_toroku").expect("in the draft");
    assert_eq!(reopened.items, template.items);
    assert_eq!(reopened_page.as_deref(), Some(page.as_slice()));

    desk.preview();
    assert!(
        desk.form_findings().is_empty(),
        "{:?}",
        desk.form_findings()
    );
    let forms: Vec<String> = desk
        .impact()
        .expect("preview")
        .forms
        .iter()
        .map(|f| format!("{} {:?}", f.file, f.change))
        .collect();
    assert_eq!(
        forms,
        [
            "forms/city_inkan_toroku.png.b64 Added",
            "forms/city_inkan_toroku.toml Added"
        ]
    );
    let Some(Submitted::Pending(submitted)) = desk.publish("市の印鑑登録申請書") else {
        panic!("{:?}", desk.notice());
    };
    hancho(dir.path()).approve(submitted).expect("approved");

    // The next packet, from the version now in force.
    let version = reopen(dir.path())
        .newest_published()
        .expect("read")
        .expect("one");
    let catalogue = madoguchi_rules::load_files(&version.files)
        .expect("loads")
        .catalogue;
    let mut templates = crate::packet::Templates::new(crate::packet::default_forms_dir());
    let library = templates
        .for_catalogue(&catalogue, [0.0, 0.0])
        .expect("templates");
    let case = crate::samples::family_of_four().expect("example");
    let mut decision = Engine::new(&catalogue)
        .evaluate(&case, crate::packet::as_of(&case))
        .expect("decides");
    decision.procedures.retain(|p| p.id == "inkan_toroku");
    let packet = crate::packet::make(
        library,
        &madoguchi_forms::Fonts::load(),
        &crate::packet::PacketInput {
            case: &case,
            decision: &decision,
            local: &crate::packet::Local::default(),
            reception: "",
            guidance: false,
            language: madoguchi_forms::SheetLanguage::Japanese,
        },
    )
    .expect("packet");
    let titles: Vec<&str> = packet.forms.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(titles, ["印鑑登録申請書（標準市様式）"]);
}

/// The form editor without a window: the city's 住民異動届 opened on the page, boxes dragged
/// into its cells, the sample's page previewed, the draft saved; the same form opened again
/// comes back as it was left, and the list marks it as the city's own.
#[test]
fn the_form_editor_places_previews_and_saves_a_city_form() {
    use super::form_editor::Tool;
    use madoguchi_forms::authoring::PlaceKind;

    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    desk.go(DeskScreen::Forms);
    let listing = desk.form_listing();
    let index = listing
        .iter()
        .position(|f| f.id == "jumin_ido_todoke")
        .expect("the 住民異動届");
    assert!(!listing[index].citys_own);
    desk.edit_form(index);
    assert_eq!(desk.screen(), DeskScreen::FormEditor);

    let pdf = crate::samples::city_paper_form_pdf().expect("the city's form");
    let page = madoguchi_forms::scan::read_page(&pdf).expect("reads");
    let png = page.png().expect("png");
    desk.edit_placing(|e| e.set_page(page, png));
    desk.edit_placing(|e| e.drag([52.0, 55.2], [198.0, 68.5]));
    // Without a value, the preview says what is missing and shows nothing.
    desk.preview_form();
    assert!(!desk.notice_is_success(), "{:?}", desk.notice());
    assert!(desk.form_editor().is_some_and(|e| !e.showing_preview()));
    desk.edit_placing(|e| e.choose("new_address"));
    desk.edit_placing(|e| {
        e.set_tool(Tool::Rows);
        e.drag([10.5, 112.8], [199.0, 123.2]);
        e.set_tool(Tool::Place(PlaceKind::Field));
        e.drag([23.0, 113.0], [91.0, 123.0]);
        e.choose("member.name");
    });
    desk.preview_form();
    let editor = desk.form_editor().expect("open");
    assert!(editor.showing_preview(), "{:?}", desk.notice());
    let shown = editor.picture().expect("the filled page");
    assert_eq!((shown.width, shown.height), (1240, 1754));

    assert!(desk.save_edited_form(), "{:?}", desk.notice());
    let (saved, saved_page) = desk.city_form("jumin_ido_todoke").expect("in the draft");
    assert_eq!(saved.rows.as_ref().map(|r| r.per_page), Some(6));
    assert!((saved.items[0].rect()[1] - 54.0).abs() < 0.5, "{saved:?}");
    assert!(saved_page.is_some());

    desk.close_form_editor();
    assert_eq!(desk.screen(), DeskScreen::Forms);
    assert!(desk.form_listing()[index].citys_own);
    desk.edit_form(index);
    let reopened = desk
        .form_editor()
        .map(|e| e.template().clone())
        .expect("open");
    assert_eq!(
        (reopened.items, reopened.rows),
        (saved.items, saved.rows),
        "the same form comes back as it was left"
    );
    desk.sign_out();
    assert!(desk.form_editor().is_none(), "signing out drops it");
}

/// A template the city wrote by hand under the editor's file name is not opened (and so not
/// overwritten) by the editor: the supervisor is told to edit it as text.
#[test]
fn a_hand_written_city_form_is_not_opened_in_the_editor() {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = signed_in(dir.path());
    desk.ensure_draft().expect("a draft");
    let hand_written = "[form]\nid = \"inkan_toroku\"\ntitle = \"印鑑登録申請書\"\n\n[[item]]\ntype = \"text\"\nrect = [10, 10, 50, 8]\ntext = \"市の様式\"\n";
    desk.try_change(|draft, _| {
        draft
            .put_form_file("city_inkan_toroku.toml", hand_written.to_string())
            .map_err(super::plain)
    })
    .expect("the city's own file");
    let index = desk
        .form_listing()
        .iter()
        .position(|f| f.id == "inkan_toroku")
        .expect("listed");
    desk.edit_form(index);
    assert!(desk.form_editor().is_none());
    assert_ne!(desk.screen(), DeskScreen::FormEditor);
    assert!(
        desk.notice().is_some_and(|n| n.ja.contains("手で書かれた")),
        "{:?}",
        desk.notice()
    );
}
