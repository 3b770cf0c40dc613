/*
 * The LIS3DH driver on the simulated board booted as it ships: the register-level model on the I2C bus,
 * reached through the provider fake's ECMA-419 I2C (the plain esp32 platform's shape: the app passes the pins),
 * its INT1 on a GPIO pin of the shipping GPIO chip (hal/esp32/gpio.ts over the fake ECMA-419 DigitalBank).
 */
import { IrqError } from '../../firmware/irq';
import { Lis3dh, type Lis3dhOptions, type Lis3dhSample } from '../../firmware/drivers/lis3dh';
import { bootSimBoard } from '../../hal/mock/boot';
import { LevelSensor, Lis3dh as Lis3dhModel } from '../../hal/mock/devices';
import type { LogEntry } from '../helpers/fake-chip';

const ADDRESS = 0x18;
const INT_PIN = 4;
/** The board's I2C pins. */
const SDA = 21;
const SCL = 22;
const G = 9.80665;
/**
 * Half a 100 Hz sample period: a run that ends this long after a sample time has read that sample (its
 * interrupt, thread and I2C transfers take a few hundred µs of virtual CPU and bus time), so counts compare.
 */
const SETTLE_US = 5_000;

function setup(options: Partial<Omit<Lis3dhOptions, 'i2c' | 'core' | 'irq'>> = {}, withModel = true) {
  const logs: LogEntry[] = [];
  const booted = bootSimBoard({ seed: 5, log: (level, message) => logs.push({ level, message }) });
  const { board, sim, core, provider } = booted;
  const model = withModel ? new Lis3dhModel(sim, board.i2c, ADDRESS, { int1: board.pin(INT_PIN) }) : undefined;
  const i2c = new provider.device.io.I2C({ data: SDA, clock: SCL, address: ADDRESS, hz: 400_000 });
  const irq = booted.gpioToIrq(INT_PIN);
  const batches: Lis3dhSample[][] = [];
  const driver = new Lis3dh({ i2c, core, irq, onSamples: (s) => batches.push([...s]), ...options });
  return { booted, board, sim, core, model, i2c, irq, driver, batches, logs };
}

/** Set up, probe, and run `us` of virtual time. */
async function run(us: number, options: Parameters<typeof setup>[0] = {}) {
  const s = setup(options);
  s.model!.setAcceleration(0, 0, 1);
  s.driver.probe();
  await s.sim.advance(us);
  return s;
}

