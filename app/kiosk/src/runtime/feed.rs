//! The catalogue feed: the worker's watch on the store for a newly published catalogue.
//!
//! The worker asks the store for the newest published version's checksum (one small query, no
//! files) every [`CatalogueFeed::every`] and after each case closes. When it differs from the
//! version the kiosk runs, the version is read and loaded on the worker thread and handed to
//! the session, which takes it when the next case begins. A version that does not load is
//! skipped with a warning and not tried again: the kiosk keeps the rules it has.

use std::sync::Arc;
use std::time::{Duration, Instant};

use madoguchi_rules::Catalogue;
use madoguchi_store::Store;

use crate::catalogue_dir;

/// How often a kiosk asks the store by default.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

/// What the kiosk runs and when it last asked.
#[derive(Debug)]
pub struct CatalogueFeed {
    /// The checksum of the version in use (or last skipped).
    checksum: String,
    every: Duration,
    asked: Option<Instant>,
}

impl CatalogueFeed {
    /// `checksum` is the version the kiosk started with.
    pub fn new(checksum: String) -> CatalogueFeed {
        CatalogueFeed {
            checksum,
            every: DEFAULT_INTERVAL,
            asked: None,
        }
    }

    /// Asks every `every` instead (tests ask often).
    pub fn every(mut self, every: Duration) -> CatalogueFeed {
        self.every = every;
        self
    }

    /// Whether it is time to ask again.
    pub fn due(&self, now: Instant) -> bool {
        self.asked
            .is_none_or(|asked| now.duration_since(asked) >= self.every)
    }

    /// Asks at the next chance, whenever it last asked.
    pub fn ask_soon(&mut self) {
        self.asked = None;
    }

    /// The newest published catalogue if it is not the one in use, loaded.
    pub fn newer(&mut self, store: &Store, now: Instant) -> Option<Arc<Catalogue>> {
        self.asked = Some(now);
        let (id, checksum) = match store.newest_published_checksum() {
            Ok(Some(newest)) => newest,
            Ok(None) => return None,
            Err(error) => {
                tracing::warn!(%error, "cannot read the published catalogue");
                return None;
            }
        };
        if checksum == self.checksum {
            return None;
        }
        let version = match store.catalogue(id) {
            Ok(Some(version)) => version,
            Ok(None) => return None,
            Err(error) => {
                tracing::warn!(version = id, %error, "cannot read the published catalogue");
                return None;
            }
        };
        // Whatever happens next, this version is not tried again.
        self.checksum = checksum;
        match catalogue_dir::load_version(&version.files) {
            Ok(loaded) => {
                tracing::info!(version = id, "catalogue version taken for the next case");
                Some(Arc::new(loaded.catalogue))
            }
            Err(problem) => {
                tracing::warn!(version = id, %problem, "the published catalogue does not load");
                None
            }
        }
    }
}
