/*
 * A host fake of Moddable's ECMA-419 DigitalBank for the ESP32 (modules/io/digital/digitalbank.js over
 * modules/io/digital/esp32/digitalbank.c), wired to the simulated board's nets. It replaces Moddable's
 * native layer, not the GPIO peripheral: hal/mock/gpio.ts's irq_chip is not involved.
 *
 * As on the board:
 * - The option bag `{ pins, bank, mode, rises, falls, onReadable, format }`; `pins` is a bit mask relative
 *   to `bank` (0: GPIO 0-31, 1: GPIO 32-39). Mode constants are static properties (Input 0, InputPullUp 1,
 *   InputPullDown 2, InputPullUpDown 3, Output 8, OutputOpenDrain 9).
 * - The "ISR": a matching edge ORs the pin's bit into the bank's `triggered` mask and, if the mask was
 *   empty, posts one delivery to the JavaScript thread (a simulator event `latencyUs` later). The delivery
 *   takes the mask, clears it and calls onReadable(mask) with `this` the bank. Edges before it runs
 *   coalesce into their pin's bit (counted in `stats.coalesced`).
 * - close() releases the pins and cancels a delivery still queued; a closed object's read/write throw.
 * - The errors of digitalbank.c: Error "invalid bank", "invalid pin" (no pin, or one the ESP32 lacks),
 *   "in use", "invalid" (no mode); RangeError "invalid mode", "invalid edges" (onReadable without rises or
 *   falls), "input only" (output on GPIO 34-39), "invalid format"; Error "unimplemented" for read on an
 *   output or write on an input. After close, XS's host-data check throws SyntaxError
 *   "C: xsGetHostData: invalid" (xs/sources/xsAPI.c, fxGetHostDataValidate).
 *
 * Simplified: an input mode with a pull sets the net's pull while the bank is open and restores the previous
 * one on close (the ESP-IDF's gpio_reset_pin would leave the pad's pull-up on); GPIO 34-39 get no pull
 * (they have none; the ESP-IDF logs an error). InputPullUpDown leaves the net's pull as it is.
 */
import { ESP32_PIN_BANKS, ESP32_VALID_OUTPUT_PINS, ESP32_VALID_PINS, isInputOnlyGpio } from '../../esp32/pins';
import type { DigitalBankInstance, DigitalBankOptions } from '../../esp32/io-types';
import type { SimTimer, Simulator } from '../sim';
import type { Level, Net, OpenDrainDriver, Pull, PushPullDriver } from '../wire';

/** What the fakes need of a board: its simulator and the nets of its pads (SimBoard fits). */
export interface DigitalIoBoard {
  readonly sim: Pick<Simulator, 'after' | 'cancel' | 'now'>;
  pin(n: number): Net;
}

export interface FakeDigitalIoOptions {
  /** µs from the edge (the ISR) to onReadable on the JavaScript thread (0: the next simulator job). */
  latencyUs?: number;
}

/** What the fake native layer did, for tests. */
export interface FakeDigitalIoStats {
  /** Edges that matched a bank's rises/falls. */
  edges: number;
  /** Edges that found their pin's bit already set: merged into one bit of one delivery. */
  coalesced: number;
  /** onReadable calls. */
  deliveries: number;
  /** Deliveries dropped because their bank was closed first. */
  cancelled: number;
}

export const DIGITAL_INPUT = 0;
export const DIGITAL_INPUT_PULL_UP = 1;
export const DIGITAL_INPUT_PULL_DOWN = 2;
export const DIGITAL_INPUT_PULL_UP_DOWN = 3;
export const DIGITAL_OUTPUT = 8;
export const DIGITAL_OUTPUT_OPEN_DRAIN = 9;

/** The mode constants Digital and DigitalBank both carry as statics. */
export interface FakeDigitalModes {
  readonly Input: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly InputPullUpDown: number;
  readonly Output: number;
  readonly OutputOpenDrain: number;
}

export interface FakeDigitalBankConstructor extends FakeDigitalModes {
  new (options: DigitalBankOptions): DigitalBankInstance & { readonly format: 'number' };
}

