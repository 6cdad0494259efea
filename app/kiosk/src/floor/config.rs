//! The floor's settings on this terminal: `central.toml`, written by the city's IT staff
//! (docs/central.md, "A terminal's settings").
//!
//! Where it is: `MADOGUCHI_CENTRAL` (a path), else the `[central]` section of the terminal's
//! configuration file (`/etc/madoguchi/madoguchi.toml`, [`crate::config`]), else
//! `~/.config/madoguchi/central.toml` when that exists. No file: the terminal runs alone, as before. A file that is there but wrong stops
//! the start with what is wrong: a terminal the city put on the floor must not quietly run
//! alone.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use madoguchi_central::ConnectOptions;
use madoguchi_store::StoreKey;
use madoguchi_store::signature::{PublishingKey, TrustedKeys};
use serde::Deserialize;

/// A settings file is a few lines; anything larger is not one.
const MAX_BYTES: u64 = 64 * 1024;

/// What `central.toml` holds.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FloorConfig {
    /// libpq parameters without the password: `host=db.city.lg.jp port=5432
    /// dbname=madoguchi user=desk_1`.
    pub connection: String,
    /// The file holding this terminal's password (mode 0600, owned by the kiosk's user).
    pub password_file: PathBuf,
    /// The city's CA certificate (PEM), for any host that is not a Unix socket folder.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The floor key: seals personal fields on the floor; the same file on every terminal,
    /// never on the database server.
    pub floor_key_file: PathBuf,
    /// The counter this terminal serves in counter mode (`hoken_nenkin`); none at an
    /// interview desk.
    #[serde(default)]
    pub counter: Option<String>,
    /// The city's publishing keys this terminal trusts (public keys, one per line): every
    /// catalogue version, from the floor or a folder, must carry a signature by one of them.
    pub publishing_keys_file: PathBuf,
    /// The city's publishing key (private), only on the desk where versions are approved:
    /// what it publishes is signed and goes to the floor. Its login must be a supervisor's
    /// (`add-terminal --supervisor`).
    #[serde(default)]
    pub publishing_key_file: Option<PathBuf>,
}

/// The settings file's path, when the terminal has one.
pub fn config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("MADOGUCHI_CENTRAL") {
        return Some(PathBuf::from(path));
    }
    let path = dirs_config()?.join("madoguchi").join("central.toml");
    path.exists().then_some(path)
}

fn dirs_config() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".config")))
}

impl FloorConfig {
    /// Reads and checks the file.
    pub fn load(path: &Path) -> Result<FloorConfig> {
        let text = read_bounded(path, MAX_BYTES)?;
        let config: FloorConfig = toml::from_str(&text)
            .with_context(|| format!("{}: not the floor's settings", path.display()))?;
        config
            .check()
            .with_context(|| format!("{}", path.display()))?;
        Ok(config)
    }

    /// The terminal's settings, or `None` when it has none (it runs alone).
    pub fn from_env() -> Result<Option<FloorConfig>> {
        if std::env::var_os("MADOGUCHI_CENTRAL").is_none()
            && let Some(loaded) = crate::config::current()?
            && let Some(floor) = loaded.config.floor()
        {
            return Ok(Some(floor.clone()));
        }
        config_path()
            .map(|path| FloorConfig::load(&path))
            .transpose()
    }

    /// The checks a file's values must pass (the configuration file's `[central]` too).
    pub(crate) fn check(&self) -> Result<()> {
        if self.connection.trim().is_empty() || self.connection.contains('\n') {
            bail!("connection: one line of libpq parameters (host=… dbname=… user=…)");
        }
        madoguchi_central::check_parameters(&self.connection, self.ca_file.is_some())
            .context("connection")?;
        if let Some(counter) = &self.counter {
            let plain = (1..=32).contains(&counter.len())
                && counter
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !plain {
                bail!("counter: a counter id of the catalogue (small letters, digits, _)");
            }
        }
        Ok(())
    }

    /// How to connect: the parameters, the password read from its file, the CA.
    pub fn connect_options(&self) -> Result<ConnectOptions> {
        let password = read_bounded(&self.password_file, MAX_BYTES)?;
        let password = password.trim_end_matches(['\n', '\r']).to_string();
        if password.is_empty() {
            bail!(
                "{} is empty: it holds the terminal's password",
                self.password_file.display()
            );
        }
        Ok(ConnectOptions {
            connection: self.connection.clone(),
            password: Some(password),
            ca_file: self.ca_file.clone(),
        })
    }

