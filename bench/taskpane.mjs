// The task pane benchmark: encrypting and decrypting 20 paragraphs in Chromium, as a Word user
// does, against the release server (SQLite) with a token of the test OpenID provider and the
// TEST DOUBLE of Office.js and Word (tests/browser/office-double.js) holding the document.
//
// Each run is timed inside the page, from the button press to the status line's answer:
//   encrypt  create one key (POST /v1/keys), encryptRange per paragraph, write 20 content controls
//   decrypt  read the controls, inspectEnvelope, one batch unwrap (POST /v1/keys/unwrap),
//            decryptRange per part, write the paragraphs back
// and, for the share of the WebAssembly core, encryptRange and decryptRange alone on the same
// 20 paragraphs in the same page. Medians of RUNS runs after one warm-up. Figures go to stdout
// and target/bench/taskpane.json. Run it with scripts/bench.sh taskpane.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../tests/support/chromium.mjs';
import { openPane, paragraphs } from '../tests/support/pane.mjs';
import { TARGET } from '../tests/support/paths.mjs';
import { startWorld } from '../tests/support/world.mjs';

const PARAGRAPHS = 20;
const RUNS = 15;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let world;
let browser;
try {
  world = await startWorld({ binary: join(TARGET, 'release', 'addin-server'), tenants: ['a'] });
  const { server } = world;
  const token = world.tokens.alice;
  browser = await launchChromium();
  const blocks = paragraphs(PARAGRAPHS);
  // The contract check routes every API call through the test runner: not what is measured.
  const { page, problems } = await openPane(browser, server.url, {
    token,
    document: { blocks, properties: {}, selection: { start: 0, end: PARAGRAPHS - 1 } },
  }, { contract: false });

  // One action timed in the page: press `button`, wait for the status line to match `done`.
  const timed = (button, done, setup) =>
    page.evaluate(async ({ button, done, setup }) => {
      const doc = window.__officeDouble.document;
      Object.assign(doc, JSON.parse(setup));
      const status = document.getElementById('status');
      const answered = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (new RegExp(done).test(status.textContent)) {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(status, { childList: true, characterData: true, subtree: true });
      });
      const start = performance.now();
      document.getElementById(button).click();
      return (await answered) - start;
    }, { button, done: done.source, setup: JSON.stringify(setup) });

  const plain = { blocks, properties: {}, selection: { start: 0, end: PARAGRAPHS - 1 } };
  const encrypt = [];
  let encrypted;
  for (let i = 0; i <= RUNS; i++) {
    const ms = await timed('encrypt-selection', /^Encrypted 20 /, plain);
    if (i > 0) encrypt.push(ms);
    encrypted = await page.evaluate(() => JSON.stringify(window.__officeDouble.document));
  }
  await page.click('#tab-open');
  const decrypt = [];
  for (let i = 0; i <= RUNS; i++) {
    const ms = await timed('decrypt', /^Decrypted 20 of 20/, JSON.parse(encrypted));
    if (i > 0) decrypt.push(ms);
  }

  // The WebAssembly core alone, on the same paragraphs' OOXML (as the double gives it), in the
  // same page.
  const core = await page.evaluate(async ({ runs, plain }) => {
    const w = window.wasmBindings;
    const key = crypto.getRandomValues(new Uint8Array(32));
    Object.assign(window.__officeDouble.document, JSON.parse(plain));
    const contents = await Word.run(async (context) => {
      const paragraphs = context.document.getSelection().paragraphs;
      paragraphs.load('items/text');
      await context.sync();
      const xml = paragraphs.items.map((p) => p.getOoxml());
      await context.sync();
      return xml.map((x) => x.value);
    });
    const seal = [];
    const open = [];
    let jwes = [];
    for (let r = 0; r <= runs; r++) {
      let t = performance.now();
      jwes = contents.map((content, i) => w.encryptRange({ key, keyId: 'k', docId: 'd', rangeId: `r${i}`, content, format: 'ooxml' }));
      if (r > 0) seal.push(performance.now() - t);
      t = performance.now();
      for (const jwe of jwes) w.decryptRange(jwe, key);
      if (r > 0) open.push(performance.now() - t);
    }
    return { seal, open, bytes: contents[0].length };
  }, { runs: RUNS, plain: JSON.stringify(plain) });

  const results = {
    paragraphs: PARAGRAPHS,
    runs: RUNS,
    ooxmlBytesPerParagraph: core.bytes,
    encryptMs: median(encrypt),
    decryptMs: median(decrypt),
    coreEncryptMs: median(core.seal),
    coreDecryptMs: median(core.open),
  };
  if (problems.length > 0) throw new Error(`the page reported problems: ${problems.join('; ')}`);
  console.log(`task pane benchmark: ${PARAGRAPHS} paragraphs of ${results.ooxmlBytesPerParagraph} bytes of OOXML each, in Chromium (test double of Word), medians of ${RUNS} runs`);
  console.log(`  encrypt (key, envelopes, content controls)   ${results.encryptMs.toFixed(1)} ms`);
  console.log(`  decrypt (batch unwrap, envelopes, paragraphs) ${results.decryptMs.toFixed(1)} ms`);
  console.log(`  of which the wasm core: encrypt ${results.coreEncryptMs.toFixed(2)} ms, decrypt ${results.coreDecryptMs.toFixed(2)} ms`
    + ` (${((100 * results.coreEncryptMs) / results.encryptMs).toFixed(1)} % and ${((100 * results.coreDecryptMs) / results.decryptMs).toFixed(1)} %)`);
  mkdirSync(join(TARGET, 'bench'), { recursive: true });
  writeFileSync(join(TARGET, 'bench', 'taskpane.json'), JSON.stringify(results, null, 2));
} finally {
  await browser?.close();
  await world?.stop();
}
