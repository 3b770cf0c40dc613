/*
 * The command line of `npm start` (hal/mock/demo.ts): its options, the usage text made from them, and the check
 * that a `--trace` file can be written, done before the run starts. Kept apart from demo.ts, which runs the demo
 * when it is loaded, so host-tests can call it (host-tests/observe/demo-cli.test.ts).
 */
import { accessSync, constants, statSync } from 'node:fs';

/** The directory part of a path, as node:path's dirname on POSIX and Windows separators. */
function dirname(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (slash < 0) return '.';
  return slash === 0 ? trimmed.slice(0, 1) : trimmed.slice(0, slash);
}

export interface DemoArgs {
  /** -h, --help: print the usage and exit 0 without running. */
  readonly help: boolean;
  /** --trace FILE: also write a Chrome trace of the run there. */
  readonly trace: string | undefined;
  /** --seconds N: virtual seconds to run. */
  readonly seconds: number;
}

export const DEMO_DEFAULTS: DemoArgs = Object.freeze({ help: false, trace: undefined, seconds: 3 });

/** A mistake on the command line: the message names it; the demo prints it with the usage and exits 2. */
export class DemoUsageError extends Error {
  readonly exitCode = 2;
}

/** The options, in the order the usage lists them. */
export const DEMO_OPTIONS: readonly { readonly names: readonly string[]; readonly value?: string; readonly help: string; readonly default: string }[] = [
  {
    names: ['--seconds'],
    value: 'N',
    help: 'how many virtual seconds of input to run, a positive number',
    default: String(DEMO_DEFAULTS.seconds),
  },
  {
    names: ['--trace'],
    value: 'FILE',
    help: 'also write a Chrome trace (JSON) of the run to FILE, to open in https://ui.perfetto.dev or chrome://tracing; ' +
      'checked before the run starts (its directory must exist and be writable)',
    default: 'no trace',
  },
  { names: ['-h', '--help'], help: 'print this help and exit without running', default: 'off' },
];

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

function usageText(): string {
  const heads = DEMO_OPTIONS.map((o) => `${o.names.join(', ')}${o.value === undefined ? '' : ` ${o.value}`}`);
  const column = Math.max(...heads.map((h) => h.length)) + 4;
  const indent = ' '.repeat(column);
  const options = DEMO_OPTIONS.map((o, i) => `  ${heads[i].padEnd(column - 2)}${wrap(`${o.help} (default: ${o.default})`, 100 - column, indent)}`);
  return [
    'usage: npm start -- [options]',
    '       npx tsx hal/mock/demo.ts [options]',
    '',
    wrap(
      'Runs the demo app (examples/demo/app.ts) on the simulated ESP32 board, in virtual time: a button that ' +
        'bounces, an LIS3DH accelerometer sampling at 100 Hz, an MCP23017 expander whose switches toggle, and a ' +
        "sensor sharing the expander's interrupt line. It prints a progress line every half virtual second, then " +
        'the interrupt table (as /proc/interrupts), the irq threads, the latency per irq, the spurious counts per ' +
        "irq and each driver's figures.",
      100, '',
    ),
    '',
    'options:',
    ...options,
    '',
    wrap('exit status: 0 when the run (or --help) is done, 2 for a mistake in the options, 1 when the --trace file ' +
      'cannot be written or the run fails.', 100, ''),
  ].join('\n');
}

/** What `npm start -- --help` prints: what the demo does, each option with its meaning and default. */
export const DEMO_USAGE = usageText();

function valueOf(argv: readonly string[], i: number, name: string, what: string): string {
  const value = argv[i];
  if (value === undefined || value === '' || value.startsWith('--')) {
    throw new DemoUsageError(`${name} needs ${what}${value === undefined || value === '' ? '' : ` (got ${value})`}`);
  }
  return value;
}

/**
 * The demo's arguments (process.argv after the entry). Throws DemoUsageError for an unknown option, a stray
 * argument, or a missing or bad value; `--name=value` works as `--name value`.
 */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  let { help, trace, seconds } = DEMO_DEFAULTS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const next = (what: string): string => (inline !== undefined ? valueOf([inline], 0, name, what) : valueOf(argv, ++i, name, what));
    if (name === '-h' || name === '--help') {
      if (inline !== undefined) throw new DemoUsageError(`${name} takes no value (got ${arg})`);
      help = true;
    } else if (name === '--trace') {
      trace = next('a file name');
    } else if (name === '--seconds') {
      const value = next('a number of seconds');
      seconds = Number(value);
      if (!(seconds > 0) || !Number.isFinite(seconds)) throw new DemoUsageError(`--seconds needs a positive number (got ${value})`);
    } else if (arg.startsWith('-')) {
      throw new DemoUsageError(`unknown option ${arg}`);
    } else {
      throw new DemoUsageError(`unexpected argument ${arg} (the demo takes options only)`);
    }
  }
  return { help, trace, seconds };
}

function code(err: unknown): string {
  return (err as { code?: string }).code ?? String(err);
}

/**
 * Why `path` cannot take the trace file, or undefined if it can: the file is written at the end of the run, so
 * this is asked before it starts, and a path that would fail then fails at once. Writes nothing.
 */
export function traceFileProblem(path: string): string | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    if (code(err) !== 'ENOENT' && code(err) !== 'ENOTDIR') return `it cannot be read (${code(err)})`;
  }
  if (stat !== undefined) {
    if (stat.isDirectory()) return 'it is a directory (give a file name in it, e.g. trace.json)';
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      return `the file is not writable (${code(err)})`;
    }
    return undefined;
  }
  const dir = dirname(path);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch (err) {
    if (code(err) === 'ENOENT') return `the directory ${dir} does not exist`;
    if (code(err) === 'ENOTDIR') return `a part of ${dir} is a file, not a directory`;
    return `the directory ${dir} cannot be read (${code(err)})`;
  }
  if (!dirStat.isDirectory()) return `${dir} is a file, not a directory`;
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    return `the directory ${dir} is not writable (${code(err)})`;
  }
  return undefined;
}
