//! The administrator's subcommands that work on the store: `migrate`, `keys ...` (master key
//! rotation), `tenants ...`, `dictionary ...`, `policy ...` and `audit verify|checkpoint`. Each returns the text to print, or an error saying what to do.

use crate::audit::{hex, Actor, ChainCheck, Checkpoint};
use crate::broker::{master, rotation, BrokerError, MasterKeys};
use crate::clock;
use crate::config::{Config, ConfigError};
use crate::keyring::Keyring;
use crate::store::{Engine, Store, StoreError};

/// Why a subcommand failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// A setting is wrong (exit code 2).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The master keys failed.
    #[error(transparent)]
    Broker(#[from] BrokerError),
    /// The command cannot do what was asked; the message says why and what to do.
    #[error("{0}")]
    Refused(String),
    /// The audit log failed verification (exit code 1, after the report).
    #[error("{0}")]
    Tampered(String),
}

impl From<crate::keyring::KeyringError> for AdminError {
    fn from(e: crate::keyring::KeyringError) -> Self {
        AdminError::Broker(e.into())
    }
}

/// A document refused by the command line: each problem on a line of its own.
fn refused(noun: &str, problems: &[addin_wasm::scan::Problem]) -> AdminError {
    let mut message = match problems.len() {
        1 => format!("the {noun} has 1 problem; nothing was published:"),
        n => format!("the {noun} has {n} problems; nothing was published:"),
    };
    for p in problems {
        message.push_str(&format!("\n  {p}"));
    }
    AdminError::Refused(message)
}

impl From<crate::documents::VersionError> for AdminError {
    fn from(e: crate::documents::VersionError) -> Self {
        match e {
            crate::documents::VersionError::Store(e) => AdminError::Store(e),
            other => AdminError::Refused(other.to_string()),
        }
    }
}

impl From<crate::dictionary::command::CommandError> for AdminError {
    fn from(e: crate::dictionary::command::CommandError) -> Self {
        use crate::dictionary::command::CommandError;
        use crate::dictionary::DictionaryError;
        match e {
            CommandError::Dictionary(DictionaryError::Invalid(problems)) => {
                refused("dictionary", &problems)
            }
            CommandError::Dictionary(DictionaryError::Version(e)) => e.into(),
            other => AdminError::Refused(other.to_string()),
        }
    }
}

impl From<crate::policy::PolicyError> for AdminError {
    fn from(e: crate::policy::PolicyError) -> Self {
        use crate::policy::PolicyError;
        match e {
            PolicyError::Invalid(problems) => refused("policy", &problems),
            PolicyError::Version(e) => e.into(),
            other => AdminError::Refused(other.to_string()),
        }
    }
}

/// `addin-server dictionary import FILE [--tenant T]`: publishes a JSON dictionary, or CSV
/// entries, as the organisation's next version.
pub async fn import_dictionary(
    config: &Config,
    tenant: Option<&str>,
    file: &std::path::Path,
) -> Result<String, AdminError> {
    use crate::dictionary::command;
    let tenant = command::tenant(config, tenant)?;
    let (store, _keys) = open_with_keys(config).await?;
    let published = command::import(&store, &tenant, file).await;
    store.close().await;
    let published = published?;
    Ok(format!(
        "Published version {} of the dictionary of organisation {tenant} (ETag {}). Outlook picks it up at the next Send.\n",
        published.version, published.etag
    ))
}

/// `addin-server dictionary export [--tenant T] [--csv]`: the organisation's current
/// dictionary, or its entries as CSV.
pub async fn export_dictionary(
    config: &Config,
    tenant: Option<&str>,
    csv: bool,
) -> Result<String, AdminError> {
    use crate::dictionary::command;
    let tenant = command::tenant(config, tenant)?;
    let store = Store::open(&config.database).await?;
    let exported = command::export(&store, &tenant, csv).await;
    store.close().await;
    Ok(exported?)
}

/// `addin-server policy import FILE [--tenant T]`: publishes the policy in FILE (JSON) as the
/// organisation's next version.
pub async fn import_policy(
    config: &Config,
    tenant: Option<&str>,
    file: &std::path::Path,
) -> Result<String, AdminError> {
    let tenant = crate::dictionary::command::tenant(config, tenant)?;
    let (store, _keys) = open_with_keys(config).await?;
    let published = crate::policy::import(&store, &tenant, file, clock::now_ms()).await;
    store.close().await;
    let published = published?;
    Ok(format!(
        "Published version {} of the policy of organisation {tenant} (ETag {}). It applies from the next request.\n",
        published.version, published.etag
    ))
}

