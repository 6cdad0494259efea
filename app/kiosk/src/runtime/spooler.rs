//! The spooler: where the store's print queue and the printer meet.
//!
//! A packet is queued in the store first (sealed), then handed to CUPS only when its printer
//! is ready, and followed until CUPS says it is completed; only then is the document wiped. A
//! stopped printer, a missing printer, cupsd being down, a paper jam or a restart of this
//! process leaves the job in the queue with the reason in words for the clerk; the next
//! `Spooler::step` carries on where the last one stopped. IPP itself is `madoguchi-printer`.

use chrono::Utc;
use madoguchi_printer::{Cups, CupsJob, PrinterReadiness};
use madoguchi_store::{PrintJob, PrintJobId, PrintState, Store, StoreError};

/// CUPS aborted the job this many times: give up and tell the clerk.
const MAX_ATTEMPTS: i64 = 3;

/// Where a job stands after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobProgress {
    pub id: PrintJobId,
    pub title: String,
    pub state: PrintState,
    pub reason: Option<String>,
}

/// Moves queued jobs forward. Each step asks CUPS once per open job; call it again (every
/// second or two) until nothing is open.
#[derive(Debug)]
pub struct Spooler {
    cups: Cups,
}

impl Spooler {
    pub fn new(cups: Cups) -> Spooler {
        Spooler { cups }
    }

    pub fn step(&self, store: &mut Store) -> Result<Vec<JobProgress>, StoreError> {
        let mut progress = Vec::new();
        for job in store.open_print_jobs()? {
            self.advance(store, &job)?;
            if let Some(now) = store.print_job(job.id)? {
                if now.state != job.state {
                    // Ids and states only: titles are form names, documents are never logged.
                    tracing::info!(
                        job = now.id,
                        from = job.state.id(),
                        to = now.state.id(),
                        cups_job = now.cups_job,
                        "print job"
                    );
                }
                progress.push(JobProgress {
                    id: now.id,
                    title: now.title,
                    state: now.state,
                    reason: now.last_error,
                });
            }
        }
        Ok(progress)
    }

    fn advance(&self, store: &mut Store, job: &PrintJob) -> Result<(), StoreError> {
        let now = Utc::now();
        match (job.state, job.cups_job) {
            (PrintState::Printing, Some(cups_job)) => match self.cups.job(&job.printer, cups_job) {
                Ok(CupsJob::Completed) => store.mark_print_done(job.id, now),
                Ok(CupsJob::Busy(reason)) => {
                    let why = reason.map_or_else(
                        || self.printer_words(&job.printer),
                        |r| format!("印刷待ち（{r}）"),
                    );
                    store.mark_print_waiting(job.id, &why, true, now)
                }
                Ok(CupsJob::Gone) => store.mark_print_waiting(
                    job.id,
                    "印刷サービスが再起動したため、もう一度送ります / resending after a print service restart",
                    false,
                    now,
                ),
                Ok(CupsJob::Canceled) => store.mark_print_failed(
                    job.id,
                    "プリンター側で取り消されました / cancelled at the printer",
                    now,
                ),
                Ok(CupsJob::Aborted(why)) if job.attempts >= MAX_ATTEMPTS => store.mark_print_failed(
                    job.id,
                    &format!("{MAX_ATTEMPTS}回失敗しました（{why}）/ failed {MAX_ATTEMPTS} times"),
                    now,
                ),
                Ok(CupsJob::Aborted(why)) => store.mark_print_waiting(
                    job.id,
                    &format!("印刷に失敗したため、もう一度送ります（{why}）"),
                    false,
                    now,
                ),
                Err(error) => store.mark_print_waiting(job.id, &error.to_string(), true, now),
            },
            _ => self.send(store, job),
        }
    }

    fn send(&self, store: &mut Store, job: &PrintJob) -> Result<(), StoreError> {
        let now = Utc::now();
        match self.cups.readiness(&job.printer) {
            Ok(PrinterReadiness::Ready) => {}
            Ok(PrinterReadiness::NotReady(why)) => {
                return store.mark_print_waiting(job.id, &why, false, now);
            }
            Err(error) => return store.mark_print_waiting(job.id, &error.to_string(), false, now),
        }
        let Some(document) = store.print_document(job.id)? else {
            return store.mark_print_failed(
                job.id,
                "保存期間を過ぎたため文書が消去されています。もう一度作成してください / the document was purged: make it again",
                now,
            );
        };
        match self.cups.submit(&job.printer, &job.title, document) {
            Ok(cups_job) => store.mark_print_sent(job.id, cups_job, now),
            Err(error) => store.mark_print_waiting(job.id, &error.to_string(), false, now),
        }
    }

    fn printer_words(&self, printer: &str) -> String {
        match self.cups.readiness(printer) {
            Ok(PrinterReadiness::NotReady(why)) => why,
            Ok(PrinterReadiness::Ready) => "印刷中 / printing".to_string(),
            Err(error) => error.to_string(),
        }
    }
}
