/*
 * IrqCore: one instance holds every line, domain and thread of a board. Nothing lives at module level,
 * because Moddable's preload freezes modules on the device; the instance is created at start-up.
 *
 * The methods are the kernel's API in camelCase; each delegates to the file named for its concern
 * (manage, chip, flow, domain, thread, proc), as kernel/irq/ is split. The core is the top of the files'
 * one-way order (README, "The core"): it holds the descriptors, the context they share (IrqContext), the
 * thread registry (IrqThreadRegistry, with the watchdog) and the domains; nothing below imports it.
 */
import type { IrqReturn } from './constants';
import { IrqError, describeValue } from './error';
import type { IrqEventListener } from './events';
import type { IrqLatencyInfo } from './stats';
import { chromeTrace, IrqTracer, type ChromeTrace, type IrqTraceEvent } from './trace';
import type { IrqChip, IrqDomainOps, IrqFlowHandler, IrqHandler, IrqLog, IrqStormOptions, IrqThreadFn, Platform } from './types';
import { IrqContext, IrqDesc, type IrqDescInfo } from './desc';
import { irqSetFlow, irqStartup, plainUnmaskChip } from './chip';
import { IRQ_STORM_DEFAULT } from './storm';
import { IrqThreadRegistry, type IrqThreadInfo } from './thread';
import { flowThrew, handleBadIrq, handleNestedIrq } from './flow';
import { checkIrqResend } from './resend';
import {
  checkPriority, disableHardirq, disableIrq, disableIrqNosync, enableIrq, freeIrq, irqRequestLineEvents, irqSetAffinity, irqSetDebounce, irqSetIrqType, irqSetIrqWake, irqSetNestedThread, irqSetThreadPriority, irqWakeThread, requestThreadedIrq, synchronizeIrq,
  type IrqManageCore,
} from './manage';
import {
  irqCreateMapping, irqDisposeMapping, irqDomainCreateLinear, irqFindMapping, type IrqDomain, type IrqDomainHost,
} from './domain';
import { IRQ_WATCHDOG_DEFAULT, ThreadWatchdog, type IrqWatchdogOptions } from './watchdog';
import { procInterrupts } from './proc';
import {
  descSnapshot, latencySnapshot, runnerSnapshot, spuriousSnapshot, threadSnapshot, type IrqRunnerInfo, type IrqSpuriousInfo,
} from './view';
import { irqLineOf, type IrqLine } from './line';
import type { IrqLineEvents } from './line-event';

export interface IrqCoreOptions {
  platform: Platform;
  log?: IrqLog;
  /** Highest irq number irqAllocDesc hands out (the kernel's NR_IRQS). */
  maxIrqs?: number;
  /** How long a runner may run threads back to back before it yields to the event loop, in µs (1000). */
  threadBudgetUs?: number;
  /** Thread runners, one per CPU the platform can run threads on (1; XS runs one JavaScript thread). */
  cpus?: number;
  /** The kernel's `threadirqs`: run every primary handler not flagged IRQF_NO_THREAD in a thread. */
  forceThreading?: boolean;
  /** How many shared interrupt threads requestIrqSharedThread may use (NUM_SHARED_THREAD of the PREEMPT_RT "shared interrupt threads" patch, 10). */
  sharedThreads?: number;
  /** Seed 001's SNSC_FORCE_SHARED_IRQ_THREAD: threads of plain requests go into shared thread 0. */
  forceSharedThread?: boolean;
  /** Report (and optionally disable the line of) a thread run that sleeps too long; timeoutUs 0 turns it off. */
  watchdog?: Partial<IrqWatchdogOptions>;
  /** Per-line budget of CPU time and the poll period of a line over it (storm.ts); false turns it off. */
  storm?: Partial<IrqStormOptions> | false;
  /** Consecutive failed runs of a thread after which its line is disabled (10); 0: never. */
  threadRetries?: number;
  /**
   * Record tracepoints into a ring of `capacity` records (2048 by default: 64 KB, a record being four numbers and
   * one to four events, trace.ts), from start-up; see irqTraceStart.
   */
  trace?: { capacity?: number; on?: boolean };
  /** Keep per-irq latency histograms (irqLatency). */
  stats?: boolean;
}

