//! What the clerk typed, read from the window and checked: a person, a member, an event.
//! Every problem is one notice in both languages saying what to fix.

use chrono::NaiveDate;
use madoguchi_domain::foreign::RESIDENCE_STATUSES;
use madoguchi_domain::input;
use madoguchi_domain::{
    Address, ForeignCategory, ForeignResident, LifeEvent, Member, Nationality, Person,
    ResidenceStatus, Sex, Zokugara,
};
use madoguchi_rules::Catalogue;
use madoguchi_rules::catalogue::AddressRole;

use slint::Model;

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
    /// Index into the catalogue's events.
    pub event_kind: i32,
    /// The event's own date.
    pub move_date: String,
    /// The event's other dates, in the order its catalogue entry lists them.
    pub other_dates: Vec<String>,
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
            other_dates: people
                .get_other_dates()
                .iter()
                .map(|row| row.value.to_string())
                .collect(),
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
            sex: Some(match self.sex {
                0 => Sex::Male,
                1 => Sex::Female,
                // A card that does not record the sex leaves it unchosen.
                _ => return Err(Notice::new("性別を選んでください", "Choose the sex")),
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

    /// The event as typed: one of `catalogue`'s, its dates (the optional ones may be blank)
    /// and the addresses it asks for.
    pub fn event(&self, today: NaiveDate, catalogue: &Catalogue) -> Result<LifeEvent, Notice> {
        let def = usize::try_from(self.event_kind)
            .ok()
            .and_then(|i| catalogue.events.get(i))
            .ok_or_else(|| Notice::new("届出の種類を選んでください", "Choose the event"))?;
        let named = |text: &madoguchi_rules::catalogue::Text| (text.ja.clone(), text.en.clone());
        let (ja, en) = named(&def.date.name);
        let date = input::date(&self.move_date)
            .map_err(|e| field_notice((ja.as_str(), en.as_str()), e))?;
        let mut event = LifeEvent::new(def.id, date, today);
        for (other, text) in def.dates.iter().zip(&self.other_dates) {
            let (ja, en) = named(&other.name);
            let day = input::optional_date(text)
                .map_err(|e| field_notice((ja.as_str(), en.as_str()), e))?;
            if let Some(day) = day {
                event.dates.insert(other.id, day);
            }
        }
        let (asks_new, asks_next) = (def.asks(AddressRole::New), def.asks(AddressRole::Next));
        if (asks_new || asks_next) && self.new_address.is_empty() {
            return Err(Notice::new(
                "新しい住所を入力してください",
                "Enter the new address",
            ));
        }
        let postal = input::optional_postal_code(&self.new_postal)
            .map_err(|e| field_notice(("郵便番号", "Postal code"), e))?;
        let address = |text: &str, postal_code: Option<String>, building: Option<String>| {
            (!text.is_empty()).then(|| Address {
                building,
                text: text.to_string(),
                postal_code,
                parts: None,
            })
        };
        if asks_new {
            // The 方書 is typed apart for an address in this city (転入・転居).
            let building = (!self.new_building.is_empty()).then(|| self.new_building.clone());
            event.new_address = address(&self.new_address, postal, building);
        } else if asks_next {
            event.next_address = address(&self.new_address, postal, None);
        }
        if def.asks(AddressRole::Previous) {
            event.previous_address = address(&self.previous_address, None, None);
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_domain::EventKind;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn catalogue() -> std::sync::Arc<Catalogue> {
        crate::samples::shipped_catalogue().expect("the shipped catalogue")
    }

    /// The index of event `id` on the event screen.
    fn kind_of(id: &str) -> i32 {
        let at = catalogue().events.iter().position(|e| e.id.id() == id);
        i32::try_from(at.expect("an event")).expect("small")
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
        let event = typed
            .event(date(2026, 11, 20), &catalogue())
            .expect("event");
        assert_eq!(event.kind, EventKind::TENNYU);
        assert_eq!(event.date, date(2026, 11, 15));
        assert_eq!(event.visit_date, date(2026, 11, 20));
        assert_eq!(event.moved_out_date(), None);
        assert_eq!(
            event.new_address.and_then(|a| a.postal_code).as_deref(),
            Some("1000001")
        );
    }

    /// A death is typed as the catalogue declares it: its own date, the other dates when
    /// known (blank ones are unknown, a bad one is refused by name), and no address.
    #[test]
    fn a_typed_death_takes_the_catalogues_dates_and_no_address() {
        let catalogue = catalogue();
        let death = catalogue
            .events
            .iter()
            .find(|e| e.id.id() == "shibou")
            .expect("the death event");
        let funeral = death.dates.iter().position(|d| d.id.id() == "funeral_date");
        let mut other_dates = vec![String::new(); death.dates.len()];
        other_dates[funeral.expect("a funeral date")] = "R8.11.5".into();
        let typed = Typed {
            event_kind: kind_of("shibou"),
            move_date: "令和8年11月2日".into(),
            other_dates,
            ..Typed::default()
        };
        let event = typed.event(date(2026, 11, 10), &catalogue).expect("event");
        assert_eq!(event.kind.id(), "shibou");
        assert_eq!(event.date, date(2026, 11, 2));
        assert_eq!(event.dates.len(), 1, "the blank learned date stays unknown");
        assert_eq!(event.address_after(), None);
        let wrong = Typed {
            other_dates: vec!["きのう".into(), String::new()],
            ..typed
        };
        let error = wrong
            .event(date(2026, 11, 10), &catalogue)
            .expect_err("a date that is not one");
        assert!(error.ja.contains("知った日"), "{}", error.ja);
    }

    #[test]
    fn missing_or_wrong_fields_say_what_to_fix() {
        let typed = Typed {
            move_date: "あした".into(),
            new_address: "x".into(),
            ..Typed::default()
        };
        let error = typed
            .event(date(2026, 11, 20), &catalogue())
            .expect_err("bad date");
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
            .event(date(2026, 4, 2), &catalogue())
            .expect_err("a bad postal code");
        assert_eq!(
            refused.ja,
            format!("郵便番号：{}", input::InputError::PostalCode.message_ja())
        );
        let typed = Typed {
            new_postal: String::new(),
            ..typed
        };
        let event = typed.event(date(2026, 4, 2), &catalogue()).expect("event");
        assert_eq!(event.date, date(2026, 4, 1));
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
