/*
 * The code in the documentation is checked like the code of the repository (host-tests/docs/extract.ts says how
 * blocks are marked):
 *
 * 1. Every fenced block names its language, and every TypeScript block is `sample NAME`, `typecheck NAME` or
 *    `no-run`: nothing that looks like working code escapes the checks by accident.
 * 2. Samples and typecheck blocks are extracted to build/out/docs-samples/NAME.ts and type-checked there by tsc,
 *    with the project's strict options, the imports 'genirq/...' (the library's Moddable specifiers), 'hal/...'
 *    and 'firmware/...' mapped to the repository's
 *    files by `paths`, and Moddable's typings (examples/moddable.d.ts) for board code. tsc runs here, on the
 *    extracted files, rather than in `npm run typecheck`: the Markdown stays the only copy of each sample (no
 *    generated .ts files to commit and keep in step), and an error is reported at its line in the .md file.
 * 3. Samples are bundled with esbuild, the same imports mapped to the same files, and each runs in a Node
 *    process of its own: it passes when it finishes without throwing, and when its console output equals its
 *    ```text output block, if it has one. A sample whose top-level await never settles (Node's exit code 13)
 *    fails too.
 *
 * Alone: `npx jest host-tests/docs` (about 10 s).
 */
import * as esbuild from 'esbuild';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { execPath } from 'node:process';
import { filesUnder } from '../../build/walk.mjs';
import {
  codeBlocks, collectSamples, missingExcerptParts, normalizeOutput, sampleSource, type CodeBlock, type DocLocation,
  type Sample,
} from './extract';

const root = path.resolve(__dirname, '..', '..');
const docsDir = path.join(root, 'docs');
const outDir = path.join(root, 'build', 'out', 'docs-samples');
/** Import specifiers written from the repository root. */
const ROOT_IMPORT = /^(firmware|hal|genirq)(\/|$)/;

/** The library's Moddable specifiers (build/device/manifest.mjs) as repository paths: genirq/irq → firmware/irq. */
function repositoryPath(specifier: string): string {
  return specifier.replace(/^genirq\/esp32(?=\/|$)/, 'hal/esp32').replace(/^genirq\//, 'firmware/');
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function run(file: string, args: string[], timeout: number): Promise<RunResult> {
  return new Promise((resolveRun) => {
    execFile(file, args, { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolveRun({ code, stdout, stderr, timedOut: error?.killed === true });
    });
  });
}

/** Every Markdown file of docs/, parsed. */
function readDocs(): { blocks: CodeBlock[]; problems: string[]; files: string[] } {
  const files = filesUnder(docsDir, (f) => f.endsWith('.md'));
  const blocks: CodeBlock[] = [];
  const problems: string[] = [];
  for (const f of files) {
    const parsed = codeBlocks(`docs/${f}`, fs.readFileSync(path.join(docsDir, f), 'utf8'));
    blocks.push(...parsed.blocks);
    problems.push(...parsed.problems);
  }
  return { blocks, problems, files };
}

const docs = readDocs();
const collected = collectSamples(docs.blocks);
const samples = collected.samples;
const runnable = samples.filter((s) => s.kind === 'sample');

/** Where each generated line came from, by sample name. */
const lineMaps = new Map<string, (DocLocation | undefined)[]>();

function writeSample(sample: Sample): string {
  const { source, lines } = sampleSource(sample);
  const file = path.join(outDir, `${sample.name}.ts`);
  fs.writeFileSync(file, source);
  lineMaps.set(sample.name, lines);
  return file;
}

/** "NAME.ts(12,5)" or "NAME.ts:12:5" in tool output, rewritten to the .md file's line. */
function toDocLocations(text: string): string {
  return text.replace(/(?:[^\s()]*docs-samples\/)?([a-z0-9-]+)\.ts(?:\((\d+),(\d+)\)|:(\d+)(?::(\d+))?)/g, (whole, name: string, l1, c1, l2, c2) => {
    const line = Number(l1 ?? l2);
    const column = c1 ?? c2;
    const loc = lineMaps.get(name)?.[line - 1];
    return loc === undefined ? whole : `${loc.file}:${loc.line}${column === undefined ? '' : `:${String(column)}`} (sample ${name})`;
  });
}

/** Two programs the harness must refuse, to show that a failing or a hanging sample is caught. */
const SELF_CHECKS: Sample[] = [
  { name: 'harness-throws', kind: 'sample', file: 'host-tests/docs/samples.test.ts', output: undefined,
    blocks: [{ file: 'host-tests/docs/samples.test.ts', line: 1, lang: 'ts', info: [], code: "throw new Error('a wrong result');" }] },
  { name: 'harness-hangs', kind: 'sample', file: 'host-tests/docs/samples.test.ts', output: undefined,
    blocks: [{ file: 'host-tests/docs/samples.test.ts', line: 1, lang: 'ts', info: [], code: 'await new Promise<void>(() => {});' }] },
];

function tsconfig(files: string[]): string {
  const rel = (p: string): string => path.relative(outDir, p).split('\\').join('/');
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [],
      strict: true, noImplicitOverride: true, noUnusedLocals: true, noUnusedParameters: true,
      noFallthroughCasesInSwitch: true, isolatedModules: true, esModuleInterop: true, skipLibCheck: true, noEmit: true,
      paths: {
        'firmware/*': [`${rel(root)}/firmware/*`], 'hal/*': [`${rel(root)}/hal/*`],
        'genirq/irq': [`${rel(root)}/firmware/irq/index.ts`], 'genirq/irq/*': [`${rel(root)}/firmware/irq/*`],
        'genirq/drivers/*': [`${rel(root)}/firmware/drivers/*`],
        'genirq/esp32': [`${rel(root)}/hal/esp32/index.ts`], 'genirq/esp32/*': [`${rel(root)}/hal/esp32/*`],
      },
    },
    // console for samples (host code), Moddable's modules for board code.
    files: [...files.map(rel), rel(path.join(root, 'hal/mock/host.d.ts')), rel(path.join(root, 'examples/moddable.d.ts'))],
  }, null, 2);
}

