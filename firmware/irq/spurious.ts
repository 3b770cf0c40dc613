/*
 * Detecting lines nobody handles: the kernel's kernel/irq/spurious.c (note_interrupt).
 *
 * Deliberate difference: the kernel then polls disabled lines (irqpoll, misrouted irq detection); an MCU
 * has no other CPU to misroute to, so a line disabled here stays disabled until a new action is requested
 * on it or the driver enables it.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD } from './constants';
import type { IrqDesc } from './desc';
import { irqDisable } from './chip';
import { IRQ_TRACE } from './trace';

/** Interrupts per detection window, and how many of them may go unhandled before the line is killed. */
export const SPURIOUS_WINDOW = 100_000;
export const SPURIOUS_LIMIT = 99_900;
/** An unhandled interrupt more than 100 ms (HZ/10) after the previous one restarts the count at 1. */
const UNHANDLED_AGING_US = 100_000;
/** Bit 31 of threadsHandledLast: a threaded result is being waited for (SPURIOUS_DEFERRED). */
const SPURIOUS_DEFERRED = 0x80000000 | 0;

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
    const now = desc.core.platform.now();
    // The odd spurious interrupt must not become a doomsday counter on a working system.
    if (now - desc.lastUnhandled > UNHANDLED_AGING_US) desc.unhandled = 1;
    else desc.unhandled++;
    desc.lastUnhandled = now;
    desc.unhandledTotal++;
  }

  if (++desc.irqCount < SPURIOUS_WINDOW) return;
  desc.irqCount = 0;
  if (desc.unhandled > SPURIOUS_LIMIT) {
    const handlers = desc.action.map((a) => `"${a.name}"`).join(', ') || '(none)';
    desc.core.log(
      'error',
      `irq ${desc.irq}: nobody cared (${desc.unhandled} of the last ${SPURIOUS_WINDOW} interrupts unhandled); handlers: ${handlers}. Disabling IRQ #${desc.irq}`,
    );
    desc.spuriousDisabled = true;
    desc.core.tracer?.record(IRQ_TRACE.SPURIOUS, desc.irq, 0);
    desc.depth++;
    irqDisable(desc);
  }
  desc.unhandled = 0;
}
