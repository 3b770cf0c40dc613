/*
 * The decisions the core takes by itself, as structured events (core.onIrqEvent, firmware/irq/events.ts): each
 * kind emitted once with its figures, beside the log message people read; unsubscribing; a listener that throws.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQF_ONESHOT, IRQF_TRIGGER_HIGH, IrqCore, SPURIOUS_WINDOW, handleLevelIrq,
  type IrqCoreEvent,
} from '../../firmware/irq';
import { Simulator } from '../../hal/mock/sim';
import { fakeChip, makeLine, makeLines, type LogEntry } from '../helpers/fake-chip';

/** Long loops of interrupts (100,000 round trips) need more than jest's default 5 s. */
const SLOW = 60_000;

/** Every event the core emits, with the virtual time the listener saw it at. */
function listen(core: IrqCore, sim: Simulator) {
  const seen: { event: IrqCoreEvent; at: number }[] = [];
  const unsubscribe = core.onIrqEvent((event) => seen.push({ event, at: sim.now() }));
  return { seen, events: () => seen.map((s) => s.event), unsubscribe };
}

function fire(core: IrqCore, irq: number, n: number): void {
  for (let i = 0; i < n; i++) core.genericHandleIrq(irq);
}

/** A thread function whose promise never settles. */
const never = (): Promise<number> => new Promise<number>(() => {});

/**
 * A line whose handler claims every interrupt and takes `handlerUs` of CPU: fired back to back until the storm
 * detector polls it (the fake chip's line is masked then, so the hardware would deliver no more).
 */
function stormLine(handlerUs = 100) {
  const line = makeLine();
  const { sim, core, irq } = line;
  core.requestIrq(irq, () => (sim.spend(handlerUs), IRQ_HANDLED), 0, 'storm', 'dev');
  const storm = () => {
    for (let i = 0; i < 10_000 && !line.desc().polled; i++) core.genericHandleIrq(irq);
  };
  return { ...line, storm };
}

/** A line whose oneshot thread always throws, on a core with `threadRetries`. */
function failingLine(threadRetries: number) {
  const line = makeLine({}, undefined, { threadRetries });
  line.core.requestThreadedIrq(line.irq, null, () => {
    throw new Error('device gone');
  }, IRQF_ONESHOT | IRQF_TRIGGER_HIGH, 'sensor', 's');
  return line;
}

/** Raise the line and let its thread run, `n` times. */
async function raiseAndRun(line: { sim: Simulator; core: IrqCore; irq: number }, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    line.core.genericHandleIrq(line.irq);
    await line.sim.runUntilIdle();
  }
}

describe('spurious-disable', () => {
  test('a line nobody claims: one event with the window\'s figures and the handlers, when the line is disabled', () => {
    const { sim, core, irq, desc } = makeLine();
    const { seen } = listen(core, sim);
    let disabledAtEvent: boolean | undefined;
    core.onIrqEvent(() => (disabledAtEvent = desc().disabled));
    core.requestIrq(irq, () => IRQ_NONE, 0, 'deaf', 1);
    fire(core, irq, SPURIOUS_WINDOW - 1);
    expect(seen).toEqual([]);
    fire(core, irq, 1 + 1000);
    expect(seen).toEqual([{
      event: { kind: 'spurious-disable', irq, time: sim.now(), unhandled: SPURIOUS_WINDOW, interrupts: SPURIOUS_WINDOW, actions: ['deaf'], missingOneshot: [] },
      at: sim.now(),
    }]);
    expect(disabledAtEvent).toBe(true);
  }, SLOW);

  test('a threaded level line without IRQF_ONESHOT: the event names the action that lacks it', () => {
    const { sim, core, irq } = makeLine();
    const { events } = listen(core, sim);
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, () => IRQ_HANDLED, IRQF_TRIGGER_HIGH, 'sensor', 1);
    fire(core, irq, SPURIOUS_WINDOW + 1);
    expect(events()).toMatchObject([{ kind: 'spurious-disable', irq, actions: ['sensor'], missingOneshot: ['sensor'] }]);
  }, SLOW);

  test('the log message is written as before, beside the event', () => {
    const { sim, core, logs, irq } = makeLine();
    listen(core, sim);
    core.requestIrq(irq, () => IRQ_NONE, 0, 'deaf', 1);
    fire(core, irq, SPURIOUS_WINDOW);
    expect(logs).toEqual([{
      level: 'error',
      message: `irq ${irq}: nobody cared (${SPURIOUS_WINDOW} of the last ${SPURIOUS_WINDOW} interrupts unhandled); handlers: "deaf". Disabling IRQ #${irq}`,
    }]);
  }, SLOW);
});

