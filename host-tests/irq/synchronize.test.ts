/*
 * Waiting for a line to go quiet: synchronizeIrq, disableIrq and freeIrq (the kernel's synchronize_irq,
 * disable_irq and free_irq in kernel/irq/manage.c), including the deadlock a thread waiting for its own
 * line would be.
 */
import { IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_ONESHOT, IRQF_SHARED, IrqError, handleLevelIrq, type IrqCore } from '../../firmware/irq';
import type { Simulator } from '../../hal/mock/sim';
import { makeLine } from '../helpers/fake-chip';

function sleep(sim: Simulator, us: number): Promise<void> {
  return new Promise((resolve) => {
    sim.after(us, resolve);
  });
}

/** Follow a promise: whether and when (virtual µs) it settled, and with what. */
function track<T>(sim: Simulator, promise: Promise<T>) {
  const state: { settled: 'no' | 'resolved' | 'rejected'; at: number; value: T | undefined; error: unknown } = {
    settled: 'no', at: -1, value: undefined, error: undefined,
  };
  promise.then(
    (value) => Object.assign(state, { settled: 'resolved', at: sim.now(), value }),
    (error: unknown) => Object.assign(state, { settled: 'rejected', at: sim.now(), error }),
  );
  return state;
}

/** A line whose thread sleeps `us` of virtual time per run. */
function slowThreadLine(us: number, flags = 0) {
  const line = makeLine();
  const dev = { name: 'dev' };
  line.core.requestThreadedIrq(line.irq, () => IRQ_WAKE_THREAD, async () => {
    await sleep(line.sim, us);
    return IRQ_HANDLED;
  }, flags, 'dev', dev);
  return { ...line, dev };
}

function threadNames(core: IrqCore): string[] {
  return core.irqThreads().map((t) => t.name);
}

describe('synchronizeIrq', () => {
  test('resolves at once on an idle line', async () => {
    const { sim, core, irq } = slowThreadLine(1000);
    const sync = track(sim, core.synchronizeIrq(irq));
    await sim.runUntilIdle();
    expect(sync).toMatchObject({ settled: 'resolved', at: 0 });
  });

  test('waits for a thread that is running and resolves when it finishes', async () => {
    const { sim, core, irq } = slowThreadLine(1000);
    core.genericHandleIrq(irq);
    await sim.advance(100);
    const sync = track(sim, core.synchronizeIrq(irq));
    await sim.advance(800);
    expect(sync.settled).toBe('no');
    await sim.runUntilIdle();
    expect(sync).toMatchObject({ settled: 'resolved', at: 1000 });
  });

  test('waits for a thread that has been woken but has not started yet', async () => {
    const { sim, core, irq } = makeLine();
    const thread = jest.fn(() => IRQ_HANDLED);
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, thread, 0, 'dev', {});
    core.genericHandleIrq(irq);
    let runsWhenResolved = -1;
    core.synchronizeIrq(irq).then(() => {
      runsWhenResolved = thread.mock.calls.length;
    });
    await sim.runUntilIdle();
    expect(runsWhenResolved).toBe(1);
  });

  test('waits for the extra run of a thread woken again while it was running', async () => {
    const { sim, core, irq } = slowThreadLine(500);
    core.genericHandleIrq(irq);
    sim.after(100, () => core.genericHandleIrq(irq));
    await sim.advance(200);
    const sync = track(sim, core.synchronizeIrq(irq));
    await sim.runUntilIdle();
    expect(sync).toMatchObject({ settled: 'resolved', at: 1000 });
  });

  test('called from the synchronous part of the line\'s own thread it rejects with EDEADLK', async () => {
    const { sim, core, irq } = makeLine();
    let sync: ReturnType<typeof track> | undefined;
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, (n) => {
      sync = track(sim, core.synchronizeIrq(n));
      return IRQ_HANDLED;
    }, 0, 'dev', {});
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(sync?.settled).toBe('rejected');
    expect(sync?.error).toBeInstanceOf(IrqError);
    expect((sync?.error as IrqError).code).toBe('EDEADLK');
  });

  test('called from the thread of another line it waits normally', async () => {
    const { sim, core, chip, irq } = slowThreadLine(1000);
    const other = core.irqAllocDesc();
    core.irqSetChipAndHandler(other, chip, handleLevelIrq);
    let sync: ReturnType<typeof track> | undefined;
    const devOther = {};
    core.requestThreadedIrq(other, () => IRQ_WAKE_THREAD, () => {
      sync = track(sim, core.synchronizeIrq(irq));
      return IRQ_HANDLED;
    }, 0, 'other', devOther);
    core.genericHandleIrq(irq);
    core.irqWakeThread(other, devOther);
    await sim.runUntilIdle();
    expect(sync).toMatchObject({ settled: 'resolved', at: 1000 });
  });
});

