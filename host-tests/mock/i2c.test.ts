import { I2cBus, I2cError, type I2cTarget } from '../../hal/mock/i2c';
import { Simulator } from '../../hal/mock/sim';

/** A register file that records when (in virtual time) the bus touched it. */
class Recorder implements I2cTarget {
  readonly regs = new Uint8Array(256);
  readonly touched: Array<{ op: string; at: number }> = [];
  private pointer = 0;
  constructor(private readonly sim: Simulator) {}

  write(bytes: readonly number[]): void {
    this.touched.push({ op: `write ${bytes.join(',')}`, at: this.sim.now() });
    this.pointer = bytes[0];
    for (const b of bytes.slice(1)) this.regs[this.pointer++ & 0xff] = b;
  }

  read(count: number): number[] {
    this.touched.push({ op: `read ${count}`, at: this.sim.now() });
    return Array.from({ length: count }, () => this.regs[this.pointer++ & 0xff]);
  }
}

function setup(): { sim: Simulator; bus: I2cBus; dev: Recorder } {
  const sim = new Simulator();
  const bus = new I2cBus(sim, { latencyUs: 100, perByteUs: 20 });
  const dev = new Recorder(sim);
  bus.attach(0x48, dev);
  return { sim, bus, dev };
}

describe('I2cBus', () => {
  test('a transfer takes latency plus per-byte time in virtual time, address bytes included', async () => {
    const { sim, bus, dev } = setup();
    dev.regs[0x10] = 0xab;
    let doneAt = -1;
    const value = bus.readRegister(0x48, 0x10).then((v) => {
      doneAt = sim.now();
      return v;
    });
    await sim.advance(1000);
    // Two address bytes (write, then repeated start for the read), one register byte, one data byte.
    expect(doneAt).toBe(100 + 20 * 4);
    await expect(value).resolves.toBe(0xab);
  });

  test('the target sees the transfer at its end, not its start', async () => {
    const { sim, bus, dev } = setup();
    void bus.writeRegister(0x48, 0x01, 0x7f);
    await sim.advance(100 + 20 * 3 - 1);
    expect(dev.touched).toEqual([]);
    await sim.advance(1);
    expect(dev.touched).toEqual([{ op: 'write 1,127', at: 160 }]);
    expect(dev.regs[0x01]).toBe(0x7f);
  });

  test('concurrent transfers are serialised first come first served', async () => {
    const { sim, bus, dev } = setup();
    const finished: Array<[string, number]> = [];
    void bus.write(0x48, [0x00, 1]).then(() => finished.push(['first', sim.now()]));
    void bus.write(0x48, [0x00, 2]).then(() => finished.push(['second', sim.now()]));
    expect(bus.busy).toBe(true);
    await sim.runUntilIdle();
    expect(finished).toEqual([
      ['first', 160],
      ['second', 320],
    ]);
    expect(dev.regs[0x00]).toBe(2);
    expect(bus.transfers).toBe(2);
    expect(bus.busy).toBe(false);
  });

  test('an address nobody acknowledges rejects with ENXIO after the address byte', async () => {
    const { sim, bus } = setup();
    let error: unknown;
    void bus.readRegister(0x22, 0).catch((e: unknown) => (error = e));
    await sim.advance(119);
    expect(error).toBeUndefined();
    await sim.advance(1);
    expect(error).toBeInstanceOf(I2cError);
    expect((error as I2cError).code).toBe('ENXIO');
    expect((error as I2cError).name).toBe('I2cError');
    expect(bus.nacks).toBe(1);
  });

  test('a second device on a taken address is refused with EBUSY, a bad address with EINVAL', async () => {
    const { sim, bus } = setup();
    expect(() => bus.attach(0x48, new Recorder(sim))).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(() => bus.attach(0x80, new Recorder(sim))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    await expect(bus.write(0x48, [0x100])).rejects.toMatchObject({ code: 'EINVAL' });
  });

  test('a detached device no longer answers', async () => {
    const { sim, bus } = setup();
    bus.detach(0x48);
    const refused = expect(bus.readRegister(0x48, 0)).rejects.toMatchObject({ code: 'ENXIO' });
    await sim.advance(1000);
    await refused;
  });

  test('a target that throws fails only its own transfer; the bus carries on', async () => {
    const { sim, bus } = setup();
    bus.attach(0x50, {
      write: () => {
        throw new Error('device wedged');
      },
      read: () => [],
    });
    const bad = expect(bus.write(0x50, [0])).rejects.toThrow('device wedged');
    const good = expect(bus.readRegister(0x48, 0)).resolves.toBe(0);
    await sim.advance(1000);
    await bad;
    await good;
  });
});
