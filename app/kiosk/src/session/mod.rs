//! The session controller: one visit, from the first tap to the printed packet.
//!
//! `Session` is a state machine that owns the case. The UI shows `Session::view()` and sends
//! `Action`s (taps, and the results of work it was asked to do); each action returns the
//! `Effect`s to carry out — query or read the card, start or stop the scanner, save a
//! checkpoint, print — which the runtime runs off the UI thread and answers with more actions.
//! Nothing here does I/O or reads the clock, so every transition is tested without a window.

mod card;
mod pin_pad;
mod review;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use madoguchi_card::CardError;
use madoguchi_domain::{
    Answer, Answers, Case, CertificateRequest, Household, LifeEvent, Member, Person, Sex, Zokugara,
    ruby,
};
use madoguchi_prefill::{Prefill, PrefillError};
use madoguchi_rules::catalogue::{AddressRole, QuestionKind, Text};
use madoguchi_rules::decision::{NextQuestion, ProcedureDecision};
use madoguchi_rules::{Catalogue, Decision, Engine};
use madoguchi_store::{CaseId, PrintState, Unfinished};

pub use card::{
    CODE_B_LENGTH, CODE_B_PARTS, CardIdentity, CardKey, CardOnReader, CardPicture, CardPrefill,
    CodeBEntry, PinFor,
};
pub use pin_pad::{PIN_LENGTH, PinOutcome, PinPad};
pub use review::{ReviewEdits, ReviewField, field_notice};

/// Who drives the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A clerk at the counter, beside the resident.
    Clerk,
    /// A resident alone with a QR code made at home.
    SelfService,
}

/// The screen the UI shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Clerk: 「はじめる」. Self-service: the attract screen. Never shows personal data.
    Start,
    /// How to identify the applicant: card, QR code, or typed by the clerk.
    Identify,
    /// Waiting for a card on the reader.
    InsertCard,
    /// The PIN pad: the My Number card's PIN or a licence's PIN 1 (`View::pin_for`).
    Pin,
    /// The My Number card's 照合番号B, for a resident without the PIN.
    CodeB,
    /// The twelve characters printed on a 在留カード or 特別永住者証明書.
    CardNumber,
    /// The card is being read.
    ReadingCard,
    /// Waiting for the QR code (camera preview, or a scanner typing).
    ScanQr,
    /// Self-service: what the QR code says, in plain words, to confirm.
    QrSummary,
    /// The clerk types the applicant.
    TypeApplicant,
    /// 転入 / 転居 / 転出 and the dates.
    Event,
    /// Who moves.
    Household,
    /// One question per screen.
    Question,
    /// A sensitive question, handed to the resident to answer alone.
    PrivateQuestion,
    /// Procedures by counter.
    Result,
    /// What the forms need, completed and checked.
    Review,
    /// The packet is printing.
    Printing,
    /// Printed: the screen clears itself.
    Done,
}

impl Screen {
    /// Where the screen stands on its path, for the step indicator: (step, steps), 1-based.
    /// The clerk's path is 本人確認 → 異動 → 世帯 → 質問 → 手続き → 書類の確認 → 印刷; the
    /// self-service path QRコード → 確認 → 手続き → 印刷. None on the start screen.
    pub fn step(self, mode: Mode) -> Option<(usize, usize)> {
        let step = match (mode, self) {
            (_, Screen::Start) => return None,
            (Mode::SelfService, Screen::Identify | Screen::ScanQr) => 1,
            (Mode::SelfService, Screen::QrSummary) => 2,
            (Mode::SelfService, Screen::Result | Screen::Review) => 3,
            (Mode::SelfService, _) => 4,
            (Mode::Clerk, Screen::Event) => 2,
            (Mode::Clerk, Screen::Household) => 3,
            (Mode::Clerk, Screen::Question | Screen::PrivateQuestion) => 4,
            (Mode::Clerk, Screen::Result) => 5,
            (Mode::Clerk, Screen::Review) => 6,
            (Mode::Clerk, Screen::Printing | Screen::Done) => 7,
            (Mode::Clerk, _) => 1,
        };
        let steps = if mode == Mode::SelfService { 4 } else { 7 };
        Some((step, steps))
    }
}

/// How long the start screen reminds the last resident to take their card.
const CARD_REMINDER: Duration = Duration::from_secs(60);

/// What the kiosk asks before it does what cannot be undone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// 最初に戻る: what was typed and answered is cleared.
    StartOver,
    /// 印刷せずに終わる: the print job is withdrawn and the case cleared.
    EndWithoutPrinting,
}

/// A message for the person at the screen, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub ja: String,
    pub en: String,
}

impl Notice {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Notice {
        Notice {
            ja: ja.into(),
            en: en.into(),
        }
    }

    /// What another crate reports as one text: 「日本語 / English」 is split at the first
    /// ` / `; any other text (a file and line, a database error) is shown as it is in both.
    pub fn from_pair(text: impl Into<String>) -> Notice {
        let text = text.into();
        match text.split_once(" / ") {
            Some((ja, en)) => Notice::new(ja, en),
            None => Notice {
                ja: text.clone(),
                en: text,
            },
        }
    }

    fn card(error: &CardError) -> Notice {
        Notice::new(error.message_ja(), error.message_en())
    }

    /// What is wrong with a QR code, in words for the resident.
    pub fn prefill(error: &PrefillError) -> Notice {
        Notice::new(error.message_ja(), error.message_en())
    }
}

/// A clerk's reason for a change is a line on the procedure's card, not a letter.
const MAX_REASON_CHARS: usize = 200;
/// The clerk's search for a procedure to add: longer than any procedure's name.
const MAX_QUERY_CHARS: usize = 60;

/// A catalogue procedure the clerk may add by hand, as the search lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddableProcedure {
    pub id: String,
    pub name: Text,
    pub counter: Text,
}

/// A clerk's change to the decided procedures, with the reason they gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    pub procedure: String,
    pub added: bool,
    pub reason: String,
}

