/*
 * The demo app on the simulated board, for the XS memory measurement of `npm run bench` ("XS memory the demo
 * needs", build/bench.mjs; ops demo, demo-feed, demo-advance of host-tests/xs/bench-entry.ts).
 *
 * Two runs are measured in separate workers: `firmware`, hal/mock/firmware-board.ts's startFirmwareBoard as it
 * is (the demo firmware started on the simulated board with the fakes, then its realistic input), and
 * `baseline`, the same board, devices, fakes and input with no firmware started. The baseline is built here
 * the way startFirmwareBoard builds its board (same seed, devices, fakes, the 10 ms start-up advance, the same
 * input schedule): what the firmware run holds beyond it is the firmware's, plus what the simulator allocates
 * because the firmware uses it (its timers, bus transactions, GPIO events), which on the board is not XS memory
 * (so the firmware's figure is on the high side).
 */
import { buildDemoBoard, connectExpanderInputs, scheduleDemoInput, startFirmwareBoard } from '../../hal/mock/firmware-board';
import type { Simulator } from '../../hal/mock/sim';

export type DemoRunKind = 'firmware' | 'baseline';

export interface DemoRun {
  readonly kind: DemoRunKind;
  readonly sim: Simulator;
  /** Schedule the demo's realistic input for `durationUs` of virtual time from now. */
  feed(durationUs: number): void;
  /** What the firmware saw so far (all 0 in the baseline). */
  counts(): { presses: number; samples: number; expanderPins: number; sensorValues: number };
  /** What the run keeps alive besides the simulator (the fakes, the devices). */
  readonly held: readonly unknown[];
}

/** What startFirmwareBoard advances after starting the firmware (the expander's probe on the simulated bus). */
const START_UP_US = 10_000;

export async function startDemoRun(kind: DemoRunKind): Promise<DemoRun> {
  if (kind === 'firmware') {
    const run = await startFirmwareBoard();
    return {
      kind, sim: run.board.sim, feed: (us) => run.feed(us), held: [run],
      counts: () => ({ ...run.counts, presses: run.counts.presses.length }),
    };
  }
  // startFirmwareBoard's board without startFirmware.
  const { board, provider: fakes, devices } = buildDemoBoard();
  const { button, accel, expander, sensor } = devices;
  const { sim } = board;
  await sim.advance(START_UP_US);
  const inputs = connectExpanderInputs(expander);
  return {
    kind, sim, held: [board, fakes, button, accel, expander, sensor],
    feed: (durationUs) => scheduleDemoInput(sim, { button, sensor, inputs }, durationUs),
    counts: () => ({ presses: 0, samples: 0, expanderPins: 0, sensorValues: 0 }),
  };
}

interface ProbeLink {
  readonly next: ProbeLink | null;
  readonly buffer?: ArrayBuffer;
}

let probe: ProbeLink | null = null;

/**
 * Keep `count` more known objects alive, to find the snapshot's size per slot and per chunk (build/bench.mjs
 * compares the snapshot and live slots before and after): 'slots': a linked list of `{ next }` (2 slots each,
 * no chunk); 'chunks': a linked list of `{ next, buffer }`, each with an ArrayBuffer of `bytes` bytes (slots,
 * and one chunk each). A list, not an array, so that no array storage (a chunk) grows with it.
 */
export function keepProbe(kind: 'slots' | 'chunks', count: number, bytes = 0): void {
  for (let i = 0; i < count; i++) probe = kind === 'slots' ? { next: probe } : { next: probe, buffer: new ArrayBuffer(bytes) };
}

export function dropProbe(): void {
  probe = null;
}
