// The key broker's API as the task pane uses it (same origin as the page). Every call carries
// the signed-in user's token from auth.js; a refused token is fetched again once. Failures are
// Errors with the server's `code` and its message, or code "network" when it was unreachable.
// The shapes of the answers are the server's OpenAPI document's (/openapi.json, committed as
// docs/openapi.json; the browser tests check every answer against it), named below by schema.

import { getToken, forgetToken } from './auth.js';
import { core } from './core.js';

class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function call(method, path, body, retried = false) {
  const token = await getToken();
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError('network', String(e?.message ?? e), 0);
  }
  if (response.status === 401 && !retried) {
    forgetToken();
    return call(method, path, body, true);
  }
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError('bad_response', `the server answered ${response.status} with something other than JSON`, response.status);
  }
  if (!response.ok) {
    const error = json?.error ?? {};
    throw new ApiError(error.code ?? 'http_' + response.status, error.message ?? `the server answered ${response.status}`, response.status);
  }
  return json;
}

/** Who is signed in: the `Me` schema of /openapi.json. */
export const me = () => call('GET', '/v1/me');

/** The organisation's sensitive-text dictionary (the document the scanner takes). */
export const dictionary = () => call('GET', '/v1/dictionary');

/** Creates a data key: a `Created` (`key` in base64url). */
export const createKey = ({ recipients, expiresAt, label, docId }) =>
  call('POST', '/v1/keys', { recipients, expiresAt: expiresAt ?? undefined, label, docId });

/**
 * Unwraps any number of keys, as many per request as the protocol allows (the core's
 * `maxUnwrap`): a Map keyId -> `Unwrapped` (`{ key, owner }` or `{ error }`).
 */
export async function unwrapKeys(keyIds) {
  const results = new Map();
  const unique = [...new Set(keyIds)];
  const perRequest = core().maxUnwrap();
  for (let i = 0; i < unique.length; i += perRequest) {
    const answer = await call('POST', '/v1/keys/unwrap', { keyIds: unique.slice(i, i + perRequest) });
    for (const result of answer.results) results.set(result.keyId, result);
  }
  return results;
}

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
