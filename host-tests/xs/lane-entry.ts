/*
 * The XS lane's program: runs inside an xsnap worker (build/xs/lane.mjs bundles it with every firmware module
 * and evaluates it). It freezes what the board's preload freezes, then runs every shared scenario in order and
 * reports each one to the Node side as it finishes, with the XS meter units it took.
 *
 * Messages: {type:'start', name} before a scenario, {type:'result', name, ok, assertions?, error?, compute}
 * after it, {type:'end'} once all ran. A scenario still pending when the engine goes idle is abandoned by the
 * Node side (laneAbandon) and reported as failed; one that computes past its meter limit stops the worker.
 */
import { runScenario, scenarios } from '../scenarios';
import { freezeLikePreload, send, xsnapGlobals } from './xs-globals';

/**
 * Meter units one scenario may use; past it the worker stops (E_TOO_MUCH_COMPUTATION) instead of hanging.
 * resetMeter() takes and returns 32-bit signed integers, hence just under 2^31 (build/xs/host.mjs starts the
 * worker with the same limit, without which xsnap does not check the meter at all). The costliest scenario
 * (the spurious detector's 100,000 interrupts) takes about 1.6e9 with the board's drain.
 */
const SCENARIO_METER_LIMIT = 2_100_000_000;

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const header = `${err.name}: ${err.message}`;
    const stack = typeof err.stack === 'string' ? err.stack : '';
    return stack.startsWith(header) ? stack : stack ? `${header}\n${stack}` : header;
  }
  return String(err);
}

/**
 * Set while a scenario runs: abandons it. The Node side calls `laneAbandon()` (a new delivery) when the worker
 * went idle with the scenario still pending, i.e. waiting for a promise nobody will settle; the run goes on
 * with the next scenario.
 */
let abandon: ((reason: Error) => void) | undefined;

/** `firmwareModules`: every firmware module's namespace, by path (build/xs/host.mjs's bundleForXs). */
export async function main(firmwareModules: Readonly<Record<string, object>>): Promise<void> {
  const xs = xsnapGlobals();
  send(xs, {
    type: 'frozen',
    ...freezeLikePreload(xs, firmwareModules),
    builtinsFrozen: [Object.prototype, Function.prototype, Array.prototype, Error.prototype, Promise.prototype, Map.prototype].every((o) => Object.isFrozen(o)),
    hasSetImmediate: typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function',
  });
  (globalThis as { laneAbandon?: () => void }).laneAbandon = () => {
    abandon?.(new Error('never settled: the engine went idle with the scenario still waiting (on a promise nobody settles)'));
  };
  for (const scenario of scenarios) {
    send(xs, { type: 'start', name: scenario.name });
    xs.resetMeter(SCENARIO_METER_LIMIT, 0);
    let outcome: { ok: boolean; assertions?: number; error?: string };
    try {
      const abandoned = new Promise<never>((_, reject) => {
        abandon = reject;
      });
      outcome = { ok: true, assertions: await Promise.race([runScenario(scenario), abandoned]) };
    } catch (err) {
      outcome = { ok: false, error: describeError(err) };
    }
    abandon = undefined;
    const compute = xs.resetMeter(SCENARIO_METER_LIMIT, 0);
    send(xs, { type: 'result', name: scenario.name, compute, ...outcome });
  }
  send(xs, { type: 'end' });
}
