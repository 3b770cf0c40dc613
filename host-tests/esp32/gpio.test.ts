import {
  IRQ_HANDLED, IRQ_NONE, IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_LOW,
  IRQF_ONESHOT, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING, IrqError,
} from '../../firmware/irq';
import { LevelSensor } from '../../hal/mock/devices';
import { makeEsp32Board } from './helpers';

describe('ESP32 GPIO over ECMA-419 DigitalBank: edges', () => {
  test('an edge reaches its handler through onReadable, the parent line and the domain', async () => {
    const { board, sim, core, gpio } = makeEsp32Board({ latencyUs: 30 });
    const out = board.pin(4).pushPull('test');
    out.drive(0);
    const irq = gpio.gpioToIrq(4);
    const times: number[] = [];
    core.requestIrq(irq, () => (times.push(sim.now()), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin4', {});
    expect(gpio.pinInfo(4).open).toBe(true);
    await sim.advance(100);
    out.drive(1);
    await sim.advance(100);
    expect(times).toEqual([130]); // the delivery runs 30 µs after the edge, on the JavaScript thread
    expect(core.irqToDesc(irq)!.count).toBe(1);
    expect(core.irqToDesc(gpio.parentIrq)!.count).toBe(1);
    expect(core.irqToDesc(irq)!.domainName).toBe('esp32-gpio');
    expect(gpio.stats).toMatchObject({ deliveries: 1, edges: 1, coalesced: 0, ignored: 0 });
  });

  test('a rising pin ignores falls, a falling pin ignores rises, a both-edge pin takes both', async () => {
    const { board, sim, core, gpio } = makeEsp32Board();
    const calls: Record<string, number> = { rising: 0, falling: 0, both: 0 };
    const pins = { rising: 12, falling: 13, both: 14 } as const;
    const flags = { rising: IRQF_TRIGGER_RISING, falling: IRQF_TRIGGER_FALLING, both: IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING };
    const outs = [];
    for (const name of ['rising', 'falling', 'both'] as const) {
      const out = board.pin(pins[name]).pushPull('test');
      out.drive(0);
      outs.push(out);
      const irq = gpio.gpioToIrq(pins[name]);
      if (name === 'both') {
        core.requestIrq(irq, () => (calls[name]++, IRQ_HANDLED), 0, name, {});
        core.irqSetIrqType(irq, IRQ_TYPE_EDGE_BOTH);
      } else {
        core.requestIrq(irq, () => (calls[name]++, IRQ_HANDLED), flags[name], name, {});
      }
    }
    for (const out of outs) out.drive(1);
    await sim.advance(100);
    expect(calls).toEqual({ rising: 1, falling: 0, both: 1 });
    for (const out of outs) out.drive(0);
    await sim.advance(100);
    expect(calls).toEqual({ rising: 1, falling: 1, both: 2 });
  });

  test('two edges of a both-edge pin before the delivery are one bit, counted as coalesced', async () => {
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

  test('a delivery still queued when the line is freed is dropped with the closed DigitalBank', async () => {
    const { board, sim, core, gpio, io } = makeEsp32Board({ latencyUs: 50 });
    const out = board.pin(17).pushPull('test');
    out.drive(0);
    const irq = gpio.gpioToIrq(17);
    let calls = 0;
    const dev = {};
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin17', dev);
    out.drive(1);
    await core.freeIrq(irq, dev);
    await sim.advance(100);
    expect(calls).toBe(0);
    expect(io.stats.cancelled).toBe(1);
    expect(gpio.pinInfo(17).open).toBe(false);
    expect(io.pinsInUse(0)).toBe(0);
  });

  test('a pin mode opens the bank with its pull: pullup is DigitalBank.InputPullUp', () => {
    const { board, core, gpio } = makeEsp32Board();
    const irq = gpio.gpioToIrq(18, 'pullup');
    core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'button', {});
    expect(board.pin(18).pull).toBe('up');
    expect(gpio.level(18)).toBe(1);
    expect(gpio.pinInfo(18).mode).toBe('pullup');
  });

  test('a GPIO held by another DigitalBank fails the request with its "in use", and can be requested once freed', async () => {
    const { board, sim, core, gpio, io } = makeEsp32Board();
    const held = new io.DigitalBank({ pins: 1 << 5, mode: io.DigitalBank.Input });
    const irq = gpio.gpioToIrq(5);
    let calls = 0;
    expect(() => core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin5', {})).toThrow(/irqStartup failed: Error: in use/);
    expect(core.irqToDesc(irq)!.actions).toEqual([]);
    held.close();
    const out = board.pin(5).pushPull('test');
    out.drive(0);
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin5', {});
    expect(gpio.pinInfo(5).open).toBe(true);
    out.drive(1);
    await sim.advance(100);
    expect(calls).toBe(1);
  });

  test('a GPIO the ESP32 lacks is EINVAL', () => {
    const { gpio } = makeEsp32Board();
    for (const pin of [-1, 20, 24, 28, 31, 40, 1.5]) {
      expect(() => gpio.gpioToIrq(pin)).toThrow(IrqError);
    }
    expect(() => gpio.gpioToIrq(20)).toThrow(/EINVAL: GPIO20 does not exist/);
  });

  test('a pin with no trigger type warns at request that it will never interrupt, and opens no bank', () => {
    const { core, gpio, logs, io } = makeEsp32Board();
    core.requestIrq(gpio.gpioToIrq(2), () => IRQ_HANDLED, 0, 'untyped', {});
    expect(logs.some((l) => l.level === 'warn' && /GPIO2 started with no trigger type/.test(l.message))).toBe(true);
    expect(io.pinsInUse(0)).toBe(0);
  });
});

describe('ESP32 GPIO: emulated level types', () => {
  test('a level-low line with a oneshot thread is retriggered on unmask while the level is asserted, and not after', async () => {
    const { board, sim, core, gpio } = makeEsp32Board({ latencyUs: 20 });
    board.pin(21).setPull('up');
    const intLine = board.pin(21).openDrain('dev');
    const irq = gpio.gpioToIrq(21);
    let runs = 0;
    core.requestThreadedIrq(irq, null, async () => {
      runs++;
      await new Promise<void>((resolve) => sim.after(500, resolve)); // a bus transfer
      if (runs === 3) intLine.release(); // the device lets go on the third run
      return IRQ_HANDLED;
    }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'dev', {});
    intLine.assert();
    await sim.advance(100);
    expect(core.irqToDesc(irq)!.masked).toBe(true); // held masked while the thread sleeps
    await sim.advance(10_000);
    expect(runs).toBe(3);
    // Two unmasks found the line still low: two retriggers; the third found it released.
    expect(gpio.stats).toMatchObject({ deliveries: 1, levelRetriggers: 2 });
    expect(core.irqToDesc(irq)!.masked).toBe(false);
    await sim.advance(10_000);
    expect(runs).toBe(3);
    expect(gpio.stats.levelRetriggers).toBe(2);
  });

  test('a level sensor behind I2C with a oneshot thread raises one interrupt per event', async () => {
    const { board, sim, core, gpio } = makeEsp32Board({ latencyUs: 20 });
    const sensor = new LevelSensor(sim, board.i2c, 0x18, board.pin(19));
    const irq = gpio.gpioToIrq(19);
    const samples: number[] = [];
    core.requestThreadedIrq(irq, null, async () => {
      const status = await board.i2c.readRegister(0x18, 0x00);
      if (status === 0) return IRQ_NONE;
      samples.push(await board.i2c.readRegister(0x18, 0x01));
      return IRQ_HANDLED;
    }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', sensor);
    sensor.raise(1, 42);
    await sim.advance(2_000);
    sensor.raise(1, 43);
    await sim.advance(2_000);
    expect(samples).toEqual([42, 43]);
    expect(core.irqToDesc(irq)!.count).toBe(2);
    expect(gpio.stats.levelRetriggers).toBe(0);
    expect(sensor.eventsCleared).toBe(2);
  });

  test('a level-high line without a thread fires again and again until its handler clears the device', async () => {
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

  test('a level line already asserted when it is requested fires at once, with no edge', async () => {
    const { board, sim, core, gpio } = makeEsp32Board();
    const out = board.pin(23).pushPull('dev');
    out.drive(0);
    const irq = gpio.gpioToIrq(23);
    let calls = 0;
    core.requestIrq(irq, () => {
      calls++;
      out.drive(1);
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_LOW, 'pin23', {});
    await sim.runUntilIdle();
    expect(calls).toBe(1);
    expect(gpio.stats).toMatchObject({ deliveries: 0, levelRetriggers: 1 });
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

describe('ESP32 GPIO: lazy software masking', () => {
  test('an edge on a disabled pin is pending in the core and replayed once on enable', async () => {
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
    expect(calls).toBe(0);
    expect(core.irqToDesc(irq)!.pending).toBe(true);
    expect(gpio.pinInfo(26).masked).toBe(true);
    core.enableIrq(irq);
    expect(calls).toBe(0); // the replay is a deferred job, not a call from inside enableIrq
    await sim.runUntilIdle();
    expect(calls).toBe(1);
    expect(core.irqToDesc(irq)!.resends).toBe(1);
    expect(gpio.stats).toMatchObject({ replays: 1, coalesced: 0 });
  });

  test('edges on a masked pin are pending in the chip, counted, and replayed once on enable', async () => {
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
    out.drive(1);
    await sim.runUntilIdle();
    expect(calls).toBe(2);
  });

  test('a level line masked by its oneshot thread latches edges meanwhile, but its unmask goes by the level alone', async () => {
    const { board, sim, core, gpio } = makeEsp32Board();
    board.pin(32).setPull('up');
    const intLine = board.pin(32).openDrain('dev');
    const irq = gpio.gpioToIrq(32);
    let runs = 0;
    core.requestThreadedIrq(irq, null, async () => {
      runs++;
      // While the thread sleeps the device pulses its line: released, asserted again, released.
      sim.after(100, () => intLine.release());
      sim.after(200, () => intLine.assert());
      sim.after(300, () => intLine.release());
      await new Promise<void>((resolve) => sim.after(1_000, resolve));
      return IRQ_HANDLED;
    }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'dev', {});
    intLine.assert();
    await sim.advance(5_000);
    expect(runs).toBe(1);
    expect(gpio.pinInfo(32)).toMatchObject({ pendingWhileMasked: 1, pending: false, levelRetriggers: 0, masked: false });
  });
});
