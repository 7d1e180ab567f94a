//! Writes the scanner benchmark's inputs and measures the native scanner on them.
//!
//! `bench_corpus DIR` writes `DIR/mail.txt` (1 MiB of mail threads) and
//! `DIR/dictionary-N.json` for N in 1,000, 10,000 and 100,000 terms, and
//! `DIR/dictionary-phrases.json` (10,000 phrases of everyday words), then prints one JSON
//! object with the native figures, by file name without `dictionary-` and `.json`. `bench/scan.mjs` runs it (built with the same profile as the
//! WebAssembly module) and measures the WebAssembly scanner and a JavaScript baseline on the
//! same files, so every ratio it reports comes from one run on one machine.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../benches/support/corpus.rs"]
mod corpus;
#[path = "../benches/support/timing.rs"]
mod timing;

use std::time::Duration;

use addin_wasm::scan::Scanner;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const TEXT_BYTES: usize = 1 << 20;
/// The phrases of the everyday-words dictionary.
const PHRASES: usize = 10_000;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: bench_corpus DIR");
    std::fs::create_dir_all(&dir).unwrap();
    let text = corpus::mail_text(TEXT_BYTES, 10_000, 7);
    std::fs::write(format!("{dir}/mail.txt"), &text).unwrap();
    let mut figures = Vec::new();
    let dictionaries = SIZES
        .map(|n| (n.to_string(), corpus::dictionary(n)))
        .into_iter()
        .chain([("phrases".to_owned(), corpus::everyday_phrases(PHRASES))]);
    for (n, json) in dictionaries {
        std::fs::write(format!("{dir}/dictionary-{n}.json"), &json).unwrap();
        let compile = timing::median_seconds(200, Duration::from_secs(2), || {
            Scanner::from_json(&json).unwrap();
        });
        let scanner = Scanner::from_json(&json).unwrap();
        let findings = scanner.scan(&text).unwrap().findings.len();
        let scan = timing::median_seconds(200, Duration::from_secs(2), || {
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
