//! 和暦 (Japanese era) dates, through ICU4X's Japanese calendar.
//!
//! ICU4X carries the era start dates (with the exact day each era began), so a date is
//! converted, never computed from a hand-kept table. We only name the eras in Japanese and
//! write the first year of an era as 元年, as forms do.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use icu_calendar::{Date, cal::Japanese};

/// A Japanese era since the calendar's adoption in 1873.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    /// The era's name as printed on forms: 明治, 大正, 昭和, 平成, 令和.
    pub fn kanji(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    fn from_cldr_code(code: &str) -> Option<Era> {
        match code {
            "meiji" => Some(Era::Meiji),
            "taisho" => Some(Era::Taisho),
            "showa" => Some(Era::Showa),
            "heisei" => Some(Era::Heisei),
            "reiwa" => Some(Era::Reiwa),
            _ => None,
        }
    }
}

/// A date written in the Japanese calendar, e.g. 令和元年5月1日.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WarekiDate {
    pub era: Era,
    /// Year of the era, 1 for 元年.
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

/// The date lies before 明治 (1 January 1873 in the Gregorian calendar, when Japan adopted it)
/// or cannot be represented.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} は和暦で表せません（明治6年1月1日より前） / cannot be written in a Japanese era")]
pub struct OutOfEraRange(pub NaiveDate);

impl WarekiDate {
    pub fn from_date(date: NaiveDate) -> Result<WarekiDate, OutOfEraRange> {
        let out_of_range = || OutOfEraRange(date);
        if date < NaiveDate::from_ymd_opt(1873, 1, 1).ok_or_else(out_of_range)? {
            return Err(out_of_range());
        }
        let month = u8::try_from(date.month()).map_err(|_| out_of_range())?;
        let day = u8::try_from(date.day()).map_err(|_| out_of_range())?;
        let iso = Date::try_new_iso(date.year(), month, day).map_err(|_| out_of_range())?;
        let era_year = iso.to_calendar(Japanese::new()).era_year();
        let era = Era::from_cldr_code(era_year.era.as_str()).ok_or_else(out_of_range)?;
        let year = u32::try_from(era_year.year).map_err(|_| out_of_range())?;
        Ok(WarekiDate {
            era,
            year,
            month: date.month(),
            day: date.day(),
        })
    }

    /// The year as forms print it: 元年 for the first year, otherwise the number.
    pub fn year_text(&self) -> String {
        if self.year == 1 {
            "元".to_string()
        } else {
            self.year.to_string()
        }
    }
}

impl fmt::Display for WarekiDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}年{}月{}日",
            self.era.kanji(),
            self.year_text(),
            self.month,
            self.day
        )
    }
}

/// Writes `date` in 和暦, e.g. `2019-05-01` → 令和元年5月1日.
pub fn format(date: NaiveDate) -> Result<String, OutOfEraRange> {
    WarekiDate::from_date(date).map(|w| w.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(y: i32, m: u32, d: u32) -> String {
        format(NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")).expect("in range")
    }

    #[test]
    fn showa_ends_and_heisei_begins_on_8_january_1989() {
        assert_eq!(w(1989, 1, 7), "昭和64年1月7日");
        assert_eq!(w(1989, 1, 8), "平成元年1月8日");
    }

    #[test]
    fn heisei_ends_and_reiwa_begins_on_1_may_2019() {
        assert_eq!(w(2019, 4, 30), "平成31年4月30日");
        assert_eq!(w(2019, 5, 1), "令和元年5月1日");
        assert_eq!(w(2020, 1, 1), "令和2年1月1日");
    }

    #[test]
    fn earlier_boundaries() {
        assert_eq!(w(1926, 12, 24), "大正15年12月24日");
        assert_eq!(w(1926, 12, 25), "昭和元年12月25日");
        assert_eq!(w(1912, 7, 29), "明治45年7月29日");
        assert_eq!(w(1912, 7, 30), "大正元年7月30日");
    }

    #[test]
    fn dates_before_the_calendar_reform_are_refused() {
        let date = NaiveDate::from_ymd_opt(1872, 12, 31).expect("valid test date");
        assert_eq!(WarekiDate::from_date(date), Err(OutOfEraRange(date)));
    }
}
