import { Lis3dh, LIS3DH_BITS as B, LIS3DH_REG as R, LIS3DH_WHO_AM_I } from '../../hal/mock/devices/lis3dh';
import { Ecma419I2cHost } from '../../hal/mock/ecma419/i2c';
import { I2cBus, I2cError } from '../../hal/mock/i2c';
import { Simulator } from '../../hal/mock/sim';
import { Net } from '../../hal/mock/wire';

const ADDRESS = 0x18;
const ODR_100HZ = 0x50;
const ODR_400HZ = 0x70;

function setup() {
  const sim = new Simulator();
  const bus = new I2cBus(sim);
  const int1 = new Net('INT1');
  const chip = new Lis3dh(sim, bus, ADDRESS, { int1 });
  const host = new Ecma419I2cHost(sim, bus);
  const i2c = new host.io({ ...host.default, address: ADDRESS, hz: 400_000 });
  /** Read `count` bytes from sub-address `sub` (bit 7: auto-increment). */
  const read = (sub: number, count = 1): number[] => {
    i2c.write(Uint8Array.of(sub), false);
    return [...new Uint8Array(i2c.read(count))];
  };
  const write = (reg: number, ...values: number[]): void => {
    i2c.write(Uint8Array.of(reg, ...values));
  };
  const int16 = (lo: number, hi: number): number => ((hi << 24) >> 16) | lo;
  /** One six-byte burst from OUT_X_L: [x, y, z] as left-justified 16-bit values. */
  const readXyz = (): number[] => {
    const r = read(R.OUT_X_L | B.AUTO_INCREMENT, 6);
    return [int16(r[0], r[1]), int16(r[2], r[3]), int16(r[4], r[5])];
  };
  return { sim, bus, int1, chip, i2c, read, write, readXyz };
}

