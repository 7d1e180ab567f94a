// Encrypting, decrypting and managing a document's protected parts: the task pane's logic
// between the Word document (word.js), the key broker (api.js) and the WebAssembly envelope
// (encryptRange, decryptRange, inspectEnvelope of addin-wasm). Data keys exist in memory only
// while a batch is encrypted or decrypted, and are overwritten with zeros afterwards.

import * as api from './api.js';
import { fromBase64Url } from './base64url.js';
import { openEnvelopes as openWith } from './envelopes.js';
import * as word from './word.js';
import { core } from './core.js';
import { t } from './i18n.js';


/** A recipient typed by the user, as the server will store it, or null when the server would
 * refuse it (the core's rule, the server's own). */
export function checkRecipient(value) {
  try {
    return core().checkRecipient(value);
  } catch {
    return null;
  }
}

/**
 * Encrypts the selection (or, with `whole`, the document) for `recipients` (emails; '*' for the
 * whole organisation) until `expiresAt` (ISO string or null). One data key protects every part
 * of one action. Resolves with the number of parts encrypted.
 */
export async function encrypt({ recipients, expiresAt, whole, owner, progress }) {
  const sealParts = async ({ docId, parts }) => {
    // The key's label, for its owner's lists, in the owner's language.
    const label = whole ? t('labelDocument') : t('labelParagraphs', parts.length);
    const ranges = parts.map((content) => ({ rangeId: word.newId(), content, format: 'ooxml' }));
    const sealed = await sealWithNewKey({ recipients, expiresAt, label, docId }, ranges);
    return ranges.map(({ rangeId }, i) => ({ rangeId, jwe: sealed[i], title: t('ccTitle', owner) }));
  };
  return whole ? word.encryptDocument(sealParts) : word.encryptSelection(sealParts, (d, n) => progress?.(d, n));
}

/**
 * Seals `ranges` (`[{ rangeId, content, format }]`) of document `docId` under one new data key
 * from the key server, for `recipients` until `expiresAt` (ISO string, optional), labelled
 * `label`: the envelopes, in order. The key is overwritten with zeros afterwards.
 */
export async function sealWithNewKey({ recipients, expiresAt, label, docId }, ranges) {
  const created = await api.createKey({ recipients, expiresAt, docId, label });
  const key = fromBase64Url(created.key);
  try {
    return ranges.map(({ rangeId, content, format }) =>
      core().encryptRange({ key, keyId: created.keyId, docId, rangeId, content, format }));
  } finally {
    key.fill(0);
  }
}

/** Opens envelopes of one document with the signed-in user's keys (see envelopes.js). */
export const openEnvelopes = (parts, docId) => openWith(parts, docId, api.unwrapKeys);

/**
 * Decrypts every part the signed-in user may read. Resolves with `{ total, done, failures:
 * [{ index, message }] }` (index from 1, in document order).
 */
export async function decrypt({ progress } = {}) {
  const failures = [];
  let done = 0;
  const results = await word.decryptParts(
    ({ docId, parts }) => openEnvelopes(parts, docId ?? undefined),
    (d, n) => progress?.(d, n),
  );
  results.forEach((r, i) => {
    if (r.error) failures.push({ index: i + 1, message: r.error });
    else done++;
  });
  return { total: results.length, done, failures };
}

/**
 * The document's parts grouped by key: `[{ keyId, parts, policy }]`, policy null when the
 * signed-in user is neither its owner nor an admin of its organisation. Parts that cannot be
 * read at all are listed with keyId null.
 */
export async function listKeys() {
  const parts = await word.listParts();
  const byKey = new Map();
  for (const part of parts) {
    let keyId = null;
    try {
      keyId = core().inspectEnvelope(part.jwe).keyId;
    } catch {
      // Damaged: listed without a key.
    }
    if (!byKey.has(keyId)) byKey.set(keyId, { keyId, parts: [] });
    byKey.get(keyId).parts.push(part);
  }
  const groups = [...byKey.values()];
  await Promise.all(groups.map(async (g) => {
    g.policy = g.keyId ? await api.policy(g.keyId) : null;
  }));
  return groups;
}
