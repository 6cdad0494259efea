//! The settings a city changes, each with its range.
//!
//! A setting is checked when a supervisor sets it ([`Store::change_setting`]) and again every
//! time it is read: a value that is out of range in the file (written by an older version, or
//! by hand) is reported ([`Store::setting_problems`], `madoguchi store info`) and its default
//! applies. A bad setting never stops the store from opening.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::staff::Supervisor;
use crate::{Store, StoreError};

/// What a setting may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A whole number in a range.
    Number { min: i64, max: i64 },
    /// One line of text of at most this many characters.
    Text { max_chars: usize },
    /// A CUPS queue name (printable ASCII without spaces, `/` or `#`, at most 127 bytes), or
    /// an IPP printer's URI (`ipp://host[:port]/path`, printable ASCII, at most 255 bytes).
    PrinterQueue,
    /// One of a few words.
    Word(&'static [&'static str]),
    /// One or two capital letters A–Z (a 受付番号's prefix).
    Letters,
}

/// A setting: its key (a prefix ending in `.` stands for `prefix<id>.place`), what it is for,
/// what it may hold and its default.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub key: &'static str,
    pub what: &'static str,
    pub kind: Kind,
    pub default: Option<&'static str>,
}

/// Days personal fields are kept after a case's last change, unless set otherwise.
pub const DEFAULT_RETENTION_DAYS: i64 = 30;

/// Every setting a city may change.
pub const SPECS: &[Spec] = &[
    Spec {
        key: "office.city",
        what: "the municipality, e.g. 標準市 (forms address 「標準市長」)",
        kind: Kind::Text { max_chars: 40 },
        default: None,
    },
    Spec {
        key: "office.mayor",
        what: "the addressee on forms, e.g. 標準市長",
        kind: Kind::Text { max_chars: 40 },
        default: None,
    },
    Spec {
        key: "counter.",
        what: "counter.<id>.place: where a counter is, for the guidance sheet",
        kind: Kind::Text { max_chars: 80 },
        default: None,
    },
    Spec {
        key: "printer",
        what: "the CUPS queue packets print on, or an IPP printer's URI",
        kind: Kind::PrinterQueue,
        default: None,
    },
    Spec {
        key: "printer.offset_x",
        what: "how far to move the values printed on a city's pre-printed form, to the right, in tenths of a millimetre (-100 to 100; from `madoguchi forms calibrate`)",
        kind: Kind::Number {
            min: -100,
            max: 100,
        },
        default: Some("0"),
    },
    Spec {
        key: "printer.offset_y",
        what: "how far to move the values printed on a city's pre-printed form, down, in tenths of a millimetre (-100 to 100; from `madoguchi forms calibrate`)",
        kind: Kind::Number {
            min: -100,
            max: 100,
        },
        default: Some("0"),
    },
    Spec {
        key: "retention_days",
        what: "days personal fields are kept after a case's last change (1 to 3650)",
        kind: Kind::Number { min: 1, max: 3650 },
        default: Some("30"),
    },
    Spec {
        key: "kiosk.idle_seconds",
        what: "seconds without a tap before the kiosk warns and clears (20 to 3600)",
        kind: Kind::Number { min: 20, max: 3600 },
        default: Some("180"),
    },
    Spec {
        key: "catalogue.approval",
        what: "whether publishing a catalogue needs a second supervisor's approval (required or off)",
        kind: Kind::Word(&["required", "off"]),
        default: Some("required"),
    },
    Spec {
        key: "reception.prefix",
        what: "one or two capital letters before this terminal's 受付番号 (A → A-012), so that two interview desks never hand out the same number on a day",
        kind: Kind::Letters,
        default: None,
    },
];

/// The spec a key falls under: an exact key, or `counter.<id>.place` with an id of lower-case
/// letters, digits and `_`.
/// The settings the counter floor decides for all its terminals (`central set-retention`).
pub const FLOOR_SETTINGS: [&str; 1] = ["retention_days"];

pub fn spec(key: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|spec| {
        if spec.key.ends_with('.') {
            key.strip_prefix(spec.key)
                .and_then(|rest| rest.strip_suffix(".place"))
                .is_some_and(|id| {
                    !id.is_empty()
                        && id.len() <= 32
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                })
        } else {
            spec.key == key
        }
    })
}

