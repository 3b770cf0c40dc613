/*
 * The flow handlers: the kernel's handle_level_irq, handle_edge_irq, handle_simple_irq, handle_untracked_irq,
 * handle_fasteoi_irq, handle_bad_irq and handle_nested_irq (kernel/irq/chip.c). A flow does the chip's part of
 * an interrupt (mask, ack, EOI: chip.ts) around handleIrqEvent (handle.ts), which runs the actions.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQCHIP_EOI_IF_HANDLED, IRQCHIP_EOI_THREADED, type IrqReturn } from './constants';
import type { IrqAction, IrqDesc } from './desc';
import { IrqError, describe } from './error';
import { irqMayUnmask, maskAckIrq, maskIrq, unmaskIrq } from './chip';
import { finishEvent, handleIrqEvent, reportHandlerError } from './handle';
import { SPURIOUS_DEFERRED, SPURIOUS_DEFERRED_CLAIMED, noteInterrupt } from './spurious';
import { STORM_SAMPLE, noteCpu } from './storm';
import { wakeSyncWaiters } from './sync';
import type { IrqThread } from './thread';
import { IRQ_TRACE, TRACE_HARDIRQ_MASKED } from './trace';

/**
 * irq_may_run plus irq_can_handle_actions (kernel/irq/chip.c): may the flow run the handlers now? An arrival
 * that cannot be handled (handler already running, line disabled, no action) is counted in `deferred` so no
 * event goes unseen; `pending` is set where the kernel sets IRQS_PENDING. The level and edge flows carry it
 * inline (their hot path), the others call it.
 */
function irqCanHandle(desc: IrqDesc, pendingWhileInProgress: boolean): boolean {
  if (desc.inProgress) {
    desc.deferred++;
    if (pendingWhileInProgress) markPending(desc);
    return false;
  }
  desc.replay = false;
  if (desc.disabled || desc.action.length === 0) {
    markPending(desc);
    desc.deferred++;
    return false;
  }
  return true;
}

/** IRQS_PENDING is one bit: an arrival that finds it set is merged into the one replay, and counted. */
function markPending(desc: IrqDesc): void {
  if (desc.pending) desc.merged++;
  desc.pending = true;
}

/**
 * handle_level_irq (kernel/irq/chip.c): mask and ack (mask_ack_irq), run the handlers, and unmask unless
 * irqMayUnmask says no (cond_unmask_irq: disabled, a oneshot thread still holds it, polled). A level arriving
 * while the handler runs needs no pending mark: the level is still there after the unmask.
 */
