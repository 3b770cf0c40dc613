/*
 * Replaying an interrupt that arrived while its line was disabled: the kernel's kernel/irq/resend.c.
 */
import type { IrqDesc } from './desc';
import { flowThrew, handleNestedIrq } from './flow';

/**
 * check_irq_resend: after irqStartup (chip.ts), on enable, replay a pending edge through the chip's irqRetrigger, or else in software
 * after the current job (the kernel's resend tasklet). Level lines are not replayed: if the level is still
 * asserted the hardware raises it again by itself.
 *
 * A nested child has no hardirq of its own: its pending event is replayed by running its threadFns from the
 * resend job. The kernel resends the parent instead (irq_set_parent), which works only if the parent's
 * status still shows the child's event; an expander has usually cleared it by then.
 */
export function checkIrqResend(desc: IrqDesc): void {
  if (desc.level) {
    desc.pending = false;
    return;
  }
  if (desc.replay) return;
  if (!desc.pending) return;
  desc.pending = false;
  desc.replay = true;
  desc.resends++;
  const chip = desc.irqData.chip;
  if (chip?.irqRetrigger && chip.irqRetrigger(desc.irqData)) return;
  desc.resendQueued = true;
  desc.ctx.platform.defer(() => {
    // Cancelled by a shutdown in between (clear_irq_resend).
    if (!desc.resendQueued) return;
    desc.resendQueued = false;
    if (desc.nestedThread) {
      void handleNestedIrq(desc, undefined);
      return;
    }
    // Isolated as genericHandleIrq isolates a flow (the edge flow's fast path leaves its handler's throw to it).
    try {
      desc.handleIrq(desc);
    } catch (err) {
      flowThrew(desc, err);
    }
  });
}
