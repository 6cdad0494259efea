//! 続柄: a member's relation to the head of household, written as the 住民票 writes it.
//!
//! The 住民票 records one word relative to the 世帯主 (住民基本台帳法 第7条第4号): 妻, 子, 母,
//! 妻の母, 子の妻 … — never 「配偶者」 or 「父母」, and every child as 子 (the 住民基本台帳事務処理要領
//! has written 子 for every child, adopted or not, since 1995). [`Zokugara`] is one word of
//! that closed list, in `TABLE`; the engine's coarser [`Relation`] (the category a rule names,
//! such as `spouse` or `child`) is derived from it, so rules written against categories keep
//! working whichever word a clerk chose.
//!
//! Case files and codes of the older format wrote the category (`"spouse"`); [`Zokugara::read`]
//! still reads those where the member's sex decides the word (spouse → 妻 / 夫, parent → 父 / 母)
//! and refuses the rest with a message that says what to write instead.

use std::fmt;

use crate::person::{Relation, Sex};

/// One 続柄 of the 住民票, relative to the head of household. It serialises as its word
/// (`"妻の母"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zokugara(u8);

/// A word of the list: what the 住民票 prints, the English the kiosk shows, the category rules
/// use, and the sex the word itself says (妻 is a woman; 子 says nothing).
struct Entry {
    word: &'static str,
    en: &'static str,
    category: Relation,
    sex: Option<Sex>,
}

const fn entry(
    word: &'static str,
    en: &'static str,
    category: Relation,
    sex: Option<Sex>,
) -> Entry {
    Entry {
        word,
        en,
        category,
        sex,
    }
}

const M: Option<Sex> = Some(Sex::Male);
const F: Option<Sex> = Some(Sex::Female);
const ANY: Option<Sex> = None;

/// The list, most frequent first (the kiosk offers it in this order). Spouses' parents share
/// the `parent` category and step-children the `child` one, because the rules that name those
/// categories (who can claim for a child, who is elderly in the household) mean the people
/// living in those places in the household, not the legal parentage.
const TABLE: [Entry; 46] = [
    entry("世帯主", "head of household", Relation::Head, ANY),
    entry("妻", "wife", Relation::Spouse, F),
    entry("夫", "husband", Relation::Spouse, M),
    entry("子", "child", Relation::Child, ANY),
    entry("父", "father", Relation::Parent, M),
    entry("母", "mother", Relation::Parent, F),
    entry("妻の父", "wife's father", Relation::Parent, M),
    entry("妻の母", "wife's mother", Relation::Parent, F),
    entry("夫の父", "husband's father", Relation::Parent, M),
    entry("夫の母", "husband's mother", Relation::Parent, F),
    entry("孫", "grandchild", Relation::Grandchild, ANY),
    entry("子の妻", "child's wife", Relation::OtherRelative, F),
    entry("子の夫", "child's husband", Relation::OtherRelative, M),
    entry("妻の子", "wife's child", Relation::Child, ANY),
    entry("夫の子", "husband's child", Relation::Child, ANY),
    entry("兄", "elder brother", Relation::Sibling, M),
    entry("姉", "elder sister", Relation::Sibling, F),
    entry("弟", "younger brother", Relation::Sibling, M),
    entry("妹", "younger sister", Relation::Sibling, F),
    entry("祖父", "grandfather", Relation::OtherRelative, M),
    entry("祖母", "grandmother", Relation::OtherRelative, F),
    entry(
        "妻（未届）",
        "wife (marriage not registered)",
        Relation::Spouse,
        F,
    ),
    entry(
        "夫（未届）",
        "husband (marriage not registered)",
        Relation::Spouse,
        M,
    ),
    entry("曾孫", "great-grandchild", Relation::Grandchild, ANY),
    entry("孫の妻", "grandchild's wife", Relation::OtherRelative, F),
    entry("孫の夫", "grandchild's husband", Relation::OtherRelative, M),
    entry("兄の妻", "elder brother's wife", Relation::OtherRelative, F),
    entry(
        "弟の妻",
        "younger brother's wife",
        Relation::OtherRelative,
        F,
    ),
    entry(
        "姉の夫",
        "elder sister's husband",
        Relation::OtherRelative,
        M,
    ),
    entry(
        "妹の夫",
        "younger sister's husband",
        Relation::OtherRelative,
        M,
    ),
    entry("妻の兄", "wife's elder brother", Relation::OtherRelative, M),
    entry("妻の姉", "wife's elder sister", Relation::OtherRelative, F),
    entry(
        "妻の弟",
        "wife's younger brother",
        Relation::OtherRelative,
        M,
    ),
    entry(
        "妻の妹",
        "wife's younger sister",
        Relation::OtherRelative,
        F,
    ),
    entry(
        "夫の兄",
        "husband's elder brother",
        Relation::OtherRelative,
        M,
    ),
    entry(
        "夫の姉",
        "husband's elder sister",
        Relation::OtherRelative,
        F,
    ),
    entry(
        "夫の弟",
        "husband's younger brother",
        Relation::OtherRelative,
        M,
    ),
    entry(
        "夫の妹",
        "husband's younger sister",
        Relation::OtherRelative,
        F,
    ),
    entry(
        "伯父",
        "uncle (parent's elder brother)",
        Relation::OtherRelative,
        M,
    ),
    entry(
        "叔父",
        "uncle (parent's younger brother)",
        Relation::OtherRelative,
        M,
    ),
    entry(
        "伯母",
        "aunt (parent's elder sister)",
        Relation::OtherRelative,
        F,
    ),
    entry(
        "叔母",
        "aunt (parent's younger sister)",
        Relation::OtherRelative,
        F,
    ),
    entry("甥", "nephew", Relation::OtherRelative, M),
    entry("姪", "niece", Relation::OtherRelative, F),
    entry(
        "縁故者",
        "other relative (縁故者)",
        Relation::OtherRelative,
        ANY,
    ),
    entry(
        "同居人",
        "co-resident (not a relative)",
        Relation::Other,
        ANY,
    ),
];

