//! Turning a real case into a scenario test, with everything personal replaced, so that a
//! supervisor can pin down a situation the counter met.
//!
//! Names become 「住民1」, 「住民2」…; addresses, ふりがな and countries are dropped; every birth date
//! moves to another day that gives the same ages on the move date (legal age, 学齢 and the
//! birthday age), so that the rules see the same household. The scenario expects exactly what
//! the catalogue decides now, and the case is refused if the replacement would change that.

use chrono::{Datelike, Days, NaiveDate};
use madoguchi_domain::age::{birthday_age, legal_age, school_age};
use madoguchi_domain::{Case, Nationality};
use serde::Serialize;

use crate::Engine;
use crate::decision::Decision;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("the case cannot be evaluated: {0}")]
    NotEvaluable(String),
    #[error(
        "replacing the personal data would change the procedures, so the case cannot become a scenario"
    )]
    AnonymisingChangesResult,
    #[error(
        "member {member}'s birthday is the only day that gives their ages on the move date, so it cannot be hidden; write this scenario by hand with a made-up household"
    )]
    BirthDateIsTheBoundary { member: usize },
    #[error("the scenario could not be written: {0}")]
    NotWritable(String),
}

/// A scenario file's text made from `case`, evaluated with the rules in force on `as_of`.
pub fn scenario_from_case(
    engine: &Engine<'_>,
    case: &Case,
    as_of: NaiveDate,
    name: &str,
    description: &str,
) -> Result<String, PinError> {
    let evaluate = |case: &Case| {
        engine
            .evaluate(case, as_of)
            .map_err(|e| PinError::NotEvaluable(e.to_string()))
    };
    let original = evaluate(case)?;
    let anonymous = anonymised(case)?;
    let pinned = evaluate(&anonymous)?;
    if ids(&original) != ids(&pinned) {
        return Err(PinError::AnonymisingChangesResult);
    }
    let file = ScenarioFile {
        scenario: Meta {
            name,
            description,
            as_of: toml_date(as_of),
        },
        case: &anonymous,
        expect: Expect {
            procedures: pinned.procedures.iter().map(|p| p.id.as_str()).collect(),
            to_confirm: pinned.to_confirm.iter().map(|p| p.id.as_str()).collect(),
        },
    };
    toml::to_string(&file).map_err(|e| PinError::NotWritable(e.to_string()))
}

#[derive(Serialize)]
struct ScenarioFile<'a> {
    scenario: Meta<'a>,
    case: &'a Case,
    expect: Expect<'a>,
}

#[derive(Serialize)]
struct Meta<'a> {
    name: &'a str,
    description: &'a str,
    as_of: toml::value::Datetime,
}

/// A TOML date (the scenario reader wants `as_of` as one, not as a string).
fn toml_date(day: NaiveDate) -> toml::value::Datetime {
    toml::value::Datetime {
        date: Some(toml::value::Date {
            year: u16::try_from(day.year()).unwrap_or(0),
            month: u8::try_from(day.month()).unwrap_or(1),
            day: u8::try_from(day.day()).unwrap_or(1),
        }),
        time: None,
        offset: None,
    }
}

#[derive(Serialize)]
struct Expect<'a> {
    procedures: Vec<&'a str>,
    to_confirm: Vec<&'a str>,
}

fn ids(decision: &Decision) -> (Vec<&str>, Vec<&str>) {
    (
        decision.procedures.iter().map(|p| p.id.as_str()).collect(),
        decision.to_confirm.iter().map(|p| p.id.as_str()).collect(),
    )
}

/// The case with nothing personal left in it.
pub fn anonymised(case: &Case) -> Result<Case, PinError> {
    let mut case = case.clone();
    let move_date = case.event.date;
    for (n, member) in case.household.members.iter_mut().enumerate() {
        let person = &mut member.person;
        person.name = format!("住民{}", n + 1);
        person.kana = None;
        person.address = None;
        if let Some(birth) = person.birth_date {
            let other = same_ages_other_day(birth, move_date)
                .ok_or(PinError::BirthDateIsTheBoundary { member: n + 1 })?;
            person.birth_date = Some(other);
        }
        if let Some(Nationality::Foreign(resident)) = &mut person.nationality {
            // What rules may read (the 区分 and the 在留資格) stays; what identifies goes.
            resident.country = None;
            resident.card_number = None;
            resident.period_end = None;
            resident.alias = None;
        }
    }
    case.event.previous_address = None;
    case.event.new_address = None;
    case.event.next_address = None;
    case.household.joining_head = case
        .household
        .joining_head
        .as_ref()
        .map(|_| "世帯主".into());
    case.household.previous_head = None;
    Ok(case)
}

/// Another birth date in the same year with the same three ages on `on`: the first of the
/// birth month if that keeps them, else the nearest day to it that does. `None` when the
/// birthday itself is the boundary (born on the day after `on`'s month and day: legal age and
/// birthday age then differ by one, which no other day gives).
fn same_ages_other_day(birth: NaiveDate, on: NaiveDate) -> Option<NaiveDate> {
    let ages = |b: NaiveDate| (legal_age(b, on), school_age(b, on), birthday_age(b, on));
    let wanted = ages(birth);
    let first_of_month = birth.with_day(1).unwrap_or(birth);
    let nearby = (0..366u64).flat_map(|d| {
        [
            first_of_month.checked_add_days(Days::new(d)),
            first_of_month.checked_sub_days(Days::new(d)),
        ]
    });
    nearby
        .flatten()
        .filter(|b| b.year() == birth.year() && *b != birth && *b <= on)
        .find(|b| ages(*b) == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn a_birth_date_moves_but_the_ages_stay() {
        let on = day(2026, 4, 10);
        for birth in [
            day(2011, 4, 2),
            day(2011, 4, 1),
            day(1951, 4, 10),
            day(2024, 2, 29),
            day(1990, 12, 31),
        ] {
            let other = same_ages_other_day(birth, on).expect("another day");
            assert_ne!(other, birth, "{birth}");
            assert_eq!(legal_age(other, on), legal_age(birth, on), "{birth}");
            assert_eq!(school_age(other, on), school_age(birth, on), "{birth}");
            assert_eq!(birthday_age(other, on), birthday_age(birth, on), "{birth}");
        }
        // Fifteen by law the day before the birthday, fourteen by the birthday: only that day.
        assert_eq!(same_ages_other_day(day(2011, 4, 11), on), None);
    }
}
