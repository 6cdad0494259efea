//! Catalogue versions: the shipped default (imported on first start) and what supervisors
//! draft and publish. A version is its files (path → text, as in `assets/catalogue`) with a
//! SHA-256 checksum over them, so that a version moved between kiosks can be verified.
//!
//! Publishing is a decision in two hands (起案 → 決裁) unless the city turns that off
//! (`catalogue.approval = off`): a supervisor submits a draft, an import or a restore
//! ([`Store::submit_draft`], [`Store::propose`]), which makes it a pending version that no
//! longer changes; another supervisor approves it ([`Store::approve`]), which publishes it as
//! the newest version, or sends it back ([`Store::reject`]). The author can never approve their
//! own proposal. Every step is audited under the account that took it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::staff::Supervisor;
use crate::{Store, StoreError, timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogueStatus {
    /// A supervisor's working copy, saved in place as it is edited.
    Draft,
    /// Submitted (起案), waiting for a second supervisor's decision; never changes again.
    Pending,
    /// In force when it is the newest published version.
    Published,
    /// Sent back by the second supervisor (差戻し), kept for the record.
    Rejected,
}

impl CatalogueStatus {
    pub fn id(self) -> &'static str {
        match self {
            CatalogueStatus::Draft => "draft",
            CatalogueStatus::Pending => "pending",
            CatalogueStatus::Published => "published",
            CatalogueStatus::Rejected => "rejected",
        }
    }
}

