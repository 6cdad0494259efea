//! Identifying by ID card: which card lies on the reader, what it is opened with, and what its
//! read gives the case.
//!
//! The runtime names the card by the applications it answers (never its ATR) and how many tries
//! each secret has left ([`CardOnReader`]); the session asks for what that card needs — the My
//! Number card's PIN or its 照合番号B, a licence's PIN 1, the twelve characters printed on a
//! 在留カード — and sends it once ([`CardKey`]). A card that holds its holder's name only as a
//! picture (在留カード) or may hold 外字 and no sex (licence) is not taken as typed: its facts
//! come to the clerk's typing screen with the card's pictures beside them ([`CardPrefill`]),
//! and what the issuer signed cannot be typed over.

use std::sync::Arc;

use chrono::NaiveDate;
use madoguchi_card::licence::LicenceFacts;
use madoguchi_card::residence::image::{self, Bitmap};
use madoguchi_card::residence::{Document, ResidenceFacts};
use madoguchi_card::{CardError, CodeB, Pin, PinState};
use madoguchi_domain::{
    Address, IdentityDocument, Member, Nationality, Person, ResidenceCardNumber, Sex, Zokugara,
};
use zeroize::Zeroizing;

use super::{Effect, Notice, PinOutcome, PinPad, Screen};

/// What lies on the reader, and what each of its secrets has left (asking used no try).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardOnReader {
    MyNumber {
        pin: PinState,
        code_b: PinState,
    },
    /// A 在留カード or 特別永住者証明書: opened by its number, which costs no tries.
    Residence,
    Licence {
        pin: PinState,
    },
}

impl CardOnReader {
    /// A My Number card whose 照合番号B has all its tries.
    pub fn my_number(pin: PinState) -> CardOnReader {
        CardOnReader::MyNumber {
            pin,
            code_b: PinState::Ready { tries_left: 10 },
        }
    }
}

/// Which card the PIN pad is asking for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PinFor {
    /// The 券面事項入力補助用 PIN.
    #[default]
    MyNumberCard,
    /// PIN 1 (暗証番号1).
    Licence,
}

/// What a card is opened with, sent once.
#[derive(Debug)]
pub enum CardKey {
    Pin(Pin),
    CodeB(CodeB),
    LicencePin(Pin),
    ResidenceNumber(ResidenceCardNumber),
}

/// A card read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardIdentity {
    pub document: IdentityDocument,
    pub person: Person,
    /// The facts for the clerk to complete on the typing screen; `None` when the card gave
    /// everything (a My Number card).
    pub to_confirm: Option<Arc<CardPrefill>>,
}

impl CardIdentity {
    /// A My Number card's four facts, complete as read.
    pub fn my_number_card(person: Person) -> CardIdentity {
        CardIdentity {
            document: IdentityDocument::MyNumberCard,
            person,
            to_confirm: None,
        }
    }

    /// A 在留カード or 特別永住者証明書, its signature verified: the name (and a
    /// second-generation card's address) are pictures the clerk types from.
    pub fn residence(facts: &ResidenceFacts) -> CardIdentity {
        let prefill = CardPrefill::residence(facts);
        CardIdentity {
            document: prefill.document,
            person: prefill.person.clone(),
            to_confirm: Some(Arc::new(prefill)),
        }
    }

    /// A driving licence: no sex on the chip, and 外字 shown as 〓, so the clerk completes it.
    pub fn licence(facts: &LicenceFacts, today: NaiveDate) -> CardIdentity {
        let prefill = CardPrefill::licence(facts, today);
        CardIdentity {
            document: prefill.document,
            person: prefill.person.clone(),
            to_confirm: Some(Arc::new(prefill)),
        }
    }
}

/// A card's facts waiting for the clerk: the typing screen starts from `person`, shows
/// `pictures` and `notes`, and refuses what contradicts the signed facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardPrefill {
    pub document: IdentityDocument,
    /// What was read, and what the clerk is to type from it.
    pub summary: Notice,
    pub person: Person,
    /// The chip's own pictures of what it holds only as pictures.
    pub pictures: Vec<CardPicture>,
    /// What the clerk must look at: a 外字, an expired card, the unsigned back, the chip's
    /// 在留資格 code to compare with the face.
    pub notes: Vec<Notice>,
    /// The facts the card's issuer vouches for, which typing may not change.
    pub signed: SignedFacts,
}

