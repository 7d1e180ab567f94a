// The fallback sign-in dialog end to end: /auth-dialog.html, its MSAL for the browser, and a real
// OpenID provider (tests/support/oidc-provider.mjs over HTTPS, with its development login and
// consent pages standing in for Microsoft's), in Debian's Chromium. The Office dialog API is the
// TEST DOUBLE (office-double.js), which records what the dialog hands the task pane.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { useOfficeDouble } from '../support/pane.mjs';
import { CLIENT_ID, startProvider } from '../support/provider.mjs';
import { freePort, startServer } from '../support/server.mjs';

const children = [];
let server;
let browser;
let provider;
let dir;

before(async () => {
  // A certificate for the provider's https://localhost (Chromium is told to accept it).
  dir = mkdtempSync(join(tmpdir(), 'addin-signin-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const port = await freePort();
  server = await startServer({
    insecureHttp: true,
    env: {
      ADDIN_AUTHORITY: `https://localhost:${port}`,
      ADDIN_CLIENT_ID: CLIENT_ID,
      ADDIN_ALLOWED_TENANTS: '7d3a2f1c-0b4e-4c8a-9f10-2a6b5c4d3e21',
    },
  });
  provider = await startProvider(children, {
    OIDC_PORT: String(port),
    OIDC_TLS_CERT: join(dir, 'cert.pem'),
    OIDC_TLS_KEY: join(dir, 'key.pem'),
    OIDC_SPA_REDIRECT: `${server.url}/auth-dialog.html`,
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  for (const child of children) child.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the dialog signs in with MSAL at the OpenID provider and hands the token to the pane', async () => {
  assert.equal(provider.authority.startsWith('https://localhost:'), true);
  const page = await browser.newPage();
  await useOfficeDouble(page, {});
  await page.goto(`${server.url}/auth-dialog.html`);
  // MSAL redirects to the provider's sign-in page.
  await page.waitForSelector('input[name="prompt"][value="login"]', { state: 'attached', timeout: 30_000 });
  assert.match(page.url(), new RegExp(`^${provider.authority}/`));
  await page.fill('input[name="login"]', 'alice@a');
  await page.fill('input[name="password"]', 'any');
  await page.click('button[type="submit"]');
  await page.waitForSelector('input[name="prompt"][value="consent"]', { state: 'attached', timeout: 30_000 });
  await page.click('button[type="submit"]');
  await page.waitForFunction(() => window.__officeDouble?.calls?.messageParent?.length > 0, null, { timeout: 30_000 });
  const [message] = await page.evaluate(() => window.__officeDouble.calls.messageParent);
  const parsed = JSON.parse(message);
  assert.equal(parsed.status, 'success', message);
  // The token goes only to a pane of the add-in's own origin.
  assert.deepEqual(await page.evaluate(() => window.__officeDouble.calls.messageParentOptions), [{ targetOrigin: server.url }]);
  const claims = JSON.parse(Buffer.from(parsed.accessToken.split('.')[1], 'base64url'));
  assert.equal(claims.preferred_username, 'alice@contoso.example');
  assert.equal(claims.aud, CLIENT_ID);
  assert.match(claims.scp, /access_as_user/);
  await page.close();
});
