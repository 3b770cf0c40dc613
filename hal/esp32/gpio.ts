/*
 * The ESP32 GPIO pins as an irq_chip, on the board, over Moddable's ECMA-419 DigitalBank: the real-board
 * counterpart of hal/mock/gpio.ts.
 *
 * What the hardware and Moddable do (modules/io/digital/esp32/digitalbank.c): the GPIO ISR of a pin ORs its
 * bit into its DigitalBank's `triggered` mask and, if the mask was empty, posts one message to the
 * JavaScript thread; the message handler takes the mask, clears it and calls onReadable(mask). Two edges of
 * a pin before the message runs are one bit. Only edges can be asked for (rises/falls).
 *
 * What this chip does in software:
 * - onReadable is the hardirq entry. It latches the mask (our "status register") and enters the parent
 *   line, whose chained handler demultiplexes the mask into per-pin irqs through a linear domain.
 * - Masking is lazy: the DigitalBank stays open; a masked pin that fires is marked pending and counted, and
 *   unmask replays it in a deferred job (irqRetrigger does the same, so a pending edge is re-raised once).
 * - Level types are emulated: level-low opens the pin with falls, level-high with rises, the flow is
 *   handleLevelIrq, and unmask reads the pin: while the level is still asserted the irq is entered again in
 *   a deferred job (counted in levelRetriggers).
 *
 * One DigitalBank per pin, opened at irqStartup and closed at irqShutdown: every pin keeps its own pull mode
 * (a bank has one mode for all its pins), and a type change that needs other rises/falls reopens only that
 * pin. Its cost: one native record and one ISR-list entry per pin (the ISR walks the list), and pins firing
 * together are separate deliveries. Falling and level-low (rising and level-high) open the same bank, so a
 * switch between them reopens nothing.
 *
 * Nothing touches native IO at module load (Moddable's preload runs and freezes modules at build time):
 * every bank is opened by an instance created at start-up.
 */
import {
  IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW,
  IRQ_TYPE_LEVEL_MASK, IRQ_TYPE_NONE, IrqError, chainedIrqEnter, chainedIrqExit, handleEdgeIrq, handleLevelIrq,
  irqDataGetChipData, irqSetHandlerLocked, triggerName, type IrqChip, type IrqCore, type IrqData, type IrqDesc,
  type IrqDomain,
} from '../../firmware/irq';
import type { DigitalBankInstance, Esp32Io } from './io-types';
import { ESP32_GPIO_COUNT, ESP32_PIN_BANKS, isValidGpio } from './pins';
import { Esp32Wake, type Esp32WakeSources } from './wake';

/** The input modes a pin can be opened with (DigitalBank.Input, InputPullUp, InputPullDown, InputPullUpDown). */
export type Esp32PinMode = 'input' | 'pullup' | 'pulldown' | 'pullupdown';

const PIN_MODES: readonly Esp32PinMode[] = Object.freeze(['input', 'pullup', 'pulldown', 'pullupdown'] as const);

/** The edges a trigger type opens its DigitalBank with: [rises, falls]. Level types are emulated on an edge. */
const EDGES_OF_TYPE: Readonly<Record<number, readonly [boolean, boolean]>> = Object.freeze({
  [IRQ_TYPE_EDGE_RISING]: Object.freeze([true, false] as const),
  [IRQ_TYPE_EDGE_FALLING]: Object.freeze([false, true] as const),
  [IRQ_TYPE_EDGE_BOTH]: Object.freeze([true, true] as const),
  [IRQ_TYPE_LEVEL_HIGH]: Object.freeze([true, false] as const),
  [IRQ_TYPE_LEVEL_LOW]: Object.freeze([false, true] as const),
});

export interface Esp32GpioOptions {
  /** Name of the chip, the domain and the parent line's chip ("esp32-gpio"). */
  name?: string;
  /**
   * irqSetWake sources must also wake the chip from deep sleep (ext1: RTC GPIOs, one mode): true by
   * default. With false any GPIO with a level can wake it from light sleep.
   */
  deepSleepWake?: boolean;
  /**
   * When the pending edge of a GPIO happened, where the platform can tell (the simulated board can;
   * Moddable's digitalbank reports no time). Given, the core's latency statistics measure from the edge.
   */
  edgeTime?: (gpio: number) => number | undefined;
}

