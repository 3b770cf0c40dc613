/*
 * Waiting for a line to stop running: the kernel's synchronize_irq (kernel/irq/manage.c), the wait that
 * disableIrq, synchronizeIrq and freeIrq end in. Waiters are kept on the descriptor (desc.syncWaiters, undefined
 * while nobody waits: the hot paths test that one field); every
 * place where part of a line stops running (a hardirq, a thread run, a nested child's run, a bus write-out)
 * calls wakeSyncWaiters when someone waits.
 */
import type { IrqAction, IrqDesc, SyncWaiter } from './desc';
import type { IrqError } from './error';

function actionIdle(action: IrqAction): boolean {
  const t = action.thread;
  return t === undefined || (t.active !== action && !action.runthread);
}

function isIdleFor(desc: IrqDesc, action: IrqAction | undefined): boolean {
  if (action === undefined) return desc.idle;
  const secondary = action.secondary;
  return !desc.inProgress && actionIdle(action) && (secondary === undefined || actionIdle(secondary));
}

/** Called when a hardirq or a thread run ends: resolve the waiters whose part of the line is now idle. */
export function wakeSyncWaiters(desc: IrqDesc): void {
  const waiters = desc.syncWaiters;
  if (waiters === undefined) return;
  let kept: SyncWaiter[] | undefined;
  for (const w of waiters) {
    if (isIdleFor(desc, w.action) && desc.busSync === undefined) w.resolve();
    else (kept ??= []).push(w);
  }
  desc.syncWaiters = kept;
}

/**
 * Resolves once no hardirq and no thread of the line runs and no bus write-out is in flight (the kernel's
 * synchronize_irq), or, given an action, once that action's hardirq and thread are done (what freeIrq
 * needs: a busy sharer must not hold up the free of another).
 */
export function waitForIdle(desc: IrqDesc, action?: IrqAction): Promise<void> {
  if (isIdleFor(desc, action) && desc.busSync === undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    (desc.syncWaiters ??= []).push({ action, sinceUs: desc.ctx.platform.now(), resolve, reject });
  });
}

/** Reject the waiters `held` picks (the watchdog: waits a stuck run holds up) with the error `why` gives them. */
export function rejectSyncWaiters(desc: IrqDesc, held: (w: SyncWaiter) => boolean, why: (w: SyncWaiter) => IrqError): void {
  const waiters = desc.syncWaiters;
  if (waiters === undefined || !waiters.some(held)) return;
  const kept = waiters.filter((w) => !held(w));
  desc.syncWaiters = kept.length === 0 ? undefined : kept;
  for (const w of waiters) {
    if (held(w)) w.reject(why(w));
  }
}
