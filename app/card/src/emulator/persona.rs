//! Persona files: the fictional resident a virtual card carries.
//!
//! ```toml
//! name = "山田　太郎"           # family and given name separated by U+3000, as on a card
//! address = "東京都…"
//! birth_date = "1980-02-17"     # or eight digits as the card stores them, e.g. "19700000"
//! sex = "male"                  # male | female | not_known | not_applicable
//! my_number = "123456789018"    # twelve digits with a valid check digit
//! pin = "1234"
//! tries_left = 3                # 0 makes a blocked card
//! expiry_year = "2034"          # printed on the card's face; with the birth date and the
//! security_code = "5678"        #   security code it makes the 照合番号B
//! code_b_tries_left = 10        # 0 makes the 照合番号B locked
//! ```

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::code_b::CodeB;
use crate::facts::{BasicFacts, CardSex};
use crate::my_number::MyNumber;
use crate::pin::Pin;

#[derive(Clone, Debug)]
pub struct Persona {
    pub name: String,
    pub address: String,
    birth_date: BirthDate,
    pub sex: CardSex,
    pub my_number: MyNumber,
    pin: Pin,
    pub tries_left: u8,
    /// The card's 照合番号B, when its birth date is a calendar date.
    code_b: Option<CodeB>,
    pub code_b_tries_left: u8,
}

