//! A driving licence as a state machine: MF with PIN 1 (and a PIN 2 that opens nothing here),
//! DF1 with the 記載事項 built from a persona in JIS X 0208.
//!
//! ```toml
//! kind = "driving_licence"
//! name = "渡邊　髙志"         # characters outside JIS X 0208 are stored as 外字
//! kana = "ワタナベ　タカシ"   # optional
//! birth_date = "1958-06-02"
//! address = "…"
//! issued = "2024-05-20"
//! expiry = "2029-07-02"
//! licence_number = "301234567890"
//! commission = "東京都公安委員会"
//! pin1 = "1357"
//! pin1_tries_left = 3        # 0 makes PIN 1 locked
//! ```

use chrono::NaiveDate;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::sw;

use crate::licence::text::{encode, encode_era_date};
use crate::licence::{self, DF1, EF_ENTRIES, ENTRIES_LEN, PIN1_REFERENCE};
use crate::pin::Pin;
use crate::tlv;

/// PIN 1's counter when a right PIN resets it.
pub const LICENCE_MAX_TRIES: u8 = 3;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LicencePersonaFile {
    #[serde(rename = "kind")]
    _kind: String,
    name: String,
    kana: Option<String>,
    alias: Option<String>,
    birth_date: String,
    address: String,
    issued: String,
    expiry: String,
    licence_number: String,
    commission: String,
    pin1: String,
    #[serde(default = "max_tries")]
    pin1_tries_left: u8,
}

fn max_tries() -> u8 {
    LICENCE_MAX_TRIES
}

/// A licence persona: its EF01 built, its PIN 1.
#[derive(Clone)]
pub struct LicencePersona {
    entries: Vec<u8>,
    pin1: Pin,
    pub pin1_tries_left: u8,
}

impl std::fmt::Debug for LicencePersona {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LicencePersona(…)")
    }
}

