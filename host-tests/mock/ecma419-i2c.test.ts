import { createFakePinRegistry } from '../../hal/mock/ecma419/digitalbank';
import { Ecma419I2cHost, type Ecma419I2cOptions } from '../../hal/mock/ecma419/i2c';
import { I2cBus, I2cError, type I2cTarget } from '../../hal/mock/i2c';
import { Simulator } from '../../hal/mock/sim';

/** A register file that records what the bus did to it, and when (virtual time). */
class Recorder implements I2cTarget {
  readonly regs = new Uint8Array(256);
  readonly ops: Array<{ op: string; at: number }> = [];
  private pointer = 0;
  constructor(private readonly sim: Simulator) {}

  write(bytes: readonly number[]): void {
    this.ops.push({ op: `write ${bytes.join(',')}`, at: this.sim.now() });
    this.pointer = bytes[0];
    for (const b of bytes.slice(1)) this.regs[this.pointer++ & 0xff] = b;
  }

  read(count: number): number[] {
    this.ops.push({ op: `read ${count}`, at: this.sim.now() });
    return Array.from({ length: count }, () => this.regs[this.pointer++ & 0xff]);
  }
}

const ADDRESS = 0x48;

function setup() {
  const sim = new Simulator();
  const bus = new I2cBus(sim, { latencyUs: 100, perByteUs: 20 });
  const dev = new Recorder(sim);
  bus.attach(ADDRESS, dev);
  const host = new Ecma419I2cHost(sim, bus);
  const i2c = new host.default.io({ ...host.default, address: ADDRESS, hz: 400_000 });
  return { sim, bus, dev, host, i2c };
}

