/*
 * Interrupt descriptors and actions: the kernel's struct irq_desc and struct irqaction. The core keeps one
 * IrqDesc per irq number; readers get a frozen IrqDescInfo snapshot of it from irqToDesc (view.ts), never the
 * descriptor itself.
 *
 * A descriptor does not hold the core: it holds an IrqContext, the little the code that runs a line needs
 * (the platform's clock and deferral, the log, the tracer, the storm budget, the unknown-irq counter, the
 * listeners of the core's decisions). So the files below the core depend one way (README, "The core"), and a
 * line's code cannot reach the core's registries, options or other lines through its descriptor.
 */
import type { IrqError } from './error';
import { IrqEvents } from './events';
import type { IrqLineEventBuffer } from './line-event';
import type { IrqLatencyStats } from './stats';
// Type-only and against the file order (threads come after descriptors): an action points at the thread that
// runs it, and a thread at the actions it serves, as struct irqaction and struct task_struct do.
import type { IrqThread } from './thread';
import type { IrqTracer } from './trace';
import type { IrqChip, IrqData, IrqFlowHandler, IrqHandler, IrqLog, IrqStormOptions, IrqThreadFn, Platform } from './types';

/**
 * The bits of IrqDesc.unmaskHold: the reasons, besides a oneshot thread still running, for which a line may
 * not be unmasked (chip.ts's irqMayUnmask): disabled, polled after a storm, no action to handle what it
 * lets in.
 */
export const UNMASK_HOLD_DISABLED = 1;
export const UNMASK_HOLD_POLLED = 2;
export const UNMASK_HOLD_NO_ACTION = 4;

/** How many interrupts for unknown irqs are logged before they are only counted (ERR in the table). */
const BAD_IRQ_LOG_LIMIT = 10;

/**
 * What a line's code needs of its core, shared by every descriptor of one core: the platform, the log, the
 * storm budget, the trace ring, the listeners of the core's decisions (events.ts), and the state that is the
 * whole board's rather than a line's (whether the tracepoints record, interrupts for unknown irqs). The core
 * creates it and changes its state only through its methods.
 */
export class IrqContext {
  /** The ring while it records (traceStart), else undefined: what the tracepoints test (a plain field, read on the hot path). */
  tracer: IrqTracer | undefined = undefined;
  /** Interrupts reported for irqs nobody allocated or set up (/proc/interrupts ERR). */
  badIrqs = 0;
  /** The storm budget in µs of CPU per window (cpuPercent of windowUs), for the runner's inline charge. */
  readonly stormBudgetUs: number;
  /** The listeners of the core's decisions (events.ts, IrqCore.onIrqEvent); rare paths only. */
  readonly events: IrqEvents;

  constructor(
    readonly platform: Platform,
    readonly log: IrqLog,
    /** The per-line CPU budget (storm.ts), undefined with storms off. */
    readonly storm: IrqStormOptions | undefined,
    /** The trace ring, when the core was created with `trace`: names are registered in it even while stopped. */
    readonly traceRing: IrqTracer | undefined,
  ) {
    this.stormBudgetUs = storm === undefined ? 0 : (storm.cpuPercent * storm.windowUs) / 100;
    this.events = new IrqEvents(log);
  }

  /** Record tracepoints into the ring (the caller checked there is one). */
  traceStart(): void {
    this.tracer = this.traceRing;
  }

  traceStop(): void {
    this.tracer = undefined;
  }

  /** An interrupt for an irq nobody allocated or set up: counted in ERR, logged for the first ten. */
  noteBadIrq(irq: number, reason: string): void {
    if (++this.badIrqs <= BAD_IRQ_LOG_LIMIT) {
      this.log('warn', `irq ${irq}: unexpected interrupt (${reason})${this.badIrqs === BAD_IRQ_LOG_LIMIT ? '; further ones are only counted' : ''}`);
    }
  }
}

/** Someone waiting for (part of) a line to stop running: synchronizeIrq, disableIrq, freeIrq (sync.ts). */
export interface SyncWaiter {
  /** Only this action's hardirq and thread; undefined: the whole line. */
  readonly action: IrqAction | undefined;
  /** When the wait began, so the watchdog can tell which waits a stuck run holds up. */
  readonly sinceUs: number;
  readonly resolve: () => void;
  readonly reject: (err: IrqError) => void;
}

