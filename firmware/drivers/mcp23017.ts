/*
 * MCP23017 16-bit I2C GPIO expander as an interrupt controller: its own irq_chip and a 16-line domain, the
 * shape of Linux's pinctrl-mcp23s08. The expander's INT output (INTA and INTB mirrored, open drain, so it
 * can share a board line) is a threaded oneshot parent: its thread reads INTF, INTCAP and GPIO in one
 * transfer and runs each pin's handlers with handleNestedIrq. Masks and trigger types change a shadow of
 * GPINTEN, INTCON and DEFVAL under the bus lock and are written out over I2C in irqBusSyncUnlock.
 *
 * Copy this file for a driver of your own: it uses only the core's public API.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH,
  IRQ_TYPE_LEVEL_LOW, IRQ_TYPE_LEVEL_MASK, IRQF_ONESHOT, IRQF_SHARED, IRQF_TRIGGER_LOW, IrqError, handleSimpleIrq,
  type IrqChip, type IrqCore, type IrqData, type IrqDomain, type IrqReturn,
} from '../irq';

/**
 * Register access: write the register address, then read or write from it on (IOCON.SEQOP = 0 makes the
 * address advance). A synchronous ECMA-419 I2C adapter and an asynchronous bus both fit.
 */
export interface Mcp23017Bus {
  readRegisters(register: number, count: number): Uint8Array | Promise<Uint8Array>;
  writeRegisters(register: number, bytes: readonly number[]): void | Promise<void>;
}

/** The part of Moddable's ECMA-419 I2C (`embedded:io/i2c`) the adapter below uses: synchronous, throws on a NACK. */
export interface Mcp23017I2c {
  /**
   * The drivers only pass a Uint8Array: Moddable's typings take `Buffer` (ArrayBuffer, Uint8Array, DataView,
   * HostBuffer, ...), which a wider parameter type here (ArrayBufferView) would not fit.
   */
  write(buffer: Uint8Array, stop?: boolean): void;
  /** Moddable returns an ArrayBuffer of `count` bytes. */
  read(count: number, stop?: boolean): ArrayBuffer | Uint8Array;
}

/**
 * Mcp23017Bus over a synchronous ECMA-419 I2C object opened on the expander's address, e.g.
 * `mcp23017BusFromI2c(new device.I2C.default.io({ ...device.I2C.default, address: 0x20, hz: 400_000 }))`.
 * A register read writes the register address without a stop, then reads with a repeated start; a write
 * sends the address and the bytes in one transfer. Both return synchronously (the driver awaits either kind).
 */
export function mcp23017BusFromI2c(i2c: Mcp23017I2c): Mcp23017Bus {
  return Object.freeze({
    readRegisters(register: number, count: number): Uint8Array {
      i2c.write(Uint8Array.of(register), false);
      const data = i2c.read(count);
      return data instanceof Uint8Array ? data : new Uint8Array(data);
    },
    writeRegisters(register: number, values: readonly number[]): void {
      i2c.write(Uint8Array.of(register, ...values));
    },
  });
}

const IODIRA = 0x00;
const GPINTENA = 0x04;
const DEFVALA = 0x06;
const INTCONA = 0x08;
const IOCON = 0x0a;
const INTFA = 0x0e;
const GPIOA = 0x12;
const IOCON_MIRROR = 0x40;
const IOCON_ODR = 0x04;

export const MCP23017_PINS = 16;

function word(lo: number, hi: number): number {
  return lo | (hi << 8);
}

function bytes(value: number): number[] {
  return [value & 0xff, (value >> 8) & 0xff];
}

export interface Mcp23017IrqStats {
  /** Parent interrupts whose INTF was empty and whose pins had not changed (another device on the line). */
  readonly notOurs: number;
  /** Pin changes seen only by comparing GPIO with the last known levels (INTF keeps its first bits). */
  readonly changesFromGpio: number;
}

export class Mcp23017Irq implements Mcp23017IrqStats {
  readonly domain: IrqDomain<Mcp23017Irq>;
  readonly chip: IrqChip;
  notOurs = 0;
  changesFromGpio = 0;
  // What the chip should hold, and what it holds (written in irqBusSyncUnlock).
  private gpinten = 0;
  private intcon = 0;
  private defval = 0;
  private written = { gpinten: 0, intcon: 0, defval: 0 };
  private readonly types: number[] = new Array<number>(MCP23017_PINS).fill(0);
  /** Pin levels as last read, to find changes INTF did not record. */
  private levels = 0;
  private parentRequested = false;

  constructor(
    private readonly core: IrqCore, private readonly bus: Mcp23017Bus, readonly parentIrq: number,
    readonly name = 'mcp23017',
  ) {
    this.chip = Object.freeze({
      name,
      irqMask: (d: IrqData) => void (this.gpinten &= ~(1 << d.hwirq)),
      irqUnmask: (d: IrqData) => void (this.gpinten |= 1 << d.hwirq),
      irqSetType: (d: IrqData, type: number) => this.setType(d.hwirq, type),
      irqBusLock: () => {},
      irqBusSyncUnlock: () => this.sync(),
    });
    this.domain = core.irqDomainCreateLinear(MCP23017_PINS, {
      map: (_domain, virq) => {
        core.irqSetChipAndHandler(virq, this.chip, handleSimpleIrq);
        core.irqSetNestedThread(virq, true);
      },
    }, this, name);
  }

