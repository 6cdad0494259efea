//! The session's view as the window's properties, in the language on screen. Catalogue text
//! comes in three wordings: Japanese for the clerk, やさしい日本語 for a resident alone, and
//! English.

use chrono::NaiveDate;
use image::GrayImage;
use madoguchi_domain::{
    Address, Answer, Case, EventKind, ForeignCategory, ForeignResident, Language, Nationality,
    Person, Sex, Zokugara, wareki,
};
use madoguchi_rules::Catalogue;
use madoguchi_rules::catalogue::{AddressRole, EventDef, Phrase, QuestionKind, Text, Tone};
use madoguchi_rules::decision::ProcedureDecision;
use madoguchi_store::PrintState;
use slint::{ComponentHandle, Image, Model, Rgb8Pixel, SharedPixelBuffer, SharedString};

use super::typed::relation_index;
use super::{
    CardPictureRow, Choice, ConfirmKind, EventDateRow, Interview, KioskWindow, MemberChoice,
    MemberRow, MissingRow, Outcome, People, PinEntry, PrintPhase, Printing, ProcedureRow,
    ReviewItem, RubyLine, RubyPhrase, RubyPiece, Scanner, Screen, SummaryLine, model,
};
use crate::session::{
    AddableProcedure, CODE_B_PARTS, Confirm, Notice, Override, PinFor, ReviewEdits, ReviewField,
    Screen as SessionScreen, UnfinishedOffer, View,
};

/// Who reads the screen, in which language.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub language: Language,
    /// A resident reads it alone: やさしい日本語 where the catalogue has it.
    pub resident: bool,
}

impl Context {
    /// The screen is in another language than Japanese: the screens' own sentences are in
    /// English, or in the translated language where its words have them.
    pub fn english(&self) -> bool {
        !self.language.is_japanese()
    }

    /// Whether a resident alone reads Japanese: やさしい日本語 where the catalogue has it.
    fn easy(&self) -> bool {
        self.resident && self.language.is_japanese()
    }

    pub fn text(&self, text: &Text) -> String {
        if self.easy() && !text.easy.is_empty() {
            // The screen cannot set ルビ over kanji yet: it shows the readings, as before
            // the catalogue marked them (the printed guidance sheet sets them).
            madoguchi_domain::ruby::reading_text(&text.easy)
        } else if self.language.is_japanese() {
            text.ja.clone()
        } else {
            text.get(self.language).to_string()
        }
    }

    /// The resident's やさしい日本語 as the catalogue wrote it (with its ルビ marks, if any),
    /// when this screen shows it: a resident reads alone, in Japanese.
    pub fn marked<'t>(&self, text: &'t Text) -> Option<&'t str> {
        let shown = self.easy() && !text.easy.is_empty();
        shown.then_some(text.easy.as_str())
    }

    pub fn phrase(&self, phrase: &Phrase) -> String {
        if self.language.is_japanese() {
            phrase.ja.clone()
        } else {
            phrase.get(self.language).to_string()
        }
    }

    pub fn notice(&self, notice: &Notice) -> SharedString {
        self.pick(&notice.ja, &notice.en).into()
    }

    /// One of the screens' own words: Japanese, English, or a translated language's from its
    /// catalogue (`madoguchi-screens.po`), found by the Japanese; a word the catalogue lacks
    /// reads the English and is noted (`missing_words`).
    pub fn pick<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        match self.language {
            Language::Japanese | Language::Easy => ja,
            Language::English => en,
            translated => translate(translated, ja).unwrap_or(en),
        }
    }

    /// A 続柄 as the 住民票 writes it: in a translated language the Japanese term (what the
    /// forms print) with its English beside it, 「夫 (husband)」.
    pub fn relation(&self, ja: &str, en: &str) -> String {
        match self.language {
            Language::Japanese | Language::Easy => ja.to_string(),
            Language::English => en.to_string(),
            _ => format!("{ja} ({en})"),
        }
    }

    /// A sentence with `{name}` places: its Japanese, English or translated template, filled.
    pub fn fill(&self, ja: &str, en: &str, values: &[(&str, &str)]) -> String {
        madoguchi_words::fill(self.pick(ja, en), values)
    }

    /// A date in the one style the screens and the guidance sheet share: 令和8年4月13日
    /// （2026年4月13日）, 13 April 2026, or as the screen's language writes dates.
    pub fn date(&self, date: NaiveDate) -> String {
        madoguchi_forms::SheetText::date(self.language, date)
    }
}

/// The screens' word `ja` in a translated language. The words a catalogue lacked are kept (never a person's data: only the kiosk's
/// own fixed words are looked up) for the tests that walk a language's screens.
fn translate(language: Language, ja: &str) -> Option<&'static str> {
    let found = madoguchi_words::catalog(language, madoguchi_words::Domain::Screens)
        .and_then(|c| c.get("", ja));
    if found.is_none() {
        // The word itself is not logged: a notice may carry what someone typed.
        let new = MISSING.with(|missing| missing.borrow_mut().insert((language, ja.to_string())));
        if new {
            tracing::warn!(
                language = language.code(),
                "a screen word has no translation"
            );
        }
    }
    found
}

thread_local! {
    // The screens are worded on the UI thread only: no lock for the window to wait on.
    static MISSING: std::cell::RefCell<std::collections::BTreeSet<(Language, String)>> =
        const { std::cell::RefCell::new(std::collections::BTreeSet::new()) };
}

/// The screens' words a translated language's catalogue lacked so far on this (the UI) thread.
pub fn missing_words() -> Vec<(Language, String)> {
    MISSING.with(|missing| missing.borrow().iter().cloned().collect())
}

