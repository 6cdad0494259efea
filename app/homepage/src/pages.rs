//! The pages, as server-rendered HTML that works without JavaScript and on a phone. Every step
//! is one form posting to `/`; fields of other steps ride along as hidden inputs.

use std::collections::BTreeSet;

use madoguchi_domain::foreign::RESIDENCE_STATUSES;
use madoguchi_domain::{CertificateKind, EventKind, ForeignCategory, Language, Zokugara};
use madoguchi_prefill::Prefill;
use madoguchi_rules::catalogue::QuestionKind;
use madoguchi_rules::catalogue::Text;
use madoguchi_rules::decision::{NextQuestion, ProcedureDecision};
use madoguchi_rules::{Catalogue, Decision};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::form::{FieldError, Fields, MAX_MEMBERS, PAGE, Step, event_date_key, kind_id};
use crate::text;
use madoguchi_words::Offered;

const STYLE: &str = include_str!("style.css");
const STEPS: usize = 5;

/// What a page needs besides its own content.
pub struct Page<'a> {
    pub catalogue: &'a Catalogue,
    pub languages: &'a Offered,
    pub fields: &'a Fields,
    pub step: Step,
    pub errors: &'a [FieldError],
}

impl Page<'_> {
    fn lang(&self) -> Language {
        self.fields.lang()
    }

    /// The page's own word in the page's language.
    fn t<'b>(&self, ja: &'b str, en: &'b str) -> &'b str {
        text::pick(self.lang(), ja, en)
    }

    /// A catalogue text in the page's language (English as the catalogue writes it, with a
    /// capital letter where it starts a label).
    fn text(&self, text: &Text) -> String {
        match self.lang() {
            Language::English => capitalised(&text.en),
            language => text.get(language).to_string(),
        }
    }

    /// A question's or an answer's wording: in Japanese the plain one (やさしい日本語, with its
    /// ルビ marks), else the language's.
    fn plain<'t>(&self, text: &'t Text) -> &'t str {
        let language = self.lang();
        text.get(if language.is_japanese() {
            Language::Easy
        } else {
            language
        })
    }

    /// The catalogue's events other than the moves, which the first step asks about below the
    /// moves' own fields.
    fn other_events(&self) -> impl Iterator<Item = &madoguchi_rules::catalogue::EventDef> {
        self.catalogue
            .events
            .iter()
            .filter(|e| !crate::form::is_move(e.id))
    }

    fn error_for(&self, field: &str) -> Markup {
        html! {
            @for e in self.errors.iter().filter(|e| e.field == field) {
                p.error id={ "err-" (field) } role="alert" { (e.message.get(self.lang())) }
            }
        }
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// A labelled text-like input with its error.
    fn input(&self, name: &str, label: &str, kind: &str, hint: Option<&str>) -> Markup {
        let invalid = self.has_error(name);
        html! {
            div.field {
                label for=(name) { (label) }
                @if let Some(hint) = hint { p.hint { (hint) } }
                input id=(name) name=(name) type=(kind) value=(self.fields.get(name))
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[invalid.then(|| format!("err-{name}"))];
                (self.error_for(name))
            }
        }
    }

    /// Member `i` as the resident typed them: their name, else 「人 2」.
    fn member_name(&self, i: usize) -> String {
        let name = self.fields.get(&format!("m{i}_name")).trim();
        if name.is_empty() {
            person(self.lang(), i)
        } else {
            name.to_string()
        }
    }

    /// A labelled list to choose from, with its error.
    fn select(&self, name: &str, label: &str, options: &[(&str, &str)]) -> Markup {
        let current = self.fields.get(name);
        html! {
            div.field {
                label for=(name) { (label) }
                select id=(name) name=(name) {
                    @for (value, words) in options {
                        option value=(value) selected[current == *value] { (words) }
                    }
                }
                (self.error_for(name))
            }
        }
    }

    fn radios(
        &self,
        name: &str,
        legend: impl maud::Render,
        options: &[(&str, impl maud::Render)],
    ) -> Markup {
        let current = self.fields.get(name);
        html! {
            fieldset.field {
                legend { (legend) }
                @for (value, label) in options {
                    label.choice {
                        input type="radio" name=(name) value=(value) checked[current == *value];
                        span { (label) }
                    }
                }
                (self.error_for(name))
            }
        }
    }

    /// The page around `body`, with every field not in `visible` as a hidden input.
    fn layout(&self, visible: &BTreeSet<String>, body: Markup) -> Markup {
        let lang = self.lang();
        html! {
            (DOCTYPE)
            html lang=(lang.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="referrer" content="no-referrer";
                    title { (self.t("窓口の事前入力", "Prepare your visit to the city office")) }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    form method="post" action="/" novalidate {
                        header {
                            p.site { (self.t("書かない窓口・事前入力", "No-writing counter: prepare at home")) }
                            (self.language_list())
                        }
                        @if self.languages.drafts.contains(&lang) {
                            p.draft role="note" { (self.t(
                                "この言語の文は機械翻訳で、まだ確認されていません。わからないときは、窓口で聞いてください。",
                                "The words in this language were translated by machine and not yet checked. If something is unclear, ask at the counter."
                            )) }
                        }
                        @if self.step != Step::Result {
                            p.progress { (self.t("ステップ", "Step")) " " (self.step.number()) " / " (STEPS) }
                        }
                        @if !self.errors.is_empty() {
                            div.summary role="alert" {
                                @let page: Vec<_> = self.errors.iter().filter(|e| e.field == PAGE).collect();
                                @if page.is_empty() {
                                    (self.t("直すところがあります。赤い字を見てください。", "Please correct the fields marked in red."))
                                }
                                @for e in page {
                                    p { (e.message.get(lang)) }
                                }
                            }
                        }
                        main { (body) }
                        input type="hidden" name="step" value=(self.step.id());
                        @for (key, value) in &self.fields.0 {
                            @if !visible.contains(key) && key != "step" {
                                input type="hidden" name=(key) value=(value);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Every language the page offers, each named in itself (a resident who cannot read the
    /// page's language still finds theirs); choosing one keeps everything typed so far.
    fn language_list(&self) -> Markup {
        let current = self.lang();
        html! {
            nav.languages aria-label="言語 Language" {
                @for &language in &self.languages.languages {
                    @if language == current {
                        span.current lang=(language.code()) aria-current="true" { (language.native_name()) }
                    } @else {
                        button.link type="submit" name="action" value={ "lang-" (language.code()) }
                            lang=(language.code()) formnovalidate { (language.native_name()) }
                    }
                }
            }
        }
    }

    fn nav(&self, next: &str) -> Markup {
        html! {
            div.nav {
                @if self.step != Step::Start {
                    button.secondary type="submit" name="action" value="back" { (self.t("もどる", "Back")) }
                }
                button.primary type="submit" name="action" value="next" { (next) }
            }
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

pub fn start(page: &Page<'_>) -> Markup {
    let t = |ja, en| page.t(ja, en);
    let mut visible = set(&[
        "event",
        "move_date",
        "visit_date",
        "moved_out_date",
        "previous_address",
        "new_address",
        "new_postal",
        "new_building",
        "next_address",
        "phone",
    ]);
    let others: Vec<_> = page.other_events().collect();
    for event in &others {
        visible.insert(event_date_key(event.id, None));
        for date in &event.dates {
            visible.insert(event_date_key(event.id, Some(date.id)));
        }
    }
    let moves = [
        (
            "tennyu",
            t(
                "ほかの市町村から引っ越してきた（転入）",
                "Moving here from another city (転入)",
            ),
        ),
        (
            "tenkyo",
            t(
                "市の中で引っ越した（転居）",
                "Moving within the city (転居)",
            ),
        ),
        (
            "tenshutsu",
            t(
                "ほかの市町村へ引っ越す（転出）",
                "Moving out of the city (転出)",
            ),
        ),
    ];
    let choices: Vec<(&str, String)> = moves
        .iter()
        .map(|(id, label)| (*id, (*label).to_owned()))
        .chain(others.iter().map(|e| (e.id.id(), page.text(&e.name))))
        .collect();
    let body = html! {
        h1 { (t("市役所の手続きを、家で準備できます", "Prepare your city hall procedures at home")) }
        p { (t("答えると、QRコードができます。窓口でQRコードを見せると、書類に書かなくてよくなります。この画面は何も保存しません。",
               "Answer a few questions to make a QR code. Show it at the counter and you will not need to fill in forms. Nothing you type here is stored.")) }
        (page.radios("event", t("何の手続きですか", "What are the procedures for?"), &choices))
        (page.input("visit_date", t("窓口に来る日", "The day you will visit the counter"), "date", None))
        h2 { (t("引っ越し（転入・転居・転出）のとき", "For a move")) }
        (page.input("move_date", t("引っ越しの日（住み始めた日）", "Moving day (the day you started living there)"), "date", None))
        (page.input("new_address", t("新しい住所（転入・転居）", "New address (moving in or within the city)"), "text", None))
        (page.input("new_building", t("新しい住所の建物名・部屋番号（方書）", "Building and room of the new address"), "text", Some(t("例：さくらハイツ201（ないときは空けておく）", "e.g. Sakura Heights 201 (leave empty if none)"))))
        (page.input("new_postal", t("新しい住所の郵便番号", "Postal code of the new address"), "text", Some(t("例：123-4567", "e.g. 123-4567"))))
        (page.input("previous_address", t("前の住所（転入・転居）", "Previous address (moving in or within the city)"), "text", None))
        (page.input("moved_out_date", t("前の市町村に届けた転出の日（転入）", "Moving-out date given to your previous city (moving in)"), "date", None))
        (page.input("next_address", t("引っ越し先の住所（転出）", "Your next address (moving out)"), "text", None))
        @for event in &others {
            h2 { (page.text(&event.name)) }
            (page.input(&event_date_key(event.id, None), &page.text(&event.date.name), "date", None))
            @for date in &event.dates {
                (page.input(&event_date_key(event.id, Some(date.id)), &page.text(&date.name), "date",
                    Some(t("わからないときは、空けておいてください", "Leave it empty if you do not know"))))
            }
        }
        (page.input("phone", t("電話番号（書類の連絡先。なくてもかまいません）", "Telephone number (the forms' contact; optional)"), "tel", Some(t("例：046-822-4000", "e.g. 046-822-4000"))))
        (page.nav(t("次へ", "Next")))
    };
    page.layout(&visible, body)
}

pub fn household(page: &Page<'_>) -> Markup {
    let t = |ja, en| page.t(ja, en);
    let n = page.fields.members();
    let mut visible = set(&["members", "joining_head", "previous_head"]);
    for i in 0..n {
        for part in crate::form::MEMBER_PARTS {
            visible.insert(format!("m{i}_{part}"));
        }
    }
    // A 続柄 as the 住民票 writes it; in a translated language with its English beside it.
    let relations: Vec<(&str, String)> = Zokugara::all()
        .map(|z| {
            let label = match page.lang() {
                language if language.is_japanese() => z.word().to_string(),
                Language::English => z.en().to_string(),
                _ => format!("{} ({})", z.word(), z.en()),
            };
            (z.word(), label)
        })
        .collect();
    let statuses: Vec<(&str, &str)> = std::iter::once(("", t("（選ぶ）", "(choose)")))
        .chain(RESIDENCE_STATUSES.iter().map(|s| (*s, *s)))
        .collect();
    let categories: Vec<(&str, &str)> = std::iter::once(("", t("（選ぶ）", "(choose)")))
        .chain(ForeignCategory::ALL.into_iter().map(|c| (c.id(), c.ja())))
        .collect();
    // An event about one member (a death, a birth) asks the whole household and who it is.
    let other_event = EventKind::new(page.fields.get("event"))
        .ok()
        .filter(|kind| !crate::form::is_move(*kind))
        .and_then(|kind| page.catalogue.event(kind));
    let subject = other_event.and_then(|e| e.subject.as_ref());
    if subject.is_some() {
        visible.insert("subject".to_owned());
    }
    let body = html! {
        @if let Some(event) = other_event {
            h1 { (t("世帯の人", "Your household")) " — " (page.text(&event.name)) }
            p { (t("同じ世帯の人を、全員入れてください。1人目は、窓口に来る人です。", "Enter everyone in the household. The first person is the one who comes to the counter.")) }
        } @else {
            h1 { (t("引っ越す人", "Who is moving")) }
            p { (t("いっしょに引っ越す人を、全員入れてください。1人目は、窓口に来る人です。", "Enter everyone who moves with you. The first person is the one who comes to the counter.")) }
        }
        input type="hidden" name="members" value=(n);
        @for i in 0..n {
            @let key = |part: &str| format!("m{i}_{part}");
            fieldset.member {
                legend { (person(page.lang(), i)) }
                @if let Some(subject) = &subject {
                    @if i > 0 {
                        label.choice {
                            input type="radio" name="subject" value=(i) checked[page.fields.get("subject") == i.to_string()];
                            span { (text::Message::new("この人が{who}", "This is {who}").with("who", (*subject).clone()).get(page.lang())) }
                        }
                    }
                }
                (page.input(&key("name"), t("名前", "Name"), "text", Some(t("住民票やマイナンバーカードと同じ字で", "As written on your residence record or card"))))
                (page.input(&key("kana"), t("ふりがな", "Name reading (kana)"), "text", Some(t("ひらがな か カタカナ", "Hiragana or katakana"))))
                (page.input(&key("birth"), t("生まれた日", "Date of birth"), "date", None))
                (page.radios(&key("sex"), t("性別", "Sex"), &[("male", t("男", "Male")), ("female", t("女", "Female"))]))
                div.field {
                    label for=(key("relation")) { (t("世帯主との続柄", "Relation to the head of household")) }
                    select id=(key("relation")) name=(key("relation")) {
                        @for (id, label) in &relations {
                            option value=(id) selected[page.fields.get(&key("relation")) == *id || (page.fields.get(&key("relation")).is_empty() && i == 0 && *id == Zokugara::HEAD.word())] { (label) }
                        }
                    }
                }
                (page.radios(&key("nationality"), t("国籍", "Nationality"), &[("japanese", t("日本", "Japanese")), ("foreign", t("日本以外", "Other"))]))
                // Shown unless 日本 is chosen (the style sheet hides it then).
                div.foreign {
                (page.input(&key("country"), t("国籍・地域（日本以外の人）", "Nationality or region (if not Japanese)"), "text", None))
                (page.input(&key("card"), t("在留カード・特別永住者証明書の番号（日本以外の人）", "Residence card or special permanent resident certificate number"), "text", Some(t("カードの右上の12文字。例：AB12345678CD", "The 12 characters at the top right of the card, e.g. AB12345678CD"))))
                (page.select(&key("status"), t("在留資格（カードのとおり）", "Status of residence (as on the card)"), &statuses))
                (page.input(&key("until"), t("在留期間の満了日（カードのとおり）", "Period of stay ends on (as on the card)"), "date", None))
                (page.select(&key("category"), t("住民票の区分", "Category on the residence record"), &categories))
                (page.input(&key("alias"), t("通称（登録している人だけ）", "Registered alias (only if you have one)"), "text", None))
                }
                @if i > 0 {
                    button.secondary type="submit" name="action" value={ "remove_" (i) } { (t("この人を消す", "Remove this person")) }
                }
            }
        }
        (page.error_for("subject"))
        @if n < MAX_MEMBERS {
            button.secondary type="submit" name="action" value="add_member" { (t("人を追加する", "Add a person")) }
        }
        @if other_event.is_none() {
        h2 { (t("世帯主", "Head of household")) }
        (page.input("joining_head", t("引っ越す先の世帯主（引っ越す人の中にいないとき）", "Head of the household you join (if not one of the people moving)"), "text", Some(t("家族の世帯に入るときなど。続柄は、この人から見て選んでください。", "For example when you join a relative's household; choose each relation as seen from this person."))))
        (page.input("previous_head", t("前の住所の世帯主（引っ越す人の中の世帯主と違うとき）", "Head of household at your previous address (if someone else)"), "text", None))
        }
        (page.nav(t("次へ", "Next")))
    };
    page.layout(&visible, body)
}

pub fn questions(page: &Page<'_>, questions: &[NextQuestion]) -> Markup {
    let t = |ja, en| page.t(ja, en);
    let mut visible = BTreeSet::new();
    for q in questions {
        visible.insert(format!("q_{}", q.id));
        visible.insert(format!("u_{}", q.id));
        for i in &q.members {
            visible.insert(format!("n{i}_{}", q.id));
        }
    }
    let body = html! {
        h1 { (t("質問", "Questions")) }
        p { (t("わからないときは「わからない」を選んでください。窓口で一緒に確認します。", "If you are not sure, choose “I don't know”. The clerk will check with you.")) }
        @for q in questions {
            @let name = format!("q_{}", q.id);
            @let text = page.plain(&q.text);
            @match q.kind {
                QuestionKind::YesNo | QuestionKind::Choice => {
                    @let options: Vec<(&str, Markup)> = q.options.iter().map(|o| (o.id.as_str(), ruby(page.plain(&o.text)))).collect();
                    (page.radios(&name, ruby(text), &options))
                }
                QuestionKind::Members => {
                    fieldset.field {
                        legend { (ruby(text)) }
                        @for i in &q.members {
                            @let key = format!("n{i}_{}", q.id);
                            label.choice {
                                input type="checkbox" name=(key) value="1" checked[!page.fields.get(&key).is_empty()];
                                span { (page.member_name(*i)) }
                            }
                        }
                        @for option in &q.options {
                            label.choice {
                                input type="radio" name=(name) value=(option.id) checked[page.fields.get(&name) == option.id];
                                span { (ruby(page.plain(&option.text))) }
                            }
                        }
                    }
                }
                QuestionKind::Number { .. } | QuestionKind::Date => {
                    fieldset.field {
                        legend { (ruby(text)) }
                        input name=(name) type=(if q.kind == QuestionKind::Date { "date" } else { "number" }) value=(page.fields.get(&name)) aria-label=(madoguchi_domain::ruby::base_text(text));
                        label.choice {
                            input type="checkbox" name={ "u_" (q.id) } value="unknown" checked[!page.fields.get(&format!("u_{}", q.id)).is_empty()];
                            span { (t("わからない", "I don't know")) }
                        }
                    }
                }
            }
        }
        (page.nav(t("次へ", "Next")))
    };
    page.layout(&visible, body)
}

pub fn certificates(page: &Page<'_>) -> Markup {
    let t = |ja, en| page.t(ja, en);
    let mut visible = BTreeSet::new();
    for kind in CertificateKind::ALL {
        visible.insert(format!("cert_{}", kind_id(kind)));
    }
    let body = html! {
        h1 { (t("その日にほしい証明書", "Certificates you need on the day")) }
        p { (t("いらないときは 0 のままにしてください。", "Leave 0 if you need none.")) }
        @for kind in CertificateKind::ALL {
            @let name = format!("cert_{}", kind_id(kind));
            div.field {
                label for=(name) { (capitalised(t(kind.ja(), kind.en()))) " " (t("（通数）", "(copies)")) }
                input id=(name) name=(name) type="number" min="0" max="9" inputmode="numeric"
                    value=(if page.fields.get(&name).is_empty() { "0" } else { page.fields.get(&name) });
                (page.error_for(&name))
            }
        }
        (page.nav(t("QRコードを作る", "Make my QR code")))
    };
    page.layout(&visible, body)
}

pub fn result(
    page: &Page<'_>,
    prefill: &Prefill,
    symbols: &[String],
    decision: &Decision,
) -> Markup {
    let t = |ja, en| page.t(ja, en);
    let lang = page.lang();
    let body = html! {
        h1 { (t("QRコードができました", "Your QR code is ready")) }
        p { (t("印刷するか、スマートフォンの画面のまま、窓口で見せてください。", "Print it, or show it on your phone at the counter.")) }
        @if symbols.len() > 1 {
            p.notice { (text::Message::new("QRコードが{n}つあります。全部見せてください。", "There are {n} QR codes. Show all of them.").with_number("n", symbols.len()).get(lang)) }
        }
        div.codes {
            @for (i, symbol) in symbols.iter().enumerate() {
                figure.code {
                    @match madoguchi_prefill::render::svg(symbol, 320) {
                        Ok(svg) => (PreEscaped(svg)),
                        Err(_) => p.error { (t("QRコードを作れませんでした。", "The QR code could not be made.")) },
                    }
                    @if symbols.len() > 1 { figcaption { (i + 1) " / " (symbols.len()) } }
                }
            }
        }
        p.validity { (t("使える期限：", "Valid until: ")) (prefill.expires.format("%Y-%m-%d")) }
        div.nav.noprint {
            button.primary type="button" onclick="window.print()" { (t("印刷する", "Print")) }
            noscript { p.hint { (t("ブラウザのメニューから印刷してください。", "Use your browser's menu to print.")) } }
            button.secondary type="submit" name="action" value="back" { (t("もどって直す", "Back to correct")) }
        }
        h2 { (t("必要になりそうな手続き", "Procedures you will probably need")) }
        ul.procedures {
            @for p in &decision.procedures { (procedure(lang, p)) }
        }
        @if !decision.to_confirm.is_empty() {
            h2 { (t("窓口で確認する手続き", "To check at the counter")) }
            ul.procedures {
                @for p in &decision.to_confirm { (procedure(lang, p)) }
            }
        }
        @if !decision.coming.is_empty() {
            h2 { (t("これからの節目（年齢により変わること）", "Coming soon (changes with age)")) }
            ul.procedures {
                @for c in &decision.coming {
                    li {
                        strong { (c.wareki) "（" (c.date.format("%Y-%m-%d")) "）" }
                        " " (c.name.get(lang))
                        br;
                        span.hint { (c.todo.get(lang)) }
                    }
                }
            }
        }
        p.hint { (t("この案内は答えをもとにした目安です。窓口で確認します。", "This list is a guide based on your answers; the clerk will confirm it.")) }
    };
    page.layout(&BTreeSet::new(), body)
}

/// A plain-Japanese text with its ルビ marks as HTML ruby: the browser sets the reading over
/// the kanji.
fn ruby(text: &str) -> Markup {
    match madoguchi_domain::ruby::parse(text) {
        Ok(segments) => html! {
            @for segment in segments {
                @match segment.reading {
                    Some(reading) => ruby { (segment.base) rp { "（" } rt { (reading) } rp { "）" } },
                    None => (segment.base),
                }
            }
        },
        Err(_) => html! { (text) },
    }
}

fn procedure(lang: Language, p: &ProcedureDecision) -> Markup {
    let separator = if lang.spaces_words() { ", " } else { "、" };
    html! {
        li {
            strong { (p.name.get(lang)) }
            @if lang == Language::Japanese && !p.name.easy.is_empty() { " " span.hint { "（" (ruby(&p.name.easy)) "）" } }
            " — " (p.counter.name.get(lang))
            @if let Some(deadline) = &p.deadline {
                br;
                span.deadline class=[p.critical.then_some("critical")] {
                    (text::pick(lang, "期限：", "Deadline: ")) (deadline.wareki) "（" (deadline.date.format("%Y-%m-%d")) "）"
                }
                @if let Some(moved) = &deadline.moved {
                    " " span.hint { (moved.why.get(lang)) }
                }
            }
            @if !p.bring.is_empty() {
                br;
                (text::pick(lang, "持ち物：", "Bring: "))
                @for (i, item) in p.bring.iter().enumerate() {
                    @if i > 0 { (separator) }
                    (item.get(lang))
                }
            }
        }
    }
}

/// 「人 2」: member `i` before they have a name.
fn person(lang: Language, i: usize) -> String {
    text::Message::new("人 {n}", "Person {n}")
        .with_number("n", i + 1)
        .get(lang)
}
