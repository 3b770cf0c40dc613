// The device build (npm run build): the TypeScript of firmware/** and hal/esp32/** (tests excluded), type-checked
// strict, then compiled by esbuild into one ES module per source file under build/out/device/, which Moddable's
// mcconfig compiles with xsc and preloads; and manifest.json, the Moddable manifest naming them.
//
//   node build/build.mjs                      type-check, build, write manifest.json if it changed
//   node build/build.mjs --check              the same, but fail (exit 1) if manifest.json is not up to date
//   options: --no-typecheck, --outdir DIR (instead of build/out/device), --root DIR (another source tree; no
//   manifest.json is written), --json (print the report as one JSON line)
//
// Module specifiers: a module is named after its source path without extension ("firmware/irq/core",
// "hal/esp32/gpio"), except firmware/main.ts, which is `main` (the module Moddable's runtime imports). Every
// import of another module of the build is rewritten to that name, so an emitted module has no relative
// specifiers: they would resolve against the importer's specifier, and `main` sits at the root while the
// modules it imports live under firmware/. Imports of Moddable built-ins (embedded:*, timer, time) stay as they
// are; any other import fails the build.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEVICE_OUT, MAIN_SOURCE, generateManifest, isModdableBuiltin, manifestText } from './device/manifest.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The source trees of the device build, relative to the root. */
export const SOURCE_DIRS = Object.freeze(['firmware', 'hal/esp32']);

const toPosix = (path) => path.split(sep).join('/');

function isDeviceSource(name) {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !/\.(test|spec)\.ts$/.test(name);
}

/** Every TypeScript source of the device build, as sorted posix paths relative to `base`. */
export function deviceSources(base = root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__tests__' && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(path);
      } else if (isDeviceSource(entry.name)) out.push(toPosix(relative(base, path)));
    }
  };
  for (const dir of SOURCE_DIRS) {
    if (fs.existsSync(join(base, dir))) walk(join(base, dir));
  }
  return out.sort();
}

/** The module specifier of a source (a posix path relative to the root). */
export function moduleName(source) {
  return source === MAIN_SOURCE ? 'main' : source.replace(/\.ts$/, '');
}

/** The TypeScript file a relative import names, as TypeScript's "Bundler" resolution finds it. */
function resolveRelative(importer, specifier) {
  const base = resolve(dirname(importer), specifier);
  const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
  if (/\.m?js$/.test(base)) candidates.push(base.replace(/\.m?js$/, '.ts'));
  return candidates.find((path) => fs.existsSync(path) && fs.statSync(path).isFile());
}

/** esbuild resolves every import through this: a module of the build becomes its specifier, external. */
function moddableModules(base, sources) {
  const names = new Set(sources.map(moduleName));
  const known = new Set(sources);
  return {
    name: 'moddable-modules',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const spec = args.path;
        if (spec.startsWith('.') || spec.startsWith('/')) {
          const file = resolveRelative(args.importer, spec);
          const source = file && toPosix(relative(base, file));
          if (source && known.has(source)) return { path: moduleName(source), external: true };
          const what = source ? `${source}, which is not part of the device build` : 'no TypeScript module';
          return { errors: [{ text: `"${spec}" resolves to ${what} (the device build is ${SOURCE_DIRS.join('/**, ')}/**, tests excluded)` }] };
        }
        if (names.has(spec) || isModdableBuiltin(spec)) return { path: spec, external: true };
        return { errors: [{ text: `"${spec}" is neither a module of the device build nor a Moddable built-in (embedded:*, timer, time)` }] };
      });
    },
  };
}

function typecheck() {
  const require = createRequire(join(root, 'package.json'));
  const tsc = require.resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(root, 'build', 'device', 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) throw new Error('the device sources do not type-check (tsc -p build/device/tsconfig.json)');
}

/**
 * Build the device modules. Returns the report: the modules (specifier, source, emitted file relative to
 * outdir, preloaded, imports), whether firmware/main.ts exists, and the manifest (object and text) with, when
 * `manifest` is 'write' or 'check', whether manifest.json was up to date.
 */
