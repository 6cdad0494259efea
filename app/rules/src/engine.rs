//! The engine: from a case and the catalogue, as of a date, to a [`Decision`].

use std::collections::{BTreeSet, HashSet};

use chrono::{Days, NaiveDate};
use madoguchi_domain::calendar::{ClosedBecause, Office, OfficeCalendar};
use madoguchi_domain::{Answer, Case, CaseError, EventDate, LifeEvent, wareki};
use serde::Serialize;

use crate::catalogue::{Catalogue, Phrase, Procedure, QuestionKind, Rule, Text, Translated};
use crate::condition::{Facts, MemberFacts, QuestionState, Trace, Truth, Value, age_list};
use crate::decision::{
    BuildingRef, CatalogueVersion, CounterRef, Deadline, Decision, FeeDue, MovedDeadline, Named,
    NextQuestion, Pending, PendingState, ProcedureDecision,
};
use crate::transitions::{self, Coming};

/// A case the engine cannot evaluate, with what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error("{0}")]
    InvalidCase(#[from] CaseError),
    #[error("the case answers `{0}`, which is not a question of this catalogue")]
    UnknownQuestion(String),
    #[error("the answer `{answer}` to `{question}` is not {expected}")]
    WrongAnswer {
        question: String,
        answer: String,
        expected: String,
    },
    #[error("no procedure `{0}` in this catalogue")]
    UnknownProcedure(String),
    #[error(
        "the case is about the event `{0}`, which this catalogue does not handle / この届出の種類はありません"
    )]
    UnknownEvent(String),
    #[error(
        "the event `{event}` has no date `{date}` (its dates: {known}) / この届出にない日付です"
    )]
    UnknownEventDate {
        event: String,
        date: String,
        known: String,
    },
    #[error(
        "the event `{0}` is about one member: say which (event.subject) / 対象の方（お亡くなりになった方など）を選んでください"
    )]
    NoSubject(String),
    #[error(
        "the event `{0}` is not about one member, but the case names one (event.subject) / この届出には対象の方の指定がありません"
    )]
    StraySubject(String),
    #[error(
        "the deadline of `{procedure}` falls outside the calendar: check the case's dates / 期限を計算できません"
    )]
    DeadlineOutOfRange { procedure: String },
}

/// Evaluates cases against one catalogue. Building it pre-computes which questions can affect
/// which procedures, so that planning the next question stays cheap.
#[derive(Debug)]
pub struct Engine<'c> {
    catalogue: &'c Catalogue,
    /// Questions ordered so that each follows those its `ask_when` / `known_from` read.
    order: Vec<usize>,
    /// For each question, the questions whose applicability or derived answer depends on it
    /// (transitively), in `order`.
    downstream: Vec<Vec<usize>>,
    /// For each question, the procedures whose outcome can depend on it.
    affects: Vec<Vec<usize>>,
    /// Answers worth trying when asking whether a question can change the decision.
    probes: Vec<Vec<Answer>>,
    /// For each question, the procedures whose forms it fills (`Question::fills`).
    fills: Vec<Vec<usize>>,
}

/// Questions in dependency order. The loader rejects cycles, so this always completes.
fn dependency_order(catalogue: &Catalogue) -> Vec<usize> {
    let n = catalogue.questions.len();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while order.len() < n {
        let before = order.len();
        for q in 0..n {
            if !placed[q] && catalogue.questions[q].reads().iter().all(|&d| placed[d]) {
                placed[q] = true;
                order.push(q);
            }
        }
        if order.len() == before {
            // A cycle slipped through: keep the rest in catalogue order rather than loop.
            order.extend((0..n).filter(|&q| !placed[q]));
        }
    }
    order
}

fn probe_answers(catalogue: &Catalogue) -> Vec<Vec<Answer>> {
    let mut numeric: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); catalogue.questions.len()];
    let mut dates: Vec<BTreeSet<NaiveDate>> = vec![BTreeSet::new(); catalogue.questions.len()];
    let mut visit = |c: &crate::condition::Condition| {
        c.for_each_compared_value(&mut |q, v| match v {
            Value::Number(n) => numeric[q].extend([n.saturating_sub(1), *n, n.saturating_add(1)]),
            Value::Date(d) => dates[q].extend(
                [
                    d.checked_sub_days(Days::new(1)),
                    Some(*d),
                    d.checked_add_days(Days::new(1)),
                ]
                .into_iter()
                .flatten(),
            ),
            _ => {}
        })
    };
    for p in &catalogue.procedures {
        p.rules.iter().for_each(|r| visit(&r.when));
    }
    for q in &catalogue.questions {
        q.ask_when.iter().for_each(&mut visit);
    }
    catalogue
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| match q.kind {
            QuestionKind::YesNo => vec![Answer::Yes, Answer::No],
            QuestionKind::Choice => q
                .choices
                .iter()
                .map(|c| Answer::Choice(c.id.clone()))
                .collect(),
            QuestionKind::Number { min, max } => numeric[i]
                .iter()
                .copied()
                .chain([min, max])
                .filter(|n| (min..=max).contains(n))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .map(Answer::Number)
                .collect(),
            QuestionKind::Date => dates[i].iter().copied().map(Answer::Date).collect(),
            // Which members to name depends on the household: see `member_probes`.
            QuestionKind::Members => Vec::new(),
        })
        .collect()
}

