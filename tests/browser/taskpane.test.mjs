// Browser tests: Debian's Chromium, driven by playwright-core, against the real addin-server
// serving the trunk-built task pane over HTTPS. No Office host runs here: office.js is answered
// with the TEST DOUBLE of Office.js (office-double.js), here as a browser outside Office sees it
// (no host). The Word story itself is in word.test.mjs.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { TARGET, VERSION, WASM_PKG } from '../support/paths.mjs';
import { useOfficeDouble } from '../support/pane.mjs';
import { startServer } from '../support/server.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the task pane loads over HTTPS and initialises the wasm core', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });

  await useOfficeDouble(page, { host: null });
  const response = await page.goto(`${server.url}/taskpane.html`);
  assert.equal(response.status(), 200);
  assert.ok(await response.securityDetails(), 'the page was not served over TLS');
  await page.waitForSelector('body[data-core="ready"]', { timeout: 30_000 });

  const shown = await page.textContent('#core-version');
  const health = await (await page.request.get(`${server.url}/healthz`)).json();
  assert.equal(shown, VERSION, 'the page shows the wasm core version');
  assert.equal(health.version, VERSION, 'the server reports the same version');
  await page.waitForSelector('body[data-office="absent"]');
  assert.match(await page.textContent('#status'), /Open this pane from Word/, 'outside Word it says where it works');

  const shots = join(TARGET, 'screenshots');
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, 'taskpane.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a wasm core that cannot load is reported on the page', async () => {
  const page = await browser.newPage();
  // Break the module on purpose: the page must say so rather than stay on "Loading".
  await useOfficeDouble(page, { host: null });
  await page.route(/_bg\.wasm$/, (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: 'not wasm' }));
  await page.goto(`${server.url}/taskpane.html`);
  await page.waitForSelector('body[data-core="failed"]', { timeout: 30_000 });
  assert.match(await page.textContent('#status'), /could not load/);
  await page.close();
});

test('the manifests and static assets are served from the public URL', async () => {
  const page = await browser.newPage();
  for (const path of ['/manifest/word.xml', '/manifest/outlook.xml']) {
    const res = await page.request.get(`${server.url}${path}`);
    assert.equal(res.status(), 200, path);
    assert.match(res.headers()['content-type'], /^application\/xml/);
    const xml = await res.text();
    assert.ok(xml.includes(`${server.url}/taskpane.html`), `${path} points at the task pane`);
    for (const [, url] of xml.matchAll(/DefaultValue="(https:[^"]+\.(?:png|html))"/g)) {
      const asset = await page.request.get(url);
      assert.equal(asset.status(), 200, `${path} refers to ${url}`);
    }
  }
  const missing = await page.request.get(`${server.url}/v1/nothing-here`);
  assert.equal(missing.status(), 404);
  assert.equal((await missing.json()).error.code, 'not_found');
  await page.close();
});

test('the web package of build-wasm.sh initialises in Chromium', async () => {
  const page = await browser.newPage();
  // Serve target/wasm-pkg/web from a made-up origin, so the module loads as it would from a server.
  await page.route('https://pkg.test/**', (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    const type = name.endsWith('.wasm') ? 'application/wasm' : name.endsWith('.js') ? 'text/javascript' : 'text/html';
    const body = name === 'index.html' ? '<!doctype html><title>pkg</title>' : readFileSync(join(WASM_PKG, 'web', name));
    return route.fulfill({ status: 200, contentType: type, body });
  });
  await page.goto('https://pkg.test/index.html');
  const version = await page.evaluate(async () => {
    const m = await import('https://pkg.test/addin_wasm.js');
    await m.default();
    return m.version();
  });
  assert.equal(version, VERSION);
  await page.close();
});

test('the server stops cleanly on Ctrl-C (SIGINT)', async () => {
  const other = await startServer();
  assert.equal(await other.stop(), 0, other.output());
});
