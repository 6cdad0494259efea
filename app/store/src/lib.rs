//! The kiosk's memory: one SQLite file (WAL mode) that keeps what the counter must remember and
//! nothing more.
//!
//! This crate owns the schema and its migrations, the case checkpoints that let a killed
//! kiosk resume, the encryption of everything personal about a case (XChaCha20-Poly1305 with a
//! key kept outside the database, [`key`]), the retention purge, the audit log, catalogue
//! versions, print jobs, settings and staff accounts, and what happens when the file is
//! damaged (set aside, never deleted) or newer than this binary (refused).
//!
//! The My Number is never stored: no table has a place for it, and cases are stored as the
//! domain's `Case`, which has none either.
//!
//! Invariants:
//! - one connection per file per process, shared by every `Store` on it ([`connection`]); the
//!   file is never opened beside it with `std::fs` (that would drop the process's locks);
//! - the key is checked against the database's key-check value before anything is written
//!   ([`key`]); a missing key file for a database with sealed data is an error;
//! - administrative methods take a signed-in [`Supervisor`] and audit under its login
//!   ([`staff`]);
//! - a setting out of its range never stops the store: its default applies ([`settings`]);
//! - purging never touches a case opened or changed in the last day, and opening costs the
//!   same with a million stored cases as with ten (partial indexes on what the purge looks
//!   for).

pub mod catalogue;
pub mod catalogue_folder;
mod connection;
pub mod export;
pub mod floor;
pub mod key;
pub mod print_queue;
mod schema;
pub mod settings;
pub mod signature;
pub mod staff;
pub mod statistics;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use madoguchi_domain::Case;
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::SchemaVersion;

pub use catalogue::{CatalogueStatus, CatalogueVersion};
pub use connection::close_all;
pub use export::{Export, ExportedCase};
pub use floor::{Handover, OutgoingCase, Routed};
pub use key::{KeySource, StoreKey};
pub use print_queue::{NewPrintJob, PrintJob, PrintJobId, PrintState};
pub use settings::{DEFAULT_RETENTION_DAYS, FixedSettings, SettingProblem};
pub use staff::{LoginError, Role, SignedIn, Supervisor};
pub use statistics::Statistics;

use connection::{Conn, Shared};

/// SQLite's `application_id` for Madoguchi's databases ("MDGC"): a file with another id is
/// another program's database and is refused untouched.
pub const APPLICATION_ID: i32 = 0x4D44_4743;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("暗号鍵を使えません / the store key cannot be used: {0}")]
    Key(String),
    #[error(
        "暗号鍵が違うため個人情報を読めません / the personal fields cannot be read with this key (was the key replaced?)"
    )]
    WrongKey,
    #[error(
        "{used} はこのデータベースの暗号鍵ではありません。何も書き込んでいません / {used} is not this database's key: nothing was written. Use the key this database was made with (docs/security.md)"
    )]
    KeyMismatch { used: KeySource },
    #[error(
        "暗号鍵ファイル {path} がありません。データベースには暗号化した個人情報があるため、新しい鍵は作りません。バックアップから鍵を戻してください / the key file {path} is missing, and the database holds sealed personal data: no new key was made. Restore the key file from the backup, or point MADOGUCHI_STORE_KEY_FILE at it (docs/security.md)"
    )]
    MissingKey { path: String },
    #[error(
        "{path} は窓口のデータベースではないため、開かず、変更もしていません。MADOGUCHI_DB を確かめてください / {path} is not a Madoguchi database ({detail}); it was neither opened nor changed. Check MADOGUCHI_DB"
    )]
    NotOurs { path: String, detail: String },
    #[error("データベースは閉じられています / the store was closed (the program is stopping)")]
    Closed,
    #[error("{0}")]
    NotAuthorised(String),
    #[error("{0}")]
    Account(String),
    #[error("設定 {key} を変えられません / setting {key}: {detail}")]
    Setting { key: String, detail: String },
    #[error(
        "データベース（スキーマ {found}）がこのプログラム（{known}）より新しいため開けません。新しい版のプログラムを使ってください / the database (schema {found}) is newer than this program (schema {known}); use the newer program"
    )]
    NewerSchema { found: usize, known: usize },
    #[error("データベースが壊れています / the database is damaged: {0}")]
    Damaged(String),
    #[error("データベースを開けません / cannot use the database {path}: {detail}")]
    Unusable { path: String, detail: String },
    #[error(
        "バックアップを書けません / cannot write the backup {path}: {detail} (give a file in a folder that exists and the store's user may write)"
    )]
    Backup { path: String, detail: String },
    #[error("データベースの処理に失敗しました / database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// Where the database and the key are.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub db_path: PathBuf,
    pub key_path: PathBuf,
}

