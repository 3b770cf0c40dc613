/*
 * The simulator's no-progress guard (hal/mock/sim.ts) and the IRQ core's stall reporter (hal/mock/stall.ts):
 * a workload that keeps scheduling events at one virtual instant without the clock moving stops with a
 * SimStallError that says where, how many events ran there, and which irqs and threads ran during the stall.
 */
import { IRQ_HANDLED, IRQF_ONESHOT, IrqCore, SPURIOUS_WINDOW } from '../../firmware/irq';
import { DEFAULT_STALL_EVENTS, SimStallError, Simulator, type SimStallInfo, type SimStallReporter } from '../../hal/mock/sim';
import { reportIrqStalls } from '../../hal/mock/stall';
import { levelDevice } from '../helpers/level-device';

/** A simulator, a core on it with the stall reporter registered, and a level device on its first line. */
function board(stallEvents?: number) {
  const sim = new Simulator({ stallEvents });
  const core = new IrqCore({ platform: sim.platform, log: () => {} });
  reportIrqStalls(sim, core);
  const device = levelDevice(sim, core);
  return { sim, core, device };
}

/** A reporter that records what the simulator calls, and says `text`. */
function recordingReporter(text: string): SimStallReporter & { calls: string[]; stalls: SimStallInfo[] } {
  const calls: string[] = [];
  const stalls: SimStallInfo[] = [];
  return {
    calls,
    stalls,
    mark: () => void calls.push('mark'),
    describe: (stall) => {
      calls.push('describe');
      stalls.push(stall);
      return text;
    },
  };
}

/** Events that keep scheduling the next one at the same instant, forever. */
function spinForever(sim: Simulator, atUs = 0): void {
  const spin = (): void => sim.defer(spin);
  sim.at(atUs, spin);
}

async function stallOf(run: Promise<void>): Promise<SimStallError> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SimStallError);
  return error as SimStallError;
}

describe('the no-progress guard', () => {
  test('a threaded handler that never clears its level device ends advance with a SimStallError naming the irq and its thread', async () => {
    const { sim, core, device } = board();
    core.requestThreadedIrq(device.irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'button');
    device.raise();
    const stall = await stallOf(sim.advance(1_000));
    expect(stall.timeUs).toBe(0);
    expect(stall.events).toBe(DEFAULT_STALL_EVENTS);
    // Each round is two events, the delivery and the runner's burst: the second half of the bound is 62,500 of each.
    expect(stall.message).toBe(
      'Simulator: no progress: 250,000 events ran at 0 µs without virtual time moving (the stallEvents bound). ' +
        'irq 1 (button) handled 62,500 times and thread irq/1-button ran 62,500 times in the last 125,000 events ' +
        'at 0 µs without virtual time moving: a handler makes no progress (a level device never cleared?).',
    );
    expect(sim.now()).toBe(0);
  }, 60_000);

  test('runUntilIdle stops at the bound as advance does, before its own maxEvents', async () => {
    const sim = new Simulator({ stallEvents: 1_000 });
    spinForever(sim, 42);
    const stall = await stallOf(sim.runUntilIdle());
    expect(stall.message).toMatch(/^Simulator: no progress: 1,000 events ran at 42 µs without virtual time moving/);
    expect(stall.message).toMatch(/No stall reporter said what ran/);
    expect(sim.eventsRun).toBe(1_000);
  });

  test('an honest burst of 10,000 events at one instant is not a stall', async () => {
    const sim = new Simulator();
    let ran = 0;
    for (let i = 0; i < 10_000; i++) sim.defer(() => ran++);
    await sim.advance(0);
    expect(ran).toBe(10_000);
  });

  test('the default bound leaves room for the kernel\'s spurious window of threaded interrupts, two events each', () => {
    expect(new Simulator().stallEvents).toBe(DEFAULT_STALL_EVENTS);
    expect(DEFAULT_STALL_EVENTS).toBeGreaterThan(2 * SPURIOUS_WINDOW);
  });

  test('a later event starts the count again', async () => {
    const sim = new Simulator({ stallEvents: 100 });
    for (let t = 0; t < 5; t++) for (let i = 0; i < 100; i++) sim.at(t, () => {});
    await sim.advance(10);
    expect(sim.eventsRun).toBe(500);
  });

  test('spend() moves the clock, and so starts the count again', async () => {
    const sim = new Simulator({ stallEvents: 100 });
    let steps = 0;
    const step = (): void => {
      if (++steps % 100 === 0) sim.spend(1);
      if (steps < 1_000) sim.defer(step);
    };
    sim.defer(step);
    await sim.runUntilIdle();
    expect(steps).toBe(1_000);
    expect(sim.now()).toBe(10);
  });

  test('a stall leaves the clock at its instant and the next event queued; a caller that fixes the cause may go on', async () => {
    const sim = new Simulator({ stallEvents: 100 });
    let fixed = false;
    let spins = 0;
    const spin = (): void => {
      spins++;
      if (!fixed) sim.defer(spin);
    };
    sim.at(5, spin);
    await stallOf(sim.advance(10));
    expect(sim.now()).toBe(5);
    expect(sim.pending).toBe(1);
    expect(spins).toBe(100);
    fixed = true;
    await sim.advance(10);
    expect(spins).toBe(101);
    expect(sim.now()).toBe(15);
  });

  test('stallEvents must be an integer >= 1, or Infinity to turn the guard off', () => {
    for (const bad of [0, -1, 1.5, NaN]) expect(() => new Simulator({ stallEvents: bad })).toThrow(RangeError);
    expect(() => new Simulator({ stallEvents: 0 })).toThrow(/stallEvents/);
    expect(new Simulator({ stallEvents: Infinity }).stallEvents).toBe(Infinity);
  });
});

