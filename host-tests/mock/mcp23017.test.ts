import { MCP23017_IOCON, MCP23017_REG as REG, Mcp23017 } from '../../hal/mock/devices/mcp23017';
import { I2cBus } from '../../hal/mock/i2c';
import { Simulator } from '../../hal/mock/sim';
import { Net, type PushPullDriver } from '../../hal/mock/wire';

const ADDR = 0x20;

interface Setup {
  sim: Simulator;
  bus: I2cBus;
  intA: Net;
  intB: Net;
  mcp: Mcp23017;
}

function setup(): Setup {
  const sim = new Simulator();
  const bus = new I2cBus(sim, { latencyUs: 100, perByteUs: 20 });
  const intA = new Net('intA');
  const intB = new Net('intB');
  const mcp = new Mcp23017(sim, bus, ADDR, { intA, intB });
  return { sim, bus, intA, intB, mcp };
}

/** Read `count` registers from `reg` on over the bus and run the simulation until the read is done. */
async function readOver(sim: Simulator, bus: I2cBus, reg: number, count = 1, address = ADDR): Promise<number[]> {
  const data = bus.writeRead(address, [reg], count);
  await sim.runUntilIdle();
  return [...(await data)];
}

/** Write registers from `reg` on over the bus and run the simulation until the write is done. */
async function writeOver(sim: Simulator, bus: I2cBus, reg: number, values: number[], address = ADDR): Promise<void> {
  const done = bus.write(address, [reg, ...values]);
  await sim.runUntilIdle();
  await done;
}

/** A driver for pin n, as a button or another chip would drive it, starting at `level`. */
function drivePin(mcp: Mcp23017, n: number, level: 0 | 1): PushPullDriver {
  const driver = mcp.pin(n).pushPull(`test.${n}`);
  driver.drive(level);
  return driver;
}

