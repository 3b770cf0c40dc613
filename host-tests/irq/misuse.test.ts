/*
 * Every misuse answered: one test per row of the README's misuse table. Each checks the error code or the
 * warning, and that the line's state is what it was before (or, for warnings, what the table says).
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_WAKE_THREAD, IRQF_NO_AUTOEN, IRQF_ONESHOT,
  IRQF_SHARED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_RISING, handleSimpleIrq,
  irqDefaultPrimaryHandler, type IrqCore, type IrqErrorCode,
} from '../../firmware/irq';
import { fakeChip, makeCore, makeLine, makeLines, type LogEntry } from '../helpers/fake-chip';
import { expectIrqError } from '../helpers/irq-error';

/** What a line looks like from outside: compared before and after a refused call. */
function snapshot(core: IrqCore, irq: number) {
  const d = core.irqToDesc(irq);
  return {
    desc: d && {
      depth: d.depth, disabled: d.disabled, masked: d.masked, pending: d.pending, actions: d.actions,
      triggerType: d.triggerType, wakeDepth: d.wakeDepth, threadsActive: d.threadsActive, count: d.count, started: d.started,
    },
    threads: core.irqThreads().map((t) => `${t.name}:${t.state}`),
  };
}

/** Refused: throws IrqError `code` and leaves the line as it was. */
function refused(core: IrqCore, irq: number, fn: () => unknown, code: IrqErrorCode, message?: RegExp): void {
  const before = snapshot(core, irq);
  expectIrqError(fn, code, message);
  expect(snapshot(core, irq)).toEqual(before);
}

function warned(logs: LogEntry[], message: RegExp): void {
  expect(logs.some((l) => l.level === 'warn' && message.test(l.message))).toBe(true);
}

const handled = () => IRQ_HANDLED;

