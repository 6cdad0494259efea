//! People, addresses and households.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::age;
use crate::foreign::ForeignResident;
use crate::zokugara::{Zokugara, ZokugaraError};

/// A resident as the counter knows them. Names and addresses are kept exactly as on the card
/// (byte-exact UTF-8, including rare kanji); any field may be unknown until read or asked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// 氏名, exactly as printed on the card.
    pub name: String,
    /// ふりがな; the card does not carry it, so the clerk confirms it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Unknown until asked: the card's basic facts do not include it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<Nationality>,
    /// 住所, as on the card (for a move-in this is usually the previous address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

impl Person {
    /// Age on `date` as the law counts it; `None` when the birth date is unknown.
    pub fn legal_age_on(&self, date: NaiveDate) -> Option<u32> {
        self.birth_date.map(|birth| age::legal_age(birth, date))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// Nationality as far as the counter needs it: a foreign resident has a 在留カード or 特別永住者
/// 証明書 and extra procedures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nationality {
    Japanese,
    /// A foreign resident, with what the 住民票 records of them (国籍・地域, 在留カード …).
    Foreign(ForeignResident),
}

impl Nationality {
    pub fn is_foreign(&self) -> bool {
        matches!(self, Nationality::Foreign(_))
    }

    /// A foreign resident of whom only the 国籍・地域 is known (or not even that).
    pub fn foreign_from(country: Option<String>) -> Nationality {
        Nationality::Foreign(ForeignResident {
            country,
            ..ForeignResident::default()
        })
    }

    /// The foreign resident's facts, `None` for a Japanese national.
    pub fn foreign(&self) -> Option<&ForeignResident> {
        match self {
            Nationality::Foreign(resident) => Some(resident),
            Nationality::Japanese => None,
        }
    }
}

/// An address as written on the card, with its parts when a clerk or a postal look-up has
/// split it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "AddressDocument")]
pub struct Address {
    /// The address exactly as on the card or as typed: the whole of it when `building` is
    /// empty, else up to the 番地・号 (the 住居表示), with the 方書 apart.
    pub text: String,
    /// 方書 (building and room, 「さくらハイツ201」), typed apart as the 住民票 keeps it apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    /// 郵便番号 as seven digits, without the hyphen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<AddressParts>,
}

impl Address {
    /// The address as one line, the 方書 after a full-width space: what a form with one box
    /// for the address prints.
    pub fn whole(&self) -> String {
        match self.building.as_deref().map(str::trim) {
            Some(building) if !building.is_empty() => format!("{}\u{3000}{building}", self.text),
            _ => self.text.clone(),
        }
    }
}

/// An address as a document writes it. Files written before the 方書 had its own field kept
/// it in `parts.building`; it is read into [`Address::building`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressDocument {
    text: String,
    #[serde(default)]
    building: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
    #[serde(default)]
    parts: Option<AddressPartsDocument>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressPartsDocument {
    prefecture: String,
    municipality: String,
    street: String,
    #[serde(default)]
    building: Option<String>,
}

impl From<AddressDocument> for Address {
    fn from(document: AddressDocument) -> Address {
        let mut building = document.building;
        let parts = document.parts.map(|parts| {
            building = building.take().or(parts.building);
            AddressParts {
                prefecture: parts.prefecture,
                municipality: parts.municipality,
                street: parts.street,
            }
        });
        Address {
            text: document.text,
            building,
            postal_code: document.postal_code,
            parts,
        }
    }
}

/// The parts of an address, for forms that print them in separate boxes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressParts {
    /// 都道府県
    pub prefecture: String,
    /// 市区町村
    pub municipality: String,
    /// 町名・丁目・番地・号 (the 方書 is [`Address::building`])
    pub street: String,
}

/// The category of a member's relation to the head of household, as rules name it
/// (`relation in [spouse, child]`). A member's 続柄 itself is a [`Zokugara`], which says the
/// category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// 世帯主
    Head,
    /// 妻 / 夫 (未届を含む)
    Spouse,
    /// 子
    Child,
    /// 父 / 母
    Parent,
    /// 孫
    Grandchild,
    /// 兄弟姉妹
    Sibling,
    /// その他の親族
    OtherRelative,
    /// 同居人 / 縁故者
    Other,
}

