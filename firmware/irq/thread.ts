/*
 * Interrupt threads: the kernel's irq_thread, __irq_wake_thread, irq_wake_secondary and
 * irq_finalize_oneshot (manage.c), plus the shared interrupt threads of the PREEMPT_RT "shared interrupt threads" patch.
 *
 * XS runs one JavaScript thread, so an irq thread is a task. A runner takes the woken threads highest
 * priority first (FIFO within a priority) and runs them back to back for one burst, at most `budgetUs` of
 * the platform's clock; then it yields to the event loop, where board interrupts arrive, even if work
 * remains. A budget of 0 gives every thread run a job of its own. Threads never run inside the hardirq.
 *
 * A thread serves a queue of woken actions. A dedicated thread (`irq/N-name`) serves one action; a shared
 * thread (`irq/shared-K`) serves every action requested into it, one at a time: an action whose threadFn
 * sleeps (awaits) holds the shared thread, and its siblings wait, exactly as that patch warns. Other threads
 * run meanwhile.
 *
 * The threads of a core, its runners and which thread runs now belong to its IrqThreadRegistry (at the end of
 * this file); the core holds one and delegates to it.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQCHIP_EOI_THREADED } from './constants';
import type { IrqAction, IrqContext, IrqDesc } from './desc';
import { chipBusLock, chipBusSyncUnlock, disableIrqDesc, irqMayUnmask, unmaskThreadedIrq } from './chip';
import { IrqError, describe } from './error';
import { SPURIOUS_CLAIMED } from './spurious';
import { noteCpuCharged } from './storm';
import { wakeSyncWaiters } from './sync';
import { IRQ_TRACE, TRACE_RUN_SLEPT, TRACE_RUN_UNMASKED } from './trace';
import type { PlatformDeferred } from './types';

/** The kernel's default priority for irq threads (SCHED_FIFO 50); a forced secondary thread gets one less. */
export const IRQ_THREAD_DEFAULT_PRIORITY = 50;

/** 'running' covers a run whose promise has not settled yet ("sleeping", the kernel would say). */
export type IrqThreadState = 'idle' | 'queued' | 'running' | 'exited';

export interface IrqThreadInfo {
  readonly name: string;
  /** The irq the thread was created for (for a shared thread, the first one requested into it). */
  readonly irq: number;
  /** Every irq whose actions the thread serves. */
  readonly irqs: readonly number[];
  /** The shared thread number, or undefined for a thread of its own. */
  readonly sharedThread: number | undefined;
  readonly priority: number;
  /** The runner (CPU) the thread is bound to; shared threads follow the irq that created them (as in that patch). */
  readonly affinity: number;
  readonly state: IrqThreadState;
  /** The current run's thread function returned a promise that has not settled. */
  readonly sleeping: boolean;
  /** The irq whose thread function is running or sleeping in this thread now. */
  readonly holding: number | undefined;
  /** Wakeups that started a run. */
  readonly wakeups: number;
  /** Wakeups that arrived while a run was already due and were merged into it (IRQTF_RUNTHREAD). */
  readonly coalesced: number;
  readonly runs: number;
  /** Runs that threw or rejected, or returned a value that is not an irqreturn. */
  readonly errors: number;
  /** Runs the watchdog found unfinished after its timeout. */
  readonly stuck: number;
  readonly totalUs: number;
  readonly longestUs: number;
}

export class IrqThread implements IrqThreadInfo {
  priority = IRQ_THREAD_DEFAULT_PRIORITY;
  /**
   * A dedicated thread's one action (set when it is attached), undefined for a shared thread. A dedicated
   * thread keeps no work list: an action is woken at most once before its run (IRQTF_RUNTHREAD), so its
   * `runthread` flag says all the list would, and a wakeup and a run skip the list's bookkeeping. Cold paths
   * read the queue through firstWork(), which covers both kinds.
   */
  sole: IrqAction | undefined = undefined;
  /**
   * A shared thread's woken actions waiting for their run, in wake order: a list linked through
   * IrqAction.nextWork (an action is in it at most once: IRQTF_RUNTHREAD), so a wakeup and a run move two
   * references and call nothing. Always empty on a dedicated thread (see `sole`).
   */
  work: IrqAction | undefined = undefined;
  lastWork: IrqAction | undefined = undefined;
  /** The next thread in its runner's queue (linked, like the work list). */
  next: IrqThread | undefined = undefined;
  /** Actions registered into this thread, for the listing. */
  readonly served: IrqAction[] = [];
  /** The action whose run is in progress. */
  active: IrqAction | undefined = undefined;
  sleeping = false;
  queued = false;
  exited = false;
  coalesced = 0;
  runs = 0;
  /** Woken runs dropped from the work list without running (dropRun): part of `wakeups`. */
  dropped = 0;
  errors = 0;
  stuck = 0;
  totalUs = 0;
  longestUs = 0;
  startUs = 0;
  /** The current run was reported by the watchdog. */
  reportedStuck = false;
  /** The current run threw or rejected. */
  failedRun = false;
  /** The thread's id in the trace's name table (0 without tracing). */
  traceId = 0;
  // Bound once per thread, so settling an async run allocates nothing of ours. Replaced when the
  // watchdog abandons a run, so the abandoned promise's late result lands in callbacks nobody listens to.
  onSettled!: (ret: unknown) => void;
  onFailed!: (err: unknown) => void;

