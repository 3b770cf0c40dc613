/*
 * Chip state changes and the flow handlers: the kernel's kernel/irq/chip.c.
 *
 * The desc's `masked` / `disabled` flags mirror what the core asked of the chip, so an operation is only
 * called when the state changes (mask_irq and unmask_irq in the kernel do the same).
 */
import { IRQ_HANDLED, IRQ_NONE, IRQCHIP_EOI_IF_HANDLED, IRQCHIP_EOI_THREADED, type IrqReturn } from './constants';
import type { IrqAction, IrqDesc } from './desc';
import { IrqError, describe } from './error';
import { handleIrqEvent } from './handle';
import { checkIrqResend } from './resend';
import { noteInterrupt } from './spurious';
import { wakeSyncWaiters } from './thread';
import { IRQ_TRACE } from './trace';
import type { IrqChip, IrqData, IrqFlowHandler } from './types';

export function maskIrq(desc: IrqDesc): void {
  if (desc.masked) return;
  const chip = desc.irqData.chip;
  if (chip?.irqMask) {
    chip.irqMask(desc.irqData);
    desc.masked = true;
    desc.core.tracer?.record(IRQ_TRACE.MASK, desc.irq, 0);
  }
}

export function unmaskIrq(desc: IrqDesc): void {
  if (!desc.masked) return;
  const chip = desc.irqData.chip;
  if (chip?.irqUnmask) {
    chip.irqUnmask(desc.irqData);
    desc.masked = false;
    desc.core.tracer?.record(IRQ_TRACE.UNMASK, desc.irq, 0);
  }
}

/** Unmask at the end of a oneshot thread; EOI first on chips that defer it to the thread (the thread's hot path). */
export function unmaskThreadedIrq(desc: IrqDesc): void {
  const data = desc.irqData;
  const chip = data.chip;
  if (!desc.masked || chip === undefined) return;
  if (chip.flags !== undefined && (chip.flags & IRQCHIP_EOI_THREADED) !== 0) chip.irqEoi?.(data);
  if (chip.irqUnmask !== undefined) {
    chip.irqUnmask(data);
    desc.masked = false;
    const tracer = desc.core.tracer;
    if (tracer !== undefined) tracer.record(IRQ_TRACE.UNMASK, desc.irq, 0);
  }
}

export function maskAckIrq(desc: IrqDesc): void {
  const chip = desc.irqData.chip;
  if (!chip) return;
  if (chip.irqMaskAck) {
    chip.irqMaskAck(desc.irqData);
    desc.masked = true;
  } else {
    maskIrq(desc);
    chip.irqAck?.(desc.irqData);
  }
}

/**
 * The one rule for "may this line be unmasked now", asked everywhere a line is let through again (irq_enable,
 * the flows' cond_unmask_irq and the edge flow's replay, irq_finalize_oneshot, the storm poll): not disabled,
 * no oneshot thread woken for it still running (the last one's irq_finalize_oneshot unmasks it), not polled
 * (only its poll timer lets an interrupt in: `by` 'poll'), and with an action to handle what it lets in, but
 * for irq_enable (`by` 'enable'), which starts a line before any request (and a chained parent, which never
 * has one) as the kernel does: a line whose last action was freed while its thread still ran stays masked.
 * The kernel asks the first two in kernel/irq/chip.c (cond_unmask_irq) and manage.c (irq_finalize_oneshot),
 * but unmasks in irq_enable regardless, which lets a level line fire again under its own thread; polling is
 * ours (storm.ts).
 */
export function irqMayUnmask(desc: IrqDesc, by?: 'enable' | 'poll'): boolean {
  return !desc.disabled && desc.threadsOneshot === 0 && (!desc.polled || by === 'poll') &&
    (desc.action.length !== 0 || by === 'enable');
}

/**
 * irq_enable: clear the disabled state and let the line through if irqMayUnmask says it may; otherwise it
 * stays masked until the thread that holds it (irqFinalizeOneshot) or the next poll unmasks it.
 */
export function irqEnable(desc: IrqDesc): void {
  if (!desc.disabled) {
    if (desc.masked && irqMayUnmask(desc, 'enable')) unmaskIrq(desc);
    return;
  }
  desc.disabled = false;
  const hold = !irqMayUnmask(desc, 'enable');
  const chip = desc.irqData.chip;
  if (chip?.irqEnable) {
    chip.irqEnable(desc.irqData);
    desc.masked = false;
    if (hold) maskIrq(desc);
  } else if (!hold) {
    unmaskIrq(desc);
  }
}

