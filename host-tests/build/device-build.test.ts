/*
 * The library build (npm run build, build/build.mjs), checked as far as the host allows: it runs into a temporary
 * directory (no type check: npm test runs tsc first), then
 * - manifests/*.json are what the build generates, and every module they name was emitted, with its .d.ts;
 * - the emitted modules import nothing but each other (by specifier) and Moddable built-ins, and keep every
 *   module-level binding const (what Moddable's linker wants of a preloaded module);
 * - the emitted modules, not the TypeScript sources, load in the real XS engine, have their exports hardened
 *   as preload leaves them, and run a small program on the core (host-tests/build/xs-smoke-entry.ts);
 * - on a fixture tree: a forbidden import, and a namespace import, fail the build.
 * What needs the Moddable SDK (xsc, xsl's preload, the ESP-IDF build, the board) is `npm run check:moddable`.
 */
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { lastJsonLine, runNode } from '../../build/run-node.mjs';
import { filesUnder } from '../../build/walk.mjs';
import { unfrozenModuleConstants } from './preload-frozen';
import { SMOKE_CHECKS, type SmokeReport } from './xs-smoke-entry';

const root = resolve(__dirname, '..', '..');
const BUILTIN = (spec: string): boolean => spec.startsWith('embedded:') || ['timer', 'time', 'mc/config'].includes(spec);

interface BuildModule { name: string; source: string; file: string; imports: string[] }
interface Manifest {
  include?: string[];
  modules: Record<string, string | string[]>;
  preload: string[];
  platforms?: Record<string, { error?: string; config?: { genirq?: { soc?: string } } }>;
}
interface BuildReport {
  modules: BuildModule[];
  manifests: Record<string, Manifest>;
  manifestTexts: Record<string, string>;
  manifestsOutOfDate: string[];
}
interface SmokeResult { ok: boolean; error?: string; modules: string[]; report?: SmokeReport }

const run = (args: string[]) => runNode(args, { cwd: root, timeoutMs: 120_000 });

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
let setupFailure: Error | undefined;