export function handleLevelIrq(desc: IrqDesc): void {
  const data = desc.irqData;
  const chip = data.chip;
  // Read once for the mask's tracepoint and the fast path's. (Objects are tested by truthiness on the fast
  // paths: on XS one bytecode fewer than `!== undefined`.)
  const tracer = desc.ctx.tracer;
  /** TRACE_HARDIRQ_MASKED when this hardirq masked the line (set without a test of tracer: cheaper): the trace's MASK. */
  let traceMask = 0;
  if (chip) {
    if (chip.irqMaskAck) {
      chip.irqMaskAck(data);
      desc.masked = true;
    } else {
      if (!desc.masked && chip.irqMask) {
        chip.irqMask(data);
        desc.masked = true;
        traceMask = TRACE_HARDIRQ_MASKED;
      }
      if (chip.irqAck) chip.irqAck(data);
    }
  }
  // handleIrqEvent's common threaded event written out, as a call is the dearest thing here (the edge flow
  // does the same for a primary handler): one action whose primary is the default one (onlyWake: it only
  // wakes the thread, so no driver code runs and the in-progress mark would be set and cleared with nothing
  // between), the line free to run it and in interrupt mode (unmaskHold 0: enabled, not polled, an action;
  // not in progress). Storm accounting samples as handleIrqEvent's, on the same countdown: a sampled event
  // reads the clock before the wakeup and after it, and charges the difference STORM_SAMPLE times over. The
  // sample is written out here too: sent through handleIrqEvent, the one sampled event in STORM_SAMPLE cost
  // more than the countdown of all the others. The result is IRQ_WAKE_THREAD, fed to the spurious detector as
  // handleIrqEvent does (its deferred check for threaded results, inline). Flags are tested before they are
  // cleared: a read costs less than a write.
  const action = desc.onlyWake;
  if (action && !desc.unmaskHold && !desc.inProgress) {
    let sampleUs = NaN;
    if (--desc.stormSkip < 0) {
      desc.stormSkip = STORM_SAMPLE - 1;
      sampleUs = desc.ctx.platform.now();
    }
    if (desc.replay) desc.replay = false;
    if (desc.pending) desc.pending = false;
    desc.count++;
    // irqWakeThreadAction written out (a call with its arguments costs about as much as the wakeup itself);
    // same steps, same order. Tracing and statistics come after the wakeup, at one clock reading: the time the
    // run's wait starts, and the hardirq (mask, handler entry and exit, wakeup) left pending in the tracer.
    // That is the tracer's pending* fields written here, not a call (trace.ts: the record that follows carries
    // it; another hardirq still pending is written first, in its place).
    const t = action.thread!;
    if (t.exited || action.runthread) {
      // A thread that has exited takes no work; a wakeup while its run is due is merged into it, and counted.
      if (!t.exited) t.coalesced++;
      if (tracer) tracer.hardirq(desc.irq, action.traceId, 0, traceMask, desc.ctx.platform.now());
    } else {
      action.runthread = true;
      desc.threadsOneshot |= action.threadMask;
      if (!t.sole) {
        const last = t.lastWork;
        if (last) last.nextWork = action;
        else t.work = action;
        t.lastWork = action;
      }
      if (!t.active && !t.queued) t.runner.enqueue(t);
      if (tracer || desc.stats) {
        const now = desc.ctx.platform.now();
        if (desc.stats) {
          // Woken during its own run's synchronous part: that run's start latencies first (stats.ts).
          if (t.active === action && !t.sleeping) desc.stats.started(action, t.startUs);
          action.wokenUs = now;
          action.edgeUs = desc.edgeUs;
        }
        // No record of its own: the hardirq waits in the tracer for its run's record to carry it.
        if (tracer) {
          if (tracer.pending) tracer.flush();
          tracer.pending = action;
          tracer.pendingUs = now;
          tracer.pendingMasked = traceMask;
        }
      }
    }
    if (sampleUs === sampleUs) {
      const now = desc.ctx.platform.now();
      noteCpu(desc, (now - sampleUs) * STORM_SAMPLE, now, desc.ctx.storm!);
    }
    // noteInterrupt's common case inline: a thread claimed an interrupt since the last judgment, no window open
    // (one value: spurious.ts).
    if (desc.spuriousThreads === SPURIOUS_DEFERRED_CLAIMED) desc.spuriousThreads = SPURIOUS_DEFERRED;
    else noteInterrupt(desc, IRQ_WAKE_THREAD);
    if (desc.syncWaiters) wakeSyncWaiters(desc);
  } else {
    if (traceMask && tracer) tracer.record(IRQ_TRACE.MASK, desc.irq, 0);
    if (desc.inProgress) {
      desc.deferred++;
      return;
    }
    desc.replay = false;
    if (desc.disabled || desc.action.length === 0) {
      markPending(desc);
      desc.deferred++;
      return;
    }
    desc.count++;
    handleIrqEvent(desc, true);
  }
  // A oneshot thread woken just now holds the line (the common threaded case, tested first): no need to ask
  // irqMayUnmask.
  if (!desc.threadsOneshot && desc.masked && irqMayUnmask(desc)) unmaskIrq(desc);
}

/**
 * handle_edge_irq (kernel/irq/chip.c): ack, run the handlers, and loop while another edge arrived meanwhile
 * (pending), so no edge is lost. An edge while disabled or in progress is masked and marked pending for replay.
 */
