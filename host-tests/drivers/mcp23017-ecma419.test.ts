/*
 * The MCP23017 driver over a synchronous ECMA-419 I2C object (mcp23017BusFromI2c), on the simulated board:
 * the same nested-thread dispatch as host-tests/board/mcp23017.test.ts, with Moddable's I2C shape.
 */
import { IRQ_HANDLED, IRQF_TRIGGER_FALLING } from '../../firmware/irq';
import { Mcp23017Irq, mcp23017BusFromI2c } from '../../firmware/drivers/mcp23017';
import { SimBoard } from '../../hal/mock/board';
import { Mcp23017 } from '../../hal/mock/devices';
import { Ecma419I2cHost } from '../../hal/mock/ecma419/i2c';

const ADDRESS = 0x20;
const INT_PIN = 18;

async function makeExpander() {
  const board = new SimBoard({ seed: 3 });
  const { sim, core } = board;
  const intNet = board.pin(INT_PIN);
  intNet.setPull('up');
  const chip = new Mcp23017(sim, board.i2c, ADDRESS, { intA: intNet });
  const host = new Ecma419I2cHost(sim, board.i2c);
  const i2c = new host.default.io({ ...host.default, address: ADDRESS, hz: 400_000 });
  const expander = new Mcp23017Irq(core, mcp23017BusFromI2c(i2c), board.gpioToIrq(INT_PIN));
  const probed = expander.probe();
  await sim.advance(5_000);
  await probed;
  return { board, sim, core, chip, host, i2c, expander };
}

describe('MCP23017 over the ECMA-419 I2C adapter', () => {
  test('a pin press is dispatched once through the parent\'s thread to the pin\'s nested threadFn', async () => {
    const { sim, core, chip, expander } = await makeExpander();
    const button = chip.pin(3).pushPull('button');
    button.drive(1);
    const irq = expander.irqOf(3);
    const presses: number[] = [];
    core.requestThreadedIrq(irq, null, () => (presses.push(sim.now()), IRQ_HANDLED), IRQF_TRIGGER_FALLING, 'button', 'b');
    await sim.advance(5_000);
    expect(chip.register(0x04)).toBe(0x08); // GPINTENA written by irqBusSyncUnlock through the adapter
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

  test('register reads go out as a write asking for no stop, then a read: Moddable\'s _i2c.js drops the stop argument', async () => {
    const { i2c } = await makeExpander();
    // probe(): three register writes, one two-byte read (GPIOA, GPIOB)
    expect(i2c.transfers).toBe(5);
    expect(i2c.stopsIgnored).toBe(1);
    expect(i2c.bytesRead).toBe(2);
  });

  test('the adapter returns what the driver expects: bytes from readRegisters, nothing from writeRegisters', async () => {
    const { sim, board, host } = await makeExpander();
    const other = new Mcp23017(sim, board.i2c, 0x21);
    const bus = mcp23017BusFromI2c(new host.io({ ...host.default, address: 0x21, hz: 100_000 }));
    expect(bus.writeRegisters(0x02, [0xa5, 0x5a])).toBeUndefined();
    expect(other.register(0x02)).toBe(0xa5);
    const r = bus.readRegisters(0x02, 2);
    expect(r).toBeInstanceOf(Uint8Array);
    expect([...(r as Uint8Array)]).toEqual([0xa5, 0x5a]);
  });
});