describe('thread-disable', () => {
  test('a thread that fails threadRetries runs in a row: one event naming the thread, the action, the count and the error', async () => {
    const line = failingLine(3);
    const { sim, core, irq } = line;
    const { seen } = listen(core, sim);
    await raiseAndRun(line, 2);
    expect(seen).toEqual([]);
    await raiseAndRun(line, 5);
    expect(seen).toHaveLength(1);
    expect(seen[0].event).toEqual({
      kind: 'thread-disable', irq, time: seen[0].at, thread: `irq/${irq}-sensor`, action: 'sensor', failures: 3, error: 'Error: device gone',
    });
    expect(line.desc()).toMatchObject({ disabled: true, failDisabled: true });
  });

  test('a listener may enable the line again at once; the line then runs on', async () => {
    const line = failingLine(2);
    const { core } = line;
    let enabled = 0;
    core.onIrqEvent((event) => {
      if (event.kind === 'thread-disable') {
        enabled++;
        core.enableIrq(event.irq);
      }
    });
    await raiseAndRun(line, 4);
    expect(enabled).toBe(2);
    expect(line.desc()).toMatchObject({ disabled: false, depth: 0, failDisabled: false });
  });
});

describe('storm-poll and storm-resume', () => {
  test('a line over its CPU budget: one storm-poll event with the budget, the CPU it took and the poll period', () => {
    const { sim, core, irq, storm } = stormLine();
    const { seen } = listen(core, sim);
    storm();
    expect(seen).toHaveLength(1);
    const { event, at } = seen[0];
    expect(event).toEqual({
      kind: 'storm-poll', irq, time: at, actions: ['storm'], cpuUs: expect.any(Number), cpuPercent: 50, windowUs: 100_000, pollUs: 1000,
      stormSwitches: 1,
    });
    expect(event.kind === 'storm-poll' && event.cpuUs).toBeGreaterThan(50_000);
  });

  test('a polled line that calms down: one storm-resume event with the window\'s polls', async () => {
    const { sim, core, irq, desc, storm } = stormLine();
    storm();
    const { seen } = listen(core, sim);
    await sim.advance(99_000);
    expect(seen).toEqual([]);
    await sim.advance(2_000);
    expect(seen).toHaveLength(1);
    expect(seen[0].event).toEqual({ kind: 'storm-resume', irq, time: seen[0].at, reason: 'calm', polls: 100, hits: 0, polledInterrupts: 0 });
    expect(desc().polled).toBe(false);
    await sim.advance(1_000_000);
    expect(seen).toHaveLength(1);
  });

  test('a polled line whose last action is freed goes back to interrupts with reason no-action', async () => {
    const { sim, core, irq, desc, storm } = stormLine();
    storm();
    const { events } = listen(core, sim);
    // Busy: an interrupt at every poll for 60 of the window's 100 polls, then the action is freed.
    for (let i = 0; i < 60; i++) {
      await sim.advance(1_000);
      if (!desc().masked) core.genericHandleIrq(irq);
    }
    void core.freeIrq(irq, 'dev');
    await sim.advance(50_000);
    expect(events()).toEqual([{ kind: 'storm-resume', irq, time: expect.any(Number), reason: 'no-action', polls: 100, hits: 60, polledInterrupts: 60 }]);
  });

  test('on a platform without setTimer the storm is reported once as storm-unpolled, and the line stays in interrupt mode', () => {
    const sim = new Simulator();
    const logs: LogEntry[] = [];
    const core = new IrqCore({ platform: { now: () => sim.now(), defer: (cb) => sim.defer(cb) }, log: (level, message) => logs.push({ level, message }) });
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, fakeChip(), handleLevelIrq);
    core.requestIrq(irq, () => (sim.spend(100), IRQ_HANDLED), 0, 'storm', 'dev');
    const { seen } = listen(core, sim);
    fire(core, irq, 2_000);
    expect(seen).toHaveLength(1);
    expect(seen[0].event).toEqual({
      kind: 'storm-unpolled', irq, time: seen[0].at, actions: ['storm'], cpuUs: expect.any(Number), cpuPercent: 50, windowUs: 100_000,
    });
    expect(core.irqToDesc(irq)!.polled).toBe(false);
  });
});

