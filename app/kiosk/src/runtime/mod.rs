//! The runtime: carries out the session's effects off the UI thread and answers with actions.
//!
//! One worker thread owns the card service, the store and the printer, and does their blocking
//! work in the order it was asked for; while a packet is printing it also steps the spooler
//! every half second. A second thread, started and stopped on demand, reads camera frames for
//! QR codes and sends preview pictures. Everything comes back on one channel as a [`Report`],
//! which the UI thread drains (`Runtime::try_recv`) and feeds to the session. The worker also
//! runs the daily retention purge and watches the store for a newly published catalogue
//! (`feed`); the spooler (`spooler`) moves the store's print queue to the printer.
//!
//! Nothing personal is logged here: events carry case and job ids, counts and error codes.

pub mod feed;
pub mod spooler;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;
use image::GrayImage;
use madoguchi_card::residence::signature::TrustStore;
use madoguchi_card::{CardError, CardKind, CardService, PinState};
use madoguchi_domain::Case;
use madoguchi_forms::Fonts;
use madoguchi_prefill::camera::{CameraError, FrameSource};
use madoguchi_prefill::{Assembler, Prefill, PrefillError, Progress, scan};
use madoguchi_rules::Catalogue;
use madoguchi_rules::Decision;
use madoguchi_store::{CaseId, NewPrintJob, PrintJobId, PrintState, Routed, Store};

use crate::packet::{self, Local, PacketInput};
use crate::session::{
    Action, CardIdentity, CardKey, CardOnReader, Effect, FormCheck, MissingValue, Notice,
};
use feed::CatalogueFeed;
use madoguchi_printer::Cups;
use spooler::Spooler;

/// Makes a camera when the scanner starts; `None` when the kiosk has no camera.
pub type CameraFactory = Box<dyn Fn() -> Result<Box<dyn FrameSource>, CameraError> + Send>;

/// What the runtime sends back to the UI thread.
#[derive(Debug)]
pub enum Report {
    /// An answer for the session.
    Action(Box<Action>),
    /// A camera frame for the preview, already scaled down.
    Preview(GrayImage),
    /// The camera could not start or stopped: the scanner (typed input) still works.
    CameraProblem(Notice),
}

/// What the worker needs.
pub struct Services {
    pub card: CardService,
    /// The 出入国在留管理庁's certificates a 在留カード's signature is checked against.
    pub residence_trust: TrustStore,
    pub store: Store,
    pub cups: Cups,
    /// The CUPS queue; `None` until a supervisor sets one.
    pub printer: Option<String>,
    pub forms: PathBuf,
    pub fonts: Fonts,
    pub camera: Option<CameraFactory>,
    /// Where newly published catalogues come from; `None` runs one fixed catalogue.
    pub catalogue_feed: Option<CatalogueFeed>,
    /// The floor link, told when a case closes so it pushes it at once; `None` alone.
    pub floor: Option<crate::floor::Poker>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("printer", &self.printer)
            .field("forms", &self.forms)
            .field("camera", &self.camera.is_some())
            .field("catalogue_feed", &self.catalogue_feed)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("scanning", &self.scanner.is_some())
            .finish_non_exhaustive()
    }
}

/// The handle the UI thread keeps.
pub struct Runtime {
    /// `None` for a detached runtime (screenshots): effects go nowhere.
    jobs: Option<Sender<Job>>,
    reports: Receiver<Report>,
    report_sender: Sender<Report>,
    camera: Arc<Mutex<Option<CameraFactory>>>,
    scanner: Option<Scanner>,
    worker: Option<JoinHandle<()>>,
}

enum Job {
    Effect(Effect),
    Stop,
}

impl Runtime {
    /// Starts the worker thread.
    pub fn start(mut services: Services) -> Runtime {
        let (jobs, job_receiver) = mpsc::channel();
        let (report_sender, reports) = mpsc::channel();
        let camera = Arc::new(Mutex::new(services.camera.take()));
        let sender = report_sender.clone();
        let worker = std::thread::Builder::new()
            .name("kiosk-worker".into())
            .spawn(move || Worker::new(services, sender).run(&job_receiver))
            .ok();
        Runtime {
            jobs: Some(jobs),
            reports,
            report_sender,
            camera,
            scanner: None,
            worker,
        }
    }

