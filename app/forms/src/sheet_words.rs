//! The guidance sheet's own words in the three languages a session runs in. やさしい日本語
//! follows the guideline (短い文, kanji with ルビ marks as `madoguchi_domain::ruby` reads them,
//! です・ます); the catalogue's texts come in already in the sheet's language.

use chrono::{Datelike, NaiveDate};
use madoguchi_domain::wareki;

/// The language a guidance sheet is printed in: the one the session ran in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SheetLanguage {
    #[default]
    Japanese,
    /// やさしい日本語, with ルビ over kanji.
    Easy,
    English,
}

pub(crate) struct Words {
    pub(crate) title: &'static str,
    /// The title after a death: 「おくやみ手続きのご案内」.
    pub(crate) condolence_title: &'static str,
    /// The opening after a death: condolences before the route.
    pub(crate) condolence_intro: fn(&str) -> String,
    /// 「先に済ませる手続き」: procedures of the sheet that must come first.
    pub(crate) after: &'static str,
    pub(crate) reception: &'static str,
    pub(crate) made_on: fn(&str) -> String,
    pub(crate) household: fn(&str, usize) -> String,
    pub(crate) intro: fn(&str) -> String,
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
    pub(crate) deadline: fn(&str) -> String,
    pub(crate) overdue: &'static str,
    pub(crate) why: &'static str,
    pub(crate) bring: &'static str,
    pub(crate) fee: &'static str,
    pub(crate) fee_each: fn(&str, u32) -> String,
    pub(crate) fee_copies: fn(&str, u8, u32) -> String,
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
}

impl Words {
    pub(crate) fn title_for(&self, condolence: bool) -> &'static str {
        if condolence {
            self.condolence_title
        } else {
            self.title
        }
    }
}