#[derive(Clone, Debug)]
enum BirthDate {
    Date(NaiveDate),
    /// Eight digits that are not a calendar date (a partly unknown birth date).
    Unparsed(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonaFile {
    name: String,
    address: String,
    birth_date: String,
    sex: SexName,
    my_number: String,
    pin: String,
    #[serde(default = "default_tries")]
    tries_left: u8,
    #[serde(default = "default_expiry_year")]
    expiry_year: String,
    #[serde(default = "default_security_code")]
    security_code: String,
    #[serde(default = "default_code_b_tries")]
    code_b_tries_left: u8,
}

fn default_expiry_year() -> String {
    "2034".into()
}

fn default_security_code() -> String {
    "5678".into()
}

fn default_code_b_tries() -> u8 {
    super::virtual_card::MAX_CODE_B_TRIES
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum SexName {
    Male,
    Female,
    NotKnown,
    NotApplicable,
}

fn default_tries() -> u8 {
    super::virtual_card::MAX_TRIES
}

/// Why a persona file cannot be used, with the file named.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PersonaError {
    path: String,
    message: String,
}

/// Any persona file: a My Number card's, or (with `kind`) a residence document's or a
/// driving licence's.
#[derive(Clone, Debug)]
pub enum CardPersona {
    MyNumber(Persona),
    Residence(super::residence_card::ResidencePersona),
    Licence(super::licence_card::LicencePersona),
}

impl CardPersona {
    /// Reads the file; its `kind` (absent for a My Number card) says which card it is.
    pub fn load(path: &Path) -> Result<CardPersona, PersonaError> {
        let error = |message: String| PersonaError {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let kind = toml::from_str::<toml::Table>(&text)
            .map_err(|e| error(e.to_string()))?
            .get("kind")
            .and_then(|k| k.as_str().map(str::to_owned));
        match kind.as_deref() {
            None => Persona::from_toml(&text)
                .map(CardPersona::MyNumber)
                .map_err(error),
            Some("driving_licence") => super::licence_card::LicencePersona::from_toml(&text)
                .map(CardPersona::Licence)
                .map_err(error),
            Some(_) => {
                let dir = path.parent().unwrap_or(Path::new("."));
                super::residence_card::ResidencePersona::from_toml(&text, dir)
                    .map(CardPersona::Residence)
                    .map_err(error)
            }
        }
    }
}

impl Persona {
    pub fn load(path: &Path) -> Result<Persona, PersonaError> {
        let error = |message: String| PersonaError {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        Persona::from_toml(&text).map_err(error)
    }

    pub fn from_toml(text: &str) -> Result<Persona, String> {
        let file: PersonaFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let birth_date = parse_birth_date(&file.birth_date)?;
        let my_number = MyNumber::parse(&file.my_number).map_err(|e| format!("my_number: {e}"))?;
        let pin = Pin::parse(&file.pin).map_err(|_| "pin: must be 4 digits".to_string())?;
        if file.tries_left > super::virtual_card::MAX_TRIES {
            return Err("tries_left: at most 3".into());
        }
        if file.code_b_tries_left > super::virtual_card::MAX_CODE_B_TRIES {
            return Err("code_b_tries_left: at most 10".into());
        }
        // A birth date that is not a calendar date (partly unknown) has no 照合番号B to type.
        let code_b = match &birth_date {
            BirthDate::Date(date) => Some(
                CodeB::new(*date, &file.expiry_year, &file.security_code)
                    .map_err(|e| format!("expiry_year / security_code: {}", e.message_en()))?,
            ),
            BirthDate::Unparsed(_) => None,
        };
        Ok(Persona {
            name: file.name,
            address: file.address,
            birth_date,
            sex: match file.sex {
                SexName::Male => CardSex::Male,
                SexName::Female => CardSex::Female,
                SexName::NotKnown => CardSex::NotKnown,
                SexName::NotApplicable => CardSex::NotApplicable,
            },
            my_number,
            pin,
            tries_left: file.tries_left,
            code_b,
            code_b_tries_left: file.code_b_tries_left,
        })
    }

    /// The four facts as the card stores them.
    pub fn basic_facts(&self) -> BasicFacts {
        let (birth_date, unparsed_birth_date) = match &self.birth_date {
            BirthDate::Date(date) => (Some(*date), None),
            BirthDate::Unparsed(text) => (None, Some(text.clone())),
        };
        BasicFacts {
            name: self.name.clone(),
            address: self.address.clone(),
            birth_date,
            unparsed_birth_date,
            sex: self.sex,
        }
    }

    pub(crate) fn pin_digits(&self) -> [u8; 4] {
        *self.pin.ascii_digits()
    }

    /// The 照合番号B's digits; none (no code opens the card) for a birth date the card keeps
    /// as unparsed digits.
    pub(crate) fn code_b_digits(&self) -> Vec<u8> {
        self.code_b
            .as_ref()
            .map(|code| code.ascii_digits().to_vec())
            .unwrap_or_default()
    }
}

fn parse_birth_date(text: &str) -> Result<BirthDate, String> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(BirthDate::Date(date));
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(match NaiveDate::parse_from_str(text, "%Y%m%d") {
            Ok(date) => BirthDate::Date(date),
            Err(_) => BirthDate::Unparsed(text.to_owned()),
        });
    }
    Err(format!(
        "birth_date: \"{text}\" is neither YYYY-MM-DD nor eight digits"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
name = "山田　太郎"
address = "東京都千代田区千代田１－１"
birth_date = "1980-02-17"
sex = "male"
my_number = "123456789018"
pin = "1234"
"#;

    #[test]
    fn loads_a_persona() {
        let persona = Persona::from_toml(VALID).expect("valid");
        assert_eq!(persona.tries_left, 3);
        assert_eq!(
            persona.basic_facts().birth_date,
            NaiveDate::from_ymd_opt(1980, 2, 17)
        );
    }

    #[test]
    fn says_what_is_wrong() {
        let cases = [
            ("123456789018", "123456789012", "check digit"),
            ("\"1234\"", "\"12345\"", "pin"),
            ("1980-02-17", "17/02/1980", "birth_date"),
            ("\"male\"", "\"m\"", "sex"),
            (
                "pin = \"1234\"",
                "pin = \"1234\"\nexpiry_year = \"34\"",
                "expiry_year",
            ),
            (
                "pin = \"1234\"",
                "pin = \"1234\"\nsecurity_code = \"12a4\"",
                "security_code",
            ),
            (
                "pin = \"1234\"",
                "pin = \"1234\"\ncode_b_tries_left = 11",
                "code_b_tries_left",
            ),
        ];
        for (from, to, expected) in cases {
            let text = VALID.replace(from, to);
            let error = Persona::from_toml(&text).expect_err(expected);
            assert!(error.contains(expected), "{error}");
        }
    }
}
