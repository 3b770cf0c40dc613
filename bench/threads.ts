/*
 * Thread benchmarks on the simulated board, in virtual time, so the figures are the same on every machine:
 * the wake-to-start latency of a high-priority thread while low-priority threads keep the runner busy, and
 * the registrations whose memory `npm run bench` compares (a thread per irq against one shared thread).
 */
import { IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_ONESHOT, handleLevelIrq, IrqCore, type IrqChip } from '../firmware/irq';
import { Simulator } from '../hal/mock/sim';

export interface LatencyOptions {
  /** Wakes of the high-priority thread to measure. */
  wakes?: number;
  /** Low-priority threads that never stop working. */
  lowThreads?: number;
  /** CPU time one low-priority run uses, µs. */
  lowRunUs?: number;
  /** The runner's burst budget, µs. */
  budgetUs?: number;
  /** Mean interval between the high-priority line's interrupts, µs (each one jittered ±50 %). */
  periodUs?: number;
  seed?: number;
}

export interface LatencyFigures {
  wakes: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  budgetUs: number;
  lowRunUs: number;
  /** The bound the runner promises: one budget slice plus one handler run. */
  boundUs: number;
  yields: number;
}

/** A chip that needs nothing: the lines are raised directly with genericHandleIrq. */
const NULL_CHIP: IrqChip = Object.freeze({ name: 'bench', irqMask() {}, irqUnmask() {} });

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Priority-10 threads that wake themselves again at the end of every run keep the runner permanently busy;
 * a priority-90 thread is woken by an interrupt at jittered intervals. Its latency runs from the moment the
 * interrupt fell due (the edge) to the start of its thread: the interrupt waits for the runner to yield, and
 * the thread then runs first.
 */
export async function priorityLatency(options: LatencyOptions = {}): Promise<LatencyFigures> {
  const wakes = options.wakes ?? 10_000;
  const lowThreads = options.lowThreads ?? 3;
  const lowRunUs = options.lowRunUs ?? 200;
  const budgetUs = options.budgetUs ?? 1000;
  const periodUs = options.periodUs ?? 1500;
  const sim = new Simulator({ seed: options.seed ?? 1 });
  const core = new IrqCore({ platform: sim.platform, threadBudgetUs: budgetUs, log: () => {} });
  const line = (): number => {
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, NULL_CHIP, handleLevelIrq);
    return irq;
  };

  let stop = false;
  for (let i = 0; i < lowThreads; i++) {
    const irq = line();
    core.requestThreadedIrq(irq, null, () => {
      sim.spend(lowRunUs);
      if (!stop) core.irqWakeThread(irq, i);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, `busy${i}`, i);
    core.irqSetThreadPriority(irq, i, 10);
    core.irqWakeThread(irq, i);
  }

  const hi = line();
  const latencies: number[] = [];
  let edgeAt = 0;
  core.requestThreadedIrq(hi, () => IRQ_WAKE_THREAD, () => {
    latencies.push(sim.now() - edgeAt);
    if (latencies.length < wakes) scheduleEdge();
    else stop = true;
    return IRQ_HANDLED;
  }, IRQF_ONESHOT, 'urgent', 'hi');
  core.irqSetThreadPriority(hi, 'hi', 90);
  const scheduleEdge = (): void => {
    edgeAt = sim.now() + Math.round(periodUs * (0.5 + sim.random()));
    sim.at(edgeAt, () => core.genericHandleIrq(hi));
  };
  scheduleEdge();

  await sim.runUntilIdle({ maxUs: wakes * periodUs * 4, maxEvents: wakes * 1000 });
  const sorted = latencies.slice().sort((a, b) => a - b);
  return {
    wakes: latencies.length,
    p50Us: percentile(sorted, 50),
    p99Us: percentile(sorted, 99),
    maxUs: sorted[sorted.length - 1],
    budgetUs,
    lowRunUs,
    boundUs: budgetUs + lowRunUs,
    yields: core.irqRunnerStats()[0].yields,
  };
}

/** 'plain': a handler in the hardirq and no thread, the cost of the action alone. */
export type RegistrationMode = 'plain' | 'dedicated' | 'shared';

/**
 * `count` lines on a fresh core, then register() requests a oneshot action on each: a plain one, one with a
 * thread of its own, or one in shared thread 0. What register() adds is what the registrations cost.
 */
export function makeThreadedIrqs(count: number): { core: IrqCore; register(mode: RegistrationMode): void } {
  const sim = new Simulator();
  const core = new IrqCore({ platform: sim.platform, log: () => {} });
  const irqs: number[] = [];
  for (let i = 0; i < count; i++) {
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, NULL_CHIP, handleLevelIrq);
    irqs.push(irq);
  }
  const threadFn = (): number => IRQ_HANDLED;
  return {
    core,
    register(mode) {
      for (const irq of irqs) {
        if (mode === 'shared') core.requestIrqSharedThread(irq, null, threadFn, IRQF_ONESHOT, 'dev', irq, 0);
        else if (mode === 'dedicated') core.requestThreadedIrq(irq, null, threadFn, IRQF_ONESHOT, 'dev', irq);
        else core.requestIrq(irq, threadFn, IRQF_ONESHOT, 'dev', irq);
      }
    },
  };
}