/// The question the window asks before the case is abandoned.
pub fn confirm(confirm: Option<Confirm>) -> ConfirmKind {
    match confirm {
        None => ConfirmKind::None,
        Some(Confirm::StartOver) => ConfirmKind::StartOver,
        Some(Confirm::EndWithoutPrinting) => ConfirmKind::EndWithoutPrinting,
    }
}

pub fn screen(screen: SessionScreen) -> Screen {
    match screen {
        SessionScreen::Start => Screen::Start,
        SessionScreen::Identify => Screen::Identify,
        SessionScreen::InsertCard => Screen::InsertCard,
        SessionScreen::Pin => Screen::Pin,
        SessionScreen::ReadingCard => Screen::ReadingCard,
        SessionScreen::ScanQr => Screen::ScanQr,
        SessionScreen::QrSummary => Screen::QrSummary,
        SessionScreen::CodeB => Screen::CodeB,
        SessionScreen::CardNumber => Screen::CardNumber,
        SessionScreen::TypeApplicant => Screen::TypeApplicant,
        SessionScreen::Event => Screen::Event,
        SessionScreen::Household => Screen::Household,
        SessionScreen::Question => Screen::Question,
        SessionScreen::PrivateQuestion => Screen::PrivateQuestion,
        SessionScreen::Result => Screen::Result,
        SessionScreen::Review => Screen::Review,
        SessionScreen::Printing => Screen::Printing,
        SessionScreen::Done => Screen::Done,
    }
}

pub fn pin(pin_entry: &PinEntry<'_>, view: &View) {
    pin_entry.set_pin_entered(i32::try_from(view.pin_entered).unwrap_or(0));
    pin_entry.set_tries_left(view.tries_left.map_or(-1, i32::from));
    pin_entry.set_last_try_warning(view.last_try_warning);
    pin_entry.set_reading_member(view.reading_member);
    pin_entry.set_for_licence(view.pin_for == PinFor::Licence);
    pin_entry.set_code_b_offered(view.code_b_offered);
    pin_entry.set_code_b_tries_left(view.code_b_tries_left.map_or(-1, i32::from));
    let pressed: Vec<char> = view.code_b_shown.0.chars().collect();
    let mut start = 0;
    let mut parts = CODE_B_PARTS.iter().map(|&length| {
        let cells: Vec<SharedString> = (start..start + length)
            .map(|i| {
                pressed
                    .get(i)
                    .map_or_else(SharedString::new, |d| d.to_string().into())
            })
            .collect();
        start += length;
        model(cells)
    });
    pin_entry.set_code_b_birth(parts.next().unwrap_or_default());
    pin_entry.set_code_b_expiry(parts.next().unwrap_or_default());
    pin_entry.set_code_b_security(parts.next().unwrap_or_default());
    pin_entry.set_code_b_next(i32::try_from(pressed.len()).unwrap_or(0));
}

/// Which card identified the applicant, and a card read waiting for the clerk: what to check
/// and the card's own pictures.
pub fn card_facts(people: &People<'_>, view: &View, context: &Context) {
    people.set_identified_by(
        view.identified_by
            .map_or_else(SharedString::new, |document| {
                context.pick(document.ja(), document.en()).into()
            }),
    );
    let prefill = view.card_prefill.as_deref();
    people.set_card_read(prefill.map_or_else(SharedString::new, |p| context.notice(&p.summary)));
    let notes: Vec<SharedString> = prefill
        .map(|p| p.notes.iter().map(|n| context.notice(n)).collect())
        .unwrap_or_default();
    people.set_card_notes(model(notes));
    let pictures: Vec<CardPictureRow> = prefill
        .map(|p| {
            p.pictures
                .iter()
                .map(|picture| CardPictureRow {
                    label: context.notice(&picture.label),
                    picture: grey_pixels(
                        picture.bitmap.width,
                        picture.bitmap.height,
                        &picture.bitmap.luma,
                    ),
                })
                .collect()
        })
        .unwrap_or_default();
    people.set_card_pictures(model(pictures));
}

/// Fills the typed person with a card's facts for the clerk to complete. A sex the card does
/// not record is left unchosen, so the clerk must choose it.
pub fn prefill_person(people: &People<'_>, person: &Person) {
    clear_person(people);
    people.set_person_name(person.name.as_str().into());
    people.set_person_kana(person.kana.as_deref().unwrap_or_default().into());
    people.set_person_birth(
        person
            .birth_date
            .map_or_else(String::new, |d| d.format("%Y/%-m/%-d").to_string())
            .into(),
    );
    people.set_person_sex(match person.sex {
        Some(Sex::Male) => 0,
        Some(Sex::Female) => 1,
        None => -1,
    });
    people.set_person_address(
        person
            .address
            .as_ref()
            .map_or_else(SharedString::new, |a| a.text.as_str().into()),
    );
    let foreign = match &person.nationality {
        Some(Nationality::Foreign(foreign)) => foreign,
        _ => {
            people.set_person_foreign(0);
            return;
        }
    };
    people.set_person_foreign(1);
    people.set_person_country(foreign.country.as_deref().unwrap_or_default().into());
    people.set_person_card(
        foreign
            .card_number
            .as_ref()
            .map_or_else(SharedString::new, |n| n.as_str().into()),
    );
    people.set_person_until(
        foreign
            .period_end
            .map_or_else(String::new, |d| d.format("%Y/%-m/%-d").to_string())
            .into(),
    );
    let category = foreign
        .category
        .and_then(|c| ForeignCategory::ALL.iter().position(|&a| a == c));
    people.set_person_category(category.map_or(0, |i| i32::try_from(i + 1).unwrap_or(0)));
}

