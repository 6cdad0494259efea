//! The counter floor's central PostgreSQL: the one crate that knows PostgreSQL.
//!
//! It owns the central schema (`migrations/`, applied with refinery; `docs/central.md`
//! describes every table), the three roles terminals and people act under
//! (`madoguchi_terminal`, `madoguchi_supervisor`, `madoguchi_admin`) with row-level security,
//! and the writes terminals make.
//!
//! Invariants:
//! - Nothing personal is stored in clear: a case's personal fields arrive sealed by the
//!   terminal and stay bytes here; the database and its administrators never see a name.
//! - Every row a terminal writes is keyed by a UUID the terminal made, so a push repeated after
//!   a crash adds nothing ([`push_case`] returns whether the row was new).
//! - A terminal sees only the cases it made and those routed to the counters it serves; the
//!   engine enforces it (row-level security), not this code.

mod connect;
mod terminal;
pub mod testbed;

pub use connect::{CONNECT_TIMEOUT, ConnectOptions, check_parameters, connect};
pub use terminal::Central;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use postgres::{Client, GenericClient};
use uuid::Uuid;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Why a central operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CentralError {
    #[error("the central database: {0}")]
    Database(#[from] postgres::Error),
    #[error("the central database's schema could not be brought up to date: {0}")]
    Migration(#[from] refinery::Error),
    #[error(
        "`{0}` cannot be a terminal's login: use 1 to 63 small letters, digits and _ (desk_1, hoken_2)"
    )]
    Login(String),
    #[error("a terminal's password is 16 to 200 characters on one line")]
    Password,
    #[error("the floor's settings: {0}")]
    Settings(String),
}

/// Brings the schema up to date; returns how many migrations it applied (0 when current).
pub fn migrate(client: &mut Client) -> Result<usize, CentralError> {
    let report = embedded::migrations::runner().run(client)?;
    Ok(report.applied_migrations().len())
}

/// A terminal of the floor: its login role, where it stands, the counters it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terminal {
    pub login: String,
    pub place: String,
    pub counters: Vec<String>,
    /// The desk where versions are approved: it also publishes catalogue versions and reads
    /// the floor's statistics (a member of `madoguchi_supervisor` too).
    pub supervisor: bool,
    /// A back-office terminal: its counters' exports may carry the personal fields (a member
    /// of `madoguchi_backoffice` too; docs/export.md).
    pub back_office: bool,
}

/// Creates the terminal's own login role (SCRAM password), a member of `madoguchi_terminal`,
/// and records what it serves. Run by an administrator.
pub fn add_terminal(
    client: &mut Client,
    terminal: &Terminal,
    password: &str,
) -> Result<(), CentralError> {
    let login = checked_login(&terminal.login)?;
    let literal = password_literal(password)?;
    let mut tx = client.transaction()?;
    // Role names and passwords cannot be bound parameters of CREATE ROLE: the login is
    // checked to be a plain identifier and the password quoted as a literal.
    let mut roles = vec!["madoguchi_terminal"];
    if terminal.supervisor {
        roles.push("madoguchi_supervisor");
    }
    if terminal.back_office {
        roles.push("madoguchi_backoffice");
    }
    let roles = roles.join(", ");
    tx.batch_execute(&format!(
        "CREATE ROLE {login} LOGIN PASSWORD {literal} IN ROLE {roles}"
    ))?;
    tx.execute(
        "INSERT INTO terminals (login, place, counters) VALUES ($1, $2, $3)",
        &[&terminal.login, &terminal.place, &terminal.counters],
    )?;
    tx.execute(
        "INSERT INTO audit (action, detail) VALUES ('terminal.add', $1)",
        &[&format!("{login}: {}", terminal.counters.join(","))],
    )?;
    tx.commit()?;
    Ok(())
}

fn checked_login(login: &str) -> Result<&str, CentralError> {
    let plain = (1..=63).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && login.as_bytes()[0].is_ascii_lowercase();
    if plain {
        Ok(login)
    } else {
        Err(CentralError::Login(login.to_string()))
    }
}

fn password_literal(password: &str) -> Result<String, CentralError> {
    let length = password.chars().count();
    if !(16..=200).contains(&length) || password.chars().any(char::is_control) {
        return Err(CentralError::Password);
    }
    // standard_conforming_strings is on (PostgreSQL's default since 9.1): only ' needs doubling.
    Ok(format!("'{}'", password.replace('\'', "''")))
}

