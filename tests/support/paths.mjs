// Paths and facts the JavaScript tests share: where the builds are, and the version they carry.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TARGET = join(ROOT, 'target');
export const WASM_PKG = join(TARGET, 'wasm-pkg');

/** The workspace version, from the root Cargo.toml ([workspace.package]). */
export const VERSION = (() => {
  const toml = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  const section = toml.slice(toml.indexOf('[workspace.package]'));
  const match = /^version\s*=\s*"([^"]+)"/m.exec(section);
  if (!match) throw new Error('no version in [workspace.package] of Cargo.toml');
  return match[1];
})();
