//! Signing in on the command line: the administrative commands (staff, publishing,
//! settings, personal exports) act as a supervisor who proves who they are, and the audit
//! records that account — never a name typed as an option.
//!
//! Passwords come from the terminal without echo, or, when standard input is not a terminal
//! (scripts, tests), one per line from standard input, in the order the command asks for them.

use std::io::{BufRead, IsTerminal, Read};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use madoguchi_store::staff::MAX_PASSWORD_CHARS;
use madoguchi_store::{LoginError, Store, Supervisor};
use zeroize::Zeroizing;

/// Reads the passwords a command needs.
#[derive(Debug)]
pub struct Passwords {
    terminal: bool,
}

impl Default for Passwords {
    fn default() -> Passwords {
        Passwords::new()
    }
}

impl Passwords {
    pub fn new() -> Passwords {
        Passwords {
            terminal: std::io::stdin().is_terminal(),
        }
    }

    /// One password: prompted on a terminal, else the next line of standard input (at most
    /// what a password may be, so that a stray file is not read to the end).
    pub fn read(&mut self, prompt: &str) -> Result<Zeroizing<String>> {
        if self.terminal {
            return Ok(Zeroizing::new(
                rpassword::prompt_password(prompt).context("reading the password")?,
            ));
        }
        let mut line = Zeroizing::new(String::new());
        let limit = u64::try_from(MAX_PASSWORD_CHARS * 4 + 2).unwrap_or(u64::MAX);
        std::io::stdin()
            .lock()
            .take(limit)
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        if line.is_empty() {
            bail!("no password on standard input: give one line per password the command asks for");
        }
        let trimmed = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string());
        Ok(trimmed)
    }
}

/// Signs `login` in as a supervisor, or says why not in one line.
pub fn supervisor(store: &mut Store, login: &str, passwords: &mut Passwords) -> Result<Supervisor> {
    let password = passwords.read(&format!("{login} のパスワード / password for {login}: "))?;
    match store.sign_in(login, &password, Utc::now()) {
        Ok(signed_in) => match signed_in.supervisor() {
            Some(supervisor) => Ok(supervisor),
            None => bail!(
                "{login} は管理者ではありません / {login} is not a supervisor: ask a supervisor to do this"
            ),
        },
        Err(LoginError::Store(e)) => Err(e.into()),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// `--as` is required: the option's help says what for.
pub fn required<'a>(login: Option<&'a str>, what: &str) -> Result<&'a str> {
    login.ok_or_else(|| {
        anyhow::anyhow!(
            "{what} needs a supervisor: add --as LOGIN (the password is asked for, or read from standard input)"
        )
    })
}
