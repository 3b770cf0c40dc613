import { IRQ_HANDLED, IRQF_ONESHOT, IRQF_TRIGGER_LOW, IrqCore, type IrqLog } from '../../firmware/irq';
import { Esp32Gpio, createEsp32Platform, delayUsToMs } from '../../hal/esp32';
import { SimBoard } from '../../hal/mock/board';
import { createFakeDigitalIo } from '../../hal/mock/ecma419/digital';
import { createTime } from '../../hal/mock/moddable/time';
import { createTimer } from '../../hal/mock/moddable/timer';
import { Simulator } from '../../hal/mock/sim';

function recordLog(): { log: IrqLog; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message) => void lines.push(`${level}: ${message}`) };
}

describe('the ESP32 platform over Moddable Time and Timer (the fakes of hal/mock/moddable)', () => {
  test('now() is Time.microseconds when the build has the microseconds module, and it says so once', () => {
    const sim = new Simulator();
    const { log, lines } = recordLog();
    const platform = createEsp32Platform({ Time: createTime(sim, { microseconds: true }), Timer: createTimer(sim), log });
    sim.spend(5_123);
    expect(platform.now()).toBe(5_123);
    sim.spend(4_876);
    expect(platform.now()).toBe(9_999);
    expect(lines).toEqual(['info: clock: Time.microseconds (esp_timer_get_time, 1 µs resolution)']);
  });

  test('now() is the microseconds getter itself when it reads the clock on its own, else a read of the property', () => {
    const sim = new Simulator();
    const Time = createTime(sim, { microseconds: true });
    const get = Object.getOwnPropertyDescriptor(Time, 'microseconds')!.get;
    expect(createEsp32Platform({ Time, Timer: createTimer(sim) }).now).toBe(get);
    // A getter that needs its `this` (not Moddable's native one) is read through the property.
    const base = { ticks: 0, us: 7 };
    const TimeWithThis = Object.defineProperty(base, 'microseconds', { get(this: { us: number }) { return this.us; }, enumerable: true });
    const platform = createEsp32Platform({ Time: TimeWithThis, Timer: createTimer(sim) });
    expect(platform.now()).toBe(7);
    base.us = 9;
    expect(platform.now()).toBe(9);
  });

  test('now() is Time.ticks × 1000 without it (logged with the manifest to add), and keeps increasing across the 32-bit wrap', () => {
    const sim = new Simulator();
    const { log, lines } = recordLog();
    // Uptime 2^31 - 2 ms at time 0: ticks turns negative 2 ms later, and wraps to 0 at 2^32 ms.
    const Time = createTime(sim, { startMs: 2 ** 31 - 2 });
    const platform = createEsp32Platform({ Time, Timer: createTimer(sim), log });
    expect(lines).toEqual(['info: clock: Time.ticks × 1000 (1 ms resolution; add $(MODDABLE)/modules/base/microseconds/manifest.json to the build for 1 µs)']);
    expect(Time.microseconds).toBeUndefined();
    const t0 = platform.now();
    expect(t0).toBe((2 ** 31 - 2) * 1000);
    sim.spend(1_999);
    expect(platform.now() - t0).toBe(1_000);
    sim.spend(1_001);
    expect(Time.ticks).toBe(-(2 ** 31) + 1);
    expect(platform.now() - t0).toBe(3_000);
    // Past 2^32 ms of uptime, ticks wrapped through 0: read at least once per 2^31 ms, now() follows.
    sim.spend(2 ** 30 * 1000);
    platform.now();
    sim.spend(2 ** 30 * 1000);
    expect(Time.ticks).toBe(1);
    expect(platform.now() - t0).toBe(3_000 + 2 ** 31 * 1000);
  });

  test('createDeferred: one Moddable timer made once, re-armed by Timer.schedule per run, none made after', async () => {
    const sim = new Simulator();
    const Timer = createTimer(sim);
    const platform = createEsp32Platform({ Time: createTime(sim, { microseconds: true }), Timer });
    const order: string[] = [];
    let runs = 0;
    const deferred = platform.createDeferred!(() => {
      runs++;
      order.push('deferred');
    });
    expect(Timer.stats).toMatchObject({ created: 1, live: 1 });
    sim.defer(() => order.push('queued before'));
    deferred.schedule();
    deferred.schedule(); // already armed: one run
    await sim.advance(0);
    expect(order).toEqual(['queued before', 'deferred']);
    for (let i = 0; i < 1_000; i++) {
      deferred.schedule();
      await sim.advance(0);
    }
    expect(runs).toBe(1_001);
    deferred.schedule();
    deferred.cancel();
    await sim.advance(10_000);
    expect(runs).toBe(1_001);
    // The timer is never a one-shot, so it survives its runs: same record, still live, nothing cleared.
    expect(Timer.stats).toMatchObject({ created: 1, live: 1, cleared: 0 });
    // Idle, it fires once an hour and does nothing.
    await sim.advance(2 * 3_600_000_000);
    expect(runs).toBe(1_001);
  });

  test('createDeferred: a schedule() from inside the callback runs again at the next turn', async () => {
    const sim = new Simulator();
    const Timer = createTimer(sim);
    const platform = createEsp32Platform({ Time: createTime(sim, { microseconds: true }), Timer });
    let runs = 0;
    const deferred = platform.createDeferred!(() => {
      if (++runs < 5) deferred.schedule();
    });
    deferred.schedule();
    await sim.advance(0);
    expect(runs).toBe(5);
    expect(Timer.stats).toMatchObject({ created: 1, live: 1 });
  });

  test('without Timer.schedule and Timer.repeat there is no createDeferred (the runner falls back to defer)', () => {
    const sim = new Simulator();
    const full = createTimer(sim);
    const platform = createEsp32Platform({ Time: createTime(sim), Timer: { set: full.set, clear: full.clear } });
    expect(platform.createDeferred).toBeUndefined();
  });

  test('defer(cb) is a Timer.set(cb, 0) per call, freed after it fires; cb gets no argument', async () => {
    const sim = new Simulator();
    const Timer = createTimer(sim);
    const platform = createEsp32Platform({ Time: createTime(sim), Timer });
    const seen: number[] = [];
    platform.defer((...args: unknown[]) => void seen.push(args.length));
    platform.defer((...args: unknown[]) => void seen.push(args.length));
    expect(Timer.stats).toMatchObject({ created: 2, live: 2 });
    await sim.advance(0);
    expect(seen).toEqual([0, 0]);
    expect(Timer.stats).toMatchObject({ created: 2, live: 0 });
  });

  test('setTimer rounds µs up to whole ms; clearTimer clears a pending timer once and a fired one not at all', async () => {
    expect([0, 1, 999, 1000, 1001, -5].map(delayUsToMs)).toEqual([0, 1, 1, 1, 2, 0]);
    const sim = new Simulator();
    const Timer = createTimer(sim);
    const platform = createEsp32Platform({ Time: createTime(sim), Timer });
    let fired = 0;
    const a = platform.setTimer!(() => void fired++, 1500);
    const b = platform.setTimer!(() => void fired++, 10);
    platform.clearTimer!(a);
    platform.clearTimer!(a);
    await sim.advance(1_000);
    platform.clearTimer!(b);
    platform.clearTimer!(undefined);
    await sim.advance(5_000);
    expect(fired).toBe(1);
    expect(Timer.stats).toMatchObject({ created: 2, live: 0, cleared: 1 });
  });

  test('without Time and Timer it refuses to start', () => {
    expect(() => createEsp32Platform({} as never)).toThrow(TypeError);
  });

  test('the core runs a oneshot level line on the ESP32 platform, its runner on one timer for every burst', async () => {
    for (const microseconds of [true, false]) {
      const board = new SimBoard({ seed: 3 });
      const sim: Simulator = board.sim;
      const Timer = createTimer(sim);
      const core = new IrqCore({ platform: createEsp32Platform({ Time: createTime(sim, { microseconds }), Timer }) });
      const afterCore = Timer.stats.created;
      const gpio = new Esp32Gpio(core, createFakeDigitalIo(board, { latencyUs: 40 }), { soc: 'esp32' });
      board.pin(4).setPull('up');
      const intLine = board.pin(4).openDrain('dev');
      const irq = gpio.gpioToIrq(4);
      let runs = 0;
      core.requestThreadedIrq(irq, null, async () => {
        runs++;
        await new Promise<void>((resolve) => sim.after(2_000, resolve));
        if (runs === 2) intLine.release();
        return IRQ_HANDLED;
      }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'dev', {});
      intLine.assert();
      await sim.advance(50_000);
      expect(runs).toBe(2);
      expect(gpio.stats.levelRetriggers).toBe(1);
      expect(core.irqToDesc(irq)!.masked).toBe(false);
      // One timer per runner, made with the core; two bursts used it.
      expect(afterCore).toBe(1);
      expect(core.irqRunnerStats()[0].bursts).toBe(2);
    }
  });
});
