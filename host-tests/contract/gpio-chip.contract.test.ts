/*
 * The contract every GPIO irq_chip of this project keeps, run over each chip kind (chips.ts): trigger types,
 * masking and the replay of a pending edge, level lines, wake sources, errors, free and re-request, shared
 * lines. Each test is one behaviour, written as a driver author uses the chip: gpio_to_irq, the core's
 * request/free/enable/disable/type/wake calls, devices on the pins. What only one implementation does (its
 * counters, how it opens its IO) is tested beside it (host-tests/esp32/gpio.test.ts for the DigitalBank chip).
 */
import {
  IRQ_HANDLED, IRQ_LINE_EVENT_FALLING_EDGE, IRQ_LINE_EVENT_LEVEL_LOW, IRQ_LINE_EVENT_RISING_EDGE, IRQ_NONE, IRQ_TYPE_EDGE_BOTH,
  IRQ_TYPE_LEVEL_HIGH, IRQ_WAKE_THREAD, type IrqLineEvents, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_LOW, IRQ_TYPE_NONE,
  IRQF_ONESHOT, IRQF_SHARED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING,
  IrqError, SPURIOUS_WINDOW,
} from '../../firmware/irq';
import { LevelSensor, PulseGenerator, PushButton } from '../../hal/mock/devices';
import type { Simulator } from '../../hal/mock/sim';
import { CHIP_KINDS, type BootedChip } from './chips';
import { expectIrqError } from '../helpers/irq-error';

/** Soon after an edge: the delivery latency plus a few hardirqs' CPU time. */
const SOON_US = 100;

/** A thread function's sleep (a bus transfer, say), in virtual time. */
function sleep(sim: Simulator, us: number): Promise<void> {
  return new Promise((resolve) => sim.after(us, resolve));
}

function warned(chip: BootedChip, pattern: RegExp): boolean {
  return chip.logs.some((l) => l.level === 'warn' && pattern.test(l.message));
}

/** What a thread read of one event (IrqLineEvents' getters). */
interface ReadEvent {
  id: number;
  timeUs: number;
  seqno: number;
  lineSeqno: number;
  missed: number;
  exact: boolean;
}

function readAll(events: IrqLineEvents, into: ReadEvent[]): void {
  while (events.next()) {
    into.push({ id: events.id, timeUs: events.timestampUs, seqno: events.seqno, lineSeqno: events.lineSeqno, missed: events.missed, exact: events.exact });
  }
}

/**
 * A driver whose thread reads its line's events at each run (the requested line's reader, made right after the
 * request): `seen` holds what it read, `runs` its thread runs.
 */
function eventReader(chip: BootedChip, irq: number, flags: number, capacity?: number) {
  const dev = { seen: [] as ReadEvent[], runs: 0, events: undefined as unknown as IrqLineEvents };
  chip.core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, () => {
    dev.runs++;
    readAll(dev.events, dev.seen);
    return IRQ_HANDLED;
  }, flags, 'reader', dev);
  dev.events = chip.core.irqRequestLineEvents(irq, dev, capacity);
  return dev;
}

/** A plain handler that counts its calls. */
function counter() {
  const c = { calls: 0, handler: () => (c.calls++, IRQ_HANDLED) };
  return c;
}

