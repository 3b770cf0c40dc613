/*
 * Interrupt threads: the kernel's irq_thread, __irq_wake_thread and irq_finalize_oneshot (manage.c).
 *
 * XS runs one JavaScript thread, so an irq thread is a task: a runner takes the woken threads highest
 * priority first (FIFO within a priority) and runs one per deferred job, so the event loop, where board
 * interrupts arrive, gets control between thread runs. Threads never run inside the hardirq.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD } from './constants';
import type { IrqCore } from './core';
import type { IrqAction, IrqDesc } from './desc';
import { chipBusLock, chipBusSyncUnlock, unmaskThreadedIrq } from './chip';
import { describe } from './error';

/** The kernel's default priority for irq threads (SCHED_FIFO 50). */
export const IRQ_THREAD_DEFAULT_PRIORITY = 50;

export type IrqThreadState = 'idle' | 'queued' | 'running' | 'exited';

export interface IrqThreadInfo {
  readonly name: string;
  readonly irq: number;
  readonly priority: number;
  readonly state: IrqThreadState;
  /** Wakeups that started a run. */
  readonly wakeups: number;
  /** Wakeups that arrived while a run was already due and were merged into it (IRQTF_RUNTHREAD). */
  readonly coalesced: number;
  readonly runs: number;
  readonly errors: number;
  readonly totalUs: number;
  readonly longestUs: number;
}

export class IrqThread implements IrqThreadInfo {
  priority = IRQ_THREAD_DEFAULT_PRIORITY;
  /** IRQTF_RUNTHREAD: a run is due. */
  runthread = false;
  queued = false;
  running = false;
  exited = false;
  bogusReported = false;
  wakeups = 0;
  coalesced = 0;
  runs = 0;
  errors = 0;
  totalUs = 0;
  longestUs = 0;
  startUs = 0;
  // Bound once per thread, so settling an async run allocates nothing of ours.
  readonly onSettled: (ret: unknown) => void;
  readonly onFailed: (err: unknown) => void;

  constructor(readonly runner: ThreadRunner, readonly name: string, readonly desc: IrqDesc, readonly action: IrqAction) {
    this.onSettled = (ret) => runner.threadDone(this, ret);
    this.onFailed = (err) => {
      runner.threadFailed(this, err);
      runner.threadDone(this, IRQ_NONE);
    };
  }

  get irq(): number {
    return this.desc.irq;
  }

  get state(): IrqThreadState {
    if (this.exited) return 'exited';
    if (this.running) return 'running';
    return this.queued ? 'queued' : 'idle';
  }
}

export class ThreadRunner {
  private readonly queue: IrqThread[] = [];
  private scheduled = false;
  /** The thread whose synchronous part is executing, to refuse a wait on its own line (EDEADLK). */
  current: IrqThread | undefined = undefined;
  readonly threads: IrqThread[] = [];
  private readonly runNext = (): void => {
    this.scheduled = false;
    const t = this.queue.shift();
    if (t !== undefined) {
      t.queued = false;
      this.runThread(t);
    }
    if (this.queue.length !== 0) this.schedule();
  };

  constructor(private readonly core: IrqCore) {}

  create(desc: IrqDesc, action: IrqAction): IrqThread {
    const t = new IrqThread(this, `irq/${desc.irq}-${action.name}`, desc, action);
    this.threads.push(t);
    return t;
  }

  /** The thread stops for good once its line is idle; freeIrq waits for that before calling this. */
  retire(t: IrqThread): void {
    t.exited = true;
    const i = this.queue.indexOf(t);
    if (i >= 0) this.queue.splice(i, 1);
    t.queued = false;
    const j = this.threads.indexOf(t);
    if (j >= 0) this.threads.splice(j, 1);
  }

  /** Change a thread's priority; a thread already queued moves to its new place. */
  setPriority(t: IrqThread, priority: number): void {
    t.priority = priority;
    if (!t.queued) return;
    this.queue.splice(this.queue.indexOf(t), 1);
    this.enqueue(t);
  }