pub fn question(interview: &Interview<'_>, view: &View, context: &Context) {
    let Some(question) = &view.question else {
        interview.set_question(SharedString::new());
        interview.set_question_ruby(model(Vec::new()));
        return;
    };
    interview.set_question(context.text(&question.text).into());
    interview.set_question_ruby(joined_ruby("", &[context.marked(&question.text)], ""));
    interview.set_question_help(SharedString::new());
    interview.set_question_sensitive(question.sensitive);
    let members: Vec<MemberChoice> = view
        .question_members
        .iter()
        .map(|m| MemberChoice {
            index: i32::try_from(m.index).unwrap_or(0),
            label: m.name.as_str().into(),
            ticked: m.ticked,
        })
        .collect();
    interview.set_question_members_ticked(members.iter().any(|m| m.ticked));
    let members_empty = members.is_empty();
    if !members_empty {
        interview.set_question_help(
            context
                .pick(
                    "当てはまる方をすべて選び、「選んだ方で決定」を押してください。",
                    "Tick everyone it applies to, then confirm.",
                )
                .into(),
        );
    }
    interview.set_question_members(super::model(members));
    let (yes_no, options) = match &question.kind {
        QuestionKind::YesNo => (true, Vec::new()),
        QuestionKind::Members if members_empty => (true, Vec::new()),
        QuestionKind::Number { min, max } => (
            false,
            (*min..=(*max).min(*min + 6))
                .map(|n| Choice {
                    id: n.to_string().into(),
                    label: n.to_string().into(),
                })
                .collect(),
        ),
        QuestionKind::Choice | QuestionKind::Date | QuestionKind::Members => (
            false,
            question
                .options
                .iter()
                // The screen adds 「わからない」 itself, always last and always the same.
                .filter(|option| option.id != "unknown")
                .map(|option| Choice {
                    id: option.id.as_str().into(),
                    label: context.text(&option.text).into(),
                })
                .collect(),
        ),
    };
    interview.set_question_yes_no(yes_no);
    interview.set_question_options(super::model(options));
    let (step, steps) = view.step.unwrap_or((0, 0));
    interview.set_step(i32::try_from(step).unwrap_or(0));
    interview.set_steps(i32::try_from(steps).unwrap_or(0));
}

fn sex_label(sex: Option<Sex>, context: &Context) -> &'static str {
    match sex {
        Some(Sex::Male) => context.pick("男", "male"),
        Some(Sex::Female) => context.pick("女", "female"),
        None => context.pick("性別未入力", "sex not given"),
    }
}

/// 「氏名：QRコードは「…」、カードは「…」です。…」, one line per fact the two disagree on.
fn difference_lines(view: &View, context: &Context) -> Vec<SharedString> {
    view.differences
        .iter()
        .map(|d| {
            let field = context.notice(&d.field);
            context
                .fill(
                    "{field}：QRコードは「{qr}」、カードは「{card}」です。書類はカードの内容で作ります。",
                    "{field}: the QR code says “{qr}”, the card says “{card}”. The forms use the card.",
                    &[("field", &field), ("qr", &d.qr), ("card", &d.card)],
                )
                .into()
        })
        .collect()
}

/// A QR code of another name or birth date than the card, held for the clerk's choice.
pub fn identity(people: &People<'_>, view: &View, context: &Context) {
    people.set_identity_in_question(view.identity_in_question);
    let lines = if view.identity_in_question {
        difference_lines(view, context)
    } else {
        Vec::new()
    };
    people.set_identity_differences(model(lines));
}

/// The event screen for the catalogue's events: their names, and for the one chosen (the
/// screen's `event-kind`), its date's name, its other dates and the addresses it asks for.
/// What was typed in the other dates stays when `keep` (the language changed), and is emptied
/// otherwise (another event was chosen).
pub fn event_fields(people: &People<'_>, catalogue: &Catalogue, keep: bool, context: &Context) {
    let kind = people.get_event_kind();
    // English names are written for a sentence (「procedures for moving in」); a button starts
    // with a capital.
    let capital = |name: String| {
        let mut chars = name.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect::<String>()
        })
    };
    people.set_event_names(model(
        catalogue
            .events
            .iter()
            .map(|e| SharedString::from(capital(context.text(&e.name))))
            .collect(),
    ));
    let Some(def) = usize::try_from(kind)
        .ok()
        .and_then(|i| catalogue.events.get(i))
    else {
        return;
    };
    people.set_date_label(context.text(&def.date.name).into());
    let typed: Vec<SharedString> = people.get_other_dates().iter().map(|r| r.value).collect();
    let kept = |i: usize| {
        typed
            .get(i)
            .filter(|_| keep && typed.len() == def.dates.len())
            .cloned()
            .unwrap_or_default()
    };
    people.set_other_dates(model(
        def.dates
            .iter()
            .enumerate()
            .map(|(i, d)| EventDateRow {
                label: context.text(&d.name).into(),
                value: kept(i),
            })
            .collect(),
    ));
    people.set_asks_previous(def.asks(AddressRole::Previous));
    people.set_asks_new(def.asks(AddressRole::New));
    people.set_asks_next(def.asks(AddressRole::Next));
}

/// The household screen's words for the case's event: who moves together, or — for an event
/// about one member — the household with that member to mark.
fn household_words(people: &People<'_>, def: Option<&EventDef>, context: &Context) {
    let subject = def.and_then(|d| d.subject.as_ref());
    people.set_subject_label(subject.map_or_else(SharedString::new, |s| context.text(s).into()));
    let moves = def.is_some_and(|d| !d.addresses.is_empty());
    let (title, sub) = match (moves, def.map(|d| d.tone)) {
        (true, _) => (
            context.pick("一緒に引っ越す方", "Who moves together"),
            context.pick(
                "申請する方と一緒に住所が変わる方を追加してください。",
                "Add everyone whose address changes with the applicant.",
            ),
        ),
        (false, Some(Tone::Condolence)) => (
            context.pick("ご家族（世帯の方）", "The household"),
            context.pick(
                "お亡くなりになった方を含め、同じ世帯の方を入力し、お亡くなりになった方を選んでください。",
                "Enter the household, the person who died included, and mark the person who died.",
            ),
        ),
        (false, _) => (
            context.pick("世帯の方", "The household"),
            context.pick(
                "届出に関わる世帯の方を入力してください。",
                "Enter the members of the household the notification concerns.",
            ),
        ),
    };
    people.set_household_title(title.into());
    people.set_household_sub(sub.into());
}

