//! The guidance sheet's own words in every language a session runs in. Japanese, やさしい日本語
//! (the guideline's 短い文, kanji with ルビ marks as `madoguchi_domain::ruby` reads them,
//! です・ます) and English are written here; the other languages come from the gettext
//! catalogues (`madoguchi_words`, `madoguchi-sheet.po`), found by each word's role and its
//! Japanese here, and print with that Japanese beside their labels and title so that a clerk
//! reads the sheet too. A word a catalogue lacks reads the English. The catalogue's texts come
//! in already in the sheet's language.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use madoguchi_domain::{Language, wareki};
use madoguchi_words::{Domain, fill};

/// The language a guidance sheet is printed in: the one the session ran in.
pub type SheetLanguage = Language;

/// A word of the sheet; `{name}` marks are filled when it is printed.
pub(crate) struct Words {
    pub(crate) title: &'static str,
    /// The title after a death: 「おくやみ手続きのご案内」.
    pub(crate) condolence_title: &'static str,
    /// The opening after a death: condolences before the route.
    pub(crate) condolence_intro: &'static str,
    /// 「先に済ませる手続き」: procedures of the sheet that must come first.
    pub(crate) after: &'static str,
    pub(crate) reception: &'static str,
    /// `{date}`
    made_on: &'static str,
    /// `{name}`, `{n}`; `household_one` for one person, where the language says it otherwise.
    household: &'static str,
    household_one: Option<&'static str>,
    /// `{event}`
    intro: &'static str,
    pub(crate) important: &'static str,
    /// Before a critical procedure's name: 「【重要】」.
    pub(crate) important_tag: &'static str,
    pub(crate) open: &'static str,
    pub(crate) close: &'static str,
    pub(crate) and: &'static str,
    pub(crate) legend: &'static str,
    pub(crate) route: &'static str,
    pub(crate) elsewhere: &'static str,
    pub(crate) external: &'static str,
    pub(crate) external_heading: &'static str,
    pub(crate) who: &'static str,
    pub(crate) deadline_label: &'static str,
    /// `{date}`
    deadline: &'static str,
    pub(crate) overdue: &'static str,
    pub(crate) why: &'static str,
    pub(crate) bring: &'static str,
    pub(crate) fee: &'static str,
    /// `{what}`, `{yen}`
    fee_each: &'static str,
    /// `{what}`, `{copies}`, `{total}`; `fee_copies_one` for one copy, where it differs.
    fee_copies: &'static str,
    fee_copies_one: Option<&'static str>,
    pub(crate) forms: &'static str,
    pub(crate) filled: &'static str,
    pub(crate) to_fill: &'static str,
    pub(crate) done: &'static str,
    pub(crate) to_confirm: &'static str,
    pub(crate) to_ask: &'static str,
    pub(crate) coming: &'static str,
    pub(crate) footer: &'static str,
    pub(crate) continued: &'static str,
    pub(crate) separator: &'static str,
    pub(crate) colon: &'static str,
    /// Between two reasons of one procedure.
    pub(crate) reasons: &'static str,
    /// `{building}`, `{n}`
    floor: &'static str,
    basement: &'static str,
    /// The roles a translated language's catalogue lacks (they read the English): empty for
    /// the shipped catalogues, as a test keeps them.
    pub(crate) missing: Vec<&'static str>,
}

impl Words {
    pub(crate) fn title_for(&self, condolence: bool) -> &'static str {
        if condolence {
            self.condolence_title
        } else {
            self.title
        }
    }

    pub(crate) fn made_on(&self, date: &str) -> String {
        fill(self.made_on, &[("date", date)])
    }

    pub(crate) fn household(&self, name: &str, n: usize) -> String {
        let template = match self.household_one {
            Some(one) if n == 1 => one,
            _ => self.household,
        };
        fill(template, &[("name", name), ("n", &n.to_string())])
    }

    pub(crate) fn intro(&self, event: &str) -> String {
        fill(self.intro, &[("event", event)])
    }

    pub(crate) fn deadline(&self, date: &str) -> String {
        fill(self.deadline, &[("date", date)])
    }

    pub(crate) fn fee_each(&self, what: &str, yen: u32) -> String {
        fill(self.fee_each, &[("what", what), ("yen", &yen.to_string())])
    }

    pub(crate) fn fee_copies(&self, what: &str, copies: u8, yen: u32) -> String {
        let template = match self.fee_copies_one {
            Some(one) if copies == 1 => one,
            _ => self.fee_copies,
        };
        let total = (u32::from(copies) * yen).to_string();
        fill(
            template,
            &[
                ("what", what),
                ("copies", &copies.to_string()),
                ("total", &total),
            ],
        )
    }
}

