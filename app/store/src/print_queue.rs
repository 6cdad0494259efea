//! The print queue: every packet waits here, sealed, until the printer has printed it, so a
//! stopped printer, a paper jam or a restart of the kiosk loses nothing.
//!
//! States: `queued` (not yet handed to CUPS, or to be handed again), `printing` (CUPS has it as
//! `cups_job`), `done` (printed; the document is wiped at once), `failed` (given up or cancelled
//! by the clerk; `retry` queues it again). `last_error` says why a job waits, in words for the
//! clerk. No personal data is in the plain columns: the title is the form names.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use crate::{CaseId, Store, StoreError, timestamp};

pub type PrintJobId = i64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintState {
    Queued,
    Printing,
    Done,
    Failed,
}

impl PrintState {
    pub fn id(self) -> &'static str {
        match self {
            PrintState::Queued => "queued",
            PrintState::Printing => "printing",
            PrintState::Done => "done",
            PrintState::Failed => "failed",
        }
    }

    fn from_id(id: &str) -> Result<PrintState, StoreError> {
        match id {
            "queued" => Ok(PrintState::Queued),
            "printing" => Ok(PrintState::Printing),
            "done" => Ok(PrintState::Done),
            "failed" => Ok(PrintState::Failed),
            other => Err(StoreError::Damaged(format!("print job state {other}"))),
        }
    }

    /// Still to be printed.
    pub fn is_open(self) -> bool {
        matches!(self, PrintState::Queued | PrintState::Printing)
    }
}

/// A job as the queue shows it (without its document).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrintJob {
    pub id: PrintJobId,
    pub case_id: Option<CaseId>,
    pub printer: String,
    pub title: String,
    pub pages: i64,
    pub forms: i64,
    pub state: PrintState,
    pub attempts: i64,
    /// Why it waits or failed, for the clerk.
    pub last_error: Option<String>,
    pub cups_job: Option<i32>,
    pub created_at: String,
    pub updated_at: String,
}

/// What to queue.
#[derive(Clone, Copy, Debug)]
pub struct NewPrintJob<'a> {
    pub case_id: Option<CaseId>,
    pub printer: &'a str,
    pub title: &'a str,
    pub pages: usize,
    pub forms: usize,
    pub document: &'a [u8],
}

pub(crate) fn print_context(id: PrintJobId) -> Vec<u8> {
    format!("print:{id}").into_bytes()
}

const COLUMNS: &str = "id, case_id, printer, title, pages, forms, state, attempts, last_error, cups_job, created_at, updated_at";

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<(PrintJob, String)> {
    let state: String = row.get(6)?;
    Ok((
        PrintJob {
            id: row.get(0)?,
            case_id: row.get(1)?,
            printer: row.get(2)?,
            title: row.get(3)?,
            pages: row.get(4)?,
            forms: row.get(5)?,
            state: PrintState::Queued,
            attempts: row.get(7)?,
            last_error: row.get(8)?,
            cups_job: row.get(9)?,
            created_at: row.get(10)?,
            updated_at: row.get(11)?,
        },
        state,
    ))
}

