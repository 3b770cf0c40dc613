/*
 * Chip state changes: the chip operations of the kernel's kernel/irq/chip.c (mask, unmask, enable, disable,
 * startup, shutdown, the bus lock). The flow handlers of chip.c are in flow.ts.
 *
 * The desc's `masked` / `disabled` flags mirror what the core asked of the chip, so an operation is only
 * called when the state changes (mask_irq and unmask_irq in the kernel do the same).
 */
import { IRQCHIP_EOI_THREADED } from './constants';
import { type IrqDesc, UNMASK_HOLD_NO_ACTION, UNMASK_HOLD_POLLED } from './desc';
import { describe } from './error';
import { wakeSyncWaiters } from './sync';
import { IRQ_TRACE } from './trace';
import type { IrqChip, IrqData, IrqFlowHandler } from './types';

export function maskIrq(desc: IrqDesc): void {
  if (desc.masked) return;
  const chip = desc.irqData.chip;
  if (chip?.irqMask) {
    chip.irqMask(desc.irqData);
    desc.masked = true;
    desc.ctx.tracer?.record(IRQ_TRACE.MASK, desc.irq, 0);
  }
}

export function unmaskIrq(desc: IrqDesc): void {
  if (!desc.masked) return;
  const chip = desc.irqData.chip;
  if (chip?.irqUnmask) {
    chip.irqUnmask(desc.irqData);
    desc.masked = false;
    desc.ctx.tracer?.record(IRQ_TRACE.UNMASK, desc.irq, 0);
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
    const tracer = desc.ctx.tracer;
    if (tracer !== undefined) tracer.record(IRQ_TRACE.UNMASK, desc.irq, 0);
  }
}

/**
 * The chip itself if irq_finalize_oneshot on it is only its irqUnmask: frozen (no bus lock or flag can be
 * added later), no bus lock (chip_bus_lock calls nothing), no IRQCHIP_EOI_THREADED (no EOI before the unmask),
 * and an irqUnmask. Else undefined: the runner then takes the general path (desc.plainChip).
 */
export function plainUnmaskChip(chip: IrqChip): IrqChip | undefined {
  if (!Object.isFrozen(chip) || chip.irqBusLock !== undefined || chip.irqBusSyncUnlock !== undefined) return undefined;
  if (chip.flags !== undefined && (chip.flags & IRQCHIP_EOI_THREADED) !== 0) return undefined;
  return typeof chip.irqUnmask === 'function' ? chip : undefined;
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
  // Disabled, polled and no action are the bits of desc.unmaskHold (desc.ts); `by` waives one of them.
  const hold = by === undefined ? desc.unmaskHold : desc.unmaskHold & ~(by === 'poll' ? UNMASK_HOLD_POLLED : UNMASK_HOLD_NO_ACTION);
  return hold === 0 && desc.threadsOneshot === 0;
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

/**
 * irq_startup: depth 0, chip started (or enabled). The kernel's ends in check_irq_resend; here its callers
 * call checkIrqResend (resend.ts) after it, so the chip operations need nothing of the flows.
 */
export function irqStartup(desc: IrqDesc): void {
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

/**
 * __disable_irq under the bus lock (disable_irq_nosync): one more disable; the first disables the line, lazily
 * (irqDisable). What manage.ts's disableIrqNosync, a thread that keeps failing and the watchdog do.
 */
export function disableIrqDesc(desc: IrqDesc): void {
  withBusLock(desc, () => {
    if (desc.depth++ === 0) irqDisable(desc);
  });
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
      desc.ctx.log('error', `irq ${desc.irq}: ${desc.chipName ?? 'chip'}.irqBusSyncUnlock failed: ${describe(err)}`);
    },
  ).then(() => {
    if (desc.busSync !== chained) return;
    desc.busSync = undefined;
    if (desc.syncWaiters) wakeSyncWaiters(desc);
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