pub fn members(people: &People<'_>, case: Option<&Case>, catalogue: &Catalogue, context: &Context) {
    household_words(
        people,
        case.and_then(|c| catalogue.event(c.event.kind)),
        context,
    );
    people.set_relations(model(
        Zokugara::all()
            .map(|z| SharedString::from(context.relation(z.word(), z.en())))
            .collect(),
    ));
    let none = context.pick("（選択なし）", "(not chosen)");
    let words = |list: Vec<&str>| model(list.into_iter().map(SharedString::from).collect());
    people.set_residence_statuses(words(super::typed::status_choices(none)));
    people.set_foreign_categories(words(super::typed::category_choices(none)));
    let Some(case) = case else {
        people.set_members(model(Vec::new()));
        return;
    };
    let rows = case
        .household
        .members
        .iter()
        .enumerate()
        .map(|(index, member)| {
            let relation = context.relation(member.relation.word(), member.relation.en());
            MemberRow {
                name: member.person.name.as_str().into(),
                kana: member.person.kana.clone().unwrap_or_default().into(),
                birth: member
                    .person
                    .birth_date
                    .map_or_else(String::new, |d| context.date(d))
                    .into(),
                sex: sex_label(member.person.sex, context).into(),
                relation: relation.into(),
                relation_index: relation_index(member.relation),
                applicant: index == case.applicant,
                subject: case.event.subject == Some(index),
            }
        })
        .collect();
    people.set_members(model(rows));
}

/// Procedures grouped by counter, in the order the guidance sheet visits them: counters in
/// this building first, other agencies last.
/// 「窓口：市民課（4件）→ こども支援課（3件）→ …」: the counters the household visits, in the
/// list's order, so the clerk can say the route before the detail.
/// The counters line with each name as `named` words it (the screen's text, or the resident's
/// やさしい日本語 with its ルビ marks).
fn counter_strip(
    view: &View,
    counters: &[(&str, bool)],
    context: &Context,
    named: impl Fn(&Text) -> String,
) -> String {
    let stops: Vec<String> = counters
        .iter()
        .filter_map(|(id, _)| {
            let procedures: Vec<_> = view
                .procedures
                .iter()
                .filter(|p| p.counter.id == *id)
                .collect();
            let name = named(&procedures.first()?.counter.name);
            Some(match (context.english(), context.resident) {
                (true, _) => format!("{name} ({})", procedures.len()),
                (false, true) => format!("{name}（{}つ）", procedures.len()),
                (false, false) => format!("{name}（{}件）", procedures.len()),
            })
        })
        .collect();
    if stops.len() < 2 {
        return String::new();
    }
    format!(
        "{}{}",
        context.pick("窓口：", "Counters: "),
        stops.join(" → ")
    )
}

pub fn procedures(outcome: &Outcome<'_>, view: &View, context: &Context, overrides: &[Override]) {
    let change = |id: &str| overrides.iter().find(|o| o.procedure == id);
    let mut counters: Vec<(&str, bool)> = Vec::new();
    for procedure in &view.procedures {
        let key = (procedure.counter.id.as_str(), procedure.counter.external);
        if !counters.contains(&key) {
            counters.push(key);
        }
    }
    counters.sort_by_key(|(_, external)| *external);
    outcome.set_counters(counter_strip(view, &counters, context, |t| context.text(t)).into());
    let marked = counter_strip(view, &counters, context, |t| {
        context
            .marked(t)
            .map_or_else(|| context.text(t), str::to_string)
    });
    outcome.set_counters_ruby(joined_ruby(
        "",
        &[context.resident.then_some(marked.as_str())],
        "",
    ));
    let mut rows = Vec::new();
    for (counter, _) in &counters {
        let mut first = true;
        for procedure in view.procedures.iter().filter(|p| p.counter.id == *counter) {
            let mut row = procedure_row(procedure, context);
            if first {
                let counter = &procedure.counter;
                row.heading = context.text(&counter.name).into();
                row.heading_ruby = joined_ruby("", &[context.marked(&counter.name)], "");
                row.place = counter
                    .place
                    .as_ref()
                    .map_or_else(String::new, |p| context.text(p))
                    .into();
                row.place_ruby = joined_ruby(
                    "",
                    &[counter.place.as_ref().and_then(|p| context.marked(p))],
                    "",
                );
                first = false;
            }
            mark_change(&mut row, change(&procedure.id), context);
            rows.push(row);
        }
    }
    outcome.set_procedures(model(rows));
    outcome.set_coming(model(
        view.coming
            .iter()
            .map(|c| {
                let (since, todo) = (context.date(c.date), context.text(&c.todo));
                let what = context.text(&c.name);
                let text = if context.english() {
                    format!("{since}: {what}. {todo}")
                } else {
                    format!("{since}：{what}。{todo}")
                };
                RubyLine {
                    text: text.into(),
                    ruby: joined_ruby(
                        &format!("{since}："),
                        &[context.marked(&c.name), context.marked(&c.todo)],
                        "。",
                    ),
                }
            })
            .collect(),
    ));
    let to_confirm = view
        .to_confirm
        .iter()
        .map(|procedure| {
            let mut row = procedure_row(procedure, context);
            let waiting: Vec<String> = procedure
                .waiting_on
                .iter()
                .map(|w| context.phrase(&w.label))
                .collect();
            if !waiting.is_empty() {
                row.reason = format!(
                    "{}{}",
                    context.pick("確認すること：", "To confirm: "),
                    waiting.join(context.pick("、", ", "))
                )
                .into();
            }
            row
        })
        .collect();
    outcome.set_to_confirm(model(to_confirm));
    let removed = view
        .removed
        .iter()
        .map(|procedure| {
            let mut row = procedure_row(procedure, context);
            mark_change(&mut row, change(&procedure.id), context);
            row
        })
        .collect();
    outcome.set_removed(model(removed));
}

