//! Staff accounts: clerks and supervisors, with argon2 password hashes and a lock-out after
//! repeated failures. Every sign-in, failure and lock is audited.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::{Store, StoreError, timestamp};

/// Failed sign-ins in a row that lock an account.
pub const MAX_FAILED_LOGINS: i64 = 3;
/// How long a locked account stays locked.
pub const LOCK_MINUTES: i64 = 15;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clerk,
    Supervisor,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
        }
    }

    fn from_id(id: &str) -> Role {
        if id == "supervisor" {
            Role::Supervisor
        } else {
            Role::Clerk
        }
    }
}

/// Why a sign-in failed. The same words for an unknown name and a wrong password, so that
/// the screen does not tell which logins exist.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("名前かパスワードが違います / wrong name or password")]
    Wrong,
    #[error(
        "失敗が続いたためロックしました。{until} まで待つか、管理者に連絡してください / locked after repeated failures until {until}; wait or call the administrator"
    )]
    Locked { until: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn hash(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Key(format!("password hashing: {e}")))
}

impl Store {
    /// Adds an account, or replaces its role and password; unlocks it. Audited.
    pub fn set_staff(
        &mut self,
        login: &str,
        role: Role,
        password: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let hashed = hash(password)?;
        self.conn.execute(
            "INSERT INTO staff (login, role, password_hash) VALUES (?1, ?2, ?3)
             ON CONFLICT (login) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
                 failed_logins = 0, locked_until = NULL",
            params![login, role.id(), hashed],
        )?;
        self.audit(
            now,
            actor,
            "staff.set",
            &format!("{login} as {}", role.id()),
        )
    }

    /// Checks a sign-in. Three failures in a row lock the account for 15 minutes.
    pub fn sign_in(
        &mut self,
        login: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Role, LoginError> {
        let row = self
            .conn
            .query_row(
                "SELECT role, password_hash, failed_logins, locked_until FROM staff WHERE login = ?1",
                [login],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?, row.get::<_, Option<String>>(3)?)),
            )
            .optional()
            .map_err(StoreError::from)?;
        let Some((role, stored, failed, locked_until)) = row else {
            // Spend the time a real check would, so that timing does not reveal logins.
            let _ = hash(password);
            self.audit(now, login, "login.failed", "unknown login")?;
            return Err(LoginError::Wrong);
        };
        if let Some(until) = locked_until.filter(|u| *u > timestamp(now)) {
            self.audit(now, login, "login.refused", "locked")?;
            return Err(LoginError::Locked { until });
        }
        let matches = PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        if matches {
            self.conn
                .execute(
                    "UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE login = ?1",
                    [login],
                )
                .map_err(StoreError::from)?;
            self.audit(now, login, "login", "")?;
            return Ok(Role::from_id(&role));
        }
        let failed = failed + 1;
        if failed >= MAX_FAILED_LOGINS {
            let until = timestamp(now + Duration::minutes(LOCK_MINUTES));
            self.conn
                .execute(
                    "UPDATE staff SET failed_logins = 0, locked_until = ?2 WHERE login = ?1",
                    params![login, until],
                )
                .map_err(StoreError::from)?;
            self.audit(
                now,
                login,
                "login.locked",
                &format!("after {failed} failures"),
            )?;
            return Err(LoginError::Locked { until });
        }
        self.conn
            .execute(
                "UPDATE staff SET failed_logins = ?2 WHERE login = ?1",
                params![login, failed],
            )
            .map_err(StoreError::from)?;
        self.audit(now, login, "login.failed", &format!("failure {failed}"))?;
        Err(LoginError::Wrong)
    }
}
