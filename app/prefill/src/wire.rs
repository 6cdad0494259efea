//! The CBOR document of `docs/qr-format.md` §3, and its conversion to and from the domain's
//! case. Field numbers here are the array positions in the specification: change them only
//! with a new format version.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use madoguchi_domain::{
    Address, Answer, Case, CertificateKind, CertificateRequest, EventDate, EventKind,
    ForeignCategory, ForeignResident, Household, LifeEvent, MAX_EVENT_DATES, Member, Nationality,
    Person, Relation, ResidenceCardNumber, ResidenceStatus, Sex, Zokugara,
};
use minicbor::data::{Tag, Type};
use minicbor::encode::Write;
use minicbor::{Decode, Decoder, Encode, Encoder};

/// RFC 8943 full-date text tag.
const TAG_FULL_DATE: u64 = 1004;

#[derive(Debug, Encode, Decode)]
#[cbor(array)]
pub(crate) struct Document {
    #[n(0)]
    pub issued: Ymd,
    #[n(1)]
    pub expires: Ymd,
    #[n(2)]
    pub event: Event,
    #[n(3)]
    pub members: Vec<WireMember>,
    #[n(4)]
    pub applicant: u32,
    #[n(5)]
    pub answers: BTreeMap<String, WireAnswer>,
    #[n(6)]
    pub certificates: Vec<WireCertificate>,
    /// `MDG2`: the household's telephone number; absent when not given.
    #[n(7)]
    pub phone: Option<String>,
    /// `MDG2`: the 世帯主 the members join, when none of them heads the household.
    #[n(8)]
    pub joining_head: Option<String>,
    /// `MDG2`: 前の世帯主, when given.
    #[n(9)]
    pub previous_head: Option<String>,
}

#[derive(Debug, Encode, Decode)]
#[cbor(array)]
pub(crate) struct Event {
    /// A move's code, or (`MDG3`) any other event's catalogue id.
    #[n(0)]
    kind: TextOrCode,
    #[n(1)]
    move_date: Ymd,
    #[n(2)]
    visit_date: Ymd,
    #[n(3)]
    previous_address: Option<WireAddress>,
    #[n(4)]
    next_address: Option<WireAddress>,
    #[n(5)]
    moved_out_date: Option<Ymd>,
    #[n(6)]
    new_address: Option<WireAddress>,
    /// `MDG3`: the event's other named dates, by their catalogue ids.
    #[n(7)]
    dates: Option<BTreeMap<String, Ymd>>,
    /// `MDG3`: the member the event is about (the person who died, the child born).
    #[n(8)]
    subject: Option<u32>,
}

/// The moves and the codes `MDG1` and `MDG2` give them.
const MOVE_CODES: [(EventKind, u8); 3] = [
    (EventKind::TENNYU, 1),
    (EventKind::TENKYO, 2),
    (EventKind::TENSHUTSU, 3),
];

#[derive(Debug, Encode, Decode)]
#[cbor(array)]
pub(crate) struct WireMember {
    #[n(0)]
    name: String,
    #[n(1)]
    kana: Option<String>,
    #[n(2)]
    birth_date: Option<Ymd>,
    #[n(3)]
    sex: Option<u8>,
    #[n(4)]
    nationality: Option<u8>,
    #[n(5)]
    country: Option<String>,
    #[n(6)]
    relation: TextOrCode,
    #[n(7)]
    address: Option<WireAddress>,
    /// `MDG2`: what a foreign resident's card says.
    #[n(8)]
    residence: Option<WireResidence>,
}

/// A foreign resident's 在留カード facts (`docs/qr-format.md`, `Residence`).
#[derive(Debug, Default, Encode, Decode)]
#[cbor(array)]
pub(crate) struct WireResidence {
    #[n(0)]
    card_number: Option<String>,
    #[n(1)]
    status: Option<String>,
    #[n(2)]
    period_end: Option<Ymd>,
    #[n(3)]
    category: Option<u8>,
    #[n(4)]
    alias: Option<String>,
}

impl WireResidence {
    fn from_domain(resident: &ForeignResident) -> Option<WireResidence> {
        let wire = WireResidence {
            card_number: resident.card_number.clone().map(String::from),
            status: resident.status.map(String::from),
            period_end: resident.period_end.map(Ymd),
            category: resident.category.map(ForeignCategory::code),
            alias: resident.alias.clone(),
        };
        let empty = wire.card_number.is_none()
            && wire.status.is_none()
            && wire.period_end.is_none()
            && wire.category.is_none()
            && wire.alias.is_none();
        (!empty).then_some(wire)
    }