/// What the sheet needs of its language besides the words.
pub trait SheetText {
    /// Whether texts carry ルビ marks to set.
    fn ruby(self) -> bool;
    /// One date style per language: 令和8年4月13日（2026年4月13日） on every Japanese sheet, as
    /// English readers write it, or as the language's catalogue writes it (`date`, months).
    fn date(self, date: NaiveDate) -> String;
    /// 「本庁舎2階」, 「本庁舎 2階《かい》」, "Main building, floor 2".
    fn floor(self, building: &str, floor: i32) -> String;
    /// Why a deadline is the day after the count, in a translated language: 「{date}は閉庁日の
    /// ため翌開庁日」 (the Japanese sheets name the holiday; the catalogue translates no
    /// holiday names).
    fn closed_day(self, counted: NaiveDate) -> String;
}

/// The sheet's words `language`'s catalogue lacks (they print in English): none for the
/// shipped catalogues; a city that edits one sees what it left out.
pub fn missing_words(language: Language) -> Vec<&'static str> {
    words(language).missing.clone()
}

/// The sheet's words in `language`.
pub(crate) fn words(language: Language) -> &'static Words {
    match language {
        Language::Japanese => &JAPANESE,
        Language::Easy => &EASY,
        Language::English => &ENGLISH,
        other => translated(other),
    }
}

impl SheetText for Language {
    fn ruby(self) -> bool {
        self == Language::Easy
    }

    fn date(self, date: NaiveDate) -> String {
        match self {
            Language::Japanese | Language::Easy => both_calendars(date),
            Language::English => date.format("%-d %B %Y").to_string(),
            other => translated_date(other, date),
        }
    }

    fn floor(self, building: &str, floor: i32) -> String {
        let words = words(self);
        let template = if floor < 0 {
            words.basement
        } else {
            words.floor
        };
        // Floors keep the digits the counters' numbers are printed in.
        let n = floor.unsigned_abs().to_string();
        fill(template, &[("building", building), ("n", &n)])
    }

    fn closed_day(self, counted: NaiveDate) -> String {
        let template = madoguchi_words::catalog(self, Domain::Sheet)
            .and_then(|c| c.get("moved", "{date}は閉庁日のため翌開庁日"))
            .unwrap_or("{date}: the office is closed, so the next day it is open");
        fill(template, &[("date", &self.date(counted))])
    }
}

/// Both calendars, as residents read either: 令和8年12月7日（2026年12月7日）.
pub fn both_calendars(date: NaiveDate) -> String {
    let western = format!("{}年{}月{}日", date.year(), date.month(), date.day());
    match wareki::format(date) {
        Ok(japanese) => format!("{japanese}（{western}）"),
        Err(_) => western,
    }
}

/// The words of a translated language, built once per process from its catalogue.
fn translated(language: Language) -> &'static Words {
    static BUILT: OnceLock<HashMap<Language, Words>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        Language::TRANSLATED
            .into_iter()
            .map(|l| (l, translate_words(l)))
            .collect()
    });
    built.get(&language).unwrap_or(&ENGLISH)
}