impl<'c> Engine<'c> {
    pub fn new(catalogue: &'c Catalogue) -> Engine<'c> {
        let n = catalogue.questions.len();
        let order = dependency_order(catalogue);
        let mut downstream = vec![Vec::new(); n];
        for (q, below) in downstream.iter_mut().enumerate() {
            // A question is downstream of q if it reads q or reads something downstream of q;
            // walking `order` visits readers after what they read.
            let mut reached: BTreeSet<usize> = BTreeSet::new();
            for &r in &order {
                if catalogue.questions[r]
                    .reads()
                    .iter()
                    .any(|d| *d == q || reached.contains(d))
                {
                    reached.insert(r);
                    below.push(r);
                }
            }
        }
        let affects = (0..n)
            .map(|q| {
                catalogue
                    .procedures
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        p.rules.iter().any(|r| {
                            r.when
                                .questions()
                                .iter()
                                .any(|read| *read == q || downstream[q].contains(read))
                        })
                    })
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let fills = catalogue
            .questions
            .iter()
            .map(|question| {
                // Every version of a procedure (one per period it is in force).
                catalogue
                    .procedures
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| question.fills.contains(&p.id))
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        Engine {
            catalogue,
            order,
            downstream,
            affects,
            probes: probe_answers(catalogue),
            fills,
        }
    }

    pub fn catalogue(&self) -> &'c Catalogue {
        self.catalogue
    }

    /// Checks the case, its event and its answers against the catalogue's events and questions.
    pub fn check_case(&self, case: &Case) -> Result<(), EvalError> {
        case.validate()?;
        self.check_event(&case.event)?;
        case.answers
            .iter()
            .try_for_each(|(id, answer)| self.check_answer(id, answer))
    }

    /// The event is one of the catalogue's, with only the dates it declares, and names the
    /// member it is about exactly when it is about one.
    fn check_event(&self, event: &LifeEvent) -> Result<(), EvalError> {
        let kind = event.kind.id().to_string();
        let def = self
            .catalogue
            .event(event.kind)
            .ok_or_else(|| EvalError::UnknownEvent(kind.clone()))?;
        if let Some(stray) = event.dates.keys().find(|&&id| def.date_def(id).is_none()) {
            let known: Vec<String> = def.dates.iter().map(|d| d.id.to_string()).collect();
            return Err(EvalError::UnknownEventDate {
                event: kind,
                date: stray.to_string(),
                known: if known.is_empty() {
                    "none besides its own".into()
                } else {
                    known.join(", ")
                },
            });
        }
        match (def.subject.is_some(), event.subject.is_some()) {
            (true, false) => Err(EvalError::NoSubject(kind)),
            (false, true) => Err(EvalError::StraySubject(kind)),
            _ => Ok(()),
        }
    }

    /// The date a deadline counts from: the event's own, the visit, another named date, or
    /// the one that stands in for it when the case lacks it (`otherwise`).
    fn start_date(&self, event: &LifeEvent, from: EventDate) -> Option<NaiveDate> {
        let def = self.catalogue.event(event.kind)?;
        if from == def.date.id {
            return Some(event.date);
        }
        event.named_date(from).or_else(|| {
            let otherwise = def.date_def(from)?.otherwise?;
            if otherwise == def.date.id {
                Some(event.date)
            } else {
                event.named_date(otherwise)
            }
        })
    }

    /// Whether `answer` is an answer this catalogue's question `id` can take. A code made at
    /// home against another version of the catalogue may carry answers that are not.
    pub fn answer_fits(&self, id: &str, answer: &Answer) -> bool {
        self.check_answer(id, answer).is_ok()
    }

    fn check_answer(&self, id: &str, answer: &Answer) -> Result<(), EvalError> {
        let index = self
            .catalogue
            .question_index(id)
            .ok_or_else(|| EvalError::UnknownQuestion(id.to_string()))?;
        let question = &self.catalogue.questions[index];
        let (fits, expected) = match (&question.kind, answer) {
            (_, Answer::Unknown) => (true, String::new()),
            (QuestionKind::YesNo, Answer::Yes | Answer::No) => (true, String::new()),
            (QuestionKind::YesNo, _) => (false, "yes, no or unknown".to_string()),
            (QuestionKind::Number { min, max }, Answer::Number(n)) => (
                (min..=max).contains(&n),
                format!("a number from {min} to {max}"),
            ),
            (QuestionKind::Number { min, max }, _) => {
                (false, format!("a number from {min} to {max}"))
            }
            (QuestionKind::Date, Answer::Date(_)) => (true, String::new()),
            (QuestionKind::Date, _) => (false, "a date (YYYY-MM-DD)".to_string()),
            // yes / no without names: someone (not said who) / nobody.
            (QuestionKind::Members, Answer::Members(_) | Answer::Yes | Answer::No) => {
                (true, String::new())
            }
            (QuestionKind::Members, _) => (
                false,
                "a list of members ([0, 2]), yes, no or unknown".to_string(),
            ),
            (QuestionKind::Choice, Answer::Choice(c))
                if question.choices.iter().any(|o| &o.id == c) =>
            {
                (true, String::new())
            }
            (QuestionKind::Choice, _) => {
                let ids: Vec<&str> = question.choices.iter().map(|c| c.id.as_str()).collect();
                (false, format!("one of {} or unknown", ids.join(", ")))
            }
        };
        if fits {
            Ok(())
        } else {
            Err(EvalError::WrongAnswer {
                question: id.to_string(),
                answer: answer.to_string(),
                expected,
            })
        }
    }

    fn given_answers(&self, case: &Case) -> Vec<Option<Answer>> {
        self.catalogue
            .questions
            .iter()
            .map(|q| case.answers.get(&q.id).cloned())
            .collect()
    }

    fn state_of(&self, q: usize, given: Option<&Answer>, facts: &Facts<'_>) -> QuestionState {
        let question = &self.catalogue.questions[q];
        let applies = question
            .ask_when
            .as_ref()
            .map_or(Truth::True, |c| c.eval(facts));
        if applies == Truth::False {
            return QuestionState::NotApplicable;
        }
        // What the records say outweighs an answer that contradicts them (a pre-filled "no
        // foreigners" must not drop the residence-card procedure for a recorded foreigner).
        if let Some(known) = question
            .known_from
            .iter()
            .find(|k| k.when.eval(facts) == Truth::True)
        {
            return QuestionState::Answered(known.answer.clone());
        }
        match (question.kind, given) {
            (_, Some(Answer::Unknown)) => return QuestionState::DontKnow,
            (QuestionKind::Members, Some(Answer::No)) => {
                return QuestionState::Answered(Answer::Members(Vec::new()));
            }
            // "Yes" without names (a case or code of the older format): when one member only
            // can be meant, it is that member; otherwise the question is asked again — who?
            (QuestionKind::Members, Some(Answer::Yes)) => {
                if let [only] = self.eligible(q, facts)[..] {
                    return QuestionState::Answered(Answer::Members(vec![only]));
                }
            }
            (_, Some(answer)) => return QuestionState::Answered(answer.clone()),
            (_, None) => {}
        }
        if applies == Truth::Unknown {
            QuestionState::Waiting
        } else {
            QuestionState::Unanswered
        }
    }

    /// The members of `case` the question about members `id` is asked of (empty for any other
    /// question), for a page that asks it again.
    pub fn members_asked(&self, case: &Case, id: &str) -> Vec<usize> {
        let Some(q) = self.catalogue.question_index(id) else {
            return Vec::new();
        };
        if self.catalogue.questions[q].kind != QuestionKind::Members {
            return Vec::new();
        }
        let members = Self::member_facts(case);
        let facts = Facts {
            event: case.event.kind(),
            identified_by: case.identified_by,
            members: &members,
            questions: Vec::new(),
        };
        self.eligible(q, &facts)
    }

    /// The members question `q` is asked of (its `who`), by household index.
    fn eligible(&self, q: usize, facts: &Facts<'_>) -> Vec<usize> {
        let who = self.catalogue.questions[q].who.as_ref();
        facts
            .members
            .iter()
            .filter(|m| who.is_none_or(|w| w.eval(m, &[]) != Truth::False))
            .map(|m| m.index)
            .collect()
    }

    /// Answers worth trying for a question about members: nobody, every member it is asked
    /// of, and each of them alone.
    fn member_probes(&self, q: usize, facts: &Facts<'_>) -> Vec<Answer> {
        let eligible = self.eligible(q, facts);
        let mut probes = vec![
            Answer::Members(Vec::new()),
            Answer::members(eligible.clone()),
        ];
        if eligible.len() > 1 {
            probes.extend(eligible.iter().map(|&i| Answer::Members(vec![i])));
        }
        probes
    }

    fn facts<'m>(
        &self,
        case: &Case,
        members: &'m [MemberFacts],
        given: &[Option<Answer>],
    ) -> Facts<'m> {
        let mut facts = Facts {
            event: case.event.kind(),
            identified_by: case.identified_by,
            members,
            questions: vec![QuestionState::Unanswered; self.catalogue.questions.len()],
        };
        for &q in &self.order {
            facts.questions[q] = self.state_of(q, given[q].as_ref(), &facts);
        }
        facts
    }

    fn member_facts(case: &Case) -> Vec<MemberFacts> {
        let event_date = case.event.date;
        case.household
            .members
            .iter()
            .enumerate()
            .map(|(index, m)| MemberFacts {
                subject: case.event.subject == Some(index),
                ..MemberFacts::of(index, m, event_date)
            })
            .collect()
    }

    fn in_force(rule: &Rule, as_of: NaiveDate) -> bool {
        rule.effective.contains(as_of)
    }

    fn status(procedure: &Procedure, facts: &Facts<'_>, as_of: NaiveDate) -> Truth {
        Truth::any(
            procedure
                .rules
                .iter()
                .filter(|r| Self::in_force(r, as_of))
                .map(|r| r.when.eval(facts)),
        )
    }

    /// Decides the procedures for `case` with the rules in force on `as_of`.
    pub fn evaluate(&self, case: &Case, as_of: NaiveDate) -> Result<Decision, EvalError> {
        self.check_case(case)?;
        let members = Self::member_facts(case);
        let given = self.given_answers(case);
        let facts = self.facts(case, &members, &given);
        let in_force: Vec<bool> = self
            .catalogue
            .procedures
            .iter()
            .map(|p| p.effective.contains(as_of))
            .collect();
        let statuses: Vec<Truth> = self
            .catalogue
            .procedures
            .iter()
            .zip(&in_force)
            .map(|(p, &live)| {
                if live {
                    Self::status(p, &facts, as_of)
                } else {
                    Truth::False
                }
            })
            .collect();
        let mut procedures = Vec::new();
        let mut to_confirm = Vec::new();
        for p in (0..statuses.len()).filter(|&p| in_force[p]) {
            match statuses[p] {
                Truth::True => {
                    procedures.push(self.describe(p, case, &facts, as_of, Truth::True)?)
                }
                Truth::Unknown => {
                    to_confirm.push(self.describe(p, case, &facts, as_of, Truth::Unknown)?)
                }
                Truth::False => {}
            }
        }
        // The order a resident walks the counters in: by counter as the catalogue lists them,
        // then in catalogue order; to-confirm puts critical procedures first.
        let counter_rank = |d: &ProcedureDecision| {
            self.catalogue
                .counters
                .iter()
                .position(|c| c.id == d.counter.id)
        };
        procedures.sort_by_key(counter_rank);
        let procedures = prerequisites_first(procedures);
        to_confirm.sort_by_key(|d| (!d.critical, counter_rank(d)));
        let next_questions = self.plan(case, &given, &facts, &in_force, as_of, &statuses);
        Ok(Decision {
            catalogue: CatalogueVersion {
                name: self.catalogue.info.name.clone(),
                version: self.catalogue.info.version.clone(),
            },
            as_of,
            event: case.event.kind(),
            event_name: self.catalogue.event_name(case.event.kind()),
            tone: self
                .catalogue
                .event(case.event.kind())
                .map(|e| e.tone)
                .unwrap_or_default(),
            procedures,
            to_confirm,
            next_questions,
            coming: self.coming(case, &members, &facts),
        })
    }

    /// A procedure the clerk adds by hand although the rules do not decide it for `case`:
    /// described as a decided one (its counter, deadline, items, forms and fees), without
    /// reasons of the rules' own, since the clerk's reason stands for them. `None` when the
    /// catalogue has no version of it in force on `as_of`.
    pub fn describe_by_hand(
        &self,
        case: &Case,
        id: &str,
        as_of: NaiveDate,
    ) -> Result<Option<ProcedureDecision>, EvalError> {
        self.check_case(case)?;
        let Some(p) = self
            .catalogue
            .procedures
            .iter()
            .position(|p| p.id == id && p.effective.contains(as_of))
        else {
            return Ok(None);
        };
        let members = Self::member_facts(case);
        let given = self.given_answers(case);
        let facts = self.facts(case, &members, &given);
        let mut described = self.describe(p, case, &facts, as_of, Truth::True)?;
        // Rules that hold would have decided it; rules still open are not the clerk's reason.
        described.reasons.clear();
        described.concerns.clear();
        described.waiting_on.clear();
        Ok(Some(described))
    }

    /// The changes the catalogue's transitions bring to members of this case after the move
    /// and within the catalogue's window, by date. A transition whose `when` is not known to
    /// hold (the insurance not yet answered) is left out rather than guessed.
    fn coming(&self, case: &Case, members: &[MemberFacts], facts: &Facts<'_>) -> Vec<Coming> {
        let catalogue = self.catalogue;
        let move_date = case.event.date;
        let mut coming = Vec::new();
        for transition in &catalogue.transitions {
            if transition
                .when
                .as_ref()
                .is_some_and(|when| when.eval(facts) != Truth::True)
            {
                continue;
            }
            for (index, member) in case.household.members.iter().enumerate() {
                let concerned = transition
                    .who
                    .as_ref()
                    .is_none_or(|who| who.eval(&members[index], &facts.questions) == Truth::True);
                let date = member
                    .person
                    .birth_date
                    .filter(|_| concerned)
                    .and_then(|birth| {
                        transitions::within_window(
                            transition,
                            birth,
                            move_date,
                            catalogue.transition_window_days,
                        )
                    });
                let Some(date) = date else {
                    continue;
                };
                let counter = &catalogue.counters[transition.counter];
                coming.push(Coming {
                    id: transition.id.clone(),
                    member: index,
                    age: transition.age,
                    date,
                    wareki: wareki::format(date).unwrap_or_else(|_| date.to_string()),
                    name: transition.name.clone(),
                    todo: transition.todo.clone(),
                    counter: counter.id.clone(),
                    counter_name: counter.name.clone(),
                    source: transition.source.clone(),
                });
            }
        }
        coming.sort_by_key(|c| (c.date, c.member));
        coming
    }

    fn describe(
        &self,
        p: usize,
        case: &Case,
        facts: &Facts<'_>,
        as_of: NaiveDate,
        status: Truth,
    ) -> Result<ProcedureDecision, EvalError> {
        let catalogue = self.catalogue;
        let procedure = &catalogue.procedures[p];
        let counter = &catalogue.counters[procedure.counter];
        let mut reasons = Vec::new();
        let mut concerns: Vec<usize> = Vec::new();
        let mut waiting: Vec<usize> = Vec::new();
        for rule in procedure.rules.iter().filter(|r| Self::in_force(r, as_of)) {
            let truth = rule.when.eval(facts);
            if truth == status {
                let ages = rule.when.true_member_ages(facts).unwrap_or_default();
                reasons.push(reason(&rule.because, &ages));
                concerns.extend(rule.when.true_members(facts));
            }
            if truth == Truth::Unknown {
                rule.when.unknown_questions(facts, &mut waiting);
            }
        }
        let waiting_on = waiting
            .into_iter()
            .filter_map(|q| {
                let state = match facts.questions[q] {
                    QuestionState::DontKnow => PendingState::Unknown,
                    QuestionState::Unanswered | QuestionState::Waiting => PendingState::Unanswered,
                    _ => return None,
                };
                let question = &catalogue.questions[q];
                Some(Pending {
                    question: question.id.clone(),
                    label: question.label.clone(),
                    state,
                })
            })
            .collect();
        Ok(ProcedureDecision {
            id: procedure.id.clone(),
            name: procedure.name.clone(),
            critical: procedure.critical,
            counter: CounterRef {
                id: counter.id.clone(),
                name: counter.name.clone(),
                place: counter.place.clone(),
                building: counter.building.map(|order| BuildingRef {
                    order,
                    name: catalogue.buildings[order].name.clone(),
                }),
                floor: counter.floor,
                external: counter.external,
            },
            deadline: deadline(
                procedure,
                case,
                &|from| self.start_date(&case.event, from),
                &catalogue.calendar.days,
                counter.external,
            )?,
            bring: self
                .bring(procedure, case)
                .into_iter()
                .filter(|&i| {
                    let when = catalogue.items[i].when.as_ref();
                    when.is_none_or(|c| c.eval(facts) != Truth::False)
                })
                .map(|i| {
                    let item = &catalogue.items[i];
                    Named::new(&item.id, &item.text)
                })
                .collect(),
            forms: procedure
                .forms
                .iter()
                .map(|&f| {
                    let form = &catalogue.forms[f];
                    let title = &form.title;
                    Named {
                        id: form.id.clone(),
                        ja: title.ja.clone(),
                        easy: String::new(),
                        en: title.en.clone(),
                        other: title.other.clone(),
                    }
                })
                .collect(),
            reasons,
            fees: procedure
                .fees
                .iter()
                .map(|fee| FeeDue {
                    what: fee.what.clone(),
                    yen: fee.yen,
                    copies: fee.certificate.and_then(|kind| {
                        case.certificates
                            .iter()
                            .find(|c| c.kind == kind)
                            .map(|c| c.copies)
                    }),
                })
                .collect(),
            concerns: {
                concerns.sort_unstable();
                concerns.dedup();
                concerns
            },
            waiting_on,
            after: procedure.after.clone(),
            source: procedure.source.clone(),
            note: procedure.note.clone(),
        })
    }

    /// The items to bring for `procedure`: its own, and when a 代理人 files a form, the
    /// catalogue's items for a 代理人 (the 委任状).
    fn bring(&self, procedure: &Procedure, case: &Case) -> Vec<usize> {
        let mut items = procedure.bring.clone();
        if case.proxy.is_some() && !procedure.forms.is_empty() {
            let letter = case.needs_letter_of_attorney();
            let for_proxy = self.catalogue.items.iter().enumerate();
            items.extend(
                for_proxy
                    .filter(|(i, item)| item.for_proxy && !procedure.bring.contains(i))
                    .filter(|(_, item)| letter || !item.letter_of_attorney)
                    .map(|(i, _)| i),
            );
        }
        items
    }

    /// The questions worth asking now: each can, by some answer, change whether a procedure
    /// applies, is to confirm, or does not apply. In tier order, then catalogue order.
    fn plan(
        &self,
        case: &Case,
        given: &[Option<Answer>],
        facts: &Facts<'_>,
        in_force: &[bool],
        as_of: NaiveDate,
        statuses: &[Truth],
    ) -> Vec<NextQuestion> {
        let catalogue = self.catalogue;
        let mut askable: Vec<usize> = (0..catalogue.questions.len())
            .filter(|&q| facts.questions[q] == QuestionState::Unanswered)
            .collect();
        askable.sort_by_key(|&q| (catalogue.questions[q].tier, q));
        let mut chosen: Vec<(usize, Vec<usize>)> = askable
            .iter()
            .map(|&q| {
                (
                    q,
                    self.procedures_changed_by(q, given, facts, in_force, as_of, statuses),
                )
            })
            .filter(|(_, changed)| !changed.is_empty())
            .collect();
        if chosen.is_empty() {
            // Rare: a rule where no single answer decides but answers together do. Ask what the
            // undecided procedures still wait on rather than leave them undecided.
            chosen = askable
                .iter()
                .map(|&q| {
                    (
                        q,
                        self.affects[q]
                            .iter()
                            .copied()
                            .filter(|&p| statuses[p] == Truth::Unknown)
                            .collect::<Vec<_>>(),
                    )
                })
                .filter(|(_, waiting)| !waiting.is_empty())
                .collect();
        }
        if chosen.is_empty() {
            // The decision is settled: ask what the forms of the procedures that apply still
            // need (who claims 児童手当, the insurance before 国保).
            chosen = askable
                .iter()
                .map(|&q| {
                    let applying = self.fills[q]
                        .iter()
                        .copied()
                        .filter(|&p| in_force[p] && statuses[p] == Truth::True)
                        .collect::<Vec<_>>();
                    (q, applying)
                })
                .filter(|(_, applying)| !applying.is_empty())
                .collect();
        }
        chosen
            .into_iter()
            .map(|(q, changed)| {
                let question = &catalogue.questions[q];
                let mut affects: Vec<String> = changed
                    .iter()
                    .map(|&p| catalogue.procedures[p].id.clone())
                    .collect();
                affects.dedup();
                NextQuestion {
                    id: question.id.clone(),
                    tier: question.tier,
                    kind: question.kind,
                    text: question.text_for(case.event.kind()).clone(),
                    options: question.options(),
                    members: if question.kind == QuestionKind::Members {
                        self.eligible(q, facts)
                    } else {
                        Vec::new()
                    },
                    sensitive: question.sensitive,
                    affects,
                }
            })
            .collect()
    }

    /// The procedures in force whose status some answer to `q` would change.
    fn procedures_changed_by(
        &self,
        q: usize,
        given: &[Option<Answer>],
        facts: &Facts<'_>,
        in_force: &[bool],
        as_of: NaiveDate,
        statuses: &[Truth],
    ) -> Vec<usize> {
        let candidates: Vec<usize> = self.affects[q]
            .iter()
            .copied()
            .filter(|&p| in_force[p])
            .collect();
        let mut changed = Vec::new();
        if candidates.is_empty() {
            return changed;
        }
        let mut probe = Facts {
            event: facts.event,
            identified_by: facts.identified_by,
            members: facts.members,
            questions: facts.questions.clone(),
        };
        let member_probes;
        let probes = if self.catalogue.questions[q].kind == QuestionKind::Members {
            member_probes = self.member_probes(q, facts);
            &member_probes
        } else {
            &self.probes[q]
        };
        for answer in probes {
            probe.questions[q] = QuestionState::Answered(answer.clone());
            for &d in &self.downstream[q] {
                probe.questions[d] = self.state_of(d, given[d].as_ref(), &probe);
            }
            for &p in &candidates {
                if !changed.contains(&p)
                    && Self::status(&self.catalogue.procedures[p], &probe, as_of) != statuses[p]
                {
                    changed.push(p);
                }
            }
        }
        changed.sort_unstable();
        changed
    }
}