    fn to_domain(&self, country: Option<String>) -> Result<ForeignResident, Problem> {
        let card_number = self
            .card_number
            .as_deref()
            .map(ResidenceCardNumber::parse)
            .transpose()
            .map_err(|e| e.to_string())?;
        let status = self
            .status
            .as_deref()
            .map(ResidenceStatus::parse)
            .transpose()
            .map_err(|e| e.to_string())?;
        let category = match self.category {
            None => None,
            Some(code) => Some(
                ForeignCategory::from_code(code)
                    .ok_or_else(|| format!("unknown 区分 code {code}"))?,
            ),
        };
        Ok(ForeignResident {
            country,
            card_number,
            status,
            period_end: self.period_end.map(|d| d.0),
            category,
            alias: self.alias.clone(),
        })
    }
}

/// An element that is text in one version of the format and a small code in another: 続柄
/// (the 住民票's word in `MDG2`, the older format's category code, 0 head … 7 other, in
/// `MDG1`) and an event's kind (a move's code, 1 転入 … 3 転出, or from `MDG3` a catalogue id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextOrCode {
    Text(String),
    Code(u8),
}

impl<C> Encode<C> for TextOrCode {
    fn encode<W: Write>(
        &self,
        e: &mut Encoder<W>,
        _ctx: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        match self {
            TextOrCode::Text(word) => e.str(word)?,
            TextOrCode::Code(code) => e.u8(*code)?,
        };
        Ok(())
    }
}

impl<'b, C> Decode<'b, C> for TextOrCode {
    fn decode(d: &mut Decoder<'b>, _ctx: &mut C) -> Result<Self, minicbor::decode::Error> {
        match d.datatype()? {
            Type::String => Ok(TextOrCode::Text(d.str()?.to_owned())),
            _ => Ok(TextOrCode::Code(d.u8()?)),
        }
    }
}

#[derive(Debug, Encode, Decode)]
#[cbor(array)]
pub(crate) struct WireAddress {
    #[n(0)]
    text: String,
    #[n(1)]
    postal_code: Option<String>,
    /// `MDG2`: 方書, when typed apart.
    #[n(2)]
    building: Option<String>,
}

#[derive(Debug, Encode, Decode)]
#[cbor(array)]
pub(crate) struct WireCertificate {
    #[n(0)]
    kind: u8,
    #[n(1)]
    copies: u8,
}

/// A date as the unsigned integer `YYYYMMDD`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ymd(pub NaiveDate);

impl<C> Encode<C> for Ymd {
    fn encode<W: Write>(
        &self,
        e: &mut Encoder<W>,
        _ctx: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        let date = self.0;
        let number = date.year().max(0) as u32 * 10_000 + date.month() * 100 + date.day();
        e.u32(number)?;
        Ok(())
    }
}

impl<'b, C> Decode<'b, C> for Ymd {
    fn decode(d: &mut Decoder<'b>, _ctx: &mut C) -> Result<Self, minicbor::decode::Error> {
        let number = d.u32()?;
        let (year, month, day) = (number / 10_000, number / 100 % 100, number % 100);
        NaiveDate::from_ymd_opt(year as i32, month, day)
            .map(Ymd)
            .ok_or_else(|| minicbor::decode::Error::message("not a YYYYMMDD date"))
    }
}

/// An answer: `true`, `false`, `null` (「わからない」), an integer, a choice id, a tagged date, or
/// (`MDG2`) an array of member indices for a question about members.
#[derive(Debug, Clone)]
pub(crate) struct WireAnswer(pub Answer);

impl<C> Encode<C> for WireAnswer {
    fn encode<W: Write>(
        &self,
        e: &mut Encoder<W>,
        _ctx: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        match &self.0 {
            Answer::Yes => e.bool(true)?,
            Answer::No => e.bool(false)?,
            Answer::Unknown => e.null()?,
            Answer::Number(n) => e.i64(*n)?,
            Answer::Choice(id) => e.str(id)?,
            Answer::Date(date) => e
                .tag(Tag::new(TAG_FULL_DATE))?
                .str(&date.format("%Y-%m-%d").to_string())?,
            Answer::Members(list) => {
                e.array(list.len() as u64)?;
                for &index in list {
                    e.u32(u32::try_from(index).unwrap_or(u32::MAX))?;
                }
                e
            }
        };
        Ok(())
    }
}

