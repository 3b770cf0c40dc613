/*
 * Running the actions of a line in hardirq context: the kernel's kernel/irq/handle.c.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD } from './constants';
import type { IrqAction, IrqDesc } from './desc';
import { describe } from './error';
import { SPURIOUS_DEFERRED, SPURIOUS_DEFERRED_CLAIMED, noteInterrupt } from './spurious';
import { STORM_SAMPLE, noteCpu } from './storm';
import { wakeSyncWaiters } from './sync';
import { irqWakeThreadAction } from './thread';
import { IRQ_TRACE } from './trace';

/**
 * The primary handler a threaded request without one gets (the kernel's irq_default_primary_handler, in
 * manage.c): wake the thread. handleIrqEvent recognises it and does not call it.
 */
export function irqDefaultPrimaryHandler(): typeof IRQ_WAKE_THREAD {
  return IRQ_WAKE_THREAD;
}

/**
 * handle_irq_event and __handle_irq_event_percpu (kernel/irq/handle.c): mark the line in progress, run every
 * action's primary handler, hand IRQ_WAKE_THREAD over to the action's thread, and feed the combined result to
 * the spurious detector (note_interrupt). The default primary handler (a threaded request without one) is
 * recognised and not called: it only returns IRQ_WAKE_THREAD, and a call is the dearest thing on this path.
 *
 * Storm accounting (storm.ts) samples: every STORM_SAMPLE-th event of the line is timed, and its claimed
 * time charged STORM_SAMPLE times over; the others read no clock. With tracing on, the events of a handler
 * share clock readings (`stampUs`): the default handler's entry, exit and wakeup one, a called handler's exit
 * and wakeup one (its entry is read before the call, so its duration is still measured).
 * stormSkip is Infinity with storms off (desc.ts), so one test covers both.
 */
export function handleIrqEvent(desc: IrqDesc, track: boolean): number {
  const ctx = desc.ctx;
  let sampleUs = NaN;
  if (--desc.stormSkip < 0) {
    desc.stormSkip = STORM_SAMPLE - 1;
    sampleUs = ctx.platform.now();
  }
  desc.pending = false;
  desc.inProgress = true;
  // The line is in progress here for this loop, not for the edge flow's inline handler (flow.ts's flowThrew).
  if (desc.calling) desc.calling = undefined;
  // The list is replaced, never edited, on request and free: a handler freeing its own line is safe here.
  const actions = desc.action;
  let retval: number;
  if (actions.length === 1 && ctx.tracer === undefined) {
    // The common line, one action and no tracing, without the loop: this is the hottest code of the layer.
    const action = actions[0];
    const handler = action.handler;
    if (handler === irqDefaultPrimaryHandler) {
      retval = IRQ_WAKE_THREAD;
      if (action.thread !== undefined) irqWakeThreadAction(action, NaN);
      else warnNoThread(desc, action);
    } else {
      let res: unknown;
      try {
        res = handler(desc.irq, action.devId);
      } catch (err) {
        reportHandlerError(desc, action, err);
        res = IRQ_NONE;
      }
      retval = res === IRQ_HANDLED ? IRQ_HANDLED : actionResult(desc, action, res, NaN);
    }
  } else {
    // Every action, with the tracepoints: the loop of __handle_irq_event_percpu.
    const tracer = ctx.tracer;
    retval = IRQ_NONE;
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i];
      const handler = action.handler;
      let res: unknown;
      // NaN: no clock reading yet (the wakeup reads one if tracing or statistics want it).
      let stampUs = NaN;
      if (handler === irqDefaultPrimaryHandler) {
        res = IRQ_WAKE_THREAD;
        if (tracer !== undefined) {
          stampUs = ctx.platform.now();
          tracer.hardirq(desc.irq, action.traceId, 0, 0, stampUs);
        }
      } else {
        if (tracer !== undefined) tracer.record(IRQ_TRACE.HANDLER_ENTRY, desc.irq, action.traceId);
        try {
          res = handler(desc.irq, action.devId);
        } catch (err) {
          if (tracer !== undefined) tracer.record(IRQ_TRACE.HANDLER_EXIT, desc.irq, -1);
          reportHandlerError(desc, action, err);
          continue;
        }
        if (tracer !== undefined) {
          stampUs = ctx.platform.now();
          tracer.recordAt(IRQ_TRACE.HANDLER_EXIT, desc.irq, typeof res === 'number' ? res : -1, stampUs);
        }
      }
      // actionResult written out: with tracing on, a call per action costs more than the tracepoints save.
      if (res === IRQ_WAKE_THREAD) {
        if (action.thread === undefined) warnNoThread(desc, action);
        else irqWakeThreadAction(action, stampUs);
      } else if (res !== IRQ_NONE && res !== IRQ_HANDLED) {
        reportBadReturn(desc, action, res);
        continue;
      }
      retval |= res as number;
    }
  }
  desc.inProgress = false;
  // Unclaimed interrupts are left to the spurious detector, which polling would only slow down.
  if (sampleUs === sampleUs && retval !== IRQ_NONE) {
    const now = ctx.platform.now();
    noteCpu(desc, (now - sampleUs) * STORM_SAMPLE, now, ctx.storm!);
  }
  // note_interrupt has nothing to do for a claimed interrupt while no spurious window is open (spurious.ts);
  // nor for a threaded one whose threads claimed an interrupt since the last hardirq (its deferred check,
  // here written out: the judgment "handled" clears the claim and keeps the mark).
  if (track && (retval !== IRQ_HANDLED || desc.unhandled !== 0)) {
    if (retval === IRQ_WAKE_THREAD && desc.spuriousThreads === SPURIOUS_DEFERRED_CLAIMED) desc.spuriousThreads = SPURIOUS_DEFERRED;
    else noteInterrupt(desc, retval);
  }
  if (desc.syncWaiters) wakeSyncWaiters(desc);
  return retval;
}

