/*
 * An I2C sensor with an interrupt line, the shape of most real ones: events set bits in STATUS, INT is
 * asserted while STATUS holds any bit (and interrupts are enabled), and reading STATUS returns the bits
 * and clears them, which releases INT. Being a level interrupt, INT stays asserted until a driver reads
 * STATUS over the bus, so the read's latency shows up as time INT stays asserted.
 *
 * Registers (a write sets the register pointer with its first byte; reads and writes auto-increment):
 *   0x00 STATUS   read-to-clear pending event bits
 *   0x01 DATA     last sample
 *   0x0F WHO_AM_I 0x5A
 *   0x10 CTRL     bit 0: interrupt enable (default 1)
 * Other registers read 0; writes to anything but CTRL are ignored.
 */
import type { I2cBus, I2cTarget } from '../i2c';
import type { Simulator, SimTimer } from '../sim';
import type { Net, OpenDrainDriver, PushPullDriver } from '../wire';

export const SENSOR_STATUS = 0x00;
export const SENSOR_DATA = 0x01;
export const SENSOR_WHO_AM_I = 0x0f;
export const SENSOR_CTRL = 0x10;
export const SENSOR_ID = 0x5a;
export const SENSOR_CTRL_INT_ENABLE = 0x01;

export interface LevelSensorOptions {
  /** INT active low, open-drain (wired-OR with a pull-up). False: push-pull, active high. Default true. */
  activeLow?: boolean;
  name?: string;
}

export class LevelSensor implements I2cTarget {
  readonly name: string;
  readonly address: number;

  private readonly interrupt: { assert(on: boolean): void };
  private pointer = 0;
  private statusBits = 0;
  private data = 0;
  private ctrl = SENSOR_CTRL_INT_ENABLE;
  private intAsserted = false;
  private unacknowledged = 0;
  private raised = 0;
  private cleared = 0;
  private reads = 0;

  constructor(
    private readonly sim: Simulator,
    bus: I2cBus,
    address: number,
    intNet: Net,
    options: LevelSensorOptions = {},
  ) {
    this.name = options.name ?? `sensor@0x${address.toString(16)}`;
    this.address = address;
    this.interrupt = (options.activeLow ?? true) ? openDrainInt(intNet, this.name) : pushPullInt(intNet, this.name);
    bus.attach(address, this);
  }

  /** Events raised so far. */
  get eventsRaised(): number {
    return this.raised;
  }

  /** Raised events acknowledged by a STATUS read (events that coalesced into one read count separately). */
  get eventsCleared(): number {
    return this.cleared;
  }

  /** Reads of the STATUS register, whatever they returned. */
  get statusReads(): number {
    return this.reads;
  }

  /** STATUS as it stands, without the read side effect. */
  get status(): number {
    return this.statusBits;
  }

  get interruptAsserted(): boolean {
    return this.intAsserted;
  }

  /** An event happens now: set `bits` in STATUS, and DATA to `sample` if given. */
  raise(bits = 1, sample?: number): void {
    if (!Number.isInteger(bits) || bits < 1 || bits > 0xff) throw new RangeError(`${this.name}: status bits ${bits}`);
    if (sample !== undefined) this.data = sample & 0xff;
    this.statusBits |= bits;
    this.raised++;
    this.unacknowledged++;
    this.updateInt();
  }

  /** raise() `delayUs` from now. */
  raiseAfter(delayUs: number, bits = 1, sample?: number): SimTimer {
    return this.sim.after(delayUs, () => this.raise(bits, sample));
  }

  write(bytes: readonly number[]): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0];
    for (const value of bytes.slice(1)) {
      if (this.pointer === SENSOR_CTRL) this.ctrl = value;
      this.pointer = (this.pointer + 1) & 0xff;
    }
    this.updateInt();
  }

  read(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      out.push(this.readRegister(this.pointer));
      this.pointer = (this.pointer + 1) & 0xff;
    }
    this.updateInt();
    return out;
  }

  private readRegister(reg: number): number {
    switch (reg) {
      case SENSOR_STATUS: {
        const value = this.statusBits;
        this.reads++;
        this.statusBits = 0;
        this.cleared += this.unacknowledged;
        this.unacknowledged = 0;
        return value;
      }
      case SENSOR_DATA:
        return this.data;
      case SENSOR_WHO_AM_I:
        return SENSOR_ID;
      case SENSOR_CTRL:
        return this.ctrl;
      default:
        return 0;
    }
  }

  private updateInt(): void {
    this.intAsserted = this.statusBits !== 0 && (this.ctrl & SENSOR_CTRL_INT_ENABLE) !== 0;
    this.interrupt.assert(this.intAsserted);
  }
}

function openDrainInt(net: Net, owner: string): { assert(on: boolean): void } {
  if (net.pull === 'none') net.setPull('up');
  const driver: OpenDrainDriver = net.openDrain(owner);
  return { assert: (on) => (on ? driver.assert() : driver.release()) };
}

function pushPullInt(net: Net, owner: string): { assert(on: boolean): void } {
  const driver: PushPullDriver = net.pushPull(owner);
  driver.drive(0);
  return { assert: (on) => driver.drive(on ? 1 : 0) };
}
