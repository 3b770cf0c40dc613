/*
 * The thread watchdog. The kernel has no such thing: a kernel thread that sleeps forever is visible in ps
 * and in hung-task reports. Here a threadFn's promise that never settles would hold its line masked (and a
 * shared thread's siblings) without a trace, so a run still sleeping after `timeoutUs` is reported by its
 * thread's name, and, with action 'disable', its line is disabled and the run abandoned. Each report, and each
 * run a free gives up on, is also an event (events.ts: 'watchdog-stuck', 'free-abandon', 'free-drop').
 *
 * It also turns the one deadlock the synchronous EDEADLK check cannot see into an error: a thread that,
 * after an `await`, waits for its own line (synchronizeIrq, disableIrq) would wait for itself. Waits that a
 * stuck run holds up are rejected with EDEADLK once the watchdog fires.
 *
 * And it bounds freeIrq (issue 13). The kernel's free_irq waits for the action's thread (synchronize_irq)
 * however long it takes, and so does freeIrq, up to the watchdog time: a JavaScript promise can never be
 * killed, so a freed action's run still sleeping then is abandoned instead (its late result is ignored, its
 * oneshot bit dropped), and a freed action's run queued behind a stuck run of a shared thread is dropped.
 * The free then finishes and the line is clean for the next request, whatever the watchdog's action.
 */
import { disableIrqDesc } from './chip';
import type { IrqAction, IrqContext, SyncWaiter } from './desc';
import { IrqError } from './error';
import type { IrqCoreEvent } from './events';
import { rejectSyncWaiters } from './sync';
import type { IrqSleepWatch, IrqThread, IrqThreadRegistry } from './thread';

export interface IrqWatchdogOptions {
  /**
   * How long a thread run may sleep before it is reported, in µs. 0 turns the reports off; freeIrq still
   * waits at most IRQ_WATCHDOG_DEFAULT.timeoutUs for a freed action's run, so a free always finishes.
   */
  timeoutUs: number;
  /** 'report': log it and keep waiting. 'disable': also disable its line and abandon the run. */
  action: 'report' | 'disable';
}

export const IRQ_WATCHDOG_DEFAULT: IrqWatchdogOptions = Object.freeze({ timeoutUs: 1_000_000, action: 'report' });

/**
 * Does a free wait on the thread: is its current run, or a run queued in it, of a freed action (or of the
 * forced secondary of one: freeIrq marks both)? A walk of the linked work list, as it runs for every run
 * that sleeps: an iterator would be an allocation per run on XS.
 */
function holdsFree(t: IrqThread): boolean {
  if (t.active?.freed === true) return true;
  for (let a = t.firstWork(); a !== undefined; a = a.nextWork) if (a.freed) return true;
  return false;
}

export class ThreadWatchdog implements IrqSleepWatch {
  /** Runs sleeping now; the timer is armed only while there are some (a runner polls only then). */
  sleepers = 0;
  /** A free may be waiting on a sleeping run: poll looks even with the reports off. */
  private freeing = false;
  private timer: unknown = undefined;
  private armed = false;
  /** When the armed timer fires (platform µs), so an earlier deadline can take its place. */
  private armedAt = 0;
  /** Decisions of the check under way (stuck, letGo), emitted at its end (emitDue). */
  private readonly due: IrqCoreEvent[] = [];
  private readonly fire = (): void => {
    this.armed = false;
    this.poll();
  };

  private readonly ctx: IrqContext;

  /** Watches the threads of `registry` (which creates it: IrqThreadRegistry's makeWatch). */
  constructor(private readonly registry: IrqThreadRegistry, readonly options: IrqWatchdogOptions) {
    this.ctx = registry.ctx;
  }

  /**
   * How long freeIrq waits for a freed action's sleeping run, from the run's start: the watchdog time, so a
   * free never outlasts a report; with the reports off, the default, so a free still always finishes.
   */
  get freeTimeoutUs(): number {
    const timeoutUs = this.options.timeoutUs;
    return timeoutUs > 0 ? timeoutUs : IRQ_WATCHDOG_DEFAULT.timeoutUs;
  }

