//! The server's configuration, read from `ADDIN_*` environment variables.
//!
//! Every setting (the README's configuration table) is parsed and checked here, once,
//! before anything starts: a wrong value stops the server with one line naming the setting, what
//! is wrong with it and how to fix it ([`ConfigError`]), rather than failing later somewhere deep.
//!
//! Reading is separate from the process environment ([`Config::from_vars`] takes any list of
//! pairs) so tests can try every bad value without touching global state.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

/// Where the built-in default sends tokens for validation.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";

/// Every variable this server reads. Others with the `ADDIN_` prefix are reported as unknown,
/// since a typo there would otherwise silently fall back to a default.
pub const KNOWN_VARIABLES: &[&str] = &[
    "ADDIN_LISTEN",
    "ADDIN_PUBLIC_URL",
    "ADDIN_DATA_DIR",
    "ADDIN_DATABASE_URL",
    "ADDIN_AUTHORITY",
    "ADDIN_CLIENT_ID",
    "ADDIN_ALLOWED_TENANTS",
    "ADDIN_MASTER_KEY_FILE",
    "ADDIN_TLS_CERT",
    "ADDIN_TLS_KEY",
    "ADDIN_INSECURE_HTTP",
    "ADDIN_RATE_LIMIT_SCALE",
    "ADDIN_MAX_CONNECTIONS",
    "ADDIN_IDLE_TIMEOUT",
    "ADDIN_SMTP_URL",
    "ADDIN_MAIL_FROM",
    "ADDIN_SMTP_CA_FILE",
    "ADDIN_PASSCODES",
];

/// Variables with the `ADDIN_` prefix that belong to the project's scripts, not to the server.
const SCRIPT_VARIABLES: &[&str] = &["ADDIN_WASM_ROUTE", "ADDIN_SKIP_SETUP"];

/// The checked configuration of one server process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address to bind (`ADDIN_LISTEN`).
    pub listen: SocketAddr,
    /// Origin the add-in is served from, without a trailing slash (`ADDIN_PUBLIC_URL`).
    pub public_url: PublicUrl,
    /// Directory for the SQLite file and generated keys and certificates (`ADDIN_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Where the store lives (`ADDIN_DATABASE_URL`).
    pub database: Database,
    /// Token issuer base, without a trailing slash (`ADDIN_AUTHORITY`).
    pub authority: String,
    /// The Entra application's client id, if set (`ADDIN_CLIENT_ID`).
    pub client_id: Option<String>,
    /// Which tenants may use the server (`ADDIN_ALLOWED_TENANTS`).
    pub allowed_tenants: AllowedTenants,
    /// The master key-encryption key file, if set (`ADDIN_MASTER_KEY_FILE`).
    pub master_key_file: Option<PathBuf>,
    /// Where the TLS certificate comes from (`ADDIN_TLS_CERT`, `ADDIN_TLS_KEY`).
    pub tls: TlsSource,
    /// Serve plain HTTP, for tests on loopback only (`ADDIN_INSECURE_HTTP`).
    pub insecure_http: bool,
    /// What every rate limit is multiplied by (`ADDIN_RATE_LIMIT_SCALE`, 1 to 1,000,000).
    pub rate_limit_scale: u32,
    /// Connections open at once (`ADDIN_MAX_CONNECTIONS`, 1 to 1,000,000; default 4096, and
    /// never more than the file limit allows).
    pub max_connections: u32,
    /// Seconds a connection may stay silent before it is closed (`ADDIN_IDLE_TIMEOUT`, 1 to
    /// 3600; default 60).
    pub idle_timeout_secs: u32,
    /// Outgoing mail, if set (`ADDIN_SMTP_URL`, `ADDIN_MAIL_FROM`, `ADDIN_SMTP_CA_FILE`).
    pub mail: Option<crate::mail::MailSettings>,
    /// Whether the server sends one-time passcodes to people outside the organisations
    /// (`ADDIN_PASSCODES`; default off, and on needs mail). Each organisation's policy then
    /// decides for its own keys.
    pub passcodes: bool,
    /// Things worth telling the operator that do not stop the server (unknown variables).
    pub warnings: Vec<String>,
}

/// The public origin of the add-in, e.g. `https://addin.example.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    url: String,
    host: String,
    /// `host[:port]`, the port only when it is not the scheme's default.
    authority: String,
}