/// `addin-server policy export [--tenant T]`: the organisation's policy in force, every
/// setting.
pub async fn export_policy(config: &Config, tenant: Option<&str>) -> Result<String, AdminError> {
    let tenant = crate::dictionary::command::tenant(config, tenant)?;
    let store = Store::open(&config.database).await?;
    let exported = crate::policy::export(&store, &tenant).await;
    store.close().await;
    Ok(exported?)
}

/// `addin-server mail test ADDRESS [--lang en|fr]`: one message through the configured relay.
pub async fn test_mail(config: &Config, address: &str, lang: &str) -> Result<String, AdminError> {
    use crate::mail::{templates, Mailer};
    let Some(settings) = &config.mail else {
        return Err(AdminError::Refused(
            "no mail relay is configured: set ADDIN_SMTP_URL and ADDIN_MAIL_FROM first".into(),
        ));
    };
    let mailer = Mailer::new(settings).map_err(|e| AdminError::Refused(e.to_string()))?;
    let language = templates::Language::from_tag(lang);
    let message = templates::test_message(language, address, mailer.relay());
    mailer
        .send(message)
        .await
        .map_err(|e| AdminError::Refused(e.to_string()))?;
    Ok(format!(
        "Sent a test message to {address} through {}.\n",
        mailer.relay()
    ))
}

/// `addin-server tenants list`: the organisations admitted by admin consent, and those the
/// configuration lists.
pub async fn list_tenants(config: &Config) -> Result<String, AdminError> {
    use crate::config::AllowedTenants;
    let store = Store::open(&config.database).await?;
    let admitted = store.tenants().await;
    store.close().await;
    let admitted = admitted?;
    let mut out = String::new();
    match &config.allowed_tenants {
        AllowedTenants::List(list) => {
            out.push_str(
                "ADDIN_ALLOWED_TENANTS lists these organisations (admin consent is not used):\n",
            );
            for tenant in list {
                out.push_str(&format!("  {tenant}\n"));
            }
        }
        AllowedTenants::None => {
            out.push_str("ADDIN_ALLOWED_TENANTS is not set: no organisation is allowed.\n")
        }
        AllowedTenants::Consented => {}
    }
    if admitted.is_empty() {
        out.push_str("No organisation is admitted by admin consent.\n");
    } else {
        let n = admitted.len();
        out.push_str(&format!(
            "{n} {} admitted by admin consent:\n",
            if n == 1 {
                "organisation is"
            } else {
                "organisations are"
            }
        ));
        for t in admitted {
            out.push_str(&format!(
                "  {}  consented {} by {}\n",
                t.tenant_id,
                t.consented_at,
                t.consented_by.as_deref().unwrap_or("(not recorded)")
            ));
        }
    }
    Ok(out)
}

/// `addin-server tenants remove TENANT`: takes an organisation admitted by admin consent back
/// out; its users are refused from their next request.
pub async fn remove_tenant(config: &Config, tenant: &str) -> Result<String, AdminError> {
    let tenant = tenant.trim().to_ascii_lowercase();
    if !crate::auth::token::is_guid(&tenant) {
        return Err(AdminError::Refused(format!(
            "{tenant:?} is not a tenant id; give the GUID that `addin-server tenants list` shows"
        )));
    }
    let (store, _keys) = open_with_keys(config).await?;
    let removed = crate::tenants::remove(
        &store,
        &tenant,
        Actor::system("tenants remove"),
        clock::now_ms(),
    )
    .await;
    store.close().await;
    if !removed? {
        let listed = matches!(&config.allowed_tenants, crate::config::AllowedTenants::List(l) if l.contains(&tenant));
        return Err(AdminError::Refused(if listed {
            format!("organisation {tenant} is allowed by ADDIN_ALLOWED_TENANTS, not by consent: remove it from that setting and restart the server")
        } else {
            format!("organisation {tenant} is not admitted; `addin-server tenants list` shows those that are")
        }));
    }
    Ok(format!(
        "Organisation {tenant} removed: its users are refused from their next request. Its admin can consent again to come back.\n"
    ))
}

/// The store of `config` and its master keys, checked against each other: what every `keys`
/// subcommand starts from.
async fn open_with_keys(config: &Config) -> Result<(Store, MasterKeys), AdminError> {
    let store = Store::open(&config.database).await?;
    let master = MasterKeys::open(config, &store).await?;
    Ok((store, master))
}

fn engine_name(store: &Store) -> &'static str {
    match store.engine() {
        Engine::Sqlite => "SQLite",
        Engine::Postgres => "PostgreSQL",
    }
}

