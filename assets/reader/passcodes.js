// The passcode routes of the key server, as the reader page calls them: ask for a code, enter
// it, and open keys with the reader session it gives. The session's token stays in this page's
// memory only: closing the page ends it here.

import { request, unwrapInBatches } from '../taskpane/http.js';

/** Asks for a code for `address` to open `keyIds`: a `PasscodeChallenge`. */
export const ask = (address, keyIds, lang) => request('POST', '/v1/passcodes', { body: { address, keyIds, lang } });

/** Enters `code` for `challenge`: a `ReaderSession`. */
export const enter = (challenge, code) => request('POST', '/v1/passcodes/verify', { body: { challenge, code } });

/** A key for a protected reply to the message whose key is `replyTo`: a `Created`. */
export const replyKey = (token, replyTo) => request('POST', '/v1/passcodes/reply-key', { body: { replyTo }, token });

/** Mails `envelope` (under the reply key `keyId`) to that key's recipients: a `ReplySent`. */
export const reply = (token, keyId, envelope, lang) => request('POST', '/v1/passcodes/reply', { body: { keyId, envelope, lang }, token });

/** Key ids -> a Map keyId -> `Unwrapped`, with the session whose token is `token`. */
export const unwrapWith = (token) => (keyIds) =>
  unwrapInBatches(keyIds, (batch) => request('POST', '/v1/passcodes/unwrap', { body: { keyIds: batch }, token }));
