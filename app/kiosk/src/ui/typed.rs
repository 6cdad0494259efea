//! What the clerk typed, read from the window and checked: a person, a member, an event.
//! Every problem is one notice in both languages saying what to fix.

use chrono::NaiveDate;
use madoguchi_domain::foreign::RESIDENCE_STATUSES;
use madoguchi_domain::input;
use madoguchi_domain::{
    Address, EventDate, EventKind, ForeignCategory, ForeignResident, LifeEvent, Member,
    Nationality, Person, ResidenceStatus, Sex, Zokugara,
};

use super::People;
use crate::session::{Notice, field_notice};

/// The 続柄 at a picker's index (the household screen offers [`Zokugara::all`] in order); an
/// index the picker cannot give reads as 同居人.
pub fn relation(index: i32) -> Zokugara {
    usize::try_from(index)
        .ok()
        .and_then(Zokugara::from_index)
        .unwrap_or(Zokugara::COHABITANT)
}

pub fn relation_index(relation: Zokugara) -> i32 {
    i32::try_from(relation.index()).unwrap_or(0)
}

/// The sex picker's index for the sex a 続柄 says (妻 → 女), if it says one.
pub fn sex_index_of(relation: Zokugara) -> Option<i32> {
    relation.sex().map(|sex| i32::from(sex == Sex::Female))
}

/// The typed fields, copied out of the window.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub name: String,
    pub kana: String,
    pub birth: String,
    pub sex: i32,
    pub relation: i32,
    pub address: String,
    /// 0 日本, 1 日本以外.
    pub foreign: i32,
    pub country: String,
    pub card: String,
    /// Index into [`status_choices`] (0: not chosen).
    pub status: i32,
    pub until: String,
    /// Index into [`category_choices`] (0: not chosen).
    pub category: i32,
    pub alias: String,
    pub event_kind: i32,
    pub move_date: String,
    pub moved_out_date: String,
    pub new_address: String,
    pub new_postal: String,
    pub new_building: String,
    pub previous_address: String,
}