/// The rule's reason with `{ages}` and `{count}` filled from the members its condition matched.
fn reason(because: &Text, ages: &[u32]) -> Text {
    let (ages_ja, ages_en) = if ages.is_empty() {
        ("…".to_string(), "…".to_string())
    } else {
        age_list(ages)
    };
    let count = ages.len().to_string();
    let fill = |s: &str, list: &str| s.replace("{ages}", list).replace("{count}", &count);
    let other = because
        .other
        .0
        .iter()
        .map(|(language, wording)| (*language, fill(wording, &ages_en)))
        .collect();
    Text {
        ja: fill(&because.ja, &ages_ja),
        easy: fill(&because.easy, &ages_ja),
        en: fill(&because.en, &ages_en),
        other: Translated(other),
    }
}

/// The earliest deadline whose start date the case knows, moved to the next open day when the
/// count ends on a day the office is closed (another agency's deadline follows the national
/// offices' days, without the city's own). Validated cases and catalogues keep every deadline
/// inside the calendar; the addition is checked all the same, so that a value that slipped
/// past them is an error, never a crash.
fn deadline(
    procedure: &Procedure,
    case: &Case,
    start_of: &dyn Fn(EventDate) -> Option<NaiveDate>,
    calendar: &OfficeCalendar,
    external: bool,
) -> Result<Option<Deadline>, EvalError> {
    let office = if external {
        Office::National
    } else {
        Office::City
    };
    let mut earliest: Option<Deadline> = None;
    for rule in &procedure.deadlines {
        let Some(start) = start_of(rule.from) else {
            continue;
        };
        let out_of_range = || EvalError::DeadlineOutOfRange {
            procedure: procedure.id.clone(),
        };
        let counted = rule.counted(start).ok_or_else(out_of_range)?;
        let moved = calendar.next_open_day(counted, office);
        let date = moved.as_ref().map_or(counted, |m| m.to);
        if earliest.as_ref().is_some_and(|e| e.date <= date) {
            continue;
        }
        earliest = Some(Deadline {
            date,
            wareki: wareki::format(date).unwrap_or_else(|_| date.to_string()),
            days: rule.days,
            months: rule.months,
            first_day: rule.first_day,
            from: rule.from,
            basis: rule.basis.clone(),
            overdue: date < case.event.visit_date(),
            moved: moved.map(|m| MovedDeadline {
                counted,
                closed: Phrase::new(m.because.ja(), m.because.en()),
                why: moved_why(counted, &m.because, office),
            }),
            holidays_unknown: !calendar.covers(date),
        });
    }
    Ok(earliest)
}