impl PublicUrl {
    /// The URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The host name (or IP address) of the URL, without brackets or port.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The Entra application ID URI Office SSO asks tokens for: `api://host[:port]/{client
    /// id}`, with the port when the URL names one other than 443, as Office requires the
    /// URI's domain to match where the add-in is served from.
    pub fn app_id_uri(&self, client_id: &str) -> String {
        format!("api://{}/{client_id}", self.authority)
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// The store engine and its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// One SQLite file (the embedded default).
    Sqlite(PathBuf),
    /// A PostgreSQL database, shared by every server behind a load balancer.
    Postgres(PostgresUrl),
}

/// A `postgres://` URL. Its password never appears in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(url::Url);

impl PostgresUrl {
    /// The URL to connect with, password included.
    pub fn connect_url(&self) -> &str {
        self.0.as_str()
    }

    /// The URL with its password replaced by `***`, for messages.
    pub fn redacted(&self) -> String {
        let mut shown = self.0.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        shown.to_string()
    }
}

impl std::fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl std::fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Which tenants the server accepts tokens from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedTenants {
    /// None configured: authenticated routes refuse every tenant until one is allowed.
    None,
    /// Exactly these tenant ids (lowercase GUIDs).
    List(Vec<String>),
    /// `*`: tenants whose admin consented, as recorded in the store.
    Consented,
}

/// Where the TLS certificate and key come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// PEM files given by the operator.
    Files {
        /// Certificate chain, leaf first.
        cert: PathBuf,
        /// Private key (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
    /// A localhost development certificate, generated into the data directory on first start.
    Generated,
}

/// A setting with a wrong value: says which, what is wrong and how to fix it, on one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}={value:?}: {problem}; {fix}")]
pub struct ConfigError {
    /// The variable, e.g. `ADDIN_LISTEN`.
    pub setting: &'static str,
    /// The value as given (or empty when the problem is a missing value).
    pub value: String,
    /// What is wrong with it.
    pub problem: String,
    /// What to do about it.
    pub fix: String,
}

impl ConfigError {
    pub(crate) fn new(
        setting: &'static str,
        value: &str,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        ConfigError {
            setting,
            value: value.to_owned(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(std::env::vars_os().filter_map(|(k, v)| {
            // A value that is not UTF-8 is read lossily: it then fails the checks below, which
            // name the variable, instead of being skipped as if unset.
            let key = k.into_string().ok()?;
            let value = v
                .into_string()
                .unwrap_or_else(|v| v.to_string_lossy().into_owned());
            Some((key, value))
        }))
    }

    /// Reads the configuration from `(name, value)` pairs; names without the `ADDIN_` prefix are
    /// ignored. An empty value counts as unset.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut warnings = Vec::new();
        let mut given = std::collections::BTreeMap::new();
        for (key, value) in vars {
            if !key.starts_with("ADDIN_") {
                continue;
            }
            if KNOWN_VARIABLES.contains(&key.as_str()) {
                if !value.trim().is_empty() {
                    given.insert(key, value.trim().to_owned());
                }
            } else if !SCRIPT_VARIABLES.contains(&key.as_str()) {
                warnings.push(format!(
                    "{key} is not a setting of this server and is ignored; the settings are {}",
                    KNOWN_VARIABLES.join(", ")
                ));
            }
        }
        let get = |name: &str| given.get(name).map(String::as_str);

        let insecure_http = match get("ADDIN_INSECURE_HTTP") {
            None => false,
            Some(v) => parse_bool("ADDIN_INSECURE_HTTP", v)?,
        };

        let listen = match get("ADDIN_LISTEN") {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(v) => v.parse::<SocketAddr>().map_err(|_| {
                ConfigError::new(
                    "ADDIN_LISTEN",
                    v,
                    "not an IP address and port",
                    "set it to ip:port, e.g. 127.0.0.1:3000 or [::1]:3000",
                )
            })?,
        };
        if insecure_http && !listen.ip().is_loopback() {
            return Err(ConfigError::new(
                "ADDIN_INSECURE_HTTP",
                "true",
                format!("plain HTTP on the non-loopback address {listen} would expose tokens and keys"),
                "unset ADDIN_INSECURE_HTTP (it is for tests on 127.0.0.1 only) or set ADDIN_LISTEN to a loopback address",
            ));
        }

        let public_url = parse_url(
            "ADDIN_PUBLIC_URL",
            get("ADDIN_PUBLIC_URL").unwrap_or("https://localhost:3000"),
            insecure_http,
            "set it to the https:// origin users reach the add-in at, e.g. https://addin.example.com",
        )?;
        let authority = parse_url(
            "ADDIN_AUTHORITY",
            get("ADDIN_AUTHORITY").unwrap_or(DEFAULT_AUTHORITY),
            insecure_http,
            "set it to the token issuer base, e.g. https://login.microsoftonline.com",
        )?
        .url;

        let rate_limit_scale = whole_number(
            "ADDIN_RATE_LIMIT_SCALE",
            get("ADDIN_RATE_LIMIT_SCALE"),
            1,
            1..=1_000_000,
            "unset it (every limit as documented), or give the factor to multiply each limit by",
        )?;
        let max_connections = whole_number(
            "ADDIN_MAX_CONNECTIONS",
            get("ADDIN_MAX_CONNECTIONS"),
            4096,
            1..=1_000_000,
            "unset it (4096), or give how many client connections may be open at once",
        )?;
        let idle_timeout_secs = whole_number(
            "ADDIN_IDLE_TIMEOUT",
            get("ADDIN_IDLE_TIMEOUT"),
            60,
            1..=3600,
            "unset it (60), or give the seconds a silent connection is kept open",
        )?;

        let data_dir = PathBuf::from(get("ADDIN_DATA_DIR").unwrap_or("./data"));
        if data_dir.exists() && !data_dir.is_dir() {
            return Err(ConfigError::new(
                "ADDIN_DATA_DIR",
                &data_dir.to_string_lossy(),
                "exists but is not a directory",
                "point it to a directory (it is created if missing)",
            ));
        }

        let database = match get("ADDIN_DATABASE_URL") {
            None => Database::Sqlite(data_dir.join("addin.db")),
            Some(v) => parse_database(v)?,
        };

        let client_id = get("ADDIN_CLIENT_ID")
            .map(|v| {
                parse_guid(v).ok_or_else(|| {
                    ConfigError::new(
                        "ADDIN_CLIENT_ID",
                        v,
                        "not a GUID",
                        "copy the Application (client) ID from the app registration in Entra ID",
                    )
                })
            })
            .transpose()?;

        let allowed_tenants = match get("ADDIN_ALLOWED_TENANTS") {
            None => AllowedTenants::None,
            Some("*") => AllowedTenants::Consented,
            Some(v) => {
                let mut tenants = Vec::new();
                for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    tenants.push(parse_guid(part).ok_or_else(|| {
                        ConfigError::new(
                            "ADDIN_ALLOWED_TENANTS",
                            v,
                            format!("{part:?} is not a tenant id (GUID)"),
                            "list tenant ids separated by commas, or set * to allow tenants whose admin consented",
                        )
                    })?);
                }
                AllowedTenants::List(tenants)
            }
        };

        let master_key_file = get("ADDIN_MASTER_KEY_FILE")
            .map(|v| readable_file("ADDIN_MASTER_KEY_FILE", v, "point it to the master key file, or unset it to have one generated in the data directory"))
            .transpose()?;

        let tls = match (get("ADDIN_TLS_CERT"), get("ADDIN_TLS_KEY")) {
            (None, None) => TlsSource::Generated,
            (Some(cert), Some(key)) => TlsSource::Files {
                cert: readable_file("ADDIN_TLS_CERT", cert, "point it to a PEM certificate chain, or unset both ADDIN_TLS_CERT and ADDIN_TLS_KEY to use a generated development certificate")?,
                key: readable_file("ADDIN_TLS_KEY", key, "point it to the PEM private key of the certificate, or unset both ADDIN_TLS_CERT and ADDIN_TLS_KEY")?,
            },
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "ADDIN_TLS_KEY",
                    "",
                    "is missing while ADDIN_TLS_CERT is set",
                    "set ADDIN_TLS_KEY to the certificate's PEM private key, or unset ADDIN_TLS_CERT",
                ))
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "ADDIN_TLS_CERT",
                    "",
                    "is missing while ADDIN_TLS_KEY is set",
                    "set ADDIN_TLS_CERT to the PEM certificate chain, or unset ADDIN_TLS_KEY",
                ))
            }
        };

        let mail = mail_settings(
            get("ADDIN_SMTP_URL"),
            get("ADDIN_MAIL_FROM"),
            get("ADDIN_SMTP_CA_FILE"),
        )?;
        let passcodes = match get("ADDIN_PASSCODES") {
            None => false,
            Some(v) => parse_bool("ADDIN_PASSCODES", v)?,
        };
        if passcodes && mail.is_none() {
            return Err(ConfigError::new(
                "ADDIN_PASSCODES",
                get("ADDIN_PASSCODES").unwrap_or_default(),
                "is on but the server has no way to send the passcodes",
                "set ADDIN_SMTP_URL and ADDIN_MAIL_FROM to the organisation's mail relay, or set ADDIN_PASSCODES=false",
            ));
        }

        Ok(Config {
            mail,
            passcodes,
            listen,
            public_url,
            data_dir,
            database,
            authority,
            client_id,
            allowed_tenants,
            master_key_file,
            tls,
            insecure_http,
            rate_limit_scale,
            max_connections,
            idle_timeout_secs,
            warnings,
        })
    }
}

