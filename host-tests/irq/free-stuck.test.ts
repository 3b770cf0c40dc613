/*
 * Frees that always finish (issue 13): freeIrq of an action whose thread run never settles. The kernel's
 * free_irq waits for the thread however long it takes; a JavaScript promise can never be killed, so after the
 * watchdog time the run is abandoned, the line is left clean and the free resolves.
 */
import { IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_ONESHOT, IRQF_SHARED, IrqCore, handleLevelIrq, type IrqCoreOptions } from '../../firmware/irq';
import { Simulator } from '../../hal/mock/sim';
import { fakeChip, makeLine, makeLines, type LogEntry } from '../helpers/fake-chip';
import { threadOf } from '../helpers/threads';

type CoreOptions = Omit<IrqCoreOptions, 'platform' | 'log'>;

/** A thread function whose promise never settles, unless the test settles it through `release`. */
function stuckThread() {
  const stuck = { started: 0, release: (_ret: number): void => {} };
  const threadFn = (): Promise<number> => {
    stuck.started++;
    return new Promise<number>((resolve) => (stuck.release = resolve));
  };
  return { stuck, threadFn };
}

/** Follow a promise: whether and when (virtual µs) it settled, and with what. */
function track<T>(sim: Simulator, promise: Promise<T>) {
  const state: { settled: 'no' | 'resolved' | 'rejected'; at: number; value: T | undefined } = { settled: 'no', at: -1, value: undefined };
  promise.then(
    (value) => Object.assign(state, { settled: 'resolved', at: sim.now(), value }),
    () => Object.assign(state, { settled: 'rejected', at: sim.now() }),
  );
  return state;
}

/** A line whose first driver ("old") got stuck in its thread: woken once at time 0, never settling. */
function stuckLine(coreOptions: CoreOptions = {}) {
  const line = makeLine({}, undefined, coreOptions);
  const { stuck, threadFn } = stuckThread();
  line.core.requestThreadedIrq(line.irq, null, threadFn, IRQF_ONESHOT, 'old', 'old');
  line.core.genericHandleIrq(line.irq);
  return { ...line, stuck };
}

type Line = Pick<ReturnType<typeof makeLine>, 'sim' | 'core' | 'irq' | 'desc'>;

/**
 * Events of a device on the line, `gapUs` apart, the way the hardware delivers them: an event reaches the
 * core only while the line is neither masked nor disabled.
 */
async function deliverEvents(line: Line, count: number, gapUs: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const d = line.desc();
    if (!d.masked && !d.disabled) line.core.genericHandleIrq(line.irq);
    await line.sim.advance(gapUs);
  }
}

/** A well-behaved driver: its thread counts the event and claims it. */
function countingDriver(line: Line, name: string, flags = IRQF_ONESHOT) {
  const seen = { events: 0 };
  line.core.requestThreadedIrq(line.irq, null, () => {
    seen.events++;
    return IRQ_HANDLED;
  }, flags, name, name);
  return seen;
}

/**
 * Two lines on one shared thread (irq/shared-0), with a 50 ms watchdog: the action "stuck" on `a`, raised at
 * time 0, is stuck in its run; the action `name` on `b` (it counts its runs in `queued.runs`), raised at 1 ms,
 * is queued behind it.
 */
async function stuckSharedThread(name: string) {
  const lines = makeLines(2, { watchdog: { timeoutUs: 50_000 } });
  const { sim, core, irqs: [a, b] } = lines;
  const { threadFn } = stuckThread();
  const queued = { runs: 0 };
  core.requestIrqSharedThread(a, null, threadFn, IRQF_ONESHOT, 'stuck', 'stuck', 0);
  core.requestIrqSharedThread(b, null, () => (queued.runs++, IRQ_HANDLED), IRQF_ONESHOT, name, name, 0);
  core.genericHandleIrq(a);
  await sim.advance(1_000);
  core.genericHandleIrq(b);
  return { ...lines, a, b, queued };
}

function warnings(logs: LogEntry[]): string[] {
  return logs.filter((l) => l.level === 'warn').map((l) => l.message);
}