impl StoreConfig {
    /// `MADOGUCHI_DB` and `MADOGUCHI_STORE_KEY_FILE`, else the user's data and config
    /// directories (`~/.local/share/madoguchi/madoguchi.sqlite3`, `~/.config/madoguchi/store.key`).
    pub fn from_env() -> StoreConfig {
        let db_path = std::env::var_os("MADOGUCHI_DB")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                dirs::data_dir()
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join("madoguchi")
                    .join("madoguchi.sqlite3")
            });
        let key_path = std::env::var_os("MADOGUCHI_STORE_KEY_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                dirs::config_dir()
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join("madoguchi")
                    .join("store.key")
            });
        StoreConfig { db_path, key_path }
    }
}

/// A case's id in the store.
pub type CaseId = i64;

/// The open store. Every `Store` on the same file in a process shares one connection; each
/// method holds it for its own work only.
pub struct Store {
    shared: Arc<Shared>,
    key: StoreKey,
    key_source: KeySource,
    /// The city's publishing key, on the desk where versions are approved: every version this
    /// store publishes is signed with it.
    publishing: Option<Arc<signature::PublishingKey>>,
    /// The settings the terminal's configuration file fixes: read before the store's own.
    fixed: Arc<FixedSettings>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

/// What opening found.
#[derive(Debug)]
pub struct Opened {
    pub store: Store,
    /// The damaged file's new name, when the database had to be set aside.
    pub set_aside: Option<PathBuf>,
    /// Personal fields purged at start.
    pub purged: usize,
}

/// A case left open by a kiosk that stopped mid-visit.
#[derive(Debug)]
pub struct Unfinished {
    pub id: CaseId,
    pub step: String,
    pub updated_at: String,
    pub case: Case,
}

/// A case that is over, for [`Store::insert_finished`].
#[derive(Debug)]
pub struct FinishedCase<'a> {
    pub started: DateTime<Utc>,
    pub ended: DateTime<Utc>,
    pub case: &'a Case,
    pub procedures: &'a [&'a str],
    pub forms_printed: u32,
}

/// A finished case whose personal fields are still kept, for the impact preview and for
/// making a scenario from it. Shown by number, event and size only.
#[derive(Debug, Clone)]
pub struct FinishedRecord {
    pub id: CaseId,
    pub ended_at: String,
    pub case: Case,
}

/// Counts for `madoguchi store info`. No personal data.
#[derive(Debug, serde::Serialize)]
pub struct StoreInfo {
    pub path: String,
    pub schema_version: usize,
    pub cases: i64,
    pub open_cases: i64,
    pub cases_with_personal_fields: i64,
    pub catalogue_versions: i64,
    pub print_jobs_waiting: i64,
    pub audit_entries: i64,
    pub retention_days: i64,
    pub last_purge: Option<String>,
    /// Where the key came from (a file's path, or the environment variable).
    pub key_source: String,
    /// Stored settings out of their range, with the default that applies instead.
    pub setting_problems: Vec<String>,
}

fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The ids of the questions a case answered 「わからない」, as JSON: no personal data, only which
/// questions residents find hard.
fn unknown_answers(case: &Case) -> String {
    let ids: Vec<&str> = case
        .answers
        .iter()
        .filter(|(_, answer)| **answer == madoguchi_domain::Answer::Unknown)
        .map(|(id, _)| id.as_str())
        .collect();
    serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())
}

fn case_context(id: CaseId) -> Vec<u8> {
    format!("case:{id}").into_bytes()
}

impl Store {
    /// Opens (or creates) the database, migrates it, sets a damaged file aside and starts on a
    /// fresh one, checks the key, and purges personal fields past the retention period. A
    /// second open of the same file in this process shares the first one's connection.
    pub fn open(config: &StoreConfig, now: DateTime<Utc>) -> Result<Opened, StoreError> {
        Store::open_with_fixed(config, FixedSettings::default(), now)
    }

