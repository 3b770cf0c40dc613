/*
 * A host fake of Moddable's ECMA-419 I2C class (`embedded:io/i2c`, the ESP32 one: modules/io/i2c/_i2c.js over
 * modules/io/i2c/esp32/_i2c.c, with modules/io/common/builtinCommon.c), performing its transfers on the
 * simulated I2C bus (../i2c.ts). Like the board's, it is SYNCHRONOUS: write() and read() return once the
 * transfer is over. It talks to the bus's I2cTarget device models directly and charges the transfer's bus
 * time to the simulator with `sim.spend(...)`, because on the board the JavaScript thread is blocked for the
 * transfer: events that fall due meanwhile (a sensor's next sample, a timer) run late, after the current job.
 * It is as strict as Moddable 8.2.3: a kinder fake let the device entry pass on the host and crash on the board.
 *
 * The constructor, check by check in _xs_i2c_constructor's order (the first failing one names the error):
 *   1. `data`, `clock`, `address` absent: RangeError "data required", "clock required", "address required".
 *   2. `data`, `clock` read with builtinGetPin: undefined is Error "invalid", a negative number RangeError
 *      "negative"; fractions truncate.
 *   3. Unless an open instance already uses this data/clock pair, both pins must be free in the pin registry
 *      (gDigitalAvailable, shared with DigitalBank when the provider shares it): else RangeError "inUse". A
 *      pin the chip lacks (20, 24, 28-31, 40 up) is never free, so it is "inUse" too.
 *   4. `address` by builtinGetPin (Error "invalid", RangeError "negative"), above 127: RangeError "invalid
 *      address".
 *   5. An open instance with the same data, clock and address (whatever its port): RangeError "duplicate
 *      address". A second open of the same device is refused until the first is closed.
 *   6. data or clock not an output-capable GPIO (GPIO_IS_VALID_OUTPUT_GPIO: 34-39 are input only): RangeError
 *      "unusable pins".
 *   7. `hz` by xsmcToInteger (missing is 0): at most 0 or above 20,000,000 is RangeError "invalid hz".
 *   8. `timeout` (ms, default 400) below -1: RangeError "invalid timeout". `pullup` (default true).
 *   9. `port` given: outside 0..1 (I2C_NUM_MAX) is RangeError "invalid port". Absent: -1, any free controller.
 *  10. `format` other than "buffer" (when truthy): RangeError "invalid format".
 *  11. The bus: reused from an open instance with the same data, clock, port and pullup, else a new one on a
 *      free controller; none free (two buses already, or the port asked for is taken): Error "can't create
 *      bus". Then both pins are marked in use.
 * A bus on pins other than the simulated bus's is created, as on the board, with nothing on it: every
 * transfer goes unacknowledged.
 *
 * Transfers. _i2c.js passes only the first argument to the native side, so `stop` is ignored: each call is
 * one i2c_master_transmit/receive, ending with a stop (`stopsIgnored` counts calls that asked for none). The
 * register pointer lives in the device model, so `write(Uint8Array.of(register), false)` then `read(count)`
 * reads the register on the board too (the devices here keep the pointer across a stop).
 *   - write(buffer): an ArrayBuffer or a view of one. Unacknowledged: Error "write failed". A zero-length
 *     write is i2c_master_probe: 1 when nobody answers, undefined when the device does.
 *   - read(count) returns a new ArrayBuffer of `count` bytes; read(buffer) fills the buffer (an ArrayBuffer
 *     or a view) and returns its byte length. Unacknowledged: Error "read failed".
 *   - writeRead(buffer, countOrBuffer), the "experimental extension": one transmit-receive; unacknowledged:
 *     Error "writeRead failed".
 *   - close() releases the instance, its pins when no other instance uses the pair, and its bus when no other
 *     instance uses it (a second close does nothing); any other use after it throws the SyntaxError XS
 *     raises for a host object whose native data is gone.
 * A debug build of XS appends " (in <function>)" to messages thrown from C; these are the release messages.
 *
 * Timing: each transfer takes the bus's `transferUs(1 + bytes)`: its latency plus one address byte and the
 * data bytes (100 µs + 23 µs/byte by default). A NACK ends the transfer after the address byte. `hz` is
 * checked but the bus's timing is used, so a board has one timing for its async and its sync transfers.
 *
 * A device model that throws (the MCP23017 model refusing IOCON.BANK = 1) fails the transfer with
 * "write failed"/"read failed", the model's error as `cause`.
 *
 * Not modelled: the bus mutex against an asynchronous transfer in flight on the same I2cBus (a board uses
 * one or the other; a sync transfer that starts while one is in flight is counted in the host's `overlaps`),
 * clock stretching, the transfer timeout, arbitration.
 */
