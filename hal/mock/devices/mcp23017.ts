/*
 * The Microchip MCP23017: a 16-bit I2C GPIO expander with interrupt-on-change, modelled register by register
 * after the datasheet (DS20001952C). Two 8-bit ports, A (pins 0..7 here) and B (pins 8..15), each pin a Net
 * that the test or another device model drives; two interrupt outputs, INTA and INTB, driving Nets given to
 * the constructor.
 *
 * Register map, IOCON.BANK = 0 only (address: A / B):
 *   IODIR 0x00/0x01 (reset 0xFF: inputs)   IPOL 0x02/0x03     GPINTEN 0x04/0x05   DEFVAL 0x06/0x07
 *   INTCON 0x08/0x09                        IOCON 0x0A/0x0B (one register at two addresses)
 *   GPPU 0x0C/0x0D   INTF 0x0E/0x0F (read-only)   INTCAP 0x10/0x11 (read-only)   GPIO 0x12/0x13   OLAT 0x14/0x15
 * Everything but IODIR resets to 0. Writes to INTF and INTCAP are ignored, as the datasheet says.
 *
 * IOCON.BANK = 1 is REJECTED: a write that would set it fails the whole transfer with I2cError EINVAL and
 * changes nothing (the check runs before any byte of the transfer is applied), so a driver that relies on
 * the BANK = 1 map finds out at once instead of talking to the wrong registers. A register pointer beyond
 * 0x15 is rejected the same way. DISSLW and HAEN are stored and read back but do nothing (HAEN only matters
 * on the SPI part); bit 0 is unimplemented and reads 0.
 *
 * Bus protocol (the I2cTarget of ../i2c): the first written byte sets the register pointer, further written
 * bytes are stored from there on, reads continue from the pointer. After each data byte the pointer moves:
 *   SEQOP = 0 (sequential, the default): to the next address, rolling over from 0x15 to 0x00.
 *   SEQOP = 1 (byte mode, with BANK = 0): it toggles between the A and B register of the pair it points at
 *     (GPIOA, GPIOB, GPIOA, ...), so a port pair can be polled or written without resending the pointer.
 * The pointer persists between transfers. A write to IOCON takes effect from the next byte on.
 *
 * Pins. IODIR bit 1 = input: GPIO reads the net level, inverted where IPOL is set (IPOL applies to input
 * pins only, as the datasheet words it), and GPPU puts the 100 kΩ pull-up on the net (Net.setPull('up'),
 * the pull the net had before is restored when GPPU or IODIR turns it off; wire.ts has no weak drivers, so
 * an external pull-down on the same net is replaced rather than fought). IODIR bit 0 = output: the pin is
 * driven push-pull from OLAT, and GPIO reads the net level as it resolves (a contended pin reads 0).
 * Writing GPIO writes OLAT.
 *
 * Interrupt-on-change, per port (datasheet 3.6.4 and 3.6.5). Only pins that are inputs with GPINTEN set
 * ("armed" below) take part; outputs never cause an interrupt.
 *   - INTCON = 0: an armed pin that changes level causes an interrupt. The reference ("default state") is
 *     reset to the pin levels when the interrupt occurs and again when it is cleared.
 *   - INTCON = 1: an armed pin whose level differs from its DEFVAL bit causes an interrupt, for as long as
 *     it differs (DEFVAL is compared with the pin level, before IPOL).
 *   - When an interrupt occurs on a port whose interrupt is not already active: INTF gets the bit of every
 *     armed pin meeting its condition at that moment, INTCAP captures the GPIO value (IPOL applied, as a
 *     GPIO read would return it), and the port's INT output is asserted.
 *   - While it is active, further interrupt conditions on that port do NOT cause an interrupt: INTF keeps
 *     its bits, INTCAP its first capture ("The first interrupt event causes the port contents to be copied
 *     into INTCAP. Subsequent interrupt conditions on the port will not cause an interrupt to occur as long
 *     as the interrupt is not cleared"). In particular INTF does not gain the bits of pins that change
 *     later; the Linux driver (pinctrl-mcp23s08) notes the same of real parts. Each such event is counted
 *     in `missedChanges`: an armed INTCON = 0 pin changing level, or an armed INTCON = 1 pin coming to
 *     differ from DEFVAL, while its port's interrupt is active. Nothing is dropped without a count.
 *   - The interrupt is cleared by reading INTCAP or GPIO of that port, after the byte is read (the
 *     datasheet: after its LSb is clocked out), so the read returns the value from before the clear.
 *     Clearing empties INTF and resets the INTCON = 0 reference to the current pin levels, then the
 *     conditions are evaluated again at once: an INTCON = 1 pin that still differs from DEFVAL raises a new
 *     interrupt with a fresh capture, and INT stays asserted without a glitch (datasheet figure 3-9, "INT
 *     clears only if interrupt condition does not exist"). Writing INTCAP or GPIO does not clear anything.
 *   - Changing GPINTEN, INTCON, DEFVAL or IODIR re-evaluates the conditions (an INTCON = 1 pin enabled while
 *     it differs from DEFVAL interrupts at once); while an interrupt is active that waits for the clear.
 *
 * INT outputs. INTA reflects port A's interrupt, INTB port B's; with IOCON.MIRROR both reflect A OR B.
 * IOCON.ODR = 1: open-drain drivers (asserted = pulled low, INTPOL ignored), so several devices can share
 * one line as a wired-OR; the net needs its pull-up (Net({ pull: 'up' }), the model does not add one).
 * ODR = 0: push-pull, active-low unless INTPOL = 1 (active-high). After reset that is push-pull active-low,
 * so an INT net is driven high from construction on.
 *
 * Simplifications against the silicon: changes are events, so two pins never change "at the same time" as
 * they can on the real part (where INTF then shows only one of them); level changes take effect instantly
 * (no input filter, no interrupt latency, no slew-rate control); RESET and the hardware address pins are
 * not modelled (the address is a constructor argument).
 */