describe.each(CHIP_KINDS)('GPIO irq_chip contract: $kind', (kind) => {
  const [P0, P1, P2, P3] = kind.pins.ordinary;

  describe('trigger types', () => {
    test('a rising edge runs the handler once, soon after the edge; the fall after it runs nothing', async () => {
      const chip = kind.boot({ latencyUs: 30 });
      const out = chip.output(P0, 0);
      const irq = chip.irq(P0);
      const times: number[] = [];
      chip.core.requestIrq(irq, () => (times.push(chip.sim.now()), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'rising', {});
      await chip.sim.advance(100);
      out.drive(1);
      await chip.sim.advance(1_000);
      out.drive(0);
      await chip.sim.advance(1_000);
      expect(times).toHaveLength(1);
      expect(times[0]).toBeGreaterThanOrEqual(100 + 30);
      expect(times[0]).toBeLessThan(100 + 30 + SOON_US);
      expect(chip.core.irqToDesc(irq)!.count).toBe(1);
    });

    test('a falling edge runs a falling line once; the rise after it runs nothing', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 1);
      const c = counter();
      chip.core.requestIrq(chip.irq(P0), c.handler, IRQF_TRIGGER_FALLING, 'falling', {});
      out.drive(0);
      await chip.sim.advance(1_000);
      expect(c.calls).toBe(1);
      out.drive(1);
      await chip.sim.advance(1_000);
      expect(c.calls).toBe(1);
    });

    test('a both-edge line runs on the rise and on the fall', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      chip.core.requestIrq(chip.irq(P0), c.handler, IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING, 'both', {});
      out.drive(1);
      await chip.sim.advance(1_000);
      expect(c.calls).toBe(1);
      out.drive(0);
      await chip.sim.advance(1_000);
      expect(c.calls).toBe(2);
    });

    test('a level-high line runs again and again while the level holds, until its handler clears the device', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      let calls = 0;
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => {
        calls++;
        if (calls === 3) out.drive(0); // the device lets go on the third interrupt
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_HIGH, 'level-high', {});
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect(calls).toBe(3);
      expect(chip.core.irqToDesc(irq)!.masked).toBe(false);
    });

    test('a level-low line runs while its device holds the line low', async () => {
      const chip = kind.boot();
      const dev = chip.openDrain(P0, 'dev');
      let calls = 0;
      chip.core.requestIrq(chip.irq(P0), () => {
        calls++;
        if (calls === 2) dev.release();
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_LOW, 'level-low', {});
      dev.assert();
      await chip.sim.runUntilIdle();
      expect(calls).toBe(2);
    });

    test('a level line already asserted when it is requested runs at once, with no edge', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      let calls = 0;
      chip.core.requestIrq(chip.irq(P0), () => {
        calls++;
        out.drive(1);
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_LOW, 'asserted', {});
      await chip.sim.runUntilIdle();
      expect(calls).toBe(1);
    });

    test('a line requested with no trigger type is warned about and never runs', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, 0, 'untyped', {});
      expect(warned(chip, new RegExp(`irq ${irq}\\b.*no trigger type`))).toBe(true);
      out.drive(1);
      out.drive(0);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(0);
    });

    test('irqSetIrqType retypes a live line: after rising to falling, a rise runs nothing and a fall runs the handler', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'retyped', {});
      chip.core.irqSetIrqType(irq, IRQ_TYPE_EDGE_FALLING);
      out.drive(1);
      await chip.sim.advance(1_000);
      expect(c.calls).toBe(0);
      out.drive(0);
      await chip.sim.advance(1_000);
      expect(c.calls).toBe(1);
      expect(chip.core.irqToDesc(irq)!.triggerType).toBe(IRQ_TYPE_EDGE_FALLING);
    });

    test('irqSetIrqType from an edge to a level type switches the line to the level flow', async () => {
      const chip = kind.boot();
      const dev = chip.openDrain(P0, 'dev');
      let calls = 0;
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => {
        calls++;
        if (calls === 3) dev.release(); // still held after the first two: only a level line runs again
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_FALLING, 'to-level', {});
      chip.core.irqSetIrqType(irq, IRQ_TYPE_LEVEL_LOW);
      dev.assert();
      await chip.sim.runUntilIdle();
      expect(calls).toBe(3);
      expect(chip.core.irqToDesc(irq)!.triggerType).toBe(IRQ_TYPE_LEVEL_LOW);
    });

    test('a value that is no trigger type is EINVAL, and the line keeps its type and keeps working', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'typed', {});
      for (const type of [IRQ_TYPE_NONE, 0x10, IRQ_TYPE_LEVEL_LOW | IRQ_TYPE_EDGE_FALLING, -1]) {
        expectIrqError(() => chip.core.irqSetIrqType(irq, type), 'EINVAL');
      }
      out.drive(1);
      await chip.sim.advance(1_000);
      expect(c.calls).toBe(1);
      expect(chip.core.irqToDesc(irq)!.triggerType).toBe(IRQ_TYPE_EDGE_RISING);
    });

    test('a request asking for two trigger types at once is EINVAL and leaves the line unrequested', () => {
      const chip = kind.boot();
      const irq = chip.irq(P0);
      expectIrqError(() => chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_HIGH | IRQF_TRIGGER_LOW, 'both-levels', {}), 'EINVAL');
      expect(chip.core.irqToDesc(irq)!.actions).toEqual([]);
    });
  });

  describe('pins side by side', () => {
    test('pins of different types side by side each see only their own edges', async () => {
      const chip = kind.boot();
      const calls = { rising: 0, falling: 0, both: 0 };
      const pins = { rising: P0, falling: P1, both: P2 } as const;
      const flags = { rising: IRQF_TRIGGER_RISING, falling: IRQF_TRIGGER_FALLING, both: IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING };
      const outs = (['rising', 'falling', 'both'] as const).map((name) => {
        const out = chip.output(pins[name], 0);
        chip.core.requestIrq(chip.irq(pins[name]), () => (calls[name]++, IRQ_HANDLED), flags[name], name, {});
        return out;
      });
      for (const out of outs) out.drive(1);
      await chip.sim.advance(1_000);
      expect(calls).toEqual({ rising: 1, falling: 0, both: 1 });
      for (const out of outs) out.drive(0);
      await chip.sim.advance(1_000);
      expect(calls).toEqual({ rising: 1, falling: 1, both: 2 });
    });

    test('a pulse storm on one pin does not hold back another pin', async () => {
      const chip = kind.boot();
      const storm = new PulseGenerator(chip.sim, chip.net(P0), { periodUs: 20, widthUs: 10, count: 500 });
      const victim = chip.output(P1, 0);
      const stormCalls = counter();
      const victimTimes: number[] = [];
      chip.core.requestIrq(chip.irq(P0), stormCalls.handler, IRQF_TRIGGER_RISING, 'storm', {});
      chip.core.requestIrq(chip.irq(P1), () => (victimTimes.push(chip.sim.now()), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'victim', {});
      storm.start();
      chip.sim.after(3_000, () => victim.drive(1));
      await chip.sim.advance(20_000);
      expect(victimTimes).toHaveLength(1);
      expect(victimTimes[0]).toBeGreaterThanOrEqual(3_000);
      expect(victimTimes[0]).toBeLessThan(3_000 + SOON_US);
      expect(stormCalls.calls + chip.merged(P0)).toBe(500);
    });

    test('a disabled pin does not disturb its neighbours: another pin\'s edge runs meanwhile', async () => {
      const chip = kind.boot();
      const a = chip.output(P0, 0);
      const b = chip.output(P1, 0);
      const ca = counter();
      const cb = counter();
      const irqA = chip.irq(P0);
      chip.core.requestIrq(irqA, ca.handler, IRQF_TRIGGER_RISING, 'a', {});
      chip.core.requestIrq(chip.irq(P1), cb.handler, IRQF_TRIGGER_RISING, 'b', {});
      await chip.core.disableIrq(irqA);
      a.drive(1);
      b.drive(1);
      await chip.sim.runUntilIdle();
      expect({ a: ca.calls, b: cb.calls }).toEqual({ a: 0, b: 1 });
      chip.core.enableIrq(irqA);
      await chip.sim.runUntilIdle();
      expect({ a: ca.calls, b: cb.calls }).toEqual({ a: 1, b: 1 });
    });

    test('edges on four pins at once each run their own line once', async () => {
      const chip = kind.boot();
      const pins = [P0, P1, P2, P3];
      const calls = pins.map(() => 0);
      const outs = pins.map((pin, i) => {
        const out = chip.output(pin, 0);
        chip.core.requestIrq(chip.irq(pin), () => (calls[i]++, IRQ_HANDLED), IRQF_TRIGGER_RISING, `pin${pin}`, {});
        return out;
      });
      for (const out of outs) out.drive(1);
      await chip.sim.runUntilIdle();
      expect(calls).toEqual([1, 1, 1, 1]);
    });
  });

  describe('what the chip knows of its edges', () => {
    test('a bouncing button on a falling line: every fall runs the handler or was merged below the core', async () => {
      const chip = kind.boot();
      const button = new PushButton(chip.sim, chip.net(P0), { bounces: 3, bounceUs: 2_000 });
      let falls = 0;
      chip.net(P0).onChange((level) => {
        if (level === 0) falls++;
      });
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_FALLING, 'button', button);
      button.press();
      await chip.sim.advance(5_000);
      button.release();
      await chip.sim.advance(5_000);
      expect(falls).toBe(button.transitions / 2);
      expect(falls).toBeGreaterThan(2);
      expect(c.calls + chip.merged(P0)).toBe(falls);
      expect(chip.core.irqToDesc(irq)!.count).toBe(c.calls);
    });

    test(kind.can.edgeTimes
      ? 'the chip knows when each edge happened: the core measures latency from the edge'
      : 'the chip cannot tell when an edge happened: the core records no edge latency', async () => {
      const chip = kind.boot({ latencyUs: 40, core: { stats: true } });
      const out = chip.output(P0, 0);
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'timed', {});
      out.drive(1);
      await chip.sim.advance(1_000);
      const latency = chip.core.irqLatency(irq)!.edgeToHardirq;
      if (kind.can.edgeTimes) {
        expect(latency.count).toBe(1);
        expect(latency.maxUs).toBeGreaterThanOrEqual(40);
        expect(latency.maxUs).toBeLessThan(40 + SOON_US);
      } else {
        expect(latency.count).toBe(0);
      }
    });
  });

  describe('masking: disable_irq and enable_irq', () => {
    test('an edge while the line is disabled runs nothing; it is pending, and enable replays it once', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'masked', {});
      await chip.core.disableIrq(irq);
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(0);
      expect(chip.core.irqToDesc(irq)!.pending).toBe(true);
      chip.core.enableIrq(irq);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
      expect(chip.core.irqToDesc(irq)).toMatchObject({ pending: false, resends: 1, count: 1 });
    });

    test('the replay runs after enableIrq has returned, never inside it', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'deferred', {});
      chip.core.disableIrqNosync(irq);
      out.drive(1);
      await chip.sim.runUntilIdle();
      chip.core.enableIrq(irq);
      expect(c.calls).toBe(0);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
    });

    test('many edges while disabled are replayed exactly once; the next edge after it runs as usual', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'burst', {});
      await chip.core.disableIrq(irq);
      for (let i = 0; i < 3; i++) {
        out.drive(1);
        await chip.sim.advance(10);
        out.drive(0);
        await chip.sim.advance(10);
      }
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(0);
      chip.core.enableIrq(irq);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
      expect(chip.core.irqToDesc(irq)!.resends).toBe(1);
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(2);
    });

    test('edges while the core holds a storming line masked (polled) stay latched: every pulse is handled or merged', async () => {
      const chip = kind.boot();
      const { sim, core } = chip;
      const out = chip.output(P0, 0);
      const irq = chip.irq(P0);
      let handled = 0;
      core.requestIrq(irq, () => (handled++, sim.spend(15), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'storm', {});
      let pulses = 0;
      const pulse = (): void => {
        out.drive(1);
        out.drive(0);
        if (++pulses < 5_000) sim.after(20, pulse);
      };
      sim.after(20, pulse);
      await sim.advance(200_000);
      expect(core.irqToDesc(irq)!.stormSwitches).toBeGreaterThanOrEqual(1);
      expect(handled + chip.merged(P0)).toBe(pulses);
    });

    test('enable with no edge pending runs nothing', async () => {
      const chip = kind.boot();
      chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'quiet', {});
      await chip.core.disableIrq(irq);
      chip.core.enableIrq(irq);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(0);
      expect(chip.core.irqToDesc(irq)!.resends).toBe(0);
    });

    test('disables nest: the edge is replayed by the last enable, not the first', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'nested', {});
      await chip.core.disableIrq(irq);
      await chip.core.disableIrq(irq);
      out.drive(1);
      await chip.sim.runUntilIdle();
      chip.core.enableIrq(irq);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(0);
      chip.core.enableIrq(irq);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
    });

  });

  describe('level lines', () => {
    test('a level line with a oneshot thread stays masked while the thread sleeps, and runs again while its device holds the level', async () => {
      const chip = kind.boot({ latencyUs: 20 });
      const { sim, core } = chip;
      const dev = chip.openDrain(P0, 'dev');
      const irq = chip.irq(P0);
      let runs = 0;
      core.requestThreadedIrq(irq, null, async () => {
        runs++;
        await sleep(sim, 500); // a bus transfer
        if (runs === 3) dev.release(); // the device lets go on the third run
        return IRQ_HANDLED;
      }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'dev', {});
      dev.assert();
      await sim.advance(100);
      expect(core.irqToDesc(irq)!.masked).toBe(true);
      await sim.advance(10_000);
      expect(runs).toBe(3);
      expect(core.irqToDesc(irq)!.masked).toBe(false);
      await sim.advance(10_000);
      expect(runs).toBe(3);
    });

    test('a level sensor behind I2C with a oneshot thread raises one interrupt per event', async () => {
      const chip = kind.boot({ latencyUs: 20 });
      const { sim, core, i2c } = chip;
      const sensor = new LevelSensor(sim, i2c, 0x18, chip.net(P0));
      const irq = chip.irq(P0);
      const samples: number[] = [];
      core.requestThreadedIrq(irq, null, async () => {
        const status = await i2c.readRegister(0x18, 0x00);
        if (status === 0) return IRQ_NONE;
        samples.push(await i2c.readRegister(0x18, 0x01));
        return IRQ_HANDLED;
      }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', sensor);
      sensor.raise(1, 42);
      await sim.advance(2_000);
      sensor.raise(1, 43);
      await sim.advance(2_000);
      expect(samples).toEqual([42, 43]);
      expect(core.irqToDesc(irq)!.count).toBe(2);
      expect(core.irqToDesc(irq)!.unhandledTotal).toBe(0);
      expect(sensor.eventsCleared).toBe(2);
    });

    test('edges while a level line\'s oneshot thread runs do not count: its unmask goes by the level alone', async () => {
      const chip = kind.boot();
      const { sim, core } = chip;
      const dev = chip.openDrain(P0, 'dev');
      const irq = chip.irq(P0);
      let runs = 0;
      core.requestThreadedIrq(irq, null, async () => {
        runs++;
        // While the thread sleeps the device pulses its line: released, asserted again, released.
        sim.after(100, () => dev.release());
        sim.after(200, () => dev.assert());
        sim.after(300, () => dev.release());
        await sleep(sim, 1_000);
        return IRQ_HANDLED;
      }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'dev', {});
      dev.assert();
      await sim.advance(5_000);
      expect(runs).toBe(1);
      expect(core.irqToDesc(irq)).toMatchObject({ masked: false, pending: false, resends: 0 });
    });

    test('a level line disabled while asserted runs on enable if the level still holds', async () => {
      const chip = kind.boot();
      const dev = chip.openDrain(P0, 'dev');
      let calls = 0;
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => (calls++, dev.release(), IRQ_HANDLED), IRQF_TRIGGER_LOW, 'held', {});
      await chip.core.disableIrq(irq);
      dev.assert();
      await chip.sim.runUntilIdle();
      expect(calls).toBe(0);
      chip.core.enableIrq(irq);
      await chip.sim.runUntilIdle();
      expect(calls).toBe(1);
    });

    test('a level line whose device let go while it was disabled runs nothing on enable: levels are not replayed', async () => {
      const chip = kind.boot();
      const dev = chip.openDrain(P0, 'dev');
      let calls = 0;
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => (calls++, dev.release(), IRQ_HANDLED), IRQF_TRIGGER_LOW, 'gone', {});
      await chip.core.disableIrq(irq);
      dev.assert();
      await chip.sim.runUntilIdle();
      dev.release();
      await chip.sim.runUntilIdle();
      chip.core.enableIrq(irq);
      await chip.sim.runUntilIdle();
      expect(calls).toBe(0);
      expect(chip.core.irqToDesc(irq)!.resends).toBe(0);
    });
    test('a level line stuck asserted that no handler claims is disabled by the "nobody cared" detector', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      let calls = 0;
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => (calls++, IRQ_NONE), IRQF_TRIGGER_HIGH, 'deaf', {});
      out.drive(1);
      await chip.sim.runUntilIdle({ maxEvents: 2_000_000 });
      expect(chip.core.irqToDesc(irq)).toMatchObject({ spuriousDisabled: true, disabled: true, count: SPURIOUS_WINDOW });
      expect(calls).toBe(SPURIOUS_WINDOW);
      expect(chip.logs.some((l) => l.level === 'error' && new RegExp(`irq ${irq}: nobody cared.*"deaf"`).test(l.message))).toBe(true);
    }, 60_000);
  });

  describe('pulls', () => {
    test('a pin opened with its pull-up reads high with nothing driving it, and a device pulling it low is a falling edge', async () => {
      const chip = kind.boot();
      const net = chip.net(P0);
      const button = net.openDrain('button'); // a switch to ground, no resistor on the board
      const c = counter();
      chip.core.requestIrq(chip.irq(P0, 'up'), c.handler, IRQF_TRIGGER_FALLING, 'button', {});
      await chip.sim.runUntilIdle();
      expect(net.level()).toBe(1);
      expect(c.calls).toBe(0);
      button.assert();
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
    });

    test('a pin opened with its pull-down reads low with nothing driving it, and a device driving it high is a rising edge', async () => {
      const chip = kind.boot();
      const net = chip.net(P0);
      const c = counter();
      chip.core.requestIrq(chip.irq(P0, 'down'), c.handler, IRQF_TRIGGER_RISING, 'sensor', {});
      await chip.sim.runUntilIdle();
      expect(net.level()).toBe(0);
      net.pushPull('sensor').drive(1);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
    });
  });

  describe('wake sources: irqSetIrqWake', () => {
    test('a level-low line made a wake source wakes the chip on low; disabling wake removes it', () => {
      const chip = kind.boot();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_LOW, 'wake', {});
      expect(chip.wakeLevel(P0)).toBeUndefined();
      chip.core.irqSetIrqWake(irq, true);
      expect(chip.wakeLevel(P0)).toBe(0);
      expect(chip.core.irqToDesc(irq)!.wakeDepth).toBe(1);
      chip.core.irqSetIrqWake(irq, false);
      expect(chip.wakeLevel(P0)).toBeUndefined();
      expect(chip.core.irqToDesc(irq)!.wakeDepth).toBe(0);
    });

    test('an edge line wakes the chip on the level its edge ends at: rising on high, falling on low', () => {
      const chip = kind.boot();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'wake', {});
      chip.core.irqSetIrqWake(irq, true);
      expect(chip.wakeLevel(P0)).toBe(1);
      chip.core.irqSetIrqWake(irq, false);
      chip.core.irqSetIrqType(irq, IRQ_TYPE_EDGE_FALLING);
      chip.core.irqSetIrqWake(irq, true);
      expect(chip.wakeLevel(P0)).toBe(0);
    });

    test('wake enables nest: the pin stays a wake source until the last disable', () => {
      const chip = kind.boot();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_HIGH, 'wake', {});
      chip.core.irqSetIrqWake(irq, true);
      chip.core.irqSetIrqWake(irq, true);
      chip.core.irqSetIrqWake(irq, false);
      expect(chip.wakeLevel(P0)).toBe(1);
      chip.core.irqSetIrqWake(irq, false);
      expect(chip.wakeLevel(P0)).toBeUndefined();
    });

    test('a wake disable with no enable is warned about and changes nothing', () => {
      const chip = kind.boot();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_LOW, 'wake', {});
      chip.core.irqSetIrqWake(irq, false);
      expect(warned(chip, new RegExp(`Unbalanced IRQ ${irq} wake disable`))).toBe(true);
      expect(chip.core.irqToDesc(irq)!.wakeDepth).toBe(0);
      expect(chip.wakeLevel(P0)).toBeUndefined();
    });

    test('a both-edge line has no one level to wake on: ENOSYS, and the pin is no wake source', () => {
      const chip = kind.boot();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING, 'both', {});
      expectIrqError(() => chip.core.irqSetIrqWake(irq, true), 'ENOSYS');
      expect(chip.core.irqToDesc(irq)!.wakeDepth).toBe(0);
      expect(chip.wakeLevel(P0)).toBeUndefined();
    });

    test('a wake source cannot be retyped to both edges: ENOSYS, and it keeps its type, its wake level and its interrupts', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'wake', {});
      chip.core.irqSetIrqWake(irq, true);
      expectIrqError(() => chip.core.irqSetIrqType(irq, IRQ_TYPE_EDGE_BOTH), 'ENOSYS');
      expect(chip.wakeLevel(P0)).toBe(1);
      out.drive(1);
      await chip.sim.runUntilIdle();
      out.drive(0);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
    });

    (kind.pins.noWake === undefined ? test.skip : test)('a pin that cannot wake the chip is ENOSYS', () => {
      const chip = kind.boot();
      const pin = kind.pins.noWake!;
      const irq = chip.irq(pin);
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_LOW, 'no-wake', {});
      expectIrqError(() => chip.core.irqSetIrqWake(irq, true), 'ENOSYS');
      expect(chip.core.irqToDesc(irq)!.wakeDepth).toBe(0);
      expect(chip.wakeLevel(pin)).toBeUndefined();
    });
  });

  describe('pins the chip refuses', () => {
    test('a GPIO the chip does not have is EINVAL', () => {
      const chip = kind.boot();
      for (const pin of kind.pins.missing) expectIrqError(() => chip.irq(pin), 'EINVAL');
    });

    (kind.pins.flash === undefined ? test.skip : test)('a pin the SPI flash owns is EBUSY, with or without a pull', () => {
      const chip = kind.boot();
      expectIrqError(() => chip.irq(kind.pins.flash!), 'EBUSY');
      expectIrqError(() => chip.irq(kind.pins.flash!, 'up'), 'EBUSY');
    });

    (kind.pins.noPulls === undefined ? test.skip : test)('a pull on a pin without pulls is EINVAL; the pin as a plain input works', async () => {
      const chip = kind.boot();
      const pin = kind.pins.noPulls!;
      expectIrqError(() => chip.irq(pin, 'up'), 'EINVAL');
      expectIrqError(() => chip.irq(pin, 'down'), 'EINVAL');
      const out = chip.output(pin, 0);
      const c = counter();
      chip.core.requestIrq(chip.irq(pin), c.handler, IRQF_TRIGGER_RISING, 'input-only', {});
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
    });

    test('a pin another IO object holds fails the request and leaves no action; once let go it can be requested', async () => {
      const chip = kind.boot();
      const release = chip.holdElsewhere(P0);
      const irq = chip.irq(P0);
      const c = counter();
      expect(() => chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'late', {})).toThrow(IrqError);
      expect(chip.core.irqToDesc(irq)!.actions).toEqual([]);
      release();
      const out = chip.output(P0, 0);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'late', {});
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
    });
  });

  describe('free and request again', () => {
    test('after freeIrq the pin\'s edges reach nobody; requested again, the line runs on the next edge', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const first = counter();
      const second = counter();
      const irq = chip.irq(P0);
      const dev = {};
      chip.core.requestIrq(irq, first.handler, IRQF_TRIGGER_RISING, 'first', dev);
      expect(await chip.core.freeIrq(irq, dev)).toBe('first');
      out.drive(1);
      await chip.sim.runUntilIdle();
      out.drive(0);
      expect(first.calls).toBe(0);
      chip.core.requestIrq(irq, second.handler, IRQF_TRIGGER_RISING, 'second', dev);
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect({ first: first.calls, second: second.calls }).toEqual({ first: 0, second: 1 });
    });

    test('requested again with another trigger type, the line runs on the new type only', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      const dev = {};
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'rising', dev);
      await chip.core.freeIrq(irq, dev);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_FALLING, 'falling', dev);
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(0);
      out.drive(0);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
    });

    test('an edge not yet delivered when the line is freed never reaches the freed handler', async () => {
      const chip = kind.boot({ latencyUs: 50 });
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      const dev = {};
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'freed', dev);
      out.drive(1);
      await chip.sim.advance(0); // the CPU has taken the GPIO interrupt; the hardirq is 50 µs away
      await chip.core.freeIrq(irq, dev);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(0);
    });

    test('an edge pending when the line is freed is kept, as the kernel keeps IRQS_PENDING: the next request replays it once', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const c = counter();
      const irq = chip.irq(P0);
      const dev = {};
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'old', dev);
      await chip.core.disableIrq(irq);
      out.drive(1);
      await chip.sim.runUntilIdle();
      await chip.core.freeIrq(irq, dev);
      expect(chip.core.irqToDesc(irq)!.pending).toBe(true);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'new', dev);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
      expect(chip.core.irqToDesc(irq)).toMatchObject({ pending: false, resends: 1 });
      out.drive(0);
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(2);
    });

    test('a freed pin can be taken by another IO object, as it could before it was requested', async () => {
      const chip = kind.boot();
      const irq = chip.irq(P0);
      const dev = {};
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'borrowed', dev);
      await chip.core.freeIrq(irq, dev);
      expect(() => chip.holdElsewhere(P0)()).not.toThrow();
    });
  });

  describe('shared lines', () => {
    test('two devices on one open-drain level-low line: each handler claims its own device\'s interrupt', async () => {
      const chip = kind.boot();
      const a = chip.openDrain(P0, 'a');
      const b = chip.openDrain(P0, 'b');
      const irq = chip.irq(P0);
      const served: string[] = [];
      const handlerOf = (name: string, dev: typeof a) => () => {
        if (!dev.asserted) return IRQ_NONE;
        served.push(name);
        dev.release();
        return IRQ_HANDLED;
      };
      chip.core.requestIrq(irq, handlerOf('a', a), IRQF_SHARED | IRQF_TRIGGER_LOW, 'a', a);
      chip.core.requestIrq(irq, handlerOf('b', b), IRQF_SHARED | IRQF_TRIGGER_LOW, 'b', b);
      b.assert();
      await chip.sim.runUntilIdle();
      expect(served).toEqual(['b']);
      a.assert();
      b.assert();
      await chip.sim.runUntilIdle();
      expect(served).toEqual(['b', 'a', 'b']);
      expect(chip.core.irqToDesc(irq)).toMatchObject({ actions: ['a', 'b'], unhandledTotal: 0, masked: false });
    });

    test('one edge on a shared edge line runs every sharer\'s handler', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const a = counter();
      const b = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, a.handler, IRQF_SHARED | IRQF_TRIGGER_RISING, 'a', 'a');
      chip.core.requestIrq(irq, b.handler, IRQF_SHARED | IRQF_TRIGGER_RISING, 'b', 'b');
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect({ a: a.calls, b: b.calls }).toEqual({ a: 1, b: 1 });
      expect(chip.core.irqToDesc(irq)!.count).toBe(1);
    });

    test('freeing one sharer leaves the line working for the other', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const a = counter();
      const b = counter();
      const irq = chip.irq(P0);
      chip.core.requestIrq(irq, a.handler, IRQF_SHARED | IRQF_TRIGGER_RISING, 'a', 'a');
      chip.core.requestIrq(irq, b.handler, IRQF_SHARED | IRQF_TRIGGER_RISING, 'b', 'b');
      await chip.core.freeIrq(irq, 'a');
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect({ a: a.calls, b: b.calls }).toEqual({ a: 0, b: 1 });
    });
  });

  describe('line events: what a thread reads of its line (gpiolib-cdev)', () => {
    test('each edge of a both-edge line is one event, oldest first: its edge, the time of the edge, sequence numbers from 1', async () => {
      const chip = kind.boot({ latencyUs: 30 });
      const out = chip.output(P0, 0);
      const irq = chip.irq(P0);
      const dev = eventReader(chip, irq, IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING);
      const edges = [1_000, 3_000, 5_000];
      edges.forEach((at, i) => chip.sim.at(at, () => out.drive(i % 2 === 0 ? 1 : 0)));
      await chip.sim.advance(10_000);
      expect(dev.seen.map((e) => e.id)).toEqual([IRQ_LINE_EVENT_RISING_EDGE, IRQ_LINE_EVENT_FALLING_EDGE, IRQ_LINE_EVENT_RISING_EDGE]);
      expect(dev.seen.map((e) => e.lineSeqno)).toEqual([1, 2, 3]);
      expect(dev.seen.map((e) => e.missed)).toEqual([0, 0, 0]);
      expect(dev.seen[1].seqno).toBeGreaterThan(dev.seen[0].seqno);
      expect(dev.seen[2].seqno).toBeGreaterThan(dev.seen[1].seqno);
      // The edge's time, not the delivery's (30 µs later).
      dev.seen.forEach((e, i) => expect(e.timeUs).toBe(edges[i]));
      expect(dev.seen.every((e) => e.exact === kind.can.exactEvents)).toBe(true);
    });

    test('a reader that falls behind loses its oldest events, counted, and the next event it reads shows the gap', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const irq = chip.irq(P0);
      const dev = {};
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'slow reader', dev);
      const events = chip.core.irqRequestLineEvents(irq, dev, 4);
      for (let i = 0; i < 10; i++) {
        out.drive(1);
        await chip.sim.advance(500);
        out.drive(0);
        await chip.sim.advance(500);
      }
      expect(events.pending).toBe(4);
      expect(events.dropped).toBe(6);
      const seen: ReadEvent[] = [];
      readAll(events, seen);
      expect(seen.map((e) => e.lineSeqno)).toEqual([7, 8, 9, 10]);
      expect(seen.map((e) => e.missed)).toEqual([6, 0, 0, 0]);
      expect(events.next()).toBe(false);
      expect(events.missed).toBeNaN();
    });

    test('a level line\'s interrupts are level events, one per time it runs', async () => {
      const chip = kind.boot();
      const dev = chip.openDrain(P0, 'dev');
      const irq = chip.irq(P0);
      const seen: ReadEvent[] = [];
      let calls = 0;
      const owner = {};
      chip.core.requestIrq(irq, () => {
        calls++;
        if (calls === 2) dev.release();
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_LOW, 'level', owner);
      const events = chip.core.irqRequestLineEvents(irq, owner);
      dev.assert();
      await chip.sim.runUntilIdle();
      readAll(events, seen);
      expect(calls).toBe(2);
      expect(seen.map((e) => [e.id, e.lineSeqno])).toEqual([[IRQ_LINE_EVENT_LEVEL_LOW, 1], [IRQ_LINE_EVENT_LEVEL_LOW, 2]]);
    });

    test('one reader per line: a second is EBUSY naming the first; freeing its action releases it for the next', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const irq = chip.irq(P0);
      const a = {};
      const b = {};
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_SHARED | IRQF_TRIGGER_RISING, 'a', a);
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_SHARED | IRQF_TRIGGER_RISING, 'b', b);
      const first = chip.core.irqRequestLineEvents(irq, a);
      expectIrqError(() => chip.core.irqRequestLineEvents(irq, b), 'EBUSY', /"a" already reads the line's events/);
      await chip.core.freeIrq(irq, a);
      expect(first.open).toBe(false);
      const second = chip.core.irqRequestLineEvents(irq, b);
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect(first.next()).toBe(false);
      expect(second.next()).toBe(true);
      expect(second.id).toBe(IRQ_LINE_EVENT_RISING_EDGE);
    });

    test('release() stops the recording: later edges still run the line but make no event for it', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 0);
      const irq = chip.irq(P0);
      const c = counter();
      const dev = {};
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_RISING, 'released', dev);
      const events = chip.core.irqRequestLineEvents(irq, dev);
      events.release();
      out.drive(1);
      await chip.sim.runUntilIdle();
      expect(c.calls).toBe(1);
      expect(events.pending).toBe(0);
      expect(events.open).toBe(false);
    });

    test('a buffer of no event, or of more than the core allows, is EINVAL; a devId with no action on the line is EINVAL', () => {
      const chip = kind.boot();
      const irq = chip.irq(P0);
      const dev = {};
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'dev', dev);
      expectIrqError(() => chip.core.irqRequestLineEvents(irq, dev, 0), 'EINVAL', /holds 1 to 1024 events, not 0/);
      expectIrqError(() => chip.core.irqRequestLineEvents(irq, dev, 4096), 'EINVAL', /not 4096/);
      expectIrqError(() => chip.core.irqRequestLineEvents(irq, {}), 'EINVAL', /no action of the line has that devId/);
    });
  });

  describe('debounce (gpiolib\'s debounce_period_us, in software)', () => {
    const PERIOD = 5_000;

    test('a bouncing press runs a falling line once, when the level has held the period after the last bounce: the event\'s time', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 1);
      const irq = chip.irq(P0);
      chip.core.irqSetDebounce(irq, PERIOD);
      const dev = eventReader(chip, irq, IRQF_TRIGGER_FALLING);
      [[1_000, 0], [1_200, 1], [1_400, 0]].forEach(([at, level]) => chip.sim.at(at, () => out.drive(level as 0 | 1)));
      await chip.sim.advance(20_000);
      expect(dev.runs).toBe(1);
      expect(dev.seen).toEqual([{ id: IRQ_LINE_EVENT_FALLING_EDGE, timeUs: 1_400 + PERIOD, seqno: expect.any(Number), lineSeqno: 1, missed: 0, exact: true }]);
      expect(chip.core.irqToDesc(irq)!.count).toBe(1);
      expect(chip.bounces(P0)).toBe(2);
    });

    test('a glitch shorter than the period runs nothing: the level it settles at is the one it left', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 1);
      const irq = chip.irq(P0);
      chip.core.irqSetDebounce(irq, PERIOD);
      const dev = eventReader(chip, irq, IRQF_TRIGGER_FALLING);
      chip.sim.at(1_000, () => out.drive(0));
      chip.sim.at(3_000, () => out.drive(1));
      await chip.sim.advance(20_000);
      expect(dev.runs).toBe(0);
      expect(chip.bounces(P0)).toBe(2);
    });

    test('a debounced falling line runs nothing for a release; a both-edge one reports each settled change with its edge', async () => {
      const chip = kind.boot();
      const outA = chip.output(P0, 1);
      const outB = chip.output(P1, 1);
      const a = chip.irq(P0);
      const b = chip.irq(P1);
      chip.core.irqSetDebounce(a, PERIOD);
      chip.core.irqSetDebounce(b, PERIOD);
      const falling = eventReader(chip, a, IRQF_TRIGGER_FALLING);
      const both = eventReader(chip, b, IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING);
      for (const out of [outA, outB]) {
        chip.sim.at(1_000, () => out.drive(0));
        chip.sim.at(20_000, () => out.drive(1));
        chip.sim.at(20_300, () => out.drive(0));
        chip.sim.at(20_600, () => out.drive(1));
      }
      await chip.sim.advance(40_000);
      expect(falling.seen.map((e) => [e.id, e.timeUs])).toEqual([[IRQ_LINE_EVENT_FALLING_EDGE, 1_000 + PERIOD]]);
      expect(both.seen.map((e) => [e.id, e.timeUs, e.lineSeqno])).toEqual([
        [IRQ_LINE_EVENT_FALLING_EDGE, 1_000 + PERIOD, 1], [IRQ_LINE_EVENT_RISING_EDGE, 20_600 + PERIOD, 2],
      ]);
    });

    test('a debounced line goes on debouncing while disabled: its settled change is pending, and enable replays it once', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 1);
      const irq = chip.irq(P0);
      chip.core.irqSetDebounce(irq, PERIOD);
      const dev = eventReader(chip, irq, IRQF_TRIGGER_FALLING);
      await chip.core.disableIrq(irq);
      for (const [at, level] of [[1_000, 0], [1_200, 1], [1_400, 0]]) chip.sim.at(at, () => out.drive(level as 0 | 1));
      await chip.sim.advance(20_000);
      expect(dev.runs).toBe(0);
      expect(chip.core.irqToDesc(irq)!.pending).toBe(true);
      chip.core.enableIrq(irq);
      await chip.sim.runUntilIdle();
      expect(dev.runs).toBe(1);
      expect(dev.seen.map((e) => [e.id, e.timeUs])).toEqual([[IRQ_LINE_EVENT_FALLING_EDGE, 1_400 + PERIOD]]);
    });

    test('debounce 0 turns it off: every edge runs the line again', async () => {
      const chip = kind.boot();
      const out = chip.output(P0, 1);
      const irq = chip.irq(P0);
      const c = counter();
      chip.core.irqSetDebounce(irq, PERIOD);
      chip.core.requestIrq(irq, c.handler, IRQF_TRIGGER_FALLING, 'dev', {});
      chip.core.irqSetDebounce(irq, 0);
      for (const [at, level] of [[1_000, 0], [1_200, 1], [1_400, 0]]) chip.sim.at(at, () => out.drive(level as 0 | 1));
      await chip.sim.advance(20_000);
      expect(c.calls).toBe(2);
      expect(chip.core.irqToDesc(irq)!.debounceUs).toBe(0);
    });

    test('debounce filters edges: a level line refuses it, and a debounced line refuses a level type, both EINVAL and unchanged', async () => {
      const chip = kind.boot();
      const level = chip.irq(P0);
      const edge = chip.irq(P1);
      chip.core.requestIrq(level, () => IRQ_HANDLED, IRQF_TRIGGER_LOW, 'level', {});
      expectIrqError(() => chip.core.irqSetDebounce(level, PERIOD), 'EINVAL', /debounce filters edges/);
      chip.core.irqSetDebounce(edge, PERIOD);
      chip.core.requestIrq(edge, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'edge', {});
      expectIrqError(() => chip.core.irqSetIrqType(edge, IRQ_TYPE_LEVEL_HIGH), 'EINVAL', /needs irqSetDebounce\(\d+, 0\) first/);
      expect(chip.core.irqToDesc(edge)).toMatchObject({ debounceUs: PERIOD, triggerType: IRQ_TYPE_EDGE_FALLING });
      expectIrqError(() => chip.core.irqSetDebounce(edge, -1), 'EINVAL', /whole number of µs/);
      expectIrqError(() => chip.core.irqSetDebounce(edge, 2.5), 'EINVAL', /whole number of µs/);
    });

    test('the interrupt table shows the line debounced', () => {
      const chip = kind.boot();
      const irq = chip.irq(P0);
      chip.core.irqSetDebounce(irq, PERIOD);
      chip.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'knob', {});
      expect(chip.core.procInterrupts()).toMatch(new RegExp(`knob \\[debounce ${PERIOD}us\\]`));
    });
  });
});