  /**
   * Set the expander up (all pins inputs, interrupts off, INT mirrored and open drain) and request its
   * parent line: level low, shared, oneshot, so the line stays masked until the pins are dispatched.
   */
  async probe(): Promise<void> {
    await this.bus.writeRegisters(IOCON, [IOCON_MIRROR | IOCON_ODR]);
    await this.bus.writeRegisters(IODIRA, [0xff, 0xff]);
    await this.bus.writeRegisters(GPINTENA, [0, 0]);
    const gpio = await this.bus.readRegisters(GPIOA, 2);
    this.levels = word(gpio[0], gpio[1]);
    this.core.requestThreadedIrq(this.parentIrq, null, this.parentThread, IRQF_ONESHOT | IRQF_SHARED | IRQF_TRIGGER_LOW, this.name, this);
    this.parentRequested = true;
  }

  /** The irq of a pin (0..7 port A, 8..15 port B), created on first use. */
  irqOf(pin: number): number {
    if (!Number.isInteger(pin) || pin < 0 || pin >= MCP23017_PINS) {
      throw new IrqError('EINVAL', `${this.name}: pin ${pin} is outside 0..${MCP23017_PINS - 1}`);
    }
    return this.core.irqCreateMapping(this.domain, pin);
  }

  async remove(): Promise<void> {
    if (this.parentRequested) await this.core.freeIrq(this.parentIrq, this);
    this.parentRequested = false;
  }

  private setType(pin: number, type: number): void {
    const bit = 1 << pin;
    switch (type) {
      case IRQ_TYPE_EDGE_RISING:
      case IRQ_TYPE_EDGE_FALLING:
      case IRQ_TYPE_EDGE_BOTH:
        this.intcon &= ~bit;
        break;
      case IRQ_TYPE_LEVEL_HIGH:
        // INTCON = 1 interrupts while the pin differs from DEFVAL.
        this.intcon |= bit;
        this.defval &= ~bit;
        break;
      case IRQ_TYPE_LEVEL_LOW:
        this.intcon |= bit;
        this.defval |= bit;
        break;
      default:
        throw new IrqError('EINVAL', `${this.name}: pin ${pin} cannot use trigger type ${type}`);
    }
    this.types[pin] = type;
  }

  /** Write out what changed, compare registers before GPINTEN so no pin is armed with a stale condition. */
  private sync(): Promise<void> | undefined {
    const w = this.written;
    if (w.intcon === this.intcon && w.defval === this.defval && w.gpinten === this.gpinten) return undefined;
    const target = { gpinten: this.gpinten, intcon: this.intcon, defval: this.defval };
    this.written = target;
    const bus = this.bus;
    return (async () => {
      if (target.defval !== w.defval) await bus.writeRegisters(DEFVALA, bytes(target.defval));
      if (target.intcon !== w.intcon) await bus.writeRegisters(INTCONA, bytes(target.intcon));
      if (target.gpinten === w.gpinten) return;
      await bus.writeRegisters(GPINTENA, bytes(target.gpinten));
      // Newly armed pins start from their present level, or their first change would be judged against
      // whatever they were when last read. (The GPIO read also clears a pending interrupt of the port; the
      // parent thread then finds edge changes by this same level comparison, and a level pin re-raises.)
      const armed = target.gpinten & ~w.gpinten;
      if (armed === 0) return;
      const gpio = await bus.readRegisters(GPIOA, 2);
      this.levels = (this.levels & ~armed) | (word(gpio[0], gpio[1]) & armed);
    })();
  }

  /** The parent's thread: one read of INTF, INTCAP and GPIO (clearing the interrupt), then each pin. */
  private readonly parentThread = async (): Promise<IrqReturn> => {
    const r = await this.bus.readRegisters(INTFA, 6);
    const intf = word(r[0], r[1]);
    const captured = word(r[2], r[3]);
    const gpio = word(r[4], r[5]);
    const armed = this.written.gpinten;
    const edgePins = armed & ~this.written.intcon;
    // While INTF is set the chip records nothing more: a pin that changed again after the capture, or
    // another pin that changed meanwhile, shows only as a GPIO level that differs from what we knew.
    const again = (gpio ^ captured) & intf & edgePins;
    const unseen = (gpio ^ this.levels) & edgePins & ~intf;
    this.levels = gpio;
    if (intf === 0 && unseen === 0) {
      this.notOurs++;
      return IRQ_NONE;
    }
    // Only the pins with something to report, lowest first.
    for (let pins = intf | again | unseen; pins !== 0; pins &= pins - 1) {
      const bit = pins & -pins;
      const pin = 31 - Math.clz32(bit);
      let pending: Promise<IrqReturn> | undefined;
      if (intf & bit) {
        // A level pin re-raises INTF the moment the read clears it if its device still holds it; by the time
        // that second interrupt is read the child may have serviced the device: only a level still there counts.
        if (!(bit & this.written.intcon)) pending = this.dispatch(pin, captured & bit ? 1 : 0);
        else if ((gpio ^ this.written.defval) & bit) pending = this.dispatch(pin, gpio & bit ? 1 : 0);
        if (pending !== undefined) await pending;
      }
      if ((again | unseen) & bit) {
        this.changesFromGpio++;
        pending = this.dispatch(pin, gpio & bit ? 1 : 0);
        if (pending !== undefined) await pending;
      }
    }
    return IRQ_HANDLED;
  };

  /**
   * Run the pin's handlers if its trigger type wants a change that left the pin at `level`: a promise only
   * when a child's threadFn is async, so synchronous children cost no promise.
   */
  private dispatch(pin: number, level: number): Promise<IrqReturn> | undefined {
    const type = this.types[pin];
    const wanted = type & IRQ_TYPE_LEVEL_MASK || type === IRQ_TYPE_EDGE_BOTH ||
      (type === IRQ_TYPE_EDGE_RISING ? level === 1 : level === 0);
    if (!wanted) return undefined;
    const virq = this.core.irqFindMapping(this.domain, pin);
    if (virq === 0) return undefined;
    const ret = this.core.handleNestedIrq(virq);
    return typeof ret === 'number' ? undefined : ret;
  }
}