    /// The floor key, from its file only (never `MADOGUCHI_STORE_KEY`: the floor key is not
    /// the store's); it must exist (a terminal never makes its own: every terminal of a floor
    /// holds the same one).
    pub fn floor_key(&self) -> Result<StoreKey> {
        match StoreKey::load_file(&self.floor_key_file) {
            Ok(Some(key)) => Ok(key),
            Ok(None) => bail!(
                "the floor key {} is missing: copy it from the floor's set-up (madoguchi central init made it)",
                self.floor_key_file.display()
            ),
            Err(error) => Err(error)
                .with_context(|| format!("the floor key {}", self.floor_key_file.display())),
        }
    }
}

/// The publishing keys this terminal trusts: the floor settings' file, else the file
/// `MADOGUCHI_PUBLISHING_KEYS` names; `None` for a terminal that has neither (it runs alone and
/// checks an imported folder's checksum only).
pub fn trusted_keys() -> Result<Option<TrustedKeys>> {
    if let Some(config) = FloorConfig::from_env()? {
        return config.trusted_keys().map(Some);
    }
    let Some(path) = std::env::var_os("MADOGUCHI_PUBLISHING_KEYS") else {
        return Ok(None);
    };
    let keys = TrustedKeys::load(Path::new(&path))?;
    if keys.is_empty() {
        bail!("{} holds no publishing key", Path::new(&path).display());
    }
    Ok(Some(keys))
}

/// The city's publishing key when this terminal approves versions: the floor settings'
/// `publishing_key_file`, else the file `MADOGUCHI_PUBLISHING_KEY_FILE` names.
pub fn publishing_key() -> Result<Option<PublishingKey>> {
    let path = match FloorConfig::from_env()?.and_then(|c| c.publishing_key_file) {
        Some(path) => path,
        None => match std::env::var_os("MADOGUCHI_PUBLISHING_KEY_FILE") {
            Some(path) => PathBuf::from(path),
            None => return Ok(None),
        },
    };
    match PublishingKey::load(&path)? {
        Some(key) => Ok(Some(key)),
        None => bail!(
            "the publishing key {} is missing (madoguchi central publishing-key makes one)",
            path.display()
        ),
    }
}

impl FloorConfig {
    /// The publishing keys this terminal trusts (at least one).
    pub fn trusted_keys(&self) -> Result<TrustedKeys> {
        let keys = TrustedKeys::load(&self.publishing_keys_file)?;
        if keys.is_empty() {
            bail!(
                "{} holds no publishing key",
                self.publishing_keys_file.display()
            );
        }
        Ok(keys)
    }
}

/// Reads a settings file of at most `max` bytes, never more (a link to `/dev/zero` is
/// refused, not read to its end).
pub(crate) fn read_bounded(path: &Path, max: u64) -> Result<String> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut text = String::new();
    file.take(max + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {} (is it text?)", path.display()))?;
    if text.len() as u64 > max {
        bail!(
            "{} is larger than {max} bytes: too large for a settings file",
            path.display()
        );
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_file_names_what_is_wrong() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("central.toml");
        let write = |text: &str| std::fs::write(&path, text).expect("write");
        write(
            "connection = \"host=/run/postgresql user=desk_1\"\npassword_file = \"p\"\nfloor_key_file = \"k\"\npublishing_keys_file = \"t\"\n",
        );
        assert!(FloorConfig::load(&path).is_ok());
        write(
            "connection = \"host=db user=desk_1\"\npassword_file = \"p\"\nfloor_key_file = \"k\"\npublishing_keys_file = \"t\"\nprinter = \"x\"\n",
        );
        let error = format!("{:#}", FloorConfig::load(&path).expect_err("unknown key"));
        assert!(error.contains("printer"), "{error}");
        write(
            "connection = \"host=/db\"\npassword_file = \"p\"\nfloor_key_file = \"k\"\npublishing_keys_file = \"t\"\ncounter = \"保険\"\n",
        );
        let error = format!("{:#}", FloorConfig::load(&path).expect_err("bad counter"));
        assert!(error.contains("counter"), "{error}");
        write(
            "connection = \"host=db.city.lg.jp user=desk_1\"\npassword_file = \"p\"\nfloor_key_file = \"k\"\npublishing_keys_file = \"t\"\n",
        );
        let error = format!("{:#}", FloorConfig::load(&path).expect_err("no CA"));
        assert!(error.contains("ca_file"), "{error}");
        write(
            "connection = \"host=/run/postgresql user=desk_1 password=x\"\npassword_file = \"p\"\nfloor_key_file = \"k\"\npublishing_keys_file = \"t\"\n",
        );
        let error = format!("{:#}", FloorConfig::load(&path).expect_err("a password"));
        assert!(error.contains("password file"), "{error}");
        std::fs::write(&path, vec![b'#'; 100_000]).expect("write");
        assert!(FloorConfig::load(&path).is_err());
    }
}
