/*
 * Shared interrupt threads (seed 001): several irqs served by one numbered thread with its own priority and
 * affinity; a handler that sleeps there holds back its siblings.
 */
import { IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_ONESHOT } from '../../firmware/irq';
import { makeLines } from '../helpers/fake-chip';
import { sleep, threadOf } from '../helpers/threads';

const wake = () => IRQ_WAKE_THREAD;

describe('requestIrqSharedThread', () => {
  test('puts the thread work of several irqs into one thread named irq/shared-K that lists them all', () => {
    const { core, irqs } = makeLines(3);
    for (const irq of irqs) core.requestIrqSharedThread(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, `dev${irq}`, irq, 2);
    expect(core.irqThreads()).toEqual([
      expect.objectContaining({ name: 'irq/shared-2', sharedThread: 2, irq: irqs[0], irqs, priority: 50, state: 'idle' }),
    ]);
  });

  test('serves the woken irqs one at a time, in wake order, in a single thread', async () => {
    const { sim, core, irqs } = makeLines(2);
    const order: number[] = [];
    for (const irq of irqs) core.requestIrqSharedThread(irq, wake, (n) => (order.push(n), IRQ_HANDLED), 0, 'dev', irq, 0);
    core.genericHandleIrq(irqs[1]);
    core.genericHandleIrq(irqs[0]);
    await sim.runUntilIdle();
    expect(order).toEqual([irqs[1], irqs[0]]);
    expect(threadOf(core, 'irq/shared-0')).toMatchObject({ wakeups: 2, runs: 2 });
  });

  test('a sleeping handler holds back its siblings in the shared thread but not other threads, and the listing shows which irq holds it', async () => {
    const { sim, core, irqs } = makeLines(3);
    const [sleeper, sibling, other] = irqs;
    const done: string[] = [];
    core.requestIrqSharedThread(sleeper, wake, async () => {
      await sleep(sim, 1000);
      done.push('sleeper');
      return IRQ_HANDLED;
    }, 0, 'sleeper', 's', 0);
    core.requestIrqSharedThread(sibling, wake, () => (done.push('sibling'), IRQ_HANDLED), 0, 'sibling', 'b', 0);
    core.requestThreadedIrq(other, wake, () => (done.push('other'), IRQ_HANDLED), 0, 'other', 'o');
    for (const irq of irqs) core.genericHandleIrq(irq);
    await sim.advance(500);
    expect(done).toEqual(['other']);
    expect(threadOf(core, 'irq/shared-0')).toMatchObject({ state: 'running', sleeping: true, holding: sleeper });
    await sim.runUntilIdle();
    expect(done).toEqual(['other', 'sleeper', 'sibling']);
    expect(threadOf(core, 'irq/shared-0')).toMatchObject({ state: 'idle', holding: undefined });
  });

  test('each shared thread has its own priority: the higher one runs first', async () => {
    const { sim, core, irqs } = makeLines(2);
    const order: string[] = [];
    core.requestIrqSharedThread(irqs[0], wake, () => (order.push('shared-0'), IRQ_HANDLED), 0, 'a', 'a', 0);
    core.requestIrqSharedThread(irqs[1], wake, () => (order.push('shared-1'), IRQ_HANDLED), 0, 'b', 'b', 1);
    core.irqSetSharedThreadPriority(1, 90);
    core.genericHandleIrq(irqs[0]);
    core.genericHandleIrq(irqs[1]);
    await sim.runUntilIdle();
    expect(order).toEqual(['shared-1', 'shared-0']);
    expect(threadOf(core, 'irq/shared-1').priority).toBe(90);
  });

  test('a shared thread\'s priority can be set before any irq is requested into it', () => {
    const { core, irqs } = makeLines(1);
    core.irqSetSharedThreadPriority(3, 70);
    core.requestIrqSharedThread(irqs[0], wake, () => IRQ_HANDLED, 0, 'a', 'a', 3);
    expect(threadOf(core, 'irq/shared-3')).toMatchObject({ priority: 70, irq: irqs[0], irqs: [irqs[0]] });
  });

  test('irqSetThreadPriority on an action in a shared thread is EINVAL: the priority is the thread\'s', () => {
    const { core, irqs } = makeLines(1);
    core.requestIrqSharedThread(irqs[0], wake, () => IRQ_HANDLED, 0, 'a', 'a', 0);
    expect(() => core.irqSetThreadPriority(irqs[0], 'a', 80)).toThrow(/shared thread 0.*irqSetSharedThreadPriority/);
  });

  test('the number of shared threads is an option (default 10); a number outside it is EINVAL', () => {
    const { core, irqs } = makeLines(2, { sharedThreads: 3 });
    expect(() => core.requestIrqSharedThread(irqs[0], wake, () => IRQ_HANDLED, 0, 'a', 'a', 3)).toThrow(/shared thread 3 is outside 0\.\.2/);
    expect(core.irqToDesc(irqs[0])!.actions).toEqual([]);
    const dflt = makeLines(1);
    expect(() => dflt.core.requestIrqSharedThread(dflt.irqs[0], wake, () => IRQ_HANDLED, 0, 'a', 'a', 9)).not.toThrow();
    expect(() => dflt.core.irqSetSharedThreadPriority(10, 50)).toThrow(/outside 0\.\.9/);
  });

  test('a handler-only request runs its handler in the shared thread, with the line masked until it has run', async () => {
    const { sim, core, chip, irqs } = makeLines(1);
    const [irq] = irqs;
    const seen: string[] = [];
    core.requestIrqSharedThread(irq, () => (seen.push('handler'), IRQ_HANDLED), null, 0, 'plain', 'p', 0);
    core.genericHandleIrq(irq);
    expect(seen).toEqual([]);
    expect(core.irqToDesc(irq)!.masked).toBe(true);
    await sim.runUntilIdle();
    expect(seen).toEqual(['handler']);
    expect(core.irqToDesc(irq)!.masked).toBe(false);
    expect(chip.callsOf('irqUnmask')).toEqual([irq]);
  });

  test('oneshot lines in one shared thread are each unmasked when their own work has run', async () => {
    const { sim, core, irqs } = makeLines(2);
    const [slow, quick] = irqs;
    core.requestIrqSharedThread(slow, null, async () => (await sleep(sim, 1000), IRQ_HANDLED), IRQF_ONESHOT, 'slow', 's', 0);
    core.requestIrqSharedThread(quick, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'quick', 'q', 0);
    core.genericHandleIrq(slow);
    core.genericHandleIrq(quick);
    await sim.advance(500);
    expect(core.irqToDesc(slow)!.masked).toBe(true);
    expect(core.irqToDesc(quick)!.masked).toBe(true);
    await sim.runUntilIdle();
    expect(core.irqToDesc(slow)!.masked).toBe(false);
    expect(core.irqToDesc(quick)!.masked).toBe(false);
  });

  test('freeing one irq of a shared thread keeps the thread serving the others', async () => {
    const { sim, core, irqs } = makeLines(2);
    let runs = 0;
    for (const irq of irqs) core.requestIrqSharedThread(irq, wake, () => (runs++, IRQ_HANDLED), 0, 'dev', irq, 0);
    await expect(core.freeIrq(irqs[0], irqs[0])).resolves.toBe('dev');
    expect(threadOf(core, 'irq/shared-0').irqs).toEqual([irqs[1]]);
    core.genericHandleIrq(irqs[1]);
    await sim.runUntilIdle();
    expect(runs).toBe(1);
  });
});