import { I2cError, type I2cBus, type I2cTarget } from '../i2c';
import type { Simulator } from '../sim';
import { type Level, Net, type OpenDrainDriver, type Pull, type PushPullDriver } from '../wire';

/** Register addresses with IOCON.BANK = 0. */
export const MCP23017_REG = Object.freeze({
  IODIRA: 0x00,
  IODIRB: 0x01,
  IPOLA: 0x02,
  IPOLB: 0x03,
  GPINTENA: 0x04,
  GPINTENB: 0x05,
  DEFVALA: 0x06,
  DEFVALB: 0x07,
  INTCONA: 0x08,
  INTCONB: 0x09,
  IOCON: 0x0a,
  IOCON_ALT: 0x0b,
  GPPUA: 0x0c,
  GPPUB: 0x0d,
  INTFA: 0x0e,
  INTFB: 0x0f,
  INTCAPA: 0x10,
  INTCAPB: 0x11,
  GPIOA: 0x12,
  GPIOB: 0x13,
  OLATA: 0x14,
  OLATB: 0x15,
});

/** IOCON bits. */
export const MCP23017_IOCON = Object.freeze({
  BANK: 0x80,
  MIRROR: 0x40,
  SEQOP: 0x20,
  DISSLW: 0x10,
  HAEN: 0x08,
  ODR: 0x04,
  INTPOL: 0x02,
});

/** The last register address; the pointer rolls over to 0 after it. */
export const MCP23017_LAST_REGISTER = 0x15;

/** 7-bit I2C addresses the part can take (A2..A0 on the address pins). */
export const MCP23017_ADDRESS_MIN = 0x20;
export const MCP23017_ADDRESS_MAX = 0x27;

export type Mcp23017Port = 'A' | 'B';

export interface Mcp23017Options {
  /** Net driven by INTA. Omitted: INTA is not connected. */
  intA?: Net;
  /** Net driven by INTB. Omitted: INTB is not connected (with IOCON.MIRROR, INTA carries both ports). */
  intB?: Net;
  /**
   * The 16 pin nets, A0..A7 then B0..B7, to wire the expander to nets that exist already (a button's).
   * Omitted: the model creates them, named `<name>.A0` ... `<name>.B7`, with no pull.
   */
  pins?: readonly Net[];
  name?: string;
}

const IOCON_WRITABLE = 0xfe; // bit 0 is unimplemented
const LAST = hex(MCP23017_LAST_REGISTER);
const PORT_NAMES: readonly Mcp23017Port[] = ['A', 'B'];

interface PortState {
  iodir: number;
  ipol: number;
  gpinten: number;
  defval: number;
  intcon: number;
  gppu: number;
  intf: number;
  intcap: number;
  olat: number;
  /** INTCON = 0 reference: pin levels when the last interrupt occurred or was cleared, tracked while idle. */
  reference: number;
}