describe('watchdog-stuck', () => {
  test('action report: one event with the thread, the action, how long it slept and the timeout; the line stays enabled', async () => {
    const { sim, core, irq, desc } = makeLine({}, undefined, { watchdog: { timeoutUs: 50_000 } });
    const { seen } = listen(core, sim);
    core.requestThreadedIrq(irq, null, never, IRQF_ONESHOT, 'sensor', 's');
    core.genericHandleIrq(irq);
    await sim.advance(49_000);
    expect(seen).toEqual([]);
    await sim.advance(1_000_000);
    expect(seen).toEqual([{
      event: { kind: 'watchdog-stuck', irq, time: 50_000, thread: `irq/${irq}-sensor`, action: 'sensor', sleptUs: 50_000, timeoutUs: 50_000, disabled: false },
      at: 50_000,
    }]);
    expect(desc().disabled).toBe(false);
  });

  test('action disable: the event says disabled, and the line is disabled and the run abandoned when it arrives', async () => {
    const { sim, core, irq, desc } = makeLine({}, undefined, { watchdog: { timeoutUs: 10_000, action: 'disable' } });
    let state: object | undefined;
    core.onIrqEvent(() => (state = { ...desc() }));
    const { events } = listen(core, sim);
    core.requestThreadedIrq(irq, null, never, IRQF_ONESHOT, 'sensor', 's');
    core.genericHandleIrq(irq);
    await sim.advance(100_000);
    expect(events()).toMatchObject([{ kind: 'watchdog-stuck', irq, action: 'sensor', sleptUs: 10_000, timeoutUs: 10_000, disabled: true }]);
    expect(state).toMatchObject({ disabled: true, depth: 1, threadsActive: 0 });
  });
  test('a listener may free the stuck line from the event; the free finishes after the free time', async () => {
    const { sim, core, irq, desc } = makeLine({}, undefined, { watchdog: { timeoutUs: 10_000 } });
    let freed: Promise<string | undefined> | undefined;
    core.onIrqEvent((event) => {
      if (event.kind === 'watchdog-stuck') freed = core.freeIrq(event.irq, 's');
    });
    const { events } = listen(core, sim);
    core.requestThreadedIrq(irq, null, never, IRQF_ONESHOT, 'sensor', 's');
    core.genericHandleIrq(irq);
    await sim.advance(100_000);
    await expect(freed).resolves.toBe('sensor');
    expect(events().map((e) => e.kind)).toEqual(['watchdog-stuck', 'free-abandon']);
    expect(desc()).toMatchObject({ actions: [], threadsActive: 0 });
  });
});