/// Marks a row the clerk changed: 戻す instead of 外す, and their reason on the card.
fn mark_change(row: &mut ProcedureRow, change: Option<&Override>, context: &Context) {
    let Some(change) = change else {
        return;
    };
    row.changed = true;
    let verb = match (change.added, context.english()) {
        (true, false) => "係員が追加：",
        (false, false) => "係員が外しました：",
        (true, true) => "Added by the clerk: ",
        (false, true) => "Taken off by the clerk: ",
    };
    row.change = format!("{verb}{}", change.reason).into();
}

/// The catalogue's procedures the clerk's search found, each with its counter.
pub fn addable(outcome: &Outcome<'_>, found: &[AddableProcedure], context: &Context) {
    let rows = found
        .iter()
        .map(|procedure| ProcedureRow {
            id: procedure.id.as_str().into(),
            name: context.text(&procedure.name).into(),
            reason: format!(
                "{}{}",
                context.pick("窓口：", "Counter: "),
                context.text(&procedure.counter)
            )
            .into(),
            ..ProcedureRow::default()
        })
        .collect();
    outcome.set_addable(model(rows));
}

/// A marked text (`転入《てんにゅう》の 届《とど》け`) as phrases of pieces for `RubyText`: a piece
/// is a kanji run with its reading or a run of plain text; a phrase is what may not be broken
/// across lines. Phrases end after each space (the guideline's 分かち書き, the space kept at the
/// phrase's end) and after 、。）, and a plain run longer than [`MAX_UNBROKEN`] characters
/// may break every so many, as Japanese does when a line is full. Empty when the marks do not
/// read (the catalogue loader refuses such texts; the screen then shows the text without ルビ).
pub fn ruby_phrases(marked: &str) -> Vec<RubyPhrase> {
    let Ok(segments) = madoguchi_domain::ruby::parse(marked) else {
        return Vec::new();
    };
    let mut phrases = PhraseBuilder::default();
    for segment in segments {
        match segment.reading {
            Some(reading) => phrases.piece(segment.base, reading),
            None => segment.base.chars().for_each(|c| phrases.plain(c)),
        }
    }
    phrases.finish()
}

/// A plain run longer than this may break inside (a long katakana word, a list without spaces).
const MAX_UNBROKEN: usize = 10;

#[derive(Default)]
struct PhraseBuilder {
    phrases: Vec<RubyPhrase>,
    pieces: Vec<RubyPiece>,
    plain: String,
}

impl PhraseBuilder {
    fn piece(&mut self, base: &str, reading: &str) {
        self.flush_plain();
        self.pieces.push(RubyPiece {
            base: base.into(),
            reading: reading.into(),
        });
    }

    fn plain(&mut self, c: char) {
        let c = if c == '\u{3000}' { ' ' } else { c };
        if c == ' ' && self.plain.is_empty() && self.pieces.is_empty() {
            return;
        }
        self.plain.push(c);
        if matches!(c, ' ' | '、' | '。' | '）') || self.plain.chars().count() >= MAX_UNBROKEN {
            self.end_phrase();
        }
    }

    fn flush_plain(&mut self) {
        if !self.plain.is_empty() {
            let base = std::mem::take(&mut self.plain);
            self.pieces.push(RubyPiece {
                base: base.into(),
                reading: SharedString::new(),
            });
        }
    }

    fn end_phrase(&mut self) {
        self.flush_plain();
        if !self.pieces.is_empty() {
            self.phrases.push(RubyPhrase {
                pieces: model(std::mem::take(&mut self.pieces)),
            });
        }
    }

    fn finish(mut self) -> Vec<RubyPhrase> {
        self.end_phrase();
        self.phrases
    }
}

/// The phrases of several やさしい日本語 texts joined by `separator` after `lead`, for a line
/// that sets ルビ: none when a text has no plain wording (the line is then Japanese, shown
/// as it is) or none of them marks a reading (plain kana needs no ルビ line).
fn joined_ruby(lead: &str, texts: &[Option<&str>], separator: &str) -> slint::ModelRc<RubyPhrase> {
    let marked: Option<Vec<&str>> = texts.iter().copied().collect();
    match marked {
        Some(marked)
            if !marked.is_empty() && marked.iter().any(|t| madoguchi_domain::ruby::has_ruby(t)) =>
        {
            model(ruby_phrases(&format!("{lead}{}", marked.join(separator))))
        }
        _ => model(Vec::new()),
    }
}

