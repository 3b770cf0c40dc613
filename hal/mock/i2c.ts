/*
 * A simulated I2C bus: one transfer at a time, each taking virtual time in proportion to its bytes.
 *
 * A transfer's duration is latencyUs + perByteUs for every byte on the wire, address bytes included (a
 * write-then-read has two: the repeated start re-sends the address). The target sees the transfer, with
 * its side effects (a read-to-clear register), at the END of that time; then the promise settles. Whether
 * a device answers is decided when the transfer starts; without one the transfer ends after the address
 * byte with ENXIO. A target that throws fails that transfer with its error; the bus carries on.
 */
import type { Simulator } from './sim';

/** A device on the bus. Register-pointer devices take the pointer as the first written byte; reads auto-increment. */
export interface I2cTarget {
  write(bytes: readonly number[]): void;
  read(count: number): number[];
}

export type I2cErrorCode = 'ENXIO' | 'EBUSY' | 'EINVAL';

/** ENXIO: no device acknowledged the address. EBUSY: address already taken. EINVAL: bad argument. */
export class I2cError extends Error {
  readonly code: I2cErrorCode;

  constructor(code: I2cErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }

  // A getter, not `this.name = ...`: on the board Error.prototype is frozen and that assignment throws.
  override get name(): string {
    return 'I2cError';
  }
}

export interface I2cBusOptions {
  /** Fixed cost of every transfer (start, stop, driver overhead), µs. */
  latencyUs?: number;
  /** Cost of each byte on the wire, µs: 9 clocks at 400 kHz is 22.5. */
  perByteUs?: number;
}

interface Transfer {
  readonly address: number;
  readonly write: readonly number[];
  readonly readCount: number;
  readonly resolve: (data: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

function checkAddress(address: number): void {
  if (!Number.isInteger(address) || address < 0 || address > 0x7f) {
    throw new I2cError('EINVAL', `address ${address} is not a 7-bit address`);
  }
}

function hex(address: number): string {
  return `0x${address.toString(16).padStart(2, '0')}`;
}

export class I2cBus {
  private readonly latencyUs: number;
  private readonly perByteUs: number;
  private readonly targets = new Map<number, I2cTarget>();
  private readonly waiting: Transfer[] = [];
  private inFlight = false;
  private completed = 0;
  private nacked = 0;

  constructor(
    private readonly sim: Simulator,
    options: I2cBusOptions = {},
  ) {
    this.latencyUs = options.latencyUs ?? 100;
    this.perByteUs = options.perByteUs ?? 23;
    if (!(this.latencyUs >= 0) || !(this.perByteUs >= 0)) throw new RangeError('I2cBus: timings must be >= 0');
  }

  /** Transfers finished so far, answered or not. */
  get transfers(): number {
    return this.completed;
  }

  /** Transfers nobody acknowledged. */
  get nacks(): number {
    return this.nacked;
  }

  /** True while a transfer is on the wire. */
  get busy(): boolean {
    return this.inFlight;
  }

  attach(address: number, target: I2cTarget): void {
    checkAddress(address);
    if (this.targets.has(address)) throw new I2cError('EBUSY', `address ${hex(address)} already has a device`);
    this.targets.set(address, target);
  }

  detach(address: number): void {
    checkAddress(address);
    if (!this.targets.delete(address)) throw new I2cError('ENXIO', `no device at ${hex(address)} to detach`);
  }

  /**
   * The device attached at `address`, or undefined: for a synchronous front end (ecma419/i2c.ts) that
   * performs its transfers itself, with `transferUs` for their duration. Those are not counted here.
   */
  targetAt(address: number): I2cTarget | undefined {
    checkAddress(address);
    return this.targets.get(address);
  }

  /** How long a transfer with `bytes` bytes on the wire (address bytes included) takes on this bus, µs. */
  transferUs(bytes: number): number {
    return this.latencyUs + this.perByteUs * bytes;
  }

  async write(address: number, bytes: readonly number[]): Promise<void> {
    await this.transfer(address, bytes, 0);
  }

  writeRead(address: number, write: readonly number[], readCount: number): Promise<Uint8Array> {
    return this.transfer(address, write, readCount);
  }

  async readRegister(address: number, reg: number): Promise<number> {
    const data = await this.transfer(address, [reg], 1);
    return data[0];
  }

  writeRegister(address: number, reg: number, value: number): Promise<void> {
    return this.write(address, [reg, value]);
  }

  private transfer(address: number, write: readonly number[], readCount: number): Promise<Uint8Array> {
    try {
      checkAddress(address);
      if (write.some((b) => !Number.isInteger(b) || b < 0 || b > 0xff)) {
        throw new I2cError('EINVAL', `write to ${hex(address)} holds a value that is not a byte`);
      }
      if (!Number.isInteger(readCount) || readCount < 0) {
        throw new I2cError('EINVAL', `read count ${readCount} is not a count`);
      }
      if (write.length === 0 && readCount === 0) throw new I2cError('EINVAL', `empty transfer to ${hex(address)}`);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      // Copy: the caller may reuse its array while the transfer waits for the bus.
      this.waiting.push({ address, write: [...write], readCount, resolve, reject });
      if (!this.inFlight) this.startNext();
    });
  }

  private startNext(): void {
    const transfer = this.waiting.shift();
    if (transfer === undefined) return;
    this.inFlight = true;
    const target = this.targets.get(transfer.address);
    if (target === undefined) {
      this.sim.after(this.latencyUs + this.perByteUs, () => {
        this.nacked++;
        this.finish(() => transfer.reject(new I2cError('ENXIO', `no device acknowledged ${hex(transfer.address)}`)));
      });
      return;
    }
    const writing = transfer.write.length > 0;
    const reading = transfer.readCount > 0;
    const addressBytes = (writing ? 1 : 0) + (reading ? 1 : 0);
    const bytes = addressBytes + transfer.write.length + transfer.readCount;
    this.sim.after(this.latencyUs + this.perByteUs * bytes, () => {
      this.finish(() => {
        let data: Uint8Array;
        try {
          if (writing) target.write(transfer.write);
          data = new Uint8Array(transfer.readCount).fill(0xff);
          // Bytes a target does not supply read as 0xFF: SDA stays released (pulled up).
          if (reading) data.set(target.read(transfer.readCount).slice(0, transfer.readCount));
        } catch (error) {
          transfer.reject(error);
          return;
        }
        transfer.resolve(data);
      });
    });
  }

  /** Settle the transfer, then hand the bus to the next one at the same virtual time. */
  private finish(settle: () => void): void {
    this.completed++;
    this.inFlight = false;
    settle();
    this.startNext();
  }
}
