//! The page's words in the resident's language, and which languages the page offers.
//!
//! The page is written in Japanese and English in the code (`pick(language, ja, en)`); the
//! languages translated from the Japanese read `madoguchi-homepage.po` (madoguchi-words), found
//! by the Japanese. A word a catalogue lacks reads the English and is noted (never a person's
//! data: only the page's own fixed words are looked up), so the test that walks each language
//! fails on it. The catalogue's own texts (events, questions, procedures) come from its text
//! tables through [`Text::get`].

use std::collections::BTreeSet;
use std::sync::Mutex;

use madoguchi_domain::Language;
use madoguchi_rules::Catalogue;
use madoguchi_rules::catalogue::Text;
use madoguchi_words::{Domain, Offered};

/// The page's word `ja` (in English `en`) as a reader of `language` reads it.
pub fn pick<'a>(language: Language, ja: &'a str, en: &'a str) -> &'a str {
    match language {
        Language::Japanese | Language::Easy => ja,
        Language::English => en,
        translated => translate(translated, ja).unwrap_or(en),
    }
}

fn translate(language: Language, ja: &str) -> Option<&'static str> {
    let found = madoguchi_words::catalog(language, Domain::Homepage).and_then(|c| c.get("", ja));
    if found.is_none() {
        let mut missing = MISSING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if missing.insert((language, ja.to_string())) {
            tracing::warn!(
                language = language.code(),
                "a home page word has no translation"
            );
        }
    }
    found
}

// Bounded: only the page's own fixed words are ever looked up.
static MISSING: Mutex<BTreeSet<(Language, String)>> = Mutex::new(BTreeSet::new());

/// The page's words a translated language's catalogue lacked so far in this process.
pub fn missing_words() -> Vec<(Language, String)> {
    let missing = MISSING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    missing.iter().cloned().collect()
}

/// A message with `{name}` places, worded when the page is drawn in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    ja: String,
    en: String,
    values: Vec<(&'static str, Text)>,
}

impl Message {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Message {
        Message {
            ja: ja.into(),
            en: en.into(),
            values: Vec::new(),
        }
    }

    /// Fills `{name}` with a catalogue text, worded in the reader's language.
    pub fn with(mut self, name: &'static str, value: Text) -> Message {
        self.values.push((name, value));
        self
    }

    /// Fills `{name}` with a number, the same in every language.
    pub fn with_number(self, name: &'static str, number: usize) -> Message {
        let digits = number.to_string();
        self.with(name, Text::new(digits.clone(), digits.clone(), digits))
    }

    pub fn get(&self, language: Language) -> String {
        let values: Vec<(&str, &str)> = self
            .values
            .iter()
            .map(|(name, value)| (*name, value.get(language)))
            .collect();
        madoguchi_words::fill(pick(language, &self.ja, &self.en), &values)
    }
}

/// Japanese and English (the page is written in them), and each of `listed` whose catalogue
/// texts and page words ship; those with drafts only if `offer_unreviewed`.
pub fn languages_for_page(
    catalogue: &Catalogue,
    listed: &[Language],
    offer_unreviewed: bool,
) -> Offered {
    Offered::choose(listed, offer_unreviewed, "--unreviewed hide", |language| {
        state(catalogue, language)
    })
}

