//! Watching readers come and go and cards being placed and taken away, without blocking anyone:
//! [`ReaderWatcher::wait`] returns after a timeout at the latest, and a [`WatchCanceller`] held
//! by another thread (or a tokio task) ends a wait at once.
//!
//! The watcher has its own PC/SC context: pcsc-lite serialises calls per context, so a wait
//! sharing the reading context would hold up reads.

use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pcsc::{Context, PNP_NOTIFICATION, ReaderState, Scope, State};

use crate::error::CardError;
use crate::reader::{ReaderStatus, VIRTUAL_READER_PREFIX, service_lost};

/// A change the counter should react to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReaderEvent {
    ReaderAdded(String),
    ReaderRemoved(String),
    CardInserted(String),
    CardRemoved(String),
    /// pcscd stopped; the watcher keeps trying to reconnect.
    ServiceLost,
    /// pcscd is back (after [`ReaderEvent::ServiceLost`]).
    ServiceRestored,
}

/// Longest single PC/SC wait. A cancel that lands between two waits is seen within this time.
const SLICE: Duration = Duration::from_millis(250);

#[derive(Default)]
struct Shared {
    context: Mutex<Option<Context>>,
    cancelled: AtomicBool,
}

/// Ends the watcher's current and future waits. Cheap to clone and send to another thread.
#[derive(Clone)]
pub struct WatchCanceller(Arc<Shared>);

impl std::fmt::Debug for WatchCanceller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WatchCanceller")
    }
}

impl WatchCanceller {
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        if let Some(context) = self
            .0
            .context
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            // Nothing to do when no wait is in progress: the flag stops the next one.
            let _ = context.cancel();
        }
    }
}

struct Watched {
    name: String,
    c_name: CString,
    /// What pcscd last told us, handed back so that the next wait blocks until it changes.
    known_state: State,
    card_present: bool,
}

/// Follows the readers and their cards. Not shared: one thread waits on it.
pub struct ReaderWatcher {
    shared: Arc<Shared>,
    readers: Vec<Watched>,
    /// Wakes the wait when a reader is plugged in or out.
    plug_and_play: ReaderState,
    service_up: bool,
}

impl std::fmt::Debug for ReaderWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReaderWatcher")
            .field("readers", &self.readers.len())
            .field("service_up", &self.service_up)
            .finish()
    }
}

impl Default for ReaderWatcher {
    fn default() -> Self {
        ReaderWatcher::new()
    }
}

