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

pub use madoguchi_words::Offered;

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
    Offered::choose(
        listed,
        offer_unreviewed,
        "[kiosk] unreviewed = \"hide\"",
        |language| state(catalogue, language, fonts),
    )
}

/// Whether `language` can be offered (`Err` says why not), and whether every text of it is
/// reviewed.
fn state(
    catalogue: &Catalogue,
    language: Language,
    fonts: &dyn Fn(Language) -> bool,
) -> Result<bool, String> {
    let reviewed = catalogue.offerable_in(language)?
        & madoguchi_words::reviewed(language, &[Domain::Kiosk, Domain::Screens, Domain::Sheet])?;
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