export function handleEdgeIrq(desc: IrqDesc): void {
  const data = desc.irqData;
  const chip = data.chip;
  // handleIrqEvent's common event written out, as a call is the dearest thing here: one action with a
  // primary handler of its own (onlyCall), the line free to run it and in interrupt mode (unmaskHold 0:
  // enabled, not polled, an action; not in progress), no edge pending (its replay unmasks the line first:
  // the general path below), no tracing, no storm sample due (the countdown decremented by the test, last,
  // as in handleLevelIrq). Tested first, so a line that passes pays for no other test. (Objects are tested by
  // truthiness on the fast paths: on XS one bytecode fewer than `!== undefined`.)
  //
  // The handler is called without a try of its own: a try costs XS about as much as the rest of this path's
  // bookkeeping, and genericHandleIrq's, entered once per interrupt anyway, catches the throw. desc.calling
  // tells flowThrew (below) that it was this handler, which then isolates it as handleIrqEvent would.
  // (Deliberately unlike handleIrqEvent, which keeps its try: it runs several actions in a loop.)
  const action = desc.onlyCall;
  if (action && !desc.unmaskHold && !desc.inProgress && !desc.pending && !desc.ctx.tracer && --desc.stormSkip >= 0) {
    if (desc.replay) desc.replay = false;
    desc.count++;
    if (chip && chip.irqAck) chip.irqAck(data);
    const handler = action.handler;
    desc.inProgress = true;
    desc.calling = action;
    const res: unknown = handler(desc.irq, action.devId);
    // Claimed, no spurious window open, nobody waiting: nothing left but the flag.
    if (res === IRQ_HANDLED && !desc.unhandled && !desc.syncWaiters) desc.inProgress = false;
    else finishEvent(desc, action, res);
  } else {
    if (desc.inProgress || desc.disabled || desc.action.length === 0) {
      irqCanHandle(desc, true);
      maskAckIrq(desc);
      return;
    }
    desc.replay = false;
    desc.count++;
    if (chip !== undefined && chip.irqAck !== undefined) chip.irqAck(data);
    // An edge that arrived while we were handling the last one masked the line: let it through again.
    if (desc.pending && desc.masked && irqMayUnmask(desc)) unmaskIrq(desc);
    handleIrqEvent(desc, true);
  }
  // An edge that arrived meanwhile (its test here, so the common interrupt pays no call).
  if (desc.pending) replayEdges(desc);
}

/** The end of handleEdgeIrq: handle the edges that arrived while the last one was handled, until none is left. */
function replayEdges(desc: IrqDesc): void {
  while (desc.pending && !desc.disabled) {
    if (desc.action.length === 0) {
      maskIrq(desc);
      return;
    }
    if (desc.masked && irqMayUnmask(desc)) unmaskIrq(desc);
    handleIrqEvent(desc, true);
  }
}

/**
 * A flow threw (genericHandleIrq's catch, and the resend job's). If it was the edge flow's fast path handler
 * (desc.calling, with the line in progress: nothing else runs then), the handler is isolated as handleIrqEvent
 * isolates one: reported once per action, counted, its interrupt unhandled for the spurious detector; then the
 * flow goes on with the edges that arrived meanwhile. Anything else is a chip operation failing in hardirq
 * context: isolated like a faulty handler, logged once per line (a chip that fails on every interrupt of a
 * storm must not become a log storm).
 */
export function flowThrew(desc: IrqDesc, err: unknown): void {
  const action = desc.calling;
  if (action && desc.inProgress) {
    desc.calling = undefined;
    try {
      reportHandlerError(desc, action, err);
      finishEvent(desc, action, IRQ_NONE);
      replayEdges(desc);
      return;
    } catch (again) {
      err = again;
    }
  }
  desc.errors++;
  if (!desc.flowFaultReported) {
    desc.ctx.log('error', `irq ${desc.irq}: flow handler failed: ${err instanceof Error ? err.message : String(err)} (further failures of this line are only counted)`);
  }
  desc.flowFaultReported = true;
}

/** handle_simple_irq: no flow control at all (demultiplexed children whose parent does the acking). */
export function handleSimpleIrq(desc: IrqDesc): void {
  if (!irqCanHandle(desc, true)) return;
  desc.count++;
  handleIrqEvent(desc, true);
}

/** handle_untracked_irq: like handleSimpleIrq, but the handlers' results feed no spurious detection. */
export function handleUntrackedIrq(desc: IrqDesc): void {
  if (!irqCanHandle(desc, true)) return;
  desc.count++;
  handleIrqEvent(desc, false);
}

/**
 * handle_fasteoi_irq: controllers with an end-of-interrupt operation: handle, then EOI (after the threads
 * on EOI_THREADED chips, when a oneshot thread keeps the line masked).
 */
