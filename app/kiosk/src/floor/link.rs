//! The floor link: a thread of its own that pushes the store's outbox to the central database
//! and says how the link is. The counter never waits on it: the session and the runtime write
//! to the local store as they always did; the link reads what waits there, pushes it, and
//! marks it sent.
//!
//! Each case and each hand-over event is pushed in its own transaction and then marked sent.
//! Killed between the two, the next start pushes it again and the central database, which
//! knows its UUID, adds nothing. Offline, the link tries again with a growing pause (up to
//! [`MAX_PAUSE`]); a poke (a case just finished) makes it try at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;
use madoguchi_central::PublishedCatalogue;
use madoguchi_central::{
    CaseRow, Central, CentralError, ConnectOptions, HandoverKind, HandoverRow,
};
use madoguchi_store::signature::{CatalogueSignature, FloorCatalogue, TrustedKeys};
use madoguchi_store::{Handover, OutgoingCase, Store, StoreKey};
use uuid::Uuid;

/// How long the link rests when it has nothing to send.
pub const IDLE_PAUSE: Duration = Duration::from_secs(2);
/// The longest pause between tries while the server cannot be reached.
pub const MAX_PAUSE: Duration = Duration::from_secs(30);
/// Rows read from the store at a time.
const BATCH: usize = 50;

/// How the link is, for the screen and for `madoguchi central sync`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkState {
    /// The last try reached the server.
    pub online: bool,
    /// Cases and hand-over events still waiting here.
    pub unsent: u64,
    /// Pushed since the link started.
    pub pushed: u64,
    /// Why the last try failed, in a few words (never personal).
    pub problem: Option<String>,
    /// A catalogue version from the floor that was refused, and why (its signature).
    pub refused_catalogue: Option<String>,
    /// The newest catalogue version taken from the floor (its floor id), if any.
    pub adopted_catalogue: Option<i64>,
}

impl LinkState {
    /// What the header shows: 「オフライン：未送信3件」.
    pub fn label(&self, english: bool) -> String {
        match (self.online, self.unsent, english) {
            (true, 0, false) => "センター接続中".into(),
            (true, 0, true) => "Floor: connected".into(),
            (true, n, false) => format!("送信中：未送信{n}件"),
            (true, n, true) => format!("Sending: {n} waiting"),
            (false, 0, false) => "オフライン".into(),
            (false, 0, true) => "Offline".into(),
            (false, n, false) => format!("オフライン：未送信{n}件"),
            (false, n, true) => format!("Offline: {n} waiting"),
        }
    }
}

