//! Madoguchi's own words — the guidance sheet's, the kiosk's, the home page's — in the
//! languages translated from the Japanese, read from gettext catalogues.
//!
//! The catalogues live with the screens' own, `ui/translations/<code>/LC_MESSAGES/<domain>.po`
//! (`madoguchi-sheet`, …), and are built into the binary: a kiosk never reads them from disk.
//! An entry is found by its context (`msgctxt`, the word's role: `title`, `deadline`) and its
//! Japanese (`msgid`), so a Japanese word that changes has no translation until a translator
//! writes one. Review state travels in the file as gettext tools keep it: an entry with a
//! translator comment `# reviewed: NAME, YYYY-MM-DD` was checked by that person; any other is
//! a draft, and the header's `X-Madoguchi-Drafted` says who drafted them (`fuzzy` is not used:
//! gettext tools, Slint's among them, drop fuzzy entries). [`Offered`] is the one rule by which
//! the kiosk and the home page choose the languages they offer from the city's list and each
//! language's state.
//!
//! Invariants: a catalogue that does not parse is no catalogue (its words read the fallback,
//! and [`problems`] names it; a test keeps the shipped ones parsing); placeholders (`{date}`)
//! are filled by [`fill`], never by formatting a translated string.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use madoguchi_domain::Language;

/// The product's word lists, one gettext domain each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domain {
    /// The kiosk's screens (`madoguchi-kiosk.po`): the `@tr` words Slint bundles, which the
    /// kiosk counts here for a language's review state.
    Kiosk,
    /// The words the kiosk's own code writes on the screens — the summary's labels, a
    /// deadline's line (`madoguchi-screens.po`), found by their Japanese with no context.
    Screens,
    /// The guidance sheet's headings, labels and sentences (`madoguchi-sheet.po`).
    Sheet,
    /// The residents' home page's own words (`madoguchi-homepage.po`), found by their
    /// Japanese with no context, like the screens'.
    Homepage,
}

impl Domain {
    pub const ALL: [Domain; 4] = [
        Domain::Kiosk,
        Domain::Screens,
        Domain::Sheet,
        Domain::Homepage,
    ];

    /// The `.po` file's name without its extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            Domain::Kiosk => "madoguchi-kiosk",
            Domain::Screens => "madoguchi-screens",
            Domain::Sheet => "madoguchi-sheet",
            Domain::Homepage => "madoguchi-homepage",
        }
    }
}

/// Who checked a translation, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub by: String,
    pub on: NaiveDate,
}

#[derive(Clone, Debug)]
struct Entry {
    text: String,
    review: Option<Review>,
}

/// One language's words of one domain.
#[derive(Debug, Default)]
pub struct Catalog {
    entries: HashMap<(String, String), Entry>,
    /// Who drafted the entries nobody reviewed (`X-Madoguchi-Drafted`).
    pub drafted: String,
}

/// A catalogue's state: how many words, how many reviewed and by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordsStatus {
    pub language: Language,
    pub domain: Domain,
    pub words: usize,
    pub reviewed: usize,
    pub drafted: String,
    pub reviewers: Vec<String>,
}