function checkCount(value: number | undefined, fallback: number, min: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new IrqError('EINVAL', `IrqCore: ${what} must be an integer >= ${min}, not ${value}`);
  return value;
}

/**
 * The engine's console where it has one (Node), else xsnap's print, else Moddable's trace (the board; xsnap
 * has a trace too, which prints nothing), else nothing.
 */
function defaultLog(): IrqLog {
  const g = globalThis as {
    console?: { log(m: string): void; warn(m: string): void; error(m: string): void };
    print?: (m: string) => void;
    trace?: (m: string) => void;
  };
  const con = g.console;
  if (con) return (level, message) => (level === 'error' ? con.error(message) : level === 'warn' ? con.warn(message) : con.log(message));
  const print = g.print;
  if (print) return (level, message) => print(`${level}: ${message}`);
  const trace = g.trace;
  if (trace) return (level, message) => trace(`${level}: ${message}\n`);
  return () => {};
}

/** The kernel's errno for "no such irq"; genericHandleIrq returns it negated, as generic_handle_irq does. */
const EINVAL = 22;

export class IrqCore implements IrqManageCore, IrqDomainHost {
  readonly platform: Platform;
  readonly log: IrqLog;
  readonly maxIrqs: number;
  readonly forceThreading: boolean;
  readonly storm: IrqStormOptions | undefined;
  readonly statsEnabled: boolean;
  /** The trace ring, when the core was created with `trace`: names are registered in it even while stopped. */
  readonly traceRing: IrqTracer | undefined;
  /** The threads, their runners, the thread running now and the watchdog (thread.ts). */
  readonly threads: IrqThreadRegistry<ThreadWatchdog>;
  /** What every descriptor of this core holds instead of the core (desc.ts). */
  private readonly ctx: IrqContext;
  /** genericHandleIrq calls in progress (a chained parent's children nest): hardirq context. */
  private hardirqDepth = 0;
  private readonly domainList: IrqDomain[] = [];
  private readonly descs: (IrqDesc | undefined)[] = [];

  constructor(options: IrqCoreOptions) {
    if (!options || typeof options.platform?.now !== 'function' || typeof options.platform.defer !== 'function') {
      throw new IrqError('EINVAL', 'IrqCore needs a platform with now() and defer(cb)');
    }
    this.platform = options.platform;
    this.log = options.log ?? defaultLog();
    this.maxIrqs = checkCount(options.maxIrqs, 256, 1, 'maxIrqs');
    const budgetUs = checkCount(options.threadBudgetUs, 1000, 0, 'threadBudgetUs');
    const cpus = checkCount(options.cpus, 1, 1, 'cpus');
    this.forceThreading = options.forceThreading === true;
    const forceSharedThread = options.forceSharedThread === true;
    const sharedThreads = checkCount(options.sharedThreads, 10, 1, 'sharedThreads');
    const watchdog = { ...IRQ_WATCHDOG_DEFAULT, ...options.watchdog };
    if (!(watchdog.timeoutUs >= 0) || (watchdog.action !== 'report' && watchdog.action !== 'disable')) {
      throw new IrqError('EINVAL', `IrqCore: watchdog needs timeoutUs >= 0 and action 'report' or 'disable'`);
    }
    if (options.storm === false) {
      this.storm = undefined;
    } else {
      const storm = Object.freeze({ ...IRQ_STORM_DEFAULT, ...options.storm });
      if (!(storm.cpuPercent > 0 && storm.cpuPercent <= 100 && storm.windowUs > 0 && storm.pollUs > 0 && storm.pollUs <= storm.windowUs)) {
        throw new IrqError('EINVAL', 'IrqCore: storm needs 0 < cpuPercent <= 100 and 0 < pollUs <= windowUs');
      }
      this.storm = storm;
    }
    const threadRetries = checkCount(options.threadRetries, 10, 0, 'threadRetries');
    if (options.trace !== undefined) {
      this.traceRing = new IrqTracer(checkCount(options.trace.capacity, 2048, 1, 'trace.capacity'), this.platform.now);
    }
    this.statsEnabled = options.stats === true;
    this.ctx = new IrqContext(this.platform, this.log, this.storm, this.traceRing);
    if (this.traceRing !== undefined && options.trace?.on !== false) this.ctx.traceStart();
    this.threads = new IrqThreadRegistry(
      this.ctx,
      { budgetUs, cpus, sharedThreads, forceSharedThread, threadRetries },
      (registry) => new ThreadWatchdog(registry, watchdog),
    );
  }

