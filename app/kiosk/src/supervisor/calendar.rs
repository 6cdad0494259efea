//! The closed-days calendar on the desk: the days the offices are closed in the coming year as
//! the catalogue being edited says (national holidays, 年末年始, the city's own days), and the
//! city's own days added, renamed or taken off. Those are draft changes like any other: they
//! are checked by loading the catalogue, audited, and reach the counters only when published.

use madoguchi_domain::calendar::{ClosedBecause, Office};

use super::*;

/// How far ahead the desk lists closed days.
pub const CALENDAR_DAYS: u64 = 400;

/// One day the offices are closed, weekends aside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedDay {
    pub date: NaiveDate,
    pub because: ClosedBecause,
}

impl ClosedDay {
    /// Whether the city decided it (and so the desk may take it off).
    pub fn is_city_day(&self) -> bool {
        matches!(self.because, ClosedBecause::CityDay(_))
    }
}

impl Desk {
    /// The closed days from today for [`CALENDAR_DAYS`], weekends left out (they are every
    /// week), from the draft when there is one.
    pub fn closed_days(&self) -> Vec<ClosedDay> {
        let Some(catalogue) = self.catalogue() else {
            return Vec::new();
        };
        let first = self.today();
        (0..CALENDAR_DAYS)
            .filter_map(|offset| first.checked_add_days(Days::new(offset)))
            .filter_map(|date| {
                let because = catalogue.calendar.days.closed_because(date, Office::City)?;
                let weekend = matches!(because, ClosedBecause::Saturday | ClosedBecause::Sunday);
                (!weekend).then_some(ClosedDay { date, because })
            })
            .collect()
    }

    /// The last year the catalogue's national holidays reach, for the screen to say.
    pub fn holidays_until(&self) -> Option<i32> {
        self.catalogue()?.calendar.days.last_year()
    }

    /// Closes the offices on `date` (typed as everywhere: 西暦 or 和暦) for the city's reason
    /// `name`, or renames the day already there. `false`, with the problem shown, when the
    /// date does not read or the catalogue would not load (a name too long, a date outside
    /// what a case may name).
    pub fn add_closed_day(&mut self, date: &str, name: &str) -> bool {
        let date = match input::date(date) {
            Ok(date) => date,
            Err(problem) => {
                self.problem(crate::session::field_notice(("日付", "Date"), problem));
                return false;
            }
        };
        let name = name.trim().to_string();
        if name.is_empty() {
            self.problem(Notice::new(
                "休日の名前を入力してください（例：市制記念日）",
                "Give the closed day a name (e.g. the city's founding day)",
            ));
            return false;
        }
        self.change_calendar(|draft| draft.set_closed_day(date, &name).map(|()| true))
            .then(|| {
                self.audit(
                    "catalogue.calendar",
                    &format!("closed day {date} set in the draft"),
                );
                self.done(Notice::new(
                    format!("{date} を休日にしました（下書き。公開すると期限の計算に使われます）"),
                    format!("{date} is now a closed day in the draft; it counts once published"),
                ));
            })
            .is_some()
    }

    /// Takes the city's closed day on `date` off the calendar (national holidays and 年末年始
    /// are the law's, not the city's).
    pub fn remove_closed_day(&mut self, date: NaiveDate) -> bool {
        self.change_calendar(|draft| draft.remove_closed_day(date))
            .then(|| {
                self.audit(
                    "catalogue.calendar",
                    &format!("closed day {date} removed in the draft"),
                );
                self.done(Notice::new(
                    format!("{date} を開庁日に戻しました（下書き）"),
                    format!("{date} is an open day again in the draft"),
                ));
            })
            .is_some()
    }

    /// A change to the calendar file through the one way the draft changes.
    fn change_calendar(
        &mut self,
        change: impl FnOnce(&mut Draft) -> Result<bool, AuthoringError>,
    ) -> bool {
        if let Err(problem) = self.ensure_draft() {
            self.problem(problem);
            return false;
        }
        match self.try_change(|draft, _| change(draft).map_err(plain)) {
            Ok(changed) => changed,
            Err(problem) => {
                self.problem(problem);
                false
            }
        }
    }
}
