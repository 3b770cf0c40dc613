/*
 * A push button on an edge interrupt, debounced by the GPIO chip the way gpiolib-cdev debounces a line
 * (debounce_period_us): the driver sets the line's debounce period (irqSetDebounce) and reads the line's events
 * (irqRequestLineEvents), as a user of the GPIO character device does with a line request.
 *
 * Why the chip and not the driver: the chip sees every raw edge and waits until none came for the period
 * (a trailing-edge debounce), then reads the level; only a settled change in the pressed direction enters the
 * line, once, with the moment it settled (the last bounce plus the period) as its time. Bounces, the bounces of
 * a release, and glitches shorter than the period never reach the line, so the driver has nothing to count,
 * nothing to sleep out and no pin to re-read: its thread takes the events and reports each as a press. A press's
 * time is when it settled, the time gpiolib-cdev gives a debounced edge, not when the contact first closed (a
 * glitch closes it too) nor when the thread got to run. The bounces the chip swallowed are the chip's to count
 * (pinInfo(pin).bounces on both ESP32 GPIO chips); a driver cannot see them any more, which is the point.
 *
 * The line is requested without IRQF_ONESHOT: an edge line is never masked for its threads (handleEdgeIrq, as
 * the kernel's handle_edge_irq), so the flag would buy nothing; the core refuses a NULL primary handler without
 * it, so the primary handler is ours and only wakes the thread. Presses that settle before the thread gets to
 * run wait in the reader's buffer (16 events, gpiolib-cdev's default): the thread reads every one since its last
 * run, and a press lost to a full buffer (a thread kept from running for more than 16 presses) is counted
 * (`missed`, `lost`).
 *
 * The debounce is the pin's configuration and outlives the request (as gpiolib's does): remove() sets it back
 * to 0. A line that another driver holds is refused (EBUSY) before its debounce is touched.
 *
 * Copy this file for a driver of your own: it uses only the core's public API.
 */
import {
  IRQ_DEBOUNCE_MAX_US, IRQ_HANDLED, IRQ_LINE_EVENT_FALLING_EDGE, IRQ_LINE_EVENT_RISING_EDGE, IRQ_WAKE_THREAD,
  IRQF_TRIGGER_FALLING, IRQF_TRIGGER_RISING, IrqError, type IrqCore, type IrqLineEvents, type IrqReturn,
} from '../irq';

/** A press, as reported to onPress. */
export interface ButtonPress {
  /**
   * When the press settled, µs in the core's clock: the last bounce of the press plus debounceUs, the moment
   * the pin had held the pressed level for the whole period (gpiolib-cdev's time of a debounced edge). With
   * debounceUs 0 it is the edge's time, NaN where the chip cannot know it (the DigitalBank chip on a board).
   */
  readonly timeUs: number;
  /** The press's number since probe(), from 1, counting lost presses: `missed` is the gap before it. */
  readonly seqno: number;
  /** Presses lost just before this one: the thread fell behind by more than the events the reader holds. Normally 0. */
  readonly missed: number;
}

export interface ButtonOptions {
  readonly core: IrqCore;
  /** The irq of the button's pin (a GPIO line whose chip debounces and reports line events). */
  readonly irq: number;
  /** Called from the button's thread for each press, in order. */
  onPress(press: ButtonPress): void;
  /** The level while pressed: 0 (a switch to ground with a pull-up, the default) or 1. */
  readonly pressedLevel?: 0 | 1;
  /**
   * How long the level must hold after the last bounce to count, whole µs (default 20,000); 0 for a button
   * debounced in hardware (every edge into the pressed level is then a press).
   */
  readonly debounceUs?: number;
  /** The action's name, and its thread's (`irq/N-name`). Default 'button'. */
  readonly name?: string;
}

export const BUTTON_DEFAULT_DEBOUNCE_US = 20_000;

/** The primary handler: nothing to do in hardirq context but wake the thread. */
const wakeThread = (): IrqReturn => IRQ_WAKE_THREAD;

export class Button {
  readonly irq: number;
  readonly name: string;
  readonly pressedLevel: 0 | 1;
  readonly debounceUs: number;
  /** Presses reported to onPress since probe(). */
  presses = 0;
  /** Presses lost before they were read, since probe() (the sum of every press's `missed`). */
  lost = 0;

