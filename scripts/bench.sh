#!/usr/bin/env bash
# Benchmarks, each comparing builds in one run so that the ratios hold on a shared, noisy machine:
#   scan      the scanner natively, as WebAssembly in node and in Chromium, and a JavaScript RegExp
#             baseline in each
#             (bench/scan.mjs; figures also in target/bench/results.json)
#   envelope  AES-256-GCM natively (hardware and software AES), as WebAssembly and WebCrypto in
#             one Chromium page, and encrypting twenty paragraphs of OOXML (bench/envelope.mjs;
#             figures also in target/bench/envelope.json)
#   auth      authenticated GET /v1/me against GET /healthz on one server, with wrk and a real
#             OpenID provider's token (bench/auth.mjs; figures also in target/bench/auth.json)
#   keys      the key broker: unwrapping one key and batches of keys against GET /healthz, with wrk,
#             on SQLite and on a throwaway PostgreSQL cluster (scripts/postgres.sh), plus batch
#             latency and the server's memory, and the store floor (bench/store-floor: the store's part
#             of an unwrap alone, behind a bare route) to bound the ratio (bench/keys.mjs; figures
#             also in target/bench/keys.json)
#   taskpane  encrypting and decrypting 20 paragraphs in the task pane in Chromium, against the
#             release server with a test double of Word (bench/taskpane.mjs; figures also in
#             target/bench/taskpane.json)
#   launchevent  the Outlook send-time check's decision time for 10 KB to 1 MB mails with a
#             10,000-term dictionary, WebAssembly and wasm2js, cold and warm (bench/launchevent.mjs;
#             figures also in target/bench/launchevent.json)
# Usage: scripts/bench.sh [scan|envelope|auth|keys|taskpane|launchevent]   (all by default)
# For the native side alone there is also `cargo bench -p addin-wasm`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

which="${1:-all}"
case "$which" in
  all|scan|envelope|auth|keys|taskpane|launchevent) ;;
  *) die "scripts/bench.sh: unknown benchmark $which; use scan, envelope, auth, keys, taskpane, launchevent, or nothing for all" ;;
esac

[[ "${ADDIN_SKIP_SETUP:-}" == 1 ]] || "$ROOT/scripts/setup.sh"
[[ "$which" == auth || "$which" == keys ]] || "$ROOT/scripts/build-wasm.sh"
mkdir -p "$TARGET_DIR/bench"

# Native sides are built with the WebAssembly module's profile, so both get the same LTO.
if [[ "$which" == all || "$which" == scan ]]; then
  cargo build --quiet --profile wasm-release -p addin-wasm --example bench_corpus
  node bench/scan.mjs
fi

if [[ "$which" == all || "$which" == envelope ]]; then
  cargo build --quiet --profile wasm-release -p addin-wasm --example bench_envelope
  # The same example with the portable (software) AES and POLYVAL, in a target directory of its own.
  RUSTFLAGS="--cfg aes_backend=\"soft\" --cfg polyval_backend=\"soft\"" CARGO_TARGET_DIR="$TARGET_DIR/bench-soft" \
    cargo build --quiet --profile wasm-release -p addin-wasm --example bench_envelope
  # A WebAssembly package with the raw AES-256-GCM export, apart from the ones Office loads.
  CARGO_TARGET_DIR="$TARGET_DIR/bench-build" with_wasm_env 0 \
    cargo build --quiet --profile wasm-release --target "$WASM_TARGET" -p addin-wasm --features bench
  out="$TARGET_DIR/bench/wasm-web"
  rm -rf "$out"
  wasm-bindgen --target web --out-dir "$out" --out-name addin_wasm \
    "$TARGET_DIR/bench-build/$WASM_TARGET/wasm-release/addin_wasm.wasm"
  optimise_wasm "$out/addin_wasm_bg.wasm"
  node bench/envelope.mjs
fi

if [[ "$which" == all || "$which" == auth ]]; then
  cargo build --quiet --release -p addin-server
  node bench/auth.mjs
fi

if [[ "$which" == all || "$which" == keys ]]; then
  cargo build --quiet --release -p addin-server -p store-floor
  source "$ROOT/scripts/postgres.sh"
  pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/addin-pg.XXXXXX")"
  trap 'pg_stop "$pg_dir"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  pg_start "$pg_dir" || die "scripts/bench.sh: could not start PostgreSQL for the key broker benchmark"
  node bench/keys.mjs
fi

if [[ "$which" == all || "$which" == taskpane || "$which" == launchevent ]]; then
  quietly with_wasm_env 0 trunk build --offline
  cargo build --quiet --release -p addin-server
  if [[ "$which" != launchevent ]]; then node bench/taskpane.mjs; fi
  if [[ "$which" != taskpane ]]; then node bench/launchevent.mjs; fi
fi
