#!/usr/bin/env bash
# Runs every test of the project, after installing what is missing (scripts/setup.sh):
# formatting, clippy, native Rust tests, wasm-bindgen tests in node and in headless Chromium, the
# JavaScript tests of the wasm packages, and the browser tests against the running server.
# The native tests run the store suite against SQLite and against a throwaway PostgreSQL cluster
# (scripts/postgres.sh) that lives in a temporary directory for the run and is removed on exit.
# Every step runs even when an earlier one failed; a summary ends the output and the exit code
# is non-zero when any step failed.
#   ADDIN_WASM_ROUTE=debian scripts/test.sh   tests the Debian route of the wasm32 target.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/postgres.sh"
cd "$ROOT"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

started=$SECONDS
results=()
failed=0

# step NAME COMMAND...: runs one step, records whether it passed and how long it took.
step() {
  local name="$1"; shift
  local t0=$SECONDS rc=0
  printf '\n==> %s\n' "$name" >&2
  "$@" || rc=$?
  local took=$((SECONDS - t0))
  if [[ $rc == 0 ]]; then
    results+=("$(printf '  ok    %-34s %4ss' "$name" "$took")")
  else
    results+=("$(printf '  FAIL  %-34s %4ss  (exit %s)' "$name" "$took" "$rc")")
    failed=1
  fi
  return 0
}

wasm_test() {
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    with_wasm_env 0 cargo test --target "$WASM_TARGET" -p addin-wasm --tests
}
wasm_test_chromium() { WASM_BINDGEN_USE_BROWSER=1 wasm_test; }
wasm_clippy() {
  # Lints the wasm-only bindings and their tests (benchmarks are native-only); Debian's packages
  # ship no clippy, so this needs rustup's.
  if [[ "$(wasm_route)" == rustup ]]; then
    cargo clippy --target "$WASM_TARGET" -p addin-wasm --lib --tests -- -D warnings
  else
    say "skipped: the Debian route has no clippy for $WASM_TARGET"
  fi
}

step "setup" "$ROOT/scripts/setup.sh"
say "wasm route: $(wasm_route)"
step "cargo fmt --check" cargo fmt --all -- --check
step "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
step "clippy (wasm32)" wasm_clippy
# The store tests fail rather than skip PostgreSQL when the cluster is missing.
pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/addin-pg.XXXXXX")"
trap 'pg_stop "$pg_dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
step "postgresql (throwaway cluster)" pg_start "$pg_dir"
export ADDIN_REQUIRE_POSTGRES=1
step "native tests" cargo test --workspace
step "build wasm packages" "$ROOT/scripts/build-wasm.sh"
step "wasm-bindgen tests (node)" wasm_test
step "wasm-bindgen tests (chromium)" wasm_test_chromium
step "build task pane (trunk)" with_wasm_env 0 trunk build --offline
step "build server" cargo build -p addin-server
step "JavaScript tests" node --test --test-reporter=spec tests/js/
step "browser tests (playwright)" node --test --test-reporter=spec --test-concurrency=1 tests/browser/

total=$((SECONDS - started))
printf '\nSummary (%s route, %dm%02ds)\n' "$(wasm_route)" $((total / 60)) $((total % 60))
printf '%s\n' "${results[@]}"
if [[ $failed != 0 ]]; then
  printf 'Some steps failed: see their output above.\n'
  exit 1
fi
printf 'All steps passed.\n'