/** Counters of everything the pins did; the HAL's `stats` and each pin's `pinInfo` carry the same names. */
export interface Esp32GpioCounters {
  /** Pin bits delivered by onReadable (one per pin per delivery). */
  edges: number;
  /**
   * Edges known to have been merged with another: a both-edge pin whose level at delivery is the level of
   * its previous delivery (an even number of edges went by as one bit), an edge arriving while a pending
   * one is latched, a pending edge replayed together with a retrigger.
   */
  coalesced: number;
  /** Bits delivered for a pin with no open bank or no mapping (dropped). */
  ignored: number;
  /** Bits delivered while the pin was masked: latched as pending. */
  pendingWhileMasked: number;
  /** Pending edges re-raised (unmask, irqRetrigger). */
  replays: number;
  /** Level lines entered again because unmask found the level still asserted. */
  levelRetriggers: number;
  /** DigitalBanks closed and opened again for a type change. */
  reopens: number;
}

export interface Esp32GpioStats extends Esp32GpioCounters {
  /** onReadable calls (hardirq entries). */
  deliveries: number;
}

/** What pinInfo(pin) reports. */
export interface Esp32PinInfo extends Esp32GpioCounters {
  readonly pin: number;
  readonly irq: number;
  readonly mode: Esp32PinMode;
  /** The trigger type the chip was set to (IRQ_TYPE_*). */
  readonly type: number;
  /** A DigitalBank is open for the pin. */
  readonly open: boolean;
  readonly masked: boolean;
  readonly pending: boolean;
  readonly wake: boolean;
}

interface Pin extends Esp32GpioCounters {
  readonly pin: number;
  /** 0 for GPIO 0-31, 1 for 32-39. */
  readonly bankIndex: number;
  /** The pin's bit in its bank's masks. */
  readonly bit: number;
  irq: number;
  mode: Esp32PinMode;
  type: number;
  bank: DigitalBankInstance | undefined;
  /** The rises/falls the open bank was created with. */
  rises: boolean;
  falls: boolean;
  started: boolean;
  masked: boolean;
  /** An edge arrived while masked (the software status latch). */
  pending: boolean;
  /** A deferred re-raise is queued. */
  raiseQueued: boolean;
  /** Level at the last delivery, for both-edge pins. */
  lastLevel: number;
}

function newCounters(): Esp32GpioCounters {
  return { edges: 0, coalesced: 0, ignored: 0, pendingWhileMasked: 0, replays: 0, levelRetriggers: 0, reopens: 0 };
}

export class Esp32Gpio {
  readonly chip: IrqChip;
  /** The chip of the parent line: it has nothing to mask (onReadable cannot be held off). */
  readonly parentChip: IrqChip;
  readonly domain: IrqDomain<Esp32Gpio>;
  /** The core's irq for onReadable deliveries: the chained parent of every pin line. */
  readonly parentIrq: number;
  readonly name: string;
  private readonly core: IrqCore;
  private readonly edgeTime: ((gpio: number) => number | undefined) | undefined;
  private readonly io: Esp32Io;
  private readonly wake: Esp32Wake;
  private readonly pins: (Pin | undefined)[] = [];
  /** Bits delivered and not yet demultiplexed, per bank: the status register the chained handler reads. */
  private readonly status: number[] = [];
  private readonly counters: Esp32GpioStats = { ...newCounters(), deliveries: 0 };
  private readonly demux: (desc: IrqDesc) => void;
  /** Our pin modes as the injected DigitalBank's mode constants. */
  private readonly modeValues: Readonly<Record<Esp32PinMode, unknown>>;

