// What the scanner benchmark measures, written once for both places it runs: node (scan.mjs
// imports this module) and a Chromium page (which imports it from the page's server). Nothing
// here may use node's modules.

/** Median seconds per call: two warm-up calls, then 5 to 200 calls or about 2 seconds. */
export function medianSeconds(f) {
  f();
  f();
  const times = [];
  const start = performance.now();
  while (times.length < 5 || (times.length < 200 && performance.now() - start < 2000)) {
    const t = performance.now();
    f();
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/**
 * Times `Scanner` (the module's class) on `text` with each `{ name, json }` dictionary, against
 * the baseline: every literal term in one case-insensitive alternation between `\b`, what a
 * typical add-in does. Also times the least any WebAssembly scan of a JavaScript string pays
 * before it starts: `TextEncoder.encodeInto` into a buffer that is already there (the string
 * has to be copied into the module's memory as UTF-8).
 */
export function measureScanner(Scanner, text, dictionaries) {
  const encoder = new TextEncoder();
  const buffer = new Uint8Array(text.length * 3);
  const copy = medianSeconds(() => encoder.encodeInto(text, buffer));
  const rows = dictionaries.map(({ name, json }) => {
    const compile = medianSeconds(() => new Scanner(json).free());
    const scanner = new Scanner(json);
    const findings = scanner.scan(text).findings.length;
    const scan = medianSeconds(() => scanner.scan(text));
    scanner.free();

    const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const terms = JSON.parse(json)
      .entries.filter((e) => e.kind !== 'regex')
      .map((e) => escape(e.pattern));
    let regexp;
    const baselineCompile = medianSeconds(() => {
      regexp = new RegExp(`\\b(?:${terms.join('|')})\\b`, 'gi');
      regexp.test('warm up the compiled code');
    });
    let baselineMatches = 0;
    const baseline = medianSeconds(() => {
      baselineMatches = 0;
      regexp.lastIndex = 0;
      while (regexp.exec(text) !== null) baselineMatches++;
    });
    return { name, findings, scan, compile, baseline, baselineCompile, baselineMatches };
  });
  return { copy, rows };
}
