# Shared by the project's scripts (sourced, not run): paths, messages, and the wasm build route.
#
# The wasm32 target comes by one of two routes (see ../shared/TOOLCHAIN.md in the design notes):
#   rustup  - rustup's wasm32-unknown-unknown target and rust-src component;
#   debian  - Debian's rustc-web/cargo-web with std built from source (rust-web-src) and lld.
# ADDIN_WASM_ROUTE=rustup|debian forces one; otherwise scripts/setup.sh records the route it
# made work in target/.wasm-route and the other scripts follow it.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
TARGET_DIR="$ROOT/target"
ROUTE_FILE="$TARGET_DIR/.wasm-route"
# The cargo-installed tools (wasm-bindgen, trunk) and the npm tools (wasm-opt, wasm2js, esbuild).
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

# The toolchain-pinned versions. wasm-bindgen's comes from Cargo.lock, so the CLI always matches
# the library the crate links.
TRUNK_VERSION="0.21.14"
WASM_TARGET="wasm32-unknown-unknown"
DEBIAN_WASM_PACKAGES=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22)

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# Prints the route to build wasm with: the forced one, the recorded one, or what is installed.
wasm_route() {
  if [[ -n "${ADDIN_WASM_ROUTE:-}" ]]; then
    case "$ADDIN_WASM_ROUTE" in
      rustup|debian) printf '%s\n' "$ADDIN_WASM_ROUTE"; return ;;
      *) die "ADDIN_WASM_ROUTE=$ADDIN_WASM_ROUTE: unknown route; set it to rustup or debian, or unset it" ;;
    esac
  fi
  if [[ -f "$ROUTE_FILE" ]]; then
    cat "$ROUTE_FILE"
  elif rustup_wasm_ready; then
    echo rustup
  else
    echo debian
  fi
}

rustup_wasm_ready() {
  command -v rustup >/dev/null 2>&1 \
    && rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET" \
    && rustup component list --installed 2>/dev/null | grep -q '^rust-src'
}

# Runs a command (cargo, or trunk, which runs cargo) in the environment of the current route.
# With build_std=1 the standard library is built from source (the Debian route always does;
# wasm2js needs it on both routes to turn reference types off). CARGO_UNSTABLE_BUILD_STD applies
# only to builds for an explicit --target, so host builds are unaffected.
with_wasm_env() {
  local build_std="$1"; shift
  local route; route="$(wasm_route)"
  if [[ "$route" == debian ]]; then
    PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort "$@"
  elif [[ "$build_std" == 1 ]]; then
    RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort "$@"
  else
    "$@"
  fi
}

# Runs "$@" and, when it fails, prints its captured output; quiet when it works.
quietly() {
  local log; log="$(mktemp)"
  if "$@" >"$log" 2>&1; then
    rm -f "$log"
  else
    local rc=$?
    cat "$log" >&2
    rm -f "$log"
    return "$rc"
  fi
}

# Optimises a wasm-bindgen output module in place with binaryen's wasm-opt (npm binaryen; Debian's
# binaryen 108 produces modules that fail at run time with this wasm-bindgen), for the features
# the module is built with (.cargo/config.toml and rustc's wasm32 defaults).
optimise_wasm() {
  wasm-opt -O3 --enable-simd --enable-reference-types --enable-bulk-memory --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-mutable-globals --enable-multivalue "$1" -o "$1"
}

