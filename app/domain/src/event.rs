//! The life event a case is about: which one (an id the catalogue defines), the day it
//! happened, the day of the visit, the event's other named dates, the addresses a move names,
//! and the member the event is about (the deceased, the newborn).
//!
//! The events themselves — 転入, 転居, 転出, 死亡, 出生, 婚姻 … — are data: the catalogue's
//! `events.toml` names them, says which dates each carries and whether it is about one member
//! (`madoguchi_rules::catalogue::EventDef`). This module only holds a case's values and checks
//! their shape; whether `kind` is an event the catalogue knows, and whether its dates are the
//! ones that event declares, is checked against the catalogue (`Engine::check_case`).

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::person::Address;

/// The most bytes an event or date id may have.
pub const MAX_EVENT_ID_BYTES: usize = 32;

/// The most named dates one event may carry besides its own date and the visit.
pub const MAX_EVENT_DATES: usize = 8;

/// An id as the catalogue writes them — lower-case ASCII letters, digits and `_`, starting
/// with a letter, at most [`MAX_EVENT_ID_BYTES`] — held inline so that it is `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ShortId {
    bytes: [u8; MAX_EVENT_ID_BYTES],
    len: u8,
}

impl ShortId {
    /// Checks `id` and keeps it; `None` when it is not an id.
    const fn new(id: &str) -> Option<ShortId> {
        let src = id.as_bytes();
        if src.is_empty() || src.len() > MAX_EVENT_ID_BYTES || !src[0].is_ascii_lowercase() {
            return None;
        }
        let mut bytes = [0u8; MAX_EVENT_ID_BYTES];
        let mut i = 0;
        while i < src.len() {
            let b = src[i];
            if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                return None;
            }
            bytes[i] = b;
            i += 1;
        }
        Some(ShortId {
            bytes,
            len: src.len() as u8,
        })
    }

    const fn known(id: &'static str) -> ShortId {
        match ShortId::new(id) {
            Some(short) => short,
            None => panic!("not an id"),
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored (checked in `new`).
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl PartialOrd for ShortId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ShortId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// Why a text is not an event or date id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an id: lower-case letters, digits and _, starting with a letter, at most 32 / IDの形式ではありません"
)]
pub struct IdError(pub String);

macro_rules! short_id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(ShortId);

        impl $name {
            /// Checks the id's shape (not whether the catalogue has it).
            pub fn new(id: &str) -> Result<$name, IdError> {
                ShortId::new(id)
                    .map($name)
                    .ok_or_else(|| IdError(id.chars().take(40).collect()))
            }

            pub fn id(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.id())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.id())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::new(&text).map_err(de::Error::custom)
            }
        }
    };
}

short_id_type!(
    /// Which life event a case is about: the id of one of the catalogue's events (`tennyu`,
    /// `shibou`, `kekkon` …), as conditions name it (`event = tennyu`).
    EventKind
);

short_id_type!(
    /// The id of one of an event's named dates (`moved_out_date`, `funeral_date` …), as a
    /// deadline's `from` names it. [`EventDate::VISIT_DATE`] is every event's; the event's own
    /// date has the id its catalogue entry gives it (`move_date`, `death_date` …).
    EventDate
);

impl EventKind {
    /// 転入: moving in from another municipality.
    pub const TENNYU: EventKind = EventKind(ShortId::known("tennyu"));
    /// 転居: moving within the municipality.
    pub const TENKYO: EventKind = EventKind(ShortId::known("tenkyo"));
    /// 転出: moving out of the municipality.
    pub const TENSHUTSU: EventKind = EventKind(ShortId::known("tenshutsu"));
}

impl EventDate {
    /// 届出日: the day of the visit, which every event has.
    pub const VISIT_DATE: EventDate = EventDate(ShortId::known("visit_date"));
    /// 転出(予定)日 at the previous municipality (転入): the child allowance and the card's
    /// 90-day limit count from it.
    pub const MOVED_OUT_DATE: EventDate = EventDate(ShortId::known("moved_out_date"));

    /// Names the case JSON gives an event's own fields, which no named date may take.
    pub const RESERVED: [&'static str; 8] = [
        "kind",
        "date",
        "move_date",
        "visit_date",
        "previous_address",
        "new_address",
        "next_address",
        "subject",
    ];
}