pub(super) fn procedure_row(procedure: &ProcedureDecision, context: &Context) -> ProcedureRow {
    let reason = procedure
        .reasons
        .iter()
        .map(|r| context.text(r))
        .collect::<Vec<_>>()
        .join(context.pick("。", ". "));
    let deadline = procedure.deadline.as_ref().map_or_else(String::new, |d| {
        let date = context.date(d.date);
        let moved = d.moved.as_ref().map_or_else(String::new, |m| {
            if context.language.is_translated() {
                let why = madoguchi_forms::SheetText::closed_day(context.language, m.counted);
                if context.language.spaces_words() {
                    format!(" ({why})")
                } else {
                    format!("（{why}）")
                }
            } else if context.english() {
                format!(
                    " (the count ends on {}, {}: the next open day)",
                    m.counted.format("%-d %B"),
                    m.closed.en
                )
            } else {
                format!(
                    "（{}は{}のため翌開庁日）",
                    m.counted.format("%-m月%-d日"),
                    m.closed.ja
                )
            }
        });
        if d.overdue {
            context.fill(
                "期限の{date}を過ぎています。今日届け出てください",
                "Overdue since {date}: file today",
                &[("date", &date)],
            )
        } else {
            let line = context.fill("期限：{date}まで", "Deadline: {date}", &[("date", &date)]);
            format!("{line}{moved}")
        }
    });
    let bring = if procedure.bring.is_empty() {
        String::new()
    } else {
        let items: Vec<String> = procedure
            .bring
            .iter()
            .map(|b| {
                context.text(&Text {
                    ja: b.ja.clone(),
                    easy: b.easy.clone(),
                    en: b.en.clone(),
                    other: b.other.clone(),
                })
            })
            .collect();
        format!(
            "{}{}",
            context.pick("持ち物：", "Bring: "),
            items.join(context.pick("、", ", "))
        )
    };
    let forms: Vec<&str> = procedure
        .forms
        .iter()
        .map(|f| f.get(context.language))
        .collect();
    ProcedureRow {
        id: procedure.id.as_str().into(),
        heading: SharedString::new(),
        heading_ruby: model(Vec::new()),
        place: SharedString::new(),
        place_ruby: model(Vec::new()),
        name: context.text(&procedure.name).into(),
        name_ruby: joined_ruby("", &[context.marked(&procedure.name)], ""),
        reason: reason.into(),
        reason_ruby: joined_ruby(
            "",
            &procedure
                .reasons
                .iter()
                .map(|r| context.marked(r))
                .collect::<Vec<_>>(),
            "。",
        ),
        deadline: deadline.into(),
        bring: bring.into(),
        bring_ruby: joined_ruby(
            "持ち物：",
            &procedure
                .bring
                .iter()
                .map(|b| (context.easy() && !b.easy.is_empty()).then_some(b.easy.as_str()))
                .collect::<Vec<_>>(),
            "、",
        ),
        forms: forms.join("、").into(),
        critical: procedure.critical,
        overdue: procedure.deadline.as_ref().is_some_and(|d| d.overdue),
        changed: false,
        change: SharedString::new(),
    }
}

/// The case in plain words, for the resident to confirm.
pub fn summary(scanner: &Scanner<'_>, case: Option<&Case>, context: &Context) {
    let Some(case) = case else {
        scanner.set_summary(model(Vec::new()));
        return;
    };
    let line = |label: &str, value: String| SummaryLine {
        label: label.into(),
        value: value.into(),
    };
    let what = match case.event.kind {
        EventKind::TENNYU => context.pick(
            "ほかの 市や町から 引っ越してきた（転入）",
            "Moved in from another city",
        ),
        EventKind::TENKYO => {
            context.pick("この 市の 中で 引っ越した（転居）", "Moved within the city")
        }
        EventKind::TENSHUTSU => {
            context.pick("ほかの 市や町へ 引っ越す（転出）", "Moving out of the city")
        }
        _ => case.event.kind.id(),
    };
    let address = case.event.address_after();
    let mut lines = vec![
        line(context.pick("届け出ること", "What"), what.to_string()),
        line(
            context.pick("引っ越した日", "Moving date"),
            context.date(case.event.date),
        ),
    ];
    if let Some(address) = address {
        lines.push(line(
            context.pick("新しい住所", "New address"),
            address_text(address),
        ));
    }
    let names: Vec<&str> = case
        .household
        .members
        .iter()
        .map(|m| m.person.name.as_str())
        .collect();
    lines.push(line(
        context.pick("いっしょに 引っ越す人", "Who moves"),
        format!(
            "{} — {}",
            context.fill(
                "{count}人",
                "{count} people",
                &[("count", &names.len().to_string())]
            ),
            names.join(context.pick("、", ", "))
        ),
    ));
    scanner.set_summary(model(lines));
}

pub(super) fn address_text(address: &Address) -> String {
    match &address.postal_code {
        Some(postal) if postal.len() == 7 => {
            format!("〒{}-{} {}", &postal[..3], &postal[3..], address.text)
        }
        _ => address.text.clone(),
    }
}

