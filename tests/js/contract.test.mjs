// The contract checker of the browser tests (tests/support/contract.mjs) against the committed
// OpenAPI document: it accepts the answers the server gives and names what is wrong in others,
// so that a test passing through it means something.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { contract } from '../support/contract.mjs';
import { ROOT } from '../support/paths.mjs';

const check = contract(JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8')));
const BASE = 'http://127.0.0.1:1';
const policy = {
  keyId: 'k1',
  owner: { username: 'alice@contoso.example', tenantId: 't' },
  recipients: ['bob@fabrikam.example'],
  createdAt: '2026-12-04T10:00:00Z',
  updatedAt: '2026-12-04T10:00:00Z',
};

test('answers as the server gives them pass', () => {
  assert.deepEqual(check('GET', `${BASE}/v1/keys/k1`, 200, JSON.stringify(policy)), []);
  assert.deepEqual(check('PATCH', `${BASE}/v1/keys/k1`, 200, JSON.stringify({ ...policy, expiresAt: null })), []);
  const error = { error: { code: 'not_found', message: 'no key with this id exists' } };
  assert.deepEqual(check('GET', `${BASE}/v1/keys/k1`, 404, JSON.stringify(error)), []);
  assert.deepEqual(check('DELETE', `${BASE}/v1/admin/tenant`, 204, ''), []);
  const unwrap = { results: [{ keyId: 'k1', key: 'AAAA', owner: policy.owner }, { keyId: 'k2', error: { code: 'revoked', message: 'its owner revoked access' } }] };
  assert.deepEqual(check('POST', `${BASE}/v1/keys/unwrap`, 200, JSON.stringify(unwrap)), []);
});

test('a drifted answer is named with where it is wrong', () => {
  const { owner, ...noOwner } = policy;
  assert.match(check('GET', `${BASE}/v1/keys/k1`, 200, JSON.stringify(noOwner)).join('\n'), /GET \/v1\/keys\/k1 200: \(body\) must have required property 'owner'/);
  assert.match(check('GET', `${BASE}/v1/keys/k1`, 200, JSON.stringify({ ...policy, recipients: 'bob' })).join('\n'), /\/recipients must be array/);
  assert.match(check('GET', `${BASE}/v1/keys/k1`, 500, '{"oops":1}').join('\n'), /must have required property 'error'/);
  // Error codes are an enum: one the document does not list is drift too.
  const made_up = { error: { code: 'made_up', message: 'x' } };
  assert.match(check('GET', `${BASE}/v1/keys/k1`, 404, JSON.stringify(made_up)).join('\n'), /\/error\/code must be equal to one of the allowed values/);
  assert.match(check('GET', `${BASE}/v1/nowhere`, 200, '{}').join('\n'), /not in \/openapi.json/);
  assert.match(check('GET', `${BASE}/v1/keys/k1`, 200, 'not json').join('\n'), /not JSON/);
});