    /// A runtime that does nothing: for drawing screens with answers given by hand (the
    /// screenshot command). The kiosk and its tests always use [`Runtime::start`].
    pub fn detached() -> Runtime {
        let (report_sender, reports) = mpsc::channel();
        Runtime {
            jobs: None,
            reports,
            report_sender,
            camera: Arc::new(Mutex::new(None)),
            scanner: None,
            worker: None,
        }
    }

    /// Hands the effects of one action to the threads that do them.
    pub fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::StartScanner => self.start_scanner(),
                Effect::StopScanner => self.stop_scanner(),
                effect => {
                    let Some(jobs) = &self.jobs else { continue };
                    if jobs.send(Job::Effect(effect)).is_err() {
                        tracing::error!("the kiosk worker has stopped");
                    }
                }
            }
        }
    }

    /// The next report, if one is waiting.
    pub fn try_recv(&self) -> Option<Report> {
        self.reports.try_recv().ok()
    }

    /// Waits up to `timeout` for the next report (tests and the screenshot command).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Report> {
        self.reports.recv_timeout(timeout).ok()
    }

    fn start_scanner(&mut self) {
        self.stop_scanner();
        let camera = self.camera.clone();
        let reports = self.report_sender.clone();
        self.scanner = Scanner::start(camera, reports);
    }

    fn stop_scanner(&mut self) {
        if let Some(scanner) = self.scanner.take() {
            scanner.stop();
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stop_scanner();
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job::Stop);
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// How often the worker asks the store whether the daily purge is due.
const RETENTION_CHECK: Duration = Duration::from_secs(10 * 60);

/// The worker thread's state.
struct Worker {
    services: Services,
    reports: Sender<Report>,
    templates: packet::Templates,
    local: Local,
    case_id: Option<CaseId>,
    /// The packet's print job and how many forms it holds, kept for a retry.
    job: Option<(PrintJobId, usize)>,
    /// The job is still open: step the spooler.
    following: bool,
    /// Forms printed for the open case, for the statistics.
    printed_forms: u32,
    spooler: Spooler,
    /// The reader the card was found in, kept from the query to the read.
    reader: Option<String>,
}

impl Worker {
    fn new(services: Services, reports: Sender<Report>) -> Worker {
        let local = packet::local_settings(Some(&services.store));
        let spooler = Spooler::new(services.cups.clone());
        let templates = packet::Templates::new(services.forms.clone());
        Worker {
            services,
            reports,
            templates,
            local,
            case_id: None,
            job: None,
            following: false,
            printed_forms: 0,
            spooler,
            reader: None,
        }
    }

    fn run(mut self, jobs: &Receiver<Job>) {
        let mut retention_checked: Option<Instant> = None;
        loop {
            match jobs.recv_timeout(Duration::from_millis(500)) {
                Ok(Job::Effect(effect)) => self.effect(effect),
                Ok(Job::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if self.following {
                self.follow_print();
            }
            if retention_checked.is_none_or(|at| at.elapsed() >= RETENTION_CHECK) {
                retention_checked = Some(Instant::now());
                self.purge_if_due();
            }
            self.watch_catalogue();
        }
    }

    /// Hands a newly published catalogue to the session, which takes it at its next case.
    fn watch_catalogue(&mut self) {
        let now = Instant::now();
        let Some(feed) = self.services.catalogue_feed.as_mut() else {
            return;
        };
        if !feed.due(now) {
            return;
        }
        if let Some(catalogue) = feed.newer(&self.services.store, now) {
            self.send(Action::CatalogueArrived(catalogue));
        }
    }

    /// Retention while the kiosk runs: the store purges once a day (it decides whether a day
    /// has passed since the last purge, by any process) and audits what it removed.
    fn purge_if_due(&mut self) {
        match self.services.store.purge_if_due(Utc::now()) {
            Ok(Some(purged)) => tracing::info!(purged, "daily retention purge"),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "the retention purge failed"),
        }
    }

    fn send(&self, action: Action) {
        let _ = self.reports.send(Report::Action(Box::new(action)));
    }

    fn effect(&mut self, effect: Effect) {
        match effect {
            Effect::QueryCard => {
                let state = self.services.card.reader_with_card().and_then(|reader| {
                    let state = card_on_reader(&self.services.card, &reader);
                    self.reader = Some(reader);
                    state
                });
                self.send(Action::CardState(state));
            }
            Effect::ReadCard(key) => {
                let reader = match self.reader.clone() {
                    Some(reader) => Ok(reader),
                    None => self.services.card.reader_with_card(),
                };
                let today = chrono::Local::now().date_naive();
                let read = reader.and_then(|reader| {
                    read_card(
                        &self.services.card,
                        &reader,
                        key,
                        &self.services.residence_trust,
                        today,
                    )
                });
                if let Err(error) = &read {
                    tracing::info!(code = error.code(), "card read failed");
                }
                self.send(Action::CardRead(read));
            }
            Effect::Checkpoint {
                step,
                case,
                procedures,
            } => self.checkpoint(step, &case, &procedures),
            Effect::Preview {
                case,
                decision,
                catalogue,
            } => {
                // The preview checks the forms, which read the same in every language.
                let language = madoguchi_forms::SheetLanguage::Japanese;
                let check = match self.packet(&case, &decision, &catalogue, language) {
                    Ok(made) => form_check(&made.reports),
                    Err(notice) => FormCheck {
                        warnings: vec![notice],
                        missing: Vec::new(),
                    },
                };
                self.send(Action::FormsChecked(check));
            }
            Effect::Print {
                case,
                decision,
                catalogue,
                language,
                printer,
            } => self.print(&case, &decision, &catalogue, language, printer),
            Effect::Finish { printed } => self.finish(printed),
            Effect::Adopt(id) => self.case_id = Some(id),
            // The scanner runs on its own thread (Runtime::run).
            Effect::StartScanner | Effect::StopScanner => {}
        }
    }

    fn checkpoint(&mut self, step: &str, case: &Case, procedures: &[(String, String)]) {
        let now = Utc::now();
        let store = &mut self.services.store;
        let id = match self.case_id {
            Some(id) => id,
            None => match store.start_case(now) {
                Ok(id) => {
                    self.case_id = Some(id);
                    id
                }
                Err(error) => {
                    tracing::error!(%error, "cannot start a case");
                    return;
                }
            },
        };
        let procedures: Vec<Routed<'_>> = procedures
            .iter()
            .map(|(procedure, counter)| Routed { procedure, counter })
            .collect();
        if let Err(error) = store.checkpoint(id, step, case, &procedures, now) {
            tracing::error!(case = id, %error, "checkpoint failed");
        }
    }

    fn finish(&mut self, printed: bool) {
        let forms = if printed { self.printed_forms } else { 0 };
        if let (false, Some((job, _))) = (printed, self.job) {
            self.cancel_print(job);
        }
        self.job = None;
        self.following = false;
        self.printed_forms = 0;
        if let Some(id) = self.case_id.take() {
            match self.services.store.finish_case(id, forms, Utc::now()) {
                Ok(()) => {
                    if let Some(floor) = &self.services.floor {
                        floor.poke();
                    }
                }
                Err(error) => tracing::error!(case = id, %error, "cannot close the case"),
            }
        }
        self.reader = None;
        // Between cases is when a new catalogue can be taken: ask now rather than later.
        if let Some(feed) = self.services.catalogue_feed.as_mut() {
            feed.ask_soon();
        }
    }

    /// Abandoned before it printed: it must not come out during the next resident's turn,
    /// neither from our queue nor from CUPS's.
    fn cancel_print(&mut self, job: PrintJobId) {
        self.withdraw_print(job, "窓口で取り消しました / cancelled at the counter");
    }

    /// Takes a job out of CUPS and marks it failed with `why` (「日本語 / English」).
    fn withdraw_print(&mut self, job: PrintJobId, why: &str) {
        let store = &mut self.services.store;
        if let Ok(Some(queued)) = store.print_job(job)
            && let Some(cups_job) = queued.cups_job
            && let Err(error) = self.services.cups.cancel(&queued.printer, cups_job)
        {
            tracing::warn!(job, %error, "cannot withdraw the job from CUPS");
        }
        if let Err(error) = store.mark_print_failed(job, why, Utc::now()) {
            tracing::error!(job, %error, "cannot cancel the print job");
        }
    }

    fn packet(
        &mut self,
        case: &Case,
        decision: &Decision,
        catalogue: &Catalogue,
        language: madoguchi_forms::SheetLanguage,
    ) -> Result<madoguchi_forms::Packet, Notice> {
        let offset = self.local.preprinted_offset;
        let library = self.templates.for_catalogue(catalogue, offset).map_err(|error| {
            Notice::new(
                format!(
                    "帳票のテンプレートを読み込めません（{error:#}）。管理者に連絡してください。"
                ),
                format!("cannot load the form templates ({error:#}); call the supervisor"),
            )
        })?;
        let reception = match self.case_id {
            Some(id) => self.services.store.reception(id).unwrap_or_default(),
            None => String::new(),
        };
        packet::make(
            library,
            &self.services.fonts,
            &PacketInput {
                case,
                decision,
                local: &self.local,
                reception: &reception,
                guidance: true,
                language,
            },
        )
        .map_err(|error| {
            Notice::new(
                format!("帳票を作成できません（{error:#}）"),
                format!("cannot make the forms ({error:#})"),
            )
        })
    }

    fn print(
        &mut self,
        case: &Case,
        decision: &Decision,
        catalogue: &Catalogue,
        language: madoguchi_forms::SheetLanguage,
        elsewhere: Option<String>,
    ) {
        if elsewhere.is_some()
            && let Some((job, _)) = self.job.take()
        {
            // Moved: the stopped printer must not print it later as well.
            self.withdraw_print(job, "別のプリンターで印刷します / moved to another printer");
        }
        if let Some((job, _)) = self.job {
            // A retry: the job is already queued; put it back in line and step it now.
            if let Err(error) = self.services.store.retry_print(job, Utc::now()) {
                tracing::error!(job, %error, "cannot retry the print job");
            }
            self.follow_print();
            return;
        }
        let made = match self.packet(case, decision, catalogue, language) {
            Ok(made) => made,
            Err(notice) => {
                self.send(Action::PrintProgress {
                    state: PrintState::Failed,
                    reason: Some(format!("{} / {}", notice.ja, notice.en)),
                });
                return;
            }
        };
        let Some(printer) = elsewhere.or_else(|| self.services.printer.clone()) else {
            self.send(Action::PrintProgress {
                state: PrintState::Failed,
                reason: Some(
                    "プリンターが設定されていません。管理者が設定してください（madoguchi store set printer 名前）/ no printer is set".into(),
                ),
            });
            return;
        };
        let title = packet::print_title(&made);
        let queued = self.services.store.enqueue_print(
            &NewPrintJob {
                case_id: self.case_id,
                printer: &printer,
                title: &title,
                pages: made.pages,
                forms: made.forms.len(),
                document: &made.pdf,
            },
            Utc::now(),
        );
        match queued {
            Ok(job) => {
                tracing::info!(job, pages = made.pages, "packet queued");
                self.job = Some((job, made.forms.len()));
                self.follow_print();
            }
            Err(error) => self.send(Action::PrintProgress {
                state: PrintState::Failed,
                reason: Some(format!(
                    "印刷の準備ができません / cannot queue the packet: {error}"
                )),
            }),
        }
    }

    fn follow_print(&mut self) {
        let Some((job, forms)) = self.job else {
            return;
        };
        self.following = true;
        let progress = match self.spooler.step(&mut self.services.store) {
            Ok(progress) => progress,
            Err(error) => {
                tracing::error!(%error, "spooler step failed");
                return;
            }
        };
        let mine = progress.into_iter().find(|p| p.id == job);
        let (state, reason) = match mine {
            Some(p) => (p.state, p.reason),
            // No longer open: it finished between steps.
            None => match self.services.store.print_job(job) {
                Ok(Some(p)) => (p.state, p.last_error),
                _ => return,
            },
        };
        match state {
            PrintState::Done => {
                self.printed_forms = forms as u32;
                self.job = None;
                self.following = false;
            }
            // Stays failed until the clerk retries.
            PrintState::Failed => self.following = false,
            PrintState::Queued | PrintState::Printing => {}
        }
        self.send(Action::PrintProgress { state, reason });
    }
}

/// What the forms cannot print, as a notice for the clerk (never with the value itself).
/// The packet's reports as the review screen shows them: missing values apart, to be typed or
/// left to the resident; everything else as a notice.
fn form_check(reports: &[madoguchi_forms::FieldReport]) -> FormCheck {
    let mut check = FormCheck::default();
    for report in reports {
        match &report.kind {
            madoguchi_forms::ReportKind::Missing { value } => check.missing.push(MissingValue {
                path: value.clone(),
                place: format!("{} p.{}「{}」", report.form, report.page, report.field),
            }),
            _ => {
                let message = report.message();
                check.warnings.push(Notice::new(message.clone(), message));
            }
        }
    }
    check
}

/// The camera thread: frames in, previews and a decoded code out.
struct Scanner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Preview frames are scaled to this width: enough for the resident to aim.
const PREVIEW_WIDTH: u32 = 480;

impl Scanner {
    fn start(
        camera: Arc<Mutex<Option<CameraFactory>>>,
        reports: Sender<Report>,
    ) -> Option<Scanner> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("kiosk-camera".into())
            .spawn(move || {
                let source = match camera.lock() {
                    Ok(factory) => factory.as_ref().map(|make| make()),
                    Err(_) => None,
                };
                match source {
                    None => {}
                    Some(Err(error)) => {
                        tracing::warn!(%error, "camera unavailable");
                        let _ = reports.send(Report::CameraProblem(Notice::new(
                            "カメラが使えません。QRコードはスキャナーで読み取ってください。",
                            "The camera is not available: use the QR scanner.",
                        )));
                    }
                    Some(Ok(mut source)) => scan_frames(source.as_mut(), &stopped, &reports),
                }
            })
            .ok()?;
        Some(Scanner {
            stop,
            thread: Some(thread),
        })
    }

    fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn scan_frames(source: &mut dyn FrameSource, stop: &AtomicBool, reports: &Sender<Report>) {
    let mut reader = CodeReader::default();
    while !stop.load(Ordering::Relaxed) {
        let frame = match source.next_frame() {
            Ok(Some(frame)) => frame,
            // A recorded sequence ended: keep the last picture on screen.
            Ok(None) => break,
            Err(error) => {
                tracing::warn!(%error, "camera stopped");
                let _ = reports.send(Report::CameraProblem(Notice::new(
                    "カメラの映像が止まりました。スキャナーを使うか、係員を呼んでください。",
                    "The camera stopped: use the scanner or call a clerk.",
                )));
                break;
            }
        };
        let _ = reports.send(Report::Preview(preview(&frame)));
        for symbol in scan::symbols_in(&frame) {
            if let Some(result) = reader.add(&symbol) {
                let _ = reports.send(Report::Action(Box::new(Action::QrRead(result))));
                return;
            }
        }
    }
}

fn preview(frame: &GrayImage) -> GrayImage {
    if frame.width() <= PREVIEW_WIDTH {
        return frame.clone();
    }
    let height = frame.height() * PREVIEW_WIDTH / frame.width().max(1);
    image::imageops::resize(
        frame,
        PREVIEW_WIDTH,
        height.max(1),
        image::imageops::FilterType::Triangle,
    )
}

/// Collects the symbols of one pre-fill code (from the camera, or typed by a scanner) until it
/// is whole, and decodes it. Whether it may be used today is the session's check, so that both
/// paths use the session's date.
#[derive(Debug, Default)]
pub struct CodeReader {
    assembler: Assembler,
}

impl CodeReader {
    /// Adds one symbol's text. `None` while more parts are needed or when the text is not a
    /// Madoguchi code at all (another QR code in view); otherwise the case or what is wrong.
    pub fn add(&mut self, text: &str) -> Option<Result<Prefill, Notice>> {
        match self.assembler.add(text.trim()) {
            Ok(Progress::Complete) => {}
            Ok(_) | Err(PrefillError::WrongPrefix) => return None,
            Err(error) => {
                self.assembler = Assembler::default();
                return Some(Err(prefill_notice(&error)));
            }
        }
        let result = self.assembler.open();
        self.assembler = Assembler::default();
        Some(result.map_err(|e| prefill_notice(&e)))
    }

    /// Typed input that is not a Madoguchi code gets a message (a camera ignores it quietly).
    pub fn add_typed(&mut self, text: &str) -> Option<Result<Prefill, Notice>> {
        if let Err(PrefillError::WrongPrefix) = Assembler::default().add(text.trim()) {
            return Some(Err(prefill_notice(&PrefillError::WrongPrefix)));
        }
        self.add(text)
    }
}

fn prefill_notice(error: &PrefillError) -> Notice {
    Notice::prefill(error)
}

/// Which card lies on `reader` and how many tries its secrets have left, using none.
fn card_on_reader(card: &CardService, reader: &str) -> Result<CardOnReader, CardError> {
    match card.card_kind(reader)? {
        CardKind::MyNumberCard => Ok(CardOnReader::MyNumber {
            pin: card.pin_state(reader)?,
            // A card that cannot say (an error other than its leaving) is not offered the
            // 照合番号B: the PIN is asked as before.
            code_b: match card.code_b_state(reader) {
                Err(CardError::CardRemoved) => return Err(CardError::CardRemoved),
                state => state.unwrap_or(PinState::Blocked),
            },
        }),
        CardKind::ResidenceCard => Ok(CardOnReader::Residence),
        CardKind::DrivingLicence => Ok(CardOnReader::Licence {
            pin: card.licence_pin_state(reader)?,
        }),
    }
}

/// Opens the card on `reader` once with `key` and reads what the counter uses.
fn read_card(
    card: &CardService,
    reader: &str,
    key: CardKey,
    trust: &TrustStore,
    today: chrono::NaiveDate,
) -> Result<CardIdentity, CardError> {
    match key {
        CardKey::Pin(pin) => card
            .read(reader, &pin, false)
            .map(|read| CardIdentity::my_number_card(read.facts.to_person())),
        CardKey::CodeB(code) => card
            .read_by_code_b(reader, &code)
            .0
            .map(|facts| CardIdentity::my_number_card(facts.to_person())),
        CardKey::LicencePin(pin) => card
            .read_licence(reader, &pin)
            .0
            .map(|facts| CardIdentity::licence(&facts, today)),
        CardKey::ResidenceNumber(number) => card
            .read_residence(reader, &number, trust, today)
            .0
            .map(|facts| CardIdentity::residence(&facts)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_store::{DEFAULT_RETENTION_DAYS, StoreConfig};

    /// A kiosk that runs for days purges personal data daily, not only when it restarts.
    #[test]
    fn the_worker_purges_when_a_day_has_passed_since_the_last_purge() {
        let dir = tempfile::tempdir().expect("dir");
        let config = StoreConfig {
            db_path: dir.path().join("db.sqlite3"),
            key_path: dir.path().join("store.key"),
        };
        let mut store = Store::open(&config, Utc::now()).expect("opens").store;
        let now = Utc::now();
        let retention = u64::try_from(DEFAULT_RETENTION_DAYS).expect("days");
        let expired = now - chrono::Days::new(retention + 1);
        let case: Case = crate::samples::family_of_four().expect("sample");
        let id = store.start_case(expired).expect("case");
        store
            .checkpoint(id, "household", &case, &[], expired)
            .expect("checkpoint");
        store.finish_case(id, 0, expired).expect("finish");
        // The last purge ran two days ago, when this case was still within retention.
        store
            .purge(now - chrono::Days::new(2))
            .expect("an earlier purge");
        let watcher = store.share();
        assert_eq!(watcher.info().expect("info").cases_with_personal_fields, 1);

        let runtime = Runtime::start(Services {
            card: CardService::new(),
            residence_trust: Default::default(),
            store,
            cups: Cups::new("http://127.0.0.1:9"),
            printer: None,
            forms: packet::default_forms_dir(),
            fonts: Fonts::load(),
            camera: None,
            catalogue_feed: None,
            floor: None,
        });
        let started = std::time::Instant::now();
        while watcher.info().expect("info").cases_with_personal_fields > 0 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the running kiosk did not purge"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(runtime);
        let audit = watcher.audit_entries(10).expect("audit");
        assert!(
            audit
                .iter()
                .any(|(_, actor, action, _)| actor == "system" && action == "store.purge"),
            "the purge is audited"
        );
    }
}
