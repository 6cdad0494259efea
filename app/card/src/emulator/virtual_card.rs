//! A My Number card's 券面事項入力補助AP as a state machine: what a real card answers to each
//! command, strictly enough that a mistake in our reader shows up as an error here.

use zeroize::Zeroizing;

use super::sw;

use crate::apdu::{CARD_INFO_AP, EF_BASIC_FACTS, EF_CODE_B, EF_MY_NUMBER, EF_PIN};
use crate::my_number::MyNumber;

use super::licence_card::LicenceChip;
use super::persona::{CardPersona, Persona};
use super::residence_card::{ResidenceBehaviour, ResidenceChip, ResidencePersona};

/// The PIN counter's value when it is reset by a correct PIN.
pub const MAX_TRIES: u8 = 3;

/// The 照合番号B's own counter when it is reset by a correct code.
pub const MAX_CODE_B_TRIES: u8 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Selected {
    Nothing,
    Application,
    File([u8; 2]),
}

/// How the card behaves apart from its data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CardBehaviour {
    /// The card does not have the application: SELECT by AID fails, as on any other IC card.
    pub not_my_number: bool,
    /// The PIN (a licence's PIN 1) is locked whatever the persona says.
    pub blocked: bool,
    /// (在留カード) the signature does not match the data, as on an altered card.
    pub bad_signature: bool,
}

/// Which key the card was opened with in this session: the PIN opens the facts and the
/// 個人番号, the 照合番号B the facts alone (the emulator's reading of the specification: the
/// 個人番号 is 特定個人情報 and is read with the PIN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verified {
    Pin,
    CodeB,
}

/// A secret the card checks with VERIFY: its value and its own tries counter.
struct Key {
    value: Zeroizing<Vec<u8>>,
    tries_left: u8,
    max_tries: u8,
}

/// The card's state. The PIN counter is card-wide and survives power-off and reset; the
/// selection and the verified state do not.
pub struct MyNumberChip {
    pin: Key,
    code_b: Key,
    basic_facts_file: Vec<u8>,
    my_number_file: Zeroizing<Vec<u8>>,
    behaviour: CardBehaviour,
    selected: Selected,
    verified: Option<Verified>,
    verify_commands: u32,
}

impl std::fmt::Debug for MyNumberChip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MyNumberChip")
            .field("tries_left", &self.pin.tries_left)
            .field("selected", &self.selected)
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

impl MyNumberChip {
    pub fn new(persona: &Persona, behaviour: CardBehaviour) -> MyNumberChip {
        MyNumberChip {
            pin: Key {
                value: Zeroizing::new(persona.pin_digits().to_vec()),
                tries_left: if behaviour.blocked {
                    0
                } else {
                    persona.tries_left.min(MAX_TRIES)
                },
                max_tries: MAX_TRIES,
            },
            code_b: Key {
                value: Zeroizing::new(persona.code_b_digits()),
                tries_left: persona.code_b_tries_left.min(MAX_CODE_B_TRIES),
                max_tries: MAX_CODE_B_TRIES,
            },
            // Unused file space reads as FF, as on a card; 32 bytes of it exercise filler.
            basic_facts_file: persona.basic_facts().to_file(32),
            my_number_file: Zeroizing::new(my_number_file(&persona.my_number)),
            behaviour,
            selected: Selected::Nothing,
            verified: None,
            verify_commands: 0,
        }
    }

    pub fn tries_left(&self) -> u8 {
        self.pin.tries_left
    }

    /// The 照合番号B's tries left.
    pub fn code_b_tries_left(&self) -> u8 {
        self.code_b.tries_left
    }

    /// VERIFY commands that carried a PIN, since the card was made.
    pub fn verify_commands(&self) -> u32 {
        self.verify_commands
    }

    /// Power off or warm reset: the security state and the selection are lost.
    pub fn reset(&mut self) {
        self.selected = Selected::Nothing;
        self.verified = None;
    }

