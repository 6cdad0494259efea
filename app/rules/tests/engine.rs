//! The engine against the shipped catalogue: decisions, planning, errors, explanations and the
//! interview simulation.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use madoguchi_domain::{Answer, Case, EventDate, EventKind, LifeEvent};
use madoguchi_rules::catalogue::Tier;
use madoguchi_rules::condition::Truth;
use madoguchi_rules::{Catalogue, Engine, EvalError, interview, scenario};

fn shipped_files() -> madoguchi_rules::CatalogueFiles {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue");
    madoguchi_rules::read_folder(&dir).expect("the shipped catalogue reads")
}

fn catalogue() -> Catalogue {
    madoguchi_rules::load_files(&shipped_files())
        .expect("the shipped catalogue loads")
        .catalogue
}

fn example(name: &str) -> Case {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("example exists"))
        .expect("example is a case")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

#[test]
fn the_family_example_decides_with_deadlines_and_reasons() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let case = example("family-of-four.json");
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    let allowance = decision
        .procedures
        .iter()
        .find(|p| p.id == "jidou_teate")
        .expect("child allowance");
    let deadline = allowance.deadline.as_ref().expect("has a deadline");
    // 15 days from the move-out date end on Sunday 12 April: the office opens on the 13th.
    assert_eq!(deadline.date, day(2026, 4, 13));
    assert_eq!(deadline.wareki, "令和8年4月13日");
    let moved = deadline.moved.as_ref().expect("moved off the Sunday");
    assert_eq!(moved.counted, day(2026, 4, 12));
    assert_eq!(moved.closed.ja, "日曜日");
    assert!(
        moved.why.ja.contains("地方自治法第4条の2第4項"),
        "{}",
        moved.why.ja
    );
    assert!(
        allowance.reasons[0].ja.contains("子（7歳、2歳）"),
        "{:?}",
        allowance.reasons
    );
    assert!(decision.to_confirm.is_empty());
    assert!(
        decision.next_questions.is_empty(),
        "everything that matters is answered"
    );
    // 転入届 (市民課) comes first: procedures are ordered by counter.
    assert_eq!(decision.procedures[0].id, "tennyu_todoke");
}

#[test]
fn next_questions_come_in_tier_order_and_skip_what_the_facts_answer() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("family-of-four.json");
    case.answers.clear();
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    let ids: Vec<&str> = decision
        .next_questions
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    // Every member's nationality is known, so the nationality question is not asked; with a
    // spouse and no grandchild, "single parent" is known too.
    assert!(!ids.contains(&"foreign_member"), "{ids:?}");
    assert!(!ids.contains(&"single_parent"), "{ids:?}");
    // Follow-ups wait for their gateway.
    assert!(!ids.contains(&"dog") && !ids.contains(&"e_sign"), "{ids:?}");
    let tiers: Vec<Tier> = decision.next_questions.iter().map(|q| q.tier).collect();
    assert!(
        tiers.windows(2).all(|w| w[0] <= w[1]),
        "tier order: {ids:?}"
    );
    for q in &decision.next_questions {
        assert!(!q.affects.is_empty(), "{} changes nothing", q.id);
        assert_eq!(
            q.options.last().map(|o| o.text.ja.as_str()),
            Some("わからない"),
            "{}",
            q.id
        );
    }
}

#[test]
fn dont_know_keeps_a_procedure_to_confirm_and_stops_asking() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("single-adult.json");
    case.answers
        .insert("health_insurance".into(), Answer::Unknown);
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    let kokuho = decision
        .to_confirm
        .iter()
        .find(|p| p.id == "kokuho_kanyu")
        .expect("kokuho to confirm");
    assert!(kokuho.critical);
    assert_eq!(kokuho.waiting_on[0].question, "health_insurance");
    assert!(
        decision
            .next_questions
            .iter()
            .all(|q| q.id != "health_insurance")
    );
    // Critical procedures lead the list.
    let first_non_critical = decision
        .to_confirm
        .iter()
        .position(|p| !p.critical)
        .unwrap_or(decision.to_confirm.len());
    assert!(
        decision.to_confirm[first_non_critical..]
            .iter()
            .all(|p| !p.critical)
    );
}

