//! Cases for the back office, as CSV or JSON (`docs/export.md`). Personal fields are included
//! only for a signed-in supervisor, and that export is audited under their account. A row
//! that cannot be read (damaged, or sealed with another key) is reported by id and the rest
//! are exported. CSV cells are neutralised for spreadsheets (OWASP's CSV injection rule).

use chrono::{DateTime, Utc};
use madoguchi_domain::Case;
use rusqlite::params;
use serde::Serialize;

use crate::staff::Supervisor;
use crate::{Store, StoreError, case_context, timestamp};

/// One case as exported. `case` is present only in exports with personal fields, and only
/// while the case still has them.
#[derive(Debug, Serialize)]
pub struct ExportedCase {
    pub id: i64,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub state: String,
    pub event: Option<String>,
    pub members: Option<i64>,
    pub procedures: Vec<String>,
    pub forms_printed: i64,
    pub duration_s: Option<i64>,
    pub personal_purged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
}

/// An export: the cases, and the ids of those whose personal fields could not be read.
#[derive(Debug, Default)]
pub struct Export {
    pub cases: Vec<ExportedCase>,
    pub unreadable: Vec<i64>,
}

impl Store {
    /// Cases started in `[from, to)`, oldest first: statistics columns only.
    pub fn export(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Export, StoreError> {
        self.export_rows(from, to, false)
    }

    /// The same with names, addresses and answers, for a signed-in supervisor. Audited under
    /// their account with the number of cases and the range.
    pub fn export_personal(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        by: &Supervisor,
        now: DateTime<Utc>,
    ) -> Result<Export, StoreError> {
        self.check_supervisor(by)?;
        let export = self.export_rows(from, to, true)?;
        self.audit(
            now,
            by.login(),
            "store.export.personal",
            &format!(
                "{} cases ({} unreadable) from {} to {}",
                export.cases.len(),
                export.unreadable.len(),
                timestamp(from),
                timestamp(to)
            ),
        )?;
        Ok(export)
    }

    fn export_rows(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        personal: bool,
    ) -> Result<Export, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn.prepare(
            "SELECT id, started_at, ended_at, state, event, members, procedures, forms_printed, duration_s, personal
             FROM cases WHERE started_at >= ?1 AND started_at < ?2 ORDER BY started_at, id",
        )?;
        let rows = statement.query_map(params![timestamp(from), timestamp(to)], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<i64>>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, i64>(7)?,
                row.get::<_, Option<i64>>(8)?,
                row.get::<_, Option<Vec<u8>>>(9)?,
            ))
        })?;
        let mut export = Export::default();
        for row in rows {
            let (
                id,
                started_at,
                ended_at,
                state,
                event,
                members,
                procedures,
                forms_printed,
                duration_s,
                sealed,
            ) = row?;
            let case = match (&sealed, personal) {
                (Some(sealed), true) => {
                    let opened = self
                        .key
                        .open(sealed, &case_context(id))
                        .ok()
                        .and_then(|plain| serde_json::from_slice::<Case>(&plain).ok());
                    if opened.is_none() {
                        tracing::warn!(case = id, "personal fields cannot be read");
                        export.unreadable.push(id);
                    }
                    opened
                }
                _ => None,
            };
            export.cases.push(ExportedCase {
                id,
                started_at,
                ended_at,
                state,
                event,
                members,
                procedures: serde_json::from_str(&procedures).unwrap_or_default(),
                forms_printed,
                duration_s,
                personal_purged: sealed.is_none(),
                case,
            });
        }
        Ok(export)
    }
}

/// The statistics columns, then (with personal fields) the applicant's and the household's.
const COLUMNS: [&str; 10] = [
    "id",
    "started_at",
    "ended_at",
    "state",
    "event",
    "members",
    "procedures",
    "forms_printed",
    "duration_s",
    "personal_purged",
];
const PERSONAL_COLUMNS: [&str; 6] = [
    "applicant_name",
    "applicant_kana",
    "applicant_birth_date",
    "new_address",
    "new_postal_code",
    "member_names",
];

/// CSV (RFC 4180, UTF-8 with a byte-order mark so that spreadsheet programs read Japanese).
pub fn to_csv(cases: &[ExportedCase], personal: bool) -> Result<Vec<u8>, StoreError> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let mut header: Vec<&str> = COLUMNS.to_vec();
        if personal {
            header.extend(PERSONAL_COLUMNS);
        }
        writer.write_record(&header).map_err(csv_error)?;
        for case in cases {
            let mut record = vec![
                case.id.to_string(),
                case.started_at.clone(),
                case.ended_at.clone().unwrap_or_default(),
                case.state.clone(),
                case.event.clone().unwrap_or_default(),
                case.members.map(|m| m.to_string()).unwrap_or_default(),
                case.procedures.join(";"),
                case.forms_printed.to_string(),
                case.duration_s.map(|d| d.to_string()).unwrap_or_default(),
                case.personal_purged.to_string(),
            ];
            if personal {
                record.extend(personal_fields(case.case.as_ref()));
            }
            let record: Vec<String> = record.into_iter().map(neutralise).collect();
            writer.write_record(&record).map_err(csv_error)?;
        }
        writer
            .flush()
            .map_err(|e| StoreError::Damaged(e.to_string()))?;
    }
    Ok(out)
}

fn personal_fields(case: Option<&Case>) -> Vec<String> {
    let Some(case) = case else {
        return vec![String::new(); PERSONAL_COLUMNS.len()];
    };
    let applicant = case.applicant().map(|m| &m.person);
    let new_address = case.event.address_after();
    vec![
        applicant.map(|p| p.name.clone()).unwrap_or_default(),
        applicant.and_then(|p| p.kana.clone()).unwrap_or_default(),
        applicant
            .and_then(|p| p.birth_date)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        new_address.map(|a| a.text.clone()).unwrap_or_default(),
        new_address
            .and_then(|a| a.postal_code.clone())
            .unwrap_or_default(),
        case.household
            .members
            .iter()
            .map(|m| m.person.name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
    ]
}

/// A cell a spreadsheet would take for a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, so that it is shown as the text it is (OWASP, "CSV
/// Injection").
pub fn neutralise(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn csv_error(error: csv::Error) -> StoreError {
    StoreError::Damaged(format!("CSV: {error}"))
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_shown_as_text() {
        for cell in [
            "=HYPERLINK(\"http://x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise(cell.into()), format!("'{cell}"));
        }
        assert_eq!(neutralise("山田 太郎".into()), "山田 太郎");
        assert_eq!(neutralise("12".into()), "12");
    }
}
