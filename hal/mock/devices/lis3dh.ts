/*
 * The ST LIS3DH three-axis accelerometer on the simulated I2C bus, register by register after its datasheet
 * (DocID17530) and application note AN3308, reduced to what a data-ready or FIFO driver uses.
 *
 * Registers modelled:
 *   0x0F WHO_AM_I      0x33
 *   0x1E CTRL_REG0 (reset 0x10), 0x1F TEMP_CFG_REG, 0x21 CTRL_REG2, 0x26 REFERENCE, 0x30..0x3F (interrupt
 *        generators, click, activity): stored and read back, no effect
 *   0x20 CTRL_REG1     ODR[7:4] LPen[3] Zen Yen Xen (reset 0x07: power-down, all axes enabled)
 *   0x22 CTRL_REG3     INT1 routing: I1_ZYXDA (0x10, "I1_DRDY1"), I1_WTM (0x04), I1_OVERRUN (0x02); others
 *                      stored, no effect
 *   0x23 CTRL_REG4     BDU[7] (stored) BLE[6] FS[5:4] HR[3]
 *   0x24 CTRL_REG5     FIFO_EN (0x40); BOOT clears itself; the rest stored
 *   0x25 CTRL_REG6     INT_POLARITY (0x02): INT1 active low instead of active high
 *   0x27 STATUS_REG    ZYXOR[7] ZOR YOR XOR ZYXDA[3] ZDA YDA XDA (enabled axes only)
 *   0x28..0x2D OUT_X_L .. OUT_Z_H: 16-bit two's complement, left-justified, little-endian (BLE = 1: the
 *        high byte at the lower address)
 *   0x2E FIFO_CTRL_REG FM[7:6] (00 bypass, 01 FIFO, 10 stream, 11 stream-to-FIFO, modelled as stream)
 *                      TR[5] (stored) FTH[4:0]
 *   0x2F FIFO_SRC_REG  WTM[7] OVRN_FIFO[6] EMPTY[5] FSS[4:0]
 * Reserved addresses (0x00..0x06, 0x10..0x1D) refuse writes (the datasheet warns they may damage the part):
 * the whole transfer fails with I2cError EINVAL before any byte is applied. Writes to read-only registers
 * are ignored. Reserved and unmodelled read-only registers read 0.
 *
 * Bus protocol (the I2cTarget of ../i2c): the first written byte is the sub-address; its bit 7 turns on
 * auto-increment (the pointer advances after each byte read or written), without it the pointer stays put.
 * The pointer and the auto-increment bit persist into the read that follows (write without stop, then read).
 * With FIFO_EN set, auto-increment rolls over from OUT_Z_H (0x2D) back to OUT_X_L (0x28), so one burst of
 * 6 x N bytes from 0x28 reads N FIFO samples (AN3308).
 *
 * Sampling. While ODR is not power-down a sample is taken every 1/ODR s of virtual time (100 Hz: every
 * 10 ms), at fixed times counted from when the ODR was set. The part samples on its own clock: when the
 * simulator runs its timer late (the CPU was busy: sim.spend), or a transfer ends after a sample fell due,
 * every sample due by then is taken first, each with the signal at its own time (the counters and
 * register() show the state as of the last event or transfer). The value comes from the signal the test sets (setAcceleration, or setSignal with a function of
 * time), in g, converted with the datasheet's sensitivity for the mode and full scale (high resolution
 * 12-bit: 1/2/4/12 mg per digit at +-2/4/8/16 g; normal 10-bit: 4/8/16/48; low power 8-bit: 16/32/64/192),
 * clamped to the output range. A disabled axis reads 0.
 *   - Bypass (FIFO_EN = 0 or FM = bypass): OUT_* hold the newest sample. ZYXDA is set by a new sample and
 *     cleared when the sample has been read, which is when OUT_Z_H is read (the end of a six-byte burst).
 *     A new sample while ZYXDA is still set overwrites the unread one: ZYXOR is set and the lost sample
 *     counted (`samplesLost`).
 *   - FIFO modes (FIFO_EN = 1): samples queue in a 32-level FIFO. OUT_* show the oldest unread sample; reading
 *     OUT_Z_H removes it. FIFO mode (01) stops collecting when full (the new samples are lost); stream mode
 *     (10) drops the oldest. FIFO_SRC: FSS is the number of unread samples (31 when full: then OVRN_FIFO is
 *     set, meaning 32), EMPTY when there are none, WTM while FSS >= FTH. ZYXDA here means "not empty".
 *     Reading OUT_Z_H with the FIFO empty returns the last sample again and is counted (`emptyReads`).
 *     Switching to bypass, or clearing FIFO_EN, empties the FIFO.
 * INT1 is push-pull, active high (CTRL_REG6.INT_POLARITY: active low), a level: asserted while any routed
 * condition holds (I1_ZYXDA: unread data; I1_WTM: WTM; I1_OVERRUN: OVRN_FIFO), so a read that clears the
 * condition releases it at once.
 *
 * Simplifications: no turn-on time, BDU has no effect (a sample never changes halfway through a burst
 * here: device events do not run in the middle of a transfer), stream-to-FIFO and the trigger bit are not
 * modelled, nor the interrupt generators, click, activity, the ADC and temperature, the high-pass filter,
 * self test, INT2 and the SPI interface.
 */