/// What happened, when, and to whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LifeEvent {
    pub kind: EventKind,
    /// The day it happened (or, for a 転出, will): 異動日, 死亡日, 出生日 … Ages are taken on
    /// it. The case JSON calls it `date` (older files: `move_date`).
    pub date: NaiveDate,
    /// 届出日: the day of the visit to the counter.
    pub visit_date: NaiveDate,
    /// The event's other dates, by the ids its catalogue entry declares (転出予定日,
    /// 葬儀の日, 死亡を知った日 …); a date not given is unknown.
    pub dates: BTreeMap<EventDate, NaiveDate>,
    /// The address before a move (転入, 転居).
    pub previous_address: Option<Address>,
    /// The new address in this municipality (転入, 転居), for the forms.
    pub new_address: Option<Address>,
    /// Where a 転出 goes.
    pub next_address: Option<Address>,
    /// The member the event is about, by index in the household — the person who died, the
    /// child born — for the events whose catalogue entry names one.
    pub subject: Option<usize>,
}

impl LifeEvent {
    /// An event of `kind` on `date`, visited on `visit_date`, with nothing else known.
    pub fn new(kind: EventKind, date: NaiveDate, visit_date: NaiveDate) -> LifeEvent {
        LifeEvent {
            kind,
            date,
            visit_date,
            dates: BTreeMap::new(),
            previous_address: None,
            new_address: None,
            next_address: None,
            subject: None,
        }
    }

    /// The same event with the named date `id` set.
    pub fn with_date(mut self, id: EventDate, date: NaiveDate) -> LifeEvent {
        self.dates.insert(id, date);
        self
    }

    pub fn kind(&self) -> EventKind {
        self.kind
    }

    pub fn visit_date(&self) -> NaiveDate {
        self.visit_date
    }

    /// Sets the day of the visit: a code made at home names the day the resident planned to
    /// come, the counter files on the day they do.
    pub fn set_visit_date(&mut self, date: NaiveDate) {
        self.visit_date = date;
    }

    /// The named date, when this event has it: the visit, or one of [`LifeEvent::dates`].
    /// The event's own date goes by the id its catalogue entry gives it, which the catalogue
    /// resolves (`madoguchi_rules`).
    pub fn named_date(&self, which: EventDate) -> Option<NaiveDate> {
        if which == EventDate::VISIT_DATE {
            Some(self.visit_date)
        } else {
            self.dates.get(&which).copied()
        }
    }

    /// Where the household lives after the event, when it moves: the new address in this
    /// municipality, or where a 転出 goes.
    pub fn address_after(&self) -> Option<&Address> {
        self.new_address.as_ref().or(self.next_address.as_ref())
    }

    /// 転入's 転出(予定)日, when given.
    pub fn moved_out_date(&self) -> Option<NaiveDate> {
        self.dates.get(&EventDate::MOVED_OUT_DATE).copied()
    }
}

impl Serialize for LifeEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", &self.kind)?;
        map.serialize_entry("date", &self.date)?;
        map.serialize_entry("visit_date", &self.visit_date)?;
        for (id, date) in &self.dates {
            map.serialize_entry(id.id(), date)?;
        }
        let addresses = [
            ("previous_address", &self.previous_address),
            ("new_address", &self.new_address),
            ("next_address", &self.next_address),
        ];
        for (key, address) in addresses {
            if let Some(address) = address {
                map.serialize_entry(key, address)?;
            }
        }
        if let Some(subject) = self.subject {
            map.serialize_entry("subject", &subject)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for LifeEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventVisitor)
    }
}

/// Reads an event object: its fixed fields, and every other key as a named date (an id with
/// a date value). Which named dates the event may have is the catalogue's to say.
struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = LifeEvent;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event: { kind, date, visit_date, … }")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LifeEvent, A::Error> {
        let mut kind = None;
        let mut date = None;
        let mut visit_date = None;
        let mut event = LifeEvent::new(EventKind::TENNYU, NaiveDate::MIN, NaiveDate::MIN);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "kind" => set_once(&mut kind, map.next_value()?, "kind")?,
                "date" | "move_date" => set_once(&mut date, map.next_value()?, "date")?,
                "visit_date" => set_once(&mut visit_date, map.next_value()?, "visit_date")?,
                "previous_address" => event.previous_address = map.next_value()?,
                "new_address" => event.new_address = map.next_value()?,
                "next_address" => event.next_address = map.next_value()?,
                "subject" => event.subject = map.next_value()?,
                other => {
                    let Ok(id) = EventDate::new(other) else {
                        return Err(de::Error::custom(format!(
                            "unknown field `{}` in the event",
                            other.chars().take(40).collect::<String>()
                        )));
                    };
                    if event.dates.len() >= MAX_EVENT_DATES {
                        return Err(de::Error::custom(format!(
                            "the event names more than {MAX_EVENT_DATES} dates"
                        )));
                    }
                    let value: NaiveDate = map.next_value().map_err(|_| {
                        de::Error::custom(format!(
                            "unknown field `{other}` in the event, or not a date"
                        ))
                    })?;
                    if event.dates.insert(id, value).is_some() {
                        return Err(de::Error::custom(format!("`{other}` is given twice")));
                    }
                }
            }
        }
        event.kind = kind.ok_or_else(|| de::Error::missing_field("kind"))?;
        event.date = date.ok_or_else(|| de::Error::missing_field("date"))?;
        event.visit_date = visit_date.ok_or_else(|| de::Error::missing_field("visit_date"))?;
        Ok(event)
    }
}