/// Whether `language` can be offered (`Err` says why not), and whether everything in it is
/// reviewed.
fn state(catalogue: &Catalogue, language: Language) -> Result<bool, String> {
    Ok(catalogue.offerable_in(language)?
        & madoguchi_words::reviewed(language, &[Domain::Homepage])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_domain::CertificateKind;
    use madoguchi_domain::input::InputError;

    fn shipped() -> Catalogue {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue");
        madoguchi_rules::load(&dir).expect("loads").catalogue
    }

    /// The page offers what its catalogues allow: the shipped drafts unless the service hides
    /// them (and says which option did); a language it does not offer, or no language at all,
    /// is Japanese.
    #[test]
    fn a_language_the_page_does_not_offer_is_japanese() {
        let catalogue = shipped();
        let all = languages_for_page(&catalogue, &Language::TRANSLATED, true);
        assert_eq!(all.drafts, Language::TRANSLATED);
        let hidden = languages_for_page(&catalogue, &[Language::Korean], false);
        assert_eq!(hidden.languages, [Language::Japanese, Language::English]);
        assert!(
            hidden.withheld[0].1.contains("--unreviewed hide"),
            "{hidden:?}"
        );
        let some = languages_for_page(&catalogue, &[Language::Nepali], true);
        assert_eq!(some.chosen("ne"), Language::Nepali);
        assert_eq!(some.chosen("vi"), Language::Japanese);
        assert_eq!(some.chosen("<script>"), Language::Japanese);
        assert_eq!(some.chosen("en"), Language::English);
    }

    /// The page's words as its code writes them: each string literal with Japanese in it that
    /// is followed by another (its English), as `t("…", "…")`, `Message::new("…", "…")` and
    /// `error(field, "…", "…")` pass them, outside the tests.
    fn words_in_the_code() -> Vec<String> {
        let sources = [
            include_str!("lib.rs"),
            include_str!("form.rs"),
            include_str!("pages.rs"),
            include_str!("text.rs"),
        ];
        let mut words = Vec::new();
        for source in sources {
            let code = source.split("#[cfg(test)]").next().unwrap_or(source);
            let literals = string_literals(code);
            for pair in literals.windows(2) {
                let (first, second) = (&pair[0], &pair[1]);
                let japanese = first
                    .text
                    .chars()
                    .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'));
                if japanese && code[first.end..second.start].trim() == "," {
                    words.push(first.text.to_string());
                }
            }
        }
        words.extend(InputError::ALL.map(|e| e.message_ja().to_string()));
        words.extend(CertificateKind::ALL.map(|k| k.ja().to_string()));
        words
    }

    struct Literal<'a> {
        text: &'a str,
        /// Where its opening quote is, and just past its closing one.
        start: usize,
        end: usize,
    }

    /// The code's string literals (the page's words have no escapes; a `\"` is skipped).
    fn string_literals(code: &str) -> Vec<Literal<'_>> {
        let mut literals = Vec::new();
        let mut open: Option<usize> = None;
        let mut escaped = false;
        for (at, c) in code.char_indices() {
            match (open, c) {
                (Some(_), _) if escaped => escaped = false,
                (Some(_), '\\') => escaped = true,
                (Some(start), '"') => {
                    literals.push(Literal {
                        text: &code[start + 1..at],
                        start,
                        end: at + 1,
                    });
                    open = None;
                }
                (None, '"') => open = Some(at),
                _ => {}
            }
        }
        literals
    }

    #[test]
    fn every_word_of_the_page_is_in_every_languages_catalogue() {
        let words = words_in_the_code();
        assert!(words.len() > 100, "{}", words.len());
        assert!(words.iter().any(|w| w == "QRコードを作る"));
        for language in Language::TRANSLATED {
            let catalog = madoguchi_words::catalog(language, Domain::Homepage).expect("ships");
            let missing: Vec<&String> = words
                .iter()
                .filter(|w| catalog.get("", w).is_none())
                .collect();
            assert!(missing.is_empty(), "{}: {missing:?}", language.code());
            assert_eq!(
                catalog.len(),
                words.iter().collect::<BTreeSet<_>>().len(),
                "{}: words the page no longer has",
                language.code()
            );
        }
    }

    #[test]
    fn a_message_is_worded_and_filled_in_the_readers_language() {
        let message = Message::new(
            "長すぎます（{max}文字までです）。",
            "Too long: at most {max} characters.",
        )
        .with_number("max", 40);
        assert_eq!(
            message.get(Language::Japanese),
            "長すぎます（40文字までです）。"
        );
        assert_eq!(
            message.get(Language::English),
            "Too long: at most 40 characters."
        );
        let vietnamese = message.get(Language::Vietnamese);
        assert!(
            vietnamese.contains("40") && !vietnamese.contains("{max}"),
            "{vietnamese}"
        );
        assert_ne!(vietnamese, message.get(Language::English));
    }
}
