// The envelope benchmark: AES-256-GCM of the WebAssembly build against the native build (its
// hardware and software AES paths) and against WebCrypto's AES-GCM in the same Chromium page,
// plus the time to encrypt and decrypt twenty paragraphs of Word OOXML, all in one run.
//
// Run it with scripts/bench.sh, which builds the native example twice and a WebAssembly package
// with the `bench` feature (raw AES-256-GCM export) into target/bench/. Figures go to stdout and
// to target/bench/envelope.json.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPage } from './page.mjs';
import { ROOT } from '../tests/support/paths.mjs';

const BENCH = join(ROOT, 'target', 'bench');
const native = (build) =>
  JSON.parse(execFileSync(join(ROOT, 'target', build, 'wasm-release', 'examples', 'bench_envelope'), [BENCH], { encoding: 'utf8' }));
const hardware = native('.');
const software = native('bench-soft');

// The page measures in Chromium (page.mjs): the module's AES-256-GCM, WebCrypto's, and
// encryptRange.
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import init, { aes256GcmSeal, encryptRange, decryptRange } from '/pkg/addin_wasm.js';
// Median seconds per call; each sample times reps calls, because the page clock ticks in
// steps of 0.1 ms.
async function median(f, reps = 1) {
  await f(); await f();
  const times = [];
  const start = performance.now();
  while (times.length < 5 || (times.length < 300 && performance.now() - start < 1500)) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) await f();
    times.push((performance.now() - t) / reps);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] / 1000;
}
window.results = (async () => {
  await init();
  const data = new Uint8Array(1 << 20);
  const key = new Uint8Array(32).fill(7);
  const iv = new Uint8Array(12);
  const wasm = await median(() => aes256GcmSeal(key, iv, data));
  const webKey = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  const webcrypto = await median(() => crypto.subtle.encrypt({ name: 'AES-GCM', iv }, webKey, data));
  const content = await (await fetch('/ooxml-20.xml')).text();
  const range = { key, keyId: 'k1', docId: 'doc', rangeId: 'r1', content, format: 'ooxml' };
  const jwe = encryptRange(range);
  const encrypt = await median(() => encryptRange(range), 100);
  const decrypt = await median(() => decryptRange(jwe, key), 100);
  return { wasmMBps: data.length / wasm / 1e6, webcryptoMBps: data.length / webcrypto / 1e6,
           encrypt20Ms: encrypt * 1e3, decrypt20Ms: decrypt * 1e3 };
})();
</script>`;

const { results: chromium, userAgent } = await runPage(PAGE, (path) =>
  path.startsWith('/pkg/') ? join(BENCH, 'wasm-web', path.slice(5)) : join(BENCH, path.slice(1)),
);

const f = (x) => x.toFixed(1);
console.log(`envelope benchmark: ${userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}`);
console.log('AES-256-GCM, 1 MiB, MB/s');
console.log(`  native, hardware AES      ${f(hardware.aesMBps).padStart(8)}`);
console.log(`  native, software AES      ${f(software.aesMBps).padStart(8)}`);
console.log(`  wasm in Chromium          ${f(chromium.wasmMBps).padStart(8)}   ${(chromium.wasmMBps / software.aesMBps).toFixed(2)}x native software, ${(chromium.wasmMBps / hardware.aesMBps).toFixed(3)}x native hardware`);
console.log(`  WebCrypto in Chromium     ${f(chromium.webcryptoMBps).padStart(8)}   wasm is ${(chromium.wasmMBps / chromium.webcryptoMBps).toFixed(3)}x WebCrypto`);
console.log(`20 paragraphs of OOXML (${hardware.contentBytes} bytes, envelope ${hardware.envelopeBytes} bytes), ms`);
console.log(`  encrypt: native ${hardware.encrypt20Ms.toFixed(3)}, wasm in Chromium ${chromium.encrypt20Ms.toFixed(3)}`);
console.log(`  decrypt: native ${hardware.decrypt20Ms.toFixed(3)}, wasm in Chromium ${chromium.decrypt20Ms.toFixed(3)}`);
writeFileSync(join(BENCH, 'envelope.json'), JSON.stringify({ hardware, software, chromium: { ...chromium, userAgent } }, null, 2));
