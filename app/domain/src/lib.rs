//! Plain data types shared by every Madoguchi crate.
//!
//! This crate owns the vocabulary of a case at the counter: the [`Person`] as read from a My
//! Number card or typed by a clerk, their [`Address`], the [`Household`] that moves with each
//! member's 続柄 ([`Zokugara`], as the 住民票 writes it, and the [`Relation`] category rules
//! use), the
//! [`LifeEvent`] (one of the catalogue's events — 転入, 死亡, 出生 … — with its dates and the
//! member it is about), the typed [`Answer`]s to interview questions,
//! and the [`Case`] that holds them all. It also owns the two ways Japanese administration
//! counts time that every other crate needs: ages as the law counts them ([`age`]) and 和暦
//! dates ([`wareki`]); and the ルビ marks of plain-Japanese texts ([`ruby`]).
//!
//! No I/O and no UI live here; the types serialise to the case JSON documented in
//! `docs/case.md`.

pub mod age;
mod answer;
pub mod calendar;
mod case;
mod certificate;
mod event;
mod filer;
pub mod foreign;
pub mod identity;
pub mod input;
mod language;
pub mod limits;
mod person;
pub mod ruby;
pub mod wareki;
mod zokugara;

pub use answer::{Answer, Answers};
pub use case::{Case, CaseError, CaseReadError};
pub use certificate::{CertificateKind, CertificateRequest};
pub use event::{EventDate, EventKind, IdError, LifeEvent, MAX_EVENT_DATES};
pub use filer::{FilerRole, Proxy, is_phone};
pub use foreign::{ForeignCategory, ForeignResident, ResidenceCardNumber, ResidenceStatus};
pub use identity::IdentityDocument;
pub use language::Language;
pub use person::{Address, AddressParts, Household, Member, Nationality, Person, Relation, Sex};
pub use zokugara::{Zokugara, ZokugaraError};

/// Calendar dates everywhere in Madoguchi are plain proleptic Gregorian dates without time.
pub use chrono::NaiveDate as Date;
