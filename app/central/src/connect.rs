//! Reaching the central database: libpq-style parameters, the terminal's password, TLS with
//! the city's CA, and timeouts so that a server that went away never holds a terminal.
//!
//! A host that is a folder (a Unix socket, the server on this machine) is reached without
//! TLS; any network host only over TLS checked against the city's CA (`verify-full`:
//! certificate chain and host name). A terminal never sends its login over plain TCP.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use postgres::config::Host;
use postgres::{Client, Config, NoTls};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::CentralError;

/// How long a terminal waits for the server to answer a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the central database is and how to prove who we are.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// libpq key=value parameters without the password (`host=db.city.lg.jp port=5432
    /// dbname=madoguchi user=desk_1`).
    pub connection: String,
    /// The login's password; `None` for a login that needs none (the cluster's own
    /// superuser over its socket, when set up so).
    pub password: Option<String>,
    /// The city's CA certificate (PEM), needed for a network host.
    pub ca_file: Option<PathBuf>,
}

/// Connects, with TLS for a network host. Statements that run longer than 30 s are cancelled
/// by the server, and the link is probed so a vanished server is noticed.
pub fn connect(options: &ConnectOptions) -> Result<Client, CentralError> {
    let (mut config, networked) = check_parameters(&options.connection, options.ca_file.is_some())?;
    if let Some(password) = &options.password {
        config.password(password);
    }
    config
        .connect_timeout(CONNECT_TIMEOUT)
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(30))
        .application_name("madoguchi")
        .options("-c statement_timeout=30000");
    match (&options.ca_file, networked) {
        (Some(ca_file), true) => {
            config.ssl_mode(postgres::config::SslMode::Require);
            Ok(config.connect(tls(ca_file)?)?)
        }
        _ => Ok(config.connect(NoTls)?),
    }
}

/// Checks connection parameters without connecting (a terminal's settings are checked when
/// it starts): they parse, hold no password, and a network host comes with the city's CA.
/// Returns them parsed, and whether a host is on the network.
pub fn check_parameters(connection: &str, has_ca: bool) -> Result<(Config, bool), CentralError> {
    let config = Config::from_str(connection)
        .map_err(|e| CentralError::Settings(format!("the connection parameters: {e}")))?;
    if config.get_password().is_some() {
        return Err(CentralError::Settings(
            "the connection parameters hold a password: keep it in the password file".into(),
        ));
    }
    let networked = config
        .get_hosts()
        .iter()
        .any(|host| matches!(host, Host::Tcp(_)));
    if networked && !has_ca {
        return Err(CentralError::Settings(
            "a network host needs the city's CA certificate (ca_file): a terminal never logs in over plain TCP".into(),
        ));
    }
    Ok((config, networked))
}

fn tls(ca_file: &Path) -> Result<MakeRustlsConnect, CentralError> {
    let unreadable = |detail: String| {
        CentralError::Settings(format!(
            "the CA certificate {}: {detail}",
            ca_file.display()
        ))
    };
    let mut roots = rustls::RootCertStore::empty();
    let certificates = CertificateDer::pem_file_iter(ca_file)
        .map_err(|e| unreadable(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(e.to_string()))?;
    if certificates.is_empty() {
        return Err(unreadable("no certificate in it".into()));
    }
    for certificate in certificates {
        roots
            .add(certificate)
            .map_err(|e| unreadable(e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| unreadable(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}