  /** The trace ring while it records (irqTraceStart), else undefined. */
  get tracer(): IrqTracer | undefined {
    return this.ctx.tracer;
  }

  /** Interrupts reported for irqs nobody allocated or set up (/proc/interrupts ERR). */
  get badIrqs(): number {
    return this.ctx.badIrqs;
  }

  /** The thread watchdog (watchdog.ts). */
  get watchdog(): ThreadWatchdog {
    return this.threads.watch;
  }

  /** The irq domains created on this core, in creation order. */
  get domains(): readonly IrqDomain[] {
    return this.domainList;
  }

  /** A genericHandleIrq is on the stack: hardirq context, where requests are refused. */
  get inHardirq(): boolean {
    return this.hardirqDepth !== 0;
  }

  // ---- descriptors (irqdesc.c) ----

  /** Allocate a line. Numbers start at 1: 0 is "no irq", as irq_find_mapping returns it. */
  irqAllocDesc(): number {
    for (let irq = 1; irq <= this.maxIrqs; irq++) {
      if (this.descs[irq] === undefined) {
        this.descs[irq] = new IrqDesc(this.ctx, irq, handleBadIrq);
        return irq;
      }
    }
    throw new IrqError('ENOMEM', `no free irq descriptor (all ${this.maxIrqs} in use)`);
  }

  irqFreeDesc(irq: number): void {
    const desc = this.descFor(irq);
    if (desc.action.length !== 0) {
      throw new IrqError('EBUSY', `irq ${irq}: still has actions (${desc.actionNames.join(', ')})`, irq);
    }
    this.descs[irq] = undefined;
  }

  /**
   * A frozen snapshot of the line (view.ts), or undefined for an irq never allocated. A copy, not the live
   * descriptor: writing to it changes nothing in the core, and JSON.stringify accepts it. Read it again after
   * a change.
   */
  irqToDesc(irq: number): IrqDescInfo | undefined {
    const desc = Number.isInteger(irq) ? this.descs[irq] : undefined;
    return desc === undefined ? undefined : descSnapshot(desc);
  }

  /**
   * The live descriptor of an allocated irq, or EINVAL naming it: the core's own accessor (manage, chip,
   * domain, the chip code of a board), never handed to a driver; drivers read irqToDesc's snapshot.
   */
  descFor(irq: number): IrqDesc {
    // An irq read from a string (a config file, a form) prints like the number; say which it is, or "irq 4 is
    // not allocated" would send the caller looking for a line that is there.
    if (typeof irq !== 'number' || !Number.isInteger(irq)) {
      throw new IrqError('EINVAL', `irq must be a number (an integer), not ${describeValue(irq)}`, typeof irq === 'number' ? irq : undefined);
    }
    const desc = this.descs[irq];
    if (desc === undefined) throw new IrqError('EINVAL', `irq ${irq} is not allocated`, irq);
    return desc;
  }

  // ---- chips and flows (chip.c) ----

  irqSetChip(irq: number, chip: IrqChip): void {
    if (chip === null || typeof chip !== 'object' || typeof chip.name !== 'string') {
      throw new IrqError('EINVAL', `irq ${irq}: a chip needs at least a name`, irq);
    }
    const desc = this.descFor(irq);
    desc.irqData.chip = chip;
    desc.plainChip = plainUnmaskChip(chip);
  }

  irqSetHandler(irq: number, flow: IrqFlowHandler): void {
    if (typeof flow !== 'function') throw new IrqError('EINVAL', `irq ${irq}: the flow handler must be a function`, irq);
    irqSetFlow(this.descFor(irq), flow);
  }