  constructor(core: IrqCore, io: Esp32Io, options: Esp32GpioOptions = {}) {
    if (io === undefined || typeof io.DigitalBank !== 'function') {
      throw new TypeError('Esp32Gpio needs { DigitalBank } (import DigitalBank from "embedded:io/digitalbank")');
    }
    this.core = core;
    this.io = io;
    const DigitalBank = io.DigitalBank;
    this.modeValues = Object.freeze({
      input: DigitalBank.Input, pullup: DigitalBank.InputPullUp, pulldown: DigitalBank.InputPullDown,
      pullupdown: DigitalBank.InputPullUpDown,
    });
    this.name = options.name ?? 'esp32-gpio';
    this.edgeTime = options.edgeTime;
    this.wake = new Esp32Wake(options.deepSleepWake !== false);
    for (let b = 0; b < ESP32_PIN_BANKS; b++) this.status.push(0);

    const pinOf = (data: IrqData): Pin => this.pins[irqDataGetChipData<number>(data)]!;
    this.chip = Object.freeze<IrqChip>({
      name: this.name,
      irqStartup: (data) => this.startup(pinOf(data)),
      irqShutdown: (data) => this.shutdown(pinOf(data)),
      irqMask: (data) => {
        pinOf(data).masked = true;
      },
      irqUnmask: (data) => this.unmask(pinOf(data)),
      // The core marks a line started before irqStartup returns: after a failed startup ("in use") the
      // next request only enables it, so enable opens the pin if it is not open yet.
      irqEnable: (data) => {
        const pin = pinOf(data);
        if (pin.started) this.unmask(pin);
        else this.startup(pin);
      },
      irqAck: (data) => this.ack(pinOf(data)),
      irqSetType: (data, type) => this.setType(pinOf(data), data, type),
      irqSetWake: (data, on) => {
        const pin = pinOf(data);
        if (on) this.wake.enable(pin.irq, pin.pin, pin.type);
        else this.wake.disable(pin.pin);
      },
      // A software re-raise: the pin is entered again from a deferred job, through the parent line.
      irqRetrigger: (data) => {
        const pin = pinOf(data);
        if (pin.pending || pin.raiseQueued) this.count(pin, 'coalesced');
        pin.pending = true;
        this.queueRaise(pin);
        return true;
      },
    });
    this.parentChip = Object.freeze<IrqChip>({ name: `${this.name}-onreadable` });
    this.domain = core.irqDomainCreateLinear(ESP32_GPIO_COUNT, {
      map: (_domain, virq, hwirq) => {
        if (!isValidGpio(hwirq)) throw new IrqError('EINVAL', `GPIO${hwirq} does not exist on the ESP32`);
        this.pinAt(hwirq).irq = virq;
        core.irqSetChipAndHandler(virq, this.chip, handleEdgeIrq);
        core.irqSetChipData(virq, hwirq);
      },
      unmap: (_domain, virq) => {
        const pin = this.pins.find((p) => p !== undefined && p.irq === virq);
        if (pin !== undefined) pin.irq = 0;
      },
    }, this, this.name);

    this.demux = (desc: IrqDesc): void => {
      const chip = desc.irqData.chip!;
      chainedIrqEnter(chip, desc);
      for (let b = 0; b < ESP32_PIN_BANKS; b++) {
        let bits = this.status[b];
        this.status[b] = 0;
        while (bits !== 0) {
          const bit = bits & -bits;
          bits ^= bit;
          this.dispatch(b * 32 + (31 - Math.clz32(bit)));
        }
      }
      chainedIrqExit(chip, desc);
    };
    this.parentIrq = core.irqAllocDesc();
    core.irqSetChip(this.parentIrq, this.parentChip);
    core.irqSetChainedHandlerAndData(this.parentIrq, this.demux, this);
  }

  /** gpio_to_irq: the core's irq for a GPIO, created on first use; `mode` sets its input mode as setPinMode. */
  gpioToIrq(pin: number, mode?: Esp32PinMode): number {
    if (!isValidGpio(pin)) throw new IrqError('EINVAL', `GPIO${pin} does not exist on the ESP32 (0-19, 21-23, 25-27, 32-39)`);
    if (mode !== undefined) this.setPinMode(pin, mode);
    return this.core.irqCreateMapping(this.domain, pin);
  }

  /**
   * The input mode the pin's DigitalBank is opened with (default 'input': no pull). Changing it on an open
   * pin reopens its bank. GPIO 34-39 have no pulls: the ESP-IDF refuses them there (logged, not thrown).
   */
  setPinMode(pin: number, mode: Esp32PinMode): void {
    if (!PIN_MODES.includes(mode)) throw new IrqError('EINVAL', `GPIO${pin}: unknown pin mode '${String(mode)}' (${PIN_MODES.join(', ')})`);
    const p = this.pinAt(pin);
    if (p.mode === mode) return;
    p.mode = mode;
    if (p.bank === undefined) return;
    this.reopen(p);
    this.checkLevel(p);
  }

  /** The pin's level read through its open bank, or undefined when it has none. */
  level(pin: number): 0 | 1 | undefined {
    const p = this.pins[pin];
    return p?.bank === undefined ? undefined : this.read(p);
  }

