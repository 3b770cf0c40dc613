/*
 * A host fake of Moddable's ECMA-419 DigitalBank for the ESP32 (modules/io/digital/digitalbank.js over
 * modules/io/digital/esp32/digitalbank.c, with modules/io/common/builtinCommon.c for the pin bookkeeping and
 * the option helpers), on the simulated board's GPIO peripheral (hal/mock/gpio-peripheral.ts) through
 * ESP-IDF's GPIO driver (hal/mock/esp-idf/gpio.ts), as digitalbank.c sits on the chip. It replaces Moddable's
 * native layer, not the hardware. It is as strict as Moddable 8.2.3, because a kinder fake let the device
 * entry pass every host test and crash on the board.
 *
 * As on the board:
 * - The option bag `{ pins, bank, mode, rises, falls, onReadable, activeLow, initialValue, target, format }`;
 *   `pins` is a bit mask relative to `bank` (0: GPIO 0-31, 1: GPIO 32-39). Mode constants are static
 *   properties (Input 0, InputPullUp 1, InputPullDown 2, InputPullUpDown 3, Output 8, OutputOpenDrain 9,
 *   ActiveLow 16). digitalbank.js declares ActiveLow = 16, but the ESP32 constructor accepts only modes 0-3, 8
 *   and 9: a mode with ActiveLow is RangeError "invalid mode". Active-low is the `activeLow` option (truthy:
 *   every pin of the bank): read() and write() invert, `initialValue` is inverted, and rises/falls are
 *   swapped before the pins are armed, so `rises` still means "becomes active".
 * - onReadable comes from the option bag only (builtinGetCallback reads the dictionary, not the instance): a
 *   subclass's onReadable method is never called. null/undefined is none; anything else not callable is
 *   Error "not a function".
 * - Arming: an input bank with onReadable installs ESP-IDF's GPIO ISR service (once per chip), adds digitalISR
 *   as each pin's handler, enables the pin's interrupt and sets its type from its rises/falls bits
 *   (GPIO_INTR_ANYEDGE, POSEDGE or NEGEDGE). The peripheral latches an edge of that type in its status
 *   register; edges while the bit is still latched merge there (the peripheral's `coalesced`).
 * - The ISR (ESP-IDF's gpio_intr_service calling digitalISR for each latched pin): digitalISR finds the record
 *   holding the pin (the newest first, as gDigitals is walked), ORs the pin's bit into its `triggered` mask
 *   and, only if the mask was 0, posts one message to the JavaScript thread (modMessagePostToMachineFromISR),
 *   ignoring the result. The message sits in the task's queue (xs/platforms/esp/xsHost.c: MODDEF_TASK_QUEUELENGTH, 10 by
 *   default, one queue for everything that posts to the JavaScript thread) until the JavaScript thread runs
 *   it, `latencyUs` later here; it then takes the mask, clears it and calls onReadable(mask) with `this` the
 *   bank, charged the board's virtual CPU cost of a hardirq first (sim.cpu.hardirqUs). Edges before it runs coalesce
 *   into their pin's bit (counted in `stats.coalesced`).
 * - THE SILENT PIN: when the queue is full, xQueueSendToBackFromISR fails and the post is dropped; `triggered`
 *   stays set, so every later edge of every pin of that bank finds it non-zero and posts nothing: the bank
 *   never calls onReadable again until it is closed and opened anew (a new native record). Failed posts are
 *   `stats.postFailures`; edges swallowed by a silent bank are `stats.silenced`.
 * - close() removes each pin's ISR handler, resets the pin (gpio_reset_pin: interrupt off, type disabled; the
 *   pad's pull goes) and drops a delivery still queued: the
 *   message stays in the queue, holding its slot, until the JavaScript thread reaches it, then does nothing
 *   (digitalDeliver frees the record). A record whose post failed is never freed (the ISR's useCount++ is
 *   never matched): `stats.leakedRecords`. A closed object's read/write throw.
 * - The errors of digitalbank.c and builtinCommon.c: Error "invalid bank", "invalid pin" (no pin, or one the
 *   ESP32 lacks), "in use" (also a pin an I2C instance holds, when the registry is shared), "invalid" (no
 *   mode), "not a function"; RangeError "invalid mode", "invalid edges" (onReadable without rises or falls
 *   within pins), "input only" (output on GPIO 34-39), "invalid format"; Error "can't read output" and
 *   "can't write input". After close, XS's host-data check throws SyntaxError "C: xsGetHostData: invalid"
 *   (xs/sources/xsAPI.c, fxGetHostDataValidate). A debug build of XS appends " (in <function>)" to the
 *   message of errors thrown from C; the fakes throw the release build's messages.
 *
 * Simplified: an input mode with a pull sets the net's pull while the bank is open and restores the previous
 * one on close; GPIO 34-39 get no pull (they have none; the ESP-IDF logs an error). InputPullUpDown leaves
 * the net's pull as it is.
 */
