// Mails for the Outlook send-time check: what each holds and what Send must do with it, under
// the tenant dictionary DICTIONARY (published by the tests) or the starter dictionary.
// `values` are the sensitive strings the warning must never repeat. Also how the tests and the
// benchmark run the handler over mails.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.mjs';

/** The organisation's dictionary the tests publish for tenant a. */
export const DICTIONARY = {
  version: 1,
  categories: [
    { id: 'projects', label: { en: 'Secret projects', fr: 'Projets secrets' }, severity: 'block' },
    { id: 'cards', label: { en: 'Payment card numbers', fr: 'Numéros de carte' }, severity: 'warn', detectors: ['payment_card'] },
    { id: 'banks', label: { en: 'Bank accounts', fr: 'Comptes bancaires' }, severity: 'warn', detectors: ['iban'] },
  ],
  entries: [{ id: 'orion', pattern: 'projet orion', kind: 'phrase', category: 'projects' }],
};

export const CORPUS = [
  { name: 'clean', subject: 'Lunch on Friday?', body: 'See you at noon.', expect: 'allow' },
  { name: 'empty', subject: '', body: '', expect: 'allow' },
  {
    name: 'card',
    subject: 'Order 1182',
    body: 'Please charge card 4556 7375 8689 9855 for the order.',
    expect: 'warn',
    categories: ['Payment card numbers (1)'],
    values: ['4556 7375 8689 9855', '4556737586899855', '9855'],
  },
  {
    name: 'project',
    subject: 'Projet ORION',
    body: 'Le projet Orion démarre lundi.',
    expect: 'block',
    categories: ['Secret projects (2)'],
    values: ['Projet ORION', 'projet Orion'],
  },
  {
    name: 'iban and card after emoji and accents',
    subject: 'Virement',
    body: '😀 Café ☕ — numéro de carte : 4556737586899855, IBAN FR14 2004 1010 0505 0001 3M02 606.',
    expect: 'warn',
    categories: ['Payment card numbers (1)', 'Bank accounts (1)'],
    values: ['4556737586899855', 'FR14 2004 1010 0505 0001 3M02 606'],
  },
  {
    name: 'french',
    language: 'fr-FR',
    subject: 'Carte',
    body: 'Ma carte : 4556 7375 8689 9855',
    expect: 'warn',
    categories: ['Numéros de carte (1)'],
    values: ['4556 7375 8689 9855'],
  },
  { name: 'body unreadable', subject: 'x', body: null, expect: 'failed' },
];

/**
 * Runs tests/js/launchevent-runner.mjs in a child node with `flags` (e.g. --jitless) and
 * `input` (`{ origin, token, offline?, mails?, repeat? }`); resolves with its report.
 */
export function runLaunchEvent(flags, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, join(ROOT, 'tests/js/launchevent-runner.mjs')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the runner exited with ${code}:\n${err}`));
      else resolve(JSON.parse(out));
    });
    child.stdin.end(JSON.stringify(input));
  });
}
