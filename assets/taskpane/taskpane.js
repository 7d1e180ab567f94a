// Task pane start-up: waits for trunk's loader to initialise the WebAssembly client core and for
// Office.js to be ready, then starts the pane (app.js). A core that fails to load is reported on
// the page, not only in the console, because in Office the console is out of the user's reach.

const status = document.getElementById('status');

function failed(reason) {
  if (document.body.dataset.core === 'ready') return;
  status.textContent = `The protection engine could not load (${reason}). Reload the add-in; if it persists, tell your administrator.`;
  document.body.dataset.core = 'failed';
}

// trunk's loader is a module script with top-level await: a failed load surfaces as an error
// event (or an unhandled rejection, depending on where it fails).
addEventListener('error', (event) => failed(event.message || String(event.error)));
addEventListener('unhandledrejection', (event) => failed(String(event.reason)));

const core = new Promise((resolve) => {
  if (window.wasmBindings) resolve(window.wasmBindings);
  else addEventListener('TrunkApplicationStarted', () => resolve(window.wasmBindings), { once: true });
});

// Office.js may be missing (the page opened outside Office, or its CDN unreachable).
const office = typeof Office !== 'undefined' && Office.onReady ? Office.onReady() : Promise.resolve({ host: null });

core.then((bindings) => {
  document.getElementById('core-version').textContent = bindings.version();
  document.body.dataset.core = 'ready';
  return office;
}).then(async (info) => {
  const app = await import('./taskpane/app.js');
  await app.start(info);
}).catch((e) => failed(e?.message ?? String(e)));
