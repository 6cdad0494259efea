//! The clerk's corrections on the review screen, read and applied to the case.
//!
//! The screen shows one field per correctable fact; what is typed into them arrives as
//! [`ReviewEdits`] and is read with `domain::input`, the same rules as every other screen, so
//! a bad postal code or date is refused with the field named and the case is left unchanged.

use std::collections::BTreeMap;

use madoguchi_domain::input::{self, InputError};
use madoguchi_domain::{Address, Case, EventKind, ForeignResident, Nationality, Proxy};

use super::Notice;

/// A fact the clerk may correct on the review screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReviewField {
    /// The new address (転入・転居) or the next one (転出).
    Address,
    PostalCode,
    MoveDate,
    /// The household's telephone number.
    Phone,
    /// 方書 of the new address.
    Building,
    /// 世帯主 of the household joined, when none who moves heads it.
    JoiningHead,
    /// 前の世帯主.
    PreviousHead,
    /// The 代理人 filing for the household with a 委任状: their name (empty: no 代理人), then
    /// their ふりがな, address and telephone.
    ProxyName,
    ProxyKana,
    ProxyAddress,
    ProxyPhone,
    /// What a 代理人 who is family is to the member the case is about (子, 兄 …): they file
    /// as 親族, and after a death without a 委任状.
    ProxyRelation,
    /// The ふりがな of the household member at this index.
    Kana(usize),
    /// 国籍・地域 of the member at this index: 「日本」 records a Japanese national.
    Country(usize),
    /// What the foreign member's 在留カード says.
    ResidenceCard(usize),
    ResidenceStatus(usize),
    ResidenceUntil(usize),
    ResidenceCategory(usize),
    Alias(usize),
}

/// A per-member field, made from the member's index.
type MemberField = fn(usize) -> ReviewField;

/// The per-member fields, by key prefix.
const MEMBER_FIELDS: [(&str, MemberField); 7] = [
    ("kana", ReviewField::Kana),
    ("country", ReviewField::Country),
    ("residence_card", ReviewField::ResidenceCard),
    ("residence_status", ReviewField::ResidenceStatus),
    ("residence_until", ReviewField::ResidenceUntil),
    ("residence_category", ReviewField::ResidenceCategory),
    ("alias", ReviewField::Alias),
];

impl ReviewField {
    /// The key the review screen's field carries.
    pub fn key(self) -> String {
        match self {
            ReviewField::Address => "address".into(),
            ReviewField::PostalCode => "postal".into(),
            ReviewField::MoveDate => "move_date".into(),
            ReviewField::Phone => "phone".into(),
            ReviewField::Building => "building".into(),
            ReviewField::JoiningHead => "joining_head".into(),
            ReviewField::PreviousHead => "previous_head".into(),
            ReviewField::ProxyName => "proxy.name".into(),
            ReviewField::ProxyKana => "proxy.kana".into(),
            ReviewField::ProxyAddress => "proxy.address".into(),
            ReviewField::ProxyPhone => "proxy.phone".into(),
            ReviewField::ProxyRelation => "proxy.relation".into(),
            ReviewField::Kana(index) => format!("kana.{index}"),
            ReviewField::Country(index) => format!("country.{index}"),
            ReviewField::ResidenceCard(index) => format!("residence_card.{index}"),
            ReviewField::ResidenceStatus(index) => format!("residence_status.{index}"),
            ReviewField::ResidenceUntil(index) => format!("residence_until.{index}"),
            ReviewField::ResidenceCategory(index) => format!("residence_category.{index}"),
            ReviewField::Alias(index) => format!("alias.{index}"),
        }
    }

    /// The field a screen key names; `None` for a key no field has.
    pub fn from_key(key: &str) -> Option<ReviewField> {
        match key {
            "address" => Some(ReviewField::Address),
            "postal" => Some(ReviewField::PostalCode),
            "move_date" => Some(ReviewField::MoveDate),
            "phone" => Some(ReviewField::Phone),
            "building" => Some(ReviewField::Building),
            "joining_head" => Some(ReviewField::JoiningHead),
            "previous_head" => Some(ReviewField::PreviousHead),
            "proxy.name" => Some(ReviewField::ProxyName),
            "proxy.kana" => Some(ReviewField::ProxyKana),
            "proxy.address" => Some(ReviewField::ProxyAddress),
            "proxy.phone" => Some(ReviewField::ProxyPhone),
            "proxy.relation" => Some(ReviewField::ProxyRelation),
            _ => {
                let (prefix, index) = key.split_once('.')?;
                let index: usize = index.parse().ok()?;
                MEMBER_FIELDS
                    .iter()
                    .find(|(name, _)| *name == prefix)
                    .map(|(_, field)| field(index))
            }
        }
    }

