/*
 * Interrupt storms: receive livelock (Mogul and Ramakrishnan, cited by seed 002). On one JavaScript thread a
 * line that fires faster than its work can be done takes the CPU from every other line and thread. Linux has
 * no generic answer (NAPI does this per network driver); here every line gets a budget of CPU time per window:
 * what its hardirqs and its threads' runs (their synchronous parts) took, on the platform's clock. A line over
 * it switches to polled handling: it stays masked and a timer unmasks it once per poll period, so at most one
 * interrupt per period gets in (the hardware keeps what arrived meanwhile latched, or counts it as merged).
 * When fewer than half the polls of a window find an interrupt waiting, the line goes back to interrupt mode.
 * Both switches are logged and counted (the interrupt table shows `polled` and `storms N`).
 *
 * A budget of time rather than of interrupts, because what hurts the others is the CPU taken: 50,000 trivial
 * interrupts a second may be fine, 2,000 that each take a millisecond are not. Chained parents are not
 * budgeted: their time is their children's, and it is the stormy child that must be polled.
 */
import type { IrqDesc } from './desc';
import { maskIrq, unmaskIrq } from './chip';
import { IRQ_TRACE } from './trace';

export interface IrqStormOptions {
  /** The share of a window's time one line may take before it is polled, in percent. */
  cpuPercent: number;
  windowUs: number;
  /** The poll period of a polled line, µs. */
  pollUs: number;
}

export const IRQ_STORM_DEFAULT: IrqStormOptions = Object.freeze({ cpuPercent: 50, windowUs: 100_000, pollUs: 1000 });

/** Charge `us` of CPU time to the line; switch it to polled handling when it is over its budget. */
export function noteCpu(desc: IrqDesc, us: number, options: IrqStormOptions): void {
  if (desc.polled || desc.noRequest) return;
  const now = desc.core.platform.now();
  if (now - desc.stormWindowStart >= options.windowUs) {
    desc.stormWindowStart = now;
    desc.stormCpuUs = 0;
  }
  desc.stormCpuUs += us;
  if (desc.stormCpuUs * 100 > options.cpuPercent * options.windowUs) enterPolled(desc, options);
}

function enterPolled(desc: IrqDesc, options: IrqStormOptions): void {
  const platform = desc.core.platform;
  if (platform.setTimer === undefined) {
    // Without a timer nothing could unmask the line again: leave it in interrupt mode, and say so once.
    if (!desc.stormReported) desc.core.log('warn', `irq ${desc.irq}: interrupt storm (${stormText(options)}), but the platform has no timer to poll it`);
    desc.stormReported = true;
    return;
  }
  desc.polled = true;
  desc.stormSwitches++;
  desc.core.tracer?.record(IRQ_TRACE.STORM, desc.irq, 1);
  desc.pollTicks = 0;
  desc.pollHits = 0;
  desc.core.log('warn', `irq ${desc.irq}: interrupt storm (${stormText(options)}); polling it every ${options.pollUs / 1000} ms`);
  desc.poller ??= () => pollTick(desc, options);
  platform.setTimer(desc.poller, options.pollUs);
}

function stormText(options: IrqStormOptions): string {
  return `it took more than ${options.cpuPercent}% of ${options.windowUs / 1000} ms`;
}

/** After the flow: a polled line stays masked whatever the flow did. */
export function keepPolledMasked(desc: IrqDesc): void {
  desc.pollHits++;
  desc.polledInterrupts++;
  maskIrq(desc);
}

/** May the line be unmasked: not disabled and no oneshot thread still holds it. */
function mayUnmask(desc: IrqDesc): boolean {
  return !desc.disabled && desc.threadsOneshot === 0 && desc.action.length !== 0;
}

function pollTick(desc: IrqDesc, options: IrqStormOptions): void {
  if (!desc.polled) return;
  const platform = desc.core.platform;
  if (++desc.pollTicks >= options.windowUs / options.pollUs) {
    const calm = desc.pollHits * 2 < desc.pollTicks;
    desc.pollTicks = 0;
    desc.pollHits = 0;
    if (calm || desc.action.length === 0) {
      desc.polled = false;
      desc.core.tracer?.record(IRQ_TRACE.STORM, desc.irq, 0);
      desc.stormWindowStart = platform.now();
      desc.stormCpuUs = 0;
      desc.core.log('info', `irq ${desc.irq}: storm over; back to interrupts`);
      if (mayUnmask(desc)) unmaskIrq(desc);
      return;
    }
  }
  // Let the one interrupt the hardware holds (if any) in; the flow masks the line again after it.
  if (mayUnmask(desc)) unmaskIrq(desc);
  platform.setTimer!(desc.poller!, options.pollUs);
}