/// The 在留資格 picker's entries: `none` first, then [`RESIDENCE_STATUSES`].
pub fn status_choices(none: &'static str) -> Vec<&'static str> {
    std::iter::once(none).chain(RESIDENCE_STATUSES).collect()
}

/// The 区分 picker's entries: `none` first, then [`ForeignCategory::ALL`].
pub fn category_choices(none: &'static str) -> Vec<&'static str> {
    std::iter::once(none)
        .chain(ForeignCategory::ALL.map(ForeignCategory::ja))
        .collect()
}

impl Typed {
    pub fn read(people: &People<'_>) -> Typed {
        Typed {
            name: people.get_person_name().trim().to_string(),
            kana: people.get_person_kana().trim().to_string(),
            birth: people.get_person_birth().to_string(),
            sex: people.get_person_sex(),
            relation: people.get_person_relation(),
            address: people.get_person_address().trim().to_string(),
            foreign: people.get_person_foreign(),
            country: people.get_person_country().trim().to_string(),
            card: people.get_person_card().trim().to_string(),
            status: people.get_person_status(),
            until: people.get_person_until().trim().to_string(),
            category: people.get_person_category(),
            alias: people.get_person_alias().trim().to_string(),
            event_kind: people.get_event_kind(),
            move_date: people.get_move_date().to_string(),
            moved_out_date: people.get_moved_out_date().to_string(),
            new_address: people.get_new_address().trim().to_string(),
            new_postal: people.get_new_postal().trim().to_string(),
            new_building: people.get_new_building().trim().to_string(),
            previous_address: people.get_previous_address().trim().to_string(),
        }
    }

    /// The person; `with_address` for the applicant, whose address is the previous one.
    pub fn person(&self, with_address: bool) -> Result<Person, Notice> {
        if self.name.is_empty() {
            return Err(Notice::new("氏名を入力してください", "Enter the name"));
        }
        let birth_date =
            input::date(&self.birth).map_err(|e| field_notice(("生年月日", "Date of birth"), e))?;
        let kana = input::optional_kana(&self.kana)
            .map_err(|e| field_notice(("ふりがな", "Reading"), e))?;
        Ok(Person {
            name: self.name.clone(),
            kana,
            birth_date: Some(birth_date),
            sex: Some(if self.sex == 1 {
                Sex::Female
            } else {
                Sex::Male
            }),
            nationality: Some(self.nationality()?),
            address: (with_address && !self.address.is_empty()).then(|| Address {
                building: None,
                text: self.address.clone(),
                ..Address::default()
            }),
        })
    }

    /// 日本, or a foreign resident with what was typed from the card, each value checked.
    fn nationality(&self) -> Result<Nationality, Notice> {
        if self.foreign != 1 {
            return Ok(Nationality::Japanese);
        }
        let text = |t: &str| (!t.is_empty()).then(|| t.to_string());
        let card_number = input::optional_residence_card(&self.card)
            .map_err(|e| field_notice(("在留カード等番号", "Residence card number"), e))?;
        let period_end = input::optional_date(&self.until)
            .map_err(|e| field_notice(("在留期間の満了日", "Period of stay ends"), e))?;
        let pick = |index: i32| {
            usize::try_from(index)
                .ok()
                .filter(|i| *i > 0)
                .map(|i| i - 1)
        };
        Ok(Nationality::Foreign(ForeignResident {
            country: text(&self.country),
            card_number,
            status: pick(self.status)
                .and_then(|i| RESIDENCE_STATUSES.get(i))
                .and_then(|s| ResidenceStatus::parse(s).ok()),
            period_end,
            category: pick(self.category).and_then(|i| ForeignCategory::ALL.get(i).copied()),
            alias: text(&self.alias),
        }))
    }

    /// A member of the household. Where the 続柄 says the sex (妻, 母, 子の夫 …), the sex is
    /// the 続柄's: the picker follows it on screen, and a record cannot contradict itself.
    pub fn member(&self) -> Result<Member, Notice> {
        let relation = relation(self.relation);
        let mut person = self.person(false)?;
        if let Some(sex) = relation.sex() {
            person.sex = Some(sex);
        }
        Ok(Member { person, relation })
    }

    pub fn event(&self, today: NaiveDate) -> Result<LifeEvent, Notice> {
        let move_date =
            input::date(&self.move_date).map_err(|e| field_notice(("異動日", "Moving date"), e))?;
        let postal = input::optional_postal_code(&self.new_postal)
            .map_err(|e| field_notice(("郵便番号", "Postal code"), e))?;
        let building = (!self.new_building.is_empty()).then(|| self.new_building.clone());
        let address = |text: &str, postal_code: Option<String>, building: Option<String>| {
            (!text.is_empty()).then(|| Address {
                building,
                text: text.to_string(),
                postal_code,
                parts: None,
            })
        };
        if self.new_address.is_empty() {
            return Err(Notice::new(
                "新しい住所を入力してください",
                "Enter the new address",
            ));
        }
        // The 方書 field is shown for an address in this city only (転入・転居).
        let new_address = if self.event_kind == 2 {
            address(&self.new_address, postal, None)
        } else {
            address(&self.new_address, postal, building)
        };
        let previous_address = address(&self.previous_address, None, None);
        Ok(match self.event_kind {
            0 => {
                let mut event = LifeEvent::new(EventKind::TENNYU, move_date, today);
                if let Some(date) = input::optional_date(&self.moved_out_date)
                    .map_err(|e| field_notice(("転出した日", "Move-out date"), e))?
                {
                    event.dates.insert(EventDate::MOVED_OUT_DATE, date);
                }
                event.previous_address = previous_address;
                event.new_address = new_address;
                event
            }
            1 => {
                let mut event = LifeEvent::new(EventKind::TENKYO, move_date, today);
                event.previous_address = previous_address;
                event.new_address = new_address;
                event
            }
            _ => {
                let mut event = LifeEvent::new(EventKind::TENSHUTSU, move_date, today);
                event.next_address = new_address;
                event
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn a_typed_move_in_becomes_the_event() {
        let typed = Typed {
            event_kind: 0,
            move_date: "R8.11.15".into(),
            new_address: "標準市中央一丁目2番3号".into(),
            new_postal: "１００－０００１".into(),
            ..Typed::default()
        };
        let event = typed.event(date(2026, 11, 20)).expect("event");
        assert_eq!(event.kind, EventKind::TENNYU);
        assert_eq!(event.date, date(2026, 11, 15));
        assert_eq!(event.visit_date, date(2026, 11, 20));
        assert_eq!(event.moved_out_date(), None);
        assert_eq!(
            event.new_address.and_then(|a| a.postal_code).as_deref(),
            Some("1000001")
        );
    }

    #[test]
    fn missing_or_wrong_fields_say_what_to_fix() {
        let typed = Typed {
            move_date: "あした".into(),
            new_address: "x".into(),
            ..Typed::default()
        };
        let error = typed.event(date(2026, 11, 20)).expect_err("bad date");
        assert!(error.ja.contains("異動日"));
        let error = Typed::default().person(true).expect_err("no name");
        assert!(error.ja.contains("氏名"));
        let typed = Typed {
            name: "窓口 花子".into(),
            birth: "1992-13-01".into(),
            ..Typed::default()
        };
        assert!(
            typed
                .member()
                .expect_err("bad birth")
                .ja
                .contains("生年月日")
        );
    }

    /// The event screen reads what the clerk types as the home page and the supervisor's
    /// editor do: a 和暦 date is the same day, and a bad postal code is refused with the field
    /// named — never dropped.
    #[test]
    fn the_event_screen_reads_dates_and_postal_codes_as_everywhere_else() {
        let typed = Typed {
            event_kind: 0,
            move_date: "令和8年4月1日".into(),
            new_address: "標準市中央一丁目2番3号".into(),
            new_postal: "123-456".into(),
            ..Typed::default()
        };
        let refused = typed
            .event(date(2026, 4, 2))
            .expect_err("a bad postal code");
        assert_eq!(
            refused.ja,
            format!("郵便番号：{}", input::InputError::PostalCode.message_ja())
        );
        let typed = Typed {
            new_postal: String::new(),
            ..typed
        };
        let event = typed.event(date(2026, 4, 2)).expect("event");
        assert_eq!(event.move_date(), date(2026, 4, 1));
    }

    #[test]
    fn relations_round_trip_through_their_index() {
        for (index, zokugara) in Zokugara::all().enumerate() {
            let index = i32::try_from(index).expect("small");
            assert_eq!(relation(index), zokugara);
            assert_eq!(relation_index(zokugara), index);
        }
        assert_eq!(relation(99), Zokugara::COHABITANT);
        assert_eq!(relation(-1), Zokugara::COHABITANT);
    }

    #[test]
    fn a_relation_that_says_the_sex_decides_it() {
        let wife_typed_as_male = Typed {
            name: "窓口 花子".into(),
            birth: "1993-02-03".into(),
            sex: 0,
            relation: relation_index(Zokugara::from_word("妻の母").expect("word")),
            ..Typed::default()
        };
        let member = wife_typed_as_male.member().expect("member");
        assert_eq!(member.person.sex, Some(Sex::Female));
        assert_eq!(member.relation.word(), "妻の母");
        let child = Typed {
            sex: 0,
            relation: relation_index(Zokugara::CHILD),
            ..wife_typed_as_male
        };
        assert_eq!(child.member().expect("member").person.sex, Some(Sex::Male));
    }
}
