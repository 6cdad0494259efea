//! Ages as Japanese law counts them.
//!
//! Under 年齢計算ニ関スル法律 and 民法 第143条 a person *reaches* (達する) age N at the end of
//! the day before their N-th birthday. Statutes that speak of "N歳に達した日" (介護保険 第1号,
//! 国民年金, 児童手当, 学齢) therefore take effect on the day before the birthday, while those
//! that count from the birthday itself (後期高齢者医療: 「75歳の誕生日から」) use the ordinary
//! age. Someone born on 29 February reaches each age on 28 February.

use chrono::{Datelike, Days, NaiveDate};

/// The N-th anniversary of `birth`; a 29 February birth has its anniversary on 1 March in
/// common years, so that the day before it is 28 February as the Civil Code requires.
fn anniversary(birth: NaiveDate, years: i32) -> Option<NaiveDate> {
    let year = birth.year().checked_add(years)?;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// The day on which a person born on `birth` reaches age `years` (the day before the birthday).
pub fn day_reaching(birth: NaiveDate, years: u32) -> Option<NaiveDate> {
    let years = i32::try_from(years).ok()?;
    anniversary(birth, years)?.checked_sub_days(Days::new(1))
}

/// Age on `date` as the law counts it: the number of ages reached on or before `date`.
/// Zero before birth.
pub fn legal_age(birth: NaiveDate, date: NaiveDate) -> u32 {
    count_anniversaries(birth, date, day_reaching)
}

/// Age on `date` counted from the birthday itself (the everyday meaning, and the one 後期高齢者
/// 医療 uses for its start). Zero before birth.
pub fn birthday_age(birth: NaiveDate, date: NaiveDate) -> u32 {
    count_anniversaries(birth, date, |b, n| {
        i32::try_from(n).ok().and_then(|n| anniversary(b, n))
    })
}

fn count_anniversaries(
    birth: NaiveDate,
    date: NaiveDate,
    nth_day: impl Fn(NaiveDate, u32) -> Option<NaiveDate>,
) -> u32 {
    if date < birth {
        return 0;
    }
    // The estimate from the calendar years is exact or one too high.
    let estimate = u32::try_from(date.year() - birth.year()).unwrap_or(0) + 1;
    (0..=estimate)
        .rev()
        .find(|&n| nth_day(birth, n).is_some_and(|day| day <= date))
        .unwrap_or(0)
}

/// The first day (1 April) of the school and fiscal year (年度) that contains `date`.
pub fn fiscal_year_start(date: NaiveDate) -> NaiveDate {
    let year = if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or(date)
}

/// 学齢: the legal age reached by the 31 March before the school year that contains `date`.
///
/// This is the age that decides school grades and the child allowance: a child is in the first
/// grade in the school year whose 学齢 is 6 (学校教育法 第17条), and 児童手当 is paid "until the
/// first 31 March after reaching 18", that is while the 学齢 is under 18.
pub fn school_age(birth: NaiveDate, date: NaiveDate) -> u32 {
    match fiscal_year_start(date).checked_sub_days(Days::new(1)) {
        Some(before) => legal_age(birth, before),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn legal_age_increases_on_the_day_before_the_birthday() {
        let birth = d(2011, 5, 10);
        assert_eq!(legal_age(birth, d(2026, 5, 8)), 14);
        assert_eq!(legal_age(birth, d(2026, 5, 9)), 15);
        assert_eq!(birthday_age(birth, d(2026, 5, 9)), 14);
        assert_eq!(birthday_age(birth, d(2026, 5, 10)), 15);
    }

    #[test]
    fn leap_day_births_reach_their_age_on_28_february() {
        let birth = d(2008, 2, 29);
        assert_eq!(legal_age(birth, d(2026, 2, 27)), 17);
        assert_eq!(legal_age(birth, d(2026, 2, 28)), 18);
        assert_eq!(birthday_age(birth, d(2026, 2, 28)), 17);
        assert_eq!(birthday_age(birth, d(2026, 3, 1)), 18);
        assert_eq!(legal_age(birth, d(2028, 2, 28)), 20);
    }

    #[test]
    fn a_1_march_birth_after_a_leap_year_reaches_on_29_february() {
        assert_eq!(day_reaching(d(2003, 3, 1), 1), Some(d(2004, 2, 29)));
        assert_eq!(day_reaching(d(2004, 3, 1), 1), Some(d(2005, 2, 28)));
    }

    #[test]
    fn no_age_before_birth() {
        assert_eq!(legal_age(d(2020, 1, 1), d(2019, 12, 31)), 0);
        assert_eq!(legal_age(d(2020, 1, 1), d(2020, 1, 1)), 0);
    }

    #[test]
    fn school_age_puts_1_april_births_in_the_earlier_year() {
        // Born 1 April 2019: reaches 6 on 31 March 2025, so first grade from April 2025.
        assert_eq!(school_age(d(2019, 4, 1), d(2025, 4, 10)), 6);
        // Born 2 April 2019: reaches 6 on 1 April 2025, first grade only from April 2026.
        assert_eq!(school_age(d(2019, 4, 2), d(2025, 4, 10)), 5);
        assert_eq!(school_age(d(2019, 4, 2), d(2026, 4, 10)), 6);
    }

    #[test]
    fn the_ends_of_the_calendar_give_an_age_not_a_panic() {
        for (birth, date) in [
            (NaiveDate::MIN, NaiveDate::MAX),
            (NaiveDate::MIN, NaiveDate::MIN),
            (NaiveDate::MAX, NaiveDate::MAX),
            (d(0, 2, 29), d(3, 3, 1)),
        ] {
            let _ = legal_age(birth, date);
            let _ = birthday_age(birth, date);
            let _ = school_age(birth, date);
            let _ = day_reaching(birth, u32::MAX);
        }
    }

    #[test]
    fn child_allowance_age_runs_to_the_31_march_after_reaching_18() {
        let birth = d(2008, 6, 15); // reaches 18 on 14 June 2026
        assert!(school_age(birth, d(2027, 3, 31)) < 18);
        assert_eq!(school_age(birth, d(2027, 4, 1)), 18);
    }
}
