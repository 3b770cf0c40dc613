/*
 * The board's platform path in the real XS engine: the core on createEsp32Platform over the fakes of
 * Moddable's time and timer (workload `threaded-oneshot-esp32` of host-tests/xs/bench-workloads.ts), through
 * `node build/bench.mjs --workload ... --only ... --json` in a child process (xsnap's Node API locks down the
 * process it runs in). Both figures are deterministic: XS counts slots, and the workload is the same every run.
 */
import { resolve } from 'node:path';
import { lastJsonLine, runNode } from '../../build/run-node.mjs';

interface Row<T> {
  id: string;
  framework: T;
  floor: T;
}
interface Figures {
  'xs-heap': Row<{ bytes: number; slots: number }>[];
  'xs-alloc': Row<number>[];
}

async function bench(): Promise<Figures> {
  const args = ['build/bench.mjs', '--workload', 'threaded-oneshot-esp32', '--only', 'xs-heap,xs-alloc', '--json'];
  const run = await runNode(args, { cwd: resolve(__dirname, '..', '..'), timeoutMs: 300_000 });
  return lastJsonLine<Figures>(`node ${args.join(' ')}`, run);
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
