//! The terminal's side of the counter floor (docs/central.md): the outbox.
//!
//! A finished case waits here until the central database has it (`cases.pushed_at`), and so
//! does every hand-over event this terminal makes (`floor_outbox`). Rows are keyed by UUIDs
//! made here, so a push that is repeated after a crash or a lost answer is recognised by the
//! central database and adds nothing. The store never talks to the network: the floor link
//! reads what is waiting, pushes it, and marks it sent.
//!
//! Personal fields leave the store only sealed, under the floor's key (the one every terminal
//! of the floor holds, never the database), with the case's UUID as the sealing context.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::key::StoreKey;
use crate::{CaseId, Store, StoreError, timestamp};

/// Japan has one time zone and no summer time: a counter's day starts at 00:00 JST.
fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("nine hours is a valid offset")
}

/// The start of the counter's day (00:00 in Japan) that `now` falls in.
pub fn day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&jst());
    local
        .date_naive()
        .and_time(NaiveTime::MIN)
        .and_local_timezone(jst())
        .single()
        .map(|start| start.with_timezone(&Utc))
        .unwrap_or(now - Duration::hours(24))
}

/// A decided procedure and the counter that handles it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routed<'a> {
    pub procedure: &'a str,
    /// Empty for an office outside the city hall (警察署, 運輸支局 …): not routed on the floor.
    pub counter: &'a str,
}

/// Counter → its procedure ids, in the order decided, as the `routes` column holds them.
pub(crate) fn routes_json(procedures: &[Routed<'_>]) -> String {
    let mut routes: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for routed in procedures.iter().filter(|r| !r.counter.is_empty()) {
        routes
            .entry(routed.counter)
            .or_default()
            .push(routed.procedure);
    }
    serde_json::to_string(&routes).unwrap_or_else(|_| "{}".into())
}

/// The sealing context of a case's personal fields on the floor: its UUID, so that sealed
/// bytes moved to another case's row do not open.
pub fn floor_context(uuid: &str) -> Vec<u8> {
    format!("floor-case:{uuid}").into_bytes()
}

/// A finished case waiting for the central database. Nothing personal in clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingCase {
    pub uuid: String,
    pub reception: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub event: String,
    pub members: i64,
    pub procedures: Vec<String>,
    /// Counter → the procedure ids it handles.
    pub routes: BTreeMap<String, Vec<String>>,
    pub forms_printed: i64,
    /// The personal fields sealed under the floor key; `None` once retention removed them.
    pub sealed: Option<Vec<u8>>,
}

/// A hand-over event: a counter's work on a case (`opened`, `printed`, `done`,
/// `not_needed`), made on this terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handover {
    pub id: String,
    pub case_uuid: String,
    pub counter: String,
    pub kind: String,
    /// The reason for `not_needed`; never personal data.
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// What still waits to be sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unsent {
    pub cases: u64,
    pub handovers: u64,
}

impl Unsent {
    pub fn total(self) -> u64 {
        self.cases + self.handovers
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Damaged(format!("time {text}: {e}")))
}

impl Store {
    /// The case's 受付番号, as the guidance sheet prints it (empty for cases stored before the
    /// floor).
    pub fn reception(&self, id: CaseId) -> Result<String, StoreError> {
        Ok(self
            .conn()?
            .query_row("SELECT reception FROM cases WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?
            .unwrap_or_default())
    }

    /// The case's UUID on the floor.
    pub fn case_uuid(&self, id: CaseId) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()?
            .query_row("SELECT uuid FROM cases WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?
            .flatten())
    }