/**
 * __irq_disable. Without `mask` this is the lazy disable: the line is only marked disabled, and the flow
 * masks it if it fires (a chip with irqDisable is disabled at once, as in the kernel).
 */
export function irqDisable(desc: IrqDesc, mask = false): void {
  if (desc.disabled) {
    if (mask) maskIrq(desc);
    return;
  }
  desc.disabled = true;
  const chip = desc.irqData.chip;
  if (chip?.irqDisable) {
    chip.irqDisable(desc.irqData);
    desc.masked = true;
  } else if (mask) {
    maskIrq(desc);
  }
}

/** irq_startup: depth 0, chip started (or enabled), and a pending edge replayed when `resend`. */
export function irqStartup(desc: IrqDesc, resend: boolean): void {
  desc.depth = 0;
  if (desc.started) {
    irqEnable(desc);
  } else {
    const chip = desc.irqData.chip;
    if (chip?.irqStartup) {
      chip.irqStartup(desc.irqData);
      desc.disabled = false;
      desc.masked = false;
    } else {
      irqEnable(desc);
    }
    // Only once the chip has accepted: a startup that throws leaves the line to be started afresh.
    desc.started = true;
  }
  if (resend) checkIrqResend(desc);
}

/**
 * irq_shutdown. Depth stays at least 1, so a line freed while disabled is still disabled, and the next
 * request (irqStartup) starts it again at 0 (kernel/irq/irq_test.c, irq_free_disabled_test).
 */
export function irqShutdown(desc: IrqDesc): void {
  if (!desc.started) return;
  desc.resendQueued = false;
  desc.depth = Math.max(desc.depth, 1);
  const chip = desc.irqData.chip;
  if (chip?.irqShutdown) {
    chip.irqShutdown(desc.irqData);
    desc.disabled = true;
    desc.masked = true;
  } else {
    irqDisable(desc, true);
  }
  desc.started = false;
}

export function chipBusLock(desc: IrqDesc): void {
  desc.irqData.chip?.irqBusLock?.(desc.irqData);
}

export function chipBusSyncUnlock(desc: IrqDesc): void {
  const pending = desc.irqData.chip?.irqBusSyncUnlock?.(desc.irqData);
  if (pending !== undefined && typeof pending.then === 'function') trackBusSync(desc, pending);
}

/**
 * chip_bus_lock ... chip_bus_sync_unlock around a slow-path change of the line (request, free, type, wake,
 * enable, disable, affinity): a slow-bus chip collects the changes in between and writes them out at the
 * unlock, which runs even when `change` throws. Not for the hot path: it takes a closure.
 */
export function withBusLock<T>(desc: IrqDesc, change: () => T): T {
  chipBusLock(desc);
  try {
    return change();
  } finally {
    chipBusSyncUnlock(desc);
  }
}

/** Keep the latest bus write-out of the line (chained after earlier ones) so waits on the line include it. */
function trackBusSync(desc: IrqDesc, pending: Promise<void>): void {
  const before = desc.busSync;
  const chained: Promise<void> = (before === undefined ? pending : before.then(() => pending)).then(
    () => {},
    (err: unknown) => {
      desc.errors++;
      desc.core.log('error', `irq ${desc.irq}: ${desc.chipName ?? 'chip'}.irqBusSyncUnlock failed: ${describe(err)}`);
    },
  ).then(() => {
    if (desc.busSync !== chained) return;
    desc.busSync = undefined;
    if (desc.syncWaiters.length !== 0) wakeSyncWaiters(desc);
  });
  desc.busSync = chained;
}

/** Let a chip switch the flow when its trigger type changes (edge to level), as irq_set_handler_locked. */
export function irqSetHandlerLocked(data: IrqData, flow: IrqFlowHandler): void {
  irqSetFlow(data.desc, flow);
}

/** Install the line's flow; a polled line keeps storm.ts's wrapper in handleIrq, which runs the new flow. */
export function irqSetFlow(desc: IrqDesc, flow: IrqFlowHandler): void {
  if (desc.polledFlow !== undefined) desc.polledFlow = flow;
  else desc.handleIrq = flow;
}

export function irqDescGetChip(desc: IrqDesc): IrqChip | undefined {
  return desc.irqData.chip;
}

