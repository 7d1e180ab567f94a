// The key broker benchmark: unwrapping data keys (POST /v1/keys/unwrap) against GET /healthz on
// the same server, with wrk, for each store engine (SQLite, then PostgreSQL) in one run. Every
// unwrap writes an audit record that the group-commit writer commits before the answer, so this
// measures the broker together with its store.
//
// For each engine: alice creates KEYS keys for bob (another tenant); then wrk runs GET /healthz
// (the baseline), an unwrap of one key per request as bob cycling through the keys (with the
// usual connections, then with MANY, as from a larger crowd of clients), and an unwrap of BATCH
// keys per request; the batch's latency is also timed with sequential requests from here, each
// followed by a timed GET /healthz (how noisy the machine is meanwhile). The server's RSS
// (VmRSS) is read when idle after start and sampled during the wrk runs, and the processor time
// it (and, on PostgreSQL, the cluster) used during each wrk run is divided by the requests it
// served: the cost of one request, which other load on a shared machine disturbs less than
// requests/s do.
// The tokens are minted beforehand, and every key is checked to unwrap for bob before the
// measurement, so every request under wrk is a release; any that fails (a non-2xx answer or a
// socket error) stops the benchmark.
//
// Then the store floor (bench/store-floor) runs the same measurements on each engine: the
// store's part of an unwrap alone (read the key, append and commit its audit record) behind a
// bare route, through the broker's own store (sqlx) and, on SQLite, through rusqlite with no
// driver thread, with and without the audit log's index by key. Its unwrap's processor time
// beyond its own /healthz is the least the store adds to an unwrap, which puts the broker's
// processor-time ratio to /healthz at about H / (H + that) at best, H being the broker's
// /healthz time.
//
// Run it with scripts/bench.sh keys, which builds the release server and the floor and starts
// a throwaway PostgreSQL cluster (scripts/postgres.sh) whose URL it passes as
// ADDIN_TEST_POSTGRES_URL; without that variable only SQLite is measured. Like auth.mjs it starts the OpenID provider of
// the tests and the server on loopback (plain HTTP). ADDIN_BENCH_SECONDS sets the seconds per wrk
// run (10 by default). Figures go to stdout and to target/bench/keys.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../tests/support/paths.mjs';
import { CLIENT_ID, CONNECTIONS, DURATION, THREADS, cpuSeconds, cpuSecondsOfCommand, mintToken, rssKiB, startProvider, startServer, wrk } from './support.mjs';

const KEYS = 1000; // keys created per engine
const BATCH = 50; // keys per request in the batch measurement
const SERIAL = 200; // sequential batch requests timed (after SERIAL / 10 untimed)
const CREATORS = 16; // concurrent create requests during setup
const BOB = 'bob@fabrikam.example';
const MANY = 128; // connections of the second one-key run: more clients, bigger group commits
const FLOOR = join(ROOT, 'target/release/store-floor');

const children = [];
const tmp = mkdtempSync(join(tmpdir(), 'addin-bench-keys-'));

const post = async (base, path, token, body, want) => {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== want) throw new Error(`POST ${path} answered ${response.status}, not ${want}: ${text}`);
  return JSON.parse(text);
};

/** Checks that an unwrap answer released every key asked for. */
const released = (answer, ids) => {
  const bad = answer.results.filter((r) => !r.key);
  if (bad.length > 0 || answer.results.length !== ids.length) {
    throw new Error(`unwrap refused ${bad.length} of ${ids.length} keys, e.g. ${JSON.stringify(bad[0])}`);
  }
};

/** A wrk script posting the given bodies in turn (to the URL wrk is given), each thread from its own place. */
const unwrapScript = (name, token, bodies) => {
  const path = join(tmp, name);
  const lua = `-- Written by bench/keys.mjs: POST, each request the next of ${bodies.length} unwrap bodies.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer ${token}"
wrk.headers["Content-Type"] = "application/json"
local bodies = {
${bodies.map((b) => `  '${b}',`).join('\n')}
}
local threads = 0
function setup(thread)
  thread:set("start", (threads * 499) % #bodies)
  threads = threads + 1
end
local i = 0
function init(args)
  i = start or 0
end
function request()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
`;
  writeFileSync(path, lua);
  return path;
};

