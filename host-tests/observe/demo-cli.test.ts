/*
 * The command line of `npm start` (hal/mock/demo-args.ts and hal/mock/demo.ts): --help, unknown options, the
 * options' values, and a --trace path checked before the run starts. The parsing is tested as a function; the
 * last tests run the demo as the user does, through tsx (what `npm start` runs).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { DEMO_DEFAULTS, DEMO_OPTIONS, DEMO_USAGE, DemoUsageError, parseDemoArgs, traceFileProblem } from '../../hal/mock/demo-args';

/** The usage error parseDemoArgs throws for `argv`. */
function usageError(argv: readonly string[]): DemoUsageError {
  try {
    parseDemoArgs(argv);
  } catch (err) {
    if (err instanceof DemoUsageError) return err;
    throw err;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

const SCRATCH = 'build/out/demo-cli.test';
mkdirSync(SCRATCH, { recursive: true });

describe('parseDemoArgs', () => {
  test('no arguments: a 3-second run without a trace', () => {
    expect(parseDemoArgs([])).toEqual({ help: false, trace: undefined, seconds: 3 });
    expect(parseDemoArgs([])).toEqual(DEMO_DEFAULTS);
  });

  test('--help asks for the usage', () => {
    expect(parseDemoArgs(['--help']).help).toBe(true);
  });

  test('-h asks for the usage', () => {
    expect(parseDemoArgs(['-h']).help).toBe(true);
  });

  test('--seconds N and --trace FILE set the run length and the trace file', () => {
    expect(parseDemoArgs(['--seconds', '1.5', '--trace', 'out.json'])).toEqual({ help: false, trace: 'out.json', seconds: 1.5 });
  });

  test('--name=value works as --name value', () => {
    expect(parseDemoArgs(['--seconds=10', '--trace=t.json'])).toEqual({ help: false, trace: 't.json', seconds: 10 });
  });

  test('an unknown option is a usage error (exit 2) naming it', () => {
    const err = usageError(['--seconds', '1', '--frobnicate']);
    expect(err.message).toBe('unknown option --frobnicate');
    expect(err.exitCode).toBe(2);
  });

  test('a stray argument is a usage error naming it', () => {
    expect(usageError(['out.json']).message).toMatch(/unexpected argument out\.json/);
  });

  test('an option without its value is a usage error naming the option', () => {
    expect(usageError(['--trace']).message).toBe('--trace needs a file name');
    expect(usageError(['--trace', '--seconds', '1']).message).toBe('--trace needs a file name (got --seconds)');
  });

  test.each(['0', '-1', 'abc', 'Infinity'])('--seconds %s is a usage error', (value) => {
    expect(usageError(['--seconds', value]).message).toBe(`--seconds needs a positive number (got ${value})`);
  });
});

describe('the usage', () => {
  test('says what the demo does', () => {
    expect(DEMO_USAGE).toMatch(/^usage: npm start -- \[options\]/);
    expect(DEMO_USAGE).toMatch(/simulated ESP32 board/);
    expect(DEMO_USAGE).toMatch(/interrupt table/);
  });

  test('lists every option with its meaning and default', () => {
    const text = DEMO_USAGE.replace(/\s+/g, ' ');
    for (const option of DEMO_OPTIONS) {
      for (const name of option.names) expect(DEMO_USAGE).toContain(name);
      expect(text).toContain(`${option.help} (default: ${option.default})`);
    }
    expect(text).toMatch(/--seconds N .* \(default: 3\)/);
    expect(text).toMatch(/--trace FILE .* \(default: no trace\)/);
    expect(text).toMatch(/-h, --help .*/);
  });
});

describe('traceFileProblem', () => {
  test('a file in a directory that does not exist: names the directory', () => {
    expect(traceFileProblem(`${SCRATCH}/no-such-dir/out.json`)).toBe(`the directory ${SCRATCH}/no-such-dir does not exist`);
  });

  test('a directory: says so', () => {
    expect(traceFileProblem(SCRATCH)).toMatch(/^it is a directory/);
  });

  test('a file under a file: says the parent is not a directory', () => {
    writeFileSync(`${SCRATCH}/plain`, '');
    expect(traceFileProblem(`${SCRATCH}/plain/out.json`)).toMatch(/is a file, not a directory/);
  });

  const root = (process as unknown as { getuid?: () => number }).getuid?.() === 0;
  (root ? test.skip : test)('a directory that is not writable: says so (skipped as root, who may write anywhere)', () => {
    const dir = `${SCRATCH}/read-only`;
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o555);
    try {
      expect(traceFileProblem(`${dir}/out.json`)).toMatch(/is not writable \(EACCES\)/);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  test('a new file in a writable directory is fine, and the check writes nothing', () => {
    expect(traceFileProblem(`${SCRATCH}/new.json`)).toBeUndefined();
    expect(existsSync(`${SCRATCH}/new.json`)).toBe(false);
    expect(traceFileProblem('out.json')).toBeUndefined();
  });
});

describe('npm start, run as the user does', () => {
  const demo = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'hal/mock/demo.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

  test('--help prints the usage and exits 0 without running', () => {
    const { status, stdout } = demo('--help');
    expect(stdout.trim()).toBe(DEMO_USAGE);
    expect(status).toBe(0);
  });

  test('an unknown option exits 2, naming it, with the usage, without running', () => {
    const { status, stdout, stderr } = demo('--bogus');
    expect(status).toBe(2);
    expect(stderr).toMatch(/^npm start: unknown option --bogus\n/);
    expect(stderr).toContain(DEMO_USAGE);
    expect(stdout).toBe('');
  });

  test('a --trace path in a directory that does not exist fails before the run, naming the path and why', () => {
    const path = `${SCRATCH}/missing/trace.json`;
    const { status, stdout, stderr } = demo('--trace', path, '--seconds', '1');
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(`npm start: --trace ${path}: cannot write the trace there: the directory ${SCRATCH}/missing does not exist`);
    expect(stdout).toBe(''); // no progress line: the run never started
  });
});
