//! The supervisor's desk on the counter floor: when the terminal has floor settings, the
//! statistics and the impact preview read the central database — every terminal's cases, per
//! counter and per hour of day — and say so; when the server cannot be reached, or the
//! terminal's login may not read the whole floor, they use this terminal's store and say that
//! instead, with why.
//!
//! Only a supervisor's login (the approving desk's, `add-terminal --supervisor`) reads the
//! whole floor: any other terminal's login sees only its own and its counters' cases, which
//! would look like the floor and not be it.

use madoguchi_central::{Central, ConnectOptions, FloorStatistics};

use super::*;

/// How the desk reaches the floor.
pub struct DeskFloor {
    options: ConnectOptions,
    /// Opens the sealed fields of the floor's cases for the impact preview.
    floor_key: StoreKey,
    central: Option<Central>,
}

impl std::fmt::Debug for DeskFloor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskFloor")
            .field("connected", &self.central.is_some())
            .finish_non_exhaustive()
    }
}

impl DeskFloor {
    pub fn new(options: ConnectOptions, floor_key: StoreKey) -> DeskFloor {
        DeskFloor {
            options,
            floor_key,
            central: None,
        }
    }

    /// A connection whose login reads the whole floor, or why there is none.
    fn whole_floor(&mut self) -> Result<&mut Central, Notice> {
        if self.central.as_ref().is_none_or(Central::is_closed) {
            let central = Central::connect(&self.options).map_err(|error| {
                tracing::warn!(%error, "the desk cannot reach the floor");
                Notice::new(
                    "センターに接続できないため、この端末の分だけです。",
                    "The central database cannot be reached: this terminal's cases only.",
                )
            })?;
            self.central = Some(central);
        }
        let allowed = self
            .central
            .as_mut()
            .ok_or_else(unreachable)?
            .reads_whole_floor();
        match allowed {
            Ok(true) => self.central.as_mut().ok_or_else(unreachable),
            Ok(false) => Err(Notice::new(
                "この端末のログインはフロア全体を読めないため、この端末の分だけです（承認デスクの端末で全体を見られます）。",
                "This terminal's login may not read the whole floor: this terminal's cases only (the approving desk sees the floor).",
            )),
            Err(error) => {
                tracing::warn!(%error, "the desk lost the floor");
                self.central = None;
                Err(unreachable())
            }
        }
    }
}

fn unreachable() -> Notice {
    Notice::new(
        "センターに接続できないため、この端末の分だけです。",
        "The central database cannot be reached: this terminal's cases only.",
    )
}

/// Whose cases a view counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every terminal's, from the central database.
    Floor,
    /// This terminal's store only, and why.
    ThisTerminal(Option<Notice>),
}

impl Scope {
    /// The line the screen shows above the view.
    pub fn words(&self) -> Notice {
        match self {
            Scope::Floor => Notice::new(
                "フロア全体（センターのデータベース）：すべての端末の案件です。",
                "The whole floor (the central database): every terminal's cases.",
            ),
            Scope::ThisTerminal(None) => Notice::new(
                "この端末の案件だけです（フロアに接続していない端末）。",
                "This terminal's cases only (not on a floor).",
            ),
            Scope::ThisTerminal(Some(why)) => why.clone(),
        }
    }

    pub fn is_floor(&self) -> bool {
        matches!(self, Scope::Floor)
    }
}

impl Desk {
    /// Puts the desk on the floor: statistics and the impact preview read it when they can.
    pub fn with_floor(mut self, floor: DeskFloor) -> Desk {
        self.floor = Some(floor);
        self
    }

    /// The floor's statistics of `from..=to`, or why this terminal's are shown instead.
    pub(super) fn read_floor_statistics(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> (Option<FloorStatistics>, Scope) {
        let Some(floor) = self.floor.as_mut() else {
            return (None, Scope::ThisTerminal(None));
        };
        let central = match floor.whole_floor() {
            Ok(central) => central,
            Err(why) => return (None, Scope::ThisTerminal(Some(why))),
        };
        match central.floor_statistics(from, to) {
            Ok(stats) => (Some(stats), Scope::Floor),
            Err(error) => {
                tracing::warn!(%error, "cannot read the floor's statistics");
                floor.central = None;
                (None, Scope::ThisTerminal(Some(unreachable())))
            }
        }
    }

    /// The floor's most recent cases for the impact preview (opened with the floor key), or
    /// why this terminal's are used instead.
    pub(super) fn read_floor_recent(&mut self, limit: usize) -> (Option<Vec<RecentCase>>, Scope) {
        let event_ja = self.event_namer();
        let Some(floor) = self.floor.as_mut() else {
            return (None, Scope::ThisTerminal(None));
        };
        let central = match floor.whole_floor() {
            Ok(central) => central,
            Err(why) => return (None, Scope::ThisTerminal(Some(why))),
        };
        let sealed = match central.recent_sealed(i64::try_from(limit).unwrap_or(i64::MAX)) {
            Ok(sealed) => sealed,
            Err(error) => {
                tracing::warn!(%error, "cannot read the floor's recent cases");
                floor.central = None;
                return (None, Scope::ThisTerminal(Some(unreachable())));
            }
        };
        let mut recent = Vec::with_capacity(sealed.len());
        for row in sealed {
            let context = madoguchi_store::floor::floor_context(&row.case.to_string());
            // A case this key cannot open (another floor key, a damaged row) is left out and
            // counted; the preview runs on the others.
            let Some(case) = floor
                .floor_key
                .open(&row.sealed, &context)
                .ok()
                .and_then(|plain| Case::from_json(&plain).ok())
            else {
                tracing::warn!(case = %row.case, "a floor case cannot be opened for the preview");
                continue;
            };
            recent.push(RecentCase {
                label: format!(
                    "{} {}（{}・{}人）",
                    row.terminal,
                    row.reception,
                    event_ja(case.event.kind),
                    case.household.members.len()
                ),
                as_of: case.event.visit_date(),
                case,
            });
        }
        (Some(recent), Scope::Floor)
    }
}