describe('free-abandon and free-drop', () => {
  test('freeIrq of an action whose run never settles: one free-abandon event after the watchdog time', async () => {
    const { sim, core, irq } = makeLine({}, undefined, { watchdog: { timeoutUs: 50_000 } });
    const { events } = listen(core, sim);
    core.requestThreadedIrq(irq, null, never, IRQF_ONESHOT, 'old', 'old');
    core.genericHandleIrq(irq);
    await sim.advance(10_000);
    const freed = core.freeIrq(irq, 'old');
    await sim.advance(100_000);
    await expect(freed).resolves.toBe('old');
    expect(events()).toEqual([{ kind: 'free-abandon', irq, time: 50_000, thread: `irq/${irq}-old`, action: 'old', sleptUs: 50_000, noTimer: false }]);
  });

  test('a freed action\'s run queued in a shared thread behind a stuck run: a free-drop event naming the holder', async () => {
    const { sim, core, irqs: [a, b] } = makeLines(2, { watchdog: { timeoutUs: 50_000 } });
    const { events } = listen(core, sim);
    core.requestIrqSharedThread(a, null, never, IRQF_ONESHOT, 'stuck', 'stuck', 0);
    core.requestIrqSharedThread(b, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'queued', 'queued', 0);
    core.genericHandleIrq(a);
    await sim.advance(1_000);
    core.genericHandleIrq(b);
    const freed = core.freeIrq(b, 'queued');
    await sim.advance(100_000);
    await expect(freed).resolves.toBe('queued');
    expect(events().filter((e) => e.kind === 'free-drop')).toEqual([{
      kind: 'free-drop', irq: b, time: 50_000, thread: 'irq/shared-0', action: 'queued', holder: 'stuck', holderIrq: a, heldUs: 50_000, noTimer: false,
    }]);
    // The run that holds the thread is reported as stuck first.
    expect(events().map((e) => e.kind)).toEqual(['watchdog-stuck', 'free-drop']);
  });
});

describe('listeners', () => {
  test('an event is a frozen plain object that JSON.stringify accepts', async () => {
    const { sim, core, irq } = makeLine({}, undefined, { watchdog: { timeoutUs: 10_000 } });
    const { events } = listen(core, sim);
    core.requestThreadedIrq(irq, null, never, IRQF_ONESHOT, 'sensor', 's');
    core.genericHandleIrq(irq);
    await sim.advance(20_000);
    const [event] = events();
    expect(Object.isFrozen(event)).toBe(true);
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
    expect(() => {
      'use strict';
      (event as { irq: number }).irq = 99;
    }).toThrow(TypeError);
  });

  test('the arrays of an event are frozen too', () => {
    const { sim, core, storm } = stormLine();
    const { events } = listen(core, sim);
    storm();
    const [event] = events();
    expect(event.kind).toBe('storm-poll');
    expect(event.kind === 'storm-poll' && Object.isFrozen(event.actions)).toBe(true);
  });

  test('unsubscribe stops the listener; the others still get the events', async () => {
    const line = failingLine(1);
    const { sim, core } = line;
    const first = listen(core, sim);
    const second = listen(core, sim);
    await raiseAndRun(line, 1);
    first.unsubscribe();
    first.unsubscribe(); // a second call does nothing
    core.enableIrq(line.irq);
    await raiseAndRun(line, 1);
    expect(first.events().map((e) => e.kind)).toEqual(['thread-disable']);
    expect(second.events().map((e) => e.kind)).toEqual(['thread-disable', 'thread-disable']);
  });

  test('a listener that throws is logged once as a warning naming the event kind; the others get the event, and the core goes on', async () => {
    const line = failingLine(1);
    const { sim, core, logs, irq } = line;
    core.onIrqEvent(() => {
      throw new Error('listener bug');
    });
    const after = listen(core, sim);
    await raiseAndRun(line, 1);
    core.enableIrq(irq);
    await raiseAndRun(line, 1);
    expect(after.events().map((e) => e.kind)).toEqual(['thread-disable', 'thread-disable']);
    const warnings = logs.filter((l) => l.level === 'warn');
    expect(warnings).toEqual([{ level: 'warn', message: `irq ${irq}: an onIrqEvent listener threw on "thread-disable": Error: listener bug (its later throws are not logged)` }]);
    expect(line.desc()).toMatchObject({ disabled: true, failDisabled: true });
  });

  test('a listener that is not a function is EINVAL', () => {
    const { core } = makeLine();
    expect(() => core.onIrqEvent(42 as unknown as () => void)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
