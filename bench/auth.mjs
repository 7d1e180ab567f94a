// The sign-in benchmark: authenticated GET /v1/me with a real provider's RS256 token against
// GET /healthz on the same server, with wrk, in one run. Like the task pane, every request sends
// the same token: the server validates it once and then finds it among the validated tokens
// (addin-server/src/auth/cache.rs), checking its tenant each time.
//
// Run it with scripts/bench.sh auth, which builds the release server. It starts the OpenID
// provider of the tests (tests/support/oidc-provider.mjs) and the server on loopback (plain HTTP,
// so that TLS does not dominate both sides), then runs wrk on each route. Figures go to stdout and
// to target/bench/auth.json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../tests/support/paths.mjs';
import { CLIENT_ID, DURATION, mintToken, startProvider, startServer, wrk } from './support.mjs';

const children = [];
const data = mkdtempSync(join(tmpdir(), 'addin-bench-'));
try {
  const { authority, tenants } = await startProvider(children);
  const token = await mintToken(authority, tenants.a, 'alice@a');

  const { base } = await startServer(
    { ADDIN_DATA_DIR: data, ADDIN_AUTHORITY: authority, ADDIN_CLIENT_ID: CLIENT_ID, ADDIN_ALLOWED_TENANTS: tenants.a },
    children,
  );
  const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  if (me.status !== 200) throw new Error(`GET /v1/me answered ${me.status}: ${await me.text()}`);

  const health = await wrk(`${base}/healthz`);
  const authed = await wrk(`${base}/v1/me`, ['-H', `Authorization: Bearer ${token}`]);
  if (authed.non2xx > 0) throw new Error(`${authed.non2xx} authenticated requests failed`);

  console.log(`sign-in benchmark: wrk, 2 threads, 32 connections, ${DURATION} s per route, plain HTTP on loopback`);
  console.log(`  GET /healthz          ${health.rps.toFixed(0).padStart(8)} req/s   p99 ${health.p99Ms.toFixed(2)} ms`);
  console.log(`  GET /v1/me, one token ${authed.rps.toFixed(0).padStart(8)} req/s   p99 ${authed.p99Ms.toFixed(2)} ms`);
  console.log(`  ratio                 ${(authed.rps / health.rps).toFixed(2)}x throughput, ${(authed.p99Ms / health.p99Ms).toFixed(2)}x p99`);
  writeFileSync(join(ROOT, 'target/bench/auth.json'), JSON.stringify({ health, authed }, null, 2));
} finally {
  for (const child of children) child.kill();
  rmSync(data, { recursive: true, force: true });
}