  enqueue(t: IrqThread): void {
    // Highest priority first, FIFO among equals: insert after the last thread of equal or higher priority.
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].priority < t.priority) i--;
    // push in the common case: splice allocates its (empty) result array on every wakeup.
    if (i === this.queue.length) this.queue.push(t);
    else this.queue.splice(i, 0, t);
    t.queued = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.core.platform.defer(this.runNext);
  }

  private runThread(t: IrqThread): void {
    t.runthread = false;
    t.running = true;
    t.runs++;
    t.startUs = this.core.platform.now();
    const action = t.action;
    let ret: unknown;
    this.current = t;
    try {
      ret = action.threadFn!(t.desc.irq, action.devId);
    } catch (err) {
      this.current = undefined;
      t.onFailed(err);
      return;
    }
    this.current = undefined;
    if (typeof ret === 'object' && ret !== null && typeof (ret as PromiseLike<unknown>).then === 'function') {
      (ret as PromiseLike<unknown>).then(t.onSettled, t.onFailed);
    } else {
      this.threadDone(t, ret);
    }
  }

  /** Fault isolation: the failure is logged with the thread's name and counted; every other thread goes on. */
  threadFailed(t: IrqThread, err: unknown): void {
    t.errors++;
    this.core.log('error', `${t.name}: thread function failed: ${describe(err)}`);
  }

  /** The end of one run (irq_thread's loop body after the thread function returned). */
  threadDone(t: IrqThread, ret: unknown): void {
    const elapsed = this.core.platform.now() - t.startUs;
    t.running = false;
    t.totalUs += elapsed;
    if (elapsed > t.longestUs) t.longestUs = elapsed;
    const desc = t.desc;
    const action = t.action;
    // A result returned after freeIrq removed the action is ignored.
    if (!action.freed) {
      if (ret === IRQ_HANDLED) desc.threadsHandled++;
      else if (ret !== IRQ_NONE && ret !== IRQ_WAKE_THREAD) {
        // Counted every time, logged once: a forgotten `return` would otherwise log on every run.
        t.errors++;
        if (!t.bogusReported) this.core.log('error', `${t.name}: thread function returned bogus value ${String(ret)} (expected IRQ_NONE or IRQ_HANDLED)`);
        t.bogusReported = true;
      }
    }
    irqFinalizeOneshot(desc, action);
    desc.threadsActive--;
    if (desc.syncWaiters.length !== 0) wakeSyncWaiters(desc);
    if (t.runthread && !t.queued && !t.exited) this.enqueue(t);
  }
}

/** __irq_wake_thread: a wakeup while a run is already due is merged into it and counted. */
export function irqWakeThreadAction(desc: IrqDesc, action: IrqAction): void {
  const t = action.thread!;
  if (t.exited) return;
  if (t.runthread) {
    t.coalesced++;
    return;
  }
  t.wakeups++;
  t.runthread = true;
  desc.threadsOneshot |= action.threadMask;
  desc.threadsActive++;
  if (!t.running && !t.queued) t.runner.enqueue(t);
}

/**
 * irq_finalize_oneshot: this action's thread is done with the line; unmask it once every oneshot thread
 * woken for it has finished. A run already due again keeps its bit (the line stays masked for it).
 */
function irqFinalizeOneshot(desc: IrqDesc, action: IrqAction): void {
  if (!desc.oneshot || action.threadMask === 0) return;
  if (action.thread?.runthread) return;
  chipBusLock(desc);
  desc.threadsOneshot &= ~action.threadMask;
  if (desc.threadsOneshot === 0 && !desc.disabled && desc.masked) unmaskThreadedIrq(desc);
  chipBusSyncUnlock(desc);
}

/** Someone waiting for (part of) a line to stop running: synchronizeIrq, disableIrq, freeIrq. */
export interface SyncWaiter {
  /** Only this action's hardirq and thread; undefined: the whole line. */
  readonly action: IrqAction | undefined;
  readonly resolve: () => void;
}

function isIdleFor(desc: IrqDesc, action: IrqAction | undefined): boolean {
  if (action === undefined) return desc.idle;
  const t = action.thread;
  return !desc.inProgress && (t === undefined || (!t.running && !t.runthread));
}

/** Called when a hardirq or a thread run ends: resolve the waiters whose part of the line is now idle. */
export function wakeSyncWaiters(desc: IrqDesc): void {
  const waiters = desc.syncWaiters;
  let kept: SyncWaiter[] | undefined;
  for (const w of waiters) {
    if (isIdleFor(desc, w.action)) w.resolve();
    else (kept ??= []).push(w);
  }
  desc.syncWaiters = kept ?? [];
}

/**
 * Resolves once no hardirq and no thread of the line runs (the kernel's synchronize_irq), or, given an
 * action, once that action's hardirq and thread are done (what freeIrq needs: a busy sharer must not
 * hold up the free of another).
 */
export function waitForIdle(desc: IrqDesc, action?: IrqAction): Promise<void> {
  if (isIdleFor(desc, action)) return Promise.resolve();
  return new Promise((resolve) => {
    desc.syncWaiters.push({ action, resolve });
  });
}
