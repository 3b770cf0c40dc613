/*
 * Detecting lines nobody handles: the kernel's kernel/irq/spurious.c (note_interrupt).
 *
 * The window is the kernel's of today: it opens at the first unhandled interrupt and then counts every
 * interrupt, handled or not, for SPURIOUS_WINDOW of them. A healthy line never opens one (its irqCount stays
 * 0, as /proc/irq/N/spurious shows "count 0"), and a line that gets stuck after any healthy period is judged
 * after exactly SPURIOUS_WINDOW interrupts from the first unhandled one. Before the kernel's "genirq: reduce
 * irqdebug bouncing cachelines" (Linux 5.13) every interrupt counted, and a line stuck in the middle of a
 * window ran for up to about two windows before the verdict.
 *
 * Deliberate difference: the kernel then polls disabled lines (irqpoll, misrouted irq detection); an MCU
 * has no other CPU to misroute to, so a line disabled here stays disabled until a new action is requested
 * on it or the driver enables it.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQCHIP_ONESHOT_SAFE, IRQF_ONESHOT } from './constants';
import type { IrqDesc } from './desc';
import { irqDisable } from './chip';
import { IRQ_TRACE } from './trace';

/** Interrupts per detection window, and how many of them may go unhandled before the line is killed. */
export const SPURIOUS_WINDOW = 100_000;
export const SPURIOUS_LIMIT = 99_900;
/** An unhandled interrupt more than 100 ms (HZ/10) after the previous one restarts the count at 1. */
const UNHANDLED_AGING_US = 100_000;
/** Bit 31 of threadsHandledLast: a threaded result is being waited for (SPURIOUS_DEFERRED). */
export const SPURIOUS_DEFERRED = 0x80000000 | 0;

export function noteInterrupt(desc: IrqDesc, actionRet: number): void {
  // A primary handler that only woke a thread cannot tell whether the interrupt was ours; the threads
  // count their IRQ_HANDLED results in threadsHandled, and the next hardirq looks at whether it moved.
  if (actionRet & IRQ_WAKE_THREAD) {
    if (actionRet === IRQ_WAKE_THREAD) {
      if (!(desc.threadsHandledLast & SPURIOUS_DEFERRED)) {
        desc.threadsHandledLast |= SPURIOUS_DEFERRED;
        return;
      }
      const handled = desc.threadsHandled | SPURIOUS_DEFERRED;
      if (handled !== desc.threadsHandledLast) {
        actionRet = IRQ_HANDLED;
        desc.threadsHandledLast = handled;
      } else {
        actionRet = IRQ_NONE;
      }
    } else {
      desc.threadsHandledLast &= ~SPURIOUS_DEFERRED;
    }
  }

  if (actionRet === IRQ_NONE) {
    const now = desc.ctx.platform.now();
    // The odd spurious interrupt must not become a doomsday counter on a working system.
    if (now - desc.lastUnhandled > UNHANDLED_AGING_US) desc.unhandled = 1;
    else desc.unhandled++;
    desc.lastUnhandled = now;
    desc.unhandledTotal++;
  }

  // note_interrupt: "if (likely(!desc->irqs_unhandled)) return;" -- no window is open until an interrupt
  // goes unhandled, and the verdict below closes it again (unhandled = 0).
  if (desc.unhandled === 0) return;
  if (++desc.irqCount < SPURIOUS_WINDOW) return;
  desc.irqCount = 0;
  if (desc.unhandled > SPURIOUS_LIMIT) {
    const handlers = desc.action.map((a) => `"${a.name}"`).join(', ') || '(none)';
    desc.ctx.log(
      'error',
      `irq ${desc.irq}: nobody cared (${desc.unhandled} of the last ${SPURIOUS_WINDOW} interrupts unhandled); handlers: ${handlers}.${oneshotHint(desc)} Disabling IRQ #${desc.irq}`,
    );
    desc.spuriousDisabled = true;
    desc.ctx.tracer?.record(IRQ_TRACE.SPURIOUS, desc.irq, 0);
    desc.depth++;
    irqDisable(desc);
  }
  desc.unhandled = 0;
}

/**
 * The usual cause of a stuck level line with a threaded action: no IRQF_ONESHOT, so the flow unmasked the
 * line before the thread silenced the device, and the still-asserted level came straight back, unclaimed
 * (kernel/irq/manage.c, __setup_irq, refuses only the NULL-primary form of this). Empty when it does not apply.
 * Only called on the verdict, so its allocation is not per interrupt.
 */
function oneshotHint(desc: IrqDesc): string {
  if (!desc.level || desc.nestedThread || desc.oneshot) return '';
  if ((desc.irqData.chip?.flags ?? 0) & IRQCHIP_ONESHOT_SAFE) return '';
  const culprits = desc.action.filter((a) => a.threadFn !== null && !(a.flags & IRQF_ONESHOT)).map((a) => `"${a.name}"`);
  if (culprits.length === 0) return '';
  return ` The line is level-triggered and the threaded action${culprits.length > 1 ? 's' : ''} ${culprits.join(', ')} lack${culprits.length > 1 ? '' : 's'} IRQF_ONESHOT: the line is unmasked before the thread has run, so a level still asserted fires again unclaimed; request with IRQF_ONESHOT.`;
}