#[test]
fn answers_to_unknown_questions_or_of_the_wrong_kind_are_refused() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("single-adult.json");
    case.answers.insert("dogg".into(), Answer::Yes);
    assert_eq!(
        engine.evaluate(&case, day(2026, 4, 6)),
        Err(EvalError::UnknownQuestion("dogg".into()))
    );
    let mut case = example("single-adult.json");
    case.answers.insert("health_insurance".into(), Answer::Yes);
    let err = engine
        .evaluate(&case, day(2026, 4, 6))
        .expect_err("wrong kind");
    assert!(
        err.to_string().contains("one of shaho, kokuho, seiho"),
        "{err}"
    );
    let mut case = example("single-adult.json");
    case.answers.insert("dog".into(), Answer::Number(2));
    assert!(matches!(
        engine.evaluate(&case, day(2026, 4, 6)),
        Err(EvalError::WrongAnswer { .. })
    ));
}

#[test]
fn an_invalid_case_is_refused() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("single-adult.json");
    case.household.members.clear();
    assert!(matches!(
        engine.evaluate(&case, day(2026, 4, 6)),
        Err(EvalError::InvalidCase(_))
    ));
}

#[test]
fn unknown_birth_dates_leave_age_rules_to_confirm_not_dropped() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("family-of-four.json");
    for member in &mut case.household.members {
        member.person.birth_date = None;
    }
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    let waiting: Vec<&str> = decision.to_confirm.iter().map(|p| p.id.as_str()).collect();
    assert!(waiting.contains(&"jidou_teate"), "{waiting:?}");
    assert!(!decision.procedure_ids().contains(&"jidou_teate"));
}

#[test]
fn a_late_visit_marks_the_deadline_overdue() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("single-adult.json");
    case.event = serde_json::from_str(
        r#"{"kind": "tennyu", "move_date": "2026-04-01", "visit_date": "2026-04-30", "moved_out_date": "2026-03-31"}"#,
    )
    .expect("event");
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    let todoke = decision
        .procedures
        .iter()
        .find(|p| p.id == "tennyu_todoke")
        .expect("転入届");
    assert!(
        todoke
            .deadline
            .as_ref()
            .is_some_and(|d| d.overdue && d.date == day(2026, 4, 15))
    );
}

#[test]
fn the_rules_in_force_follow_the_as_of_date() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("family-of-four.json");
    // Only a 16-year-old child: covered from October 2024, not before.
    case.household.members.truncate(2);
    let mut teen = example("family-of-four.json").household.members[2].clone();
    teen.person.birth_date = Some(day(2008, 5, 5));
    case.household.members.push(teen);
    case.event = serde_json::from_str(
        r#"{"kind": "tennyu", "move_date": "2024-09-25", "visit_date": "2024-10-01", "moved_out_date": "2024-09-24"}"#,
    )
    .expect("event");
    case.answers
        .retain(|k, _| !matches!(k.as_str(), "childcare" | "after_school"));
    let before = engine.evaluate(&case, day(2024, 9, 30)).expect("evaluates");
    let after = engine.evaluate(&case, day(2024, 10, 1)).expect("evaluates");
    assert!(!before.procedure_ids().contains(&"jidou_teate"));
    assert!(after.procedure_ids().contains(&"jidou_teate"));
}

