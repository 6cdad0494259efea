//! The supervisor's desk off the UI thread.
//!
//! Everything the desk does may touch the store (SQLite), argon2 (a sign-in takes a good part
//! of a second on purpose) or the scenario runner (the impact preview runs every scenario and
//! up to 200 recent cases). The window must answer taps all the while, so the desk lives on
//! its own thread: the adapter sends it jobs — one desk call each, in order — and the desk
//! counts what it finished. The adapter redraws from the desk only when no job is queued or
//! running (`DeskWorker::idle_view`), and shows that work is in progress until then.
//!
//! The desk itself stays a plain controller, tested without a window or a thread
//! (`supervisor/tests.rs`); this module only decides where its calls run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Desk;

/// One desk call, run on the desk's thread.
type Job = Box<dyn FnOnce(&mut Desk) + Send>;

/// The desk's thread and the handle the UI keeps.
pub struct DeskWorker {
    desk: Arc<Mutex<Desk>>,
    jobs: Option<Sender<Job>>,
    /// Jobs handed over, and jobs finished: the desk is idle when they are equal.
    submitted: AtomicU64,
    finished: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for DeskWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskWorker")
            .field("submitted", &self.submitted)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl DeskWorker {
    /// Starts the desk's thread.
    pub fn start(desk: Desk) -> DeskWorker {
        let desk = Arc::new(Mutex::new(desk));
        let finished = Arc::new(AtomicU64::new(0));
        let (jobs, receiver) = mpsc::channel::<Job>();
        let thread = {
            let desk = desk.clone();
            let finished = finished.clone();
            std::thread::Builder::new()
                .name("supervisor-desk".into())
                .spawn(move || {
                    for job in receiver {
                        let mut desk = desk.lock().unwrap_or_else(|e| e.into_inner());
                        // A desk call that panics is a bug; the window must not wait forever
                        // on it, so it is logged and counted as finished.
                        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            job(&mut desk);
                        }));
                        drop(desk);
                        if run.is_err() {
                            tracing::error!("a supervisor desk call panicked");
                        }
                        finished.fetch_add(1, Ordering::SeqCst);
                    }
                })
                .ok()
        };
        DeskWorker {
            desk,
            jobs: Some(jobs),
            submitted: AtomicU64::new(0),
            finished,
            thread,
        }
    }

    /// Hands one desk call to the desk's thread; it runs after those handed over before it.
    pub fn submit(&self, job: impl FnOnce(&mut Desk) + Send + 'static) {
        let Some(jobs) = &self.jobs else { return };
        self.submitted.fetch_add(1, Ordering::SeqCst);
        if jobs.send(Box::new(job)).is_err() {
            tracing::error!("the supervisor desk's thread has stopped");
            self.finished.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Whether a job is queued or running.
    pub fn busy(&self) -> bool {
        self.finished.load(Ordering::SeqCst) < self.submitted.load(Ordering::SeqCst)
    }

    /// How many jobs have finished: the adapter redraws when this changes.
    pub fn finished(&self) -> u64 {
        self.finished.load(Ordering::SeqCst)
    }

    /// The desk to draw from, when no job is queued or running. Never waits.
    pub fn idle_view(&self) -> Option<MutexGuard<'_, Desk>> {
        if self.busy() {
            return None;
        }
        self.desk.try_lock().ok()
    }

    /// Waits until every job handed over has finished, at most `timeout` (tests, screenshots,
    /// and leaving the desk). Returns whether it is idle.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let started = Instant::now();
        while self.busy() {
            if started.elapsed() >= timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }
}

impl Drop for DeskWorker {
    fn drop(&mut self) {
        // Closing the channel ends the thread after the jobs already handed over.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_in_order_off_the_calling_thread_and_idle_is_seen() {
        let dir = tempfile::tempdir().expect("dir");
        let config = madoguchi_store::StoreConfig {
            db_path: dir.path().join("db.sqlite3"),
            key_path: dir.path().join("store.key"),
        };
        let store = madoguchi_store::Store::open(&config, chrono::Utc::now())
            .expect("opens")
            .store;
        let offset = chrono::FixedOffset::east_opt(9 * 3600).expect("offset");
        let worker = DeskWorker::start(Desk::new(store, offset));
        let (release, gate) = mpsc::channel::<()>();
        let caller = std::thread::current().id();
        worker.submit(move |_| {
            assert_ne!(std::thread::current().id(), caller);
            let _ = gate.recv();
        });
        worker.submit(|desk| desk.say(crate::session::Notice::new("二番目", "second")));
        assert!(worker.busy());
        assert!(worker.idle_view().is_none(), "never drawn mid-work");
        release.send(()).expect("release");
        assert!(worker.wait_idle(Duration::from_secs(10)));
        assert_eq!(worker.finished(), 2);
        let desk = worker.idle_view().expect("idle");
        assert_eq!(desk.notice().map(|n| n.ja.as_str()), Some("二番目"));
    }
}
