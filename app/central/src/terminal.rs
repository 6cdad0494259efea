//! A connection to the central database — a terminal's, or an administrator's for set-up —
//! as the kiosk holds it, so that it never names PostgreSQL itself. Each method is one of the crate's operations on this connection;
//! a connection whose server went away says so ([`Central::is_closed`]) and is made again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use uuid::Uuid;

use crate::{
    CaseRow, CentralError, ConnectOptions, FloorStatus, HandoverRow, PublishedCatalogue, Terminal,
    Waiting, connect,
};

/// The channel route changes are announced on (the payload is the counter's id).
const ROUTES_CHANNEL: &str = "madoguchi_routes";

/// One terminal's connection.
pub struct Central {
    client: Client,
}

impl std::fmt::Debug for Central {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Central")
            .field("closed", &self.client.is_closed())
            .finish_non_exhaustive()
    }
}

impl Central {
    /// Connects (TLS for a network host; see [`connect`]).
    pub fn connect(options: &ConnectOptions) -> Result<Central, CentralError> {
        Ok(Central {
            client: connect(options)?,
        })
    }

    /// The server closed the connection or it broke: make a new one.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    pub fn push_case(&mut self, case: &CaseRow) -> Result<bool, CentralError> {
        crate::push_case(&mut self.client, case)
    }

    pub fn push_handover(&mut self, event: &HandoverRow) -> Result<bool, CentralError> {
        crate::push_handover(&mut self.client, event)
    }

    pub fn routed_to(
        &mut self,
        counter: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Waiting>, CentralError> {
        crate::routed_to(&mut self.client, counter, since)
    }

    pub fn progress(&mut self, case: Uuid) -> Result<Vec<Waiting>, CentralError> {
        crate::progress(&mut self.client, case)
    }

    pub fn made_here(&mut self, since: DateTime<Utc>) -> Result<Vec<Waiting>, CentralError> {
        crate::made_here(&mut self.client, since)
    }

    pub fn counter_export(
        &mut self,
        counter: &str,
        scope: crate::ExportScope,
        personal: bool,
        max_rows: i32,
    ) -> Result<Vec<crate::ExportRow>, CentralError> {
        crate::counter_export(&mut self.client, counter, scope, personal, max_rows)
    }

    pub fn counter_exported(&mut self, counter: &str, cases: &[Uuid]) -> Result<i32, CentralError> {
        crate::counter_exported(&mut self.client, counter, cases)
    }

    pub fn floor_setting(&mut self, key: &str) -> Result<Option<String>, CentralError> {
        crate::floor_setting(&mut self.client, key)
    }

    /// Sets a setting of the floor (an administrator's login).
    pub fn set_floor_setting(&mut self, key: &str, value: &str) -> Result<(), CentralError> {
        crate::set_floor_setting(&mut self.client, key, value)
    }

    pub fn reads_whole_floor(&mut self) -> Result<bool, CentralError> {
        crate::reads_whole_floor(&mut self.client)
    }

    pub fn recent_sealed(&mut self, limit: i64) -> Result<Vec<crate::SealedCase>, CentralError> {
        crate::recent_sealed(&mut self.client, limit)
    }

    pub fn sealed_case(&mut self, case: Uuid) -> Result<Option<Vec<u8>>, CentralError> {
        crate::sealed_case(&mut self.client, case)
    }

    pub fn newest_catalogue_after(
        &mut self,
        after: i64,
    ) -> Result<Option<PublishedCatalogue>, CentralError> {
        crate::newest_catalogue_after(&mut self.client, after)
    }

    /// Brings the schema up to date (an administrator's login).
    pub fn migrate(&mut self) -> Result<usize, CentralError> {
        crate::migrate(&mut self.client)
    }

    /// Creates a terminal's login (an administrator's login).
    pub fn add_terminal(
        &mut self,
        terminal: &Terminal,
        password: &str,
    ) -> Result<(), CentralError> {
        crate::add_terminal(&mut self.client, terminal, password)
    }

    /// Stops a terminal's login (an administrator's login).
    pub fn revoke_terminal(&mut self, login: &str) -> Result<bool, CentralError> {
        crate::revoke_terminal(&mut self.client, login)
    }

    /// Counts for IT staff (a login that may read every table).
    pub fn status(&mut self) -> Result<FloorStatus, CentralError> {
        crate::status(&mut self.client)
    }

    /// Publishes a signed catalogue version (a supervisor's or administrator's login).
    pub fn publish_catalogue(
        &mut self,
        catalogue: &PublishedCatalogue,
    ) -> Result<i64, CentralError> {
        crate::publish_catalogue(&mut self.client, catalogue)
    }

    /// Removes the sealed fields of cases that ended before `before` (an administrator's
    /// login).
    pub fn purge_sealed(&mut self, before: DateTime<Utc>) -> Result<u64, CentralError> {
        crate::purge_sealed(&mut self.client, before)
    }

    /// The floor's statistics of `from..=to` (a supervisor's login).
    pub fn floor_statistics(
        &mut self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<crate::FloorStatistics, CentralError> {
        crate::floor_statistics(&mut self.client, from, to)
    }

    /// Starts hearing route changes ([`Central::route_changed`]).
    pub fn listen_routes(&mut self) -> Result<(), CentralError> {
        self.client
            .batch_execute(&format!("LISTEN {ROUTES_CHANNEL}"))?;
        Ok(())
    }

    /// Waits up to `timeout` for a change to `counter`'s routes (any counter's for `None`);
    /// `true` when one came. Every notification already waiting is taken with it, so a burst
    /// of changes costs one read of the list, not one per change.
    pub fn route_changed(
        &mut self,
        counter: Option<&str>,
        timeout: Duration,
    ) -> Result<bool, CentralError> {
        let mut notifications = self.client.notifications();
        let mut heard = false;
        {
            let mut waiting = notifications.timeout_iter(timeout);
            while let Some(note) = waiting.next()? {
                if note.channel() == ROUTES_CHANNEL && counter.is_none_or(|c| note.payload() == c) {
                    heard = true;
                    break;
                }
            }
        }
        if heard {
            let mut pending = notifications.iter();
            while pending.next()?.is_some() {}
        }
        Ok(heard)
    }
}
