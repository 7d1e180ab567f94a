// The scanner benchmark: native Rust, the WebAssembly build in node and in Chromium (the engine
// of Office's web views and of Outlook on the web), and a JavaScript baseline (one RegExp
// alternation of the same terms, what a typical add-in does) in each, on the same generated
// inputs and in one run, so the ratios it prints are comparable on a shared, noisy machine.
// Each also times the copy of the mail into the module's memory, which no WebAssembly scan of
// a JavaScript string avoids: native time / (native time + copy) bounds wasm/native from above.
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
import { runPage } from './page.mjs';
import { measureScanner } from './scan-measure.mjs';

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

const dictionaries = DICTIONARIES.map((name) => ({ name, json: readFileSync(join(BENCH, `dictionary-${name}.json`), 'utf8') }));
const inNode = measureScanner(addin.Scanner, text, dictionaries);

// The same measurements in a Chromium page, with the web package.
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import init, { Scanner } from '/pkg/addin_wasm.js';
import { measureScanner } from '/scan-measure.mjs';
window.results = (async () => {
  await init();
  const get = async (path) => (await fetch(path)).text();
  const text = await get('/mail.txt');
  const names = ${JSON.stringify(DICTIONARIES)};
  const dictionaries = await Promise.all(names.map(async (name) => ({ name, json: await get('/dictionary-' + name + '.json') })));
  return measureScanner(Scanner, text, dictionaries);
})();
</script>`;
const { results: inChromium, userAgent } = await runPage(PAGE, (path) => {
  if (path.startsWith('/pkg/')) return join(WASM_PKG, 'web', path.slice(5));
  if (path === '/scan-measure.mjs') return join(ROOT, 'bench', 'scan-measure.mjs');
  return join(BENCH, path.slice(1));
});
const chromium = userAgent.match(/Chrome\/(\d+)/)?.[1] ?? '?';

const rowsOf = (measured) =>
  measured.rows.map((m) => {
    const n = m.name;
    assert.equal(m.findings, native[n].findings, `wasm and native disagree on ${n}`);
    return {
      dictionary: n === 'phrases' ? '10000 phrases' : `${n} terms`,
      findings: m.findings,
      nativeMBps: native[n].scanMBps,
      wasmMBps: Number(mb(textBytes / m.scan)),
      baselineMBps: Number(mb(textBytes / m.baseline)),
      baselineMatches: m.baselineMatches,
      // At best, a scan as fast as native's plus the copy.
      ceiling: Number((1 / (1 + measured.copy * native[n].scanMBps * 1e6 / textBytes)).toFixed(2)),
      nativeCompileMs: native[n].compileMs,
      wasmCompileMs: Number((m.compile * 1e3).toFixed(2)),
      baselineCompileMs: Number((m.baselineCompile * 1e3).toFixed(2)),
    };
  });
const rows = rowsOf(inNode);
for (const [i, n] of DICTIONARIES.entries()) {
  const memory = JSON.parse(
    execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--memory', String(n)], { encoding: 'utf8' }),
  );
  rows[i].wasmDictionaryMB = Number(mb(memory.compiledBytes));
  rows[i].wasmScanMB = Number(mb(memory.scanBytes));
}
const chromiumRows = rowsOf(inChromium);

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

console.log(`scanner benchmark: ${mb(textBytes)} MB of mail; node ${process.version} and Chromium ${chromium}`);
const table = (title, rows, copy, memory) => {
  console.log(`${title}: copying the mail in (encodeInto) takes ${(copy * 1e3).toFixed(2)} ms`);
  console.log(
    'dictionary       native MB/s  wasm MB/s  JS RegExp MB/s  wasm/native (at best)  wasm/JS  compile ms (native/wasm/JS)' +
      (memory ? '  wasm MB (dictionary/scan)' : ''),
  );
  for (const r of rows) {
    console.log(
      [
        r.dictionary.padEnd(15),
        String(r.nativeMBps).padStart(11),
        String(r.wasmMBps).padStart(10),
        String(r.baselineMBps).padStart(15),
        `${(r.wasmMBps / r.nativeMBps).toFixed(2)} (${r.ceiling.toFixed(2)})`.padStart(22),
        (r.wasmMBps / r.baselineMBps).toFixed(1).padStart(8),
        `${r.nativeCompileMs.toFixed(1)} / ${r.wasmCompileMs.toFixed(1)} / ${r.baselineCompileMs.toFixed(1)}`.padStart(29),
        memory ? `${r.wasmDictionaryMB} / ${r.wasmScanMB}`.padStart(27) : '',
      ].join(''),
    );
  }
};
table(`node ${process.version}`, rows, inNode.copy, true);
table(`Chromium ${chromium}`, chromiumRows, inChromium.copy, false);
for (const [name, s] of Object.entries(binaries)) {
  if (s) console.log(`${name}: ${(s.bytes / 1024).toFixed(0)} KiB, ${(s.gzip / 1024).toFixed(0)} KiB gzipped`);
}
writeFileSync(
  join(BENCH, 'results.json'),
  JSON.stringify({ textBytes, node: { version: process.version, copySeconds: inNode.copy, rows }, chromium: { userAgent, copySeconds: inChromium.copy, rows: chromiumRows }, binaries }, null, 2),
);