impl Kind {
    /// `Ok` when `value` fits; else what it must be, in a few words.
    pub fn check(self, value: &str) -> Result<(), String> {
        match self {
            Kind::Number { min, max } => match value.trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(()),
                _ => Err(format!("a whole number from {min} to {max}")),
            },
            Kind::Text { max_chars } => {
                if value.trim().is_empty()
                    || value.chars().count() > max_chars
                    || value.chars().any(char::is_control)
                {
                    Err(format!("one line of 1 to {max_chars} characters"))
                } else {
                    Ok(())
                }
            }
            Kind::PrinterQueue => {
                let queue = !value.is_empty()
                    && value.len() <= 127
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && b != b'/' && b != b'#');
                let uri = ["ipp://", "http://"].iter().any(|scheme| {
                    value.strip_prefix(scheme).is_some_and(|rest| {
                        let host = rest.split(['/', ':']).next().unwrap_or("");
                        !host.is_empty()
                            && value.len() <= 255
                            && value.bytes().all(|b| b.is_ascii_graphic() && b != b'#')
                    })
                });
                if queue || uri {
                    Ok(())
                } else {
                    Err("a CUPS queue name (letters, digits, - and _, no spaces) or a printer's URI (ipp://host/ipp/print)".into())
                }
            }
            Kind::Word(words) => {
                if words.contains(&value) {
                    Ok(())
                } else {
                    Err(format!("one of {}", words.join(", ")))
                }
            }
            Kind::Letters => {
                if (1..=2).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_uppercase()) {
                    Ok(())
                } else {
                    Err("one or two capital letters A to Z".into())
                }
            }
        }
    }
}

/// Settings fixed outside the store — by the terminal's configuration file
/// (`/etc/madoguchi/madoguchi.toml`) — by the store's keys. They are read before the store's
/// own values, and a supervisor cannot change them on screen: the message names the file.
#[derive(Clone, Debug, Default)]
pub struct FixedSettings {
    pub values: std::collections::BTreeMap<String, String>,
    /// The file that fixes them, for the message.
    pub source: Option<std::path::PathBuf>,
}

/// A stored setting that is not what its spec allows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SettingProblem {
    pub key: String,
    /// What the value must be (the value itself is not repeated: it may be long or odd).
    pub expected: String,
    /// What applies instead.
    pub default: Option<String>,
}

impl std::fmt::Display for SettingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "setting {} must be {}", self.key, self.expected)?;
        match &self.default {
            Some(default) => write!(f, "; the default {default} applies"),
            None => write!(f, "; it is ignored"),
        }
    }
}

