// The reader page (/read) in Debian's Chromium, for people without the add-in, against the
// real server, the real wasm core, a real SMTP server (tests/support/smtp-server.mjs) and the
// TEST DOUBLE of Office.js for Alice's compose pane: Alice protects a message for Bob (another
// organisation) and Dave (dave@example.net, outside); Dave follows the link in the notice, asks
// for a passcode, reads it from the mail and reads the message in his browser. Eve pastes the
// message: the same answer, no mail, and no code opens it. Screenshots go to
// target/screenshots/reader/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { startMailbox, passcodeIn } from '../support/mailbox.mjs';
import { checkAnswers, openPane, waitStatus } from '../support/pane.mjs';
import { TARGET } from '../support/paths.mjs';
import { startWorld } from '../support/world.mjs';

const SHOTS = join(TARGET, 'screenshots', 'reader');
const DAVE = 'dave@example.net';
const HTML = '<p>Hello Dave,</p><p>The <b>contract</b> is attached in words: 12 months, 40,000 EUR.</p>';

let world;
let mailbox;
let browser;
let sent;
let composeReaders;

before(async () => {
  mailbox = await startMailbox();
  world = await startWorld({
    env: { ADDIN_PASSCODES: 'true', ADDIN_SMTP_URL: mailbox.url, ADDIN_MAIL_FROM: 'Textguard <noreply@contoso.example>' },
  });
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
  // Alice protects her message in the compose pane; `sent` is the body Outlook would send.
  const { page } = await openPane(browser, world.server.url, {
    host: 'Outlook', token: world.tokens.alice, mail: { subject: 'Contract', html: HTML, to: ['bob@fabrikam.example', DAVE] },
  });
  // Checking first, she is told how the people outside will read.
  await page.click('#check');
  await page.waitForSelector('#compose-readers li');
  composeReaders = await page.$$eval('#compose-readers li', (l) => l.map((e) => e.textContent));
  await page.screenshot({ path: join(SHOTS, '0-alice-told.png'), fullPage: true });
  await page.click('#protect-message');
  await waitStatus(page, /Protected/);
  sent = await page.evaluate(() => window.__officeDouble.mail.html);
  await page.close();
});

test('before protecting, alice is told that dave will read with a passcode', () => {
  // Bob's organisation is known to the server once one of its members has signed in; until
  // then the server cannot tell him from someone outside, and says a passcode.
  assert.ok(composeReaders.includes(`${DAVE} will read it with a passcode sent by email, unless their organisation uses Textguard here.`), composeReaders.join('\n'));
});

after(async () => {
  await browser?.close();
  await world?.stop();
  mailbox?.stop();
});

/** A reader page at `url`, with every API answer checked against /openapi.json. */
async function reader(url, lang = 'en-GB') {
  const page = await browser.newPage();
  // The page speaks the browser's language.
  await page.addInitScript((l) => Object.defineProperty(navigator, 'language', { get: () => l }), lang);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await checkAnswers(page, world.server.url, problems);
  await page.setViewportSize({ width: 720, height: 900 });
  await page.goto(url);
  await page.waitForSelector('body[data-core="ready"]');
  return { page, problems };
}

test('the notice links to the reader with the envelope in the fragment, and keeps the envelope', () => {
  const link = /href="([^"]+)"/.exec(sent)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(link?.startsWith(`${world.server.url}/read#m=eyJ`), sent);
  assert.match(sent, /<pre data-textguard="1">eyJ/);
  assert.match(sent, /No Textguard add-in\? Read it in your browser\./);
});

