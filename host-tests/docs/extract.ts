/*
 * Code blocks of the documentation (docs/*.md), for host-tests/docs/samples.test.ts.
 *
 * Every fenced block must name its language. A TypeScript block (```ts or ```typescript) must also say what it
 * is, in the rest of its info string:
 *
 *   ```ts sample NAME      type-checked and run on the simulated board. Several blocks with the same NAME (in
 *                          one file) are one program, joined in document order, so prose can sit between the
 *                          parts. The program checks its own results: it throws when one is wrong.
 *   ```ts typecheck NAME   type-checked only: code for the board, which imports Moddable's embedded:* modules.
 *   ```ts no-run           neither: a fragment (a signature, a call shown out of context).
 *   ```ts no-run excerpt=PATH
 *                          an excerpt of the repository's file PATH: each part between `// ...` lines must appear
 *                          in the file as it is (indentation aside), so the excerpt cannot drift from the code.
 *   ```text output NAME    what sample NAME prints with console.log, compared exactly (trailing blanks aside).
 *
 * Imports in samples are written from the repository root ('firmware/irq', 'hal/mock/board'); the test maps them
 * to the files. A sample may import another sample as './NAME' (a driver defined once, then used on the simulated
 * board by one sample and type-checked for the board by another). JavaScript blocks (js, jsx, tsx) are refused: write TypeScript, so the block is checked.
 * Pure functions only (no Node APIs), so the parser itself is unit-tested in the same file as the docs.
 */

export interface CodeBlock {
  /** The Markdown file, relative to the repository root (docs/concepts.md). */
  readonly file: string;
  /** 1-based line of the block's first code line (the line after the opening fence). */
  readonly line: number;
  readonly lang: string;
  /** The info string's words after the language. */
  readonly info: readonly string[];
  readonly code: string;
}

export type SampleKind = 'sample' | 'typecheck';

export interface Sample {
  readonly name: string;
  readonly kind: SampleKind;
  readonly file: string;
  readonly blocks: readonly CodeBlock[];
  /** The expected console output, from a ```text output NAME block. */
  readonly output: CodeBlock | undefined;
}

/** A ```ts no-run excerpt=PATH block. */
export interface Excerpt {
  readonly block: CodeBlock;
  /** The repository file it is taken from. */
  readonly source: string;
}

export interface DocLocation {
  readonly file: string;
  readonly line: number;
}

export const TS_LANGS: readonly string[] = ['ts', 'typescript'];
/** Languages that would carry unchecked code: write TypeScript instead. */
export const REFUSED_LANGS: readonly string[] = ['js', 'javascript', 'jsx', 'tsx', 'mjs', 'cjs'];
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The fenced code blocks of one Markdown file, and what is wrong with their fences. */
export function codeBlocks(file: string, text: string): { blocks: CodeBlock[]; problems: string[] } {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  const problems: string[] = [];
  let open: { fence: string; line: number; lang: string; info: string[]; body: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (open === undefined) {
      const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
      if (m === null) continue;
      const words = m[2].trim().split(/\s+/).filter((w) => w.length > 0);
      open = { fence: m[1], line: i + 2, lang: (words[0] ?? '').toLowerCase(), info: words.slice(1), body: [] };
      if (open.lang === '') problems.push(`${file}:${i + 1}: a code block without a language (say \`\`\`ts, \`\`\`c, \`\`\`sh, \`\`\`text)`);
      continue;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close !== null && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      blocks.push({ file, line: open.line, lang: open.lang, info: open.info, code: open.body.join('\n') });
      open = undefined;
    } else {
      open.body.push(line);
    }
  }
  if (open !== undefined) problems.push(`${file}:${open.line - 1}: a code block that is never closed`);
  return { blocks, problems };
}

/**
 * Group the blocks into samples and check every TypeScript block is a sample, typecheck-only or no-run.
 * Problems name the file and line.
 */