/// A finished case as a terminal pushes it: plain statistics, the sealed personal fields,
/// and the counters it is routed to with the procedures each handles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    pub id: Uuid,
    pub reception: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub event: String,
    pub members: i16,
    pub procedures: Vec<String>,
    /// Counter → the procedure ids it handles.
    pub routes: BTreeMap<String, Vec<String>>,
    pub forms_printed: i32,
    /// The personal fields as the terminal sealed them under the floor key; `None` once
    /// retention removed them.
    pub sealed: Option<Vec<u8>>,
}

/// Writes a finished case and its routes under the terminal's own role, in one transaction.
/// Idempotent: a case already there is left as it is and `false` is returned.
pub fn push_case(client: &mut Client, case: &CaseRow) -> Result<bool, CentralError> {
    let mut tx = client.transaction()?;
    let inserted = tx.execute(
        "INSERT INTO cases (id, terminal, reception, started_at, finished_at, event, members,
                            procedures, forms_printed, sealed)
         VALUES ($1, session_user, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO NOTHING",
        &[
            &case.id,
            &case.reception,
            &case.started_at,
            &case.finished_at,
            &case.event,
            &case.members,
            &case.procedures,
            &case.forms_printed,
            &case.sealed,
        ],
    )? == 1;
    if inserted {
        for (counter, procedures) in &case.routes {
            tx.execute(
                "INSERT INTO routes (case_id, counter, procedures) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&case.id, counter, procedures],
            )?;
        }
    }
    tx.commit()?;
    Ok(inserted)
}

/// What a counter did with a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandoverKind {
    /// The clerk opened the case (to print or read it): audited.
    Opened,
    /// The counter printed its forms.
    Printed,
    Done,
    /// Not needed after all, with a reason.
    NotNeeded,
}

impl HandoverKind {
    pub fn id(self) -> &'static str {
        match self {
            HandoverKind::Opened => "opened",
            HandoverKind::Printed => "printed",
            HandoverKind::Done => "done",
            HandoverKind::NotNeeded => "not_needed",
        }
    }

    pub fn from_id(id: &str) -> Option<HandoverKind> {
        [
            HandoverKind::Opened,
            HandoverKind::Printed,
            HandoverKind::Done,
            HandoverKind::NotNeeded,
        ]
        .into_iter()
        .find(|kind| kind.id() == id)
    }

    /// The route state the event leaves, when it changes one.
    fn route_state(self) -> Option<&'static str> {
        match self {
            HandoverKind::Opened => Some("open"),
            HandoverKind::Printed => None,
            HandoverKind::Done => Some("done"),
            HandoverKind::NotNeeded => Some("not_needed"),
        }
    }
}

/// A hand-over event as a department terminal pushes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandoverRow {
    pub id: Uuid,
    pub case: Uuid,
    pub counter: String,
    pub kind: HandoverKind,
    /// The reason for `NotNeeded`; never personal.
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// Writes a hand-over event and moves the counter's route to the state it leaves (unless a
/// later event already moved it). Idempotent like [`push_case`].
pub fn push_handover(client: &mut Client, event: &HandoverRow) -> Result<bool, CentralError> {
    let mut tx = client.transaction()?;
    let inserted = tx.execute(
        "INSERT INTO handovers (id, case_id, counter, kind, detail, at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
        &[
            &event.id,
            &event.case,
            &event.counter,
            &event.kind.id(),
            &event.detail,
            &event.at,
        ],
    )? == 1;
    if inserted && event.kind == HandoverKind::Opened {
        // Reading a case's personal fields at a counter is on the floor's audit, under the
        // terminal's login, with the time the clerk opened it.
        tx.execute(
            "INSERT INTO audit (action, detail) VALUES ('case.open', $1)",
            &[&format!(
                "case {} at {} ({})",
                event.case,
                event.counter,
                event.at.to_rfc3339()
            )],
        )?;
    }
    if inserted && event.kind == HandoverKind::Printed {
        tx.execute(
            "UPDATE routes SET printed = true WHERE case_id = $1 AND counter = $2",
            &[&event.case, &event.counter],
        )?;
    }
    if inserted && let Some(state) = event.kind.route_state() {
        // Opening does not undo a counter's decision.
        tx.execute(
            "UPDATE routes SET state = $3, reason = $4, updated_at = $5
             WHERE case_id = $1 AND counter = $2 AND updated_at <= $5
               AND NOT ($3 = 'open' AND state IN ('done', 'not_needed'))",
            &[
                &event.case,
                &event.counter,
                &state,
                &event.detail,
                &event.at,
            ],
        )?;
    }
    tx.commit()?;
    Ok(inserted)
}