interface IntOutput {
  readonly pushPull: PushPullDriver;
  readonly openDrain: OpenDrainDriver;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}

function newPort(): PortState {
  return { iodir: 0xff, ipol: 0, gpinten: 0, defval: 0, intcon: 0, gppu: 0, intf: 0, intcap: 0, olat: 0, reference: 0 };
}

export class Mcp23017 implements I2cTarget {
  readonly name: string;
  readonly address: number;

  private readonly pinNets: readonly Net[];
  private readonly outputs: readonly PushPullDriver[];
  /** The pull each pin net had before GPPU replaced it; undefined while the model is not pulling that pin. */
  private readonly savedPulls: (Pull | undefined)[] = new Array<Pull | undefined>(16).fill(undefined);
  private readonly ports: readonly [PortState, PortState] = [newPort(), newPort()];
  private readonly intOutputs: readonly [IntOutput | undefined, IntOutput | undefined];
  private iocon = 0;
  private pointer = 0;
  private raised = 0;
  private cleared = 0;
  private missed = 0;
  private bytesRead = 0;
  private bytesWritten = 0;
  private lastInterruptUs: number | undefined;

  constructor(
    private readonly sim: Simulator,
    bus: I2cBus,
    address: number,
    options: Mcp23017Options = {},
  ) {
    if (!Number.isInteger(address) || address < MCP23017_ADDRESS_MIN || address > MCP23017_ADDRESS_MAX) {
      throw new RangeError(
        `MCP23017: address ${String(address)} is not one the part can take ` +
          `(${hex(MCP23017_ADDRESS_MIN)}..${hex(MCP23017_ADDRESS_MAX)})`,
      );
    }
    this.name = options.name ?? `mcp23017@${hex(address)}`;
    this.address = address;
    if (options.pins !== undefined && options.pins.length !== 16) {
      throw new RangeError(`${this.name}: pins must hold 16 nets (A0..A7, B0..B7), got ${options.pins.length}`);
    }
    const ownNet = (n: number): Net => new Net(`${this.name}.${pinName(n)}`);
    this.pinNets = options.pins !== undefined ? [...options.pins] : Array.from({ length: 16 }, (_, n) => ownNet(n));
    this.outputs = this.pinNets.map((net, n) => net.pushPull(`${this.name}.${pinName(n)}`));
    this.intOutputs = [this.makeIntOutput(options.intA, 'INTA'), this.makeIntOutput(options.intB, 'INTB')];
    this.ports[0].reference = this.rawPort(0);
    this.ports[1].reference = this.rawPort(1);
    this.pinNets.forEach((net, n) => net.onChange((level) => this.pinChanged(n, level)));
    bus.attach(address, this);
    this.updateIntOutputs();
  }

  /** The net of pin n: 0..7 are A0..A7, 8..15 are B0..B7. */
  pin(n: number): Net {
    const net = Number.isInteger(n) ? this.pinNets[n] : undefined;
    if (net === undefined) {
      throw new RangeError(`${this.name}: pin ${String(n)} does not exist (0..15: A0..A7, B0..B7)`);
    }
    return net;
  }

  /** A register's value as a read over the bus would return it, without the read's side effects. */
  register(addr: number): number {
    if (!Number.isInteger(addr) || addr < 0 || addr > MCP23017_LAST_REGISTER) {
      throw new RangeError(`${this.name}: register ${String(addr)} does not exist (0x00..${LAST})`);
    }
    const port = this.ports[addr & 1];
    switch (addr >> 1) {
      case 0:
        return port.iodir;
      case 1:
        return port.ipol;
      case 2:
        return port.gpinten;
      case 3:
        return port.defval;
      case 4:
        return port.intcon;
      case 5:
        return this.iocon;
      case 6:
        return port.gppu;
      case 7:
        return port.intf;
      case 8:
        return port.intcap;
      case 9:
        return this.gpioValue(addr & 1);
      default:
        return port.olat;
    }
  }

  /** True while the port's interrupt is active (INTF non-zero), whatever the INT pins show. */
  interruptActive(port: Mcp23017Port): boolean {
    return this.ports[portIndex(port)].intf !== 0;
  }

