//! `madoguchi card status|read`: the card reader from the command line, for the My Number card,
//! the 在留カード and the 特別永住者証明書 (which card is found by its applications). The card emulator
//! for demos and tests is `madoguchi-dev card-emulate`, never in the product.
//!
//! `read` follows the counter's rule for the PIN: the tries left are shown before the resident
//! types, no card transaction is open while they type, the PIN is checked for four digits
//! before it is sent, and it is sent once. The last try is never used without a warning.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

use madoguchi_card::residence::signature::TrustStore;
use madoguchi_card::residence::{ResidenceCardNumber, ResidenceFacts};
use madoguchi_card::{CardError, CardKind, CardService, CodeB, Pin, PinState, ReaderStatus};
use serde::Serialize;

/// Prints a card error in one line — its code for scripts, then the message in Japanese and
/// in English — and fails.
fn card_failure(error: &CardError) -> ExitCode {
    super::coded_failure(error.code(), error.message_ja(), error.message_en())
}

#[derive(Serialize)]
pub(crate) struct ReaderReport {
    #[serde(flatten)]
    pub(crate) reader: ReaderStatus,
    /// Which card is present, found by the applications it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<CardKind>,
    /// The PIN's state when a My Number card is present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pin: Option<PinState>,
    /// Why the card could not be asked, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    card_error: Option<&'static str>,
}

/// Every reader, whether a card is in it, and the PIN's tries left (uses no try).
pub(crate) fn reader_reports(service: &CardService) -> Result<Vec<ReaderReport>, CardError> {
    Ok(service
        .reader_statuses()?
        .into_iter()
        .map(|reader| {
            let (card, pin, card_error) = if reader.card_present {
                match service.card_kind(&reader.name) {
                    Ok(CardKind::MyNumberCard) => match service.pin_state(&reader.name) {
                        Ok(state) => (Some(CardKind::MyNumberCard), Some(state), None),
                        Err(error) => (Some(CardKind::MyNumberCard), None, Some(error.code())),
                    },
                    Ok(CardKind::DrivingLicence) => match service.licence_pin_state(&reader.name) {
                        Ok(state) => (Some(CardKind::DrivingLicence), Some(state), None),
                        Err(error) => (Some(CardKind::DrivingLicence), None, Some(error.code())),
                    },
                    Ok(kind) => (Some(kind), None, None),
                    Err(error) => (None, None, Some(error.code())),
                }
            } else {
                (None, None, None)
            };
            ReaderReport {
                reader,
                card,
                pin,
                card_error,
            }
        })
        .collect())
}

/// One line per reader for the demo's summary, or why there are none.
pub fn reader_lines() -> Vec<String> {
    match reader_reports(&CardService::new()) {
        Ok(reports) if reports.is_empty() => {
            vec!["カードリーダー: なし / card reader: none".to_string()]
        }
        Ok(reports) => reports
            .iter()
            .map(|report| format!("カードリーダー / card reader: {}", describe(report)))
            .collect(),
        Err(error) => vec![format!(
            "カードリーダー / card reader: {}",
            error.message_en()
        )],
    }
}