/** One handler registered on a line: the kernel's struct irqaction. */
export class IrqAction {
  /** The bit this action owns in the line's threadsOneshot mask (0 when it is not oneshot). */
  threadMask = 0;
  thread: IrqThread | undefined = undefined;
  /** Set by freeIrq: the action is off the line; a thread result that arrives later is ignored. */
  freed = false;
  /** A fault of this action was logged; later ones are only counted. */
  reported = false;
  /** A bogus thread result of this action was logged; later ones are only counted. */
  bogusReported = false;
  /** IRQTF_RUNTHREAD: woken, and its run has not started yet. */
  runthread = false;
  /** Runs of its thread that failed in a row. */
  failures = 0;
  /** Forced threading: the action that runs the driver's threadFn, woken when the forced primary asks. */
  secondary: IrqAction | undefined = undefined;
  /** The action's id in the trace's name table (0 without tracing). */
  traceId = 0;
  /** The next woken action in its thread's work list (IrqThread.work), undefined at the end. */
  nextWork: IrqAction | undefined = undefined;
  /** When its thread was last woken, and when the edge that woke it happened (with stats on). */
  wokenUs = 0;
  edgeUs = NaN;

  constructor(
    readonly desc: IrqDesc,
    readonly handler: IrqHandler,
    readonly threadFn: IrqThreadFn | null,
    /** The flags as the driver requested them (forced threading adds IRQF_ONESHOT to its own copy only). */
    readonly flags: number,
    readonly name: string,
    readonly devId: unknown,
  ) {}
}

/** What irqToDesc copies of a line into its frozen snapshot (view.ts's descSnapshot). */
export interface IrqDescInfo {
  readonly irq: number;
  readonly hwirq: number;
  readonly chipName: string | undefined;
  readonly domainName: string | undefined;
  /** Nested disables outstanding (IRQF_NO_AUTOEN and a freed line count as one). */
  readonly depth: number;
  readonly wakeDepth: number;
  /** Interrupts the flow handler accepted (the /proc/interrupts count). */
  readonly count: number;
  /** Interrupts in the current spurious-detection window that no handler claimed. */
  readonly unhandled: number;
  /** Every interrupt no handler claimed, over the line's life. */
  readonly unhandledTotal: number;
  /** Arrivals the flow could not handle at once (disabled, in progress, no action) and marked pending. */
  readonly deferred: number;
  /** Pending edges replayed on enable (chip retrigger or software resend). */
  readonly resends: number;
  /**
   * Deferred arrivals that found one already pending and were merged into its single replay (the pending
   * flag is one bit, as the kernel's IRQS_PENDING): with it, deferred = resends + pending + merged (+ the
   * edge flow's own replays of arrivals during its handler).
   */
  readonly merged: number;
  /** Primary handlers that threw or returned a bad value. */
  readonly errors: number;
  readonly disabled: boolean;
  readonly masked: boolean;
  readonly pending: boolean;
  readonly inProgress: boolean;
  readonly started: boolean;
  /** Disabled by the spurious detector ("nobody cared"). */
  readonly spuriousDisabled: boolean;
  readonly triggerType: number;
  /** Names of the registered actions, in registration order. */
  readonly actions: readonly string[];
  /** Threads woken for this line that have not finished their run. */
  readonly threadsActive: number;
  /** The line's threadFns run inside its parent's thread (irqSetNestedThread). */
  readonly nestedThread: boolean;
  /** The runner (CPU) the line's threads are bound to (irqSetAffinity). */
  readonly affinity: number;
  /** In polled handling after an interrupt storm (storm.ts). */
  readonly polled: boolean;
  /** Switches to polled handling over the line's life. */
  readonly stormSwitches: number;
  /** Interrupts that got in while the line was polled (one per poll period at most). */
  readonly polledInterrupts: number;
  /** Disabled after its thread failed threadRetries times in a row. */
  readonly failDisabled: boolean;
  /** The debounce period the chip filters the line's edges with (irqSetDebounce), µs; 0: none. */
  readonly debounceUs: number;
}

/**
 * The live descriptor. Its fields are the snapshot's (IrqDescInfo) but for `actions`: the descriptor keeps
 * the actions themselves in `action` (the kernel's desc->action) and their names in `actionNames`.
 */