/// `addin-server migrate [--grant ROLE]`: brings the schema up to date and lists the migrations
/// applied; with a role, gives it the server's least privileges (PostgreSQL).
pub async fn migrate(config: &Config, grant: Option<&str>) -> Result<String, AdminError> {
    let store = Store::open(&config.database).await?;
    let applied = store.migrations().await?;
    let mut out = format!(
        "The {} database is up to date ({} migrations):\n",
        engine_name(&store),
        applied.len()
    );
    for (version, description) in applied {
        out.push_str(&format!("  {version:04} {description}\n"));
    }
    if let Some(role) = grant {
        let granted = store.grant_server_role(role).await;
        if let Err(e) = granted {
            store.close().await;
            return Err(AdminError::Refused(format!(
                "cannot grant role {role}: {e}"
            )));
        }
        out.push_str(&format!(
            "Role {role} may now read and write the server's rows, append to the audit log, and nothing else (no schema change, no TRUNCATE, no change to audit records): set it in the servers' ADDIN_DATABASE_URL.\n"
        ));
    }
    store.close().await;
    Ok(out)
}

/// `addin-server keys status`: the master key versions and how many keys each wraps.
pub async fn key_status(config: &Config) -> Result<String, AdminError> {
    let (store, master) = open_with_keys(config).await?;
    let ring = master.ring();
    let counts = store.keys_per_master_version().await?;
    let mut out = format!("Master key file {}\n", ring.path().display());
    for (version, _, retired) in store.master_versions().await? {
        let keys = counts
            .iter()
            .find(|(v, _)| *v == version)
            .map_or(0, |(_, n)| *n);
        let state = match (retired, u32::try_from(version).ok() == Some(ring.current())) {
            (Some(_), _) => "retired",
            (None, true) => "current: wraps new keys",
            (None, false) => "unwraps only",
        };
        out.push_str(&format!("  v{version}: {keys} keys ({state})\n"));
    }
    store.close().await;
    Ok(out)
}

/// `addin-server keys rotate-master`: adds a master key version and rewraps every key under it.
pub async fn rotate_master(config: &Config) -> Result<String, AdminError> {
    let (store, master) = open_with_keys(config).await?;
    let mut ring = Keyring::open(master.ring().path())?;
    let version = ring.add_version()?;
    master::check(&ring, &store).await?;
    let mut out = format!(
        "Added master key version {version} to {}: back the file up now, and copy it to every server (they load it when they meet a key wrapped under it).\n",
        ring.path().display()
    );
    out.push_str(&rewrap_all(&store, &ring, "addin-server keys rotate-master").await?);
    store.close().await;
    Ok(out)
}

/// `addin-server keys rewrap`: rewraps under the newest version the keys still wrapped under
/// older ones (e.g. created by a server that had not reloaded the file yet).
pub async fn rewrap(config: &Config) -> Result<String, AdminError> {
    let (store, master) = open_with_keys(config).await?;
    let out = rewrap_all(&store, &master.ring(), "addin-server keys rewrap").await?;
    store.close().await;
    Ok(out)
}

/// Rewraps every key not yet under the newest version ([`crate::broker::rotation`]) as
/// `command` did, and says what happened.
async fn rewrap_all(store: &Store, ring: &Keyring, command: &str) -> Result<String, AdminError> {
    let report = rotation::rewrap_all(store, ring, Actor::system(command), clock::now_ms()).await?;
    let (version, rewrapped, failed) = (report.version, report.rewrapped, report.failed);
    let mut out = format!("Rewrapped {rewrapped} keys under version {version}.\n");
    if !failed.is_empty() {
        out.push_str(&format!(
            "{} keys could not be unwrapped and were left as they are (run `addin-server audit verify`):\n",
            failed.len()
        ));
        for f in failed {
            out.push_str(&format!("  {f}\n"));
        }
    }
    let older: Vec<u32> = ring
        .versions()
        .filter(|v| i64::from(*v) < version)
        .collect();
    if !older.is_empty() {
        out.push_str(&format!(
            "Older versions {older:?} still unwrap. Once every server has the new file, retire them with `addin-server keys retire-master VERSION`.\n"
        ));
    }
    Ok(out)
}

/// `addin-server keys retire-master VERSION`: removes a version no key uses any more.
pub async fn retire_master(config: &Config, version: u32) -> Result<String, AdminError> {
    let (store, master) = open_with_keys(config).await?;
    let mut ring = Keyring::open(master.ring().path())?;
    if version == ring.current() {
        return Err(AdminError::Refused(format!(
            "version {version} is the newest and wraps new keys; run `addin-server keys rotate-master` first"
        )));
    }
    if !store
        .retire_master_version(i64::from(version), clock::now_secs())
        .await?
    {
        return Err(AdminError::Refused(format!(
            "version {version} is unknown, already retired, or still wraps keys; run `addin-server keys rewrap` and try again (`addin-server keys status` shows the counts)"
        )));
    }
    ring.remove_version(version)?;
    store.close().await;
    Ok(format!(
        "Retired master key version {version} and removed it from {}; copy the file to every server.\n",
        ring.path().display()
    ))
}