import { I2cError, type I2cBus, type I2cTarget } from '../i2c';
import type { Simulator, SimTimer } from '../sim';
import type { Net, PushPullDriver } from '../wire';

/** Register addresses. */
export const LIS3DH_REG = Object.freeze({
  STATUS_REG_AUX: 0x07,
  WHO_AM_I: 0x0f,
  CTRL_REG0: 0x1e,
  TEMP_CFG_REG: 0x1f,
  CTRL_REG1: 0x20,
  CTRL_REG2: 0x21,
  CTRL_REG3: 0x22,
  CTRL_REG4: 0x23,
  CTRL_REG5: 0x24,
  CTRL_REG6: 0x25,
  REFERENCE: 0x26,
  STATUS_REG: 0x27,
  OUT_X_L: 0x28,
  OUT_X_H: 0x29,
  OUT_Y_L: 0x2a,
  OUT_Y_H: 0x2b,
  OUT_Z_L: 0x2c,
  OUT_Z_H: 0x2d,
  FIFO_CTRL_REG: 0x2e,
  FIFO_SRC_REG: 0x2f,
});

/** Register bits. */
export const LIS3DH_BITS = Object.freeze({
  /** Sub-address bit 7: auto-increment. */
  AUTO_INCREMENT: 0x80,
  CTRL_REG1_LPEN: 0x08,
  CTRL_REG1_XYZ: 0x07,
  CTRL_REG3_I1_ZYXDA: 0x10,
  CTRL_REG3_I1_WTM: 0x04,
  CTRL_REG3_I1_OVERRUN: 0x02,
  CTRL_REG4_BDU: 0x80,
  CTRL_REG4_BLE: 0x40,
  CTRL_REG4_HR: 0x08,
  CTRL_REG5_BOOT: 0x80,
  CTRL_REG5_FIFO_EN: 0x40,
  CTRL_REG6_INT_POLARITY: 0x02,
  STATUS_ZYXOR: 0x80,
  STATUS_ZYXDA: 0x08,
  FIFO_SRC_WTM: 0x80,
  FIFO_SRC_OVRN: 0x40,
  FIFO_SRC_EMPTY: 0x20,
  FIFO_SRC_FSS: 0x1f,
  FIFO_MODE_BYPASS: 0x00,
  FIFO_MODE_FIFO: 0x40,
  FIFO_MODE_STREAM: 0x80,
  FIFO_MODE_STREAM_TO_FIFO: 0xc0,
});

export const LIS3DH_WHO_AM_I = 0x33;
export const LIS3DH_FIFO_SIZE = 32;
/** The two addresses the part can take (SA0 low, high). */
export const LIS3DH_ADDRESSES: readonly number[] = Object.freeze([0x18, 0x19]);