export interface FakeDigitalBankIo {
  readonly DigitalBank: FakeDigitalBankConstructor;
  readonly stats: Readonly<FakeDigitalIoStats>;
  /** Edges merged on one GPIO since the start. */
  coalesced(gpio: number): number;
  /** The pins of `bank` some open object holds (Moddable's builtinUsePins bookkeeping). */
  pinsInUse(bank: number): number;
  /**
   * When the GPIO's latest reported edge happened (the first edge of its pending bit): what the real
   * port cannot tell, handed to Esp32Gpio's edgeTime option so the core measures latency from the edge.
   */
  edgeTime(gpio: number): number | undefined;
}

/** xsmcToInteger: undefined and NaN give 0. */
function toInteger(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) | 0 : 0;
}

interface OpenPin {
  readonly gpio: number;
  readonly bit: number;
  readonly net: Net;
  readonly restorePull: Pull | undefined;
  readonly driver: PushPullDriver | OpenDrainDriver | undefined;
  unsubscribe: (() => void) | undefined;
}

interface BankState {
  readonly bank: number;
  readonly pins: number;
  readonly isInput: boolean;
  readonly openDrain: boolean;
  readonly rises: number;
  readonly falls: number;
  readonly onReadable: ((this: DigitalBankInstance, triggered: number) => void) | undefined;
  readonly open: OpenPin[];
  triggered: number;
  delivery: SimTimer | undefined;
}