/// The review keys: what the forms need that a clerk may fill in or correct.
pub fn review(
    outcome: &Outcome<'_>,
    case: Option<&Case>,
    draft: &ReviewEdits,
    view: &View,
    context: &Context,
) {
    let Some(case) = case else {
        return;
    };
    let mut items = Vec::new();
    let mut item = |field: ReviewField, label: String, current: String, hint: &str| {
        items.push(ReviewItem {
            value: draft.get(field).map_or(current, str::to_string).into(),
            key: field.key().into(),
            label: label.into(),
            other: SharedString::new(),
            hint: hint.into(),
        });
    };
    for (index, member) in case.household.members.iter().enumerate() {
        item(
            ReviewField::Kana(index),
            format!(
                "{}　{}",
                context.pick("ふりがな", "Furigana"),
                member.person.name
            ),
            member.person.kana.clone().unwrap_or_default(),
            context.pick("ひらがなで入力", "in hiragana"),
        );
        // 国籍・地域 for a foreign member, and for one whose nationality no card said when the
        // household may have a foreign member (foreign_member not answered いいえ).
        let nationality = member.person.nationality.as_ref();
        let none_foreign = case.answers.get("foreign_member") == Some(&Answer::No);
        let ask = match nationality {
            Some(n) => n.is_foreign(),
            None => !none_foreign,
        };
        if !ask {
            continue;
        }
        let name = &member.person.name;
        let resident = nationality.and_then(Nationality::foreign);
        let fact = |f: fn(&ForeignResident) -> Option<String>| resident.and_then(f);
        item(
            ReviewField::Country(index),
            format!("{}　{name}", context.pick("国籍・地域", "Nationality")),
            fact(|r| r.country.clone()).unwrap_or_default(),
            context.pick(
                "例：ベトナム（日本国籍なら「日本」）",
                "e.g. ベトナム (日本 for Japanese)",
            ),
        );
        if resident.is_none() {
            continue;
        }
        let facts = [
            (
                ReviewField::ResidenceCard(index),
                fact(|r| r.card_number.as_ref().map(|n| n.as_str().to_string())),
                "例：AB12345678CD",
            ),
            (
                ReviewField::ResidenceStatus(index),
                fact(|r| r.status.map(|s| s.as_str().to_string())),
                "例：技術・人文知識・国際業務",
            ),
            (
                ReviewField::ResidenceUntil(index),
                fact(|r| r.period_end.and_then(|d| wareki::format(d).ok())),
                "例：R11.4.30",
            ),
            (
                ReviewField::ResidenceCategory(index),
                fact(|r| r.category.map(|c| c.ja().to_string())),
                "中長期在留者／特別永住者／…",
            ),
            (ReviewField::Alias(index), fact(|r| r.alias.clone()), ""),
        ];
        for (field, current, hint) in facts {
            let (ja, en) = field.name();
            item(
                field,
                format!("{}　{name}", context.pick(ja, en)),
                current.unwrap_or_default(),
                hint,
            );
        }
    }
    let leaving = case.event.kind == EventKind::TENSHUTSU;
    let (address, postal) = if leaving {
        (
            &case.event.next_address,
            context.pick("転出先の住所", "Next address"),
        )
    } else {
        (
            &case.event.new_address,
            context.pick("新しい住所", "New address"),
        )
    };
    item(
        ReviewField::Address,
        postal.into(),
        address.as_ref().map(|a| a.text.clone()).unwrap_or_default(),
        "",
    );
    if !leaving {
        item(
            ReviewField::Building,
            context
                .pick("方書（建物名・部屋番号）", "Building and room")
                .into(),
            address
                .as_ref()
                .and_then(|a| a.building.clone())
                .unwrap_or_default(),
            context.pick(
                "例：さくらハイツ201（ないときは空欄）",
                "e.g. さくらハイツ201",
            ),
        );
    }
    item(
        ReviewField::PostalCode,
        context.pick("郵便番号", "Postal code").into(),
        address
            .as_ref()
            .and_then(|a| a.postal_code.clone())
            .unwrap_or_default(),
        "1000001",
    );
    item(
        ReviewField::MoveDate,
        context.pick("異動日", "Moving date").into(),
        wareki::format(case.event.date).unwrap_or_default(),
        "R8.11.15",
    );
    item(
        ReviewField::Phone,
        context
            .pick("電話番号（連絡先）", "Telephone (to contact you)")
            .into(),
        case.phone.clone().unwrap_or_default(),
        context.pick("例：046-822-4000", "e.g. 046-822-4000"),
    );
    // Joining a household whose head does not move: the forms need that head's name.
    if case.household.head_member().is_none() {
        item(
            ReviewField::JoiningHead,
            context
                .pick(
                    "新しい世帯主（一緒に異動しない方）",
                    "New head of household (who does not move)",
                )
                .into(),
            case.household.joining_head.clone().unwrap_or_default(),
            context.pick(
                "続柄はこの方から見たものです",
                "relations are to this person",
            ),
        );
    }
    // Someone outside the household filing with a 委任状: the forms name them as 届出人 and
    // the guidance sheet asks for the 委任状 and their own ID.
    let proxy = case.proxy.as_deref();
    // After a death, family from another household file without a 委任状.
    let (name_ja, name_en) = if case.event.subject.is_some() {
        (
            "別の世帯のご家族・代理人の氏名（届け出る方）",
            "Family from another household or proxy filing",
        )
    } else {
        (
            "代理人の氏名（委任状を持って来た方）",
            "Proxy's name (with a letter of attorney)",
        )
    };
    item(
        ReviewField::ProxyName,
        context.pick(name_ja, name_en).into(),
        proxy.map(|p| p.name.clone()).unwrap_or_default(),
        context.pick(
            "ご本人か世帯の方が届け出るときは空欄",
            "empty when a member files",
        ),
    );
    if let Some(proxy) = proxy {
        let facts = [
            (ReviewField::ProxyKana, proxy.kana.clone(), "ひらがなで入力"),
            (
                ReviewField::ProxyAddress,
                proxy.address.as_ref().map(Address::whole),
                "代理人の本人確認書類のとおり",
            ),
            (
                ReviewField::ProxyPhone,
                proxy.phone.clone(),
                "例：090-1234-5678",
            ),
            (
                ReviewField::ProxyRelation,
                proxy.relation.clone(),
                "ご家族のとき、その方から見た続柄（例：子、兄）",
            ),
        ];
        for (field, current, hint) in facts {
            let (ja, en) = field.name();
            item(
                field,
                context.pick(ja, en).into(),
                current.unwrap_or_default(),
                hint,
            );
        }
    }
    item(
        ReviewField::PreviousHead,
        context
            .pick("前の世帯主", "Previous head of household")
            .into(),
        case.household
            .previous_head_name()
            .map(str::to_string)
            .unwrap_or_default(),
        context.pick("前の住所での世帯主", "the head at the previous address"),
    );
    outcome.set_review_items(model(items));
    outcome.set_differences(model(difference_lines(view, context)));
    outcome.set_form_warnings(model(
        view.form_warnings
            .iter()
            .map(|n| context.notice(n))
            .collect(),
    ));
    outcome.set_missing(model(
        view.missing
            .iter()
            .map(|m| MissingRow {
                place: m.place.as_str().into(),
                key: m.path.as_str().into(),
            })
            .collect(),
    ));
}

