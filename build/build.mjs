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
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  DEVICE_OUT, LIBRARY_TREES, MANIFEST_DIR, generateManifests, isModdableBuiltin, manifestText, specifierOf,
} from './device/manifest.mjs';
import { filesUnder } from './walk.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} path */
const toPosix = (path) => path.split(sep).join('/');

/** A library source: TypeScript, not a declaration file, not a test (*.test.ts, *.spec.ts, anything under __tests__/). @param {string} path */
function isLibrarySource(path) {
  return path.endsWith('.ts') && !path.endsWith('.d.ts') && !/\.(test|spec)\.ts$/.test(path) && !path.split('/').includes('__tests__');
}

/** Every TypeScript source of the library, as sorted posix paths relative to `base`. @param {string} base */
function librarySources(base) {
  return LIBRARY_TREES.flatMap(({ dir }) => filesUnder(join(base, dir), isLibrarySource).map((path) => `${dir}/${path}`)).sort();
}

/** The manifests under manifests/, as sorted posix paths relative to `base`. @param {string} base */
function listManifests(base) {
  return filesUnder(join(base, MANIFEST_DIR), (path) => path.endsWith('.json')).map((path) => `${MANIFEST_DIR}/${path}`);
}

/**
 * The TypeScript file a relative import names, as TypeScript's "Bundler" resolution finds it.
 *
 * @param {string} importer
 * @param {string} specifier
 */
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
 *
 * @param {{ base?: string, outdir?: string, typecheck?: boolean, manifests?: 'write' | 'check' | 'none' }} [options]
 */
export async function buildLibrary({ base = root, outdir = join(base, DEVICE_OUT), typecheck = true, manifests = 'write' } = {}) {
  const sources = librarySources(base);
  if (sources.length === 0) throw new Error(`no TypeScript sources under ${LIBRARY_TREES.map((t) => t.dir).join(', ')}`);
  // The output directory is emptied first (no module of a deleted source survives): never the tree itself.
  const out = resolve(outdir);
  /** @type {(dir: string, parent: string) => boolean} */
  const within = (dir, parent) => dir === parent || dir.startsWith(parent + sep);
  if (within(base, out) || LIBRARY_TREES.some(({ dir }) => within(out, join(base, dir)) || within(join(base, dir), out))) {
    throw new Error(`refusing to empty ${out}: it holds the sources`);
  }

  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (config === undefined) throw new Error('tsconfig.json could not be read');
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
  /** @type {Map<string, string>} */
  const emitted = new Map();
  program.emit(undefined, (fileName, text) => emitted.set(toPosix(relative('/genirq-out', fileName)), text));

  // Every source of the library has a specifier (librarySources lists only those under LIBRARY_TREES).
  const specifiers = new Map(sources.map((s) => [s, /** @type {string} */ (specifierOf(s))]));
  const librarySpecifiers = new Set(specifiers.values());
  /** @type {string[]} */
  const errors = [];
  /** @type {{ name: string, source: string, file: string, imports: string[] }[]} */
  const modules = [];
  fs.rmSync(out, { recursive: true, force: true });
  for (const source of sources) {
    const spec = /** @type {string} */ (specifiers.get(source));
    const stem = source.slice(0, -3);
    const js = emitted.get(`${stem}.js`);
    const dts = emitted.get(`${stem}.d.ts`);
    if (js === undefined || dts === undefined) throw new Error(`tsc emitted no ${stem}.js/.d.ts`);
    const importer = join(base, source);
    /** @type {Set<string>} */
    const imports = new Set();
    /** @type {(specifier: string, where: string) => string} */
    const target = (specifier, where) => {
      if (!specifier.startsWith('.')) {
        if (isModdableBuiltin(specifier) || librarySpecifiers.has(specifier)) return specifier;
        errors.push(`${source}: "${specifier}" (${where}) is neither a module of the library nor a Moddable built-in (embedded:*, timer, time, mc/config)`);
        return specifier;
      }
      const file = resolveRelative(importer, specifier);
      const imported = file && toPosix(relative(base, file));
      const known = imported && specifiers.get(imported);
      if (known) return known;
      const what = imported ? `${imported}, which is not part of the library` : 'no TypeScript module';
      errors.push(`${source}: "${specifier}" resolves to ${what} (the library is ${LIBRARY_TREES.map((t) => `${t.dir}/**`).join(', ')}, tests excluded)`);
      return specifier;
    };
    if (NAMESPACE_IMPORT.test(js)) errors.push(`${source}: a namespace import or export (import * as): name the bindings instead`);
    const jsOut = js.replace(STATIC_IMPORT, (/** @type {string} */ _m, /** @type {string} */ head, /** @type {string} */ quote, /** @type {string} */ specifier) => {
      const to = target(specifier, 'import');
      imports.add(to);
      return `${head}${quote}${to}${quote}`;
    });
    for (const [, , , specifier] of js.matchAll(IMPORT_CALL)) {
      errors.push(`${source}: a dynamic import("${specifier}"): the board links every module ahead of time`);
    }
    // Declarations: relative imports to the output layout (the importer sits at its specifier's path).
    /** @param {string} specifier */
    const toRelative = (specifier) => {
      if (!specifier.startsWith('.')) return specifier;
      const to = target(specifier, 'declaration');
      if (!to.startsWith('genirq')) return specifier;
      const path = posix.relative(posix.dirname(spec), to);
      return path.startsWith('.') ? path : `./${path}`;
    };
    const dtsOut = dts
      .replace(/^\/\/\/\s*<reference path=.*\n/gm, '')
      .replace(STATIC_IMPORT, (/** @type {string} */ _m, /** @type {string} */ head, /** @type {string} */ quote, /** @type {string} */ specifier) => `${head}${quote}${toRelative(specifier)}${quote}`)
      .replace(IMPORT_CALL, (/** @type {string} */ _m, /** @type {string} */ head, /** @type {string} */ quote, /** @type {string} */ specifier, /** @type {string} */ tail) => `${head}${quote}${toRelative(specifier)}${quote}${tail}`);
    const file = `${spec}.js`;
    fs.mkdirSync(dirname(join(out, file)), { recursive: true });
    fs.writeFileSync(join(out, file), jsOut);
    fs.writeFileSync(join(out, `${spec}.d.ts`), dtsOut);
    modules.push({ name: spec, source, file, imports: [...imports].sort() });
  }
  if (errors.length) throw new Error(`the library build failed:\n  ${errors.join('\n  ')}`);
  modules.sort((a, b) => a.name.localeCompare(b.name));

  const generated = generateManifests(modules.map((m) => m.name));
  const report = {
    outdir: out, modules, manifests: generated,
    /** @type {Record<string, string>} */ manifestTexts: {},
    /** @type {string[]} */ manifestsOutOfDate: [],
    /** @type {string[]} */ manifestsWritten: [],
  };
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

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ typecheck: boolean, manifests: 'write' | 'check' | 'none', json: boolean, outdir?: string, base?: string }} */
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

/** @param {Awaited<ReturnType<typeof buildLibrary>>} report */
function printReport(report) {
  /** @param {string} path */
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