impl Catalog {
    /// The translation of `japanese` in the role `context`, if the catalogue has one.
    pub fn get(&self, context: &str, japanese: &str) -> Option<&str> {
        self.entries
            .get(&(context.to_string(), japanese.to_string()))
            .map(|e| e.text.as_str())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn parse(text: &str) -> Result<Catalog, String> {
        // Given text, not a path: the parser reads text that names no file as the catalogue.
        let file = rspolib::pofile(text).map_err(|e| e.to_string())?;
        let drafted = file
            .metadata
            .get("X-Madoguchi-Drafted")
            .cloned()
            .unwrap_or_default();
        let mut entries = HashMap::new();
        for entry in &file.entries {
            let Some(text) = entry.msgstr.as_ref().filter(|s| !s.is_empty()) else {
                continue;
            };
            if entry.obsolete {
                continue;
            }
            let review = entry.tcomment.as_deref().and_then(review_comment);
            let key = (
                entry.msgctxt.clone().unwrap_or_default(),
                entry.msgid.clone(),
            );
            entries.insert(
                key,
                Entry {
                    text: text.clone(),
                    review,
                },
            );
        }
        Ok(Catalog { entries, drafted })
    }

    /// How many words, how many reviewed and by whom.
    pub fn status(&self, language: Language, domain: Domain) -> WordsStatus {
        let mut reviewers: Vec<String> = Vec::new();
        let mut reviewed = 0;
        for entry in self.entries.values() {
            if let Some(review) = &entry.review {
                reviewed += 1;
                if !reviewers.contains(&review.by) {
                    reviewers.push(review.by.clone());
                }
            }
        }
        reviewers.sort();
        WordsStatus {
            language,
            domain,
            words: self.entries.len(),
            reviewed,
            drafted: self.drafted.clone(),
            reviewers,
        }
    }
}

/// `reviewed: 山田花子, 2026-12-10` (one line of the translator comment).
fn review_comment(comment: &str) -> Option<Review> {
    comment.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("reviewed:")?;
        let (by, on) = rest.rsplit_once(',')?;
        let on = NaiveDate::parse_from_str(on.trim(), "%Y-%m-%d").ok()?;
        let by = by.trim();
        (!by.is_empty()).then(|| Review {
            by: by.to_string(),
            on,
        })
    })
}

/// The shipped catalogues' text, by language and domain.
fn source(language: Language, domain: Domain) -> Option<&'static str> {
    macro_rules! po {
        ($code:literal, $stem:literal) => {
            include_str!(concat!(
                "../../../ui/translations/",
                $code,
                "/LC_MESSAGES/",
                $stem,
                ".po"
            ))
        };
    }
    let text = match (language, domain) {
        (Language::ChineseSimplified, Domain::Kiosk) => po!("zh-Hans", "madoguchi-kiosk"),
        (Language::Vietnamese, Domain::Kiosk) => po!("vi", "madoguchi-kiosk"),
        (Language::Korean, Domain::Kiosk) => po!("ko", "madoguchi-kiosk"),
        (Language::Filipino, Domain::Kiosk) => po!("fil", "madoguchi-kiosk"),
        (Language::PortugueseBrazil, Domain::Kiosk) => po!("pt-BR", "madoguchi-kiosk"),
        (Language::Nepali, Domain::Kiosk) => po!("ne", "madoguchi-kiosk"),
        (Language::Indonesian, Domain::Kiosk) => po!("id", "madoguchi-kiosk"),
        (Language::ChineseSimplified, Domain::Screens) => po!("zh-Hans", "madoguchi-screens"),
        (Language::Vietnamese, Domain::Screens) => po!("vi", "madoguchi-screens"),
        (Language::Korean, Domain::Screens) => po!("ko", "madoguchi-screens"),
        (Language::Filipino, Domain::Screens) => po!("fil", "madoguchi-screens"),
        (Language::PortugueseBrazil, Domain::Screens) => po!("pt-BR", "madoguchi-screens"),
        (Language::Nepali, Domain::Screens) => po!("ne", "madoguchi-screens"),
        (Language::Indonesian, Domain::Screens) => po!("id", "madoguchi-screens"),
        (Language::ChineseSimplified, Domain::Sheet) => po!("zh-Hans", "madoguchi-sheet"),
        (Language::Vietnamese, Domain::Sheet) => po!("vi", "madoguchi-sheet"),
        (Language::Korean, Domain::Sheet) => po!("ko", "madoguchi-sheet"),
        (Language::Filipino, Domain::Sheet) => po!("fil", "madoguchi-sheet"),
        (Language::PortugueseBrazil, Domain::Sheet) => po!("pt-BR", "madoguchi-sheet"),
        (Language::Nepali, Domain::Sheet) => po!("ne", "madoguchi-sheet"),
        (Language::Indonesian, Domain::Sheet) => po!("id", "madoguchi-sheet"),
        (Language::ChineseSimplified, Domain::Homepage) => po!("zh-Hans", "madoguchi-homepage"),
        (Language::Vietnamese, Domain::Homepage) => po!("vi", "madoguchi-homepage"),
        (Language::Korean, Domain::Homepage) => po!("ko", "madoguchi-homepage"),
        (Language::Filipino, Domain::Homepage) => po!("fil", "madoguchi-homepage"),
        (Language::PortugueseBrazil, Domain::Homepage) => po!("pt-BR", "madoguchi-homepage"),
        (Language::Nepali, Domain::Homepage) => po!("ne", "madoguchi-homepage"),
        (Language::Indonesian, Domain::Homepage) => po!("id", "madoguchi-homepage"),
        _ => return None,
    };
    Some(text)
}

