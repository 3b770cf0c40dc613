/*
 * A push button on an edge interrupt, debounced the way a threaded handler does it.
 *
 * The primary handler (hardirq) takes the time of the edge from the platform clock: that is when the
 * button was pressed, which is what users of Moddable and MicroPython ask for, not when a callback got to
 * run. The first edge of a press wakes the thread; edges while the thread waits are bounces, counted and
 * swallowed in the hardirq. The thread sleeps out the bounce time (counted from the first edge, on the
 * platform's timer) and reports a press only if the pin is still at the pressed level then, so the bounces
 * of a release (which cross the pressed edge too) and glitches shorter than the bounce time report nothing.
 *
 * The line is requested without IRQF_ONESHOT: an edge line is never masked for its threads (handleEdgeIrq,
 * like the kernel's handle_edge_irq), so the flag would buy nothing, and the line is never disabled during
 * the debounce either (a disabled line latches the next bounce and replays it on enable, which would start a
 * second press). Left alone, every bounce reaches the hardirq and is counted there (`edges === presses + bounces`; edges the GPIO hardware
 * merged before the hardirq ran are invisible to software).
 *
 * The sleep uses the core platform's setTimer (Moddable's Timer.set); on a platform without one the thread
 * can only wait for the next turn (platform.defer), which does not debounce. The bounce time should stay
 * well below the core's watchdog timeout (1 s by default), which watches a thread that sleeps.
 *
 * Copy this file for a driver of your own: it uses only the core's public API.
 */
import {
  IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_RISING, IrqError,
  type IrqCore, type IrqReturn,
} from '../irq';

/** A press, as reported to onPress. Times are the platform clock's, µs. */
export interface ButtonPress {
  /** When the first edge of the press happened (taken in the hardirq). */
  readonly edgeUs: number;
  /** When the press was confirmed: the pin read at the pressed level once the bounce time was over. */
  readonly pressedUs: number;
}

export interface ButtonOptions {
  readonly core: IrqCore;
  /** The irq of the button's pin (a GPIO line). */
  readonly irq: number;
  /** The pin's level now (the ECMA-419 Digital input's read()). */
  readPin(): 0 | 1;
  /** Called from the button's thread for each press. */
  onPress(press: ButtonPress): void;
  /** The level while pressed: 0 (a switch to ground with a pull-up, the default) or 1. */
  readonly pressedLevel?: 0 | 1;
  /** How long the contact may bounce after the first edge, µs (default 20,000). */
  readonly debounceUs?: number;
  /** The action's name, and its thread's (`irq/N-name`). Default 'button'. */
  readonly name?: string;
}

export const BUTTON_DEFAULT_DEBOUNCE_US = 20_000;

export class Button {
  readonly irq: number;
  readonly name: string;
  readonly pressedLevel: 0 | 1;
  readonly debounceUs: number;
  /** Presses reported. */
  presses = 0;
  /** Edges that did not become a press: bounces within the bounce time, and edges whose pin was released by its end. */
  bounces = 0;
  /** Edges the hardirq saw. */
  edges = 0;

  private readonly core: IrqCore;
  private readonly readPin: () => 0 | 1;
  private readonly onPress: (press: ButtonPress) => void;
  private debouncing = false;
  private edgeUs = 0;
  private requested = false;

  constructor(options: ButtonOptions) {
    const { core, irq } = options;
    this.name = options.name ?? 'button';
    if (typeof options.readPin !== 'function' || typeof options.onPress !== 'function') {
      throw new IrqError('EINVAL', `${this.name}: readPin() and onPress() are required`);
    }
    const debounceUs = options.debounceUs ?? BUTTON_DEFAULT_DEBOUNCE_US;
    if (!(debounceUs >= 0) || !Number.isFinite(debounceUs)) {
      throw new IrqError('EINVAL', `${this.name}: debounceUs must be a time >= 0, not ${String(debounceUs)}`);
    }
    const pressedLevel = options.pressedLevel ?? 0;
    if (pressedLevel !== 0 && pressedLevel !== 1) throw new IrqError('EINVAL', `${this.name}: pressedLevel must be 0 or 1`);
    this.core = core;
    this.irq = irq;
    this.readPin = options.readPin;
    this.onPress = options.onPress;
    this.pressedLevel = pressedLevel;
    this.debounceUs = debounceUs;
  }

  /** Request the line: the edge into the pressed level, the hardirq and the thread below. */
  probe(): void {
    this.debouncing = false;
    const trigger = this.pressedLevel === 0 ? IRQF_TRIGGER_FALLING : IRQF_TRIGGER_RISING;
    this.core.requestThreadedIrq(this.irq, this.hardirq, this.thread, trigger, this.name, this);
    this.requested = true;
  }

  /** Free the line; resolves once no handler or thread of this button runs (a press being debounced finishes first). */
  async remove(): Promise<void> {
    if (!this.requested) return;
    this.requested = false;
    await this.core.freeIrq(this.irq, this);
  }

  /** Hardirq: the time of the edge; the first edge wakes the thread, the rest are bounces. */
  private readonly hardirq = (): IrqReturn => {
    const now = this.core.platform.now();
    this.edges++;
    if (this.debouncing) {
      this.bounces++;
      return IRQ_HANDLED;
    }
    this.debouncing = true;
    this.edgeUs = now;
    return IRQ_WAKE_THREAD;
  };

  /** Thread: sleep until the bounce time after the edge is over, then look at the pin. */
  private readonly thread = async (): Promise<IrqReturn> => {
    const edgeUs = this.edgeUs;
    const platform = this.core.platform;
    const delayUs = edgeUs + this.debounceUs - platform.now();
    await new Promise<void>((resolve) => {
      if (delayUs > 0 && platform.setTimer !== undefined) platform.setTimer(resolve, delayUs);
      else platform.defer(resolve);
    });
    const level = this.readPin();
    this.debouncing = false;
    if (level !== this.pressedLevel) {
      // Released by now: the bounce of a release, or a glitch.
      this.bounces++;
      return IRQ_HANDLED;
    }
    this.presses++;
    this.onPress({ edgeUs, pressedUs: platform.now() });
    return IRQ_HANDLED;
  };
}
