// Runs a benchmark page in Chromium (Debian's, through tests/support/chromium.mjs), served by
// interception at http://localhost:9/, a secure context (WebCrypto is there), and returns what
// the page leaves in `window.results` (a promise or a value).
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { launchChromium } from '../tests/support/chromium.mjs';

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.xml': 'text/xml',
};

/**
 * Opens `html` at `/` and answers every other path with the file `file(path)` names. Resolves to
 * `{ results, userAgent }`.
 */
export async function runPage(html, file) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.route('http://localhost:9/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: TYPES['.html'], body: html });
      const name = file(path);
      return route.fulfill({ contentType: TYPES[extname(name)] ?? 'application/octet-stream', body: readFileSync(name) });
    });
    await page.goto('http://localhost:9/');
    return await page.evaluate(async () => ({ results: await window.results, userAgent: navigator.userAgent }));
  } finally {
    await browser.close();
  }
}