/// A case waiting at a counter, as its 受付一覧 shows it (nothing personal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub case: Uuid,
    pub reception: String,
    pub finished_at: DateTime<Utc>,
    pub event: String,
    pub members: i16,
    pub counter: String,
    pub state: String,
    pub reason: String,
    /// The procedures this counter handles for the case.
    pub procedures: Vec<String>,
    /// Forms the interview desk printed (the packet holds every form of the case).
    pub forms_printed: i32,
    /// Whether the counter itself printed its forms.
    pub printed_here: bool,
}

/// The cases routed to `counter` that the logged-in terminal may see, finished since `since`,
/// oldest first.
pub fn routed_to(
    client: &mut impl GenericClient,
    counter: &str,
    since: DateTime<Utc>,
) -> Result<Vec<Waiting>, CentralError> {
    let rows = client.query(
        &format!(
            "{WAITING}
         WHERE r.counter = $1 AND c.finished_at >= $2
         ORDER BY c.finished_at, r.case_id"
        ),
        &[&counter, &since],
    )?;
    Ok(rows.iter().map(waiting).collect())
}

/// The columns [`waiting`] reads, from a route and its case (the lists add their WHERE).
const WAITING: &str = "SELECT r.case_id, c.reception, c.finished_at, c.event, c.members, r.counter,
        r.state, r.reason, r.procedures, c.forms_printed, r.printed
 FROM routes r JOIN cases c ON c.id = r.case_id";

fn waiting(row: &postgres::Row) -> Waiting {
    Waiting {
        case: row.get(0),
        reception: row.get(1),
        finished_at: row.get(2),
        event: row.get(3),
        members: row.get(4),
        counter: row.get(5),
        state: row.get(6),
        reason: row.get(7),
        procedures: row.get(8),
        forms_printed: row.get(9),
        printed_here: row.get(10),
    }
}

/// How every counter a case was routed to is getting on (the interview desk's view).
pub fn progress(client: &mut impl GenericClient, case: Uuid) -> Result<Vec<Waiting>, CentralError> {
    let rows = client.query(
        &format!(
            "{WAITING}
         WHERE r.case_id = $1 ORDER BY r.counter"
        ),
        &[&case],
    )?;
    Ok(rows.iter().map(waiting).collect())
}

/// The routes of the cases the logged-in terminal made, finished since `since`, oldest case
/// first and each case's counters in order (the interview desk's view of its households).
pub fn made_here(
    client: &mut impl GenericClient,
    since: DateTime<Utc>,
) -> Result<Vec<Waiting>, CentralError> {
    let rows = client.query(
        &format!(
            "{WAITING}
         WHERE c.terminal = current_user AND c.finished_at >= $1
         ORDER BY c.finished_at, r.case_id, r.counter"
        ),
        &[&since],
    )?;
    Ok(rows.iter().map(waiting).collect())
}

/// A case routed to a counter, as the back-office export reads it (docs/export.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRow {
    pub case: Uuid,
    pub reception: String,
    pub finished_at: DateTime<Utc>,
    /// The terminal that made the case.
    pub terminal: String,
    pub event: String,
    pub members: i16,
    /// The counter's state of the case.
    pub state: String,
    /// The procedures the counter handles for the case.
    pub procedures: Vec<String>,
    /// The sealed personal fields, when asked for and allowed (and not yet purged).
    pub sealed: Option<Vec<u8>>,
}

/// What an export reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportScope {
    /// The cases this terminal has not exported yet (a scheduled export).
    NotYetExported,
    /// Every case finished since then, exported before or not (on demand).
    FinishedSince(DateTime<Utc>),
}

/// Reads up to `max_rows` cases routed to `counter` for the back-office export; with
/// `personal`, their sealed fields too (a back-office terminal's login only: the server refuses
/// anyone else). The server audits every call.
pub fn counter_export(
    client: &mut impl GenericClient,
    counter: &str,
    scope: ExportScope,
    personal: bool,
    max_rows: i32,
) -> Result<Vec<ExportRow>, CentralError> {
    let since = match scope {
        ExportScope::NotYetExported => None,
        ExportScope::FinishedSince(since) => Some(since),
    };
    let rows = client.query(
        "SELECT case_id, reception, finished_at, terminal, event, members, state, procedures,
                sealed
         FROM counter_export($1, $2, $3, $4)",
        &[&counter, &since, &personal, &max_rows],
    )?;
    Ok(rows
        .iter()
        .map(|row| ExportRow {
            case: row.get(0),
            reception: row.get(1),
            finished_at: row.get(2),
            terminal: row.get(3),
            event: row.get(4),
            members: row.get(5),
            state: row.get(6),
            procedures: row.get(7),
            sealed: row.get(8),
        })
        .collect())
}