  constructor(
    public runner: ThreadRunner, readonly name: string,
    /** 0 for a shared thread set up (its priority) before any irq was requested into it. */
    public irq: number,
    readonly sharedThread: number | undefined,
  ) {
    this.bindCallbacks();
  }

  bindCallbacks(): void {
    const onSettled = (ret: unknown): void => {
      if (this.onSettled === onSettled) this.runner.finishRun(this, ret);
    };
    const onFailed = (err: unknown): void => {
      if (this.onFailed !== onFailed) return;
      this.runner.threadFailed(this, err);
      this.runner.finishRun(this, IRQ_NONE);
    };
    this.onSettled = onSettled;
    this.onFailed = onFailed;
  }

  /** The watchdog found the current run unfinished (or let it go): counted once per run. */
  noteStuck(): void {
    if (this.reportedStuck) return;
    this.reportedStuck = true;
    this.stuck++;
  }

  get affinity(): number {
    return this.runner.cpu;
  }

  /**
   * Wakeups that queued a run: every one has started its run (`runs`), was dropped (`dropped`) or waits in
   * the work list. Counted here when read rather than on every wakeup, the interrupt path.
   */
  get wakeups(): number {
    let waiting = 0;
    for (let a = this.firstWork(); a !== undefined; a = a.nextWork) waiting++;
    return this.runs + this.dropped + waiting;
  }

  /**
   * The first woken action waiting for its run, or undefined: on either kind of thread, the start of a walk
   * through IrqAction.nextWork (a dedicated thread's action has no successor).
   */
  firstWork(): IrqAction | undefined {
    const sole = this.sole;
    if (sole === undefined) return this.work;
    return sole.runthread ? sole : undefined;
  }

  get irqs(): readonly number[] {
    const irqs: number[] = [];
    for (const a of this.served) if (!irqs.includes(a.desc.irq)) irqs.push(a.desc.irq);
    return irqs;
  }

  get holding(): number | undefined {
    return this.active?.desc.irq;
  }

  get state(): IrqThreadState {
    if (this.exited) return 'exited';
    if (this.active !== undefined) return 'running';
    return this.queued ? 'queued' : 'idle';
  }
}

/**
 * One runner per CPU the platform offers (one on XS). It owns a priority queue of threads with work and
 * runs them in bursts.
 */