/// What a card read fixes about the person.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignedFacts {
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub card_number: Option<ResidenceCardNumber>,
}

/// One of the chip's pictures and what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardPicture {
    pub label: Notice,
    pub bitmap: Bitmap,
}

impl CardPrefill {
    fn residence(facts: &ResidenceFacts) -> CardPrefill {
        let document = match facts.card_type.document {
            Document::ResidenceCard => IdentityDocument::ResidenceCard,
            Document::SpecialPermanentCertificate => IdentityDocument::SpecialPermanentCertificate,
        };
        let printed = facts.printed.as_ref();
        let sex = printed.and_then(|p| p.sex.to_sex());
        let birth_date = printed.and_then(|p| p.birth_date);
        let summary = Notice::new(
            format!(
                "{}を読み取りました（発行元の署名を確認済み）。氏名と住所はカードの画像を見て入力し、在留資格は券面から選んでください。",
                document.ja()
            ),
            format!(
                "{} read (the issuer's signature verified). Type the name and address from the card's pictures and choose the status of residence from the card's face.",
                facts.card_type.document.en()
            ),
        );
        let mut notes = Vec::new();
        if let Some(code) = printed.and_then(|p| p.status_code.as_deref()) {
            notes.push(Notice::new(
                format!("ICチップの在留資格コードは「{code}」です。券面の在留資格と照らして選んでください。"),
                format!("The chip's status code is “{code}”: choose the status the card's face prints."),
            ));
        }
        notes.extend(back_notes(facts));
        let mut person = Person {
            name: String::new(),
            kana: None,
            birth_date,
            sex,
            nationality: Some(Nationality::Foreign(facts.foreign_resident())),
            address: None,
        };
        // The first generation keeps the address the city last wrote on the chip as text.
        if let Some(text) = &facts.back.address {
            person.address = Some(Address {
                text: text.clone(),
                ..Address::default()
            });
        }
        CardPrefill {
            document,
            summary,
            person,
            pictures: residence_pictures(facts),
            notes,
            signed: SignedFacts {
                birth_date,
                sex,
                card_number: Some(facts.card_number.clone()),
            },
        }
    }

    fn licence(facts: &LicenceFacts, today: NaiveDate) -> CardPrefill {
        let summary = Notice::new(
            "運転免許証を読み取りました。免許証に性別の記録はありません。性別を選び、国籍を確かめてください。",
            "Driving licence read. A licence does not record sex: choose it, and confirm the nationality.",
        );
        let mut notes = Vec::new();
        let gaiji = facts.gaiji();
        if gaiji > 0 {
            notes.push(Notice::new(
                format!(
                    "免許証の外字（{gaiji}文字）は「〓」になっています。免許証の券面を見て正しい字に直してください。"
                ),
                format!(
                    "{gaiji} character(s) the licence holds as its own (外字) show as 〓: correct them from the licence's face."
                ),
            ));
        }
        if facts.expiry.is_some_and(|end| end < today) {
            notes.push(Notice::new(
                "この運転免許証は有効期間が過ぎています。本人確認書類として使えません。",
                "This licence has expired: it is not valid as proof of identity.",
            ));
        }
        CardPrefill {
            document: IdentityDocument::DrivingLicence,
            summary,
            person: facts.to_person(),
            pictures: Vec::new(),
            notes,
            signed: SignedFacts {
                birth_date: facts.birth_date,
                ..SignedFacts::default()
            },
        }
    }

    /// Whether what the clerk typed keeps to what the card's issuer vouches for; the notice
    /// names the first fact that differs.
    pub fn check(&self, typed: &Person) -> Result<(), Notice> {
        let differs = |ja: &str, en: &str| {
            Err(Notice::new(
                format!("{ja}がカードの記録と違います。カードのとおりにしてください。"),
                format!("The {en} differs from the card's record: keep it as the card says."),
            ))
        };
        let signed = &self.signed;
        if signed.birth_date.is_some() && typed.birth_date != signed.birth_date {
            return differs("生年月日", "date of birth");
        }
        if signed.sex.is_some() && typed.sex != signed.sex {
            return differs("性別", "sex");
        }
        if let Some(number) = &signed.card_number {
            let typed_number = match &typed.nationality {
                Some(Nationality::Foreign(foreign)) => foreign.card_number.as_ref(),
                _ => None,
            };
            if typed_number != Some(number) {
                return differs("在留カード等番号", "residence card number");
            }
        }
        Ok(())
    }
}