    /// Answers one command APDU with data and a status word.
    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        let [cla, ins, p1, p2, body @ ..] = apdu else {
            return sw(0x6700);
        };
        if *cla != 0x00 {
            return sw(0x6E00);
        }
        match *ins {
            0xA4 => self.select(*p1, *p2, body),
            0x20 => self.verify(*p1, *p2, body),
            0xB0 => self.read_binary(*p1, *p2, body),
            _ => sw(0x6D00),
        }
    }

    fn select(&mut self, p1: u8, p2: u8, body: &[u8]) -> Vec<u8> {
        let [lc, data @ ..] = body else {
            return sw(0x6700);
        };
        if usize::from(*lc) != data.len() {
            return sw(0x6700);
        }
        if p2 != 0x0C {
            return sw(0x6A86);
        }
        match p1 {
            0x04 => {
                // Selecting any DF loses the security state, whether or not it exists.
                self.verified = None;
                if data == CARD_INFO_AP && !self.behaviour.not_my_number {
                    self.selected = Selected::Application;
                    sw(0x9000)
                } else {
                    self.selected = Selected::Nothing;
                    sw(0x6A82)
                }
            }
            0x02 => {
                let id = match data {
                    [a, b] => [*a, *b],
                    _ => return sw(0x6700),
                };
                let known = [EF_PIN, EF_CODE_B, EF_BASIC_FACTS, EF_MY_NUMBER].contains(&id);
                if self.selected == Selected::Nothing || !known {
                    return sw(0x6A82);
                }
                self.selected = Selected::File(id);
                sw(0x9000)
            }
            _ => sw(0x6A86),
        }
    }

    fn verify(&mut self, p1: u8, p2: u8, body: &[u8]) -> Vec<u8> {
        if p1 != 0x00 || p2 != 0x80 {
            return sw(0x6A86);
        }
        let (key, opens) = match self.selected {
            Selected::File(id) if id == EF_PIN => (&mut self.pin, Verified::Pin),
            Selected::File(id) if id == EF_CODE_B => (&mut self.code_b, Verified::CodeB),
            _ => return sw(0x6986),
        };
        match body {
            // No Lc, no data: the tries query.
            [] => {
                if key.tries_left == 0 {
                    sw(0x6984)
                } else if self.verified == Some(opens) {
                    sw(0x9000)
                } else {
                    sw(0x63C0 | u16::from(key.tries_left))
                }
            }
            [lc, value @ ..] if usize::from(*lc) == value.len() && !value.is_empty() => {
                self.verify_commands += 1;
                if key.tries_left == 0 {
                    return sw(0x6984);
                }
                if value == key.value.as_slice() {
                    key.tries_left = key.max_tries;
                    self.verified = Some(opens);
                    sw(0x9000)
                } else {
                    key.tries_left -= 1;
                    let left = key.tries_left;
                    self.verified = None;
                    sw(0x63C0 | u16::from(left))
                }
            }
            _ => sw(0x6700),
        }
    }

    fn read_binary(&mut self, p1: u8, p2: u8, body: &[u8]) -> Vec<u8> {
        let le = match body {
            [le] => usize::from(*le),
            _ => return sw(0x6700),
        };
        let le = if le == 0 { 256 } else { le };
        if p1 & 0x80 != 0 {
            return sw(0x6A81);
        }
        let (file, opened): (&[u8], bool) = match self.selected {
            Selected::File(id) if id == EF_BASIC_FACTS => {
                (&self.basic_facts_file, self.verified.is_some())
            }
            Selected::File(id) if id == EF_MY_NUMBER => {
                (&self.my_number_file, self.verified == Some(Verified::Pin))
            }
            Selected::File(_) => return sw(0x6981),
            _ => return sw(0x6986),
        };
        if !opened {
            return sw(0x6982);
        }
        let offset = usize::from(u16::from_be_bytes([p1, p2]));
        if offset >= file.len() {
            return sw(0x6B00);
        }
        let end = (offset + le).min(file.len());
        let mut answer = file[offset..end].to_vec();
        // Fewer bytes than asked: the card says so with 62 82 rather than 90 00.
        answer.extend_from_slice(if end - offset < le {
            &[0x62, 0x82]
        } else {
            &[0x90, 0x00]
        });
        answer
    }
}

