//! The document the counter identified the applicant by (本人確認書類), as the forms' 本人確認
//! boxes tick it: recorded when an ID card is read, left unset when the clerk typed the person
//! (they tick the box by hand).

use serde::{Deserialize, Serialize};

/// A 本人確認書類 the counter reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityDocument {
    MyNumberCard,
    DrivingLicence,
    ResidenceCard,
    SpecialPermanentCertificate,
}

impl IdentityDocument {
    pub const ALL: [IdentityDocument; 4] = [
        IdentityDocument::MyNumberCard,
        IdentityDocument::DrivingLicence,
        IdentityDocument::ResidenceCard,
        IdentityDocument::SpecialPermanentCertificate,
    ];

    /// The id the case JSON and the form templates use (`my_number_card` …).
    pub fn id(self) -> &'static str {
        match self {
            IdentityDocument::MyNumberCard => "my_number_card",
            IdentityDocument::DrivingLicence => "driving_licence",
            IdentityDocument::ResidenceCard => "residence_card",
            IdentityDocument::SpecialPermanentCertificate => "special_permanent_certificate",
        }
    }

    pub fn from_id(id: &str) -> Option<IdentityDocument> {
        IdentityDocument::ALL.into_iter().find(|d| d.id() == id)
    }

    pub fn ja(self) -> &'static str {
        match self {
            IdentityDocument::MyNumberCard => "マイナンバーカード",
            IdentityDocument::DrivingLicence => "運転免許証",
            IdentityDocument::ResidenceCard => "在留カード",
            IdentityDocument::SpecialPermanentCertificate => "特別永住者証明書",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            IdentityDocument::MyNumberCard => "My Number card",
            IdentityDocument::DrivingLicence => "driving licence",
            IdentityDocument::ResidenceCard => "residence card",
            IdentityDocument::SpecialPermanentCertificate => {
                "special permanent resident certificate"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for document in IdentityDocument::ALL {
            assert_eq!(IdentityDocument::from_id(document.id()), Some(document));
            let json = serde_json::to_string(&document).expect("JSON");
            assert_eq!(json, format!("\"{}\"", document.id()));
        }
        assert_eq!(IdentityDocument::from_id("passport"), None);
    }
}
