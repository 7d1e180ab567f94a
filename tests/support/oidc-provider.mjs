// A real OpenID provider for the server's token tests: npm `oidc-provider` on 127.0.0.1, shaped
// like Microsoft Entra ID. It is not our code; only its configuration is.
//
// - One provider per tenant, at {authority}/{tenant id}/v2.0 (so each token's issuer is
//   {authority}/{tid}/v2.0, as Entra's are), and one at {authority}/common/v2.0 whose metadata
//   the server reads; all share the signing keys, as Entra's tenants do.
// - Access tokens are RS256 JWTs from the client credentials grant, for the resource
//   `api://localhost/<client id>`, with audience <client id>, and the claims of an Entra v2.0
//   access token: tid, oid, scp, ver, preferred_username, name, roles, and the optional claims
//   the deployment guide has the app registration emit: upn, acct, wids (and idp, email for a
//   guest). Each client stands for one user (its id is `<name>@<tenant letter>`, secret
//   `secret`).
//
// With OIDC_SPA_REDIRECT=<url> it also serves browsers as Entra does for a single-page app: a
// public client per tenant with the API's client id and that redirect URI (authorization code with PKCE), and
// oidc-provider's development login and consent pages (any password; the login names the user,
// e.g. `alice@a`). With OIDC_TLS_CERT and OIDC_TLS_KEY (PEM files) it serves HTTPS on
// `localhost`, as browser sign-in libraries require. OIDC_PORT sets its port (any free one
// otherwise).
//
// Usage: node tests/support/oidc-provider.mjs CLIENT_ID [KEY_ID]
// Prints one JSON line: { authority, tenants: { a, b }, kid, privateKeyPem }; the private key
// lets tests sign tokens that a provider would not issue (expired, wrong audience...) with the
// provider's own key. Runs until killed.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import Provider from 'oidc-provider';

const clientId = process.argv[2];
if (!clientId) throw new Error('usage: oidc-provider.mjs CLIENT_ID');

const tenants = { a: '7d3a2f1c-0b4e-4c8a-9f10-2a6b5c4d3e21', b: 'e5c4b3a2-1f0e-4d9c-8b7a-6f5e4d3c2b1a' };
// Directory role template ids (`wids`) that may grant tenant-wide admin consent.
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
const CLOUD_APPLICATION_ADMINISTRATOR = '158c047a-c907-4556-b7ef-446551a6b5f7';

// Members carry `acct: 0`; `guest@a` is Bob invited into tenant a as a B2B guest: `acct: 1`, his
// home tenant as `idp`, the UPN his host tenant gave him, and his home email.
const users = [
  { name: 'alice', tenant: 'a', oid: '11111111-1111-4111-8111-111111111111', upn: 'alice@contoso.example', display: 'Alice Martin', roles: [] },
  { name: 'admin', tenant: 'a', oid: '22222222-2222-4222-8222-222222222222', upn: 'admin@contoso.example', display: 'Ada Admin', roles: ['Addin.Admin'], wids: [GLOBAL_ADMINISTRATOR] },
  { name: 'carol', tenant: 'a', oid: '44444444-4444-4444-8444-444444444444', upn: 'carol@contoso.example', display: 'Carol Petit', roles: [] },
  { name: 'bob', tenant: 'b', oid: '33333333-3333-4333-8333-333333333333', upn: 'bob@fabrikam.example', display: 'Bob Durand', roles: [] },
  { name: 'ops', tenant: 'b', oid: '66666666-6666-4666-8666-666666666666', upn: 'ops@fabrikam.example', display: 'Olga Ops', roles: [], wids: [CLOUD_APPLICATION_ADMINISTRATOR] },
  {
    name: 'guest', tenant: 'a', oid: '55555555-5555-4555-8555-555555555555', upn: 'bob_fabrikam.example#EXT#@contoso.onmicrosoft.com',
    display: 'Bob Durand (Fabrikam)', roles: [], guestOf: 'b', email: 'bob@fabrikam.example',
  },
];

const kid = process.argv[3] ?? 'test-key-1';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

const tls = process.env.OIDC_TLS_CERT && process.env.OIDC_TLS_KEY;
const spaRedirect = process.env.OIDC_SPA_REDIRECT;
const server = tls
  ? createTlsServer({ cert: readFileSync(process.env.OIDC_TLS_CERT), key: readFileSync(process.env.OIDC_TLS_KEY) })
  : createServer();
await new Promise((resolve) => server.listen(Number(process.env.OIDC_PORT ?? 0), '127.0.0.1', resolve));
const authority = tls ? `https://localhost:${server.address().port}` : `http://127.0.0.1:${server.address().port}`;
const userOf = (id) => users.find((u) => `${u.name}@${u.tenant}` === id);

function provider(tenant) {
  const tid = tenants[tenant];
  const clients = users
    .filter((u) => u.tenant === tenant)
    .map((u) => ({
      client_id: `${u.name}@${tenant}`,
      client_secret: 'secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    }));
  if (spaRedirect) {
    // One app registration, as in Entra ID: the SPA client is the API's own client id.
    clients.push({
      client_id: clientId,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [spaRedirect],
    });
  }
  return new Provider(`${authority}/${tid ?? tenant}/v2.0`, {
    clients,
    jwks: { keys: [jwk] },
    ...(spaRedirect
      ? {
          findAccount: (ctx, id) => (userOf(id)
            ? { accountId: id, claims: () => ({ sub: id, preferred_username: userOf(id).upn, name: userOf(id).display }) }
            : undefined),
          scopes: ['openid', 'profile', 'offline_access', 'access_as_user'],
        }
      : {}),
    features: {
      devInteractions: { enabled: Boolean(spaRedirect) },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => `api://localhost/${clientId}`,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'access_as_user',
          audience: clientId,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 3600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (ctx, token) => {
      const user = users.find((u) => `${u.name}@${u.tenant}` === token.clientId) ?? userOf(token.accountId);
      if (!user) return undefined;
      return {
        tid: tenants[user.tenant],
        oid: user.oid,
        scp: 'access_as_user',
        ver: '2.0',
        preferred_username: user.guestOf ? user.email : user.upn,
        upn: user.upn,
        acct: user.guestOf ? 1 : 0,
        ...(user.guestOf ? { idp: `https://sts.windows.net/${tenants[user.guestOf]}/`, email: user.email } : {}),
        ...(user.wids ? { wids: user.wids } : {}),
        name: user.display,
        roles: user.roles,
      };
    },
  });
}

const providers = new Map([
  ...Object.entries(tenants).map(([letter, tid]) => [tid, provider(letter)]),
  ['common', provider('common')],
]);

server.on('request', (req, res) => {
  const match = /^\/([^/]+)\/v2\.0(\/.*)?$/.exec(req.url);
  const target = match && providers.get(match[1]);
  if (!target) {
    res.writeHead(404).end();
    return;
  }
  req.originalUrl = req.url;
  req.url = match[2] ?? '/';
  target.callback()(req, res);
});

process.stdout.write(`${JSON.stringify({ authority, tenants, kid, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) })}\n`);