/** Output data rates of CTRL_REG1.ODR, Hz (8: 1.6 kHz; 9: 1.344 kHz, 5.376 kHz in low-power mode). */
const ODR_HZ: readonly number[] = Object.freeze([0, 1, 10, 25, 50, 100, 200, 400, 1620, 1344]);
const ODR9_LOW_POWER_HZ = 5376;

/** Sensitivity, mg per digit, by full scale (+-2, 4, 8, 16 g). */
const SENSITIVITY_MG = Object.freeze({
  highResolution: Object.freeze([1, 2, 4, 12]),
  normal: Object.freeze([4, 8, 16, 48]),
  lowPower: Object.freeze([16, 32, 64, 192]),
});

/** Acceleration in g. */
export interface Lis3dhAcceleration {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export interface Lis3dhOptions {
  /** Net driven by INT1. Omitted: INT1 is not connected. */
  int1?: Net;
  name?: string;
}

type Raw = readonly [number, number, number];

const RESERVED_FIRST = 0x10;
const RESERVED_LAST = 0x1d;
const READ_ONLY: ReadonlySet<number> = new Set([
  0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2f, 0x31, 0x35, 0x39,
]);

function hex(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}

function reserved(reg: number): boolean {
  return reg < 0x07 || (reg >= RESERVED_FIRST && reg <= RESERVED_LAST) || reg > 0x3f;
}

export class Lis3dh implements I2cTarget {
  readonly name: string;
  readonly address: number;

  private readonly regs = new Uint8Array(0x40);
  private readonly int1: PushPullDriver | undefined;
  private pointer = 0;
  private autoIncrement = false;
  private signal: (timeUs: number) => Lis3dhAcceleration = () => ({ x: 0, y: 0, z: 0 });
  /** Bypass mode: the newest sample, whether it is unread, whether an unread one was overwritten. */
  private out: Raw = [0, 0, 0];
  private dataReady = false;
  private overwritten = false;
  private readonly fifo: Raw[] = [];
  private sampleTimer: SimTimer | undefined;
  private odrStartUs = 0;
  private odrTicks = 0;
  private periodUs = 0;
  /** When the next sample is due (Infinity while powered down). */
  private nextSampleUs = Infinity;
  private produced = 0;
  private consumed = 0;
  private lost = 0;
  private readsWhileEmpty = 0;
  private intAsserted = false;

  constructor(
    private readonly sim: Simulator,
    bus: I2cBus,
    address: number,
    options: Lis3dhOptions = {},
  ) {
    if (!LIS3DH_ADDRESSES.includes(address)) {
      throw new RangeError(`LIS3DH: address ${String(address)} is not one the part can take (0x18 or 0x19)`);
    }
    this.name = options.name ?? `lis3dh@${hex(address)}`;
    this.address = address;
    this.regs[LIS3DH_REG.CTRL_REG0] = 0x10;
    this.regs[LIS3DH_REG.CTRL_REG1] = 0x07;
    if (options.int1 !== undefined) {
      this.int1 = options.int1.pushPull(`${this.name}.INT1`);
      this.int1.drive(0);
    }
    bus.attach(address, this);
  }

  // ---- the signal ----

  /** A constant acceleration, in g, from now on. */
  setAcceleration(x: number, y: number, z: number): void {
    const value = Object.freeze({ x, y, z });
    this.signal = () => value;
  }

  /** Acceleration as a function of virtual time (µs), in g, sampled at the ODR. */
  setSignal(signal: (timeUs: number) => Lis3dhAcceleration): void {
    if (typeof signal !== 'function') throw new TypeError(`${this.name}: the signal must be a function of time`);
    this.signal = signal;
  }

  // ---- observation ----

  /** Samples taken since power-up. */
  get samplesProduced(): number {
    return this.produced;
  }

  /** Samples read out completely (their OUT_Z_H read). */
  get samplesRead(): number {
    return this.consumed;
  }