/// The mail settings, when `ADDIN_SMTP_URL` is set; the relay's password never appears in an
/// error.
fn mail_settings(
    url: Option<&str>,
    from: Option<&str>,
    ca_file: Option<&str>,
) -> Result<Option<crate::mail::MailSettings>, ConfigError> {
    let Some(url) = url else {
        if let Some(from) = from {
            return Err(ConfigError::new(
                "ADDIN_SMTP_URL",
                "",
                format!("is missing while ADDIN_MAIL_FROM is set ({from})"),
                "set ADDIN_SMTP_URL to the mail relay (smtps://user:password@host:465 or smtp://user:password@host:587), or unset ADDIN_MAIL_FROM",
            ));
        }
        return Ok(None);
    };
    let shown = redacted(url);
    let smtp = crate::mail::SmtpUrl::parse(url).map_err(|problem| {
        ConfigError::new(
            "ADDIN_SMTP_URL",
            &shown,
            problem,
            "set it to smtps://user:password@host:465 (TLS) or smtp://user:password@host:587 (STARTTLS); percent-encode @ and : in the user name and password",
        )
    })?;
    let Some(from) = from else {
        return Err(ConfigError::new(
            "ADDIN_MAIL_FROM",
            "",
            "is missing while ADDIN_SMTP_URL is set",
            "set it to the sender of the server's mail, e.g. Textguard <noreply@contoso.example> (a mailbox the relay lets the server send as)",
        ));
    };
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(ConfigError::new(
            "ADDIN_MAIL_FROM",
            from,
            "is not a sender address",
            "set it to an address, or Name <address>, e.g. Textguard <noreply@contoso.example>",
        ));
    }
    let ca_pem = ca_file
        .map(|path| {
            let file = readable_file("ADDIN_SMTP_CA_FILE", path, "point it to the PEM certificate of the authority that signed the relay's certificate, or unset it")?;
            std::fs::read(&file).map_err(|e| {
                ConfigError::new("ADDIN_SMTP_CA_FILE", path, format!("cannot be read ({e})"), "make it readable by the server")
            })
        })
        .transpose()?;
    Ok(Some(crate::mail::MailSettings {
        smtp,
        from: from.to_owned(),
        ca_pem,
    }))
}

