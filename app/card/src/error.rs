//! What can go wrong between the counter and the card, in words a clerk can act on.

use std::fmt;

/// Every way reading a card can fail. Each has a message in Japanese and English that says what
/// happened and what to do; none carries personal data, so any of them may be logged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// No card reader is connected (or pcscd sees none).
    #[error("{}", self.message_en())]
    NoReader,
    /// A reader was named that does not exist.
    #[error("{}", self.message_en())]
    UnknownReader { reader: String },
    /// The reader is there but holds no card.
    #[error("{}", self.message_en())]
    NoCard { reader: String },
    /// The card does not answer the My Number card's application (another IC card, or a card
    /// upside down).
    #[error("{}", self.message_en())]
    NotMyNumberCard,
    /// The card answers none of the applications the counter reads (another IC card, or one
    /// upside down).
    #[error("{}", self.message_en())]
    UnknownCard,
    /// The card does not answer the 在留カード's files (another card, or one upside down).
    #[error("{}", self.message_en())]
    NotResidenceCard,
    /// The card is present but does not respond (inserted badly, or damaged).
    #[error("{}", self.message_en())]
    CardUnresponsive,
    /// The PIN typed was not 4 digits; nothing was sent to the card and no try was used.
    #[error("{}", self.message_en())]
    PinFormat,
    /// The card refused the PIN; `tries_left` more attempts remain before it locks.
    #[error("{}", self.message_en())]
    WrongPin { tries_left: u8 },
    /// The PIN is locked after three wrong attempts; only the municipal office can reset it.
    #[error("{}", self.message_en())]
    PinBlocked,
    /// A part of the 照合番号B typed is not what the card prints; nothing was sent.
    #[error("{}", self.message_en())]
    CodeBFormat { part: CodeBPart },
    /// The card refused the 照合番号B; `tries_left` more attempts remain before it locks.
    #[error("{}", self.message_en())]
    WrongCodeB { tries_left: u8 },
    /// The 照合番号B is locked; the PIN (or the municipal office) is the way left.
    #[error("{}", self.message_en())]
    CodeBBlocked,
    /// The licence refused PIN 1; `tries_left` more attempts remain before it locks.
    #[error("{}", self.message_en())]
    WrongLicencePin { tries_left: u8 },
    /// The licence's PIN 1 is locked; the 運転免許センター or a police station resets it.
    #[error("{}", self.message_en())]
    LicencePinBlocked,
    /// The 在留カード等番号 typed is not twelve characters of the card's form; nothing was sent.
    #[error("{}", self.message_en())]
    ResidenceNumberFormat,
    /// The 在留カード or 特別永住者証明書 refused the number: it is not this card's. The card
    /// counts no tries for it.
    #[error("{}", self.message_en())]
    WrongResidenceNumber,
    /// The card's data is not signed by a certificate the city trusts, or not as it says.
    #[error("{}", self.message_en())]
    BadSignature { fault: SignatureFault },
    /// The card left the reader during the read.
    #[error("{}", self.message_en())]
    CardRemoved,
    /// The reader disappeared (unplugged, or its driver stopped).
    #[error("{}", self.message_en())]
    ReaderUnplugged,
    /// Another program holds the card exclusively.
    #[error("{}", self.message_en())]
    ReaderBusy,
    /// The smart card service (pcscd) is not running or stopped.
    #[error("{}", self.message_en())]
    ServiceUnavailable,
    /// The card answered a command with a status word we do not expect.
    #[error("{}", self.message_en())]
    UnexpectedAnswer { step: Step, status: StatusWord },
    /// The card's data is not in the documented layout.
    #[error("{}", self.message_en())]
    BadCardData { detail: String },
    /// Waiting was cancelled from another thread.
    #[error("{}", self.message_en())]
    Cancelled,
    /// Any other failure of the PC/SC layer, with its code for the technician.
    #[error("{}", self.message_en())]
    Pcsc { code: u32 },
}