export class ThreadRunner {
  /** Threads with work, highest priority first, FIFO among equals: a list linked through IrqThread.next. */
  private head: IrqThread | undefined = undefined;
  /** A burst is due or running: a thread queued meanwhile needs no other (the burst's end schedules one if work is left). */
  private scheduled = false;
  /** Bursts run, and bursts that ended with work left because the budget ran out. */
  bursts = 0;
  yields = 0;
  /**
   * One burst (the kernel's irq threads, each a loop in irq_thread, here taking turns). One clock reading per
   * run, shared: the reading that ends a run starts the next, and serves its thread's statistics, its storm
   * charge and the budget check.
   *
   * Each run is the first woken action's threadFn (irq_thread's loop body), written out here rather than in a
   * method of its own, with one try for the whole run: on XS a call costs as much as four property reads and a
   * try as much as seven, and this is every run's path. A run whose threadFn returns (the common case) is
   * finished here too: finishRun's and doneWith's work (irq_finalize_oneshot) written out for a run that did
   * not sleep. A run that sleeps is finished by finishRun when its promise settles. The catch tells the three
   * kinds of failure apart: the thread function threw (registry.current is still its thread: runThrew), the
   * chip's unmask after it threw (`unmasking` names the line and it is still masked: isolated as in hardirq context, and the run finished), or
   * the run's own bookkeeping failed (runThrew logs it and the runner goes on).
   */
  private readonly burst = (): void => {
    this.bursts++;
    const ctx = this.ctx;
    const start = ctx.platform.now();
    let now = start;
    // Objects (threads, actions, stats, tracer, storm, chip) are tested by truthiness here: on XS one
    // bytecode fewer than `!== undefined`, and this is every run's path.
    for (let t = this.head; t; t = this.head) {
      // t.next cleared only when set: a test costs less than a write, and a lone thread has none.
      if ((this.head = t.next)) t.next = undefined;
      t.queued = false;
      let action = t.sole;
      if (action) {
        // A dedicated thread: its action's runthread flag is its whole queue.
        if (!action.runthread) action = undefined;
      } else if ((action = t.work)) {
        // A shared thread: the first action off its work list. The assignment's value is the test (no local:
        // fewer bytecodes on every run).
        if ((t.work = action.nextWork)) action.nextWork = undefined;
        else t.lastWork = undefined;
      }
      if (action) {
        /**
         * The line whose chip the run's finalize unmasks, else undefined: the catch's clue (still masked: the
         * chip's unmask failed) and the trace's (unmasked: the run record's UNMASK).
         */
        let unmasking: IrqDesc | undefined;
        try {
          action.runthread = false;
          t.active = action;
          t.runs++;
          t.startUs = now;
          const desc = action.desc;
          // The run's trace record is written when its synchronous part ends; its RUN event goes here, before
          // whatever the thread function traces, and after a hardirq still pending now (trace.ts). Its
          // latencies (stats) are recorded then too, in one call.
          const tracer = ctx.tracer;
          if (tracer) {
            tracer.runFrom = tracer.recorded;
            tracer.runWake = tracer.pending;
          }
          // (this.registry twice rather than a local: on XS the local costs more than the second read.)
          this.registry.current = t;
          // A throw lands in the catch (runThrew) with current still set.
          const ret: unknown = action.threadFn!(desc.irq, action.devId);
          this.registry.current = undefined;
          // The clock reading that ends this run (and starts the next) replaces `now` in the same expression
          // that takes the difference: the old value is read first. On XS a local and a separate assignment
          // would cost four bytecodes more, on every run.
          const elapsed = -now + (now = ctx.platform.now());
          // The synchronous part is CPU time the line's storm budget pays for; time asleep is not. Within the
          // window and the budget the charge is a subtraction; anything else (a new window, over budget, polled:
          // a polled line's window ends at -Infinity, storm.ts) is noteCpuCharged's. Storms off, both fields
          // are Infinity and the test never comes true.
          if ((desc.stormLeftUs -= elapsed) < 0 || now >= desc.stormWindowEnd) noteCpuCharged(desc, elapsed, now, ctx.storm!);
          if (typeof ret === 'object' && ret !== null && typeof (ret as PromiseLike<unknown>).then === 'function') {
            t.sleeping = true;
            // (Woken again during the run, runthread: its start latencies are recorded already, stats.ts.)
            if (desc.stats && !action.runthread) desc.stats.started(action, t.startUs);
            if (tracer) tracer.run(action, TRACE_RUN_SLEPT, t.startUs, now);
            this.watch.sleeping(t);
            (ret as PromiseLike<unknown>).then(t.onSettled, t.onFailed);
          } else if (t.active === action) {
            // finishRun, for a run that did not sleep (so t.sleeping and t.failedRun are false), unless its
            // thread function had it abandoned already (finishRun then did this).
            t.active = undefined;
            t.totalUs += elapsed;
            if (elapsed > t.longestUs) t.longestUs = elapsed;
            if (desc.stats) {
              if (action.runthread) desc.stats.threadRun.record(elapsed);
              else desc.stats.ran(action, t.startUs, now);
            }
            if (action.failures) action.failures = 0;
            // A result returned after freeIrq removed the action is ignored.
            if (ret === IRQ_HANDLED) {
              if (!action.freed) desc.spuriousThreads |= SPURIOUS_CLAIMED;
            } else {
              this.runResult(t, action, ret);
            }
            // doneWith written out: irq_finalize_oneshot, then the waiters. Whether the line may be unmasked is
            // still asked of the one rule, irqMayUnmask (chip.ts), unless nothing at all holds the line: every
            // reason that rule weighs is a bit of desc.unmaskHold or of threadsOneshot, so both 0 is its yes
            // (the common case, answered without the call).
            // (Fields read twice rather than kept in locals: on XS a local costs more than the second read.)
            if (action.runthread) {
              // Woken again during the run (IRQTF_RUNTHREAD): that run keeps the oneshot bit, and the line
              // masked; the thread goes back in its runner's queue for it.
              if (!t.queued && !t.exited) t.runner.enqueue(t);
            } else if (action.threadMask) {
              desc.threadsOneshot &= ~action.threadMask;
              // The common chip (desc.plainChip: no bus lock, no EOI_THREADED) is just its unmask.
              if (desc.plainChip) {
                if (desc.masked && ((desc.unmaskHold | desc.threadsOneshot) === 0 || irqMayUnmask(desc))) {
                  unmasking = desc;
                  desc.plainChip.irqUnmask!(desc.irqData);
                  desc.masked = false;
                }
              } else {
                const data = desc.irqData;
                const chip = data.chip;
                if (chip && (chip.irqBusLock || chip.irqBusSyncUnlock)) {
                  this.finalizeOneshot(t, desc, true);
                } else if (chip && desc.masked && ((desc.unmaskHold | desc.threadsOneshot) === 0 || irqMayUnmask(desc))) {
                  unmasking = desc;
                  if (chip.flags && (chip.flags & IRQCHIP_EOI_THREADED) !== 0) chip.irqEoi?.(data);
                  if (chip.irqUnmask) {
                    chip.irqUnmask(data);
                    desc.masked = false;
                  }
                }
              }
            }
            // The run's one trace record: RUN (where the run began), FINISH and the UNMASK, if there was one;
            // with the hardirq that woke it, if that is still pending in the tracer (trace.ts).
            if (tracer) tracer.run(action, unmasking && !unmasking.masked ? TRACE_RUN_UNMASKED : 0, t.startUs, now);
            if (desc.syncWaiters) wakeSyncWaiters(desc);
            // A shared thread's other woken actions (a dedicated thread's list is always empty: see `sole`).
            if (t.work && !t.queued && !t.exited) t.runner.enqueue(t);
          }
        } catch (err) {
          // Still masked: the chip's unmask (or its EOI before it) is what threw.
          if (unmasking && unmasking.masked) {
            this.unmaskThrew(t, unmasking, err);
          } else {
            now = this.runThrew(t, err);
          }
        }
      }
      if (!this.head) break;
      if (now - start >= this.budgetUs) {
        this.yields++;
        break;
      }
    }
    this.scheduled = false;
    if (this.head) this.schedule();
    // Read twice rather than kept in a local: the poll is rare, and a local costs more on every burst.
    if (this.watch.sleepers) this.watch.poll();
  };