/// Everything the UI and the runtime send.
#[derive(Debug)]
pub enum Action {
    /// The first tap.
    Begin,
    IdentifyWithCard,
    IdentifyWithQr,
    IdentifyByTyping,
    /// The runtime's answer to `Effect::QueryCard`.
    CardState(Result<CardOnReader, CardError>),
    PinDigit(u8),
    PinErase,
    /// Empties the PIN pad.
    PinClear,
    PinSubmit,
    PinConfirmLastTry,
    /// 「暗証番号がわからない」: the My Number card's 照合番号B instead.
    UseCodeB,
    CodeBDigit(u8),
    CodeBErase,
    CodeBSubmit,
    /// The number typed from a 在留カード's face (checked before it is sent).
    CardNumberEntered(String),
    /// The clerk sets a card read aside (it was not the person being typed): its facts no
    /// longer fill or check the form.
    ForgetCardRead,
    /// The runtime's answer to `Effect::ReadCard`.
    CardRead(Result<CardIdentity, CardError>),
    /// A whole QR code, decoded and validated (from the camera through the runtime, or typed
    /// by a scanner); the session checks it may be used on its day.
    QrRead(Result<Prefill, Notice>),
    /// Self-service: the resident confirms the summary.
    QrConfirmed,
    ApplicantTyped(Person),
    EventChosen(LifeEvent),
    MemberAdded(Member),
    MemberRemoved(usize),
    /// The clerk sets how a member is related to the head of the household.
    MemberRelation(usize, Zokugara),
    /// The clerk marks member `index` as the one the event is about (the person who died, the
    /// child born); marking them again unmarks them.
    MemberSubject(usize),
    /// Read a member's own card (PIN pad, then back to the household).
    ReadMemberCard,
    /// Read the household's QR code made at home into a case identified by card: the other
    /// members and the answers come from it, and the review shows where it differs from the
    /// card.
    ReadHouseholdQr,
    HouseholdDone,
    /// The answer to the question on screen.
    Answer(Answer),
    /// A question about members: the clerk ticks or unticks member `index`.
    MemberToggled(usize),
    /// A question about members: the ticked members are the answer.
    MembersChosen,
    HandToResident,
    TakeBack,
    ProcedureAdded {
        id: String,
        reason: String,
    },
    ProcedureRemoved {
        id: String,
        reason: String,
    },
    /// The clerk takes back their change to a procedure.
    ProcedureRestored(String),
    ResultAccepted,
    /// The clerk edited the case on the review screen.
    CaseEdited(Box<Case>),
    /// The clerk corrected fields on the review screen: read, checked and applied.
    ReviewEdited(ReviewEdits),
    /// The runtime's answer to `Effect::Preview`.
    FormsChecked(FormCheck),
    /// The clerk leaves a missing value for the resident to write by hand (its path).
    ResidentWrites(String),
    /// The QR code held apart (another name or birth date than the card) is the same person's.
    QrSamePerson,
    /// It is someone else's: drop it.
    QrOtherPerson,
    /// The clerk is done reviewing: the corrections not yet applied are applied, and the
    /// packet prints if they all read.
    Reviewed(ReviewEdits),
    /// The runtime's report on the packet's print job.
    PrintProgress {
        state: PrintState,
        reason: Option<String>,
    },
    RetryPrint,
    /// The packet goes to this other printer instead (a queue the configuration offers).
    PrintOn(String),
    Back,
    /// 最初に戻る (or 印刷せずに終わる): asks first when anything would be lost.
    Cancel,
    /// Yes to the question `Cancel` asked: abandon the case and clear the screen.
    CancelConfirmed,
    /// No: the case goes on where it was.
    CancelDismissed,
    /// The last-PIN-try screen's third way: identify without the card (QR code or typed).
    ContinueWithoutCard,
    /// Time passed: `elapsed` is monotonic, since the runtime started; `today` is the local
    /// date now. A new case uses the date of the last tick, so a kiosk left on past midnight
    /// decides with the new day.
    Tick {
        elapsed: Duration,
        today: NaiveDate,
    },
    /// 「続ける」 on the inactivity warning: counts as activity, changes nothing else.
    StillHere,
    /// Continue the case a stopped kiosk left open (offered on the clerk's start screen).
    ResumeUnfinished,
    /// Close the case a stopped kiosk left open without continuing it.
    DiscardUnfinished,
    /// The runtime found a newly published catalogue: it decides from the next case on (a
    /// case in progress keeps the rules it began with). Not a resident's activity.
    CatalogueArrived(Arc<Catalogue>),
}

/// Work for the runtime.
#[derive(Debug)]
pub enum Effect {
    /// Ask the reader which card is there and how many tries its secrets have left (uses no
    /// try); answer with `CardState`.
    QueryCard,
    /// Open the card once with this key and read it; answer with `CardRead`.
    ReadCard(CardKey),
    StartScanner,
    StopScanner,
    /// Save the case at this step (a new store case when none is open).
    Checkpoint {
        step: &'static str,
        case: Box<Case>,
        /// The procedures decided so far and the counter of each (procedure id, counter
        /// id, empty for an office outside the city hall): the statistics, and where the
        /// floor routes the case.
        procedures: Vec<(String, String)>,
    },
    /// Lay out the packet without printing it and answer with `FormWarnings`: what the
    /// forms cannot print (a character no font has, a value too long for its box).
    Preview {
        case: Box<Case>,
        decision: Box<Decision>,
        /// The catalogue the case was decided with: its forms print with its templates.
        catalogue: Arc<Catalogue>,
    },
    /// Make the packet and print it; answer with `PrintProgress`.
    Print {
        case: Box<Case>,
        decision: Box<Decision>,
        catalogue: Arc<Catalogue>,
        /// The guidance sheet's language: the one the session ran in.
        language: madoguchi_forms::SheetLanguage,
        /// Another printer than the terminal's own: the job waiting, if any, moves there.
        printer: Option<String>,
    },
    /// Close the stored case.
    Finish {
        printed: bool,
    },
    /// Carry on with this stored case (a stopped kiosk left it open): its checkpoints and its
    /// closing go to the same row.
    Adopt(CaseId),
}

/// Inactivity limits: a warning with a countdown, then the session closes.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub idle: Duration,
    pub warning: Duration,
    /// How long the done screen stays.
    pub done: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            idle: Duration::from_secs(180),
            warning: Duration::from_secs(30),
            done: Duration::from_secs(20),
        }
    }
}

/// The session.
#[derive(Debug)]
pub struct Session {
    catalogue: Arc<Catalogue>,
    /// A newly published catalogue, taken when the next case begins.
    next_catalogue: Option<Arc<Catalogue>>,
    /// The case a stopped kiosk left open, offered to the clerk until it is taken up or closed.
    unfinished: Option<Unfinished>,
    mode: Mode,
    /// The language on screen (the window's language button): the guidance sheet follows it.
    language: madoguchi_domain::Language,
    timeouts: Timeouts,
    /// The case's date: the visit date and the day the rules are taken as of. Set from
    /// `clock_day` whenever no case is open, so a case keeps the day it began on.
    today: NaiveDate,
    /// The date of the last tick.
    clock_day: NaiveDate,
    screen: Screen,
    notice: Option<Notice>,
    pin: PinPad,
    /// Which card the PIN pad asks for.
    pin_for: PinFor,
    code_b: CodeBEntry,
    /// The card on the reader is a My Number card whose 照合番号B can still be tried.
    code_b_offered: bool,
    /// A card's facts waiting on the typing screen for the clerk to complete.
    card_prefill: Option<Arc<CardPrefill>>,
    applicant: Option<Person>,
    members: Vec<Member>,
    /// Index into `members` of the applicant.
    applicant_index: usize,
    event: Option<LifeEvent>,
    answers: Answers,
    /// Question ids in the order answered, for Back.
    answered: Vec<String>,
    /// The members ticked so far on a question about members (cleared with each question).
    ticked_members: BTreeSet<usize>,
    certificates: Vec<CertificateRequest>,
    decision: Option<Decision>,
    overrides: Vec<Override>,
    /// The procedures the clerk added that the decision does not name (neither decided nor
    /// to confirm), described for this case; renewed with each decision.
    hand_added: Vec<ProcedureDecision>,
    print: Option<(PrintState, Option<String>)>,
    form_warnings: Vec<Notice>,
    /// Values the forms require that the case lacks, from the last preview.
    missing: Vec<MissingValue>,
    /// Values the clerk left for the resident to write by hand (`Case::resident_writes`).
    resident_writes: BTreeSet<String>,
    /// The ID card the applicant was identified by (`Case::identified_by`).
    identified_by: Option<madoguchi_domain::IdentityDocument>,
    /// The household's telephone number (`Case::phone`).
    phone: Option<String>,
    /// A 代理人 filing for the household (`Case::proxy`), from a stored case.
    proxy: Option<Box<madoguchi_domain::Proxy>>,
    /// The head of the household joined, when none who moves heads it
    /// (`Household::joining_head`), and 前の世帯主 (`Household::previous_head`).
    joining_head: Option<String>,
    previous_head: Option<String>,
    /// The last preview was of the case as it is now (no edit since it was asked for).
    preview_current: bool,
    /// 「印刷する」 was tapped while a preview was still being made: print when it arrives,
    /// if nothing required is missing.
    print_when_checked: bool,
    /// A member's card is being read (not the applicant's).
    reading_member: bool,
    /// A QR code is being read into the household (not to identify the applicant).
    merging_qr: bool,
    /// A QR code whose applicant is not the card's (another name or birth date): held apart
    /// until the clerk says whether it is the same person; the case cannot go on before.
    held_qr: Option<Case>,
    /// What the QR code said about the applicant, kept to compare with the card.
    qr_applicant: Option<Person>,
    now: Duration,
    last_activity: Duration,
    /// When the done screen appeared.
    done_at: Option<Duration>,
    /// The question asked before abandoning the case, while it waits for an answer.
    confirming: Option<Confirm>,
    /// A card was put on the reader during this case: it may still lie there.
    card_seen: bool,
    /// The last case had a card on the reader: the start screen reminds whoever is there to
    /// take it, for a minute or until the next case begins (the time it ends).
    card_reminder_until: Option<Duration>,
}

/// A member offered as an answer to a question about members ("who registers a seal?").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionMember {
    pub index: usize,
    pub name: String,
    pub ticked: bool,
}