    /// Opens the store as [`Store::open`] does, with the settings the terminal's configuration
    /// file fixes: they apply from the first read (the purge on opening uses the fixed
    /// retention period).
    pub fn open_with_fixed(
        config: &StoreConfig,
        fixed: FixedSettings,
        now: DateTime<Utc>,
    ) -> Result<Opened, StoreError> {
        let mut damaged = None;
        let opening = connection::open_shared(&config.db_path, |path| {
            let (conn, set_aside) = connect_or_set_aside(path, now)?;
            damaged = set_aside;
            Ok(conn)
        })?;
        let (key, key_source) = key_for(&opening.shared, &config.key_path)?;
        let mut store = Store {
            shared: opening.shared,
            key,
            key_source,
            publishing: None,
            fixed: Arc::new(fixed),
        };
        let set_aside = match damaged {
            Some((moved, detail)) => {
                tracing::warn!(set_aside = %moved.display(), "damaged database set aside");
                store.audit(
                    now,
                    "system",
                    "store.set_aside",
                    &format!("{} ({detail})", moved.display()),
                )?;
                Some(moved)
            }
            None => None,
        };
        let purged = if opening.first {
            for problem in store.setting_problems()? {
                tracing::warn!(%problem, "setting out of range");
            }
            store.purge(now)?
        } else {
            0
        };
        Ok(Opened {
            store,
            set_aside,
            purged,
        })
    }

    /// Another handle on the same store and connection (for another part of the program).
    pub fn share(&self) -> Store {
        Store {
            shared: Arc::clone(&self.shared),
            key: self.key.clone(),
            key_source: self.key_source.clone(),
            publishing: self.publishing.clone(),
            fixed: Arc::clone(&self.fixed),
        }
    }

    /// Signs every version this handle (and the handles shared from it afterwards) publishes
    /// with the city's publishing key.
    pub fn sign_publications_with(&mut self, key: signature::PublishingKey) {
        self.publishing = Some(Arc::new(key));
    }

