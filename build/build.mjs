// The library build (npm run build): the TypeScript of the library (firmware/irq, firmware/drivers, hal/esp32;
// tests excluded), type-checked strict and compiled by tsc, one ES module per source, with its declarations
// (.d.ts) beside it, under build/out/device/<specifier>; and the library's Moddable manifests (manifests/*.json).
//
//   node build/build.mjs                      type-check, build, write the manifests that changed
//   node build/build.mjs --check              the same, but fail (exit 1) if a manifest is not up to date
//   options: --no-typecheck, --outdir DIR (instead of build/out/device), --root DIR (another source tree; no
//   manifest is written), --json (print the report as one JSON line)
//
// Why tsc and one module per source, not a bundler: Moddable's linker (xsl) wants every module-level binding of a
// preloaded module to stay `const`; a bundler turns top-level `const`, `let` and `class` into `var`, and XS then
// gives each such binding a writable alias (`### warning: ...: no const`). tsc at ES2022 emits the declarations as
// written. Every import between library modules is rewritten to the imported module's bare specifier
// ("genirq/irq/desc"), since XS resolves "./" and "../" against the importer's specifier; the declarations keep
// relative imports, rewritten to the output layout, so an app's tsc (Moddable's own, or an editor's) finds them
// without a paths table. Imports of Moddable built-ins (embedded:*, timer, time, mc/config) stay as they are; any
// other import fails the build, and so does a namespace import (`import * as`: one more alias per importer).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEVICE_OUT, LIBRARY_TREES, MANIFEST_DIR, generateManifests, isModdableBuiltin, manifestText, specifierOf,
} from './device/manifest.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const toPosix = (path) => path.split(sep).join('/');

function isLibrarySource(name) {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !/\.(test|spec)\.ts$/.test(name);
}

/**
 * The files under `dir` whose name `keep` accepts, as posix paths relative to `base` (none if `dir` does not
 * exist); __tests__, node_modules and dot directories are skipped.
 */
function filesUnder(dir, base, keep) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (!entry.isDirectory()) return keep(entry.name) ? [toPosix(relative(base, path))] : [];
    return entry.name === '__tests__' || entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : filesUnder(path, base, keep);
  });
}

/** Every TypeScript source of the library, as sorted posix paths relative to `base`. */
function librarySources(base) {
  return LIBRARY_TREES.flatMap(({ dir }) => filesUnder(join(base, dir), base, isLibrarySource)).sort();
}

/** The manifests under manifests/, as sorted posix paths relative to `base`. */
function listManifests(base) {
  return filesUnder(join(base, MANIFEST_DIR), base, (name) => name.endsWith('.json')).sort();
}

/** The TypeScript file a relative import names, as TypeScript's "Bundler" resolution finds it. */
function resolveRelative(importer, specifier) {
  const base = resolve(dirname(importer), specifier);
  const candidates = [`${base}.ts`, join(base, 'index.ts'), base];
  if (/\.m?js$/.test(base)) candidates.push(base.replace(/\.m?js$/, '.ts'));
  return candidates.find((path) => fs.existsSync(path) && fs.statSync(path).isFile());
}

