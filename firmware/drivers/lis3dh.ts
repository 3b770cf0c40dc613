/*
 * ST LIS3DH three-axis accelerometer over a synchronous ECMA-419 I2C object (Moddable's `embedded:io/i2c`),
 * interrupt-driven on INT1: a level interrupt (active high by default), requested threaded and oneshot with
 * no primary handler, so the line stays masked until the thread has read the data that holds INT1.
 *
 * Two modes:
 *   - 'drdy' (data ready, CTRL_REG3.I1_ZYXDA, "I1_DRDY1"): one interrupt per sample. The thread reads
 *     STATUS_REG and the six output bytes in one burst, which releases INT1. STATUS_REG.ZYXOR says an unread
 *     sample was overwritten: counted in `overruns`.
 *   - 'watermark' (FIFO in stream mode, CTRL_REG3.I1_WTM): one interrupt per `watermark` samples. The thread
 *     reads FIFO_SRC_REG (FSS unread samples, OVRN_FIFO when the 32 levels are full, which in stream mode
 *     means the oldest were being overwritten: counted in `overruns`) and drains what it reports in one
 *     burst from OUT_X_L (the address rolls over from OUT_Z_H to OUT_X_L while the FIFO is enabled).
 * Samples are handed to `onSamples` as one batch per thread run, oldest first, in m/s^2 (the ECMA-419
 * sensor class's unit for acceleration). Nothing is dropped without a count: a lost sample can only
 * show as an overrun.
 *
 * The I2C object is synchronous, so the thread is a plain function: it blocks the JavaScript thread for its
 * transfers, as every Moddable I2C driver does; the core's runner budget then lets the event loop in.
 *
 * Copy this file for a driver of your own: it uses only the core's public API, and a structural type for
 * the I2C object (anything with Moddable's write/read shape fits, e.g. `new device.I2C.default.io({
 * ...device.I2C.default, address: 0x18, hz: 400_000 })`).
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQF_ONESHOT, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_LOW, IrqError,
  type IrqCore, type IrqReturn,
} from '../irq';

/** The part of Moddable's ECMA-419 I2C (`embedded:io/i2c`) this driver uses: synchronous, throws on a NACK. */
export interface Lis3dhI2c {
  /**
   * The drivers only pass a Uint8Array: Moddable's typings take `Buffer` (ArrayBuffer, Uint8Array, DataView,
   * HostBuffer, ...), which a wider parameter type here (ArrayBufferView) would not fit.
   */
  write(buffer: Uint8Array, stop?: boolean): void;
  /** Moddable returns an ArrayBuffer of `count` bytes. */
  read(count: number, stop?: boolean): ArrayBuffer | Uint8Array;
}

