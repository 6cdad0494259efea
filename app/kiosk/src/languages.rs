//! Which languages a kiosk offers, decided once at start from what the city set and what the
//! translations hold.
//!
//! Japanese and English are always offered: the catalogue and the screens are written in them.
//! A translated language is offered when the city lists it (`[kiosk] languages`, every one by
//! default), the catalogue's text table has every text, the screens' and the sheet's
//! catalogues ship, and its fonts are installed. A language whose texts are not all reviewed is
//! a machine draft: offered and marked as such on screen, unless the city hides drafts
//! (`[kiosk] unreviewed = "hide"`). A language left out is logged with why (never personal).

use madoguchi_domain::Language;
use madoguchi_rules::Catalogue;
use madoguchi_words::Domain;

/// The language button's list, in order, and the drafts among it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offered {
    pub languages: Vec<Language>,
    /// Offered with texts nobody reviewed yet.
    pub drafts: Vec<Language>,
    /// Listed by the city but not offered, each with why.
    pub withheld: Vec<(Language, String)>,
}

impl Offered {
    /// What a kiosk offers before it knows its catalogue: the languages written in it.
    pub fn japanese_and_english() -> Offered {
        Offered {
            languages: vec![Language::Japanese, Language::English],
            drafts: Vec::new(),
            withheld: Vec::new(),
        }
    }
}

/// What this kiosk offers with `catalogue`: the configuration file's settings, the
/// translations built in, the fonts installed. Each language left out is logged with why.
pub fn for_kiosk(catalogue: &Catalogue) -> Offered {
    let (listed, offer_unreviewed) = crate::config::language_settings();
    let fonts = madoguchi_forms::Fonts::load();
    let offered = offered(catalogue, &listed, offer_unreviewed, &|language| {
        fonts.has_faces_for(language)
    });
    for (language, why) in &offered.withheld {
        tracing::warn!(language = language.code(), why, "a language is not offered");
    }
    offered
}

/// What the city's settings and this kiosk's translations and fonts allow. `fonts` says
/// whether a language's faces are installed (the guidance sheet would print 〓 otherwise).
pub fn offered(
    catalogue: &Catalogue,
    listed: &[Language],
    offer_unreviewed: bool,
    fonts: &dyn Fn(Language) -> bool,
) -> Offered {
    let mut offered = Offered::japanese_and_english();
    for &language in listed.iter().filter(|l| l.is_translated()) {
        match state(catalogue, language, fonts) {
            Err(why) => offered.withheld.push((language, why)),
            Ok(true) => offered.languages.push(language),
            Ok(false) if offer_unreviewed => {
                offered.languages.push(language);
                offered.drafts.push(language);
            }
            Ok(false) => offered.withheld.push((
                language,
                "its texts are machine drafts nobody has reviewed ([kiosk] unreviewed = \"hide\")"
                    .into(),
            )),
        }
    }
    offered
}

/// Whether `language` can be offered (`Err` says why not), and whether every text of it is
/// reviewed.
fn state(
    catalogue: &Catalogue,
    language: Language,
    fonts: &dyn Fn(Language) -> bool,
) -> Result<bool, String> {
    let table = catalogue
        .languages
        .iter()
        .find(|s| s.language == language)
        .ok_or("the catalogue knows no such language")?;
    if !table.complete() {
        return Err(format!(
            "the catalogue's text table lacks {} of {} texts (madoguchi rules translations --language {})",
            table.missing(),
            table.texts,
            language.code()
        ));
    }
    let mut reviewed = table.reviewed_fully();
    for domain in [Domain::Kiosk, Domain::Screens, Domain::Sheet] {
        let Some(words) = madoguchi_words::catalog(language, domain) else {
            return Err(format!("no {} catalogue ships", domain.file_stem()));
        };
        let status = words.status(language, domain);
        reviewed &= status.reviewed == status.words;
    }
    if !madoguchi_forms::missing_sheet_words(language).is_empty() {
        return Err("the guidance sheet's catalogue lacks words".into());
    }
    if !fonts(language) {
        return Err("its fonts are not installed (fonts-noto-core, fonts-noto-cjk)".into());
    }
    Ok(reviewed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Catalogue {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue");
        madoguchi_rules::load(&dir).expect("loads").catalogue
    }

    #[test]
    fn the_shipped_drafts_are_offered_and_marked_unless_the_city_hides_them() {
        let catalogue = shipped();
        let fonts = |_: Language| true;
        let all = offered(&catalogue, &Language::TRANSLATED, true, &fonts);
        assert_eq!(all.languages.len(), 9, "{all:?}");
        assert_eq!(all.languages[..2], [Language::Japanese, Language::English]);
        assert_eq!(all.drafts, Language::TRANSLATED);
        let hidden = offered(&catalogue, &Language::TRANSLATED, false, &fonts);
        assert_eq!(hidden.languages, [Language::Japanese, Language::English]);
        assert_eq!(hidden.withheld.len(), 7);
    }

    #[test]
    fn a_language_is_withheld_with_why() {
        let catalogue = shipped();
        let listed = [Language::Nepali, Language::Korean];
        let no_devanagari = |l: Language| l != Language::Nepali;
        let offered = offered(&catalogue, &listed, true, &no_devanagari);
        assert!(offered.languages.contains(&Language::Korean));
        assert!(!offered.languages.contains(&Language::Nepali));
        assert!(offered.withheld[0].1.contains("fonts"), "{offered:?}");

        let mut partial = catalogue.clone();
        for status in &mut partial.languages {
            status.translated -= 1;
        }
        let fonts = |_: Language| true;
        let none = super::offered(&partial, &listed, true, &fonts);
        assert!(none.withheld[0].1.contains("lacks 1 of"), "{none:?}");
    }
}
