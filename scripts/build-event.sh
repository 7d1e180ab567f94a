#!/usr/bin/env bash
# Builds the Outlook send-time event handler into a task pane directory (target/taskpane by
# default; trunk's post-build hook passes its staging directory):
#   launchevent.js                 assets/event/launchevent.js and wasm-bindgen's web glue, bundled
#                                  into one ES2016 script (for the event runtime's page)
#   launchevent-classic.js         the wasm2js scanner then launchevent.js, one ES2016 script for
#                                  classic Outlook's JavaScript-only runtime: nothing to fetch or
#                                  evaluate from a string before it can scan
#   event/addin_wasm_bg.wasm       the scanner as WebAssembly (the web package's module)
#   event/commands.html            the event runtime page of Outlook on the web, new Outlook and Mac
#   event/addin_wasm.wasm2js.js    the same scanner compiled to JavaScript, for runtimes without
#                                  WebAssembly
# It needs the packages of scripts/build-wasm.sh (target/wasm-pkg/web and wasm2js).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

out="${1:-$TARGET_DIR/taskpane}"
web="$TARGET_DIR/wasm-pkg/web"
w2j="$TARGET_DIR/wasm-pkg/wasm2js"
[[ -f "$web/addin_wasm.js" && -f "$w2j/addin_wasm.min.js" ]] \
  || die "build-event: the wasm packages are missing; run scripts/build-wasm.sh first (it writes $web and $w2j)"
mkdir -p "$out/event"
"$ROOT/node_modules/.bin/esbuild" assets/event/launchevent.js --bundle --format=iife --target=es2016 \
  --minify --alias:addin-wasm-web="$web/addin_wasm.js" --log-level=error --outfile="$out/launchevent.js"
# The wasm2js build defines the global `addinWasm`, which launchevent.js uses when it is there.
{ cat "$w2j/addin_wasm.min.js"; echo; cat "$out/launchevent.js"; } > "$out/launchevent-classic.js"
cp "$web/addin_wasm_bg.wasm" "$out/event/addin_wasm_bg.wasm"
cp "$w2j/addin_wasm.min.js" "$out/event/addin_wasm.wasm2js.js"
cp assets/event/commands.html "$out/event/commands.html"