  /** Interrupts that occurred (a port's INTF going from empty to set), re-assertions after a clear included. */
  get interruptsRaised(): number {
    return this.raised;
  }

  /** Active interrupts cleared by a read of INTCAP or GPIO. */
  get interruptsCleared(): number {
    return this.cleared;
  }

  /** Interrupt events that happened while their port's interrupt was already active (see the header). */
  get missedChanges(): number {
    return this.missed;
  }

  /** Register bytes read over the bus. */
  get reads(): number {
    return this.bytesRead;
  }

  /** Register bytes written over the bus (the pointer byte not included). */
  get writes(): number {
    return this.bytesWritten;
  }

  /** The register pointer as it stands. */
  get registerPointer(): number {
    return this.pointer;
  }

  /** Virtual time (µs) of the last interrupt that occurred, or undefined before the first. */
  get lastInterruptAt(): number | undefined {
    return this.lastInterruptUs;
  }

  write(bytes: readonly number[]): void {
    if (bytes.length === 0) return;
    this.checkWrite(bytes);
    this.pointer = bytes[0];
    for (let i = 1; i < bytes.length; i++) {
      this.bytesWritten++;
      this.writeRegister(this.pointer, bytes[i]);
      this.pointer = this.nextPointer(this.pointer);
    }
  }