    pub(crate) fn conn(&self) -> Result<Conn<'_>, StoreError> {
        self.shared.lock()
    }

    /// Where the key came from.
    pub fn key_source(&self) -> &KeySource {
        &self.key_source
    }

    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Appends to the audit log.
    pub fn audit(
        &mut self,
        now: DateTime<Utc>,
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.conn()?.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
            params![timestamp(now), actor, action, detail],
        )?;
        Ok(())
    }

    /// The newest audit entries, newest first: (time, actor, action, detail).
    pub fn audit_entries(
        &self,
        limit: usize,
    ) -> Result<Vec<(String, String, String, String)>, StoreError> {
        let conn = self.conn()?;
        let mut statement =
            conn.prepare("SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?1")?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Starts a case at the counter: its UUID for the floor and its 受付番号 for the day (the
    /// `reception.prefix` setting, a dash, and the day's count of cases on this terminal,
    /// counted in one statement so that a second process cannot take the same number).
    pub fn start_case(&mut self, now: DateTime<Utc>) -> Result<CaseId, StoreError> {
        let at = timestamp(now);
        let prefix = match self.setting("reception.prefix")? {
            Some(letters) => format!("{letters}-"),
            None => String::new(),
        };
        let uuid = uuid::Uuid::new_v4().to_string();
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO cases (started_at, updated_at, state, step, uuid, reception)
             SELECT ?1, ?1, 'open', 'start', ?2, ?3 || printf('%03d', count(*) + 1)
             FROM cases WHERE started_at >= ?4",
            params![at, uuid, prefix, timestamp(floor::day_start(now))],
        )?;
        let id = conn.last_insert_rowid();
        tracing::debug!(case = id, "case started");
        Ok(id)
    }

    /// Saves the case as it stands after a step: the step, the statistics columns, where its
    /// procedures are handled and the sealed personal fields, in one statement.
    pub fn checkpoint(
        &mut self,
        id: CaseId,
        step: &str,
        case: &Case,
        procedures: &[Routed<'_>],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(case).map_err(|e| StoreError::Damaged(e.to_string()))?,
        );
        let sealed = self.key.seal(&plain, &case_context(id))?;
        let routes = floor::routes_json(procedures);
        let procedures: Vec<&str> = procedures.iter().map(|p| p.procedure).collect();
        let procedures = serde_json::to_string(&procedures).unwrap_or_else(|_| "[]".into());
        let changed = self.conn()?.execute(
            "UPDATE cases SET updated_at = ?2, step = ?3, event = ?4, members = ?5, procedures = ?6, personal = ?7,
                 unknown_answers = ?8, routes = ?9
             WHERE id = ?1 AND state = 'open'",
            params![
                id,
                timestamp(now),
                step,
                case.event.kind().id(),
                case.household.members.len() as i64,
                procedures,
                sealed,
                unknown_answers(case),
                routes
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::Damaged(format!("case {id} is not open")));
        }
        tracing::debug!(case = id, step, "checkpoint");
        Ok(())
    }

    /// Stores finished cases in one transaction: for importing history and for the benchmark.
    pub fn insert_finished(&mut self, cases: &[FinishedCase<'_>]) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        for FinishedCase {
            started,
            ended,
            case,
            procedures,
            forms_printed,
        } in cases
        {
            tx.execute(
                "INSERT INTO cases (started_at, updated_at, ended_at, state, step, event, members, procedures, duration_s, unknown_answers, forms_printed, uuid)
                 VALUES (?1, ?2, ?2, 'done', 'done', ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    timestamp(*started),
                    timestamp(*ended),
                    case.event.kind().id(),
                    case.household.members.len() as i64,
                    serde_json::to_string(procedures).unwrap_or_else(|_| "[]".into()),
                    (*ended - *started).num_seconds(),
                    unknown_answers(case),
                    forms_printed,
                    uuid::Uuid::new_v4().to_string()
                ],
            )?;
            let id = tx.last_insert_rowid();
            let plain = zeroize::Zeroizing::new(
                serde_json::to_vec(case).map_err(|e| StoreError::Damaged(e.to_string()))?,
            );
            let sealed = self.key.seal(&plain, &case_context(id))?;
            tx.execute(
                "UPDATE cases SET personal = ?2 WHERE id = ?1",
                params![id, sealed],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Closes a case: the end time, its duration and the number of forms printed.
    pub fn finish_case(
        &mut self,
        id: CaseId,
        forms_printed: u32,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let started: String =
            conn.query_row("SELECT started_at FROM cases WHERE id = ?1", [id], |row| {
                row.get(0)
            })?;
        let duration = DateTime::parse_from_rfc3339(&started)
            .map(|s| (now - s.with_timezone(&Utc)).num_seconds().max(0))
            .unwrap_or(0);
        conn.execute(
            "UPDATE cases SET state = 'done', ended_at = ?2, updated_at = ?2, duration_s = ?3, forms_printed = ?4 WHERE id = ?1",
            params![id, timestamp(now), duration, forms_printed],
        )?;
        Ok(())
    }

    /// The most recent case a stopped kiosk left open, with its data, to offer to resume.
    pub fn unfinished_case(&self) -> Result<Option<Unfinished>, StoreError> {
        let row = self
            .conn()?
            .query_row(
                "SELECT id, step, updated_at, personal FROM cases
                 WHERE state = 'open' AND personal IS NOT NULL ORDER BY updated_at DESC LIMIT 1",
                [],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Vec<u8>>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, step, updated_at, sealed)) = row else {
            return Ok(None);
        };
        let case = self.unseal_case(id, &sealed)?;
        Ok(Some(Unfinished {
            id,
            step,
            updated_at,
            case,
        }))
    }

    /// The newest finished cases that still have their personal fields, newest first.
    pub fn recent_finished(&self, limit: usize) -> Result<Vec<FinishedRecord>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn.prepare(
            "SELECT id, ended_at, personal FROM cases
             WHERE state = 'done' AND personal IS NOT NULL ORDER BY ended_at DESC, id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut records = Vec::new();
        for row in rows {
            let (id, ended_at, sealed) = row?;
            records.push(FinishedRecord {
                id,
                ended_at: ended_at.unwrap_or_default(),
                case: self.unseal_case(id, &sealed)?,
            });
        }
        Ok(records)
    }

    /// The stored case, or `None` when its personal fields were purged.
    pub fn load_case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .conn()?
            .query_row("SELECT personal FROM cases WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?
            .flatten();
        sealed.map(|s| self.unseal_case(id, &s)).transpose()
    }

    fn unseal_case(&self, id: CaseId, sealed: &[u8]) -> Result<Case, StoreError> {
        let plain = self.key.open(sealed, &case_context(id))?;
        serde_json::from_slice(&plain).map_err(|e| StoreError::Damaged(format!("case {id}: {e}")))
    }

    /// Removes the personal fields of cases (and printed documents) untouched for longer than
    /// the retention period; statistics stay. Open cases that old are marked abandoned.
    /// Nothing opened or changed in the last day is touched, whatever the setting says.
    /// Audited when it removes anything. Each statement walks only the rows it changes (partial
    /// indexes), so a purge with nothing to do costs the same at any size.
    pub fn purge(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let days = self.retention_days()?.max(1);
        let cutoff = Duration::try_days(days)
            .and_then(|kept| now.checked_sub_signed(kept))
            .map(timestamp)
            .ok_or_else(|| StoreError::Damaged(format!("retention of {days} days")))?;
        let at = timestamp(now);
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE cases SET state = 'abandoned', ended_at = updated_at WHERE state = 'open' AND updated_at < ?1",
            [&cutoff],
        )?;
        let cases = tx.execute(
            "UPDATE cases SET personal = NULL, purged_at = ?2 WHERE personal IS NOT NULL AND updated_at < ?1",
            params![cutoff, at],
        )?;
        let documents = tx.execute(
            "UPDATE print_jobs SET document = NULL WHERE document IS NOT NULL AND updated_at < ?1",
            [&cutoff],
        )?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('last_purge', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [&at],
        )?;
        if cases + documents > 0 {
            tx.execute(
                "INSERT INTO audit (at, actor, action, detail) VALUES (?1, 'system', 'store.purge', ?2)",
                params![at, format!("{cases} cases, {documents} documents older than {cutoff}")],
            )?;
        }
        tx.commit()?;
        tracing::info!(cases, documents, "purge");
        Ok(cases + documents)
    }

    /// Purges when the last purge is a day old or more (the kiosk calls this now and then).
    pub fn purge_if_due(&mut self, now: DateTime<Utc>) -> Result<Option<usize>, StoreError> {
        let due = match self.raw_setting("last_purge")? {
            Some(last) => DateTime::parse_from_rfc3339(&last)
                .map(|l| now.signed_duration_since(l.with_timezone(&Utc)) >= Duration::days(1))
                .unwrap_or(true),
            None => true,
        };
        if due {
            self.purge(now).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A consistent copy of the whole database at `target`, taken while kiosks keep working
    /// (SQLite's `VACUUM INTO`): written privately (0600) beside the target and renamed over
    /// it only when whole, so a backup folder never holds half a copy. The personal fields stay
    /// sealed: the copy is readable only with the store key, which is backed up apart.
    pub fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        use std::os::unix::fs::OpenOptionsExt;
        let unusable = |detail: String| StoreError::Backup {
            path: target.display().to_string(),
            detail,
        };
        let partial = target.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)
            .map_err(|e| unusable(e.to_string()))?;
        let copied = self
            .conn()
            .and_then(|conn| {
                let path = partial
                    .to_str()
                    .ok_or_else(|| unusable("the backup's path is not UTF-8".into()))?;
                conn.execute("VACUUM INTO ?1", [path])
                    .map_err(|e| unusable(e.to_string()))?;
                Ok(())
            })
            .and_then(|()| {
                std::fs::File::open(&partial)
                    .and_then(|file| file.sync_all())
                    .and_then(|()| std::fs::rename(&partial, target))
                    .map_err(|e| unusable(e.to_string()))
            });
        if copied.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        copied
    }

    /// SQLite's full integrity check: `ok`, or what is wrong.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn.prepare("PRAGMA integrity_check")?;
        let lines = statement
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(lines.join("; "))
    }

    pub fn info(&self) -> Result<StoreInfo, StoreError> {
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.conn()?.query_row(sql, [], |row| row.get(0))?)
        };
        Ok(StoreInfo {
            path: self.path().display().to_string(),
            schema_version: schema::latest_version(),
            cases: count("SELECT count(*) FROM cases")?,
            open_cases: count("SELECT count(*) FROM cases WHERE state = 'open'")?,
            cases_with_personal_fields: count(
                "SELECT count(*) FROM cases WHERE personal IS NOT NULL",
            )?,
            catalogue_versions: count("SELECT count(*) FROM catalogue_versions")?,
            print_jobs_waiting: count(
                "SELECT count(*) FROM print_jobs WHERE state IN ('queued', 'printing')",
            )?,
            audit_entries: count("SELECT count(*) FROM audit")?,
            retention_days: self.retention_days()?,
            last_purge: self.raw_setting("last_purge")?,
            key_source: self.key_source.to_string(),
            setting_problems: self
                .setting_problems()?
                .iter()
                .map(ToString::to_string)
                .collect(),
        })
    }
}

