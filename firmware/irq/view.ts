/*
 * Snapshots of the core's state for whoever reads it: irqToDesc, irqThreads, irqRunnerStats, irqSpurious and
 * irqLatency (what kernel/irq/proc.c shows under /proc/irq and /proc/interrupts).
 *
 * Each is a deeply frozen plain object of numbers, strings, booleans and arrays of them, copied from the live
 * descriptor, thread or runner when asked, never a reference to it. So a reader cannot change the core by
 * writing through what it was given (a write throws in strict mode), cannot skip a check by writing a field the
 * API guards (a thread's priority, a line's depth), and can JSON.stringify the result (the live objects point
 * back at the core). The copies are made only when these are called, never on the interrupt path.
 */
import type { IrqDesc, IrqDescInfo } from './desc';
import type { IrqLatencyInfo, IrqLatencyStats } from './stats';
import type { IrqThread, IrqThreadInfo, ThreadRunner } from './thread';

/** What irqRunnerStats gives per runner (CPU). */
export interface IrqRunnerInfo {
  readonly cpu: number;
  /** Bursts run. */
  readonly bursts: number;
  /** Bursts that ended on the time budget with work left. */
  readonly yields: number;
  readonly budgetUs: number;
}

/** What irqSpurious gives: /proc/irq/N/spurious. */
export interface IrqSpuriousInfo {
  /** Interrupts counted in the current spurious window. */
  readonly count: number;
  /** Of those, the ones no handler claimed. */
  readonly unhandled: number;
  readonly unhandledTotal: number;
  /** When the last unhandled one came (µs on the platform's clock); undefined if none has. */
  readonly lastUnhandledUs: number | undefined;
}

export function descSnapshot(desc: IrqDesc): IrqDescInfo {
  const info: IrqDescInfo = {
    irq: desc.irq,
    hwirq: desc.hwirq,
    chipName: desc.chipName,
    domainName: desc.domainName,
    depth: desc.depth,
    wakeDepth: desc.wakeDepth,
    count: desc.count,
    unhandled: desc.unhandled,
    unhandledTotal: desc.unhandledTotal,
    deferred: desc.deferred,
    resends: desc.resends,
    merged: desc.merged,
    errors: desc.errors,
    disabled: desc.disabled,
    masked: desc.masked,
    pending: desc.pending,
    inProgress: desc.inProgress,
    started: desc.started,
    spuriousDisabled: desc.spuriousDisabled,
    triggerType: desc.triggerType,
    // The getter already builds a new array; frozen so the snapshot is frozen all the way down.
    actions: Object.freeze(desc.actionNames),
    threadsActive: desc.threadsActive,
    nestedThread: desc.nestedThread,
    affinity: desc.affinity,
    polled: desc.polled,
    stormSwitches: desc.stormSwitches,
    polledInterrupts: desc.polledInterrupts,
    failDisabled: desc.failDisabled,
    debounceUs: desc.debounceUs,
  };
  return Object.freeze(info);
}

export function threadSnapshot(t: IrqThread): IrqThreadInfo {
  const info: IrqThreadInfo = {
    name: t.name,
    irq: t.irq,
    irqs: Object.freeze(t.irqs),
    sharedThread: t.sharedThread,
    priority: t.priority,
    affinity: t.affinity,
    state: t.state,
    sleeping: t.sleeping,
    holding: t.holding,
    wakeups: t.wakeups,
    coalesced: t.coalesced,
    runs: t.runs,
    errors: t.errors,
    stuck: t.stuck,
    totalUs: t.totalUs,
    longestUs: t.longestUs,
  };
  return Object.freeze(info);
}

export function runnerSnapshot(r: ThreadRunner): IrqRunnerInfo {
  return Object.freeze({ cpu: r.cpu, bursts: r.bursts, yields: r.yields, budgetUs: r.budgetUs });
}

export function spuriousSnapshot(desc: IrqDesc): IrqSpuriousInfo {
  return Object.freeze({
    count: desc.irqCount,
    unhandled: desc.unhandled,
    unhandledTotal: desc.unhandledTotal,
    lastUnhandledUs: Number.isFinite(desc.lastUnhandled) ? desc.lastUnhandled : undefined,
  });
}

export function latencySnapshot(irq: number, stats: IrqLatencyStats): IrqLatencyInfo {
  return Object.freeze({
    irq,
    edgeToHardirq: Object.freeze(stats.edgeToHardirq.summary()),
    hardirqToThread: Object.freeze(stats.hardirqToThread.summary()),
    edgeToThread: Object.freeze(stats.edgeToThread.summary()),
    threadRun: Object.freeze(stats.threadRun.summary()),
  });
}
