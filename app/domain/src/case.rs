//! The case: everything the counter knows about one visit.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::answer::{Answer, Answers};
use crate::certificate::CertificateRequest;
use crate::event::LifeEvent;
use crate::filer::{FilerRole, Proxy, is_phone};
use crate::limits;
use crate::person::{Address, Household, Member, Nationality, Person};

/// One resident's visit: the event, the household it concerns, and the answers given so far.
///
/// This is the case JSON of `docs/case.md`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub event: LifeEvent,
    pub household: Household,
    /// Index into `household.members` of the person at the counter (届出人), or, when a
    /// [`proxy`](Case::proxy) files, of the member the 代理人 acts for.
    #[serde(default)]
    pub applicant: usize,
    /// A telephone number the office can call the household on, printed in every form's
    /// 電話番号 box (digits with hyphens between groups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The 代理人 when someone outside the household files with a 委任状.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Box<Proxy>>,
    #[serde(default)]
    pub answers: Answers,
    /// Certificates to issue on the day (住民票の写し, 印鑑登録証明書, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertificateRequest>,
    /// Values a form requires that the clerk left for the resident to write by hand (「本人が
    /// 記入」), by their path in the form templates (`new_address`, `applicant.phone`): the
    /// forms print an empty box there instead of stopping the print.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub resident_writes: BTreeSet<String>,
    /// The document the applicant was identified by at the counter, when an ID card was read
    /// (the forms' 本人確認 boxes tick it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identified_by: Option<crate::IdentityDocument>,
}

/// A case that cannot be evaluated as it stands. Fields are named as in the case JSON
/// (`household.members[1].person.birth_date`), so that whoever wrote the case can find them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("the household has no members: add at least the applicant / 世帯員がいません")]
    NoMembers,
    #[error(
        "the household has {count} members; at most {max} can be handled: split it / 世帯員が多すぎます（最大 {max} 人）"
    )]
    TooManyMembers { count: usize, max: usize },
    #[error(
        "applicant {index} is not a household member (there are {count}) / 届出人の指定が誤っています"
    )]
    ApplicantOutOfRange { index: usize, count: usize },
    #[error(
        "member {index} is born after the event's date: check the birth date / 生年月日が異動日（出来事の日）より後です"
    )]
    BornAfterEvent { index: usize },
    #[error(
        "the event is about member {index}, but there are {count}: choose the member / 対象の方の指定が誤っています"
    )]
    SubjectOutOfRange { index: usize, count: usize },
    #[error("member {index} has no name: type it or read the card / 氏名がありません")]
    MissingName { index: usize },
    #[error(
        "{field} {date} is outside the dates a case may name ({first} to {last}): check it / 日付が範囲外です"
    )]
    DateOutOfRange {
        field: String,
        date: NaiveDate,
        first: NaiveDate,
        last: NaiveDate,
    },
    #[error(
        "{field} is longer than {max} characters: shorten it / 文字数が多すぎます（最大 {max} 文字）"
    )]
    TooLong { field: String, max: usize },
    #[error(
        "{field} holds a line break or another control character: type it on one line / 改行や制御文字は使えません"
    )]
    ControlCharacter { field: String },
    #[error("{field} is not seven digits / 郵便番号は7桁の数字です")]
    PostalCode { field: String },
    #[error("the case has {count} answers; at most {max} can be handled / 回答が多すぎます")]
    TooManyAnswers { count: usize, max: usize },
    #[error("{field}: {copies} copies; ask for 1 to 9 / 証明書の通数は1〜9通です")]
    Copies { field: String, copies: u8 },
    #[error(
        "{field} names member {index}, but the household has {count}: check the answer / 回答の世帯員の指定が誤っています"
    )]
    NoSuchMember {
        field: String,
        index: usize,
        count: usize,
    },
    #[error(
        "{field} is not a telephone number (digits, with hyphens between groups) / 電話番号の形式ではありません"
    )]
    Phone { field: String },
    #[error(
        "a member who moves is 世帯主 and household.joining_head names another: keep one / 世帯主が二人います（異動する世帯主か、転入先の世帯主のどちらか一人にしてください）"
    )]
    TwoHeads,
    #[error("the 代理人 has no name: type it / 代理人の氏名がありません")]
    ProxyWithoutName,
    #[error(
        "the 親族's relation is empty: type it (子, 兄 …) or leave it out / 親族の続柄が空です"
    )]
    ProxyRelationEmpty,
    #[error(
        "resident_writes names {count} values; at most {max} can be left blank / 本人が記入する項目が多すぎます"
    )]
    TooManyBlanks { count: usize, max: usize },
}

