/*
 * One GPIO line's software debounce, for both GPIO chips (gpio.ts, native-gpio.ts): gpiolib-cdev's
 * debounce_irq_handler and debounce_work_func (drivers/gpio/gpiolib-cdev.c). The chip opens the pin for both
 * edges and hands every raw edge here; once no edge came for the period, the level is read, and a level
 * other than the last one settled is a settled change, which the chip turns into the line's interrupt (if the
 * line's trigger wants that direction) with the settle time as the event's time.
 *
 * Where we differ from Linux: the kernel re-arms its delayed work at every edge (mod_delayed_work, which
 * allocates nothing). Re-arming a Moddable timer per edge would make a timer record per bounce, so the timer
 * is armed once per quiet period instead: when it fires with an edge newer than a period ago, it is armed again
 * for the rest. The settle time is the last edge's time plus the period, the moment the level had held for
 * the period (the kernel reads its clock when the work runs, a little later); on the board a Moddable timer
 * fires on a whole millisecond, so the read comes up to 1 ms after that moment.
 */
import { IrqError, type Platform } from '../../firmware/irq';

/** What the debounce needs from its chip. */
export interface Esp32DebounceHost {
  readonly platform: Platform;
  /** The pin's level now. */
  level(): 0 | 1;
  /** A settled change: the level, and when it settled (µs, the core's clock). */
  settled(level: 0 | 1, timeUs: number): void;
}

export class Esp32Debounce {
  readonly periodUs: number;
  /** Raw edges handed in, and the settled changes they made (the rest were bounces). */
  edges = 0;
  changes = 0;
  /** The level last settled. */
  private level: 0 | 1;
  private lastEdgeUs = -Infinity;
  private timer: unknown = undefined;
  private readonly host: Esp32DebounceHost;
  private readonly fire = (): void => this.onTimer();

  /** `irq` and `name` for the error a platform without timers gets. */
  constructor(host: Esp32DebounceHost, periodUs: number, irq: number, name: string) {
    if (host.platform.setTimer === undefined) {
      throw new IrqError('ENOSYS', `irq ${irq}: ${name} cannot debounce on a platform without setTimer`, irq);
    }
    this.host = host;
    this.periodUs = periodUs;
    this.level = host.level();
  }

  /** A raw edge at `timeUs` (the core's clock). */
  edge(timeUs: number): void {
    this.edges++;
    this.lastEdgeUs = timeUs;
    if (this.timer === undefined) this.arm(this.periodUs);
  }

  /** The pin was (re)opened: its level now is the settled one, and a wait under way is dropped. */
  restart(): void {
    this.stop();
    this.level = this.host.level();
  }

  stop(): void {
    if (this.timer !== undefined) this.host.platform.clearTimer?.(this.timer);
    this.timer = undefined;
  }

  /** Bounces: raw edges that made no settled change. */
  get bounces(): number {
    return this.edges - this.changes;
  }

  private arm(delayUs: number): void {
    this.timer = this.host.platform.setTimer!(this.fire, delayUs);
  }

  private onTimer(): void {
    this.timer = undefined;
    const host = this.host;
    const settleUs = this.lastEdgeUs + this.periodUs;
    const left = settleUs - host.platform.now();
    if (left > 0) {
      this.arm(left);
      return;
    }
    const level = host.level();
    if (level === this.level) return;
    this.level = level;
    this.changes++;
    host.settled(level, settleUs);
  }
}

/** A pin's debounce after irqSetDebounce(periodUs): the old one stopped, a new one for a period, none for 0. */
export function replaceDebounce(
  current: Esp32Debounce | undefined, periodUs: number, host: Esp32DebounceHost, irq: number, name: string,
): Esp32Debounce | undefined {
  current?.stop();
  return periodUs === 0 ? undefined : new Esp32Debounce(host, periodUs, irq, name);
}
