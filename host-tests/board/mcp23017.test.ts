/*
 * An MCP23017 I2C GPIO expander on the simulated board, demultiplexed through nested threads: its INT line
 * is a threaded oneshot parent on an ESP32 pin, and each expander pin is an irq of its own domain.
 */
import {
  IRQ_HANDLED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING,
} from '../../firmware/irq';
import { Mcp23017Irq, type Mcp23017Bus } from '../../firmware/drivers/mcp23017';
import { SimBoard } from '../../hal/mock/board';
import { Mcp23017 } from '../../hal/mock/devices';
import type { LogEntry } from '../helpers/fake-chip';

const ADDRESS = 0x20;
const INT_PIN = 18;

async function makeExpander() {
  const logs: LogEntry[] = [];
  const board = new SimBoard({ seed: 3, log: (level, message) => logs.push({ level, message }) });
  const { sim, core, i2c } = board;
  const intNet = board.pin(INT_PIN);
  intNet.setPull('up');
  const chip = new Mcp23017(sim, i2c, ADDRESS, { intA: intNet });
  const bus: Mcp23017Bus = {
    readRegisters: (register, count) => i2c.writeRead(ADDRESS, [register], count),
    writeRegisters: (register, bytes) => i2c.write(ADDRESS, [register, ...bytes]),
  };
  const expander = new Mcp23017Irq(core, bus, board.gpioToIrq(INT_PIN));
  const probed = expander.probe();
  await sim.advance(5_000);
  await probed;
  /** An input pin driven by a push-pull source, starting high. */
  const input = (pin: number) => {
    const driver = chip.pin(pin).pushPull(`src${pin}`);
    driver.drive(1);
    return driver;
  };
  return { board, sim, core, logs, chip, expander, input };
}

describe('MCP23017 expander through nested threads', () => {
  test('a falling edge on an expander pin runs that pin\'s threadFn once, inside the parent\'s thread', async () => {
    const { sim, core, expander, input } = await makeExpander();
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
    b.drive(0); // B changes while A's interrupt is already active: INTF does not record it
    await sim.advance(5_000);
    expect(seen.sort()).toEqual(['pin1', 'pin9']);
    expect(chip.missedChanges).toBe(0);
    expect(expander.changesFromGpio).toBe(0);
  });

  test('a pin that changes again before the parent thread reads the expander is found from its GPIO level', async () => {
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

  test('enabling and disabling a pin is written to GPINTEN over I2C by irqBusSyncUnlock', async () => {
    const { sim, core, expander, chip } = await makeExpander();
    const irq = expander.irqOf(7);
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'p7', 'p');
    await sim.advance(5_000);
    expect(chip.register(0x04)).toBe(0x80);
    const freed = core.freeIrq(irq, 'p');
    await sim.advance(5_000);
    await freed;
    expect(chip.register(0x04)).toBe(0x00);
  });

  test('an interrupt on the shared INT line with nothing pending in the expander is not claimed', async () => {
    const { sim, expander, board: b } = await makeExpander();
    const other = b.pin(INT_PIN).openDrain('other');
    other.assert();
    await sim.advance(2_000);
    other.release();
    await sim.advance(5_000);
    expect(expander.notOurs).toBeGreaterThan(0);
  });
});
