/*
 * A host fake of Moddable's ECMA-419 I2C class (`embedded:io/i2c`, the ESP32 one: modules/io/i2c/esp32/_i2c.c),
 * performing its transfers on the simulated I2C bus (../i2c.ts). Like the board's, it is SYNCHRONOUS: write()
 * and read() return once the transfer is over. It talks to the bus's I2cTarget device models directly and
 * charges the transfer's bus time to the simulator with `sim.spend(...)`, because on the board the JavaScript
 * thread is blocked for the transfer: events that fall due meanwhile (a sensor's next sample, a timer) run
 * late, after the current job.
 *
 * What follows Moddable's implementation:
 *   - The constructor takes one option bag: `data` and `clock` (pins), `address` (7-bit) and `hz` are
 *     required; `port` (0 or 1), `timeout`, `pullup` and `format` ("buffer", the only one) are optional.
 *     A missing `data`/`clock`/`address` is a RangeError ("data required", ...), as are an address outside
 *     0..127 ("invalid address"), a second open instance for the same address on the same pins ("duplicate
 *     address"), `hz` missing or outside 1..20,000,000 ("invalid hz"), a bad port or format.
 *     `new host.default.io({ ...host.default, address, hz })` is the board's
 *     `new device.I2C.default.io({ ...device.I2C.default, address, hz })`.
 *   - write(buffer, stop = true): an ArrayBuffer or a view of one. A transfer nobody acknowledges throws
 *     Error("write failed"); a zero-length write (an address probe) returns 1 instead of throwing.
 *   - read(count, stop = true) returns a new ArrayBuffer of `count` bytes; read(buffer, stop) fills the
 *     buffer (an ArrayBuffer or a view) and returns its byte length, as the ESP32 implementation does (the
 *     typings say ArrayBuffer). Without an acknowledge it throws Error("read failed").
 *   - stop = false ends the transfer without a stop condition, so the next one starts with a repeated start:
 *     `write(Uint8Array.of(register), false)` then `read(count)` is the register read of most devices. The
 *     register pointer lives in the device model, so the pair behaves as one write-then-read transfer.
 *   - close() releases the instance (a second close does nothing); any other use after it throws the
 *     SyntaxError XS raises for a host object whose native data is gone.
 *
 * Timing: each write() or read() is a transfer of its own (Moddable issues one i2c_master_cmd_begin per
 * call), taking the bus's `transferUs(1 + bytes)`: its latency plus one address byte and the data bytes
 * (100 µs + 23 µs/byte by default). A NACK ends the transfer after the address byte. `hz` is checked but the
 * bus's timing is used, so a board has one timing for its async and its sync transfers.
 *
 * A device model that throws (the MCP23017 model refusing IOCON.BANK = 1) fails the transfer with
 * "write failed"/"read failed", the model's error as `cause`.
 *
 * Not modelled: the bus mutex against an asynchronous transfer in flight on the same I2cBus (a board uses
 * one or the other; a sync transfer that starts while one is in flight is counted in the host's `overlaps`),
 * clock stretching, the transfer timeout, arbitration.
 */
import type { I2cBus, I2cTarget } from '../i2c';
import type { Simulator } from '../sim';

/** The option bag of the constructor, as Moddable's `embedded:io/i2c` takes it. */
export interface Ecma419I2cOptions {
  data: number;
  clock: number;
  hz: number;
  address: number;
  port?: number;
  /** Transfer timeout, ms (checked, not modelled). */
  timeout?: number;
  pullup?: boolean;
  format?: string;
}

/** The board's `device.I2C.default`: the io class and the pins (and port) of the default bus. */
export interface Ecma419I2cDefault {
  readonly io: new (options: Ecma419I2cOptions) => Ecma419I2c;
  readonly data: number;
  readonly clock: number;
  readonly port: number;
}

export interface Ecma419I2cHostOptions {
  /** SDA pin of the simulated bus (21, the ESP32 default). */
  data?: number;
  /** SCL pin of the simulated bus (22). */
  clock?: number;
  /** The default port (0). */
  port?: number;
}

/** ESP32's I2C_NUM_MAX: two controllers. */
const PORTS = 2;
const MAX_HZ = 20_000_000;

function hex(address: number): string {
  return `0x${address.toString(16).padStart(2, '0')}`;
}

function bytesOf(buffer: unknown, what: string): Uint8Array {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError(`${what}: expected an ArrayBuffer or a view of one`);
}

/**
 * The simulated I2C bus as the ECMA-419 host provider sees it: its pins, the io class bound to it, the open
 * instances (for "duplicate address"), and totals over every instance.
 */
export class Ecma419I2cHost {
  readonly data: number;
  readonly clock: number;
  readonly port: number;
  /** The io class: `new host.io({ ...host.default, address, hz })`. */
  readonly io: new (options: Ecma419I2cOptions) => Ecma419I2c;
  /** `device.I2C.default`. */
  readonly default: Ecma419I2cDefault;
  /** Transfers by every instance, acknowledged or not. */
  transfers = 0;
  /** Transfers nobody acknowledged. */
  nacks = 0;
  /** Bus time charged to the simulator by every transfer, µs. */
  busUs = 0;
  /** Sync transfers that started while an asynchronous I2cBus transfer was in flight (see the header). */
  overlaps = 0;
  /** Open instances by address. */
  readonly open = new Map<number, Ecma419I2c>();

