// The Outlook send-time check (launchevent.js, as the server serves it) over one corpus of mails,
// run twice by launchevent-runner.mjs with a TEST DOUBLE of the Office event and mailbox: in
// node as is (the WebAssembly scanner) and in node --jitless, where WebAssembly does not exist
// (the wasm2js scanner). Both must give the same verdicts, call event.completed exactly once
// per mail, and never repeat a detected value in the warning. The dictionary comes from the
// real server (with a token of the test OpenID provider) and is revalidated with its ETag.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as acorn from 'acorn';
import { CORPUS, DICTIONARY, runLaunchEvent } from '../support/mail-corpus.mjs';
import { publishDictionary, startWorld } from '../support/world.mjs';

let world;
let server;
let token;

before(async () => {
  world = await startWorld();
  server = world.server;
  token = world.tokens.alice;
  await publishDictionary(world, DICTIONARY);
});

after(async () => {
  await world?.stop();
});

/** Runs the corpus in a child node (`flags` such as --jitless); resolves with its report. */
const runCorpus = (flags, extra = {}) => runLaunchEvent(flags, { origin: server.url, token, ...extra });

/** What Send did with a mail: allow, warn (user may override), block, or failed (prompted). */
function outcome(options) {
  if (options.allowEvent) return 'allow';
  if (/could not check|n’a pas pu vérifier/.test(options.errorMessage)) return 'failed';
  return options.sendModeOverride === 'promptUser' ? 'warn' : 'block';
}

function check(report) {
  for (const [i, mail] of CORPUS.entries()) {
    const { calls } = report.results[i];
    assert.equal(calls.length, 1, `${mail.name}: completed must be called exactly once`);
    const [options] = calls;
    assert.equal(outcome(options), mail.expect, `${mail.name}: ${JSON.stringify(options)}`);
    if (mail.expect === 'warn' || mail.expect === 'block') {
      assert.ok(options.errorMessage.length <= 500);
      assert.equal(options.cancelLabel, mail.language === 'fr-FR' ? 'Vérifier' : 'Review');
      assert.equal(options.commandId, 'msgComposeOpenPaneButton');
      for (const category of mail.categories) assert.ok(options.errorMessage.includes(category), `${mail.name}: ${options.errorMessage}`);
      for (const value of mail.values) {
        assert.ok(!options.errorMessage.includes(value), `${mail.name}: the warning repeats ${value}`);
        assert.ok(!options.errorMessageMarkdown.includes(value), `${mail.name}: the markdown repeats ${value}`);
      }
    }
    if (mail.expect === 'failed') assert.equal(options.sendModeOverride, 'promptUser', 'the user still decides');
  }
}

test('the served handlers are each one ES2016 script (and the parser check has teeth)', async () => {
  const source = await (await fetch(`${server.url}/launchevent.js`)).text();
  assert.ok(source.includes(server.url), 'the server wrote its origin in');
  acorn.parse(source, { ecmaVersion: 2016, sourceType: 'script' });
  const classic = await (await fetch(`${server.url}/launchevent-classic.js`)).text();
  assert.ok(classic.includes(server.url), 'the server wrote its origin in');
  assert.ok(classic.startsWith('var addinWasm') && classic.length > 20 * source.length, 'the classic handler carries its scanner');
  acorn.parse(classic, { ecmaVersion: 2016, sourceType: 'script' });
  assert.throws(() => acorn.parse('async function f() { await 1; }', { ecmaVersion: 2016 }));
  assert.throws(() => acorn.parse('import x from "y";', { ecmaVersion: 2016, sourceType: 'script' }));
  assert.throws(() => acorn.parse('const { a, ...rest } = o;', { ecmaVersion: 2016 }));
  assert.ok(source.length < 64 * 1024, `the page's handler stays small: its scanner is fetched apart (${source.length} bytes)`);
});

test('same verdicts with WebAssembly and with wasm2js; completed once; no value repeated', async () => {
  const [wasm, wasm2js] = await Promise.all([runCorpus([]), runCorpus(['--jitless'])]);
  assert.equal(wasm.webAssembly, true);
  assert.equal(wasm2js.webAssembly, false, 'node --jitless has no WebAssembly');
  assert.ok(wasm.fetched.includes('/event/addin_wasm_bg.wasm 200'), wasm.fetched.join(', '));
  assert.ok(!wasm.fetched.some((f) => f.includes('wasm2js')));
  assert.ok(wasm2js.fetched.includes('/event/addin_wasm.wasm2js.js 200'), wasm2js.fetched.join(', '));
  check(wasm);
  check(wasm2js);
  assert.deepEqual(
    wasm.results.map((r) => r.calls),
    wasm2js.results.map((r) => r.calls),
    'both paths decide alike, word for word',
  );
  // The dictionary is fetched once, then revalidated: 304 from the second mail on.
  const dictionary = wasm.fetched.filter((f) => f.startsWith('/v1/dictionary'));
  assert.equal(dictionary[0], '/v1/dictionary 200');
  assert.ok(dictionary.slice(1).every((f) => f === '/v1/dictionary 304'), dictionary.join(', '));
  for (const r of [...wasm.results, ...wasm2js.results]) console.log(`  ${r.name}: ${r.ms.toFixed(1)} ms`);
});

test('classic Outlook: the one-file handler decides alike without WebAssembly and without code from strings', async () => {
  const flags = ['--jitless', '--disallow-code-generation-from-strings'];
  const [classic, wasm] = await Promise.all([runCorpus(flags, { script: '/launchevent-classic.js' }), runCorpus([])]);
  assert.equal(classic.webAssembly, false);
  assert.equal(classic.codeFromStrings, false, 'the runtime refuses eval and new Function');
  assert.ok(!classic.fetched.some((f) => f.startsWith('/event/')), `nothing fetched but the dictionary: ${classic.fetched}`);
  check(classic);
  assert.deepEqual(classic.results.map((r) => r.calls), wasm.results.map((r) => r.calls));
  // The handler that fetches its wasm2js scanner cannot run there: why the classic file exists.
  const fetching = await runCorpus(flags);
  assert.ok(fetching.results.every((r) => outcome(r.calls[0]) === 'failed'), 'the check says it could not run');
});

test('with the server unreachable and nothing cached, the built-in detectors still run', async () => {
  const report = await runCorpus([], { offline: true });
  const by = Object.fromEntries(report.results.map((r, i) => [CORPUS[i].name, outcome(r.calls[0])]));
  assert.equal(by.card, 'warn', 'payment cards are a built-in detector');
  assert.equal(by.project, 'allow', 'the organisation\u2019s own words need its dictionary');
  assert.ok(report.results.every((r) => r.calls.length === 1));
});