impl Relation {
    pub const ALL: [Relation; 8] = [
        Relation::Head,
        Relation::Spouse,
        Relation::Child,
        Relation::Parent,
        Relation::Grandchild,
        Relation::Sibling,
        Relation::OtherRelative,
        Relation::Other,
    ];

    /// The id used in case JSON and in catalogue conditions.
    pub fn id(self) -> &'static str {
        match self {
            Relation::Head => "head",
            Relation::Spouse => "spouse",
            Relation::Child => "child",
            Relation::Parent => "parent",
            Relation::Grandchild => "grandchild",
            Relation::Sibling => "sibling",
            Relation::OtherRelative => "other_relative",
            Relation::Other => "other",
        }
    }

    pub fn from_id(id: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.id() == id)
    }

    /// The category's name, for supervisors reading a rule (not a 続柄: forms print the
    /// member's [`Zokugara`]).
    pub fn ja(self) -> &'static str {
        match self {
            Relation::Head => "世帯主",
            Relation::Spouse => "配偶者",
            Relation::Child => "子",
            Relation::Parent => "父母",
            Relation::Grandchild => "孫",
            Relation::Sibling => "兄弟姉妹",
            Relation::OtherRelative => "その他の親族",
            Relation::Other => "同居人",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Relation::Head => "head of household",
            Relation::Spouse => "spouse",
            Relation::Child => "child",
            Relation::Parent => "parent",
            Relation::Grandchild => "grandchild",
            Relation::Sibling => "sibling",
            Relation::OtherRelative => "other relative",
            Relation::Other => "other co-resident",
        }
    }
}

/// One person of the household that the case is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MemberDocument")]
pub struct Member {
    pub person: Person,
    /// 続柄, as the 住民票 writes it.
    pub relation: Zokugara,
}

impl Member {
    /// The category rules name (`spouse`, `child` …), derived from the 続柄.
    pub fn category(&self) -> Relation {
        self.relation.category()
    }
}

/// A member as a document writes it: the 続柄 is text, read with the member's sex so that the
/// older format's `"spouse"` still becomes 妻 or 夫.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberDocument {
    person: Person,
    relation: String,
}

impl TryFrom<MemberDocument> for Member {
    type Error = ZokugaraError;

    fn try_from(document: MemberDocument) -> Result<Member, ZokugaraError> {
        let relation = Zokugara::read(&document.relation, document.person.sex)?;
        Ok(Member {
            person: document.person,
            relation,
        })
    }
}

/// The members who take part in the life event (for a move-in: everyone who moves), and the
/// heads of the households they leave and join when those are not among them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Household {
    pub members: Vec<Member>,
    /// 世帯主 of the household the members join, when nobody who moves is its head (moving
    /// into a relative's household: 既存世帯への転入). The members' 続柄 are then to this person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joining_head: Option<String>,
    /// 前の世帯主: the head of the household the members leave, when that is not the member
    /// who heads them now (a student leaving the parents' household).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_head: Option<String>,
}

impl Household {
    /// The member recorded as 世帯主, if one moves.
    pub fn head_member(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.category() == Relation::Head)
    }

    /// The new household's 世帯主: the member who heads it, else the head they join.
    pub fn head_name(&self) -> Option<&str> {
        self.head_member()
            .map(|m| m.person.name.as_str())
            .or(self.joining_head.as_deref())
    }

    /// 前の世帯主: as given, else the member who heads a household moving together (the
    /// family that moves as one keeps its head). A person moving alone may have left
    /// someone else's household, so nothing is guessed for them.
    pub fn previous_head_name(&self) -> Option<&str> {
        self.previous_head.as_deref().or_else(|| {
            (self.members.len() > 1)
                .then(|| self.head_member())
                .flatten()
                .map(|m| m.person.name.as_str())
        })
    }
}
