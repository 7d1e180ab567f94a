// The test SMTP server (tests/support/smtp-server.mjs, npm smtp-server) for the browser tests:
// started without TLS on loopback (the server accepts clear text only to a relay on this
// machine), its messages read back from the directory it writes them to.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './paths.mjs';

/** Starts the server; resolves with `{ url, messages(), waitFor(pred), stop() }`. */
export async function startMailbox() {
  const maildir = mkdtempSync(join(tmpdir(), 'addin-mail-'));
  const child = spawn(process.execPath, [join(ROOT, 'tests/support/smtp-server.mjs')], {
    env: { PATH: process.env.PATH, SMTP_MAILDIR: maildir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the SMTP server exited with ${code}`)));
  });
  const { port } = JSON.parse(line);
  const messages = () => readdirSync(maildir).sort().map((f) => JSON.parse(readFileSync(join(maildir, f), 'utf8')));
  return {
    url: `smtp://127.0.0.1:${port}?tls=none`,
    messages,
    /** The first message `pred` accepts, waiting up to 10 s for it. */
    async waitFor(pred) {
      for (let i = 0; i < 200; i++) {
        const found = messages().find(pred);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no such mail arrived');
    },
    stop: () => child.kill(),
  };
}

/** The passcode in a mail's text: its only run of eight digits. */
export const passcodeIn = (mail) => /\b\d{8}\b/.exec(mail.text)?.[0];
