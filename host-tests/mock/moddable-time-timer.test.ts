/*
 * The fakes of Moddable's time, microseconds and timer modules (hal/mock/moddable/) against what the 8.2.3
 * sources do: modules/base/timer/timer.js, modTimer.c, timer/mc/timer.c, time/time.js, time/esp/modTime.c,
 * microseconds/microseconds.js.
 */
import { createTime } from '../../hal/mock/moddable/time';
import { createTimer, type ModdableTimerHost } from '../../hal/mock/moddable/timer';
import { Simulator } from '../../hal/mock/sim';

describe('Time', () => {
  test('ticks is whole ms as an int32; microseconds only with the module; frozen like a preloaded module', () => {
    const sim = new Simulator();
    const plain = createTime(sim);
    const withUs = createTime(sim, { microseconds: true });
    sim.spend(2_999);
    expect(plain.ticks).toBe(2);
    expect('microseconds' in plain).toBe(false);
    expect(withUs.microseconds).toBe(2_999);
    expect(Object.keys(withUs)).toContain('microseconds');
    expect(Object.isFrozen(withUs)).toBe(true);
    expect(createTime(sim, { startMs: 2 ** 32 - 1 }).ticks).toBe(1);
  });

  test('delta(start, end) is end - start as an int32; delta(start) uses end 0 (time.js always passes two arguments)', () => {
    const sim = new Simulator();
    const Time = createTime(sim, { startMs: 500 });
    expect(Time.delta(100, 350)).toBe(250);
    expect(Time.delta(-1, 1)).toBe(2);
    expect(Time.delta(100)).toBe(-100);
  });
});

describe('Timer', () => {
  test('the callback gets the timer, with this the global object; a one-shot is gone after it fires', async () => {
    const sim = new Simulator();
    const Timer = createTimer(sim);
    const seen: unknown[] = [];
    const t = Timer.set(function (this: unknown, timer) {
      seen.push(this === globalThis, timer);
    }, 5);
    await sim.advance(4_999);
    expect(seen).toEqual([]);
    await sim.advance(1);
    expect(seen).toEqual([true, t]);
    expect(Timer.stats).toMatchObject({ created: 1, live: 0, fired: 1 });
    expect(() => Timer.schedule(t, 0)).toThrow(new SyntaxError('C: xsGetHostData: invalid host data'));
    Timer.clear(t); // ignored
    expect(Timer.stats.cleared).toBe(0);
  });

  test('whole milliseconds of the tick count: a 1 ms timer set at 1.5 ms fires at 2 ms', async () => {
    const sim = new Simulator();
    const Timer = createTimer(sim);
    let at = -1;
    sim.spend(1_500);
    Timer.set(() => void (at = sim.now()), 1);
    await sim.advance(5_000);
    expect(at).toBe(2_000);
  });

  test('argument checks: no error for a primitive callback until it fires; schedule of a non-timer throws; clear of anything is quiet', async () => {
    const sim = new Simulator();
    const Timer = createTimer(sim);
    Timer.clear(undefined);
    Timer.clear(42 as unknown as ModdableTimerHost);
    expect(() => Timer.schedule({} as ModdableTimerHost, 0)).toThrow(new SyntaxError('C: xsGetHostData: not a host object'));
    expect(() => Timer.set(() => {}, Symbol('x') as unknown as number)).toThrow(TypeError);
    Timer.set(42 as unknown as () => void, 0);
    await expect(sim.advance(0)).rejects.toThrow(new TypeError('call: not a function'));
  });

  test('a negative delay is due at once, like 0; delays are ToInt32', async () => {
    const sim = new Simulator();
    const Timer = createTimer(sim);
    const order: string[] = [];
    sim.defer(() => order.push('queued'));
    Timer.set(() => order.push('negative'), -50);
    Timer.set(() => order.push('2^32 + 1 ms'), 2 ** 32 + 1);
    await sim.advance(0);
    expect(order).toEqual(['queued', 'negative']);
    await sim.advance(1_000);
    expect(order).toEqual(['queued', 'negative', '2^32 + 1 ms']);
  });

  test('schedule re-arms the same record (no allocation) and replaces a pending trigger; schedule(timer) alone is a one-shot now', async () => {
    const sim = new Simulator();
    const Timer = createTimer(sim);
    const times: number[] = [];
    const t = Timer.repeat(() => void times.push(sim.now()), 10);
    Timer.schedule(t, 3, 7); // replaces the 10 ms trigger
    await sim.advance(17_000);
    expect(times).toEqual([3_000, 10_000, 17_000]);
    Timer.schedule(t); // 8.2.3: argc is 3 at the native, so delay 0, repeat 0
    await sim.advance(100_000);
    expect(times).toEqual([3_000, 10_000, 17_000, 17_000]);
    expect(Timer.stats).toMatchObject({ created: 1, live: 0, rescheduled: 2 });
  });

  test('a reschedule from its own callback survives only with a repeat; a clear from its own callback stops it', async () => {
    const sim = new Simulator();
    const Timer = createTimer(sim);
    let a = 0;
    let b = 0;
    let c = 0;
    Timer.set((t) => {
      if (++a < 3) Timer.schedule(t, 1, 0); // repeat 0 at the end of the callback: freed
    }, 1);
    Timer.set((t) => {
      if (++b < 3) Timer.schedule(t, 1, 1_000);
      else Timer.clear(t);
    }, 1);
    Timer.repeat((t) => {
      if (++c === 2) Timer.clear(t);
    }, 1);
    await sim.advance(100_000);
    expect([a, b, c]).toEqual([1, 3, 2]);
    expect(Timer.stats.live).toBe(0);
  });

  test('Timer.delay blocks: the clock moves on by the ms given', () => {
    const sim = new Simulator();
    createTimer(sim).delay(3);
    expect(sim.now()).toBe(3_000);
  });
});