describe('Mcp23017', () => {
  test('resets with IODIR 0xFF and every other register 0, over the bus and by peek', async () => {
    const { sim, bus, mcp } = setup();
    const expected = Array.from({ length: 0x16 }, (_, addr) => (addr <= REG.IODIRB ? 0xff : 0));
    expect(await readOver(sim, bus, 0x00, 0x16)).toEqual(expected);
    expect(Array.from({ length: 0x16 }, (_, addr) => mcp.register(addr))).toEqual(expected);
  });

  test('INT outputs start push-pull active-low, so they are driven high', () => {
    const { intA, intB } = setup();
    expect(intA.level()).toBe(1);
    expect(intA.floating).toBe(false);
    expect(intB.level()).toBe(1);
  });

  test('a sequential read increments the pointer and rolls over from 0x15 to 0x00', async () => {
    const { sim, bus, mcp } = setup();
    await writeOver(sim, bus, REG.OLATA, [0x12, 0x34]);
    expect(await readOver(sim, bus, REG.OLATA, 4)).toEqual([0x12, 0x34, 0xff, 0xff]);
    expect(mcp.registerPointer).toBe(0x02);
  });

  test('a sequential write fills consecutive registers', async () => {
    const { sim, bus, mcp } = setup();
    await writeOver(sim, bus, REG.IPOLA, [0x01, 0x02, 0x03, 0x04]);
    expect([REG.IPOLA, REG.IPOLB, REG.GPINTENA, REG.GPINTENB].map((r) => mcp.register(r))).toEqual([1, 2, 3, 4]);
  });

  test('with SEQOP = 1 the pointer toggles between the A and B register of a pair', async () => {
    const { sim, bus, mcp } = setup();
    await writeOver(sim, bus, REG.IODIRA, [0xf0, 0x0f]);
    await writeOver(sim, bus, REG.IOCON, [MCP23017_IOCON.SEQOP]);
    expect(await readOver(sim, bus, REG.IODIRB, 4)).toEqual([0x0f, 0xf0, 0x0f, 0xf0]);
    await writeOver(sim, bus, REG.OLATA, [0x11, 0x22, 0x33]);
    expect([mcp.register(REG.OLATA), mcp.register(REG.OLATB)]).toEqual([0x33, 0x22]);
  });

  test('IOCON answers at 0x0A and 0x0B, and bit 0 reads 0', async () => {
    const { sim, bus } = setup();
    await writeOver(sim, bus, REG.IOCON_ALT, [MCP23017_IOCON.MIRROR | 0x01]);
    expect(await readOver(sim, bus, REG.IOCON, 2)).toEqual([MCP23017_IOCON.MIRROR, MCP23017_IOCON.MIRROR]);
  });

  test('an input pin reads its net level in GPIO', async () => {
    const { sim, bus, mcp } = setup();
    drivePin(mcp, 3, 1);
    drivePin(mcp, 9, 1);
    expect(await readOver(sim, bus, REG.GPIOA, 2)).toEqual([0x08, 0x02]);
  });

  test('GPPU pulls an undriven input pin up, and turning it off gives the net its own pull back', async () => {
    const { sim, bus, mcp } = setup();
    mcp.pin(0).setPull('down');
    await writeOver(sim, bus, REG.GPPUA, [0x01]);
    expect(mcp.pin(0).pull).toBe('up');
    expect(await readOver(sim, bus, REG.GPIOA)).toEqual([0x01]);
    await writeOver(sim, bus, REG.GPPUA, [0x00]);
    expect(mcp.pin(0).pull).toBe('down');
    expect(mcp.register(REG.GPIOA)).toBe(0x00);
  });

  test('IODIR 0 drives the pin push-pull from OLAT, and writing GPIO writes OLAT', async () => {
    const { sim, bus, mcp } = setup();
    await writeOver(sim, bus, REG.OLATA, [0x01]);
    expect(mcp.pin(0).floating).toBe(true);
    await writeOver(sim, bus, REG.IODIRA, [0xfe]);
    expect(mcp.pin(0).level()).toBe(1);
    expect(mcp.pin(0).drivenBy()).toEqual(['mcp23017@0x20.A0:1']);
    await writeOver(sim, bus, REG.GPIOA, [0x00]);
    expect(mcp.pin(0).level()).toBe(0);
    expect(mcp.register(REG.OLATA)).toBe(0x00);
    await writeOver(sim, bus, REG.IODIRA, [0xff]);
    expect(mcp.pin(0).floating).toBe(true);
  });

  test('GPINTEN with INTCON = 0: a change asserts INTA, sets INTF and captures the port in INTCAP', async () => {
    const { sim, bus, intA, intB, mcp } = setup();
    const a2 = drivePin(mcp, 2, 1);
    await writeOver(sim, bus, REG.GPINTENA, [0x04]);
    expect(intA.level()).toBe(1);
    a2.drive(0);
    expect(intA.level()).toBe(0);
    expect(intB.level()).toBe(1);
    expect(mcp.register(REG.INTFA)).toBe(0x04);
    expect(mcp.register(REG.INTCAPA)).toBe(0x00);
    expect(mcp.interruptsRaised).toBe(1);
    expect(mcp.lastInterruptAt).toBe(sim.now());
  });

  test('reading INTCAP returns the capture and releases INT at the end of the transfer', async () => {
    const { sim, bus, intA, mcp } = setup();
    const a2 = drivePin(mcp, 2, 1);
    await writeOver(sim, bus, REG.GPINTENA, [0x04]);
    a2.drive(0);
    a2.drive(1); // the pin is back, but INTCAP keeps the value from the time of the interrupt
    const start = sim.now();
    let releasedAt = -1;
    intA.onChange((level) => level === 1 && (releasedAt = sim.now()));
    const data = bus.writeRead(ADDR, [REG.INTCAPA], 1);
    await sim.advance(179);
    expect(intA.level()).toBe(0);
    await sim.advance(1);
    expect([...(await data)]).toEqual([0x00]);
    expect(releasedAt).toBe(start + 180);
    expect(mcp.register(REG.INTFA)).toBe(0);
    expect(mcp.register(REG.INTCAPA)).toBe(0x00);
    expect(mcp.interruptsCleared).toBe(1);
  });

  test('reading GPIO also clears the interrupt, and returns the pins as they are now', async () => {
    const { sim, bus, intA, mcp } = setup();
    const a5 = drivePin(mcp, 5, 0);
    await writeOver(sim, bus, REG.GPINTENA, [0x20]);
    a5.drive(1);
    expect(intA.level()).toBe(0);
    expect(await readOver(sim, bus, REG.GPIOA)).toEqual([0x20]);
    expect(intA.level()).toBe(1);
    expect(mcp.register(REG.INTFA)).toBe(0);
  });

  test('reading INTF or writing INTCAP or GPIO leaves the interrupt active; INTF, INTCAP ignore writes', async () => {
    const { sim, bus, intA, mcp } = setup();
    const a0 = drivePin(mcp, 0, 0);
    await writeOver(sim, bus, REG.GPINTENA, [0x01]);
    a0.drive(1);
    expect(await readOver(sim, bus, REG.INTFA)).toEqual([0x01]);
    await writeOver(sim, bus, REG.INTFA, [0x00, 0x00, 0x55]);
    await writeOver(sim, bus, REG.GPIOA, [0x00]);
    expect(intA.level()).toBe(0);
    expect(mcp.register(REG.INTFA)).toBe(0x01);
    expect(mcp.register(REG.INTCAPA)).toBe(0x01);
  });

  test('while the interrupt is active, another pin changing neither adds to INTF nor updates INTCAP', async () => {
    const { sim, bus, mcp } = setup();
    const a0 = drivePin(mcp, 0, 0);
    const a1 = drivePin(mcp, 1, 0);
    await writeOver(sim, bus, REG.GPINTENA, [0x03]);
    a0.drive(1);
    a1.drive(1);
    expect(mcp.register(REG.INTFA)).toBe(0x01);
    expect(mcp.register(REG.INTCAPA)).toBe(0x01);
    expect(mcp.register(REG.GPIOA)).toBe(0x03);
    expect(mcp.interruptsRaised).toBe(1);
    expect(mcp.missedChanges).toBe(1);
  });

  test('two changes of one pin before a clear count one missed change, and the clear does not report it', async () => {
    const { sim, bus, intA, mcp } = setup();
    const a0 = drivePin(mcp, 0, 1);
    await writeOver(sim, bus, REG.GPINTENA, [0x01]);
    a0.drive(0);
    a0.drive(1);
    expect(mcp.missedChanges).toBe(1);
    expect(await readOver(sim, bus, REG.INTCAPA)).toEqual([0x00]);
    expect(intA.level()).toBe(1);
    expect(mcp.interruptsRaised).toBe(1);
  });

  test('INTCON = 1: the interrupt holds while the pin differs from DEFVAL, re-asserting after a clear', async () => {
    const { sim, bus, intA, mcp } = setup();
    const a4 = drivePin(mcp, 4, 1);
    await writeOver(sim, bus, REG.DEFVALA, [0x10]);
    await writeOver(sim, bus, REG.INTCONA, [0x10]);
    await writeOver(sim, bus, REG.GPINTENA, [0x10]);
    expect(intA.level()).toBe(1);
    a4.drive(0);
    expect(intA.level()).toBe(0);
    let edges = 0;
    intA.onChange(() => edges++);
    expect(await readOver(sim, bus, REG.INTCAPA)).toEqual([0x00]);
    expect(intA.level()).toBe(0);
    expect(edges).toBe(0); // no release glitch between the clear and the re-assertion
    expect(mcp.interruptsRaised).toBe(2);
    expect(mcp.register(REG.INTFA)).toBe(0x10);
    a4.drive(1);
    expect(intA.level()).toBe(0); // still latched until read
    expect(await readOver(sim, bus, REG.GPIOA)).toEqual([0x10]);
    expect(intA.level()).toBe(1);
    expect(mcp.interruptsRaised).toBe(2);
  });

  test('INTCON = 1: enabling a pin that already differs from DEFVAL interrupts at once', async () => {
    const { sim, bus, intA, mcp } = setup();
    drivePin(mcp, 7, 1);
    await writeOver(sim, bus, REG.INTCONA, [0x80]);
    await writeOver(sim, bus, REG.GPINTENA, [0x80]);
    expect(intA.level()).toBe(0);
    expect(mcp.register(REG.INTFA)).toBe(0x80);
  });

  test('a port B pin asserts INTB only, until MIRROR ORs INTA and INTB', async () => {
    const { sim, bus, intA, intB, mcp } = setup();
    const b3 = drivePin(mcp, 11, 0);
    await writeOver(sim, bus, REG.GPINTENB, [0x08]);
    b3.drive(1);
    expect(intB.level()).toBe(0);
    expect(intA.level()).toBe(1);
    expect(mcp.interruptActive('B')).toBe(true);
    await writeOver(sim, bus, REG.IOCON, [MCP23017_IOCON.MIRROR]);
    expect(intA.level()).toBe(0);
    expect(intB.level()).toBe(0);
    expect(await readOver(sim, bus, REG.INTCAPB)).toEqual([0x08]);
    expect(intA.level()).toBe(1);
    expect(intB.level()).toBe(1);
  });

  test('with MIRROR, both INT pins stay asserted until both ports are cleared', async () => {
    const { sim, bus, intA, intB, mcp } = setup();
    const a0 = drivePin(mcp, 0, 0);
    const b0 = drivePin(mcp, 8, 0);
    await writeOver(sim, bus, REG.IOCON, [MCP23017_IOCON.MIRROR]);
    await writeOver(sim, bus, REG.GPINTENA, [0x01, 0x01]);
    a0.drive(1);
    b0.drive(1);
    await readOver(sim, bus, REG.GPIOA);
    expect(intA.level()).toBe(0);
    expect(intB.level()).toBe(0);
    await readOver(sim, bus, REG.GPIOB);
    expect(intA.level()).toBe(1);
    expect(intB.level()).toBe(1);
  });

  test('INTPOL = 1 makes the push-pull INT active-high', async () => {
    const { sim, bus, intA, mcp } = setup();
    const a0 = drivePin(mcp, 0, 0);
    await writeOver(sim, bus, REG.IOCON, [MCP23017_IOCON.INTPOL]);
    expect(intA.level()).toBe(0);
    await writeOver(sim, bus, REG.GPINTENA, [0x01]);
    a0.drive(1);
    expect(intA.level()).toBe(1);
  });

  test('ODR = 1: two expanders share one open-drain INT line as a wired-OR', async () => {
    const sim = new Simulator();
    const bus = new I2cBus(sim, { latencyUs: 100, perByteUs: 20 });
    const int = new Net('int', { pull: 'up' });
    const first = new Mcp23017(sim, bus, 0x20, { intA: int });
    const second = new Mcp23017(sim, bus, 0x21, { intA: int });
    for (const address of [0x20, 0x21]) {
      await writeOver(sim, bus, REG.IOCON, [MCP23017_IOCON.ODR | MCP23017_IOCON.INTPOL], address); // INTPOL ignored
      await writeOver(sim, bus, REG.GPINTENA, [0x01], address);
    }
    expect(int.drivenBy()).toEqual([]);
    expect(int.level()).toBe(1);
    const p1 = drivePin(first, 0, 0);
    const p2 = drivePin(second, 0, 0);
    p1.drive(1);
    p2.drive(1);
    expect(int.level()).toBe(0);
    await readOver(sim, bus, REG.INTCAPA, 1, 0x20);
    expect(int.level()).toBe(0);
    await readOver(sim, bus, REG.INTCAPA, 1, 0x21);
    expect(int.level()).toBe(1);
    expect(int.contentions).toBe(0);
  });

  test('IPOL inverts an input pin in GPIO and INTCAP, but DEFVAL compares the pin level', async () => {
    const { sim, bus, mcp } = setup();
    const a1 = drivePin(mcp, 1, 1);
    await writeOver(sim, bus, REG.IPOLA, [0x02]);
    expect(await readOver(sim, bus, REG.GPIOA)).toEqual([0x00]);
    await writeOver(sim, bus, REG.DEFVALA, [0x02]);
    await writeOver(sim, bus, REG.INTCONA, [0x02]);
    await writeOver(sim, bus, REG.GPINTENA, [0x02]);
    expect(mcp.interruptActive('A')).toBe(false);
    a1.drive(0);
    expect(mcp.register(REG.INTCAPA)).toBe(0x02);
  });

  test('output pins never cause an interrupt', async () => {
    const { sim, bus, intA, mcp } = setup();
    await writeOver(sim, bus, REG.GPINTENA, [0xff]);
    await writeOver(sim, bus, REG.IODIRA, [0x00]);
    await writeOver(sim, bus, REG.OLATA, [0xff]);
    expect(mcp.pin(7).level()).toBe(1);
    expect(intA.level()).toBe(1);
    expect(mcp.interruptsRaised).toBe(0);
  });

  test('register() peeks without side effects: INTCAP and GPIO peeks leave the interrupt active', async () => {
    const { sim, bus, intA, mcp } = setup();
    const a0 = drivePin(mcp, 0, 0);
    await writeOver(sim, bus, REG.GPINTENA, [0x01]);
    a0.drive(1);
    mcp.register(REG.INTCAPA);
    mcp.register(REG.GPIOA);
    expect(intA.level()).toBe(0);
    expect(mcp.reads).toBe(0);
    expect(() => mcp.register(0x16)).toThrow(RangeError);
  });

  test('counts register bytes read and written, the pointer byte not included', async () => {
    const { sim, bus, mcp } = setup();
    await writeOver(sim, bus, REG.OLATA, [1, 2]);
    await readOver(sim, bus, REG.IODIRA, 3);
    expect(mcp.writes).toBe(2);
    expect(mcp.reads).toBe(3);
  });

  test('an address outside 0x20..0x27 is rejected', () => {
    const sim = new Simulator();
    const bus = new I2cBus(sim);
    expect(() => new Mcp23017(sim, bus, 0x28)).toThrow(RangeError);
    expect(() => new Mcp23017(sim, bus, 0x1f)).toThrow(RangeError);
    expect(() => new Mcp23017(sim, bus, 32.5)).toThrow(RangeError);
    expect(() => new Mcp23017(sim, bus, 0x27)).not.toThrow();
  });

  test('setting IOCON.BANK fails the transfer and changes nothing', async () => {
    const { sim, bus, mcp } = setup();
    const refused = expect(
      bus.write(ADDR, [REG.INTCONB, 0x0f, MCP23017_IOCON.BANK | MCP23017_IOCON.MIRROR]),
    ).rejects.toMatchObject({ code: 'EINVAL' });
    await sim.runUntilIdle();
    await refused;
    expect(mcp.register(REG.INTCONB)).toBe(0);
    expect(mcp.register(REG.IOCON)).toBe(0);
    expect(mcp.writes).toBe(0);
  });

  test('a register pointer beyond 0x15 fails the transfer', async () => {
    const { sim, bus } = setup();
    const refused = expect(bus.writeRead(ADDR, [0x16], 1)).rejects.toMatchObject({ code: 'EINVAL' });
    await sim.runUntilIdle();
    await refused;
  });

  test('pin() names A0..A7 as 0..7 and B0..B7 as 8..15, and rejects other numbers', () => {
    const { mcp } = setup();
    expect(mcp.pin(0).name).toBe('mcp23017@0x20.A0');
    expect(mcp.pin(15).name).toBe('mcp23017@0x20.B7');
    expect(() => mcp.pin(16)).toThrow(RangeError);
  });

  test('pins can be nets that exist already, given in the options', async () => {
    const sim = new Simulator();
    const bus = new I2cBus(sim, { latencyUs: 100, perByteUs: 20 });
    const pins = Array.from({ length: 16 }, (_, n) => new Net(`p${n}`, { pull: n === 0 ? 'up' : 'down' }));
    const mcp = new Mcp23017(sim, bus, ADDR, { pins });
    expect(mcp.pin(0)).toBe(pins[0]);
    expect(await readOver(sim, bus, REG.GPIOA)).toEqual([0x01]);
    expect(() => new Mcp23017(sim, bus, 0x21, { pins: pins.slice(1) })).toThrow(RangeError);
  });
});
