/*
 * The stall reporter of an IRQ core: when the simulator's no-progress guard trips (sim.ts, SimStallError), it
 * names the irqs that were handled and the irq threads that ran during the stall, with how often.
 *
 * It reads only the core's public, read-only views: irqToDesc(irq).count (the interrupts the flow accepted, as
 * /proc/interrupts shows them) and unhandledTotal for every allocated line, and irqThreads()'s runs per thread.
 * The simulator's two-phase protocol gives it a baseline halfway to the bound (mark) and asks at the bound
 * (describe), so the counts are the differences over the stall's last events, never totals since boot. Nothing
 * of this runs on the interrupt path: the views are copied only at mark and describe.
 */
import type { IrqCore } from '../../firmware/irq';
import { grouped, type SimStallInfo, type SimStallReporter, type Simulator } from './sim';

/** The views of the core the reporter reads (an IrqCore has them). */
export type IrqStallViews = Pick<IrqCore, 'maxIrqs' | 'irqToDesc' | 'irqThreads'>;

/** Lines and threads named in a report; more are summed up as "and N more". */
const MAX_NAMED = 4;

interface Baseline {
  /** irq -> [count, unhandledTotal] at mark. */
  readonly lines: Map<number, readonly [number, number]>;
  /** thread name -> runs at mark. */
  readonly threads: Map<string, number>;
}

function takeBaseline(core: IrqStallViews): Baseline {
  const lines = new Map<number, readonly [number, number]>();
  for (let irq = 1; irq <= core.maxIrqs; irq++) {
    const desc = core.irqToDesc(irq);
    if (desc !== undefined) lines.set(irq, [desc.count, desc.unhandledTotal]);
  }
  const threads = new Map<string, number>();
  for (const t of core.irqThreads()) threads.set(t.name, t.runs);
  return { lines, threads };
}

function times(n: number): string {
  return n === 1 ? 'once' : `${grouped(n)} times`;
}

/** "a, b and c", the first MAX_NAMED of them, "and N more" for the rest. */
function list(items: readonly string[]): string {
  const shown = items.slice(0, MAX_NAMED);
  if (items.length > MAX_NAMED) shown.push(`${items.length - MAX_NAMED} more`);
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/**
 * A stall reporter for `core` (not registered: see reportIrqStalls). Its describe() says, for the events run
 * since mark(), e.g. "irq 26 (button) handled 62,500 times and thread irq/26-button ran 62,500 times in the
 * last 125,000 events at 0 µs without virtual time moving: a handler makes no progress (a level device never
 * cleared?)" (a line with unhandled interrupts: "fired N times (M unhandled)"); busiest first, four of each
 * named at most. When neither a line nor a thread of the core ran, it says the events are not the core's.
 */
export function irqStallReporter(core: IrqStallViews): SimStallReporter {
  let baseline: Baseline | undefined;
  return Object.freeze({
    mark(): void {
      baseline = takeBaseline(core);
    },
    describe(stall: SimStallInfo): string {
      // The simulator always marks first; without a baseline every count would be a total since boot.
      const base = baseline ?? { lines: new Map(), threads: new Map() };
      const window = `in the last ${grouped(stall.sinceMark)} events at ${grouped(stall.timeUs)} µs without virtual time moving`;
      const lines: [number, string][] = [];
      for (let irq = 1; irq <= core.maxIrqs; irq++) {
        const desc = core.irqToDesc(irq);
        if (desc === undefined) continue;
        const [count, unhandled] = base.lines.get(irq) ?? [0, 0];
        const handled = desc.count - count;
        if (handled <= 0) continue;
        const name = desc.actions.length !== 0 ? desc.actions.join(', ') : desc.chipName ?? 'no action';
        const none = desc.unhandledTotal - unhandled;
        lines.push([handled, none > 0 ? `irq ${irq} (${name}) fired ${times(handled)} (${grouped(none)} unhandled)` : `irq ${irq} (${name}) handled ${times(handled)}`]);
      }
      const threads: [number, string][] = [];
      for (const t of core.irqThreads()) {
        const runs = t.runs - (base.threads.get(t.name) ?? 0);
        if (runs > 0) threads.push([runs, `thread ${t.name} ran ${times(runs)}`]);
      }
      if (lines.length === 0 && threads.length === 0) {
        return `No irq was handled and no irq thread ran ${window}: the events are not the irq core's (a timer or device model rescheduling itself at the same time?).`;
      }
      // Busiest first, lines before threads.
      const parts = [lines, threads]
        .filter((group) => group.length !== 0)
        .map((group) => list(group.sort((a, b) => b[0] - a[0]).map(([, text]) => text)));
      return `${parts.join(' and ')} ${window}: a handler makes no progress (a level device never cleared?).`;
    },
  });
}

/**
 * Register irqStallReporter(core) with the simulator, so a SimStallError names the irqs and threads that ran
 * during the stall. Returns the unsubscribe function.
 */
export function reportIrqStalls(sim: Pick<Simulator, 'onStall'>, core: IrqStallViews): () => void {
  return sim.onStall(irqStallReporter(core));
}
