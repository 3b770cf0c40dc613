import {
  LevelSensor,
  SENSOR_CTRL,
  SENSOR_DATA,
  SENSOR_ID,
  SENSOR_STATUS,
  SENSOR_WHO_AM_I,
} from '../../hal/mock/devices/sensor';
import { I2cBus } from '../../hal/mock/i2c';
import { Simulator } from '../../hal/mock/sim';
import { Net } from '../../hal/mock/wire';

function setup(): { sim: Simulator; bus: I2cBus; int: Net; sensor: LevelSensor } {
  const sim = new Simulator();
  const bus = new I2cBus(sim, { latencyUs: 100, perByteUs: 20 });
  const int = new Net('int');
  const sensor = new LevelSensor(sim, bus, 0x19, int);
  return { sim, bus, int, sensor };
}

/** Read one register over the bus and run the simulation until the read is done. */
async function readOver(sim: Simulator, bus: I2cBus, address: number, reg: number): Promise<number> {
  const value = bus.readRegister(address, reg);
  await sim.runUntilIdle();
  return value;
}

describe('LevelSensor', () => {
  test('answers WHO_AM_I with 0x5A and starts with INT released on a pulled-up line', async () => {
    const { sim, bus, int } = setup();
    expect(int.pull).toBe('up');
    expect(int.level()).toBe(1);
    expect(await readOver(sim, bus, 0x19, SENSOR_WHO_AM_I)).toBe(SENSOR_ID);
  });

  test('raise asserts INT; a STATUS read returns the bits and releases INT at the end of the transfer', async () => {
    const { sim, bus, int, sensor } = setup();
    sensor.raise(0b101, 42);
    expect(int.level()).toBe(0);
    let releasedAt = -1;
    int.onChange((level) => level === 1 && (releasedAt = sim.now()));
    const status = bus.readRegister(0x19, SENSOR_STATUS);
    await sim.advance(179);
    expect(int.level()).toBe(0);
    await sim.advance(1);
    expect(await status).toBe(0b101);
    expect(releasedAt).toBe(180);
    expect(await readOver(sim, bus, 0x19, SENSOR_DATA)).toBe(42);
    expect(await readOver(sim, bus, 0x19, SENSOR_STATUS)).toBe(0);
  });

  test('two sensors on one open-drain INT keep it low until both are cleared', async () => {
    const { sim, bus, int, sensor: a } = setup();
    const b = new LevelSensor(sim, bus, 0x1a, int);
    a.raise();
    b.raise();
    await readOver(sim, bus, 0x19, SENSOR_STATUS);
    expect(a.interruptAsserted).toBe(false);
    expect(int.level()).toBe(0);
    await readOver(sim, bus, 0x1a, SENSOR_STATUS);
    expect(int.level()).toBe(1);
  });

  test('with CTRL interrupt enable cleared, events pend without asserting INT until it is set again', async () => {
    const { sim, bus, int, sensor } = setup();
    void bus.writeRegister(0x19, SENSOR_CTRL, 0);
    await sim.runUntilIdle();
    sensor.raise();
    expect(int.level()).toBe(1);
    expect(sensor.status).toBe(1);
    void bus.writeRegister(0x19, SENSOR_CTRL, 1);
    await sim.runUntilIdle();
    expect(int.level()).toBe(0);
  });

  test('counts events raised, events cleared by STATUS reads (coalesced ones included) and STATUS reads', async () => {
    const { sim, bus, sensor } = setup();
    sensor.raise(1);
    sensor.raise(2);
    await readOver(sim, bus, 0x19, SENSOR_STATUS);
    await readOver(sim, bus, 0x19, SENSOR_STATUS);
    expect(sensor.eventsRaised).toBe(2);
    expect(sensor.eventsCleared).toBe(2);
    expect(sensor.statusReads).toBe(2);
  });

  test('raiseAfter raises the event later in virtual time', async () => {
    const { sim, int, sensor } = setup();
    sensor.raiseAfter(500);
    await sim.advance(499);
    expect(int.level()).toBe(1);
    await sim.advance(1);
    expect(int.level()).toBe(0);
  });

  test('with activeLow false INT is driven push-pull and active high', async () => {
    const sim = new Simulator();
    const bus = new I2cBus(sim);
    const int = new Net('int');
    const sensor = new LevelSensor(sim, bus, 0x19, int, { activeLow: false });
    expect(int.level()).toBe(0);
    expect(int.floating).toBe(false);
    sensor.raise();
    expect(int.level()).toBe(1);
    await readOver(sim, bus, 0x19, SENSOR_STATUS);
    expect(int.level()).toBe(0);
  });
});
