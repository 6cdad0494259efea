//! Certificates the resident asks to take home from the visit (住民票の写し and the like).

use serde::{Deserialize, Serialize};

/// The certificates a counter issues on the day of a move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 住民票の写し
    Juminhyo,
    /// 住民票記載事項証明書
    JuminhyoKisaiJiko,
    /// 印鑑登録証明書
    InkanTourokuShomei,
}

impl CertificateKind {
    pub const ALL: [CertificateKind; 3] = [
        CertificateKind::Juminhyo,
        CertificateKind::JuminhyoKisaiJiko,
        CertificateKind::InkanTourokuShomei,
    ];

    /// The name the case file and the catalogue use (`juminhyo`).
    pub fn id(self) -> &'static str {
        match self {
            CertificateKind::Juminhyo => "juminhyo",
            CertificateKind::JuminhyoKisaiJiko => "juminhyo_kisai_jiko",
            CertificateKind::InkanTourokuShomei => "inkan_touroku_shomei",
        }
    }

    pub fn ja(self) -> &'static str {
        match self {
            CertificateKind::Juminhyo => "住民票の写し",
            CertificateKind::JuminhyoKisaiJiko => "住民票記載事項証明書",
            CertificateKind::InkanTourokuShomei => "印鑑登録証明書",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CertificateKind::Juminhyo => "copy of the residence record",
            CertificateKind::JuminhyoKisaiJiko => "certificate of residence record entries",
            CertificateKind::InkanTourokuShomei => "seal registration certificate",
        }
    }
}

/// A request for copies of one certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateRequest {
    pub kind: CertificateKind,
    pub copies: u8,
}