/// 「期限の令和8年11月29日は日曜日のため、翌開庁日まで（地方自治法第4条の2第4項）」
fn moved_why(counted: NaiveDate, because: &ClosedBecause, office: Office) -> Phrase {
    let (law_ja, law_en) = match office {
        Office::City => ("地方自治法第4条の2第4項", "Local Autonomy Act, art. 4-2(4)"),
        Office::National => (
            "行政機関の休日に関する法律第2条",
            "Act on Holidays of Administrative Organs, art. 2",
        ),
    };
    let day_ja = wareki::format(counted).unwrap_or_else(|_| counted.to_string());
    Phrase::new(
        format!(
            "期限の{day_ja}は{}のため、翌開庁日まで（{law_ja}）",
            because.ja()
        ),
        format!(
            "the count ends on {counted}, {}, so the deadline is the next day the office is open ({law_en})",
            because.en()
        ),
    )
}

/// One rule's evaluation, for `explain`.
#[derive(Clone, Debug, Serialize)]
pub struct RuleExplanation {
    pub because: Text,
    pub in_force: bool,
    pub trace: Trace,
}

/// Why a procedure does or does not apply to a case.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub procedure: String,
    pub name: String,
    pub status: Truth,
    pub rules: Vec<RuleExplanation>,
}