import { isInputOnlyGpio, isValidGpio, socPins } from '../../esp32/pins';
import type { I2cBus, I2cTarget } from '../i2c';
import type { Simulator } from '../sim';
import { createFakePinRegistry, toInteger, type FakePinRegistry } from './digitalbank';

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

/**
 * A board subplatform's `device.I2C.default` (build/devices/esp32/targets/<board>/host/provider.js): the io
 * class and the pins, nothing else (no `hz`, no `port`).
 */
export interface Ecma419I2cDefault {
  readonly io: new (options: Ecma419I2cOptions) => Ecma419I2c;
  readonly data: number;
  readonly clock: number;
}

export interface Ecma419I2cHostOptions {
  /** SDA pin of the simulated bus (21, the ESP32 default). */
  data?: number;
  /** SCL pin of the simulated bus (22). */
  clock?: number;
  /** The pin registry shared with the DigitalBank fake (createFakeProvider shares one); else a private one. */
  pins?: FakePinRegistry;
}

/** ESP32's I2C_NUM_MAX: two controllers. */
const PORTS = 2;
const MAX_HZ = 20_000_000;
/** The original ESP32's pin table: the chip the simulated board is. */
const PIN_TABLE = socPins('esp32');

function hex(address: number): string {
  return `0x${address.toString(16).padStart(2, '0')}`;
}

function bytesOf(buffer: unknown, what: string): Uint8Array {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError(`${what}: expected an ArrayBuffer or a view of one`);
}

/** A GPIO as the pin registry takes it: its bank and its bit in that bank. */
function bankBit(gpio: number): [bank: number, pins: number] {
  return [gpio >> 5, 1 << (gpio & 31)];
}

/** builtinGetPin (builtinGetUnsignedInteger): undefined is Error "invalid", a negative RangeError "negative". */
function getPin(value: unknown): number {
  if (value === undefined) throw new Error('invalid');
  const n = toInteger(value);
  if (n < 0) throw new RangeError('negative');
  return n;
}

/** A master bus the fake created: one controller, shared by the instances with the same pins, port and pullup. */
interface FakeBus {
  readonly key: string;
  readonly port: number;
  users: number;
}

/**
 * The simulated I2C bus as the ECMA-419 host provider sees it: its pins, the io class bound to it, the open
 * instances (for "duplicate address" and the pin bookkeeping), and totals over every instance.
 */
export class Ecma419I2cHost {
  readonly data: number;
  readonly clock: number;
  /** The io class: `new host.io({ ...host.default, address, hz })`. */
  readonly io: new (options: Ecma419I2cOptions) => Ecma419I2c;
  /** `device.I2C.default` of a board subplatform. */
  readonly default: Ecma419I2cDefault;
  /** The pins the IO objects hold (builtinCommon.c's gDigitalAvailable). */
  readonly pins: FakePinRegistry;
  /** Transfers by every instance, acknowledged or not. */
  transfers = 0;
  /** Transfers nobody acknowledged. */
  nacks = 0;
  /** Bus time charged to the simulator by every transfer, µs. */
  busUs = 0;
  /** Sync transfers that started while an asynchronous I2cBus transfer was in flight (see the header). */
  overlaps = 0;
  /** Open instances (gI2C). */
  readonly instances = new Set<Ecma419I2c>();
  /** Master buses by data/clock/port/pullup. */
  readonly buses = new Map<string, FakeBus>();

  constructor(readonly sim: Simulator, readonly bus: I2cBus, options: Ecma419I2cHostOptions = {}) {
    this.data = options.data ?? 21;
    this.clock = options.clock ?? 22;
    this.pins = options.pins ?? createFakePinRegistry(PIN_TABLE);
    const host = this;
    this.io = class extends Ecma419I2c {
      constructor(opts: Ecma419I2cOptions) {
        super(opts, host);
      }
    };
    this.default = Object.freeze({ io: this.io, data: this.data, clock: this.clock });
  }