pub fn status(json: bool) -> Result<ExitCode> {
    let reports = match reader_reports(&CardService::new()) {
        Ok(reports) => reports,
        Err(error) => return Ok(card_failure(&error)),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
        return Ok(ExitCode::SUCCESS);
    }
    if reports.is_empty() {
        println!("カードリーダーがありません / no card reader");
    }
    for report in &reports {
        println!("{}", describe(report));
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(report: &ReaderReport) -> String {
    let kind = if report.reader.is_virtual {
        " (virtual reader)"
    } else {
        ""
    };
    let card = match (report.reader.card_present, report.card, &report.pin) {
        (false, _, _) => "カードなし / no card".to_string(),
        (true, Some(CardKind::ResidenceCard), _) => format!(
            "{} / {}（在留カード等番号で読み取り / read with the card number）",
            CardKind::ResidenceCard.ja(),
            CardKind::ResidenceCard.en()
        ),
        (true, Some(card), Some(pin)) => {
            let (pin_ja, pin_en) = match card {
                CardKind::DrivingLicence => ("暗証番号1", "PIN 1"),
                _ => ("暗証番号", "PIN"),
            };
            let (name_ja, name_en) = (card.ja(), card.en());
            match pin {
                PinState::Ready { tries_left } => format!(
                    "{name_ja}、{pin_ja} 残り{tries_left}回 / {name_en}, {pin_en}: {tries_left} tries left"
                ),
                PinState::Verified => {
                    format!("{name_ja}、{pin_ja} 確認済み / {name_en}, {pin_en} verified")
                }
                PinState::Blocked => {
                    format!("{name_ja}、{pin_ja}ロック中 / {name_en}, {pin_en} LOCKED")
                }
            }
        }
        (true, _, _) => match report.card_error {
            Some(code) => format!("カードあり（{code}） / card present ({code})"),
            None => "カードあり / card present".to_string(),
        },
    };
    format!("{}{kind}: {card}", report.reader.name)
}

/// What `card read` prints: the four facts, and the 個人番号 only when asked for.
#[derive(Serialize)]
struct ReadReport<'a> {
    reader: &'a str,
    #[serde(flatten)]
    facts: &'a madoguchi_card::BasicFacts,
    #[serde(skip_serializing_if = "Option::is_none")]
    my_number: Option<&'a str>,
}

/// The reader named, else the first one holding a card.
fn reader_to_use(service: &CardService, reader: Option<&str>) -> Result<String, CardError> {
    match reader {
        Some(name) => Ok(name.to_owned()),
        None => service.reader_with_card(),
    }
}

/// What `card read` was asked for.
#[derive(Debug)]
pub struct ReadOptions<'a> {
    pub reader: Option<&'a str>,
    pub with_my_number: bool,
    pub allow_last_try: bool,
    pub trust: &'a [PathBuf],
    pub images: Option<&'a Path>,
}

pub fn read(options: &ReadOptions<'_>) -> Result<ExitCode> {
    let service = CardService::new();
    let reader = match reader_to_use(&service, options.reader) {
        Ok(name) => name,
        Err(error) => return Ok(card_failure(&error)),
    };
    match service.card_kind(&reader) {
        Ok(CardKind::MyNumberCard) => {}
        Ok(kind) if options.with_my_number => {
            eprintln!(
                "{}に個人番号はありません / a {} holds no My Number",
                kind.ja(),
                kind.en()
            );
            return Ok(ExitCode::FAILURE);
        }
        Ok(CardKind::ResidenceCard) => return read_residence(&service, &reader, options),
        Ok(CardKind::DrivingLicence) => return read_licence(&service, &reader, options),
        Err(error) => return Ok(card_failure(&error)),
    }
    let (with_my_number, allow_last_try) = (options.with_my_number, options.allow_last_try);
    // Ask the tries left first; the card is let go before the resident types.
    let tries_left = match service.pin_state(&reader) {
        Ok(PinState::Ready { tries_left }) => Some(tries_left),
        // Another program verified it in this card session; the count is not shown then.
        Ok(PinState::Verified) => None,
        Ok(PinState::Blocked) => return Ok(card_failure(&CardError::PinBlocked)),
        Err(error) => return Ok(card_failure(&error)),
    };
    let interactive = std::io::stdin().is_terminal();
    if tries_left == Some(1) && !confirm_last_try(interactive, allow_last_try)? {
        eprintln!("読み取りを中止しました。/ Reading cancelled; no try was used.");
        return Ok(ExitCode::FAILURE);
    }
    let pin = match ask_pin(tries_left, interactive)? {
        Ok(pin) => pin,
        Err(error) => return Ok(card_failure(&error)),
    };
    let read = match service.read(&reader, &pin, with_my_number) {
        Ok(read) => read,
        Err(error) => return Ok(card_failure(&error)),
    };
    drop(pin);
    print_read(ReadReport {
        reader: &reader,
        facts: &read.facts,
        my_number: read.my_number.as_ref().map(|n| n.expose()),
    })
}

