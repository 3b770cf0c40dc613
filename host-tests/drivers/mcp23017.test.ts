/*
 * The MCP23017 driver (firmware/drivers/mcp23017.ts) on the simulated board booted as it ships: the expander's
 * register model (hal/mock/devices/mcp23017.ts) on the I2C bus, reached through Moddable's synchronous
 * ECMA-419 I2C (the provider fake's `device.I2C.default`, a board subplatform's shape) and mcp23017BusFromI2c;
 * its open-drain INT on an ESP32 GPIO of the shipping GPIO chip (hal/esp32/gpio.ts over the fake DigitalBank).
 * The INT line is a threaded oneshot parent; each expander pin is an irq of the expander's domain, a nested
 * thread run inside the parent's.
 */
import {
  IRQ_HANDLED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING,
} from '../../firmware/irq';
import { Mcp23017Irq, mcp23017BusFromI2c, type Mcp23017Bus } from '../../firmware/drivers/mcp23017';
import { bootSimBoard } from '../../hal/mock/boot';
import { Mcp23017 } from '../../hal/mock/devices';

const ADDRESS = 0x20;
const INT_PIN = 18;
const GPINTENA = 0x04;

/**
 * The board with the expander probed. `bus`: 'ecma419' (the driver over Moddable's I2C, as it ships) or
 * 'async' (a Mcp23017Bus whose transfers return promises, over the board's asynchronous I2C bus).
 */
async function makeExpander(bus: 'ecma419' | 'async' = 'ecma419') {
  const booted = bootSimBoard({ seed: 3, shape: 'board' });
  const { board, sim, core, provider } = booted;
  const intNet = board.pin(INT_PIN);
  intNet.setPull('up'); // the INT line's pull-up resistor: the expander's INT is open drain
  const chip = new Mcp23017(sim, board.i2c, ADDRESS, { intA: intNet });
  const I2C = provider.device.I2C!.default;
  const i2c = new I2C.io({ ...I2C, address: ADDRESS, hz: 400_000 });
  const asyncBus: Mcp23017Bus = {
    readRegisters: (register, count) => board.i2c.writeRead(ADDRESS, [register], count),
    writeRegisters: (register, bytes) => board.i2c.write(ADDRESS, [register, ...bytes]),
  };
  const expander = new Mcp23017Irq(core, bus === 'ecma419' ? mcp23017BusFromI2c(i2c) : asyncBus, booted.gpioToIrq(INT_PIN));
  const probed = expander.probe();
  await sim.advance(5_000);
  await probed;
  /** An input pin driven by a push-pull source, starting high. */
  const input = (pin: number) => {
    const driver = chip.pin(pin).pushPull(`src${pin}`);
    driver.drive(1);
    return driver;
  };
  return { booted, board, sim, core, chip, i2c, I2C, expander, input };
}

