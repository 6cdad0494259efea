//! A controller off the UI thread.
//!
//! The supervisor's desk may touch the store (SQLite), argon2 (a sign-in takes a good part
//! of a second on purpose) or the scenario runner (the impact preview runs every scenario and
//! up to 200 recent cases); a counter's floor board reads the central database, unseals cases
//! and makes PDFs. The window must answer taps all the while, so such a controller lives on
//! its own thread: the adapter sends it jobs — one controller call each, in order — and the
//! worker counts what it finished. The adapter redraws from the controller only when no job
//! is queued or running (`Worker::idle_view`), and shows that work is in progress until then.
//!
//! The controllers themselves stay plain, tested without a window or a thread; this module
//! only decides where their calls run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One controller call, run on the worker's thread.
type Job<T> = Box<dyn FnOnce(&mut T) + Send>;

/// The controller's thread and the handle the UI keeps.
pub struct Worker<T> {
    controller: Arc<Mutex<T>>,
    /// What the thread is called, in logs.
    name: &'static str,
    jobs: Option<Sender<Job<T>>>,
    /// Jobs handed over, and jobs finished: the desk is idle when they are equal.
    submitted: AtomicU64,
    finished: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

/// The supervisor desk's worker.
pub type DeskWorker = Worker<crate::supervisor::Desk>;

impl<T> std::fmt::Debug for Worker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("name", &self.name)
            .field("submitted", &self.submitted)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Worker<T> {
    /// Starts the controller's thread, called `name`.
    pub fn start(name: &'static str, controller: T) -> Worker<T> {
        let controller = Arc::new(Mutex::new(controller));
        let finished = Arc::new(AtomicU64::new(0));
        let (jobs, receiver) = mpsc::channel::<Job<T>>();
        let thread = {
            let controller = controller.clone();
            let finished = finished.clone();
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    for job in receiver {
                        let mut held = controller.lock().unwrap_or_else(|e| e.into_inner());
                        // A call that panics is a bug; the window must not wait forever on
                        // it, so it is logged and counted as finished.
                        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            job(&mut held);
                        }));
                        drop(held);
                        if run.is_err() {
                            tracing::error!(worker = name, "a controller call panicked");
                        }
                        finished.fetch_add(1, Ordering::SeqCst);
                    }
                })
                .ok()
        };
        Worker {
            controller,
            name,
            jobs: Some(jobs),
            submitted: AtomicU64::new(0),
            finished,
            thread,
        }
    }

    /// Hands one call to the thread; it runs after those handed over before it.
    pub fn submit(&self, job: impl FnOnce(&mut T) + Send + 'static) {
        let Some(jobs) = &self.jobs else { return };
        self.submitted.fetch_add(1, Ordering::SeqCst);
        if jobs.send(Box::new(job)).is_err() {
            tracing::error!(worker = self.name, "the worker's thread has stopped");
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

    /// The controller to draw from, when no job is queued or running. Never waits.
    pub fn idle_view(&self) -> Option<MutexGuard<'_, T>> {
        if self.busy() {
            return None;
        }
        self.controller.try_lock().ok()
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

impl<T> Drop for Worker<T> {
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
    use crate::supervisor::Desk;

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
        let worker = Worker::start("supervisor-desk", Desk::new(store, offset));
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
