// The library build in the real XS engine: bundles the ES modules the build emitted (build/out/device/, or the
// directory given) with host-tests/build/xs-smoke-entry.ts into one script for an xsnap worker, keeping each
// module a module (the entry imports every one as a namespace, so each module's exports can be hardened as
// preload freezes them), and runs it.
//
//   node build/device/xs-smoke.mjs [--json] [OUTDIR]
//
// Moddable built-ins (embedded:*, timer, time) do not exist here: each is a stub that throws when called or
// constructed. A module body that calls one while it loads fails, as it would fail to preload on the build
// machine ("native functions cannot be called during preload"). XS's native("name") form (the native GPIO
// module's functions) is xs-native-stub.js: functions that throw when called. The apps' `main` modules are not part of the
// library: they run on the board, against the real hardware.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesUnder } from '../walk.mjs';
import { bundleForXs, root, runInXs } from '../xs/host.mjs';
import { DEVICE_OUT, isModdableBuiltin } from './manifest.mjs';

const TIME_LIMIT_MS = 60_000;

/**
 * The emitted modules by specifier, sorted: { 'genirq/irq/core': '/abs/.../genirq/irq/core.js', ... }.
 *
 * @param {string} dir
 * @returns {Record<string, string>}
 */
export function emittedModules(dir) {
  const outdir = resolve(dir);
  const specifiers = filesUnder(outdir, (path) => path.endsWith('.js')).map((path) => path.slice(0, -3)).sort();
  return Object.fromEntries(specifiers.map((specifier) => [specifier, join(outdir, `${specifier}.js`)]));
}

/** @param {string} specifier */
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

/**
 * The emitted modules and host-tests/build/xs-smoke-entry.ts as one script for XS (bundleForXs).
 *
 * @param {string} outdir
 */
export async function bundleEmitted(outdir) {
  const modules = emittedModules(outdir);
  const names = Object.keys(modules);
  return bundleForXs('host-tests/build/xs-smoke-entry.ts', {
    prelude: ['build/device/xs-native-stub.js'],
    // Each module is imported by its specifier, as the emitted modules import each other.
    modules: Object.fromEntries(names.map((name) => [name, name])),
    plugins: [{
      name: 'emitted-modules',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (Object.hasOwn(modules, args.path)) return { path: modules[args.path] };
          if (isModdableBuiltin(args.path)) return { path: args.path, namespace: 'moddable-stub' };
          return undefined;
        });
        b.onLoad({ filter: /.*/, namespace: 'moddable-stub' }, (args) => ({ contents: stub(args.path), loader: 'js' }));
      },
    }],
  });
}

export async function runSmoke(outdir = join(root, DEVICE_OUT)) {
  const { code, modules } = await bundleEmitted(outdir);
  const run = await runInXs(code, { name: 'device-build-smoke', timeLimitMs: TIME_LIMIT_MS });
  const report = run.messages.find((m) => m.type === 'report');
  const error = run.error ?? (report === undefined ? 'the smoke program went idle without reporting' : undefined);
  const ok = error === undefined && report.error === undefined && report.notFrozen.length === 0 && report.checks.every((/** @type {{ ok: boolean }} */ c) => c.ok);
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
