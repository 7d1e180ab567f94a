//! The `addin-server` command line.

use std::path::PathBuf;
use std::process::ExitCode;

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
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("addin-server: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
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