export class IrqDesc implements Omit<IrqDescInfo, 'actions'> {
  readonly irqData: IrqData;
  handleIrq: IrqFlowHandler;
  handlerData: unknown = undefined;
  /**
   * The actions, in request order (the kernel's desc->action). Replaced, never mutated in place, so a flow
   * iterating the old list survives a free from inside a handler.
   */
  action: readonly IrqAction[] = [];
  /**
   * The flows' fast paths, derived from `action` by manage.ts's setActions whenever the list is replaced, so
   * a hardirq tests one field instead of the list's length, its first entry and that entry's handler and
   * thread (on XS each of those reads costs as much as the work it guards). `onlyWake`: the line's one
   * action when its primary handler is the default one (it only wakes the action's thread) and it has a
   * thread; `onlyCall`: the line's one action when it has a primary handler of its own. Else undefined.
   */
  onlyWake: IrqAction | undefined = undefined;
  onlyCall: IrqAction | undefined = undefined;
  /**
   * The line's chip when a oneshot thread's finalize needs nothing of it but irqUnmask (chip.ts's
   * plainUnmaskChip: frozen, so this cannot go stale, with no bus lock and no EOI_THREADED), else undefined.
   * Set with the chip (IrqCore.irqSetChip), so the runner's finalize tests one field instead of four.
   */
  plainChip: IrqChip | undefined = undefined;

  // Kernel's desc_set_defaults: a new line is disabled, masked and at depth 1 until requested.
  depth = 1;
  wakeDepth = 0;
  /**
   * `disabled`, `polled` and "no action" as bits of one number (UNMASK_HOLD_*), so irqMayUnmask and the
   * flows' fast paths test one field instead of three: 0 is a line that is enabled, in interrupt mode and
   * has an action. `disabled` and `polled` read and write their bits; manage.ts's setActions keeps the
   * no-action bit.
   */
  unmaskHold = UNMASK_HOLD_DISABLED | UNMASK_HOLD_NO_ACTION;
  masked = true;
  started = false;
  inProgress = false;
  /** IRQS_PENDING: an arrival was not handled and must be replayed (edges) on enable or unmask. */
  pending = false;
  /** IRQS_REPLAY: a resend is in flight; don't queue another. */
  replay = false;
  /** A software resend is queued (the kernel's resend list). */
  resendQueued = false;
  /** IRQS_ONESHOT: keep masked until the threads finish. */
  oneshot = false;
  spuriousDisabled = false;
  /** _IRQ_LEVEL: the trigger is a level, so nothing is replayed (the level is still there). */
  level = false;
  /** _IRQ_NOREQUEST: a chained parent; drivers may not request it. */
  noRequest = false;
  /** The trigger type was set explicitly (by a request or irqSetIrqType); sharers must agree with it. */
  triggerSet = false;
  /** _IRQ_NESTED_THREAD: a child whose threadFns run inside its parent's thread (handleNestedIrq). */
  nestedThread = false;
  /** The thread running this nested line's threadFns now, to refuse a wait on the line from inside it. */
  nestedOwner: IrqThread | undefined = undefined;
  /** The runner (CPU) this line's threads are bound to. */
  affinity = 0;
  /** A slow-bus chip's irqBusSyncUnlock write-out still in flight; waits for the line wait for it too. */
  busSync: Promise<void> | undefined = undefined;
  /**
   * The action whose primary handler the edge flow's fast path is calling, without a try of its own (flow.ts's
   * flowThrew reads it); handleIrqEvent clears it. Meaningful only while inProgress.
   */
  calling: IrqAction | undefined = undefined;
  /** A chip operation failed in hardirq context and was logged; later ones are only counted. */
  flowFaultReported = false;
  /** Disabled after its thread failed threadRetries times in a row. */
  failDisabled = false;

  // Storm handling (storm.ts); `polled`, a bit of unmaskHold, is below.
  stormSwitches = 0;
  polledInterrupts = 0;
  /**
   * The storm window's end and the CPU time (µs) the line may still take in it: a charge is a subtraction and
   * its check one test (storm.ts). Both Infinity with storms off, so the runner's inline charge never calls
   * out; a polled line's window end is -Infinity, so every charge goes to noteCpu, which charges it nothing.
   */
  stormWindowEnd: number;
  stormLeftUs: number;
  /**
   * Hardirqs of the line until the next one storm accounting times (handleIrqEvent samples); Infinity with
   * storms off, so that the hot path's one test of it never comes true.
   */
  stormSkip: number;
  /** While polled: the line's own flow, which handlePolledIrq (in handleIrq) runs. */
  polledFlow: IrqFlowHandler | undefined = undefined;
  pollTicks = 0;
  pollHits = 0;
  stormReported = false;
  poller: (() => void) | undefined = undefined;
  /** Latency histograms, with stats on (created when the line is first requested). */
  stats: IrqLatencyStats | undefined = undefined;
  /** When the edge being handled happened, if the HAL said (stats on); NaN otherwise. */
  edgeUs = NaN;
  /** The buffer the chip writes the line's events into for a driver's reader (line-event.ts), and its action. */
  lineEvents: IrqLineEventBuffer | undefined = undefined;
  lineEventsOwner: IrqAction | undefined = undefined;
  /** The debounce period the chip filters the line's edges with (irqSetDebounce), µs; 0: none. */
  debounceUs = 0;