import { hasPulls, socPins, type Esp32Soc, type SocPins } from '../../esp32/pins';
import type { DigitalBankInstance, DigitalBankOptions } from '../../esp32/io-types';
import { espIdfGpio } from '../esp-idf/gpio';
import {
  GPIO_INTR_ANYEDGE, GPIO_INTR_DISABLE, GPIO_INTR_NEGEDGE, GPIO_INTR_POSEDGE, type Esp32GpioPeripheral,
} from '../gpio-peripheral';
import type { Simulator } from '../sim';
import type { Net, OpenDrainDriver, Pull, PushPullDriver } from '../wire';

/** What the fakes need of a board: its simulator, its GPIO peripheral and the nets of its pads (SimBoard fits). */
export interface DigitalIoBoard {
  readonly sim: Pick<Simulator, 'after' | 'cancel' | 'now' | 'spend' | 'cpu'>;
  /** The chip whose pin table (valid pins, banks, input-only pins, pulls) the fakes use: 'esp32' when absent. */
  readonly soc?: Esp32Soc;
  readonly gpio: Esp32GpioPeripheral;
  pin(n: number): Net;
}

/** MODDEF_TASK_QUEUELENGTH's default (xs/platforms/esp/xsHost.c). */
export const MODDABLE_TASK_QUEUE_LENGTH = 10;

/**
 * The XS task's message queue (the machine's msgQueue): what the ISRs post to and the JavaScript thread
 * drains. One per fake-IO instance (a provider): every fake that posts to the JavaScript thread shares it.
 */
export interface FakeMessageQueue {
  readonly capacity: number;
  /** Messages posted and not yet run by the JavaScript thread. */
  readonly length: number;
  /** Posts dropped because the queue was full. */
  readonly failed: number;
  /**
   * Post a message from an ISR: `run` is called on the JavaScript thread `delayUs` later, its slot held until
   * then. False when the queue is full (modMessagePostToMachineFromISR's -1): nothing is scheduled.
   */
  post(run: () => void, delayUs: number): boolean;
}

export function createFakeMessageQueue(sim: DigitalIoBoard['sim'], capacity = MODDABLE_TASK_QUEUE_LENGTH): FakeMessageQueue {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`message queue capacity ${capacity} must be a positive integer`);
  let length = 0;
  let failed = 0;
  return {
    capacity,
    get length() {
      return length;
    },
    get failed() {
      return failed;
    },
    post(run, delayUs) {
      if (length >= capacity) {
        failed++;
        return false;
      }
      length++;
      sim.after(delayUs, () => {
        length--;
        run();
      });
      return true;
    },
  };
}

/**
 * builtinCommon.c's gDigitalAvailable: which pins no IO object holds. Shared by every fake of one provider,
 * so a DigitalBank on an I2C pin is "in use" and an I2C on a DigitalBank's pin is "inUse", as on the board.
 */
