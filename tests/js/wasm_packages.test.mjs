// The packages of scripts/build-wasm.sh, as JavaScript consumers see them: the node package, and
// the wasm2js script for Outlook's event runtime where WebAssembly may not exist.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parse } from 'acorn';
import { VERSION, WASM_PKG } from '../support/paths.mjs';

const require = createRequire(import.meta.url);
const WASM2JS = join(WASM_PKG, 'wasm2js', 'addin_wasm.min.js');

test('the node package loads and reports the crate version', () => {
  const addin = require(join(WASM_PKG, 'node', 'addin_wasm.js'));
  assert.equal(addin.version(), VERSION);
});

test('the wasm2js build is ES2016', () => {
  for (const name of ['addin_wasm.js', 'addin_wasm.min.js']) {
    const source = readFileSync(join(WASM_PKG, 'wasm2js', name), 'utf8');
    // acorn refuses syntax newer than the version it is given.
    assert.doesNotThrow(() => parse(source, { ecmaVersion: 2016, sourceType: 'script' }), name);
  }
});

test('the wasm2js build runs where WebAssembly does not exist', (t) => {
  // node --jitless removes the WebAssembly global, as in a JavaScript-only runtime.
  const script = `
    if (typeof WebAssembly !== 'undefined') throw new Error('WebAssembly still exists');
    require('vm').runInThisContext(require('fs').readFileSync(${JSON.stringify(WASM2JS)}, 'utf8'));
    process.stdout.write(addinWasm.version());
  `;
  const out = execFileSync(process.execPath, ['--jitless', '--no-warnings', '-e', script], { encoding: 'utf8' });
  assert.equal(out, VERSION);
  const bytes = readFileSync(WASM2JS);
  t.diagnostic(`wasm2js bundle: ${bytes.length} bytes minified, ${gzipSync(bytes).length} gzipped`);
});