#[test]
fn explain_traces_every_rule_in_both_languages() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let case = example("family-of-four.json");
    let explanation = engine
        .explain(&case, case.event.visit_date(), "jidou_teate")
        .expect("explains");
    assert_eq!(explanation.status, Truth::True);
    let text = explanation.render();
    assert!(text.contains("✓ 届出が転入"), "{text}");
    assert!(text.contains("（7歳、2歳）"), "{text}");
    assert!(text.contains("the event is moving in"), "{text}");
    let not_applying = engine
        .explain(&case, case.event.visit_date(), "kokuho_kanyu")
        .expect("explains");
    assert_eq!(not_applying.status, Truth::False);
    assert!(
        not_applying
            .render()
            .contains("（回答：全員が勤務先の健康保険"),
        "{}",
        not_applying.render()
    );
    assert!(matches!(
        engine.explain(&case, day(2026, 4, 2), "nope"),
        Err(EvalError::UnknownProcedure(_))
    ));
}

#[test]
fn the_interview_asks_under_40_percent_and_reaches_the_full_decision() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let scenarios = scenario::load_all(&catalogue, &shipped_files()).expect("scenarios load");
    let everything = interview::simulate_all(&engine, &scenarios, None).expect("simulates");
    for i in &everything.interviews {
        assert!(i.same_decision, "{}: {:?}", i.scenario, i.differences);
    }
    let move_in =
        interview::simulate_all(&engine, &scenarios, Some(EventKind::TENNYU)).expect("simulates");
    assert!(move_in.interviews.len() >= 25);
    // Every event keeps the target, not only the moves.
    for event in &catalogue.events {
        let report =
            interview::simulate_all(&engine, &scenarios, Some(event.id)).expect("simulates");
        assert!(!report.interviews.is_empty(), "{}: no scenarios", event.id);
        assert!(
            report.average_share() < 0.40,
            "{}: asked {:.1}% on average",
            event.id,
            report.average_share() * 100.0
        );
    }
}

#[test]
fn the_scenario_suite_passes() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let scenarios = scenario::load_all(&catalogue, &shipped_files()).expect("scenarios load");
    assert!(scenarios.len() >= 40);
    let failures: Vec<String> = scenarios
        .iter()
        .map(|s| scenario::run(&engine, s))
        .filter(|o| !o.failures.is_empty())
        .map(|o| format!("{}: {}", o.file.display(), o.failures.join("; ")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn recorded_facts_outweigh_a_contradicting_answer() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("family-of-four.json");
    case.household.members[1].person.nationality =
        serde_json::from_str(r#"{"foreign": {"country": "韓国"}}"#).expect("nationality");
    // Pre-filled at home before the household's records were read.
    case.answers.insert("foreign_member".into(), Answer::No);
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    assert!(
        decision.procedure_ids().contains(&"zairyu_jukyochi"),
        "{:?}",
        decision.procedure_ids()
    );
}

/// The reported crash: a well-formed case moving in on 262142-12-31 made the deadline
/// arithmetic panic. The engine now refuses it; a case on the last day of the window decides,
/// deadlines past it included.
#[test]
fn dates_at_and_beyond_the_window_give_an_answer_not_a_panic() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("family-of-four.json");
    let far = NaiveDate::from_ymd_opt(262_142, 12, 31).expect("chrono's last year");
    case.event =
        LifeEvent::new(EventKind::TENNYU, far, far).with_date(EventDate::MOVED_OUT_DATE, far);
    match engine.evaluate(&case, far) {
        Err(EvalError::InvalidCase(madoguchi_domain::CaseError::DateOutOfRange { .. })) => {}
        other => panic!("{other:?}"),
    }
    let last = madoguchi_domain::limits::LAST_DAY;
    case.event =
        LifeEvent::new(EventKind::TENNYU, last, last).with_date(EventDate::MOVED_OUT_DATE, last);
    let decision = engine.evaluate(&case, last).expect("decides");
    assert!(
        decision
            .procedures
            .iter()
            .filter_map(|p| p.deadline.as_ref())
            .any(|d| d.date > last),
        "deadlines past the window's last day are computed"
    );
}

#[test]
fn a_question_about_members_offers_those_it_is_asked_of_and_its_answer_says_for_whom() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    // The family example: two adults and two children under 15.
    let mut case = example("family-of-four.json");
    case.answers.remove("seal");
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    let seal = decision
        .next_questions
        .iter()
        .find(|q| q.id == "seal")
        .expect("who registers a seal is asked");
    assert_eq!(seal.members, vec![0, 1], "only the members aged 15 or over");
    assert!(seal.options.iter().any(|o| o.id == "no"));

    // Naming a child under 15 does not make the procedure theirs, or anyone's.
    case.answers.insert("seal".into(), Answer::members([3]));
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    assert!(!decision.procedure_ids().contains(&"inkan_toroku"));
    assert!(!decision.to_confirm_ids().contains(&"inkan_toroku"));

    case.answers.insert("seal".into(), Answer::members([1, 3]));
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    let seal = decision
        .procedures
        .iter()
        .find(|p| p.id == "inkan_toroku")
        .expect("the adult registers");
    assert_eq!(seal.concerns, vec![1]);

    // A member the household does not have is refused with the field named.
    case.answers.insert("seal".into(), Answer::members([7]));
    let error = engine
        .evaluate(&case, case.event.visit_date())
        .expect_err("no member 7");
    assert!(error.to_string().contains("answers.seal"), "{error}");
}