/// The pictures of a 在留カード's chip, decoded. One that cannot be decoded is left out and
/// said so: the card's face is still there to read.
fn residence_pictures(facts: &ResidenceFacts) -> Vec<CardPicture> {
    let images = &facts.images;
    let labelled = [
        (
            &images.name,
            Notice::new("氏名（カードの画像）", "Name (the card's picture)"),
        ),
        (
            &images.address,
            Notice::new("住居地（発行時の画像）", "Address (the picture at issue)"),
        ),
        (
            &images.front,
            Notice::new("券面（カードの画像）", "The card's face (picture)"),
        ),
    ];
    labelled
        .into_iter()
        .filter_map(|(file, label)| {
            let bitmap = image::decode(file.as_deref()?).ok()?;
            Some(CardPicture { label, bitmap })
        })
        .collect()
}

/// What the unsigned back says, for the clerk to compare with the card.
fn back_notes(facts: &ResidenceFacts) -> Vec<Notice> {
    let back = &facts.back;
    let mut notes = Vec::new();
    if back.application_pending {
        notes.push(Notice::new(
            "在留期間の更新または在留資格の変更を申請中です（カード裏面を確認してください）。",
            "An application to extend or change the status is pending (check the card's back).",
        ));
    }
    let activity = back.outside_activity.ja();
    if activity != "なし" {
        notes.push(Notice::new(
            format!("資格外活動許可：{activity}（カード裏面を確認してください）"),
            format!("Permission for other activities: {activity} (check the card's back)"),
        ));
    }
    notes
}

/// The 照合番号B as it is pressed: fourteen digits in the order the card prints them.
#[derive(Default)]
pub struct CodeBEntry {
    digits: Zeroizing<String>,
    tries_left: Option<u8>,
}

/// The digits never print: a debug line says how many there are.
impl std::fmt::Debug for CodeBEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeBEntry")
            .field("entered", &self.digits.len())
            .field("tries_left", &self.tries_left)
            .finish()
    }
}

/// The digits of a 照合番号B shown on screen as pressed: they are printed on the card, so the
/// screen shows them, but a debug line never does.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PressedDigits(pub String);

impl std::fmt::Debug for PressedDigits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PressedDigits({} digits)", self.0.len())
    }
}

/// The three parts and their lengths, as the card prints them.
pub const CODE_B_PARTS: [usize; 3] = [6, 4, 4];
pub const CODE_B_LENGTH: usize = 14;

impl CodeBEntry {
    pub fn new(tries_left: Option<u8>) -> CodeBEntry {
        CodeBEntry {
            digits: Zeroizing::new(String::new()),
            tries_left,
        }
    }

    pub fn press(&mut self, digit: u8) {
        if digit <= 9 && self.digits.len() < CODE_B_LENGTH {
            self.digits.push(char::from(b'0' + digit));
        }
    }

    pub fn erase(&mut self) {
        self.digits.pop();
    }

    pub fn clear(&mut self) {
        self.digits.clear();
    }

    /// The digits pressed so far: the screen shows them (they are printed on the card) for the
    /// clerk and resident to compare.
    pub fn shown(&self) -> &str {
        &self.digits
    }

    pub fn tries_left(&self) -> Option<u8> {
        self.tries_left
    }

    pub fn wrong(&mut self, tries_left: u8) {
        self.tries_left = Some(tries_left);
        self.clear();
    }

    /// The code, checked part by part before anything is sent.
    pub fn submit(&mut self) -> Result<CodeB, CardError> {
        let digits = &self.digits;
        let birth = digits.get(..6).unwrap_or(digits);
        let expiry = digits.get(6..10).unwrap_or("");
        let security = digits.get(10..).unwrap_or("");
        let code = CodeB::from_printed(birth, expiry, security)?;
        self.clear();
        Ok(code)
    }
}