/// Looks up each Japanese word by its role; a word with no translation reads the English.
/// Labels and headings keep the Japanese beside them: 「Hạn chót（期限）」.
fn translate_words(language: Language) -> Words {
    let catalog = madoguchi_words::catalog(language, Domain::Sheet);
    let missing = std::cell::RefCell::new(Vec::new());
    let word = |role: &'static str, japanese: &'static str, english: &'static str| match catalog
        .and_then(|c| c.get(role, japanese))
    {
        Some(own) => leak(own),
        None => {
            missing.borrow_mut().push(role);
            english
        }
    };
    let open = word("open", JAPANESE.open, ENGLISH.open);
    let close = word("close", JAPANESE.close, ENGLISH.close);
    let with_japanese = |role: &'static str, japanese: &'static str, english: &'static str| {
        let own = word(role, japanese, english);
        leak(&format!("{own}{open}{japanese}{close}"))
    };
    let j = &JAPANESE;
    let e = &ENGLISH;
    Words {
        title: word("title", j.title, e.title),
        condolence_title: word("condolence_title", j.condolence_title, e.condolence_title),
        condolence_intro: word("condolence_intro", j.condolence_intro, e.condolence_intro),
        after: with_japanese("after", j.after, e.after),
        reception: word("reception", j.reception, e.reception),
        made_on: word("made_on", j.made_on, e.made_on),
        household: word("household", j.household, e.household),
        household_one: None,
        intro: word("intro", j.intro, e.intro),
        important: word("important", j.important, e.important),
        important_tag: word("important_tag", j.important_tag, e.important_tag),
        open,
        close,
        and: word("and", j.and, e.and),
        legend: word("legend", j.legend, e.legend),
        route: with_japanese("route", j.route, e.route),
        elsewhere: word("elsewhere", j.elsewhere, e.elsewhere),
        external: word("external", j.external, e.external),
        external_heading: with_japanese("external_heading", j.external_heading, e.external_heading),
        who: with_japanese("who", j.who, e.who),
        deadline_label: with_japanese("deadline_label", j.deadline_label, e.deadline_label),
        deadline: word("deadline", j.deadline, e.deadline),
        overdue: word("overdue", j.overdue, e.overdue),
        why: with_japanese("why", j.why, e.why),
        bring: with_japanese("bring", j.bring, e.bring),
        fee: with_japanese("fee", j.fee, e.fee),
        fee_each: word("fee_each", j.fee_each, e.fee_each),
        fee_copies: word("fee_copies", j.fee_copies, e.fee_copies),
        fee_copies_one: None,
        forms: with_japanese("forms", j.forms, e.forms),
        filled: word("filled", j.filled, e.filled),
        to_fill: word("to_fill", j.to_fill, e.to_fill),
        done: j.done,
        to_confirm: with_japanese("to_confirm", j.to_confirm, e.to_confirm),
        to_ask: with_japanese("to_ask", j.to_ask, e.to_ask),
        coming: with_japanese("coming", j.coming, e.coming),
        footer: word("footer", j.footer, e.footer),
        continued: word("continued", j.continued, e.continued),
        separator: word("separator", j.separator, e.separator),
        colon: word("colon", j.colon, e.colon),
        reasons: word("reasons", j.reasons, e.reasons),
        floor: word("floor", j.floor, e.floor),
        basement: word("basement", j.basement, e.basement),
        missing: missing.take(),
    }
}

/// The words of the seven translated languages live as long as the process: built once each.
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

/// 「ngày 13 tháng 4 năm 2026」: the catalogue's date pattern with its month names and digits.
fn translated_date(language: Language, date: NaiveDate) -> String {
    let catalog = madoguchi_words::catalog(language, Domain::Sheet);
    let Some(pattern) = catalog.and_then(|c| c.get("date", "{y}年{m}月{d}日")) else {
        return date.format("%-d %B %Y").to_string();
    };
    let month_ja = format!("{}月", date.month());
    let month = catalog
        .and_then(|c| c.get(&format!("month.{}", date.month()), &month_ja))
        .unwrap_or(&month_ja);
    let filled = fill(
        pattern,
        &[
            ("y", &date.year().to_string()),
            ("m", &date.month().to_string()),
            ("d", &date.day().to_string()),
            ("month", month),
        ],
    );
    digits(language, &filled)
}

/// Writes a date's ASCII digits in the language's own (Devanagari for नेपाली), as its catalogue
/// gives them (`digits`).
fn digits(language: Language, text: &str) -> String {
    let own: Vec<char> = madoguchi_words::catalog(language, Domain::Sheet)
        .and_then(|c| c.get("digits", "0123456789"))
        .map(|d| d.chars().collect())
        .unwrap_or_default();
    if own.len() != 10 {
        return text.to_string();
    }
    text.chars()
        .map(|c| c.to_digit(10).map_or(c, |d| own[d as usize]))
        .collect()
}

