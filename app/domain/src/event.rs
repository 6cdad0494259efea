//! Life events: the reason the resident is at the counter.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::person::Address;

/// What happened, with the dates the law counts deadlines from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LifeEvent {
    /// 転入: moving in from another municipality.
    Tennyu {
        /// 異動日: the day the household started living at the new address.
        move_date: NaiveDate,
        /// 届出日: the day of the visit to the counter.
        visit_date: NaiveDate,
        /// The address in the previous municipality.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_address: Option<Address>,
        /// 転出(予定)日 given to the previous municipality; the child allowance and the card's
        /// 90-day limit count from it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved_out_date: Option<NaiveDate>,
        /// The new address in this municipality (新住所), for the forms.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_address: Option<Address>,
    },
    /// 転居: moving within the municipality.
    Tenkyo {
        move_date: NaiveDate,
        visit_date: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_address: Option<Address>,
        /// The new address (新住所).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_address: Option<Address>,
    },
    /// 転出: moving out of the municipality (the move date may be planned).
    Tenshutsu {
        move_date: NaiveDate,
        visit_date: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_address: Option<Address>,
    },
}

/// The kind of a life event, as named in catalogue conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Tennyu,
    Tenkyo,
    Tenshutsu,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [EventKind::Tennyu, EventKind::Tenkyo, EventKind::Tenshutsu];

    pub fn id(self) -> &'static str {
        match self {
            EventKind::Tennyu => "tennyu",
            EventKind::Tenkyo => "tenkyo",
            EventKind::Tenshutsu => "tenshutsu",
        }
    }

    pub fn from_id(id: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.id() == id)
    }

    pub fn ja(self) -> &'static str {
        match self {
            EventKind::Tennyu => "転入",
            EventKind::Tenkyo => "転居",
            EventKind::Tenshutsu => "転出",
        }
    }

    /// In やさしい日本語, with ルビ marks (`madoguchi_domain::ruby`).
    pub fn easy(self) -> &'static str {
        match self {
            EventKind::Tennyu => {
                "転入《てんにゅう》（ほかの 市町村《しちょうそん》から 引《ひ》っ越《こ》して 来《き》た）"
            }
            EventKind::Tenkyo => {
                "転居《てんきょ》（同《おな》じ 市《し》の 中《なか》で 引《ひ》っ越《こ》した）"
            }
            EventKind::Tenshutsu => {
                "転出《てんしゅつ》（ほかの 市町村《しちょうそん》へ 引《ひ》っ越《こ》す）"
            }
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            EventKind::Tennyu => "moving in",
            EventKind::Tenkyo => "moving within the city",
            EventKind::Tenshutsu => "moving out",
        }
    }
}

/// The named dates of an event that deadlines are counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventDate {
    /// 異動日
    MoveDate,
    /// 届出日 (the visit)
    VisitDate,
    /// 転出(予定)日 at the previous municipality (転入 only)
    MovedOutDate,
}

impl EventDate {
    pub const ALL: [EventDate; 3] = [
        EventDate::MoveDate,
        EventDate::VisitDate,
        EventDate::MovedOutDate,
    ];

    pub fn id(self) -> &'static str {
        match self {
            EventDate::MoveDate => "move_date",
            EventDate::VisitDate => "visit_date",
            EventDate::MovedOutDate => "moved_out_date",
        }
    }

    pub fn from_id(id: &str) -> Option<EventDate> {
        EventDate::ALL.into_iter().find(|d| d.id() == id)
    }

    pub fn ja(self) -> &'static str {
        match self {
            EventDate::MoveDate => "異動日",
            EventDate::VisitDate => "届出日",
            EventDate::MovedOutDate => "前住所地の転出日",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            EventDate::MoveDate => "the move date",
            EventDate::VisitDate => "the visit date",
            EventDate::MovedOutDate => "the move-out date at the previous city",
        }
    }
}

impl LifeEvent {
    pub fn kind(&self) -> EventKind {
        match self {
            LifeEvent::Tennyu { .. } => EventKind::Tennyu,
            LifeEvent::Tenkyo { .. } => EventKind::Tenkyo,
            LifeEvent::Tenshutsu { .. } => EventKind::Tenshutsu,
        }
    }

    /// The date the event happened (or will happen): ages and rules are taken on this day.
    pub fn move_date(&self) -> NaiveDate {
        match self {
            LifeEvent::Tennyu { move_date, .. }
            | LifeEvent::Tenkyo { move_date, .. }
            | LifeEvent::Tenshutsu { move_date, .. } => *move_date,
        }
    }

    pub fn visit_date(&self) -> NaiveDate {
        match self {
            LifeEvent::Tennyu { visit_date, .. }
            | LifeEvent::Tenkyo { visit_date, .. }
            | LifeEvent::Tenshutsu { visit_date, .. } => *visit_date,
        }
    }

    /// Sets the day of the visit: a code made at home names the day the resident planned to
    /// come, the counter files on the day they do.
    pub fn set_visit_date(&mut self, date: NaiveDate) {
        match self {
            LifeEvent::Tennyu { visit_date, .. }
            | LifeEvent::Tenkyo { visit_date, .. }
            | LifeEvent::Tenshutsu { visit_date, .. } => *visit_date = date,
        }
    }

    /// The named date, when this event has it and it is known.
    pub fn date(&self, which: EventDate) -> Option<NaiveDate> {
        match which {
            EventDate::MoveDate => Some(self.move_date()),
            EventDate::VisitDate => Some(self.visit_date()),
            EventDate::MovedOutDate => match self {
                LifeEvent::Tennyu { moved_out_date, .. } => *moved_out_date,
                _ => None,
            },
        }
    }
}