impl Explanation {
    /// The trace as text: one line per checked condition, ✓ true, ✗ false, ? unknown.
    pub fn render(&self) -> String {
        let status = match self.status {
            Truth::True => "applies / 該当",
            Truth::False => "does not apply / 非該当",
            Truth::Unknown => "to confirm / 要確認",
        };
        let mut out = format!("{} {}: {status}\n", self.procedure, self.name);
        for (i, rule) in self.rules.iter().enumerate() {
            let force = if rule.in_force {
                ""
            } else {
                " (not in force on this date / 適用期間外)"
            };
            out.push_str(&format!(
                "rule {}{force}: {} / {}\n",
                i + 1,
                rule.because.ja,
                rule.because.en
            ));
            rule.trace.render(1, &mut out);
        }
        out
    }
}

impl Engine<'_> {
    /// Explains procedure `id` (the version in force on `as_of`, or else the first) for `case`.
    pub fn explain(
        &self,
        case: &Case,
        as_of: NaiveDate,
        id: &str,
    ) -> Result<Explanation, EvalError> {
        self.check_case(case)?;
        let procedure = self
            .catalogue
            .procedure_versions(id)
            .find(|p| p.effective.contains(as_of))
            .or_else(|| self.catalogue.procedure_versions(id).next())
            .ok_or_else(|| EvalError::UnknownProcedure(id.to_string()))?;
        let members = Self::member_facts(case);
        let given = self.given_answers(case);
        let facts = self.facts(case, &members, &given);
        let status = if procedure.effective.contains(as_of) {
            Self::status(procedure, &facts, as_of)
        } else {
            Truth::False
        };
        let rules = procedure
            .rules
            .iter()
            .map(|rule| {
                let trace = rule.when.trace(&facts, self.catalogue);
                let ages = rule.when.true_member_ages(&facts).unwrap_or_default();
                RuleExplanation {
                    because: reason(&rule.because, &ages),
                    in_force: Self::in_force(rule, as_of),
                    trace,
                }
            })
            .collect();
        Ok(Explanation {
            procedure: procedure.id.clone(),
            name: procedure.name.ja.clone(),
            status,
            rules,
        })
    }
}