/// Records that this terminal wrote these cases of `counter` out; returns how many were new.
pub fn counter_exported(
    client: &mut impl GenericClient,
    counter: &str,
    cases: &[Uuid],
) -> Result<i32, CentralError> {
    let row = client.query_one("SELECT counter_exported($1, $2)", &[&counter, &cases])?;
    Ok(row.get(0))
}

/// A setting of the floor (`settings`), as every terminal may read it.
pub fn floor_setting(
    client: &mut impl GenericClient,
    key: &str,
) -> Result<Option<String>, CentralError> {
    let row = client.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])?;
    Ok(row.map(|row| row.get(0)))
}

/// Sets a setting of the floor (an administrator's login); audited.
pub fn set_floor_setting(client: &mut Client, key: &str, value: &str) -> Result<(), CentralError> {
    let mut tx = client.transaction()?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&key, &value],
    )?;
    tx.execute(
        "INSERT INTO audit (action, detail) VALUES ('setting.set', $1)",
        &[&format!("{key} = {value}")],
    )?;
    tx.commit()?;
    Ok(())
}

/// Whether the logged-in role reads the whole floor (a supervisor's or an administrator's):
/// otherwise row-level security shows it only its own and its counters' cases, and a view
/// built on them would not be the floor's.
pub fn reads_whole_floor(client: &mut impl GenericClient) -> Result<bool, CentralError> {
    let row = client.query_one(
        "SELECT pg_has_role(current_user, 'madoguchi_supervisor', 'MEMBER')
             OR pg_has_role(current_user, 'madoguchi_admin', 'MEMBER')",
        &[],
    )?;
    Ok(row.get(0))
}

/// A finished case with its sealed personal fields, for the supervisor's impact preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedCase {
    pub case: Uuid,
    pub reception: String,
    pub terminal: String,
    pub finished_at: DateTime<Utc>,
    pub sealed: Vec<u8>,
}

/// The `limit` most recently finished cases of the floor that still have their personal
/// fields, newest first (a supervisor's login sees every terminal's).
pub fn recent_sealed(
    client: &mut impl GenericClient,
    limit: i64,
) -> Result<Vec<SealedCase>, CentralError> {
    let rows = client.query(
        "SELECT id, reception, terminal, finished_at, sealed FROM cases
         WHERE sealed IS NOT NULL ORDER BY finished_at DESC, id LIMIT $1",
        &[&limit.clamp(0, 10_000)],
    )?;
    Ok(rows
        .iter()
        .map(|row| SealedCase {
            case: row.get(0),
            reception: row.get(1),
            terminal: row.get(2),
            finished_at: row.get(3),
            sealed: row.get(4),
        })
        .collect())
}

/// A case's sealed personal fields, for a counter that opens it (the caller records the
/// `Opened` event). `None` when the case is not visible to this terminal or was purged.
pub fn sealed_case(
    client: &mut impl GenericClient,
    case: Uuid,
) -> Result<Option<Vec<u8>>, CentralError> {
    let row = client.query_opt("SELECT sealed FROM cases WHERE id = $1", &[&case])?;
    Ok(row.and_then(|row| row.get(0)))
}

/// A published catalogue version as it travels: its files (relative path → text) and the
/// city's publishing key's signature over them. Checking the signature is the terminal's work
/// (this crate only carries the bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedCatalogue {
    /// The central row's id (0 before it is written): terminals pull what is newer.
    pub id: i64,
    pub name: String,
    pub version: String,
    pub checksum: String,
    pub files: BTreeMap<String, String>,
    pub signature: Vec<u8>,
    /// Which publishing key signed it (its fingerprint), so a city can change keys.
    pub key_id: String,
}

