/*
 * What only the DigitalBank chip (hal/esp32/gpio.ts over Moddable's ECMA-419 DigitalBank) does: how an edge
 * comes in (onReadable, the parent line, the domain), what it can and cannot see of merged edges, how it opens
 * and closes its DigitalBanks, and its counters for emulated levels and lazy masking. The behaviours every GPIO
 * irq_chip keeps (trigger types, masking and replay, levels, wake, errors, free, shared lines) are the contract:
 * host-tests/contract/gpio-chip.contract.test.ts. Shared banks and the silent bank: silent-pin.test.ts.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_LOW,
  IRQF_ONESHOT, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING,
} from '../../firmware/irq';
import { LevelSensor } from '../../hal/mock/devices';
import { makeEsp32Board } from './helpers';

describe('ESP32 GPIO over ECMA-419 DigitalBank: deliveries', () => {
  test('an edge comes in through onReadable: one delivery, counted on the parent line, the pin\'s irq in the esp32-gpio domain', async () => {
    const { board, sim, core, gpio } = makeEsp32Board({ latencyUs: 30 });
    const out = board.pin(4).pushPull('test');
    out.drive(0);
    const irq = gpio.gpioToIrq(4);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin4', {});
    expect(gpio.pinInfo(4).open).toBe(true);
    out.drive(1);
    await sim.advance(100);
    expect(calls).toBe(1);
    expect(core.irqToDesc(gpio.parentIrq)!.count).toBe(1);
    expect(core.irqToDesc(irq)!.domainName).toBe('esp32-gpio');
    expect(gpio.stats).toMatchObject({ deliveries: 1, edges: 1, coalesced: 0, ignored: 0 });
  });

  test('two edges of a both-edge pin before the delivery are one bit: the HAL finds it by the level and counts it as coalesced', async () => {
    const { board, sim, core, gpio, io } = makeEsp32Board({ latencyUs: 50 });
    const out = board.pin(15).pushPull('test');
    out.drive(0);
    const irq = gpio.gpioToIrq(15);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), 0, 'both', {});
    core.irqSetIrqType(irq, IRQ_TYPE_EDGE_BOTH);
    out.drive(1);
    await sim.advance(10);
    out.drive(0); // before the first edge's delivery has run
    await sim.advance(100);
    expect(calls).toBe(1);
    expect(io.stats).toMatchObject({ edges: 2, coalesced: 1, deliveries: 1 });
    expect(gpio.stats).toMatchObject({ deliveries: 1, edges: 1, coalesced: 1 });
    expect(gpio.pinInfo(15).coalesced).toBe(1);
    // A single edge afterwards is not counted as merged.
    out.drive(1);
    await sim.advance(100);
    expect(calls).toBe(2);
    expect(gpio.stats.coalesced).toBe(1);
  });

  test('two falls of a falling pin before the delivery are one bit: the native layer merges them, the HAL cannot tell', async () => {
    const { board, sim, core, gpio, io } = makeEsp32Board({ latencyUs: 50 });
    const out = board.pin(16).pushPull('test');
    out.drive(1);
    let calls = 0;
    core.requestIrq(gpio.gpioToIrq(16), () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_FALLING, 'falling', {});
    out.drive(0);
    out.drive(1);
    out.drive(0);
    await sim.advance(100);
    expect(calls).toBe(1);
    expect(io.coalesced(16)).toBe(1);
    expect(gpio.stats.coalesced).toBe(0);
  });
});

describe('ESP32 GPIO: DigitalBanks opened and closed', () => {
  test('freeing a pin closes its DigitalBank: a delivery still queued is cancelled with it, and the GPIO is free again', async () => {
    const { board, sim, core, gpio, io } = makeEsp32Board({ latencyUs: 50 });
    const out = board.pin(17).pushPull('test');
    out.drive(0);
    const irq = gpio.gpioToIrq(17);
    let calls = 0;
    const dev = {};
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin17', dev);
    out.drive(1);
    await sim.advance(0); // the ISR has posted the delivery; it runs 50 µs later
    await core.freeIrq(irq, dev);
    await sim.advance(100);
    expect(calls).toBe(0);
    expect(io.stats.cancelled).toBe(1);
    expect(gpio.pinInfo(17).open).toBe(false);
    expect(io.pinsInUse(0)).toBe(0);
  });

  test('a pin mode opens the bank with its pull: pullup is DigitalBank.InputPullUp', () => {
    const { board, core, gpio, io } = makeEsp32Board();
    const irq = gpio.gpioToIrq(18, 'pullup');
    expect(io.pinsInUse(0)).toBe(0); // no bank until the line is requested
    core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'button', {});
    expect(board.pin(18).pull).toBe('up');
    expect(gpio.level(18)).toBe(1);
    expect(gpio.pinInfo(18).mode).toBe('pullup');
  });

  test('a GPIO another DigitalBank holds fails the request with DigitalBank\'s "in use"', () => {
    const { core, gpio, io } = makeEsp32Board();
    const held = new io.DigitalBank({ pins: 1 << 5, mode: io.DigitalBank.Input });
    const irq = gpio.gpioToIrq(5);
    expect(() => core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'pin5', {})).toThrow(/irqStartup failed: Error: in use/);
    expect(gpio.pinInfo(5).open).toBe(false);
    held.close();
  });

  test('a pin with no trigger type opens no DigitalBank', () => {
    const { core, gpio, io } = makeEsp32Board();
    core.requestIrq(gpio.gpioToIrq(2), () => IRQ_HANDLED, 0, 'untyped', {});
    expect(gpio.pinInfo(2).open).toBe(false);
    expect(io.pinsInUse(0)).toBe(0);
  });

  test('a type change between falling and level-low keeps the DigitalBank; falling to rising reopens it', async () => {
    const { board, sim, core, gpio } = makeEsp32Board();
    board.pin(25).setPull('up');
    const dev = board.pin(25).openDrain('dev');
    const irq = gpio.gpioToIrq(25);
    let calls = 0;
    core.requestIrq(irq, () => {
      calls++;
      dev.release();
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_FALLING, 'pin25', {});
    core.irqSetIrqType(irq, IRQ_TYPE_LEVEL_LOW);
    expect(gpio.stats.reopens).toBe(0);
    dev.assert();
    await sim.runUntilIdle();
    expect(calls).toBe(1);
    core.irqSetIrqType(irq, IRQ_TYPE_EDGE_FALLING);
    expect(gpio.stats.reopens).toBe(0);
    core.irqSetIrqType(irq, IRQ_TYPE_EDGE_RISING);
    expect(gpio.stats.reopens).toBe(1);
    expect(gpio.pinInfo(25)).toMatchObject({ open: true, type: IRQ_TYPE_EDGE_RISING });
  });
});

describe('ESP32 GPIO: emulated level types', () => {
  test('a level line is entered again by the chip, with no new delivery, each time an unmask finds the level held (levelRetriggers)', async () => {
    const { board, sim, core, gpio } = makeEsp32Board();
    const out = board.pin(22).pushPull('dev');
    out.drive(0);
    const irq = gpio.gpioToIrq(22);
    let calls = 0;
    core.requestIrq(irq, () => {
      calls++;
      if (calls === 3) out.drive(0); // the device lets go on the third interrupt
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_HIGH, 'pin22', {});
    out.drive(1);
    await sim.runUntilIdle();
    expect(calls).toBe(3);
    expect(gpio.stats).toMatchObject({ deliveries: 1, levelRetriggers: 2 });
  });

  test('a oneshot thread that clears its device before the unmask costs no retrigger', async () => {
    const { board, sim, core, gpio } = makeEsp32Board({ latencyUs: 20 });
    const sensor = new LevelSensor(sim, board.i2c, 0x18, board.pin(19));
    const irq = gpio.gpioToIrq(19);
    core.requestThreadedIrq(irq, null, async () => {
      if (await board.i2c.readRegister(0x18, 0x00) === 0) return IRQ_NONE;
      await board.i2c.readRegister(0x18, 0x01);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', sensor);
    sensor.raise(1, 42);
    await sim.advance(2_000);
    sensor.raise(1, 43);
    await sim.advance(2_000);
    expect(sensor.eventsCleared).toBe(2);
    expect(gpio.stats).toMatchObject({ deliveries: 2, levelRetriggers: 0 });
  });

  test('a level line already asserted when it is requested is raised by the chip itself: no delivery, one retrigger', async () => {
    const { board, sim, core, gpio } = makeEsp32Board();
    const out = board.pin(23).pushPull('dev');
    out.drive(0);
    let calls = 0;
    core.requestIrq(gpio.gpioToIrq(23), () => {
      calls++;
      out.drive(1);
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_LOW, 'pin23', {});
    await sim.runUntilIdle();
    expect(calls).toBe(1);
    expect(gpio.stats).toMatchObject({ deliveries: 0, levelRetriggers: 1 });
  });
});

describe('ESP32 GPIO: lazy software masking', () => {
  test('disableIrq masks nothing in the chip: the first edge while disabled masks the pin, and enable re-raises it (replays)', async () => {
    const { board, sim, core, gpio } = makeEsp32Board();
    const out = board.pin(26).pushPull('test');
    out.drive(0);
    const irq = gpio.gpioToIrq(26);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin26', {});
    await core.disableIrq(irq);
    expect(gpio.pinInfo(26).masked).toBe(false); // lazy: nothing is masked until it fires
    out.drive(1);
    await sim.runUntilIdle();
    expect(gpio.pinInfo(26).masked).toBe(true);
    core.enableIrq(irq);
    await sim.runUntilIdle();
    expect(calls).toBe(1);
    expect(gpio.pinInfo(26).masked).toBe(false);
    expect(gpio.stats).toMatchObject({ replays: 1, coalesced: 0 });
  });

  test('edges on a masked pin are latched in the chip and counted: one replay, the extra edges as merges', async () => {
    const { board, sim, core, gpio } = makeEsp32Board();
    const out = board.pin(27).pushPull('test');
    out.drive(0);
    const irq = gpio.gpioToIrq(27);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin27', {});
    await core.disableIrq(irq);
    for (let i = 0; i < 3; i++) {
      out.drive(1);
      await sim.advance(10);
      out.drive(0);
      await sim.advance(10);
    }
    // The first edge found the line disabled and masked it; the two after it were latched in the chip.
    expect(gpio.pinInfo(27)).toMatchObject({ masked: true, pending: true, pendingWhileMasked: 2 });
    core.enableIrq(irq);
    await sim.runUntilIdle();
    expect(calls).toBe(1);
    expect(gpio.stats.replays).toBe(1);
    // Three edges, one handler call: two merges (the second latched edge, and the latch with the core's resend).
    expect(gpio.stats.coalesced).toBe(2);
  });

  test('a level line masked by its oneshot thread latches edges meanwhile, and its unmask drops the latch for the level', async () => {
    const { board, sim, core, gpio } = makeEsp32Board();
    board.pin(32).setPull('up');
    const intLine = board.pin(32).openDrain('dev');
    const irq = gpio.gpioToIrq(32);
    core.requestThreadedIrq(irq, null, async () => {
      // While the thread sleeps the device pulses its line: released, asserted again, released.
      sim.after(100, () => intLine.release());
      sim.after(200, () => intLine.assert());
      sim.after(300, () => intLine.release());
      await new Promise<void>((resolve) => sim.after(1_000, resolve));
      return IRQ_HANDLED;
    }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'dev', {});
    intLine.assert();
    await sim.advance(5_000);
    expect(gpio.pinInfo(32)).toMatchObject({ pendingWhileMasked: 1, pending: false, levelRetriggers: 0, masked: false });
  });
});
