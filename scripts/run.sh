#!/usr/bin/env bash
# Starts the product on its embedded default: installs what is missing (scripts/setup.sh), builds
# the wasm packages, the task pane with trunk (and the Outlook event handler) and the server,
# then runs addin-server in the foreground with a SQLite file in ./data, a generated localhost
# certificate, HTTPS on 127.0.0.1:3000. Ctrl-C stops it.
# ADDIN_* variables (see the README) change the defaults.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh"
say "run: building the wasm packages, the task pane (trunk), the Outlook event handler and the server"
"$ROOT/scripts/build-wasm.sh"
quietly with_wasm_env 0 trunk build --offline
quietly cargo build --release -p addin-server
exec "$TARGET_DIR/release/addin-server" serve --assets-dir "$TARGET_DIR/taskpane"