describe('freeIrq of an action whose thread is stuck', () => {
  test('resolves within the watchdog time, to the action name', async () => {
    const { sim, core, irq } = stuckLine({ watchdog: { timeoutUs: 50_000 } });
    await sim.advance(10_000);
    const free = track(sim, core.freeIrq(irq, 'old'));
    await sim.advance(50_000);
    expect(free).toMatchObject({ settled: 'resolved', value: 'old' });
    expect(free.at).toBeLessThanOrEqual(10_000 + 50_000);
  });

  test('with the default watchdog (report, 1 s) it resolves one second after the run began', async () => {
    const { sim, core, irq } = stuckLine();
    const free = track(sim, core.freeIrq(irq, 'old'));
    await sim.advance(2_000_000);
    expect(free).toMatchObject({ settled: 'resolved', at: 1_000_000 });
  });

  test('a run the watchdog already reported is abandoned at once', async () => {
    const { sim, core, irq } = stuckLine({ watchdog: { timeoutUs: 50_000 } });
    await sim.advance(200_000);
    const free = track(sim, core.freeIrq(irq, 'old'));
    await sim.advance(0);
    expect(free).toMatchObject({ settled: 'resolved', at: 200_000 });
  });

  test('logs a warning naming the irq, the action and the thread, and how long the run had been sleeping', async () => {
    const { sim, core, logs, irq } = stuckLine({ watchdog: { timeoutUs: 50_000 } });
    await sim.advance(10_000);
    void core.freeIrq(irq, 'old');
    await sim.advance(50_000);
    expect(warnings(logs)).toEqual([
      `irq ${irq}: freeIrq of "old": abandoned the run of irq/${irq}-old after 50000 µs; its promise has not settled (a late result is ignored)`,
    ]);
  });

  test('the stuck thread shows as running and sleeping until the free retires it', async () => {
    const { sim, core, irq } = stuckLine({ watchdog: { timeoutUs: 50_000 } });
    await sim.advance(10_000);
    void core.freeIrq(irq, 'old');
    expect(threadOf(core, `irq/${irq}-old`)).toMatchObject({ state: 'running', sleeping: true });
    await sim.advance(50_000);
    expect(core.irqThreads().map((t) => t.name)).not.toContain(`irq/${irq}-old`);
  });

  test('leaves the line clean: nothing active, no oneshot bit held, and the next request unmasks it at depth 0', async () => {
    const line = stuckLine({ watchdog: { timeoutUs: 50_000 } });
    void line.core.freeIrq(line.irq, 'old');
    await line.sim.advance(50_000);
    expect(line.desc()).toMatchObject({ actions: [], threadsActive: 0, depth: 1, started: false });
    countingDriver(line, 'new');
    expect(line.desc()).toMatchObject({ depth: 0, masked: false, disabled: false, pending: false, threadsActive: 0 });
  });

  test('the next driver requesting the line gets every event: 5 of 5', async () => {
    const line = stuckLine();
    const free = line.core.freeIrq(line.irq, 'old');
    await line.sim.advance(1_000_000);
    await free;
    const seen = countingDriver(line, 'new');
    await deliverEvents(line, 5, 10_000);
    expect(seen.events).toBe(5);
  });

  test('the next driver gets every event even when it requested the line before the free finished', async () => {
    const line = stuckLine({ watchdog: { timeoutUs: 50_000 } });
    void line.core.freeIrq(line.irq, 'old');
    const seen = countingDriver(line, 'new');
    await line.sim.advance(50_000);
    await deliverEvents(line, 5, 10_000);
    expect(seen.events).toBe(5);
    expect(line.desc()).toMatchObject({ depth: 0, masked: false, threadsActive: 0 });
  });

  test('a late settlement of the abandoned promise changes nothing', async () => {
    const line = stuckLine({ watchdog: { timeoutUs: 50_000 } });
    void line.core.freeIrq(line.irq, 'old');
    await line.sim.advance(50_000);
    const seen = countingDriver(line, 'new');
    const before = { desc: { ...line.desc() }, thread: { ...threadOf(line.core, `irq/${line.irq}-new`) }, logs: line.logs.length };
    line.stuck.release(IRQ_WAKE_THREAD);
    await line.sim.runUntilIdle();
    expect({ ...line.desc() }).toEqual(before.desc);
    expect({ ...threadOf(line.core, `irq/${line.irq}-new`) }).toEqual(before.thread);
    expect(line.logs.length).toBe(before.logs);
    await deliverEvents(line, 5, 10_000);
    expect(seen.events).toBe(5);
  });

  test('a stuck run woken again before the free does not run again: the free still resolves within the watchdog time', async () => {
    const line = stuckLine({ watchdog: { timeoutUs: 50_000 } });
    line.core.irqWakeThread(line.irq, 'old');
    const free = track(line.sim, line.core.freeIrq(line.irq, 'old'));
    await line.sim.advance(60_000);
    expect(free.settled).toBe('resolved');
    expect(line.stuck.started).toBe(1);
    expect(line.desc()).toMatchObject({ threadsActive: 0 });
  });

  test('on a shared line, freeing the stuck action leaves the sibling working', async () => {
    const line = makeLine({}, undefined, { watchdog: { timeoutUs: 50_000 } });
    const { core, irq, sim } = line;
    const { threadFn } = stuckThread();
    core.requestThreadedIrq(irq, null, threadFn, IRQF_SHARED | IRQF_ONESHOT, 'stuck', 'stuck');
    const seen = countingDriver(line, 'sibling', IRQF_SHARED | IRQF_ONESHOT);
    core.genericHandleIrq(irq);
    await sim.advance(10_000);
    expect(seen.events).toBe(1);
    expect(line.desc().masked).toBe(true);
    const free = track(sim, core.freeIrq(irq, 'stuck'));
    await sim.advance(50_000);
    expect(free.settled).toBe('resolved');
    await deliverEvents(line, 5, 10_000);
    expect(seen.events).toBe(6);
    expect(line.desc()).toMatchObject({ actions: ['sibling'], depth: 0, disabled: false });
  });

  test('in a shared thread, freeing the stuck action lets the sibling queued behind it run', async () => {
    const { sim, core, a, b, queued: sibling } = await stuckSharedThread('sibling');
    await sim.advance(1_000);
    expect(sibling.runs).toBe(0);
    void core.freeIrq(a, 'stuck');
    await sim.advance(50_000);
    expect(sibling.runs).toBe(1);
    expect(threadOf(core, 'irq/shared-0')).toMatchObject({ state: 'idle', irqs: [b] });
  });

  test('a freed action queued behind another action\'s stuck run in a shared thread is dropped: the free finishes', async () => {
    const { sim, core, logs, a, b, queued } = await stuckSharedThread('queued');
    const free = track(sim, core.freeIrq(b, 'queued'));
    await sim.advance(50_000);
    expect(free).toMatchObject({ settled: 'resolved', at: 50_000 });
    expect(queued.runs).toBe(0);
    expect(core.irqToDesc(b)).toMatchObject({ threadsActive: 0 });
    expect(warnings(logs)).toEqual([
      `irq ${b}: freeIrq of "queued": dropped its run queued in irq/shared-0, which the run of "stuck" (irq ${a}) has held for 50000 µs`,
    ]);
  });

  test('with action disable, freeing the stuck action does not disable the line its sibling still uses', async () => {
    const line = makeLine({}, undefined, { watchdog: { timeoutUs: 50_000, action: 'disable' } });
    const { core, irq, sim } = line;
    const { threadFn } = stuckThread();
    core.requestThreadedIrq(irq, null, threadFn, IRQF_SHARED | IRQF_ONESHOT, 'stuck', 'stuck');
    const seen = countingDriver(line, 'sibling', IRQF_SHARED | IRQF_ONESHOT);
    core.genericHandleIrq(irq);
    await sim.advance(10_000);
    void core.freeIrq(irq, 'stuck');
    await sim.advance(50_000);
    expect(line.desc()).toMatchObject({ depth: 0, disabled: false });
    await deliverEvents(line, 5, 10_000);
    expect(seen.events).toBe(6);
  });
});

