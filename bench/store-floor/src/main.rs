//! The store floor: the least a durably audited key release can cost on this machine.
//!
//! `bench/keys.mjs` measures the key broker's one-key unwrap against `GET /healthz` on the same
//! server. This program answers a different question: how cheap could the store's part of an
//! unwrap be, whatever the broker around it did? It serves two routes and nothing else (no TLS,
//! no token, no middleware, no AES-GCM):
//!
//! - `GET /healthz`: `ok`, the bare endpoint of this server;
//! - `POST /unwrap` `{"keyIds": [...]}`: for each key, read its wrapped bytes and whether the
//!   caller is a named recipient, append a release (or denial) record to the hash-chained audit
//!   log, and answer only once that record is committed to disk, in batches that share one
//!   commit, as the broker's writer does.
//!
//! The database is made by the server's own migrations, so the tables, indexes and triggers an
//! insert maintains are the broker's; each record's hash is the broker's own
//! ([`addin_server::audit::chain_hash`]). SQLite runs in WAL mode with `synchronous = FULL`, as
//! the server does. Two writers carry out a batch ([`writers`]): one through sqlx with the
//! statements the broker's writer makes, and one through rusqlite on a thread of its own, with no
//! driver hand-off at all, the cheapest way to reach SQLite from Rust. The difference between
//! this server's unwrap and its `/healthz` (in processor time per request) is then a floor on
//! what the store adds to the broker's unwrap, and bounds the ratio the broker can reach.
//!
//! `GET /ids` lists the seeded key ids, for the load generator's script.

mod writers;

use std::path::PathBuf;

use addin_server::store::Engine;
use anyhow::Context;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use clap::{Parser, ValueEnum};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

/// The caller of every unwrap, named as a recipient of every seeded key.
pub(crate) const CALLER: &str = "bob@fabrikam.example";

#[derive(Parser, Debug)]
#[command(about = "The least a durably audited key release costs: see the crate's documentation")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// A SQLite file to create, or (with `--driver sqlx`) a postgres:// URL.
    #[arg(long)]
    database: String,
    /// Which writer carries out the batches.
    #[arg(long, value_enum, default_value = "sqlx")]
    driver: Driver,
    /// How many keys to seed.
    #[arg(long, default_value_t = 1000)]
    keys: usize,
    /// Drop the audit log's index by key id (an experiment: the broker keeps it for
    /// `GET /v1/admin/audit?keyId=`).
    #[arg(long)]
    without_key_index: bool,
}

/// The writer of a run.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Driver {
    /// sqlx's Any driver, with the broker's statements (SQLite or PostgreSQL).
    Sqlx,
    /// rusqlite on a thread of its own (SQLite only).
    Rusqlite,
}

/// One request's unwrap, for a writer.
pub(crate) struct Job {
    /// The key ids asked for.
    pub(crate) ids: Vec<String>,
    /// Each key's wrapped bytes, if released, once its record is committed.
    pub(crate) reply: oneshot::Sender<anyhow::Result<Vec<Option<Vec<u8>>>>>,
}

/// The most keys' records committed in one transaction, as in the broker's writer.
pub(crate) const MAX_BATCH: usize = 512;

#[derive(Clone)]
struct App {
    jobs: mpsc::Sender<Job>,
    ids: std::sync::Arc<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnwrapRequest {
    key_ids: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    sqlx::any::install_default_drivers();
    let postgres = args.database.starts_with("postgres://");
    if !postgres && std::path::Path::new(&args.database).exists() {
        anyhow::bail!(
            "{} exists: the store floor seeds a database of its own; name a file that does not exist",
            args.database
        );
    }
    let url = if postgres {
        args.database.clone()
    } else {
        format!("sqlite://{}?mode=rwc", args.database)
    };
    let url = writers::create(&url, postgres).await?;
    let ids = writers::prepare(&url, postgres, args.keys, args.without_key_index).await?;
    let (jobs, rx) = mpsc::channel(4096);
    match args.driver {
        Driver::Sqlx => {
            let pool = writers::connect(&url, postgres).await?;
            let engine = if postgres {
                Engine::Postgres
            } else {
                Engine::Sqlite
            };
            tokio::spawn(writers::sqlx_writer(pool, engine, rx));
        }
        Driver::Rusqlite if postgres => anyhow::bail!("--driver rusqlite needs a SQLite file"),
        Driver::Rusqlite => {
            let path = PathBuf::from(&args.database);
            std::thread::spawn(move || writers::rusqlite_writer(&path, rx));
        }
    }
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/ids",
            get(|State(app): State<App>| async move { Json(app.ids.to_vec()) }),
        )
        .route("/unwrap", post(unwrap))
        .with_state(App {
            jobs,
            ids: std::sync::Arc::new(ids),
        });
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn unwrap(
    State(app): State<App>,
    Json(request): Json<UnwrapRequest>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let failed = |e: anyhow::Error| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": { "code": "store", "message": format!("{e:#}") } })),
        )
    };
    let (reply, answer) = oneshot::channel();
    let ids = request.key_ids;
    app.jobs
        .send(Job {
            ids: ids.clone(),
            reply,
        })
        .await
        .map_err(|_| failed(anyhow::anyhow!("the writer stopped")))?;
    let keys = answer
        .await
        .map_err(|_| failed(anyhow::anyhow!("the writer stopped")))?
        .map_err(failed)?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let results: Vec<Value> = ids
        .iter()
        .zip(keys)
        .map(|(id, key)| match key {
            Some(key) => json!({ "keyId": id, "key": b64.encode(key) }),
            None => json!({ "keyId": id, "error": { "code": "not_found", "message": "no such key for you" } }),
        })
        .collect();
    Ok(Json(json!({ "results": results })))
}