  /**
   * The platform's reusable deferred call for this runner's bursts, made once here: scheduling a burst then
   * allocates nothing (on the board, one Moddable timer re-armed per burst instead of a new one). Undefined on
   * a platform without createDeferred, which gets defer(burst) per burst.
   */
  private readonly deferred: PlatformDeferred | undefined;
  private readonly ctx: IrqContext;
  /** The registry's watchdog, told of every run that sleeps. */
  private readonly watch: IrqSleepWatch;

  constructor(private readonly registry: IrqThreadRegistry, readonly cpu: number, readonly budgetUs: number) {
    this.ctx = registry.ctx;
    this.watch = registry.watch;
    this.deferred = this.ctx.platform.createDeferred?.(this.burst);
  }

  /** Change a thread's priority; a thread already queued moves to its new place. */
  setPriority(t: IrqThread, priority: number): void {
    t.priority = priority;
    if (!t.queued) return;
    this.unlink(t);
    this.enqueue(t);
  }

  /** Move a thread to this runner (its affinity changed). */
  adopt(t: IrqThread): void {
    const old = t.runner;
    if (old === this) return;
    const queued = t.queued;
    if (queued) old.dequeue(t);
    t.runner = this;
    if (queued) this.enqueue(t);
  }

  dequeue(t: IrqThread): void {
    if (t.queued) this.unlink(t);
    t.queued = false;
  }

  private unlink(t: IrqThread): void {
    if (this.head === t) {
      this.head = t.next;
    } else {
      let p = this.head;
      while (p !== undefined && p.next !== t) p = p.next;
      if (p !== undefined) p.next = t.next;
    }
    t.next = undefined;
  }

