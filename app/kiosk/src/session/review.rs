//! The clerk's corrections on the review screen, read and applied to the case.
//!
//! The screen shows one field per correctable fact; what is typed into them arrives as
//! [`ReviewEdits`] and is read with `domain::input`, the same rules as every other screen, so
//! a bad postal code or date is refused with the field named and the case is left unchanged.

use std::collections::BTreeMap;

use madoguchi_domain::input::{self, InputError};
use madoguchi_domain::{Address, Case, LifeEvent};

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
    /// The ふりがな of the household member at this index.
    Kana(usize),
}

impl ReviewField {
    /// The key the review screen's field carries.
    pub fn key(self) -> String {
        match self {
            ReviewField::Address => "address".into(),
            ReviewField::PostalCode => "postal".into(),
            ReviewField::MoveDate => "move_date".into(),
            ReviewField::Phone => "phone".into(),
            ReviewField::Kana(index) => format!("kana.{index}"),
        }
    }

    /// The field a screen key names; `None` for a key no field has.
    pub fn from_key(key: &str) -> Option<ReviewField> {
        match key {
            "address" => Some(ReviewField::Address),
            "postal" => Some(ReviewField::PostalCode),
            "move_date" => Some(ReviewField::MoveDate),
            "phone" => Some(ReviewField::Phone),
            _ => key
                .strip_prefix("kana.")
                .and_then(|index| index.parse().ok())
                .map(ReviewField::Kana),
        }
    }

    fn name(self) -> (&'static str, &'static str) {
        match self {
            ReviewField::Address => ("住所", "Address"),
            ReviewField::PostalCode => ("郵便番号", "Postal code"),
            ReviewField::MoveDate => ("異動日", "Moving date"),
            ReviewField::Phone => ("電話番号", "Telephone"),
            ReviewField::Kana(_) => ("ふりがな", "Reading"),
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
            *address = (!text.is_empty()).then(|| Address {
                text: text.to_string(),
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
        ReviewField::MoveDate => {
            let date = input::date(text)?;
            match &mut case.event {
                LifeEvent::Tennyu { move_date, .. }
                | LifeEvent::Tenkyo { move_date, .. }
                | LifeEvent::Tenshutsu { move_date, .. } => *move_date = date,
            }
        }
    }
    Ok(())
}

/// The address the move goes to.
fn destination(case: &mut Case) -> &mut Option<Address> {
    match &mut case.event {
        LifeEvent::Tennyu { new_address, .. } | LifeEvent::Tenkyo { new_address, .. } => {
            new_address
        }
        LifeEvent::Tenshutsu { next_address, .. } => next_address,
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
            reviewed.event.move_date(),
            NaiveDate::from_ymd_opt(2026, 4, 1).expect("date")
        );
    }

    #[test]
    fn screen_keys_name_the_fields_they_came_from() {
        for field in [
            ReviewField::Address,
            ReviewField::PostalCode,
            ReviewField::MoveDate,
            ReviewField::Kana(3),
        ] {
            assert_eq!(ReviewField::from_key(&field.key()), Some(field));
        }
        assert_eq!(ReviewField::from_key("kana.x"), None);
        assert_eq!(ReviewField::from_key("name"), None);
    }
}