  /** A run went to sleep (its threadFn returned a promise). */
  sleeping(t: IrqThread): void {
    this.sleepers++;
    const timeoutUs = this.options.timeoutUs;
    if (timeoutUs > 0) this.armAt(t.startUs + timeoutUs, this.ctx.platform.now());
    // A freed action's queued run that started, or one queued behind this run: its free waits on this run.
    if (holdsFree(t)) {
      this.freeing = true;
      this.armAt(t.startUs + this.freeTimeoutUs, this.ctx.platform.now());
    }
  }

  /** A sleeping run ended. */
  woke(): void {
    if (--this.sleepers === 0) {
      this.freeing = false;
      if (this.armed) {
        this.armed = false;
        this.ctx.platform.clearTimer?.(this.timer);
      }
    }
  }

  /** Have the timer fire at `due` at the latest. */
  private armAt(due: number, now: number): void {
    const platform = this.ctx.platform;
    if (platform.setTimer === undefined) return;
    if (this.armed) {
      if (this.armedAt <= due) return;
      platform.clearTimer?.(this.timer);
    }
    this.armed = true;
    this.armedAt = due;
    this.timer = platform.setTimer(this.fire, Math.max(0, due - now));
  }

  /**
   * freeIrq took `action` off its line (and marked it and its secondary freed): bound the wait for their
   * runs. A run sleeping past the free time already is let go now, else the timer lets it go then. Without
   * a platform timer nothing would end the wait, so the run is let go at once: a free must finish.
   */
  freed(action: IrqAction): void {
    const now = this.ctx.platform.now();
    this.freeRun(action, now);
    if (action.secondary !== undefined) this.freeRun(action.secondary, now);
    this.emitDue();
  }

  private freeRun(a: IrqAction, now: number): void {
    const t = a.thread;
    // A run that is not sleeping ends by itself (or was queued and has not started: sleeping() looks then).
    if (t === undefined || !t.sleeping || (t.active !== a && !a.runthread)) return;
    const due = t.startUs + this.freeTimeoutUs;
    if (now >= due || this.ctx.platform.setTimer === undefined) {
      this.letGo(t, now, now < due);
    } else {
      this.freeing = true;
      this.armAt(due, now);
    }
  }

  /**
   * Check every sleeping run: on the timer, and after each runner burst (the only check on a platform
   * without timers).
   */
  poll(): void {
    const timeoutUs = this.options.timeoutUs;
    if (this.sleepers === 0 || (timeoutUs <= 0 && !this.freeing)) return;
    const now = this.ctx.platform.now();
    const noTimer = this.ctx.platform.setTimer === undefined;
    const freeTimeoutUs = this.freeTimeoutUs;
    let freeing = false;
    let next = Infinity;
    for (const t of this.registry.threads) {
      if (!t.sleeping) continue;
      if (holdsFree(t)) {
        const due = t.startUs + freeTimeoutUs;
        if (now >= due || noTimer) {
          // A run of another action holding up the free is reported as any stuck run (and, with 'disable',
          // abandoned: the freed actions' queued runs then run as usual).
          if (timeoutUs > 0 && now >= due && !t.reportedStuck && t.active?.freed !== true) this.stuck(t, now);
          if (t.sleeping) this.letGo(t, now, now < due);
        } else {
          freeing = true;
          if (due < next) next = due;
        }
        continue;
      }
      if (timeoutUs <= 0) continue;
      const due = t.startUs + timeoutUs;
      if (now >= due) {
        if (!t.reportedStuck) this.stuck(t, now);
      } else if (due < next) {
        next = due;
      }
    }
    this.freeing = freeing;
    if (next !== Infinity) this.armAt(next, now);
    this.emitDue();
  }