  read(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const addr = this.pointer;
      out.push(this.register(addr));
      this.bytesRead++;
      // INTCAPx and GPIOx clear port x's interrupt once the byte has been clocked out.
      if (addr >= MCP23017_REG.INTCAPA && addr <= MCP23017_REG.GPIOB) this.clearInterrupt(addr & 1);
      this.pointer = this.nextPointer(addr);
    }
    return out;
  }

  /** Refuse the whole transfer before applying any of it: a bad pointer, or IOCON.BANK = 1. */
  private checkWrite(bytes: readonly number[]): void {
    let addr = bytes[0];
    if (addr > MCP23017_LAST_REGISTER) {
      throw new I2cError('EINVAL', `${this.name}: register ${hex(addr)} does not exist (0x00..${LAST})`);
    }
    let iocon = this.iocon;
    for (let i = 1; i < bytes.length; i++) {
      if (addr === MCP23017_REG.IOCON || addr === MCP23017_REG.IOCON_ALT) {
        if ((bytes[i] & MCP23017_IOCON.BANK) !== 0) {
          throw new I2cError('EINVAL', `${this.name}: IOCON.BANK = 1 (separate port maps) is not modelled`);
        }
        iocon = bytes[i] & IOCON_WRITABLE;
      }
      addr = nextAddress(addr, iocon);
    }
  }

  private nextPointer(addr: number): number {
    return nextAddress(addr, this.iocon);
  }

  private writeRegister(addr: number, value: number): void {
    const p = addr & 1;
    const port = this.ports[p];
    switch (addr >> 1) {
      case 0:
        port.iodir = value;
        this.updatePins(p);
        this.evaluate(p);
        return;
      case 1:
        port.ipol = value;
        return;
      case 2:
        port.gpinten = value;
        this.evaluate(p);
        return;
      case 3:
        port.defval = value;
        this.evaluate(p);
        return;
      case 4:
        port.intcon = value;
        this.evaluate(p);
        return;
      case 5:
        this.iocon = value & IOCON_WRITABLE;
        this.updateIntOutputs();
        return;
      case 6:
        port.gppu = value;
        this.updatePins(p);
        return;
      case 7: // INTF: read-only, writes ignored
      case 8: // INTCAP: read-only, writes ignored
        return;
      case 9: // GPIO: a write goes to the output latch
      default:
        port.olat = value;
        this.updatePins(p);
    }
  }

  /** Pin levels of a port as raw bits (no IPOL). */
  private rawPort(p: number): number {
    let value = 0;
    for (let bit = 0; bit < 8; bit++) value |= this.pinNets[p * 8 + bit].level() << bit;
    return value;
  }

  /** The GPIO register: pin levels, IPOL applied to input pins. */
  private gpioValue(p: number): number {
    const port = this.ports[p];
    return this.rawPort(p) ^ (port.ipol & port.iodir);
  }

  /** Apply IODIR, OLAT and GPPU of a port to its pins: output drivers and pull-ups. */
  private updatePins(p: number): void {
    const port = this.ports[p];
    for (let bit = 0; bit < 8; bit++) {
      const n = p * 8 + bit;
      const mask = 1 << bit;
      const input = (port.iodir & mask) !== 0;
      if (input) this.outputs[n].release();
      else this.outputs[n].drive(((port.olat & mask) !== 0 ? 1 : 0) as Level);
      this.setPullUp(n, input && (port.gppu & mask) !== 0);
    }
  }

  private setPullUp(n: number, on: boolean): void {
    const net = this.pinNets[n];
    const saved = this.savedPulls[n];
    if (on && saved === undefined) {
      this.savedPulls[n] = net.pull;
      net.setPull('up');
    } else if (!on && saved !== undefined) {
      this.savedPulls[n] = undefined;
      net.setPull(saved);
    }
  }

  private pinChanged(n: number, level: Level): void {
    const p = n >> 3;
    const port = this.ports[p];
    const mask = 1 << (n & 7);
    const armed = (port.iodir & port.gpinten & mask) !== 0;
    if (armed && port.intf !== 0) {
      const byDefval = (port.intcon & mask) !== 0;
      const differs = ((port.defval & mask) !== 0 ? 1 : 0) !== level;
      if (!byDefval || differs) this.missed++;
    }
    this.evaluate(p);
  }

  /** Raise the port's interrupt if an armed pin meets its condition and none is active; track the reference. */
  private evaluate(p: number): void {
    const port = this.ports[p];
    if (port.intf !== 0) return;
    const raw = this.rawPort(p);
    const armed = port.iodir & port.gpinten;
    const conditions = armed & ((port.intcon & (raw ^ port.defval)) | (~port.intcon & (raw ^ port.reference)));
    port.reference = raw;
    if (conditions === 0) return;
    port.intf = conditions & 0xff;
    port.intcap = this.gpioValue(p);
    this.raised++;
    this.lastInterruptUs = this.sim.now();
    this.updateIntOutputs();
  }

  private clearInterrupt(p: number): void {
    const port = this.ports[p];
    if (port.intf === 0) return;
    port.intf = 0;
    this.cleared++;
    port.reference = this.rawPort(p);
    this.evaluate(p); // an INTCON = 1 condition that still holds raises again before INT is updated
    this.updateIntOutputs();
  }

  private makeIntOutput(net: Net | undefined, which: string): IntOutput | undefined {
    if (net === undefined) return undefined;
    return { pushPull: net.pushPull(`${this.name}.${which}`), openDrain: net.openDrain(`${this.name}.${which}`) };
  }

  private updateIntOutputs(): void {
    const activeA = this.ports[0].intf !== 0;
    const activeB = this.ports[1].intf !== 0;
    const mirror = (this.iocon & MCP23017_IOCON.MIRROR) !== 0;
    this.driveInt(this.intOutputs[0], mirror ? activeA || activeB : activeA);
    this.driveInt(this.intOutputs[1], mirror ? activeA || activeB : activeB);
  }

  /** Drive one INT pin; when ODR changes, the new driver takes over before the old lets go, so no glitch. */
  private driveInt(out: IntOutput | undefined, active: boolean): void {
    if (out === undefined) return;
    if ((this.iocon & MCP23017_IOCON.ODR) !== 0) {
      if (active) {
        if (out.pushPull.driving === 1) out.pushPull.release();
        out.openDrain.assert();
      } else {
        out.openDrain.release();
      }
      out.pushPull.release();
      return;
    }
    const activeHigh = (this.iocon & MCP23017_IOCON.INTPOL) !== 0;
    const level: Level = active === activeHigh ? 1 : 0;
    if (level === 1) {
      out.openDrain.release();
      out.pushPull.drive(1);
    } else {
      out.pushPull.drive(0);
      out.openDrain.release();
    }
  }
}

/** Where the pointer goes after a byte at `addr`, with BANK = 0. */
function nextAddress(addr: number, iocon: number): number {
  if ((iocon & MCP23017_IOCON.SEQOP) !== 0) return addr ^ 1;
  return addr >= MCP23017_LAST_REGISTER ? 0 : addr + 1;
}

function pinName(n: number): string {
  return `${n < 8 ? 'A' : 'B'}${n & 7}`;
}

function portIndex(port: Mcp23017Port): number {
  const index = PORT_NAMES.indexOf(port);
  if (index < 0) throw new RangeError(`MCP23017: port ${String(port)} does not exist (A or B)`);
  return index;
}