/// Publishes a signed catalogue version (a supervisor's or administrator's login). Publishing
/// the same checksum again changes nothing; returns the version's id.
pub fn publish_catalogue(
    client: &mut Client,
    catalogue: &PublishedCatalogue,
) -> Result<i64, CentralError> {
    let files = serde_json::to_value(&catalogue.files).unwrap_or_default();
    let mut tx = client.transaction()?;
    tx.execute(
        "INSERT INTO catalogue_versions (name, version, checksum, files, signature, key_id)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (checksum) DO NOTHING",
        &[
            &catalogue.name,
            &catalogue.version,
            &catalogue.checksum,
            &files,
            &catalogue.signature,
            &catalogue.key_id,
        ],
    )?;
    let id: i64 = tx
        .query_one(
            "SELECT id FROM catalogue_versions WHERE checksum = $1",
            &[&catalogue.checksum],
        )?
        .get(0);
    tx.execute(
        "INSERT INTO audit (action, detail) VALUES ('catalogue.publish', $1)",
        &[&format!(
            "{} {} ({})",
            catalogue.name, catalogue.version, catalogue.checksum
        )],
    )?;
    tx.commit()?;
    Ok(id)
}

/// The newest published catalogue version newer than `after` (an id), if any.
pub fn newest_catalogue_after(
    client: &mut impl GenericClient,
    after: i64,
) -> Result<Option<PublishedCatalogue>, CentralError> {
    let row = client.query_opt(
        "SELECT id, name, version, checksum, files, signature, key_id FROM catalogue_versions
         WHERE id > $1 ORDER BY id DESC LIMIT 1",
        &[&after],
    )?;
    let Some(row) = row else { return Ok(None) };
    let files: serde_json::Value = row.get(4);
    Ok(Some(PublishedCatalogue {
        id: row.get(0),
        name: row.get(1),
        version: row.get(2),
        checksum: row.get(3),
        files: serde_json::from_value(files).unwrap_or_default(),
        signature: row.get(5),
        key_id: row.get(6),
    }))
}

/// Stops a terminal's login at once and records when; its counters then give it nothing.
pub fn revoke_terminal(client: &mut Client, login: &str) -> Result<bool, CentralError> {
    let login = checked_login(login)?;
    let mut tx = client.transaction()?;
    let changed = tx.execute(
        "UPDATE terminals SET revoked_at = now() WHERE login = $1 AND revoked_at IS NULL",
        &[&login],
    )?;
    if changed == 1 {
        tx.batch_execute(&format!("ALTER ROLE {login} NOLOGIN"))?;
        tx.execute(
            "INSERT INTO audit (action, detail) VALUES ('terminal.revoke', $1)",
            &[&login],
        )?;
    }
    tx.commit()?;
    Ok(changed == 1)
}

/// The floor at a glance, for `madoguchi central status` (nothing personal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FloorStatus {
    pub schema_version: i32,
    pub terminals: i64,
    pub revoked_terminals: i64,
    pub cases: i64,
    pub cases_with_personal_fields: i64,
    /// Routes still waiting or open.
    pub waiting: i64,
    /// The newest published catalogue: name, version, when.
    pub catalogue: Option<(String, String, DateTime<Utc>)>,
}

/// Counts for the administrator (a role that may read every table).
pub fn status(client: &mut Client) -> Result<FloorStatus, CentralError> {
    let count = |client: &mut Client, sql: &str| -> Result<i64, CentralError> {
        Ok(client.query_one(sql, &[])?.get(0))
    };
    let schema_version: i32 = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM refinery_schema_history",
            &[],
        )?
        .get(0);
    let catalogue = client
        .query_opt(
            "SELECT name, version, published_at FROM catalogue_versions ORDER BY id DESC LIMIT 1",
            &[],
        )?
        .map(|row| (row.get(0), row.get(1), row.get(2)));
    Ok(FloorStatus {
        schema_version,
        terminals: count(
            client,
            "SELECT count(*) FROM terminals WHERE revoked_at IS NULL",
        )?,
        revoked_terminals: count(
            client,
            "SELECT count(*) FROM terminals WHERE revoked_at IS NOT NULL",
        )?,
        cases: count(client, "SELECT count(*) FROM cases")?,
        cases_with_personal_fields: count(
            client,
            "SELECT count(*) FROM cases WHERE sealed IS NOT NULL",
        )?,
        waiting: count(
            client,
            "SELECT count(*) FROM routes WHERE state IN ('waiting', 'open')",
        )?,
        catalogue,
    })
}