/// What the UI shows.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub screen: Screen,
    pub mode: Mode,
    pub notice: Option<Notice>,
    /// PIN pad: dots entered, tries left, and whether the last-try warning is up.
    pub pin_entered: usize,
    pub tries_left: Option<u8>,
    pub last_try_warning: bool,
    /// Which card the PIN pad asks for.
    pub pin_for: PinFor,
    /// The 照合番号B pressed so far (printed on the card, so shown to compare) and its tries.
    pub code_b_shown: card::PressedDigits,
    pub code_b_tries_left: Option<u8>,
    /// The PIN screen offers the 照合番号B instead.
    pub code_b_offered: bool,
    /// A card's facts for the typing screen (the applicant's or a member's).
    pub card_prefill: Option<Arc<CardPrefill>>,
    /// The ID card the applicant was identified by, for the clerk to see.
    pub identified_by: Option<madoguchi_domain::IdentityDocument>,
    /// The question on screen, with its 1-based number and the estimated total.
    pub question: Option<NextQuestion>,
    /// For a question about members: the members it is asked of, as the screen offers them.
    pub question_members: Vec<QuestionMember>,
    pub step: Option<(usize, usize)>,
    /// Seconds before the screen clears, once the warning is up.
    pub timeout_warning: Option<u64>,
    /// Procedures after the clerk's changes.
    pub procedures: Vec<ProcedureDecision>,
    pub to_confirm: Vec<ProcedureDecision>,
    /// The decision's procedures the clerk took off the list (their reasons are in
    /// `Session::overrides`).
    pub removed: Vec<ProcedureDecision>,
    /// Changes an age brings soon after the move (後期高齢者医療 at 75 …).
    pub coming: Vec<madoguchi_rules::decision::Coming>,
    pub print_state: Option<(PrintState, Option<String>)>,
    pub members: usize,
    /// What the forms cannot print, from the last preview.
    pub form_warnings: Vec<Notice>,
    /// Values the forms require that the case lacks, from the last preview.
    pub missing: Vec<MissingValue>,
    /// The household is being extended with a member's own card.
    pub reading_member: bool,
    /// Where the QR code made at home differs from the applicant's card.
    pub differences: Vec<Difference>,
    /// A QR code of another name or birth date than the card waits for the clerk's choice.
    pub identity_in_question: bool,
    /// The case a stopped kiosk left open, offered on the clerk's start screen.
    pub unfinished: Option<UnfinishedOffer>,
    /// A question waiting for a yes or no before the case is abandoned.
    pub confirm: Option<Confirm>,
    /// The step indicator: (step, steps).
    pub progress: Option<(usize, usize)>,
    /// 「カードをお取りください」: a card was on the reader in this case (or in the
    /// one just closed), and the case is at its end.
    pub take_card: bool,
}

/// What the start screen says about a case a stopped kiosk left open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnfinishedOffer {
    /// The step it was saved at (`household`, `interview`, `result`, `review`).
    pub step: String,
    /// When it was last saved (RFC 3339).
    pub updated_at: String,
}

/// A value a form requires that the case lacks: the clerk types it on the review screen or
/// leaves it for the resident to write by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingValue {
    /// Its path in the form templates (`new_address`): the key 「本人が記入」 marks.
    pub path: String,
    /// Where it goes: 「住民異動届 p.2「新しい住所」」.
    pub place: String,
}

/// What laying out the packet found: characters and boxes to look at, and missing values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormCheck {
    pub warnings: Vec<Notice>,
    pub missing: Vec<MissingValue>,
}

/// One fact the resident's QR code and their card disagree on. The card wins on the forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub field: Notice,
    pub qr: String,
    pub card: String,
}

impl Session {
    pub fn new(catalogue: Arc<Catalogue>, mode: Mode, today: NaiveDate) -> Session {
        Session {
            catalogue,
            next_catalogue: None,
            unfinished: None,
            mode,
            language: madoguchi_domain::Language::Japanese,
            timeouts: Timeouts::default(),
            today,
            clock_day: today,
            screen: Screen::Start,
            notice: None,
            pin: PinPad::default(),
            pin_for: PinFor::default(),
            code_b: CodeBEntry::default(),
            code_b_offered: false,
            card_prefill: None,
            applicant: None,
            members: Vec::new(),
            applicant_index: 0,
            event: None,
            answers: Answers::new(),
            answered: Vec::new(),
            ticked_members: BTreeSet::new(),
            phone: None,
            proxy: None,
            joining_head: None,
            previous_head: None,
            certificates: Vec::new(),
            decision: None,
            overrides: Vec::new(),
            hand_added: Vec::new(),
            print: None,
            form_warnings: Vec::new(),
            missing: Vec::new(),
            resident_writes: BTreeSet::new(),
            identified_by: None,
            preview_current: false,
            print_when_checked: false,
            reading_member: false,
            merging_qr: false,
            held_qr: None,
            qr_applicant: None,
            now: Duration::ZERO,
            last_activity: Duration::ZERO,
            done_at: None,
            confirming: None,
            card_seen: false,
            card_reminder_until: None,
        }
    }

    /// Continues a case a stopped kiosk left open (clerk mode, from the start screen): the
    /// answers stand, and the session goes on with the next question or the result.
    /// The catalogue this session decides with.
    pub fn catalogue(&self) -> &Arc<Catalogue> {
        &self.catalogue
    }

    /// A newly published catalogue waiting for the next case to begin.
    pub fn next_catalogue(&self) -> Option<&Arc<Catalogue>> {
        self.next_catalogue.as_ref()
    }

    /// Offers the case a stopped kiosk left open (clerk mode only: a resident at the
    /// self-service kiosk must not see someone else's case).
    pub fn with_unfinished(mut self, unfinished: Option<Unfinished>) -> Session {
        if self.mode == Mode::Clerk {
            self.unfinished = unfinished;
        }
        self
    }

    /// Continues the case a stopped kiosk left open: the answers stand, and the session goes
    /// on with the next question or the result.
    fn resume_unfinished(&mut self) -> Vec<Effect> {
        let Some(unfinished) = self.unfinished.take() else {
            return Vec::new();
        };
        let mut effects = vec![Effect::Adopt(unfinished.id)];
        self.load(unfinished.case);
        effects.extend(self.decide_and_ask());
        effects
    }

    fn discard_unfinished(&mut self) -> Vec<Effect> {
        match self.unfinished.take() {
            Some(unfinished) => vec![
                Effect::Adopt(unfinished.id),
                Effect::Finish { printed: false },
            ],
            None => Vec::new(),
        }
    }

    /// Adds a QR code's household to a case identified by card: the card's applicant stays,
    /// the QR code's other members and answers are added (a member already there, by name and
    /// birth date, is not added twice).
    fn merge(&mut self, case: Case) {
        self.qr_applicant = case.applicant().map(|m| m.person.clone());
        for (index, member) in case.household.members.into_iter().enumerate() {
            let known = self.members.iter().any(|m| {
                m.person.birth_date == member.person.birth_date
                    && normalised(&m.person.name) == normalised(&member.person.name)
            });
            if index != case.applicant && !known {
                self.members.push(member);
            }
        }
        for (question, answer) in case.answers {
            if !self.answers.contains_key(&question) {
                self.answered.push(question.clone());
                self.answers.insert(question, answer);
            }
        }
        if self.certificates.is_empty() {
            self.certificates = case.certificates;
        }
        if self.phone.is_none() {
            self.phone = case.phone;
        }
        if self.previous_head.is_none() {
            self.previous_head = case.household.previous_head;
        }
        let heads_here = self.members.iter().any(|m| m.relation == Zokugara::HEAD);
        if self.joining_head.is_none() && !heads_here {
            self.joining_head = case.household.joining_head;
        }
    }

    /// Whether a QR code's applicant is another person than the card's: another name or
    /// another birth date (spacing and width aside). Its household and answers then wait for
    /// the clerk.
    fn is_someone_else(&self, case: &Case) -> bool {
        let (Some(qr), Some(card)) = (case.applicant(), &self.applicant) else {
            return false;
        };
        normalised(&qr.person.name) != normalised(&card.name)
            || (qr.person.birth_date.is_some() && qr.person.birth_date != card.birth_date)
    }

