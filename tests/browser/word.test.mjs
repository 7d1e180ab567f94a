// The Word story end to end, in Debian's Chromium: the real server (with the test OpenID provider
// for tokens), the real task pane and WebAssembly core, and the TEST DOUBLE of Office.js and Word
// (office-double.js, served in place of Microsoft's office.js; it keeps the document in memory).
// Alice encrypts two paragraphs for Bob; Bob decrypts them with their formatting; Carol is
// denied; Alice revokes; Bob is denied. Screenshots of each step go to target/screenshots/word/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { TARGET } from '../support/paths.mjs';
import { CLIENT_ID } from '../support/provider.mjs';
import { documentOf, openPane as openPaneIn, useOfficeDouble, waitStatus } from '../support/pane.mjs';
import { startWorld } from '../support/world.mjs';

const SHOTS = join(TARGET, 'screenshots', 'word');
const BOB = 'bob@fabrikam.example';

let world;
let server;
let browser;
let authority;
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
  world = await startWorld();
  server = world.server;
  authority = world.provider.authority;
  Object.assign(tokens, world.tokens);
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await world?.stop();
});

const openPane = (config, options) => openPaneIn(browser, server.url, config, options);
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const status = (page) => page.textContent('#status');

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

test('alice adds carol and sets an end date in Manage; carol can then read it; alice removes her', async () => {
  const { page, problems } = await openPane({ token: tokens.alice, document: structuredClone(encrypted) });
  await page.click('#tab-manage');
  const card = page.locator(`.key[data-key-id="${keyId}"]`);
  await card.waitFor();
  assert.deepEqual(await card.locator('.chip span').allTextContents(), [BOB]);
  await card.locator('input[type="email"]').fill('Carol@Contoso.example');
  await card.locator('input[type="email"]').press('Enter');
  await waitStatus(page, /Saved/);
  await card.locator('.chip span', { hasText: 'carol@contoso.example' }).waitFor();
  const nextYear = `${new Date().getFullYear() + 1}-06-30`;
  await card.locator('input[type="date"]').fill(nextYear);
  await card.getByRole('button', { name: 'Set end date' }).click();
  await waitStatus(page, /Saved/);
  await card.locator('p', { hasText: /Access ends 30 June/ }).waitFor();
  await shot(page, '5-alice-added-carol');
  assert.deepEqual(problems, []);
  await page.close();

  const carol = await decryptAs('carol', structuredClone(encrypted));
  assert.match(await status(carol.page), /Decrypted 2 of 2/);
  assert.deepEqual((await documentOf(carol.page)).blocks, original().blocks);
  await carol.page.close();

  // And removes her again: the chip's remove button, named for the recipient.
  const again = await openPane({ token: tokens.alice, document: structuredClone(encrypted) });
  await again.page.click('#tab-manage');
  const chips = again.page.locator(`.key[data-key-id="${keyId}"] .chip`);
  await chips.first().waitFor();
  await again.page.getByRole('button', { name: 'Remove carol@contoso.example' }).click();
  await waitStatus(again.page, /Saved/);
  await again.page.waitForFunction(() => ![...document.querySelectorAll('.chip span')].some((s) => s.textContent === 'carol@contoso.example'));
  assert.deepEqual(await chips.locator('span').allTextContents(), [BOB]);
  await again.page.close();
});

test('alice sees who can read it in Manage, and revokes', async () => {
  const { page, problems } = await openPane({ token: tokens.alice, document: structuredClone(encrypted) });
  await page.click('#tab-manage');
  await page.waitForSelector(`.key[data-key-id="${keyId}"]`);
  const card = page.locator(`.key[data-key-id="${keyId}"]`);
  assert.match(await card.textContent(), /2 parts/);
  assert.ok((await card.locator('.chip span').allTextContents()).includes(BOB));
  await shot(page, '6-alice-manage');
  const revoke = card.locator('button.danger');
  await revoke.click();
  assert.match(await revoke.textContent(), /Revoke access for everyone/);
  await revoke.click();
  await waitStatus(page, /Access revoked/);
  await page.waitForSelector(`.key[data-key-id="${keyId}"] .revoked`);
  await shot(page, '7-alice-revoked');
  assert.deepEqual(problems, []);
  await page.close();
});

