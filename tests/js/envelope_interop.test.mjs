// Interoperability of the range envelope with an independent JOSE implementation (npm `jose`),
// both ways: what the WebAssembly module encrypts, `jose` decrypts with the key alone, and what
// `jose` encrypts in the same format, the WebAssembly module decrypts. With and without
// compression ("zip": "DEF").
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { WASM_PKG } from '../support/paths.mjs';

const require = createRequire(import.meta.url);
const addin = require(join(WASM_PKG, 'node', 'addin_wasm.js'));

const key = webcrypto.getRandomValues(new Uint8Array(32));
const ooxml = '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Budget prévisionnel 2027 😀</w:t></w:r></w:p>'.repeat(40);
const decoder = new TextDecoder();

for (const [name, content, format, compressed] of [
  ['short text, not compressed', 'Projet Orion', 'text', false],
  ['OOXML, compressed', ooxml, 'ooxml', true],
]) {
  test(`jose decrypts what the wasm module encrypts: ${name}`, async () => {
    const jwe = addin.encryptRange({ key, keyId: 'k1', docId: 'doc-a', rangeId: 'r1', content, format });
    const header = decodeProtectedHeader(jwe);
    assert.equal(header.zip === 'DEF', compressed);
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    assert.deepEqual(JSON.parse(decoder.decode(plaintext)), { content, format });
    assert.equal(protectedHeader.kid, 'k1');
    assert.equal(protectedHeader.tg_doc, 'doc-a');
    assert.equal(protectedHeader.tg_range, 'r1');
    assert.equal(protectedHeader.tg_version, 1);
  });

  test(`the wasm module decrypts what jose encrypts: ${name}`, async () => {
    const payload = new TextEncoder().encode(JSON.stringify({ content, format }));
    const protectedHeader = { alg: 'dir', enc: 'A256GCM', kid: 'k2', tg_version: 1, tg_doc: 'doc-b', tg_range: 'r9' };
    if (compressed) protectedHeader.zip = 'DEF';
    const jwe = await new CompactEncrypt(payload).setProtectedHeader(protectedHeader).encrypt(key);
    const inspected = addin.inspectEnvelope(jwe);
    assert.equal(inspected.compressed, compressed);
    assert.equal(inspected.keyId, 'k2');
    const opened = addin.decryptRange(jwe, key, { docId: 'doc-b', rangeId: 'r9' });
    assert.deepEqual(opened, { content, format, docId: 'doc-b', rangeId: 'r9', keyId: 'k2' });
    // The binding holds for jose's envelopes too.
    assert.throws(() => addin.decryptRange(jwe, key, { docId: 'doc-a' }), (e) => e.code === 'mismatch');
  });
}

test('jose refuses what the wasm module encrypts under another key', async () => {
  const jwe = addin.encryptRange({ key, keyId: 'k1', docId: 'd', rangeId: 'r', content: 'x', format: 'text' });
  await assert.rejects(compactDecrypt(jwe, new Uint8Array(32)), /decryption operation failed/);
});
