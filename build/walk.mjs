// The one directory walk of the tooling: the library build (build.mjs), the XS bundles (xs/host.mjs, the
// firmware modules), the device build's XS smoke test (device/xs-smoke.mjs, the emitted modules), and the tests
// that list files (host-tests/build/device-build.test.ts, host-tests/docs/samples.test.ts).
//
// Jest loads this file as CommonJS (build/jest-transform.cjs): keep it free of import.meta and top-level await.
import fs from 'node:fs';
import { join } from 'node:path';

/**
 * Every file under `dir` that `keep` accepts, as posix paths relative to `dir` ('irq/core.ts'), sorted by code
 * unit (the same order on every machine and locale); none if `dir` does not exist. `keep` is given that
 * relative path. node_modules and dot directories (.git, ...) are not entered.
 *
 * @param {string} dir
 * @param {(path: string) => boolean} [keep]
 * @returns {string[]}
 */
export function filesUnder(dir, keep = () => true) {
  /** @type {string[]} */
  const found = [];
  /** @param {string} sub */
  const walk = (sub) => {
    for (const entry of fs.readdirSync(join(dir, sub), { withFileTypes: true })) {
      const path = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (!entry.isDirectory()) {
        if (keep(path)) found.push(path);
      } else if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
        walk(path);
      }
    }
  };
  if (fs.existsSync(dir)) walk('');
  return found.sort();
}
