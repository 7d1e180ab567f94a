// The people and servers the end-to-end tests and benchmarks share: the test OpenID provider,
// one addin-server on plain HTTP loopback trusting it for tenants a and b, and a token for each
// user (alice, carol and admin in tenant a; bob in tenant b).
import { CLIENT_ID, mintToken, startProvider } from './provider.mjs';
import { startServer } from './server.mjs';

const USERS = [['alice', 'a'], ['carol', 'a'], ['admin', 'a'], ['bob', 'b']];

/**
 * Starts the provider and the server (`binary`: another addin-server than the debug build;
 * `tenants`: the tenant letters allowed, both by default; `env`: more settings). Resolves with `{ provider, server,
 * tokens, stop }`.
 */
export async function startWorld({ binary, tenants = ['a', 'b'], env = {} } = {}) {
  const children = [];
  const provider = await startProvider(children);
  const server = await startServer({
    insecureHttp: true,
    binary,
    env: {
      ADDIN_AUTHORITY: provider.authority,
      ADDIN_CLIENT_ID: CLIENT_ID,
      ADDIN_ALLOWED_TENANTS: tenants.map((t) => provider.tenants[t]).join(','),
      ...env,
    },
  });
  const tokens = {};
  for (const [name, tenant] of USERS) {
    if (tenants.includes(tenant)) tokens[name] = await mintToken(provider.authority, provider.tenants[tenant], `${name}@${tenant}`);
  }
  return {
    provider,
    server,
    tokens,
    async stop() {
      await server.stop();
      for (const child of children) child.kill();
    },
  };
}

/** Publishes `dictionary` for the admin's organisation; throws unless the server took it. */
export async function publishDictionary(world, dictionary) {
  const response = await fetch(`${world.server.url}/v1/admin/dictionary`, {
    method: 'PUT',
    // Whatever is published is replaced: the tests publish into a fresh organisation.
    headers: { authorization: `Bearer ${world.tokens.admin}`, 'content-type': 'application/json', 'if-match': '*' },
    body: JSON.stringify(dictionary),
  });
  if (response.status !== 200) throw new Error(`publishing the dictionary: ${response.status} ${await response.text()}`);
  return response.json();
}
