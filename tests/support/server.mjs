// Starts the real addin-server binary for black-box tests: a fresh data directory, a free
// loopback port, the trunk-built task pane. Resolves once the server says it is running.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TARGET } from './paths.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * With `insecureHttp`, it serves plain HTTP on 127.0.0.1 (ADDIN_INSECURE_HTTP), which lets it
 * accept the test OpenID provider's http:// authority.
 * @param {{ env?: Record<string,string>, binary?: string, insecureHttp?: boolean }} options
 * @returns {Promise<{ url: string, dataDir: string, output: () => string, stop: () => Promise<number|null> }>}
 */
export async function startServer(options = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'addin-test-'));
  const binary = options.binary ?? process.env.ADDIN_SERVER_BIN ?? join(TARGET, 'debug', 'addin-server');
  const url = options.insecureHttp ? `http://127.0.0.1:${port}` : `https://localhost:${port}`;
  const child = spawn(binary, ['serve', '--assets-dir', join(TARGET, 'taskpane')], {
    env: {
      PATH: process.env.PATH,
      RUST_LOG: 'warn',
      ADDIN_LISTEN: `127.0.0.1:${port}`,
      ADDIN_PUBLIC_URL: url,
      ADDIN_DATA_DIR: dataDir,
      ...(options.insecureHttp ? { ADDIN_INSECURE_HTTP: 'true' } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));

  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`addin-server did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      if (out.includes('Press Ctrl-C to stop.')) { clearTimeout(timer); resolve(); }
    };
    child.stdout.on('data', check);
    exited.then((code) => { clearTimeout(timer); reject(new Error(`addin-server exited with ${code}:\n${out}`)); });
  });

  return {
    url,
    dataDir,
    output: () => out,
    /** Stops it as Ctrl-C would; resolves with the exit code. */
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
