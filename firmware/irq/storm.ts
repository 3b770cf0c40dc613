/*
 * Interrupt storms: receive livelock (Mogul and Ramakrishnan, "Eliminating Receive Livelock in an Interrupt-Driven Kernel", 1997). On one JavaScript thread a
 * line that fires faster than its work can be done takes the CPU from every other line and thread. Linux has
 * no generic answer (NAPI does this per network driver); here every line gets a budget of CPU time per window:
 * what its hardirqs and its threads' runs (their synchronous parts) took, on the platform's clock. A line over
 * it switches to polled handling: it stays masked and a timer unmasks it once per poll period, so at most one
 * interrupt per period gets in (the hardware keeps what arrived meanwhile latched, or counts it as merged).
 * When fewer than half the polls of a window find an interrupt waiting, the line goes back to interrupt mode.
 * Both switches are logged, counted (the interrupt table shows `polled` and `storms N`) and reported as events
 * (events.ts: 'storm-poll', 'storm-resume').
 *
 * A budget of time rather than of interrupts, because what hurts the others is the CPU taken: 50,000 trivial
 * interrupts a second may be fine, 2,000 that each take a millisecond are not. Chained parents are not
 * budgeted: their time is their children's, and it is the stormy child that must be polled.
 *
 * The cost on the hot path: a thread run is timed anyway (its thread's statistics), from the runner's one
 * clock reading per run; a hardirq is sampled (handle.ts's handleIrqEvent): every STORM_SAMPLE-th event of a
 * line is timed and charged STORM_SAMPLE times over, so the others read no clock. A storm is many events
 * (the switch needs half a window of CPU), so the sample sees it, a few events late at most.
 *
 * Polled mode is a flow wrapper, as the kernel swaps flows (irq_set_handler_locked): handlePolledIrq takes
 * the place of the line's flow in desc.handleIrq and runs that flow, then masks the line again; the way back
 * puts the flow back. A line in interrupt mode pays nothing for it.
 */
import { type IrqDesc, UNMASK_HOLD_POLLED } from './desc';
import { irqMayUnmask, maskIrq, unmaskIrq } from './chip';
import { eventNames } from './events';
import { IRQ_TRACE } from './trace';
import type { IrqStormOptions } from './types';

export type { IrqStormOptions };

export const IRQ_STORM_DEFAULT: IrqStormOptions = Object.freeze({ cpuPercent: 50, windowUs: 100_000, pollUs: 1000 });

/**
 * Every STORM_SAMPLE-th hardirq of a line is timed (handleIrqEvent), and counts STORM_SAMPLE times. 16 rather
 * than 8: the sampled event leaves the edge flow's fast path, which cost about 45 units per interrupt averaged
 * at 8, about 22 at 16 (XS meter, edge-primary-core 370 → 352.6). The accounting stays sound where it matters:
 * a line must take half a window of CPU (50 ms at the defaults) to be switched, so a storm is hundreds to
 * thousands of hardirqs per window and is sampled tens to hundreds of times: its charge stays close to the
 * time it took, and its switch comes at most 15 hardirqs late. The cost of the coarser sample is on a slow, rare line: one
 * sampled hardirq longer than the budget / STORM_SAMPLE (3.1 ms at the defaults; 6.25 ms at 8) is charged over
 * the budget by itself. Such a handler is itself a fault in hardirq context, and the false switch costs one
 * window of polling (1 ms latency), after which the calm line goes back to interrupts.
 */
export const STORM_SAMPLE = 16;

/**
 * Charge `us` of CPU time to the line, `now` being the clock reading that ended it (shared with the caller's,
 * so the charge reads no clock); switch the line to polled handling when it is over its budget.
 */
export function noteCpu(desc: IrqDesc, us: number, now: number, options: IrqStormOptions): void {
  // (The polled bit of unmaskHold read directly: `polled` is an accessor, and this runs every sampled hardirq.)
  if ((desc.unmaskHold & UNMASK_HOLD_POLLED) !== 0 || desc.noRequest) return;
  if (now >= desc.stormWindowEnd) openWindow(desc, now, options, us);
  else desc.stormLeftUs -= us;
  if (desc.stormLeftUs < 0) enterPolled(desc, now, options);
}

/**
 * The rest of noteCpu, for a charge of `us` already subtracted from desc.stormLeftUs (the runner does that
 * inline, and calls this only when the line went over its budget or past its window's end): a new window
 * starts with this charge; over the budget, the line is switched to polled handling.
 */
export function noteCpuCharged(desc: IrqDesc, us: number, now: number, options: IrqStormOptions): void {
  // (The polled bit of unmaskHold read directly: `polled` is an accessor, and this runs every sampled hardirq.)
  if ((desc.unmaskHold & UNMASK_HOLD_POLLED) !== 0 || desc.noRequest) return;
  if (now >= desc.stormWindowEnd) openWindow(desc, now, options, us);
  if (desc.stormLeftUs < 0) enterPolled(desc, now, options);
}