    /// Up to `limit` finished cases the central database does not have yet, oldest first, with
    /// their personal fields sealed again under `floor_key`.
    pub fn unpushed_cases(
        &self,
        limit: usize,
        floor_key: &StoreKey,
    ) -> Result<Vec<OutgoingCase>, StoreError> {
        type Row = (
            CaseId,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<i64>,
            String,
            String,
            i64,
            Option<Vec<u8>>,
        );
        let rows: Vec<Row> = {
            let conn = self.conn()?;
            let mut statement = conn.prepare(
                "SELECT id, uuid, reception, started_at, ended_at, event, members, procedures,
                        routes, forms_printed, personal
                 FROM cases WHERE state = 'done' AND pushed_at IS NULL
                 ORDER BY ended_at, id LIMIT ?1",
            )?;
            let rows = statement.query_map([limit as i64], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                    row.get(8)?,
                    row.get(9)?,
                    row.get(10)?,
                ))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        rows.into_iter()
            .map(|row| {
                let (id, uuid, reception, started, ended, event, members, procedures, routes) = (
                    row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8,
                );
                let sealed = match row.10 {
                    Some(local) => {
                        let plain = self.key.open(&local, &crate::case_context(id))?;
                        Some(floor_key.seal(&plain, &floor_context(&uuid))?)
                    }
                    None => None,
                };
                Ok(OutgoingCase {
                    reception,
                    started_at: parse_time(&started)?,
                    ended_at: parse_time(&ended)?,
                    event: event.unwrap_or_default(),
                    members: members.unwrap_or(0),
                    procedures: serde_json::from_str(&procedures).unwrap_or_default(),
                    routes: serde_json::from_str(&routes).unwrap_or_default(),
                    forms_printed: row.9,
                    sealed,
                    uuid,
                })
            })
            .collect()
    }

    /// Records that the central database has these cases.
    pub fn mark_cases_pushed(
        &mut self,
        uuids: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        for uuid in uuids {
            tx.execute(
                "UPDATE cases SET pushed_at = ?2 WHERE uuid = ?1",
                params![uuid, timestamp(now)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Puts a hand-over event in the outbox (once: the same id twice is one event).
    pub fn record_handover(&mut self, handover: &Handover) -> Result<(), StoreError> {
        self.conn()?.execute(
            "INSERT INTO floor_outbox (id, case_uuid, counter, kind, detail, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
            params![
                handover.id,
                handover.case_uuid,
                handover.counter,
                handover.kind,
                handover.detail,
                timestamp(handover.at)
            ],
        )?;
        Ok(())
    }

    /// Up to `limit` hand-over events not yet pushed, oldest first.
    pub fn unpushed_handovers(&self, limit: usize) -> Result<Vec<Handover>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn.prepare(
            "SELECT id, case_uuid, counter, kind, detail, at FROM floor_outbox
             WHERE pushed_at IS NULL ORDER BY at, id LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?;
        let mut handovers = Vec::new();
        for row in rows {
            let (id, case_uuid, counter, kind, detail, at) = row?;
            handovers.push(Handover {
                id,
                case_uuid,
                counter,
                kind,
                detail,
                at: parse_time(&at)?,
            });
        }
        Ok(handovers)
    }

    /// Records that the central database has these hand-over events.
    pub fn mark_handovers_pushed(
        &mut self,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE floor_outbox SET pushed_at = ?2 WHERE id = ?1",
                params![id, timestamp(now)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many cases and hand-over events wait to be sent.
    pub fn unsent(&self) -> Result<Unsent, StoreError> {
        let conn = self.conn()?;
        let cases: i64 = conn.query_row(
            "SELECT count(*) FROM cases WHERE state = 'done' AND pushed_at IS NULL",
            [],
            |row| row.get(0),
        )?;
        let handovers: i64 = conn.query_row(
            "SELECT count(*) FROM floor_outbox WHERE pushed_at IS NULL",
            [],
            |row| row.get(0),
        )?;
        Ok(Unsent {
            cases: cases.max(0) as u64,
            handovers: handovers.max(0) as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_day_starts_at_midnight_in_japan() {
        let at = |text: &str| parse_time(text).expect("time");
        // 08:59 JST on 1 December is still 30 November 15:00 UTC onwards.
        assert_eq!(
            day_start(at("2026-11-30T23:59:00Z")),
            at("2026-11-30T15:00:00Z")
        );
        assert_eq!(
            day_start(at("2026-11-30T14:59:00Z")),
            at("2026-11-29T15:00:00Z")
        );
    }

    #[test]
    fn routes_group_procedures_by_counter() {
        let routed = [
            Routed {
                procedure: "tennyu",
                counter: "shimin",
            },
            Routed {
                procedure: "kokuho",
                counter: "hoken",
            },
            Routed {
                procedure: "inkan",
                counter: "shimin",
            },
        ];
        assert_eq!(
            routes_json(&routed),
            r#"{"hoken":["kokuho"],"shimin":["tennyu","inkan"]}"#
        );
    }
}
