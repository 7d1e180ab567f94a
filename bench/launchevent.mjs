// The Outlook send-time check's decision time: from Send (the handler called) to
// event.completed, for mails of 10 KB, 100 KB and 1 MB, with a dictionary of 10,000 terms
// published on the release server, on both of the handler's paths: WebAssembly (node, with
// /launchevent.js) and wasm2js (node --jitless, where WebAssembly does not exist, with
// /launchevent-classic.js, which carries the wasm2js scanner, as classic Outlook runs it). The
// handlers are the ones the server serves, run by tests/js/launchevent-runner.mjs with its test
// double of Outlook.
//
// Cold: the first Send in a fresh runtime, with loading the handler's script (fetching and
// instantiating the scanner, fetching the dictionary and compiling it, then scanning). Warm: the median of the next RUNS Sends of the
// same mail (the dictionary revalidated with its ETag, the compiled scanner reused). Figures go
// to stdout and target/bench/launchevent.json. Run it with scripts/bench.sh launchevent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGET } from '../tests/support/paths.mjs';
import { runLaunchEvent } from '../tests/support/mail-corpus.mjs';
import { publishDictionary, startWorld } from '../tests/support/world.mjs';

const TERMS = 10_000;
const SIZES = [10 * 1024, 100 * 1024, 1024 * 1024];
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'an', 'or', 'el', 'is', 'um'];

/** The `n`th made-up word: four syllables, the base-14 digits of `n` (distinct for n < 38,416). */
function word(n) {
  let w = '';
  for (let i = 0, x = n; i < 4; i++, x = Math.floor(x / SYLLABLES.length)) w += SYLLABLES[x % SYLLABLES.length];
  return w;
}

function dictionary() {
  const entries = [];
  for (let i = 0; i < TERMS; i++) {
    const phrase = i % 3 === 0;
    entries.push({
      id: `t${i}`,
      pattern: phrase ? `${word(i)} ${word(i + TERMS)}` : word(i),
      kind: phrase ? 'phrase' : 'word',
      category: 'projects',
    });
  }
  return {
    version: 1,
    categories: [
      { id: 'projects', label: { en: 'Project names' }, severity: 'warn' },
      { id: 'cards', label: { en: 'Payment card numbers' }, severity: 'warn', detectors: ['payment_card'] },
    ],
    entries,
  };
}

function mail(bytes, terms) {
  let body = '';
  // Words of the same shape that are not in the dictionary (numbers past its terms).
  for (let i = 0; body.length < bytes; i++) body += `${word(2 * TERMS + (i % 9000))} ${word(3 * TERMS + (i % 8000))} the quarterly report is attached, regards. `;
  const middle = Math.floor(bytes / 2);
  body = `${body.slice(0, middle)} ${terms[0]} card 4556 7375 8689 9855 ${body.slice(middle, bytes)}`;
  return { name: `${bytes / 1024} KB`, subject: 'Report', body };
}

let world;
try {
  world = await startWorld({ binary: join(TARGET, 'release', 'addin-server'), tenants: ['a'] });
  const { server } = world;
  const token = world.tokens.alice;
  const dict = dictionary();
  await publishDictionary(world, dict);
  const terms = [dict.entries[1].pattern];

  const results = {};
  const paths = [['wasm', [], '/launchevent.js'], ['wasm2js', ['--jitless'], '/launchevent-classic.js']];
  for (const [path, flags, script] of paths) {
    results[path] = {};
    for (const bytes of SIZES) {
      const m = mail(bytes, terms);
      console.error(`  ${path} ${m.name}...`);
      const report = await runLaunchEvent(flags, { origin: server.url, token, script, mails: [m], repeat: RUNS + 1 });
      const outcomes = new Set(report.results.map((r) => JSON.stringify(r.calls)));
      if (outcomes.size !== 1 || report.results[0].calls[0].allowEvent !== false) {
        throw new Error(`${path} ${m.name}: unexpected decisions ${[...outcomes].join(' | ')}`);
      }
      const ms = report.results.map((r) => r.ms);
      results[path][m.name] = { coldMs: report.loadMs + ms[0], warmMs: median(ms.slice(1)) };
    }
  }
  console.log(`Outlook send-time check: ${TERMS} dictionary terms, decision time (Send to event.completed), node`);
  console.log('                 wasm cold   wasm warm   wasm2js cold   wasm2js warm');
  for (const bytes of SIZES) {
    const name = `${bytes / 1024} KB`;
    const w = results.wasm[name];
    const j = results.wasm2js[name];
    console.log(`  ${name.padEnd(9)} ${w.coldMs.toFixed(0).padStart(8)} ms ${w.warmMs.toFixed(1).padStart(8)} ms ${j.coldMs.toFixed(0).padStart(11)} ms ${j.warmMs.toFixed(1).padStart(11)} ms`);
  }
  mkdirSync(join(TARGET, 'bench'), { recursive: true });
  writeFileSync(join(TARGET, 'bench', 'launchevent.json'), JSON.stringify({ terms: TERMS, runs: RUNS, results }, null, 2));
} finally {
  await world?.stop();
}