/** A new storm window from `now`, `us` of it already taken. */
function openWindow(desc: IrqDesc, now: number, options: IrqStormOptions, us: number): void {
  desc.stormWindowEnd = now + options.windowUs;
  desc.stormLeftUs = desc.ctx.stormBudgetUs - us;
}

/** The CPU time the line took in its current window, µs (for the reports). */
function stormCpuUs(desc: IrqDesc): number {
  return desc.ctx.stormBudgetUs - desc.stormLeftUs;
}

function enterPolled(desc: IrqDesc, now: number, options: IrqStormOptions): void {
  const ctx = desc.ctx;
  const platform = ctx.platform;
  if (platform.setTimer === undefined) {
    // Without a timer nothing could unmask the line again: leave it in interrupt mode, and say so once.
    if (desc.stormReported) return;
    desc.stormReported = true;
    ctx.log('warn', `irq ${desc.irq}: interrupt storm (${stormText(options)}), but the platform has no timer to poll it`);
    if (ctx.events.listening) {
      ctx.events.emit({
        kind: 'storm-unpolled', irq: desc.irq, time: now, actions: eventNames(desc.actionNames),
        cpuUs: stormCpuUs(desc), cpuPercent: options.cpuPercent, windowUs: options.windowUs,
      });
    }
    return;
  }
  desc.polled = true;
  const cpuUs = stormCpuUs(desc);
  // No window while polled (noteCpu charges nothing then, and the way back opens a new one): -Infinity makes
  // the runner's inline charge (thread.ts) fail its window test and leave a polled line to noteCpu, without
  // a test of its own.
  desc.stormWindowEnd = -Infinity;
  desc.stormSwitches++;
  ctx.tracer?.record(IRQ_TRACE.STORM, desc.irq, 1);
  desc.pollTicks = 0;
  desc.pollHits = 0;
  ctx.log('warn', `irq ${desc.irq}: interrupt storm (${stormText(options)}); polling it every ${options.pollUs / 1000} ms`);
  // The flow of this interrupt runs on (it may be the thread's run that tipped it); the next goes through the wrapper.
  desc.polledFlow = desc.handleIrq;
  desc.handleIrq = handlePolledIrq;
  desc.poller ??= () => pollTick(desc, options);
  platform.setTimer(desc.poller, options.pollUs);
  if (ctx.events.listening) {
    ctx.events.emit({
      kind: 'storm-poll', irq: desc.irq, time: now, actions: eventNames(desc.actionNames), cpuUs,
      cpuPercent: options.cpuPercent, windowUs: options.windowUs, pollUs: options.pollUs, stormSwitches: desc.stormSwitches,
    });
  }
}

/**
 * The flow of a polled line: its own flow (kept in desc.polledFlow; irqSetHandler and irqSetHandlerLocked
 * change that one while the line is polled), then the line is masked again whatever the flow did, until the
 * next poll lets one interrupt in.
 */
export function handlePolledIrq(desc: IrqDesc): void {
  desc.polledFlow!(desc);
  if (!desc.polled) return;
  desc.pollHits++;
  desc.polledInterrupts++;
  maskIrq(desc);
}

/** Back to interrupts: the line's own flow in desc.handleIrq again. */
function leavePolled(desc: IrqDesc): void {
  desc.polled = false;
  desc.handleIrq = desc.polledFlow!;
  desc.polledFlow = undefined;
}

function stormText(options: IrqStormOptions): string {
  return `it took more than ${options.cpuPercent}% of ${options.windowUs / 1000} ms`;
}

function pollTick(desc: IrqDesc, options: IrqStormOptions): void {
  if (!desc.polled) return;
  const platform = desc.ctx.platform;
  if (++desc.pollTicks >= options.windowUs / options.pollUs) {
    const polls = desc.pollTicks;
    const hits = desc.pollHits;
    const calm = hits * 2 < polls;
    desc.pollTicks = 0;
    desc.pollHits = 0;
    if (calm || desc.action.length === 0) {
      const ctx = desc.ctx;
      leavePolled(desc);
      ctx.tracer?.record(IRQ_TRACE.STORM, desc.irq, 0);
      const now = platform.now();
      openWindow(desc, now, options, 0);
      ctx.log('info', `irq ${desc.irq}: storm over; back to interrupts`);
      if (desc.masked && irqMayUnmask(desc)) unmaskIrq(desc);
      if (ctx.events.listening) {
        ctx.events.emit({
          kind: 'storm-resume', irq: desc.irq, time: now, reason: calm ? 'calm' : 'no-action', polls, hits,
          polledInterrupts: desc.polledInterrupts,
        });
      }
      return;
    }
  }
  // Let the one interrupt the hardware holds (if any) in; handlePolledIrq masks the line again after it.
  if (desc.masked && irqMayUnmask(desc, 'poll')) unmaskIrq(desc);
  platform.setTimer!(desc.poller!, options.pollUs);
}