impl SheetLanguage {
    pub(crate) fn words(self) -> &'static Words {
        match self {
            SheetLanguage::Japanese => &JAPANESE,
            SheetLanguage::Easy => &EASY,
            SheetLanguage::English => &ENGLISH,
        }
    }

    /// Whether texts carry ルビ marks to set.
    pub(crate) fn ruby(self) -> bool {
        self == SheetLanguage::Easy
    }

    /// One date style for every Japanese sheet: 令和8年4月13日（2026年4月13日）; English gives
    /// the day as English readers write it.
    pub fn date(self, date: NaiveDate) -> String {
        match self {
            SheetLanguage::English => date.format("%-d %B %Y").to_string(),
            SheetLanguage::Japanese | SheetLanguage::Easy => both_calendars(date),
        }
    }

    /// 「本庁舎2階」, 「本庁舎 2階《かい》」, "Main building, floor 2".
    pub fn floor(self, building: &str, floor: i32) -> String {
        let below = floor < 0;
        let n = floor.unsigned_abs();
        match (self, below) {
            (SheetLanguage::Japanese, false) => format!("{building}{n}階"),
            (SheetLanguage::Japanese, true) => format!("{building}地下{n}階"),
            (SheetLanguage::Easy, false) => format!("{building} {n}階《かい》"),
            (SheetLanguage::Easy, true) => format!("{building} 地下《ちか》{n}階《かい》"),
            (SheetLanguage::English, false) => format!("{building}, floor {n}"),
            (SheetLanguage::English, true) => format!("{building}, basement {n}"),
        }
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

static JAPANESE: Words = Words {
    title: "窓口案内シート",
    condolence_title: "おくやみ手続きのご案内",
    condolence_intro: |_| {
        "このたびは、心よりお悔やみ申し上げます。お亡くなりになった方に関する手続きのご案内です。下の番号の順に窓口へお進みください。記入済みの申請書は、内容を確認して署名してください。済んだ手続きは「□ 済」に印をつけてください。ご不明な点は、どの窓口でもお尋ねください。".to_string()
    },
    after: "先に済ませる手続き",
    reception: "受付番号",
    made_on: |date| format!("{date} 作成"),
    household: |name, n| format!("{name} 様の世帯（{n}人）"),
    intro: |event| {
        format!(
            "{event}の手続きのご案内です。下の番号の順に窓口へお進みください。記入済みの申請書は、内容を確認して署名してください。済んだ手続きは「□ 済」に印をつけてください。"
        )
    },
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
    deadline: |date| format!("{date}まで"),
    overdue: "（期限を過ぎています。窓口でご相談ください）",
    why: "理由",
    bring: "持ち物",
    fee: "手数料",
    fee_each: |what, yen| format!("{what} 1通{yen}円"),
    fee_copies: |what, copies, yen| format!("{what} {copies}通 {}円", u32::from(copies) * yen),
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
};

static EASY: Words = Words {
    title: "窓口《まどぐち》の 案内《あんない》",
    condolence_title: "亡《な》くなった 方《かた》の 手続《てつづ》き",
    condolence_intro: |_| {
        "ご家族《かぞく》が 亡《な》くなって、大変《たいへん》な ときに 来《き》て くださって ありがとうございます。亡《な》くなった 方《かた》の 手続《てつづ》きの 案内《あんない》です。番号《ばんごう》の 順番《じゅんばん》に 窓口《まどぐち》へ 行《い》って ください。書《か》いて ある 紙《かみ》は、よく 見《み》て、名前《なまえ》を 書《か》いて ください。終《お》わった 手続《てつづ》きは「□ 済」に しるしを つけて ください。".to_string()
    },
    after: "先《さき》に する 手続《てつづ》き",
    reception: "受付番号",
    made_on: |date| format!("{date} 作成"),
    household: |name, n| format!("{name} さんの 家族《かぞく》（{n}人《にん》）"),
    intro: |event| {
        format!(
            "{event}の 手続《てつづ》きの 案内《あんない》です。1から 順番《じゅんばん》に 窓口《まどぐち》へ 行《い》って ください。書《か》いて ある 紙《かみ》は、よく 読《よ》んでから 名前《なまえ》を 書《か》いて ください。終《お》わったら「□ 済」に ✓を 書《か》いて ください。"
        )
    },
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
    deadline: |date| format!("{date}まで"),
    overdue: "（期限《きげん》が 過《す》ぎて います。窓口《まどぐち》で 話《はな》して ください）",
    why: "理由《りゆう》",
    bring: "持《も》って 行《い》く もの",
    fee: "お金《かね》",
    fee_each: |what, yen| format!("{what} 1枚《まい》 {yen}円《えん》"),
    fee_copies: |what, copies, yen| {
        format!(
            "{what} {copies}枚《まい》 {}円《えん》",
            u32::from(copies) * yen
        )
    },
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
};

static ENGLISH: Words = Words {
    title: "Counter guide",
    condolence_title: "Procedures after a death",
    condolence_intro: |_| {
        "We are sorry for your loss. These are the procedures to do after the death of your family member. Go to the counters in the numbered order. Check the forms already filled in, then sign them. Tick “□ 済” (done) as you finish each one. Ask at any counter if anything is unclear.".to_string()
    },
    after: "First do",
    reception: "No.",
    made_on: |date| format!("Made on {date}"),
    household: |name, n| {
        let people = if n == 1 { "person" } else { "people" };
        format!("Household of {name} ({n} {people})")
    },
    intro: |event| {
        format!(
            "These are the procedures for {event}. Go to the counters in the numbered order. Check the forms already filled in, then sign them. Tick “□ 済” (done) as you finish each one."
        )
    },
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
    deadline: |date| format!("by {date}"),
    overdue: " (the deadline has passed: ask at the counter)",
    why: "Why",
    bring: "Bring",
    fee: "Fee",
    fee_each: |what, yen| format!("{what}: ¥{yen} a copy"),
    fee_copies: |what, copies, yen| {
        let noun = if copies == 1 { "copy" } else { "copies" };
        format!("{what}: {copies} {noun}, ¥{}", u32::from(copies) * yen)
    },
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
};
