// The Word story end to end, in Debian's Chromium: the real server (with the test OpenID provider
// for tokens), the real task pane and WebAssembly core, and the TEST DOUBLE of Office.js and Word
// (office-double.js, served in place of Microsoft's office.js; it keeps the document in memory).
// Alice encrypts two paragraphs for Bob; Bob decrypts them with their formatting; Carol is
// denied; Alice revokes; Bob is denied. Screenshots of each step go to target/screenshots/word/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { TARGET } from '../support/paths.mjs';
import { CLIENT_ID, mintToken, startProvider } from '../support/provider.mjs';
import { startServer } from '../support/server.mjs';

const OFFICE_JS = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
const DOUBLE = readFileSync(new URL('./office-double.js', import.meta.url), 'utf8');
const SHOTS = join(TARGET, 'screenshots', 'word');
const BOB = 'bob@fabrikam.example';

const children = [];
let server;
let browser;
const tokens = {};

/** A document as Word would hold it: three paragraphs with formatting, the first two selected. */
const original = () => ({
  blocks: [
    { type: 'p', style: 'Heading1', runs: [{ text: 'Quarterly figures ', bold: true }, { text: '(draft)', italic: true }] },
    { type: 'p', align: 'center', runs: [{ text: 'Revenue rose by ' }, { text: '12 %', color: 'C00000', underline: true }, { text: ' in Q3 – «confidentiel» ✓' }] },
    { type: 'p', runs: [{ text: 'This paragraph stays in clear.' }] },
  ],
  properties: {},
  selection: { start: 0, end: 1 },
});

before(async () => {
  const provider = await startProvider(children);
  server = await startServer({
    insecureHttp: true,
    env: {
      ADDIN_AUTHORITY: provider.authority,
      ADDIN_CLIENT_ID: CLIENT_ID,
      ADDIN_ALLOWED_TENANTS: `${provider.tenants.a},${provider.tenants.b}`,
    },
  });
  for (const [name, tenant] of [['alice', 'a'], ['bob', 'b'], ['carol', 'a'], ['admin', 'a']]) {
    tokens[name] = await mintToken(provider.authority, provider.tenants[tenant], `${name}@${tenant}`);
  }
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  for (const child of children) child.kill();
});

/**
 * Opens the task pane as a user of Word: office.js is answered with the test double, configured
 * with `config` (token, document...). Resolves once the pane is signed in (or, with
 * `signedIn: false`, once it has tried). `problems` collects page errors and failed requests to
 * unexpected places.
 */
async function openPane(config, { signedIn = true } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.route(OFFICE_JS, (route) => route.fulfill({ contentType: 'text/javascript', body: DOUBLE }));
  await page.addInitScript((c) => {
    window.__officeDouble = c;
  }, config);
  await page.setViewportSize({ width: 360, height: 760 });
  await page.goto(`${server.url}/taskpane.html`);
  await page.waitForSelector(`body[data-signed-in="${signedIn}"]`, { timeout: 30_000 });
  return { page, problems };
}

const documentOf = (page) => page.evaluate(() => window.__officeDouble.document);
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const status = (page) => page.textContent('#status');

async function waitStatus(page, pattern) {
  await page.waitForFunction((source) => new RegExp(source).test(document.getElementById('status').textContent), pattern.source, { timeout: 30_000 });
  return status(page);
}

async function decryptAs(name, document) {
  const pane = await openPane({ token: tokens[name], document });
  await pane.page.click('#tab-open');
  await pane.page.click('#decrypt');
  await waitStatus(pane.page, /Decrypted|holds no/);
  return pane;
}

/** What the people of the story hand each other: the document as saved after each step. */
let encrypted;
let keyId;