export interface FakePinRegistry {
  /** builtinArePinsFree: false for a bank past kPinBanks. */
  arePinsFree(bank: number, pins: number): boolean;
  use(bank: number, pins: number): void;
  free(bank: number, pins: number): void;
  /** The valid pins of `bank` some object holds. */
  inUse(bank: number): number;
}

export function createFakePinRegistry(pinTable: SocPins = socPins('esp32')): FakePinRegistry {
  const available: number[] = [...pinTable.validMask];
  return {
    arePinsFree: (bank, pins) => bank >= 0 && bank < pinTable.banks && (available[bank] & pins) >>> 0 === pins >>> 0,
    use(bank, pins) {
      available[bank] &= ~pins;
    },
    free(bank, pins) {
      if (bank >= 0 && bank < pinTable.banks) available[bank] |= pins;
    },
    inUse: (bank) => ((pinTable.validMask[bank] ?? 0) & ~(available[bank] ?? 0)) >>> 0,
  };
}

export interface FakeDigitalIoOptions {
  /** µs from the edge (the ISR) to onReadable on the JavaScript thread (0: the next simulator job). */
  latencyUs?: number;
  /** Capacity of the message queue created when `queue` is not given (MODDEF_TASK_QUEUELENGTH, 10). */
  queueLength?: number;
  /** A message queue shared with other fakes (see createFakeProvider). */
  queue?: FakeMessageQueue;
  /** A pin registry shared with other fakes (see createFakeProvider). */
  pins?: FakePinRegistry;
}

/** What the fake native layer did, for tests. */
export interface FakeDigitalIoStats {
  /** digitalISR calls for a pin of an open bank (one per latched status bit the ISR service found). */
  edges: number;
  /**
   * Edges merged: those that found their pin's bit already set in a live bank's `triggered` (one bit of one
   * delivery), and those the peripheral's status latch merged before the ISR ran, for pins of open banks.
   */
  coalesced: number;
  /** onReadable calls. */
  deliveries: number;
  /** Deliveries dropped because their bank was closed first. */
  cancelled: number;
  /** Posts the full message queue refused: each one left its bank silent. */
  postFailures: number;
  /** Edges that fell into a silent bank: never delivered. */
  silenced: number;
  /** Native records never freed: banks closed after a failed post. */
  leakedRecords: number;
}

export const DIGITAL_INPUT = 0;
export const DIGITAL_INPUT_PULL_UP = 1;
export const DIGITAL_INPUT_PULL_DOWN = 2;
export const DIGITAL_INPUT_PULL_UP_DOWN = 3;
export const DIGITAL_OUTPUT = 8;
export const DIGITAL_OUTPUT_OPEN_DRAIN = 9;
/** digitalbank.js's DigitalBank.ActiveLow: declared, refused as a mode by the ESP32 constructor. */
export const DIGITAL_ACTIVE_LOW = 16;

/** The mode constants Digital and DigitalBank both carry as statics. */
export interface FakeDigitalModes {
  readonly Input: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly InputPullUpDown: number;
  readonly Output: number;
  readonly OutputOpenDrain: number;
  readonly ActiveLow: number;
}

export interface FakeDigitalBankConstructor extends FakeDigitalModes {
  new (options: DigitalBankOptions): DigitalBankInstance & { readonly format: 'number' };
}

export interface FakeDigitalBankIo {
  readonly DigitalBank: FakeDigitalBankConstructor;
  readonly stats: Readonly<FakeDigitalIoStats>;
  /** The message queue the banks post to. */
  readonly queue: FakeMessageQueue;
  /** The pin registry the banks claim their pins in. */
  readonly pins: FakePinRegistry;
  /** Edges merged on one GPIO since the start, by the `triggered` mask and by the peripheral's latch. */
  coalesced(gpio: number): number;
  /** The pins of `bank` some open object holds (Moddable's builtinUsePins bookkeeping). */
  pinsInUse(bank: number): number;
  /** Open banks whose post failed: they will never call onReadable again. */
  silentBanks(): number;
  /**
   * When the GPIO's latest reported edge happened (the first edge of its pending bit): what the real
   * port cannot tell, handed to Esp32Gpio's edgeTime option so the core measures latency from the edge.
   */
  edgeTime(gpio: number): number | undefined;
}