    /// What the field is called, in Japanese and English.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            ReviewField::Address => ("住所", "Address"),
            ReviewField::PostalCode => ("郵便番号", "Postal code"),
            ReviewField::MoveDate => ("異動日", "Moving date"),
            ReviewField::Phone => ("電話番号", "Telephone"),
            ReviewField::Building => ("方書", "Building and room"),
            ReviewField::JoiningHead => ("新しい世帯主", "New head of household"),
            ReviewField::PreviousHead => ("前の世帯主", "Previous head of household"),
            ReviewField::ProxyName => ("代理人の氏名", "Proxy's name"),
            ReviewField::ProxyKana => ("代理人のふりがな", "Proxy's reading"),
            ReviewField::ProxyAddress => ("代理人の住所", "Proxy's address"),
            ReviewField::ProxyPhone => ("代理人の電話番号", "Proxy's telephone"),
            ReviewField::ProxyRelation => ("ご親族のときの続柄", "Relation, when family"),
            ReviewField::Kana(_) => ("ふりがな", "Reading"),
            ReviewField::Country(_) => ("国籍・地域", "Nationality or region"),
            ReviewField::ResidenceCard(_) => ("在留カード等番号", "Residence card number"),
            ReviewField::ResidenceStatus(_) => ("在留資格", "Status of residence"),
            ReviewField::ResidenceUntil(_) => ("在留期間の満了日", "Period of stay ends"),
            ReviewField::ResidenceCategory(_) => ("区分（法第30条の45）", "Category (Art. 30-45)"),
            ReviewField::Alias(_) => ("通称", "Alias"),
        }
    }
}

/// What was typed on the review screen, by field (the last text typed into each).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewEdits(BTreeMap<ReviewField, String>);

impl ReviewEdits {
    pub fn set(&mut self, field: ReviewField, text: &str) {
        self.0.insert(field, text.to_string());
    }

