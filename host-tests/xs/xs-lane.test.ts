/*
 * The XS lane under jest: build/xs/lane.mjs runs every shared scenario inside the real XS engine (an xsnap
 * worker, with the firmware's exports and the built-ins frozen as Moddable's preload leaves them), once with
 * xsnap's setImmediate and once without it (the simulator's board drain). It runs once, in a child process
 * (xsnap's Node API locks down the process it runs in), and each scenario is reported here as its own test.
 * Alone: `node build/xs/lane.mjs`, or `npx jest host-tests/xs`.
 */
import { resolve } from 'node:path';
import { lastJsonLine, runNode } from '../../build/run-node.mjs';
import { scenarios } from '../scenarios';

interface ScenarioResult {
  name: string;
  ok: boolean;
  error?: string;
  compute: number;
}

interface VariantReport {
  id: string;
  title: string;
  ok: boolean;
  error?: string;
  ended: boolean;
  frozen?: { builtins: number; exports: number; notFrozen: string[]; builtinsFrozen: boolean; hasSetImmediate: boolean };
  results: ScenarioResult[];
  unfinished: string[];
  modules: string[];
}

interface LaneReport {
  ok: boolean;
  variants: VariantReport[];
}

const root = resolve(__dirname, '..', '..');
const VARIANT_IDS = ['xsnap', 'board-drain'] as const;

async function runLane(): Promise<LaneReport> {
  const run = await runNode(['build/xs/lane.mjs', '--json'], { cwd: root, timeoutMs: 600_000 });
  return lastJsonLine<LaneReport>('node build/xs/lane.mjs --json', run);
}

let report: LaneReport | undefined;
let laneFailure: Error | undefined;

beforeAll(async () => {
  try {
    report = await runLane();
  } catch (err) {
    laneFailure = err as Error;
  }
}, 600_000);

function variant(id: string): VariantReport {
  if (laneFailure !== undefined) throw laneFailure;
  const v = report!.variants.find((r) => r.id === id);
  if (v === undefined) throw new Error(`the XS lane has no variant ${id}`);
  return v;
}

describe.each(VARIANT_IDS.map((id) => [id]))('XS lane (%s)', (id) => {
  test('the firmware exports and the built-ins were frozen before anything ran', () => {
    const v = variant(id);
    expect(v.frozen).toBeDefined();
    expect(v.frozen!.exports).toBeGreaterThan(0);
    expect(v.frozen!.notFrozen).toEqual([]);
    expect(v.frozen!.builtinsFrozen).toBe(true);
    expect(v.frozen!.hasSetImmediate).toBe(id === 'xsnap');
  });

  test.each(scenarios.map((s) => [s.name]))('%s', (name) => {
    const v = variant(id);
    const result = v.results.find((r) => r.name === name);
    if (result === undefined) {
      const why = v.unfinished.includes(name)
        ? `it started and never finished (${v.error ?? 'the worker went idle with it pending'})`
        : `it never started${v.error ? ` (${v.error})` : ''}`;
      throw new Error(`scenario did not complete in XS: ${why}`);
    }
    if (!result.ok) throw new Error(`failed in XS: ${result.error}`);
  });

  test('XS ran exactly the scenario list and finished', () => {
    const v = variant(id);
    expect(v.results.map((r) => r.name)).toEqual(scenarios.map((s) => s.name));
    expect(v.error).toBeUndefined();
    expect(v.ended).toBe(true);
  });
});