const round = (v) => Math.round(v * 1000) / 1000;
/** `ids` in consecutive batches of BATCH (the remainder left out). */
const batchesOf = (ids) => Array.from({ length: Math.floor(ids.length / BATCH) }, (_, i) => ids.slice(i * BATCH, (i + 1) * BATCH));
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

/**
 * Times SERIAL unwraps of the given batches at `url`, one at a time (after SERIAL / 10 untimed),
 * each followed by a GET of `healthUrl`, timed too: the bare endpoint's tail, sampled just after
 * each unwrap, shows how noisy the machine is meanwhile.
 */
async function serialLatency(url, healthUrl, token, batches) {
  const times = [];
  const health = [];
  for (let n = 0; n < SERIAL + SERIAL / 10; n++) {
    const batch = batches[n % batches.length];
    let t = performance.now();
    const answer = await post(url, '', token, { keyIds: batch }, 200);
    const ms = performance.now() - t;
    released(answer, batch);
    t = performance.now();
    const ok = (await fetch(healthUrl)).ok;
    const healthMs = performance.now() - t;
    if (!ok) throw new Error(`GET ${healthUrl} failed`);
    if (n >= SERIAL / 10) {
      times.push(ms);
      health.push(healthMs);
    }
  }
  const summary = (list) => {
    list.sort((a, b) => a - b);
    return { medianMs: round(quantile(list, 0.5)), p99Ms: round(quantile(list, 0.99)), requests: list.length };
  };
  return { ...summary(times), health: summary(health) };
}

/**
 * Awaits the wrk run `run` and adds the processor time process `pid` spent per request meanwhile
 * and, when `postgres`, that of the PostgreSQL cluster's processes.
 */
async function perRequestCpu(pid, run, postgres) {
  const before = cpuSeconds(pid);
  const pgBefore = postgres ? cpuSecondsOfCommand('postgres') : 0;
  const result = await run;
  result.serverCpuUsPerRequest = round(((cpuSeconds(pid) - before) * 1e6) / result.requests);
  if (postgres) result.postgresCpuUsPerRequest = round(((cpuSecondsOfCommand('postgres') - pgBefore) * 1e6) / result.requests);
  return result;
}

/**
 * The store floor (bench/store-floor) on `database` (of `engine`), with `args`: its own GET
 * /healthz and a one-key unwrap under wrk, each with its processor time per request, and the
 * batch's latency one request at a time. What its unwrap costs beyond its /healthz is the least
 * the store's part of an unwrap costs on this machine.
 */
