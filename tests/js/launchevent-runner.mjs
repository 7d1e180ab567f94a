// Runs the served Outlook event handler (launchevent.js) over the mail corpus in this node
// process, with a TEST DOUBLE of the Office event, mailbox and runtime (not Outlook), and prints
// one JSON line of what happened. launchevent.test.mjs starts it twice: as is (WebAssembly) and
// with --jitless (no WebAssembly: the wasm2js path).
// Usage: node [--jitless] launchevent-runner.mjs  (reads { origin, token, script?, offline?,
// mails?, repeat? } as JSON on stdin; script is the handler's path, /launchevent.js by default;
// with offline, the dictionary route is unreachable; mails replace the corpus, each run `repeat`
// times, for the benchmark)
import { request } from 'node:http';
import { runInThisContext } from 'node:vm';
import { CORPUS } from '../support/mail-corpus.mjs';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (d) => (text += d)).on('end', () => resolve(text));
}));

// ---- TEST DOUBLE of Office.js in Outlook's event runtime
let handler = null;
let mail = null;
const storage = new Map();
const fetched = [];

/**
 * fetch over node:http: node's own fetch needs WebAssembly, which node --jitless lacks. Enough
 * of the Fetch API for the handler: method, headers, status, ok, headers.get, text, arrayBuffer.
 */
function realFetch(url, options = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode,
          ok: res.statusCode >= 200 && res.statusCode < 300,
          headers: { get: (name) => res.headers[name.toLowerCase()] ?? null },
          text: () => Promise.resolve(body.toString('utf8')),
          arrayBuffer: () => Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
globalThis.fetch = async (url, options) => {
  const path = new URL(url).pathname;
  if (input.offline && path === '/v1/dictionary') {
    fetched.push(`${path} unreachable`);
    throw new TypeError('fetch failed');
  }
  const response = await realFetch(url, options);
  fetched.push(`${path} ${response.status}`);
  return response;
};
const succeeded = (value) => ({ status: 'succeeded', value });
globalThis.Office = {
  AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
  CoercionType: { Text: 'text', Html: 'html' },
  MailboxEnums: { SendModeOverride: { PromptUser: 'promptUser' } },
  actions: {
    associate(name, fn) {
      if (name === 'onMessageSendHandler') handler = fn;
    },
  },
  context: {
    get displayLanguage() {
      return mail?.language ?? 'en-US';
    },
    mailbox: {
      item: {
        subject: { getAsync: (cb) => setTimeout(() => cb(succeeded(mail.subject)), 0) },
        body: {
          getAsync: (coercion, cb) => setTimeout(() => cb(
            coercion !== 'text'
              ? { status: 'failed', error: { message: `asked for ${coercion}, not text` } }
              : mail.body === null
                ? { status: 'failed', error: { message: 'the item is not available' } }
                : succeeded(mail.body),
          ), 0),
        },
      },
    },
  },
};
globalThis.OfficeRuntime = {
  auth: { getAccessToken: () => Promise.resolve(input.token) },
  storage: {
    getItem: (k) => Promise.resolve(storage.has(k) ? storage.get(k) : null),
    setItem: (k, v) => Promise.resolve(void storage.set(k, v)),
  },
};

const script = input.script ?? '/launchevent.js';
const loading = performance.now();
const source = await (await realFetch(`${input.origin}${script}`)).text();
runInThisContext(source, { filename: script.slice(1) });
/** Fetching and running the handler's script, before any Send. */
const loadMs = performance.now() - loading;
if (!handler) throw new Error('launchevent.js did not associate onMessageSendHandler');

const results = [];
for (const m of (input.mails ?? CORPUS).flatMap((x) => Array(input.repeat ?? 1).fill(x))) {
  mail = m;
  const calls = [];
  const started = performance.now();
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 20_000);
    handler({
      completed: (options) => {
        calls.push(options);
        clearTimeout(timer);
        resolve();
      },
    });
  });
  const ms = performance.now() - started;
  await new Promise((r) => setTimeout(r, 50)); // a second completed() would show up here
  results.push({ name: m.name, calls, ms });
}
/** Whether this process lets scripts make code from strings (eval, new Function). */
function codeFromStrings() {
  try {
    return new Function('return true')();
  } catch {
    return false;
  }
}
process.stdout.write(`${JSON.stringify({ webAssembly: typeof WebAssembly !== 'undefined', codeFromStrings: codeFromStrings(), loadMs, fetched, results })}\n`);
