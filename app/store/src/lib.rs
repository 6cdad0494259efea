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

pub mod catalogue;
pub mod export;
pub mod key;
pub mod print_queue;
mod schema;
pub mod staff;
pub mod statistics;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use madoguchi_domain::Case;
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::SchemaVersion;

pub use catalogue::{CatalogueStatus, CatalogueVersion};
pub use export::ExportedCase;
pub use key::StoreKey;
pub use print_queue::{NewPrintJob, PrintJob, PrintJobId, PrintState};
pub use staff::{LoginError, Role};
pub use statistics::Statistics;

/// Days personal fields are kept after a case's last change, unless the `retention_days`
/// setting says otherwise.
pub const DEFAULT_RETENTION_DAYS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("暗号鍵を使えません / the store key cannot be used: {0}")]
    Key(String),
    #[error(
        "暗号鍵が違うため個人情報を読めません / the personal fields cannot be read with this key (was the key replaced?)"
    )]
    WrongKey,
    #[error(
        "データベース（スキーマ {found}）がこのプログラム（{known}）より新しいため開けません。新しい版のプログラムを使ってください / the database (schema {found}) is newer than this program (schema {known}); use the newer program"
    )]
    NewerSchema { found: usize, known: usize },
    #[error("データベースが壊れています / the database is damaged: {0}")]
    Damaged(String),
    #[error("データベースを開けません / cannot use the database {path}: {detail}")]
    Unusable { path: String, detail: String },
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