  /** The HAL's counters (live; do not write). */
  get stats(): Readonly<Esp32GpioStats> {
    return this.counters;
  }

  pinInfo(pin: number): Esp32PinInfo {
    const p = this.pinAt(pin);
    return Object.freeze({
      pin: p.pin, irq: p.irq, mode: p.mode, type: p.type, open: p.bank !== undefined, masked: p.masked,
      pending: p.pending, wake: this.wake.enabled(p.pin),
      edges: p.edges, coalesced: p.coalesced, ignored: p.ignored, pendingWhileMasked: p.pendingWhileMasked,
      replays: p.replays, levelRetriggers: p.levelRetriggers, reopens: p.reopens,
    });
  }

  /** The wake configuration to apply before light or deep sleep (see wake.ts). */
  wakeSources(): Esp32WakeSources {
    return this.wake.sources();
  }

  // ---- the pins ----

  private pinAt(n: number): Pin {
    if (!isValidGpio(n)) throw new IrqError('EINVAL', `GPIO${n} does not exist on the ESP32 (0-19, 21-23, 25-27, 32-39)`);
    let pin = this.pins[n];
    if (pin === undefined) {
      pin = {
        ...newCounters(), pin: n, bankIndex: n >> 5, bit: 1 << (n & 31), irq: 0, mode: 'input', type: IRQ_TYPE_NONE,
        bank: undefined, rises: false, falls: false, started: false, masked: true, pending: false, raiseQueued: false,
        lastLevel: 0,
      };
      this.pins[n] = pin;
    }
    return pin;
  }

  private count(pin: Pin, what: keyof Esp32GpioCounters): void {
    pin[what]++;
    this.counters[what]++;
  }

  private read(pin: Pin): 0 | 1 {
    return (pin.bank!.read() & pin.bit) !== 0 ? 1 : 0;
  }

  /** A level type whose level is present now. */
  private levelAsserted(pin: Pin): boolean {
    if (pin.bank === undefined) return false;
    if (pin.type === IRQ_TYPE_LEVEL_LOW) return this.read(pin) === 0;
    if (pin.type === IRQ_TYPE_LEVEL_HIGH) return this.read(pin) === 1;
    return false;
  }

  private isLevel(pin: Pin): boolean {
    return (pin.type & IRQ_TYPE_LEVEL_MASK) !== 0;
  }

  private open(pin: Pin): void {
    const edges = EDGES_OF_TYPE[pin.type];
    if (edges === undefined) return;
    const bankIndex = pin.bankIndex;
    pin.bank = new this.io.DigitalBank({
      pins: pin.bit,
      bank: bankIndex,
      mode: this.modeValues[pin.mode],
      rises: edges[0] ? pin.bit : 0,
      falls: edges[1] ? pin.bit : 0,
      onReadable: (triggered: number) => this.deliver(bankIndex, triggered),
    });
    pin.rises = edges[0];
    pin.falls = edges[1];
    pin.lastLevel = this.read(pin);
  }

  private close(pin: Pin): void {
    const bank = pin.bank;
    pin.bank = undefined;
    bank?.close();
  }

  private reopen(pin: Pin): void {
    this.close(pin);
    this.count(pin, 'reopens');
    this.open(pin);
  }

  /** A level line found asserted where no edge would tell us (start, unmask, type change): raise it. */
  private checkLevel(pin: Pin): void {
    if (pin.started && !pin.masked && this.levelAsserted(pin)) this.queueRaise(pin);
  }

  // ---- chip operations ----

  private startup(pin: Pin): void {
    if (pin.type === IRQ_TYPE_NONE) {
      this.core.log('warn', `irq ${pin.irq}: GPIO${pin.pin} started with no trigger type; it will not interrupt until one is set (IRQF_TRIGGER_* or irqSetIrqType)`);
    } else if (pin.bank === undefined) {
      // May throw (the pin is open elsewhere: "in use"); the request then fails with the pin untouched.
      this.open(pin);
    }
    pin.started = true;
    pin.masked = false;
    pin.pending = false;
    this.checkLevel(pin);
  }

  private shutdown(pin: Pin): void {
    pin.started = false;
    pin.masked = true;
    pin.pending = false;
    this.close(pin);
  }

  private unmask(pin: Pin): void {
    pin.masked = false;
    if (this.isLevel(pin)) {
      // Only the level counts for a level line, not the edges that came while it was masked.
      pin.pending = false;
      this.checkLevel(pin);
    } else if (pin.pending) {
      this.queueRaise(pin);
    }
  }