/// Connects to the file; a damaged Madoguchi database is set aside (never deleted) and a fresh
/// one started. Returns the new name and what was wrong, when that happened.
type SetAside = Option<(PathBuf, String)>;

fn connect_or_set_aside(
    path: &Path,
    now: DateTime<Utc>,
) -> Result<(Connection, SetAside), StoreError> {
    match connect(path) {
        Ok(conn) => Ok((conn, None)),
        Err(StoreError::Damaged(detail)) => {
            let moved = set_aside(path, now)?;
            Ok((connect(path)?, Some((moved, detail))))
        }
        Err(other) => Err(other),
    }
}

/// Opens the file, checks it is ours, whole and of a schema this binary knows, and migrates
/// it. Runs before any other connection to the file exists in this process (see
/// [`connection`]), which is what makes reading the header with `std::fs` safe.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let unusable = |detail: String| StoreError::Unusable {
        path: path.display().to_string(),
        detail,
    };
    check_header(path)?;
    let mut conn = Connection::open(path).map_err(|e| unusable(e.to_string()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    check_ours(&conn, path)?;
    // Only the kiosk's user may read the file (SQLite gives the WAL and SHM files the same
    // permissions).
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| unusable(e.to_string()))?;
    // WAL lets the kiosk and the command line share the file; FULL makes a committed
    // checkpoint survive a power cut; secure_delete zeroes what a purge removes; temp data
    // stays in memory, never in the temp directory.
    let pragmas = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;
                   PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;";
    conn.execute_batch(pragmas).map_err(damaged_or)?;
    let migrations = schema::migrations();
    match migrations
        .current_version(&conn)
        .map_err(|e| StoreError::Damaged(e.to_string()))?
    {
        SchemaVersion::Outside(found) => {
            return Err(StoreError::NewerSchema {
                found: found.get(),
                known: schema::latest_version(),
            });
        }
        SchemaVersion::NoneSet | SchemaVersion::Inside(_) => {}
    }
    migrations
        .to_latest(&mut conn)
        .map_err(|e| StoreError::Damaged(e.to_string()))?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(damaged_or)?;
    Ok(conn)
}

