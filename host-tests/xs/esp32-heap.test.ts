/*
 * The board's platform path in the real XS engine: the core on createEsp32Platform over the fakes of
 * Moddable's time and timer (workload `threaded-oneshot-esp32` of host-tests/xs/bench-workloads.ts), through
 * `node build/bench.mjs --workload ... --only ... --json` in a child process (xsnap's Node API locks down the
 * process it runs in). Both figures are deterministic: XS counts slots, and the workload is the same every run.
 */
declare const require: (id: string) => unknown;
declare const __dirname: string;

type ExecFile = (
  file: string, args: string[], options: { cwd: string; maxBuffer: number; timeout: number },
  callback: (error: Error | null, stdout: string, stderr: string) => void,
) => unknown;

const { execFile } = require('node:child_process') as { execFile: ExecFile };
const { execPath } = require('node:process') as { execPath: string };
const { resolve } = require('node:path') as { resolve: (...parts: string[]) => string };

interface Row<T> {
  id: string;
  framework: T;
  floor: T;
}
interface Figures {
  'xs-heap': Row<{ bytes: number; slots: number }>[];
  'xs-alloc': Row<number>[];
}

function bench(): Promise<Figures> {
  const args = ['build/bench.mjs', '--workload', 'threaded-oneshot-esp32', '--only', 'xs-heap,xs-alloc', '--json'];
  return new Promise((done, fail) => {
    execFile(execPath, args, { cwd: resolve(__dirname, '..', '..'), maxBuffer: 16 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        done(JSON.parse(line) as Figures);
      } catch {
        fail(new Error(`build/bench.mjs gave no figures${error ? ` (${error.message})` : ''}\n${stderr}${stdout}`));
      }
    });
  });
}

let figures: Figures;

beforeAll(async () => {
  figures = await bench();
}, 300_000);

test('10,000 interrupts on the board platform path grow the XS heap by nothing (snapshot bytes and live slots after GC)', () => {
  expect(figures['xs-heap']).toHaveLength(1);
  expect(figures['xs-heap'][0].framework).toEqual({ bytes: 0, slots: 0 });
});

test('a runner burst on the board platform allocates nothing beyond the hand-written floor (one timer re-armed, not a timer per burst)', () => {
  const [row] = figures['xs-alloc'];
  expect(row.framework).toBe(row.floor);
});