/// Why a 続柄 could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZokugaraError {
    #[error(
        "`{0}` is not a 続柄 the 住民票 uses: write it as the 住民票 does (世帯主, 妻, 夫, 子, 母, 妻の母, 孫, 同居人 …; docs/case.md) / 続柄は住民票の書き方で（例：妻、子、妻の母、同居人）"
    )]
    Unknown(String),
    #[error(
        "`{old}` is the older format's category, and without the member's sex it cannot say {which}: add the member's sex or write the 続柄 itself / 続柄を「{which}」のように書いてください"
    )]
    NeedsSex { old: String, which: &'static str },
    #[error(
        "`{old}` is the older format's category and does not say which 続柄 it is: write it as the 住民票 does ({examples}) / 続柄を住民票の書き方で（{examples}）"
    )]
    TooVague { old: String, examples: &'static str },
}

impl Zokugara {
    pub const HEAD: Zokugara = Zokugara(0);
    pub const WIFE: Zokugara = Zokugara(1);
    pub const HUSBAND: Zokugara = Zokugara(2);
    pub const CHILD: Zokugara = Zokugara(3);
    pub const FATHER: Zokugara = Zokugara(4);
    pub const MOTHER: Zokugara = Zokugara(5);
    pub const GRANDCHILD: Zokugara = Zokugara(10);
    pub const COHABITANT: Zokugara = Zokugara(45);

    /// Every word, in the order the kiosk offers them.
    pub fn all() -> impl Iterator<Item = Zokugara> {
        (0..TABLE.len() as u8).map(Zokugara)
    }