impl Case {
    /// Checks what every consumer of a case relies on: at least one member, an applicant
    /// among them, names present, every date inside the window of [`limits`], birth dates not
    /// after the event, and every text and list within its limit. A case that passes can be
    /// evaluated, printed, stored and encoded without overflow or surprise.
    pub fn validate(&self) -> Result<(), CaseError> {
        let count = self.household.members.len();
        if count == 0 {
            return Err(CaseError::NoMembers);
        }
        if count > limits::MAX_MEMBERS {
            return Err(CaseError::TooManyMembers {
                count,
                max: limits::MAX_MEMBERS,
            });
        }
        if self.applicant >= count {
            return Err(CaseError::ApplicantOutOfRange {
                index: self.applicant,
                count,
            });
        }
        self.validate_event()?;
        let event_date = self.event.date;
        for (index, member) in self.household.members.iter().enumerate() {
            validate_person(&member.person, index)?;
            if member
                .person
                .birth_date
                .is_some_and(|birth| birth > event_date)
            {
                return Err(CaseError::BornAfterEvent { index });
            }
        }
        self.validate_heads()?;
        self.validate_answers()?;
        self.validate_contacts()?;
        self.validate_resident_writes()?;
        for (index, request) in self.certificates.iter().enumerate() {
            if !(1..=9).contains(&request.copies) {
                return Err(CaseError::Copies {
                    field: format!("certificates[{index}].copies"),
                    copies: request.copies,
                });
            }
        }
        Ok(())
    }

    /// A joining head is someone who does not move, so no member may be 世帯主 beside them.
    fn validate_heads(&self) -> Result<(), CaseError> {
        let household = &self.household;
        let heads = [
            ("household.joining_head", &household.joining_head),
            ("household.previous_head", &household.previous_head),
        ];
        for (field, name) in heads {
            if let Some(name) = name {
                check_text(field, name, limits::MAX_NAME_CHARS)?;
            }
        }
        if household.joining_head.is_some() && household.head_member().is_some() {
            return Err(CaseError::TwoHeads);
        }
        Ok(())
    }

    fn validate_event(&self) -> Result<(), CaseError> {
        let event = &self.event;
        check_date("event.date", event.date)?;
        check_date("event.visit_date", event.visit_date)?;
        for (id, date) in &event.dates {
            check_date(&format!("event.{id}"), *date)?;
        }
        let addresses = [
            ("event.previous_address", &event.previous_address),
            ("event.new_address", &event.new_address),
            ("event.next_address", &event.next_address),
        ];
        for (field, address) in addresses {
            if let Some(address) = address {
                validate_address(address, field)?;
            }
        }
        let count = self.household.members.len();
        if let Some(index) = event.subject.filter(|&index| index >= count) {
            return Err(CaseError::SubjectOutOfRange { index, count });
        }
        Ok(())
    }

    fn validate_resident_writes(&self) -> Result<(), CaseError> {
        if self.resident_writes.len() > limits::MAX_RESIDENT_WRITES {
            return Err(CaseError::TooManyBlanks {
                count: self.resident_writes.len(),
                max: limits::MAX_RESIDENT_WRITES,
            });
        }
        for path in &self.resident_writes {
            check_text("resident_writes", path, limits::MAX_ID_CHARS)?;
        }
        Ok(())
    }

    fn validate_answers(&self) -> Result<(), CaseError> {
        if self.answers.len() > limits::MAX_ANSWERS {
            return Err(CaseError::TooManyAnswers {
                count: self.answers.len(),
                max: limits::MAX_ANSWERS,
            });
        }
        for (id, answer) in &self.answers {
            // The id is checked before it is quoted, so that a huge id is never echoed.
            check_text("answers (a question id)", id, limits::MAX_ID_CHARS)?;
            let field = format!("answers.{id}");
            match answer {
                Answer::Date(date) => check_date(&field, *date)?,
                Answer::Choice(choice) => check_text(&field, choice, limits::MAX_ID_CHARS)?,
                Answer::Members(list) => {
                    let count = self.household.members.len();
                    if let Some(&index) = list.iter().find(|&&i| i >= count) {
                        return Err(CaseError::NoSuchMember {
                            field,
                            index,
                            count,
                        });
                    }
                }
                Answer::Yes | Answer::No | Answer::Unknown | Answer::Number(_) => {}
            }
        }
        Ok(())
    }