  irqSetChipAndHandler(irq: number, chip: IrqChip, flow: IrqFlowHandler): void {
    this.irqSetChip(irq, chip);
    this.irqSetHandler(irq, flow);
  }

  irqSetChipData(irq: number, data: unknown): void {
    this.descFor(irq).irqData.chipData = data;
  }

  irqSetHandlerData(irq: number, data: unknown): void {
    this.descFor(irq).handlerData = data;
  }

  /**
   * Make irq the parent of a cascade: its flow is the demultiplexer, drivers cannot request it, and it is
   * started at once (irq_set_chained_handler_and_data).
   */
  irqSetChainedHandlerAndData(irq: number, flow: IrqFlowHandler, data: unknown): void {
    const desc = this.descFor(irq);
    if (desc.irqData.chip === undefined) {
      throw new IrqError('ENOSYS', `irq ${irq}: a chained handler needs the line's irq_chip set first`, irq);
    }
    if (desc.action.length !== 0) {
      throw new IrqError('EBUSY', `irq ${irq}: is requested by ${desc.actionNames.join(', ')} and cannot become a chained parent`, irq);
    }
    this.irqSetHandler(irq, flow);
    desc.handlerData = data;
    desc.noRequest = true;
    irqStartup(desc);
    checkIrqResend(desc);
  }

  // ---- entry from hardware (irqdesc.c) ----

  /**
   * generic_handle_irq (kernel/irq/irqdesc.c): what a chip or HAL calls when hardware reports the line. Look up
   * the descriptor and run its flow; the flow is the whole story (a polled line's is storm.ts's wrapper).
   * Returns 0, or -EINVAL (-22) for an irq nobody allocated: that interrupt is counted in ERR, never dropped
   * unseen.
   */
  genericHandleIrq(irq: number, edgeUs?: number): number {
    const desc = this.descs[irq];
    // Truthiness tests of objects: on XS one bytecode fewer than `=== undefined`, and this is every interrupt.
    if (!desc) {
      this.noteBadIrq(irq, 'not allocated');
      return -EINVAL;
    }
    if (desc.stats) {
      desc.edgeUs = edgeUs ?? NaN;
      if (edgeUs !== undefined) desc.stats.edgeToHardirq.record(this.platform.now() - edgeUs);
    }
    this.hardirqDepth++;
    try {
      desc.handleIrq(desc);
    } catch (err) {
      // A handler of the edge flow's fast path, or a chip operation failing in hardirq context: isolated.
      flowThrew(desc, err);
    }
    this.hardirqDepth--;
    return 0;
  }

  /** `edgeUs`: when the edge happened, where the HAL knows it (for the edge-to-hardirq latency). */
  genericHandleDomainIrq(domain: IrqDomain, hwirq: number, edgeUs?: number): number {
    const irq = irqFindMapping(domain, hwirq);
    if (irq === 0) {
      domain.noteUnmapped();
      this.noteBadIrq(irq, `hwirq ${hwirq} of domain ${domain.name} is not mapped`);
      return -EINVAL;
    }
    return this.genericHandleIrq(irq, edgeUs);
  }

  /** An interrupt for an irq nobody allocated or set up: counted in ERR, logged for the first ten. */
  noteBadIrq(irq: number, reason: string): void {
    this.ctx.noteBadIrq(irq, reason);
  }

  // ---- domains (irqdomain.c) ----

  irqDomainCreateLinear<H>(size: number, ops: IrqDomainOps<H>, hostData: H, name?: string): IrqDomain<H> {
    const domain = irqDomainCreateLinear(size, ops, hostData, name, this.domainList.length);
    this.domainList.push(domain as IrqDomain);
    return domain;
  }

  irqCreateMapping<H>(domain: IrqDomain<H>, hwirq: number): number {
    return irqCreateMapping(this, domain, hwirq);
  }

  irqFindMapping<H>(domain: IrqDomain<H>, hwirq: number): number {
    return irqFindMapping(domain, hwirq);
  }

  irqDisposeMapping(virq: number): void {
    irqDisposeMapping(this, virq);
  }