/** A DigitalBank class bound to `board` (one per board, with its own pin bookkeeping and statistics). */
export function createFakeDigitalBank(board: DigitalIoBoard, options: FakeDigitalIoOptions = {}): FakeDigitalBankIo {
  const latencyUs = options.latencyUs ?? 0;
  if (!(latencyUs >= 0)) throw new RangeError(`createFakeDigitalBank: latencyUs ${latencyUs} must be >= 0`);
  const available: number[] = [...ESP32_VALID_PINS];
  const stats: FakeDigitalIoStats = { edges: 0, coalesced: 0, deliveries: 0, cancelled: 0 };
  const coalescedPerGpio = new Map<number, number>();
  /** When each GPIO's pending bit was set: the time of the edge a delivery reports (see edgeTime). */
  const edgeAt = new Map<number, number>();
  const states = new WeakMap<object, BankState>();

  function stateOf(obj: object): BankState {
    const state = states.get(obj);
    if (state === undefined) throw new SyntaxError('C: xsGetHostData: invalid');
    return state;
  }

  function edge(self: DigitalBankInstance, state: BankState, pin: OpenPin, level: Level): void {
    if (!((level === 1 ? state.rises : state.falls) & pin.bit)) return;
    stats.edges++;
    if (state.triggered & pin.bit) {
      stats.coalesced++;
      coalescedPerGpio.set(pin.gpio, (coalescedPerGpio.get(pin.gpio) ?? 0) + 1);
      return;
    }
    const first = state.triggered === 0;
    state.triggered |= pin.bit;
    edgeAt.set(pin.gpio, board.sim.now());
    if (first) state.delivery = board.sim.after(latencyUs, () => deliver(self, state));
  }

  function deliver(self: DigitalBankInstance, state: BankState): void {
    state.delivery = undefined;
    const triggered = state.triggered;
    state.triggered = 0;
    if (triggered === 0 || state.onReadable === undefined) return;
    stats.deliveries++;
    state.onReadable.call(self, triggered);
  }

  class DigitalBank implements DigitalBankInstance {
    static readonly Input = DIGITAL_INPUT;
    static readonly InputPullUp = DIGITAL_INPUT_PULL_UP;
    static readonly InputPullDown = DIGITAL_INPUT_PULL_DOWN;
    static readonly InputPullUpDown = DIGITAL_INPUT_PULL_UP_DOWN;
    static readonly Output = DIGITAL_OUTPUT;
    static readonly OutputOpenDrain = DIGITAL_OUTPUT_OPEN_DRAIN;

    constructor(dictionary: DigitalBankOptions) {
      const o = dictionary as unknown as Record<string, unknown>;
      let bank = 0;
      if ('bank' in o) {
        bank = toInteger(o.bank);
        if (bank < 0 || bank >= ESP32_PIN_BANKS) throw new Error('invalid bank');
      }
      const pins = toInteger(o.pins);
      if (!pins || pins !== (pins & ESP32_VALID_PINS[bank])) throw new Error('invalid pin');
      if ((available[bank] & pins) !== pins) throw new Error('in use');

      if (o.mode === undefined) throw new Error('invalid');
      const mode = toInteger(o.mode);
      const isInput = mode >= DIGITAL_INPUT && mode <= DIGITAL_INPUT_PULL_UP_DOWN;
      if (!isInput && mode !== DIGITAL_OUTPUT && mode !== DIGITAL_OUTPUT_OPEN_DRAIN) throw new RangeError('invalid mode');

      let rises = 0;
      let falls = 0;
      let onReadable: BankState['onReadable'];
      if (isInput) {
        // The option bag's callback, else one a subclass defines (io.md: the option bag takes precedence).
        const cb = o.onReadable ?? (this as { onReadable?: unknown }).onReadable;
        if (typeof cb === 'function') {
          onReadable = cb as BankState['onReadable'];
          if ('rises' in o) rises = toInteger(o.rises) & pins;
          if ('falls' in o) falls = toInteger(o.falls) & pins;
          if (!rises && !falls) throw new RangeError('invalid edges');
        }
      } else if (pins !== (pins & ESP32_VALID_OUTPUT_PINS[bank])) {
        throw new RangeError('input only');
      }
      if ('target' in o) (this as { target?: unknown }).target = o.target;
      if ('format' in o && o.format && o.format !== 'number') throw new RangeError('invalid format');

      const state: BankState = {
        bank, pins, isInput, openDrain: mode === DIGITAL_OUTPUT_OPEN_DRAIN, rises, falls, onReadable,
        open: [], triggered: 0, delivery: undefined,
      };
      for (let b = 0; b < 32; b++) {
        const bit = 1 << b;
        if (!(pins & bit)) continue;
        const gpio = bank * 32 + b;
        const net = board.pin(gpio);
        let restorePull: Pull | undefined;
        let driver: PushPullDriver | OpenDrainDriver | undefined;
        if (isInput) {
          const pull: Pull | undefined = mode === DIGITAL_INPUT_PULL_UP ? 'up' : mode === DIGITAL_INPUT_PULL_DOWN ? 'down' : undefined;
          if (pull !== undefined && !isInputOnlyGpio(gpio)) {
            restorePull = net.pull;
            net.setPull(pull);
          }
        } else if (state.openDrain) {
          const od = net.openDrain(`DigitalBank GPIO${gpio}`);
          od.assert(); // gpio_set_level(pin, 0) before the direction is set
          driver = od;
        } else {
          const pp = net.pushPull(`DigitalBank GPIO${gpio}`);
          pp.drive(0);
          driver = pp;
        }
        const pin: OpenPin = { gpio, bit, net, restorePull, driver, unsubscribe: undefined };
        state.open.push(pin);
      }
      if (onReadable !== undefined) {
        for (const pin of state.open) pin.unsubscribe = pin.net.onChange((level) => edge(this, state, pin, level));
      }
      available[bank] &= ~pins;
      states.set(this, state);
    }

    read(): number {
      const state = stateOf(this);
      if (!state.isInput) throw new Error('unimplemented');
      let value = 0;
      for (const pin of state.open) if (pin.net.level() === 1) value |= pin.bit;
      return value;
    }

    write(value: number): void {
      const state = stateOf(this);
      if (state.isInput) throw new Error('unimplemented');
      const bits = toInteger(value) & state.pins;
      for (const pin of state.open) {
        const high = (bits & pin.bit) !== 0;
        const driver = pin.driver!;
        if (state.openDrain) {
          if (high) driver.release();
          else (driver as OpenDrainDriver).assert();
        } else {
          (driver as PushPullDriver).drive(high ? 1 : 0);
        }
      }
    }

    close(): void {
      const state = states.get(this);
      if (state === undefined) return;
      states.delete(this);
      if (state.delivery !== undefined) {
        board.sim.cancel(state.delivery);
        state.delivery = undefined;
        stats.cancelled++;
      }
      for (const pin of state.open) {
        pin.unsubscribe?.();
        pin.driver?.release();
        if (pin.restorePull !== undefined) pin.net.setPull(pin.restorePull);
      }
      available[state.bank] |= state.pins;
    }

    get format(): 'number' {
      return 'number';
    }

    set format(value: 'number') {
      if (value !== 'number') throw new RangeError('invalid format');
    }
  }

  return Object.freeze({
    DigitalBank,
    stats,
    coalesced: (gpio: number) => coalescedPerGpio.get(gpio) ?? 0,
    pinsInUse: (bank: number) => (ESP32_VALID_PINS[bank] ?? 0) & ~(available[bank] ?? 0),
    edgeTime: (gpio: number) => edgeAt.get(gpio),
  });
}
