//! What comes next: changes an age brings soon after the move (75 → 後期高齢者医療, 65 → 介護保険
//! 第1号, 40, 70, 20, the end of 児童手当 after 18 …), listed in the decision with the day each
//! starts and what the resident must do — often nothing, and the text says so.
//!
//! The catalogue's `transitions.toml` names each change, the age, how its first day is counted
//! from the birthday ([`Starts`]), and optionally which households (`when`, over the case) and
//! which members (`who`) it concerns. The decision lists those whose first day falls after the
//! move date and within `window_days` of it.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use crate::catalogue::{Location, Text};
use crate::condition::{Condition, MemberCondition};

/// How the first day of a change is counted from a member's birthday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Starts {
    /// On the birthday itself (後期高齢者医療: 75歳の誕生日当日).
    Birthday,
    /// On the day before the birthday, when the age is reached in law (年齢計算ニ関スル法律:
    /// 介護保険 第1号・第2号, 国民年金 第1号).
    DayBefore,
    /// On the first of the month after the age is reached (the day before the birthday), or of
    /// that month for a birthday on the 1st (高齢受給者証: 70歳).
    MonthAfter,
    /// On the 31 March after the age is reached (児童手当: 18歳到達後最初の3月31日 — the last day).
    MarchAfter,
}

impl Starts {
    pub const ALL: [Starts; 4] = [
        Starts::Birthday,
        Starts::DayBefore,
        Starts::MonthAfter,
        Starts::MarchAfter,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Starts::Birthday => "birthday",
            Starts::DayBefore => "day_before",
            Starts::MonthAfter => "month_after",
            Starts::MarchAfter => "march_after",
        }
    }

    pub fn from_id(id: &str) -> Option<Starts> {
        Starts::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The day a member born on `birth` reaches this change at `age`; `None` outside the
    /// calendar. A 29 February birthday falls on 1 March in other years.
    pub fn date(self, birth: NaiveDate, age: u32) -> Option<NaiveDate> {
        let year = birth.year().checked_add(i32::try_from(age).ok()?)?;
        let birthday = birth
            .with_year(year)
            .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))?;
        let reached = birthday.checked_sub_days(Days::new(1))?;
        match self {
            Starts::Birthday => Some(birthday),
            Starts::DayBefore => Some(reached),
            Starts::MonthAfter => {
                if birthday.day() == 1 {
                    Some(birthday)
                } else {
                    birthday.with_day(1)?.checked_add_months(Months::new(1))
                }
            }
            Starts::MarchAfter => {
                let march = NaiveDate::from_ymd_opt(reached.year(), 3, 31)?;
                if reached <= march {
                    Some(march)
                } else {
                    NaiveDate::from_ymd_opt(reached.year() + 1, 3, 31)
                }
            }
        }
    }
}

/// One change that comes with an age.
#[derive(Clone, Debug)]
pub struct Transition {
    pub id: String,
    pub age: u32,
    pub starts: Starts,
    /// What happens: 「後期高齢者医療の被保険者になります」.
    pub name: Text,
    /// What the resident must do: 「手続きは要りません。…」.
    pub todo: Text,
    pub counter: usize,
    /// Which households it concerns (over the case, like a rule); `None` for every one.
    pub when: Option<Condition>,
    /// Which members it concerns; `None` for every member.
    pub who: Option<MemberCondition>,
    pub source: String,
    pub at: Location,
}

/// A change the decision lists: a member of the case reaches it soon after the move.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coming {
    pub id: String,
    /// The member's index in the case (never their name).
    pub member: usize,
    /// The age the change comes with.
    pub age: u32,
    pub date: NaiveDate,
    pub wareki: String,
    pub name: Text,
    pub todo: Text,
    pub counter: String,
    pub counter_name: Text,
    pub source: String,
}

/// The catalogue's default window: changes within half a year of the move are worth telling.
pub const DEFAULT_WINDOW_DAYS: u32 = 183;

/// The first day of `transition` for a member born on `birth`, when it falls after
/// `move_date` and no later than `window_days` after it.
pub fn within_window(
    transition: &Transition,
    birth: NaiveDate,
    move_date: NaiveDate,
    window_days: u32,
) -> Option<NaiveDate> {
    let date = transition.starts.date(birth, transition.age)?;
    let last = move_date.checked_add_days(Days::new(u64::from(window_days)))?;
    (date > move_date && date <= last).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn first_days_are_counted_as_each_law_counts_them() {
        let birth = date(1951, 12, 1);
        assert_eq!(Starts::Birthday.date(birth, 75), Some(date(2026, 12, 1)));
        assert_eq!(Starts::DayBefore.date(birth, 75), Some(date(2026, 11, 30)));
        // Born on the 1st: the month the age is reached (the day before is 30 November, but
        // the certificate starts on 1 December, the birthday's month).
        assert_eq!(Starts::MonthAfter.date(birth, 70), Some(date(2021, 12, 1)));
        assert_eq!(
            Starts::MonthAfter.date(date(1956, 7, 15), 70),
            Some(date(2026, 8, 1))
        );
        // 18 on 2 April 2026 (reached 1 April): the allowance runs to 31 March 2027.
        assert_eq!(
            Starts::MarchAfter.date(date(2008, 4, 2), 18),
            Some(date(2027, 3, 31))
        );
        // 18 on 1 April 2026 (reached 31 March): to 31 March 2026.
        assert_eq!(
            Starts::MarchAfter.date(date(2008, 4, 1), 18),
            Some(date(2026, 3, 31))
        );
        assert_eq!(
            Starts::Birthday.date(date(1952, 2, 29), 75),
            Some(date(2027, 3, 1))
        );
    }
}
