//! The store floor: the least a durably audited key release can cost on this machine.
//!
//! `bench/keys.mjs` measures the key broker's one-key unwrap against `GET /healthz` on the same
//! server. This program answers a different question: how cheap could the store's part of an
//! unwrap be, whatever the broker around it did? It serves three routes and nothing else (no
//! token, no middleware, no AES-GCM; plain HTTP, as the broker is benchmarked):
//!
//! - `GET /healthz`: `ok`, the bare endpoint of this server;
//! - `POST /unwrap` `{"keyIds": [...]}` (taken as they come: not checked, not deduplicated, as
//!   the broker does before its store sees them): for each key, read it and whether the caller
//!   is a named recipient, append a release (or denial) record to the hash-chained audit log, and answer
//!   with the wrapped bytes only once that record is committed, in batches that share one
//!   commit;
//! - `GET /ids`: the seeded key ids, for the load generator's script.
//!
//! The database is the broker's own: opened, migrated and seeded through its store, so the
//! tables, indexes and triggers an append maintains are the broker's, and `addin-server audit
//! verify` accepts the log. A release goes either through the broker's store itself (its writer
//! and statements, through sqlx) or through a writer that calls SQLite directly (rusqlite);
//! see [`writers`]. The processor time of this server's unwrap beyond its own `/healthz` is then
//! a floor on what the store adds to the broker's unwrap, which bounds the ratio the broker can
//! reach.

mod writers;

use addin_server::config::Database;
use addin_server::store::Store;
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
const CALLER: &str = "bob@fabrikam.example";

/// How many keys' records the rusqlite writer gathers for one transaction, as the broker's
/// writer (`store::writer::MAX_BATCH_OPS`): it stops taking jobs once it has this many, so the
/// last job taken may go past it, and a bigger job is committed whole.
const MAX_BATCH: usize = addin_server::store::writer::MAX_BATCH_OPS;

#[derive(Parser, Debug)]
#[command(about = "The least a durably audited key release costs: see the crate's documentation")]
struct Args {
    /// Address to listen on (its port is printed: "listening on http://...").
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// The database, as ADDIN_DATABASE_URL names it: sqlite://PATH (a file that does not exist
    /// yet) or a postgres:// URL (a new database is created on that server).
    #[arg(long)]
    database: String,
    /// Which writer carries out the releases.
    #[arg(long, value_enum, default_value = "store")]
    driver: Driver,
    /// How many keys to seed.
    #[arg(long, default_value_t = 1000)]
    keys: usize,
    /// Drop the audit log's index by key id (SQLite; an experiment: the broker keeps it for
    /// `GET /v1/admin/audit?keyId=`).
    #[arg(long)]
    without_key_index: bool,
}

/// The writer of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Driver {
    /// The broker's store (sqlx; SQLite or PostgreSQL).
    Store,
    /// rusqlite on a thread of its own (SQLite only).
    Rusqlite,
}

/// One request's release, for the rusqlite writer.
struct Job {
    /// The key ids asked for.
    ids: Vec<String>,
    /// Each key's wrapped bytes, if released, once its record is committed.
    reply: oneshot::Sender<anyhow::Result<Vec<Option<Vec<u8>>>>>,
}

/// Where releases go.
#[derive(Clone)]
enum Writer {
    /// The broker's store.
    Store(Store),
    /// The rusqlite writer's queue.
    Rusqlite(mpsc::Sender<Job>),
}

#[derive(Clone)]
struct App {
    writer: Writer,
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
    let database: Database = args.database.parse()?;
    let postgres = matches!(database, Database::Postgres(_));
    if postgres && args.driver == Driver::Rusqlite {
        anyhow::bail!("--driver rusqlite needs a SQLite database (sqlite://PATH)");
    }
    if postgres && args.without_key_index {
        anyhow::bail!("--without-key-index is for SQLite (sqlite://PATH)");
    }
    let database = writers::create(database).await?;
    // The store stays open until the end with either writer: on SQLite its background
    // checkpoints copy the log back into the database file, as in the broker, whoever writes.
    let store = Store::open(&database).await?;
    let ids = writers::seed(&store, args.keys).await?;
    let writer = match (&database, args.driver) {
        (Database::Sqlite(path), driver) => {
            if args.without_key_index {
                writers::drop_key_index(path)?;
            }
            match driver {
                Driver::Store => Writer::Store(store.clone()),
                Driver::Rusqlite => {
                    let (jobs, rx) = mpsc::channel(4096);
                    let path = path.clone();
                    std::thread::spawn(move || writers::rusqlite_writer(&path, rx));
                    Writer::Rusqlite(jobs)
                }
            }
        }
        (Database::Postgres(_), _) => Writer::Store(store.clone()),
    };
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/ids",
            get(|State(app): State<App>| async move { Json(app.ids.to_vec()) }),
        )
        .route("/unwrap", post(unwrap))
        .with_state(App {
            writer,
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
    let ids = request.key_ids;
    let keys = match &app.writer {
        Writer::Store(store) => writers::store_release(store, ids.clone()).await,
        Writer::Rusqlite(jobs) => {
            let (reply, answer) = oneshot::channel();
            let job = Job {
                ids: ids.clone(),
                reply,
            };
            match jobs.send(job).await {
                Ok(()) => answer
                    .await
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the writer stopped"))),
                Err(_) => Err(anyhow::anyhow!("the writer stopped")),
            }
        }
    }
    .map_err(failed)?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let results: Vec<Value> = ids
        .iter()
        .zip(keys)
        .map(|(id, key)| match key {
            Some(key) => json!({ "keyId": id, "key": b64.encode(key) }),
            None => json!({
                "keyId": id,
                "error": { "code": "not_found", "message": "no such key for this caller" }
            }),
        })
        .collect();
    Ok(Json(json!({ "results": results })))
}