impl Engine<'_> {
    /// Every answer the case gives or implies: explicit answers (「わからない」 included) and
    /// answers known from the facts through `known_from`.
    pub fn known_answers(
        &self,
        case: &Case,
    ) -> Result<std::collections::BTreeMap<String, Answer>, EvalError> {
        self.check_case(case)?;
        let members = Self::member_facts(case);
        let given = self.given_answers(case);
        let facts = self.facts(case, &members, &given);
        Ok(self
            .catalogue
            .questions
            .iter()
            .zip(&facts.questions)
            .filter_map(|(q, state)| match state {
                QuestionState::Answered(a) => Some((q.id.clone(), a.clone())),
                QuestionState::DontKnow => Some((q.id.clone(), Answer::Unknown)),
                _ => None,
            })
            .collect())
    }
}

/// Moves each procedure after the procedures it must follow (`after`) that apply too, keeping
/// the given order otherwise; `after` keeps only those. The catalogue has no cycles (checked
/// on load); should one slip through, the rest keep their order rather than vanish.
fn prerequisites_first(mut pending: Vec<ProcedureDecision>) -> Vec<ProcedureDecision> {
    let applies: HashSet<String> = pending.iter().map(|p| p.id.clone()).collect();
    for procedure in &mut pending {
        procedure
            .after
            .retain(|id| applies.contains(id) && id != &procedure.id);
    }
    let mut ordered: Vec<ProcedureDecision> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|p| {
                p.after.iter().all(|first| {
                    ordered.iter().any(|done| &done.id == first)
                        || !pending.iter().any(|other| &other.id == first)
                })
            })
            .unwrap_or(0);
        ordered.push(pending.remove(ready));
    }
    ordered
}