  /**
   * Let the frees waiting on thread t's sleeping run finish. We differ from the kernel here, whose free_irq
   * waits for the thread however long: a JavaScript promise can never be killed, so the freed actions' runs
   * queued behind it are dropped, and the run itself, if its action is freed, is abandoned (its oneshot bit
   * dropped, its late result ignored). The line is then left as a finished run leaves it.
   */
  private letGo(t: IrqThread, now: number, noTimer: boolean): void {
    const ctx = this.ctx;
    const active = t.active!;
    const us = now - t.startUs;
    const why = noTimer ? ', at once: the platform has no timer to wait for it' : '';
    for (let a = t.firstWork(); a !== undefined;) {
      const next = a.nextWork;
      if (a.freed) {
        const dropped = a !== active;
        if (dropped) {
          ctx.log('warn', `irq ${a.desc.irq}: freeIrq of "${a.name}": dropped its run queued in ${t.name}, which the run of "${active.name}" (irq ${active.desc.irq}) has held for ${us} µs${why}`);
        }
        t.runner.dropRun(t, a);
        if (dropped && ctx.events.listening) {
          this.due.push({
            kind: 'free-drop', irq: a.desc.irq, time: now, thread: t.name, action: a.name, holder: active.name, holderIrq: active.desc.irq,
            heldUs: us, noTimer,
          });
        }
      }
      a = next;
    }
    if (!active.freed) return;
    t.noteStuck();
    ctx.log('warn', noTimer
      ? `irq ${active.desc.irq}: freeIrq of "${active.name}": abandoned the run of ${t.name} after ${us} µs${why} (a late result is ignored)`
      : `irq ${active.desc.irq}: freeIrq of "${active.name}": abandoned the run of ${t.name} after ${us} µs; its promise has not settled (a late result is ignored)`);
    t.runner.abandon(t);
    if (ctx.events.listening) {
      this.due.push({ kind: 'free-abandon', irq: active.desc.irq, time: now, thread: t.name, action: active.name, sleptUs: us, noTimer });
    }
  }

  private stuck(t: IrqThread, now: number): void {
    t.noteStuck();
    const sleptUs = now - t.startUs;
    const action = t.active!;
    const desc = action.desc;
    const disable = this.options.action === 'disable';
    this.ctx.log(
      'error',
      `${t.name}: thread function of "${action.name}" (irq ${desc.irq}) has not finished after ${Math.round(sleptUs / 1000)} ms` +
        (disable ? `; disabling IRQ #${desc.irq} and abandoning the run` : '; still waiting for it'),
    );
    // Only waits for the whole line (synchronizeIrq, disableIrq): a freeIrq waits for its own action, which
    // resolves when the run ends or is abandoned (letGo bounds it), and may well come from outside the thread.
    rejectSyncWaiters(
      desc,
      (w: SyncWaiter): boolean => w.action === undefined && w.sinceUs >= t.startUs,
      (w: SyncWaiter) => new IrqError('EDEADLK', `irq ${desc.irq}: waited ${Math.round((now - w.sinceUs) / 1000)} ms for ${t.name}, which is stuck; a thread that waits for its own line waits for itself`, desc.irq),
    );
    if (disable) {
      disableIrqDesc(desc);
      t.runner.abandon(t);
    }
    if (this.ctx.events.listening) {
      this.due.push({
        kind: 'watchdog-stuck', irq: desc.irq, time: now, thread: t.name, action: action.name, sleptUs, timeoutUs: this.options.timeoutUs,
        disabled: disable,
      });
    }
  }

  /**
   * Hand the events of this check to the listeners, once the watchdog's own work is done: a listener may free
   * a line (which calls freed() and changes the threads poll walks) or disable one.
   */
  private emitDue(): void {
    const due = this.due;
    if (due.length === 0) return;
    const events = due.splice(0, due.length);
    for (let i = 0; i < events.length; i++) this.ctx.events.emit(events[i]);
  }
}