/// The number typed for a 在留カード: bounded before it is parsed (a scanner or a stuck key can
/// type anything).
pub fn residence_number(typed: &str) -> Result<ResidenceCardNumber, Notice> {
    const LONGEST: usize = 40;
    let wrong = || Notice::card(&CardError::ResidenceNumberFormat);
    if typed.chars().count() > LONGEST {
        return Err(wrong());
    }
    ResidenceCardNumber::parse(typed.trim()).map_err(|_| wrong())
}

/// PIN state as the pad shows it: tries left, `None` when already verified.
pub fn tries(state: PinState) -> Option<u8> {
    match state {
        PinState::Ready { tries_left } => Some(tries_left),
        PinState::Verified | PinState::Blocked => None,
    }
}

/// The session's card steps: what the card on the reader asks for, and what its read leads to.
impl super::Session {
    /// The runtime's answer to `Effect::QueryCard`.
    pub(super) fn card_state(&mut self, state: Result<CardOnReader, CardError>) -> Vec<Effect> {
        let on_reader = match state {
            Ok(card) => card,
            Err(error) => {
                self.screen = Screen::InsertCard;
                self.notice = Some(Notice::card(&error));
                return Vec::new();
            }
        };
        self.card_seen = true;
        self.forget_card_entries();
        self.code_b_offered = false;
        match on_reader {
            CardOnReader::MyNumber { pin, code_b } => {
                self.pin_for = PinFor::MyNumberCard;
                self.code_b_offered = code_b != PinState::Blocked;
                self.code_b = CodeBEntry::new(tries(code_b));
                self.ask_pin(pin)
            }
            CardOnReader::Licence { pin } => {
                self.pin_for = PinFor::Licence;
                self.ask_pin(pin)
            }
            CardOnReader::Residence => self.go(Screen::CardNumber),
        }
    }

    /// The PIN pad for the card on the reader; a blocked My Number PIN goes to the 照合番号B.
    fn ask_pin(&mut self, state: PinState) -> Vec<Effect> {
        if state == PinState::Blocked {
            return self.pin_blocked();
        }
        // With one try left the pad's warning and its last-try question offer the 照合番号B.
        self.pin = PinPad::new(tries(state));
        self.go(Screen::Pin)
    }

    fn pin_blocked(&mut self) -> Vec<Effect> {
        match self.pin_for {
            PinFor::MyNumberCard if self.code_b_offered => self.use_code_b(Some(Notice::new(
                "暗証番号はロックされています。照合番号Bで読み取れます。",
                "The PIN is locked: the card can be read with its 照合番号B.",
            ))),
            PinFor::MyNumberCard => self.identify_again(Notice::new(
                "暗証番号がロックされています。市民課の窓口でロックを解除できます。QRコードか手入力で続けてください。",
                "The PIN is locked; the resident registration counter can unlock it. Continue with a QR code or by typing.",
            )),
            PinFor::Licence => self.identify_again(Notice::card(&CardError::LicencePinBlocked)),
        }
    }

    /// The 照合番号B screen, with `notice` (why it is shown) if any.
    pub(super) fn use_code_b(&mut self, notice: Option<Notice>) -> Vec<Effect> {
        self.forget_card_entries();
        self.go(Screen::CodeB);
        self.notice = notice;
        Vec::new()
    }

    /// The PIN and the 照合番号B pressed so far are forgotten.
    pub(super) fn forget_card_entries(&mut self) {
        self.pin.clear();
        self.code_b.clear();
    }

    pub(super) fn submit_pin(&mut self) -> Vec<Effect> {
        match self.pin.submit() {
            PinOutcome::Incomplete => {
                self.notice = Some(Notice::new(
                    "暗証番号（数字4桁）を入力してください",
                    "Enter the four-digit PIN",
                ));
                Vec::new()
            }
            PinOutcome::ConfirmLastTry => {
                self.notice = Some(Notice::new(
                    "残り1回です。間違えるとロックされます。よろしければ「この番号で読み取る」を押してください。",
                    "One try left: a wrong PIN locks the card. Press “read with this PIN” to go on.",
                ));
                Vec::new()
            }
            PinOutcome::Send(pin) => {
                self.go(Screen::ReadingCard);
                vec![Effect::ReadCard(match self.pin_for {
                    PinFor::MyNumberCard => CardKey::Pin(pin),
                    PinFor::Licence => CardKey::LicencePin(pin),
                })]
            }
        }
    }