/// EF 0001: `FF 10 0C`, the twelve digits, and two bytes of filler (seventeen in all).
fn my_number_file(number: &MyNumber) -> Vec<u8> {
    let mut file = vec![0xFF, 0x10, 0x0C];
    file.extend_from_slice(number.expose().as_bytes());
    file.extend_from_slice(&[0xFF, 0xFF]);
    file
}

/// A card in the emulator: the My Number card or a 在留カード / 特別永住者証明書.
#[derive(Debug)]
pub enum VirtualCard {
    MyNumber(MyNumberChip),
    Residence(ResidenceChip),
    Licence(LicenceChip),
}

impl VirtualCard {
    /// A My Number card.
    pub fn new(persona: &Persona, behaviour: CardBehaviour) -> VirtualCard {
        VirtualCard::MyNumber(MyNumberChip::new(persona, behaviour))
    }

    /// A 在留カード or 特別永住者証明書.
    pub fn residence(persona: &ResidencePersona, behaviour: ResidenceBehaviour) -> VirtualCard {
        VirtualCard::Residence(ResidenceChip::new(persona, behaviour))
    }

    /// The card a persona file describes (its `kind`).
    pub fn from_persona(persona: &CardPersona, behaviour: CardBehaviour) -> VirtualCard {
        match persona {
            CardPersona::MyNumber(persona) => VirtualCard::new(persona, behaviour),
            CardPersona::Residence(persona) => VirtualCard::residence(
                persona,
                ResidenceBehaviour {
                    bad_signature: behaviour.bad_signature,
                },
            ),
            CardPersona::Licence(persona) => {
                let mut persona = persona.clone();
                if behaviour.blocked {
                    persona.pin1_tries_left = 0;
                }
                VirtualCard::Licence(LicenceChip::new(&persona))
            }
        }
    }

    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        match self {
            VirtualCard::MyNumber(chip) => chip.process(apdu),
            VirtualCard::Residence(chip) => chip.process(apdu),
            VirtualCard::Licence(chip) => chip.process(apdu),
        }
    }

    pub fn reset(&mut self) {
        match self {
            VirtualCard::MyNumber(chip) => chip.reset(),
            VirtualCard::Residence(chip) => chip.reset(),
            VirtualCard::Licence(chip) => chip.reset(),
        }
    }

    /// The PIN's (a licence's PIN 1's) tries left; `None` for a card without a PIN.
    pub fn pin_tries_left(&self) -> Option<u8> {
        match self {
            VirtualCard::MyNumber(chip) => Some(chip.tries_left()),
            VirtualCard::Licence(chip) => Some(chip.tries_left()),
            VirtualCard::Residence(_) => None,
        }
    }

    /// The PIN's tries left (0 for a card without one).
    pub fn tries_left(&self) -> u8 {
        self.pin_tries_left().unwrap_or(0)
    }

    /// The 照合番号B's tries left (0 for another card).
    pub fn code_b_tries_left(&self) -> u8 {
        match self {
            VirtualCard::MyNumber(chip) => chip.code_b_tries_left(),
            VirtualCard::Residence(_) | VirtualCard::Licence(_) => 0,
        }
    }

    /// VERIFY commands that carried a PIN or a code (My Number card).
    pub fn verify_commands(&self) -> u32 {
        match self {
            VirtualCard::MyNumber(chip) => chip.verify_commands(),
            VirtualCard::Residence(_) | VirtualCard::Licence(_) => 0,
        }
    }
}

/// Talking to the virtual card directly, without pcscd: for unit tests of the protocol.
impl crate::protocol::Transport for VirtualCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, crate::CardError> {
        Ok(self.process(command))
    }
}