test('after the revocation bob is denied, and the audit log shows every decision', async () => {
  const { page, problems } = await decryptAs('bob', structuredClone(encrypted));
  assert.match(await status(page), /Decrypted 0 of 2/);
  const listed = await page.$$eval('#problems li', (l) => l.map((e) => e.textContent));
  assert.deepEqual(listed, [1, 2].map((i) => `Part ${i}: its owner revoked access`));
  await shot(page, '8-bob-denied');
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
    'policy alice@contoso.example',
    'policy alice@contoso.example',
    'policy alice@contoso.example',
    'release bob@fabrikam.example',
    'release carol@contoso.example',
    'revoke alice@contoso.example',
  ]);
});

/** Encrypts the paragraphs of `blocks` (all selected) as alice, for alice only. */
async function encryptedByAlice(blocks, button = '#encrypt-selection') {
  const { page, problems } = await openPane({
    token: tokens.alice,
    document: { blocks, properties: {}, selection: { start: 0, end: blocks.length - 1 } },
  });
  await page.click(button);
  await waitStatus(page, /Encrypted/);
  const doc = await documentOf(page);
  assert.deepEqual(problems, []);
  await page.close();
  return doc;
}

const envelopeOf = (cc) => cc.blocks[0].runs[0].text;

test('a tampered envelope and envelopes moved between places are refused, each in plain words', async () => {
  const doc = await encryptedByAlice(original().blocks);
  const [a, b, c] = doc.blocks;
  const jwe = envelopeOf(a).split('.');
  jwe[3] = (jwe[3][0] === 'A' ? 'B' : 'A') + jwe[3].slice(1); // one character of the ciphertext
  a.blocks[0].runs[0].text = jwe.join('.');
  [b.blocks, c.blocks] = [c.blocks, b.blocks]; // the second and third envelopes swap places
  const { page, problems } = await decryptAs('alice', doc);
  assert.match(await status(page), /Decrypted 0 of 3/);
  assert.deepEqual(await page.$$eval('#problems li', (l) => l.map((e) => e.textContent)), [
    'Part 1: it was tampered with or damaged, so it cannot be opened',
    'Part 2: it was moved from another document or place, so it is not opened here',
    'Part 3: it was moved from another document or place, so it is not opened here',
  ]);
  await shot(page, '9-tampered');
  assert.deepEqual(await documentOf(page), doc, 'nothing was written');
  assert.deepEqual(problems, []);
  await page.close();
});

test('an envelope copied into another document is refused there', async () => {
  const doc = await encryptedByAlice(original().blocks.slice(0, 1));
  doc.properties.TextguardDocumentId = '00000000-0000-4000-8000-000000000000';
  const { page } = await decryptAs('alice', doc);
  assert.deepEqual(await page.$$eval('#problems li', (l) => l.map((e) => e.textContent)), [
    'Part 1: it was moved from another document or place, so it is not opened here',
  ]);
  await page.close();
});