/// A database without Madoguchi's application id is ours only if it is empty (new) or has
/// our tables (made before the id was set); anything else belongs to another program.
fn check_ours(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let not_ours = |detail: &str| StoreError::NotOurs {
        path: path.display().to_string(),
        detail: detail.to_string(),
    };
    let id: i32 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(damaged_or)?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    if id != 0 {
        return Err(not_ours("another program's SQLite database"));
    }
    let tables: Vec<String> = {
        let mut statement = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .map_err(damaged_or)?;
        statement
            .query_map([], |row| row.get(0))
            .map_err(damaged_or)?
            .collect::<Result<_, _>>()
            .map_err(damaged_or)?
    };
    let ours = ["cases", "catalogue_versions", "audit"]
        .iter()
        .all(|t| tables.iter().any(|name| name == t));
    if tables.is_empty() || ours {
        Ok(())
    } else {
        Err(not_ours("an SQLite database of another program"))
    }
}

fn damaged_or(error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::Damaged(error.to_string())
        }
        _ => StoreError::Sql(error),
    }
}

/// Looks at the file before SQLite does. Anything that is not an SQLite database — a folder, a
/// device, a document someone pointed `MADOGUCHI_DB` at — is refused and left as it is. An
/// SQLite file of another program (its application id) likewise. A Madoguchi database that
/// is truncated is `Damaged`, to be set aside: SQLite notices a garbage file at once, but a
/// truncated one only when a missing page is read, and the header records the database size.
fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let not_ours = |detail: String| StoreError::NotOurs {
        path: path.display().to_string(),
        detail,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()), // A new store.
        Err(e) => {
            return Err(StoreError::Unusable {
                path: path.display().to_string(),
                detail: e.to_string(),
            });
        }
    };
    if metadata.is_dir() {
        return Err(not_ours("it is a folder".into()));
    }
    if !metadata.is_file() {
        return Err(not_ours("it is not a regular file".into()));
    }
    let len = metadata.len();
    if len == 0 {
        return Ok(()); // SQLite makes a new database in an empty file.
    }
    let mut header = [0u8; 100];
    let read = std::fs::File::open(path).and_then(|mut file| file.read_exact(&mut header));
    if read.is_err() || &header[..16] != b"SQLite format 3\0" {
        return Err(not_ours(format!(
            "{len} bytes that are not an SQLite database"
        )));
    }
    let word = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let application_id = word(68);
    if application_id != 0 && application_id != APPLICATION_ID as u32 {
        return Err(not_ours("another program's SQLite database".into()));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    let pages = u64::from(word(28));
    // The size field is valid only when written by the same change as the change counter.
    if word(92) == word(24) && pages * page_size > len {
        return Err(StoreError::Damaged(format!(
            "the header says {} bytes but the file has {len}",
            pages * page_size
        )));
    }
    Ok(())
}