  constructor(readonly sim: Simulator, readonly bus: I2cBus, options: Ecma419I2cHostOptions = {}) {
    this.data = options.data ?? 21;
    this.clock = options.clock ?? 22;
    this.port = options.port ?? 0;
    const host = this;
    this.io = class extends Ecma419I2c {
      constructor(opts: Ecma419I2cOptions) {
        super(opts, host);
      }
    };
    this.default = Object.freeze({ io: this.io, data: this.data, clock: this.clock, port: this.port });
  }
}

export class Ecma419I2c {
  readonly address: number;
  readonly hz: number;
  readonly port: number;
  /** Transfers (write and read calls that reached the bus), acknowledged or not. */
  transfers = 0;
  /** Transfers nobody acknowledged. */
  nacks = 0;
  /** Data bytes written and read (address bytes not counted). */
  bytesWritten = 0;
  bytesRead = 0;
  /** Transfers that began with a repeated start: the previous one of this instance ended without a stop. */
  repeatedStarts = 0;
  /** Bus time this instance charged to the simulator, µs. */
  busUs = 0;

  private closed = false;
  /** The last transfer ended without a stop condition. */
  private held = false;

  constructor(options: Ecma419I2cOptions, private readonly host: Ecma419I2cHost) {
    if (options === null || typeof options !== 'object') throw new TypeError('I2C: options required');
    if (!('data' in options)) throw new RangeError('data required');
    if (!('clock' in options)) throw new RangeError('clock required');
    if (!('address' in options)) throw new RangeError('address required');
    if (options.data !== host.data || options.clock !== host.clock) {
      throw new RangeError(
        `no simulated I2C bus on data ${String(options.data)} clock ${String(options.clock)} ` +
          `(the board's is on data ${host.data} clock ${host.clock})`,
      );
    }
    const address = options.address;
    if (!Number.isInteger(address) || address < 0 || address > 127) throw new RangeError('invalid address');
    if (host.open.has(address)) throw new RangeError('duplicate address');
    const hz = Math.trunc(Number(options.hz));
    if (!(hz > 0) || hz > MAX_HZ) throw new RangeError('invalid hz');
    const port = options.port ?? host.port;
    if (!Number.isInteger(port) || port < 0 || port >= PORTS) throw new RangeError('invalid port');
    if (options.format !== undefined && options.format !== 'buffer') throw new RangeError('invalid format');
    this.address = address;
    this.hz = hz;
    this.port = port;
    host.open.set(address, this);
  }

  get format(): 'buffer' {
    this.check();
    return 'buffer';
  }

  set format(value: string) {
    this.check();
    if (value !== 'buffer') throw new RangeError('invalid format');
  }

  /** Write `buffer` to the device; `stop = false` leaves the bus for a repeated start. Returns 1 for an unanswered zero-length probe. */
  write(buffer: ArrayBuffer | ArrayBufferView, stop = true): number | undefined {
    this.check();
    const bytes = bytesOf(buffer, 'write');
    const target = this.begin(bytes.length);
    this.held = !stop;
    if (target === undefined) {
      if (bytes.length === 0) return 1;
      throw new Error('write failed');
    }
    if (bytes.length === 0) return undefined;
    try {
      target.write(Array.from(bytes));
    } catch (cause) {
      throw new Error('write failed', { cause });
    }
    this.bytesWritten += bytes.length;
    return undefined;
  }

  /**
   * read(count, stop = true): a new ArrayBuffer with `count` bytes from the device.
   * read(buffer, stop = true): fill `buffer` (an ArrayBuffer or a view) and return its byte length.
   */
  read(count: number, stop?: boolean): ArrayBuffer;
  read(buffer: ArrayBuffer | ArrayBufferView, stop?: boolean): number;
  read(countOrBuffer: number | ArrayBuffer | ArrayBufferView, stop = true): ArrayBuffer | number {
    this.check();
    let into: Uint8Array;
    let result: ArrayBuffer | number;
    if (typeof countOrBuffer === 'object' && countOrBuffer !== null) {
      into = bytesOf(countOrBuffer, 'read');
      result = into.byteLength;
    } else {
      const count = Number(countOrBuffer);
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`read: ${String(countOrBuffer)} is not a byte count`);
      const buffer = new ArrayBuffer(count);
      into = new Uint8Array(buffer);
      result = buffer;
    }
    const target = this.begin(into.length);
    this.held = !stop;
    if (target === undefined) throw new Error('read failed');
    // Bytes a device does not supply read as 0xFF: SDA stays released.
    into.fill(0xff);
    if (into.length > 0) {
      let data: number[];
      try {
        data = target.read(into.length);
      } catch (cause) {
        throw new Error('read failed', { cause });
      }
      into.set(data.slice(0, into.length));
    }
    this.bytesRead += into.length;
    return result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = false;
    if (this.host.open.get(this.address) === this) this.host.open.delete(this.address);
  }

  /** Start a transfer of `dataBytes`: charge its bus time and return the device, or undefined on a NACK. */
  private begin(dataBytes: number): I2cTarget | undefined {
    const host = this.host;
    if (host.bus.busy) host.overlaps++;
    if (this.held) this.repeatedStarts++;
    const target = host.bus.targetAt(this.address);
    const us = host.bus.transferUs(target === undefined ? 1 : 1 + dataBytes);
    host.sim.spend(us);
    this.busUs += us;
    host.busUs += us;
    this.transfers++;
    host.transfers++;
    if (target === undefined) {
      this.nacks++;
      host.nacks++;
    }
    return target;
  }

  private check(): void {
    // What XS throws when a host object's native data is gone (xsmcGetHostDataValidate after close).
    if (this.closed) throw new SyntaxError(`C: xsGetHostData: invalid (I2C ${hex(this.address)} is closed)`);
  }
}