/**
 * The end of a flow's inline event (flow.ts's handleEdgeIrq) whose handler did not simply claim the interrupt,
 * or found a spurious window open or a sync waiter: what handleIrqEvent does after a single action's handler.
 * The line is still marked in progress.
 */
export function finishEvent(desc: IrqDesc, action: IrqAction, res: unknown): void {
  // Out of progress first: whatever fails below is not the handler's (flow.ts's flowThrew). Nothing between
  // could see the difference: the wakeup only queues the thread.
  desc.inProgress = false;
  const retval = res === IRQ_HANDLED ? IRQ_HANDLED : actionResult(desc, action, res, NaN);
  if (retval !== IRQ_HANDLED || desc.unhandled !== 0) noteInterrupt(desc, retval);
  if (desc.syncWaiters) wakeSyncWaiters(desc);
}

/**
 * What an action's primary result adds to the line's: IRQ_WAKE_THREAD wakes its thread (`stampUs`: the clock
 * reading the wakeup may share, NaN for none), a bogus value is reported and counts as IRQ_NONE.
 */
function actionResult(desc: IrqDesc, action: IrqAction, res: unknown, stampUs: number): number {
  if (res === IRQ_WAKE_THREAD) {
    if (action.thread === undefined) warnNoThread(desc, action);
    else irqWakeThreadAction(action, stampUs);
    return IRQ_WAKE_THREAD;
  }
  if (res === IRQ_NONE || res === IRQ_HANDLED) return res;
  reportBadReturn(desc, action, res);
  return IRQ_NONE;
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

export function reportHandlerError(desc: IrqDesc, action: IrqAction, err: unknown): void {
  if (firstFault(desc, action)) desc.ctx.log('error', `irq ${desc.irq}: handler of "${action.name}" threw: ${describe(err)}`);
}

function reportBadReturn(desc: IrqDesc, action: IrqAction, res: unknown): void {
  if (!firstFault(desc, action)) return;
  const thenable = typeof res === 'object' && res !== null && typeof (res as { then?: unknown }).then === 'function';
  desc.ctx.log(
    'error',
    thenable
      ? `irq ${desc.irq}: handler of "${action.name}" returned a Promise; primary handlers run in hardirq context and must be synchronous (move the slow part to a threadFn)`
      : `irq ${desc.irq}: handler of "${action.name}" returned bogus value ${String(res)} (expected IRQ_NONE, IRQ_HANDLED or IRQ_WAKE_THREAD)`,
  );
}

function warnNoThread(desc: IrqDesc, action: IrqAction): void {
  if (firstFault(desc, action)) desc.ctx.log('warn', `IRQ ${desc.irq} device ${action.name} returned IRQ_WAKE_THREAD but no thread function available.`);
}