test('alice encrypts two paragraphs for bob: two locked content controls with envelopes', async () => {
  const { page, problems } = await openPane({ token: tokens.alice, document: original() });
  assert.match(await page.textContent('#who'), /alice@contoso\.example/);
  await page.fill('#recipient-input', BOB);
  await page.press('#recipient-input', 'Enter');
  assert.deepEqual(await page.$$eval('#recipients .chip span', (s) => s.map((e) => e.textContent)), [BOB]);
  await shot(page, '1-alice-before');
  await page.click('#encrypt-selection');
  assert.match(await waitStatus(page, /Encrypted|could|not/), /Encrypted 2 paragraph/);
  await shot(page, '2-alice-encrypted');

  const doc = await documentOf(page);
  const controls = doc.blocks.filter((b) => b.type === 'cc');
  assert.equal(controls.length, 2, 'one content control per paragraph');
  assert.equal(doc.blocks[2].type, 'p', 'the unselected paragraph is left alone');
  assert.equal(doc.blocks[2].runs[0].text, 'This paragraph stays in clear.');
  const docId = doc.properties.TextguardDocumentId;
  assert.match(docId, /^[0-9a-f-]{36}$/, 'the document got an id');
  const rangeIds = new Set();
  for (const cc of controls) {
    assert.match(cc.tag, /^textguard:1:[0-9a-f-]{36}$/);
    assert.equal(cc.title, 'Encrypted by alice@contoso.example');
    assert.equal(cc.cannotEdit, true);
    assert.equal(cc.cannotDelete, true);
    const jwe = cc.blocks.map((p) => p.runs.map((r) => r.text).join('')).join('');
    assert.equal(jwe.split('.').length, 5, 'the control holds a JWE compact envelope');
    assert.doesNotMatch(jwe, /Quarterly|Revenue/);
    const header = JSON.parse(Buffer.from(jwe.split('.')[0], 'base64url'));
    assert.equal(header.alg, 'dir');
    assert.equal(header.enc, 'A256GCM');
    assert.equal(header.tg_doc, docId);
    assert.equal(`textguard:1:${header.tg_range}`, cc.tag, 'the tag names the range the envelope is bound to');
    rangeIds.add(header.tg_range);
    keyId = header.kid;
  }
  assert.equal(rangeIds.size, 2);
  encrypted = doc;
  assert.deepEqual(problems, []);
  await page.close();
});

test('bob decrypts both paragraphs and gets the original text and formatting', async () => {
  const { page, problems } = await decryptAs('bob', structuredClone(encrypted));
  assert.match(await status(page), /Decrypted 2 of 2/);
  await shot(page, '3-bob-decrypted');
  const doc = await documentOf(page);
  assert.deepEqual(doc.blocks, original().blocks);
  assert.deepEqual(problems, []);
  await page.close();
});

test('carol, in alice\'s organisation but not a recipient, is denied', async () => {
  const { page, problems } = await decryptAs('carol', structuredClone(encrypted));
  assert.match(await status(page), /Decrypted 0 of 2/);
  const listed = await page.$$eval('#problems li', (l) => l.map((e) => e.textContent));
  assert.deepEqual(listed, [1, 2].map((i) => `Part ${i}: you do not have access (ask its owner to add you)`));
  await shot(page, '4-carol-denied');
  const doc = await documentOf(page);
  assert.deepEqual(doc, encrypted, 'nothing changed in the document');
  assert.deepEqual(problems, []);
  await page.close();
});

test('alice sees who can read it in Manage, and revokes', async () => {
  const { page, problems } = await openPane({ token: tokens.alice, document: structuredClone(encrypted) });
  await page.click('#tab-manage');
  await page.waitForSelector(`.key[data-key-id="${keyId}"]`);
  const card = page.locator(`.key[data-key-id="${keyId}"]`);
  assert.match(await card.textContent(), /2 part\(s\)/);
  assert.ok((await card.locator('.chip span').allTextContents()).includes(BOB));
  await shot(page, '5-alice-manage');
  const revoke = card.locator('button.danger');
  await revoke.click();
  assert.match(await revoke.textContent(), /Revoke access for everyone/);
  await revoke.click();
  await waitStatus(page, /Access revoked/);
  await page.waitForSelector(`.key[data-key-id="${keyId}"] .revoked`);
  await shot(page, '6-alice-revoked');
  assert.deepEqual(problems, []);
  await page.close();
});

test('after the revocation bob is denied, and the audit log shows every decision', async () => {
  const { page, problems } = await decryptAs('bob', structuredClone(encrypted));
  assert.match(await status(page), /Decrypted 0 of 2/);
  const listed = await page.$$eval('#problems li', (l) => l.map((e) => e.textContent));
  assert.deepEqual(listed, [1, 2].map((i) => `Part ${i}: its owner revoked access`));
  await shot(page, '7-bob-denied');
  assert.deepEqual(problems, []);
  await page.close();

  const response = await fetch(`${server.url}/v1/admin/audit?keyId=${encodeURIComponent(keyId)}`, {
    headers: { authorization: `Bearer ${tokens.admin}` },
  });
  assert.equal(response.status, 200);
  const { items } = await response.json();
  const seen = items.map((r) => `${r.action} ${r.actor.username}${r.reason ? ` (${r.reason})` : ''}`).sort();
  assert.deepEqual(seen, [
    'create alice@contoso.example',
    'deny bob@fabrikam.example (revoked)',
    'deny carol@contoso.example (not a recipient)',
    'release bob@fabrikam.example',
    'revoke alice@contoso.example',
  ]);
});
