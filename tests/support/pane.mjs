// Opening the task pane in Chromium as Word would: Microsoft's office.js is answered with the
// TEST DOUBLE of Office.js and Word (tests/browser/office-double.js), configured per page.
// Shared by the browser tests and the task pane benchmark.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contract } from './contract.mjs';
import { ROOT } from './paths.mjs';

/** Where the task pane loads Office.js from. */
export const OFFICE_JS = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
/** The test double's source. */
export const OFFICE_DOUBLE = readFileSync(join(ROOT, 'tests/browser/office-double.js'), 'utf8');

/** Makes `page` load the test double, configured with `config`, in place of office.js. */
export async function useOfficeDouble(page, config) {
  await page.route(OFFICE_JS, (route) => route.fulfill({ contentType: 'text/javascript', body: OFFICE_DOUBLE }));
  await page.addInitScript((c) => {
    window.__officeDouble = c;
  }, config);
}

const checkers = new Map();

/**
 * Routes the page's calls to the API (`/v1/...`) through the contract check: each answer is
 * fetched, checked against the server's OpenAPI document, then handed to the page unchanged,
 * so that a problem is recorded before the page acts on the answer.
 */
export async function checkAnswers(page, baseUrl, problems) {
  if (!checkers.has(baseUrl)) {
    // Through the page's own context, which accepts the server's development certificate.
    const answer = await page.request.get(`${baseUrl}/openapi.json`);
    if (!answer.ok()) throw new Error(`GET /openapi.json answered ${answer.status()}`);
    checkers.set(baseUrl, contract(await answer.json()));
  }
  const check = checkers.get(baseUrl);
  await page.route(`${baseUrl}/v1/**`, async (route) => {
    const response = await route.fetch();
    const request = route.request();
    problems.push(...check(request.method(), request.url(), response.status(), await response.text()));
    await route.fulfill({ response });
  });
}

/**
 * Opens `${baseUrl}/taskpane.html` in a new page of `browser` with the double configured with
 * `config` (token, document, displayLanguage...), in a task pane's size. Resolves once the pane
 * has signed in (or, with `signedIn: false`, failed to). `problems` collects page errors,
 * console errors other than refused requests, and answers of the API that its OpenAPI document
 * does not describe (`checkAnswers`; `contract: false` skips that, for the benchmark).
 */
export async function openPane(browser, baseUrl, config, { signedIn = true, contract: checked = true } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  if (checked) await checkAnswers(page, baseUrl, problems);
  await useOfficeDouble(page, config);
  await page.setViewportSize({ width: 360, height: 760 });
  await page.goto(`${baseUrl}/taskpane.html`);
  await page.waitForSelector(`body[data-signed-in="${signedIn}"]`, { timeout: 30_000 });
  return { page, problems };
}

/** The double's document as it is now. */
export const documentOf = (page) => page.evaluate(() => window.__officeDouble.document);

/** Waits until the status line matches `pattern`; resolves with its text. */
export async function waitStatus(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.getElementById('status').textContent),
    pattern.source,
    { timeout: 30_000 },
  );
  return page.textContent('#status');
}

/** `n` paragraphs of varied formatting, as a Word document holds them. */
export function paragraphs(n) {
  const blocks = [];
  for (let i = 0; i < n; i++) {
    blocks.push({
      type: 'p',
      ...(i % 5 === 0 ? { style: 'Heading2' } : {}),
      runs: [
        { text: `Section ${i + 1}. `, bold: true },
        { text: 'The figures for this quarter are confidential until the board has met; ' },
        { text: 'do not forward', italic: true, color: 'C00000' },
        { text: ' this paragraph outside the project team. Les chiffres restent confidentiels.' },
      ],
    });
  }
  return blocks;
}