test('the whole document encrypts into one part and decrypts as it was', async () => {
  const blocks = original().blocks;
  const doc = await encryptedByAlice(blocks, '#encrypt-document');
  assert.equal(doc.blocks.length, 1);
  assert.equal(doc.blocks[0].type, 'cc');
  assert.match(envelopeOf(doc.blocks[0]), /^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
  const { page } = await decryptAs('alice', doc);
  assert.match(await status(page), /Decrypted 1 of 1/);
  assert.deepEqual((await documentOf(page)).blocks, blocks);
  await page.close();
});

test('nothing selected, an encrypted paragraph selected again, or a bad recipient: clear messages', async () => {
  const blank = [{ type: 'p', runs: [{ text: '   ' }] }];
  const { page, problems } = await openPane({ token: tokens.alice, document: { blocks: blank, properties: {}, selection: { start: 0, end: 0 } } });
  await page.click('#encrypt-selection');
  assert.equal(await waitStatus(page, /Select/), 'Select one or more paragraphs first.');
  await page.fill('#recipient-input', 'not an address');
  await page.click('#encrypt-selection');
  assert.equal(await waitStatus(page, /is not/), '"not" is not an email address or user name.');
  assert.equal(await page.getAttribute('#recipient-input', 'aria-invalid'), 'true');
  assert.deepEqual(problems, []);
  await page.close();

  const once = await encryptedByAlice(original().blocks.slice(0, 1));
  const again = await openPane({ token: tokens.alice, document: { ...once, selection: { start: 0, end: 0 } } });
  await again.page.click('#encrypt-selection');
  await waitStatus(again.page, /Select/);
  assert.deepEqual(await documentOf(again.page), { ...once, selection: { start: 0, end: 0 } }, 'an encrypted part is not encrypted twice');
  await again.page.close();
});

test('where Office SSO cannot work, the pane signs in through the dialog', async () => {
  const { page, problems } = await openPane({ ssoError: { code: 13003 }, dialogToken: tokens.bob, document: original() });
  assert.match(await page.textContent('#who'), /bob@fabrikam\.example/);
  const calls = await page.evaluate(() => window.__officeDouble.calls);
  assert.deepEqual(calls.getAccessToken, [{ allowSignInPrompt: true, allowConsentPrompt: true }]);
  assert.equal(calls.displayDialogAsync.length, 1);
  assert.equal(new URL(calls.displayDialogAsync[0].url).pathname, '/auth-dialog.html');
  assert.equal(calls.dialogClosed, true);
  assert.deepEqual(problems, []);
  await page.close();

  // A cancelled consent is the user's choice: no dialog, a message, and a button to try again.
  const cancelled = await openPane({ ssoError: { code: 13002 }, document: original() }, { signedIn: false });
  assert.match(await cancelled.page.textContent('#status'), /you cancelled the sign-in or consent \(13002\)/);
  assert.equal(await cancelled.page.isVisible('#sign-in'), true);
  assert.equal((await cancelled.page.evaluate(() => window.__officeDouble.calls)).displayDialogAsync.length, 0);
  await cancelled.page.close();

  // A token handed over by a page of another origin (the dialog navigated away) is refused.
  const elsewhere = await openPane({ ssoError: { code: 13003 }, dialogToken: tokens.bob, dialogOrigin: 'https://phish.example', document: original() }, { signedIn: false });
  await elsewhere.page.waitForFunction(() => /Sign-in failed/.test(document.getElementById('status').textContent));
  assert.match(await elsewhere.page.textContent('#status'), /answered from https:\/\/phish\.example, not from this add-in; the token was refused/);
  assert.doesNotMatch(await elsewhere.page.textContent('#who'), /bob/);
  await elsewhere.page.close();
});

test('French when Office is in French; the tabs work from the keyboard', async () => {
  const { page, problems } = await openPane({ token: tokens.alice, displayLanguage: 'fr-FR', document: original() });
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.textContent('#encrypt-selection'), 'Chiffrer les paragraphes sélectionnés');
  assert.match(await page.textContent('#who'), /^Connecté en tant que/);
  await page.focus('#tab-protect');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('#tab-open', 'aria-selected'), 'true');
  assert.equal(await page.isVisible('#decrypt'), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-open');
  await page.keyboard.press('End');
  assert.equal(await page.getAttribute('#tab-manage', 'aria-selected'), 'true');
  await page.keyboard.press('Home');
  assert.equal(await page.getAttribute('#tab-protect', 'aria-selected'), 'true');
  await shot(page, '10-french');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the sign-in dialog reads the app registration from the server and reports failures to the pane', async () => {
  const config = await (await fetch(`${server.url}/v1/sign-in-config`)).json();
  assert.deepEqual(config, {
    clientId: CLIENT_ID,
    authority: `${authority}/organizations/v2.0`,
    scopes: [`api://127.0.0.1:${new URL(server.url).port}/${CLIENT_ID}/access_as_user`],
    knownAuthorities: [new URL(authority).host],
    protocolMode: 'OIDC',
  });
  // MSAL for the browser accepts only https authorities, and this one (the test provider) is
  // http: the dialog must say so to the pane rather than hang.
  const page = await browser.newPage();
  await useOfficeDouble(page, {});
  const asked = page.waitForRequest((r) => r.url().endsWith('/v1/sign-in-config'));
  await page.goto(`${server.url}/auth-dialog.html`);
  await asked;
  await page.waitForFunction(() => window.__officeDouble.calls.messageParent.length > 0);
  const [message] = await page.evaluate(() => window.__officeDouble.calls.messageParent);
  const parsed = JSON.parse(message);
  assert.equal(parsed.status, 'error');
  assert.match(parsed.error, /authority_uri_insecure/);
  assert.match(await page.textContent('#status'), /^Sign-in failed: /);
  await page.close();
});
