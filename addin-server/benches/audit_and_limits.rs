//! What the security foundation adds to one unwrap, measured apart from the server: the audit
//! record's HMAC-SHA256 against the plain SHA-256 it replaced, and the rate limiter's check of a
//! user against no check. `cargo bench -p addin-server`; the server-level cost is in
//! `scripts/bench.sh keys` (bench/keys.mjs), run against the binary of before with
//! ADDIN_BENCH_SERVER.
#![allow(missing_docs, clippy::unwrap_used)]

use addin_server::audit::{unkeyed_hash, Action, Actor, AuditKeys, Event};
use addin_server::limits::Limits;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// A release record as the broker writes one.
fn release() -> Event {
    Event {
        at_ms: 1_780_000_000_000,
        action: Action::Release,
        actor: Actor {
            tenant_id: "8f2c6a1e-3b7d-4e9a-a1c2-5d6e7f809a1b".into(),
            object_id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".into(),
            username: "bob@fabrikam.example".into(),
        },
        key_id: Some("kq3J9xV2mL8pR4tY6wZ1aB".into()),
        key_tenant: Some("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f".into()),
        reason: None,
        detail: None,
    }
}

fn audit_record(c: &mut Criterion) {
    let keys = AuditKeys::derive(&[7; 32]).unwrap();
    let event = release();
    let prev = [9u8; 32];
    let mut group = c.benchmark_group("audit record");
    group.bench_function("SHA-256 (before)", |b| {
        b.iter(|| unkeyed_hash(black_box(42), black_box(&event), black_box(&prev)))
    });
    group.bench_function("HMAC-SHA256", |b| {
        b.iter(|| keys.record_mac(black_box(42), black_box(&event), black_box(&prev)))
    });
    group.finish();
}

fn rate_limit(c: &mut Criterion) {
    let limits = Limits::scaled(1_000_000);
    let users: Vec<(String, String)> = (0..1000)
        .map(|i| ("tenant".to_owned(), format!("user-{i}")))
        .collect();
    let mut group = c.benchmark_group("rate limit, one unwrap");
    let mut i = 0;
    group.bench_function("no check (before)", |b| {
        b.iter(|| {
            i = (i + 1) % users.len();
            black_box(&users[i]);
        })
    });
    group.bench_function("governor check of the user", |b| {
        b.iter(|| {
            i = (i + 1) % users.len();
            black_box(limits.unwrap(&users[i])).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, audit_record, rate_limit);
criterion_main!(benches);
