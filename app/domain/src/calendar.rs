//! 開庁日: the days the office is open, and the rule that moves a deadline off a day it is
//! closed.
//!
//! By 地方自治法 第4条の2 a municipality's 休日 are Sundays and Saturdays, the national holidays
//! of 国民の祝日に関する法律, and the year-end days 12月29日–1月3日, as its 条例 sets them, plus the
//! days its 条例 adds (a city's anniversary). A deadline for a 申請 or 届出 to the city that falls
//! on a 休日 is the next day that is not one (第4項). National offices (警察署, 運輸支局) keep the
//! same days without the city's own (行政機関の休日に関する法律 第1条, 第2条).
//!
//! The calendar is data: the national holidays come from the Cabinet Office's published list
//! and the city's days from its catalogue, both passed in. It knows how far its list of
//! holidays reaches ([`OfficeCalendar::covers`]), so that a deadline beyond it is not silently
//! treated as if no holiday could fall there.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The longest run of closed days that can occur (the year-end days between two weekends and
/// a holiday are at most nine). The search for the next open day stops well after it, so that
/// a damaged calendar cannot make it run on.
const MAX_CLOSED_RUN: u64 = 31;

/// The day of the week as a calendar writes it: 「月」 … 「日」.
pub fn weekday_ja(date: NaiveDate) -> &'static str {
    const DAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    DAYS[date.weekday().num_days_from_monday() as usize]
}

/// Why the office is closed on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClosedBecause {
    Saturday,
    Sunday,
    /// A national holiday, with its name as the Cabinet Office lists it (元日, 休日 …).
    Holiday(String),
    /// 12月29日–1月3日.
    YearEnd,
    /// A day the city's 条例 adds, with its name.
    CityDay(String),
}

impl ClosedBecause {
    pub fn ja(&self) -> String {
        match self {
            ClosedBecause::Saturday => "土曜日".into(),
            ClosedBecause::Sunday => "日曜日".into(),
            ClosedBecause::Holiday(name) if name == "休日" => "振替休日等の休日".into(),
            ClosedBecause::Holiday(name) => format!("祝日（{name}）"),
            ClosedBecause::YearEnd => "年末年始の休日".into(),
            ClosedBecause::CityDay(name) => format!("市の休日（{name}）"),
        }
    }

    pub fn en(&self) -> String {
        match self {
            ClosedBecause::Saturday => "a Saturday".into(),
            ClosedBecause::Sunday => "a Sunday".into(),
            ClosedBecause::Holiday(name) => format!("a national holiday ({name})"),
            ClosedBecause::YearEnd => "a year-end closing day".into(),
            ClosedBecause::CityDay(name) => format!("a day the city office is closed ({name})"),
        }
    }
}

/// Where a deadline is filed: the city's own offices close on the city's days as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Office {
    City,
    National,
}

/// A deadline moved to the next open day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moved {
    /// The next open day.
    pub to: NaiveDate,
    /// Why the office is closed on the day the deadline fell.
    pub because: ClosedBecause,
}

/// The days the offices are closed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfficeCalendar {
    holidays: BTreeMap<NaiveDate, String>,
    city_days: BTreeMap<NaiveDate, String>,
}

impl OfficeCalendar {
    /// A calendar from the national holidays and the city's own closed days.
    pub fn new(
        holidays: impl IntoIterator<Item = (NaiveDate, String)>,
        city_days: impl IntoIterator<Item = (NaiveDate, String)>,
    ) -> OfficeCalendar {
        OfficeCalendar {
            holidays: holidays.into_iter().collect(),
            city_days: city_days.into_iter().collect(),
        }
    }

    /// Whether the list of national holidays reaches `date`'s year: the Cabinet Office
    /// publishes the holidays up to the next year, so later dates may hide a holiday.
    pub fn covers(&self, date: NaiveDate) -> bool {
        match (
            self.holidays.first_key_value(),
            self.holidays.last_key_value(),
        ) {
            (Some((first, _)), Some((last, _))) => {
                (first.year()..=last.year()).contains(&date.year())
            }
            _ => false,
        }
    }

