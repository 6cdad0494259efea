//! 国籍・地域: the chip's three-letter code and the name the card prints, from
//! `app/card/data/nationalities.txt` (plain text, reviewed like code).

const TABLE: &str = include_str!("../../data/nationalities.txt");

/// The card's printed name for a chip code, when the table knows it.
pub fn name_ja(code: &str) -> Option<&'static str> {
    TABLE
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .find(|(known, _)| *known == code)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_well_formed_and_names_common_codes() {
        let mut seen = std::collections::HashSet::new();
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let (code, name) = line.split_once('\t').expect("code, tab, name");
            assert!(
                code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()),
                "{line}"
            );
            assert!(!name.trim().is_empty() && name.trim() == name, "{line}");
            assert!(seen.insert(code), "{code} twice");
        }
        assert_eq!(name_ja("VNM"), Some("ベトナム"));
        assert_eq!(name_ja("KOR"), Some("韓国"));
        assert_eq!(name_ja("XXX"), None);
        assert_eq!(name_ja(""), None);
    }
}