impl<'b, C> Decode<'b, C> for WireAnswer {
    fn decode(d: &mut Decoder<'b>, _ctx: &mut C) -> Result<Self, minicbor::decode::Error> {
        let answer = match d.datatype()? {
            Type::Bool => {
                if d.bool()? {
                    Answer::Yes
                } else {
                    Answer::No
                }
            }
            Type::Null => {
                d.null()?;
                Answer::Unknown
            }
            Type::U8
            | Type::U16
            | Type::U32
            | Type::U64
            | Type::I8
            | Type::I16
            | Type::I32
            | Type::I64 => Answer::Number(d.i64()?),
            Type::String => Answer::Choice(d.str()?.to_owned()),
            Type::Array => Answer::members(member_indices(d)?),
            Type::Tag => {
                if d.tag()? != Tag::new(TAG_FULL_DATE) {
                    return Err(minicbor::decode::Error::message("unknown tag in an answer"));
                }
                let text = d.str()?;
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map(Answer::Date)
                    .map_err(|_| {
                        minicbor::decode::Error::message("answer date is not YYYY-MM-DD")
                    })?
            }
            _ => return Err(minicbor::decode::Error::message("unexpected answer type")),
        };
        Ok(WireAnswer(answer))
    }
}

/// The definite-length array of member indices a members answer is, bounded by the largest
/// household before anything is held.
fn member_indices(d: &mut Decoder<'_>) -> Result<Vec<usize>, minicbor::decode::Error> {
    let length = d
        .array()?
        .ok_or_else(|| minicbor::decode::Error::message("a members answer of unknown length"))?;
    if length > madoguchi_domain::limits::MAX_MEMBERS as u64 {
        return Err(minicbor::decode::Error::message(
            "a members answer names more members than a household holds",
        ));
    }
    (0..length).map(|_| Ok(d.u32()? as usize)).collect()
}

/// Why part of a well-formed document is not part of a case.
type Problem = String;

/// Why a well-formed document is not a case.
#[derive(Debug)]
pub(crate) enum Invalid {
    /// It breaks the format or the limits of a case.
    Content(Problem),
    /// An `MDG1` code whose content cannot be said in today's terms (a 続柄 its category does
    /// not decide); the resident makes a new code.
    OlderFormat(String),
}

impl From<Problem> for Invalid {
    fn from(problem: Problem) -> Invalid {
        Invalid::Content(problem)
    }
}

impl Document {
    pub fn from_case(case: &Case, issued: NaiveDate, expires: NaiveDate) -> Document {
        Document {
            issued: Ymd(issued),
            expires: Ymd(expires),
            event: Event::from_domain(&case.event),
            members: case
                .household
                .members
                .iter()
                .map(WireMember::from_domain)
                .collect(),
            applicant: u32::try_from(case.applicant).unwrap_or(u32::MAX),
            answers: case
                .answers
                .iter()
                .map(|(id, answer)| (id.clone(), WireAnswer(answer.clone())))
                .collect(),
            certificates: case
                .certificates
                .iter()
                .map(|request| WireCertificate {
                    kind: certificate_code(request.kind),
                    copies: request.copies,
                })
                .collect(),
            phone: case.phone.clone(),
            joining_head: case.household.joining_head.clone(),
            previous_head: case.household.previous_head.clone(),
        }
    }

    /// The case this document holds, read by the rules of format `version`.
    pub fn to_case(&self, version: u8) -> Result<Case, Invalid> {
        let members = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| m.to_domain(version, i))
            .collect::<Result<Vec<_>, _>>()?;
        let certificates = self
            .certificates
            .iter()
            .map(|c| {
                let kind = CertificateKind::ALL
                    .into_iter()
                    .find(|k| certificate_code(*k) == c.kind)
                    .ok_or_else(|| format!("unknown certificate kind {}", c.kind))?;
                if !(1..=9).contains(&c.copies) {
                    return Err(format!("{} copies of a certificate", c.copies));
                }
                Ok(CertificateRequest {
                    kind,
                    copies: c.copies,
                })
            })
            .collect::<Result<Vec<_>, Problem>>()?;
        let case = Case {
            phone: self.phone.clone(),
            event: self.event.to_domain(version)?,
            household: Household {
                members,
                joining_head: self.joining_head.clone(),
                previous_head: self.previous_head.clone(),
            },
            applicant: self.applicant as usize,
            answers: self
                .answers
                .iter()
                .map(|(id, answer)| (id.clone(), answer.0.clone()))
                .collect(),
            certificates,
            // A code made at home leaves nothing for the resident to write, and names no
            // 代理人: both are recorded by the clerk at the counter.
            resident_writes: Default::default(),
            proxy: None,
            // Identification happens at the counter, never in a code made at home.
            identified_by: None,
        };
        case.validate()
            .map_err(|e| Invalid::Content(e.to_string()))?;
        Ok(case)
    }
}

