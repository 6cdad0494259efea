//! Typed answers to interview questions.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits;

/// An answer to one question. Every question can be answered 「わからない」 ([`Answer::Unknown`]),
/// which is different from not having been asked.
///
/// In JSON an answer is written as the question's kind suggests: `"yes"`, `"no"`, `"unknown"`,
/// a number, a date as `"YYYY-MM-DD"`, the id of a choice, or for a question about members
/// ("who registers a seal?") the list of the members it names, by their index in the household
/// (`[0, 2]`; `[]` names nobody). Choice ids therefore never take the reserved words `yes`,
/// `no`, `unknown` or the shape of a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// 「わからない」
    Unknown,
    Number(i64),
    Choice(String),
    Date(NaiveDate),
    /// The members a question about members names, by index into the household, ascending
    /// and without repeats (build it with [`Answer::members`]).
    Members(Vec<usize>),
}

/// Answers keyed by question id.
pub type Answers = BTreeMap<String, Answer>;

impl Answer {
    /// The answer naming `indices`, sorted and without repeats.
    pub fn members(indices: impl IntoIterator<Item = usize>) -> Answer {
        let mut list: Vec<usize> = indices.into_iter().collect();
        list.sort_unstable();
        list.dedup();
        Answer::Members(list)
    }

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
            Answer::Members(list) => {
                let shown: Vec<String> = list.iter().map(usize::to_string).collect();
                write!(f, "[{}]", shown.join(", "))
            }
        }
    }
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Number(n) => serializer.serialize_i64(*n),
            Answer::Members(list) => serializer.collect_seq(list),
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

impl<'de> Visitor<'de> for AnswerVisitor {
    type Value = Answer;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "\"yes\", \"no\", \"unknown\", a whole number, a date, a choice id or a list of members",
        )
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

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Answer, A::Error> {
        // Bounded while reading: a list longer than a household can be is refused before it
        // is held in memory.
        let mut list = Vec::new();
        while let Some(index) = seq.next_element::<usize>()? {
            if list.len() >= limits::MAX_MEMBERS {
                return Err(de::Error::custom(format!(
                    "an answer names more than {} members",
                    limits::MAX_MEMBERS
                )));
            }
            list.push(index);
        }
        Ok(Answer::members(list))
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

    #[test]
    fn members_answers_are_lists_of_indices_sorted_and_bounded() {
        let answers: Answers =
            serde_json::from_str(r#"{"seal":[2,0,2],"care":[]}"#).expect("valid");
        assert_eq!(answers["seal"], Answer::Members(vec![0, 2]));
        assert_eq!(answers["care"], Answer::Members(vec![]));
        assert_eq!(
            serde_json::to_string(&answers).expect("serialises"),
            r#"{"care":[],"seal":[0,2]}"#
        );
        let long = format!("{{\"seal\":[{}]}}", vec!["0"; 31].join(","));
        assert!(serde_json::from_str::<Answers>(&long).is_err());
        assert!(serde_json::from_str::<Answers>(r#"{"seal":[-1]}"#).is_err());
    }
}
