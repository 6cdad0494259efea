//! `madoguchi central …`: setting up the floor's central database and its terminals
//! (docs/central.md), and pushing a terminal's outbox by hand.
//!
//! The administrator's commands connect with `--connection` (libpq parameters) and, for a
//! login with a password, `--password-file`; a network host needs `--ca-file`. Passwords are
//! never taken on the command line (they would show in the process list and the shell's
//! history).

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use madoguchi_central::{Central, ConnectOptions, Terminal};
use madoguchi_store::StoreKey;
use madoguchi_store::signature::PublishingKey;

use crate::cmd::store as store_cmd;
use crate::floor::{FloorConfig, FloorLink};

/// How an administrator reaches the database.
#[derive(Debug)]
pub struct AdminConnection<'a> {
    pub connection: &'a str,
    pub password_file: Option<&'a Path>,
    pub ca_file: Option<&'a Path>,
}

impl AdminConnection<'_> {
    fn connect(&self) -> Result<Central> {
        let password = self
            .password_file
            .map(|file| {
                std::fs::read_to_string(file)
                    .map(|p| p.trim_end_matches(['\n', '\r']).to_string())
                    .with_context(|| format!("cannot read {}", file.display()))
            })
            .transpose()?;
        let options = ConnectOptions {
            connection: self.connection.to_string(),
            password,
            ca_file: self.ca_file.map(Path::to_path_buf),
        };
        Central::connect(&options).context("cannot reach the central database")
    }
}

/// Brings the schema up to date and makes the floor key when there is none.
pub fn init(admin: &AdminConnection<'_>, floor_key: &Path) -> Result<ExitCode> {
    let applied = migrate_schema(admin)?;
    let existed = floor_key.exists();
    StoreKey::create_or_load_file(floor_key)
        .with_context(|| format!("the floor key {}", floor_key.display()))?;
    println!("schema: {applied} migration(s) applied");
    if existed {
        println!("floor key: {} (kept as it was)", floor_key.display());
    } else {
        println!(
            "floor key: {} made (mode 0600). Copy it to every terminal of the floor, never to the database server, and keep a copy with the backups",
            floor_key.display()
        );
    }
    println!("next: madoguchi central add-terminal <login> for each terminal");
    Ok(ExitCode::SUCCESS)
}

/// Applies the migrations the database lacks.
pub fn migrate(admin: &AdminConnection<'_>) -> Result<ExitCode> {
    let applied = migrate_schema(admin)?;
    println!("schema: {applied} migration(s) applied");
    Ok(ExitCode::SUCCESS)
}

fn migrate_schema(admin: &AdminConnection<'_>) -> Result<usize> {
    let mut client = admin.connect()?;
    Ok(client.migrate()?)
}

