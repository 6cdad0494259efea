//! Staff accounts: clerks and supervisors, with argon2 password hashes and a lock-out after
//! repeated failures. Every sign-in, failure and lock is audited.
//!
//! Administrative work takes a [`Supervisor`]: a proof of a successful supervisor sign-in that
//! only this module can make ([`Store::sign_in`], or [`Store::bootstrap_supervisor`] for the
//! very first account). Every administrative method of the store asks for one, checks again
//! that the account still exists, is a supervisor and is not locked, and audits under its
//! login — so no code path can act as a supervisor without signing in, and the audit never
//! records a name someone merely typed.

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
/// Characters in a login name.
pub const MAX_LOGIN_CHARS: usize = 32;
/// Characters in a password: at least, and at most (argon2 takes any length; a limit keeps a
/// pasted file from being hashed).
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Passwords too common to use, one per line (`assets/security/common-passwords.txt`).
const COMMON_PASSWORDS: &str = include_str!("../../../assets/security/common-passwords.txt");

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

/// A supervisor who has signed in. Only this module makes one; see the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Supervisor {
    login: String,
}

impl Supervisor {
    /// The account's login name, as the audit records it.
    pub fn login(&self) -> &str {
        &self.login
    }
}

/// Who signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub login: String,
    pub role: Role,
}

impl SignedIn {
    /// The supervisor's proof, when the account is one.
    pub fn supervisor(self) -> Option<Supervisor> {
        (self.role == Role::Supervisor).then_some(Supervisor { login: self.login })
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

/// A login name as stored: full-width letters and digits made half-width, upper case made
/// lower, surrounding spaces dropped; then 1 to 32 of `a-z 0-9 . _ -`, starting with a letter
/// or digit. `Sato`, `ｓａｔｏ` and ` sato ` are one account.
pub fn normalise_login(raw: &str) -> Result<String, StoreError> {
    let refuse = || {
        StoreError::Account(format!(
            "ログイン名は半角英数字と . _ - の1〜{MAX_LOGIN_CHARS}文字です / a login name is 1 to {MAX_LOGIN_CHARS} letters, digits, '.', '_' or '-', starting with a letter or digit"
        ))
    };
    if raw.len() > MAX_LOGIN_CHARS * 4 {
        return Err(refuse());
    }
    let login: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            // Full-width ASCII (U+FF01–U+FF5E) to its half-width form.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
    let starts_well = login
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !starts_well || login.chars().count() > MAX_LOGIN_CHARS || !login.chars().all(allowed) {
        return Err(refuse());
    }
    Ok(login)
}

/// The password policy: 10 to 256 characters, not blank, not only one repeated character,
/// not the login name (or containing it), and not on the shipped list of common passwords.
pub fn check_password(login: &str, password: &str) -> Result<(), StoreError> {
    let refuse = |why: &str| StoreError::Account(why.to_string());
    let count = password.chars().count();
    if password.trim().is_empty() {
        return Err(refuse(
            "パスワードが空です / the password is blank: choose one of 10 characters or more",
        ));
    }
    if count < MIN_PASSWORD_CHARS {
        return Err(refuse(
            "パスワードは10文字以上にしてください / a password needs at least 10 characters",
        ));
    }
    if count > MAX_PASSWORD_CHARS {
        return Err(refuse(
            "パスワードは256文字までです / a password has at most 256 characters",
        ));
    }
    let lower = password.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(refuse(
            "同じ文字だけのパスワードは使えません / a password of one repeated character is too easy to guess",
        ));
    }
    if !login.is_empty() && lower.contains(&login.to_lowercase()) {
        return Err(refuse(
            "パスワードにログイン名を含めないでください / the password must not contain the login name",
        ));
    }
    let common = COMMON_PASSWORDS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .any(|line| line.trim() == lower);
    if common {
        return Err(refuse(
            "よく使われるパスワードのため使えません / this password is on the list of common passwords: choose another",
        ));
    }
    Ok(())
}

/// At most the policy's longest password, cut at a character boundary: what a failed sign-in
/// hashes to spend a real check's time, without hashing whatever length was typed.
fn bounded(password: &str) -> &str {
    password
        .char_indices()
        .nth(MAX_PASSWORD_CHARS)
        .map_or(password, |(end, _)| &password[..end])
}

fn hash(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Key(format!("password hashing: {e}")))
}

impl Store {
    /// Adds an account, or replaces its role and password and unlocks it; done by a signed-in
    /// supervisor, audited under their account. The login is normalised and the password held
    /// to the policy.
    pub fn set_staff(
        &mut self,
        by: &Supervisor,
        login: &str,
        role: Role,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        self.check_supervisor(by)?;
        let login = self.write_account(login, role, password)?;
        self.audit(
            now,
            by.login(),
            "staff.set",
            &format!("{login} as {}", role.id()),
        )?;
        Ok(login)
    }