    pub fn get(&self, field: ReviewField) -> Option<&str> {
        self.0.get(&field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The case with every edit applied, or the first field that cannot be read.
    pub fn apply(&self, mut case: Case) -> Result<Case, Notice> {
        for (&field, text) in &self.0 {
            apply_one(&mut case, field, text.trim())
                .map_err(|problem| field_notice(field.name(), problem))?;
        }
        Ok(case)
    }
}

fn apply_one(case: &mut Case, field: ReviewField, text: &str) -> Result<(), InputError> {
    match field {
        ReviewField::Kana(index) => {
            if let Some(member) = case.household.members.get_mut(index) {
                member.person.kana = input::optional_kana(text)?;
            }
        }
        ReviewField::Address => {
            let address = destination(case);
            let postal_code = address.as_ref().and_then(|a| a.postal_code.clone());
            let building = address.as_ref().and_then(|a| a.building.clone());
            *address = (!text.is_empty()).then(|| Address {
                text: text.to_string(),
                building,
                postal_code,
                parts: None,
            });
        }
        ReviewField::PostalCode => {
            let postal = input::optional_postal_code(text)?;
            if let Some(address) = destination(case) {
                address.postal_code = postal;
            }
        }
        ReviewField::Phone => case.phone = input::optional_phone(text)?,
        ReviewField::Building => {
            if let Some(address) = destination(case) {
                address.building = optional(text);
            }
        }
        ReviewField::JoiningHead => case.household.joining_head = optional(text),
        ReviewField::PreviousHead => case.household.previous_head = optional(text),
        ReviewField::ProxyName => match optional(text) {
            None => case.proxy = None,
            Some(name) => proxy(case).name = name,
        },
        ReviewField::ProxyKana => {
            let kana = input::optional_kana(text)?;
            if kana.is_some() || case.proxy.is_some() {
                proxy(case).kana = kana;
            }
        }
        ReviewField::ProxyAddress => {
            if !text.is_empty() || case.proxy.is_some() {
                proxy(case).address = optional(text).map(|text| Address {
                    text,
                    ..Address::default()
                });
            }
        }
        ReviewField::ProxyPhone => {
            let phone = input::optional_phone(text)?;
            if phone.is_some() || case.proxy.is_some() {
                proxy(case).phone = phone;
            }
        }
        ReviewField::ProxyRelation => {
            let relation = input::optional_relation(text)?;
            if relation.is_some() || case.proxy.is_some() {
                proxy(case).relation = relation;
            }
        }
        ReviewField::Country(index) => {
            if let Some(member) = case.household.members.get_mut(index) {
                let nationality = &mut member.person.nationality;
                if text == "日本" {
                    *nationality = Some(Nationality::Japanese);
                } else if let Some(resident) = foreign(nationality, !text.is_empty()) {
                    resident.country = optional(text);
                }
            }
        }
        ReviewField::ResidenceCard(index)
        | ReviewField::ResidenceStatus(index)
        | ReviewField::ResidenceUntil(index)
        | ReviewField::ResidenceCategory(index)
        | ReviewField::Alias(index) => {
            let nationality = case
                .household
                .members
                .get_mut(index)
                .map(|m| &mut m.person.nationality);
            if let Some(resident) = nationality.and_then(|n| foreign(n, false)) {
                apply_residence(resident, field, text)?;
            }
        }
        ReviewField::MoveDate => case.event.date = input::date(text)?,
    }
    Ok(())
}

/// What the card says of a foreign resident, one fact at a time.
fn apply_residence(
    resident: &mut ForeignResident,
    field: ReviewField,
    text: &str,
) -> Result<(), InputError> {
    match field {
        ReviewField::ResidenceCard(_) => {
            resident.card_number = input::optional_residence_card(text)?
        }
        ReviewField::ResidenceStatus(_) => {
            resident.status = input::optional_residence_status(text)?;
        }
        ReviewField::ResidenceUntil(_) => resident.period_end = input::optional_date(text)?,
        ReviewField::ResidenceCategory(_) => {
            resident.category = input::optional_foreign_category(text)?;
        }
        ReviewField::Alias(_) => resident.alias = optional(text),
        _ => {}
    }
    Ok(())
}

/// The member's foreign-resident facts; a member becomes a foreign resident when `make` (a
/// country other than 日本 was typed for them).
fn foreign(nationality: &mut Option<Nationality>, make: bool) -> Option<&mut ForeignResident> {
    if make && !nationality.as_ref().is_some_and(Nationality::is_foreign) {
        *nationality = Some(Nationality::foreign_from(None));
    }
    match nationality {
        Some(Nationality::Foreign(resident)) => Some(resident),
        _ => None,
    }
}

/// The case's 代理人, begun with no name when there is none yet (the case then does not
/// validate until the name is typed: 「代理人の氏名がありません」).
fn proxy(case: &mut Case) -> &mut Proxy {
    case.proxy.get_or_insert_with(|| {
        Box::new(Proxy {
            name: String::new(),
            kana: None,
            address: None,
            phone: None,
            relation: None,
        })
    })
}

fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

/// The address the move goes to: where a 転出 goes, else the new address in this city.
fn destination(case: &mut Case) -> &mut Option<Address> {
    if case.event.kind == EventKind::TENSHUTSU {
        &mut case.event.next_address
    } else {
        &mut case.event.new_address
    }
}

/// A field's problem as the clerk reads it: which field, then what `domain::input` says.
pub fn field_notice((field_ja, field_en): (&str, &str), problem: InputError) -> Notice {
    Notice::new(
        format!("{field_ja}：{}", problem.message_ja()),
        format!("{field_en}: {}", problem.message_en()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn family() -> Case {
        crate::samples::family_of_four().expect("sample")
    }

    /// The review screen reads what the clerk types as the home page, the event screen and the
    /// supervisor's editor do: a 和暦 date is the same day, a bad postal code is refused with
    /// the field named.
    #[test]
    fn the_review_reads_dates_and_postal_codes_as_everywhere_else() {
        let mut edits = ReviewEdits::default();
        edits.set(ReviewField::PostalCode, "123-456");
        let refused = edits.apply(family()).expect_err("a bad postal code");
        assert_eq!(
            refused.ja,
            format!("郵便番号：{}", InputError::PostalCode.message_ja())
        );
        let mut edits = ReviewEdits::default();
        edits.set(ReviewField::MoveDate, "令和8年4月1日");
        edits.set(ReviewField::PostalCode, "１２３－４５６７");
        let reviewed = edits.apply(family()).expect("applies");
        assert_eq!(
            reviewed.event.date,
            NaiveDate::from_ymd_opt(2026, 4, 1).expect("date")
        );
    }

    #[test]
    fn a_foreign_residents_card_facts_the_building_and_the_heads_are_typed_on_review() {
        let mut edits = ReviewEdits::default();
        edits.set(ReviewField::Country(1), "ベトナム");
        edits.set(ReviewField::ResidenceCard(1), "ab 1234 5678 cd");
        edits.set(ReviewField::ResidenceStatus(1), "家族滞在");
        edits.set(ReviewField::ResidenceUntil(1), "R11.4.30");
        edits.set(ReviewField::ResidenceCategory(1), "中長期在留者");
        edits.set(ReviewField::Alias(1), "中村 舞");
        edits.set(ReviewField::Building, "さくらハイツ201");
        edits.set(ReviewField::PreviousHead, "髙𠮷 父");
        let reviewed = edits.apply(family()).expect("applies");
        let resident = reviewed.household.members[1]
            .person
            .nationality
            .as_ref()
            .and_then(Nationality::foreign)
            .expect("made a foreign resident by the country");
        assert_eq!(resident.country.as_deref(), Some("ベトナム"));
        assert_eq!(
            resident.card_number.as_ref().map(|n| n.as_str()),
            Some("AB12345678CD")
        );
        assert_eq!(resident.status.map(|s| s.as_str()), Some("家族滞在"));
        assert_eq!(resident.period_end, NaiveDate::from_ymd_opt(2029, 4, 30));
        assert_eq!(resident.alias.as_deref(), Some("中村 舞"));
        let building = reviewed
            .event
            .new_address
            .as_ref()
            .and_then(|a| a.building.clone());
        assert_eq!(building.as_deref(), Some("さくらハイツ201"));
        assert_eq!(reviewed.household.previous_head.as_deref(), Some("髙𠮷 父"));

        let mut edits = ReviewEdits::default();
        edits.set(ReviewField::Country(1), "ベトナム");
        edits.set(ReviewField::ResidenceCard(1), "AB1234");
        let refused = edits.apply(family()).expect_err("a short card number");
        assert!(
            refused.ja.starts_with("在留カード等番号："),
            "{}",
            refused.ja
        );
        let mut edits = ReviewEdits::default();
        edits.set(ReviewField::Country(1), "ベトナム");
        edits.set(ReviewField::ResidenceStatus(1), "短期滞在");
        assert!(
            edits.apply(family()).is_err(),
            "短期滞在 holders are not residents"
        );
        // 「日本」 records a Japanese national.
        let mut edits = ReviewEdits::default();
        edits.set(ReviewField::Country(1), "日本");
        let reviewed = edits.apply(family()).expect("applies");
        assert_eq!(
            reviewed.household.members[1].person.nationality,
            Some(Nationality::Japanese)
        );
    }

    #[test]
    fn screen_keys_name_the_fields_they_came_from() {
        for field in [
            ReviewField::Address,
            ReviewField::PostalCode,
            ReviewField::MoveDate,
            ReviewField::Building,
            ReviewField::JoiningHead,
            ReviewField::PreviousHead,
            ReviewField::Kana(3),
            ReviewField::Country(2),
            ReviewField::ResidenceCard(0),
            ReviewField::ResidenceStatus(1),
            ReviewField::ResidenceUntil(1),
            ReviewField::ResidenceCategory(4),
            ReviewField::Alias(5),
        ] {
            assert_eq!(ReviewField::from_key(&field.key()), Some(field));
        }
        assert_eq!(ReviewField::from_key("kana.x"), None);
        assert_eq!(ReviewField::from_key("name"), None);
    }
}
