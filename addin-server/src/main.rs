//! The `addin-server` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use addin_server::admin::{self, AdminError};
use addin_server::config::Config;
use addin_server::serve::{self, ServeError};
use clap::{Parser, Subcommand};

/// Key broker and host of the Office add-in. Settings come from ADDIN_* environment variables
/// (see the README).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the task pane, the manifests and the API (the default).
    Serve(ServeArgs),
    /// Scan a text file as the Outlook add-in would, to try a dictionary before publishing it.
    Scan(ScanArgs),
    /// Create the database if needed and apply the schema migrations (as the database owner).
    Migrate {
        /// PostgreSQL: then give this role the server's least privileges (rows only; the audit
        /// log append-only; no schema change, no TRUNCATE), for the servers to run as.
        #[arg(long, value_name = "ROLE")]
        grant: Option<String>,
    },
    /// Manage the master key-encryption keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The organisation's sensitive-text dictionary (Outlook's send-time check).
    #[command(subcommand)]
    Dictionary(DictionaryCommand),
    /// The organisation's policy (passcodes, outside domains, replies).
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Organisations admitted by admin consent.
    #[command(subcommand)]
    Tenants(TenantsCommand),
    /// Outgoing mail (passcodes, protected replies).
    #[command(subcommand)]
    Mail(MailCommand),
}