fn set_once<T, E: de::Error>(slot: &mut Option<T>, value: T, field: &'static str) -> Result<(), E> {
    if slot.replace(value).is_some() {
        return Err(E::duplicate_field(field));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 4, d).expect("a day of April")
    }

    #[test]
    fn ids_are_checked_and_ordered_as_text() {
        assert!(EventKind::new("shibou").is_ok());
        for bad in ["", "Tennyu", "1st", "a-b", "てんにゅう", &"a".repeat(33)] {
            assert!(EventKind::new(bad).is_err(), "{bad:?}");
        }
        let mut ids = [EventKind::TENSHUTSU, EventKind::TENNYU, EventKind::TENKYO];
        ids.sort();
        assert_eq!(
            ids.map(|k| k.id().to_string()),
            ["tenkyo", "tennyu", "tenshutsu"]
        );
    }

    #[test]
    fn an_event_reads_older_and_newer_files_alike_and_writes_its_dates_by_name() {
        let older = r#"{"kind": "tennyu", "move_date": "2026-04-01", "visit_date": "2026-04-02",
                        "moved_out_date": "2026-03-30"}"#;
        let event: LifeEvent = serde_json::from_str(older).expect("reads");
        assert_eq!(event.kind, EventKind::TENNYU);
        assert_eq!(event.date, day(1));
        assert_eq!(event.moved_out_date(), NaiveDate::from_ymd_opt(2026, 3, 30));
        let written = serde_json::to_value(&event).expect("reads");
        assert_eq!(written["date"], "2026-04-01");
        assert_eq!(written["moved_out_date"], "2026-03-30");
        assert_eq!(
            serde_json::from_value::<LifeEvent>(written).expect("reads"),
            event
        );

        let death = r#"{"kind": "shibou", "date": "2026-04-01", "visit_date": "2026-04-06",
                        "funeral_date": "2026-04-04", "subject": 0}"#;
        let event: LifeEvent = serde_json::from_str(death).expect("reads");
        let funeral = EventDate::new("funeral_date").expect("reads");
        assert_eq!(event.named_date(funeral), Some(day(4)));
        assert_eq!(event.named_date(EventDate::VISIT_DATE), Some(day(6)));
        assert_eq!(event.subject, Some(0));
    }

    #[test]
    fn a_misspelt_or_repeated_field_is_an_error_not_a_guess() {
        for bad in [
            r#"{"kind": "tennyu", "date": "2026-04-01", "visit_date": "2026-04-02", "Funeral": "2026-04-03"}"#,
            r#"{"kind": "tennyu", "date": "2026-04-01", "visit_date": "2026-04-02", "funeral_date": "soon"}"#,
            r#"{"kind": "tennyu", "date": "2026-04-01", "move_date": "2026-04-01", "visit_date": "2026-04-02"}"#,
            r#"{"kind": "tennyu", "visit_date": "2026-04-02"}"#,
            r#"{"kind": "Tennyu", "date": "2026-04-01", "visit_date": "2026-04-02"}"#,
        ] {
            assert!(serde_json::from_str::<LifeEvent>(bad).is_err(), "{bad}");
        }
        let many: String = (0..=MAX_EVENT_DATES)
            .map(|i| format!(r#", "d{i}": "2026-04-03""#))
            .collect();
        let text = format!(
            r#"{{"kind": "tennyu", "date": "2026-04-01", "visit_date": "2026-04-02"{many}}}"#
        );
        assert!(serde_json::from_str::<LifeEvent>(&text).is_err());
    }
}