async function measureFloor(name, engine, database, args) {
  const floor = spawn(FLOOR, ['--database', database, '--keys', String(KEYS), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(floor);
  let out = '';
  floor.stderr.setEncoding('utf8').on('data', (d) => (out = (out + d).slice(-8192)));
  try {
    const base = await new Promise((resolve, reject) => {
      let said = '';
      floor.stdout.setEncoding('utf8').on('data', (d) => {
        said += d;
        const url = /listening on (\S+)/.exec(said)?.[1];
        if (url) resolve(url);
      });
      floor.once('exit', (code) => reject(new Error(`the store floor (${name}) exited with ${code}:\n${said}${out}`)));
    });
    const ids = await (await fetch(`${base}/ids`)).json();
    const batches = batchesOf(ids);
    const serial = await serialLatency(`${base}/unwrap`, `${base}/healthz`, '', batches);
    const postgres = engine === 'postgres';
    const health = await perRequestCpu(floor.pid, wrk(`${base}/healthz`, [], `store floor, ${name}: GET /healthz`), postgres);
    const one = unwrapScript(`floor-${name.replace(/\W+/g, '-')}.lua`, '', ids.map((id) => JSON.stringify({ keyIds: [id] })));
    const single = await perRequestCpu(floor.pid, wrk(`${base}/unwrap`, ['-s', one], `store floor, ${name}: unwrap of one key`), postgres);
    return {
      health,
      single: { ...single, vsHealth: round(single.rps / health.rps) },
      storeCpuUsPerRequest: round(single.serverCpuUsPerRequest - health.serverCpuUsPerRequest),
      serial,
    };
  } finally {
    floor.kill();
    await new Promise((r) => (floor.exitCode !== null ? r() : floor.once('exit', r)));
  }
}

async function measure(engine, env, tokens, provider) {
  const data = join(tmp, engine);
  mkdirSync(data);
  const { server, base, output, log } = await startServer(
    {
      ADDIN_DATA_DIR: data,
      ADDIN_AUTHORITY: provider.authority,
      ADDIN_CLIENT_ID: CLIENT_ID,
      ADDIN_ALLOWED_TENANTS: `${provider.tenants.a},${provider.tenants.b}`,
      ...env,
    },
    children,
  );
  try {
    await new Promise((r) => setTimeout(r, 500));
    const rssIdleKiB = rssKiB(server.pid);

    // Setup: alice creates the keys for bob, CREATORS at a time.
    const ids = [];
    const created = performance.now();
    await Promise.all(
      Array.from({ length: CREATORS }, async () => {
        while (ids.length < KEYS) {
          const slot = ids.push(null) - 1;
          ids[slot] = (await post(base, '/v1/keys', tokens.alice, { recipients: [BOB] }, 201)).keyId;
        }
      }),
    );
    const setupSeconds = round((performance.now() - created) / 1000);
    // Every key unwraps for bob, so every unwrap under wrk is a release.
    for (let i = 0; i < ids.length; i += 250) {
      const some = ids.slice(i, i + 250);
      released(await post(base, '/v1/keys/unwrap', tokens.bob, { keyIds: some }, 200), some);
    }
    const batches = batchesOf(ids);

    // The batch's latency, one request at a time from here.
    const serial = await serialLatency(`${base}/v1/keys/unwrap`, `${base}/healthz`, tokens.bob, batches);

    // wrk, sampling the server's RSS meanwhile and counting the processor time it used.
    let rssLoadedMaxKiB = 0;
    const sampled = async (run) => {
      const timer = setInterval(() => {
        rssLoadedMaxKiB = Math.max(rssLoadedMaxKiB, rssKiB(server.pid));
      }, 100);
      try {
        return await perRequestCpu(server.pid, run, engine === 'postgres');
      } finally {
        clearInterval(timer);
        rssLoadedMaxKiB = Math.max(rssLoadedMaxKiB, rssKiB(server.pid));
      }
    };
    const health = await sampled(wrk(`${base}/healthz`, [], `${engine}: GET /healthz`));
    const one = unwrapScript(`${engine}-one.lua`, tokens.bob, ids.map((id) => JSON.stringify({ keyIds: [id] })));
    const single = await sampled(wrk(`${base}/v1/keys/unwrap`, ['-s', one], `${engine}: unwrap of one key`));
    const crowd = await sampled(wrk(`${base}/v1/keys/unwrap`, ['-s', one], `${engine}: unwrap of one key, ${MANY} connections`, MANY));
    const many = unwrapScript(`${engine}-batch.lua`, tokens.bob, batches.map((keyIds) => JSON.stringify({ keyIds })));
    const batch = await sampled(wrk(`${base}/v1/keys/unwrap`, ['-s', many], `${engine}: unwrap of ${BATCH} keys`));
    batch.keysPerSecond = Math.round(batch.rps * BATCH);
    const rssEndKiB = rssKiB(server.pid);

    if (server.exitCode !== null) throw new Error(`the ${engine} server exited with ${server.exitCode}:\n${output()}`);
    // What the server logged beyond the warning that it generated a master key.
    const said = log()
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .filter((line) => line.trim() && !line.includes('generated the master key file'));
    return {
      setup: { keys: KEYS, seconds: setupSeconds },
      health,
      single: { ...single, vsHealth: round(single.rps / health.rps) },
      crowd: { ...crowd, connections: MANY, vsHealth: round(crowd.rps / health.rps) },
      batch: { ...batch, vsHealth: round(batch.rps / health.rps) },
      serial,
      memory: { rssIdleKiB, rssLoadedMaxKiB, rssEndKiB },
      ...(said.length > 0 ? { serverLog: said.slice(-20) } : {}),
    };
  } finally {
    server.kill();
    await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  }
}

try {
  const provider = await startProvider(children);
  const tokens = {
    alice: await mintToken(provider.authority, provider.tenants.a, 'alice@a'),
    bob: await mintToken(provider.authority, provider.tenants.b, 'bob@b'),
  };

  const engines = { sqlite: { name: 'SQLite', env: {} } };
  const postgres = process.env.ADDIN_TEST_POSTGRES_URL;
  if (postgres) engines.postgres = { name: 'PostgreSQL', env: { ADDIN_DATABASE_URL: postgres } };
  else console.error('ADDIN_TEST_POSTGRES_URL is not set: measuring SQLite only (scripts/bench.sh keys starts a PostgreSQL cluster)');
  const results = {};
  for (const [engine, { env }] of Object.entries(engines)) results[engine] = await measure(engine, env, tokens, provider);
  // The store floor, in the same run: each writer on a database of its own.
  const floors = {
    "SQLite, the broker's store": ['sqlite', `sqlite://${join(tmp, 'floor-store.db')}`, []],
    'SQLite, rusqlite': ['sqlite', `sqlite://${join(tmp, 'floor-rusqlite.db')}`, ['--driver', 'rusqlite']],
    'SQLite, rusqlite, no key index': ['sqlite', `sqlite://${join(tmp, 'floor-noindex.db')}`, ['--driver', 'rusqlite', '--without-key-index']],
    ...(postgres ? { "PostgreSQL, the broker's store": ['postgres', postgres, []] } : {}),
  };
  const floorResults = {};
  for (const [name, [engine, database, args]] of Object.entries(floors)) {
    const floor = await measureFloor(name, engine, database, args);
    // The broker's unwrap does what its own /healthz does plus at least the floor's store work,
    // so its processor-time ratio to /healthz is about H / (H + store) at best (an estimate:
    // both are measured under noise; on PostgreSQL it covers the server's process only).
    const h = results[engine].health.serverCpuUsPerRequest;
    floor.brokerBestVsHealth = round(h / (h + floor.storeCpuUsPerRequest));
    floorResults[name] = { engine, ...floor };
  }

  const names = Object.keys(results);
  const row = (group, metric, f) =>
    console.log(`  ${group.padEnd(28)}${metric.padStart(14)}${names.map((e) => f(results[e], e).padStart(14)).join('')}`);
  const n = (v, d = 0) => v.toFixed(d);
  const pg = (v) => (v === undefined ? '-' : n(v, 1)); // PostgreSQL's own time: none on SQLite
  console.log(
    `key broker benchmark: wrk, ${THREADS} threads, ${CONNECTIONS} connections, ${DURATION} s per route, plain HTTP on loopback; ` +
      `${KEYS} keys per engine, unwrapped by a recipient in another tenant`,
  );
  row('', '', (_, e) => engines[e].name);
  row('GET /healthz', 'req/s', (r) => n(r.health.rps));
  row('', 'p99 ms', (r) => n(r.health.p99Ms, 2));
  row('', 'server CPU us', (r) => n(r.health.serverCpuUsPerRequest, 1));
  row('unwrap, 1 key', 'req/s', (r) => n(r.single.rps));
  row('', 'p99 ms', (r) => n(r.single.p99Ms, 2));
  row('', 'x /healthz', (r) => `${n(r.single.vsHealth, 2)}x`);
  row('', 'server CPU us', (r) => n(r.single.serverCpuUsPerRequest, 1));
  row('', 'x /healthz, CPU', (r) => `${n(r.health.serverCpuUsPerRequest / r.single.serverCpuUsPerRequest, 2)}x`);
  row('', 'PostgreSQL CPU us', (r) => pg(r.single.postgresCpuUsPerRequest));
  row(`unwrap, 1 key, ${MANY} conns.`, 'req/s', (r) => n(r.crowd.rps));
  row('', 'p99 ms', (r) => n(r.crowd.p99Ms, 2));
  row('', 'x /healthz', (r) => `${n(r.crowd.vsHealth, 2)}x`);
  row('', 'server CPU us', (r) => n(r.crowd.serverCpuUsPerRequest, 1));
  row('', 'PostgreSQL CPU us', (r) => pg(r.crowd.postgresCpuUsPerRequest));
  row(`unwrap, ${BATCH} keys`, 'req/s', (r) => n(r.batch.rps));
  row('', 'keys/s', (r) => n(r.batch.keysPerSecond));
  row('', 'server CPU us', (r) => n(r.batch.serverCpuUsPerRequest, 1));
  row('', 'p99 ms', (r) => n(r.batch.p99Ms, 2));
  row(`unwrap, ${BATCH} keys, sequential`, 'median ms', (r) => n(r.serial.medianMs, 2));
  row(`  (${SERIAL} requests)`, 'p99 ms', (r) => n(r.serial.p99Ms, 2));
  row('  GET /healthz after each', 'median ms', (r) => n(r.serial.health.medianMs, 2));
  row('', 'p99 ms', (r) => n(r.serial.health.p99Ms, 2));
  row('server RSS, idle', 'MiB', (r) => n(r.memory.rssIdleKiB / 1024, 1));
  row('  under wrk, max', 'MiB', (r) => n(r.memory.rssLoadedMaxKiB / 1024, 1));
  row(`setup: ${KEYS} creates`, 's', (r) => n(r.setup.seconds, 2));
  console.log('  goals (not asserted): >= 10000 unwraps/s of one key with p99 <= 20 ms, >= 0.5x /healthz, 50 keys in <= 5 ms');
  console.log(
    `store floor (bench/store-floor): the store's part of an unwrap alone, durably audited, behind a bare route; same wrk settings`,
  );
  const frow = (a, b, c, d, e, f, g, h) =>
    console.log(`  ${a.padEnd(34)}${b.padStart(10)}${c.padStart(10)}${d.padStart(10)}${e.padStart(10)}${f.padStart(12)}${g.padStart(12)}${h.padStart(16)}`);
  frow('', 'healthz', 'unwrap', 'unwrap', 'store', 'PostgreSQL', 'broker est.', `${BATCH} keys, seq.`);
  frow('', 'CPU us', 'CPU us', 'req/s', 'CPU us', 'CPU us', 'x /healthz', 'median/p99 ms');
  for (const [name, f] of Object.entries(floorResults)) {
    frow(
      name,
      n(f.health.serverCpuUsPerRequest, 1),
      n(f.single.serverCpuUsPerRequest, 1),
      n(f.single.rps),
      n(f.storeCpuUsPerRequest, 1),
      pg(f.single.postgresCpuUsPerRequest),
      `${n(f.brokerBestVsHealth, 2)}x`,
      `${n(f.serial.medianMs, 2)}/${n(f.serial.p99Ms, 2)}`,
    );
  }
  console.log(
    "  store = the floor's unwrap CPU - its /healthz CPU (server process); broker est. = broker /healthz CPU / (that + store):\n" +
      "  about the best processor-time ratio the broker's unwrap could reach were all but the store free (compare 'x /healthz, CPU' above)",
  );
  for (const e of names) {
    if (results[e].serverLog) console.log(`  ${engines[e].name} server said:\n    ${results[e].serverLog.join('\n    ')}`);
  }
  writeFileSync(
    join(ROOT, 'target/bench/keys.json'),
    JSON.stringify(
      { settings: { threads: THREADS, connections: CONNECTIONS, seconds: Number(DURATION), keys: KEYS, batch: BATCH }, ...results, floor: floorResults },
      null,
      2,
    ),
  );
} finally {
  for (const child of children) child.kill();
  rmSync(tmp, { recursive: true, force: true });
}
