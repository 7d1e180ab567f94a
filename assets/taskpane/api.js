// The key broker's API as the task pane uses it (same origin as the page, through http.js).
// Every call carries the signed-in user's token from auth.js; a refused token is fetched again
// once.
// The shapes of the answers are the server's OpenAPI document's (/openapi.json, committed as
// docs/openapi.json; the browser tests check every answer against it), named below by schema.

import { getToken, forgetToken } from './auth.js';
import { request, unwrapInBatches } from './http.js';

async function call(method, path, body, retried = false) {
  try {
    return await request(method, path, { body, token: await getToken() });
  } catch (e) {
    if (e.status === 401 && !retried) {
      forgetToken();
      return call(method, path, body, true);
    }
    throw e;
  }
}

/** Who is signed in: the `Me` schema of /openapi.json. */
export const me = () => call('GET', '/v1/me');

/** The organisation's sensitive-text dictionary (the document the scanner takes). */
export const dictionary = () => call('GET', '/v1/dictionary');

/** Creates a data key: a `Created` (`key` in base64url). */
export const createKey = ({ recipients, expiresAt, label, docId }) =>
  call('POST', '/v1/keys', { recipients, expiresAt: expiresAt ?? undefined, label, docId });

/** Unwraps any number of keys: a Map keyId -> `Unwrapped` (`{ key, owner }` or `{ error }`). */
export const unwrapKeys = (keyIds) =>
  unwrapInBatches(keyIds, (batch) => call('POST', '/v1/keys/unwrap', { keyIds: batch }));

/** How each of `recipients` would read what the user protects: a `RecipientsReading`. */
export const howTheyRead = (recipients) => call('POST', '/v1/recipients/check', { recipients });

/** A key's policy (owner and admins), or null when the caller may not see it. */
export async function policy(keyId) {
  try {
    return await call('GET', `/v1/keys/${encodeURIComponent(keyId)}`);
  } catch (e) {
    if (e.code === 'not_found' || e.status === 403) return null;
    throw e;
  }
}

/** Changes recipients or expiry: `{ addRecipients?, removeRecipients?, expiresAt? }`. */
export const changePolicy = (keyId, change) => call('PATCH', `/v1/keys/${encodeURIComponent(keyId)}`, change);

/** Revokes a key for everyone. */
export const revoke = (keyId) => call('POST', `/v1/keys/${encodeURIComponent(keyId)}/revoke`);
