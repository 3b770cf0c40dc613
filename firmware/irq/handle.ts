/*
 * Running the actions of a line in hardirq context: the kernel's kernel/irq/handle.c.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD } from './constants';
import type { IrqAction, IrqDesc } from './desc';
import { describe } from './error';
import { noteInterrupt } from './spurious';
import { IRQ_TRACE } from './trace';
import { irqWakeThreadAction, wakeSyncWaiters } from './thread';

/**
 * handle_irq_event: mark the line in progress, run every action's primary handler, hand IRQ_WAKE_THREAD
 * over to the action's thread, and feed the combined result to the spurious detector.
 */
export function handleIrqEvent(desc: IrqDesc, track = true): number {
  desc.pending = false;
  desc.inProgress = true;
  let retval = IRQ_NONE;
  // The list is replaced, never edited, on request and free: a handler freeing its own line is safe here.
  const actions = desc.action;
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i];
    let res: unknown;
    desc.core.tracer?.record(IRQ_TRACE.HANDLER_ENTRY, desc.irq, action.traceId);
    try {
      res = action.handler(desc.irq, action.devId);
    } catch (err) {
      desc.core.tracer?.record(IRQ_TRACE.HANDLER_EXIT, desc.irq, -1);
      reportHandlerError(desc, action, err);
      continue;
    }
    desc.core.tracer?.record(IRQ_TRACE.HANDLER_EXIT, desc.irq, typeof res === 'number' ? res : -1);
    if (res === IRQ_WAKE_THREAD) {
      if (action.thread === undefined) warnNoThread(desc, action);
      else irqWakeThreadAction(action);
    } else if (res !== IRQ_NONE && res !== IRQ_HANDLED) {
      reportBadReturn(desc, action, res);
      continue;
    }
    retval |= res;
  }
  desc.inProgress = false;
  desc.claimed = retval !== IRQ_NONE;
  if (track) noteInterrupt(desc, retval);
  if (desc.syncWaiters.length !== 0) wakeSyncWaiters(desc);
  return retval;
}

/*
 * A primary handler that throws is the JavaScript form of a faulty handler: it is isolated, counted on the
 * line and reported once per action (a storm must not become a log storm). Its interrupt counts as
 * unhandled, so a handler that always throws on a level line ends up disabled by the spurious detector.
 */
function firstFault(desc: IrqDesc, action: IrqAction): boolean {
  desc.errors++;
  if (action.reported) return false;
  action.reported = true;
  return true;
}

function reportHandlerError(desc: IrqDesc, action: IrqAction, err: unknown): void {
  if (firstFault(desc, action)) desc.core.log('error', `irq ${desc.irq}: handler of "${action.name}" threw: ${describe(err)}`);
}

function reportBadReturn(desc: IrqDesc, action: IrqAction, res: unknown): void {
  if (!firstFault(desc, action)) return;
  const thenable = typeof res === 'object' && res !== null && typeof (res as { then?: unknown }).then === 'function';
  desc.core.log(
    'error',
    thenable
      ? `irq ${desc.irq}: handler of "${action.name}" returned a Promise; primary handlers run in hardirq context and must be synchronous (move the slow part to a threadFn)`
      : `irq ${desc.irq}: handler of "${action.name}" returned bogus value ${String(res)} (expected IRQ_NONE, IRQ_HANDLED or IRQ_WAKE_THREAD)`,
  );
}

function warnNoThread(desc: IrqDesc, action: IrqAction): void {
  if (firstFault(desc, action)) desc.core.log('warn', `IRQ ${desc.irq} device ${action.name} returned IRQ_WAKE_THREAD but no thread function available.`);
}
