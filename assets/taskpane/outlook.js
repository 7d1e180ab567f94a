// The Outlook compose pane: checks the message being written with the organisation's dictionary
// (the same scanner and dictionary as the send-time check, on this device), lists what it found
// and where, and protects the message: its body is encrypted with a new data key for the
// message's recipients and replaced by the envelope, so that only they can read it.

import * as api from './api.js';
import { t } from './i18n.js';

const item = () => Office.context.mailbox.item;

/** An Office.js asynchronous call as a promise. */
function office(call) {
  return new Promise((resolve, reject) => {
    call((result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
      else reject(new Error(result.error?.message ?? 'Outlook refused the request'));
    });
  });
}

/** Subject and body (as text) of the message being written. */
async function message() {
  const [subject, body] = await Promise.all([
    office((cb) => item().subject.getAsync(cb)),
    office((cb) => item().body.getAsync(Office.CoercionType.Text, cb)),
  ]);
  return { subject: subject ?? '', body: body ?? '' };
}

/** Where `offset` (UTF-16, in `subject + "\n" + body`) is, in words. */
export function place(subject, body, offset) {
  if (offset <= subject.length) return t('inSubject');
  const before = body.slice(0, offset - subject.length - 1);
  const line = before.split('\n').length;
  return t('inBody', line);
}

/**
 * Checks the message: `{ verdict, findings: [{ label, text, where }] }`, with the organisation's
 * dictionary (the built-in detectors alone if the server cannot give it).
 */
export async function check() {
  const [{ subject, body }, dictionary] = await Promise.all([message(), api.dictionary().catch(() => null)]);
  const { Scanner } = window.wasmBindings;
  const scanner = new Scanner(dictionary ?? Scanner.defaultDictionary());
  try {
    const report = scanner.scan(`${subject}\n${body}`);
    const lang = document.documentElement.lang;
    const labels = new Map(report.categories.map((c) => [c.id, c.label[lang] ?? c.label.en ?? c.id]));
    return {
      verdict: report.verdict,
      findings: report.findings.map((f) => ({
        label: labels.get(f.category) ?? f.category,
        text: f.text,
        where: place(subject, body, f.start),
        severity: f.severity,
      })),
    };
  } finally {
    scanner.free();
  }
}

/** The message's recipients (to, cc and bcc), lowercase email addresses. */
async function recipients() {
  const lists = await Promise.all(['to', 'cc', 'bcc'].map((field) => office((cb) => item()[field].getAsync(cb))));
  return [...new Set(lists.flat().map((r) => String(r.emailAddress ?? '').toLowerCase()).filter(Boolean))];
}

/**
 * Protects the message: a data key for its recipients (the sender is always one), the body's
 * HTML encrypted into an envelope, and the body replaced by a short notice and the envelope.
 * Resolves with the recipients.
 */
export async function protect() {
  const readers = await recipients();
  if (readers.length === 0) throw Object.assign(new Error(t('noRecipients')), { code: 'no_recipients' });
  const html = await office((cb) => item().body.getAsync(Office.CoercionType.Html, cb));
  const docId = `mail:${crypto.randomUUID()}`;
  const created = await api.createKey({ recipients: readers, docId, label: 'Outlook message' });
  const key = api.fromBase64Url(created.key);
  let jwe;
  try {
    jwe = window.wasmBindings.encryptRange({ key, keyId: created.keyId, docId, rangeId: 'body', content: html, format: 'html' });
  } finally {
    key.fill(0);
  }
  const notice = document.createElement('p');
  notice.textContent = t('protectedNotice');
  const envelope = document.createElement('pre');
  envelope.dataset.textguard = '1';
  envelope.textContent = jwe;
  await office((cb) => item().body.setAsync(`${notice.outerHTML}${envelope.outerHTML}`, { coercionType: Office.CoercionType.Html }, cb));
  return readers;
}