    fn validate_phone(field: &str, phone: &str) -> Result<(), CaseError> {
        check_text(field, phone, limits::MAX_PHONE_CHARS)?;
        if is_phone(phone) {
            Ok(())
        } else {
            Err(CaseError::Phone {
                field: field.into(),
            })
        }
    }

    /// The household's phone and the 代理人.
    fn validate_contacts(&self) -> Result<(), CaseError> {
        if let Some(phone) = &self.phone {
            Self::validate_phone("phone", phone)?;
        }
        let Some(proxy) = &self.proxy else {
            return Ok(());
        };
        check_text("proxy.name", &proxy.name, limits::MAX_NAME_CHARS)?;
        if proxy.name.trim().is_empty() {
            return Err(CaseError::ProxyWithoutName);
        }
        if let Some(kana) = &proxy.kana {
            check_text("proxy.kana", kana, limits::MAX_NAME_CHARS)?;
        }
        if let Some(address) = &proxy.address {
            validate_address(address, "proxy.address")?;
        }
        if let Some(phone) = &proxy.phone {
            Self::validate_phone("proxy.phone", phone)?;
        }
        if let Some(relation) = &proxy.relation {
            check_text("proxy.relation", relation, limits::MAX_RELATION_CHARS)?;
            if relation.trim().is_empty() {
                return Err(CaseError::ProxyRelationEmpty);
            }
        }
        Ok(())
    }

    /// In what capacity the 届出人 files for member `subject`: as that member, as another
    /// member of the household, or as a 代理人.
    pub fn filer_role(&self, subject: usize) -> FilerRole {
        if self.proxy.as_ref().is_some_and(|p| p.relation.is_some()) {
            FilerRole::Relative
        } else if self.proxy.is_some() {
            FilerRole::Proxy
        } else if subject == self.applicant {
            FilerRole::SelfPerson
        } else {
            FilerRole::HouseholdMember
        }
    }

    /// Whether the 届出人 brings a 委任状: a 代理人 does, except family filing about the member
    /// the event is about (the person who died cannot sign one).
    pub fn needs_letter_of_attorney(&self) -> bool {
        self.proxy
            .as_ref()
            .is_some_and(|p| p.relation.is_none() || self.event.subject.is_none())
    }

    /// Reads a case JSON document (`docs/case.md`) from outside: at most
    /// [`limits::MAX_CASE_JSON_BYTES`], parsed strictly, then validated.
    pub fn from_json(bytes: &[u8]) -> Result<Case, CaseReadError> {
        if bytes.len() > limits::MAX_CASE_JSON_BYTES {
            return Err(CaseReadError::TooLarge {
                bytes: bytes.len(),
                max: limits::MAX_CASE_JSON_BYTES,
            });
        }
        let case: Case =
            serde_json::from_slice(bytes).map_err(|e| CaseReadError::Json(e.to_string()))?;
        case.validate()?;
        Ok(case)
    }

    pub fn applicant(&self) -> Option<&Member> {
        self.household.members.get(self.applicant)
    }
}

/// Why a case document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseReadError {
    #[error(
        "the case is {bytes} bytes; a case is at most {max} bytes / ケースのデータが大きすぎます"
    )]
    TooLarge { bytes: usize, max: usize },
    #[error("not a case (docs/case.md): {0} / ケースの形式ではありません")]
    Json(String),
    #[error(transparent)]
    Invalid(#[from] CaseError),
}

fn check_date(field: &str, date: NaiveDate) -> Result<(), CaseError> {
    if limits::date_in_window(date) {
        Ok(())
    } else {
        Err(CaseError::DateOutOfRange {
            field: field.to_string(),
            date,
            first: limits::FIRST_DAY,
            last: limits::LAST_DAY,
        })
    }
}

