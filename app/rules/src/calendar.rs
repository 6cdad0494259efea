//! The catalogue's office calendar: `holidays.csv` (the national holidays, in the Cabinet
//! Office's published format) and `calendar.toml` (where that list comes from, and the city's
//! own closed days). Both are optional; without them the calendar knows weekends and the
//! year-end days only, and `rules check` says so.
//!
//! `holidays.csv` is the Cabinet Office's `syukujitsu.csv` (内閣府「国民の祝日について」),
//! converted to UTF-8: a header line, then `date,name` per line, dates as `2026/1/1` (or
//! `2026-01-01`). `docs/catalogue.md` says how to update it.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use madoguchi_domain::calendar::OfficeCalendar;
use madoguchi_domain::limits;
use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::files::CatalogueFiles;

pub const HOLIDAYS_FILE: &str = "holidays.csv";
pub const CALENDAR_FILE: &str = "calendar.toml";

/// A holiday's or a closed day's name is a short label.
const MAX_NAME_CHARS: usize = 40;

/// The calendar as the catalogue holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    pub days: OfficeCalendar,
    /// Where the national holidays come from, as `calendar.toml` says.
    pub holidays_source: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCalendarFile {
    #[serde(default)]
    calendar: RawCalendar,
    #[serde(default)]
    closed: Vec<RawClosedDay>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    holidays_source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClosedDay {
    date: toml::value::Datetime,
    name: String,
}

/// Reads the calendar's two files, adding every problem to `problems` as `file:line`.
pub(crate) fn load(files: &CatalogueFiles, problems: &mut Vec<Diagnostic>) -> Calendar {
    let holidays = match files.get(HOLIDAYS_FILE) {
        Some(text) => read_days(HOLIDAYS_FILE, text, problems),
        None => BTreeMap::new(),
    };
    let (source, city_days) = match files.get(CALENDAR_FILE) {
        Some(text) => read_calendar_file(text, problems),
        None => (None, BTreeMap::new()),
    };
    Calendar {
        days: OfficeCalendar::new(holidays, city_days),
        holidays_source: source,
    }
}

/// A warning for a catalogue without a list of national holidays (given once the catalogue
/// has loaded: beside errors it would only be noise).
pub(crate) fn missing_holidays(files: &CatalogueFiles) -> Option<Diagnostic> {
    (!files.contains_key(HOLIDAYS_FILE)).then(|| {
        Diagnostic::warning(
            Path::new(HOLIDAYS_FILE),
            0,
            "no national holidays listed: deadlines move off weekends and 12月29日–1月3日 only (docs/catalogue.md, the calendar)",
        )
    })
}

/// A warning when the list of national holidays does not reach far enough ahead of `today`:
/// deadlines run up to a few months ahead, and the Cabinet Office publishes the next year's
/// holidays in February, so from March on the list should reach the next year.
pub fn staleness(calendar: &Calendar, today: NaiveDate) -> Option<Diagnostic> {
    use chrono::Datelike;
    let wanted = if today.month() >= 3 {
        today.year() + 1
    } else {
        today.year()
    };
    let last = calendar.days.last_year()?;
    (last < wanted).then(|| {
        Diagnostic::warning(
            Path::new(HOLIDAYS_FILE),
            0,
            format!(
                "the national holidays end in {last}; deadlines in {wanted} ignore holidays: update holidays.csv from the Cabinet Office's list (docs/catalogue.md, the calendar)"
            ),
        )
    })
}

/// `date,name` lines; a first line that is not a date is the header.
fn read_days(rel: &str, text: &str, problems: &mut Vec<Diagnostic>) -> BTreeMap<NaiveDate, String> {
    let mut days = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let (date, name) = line.split_once(',').unwrap_or((line, ""));
        let Some(date) = parse_date(date.trim()) else {
            if number > 1 {
                problems.push(Diagnostic::error(
                    Path::new(rel),
                    number,
                    "not `date,name` (e.g. `2026/1/1,元日`)",
                ));
            }
            continue;
        };
        if let Err(message) = check_day(date, name.trim()) {
            problems.push(Diagnostic::error(Path::new(rel), number, message));
        } else if days.insert(date, name.trim().to_string()).is_some() {
            problems.push(Diagnostic::error(
                Path::new(rel),
                number,
                format!("{date} is listed twice"),
            ));
        }
    }
    days
}