  /** Samples lost: overwritten unread (bypass, stream) or not stored because the FIFO was full (FIFO mode). */
  get samplesLost(): number {
    return this.lost;
  }

  /** OUT_Z_H reads with nothing unread in the FIFO (the last sample is returned again). */
  get emptyReads(): number {
    return this.readsWhileEmpty;
  }

  /** Unread samples in the FIFO. */
  get fifoLevel(): number {
    return this.fifo.length;
  }

  get interruptAsserted(): boolean {
    return this.intAsserted;
  }

  /** The output data rate now, Hz (0: power-down). */
  get outputDataRateHz(): number {
    const odr = this.regs[LIS3DH_REG.CTRL_REG1] >> 4;
    if (odr === 9 && this.lowPower()) return ODR9_LOW_POWER_HZ;
    return ODR_HZ[odr] ?? 0;
  }

  /** A register's value as a read would return it, without the read's side effects. */
  register(reg: number): number {
    if (!Number.isInteger(reg) || reg < 0 || reg > 0x3f) throw new RangeError(`${this.name}: register ${String(reg)} does not exist`);
    return this.peek(reg);
  }

  // ---- the bus ----

  write(bytes: readonly number[]): void {
    if (bytes.length === 0) return;
    this.catchUp();
    const auto = (bytes[0] & LIS3DH_BITS.AUTO_INCREMENT) !== 0;
    const start = bytes[0] & 0x7f;
    // Refuse the whole transfer before applying any of it.
    for (let i = 1, reg = start; i < bytes.length; i++, reg = auto ? (reg + 1) & 0x7f : reg) {
      if (reserved(reg)) throw new I2cError('EINVAL', `${this.name}: register ${hex(reg)} is reserved; writing it may damage the part`);
    }
    this.autoIncrement = auto;
    this.pointer = start;
    for (let i = 1; i < bytes.length; i++) {
      this.writeRegister(this.pointer, bytes[i]);
      if (auto) this.pointer = (this.pointer + 1) & 0x7f;
    }
    this.updateInt();
  }

  read(count: number): number[] {
    this.catchUp();
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const reg = this.pointer;
      out.push(reg <= 0x3f ? this.peek(reg) : 0);
      if (reg === LIS3DH_REG.OUT_Z_H) this.sampleRead();
      if (this.autoIncrement) {
        this.pointer = reg === LIS3DH_REG.OUT_Z_H && this.fifoEnabled() ? LIS3DH_REG.OUT_X_L : (reg + 1) & 0x7f;
      }
    }
    this.updateInt();
    return out;
  }

  // ---- registers ----

  private peek(reg: number): number {
    switch (reg) {
      case LIS3DH_REG.WHO_AM_I:
        return LIS3DH_WHO_AM_I;
      case LIS3DH_REG.STATUS_REG:
        return this.status();
      case LIS3DH_REG.FIFO_SRC_REG:
        return this.fifoSource();
      case LIS3DH_REG.OUT_X_L:
      case LIS3DH_REG.OUT_X_H:
      case LIS3DH_REG.OUT_Y_L:
      case LIS3DH_REG.OUT_Y_H:
      case LIS3DH_REG.OUT_Z_L:
      case LIS3DH_REG.OUT_Z_H:
        return this.outputByte(reg - LIS3DH_REG.OUT_X_L);
      default:
        return reserved(reg) || READ_ONLY.has(reg) ? 0 : this.regs[reg];
    }
  }

  private writeRegister(reg: number, value: number): void {
    if (READ_ONLY.has(reg)) return;
    const before = this.regs[reg];
    this.regs[reg] = value;
    switch (reg) {
      case LIS3DH_REG.CTRL_REG1:
        if ((before ^ value) & 0xf8) this.restartSampling();
        return;
      case LIS3DH_REG.CTRL_REG5:
        this.regs[reg] = value & ~LIS3DH_BITS.CTRL_REG5_BOOT;
        if ((before & LIS3DH_BITS.CTRL_REG5_FIFO_EN) && !(value & LIS3DH_BITS.CTRL_REG5_FIFO_EN)) this.fifo.length = 0;
        return;
      case LIS3DH_REG.FIFO_CTRL_REG:
        if ((value & 0xc0) === LIS3DH_BITS.FIFO_MODE_BYPASS) this.fifo.length = 0;
        return;
      default:
    }
  }