/// One line of text within `max` characters. Length first: a megabyte of text is refused
/// without being scanned twice.
fn check_text(field: &str, text: &str, max: usize) -> Result<(), CaseError> {
    if text.len() > max * 4 || text.chars().count() > max {
        return Err(CaseError::TooLong {
            field: field.to_string(),
            max,
        });
    }
    if limits::has_control(text) {
        return Err(CaseError::ControlCharacter {
            field: field.to_string(),
        });
    }
    Ok(())
}

fn validate_person(person: &Person, index: usize) -> Result<(), CaseError> {
    let field = |name: &str| format!("household.members[{index}].person.{name}");
    check_text(&field("name"), &person.name, limits::MAX_NAME_CHARS)?;
    if person.name.trim().is_empty() {
        return Err(CaseError::MissingName { index });
    }
    if let Some(kana) = &person.kana {
        check_text(&field("kana"), kana, limits::MAX_NAME_CHARS)?;
    }
    if let Some(birth) = person.birth_date {
        check_date(&field("birth_date"), birth)?;
    }
    if let Some(Nationality::Foreign(resident)) = &person.nationality {
        if let Some(country) = &resident.country {
            check_text(&field("nationality"), country, limits::MAX_COUNTRY_CHARS)?;
        }
        if let Some(alias) = &resident.alias {
            check_text(&field("nationality.alias"), alias, limits::MAX_NAME_CHARS)?;
        }
        if let Some(end) = resident.period_end {
            check_date(&field("nationality.period_end"), end)?;
        }
    }
    if let Some(address) = &person.address {
        validate_address(address, &field("address"))?;
    }
    Ok(())
}

