/*
 * The device build (npm run build, build/build.mjs), checked as far as the host allows: it runs into a temporary
 * directory (no type check: npm test runs tsc first), then
 * - manifest.json is what the build generates, and every module it names was emitted;
 * - the emitted modules import nothing but each other (by their manifest specifiers) and Moddable built-ins;
 * - the emitted modules, not the TypeScript sources, load in the real XS engine, have their exports hardened
 *   as preload leaves them, and run a small program on the core (host-tests/build/xs-smoke-entry.ts);
 * - on a fixture tree: firmware/main.ts becomes `main` (not preloaded), and a forbidden import fails the build.
 * What needs the Moddable SDK (xsc, xsl's preload, the ESP-IDF build, the board) is not checked here.
 */
import type * as esbuildTypes from 'esbuild';
import { SMOKE_CHECKS, type SmokeReport } from './xs-smoke-entry';

// Jest runs this file as CommonJS (build/jest-transform.cjs); Node's modules are typed by hand, as in
// host-tests/xs/xs-lane.test.ts, so the program needs no @types/node.
declare const require: (id: string) => unknown;
declare const __dirname: string;

type ExecFile = (
  file: string, args: string[], options: { cwd: string; maxBuffer: number; timeout: number },
  callback: (error: (Error & { code?: unknown }) | null, stdout: string, stderr: string) => void,
) => unknown;
interface Fs {
  existsSync(path: string): boolean;
  readFileSync(path: string, encoding: 'utf8'): string;
  writeFileSync(path: string, data: string): void;
  mkdirSync(path: string, options: { recursive: true }): void;
  mkdtempSync(prefix: string): string;
  readdirSync(path: string, options: { withFileTypes: true }): { name: string; isDirectory(): boolean }[];
  rmSync(path: string, options: { recursive: true; force: true }): void;
}

const { execFile } = require('node:child_process') as { execFile: ExecFile };
const { execPath } = require('node:process') as { execPath: string };
const { join, resolve, dirname } = require('node:path') as { join: (...p: string[]) => string; resolve: (...p: string[]) => string; dirname: (p: string) => string };
const { tmpdir } = require('node:os') as { tmpdir: () => string };
const fs = require('node:fs') as Fs;
const esbuild = require('esbuild') as typeof esbuildTypes;

const root = resolve(__dirname, '..', '..');
const DEVICE_PREFIX = './build/out/device/';
const BUILTIN = (spec: string): boolean => spec.startsWith('embedded:') || spec === 'timer' || spec === 'time';