  private fifoEnabled(): boolean {
    return (this.regs[LIS3DH_REG.CTRL_REG5] & LIS3DH_BITS.CTRL_REG5_FIFO_EN) !== 0;
  }

  /** FIFO_EN set and a mode other than bypass: samples go through the FIFO. */
  private fifoActive(): boolean {
    return this.fifoEnabled() && (this.regs[LIS3DH_REG.FIFO_CTRL_REG] & 0xc0) !== LIS3DH_BITS.FIFO_MODE_BYPASS;
  }

  private lowPower(): boolean {
    return (this.regs[LIS3DH_REG.CTRL_REG1] & LIS3DH_BITS.CTRL_REG1_LPEN) !== 0;
  }

  private axisBits(): number {
    return this.regs[LIS3DH_REG.CTRL_REG1] & LIS3DH_BITS.CTRL_REG1_XYZ;
  }

  private status(): number {
    const axes = this.axisBits();
    const ready = this.fifoActive() ? this.fifo.length > 0 : this.dataReady;
    const over = this.fifoActive() ? this.fifo.length >= LIS3DH_FIFO_SIZE : this.overwritten;
    return (ready ? LIS3DH_BITS.STATUS_ZYXDA | axes : 0) | (over ? LIS3DH_BITS.STATUS_ZYXOR | (axes << 4) : 0);
  }

  private watermark(): number {
    return this.regs[LIS3DH_REG.FIFO_CTRL_REG] & LIS3DH_BITS.FIFO_SRC_FSS;
  }

  private fifoSource(): number {
    if (!this.fifoActive()) return LIS3DH_BITS.FIFO_SRC_EMPTY;
    const n = this.fifo.length;
    return (n >= this.watermark() ? LIS3DH_BITS.FIFO_SRC_WTM : 0) |
      (n >= LIS3DH_FIFO_SIZE ? LIS3DH_BITS.FIFO_SRC_OVRN : 0) |
      (n === 0 ? LIS3DH_BITS.FIFO_SRC_EMPTY : 0) |
      Math.min(n, LIS3DH_FIFO_SIZE - 1);
  }

  /** Byte `index` (0..5: X_L, X_H, Y_L, Y_H, Z_L, Z_H) of the sample the output registers show. */
  private outputByte(index: number): number {
    const sample = this.fifoActive() && this.fifo.length > 0 ? this.fifo[0] : this.out;
    const value = sample[index >> 1] & 0xffff;
    const bigEndian = (this.regs[LIS3DH_REG.CTRL_REG4] & LIS3DH_BITS.CTRL_REG4_BLE) !== 0;
    const high = (index & 1) === 1 ? !bigEndian : bigEndian;
    return high ? value >> 8 : value & 0xff;
  }

  /** OUT_Z_H was read: the sample shown has been read out. */
  private sampleRead(): void {
    if (this.fifoActive()) {
      const head = this.fifo.shift();
      if (head === undefined) {
        this.readsWhileEmpty++;
        return;
      }
      this.out = head;
      this.consumed++;
      return;
    }
    if (!this.dataReady) return;
    this.dataReady = false;
    this.overwritten = false;
    this.consumed++;
  }

  // ---- sampling ----

  private restartSampling(): void {
    if (this.sampleTimer !== undefined) this.sim.cancel(this.sampleTimer);
    this.sampleTimer = undefined;
    const hz = this.outputDataRateHz;
    if (hz === 0) {
      this.nextSampleUs = Infinity;
      return;
    }
    this.periodUs = 1e6 / hz;
    this.odrStartUs = this.sim.now();
    this.odrTicks = 1;
    this.nextSampleUs = this.odrStartUs + Math.round(this.periodUs);
    this.sampleTimer = this.sim.at(this.nextSampleUs, this.onSampleTimer);
  }