#[derive(Debug, Subcommand)]
enum MailCommand {
    /// Sends a test message to ADDRESS through the configured relay (ADDIN_SMTP_URL), to check
    /// the mail settings before turning passcodes on.
    Test {
        /// Where to send it.
        address: String,
        /// The message's language: en or fr.
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Publishes FILE (JSON; a setting left out takes its default) as the organisation's next
    /// policy. Validated and audited.
    Import {
        /// The file.
        file: PathBuf,
        /// The organisation's tenant id (needed unless ADDIN_ALLOWED_TENANTS names one).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Prints the organisation's policy in force (JSON, every setting).
    Export {
        /// The organisation's tenant id (needed unless ADDIN_ALLOWED_TENANTS names one).
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TenantsCommand {
    /// List the admitted organisations, with who consented and when.
    List,
    /// Remove an admitted organisation: its users are refused from their next request.
    Remove {
        /// Its tenant id.
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
enum DictionaryCommand {
    /// Publishes FILE as the organisation's next version: a dictionary document (JSON), or
    /// entries as CSV (a .csv file: columns id,pattern,kind,category[,severity,caseSensitive])
    /// that replace the current entries and keep its categories. Validated and audited.
    Import {
        /// The file.
        file: PathBuf,
        /// The organisation's tenant id (needed unless ADDIN_ALLOWED_TENANTS names one).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Prints the organisation's current dictionary (JSON), or its entries as CSV.
    Export {
        /// The organisation's tenant id (needed unless ADDIN_ALLOWED_TENANTS names one).
        #[arg(long)]
        tenant: Option<String>,
        /// Print the entries as CSV.
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Show the master key versions and how many data keys each wraps.
    Status,
    /// Add a new master key version and rewrap every data key under it.
    RotateMaster,
    /// Rewrap under the newest version the data keys still wrapped under older ones.
    Rewrap,
    /// Remove a master key version that no data key uses any more.
    RetireMaster {
        /// The version, e.g. 1.
        version: u32,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the MAC chain of the whole audit log; exit code 1 if it was tampered with.
    Verify {
        /// A checkpoint from `audit checkpoint`: also check that nothing up to it changed.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Verify the log, then print a signed checkpoint of its head (JSON) to keep elsewhere.
    Checkpoint,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    /// The text to scan (UTF-8), or - for standard input.
    file: PathBuf,
    /// The dictionary (JSON); without it, the starter dictionary with every detector.
    #[arg(long)]
    dictionary: Option<PathBuf>,
    /// Print the report as JSON, with the UTF-16 offsets the clients use.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The built task pane (trunk's output).
    #[arg(long, default_value = "target/taskpane")]
    assets_dir: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Scan(args)) => return scan(&args),
        Some(Command::Serve(args)) => args,
        Some(Command::Migrate { grant }) => {
            return admin(move |c| {
                Box::pin(async move { admin::migrate(&c, grant.as_deref()).await })
            })
        }
        Some(Command::Keys(KeysCommand::Status)) => {
            return admin(|c| Box::pin(async move { admin::key_status(&c).await }))
        }
        Some(Command::Keys(KeysCommand::RotateMaster)) => {
            return admin(|c| Box::pin(async move { admin::rotate_master(&c).await }))
        }
        Some(Command::Keys(KeysCommand::Rewrap)) => {
            return admin(|c| Box::pin(async move { admin::rewrap(&c).await }))
        }
        Some(Command::Keys(KeysCommand::RetireMaster { version })) => {
            return admin(move |c| Box::pin(async move { admin::retire_master(&c, version).await }))
        }
        Some(Command::Dictionary(DictionaryCommand::Import { file, tenant })) => {
            return admin(move |c| {
                Box::pin(
                    async move { admin::import_dictionary(&c, tenant.as_deref(), &file).await },
                )
            })
        }
        Some(Command::Dictionary(DictionaryCommand::Export { tenant, csv })) => {
            return admin(move |c| {
                Box::pin(async move { admin::export_dictionary(&c, tenant.as_deref(), csv).await })
            })
        }
        Some(Command::Policy(PolicyCommand::Import { file, tenant })) => {
            return admin(move |c| {
                Box::pin(async move { admin::import_policy(&c, tenant.as_deref(), &file).await })
            })
        }
        Some(Command::Policy(PolicyCommand::Export { tenant })) => {
            return admin(move |c| {
                Box::pin(async move { admin::export_policy(&c, tenant.as_deref()).await })
            })
        }
        Some(Command::Tenants(TenantsCommand::List)) => {
            return admin(|c| Box::pin(async move { admin::list_tenants(&c).await }))
        }
        Some(Command::Mail(MailCommand::Test { address, lang })) => {
            return admin(move |c| {
                Box::pin(async move { admin::test_mail(&c, &address, &lang).await })
            })
        }
        Some(Command::Tenants(TenantsCommand::Remove { tenant })) => {
            return admin(move |c| Box::pin(async move { admin::remove_tenant(&c, &tenant).await }))
        }
        Some(Command::Audit(AuditCommand::Verify { checkpoint })) => {
            return admin(move |c| {
                Box::pin(async move { admin::verify_audit(&c, checkpoint.as_deref()).await })
            })
        }
        Some(Command::Audit(AuditCommand::Checkpoint)) => {
            return admin(|c| Box::pin(async move { admin::checkpoint_audit(&c).await }))
        }
        None => ServeArgs {
            assets_dir: PathBuf::from("target/taskpane"),
        },
    };
    init_tracing();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail_setting(&e),
    };
    for warning in &config.warnings {
        tracing::warn!(target: "admin", "{warning}");
    }
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    match runtime.block_on(serve::run(config, args.assets_dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(ServeError::Config(e)) => fail_setting(&e),
        Err(e) => {
            eprintln!("addin-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("addin-server: cannot start the async runtime: {e}");
            None
        }
    }
}

type AdminFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, AdminError>>>>;

/// An admin subcommand on the configured store: its report on stdout; a wrong setting or a
/// refusal on stderr with exit code 2; a tampered audit log with exit code 1.
fn admin(command: impl FnOnce(Config) -> AdminFuture) -> ExitCode {
    init_tracing();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail_setting(&e),
    };
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    match runtime.block_on(command(config)) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(AdminError::Tampered(report)) => {
            print!("{report}");
            ExitCode::FAILURE
        }
        Err(AdminError::Config(e)) => fail_setting(&e),
        Err(e) => {
            eprintln!("addin-server: {e}");
            ExitCode::from(2)
        }
    }
}

/// `addin-server scan`: the report on stdout; a problem on stderr with exit code 2.
fn scan(args: &ScanArgs) -> ExitCode {
    match addin_server::scan_command::run(&args.file, args.dictionary.as_deref(), args.json) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("addin-server scan: {e}");
            ExitCode::from(2)
        }
    }
}

/// A wrong setting: one line on stderr naming it, and exit code 2.
fn fail_setting(e: &addin_server::config::ConfigError) -> ExitCode {
    eprintln!("addin-server: {e}");
    ExitCode::from(2)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
