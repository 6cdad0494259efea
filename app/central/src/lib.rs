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
    tx.batch_execute(&format!(
        "CREATE ROLE {login} LOGIN PASSWORD {literal} IN ROLE madoguchi_terminal"
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
/// and the counters it is routed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    pub id: Uuid,
    pub event: String,
    pub members: i16,
    pub procedures: Vec<String>,
    pub counters: Vec<String>,
    /// The personal fields as the terminal sealed them.
    pub sealed: Vec<u8>,
}

/// Writes a finished case and its routes under the terminal's own role. Idempotent: a case
/// already there is left as it is and `false` is returned.
pub fn push_case(client: &mut Client, case: &CaseRow) -> Result<bool, CentralError> {
    let mut tx = client.transaction()?;
    let inserted = tx.execute(
        "INSERT INTO cases (id, terminal, started_at, finished_at, event, members, procedures, sealed)
         VALUES ($1, session_user, now(), now(), $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING",
        &[
            &case.id,
            &case.event,
            &case.members,
            &case.procedures,
            &case.sealed,
        ],
    )? == 1;
    if inserted {
        for counter in &case.counters {
            tx.execute(
                "INSERT INTO routes (case_id, counter) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&case.id, counter],
            )?;
        }
    }
    tx.commit()?;
    Ok(inserted)
}

/// A case waiting at a counter, as its list shows it (nothing personal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub case: Uuid,
    pub counter: String,
    pub state: String,
    pub procedures: Vec<String>,
}

/// The cases routed to `counter` that the logged-in terminal may see, oldest first.
pub fn routed_to(
    client: &mut impl GenericClient,
    counter: &str,
) -> Result<Vec<Waiting>, CentralError> {
    let rows = client.query(
        "SELECT r.case_id, r.counter, r.state, c.procedures
         FROM routes r JOIN cases c ON c.id = r.case_id
         WHERE r.counter = $1 ORDER BY c.finished_at, r.case_id",
        &[&counter],
    )?;
    Ok(rows
        .iter()
        .map(|row| Waiting {
            case: row.get(0),
            counter: row.get(1),
            state: row.get(2),
            procedures: row.get(3),
        })
        .collect())
}

/// How a counter's work on a case ended: `done`, or `not_needed` with a reason.
pub fn set_route_state(
    client: &mut Client,
    case: Uuid,
    counter: &str,
    state: &str,
    reason: &str,
) -> Result<bool, CentralError> {
    let changed = client.execute(
        "UPDATE routes SET state = $3, reason = $4, updated_at = now()
         WHERE case_id = $1 AND counter = $2",
        &[&case, &counter, &state, &reason],
    )?;
    Ok(changed == 1)
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