  /** usingPins: an open instance on this data/clock pair. */
  usingPins(data: number, clock: number): boolean {
    for (const i2c of this.instances) if (i2c.data === data && i2c.clock === clock) return true;
    return false;
  }

  /** The open instance for one device (same data, clock and address), if any. */
  openAt(data: number, clock: number, address: number): Ecma419I2c | undefined {
    for (const i2c of this.instances) if (i2c.data === data && i2c.clock === clock && i2c.address === address) return i2c;
    return undefined;
  }
}

export class Ecma419I2c {
  readonly data: number;
  readonly clock: number;
  readonly address: number;
  readonly hz: number;
  /** The port asked for, -1 for "any free controller". */
  readonly port: number;
  /** Transfers (write, read and writeRead calls that reached the bus), acknowledged or not. */
  transfers = 0;
  /** Transfers nobody acknowledged. */
  nacks = 0;
  /** Data bytes written and read (address bytes not counted). */
  bytesWritten = 0;
  bytesRead = 0;
  /** Calls that passed stop = false: _i2c.js drops the argument, so each still ended with a stop. */
  stopsIgnored = 0;
  /** Bus time this instance charged to the simulator, µs. */
  busUs = 0;

  private closed = false;
  private readonly fakeBus: FakeBus;

  constructor(options: Ecma419I2cOptions, private readonly host: Ecma419I2cHost) {
    if (options === null || typeof options !== 'object') throw new TypeError('I2C: options required');
    const o = options as unknown as Record<string, unknown>;
    if (!('data' in o)) throw new RangeError('data required');
    if (!('clock' in o)) throw new RangeError('clock required');
    if (!('address' in o)) throw new RangeError('address required');
    const data = getPin(o.data);
    const clock = getPin(o.clock);
    if (!host.usingPins(data, clock) && (!host.pins.arePinsFree(...bankBit(data)) || !host.pins.arePinsFree(...bankBit(clock)))) {
      throw new RangeError('inUse');
    }
    const address = getPin(o.address);
    if (address > 127) throw new RangeError('invalid address');
    if (host.openAt(data, clock, address) !== undefined) throw new RangeError('duplicate address');
    const outputCapable = (pin: number): boolean => isValidGpio(PIN_TABLE, pin) && !isInputOnlyGpio(PIN_TABLE, pin);
    if (!outputCapable(clock) || !outputCapable(data)) throw new RangeError('unusable pins');
    const hz = toInteger(o.hz);
    if (hz <= 0 || hz > MAX_HZ) throw new RangeError('invalid hz');
    if ('timeout' in o && toInteger(o.timeout) < -1) throw new RangeError('invalid timeout');
    const pullup = 'pullup' in o ? Boolean(o.pullup) : true;
    let port = -1;
    if ('port' in o) {
      port = toInteger(o.port);
      if (port < 0 || port >= PORTS) throw new RangeError('invalid port');
    }
    if ('format' in o && o.format && o.format !== 'buffer') throw new RangeError('invalid format');

    // The bus: shared with an instance on the same pins, port and pullup, else a new one on a free controller.
    const key = `${data}/${clock}/${port}/${pullup ? 1 : 0}`;
    let bus = host.buses.get(key);
    if (bus === undefined) {
      const taken = new Set<number>();
      for (const b of host.buses.values()) taken.add(b.port);
      let controller = port;
      if (controller < 0) for (let p = 0; p < PORTS && controller < 0; p++) if (!taken.has(p)) controller = p;
      if (controller < 0 || taken.has(controller)) throw new Error("can't create bus");
      bus = { key, port: controller, users: 0 };
      host.buses.set(key, bus);
    }
    bus.users++;
    this.fakeBus = bus;
    this.data = data;
    this.clock = clock;
    this.address = address;
    this.hz = hz;
    this.port = port;
    host.instances.add(this);
    host.pins.use(...bankBit(data));
    host.pins.use(...bankBit(clock));
  }

  get format(): 'buffer' {
    this.check();
    return 'buffer';
  }

