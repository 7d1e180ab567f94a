// Task pane start-up: waits for trunk's loader to initialise the WebAssembly client core and for
// Office.js to be ready, then starts the pane (app.js). A core that fails to load is reported on
// the page, not only in the console, because in Office the console is out of the user's reach.

const status = document.getElementById('status');

// This module imports nothing before it listens: the loader may fail before any import would
// have arrived. The words come after, in the browser's language (Office may not be ready to
// tell its own), or bare if even they cannot load.
function failed(reason) {
  if (document.body.dataset.core === 'ready' || document.body.dataset.core === 'failing') return;
  document.body.dataset.core = 'failing';
  const show = (text) => {
    status.textContent = text;
    document.body.dataset.core = 'failed';
  };
  import('./taskpane/i18n.js').then(
    ({ setLanguage, t }) => {
      setLanguage(navigator.language);
      show(t('coreFailed', reason));
    },
    () => show(`Textguard could not load (${reason}).`),
  );
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

core.then(async (bindings) => {
  document.getElementById('core-version').textContent = bindings.version();
  document.body.dataset.core = 'ready';
  const info = await office;
  const app = await import('./taskpane/app.js');
  await app.start(info, bindings);
}).catch((e) => failed(e?.message ?? String(e)));
