//! Criterion benchmarks of the native scanner on the generated corpus (see `support/corpus.rs`);
//! `bench/scan.mjs` compares the same inputs across native, WebAssembly and a JavaScript
//! baseline.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "support/corpus.rs"]
mod corpus;

use addin_wasm::scan::Scanner;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn scan(c: &mut Criterion) {
    let text = corpus::mail_text(1 << 20, 10_000, 7);
    let mut group = c.benchmark_group("scan 1 MiB of mail");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    for n in [1_000, 10_000] {
        let scanner = Scanner::from_json(&corpus::dictionary(n)).unwrap();
        group.bench_function(format!("{n} terms + detectors"), |b| {
            b.iter(|| scanner.scan(&text).unwrap())
        });
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile a dictionary");
    group.sample_size(10);
    let json = corpus::dictionary(10_000);
    group.bench_function("10000 terms", |b| {
        b.iter(|| Scanner::from_json(&json).unwrap())
    });
    group.finish();
}

criterion_group!(benches, scan, compile);
criterion_main!(benches);
