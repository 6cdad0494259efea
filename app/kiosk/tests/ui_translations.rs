//! Every string the UI marks with `@tr("…")` has an English translation in
//! `ui/translations/en/LC_MESSAGES/madoguchi-kiosk.po`, with the same `{}` placeholders: a
//! clerk who switches to English never meets a Japanese leftover.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn ui() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui")
}

fn slint_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("ui folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            slint_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "slint") {
            found.push(path);
        }
    }
}

/// The first argument of every `@tr(...)` in the text.
fn marked(text: &str) -> Vec<String> {
    text.split("@tr(\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(s, _)| s.to_string()))
        .collect()
}

fn po_entries(text: &str) -> BTreeMap<String, String> {
    let mut entries = BTreeMap::new();
    let mut id: Option<String> = None;
    for line in text.lines() {
        let quoted = |prefix: &str| {
            line.strip_prefix(prefix)
                .and_then(|rest| rest.trim().strip_prefix('"'))
                .and_then(|rest| rest.strip_suffix('"'))
                .map(str::to_string)
        };
        if let Some(msgid) = quoted("msgid ") {
            id = Some(msgid);
        } else if let (Some(msgstr), Some(msgid)) = (quoted("msgstr "), id.take()) {
            entries.insert(msgid, msgstr);
        }
    }
    entries
}

#[test]
fn every_marked_string_has_an_english_translation() {
    let mut files = Vec::new();
    slint_files(&ui(), &mut files);
    assert!(files.len() > 5, "the .slint files are found");
    let po = std::fs::read_to_string(ui().join("translations/en/LC_MESSAGES/madoguchi-kiosk.po"))
        .expect("the English catalogue");
    let entries = po_entries(&po);
    let mut problems = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("slint file");
        for source in marked(&text) {
            count += 1;
            match entries.get(&source) {
                None => problems.push(format!("{}: no translation for {source:?}", file.display())),
                Some(english) if english.is_empty() => {
                    problems.push(format!("{source:?} has an empty translation"))
                }
                Some(english) if english.matches("{}").count() != source.matches("{}").count() => {
                    problems.push(format!("{source:?} → {english:?}: the placeholders differ"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(count > 100, "the UI's strings are found ({count})");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// And no English entry is left over from a string the UI no longer has: a stale entry hides
/// the one that replaced it from whoever reviews the translations.
#[test]
fn every_english_entry_is_still_used() {
    let mut files = Vec::new();
    slint_files(&ui(), &mut files);
    let used: std::collections::BTreeSet<String> = files
        .iter()
        .flat_map(|f| marked(&std::fs::read_to_string(f).expect("a .slint file")))
        .collect();
    let po = std::fs::read_to_string(ui().join("translations/en/LC_MESSAGES/madoguchi-kiosk.po"))
        .expect("the English catalogue");
    let stale: Vec<String> = po_entries(&po)
        .into_keys()
        .filter(|id| !id.is_empty() && !used.contains(id))
        .collect();
    assert!(stale.is_empty(), "no longer in the UI: {stale:?}");
}

/// The screens a resident reads: every `.slint` file but the supervisor's desk, the form
/// editor and the clerks' floor board, which stay in Japanese or English.
const RESIDENT_SCREENS: [&str; 12] = [
    "main.slint",
    "kiosk.slint",
    "widgets/chrome.slint",
    "widgets/controls.slint",
    "widgets/pin-pad.slint",
    "views/start.slint",
    "views/people.slint",
    "views/result.slint",
    "views/scan.slint",
    "views/finish.slint",
    "views/interview.slint",
    "views/resident.slint",
];

/// In each translated language, every word of the resident's screens is translated with the
/// same `{}` placeholders, and no entry is left over from a word the screens no longer have.
#[test]
fn every_resident_screen_word_is_translated_into_each_language() {
    let used: std::collections::BTreeSet<String> = RESIDENT_SCREENS
        .iter()
        .flat_map(|f| marked(&std::fs::read_to_string(ui().join(f)).expect("a .slint file")))
        .collect();
    assert!(
        used.len() > 200,
        "the resident's words are found ({})",
        used.len()
    );
    for code in ["zh-Hans", "vi", "ko", "fil", "pt-BR", "ne", "id"] {
        let path = ui().join(format!(
            "translations/{code}/LC_MESSAGES/madoguchi-kiosk.po"
        ));
        let po = std::fs::read_to_string(&path).expect("the language's catalogue");
        let entries = po_entries(&po);
        let mut problems = Vec::new();
        for source in &used {
            match entries.get(source) {
                None => problems.push(format!("no translation for {source:?}")),
                Some(own) if own.trim().is_empty() => {
                    problems.push(format!("{source:?} has an empty translation"))
                }
                Some(own) if own.matches("{}").count() != source.matches("{}").count() => {
                    problems.push(format!("{source:?} → {own:?}: the placeholders differ"))
                }
                Some(_) => {}
            }
        }
        problems.extend(
            entries
                .keys()
                .filter(|id| !id.is_empty() && !used.contains(*id))
                .map(|id| format!("no longer on the screens: {id:?}")),
        );
        assert!(problems.is_empty(), "{code}:\n{}", problems.join("\n"));
    }
}