/// The step of the exchange a command belongs to, for messages and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    SelectApplication,
    SelectFile,
    TriesLeft,
    VerifyPin,
    VerifyCodeB,
    ReadFile,
    GetResponse,
    GetChallenge,
    MutualAuthenticate,
    VerifyCardNumber,
    ReadSecure,
    VerifyLicencePin,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::SelectApplication => "SELECT application",
            Step::SelectFile => "SELECT file",
            Step::TriesLeft => "PIN tries query",
            Step::VerifyPin => "VERIFY PIN",
            Step::VerifyCodeB => "VERIFY 照合番号B",
            Step::ReadFile => "READ BINARY",
            Step::GetResponse => "GET RESPONSE",
            Step::GetChallenge => "GET CHALLENGE",
            Step::MutualAuthenticate => "MUTUAL AUTHENTICATE",
            Step::VerifyCardNumber => "VERIFY 在留カード等番号",
            Step::ReadSecure => "READ BINARY (secure messaging)",
            Step::VerifyLicencePin => "VERIFY 暗証番号1",
        })
    }
}

/// The three parts of a 照合番号B, to say which one is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeBPart {
    /// The birth date as the card prints it: era year, month and day, six digits.
    BirthDate,
    /// The year the card expires, four digits.
    ExpiryYear,
    /// The セキュリティコード, four digits.
    SecurityCode,
}

impl CodeBPart {
    fn ja(self) -> &'static str {
        match self {
            CodeBPart::BirthDate => "生年月日（カードの和暦で年・月・日を2桁ずつ、6桁）",
            CodeBPart::ExpiryYear => "有効期限の年（西暦4桁）",
            CodeBPart::SecurityCode => "セキュリティコード（数字4桁）",
        }
    }

    fn en(self) -> &'static str {
        match self {
            CodeBPart::BirthDate => {
                "birth date (era year, month and day as on the card, six digits)"
            }
            CodeBPart::ExpiryYear => "expiry year (four digits)",
            CodeBPart::SecurityCode => "security code (four digits)",
        }
    }
}

/// Why a 在留カード's signature was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureFault {
    /// No 出入国在留管理庁 certificate is installed on this terminal.
    NoAnchors,
    /// The card's certificate cannot be read.
    Certificate,
    /// The card's certificate is not issued by an installed certificate.
    UntrustedIssuer,
    /// The card's or the issuer's certificate is not valid today.
    Expired,
    /// The signature does not match the card's data: altered or forged.
    Mismatch,
}

impl SignatureFault {
    fn ja(self) -> &'static str {
        match self {
            SignatureFault::NoAnchors => "この端末に出入国在留管理庁の証明書が入っていません",
            SignatureFault::Certificate => "カードの証明書を読めません",
            SignatureFault::UntrustedIssuer => "カードの証明書の発行元を確認できません",
            SignatureFault::Expired => "証明書の有効期間外です",
            SignatureFault::Mismatch => "カードの情報と署名が一致しません",
        }
    }

    fn en(self) -> &'static str {
        match self {
            SignatureFault::NoAnchors => {
                "no certificate of the Immigration Services Agency is installed on this terminal"
            }
            SignatureFault::Certificate => "the card's certificate cannot be read",
            SignatureFault::UntrustedIssuer => {
                "the card's certificate is not issued by an installed certificate"
            }
            SignatureFault::Expired => "a certificate is outside its validity",
            SignatureFault::Mismatch => "the card's data does not match its signature",
        }
    }
}

/// An ISO 7816 status word (SW1 SW2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusWord(pub u16);

impl StatusWord {
    pub const OK: StatusWord = StatusWord(0x9000);

    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    pub fn sw2(self) -> u8 {
        (self.0 & 0xFF) as u8
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X} {:02X}", self.sw1(), self.sw2())
    }
}