beforeAll(async () => {
  try {
    tmp = fs.mkdtempSync(join(tmpdir(), 'genirq-device-'));
    outdir = join(tmp, 'device');
    const b = await run(['build/build.mjs', '--no-typecheck', '--check', '--outdir', outdir, '--json']);
    build = lastJsonLine<BuildReport>('node build/build.mjs', b);
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

const TREES: readonly [string, string][] = [['firmware/irq', 'genirq/irq'], ['firmware/drivers', 'genirq/drivers'], ['hal/esp32', 'genirq/esp32']];

function librarySources(): string[] {
  const isSource = (f: string): boolean => f.endsWith('.ts') && !f.endsWith('.d.ts') && !/\.(test|spec)\.ts$/.test(f);
  return TREES.flatMap(([dir]) => filesUnder(join(root, dir), isSource).map((f) => `${dir}/${f}`));
}

const jsFiles = (): string[] => filesUnder(outdir, (f) => f.endsWith('.js'));

describe('the library build', () => {
  test('emits one module and its declarations per source, at its specifier (index.ts named after its directory)', () => {
    ready();
    const expected = librarySources().map((source) => {
      const [dir, prefix] = TREES.find(([d]) => source.startsWith(`${d}/`))!;
      const rest = source.slice(dir.length + 1, -3);
      return rest === 'index' ? prefix : `${prefix}/${rest}`;
    }).sort();
    expect(build.modules.map((m) => m.name).sort()).toEqual(expected);
    expect(jsFiles()).toEqual(expected.map((s) => `${s}.js`).sort());
    expect(filesUnder(outdir, (f) => f.endsWith('.d.ts'))).toEqual(expected.map((s) => `${s}.d.ts`).sort());
  });

  test('manifests/ is up to date (npm run build rewrites it when a module is added or removed)', () => {
    ready();
    expect(build.manifestsOutOfDate).toEqual([]);
    for (const [path, text] of Object.entries(build.manifestTexts)) expect({ path, text: fs.readFileSync(join(root, path), 'utf8') }).toEqual({ path, text });
  });

  test('the manifests name every module once: the core, the ESP32 HAL, the native GPIO module, one manifest per driver', () => {
    ready();
    const named = Object.values(build.manifests).flatMap((m) => Object.keys(m.modules).filter((name) => name !== '*'));
    expect([...named].sort()).toEqual(build.modules.map((m) => m.name).sort());
    expect(Object.keys(build.manifests).sort()).toEqual([
      'manifests/drivers/button.json', 'manifests/drivers/lis3dh.json', 'manifests/drivers/mcp23017.json', 'manifests/esp32-native.json',
      'manifests/esp32.json', 'manifests/irq.json',
    ]);
    const button = build.manifests['manifests/drivers/button.json'];
    expect(button.preload).toEqual(['genirq/drivers/button']);
    expect(button.include).toEqual(['../irq.json']);
  });

  test('every module path in a manifest, resolved from the manifest, is an emitted module', () => {
    ready();
    for (const [path, manifest] of Object.entries(build.manifests)) {
      for (const [name, source] of Object.entries(manifest.modules)) {
        if (name === '*') continue; // C sources: the next test
        const file = resolve(root, dirname(path), `${source}.js`);
        expect({ name, file: file.startsWith(join(root, 'build/out/device')) && fs.existsSync(join(outdir, `${name}.js`)) }).toEqual({ name, file: true });
      }
    }
  });

  test('the native GPIO manifest builds its C (a .c or .h behind every path) with its functions, beside the HAL', () => {
    ready();
    const native = build.manifests['manifests/esp32-native.json'];
    expect(native.include).toEqual(['./esp32.json']);
    expect(native.preload).toEqual(['genirq/esp32/native-gpio-board']);
    const sources = native.modules['*'] as unknown as string[];
    expect(sources.map((source) => ['.c', '.h'].some((ext) => fs.existsSync(resolve(root, 'manifests', source + ext))))).toEqual(sources.map(() => true));
    expect(sources).toContain('../native/gpio-irq/gpio_irq_esp32');
  });

  test('the ESP32 HAL manifest brings microsecond time and sets the chip per subplatform, refusing other platforms', () => {
    ready();
    const hal = build.manifests['manifests/esp32.json'];
    expect(hal.include).toContain('$(MODDABLE)/modules/base/microseconds/manifest.json');
    expect(hal.platforms!.esp32.config!.genirq!.soc).toBe('esp32');
    expect(hal.platforms!['esp32/esp32s3'].config!.genirq!.soc).toBe('esp32s3');
    expect(hal.platforms!['esp32/m5stack_cores3'].config!.genirq!.soc).toBe('esp32s3');
    expect(hal.platforms!['esp32/xiao_esp32c3'].config!.genirq!.soc).toBe('esp32c3');
    expect(hal.platforms!['esp32/esp32c6'].config!.genirq!.soc).toBe('esp32c6');
    expect(hal.platforms!['esp32/qtpys2'].error).toMatch(/ESP32-S2/);
    expect(hal.platforms!['...'].error).toMatch(/esp32/);
  });

  test('no emitted module imports anything but library modules (by specifier) and Moddable built-ins', async () => {
    ready();
    const imports = await importsOf(outdir, jsFiles());
    const names = new Set(build.modules.map((m) => m.name));
    const bad = Object.entries(imports).flatMap(([file, list]) => list
      .filter((i) => i.kind !== 'import-statement' || !(names.has(i.path) || BUILTIN(i.path)))
      .map((i) => `${file}: ${i.kind} ${i.path}`));
    expect(bad).toEqual([]);
    expect(imports['genirq/irq/core.js']?.map((i) => i.path)).toContain('genirq/irq/desc');
  });

  test('every module-level binding stays a declaration xsl can keep const: no top-level var or let, no namespace import', () => {
    ready();
    const offenders = jsFiles().flatMap((file) => {
      const text = fs.readFileSync(join(outdir, file), 'utf8');
      return [...text.matchAll(/^(?:export\s+)?(var|let)\s+(\w+)|^import\s*\*\s*as\s+(\w+)/gm)].map((m) => `${file}: ${m[0]}`);
    });
    expect(offenders).toEqual([]);
  });

  test("no module-level constant holds an array or object that is not frozen (xsl's 'not frozen' warning)", () => {
    ready();
    const offenders = jsFiles().flatMap((file) => unfrozenModuleConstants(file, fs.readFileSync(join(outdir, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  test('the frozen-constant check finds an unfrozen table, nested ones included, and a module-level Map', () => {
    const text = [
      'const A = Object.freeze([Object.freeze({ a: 1 }), { b: 2 }]);',
      'const B = [1, 2];',
      'const C = new Map();',
      'const D = Object.freeze({ f: () => [1] });',
    ].join('\n');
    expect(unfrozenModuleConstants('t.js', text)).toEqual(['t.js:1 A: object not frozen', 't.js:2 B: array not frozen', 't.js:3 C: new Map not frozen']);
  });

  test('the declarations import each other relatively, in the output layout', () => {
    ready();
    const gpio = fs.readFileSync(join(outdir, 'genirq/esp32/gpio.d.ts'), 'utf8');
    expect(gpio).toMatch(/from '\.\.\/irq'/);
    for (const file of filesUnder(outdir, (f) => f.endsWith('.d.ts'))) {
      const text = fs.readFileSync(join(outdir, file), 'utf8');
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = join(outdir, dirname(file), m[1]);
        expect({ file, import: m[1], found: fs.existsSync(`${target}.d.ts`) || fs.existsSync(join(target, 'index.d.ts')) }).toEqual({ file, import: m[1], found: true });
      }
      expect(text).not.toMatch(/<reference path=/);
    }
  });
});

describe('the emitted modules in XS', () => {
  test('load, and have every export hardened before the program starts', () => {
    ready();
    expect(smoke.error).toBeUndefined();
    const report = smoke.report!;
    expect(report.modules).toEqual(jsFiles().map((f) => f.slice(0, -3)).sort());
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

describe('the library build on a fixture tree', () => {
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

  test('imports are rewritten to specifiers, index.ts is named after its directory, built-ins stay', async () => {
    write({
      'firmware/irq/index.ts': "export { twice } from './util';\n",
      'firmware/irq/util.ts': 'export const twice = (n: number): number => 2 * n;\n',
      'firmware/irq/util.test.ts': "import { twice } from './util';\ntest('twice', () => expect(twice(2)).toBe(4));\n",
      'hal/esp32/pin.ts': "import Timer from 'timer';\nimport { twice } from '../../firmware/irq';\nexport const later = (cb: () => void) => Timer.set(cb, twice(1));\n",
      'hal/mock/sim.ts': 'export const notOnTheBoard = 1;\n',
    });
    const out = await buildFixture();
    expect(out.code).toBe(0);
    const report = lastJsonLine<BuildReport>('node build/build.mjs --root', out);
    expect(report.modules.map((m) => [m.name, m.source, m.imports])).toEqual([
      ['genirq/esp32/pin', 'hal/esp32/pin.ts', ['genirq/irq', 'timer']],
      ['genirq/irq', 'firmware/irq/index.ts', ['genirq/irq/util']],
      ['genirq/irq/util', 'firmware/irq/util.ts', []],
    ]);
    const pin = fs.readFileSync(join(fixture, 'build/out/device/genirq/esp32/pin.js'), 'utf8');
    expect(pin).toMatch(/from 'genirq\/irq'/);
    expect(pin).toMatch(/^export const later/m);
    expect(fs.existsSync(join(fixture, 'manifests'))).toBe(false);
  });

  test.each([
    ['a Node built-in', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", /node:fs.*neither a module of the library nor a Moddable built-in/],
    ['a module outside the library', "import { notOnTheBoard } from '../../hal/mock/sim';\nexport const n = notOnTheBoard;\n", /hal\/mock\/sim\.ts, which is not part of the library/],
    ['a file that does not exist', "import { nothing } from './nowhere';\nexport const n = nothing;\n", /"\.\/nowhere" resolves to no TypeScript module/],
    ['a namespace import', "import * as util from './util';\nexport const n = util.one;\n", /namespace import/],
  ])('an import of %s fails the build', async (_what, source, message) => {
    write({ 'firmware/irq/bad.ts': source, 'firmware/irq/util.ts': 'export const one = 1;\n', 'hal/mock/sim.ts': 'export const notOnTheBoard = 1;\n' });
    const out = await buildFixture();
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(message);
  });
});
