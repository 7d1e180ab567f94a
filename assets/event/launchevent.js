// The Outlook send-time check (Smart Alerts, OnMessageSend). Outlook runs it when the user
// presses Send: it reads the subject and body as text, scans them on the device with the
// organisation's dictionary and the built-in detectors, and lets the message go, warns (the user
// may send anyway), or blocks (the user must edit). The mail text never leaves the device.
//
// It is bundled by scripts/build-event.sh into one ES2016 script (no modules, no async
// functions), as classic Outlook's JavaScript-only runtime requires, and served by the server,
// which writes its own origin into ORIGIN: at /launchevent.js for the event runtime's page, and
// at /launchevent-classic.js, after the wasm2js scanner, for classic Outlook. The scanner is the
// same Rust scanner as everywhere else: the WebAssembly module where `WebAssembly` exists (with
// SIMD), otherwise its wasm2js build, from the same file when it is there (classic Outlook: no
// fetch, no code made from a string), else fetched from the server the first time.
//
// Whatever happens, event.completed is called exactly once: on an error the user is told the
// check could not run and chooses whether to send.
import { initSync, Scanner } from 'addin-wasm-web';
import { currentLanguage, setLanguage, t } from '../taskpane/i18n.js';
import { categoryLabel, composed, scanned } from '../taskpane/message.js';

/** The server's origin, written in by the server when it serves this file. */
const ORIGIN = '__TEXTGUARD_ORIGIN__';
/** How long a cached dictionary may be used when the server cannot be reached. */
export const MAX_CACHE_AGE_MS = 7 * 24 * 3600 * 1000;
const CACHE_KEY = 'textguard.dictionary.v1';
/** Outlook shows at most 500 characters of errorMessage. */
const MAX_MESSAGE = 500;

/** Takes Outlook's display language for the words (English when it cannot say). */
function chooseLanguage() {
  try {
    setLanguage(Office.context.displayLanguage);
  } catch (e) {
    setLanguage('en');
  }
}

// ------------------------------------------------------------------ the dictionary

const memory = {};
function storage() {
  if (typeof OfficeRuntime !== 'undefined' && OfficeRuntime.storage) return OfficeRuntime.storage;
  return {
    getItem: (k) => Promise.resolve(k in memory ? memory[k] : null),
    setItem: (k, v) => {
      memory[k] = v;
      return Promise.resolve();
    },
  };
}

function readCache() {
  return storage().getItem(CACHE_KEY).then((text) => {
    try {
      return text ? JSON.parse(text) : null;
    } catch (e) {
      return null;
    }
  }, () => null);
}

/**
 * The organisation's dictionary: from the server (revalidated with its ETag), else the cached
 * copy while it is younger than MAX_CACHE_AGE_MS, else null (the built-in detectors only).
 */
export function dictionary(now) {
  return readCache().then((cached) => {
    const usable = cached && now - cached.fetchedAt < MAX_CACHE_AGE_MS ? cached : null;
    return OfficeRuntime.auth.getAccessToken({ allowSignInPrompt: false, allowConsentPrompt: false })
      .then((token) => {
        const headers = { authorization: `Bearer ${token}` };
        if (cached && cached.etag) headers['if-none-match'] = cached.etag;
        return fetch(`${ORIGIN}/v1/dictionary`, { headers });
      })
      .then((response) => {
        if (response.status === 304 && cached) {
          cached.fetchedAt = now;
          return storage().setItem(CACHE_KEY, JSON.stringify(cached)).then(() => cached.document, () => cached.document);
        }
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        return response.text().then((document) => {
          const fresh = { etag: response.headers.get('etag'), fetchedAt: now, document };
          return storage().setItem(CACHE_KEY, JSON.stringify(fresh)).then(() => document, () => document);
        });
      })
      .catch(() => (usable ? usable.document : null));
  });
}

// ------------------------------------------------------------------ the scanner

let loaded = null;

/** A minimal module using a 128-bit SIMD instruction, which the scanner's module is built with. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether this runtime can run the WebAssembly scanner (WebAssembly with SIMD). */
export function wasmUsable() {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch (e) {
    return false;
  }
}