    pub(super) fn submit_code_b(&mut self) -> Vec<Effect> {
        match self.code_b.submit() {
            Ok(code) => {
                self.go(Screen::ReadingCard);
                vec![Effect::ReadCard(CardKey::CodeB(code))]
            }
            Err(error) => {
                self.notice = Some(Notice::card(&error));
                Vec::new()
            }
        }
    }

    pub(super) fn submit_card_number(&mut self, typed: &str) -> Vec<Effect> {
        match residence_number(typed) {
            Ok(number) => {
                self.go(Screen::ReadingCard);
                vec![Effect::ReadCard(CardKey::ResidenceNumber(number))]
            }
            Err(notice) => {
                self.notice = Some(notice);
                Vec::new()
            }
        }
    }

    /// The runtime's answer to `Effect::ReadCard`. A wrong secret returns to its screen with
    /// the card's new count; a refused card (locked, forged) to another way of identifying;
    /// anything else (card pulled, reader gone) to the reader, nothing used up.
    pub(super) fn card_read(&mut self, result: Result<CardIdentity, CardError>) -> Vec<Effect> {
        let error = match result {
            Ok(identity) => return self.card_identified(identity),
            Err(error) => error,
        };
        let notice = Notice::card(&error);
        match error {
            CardError::WrongPin { tries_left } | CardError::WrongLicencePin { tries_left } => {
                self.pin.wrong(tries_left);
                self.screen = Screen::Pin;
            }
            CardError::WrongCodeB { tries_left } => {
                self.code_b.wrong(tries_left);
                self.screen = Screen::CodeB;
            }
            CardError::WrongResidenceNumber | CardError::ResidenceNumberFormat => {
                self.screen = Screen::CardNumber;
            }
            CardError::PinBlocked | CardError::LicencePinBlocked => return self.pin_blocked(),
            CardError::CodeBBlocked | CardError::BadSignature { .. } => {
                return self.identify_again(notice);
            }
            _ => self.screen = Screen::InsertCard,
        }
        self.notice = Some(notice);
        Vec::new()
    }

    fn card_identified(&mut self, identity: CardIdentity) -> Vec<Effect> {
        self.forget_card_entries();
        if let Some(prefill) = identity.to_confirm {
            // The clerk completes it on the typing screen (a member's on the household's).
            self.card_prefill = Some(prefill);
            if self.reading_member {
                self.reading_member = false;
                return self.go(Screen::Household);
            }
            return self.go(Screen::TypeApplicant);
        }
        if self.reading_member {
            self.reading_member = false;
            self.members.push(Member {
                person: identity.person,
                relation: Zokugara::COHABITANT,
            });
            self.go(Screen::Household);
            return self.checkpoint("household");
        }
        self.set_applicant(identity.person);
        self.identified_by = Some(identity.document);
        self.go(Screen::Event)
    }

    /// The applicant as typed: a card's prefill is checked against what its issuer signed, and
    /// names the document they were identified by; a person typed without a card names none.
    pub(super) fn applicant_typed(&mut self, person: Person) -> Vec<Effect> {
        if let Some(Err(notice)) = self.card_prefill.as_ref().map(|p| p.check(&person)) {
            self.notice = Some(notice);
            return Vec::new();
        }
        self.identified_by = self.card_prefill.take().map(|prefill| prefill.document);
        self.set_applicant(person);
        self.go(Screen::Event)
    }

    /// A member as typed on the household screen, checked against their card's prefill.
    pub(super) fn member_typed(&mut self, member: Member) -> Vec<Effect> {
        if let Some(Err(notice)) = self.card_prefill.as_ref().map(|p| p.check(&member.person)) {
            self.notice = Some(notice);
            return Vec::new();
        }
        self.card_prefill = None;
        self.members.push(member);
        self.checkpoint("household")
    }
}