pub fn printing(printing: &Printing<'_>, view: &View, context: &Context) {
    let (state, reason) = view
        .print_state
        .clone()
        .unwrap_or((PrintState::Queued, None));
    printing.set_print_phase(match state {
        PrintState::Queued => PrintPhase::Waiting,
        PrintState::Printing => PrintPhase::Printing,
        PrintState::Done => PrintPhase::Done,
        PrintState::Failed => PrintPhase::Failed,
    });
    // Reasons come from the print queue as 「日本語 / English」.
    let reason = reason.map_or_else(String::new, |r| match r.split_once(" / ") {
        Some((ja, en)) => context.pick(ja, en).to_string(),
        None => r,
    });
    printing.set_print_reason(reason.into());
    // A form several procedures share (国保 取得・変更) prints once.
    let forms: std::collections::BTreeSet<&str> = view
        .procedures
        .iter()
        .flat_map(|p| p.forms.iter().map(|f| f.id.as_str()))
        .collect();
    printing.set_forms_count(i32::try_from(forms.len()).unwrap_or(0));
}

/// Empties every typed field (a new session starts blank). The first member added is
/// usually the spouse; after that, a child (`clear_person`).
pub fn clear_typed(window: &KioskWindow) {
    let people = window.global::<People>();
    clear_for_spouse(&people);
    people.set_person_address(SharedString::new());
    people.set_person_foreign(0);
    people.set_person_country(SharedString::new());
    people.set_event_kind(0);
    people.set_move_date(SharedString::new());
    people.set_other_dates(model(Vec::new()));
    people.set_new_address(SharedString::new());
    people.set_new_postal(SharedString::new());
    people.set_new_building(SharedString::new());
    people.set_previous_address(SharedString::new());
    window
        .global::<Outcome>()
        .set_change_reason(SharedString::new());
    window
        .global::<Scanner>()
        .set_scanner_text(SharedString::new());
}

/// Today as the event screen shows it.
pub fn day(today: NaiveDate, language: Language) -> String {
    Context {
        language,
        resident: false,
    }
    .date(today)
}

/// Empties the typed person for the first member after the applicant, usually the spouse.
pub fn clear_for_spouse(people: &People<'_>) {
    clear_person(people);
    people.set_person_relation(relation_index(Zokugara::WIFE));
    people.set_person_sex(super::typed::sex_index_of(Zokugara::WIFE).unwrap_or(0));
}

/// Empties the typed person for the next member. The nationality and 国籍・地域 stay (a
/// family usually shares them); the card's own facts do not.
pub fn clear_person(people: &People<'_>) {
    people.set_person_name(SharedString::new());
    people.set_person_kana(SharedString::new());
    people.set_person_birth(SharedString::new());
    people.set_person_sex(0);
    people.set_person_relation(relation_index(Zokugara::CHILD));
    people.set_person_card(SharedString::new());
    people.set_person_status(0);
    people.set_person_until(SharedString::new());
    people.set_person_category(0);
    people.set_person_alias(SharedString::new());
}

/// A grey camera frame as a picture for the preview.
pub fn grey_image(frame: &GrayImage) -> Image {
    grey_pixels(frame.width(), frame.height(), frame.as_raw())
}

/// `width` × `height` grey pixels, row by row, as a picture the window draws.
pub fn grey_pixels(width: u32, height: u32, grey: &[u8]) -> Image {
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(width, height);
    for (pixel, grey) in buffer.make_mut_slice().iter_mut().zip(grey) {
        *pixel = Rgb8Pixel {
            r: *grey,
            g: *grey,
            b: *grey,
        };
    }
    Image::from_rgb8(buffer)
}

/// The start screen's offer to continue: a time and a step, nothing personal.
pub fn resume_offer(unfinished: &UnfinishedOffer, english: bool) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(&unfinished.updated_at)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%m/%d %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    if english {
        format!(
            "A case was left unfinished ({at}, at “{}”). Continue it?",
            unfinished.step
        )
    } else {
        format!(
            "途中で終わった受付があります（{at}、{}の段階）。続けますか。",
            step_ja(&unfinished.step)
        )
    }
}

fn step_ja(step: &str) -> &str {
    match step {
        "household" => "世帯の入力",
        "interview" => "質問",
        "result" => "手続きの確認",
        "review" => "書類の確認",
        other => other,
    }
}

#[cfg(test)]
mod ruby_tests {
    use slint::Model;

    use super::ruby_phrases;

    /// Each phrase as `base《reading》` pieces joined, phrases separated by `|`.
    fn shown(marked: &str) -> String {
        ruby_phrases(marked)
            .iter()
            .map(|phrase| {
                phrase
                    .pieces
                    .iter()
                    .map(|p| {
                        if p.reading.is_empty() {
                            p.base.to_string()
                        } else {
                            format!("{}《{}》", p.base, p.reading)
                        }
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn phrases_break_after_spaces_and_punctuation_keeping_kanji_with_their_readings() {
        assert_eq!(
            shown("ほかの 市町村《しちょうそん》から 引《ひ》っ越《こ》して 来《き》た"),
            "ほかの |市町村《しちょうそん》から |引《ひ》っ越《こ》して |来《き》た"
        );
        assert_eq!(
            shown("自分《じぶん》の カード、運転免許証《うんてんめんきょしょう》など"),
            "自分《じぶん》の |カード、|運転免許証《うんてんめんきょしょう》など"
        );
        // A full-width space is a phrase break too; leading spaces are dropped.
        assert_eq!(
            shown("　本庁舎《ほんちょうしゃ》　1階《かい》"),
            "本庁舎《ほんちょうしゃ》 |1階《かい》"
        );
    }

    #[test]
    fn a_long_plain_run_may_break_and_broken_marks_give_no_ruby() {
        assert_eq!(shown("マイナンバーカードです"), "マイナンバーカードで|す");
        assert!(ruby_phrases("窓口《まどぐち").is_empty());
        assert!(ruby_phrases("").is_empty());
    }
}