describe('forceSharedThread (SNSC_FORCE_SHARED_IRQ_THREAD)', () => {
  test('puts the threads of plain threaded requests into shared thread 0, but keeps an explicit shared thread number', () => {
    const { core, irqs } = makeLines(3, { forceSharedThread: true });
    core.requestThreadedIrq(irqs[0], wake, () => IRQ_HANDLED, 0, 'a', 'a');
    core.requestThreadedIrq(irqs[1], wake, () => IRQ_HANDLED, 0, 'b', 'b');
    core.requestIrqSharedThread(irqs[2], wake, () => IRQ_HANDLED, 0, 'c', 'c', 4);
    expect(core.irqThreads().map((t) => [t.name, t.irqs])).toEqual([
      ['irq/shared-0', [irqs[0], irqs[1]]],
      ['irq/shared-4', [irqs[2]]],
    ]);
  });
});

describe('shared thread affinity', () => {
  test('a shared thread follows the affinity of the irq that created it, and is reported', () => {
    const { core, irqs } = makeLines(2, { cpus: 2 });
    core.requestIrqSharedThread(irqs[0], wake, () => IRQ_HANDLED, 0, 'first', 'f', 0);
    core.requestIrqSharedThread(irqs[1], wake, () => IRQ_HANDLED, 0, 'second', 's', 0);
    core.irqSetAffinity(irqs[1], 1);
    expect(threadOf(core, 'irq/shared-0').affinity).toBe(0);
    core.irqSetAffinity(irqs[0], 1);
    expect(threadOf(core, 'irq/shared-0').affinity).toBe(1);
  });
});