static JAPANESE: Words = Words {
    title: "窓口案内シート",
    condolence_title: "おくやみ手続きのご案内",
    condolence_intro: "このたびは、心よりお悔やみ申し上げます。お亡くなりになった方に関する手続きのご案内です。下の番号の順に窓口へお進みください。記入済みの申請書は、内容を確認して署名してください。済んだ手続きは「□ 済」に印をつけてください。ご不明な点は、どの窓口でもお尋ねください。",
    after: "先に済ませる手続き",
    reception: "受付番号",
    made_on: "{date} 作成",
    household: "{name} 様の世帯（{n}人）",
    household_one: None,
    intro: "{event}の手続きのご案内です。下の番号の順に窓口へお進みください。記入済みの申請書は、内容を確認して署名してください。済んだ手続きは「□ 済」に印をつけてください。",
    important: "重要",
    important_tag: "【重要】",
    open: "（",
    close: "）",
    and: "・",
    legend: "太枠の手続きは、期限を過ぎると手当や助成を受けられない月が出るなど、不利益がある手続きです。必ず期限内に済ませてください。",
    route: "まわる順",
    elsewhere: "市役所以外",
    external: "市役所以外の窓口です（ご自身でお手続きください）",
    external_heading: "市役所以外の手続き（それぞれの窓口で、ご自身でお手続きください）",
    who: "対象",
    deadline_label: "期限",
    deadline: "{date}まで",
    overdue: "（期限を過ぎています。窓口でご相談ください）",
    why: "理由",
    bring: "持ち物",
    fee: "手数料",
    fee_each: "{what} 1通{yen}円",
    fee_copies: "{what} {copies}通 {total}円",
    fee_copies_one: None,
    forms: "用紙",
    filled: "記入済み",
    to_fill: "窓口で記入",
    done: "済",
    to_confirm: "確認が必要な手続き（該当するかどうか、窓口でお確かめください）",
    to_ask: "確認すること",
    coming: "これからの節目（年齢により変わること）",
    footer: "ご不明な点は、どの窓口でもお尋ねください。このシートには個人情報が含まれます。手続きが終わったら大切に保管するか、破棄してください。",
    continued: "（続き）",
    separator: "、",
    colon: "：",
    reasons: "。",
    floor: "{building}{n}階",
    basement: "{building}地下{n}階",
    missing: Vec::new(),
};

static EASY: Words = Words {
    title: "窓口《まどぐち》の 案内《あんない》",
    condolence_title: "亡《な》くなった 方《かた》の 手続《てつづ》き",
    condolence_intro: "ご家族《かぞく》が 亡《な》くなって、大変《たいへん》な ときに 来《き》て くださって ありがとうございます。亡《な》くなった 方《かた》の 手続《てつづ》きの 案内《あんない》です。番号《ばんごう》の 順番《じゅんばん》に 窓口《まどぐち》へ 行《い》って ください。書《か》いて ある 紙《かみ》は、よく 見《み》て、名前《なまえ》を 書《か》いて ください。終《お》わった 手続《てつづ》きは「□ 済」に しるしを つけて ください。",
    after: "先《さき》に する 手続《てつづ》き",
    reception: "受付番号",
    made_on: "{date} 作成",
    household: "{name} さんの 家族《かぞく》（{n}人《にん》）",
    household_one: None,
    intro: "{event}の 手続《てつづ》きの 案内《あんない》です。1から 順番《じゅんばん》に 窓口《まどぐち》へ 行《い》って ください。書《か》いて ある 紙《かみ》は、よく 読《よ》んでから 名前《なまえ》を 書《か》いて ください。終《お》わったら「□ 済」に ✓を 書《か》いて ください。",
    important: "大切",
    important_tag: "【大切《たいせつ》】",
    open: "（",
    close: "）",
    and: "・",
    legend: "太《ふと》い 線《せん》の 手続《てつづ》きは、必《かなら》ず 期限《きげん》までに して ください。遅《おく》れると、お金《かね》を もらえない 月《つき》が できる ことが あります。",
    route: "回《まわ》る 順番《じゅんばん》",
    elsewhere: "市役所《しやくしょ》では ない ところ",
    external: "市役所《しやくしょ》では ありません。自分《じぶん》で 行《い》って ください",
    external_heading: "市役所《しやくしょ》では ない ところの 手続《てつづ》き（自分《じぶん》で 行《い》って ください）",
    who: "だれ",
    deadline_label: "期限《きげん》",
    deadline: "{date}まで",
    overdue: "（期限《きげん》が 過《す》ぎて います。窓口《まどぐち》で 話《はな》して ください）",
    why: "理由《りゆう》",
    bring: "持《も》って 行《い》く もの",
    fee: "お金《かね》",
    fee_each: "{what} 1枚《まい》 {yen}円《えん》",
    fee_copies: "{what} {copies}枚《まい》 {total}円《えん》",
    fee_copies_one: None,
    forms: "紙《かみ》",
    filled: "書《か》いて あります",
    to_fill: "窓口《まどぐち》で 書《か》きます",
    done: "済",
    to_confirm: "窓口《まどぐち》で 聞《き》いて ください（あなたに 必要《ひつよう》か、まだ わかりません）",
    to_ask: "聞《き》く こと",
    coming: "これから 変《か》わる こと（年齢《ねんれい》で 変《か》わります）",
    footer: "わからない ことは、どの 窓口《まどぐち》でも 聞《き》いて ください。この 紙《かみ》には あなたの 大切《たいせつ》な 情報《じょうほう》が 書《か》いて あります。なくさないで ください。いらなく なったら、破《やぶ》って 捨《す》てて ください。",
    continued: "（続《つづ》き）",
    separator: "、",
    colon: "：",
    reasons: "。",
    floor: "{building} {n}階《かい》",
    basement: "{building} 地下《ちか》{n}階《かい》",
    missing: Vec::new(),
};