  enqueue(t: IrqThread): void {
    // Highest priority first, FIFO among equals: after the last thread of equal or higher priority.
    const head = this.head;
    if (!head) {
      // An idle runner (the common wakeup). t.next is undefined already: a thread off the queue has none.
      this.head = t;
    } else if (head.priority < t.priority) {
      t.next = head;
      this.head = t;
    } else {
      let p = head;
      while (p.next !== undefined && p.next.priority >= t.priority) p = p.next;
      t.next = p.next;
      p.next = t;
    }
    t.queued = true;
    // schedule(), written out: every wakeup of an idle runner comes here.
    if (this.scheduled) return;
    this.scheduled = true;
    const deferred = this.deferred;
    if (deferred) deferred.schedule();
    else this.ctx.platform.defer(this.burst);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.deferred !== undefined) this.deferred.schedule();
    else this.ctx.platform.defer(this.burst);
  }

  /**
   * The catch of a run (burst): a thread function that threw (registry.current is still its thread) fails its
   * run as a rejection would. Anything else is a fault of the run's own bookkeeping: logged, and the runner
   * goes on with the next thread rather than dying with the event loop's uncaught exception.
   */
  private runThrew(t: IrqThread, err: unknown): number {
    const ctx = this.ctx;
    if (this.registry.current === t) {
      this.registry.current = undefined;
      t.onFailed(err);
    } else {
      ctx.log('error', `${t.name}: run failed after its thread function: ${describe(err)}`);
    }
    return ctx.platform.now();
  }

  /**
   * The chip's unmask after a run threw (the burst's catch): isolated as in hardirq context (unmaskFailed), and
   * the run finished as it would have been; a failure of that is the run's own (runThrew's log).
   */
  private unmaskThrew(t: IrqThread, desc: IrqDesc, err: unknown): void {
    this.unmaskFailed(t, desc, err);
    try {
      if (desc.syncWaiters) wakeSyncWaiters(desc);
      if (t.firstWork() !== undefined && !t.queued && !t.exited) t.runner.enqueue(t);
    } catch (again) {
      this.runThrew(t, again);
    }
  }

  /**
   * Fault isolation: the failure is logged with the thread's name and counted; every other thread goes on.
   * A thread that fails threadRetries runs in a row has its line disabled: a level line whose thread keeps
   * failing would otherwise be unmasked, fire and fail again forever (logged, and reported: 'thread-disable').
   */
  threadFailed(t: IrqThread, err: unknown): void {
    t.errors++;
    t.failedRun = true;
    const ctx = this.ctx;
    const action = t.active;
    const error = describe(err);
    const disable = action !== undefined && ++action.failures === this.registry.threadRetries;
    if (disable) {
      const desc = action.desc;
      desc.failDisabled = true;
      ctx.log('error', `irq ${desc.irq}: ${t.name} failed ${action.failures} times in a row; disabling IRQ #${desc.irq} (enableIrq turns it on again)`);
      disableIrqDesc(desc);
    }
    // A shared thread serves several actions: say which one failed.
    const which = t.sharedThread !== undefined && action !== undefined ? ` (irq ${action.desc.irq} "${action.name}")` : '';
    ctx.log('error', `${t.name}: thread function failed${which}: ${error}`);
    // Once the core's own work is done: a listener may enable the line again.
    if (disable && ctx.events.listening) {
      ctx.events.emit({
        kind: 'thread-disable', irq: action.desc.irq, time: ctx.platform.now(), thread: t.name, action: action.name, failures: action.failures, error,
      });
    }
  }

  /** The end of one run, however it ended; `now`: the clock reading that ended it, if the caller has one. */
  finishRun(t: IrqThread, ret: unknown, now?: number): void {
    const action = t.active;
    if (action === undefined) return;
    const end = now ?? this.ctx.platform.now();
    const elapsed = end - t.startUs;
    // A run that slept has its RUN in the record its sleep wrote; one that threw or was abandoned before it
    // returned has none yet.
    const slept = t.sleeping;
    t.active = undefined;
    // Only a run that slept can have been reported stuck (the watchdog looks at nothing else), and every such
    // run ends here: the flag is cleared for the thread's next run here rather than on every run's start.
    if (t.reportedStuck) t.reportedStuck = false;
    t.totalUs += elapsed;
    if (elapsed > t.longestUs) t.longestUs = elapsed;
    if (t.sleeping) {
      t.sleeping = false;
      this.watch.woke();
    }
    const desc = action.desc;
    // A run that slept had its start's latencies recorded when it went to sleep, one woken again during its
    // synchronous part by that wakeup (stats.ts).
    const stats = desc.stats;
    if (stats !== undefined) {
      if (slept || action.runthread) stats.threadRun.record(elapsed);
      else stats.ran(action, t.startUs, end);
    }
    const tracer = this.ctx.tracer;
    if (tracer !== undefined) {
      if (slept) tracer.recordAt(IRQ_TRACE.THREAD_FINISH, desc.irq, t.traceId, end);
      else tracer.run(action, 0, t.startUs, end);
    }
    if (t.failedRun) t.failedRun = false;
    else action.failures = 0;
    if (ret === IRQ_HANDLED) {
      if (!action.freed) desc.spuriousThreads |= SPURIOUS_CLAIMED;
    } else {
      this.runResult(t, action, ret);
    }
    this.doneWith(t, action);
    if (t.firstWork() !== undefined && !t.queued && !t.exited) t.runner.enqueue(t);
  }

  /**
   * The action's thread is done with the line for this wakeup: irq_finalize_oneshot (kernel/irq/manage.c) for
   * an action that holds a oneshot bit and has no run due again (that run keeps the bit, and the line masked),
   * then wake the waiters. The line is unmasked once every oneshot thread woken for it has finished
   * (irqMayUnmask). The bus lock only on chips that have one (a slow-bus expander), as the kernel's
   * chip_bus_lock calls nothing on the others. A chip that fails here is isolated as in hardirq context.
   */
  private doneWith(t: IrqThread, action: IrqAction): void {
    const desc = action.desc;
    if (action.threadMask !== 0 && !action.runthread) {
      desc.threadsOneshot &= ~action.threadMask;
      const chip = desc.irqData.chip;
      const slowBus = chip !== undefined && (chip.irqBusLock !== undefined || chip.irqBusSyncUnlock !== undefined);
      if (slowBus || (desc.masked && irqMayUnmask(desc))) this.finalizeOneshot(t, desc, slowBus);
    }
    if (desc.syncWaiters) wakeSyncWaiters(desc);
  }

  /** The unmask of irq_finalize_oneshot (under the bus lock on a slow-bus chip), its failure isolated. */
  private finalizeOneshot(t: IrqThread, desc: IrqDesc, slowBus: boolean): void {
    try {
      if (slowBus) irqFinalizeOneshotLocked(desc);
      else unmaskThreadedIrq(desc);
    } catch (err) {
      this.unmaskFailed(t, desc, err);
    }
  }

  /** A chip that fails to unmask after a thread is isolated as in hardirq context: counted and logged. */
  private unmaskFailed(t: IrqThread, desc: IrqDesc, err: unknown): void {
    desc.errors++;
    this.ctx.log('error', `irq ${desc.irq}: unmask after ${t.name} failed: ${describe(err)}`);
  }

  /** A thread result other than IRQ_HANDLED: wake the forced secondary, or count a bogus one (not after a free). */
  private runResult(t: IrqThread, action: IrqAction, ret: unknown): void {
    // A result returned after freeIrq removed the action is ignored.
    if (action.freed) return;
    if (ret === IRQ_WAKE_THREAD && action.secondary !== undefined) irqWakeThreadAction(action.secondary, NaN);
    else if (ret !== IRQ_NONE) this.bogusResult(t, action, ret);
  }

  /**
   * Drop the woken run of `action` from t's work list without running it: the watchdog does, for a freed
   * action whose run waits behind a stuck one, so its free finishes. Its wakeup is accounted for as a
   * finished run's would be.
   */
  dropRun(t: IrqThread, action: IrqAction): void {
    if (t.sole !== undefined) {
      // A dedicated thread: its action's flag is its queue.
      if (t.sole !== action || !action.runthread) return;
      action.runthread = false;
      t.dropped++;
      this.doneWith(t, action);
      return;
    }
    let prev: IrqAction | undefined;
    let a = t.work;
    while (a !== undefined && a !== action) {
      prev = a;
      a = a.nextWork;
    }
    if (a === undefined) return;
    if (prev === undefined) t.work = action.nextWork;
    else prev.nextWork = action.nextWork;
    if (t.lastWork === action) t.lastWork = prev;
    action.nextWork = undefined;
    action.runthread = false;
    t.dropped++;
    this.doneWith(t, action);
  }

  /** Counted every time, logged once per action: a forgotten `return` would otherwise log on every run. */
  private bogusResult(t: IrqThread, action: IrqAction, ret: unknown): void {
    t.errors++;
    if (action.bogusReported) return;
    action.bogusReported = true;
    this.ctx.log(
      'error',
      ret === IRQ_WAKE_THREAD
        ? `${t.name}: thread function of "${action.name}" returned IRQ_WAKE_THREAD, but there is no secondary thread to wake`
        : `${t.name}: thread function of "${action.name}" returned bogus value ${String(ret)} (expected IRQ_NONE or IRQ_HANDLED)`,
    );
  }

  /**
   * The watchdog gave up on the thread's current run ('disable', or its action was freed): finish it and
   * ignore its late result. A promise cannot be cancelled; rebinding the callbacks is how it is let go.
   */
  abandon(t: IrqThread): void {
    t.bindCallbacks();
    this.finishRun(t, IRQ_NONE);
  }
}

