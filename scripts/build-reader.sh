#!/usr/bin/env bash
# Builds the reader page (/read, for people without the add-in) into a task pane directory
# (target/taskpane by default; trunk's post-build hook passes its staging directory):
#   reader.html        assets/reader.html
#   reader/reader.js   assets/reader/reader.js with the wasm core's web glue, the pane's shared
#                      modules and DOMPurify, bundled into one ES2020 module
# The WebAssembly module itself is the send-time handler's (event/addin_wasm_bg.wasm, written by
# scripts/build-event.sh), so the page and the handler share one cached download.
# It needs the web package of scripts/build-wasm.sh (target/wasm-pkg/web).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

out="${1:-$TARGET_DIR/taskpane}"
web="$TARGET_DIR/wasm-pkg/web"
[[ -f "$web/addin_wasm.js" ]] \
  || die "build-reader: the wasm web package is missing; run scripts/build-wasm.sh first (it writes $web)"
mkdir -p "$out/reader"
"$ROOT/node_modules/.bin/esbuild" assets/reader/reader.js --bundle --format=esm --target=es2020 \
  --minify --alias:addin-wasm-web="$web/addin_wasm.js" --log-level=error --outfile="$out/reader/reader.js"
cp assets/reader.html "$out/reader.html"
