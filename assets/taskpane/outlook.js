// The Outlook pane. Writing a message, it checks it with the organisation's dictionary (the
// same scanner and dictionary as the send-time check, on this device), lists what it found,
// where and amid which words, and protects the message: its body is encrypted with a new data
// key for the message's recipients and replaced by the envelope, so that only they can read it.
// Reading a message, it opens such an envelope for a recipient (`readProtected`).

import * as api from './api.js';
import { t } from './i18n.js';
import { core } from './core.js';
import { findEnvelope, readerLink } from './envelopes.js';
import { openEnvelopes, sealWithNewKey } from './protect.js';
import { categoryLabel, composed, office, scanned } from './message.js';

const item = () => Office.context.mailbox.item;

/** Whether the pane is open on a message being read (a string subject) rather than written. */
export const reading = () => typeof item()?.subject === 'string';

/** Characters of context shown on each side of a finding. */
const CONTEXT = 40;

/**
 * The words around `text.slice(start, end)`, so the writer can find it in the message (Outlook
 * has no way for an add-in to move the cursor to it): `{ before, after }`, whitespace collapsed,
 * cut at a space and marked with an ellipsis where the context goes on.
 */
export function around(text, start, end) {
  const squeeze = (s) => s.replace(/\s+/g, ' ');
  let before = squeeze(text.slice(Math.max(0, start - CONTEXT), start));
  if (start > CONTEXT) before = `…${before.replace(/^\S*\s?/, '')}`;
  let after = squeeze(text.slice(end, end + CONTEXT));
  if (end + CONTEXT < text.length) after = `${after.replace(/\s?\S*$/, '')}…`;
  return { before, after };
}

/**
 * Where a finding of `subject + "\n" + body` (UTF-16 offsets) is: `{ where, before, after }`,
 * its place in words (the subject, or a line of the body) and the words around it in that part.
 */
export function locate(subject, body, { start, end }) {
  if (start <= subject.length) {
    return { where: t('inSubject'), ...around(subject, start, Math.min(end, subject.length)) };
  }
  const offset = subject.length + 1;
  const line = body.slice(0, start - offset).split('\n').length;
  return { where: t('inBody', line), ...around(body, start - offset, end - offset) };
}

/**
 * Checks the message: `{ verdict, findings: [{ label, text, where, before, after }] }`, with the organisation's
 * dictionary (the built-in detectors alone if the server cannot give it).
 */
export async function check() {
  const [written, dictionary] = await Promise.all([composed(), api.dictionary().catch(() => null)]);
  const { subject, body } = written;
  const { Scanner } = core();
  const scanner = new Scanner(dictionary ?? Scanner.defaultDictionary());
  try {
    const report = scanner.scan(scanned(written));
    const lang = document.documentElement.lang;
    const labels = new Map(report.categories.map((c) => [c.id, categoryLabel(c, lang)]));
    return {
      verdict: report.verdict,
      findings: report.findings.map((f) => ({
        label: labels.get(f.category) ?? f.category,
        text: f.text,
        ...locate(subject, body, f),
        severity: f.severity,
      })),
    };
  } finally {
    scanner.free();
  }
}

/** The message's recipients (to, cc and bcc), lowercase email addresses. */
export async function recipients() {
  const lists = await Promise.all(['to', 'cc', 'bcc'].map((field) => office(`read the ${field} recipients`, (cb) => item()[field].getAsync(cb))));
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
  const html = await office('read the body', (cb) => item().body.getAsync(Office.CoercionType.Html, cb));
  const docId = `mail:${crypto.randomUUID()}`;
  const [jwe] = await sealWithNewKey({ recipients: readers, label: t('labelMessage'), docId }, [
    { rangeId: 'body', content: html, format: 'html' },
  ]);
  const notice = document.createElement('div');
  notice.append(Object.assign(document.createElement('p'), { textContent: t('protectedNotice') }));
  // People without the add-in read it in their browser, when the envelope fits in a link.
  const link = readerLink(location.origin, jwe);
  if (link) {
    const a = Object.assign(document.createElement('a'), { href: link, textContent: t('readInBrowser') });
    const p = document.createElement('p');
    p.append(a);
    notice.append(p);
  }
  const envelope = document.createElement('pre');
  envelope.dataset.textguard = '1';
  envelope.textContent = jwe;
  await office('replace the body', (cb) => item().body.setAsync(`${notice.outerHTML}${envelope.outerHTML}`, { coercionType: Office.CoercionType.Html }, cb));
  return readers;
}

/**
 * Opens the protected message being read: `{ html, owner }`, the body as its sender wrote it
 * and who created its key (`{ username, tenantId }`, as the key server recorded it), once the
 * key server has released the key to this reader. Errors say, in words, why not:
 * not protected, not a recipient, revoked, changed.
 */
export async function readProtected() {
  const text = await office('read the body', (cb) => item().body.getAsync(Office.CoercionType.Text, cb));
  const jwe = findEnvelope(text ?? '');
  if (!jwe) throw new Error(t('notProtected'));
  const [opened] = await openEnvelopes([{ rangeId: 'body', jwe }]);
  if (opened.error) throw new Error(t('cannotOpen', opened.error));
  return { html: opened.format === 'html' ? opened.content : plainToHtml(opened.content), owner: opened.owner };
}

/** Text as HTML that shows it as it is. */
function plainToHtml(text) {
  const pre = document.createElement('pre');
  pre.textContent = text;
  return pre.outerHTML;
}