/// Creates a terminal's login. Its password goes into `password_file` (made here, mode 0600,
/// when it does not exist), which is then copied to the terminal.
pub fn add_terminal(
    admin: &AdminConnection<'_>,
    terminal: &Terminal,
    password_file: &Path,
) -> Result<ExitCode> {
    let password = if password_file.exists() {
        std::fs::read_to_string(password_file)
            .with_context(|| format!("cannot read {}", password_file.display()))?
            .trim_end_matches(['\n', '\r'])
            .to_string()
    } else {
        let password = new_password();
        crate::output::write_private(password_file, format!("{password}\n").as_bytes())
            .with_context(|| format!("cannot write {}", password_file.display()))?;
        password
    };
    let mut client = admin.connect()?;
    client.add_terminal(terminal, &password)?;
    println!(
        "terminal {} added ({}); its password is in {}",
        terminal.login,
        if terminal.counters.is_empty() {
            "an interview desk".to_string()
        } else {
            format!("counters {}", terminal.counters.join(", "))
        },
        password_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// 64 hexadecimal digits from the system's random source (two random UUIDs' bits).
fn new_password() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Stops a terminal's login at once.
pub fn revoke_terminal(admin: &AdminConnection<'_>, login: &str) -> Result<ExitCode> {
    let mut client = admin.connect()?;
    if client.revoke_terminal(login)? {
        println!("terminal {login} revoked: it can no longer log in");
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("no terminal {login} that is still allowed to log in")
    }
}

/// Removes the sealed personal fields of cases that ended more than `days` ago on the floor
/// (run daily, with the city's retention period). Audited.
pub fn purge(admin: &AdminConnection<'_>, days: Option<u32>) -> Result<ExitCode> {
    let mut client = admin.connect()?;
    let days = match days {
        Some(days) => days,
        None => floor_retention(&mut client)?,
    };
    if !(1..=3650).contains(&days) {
        bail!("--days: a whole number from 1 to 3650");
    }
    let before = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
    let purged = client.purge_sealed(before)?;
    println!("purged the personal fields of {purged} cases that ended more than {days} days ago");
    Ok(ExitCode::SUCCESS)
}

/// The floor's retention period: its setting, else the store's default.
fn floor_retention(client: &mut Central) -> Result<u32> {
    let key = "retention_days";
    match client.floor_setting(key)? {
        Some(value) => value.trim().parse().map_err(|_| {
            anyhow::anyhow!("the floor's {key} is `{value}`, not a number of days: set it again with `central set-retention --days N`")
        }),
        None => Ok(u32::try_from(madoguchi_store::DEFAULT_RETENTION_DAYS).unwrap_or(30)),
    }
}

/// Sets the floor's retention period (checked as a terminal's store checks it).
pub fn set_retention(admin: &AdminConnection<'_>, days: u32) -> Result<ExitCode> {
    let value = days.to_string();
    if let Some(spec) = madoguchi_store::settings::spec("retention_days") {
        spec.kind
            .check(&value)
            .map_err(|expected| anyhow::anyhow!("--days must be {expected}"))?;
    }
    let mut client = admin.connect()?;
    client.set_floor_setting("retention_days", &value)?;
    println!(
        "the floor keeps personal fields {days} days: central purge uses it, and every terminal takes it when its link next reaches the server"
    );
    Ok(ExitCode::SUCCESS)
}

/// Counts for IT staff; nothing personal.
pub fn status(admin: &AdminConnection<'_>) -> Result<ExitCode> {
    let mut client = admin.connect()?;
    let status = client.status()?;
    println!("schema version:              {}", status.schema_version);
    println!(
        "terminals:                   {} ({} revoked)",
        status.terminals, status.revoked_terminals
    );
    println!("cases:                       {}", status.cases);
    println!(
        "cases with personal fields:  {}",
        status.cases_with_personal_fields
    );
    println!("waiting at counters:         {}", status.waiting);
    match status.catalogue {
        Some((name, version, at)) => println!(
            "catalogue in force:          {name} {version} (published {})",
            at.format("%Y-%m-%d %H:%M UTC")
        ),
        None => println!("catalogue in force:          none published on the floor"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Pushes this terminal's outbox now and waits up to `wait` for it to empty. Exit 0 when
/// the server was reached and everything was sent, 3 otherwise (the reason on one line).
pub fn sync(wait: Duration) -> Result<ExitCode> {
    let Some(config) = FloorConfig::from_env()? else {
        bail!(
            "this terminal has no floor settings (MADOGUCHI_CENTRAL or ~/.config/madoguchi/central.toml): it runs alone"
        );
    };
    let store = store_cmd::open()?;
    let link = FloorLink::start(
        config.connect_options()?,
        store.share(),
        config.floor_key()?,
        config.trusted_keys()?,
    );
    let deadline = Instant::now() + wait;
    let state = loop {
        link.poke();
        std::thread::sleep(Duration::from_millis(200));
        let state = link.state();
        if (state.online && state.unsent == 0) || Instant::now() >= deadline {
            break state;
        }
    };
    drop(link);
    let state_now = store.unsent().map(|u| u.total()).unwrap_or(state.unsent);
    println!("pushed {}, waiting {}", state.pushed, state_now);
    if state.online && state_now == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        match &state.problem {
            Some(problem) => eprintln!("the central database cannot be reached: {problem}"),
            None => eprintln!(
                "the central database did not answer within {} s",
                wait.as_secs()
            ),
        }
        Ok(ExitCode::from(3))
    }
}

/// A terminal's description for `add-terminal`.
pub fn terminal(
    login: &str,
    place: Option<&str>,
    counters: &[String],
    supervisor: bool,
    back_office: bool,
) -> Terminal {
    Terminal {
        login: login.to_string(),
        place: place.unwrap_or_default().to_string(),
        counters: counters.to_vec(),
        supervisor,
        back_office,
    }
}

/// Makes the city's publishing key (private, mode 0600) and the file of public keys terminals
/// trust (`<key>.pub`, given to every terminal as `publishing_keys_file`).
pub fn publishing_key(out: &Path) -> Result<ExitCode> {
    let key = PublishingKey::create(out)?;
    let public = out.with_extension("pub");
    let line = format!(
        "# the city's catalogue publishing key, made {}\n{}\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        key.public_line()
    );
    std::fs::write(&public, line).with_context(|| format!("cannot write {}", public.display()))?;
    println!(
        "publishing key {} made in {} (keep it on the approving desk only, and a copy offline); its public key is in {}: give that file to every terminal",
        key.key_id(),
        out.display(),
        public.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// On the desk that holds the publishing key: signs the version in force if it is not signed
/// yet, and sends the signed versions to the floor (with the rest of the outbox).
pub fn publish(wait: Duration) -> Result<ExitCode> {
    let mut store = store_cmd::open()?;
    let Some(version) = store.newest_published()? else {
        bail!("the store has no published catalogue");
    };
    if store.catalogue_signature(version.id)?.is_none()
        && !store.sign_version(version.id, chrono::Utc::now())?
    {
        bail!(
            "version {} is not signed and this terminal holds no publishing key (publishing_key_file)",
            version.id
        );
    }
    println!("version {} ({}) is signed", version.id, version.checksum);
    sync(wait)
}
