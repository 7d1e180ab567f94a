//! Starting and stopping the server: everything between a checked [`Config`] and a listening
//! socket, and the graceful shutdown on Ctrl-C or SIGTERM.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use axum_server::Handle;

use crate::broker::MasterKeys;
use crate::config::{Config, ConfigError, Database};
use crate::http::{router, AppState};
use crate::manifest::PATHS;
use crate::store::{Store, StoreError};
use crate::tls::TlsError;
use crate::transport::{raise_file_limit, Transport};

/// How long running requests get to finish after a shutdown signal.
const GRACE: Duration = Duration::from_secs(10);

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A setting is wrong (the process exits with code 2).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The certificate could not be generated.
    #[error(transparent)]
    Tls(TlsError),
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else at start or while serving.
    #[error("{0}")]
    Other(String),
}

impl From<TlsError> for ServeError {
    fn from(e: TlsError) -> Self {
        match e {
            TlsError::Config(c) => ServeError::Config(c),
            other => ServeError::Tls(other),
        }
    }
}

/// Runs the server until Ctrl-C or SIGTERM, serving the task pane from `assets_dir`.
pub async fn run(config: Config, assets_dir: PathBuf) -> Result<(), ServeError> {
    crate::fsutil::create_private_dir(&config.data_dir).map_err(|e| {
        ConfigError::new(
            "ADDIN_DATA_DIR",
            &config.data_dir.to_string_lossy(),
            format!("cannot be created ({e})"),
            "point it to a writable directory",
        )
    })?;
    let tls = if config.insecure_http {
        None
    } else {
        Some(crate::tls::load(
            &config.tls,
            &config.data_dir,
            config.public_url.host(),
        )?)
    };
    // Each connection is a file: take what the hard limit allows before sizing the pool.
    match raise_file_limit() {
        Ok(files) => tracing::info!(target: "admin", files, "open-file limit"),
        Err(e) => tracing::warn!(target: "admin", "cannot raise the open-file limit: {e}"),
    }
    let store = Store::open(&config.database).await?;
    let master = MasterKeys::open(&config, &store)
        .await
        .map_err(|e| ServeError::Other(e.to_string()))?;
    let state =
        AppState::new(&config, store.clone(), Arc::new(master)).map_err(ServeError::Other)?;

    let listener = TcpListener::bind(config.listen).map_err(|e| {
        ConfigError::new(
            "ADDIN_LISTEN",
            &config.listen.to_string(),
            format!("cannot be bound ({e})"),
            "stop the process using that port or choose another address",
        )
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| ServeError::Other(format!("cannot configure the listening socket: {e}")))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| ServeError::Other(format!("cannot read the bound address: {e}")))?;

    if !assets_dir.join("taskpane.html").is_file() {
        tracing::warn!(
            target: "admin",
            "the task pane is not built in {}: run scripts/run.sh, or pass --assets-dir",
            assets_dir.display()
        );
    }
    let handle = Handle::new();
    let on_signal = shutdown_on_signal(handle.clone())
        .map_err(|e| ServeError::Other(format!("cannot listen for shutdown signals: {e}")))?;
    tokio::spawn(on_signal);
    print_banner(&config, local_addr, tls.as_ref());

    let limits = state.limits.clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            limits.forget_idle();
        }
    });
    let app = router(state, &assets_dir);
    // The client's address reaches handlers, for the limits kept per address.
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let transport = Transport::new(
        config.max_connections as usize,
        Duration::from_secs(u64::from(config.idle_timeout_secs)),
    );
    tracing::info!(
        target: "admin",
        max_connections = transport.max_connections(),
        idle_secs = transport.idle().as_secs(),
        "connection limits"
    );
    let served = match tls {
        Some(tls) => {
            let acceptor = RustlsAcceptor::new(RustlsConfig::from_config(tls.config))
                .handshake_timeout(transport.head_timeout())
                .acceptor(transport.clone());
            let mut server = axum_server::from_tcp(listener)
                .map_err(|e| ServeError::Other(format!("cannot start TLS on the socket: {e}")))?
                .acceptor(acceptor)
                .handle(handle);
            transport.configure(server.http_builder());
            server.serve(service).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .map_err(|e| ServeError::Other(format!("cannot serve on the socket: {e}")))?
                .acceptor(transport.clone())
                .handle(handle);
            transport.configure(server.http_builder());
            server.serve(service).await
        }
    };
    store.close().await;
    served.map_err(|e| ServeError::Other(format!("the server stopped: {e}")))?;
    tracing::info!(target: "admin", "stopped");
    Ok(())
}

fn print_banner(
    config: &Config,
    local_addr: std::net::SocketAddr,
    tls: Option<&crate::tls::LoadedTls>,
) {
    let url = config.public_url.as_str();
    let mut lines = vec![format!(
        "{} add-in server {} is running.",
        crate::manifest::PRODUCT_NAME,
        addin_wasm::VERSION
    )];
    lines.push(format!("  Task pane         {url}/taskpane.html"));
    for path in PATHS {
        lines.push(format!("  Manifest          {url}{path}"));
    }
    lines.push(format!("  Health            {url}/healthz"));
    let scheme = match tls {
        Some(t) if matches!(config.tls, crate::config::TlsSource::Generated) => format!(
            "HTTPS, development certificate {}{}",
            t.cert_path.display(),
            if t.generated_now {
                " (generated now)"
            } else {
                ""
            }
        ),
        Some(t) => format!("HTTPS, certificate {}", t.cert_path.display()),
        None => "plain HTTP: for tests only".to_owned(),
    };
    lines.push(format!("  Listening on      {local_addr} ({scheme})"));
    lines.push(match &config.database {
        Database::Sqlite(db) => format!("  Database          SQLite {}", db.display()),
        Database::Postgres(url) => format!("  Database          PostgreSQL {url}"),
    });
    lines.push("Press Ctrl-C to stop.".to_owned());
    // A closed standard output (a supervisor that stopped reading) must not stop the server.
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{}", lines.join("\n"));
}

/// Registers for Ctrl-C (SIGINT) and SIGTERM now, so a signal that arrives right after the
/// banner is already handled, and returns a future that starts the graceful shutdown.
#[cfg(unix)]
fn shutdown_on_signal(
    handle: Handle<std::net::SocketAddr>,
) -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        graceful(&handle);
    })
}

#[cfg(not(unix))]
fn shutdown_on_signal(
    handle: Handle<std::net::SocketAddr>,
) -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            graceful(&handle);
        }
    })
}

fn graceful(handle: &Handle<std::net::SocketAddr>) {
    tracing::info!(target: "admin", "shutting down: finishing running requests (at most {}s)", GRACE.as_secs());
    handle.graceful_shutdown(Some(GRACE));
}