/// Retention on the floor: removes the sealed personal fields of cases that ended before
/// `before` (statistics stay), and audits how many. An administrator's login; run daily with
/// the city's retention period (`madoguchi central purge`).
pub fn purge_sealed(client: &mut Client, before: DateTime<Utc>) -> Result<u64, CentralError> {
    let mut tx = client.transaction()?;
    let purged = tx.execute(
        "UPDATE cases SET sealed = NULL, purged_at = now()
         WHERE sealed IS NOT NULL AND finished_at < $1",
        &[&before],
    )?;
    if purged > 0 {
        tx.execute(
            "INSERT INTO audit (action, detail) VALUES ('cases.purge', $1)",
            &[&format!(
                "{purged} cases' personal fields, ended before {before}"
            )],
        )?;
    }
    tx.commit()?;
    Ok(purged)
}

/// The floor's statistics for a range of days (Japan's), from the summary tables the
/// triggers keep: what the supervisor's main view shows, across every terminal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FloorStatistics {
    pub cases: i64,
    pub members: i64,
    /// Mean minutes from a case's start to its end.
    pub mean_minutes: f64,
    pub forms_printed: i64,
    pub per_day: Vec<(chrono::NaiveDate, i64)>,
    /// Cases by the hour of day they ended (0–23).
    pub per_hour: [i64; 24],
    pub per_event: Vec<(String, i64)>,
    /// Cases routed to each counter, most first.
    pub per_counter: Vec<(String, i64)>,
    pub per_terminal: Vec<(String, i64)>,
}

/// Reads the statistics of `from..=to` (a supervisor's or administrator's login).
pub fn floor_statistics(
    client: &mut impl GenericClient,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<FloorStatistics, CentralError> {
    // One scan of the summary for every grouping the view shows.
    let rows = client.query(
        "SELECT GROUPING(day, hour, event, terminal)::int, day, hour, event, terminal,
                coalesce(sum(cases), 0)::bigint, coalesce(sum(members), 0)::bigint,
                coalesce(sum(seconds), 0)::bigint, coalesce(sum(forms), 0)::bigint
         FROM case_counts WHERE day BETWEEN $1 AND $2
         GROUP BY GROUPING SETS ((day), (hour), (event), (terminal), ())",
        &[&from, &to],
    )?;
    let (mut cases, mut members, mut seconds, mut forms) = (0i64, 0i64, 0i64, 0i64);
    let mut per_day = Vec::new();
    let mut per_hour = [0i64; 24];
    let mut per_event = Vec::new();
    let mut per_terminal = Vec::new();
    // GROUPING's bits, left to right: day, hour, event, terminal (1 = not grouped by it).
    for row in &rows {
        let grouping: i32 = row.get(0);
        let count: i64 = row.get(5);
        match grouping {
            0b0111 => per_day.push((row.get::<_, chrono::NaiveDate>(1), count)),
            0b1011 => {
                let hour: i16 = row.get(2);
                if let Some(slot) = usize::try_from(hour).ok().and_then(|h| per_hour.get_mut(h)) {
                    *slot = count;
                }
            }
            0b1101 => per_event.push((row.get::<_, String>(3), count)),
            0b1110 => per_terminal.push((row.get::<_, String>(4), count)),
            0b1111 => {
                cases = count;
                members = row.get(6);
                seconds = row.get(7);
                forms = row.get(8);
            }
            _ => {}
        }
    }
    per_day.sort();
    let most_first = |a: &(String, i64), b: &(String, i64)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    per_event.sort_by(most_first);
    per_terminal.sort_by(most_first);
    let pairs = |rows: Vec<postgres::Row>| -> Vec<(String, i64)> {
        rows.iter().map(|row| (row.get(0), row.get(1))).collect()
    };
    let per_counter = pairs(client.query(
        "SELECT counter, sum(cases)::bigint FROM route_counts WHERE day BETWEEN $1 AND $2
         GROUP BY counter ORDER BY 2 DESC, 1",
        &[&from, &to],
    )?);
    Ok(FloorStatistics {
        cases,
        members,
        mean_minutes: if cases > 0 {
            seconds as f64 / 60.0 / cases as f64
        } else {
            0.0
        },
        forms_printed: forms,
        per_day,
        per_hour,
        per_event,
        per_counter,
        per_terminal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_plain_identifiers_and_passwords_are_quoted() {
        assert!(checked_login("hoken_1").is_ok());
        for bad in ["", "Hoken", "1desk", "desk-1", "desk\"; DROP ROLE x; --"] {
            assert!(checked_login(bad).is_err(), "{bad}");
        }
        assert_eq!(
            password_literal("it's-a-long-password").ok().as_deref(),
            Some("'it''s-a-long-password'")
        );
        assert!(password_literal("short").is_err());
        assert!(password_literal("a-long-password\nwith-a-line").is_err());
    }
}
