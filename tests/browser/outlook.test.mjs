// The Outlook compose pane in Debian's Chromium, against the real server (with the test OpenID
// provider's tokens and the organisation's dictionary published through the admin API), the
// real wasm core, and the TEST DOUBLE of Office.js (office-double.js) keeping the message being
// written or read. Alice checks a message (findings with their place and the words around
// them), then protects it for Bob; Bob opens it in his read pane, Carol (not a recipient)
// cannot. Screenshots go to target/screenshots/outlook/.
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

test('alice checks a message: each finding with its category, place and the words around it', async () => {
  const { page, problems } = await compose({ subject: 'Projet Orion: budget', html: HTML, to: [BOB] });
  assert.equal(await page.isVisible('#app'), false, 'no Word tabs in Outlook');
  await page.click('#check');
  const status = await waitStatus(page, /found|Nothing/);
  assert.equal(status, '3 sensitive item(s) found. Remove these before sending, or protect the message.');
  const items = await page.$$eval('#findings li', (l) => l.map((e) => ({
    label: e.querySelector('strong').textContent,
    where: e.querySelector('.muted').textContent,
    found: e.querySelector('mark').textContent,
    context: e.querySelector('.context').textContent,
  })));
  assert.deepEqual(items, [
    { label: 'Secret projects', where: ' — in the subject', found: 'Projet Orion',
      context: 'Projet Orion: budget' },
    { label: 'Payment card numbers', where: ' — body, line 2', found: '4556 7375 8689 9855',
      context: 'Hello Bob, Card 4556 7375 8689 9855 for the order. IBAN FR14 2004 1010…' },
    { label: 'Bank accounts', where: ' — body, line 3', found: 'FR14 2004 1010 0505 0001 3M02 606',
      context: '…7375 8689 9855 for the order. IBAN FR14 2004 1010 0505 0001 3M02 606' },
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

/** Alice's message, protected for Bob in her compose pane: the body Outlook would send. */
async function protectedForBob(html = HTML) {
  const { page } = await compose({ subject: 'Order', html, to: [BOB] });
  await page.click('#protect-message');
  await waitStatus(page, /Protected/);
  const sent = await page.evaluate(() => window.__officeDouble.mail.html);
  await page.close();
  return sent;
}

const read = (token, html) =>
  openPane(browser, server.url, { host: 'Outlook', token, mail: { mode: 'read', subject: 'Order', html, from: 'alice@contoso.example', to: [BOB] } });

// What a sender could put in a body to act in the reader's pane: all of it is taken out.
const HOSTILE = '<meta http-equiv="refresh" content="0;url=https://phish.example/">'
  + '<style onload="parent.document.title = \'owned\'">p { margin: 0 }</style>'
  + '<script>parent.document.title = "owned"</script>'
  + '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onerror="parent.document.title = \'owned\'" alt="pixel">'
  + '<a href="javascript:parent.document.title = \'owned\'">script link</a> <a href="https://example.com/doc">the document</a>'
  + '<form action="https://phish.example/"><input name="password"></form>';

test('bob opens the protected message in his read pane; it shows as alice wrote it, without scripts', async () => {
  // Outlook may wrap the envelope's long line when it turns the body into text.
  const html = (await protectedForBob(HTML + HOSTILE)).replace(/(<pre[^>]*>)(.*)(<\/pre>)/s, (_, open, jwe, close) =>
    `${open}${jwe.replace(/.{76}/g, '$&\n')}${close}`);
  const { page, problems } = await read(tokens.bob, html);
  assert.equal(await page.isVisible('#outlook'), false, 'no compose view when reading');
  assert.equal(
    await waitStatus(page, /Opened|cannot/),
    'Opened for you: the key server released its key to you, one of its recipients.',
  );
  const frame = await (await page.$('#message')).contentFrame();
  await frame.waitForSelector('b');
  assert.equal(await frame.textContent('b'), '4556 7375 8689 9855');
  assert.doesNotMatch(await page.getAttribute('#message', 'sandbox'), /allow-scripts|allow-same-origin|allow-top/, 'a sandbox without scripts');
  assert.match(await page.getAttribute('#message', 'srcdoc'), /default-src 'none'/);
  // Nothing active is left of what the sender wrote; the web link opens in a new window.
  assert.deepEqual(await frame.$$eval('script, form, input, meta[http-equiv="refresh"], [onerror], [onload]', (l) => l.length), 0);
  assert.equal(await frame.$$eval('style', (l) => l.map((e) => e.textContent).join('')), 'p { margin: 0 }', 'styles kept, as text');
  assert.deepEqual(await frame.$$eval('a', (l) => l.map((a) => [a.textContent, a.getAttribute('href'), a.target])), [
    ['script link', null, ''],
    ['the document', 'https://example.com/doc', '_blank'],
  ]);
  assert.notEqual(await page.title(), 'owned');
  await page.screenshot({ path: join(SHOTS, '3-read-by-bob.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('carol, not a recipient, is told she has no access; a plain message has nothing to open', async () => {
  const html = await protectedForBob();
  const { page } = await read(tokens.carol, html);
  assert.equal(
    await waitStatus(page, /Opened|cannot/),
    'This message cannot be opened: you do not have access (ask its owner to add you).',
  );
  assert.equal(await page.isVisible('#message'), false);
  await page.close();

  const plain = await read(tokens.bob, HTML);
  assert.equal(await waitStatus(plain.page, /Opened|nothing/), 'This message is not protected by Textguard: there is nothing to open.');
  await plain.page.close();
});