test('dave follows the link, gets a passcode by mail and reads the message in his browser', async () => {
  const link = /href="([^"]+)"/.exec(sent)[1].replaceAll('&amp;', '&');
  const { page, problems } = await reader(link);
  await waitStatus(page, /This text is protected/);
  assert.equal(await page.isVisible('#find'), false, 'the envelope came with the link');
  await page.fill('#address', DAVE);
  await page.click('#ask');
  const status = await waitStatus(page, /on its way/);
  const reference = /reference (\w{4})/.exec(status)[1];
  assert.equal(status, `If ${DAVE} may read this text, a passcode is on its way (reference ${reference}). It works once, for 15 minutes.`);
  await page.screenshot({ path: join(SHOTS, '1-passcode-asked.png'), fullPage: true });
  const mail = await mailbox.waitFor((m) => m.to[0] === DAVE && m.text.includes(reference));
  assert.equal(mail.subject, 'Your passcode to read protected text from alice@contoso.example');
  await page.fill('#code', passcodeIn(mail));
  await page.click('#verify');
  await page.waitForSelector('body[data-verdict="opened"]');
  assert.equal(await page.textContent('#owner'), 'Protected by alice@contoso.example (the owner of its key, as the key server knows them).');
  const frame = page.frameLocator('#message');
  assert.equal(await frame.locator('b').textContent(), 'contract');
  assert.match(await frame.locator('body').textContent(), /12 months, 40,000 EUR/);
  await page.screenshot({ path: join(SHOTS, '2-dave-reads.png'), fullPage: true });

  // Dave replies; the reply is encrypted in his browser and mailed to Alice and Bob.
  await page.fill('#reply', 'Thanks Alice,\n\nsigned and returned.');
  await page.click('#send-reply');
  await waitStatus(page, /Your protected reply went to/);
  assert.equal(await page.textContent('#status'), 'Your protected reply went to alice@contoso.example, bob@fabrikam.example.');
  await page.screenshot({ path: join(SHOTS, '3-dave-replied.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();

  // Alice opens the reply in her read pane, as any protected message.
  const reply = await mailbox.waitFor((m) => m.to[0] === 'alice@contoso.example' && m.subject === `Protected reply from ${DAVE}`);
  const pane = await openPane(browser, world.server.url, { host: 'Outlook', token: world.tokens.alice, mail: { mode: 'read', subject: reply.subject, html: reply.html, from: DAVE, to: ['alice@contoso.example'] } });
  await pane.page.waitForSelector('body[data-verdict="opened"]');
  assert.match(await pane.page.textContent('#message-owner'), /Protected by otp:dave@example\.net/);
  assert.match(await pane.page.frameLocator('#message').locator('body').textContent(), /signed and returned/);
  await pane.page.screenshot({ path: join(SHOTS, '4-alice-reads-reply.png'), fullPage: true });
  assert.deepEqual(pane.problems, []);
  await pane.page.close();
});

test('eve pastes the message: the same answer, no mail, and no code opens it (in French)', async () => {
  const { page, problems } = await reader(`${world.server.url}/read`, 'fr-FR');
  assert.equal(await page.textContent('h1'), 'Lire un texte protégé');
  await page.fill('#pasted', 'De : Alice\n\nnothing here');
  await page.click('#find-envelope');
  await waitStatus(page, /Il n’y a pas de texte protégé/);
  // As a mail program shows the text: the envelope's long line wrapped.
  const text = sent.replace(/<[^>]+>/g, '\n').replace(/(eyJ[\w.-]{60})/, '$1\n');
  await page.fill('#pasted', text);
  await page.click('#find-envelope');
  await waitStatus(page, /Ce texte est protégé/);
  const before = mailbox.messages().length;
  await page.fill('#address', 'eve@example.org');
  await page.click('#ask');
  const status = await waitStatus(page, /un code est en route/);
  assert.match(status, /^Si eve@example\.org peut lire ce texte, un code est en route \(référence \w{4}\)\. Il sert une fois, pendant 15 minutes\.$/);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(mailbox.messages().length, before, 'no mail to eve');
  await page.fill('#code', '1234 5678');
  await page.click('#verify');
  const refused = await waitStatus(page, /code envoyé/);
  assert.equal(refused, 'ce n’est pas le code envoyé ; vérifiez l’e-mail et saisissez-le à nouveau (après 5 erreurs, l’adresse est bloquée 15 minutes)');
  assert.equal(await page.getAttribute('#status', 'data-kind'), 'error');
  await page.screenshot({ path: join(SHOTS, '5-eve-refused.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