/**
 * irq_wake_thread and __irq_wake_thread: a wakeup while a run is already due is merged into it and counted;
 * otherwise the action joins its thread's work list and the thread its runner's queue. `nowUs`: the caller's
 * clock reading (the hardirq's, shared with its tracepoints), or NaN: then the clock is read here if tracing
 * or the latency statistics want it. handleLevelIrq (flow.ts) writes this out for its fast path (with its
 * tracing and statistics after the wakeup): a change here belongs there too.
 */
export function irqWakeThreadAction(action: IrqAction, nowUs: number): void {
  const t = action.thread!;
  if (t.exited) return;
  if (action.runthread) {
    t.coalesced++;
    return;
  }
  const desc = action.desc;
  // (t.wakeups is counted when read: see IrqThread.)
  action.runthread = true;
  // Truthiness tests of objects (stats, tracer): on XS one bytecode fewer than `!== undefined`.
  if (desc.stats) {
    if (nowUs !== nowUs) nowUs = desc.ctx.platform.now();
    // Woken during its own run's synchronous part: that run's start latencies first (stats.ts).
    if (t.active === action && !t.sleeping) desc.stats.started(action, t.startUs);
    action.wokenUs = nowUs;
    action.edgeUs = desc.edgeUs;
  }
  const tracer = desc.ctx.tracer;
  if (tracer) tracer.recordAt(IRQ_TRACE.THREAD_WAKE, desc.irq, t.traceId, nowUs !== nowUs ? desc.ctx.platform.now() : nowUs);
  desc.threadsOneshot |= action.threadMask;
  // A dedicated thread's queue is the runthread flag just set; a shared thread's action joins its work list.
  if (!t.sole) {
    const last = t.lastWork;
    if (last) last.nextWork = action;
    else t.work = action;
    t.lastWork = action;
  }
  if (!t.active && !t.queued) t.runner.enqueue(t);
}

