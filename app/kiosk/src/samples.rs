//! The samples the demo, the development tools and the tests share, so that there is one copy
//! of each: the family of four from `docs/examples/`, the shipped catalogue, and the fictional
//! residents and move the screenshots and the session's tests are set on.

use std::sync::Arc;

use chrono::NaiveDate;
use madoguchi_domain::{Address, Case, EventDate, EventKind, LifeEvent, Person, Sex};
use madoguchi_rules::Catalogue;

use crate::catalogue_dir;

/// A family of four moving in (`docs/examples/family-of-four.json`), as JSON.
pub const FAMILY_OF_FOUR: &str = include_str!("../../../docs/examples/family-of-four.json");

/// The family of four as a case, read and validated like any case file.
pub fn family_of_four() -> anyhow::Result<Case> {
    Ok(Case::from_json(FAMILY_OF_FOUR.as_bytes())?)
}

/// The catalogue shipped with the binary (`assets/catalogue`), loaded.
pub fn shipped_catalogue() -> anyhow::Result<Arc<Catalogue>> {
    Ok(Arc::new(catalogue_dir::load_quietly(
        &catalogue_dir::default_dir(),
    )?))
}

/// The day the samples are set on (a Friday in November 2026).
pub fn visit_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default()
}

/// A fictional resident as their card gives them: name, birth date, sex and an address in
/// another city (no ふりがな: the card has none).
pub fn resident(name: &str, birth: NaiveDate, sex: Sex) -> Person {
    Person {
        name: name.into(),
        birth_date: Some(birth),
        sex: Some(sex),
        address: Some(Address {
            building: None,
            text: "福岡県北九州市小倉北区城内1番1号".into(),
            postal_code: None,
            parts: None,
        }),
        ..Person::default()
    }
}

/// A second-generation 在留カード of a fictional resident (the emulator's
/// `zairyu-nguyen` persona: born 1998-07-14, her name and address as the chip's pictures) as a
/// verified read returns it.
pub fn residence_card() -> anyhow::Result<madoguchi_card::residence::ResidenceFacts> {
    use madoguchi_card::CardSex;
    use madoguchi_card::residence::{
        BackEntries, CardImages, CardType, Document, Generation, PrintedEntries, ResidenceFacts,
        VerifiedSignature,
    };
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    Ok(ResidenceFacts {
        card_type: CardType {
            document: Document::ResidenceCard,
            generation: Generation::Second,
        },
        card_number: madoguchi_domain::ResidenceCardNumber::parse("UH12345678VN")
            .map_err(|_| anyhow::anyhow!("the sample's card number"))?,
        printed: Some(PrintedEntries {
            card_expiry: day(2029, 4, 1),
            birth_date: Some(day(1998, 7, 14)),
            birth_date_text: "19980714".into(),
            sex: CardSex::Female,
            nationality_code: "VNM".into(),
            status_code: Some("12".into()),
            period_of_stay: None,
            work_restriction: None,
            period_end: Some(day(2028, 4, 1)),
            signed_values: Vec::new(),
        }),
        back: BackEntries {
            application_pending: true,
            ..BackEntries::default()
        },
        images: CardImages {
            name: Some(NGUYEN_NAME.to_vec()),
            address: Some(NGUYEN_ADDRESS.to_vec()),
            front: None,
        },
        signature: VerifiedSignature {
            anchor: "test".into(),
        },
    })
}

const NGUYEN_NAME: &[u8] = include_bytes!("../../../assets/personas/zairyu/nguyen-name.tif");
const NGUYEN_ADDRESS: &[u8] = include_bytes!("../../../assets/personas/zairyu/nguyen-address.tif");

/// A move into 標準市 on 15 November 2026, declared on [`visit_day`].
pub fn moving_in() -> LifeEvent {
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default();
    let mut event = LifeEvent::new(EventKind::TENNYU, day(15), visit_day())
        .with_date(EventDate::MOVED_OUT_DATE, day(14));
    event.new_address = Some(Address {
        building: None,
        text: "標準市中央一丁目2番3号".into(),
        postal_code: Some("1000001".into()),
        parts: None,
    });
    event
}