  // ---- requesting and controlling lines (manage.c) ----

  requestIrq<D>(irq: number, handler: IrqHandler<D>, flags: number, name: string, devId?: D): number {
    return requestThreadedIrq(this, irq, handler as IrqHandler, null, flags, name, devId);
  }

  requestThreadedIrq<D>(
    irq: number, handler: IrqHandler<D> | null, threadFn: IrqThreadFn<D> | null, flags: number, name: string, devId?: D,
  ): number {
    return requestThreadedIrq(this, irq, handler as IrqHandler | null, threadFn as IrqThreadFn | null, flags, name, devId);
  }

  freeIrq(irq: number, devId?: unknown): Promise<string | undefined> {
    return freeIrq(this, irq, devId);
  }

  disableIrq(irq: number): Promise<void> {
    return disableIrq(this, irq);
  }

  disableIrqNosync(irq: number): void {
    disableIrqNosync(this, irq);
  }

  disableHardirq(irq: number): boolean {
    return disableHardirq(this, irq);
  }

  enableIrq(irq: number): void {
    enableIrq(this, irq);
  }

  synchronizeIrq(irq: number): Promise<void> {
    return synchronizeIrq(this, irq);
  }

  irqSetIrqType(irq: number, type: number): number {
    return irqSetIrqType(this, irq, type);
  }

  irqSetIrqWake(irq: number, on: boolean): number {
    return irqSetIrqWake(this, irq, on);
  }

  /**
   * Beyond Linux (gpiolib-cdev's line events, for a driver's thread): a reader of the line's events for the
   * action with devId, holding `capacity` events (default 16; the oldest dropped when full). One per line
   * (EBUSY); freeing the action releases it. ENOSYS on a chip that reports no events.
   */
  irqRequestLineEvents(irq: number, devId?: unknown, capacity?: number): IrqLineEvents {
    return irqRequestLineEvents(this, irq, devId, capacity);
  }

  /** gpiolib's debounce on the line's chip: only a level held `periodUs` after the last edge enters (0: off). */
  irqSetDebounce(irq: number, periodUs: number): number {
    return irqSetDebounce(this, irq, periodUs);
  }

  irqWakeThread(irq: number, devId?: unknown): void {
    irqWakeThread(this, irq, devId);
  }

  irqSetThreadPriority(irq: number, devId: unknown, priority: number): void {
    irqSetThreadPriority(this, irq, devId, priority);
  }

  requestIrqSharedThread<D>(
    irq: number, handler: IrqHandler<D> | null, threadFn: IrqThreadFn<D> | null, flags: number, name: string,
    devId: D | undefined, sharedThreadNum: number,
  ): number {
    if (sharedThreadNum === undefined) throw new IrqError('EINVAL', `irq ${irq}: requestIrqSharedThread needs a shared thread number`, irq);
    return requestThreadedIrq(this, irq, handler as IrqHandler | null, threadFn as IrqThreadFn | null, flags, name, devId, sharedThreadNum);
  }

  // ---- line handles (line.ts): beyond Linux, a driver gets its own line instead of the core ----

  /** requestIrq, returning the IrqLine of the new action: hand that to the driver, keep the core. */
  requestIrqLine<D>(irq: number, handler: IrqHandler<D>, flags: number, name: string, devId?: D): IrqLine {
    this.requestIrq(irq, handler, flags, name, devId);
    return irqLineOf(this, irq, devId);
  }

  /** requestThreadedIrq, returning the IrqLine of the new action (same checks, same errors). */
  requestThreadedIrqLine<D>(
    irq: number, handler: IrqHandler<D> | null, threadFn: IrqThreadFn<D> | null, flags: number, name: string, devId?: D,
  ): IrqLine {
    this.requestThreadedIrq(irq, handler, threadFn, flags, name, devId);
    return irqLineOf(this, irq, devId);
  }

  /** requestIrqSharedThread, returning the IrqLine of the new action. */
  requestIrqSharedThreadLine<D>(
    irq: number, handler: IrqHandler<D> | null, threadFn: IrqThreadFn<D> | null, flags: number, name: string,
    devId: D | undefined, sharedThreadNum: number,
  ): IrqLine {
    this.requestIrqSharedThread(irq, handler, threadFn, flags, name, devId, sharedThreadNum);
    return irqLineOf(this, irq, devId);
  }

