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

// A sample with something for every detector and entry kind, after emoji and accents.
const SAMPLE = [
  '😀 Bonjour Élodie, le PROJET  Orión avance.',
  'Carte : 4970 1012 3456 7893 ; IBAN FR76 3000 6000 0112 3456 7890 189.',
  'SSN 536-22-1234, NAS 130 692 544. Strictement confidentiel.',
].join('\r\n');

const DICTIONARY = (Scanner) => {
  const d = Scanner.defaultDictionary();
  d.entries.push({ id: 'orion', pattern: 'projet orion', kind: 'phrase', category: 'confidential', severity: 'block' });
  return d;
};

test('the node package scans with UTF-16 offsets and throws Errors with problems', () => {
  const { Scanner } = require(join(WASM_PKG, 'node', 'addin_wasm.js'));
  const report = new Scanner(DICTIONARY(Scanner)).scan(SAMPLE);
  assert.equal(report.verdict, 'block');
  for (const f of report.findings) assert.equal(SAMPLE.substring(f.start, f.end), f.text);
  assert.deepEqual(
    report.findings.map((f) => f.entryId ?? f.detector),
    ['orion', 'payment_card', 'iban', 'us_ssn', 'ca_sin', 'strictement-confidentiel'],
  );
  assert.throws(
    () => new Scanner({ version: 1, entries: [{ id: 'x', pattern: '', kind: 'word', category: 'nope' }] }),
    (e) => e instanceof Error && e.problems.length === 2 && /entries\[0\] \(id "x"\)/.test(e.message),
  );
});

test('the wasm2js build gives the same report as the WebAssembly build', () => {
  const { Scanner } = require(join(WASM_PKG, 'node', 'addin_wasm.js'));
  const expected = new Scanner(DICTIONARY(Scanner)).scan(SAMPLE);
  const script = `
    require('vm').runInThisContext(require('fs').readFileSync(${JSON.stringify(WASM2JS)}, 'utf8'));
    const { Scanner } = addinWasm;
    const dictionary = (${DICTIONARY.toString()})(Scanner);
    process.stdout.write(JSON.stringify(new Scanner(dictionary).scan(${JSON.stringify(SAMPLE)})));
  `;
  const out = execFileSync(process.execPath, ['--jitless', '--no-warnings', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), expected);
});
