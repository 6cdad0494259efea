//! Catalogue versions: the shipped default (imported on first start) and what supervisors
//! draft and publish. A version is its files (path → text, as in `assets/catalogue`) with a
//! SHA-256 checksum over them, so that a version moved between kiosks can be verified.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Store, StoreError, timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogueStatus {
    Draft,
    Published,
}

impl CatalogueStatus {
    fn id(self) -> &'static str {
        match self {
            CatalogueStatus::Draft => "draft",
            CatalogueStatus::Published => "published",
        }
    }
}

/// A stored version, files included.
#[derive(Clone, Debug, Serialize)]
pub struct CatalogueVersion {
    pub id: i64,
    pub status: String,
    pub author: String,
    pub created_at: String,
    pub note: String,
    pub checksum: String,
    #[serde(skip)]
    pub files: BTreeMap<String, String>,
}

/// SHA-256 over every file's path and text, in path order, as lower-case hex.
pub fn checksum(files: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (path, text) in files {
        hasher.update((path.len() as u64).to_be_bytes());
        hasher.update(path.as_bytes());
        hasher.update((text.len() as u64).to_be_bytes());
        hasher.update(text.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Stores a catalogue version; publishing is audited.
    pub fn add_catalogue(
        &mut self,
        files: &BTreeMap<String, String>,
        status: CatalogueStatus,
        author: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let checksum = checksum(files);
        let json = serde_json::to_string(files).map_err(|e| StoreError::Damaged(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO catalogue_versions (status, author, created_at, note, files, checksum) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![status.id(), author, timestamp(now), note, json, checksum],
        )?;
        let id = self.conn.last_insert_rowid();
        if status == CatalogueStatus::Published {
            self.audit(
                now,
                author,
                "catalogue.publish",
                &format!("version {id} {checksum}: {note}"),
            )?;
        }
        Ok(id)
    }

    /// The version kiosks use: the newest published.
    pub fn newest_published(&self) -> Result<Option<CatalogueVersion>, StoreError> {
        self.catalogue_where("status = 'published' ORDER BY id DESC LIMIT 1", None)
    }

    pub fn catalogue(&self, id: i64) -> Result<Option<CatalogueVersion>, StoreError> {
        self.catalogue_where("id = ?1", Some(id))
    }

    fn catalogue_where(
        &self,
        clause: &str,
        id: Option<i64>,
    ) -> Result<Option<CatalogueVersion>, StoreError> {
        let sql = format!(
            "SELECT id, status, author, created_at, note, checksum, files FROM catalogue_versions WHERE {clause}"
        );
        let map =
            |row: &rusqlite::Row<'_>| Ok((version_without_files(row)?, row.get::<_, String>(6)?));
        let found = match id {
            Some(id) => self.conn.query_row(&sql, [id], map).optional()?,
            None => self.conn.query_row(&sql, [], map).optional()?,
        };
        let Some((mut version, json)) = found else {
            return Ok(None);
        };
        version.files = serde_json::from_str(&json)
            .map_err(|e| StoreError::Damaged(format!("catalogue {}: {e}", version.id)))?;
        if checksum(&version.files) != version.checksum {
            return Err(StoreError::Damaged(format!(
                "catalogue {} does not match its checksum",
                version.id
            )));
        }
        Ok(Some(version))
    }

    /// Saves the supervisors' working draft: replaces draft `id`'s files, or starts a draft.
    /// Drafts are not audited one edit at a time; publishing is.
    pub fn save_draft(
        &mut self,
        id: Option<i64>,
        files: &BTreeMap<String, String>,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let json = serde_json::to_string(files).map_err(|e| StoreError::Damaged(e.to_string()))?;
        if let Some(id) = id {
            let changed = self.conn.execute(
                "UPDATE catalogue_versions SET files = ?2, checksum = ?3, author = ?4, created_at = ?5
                 WHERE id = ?1 AND status = 'draft'",
                params![id, json, checksum(files), author, timestamp(now)],
            )?;
            if changed == 1 {
                return Ok(id);
            }
        }
        self.add_catalogue(files, CatalogueStatus::Draft, author, "", now)
    }

    /// The newest draft, if a supervisor left one.
    pub fn newest_draft(&self) -> Result<Option<CatalogueVersion>, StoreError> {
        self.catalogue_where("status = 'draft' ORDER BY id DESC LIMIT 1", None)
    }

    /// Throws a draft away. Audited.
    pub fn discard_draft(
        &mut self,
        id: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM catalogue_versions WHERE id = ?1 AND status = 'draft'",
            [id],
        )?;
        self.audit(now, actor, "catalogue.discard", &format!("draft {id}"))
    }

    /// Publishes a draft as the newest version (a new id, so that it is the one kiosks take)
    /// and removes the draft, in one transaction. Audited with the note.
    pub fn publish_draft(
        &mut self,
        id: i64,
        note: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let draft = self
            .catalogue(id)?
            .filter(|v| v.status == CatalogueStatus::Draft.id())
            .ok_or_else(|| StoreError::Damaged(format!("draft {id} does not exist")))?;
        let json =
            serde_json::to_string(&draft.files).map_err(|e| StoreError::Damaged(e.to_string()))?;
        let at = timestamp(now);
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM catalogue_versions WHERE id = ?1", [id])?;
        tx.execute(
            "INSERT INTO catalogue_versions (status, author, created_at, note, files, checksum) VALUES ('published', ?1, ?2, ?3, ?4, ?5)",
            params![actor, at, note, json, draft.checksum],
        )?;
        let published = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?1, ?2, 'catalogue.publish', ?3)",
            params![at, actor, format!("version {published} {} (draft {id}): {note}", draft.checksum)],
        )?;
        tx.commit()?;
        Ok(published)
    }

    /// Every version, newest first, without files.
    pub fn catalogue_versions(&self) -> Result<Vec<CatalogueVersion>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT id, status, author, created_at, note, checksum FROM catalogue_versions ORDER BY id DESC",
        )?;
        let rows = statement.query_map([], version_without_files)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// The first six columns (id, status, author, created_at, note, checksum) as a version.
fn version_without_files(row: &rusqlite::Row<'_>) -> rusqlite::Result<CatalogueVersion> {
    Ok(CatalogueVersion {
        id: row.get(0)?,
        status: row.get(1)?,
        author: row.get(2)?,
        created_at: row.get(3)?,
        note: row.get(4)?,
        checksum: row.get(5)?,
        files: BTreeMap::new(),
    })
}