impl Store {
    /// A stored setting, or `None` when it is not set or does not fit its spec (which
    /// [`Store::setting_problems`] reports). Keys without a spec are the store's own.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let value = self.raw_setting(key)?;
        Ok(match (value, spec(key)) {
            (Some(value), Some(spec)) if spec.kind.check(&value).is_err() => None,
            (value, _) => value,
        })
    }

    /// A number setting as its spec allows it, else its default.
    pub(crate) fn number_setting(&self, key: &str, fallback: i64) -> Result<i64, StoreError> {
        Ok(self
            .setting(key)?
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(fallback))
    }

    pub(crate) fn raw_setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        if let Some(value) = self.fixed.values.get(key) {
            return Ok(Some(value.clone()));
        }
        Ok(self
            .conn()?
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Changes a city's setting after checking it against its spec. Audited under the
    /// supervisor's account.
    pub fn change_setting(
        &mut self,
        supervisor: &Supervisor,
        key: &str,
        value: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.check_supervisor(supervisor)?;
        let spec = spec(key).ok_or_else(|| StoreError::Setting {
            key: key.chars().take(64).collect(),
            detail: format!(
                "no such setting; settings are: {}",
                SPECS.iter().map(|s| s.key).collect::<Vec<_>>().join(", ")
            ),
        })?;
        spec.kind
            .check(value)
            .map_err(|expected| StoreError::Setting {
                key: key.to_string(),
                detail: format!("must be {expected}"),
            })?;
        if self.fixed.values.contains_key(key) {
            return Err(StoreError::Setting {
                key: key.to_string(),
                detail: format!(
                    "fixed by {}: change it there (the city's IT staff keep that file)",
                    self.fixed
                        .source
                        .as_ref()
                        .map_or("the configuration file".into(), |p| p.display().to_string())
                ),
            });
        }
        self.write_setting(key, value)?;
        self.audit(now, supervisor.login(), "settings.set", key)
    }

    /// Takes a setting the counter floor decides for every terminal (docs/central.md: today the
    /// retention period, so that the floor and each terminal purge on one schedule). Checked
    /// against its spec like any setting; audited as the floor's when it changes. Returns
    /// whether it changed.
    pub fn adopt_floor_setting(
        &mut self,
        key: &str,
        value: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if !FLOOR_SETTINGS.contains(&key) {
            return Err(StoreError::Setting {
                key: key.chars().take(64).collect(),
                detail: "not a setting the floor decides".into(),
            });
        }
        let spec = spec(key).ok_or_else(|| StoreError::Setting {
            key: key.to_string(),
            detail: "no such setting".into(),
        })?;
        spec.kind
            .check(value)
            .map_err(|expected| StoreError::Setting {
                key: key.to_string(),
                detail: format!("the floor's value must be {expected}"),
            })?;
        if self.raw_setting(key)?.as_deref() == Some(value.trim()) {
            return Ok(false);
        }
        self.write_setting(key, value)?;
        self.audit(
            now,
            "floor",
            "settings.floor",
            &format!("{key} = {}", value.trim()),
        )?;
        Ok(true)
    }

    /// Every setting whose key starts with `prefix`, in key order, leaving out values that do
    /// not fit their spec.
    pub fn settings_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .raw_settings_with_prefix(prefix)?
            .into_iter()
            .filter(|(key, value)| spec(key).is_none_or(|s| s.kind.check(value).is_ok()))
            .collect())
    }

    fn raw_settings_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn.prepare(
            "SELECT key, value FROM settings WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
        )?;
        let rows = statement.query_map([prefix], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let mut settings: std::collections::BTreeMap<String, String> =
            rows.collect::<Result<_, _>>()?;
        for (key, value) in &self.fixed.values {
            if key.starts_with(prefix) {
                settings.insert(key.clone(), value.clone());
            }
        }
        Ok(settings.into_iter().collect())
    }

    fn write_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()?.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value.trim()],
        )?;
        Ok(())
    }

    /// Whether the configuration file fixes this setting.
    pub fn setting_is_fixed(&self, key: &str) -> bool {
        self.fixed.values.contains_key(key)
    }

    /// The stored settings that do not fit their spec, with what applies instead.
    pub fn setting_problems(&self) -> Result<Vec<SettingProblem>, StoreError> {
        Ok(self
            .raw_settings_with_prefix("")?
            .into_iter()
            .filter_map(|(key, value)| {
                let spec = spec(&key)?;
                let expected = spec.kind.check(&value).err()?;
                Some(SettingProblem {
                    key,
                    expected,
                    default: spec.default.map(String::from),
                })
            })
            .collect())
    }

    /// Days personal fields are kept: the setting when it is in range, else 30.
    pub fn retention_days(&self) -> Result<i64, StoreError> {
        self.number_setting("retention_days", DEFAULT_RETENTION_DAYS)
    }

    /// Whether publishing needs a second supervisor (the default) or not.
    pub fn approval_required(&self) -> Result<bool, StoreError> {
        Ok(self.setting("catalogue.approval")?.as_deref() != Some("off"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_held_to_their_specs() {
        assert!(spec("retention_days").is_some());
        assert!(spec("counter.shimin.place").is_some());
        assert!(spec("counter..place").is_none());
        assert!(spec("counter.Shimin.place").is_none());
        assert!(spec("last_purge").is_none());
        let days = spec("retention_days").expect("spec").kind;
        assert!(days.check("30").is_ok());
        for bad in ["0", "3651", "100000000", "-5", "thirty", ""] {
            assert!(days.check(bad).is_err(), "{bad}");
        }
        let printer = spec("printer").expect("spec").kind;
        assert!(printer.check("madoguchi-pdf").is_ok());
        assert!(printer.check("two words").is_err());
        assert!(printer.check("ipp://192.0.2.10/ipp/print").is_ok());
        assert!(
            printer
                .check("ipp://printer.city.lg.jp:631/ipp/print")
                .is_ok()
        );
        assert!(printer.check("ipp:///ipp/print").is_err());
        assert!(printer.check("file:///etc/passwd").is_err());
        assert!(printer.check("ipp://a b/ipp").is_err());
        assert!(printer.check(&"p".repeat(200)).is_err());
        let place = spec("counter.shimin.place").expect("spec").kind;
        assert!(place.check("1階 2番窓口").is_ok());
        assert!(place.check("1階\n2番").is_err());
    }
}
