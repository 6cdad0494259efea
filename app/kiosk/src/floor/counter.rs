//! A department counter's 受付一覧 — the households routed to this counter — or an interview
//! desk's list of the households it sent on, from the central database, followed live (LISTEN
//! on `madoguchi_routes`, with a re-read every few seconds as the fallback when a notification
//! is missed), and the clerk's marks, which go through the local outbox like everything else
//! a terminal writes.
//!
//! The list holds nothing personal: 受付番号, time, event, household size, the procedures for
//! this counter and whether their forms were printed. Opening a case (to print or read it) is
//! a hand-over event, and so audited on the floor.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use madoguchi_central::{Central, ConnectOptions, HandoverKind, Waiting};
use madoguchi_store::{Handover, Store};

/// How often the list is read again even without a notification.
pub const REREAD: Duration = Duration::from_secs(5);

/// Which routes a list follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Watch {
    /// Those routed to this counter.
    Counter(String),
    /// Those of the cases this terminal made (every counter's).
    MadeHere,
}

/// A counter's (or an interview desk's) live list.
pub struct CounterList {
    watch: Watch,
    options: ConnectOptions,
    client: Option<Central>,
    read_at: Option<Instant>,
}

impl std::fmt::Debug for CounterList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterList")
            .field("watch", &self.watch)
            .field("connected", &self.client.is_some())
            .finish_non_exhaustive()
    }
}

impl CounterList {
    pub fn new(counter: &str, options: ConnectOptions) -> CounterList {
        CounterList::watching(Watch::Counter(counter.to_string()), options)
    }

    pub fn watching(watch: Watch, options: ConnectOptions) -> CounterList {
        CounterList {
            watch,
            options,
            client: None,
            read_at: None,
        }
    }

    pub fn watch(&self) -> &Watch {
        &self.watch
    }

    fn client(&mut self) -> Result<&mut Central> {
        if self.client.as_ref().is_none_or(Central::is_closed) {
            let mut client =
                Central::connect(&self.options).context("cannot reach the central database")?;
            client.listen_routes()?;
            self.client = Some(client);
            self.read_at = None;
        }
        self.client
            .as_mut()
            .context("cannot reach the central database")
    }

    /// Waits up to `timeout` for a change to this counter's list; returns the list when it
    /// (may have) changed, `None` when nothing happened. The first call reads at once.
    pub fn wait_for_change(
        &mut self,
        timeout: Duration,
        since: DateTime<Utc>,
    ) -> Result<Option<Vec<Waiting>>> {
        let due = self.read_at.is_none_or(|at| at.elapsed() >= REREAD);
        let counter = match &self.watch {
            Watch::Counter(counter) => Some(counter.clone()),
            Watch::MadeHere => None,
        };
        let heard = if due {
            true
        } else {
            let result = self.client()?.route_changed(counter.as_deref(), timeout);
            match result {
                Ok(heard) => heard,
                Err(error) => {
                    self.client = None;
                    return Err(error.into());
                }
            }
        };
        if !heard {
            return Ok(None);
        }
        self.read(since).map(Some)
    }

    /// Reads the list now.
    pub fn read(&mut self, since: DateTime<Utc>) -> Result<Vec<Waiting>> {
        let watch = self.watch.clone();
        let client = self.client()?;
        let list = match &watch {
            Watch::Counter(counter) => client.routed_to(counter, since),
            Watch::MadeHere => client.made_here(since),
        };
        match list {
            Ok(list) => {
                self.read_at = Some(Instant::now());
                Ok(list)
            }
            Err(error) => {
                self.client = None;
                Err(error.into())
            }
        }
    }
}

/// Records the clerk's mark on a case for this counter in the local outbox (the floor link
/// pushes it): `Done`, `NotNeeded` with a reason, `Opened`, `Printed`.
pub fn mark(
    store: &mut Store,
    case: uuid::Uuid,
    counter: &str,
    kind: HandoverKind,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let reason: String = reason
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    store.record_handover(&Handover {
        id: uuid::Uuid::new_v4().to_string(),
        case_uuid: case.to_string(),
        counter: counter.to_string(),
        kind: kind.id().to_string(),
        detail: reason,
        at: now,
    })?;
    Ok(())
}