impl LicencePersona {
    pub fn from_toml(text: &str) -> Result<LicencePersona, String> {
        let file: LicencePersonaFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let pin1 = Pin::parse(&file.pin1).map_err(|_| "pin1: must be 4 digits".to_string())?;
        if file.pin1_tries_left > LICENCE_MAX_TRIES {
            return Err(format!("pin1_tries_left: at most {LICENCE_MAX_TRIES}"));
        }
        let date = |name: &str, text: &str| -> Result<Vec<u8>, String> {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(encode_era_date)
                .ok_or(format!(
                    "{name}: {text:?} is not a YYYY-MM-DD date in an era"
                ))
        };
        if file.licence_number.len() != 12
            || !file.licence_number.bytes().all(|b| b.is_ascii_digit())
        {
            return Err("licence_number: twelve digits".into());
        }
        let mut entries = Vec::new();
        let mut push = |tag: u32, value: &[u8]| tlv::encode(tag, value, &mut entries);
        // JIS X 0208's edition (1997) as the licence records it.
        push(licence::TAG_JIS_VERSION, &[0x01]);
        push(licence::TAG_NAME, &encode(&file.name));
        push(
            licence::TAG_KANA,
            &encode(file.kana.as_deref().unwrap_or("")),
        );
        push(
            licence::TAG_ALIAS,
            &encode(file.alias.as_deref().unwrap_or("")),
        );
        push(licence::TAG_UNIFIED_NAME, &[]);
        push(licence::TAG_BIRTH, &date("birth_date", &file.birth_date)?);
        push(licence::TAG_ADDRESS, &encode(&file.address));
        push(licence::TAG_ISSUED, &date("issued", &file.issued)?);
        push(0x19, b"000000000000");
        push(0x1A, &encode("優良"));
        push(licence::TAG_EXPIRY, &date("expiry", &file.expiry)?);
        for condition in 0x1C..=0x1F {
            push(condition, &[]);
        }
        push(licence::TAG_COMMISSION, &encode(&file.commission));
        push(licence::TAG_NUMBER, file.licence_number.as_bytes());
        if entries.len() > ENTRIES_LEN {
            return Err(format!(
                "the 記載事項 take {} bytes, more than 880",
                entries.len()
            ));
        }
        // Unused space on the card reads as FF.
        entries.resize(ENTRIES_LEN, 0xFF);
        Ok(LicencePersona {
            entries,
            pin1,
            pin1_tries_left: file.pin1_tries_left,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Selected {
    Master,
    Df1,
    Entries,
}

/// The licence's state: PIN 1's counter survives resets; the selection and the verified state
/// do not.
pub struct LicenceChip {
    entries: Vec<u8>,
    pin1: Zeroizing<[u8; 4]>,
    tries_left: u8,
    selected: Selected,
    verified: bool,
}

impl std::fmt::Debug for LicenceChip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LicenceChip")
            .field("tries_left", &self.tries_left)
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

impl LicenceChip {
    pub fn new(persona: &LicencePersona) -> LicenceChip {
        LicenceChip {
            entries: persona.entries.clone(),
            pin1: Zeroizing::new(*persona.pin1.ascii_digits()),
            tries_left: persona.pin1_tries_left,
            selected: Selected::Master,
            verified: false,
        }
    }

    pub fn tries_left(&self) -> u8 {
        self.tries_left
    }

    pub fn reset(&mut self) {
        self.selected = Selected::Master;
        self.verified = false;
    }

    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        match apdu {
            [0x00, 0xA4, 0x00, 0x00] => {
                self.selected = Selected::Master;
                sw(0x9000)
            }
            [0x00, 0xA4, 0x04, 0x0C, 0x10, aid @ ..] if aid.len() == 16 => {
                if aid == DF1 {
                    self.selected = Selected::Df1;
                    sw(0x9000)
                } else {
                    sw(0x6A82)
                }
            }
            [0x00, 0xA4, 0x04, ..] => sw(0x6A82),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, a, b] => {
                if self.selected != Selected::Master && [*a, *b] == EF_ENTRIES {
                    self.selected = Selected::Entries;
                    sw(0x9000)
                } else {
                    sw(0x6A82)
                }
            }
            [0x00, 0x20, 0x00, reference, body @ ..] => self.verify(*reference, body),
            [0x00, 0xB0, p1, p2, le] => self.read_binary(*p1, *p2, *le),
            [0x00, ..] => sw(0x6D00),
            _ => sw(0x6E00),
        }
    }

    fn verify(&mut self, reference: u8, body: &[u8]) -> Vec<u8> {
        if self.selected != Selected::Master {
            return sw(0x6986);
        }
        if reference != PIN1_REFERENCE {
            // PIN 2 exists on a real licence; nothing here reads what it opens.
            return sw(0x6A88);
        }
        match body {
            [] if self.tries_left == 0 => sw(0x6984),
            [] if self.verified => sw(0x9000),
            [] => sw(0x63C0 | u16::from(self.tries_left)),
            [0x04, digits @ ..] if digits.len() == 4 => {
                if self.tries_left == 0 {
                    return sw(0x6984);
                }
                if digits == &self.pin1[..] {
                    self.tries_left = LICENCE_MAX_TRIES;
                    self.verified = true;
                    sw(0x9000)
                } else {
                    self.tries_left -= 1;
                    self.verified = false;
                    sw(0x63C0 | u16::from(self.tries_left))
                }
            }
            _ => sw(0x6700),
        }
    }

    fn read_binary(&mut self, p1: u8, p2: u8, le: u8) -> Vec<u8> {
        if self.selected != Selected::Entries || p1 & 0x80 != 0 {
            return sw(0x6986);
        }
        if !self.verified {
            return sw(0x6982);
        }
        let offset = usize::from(u16::from_be_bytes([p1, p2]));
        if offset >= self.entries.len() {
            return sw(0x6B00);
        }
        let wanted = if le == 0 { 256 } else { usize::from(le) };
        let end = (offset + wanted).min(self.entries.len());
        let mut answer = self.entries[offset..end].to_vec();
        answer.extend_from_slice(if end - offset < wanted {
            &[0x62, 0x82]
        } else {
            &[0x90, 0x00]
        });
        answer
    }
}