/** irq_finalize_oneshot's unmask on a slow-bus chip: between chip_bus_lock and chip_bus_sync_unlock. */
function irqFinalizeOneshotLocked(desc: IrqDesc): void {
  chipBusLock(desc);
  try {
    if (desc.masked && irqMayUnmask(desc)) unmaskThreadedIrq(desc);
  } finally {
    chipBusSyncUnlock(desc);
  }
}

/**
 * What the registry's runners tell about sleeping runs, and ask to check them after a burst: the watchdog
 * (watchdog.ts), which the core gives the registry when it creates it.
 */
export interface IrqSleepWatch {
  /** Runs sleeping now: a runner calls poll() after a burst only while there are some. */
  readonly sleepers: number;
  /** A run went to sleep (its threadFn returned a promise). */
  sleeping(t: IrqThread): void;
  /** A sleeping run ended. */
  woke(): void;
  poll(): void;
}

/** How a core's threads run: IrqCoreOptions, checked by the core. */
export interface IrqThreadOptions {
  /** A runner's burst budget, µs (threadBudgetUs). */
  readonly budgetUs: number;
  /** Runners, one per CPU. */
  readonly cpus: number;
  /** How many shared threads requestIrqSharedThread may use. */
  readonly sharedThreads: number;
  /** Threads of plain requests go into shared thread 0. */
  readonly forceSharedThread: boolean;
  /** Consecutive failed runs after which a thread's line is disabled; 0: never. */
  readonly threadRetries: number;
}

/**
 * The threads of one core: every live thread (dedicated and shared) in creation order, the shared threads, the
 * runners, and which thread runs now. Threads are created, attached to actions and retired only here.
 */
