//! Measures the native envelope for `bench/envelope.mjs` and writes its input.
//!
//! `bench_envelope DIR` writes `DIR/ooxml-20.xml` (twenty paragraphs of Word OOXML) and prints
//! one JSON object: AES-256-GCM throughput over 1 MiB, and the time to encrypt and decrypt the
//! twenty paragraphs. `scripts/bench.sh` runs it twice, with the hardware AES path (the default
//! on x86-64 with AES-NI) and built with `--cfg aes_backend="soft" --cfg polyval_backend="soft"`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../benches/support/ooxml.rs"]
mod ooxml;
#[path = "../benches/support/timing.rs"]
mod timing;

use std::time::Duration;

use addin_wasm::envelope::{decrypt_range, encrypt_range, Expected, Key};
use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: bench_envelope DIR");
    std::fs::create_dir_all(&dir).unwrap();
    let content = ooxml::twenty_paragraphs();
    std::fs::write(format!("{dir}/ooxml-20.xml"), &content).unwrap();

    let cipher = Aes256Gcm::new(&[7u8; 32].into());
    let mut data = vec![0u8; 1 << 20];
    let aes = timing::median_seconds(500, Duration::from_secs(1), || {
        cipher
            .encrypt_inout_detached(&Nonce::from([0u8; 12]), &[], (&mut data[..]).into())
            .unwrap();
    });

    let key = Key::from_bytes(&[7; 32]).unwrap();
    let range = ooxml::range(&content);
    let jwe = encrypt_range(&key, &range).unwrap();
    let encrypt = timing::median_seconds(500, Duration::from_secs(1), || {
        encrypt_range(&key, &range).unwrap();
    });
    let decrypt = timing::median_seconds(500, Duration::from_secs(1), || {
        decrypt_range(&jwe, &key, &Expected::default()).unwrap();
    });
    println!(
        r#"{{"aesMBps":{:.1},"encrypt20Ms":{:.4},"decrypt20Ms":{:.4},"contentBytes":{},"envelopeBytes":{}}}"#,
        data.len() as f64 / aes / 1e6,
        encrypt * 1e3,
        decrypt * 1e3,
        content.len(),
        jwe.len()
    );
}