  set format(value: string) {
    this.check();
    if (value !== 'buffer') throw new RangeError('invalid format');
  }

  /** Write `buffer` to the device. Returns 1 for an unanswered zero-length probe. `stop` is ignored, as by _i2c.js. */
  write(buffer: ArrayBuffer | ArrayBufferView, stop?: boolean): number | undefined {
    this.check();
    if (stop === false) this.stopsIgnored++;
    const bytes = bytesOf(buffer, 'write');
    const target = this.begin(bytes.length);
    if (target === undefined) {
      if (bytes.length === 0) return 1;
      throw new Error('write failed');
    }
    if (bytes.length === 0) return undefined;
    this.send(target, bytes, 'write failed');
    return undefined;
  }

  /**
   * read(count): a new ArrayBuffer with `count` bytes from the device.
   * read(buffer): fill `buffer` (an ArrayBuffer or a view) and return its byte length.
   * `stop` is ignored, as by _i2c.js.
   */
  read(count: number, stop?: boolean): ArrayBuffer;
  read(buffer: ArrayBuffer | ArrayBufferView, stop?: boolean): number;
  read(countOrBuffer: number | ArrayBuffer | ArrayBufferView, stop?: boolean): ArrayBuffer | number {
    this.check();
    if (stop === false) this.stopsIgnored++;
    const { into, result } = this.readTarget(countOrBuffer);
    const target = this.begin(into.length);
    if (target === undefined) throw new Error('read failed');
    this.receive(target, into, 'read failed');
    return result;
  }

  /** writeRead(buffer, count | buffer): one transmit-receive (Moddable's "experimental extension"). */
  writeRead(buffer: ArrayBuffer | ArrayBufferView, countOrBuffer: number | ArrayBuffer | ArrayBufferView): ArrayBuffer | number {
    this.check();
    const { into, result } = this.readTarget(countOrBuffer);
    const bytes = bytesOf(buffer, 'writeRead');
    const target = this.begin(bytes.length + into.length);
    if (target === undefined) throw new Error('writeRead failed');
    if (bytes.length > 0) this.send(target, bytes, 'writeRead failed');
    this.receive(target, into, 'writeRead failed');
    return result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const host = this.host;
    host.instances.delete(this);
    if (--this.fakeBus.users === 0) host.buses.delete(this.fakeBus.key);
    if (!host.usingPins(this.data, this.clock)) {
      host.pins.free(...bankBit(this.data));
      host.pins.free(...bankBit(this.clock));
    }
  }

  private readTarget(countOrBuffer: number | ArrayBuffer | ArrayBufferView): { into: Uint8Array; result: ArrayBuffer | number } {
    if (typeof countOrBuffer === 'object' && countOrBuffer !== null) {
      const into = bytesOf(countOrBuffer, 'read');
      return { into, result: into.byteLength };
    }
    const count = Number(countOrBuffer);
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`read: ${String(countOrBuffer)} is not a byte count`);
    const buffer = new ArrayBuffer(count);
    return { into: new Uint8Array(buffer), result: buffer };
  }

  private send(target: I2cTarget, bytes: Uint8Array, failure: string): void {
    try {
      target.write(Array.from(bytes));
    } catch (cause) {
      throw new Error(failure, { cause });
    }
    this.bytesWritten += bytes.length;
  }

  private receive(target: I2cTarget, into: Uint8Array, failure: string): void {
    // Bytes a device does not supply read as 0xFF: SDA stays released.
    into.fill(0xff);
    if (into.length > 0) {
      let data: number[];
      try {
        data = target.read(into.length);
      } catch (cause) {
        throw new Error(failure, { cause });
      }
      into.set(data.slice(0, into.length));
    }
    this.bytesRead += into.length;
  }

  /** Start a transfer of `dataBytes`: charge its bus time and return the device, or undefined on a NACK. */
  private begin(dataBytes: number): I2cTarget | undefined {
    const host = this.host;
    const simulated = this.data === host.data && this.clock === host.clock;
    if (simulated && host.bus.busy) host.overlaps++;
    // A bus on other pins has nothing on it: the address byte goes unanswered.
    const target = simulated ? host.bus.targetAt(this.address) : undefined;
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