  irqSetSharedThreadPriority(sharedThreadNum: number, priority: number): void {
    checkPriority(priority, `shared thread ${sharedThreadNum}`);
    const t = this.threads.sharedThread(sharedThreadNum);
    t.runner.setPriority(t, priority);
  }

  irqSetAffinity(irq: number, cpu: number): number {
    return irqSetAffinity(this, irq, cpu);
  }

  irqSetNestedThread(irq: number, on: boolean): void {
    irqSetNestedThread(this, irq, on);
  }

  /**
   * Run a nested child's threadFns from the parent's thread; the result is the children's combined
   * irqreturn, a promise when one of them was async (await it before the parent goes on).
   */
  handleNestedIrq(irq: number): IrqReturn | Promise<IrqReturn> {
    return handleNestedIrq(this.descFor(irq), this.threads.current);
  }

  // ---- threads and statistics ----

  /**
   * The irq threads: name, irqs served, priority, affinity, state, the irq holding it, wakeups, coalesced
   * wakeups, runs, run times, errors and watchdog reports. Frozen snapshots (view.ts): a priority is set with
   * irqSetThreadPriority and its 1..99 check, never by writing to the listing.
   */
  irqThreads(): readonly IrqThreadInfo[] {
    return Object.freeze(this.threads.threads.map(threadSnapshot));
  }

  /** Per runner: bursts run, and bursts that ended on the time budget with work left (a frozen snapshot). */
  irqRunnerStats(): readonly IrqRunnerInfo[] {
    return Object.freeze(this.threads.runners.map(runnerSnapshot));
  }

  // ---- decisions the core takes by itself (events.ts) ----

  /**
   * Call `listener` with every decision the core takes by itself, as a frozen IrqCoreEvent discriminated by
   * `kind` ('spurious-disable', 'thread-disable', 'storm-poll', 'storm-unpolled', 'storm-resume',
   * 'watchdog-stuck', 'free-abandon', 'free-drop'), beside the log message it writes. Returns the function
   * that unsubscribes it. Several listeners may listen; one that throws is logged once and the others still
   * get the event. Listeners run synchronously at the decision, possibly in hardirq context: keep them short.
   */
  onIrqEvent(listener: IrqEventListener): () => void {
    return this.ctx.events.subscribe(listener);
  }

  // ---- tracing and statistics ----

  /** Start or stop recording tracepoints (the core must have been created with `trace`). */
  irqTraceStart(): void {
    this.requireTracer();
    this.ctx.traceStart();
  }

  irqTraceStop(): void {
    this.requireTracer();
    this.ctx.traceStop();
  }

  /** The recorded events, oldest first. */
  irqTraceEvents(): IrqTraceEvent[] {
    return this.requireTracer().events();
  }

  /** The recorded events in the Chrome Trace Event Format: JSON.stringify it into a file Perfetto opens. */
  irqTraceChrome(title?: string): ChromeTrace {
    return chromeTrace(this.requireTracer(), title);
  }

  private requireTracer(): IrqTracer {
    if (this.traceRing === undefined) throw new IrqError('EINVAL', 'tracing needs IrqCore({ trace: { capacity } })');
    return this.traceRing;
  }

  /** Latency histograms of a requested line (p50, p99, max), with the core's `stats` option. */
  irqLatency(irq: number): IrqLatencyInfo | undefined {
    const stats = this.descFor(irq).stats;
    return stats === undefined ? undefined : latencySnapshot(irq, stats);
  }

  /**
   * What /proc/irq/N/spurious shows: the interrupts counted in the open window (0 until one goes unhandled:
   * spurious.ts), the unhandled ones in it, and when the last one was (µs).
   */
  irqSpurious(irq: number): IrqSpuriousInfo {
    return spuriousSnapshot(this.descFor(irq));
  }

  procInterrupts(): string {
    return procInterrupts(this.descs, this.ctx.badIrqs);
  }
}

