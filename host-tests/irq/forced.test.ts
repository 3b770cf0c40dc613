/*
 * Forced threading (seed 003, the kernel's `threadirqs` and irq_setup_forced_threading): primary handlers
 * run in threads, and an action with both a primary handler and a threadFn gets a secondary thread.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQF_NO_THREAD, IRQF_ONESHOT, IRQF_SHARED } from '../../firmware/irq';
import { makeLine } from '../helpers/fake-chip';
import { sleep, threadOf } from '../helpers/threads';

const forced = { forceThreading: true };

describe('forceThreading', () => {
  test('a primary handler runs in its thread irq/N-name, not in the hardirq, with the line masked until it has run', async () => {
    const { sim, core, irq, desc } = makeLine({}, undefined, forced);
    const seen: string[] = [];
    core.requestIrq(irq, () => (seen.push('handler'), IRQ_HANDLED), 0, 'uart', 'u');
    core.genericHandleIrq(irq);
    expect(seen).toEqual([]);
    expect(desc().masked).toBe(true);
    expect(threadOf(core, `irq/${irq}-uart`).state).toBe('queued');
    await sim.runUntilIdle();
    expect(seen).toEqual(['handler']);
    expect(desc().masked).toBe(false);
    expect(desc().unhandledTotal).toBe(0);
  });

  test('IRQF_NO_THREAD keeps the primary handler in the hardirq and creates no thread', () => {
    const { core, irq } = makeLine({}, undefined, forced);
    const seen: string[] = [];
    core.requestIrq(irq, () => (seen.push('handler'), IRQ_HANDLED), IRQF_NO_THREAD, 'timer', 't');
    core.genericHandleIrq(irq);
    expect(seen).toEqual(['handler']);
    expect(core.irqThreads()).toEqual([]);
  });

  test('an action with a primary handler and a threadFn gets a secondary thread irq/N-s-name at priority 49, woken by IRQ_WAKE_THREAD', async () => {
    const { sim, core, irq } = makeLine({}, undefined, forced);
    const order: string[] = [];
    core.requestThreadedIrq(irq, () => (order.push('primary'), IRQ_WAKE_THREAD), () => (order.push('thread'), IRQ_HANDLED), 0, 'dev', 'd');
    expect(core.irqThreads().map((t) => [t.name, t.priority])).toEqual([[`irq/${irq}-dev`, 50], [`irq/${irq}-s-dev`, 49]]);
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(order).toEqual(['primary', 'thread']);
    expect(threadOf(core, `irq/${irq}-s-dev`).runs).toBe(1);
  });

  test('a forced primary that returns IRQ_HANDLED does not wake the secondary', async () => {
    const { sim, core, irq } = makeLine({}, undefined, forced);
    let threadRuns = 0;
    core.requestThreadedIrq(irq, () => IRQ_HANDLED, () => (threadRuns++, IRQ_HANDLED), 0, 'dev', 'd');
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(threadRuns).toBe(0);
  });

  test('a forced action that asked for IRQF_ONESHOT keeps its line masked until the secondary has finished too', async () => {
    const { sim, core, irq, desc } = makeLine({}, undefined, forced);
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, async () => (await sleep(sim, 1000), IRQ_HANDLED), IRQF_ONESHOT, 'sensor', 's');
    core.genericHandleIrq(irq);
    await sim.advance(500);
    expect(threadOf(core, `irq/${irq}-sensor`).runs).toBe(1);
    expect(desc().masked).toBe(true);
    await sim.runUntilIdle();
    expect(desc().masked).toBe(false);
  });

  test('a threaded request without a primary handler is not forced: one thread, no secondary', () => {
    const { core, irq } = makeLine({}, undefined, forced);
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'dev', 'd');
    expect(core.irqThreads().map((t) => t.name)).toEqual([`irq/${irq}-dev`]);
  });

  test('a forced sharer and an IRQF_NO_THREAD sharer share a line: one runs in the hardirq, the other in its thread', async () => {
    const { sim, core, irq } = makeLine({}, undefined, forced);
    const seen: string[] = [];
    core.requestIrq(irq, () => (seen.push('hard'), IRQ_NONE), IRQF_SHARED | IRQF_NO_THREAD, 'hard', 'h');
    core.requestIrq(irq, () => (seen.push('forced'), IRQ_HANDLED), IRQF_SHARED, 'soft', 's');
    core.genericHandleIrq(irq);
    expect(seen).toEqual(['hard']);
    await sim.runUntilIdle();
    expect(seen).toEqual(['hard', 'forced']);
  });

  test('freeing a forced action waits for its secondary thread too, then retires both threads', async () => {
    const { sim, core, irq } = makeLine({}, undefined, forced);
    let secondaryDone = false;
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, async () => {
      await sleep(sim, 1000);
      secondaryDone = true;
      return IRQ_HANDLED;
    }, 0, 'dev', 'd');
    core.genericHandleIrq(irq);
    await sim.advance(100);
    let freed = false;
    const free = core.freeIrq(irq, 'd').then(() => (freed = true));
    await sim.advance(500);
    expect(freed).toBe(false);
    await sim.runUntilIdle();
    await free;
    expect(secondaryDone).toBe(true);
    expect(core.irqThreads()).toEqual([]);
  });
});

test('without forced threading, a thread that returns IRQ_WAKE_THREAD has no secondary to wake: counted and logged once', async () => {
  const { sim, core, logs, irq } = makeLine();
  core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, () => IRQ_WAKE_THREAD, 0, 'dev', 'd');
  core.genericHandleIrq(irq);
  await sim.runUntilIdle();
  core.genericHandleIrq(irq);
  await sim.runUntilIdle();
  expect(threadOf(core, `irq/${irq}-dev`).errors).toBe(2);
  expect(logs.filter((l) => /returned IRQ_WAKE_THREAD, but there is no secondary thread/.test(l.message))).toHaveLength(1);
});