const rootImports: esbuild.Plugin = {
  name: 'repository-root-imports',
  setup(build) {
    build.onResolve({ filter: ROOT_IMPORT }, async (args) => {
      const resolved = await build.resolve(`./${repositoryPath(args.path)}`, { resolveDir: root, kind: args.kind });
      return resolved.errors.length !== 0 ? { errors: resolved.errors } : { path: resolved.path };
    });
    build.onResolve({ filter: /^(embedded:|timer$|time$)/ }, (args) => ({
      errors: [{ text: `${args.path} exists only on the board: mark the block \`\`\`ts typecheck NAME, not sample` }],
    }));
  },
};

/** Run `jobs` with at most `limit` of them at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

describe('the code-block parser', () => {
  const md = [
    '# t', '```ts sample one', 'const a = 1;', '```', 'text', '```ts sample one', 'if (a !== 1) throw new Error();', '```',
    '```text output one', '```', '```ts no-run', 'x', '```', '```c', 'int x;', '```', '````ts typecheck board-two',
    '```', '````',
  ].join('\n');

  test('joins the blocks of one sample in order, keeps their lines, and attaches its output block', () => {
    const { blocks, problems } = codeBlocks('docs/t.md', md);
    expect(problems).toEqual([]);
    const { samples: found, problems: more } = collectSamples(blocks);
    expect(more).toEqual([]);
    expect(found.map((s) => [s.name, s.kind, s.blocks.length, s.output?.line])).toEqual([['one', 'sample', 2, 10], ['board-two', 'typecheck', 1, undefined]]);
    const { source, lines } = sampleSource(found[0]);
    expect(source.split('\n').slice(1, 3)).toEqual(['const a = 1;', 'if (a !== 1) throw new Error();']);
    expect(lines.slice(1, 3)).toEqual([{ file: 'docs/t.md', line: 3 }, { file: 'docs/t.md', line: 7 }]);
    expect(source).toMatch(/export \{\};\n$/);
  });

  test('finds the parts of an excerpt that are not in the file, indentation aside', () => {
    const file = ['class A {', '  f() {', '    return 1;', '  }', '  g() {}', '}'].join('\n');
    expect(missingExcerptParts(['f() {', '  return 1;', '}', '// ...', 'g() {}'].join('\n'), file)).toEqual([]);
    expect(missingExcerptParts(['f() {', '  return 2;', '}'].join('\n'), file)).toEqual(['f() {']);
    const { blocks } = codeBlocks('docs/e.md', ['```ts no-run excerpt=firmware/x.ts', 'f', '```', '```ts no-run excerpt', '```'].join('\n'));
    const { excerpts, problems } = collectSamples(blocks);
    expect(excerpts.map((e) => e.source)).toEqual(['firmware/x.ts']);
    expect(problems).toEqual([expect.stringMatching(/^docs\/e\.md:4: ```ts no-run takes no name, only excerpt=PATH/)]);
  });

  test('refuses unmarked TypeScript, JavaScript, blocks without a language, and an output for no sample', () => {
    const bad = ['```ts', 'x', '```', '```js', 'y', '```', '```', 'z', '```', '```ts sample Bad_Name', '```', '```text output nobody', '```'].join('\n');
    const { blocks, problems } = codeBlocks('docs/b.md', bad);
    const all = [...problems, ...collectSamples(blocks).problems];
    expect(all).toEqual([
      expect.stringMatching(/^docs\/b\.md:7: a code block without a language/),
      expect.stringMatching(/^docs\/b\.md:1: a TypeScript block must be/),
      expect.stringMatching(/^docs\/b\.md:4: a ```js block/),
      expect.stringMatching(/^docs\/b\.md:10: ```ts sample needs one name/),
      expect.stringMatching(/^docs\/b\.md:12: ```text output NAME must name one runnable sample/),
    ]);
  });
});

describe('docs/*.md code', () => {
  test('every block names its language and every TypeScript block is a sample, typecheck-only or no-run', () => {
    expect(docs.files.length).toBeGreaterThan(0);
    expect([...docs.problems, ...collected.problems]).toEqual([]);
  });

  test('every excerpt of a repository file (```ts no-run excerpt=PATH) is in that file as shown', () => {
    const stale: string[] = [];
    for (const { block, source } of collected.excerpts) {
      const file = path.join(root, source);
      if (!fs.existsSync(file)) {
        stale.push(`${block.file}:${block.line - 1}: ${source} does not exist`);
        continue;
      }
      for (const line of missingExcerptParts(block.code, fs.readFileSync(file, 'utf8'))) {
        stale.push(`${block.file}:${block.line - 1}: the part starting "${line}" is not in ${source}`);
      }
    }
    expect(stale).toEqual([]);
  });

  test('samples and typecheck blocks type-check with the project\'s strict options', async () => {
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const files = samples.map(writeSample);
    fs.writeFileSync(path.join(outDir, 'tsconfig.json'), tsconfig(files));
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(execPath, [tsc, '-p', path.join(outDir, 'tsconfig.json'), '--pretty', 'false'], 120_000);
    const errors = toDocLocations(result.stdout + result.stderr).split('\n').filter((l) => l.trim() !== '');
    expect(errors).toEqual([]);
    expect(result.code).toBe(0);
  }, 120_000);

  describe('samples run on the simulated board', () => {
    const results = new Map<string, RunResult>();

    beforeAll(async () => {
      fs.mkdirSync(outDir, { recursive: true });
      const all = [...runnable, ...SELF_CHECKS];
      const entryPoints = all.map(writeSample);
      try {
        await esbuild.build({
          entryPoints, outdir: outDir, outExtension: { '.js': '.mjs' }, bundle: true, platform: 'node', format: 'esm',
          target: 'node20', sourcemap: 'inline', logLevel: 'silent', plugins: [rootImports],
        });
      } catch (err) {
        const messages = (err as { errors?: esbuild.Message[] }).errors ?? [];
        const text = messages.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : ''}${e.text}`).join('\n') || String(err);
        for (const s of all) results.set(s.name, { code: null, stdout: '', stderr: `esbuild failed:\n${toDocLocations(text)}`, timedOut: false });
        return;
      }
      const ran = await pool(all.map((s) => () => run(execPath, ['--enable-source-maps', path.join(outDir, `${s.name}.mjs`)], 60_000)), 4);
      all.forEach((s, i) => results.set(s.name, ran[i]));
    }, 180_000);

    function failure(name: string): string | undefined {
      const r = results.get(name);
      if (r === undefined) return 'did not run';
      if (r.timedOut) return 'still running after 60 s';
      if (r.code === 13) return 'its top-level await never settled (a promise nobody resolves: is the simulator advanced?)';
      if (r.code !== 0) return `exit code ${String(r.code)}\n${toDocLocations(r.stderr)}`;
      return undefined;
    }

    test('the harness catches a sample that throws and one that never finishes', () => {
      expect(failure('harness-throws')).toMatch(/a wrong result/);
      expect(failure('harness-hangs')).toMatch(/never settled/);
    });

    if (runnable.length !== 0) {
      test.each(runnable.map((s) => [`${s.file}: ${s.name}`, s] as const))('%s', (_label, sample) => {
        expect(failure(sample.name)).toBeUndefined();
        if (sample.output !== undefined) {
          expect(normalizeOutput(results.get(sample.name)!.stdout)).toBe(normalizeOutput(sample.output.code));
        }
      });
    }
  });
});
