// The scanner benchmark: native Rust, the WebAssembly build in node, and a JavaScript baseline
// (one RegExp alternation of the same terms, what a typical add-in does), on the same generated
// inputs and in one run, so the ratios it prints are comparable on a shared, noisy machine.
//
// Run it with scripts/bench.sh, which builds what it needs. Figures go to stdout and to
// target/bench/results.json.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, WASM_PKG } from '../tests/support/paths.mjs';

const require = createRequire(import.meta.url);
const BENCH = join(ROOT, 'target', 'bench');
// Dictionaries of 1,000 to 100,000 mixed terms, and 10,000 phrases of everyday words (each word
// of a mail starts some phrase: the hard case; the RegExp figure is for phrases).
const DICTIONARIES = ['1000', '10000', '100000', 'phrases'];

/** Loads the node package and returns it with the module's memory (for memory figures). */
function loadWasm() {
  const Instance = WebAssembly.Instance;
  let instance;
  // The node package instantiates synchronously when required: keep the instance it makes.
  WebAssembly.Instance = function (module, imports) {
    instance = new Instance(module, imports);
    return instance;
  };
  try {
    const addin = require(join(WASM_PKG, 'node', 'addin_wasm.js'));
    return { addin, memory: () => instance.exports.memory.buffer.byteLength };
  } finally {
    WebAssembly.Instance = Instance;
  }
}

/** Median seconds per call: two warm-up calls, then 5 to 200 calls or about 2 seconds. */
function medianSeconds(f) {
  f();
  f();
  const times = [];
  const start = performance.now();
  while (times.length < 5 || (times.length < 200 && performance.now() - start < 2000)) {
    const t = performance.now();
    f();
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const mb = (bytes) => (bytes / 1e6).toFixed(1);

// Memory of one dictionary size, measured in a child process so each starts from a fresh module.
if (process.argv[2] === '--memory') {
  const n = process.argv[3];
  const { addin, memory } = loadWasm();
  const text = readFileSync(join(BENCH, 'mail.txt'), 'utf8');
  const json = readFileSync(join(BENCH, `dictionary-${n}.json`), 'utf8');
  const base = memory();
  const scanner = new addin.Scanner(json);
  const compiled = memory();
  scanner.scan(text);
  const scanned = memory();
  process.stdout.write(JSON.stringify({ compiledBytes: compiled - base, scanBytes: scanned - compiled }));
  process.exit(0);
}

const native = JSON.parse(
  execFileSync(join(ROOT, 'target', 'wasm-release', 'examples', 'bench_corpus'), [BENCH], { encoding: 'utf8' }),
);
const { addin } = loadWasm();
const text = readFileSync(join(BENCH, 'mail.txt'), 'utf8');
const textBytes = Buffer.byteLength(text);
assert.equal(textBytes, native.textBytes);

const rows = [];
for (const n of DICTIONARIES) {
  const json = readFileSync(join(BENCH, `dictionary-${n}.json`), 'utf8');
  const dictionary = JSON.parse(json);
  const compile = medianSeconds(() => new addin.Scanner(json).free());
  const scanner = new addin.Scanner(json);
  const findings = scanner.scan(text).findings.length;
  assert.equal(findings, native[n].findings, `wasm and native disagree on ${n} terms`);
  const scan = medianSeconds(() => scanner.scan(text));
  scanner.free();

  // The baseline: every literal term in one case-insensitive alternation between \b.
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const terms = dictionary.entries.filter((e) => e.kind !== 'regex').map((e) => escape(e.pattern));
  let regexp;
  const baselineCompile = medianSeconds(() => {
    regexp = new RegExp(`\\b(?:${terms.join('|')})\\b`, 'gi');
    regexp.test('warm up the compiled code');
  });
  let baselineMatches = 0;
  const baseline = medianSeconds(() => {
    baselineMatches = 0;
    regexp.lastIndex = 0;
    while (regexp.exec(text) !== null) baselineMatches++;
  });
  const memory = JSON.parse(
    execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--memory', String(n)], { encoding: 'utf8' }),
  );
  rows.push({
    dictionary: n === 'phrases' ? '10000 phrases' : `${n} terms`,
    findings,
    nativeMBps: native[n].scanMBps,
    wasmMBps: Number(mb(textBytes / scan)),
    baselineMBps: Number(mb(textBytes / baseline)),
    baselineMatches,
    nativeCompileMs: native[n].compileMs,
    wasmCompileMs: Number((compile * 1e3).toFixed(2)),
    baselineCompileMs: Number((baselineCompile * 1e3).toFixed(2)),
    wasmDictionaryMB: Number(mb(memory.compiledBytes)),
    wasmScanMB: Number(mb(memory.scanBytes)),
  });
}

const size = (path) => {
  try {
    const bytes = readFileSync(path);
    return { bytes: statSync(path).size, gzip: gzipSync(bytes, { level: 9 }).length };
  } catch {
    return null;
  }
};
const binaries = {
  wasm: size(join(WASM_PKG, 'web', 'addin_wasm_bg.wasm')),
  wasm2jsMin: size(join(WASM_PKG, 'wasm2js', 'addin_wasm.min.js')),
};

console.log(`scanner benchmark: ${mb(textBytes)} MB of mail, node ${process.version}`);
console.log('dictionary       native MB/s  wasm MB/s  JS RegExp MB/s  wasm/native  wasm/JS  compile ms (native/wasm/JS)  wasm MB (dictionary/scan)');
for (const r of rows) {
  console.log(
    [
      r.dictionary.padEnd(15),
      String(r.nativeMBps).padStart(11),
      String(r.wasmMBps).padStart(10),
      String(r.baselineMBps).padStart(15),
      (r.wasmMBps / r.nativeMBps).toFixed(2).padStart(12),
      (r.wasmMBps / r.baselineMBps).toFixed(1).padStart(8),
      `${r.nativeCompileMs.toFixed(1)} / ${r.wasmCompileMs.toFixed(1)} / ${r.baselineCompileMs.toFixed(1)}`.padStart(29),
      `${r.wasmDictionaryMB} / ${r.wasmScanMB}`.padStart(27),
    ].join(''),
  );
}
for (const [name, s] of Object.entries(binaries)) {
  if (s) console.log(`${name}: ${(s.bytes / 1024).toFixed(0)} KiB, ${(s.gzip / 1024).toFixed(0)} KiB gzipped`);
}
writeFileSync(join(BENCH, 'results.json'), JSON.stringify({ textBytes, rows, binaries }, null, 2));
