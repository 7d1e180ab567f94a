#!/usr/bin/env bash
# Installs what building and testing the add-in needs on a fresh Debian machine, and nothing
# that is already there: Debian packages (Chromium and its driver, PostgreSQL, Node.js), the
# wasm32 target (rustup, or Debian's packages when rustup cannot), wasm-bindgen-cli at the
# version in Cargo.lock, trunk, and the npm tooling of package-lock.json (into ./node_modules).
#
# Idempotent and quiet when everything is in place; it says what it installs.
#   ADDIN_WASM_ROUTE=debian scripts/setup.sh   forces the Debian route for the wasm32 target.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_UPDATED=0
as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "installing Debian packages needs root: run as root or install sudo"
  fi
}

missing_debs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$p"
  done
}

install_debs() {
  local missing; missing="$(missing_debs "$@")"
  [[ -z "$missing" ]] && return 0
  say "setup: installing Debian packages: $missing"
  if [[ "$APT_UPDATED" == 0 ]]; then
    quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

# --- Debian packages: the browser for tests, its driver, wrk for scripts/bench.sh auth, Node.js
#     for the JS tooling, openssl's client for the TLS test of addin-server/tests/server/transport.rs.
install_debs chromium chromium-driver ca-certificates wrk openssl
# PostgreSQL for the store tests: scripts/test.sh runs a throwaway cluster of its own
# (scripts/postgres.sh) with the binaries of /usr/lib/postgresql/<major>/bin; the system cluster
# the package may create and start is never used.
install_debs postgresql
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  install_debs nodejs npm
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 18 )) || die "Node.js $node_major is too old: version 18 or newer is needed"

# --- The wasm32 target, by rustup if it can, else by Debian's packages.
route="${ADDIN_WASM_ROUTE:-}"
case "$route" in
  ""|rustup|debian) ;;
  *) die "ADDIN_WASM_ROUTE=$route: unknown route; set it to rustup or debian, or unset it" ;;
esac
mkdir -p "$TARGET_DIR"
if [[ "$route" != debian ]]; then
  if rustup_wasm_ready; then
    route=rustup
  elif command -v rustup >/dev/null 2>&1; then
    say "setup: adding the $WASM_TARGET target and rust-src with rustup (timeout 180 s)"
    if timeout 180 rustup target add "$WASM_TARGET" >/dev/null 2>&1 \
      && timeout 180 rustup component add rust-src >/dev/null 2>&1; then
      route=rustup
    elif [[ "$route" == rustup ]]; then
      die "rustup could not add $WASM_TARGET; unset ADDIN_WASM_ROUTE to fall back to Debian's packages"
    else
      say "setup: rustup could not add the target; falling back to Debian's packages"
      route=debian
    fi
  else
    route=debian
  fi
fi
if [[ "$route" == debian ]]; then
  install_debs "${DEBIAN_WASM_PACKAGES[@]}"
  [[ -e /usr/bin/rust-lld ]] || die "/usr/bin/rust-lld is missing after installing lld-22: check the lld-22 package"
fi
# Remember the route only when it was not forced for this one run.
if [[ -z "${ADDIN_WASM_ROUTE:-}" ]]; then
  echo "$route" >"$ROUTE_FILE"
fi

# --- wasm-bindgen-cli, exactly the version the crate links (from Cargo.lock).
want="$(wasm_bindgen_version)"
[[ -n "$want" ]] || die "Cargo.lock names no wasm-bindgen version"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$have" != "$want" ]]; then
  say "setup: installing wasm-bindgen-cli $want (about 2 minutes)${have:+, replacing $have}"
  # Without --locked: the CLI's own lock file asks for crates newer than the registry may have.
  quietly cargo install wasm-bindgen-cli --version "$want" --force
fi

# --- trunk, which builds the task pane.
have="$(trunk --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$have" != "$TRUNK_VERSION" ]]; then
  say "setup: installing trunk $TRUNK_VERSION (about 5 minutes)${have:+, replacing $have}"
  quietly cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# --- npm tooling, exactly as package-lock.json pins it, into ./node_modules.
stamp="$ROOT/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$ROOT/package-lock.json" -nt "$stamp" ]]; then
  say "setup: installing the npm tooling of package-lock.json into node_modules"
  (cd "$ROOT" && quietly npm ci --no-audit --no-fund --loglevel=error)
fi
