/*
 * Threaded interrupt handlers: waking, naming, ordering, coalescing, oneshot masking and fault isolation
 * (the kernel's irq_thread, __irq_wake_thread and irq_finalize_oneshot in kernel/irq/manage.c).
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQF_ONESHOT, IRQF_SHARED, handleLevelIrq,
} from '../../firmware/irq';
import { fakeChip, makeCore, makeLine } from '../helpers/fake-chip';
import { sleep, threadOf } from '../helpers/threads';

/** A core with two level lines on one fake chip. */
function twoLines() {
  const { sim, core, logs } = makeCore();
  const chip = fakeChip();
  const a = core.irqAllocDesc();
  const b = core.irqAllocDesc();
  core.irqSetChipAndHandler(a, chip, handleLevelIrq);
  core.irqSetChipAndHandler(b, chip, handleLevelIrq);
  return { sim, core, logs, chip, a, b };
}

const wake = () => IRQ_WAKE_THREAD;

describe('waking a thread', () => {
  test('a primary handler returning IRQ_WAKE_THREAD runs the thread only after the hardirq, not inside it', async () => {
    const { sim, core, irq } = makeLine();
    const dev = {};
    const seen: unknown[] = [];
    core.requestThreadedIrq(irq, wake, (n, d) => (seen.push([n, d]), IRQ_HANDLED), 0, 'dev', dev);
    core.genericHandleIrq(irq);
    expect(seen).toEqual([]);
    expect(threadOf(core, `irq/${irq}-dev`).state).toBe('queued');
    await sim.runUntilIdle();
    expect(seen).toEqual([[irq, dev]]);
    expect(threadOf(core, `irq/${irq}-dev`).runs).toBe(1);
  });

  test('a threaded request creates a thread named irq/N-name at the default priority 50, idle until woken', () => {
    const { core, irq } = makeLine();
    core.requestThreadedIrq(irq, wake, () => IRQ_HANDLED, 0, 'sensor', {});
    expect(core.irqThreads()).toEqual([
      expect.objectContaining({ name: `irq/${irq}-sensor`, irq, priority: 50, state: 'idle', wakeups: 0, runs: 0 }),
    ]);
  });

  test('a threaded request with a null handler and IRQF_ONESHOT gets a default primary that wakes the thread', async () => {
    const { sim, core, irq } = makeLine();
    const fn = jest.fn(() => IRQ_HANDLED);
    core.requestThreadedIrq(irq, null, fn, IRQF_ONESHOT, 'dev', {});
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  test('irqWakeThread wakes the thread of the given devId without any hardirq', async () => {
    const { sim, core, irq, desc } = makeLine();
    const devA = {};
    const devB = {};
    const ranA = jest.fn(() => IRQ_HANDLED);
    const ranB = jest.fn(() => IRQ_HANDLED);
    core.requestThreadedIrq(irq, wake, ranA, IRQF_SHARED, 'a', devA);
    core.requestThreadedIrq(irq, wake, ranB, IRQF_SHARED, 'b', devB);
    core.irqWakeThread(irq, devB);
    await sim.runUntilIdle();
    expect(ranB).toHaveBeenCalledTimes(1);
    expect(ranA).not.toHaveBeenCalled();
    expect(desc().count).toBe(0);
  });
});

describe('scheduling threads', () => {
  test('threads of equal priority run in the order they were woken (FIFO), not by irq number', async () => {
    const { sim, core, a, b } = twoLines();
    const order: string[] = [];
    core.requestThreadedIrq(a, wake, () => (order.push('a'), IRQ_HANDLED), 0, 'a', {});
    core.requestThreadedIrq(b, wake, () => (order.push('b'), IRQ_HANDLED), 0, 'b', {});
    core.genericHandleIrq(b);
    core.genericHandleIrq(a);
    await sim.runUntilIdle();
    core.genericHandleIrq(a);
    core.genericHandleIrq(b);
    await sim.runUntilIdle();
    expect(order).toEqual(['b', 'a', 'a', 'b']);
  });

  test('an async threadFn is running while it awaits and its run time is measured in virtual time', async () => {
    const { sim, core, irq } = makeLine();
    core.requestThreadedIrq(irq, wake, async () => {
      await sleep(sim, 500);
      return IRQ_HANDLED;
    }, 0, 'dev', {});
    core.genericHandleIrq(irq);
    await sim.advance(200);
    expect(threadOf(core, `irq/${irq}-dev`).state).toBe('running');
    await sim.runUntilIdle();
    expect(threadOf(core, `irq/${irq}-dev`)).toMatchObject({ state: 'idle', runs: 1, totalUs: 500, longestUs: 500 });
  });

  test('a thread woken again while its run is already due runs once and counts the extra wakeups as coalesced', async () => {
    const { sim, core, irq } = makeLine();
    const fn = jest.fn(() => IRQ_HANDLED);
    core.requestThreadedIrq(irq, wake, fn, 0, 'dev', {});
    core.genericHandleIrq(irq);
    core.genericHandleIrq(irq);
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(threadOf(core, `irq/${irq}-dev`)).toMatchObject({ wakeups: 1, coalesced: 2, runs: 1 });
  });

  test('a thread woken while its async run is in progress runs once more, after the current run ends', async () => {
    const { sim, core, irq } = makeLine();
    const spans: [number, number][] = [];
    core.requestThreadedIrq(irq, wake, async () => {
      const start = sim.now();
      await sleep(sim, 500);
      spans.push([start, sim.now()]);
      return IRQ_HANDLED;
    }, 0, 'dev', {});
    core.genericHandleIrq(irq);
    sim.after(100, () => core.genericHandleIrq(irq));
    await sim.runUntilIdle();
    expect(spans).toEqual([[0, 500], [500, 1000]]);
    expect(threadOf(core, `irq/${irq}-dev`)).toMatchObject({ wakeups: 2, coalesced: 0, runs: 2 });
  });

  test('several wakeups during one async run add a single extra run', async () => {
    const { sim, core, irq } = makeLine();
    const fn = jest.fn(async () => {
      await sleep(sim, 500);
      return IRQ_HANDLED;
    });
    core.requestThreadedIrq(irq, wake, fn, 0, 'dev', {});
    core.genericHandleIrq(irq);
    sim.after(100, () => core.genericHandleIrq(irq));
    sim.after(200, () => core.genericHandleIrq(irq));
    sim.after(300, () => core.genericHandleIrq(irq));
    await sim.runUntilIdle();
    expect(fn).toHaveBeenCalledTimes(2);
    expect(threadOf(core, `irq/${irq}-dev`)).toMatchObject({ wakeups: 2, coalesced: 2, runs: 2 });
  });
});

describe('IRQF_ONESHOT', () => {
  test('a oneshot level line stays masked from the hardirq until its thread has finished, then is unmasked once', async () => {
    const { sim, core, chip, irq, desc } = makeLine();
    core.requestThreadedIrq(irq, null, async () => {
      await sleep(sim, 500);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'dev', {});
    core.genericHandleIrq(irq);
    expect(desc().masked).toBe(true);
    expect(chip.callsOf('irqMask')).toEqual([irq]);
    await sim.advance(400);
    expect(desc().masked).toBe(true);
    expect(chip.callsOf('irqUnmask')).toEqual([]);
    await sim.runUntilIdle();
    expect(desc().masked).toBe(false);
    expect(chip.callsOf('irqUnmask')).toEqual([irq]);
  });

  test('a level line without IRQF_ONESHOT is unmasked at the end of the hardirq, before its thread runs', async () => {
    const { sim, core, chip, irq, desc } = makeLine();
    const fn = jest.fn(() => IRQ_HANDLED);
    core.requestThreadedIrq(irq, wake, fn, 0, 'dev', {});
    core.genericHandleIrq(irq);
    expect(fn).not.toHaveBeenCalled();
    expect(desc().masked).toBe(false);
    expect(chip.callsOf('irqUnmask')).toEqual([irq]);
    await sim.runUntilIdle();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  test('two oneshot sharers both woken: the line is unmasked only after both threads have finished', async () => {
    const { sim, core, chip, irq, desc } = makeLine();
    core.requestThreadedIrq(irq, null, async () => {
      await sleep(sim, 100);
      return IRQ_HANDLED;
    }, IRQF_SHARED | IRQF_ONESHOT, 'fast', 1);
    core.requestThreadedIrq(irq, null, async () => {
      await sleep(sim, 500);
      return IRQ_HANDLED;
    }, IRQF_SHARED | IRQF_ONESHOT, 'slow', 2);
    core.genericHandleIrq(irq);
    await sim.advance(300);
    expect(threadOf(core, `irq/${irq}-fast`).state).toBe('idle');
    expect(threadOf(core, `irq/${irq}-slow`).state).toBe('running');
    expect(desc().masked).toBe(true);
    expect(chip.callsOf('irqUnmask')).toEqual([]);
    await sim.runUntilIdle();
    expect(desc().masked).toBe(false);
    expect(chip.callsOf('irqUnmask')).toEqual([irq]);
  });

  test('a oneshot sharer whose primary did not wake its thread does not hold the line masked', async () => {
    const { sim, core, chip, irq, desc } = makeLine();
    core.requestThreadedIrq(irq, () => IRQ_NONE, () => IRQ_HANDLED, IRQF_SHARED | IRQF_ONESHOT, 'quiet', 1);
    core.requestThreadedIrq(irq, null, async () => {
      await sleep(sim, 200);
      return IRQ_HANDLED;
    }, IRQF_SHARED | IRQF_ONESHOT, 'busy', 2);
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(threadOf(core, `irq/${irq}-quiet`).runs).toBe(0);
    expect(desc().masked).toBe(false);
    expect(chip.callsOf('irqUnmask')).toEqual([irq]);
  });

  test('a oneshot line stays masked through a run re-requested while the thread was running', async () => {
    const { sim, core, chip, irq, desc } = makeLine();
    const dev = {};
    core.requestThreadedIrq(irq, null, async () => {
      await sleep(sim, 500);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'dev', dev);
    core.genericHandleIrq(irq);
    sim.after(100, () => core.irqWakeThread(irq, dev));
    await sim.advance(700);
    expect(threadOf(core, `irq/${irq}-dev`)).toMatchObject({ state: 'running', runs: 2 });
    expect(desc().masked).toBe(true);
    expect(chip.callsOf('irqUnmask')).toEqual([]);
    await sim.runUntilIdle();
    expect(desc().masked).toBe(false);
    expect(chip.callsOf('irqUnmask')).toEqual([irq]);
  });

  test('a oneshot thread that disables its own line with disableIrqNosync leaves it masked until enableIrq', async () => {
    const { sim, core, chip, irq, desc } = makeLine();
    core.requestThreadedIrq(irq, null, (n) => {
      core.disableIrqNosync(n);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'dev', {});
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(desc()).toMatchObject({ depth: 1, disabled: true, masked: true });
    expect(chip.callsOf('irqUnmask')).toEqual([]);
    core.enableIrq(irq);
    expect(desc()).toMatchObject({ depth: 0, disabled: false, masked: false });
    // The fake chip has irqEnable, which lets the line through in place of irqUnmask.
    expect(chip.callsOf('irqEnable')).toEqual([irq]);
  });
});

describe('shared lines mixing plain and threaded handlers', () => {
  test('a plain handler runs in the hardirq and a threaded sharer runs later, both for one interrupt', async () => {
    const { sim, core, irq, desc } = makeLine();
    const events: string[] = [];
    core.requestIrq(irq, () => (events.push('plain'), IRQ_HANDLED), IRQF_SHARED, 'plain', 1);
    core.requestThreadedIrq(irq, () => (events.push('primary'), IRQ_WAKE_THREAD),
      () => (events.push('thread'), IRQ_HANDLED), IRQF_SHARED, 'threaded', 2);
    core.genericHandleIrq(irq);
    expect(events).toEqual(['plain', 'primary']);
    expect(desc().masked).toBe(false);
    await sim.runUntilIdle();
    expect(events).toEqual(['plain', 'primary', 'thread']);
    expect(desc().unhandled).toBe(0);
  });
});

describe('fault isolation', () => {
  test('a threadFn that throws is logged at error with its thread name and counted in errors', async () => {
    const { sim, core, logs, irq } = makeLine();
    core.requestThreadedIrq(irq, wake, () => {
      throw new Error('bus fault');
    }, 0, 'bad', {});
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    const errors = logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain(`irq/${irq}-bad`);
    expect(errors[0].message).toContain('bus fault');
    expect(threadOf(core, `irq/${irq}-bad`)).toMatchObject({ errors: 1, runs: 1, state: 'idle' });
  });

  test('a threadFn whose promise rejects is logged at error with its thread name and counted in errors', async () => {
    const { sim, core, logs, irq, desc } = makeLine();
    core.requestThreadedIrq(irq, wake, async () => {
      await sleep(sim, 100);
      throw new Error('timeout');
    }, 0, 'bad', {});
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    const errors = logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain(`irq/${irq}-bad`);
    expect(errors[0].message).toContain('timeout');
    expect(threadOf(core, `irq/${irq}-bad`)).toMatchObject({ errors: 1, state: 'idle' });
    expect(desc().threadsActive).toBe(0);
  });

  test('a oneshot line whose thread throws is unmasked anyway', async () => {
    const { sim, core, chip, irq, desc } = makeLine();
    core.requestThreadedIrq(irq, null, () => {
      throw new Error('boom');
    }, IRQF_ONESHOT, 'bad', {});
    core.genericHandleIrq(irq);
    expect(desc().masked).toBe(true);
    await sim.runUntilIdle();
    expect(desc().masked).toBe(false);
    expect(chip.callsOf('irqUnmask')).toEqual([irq]);
  });

  test('other threads keep running after one throws, and the failing thread runs again on its next wakeup', async () => {
    const { sim, core, a, b } = twoLines();
    const bad = jest.fn(() => {
      throw new Error('boom');
    });
    const good = jest.fn(() => IRQ_HANDLED);
    core.requestThreadedIrq(a, wake, bad, 0, 'bad', {});
    core.requestThreadedIrq(b, wake, good, 0, 'good', {});
    core.genericHandleIrq(a);
    core.genericHandleIrq(b);
    await sim.runUntilIdle();
    core.genericHandleIrq(a);
    core.genericHandleIrq(b);
    await sim.runUntilIdle();
    expect(bad).toHaveBeenCalledTimes(2);
    expect(good).toHaveBeenCalledTimes(2);
    expect(threadOf(core, `irq/${a}-bad`).errors).toBe(2);
    expect(threadOf(core, `irq/${b}-good`).errors).toBe(0);
  });
});

describe('thread priority', () => {
  test('the highest priority woken thread runs first, FIFO among equals', async () => {
    const { sim, core } = makeCore();
    const chip = fakeChip();
    const order: string[] = [];
    const lines = ['low', 'high', 'mid-a', 'mid-b'].map((name) => {
      const irq = core.irqAllocDesc();
      core.irqSetChipAndHandler(irq, chip, handleLevelIrq);
      core.requestThreadedIrq(irq, null, () => (order.push(name), IRQ_HANDLED), IRQF_ONESHOT, name, name);
      return irq;
    });
    core.irqSetThreadPriority(lines[0], 'low', 10);
    core.irqSetThreadPriority(lines[1], 'high', 90);
    for (const irq of lines) core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(order).toEqual(['high', 'mid-a', 'mid-b', 'low']);
  });

  test('a priority outside 1..99 is EINVAL', () => {
    const { core, irq } = makeLine();
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'dev', 1);
    expect(() => core.irqSetThreadPriority(irq, 1, 100)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(core.irqThreads()[0].priority).toBe(50);
  });
});

test('a threadFn that forgets to return is counted every run and logged once', async () => {
  const { sim, core, irq, logs } = makeLine();
  core.requestThreadedIrq(irq, null, (() => undefined) as never, IRQF_ONESHOT, 'forgetful', 1);
  core.genericHandleIrq(irq);
  await sim.runUntilIdle();
  core.genericHandleIrq(irq);
  await sim.runUntilIdle();
  expect(core.irqThreads()[0].errors).toBe(2);
  expect(logs.filter((l) => /returned bogus value undefined/.test(l.message))).toHaveLength(1);
});