/** xsmcToInteger: undefined and NaN give 0. */
export function toInteger(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) | 0 : 0;
}

/** xsmcToUnsigned. */
function toUnsigned(value: unknown): number {
  return toInteger(value) >>> 0;
}

type OnReadable = (this: DigitalBankInstance, triggered: number) => void;

/** builtinGetCallback: the dictionary's own (or inherited) property, never the instance's. */
function callbackOf(dictionary: Record<string, unknown>): OnReadable | undefined {
  const cb = dictionary.onReadable;
  if (cb === undefined || cb === null) return undefined;
  if (typeof cb !== 'function') throw new Error('not a function');
  return cb as OnReadable;
}

interface OpenPin {
  readonly gpio: number;
  readonly bit: number;
  readonly net: Net;
  readonly restorePull: Pull | undefined;
  readonly driver: PushPullDriver | OpenDrainDriver | undefined;
  /** The peripheral's merge count for the pin, as far as this bank has accounted for it. */
  latchMerges: number;
}

interface BankState {
  readonly bank: number;
  readonly pins: number;
  readonly isInput: boolean;
  readonly openDrain: boolean;
  readonly activeLow: number;
  /** Physical edges, after the active-low swap (what gpio_set_intr_type was given). */
  readonly rises: number;
  readonly falls: number;
  readonly onReadable: OnReadable | undefined;
  readonly self: DigitalBankInstance;
  readonly open: OpenPin[];
  triggered: number;
  /** A message for this record is in the queue. */
  posted: boolean;
  /** A post failed: `triggered` stays set for good. */
  silent: boolean;
  closed: boolean;
}