  count = 0;
  deferred = 0;
  resends = 0;
  merged = 0;
  errors = 0;
  // Spurious detection (spurious.c)
  irqCount = 0;
  unhandled = 0;
  unhandledTotal = 0;
  lastUnhandled = -Infinity;
  /**
   * The deferred check of threaded results (spurious.ts), the kernel's threads_handled and
   * threads_handled_last as two bits: SPURIOUS_DEFERRED (a hardirq's IRQ_WAKE_THREAD awaits the next hardirq's
   * judgment) and SPURIOUS_CLAIMED (a thread claimed an interrupt since the last judgment). The kernel compares
   * two counts; only whether they differ matters, and one field with two bits costs the hardirq fewer reads.
   * A third bit, SPURIOUS_OPEN, says `unhandled` is not 0 (a detection window is open), so the flows' inline
   * judgment is one comparison.
   */
  spuriousThreads = 0;

  threadsOneshot = 0;
  /** Nested children's thread functions running now (handleNestedIrq): part of threadsActive. */
  nestedRuns = 0;
  /**
   * Actions freeIrq took off the line whose free has not finished: a run of theirs still woken or running
   * counts in threadsActive until the free is done.
   */
  leaving: readonly IrqAction[] = [];
  /**
   * synchronizeIrq callers waiting for the hardirq and every thread of this line to finish; undefined while
   * nobody waits (never an empty list), so the hot paths' test is one field read, not two (sync.ts).
   */
  syncWaiters: SyncWaiter[] | undefined = undefined;

  constructor(readonly ctx: IrqContext, readonly irq: number, flow: IrqFlowHandler) {
    this.handleIrq = flow;
    this.stormSkip = ctx.storm === undefined ? Infinity : 0;
    // The first window starts at 0.
    this.stormWindowEnd = ctx.storm === undefined ? Infinity : ctx.storm.windowUs;
    this.stormLeftUs = ctx.storm === undefined ? Infinity : ctx.stormBudgetUs;
    this.irqData = {
      irq,
      hwirq: irq,
      chip: undefined,
      chipData: undefined,
      domain: undefined,
      triggerType: 0,
      desc: this,
    };
  }

  get disabled(): boolean {
    return (this.unmaskHold & UNMASK_HOLD_DISABLED) !== 0;
  }
  set disabled(on: boolean) {
    this.unmaskHold = on ? this.unmaskHold | UNMASK_HOLD_DISABLED : this.unmaskHold & ~UNMASK_HOLD_DISABLED;
  }
  /** In polled handling after an interrupt storm (storm.ts). */
  get polled(): boolean {
    return (this.unmaskHold & UNMASK_HOLD_POLLED) !== 0;
  }
  set polled(on: boolean) {
    this.unmaskHold = on ? this.unmaskHold | UNMASK_HOLD_POLLED : this.unmaskHold & ~UNMASK_HOLD_POLLED;
  }
  get hwirq(): number {
    return this.irqData.hwirq;
  }
  get chipName(): string | undefined {
    return this.irqData.chip?.name;
  }
  get domainName(): string | undefined {
    return this.irqData.domain?.name;
  }
  get triggerType(): number {
    return this.irqData.triggerType;
  }
  /** The names of the actions, in request order: a new array (the snapshot's `actions`). */
  get actionNames(): string[] {
    return this.action.map((a) => a.name);
  }
  /**
   * Threads woken for this line that have not finished their run: counted when read (a snapshot, a wait)
   * rather than kept up on every wakeup and run, the interrupt path. Each action's woken run
   * (IRQTF_RUNTHREAD) and its running one (its thread's `active`), its forced secondary's, those of actions
   * whose free is still waiting for them (`leaving`), and the nested children running in a parent's thread.
   */
  get threadsActive(): number {
    let n = this.nestedRuns;
    for (const list of [this.action, this.leaving]) {
      for (const a of list) n += actionRuns(a) + (a.secondary === undefined ? 0 : actionRuns(a.secondary));
    }
    return n;
  }
  /** Nothing of this line runs: no hardirq in progress and no thread woken and unfinished. */
  get idle(): boolean {
    return !this.inProgress && this.threadsActive === 0;
  }
}

/** The runs of an action's thread that threadsActive counts: the one woken and not started, the one running. */
function actionRuns(a: IrqAction): number {
  return (a.runthread ? 1 : 0) + (a.thread !== undefined && a.thread.active === a ? 1 : 0);
}