type Parsed = Result<Catalog, String>;

fn parsed(language: Language, domain: Domain) -> Option<&'static Parsed> {
    static CATALOGS: OnceLock<HashMap<(Language, Domain), Parsed>> = OnceLock::new();
    CATALOGS
        .get_or_init(|| {
            let mut all = HashMap::new();
            for language in Language::TRANSLATED {
                for domain in Domain::ALL {
                    if let Some(text) = source(language, domain) {
                        all.insert((language, domain), Catalog::parse(text));
                    }
                }
            }
            all
        })
        .get(&(language, domain))
}

/// The catalogue of `domain` in `language`, when one ships and parses.
pub fn catalog(language: Language, domain: Domain) -> Option<&'static Catalog> {
    parsed(language, domain).and_then(|p| p.as_ref().ok())
}

/// Each shipped catalogue's state, for the city's choice to offer a language.
pub fn statuses() -> Vec<WordsStatus> {
    Language::TRANSLATED
        .into_iter()
        .flat_map(|language| {
            Domain::ALL.into_iter().filter_map(move |domain| {
                catalog(language, domain).map(|c| c.status(language, domain))
            })
        })
        .collect()
}

/// The languages a kiosk or the home page offers, in the order its list shows them:
/// Japanese and English always (the product is written in them), then each translated
/// language the city listed that can be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offered {
    pub languages: Vec<Language>,
    /// Offered with texts nobody reviewed yet: the screen or page says so in the language.
    pub drafts: Vec<Language>,
    /// Listed but not offered, each with why.
    pub withheld: Vec<(Language, String)>,
}

impl Offered {
    /// What is offered before anything else is known: the languages the product is written in.
    pub fn japanese_and_english() -> Offered {
        Offered {
            languages: vec![Language::Japanese, Language::English],
            drafts: Vec::new(),
            withheld: Vec::new(),
        }
    }

    /// Japanese, English and each translated language of `listed` that `state` allows.
    /// `state` says whether a language can be shown (`Err` says why not) and whether everything
    /// in it is reviewed; one with drafts is offered, and marked, only if `offer_unreviewed`
    /// (else withheld with `drafts_hidden_by`, the setting that hides it).
    pub fn choose(
        listed: &[Language],
        offer_unreviewed: bool,
        drafts_hidden_by: &str,
        state: impl Fn(Language) -> Result<bool, String>,
    ) -> Offered {
        let mut offered = Offered::japanese_and_english();
        for &language in listed.iter().filter(|l| l.is_translated()) {
            if offered.languages.contains(&language) {
                continue;
            }
            match state(language) {
                Err(why) => offered.withheld.push((language, why)),
                Ok(true) => offered.languages.push(language),
                Ok(false) if offer_unreviewed => {
                    offered.languages.push(language);
                    offered.drafts.push(language);
                }
                Ok(false) => offered.withheld.push((
                    language,
                    format!(
                        "its texts are machine drafts nobody has reviewed ({drafts_hidden_by})"
                    ),
                )),
            }
        }
        offered
    }