/// The ids of what `case`'s decision says to bring for `procedure`, which must apply.
fn brought(engine: &Engine<'_>, case: &Case, procedure: &str) -> Vec<String> {
    let decision = engine
        .evaluate(case, case.event.visit_date())
        .expect("evaluates");
    let applying = decision
        .procedures
        .iter()
        .find(|p| p.id == procedure)
        .unwrap_or_else(|| panic!("{procedure} applies"));
    applying.bring.iter().map(|b| b.id.clone()).collect()
}

#[test]
fn a_proxy_brings_a_letter_of_attorney_for_every_procedure_with_a_form() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("family-of-four.json");
    let brings = |case: &Case, id: &str| brought(&engine, case, id);
    assert!(!brings(&case, "tennyu_todoke").contains(&"ininjo".to_string()));
    case.proxy = Some(Box::new(madoguchi_domain::Proxy {
        name: "代理 花子".into(),
        kana: None,
        address: None,
        phone: None,
        relation: None,
    }));
    assert!(brings(&case, "tennyu_todoke").contains(&"ininjo".to_string()));
    // A notice with nothing to file needs no letter.
    assert!(!brings(&case, "info_lifeline").contains(&"ininjo".to_string()));
    // Family from outside the household filing a move still bring one: the member can sign.
    if let Some(proxy) = case.proxy.as_mut() {
        proxy.relation = Some("子".into());
    }
    assert!(brings(&case, "tennyu_todoke").contains(&"ininjo".to_string()));
}

/// After a death, a son from another household files without a 委任状 (his father cannot sign
/// one), but with his own ID.
#[test]
fn family_filing_after_a_death_bring_no_letter_of_attorney() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("okuyami.json");
    case.proxy = Some(Box::new(madoguchi_domain::Proxy {
        name: "相談 一郎".into(),
        kana: None,
        address: None,
        phone: None,
        relation: Some("子".into()),
    }));
    let funeral = brought(&engine, &case, "kokuho_sousaihi");
    assert!(!funeral.contains(&"ininjo".to_string()), "{funeral:?}");
    assert!(
        funeral.contains(&"dairinin_kakunin".to_string()),
        "{funeral:?}"
    );
}