describe('MCP23017 expander through nested threads', () => {
  test('a falling edge on an expander pin runs that pin\'s threadFn once, inside the parent\'s thread', async () => {
    const { sim, core, chip, expander, input } = await makeExpander();
    const button = input(3);
    const irq = expander.irqOf(3);
    const presses: number[] = [];
    core.requestThreadedIrq(irq, null, () => (presses.push(sim.now()), IRQ_HANDLED), IRQF_TRIGGER_FALLING, 'button', 'b');
    await sim.advance(5_000);
    button.drive(0);
    await sim.advance(5_000);
    button.drive(1);
    await sim.advance(5_000);
    expect(presses).toHaveLength(1);
    expect(core.irqToDesc(irq)!.count).toBe(1);
    expect(core.irqThreads().map((t) => t.name)).toEqual([`irq/${expander.parentIrq}-mcp23017`]);
    expect(core.irqToDesc(expander.parentIrq)!.masked).toBe(false);
    expect(chip.interruptActive('A')).toBe(false);
  });

  test('pins are demultiplexed from one status read: two pins raised together each get their handler', async () => {
    const { sim, core, expander, input, chip } = await makeExpander();
    const a = input(1);
    const b = input(9);
    const seen: string[] = [];
    core.requestThreadedIrq(expander.irqOf(1), null, () => (seen.push('pin1'), IRQ_HANDLED), IRQF_TRIGGER_FALLING, 'a', 'a');
    core.requestThreadedIrq(expander.irqOf(9), null, () => (seen.push('pin9'), IRQ_HANDLED), IRQF_TRIGGER_FALLING, 'b', 'b');
    await sim.advance(5_000);
    a.drive(0);
    b.drive(0); // port B, while port A's interrupt is already active: mirrored INT, each port has its INTF
    await sim.advance(5_000);
    expect(seen.sort()).toEqual(['pin1', 'pin9']);
    expect(chip.missedChanges).toBe(0);
    expect(expander.changesFromGpio).toBe(0);
  });

  test('a pin that changes after its port\'s interrupt was captured is found from its GPIO level', async () => {
    const { sim, core, expander, input } = await makeExpander();
    const a = input(2);
    const b = input(4);
    const seen: string[] = [];
    core.requestThreadedIrq(expander.irqOf(2), null, () => (seen.push('pin2'), IRQ_HANDLED), IRQF_TRIGGER_FALLING, 'a', 'a');
    core.requestThreadedIrq(expander.irqOf(4), null, () => (seen.push('pin4'), IRQ_HANDLED), IRQF_TRIGGER_FALLING, 'b', 'b');
    await sim.advance(5_000);
    a.drive(0);
    b.drive(0); // same port, after the capture: INTF keeps only pin 2's bit
    await sim.advance(5_000);
    expect(seen).toEqual(['pin2', 'pin4']);
    expect(expander.changesFromGpio).toBe(1);
  });

  test('a rising-edge pin ignores falling edges', async () => {
    const { sim, core, expander, input } = await makeExpander();
    const pin = input(5);
    let runs = 0;
    core.requestThreadedIrq(expander.irqOf(5), null, () => (runs++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'r', 'r');
    await sim.advance(5_000);
    pin.drive(0);
    await sim.advance(5_000);
    expect(runs).toBe(0);
    pin.drive(1);
    await sim.advance(5_000);
    expect(runs).toBe(1);
  });

  test('a level-low pin held by its device is handled once per assertion: the child clears it inside the parent\'s run', async () => {
    const { sim, core, expander, input } = await makeExpander();
    const device = input(6);
    let served = 0;
    core.requestThreadedIrq(expander.irqOf(6), null, () => {
      served++;
      device.drive(1); // the child's thread services the device, which releases its INT
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_LOW, 'level', 'l');
    await sim.advance(5_000);
    for (let i = 0; i < 3; i++) {
      device.drive(0);
      await sim.advance(5_000);
    }
    expect(served).toBe(3);
    expect(core.irqToDesc(expander.parentIrq)!.unhandledTotal).toBe(0);
  });

  test('requesting a pin enables it in GPINTEN, and freeing it disables it, written out by irqBusSyncUnlock', async () => {
    const { sim, core, expander, chip } = await makeExpander();
    const irq = expander.irqOf(7);
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'p7', 'p');
    await core.synchronizeIrq(irq);
    expect(chip.register(GPINTENA)).toBe(0x80);
    const freed = core.freeIrq(irq, 'p');
    await sim.advance(5_000);
    await freed;
    expect(chip.register(GPINTENA)).toBe(0x00);
  });

  test('an interrupt on the shared INT line with nothing pending in the expander is not claimed', async () => {
    const { sim, expander, board } = await makeExpander();
    const other = board.pin(INT_PIN).openDrain('other');
    other.assert();
    await sim.advance(2_000);
    other.release();
    await sim.advance(5_000);
    expect(expander.notOurs).toBeGreaterThan(0);
  });
});

describe('MCP23017 over Moddable\'s ECMA-419 I2C (mcp23017BusFromI2c)', () => {
  test('register reads go out as a write asking for no stop, then a read: Moddable\'s _i2c.js drops the stop argument', async () => {
    const { i2c } = await makeExpander();
    // probe(): three register writes, one two-byte read (GPIOA, GPIOB)
    expect(i2c.transfers).toBe(5);
    expect(i2c.stopsIgnored).toBe(1);
    expect(i2c.bytesRead).toBe(2);
  });

  test('the adapter returns what the driver expects: bytes from readRegisters, nothing from writeRegisters', async () => {
    const { sim, board, I2C } = await makeExpander();
    const other = new Mcp23017(sim, board.i2c, 0x21);
    const bus = mcp23017BusFromI2c(new I2C.io({ ...I2C, address: 0x21, hz: 100_000 }));
    expect(bus.writeRegisters(0x02, [0xa5, 0x5a])).toBeUndefined();
    expect(other.register(0x02)).toBe(0xa5);
    const r = bus.readRegisters(0x02, 2);
    expect(r).toBeInstanceOf(Uint8Array);
    expect([...(r as Uint8Array)]).toEqual([0xa5, 0x5a]);
  });
});

describe('MCP23017 over an asynchronous bus', () => {
  test('a press is dispatched the same way, and freeIrq resolves only once GPINTEN is written out', async () => {
    const { sim, core, chip, expander, input } = await makeExpander('async');
    const button = input(3);
    const irq = expander.irqOf(3);
    let presses = 0;
    core.requestThreadedIrq(irq, null, () => (presses++, IRQ_HANDLED), IRQF_TRIGGER_FALLING, 'button', 'b');
    expect(chip.register(GPINTENA)).toBe(0x00); // the write-out is still on the bus
    await sim.advance(5_000);
    expect(chip.register(GPINTENA)).toBe(0x08);
    button.drive(0);
    await sim.advance(5_000);
    expect(presses).toBe(1);
    let freed = false;
    const freeing = core.freeIrq(irq, 'b').then(() => {
      freed = true;
    });
    await sim.advance(0);
    expect(freed).toBe(false);
    await sim.advance(5_000);
    await freeing;
    expect(chip.register(GPINTENA)).toBe(0x00);
  });
});