/** One sample, m/s^2. */
export interface Lis3dhSample {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export type Lis3dhMode = 'drdy' | 'watermark';

export interface Lis3dhOptions {
  readonly i2c: Lis3dhI2c;
  readonly core: IrqCore;
  /** The irq INT1 is wired to (a GPIO line). */
  readonly irq: number;
  /** Called from the thread with the samples read, oldest first. */
  onSamples(samples: readonly Lis3dhSample[]): void;
  /** 'drdy' (default): an interrupt per sample; 'watermark': an interrupt per `watermark` samples from the FIFO. */
  readonly mode?: Lis3dhMode;
  /** Samples per interrupt in 'watermark' mode, 1..31 (default 16). */
  readonly watermark?: number;
  /** Output data rate, Hz: 1, 10, 25, 50, 100 (default), 200 or 400. */
  readonly rateHz?: number;
  /** Full scale, +-g: 2 (default), 4, 8 or 16. */
  readonly rangeG?: 2 | 4 | 8 | 16;
  /** INT1 active low (CTRL_REG6.INT_POLARITY; the line is then requested level-low). Default false. */
  readonly activeLow?: boolean;
  /** The action's name, and its thread's (`irq/N-name`). Default 'lis3dh'. */
  readonly name?: string;
}

const WHO_AM_I = 0x0f;
const CTRL_REG1 = 0x20;
const CTRL_REG3 = 0x22;
const CTRL_REG4 = 0x23;
const CTRL_REG5 = 0x24;
const CTRL_REG6 = 0x25;
const STATUS_REG = 0x27;
const OUT_X_L = 0x28;
const FIFO_CTRL_REG = 0x2e;
const FIFO_SRC_REG = 0x2f;
const AUTO_INCREMENT = 0x80;

export const LIS3DH_ID = 0x33;
const XYZ_ENABLE = 0x07;
const I1_ZYXDA = 0x10;
const I1_WTM = 0x04;
const CTRL_REG4_BDU = 0x80;
const CTRL_REG4_HR = 0x08;
const FIFO_EN = 0x40;
const INT_POLARITY = 0x02;
const FIFO_MODE_STREAM = 0x80;
const STATUS_ZYXDA = 0x08;
const STATUS_ZYXOR = 0x80;
const FIFO_SRC_OVRN = 0x40;
const FIFO_SRC_EMPTY = 0x20;
const FIFO_SRC_FSS = 0x1f;
const FIFO_SIZE = 32;
const STANDARD_GRAVITY = 9.80665;

/** CTRL_REG1.ODR by rate. */
const ODR_CODE: Readonly<Record<number, number>> = Object.freeze({ 1: 1, 10: 2, 25: 3, 50: 4, 100: 5, 200: 6, 400: 7 });
/** CTRL_REG4.FS by full scale, and the high-resolution sensitivity, mg per digit of the 12-bit value. */
const FULL_SCALE: Readonly<Record<number, { readonly fs: number; readonly mgPerDigit: number }>> = Object.freeze({
  2: Object.freeze({ fs: 0, mgPerDigit: 1 }),
  4: Object.freeze({ fs: 1, mgPerDigit: 2 }),
  8: Object.freeze({ fs: 2, mgPerDigit: 4 }),
  16: Object.freeze({ fs: 3, mgPerDigit: 12 }),
});

function hex(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}

function bytesOf(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

export class Lis3dh {
  readonly irq: number;
  readonly name: string;
  readonly mode: Lis3dhMode;
  readonly watermark: number;
  readonly rateHz: number;
  readonly rangeG: number;
  readonly activeLow: boolean;
  /** Thread runs (interrupts handled or not). */
  interrupts = 0;
  /** Samples delivered to onSamples. */
  samples = 0;
  /** Overruns seen: ZYXOR in 'drdy' mode, OVRN_FIFO in 'watermark' mode (samples were overwritten). */
  overruns = 0;
  /** Thread runs that found no data (returned IRQ_NONE). */
  empty = 0;

  private readonly i2c: Lis3dhI2c;
  private readonly core: IrqCore;
  private readonly onSamples: (samples: readonly Lis3dhSample[]) => void;
  private readonly scale: number;
  private requested = false;
  // Sub-address buffers, made once: the thread writes one per run.
  private readonly subStatus = Uint8Array.of(STATUS_REG | AUTO_INCREMENT);
  private readonly subFifoSource = Uint8Array.of(FIFO_SRC_REG);
  private readonly subOut = Uint8Array.of(OUT_X_L | AUTO_INCREMENT);

  constructor(options: Lis3dhOptions) {
    this.name = options.name ?? 'lis3dh';
    const fail = (what: string): never => {
      throw new IrqError('EINVAL', `${this.name}: ${what}`);
    };
    if (options.i2c === undefined || typeof options.i2c.write !== 'function' || typeof options.i2c.read !== 'function') {
      fail('an I2C object with write() and read() is required');
    }
    if (typeof options.onSamples !== 'function') fail('onSamples() is required');
    this.mode = options.mode ?? 'drdy';
    if (this.mode !== 'drdy' && this.mode !== 'watermark') fail(`mode must be 'drdy' or 'watermark', not ${String(this.mode)}`);
    this.watermark = options.watermark ?? 16;
    if (!Number.isInteger(this.watermark) || this.watermark < 1 || this.watermark > FIFO_SIZE - 1) {
      fail(`watermark must be 1..${FIFO_SIZE - 1} samples, not ${String(this.watermark)}`);
    }
    this.rateHz = options.rateHz ?? 100;
    if (ODR_CODE[this.rateHz] === undefined) fail(`rateHz must be one of ${Object.keys(ODR_CODE).join(', ')}, not ${String(this.rateHz)}`);
    this.rangeG = options.rangeG ?? 2;
    const fullScale = FULL_SCALE[this.rangeG];
    if (fullScale === undefined) fail(`rangeG must be 2, 4, 8 or 16, not ${String(this.rangeG)}`);
    this.activeLow = options.activeLow === true;
    this.i2c = options.i2c;
    this.core = options.core;
    this.irq = options.irq;
    this.onSamples = options.onSamples;
    // High-resolution output is 12 bits left-justified in 16: 16 counts per digit.
    this.scale = (fullScale.mgPerDigit / 16 / 1000) * STANDARD_GRAVITY;
  }

  /**
   * Check WHO_AM_I, configure the part (powered down while it is set up), request INT1's irq threaded and
   * oneshot, then start sampling. Throws IrqError ENODEV when nothing answers or the id is wrong.
   */
  probe(): void {
    let id: number;
    try {
      id = this.readRegisters(WHO_AM_I, 1)[0];
    } catch (err) {
      throw new IrqError('ENODEV', `${this.name}: no answer on I2C reading WHO_AM_I (${describe(err)})`, this.irq);
    }
    if (id !== LIS3DH_ID) {
      throw new IrqError('ENODEV', `${this.name}: WHO_AM_I (${hex(WHO_AM_I)}) reads ${hex(id)}, not ${hex(LIS3DH_ID)}: not an LIS3DH at this address`, this.irq);
    }
    const watermarkMode = this.mode === 'watermark';
    this.writeRegister(CTRL_REG1, 0); // power-down while configuring
    this.writeRegister(CTRL_REG4, CTRL_REG4_BDU | (FULL_SCALE[this.rangeG].fs << 4) | CTRL_REG4_HR);
    this.writeRegister(CTRL_REG6, this.activeLow ? INT_POLARITY : 0);
    this.writeRegister(FIFO_CTRL_REG, 0); // bypass: empties the FIFO
    this.writeRegister(CTRL_REG5, watermarkMode ? FIFO_EN : 0);
    if (watermarkMode) this.writeRegister(FIFO_CTRL_REG, FIFO_MODE_STREAM | this.watermark);
    this.writeRegister(CTRL_REG3, watermarkMode ? I1_WTM : I1_ZYXDA);
    // A sample left from before (a warm restart) would hold INT1: read it out. (The FIFO was emptied above.)
    if (!watermarkMode) this.readRegisters(STATUS_REG | AUTO_INCREMENT, 7);
    const trigger = this.activeLow ? IRQF_TRIGGER_LOW : IRQF_TRIGGER_HIGH;
    this.core.requestThreadedIrq(this.irq, null, this.thread, IRQF_ONESHOT | trigger, this.name, this);
    this.requested = true;
    try {
      this.writeRegister(CTRL_REG1, (ODR_CODE[this.rateHz] << 4) | XYZ_ENABLE);
    } catch (err) {
      void this.remove();
      throw new IrqError('EIO', `${this.name}: starting the sampling failed (${describe(err)})`, this.irq);
    }
  }

  /** Stop the part's interrupts and sampling, then free the irq; resolves once its thread is done. */
  async remove(): Promise<void> {
    if (!this.requested) return;
    this.requested = false;
    try {
      this.writeRegister(CTRL_REG3, 0);
      this.writeRegister(CTRL_REG1, 0);
    } finally {
      await this.core.freeIrq(this.irq, this);
    }
  }

  /** The thread: read what INT1 reports and hand it on. Runs with INT1's line masked (oneshot). */
  private readonly thread = (): IrqReturn => {
    this.interrupts++;
    return this.mode === 'watermark' ? this.drainFifo() : this.readSample();
  };

  private readSample(): IrqReturn {
    this.i2c.write(this.subStatus, false);
    const r = bytesOf(this.i2c.read(7));
    const status = r[0];
    if ((status & STATUS_ZYXDA) === 0) {
      this.empty++;
      return IRQ_NONE;
    }
    if (status & STATUS_ZYXOR) this.overruns++;
    this.deliver(r, 1, 1);
    return IRQ_HANDLED;
  }

  private drainFifo(): IrqReturn {
    this.i2c.write(this.subFifoSource, false);
    const source = bytesOf(this.i2c.read(1))[0];
    if (source & FIFO_SRC_EMPTY) {
      this.empty++;
      return IRQ_NONE;
    }
    // FSS counts up to 31; OVRN_FIFO means all 32 levels are full (and, in stream mode, being overwritten).
    const overrun = (source & FIFO_SRC_OVRN) !== 0;
    if (overrun) this.overruns++;
    const count = overrun ? FIFO_SIZE : source & FIFO_SRC_FSS;
    if (count === 0) {
      this.empty++;
      return IRQ_NONE;
    }
    this.i2c.write(this.subOut, false);
    this.deliver(bytesOf(this.i2c.read(6 * count)), 0, count);
    return IRQ_HANDLED;
  }

  /** Decode `count` samples of six bytes (X, Y, Z little-endian) from `offset` and hand them on. */
  private deliver(bytes: Uint8Array, offset: number, count: number): void {
    const batch: Lis3dhSample[] = [];
    for (let i = 0, at = offset; i < count; i++, at += 6) {
      batch.push({
        x: int16(bytes[at], bytes[at + 1]) * this.scale,
        y: int16(bytes[at + 2], bytes[at + 3]) * this.scale,
        z: int16(bytes[at + 4], bytes[at + 5]) * this.scale,
      });
    }
    this.samples += count;
    this.onSamples(batch);
  }

  private readRegisters(subAddress: number, count: number): Uint8Array {
    this.i2c.write(Uint8Array.of(subAddress), false);
    return bytesOf(this.i2c.read(count));
  }

  private writeRegister(register: number, value: number): void {
    this.i2c.write(Uint8Array.of(register, value));
  }
}

function int16(lo: number, hi: number): number {
  return ((hi << 24) >> 16) | lo;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