/// The 葬祭費 goes to whoever held the funeral (喪主). When that is the person filing, nobody
/// needs their letter of attorney; when it is someone else, or nobody at the counter knows yet,
/// the item with `when = "funeral_by_filer = no"` stays on the list, and the question is asked
/// once the decision is settled, for the form's 申請者 boxes.
#[test]
fn the_chief_mourners_letter_is_asked_only_when_someone_else_held_the_funeral() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("okuyami.json");
    let funeral_items = |case: &Case| brought(&engine, case, "kokuho_sousaihi");
    let letter = "mosyu_ininjo".to_string();
    assert!(!funeral_items(&case).contains(&letter), "the widow held it");
    case.answers.insert("funeral_by_filer".into(), Answer::No);
    assert!(funeral_items(&case).contains(&letter), "the son held it");
    case.answers
        .insert("funeral_by_filer".into(), Answer::Unknown);
    assert!(
        funeral_items(&case).contains(&letter),
        "nobody knows: bring it"
    );
    case.answers.remove("funeral_by_filer");
    let next = engine
        .evaluate(&case, case.event.visit_date())
        .expect("decides")
        .next_questions;
    let ids: Vec<&str> = next.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["funeral_by_filer"], "{ids:?}");
}

/// A question that fills forms is asked once the decision is settled and one of the procedures
/// it fills applies: the family example has every decision answer, so without its 請求者,
/// 児童手当's 請求者 is asked next, of the two parents; answered, nothing is left to ask. 国保's previous insurance
/// is asked only when someone joins 国保.
#[test]
fn questions_that_fill_forms_come_after_the_decision_for_the_procedures_that_apply() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("family-of-four.json");
    case.answers.remove("allowance_claimant");
    let asked = |case: &Case| {
        engine
            .evaluate(case, case.event.visit_date())
            .expect("evaluates")
            .next_questions
    };
    let next = asked(&case);
    let ids: Vec<&str> = next.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["allowance_claimant"], "{ids:?}");
    assert_eq!(next[0].members, [0, 1], "the parents, not the children");
    assert_eq!(next[0].affects, ["jidou_teate"]);
    let before = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    case.answers
        .insert("allowance_claimant".into(), Answer::members([1]));
    let after = engine
        .evaluate(&case, case.event.visit_date())
        .expect("evaluates");
    assert!(
        after.next_questions.is_empty(),
        "{:?}",
        after.next_questions
    );
    let ids = |d: &madoguchi_rules::Decision| -> Vec<String> {
        d.procedures.iter().map(|p| p.id.clone()).collect()
    };
    assert_eq!(ids(&before), ids(&after), "the answer changes no procedure");

    assert!(!asked(&case).iter().any(|q| q.id == "previous_insurance"));
    case.answers
        .insert("health_insurance".into(), Answer::Choice("kokuho".into()));
    let next = asked(&case);
    assert!(
        next.iter().any(|q| q.id == "previous_insurance"),
        "{:?}",
        next.iter().map(|q| &q.id).collect::<Vec<_>>()
    );
}

/// The catalogue's `after`: a procedure comes behind those it needs that apply too (子ども医療費
/// behind 国民健康保険の加入, whose card it needs), and names only those.
#[test]
fn a_procedure_comes_after_the_procedures_it_needs_that_apply() {
    let catalogue = catalogue();
    let engine = Engine::new(&catalogue);
    let mut case = example("shussei.json");
    let position = |decision: &madoguchi_rules::Decision, id: &str| {
        decision.procedures.iter().position(|p| p.id == id)
    };
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("decides");
    let subsidy = position(&decision, "kodomo_iryo").expect("子ども医療費");
    let insurance = position(&decision, "kokuho_kanyu").expect("国保加入");
    let registration = position(&decision, "shussei_todoke").expect("出生届");
    assert!(
        registration < insurance && insurance < subsidy,
        "{decision:#?}"
    );
    assert_eq!(
        decision.procedures[subsidy].after,
        ["shussei_todoke", "kokuho_kanyu"]
    );

    // With an employer's insurance the city has no 国保 to join: the subsidy follows the 出生届
    // alone.
    case.answers
        .insert("health_insurance".into(), Answer::Choice("shaho".into()));
    let decision = engine
        .evaluate(&case, case.event.visit_date())
        .expect("decides");
    assert_eq!(position(&decision, "kokuho_kanyu"), None);
    let subsidy = position(&decision, "kodomo_iryo").expect("子ども医療費");
    assert_eq!(decision.procedures[subsidy].after, ["shussei_todoke"]);
}