impl ReaderWatcher {
    pub fn new() -> ReaderWatcher {
        ReaderWatcher {
            shared: Arc::default(),
            readers: Vec::new(),
            plug_and_play: ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE),
            service_up: true,
        }
    }

    pub fn canceller(&self) -> WatchCanceller {
        WatchCanceller(Arc::clone(&self.shared))
    }

    /// The readers as last seen, with their cards.
    pub fn readers(&self) -> Vec<ReaderStatus> {
        self.readers
            .iter()
            .map(|watched| ReaderStatus {
                name: watched.name.clone(),
                card_present: watched.card_present,
                is_virtual: watched.name.starts_with(VIRTUAL_READER_PREFIX),
            })
            .collect()
    }

    /// Waits up to `timeout` for something to change and returns what changed (nothing when
    /// the time ran out). The first call reports every reader and every card already there.
    /// Returns [`CardError::Cancelled`] once cancelled.
    pub fn wait(&mut self, timeout: Duration) -> Result<Vec<ReaderEvent>, CardError> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.shared.cancelled.load(Ordering::SeqCst) {
                return Err(CardError::Cancelled);
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            let events = self.wait_slice(remaining.min(SLICE))?;
            if !events.is_empty() || remaining <= SLICE {
                return Ok(events);
            }
        }
    }

    fn wait_slice(&mut self, slice: Duration) -> Result<Vec<ReaderEvent>, CardError> {
        let Some(context) = self.context() else {
            let mut events = Vec::new();
            if self.service_up {
                self.service_up = false;
                events = self.forget_readers();
                events.push(ReaderEvent::ServiceLost);
            } else {
                std::thread::sleep(slice);
            }
            return Ok(events);
        };
        let mut events = Vec::new();
        if !self.service_up {
            self.service_up = true;
            events.push(ReaderEvent::ServiceRestored);
        }
        match self.follow(&context, slice, &mut events) {
            Ok(()) => Ok(events),
            Err(pcsc::Error::Cancelled) => Err(CardError::Cancelled),
            Err(error) if service_lost(error) => {
                *self
                    .shared
                    .context
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = None;
                self.service_up = false;
                events.extend(self.forget_readers());
                events.push(ReaderEvent::ServiceLost);
                Ok(events)
            }
            // A reader vanished between listing and waiting: the next slice lists again.
            Err(pcsc::Error::UnknownReader) | Err(pcsc::Error::ReaderUnavailable) => Ok(events),
            Err(error) => Err(error.into()),
        }
    }

    fn context(&self) -> Option<Context> {
        let mut slot = self
            .shared
            .context
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Context::establish(Scope::User).ok();
        }
        slot.clone()
    }

    /// Lists the readers (reporting new and vanished ones), then waits for a change.
    fn follow(
        &mut self,
        context: &Context,
        slice: Duration,
        events: &mut Vec<ReaderEvent>,
    ) -> Result<(), pcsc::Error> {
        let names: Vec<CString> = match context.list_readers_owned() {
            Ok(names) => names,
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(error) => return Err(error),
        };
        self.sync_reader_list(&names, events);
        // With news to report already, only look (new readers are asked about at once, since
        // their known state is UNAWARE); otherwise wait for a change.
        let slice = if events.is_empty() {
            slice
        } else {
            Duration::ZERO
        };
        let mut states: Vec<ReaderState> = Vec::with_capacity(self.readers.len() + 1);
        states.push(ReaderState::new(
            PNP_NOTIFICATION(),
            self.plug_and_play.current_state(),
        ));
        for watched in &self.readers {
            states.push(ReaderState::new(
                watched.c_name.clone(),
                watched.known_state,
            ));
        }
        match context.get_status_change(slice, &mut states) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => return Ok(()),
            Err(error) => return Err(error),
        }
        let mut states = states.into_iter();
        if let Some(mut plug_and_play) = states.next() {
            plug_and_play.sync_current_state();
            self.plug_and_play = plug_and_play;
        }
        for (watched, mut state) in self.readers.iter_mut().zip(states) {
            let present = state.event_state().contains(State::PRESENT);
            if present != watched.card_present {
                watched.card_present = present;
                events.push(if present {
                    ReaderEvent::CardInserted(watched.name.clone())
                } else {
                    ReaderEvent::CardRemoved(watched.name.clone())
                });
            }
            state.sync_current_state();
            watched.known_state = state.current_state();
        }
        Ok(())
    }

    fn sync_reader_list(&mut self, names: &[CString], events: &mut Vec<ReaderEvent>) {
        self.readers.retain(|watched| {
            let still_there = names.contains(&watched.c_name);
            if !still_there {
                if watched.card_present {
                    events.push(ReaderEvent::CardRemoved(watched.name.clone()));
                }
                events.push(ReaderEvent::ReaderRemoved(watched.name.clone()));
            }
            still_there
        });
        for c_name in names {
            if !self.readers.iter().any(|watched| &watched.c_name == c_name) {
                let name = c_name.to_string_lossy().into_owned();
                events.push(ReaderEvent::ReaderAdded(name.clone()));
                self.readers.push(Watched {
                    name,
                    c_name: c_name.clone(),
                    known_state: State::UNAWARE,
                    card_present: false,
                });
            }
        }
    }

    fn forget_readers(&mut self) -> Vec<ReaderEvent> {
        let mut events = Vec::new();
        self.sync_reader_list(&[], &mut events);
        self.plug_and_play = ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE);
        events
    }
}