static ENGLISH: Words = Words {
    title: "Counter guide",
    condolence_title: "Procedures after a death",
    condolence_intro: "We are sorry for your loss. These are the procedures to do after the death of your family member. Go to the counters in the numbered order. Check the forms already filled in, then sign them. Tick “□ 済” (done) as you finish each one. Ask at any counter if anything is unclear.",
    after: "First do",
    reception: "No.",
    made_on: "Made on {date}",
    household: "Household of {name} ({n} people)",
    household_one: Some("Household of {name} (1 person)"),
    intro: "These are the procedures for {event}. Go to the counters in the numbered order. Check the forms already filled in, then sign them. Tick “□ 済” (done) as you finish each one.",
    important: "Must",
    important_tag: "Must do: ",
    open: " (",
    close: ")",
    and: ", ",
    legend: "Procedures in a thick frame cost you if they are late (for example, months of an allowance you cannot get). Finish them by the deadline.",
    route: "Your route",
    elsewhere: "Not at the city hall",
    external: "Not at the city hall: go there yourself",
    external_heading: "Elsewhere (not at the city hall: go there yourself)",
    who: "For",
    deadline_label: "Deadline",
    deadline: "by {date}",
    overdue: " (the deadline has passed: ask at the counter)",
    why: "Why",
    bring: "Bring",
    fee: "Fee",
    fee_each: "{what}: ¥{yen} a copy",
    fee_copies: "{what}: {copies} copies, ¥{total}",
    fee_copies_one: Some("{what}: 1 copy, ¥{total}"),
    forms: "Forms",
    filled: "filled in",
    to_fill: "fill in at the counter",
    done: "済",
    to_confirm: "To check at the counter (these may apply to you)",
    to_ask: "to check",
    coming: "Coming up (changes with age)",
    footer: "Ask at any counter if anything is unclear. This sheet holds personal information: keep it safe, and shred it when you no longer need it.",
    continued: " (continued)",
    separator: ", ",
    colon: ": ",
    reasons: "; ",
    floor: "{building}, floor {n}",
    basement: "{building}, basement {n}",
    missing: Vec::new(),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_translated_language_has_every_word_of_the_sheet() {
        for language in Language::TRANSLATED {
            assert!(
                words(language).missing.is_empty(),
                "{language}: {:?}",
                words(language).missing
            );
        }
    }

    #[test]
    fn dates_and_floors_read_as_each_language_writes_them() {
        let day = NaiveDate::from_ymd_opt(2026, 4, 13).expect("date");
        assert_eq!(Language::Vietnamese.date(day), "ngày 13 tháng 4 năm 2026");
        assert_eq!(Language::PortugueseBrazil.date(day), "13 de abril de 2026");
        assert_eq!(Language::Nepali.date(day), "२०२६ अप्रिल १३");
        assert_eq!(Language::Korean.date(day), "2026년 4월 13일");
        assert_eq!(
            Language::Japanese.date(day),
            "令和8年4月13日（2026年4月13日）"
        );
        assert_eq!(Language::Nepali.floor("मुख्य भवन", 2), "मुख्य भवन, 2 तल्ला");
        assert_eq!(
            Language::Indonesian.floor("Gedung utama", -1),
            "Gedung utama, lantai bawah tanah 1"
        );
        assert_eq!(
            words(Language::Vietnamese).deadline_label,
            "Hạn chót (期限)"
        );
        assert_eq!(words(Language::ChineseSimplified).title, "窗口指南");
    }
}