describe('LIS3DH driver', () => {
  test('data ready at 100 Hz for a virtual second: about 100 samples, one interrupt each, no storm', async () => {
    const { core, irq, model, driver, batches } = await run(1_000_000 + SETTLE_US);
    const samples = batches.flat();
    expect(samples.length).toBeGreaterThanOrEqual(99);
    expect(samples.length).toBeLessThanOrEqual(100);
    expect(batches.every((b) => b.length === 1)).toBe(true);
    const desc = core.irqToDesc(irq)!;
    expect(desc.count).toBe(samples.length);
    expect(desc.unhandledTotal).toBe(0);
    expect(desc.spuriousDisabled).toBe(false);
    expect(driver.interrupts).toBe(samples.length);
    expect(driver.overruns).toBe(0);
    expect(model!.samplesLost).toBe(0);
    expect(model!.samplesRead).toBe(samples.length);
  });

  test('samples arrive in m/s^2', async () => {
    const { batches } = await run(100_000);
    const { x, y, z } = batches[0][0];
    expect(x).toBe(0);
    expect(y).toBe(0);
    expect(z).toBeCloseTo(G, 6);
  });

  test('the line is level-high, oneshot: masked while the thread reads, unmasked once INT1 is released', async () => {
    const { sim, core, irq, board } = await run(0);
    expect(core.irqToDesc(irq)!.triggerType).toBe(4);
    expect(core.irqThreads().map((t) => t.name)).toEqual([`irq/${irq}-lis3dh`]);
    await sim.advance(100_000 + SETTLE_US);
    expect(board.pin(INT_PIN).level()).toBe(0);
    expect(core.irqToDesc(irq)!.masked).toBe(false);
  });

  test('FIFO watermark mode drains the watermark\'s worth of samples per interrupt', async () => {
    const { core, irq, model, driver, batches } = await run(1_000_000 + SETTLE_US, { mode: 'watermark', watermark: 10 });
    expect(batches.length).toBeGreaterThanOrEqual(9);
    expect(batches.every((b) => b.length === 10)).toBe(true);
    expect(core.irqToDesc(irq)!.count).toBe(batches.length);
    expect(driver.samples).toBe(10 * batches.length);
    expect(driver.overruns).toBe(0);
    expect(model!.samplesLost).toBe(0);
    expect(batches[0][0].z).toBeCloseTo(G, 6);
  });

  test('data ready: a thread too slow for the rate has its overwritten samples counted as overruns', async () => {
    const s = setup();
    const { sim, model } = s;
    // The application spends 25 ms on each sample (a slow display, say): two of every three are overwritten.
    const slow = new Lis3dh({ i2c: s.i2c, core: s.core, irq: s.irq, onSamples: () => sim.spend(25_000) });
    model!.setAcceleration(0, 0, 1);
    slow.probe();
    await sim.advance(1_000_000);
    expect(model!.samplesLost).toBeGreaterThan(50);
    expect(slow.overruns).toBeGreaterThan(20);
    // Nothing vanished without a trace: every sample was delivered, lost (and counted), or is still unread.
    expect(slow.samples + model!.samplesLost).toBeGreaterThanOrEqual(model!.samplesProduced - 1);
    expect(slow.samples + model!.samplesLost).toBeLessThanOrEqual(model!.samplesProduced);
  });

  test('watermark mode: a thread too slow for the FIFO sees OVRN_FIFO, counts it, and drains all 32', async () => {
    const s = setup();
    const { sim, model } = s;
    const batches: number[] = [];
    const slow = new Lis3dh({
      i2c: s.i2c, core: s.core, irq: s.irq, mode: 'watermark', watermark: 16, rateHz: 400,
      onSamples: (samples) => {
        batches.push(samples.length);
        sim.spend(100_000);
      },
    });
    model!.setAcceleration(0, 0, 1);
    slow.probe();
    await sim.advance(1_000_000);
    expect(slow.overruns).toBeGreaterThan(0);
    expect(model!.samplesLost).toBeGreaterThan(0);
    expect(batches.slice(1).every((n) => n === 32)).toBe(true);
    // Every sample taken was delivered, lost (and counted), or waits in the FIFO.
    expect(slow.samples + model!.samplesLost + model!.fifoLevel).toBe(model!.samplesProduced);
  });

  test('active-low INT1: the line is requested level-low and samples still arrive', async () => {
    const { core, irq, batches } = await run(100_000, { activeLow: true });
    expect(core.irqToDesc(irq)!.triggerType).toBe(8);
    expect(batches.flat().length).toBeGreaterThanOrEqual(9);
  });

  test('probe fails clearly when another part answers at the address (WHO_AM_I is not 0x33)', () => {
    const { board, sim, core, irq, driver } = setup({}, false);
    new LevelSensor(sim, board.i2c, ADDRESS, board.pin(INT_PIN)); // WHO_AM_I at 0x0F reads 0x5A
    let error: unknown;
    try {
      driver.probe();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IrqError);
    expect((error as IrqError).code).toBe('ENODEV');
    expect((error as IrqError).name).toBe('IrqError');
    expect((error as Error).message).toMatch(/WHO_AM_I \(0x0f\) reads 0x5a, not 0x33: not an LIS3DH/);
    expect(core.irqToDesc(irq)!.actions).toEqual([]);
  });

  test('probe fails clearly when nothing answers at the address', () => {
    const { core, irq, driver } = setup({}, false);
    expect(() => driver.probe()).toThrow(/ENODEV: lis3dh: no answer on I2C reading WHO_AM_I \(write failed\)/);
    expect(core.irqToDesc(irq)!.actions).toEqual([]);
  });

  test('bad options are refused at construction', () => {
    const { core, i2c, irq } = setup();
    const onSamples = (): void => {};
    expect(() => new Lis3dh({ i2c, core, irq, onSamples, rateHz: 123 })).toThrow(/EINVAL: lis3dh: rateHz/);
    expect(() => new Lis3dh({ i2c, core, irq, onSamples, watermark: 32 })).toThrow(/watermark must be 1..31/);
  });

  test('remove stops the part and frees the irq', async () => {
    const { sim, core, irq, model, driver, batches, board } = await run(50_000);
    const removed = driver.remove();
    await sim.advance(1_000);
    await removed;
    expect(core.irqToDesc(irq)!.actions).toEqual([]);
    expect(model!.outputDataRateHz).toBe(0);
    const delivered = batches.length;
    await sim.advance(100_000);
    expect(batches.length).toBe(delivered);
    expect(board.pin(INT_PIN).level()).toBe(0);
  });
});