describe('every misuse answered', () => {
  test('an irq number nobody allocated: EINVAL from every call, -EINVAL and an ERR count from genericHandleIrq', async () => {
    const { core } = makeCore();
    expectIrqError(() => core.requestIrq(7, handled, 0, 'x'), 'EINVAL', /irq 7 is not allocated/);
    expectIrqError(() => core.enableIrq(7), 'EINVAL');
    await expect(core.freeIrq(7)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(core.synchronizeIrq(7)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(core.genericHandleIrq(7)).toBe(-22);
    expect(core.procInterrupts()).toMatch(/ERR:\s+1/);
  });

  test('an irq passed as a string: EINVAL saying it must be an integer, not the string (not "not allocated")', async () => {
    const { core, irqs } = makeLines(4);
    expect(irqs[3]).toBe(4);
    const four = '4' as unknown as number;
    refused(core, 4, () => core.requestIrq(four, handled, 0, 'x'), 'EINVAL', /irq must be a number \(an integer\), not the string "4"/);
    await expect(core.freeIrq(four)).rejects.toMatchObject({ code: 'EINVAL', message: expect.not.stringMatching(/not allocated/) });
  });

  test('unknown flag bits: EINVAL naming them', () => {
    const { core, irq } = makeLine();
    refused(core, irq, () => core.requestIrq(irq, handled, 0x40000000, 'x'), 'EINVAL', /unknown flags 0x40000000/);
  });

  test('flags passed as a string: EINVAL saying flags are a number of IRQF_* bits, showing what was passed', () => {
    const { core, irq } = makeLine();
    const flags = 'IRQF_SHARED' as unknown as number;
    refused(core, irq, () => core.requestIrq(irq, handled, flags, 'x', 1), 'EINVAL', /flags must be a number made of IRQF_\* bits .*not the string "IRQF_SHARED"/);
  });

  test('two trigger types at once: EINVAL', () => {
    const { core, irq } = makeLine();
    refused(core, irq, () => core.requestIrq(irq, handled, IRQF_TRIGGER_RISING | 0x4, 'x'), 'EINVAL', /not one trigger type/);
  });

  test('IRQF_SHARED without a devId: EINVAL', () => {
    const { core, irq } = makeLine();
    refused(core, irq, () => core.requestIrq(irq, handled, IRQF_SHARED, 'x'), 'EINVAL', /needs a devId/);
  });

  test('IRQF_SHARED with IRQF_NO_AUTOEN: EINVAL', () => {
    const { core, irq } = makeLine();
    refused(core, irq, () => core.requestIrq(irq, handled, IRQF_SHARED | IRQF_NO_AUTOEN, 'x', 1), 'EINVAL', /IRQF_NO_AUTOEN cannot be used with IRQF_SHARED/);
  });

  test('a threaded request with no primary handler and no IRQF_ONESHOT: EINVAL', () => {
    const { core, irq } = makeLine();
    refused(core, irq, () => core.requestThreadedIrq(irq, null, handled, 0, 'x', 1), 'EINVAL', /handler=NULL and !ONESHOT/);
    // __setup_irq compares with irq_default_primary_handler: passing it is passing none.
    refused(core, irq, () => core.requestThreadedIrq(irq, irqDefaultPrimaryHandler, handled, 0, 'x', 1), 'EINVAL', /handler=NULL and !ONESHOT/);
  });

  test('neither a handler nor a threadFn, or one that is not a function: EINVAL', () => {
    const { core, irq } = makeLine();
    refused(core, irq, () => core.requestThreadedIrq(irq, null, null, IRQF_ONESHOT, 'x', 1), 'EINVAL', /neither a handler nor a threadFn/);
    refused(core, irq, () => core.requestIrq(irq, 42 as unknown as () => number, 0, 'x', 1), 'EINVAL', /must be functions or null/);
  });

  test('a request on a line that is already taken and not shared by both: EBUSY', () => {
    const { core, irq } = makeLine();
    core.requestIrq(irq, handled, 0, 'first', 1);
    refused(core, irq, () => core.requestIrq(irq, handled, IRQF_SHARED, 'second', 2), 'EBUSY', /already requested by "first"/);
  });

  test('sharers that disagree on the trigger type or on IRQF_ONESHOT, or reuse a devId: EBUSY', () => {
    const { core, irq } = makeLine();
    core.requestThreadedIrq(irq, null, handled, IRQF_SHARED | IRQF_ONESHOT | IRQF_TRIGGER_RISING, 'a', 1);
    refused(core, irq, () => core.requestThreadedIrq(irq, null, handled, IRQF_SHARED | IRQF_ONESHOT | IRQF_TRIGGER_FALLING, 'b', 2), 'EBUSY', /disagree on the trigger type/);
    refused(core, irq, () => core.requestIrq(irq, handled, IRQF_SHARED | IRQF_TRIGGER_RISING, 'b', 2), 'EBUSY', /disagree on IRQF_ONESHOT/);
    refused(core, irq, () => core.requestThreadedIrq(irq, null, handled, IRQF_SHARED | IRQF_ONESHOT | IRQF_TRIGGER_RISING, 'b', 1), 'EBUSY', /already registered/);
  });

  test('a line without an irq_chip: ENOSYS', () => {
    const { core } = makeCore();
    const irq = core.irqAllocDesc();
    refused(core, irq, () => core.requestIrq(irq, handled, 0, 'x'), 'ENOSYS', /has no irq_chip/);
  });

  test('a request on a chained parent: EINVAL', () => {
    const { core, irq } = makeLine();
    core.irqSetChainedHandlerAndData(irq, () => {}, null);
    refused(core, irq, () => core.requestIrq(irq, handled, 0, 'x'), 'EINVAL', /parent of a chained handler/);
  });

  test('a request from inside a primary handler (hardirq context): EINVAL', () => {
    const { core, chip, irq } = makeLine();
    const other = core.irqAllocDesc();
    core.irqSetChipAndHandler(other, chip, handleSimpleIrq);
    let caught: unknown;
    core.requestIrq(irq, () => {
      try {
        core.requestIrq(other, handled, 0, 'late');
      } catch (err) {
        caught = err;
      }
      return IRQ_HANDLED;
    }, 0, 'dev', 1);
    core.genericHandleIrq(irq);
    expect(caught).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/from hardirq context/) });
    expect(core.irqToDesc(other)!.actions).toEqual([]);
  });

  test('a double free: warns "Trying to free already-free IRQ N" and resolves undefined', async () => {
    const { core, logs, irq } = makeLine();
    core.requestIrq(irq, handled, 0, 'dev', 1);
    await core.freeIrq(irq, 1);
    const before = snapshot(core, irq);
    await expect(core.freeIrq(irq, 1)).resolves.toBeUndefined();
    warned(logs, new RegExp(`Trying to free already-free IRQ ${irq}`));
    expect(snapshot(core, irq)).toEqual(before);
  });

  test('a free with a devId no action of the line has: warns naming the actions, resolves undefined', async () => {
    const { core, logs, irq } = makeLine();
    core.requestIrq(irq, handled, IRQF_SHARED, 'uart', { port: 1 });
    core.requestIrq(irq, handled, IRQF_SHARED, 'spi-flash', { port: 2 });
    const before = snapshot(core, irq);
    // An equal-looking object is not the devId the action was requested with.
    await expect(core.freeIrq(irq, { port: 1 })).resolves.toBeUndefined();
    warned(logs, new RegExp(`No action of irq ${irq} has that dev_id \\(its actions: "uart", "spi-flash"\\)`));
    expect(logs.some((l) => /already-free/.test(l.message))).toBe(false);
    expect(snapshot(core, irq)).toEqual(before);
  });

  test('a free from inside the line\'s own primary handler: EDEADLK, nothing freed', async () => {
    const { core, irq } = makeLine();
    let result: Promise<unknown> | undefined;
    core.requestIrq(irq, () => {
      result = core.freeIrq(irq, 1);
      return IRQ_HANDLED;
    }, 0, 'dev', 1);
    core.genericHandleIrq(irq);
    await expect(result).rejects.toMatchObject({ code: 'EDEADLK' });
    expect(core.irqToDesc(irq)!.actions).toEqual(['dev']);
  });

  test('a free from inside the line\'s own thread: EDEADLK, nothing freed', async () => {
    const { sim, core, irq } = makeLine();
    let result: Promise<unknown> | undefined;
    core.requestThreadedIrq(irq, null, () => {
      result = core.freeIrq(irq, 1).catch((err: unknown) => err);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'dev', 1);
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    await expect(result).resolves.toMatchObject({ code: 'EDEADLK' });
    expect(core.irqToDesc(irq)!.actions).toEqual(['dev']);
  });

  test('disableIrq or synchronizeIrq from the line\'s own thread: EDEADLK, depth unchanged', async () => {
    const { sim, core, irq } = makeLine();
    const results: Promise<unknown>[] = [];
    core.requestThreadedIrq(irq, null, () => {
      results.push(core.disableIrq(irq).catch((err: unknown) => err), core.synchronizeIrq(irq).catch((err: unknown) => err));
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'dev', 1);
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    for (const r of results) await expect(r).resolves.toMatchObject({ code: 'EDEADLK' });
    expect(core.irqToDesc(irq)!.depth).toBe(0);
  });

  test('an enable without a disable: warns "Unbalanced enable for IRQ N", depth stays 0', () => {
    const { core, logs, irq } = makeLine();
    core.requestIrq(irq, handled, 0, 'dev', 1);
    const before = snapshot(core, irq);
    core.enableIrq(irq);
    warned(logs, new RegExp(`Unbalanced enable for IRQ ${irq}`));
    expect(snapshot(core, irq)).toEqual(before);
  });

  test('a wake disable without a wake enable: warns, wake depth stays 0', () => {
    const { core, logs, irq } = makeLine();
    core.irqSetIrqWake(irq, false);
    warned(logs, new RegExp(`Unbalanced IRQ ${irq} wake disable`));
    expect(core.irqToDesc(irq)!.wakeDepth).toBe(0);
  });

  test('a type change on a shared line: done, with a warning naming the sharers', () => {
    const { core, logs, irq } = makeLine();
    core.requestIrq(irq, handled, IRQF_SHARED | IRQF_TRIGGER_RISING, 'a', 1);
    core.requestIrq(irq, handled, IRQF_SHARED | IRQF_TRIGGER_RISING, 'b', 2);
    core.irqSetIrqType(irq, IRQ_TYPE_LEVEL_HIGH);
    warned(logs, /trigger type changed to level-high on a line shared by a, b/);
    expect(core.irqToDesc(irq)!.triggerType).toBe(IRQ_TYPE_LEVEL_HIGH);
  });

  test('a trigger type that is not one: EINVAL; a chip that cannot set types: ENOSYS', () => {
    const { core, irq } = makeLine();
    refused(core, irq, () => core.irqSetIrqType(irq, 0x3f), 'EINVAL', /is not a trigger type/);
    const bare = makeLine({ without: ['irqSetType', 'irqSetWake'] });
    refused(bare.core, bare.irq, () => bare.core.irqSetIrqType(bare.irq, IRQ_TYPE_EDGE_RISING), 'ENOSYS', /cannot change the trigger type/);
    refused(bare.core, bare.irq, () => bare.core.irqSetIrqWake(bare.irq, true), 'ENOSYS', /cannot wake the system/);
  });

  test('a nested line requested without a threadFn: EINVAL', () => {
    const { core, irq } = makeLine();
    core.irqSetNestedThread(irq, true);
    refused(core, irq, () => core.requestIrq(irq, handled, 0, 'pin', 1), 'EINVAL', /nested thread line/);
  });

  test('handleNestedIrq on a line that is not nested: EINVAL', () => {
    const { core, irq } = makeLine();
    core.requestIrq(irq, handled, 0, 'dev', 1);
    refused(core, irq, () => core.handleNestedIrq(irq), 'EINVAL', /not nested/);
  });

  test('a thread priority outside 1..99, a shared thread number or CPU that does not exist: EINVAL', () => {
    const { core, irq } = makeLine();
    core.requestThreadedIrq(irq, null, handled, IRQF_ONESHOT, 'dev', 1);
    refused(core, irq, () => core.irqSetThreadPriority(irq, 1, 100), 'EINVAL', /outside 1\.\.99/);
    refused(core, irq, () => core.irqSetAffinity(irq, 1), 'EINVAL', /CPU 1 is outside 0\.\.0/);
    expectIrqError(() => core.irqSetSharedThreadPriority(10, 50), 'EINVAL', /shared thread 10 is outside/);
  });

  test('freeing a descriptor that still has actions: EBUSY', () => {
    const { core, irq } = makeLine();
    core.requestIrq(irq, handled, 0, 'dev', 1);
    refused(core, irq, () => core.irqFreeDesc(irq), 'EBUSY', /still has actions/);
  });

  test('a primary handler that returns IRQ_WAKE_THREAD without a thread: warned once, counted', () => {
    const { core, logs, irq } = makeLine();
    core.requestIrq(irq, () => IRQ_WAKE_THREAD, 0, 'dev', 1);
    core.genericHandleIrq(irq);
    core.genericHandleIrq(irq);
    expect(logs.filter((l) => /returned IRQ_WAKE_THREAD but no thread function/.test(l.message))).toHaveLength(1);
    expect(core.irqToDesc(irq)!.errors).toBe(2);
  });

  test('a primary handler that throws or returns a Promise: logged once, counted in errors, counted as unhandled', () => {
    const { core, logs, irq } = makeLine();
    core.requestIrq(irq, () => {
      throw new Error('boom');
    }, IRQF_SHARED, 'thrower', 1);
    core.requestIrq(irq, (() => Promise.resolve(IRQ_HANDLED)) as unknown as () => number, IRQF_SHARED, 'async', 2);
    core.genericHandleIrq(irq);
    core.genericHandleIrq(irq);
    expect(logs.filter((l) => l.level === 'error')).toHaveLength(2);
    expect(core.irqToDesc(irq)).toMatchObject({ errors: 4, unhandledTotal: 2 });
  });

  test('an enable before the line has a chip: warned, nothing changes', () => {
    const { core, logs } = makeCore();
    const irq = core.irqAllocDesc();
    const before = snapshot(core, irq);
    core.enableIrq(irq);
    warned(logs, new RegExp(`enable_irq before setup/request_irq: irq ${irq}`));
    expect(snapshot(core, irq)).toEqual(before);
  });

  test('a chip operation that throws in hardirq context: logged once, counted, not thrown to the HAL', () => {
    const { core, logs } = makeCore();
    const chip = fakeChip();
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, { ...chip, irqMask: () => { throw new Error('bus fault'); } }, (desc) => {
      desc.irqData.chip!.irqMask!(desc.irqData);
    });
    expect(core.genericHandleIrq(irq)).toBe(0);
    expect(core.genericHandleIrq(irq)).toBe(0);
    expect(core.irqToDesc(irq)!.errors).toBe(2);
    expect(logs.filter((l) => /flow handler failed: bus fault/.test(l.message))).toHaveLength(1);
  });

  test('a handler that never claims its level line: disabled by the spurious detector, reason logged', () => {
    const { core, logs, irq } = makeLine();
    core.requestIrq(irq, () => IRQ_NONE, 0, 'deaf', 1);
    for (let i = 0; i < 100_000; i++) core.genericHandleIrq(irq);
    expect(core.irqToDesc(irq)).toMatchObject({ spuriousDisabled: true, disabled: true });
    expect(logs.some((l) => l.level === 'error' && /nobody cared/.test(l.message))).toBe(true);
    expect(logs.some((l) => /IRQF_ONESHOT/.test(l.message))).toBe(false);
  });

  test('a threaded level line without IRQF_ONESHOT: warned at request, and "nobody cared" names the missing flag', () => {
    const { core, logs, irq } = makeLine();
    // A primary that wakes the thread: the level flow unmasks the line before the thread runs. The loop
    // below is that storm, the thread never getting to run before the next interrupt.
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, () => IRQ_HANDLED, IRQF_TRIGGER_HIGH, 'sensor', 1);
    warned(logs, new RegExp(`irq ${irq}: "sensor" is threaded on a level-triggered line without IRQF_ONESHOT`));
    for (let i = 0; i < 100_001; i++) core.genericHandleIrq(irq);
    expect(core.irqToDesc(irq)).toMatchObject({ spuriousDisabled: true, disabled: true });
    const report = logs.find((l) => l.level === 'error' && /nobody cared/.test(l.message));
    expect(report?.message).toMatch(/level-triggered and the threaded action "sensor" lacks IRQF_ONESHOT/);

    // Neither with IRQF_ONESHOT, nor on an edge line.
    const quiet = makeLines(2);
    quiet.core.requestThreadedIrq(quiet.irqs[0], () => IRQ_WAKE_THREAD, () => IRQ_HANDLED, IRQF_TRIGGER_HIGH | IRQF_ONESHOT, 'a', 1);
    quiet.core.requestThreadedIrq(quiet.irqs[1], () => IRQ_WAKE_THREAD, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'b', 2);
    expect(quiet.logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  test('freeIrq of an action whose thread promise never settles: resolves after the watchdog time, run abandoned with a warning, line clean', async () => {
    const { sim, core, logs, irq } = makeLine({}, undefined, { watchdog: { timeoutUs: 10_000 } });
    core.requestThreadedIrq(irq, null, () => new Promise<number>(() => {}), IRQF_ONESHOT, 'sensor', 1);
    core.genericHandleIrq(irq);
    let freed: string | undefined;
    void core.freeIrq(irq, 1).then((name) => (freed = name));
    await sim.advance(10_000);
    expect(freed).toBe('sensor');
    warned(logs, new RegExp(`irq ${irq}: freeIrq of "sensor": abandoned the run of irq/${irq}-sensor after 10000 µs`));
    expect(core.irqToDesc(irq)).toMatchObject({ depth: 1, threadsActive: 0, actions: [] });
  });
});