/**
 * The scanner module: WebAssembly where the runtime has it (with SIMD), else the wasm2js build
 * of the same code.
 */
export function scannerModule() {
  if (!loaded) {
    if (wasmUsable()) {
      loaded = fetch(`${ORIGIN}/event/addin_wasm_bg.wasm`)
        .then((r) => {
          if (!r.ok) throw new Error(`the scanner did not load (${r.status})`);
          return r.arrayBuffer();
        })
        .then((bytes) => {
          initSync({ module: bytes });
          return { Scanner, path: 'wasm' };
        });
    } else if (typeof addinWasm === 'object' && addinWasm !== null) {
      // The wasm2js build came in this same file (launchevent-classic.js).
      loaded = Promise.resolve({ Scanner: addinWasm.Scanner, path: 'wasm2js' });
    } else {
      loaded = fetch(`${ORIGIN}/event/addin_wasm.wasm2js.js`)
        .then((r) => {
          if (!r.ok) throw new Error(`the scanner did not load (${r.status})`);
          return r.text();
        })
        .then((source) => {
          // The wasm2js build is one script defining the global `addinWasm`.
          const module = new Function(`${source}\nreturn addinWasm;`)();
          return { Scanner: module.Scanner, path: 'wasm2js' };
        });
    }
    loaded = loaded.catch((e) => {
      loaded = null;
      throw e;
    });
  }
  return loaded;
}

// ------------------------------------------------------------------ the decision

/** What a report means for Send: the options for event.completed. */
export function decide(report) {
  if (report.verdict === 'allow') return { allowEvent: true };
  chooseLanguage();
  const lang = currentLanguage();
  const reached = report.categories.filter((c) => c.reached);
  const label = (c) => `${categoryLabel(c, lang)} (${c.count})`;
  let list = reached.map(label).join(', ');
  const block = report.verdict === 'block';
  const advice = t(block ? 'sendBlock' : 'sendWarn');
  // Names of categories and counts only: never the values found.
  for (let shown = reached.length; t('sendFound', list).length + advice.length + 1 > MAX_MESSAGE && shown > 1;) {
    shown -= 1;
    list = `${reached.slice(0, shown).map(label).join(', ')}, ${t('sendMore', reached.length - shown)}`;
  }
  const message = `${t('sendFound', list)} ${advice}`.slice(0, MAX_MESSAGE);
  const options = {
    allowEvent: false,
    errorMessage: message,
    errorMessageMarkdown: `**${t('sendFound', list)}**\n\n${advice}`.slice(0, MAX_MESSAGE),
    cancelLabel: t('sendReview'),
    commandId: 'msgComposeOpenPaneButton',
  };
  if (!block) options.sendModeOverride = Office.MailboxEnums.SendModeOverride.PromptUser;
  return options;
}

function failed(error) {
  chooseLanguage();
  const reason = String((error && error.message) || error).slice(0, 200);
  return {
    allowEvent: false,
    errorMessage: t('sendFailed', reason).slice(0, MAX_MESSAGE),
    sendModeOverride: Office.MailboxEnums.SendModeOverride.PromptUser,
  };
}

/** The scanner compiled for the last dictionary: compiling a large one costs more than a scan. */
let compiled = null;

function scannerFor(module, document) {
  const source = document || 'default';
  if (!compiled || compiled.source !== source || compiled.module !== module) {
    if (compiled) compiled.scanner.free();
    compiled = { source, module, scanner: new module.Scanner(document || module.Scanner.defaultDictionary()) };
  }
  return compiled.scanner;
}

/** The OnMessageSend handler. */
export function onMessageSend(event) {
  let done = false;
  const complete = (options) => {
    if (done) return;
    done = true;
    try {
      event.completed(options);
    } catch (e) {
      // Nothing more can be done: Outlook decides.
    }
  };
  try {
    Promise.all([composed(), dictionary(Date.now()), scannerModule()])
      .then(([written, document, module]) => decide(scannerFor(module, document).scan(scanned(written))))
      .then(complete, (e) => complete(failed(e)));
  } catch (e) {
    complete(failed(e));
  }
}

Office.actions.associate('onMessageSendHandler', onMessageSend);
