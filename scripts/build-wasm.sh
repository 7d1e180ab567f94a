#!/usr/bin/env bash
# Builds the addin-wasm packages by the current route (see lib.sh):
#   target/wasm-pkg/web       wasm-bindgen --target web     (the task pane)
#   target/wasm-pkg/node      wasm-bindgen --target nodejs  (node tests, benchmarks, tools)
#   target/wasm-pkg/wasm2js   addin_wasm.js: one ES2016 script, no WebAssembly needed, exposing
#                             the API as the global `addinWasm` (Outlook's JavaScript-only
#                             event runtime); plus addin_wasm.min.js
# Usage: scripts/build-wasm.sh [--skip-wasm2js]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

skip_wasm2js=0
[[ "${1:-}" == --skip-wasm2js ]] && skip_wasm2js=1

PKG="$TARGET_DIR/wasm-pkg"
route="$(wasm_route)"

# 1. The WebAssembly module, wasm-release profile (Cargo.toml).
say "build-wasm: compiling addin-wasm for $WASM_TARGET ($route route)"
with_wasm_env 0 cargo build --quiet --profile wasm-release --target "$WASM_TARGET" -p addin-wasm
wasm="$TARGET_DIR/$WASM_TARGET/wasm-release/addin_wasm.wasm"

# 2. Bindings for the browser and node, optimised (optimise_wasm, lib.sh).
for target in web nodejs; do
  out="$PKG/${target/nodejs/node}"
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-dir "$out" --out-name addin_wasm "$wasm"
  optimise_wasm "$out/addin_wasm_bg.wasm"
done

[[ "$skip_wasm2js" == 1 ]] && exit 0

# 3. The wasm2js build. wasm2js accepts neither reference types nor the externref table that
#    wasm-bindgen adds for them, so the module is compiled for the MVP feature set with std
#    rebuilt to match, in a target directory of its own.
say "build-wasm: compiling the MVP module for wasm2js"
MVP_TARGET="$TARGET_DIR/wasm2js-build"
RUSTFLAGS="-Ctarget-cpu=mvp" CARGO_TARGET_DIR="$MVP_TARGET" \
  with_wasm_env 1 cargo build --quiet --profile wasm-release --target "$WASM_TARGET" -p addin-wasm
work="$MVP_TARGET/bindgen"
rm -rf "$work" "$PKG/wasm2js"
mkdir -p "$PKG/wasm2js"
wasm-bindgen --target bundler --out-dir "$work" --out-name addin_wasm \
  "$MVP_TARGET/$WASM_TARGET/wasm-release/addin_wasm.wasm"
wasm2js -O "$work/addin_wasm_bg.wasm" -o "$work/addin_wasm_bg.wasm.js"
sed -i 's#"\./addin_wasm_bg\.wasm"#"./addin_wasm_bg.wasm.js"#' "$work/addin_wasm.js"
grep -q 'addin_wasm_bg.wasm.js' "$work/addin_wasm.js" \
  || die "wasm-bindgen's bundler glue no longer imports ./addin_wasm_bg.wasm; update build-wasm.sh"
# wasm-bindgen's glue notices that memory grew when its cached views are detached. wasm2js's
# memory is a plain ArrayBuffer that is replaced, never detached, when it grows: compare buffers
# instead, or every string passed in after the first growth is written to the old buffer.
perl -0pi -e '
  s/cached(\w+)Memory0\.byteLength === 0/cached$1Memory0.buffer !== wasm.memory.buffer/g;
  s/cached(\w+)Memory0\.buffer\.detached === true \|\| \(cached\w+Memory0\.buffer\.detached === undefined && (cached\w+Memory0\.buffer !== wasm\.memory\.buffer)\)/$2/g;
' "$work/addin_wasm_bg.js"
if grep -qE 'byteLength === 0|buffer\.detached' "$work/addin_wasm_bg.js"; then
  die "wasm-bindgen's glue detects memory growth in a new way; update the wasm2js fix in build-wasm.sh"
fi
for minify in "" --minify; do
  name="addin_wasm${minify:+.min}.js"
  esbuild "$work/addin_wasm.js" --bundle --format=iife --global-name=addinWasm \
    --target=es2016 $minify --log-level=warning --outfile="$PKG/wasm2js/$name"
done
