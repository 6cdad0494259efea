//! Checks that need the whole resolved catalogue: overlapping versions, duplicate and
//! conflicting rules, unreachable procedures, questions that can never be asked, cycles.

use std::collections::HashSet;

use crate::catalogue::{Catalogue, Location, Rule};
use crate::diagnostic::Diagnostic;
use crate::reach::Universe;

fn error(at: &Location, message: String) -> Diagnostic {
    Diagnostic::error(&at.file, at.line, message)
}

fn warning(at: &Location, message: String) -> Diagnostic {
    Diagnostic::warning(&at.file, at.line, message)
}

/// All semantic checks; the catalogue is otherwise well-formed.
pub fn check(catalogue: &Catalogue) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    overlapping_versions(catalogue, &mut problems);
    duplicate_rules(catalogue, &mut problems);
    let acyclic = question_cycles(catalogue, &mut problems);
    if acyclic {
        // The reachability search follows `ask_when` chains, which must end.
        unreachable(catalogue, &mut problems);
    }
    unused(catalogue, &mut problems);
    fills(catalogue, &mut problems);
    reasons_and_ages(catalogue, &mut problems);
    prerequisites(catalogue, &mut problems);
    problems
}

/// Most procedures one may come after: a longer list is a mistake, not an order.
const MAX_AFTER: usize = 16;

/// `after` names procedures the catalogue has, not the procedure itself, and never leads back
/// to where it started (an order no resident could follow).
fn prerequisites(catalogue: &Catalogue, problems: &mut Vec<Diagnostic>) {
    let known: HashSet<&str> = catalogue.procedures.iter().map(|p| p.id.as_str()).collect();
    for procedure in &catalogue.procedures {
        if procedure.after.len() > MAX_AFTER {
            problems.push(error(
                &procedure.at,
                format!(
                    "procedure `{}` comes after {} procedures: name at most {MAX_AFTER}",
                    procedure.id,
                    procedure.after.len()
                ),
            ));
        }
        for first in &procedure.after {
            if first == &procedure.id {
                problems.push(error(
                    &procedure.at,
                    format!("procedure `{}` cannot come after itself", procedure.id),
                ));
            } else if !known.contains(first.as_str()) {
                problems.push(error(
                    &procedure.at,
                    format!(
                        "procedure `{}` comes after `{first}`, which the catalogue does not have",
                        procedure.id
                    ),
                ));
            }
        }
    }
    for procedure in &catalogue.procedures {
        if let Some(path) = prerequisite_cycle(catalogue, &procedure.id) {
            problems.push(error(
                &procedure.at,
                format!(
                    "procedures cannot all come after each other: {}",
                    path.join(" → ")
                ),
            ));
            // One report for the cycle is enough; its other members would repeat it.
            break;
        }
    }
}

/// A chain of `after`s from `start` back to itself, if there is one.
fn prerequisite_cycle(catalogue: &Catalogue, start: &str) -> Option<Vec<String>> {
    let firsts = |id: &str| -> Vec<String> {
        catalogue
            .procedures
            .iter()
            .filter(|p| p.id == id)
            .flat_map(|p| p.after.iter().filter(|a| a.as_str() != id).cloned())
            .collect()
    };
    // Depth-first with the path kept, every procedure entered once.
    let mut seen = HashSet::new();
    let mut stack = vec![vec![start.to_string()]];
    while let Some(path) = stack.pop() {
        let last = path.last().expect("paths are never empty");
        for next in firsts(last) {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(next);
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next);
                stack.push(longer);
            }
        }
    }
    None
}

/// A reason that names an age its rule does not compare (「75歳以上の方」 over a rule that
/// says `age >= 70`) tells the resident something the engine does not decide: warn. An age
/// `n` in the text agrees with a comparison on `n`, or on `n + 1` (「74歳まで」 for `< 75`), or
/// on `n - 1` (「70歳を超える」 for `> 70`, written 71), or with a question the rule reads that
/// asks about that age itself (「15歳以上の方は2人以上いますか」).
fn reasons_and_ages(catalogue: &Catalogue, problems: &mut Vec<Diagnostic>) {
    for procedure in &catalogue.procedures {
        for rule in &procedure.rules {
            let stray = stray_reason_ages(catalogue, rule);
            if !stray.is_empty() {
                let compared = compared_ages(catalogue, rule);
                problems.push(warning(
                    &rule.at,
                    format!(
                        "`{}`: the reason names {} but the rule compares no such age ({}): make them say the same / 理由の年齢と条件の年齢が合いません",
                        procedure.id,
                        stray
                            .iter()
                            .map(|n| format!("{n}歳"))
                            .collect::<Vec<_>>()
                            .join("、"),
                        if compared.is_empty() {
                            "no age at all".to_string()
                        } else {
                            let mut ages: Vec<_> = compared.iter().collect();
                            ages.sort();
                            ages.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
                        }
                    ),
                ));
            }
        }
    }
}

