//! The case: everything the counter knows about one visit.

use serde::{Deserialize, Serialize};

use crate::answer::Answers;
use crate::certificate::CertificateRequest;
use crate::event::LifeEvent;
use crate::person::{Household, Member};

/// One resident's visit: the event, the household it concerns, and the answers given so far.
///
/// This is the case JSON of `docs/case.md`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub event: LifeEvent,
    pub household: Household,
    /// Index into `household.members` of the person at the counter (届出人).
    #[serde(default)]
    pub applicant: usize,
    #[serde(default)]
    pub answers: Answers,
    /// Certificates to issue on the day (住民票の写し, 印鑑登録証明書, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertificateRequest>,
}

/// A case that cannot be evaluated as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("the household has no members: add at least the applicant / 世帯員がいません")]
    NoMembers,
    #[error(
        "applicant {index} is not a household member (there are {count}) / 届出人の指定が誤っています"
    )]
    ApplicantOutOfRange { index: usize, count: usize },
    #[error(
        "member {index} is born after the move date: check the birth date / 生年月日が異動日より後です"
    )]
    BornAfterEvent { index: usize },
    #[error("member {index} has no name: type it or read the card / 氏名がありません")]
    MissingName { index: usize },
}

impl Case {
    /// Checks what every consumer of a case relies on. Birth dates may be unknown; they may not
    /// lie after the event.
    pub fn validate(&self) -> Result<(), CaseError> {
        let count = self.household.members.len();
        if count == 0 {
            return Err(CaseError::NoMembers);
        }
        if self.applicant >= count {
            return Err(CaseError::ApplicantOutOfRange {
                index: self.applicant,
                count,
            });
        }
        let move_date = self.event.move_date();
        for (index, member) in self.household.members.iter().enumerate() {
            if member.person.name.trim().is_empty() {
                return Err(CaseError::MissingName { index });
            }
            if member
                .person
                .birth_date
                .is_some_and(|birth| birth > move_date)
            {
                return Err(CaseError::BornAfterEvent { index });
            }
        }
        Ok(())
    }

    pub fn applicant(&self) -> Option<&Member> {
        self.household.members.get(self.applicant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Answer, EventKind, Relation};

    const FAMILY: &str = r#"{
      "event": {"kind": "tennyu", "move_date": "2026-04-01", "visit_date": "2026-04-03",
                "moved_out_date": "2026-03-31",
                "previous_address": {"text": "東京都新宿区西新宿二丁目8番1号"}},
      "household": {"members": [
        {"person": {"name": "山田 太郎", "birth_date": "1990-05-01", "sex": "male",
                    "nationality": "japanese"}, "relation": "head"},
        {"person": {"name": "髙橋 𠮷子", "birth_date": "2024-01-10",
                    "nationality": {"foreign": {"country": "韓国"}}}, "relation": "child"}
      ]},
      "answers": {"dog": "yes"}
    }"#;

    #[test]
    fn the_case_json_reads_and_validates() {
        let case: Case = serde_json::from_str(FAMILY).expect("valid case");
        assert_eq!(case.event.kind(), EventKind::Tennyu);
        assert_eq!(case.household.members[1].relation, Relation::Child);
        assert_eq!(case.household.members[1].person.name, "髙橋 𠮷子");
        assert!(
            case.household.members[1]
                .person
                .nationality
                .as_ref()
                .is_some_and(|n| n.is_foreign())
        );
        assert_eq!(case.answers["dog"], Answer::Yes);
        assert_eq!(case.validate(), Ok(()));
    }

    #[test]
    fn a_member_born_after_the_move_is_refused() {
        let mut case: Case = serde_json::from_str(FAMILY).expect("valid case");
        case.household.members[1].person.birth_date = chrono::NaiveDate::from_ymd_opt(2026, 5, 1);
        assert_eq!(case.validate(), Err(CaseError::BornAfterEvent { index: 1 }));
    }

    #[test]
    fn unknown_fields_are_refused_not_ignored() {
        let bad = FAMILY
            .replace("\"applicant\"", "\"x\"")
            .replace("\"answers\"", "\"answerz\"");
        assert!(serde_json::from_str::<Case>(&bad).is_err());
    }
}
