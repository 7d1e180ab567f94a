//! What an organisation's admins read of the audit log the broker writes: a page of records
//! under a filter, and what each user did over a period. The caller has checked the admin role
//! ([`crate::auth::Principal::require_admin`]); the routes are [`crate::http::admin`].

use addin_wasm::protocol::audit::{Action, AuditQuery, AuditRecord, Stats, StatsQuery};
use addin_wasm::protocol::Page;

use super::{input, BrokerError};
use crate::audit::Record;
use crate::clock;
use crate::store::{AuditFilter, Store};

/// The default period of [`stats`]: 30 days.
const DEFAULT_PERIOD_MS: i64 = 30 * 86_400_000;

/// The records of `tenant_id` (as actor or as key owner) that `q` asks for, newest first.
pub async fn audit(
    store: &Store,
    tenant_id: &str,
    q: AuditQuery,
) -> Result<Page<AuditRecord>, BrokerError> {
    let action = q
        .action
        .as_deref()
        .map(|a| {
            Action::parse(a).ok_or_else(|| {
                BrokerError::Invalid(format!(
                    "action must be one of {}",
                    Action::ALL.map(Action::as_str).join(", ")
                ))
            })
        })
        .transpose()?;
    let before_seq = q
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>().map_err(|_| {
                BrokerError::Invalid(
                    "the cursor is not one this server gave; start from the first page".into(),
                )
            })
        })
        .transpose()?;
    let limit = input::page_size(q.limit)?;
    let filter = AuditFilter {
        tenant_id: tenant_id.to_owned(),
        user: q.user.map(|u| u.trim().to_lowercase()),
        key_id: q.key_id,
        action,
        from_ms: time_ms("from", q.from.as_deref())?,
        to_ms: time_ms("to", q.to.as_deref())?,
        before_seq,
        limit: limit + 1,
    };
    let mut records = store.audit_records(&filter).await?;
    let next = (records.len() as i64 > limit).then(|| {
        records.truncate(limit as usize);
        records.last().map(|r| r.seq.to_string())
    });
    Ok(Page {
        items: records.into_iter().map(view).collect(),
        next: next.flatten(),
    })
}

/// What each user of `tenant_id` did over the period `q` names, by default the 30 days
/// before `now_ms`.
pub async fn stats(
    store: &Store,
    tenant_id: &str,
    q: StatsQuery,
    now_ms: i64,
) -> Result<Stats, BrokerError> {
    let to = time_ms("to", q.to.as_deref())?.unwrap_or(now_ms);
    let from = time_ms("from", q.from.as_deref())?.unwrap_or(to - DEFAULT_PERIOD_MS);
    if from >= to {
        return Err(BrokerError::Invalid("from must be before to".into()));
    }
    let users = store.user_stats(tenant_id, from, to).await?;
    Ok(Stats {
        from: clock::rfc3339_ms(from),
        to: clock::rfc3339_ms(to),
        users,
    })
}

/// A stored record as admins read it.
fn view(r: Record) -> AuditRecord {
    AuditRecord {
        seq: r.seq,
        at: clock::rfc3339_ms(r.event.at_ms),
        action: r.event.action,
        actor: r.event.actor,
        key_id: r.event.key_id,
        reason: r.event.reason,
        detail: r.event.detail.and_then(|d| serde_json::from_str(&d).ok()),
    }
}

/// An optional RFC 3339 query field in Unix milliseconds.
fn time_ms(field: &str, value: Option<&str>) -> Result<Option<i64>, BrokerError> {
    value
        .map(|v| input::time(field, v).map(|s| s * 1000))
        .transpose()
}
