/*
 * The thread watchdog. The kernel has no such thing: a kernel thread that sleeps forever is visible in ps
 * and in hung-task reports. Here a threadFn's promise that never settles would hold its line masked (and a
 * shared thread's siblings) without a trace, so a run still sleeping after `timeoutUs` is reported by its
 * thread's name, and, with action 'disable', its line is disabled and the run abandoned.
 *
 * It also turns the one deadlock the synchronous EDEADLK check cannot see into an error: a thread that,
 * after an `await`, waits for its own line (synchronizeIrq, disableIrq) would wait for itself. Waits that a
 * stuck run holds up are rejected with EDEADLK once the watchdog fires.
 */
import type { IrqCore } from './core';
import { IrqError } from './error';
import { disableIrqNosync } from './manage';
import type { IrqThread, SyncWaiter } from './thread';

export interface IrqWatchdogOptions {
  /** How long a thread run may sleep before it is reported, in µs. 0 turns the watchdog off. */
  timeoutUs: number;
  /** 'report': log it and keep waiting. 'disable': also disable its line and abandon the run. */
  action: 'report' | 'disable';
}

export const IRQ_WATCHDOG_DEFAULT: IrqWatchdogOptions = Object.freeze({ timeoutUs: 1_000_000, action: 'report' });

export class ThreadWatchdog {
  /** Runs sleeping now; the timer is armed only while there are some. */
  private sleepers = 0;
  private timer: unknown = undefined;
  private armed = false;
  private readonly fire = (): void => {
    this.armed = false;
    this.poll();
  };

  constructor(private readonly core: IrqCore, readonly options: IrqWatchdogOptions) {}

  /** A run went to sleep (its threadFn returned a promise). */
  sleeping(): void {
    this.sleepers++;
    if (!this.armed) this.arm(this.options.timeoutUs);
  }

  /** A sleeping run ended. */
  woke(): void {
    if (--this.sleepers === 0 && this.armed) {
      this.armed = false;
      this.core.platform.clearTimer?.(this.timer);
    }
  }

  private arm(delayUs: number): void {
    const platform = this.core.platform;
    if (this.options.timeoutUs <= 0 || platform.setTimer === undefined) return;
    this.armed = true;
    this.timer = platform.setTimer(this.fire, delayUs);
  }

  /**
   * Check every sleeping run: on the timer, and after each runner burst (the only check on a platform
   * without timers).
   */
  poll(): void {
    const timeoutUs = this.options.timeoutUs;
    if (this.sleepers === 0 || timeoutUs <= 0) return;
    const now = this.core.platform.now();
    let next = Infinity;
    for (const t of this.core.threadList) {
      if (!t.sleeping) continue;
      const due = t.startUs + timeoutUs;
      if (now >= due) {
        if (!t.reportedStuck) this.stuck(t, now);
      } else if (due < next) {
        next = due;
      }
    }
    if (next !== Infinity && !this.armed) this.arm(next - now);
  }

  private stuck(t: IrqThread, now: number): void {
    t.reportedStuck = true;
    t.stuck++;
    const action = t.active!;
    const desc = action.desc;
    const disable = this.options.action === 'disable';
    this.core.log(
      'error',
      `${t.name}: thread function of "${action.name}" (irq ${desc.irq}) has not finished after ${Math.round((now - t.startUs) / 1000)} ms` +
        (disable ? `; disabling IRQ #${desc.irq} and abandoning the run` : '; still waiting for it'),
    );
    // Only waits for the whole line (synchronizeIrq, disableIrq): a freeIrq waits for its own action, which
    // resolves when the run ends or is abandoned, and may well come from outside the thread.
    const held = (w: SyncWaiter): boolean => w.action === undefined && w.sinceUs >= t.startUs;
    const waiters = desc.syncWaiters;
    if (waiters.some(held)) {
      desc.syncWaiters = waiters.filter((w) => !held(w));
      for (const w of waiters) {
        if (held(w)) {
          w.reject(new IrqError('EDEADLK', `irq ${desc.irq}: waited ${Math.round((now - w.sinceUs) / 1000)} ms for ${t.name}, which is stuck; a thread that waits for its own line waits for itself`, desc.irq));
        }
      }
    }
    if (disable) {
      disableIrqNosync(this.core, desc.irq);
      t.runner.abandon(t);
    }
  }
}
