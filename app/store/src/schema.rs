//! The schema, as migrations applied in order (rusqlite_migration keeps the version in
//! `PRAGMA user_version`). Add a migration at the end; never edit one that has shipped.

use rusqlite_migration::{M, Migrations};

const MIGRATIONS: &[M<'static>] = &[
    M::up(
        r#"
-- Procedure catalogues: the shipped one, and the drafts and publications of supervisors.
-- `files` is a JSON object of file path to text, as in assets/catalogue.
CREATE TABLE catalogue_versions (
    id          INTEGER PRIMARY KEY,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    note        TEXT NOT NULL,
    files       TEXT NOT NULL,
    checksum    TEXT NOT NULL
);

-- One visit. Plain columns hold only what statistics need; everything about the people is in
-- `personal`, sealed with the store key, and set to NULL when the retention period ends.
CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    ended_at        TEXT,
    state           TEXT NOT NULL CHECK (state IN ('open', 'done', 'abandoned')),
    step            TEXT NOT NULL,
    event           TEXT,
    members         INTEGER,
    procedures      TEXT NOT NULL DEFAULT '[]',
    forms_printed   INTEGER NOT NULL DEFAULT 0,
    duration_s      INTEGER,
    personal        BLOB,
    purged_at       TEXT
);
CREATE INDEX cases_state ON cases (state);
CREATE INDEX cases_started ON cases (started_at);
CREATE INDEX cases_updated ON cases (updated_at);

-- Who did what, when. Never personal data: ids, counts, names of staff.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);

-- Documents waiting for or sent to the printer. The document is sealed like a case's
-- personal fields (forms carry names and addresses).
CREATE TABLE print_jobs (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER REFERENCES cases (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    document    BLOB
);

CREATE TABLE settings (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    login           TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor')),
    password_hash   TEXT NOT NULL,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT
);
"#,
    ),
    // Printing follows each job in CUPS: which printer, what it is, and CUPS's job id once sent.
    M::up(
        r#"
ALTER TABLE print_jobs ADD COLUMN printer TEXT NOT NULL DEFAULT '';
ALTER TABLE print_jobs ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE print_jobs ADD COLUMN pages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE print_jobs ADD COLUMN forms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE print_jobs ADD COLUMN cups_job INTEGER;
CREATE INDEX print_jobs_state ON print_jobs (state);
"#,
    ),
    // Statistics: which questions the case answered 「わからない」 (question ids, JSON).
    M::up(
        r#"
ALTER TABLE cases ADD COLUMN unknown_answers TEXT NOT NULL DEFAULT '[]';
"#,
    ),
    // The key-check value: a known text sealed with the store key when the database first met
    // it, so that a wrong or replaced key is refused before it writes anything.
    // Partial indexes on exactly what the purge and the resume look for, so that opening the
    // store walks only the rows that need work, however many old cases it holds.
    M::up(
        r#"
CREATE TABLE key_check (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    sealed      BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX cases_personal_updated ON cases (updated_at) WHERE personal IS NOT NULL;
CREATE INDEX cases_open_updated ON cases (updated_at) WHERE state = 'open';
CREATE INDEX print_jobs_document_updated ON print_jobs (updated_at) WHERE document IS NOT NULL;
"#,
    ),
    // Publishing in two hands (起案 → 決裁): versions may wait for a second supervisor
    // ('pending') or be sent back ('rejected'); who decided and why. SQLite cannot change a
    // CHECK constraint, so the table is rebuilt.
    M::up(
        r#"
CREATE TABLE catalogue_versions_new (
    id              INTEGER PRIMARY KEY,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'published', 'rejected')),
    author          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    note            TEXT NOT NULL,
    files           TEXT NOT NULL,
    checksum        TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    decision_note   TEXT NOT NULL DEFAULT ''
);
INSERT INTO catalogue_versions_new (id, status, author, created_at, note, files, checksum)
    SELECT id, status, author, created_at, note, files, checksum FROM catalogue_versions;
DROP TABLE catalogue_versions;
ALTER TABLE catalogue_versions_new RENAME TO catalogue_versions;
CREATE INDEX catalogue_versions_status ON catalogue_versions (status);
"#,
    ),
    // The counter floor (docs/central.md). Each case gets the UUID the central database files
    // it under (made here, so a push repeated after a crash finds its row), the 受付番号 the
    // guidance sheet prints, where its procedures are handled (counter → procedure ids), and
    // when it reached the central database. Hand-over events this terminal makes (a
    // department's work on a case) wait in `floor_outbox` until they are pushed. Cases stored
    // before the floor get random UUIDs.
    M::up(
        r#"
ALTER TABLE cases ADD COLUMN uuid TEXT;
ALTER TABLE cases ADD COLUMN reception TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN routes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE cases ADD COLUMN pushed_at TEXT;
UPDATE cases SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
    || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1)
    || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX cases_uuid ON cases (uuid);
CREATE INDEX cases_unpushed ON cases (ended_at) WHERE state = 'done' AND pushed_at IS NULL;
CREATE TABLE floor_outbox (
    id          TEXT PRIMARY KEY,
    case_uuid   TEXT NOT NULL,
    counter     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    pushed_at   TEXT
);
CREATE INDEX floor_outbox_unpushed ON floor_outbox (at) WHERE pushed_at IS NULL;
"#,
    ),
    // Signed catalogues (docs/central.md): a published version's signature by the city's
    // publishing key (`ed25519 <key id> <hex>`, empty when unsigned), and its id on the
    // floor's central database once it is there (pulled from it, or pushed by the desk that
    // approved it).
    M::up(
        r#"
ALTER TABLE catalogue_versions ADD COLUMN signature TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_versions ADD COLUMN floor_id INTEGER;
"#,
    ),
];

pub fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

/// The schema version this binary writes.
pub fn latest_version() -> usize {
    MIGRATIONS.len()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_migrations_are_valid() {
        super::migrations().validate().expect("valid migrations");
    }
}