impl CardError {
    /// A short stable id for scripts, logs and the UI's choice of screen.
    pub fn code(&self) -> &'static str {
        match self {
            CardError::NoReader => "no_reader",
            CardError::UnknownReader { .. } => "unknown_reader",
            CardError::NoCard { .. } => "no_card",
            CardError::NotMyNumberCard => "not_my_number_card",
            CardError::UnknownCard => "unknown_card",
            CardError::NotResidenceCard => "not_residence_card",
            CardError::CardUnresponsive => "card_unresponsive",
            CardError::PinFormat => "pin_format",
            CardError::WrongPin { .. } => "wrong_pin",
            CardError::PinBlocked => "pin_blocked",
            CardError::CodeBFormat { .. } => "code_b_format",
            CardError::WrongCodeB { .. } => "wrong_code_b",
            CardError::CodeBBlocked => "code_b_blocked",
            CardError::WrongLicencePin { .. } => "wrong_licence_pin",
            CardError::LicencePinBlocked => "licence_pin_blocked",
            CardError::ResidenceNumberFormat => "residence_number_format",
            CardError::WrongResidenceNumber => "wrong_residence_number",
            CardError::BadSignature { .. } => "bad_signature",
            CardError::CardRemoved => "card_removed",
            CardError::ReaderUnplugged => "reader_unplugged",
            CardError::ReaderBusy => "reader_busy",
            CardError::ServiceUnavailable => "service_unavailable",
            CardError::UnexpectedAnswer { .. } => "unexpected_answer",
            CardError::BadCardData { .. } => "bad_card_data",
            CardError::Cancelled => "cancelled",
            CardError::Pcsc { .. } => "pcsc_error",
        }
    }

    /// What happened and what to do, for the clerk and the resident, in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            CardError::NoReader => {
                "カードリーダーが見つかりません。リーダーのケーブルを確認してください。".into()
            }
            CardError::UnknownReader { reader } => {
                format!("カードリーダー「{reader}」が見つかりません。接続中のリーダーを確認してください。")
            }
            CardError::NoCard { .. } => {
                "カードが置かれていません。カードを読み取り機に置いてください。".into()
            }
            CardError::NotMyNumberCard => "マイナンバーカードではないか、向きが違います。マイナンバーカードを置き直してください。".into(),
            CardError::UnknownCard => "このカードは読み取れません。マイナンバーカード・在留カード・特別永住者証明書を、向きを確かめて置き直してください。".into(),
            CardError::NotResidenceCard => "在留カード・特別永住者証明書ではないか、向きが違います。カードを置き直してください。".into(),
            CardError::CardUnresponsive => {
                "カードが応答しません。カードを置き直してください。".into()
            }
            CardError::PinFormat => {
                "暗証番号は数字4桁です。入力し直してください（カードには送っていません）。".into()
            }
            CardError::WrongPin { tries_left } => format!(
                "暗証番号が違います。あと{tries_left}回間違えるとロックされます。"
            ),
            CardError::PinBlocked => "暗証番号がロックされています。市民課の窓口で暗証番号の再設定をしてください。".into(),
            CardError::CodeBFormat { part } => format!(
                "照合番号Bの{}を、カードの表面の通りに入力し直してください（カードには送っていません）。",
                part.ja()
            ),
            CardError::WrongCodeB { tries_left } => format!(
                "照合番号B（生年月日・有効期限の年・セキュリティコード）が違います。あと{tries_left}回間違えるとロックされます。カードの表面を確かめてください。"
            ),
            CardError::CodeBBlocked => "照合番号Bがロックされています。暗証番号で読み取るか、手入力で受け付けてください。".into(),
            CardError::WrongLicencePin { tries_left } => format!(
                "運転免許証の暗証番号1が違います。あと{tries_left}回間違えるとロックされます。"
            ),
            CardError::LicencePinBlocked => "運転免許証の暗証番号がロックされています。運転免許センターか警察署で再設定してください。ほかの本人確認書類で受け付けます。".into(),
            CardError::ResidenceNumberFormat => "在留カード等番号は、カードの右上の英字2文字・数字8桁・英字2文字の12文字です。入力し直してください（カードには送っていません）。".into(),
            CardError::WrongResidenceNumber => "在留カード等番号がこのカードと一致しません。カードの右上の番号を確かめて、入力し直してください。".into(),
            CardError::BadSignature { fault } => match fault {
                SignatureFault::NoAnchors => "出入国在留管理庁の証明書がこの端末に入っていないため、在留カードの真正性を確認できません。システム担当者に連絡してください（docs/card.md）。".into(),
                other => format!(
                    "このカードの情報は真正性を確認できないため、使えません（{}）。カードの原本を目視で確認し、手入力で受け付けてください。",
                    other.ja()
                ),
            },
            CardError::CardRemoved => {
                "読み取り中にカードが離れました。カードを置き直して、もう一度読み取ってください。"
                    .into()
            }
            CardError::ReaderUnplugged => {
                "カードリーダーが外れました。接続を確認して、もう一度読み取ってください。".into()
            }
            CardError::ReaderBusy => "カードリーダーを別のプログラムが使っています。少し待ってから、もう一度読み取ってください。".into(),
            CardError::ServiceUnavailable => "カード読み取りサービス（pcscd）が動いていません。システム担当者に連絡してください。".into(),
            CardError::UnexpectedAnswer { step, status } => format!(
                "カードが想定外の応答をしました（{step}: {status}）。カードを置き直してください。続く場合はシステム担当者に連絡してください。"
            ),
            CardError::BadCardData { .. } => "カードの情報を読み取れませんでした。手入力で受け付けてください。".into(),
            CardError::Cancelled => "読み取りを中止しました。".into(),
            CardError::Pcsc { code } => format!(
                "カードリーダーでエラーが起きました（コード 0x{code:08X}）。もう一度読み取ってください。続く場合はシステム担当者に連絡してください。"
            ),
        }
    }

    /// What happened and what to do, in English.
    pub fn message_en(&self) -> String {
        match self {
            CardError::NoReader => "No card reader found. Check the reader's cable.".into(),
            CardError::UnknownReader { reader } => {
                format!("No card reader named \"{reader}\". Check which readers are connected.")
            }
            CardError::NoCard { .. } => {
                "No card in the reader. Place the card on the reader.".into()
            }
            CardError::NotMyNumberCard => {
                "This is not a My Number card, or it is placed the wrong way. Place the My Number card again."
                    .into()
            }
            CardError::UnknownCard => {
                "This card cannot be read here. Place a My Number card, residence card or special permanent resident certificate, the right way up.".into()
            }
            CardError::NotResidenceCard => {
                "This is not a residence card or special permanent resident certificate, or it is placed the wrong way. Place it again.".into()
            }
            CardError::CardUnresponsive => {
                "The card does not respond. Place the card on the reader again.".into()
            }
            CardError::PinFormat => {
                "The PIN is 4 digits. Type it again (nothing was sent to the card).".into()
            }
            CardError::WrongPin { tries_left } => format!(
                "Wrong PIN. {tries_left} more wrong {} will lock it.",
                if *tries_left == 1 { "try" } else { "tries" }
            ),
            CardError::PinBlocked => {
                "The PIN is locked. The resident must have it reset at the 市民課 (Citizens Division) counter."
                    .into()
            }
            CardError::CodeBFormat { part } => format!(
                "Type the 照合番号B's {} again as the card's face shows it (nothing was sent to the card).",
                part.en()
            ),
            CardError::WrongCodeB { tries_left } => format!(
                "The 照合番号B (birth date, expiry year, security code) is wrong. {tries_left} more wrong {} will lock it: check the card's face.",
                if *tries_left == 1 { "try" } else { "tries" }
            ),
            CardError::CodeBBlocked => {
                "The 照合番号B is locked. Read the card with the PIN, or take the details by hand."
                    .into()
            }
            CardError::WrongLicencePin { tries_left } => format!(
                "Wrong licence PIN 1. {tries_left} more wrong {} will lock it.",
                if *tries_left == 1 { "try" } else { "tries" }
            ),
            CardError::LicencePinBlocked => {
                "The licence's PIN is locked; a driving licence centre or police station resets it. Identify the resident with another document.".into()
            }
            CardError::ResidenceNumberFormat => {
                "The residence card number is the 12 characters at the card's top right: 2 letters, 8 digits, 2 letters. Type it again (nothing was sent to the card).".into()
            }
            CardError::WrongResidenceNumber => {
                "The residence card number does not match this card. Check the number at the card's top right and type it again.".into()
            }
            CardError::BadSignature { fault } => match fault {
                SignatureFault::NoAnchors => "The Immigration Services Agency's certificates are not installed on this terminal, so the card cannot be checked. Call the system administrator (docs/card.md).".into(),
                other => format!(
                    "This card's data cannot be trusted ({}). Check the card itself and take the details by hand.",
                    other.en()
                ),
            },
            CardError::CardRemoved => {
                "The card left the reader during the read. Place it again and read again.".into()
            }
            CardError::ReaderUnplugged => {
                "The card reader was disconnected. Check its cable and read again.".into()
            }
            CardError::ReaderBusy => {
                "Another program is using the card reader. Wait a moment and read again.".into()
            }
            CardError::ServiceUnavailable => {
                "The smart card service (pcscd) is not running. Call the system administrator."
                    .into()
            }
            CardError::UnexpectedAnswer { step, status } => format!(
                "The card gave an unexpected answer ({step}: {status}). Place it again; if this repeats, call the system administrator."
            ),
            CardError::BadCardData { detail } => format!(
                "The card's data could not be read ({detail}). Take the details by hand."
            ),
            CardError::Cancelled => "Reading was cancelled.".into(),
            CardError::Pcsc { code } => format!(
                "The card reader reported an error (code 0x{code:08X}). Read again; if this repeats, call the system administrator."
            ),
        }
    }

    /// Both messages, Japanese first, as the command line prints them.
    pub fn message_bilingual(&self) -> String {
        format!("{}\n{}", self.message_ja(), self.message_en())
    }

    /// True when trying again (after the clerk or resident acts) may succeed without changing
    /// anything on the kiosk.
    pub fn is_retryable(&self) -> bool {
        !matches!(
            self,
            CardError::PinBlocked
                | CardError::CodeBBlocked
                | CardError::NotMyNumberCard
                | CardError::NotResidenceCard
                | CardError::UnknownCard
                | CardError::LicencePinBlocked
                | CardError::BadSignature { .. }
        )
    }
}

/// How the PC/SC layer's failures read to the counter.
impl From<pcsc::Error> for CardError {
    fn from(error: pcsc::Error) -> CardError {
        use pcsc::Error as E;
        match error {
            E::NoService | E::ServiceStopped | E::InvalidHandle | E::CommError | E::Shutdown => {
                CardError::ServiceUnavailable
            }
            E::NoReadersAvailable => CardError::NoReader,
            E::UnknownReader | E::ReaderUnavailable => CardError::ReaderUnplugged,
            E::NoSmartcard => CardError::NoCard {
                reader: String::new(),
            },
            E::RemovedCard | E::ResetCard | E::NotTransacted | E::CommDataLost => {
                CardError::CardRemoved
            }
            E::UnresponsiveCard | E::UnpoweredCard | E::UnsupportedCard | E::ProtoMismatch => {
                CardError::CardUnresponsive
            }
            E::SharingViolation => CardError::ReaderBusy,
            E::Cancelled => CardError::Cancelled,
            other => CardError::Pcsc { code: other as u32 },
        }
    }
}
