// The manifests the server renders, validated offline with Microsoft's own tools: the Word XML
// manifest is converted to a unified JSON manifest by office-addin-manifest-converter, and
// office-addin-manifest validate checks that against the schemas bundled in
// @microsoft/app-manifest.
//
// The converter writes manifestVersion 1.17, whose generated types in @microsoft/app-manifest
// refuse parts of the add-in extension that later versions define (getStartedMessages,
// alternates); the test validates against the newest schema version the package carries.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from '../support/paths.mjs';
import { startServer } from '../support/server.mjs';

const CLIENT_ID = '6c1f2a9e-5b0d-4e3f-8a7b-9c8d7e6f5a4b';
const BIN = join(ROOT, 'node_modules', '.bin');
let server;
let work;

before(async () => {
  server = await startServer({ env: { ADDIN_INSECURE_HTTP: 'true', ADDIN_CLIENT_ID: CLIENT_ID } });
  work = mkdtempSync(join(tmpdir(), 'addin-manifests-'));
});

after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs a tool; returns { status, output }. */
function run(tool, args) {
  const result = spawnSync(join(BIN, tool), args, { encoding: 'utf8', cwd: work, timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The newest Teams manifest schema version @microsoft/app-manifest carries, e.g. "1.30". */
function newestSchemaVersion() {
  const types = join(ROOT, 'node_modules', '@microsoft', 'app-manifest', 'build', 'generated-types', 'teams');
  const minors = readdirSync(types)
    .map((name) => /^TeamsManifestV1D(\d+)\.js$/.exec(name)?.[1])
    .filter(Boolean)
    .map(Number);
  return `1.${Math.max(...minors)}`;
}

test('the rendered Word manifest converts and validates against Microsoft schemas', async () => {
  const plainHttp = server.url.replace('https://localhost', 'http://127.0.0.1');
  const response = await fetch(`${plainHttp}/manifest/word.xml`);
  assert.equal(response.status, 200);
  const xml = await response.text();
  assert.match(xml, new RegExp(`<Id>${CLIENT_ID}</Id>`));
  assert.match(xml, new RegExp(`<Resource>api://localhost:\\d+/${CLIENT_ID}</Resource>`));
  writeFileSync(join(work, 'word.xml'), xml);

  const converted = run('office-addin-manifest-converter', ['convert', 'word.xml', '-o', 'word']);
  assert.equal(converted.status, 0, converted.output);
  const manifest = JSON.parse(readFileSync(join(work, 'word', 'manifest.json'), 'utf8'));
  assert.equal(manifest.webApplicationInfo.id, CLIENT_ID);
  assert.equal(manifest.extensions[0].ribbons[0].tabs[0].builtInTabId, 'TabHome');

  const version = newestSchemaVersion();
  manifest.manifestVersion = version;
  manifest.$schema = `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`;
  writeFileSync(join(work, 'word', 'manifest.json'), JSON.stringify(manifest, null, 2));
  const valid = run('office-addin-manifest', ['validate', join('word', 'manifest.json')]);
  assert.equal(valid.status, 0, valid.output);

  // The validator is not a formality: the same manifest without its id is refused.
  delete manifest.id;
  writeFileSync(join(work, 'word', 'manifest.json'), JSON.stringify(manifest, null, 2));
  const invalid = run('office-addin-manifest', ['validate', join('word', 'manifest.json')]);
  assert.notEqual(invalid.status, 0, invalid.output);
});

test('the rendered Outlook manifest converts and validates, with its send-time check and both pane buttons', async () => {
  const plainHttp = server.url.replace('https://localhost', 'http://127.0.0.1');
  const xml = await (await fetch(`${plainHttp}/manifest/outlook.xml`)).text();
  assert.match(xml, /<LaunchEvent Type="OnMessageSend" FunctionName="onMessageSendHandler" SendMode="SoftBlock"\/>/);
  assert.match(xml, /<bt:Sets DefaultMinVersion="1.15">/);
  writeFileSync(join(work, 'outlook.xml'), xml);
  const converted = run('office-addin-manifest-converter', ['convert', 'outlook.xml', '-o', 'outlook']);
  assert.equal(converted.status, 0, converted.output);
  const manifest = JSON.parse(readFileSync(join(work, 'outlook', 'manifest.json'), 'utf8'));
  assert.equal(manifest.webApplicationInfo.id, CLIENT_ID);
  // A pane button where messages are written (check and protect) and where they are read (open).
  const buttons = manifest.extensions[0].ribbons.map((r) => [r.contexts.join(), r.tabs[0].groups[0].controls[0].id]);
  assert.deepEqual(buttons, [['mailCompose', 'msgComposeOpenPaneButton'], ['mailRead', 'msgReadOpenPaneButton']]);
  const [event] = manifest.extensions[0].autoRunEvents[0].events;
  assert.deepEqual([event.type, event.options.sendMode], ['messageSending', 'softBlock']);
  const runtime = manifest.extensions[0].runtimes.find((r) => r.actions.some((a) => a.id === event.actionId));
  assert.equal(runtime.code.page, `${server.url}/event/commands.html`);
  assert.equal(runtime.code.script, `${server.url}/launchevent-classic.js`);

  const version = newestSchemaVersion();
  manifest.manifestVersion = version;
  manifest.$schema = `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`;
  writeFileSync(join(work, 'outlook', 'manifest.json'), JSON.stringify(manifest, null, 2));
  const valid = run('office-addin-manifest', ['validate', join('outlook', 'manifest.json')]);
  assert.equal(valid.status, 0, valid.output);
});

test('the rendered unified manifest validates against the schema version it declares', async () => {
  const plainHttp = server.url.replace('https://localhost', 'http://127.0.0.1');
  const response = await fetch(`${plainHttp}/manifest/manifest.json`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^application\/json/);
  const manifest = await response.json();
  assert.equal(manifest.webApplicationInfo.id, CLIENT_ID);
  assert.match(manifest.webApplicationInfo.resource, new RegExp(`^api://localhost:\\d+/${CLIENT_ID}$`));
  assert.equal(manifest.extensions[0].runtimes[0].code.page, `${server.url}/taskpane.html`);
  mkdirSync(join(work, 'unified'), { recursive: true });
  writeFileSync(join(work, 'unified', 'manifest.json'), JSON.stringify(manifest, null, 2));
  const valid = run('office-addin-manifest', ['validate', join('unified', 'manifest.json')]);
  assert.equal(valid.status, 0, valid.output);

  // And the validator refuses it with a wrong value.
  manifest.extensions[0].ribbons[0].tabs[0].builtInTabId = 42;
  writeFileSync(join(work, 'unified', 'manifest.json'), JSON.stringify(manifest, null, 2));
  const invalid = run('office-addin-manifest', ['validate', join('unified', 'manifest.json')]);
  assert.notEqual(invalid.status, 0, invalid.output);
});
