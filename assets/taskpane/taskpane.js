// Task pane start-up: waits for trunk's loader to initialise the WebAssembly client core, then
// shows which version loaded. A core that fails to load is reported on the page, not only in the
// console, because in Office the console is out of the user's reach.

const status = document.getElementById('status');

function ready(bindings) {
  document.getElementById('core-version').textContent = bindings.version();
  status.textContent = 'Protection engine ready.';
  document.body.dataset.core = 'ready';
}

function failed(reason) {
  if (document.body.dataset.core === 'ready') return;
  status.textContent = `The protection engine could not load (${reason}). Reload the add-in; if it persists, tell your administrator.`;
  document.body.dataset.core = 'failed';
}

// trunk's loader is a module script with top-level await: a failed load surfaces as an error
// event (or an unhandled rejection, depending on where it fails).
addEventListener('error', (event) => failed(event.message || String(event.error)));
addEventListener('unhandledrejection', (event) => failed(String(event.reason)));

if (window.wasmBindings) {
  ready(window.wasmBindings);
} else {
  addEventListener('TrunkApplicationStarted', () => ready(window.wasmBindings), { once: true });
}
