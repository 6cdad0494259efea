//! How the counter is doing, from the statistics columns only (never the sealed personal
//! fields): cases per day and week, time per case, procedures, forms printed, print failures and
//! the questions residents most often answer 「わからない」.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Utc};
use rusqlite::params;

use crate::{Store, StoreError, timestamp};

/// The figures for the days `from..=to` (in the kiosk's time zone).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Finished cases on each day of the period, every day listed.
    pub per_day: Vec<(NaiveDate, u32)>,
    /// Finished cases in each week (starting on Monday) that overlaps the period.
    pub per_week: Vec<(NaiveDate, u32)>,
    pub finished: u32,
    pub abandoned: u32,
    /// The median time from the first screen to the printed packet, in seconds.
    pub median_seconds: Option<i64>,
    /// Procedures per finished case, on average.
    pub procedures_per_case: f64,
    /// Procedure ids by how many finished cases needed them, most first.
    pub top_procedures: Vec<(String, u32)>,
    pub forms_printed: u32,
    pub print_jobs: u32,
    pub print_failures: u32,
    /// Question ids by how many cases answered them 「わからない」, most first.
    pub unknown_answers: Vec<(String, u32)>,
}

struct CaseRow {
    day: NaiveDate,
    done: bool,
    duration: Option<i64>,
    procedures: Vec<String>,
    forms: u32,
    unknown: Vec<String>,
}

impl Store {
    /// The statistics of the days `from..=to`, days counted at `offset` from UTC.
    pub fn statistics(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        offset: FixedOffset,
    ) -> Result<Statistics, StoreError> {
        let start = day_start(from, offset);
        let end = day_start(to + Days::new(1), offset);
        let rows = self.case_rows(start, end, offset)?;
        let (print_jobs, print_failures) = self.print_counts(start, end)?;
        let done: Vec<&CaseRow> = rows.iter().filter(|r| r.done).collect();
        let mut durations: Vec<i64> = done.iter().filter_map(|r| r.duration).collect();
        let total_procedures: usize = done.iter().map(|r| r.procedures.len()).sum();
        Ok(Statistics {
            from,
            to,
            per_day: per_day(from, to, &done),
            per_week: per_week(from, to, &done),
            finished: count(done.len()),
            abandoned: count(rows.len() - done.len()),
            median_seconds: median(&mut durations),
            procedures_per_case: if done.is_empty() {
                0.0
            } else {
                total_procedures as f64 / done.len() as f64
            },
            top_procedures: ranked(done.iter().flat_map(|r| r.procedures.iter())),
            forms_printed: done.iter().map(|r| r.forms).sum(),
            print_jobs,
            print_failures,
            unknown_answers: ranked(rows.iter().flat_map(|r| r.unknown.iter())),
        })
    }

    fn case_rows(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        offset: FixedOffset,
    ) -> Result<Vec<CaseRow>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn.prepare(
            "SELECT started_at, state, duration_s, procedures, forms_printed, unknown_answers
             FROM cases WHERE started_at >= ?1 AND started_at < ?2 AND state != 'open'",
        )?;
        let rows = statement.query_map(params![timestamp(start), timestamp(end)], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<i64>>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?;
        let mut cases = Vec::new();
        for row in rows {
            let (started, state, duration, procedures, forms, unknown) = row?;
            let started = DateTime::parse_from_rfc3339(&started)
                .map_err(|e| StoreError::Damaged(format!("a case's start time: {e}")))?;
            cases.push(CaseRow {
                day: started.with_timezone(&offset).date_naive(),
                done: state == "done",
                duration,
                procedures: serde_json::from_str(&procedures).unwrap_or_default(),
                forms: u32::try_from(forms).unwrap_or(0),
                unknown: serde_json::from_str(&unknown).unwrap_or_default(),
            });
        }
        Ok(cases)
    }

    /// Print jobs created in the period, and how many of them failed.
    fn print_counts(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<(u32, u32), StoreError> {
        let (jobs, failed): (i64, i64) = self.conn()?.query_row(
            "SELECT COUNT(*), COALESCE(SUM(state = 'failed'), 0) FROM print_jobs
             WHERE created_at >= ?1 AND created_at < ?2",
            params![timestamp(start), timestamp(end)],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok((
            u32::try_from(jobs).unwrap_or(0),
            u32::try_from(failed).unwrap_or(0),
        ))
    }
}

fn day_start(day: NaiveDate, offset: FixedOffset) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(offset).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn per_day(from: NaiveDate, to: NaiveDate, done: &[&CaseRow]) -> Vec<(NaiveDate, u32)> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|d| (d, count(done.iter().filter(|r| r.day == d).count())))
        .collect()
}

fn monday(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

fn per_week(from: NaiveDate, to: NaiveDate, done: &[&CaseRow]) -> Vec<(NaiveDate, u32)> {
    from.iter_weeks()
        .map(monday)
        .take_while(|w| *w <= to)
        .chain(std::iter::once(monday(to)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|w| (w, count(done.iter().filter(|r| monday(r.day) == w).count())))
        .collect()
}

fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

/// Counts of each id, most first, ties by id.
fn ranked<'a>(ids: impl Iterator<Item = &'a String>) -> Vec<(String, u32)> {
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for id in ids {
        *counts.entry(id).or_default() += 1;
    }
    let mut ranked: Vec<(String, u32)> = counts
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked
}

impl Statistics {
    /// The figures as CSV (UTF-8 with a byte-order mark, for spreadsheets): one row per
    /// figure, `section,key,value`, so that every chart can be redrawn from it.
    pub fn to_csv(&self) -> Result<Vec<u8>, StoreError> {
        let mut out = vec![0xEF, 0xBB, 0xBF];
        {
            let mut writer = csv::Writer::from_writer(&mut out);
            let mut row = |section: &str, key: &str, value: String| {
                writer
                    .write_record([section, key, value.as_str()])
                    .map_err(|e| StoreError::Damaged(format!("CSV: {e}")))
            };
            row("section", "key", "value".into())?;
            row("period", "from", self.from.to_string())?;
            row("period", "to", self.to.to_string())?;
            row("totals", "finished_cases", self.finished.to_string())?;
            row("totals", "abandoned_cases", self.abandoned.to_string())?;
            let median = self.median_seconds.map(|s| s.to_string());
            row("totals", "median_seconds", median.unwrap_or_default())?;
            let per_case = format!("{:.2}", self.procedures_per_case);
            row("totals", "procedures_per_case", per_case)?;
            row("totals", "forms_printed", self.forms_printed.to_string())?;
            row("totals", "print_jobs", self.print_jobs.to_string())?;
            row("totals", "print_failures", self.print_failures.to_string())?;
            for (day, n) in &self.per_day {
                row("cases_per_day", &day.to_string(), n.to_string())?;
            }
            for (week, n) in &self.per_week {
                row("cases_per_week", &week.to_string(), n.to_string())?;
            }
            for (id, n) in &self.top_procedures {
                row("procedures", id, n.to_string())?;
            }
            for (id, n) in &self.unknown_answers {
                row("unknown_answers", id, n.to_string())?;
            }
        }
        Ok(out)
    }
}