// Module specifiers in emitted code: `from "x"`, `import "x"`, `export ... from "x"` (tsc prints each import and
// export declaration on lines of its own, so STATIC_IMPORT is anchored at a line start), and `import("x")`: a
// dynamic import in the .js (refused), a type import in the .d.ts.
const STATIC_IMPORT = /^(\s*(?:import|export)\b[^'"\n]*?\bfrom\s*|\s*import\s*)(['"])([^'"\n]+)\2/gm;
const IMPORT_CALL = /(\bimport\(\s*)(['"])([^'"\n]+)\2(\s*\))/g;
const NAMESPACE_IMPORT = /^\s*(?:import|export)\s*\*\s*as\b/m;

/**
 * Build the library. Returns the report: the modules (specifier, source, emitted file relative to outdir,
 * imports), and the manifests (objects and texts) with, when `manifests` is 'write' or 'check', which were out
 * of date.
 */
export async function buildLibrary({ base = root, outdir = join(base, DEVICE_OUT), typecheck = true, manifests = 'write' } = {}) {
  const require = createRequire(join(root, 'package.json'));
  const ts = require('typescript');
  const sources = librarySources(base);
  if (sources.length === 0) throw new Error(`no TypeScript sources under ${LIBRARY_TREES.map((t) => t.dir).join(', ')}`);
  // The output directory is emptied first (no module of a deleted source survives): never the tree itself.
  const out = resolve(outdir);
  const within = (dir, parent) => dir === parent || dir.startsWith(parent + sep);
  if (within(base, out) || LIBRARY_TREES.some(({ dir }) => within(out, join(base, dir)) || within(join(base, dir), out))) {
    throw new Error(`refusing to empty ${out}: it holds the sources`);
  }

  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const options = {
    ...config.options,
    noEmit: false,
    declaration: true,
    outDir: '/genirq-out',
    rootDir: base,
    module: ts.ModuleKind.ESNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
    sourceMap: false,
    paths: undefined,
    removeComments: false,
  };
  const files = sources.map((s) => join(base, s));
  const program = ts.createProgram(files, options);
  if (typecheck) {
    const diagnostics = ts.getPreEmitDiagnostics(program);
    if (diagnostics.length) {
      const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => base, getNewLine: () => '\n' });
      throw new Error(`the library does not type-check:\n${text}`);
    }
  }
  const emitted = new Map();
  program.emit(undefined, (fileName, text) => emitted.set(toPosix(relative('/genirq-out', fileName)), text));

  const specifiers = new Map(sources.map((s) => [s, specifierOf(s)]));
  const librarySpecifiers = new Set(specifiers.values());
  const errors = [];
  const modules = [];
  fs.rmSync(out, { recursive: true, force: true });
  for (const source of sources) {
    const spec = specifiers.get(source);
    const stem = source.slice(0, -3);
    const js = emitted.get(`${stem}.js`);
    const dts = emitted.get(`${stem}.d.ts`);
    if (js === undefined || dts === undefined) throw new Error(`tsc emitted no ${stem}.js/.d.ts`);
    const importer = join(base, source);
    const imports = new Set();
    const target = (specifier, where) => {
      if (!specifier.startsWith('.')) {
        if (isModdableBuiltin(specifier) || librarySpecifiers.has(specifier)) return specifier;
        errors.push(`${source}: "${specifier}" (${where}) is neither a module of the library nor a Moddable built-in (embedded:*, timer, time, mc/config)`);
        return specifier;
      }
      const file = resolveRelative(importer, specifier);
      const imported = file && toPosix(relative(base, file));
      if (imported && specifiers.has(imported)) return specifiers.get(imported);
      const what = imported ? `${imported}, which is not part of the library` : 'no TypeScript module';
      errors.push(`${source}: "${specifier}" resolves to ${what} (the library is ${LIBRARY_TREES.map((t) => `${t.dir}/**`).join(', ')}, tests excluded)`);
      return specifier;
    };
    if (NAMESPACE_IMPORT.test(js)) errors.push(`${source}: a namespace import or export (import * as): name the bindings instead`);
    const jsOut = js.replace(STATIC_IMPORT, (_m, head, quote, specifier) => {
      const to = target(specifier, 'import');
      imports.add(to);
      return `${head}${quote}${to}${quote}`;
    });
    for (const [, , , specifier] of js.matchAll(IMPORT_CALL)) {
      errors.push(`${source}: a dynamic import("${specifier}"): the board links every module ahead of time`);
    }
    // Declarations: relative imports to the output layout (the importer sits at its specifier's path).
    const toRelative = (specifier) => {
      if (!specifier.startsWith('.')) return specifier;
      const to = target(specifier, 'declaration');
      if (!to.startsWith('genirq')) return specifier;
      const path = posix.relative(posix.dirname(spec), to);
      return path.startsWith('.') ? path : `./${path}`;
    };
    const dtsOut = dts
      .replace(/^\/\/\/\s*<reference path=.*\n/gm, '')
      .replace(STATIC_IMPORT, (_m, head, quote, specifier) => `${head}${quote}${toRelative(specifier)}${quote}`)
      .replace(IMPORT_CALL, (_m, head, quote, specifier, tail) => `${head}${quote}${toRelative(specifier)}${quote}${tail}`);
    const file = `${spec}.js`;
    fs.mkdirSync(dirname(join(out, file)), { recursive: true });
    fs.writeFileSync(join(out, file), jsOut);
    fs.writeFileSync(join(out, `${spec}.d.ts`), dtsOut);
    modules.push({ name: spec, source, file, imports: [...imports].sort() });
  }
  if (errors.length) throw new Error(`the library build failed:\n  ${errors.join('\n  ')}`);
  modules.sort((a, b) => a.name.localeCompare(b.name));

  const generated = generateManifests(modules.map((m) => m.name));
  const report = { outdir: out, modules, manifests: generated, manifestTexts: {}, manifestsOutOfDate: [], manifestsWritten: [] };
  for (const [path, manifest] of Object.entries(generated)) {
    const text = manifestText(manifest);
    report.manifestTexts[path] = text;
    if (manifests !== 'write' && manifests !== 'check') continue;
    const file = join(base, path);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    report.manifestsOutOfDate.push(path);
    if (manifests === 'write') {
      fs.mkdirSync(dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      report.manifestsWritten.push(path);
    }
  }
  if (manifests === 'write' || manifests === 'check') {
    // A manifest of a module that no longer exists.
    const stale = listManifests(base).filter((p) => !(p in generated));
    for (const path of stale) {
      report.manifestsOutOfDate.push(path);
      if (manifests === 'write') {
        fs.rmSync(join(base, path));
        report.manifestsWritten.push(path);
      }
    }
  }
  return report;
}

function parseArgs(argv) {
  const options = { typecheck: true, manifests: 'write', json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-typecheck') options.typecheck = false;
    else if (arg === '--check') options.manifests = 'check';
    else if (arg === '--json') options.json = true;
    else if (arg === '--outdir') options.outdir = resolve(argv[++i]);
    else if (arg === '--root') options.base = resolve(argv[++i]);
    else throw new Error(`unknown argument ${arg}\nusage: node build/build.mjs [--check] [--no-typecheck] [--outdir DIR] [--root DIR] [--json]`);
  }
  // Another source tree is a test fixture: leave the repository's manifests alone.
  if (options.base !== undefined && options.base !== root) options.manifests = 'none';
  return options;
}

function printReport(report) {
  const rel = (path) => toPosix(relative(root, path)) || '.';
  console.log(`library build: ${report.modules.length} modules (.js and .d.ts) in ${rel(report.outdir)}/`);
  for (const m of report.modules) console.log(`  ${m.name.padEnd(28)} ${m.source}`);
  for (const path of Object.keys(report.manifests)) {
    const state = report.manifestsWritten.includes(path) ? 'updated (commit it)' : report.manifestsOutOfDate.includes(path) ? 'OUT OF DATE (npm run build rewrites it)' : 'up to date';
    console.log(`${path}: ${state}`);
  }
  for (const path of report.manifestsOutOfDate.filter((p) => !(p in report.manifests))) {
    console.log(`${path}: ${report.manifestsWritten.includes(path) ? 'removed (its module is gone)' : 'STALE (npm run build removes it)'}`);
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const report = await buildLibrary(options);
    if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else printReport(report);
    if (options.manifests === 'check' && report.manifestsOutOfDate.length) process.exitCode = 1;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