  private readonly core: IrqCore;
  private readonly onPress: (press: ButtonPress) => void;
  /** The line event of a press: the edge into the pressed level. */
  private readonly pressEvent: number;
  private events: IrqLineEvents | undefined = undefined;
  private requested = false;

  constructor(options: ButtonOptions) {
    const { core, irq } = options;
    this.name = options.name ?? 'button';
    if (typeof options.onPress !== 'function') throw new IrqError('EINVAL', `${this.name}: onPress(press) is required`);
    const debounceUs = options.debounceUs ?? BUTTON_DEFAULT_DEBOUNCE_US;
    if (typeof debounceUs !== 'number' || !Number.isInteger(debounceUs) || debounceUs < 0 || debounceUs > IRQ_DEBOUNCE_MAX_US) {
      throw new IrqError('EINVAL', `${this.name}: debounceUs must be a whole number of µs from 0 to ${IRQ_DEBOUNCE_MAX_US}, not ${String(debounceUs)}`);
    }
    const pressedLevel = options.pressedLevel ?? 0;
    if (pressedLevel !== 0 && pressedLevel !== 1) {
      throw new IrqError('EINVAL', `${this.name}: pressedLevel must be 0 or 1, not ${String(pressedLevel)}`);
    }
    this.core = core;
    this.irq = irq;
    this.onPress = options.onPress;
    this.pressedLevel = pressedLevel;
    this.pressEvent = pressedLevel === 0 ? IRQ_LINE_EVENT_FALLING_EDGE : IRQ_LINE_EVENT_RISING_EDGE;
    this.debounceUs = debounceUs;
  }

  /**
   * Set the line's debounce, request it for the edge into the pressed level, and read its events. Throws (and
   * leaves the line as it was) when a step fails: EBUSY for a line in use, ENOSYS for a chip that cannot debounce
   * or report events.
   */
  probe(): void {
    const { core, irq, name } = this;
    // Checked first: the debounce is the line's, and would change under the driver that holds it.
    const holders = core.irqToDesc(irq)?.actions ?? [];
    if (this.requested || holders.length !== 0) {
      throw new IrqError('EBUSY', `irq ${irq}: ${name} cannot take a line in use (held by ${holders.map((a) => `"${a}"`).join(', ')})`, irq);
    }
    core.irqSetDebounce(irq, this.debounceUs);
    try {
      const trigger = this.pressedLevel === 0 ? IRQF_TRIGGER_FALLING : IRQF_TRIGGER_RISING;
      core.requestThreadedIrq(irq, wakeThread, this.thread, trigger, name, this);
    } catch (err) {
      core.irqSetDebounce(irq, 0);
      throw err;
    }
    try {
      this.events = core.irqRequestLineEvents(irq, this);
    } catch (err) {
      // Nothing of the action ran yet: the free's synchronous part is the whole of it.
      core.freeIrq(irq, this).catch(() => undefined);
      core.irqSetDebounce(irq, 0);
      throw err;
    }
    this.presses = 0;
    this.lost = 0;
    this.requested = true;
  }

  /**
   * Free the line (which releases its events) and set its debounce back to 0; resolves once the thread no longer
   * runs. Presses that settled before the call are still reported; one still bouncing is not.
   */
  async remove(): Promise<void> {
    if (!this.requested) return;
    this.requested = false;
    const freed = this.core.freeIrq(this.irq, this);
    try {
      this.core.irqSetDebounce(this.irq, 0);
    } finally {
      await freed;
    }
  }

  /** Thread: every event since the last run, oldest first; each edge into the pressed level is a press. */
  private readonly thread = (): IrqReturn => {
    const events = this.events;
    if (events === undefined) return IRQ_HANDLED;
    while (events.next()) {
      if (events.id !== this.pressEvent) continue;
      const missed = events.missed;
      this.lost += missed;
      this.presses++;
      this.onPress({ timeUs: events.timestampUs, seqno: this.presses + this.lost, missed });
    }
    return IRQ_HANDLED;
  };
}