export function handleFasteoiIrq(desc: IrqDesc): void {
  const chip = desc.irqData.chip;
  if (!irqCanHandle(desc, false)) {
    if (!desc.inProgress) maskIrq(desc);
    if (chip && !((chip.flags ?? 0) & IRQCHIP_EOI_IF_HANDLED)) chip.irqEoi?.(desc.irqData);
    return;
  }
  desc.count++;
  if (desc.oneshot) maskIrq(desc);
  handleIrqEvent(desc, true);
  if (!desc.oneshot) {
    chip?.irqEoi?.(desc.irqData);
    return;
  }
  if (desc.masked && irqMayUnmask(desc)) {
    chip?.irqEoi?.(desc.irqData);
    unmaskIrq(desc);
  } else if (chip && !((chip.flags ?? 0) & IRQCHIP_EOI_THREADED)) {
    chip.irqEoi?.(desc.irqData);
  }
}

/** The flow of a line nobody set up: count it where /proc/interrupts shows it (ERR) and warn once. */
export function handleBadIrq(desc: IrqDesc): void {
  desc.ctx.noteBadIrq(desc.irq, 'no flow handler set');
}

/**
 * handle_nested_irq: run a nested child's threadFns inside the calling (parent) thread, one after the other
 * as the kernel does, awaiting each one that returns a promise. The result is the children's combined
 * irqreturn, synchronously when every threadFn was synchronous, else as a promise. A child that is disabled
 * or has no action is marked pending and counted in `deferred`, as the kernel marks IRQS_PENDING. `owner`:
 * the thread whose run calls it (the registry's current thread), undefined from the resend job.
 */
export function handleNestedIrq(desc: IrqDesc, owner: IrqThread | undefined): IrqReturn | Promise<IrqReturn> {
  if (!desc.nestedThread) {
    throw new IrqError('EINVAL', `irq ${desc.irq}: handleNestedIrq on a line that is not nested (call irqSetNestedThread first)`, desc.irq);
  }
  desc.replay = false;
  if (desc.action.length === 0 || desc.disabled) {
    markPending(desc);
    desc.deferred++;
    return IRQ_NONE;
  }
  desc.count++;
  desc.nestedRuns++;
  desc.nestedOwner = owner;
  return runNestedActions(desc, desc.action, 0, IRQ_NONE);
}

function runNestedActions(desc: IrqDesc, actions: readonly IrqAction[], from: number, ret: number): IrqReturn | Promise<IrqReturn> {
  for (let i = from; i < actions.length; i++) {
    const action = actions[i];
    let res: unknown;
    try {
      res = action.threadFn!(desc.irq, action.devId);
    } catch (err) {
      nestedFailed(desc, action, err);
      continue;
    }
    if (typeof res === 'object' && res !== null && typeof (res as PromiseLike<unknown>).then === 'function') {
      return Promise.resolve(res).then(
        (r) => runNestedActions(desc, actions, i + 1, ret | nestedResult(desc, action, r)),
        (err: unknown) => {
          nestedFailed(desc, action, err);
          return runNestedActions(desc, actions, i + 1, ret);
        },
      );
    }
    ret |= nestedResult(desc, action, res);
  }
  desc.nestedOwner = undefined;
  desc.nestedRuns--;
  noteInterrupt(desc, ret);
  if (desc.syncWaiters) wakeSyncWaiters(desc);
  return ret;
}

function nestedResult(desc: IrqDesc, action: IrqAction, res: unknown): number {
  if (res === IRQ_HANDLED || res === IRQ_NONE) return res;
  desc.errors++;
  if (!action.bogusReported) {
    action.bogusReported = true;
    desc.ctx.log('error', `irq ${desc.irq}: nested thread function of "${action.name}" returned bogus value ${String(res)} (expected IRQ_NONE or IRQ_HANDLED)`);
  }
  return IRQ_NONE;
}

/** Fault isolation inside the parent's thread: the child's failure is logged and counted, the parent goes on. */
function nestedFailed(desc: IrqDesc, action: IrqAction, err: unknown): void {
  desc.errors++;
  const owner = desc.nestedOwner;
  desc.ctx.log('error', `${owner ? `${owner.name}: ` : ''}nested irq ${desc.irq}: thread function of "${action.name}" failed: ${describe(err)}`);
}
