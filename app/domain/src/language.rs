//! The languages a resident may read the counter in.
//!
//! Japanese is the counter's own language: the catalogue is written in it, forms are printed
//! in it, and the clerk reads it. やさしい日本語 (plain Japanese with ルビ) and English are
//! written beside it in the catalogue itself. The others are translated from the Japanese in
//! text tables (the catalogue's `translations/<code>.toml`, the screens' gettext `.po` files),
//! each text with its review state; a city offers a language once it trusts its texts.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One language of the counter. The order is the order a language picker lists them in:
/// Japanese first, then the languages of the most foreign residents (出入国在留管理庁 在留外国人
/// 統計: China, Viet Nam, Korea, the Philippines, Brazil, Nepal, Indonesia), English among them
/// as the common second language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Language {
    #[default]
    Japanese,
    /// やさしい日本語: short sentences, spaces between phrases, ルビ over kanji.
    Easy,
    English,
    ChineseSimplified,
    Vietnamese,
    Korean,
    Filipino,
    PortugueseBrazil,
    Nepali,
    Indonesian,
}

impl Language {
    pub const ALL: [Language; 10] = [
        Language::Japanese,
        Language::Easy,
        Language::English,
        Language::ChineseSimplified,
        Language::Vietnamese,
        Language::Korean,
        Language::Filipino,
        Language::PortugueseBrazil,
        Language::Nepali,
        Language::Indonesian,
    ];

    /// The languages translated in text tables rather than written in the catalogue itself.
    pub const TRANSLATED: [Language; 7] = [
        Language::ChineseSimplified,
        Language::Vietnamese,
        Language::Korean,
        Language::Filipino,
        Language::PortugueseBrazil,
        Language::Nepali,
        Language::Indonesian,
    ];

    /// The code files and settings use: a BCP 47 tag (`zh-Hans`, `pt-BR`), and `easy` for
    /// やさしい日本語, as the catalogue's own key names it.
    pub fn code(self) -> &'static str {
        match self {
            Language::Japanese => "ja",
            Language::Easy => "easy",
            Language::English => "en",
            Language::ChineseSimplified => "zh-Hans",
            Language::Vietnamese => "vi",
            Language::Korean => "ko",
            Language::Filipino => "fil",
            Language::PortugueseBrazil => "pt-BR",
            Language::Nepali => "ne",
            Language::Indonesian => "id",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's name in itself, as a resident looks for it on a picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Japanese => "日本語",
            Language::Easy => "やさしい日本語",
            Language::English => "English",
            Language::ChineseSimplified => "中文（简体）",
            Language::Vietnamese => "Tiếng Việt",
            Language::Korean => "한국어",
            Language::Filipino => "Filipino",
            Language::PortugueseBrazil => "Português (Brasil)",
            Language::Nepali => "नेपाली",
            Language::Indonesian => "Bahasa Indonesia",
        }
    }

    /// The language's name in Japanese, for the clerk and the supervisor.
    pub fn japanese_name(self) -> &'static str {
        match self {
            Language::Japanese => "日本語",
            Language::Easy => "やさしい日本語",
            Language::English => "英語",
            Language::ChineseSimplified => "中国語（簡体字）",
            Language::Vietnamese => "ベトナム語",
            Language::Korean => "韓国語",
            Language::Filipino => "フィリピノ語",
            Language::PortugueseBrazil => "ポルトガル語（ブラジル）",
            Language::Nepali => "ネパール語",
            Language::Indonesian => "インドネシア語",
        }
    }

    /// The language's name in English.
    pub fn english_name(self) -> &'static str {
        match self {
            Language::Japanese => "Japanese",
            Language::Easy => "Plain Japanese",
            Language::English => "English",
            Language::ChineseSimplified => "Chinese (Simplified)",
            Language::Vietnamese => "Vietnamese",
            Language::Korean => "Korean",
            Language::Filipino => "Filipino",
            Language::PortugueseBrazil => "Portuguese (Brazil)",
            Language::Nepali => "Nepali",
            Language::Indonesian => "Indonesian",
        }
    }

    /// Japanese or やさしい日本語: the catalogue's own words, no translation table.
    pub fn is_japanese(self) -> bool {
        matches!(self, Language::Japanese | Language::Easy)
    }

    /// Translated in text tables (not written in the catalogue itself).
    pub fn is_translated(self) -> bool {
        Language::TRANSLATED.contains(&self)
    }

    /// Whether words are separated by spaces (every language here but Japanese and Chinese):
    /// lists join with `, ` rather than `、`.
    pub fn spaces_words(self) -> bool {
        !matches!(
            self,
            Language::Japanese | Language::Easy | Language::ChineseSimplified
        )
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Language, D::Error> {
        let code = String::deserialize(deserializer)?;
        Language::from_code(&code).ok_or_else(|| {
            let known: Vec<&str> = Language::ALL.iter().map(|l| l.code()).collect();
            serde::de::Error::custom(format!(
                "unknown language `{code}` (known: {})",
                known.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_names_are_distinct() {
        for language in Language::ALL {
            assert_eq!(Language::from_code(language.code()), Some(language));
        }
        let mut names: Vec<&str> = Language::ALL.iter().map(|l| l.native_name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Language::ALL.len());
        assert_eq!(Language::from_code("zh"), None);
        assert_eq!(Language::from_code(""), None);
    }

    #[test]
    fn translated_languages_are_the_seven_not_written_in_the_catalogue() {
        assert!(Language::TRANSLATED.iter().all(|l| l.is_translated()));
        assert!(!Language::English.is_translated());
        assert!(Language::Easy.is_japanese() && !Language::English.is_japanese());
    }

    #[test]
    fn settings_name_a_language_by_its_code() {
        let parsed: Language = serde_json::from_str("\"pt-BR\"").expect("pt-BR");
        assert_eq!(parsed, Language::PortugueseBrazil);
        let unknown = serde_json::from_str::<Language>("\"klingon\"").expect_err("refused");
        assert!(unknown.to_string().contains("unknown language `klingon`"));
    }
}