fn read_calendar_file(
    text: &str,
    problems: &mut Vec<Diagnostic>,
) -> (Option<String>, BTreeMap<NaiveDate, String>) {
    let raw: RawCalendarFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e
                .span()
                .map_or(0, |span| text[..span.start].matches('\n').count() + 1);
            problems.push(Diagnostic::error(
                Path::new(CALENDAR_FILE),
                line,
                e.message().trim().to_string(),
            ));
            return (None, BTreeMap::new());
        }
    };
    let mut days = BTreeMap::new();
    for closed in raw.closed {
        let date = closed
            .date
            .date
            .filter(|_| closed.date.time.is_none())
            .and_then(|d| NaiveDate::from_ymd_opt(i32::from(d.year), d.month.into(), d.day.into()));
        let Some(date) = date else {
            problems.push(Diagnostic::error(
                Path::new(CALENDAR_FILE),
                0,
                format!(
                    "[[closed]] date {} is not a day (write 2027-05-15)",
                    closed.date
                ),
            ));
            continue;
        };
        if let Err(message) = check_day(date, closed.name.trim()) {
            problems.push(Diagnostic::error(Path::new(CALENDAR_FILE), 0, message));
        } else if days.insert(date, closed.name.trim().to_string()).is_some() {
            problems.push(Diagnostic::error(
                Path::new(CALENDAR_FILE),
                0,
                format!("[[closed]] {date} is listed twice"),
            ));
        }
    }
    (raw.calendar.holidays_source, days)
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y/%m/%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
}

fn check_day(date: NaiveDate, name: &str) -> Result<(), String> {
    if !limits::date_in_window(date) {
        return Err(format!("{date} is outside the dates a case may name"));
    }
    if name.is_empty() {
        return Err(format!("{date} has no name"));
    }
    if name.chars().count() > MAX_NAME_CHARS || limits::has_control(name) {
        return Err(format!(
            "{date}: a name is one line of at most {MAX_NAME_CHARS} characters"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_domain::calendar::Office;

    fn files(pairs: &[(&str, &str)]) -> CatalogueFiles {
        pairs
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn the_cabinet_office_list_and_the_citys_days_load() {
        let mut problems = Vec::new();
        let calendar = load(
            &files(&[
                (
                    HOLIDAYS_FILE,
                    "\u{feff}国民の祝日・休日月日,国民の祝日・休日名称\n2026/11/3,文化の日\n2026-11-23,勤労感謝の日\n",
                ),
                (
                    CALENDAR_FILE,
                    "[calendar]\nholidays_source = \"内閣府\"\n[[closed]]\ndate = 2026-11-24\nname = \"市制記念日\"\n",
                ),
            ]),
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(calendar.holidays_source.as_deref(), Some("内閣府"));
        let moved = calendar
            .days
            .next_open_day(date(2026, 11, 23), Office::City)
            .expect("closed");
        assert_eq!(moved.to, date(2026, 11, 25));
    }

    #[test]
    fn bad_lines_are_reported_by_line() {
        let mut problems = Vec::new();
        load(
            &files(&[(
                HOLIDAYS_FILE,
                "header\n2026/1/1,元日\n2026/13/1,x\n2026/1/1,again\n1800/1/1,old\n2026/2/11,\n",
            )]),
            &mut problems,
        );
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6], "{problems:?}");
    }

    #[test]
    fn a_list_that_ends_too_soon_is_reported() {
        let calendar = Calendar {
            days: OfficeCalendar::new([(date(2027, 1, 1), "元日".to_string())], []),
            holidays_source: None,
        };
        assert!(staleness(&calendar, date(2027, 2, 28)).is_none());
        let warning = staleness(&calendar, date(2027, 3, 1)).expect("stale");
        assert!(
            warning.message.contains("end in 2027"),
            "{}",
            warning.message
        );
    }

    #[test]
    fn without_a_list_of_holidays_the_check_warns() {
        let mut problems = Vec::new();
        let calendar = load(&CatalogueFiles::new(), &mut problems);
        assert!(problems.is_empty());
        assert!(!calendar.days.covers(date(2026, 1, 1)));
        let warning = missing_holidays(&CatalogueFiles::new()).expect("a warning");
        assert!(!warning.is_error());
    }
}
