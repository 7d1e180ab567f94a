// The sign-in benchmark: authenticated GET /v1/me with a real provider's RS256 token against
// GET /healthz on the same server, with wrk, in one run. Like the task pane, every request sends
// the same token: the server validates it once and then finds it among the validated tokens
// (addin-server/src/auth/cache.rs), checking its tenant each time.
//
// Run it with scripts/bench.sh auth, which builds the release server. It starts the OpenID
// provider of the tests (tests/support/oidc-provider.mjs) and the server on loopback (plain HTTP,
// so that TLS does not dominate both sides), then runs wrk on each route. Figures go to stdout and
// to target/bench/auth.json.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../tests/support/paths.mjs';

const CLIENT_ID = '6c1f2a9e-5b0d-4e3f-8a7b-9c8d7e6f5a4b';
const DURATION = process.env.ADDIN_BENCH_SECONDS ?? '10';

const firstLine = (child) =>
  new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready`)));
  });
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const children = [];
const data = mkdtempSync(join(tmpdir(), 'addin-bench-'));
try {
  const provider = spawn(process.execPath, [join(ROOT, 'tests/support/oidc-provider.mjs'), CLIENT_ID], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(provider);
  const { authority, tenants } = JSON.parse(await firstLine(provider));
  const response = await fetch(`${authority}/${tenants.a}/v2.0/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('alice@a:secret').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'access_as_user' }),
  });
  const token = (await response.json()).access_token;

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(join(ROOT, 'target/release/addin-server'), ['serve', '--assets-dir', join(ROOT, 'target/taskpane')], {
    env: {
      PATH: process.env.PATH,
      RUST_LOG: 'warn',
      ADDIN_LISTEN: `127.0.0.1:${port}`,
      ADDIN_INSECURE_HTTP: 'true',
      ADDIN_DATA_DIR: data,
      ADDIN_AUTHORITY: authority,
      ADDIN_CLIENT_ID: CLIENT_ID,
      ADDIN_ALLOWED_TENANTS: tenants.a,
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  children.push(server);
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      if (i > 100) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  if (me.status !== 200) throw new Error(`GET /v1/me answered ${me.status}: ${await me.text()}`);

  const wrk = (path, headers = []) => {
    const out = execFileSync('wrk', ['-t2', '-c32', `-d${DURATION}s`, '--latency', ...headers, `${base}${path}`], {
      encoding: 'utf8',
    });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
    const scale = { us: 1e-3, ms: 1, s: 1e3 };
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    return { rps, p99Ms: Number(p99[1]) * scale[p99[2]], non2xx };
  };
  const health = wrk('/healthz');
  const authed = wrk('/v1/me', ['-H', `Authorization: Bearer ${token}`]);
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