    /// The first supervisor of a store that has none: the one administrative act that needs
    /// no sign-in, as nobody could give one. Whoever can write the database file (the OS user
    /// the kiosk runs as) may do it; docs/security.md says why that is the trust boundary.
    /// Audited as `system`.
    pub fn bootstrap_supervisor(
        &mut self,
        login: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Supervisor, StoreError> {
        if self.has_supervisor()? {
            return Err(StoreError::NotAuthorised(
                "管理者がすでにいます。管理者としてログインして追加してください / a supervisor already exists: sign in as one to add accounts".into(),
            ));
        }
        let login = self.write_account(login, Role::Supervisor, password)?;
        self.audit(
            now,
            "system",
            "staff.bootstrap",
            &format!("{login} as supervisor"),
        )?;
        Ok(Supervisor { login })
    }

    fn write_account(
        &mut self,
        login: &str,
        role: Role,
        password: &str,
    ) -> Result<String, StoreError> {
        let login = normalise_login(login)?;
        check_password(&login, password)?;
        let hashed = hash(password)?;
        self.conn()?.execute(
            "INSERT INTO staff (login, role, password_hash) VALUES (?1, ?2, ?3)
             ON CONFLICT (login) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
                 failed_logins = 0, locked_until = NULL",
            params![login, role.id(), hashed],
        )?;
        Ok(login)
    }

    /// Whether any supervisor account exists.
    pub fn has_supervisor(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT 1 FROM staff WHERE role = 'supervisor' LIMIT 1",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Checks that a supervisor's account is still one: it exists, has the role and is not
    /// locked. Every administrative method calls this before acting.
    pub fn check_supervisor(&self, supervisor: &Supervisor) -> Result<(), StoreError> {
        let row: Option<(String, Option<String>)> = self
            .conn()?
            .query_row(
                "SELECT role, locked_until FROM staff WHERE login = ?1",
                [supervisor.login()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let now = timestamp(Utc::now());
        match row {
            Some((role, locked))
                if role == "supervisor" && locked.as_ref().is_none_or(|u| *u <= now) =>
            {
                Ok(())
            }
            _ => Err(StoreError::NotAuthorised(format!(
                "{} は管理者として使えません（権限の変更かロック）。もう一度ログインしてください / {} is no longer a supervisor (role changed or locked); sign in again",
                supervisor.login(),
                supervisor.login()
            ))),
        }
    }

    /// Checks a sign-in. Three failures in a row lock the account for 15 minutes.
    pub fn sign_in(
        &mut self,
        login: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, LoginError> {
        let Ok(login) = normalise_login(login) else {
            // Not a name any account can have: refused like an unknown one, and the typed
            // text is not written to the audit.
            let _ = hash(bounded(password));
            self.audit(now, "-", "login.failed", "not a login name")?;
            return Err(LoginError::Wrong);
        };
        let row = self
            .conn()?
            .query_row(
                "SELECT role, password_hash, failed_logins, locked_until FROM staff WHERE login = ?1",
                [&login],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?, row.get::<_, Option<String>>(3)?)),
            )
            .optional()
            .map_err(StoreError::from)?;
        let Some((role, stored, failed, locked_until)) = row else {
            // Spend the time a real check would, so that timing does not reveal logins.
            let _ = hash(bounded(password));
            self.audit(now, &login, "login.failed", "unknown login")?;
            return Err(LoginError::Wrong);
        };
        if let Some(until) = locked_until.filter(|u| *u > timestamp(now)) {
            self.audit(now, &login, "login.refused", "locked")?;
            return Err(LoginError::Locked { until });
        }
        let matches = password.chars().count() <= MAX_PASSWORD_CHARS
            && PasswordHash::new(&stored)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false);
        if matches {
            self.conn()?
                .execute(
                    "UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE login = ?1",
                    [&login],
                )
                .map_err(StoreError::from)?;
            self.audit(now, &login, "login", "")?;
            return Ok(SignedIn {
                login,
                role: Role::from_id(&role),
            });
        }
        let failed = failed + 1;
        if failed >= MAX_FAILED_LOGINS {
            let until = timestamp(now + Duration::minutes(LOCK_MINUTES));
            self.conn()?
                .execute(
                    "UPDATE staff SET failed_logins = 0, locked_until = ?2 WHERE login = ?1",
                    params![login, until],
                )
                .map_err(StoreError::from)?;
            self.audit(
                now,
                &login,
                "login.locked",
                &format!("after {failed} failures"),
            )?;
            return Err(LoginError::Locked { until });
        }
        self.conn()?
            .execute(
                "UPDATE staff SET failed_logins = ?2 WHERE login = ?1",
                params![login, failed],
            )
            .map_err(StoreError::from)?;
        self.audit(now, &login, "login.failed", &format!("failure {failed}"))?;
        Err(LoginError::Wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names_are_normalised_and_bounded() {
        assert_eq!(normalise_login(" Sato ").expect("ok"), "sato");
        assert_eq!(normalise_login("ｓａｔｏ．ｋ").expect("ok"), "sato.k");
        for bad in [
            "",
            "   ",
            "-sato",
            "佐藤",
            "sa to",
            &"a".repeat(33),
            &"a".repeat(100_000),
        ] {
            assert!(normalise_login(bad).is_err(), "{bad:.40}");
        }
    }

    #[test]
    fn the_password_policy_refuses_the_weak_ones() {
        assert!(check_password("sato", "tsubaki-no-hana-7").is_ok());
        for bad in [
            "          ",
            "short",
            "aaaaaaaaaaaa",
            "sato-sato-sato",
            "password123",
            "Qwertyuiop",
            &"x1".repeat(200),
        ] {
            assert!(check_password("sato", bad).is_err(), "{bad:.40}");
        }
    }
}