  /** The flow accepted an interrupt of the pin: a latched edge is merged into it. */
  private ack(pin: Pin): void {
    if (!pin.pending) return;
    pin.pending = false;
    if (!this.isLevel(pin)) this.count(pin, 'coalesced');
  }

  private setType(pin: Pin, data: IrqData, type: number): void {
    const edges = EDGES_OF_TYPE[type];
    if (edges === undefined) throw new IrqError('EINVAL', `irq ${pin.irq}: GPIO${pin.pin} cannot take trigger ${triggerName(type)}`, pin.irq);
    if (this.wake.enabled(pin.pin)) this.wake.check(pin.irq, pin.pin, type);
    const oldType = pin.type;
    pin.type = type;
    if (pin.started) {
      try {
        if (pin.bank === undefined) this.open(pin);
        else if (pin.rises !== edges[0] || pin.falls !== edges[1]) this.reopen(pin);
      } catch (err) {
        // Reopening failed: put the old type back (and its bank, if the pin can still be had).
        pin.type = oldType;
        if (pin.bank === undefined) {
          try {
            this.open(pin);
          } catch {
            // The pin stays closed; the error below says why.
          }
        }
        throw err;
      }
    }
    if (this.wake.enabled(pin.pin)) this.wake.enable(pin.irq, pin.pin, type);
    // A latch of the old type must not fire the new one.
    pin.pending = false;
    irqSetHandlerLocked(data, type & IRQ_TYPE_LEVEL_MASK ? handleLevelIrq : handleEdgeIrq);
    this.checkLevel(pin);
  }

  // ---- interrupts ----

  /** onReadable of a pin's bank: the hardirq entry. */
  private deliver(bankIndex: number, triggered: number): void {
    this.counters.deliveries++;
    let bits = triggered;
    while (bits !== 0) {
      const bit = bits & -bits;
      bits ^= bit;
      const pin = this.pins[bankIndex * 32 + (31 - Math.clz32(bit))];
      if (pin === undefined) this.counters.edges++;
      else this.noteEdge(pin);
    }
    this.status[bankIndex] |= triggered;
    this.core.genericHandleIrq(this.parentIrq);
  }

  /** One pin bit out of the status, in the chained handler. */
  private dispatch(n: number): void {
    const pin = this.pins[n];
    if (pin === undefined || pin.bank === undefined || !pin.started || pin.irq === 0) {
      if (pin !== undefined) this.count(pin, 'ignored');
      else this.counters.ignored++;
      return;
    }
    if (pin.masked) {
      this.count(pin, 'pendingWhileMasked');
      if (pin.pending && !this.isLevel(pin)) this.count(pin, 'coalesced');
      pin.pending = true;
      return;
    }
    this.core.genericHandleDomainIrq(this.domain, n, this.edgeTime?.(n));
  }

  /** Enter the pin again from a deferred job: a pending edge (replay) or a level still asserted (retrigger). */
  private queueRaise(pin: Pin): void {
    if (pin.raiseQueued) return;
    pin.raiseQueued = true;
    this.core.platform.defer(() => this.raise(pin));
  }

  private raise(pin: Pin): void {
    pin.raiseQueued = false;
    if (!pin.started || pin.bank === undefined) return;
    if (this.isLevel(pin)) {
      // Masked meanwhile: its unmask checks again. Let go meanwhile: nothing to raise.
      if (pin.masked || !this.levelAsserted(pin)) return;
      this.count(pin, 'levelRetriggers');
    } else {
      if (pin.masked || !pin.pending) return;
      pin.pending = false;
      this.count(pin, 'replays');
    }
    this.status[pin.bankIndex] |= pin.bit;
    this.core.genericHandleIrq(this.parentIrq);
  }

  /**
   * Per delivered bit, before dispatch: counted, and for a both-edge pin the coalescing check (one pin read):
   * each edge flips the level, so finding the level of the previous delivery means an even number of edges
   * went by as this one bit. An odd number cannot be told from one edge.
   */
  private noteEdge(pin: Pin): void {
    this.count(pin, 'edges');
    if (pin.type !== IRQ_TYPE_EDGE_BOTH || pin.bank === undefined) return;
    const level = this.read(pin);
    if (level === pin.lastLevel) this.count(pin, 'coalesced');
    pin.lastLevel = level;
  }
}