/// `url` with its password replaced by `***`, to show in an error.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "(not shown: it may hold a password)".to_owned(),
    }
}

/// A whole number within `range`, or `default` when the setting is absent.
fn whole_number(
    setting: &'static str,
    value: Option<&str>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
    fix: &'static str,
) -> Result<u32, ConfigError> {
    let Some(v) = value else { return Ok(default) };
    v.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            ConfigError::new(
                setting,
                v,
                format!(
                    "not a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
                fix,
            )
        })
}

fn parse_bool(setting: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ConfigError::new(
            setting,
            value,
            "not a boolean",
            "set it to true or false",
        )),
    }
}

/// Parses an origin-like URL: `https://host[:port][/path]`, or `http://` on a loopback host when
/// plain HTTP is allowed. Returns it without a trailing slash.
fn parse_url(
    setting: &'static str,
    value: &str,
    insecure_http: bool,
    fix: &str,
) -> Result<PublicUrl, ConfigError> {
    let bad = |problem: String| ConfigError::new(setting, value, problem, fix);
    let uri: axum::http::Uri = value.parse().map_err(|e| bad(format!("not a URL ({e})")))?;
    let host = uri
        .host()
        .ok_or_else(|| bad("has no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    if uri.query().is_some() {
        return Err(bad("must not have a query string".into()));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if insecure_http && is_loopback_host(&host) => {}
        Some("http") if insecure_http => {
            return Err(bad(
                "plain http:// is accepted only for a loopback host (ADDIN_INSECURE_HTTP is for tests)".into(),
            ))
        }
        Some("http") => {
            return Err(ConfigError::new(
                setting,
                value,
                "plain http:// would expose tokens and keys",
                "use an https:// URL (http:// on loopback is accepted only with ADDIN_INSECURE_HTTP=true, for tests)",
            ))
        }
        _ => return Err(bad("must start with https://".into())),
    }
    let default_port = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    let authority = match uri.port_u16() {
        Some(port) if port != default_port => format!("{}:{port}", uri.host().unwrap_or(&host)),
        _ => uri.host().unwrap_or(&host).to_owned(),
    };
    Ok(PublicUrl {
        url: value.trim_end_matches('/').to_owned(),
        host,
        authority,
    })
}

fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl std::str::FromStr for Database {
    type Err = ConfigError;

    /// Reads a database as `ADDIN_DATABASE_URL` names it: `sqlite://PATH` or `postgres://...`.
    fn from_str(value: &str) -> Result<Database, ConfigError> {
        parse_database(value)
    }
}

fn parse_database(value: &str) -> Result<Database, ConfigError> {
    if let Some(path) = value
        .strip_prefix("sqlite://")
        .or_else(|| value.strip_prefix("sqlite:"))
    {
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err(ConfigError::new(
                "ADDIN_DATABASE_URL",
                value,
                "names no file",
                "write sqlite://PATH, e.g. sqlite://./data/addin.db, or unset it for the default",
            ));
        }
        return Ok(Database::Sqlite(PathBuf::from(path)));
    }
    if value.starts_with("postgres://") || value.starts_with("postgresql://") {
        let bad = |problem: &str| {
            // The value may hold a password: the message shows the scheme only.
            ConfigError::new(
                "ADDIN_DATABASE_URL",
                "postgres://...",
                problem,
                "write postgres://USER:PASSWORD@HOST:PORT/DATABASE",
            )
        };
        let url = url::Url::parse(value).map_err(|e| bad(&format!("is not a URL ({e})")))?;
        let has_host = url.host_str().is_some_and(|h| !h.is_empty())
            || url.query_pairs().any(|(k, _)| k == "host");
        if !has_host {
            return Err(bad("names no host"));
        }
        return Ok(Database::Postgres(PostgresUrl(url)));
    }
    Err(ConfigError::new(
        "ADDIN_DATABASE_URL",
        value,
        "unknown database engine",
        "write sqlite://PATH or postgres://USER:PASSWORD@HOST/DATABASE, or unset it for the SQLite file in the data directory",
    ))
}

