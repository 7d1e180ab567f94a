// Envelopes as every reader of them handles them (the Word pane, the Outlook read pane and the
// reader page for people without the add-in): opening a batch with keys from whichever source
// the reader has, why a part cannot be opened in the user's words, and finding an envelope in
// a message's text.

import { fromBase64Url } from './base64url.js';
import { core } from './core.js';
import { has, t } from './i18n.js';

/** Why a part could not be decrypted, in the user's words, from a broker or envelope code. */
export function explain(code, message) {
  const key = `err_${code}`;
  return has(key) && code !== 'other' ? t(key) : String(message ?? code);
}

/**
 * Opens envelopes `[{ rangeId, jwe }]` of one document (`docId`, or undefined when unknown) with
 * one batch of keys from `unwrapKeys` (key ids -> a Map keyId -> `Unwrapped`: the signed-in
 * user's broker, or a passcode reader's session): `[{ content, format } or { error }]` in the same order, each
 * error in the user's words. The keys are overwritten with zeros afterwards.
 */
export async function openEnvelopes(parts, docId, unwrapKeys) {
  const inspected = parts.map(({ jwe }) => {
    try {
      return { header: core().inspectEnvelope(jwe) };
    } catch (e) {
      return { error: explain(e.code, e.message) };
    }
  });
  const keyIds = inspected.filter((p) => p.header).map((p) => p.header.keyId);
  const keys = keyIds.length > 0 ? await unwrapKeys(keyIds) : new Map();
  const bytes = new Map();
  try {
    return parts.map(({ rangeId, jwe }, i) => {
      const { header, error } = inspected[i];
      if (error) return { error };
      const released = keys.get(header.keyId);
      if (!released?.key) return { error: explain(released?.error?.code ?? 'not_found', released?.error?.message) };
      if (!bytes.has(header.keyId)) bytes.set(header.keyId, fromBase64Url(released.key));
      try {
        const opened = core().decryptRange(jwe, bytes.get(header.keyId), { docId, rangeId });
        return { content: opened.content, format: opened.format, owner: released.owner };
      } catch (e) {
        return { error: explain(e.code, e.message) };
      }
    });
  } finally {
    for (const key of bytes.values()) key.fill(0);
  }
}

/** An envelope in a message's text: header, empty key, 16-character IV, ciphertext, 22-character tag. */
const ENVELOPE = /eyJ[\w-]+\.\.[\w-]{16}\.[\w-]+\.[\w-]{22}/;

/**
 * The envelope in the text of a received message (or a saved .eml), or null. Mail systems may
 * wrap long lines, and quoted-printable ends them with `=`, so the envelope is looked for with
 * soft line breaks and all whitespace taken out.
 */
export function findEnvelope(text) {
  const inText = (s) => ENVELOPE.exec(s.replace(/=\r?\n/g, '').replace(/\s+/g, ''))?.[0] ?? null;
  return inText(text) ?? base64Parts(text).map(inText).find(Boolean) ?? null;
}

/** The decoded bodies of a saved message's base64 parts (`Content-Transfer-Encoding: base64`,
 * a blank line, then base64 lines), where a mail program may have put the envelope. */
function base64Parts(text) {
  const parts = [];
  const part = /content-transfer-encoding:\s*base64[^\n]*\n(?:[^\n]+\n)*?\r?\n((?:[A-Za-z0-9+/=]+\r?\n?)+)/gi;
  for (const [, body] of text.matchAll(part)) {
    try {
      parts.push(atob(body.replace(/\s+/g, '')));
    } catch {
      // Not base64 after all: nothing to look in.
    }
  }
  return parts;
}

/** A link to the reader page (`/read`) carrying `jwe` in its fragment, which browsers never send
 * to a server; null when it would be longer than mail programs reliably keep a link (the
 * protocol's rule, in the core). */
export const readerLink = (origin, jwe) => core().readerLink(origin, jwe) ?? null;