/// The open store.
pub struct Store {
    conn: Connection,
    key: StoreKey,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
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
    /// fresh one, and purges personal fields past the retention period.
    pub fn open(config: &StoreConfig, now: DateTime<Utc>) -> Result<Opened, StoreError> {
        let key = StoreKey::load_or_create(&config.key_path)?;
        let path = config.db_path.clone();
        let (conn, set_aside) = match connect(&path) {
            Ok(conn) => (conn, None),
            Err(StoreError::Damaged(detail)) => {
                let moved = set_aside(&path, now)?;
                tracing::warn!(set_aside = %moved.display(), "damaged database set aside");
                let conn = connect(&path)?;
                let mut store = Store { conn, key, path };
                store.audit(
                    now,
                    "system",
                    "store.set_aside",
                    &format!("{} ({detail})", moved.display()),
                )?;
                let purged = store.purge(now)?;
                return Ok(Opened {
                    store,
                    set_aside: Some(moved),
                    purged,
                });
            }
            Err(other) => return Err(other),
        };
        let mut store = Store { conn, key, path };
        let purged = store.purge(now)?;
        Ok(Opened {
            store,
            set_aside,
            purged,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends to the audit log.
    pub fn audit(
        &mut self,
        now: DateTime<Utc>,
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
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
        let mut statement = self
            .conn
            .prepare("SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?1")?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Every setting whose key starts with `prefix`, in key order.
    pub fn settings_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT key, value FROM settings WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
        )?;
        let rows = statement.query_map([prefix], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn retention_days(&self) -> Result<i64, StoreError> {
        Ok(self
            .setting("retention_days")?
            .and_then(|v| v.parse().ok())
            .filter(|d: &i64| *d >= 0)
            .unwrap_or(DEFAULT_RETENTION_DAYS))
    }

    /// Starts a case at the counter.
    pub fn start_case(&mut self, now: DateTime<Utc>) -> Result<CaseId, StoreError> {
        let at = timestamp(now);
        self.conn.execute(
            "INSERT INTO cases (started_at, updated_at, state, step) VALUES (?1, ?1, 'open', 'start')",
            [&at],
        )?;
        let id = self.conn.last_insert_rowid();
        tracing::debug!(case = id, "case started");
        Ok(id)
    }

    /// Saves the case as it stands after a step: the step, the statistics columns and the
    /// sealed personal fields, in one transaction.
    pub fn checkpoint(
        &mut self,
        id: CaseId,
        step: &str,
        case: &Case,
        procedures: &[&str],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(case).map_err(|e| StoreError::Damaged(e.to_string()))?,
        );
        let sealed = self.key.seal(&plain, &case_context(id))?;
        let procedures = serde_json::to_string(procedures).unwrap_or_else(|_| "[]".into());
        let changed = self.conn.execute(
            "UPDATE cases SET updated_at = ?2, step = ?3, event = ?4, members = ?5, procedures = ?6, personal = ?7,
                 unknown_answers = ?8
             WHERE id = ?1 AND state = 'open'",
            params![
                id,
                timestamp(now),
                step,
                case.event.kind().id(),
                case.household.members.len() as i64,
                procedures,
                sealed,
                unknown_answers(case)
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
        let tx = self.conn.transaction()?;
        for FinishedCase {
            started,
            ended,
            case,
            procedures,
            forms_printed,
        } in cases
        {
            tx.execute(
                "INSERT INTO cases (started_at, updated_at, ended_at, state, step, event, members, procedures, duration_s, unknown_answers, forms_printed)
                 VALUES (?1, ?2, ?2, 'done', 'done', ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    timestamp(*started),
                    timestamp(*ended),
                    case.event.kind().id(),
                    case.household.members.len() as i64,
                    serde_json::to_string(procedures).unwrap_or_else(|_| "[]".into()),
                    (*ended - *started).num_seconds(),
                    unknown_answers(case),
                    forms_printed
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
        let started: String =
            self.conn
                .query_row("SELECT started_at FROM cases WHERE id = ?1", [id], |row| {
                    row.get(0)
                })?;
        let duration = DateTime::parse_from_rfc3339(&started)
            .map(|s| (now - s.with_timezone(&Utc)).num_seconds().max(0))
            .unwrap_or(0);
        self.conn.execute(
            "UPDATE cases SET state = 'done', ended_at = ?2, updated_at = ?2, duration_s = ?3, forms_printed = ?4 WHERE id = ?1",
            params![id, timestamp(now), duration, forms_printed],
        )?;
        Ok(())
    }

    /// The most recent case a stopped kiosk left open, with its data, to offer to resume.
    pub fn unfinished_case(&self) -> Result<Option<Unfinished>, StoreError> {
        let row = self
            .conn
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
        let mut statement = self.conn.prepare(
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
            .conn
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
    /// Audited when it removes anything.
    pub fn purge(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let cutoff = timestamp(now - Duration::days(self.retention_days()?));
        let at = timestamp(now);
        let tx = self.conn.transaction()?;
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
        let due = match self.setting("last_purge")? {
            Some(last) => DateTime::parse_from_rfc3339(&last)
                .map(|l| now - l.with_timezone(&Utc) >= Duration::days(1))
                .unwrap_or(true),
            None => true,
        };
        if due {
            self.purge(now).map(Some)
        } else {
            Ok(None)
        }
    }

    /// SQLite's full integrity check: `ok`, or what is wrong.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let mut statement = self.conn.prepare("PRAGMA integrity_check")?;
        let lines = statement
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(lines.join("; "))
    }

    pub fn info(&self) -> Result<StoreInfo, StoreError> {
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.conn.query_row(sql, [], |row| row.get(0))?)
        };
        Ok(StoreInfo {
            path: self.path.display().to_string(),
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
            last_purge: self.setting("last_purge")?,
        })
    }
}

/// Opens the file, checks it is whole and of a schema this binary knows, and migrates it.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let unusable = |detail: String| StoreError::Unusable {
        path: path.display().to_string(),
        detail,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| unusable(e.to_string()))?;
    }
    check_header(path)?;
    let mut conn = Connection::open(path).map_err(|e| unusable(e.to_string()))?;
    // Only the kiosk's user may read the file (SQLite gives the WAL and SHM files the same
    // permissions).
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| unusable(e.to_string()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
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
    Ok(conn)
}

fn damaged_or(error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::Damaged(error.to_string())
        }
        _ => StoreError::Sql(error),
    }
}

/// SQLite notices a garbage file at once, but a truncated one only when a missing page is
/// read. The header records the database size: a file shorter than that has lost data.
fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(()); // No file yet.
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    if file.read_exact(&mut header).is_err() {
        return Err(StoreError::Damaged(format!(
            "{len} bytes: shorter than a database header"
        )));
    }
    if &header[..16] != b"SQLite format 3\0" {
        return Err(StoreError::Damaged("not an SQLite database".into()));
    }
    let word = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
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
