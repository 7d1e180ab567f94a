#!/usr/bin/env bash
# Benchmarks the scanner: native Rust, WebAssembly in node, and a JavaScript RegExp baseline on
# the same generated inputs, in one run (bench/scan.mjs). Figures are printed and written to
# target/bench/results.json. For the native side alone there is also `cargo bench -p addin-wasm`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

[[ "${ADDIN_SKIP_SETUP:-}" == 1 ]] || "$ROOT/scripts/setup.sh"
"$ROOT/scripts/build-wasm.sh"
# The native side is built with the WebAssembly module's profile, so both get the same LTO.
cargo build --quiet --profile wasm-release -p addin-wasm --example bench_corpus
node bench/scan.mjs