/// The handle the kiosk keeps; the thread stops when it is dropped.
#[derive(Debug)]
pub struct FloorLink {
    state: Arc<Mutex<LinkState>>,
    poke: Sender<()>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FloorLink {
    /// Starts the link's thread on its own handle of the store.
    /// Catalogue versions from the floor are taken only with a signature by one of `trusted`.
    pub fn start(
        options: ConnectOptions,
        store: Store,
        floor_key: StoreKey,
        trusted: TrustedKeys,
    ) -> FloorLink {
        let state = Arc::new(Mutex::new(LinkState {
            unsent: store.unsent().map(|u| u.total()).unwrap_or(0),
            ..LinkState::default()
        }));
        let (poke, pokes) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let mut pusher = Pusher {
            options,
            store,
            floor_key,
            trusted,
            refused_after: 0,
            client: None,
            state: Arc::clone(&state),
        };
        let stopping = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("floor-link".into())
            .spawn(move || pusher.run(&pokes, &stopping))
            .ok();
        FloorLink {
            state,
            poke,
            stop,
            thread,
        }
    }

    /// How the link is now.
    pub fn state(&self) -> LinkState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// How the link is, without waiting: `None` in the instant the link thread is writing it
    /// (the window keeps what it showed; it never waits on the link).
    pub fn try_state(&self) -> Option<LinkState> {
        self.state.try_lock().ok().map(|s| s.clone())
    }

    /// Something was just written: try now rather than at the next pause.
    pub fn poke(&self) {
        let _ = self.poke.send(());
    }

    /// A handle that pokes the link from another thread (the runtime, when a case closes).
    pub fn poker(&self) -> Poker {
        Poker(self.poke.clone())
    }
}

/// Pokes the link: a case just closed, push it now.
#[derive(Clone, Debug)]
pub struct Poker(Sender<()>);

impl Poker {
    pub fn poke(&self) {
        let _ = self.0.send(());
    }
}

impl Drop for FloorLink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.poke.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread's side.
struct Pusher {
    options: ConnectOptions,
    store: Store,
    floor_key: StoreKey,
    trusted: TrustedKeys,
    /// The newest floor version refused: not fetched again until a newer one is published.
    refused_after: i64,
    client: Option<Central>,
    state: Arc<Mutex<LinkState>>,
}

impl Pusher {
    fn run(&mut self, pokes: &Receiver<()>, stop: &AtomicBool) {
        let mut pause = IDLE_PAUSE;
        while !stop.load(Ordering::SeqCst) {
            let outcome = self.round(stop);
            pause = match outcome {
                Ok(()) => IDLE_PAUSE,
                Err(_) => (pause * 2).min(MAX_PAUSE),
            };
            match pokes.recv_timeout(pause) {
                Ok(()) => pause = IDLE_PAUSE,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
    }

    /// Connects when needed and pushes everything waiting; records the link's state.
    fn round(&mut self, stop: &AtomicBool) -> Result<(), CentralError> {
        let result = self.push_all(stop);
        let unsent = self.store.unsent().map(|u| u.total()).unwrap_or(0);
        if let Ok(mut state) = self.state.lock() {
            state.unsent = unsent;
            state.online = result.is_ok();
            state.problem = result.as_ref().err().map(short);
        }
        if let Err(error) = &result {
            // The client is dropped: the next round connects afresh.
            self.client = None;
            tracing::info!(%error, unsent, "the central database cannot be reached");
        }
        result
    }

    fn push_all(&mut self, stop: &AtomicBool) -> Result<(), CentralError> {
        if self.client.as_ref().is_none_or(Central::is_closed) {
            self.client = Some(Central::connect(&self.options)?);
        }
        self.publish_signed_versions()?;
        self.pull_catalogue()?;
        self.pull_settings()?;
        while !stop.load(Ordering::SeqCst) {
            let cases = self
                .store
                .unpushed_cases(BATCH, &self.floor_key)
                .map_err(store_problem)?;
            let handovers = self
                .store
                .unpushed_handovers(BATCH)
                .map_err(store_problem)?;
            if cases.is_empty() && handovers.is_empty() {
                break;
            }
            for case in &cases {
                self.push_case(case)?;
            }
            for handover in &handovers {
                self.push_handover(handover)?;
            }
        }
        Ok(())
    }

    /// On the desk that approves versions: its signed publications go to the floor.
    fn publish_signed_versions(&mut self) -> Result<(), CentralError> {
        for id in self
            .store
            .signed_versions_not_on_floor()
            .map_err(store_problem)?
        {
            let version = self.store.catalogue(id).map_err(store_problem)?;
            let signature = self.store.catalogue_signature(id).map_err(store_problem)?;
            let (Some(version), Some(signature)) = (version, signature) else {
                continue;
            };
            let (name, number) = name_and_version(&version.files);
            let published = PublishedCatalogue {
                id: 0,
                name,
                version: number,
                checksum: version.checksum.clone(),
                files: version.files.clone(),
                signature: signature.bytes.clone(),
                key_id: signature.key_id.clone(),
            };
            let floor_id = self.client()?.publish_catalogue(&published)?;
            self.store
                .mark_on_floor(id, floor_id)
                .map_err(store_problem)?;
            tracing::info!(version = id, floor_id, "catalogue published on the floor");
        }
        Ok(())
    }

    /// Takes the floor's newest catalogue version when it is newer than what this terminal
    /// has and carries a signature by a trusted key; refuses it, and says why, otherwise.
    fn pull_catalogue(&mut self) -> Result<(), CentralError> {
        let have = self
            .store
            .newest_floor_catalogue()
            .map_err(store_problem)?
            .max(self.refused_after);
        let Some(version) = self.client()?.newest_catalogue_after(have)? else {
            return Ok(());
        };
        let signature = CatalogueSignature {
            key_id: version.key_id.clone(),
            bytes: version.signature.clone(),
        };
        let label = format!("{} {}", version.name, version.version);
        if let Err(error) = self.trusted.verify(&version.files, Some(&signature)) {
            self.refused_after = version.id;
            tracing::warn!(floor_id = version.id, %error, "catalogue from the floor refused");
            if let Ok(mut state) = self.state.lock() {
                state.refused_catalogue = Some(format!("{label}: {error}"));
            }
            return Ok(());
        }
        let adopted = FloorCatalogue {
            floor_id: version.id,
            files: version.files,
            signature,
            label,
        };
        self.store
            .adopt_floor_catalogue(&adopted, Utc::now())
            .map_err(store_problem)?;
        if let Ok(mut state) = self.state.lock() {
            state.adopted_catalogue = Some(version.id);
            state.refused_catalogue = None;
        }
        Ok(())
    }

    /// Takes the settings the floor decides (the retention period), so that this terminal
    /// purges its local copies on the floor's schedule. A value the store refuses is logged
    /// and the terminal keeps its own.
    fn pull_settings(&mut self) -> Result<(), CentralError> {
        for key in madoguchi_store::settings::FLOOR_SETTINGS {
            let Some(value) = self.client()?.floor_setting(key)? else {
                continue;
            };
            match self.store.adopt_floor_setting(key, &value, Utc::now()) {
                Ok(true) => tracing::info!(key, "setting taken from the floor"),
                Ok(false) => {}
                Err(error) => tracing::warn!(key, %error, "the floor's setting refused"),
            }
        }
        Ok(())
    }

    fn client(&mut self) -> Result<&mut Central, CentralError> {
        self.client
            .as_mut()
            .ok_or_else(|| CentralError::Settings("not connected".into()))
    }

    fn push_case(&mut self, case: &OutgoingCase) -> Result<(), CentralError> {
        let row = case_row(case)?;
        self.client()?.push_case(&row)?;
        self.store
            .mark_cases_pushed(std::slice::from_ref(&case.uuid), Utc::now())
            .map_err(store_problem)?;
        self.count_pushed();
        Ok(())
    }

    fn push_handover(&mut self, handover: &Handover) -> Result<(), CentralError> {
        let row = handover_row(handover)?;
        self.client()?.push_handover(&row)?;
        self.store
            .mark_handovers_pushed(std::slice::from_ref(&handover.id), Utc::now())
            .map_err(store_problem)?;
        self.count_pushed();
        Ok(())
    }

    fn count_pushed(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.pushed += 1;
            state.unsent = state.unsent.saturating_sub(1);
            state.online = true;
        }
    }
}

fn store_problem(error: madoguchi_store::StoreError) -> CentralError {
    CentralError::Settings(format!("the local store: {error}"))
}

fn uuid(text: &str) -> Result<Uuid, CentralError> {
    Uuid::parse_str(text).map_err(|_| CentralError::Settings(format!("`{text}` is not a UUID")))
}

/// The central row of an outgoing case.
fn case_row(case: &OutgoingCase) -> Result<CaseRow, CentralError> {
    Ok(CaseRow {
        id: uuid(&case.uuid)?,
        reception: case.reception.clone(),
        started_at: case.started_at,
        finished_at: case.ended_at,
        event: case.event.clone(),
        members: case.members.clamp(0, i64::from(i16::MAX)) as i16,
        procedures: case.procedures.clone(),
        routes: case.routes.clone(),
        forms_printed: case.forms_printed.clamp(0, i64::from(i32::MAX)) as i32,
        sealed: case.sealed.clone(),
    })
}

fn handover_row(handover: &Handover) -> Result<HandoverRow, CentralError> {
    Ok(HandoverRow {
        id: uuid(&handover.id)?,
        case: uuid(&handover.case_uuid)?,
        counter: handover.counter.clone(),
        kind: HandoverKind::from_id(&handover.kind).ok_or_else(|| {
            CentralError::Settings(format!("`{}` is not a hand-over event", handover.kind))
        })?,
        detail: handover.detail.clone(),
        at: handover.at,
    })
}

/// The catalogue's `name` and `version` from its catalogue.toml, for the floor's list of
/// versions (the checksum is what identifies it).
fn name_and_version(files: &std::collections::BTreeMap<String, String>) -> (String, String) {
    let table = files
        .get("catalogue.toml")
        .and_then(|text| text.parse::<toml::Table>().ok());
    let field = |key: &str| {
        table
            .as_ref()
            .and_then(|t| t.get("catalogue"))
            .and_then(|c| c.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_string()
    };
    (field("name"), field("version"))
}

/// The first line of an error, bounded: what the link shows and logs.
fn short(error: &CentralError) -> String {
    let text = error.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_says_how_the_link_is() {
        let state = |online, unsent| LinkState {
            online,
            unsent,
            ..LinkState::default()
        };
        assert_eq!(state(false, 3).label(false), "オフライン：未送信3件");
        assert_eq!(state(true, 0).label(false), "センター接続中");
        assert_eq!(state(false, 3).label(true), "Offline: 3 waiting");
    }
}
