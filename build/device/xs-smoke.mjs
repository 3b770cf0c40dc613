// The library build in the real XS engine: bundles the ES modules the build emitted (build/out/device/, or the
// directory given) with host-tests/build/xs-smoke-entry.ts into one script for an xsnap worker, keeping each
// module a module (the entry imports every one as a namespace, so each module's exports can be hardened as
// preload freezes them), and runs it.
//
//   node build/device/xs-smoke.mjs [--json] [OUTDIR]
//
// Moddable built-ins (embedded:*, timer, time) do not exist here: each is a stub that throws when called or
// constructed. A module body that calls one while it loads fails, as it would fail to preload on the build
// machine ("native functions cannot be called during preload"). The apps' `main` modules are not part of the
// library: they run on the board, against the real hardware.
import { build } from 'esbuild';
import fs from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root, startWorker } from '../xs/host.mjs';
import { DEVICE_OUT, isModdableBuiltin } from './manifest.mjs';

const TIME_LIMIT_MS = 60_000;

/** The emitted modules by specifier: { 'genirq/irq/core': '/abs/.../genirq/irq/core.js', ... }. */
export function emittedModules(dir) {
  const outdir = resolve(dir);
  const found = {};
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) {
        const file = relative(outdir, path).split(sep).join('/');
        found[file.slice(0, -3)] = path;
      }
    }
  };
  walk(outdir);
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => a.localeCompare(b)));
}

const stub = (specifier) => `
const specifier = ${JSON.stringify(specifier)};
function fail(what) {
  throw new Error(specifier + ": " + what + " while the modules load: a Moddable built-in, which preload cannot call either");
}
function stub(path) {
  return new Proxy(function () {}, {
    get(target, key) {
      if (key === "prototype") return target.prototype;
      if (typeof key === "symbol") return undefined;
      return stub(path + "." + key);
    },
    apply() { fail("called " + path + "()"); },
    construct() { fail("new " + path + "()"); },
  });
}
export default stub(specifier);
`;

export async function bundleEmitted(outdir) {
  const modules = emittedModules(resolve(outdir));
  const names = Object.keys(modules);
  const contents = [
    ...names.map((name, i) => `import * as m${i} from ${JSON.stringify(name)};`),
    `import { main } from "./host-tests/build/xs-smoke-entry.ts";`,
    `main({ ${names.map((name, i) => `${JSON.stringify(name)}: m${i}`).join(', ')} });`,
  ].join('\n');
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'xs-smoke.js', loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    banner: { js: '"use strict";' },
    write: false,
    logLevel: 'silent',
    plugins: [{
      name: 'emitted-modules',
      setup(b) {
        // The emitted modules import each other by specifier: map each to its file.
        b.onResolve({ filter: /.*/ }, (args) => {
          if (Object.hasOwn(modules, args.path)) return { path: modules[args.path] };
          if (isModdableBuiltin(args.path)) return { path: args.path, namespace: 'moddable-stub' };
          return undefined;
        });
        b.onLoad({ filter: /.*/, namespace: 'moddable-stub' }, (args) => ({ contents: stub(args.path), loader: 'js' }));
      },
    }],
  });
  return { code: result.outputFiles[0].text, modules: names };
}

export async function runSmoke(outdir = join(root, DEVICE_OUT)) {
  const { code, modules } = await bundleEmitted(outdir);
  const messages = [];
  const worker = await startWorker({ name: 'device-build-smoke', onMessage: (m) => messages.push(m), stdout: 'inherit' });
  let error;
  let timer;
  try {
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish within ${TIME_LIMIT_MS} ms`)), TIME_LIMIT_MS);
    });
    await Promise.race([worker.evaluate(code), timeout]);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
    if (error === undefined) await worker.close().catch(() => {});
    else await worker.terminate().catch(() => {});
  }
  const report = messages.find((m) => m.type === 'report');
  if (report === undefined && error === undefined) error = 'the smoke program went idle without reporting';
  const ok = error === undefined && report.error === undefined && report.notFrozen.length === 0 && report.checks.every((c) => c.ok);
  return { ok, error, modules, report };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const dir = args.find((a) => !a.startsWith('--'));
  const result = await runSmoke(dir === undefined ? undefined : resolve(dir));
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const r = result.report;
    if (r) {
      console.log(`XS: ${r.modules.length} emitted modules loaded; froze ${r.frozen.builtins} built-ins and ${r.frozen.exports} exports`);
      if (r.notFrozen.length) console.log(`  not frozen: ${r.notFrozen.join(', ')}`);
      for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok ? '' : `: ${c.detail}`}`);
      if (r.error) console.log(`  error: ${r.error}`);
    }
    if (result.error) console.log(`error: ${result.error}`);
    console.log(result.ok ? 'ok' : 'FAILED');
  }
  process.exitCode = result.ok ? 0 : 1;
}