describe('disableIrq', () => {
  test('disables at once and resolves only when the line\'s running thread has finished', async () => {
    const { sim, core, irq, desc } = slowThreadLine(1000);
    core.genericHandleIrq(irq);
    await sim.advance(100);
    const disabled = track(sim, core.disableIrq(irq));
    expect(desc()).toMatchObject({ depth: 1, disabled: true });
    await sim.advance(800);
    expect(disabled.settled).toBe('no');
    await sim.runUntilIdle();
    expect(disabled).toMatchObject({ settled: 'resolved', at: 1000 });
  });

  test('from the line\'s own thread it rejects with EDEADLK and leaves the depth unchanged', async () => {
    const { sim, core, irq, desc } = makeLine();
    let disabled: ReturnType<typeof track> | undefined;
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, (n) => {
      disabled = track(sim, core.disableIrq(n));
      return IRQ_HANDLED;
    }, 0, 'dev', {});
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(disabled?.settled).toBe('rejected');
    expect((disabled?.error as IrqError).code).toBe('EDEADLK');
    expect(desc()).toMatchObject({ depth: 0, disabled: false });
  });

  test('disableIrqNosync from the line\'s own thread disables it without waiting', async () => {
    const { sim, core, irq, desc } = makeLine();
    const handler = jest.fn(() => IRQ_WAKE_THREAD);
    core.requestThreadedIrq(irq, handler, (n) => {
      core.disableIrqNosync(n);
      return IRQ_HANDLED;
    }, 0, 'dev', {});
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(desc()).toMatchObject({ depth: 1, disabled: true });
    core.genericHandleIrq(irq);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('freeIrq', () => {
  test('removes the action at once and resolves to its name only after its in-flight thread finished', async () => {
    const { sim, core, irq, desc, dev } = slowThreadLine(1000);
    core.genericHandleIrq(irq);
    await sim.advance(100);
    const freed = track(sim, core.freeIrq(irq, dev));
    expect(desc().actions).toEqual([]);
    await sim.advance(800);
    expect(freed.settled).toBe('no');
    await sim.runUntilIdle();
    expect(freed).toMatchObject({ settled: 'resolved', at: 1000, value: 'dev' });
  });

  test('freeing one sharer waits for its own thread only, not for another sharer\'s long-running thread', async () => {
    const { sim, core, irq } = makeLine();
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, async () => {
      await sleep(sim, 100);
      return IRQ_HANDLED;
    }, IRQF_SHARED, 'quick', 1);
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, async () => {
      await sleep(sim, 10_000);
      return IRQ_HANDLED;
    }, IRQF_SHARED, 'slow', 2);
    core.genericHandleIrq(irq);
    await sim.advance(50);
    const freed = track(sim, core.freeIrq(irq, 1));
    await sim.runUntilIdle();
    expect(freed.settled).toBe('resolved');
    expect(freed.at).toBe(100);
  });

  test('keeps the thread listed while its run is in flight and drops it once the free has resolved', async () => {
    const { sim, core, irq, dev } = slowThreadLine(1000);
    core.genericHandleIrq(irq);
    await sim.advance(100);
    const freed = track(sim, core.freeIrq(irq, dev));
    expect(threadNames(core)).toEqual([`irq/${irq}-dev`]);
    await sim.runUntilIdle();
    expect(freed.settled).toBe('resolved');
    expect(threadNames(core)).toEqual([]);
  });

  test('freeing a devId that is not on the line warns that no action has it, naming the actions, and resolves undefined', async () => {
    const { core, logs, irq, desc } = slowThreadLine(1000);
    await expect(core.freeIrq(irq, { someone: 'else' })).resolves.toBeUndefined();
    expect(logs).toContainEqual({ level: 'warn', message: expect.stringContaining(`No action of irq ${irq} has that dev_id (its actions: "dev")`) });
    expect(desc().actions).toEqual(['dev']);
  });

  test('on an irq that was never allocated it rejects with EINVAL', async () => {
    const { core } = makeLine();
    await expect(core.freeIrq(99, {})).rejects.toMatchObject({ code: 'EINVAL' });
  });

  test('after the free has resolved the freed primary handler is never called again, while its sharer still is', async () => {
    const { sim, core, irq } = makeLine();
    const gone = jest.fn(() => IRQ_HANDLED);
    const stays = jest.fn(() => IRQ_HANDLED);
    core.requestIrq(irq, gone, IRQF_SHARED, 'gone', 1);
    core.requestIrq(irq, stays, IRQF_SHARED, 'stays', 2);
    core.genericHandleIrq(irq);
    await expect(core.freeIrq(irq, 1)).resolves.toBe('gone');
    core.genericHandleIrq(irq);
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(gone).toHaveBeenCalledTimes(1);
    expect(stays).toHaveBeenCalledTimes(3);
    expect(core.irqToDesc(irq)!.actions).toEqual(['stays']);
  });

  test('freeing the last action of a oneshot line while its thread runs leaves the line shut down, not unmasked', async () => {
    const { sim, core, chip, irq, desc, dev } = slowThreadLine(1000, IRQF_ONESHOT);
    core.genericHandleIrq(irq);
    await sim.advance(100);
    const freed = track(sim, core.freeIrq(irq, dev));
    await sim.runUntilIdle();
    expect(freed.settled).toBe('resolved');
    expect(chip.callsOf('irqShutdown')).toEqual([irq]);
    expect(chip.callsOf('irqUnmask')).toEqual([]);
    expect(desc()).toMatchObject({ disabled: true, masked: true, depth: 1, threadsActive: 0 });
  });
});