fn validate_address(address: &Address, field: &str) -> Result<(), CaseError> {
    check_text(
        &format!("{field}.text"),
        &address.text,
        limits::MAX_ADDRESS_CHARS,
    )?;
    if let Some(code) = &address.postal_code
        && (code.len() != 7 || !code.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(CaseError::PostalCode {
            field: format!("{field}.postal_code"),
        });
    }
    if let Some(building) = &address.building {
        check_text(
            &format!("{field}.building"),
            building,
            limits::MAX_ADDRESS_CHARS,
        )?;
    }
    if let Some(parts) = &address.parts {
        let texts = [
            ("prefecture", Some(&parts.prefecture)),
            ("municipality", Some(&parts.municipality)),
            ("street", Some(&parts.street)),
        ];
        for (name, text) in texts {
            if let Some(text) = text {
                check_text(
                    &format!("{field}.parts.{name}"),
                    text,
                    limits::MAX_ADDRESS_CHARS,
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_who_does_not_move_and_a_head_who_does_cannot_both_be_recorded() {
        let mut case: Case = serde_json::from_str(
            r#"{"event": {"kind": "tennyu", "move_date": "2026-04-01", "visit_date": "2026-04-02"},
                "household": {"members": [{"person": {"name": "甲 一"}, "relation": "子"}],
                              "joining_head": "甲 父"}}"#,
        )
        .expect("a case");
        assert_eq!(case.validate(), Ok(()));
        assert_eq!(case.household.head_name(), Some("甲 父"));
        // Alone, the mover's former head is not guessed.
        assert_eq!(case.household.previous_head_name(), None);
        case.household.members[0].relation = Zokugara::HEAD;
        assert_eq!(case.validate(), Err(CaseError::TwoHeads));
    }

    #[test]
    fn an_older_files_building_in_parts_is_read_as_the_addresss_building() {
        let old = r#"{"text": "標準市本町1番", "parts": {"prefecture": "東京都",
            "municipality": "標準市", "street": "本町1番", "building": "本町ビル3階"}}"#;
        let address: Address = serde_json::from_str(old).expect("an address");
        assert_eq!(address.building.as_deref(), Some("本町ビル3階"));
        assert_eq!(address.whole(), "標準市本町1番\u{3000}本町ビル3階");
        let again: Address =
            serde_json::from_str(&serde_json::to_string(&address).expect("json")).expect("read");
        assert_eq!(again, address);
        let unknown = r#"{"text": "x", "room": "1"}"#;
        assert!(serde_json::from_str::<Address>(unknown).is_err());
    }
    use crate::{Answer, EventKind, Zokugara};

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
        assert_eq!(case.event.kind(), EventKind::TENNYU);
        assert_eq!(case.household.members[1].relation, Zokugara::CHILD);
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
    fn blanks_phones_proxies_and_named_members_are_bounded() {
        let mut case: Case = serde_json::from_str(FAMILY).expect("valid case");
        case.resident_writes = (0..41).map(|i| format!("field_{i}")).collect();
        assert_eq!(
            case.validate(),
            Err(CaseError::TooManyBlanks { count: 41, max: 40 })
        );
        case.resident_writes = ["x".repeat(65)].into_iter().collect();
        assert!(matches!(case.validate(), Err(CaseError::TooLong { .. })));
        case.resident_writes.clear();

        case.phone = Some("046-822-4000\n".into());
        assert!(matches!(
            case.validate(),
            Err(CaseError::ControlCharacter { .. })
        ));
        case.phone = Some("not a phone".into());
        assert_eq!(
            case.validate(),
            Err(CaseError::Phone {
                field: "phone".into()
            })
        );
        case.phone = Some("046-822-4000".into());
        assert_eq!(case.validate(), Ok(()));

        case.proxy = Some(Box::new(Proxy {
            name: "  ".into(),
            kana: None,
            address: None,
            phone: None,
            relation: None,
        }));
        assert_eq!(case.validate(), Err(CaseError::ProxyWithoutName));
        case.proxy = None;

        case.answers.insert("seal".into(), Answer::members([0, 2]));
        let error = case.validate().expect_err("member 2 is not there");
        assert!(error.to_string().contains("answers.seal"), "{error}");
    }

    /// What a foreign resident, a 方書 and the heads of household let in is held to the same
    /// bounds as every other text: too long or on two lines is refused with its field.
    #[test]
    fn foreign_facts_buildings_and_heads_are_bounded() {
        let base: Case = serde_json::from_str(FAMILY).expect("valid case");
        let refused = |change: &dyn Fn(&mut Case)| {
            let mut case = base.clone();
            change(&mut case);
            case.validate().expect_err("refused").to_string()
        };
        let foreign = |case: &mut Case, f: &dyn Fn(&mut crate::ForeignResident)| {
            let mut resident = crate::ForeignResident::default();
            f(&mut resident);
            case.household.members[0].person.nationality = Some(Nationality::Foreign(resident));
        };
        let said = refused(&|c| foreign(c, &|r| r.alias = Some("通".repeat(201))));
        assert!(said.contains("nationality.alias"), "{said}");
        let said = refused(&|c| foreign(c, &|r| r.country = Some("国".repeat(101))));
        assert!(said.contains("nationality"), "{said}");
        let said = refused(&|c| {
            foreign(c, &|r| {
                r.period_end = chrono::NaiveDate::from_ymd_opt(2201, 1, 1);
            })
        });
        assert!(said.contains("period_end"), "{said}");
        let said = refused(&|c| {
            c.event.new_address = Some(Address {
                text: "標準市本町1番".into(),
                building: Some("ハイツ\n201".into()),
                ..Address::default()
            });
        });
        assert!(said.contains("building"), "{said}");
        let said = refused(&|c| c.household.previous_head = Some("前".repeat(201)));
        assert!(said.contains("previous_head"), "{said}");
        let said = refused(&|c| c.household.joining_head = Some("新しい 世帯主".into()));
        assert!(said.contains("世帯主が二人"), "{said}");
        // A card number or a 在留資格 that is not one is refused where a file is read.
        let json = serde_json::to_string(&base).expect("json").replace(
            "\"nationality\":\"japanese\"",
            "\"nationality\":{\"foreign\":{\"card_number\":\"123\"}}",
        );
        assert!(serde_json::from_str::<Case>(&json).is_err());
    }

    #[test]
    fn the_member_an_event_is_about_must_be_in_the_household() {
        let mut case: Case = serde_json::from_str(FAMILY).expect("valid case");
        case.event.subject = Some(1);
        assert_eq!(case.validate(), Ok(()));
        case.event.subject = Some(2);
        assert_eq!(
            case.validate(),
            Err(CaseError::SubjectOutOfRange { index: 2, count: 2 })
        );
    }

    #[test]
    fn a_member_born_after_the_move_is_refused() {
        let mut case: Case = serde_json::from_str(FAMILY).expect("valid case");
        case.household.members[1].person.birth_date = chrono::NaiveDate::from_ymd_opt(2026, 5, 1);
        assert_eq!(case.validate(), Err(CaseError::BornAfterEvent { index: 1 }));
    }

    #[test]
    fn dates_outside_the_window_are_refused_where_they_enter() {
        for (field, date) in [
            ("move_date", "+262142-12-31"),
            ("visit_date", "2201-01-01"),
            ("moved_out_date", "1867-12-31"),
        ] {
            let json = FAMILY.replace(
                &format!("\"{field}\": \"{}\"", field_value(field)),
                &format!("\"{field}\": \"{date}\""),
            );
            let error = Case::from_json(json.as_bytes()).expect_err(field);
            assert!(
                matches!(&error, CaseReadError::Invalid(CaseError::DateOutOfRange { field: f, .. }) if f.ends_with(field.trim_start_matches("move_"))),
                "{field}: {error}"
            );
        }
        let negative = FAMILY.replace("1990-05-01", "-0001-05-01");
        assert!(matches!(
            Case::from_json(negative.as_bytes()),
            Err(CaseReadError::Invalid(CaseError::DateOutOfRange { .. }))
        ));
    }

    fn field_value(field: &str) -> &'static str {
        match field {
            "move_date" => "2026-04-01",
            "visit_date" => "2026-04-03",
            _ => "2026-03-31",
        }
    }

    #[test]
    fn sizes_and_control_characters_are_bounded() {
        let mut case: Case = serde_json::from_str(FAMILY).expect("valid case");
        case.household.members[0].person.name = "𠮷".repeat(201);
        assert!(matches!(
            case.validate(),
            Err(CaseError::TooLong { max: 200, .. })
        ));
        case.household.members[0].person.name = "山田\n太郎".into();
        assert!(matches!(
            case.validate(),
            Err(CaseError::ControlCharacter { .. })
        ));
        case.household.members[0].person.name = "山田 太郎".into();
        let member = case.household.members[0].clone();
        case.household.members = vec![member; 31];
        assert!(matches!(
            case.validate(),
            Err(CaseError::TooManyMembers { .. })
        ));
        let huge = FAMILY.replace("山田 太郎", &"太".repeat(100_000));
        assert!(matches!(
            Case::from_json(huge.as_bytes()),
            Err(CaseReadError::TooLarge { .. })
        ));
    }

    #[test]
    fn an_older_case_file_loads_where_the_sex_decides_the_zokugara() {
        let older = FAMILY.replace(
            r#""relation": "child""#,
            r#""relation": "child"}, {"person": {"name": "窓口 花子", "sex": "female"}, "relation": "spouse""#,
        );
        let case = Case::from_json(older.as_bytes()).expect("older format loads");
        assert_eq!(case.household.members[0].relation, Zokugara::HEAD);
        assert_eq!(case.household.members[2].relation, Zokugara::WIFE);
        let json = serde_json::to_string(&case).expect("serialises");
        assert!(json.contains(r#""relation":"妻""#), "{json}");

        let no_sex = older.replace(
            r#""sex": "female"}, "relation": "spouse""#,
            r#""sex": null}, "relation": "spouse""#,
        );
        let error = Case::from_json(no_sex.as_bytes()).expect_err("spouse without a sex");
        assert!(error.to_string().contains("妻 / 夫"), "{error}");
        let sibling = FAMILY.replace(r#""relation": "child""#, r#""relation": "sibling""#);
        let error = Case::from_json(sibling.as_bytes()).expect_err("sibling");
        assert!(error.to_string().contains("兄, 姉, 弟, 妹"), "{error}");
        let category = FAMILY.replace(r#""relation": "child""#, r#""relation": "配偶者""#);
        assert!(
            Case::from_json(category.as_bytes()).is_err(),
            "配偶者 is not a 続柄"
        );
    }

    #[test]
    fn unknown_fields_are_refused_not_ignored() {
        let bad = FAMILY
            .replace("\"applicant\"", "\"x\"")
            .replace("\"answers\"", "\"answerz\"");
        assert!(serde_json::from_str::<Case>(&bad).is_err());
    }
}