/// The ages `rule`'s reason names that the rule does not compare (see [`reasons_and_ages`]):
/// what `rules check` warns about, and what the supervisor's editor says beside the reason
/// when a changed condition leaves it behind.
pub fn stray_reason_ages(catalogue: &Catalogue, rule: &Rule) -> Vec<u32> {
    let compared = compared_ages(catalogue, rule);
    ages_named(&rule.because.ja)
        .into_iter()
        .filter(|n| {
            ![*n, n.saturating_add(1), n.saturating_sub(1)]
                .iter()
                .any(|a| compared.contains(a))
        })
        .collect()
}

/// The ages a rule compares, and those the questions it reads ask about.
fn compared_ages(catalogue: &Catalogue, rule: &Rule) -> HashSet<u32> {
    let mut compared = HashSet::new();
    rule.when.for_each_age(&mut |_, _, years| {
        compared.insert(years);
    });
    rule.when.for_each_question(&mut |q| {
        compared.extend(ages_named(&catalogue.questions[q].text.ja));
    });
    compared
}

/// The ages a Japanese text names: every number directly before 「歳」 or 「〜」 that a 「歳」
/// follows (「70〜74歳」 names 70 and 74). `{ages}` is a placeholder, not a number.
fn ages_named(text: &str) -> Vec<u32> {
    let mut ages = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect();
        let next = chars.get(i).copied();
        let ranged = next == Some('〜') && chars[i + 1..].iter().take(4).any(|c| *c == '歳');
        if (next == Some('歳') || ranged)
            && let Ok(age) = number.parse()
        {
            ages.push(age);
        }
    }
    ages
}

fn overlapping_versions(catalogue: &Catalogue, problems: &mut Vec<Diagnostic>) {
    for (i, later) in catalogue.procedures.iter().enumerate() {
        if let Some(earlier) = catalogue.procedures[..i]
            .iter()
            .find(|p| p.id == later.id && p.effective.overlaps(&later.effective))
        {
            problems.push(error(
                &later.at,
                format!(
                    "procedure `{}` has overlapping effective dates with its version at {}:{} (give the older one an effective_to before this one's effective_from)",
                    later.id,
                    earlier.at.file.display(),
                    earlier.at.line
                ),
            ));
        }
    }
}

fn duplicate_rules(catalogue: &Catalogue, problems: &mut Vec<Diagnostic>) {
    for procedure in &catalogue.procedures {
        for (i, rule) in procedure.rules.iter().enumerate() {
            if let Some(same) = procedure.rules[..i]
                .iter()
                .find(|r| r.when == rule.when && r.effective.overlaps(&rule.effective))
            {
                problems.push(error(
                    &rule.at,
                    format!("duplicate rule for `{}`: the same condition as line {} in overlapping dates", procedure.id, same.at.line),
                ));
            }
            if !rule.effective.overlaps(&procedure.effective) {
                problems.push(error(
                    &rule.at,
                    format!(
                        "rule for `{}` is never in force: its dates lie outside the procedure's",
                        procedure.id
                    ),
                ));
            }
        }
    }
}

/// Reports questions whose `ask_when` or `known_from` depend on themselves; true if none do.
fn question_cycles(catalogue: &Catalogue, problems: &mut Vec<Diagnostic>) -> bool {
    let depends_on = |q: usize| catalogue.questions[q].reads();
    let mut acyclic = true;
    for start in 0..catalogue.questions.len() {
        let mut seen = HashSet::new();
        let mut stack = depends_on(start);
        while let Some(q) = stack.pop() {
            if q == start {
                let question = &catalogue.questions[start];
                problems.push(error(
                    &question.at,
                    format!(
                        "question `{}` depends on itself through ask_when / known_from",
                        question.id
                    ),
                ));
                acyclic = false;
                break;
            }
            if seen.insert(q) {
                stack.extend(depends_on(q));
            }
        }
    }
    acyclic
}

