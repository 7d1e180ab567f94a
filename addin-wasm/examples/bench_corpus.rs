//! Writes the scanner benchmark's inputs and measures the native scanner on them.
//!
//! `bench_corpus DIR` writes `DIR/mail.txt` (1 MiB of mail threads) and
//! `DIR/dictionary-N.json` for N in 1,000, 10,000 and 100,000 terms, then prints one JSON
//! object with the native figures. `bench/scan.mjs` runs it (built with the same profile as the
//! WebAssembly module) and measures the WebAssembly scanner and a JavaScript baseline on the
//! same files, so every ratio it reports comes from one run on one machine.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../benches/support/corpus.rs"]
mod corpus;

use std::time::Instant;

use addin_wasm::scan::Scanner;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const TEXT_BYTES: usize = 1 << 20;

/// Median seconds per call of `f`: two warm-up calls, then at least 5 and up to 200 calls or
/// about 2 seconds.
fn median_seconds(mut f: impl FnMut()) -> f64 {
    f();
    f();
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || (times.len() < 200 && start.elapsed().as_secs_f64() < 2.0) {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: bench_corpus DIR");
    std::fs::create_dir_all(&dir).unwrap();
    let text = corpus::mail_text(TEXT_BYTES, 10_000, 7);
    std::fs::write(format!("{dir}/mail.txt"), &text).unwrap();
    let mut figures = Vec::new();
    for n in SIZES {
        let json = corpus::dictionary(n);
        std::fs::write(format!("{dir}/dictionary-{n}.json"), &json).unwrap();
        let compile = median_seconds(|| {
            Scanner::from_json(&json).unwrap();
        });
        let scanner = Scanner::from_json(&json).unwrap();
        let findings = scanner.scan(&text).unwrap().findings.len();
        let scan = median_seconds(|| {
            scanner.scan(&text).unwrap();
        });
        figures.push(format!(
            r#""{n}":{{"compileMs":{:.3},"scanMBps":{:.1},"findings":{findings}}}"#,
            compile * 1e3,
            text.len() as f64 / scan / 1e6
        ));
    }
    println!(r#"{{"textBytes":{},{}}}"#, text.len(), figures.join(","));
}
