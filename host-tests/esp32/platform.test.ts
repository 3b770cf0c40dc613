import { IRQ_HANDLED, IRQF_ONESHOT, IRQF_TRIGGER_LOW, IrqCore } from '../../firmware/irq';
import { Esp32Gpio, createEsp32Platform, delayUsToMs } from '../../hal/esp32';
import { SimBoard } from '../../hal/mock/board';
import { createFakeDigitalIo } from '../../hal/mock/ecma419/digital';
import { Simulator } from '../../hal/mock/sim';
import { simTime, simTimer } from './helpers';

/** A Timer that only records: what the platform asked of Moddable. */
function recordingTimer() {
  const calls: string[] = [];
  const callbacks: (() => void)[] = [];
  let next = 1;
  return {
    calls,
    callbacks,
    set(cb: () => void, delay?: number): number {
      calls.push(`set ${delay}`);
      callbacks.push(cb);
      return next++;
    },
    clear(id: number): void {
      calls.push(`clear ${id}`);
    },
  };
}

describe('the ESP32 platform over Moddable Time and Timer', () => {
  test('now() is Time.microseconds when the build has it', () => {
    const time = { ticks: 5, microseconds: 5_123 };
    const platform = createEsp32Platform({ Time: time, Timer: recordingTimer() });
    expect(platform.now()).toBe(5_123);
    time.microseconds = 9_999;
    expect(platform.now()).toBe(9_999);
  });

  test('now() is Time.ticks × 1000 without microseconds, and keeps increasing across the 32-bit wrap', () => {
    const time = { ticks: 2_147_483_000 };
    const platform = createEsp32Platform({ Time: time, Timer: recordingTimer() });
    expect(platform.now()).toBe(2_147_483_000_000);
    time.ticks = -2_147_483_000; // the int32 count wrapped: 1,296 ms later
    expect(platform.now()).toBe(2_147_483_000_000 + 1_296_000);
    time.ticks = -2_147_482_000;
    expect(platform.now()).toBe(2_147_483_000_000 + 2_296_000);
  });

  test('defer(cb) is Timer.set(cb, 0), and the callback ignores the timer argument Moddable passes', () => {
    const timer = recordingTimer();
    const platform = createEsp32Platform({ Time: { ticks: 0 }, Timer: timer });
    const seen: unknown[] = [];
    platform.defer((...args: unknown[]) => void seen.push(args.length));
    expect(timer.calls).toEqual(['set 0']);
    (timer.callbacks[0] as (t: unknown) => void)(42);
    expect(seen).toEqual([0]);
  });

  test('setTimer rounds µs up to whole ms; clearTimer clears a pending timer once and a fired one not at all', () => {
    expect([0, 1, 999, 1000, 1001, -5].map(delayUsToMs)).toEqual([0, 1, 1, 1, 2, 0]);
    const timer = recordingTimer();
    const platform = createEsp32Platform({ Time: { ticks: 0 }, Timer: timer });
    let fired = 0;
    const a = platform.setTimer!(() => void fired++, 1500);
    const b = platform.setTimer!(() => void fired++, 10);
    expect(timer.calls).toEqual(['set 2', 'set 1']);
    platform.clearTimer!(a);
    platform.clearTimer!(a);
    timer.callbacks[1]();
    platform.clearTimer!(b);
    platform.clearTimer!(undefined);
    expect(timer.calls).toEqual(['set 2', 'set 1', 'clear 1']);
    expect(fired).toBe(1);
  });

  test('without Time and Timer it refuses to start', () => {
    expect(() => createEsp32Platform({} as never)).toThrow(TypeError);
  });

  test('the core runs a oneshot level line on the ESP32 platform (Time and Timer over the simulator)', async () => {
    for (const withMicroseconds of [true, false]) {
      const board = new SimBoard({ seed: 3 });
      const sim: Simulator = board.sim;
      const timer = simTimer(sim);
      const core = new IrqCore({ platform: createEsp32Platform({ Time: simTime(sim, withMicroseconds), Timer: timer }) });
      const gpio = new Esp32Gpio(core, createFakeDigitalIo(board, { latencyUs: 40 }));
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
      expect(timer.sets.every((ms) => ms === 0 || ms >= 1)).toBe(true);
      expect(core.irqToDesc(irq)!.masked).toBe(false);
    }
  });
});