fn certificate_code(kind: CertificateKind) -> u8 {
    match kind {
        CertificateKind::Juminhyo => 1,
        CertificateKind::JuminhyoKisaiJiko => 2,
        CertificateKind::InkanTourokuShomei => 3,
    }
}

impl Event {
    fn from_domain(event: &LifeEvent) -> Event {
        let kind = MOVE_CODES
            .iter()
            .find(|(kind, _)| *kind == event.kind)
            .map_or_else(
                || TextOrCode::Text(event.kind.id().to_string()),
                |(_, code)| TextOrCode::Code(*code),
            );
        let others: BTreeMap<String, Ymd> = event
            .dates
            .iter()
            .filter(|(id, _)| **id != EventDate::MOVED_OUT_DATE)
            .map(|(id, date)| (id.id().to_string(), Ymd(*date)))
            .collect();
        Event {
            kind,
            move_date: Ymd(event.date),
            visit_date: Ymd(event.visit_date),
            previous_address: event
                .previous_address
                .as_ref()
                .map(WireAddress::from_domain),
            next_address: event.next_address.as_ref().map(WireAddress::from_domain),
            moved_out_date: event.moved_out_date().map(Ymd),
            new_address: event.new_address.as_ref().map(WireAddress::from_domain),
            dates: (!others.is_empty()).then_some(others),
            subject: event.subject.map(|i| u32::try_from(i).unwrap_or(u32::MAX)),
        }
    }

    /// Whether `MDG2` can say this event: a move with no dates or member of `MDG3`'s. A
    /// writer uses the oldest version that holds the code, so that kiosks not yet upgraded
    /// still read the moves they know.
    pub fn fits_version_2(&self) -> bool {
        matches!(self.kind, TextOrCode::Code(_)) && self.dates.is_none() && self.subject.is_none()
    }

    fn to_domain(&self, version: u8) -> Result<LifeEvent, Problem> {
        let kind = match &self.kind {
            TextOrCode::Code(code) => MOVE_CODES
                .iter()
                .find(|(_, c)| c == code)
                .map(|(kind, _)| *kind)
                .ok_or_else(|| format!("unknown event kind {code}"))?,
            TextOrCode::Text(id) if version >= 3 => {
                EventKind::new(id).map_err(|e| format!("event kind: {e}"))?
            }
            TextOrCode::Text(_) => return Err("an event kind as text before MDG3".into()),
        };
        let address = |a: &Option<WireAddress>| a.as_ref().map(WireAddress::to_domain);
        let mut event = LifeEvent::new(kind, self.move_date.0, self.visit_date.0);
        event.previous_address = address(&self.previous_address);
        event.new_address = address(&self.new_address);
        event.next_address = address(&self.next_address);
        if let Some(date) = self.moved_out_date {
            event.dates.insert(EventDate::MOVED_OUT_DATE, date.0);
        }
        // Elements a version does not define are ignored (§3.2).
        if version >= 3 {
            let others = self.dates.iter().flatten();
            if others.clone().count() > MAX_EVENT_DATES {
                return Err(format!("more than {MAX_EVENT_DATES} event dates"));
            }
            for (id, date) in others {
                let id = EventDate::new(id).map_err(|e| format!("event date: {e}"))?;
                if EventDate::RESERVED.contains(&id.id())
                    || event.dates.insert(id, date.0).is_some()
                {
                    return Err(format!("event date `{id}` is not a date of its own"));
                }
            }
            event.subject = self.subject.map(|i| i as usize);
        }
        Ok(event)
    }
}