  private readonly onSampleTimer = (): void => {
    this.sampleTimer = undefined;
    this.catchUp();
  };

  /**
   * Take every sample due by now, each with the signal at its own time: the part samples on its own clock,
   * so a timer event run late (the CPU was busy, sim.spend) or a transfer that ends after a sample was due
   * finds the samples it would have taken meanwhile. Then keep the timer on the next one.
   */
  private catchUp(): void {
    const now = this.sim.now();
    if (this.nextSampleUs > now) return;
    while (this.nextSampleUs <= now) {
      this.takeSample(this.nextSampleUs);
      this.odrTicks++;
      // Fixed times from the start, so the rate does not drift.
      this.nextSampleUs = this.odrStartUs + Math.round(this.odrTicks * this.periodUs);
    }
    if (this.sampleTimer !== undefined) this.sim.cancel(this.sampleTimer);
    this.sampleTimer = this.sim.at(this.nextSampleUs, this.onSampleTimer);
  }

  private takeSample(atUs: number): void {
    const g = this.signal(atUs);
    const axes = this.axisBits();
    const sample: Raw = [
      axes & 1 ? this.toRaw(g.x) : 0,
      axes & 2 ? this.toRaw(g.y) : 0,
      axes & 4 ? this.toRaw(g.z) : 0,
    ];
    this.produced++;
    if (this.fifoActive()) {
      if (this.fifo.length >= LIS3DH_FIFO_SIZE) {
        this.lost++;
        // FIFO mode stops collecting when full; stream mode (and stream-to-FIFO here) drops the oldest.
        if ((this.regs[LIS3DH_REG.FIFO_CTRL_REG] & 0xc0) === LIS3DH_BITS.FIFO_MODE_FIFO) {
          this.updateInt();
          return;
        }
        this.fifo.shift();
      }
      this.fifo.push(sample);
    } else {
      if (this.dataReady) {
        this.lost++;
        this.overwritten = true;
      }
      this.out = sample;
      this.dataReady = true;
    }
    this.updateInt();
  }

  /** g to the left-justified 16-bit output of the current mode and full scale. */
  private toRaw(g: number): number {
    const fs = (this.regs[LIS3DH_REG.CTRL_REG4] >> 4) & 3;
    const lp = this.lowPower();
    const hr = !lp && (this.regs[LIS3DH_REG.CTRL_REG4] & LIS3DH_BITS.CTRL_REG4_HR) !== 0;
    const bits = lp ? 8 : hr ? 12 : 10;
    const sensitivity = (lp ? SENSITIVITY_MG.lowPower : hr ? SENSITIVITY_MG.highResolution : SENSITIVITY_MG.normal)[fs];
    const max = (1 << (bits - 1)) - 1;
    const digits = Math.max(-max - 1, Math.min(max, Math.round((g * 1000) / sensitivity)));
    return (digits << (16 - bits)) | 0;
  }

  // ---- INT1 ----

  private updateInt(): void {
    const ctrl3 = this.regs[LIS3DH_REG.CTRL_REG3];
    const fifo = this.fifoActive();
    const n = this.fifo.length;
    const ready = fifo ? n > 0 : this.dataReady;
    const active = ((ctrl3 & LIS3DH_BITS.CTRL_REG3_I1_ZYXDA) !== 0 && ready) ||
      ((ctrl3 & LIS3DH_BITS.CTRL_REG3_I1_WTM) !== 0 && fifo && n >= this.watermark()) ||
      ((ctrl3 & LIS3DH_BITS.CTRL_REG3_I1_OVERRUN) !== 0 && fifo && n >= LIS3DH_FIFO_SIZE);
    this.intAsserted = active;
    if (this.int1 === undefined) return;
    const activeLow = (this.regs[LIS3DH_REG.CTRL_REG6] & LIS3DH_BITS.CTRL_REG6_INT_POLARITY) !== 0;
    this.int1.drive(active !== activeLow ? 1 : 0);
  }
}