export class IrqThreadRegistry<W extends IrqSleepWatch = IrqSleepWatch> {
  readonly runners: readonly ThreadRunner[];
  /** The watchdog the runners report sleeping runs to. */
  readonly watch: W;
  readonly threadRetries: number;
  readonly sharedThreadCount: number;
  readonly forceSharedThread: boolean;
  private readonly list: IrqThread[] = [];
  /**
   * Every live thread, dedicated and shared, in creation order: the list itself, read-only to others (a field,
   * not a getter, as the watchdog walks it after every burst while a run sleeps).
   */
  readonly threads: readonly IrqThread[] = this.list;
  private readonly shared: (IrqThread | undefined)[] = [];
  /**
   * The thread whose synchronous part is executing now (on whichever runner), or undefined: to refuse a wait
   * on its own line (EDEADLK) and to tell a nested child its parent's thread. The registry's own state, set
   * only by its runners (ThreadRunner.burst and runThrew, in this file) around the thread function; a plain
   * field, as the expander's nested path reads it per interrupt.
   */
  current: IrqThread | undefined = undefined;

  /** `makeWatch` builds the watchdog, which reads this registry's threads (not yet its runners: they come next). */
  constructor(readonly ctx: IrqContext, options: IrqThreadOptions, makeWatch: (registry: IrqThreadRegistry<W>) => W) {
    this.threadRetries = options.threadRetries;
    this.sharedThreadCount = options.sharedThreads;
    this.forceSharedThread = options.forceSharedThread;
    // The watchdog first: each runner keeps a reference to it.
    this.watch = makeWatch(this);
    this.runners = Object.freeze(Array.from({ length: options.cpus }, (_, cpu) => new ThreadRunner(this, cpu, options.budgetUs)));
  }

  /**
   * Give a threaded action its thread: its own (`irq/N-name`, `irq/N-s-name` for a forced secondary) or a
   * shared one, created on first use.
   */
  attachThread(action: IrqAction, sharedThread: number | undefined, secondary: boolean): void {
    const desc = action.desc;
    const num = sharedThread ?? (this.forceSharedThread ? 0 : undefined);
    let t: IrqThread;
    if (num !== undefined) {
      t = this.sharedThread(num);
      if (t.irq === 0) {
        // The irq that creates a shared thread gives it its affinity (as in that patch).
        t.irq = desc.irq;
        this.runners[desc.affinity].adopt(t);
      }
    } else {
      t = this.createThread(secondary ? `irq/${desc.irq}-s-${action.name}` : `irq/${desc.irq}-${action.name}`, desc.irq, desc.affinity, undefined);
      if (secondary) t.priority = IRQ_THREAD_DEFAULT_PRIORITY - 1;
    }
    t.served.push(action);
    if (num === undefined) t.sole = action;
    action.thread = t;
  }

  private createThread(name: string, irq: number, affinity: number, shared: number | undefined): IrqThread {
    const t = new IrqThread(this.runners[affinity], name, irq, shared);
    const ring = this.ctx.traceRing;
    if (ring !== undefined) t.traceId = ring.register(name, true);
    this.list.push(t);
    return t;
  }

  /** The action is gone: its dedicated threads stop for good; a shared thread only stops serving it. */
  detachThreads(action: IrqAction): void {
    for (const a of action.secondary === undefined ? [action] : [action, action.secondary]) {
      const t = a.thread;
      if (t === undefined) continue;
      const i = t.served.indexOf(a);
      if (i >= 0) t.served.splice(i, 1);
      if (t.sharedThread !== undefined) continue;
      t.exited = true;
      t.runner.dequeue(t);
      const j = this.list.indexOf(t);
      if (j >= 0) this.list.splice(j, 1);
    }
  }

  /** EINVAL unless `num` names one of the shared threads. */
  checkSharedThread(num: number, irq?: number): void {
    if (!Number.isInteger(num) || num < 0 || num >= this.sharedThreadCount) {
      throw new IrqError('EINVAL', `${irq === undefined ? '' : `irq ${irq}: `}shared thread ${num} is outside 0..${this.sharedThreadCount - 1}`, irq);
    }
  }

  /** Shared thread `num`, created on first use (EINVAL for a number outside 0..sharedThreads-1). */
  sharedThread(num: number): IrqThread {
    this.checkSharedThread(num);
    let t = this.shared[num];
    if (t === undefined) {
      t = this.createThread(`irq/shared-${num}`, 0, 0, num);
      this.shared[num] = t;
    }
    return t;
  }

  /** irq's line was routed to `cpu`: the threads created for it move to that CPU's runner. */
  setAffinity(irq: number, cpu: number): void {
    const runner = this.runners[cpu];
    for (const t of this.list) {
      if (t.irq === irq) runner.adopt(t);
    }
  }
}