/// A driving licence: PIN 1's tries shown first (the card let go while the resident types),
/// the last try never used without a warning, PIN 1 sent once; the 記載事項 printed, 外字 as 〓
/// with their count.
fn read_licence(
    service: &CardService,
    reader: &str,
    options: &ReadOptions<'_>,
) -> Result<ExitCode> {
    let tries_left = match service.licence_pin_state(reader) {
        Ok(PinState::Ready { tries_left }) => Some(tries_left),
        Ok(PinState::Verified) => None,
        Ok(PinState::Blocked) => return Ok(card_failure(&CardError::LicencePinBlocked)),
        Err(error) => return Ok(card_failure(&error)),
    };
    let interactive = std::io::stdin().is_terminal();
    if tries_left == Some(1) && !confirm_last_try(interactive, options.allow_last_try)? {
        eprintln!("読み取りを中止しました。/ Reading cancelled; no try was used.");
        return Ok(ExitCode::FAILURE);
    }
    eprintln!("運転免許証の暗証番号1 / the driving licence's PIN 1");
    let pin = match ask_pin(tries_left, interactive)? {
        Ok(pin) => pin,
        Err(error) => return Ok(card_failure(&error)),
    };
    let facts = match service.read_licence(reader, &pin).0 {
        Ok(facts) => facts,
        Err(error) => return Ok(card_failure(&error)),
    };
    drop(pin);
    if facts.gaiji() > 0 {
        eprintln!(
            "外字が{}文字あります（〓）。免許証を見て入力してください。/ {} character(s) outside JIS X 0208 (〓): copy them from the licence.",
            facts.gaiji(),
            facts.gaiji()
        );
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "reader": reader,
            "card": CardKind::DrivingLicence,
            "facts": &facts,
        }))?
    );
    Ok(ExitCode::SUCCESS)
}

/// A 在留カード or 特別永住者証明書: the number typed (one line, checked before anything is
/// sent), the card read and its signature checked against the trusted certificates.
fn read_residence(
    service: &CardService,
    reader: &str,
    options: &ReadOptions<'_>,
) -> Result<ExitCode> {
    let dirs: Vec<&Path> = options.trust.iter().map(PathBuf::as_path).collect();
    let trust = match TrustStore::load_with_standard(&dirs) {
        Ok(trust) => trust,
        Err(error) => {
            eprintln!("証明書を読めません / cannot read a certificate: {error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let typed = ask_line(
        "在留カード等番号（カード右上の12文字）/ card number (12 characters, top right): ",
        std::io::stdin().is_terminal(),
        "the card number",
    )?;
    let Ok(number) = ResidenceCardNumber::parse(typed.trim()) else {
        return Ok(card_failure(&CardError::ResidenceNumberFormat));
    };
    let today = chrono::Local::now().date_naive();
    let facts = match service.read_residence(reader, &number, &trust, today).0 {
        Ok(facts) => facts,
        Err(error) => return Ok(card_failure(&error)),
    };
    if let Some(dir) = options.images {
        save_images(dir, &facts.images)?;
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&ResidenceReport {
            reader,
            card: CardKind::ResidenceCard,
            document: facts.card_type.document.ja(),
            facts: &facts,
            nationality: facts
                .printed
                .as_ref()
                .and_then(|p| madoguchi_card::residence::nationality::name_ja(&p.nationality_code)),
        })?
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ResidenceReport<'a> {
    reader: &'a str,
    card: CardKind,
    document: &'static str,
    #[serde(flatten)]
    facts: &'a ResidenceFacts,
    /// The card's printed name of the nationality code, when the table knows it.
    nationality: Option<&'static str>,
}

/// The chip's pictures as private TIFF files.
fn save_images(dir: &Path, images: &madoguchi_card::residence::CardImages) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, image) in [
        ("name.tif", &images.name),
        ("address.tif", &images.address),
        ("front.tif", &images.front),
    ] {
        if let Some(bytes) = image {
            let path = dir.join(name);
            crate::output::write_private(&path, bytes)
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("{}", path.display());
        }
    }
    Ok(())
}