/// Accepts a GUID in its usual 8-4-4-4-12 hexadecimal form and returns it in lowercase.
fn parse_guid(value: &str) -> Option<String> {
    let groups: Vec<&str> = value.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    let ok = groups.len() == lengths.len()
        && groups
            .iter()
            .zip(lengths)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    ok.then(|| value.to_ascii_lowercase())
}

fn readable_file(setting: &'static str, value: &str, fix: &str) -> Result<PathBuf, ConfigError> {
    let path = Path::new(value);
    match std::fs::File::open(path) {
        Ok(_) if path.is_file() => Ok(path.to_path_buf()),
        Ok(_) => Err(ConfigError::new(setting, value, "is not a file", fix)),
        Err(e) => Err(ConfigError::new(
            setting,
            value,
            format!("cannot be read ({e})"),
            fix,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn err(pairs: &[(&str, &str)]) -> ConfigError {
        match Config::from_vars(vars(pairs)) {
            Ok(c) => panic!("expected an error, got {c:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn defaults_are_the_embedded_development_setup() {
        let c = Config::from_vars(vars(&[("PATH", "/usr/bin")])).unwrap();
        assert_eq!(c.listen, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(c.public_url.as_str(), "https://localhost:3000");
        assert_eq!(c.public_url.host(), "localhost");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(
            c.database,
            Database::Sqlite(PathBuf::from("./data/addin.db"))
        );
        assert_eq!(c.authority, DEFAULT_AUTHORITY);
        assert_eq!(c.tls, TlsSource::Generated);
        assert_eq!(c.allowed_tenants, AllowedTenants::None);
        assert!(!c.insecure_http);
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn the_application_id_uri_names_the_port_only_when_it_is_not_the_default() {
        let uri = |url: &str| {
            Config::from_vars(vars(&[
                ("ADDIN_PUBLIC_URL", url),
                ("ADDIN_INSECURE_HTTP", "true"),
            ]))
            .unwrap()
            .public_url
            .app_id_uri("c1")
        };
        assert_eq!(
            uri("https://addin.example.com"),
            "api://addin.example.com/c1"
        );
        assert_eq!(
            uri("https://addin.example.com:443/"),
            "api://addin.example.com/c1"
        );
        assert_eq!(
            uri("https://addin.example.com:8443"),
            "api://addin.example.com:8443/c1"
        );
        assert_eq!(uri("https://localhost:3000"), "api://localhost:3000/c1");
        assert_eq!(uri("http://127.0.0.1:80"), "api://127.0.0.1/c1");
        assert_eq!(uri("https://[::1]:3000"), "api://[::1]:3000/c1");
    }

    #[test]
    fn values_are_parsed_and_normalised() {
        let c = Config::from_vars(vars(&[
            ("ADDIN_LISTEN", "[::1]:8443"),
            ("ADDIN_PUBLIC_URL", "https://addin.example.com/"),
            ("ADDIN_DATA_DIR", "/var/lib/addin"),
            ("ADDIN_CLIENT_ID", "0A1B2C3D-0000-4000-8000-00000000000F"),
            (
                "ADDIN_ALLOWED_TENANTS",
                " 11111111-1111-1111-1111-111111111111 ,",
            ),
            ("ADDIN_DATABASE_URL", "sqlite:///tmp/x.db?mode=rwc"),
        ]))
        .unwrap();
        assert_eq!(c.listen, "[::1]:8443".parse().unwrap());
        assert_eq!(c.public_url.as_str(), "https://addin.example.com");
        assert_eq!(
            c.client_id.as_deref(),
            Some("0a1b2c3d-0000-4000-8000-00000000000f")
        );
        assert_eq!(
            c.allowed_tenants,
            AllowedTenants::List(vec!["11111111-1111-1111-1111-111111111111".into()])
        );
        assert_eq!(c.database, Database::Sqlite(PathBuf::from("/tmp/x.db")));
        let star = Config::from_vars(vars(&[("ADDIN_ALLOWED_TENANTS", "*")])).unwrap();
        assert_eq!(star.allowed_tenants, AllowedTenants::Consented);
    }

    #[test]
    fn postgres_urls_are_accepted_and_their_password_is_never_shown() {
        let c = Config::from_vars(vars(&[(
            "ADDIN_DATABASE_URL",
            "postgres://addin:s3cret@db.internal:5432/addin",
        )]))
        .unwrap();
        let Database::Postgres(url) = &c.database else {
            panic!("{:?}", c.database)
        };
        assert_eq!(
            url.connect_url(),
            "postgres://addin:s3cret@db.internal:5432/addin"
        );
        assert_eq!(
            url.to_string(),
            "postgres://addin:***@db.internal:5432/addin"
        );
        assert!(!format!("{c:?}").contains("s3cret"));
        let e = Config::from_vars(vars(&[("ADDIN_DATABASE_URL", "postgres://u:s3cret@/x")]))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("s3cret"), "{e}");
        // A Unix socket directory counts as a host.
        Config::from_vars(vars(&[(
            "ADDIN_DATABASE_URL",
            "postgres:///addin?host=/run/postgresql&user=addin",
        )]))
        .unwrap();
    }

    /// A named bad configuration: the setting to blame, the variables, a word the fix must carry.
    type BadCase = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
    );

    #[test]
    fn each_bad_value_names_its_setting() {
        let cases: &[BadCase] = &[
            (
                "ADDIN_IDLE_TIMEOUT",
                &[("ADDIN_IDLE_TIMEOUT", "0")],
                "from 1 to 3600",
            ),
            (
                "ADDIN_MAX_CONNECTIONS",
                &[("ADDIN_MAX_CONNECTIONS", "lots")],
                "from 1 to 1000000",
            ),
            (
                "ADDIN_RATE_LIMIT_SCALE",
                &[("ADDIN_RATE_LIMIT_SCALE", "2000000")],
                "from 1 to 1000000",
            ),
            (
                "ADDIN_LISTEN",
                &[("ADDIN_LISTEN", "localhost:abc")],
                "ip:port",
            ),
            ("ADDIN_LISTEN", &[("ADDIN_LISTEN", "127.0.0.1")], "ip:port"),
            (
                "ADDIN_PUBLIC_URL",
                &[("ADDIN_PUBLIC_URL", "addin.example.com")],
                "https://",
            ),
            (
                "ADDIN_PUBLIC_URL",
                &[("ADDIN_PUBLIC_URL", "http://addin.example.com")],
                "https://",
            ),
            (
                "ADDIN_AUTHORITY",
                &[("ADDIN_AUTHORITY", "ftp://login")],
                "https://",
            ),
            (
                "ADDIN_CLIENT_ID",
                &[("ADDIN_CLIENT_ID", "my-app")],
                "Application (client) ID",
            ),
            (
                "ADDIN_ALLOWED_TENANTS",
                &[("ADDIN_ALLOWED_TENANTS", "contoso.com")],
                "tenant ids",
            ),
            (
                "ADDIN_INSECURE_HTTP",
                &[("ADDIN_INSECURE_HTTP", "maybe")],
                "true or false",
            ),
            (
                "ADDIN_INSECURE_HTTP",
                &[
                    ("ADDIN_INSECURE_HTTP", "true"),
                    ("ADDIN_LISTEN", "0.0.0.0:80"),
                ],
                "loopback",
            ),
            (
                "ADDIN_TLS_CERT",
                &[
                    ("ADDIN_TLS_CERT", "/nonexistent/cert.pem"),
                    ("ADDIN_TLS_KEY", "/nonexistent/key.pem"),
                ],
                "generated development certificate",
            ),
            (
                "ADDIN_TLS_KEY",
                &[("ADDIN_TLS_CERT", "/etc/hostname")],
                "ADDIN_TLS_KEY",
            ),
            (
                "ADDIN_TLS_CERT",
                &[("ADDIN_TLS_KEY", "/etc/hostname")],
                "ADDIN_TLS_CERT",
            ),
            (
                "ADDIN_MASTER_KEY_FILE",
                &[("ADDIN_MASTER_KEY_FILE", "/nonexistent")],
                "generated",
            ),
            (
                "ADDIN_DATABASE_URL",
                &[("ADDIN_DATABASE_URL", "mysql://x")],
                "sqlite://",
            ),
            (
                "ADDIN_DATABASE_URL",
                &[("ADDIN_DATABASE_URL", "postgres:///addin")],
                "names no host",
            ),
            (
                "ADDIN_DATA_DIR",
                &[("ADDIN_DATA_DIR", "/etc/hostname")],
                "directory",
            ),
        ];
        for (setting, pairs, hint) in cases {
            let e = err(pairs);
            let line = e.to_string();
            assert_eq!(e.setting, *setting, "{pairs:?} -> {line}");
            assert!(line.starts_with(setting), "{line}");
            assert!(line.contains(hint), "{pairs:?}: {line:?} lacks {hint:?}");
            assert!(!line.contains('\n'), "{line:?} spans lines");
        }
    }

    #[test]
    fn plain_http_only_on_loopback_with_the_test_switch() {
        let ok = Config::from_vars(vars(&[
            ("ADDIN_INSECURE_HTTP", "true"),
            ("ADDIN_PUBLIC_URL", "http://127.0.0.1:3000"),
            ("ADDIN_AUTHORITY", "http://localhost:9000"),
        ]))
        .unwrap();
        assert!(ok.insecure_http);
        assert_eq!(ok.authority, "http://localhost:9000");
        let e = err(&[
            ("ADDIN_INSECURE_HTTP", "true"),
            ("ADDIN_AUTHORITY", "http://idp.example.com"),
        ]);
        assert_eq!(e.setting, "ADDIN_AUTHORITY");
    }

    #[test]
    fn unknown_variables_are_warned_about_not_fatal() {
        let c = Config::from_vars(vars(&[
            ("ADDIN_LISTN", "x"),
            ("ADDIN_WASM_ROUTE", "debian"),
        ]))
        .unwrap();
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].starts_with("ADDIN_LISTN is not a setting"));
    }

    #[test]
    fn empty_values_count_as_unset() {
        let c = Config::from_vars(vars(&[("ADDIN_LISTEN", ""), ("ADDIN_TLS_CERT", " ")])).unwrap();
        assert_eq!(c.listen.port(), 3000);
        assert_eq!(c.tls, TlsSource::Generated);
    }
}