fn unreachable(catalogue: &Catalogue, problems: &mut Vec<Diagnostic>) {
    let universe = Universe::new(catalogue);
    for question in &catalogue.questions {
        if let Some(ask_when) = &question.ask_when
            && !universe.satisfiable(ask_when)
        {
            let message = format!(
                "question `{}` can never be asked: its ask_when can never hold",
                question.id
            );
            problems.push(error(&question.at, message));
        }
        for (i, a) in question.known_from.iter().enumerate() {
            for b in &question.known_from[..i] {
                let both = crate::condition::Condition::All(vec![a.when.clone(), b.when.clone()]);
                if a.answer != b.answer && universe.satisfiable(&both) {
                    problems.push(error(
                        &question.at,
                        format!("question `{}`: conflicting known_from rules give both `{}` and `{}` for the same case", question.id, b.answer, a.answer),
                    ));
                }
            }
        }
    }
    for procedure in &catalogue.procedures {
        let mut reachable = false;
        for rule in &procedure.rules {
            if universe.satisfiable(&rule.when) {
                reachable |= rule.effective.overlaps(&procedure.effective);
            } else {
                problems.push(error(
                    &rule.at,
                    format!(
                        "rule for `{}` can never hold: no case and no answers satisfy it",
                        procedure.id
                    ),
                ));
            }
        }
        if !reachable && !procedure.rules.is_empty() {
            problems.push(error(
                &procedure.at,
                format!(
                    "procedure `{}` is unreachable: no answer can make any of its rules hold",
                    procedure.id
                ),
            ));
        }
    }
}

/// A question that fills forms names procedures the catalogue has, and procedures that have
/// forms to fill.
fn fills(catalogue: &Catalogue, problems: &mut Vec<Diagnostic>) {
    for question in &catalogue.questions {
        for id in &question.fills {
            match catalogue.procedures.iter().find(|p| &p.id == id) {
                None => problems.push(error(
                    &question.at,
                    format!(
                        "question `{}` fills `{id}`, which is not a procedure of this catalogue",
                        question.id
                    ),
                )),
                Some(procedure) if procedure.forms.is_empty() => problems.push(warning(
                    &question.at,
                    format!(
                        "question `{}` fills `{id}`, which has no form: it is never asked",
                        question.id
                    ),
                )),
                Some(_) => {}
            }
        }
    }
}

fn unused(catalogue: &Catalogue, problems: &mut Vec<Diagnostic>) {
    let mut used_questions = HashSet::new();
    for procedure in &catalogue.procedures {
        for rule in &procedure.rules {
            used_questions.extend(rule.when.questions());
        }
    }
    for item in &catalogue.items {
        item.when
            .iter()
            .for_each(|c| used_questions.extend(c.questions()));
    }
    for question in &catalogue.questions {
        question
            .ask_when
            .iter()
            .for_each(|c| used_questions.extend(c.questions()));
    }
    for (i, question) in catalogue.questions.iter().enumerate() {
        if !used_questions.contains(&i) && question.fills.is_empty() {
            problems.push(warning(
                &question.at,
                format!(
                    "question `{}` is never used by a rule: asking it changes nothing",
                    question.id
                ),
            ));
        }
    }
    let used = |index: usize, pick: fn(&crate::catalogue::Procedure) -> &Vec<usize>| {
        catalogue
            .procedures
            .iter()
            .any(|p| pick(p).contains(&index))
    };
    for (i, item) in catalogue.items.iter().enumerate() {
        // An item for a 代理人 joins every procedure with a form when one files.
        if !item.for_proxy && !used(i, |p| &p.bring) {
            problems.push(warning(
                &item.at,
                format!("item `{}` is not brought for any procedure", item.id),
            ));
        }
    }
    for (i, form) in catalogue.forms.iter().enumerate() {
        if !used(i, |p| &p.forms) {
            problems.push(warning(
                &form.at,
                format!("form `{}` is not printed for any procedure", form.id),
            ));
        }
    }
    for (i, counter) in catalogue.counters.iter().enumerate() {
        if !catalogue.procedures.iter().any(|p| p.counter == i) {
            problems.push(warning(
                &counter.at,
                format!("counter `{}` handles no procedure", counter.id),
            ));
        }
    }
}