describe('freeIrq of a stuck run without a watchdog time', () => {
  test('with the watchdog off (timeoutUs 0) the free still resolves, after the default second', async () => {
    const { sim, core, logs, irq } = stuckLine({ watchdog: { timeoutUs: 0 } });
    const free = track(sim, core.freeIrq(irq, 'old'));
    await sim.advance(2_000_000);
    expect(free).toMatchObject({ settled: 'resolved', at: 1_000_000 });
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    expect(warnings(logs)).toEqual([expect.stringMatching(/abandoned the run of irq\/\d+-old after 1000000 µs/)]);
  });

  test('with the watchdog off a run that settles in time is waited for, as the kernel does', async () => {
    const { sim, core, irq, stuck } = stuckLine({ watchdog: { timeoutUs: 0 } });
    const free = track(sim, core.freeIrq(irq, 'old'));
    sim.after(300, () => stuck.release(IRQ_HANDLED));
    await sim.runUntilIdle();
    expect(free).toMatchObject({ settled: 'resolved', at: 300 });
  });

  test('on a platform without setTimer the run is abandoned at once, with a warning that says why', async () => {
    const sim = new Simulator();
    const logs: LogEntry[] = [];
    const { now, defer, createDeferred } = sim.platform;
    const core = new IrqCore({ platform: { now, defer, createDeferred }, log: (level, message) => logs.push({ level, message }) });
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, fakeChip(), handleLevelIrq);
    const { threadFn } = stuckThread();
    core.requestThreadedIrq(irq, null, threadFn, IRQF_ONESHOT, 'old', 'old');
    core.genericHandleIrq(irq);
    await sim.advance(300);
    const free = track(sim, core.freeIrq(irq, 'old'));
    await sim.advance(0);
    expect(free).toMatchObject({ settled: 'resolved', at: 300 });
    expect(warnings(logs)).toEqual([
      `irq ${irq}: freeIrq of "old": abandoned the run of irq/${irq}-old after 300 µs, at once: the platform has no timer to wait for it (a late result is ignored)`,
    ]);
    const line = { sim, core, irq, desc: () => core.irqToDesc(irq)! };
    const seen = countingDriver(line, 'new');
    await deliverEvents(line, 5, 10_000);
    expect(seen.events).toBe(5);
  });
});