describe('LIS3DH model', () => {
  test('answers WHO_AM_I with 0x33 and takes only the addresses 0x18 and 0x19', () => {
    const { sim, bus, read } = setup();
    expect(read(R.WHO_AM_I)).toEqual([LIS3DH_WHO_AM_I]);
    expect(() => new Lis3dh(sim, bus, 0x20)).toThrow(RangeError);
    expect(new Lis3dh(sim, bus, 0x19).address).toBe(0x19);
  });

  test('is powered down after reset: no samples, INT1 low', async () => {
    const { sim, chip, int1 } = setup();
    await sim.advance(1_000_000);
    expect(chip.samplesProduced).toBe(0);
    expect(chip.outputDataRateHz).toBe(0);
    expect(int1.level()).toBe(0);
  });

  test('samples at the configured rate: 100 Hz gives a sample every 10 ms of virtual time', async () => {
    const { sim, chip, write } = setup();
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    const start = sim.now();
    await sim.advance(10_000 - 1);
    expect(chip.samplesProduced).toBe(0);
    await sim.advance(1);
    expect(chip.samplesProduced).toBe(1);
    await sim.advance(1_000_000 - 10_000 + start);
    expect(chip.samplesProduced).toBe(100);
  });

  test('samples on its own clock: while the CPU is busy (sim.spend) the FIFO fills, and a transfer sees it', async () => {
    const { sim, write, read } = setup();
    write(R.CTRL_REG5, B.CTRL_REG5_FIFO_EN);
    write(R.FIFO_CTRL_REG, B.FIFO_MODE_STREAM | 16);
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    let source = -1;
    sim.at(sim.now() + 5_000, () => {
      sim.spend(100_000); // a busy job: no simulator event runs meanwhile
      source = read(R.FIFO_SRC_REG)[0];
    });
    await sim.advance(20_000);
    expect(source).toBe(10);
  });

  test('data ready on INT1: high when a sample is ready, low once its OUT_Z_H is read', async () => {
    const { sim, chip, int1, write, read, readXyz } = setup();
    write(R.CTRL_REG3, B.CTRL_REG3_I1_ZYXDA);
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    await sim.advance(10_000);
    expect(int1.level()).toBe(1);
    expect(read(R.STATUS_REG)[0] & B.STATUS_ZYXDA).toBe(B.STATUS_ZYXDA);
    read(R.OUT_X_L | B.AUTO_INCREMENT, 5);
    expect(int1.level()).toBe(1);
    readXyz();
    expect(int1.level()).toBe(0);
    expect(read(R.STATUS_REG)[0]).toBe(0);
    expect(chip.samplesRead).toBe(1);
  });

  test('outputs are left-justified, little-endian two\'s complement with the datasheet sensitivity', async () => {
    const { sim, chip, write, readXyz } = setup();
    chip.setAcceleration(1, -0.5, 0.25);
    write(R.CTRL_REG4, B.CTRL_REG4_HR); // high resolution, +-2 g: 1 mg per digit, 12 bits
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    await sim.advance(10_000);
    expect(readXyz()).toEqual([1000 << 4, -500 * 16, 250 << 4]);
    write(R.CTRL_REG4, 0x10); // normal mode, +-4 g: 8 mg per digit, 10 bits
    await sim.advance(10_000);
    expect(readXyz()).toEqual([125 << 6, -62 * 64, 31 * 64]);
    chip.setAcceleration(5, 0, 0); // beyond +-4 g: clamped
    await sim.advance(10_000);
    expect(readXyz()[0]).toBe(511 << 6);
  });

  test('without the auto-increment bit the pointer stays on its register', async () => {
    const { sim, chip, write, read } = setup();
    chip.setAcceleration(1, 0, 0);
    write(R.CTRL_REG4, B.CTRL_REG4_HR);
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    await sim.advance(10_000);
    expect(read(R.OUT_X_H, 3)).toEqual([(16000 >> 8) & 0xff, (16000 >> 8) & 0xff, (16000 >> 8) & 0xff]);
    expect(read(R.CTRL_REG0 | B.AUTO_INCREMENT, 3)).toEqual([0x10, 0x00, ODR_100HZ | B.CTRL_REG1_XYZ]);
  });

  test('a disabled axis reads 0', async () => {
    const { sim, chip, write, readXyz } = setup();
    chip.setAcceleration(1, 1, 1);
    write(R.CTRL_REG4, B.CTRL_REG4_HR);
    write(R.CTRL_REG1, ODR_100HZ | 0x05); // X and Z
    await sim.advance(10_000);
    expect(readXyz()).toEqual([16000, 0, 16000]);
  });

  test('the signal can be a function of virtual time', async () => {
    const { sim, chip, write, readXyz } = setup();
    chip.setSignal((t) => ({ x: t / 1e6, y: 0, z: 0 }));
    write(R.CTRL_REG4, B.CTRL_REG4_HR);
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    const start = sim.now();
    await sim.advance(500_000);
    // The 50th sample, taken at start + 500 ms: x = that time in s, in g; 1 mg per digit.
    expect(readXyz()[0]).toBe(Math.round((start + 500_000) / 1000) << 4);
  });

  test('bypass mode: an unread sample overwritten sets ZYXOR and counts a lost sample', async () => {
    const { sim, chip, write, read, readXyz } = setup();
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    await sim.advance(30_000);
    expect(chip.samplesLost).toBe(2);
    expect(read(R.STATUS_REG)[0] & B.STATUS_ZYXOR).toBe(B.STATUS_ZYXOR);
    readXyz();
    expect(read(R.STATUS_REG)[0]).toBe(0);
  });

  test('stream mode: FSS counts unread samples, WTM and INT1 (I1_WTM) from the watermark on', async () => {
    const { sim, chip, int1, write, read } = setup();
    write(R.CTRL_REG5, B.CTRL_REG5_FIFO_EN);
    write(R.FIFO_CTRL_REG, B.FIFO_MODE_STREAM | 10);
    write(R.CTRL_REG3, B.CTRL_REG3_I1_WTM);
    expect(read(R.FIFO_SRC_REG)[0]).toBe(B.FIFO_SRC_EMPTY);
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    await sim.advance(95_000);
    expect(chip.fifoLevel).toBe(9);
    expect(read(R.FIFO_SRC_REG)[0]).toBe(9);
    expect(int1.level()).toBe(0);
    await sim.advance(10_000);
    expect(read(R.FIFO_SRC_REG)[0]).toBe(B.FIFO_SRC_WTM | 10);
    expect(int1.level()).toBe(1);
  });

  test('a burst from OUT_X_L rolls over from OUT_Z_H to OUT_X_L and drains one sample per six bytes', async () => {
    const { sim, chip, int1, write, read } = setup();
    let n = 0;
    chip.setSignal(() => ({ x: ++n / 1000, y: 0, z: 0 }));
    write(R.CTRL_REG4, B.CTRL_REG4_HR);
    write(R.CTRL_REG5, B.CTRL_REG5_FIFO_EN);
    write(R.FIFO_CTRL_REG, B.FIFO_MODE_STREAM | 4);
    write(R.CTRL_REG3, B.CTRL_REG3_I1_WTM);
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    await sim.advance(50_000);
    const bytes = read(R.OUT_X_L | B.AUTO_INCREMENT, 6 * 4);
    const xs = [0, 6, 12, 18].map((at) => (bytes[at] | (bytes[at + 1] << 8)) >> 4);
    expect(xs).toEqual([1, 2, 3, 4]);
    expect(chip.fifoLevel).toBe(1);
    expect(chip.samplesRead).toBe(4);
    expect(int1.level()).toBe(0);
  });

  test('stream mode keeps the newest 32: OVRN_FIFO when full, the oldest dropped and counted', async () => {
    const { sim, chip, write, read } = setup();
    write(R.CTRL_REG5, B.CTRL_REG5_FIFO_EN);
    write(R.FIFO_CTRL_REG, B.FIFO_MODE_STREAM | 16);
    write(R.CTRL_REG1, ODR_400HZ | B.CTRL_REG1_XYZ);
    await sim.advance(40 * 2_500);
    expect(chip.samplesProduced).toBe(40);
    expect(chip.fifoLevel).toBe(32);
    expect(chip.samplesLost).toBe(8);
    expect(read(R.FIFO_SRC_REG)[0]).toBe(B.FIFO_SRC_WTM | B.FIFO_SRC_OVRN | 31);
    read(R.OUT_X_L | B.AUTO_INCREMENT, 6);
    expect(read(R.FIFO_SRC_REG)[0]).toBe(B.FIFO_SRC_WTM | 31);
  });

  test('FIFO mode stops collecting when full', async () => {
    const { sim, chip, write } = setup();
    let n = 0;
    chip.setSignal(() => ({ x: ++n / 1000, y: 0, z: 0 }));
    write(R.CTRL_REG4, B.CTRL_REG4_HR);
    write(R.CTRL_REG5, B.CTRL_REG5_FIFO_EN);
    write(R.FIFO_CTRL_REG, B.FIFO_MODE_FIFO);
    write(R.CTRL_REG1, ODR_400HZ | B.CTRL_REG1_XYZ);
    await sim.advance(40 * 2_500);
    expect(chip.fifoLevel).toBe(32);
    expect(chip.samplesLost).toBe(8);
    expect(chip.register(R.OUT_X_L)).toBe(1 << 4); // the oldest is still the first sample (1 mg)
  });

  test('reading OUT_Z_H with the FIFO empty returns the last sample again and is counted', async () => {
    const { sim, chip, write, readXyz } = setup();
    chip.setAcceleration(0, 0, 1);
    write(R.CTRL_REG4, B.CTRL_REG4_HR);
    write(R.CTRL_REG5, B.CTRL_REG5_FIFO_EN);
    write(R.FIFO_CTRL_REG, B.FIFO_MODE_STREAM | 1);
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    await sim.advance(10_000);
    expect(readXyz()).toEqual([0, 0, 16000]);
    expect(readXyz()).toEqual([0, 0, 16000]);
    expect(chip.emptyReads).toBe(1);
  });

  test('switching to bypass empties the FIFO', async () => {
    const { sim, chip, write, read } = setup();
    write(R.CTRL_REG5, B.CTRL_REG5_FIFO_EN);
    write(R.FIFO_CTRL_REG, B.FIFO_MODE_STREAM | 16);
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    await sim.advance(50_000);
    write(R.FIFO_CTRL_REG, B.FIFO_MODE_BYPASS);
    expect(chip.fifoLevel).toBe(0);
    expect(read(R.FIFO_SRC_REG)[0]).toBe(B.FIFO_SRC_EMPTY);
  });

  test('CTRL_REG6.INT_POLARITY makes INT1 active low', async () => {
    const { sim, int1, write, readXyz } = setup();
    write(R.CTRL_REG6, B.CTRL_REG6_INT_POLARITY);
    expect(int1.level()).toBe(1);
    write(R.CTRL_REG3, B.CTRL_REG3_I1_ZYXDA);
    write(R.CTRL_REG1, ODR_100HZ | B.CTRL_REG1_XYZ);
    await sim.advance(10_000);
    expect(int1.level()).toBe(0);
    readXyz();
    expect(int1.level()).toBe(1);
  });

  test('a write to a reserved register fails the whole transfer and changes nothing', () => {
    const { sim, bus, chip } = setup();
    expect(() => chip.write([0x1d | B.AUTO_INCREMENT, 1])).toThrow(I2cError);
    // Auto-increment into the reserved range from a writable register: refused before CTRL_REG0 is applied.
    expect(() => chip.write([0x1c | B.AUTO_INCREMENT, 0, 0, 0x90])).toThrow(/reserved/);
    expect(chip.register(R.CTRL_REG0)).toBe(0x10);
    chip.write([R.WHO_AM_I, 0x00]); // read-only: ignored
    expect(chip.register(R.WHO_AM_I)).toBe(0x33);
    expect(sim.now()).toBe(0);
    expect(bus.transfers).toBe(0);
  });
});
