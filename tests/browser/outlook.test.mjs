// The Outlook compose pane in Debian's Chromium, against the real server (with the test OpenID
// provider's tokens and the organisation's dictionary published through the admin API), the
// real wasm core, and the TEST DOUBLE of Office.js (office-double.js) keeping the message being
// written. Alice checks a message (findings with their place), then protects it for Bob; Bob's
// key from the server opens the envelope to the original HTML. Screenshots go to
// target/screenshots/outlook/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { DICTIONARY } from '../support/mail-corpus.mjs';
import { openPane, waitStatus } from '../support/pane.mjs';
import { TARGET, WASM_PKG } from '../support/paths.mjs';
import { publishDictionary, startWorld } from '../support/world.mjs';

const addin = createRequire(import.meta.url)(join(WASM_PKG, 'node', 'addin_wasm.js'));
const SHOTS = join(TARGET, 'screenshots', 'outlook');
const BOB = 'bob@fabrikam.example';
const HTML = '<p>Hello Bob,</p><p>Card <b>4556 7375 8689 9855</b> for the order.</p><p>IBAN FR14 2004 1010 0505 0001 3M02 606</p>';

let world;
const tokens = {};
let server;
let browser;

before(async () => {
  world = await startWorld();
  server = world.server;
  Object.assign(tokens, world.tokens);
  await publishDictionary(world, DICTIONARY);
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await world?.stop();
});

const compose = (mail) => openPane(browser, server.url, { host: 'Outlook', token: tokens.alice, mail });

test('alice checks a message: each finding with its category and place', async () => {
  const { page, problems } = await compose({ subject: 'Projet Orion: budget', html: HTML, to: [BOB] });
  assert.equal(await page.isVisible('#app'), false, 'no Word tabs in Outlook');
  await page.click('#check');
  const status = await waitStatus(page, /found|Nothing/);
  assert.equal(status, '3 sensitive item(s) found. Remove these before sending, or protect the message.');
  const items = await page.$$eval('#findings li', (l) => l.map((e) => e.textContent));
  assert.deepEqual(items, [
    'Secret projects — in the subjectProjet Orion',
    'Payment card numbers — body, line 24556 7375 8689 9855',
    'Bank accounts — body, line 3FR14 2004 1010 0505 0001 3M02 606',
  ]);
  await page.screenshot({ path: join(SHOTS, '1-checked.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('alice protects the message for its recipients; bob\'s key opens it', async () => {
  const { page, problems } = await compose({ subject: 'Order', html: HTML, to: [BOB], cc: ['Alice@Contoso.example'] });
  await page.click('#protect-message');
  assert.equal(await waitStatus(page, /Protected|Add/), `Protected for ${BOB}, alice@contoso.example. Send it as usual.`);
  await page.screenshot({ path: join(SHOTS, '2-protected.png'), fullPage: true });
  const mail = await page.evaluate(() => window.__officeDouble.mail);
  const jwe = /<pre data-textguard="1">([^<]+)<\/pre>/.exec(mail.html)?.[1];
  assert.ok(jwe, mail.html);
  assert.doesNotMatch(mail.html, /4556|FR14/, 'nothing of the body is left in clear');
  // The check now finds nothing in the body.
  await page.click('#check');
  assert.equal(await waitStatus(page, /found|Nothing/), 'Nothing sensitive found.');
  assert.deepEqual(problems, []);
  await page.close();

  const { keyId, docId } = addin.inspectEnvelope(jwe);
  const answer = await (await fetch(`${server.url}/v1/keys/unwrap`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.bob}`, 'content-type': 'application/json' },
    body: JSON.stringify({ keyIds: [keyId] }),
  })).json();
  const key = Buffer.from(answer.results[0].key, 'base64url');
  const opened = addin.decryptRange(jwe, new Uint8Array(key), { docId, rangeId: 'body' });
  assert.equal(opened.format, 'html');
  assert.equal(opened.content, HTML);
});

test('a message without recipients is not protected, and says why', async () => {
  const { page } = await compose({ subject: 'Draft', html: HTML, to: [] });
  await page.click('#protect-message');
  assert.equal(await waitStatus(page, /recipients/), 'Add the recipients first: the message is encrypted for them.');
  assert.equal((await page.evaluate(() => window.__officeDouble.mail)).html, HTML);
  await page.close();
});