/// What submitting did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// Published at once (the city does not ask for approval): the new version's id.
    Published(i64),
    /// Waiting for another supervisor: the pending version's id.
    Pending(i64),
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
    /// Who approved (published) or sent back a submitted version, and why.
    pub decided_by: Option<String>,
    pub decision_note: String,
    /// The version's id on the counter floor, once it is there (published by the approving
    /// desk, or taken from the floor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor_id: Option<i64>,
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
    fn insert_version(
        &self,
        files: &BTreeMap<String, String>,
        status: CatalogueStatus,
        author: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let json = serde_json::to_string(files).map_err(|e| StoreError::Damaged(e.to_string()))?;
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO catalogue_versions (status, author, created_at, note, files, checksum) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![status.id(), author, timestamp(now), note, json, checksum(files)],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// The shipped catalogue as version 1 of a store that has none (first start). Returns
    /// `None` when the store already has a version. Audited as `system`.
    pub fn seed_catalogue(
        &mut self,
        files: &BTreeMap<String, String>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        let any: Option<i64> = self
            .conn()?
            .query_row("SELECT id FROM catalogue_versions LIMIT 1", [], |row| {
                row.get(0)
            })
            .optional()?;
        if any.is_some() {
            return Ok(None);
        }
        let id = self.insert_version(files, CatalogueStatus::Published, "system", note, now)?;
        self.audit(
            now,
            "system",
            "catalogue.publish",
            &format!("version {id} {}: {note}", checksum(files)),
        )?;
        Ok(Some(id))
    }

    /// The version kiosks use: the newest published.
    pub fn newest_published(&self) -> Result<Option<CatalogueVersion>, StoreError> {
        self.catalogue_where("status = 'published' ORDER BY id DESC LIMIT 1", None)
    }

    /// The newest published version's id and checksum, without reading its files: what a
    /// kiosk asks every few seconds to learn whether the rules changed.
    pub fn newest_published_checksum(&self) -> Result<Option<(i64, String)>, StoreError> {
        let conn = self.conn()?;
        Ok(conn
            .query_row(
                "SELECT id, checksum FROM catalogue_versions WHERE status = 'published' ORDER BY id DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
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
            "SELECT id, status, author, created_at, note, checksum, decided_by, decision_note, floor_id, files FROM catalogue_versions WHERE {clause}"
        );
        let map =
            |row: &rusqlite::Row<'_>| Ok((version_without_files(row)?, row.get::<_, String>(9)?));
        let found = {
            let conn = self.conn()?;
            match id {
                Some(id) => conn.query_row(&sql, [id], map).optional()?,
                None => conn.query_row(&sql, [], map).optional()?,
            }
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
    /// Drafts are not audited one edit at a time; submitting and publishing are.
    pub fn save_draft(
        &mut self,
        id: Option<i64>,
        files: &BTreeMap<String, String>,
        by: &Supervisor,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.check_supervisor(by)?;
        let json = serde_json::to_string(files).map_err(|e| StoreError::Damaged(e.to_string()))?;
        if let Some(id) = id {
            let changed = self.conn()?.execute(
                "UPDATE catalogue_versions SET files = ?2, checksum = ?3, author = ?4, created_at = ?5
                 WHERE id = ?1 AND status = 'draft'",
                params![id, json, checksum(files), by.login(), timestamp(now)],
            )?;
            if changed == 1 {
                return Ok(id);
            }
        }
        self.insert_version(files, CatalogueStatus::Draft, by.login(), "", now)
    }

    /// The newest draft, if a supervisor left one.
    pub fn newest_draft(&self) -> Result<Option<CatalogueVersion>, StoreError> {
        self.catalogue_where("status = 'draft' ORDER BY id DESC LIMIT 1", None)
    }

    /// Throws a draft away. Audited.
    pub fn discard_draft(
        &mut self,
        id: i64,
        by: &Supervisor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.check_supervisor(by)?;
        self.conn()?.execute(
            "DELETE FROM catalogue_versions WHERE id = ?1 AND status = 'draft'",
            [id],
        )?;
        self.audit(now, by.login(), "catalogue.discard", &format!("draft {id}"))
    }

    /// Submits a draft (起案): published at once when the city does not ask for approval,
    /// else made a pending version for another supervisor to decide. Audited with the note.
    pub fn submit_draft(
        &mut self,
        id: i64,
        note: &str,
        by: &Supervisor,
        now: DateTime<Utc>,
    ) -> Result<Submitted, StoreError> {
        self.check_supervisor(by)?;
        let draft = self
            .catalogue(id)?
            .filter(|v| v.status == CatalogueStatus::Draft.id())
            .ok_or_else(|| StoreError::Damaged(format!("draft {id} does not exist")))?;
        let note = bounded_note(note)?;
        if self.approval_required()? {
            self.conn()?.execute(
                "UPDATE catalogue_versions SET status = 'pending', note = ?2, author = ?3, created_at = ?4
                 WHERE id = ?1 AND status = 'draft'",
                params![id, note, by.login(), timestamp(now)],
            )?;
            self.audit(
                now,
                by.login(),
                "catalogue.submit",
                &format!("version {id} {}: {note}", draft.checksum),
            )?;
            return Ok(Submitted::Pending(id));
        }
        let published = self.publish_files(&draft, &note, by.login(), None, now)?;
        Ok(Submitted::Published(published))
    }

    /// Submits files that did not come from the draft — an import, or an earlier version to
    /// restore — as for [`Store::submit_draft`].
    pub fn propose(
        &mut self,
        files: &BTreeMap<String, String>,
        note: &str,
        by: &Supervisor,
        now: DateTime<Utc>,
    ) -> Result<Submitted, StoreError> {
        self.check_supervisor(by)?;
        let note = bounded_note(note)?;
        let id = self.insert_version(files, CatalogueStatus::Draft, by.login(), &note, now)?;
        self.submit_draft(id, &note, by, now)
    }

    /// Approves a pending version (決裁): another supervisor than its author publishes it as
    /// the newest version. Audited under the approver, naming the author.
    pub fn approve(
        &mut self,
        id: i64,
        by: &Supervisor,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.check_supervisor(by)?;
        let pending = self.pending(id)?;
        if pending.author == by.login() {
            return Err(StoreError::NotAuthorised(format!(
                "版 {id} は {} さんの起案です。別の管理者が決裁してください / version {id} was submitted by {}: another supervisor must approve it",
                pending.author, pending.author
            )));
        }
        let author = pending.author.clone();
        self.publish_files(&pending, &pending.note, &author, Some(by.login()), now)
    }

    /// Sends a pending version back (差戻し) with the reason. Audited.
    pub fn reject(
        &mut self,
        id: i64,
        reason: &str,
        by: &Supervisor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.check_supervisor(by)?;
        self.pending(id)?;
        let reason = bounded_note(reason)?;
        self.conn()?.execute(
            "UPDATE catalogue_versions SET status = 'rejected', decided_by = ?2, decided_at = ?3, decision_note = ?4
             WHERE id = ?1 AND status = 'pending'",
            params![id, by.login(), timestamp(now), reason],
        )?;
        self.audit(
            now,
            by.login(),
            "catalogue.reject",
            &format!("version {id}: {reason}"),
        )
    }

    fn pending(&self, id: i64) -> Result<CatalogueVersion, StoreError> {
        self.catalogue(id)?
            .filter(|v| v.status == CatalogueStatus::Pending.id())
            .ok_or_else(|| {
                StoreError::NotAuthorised(format!(
                    "版 {id} は決裁待ちではありません / version {id} is not waiting for approval"
                ))
            })
    }

    /// Versions waiting for approval, oldest first, without files.
    pub fn pending_versions(&self) -> Result<Vec<CatalogueVersion>, StoreError> {
        Ok(self
            .catalogue_versions()?
            .into_iter()
            .rev()
            .filter(|v| v.status == CatalogueStatus::Pending.id())
            .collect())
    }

    /// Publishes `version`'s files as the newest version (a new id, so that it is the one
    /// kiosks take) and removes the draft or pending row it came from, in one transaction.
    fn publish_files(
        &mut self,
        version: &CatalogueVersion,
        note: &str,
        author: &str,
        approver: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let json = serde_json::to_string(&version.files)
            .map_err(|e| StoreError::Damaged(e.to_string()))?;
        let at = timestamp(now);
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM catalogue_versions WHERE id = ?1 AND status IN ('draft', 'pending')",
            [version.id],
        )?;
        let signature = self
            .publishing
            .as_ref()
            .map(|key| key.sign(&version.files).to_line())
            .unwrap_or_default();
        tx.execute(
            "INSERT INTO catalogue_versions (status, author, created_at, note, files, checksum, decided_by, decided_at, signature)
             VALUES ('published', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![author, at, note, json, version.checksum, approver, approver.map(|_| &at), signature],
        )?;
        let published = tx.last_insert_rowid();
        let actor = approver.unwrap_or(author);
        let detail = match approver {
            Some(_) => format!(
                "version {published} {} (submitted as {} by {author}): {note}",
                version.checksum, version.id
            ),
            None => format!(
                "version {published} {} (draft {}): {note}",
                version.checksum, version.id
            ),
        };
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?1, ?2, 'catalogue.publish', ?3)",
            params![at, actor, detail],
        )?;
        tx.commit()?;
        Ok(published)
    }

    /// Every version, newest first, without files.
    pub fn catalogue_versions(&self) -> Result<Vec<CatalogueVersion>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn.prepare(
            "SELECT id, status, author, created_at, note, checksum, decided_by, decision_note, floor_id FROM catalogue_versions ORDER BY id DESC",
        )?;
        let rows = statement.query_map([], version_without_files)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// A note for the record: one to 500 characters.
fn bounded_note(note: &str) -> Result<String, StoreError> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        return Err(StoreError::Account(
            "メモは1〜500文字で書いてください / write a note of 1 to 500 characters".into(),
        ));
    }
    Ok(note.to_string())
}

/// The first nine columns (id, status, author, created_at, note, checksum, decided_by,
/// decision_note, floor_id) as a version.
fn version_without_files(row: &rusqlite::Row<'_>) -> rusqlite::Result<CatalogueVersion> {
    Ok(CatalogueVersion {
        id: row.get(0)?,
        status: row.get(1)?,
        author: row.get(2)?,
        created_at: row.get(3)?,
        note: row.get(4)?,
        checksum: row.get(5)?,
        decided_by: row.get(6)?,
        decision_note: row.get(7)?,
        floor_id: row.get(8)?,
        files: BTreeMap::new(),
    })
}
