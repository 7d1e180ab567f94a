// The key server's API over fetch, as every page of the add-in calls it (same origin): JSON in
// and out, and failures as Errors with the server's `code` and message (code "network" when it
// was unreachable). The callers add who is calling: the task pane a user's token (api.js), the
// reader page a passcode session (reader/passcodes.js).

import { core } from './core.js';

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** `method path` with `body` (JSON) and bearer `token` (optional): the answer's JSON. */
export async function request(method, path, { body, token } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError('network', String(e?.message ?? e), 0);
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

/**
 * Unwraps any number of keys with `post(keyIds)` (one request's `UnwrapAnswer`), as many per
 * request as the protocol allows (the core's `maxUnwrap`): a Map keyId -> `Unwrapped`
 * (`{ key, owner }` or `{ error }`).
 */
export async function unwrapInBatches(keyIds, post) {
  const results = new Map();
  const unique = [...new Set(keyIds)];
  const perRequest = core().maxUnwrap();
  for (let i = 0; i < unique.length; i += perRequest) {
    const answer = await post(unique.slice(i, i + perRequest));
    for (const result of answer.results) results.set(result.keyId, result);
  }
  return results;
}