export function collectSamples(blocks: readonly CodeBlock[]): { samples: Sample[]; excerpts: Excerpt[]; problems: string[] } {
  const problems: string[] = [];
  const excerpts: Excerpt[] = [];
  const byName = new Map<string, { kind: SampleKind; file: string; blocks: CodeBlock[]; output: CodeBlock | undefined }>();
  const outputs: CodeBlock[] = [];
  for (const b of blocks) {
    const where = `${b.file}:${b.line - 1}`;
    if (REFUSED_LANGS.includes(b.lang)) {
      problems.push(`${where}: a \`\`\`${b.lang} block: write TypeScript (\`\`\`ts sample NAME, \`\`\`ts typecheck NAME or \`\`\`ts no-run)`);
      continue;
    }
    if (b.lang === 'text' && b.info[0] === 'output') {
      outputs.push(b);
      continue;
    }
    if (!TS_LANGS.includes(b.lang)) continue;
    const [mode, name, ...rest] = b.info;
    if (mode === 'no-run') {
      const source = name === undefined ? undefined : /^excerpt=(\S+)$/.exec(name)?.[1];
      if (name !== undefined && (source === undefined || rest.length !== 0)) {
        problems.push(`${where}: \`\`\`ts no-run takes no name, only excerpt=PATH (found "${b.info.join(' ')}")`);
      } else if (source !== undefined) {
        excerpts.push({ block: b, source });
      }
      continue;
    }
    if (mode !== 'sample' && mode !== 'typecheck') {
      problems.push(`${where}: a TypeScript block must be \`\`\`ts sample NAME, \`\`\`ts typecheck NAME or \`\`\`ts no-run (found "${b.info.join(' ')}")`);
      continue;
    }
    if (name === undefined || !NAME.test(name) || rest.length !== 0) {
      problems.push(`${where}: \`\`\`ts ${mode} needs one name of lower-case letters, digits and dashes (found "${b.info.join(' ')}")`);
      continue;
    }
    const known = byName.get(name);
    if (known === undefined) {
      byName.set(name, { kind: mode, file: b.file, blocks: [b], output: undefined });
    } else if (known.file !== b.file) {
      problems.push(`${where}: sample "${name}" is already used in ${known.file}; names are unique across the docs`);
    } else if (known.kind !== mode) {
      problems.push(`${where}: the blocks of "${name}" must all be \`\`\`ts ${known.kind}`);
    } else {
      known.blocks.push(b);
    }
  }
  for (const o of outputs) {
    const name = o.info[1];
    const target = name === undefined ? undefined : byName.get(name);
    const where = `${o.file}:${o.line - 1}`;
    if (target === undefined || target.kind !== 'sample' || o.info.length !== 2) {
      problems.push(`${where}: \`\`\`text output NAME must name one runnable sample (found "${o.info.join(' ')}")`);
    } else if (target.output !== undefined) {
      problems.push(`${where}: sample "${name}" already has an output block`);
    } else {
      target.output = o;
    }
  }
  const samples = [...byName].map(([name, s]) => ({ name, ...s }));
  return { samples, excerpts, problems };
}

/**
 * The parts of an excerpt (split at `// ...` lines) that do not appear in `fileText`, each as its first line.
 * Lines are compared without their leading and trailing blanks, so an excerpt may be re-indented.
 */
export function missingExcerptParts(excerpt: string, fileText: string): string[] {
  const strip = (text: string): string[] => text.split('\n').map((l) => l.trim());
  const file = `\n${strip(fileText).join('\n')}\n`;
  const parts: string[][] = [[]];
  for (const line of strip(excerpt)) {
    if (line === '// ...') parts.push([]);
    else parts[parts.length - 1].push(line);
  }
  return parts
    .map((lines) => lines.join('\n').replace(/^\n+|\n+$/g, ''))
    .filter((part) => part !== '' && !file.includes(`\n${part}\n`))
    .map((part) => part.split('\n')[0]);
}

/**
 * The program of a sample: its blocks joined in document order, then `export {}` so that it is a module (top-level
 * await) even without imports. `lines[i]` is where generated line i + 1 came from (undefined for added lines).
 */
export function sampleSource(sample: Sample): { source: string; lines: (DocLocation | undefined)[] } {
  const out: string[] = [`// ${sample.file}: ${sample.kind} ${sample.name} (generated by host-tests/docs/samples.test.ts)`];
  const lines: (DocLocation | undefined)[] = [undefined];
  for (const b of sample.blocks) {
    b.code.split('\n').forEach((text, i) => {
      out.push(text);
      lines.push({ file: b.file, line: b.line + i });
    });
  }
  out.push('export {};');
  lines.push(undefined);
  return { source: `${out.join('\n')}\n`, lines };
}

/** Trailing blanks and trailing empty lines do not count when outputs are compared. */
export function normalizeOutput(text: string): string {
  return text.split('\n').map((l) => l.replace(/\s+$/, '')).join('\n').replace(/\n+$/, '');
}