describe('stall reporters', () => {
  test('are marked halfway to the bound and described at it, and their text goes into the error', async () => {
    const sim = new Simulator({ stallEvents: 10 });
    const reporter = recordingReporter('the spinner spun.');
    sim.onStall(reporter);
    let events = 0;
    const spin = (): void => {
      if (++events === 6) reporter.calls.push('event 6');
      sim.defer(spin);
    };
    sim.at(3, spin);
    const stall = await stallOf(sim.advance(5));
    expect(reporter.calls).toEqual(['mark', 'event 6', 'describe']);
    expect(reporter.stalls).toEqual([{ timeUs: 3, events: 10, sinceMark: 5 }]);
    expect(stall.reports).toEqual(['the spinner spun.']);
    expect(stall.message).toMatch(/\(the stallEvents bound\)\. the spinner spun\.$/);
  });

  test('an unsubscribed reporter is neither marked nor described', async () => {
    const sim = new Simulator({ stallEvents: 10 });
    const gone = recordingReporter('gone');
    const kept = recordingReporter('kept');
    const unsubscribe = sim.onStall(gone);
    sim.onStall(kept);
    unsubscribe();
    spinForever(sim);
    const stall = await stallOf(sim.advance(0));
    expect(gone.calls).toEqual([]);
    expect(kept.calls).toEqual(['mark', 'describe']);
    expect(stall.reports).toEqual(['kept']);
  });

  test('a reporter that throws is named in the error instead of hiding the stall', async () => {
    const sim = new Simulator({ stallEvents: 10 });
    sim.onStall({
      describe: () => {
        throw new Error('reporter bug');
      },
    });
    spinForever(sim);
    const stall = await stallOf(sim.advance(0));
    expect(stall.reports).toEqual(['(a stall reporter failed in describe: reporter bug)']);
  });

  test('the irq reporter counts what ran during the stall, not since boot', async () => {
    const { sim, core, device } = board(1_000);
    let clearing = true;
    core.requestThreadedIrq(device.irq, null, () => {
      if (clearing) device.asserted = false;
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'button');
    // 100 honest interrupts, each cleared by its thread, the clock moving between them.
    for (let i = 1; i <= 100; i++) sim.at(10 * i, device.raise);
    await sim.advance(2_000);
    expect(core.irqToDesc(device.irq)!.count).toBe(100);
    // Then the thread forgets to clear the device.
    clearing = false;
    sim.at(3_000, device.raise);
    const stall = await stallOf(sim.advance(2_000));
    // At 3,000 µs: the raise, then deliveries and bursts in turn; events 501 to 1,000 hold 250 of each.
    expect(stall.reports).toEqual([
      'irq 1 (button) handled 250 times and thread irq/1-button ran 250 times in the last 500 events ' +
        'at 3,000 µs without virtual time moving: a handler makes no progress (a level device never cleared?).',
    ]);
    expect(core.irqToDesc(device.irq)!.count).toBe(100 + 500);
  });

  test('the irq reporter says so when neither a line nor a thread of its core ran in the stall', async () => {
    const { sim } = board(100);
    spinForever(sim, 7);
    const stall = await stallOf(sim.advance(10));
    expect(stall.reports).toEqual([
      'No irq was handled and no irq thread ran in the last 50 events at 7 µs without virtual time moving: ' +
        "the events are not the irq core's (a timer or device model rescheduling itself at the same time?).",
    ]);
  });
});
