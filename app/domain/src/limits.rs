//! The bounds every value entering Madoguchi is checked against.
//!
//! A case comes from a card, a QR code made at home, the home page, the clerk's typing or a
//! file another program wrote. Whatever its source, [`crate::Case::validate`] holds it to these
//! limits before anything computes with it, so that the engine, the forms and the store only
//! ever see values they can handle: dates in a window where every deadline and age can be
//! computed, and text and lists of a size a counter could really meet. `docs/case.md` lists
//! the same figures for the people who write cases.

use chrono::NaiveDate;

/// The first day a case may name: 1 January 1868 (明治元年; the Meiji era is counted from
/// this day). Older dates are not on any living resident's records.
pub const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(1868, 1, 1) {
    Some(day) => day,
    None => panic!("1868-01-01 is a date"),
};

/// The last day a case may name: 31 December 2200. Far beyond any planned move, and far
/// enough inside the calendar's range that every deadline (at most [`MAX_DEADLINE_DAYS`]
/// after a case date) and age stays computable.
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2200, 12, 31) {
    Some(day) => day,
    None => panic!("2200-12-31 is a date"),
};

/// The most days a catalogue deadline may count from its start date (about 27 years).
pub const MAX_DEADLINE_DAYS: u32 = 10_000;

/// Members in one household. A 住民票 household is rarely over ten; institutions register
/// residents one by one.
pub const MAX_MEMBERS: usize = 30;

/// Characters in a name (氏名) or its ふりがな. Foreign residents' names in Latin letters are
/// the longest; 在留カード prints up to about 100 characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Characters in an address's text or in one of its parts.
pub const MAX_ADDRESS_CHARS: usize = 300;

/// Characters in a country or region name.
pub const MAX_COUNTRY_CHARS: usize = 100;

/// Characters in a telephone number (digits and hyphens).
pub const MAX_PHONE_CHARS: usize = 20;

/// Answers in one case, and characters in a question id or a choice id.
pub const MAX_ANSWERS: usize = 300;
pub const MAX_ID_CHARS: usize = 64;
/// The longest 続柄 family from outside the household may give: 「配偶者の兄弟姉妹の子」 is 10.
pub const MAX_RELATION_CHARS: usize = 16;
/// Values a clerk may leave for the resident to write by hand on one case.
pub const MAX_RESIDENT_WRITES: usize = 40;

/// The size of a case JSON document read from a file or another program.
pub const MAX_CASE_JSON_BYTES: usize = 256 * 1024;

/// Whether `date` lies in the window cases may name.
pub fn date_in_window(date: NaiveDate) -> bool {
    (FIRST_DAY..=LAST_DAY).contains(&date)
}

/// Whether `text` holds a control character (a line break, a tab, an escape …). Names,
/// addresses and ids are one line of printable text; a control character would break a form's
/// line, a CSV cell or a terminal.
pub fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_holds_its_ends_and_nothing_outside() {
        assert!(date_in_window(FIRST_DAY));
        assert!(date_in_window(LAST_DAY));
        assert!(!date_in_window(FIRST_DAY.pred_opt().expect("a day before")));
        assert!(!date_in_window(LAST_DAY.succ_opt().expect("a day after")));
        assert!(
            LAST_DAY
                .checked_add_days(chrono::Days::new(u64::from(MAX_DEADLINE_DAYS)))
                .is_some()
        );
    }

    #[test]
    fn control_characters_are_found() {
        assert!(has_control("山田\n太郎"));
        assert!(has_control("\u{1b}[31m"));
        assert!(!has_control("山田　太郎 𠮷"));
    }
}