    /// The clerk's choice on a held QR code: the same person (a typo, an old name, a variant
    /// character) takes its household and answers, the card still deciding the applicant's
    /// facts; another person's code is dropped whole.
    fn settle_held_qr(&mut self, same_person: bool) -> Vec<Effect> {
        let Some(case) = self.held_qr.take() else {
            return Vec::new();
        };
        self.notice = None;
        if same_person {
            self.merge(case);
        }
        self.checkpoint("household")
    }

    /// The facts the QR code and the card disagree on, for the applicant: of the code merged
    /// in, or of the one held for the clerk's choice.
    fn differences(&self) -> Vec<Difference> {
        let held = self
            .held_qr
            .as_ref()
            .and_then(|case| case.applicant())
            .map(|m| &m.person);
        let (Some(qr), Some(card)) = (held.or(self.qr_applicant.as_ref()), &self.applicant) else {
            return Vec::new();
        };
        let mut differences = Vec::new();
        let mut compare = |field: Notice, qr: String, card: String| {
            if normalised(&qr) != normalised(&card) && !qr.is_empty() {
                differences.push(Difference { field, qr, card });
            }
        };
        compare(
            Notice::new("氏名", "Name"),
            qr.name.clone(),
            card.name.clone(),
        );
        let date = |p: &Person| p.birth_date.map(|d| d.to_string()).unwrap_or_default();
        compare(
            Notice::new("生年月日", "Date of birth"),
            date(qr),
            date(card),
        );
        let address = |p: &Person| {
            p.address
                .as_ref()
                .map(|a| a.text.clone())
                .unwrap_or_default()
        };
        compare(Notice::new("住所", "Address"), address(qr), address(card));
        differences
    }

    /// Takes over a whole case (from a QR code or the store).
    fn load(&mut self, case: Case) {
        self.answers = case.answers.clone();
        self.answered = self.answers.keys().cloned().collect();
        self.take_facts(case);
    }

