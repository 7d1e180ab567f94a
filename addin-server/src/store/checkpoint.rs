//! Copies SQLite's write-ahead log back into the database file in the background.
//!
//! SQLite's own checkpoints run in the connection that commits, so every thousand pages one of
//! the writer's commits also copied the log into the database and flushed it, and every request
//! waiting on that commit waited for the copy too. Here a connection of its own checkpoints a
//! few times a second (`PASSIVE`: it never blocks the writer or readers). The connections keep
//! SQLite's automatic checkpoint, at a larger size, as a bound on the log should this task fall
//! behind.

use std::time::Duration;

use sqlx::AnyPool;

/// Time between two checkpoints.
const INTERVAL: Duration = Duration::from_millis(200);

/// Starts checkpointing with `pool` (one connection); the task ends when the pool is closed.
/// Returns the pool, to close.
pub(super) fn start(pool: AnyPool) -> AnyPool {
    let task_pool = pool.clone();
    tokio::spawn(async move {
        let pool = task_pool;
        loop {
            tokio::time::sleep(INTERVAL).await;
            if pool.is_closed() {
                break;
            }
            let done: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&pool)
                .await;
            if let Err(e) = done {
                tracing::debug!(target: "store", error = %e, "a background checkpoint failed; the next one will catch up");
            }
        }
    });
    pool
}
