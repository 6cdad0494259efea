//! The samples the demo, the development tools and the tests share, so that there is one copy
//! of each: the family of four from `docs/examples/` and the shipped catalogue.

use std::sync::Arc;

use madoguchi_domain::Case;
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
}