/// `addin-server audit verify [--checkpoint FILE]`: checks the whole chain with the master key
/// file's audit keys and names every problem; with a checkpoint, also that the record it names
/// still has the hash it names.
pub async fn verify_audit(
    config: &Config,
    checkpoint: Option<&std::path::Path>,
) -> Result<String, AdminError> {
    let (store, _keys) = open_with_keys(config).await?;
    let verified = verify_chain(&store, checkpoint).await;
    store.close().await;
    Ok(verified?.report)
}

/// A chain found intact: what to print, and the head it was checked against.
struct Verified {
    report: String,
    head_seq: i64,
    head_hash: Vec<u8>,
}

/// Checks the chain of `store` (whose audit keys are set) up to its head, and against the
/// checkpoint file `checkpoint` if given.
async fn verify_chain(
    store: &Store,
    checkpoint: Option<&std::path::Path>,
) -> Result<Verified, AdminError> {
    let keys = store.audit_keys().ok_or(StoreError::NoAuditKeys)?;
    let anchor = match checkpoint {
        Some(path) => {
            let cp = read_checkpoint(path)?;
            let hash = cp.verify(keys).map_err(|why| {
                AdminError::Refused(format!(
                    "the checkpoint {} cannot be used: {why}",
                    path.display()
                ))
            })?;
            Some((cp, hash))
        }
        None => None,
    };
    let mut check = ChainCheck::new(keys);
    let mut anchored: Option<Vec<u8>> = None;
    let anchor_seq = anchor.as_ref().map(|(cp, _)| cp.seq);
    store
        .for_each_audit_record(|r| {
            if Some(r.seq) == anchor_seq {
                anchored = Some(r.hash.clone());
            }
            check.push(r)
        })
        .await?;
    let (records, unkeyed) = (check.records, check.unkeyed);
    let (head_seq, head_hash) = store.audit_head().await?;
    let mut problems: Vec<String> = check
        .finish(head_seq, &head_hash)
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Some((cp, hash)) = &anchor {
        match &anchored {
            None => problems.push(format!(
                "record {} of the checkpoint taken at {} is gone: the log was cut back",
                cp.seq, cp.at
            )),
            Some(found) if found != hash => problems.push(format!(
                "record {} no longer has the hash of the checkpoint taken at {}: history up to it was rewritten",
                cp.seq, cp.at
            )),
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        let mut out = format!(
            "The audit log is intact: {records} records, chained without a gap.\nHead: record {head_seq}, hash {}\n",
            hex(&head_hash)
        );
        if unkeyed > 0 {
            out.push_str(&format!(
                "Records 1 to {unkeyed} were written before the chain was keyed (plain SHA-256); the keyed records after them protect them from change.\n"
            ));
        }
        match &anchor {
            Some((cp, _)) => out.push_str(&format!(
                "Checkpoint: record {} taken at {} matches; nothing up to it changed.\n",
                cp.seq, cp.at
            )),
            None => out.push_str(
                "Take a signed checkpoint (`addin-server audit checkpoint`) and keep it elsewhere: a later `audit verify --checkpoint` proves nothing before it changed.\n",
            ),
        }
        return Ok(Verified {
            report: out,
            head_seq,
            head_hash,
        });
    }
    let mut out = format!(
        "The audit log has been tampered with: {} problems in {records} records.\n",
        problems.len()
    );
    for p in &problems {
        out.push_str(&format!("  {p}\n"));
    }
    Err(AdminError::Tampered(out))
}

/// `addin-server audit checkpoint`: verifies the chain, then signs its head; the checkpoint as
/// JSON, to keep where the database's administrators cannot write.
pub async fn checkpoint_audit(config: &Config) -> Result<String, AdminError> {
    let (store, _keys) = open_with_keys(config).await?;
    // A checkpoint of a tampered log would vouch for the tampering: the head signed is the one
    // the chain was just verified against.
    let verified = verify_chain(&store, None).await;
    let keys = store.audit_keys().ok_or(StoreError::NoAuditKeys);
    store.close().await;
    let (verified, keys) = (verified?, keys?);
    let at = clock::rfc3339(clock::now_secs());
    let checkpoint = keys.checkpoint(verified.head_seq, &verified.head_hash, &at);
    let mut json = serde_json::to_string_pretty(&checkpoint)
        .map_err(|e| AdminError::Refused(format!("cannot write the checkpoint: {e}")))?;
    json.push('\n');
    Ok(json)
}

/// Reads a checkpoint file.
fn read_checkpoint(path: &std::path::Path) -> Result<Checkpoint, AdminError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AdminError::Refused(format!(
            "cannot read the checkpoint {}: {e}",
            path.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        AdminError::Refused(format!(
            "{} is not a checkpoint written by `addin-server audit checkpoint`: {e}",
            path.display()
        ))
    })
}