    fn entry(self) -> &'static Entry {
        &TABLE[usize::from(self.0)]
    }

    /// The word the 住民票 and every form print.
    pub fn word(self) -> &'static str {
        self.entry().word
    }

    pub fn en(self) -> &'static str {
        self.entry().en
    }

    /// The category rules name (`relation in [spouse, child]`).
    pub fn category(self) -> Relation {
        self.entry().category
    }

    /// The sex the word itself says, if it says one.
    pub fn sex(self) -> Option<Sex> {
        self.entry().sex
    }

    /// Position in [`Zokugara::all`], for pickers.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    pub fn from_index(index: usize) -> Option<Zokugara> {
        (index < TABLE.len()).then_some(Zokugara(index as u8))
    }

    /// A word of the list. Half-width parentheses are read as the full-width ones the
    /// 住民票 prints (`妻(未届)` is 妻（未届）); surrounding spaces are ignored.
    pub fn from_word(word: &str) -> Option<Zokugara> {
        let word = word.trim();
        let normalised;
        let word = if word.contains(['(', ')']) {
            normalised = word.replace('(', "（").replace(')', "）");
            normalised.as_str()
        } else {
            word
        };
        Zokugara::all().find(|z| z.word() == word)
    }

    /// What a member with this 続柄 (and `sex`) is to the member with 続柄 `other`, as a form's
    /// 「被保険者との関係」 box writes it: 「子」 for the 世帯主 filing for their 母. Both words
    /// are relative to the same 世帯主. `None` where the two words do not decide it — two 子
    /// (which is the elder?), or the 世帯主's 子 and 妻 (the 住民票 writes 子 for the head's
    /// child whoever the other parent is) — and the clerk or the resident writes it.
    pub fn relation_to(self, sex: Option<Sex>, other: Zokugara) -> Option<&'static str> {
        let by_sex = |male: &'static str, female: &'static str| match sex.or(self.sex()) {
            Some(Sex::Male) => Some(male),
            Some(Sex::Female) => Some(female),
            None => None,
        };
        match (self.word(), other.word()) {
            (_, "世帯主") => Some(self.word()),
            ("世帯主", theirs) => match theirs {
                "妻" => Some("夫"),
                "夫" => Some("妻"),
                "妻（未届）" => Some("夫（未届）"),
                "夫（未届）" => Some("妻（未届）"),
                "子" => by_sex("父", "母"),
                "父" | "母" => Some("子"),
                "孫" => by_sex("祖父", "祖母"),
                "祖父" | "祖母" => Some("孫"),
                "兄" | "姉" => by_sex("弟", "妹"),
                "弟" | "妹" => by_sex("兄", "姉"),
                "妻の父" | "妻の母" => Some("子の夫"),
                "夫の父" | "夫の母" => Some("子の妻"),
                "子の妻" => by_sex("夫の父", "夫の母"),
                "子の夫" => by_sex("妻の父", "妻の母"),
                _ => None,
            },
            ("妻", "夫の父" | "夫の母") | ("妻（未届）", "夫の父" | "夫の母") => {
                Some("子の妻")
            }
            ("夫", "妻の父" | "妻の母") | ("夫（未届）", "妻の父" | "妻の母") => {
                Some("子の夫")
            }
            ("妻の父" | "妻の母", "妻") | ("夫の父" | "夫の母", "夫") => {
                by_sex("父", "母")
            }
            ("妻の子", "妻") | ("夫の子", "夫") => Some("子"),
            ("妻", "妻の子") | ("夫", "夫の子") => by_sex("父", "母"),
            ("子", "父" | "母") => Some("孫"),
            ("父" | "母", "子") => by_sex("祖父", "祖母"),
            ("父", "母") => Some("夫"),
            ("母", "父") => Some("妻"),
            ("妻の父", "妻の母") | ("夫の父", "夫の母") => Some("夫"),
            ("妻の母", "妻の父") | ("夫の母", "夫の父") => Some("妻"),
            _ => None,
        }
    }

    /// Reads what a case file or code says: a word of the list, or one of the older format's
    /// categories where `sex` decides the word.
    pub fn read(text: &str, sex: Option<Sex>) -> Result<Zokugara, ZokugaraError> {
        if let Some(zokugara) = Zokugara::from_word(text) {
            return Ok(zokugara);
        }
        match Relation::from_id(text) {
            Some(old) => Zokugara::from_category(old, sex),
            None => Err(ZokugaraError::Unknown(text.chars().take(40).collect())),
        }
    }

    /// The word an older format's category stands for, where it stands for one.
    pub fn from_category(old: Relation, sex: Option<Sex>) -> Result<Zokugara, ZokugaraError> {
        let by_sex = |male: Zokugara, female: Zokugara, which| match sex {
            Some(Sex::Male) => Ok(male),
            Some(Sex::Female) => Ok(female),
            None => Err(ZokugaraError::NeedsSex {
                old: old.id().into(),
                which,
            }),
        };
        match old {
            Relation::Head => Ok(Zokugara::HEAD),
            Relation::Child => Ok(Zokugara::CHILD),
            Relation::Grandchild => Ok(Zokugara::GRANDCHILD),
            Relation::Other => Ok(Zokugara::COHABITANT),
            Relation::Spouse => by_sex(Zokugara::HUSBAND, Zokugara::WIFE, "妻 / 夫"),
            Relation::Parent => by_sex(Zokugara::FATHER, Zokugara::MOTHER, "父 / 母"),
            Relation::Sibling => Err(ZokugaraError::TooVague {
                old: old.id().into(),
                examples: "兄, 姉, 弟, 妹",
            }),
            Relation::OtherRelative => Err(ZokugaraError::TooVague {
                old: old.id().into(),
                examples: "妻の母, 子の妻, 祖母, 叔父, 縁故者 …",
            }),
        }
    }
}