    /// Takes the case's facts (everything but the answers, which only the interview and a
    /// whole case change).
    fn take_facts(&mut self, case: Case) {
        self.applicant_index = case.applicant;
        self.applicant = case.applicant().map(|m| m.person.clone());
        self.members = case.household.members;
        self.joining_head = case.household.joining_head;
        self.previous_head = case.household.previous_head;
        self.event = Some(case.event);
        self.certificates = case.certificates;
        self.resident_writes = case.resident_writes;
        // A code made at home identifies nobody: a card read before it still counts.
        self.identified_by = case.identified_by.or(self.identified_by);
        self.phone = case.phone;
        self.proxy = case.proxy;
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Session {
        self.timeouts = timeouts;
        self
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The decision on the case, once decided.
    pub fn decision(&self) -> Option<&Decision> {
        self.decision.as_ref()
    }

    /// Follows the window's language button, for the guidance sheet.
    pub fn set_language(&mut self, language: madoguchi_domain::Language) {
        self.language = language;
    }

    /// The guidance sheet's language: the screen's, in やさしい日本語 for a resident alone
    /// in Japanese.
    pub fn sheet_language(&self) -> madoguchi_forms::SheetLanguage {
        use madoguchi_domain::Language;
        match (self.language, self.mode) {
            (Language::Japanese | Language::Easy, Mode::SelfService) => Language::Easy,
            (Language::Japanese | Language::Easy, Mode::Clerk) => Language::Japanese,
            (other, _) => other,
        }
    }

    /// The day the case on screen is decided on (the last tick's date between cases).
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The case as far as it is known; `None` before the event is chosen.
    pub fn case(&self) -> Option<Case> {
        let event = self.event.clone()?;
        Some(Case {
            phone: self.phone.clone(),
            proxy: self.proxy.clone(),
            event,
            household: Household {
                members: self.members.clone(),
                // Once someone who moves is made 世帯主, a head typed for joining another
                // household no longer applies.
                joining_head: self
                    .joining_head
                    .clone()
                    .filter(|_| !self.members.iter().any(|m| m.relation == Zokugara::HEAD)),
                previous_head: self.previous_head.clone(),
            },
            applicant: self.applicant_index,
            answers: self.answers.clone(),
            certificates: self.certificates.clone(),
            resident_writes: self.resident_writes.clone(),
            identified_by: self.identified_by,
        })
    }

    /// The applicant as identified (card, QR code or typed), before the event is chosen too.
    pub fn applicant(&self) -> Option<&Person> {
        self.applicant.as_ref()
    }

    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    pub fn view(&self) -> View {
        let question = self.current_question();
        let step = question.as_ref().map(|_| {
            let asked = self.answered.len() + 1;
            let left = self
                .decision
                .as_ref()
                .map_or(0, |d| d.next_questions.len().saturating_sub(1));
            (asked, asked + left)
        });
        let (procedures, to_confirm) = self.shown_procedures();
        View {
            screen: self.screen,
            mode: self.mode,
            notice: self.notice.clone(),
            pin_entered: self.pin.entered(),
            tries_left: self.pin.tries_left(),
            last_try_warning: self.screen == Screen::Pin
                && self.pin.tries_left() == Some(1)
                && self.pin.entered() == PIN_LENGTH,
            pin_for: self.pin_for,
            code_b_shown: card::PressedDigits(self.code_b.shown().to_owned()),
            code_b_tries_left: self.code_b.tries_left(),
            code_b_offered: self.code_b_offered,
            card_prefill: self.card_prefill.clone(),
            identified_by: self.identified_by,
            question_members: question
                .as_ref()
                .map(|q| self.question_members(q))
                .unwrap_or_default(),
            question,
            step,
            timeout_warning: self.timeout_warning(),
            procedures,
            to_confirm,
            removed: self.removed_procedures(),
            coming: self
                .decision
                .as_ref()
                .map(|d| d.coming.clone())
                .unwrap_or_default(),
            print_state: self.print.clone(),
            members: self.members.len(),
            form_warnings: self.form_warnings.clone(),
            missing: self.missing.clone(),
            reading_member: self.reading_member,
            differences: self.differences(),
            identity_in_question: self.held_qr.is_some(),
            unfinished: self.unfinished_offer(),
            confirm: self.confirming,
            progress: self.screen.step(self.mode),
            take_card: match self.screen {
                Screen::Printing => self.card_seen,
                // The packet is out and the case cleared: the reminder is what is left of it.
                Screen::Done => self.card_reminder_until.is_some(),
                Screen::Start => self
                    .card_reminder_until
                    .is_some_and(|until| self.now < until),
                _ => false,
            },
        }
    }

    fn unfinished_offer(&self) -> Option<UnfinishedOffer> {
        let unfinished = self.unfinished.as_ref()?;
        (self.screen == Screen::Start && self.mode == Mode::Clerk).then(|| UnfinishedOffer {
            step: unfinished.step.clone(),
            updated_at: unfinished.updated_at.clone(),
        })
    }

    /// Handles one action and returns the work it needs.
    pub fn handle(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Tick { elapsed, today } => return self.tick(elapsed, today),
            Action::CatalogueArrived(catalogue) => {
                self.next_catalogue = Some(catalogue);
                return Vec::new();
            }
            _ => {}
        }
        self.last_activity = self.now;
        match action {
            Action::Cancel => self.ask_to_cancel(),
            Action::CancelConfirmed if self.confirming.is_some() => self.reset(),
            Action::CancelConfirmed => Vec::new(),
            Action::CancelDismissed => {
                self.confirming = None;
                Vec::new()
            }
            Action::Back => self.back(),
            Action::StillHere => Vec::new(),
            action => self.forward(action),
        }
    }

    fn forward(&mut self, action: Action) -> Vec<Effect> {
        match (self.screen, action) {
            (Screen::Start, Action::ResumeUnfinished) => self.resume_unfinished(),
            (Screen::Start, Action::DiscardUnfinished) => self.discard_unfinished(),
            (Screen::Start, Action::Begin) => {
                if let Some(catalogue) = self.next_catalogue.take() {
                    self.catalogue = catalogue;
                }
                self.begin()
            }
            (Screen::Identify, Action::IdentifyWithCard) => {
                self.go(Screen::InsertCard);
                vec![Effect::QueryCard]
            }
            (Screen::Identify, Action::IdentifyWithQr) => {
                self.go(Screen::ScanQr);
                vec![Effect::StartScanner]
            }
            (Screen::Identify, Action::IdentifyByTyping) => self.go(Screen::TypeApplicant),
            (Screen::InsertCard, Action::IdentifyWithCard) => vec![Effect::QueryCard],
            (Screen::InsertCard | Screen::Pin, Action::CardState(state)) => self.card_state(state),
            (Screen::Pin, Action::UseCodeB) if self.code_b_offered => self.use_code_b(None),
            (Screen::CodeB, Action::CodeBDigit(digit)) => {
                self.code_b.press(digit);
                Vec::new()
            }
            (Screen::CodeB, Action::CodeBErase) => {
                self.code_b.erase();
                Vec::new()
            }
            (Screen::CodeB, Action::CodeBSubmit) => self.submit_code_b(),
            (Screen::CardNumber, Action::CardNumberEntered(typed)) => {
                self.submit_card_number(&typed)
            }
            (Screen::Pin, Action::PinDigit(digit)) => {
                self.pin.press(digit);
                Vec::new()
            }
            (Screen::Pin, Action::PinErase) => {
                self.pin.erase();
                Vec::new()
            }
            (Screen::Pin, Action::PinClear) => {
                self.pin.clear();
                Vec::new()
            }
            (Screen::Pin, Action::PinConfirmLastTry) => {
                self.pin.confirm_last_try();
                self.submit_pin()
            }
            (Screen::Pin, Action::PinSubmit) => self.submit_pin(),
            (Screen::Pin, Action::ContinueWithoutCard) => {
                self.pin.clear();
                if self.reading_member {
                    self.reading_member = false;
                    self.go(Screen::Household)
                } else {
                    self.go(Screen::Identify)
                }
            }
            (Screen::ReadingCard, Action::CardRead(result)) => self.card_read(result),
            (Screen::ScanQr, Action::QrRead(result)) => self.qr_read(result),
            (Screen::QrSummary, Action::QrConfirmed) => self.decide_and_show(),
            (Screen::TypeApplicant, Action::ApplicantTyped(person)) => self.applicant_typed(person),
            (Screen::TypeApplicant | Screen::Household, Action::ForgetCardRead) => {
                self.card_prefill = None;
                self.notice = None;
                Vec::new()
            }
            (Screen::Event, Action::EventChosen(mut event)) => {
                // Back on the event screen and on again: the member marked stays marked when
                // the event chosen is about one member too.
                let marked = self.event.as_ref().and_then(|e| e.subject);
                let about_one = self
                    .catalogue
                    .event(event.kind)
                    .is_some_and(|def| def.subject.is_some());
                event.subject = marked.filter(|&i| about_one && i < self.members.len());
                self.event = Some(self.with_card_address(event));
                self.go(Screen::Household);
                self.checkpoint("household")
            }
            (Screen::Household, Action::MemberAdded(member)) => self.member_typed(member),
            (Screen::Household, Action::MemberRemoved(index)) => self.remove_member(index),
            (Screen::Household, Action::MemberSubject(index)) => self.mark_subject(index),
            (Screen::Household, Action::MemberRelation(index, relation)) => {
                self.set_relation(index, relation)
            }
            (Screen::Household, Action::ReadHouseholdQr) => {
                self.merging_qr = true;
                self.go(Screen::ScanQr);
                vec![Effect::StartScanner]
            }
            (Screen::Household, Action::ReadMemberCard) => {
                self.reading_member = true;
                self.go(Screen::InsertCard);
                vec![Effect::QueryCard]
            }
            (Screen::Household, Action::HouseholdDone) if self.held_qr.is_some() => {
                self.notice = Some(Notice::new(
                    "QRコードとカードで氏名か生年月日が違います。同じ方かどうかを選んでから進んでください。",
                    "The QR code and the card differ in name or date of birth: say whether they are the same person first.",
                ));
                Vec::new()
            }
            (Screen::Household, Action::HouseholdDone) if self.subject_missing().is_some() => {
                self.notice = self.subject_missing();
                Vec::new()
            }
            (Screen::Household, Action::HouseholdDone) => self.decide_and_ask(),
            (Screen::Household, Action::QrSamePerson) => self.settle_held_qr(true),
            (Screen::Household, Action::QrOtherPerson) => self.settle_held_qr(false),
            (Screen::Question | Screen::PrivateQuestion, Action::Answer(answer)) => {
                self.answer(answer)
            }
            (Screen::Question | Screen::PrivateQuestion, Action::MemberToggled(index)) => {
                if !self.ticked_members.remove(&index) && index < self.members.len() {
                    self.ticked_members.insert(index);
                }
                Vec::new()
            }
            (Screen::Question | Screen::PrivateQuestion, Action::MembersChosen)
                if !self.ticked_members.is_empty() =>
            {
                let chosen = Answer::members(self.ticked_members.iter().copied());
                self.answer(chosen)
            }
            (Screen::Question, Action::HandToResident) => self.go(Screen::PrivateQuestion),
            (Screen::PrivateQuestion, Action::TakeBack) => self.go(Screen::Question),
            (Screen::Result, Action::ProcedureAdded { id, reason }) => {
                self.change_procedure(id, reason, true)
            }
            (Screen::Result, Action::ProcedureRemoved { id, reason }) => {
                self.change_procedure(id, reason, false)
            }
            (Screen::Result, Action::ProcedureRestored(id)) => {
                self.overrides.retain(|o| o.procedure != id);
                self.hand_added.retain(|p| p.id != id);
                Vec::new()
            }
            // A resident alone has nothing to correct: their list prints as it is.
            (Screen::Result, Action::ResultAccepted) if self.mode == Mode::SelfService => {
                self.print()
            }
            (Screen::Result, Action::ResultAccepted) => {
                self.go(Screen::Review);
                self.preview()
            }
            (Screen::Review, Action::CaseEdited(case)) => self.edit(*case),
            (Screen::Review, Action::ReviewEdited(edits)) => self.apply_review(&edits),
            (Screen::Review, Action::Reviewed(edits)) => self.reviewed(&edits),
            (Screen::Review, Action::FormsChecked(check)) => self.forms_checked(check),
            (Screen::Review, Action::ResidentWrites(path)) => self.resident_writes(path),
            (Screen::Printing, Action::PrintProgress { state, reason }) => {
                self.print_progress(state, reason)
            }
            (Screen::Printing, Action::RetryPrint) => self.print(),
            // Only once the terminal's own printer has a problem, as the screen offers it.
            (Screen::Printing, Action::PrintOn(queue))
                if matches!(self.print, Some((PrintState::Failed, _) | (_, Some(_)))) =>
            {
                let mut effects = self.print();
                for effect in &mut effects {
                    if let Effect::Print { printer, .. } = effect {
                        *printer = Some(queue.clone());
                    }
                }
                effects
            }
            (Screen::Done, Action::Begin) => self.reset(),
            // Anything else (a late card answer, a double tap) changes nothing.
            _ => Vec::new(),
        }
    }

    fn begin(&mut self) -> Vec<Effect> {
        self.card_reminder_until = None;
        match self.mode {
            Mode::Clerk => self.go(Screen::Identify),
            Mode::SelfService => {
                self.go(Screen::ScanQr);
                vec![Effect::StartScanner]
            }
        }
    }

    fn go(&mut self, screen: Screen) -> Vec<Effect> {
        self.screen = screen;
        self.notice = None;
        // A question about leaving no longer applies once the screen has moved on.
        self.confirming = None;
        Vec::new()
    }

    fn identify_again(&mut self, notice: Notice) -> Vec<Effect> {
        self.screen = if self.reading_member {
            self.reading_member = false;
            Screen::Household
        } else {
            Screen::Identify
        };
        self.notice = Some(notice);
        Vec::new()
    }

    fn qr_read(&mut self, result: Result<Prefill, Notice>) -> Vec<Effect> {
        let mut dropped = 0;
        let today = self.today;
        let result = result
            .and_then(|prefill| {
                prefill
                    .check_day(today)
                    .map(|()| prefill.case)
                    .map_err(|e| Notice::prefill(&e))
            })
            .map(|case| {
                let (case, left_out) = self.usable_answers(case);
                dropped = left_out;
                case
            });
        let effects = self.take_qr_case(result);
        if dropped > 0 && self.notice.is_none() {
            self.notice = Some(Notice::new(
                format!(
                    "QRコードの回答のうち{dropped}件は、この窓口の質問にないため使いませんでした。必要な質問はあらためて伺います。"
                ),
                format!(
                    "{dropped} answer(s) in the code do not fit this counter's questions and were left out; the questions that matter are asked again."
                ),
            ));
        }
        effects
    }

    /// The case with only the answers this catalogue's questions can take, and how many were
    /// left out. A code made at home against another version of the catalogue may carry
    /// others; leaving them out keeps the case decidable, and the questions are asked again.
    fn usable_answers(&self, mut case: Case) -> (Case, usize) {
        let engine = Engine::new(&self.catalogue);
        let before = case.answers.len();
        case.answers
            .retain(|id, answer| engine.answer_fits(id, answer));
        let left_out = before - case.answers.len();
        (case, left_out)
    }

    fn take_qr_case(&mut self, result: Result<Case, Notice>) -> Vec<Effect> {
        match result {
            Ok(mut case) if self.merging_qr => {
                case.event.set_visit_date(self.today);
                if self.is_someone_else(&case) {
                    self.held_qr = Some(case);
                } else {
                    self.merge(case);
                }
                self.merging_qr = false;
                self.go(Screen::Household);
                let mut effects = vec![Effect::StopScanner];
                effects.extend(self.checkpoint("household"));
                effects
            }
            Ok(mut case) => {
                // The code names the day the resident planned to come; they came today.
                case.event.set_visit_date(self.today);
                self.load(case);
                let mut effects = vec![Effect::StopScanner];
                match self.mode {
                    Mode::SelfService => {
                        self.go(Screen::QrSummary);
                    }
                    Mode::Clerk => effects.extend(self.decide_and_ask()),
                }
                effects
            }
            Err(notice) => {
                self.notice = Some(notice);
                Vec::new()
            }
        }
    }

    fn set_applicant(&mut self, person: Person) {
        self.applicant = Some(person.clone());
        if self.members.is_empty() {
            self.members.push(Member {
                person,
                relation: Zokugara::HEAD,
            });
            self.applicant_index = 0;
        } else if let Some(member) = self.members.get_mut(self.applicant_index) {
            member.person = person;
        }
    }

    /// Marks member `index` as the one the event is about, or unmarks them.
    fn mark_subject(&mut self, index: usize) -> Vec<Effect> {
        let about_one = self
            .event
            .as_ref()
            .and_then(|e| self.catalogue.event(e.kind))
            .is_some_and(|def| def.subject.is_some());
        let Some(event) = self.event.as_mut().filter(|_| about_one) else {
            return Vec::new();
        };
        if index >= self.members.len() {
            return Vec::new();
        }
        event.subject = (event.subject != Some(index)).then_some(index);
        self.notice = None;
        // The card read may be the deceased's own (the family knew its PIN): whoever the event
        // is about does not file it, so the first other member does, and the clerk is told.
        if event.subject == Some(self.applicant_index)
            && let Some(other) = (0..self.members.len()).find(|&i| i != index)
        {
            self.applicant_index = other;
            let name = &self.members[other].person.name;
            self.notice = Some(Notice::new(
                format!("届出をする方（申請者）を {name} さんにしました"),
                format!("{name} now files for the household (the applicant)"),
            ));
        }
        self.checkpoint("household")
    }

    /// What to say when the event is about one member and none is marked yet.
    fn subject_missing(&self) -> Option<Notice> {
        let event = self.event.as_ref()?;
        let label = self.catalogue.event(event.kind)?.subject.as_ref()?;
        match event.subject {
            None => Some(Notice::new(
                format!("{}を選んでください（世帯の方の一覧で選びます）", label.ja),
                format!("Mark {} in the household list", label.en),
            )),
            Some(subject) if subject == self.applicant_index => Some(Notice::new(
                format!(
                    "届出をする方（窓口に来られた方）を世帯の一覧に加えてください。{}ご本人は届出人になれません",
                    label.ja
                ),
                format!(
                    "Add the person filing (who came to the counter) to the household: {} cannot file",
                    label.en
                ),
            )),
            Some(_) => None,
        }
    }

    fn remove_member(&mut self, index: usize) -> Vec<Effect> {
        if index == self.applicant_index || index >= self.members.len() {
            self.notice = Some(Notice::new(
                "申請者は外せません",
                "The applicant cannot be removed",
            ));
            return Vec::new();
        }
        self.members.remove(index);
        if index < self.applicant_index {
            self.applicant_index -= 1;
        }
        if let Some(event) = self.event.as_mut() {
            event.subject = match event.subject {
                Some(marked) if marked == index => None,
                Some(marked) if marked > index => Some(marked - 1),
                other => other,
            };
        }
        self.checkpoint("household")
    }

    fn evaluate(&mut self) -> Result<(), Notice> {
        let case = self.case().ok_or_else(|| {
            Notice::new(
                "異動の種類と日付を選んでください",
                "Choose the event and its dates",
            )
        })?;
        let catalogue = Arc::clone(&self.catalogue);
        let engine = Engine::new(&catalogue);
        let decision = engine.evaluate(&case, self.today).map_err(|e| {
            Notice::new(
                format!("手続きを判定できません：{e}"),
                format!("cannot decide the procedures: {e}"),
            )
        })?;
        self.decision = Some(decision);
        self.describe_hand_added(&engine, &case)
    }

    /// Describes again, for the case as it is now, the procedures the clerk added that the
    /// decision does not name.
    fn describe_hand_added(&mut self, engine: &Engine<'_>, case: &Case) -> Result<(), Notice> {
        let named = |id: &str| {
            self.decision
                .as_ref()
                .is_some_and(|d| d.procedures.iter().chain(&d.to_confirm).any(|p| p.id == id))
        };
        let mut hand_added = Vec::new();
        for change in self
            .overrides
            .iter()
            .filter(|o| o.added && !named(&o.procedure))
        {
            let described = engine
                .describe_by_hand(case, &change.procedure, self.today)
                .map_err(|e| {
                    Notice::new(
                        format!("追加した手続きを判定できません：{e}"),
                        format!("cannot describe the added procedure: {e}"),
                    )
                })?;
            hand_added.extend(described);
        }
        self.hand_added = hand_added;
        Ok(())
    }

    /// Decides, then asks the next question or shows the result.
    fn decide_and_ask(&mut self) -> Vec<Effect> {
        if let Err(notice) = self.evaluate() {
            self.notice = Some(notice);
            return Vec::new();
        }
        let has_question = self
            .decision
            .as_ref()
            .is_some_and(|d| !d.next_questions.is_empty());
        if has_question {
            self.go(Screen::Question);
            self.checkpoint("interview")
        } else {
            self.go(Screen::Result);
            self.checkpoint("result")
        }
    }

    /// Self-service: the QR code's answers stand; go straight to the procedures.
    fn decide_and_show(&mut self) -> Vec<Effect> {
        if let Err(notice) = self.evaluate() {
            self.notice = Some(notice);
            return Vec::new();
        }
        self.go(Screen::Result);
        self.checkpoint("result")
    }

    fn current_question(&self) -> Option<NextQuestion> {
        if !matches!(self.screen, Screen::Question | Screen::PrivateQuestion) {
            return None;
        }
        self.decision.as_ref()?.next_questions.first().cloned()
    }

    /// The members a question about members offers, with who is ticked; none when it is asked
    /// of one member only (it is then a yes / no question about them).
    fn question_members(&self, question: &NextQuestion) -> Vec<QuestionMember> {
        if question.members.len() < 2 {
            return Vec::new();
        }
        question
            .members
            .iter()
            .filter_map(|&index| {
                let member = self.members.get(index)?;
                Some(QuestionMember {
                    index,
                    name: member.person.name.clone(),
                    ticked: self.ticked_members.contains(&index),
                })
            })
            .collect()
    }

    fn answer(&mut self, answer: Answer) -> Vec<Effect> {
        let Some(question) = self.current_question() else {
            return Vec::new();
        };
        self.ticked_members.clear();
        // 「該当する方はいない」 on a question about members names nobody.
        let answer = match (question.kind, answer) {
            (QuestionKind::Members, Answer::No) => Answer::Members(Vec::new()),
            // Asked of one member only, the question is a plain yes / no about them.
            (QuestionKind::Members, Answer::Yes) if question.members.len() == 1 => {
                Answer::Members(question.members.clone())
            }
            (_, answer) => answer,
        };
        self.answers.insert(question.id.clone(), answer);
        self.answered.push(question.id);
        self.decide_and_ask()
    }

    fn back(&mut self) -> Vec<Effect> {
        match self.screen {
            Screen::Identify => self.go(Screen::Start),
            Screen::TypeApplicant => {
                self.card_prefill = None;
                self.go(Screen::Identify)
            }
            Screen::CodeB if self.code_b_offered && self.pin.tries_left().is_some() => {
                self.code_b.clear();
                self.go(Screen::Pin)
            }
            Screen::InsertCard | Screen::Pin | Screen::CodeB | Screen::CardNumber
                if self.reading_member =>
            {
                self.forget_card_entries();
                self.reading_member = false;
                self.go(Screen::Household)
            }
            Screen::InsertCard | Screen::Pin | Screen::CodeB | Screen::CardNumber => {
                self.forget_card_entries();
                self.go(Screen::Identify)
            }
            Screen::ScanQr if self.mode == Mode::SelfService => self.reset(),
            Screen::ScanQr if self.merging_qr => {
                self.merging_qr = false;
                self.go(Screen::Household);
                vec![Effect::StopScanner]
            }
            Screen::ScanQr => {
                self.go(Screen::Identify);
                vec![Effect::StopScanner]
            }
            Screen::Event => self.go(Screen::Identify),
            Screen::Household => self.go(Screen::Event),
            // A resident's answers came with the QR code: back goes to its summary.
            Screen::Result if self.mode == Mode::SelfService => self.go(Screen::QrSummary),
            Screen::Question | Screen::PrivateQuestion | Screen::Result => {
                self.ticked_members.clear();
                match self.answered.pop() {
                    Some(last) => {
                        self.answers.remove(&last);
                        let effects = self.decide_and_ask();
                        // Back always lands on the question just undone.
                        self.screen = Screen::Question;
                        effects
                    }
                    None => self.go(Screen::Household),
                }
            }
            Screen::Review => self.go(Screen::Result),
            Screen::QrSummary => self.reset(),
            Screen::Start | Screen::ReadingCard | Screen::Printing | Screen::Done => Vec::new(),
        }
    }

    fn change_procedure(&mut self, id: String, reason: String, added: bool) -> Vec<Effect> {
        if reason.trim().is_empty() {
            self.notice = Some(Notice::new(
                "追加・削除の理由を入力してください",
                "Give a reason for the change",
            ));
            return Vec::new();
        }
        if reason.trim().chars().count() > MAX_REASON_CHARS {
            self.notice = Some(Notice::new(
                format!("理由は{MAX_REASON_CHARS}文字までで入力してください"),
                format!("Keep the reason to {MAX_REASON_CHARS} characters"),
            ));
            return Vec::new();
        }
        let today = self.today;
        let in_force = |p: &&madoguchi_rules::catalogue::Procedure| p.effective.contains(today);
        let known = self
            .catalogue
            .procedures
            .iter()
            .filter(in_force)
            .any(|p| p.id == id);
        if !known {
            self.notice = Some(Notice::new(
                format!("手続き {id} はカタログにありません"),
                format!("procedure {id} is not in the catalogue"),
            ));
            return Vec::new();
        }
        self.overrides.retain(|o| o.procedure != id);
        self.overrides.push(Override {
            procedure: id,
            added,
            reason: reason.trim().to_string(),
        });
        self.notice = None;
        if let Err(notice) = self.evaluate() {
            self.notice = Some(notice);
        }
        Vec::new()
    }

    /// The catalogue's procedures in force that the clerk can still add (not on the list
    /// already), whose name in any language or reading contains `query`; at most `limit`.
    /// An empty query finds none: the catalogue is long, the clerk searches it.
    pub fn addable_procedures(&self, query: &str, limit: usize) -> Vec<AddableProcedure> {
        let query = normalised(query).to_lowercase();
        // No procedure's name is longer; a paste of a page finds nothing, quickly.
        if query.is_empty() || query.chars().count() > MAX_QUERY_CHARS {
            return Vec::new();
        }
        let (shown, to_confirm) = self.shown_procedures();
        let on_list = |id: &str| shown.iter().any(|p| p.id == id);
        let pending = |id: &str| to_confirm.iter().any(|p| p.id == id);
        let mut found: Vec<AddableProcedure> = Vec::new();
        for procedure in &self.catalogue.procedures {
            let id = procedure.id.as_str();
            let seen = found.iter().any(|f| f.id == id);
            if seen || on_list(id) || pending(id) || !procedure.effective.contains(self.today) {
                continue;
            }
            let name = &procedure.name;
            let words = [
                name.ja.clone(),
                name.en.to_lowercase(),
                ruby::base_text(&name.easy),
                ruby::reading_text(&name.easy),
                id.to_string(),
            ];
            if words.iter().any(|w| normalised(w).contains(&query)) {
                found.push(AddableProcedure {
                    id: id.to_string(),
                    name: name.clone(),
                    counter: self.catalogue.counters[procedure.counter].name.clone(),
                });
                if found.len() == limit {
                    break;
                }
            }
        }
        found
    }

    /// The decision's procedures after the clerk's changes: removed ones go, added ones come
    /// from the procedures to confirm.
    fn shown_procedures(&self) -> (Vec<ProcedureDecision>, Vec<ProcedureDecision>) {
        let Some(decision) = &self.decision else {
            return (Vec::new(), Vec::new());
        };
        let removed = |id: &str| self.overrides.iter().any(|o| o.procedure == id && !o.added);
        let added = |id: &str| self.overrides.iter().any(|o| o.procedure == id && o.added);
        let mut procedures: Vec<ProcedureDecision> = decision
            .procedures
            .iter()
            .filter(|p| !removed(&p.id))
            .cloned()
            .collect();
        let mut to_confirm = Vec::new();
        for procedure in &decision.to_confirm {
            if added(&procedure.id) {
                procedures.push(procedure.clone());
            } else if !removed(&procedure.id) {
                to_confirm.push(procedure.clone());
            }
        }
        procedures.extend(self.hand_added.iter().cloned());
        (procedures, to_confirm)
    }

    /// The decision's procedures (decided or to confirm) the clerk took off the list.
    fn removed_procedures(&self) -> Vec<ProcedureDecision> {
        let Some(decision) = &self.decision else {
            return Vec::new();
        };
        let removed = |id: &str| self.overrides.iter().any(|o| o.procedure == id && !o.added);
        decision
            .procedures
            .iter()
            .chain(&decision.to_confirm)
            .filter(|p| removed(&p.id))
            .cloned()
            .collect()
    }

    /// Applies the review screen's corrections; a field that does not read leaves the case
    /// as it was and says which field.
    fn apply_review(&mut self, edits: &ReviewEdits) -> Vec<Effect> {
        if edits.is_empty() {
            return Vec::new();
        }
        self.notice = None;
        let Some(case) = self.case() else {
            return Vec::new();
        };
        match edits.apply(case) {
            Ok(case) => self.edit(case),
            Err(notice) => {
                self.notice = Some(notice);
                Vec::new()
            }
        }
    }

    /// Done reviewing: the corrections not yet applied are applied first, and the packet
    /// prints unless one of them does not read or a value the forms require is still
    /// missing. After a correction the forms are checked again first, and the packet prints
    /// when that check comes back complete.
    fn reviewed(&mut self, edits: &ReviewEdits) -> Vec<Effect> {
        let mut effects = self.apply_review(edits);
        if self.notice.is_some() && !edits.is_empty() {
            return effects;
        }
        if !self.preview_current {
            self.print_when_checked = true;
            return effects;
        }
        effects.extend(self.print_if_complete());
        effects
    }

    fn print_if_complete(&mut self) -> Vec<Effect> {
        if self.missing.is_empty() {
            return self.print();
        }
        self.notice = Some(Notice::new(
            format!(
                "書類に必要な内容が{}件足りません。入力するか、「ご本人が記入」を選んでください。",
                self.missing.len()
            ),
            format!(
                "{} required value(s) are missing: type them, or choose “the resident writes it”.",
                self.missing.len()
            ),
        ));
        Vec::new()
    }

    /// The preview's findings. A check that comes back while 「印刷する」 waits on it prints.
    fn forms_checked(&mut self, check: FormCheck) -> Vec<Effect> {
        self.form_warnings = check.warnings;
        self.missing = check.missing;
        self.preview_current = true;
        if std::mem::take(&mut self.print_when_checked) {
            return self.print_if_complete();
        }
        Vec::new()
    }

    /// Leaves a required value blank for the resident to write by hand: recorded on the case,
    /// and the forms are checked again.
    fn resident_writes(&mut self, path: String) -> Vec<Effect> {
        if !self.missing.iter().any(|m| m.path == path) {
            return Vec::new();
        }
        self.resident_writes.insert(path);
        self.notice = None;
        let mut effects = self.checkpoint("review");
        effects.extend(self.preview());
        effects
    }

    /// Left empty, the address a move starts from is the one on the applicant's card.
    fn with_card_address(&self, mut event: LifeEvent) -> LifeEvent {
        let asks_previous = self
            .catalogue
            .event(event.kind)
            .is_some_and(|def| def.asks(AddressRole::Previous));
        if asks_previous && event.previous_address.is_none() {
            event.previous_address = self.applicant.as_ref().and_then(|p| p.address.clone());
        }
        event
    }

    fn edit(&mut self, case: Case) -> Vec<Effect> {
        if let Err(error) = case.validate() {
            self.notice = Some(Notice::new(error.to_string(), error.to_string()));
            return Vec::new();
        }
        self.take_facts(case);
        if let Err(notice) = self.evaluate() {
            self.notice = Some(notice);
        }
        let mut effects = self.checkpoint("review");
        effects.extend(self.preview());
        effects
    }

    /// The decision as it will print: the decided procedures after the clerk's changes.
    fn printed_decision(&self) -> Option<(Case, Decision)> {
        let case = self.case()?;
        let mut decision = self.decision.clone()?;
        let (procedures, to_confirm) = self.shown_procedures();
        decision.procedures = procedures;
        decision.to_confirm = to_confirm;
        Some((case, decision))
    }

    /// Asks the runtime to lay the packet out; until it answers, 「印刷する」 waits for it.
    fn preview(&mut self) -> Vec<Effect> {
        self.preview_current = false;
        match self.printed_decision() {
            Some((case, decision)) => vec![Effect::Preview {
                case: Box::new(case),
                decision: Box::new(decision),
                catalogue: Arc::clone(&self.catalogue),
            }],
            None => Vec::new(),
        }
    }

    /// Sets a member's 続柄. A 続柄 that names the other sex than the member's known one (妻 for
    /// a man read from his card) is refused with a notice: one of the two is wrong, and the
    /// card is not.
    fn set_relation(&mut self, index: usize, relation: Zokugara) -> Vec<Effect> {
        let Some(member) = self.members.get_mut(index) else {
            return Vec::new();
        };
        if let (Some(said), Some(known)) = (relation.sex(), member.person.sex)
            && said != known
        {
            let (ja, en) = if said == Sex::Female {
                ("女性", "female")
            } else {
                ("男性", "male")
            };
            self.notice = Some(Notice::new(
                format!(
                    "「{}」は{ja}の続柄です。この方の性別に合う続柄を選んでください。",
                    relation.word()
                ),
                format!(
                    "“{}” is a {en} relation; choose one that matches this person's sex.",
                    relation.en()
                ),
            ));
            return Vec::new();
        }
        member.relation = relation;
        self.checkpoint("household")
    }

    fn print(&mut self) -> Vec<Effect> {
        let Some((case, decision)) = self.printed_decision() else {
            return Vec::new();
        };
        self.print = Some((PrintState::Queued, None));
        self.go(Screen::Printing);
        vec![Effect::Print {
            case: Box::new(case),
            decision: Box::new(decision),
            catalogue: Arc::clone(&self.catalogue),
            language: self.sheet_language(),
            printer: None,
        }]
    }

    fn print_progress(&mut self, state: PrintState, reason: Option<String>) -> Vec<Effect> {
        self.print = Some((state, reason));
        if state == PrintState::Done {
            // The packet is out: nothing personal stays on screen or in memory.
            self.clear();
            self.screen = Screen::Done;
            self.done_at = Some(self.now);
            return vec![Effect::Finish { printed: true }];
        }
        Vec::new()
    }

    fn checkpoint(&self, step: &'static str) -> Vec<Effect> {
        match self.case() {
            Some(case) => vec![Effect::Checkpoint {
                step,
                case: Box::new(case),
                procedures: self
                    .shown_procedures()
                    .0
                    .into_iter()
                    .map(|p| {
                        // Offices outside the city hall are not on the floor: not routed.
                        let counter = if p.counter.external {
                            String::new()
                        } else {
                            p.counter.id
                        };
                        (p.id, counter)
                    })
                    .collect(),
            }],
            None => Vec::new(),
        }
    }

    fn timeout_warning(&self) -> Option<u64> {
        if self.screen == Screen::Start || self.screen == Screen::Done {
            return None;
        }
        let idle = self.now.saturating_sub(self.last_activity);
        let warn_from = self.timeouts.idle.saturating_sub(self.timeouts.warning);
        (idle >= warn_from).then(|| self.timeouts.idle.saturating_sub(idle).as_secs())
    }

    fn tick(&mut self, now: Duration, today: NaiveDate) -> Vec<Effect> {
        self.now = now;
        self.clock_day = today;
        if self.screen == Screen::Start && self.event.is_none() {
            self.today = today;
        }
        if self.screen == Screen::Done {
            let shown = self
                .done_at
                .map_or(Duration::ZERO, |at| now.saturating_sub(at));
            if shown >= self.timeouts.done {
                self.clear();
            }
            return Vec::new();
        }
        // Printing waits for the printer, not for the resident.
        if matches!(
            self.screen,
            Screen::Start | Screen::Printing | Screen::ReadingCard
        ) {
            return Vec::new();
        }
        if now.saturating_sub(self.last_activity) >= self.timeouts.idle {
            return self.reset();
        }
        Vec::new()
    }

    /// 最初に戻る: at once where nothing would be lost (the start and done screens), else a
    /// question first — one mis-tap must not clear a household that took minutes to type.
    fn ask_to_cancel(&mut self) -> Vec<Effect> {
        match self.screen {
            Screen::Start | Screen::Done => self.reset(),
            Screen::Printing => {
                self.confirming = Some(Confirm::EndWithoutPrinting);
                Vec::new()
            }
            _ => {
                self.confirming = Some(Confirm::StartOver);
                Vec::new()
            }
        }
    }

    /// Abandons the case (if one was started) and clears everything personal.
    fn reset(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.screen == Screen::ScanQr {
            effects.push(Effect::StopScanner);
        }
        if self.event.is_some() {
            effects.push(Effect::Finish { printed: false });
        }
        self.clear();
        effects
    }

    fn clear(&mut self) {
        let fresh = Session::new(self.catalogue.clone(), self.mode, self.clock_day)
            .with_timeouts(self.timeouts);
        let now = self.now;
        let next_catalogue = self.next_catalogue.take();
        let unfinished = self.unfinished.take();
        let card_reminder_until = self.card_seen.then_some(now + CARD_REMINDER);
        *self = fresh;
        self.card_reminder_until = card_reminder_until;
        self.now = now;
        self.next_catalogue = next_catalogue;
        self.unfinished = unfinished;
        self.last_activity = now;
    }
}

/// A name or address compared without spaces of either width (the card prints a full-width
/// space, a resident types either).
fn normalised(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests;
