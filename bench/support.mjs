// What the server benchmarks (auth.mjs, keys.mjs) share: the OpenID provider of the tests and
// its tokens, the release server on plain HTTP loopback, and wrk with the same settings for every
// route (ADDIN_BENCH_SECONDS sets how long each route runs, 10 s by default; ADDIN_BENCH_SERVER
// names another server binary, to compare a build against target/release/addin-server).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../tests/support/paths.mjs';
import { freePort } from '../tests/support/server.mjs';

export { CLIENT_ID, mintToken, startProvider } from '../tests/support/provider.mjs';

export const DURATION = process.env.ADDIN_BENCH_SECONDS ?? '10';
export const THREADS = 2;
export const CONNECTIONS = 32;

/**
 * Starts target/release/addin-server (or ADDIN_BENCH_SERVER) on a free loopback port, plain
 * HTTP, with `env` on top of ADDIN_LISTEN and ADDIN_INSECURE_HTTP (added to `children`), and
 * resolves once GET /healthz answers. `output()` is the end of what it printed, for error
 * messages; `log()` the end of its log (standard error: warnings and errors with RUST_LOG=warn).
 */
export async function startServer(env, children) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const binary = process.env.ADDIN_BENCH_SERVER ?? join(ROOT, 'target/release/addin-server');
  const server = spawn(binary, ['serve', '--assets-dir', join(ROOT, 'target/taskpane')], {
    env: {
      PATH: process.env.PATH,
      RUST_LOG: 'warn',
      ADDIN_LISTEN: `127.0.0.1:${port}`,
      ADDIN_INSECURE_HTTP: 'true',
      // wrk sends one user's requests by the thousand: the limits stay in the path (their cost
      // is measured) but a million times wider, so they never trip.
      ADDIN_RATE_LIMIT_SCALE: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(server);
  let out = '';
  let log = '';
  server.stdout.on('data', (d) => {
    out = (out + d).slice(-65536);
  });
  server.stderr.on('data', (d) => {
    out = (out + d).slice(-65536);
    log = (log + d).slice(-65536);
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (i > 100 || server.exitCode !== null) throw new Error(`the server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { server, base, output: () => out, log: () => log };
}

/** Clock ticks per second of /proc/<pid>/stat's times. */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The user and system time in a /proc/<pid>/stat text, in seconds. */
const statSeconds = (stat) => {
  // The fields after the command name (which may hold spaces), from the state (field 3) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
};

/**
 * The processor time process `pid` has used, in seconds (user and system, all its threads; from
 * /proc/<pid>/stat). Divided by the requests served meanwhile, it gives what one request costs
 * the server, a figure that other load on a shared machine disturbs far less than requests/s.
 */
export const cpuSeconds = (pid) => statSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/**
 * The processor time all processes named `command` have used, in seconds (e.g. `postgres`: the
 * PostgreSQL cluster's backends, which do a share of each request's work outside the server).
 */
export const cpuSecondsOfCommand = (command) => {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // It exited meanwhile.
    }
    if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === command) total += statSeconds(stat);
  }
  return total;
};

/** The resident set size of process `pid` in KiB (VmRSS in /proc/<pid>/status). */
export const rssKiB = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/**
 * Runs wrk on `url` (THREADS threads, `connections` connections, CONNECTIONS by default,
 * DURATION seconds, with `args` such as headers or a Lua script); resolves with requests/s, the
 * p99 latency in ms, the number of requests and the number of non-2xx/3xx answers. With
 * `failing`, it rejects, naming it, when any request failed (a non-2xx/3xx answer, or a socket
 * error: connect, read, write or timeout).
 */
export function wrk(url, args = [], failing, connections = CONNECTIONS) {
  const child = spawn('wrk', [`-t${THREADS}`, `-c${connections}`, `-d${DURATION}s`, '--latency', ...args, url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${out}${err}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const requests = Number(/(\d+) requests in /.exec(out)?.[1]);
      const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
      const scale = { us: 1e-3, ms: 1, s: 1e3 };
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
      if (failing) {
        const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
        const errors = socket ? socket.slice(1).reduce((a, n) => a + Number(n), 0) : 0;
        if (non2xx > 0 || errors > 0 || !p99) {
          return reject(new Error(`${failing}: ${non2xx} non-2xx answers, ${errors} socket errors; wrk said:\n${out}${err}`));
        }
      }
      resolve({ rps, p99Ms: Number(p99[1]) * scale[p99[2]], requests, non2xx });
    });
  });
}
