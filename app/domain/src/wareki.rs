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

impl Era {
    fn cldr_code(self) -> &'static str {
        match self {
            Era::Meiji => "meiji",
            Era::Taisho => "taisho",
            Era::Showa => "showa",
            Era::Heisei => "heisei",
            Era::Reiwa => "reiwa",
        }
    }

    /// The era a typed prefix names: 令和 / 令 / R, 平成 / 平 / H, and so on.
    fn from_prefix(prefix: &str) -> Option<Era> {
        match prefix.to_uppercase().as_str() {
            "明治" | "明" | "M" => Some(Era::Meiji),
            "大正" | "大" | "T" => Some(Era::Taisho),
            "昭和" | "昭" | "S" => Some(Era::Showa),
            "平成" | "平" | "H" => Some(Era::Heisei),
            "令和" | "令" | "R" => Some(Era::Reiwa),
            _ => None,
        }
    }
}

impl WarekiDate {
    /// The Gregorian date, or `None` when the day does not exist in that era (平成32年, 令和元年
    /// 4月30日).
    pub fn to_date(self) -> Option<NaiveDate> {
        let mut fields = icu_calendar::types::DateFields::default();
        fields.era = Some(self.era.cldr_code().as_bytes());
        fields.era_year = Some(i32::try_from(self.year).ok()?);
        fields.ordinal_month = Some(u8::try_from(self.month).ok()?);
        fields.day = Some(u8::try_from(self.day).ok()?);
        let date = Date::try_from_fields(fields, Default::default(), Japanese::new()).ok()?;
        let iso = date.to_calendar(icu_calendar::Iso);
        let gregorian = NaiveDate::from_ymd_opt(
            iso.era_year().extended_year,
            u32::from(iso.month().ordinal),
            u32::from(iso.day_of_month().0),
        )?;
        // ICU accepts years past an era's end; a form would not.
        (WarekiDate::from_date(gregorian).ok()? == self).then_some(gregorian)
    }
}

/// A date as a clerk types it: `1990-04-01`, `1990/4/1`, `19900401`, or in 和暦 — `平成2年4月1日`,
/// `令和元年5月1日`, `H2.4.1`, `R8/11/15`. Full-width digits are accepted. A date outside the
/// window cases may name (`crate::limits`) is not a date a case can use: `None`, so that the
/// clerk is asked again.
pub fn parse(text: &str) -> Option<NaiveDate> {
    parse_any(text).filter(|date| crate::limits::date_in_window(*date))
}

fn parse_any(text: &str) -> Option<NaiveDate> {
    let text: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'Ａ'..='Ｚ' => char::from_u32(c as u32 - 'Ａ' as u32 + 'A' as u32).unwrap_or(c),
            'ａ'..='ｚ' => char::from_u32(c as u32 - 'ａ' as u32 + 'a' as u32).unwrap_or(c),
            '．' | '／' | '－' => '-',
            '.' | '/' | '年' | '月' => '-',
            '日' => ' ',
            c => c,
        })
        .collect();
    let text = text.trim().replace("元", "1");
    let era_end = text
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(text.len());
    let (prefix, rest) = text.split_at(era_end);
    let numbers: Vec<u32> = rest
        .split('-')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let prefix = prefix.trim();
    if prefix.is_empty() {
        return match numbers[..] {
            [y, m, d] => NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d),
            [compact] if rest.len() == 8 => NaiveDate::from_ymd_opt(
                i32::try_from(compact / 10000).ok()?,
                compact / 100 % 100,
                compact % 100,
            ),
            _ => None,
        };
    }
    let era = Era::from_prefix(prefix)?;
    let [year, month, day] = numbers[..] else {
        return None;
    };
    WarekiDate {
        era,
        year,
        month,
        day,
    }
    .to_date()
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
    fn typed_dates_are_read_in_both_calendars() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(parse("1990-04-01"), d(1990, 4, 1));
        assert_eq!(parse("1990/4/1"), d(1990, 4, 1));
        assert_eq!(parse("19900401"), d(1990, 4, 1));
        assert_eq!(parse("１９９０年４月１日"), d(1990, 4, 1));
        assert_eq!(parse("平成2年4月1日"), d(1990, 4, 1));
        assert_eq!(parse("H2.4.1"), d(1990, 4, 1));
        assert_eq!(parse("h2.4.1"), d(1990, 4, 1));
        assert_eq!(parse("令和元年5月1日"), d(2019, 5, 1));
        assert_eq!(parse("R8/11/15"), d(2026, 11, 15));
        assert_eq!(parse("昭和64年1月7日"), d(1989, 1, 7));
    }

    #[test]
    fn impossible_typed_dates_are_refused() {
        assert_eq!(parse("昭和64年1月8日"), None, "Heisei had begun");
        assert_eq!(parse("令和元年4月30日"), None, "still Heisei");
        assert_eq!(parse("平成32年1月1日"), None);
        assert_eq!(parse("2026-02-30"), None);
        assert_eq!(parse("X2.4.1"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("あした"), None);
        assert_eq!(parse("262142-12-31"), None, "outside the window");
        assert_eq!(parse("令和999999年1月1日"), None);
        assert_eq!(parse("1867-12-31"), None);
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