/// The key for the database: from the environment or the key file, checked against the
/// database's key-check value (see [`key`]). A new key is made only for a database that
/// holds nothing sealed yet.
fn key_for(shared: &Shared, key_path: &Path) -> Result<(StoreKey, KeySource), StoreError> {
    let conn = shared.lock()?;
    let check: Option<Vec<u8>> = conn
        .query_row("SELECT sealed FROM key_check WHERE id = 1", [], |row| {
            row.get(0)
        })
        .optional()?;
    let sample = match check {
        Some(_) => None,
        None => sealed_sample(&conn)?,
    };
    let (key, source) = match StoreKey::load(key_path)? {
        Some(found) => found,
        None if check.is_some() || sample.is_some() => {
            return Err(StoreError::MissingKey {
                path: key_path.display().to_string(),
            });
        }
        None => StoreKey::create_or_load(key_path)?,
    };
    let mismatch = || StoreError::KeyMismatch {
        used: source.clone(),
    };
    if let Some(check) = check {
        let opened = key
            .open(&check, key::CHECK_CONTEXT)
            .map_err(|_| mismatch())?;
        if opened.as_slice() != key::CHECK_TEXT {
            return Err(mismatch());
        }
        return Ok((key, source));
    }
    // A database from before key checks (or a new one): prove the key on what it holds, then
    // seal the check value. Another process may seal its own at the same moment; whichever
    // row stays is checked once more.
    if let Some((sealed, context)) = sample {
        key.open(&sealed, &context).map_err(|_| mismatch())?;
    }
    conn.execute(
        "INSERT OR IGNORE INTO key_check (id, sealed, created_at) VALUES (1, ?1, ?2)",
        params![
            key.seal(key::CHECK_TEXT, key::CHECK_CONTEXT)?,
            timestamp(Utc::now())
        ],
    )?;
    let stored: Vec<u8> =
        conn.query_row("SELECT sealed FROM key_check WHERE id = 1", [], |row| {
            row.get(0)
        })?;
    key.open(&stored, key::CHECK_CONTEXT)
        .map_err(|_| mismatch())?;
    Ok((key, source))
}

/// A sealed value and the associated data it was sealed with.
type Sealed = (Vec<u8>, Vec<u8>);

/// One sealed value the database holds, if it holds any.
fn sealed_sample(conn: &Connection) -> Result<Option<Sealed>, StoreError> {
    let case = conn
        .query_row(
            "SELECT id, personal FROM cases WHERE personal IS NOT NULL LIMIT 1",
            [],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?;
    if let Some((id, sealed)) = case {
        return Ok(Some((sealed, case_context(id))));
    }
    let job = conn
        .query_row(
            "SELECT id, document FROM print_jobs WHERE document IS NOT NULL LIMIT 1",
            [],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?;
    Ok(job.map(|(id, sealed)| (sealed, print_queue::print_context(id))))
}

/// Renames the database (and its WAL and shared-memory files) to `….damaged-<time>`.
fn set_aside(path: &Path, now: DateTime<Utc>) -> Result<PathBuf, StoreError> {
    let suffix = now.format("damaged-%Y%m%dT%H%M%SZ").to_string();
    let moved = PathBuf::from(format!("{}.{suffix}", path.display()));
    std::fs::rename(path, &moved).map_err(|e| StoreError::Unusable {
        path: path.display().to_string(),
        detail: format!("cannot set the damaged file aside: {e}"),
    })?;
    for extra in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{extra}", path.display()));
        if from.exists() {
            let _ = std::fs::rename(&from, format!("{}{extra}", moved.display()));
        }
    }
    Ok(moved)
}
