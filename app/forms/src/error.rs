//! What can go wrong making a packet.

/// Problems that stop a packet from being made. Problems inside it (a character no face has,
/// text too long for its box) are [`crate::FieldReport`]s instead: the packet still prints.
#[derive(Debug, thiserror::Error)]
pub enum FormsError {
    #[error("form templates have problems; fix them and try again:\n{}", .0.join("\n"))]
    Templates(Vec<String>),
    #[error("font problem: {0}")]
    Font(String),
    #[error("the case has no applicant; read or type the applicant first")]
    NoApplicant,
}
