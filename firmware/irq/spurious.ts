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
import { eventNames } from './events';
import { IRQ_TRACE } from './trace';

/** Interrupts per detection window, and how many of them may go unhandled before the line is killed. */
export const SPURIOUS_WINDOW = 100_000;
export const SPURIOUS_LIMIT = 99_900;
/** An unhandled interrupt more than 100 ms (HZ/10) after the previous one restarts the count at 1. */
const UNHANDLED_AGING_US = 100_000;
/** The bits of desc.spuriousThreads: a threaded result is being waited for; a thread claimed an interrupt since the last judgment. */
export const SPURIOUS_DEFERRED = 1;
export const SPURIOUS_CLAIMED = 2;
/**
 * A third bit, kept in step with desc.unhandled: a detection window is open (unhandled is not 0). So the flows'
 * inline judgment tests one value, SPURIOUS_DEFERRED_CLAIMED, for "handled, and no window to count it in".
 */
export const SPURIOUS_OPEN = 4;
/** Both, and no window open: the next hardirq's judgment is "handled", with nothing to count (the flows test this value inline). */
export const SPURIOUS_DEFERRED_CLAIMED = SPURIOUS_DEFERRED | SPURIOUS_CLAIMED;

export function noteInterrupt(desc: IrqDesc, actionRet: number): void {
  // A primary handler that only woke a thread cannot tell whether the interrupt was ours; the threads
  // mark their IRQ_HANDLED results (SPURIOUS_CLAIMED), and the next hardirq looks at whether one came.
  if (actionRet & IRQ_WAKE_THREAD) {
    if (actionRet === IRQ_WAKE_THREAD) {
      const state = desc.spuriousThreads;
      if (!(state & SPURIOUS_DEFERRED)) {
        // Claims before this mark still count at the next judgment (the kernel keeps the old count).
        desc.spuriousThreads = state | SPURIOUS_DEFERRED;
        return;
      }
      if (state & SPURIOUS_CLAIMED) {
        actionRet = IRQ_HANDLED;
        desc.spuriousThreads = state & ~SPURIOUS_CLAIMED;
      } else {
        actionRet = IRQ_NONE;
      }
    } else {
      desc.spuriousThreads &= ~SPURIOUS_DEFERRED;
    }
  }

  if (actionRet === IRQ_NONE) {
    const now = desc.ctx.platform.now();
    // The odd spurious interrupt must not become a doomsday counter on a working system.
    if (now - desc.lastUnhandled > UNHANDLED_AGING_US) desc.unhandled = 1;
    else desc.unhandled++;
    desc.spuriousThreads |= SPURIOUS_OPEN;
    desc.lastUnhandled = now;
    desc.unhandledTotal++;
  }

  // note_interrupt: "if (likely(!desc->irqs_unhandled)) return;" -- no window is open until an interrupt
  // goes unhandled, and the verdict below closes it again (unhandled = 0).
  if (desc.unhandled === 0) return;
  if (++desc.irqCount < SPURIOUS_WINDOW) return;
  desc.irqCount = 0;
  const unhandled = desc.unhandled;
  desc.unhandled = 0;
  desc.spuriousThreads &= ~SPURIOUS_OPEN;
  if (unhandled > SPURIOUS_LIMIT) spuriousDisable(desc, unhandled);
}

/** The verdict: "nobody cared", logged, traced and reported (events.ts); the line is disabled. Once a window. */
function spuriousDisable(desc: IrqDesc, unhandled: number): void {
  const ctx = desc.ctx;
  const handlers = desc.action.map((a) => `"${a.name}"`).join(', ') || '(none)';
  const culprits = oneshotCulprits(desc);
  ctx.log(
    'error',
    `irq ${desc.irq}: nobody cared (${unhandled} of the last ${SPURIOUS_WINDOW} interrupts unhandled); handlers: ${handlers}.${oneshotHint(culprits)} Disabling IRQ #${desc.irq}`,
  );
  desc.spuriousDisabled = true;
  ctx.tracer?.record(IRQ_TRACE.SPURIOUS, desc.irq, 0);
  desc.depth++;
  irqDisable(desc);
  if (ctx.events.listening) {
    ctx.events.emit({
      kind: 'spurious-disable', irq: desc.irq, time: ctx.platform.now(), unhandled, interrupts: SPURIOUS_WINDOW,
      actions: eventNames(desc.actionNames), missingOneshot: eventNames(culprits),
    });
  }
}

/**
 * The usual cause of a stuck level line with a threaded action: no IRQF_ONESHOT, so the flow unmasked the
 * line before the thread silenced the device, and the still-asserted level came straight back, unclaimed
 * (kernel/irq/manage.c, __setup_irq, refuses only the NULL-primary form of this). The names of those actions;
 * empty when it does not apply. Only called on the verdict, so its allocation is not per interrupt.
 */
function oneshotCulprits(desc: IrqDesc): string[] {
  if (!desc.level || desc.nestedThread || desc.oneshot) return [];
  if ((desc.irqData.chip?.flags ?? 0) & IRQCHIP_ONESHOT_SAFE) return [];
  return desc.action.filter((a) => a.threadFn !== null && !(a.flags & IRQF_ONESHOT)).map((a) => a.name);
}

/** The report's hint about those actions; empty when there are none. */
function oneshotHint(culprits: readonly string[]): string {
  if (culprits.length === 0) return '';
  const names = culprits.map((name) => `"${name}"`).join(', ');
  return ` The line is level-triggered and the threaded action${culprits.length > 1 ? 's' : ''} ${names} lack${culprits.length > 1 ? '' : 's'} IRQF_ONESHOT: the line is unmasked before the thread has run, so a level still asserted fires again unclaimed; request with IRQF_ONESHOT.`;
}