impl WireMember {
    fn from_domain(member: &Member) -> WireMember {
        let person = &member.person;
        let (nationality, country, residence) = match &person.nationality {
            None => (None, None, None),
            Some(Nationality::Japanese) => (Some(0), None, None),
            Some(Nationality::Foreign(resident)) => (
                Some(1),
                resident.country.clone(),
                WireResidence::from_domain(resident),
            ),
        };
        WireMember {
            name: person.name.clone(),
            kana: person.kana.clone(),
            birth_date: person.birth_date.map(Ymd),
            sex: person.sex.map(|sex| match sex {
                Sex::Male => 1,
                Sex::Female => 2,
            }),
            nationality,
            country,
            relation: TextOrCode::Text(member.relation.word().to_owned()),
            address: person.address.as_ref().map(WireAddress::from_domain),
            residence,
        }
    }

    fn to_domain(&self, version: u8, index: usize) -> Result<Member, Invalid> {
        let content = |problem: String| Invalid::Content(format!("member {index}: {problem}"));
        let sex = match self.sex {
            None => None,
            Some(1) => Some(Sex::Male),
            Some(2) => Some(Sex::Female),
            Some(other) => return Err(content(format!("unknown sex code {other}"))),
        };
        let nationality = match (self.nationality, &self.country) {
            (None, _) => None,
            (Some(0), _) => Some(Nationality::Japanese),
            (Some(1), country) => Some(Nationality::Foreign(
                self.residence
                    .as_ref()
                    .map_or_else(
                        || {
                            Ok(ForeignResident {
                                country: country.clone(),
                                ..ForeignResident::default()
                            })
                        },
                        |residence| residence.to_domain(country.clone()),
                    )
                    .map_err(content)?,
            )),
            (Some(other), _) => {
                return Err(content(format!("unknown nationality code {other}")));
            }
        };
        if self.residence.is_some() && !nationality.as_ref().is_some_and(Nationality::is_foreign) {
            return Err(content(
                "在留カード facts for a member who is not foreign".into(),
            ));
        }
        let relation = match (&self.relation, version) {
            (TextOrCode::Text(word), 2..) => Zokugara::from_word(word)
                .ok_or_else(|| content("a 続柄 the 住民票 does not use".into()))?,
            (TextOrCode::Code(code), 1) => {
                let category = *Relation::ALL
                    .get(usize::from(*code))
                    .ok_or_else(|| content(format!("unknown relation code {code}")))?;
                Zokugara::from_category(category, sex).map_err(|_| {
                    Invalid::OlderFormat(format!("member {} ({})", index + 1, category.id()))
                })?
            }
            (TextOrCode::Text(_), _) => {
                return Err(content("a 続柄 as text in an MDG1 code".into()));
            }
            (TextOrCode::Code(_), _) => {
                return Err(content("a 続柄 as a number; MDG2 writes the word".into()));
            }
        };
        Ok(Member {
            person: Person {
                name: self.name.clone(),
                kana: self.kana.clone(),
                birth_date: self.birth_date.map(|d| d.0),
                sex,
                nationality,
                address: self.address.as_ref().map(WireAddress::to_domain),
            },
            relation,
        })
    }
}

impl WireAddress {
    fn from_domain(address: &Address) -> WireAddress {
        WireAddress {
            text: address.text.clone(),
            postal_code: address.postal_code.clone(),
            building: address.building.clone(),
        }
    }

    fn to_domain(&self) -> Address {
        Address {
            text: self.text.clone(),
            building: self.building.clone(),
            postal_code: self.postal_code.clone(),
            parts: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> Result<Answer, minicbor::decode::Error> {
        minicbor::decode::<WireAnswer>(bytes).map(|wire| wire.0)
    }

    #[test]
    fn a_members_answer_is_an_array_of_indices_within_a_household() {
        let bytes = minicbor::to_vec(WireAnswer(Answer::members([2, 0]))).expect("encodes");
        assert_eq!(bytes, [0x82, 0x00, 0x02]);
        assert_eq!(
            decoded(&bytes).expect("decodes"),
            Answer::Members(vec![0, 2])
        );
        // More indices than a household holds is refused before anything is kept.
        let mut long = vec![0x98, 31];
        long.extend([0u8; 31]);
        assert!(decoded(&long).is_err());
        // An indefinite-length array is not the format's.
        assert!(decoded(&[0x9f, 0x00, 0xff]).is_err());
    }
}