/// Stores `case` as a finished interview, as the kiosk does at its end: decided with
/// `catalogue`, each procedure routed to its counter (offices outside the city hall to none),
/// `forms_printed` forms printed. For the floor's development tools, tests and screenshots.
pub fn finish_routed_case(
    store: &mut madoguchi_store::Store,
    catalogue: &Catalogue,
    case: &Case,
    forms_printed: u32,
) -> anyhow::Result<madoguchi_store::CaseId> {
    use anyhow::Context;
    let decision = madoguchi_rules::Engine::new(catalogue)
        .evaluate(case, crate::packet::as_of(case))
        .context("the case cannot be decided")?;
    let routed: Vec<madoguchi_store::Routed<'_>> = decision
        .procedures
        .iter()
        .map(|p| madoguchi_store::Routed {
            procedure: &p.id,
            counter: if p.counter.external {
                ""
            } else {
                &p.counter.id
            },
        })
        .collect();
    let id = store.start_case(chrono::Utc::now())?;
    store.checkpoint(id, "result", case, &routed, chrono::Utc::now())?;
    store.finish_case(id, forms_printed, chrono::Utc::now())?;
    Ok(id)
}

/// A city's own blank paper form (`docs/examples/city-paper-form.toml`), the form editor's
/// example, as the PDF a city would hand its supervisor.
pub const CITY_PAPER_FORM: &str = include_str!("../../../docs/examples/city-paper-form.toml");

/// The city's blank paper form as a one-page PDF: printed ink only, no values.
pub fn city_paper_form_pdf() -> anyhow::Result<Vec<u8>> {
    use madoguchi_forms::{Fonts, Library, Office, PacketRequest, render_packet};
    let files = [(
        format!(
            "{}city_paper_form.toml",
            madoguchi_rules::files::FORMS_FOLDER
        ),
        CITY_PAPER_FORM.to_string(),
    )]
    .into_iter()
    .collect();
    let library = Library::from_catalogue_files(&files)?;
    let case = family_of_four()?;
    let no_qr = |_: &Case| Ok(Vec::new());
    let packet = render_packet(
        &library,
        &Fonts::load(),
        &PacketRequest {
            case: &case,
            event_name: "",
            office: &Office::default(),
            forms: &["jumin_ido_todoke".to_string()],
            procedures: &[],
            concerns: &[],
            guidance: None,
            qr: &no_qr,
        },
    )?;
    Ok(packet.pdf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_load() {
        let case = family_of_four().expect("the family of four");
        assert_eq!(case.household.members.len(), 4);
        assert!(
            !shipped_catalogue()
                .expect("catalogue")
                .procedures
                .is_empty()
        );
    }

    /// The city's blank form is one A4 page whose ruled cells the editor finds: the five rows
    /// of the case's part and the household's header and six rows.
    #[test]
    fn the_citys_paper_form_is_a_ruled_a4_page() {
        let pdf = super::city_paper_form_pdf().expect("renders");
        let page = madoguchi_forms::scan::read_page(&pdf).expect("reads");
        if let Ok(out) = std::env::var("MADOGUCHI_SAVE_CITY_FORM") {
            std::fs::write(out, page.png().expect("png")).expect("save");
        }
        let rules = madoguchi_forms::ruling::find_rules(&page.raster());
        let at = |y: f64| rules.horizontal.iter().any(|r| (r.at - y).abs() < 0.5);
        for y in [
            30.0, 42.0, 54.0, 70.0, 86.0, 98.0, 104.0, 112.0, 124.0, 184.0,
        ] {
            assert!(at(y), "a rule at {y} mm: {:?}", rules.horizontal);
        }
    }
}
