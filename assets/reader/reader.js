// The reader page: loads the WebAssembly core, finds the envelope (the link's fragment, a pasted
// message or a chosen file, all read here), has the reader prove their address with a passcode,
// and shows the decrypted message in a sandboxed frame with who owns its key.

import * as wasm from 'addin-wasm-web';
import { fromBase64Url } from '../taskpane/base64url.js';
import { setCore, core } from '../taskpane/core.js';
import { explain, findEnvelope, openEnvelopes } from '../taskpane/envelopes.js';
import { currentLanguage, setLanguage, t, translatePage } from '../taskpane/i18n.js';
import { framed } from '../taskpane/sanitize.js';
import * as passcodes from './passcodes.js';

const $ = (id) => document.getElementById(id);

/** The envelope being read, the challenge of the passcode asked for, and the reader session's
 * token (in this page's memory only). */
let envelope = null;
let challenge = null;
let session = null;

function say(text, kind = 'info') {
  $('status').textContent = text;
  $('status').dataset.kind = kind;
}

/** Runs `action`, saying its failure on the page, with the buttons off meanwhile. */
async function busy(action) {
  const buttons = [...document.querySelectorAll('button')];
  for (const b of buttons) b.disabled = true;
  try {
    await action();
  } catch (e) {
    say(e?.code ? explain(e.code, e.message) : String(e?.message ?? e), 'error');
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

/** Shows `jwe` as found: the passcode form, unless it is not an envelope at all. */
function found(jwe) {
  core().inspectEnvelope(jwe);
  envelope = jwe;
  $('find').hidden = true;
  $('prove').hidden = false;
  say(t('envelopeFound'));
  $('address').focus();
}

async function findIn(text) {
  const jwe = findEnvelope(text);
  if (!jwe) {
    say(t('noEnvelope'), 'error');
    return;
  }
  found(jwe);
}

async function askCode(event) {
  event.preventDefault();
  const address = $('address').value.trim();
  if (!$('address').checkValidity() || !address.includes('@')) {
    say(t('invalidAddress', address), 'error');
    return;
  }
  say(t('requestingCode'));
  const keyId = core().inspectEnvelope(envelope).keyId;
  const answer = await passcodes.ask(address, [keyId], currentLanguage());
  challenge = answer.challenge;
  const minutes = Math.round(answer.expiresInSeconds / 60);
  $('code-form').hidden = false;
  say(t('codeSent', address, answer.reference, minutes));
  $('code').focus();
}

async function read(event) {
  event.preventDefault();
  say(t('checkingCode'));
  session = await passcodes.enter(challenge, $('code').value);
  const [opened] = await openEnvelopes([{ rangeId: 'body', jwe: envelope }], undefined, passcodes.unwrapWith(session.token));
  if (opened.error) {
    say(t('cannotOpen', opened.error), 'error');
    return;
  }
  const html = opened.format === 'html' ? opened.content : Object.assign(document.createElement('pre'), { textContent: opened.content }).outerHTML;
  $('message').srcdoc = framed(html);
  $('owner').textContent = t('protectedBy', opened.owner?.username ?? '?');
  $('prove').hidden = true;
  $('opened').hidden = false;
  say(t('readerOpened'));
  document.body.dataset.verdict = 'opened';
}

/** The reply's text as HTML paragraphs, escaped. */
function paragraphs(text) {
  return text.split(/\n{2,}/).map((p) => {
    const el = document.createElement('p');
    el.textContent = p;
    return el.outerHTML.replace(/\n/g, '<br>');
  }).join('');
}

/** Encrypts the reply here under a new key for the message's sender and recipients, and has
 * the server mail the envelope. The key is overwritten with zeros afterwards. */
async function sendReply(event) {
  event.preventDefault();
  const text = $('reply').value.trim();
  if (!text) return;
  say(t('sendingReply'));
  const replyTo = core().inspectEnvelope(envelope).keyId;
  const created = await passcodes.replyKey(session.token, replyTo);
  const key = fromBase64Url(created.key);
  let jwe;
  try {
    jwe = core().encryptRange({ key, keyId: created.keyId, docId: `mail:${crypto.randomUUID()}`, rangeId: 'body', content: paragraphs(text), format: 'html' });
  } finally {
    key.fill(0);
  }
  const sent = await passcodes.reply(session.token, created.keyId, jwe, currentLanguage());
  $('reply').value = '';
  say(t('replySent', sent.to.join(', ')));
  document.body.dataset.verdict = 'replied';
}

async function start() {
  setLanguage(navigator.language);
  translatePage();
  const response = await fetch('/event/addin_wasm_bg.wasm');
  if (!response.ok) throw new Error(t('coreFailed', response.status));
  wasm.initSync({ module: await response.arrayBuffer() });
  setCore(wasm);
  document.body.dataset.core = 'ready';

  $('ask-form').addEventListener('submit', (e) => busy(() => askCode(e)));
  $('code-form').addEventListener('submit', (e) => busy(() => read(e)));
  $('reply-form').addEventListener('submit', (e) => busy(() => sendReply(e)));
  $('find-envelope').addEventListener('click', () => busy(() => findIn($('pasted').value)));
  $('file').addEventListener('change', () => busy(async () => {
    const file = $('file').files[0];
    if (file) await findIn(await file.text());
  }));
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files?.[0];
    if (file) busy(async () => findIn(await file.text()));
  });

  // The envelope in the link's fragment (`#m=...`) never reached the server.
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('m');
  if (fromLink) {
    try {
      found(fromLink);
      return;
    } catch (e) {
      say(explain(e.code, e.message), 'error');
    }
  } else {
    say('');
  }
  $('find').hidden = false;
}

start().catch((e) => {
  document.body.dataset.core = 'failed';
  say(t('coreFailed', e?.message ?? String(e)), 'error');
});