describe('ECMA-419 I2C fake (embedded:io/i2c)', () => {
  test('is opened Moddable-style from the default option bag, with the ESP32 default pins, format "buffer"', () => {
    const { host, i2c } = setup();
    expect(host.default).toEqual({ io: host.io, data: 21, clock: 22 }); // a board provider's: no hz, no port
    expect(i2c.address).toBe(ADDRESS);
    expect(i2c.hz).toBe(400_000);
    expect(i2c.format).toBe('buffer');
    expect(() => (i2c.format = 'number')).toThrow(RangeError);
  });

  test('write asking for no stop then read is a register read (the stop argument is dropped by _i2c.js), returning an ArrayBuffer', () => {
    const { dev, i2c } = setup();
    dev.regs[0x10] = 0xab;
    dev.regs[0x11] = 0xcd;
    i2c.write(Uint8Array.of(0x10), false);
    const data = i2c.read(2);
    expect(data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(data)]).toEqual([0xab, 0xcd]);
    expect(dev.ops.map((o) => o.op)).toEqual(['write 16', 'read 2']);
    expect(i2c.stopsIgnored).toBe(1);
    expect(i2c.transfers).toBe(2);
    expect(i2c.bytesWritten).toBe(1);
    expect(i2c.bytesRead).toBe(2);
  });

  test('is synchronous: each call charges its bus time to the simulator at once, and the device sees it at the end', () => {
    const { sim, dev, i2c, host } = setup();
    i2c.write(Uint8Array.of(0x01, 0x7f, 0x80));
    // latency + (address byte + 3 data bytes) x per-byte time
    expect(sim.now()).toBe(100 + 20 * 4);
    i2c.read(5);
    expect(sim.now()).toBe(180 + 100 + 20 * 6);
    expect(dev.ops.map((o) => o.at)).toEqual([180, 400]);
    expect(i2c.busUs).toBe(400);
    expect(host.busUs).toBe(400);
  });

  test('a timer due during a transfer runs after it, late, as on a blocked JavaScript thread', async () => {
    const { sim, i2c } = setup();
    let ranAt = -1;
    sim.at(10, () => i2c.write(Uint8Array.of(0, 1, 2, 3, 4)));
    sim.at(50, () => (ranAt = sim.now()));
    await sim.runUntilIdle();
    expect(ranAt).toBe(10 + 100 + 20 * 6);
  });

  test('writes accept an ArrayBuffer or any view, and only the view\'s bytes are sent', () => {
    const { dev, i2c } = setup();
    i2c.write(Uint8Array.of(0x20, 1, 2).buffer);
    const big = Uint8Array.of(9, 0x30, 7, 9);
    i2c.write(new DataView(big.buffer, 1, 2));
    expect(dev.ops.map((o) => o.op)).toEqual(['write 32,1,2', 'write 48,7']);
  });

  test('read into a buffer fills it and returns its byte length', () => {
    const { dev, i2c } = setup();
    dev.regs.set([1, 2, 3, 4], 0x40);
    i2c.write(Uint8Array.of(0x40), false);
    const into = new Uint8Array(4);
    expect(i2c.read(into)).toBe(4);
    expect([...into]).toEqual([1, 2, 3, 4]);
  });

  test('an address nobody acknowledges throws "write failed" / "read failed" after the address byte, counted', () => {
    const { sim, host } = setup();
    const ghost = new host.io({ ...host.default, address: 0x22, hz: 100_000 });
    expect(() => ghost.write(Uint8Array.of(1, 2))).toThrow(new Error('write failed'));
    expect(sim.now()).toBe(120);
    expect(() => ghost.read(4)).toThrow(new Error('read failed'));
    expect(sim.now()).toBe(240);
    expect(ghost.nacks).toBe(2);
    expect(host.nacks).toBe(2);
    expect(host.transfers).toBe(2);
  });

  test('a zero-length write is an address probe: 1 without an acknowledge, undefined with one', () => {
    const { host, i2c } = setup();
    const ghost = new host.io({ ...host.default, address: 0x22, hz: 100_000 });
    expect(ghost.write(new Uint8Array(0))).toBe(1);
    expect(i2c.write(new Uint8Array(0))).toBeUndefined();
  });

  test('a device model that refuses a transfer fails it with "write failed", its error as the cause', () => {
    const { sim, bus, host } = setup();
    const refusing: I2cTarget = {
      write: () => {
        throw new I2cError('EINVAL', 'no such register');
      },
      read: () => [],
    };
    bus.attach(0x50, refusing);
    const i2c = new host.io({ ...host.default, address: 0x50, hz: 400_000 });
    let error: unknown;
    try {
      i2c.write(Uint8Array.of(0xff, 1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('write failed');
    expect((error as Error).cause).toBeInstanceOf(I2cError);
    expect(sim.now()).toBeGreaterThan(0);
  });

  test('bytes the device does not supply read as 0xFF', () => {
    const { bus, host } = setup();
    bus.attach(0x51, { write: () => {}, read: () => [1] });
    const i2c = new host.io({ ...host.default, address: 0x51, hz: 400_000 });
    expect([...new Uint8Array(i2c.read(3))]).toEqual([1, 0xff, 0xff]);
  });

  test('bad option bags are RangeErrors named as Moddable names them', () => {
    const { host } = setup();
    const { io } = host;
    const base = { ...host.default, address: 0x30, hz: 400_000 };
    expect(() => new io({ ...base, address: 128 })).toThrow(new RangeError('invalid address'));
    expect(() => new io({ ...base, address: -1 })).toThrow(new RangeError('negative')); // builtinGetPin
    expect(() => new io({ ...base, address: ADDRESS })).toThrow(new RangeError('duplicate address'));
    expect(() => new io({ ...base, hz: 0 })).toThrow(new RangeError('invalid hz'));
    expect(() => new io({ ...base, hz: 30_000_000 })).toThrow(new RangeError('invalid hz'));
    expect(() => new io({ ...base, port: 2 })).toThrow(new RangeError('invalid port'));
    expect(() => new io({ ...base, format: 'number' })).toThrow(new RangeError('invalid format'));
    const { data: _data, ...noData } = base;
    expect(() => new io(noData as typeof base)).toThrow(new RangeError('data required'));
    const { address: _address, ...noAddress } = base;
    expect(() => new io(noAddress as typeof base)).toThrow(new RangeError('address required'));
  });

  test('close releases the address; any use after it throws; a second close does nothing', () => {
    const { host, i2c } = setup();
    i2c.close();
    expect(() => i2c.write(Uint8Array.of(0))).toThrow(SyntaxError);
    expect(() => i2c.read(1)).toThrow(/closed/);
    expect(() => i2c.close()).not.toThrow();
    const again = new host.io({ ...host.default, address: ADDRESS, hz: 100_000 });
    expect(again.address).toBe(ADDRESS);
  });

  test('a sync transfer that starts while an async I2cBus transfer is in flight is counted as an overlap', () => {
    const { bus, host, i2c } = setup();
    void bus.write(ADDRESS, [0, 1]);
    expect(bus.busy).toBe(true);
    i2c.write(Uint8Array.of(0, 2));
    expect(host.overlaps).toBe(1);
  });
  test('I2C without hz throws RangeError "invalid hz" (a board provider\'s I2C.default carries none)', () => {
    const { host } = setup();
    expect(() => new host.default.io({ ...host.default, address: 0x30 } as unknown as Ecma419I2cOptions)).toThrow(new RangeError('invalid hz'));
  });

  test('a second open of the same address on the same pins is RangeError "duplicate address", whatever the port', () => {
    const { host } = setup();
    expect(() => new host.io({ ...host.default, address: ADDRESS, hz: 100_000, port: 1 })).toThrow(new RangeError('duplicate address'));
  });

  test('data or clock on an input-only GPIO is RangeError "unusable pins"', () => {
    const { host } = setup();
    expect(() => new host.io({ data: 34, clock: 23, address: 0x30, hz: 100_000 })).toThrow(new RangeError('unusable pins'));
  });

  test('a pin the chip lacks, or one a DigitalBank holds, is RangeError "inUse"', () => {
    const sim = new Simulator();
    const bus = new I2cBus(sim);
    const pins = createFakePinRegistry();
    const host = new Ecma419I2cHost(sim, bus, { pins });
    expect(() => new host.io({ data: 20, clock: 22, address: 0x30, hz: 100_000 })).toThrow(new RangeError('inUse'));
    pins.use(0, 1 << 21);
    expect(() => new host.io({ ...host.default, address: 0x30, hz: 100_000 })).toThrow(new RangeError('inUse'));
  });

  test('an open instance holds its pins in the registry until the last instance on them is closed', () => {
    const sim = new Simulator();
    const pins = createFakePinRegistry();
    const host = new Ecma419I2cHost(sim, new I2cBus(sim), { pins });
    const a = new host.io({ ...host.default, address: 0x30, hz: 100_000 });
    const b = new host.io({ ...host.default, address: 0x31, hz: 100_000 });
    expect(pins.inUse(0)).toBe((1 << 21) | (1 << 22));
    a.close();
    expect(pins.inUse(0)).toBe((1 << 21) | (1 << 22));
    b.close();
    expect(pins.inUse(0)).toBe(0);
  });

  test('a device that does not answer throws Error "write failed" (read: "read failed", writeRead: "writeRead failed")', () => {
    const { host } = setup();
    const ghost = new host.io({ ...host.default, address: 0x22, hz: 100_000 });
    expect(() => ghost.write(Uint8Array.of(1))).toThrow(new Error('write failed'));
    expect(() => ghost.read(1)).toThrow(new Error('read failed'));
    expect(() => ghost.writeRead(Uint8Array.of(1), 1)).toThrow(new Error('writeRead failed'));
  });

  test('a bus on other valid pins is created with nothing on it: every transfer goes unanswered', () => {
    const { host } = setup();
    const other = new host.io({ data: 4, clock: 5, address: ADDRESS, hz: 100_000 });
    expect(other.write(new Uint8Array(0))).toBe(1);
    expect(() => other.write(Uint8Array.of(0))).toThrow(new Error('write failed'));
  });

  test('a third bus finds no free controller: Error "can\'t create bus"', () => {
    const { host } = setup();
    new host.io({ data: 4, clock: 5, address: 0x30, hz: 100_000 });
    expect(() => new host.io({ data: 12, clock: 13, address: 0x30, hz: 100_000 })).toThrow(new Error("can't create bus"));
  });

  test('writeRead writes then reads in one transfer', () => {
    const { dev, i2c } = setup();
    dev.regs[0x20] = 0x5a;
    expect([...new Uint8Array(i2c.writeRead(Uint8Array.of(0x20), 1) as ArrayBuffer)]).toEqual([0x5a]);
  });
});