interface BuildModule { name: string; source: string; file: string; preload: boolean; imports: string[] }
interface BuildReport {
  modules: BuildModule[];
  hasMain: boolean;
  manifest: Manifest;
  manifestText: string;
  manifestUpToDate?: boolean;
}
interface Manifest {
  include: string[];
  modules: Record<string, string>;
  preload: string[];
  platforms: Record<string, { error?: string }>;
}
interface SmokeResult { ok: boolean; error?: string; modules: string[]; report?: SmokeReport }

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(execPath, args, { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function lastJsonLine<T>(what: string, out: { stdout: string; stderr: string }): T {
  const line = out.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${what} produced no report\n${out.stderr}${out.stdout}`);
  }
}

/** Every file under dir, as posix paths relative to it. */
function filesUnder(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? filesUnder(path, base) : [path.slice(base.length + 1).split('\\').join('/')];
  }).sort();
}

/** What each emitted file imports, read back from the JavaScript by esbuild (every import left external). */
async function importsOf(outdir: string, files: string[]): Promise<Record<string, { path: string; kind: string }[]>> {
  const found: Record<string, { path: string; kind: string }[]> = {};
  await esbuild.build({
    entryPoints: files.map((f) => join(outdir, f)),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
    outdir: join(outdir, '.scan'),
    plugins: [{
      name: 'record-imports',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === 'entry-point') return undefined;
          const file = args.importer.slice(outdir.length + 1).split('\\').join('/');
          (found[file] ??= []).push({ path: args.path, kind: args.kind });
          return { path: args.path, external: true };
        });
      },
    }],
  });
  return found;
}

let tmp = '';
let outdir = '';
let build: BuildReport;
let smoke: SmokeResult;
let diskManifest: Manifest;
let diskManifestText = '';
let setupFailure: Error | undefined;

beforeAll(async () => {
  try {
    tmp = fs.mkdtempSync(join(tmpdir(), 'genirq-device-'));
    outdir = join(tmp, 'device');
    const b = await run(['build/build.mjs', '--no-typecheck', '--check', '--outdir', outdir, '--json']);
    build = lastJsonLine<BuildReport>('node build/build.mjs', b);
    diskManifestText = fs.readFileSync(join(root, 'manifest.json'), 'utf8');
    diskManifest = JSON.parse(diskManifestText) as Manifest;
    smoke = lastJsonLine<SmokeResult>('node build/device/xs-smoke.mjs', await run(['build/device/xs-smoke.mjs', '--json', outdir]));
  } catch (err) {
    setupFailure = err as Error;
  }
}, 120_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function ready(): void {
  if (setupFailure !== undefined) throw setupFailure;
}

function deviceSources(): string[] {
  const isSource = (f: string): boolean => f.endsWith('.ts') && !f.endsWith('.d.ts') && !/\.(test|spec)\.ts$/.test(f) && !f.includes('__tests__/');
  return ['firmware', 'hal/esp32'].flatMap((dir) => filesUnder(join(root, dir)).map((f) => `${dir}/${f}`)).filter(isSource);
}

describe('the device build', () => {
  test('emits one JavaScript module per TypeScript source of firmware/ and hal/esp32/, tests excluded', () => {
    ready();
    expect(filesUnder(outdir)).toEqual(deviceSources().map((s) => s.replace(/\.ts$/, '.js')).sort());
    expect(build.modules.map((m) => m.source)).toEqual(deviceSources());
  });

  test('manifest.json is up to date (npm run build rewrites it when a module is added or removed)', () => {
    ready();
    expect(diskManifestText).toBe(build.manifestText);
    expect(build.manifestUpToDate).toBe(true);
  });

  test('every module manifest.json names was emitted (main once firmware/main.ts exists)', () => {
    ready();
    expect(diskManifest.modules.main).toBe(`${DEVICE_PREFIX}firmware/main`);
    for (const [name, path] of Object.entries(diskManifest.modules)) {
      expect(path.startsWith(DEVICE_PREFIX)).toBe(true);
      const file = join(outdir, `${path.slice(DEVICE_PREFIX.length)}.js`);
      if (name === 'main' && !fs.existsSync(join(root, 'firmware/main.ts'))) expect(fs.existsSync(file)).toBe(false);
      else expect({ name, emitted: fs.existsSync(file) }).toEqual({ name, emitted: true });
    }
    // ...and every emitted module is named, under its source path (main under `main`).
    const named = new Set(Object.values(diskManifest.modules).map((p) => `${p.slice(DEVICE_PREFIX.length)}.js`));
    expect(filesUnder(outdir).filter((f) => !named.has(f))).toEqual([]);
  });

  test('manifest.json preloads every module but main, and includes the Moddable manifests the HAL needs', () => {
    ready();
    const names = Object.keys(diskManifest.modules);
    expect([...diskManifest.preload].sort()).toEqual(names.filter((n) => n !== 'main').sort());
    expect(diskManifest.include).toEqual(['$(MODDABLE)/examples/manifest_base.json', '$(MODDABLE)/modules/io/manifest.json']);
    expect(Object.keys(diskManifest.platforms)).toEqual(['esp32', '...']);
    expect(diskManifest.platforms['...']!.error).toMatch(/esp32/);
  });

  test('no emitted module imports anything but emitted modules (by manifest specifier) and Moddable built-ins', async () => {
    ready();
    const files = filesUnder(outdir);
    const imports = await importsOf(outdir, files);
    const names = new Set(Object.keys(diskManifest.modules));
    const bad = Object.entries(imports).flatMap(([file, list]) => list
      .filter((i) => i.kind !== 'import-statement' || !(names.has(i.path) || BUILTIN(i.path)))
      .map((i) => `${file}: ${i.kind} ${i.path}`));
    expect(bad).toEqual([]);
    // The modules do import each other: the scan saw the core's own imports.
    expect(imports['firmware/irq/core.js']?.map((i) => i.path)).toContain('firmware/irq/desc');
  });
});

describe('the emitted modules in XS', () => {
  test('load, and have every export hardened before the program starts', () => {
    ready();
    expect(smoke.error).toBeUndefined();
    const report = smoke.report!;
    expect(report.modules).toEqual(filesUnder(outdir).filter((f) => f !== 'firmware/main.js').map((f) => f.slice(0, -3)));
    expect(report.frozen.exports).toBeGreaterThan(0);
    expect(report.notFrozen).toEqual([]);
    expect(report.error).toBeUndefined();
  });

  test.each(SMOKE_CHECKS.map((name) => [name]))('%s', (name) => {
    ready();
    const result = smoke.report?.checks.find((c) => c.name === name);
    if (result === undefined) throw new Error(`the smoke program did not get to this check${smoke.report?.error ? `: ${smoke.report.error}` : smoke.error ? `: ${smoke.error}` : ''}`);
    if (!result.ok) throw new Error(`failed in XS: ${result.detail ?? ''}`);
  });
});

describe('the device build on a fixture tree', () => {
  let fixture = '';

  beforeEach(() => {
    fixture = fs.mkdtempSync(join(tmpdir(), 'genirq-fixture-'));
  });

  afterEach(() => {
    if (fixture) fs.rmSync(fixture, { recursive: true, force: true });
  });

  function write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      fs.mkdirSync(dirname(join(fixture, path)), { recursive: true });
      fs.writeFileSync(join(fixture, path), text);
    }
  }

  const buildFixture = () => run(['build/build.mjs', '--no-typecheck', '--root', fixture, '--json']);

  test('firmware/main.ts becomes `main`, not preloaded, its imports rewritten to manifest specifiers', async () => {
    write({
      'firmware/main.ts': "import { twice } from './lib/util';\nimport Digital from 'embedded:io/digital';\nexport default function main(): void { void new Digital({ pin: twice(1), mode: 0 }); }\n",
      'firmware/lib/util.ts': 'export const twice = (n: number): number => 2 * n;\n',
      'firmware/lib/util.test.ts': "import { twice } from './util';\ntest('twice', () => expect(twice(2)).toBe(4));\n",
      'hal/esp32/pin.ts': "import Timer from 'timer';\nimport { twice } from '../../firmware/lib/util';\nexport const later = (cb: () => void) => Timer.set(cb, twice(1));\n",
      'hal/mock/sim.ts': 'export const notOnTheBoard = 1;\n',
    });
    const out = await buildFixture();
    expect(out.code).toBe(0);
    const report = lastJsonLine<BuildReport>('node build/build.mjs --root', out);
    expect(report.hasMain).toBe(true);
    expect(report.modules.map((m) => [m.name, m.file, m.preload, m.imports])).toEqual([
      ['firmware/lib/util', 'firmware/lib/util.js', true, []],
      ['main', 'firmware/main.js', false, ['embedded:io/digital', 'firmware/lib/util']],
      ['hal/esp32/pin', 'hal/esp32/pin.js', true, ['firmware/lib/util', 'timer']],
    ]);
    expect(report.manifest.modules).toEqual({
      main: `${DEVICE_PREFIX}firmware/main`,
      'firmware/lib/util': `${DEVICE_PREFIX}firmware/lib/util`,
      'hal/esp32/pin': `${DEVICE_PREFIX}hal/esp32/pin`,
    });
    expect(report.manifest.preload).toEqual(['firmware/lib/util', 'hal/esp32/pin']);
    const main = fs.readFileSync(join(fixture, 'build/out/device/firmware/main.js'), 'utf8');
    expect(main).toContain('from "firmware/lib/util"');
    expect(main).toMatch(/export\s*{\s*main as default\s*}|export default function/);
    expect(fs.existsSync(join(fixture, 'manifest.json'))).toBe(false);
  });

  test.each([
    ['a Node built-in', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", /node:fs.*neither a module of the device build nor a Moddable built-in/],
    ['a module outside the device build', "import { notOnTheBoard } from '../hal/mock/sim';\nexport const n = notOnTheBoard;\n", /hal\/mock\/sim\.ts, which is not part of the device build/],
    ['a file that does not exist', "import { nothing } from './nowhere';\nexport const n = nothing;\n", /"\.\/nowhere" resolves to no TypeScript module/],
  ])('an import of %s fails the build', async (_what, source, message) => {
    write({ 'firmware/bad.ts': source, 'hal/mock/sim.ts': 'export const notOnTheBoard = 1;\n' });
    const out = await buildFixture();
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(message);
  });
});