    /// The language `code` names if it is offered; else Japanese.
    pub fn chosen(&self, code: &str) -> Language {
        Language::from_code(code)
            .filter(|language| self.languages.contains(language))
            .unwrap_or(Language::Japanese)
    }
}

/// Whether `language`'s catalogues of `domains` all ship (`Err` names the first that does
/// not), and whether every word in them is reviewed.
pub fn reviewed(language: Language, domains: &[Domain]) -> Result<bool, String> {
    let mut reviewed = true;
    for &domain in domains {
        let Some(words) = catalog(language, domain) else {
            return Err(format!("no {} catalogue ships", domain.file_stem()));
        };
        let status = words.status(language, domain);
        reviewed &= status.reviewed == status.words;
    }
    Ok(reviewed)
}

/// The shipped catalogues that do not parse, each with why: `zh-Hans madoguchi-sheet: …`.
pub fn problems() -> Vec<String> {
    Language::TRANSLATED
        .into_iter()
        .flat_map(|language| {
            Domain::ALL
                .into_iter()
                .filter_map(move |domain| match parsed(language, domain) {
                    Some(Err(why)) => {
                        Some(format!("{} {}: {why}", language.code(), domain.file_stem()))
                    }
                    _ => None,
                })
        })
        .collect()
}

/// Fills `{name}` placeholders of a word with values; a placeholder without a value stays as
/// written, so a translation's mistake shows on the page instead of vanishing.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_catalogue_parses_and_has_the_same_words() {
        assert!(problems().is_empty(), "{:?}", problems());
        for domain in Domain::ALL {
            let sizes: Vec<(Language, usize)> = Language::TRANSLATED
                .into_iter()
                .map(|l| (l, catalog(l, domain).map_or(0, Catalog::len)))
                .collect();
            let first = sizes[0].1;
            assert!(first > 0);
            assert!(sizes.iter().all(|(_, n)| *n == first), "{sizes:?}");
        }
    }

    #[test]
    fn an_entry_is_found_by_its_role_and_japanese() {
        let vietnamese = catalog(Language::Vietnamese, Domain::Sheet).expect("vi");
        assert_eq!(
            vietnamese.get("title", "窓口案内シート"),
            Some("Hướng dẫn quầy")
        );
        assert_eq!(vietnamese.get("title", "別の言葉"), None);
        assert_eq!(vietnamese.get("route", "窓口案内シート"), None);
        assert!(catalog(Language::Japanese, Domain::Sheet).is_none());
    }

    #[test]
    fn review_comments_name_the_reviewer_and_the_day() {
        let po = "msgid \"\"\nmsgstr \"\"\n\"X-Madoguchi-Drafted: 機械翻訳\\n\"\n\n# reviewed: Nguyễn Văn An, 2026-12-10\nmsgctxt \"title\"\nmsgid \"窓口案内シート\"\nmsgstr \"Hướng dẫn quầy\"\n\nmsgctxt \"route\"\nmsgid \"まわる順\"\nmsgstr \"Thứ tự đi\"\n\n# reviewed: nobody\nmsgctxt \"why\"\nmsgid \"理由\"\nmsgstr \"Lý do\"\n\nmsgctxt \"bring\"\nmsgid \"持ち物\"\nmsgstr \"\"\n";
        let catalog = Catalog::parse(po).expect("parses");
        let status = catalog.status(Language::Vietnamese, Domain::Sheet);
        assert_eq!((status.words, status.reviewed), (3, 1));
        assert_eq!(status.reviewers, ["Nguyễn Văn An"]);
        assert_eq!(status.drafted, "機械翻訳");
        assert_eq!(catalog.get("bring", "持ち物"), None);
    }

    #[test]
    fn placeholders_are_filled_by_name() {
        assert_eq!(
            fill("{name} ({n} người)", &[("name", "An"), ("n", "3")]),
            "An (3 người)"
        );
        assert_eq!(fill("{date}まで", &[]), "{date}まで");
    }
}