impl fmt::Debug for Zokugara {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zokugara({})", self.word())
    }
}

impl fmt::Display for Zokugara {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl serde::Serialize for Zokugara {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_words_are_where_their_constants_point() {
        for (zokugara, word) in [
            (Zokugara::HEAD, "世帯主"),
            (Zokugara::WIFE, "妻"),
            (Zokugara::HUSBAND, "夫"),
            (Zokugara::CHILD, "子"),
            (Zokugara::FATHER, "父"),
            (Zokugara::MOTHER, "母"),
            (Zokugara::GRANDCHILD, "孫"),
            (Zokugara::COHABITANT, "同居人"),
        ] {
            assert_eq!(zokugara.word(), word);
        }
    }

    #[test]
    fn every_word_reads_back_and_is_unique() {
        let words: Vec<&str> = Zokugara::all().map(Zokugara::word).collect();
        for (index, word) in words.iter().enumerate() {
            assert_eq!(Zokugara::from_word(word).map(Zokugara::index), Some(index));
            assert!(!words[..index].contains(word), "{word} twice");
        }
        assert_eq!(
            Zokugara::from_word(" 妻(未届) ").map(Zokugara::word),
            Some("妻（未届）")
        );
        assert_eq!(Zokugara::from_word("配偶者"), None);
    }

    #[test]
    fn categories_follow_the_word() {
        let category = |word| Zokugara::from_word(word).map(Zokugara::category);
        assert_eq!(category("妻の母"), Some(Relation::Parent));
        assert_eq!(category("夫（未届）"), Some(Relation::Spouse));
        assert_eq!(category("妻の子"), Some(Relation::Child));
        assert_eq!(category("子の妻"), Some(Relation::OtherRelative));
        assert_eq!(category("同居人"), Some(Relation::Other));
        assert_eq!(category("妹"), Some(Relation::Sibling));
    }

    #[test]
    fn older_categories_become_words_where_the_sex_decides() {
        let female = Some(Sex::Female);
        assert_eq!(Zokugara::read("spouse", female), Ok(Zokugara::WIFE));
        assert_eq!(
            Zokugara::read("spouse", Some(Sex::Male)),
            Ok(Zokugara::HUSBAND)
        );
        assert_eq!(Zokugara::read("parent", female), Ok(Zokugara::MOTHER));
        assert_eq!(Zokugara::read("child", None), Ok(Zokugara::CHILD));
        assert_eq!(Zokugara::read("other", None), Ok(Zokugara::COHABITANT));
        assert!(matches!(
            Zokugara::read("spouse", None),
            Err(ZokugaraError::NeedsSex { .. })
        ));
        for vague in ["sibling", "other_relative"] {
            let error = Zokugara::read(vague, female).expect_err(vague);
            assert!(error.to_string().contains(vague), "{error}");
        }
        let unknown = Zokugara::read(&"配".repeat(1000), None).expect_err("unknown");
        assert!(unknown.to_string().chars().count() < 400, "{unknown}");
    }

    #[test]
    fn one_member_seen_from_another() {
        let word = |w: &str| Zokugara::from_word(w).expect("a word of the list");
        let head = word("世帯主");
        assert_eq!(head.relation_to(Some(Sex::Male), word("母")), Some("子"));
        assert_eq!(word("母").relation_to(None, head), Some("母"));
        assert_eq!(head.relation_to(Some(Sex::Female), word("子")), Some("母"));
        assert_eq!(head.relation_to(None, word("子")), None);
        assert_eq!(word("妻").relation_to(None, word("夫の母")), Some("子の妻"));
        assert_eq!(word("子").relation_to(None, word("母")), Some("孫"));
        assert_eq!(
            head.relation_to(Some(Sex::Male), word("妻の母")),
            Some("子の夫")
        );
        assert_eq!(word("子").relation_to(None, word("子")), None);
        assert_eq!(word("同居人").relation_to(None, word("孫")), None);
    }
}