impl Store {
    /// Queues a document, sealed with the store key. Audited (ids and counts only).
    pub fn enqueue_print(
        &mut self,
        job: &NewPrintJob<'_>,
        now: DateTime<Utc>,
    ) -> Result<PrintJobId, StoreError> {
        let at = timestamp(now);
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO print_jobs (case_id, created_at, updated_at, state, printer, title, pages, forms)
             VALUES (?1, ?2, ?2, 'queued', ?3, ?4, ?5, ?6)",
            params![
                job.case_id,
                at,
                job.printer,
                job.title,
                job.pages as i64,
                job.forms as i64
            ],
        )?;
        let id = tx.last_insert_rowid();
        let sealed = self.key.seal(job.document, &print_context(id))?;
        tx.execute(
            "UPDATE print_jobs SET document = ?2 WHERE id = ?1",
            params![id, sealed],
        )?;
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?1, 'kiosk', 'print.queue', ?2)",
            params![
                at,
                format!("job {id}, {} pages to {}", job.pages, job.printer)
            ],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Jobs still to print, oldest first.
    pub fn open_print_jobs(&self) -> Result<Vec<PrintJob>, StoreError> {
        self.select_jobs(&format!(
            "SELECT {COLUMNS} FROM print_jobs WHERE state IN ('queued', 'printing') ORDER BY id"
        ))
    }

    /// The newest `limit` jobs, newest first.
    pub fn recent_print_jobs(&self, limit: usize) -> Result<Vec<PrintJob>, StoreError> {
        self.select_jobs(&format!(
            "SELECT {COLUMNS} FROM print_jobs ORDER BY id DESC LIMIT {limit}"
        ))
    }

    pub fn print_job(&self, id: PrintJobId) -> Result<Option<PrintJob>, StoreError> {
        let found = self
            .conn()?
            .query_row(
                &format!("SELECT {COLUMNS} FROM print_jobs WHERE id = ?1"),
                [id],
                job_from_row,
            )
            .optional()?;
        found
            .map(|(mut job, state)| {
                job.state = PrintState::from_id(&state)?;
                Ok(job)
            })
            .transpose()
    }

    fn select_jobs(&self, sql: &str) -> Result<Vec<PrintJob>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn.prepare(sql)?;
        let rows = statement.query_map([], job_from_row)?;
        let mut jobs = Vec::new();
        for row in rows {
            let (mut job, state) = row?;
            job.state = PrintState::from_id(&state)?;
            jobs.push(job);
        }
        Ok(jobs)
    }

    /// The document of a job, unsealed; `None` once printed or purged.
    pub fn print_document(&self, id: PrintJobId) -> Result<Option<Vec<u8>>, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .conn()?
            .query_row(
                "SELECT document FROM print_jobs WHERE id = ?1",
                [id],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        sealed
            .map(|s| {
                self.key
                    .open(&s, &print_context(id))
                    .map(|plain| plain.to_vec())
            })
            .transpose()
    }

    /// CUPS accepted the job as `cups_job`.
    pub fn mark_print_sent(
        &mut self,
        id: PrintJobId,
        cups_job: i32,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn()?.execute(
            "UPDATE print_jobs SET state = 'printing', cups_job = ?2, attempts = attempts + 1, last_error = NULL, updated_at = ?3 WHERE id = ?1",
            params![id, cups_job, timestamp(now)],
        )?;
        Ok(())
    }

    /// The job waits (in our queue, or in CUPS when `keep_cups_job`), and why.
    pub fn mark_print_waiting(
        &mut self,
        id: PrintJobId,
        reason: &str,
        keep_cups_job: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = if keep_cups_job {
            "UPDATE print_jobs SET last_error = ?2, updated_at = ?3 WHERE id = ?1"
        } else {
            "UPDATE print_jobs SET state = 'queued', cups_job = NULL, last_error = ?2, updated_at = ?3 WHERE id = ?1"
        };
        self.conn()?
            .execute(sql, params![id, reason, timestamp(now)])?;
        Ok(())
    }

    /// Printed: the document is wiped, and the case counts its forms.
    pub fn mark_print_done(
        &mut self,
        id: PrintJobId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = timestamp(now);
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE print_jobs SET state = 'done', document = NULL, last_error = NULL, updated_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        tx.execute(
            "UPDATE cases SET forms_printed = forms_printed + (SELECT forms FROM print_jobs WHERE id = ?1)
             WHERE id = (SELECT case_id FROM print_jobs WHERE id = ?1)",
            [id],
        )?;
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?1, 'kiosk', 'print.done', ?2)",
            params![at, format!("job {id}")],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Given up (or cancelled); the document stays until the retention purge so it can be
    /// retried.
    pub fn mark_print_failed(
        &mut self,
        id: PrintJobId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = timestamp(now);
        self.conn()?.execute(
            "UPDATE print_jobs SET state = 'failed', cups_job = NULL, last_error = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, reason, at],
        )?;
        self.audit(now, "kiosk", "print.failed", &format!("job {id}: {reason}"))?;
        Ok(())
    }

    /// Queues a failed job again, if its document is still kept.
    pub fn retry_print(&mut self, id: PrintJobId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = self.conn()?.execute(
            "UPDATE print_jobs SET state = 'queued', attempts = 0, last_error = NULL, updated_at = ?2
             WHERE id = ?1 AND state = 'failed' AND document IS NOT NULL",
            params![id, timestamp(now)],
        )?;
        Ok(changed == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreConfig;

    fn store(dir: &std::path::Path) -> Store {
        let config = StoreConfig {
            db_path: dir.join("db.sqlite"),
            key_path: dir.join("key"),
        };
        Store::open(&config, Utc::now()).expect("open").store
    }

    #[test]
    fn a_job_keeps_its_document_sealed_until_printed() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = store(dir.path());
        let pdf = b"%PDF-1.7 \xe7\xaa\x93\xe5\x8f\xa3 \xe5\xa4\xaa\xe9\x83\x8e".to_vec();
        let id = store
            .enqueue_print(
                &NewPrintJob {
                    case_id: None,
                    printer: "counter-1",
                    title: "住民異動届",
                    pages: 3,
                    forms: 2,
                    document: &pdf,
                },
                Utc::now(),
            )
            .expect("queue");
        let raw = std::fs::read(dir.path().join("db.sqlite")).expect("read");
        assert!(!raw.windows(6).any(|w| w == "窓口".as_bytes()));
        assert_eq!(store.print_document(id).expect("doc"), Some(pdf));
        store.mark_print_sent(id, 7, Utc::now()).expect("sent");
        store
            .mark_print_waiting(id, "プリンターが停止しています", true, Utc::now())
            .expect("wait");
        let job = store.print_job(id).expect("job").expect("found");
        assert_eq!(
            (job.state, job.cups_job, job.attempts),
            (PrintState::Printing, Some(7), 1)
        );
        store.mark_print_done(id, Utc::now()).expect("done");
        assert_eq!(store.print_document(id).expect("doc"), None);
        assert!(store.open_print_jobs().expect("open").is_empty());
    }

    #[test]
    fn a_failed_job_can_be_retried() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = store(dir.path());
        let id = store
            .enqueue_print(
                &NewPrintJob {
                    case_id: None,
                    printer: "p",
                    title: "t",
                    pages: 1,
                    forms: 1,
                    document: b"%PDF",
                },
                Utc::now(),
            )
            .expect("queue");
        store
            .mark_print_failed(id, "cancelled", Utc::now())
            .expect("fail");
        assert!(store.retry_print(id, Utc::now()).expect("retry"));
        assert_eq!(
            store.open_print_jobs().expect("open")[0].state,
            PrintState::Queued
        );
    }
}
