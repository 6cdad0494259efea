//! Typed answers to interview questions.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An answer to one question. Every question can be answered 「わからない」 ([`Answer::Unknown`]),
/// which is different from not having been asked.
///
/// In JSON an answer is written as the question's kind suggests: `"yes"`, `"no"`, `"unknown"`,
/// a number, a date as `"YYYY-MM-DD"`, or the id of a choice. Choice ids therefore never take
/// the reserved words `yes`, `no`, `unknown` or the shape of a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// 「わからない」
    Unknown,
    Number(i64),
    Choice(String),
    Date(NaiveDate),
}

/// Answers keyed by question id.
pub type Answers = BTreeMap<String, Answer>;

impl Answer {
    /// Reads the text form used in JSON and in catalogue conditions.
    pub fn from_text(text: &str) -> Answer {
        match text {
            "yes" => Answer::Yes,
            "no" => Answer::No,
            "unknown" => Answer::Unknown,
            _ => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(date) => Answer::Date(date),
                Err(_) => Answer::Choice(text.to_string()),
            },
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Yes => f.write_str("yes"),
            Answer::No => f.write_str("no"),
            Answer::Unknown => f.write_str("unknown"),
            Answer::Number(n) => write!(f, "{n}"),
            Answer::Choice(id) => f.write_str(id),
            Answer::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
        }
    }
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Number(n) => serializer.serialize_i64(*n),
            other => serializer.collect_str(other),
        }
    }
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Answer, D::Error> {
        deserializer.deserialize_any(AnswerVisitor)
    }
}

struct AnswerVisitor;

impl Visitor<'_> for AnswerVisitor {
    type Value = Answer;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"yes\", \"no\", \"unknown\", a whole number, a date or a choice id")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Answer, E> {
        Ok(Answer::from_text(text))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Answer, E> {
        Ok(Answer::Number(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Answer, E> {
        i64::try_from(n)
            .map(Answer::Number)
            .map_err(|_| E::custom("number too large"))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Answer, E> {
        Ok(if b { Answer::Yes } else { Answer::No })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_through_json() {
        let json = r#"{"a":"yes","b":"no","c":"unknown","d":3,"e":"2026-04-01","f":"bus"}"#;
        let answers: Answers = serde_json::from_str(json).expect("valid answers");
        assert_eq!(answers["a"], Answer::Yes);
        assert_eq!(answers["c"], Answer::Unknown);
        assert_eq!(answers["d"], Answer::Number(3));
        assert_eq!(
            answers["e"],
            Answer::Date(NaiveDate::from_ymd_opt(2026, 4, 1).expect("valid"))
        );
        assert_eq!(answers["f"], Answer::Choice("bus".into()));
        assert_eq!(serde_json::to_string(&answers).expect("serialises"), json);
    }
}