export function irqDescGetHandlerData<T = unknown>(desc: IrqDesc): T {
  return desc.handlerData as T;
}

export function irqDataGetChipData<T = unknown>(data: IrqData): T {
  return data.chipData as T;
}

/**
 * Entry of a chained (demultiplexing) handler: silence the parent while its children are dispatched.
 * The parent line's count is kept here, since no flow handler runs for it.
 */
export function chainedIrqEnter(chip: IrqChip, desc: IrqDesc): void {
  desc.count++;
  if (chip.irqEoi) return;
  if (chip.irqMaskAck) {
    chip.irqMaskAck(desc.irqData);
  } else {
    chip.irqMask?.(desc.irqData);
    chip.irqAck?.(desc.irqData);
  }
}

export function chainedIrqExit(chip: IrqChip, desc: IrqDesc): void {
  if (chip.irqEoi) chip.irqEoi(desc.irqData);
  else chip.irqUnmask?.(desc.irqData);
}

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
  if (chip !== undefined) {
    if (chip.irqMaskAck !== undefined) {
      chip.irqMaskAck(data);
      desc.masked = true;
    } else {
      if (!desc.masked && chip.irqMask !== undefined) {
        chip.irqMask(data);
        desc.masked = true;
        const tracer = desc.core.tracer;
        if (tracer !== undefined) tracer.record(IRQ_TRACE.MASK, desc.irq, 0);
      }
      if (chip.irqAck !== undefined) chip.irqAck(data);
    }
  }
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
  if (desc.masked && irqMayUnmask(desc)) unmaskIrq(desc);
}

/**
 * handle_edge_irq (kernel/irq/chip.c): ack, run the handlers, and loop while another edge arrived meanwhile
 * (pending), so no edge is lost. An edge while disabled or in progress is masked and marked pending for replay.
 */
export function handleEdgeIrq(desc: IrqDesc): void {
  const data = desc.irqData;
  const chip = data.chip;
  if (desc.inProgress || desc.disabled || desc.action.length === 0) {
    irqCanHandle(desc, true);
    maskAckIrq(desc);
    return;
  }
  desc.replay = false;
  desc.count++;
  if (chip !== undefined && chip.irqAck !== undefined) chip.irqAck(data);
  do {
    if (desc.action.length === 0) {
      maskIrq(desc);
      return;
    }
    // An edge that arrived while we were handling the last one masked the line: let it through again.
    if (desc.pending && desc.masked && irqMayUnmask(desc)) unmaskIrq(desc);
    handleIrqEvent(desc, true);
  } while (desc.pending && !desc.disabled);
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
  desc.core.noteBadIrq(desc.irq, 'no flow handler set');
}

/**
 * handle_nested_irq: run a nested child's threadFns inside the calling (parent) thread, one after the other
 * as the kernel does, awaiting each one that returns a promise. The result is the children's combined
 * irqreturn, synchronously when every threadFn was synchronous, else as a promise. A child that is disabled
 * or has no action is marked pending and counted in `deferred`, as the kernel marks IRQS_PENDING.
 */
export function handleNestedIrq(desc: IrqDesc): IrqReturn | Promise<IrqReturn> {
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
  desc.threadsActive++;
  const owner = desc.core.currentThread;
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
  desc.threadsActive--;
  noteInterrupt(desc, ret);
  if (desc.syncWaiters.length !== 0) wakeSyncWaiters(desc);
  return ret;
}

function nestedResult(desc: IrqDesc, action: IrqAction, res: unknown): number {
  if (res === IRQ_HANDLED || res === IRQ_NONE) return res;
  desc.errors++;
  if (!action.bogusReported) {
    action.bogusReported = true;
    desc.core.log('error', `irq ${desc.irq}: nested thread function of "${action.name}" returned bogus value ${String(res)} (expected IRQ_NONE or IRQ_HANDLED)`);
  }
  return IRQ_NONE;
}

/** Fault isolation inside the parent's thread: the child's failure is logged and counted, the parent goes on. */
function nestedFailed(desc: IrqDesc, action: IrqAction, err: unknown): void {
  desc.errors++;
  const owner = desc.nestedOwner;
  desc.core.log('error', `${owner ? `${owner.name}: ` : ''}nested irq ${desc.irq}: thread function of "${action.name}" failed: ${describe(err)}`);
}
