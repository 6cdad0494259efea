//! The catalogue's life events (`events.toml`): which events the counter handles, their
//! dates, the addresses they ask for, and whether each is about one member. Adding an event —
//! 婚姻, 離婚, 国外転入 — is an entry here plus its questions and procedures; no code changes.
//!
//! A catalogue written before events were data has no `events.toml`; it is read with the three
//! moves Madoguchi knew then (`moves.toml`), so that published versions keep loading.

use std::collections::HashSet;

use madoguchi_domain::{EventDate, EventKind, MAX_EVENT_DATES};
use serde::Deserialize;
use toml::Spanned;

use crate::catalogue::{AddressRole, EventDateDef, EventDef, Tone};
use crate::diagnostic::Diagnostic;
use crate::files::CatalogueFiles;
use crate::load::{Easy, RawText, SourceFile, text};

pub const EVENTS_FILE: &str = "events.toml";

/// The events of a catalogue without `events.toml`.
const MOVES: &str = include_str!("moves.toml");

/// The most events one catalogue may define: the event screen shows them all at once.
pub const MAX_EVENTS: usize = 16;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEvents {
    #[serde(default)]
    event: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    id: Spanned<String>,
    name: RawText,
    date: RawDate,
    #[serde(default)]
    dates: Vec<RawDate>,
    #[serde(default)]
    addresses: Vec<Spanned<String>>,
    subject: Option<RawText>,
    tone: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDate {
    id: Spanned<String>,
    ja: Option<String>,
    easy: Option<String>,
    en: Option<String>,
    otherwise: Option<Spanned<String>>,
}

/// Reads `events.toml` (or the moves of an older catalogue), adding every problem to
/// `problems` as `file:line`.
pub(crate) fn load(files: &CatalogueFiles, problems: &mut Vec<Diagnostic>) -> Vec<EventDef> {
    let src = files.get(EVENTS_FILE).map_or(MOVES, String::as_str);
    let file = SourceFile::new(EVENTS_FILE, src);
    let Some(raw) = file.parse::<RawEvents>(problems) else {
        return Vec::new();
    };
    if raw.event.is_empty() {
        problems.push(Diagnostic::error(
            &file.rel,
            0,
            "the catalogue defines no [[event]]",
        ));
    }
    if raw.event.len() > MAX_EVENTS {
        problems.push(Diagnostic::error(
            &file.rel,
            0,
            format!("at most {MAX_EVENTS} events (the event screen shows them all)"),
        ));
    }
    let mut seen = HashSet::new();
    let mut events = Vec::new();
    for raw in raw.event.iter().take(MAX_EVENTS) {
        let Some(event) = event(raw, &file, problems) else {
            continue;
        };
        if !seen.insert(event.id) {
            problems.push(file.error(&raw.id, format!("duplicate event id `{}`", event.id)));
            continue;
        }
        events.push(event);
    }
    events
}

fn event(raw: &RawEvent, file: &SourceFile, problems: &mut Vec<Diagnostic>) -> Option<EventDef> {
    let at = file.location(&raw.id);
    let id = match EventKind::new(raw.id.get_ref()) {
        Ok(id) => id,
        Err(error) => {
            problems.push(file.error(&raw.id, error.to_string()));
            return None;
        }
    };
    let what = format!("event `{id}`");
    let name = text(
        &raw.name,
        Easy::Required,
        &format!("{what} name"),
        &at,
        problems,
    );
    let date = date(&raw.date, &what, file, problems)?;
    if raw.dates.len() > MAX_EVENT_DATES {
        problems.push(file.error(
            &raw.id,
            format!("{what} has more than {MAX_EVENT_DATES} other dates"),
        ));
    }
    let dates: Vec<(EventDateDef, &RawDate)> = raw
        .dates
        .iter()
        .take(MAX_EVENT_DATES)
        .filter_map(|d| Some((date_of(d, false, &what, file, problems)?, d)))
        .collect();
    let mut ids = vec![date.id, EventDate::VISIT_DATE];
    for (def, raw_date) in &dates {
        if ids.contains(&def.id) {
            problems.push(file.error(
                &raw_date.id,
                format!("{what} names the date `{}` twice", def.id),
            ));
        }
        ids.push(def.id);
    }
    for (def, raw_date) in &dates {
        if let (Some(otherwise), Some(spanned)) = (def.otherwise, &raw_date.otherwise)
            && (!ids.contains(&otherwise) || otherwise == def.id)
        {
            problems.push(file.error(
                spanned,
                format!("`otherwise = \"{otherwise}\"` is not another date of {what}"),
            ));
        }
    }
    let dates = dates.into_iter().map(|(def, _)| def).collect();
    Some(EventDef {
        id,
        name,
        date,
        dates,
        addresses: addresses(&raw.addresses, &what, file, problems),
        subject: raw
            .subject
            .as_ref()
            .map(|s| text(s, Easy::Required, &format!("{what} subject"), &at, problems)),
        tone: tone(raw.tone.as_ref(), file, problems),
        at,
    })
}

/// The event's own date: it always happens on its day, so `otherwise` has no place there.
fn date(
    raw: &RawDate,
    what: &str,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> Option<EventDateDef> {
    if let Some(otherwise) = &raw.otherwise {
        problems.push(file.error(
            otherwise,
            format!("{what}: the event's own date is always known; `otherwise` belongs to its other dates"),
        ));
    }
    date_of(raw, true, what, file, problems)
}

/// One date of an event. The event's own date (`own`) is written as the case's `date`, so
/// only `visit_date` is taken for it; the others are written under their ids, beside the
/// event's fields, and may take none of those names.
fn date_of(
    raw: &RawDate,
    own: bool,
    what: &str,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> Option<EventDateDef> {
    let at = file.location(&raw.id);
    let id = match EventDate::new(raw.id.get_ref()) {
        Ok(id) => id,
        Err(error) => {
            problems.push(file.error(&raw.id, error.to_string()));
            return None;
        }
    };
    if id == EventDate::VISIT_DATE || (!own && EventDate::RESERVED.contains(&id.id())) {
        problems.push(file.error(
            &raw.id,
            format!(
                "`{id}` is a name the case already uses (every event has visit_date; the others are its fields)"
            ),
        ));
        return None;
    }
    let name = text(
        &RawText {
            ja: raw.ja.clone(),
            easy: raw.easy.clone(),
            en: raw.en.clone(),
        },
        Easy::Required,
        &format!("{what} date `{id}`"),
        &at,
        problems,
    );
    let otherwise = raw.otherwise.as_ref().and_then(|o| {
        EventDate::new(o.get_ref())
            .map_err(|error| problems.push(file.error(o, error.to_string())))
            .ok()
    });
    Some(EventDateDef {
        id,
        name,
        otherwise,
    })
}

fn addresses(
    raw: &[Spanned<String>],
    what: &str,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> Vec<AddressRole> {
    let mut roles = Vec::new();
    for word in raw {
        match AddressRole::ALL
            .into_iter()
            .find(|r| r.id() == word.get_ref())
        {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => problems.push(file.error(word, format!("{what} names an address twice"))),
            None => problems.push(file.error(
                word,
                format!(
                    "unknown address `{}` (previous, new or next)",
                    word.get_ref()
                ),
            )),
        }
    }
    roles
}

fn tone(raw: Option<&Spanned<String>>, file: &SourceFile, problems: &mut Vec<Diagnostic>) -> Tone {
    match raw.map(|t| (t, t.get_ref().as_str())) {
        None | Some((_, "plain")) => Tone::Plain,
        Some((_, "condolence")) => Tone::Condolence,
        Some((spanned, other)) => {
            problems.push(file.error(
                spanned,
                format!("unknown tone `{other}` (plain or condolence)"),
            ));
            Tone::Plain
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(src: Option<&str>) -> (Vec<EventDef>, Vec<String>) {
        let mut files = CatalogueFiles::new();
        if let Some(src) = src {
            files.insert(EVENTS_FILE.into(), src.into());
        }
        let mut problems = Vec::new();
        let events = load(&files, &mut problems);
        (events, problems.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn a_catalogue_without_events_has_the_three_moves() {
        let (events, problems) = loaded(None);
        assert!(problems.is_empty(), "{problems:?}");
        let ids: Vec<_> = events.iter().map(|e| e.id.id().to_string()).collect();
        assert_eq!(ids, ["tennyu", "tenkyo", "tenshutsu"]);
        assert_eq!(events[0].dates[0].id, EventDate::MOVED_OUT_DATE);
        assert_eq!(events[2].addresses, [AddressRole::Next]);
    }

    #[test]
    fn an_event_with_its_dates_subject_and_tone() {
        let src = r#"
[[event]]
id = "shibou"
name = { ja = "死亡", easy = "亡《な》くなった", en = "a death" }
date = { id = "death_date", ja = "死亡日", easy = "亡《な》くなった 日《ひ》", en = "the date of death" }
dates = [{ id = "learned_date", ja = "死亡を知った日", easy = "知《し》った 日《ひ》", en = "the day the family learned of it", otherwise = "death_date" }]
subject = { ja = "お亡くなりになった方", easy = "亡《な》くなった 人《ひと》", en = "the person who died" }
tone = "condolence"
"#;
        let (events, problems) = loaded(Some(src));
        assert!(problems.is_empty(), "{problems:?}");
        let death = &events[0];
        assert_eq!(death.tone, Tone::Condolence);
        assert_eq!(death.dates[0].otherwise, Some(death.date.id));
        assert!(death.subject.is_some());
        assert_eq!(death.date_ids().count(), 3);
    }

    #[test]
    fn every_mistake_is_named_with_its_line() {
        let src = r#"
[[event]]
id = "Kekkon"
name = { ja = "婚姻", easy = "結婚《けっこん》", en = "marriage" }
date = { id = "marriage_date", ja = "婚姻日", easy = "結婚《けっこん》した 日《ひ》", en = "the date" }

[[event]]
id = "kekkon"
name = { ja = "婚姻", easy = "結婚《けっこん》", en = "marriage" }
date = { id = "visit_date", ja = "届出日", easy = "日《ひ》", en = "the date" }

[[event]]
id = "rikon"
name = { ja = "離婚", easy = "離婚《りこん》", en = "divorce" }
date = { id = "divorce_date", ja = "離婚日", easy = "離婚《りこん》した 日《ひ》", en = "the date" }
dates = [{ id = "kind", ja = "x", easy = "x", en = "x" }, { id = "court_date", ja = "審判日", easy = "日《ひ》", en = "court", otherwise = "someday" }]
addresses = ["old"]
tone = "sad"
"#;
        let (_, problems) = loaded(Some(src));
        let said = problems.join("\n");
        for expected in [
            "events.toml:3: error: `Kekkon` is not an id",
            "events.toml:10: error: `visit_date` is a name the case already uses",
            "events.toml:16: error: `kind` is a name the case already uses",
            "is not another date of event `rikon`",
            "events.toml:17: error: unknown address `old`",
            "events.toml:18: error: unknown tone `sad`",
        ] {
            assert!(said.contains(expected), "{expected}\n{said}");
        }
    }
}
