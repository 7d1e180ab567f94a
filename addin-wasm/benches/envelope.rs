//! Criterion benchmarks of the native envelope: raw AES-256-GCM over 1 MiB, and encrypting and
//! decrypting twenty paragraphs of Word OOXML. `scripts/bench.sh` runs the same measures with
//! the software AES path, in WebAssembly and against WebCrypto, and prints the ratios.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "support/ooxml.rs"]
mod ooxml;

use addin_wasm::envelope::{decrypt_range, encrypt_range, Expected, Key};
use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn aes(c: &mut Criterion) {
    let cipher = Aes256Gcm::new(&[7u8; 32].into());
    let mut data = vec![0u8; 1 << 20];
    let mut group = c.benchmark_group("AES-256-GCM");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("seal 1 MiB", |b| {
        b.iter(|| {
            cipher
                .encrypt_inout_detached(&Nonce::from([0u8; 12]), &[], (&mut data[..]).into())
                .unwrap()
        })
    });
    group.finish();
}

fn ranges(c: &mut Criterion) {
    let content = ooxml::twenty_paragraphs();
    let key = Key::from_bytes(&[7; 32]).unwrap();
    let range = ooxml::range(&content);
    let jwe = encrypt_range(&key, &range).unwrap();
    let mut group = c.benchmark_group("20 paragraphs of OOXML");
    group.bench_function("encrypt", |b| {
        b.iter(|| encrypt_range(&key, &range).unwrap())
    });
    group.bench_function("decrypt", |b| {
        b.iter(|| decrypt_range(&jwe, &key, &Expected::default()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, aes, ranges);
criterion_main!(benches);