/// What was read, as JSON on standard output.
fn print_read(report: ReadReport<'_>) -> Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}

/// The four facts opened with the 照合番号B (the resident does not know the PIN): the tries
/// left shown first, then the birth date as the card prints it, the expiry year and the
/// security code, each checked before anything is sent.
pub fn read_by_code_b(reader: Option<&str>) -> Result<ExitCode> {
    let service = CardService::new();
    let reader = match reader_to_use(&service, reader) {
        Ok(name) => name,
        Err(error) => return Ok(card_failure(&error)),
    };
    let tries_left = match service.code_b_state(&reader) {
        Ok(PinState::Ready { tries_left }) => Some(tries_left),
        Ok(PinState::Verified) => None,
        Ok(PinState::Blocked) => return Ok(card_failure(&CardError::CodeBBlocked)),
        Err(error) => return Ok(card_failure(&error)),
    };
    let code = match ask_code_b(tries_left, std::io::stdin().is_terminal())? {
        Ok(code) => code,
        Err(error) => return Ok(card_failure(&error)),
    };
    let (read, _) = service.read_by_code_b(&reader, &code);
    drop(code);
    let facts = match read {
        Ok(facts) => facts,
        Err(error) => return Ok(card_failure(&error)),
    };
    print_read(ReadReport {
        reader: &reader,
        facts: &facts,
        my_number: None,
    })
}

/// The 照合番号B's three parts: on a terminal asked one by one (the security code without
/// echo), otherwise three lines of standard input. The birth date may be the six digits the
/// card prints (era year, month, day) or a date (2026-04-01, 昭和60年4月12日).
fn ask_code_b(tries_left: Option<u8>, interactive: bool) -> Result<Result<CodeB, CardError>> {
    if let Some(n) = tries_left {
        eprintln!("照合番号B（残り{n}回）/ 照合番号B ({n} tries left)");
    }
    let line = |prompt: &str| ask_line(prompt, interactive, "the 照合番号B");
    let birth = line("生年月日（カードの通り 例 600412）/ birth date as printed: ")?;
    let expiry = line("有効期限の年（西暦4桁）/ expiry year: ")?;
    let code = if interactive {
        zeroize::Zeroizing::new(
            rpassword::prompt_password("セキュリティコード（4桁）/ security code: ")
                .context("reading the security code from the terminal")?,
        )
    } else {
        line("")?
    };
    let birth = birth.trim();
    let printed = birth.chars().count() == 6;
    Ok(if printed {
        CodeB::from_printed(birth, &expiry, &code)
    } else {
        match madoguchi_domain::input::date(birth) {
            Ok(date) => CodeB::new(date, &expiry, &code),
            Err(_) => Err(CardError::CodeBFormat {
                part: madoguchi_card::CodeBPart::BirthDate,
            }),
        }
    })
}

/// One line of standard input (the prompt shown on a terminal), wiped when dropped. What is
/// typed here is a few characters: a longer line is cut at 64 bytes, and then refused by the
/// format check of what it was meant to be.
fn ask_line(prompt: &str, interactive: bool, what: &str) -> Result<zeroize::Zeroizing<String>> {
    if interactive {
        eprint!("{prompt}");
        std::io::stderr().flush()?;
    }
    let mut typed = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .take(64)
        .read_line(&mut typed)
        .with_context(|| format!("reading {what}"))?;
    Ok(typed)
}

/// One try left: a wrong PIN now locks the card, and only the 市民課 counter can unlock it.
fn confirm_last_try(interactive: bool, allow_last_try: bool) -> Result<bool> {
    eprintln!(
        "注意：暗証番号は残り1回です。間違えるとロックされ、市民課での再設定が必要です。\n\
         WARNING: one PIN try left. A wrong PIN locks the card until it is reset at the 市民課 counter."
    );
    if allow_last_try {
        return Ok(true);
    }
    if !interactive {
        eprintln!("Not reading: pass --allow-last-try to use the last try without a prompt.");
        return Ok(false);
    }
    eprint!("続けますか / Continue? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "はい"))
}

/// The PIN, from the terminal without echo, or one line of standard input. On a terminal a
/// PIN that is not four digits is asked again (it never reaches the card).
fn ask_pin(tries_left: Option<u8>, interactive: bool) -> Result<Result<Pin, CardError>> {
    let prompt = match tries_left {
        Some(n) => format!("暗証番号（数字4桁、残り{n}回）/ PIN (4 digits, {n} tries left): "),
        None => "暗証番号（数字4桁）/ PIN (4 digits): ".to_string(),
    };
    if !interactive {
        let line = ask_line("", false, "the PIN from standard input")?;
        return Ok(Pin::parse(&line));
    }
    for _ in 0..3 {
        let typed = zeroize::Zeroizing::new(
            rpassword::prompt_password(&prompt).context("reading the PIN from the terminal")?,
        );
        match Pin::parse(&typed) {
            Ok(pin) => return Ok(Ok(pin)),
            Err(error) => eprintln!("{}", error.message_bilingual()),
        }
    }
    Ok(Err(CardError::PinFormat))
}