/** A DigitalBank class bound to `board` (one per board, with its own pin bookkeeping and statistics). */
export function createFakeDigitalBank(board: DigitalIoBoard, options: FakeDigitalIoOptions = {}): FakeDigitalBankIo {
  const latencyUs = options.latencyUs ?? 0;
  if (!(latencyUs >= 0)) throw new RangeError(`createFakeDigitalBank: latencyUs ${latencyUs} must be >= 0`);
  // The pin table of the chip the simulated board is (SimBoard's soc).
  const pinTable = socPins(board.soc ?? 'esp32');
  const queue = options.queue ?? createFakeMessageQueue(board.sim, options.queueLength);
  const registry = options.pins ?? createFakePinRegistry(pinTable);
  const stats: FakeDigitalIoStats = { edges: 0, coalesced: 0, deliveries: 0, cancelled: 0, postFailures: 0, silenced: 0, leakedRecords: 0 };
  const coalescedPerGpio = new Map<number, number>();
  /** When each GPIO's pending bit was set: the time of the edge a delivery reports (see edgeTime). */
  const edgeAt = new Map<number, number>();
  const states = new WeakMap<object, BankState>();
  /** gDigitals: the open records with onReadable, the newest first (digitalISR walks it in this order). */
  const records: BankState[] = [];
  const live = new Set<BankState>();
  const idf = espIdfGpio(board.gpio);

  function stateOf(obj: object): BankState {
    const state = states.get(obj);
    if (state === undefined) throw new SyntaxError('C: xsGetHostData: invalid');
    return state;
  }

  function countMerges(pin: OpenPin, n: number): void {
    if (n === 0) return;
    stats.coalesced += n;
    coalescedPerGpio.set(pin.gpio, (coalescedPerGpio.get(pin.gpio) ?? 0) + n);
  }

  /** Edges the peripheral's latch merged on an open pin since this bank last looked. */
  function absorbLatchMerges(pin: OpenPin): void {
    const now = board.gpio.coalesced(pin.gpio);
    countMerges(pin, now - pin.latchMerges);
    pin.latchMerges = now;
  }

  /** digitalISR(pin): called by ESP-IDF's ISR service for a latched pin with this handler. */
  function digitalIsr(gpio: number): void {
    const bank = gpio >> 5;
    const bit = 1 << (gpio & 31);
    let state: BankState | undefined;
    for (const r of records) {
      if (r.bank === bank && (r.pins & bit) !== 0) {
        state = r;
        break;
      }
    }
    if (state === undefined) return;
    let pin = state.open[0];
    for (const p of state.open) if (p.gpio === gpio) pin = p;
    absorbLatchMerges(pin);
    stats.edges++;
    if (state.silent) {
      stats.silenced++;
      return;
    }
    if (state.triggered & bit) {
      countMerges(pin, 1);
      return;
    }
    const first = state.triggered === 0;
    state.triggered |= bit;
    edgeAt.set(gpio, board.sim.now());
    if (!first) return;
    // The post's result is ignored by digitalbank.c: a refused post leaves `triggered` set for good.
    if (queue.post(() => deliver(state), latencyUs)) {
      state.posted = true;
    } else {
      state.silent = true;
      stats.postFailures++;
    }
  }

  /** digitalDeliver, when the JavaScript thread reaches the message. */
  function deliver(state: BankState): void {
    state.posted = false;
    if (state.closed) return; // the record is freed; the closed object's bits are gone
    const triggered = state.triggered;
    state.triggered = 0;
    if (triggered === 0 || state.onReadable === undefined) return;
    stats.deliveries++;
    board.sim.spend(board.sim.cpu.hardirqUs);
    state.onReadable.call(state.self, triggered);
  }

  class DigitalBank implements DigitalBankInstance {
    static readonly Input = DIGITAL_INPUT;
    static readonly InputPullUp = DIGITAL_INPUT_PULL_UP;
    static readonly InputPullDown = DIGITAL_INPUT_PULL_DOWN;
    static readonly InputPullUpDown = DIGITAL_INPUT_PULL_UP_DOWN;
    static readonly Output = DIGITAL_OUTPUT;
    static readonly OutputOpenDrain = DIGITAL_OUTPUT_OPEN_DRAIN;
    static readonly ActiveLow = DIGITAL_ACTIVE_LOW;

    constructor(dictionary: DigitalBankOptions) {
      // The checks in xs_digitalbank_constructor's order: the first failing one names the error.
      const o = dictionary as unknown as Record<string, unknown>;
      let bank = 0;
      if ('bank' in o) {
        bank = toUnsigned(o.bank);
        if (bank >= pinTable.banks) throw new Error('invalid bank');
      }
      const pins = toUnsigned(o.pins);
      if (!pins || pins !== (pins & pinTable.validMask[bank]) >>> 0) throw new Error('invalid pin');
      if (!registry.arePinsFree(bank, pins)) throw new Error('in use');

      if (o.mode === undefined) throw new Error('invalid');
      const mode = toInteger(o.mode);
      const isInput = mode >= DIGITAL_INPUT && mode <= DIGITAL_INPUT_PULL_UP_DOWN;
      if (!isInput && mode !== DIGITAL_OUTPUT && mode !== DIGITAL_OUTPUT_OPEN_DRAIN) throw new RangeError('invalid mode');

      const activeLow = 'activeLow' in o && o.activeLow ? pins : 0;
      let rises = 0;
      let falls = 0;
      let initialValue = 0;
      let onReadable: OnReadable | undefined;
      if (isInput) {
        onReadable = callbackOf(o);
        if (onReadable !== undefined) {
          if ('rises' in o) rises = toUnsigned(o.rises) & pins;
          if ('falls' in o) falls = toUnsigned(o.falls) & pins;
          if (!rises && !falls) throw new RangeError('invalid edges');
          if (activeLow) [rises, falls] = [falls, rises];
        }
      } else {
        if (pins !== (pins & pinTable.outputMask[bank]) >>> 0) throw new RangeError('input only');
        if ('initialValue' in o) initialValue = toUnsigned(o.initialValue) & pins;
      }
      if ('target' in o) (this as { target?: unknown }).target = o.target;
      if ('format' in o && o.format && o.format !== 'number') throw new RangeError('invalid format');

      const state: BankState = {
        bank, pins, isInput, openDrain: mode === DIGITAL_OUTPUT_OPEN_DRAIN, activeLow, rises, falls, onReadable,
        self: this, open: [], triggered: 0, posted: false, silent: false, closed: false,
      };
      for (let b = 0; b < 32; b++) {
        const bit = 1 << b;
        if (!(pins & bit)) continue;
        const gpio = bank * 32 + b;
        const net = board.pin(gpio);
        let restorePull: Pull | undefined;
        let driver: PushPullDriver | OpenDrainDriver | undefined;
        const high = ((initialValue ^ activeLow) & bit) !== 0; // gpio_set_level before the direction is set
        if (isInput) {
          const pull: Pull | undefined = mode === DIGITAL_INPUT_PULL_UP ? 'up' : mode === DIGITAL_INPUT_PULL_DOWN ? 'down' : undefined;
          if (pull !== undefined && hasPulls(pinTable, gpio)) {
            restorePull = net.pull;
            net.setPull(pull);
          }
        } else if (state.openDrain) {
          const od = net.openDrain(`DigitalBank GPIO${gpio}`);
          if (!high) od.assert();
          driver = od;
        } else {
          const pp = net.pushPull(`DigitalBank GPIO${gpio}`);
          pp.drive(high ? 1 : 0);
          driver = pp;
        }
        state.open.push({ gpio, bit, net, restorePull, driver, latchMerges: board.gpio.coalesced(gpio) });
      }
      if (onReadable !== undefined) {
        if (!idf.isrServiceInstalled) idf.gpioInstallIsrService();
        records.unshift(state);
        for (const pin of state.open) {
          idf.gpioIsrHandlerAdd(pin.gpio, () => digitalIsr(pin.gpio));
          idf.gpioIntrEnable(pin.gpio);
          const rise = (rises & pin.bit) !== 0;
          const fall = (falls & pin.bit) !== 0;
          idf.gpioSetIntrType(pin.gpio, rise && fall ? GPIO_INTR_ANYEDGE : rise ? GPIO_INTR_POSEDGE : fall ? GPIO_INTR_NEGEDGE : GPIO_INTR_DISABLE);
        }
      }
      registry.use(bank, pins);
      states.set(this, state);
      live.add(state);
    }

    read(): number {
      const state = stateOf(this);
      if (!state.isInput) throw new Error("can't read output");
      let value = 0;
      for (const pin of state.open) if (pin.net.level() === 1) value |= pin.bit;
      return (value ^ state.activeLow) >>> 0;
    }

    write(value: number): void {
      const state = stateOf(this);
      if (state.isInput) throw new Error("can't write input");
      const bits = (toUnsigned(value) ^ state.activeLow) & state.pins;
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
      live.delete(state);
      state.closed = true;
      // The queued message keeps its slot until the JavaScript thread reaches it (then does nothing).
      if (state.posted) stats.cancelled++;
      if (state.silent) stats.leakedRecords++;
      if (state.onReadable !== undefined) records.splice(records.indexOf(state), 1);
      for (const pin of state.open) {
        if (state.onReadable !== undefined) {
          absorbLatchMerges(pin);
          idf.gpioIsrHandlerRemove(pin.gpio);
        }
        idf.gpioResetPin(pin.gpio);
        pin.driver?.release();
        if (pin.restorePull !== undefined) pin.net.setPull(pin.restorePull);
      }
      registry.free(state.bank, state.pins);
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
    queue,
    pins: registry,
    coalesced: (gpio: number) => coalescedPerGpio.get(gpio) ?? 0,
    pinsInUse: (bank: number) => registry.inUse(bank),
    silentBanks: () => {
      let n = 0;
      for (const state of live) if (state.silent) n++;
      return n;
    },
    edgeTime: (gpio: number) => edgeAt.get(gpio),
  });
}
