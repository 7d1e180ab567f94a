// The OpenID provider of the tests (oidc-provider.mjs, a real provider shaped like Entra ID) as a
// child process, and its access tokens: shared by the browser tests and the server benchmarks.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './paths.mjs';

/** The client id the provider issues tokens for (the server's ADDIN_CLIENT_ID). */
export const CLIENT_ID = '6c1f2a9e-5b0d-4e3f-8a7b-9c8d7e6f5a4b';

/** The first line `child` prints. */
export const firstLine = (child) =>
  new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready`)));
  });

/**
 * Starts the provider (added to `children`, to kill at the end), with `env` (see
 * oidc-provider.mjs: OIDC_PORT, OIDC_TLS_CERT/KEY, OIDC_SPA_REDIRECT); resolves with its JSON
 * line: `{ authority, tenants: { a, b }, kid, privateKeyPem }`.
 */
export async function startProvider(children, env = {}) {
  const provider = spawn(process.execPath, [join(ROOT, 'tests/support/oidc-provider.mjs'), CLIENT_ID], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, ...env },
  });
  children.push(provider);
  return JSON.parse(await firstLine(provider));
}

/** An access token for `client` (`alice@a`, `bob@b`...), from the client credentials grant. */
export async function mintToken(authority, tenantId, client) {
  const response = await fetch(`${authority}/${tenantId}/v2.0/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client}:secret`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'access_as_user' }),
  });
  const token = (await response.json()).access_token;
  if (!token) throw new Error(`the provider gave ${client} no token (${response.status})`);
  return token;
}