export async function buildDevice({ base = root, outdir = join(base, DEVICE_OUT), typecheck: check = true, manifest = 'write' } = {}) {
  if (check) typecheck();
  const sources = deviceSources(base);
  if (sources.length === 0) throw new Error(`no TypeScript sources under ${SOURCE_DIRS.join(', ')}`);
  // The output directory is emptied first (no module of a deleted source survives): never the tree itself.
  const out = resolve(outdir);
  const within = (dir, parent) => dir === parent || dir.startsWith(parent + sep);
  if (within(base, out) || SOURCE_DIRS.some((dir) => within(out, join(base, dir)) || within(join(base, dir), out))) {
    throw new Error(`refusing to empty ${out}: it holds the sources`);
  }
  fs.rmSync(out, { recursive: true, force: true });
  let result;
  try {
    result = await build({
      absWorkingDir: base,
      entryPoints: sources,
      outdir: out,
      outbase: base,
      // Bundling with every import external: each source becomes one module, its imports rewritten by the plugin.
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      tsconfig: join(root, 'tsconfig.json'),
      plugins: [moddableModules(base, sources)],
      metafile: true,
      logLevel: 'silent',
    });
  } catch (err) {
    const errors = err.errors ?? [];
    const lines = errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    throw new Error(`the device build failed:\n  ${lines.length ? lines.join('\n  ') : err.message}`);
  }

  const names = new Set(sources.map(moduleName));
  const modules = sources.map((source) => {
    const file = `${source.replace(/\.ts$/, '')}.js`;
    const output = result.metafile.outputs[toPosix(relative(base, join(out, file)))];
    if (output === undefined) throw new Error(`esbuild emitted no ${file} for ${source}`);
    const imports = output.imports.map((i) => i.path);
    const bad = output.imports.filter((i) => i.kind !== 'import-statement' || !i.external || !(names.has(i.path) || isModdableBuiltin(i.path)));
    if (bad.length) throw new Error(`${file} imports ${bad.map((i) => `${i.path} (${i.kind})`).join(', ')}`);
    const name = moduleName(source);
    return { name, source, file, preload: name !== 'main', imports: [...new Set(imports)].sort() };
  });

  const hasMain = sources.includes(MAIN_SOURCE);
  const generated = generateManifest(modules.filter((m) => m.name !== 'main').map((m) => m.name));
  const text = manifestText(generated);
  const report = { outdir: out, modules, hasMain, manifest: generated, manifestText: text };
  if (manifest === 'write' || manifest === 'check') {
    const path = join(base, 'manifest.json');
    const current = fs.existsSync(path) ? fs.readFileSync(path, 'utf8') : undefined;
    report.manifestUpToDate = current === text;
    if (manifest === 'write' && !report.manifestUpToDate) {
      fs.writeFileSync(path, text);
      report.manifestWritten = true;
    }
  }
  return report;
}

function parseArgs(argv) {
  const options = { typecheck: true, manifest: 'write', json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-typecheck') options.typecheck = false;
    else if (arg === '--check') options.manifest = 'check';
    else if (arg === '--json') options.json = true;
    else if (arg === '--outdir') options.outdir = resolve(argv[++i]);
    else if (arg === '--root') options.base = resolve(argv[++i]);
    else throw new Error(`unknown argument ${arg}\nusage: node build/build.mjs [--check] [--no-typecheck] [--outdir DIR] [--root DIR] [--json]`);
  }
  // Another source tree is a test fixture: leave the repository's manifest.json alone.
  if (options.base !== undefined && options.base !== root) options.manifest = 'none';
  return options;
}

function printReport(report) {
  const rel = (path) => toPosix(relative(root, path)) || '.';
  const preloaded = report.modules.filter((m) => m.preload).length;
  console.log(`device build: ${report.modules.length} modules in ${rel(report.outdir)}/ (${preloaded} preloaded)`);
  for (const m of report.modules) console.log(`  ${m.name.padEnd(32)} ${m.file}${m.preload ? '' : '  (not preloaded)'}`);
  if (!report.hasMain) {
    console.log(`warning: no ${MAIN_SOURCE} yet: manifest.json names main, but the board has nothing to run until it exists`);
  }
  if (report.manifestWritten) console.log('manifest.json: updated (commit it)');
  else if (report.manifestUpToDate === true) console.log('manifest.json: up to date');
  else if (report.manifestUpToDate === false) console.log('manifest.json: OUT OF DATE (npm run build rewrites it)');
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const report = await buildDevice(options);
    if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else printReport(report);
    if (options.manifest === 'check' && !report.manifestUpToDate) process.exitCode = 1;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