    /// The last year the list of national holidays reaches.
    pub fn last_year(&self) -> Option<i32> {
        self.holidays.last_key_value().map(|(last, _)| last.year())
    }

    /// The national holidays and the city's days, in order.
    pub fn holidays(&self) -> impl Iterator<Item = (&NaiveDate, &String)> {
        self.holidays.iter()
    }

    pub fn city_days(&self) -> impl Iterator<Item = (&NaiveDate, &String)> {
        self.city_days.iter()
    }

    /// Why `office` is closed on `date`, or `None` when it is open.
    pub fn closed_because(&self, date: NaiveDate, office: Office) -> Option<ClosedBecause> {
        if let Some(name) = self.holidays.get(&date) {
            return Some(ClosedBecause::Holiday(name.clone()));
        }
        if (date.month() == 12 && date.day() >= 29) || (date.month() == 1 && date.day() <= 3) {
            return Some(ClosedBecause::YearEnd);
        }
        if office == Office::City
            && let Some(name) = self.city_days.get(&date)
        {
            return Some(ClosedBecause::CityDay(name.clone()));
        }
        match date.weekday() {
            Weekday::Sat => Some(ClosedBecause::Saturday),
            Weekday::Sun => Some(ClosedBecause::Sunday),
            _ => None,
        }
    }

    /// Where a deadline on `date` really falls: `None` when `office` is open that day, else the
    /// next open day and why the deadline moved.
    pub fn next_open_day(&self, date: NaiveDate, office: Office) -> Option<Moved> {
        let because = self.closed_because(date, office)?;
        let mut day = date;
        for _ in 0..MAX_CLOSED_RUN {
            day = day.checked_add_days(Days::new(1))?;
            if self.closed_because(day, office).is_none() {
                return Some(Moved { to: day, because });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn calendar() -> OfficeCalendar {
        OfficeCalendar::new(
            [
                (date(2026, 11, 3), "文化の日".to_string()),
                (date(2026, 11, 23), "勤労感謝の日".to_string()),
                (date(2027, 1, 1), "元日".to_string()),
                (date(2027, 1, 11), "成人の日".to_string()),
            ],
            [(date(2026, 11, 24), "市制記念日".to_string())],
        )
    }

    #[test]
    fn an_open_day_does_not_move() {
        assert_eq!(
            calendar().next_open_day(date(2026, 11, 30), Office::City),
            None
        );
    }

    #[test]
    fn a_sunday_moves_to_monday() {
        let moved = calendar().next_open_day(date(2026, 11, 29), Office::City);
        assert_eq!(
            moved,
            Some(Moved {
                to: date(2026, 11, 30),
                because: ClosedBecause::Sunday
            })
        );
    }

    #[test]
    fn a_holiday_then_the_citys_own_day_moves_two_days_for_the_city_only() {
        let calendar = calendar();
        let city = calendar.next_open_day(date(2026, 11, 23), Office::City);
        assert_eq!(city.map(|m| m.to), Some(date(2026, 11, 25)));
        let national = calendar.next_open_day(date(2026, 11, 23), Office::National);
        assert_eq!(
            national,
            Some(Moved {
                to: date(2026, 11, 24),
                because: ClosedBecause::Holiday("勤労感謝の日".into())
            })
        );
    }

    #[test]
    fn the_year_end_moves_to_the_fourth_of_january() {
        let moved = calendar()
            .next_open_day(date(2026, 12, 31), Office::City)
            .expect("closed");
        assert_eq!(moved.because, ClosedBecause::YearEnd);
        assert_eq!(moved.to, date(2027, 1, 4));
        assert_eq!(moved.because.ja(), "年末年始の休日");
    }

    #[test]
    fn the_calendar_knows_how_far_it_reaches() {
        let calendar = calendar();
        assert!(calendar.covers(date(2027, 12, 31)));
        assert!(!calendar.covers(date(2028, 1, 4)));
        assert!(!calendar.covers(date(2025, 12, 31)));
        assert!(!OfficeCalendar::default().covers(date(2026, 1, 1)));
    }
}
