/*
 * The thread runners: bursts bounded by a time budget, yielding to the event loop where board interrupts
 * arrive, and one runner per CPU selected by affinity.
 */
import { IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_ONESHOT, IrqCore, IrqError } from '../../firmware/irq';
import { Simulator } from '../../hal/mock/sim';
import { makeLines } from '../helpers/fake-chip';
import { threadOf } from '../helpers/threads';

const wake = () => IRQ_WAKE_THREAD;

describe('bursts and the time budget', () => {
  test('threads woken together run back to back in one burst while they stay within the budget', async () => {
    const { sim, core, irqs } = makeLines(3);
    const order: string[] = [];
    irqs.forEach((irq, i) => core.requestThreadedIrq(irq, wake, () => (order.push(`t${i}`), IRQ_HANDLED), 0, `t${i}`, i));
    for (const irq of irqs) core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(order).toEqual(['t0', 't1', 't2']);
    expect(core.irqRunnerStats()).toEqual([{ cpu: 0, bursts: 1, yields: 0, budgetUs: 1000 }]);
  });

  test('a burst that uses up its budget yields: an interrupt that arrived meanwhile wakes a higher priority thread that runs before the rest', async () => {
    const { sim, core, irqs } = makeLines(4);
    const order: string[] = [];
    const [l0, l1, l2, hi] = irqs;
    [l0, l1, l2].forEach((irq, i) => {
      core.requestThreadedIrq(irq, wake, () => {
        order.push(`low${i}`);
        sim.spend(600);
        return IRQ_HANDLED;
      }, 0, `low${i}`, i);
      core.irqSetThreadPriority(irq, i, 10);
    });
    core.requestThreadedIrq(hi, () => (order.push('hardirq'), IRQ_WAKE_THREAD), () => (order.push('high'), IRQ_HANDLED), 0, 'high', 'hi');
    core.irqSetThreadPriority(hi, 'hi', 90);
    for (const irq of [l0, l1, l2]) core.genericHandleIrq(irq);
    // The interrupt falls due while low0 keeps the CPU busy; it can only be delivered once the runner yields.
    sim.at(100, () => core.genericHandleIrq(hi));
    await sim.runUntilIdle();
    expect(order).toEqual(['low0', 'low1', 'hardirq', 'high', 'low2']);
    expect(core.irqRunnerStats()[0].yields).toBe(1);
  });

  test('with threadBudgetUs 0 every thread run is a job of its own, with the event loop running in between', async () => {
    const { sim, core, irqs } = makeLines(2, { threadBudgetUs: 0 });
    const order: string[] = [];
    core.requestThreadedIrq(irqs[0], wake, () => {
      order.push('t0');
      sim.defer(() => order.push('event loop'));
      return IRQ_HANDLED;
    }, 0, 't0', 0);
    core.requestThreadedIrq(irqs[1], wake, () => (order.push('t1'), IRQ_HANDLED), 0, 't1', 1);
    core.genericHandleIrq(irqs[0]);
    core.genericHandleIrq(irqs[1]);
    await sim.runUntilIdle();
    expect(order).toEqual(['t0', 'event loop', 't1']);
  });

  test('a thread awaiting in its run does not hold the runner: the next thread runs meanwhile', async () => {
    const { sim, core, irqs } = makeLines(2);
    const order: string[] = [];
    core.requestThreadedIrq(irqs[0], wake, async () => {
      order.push('slow starts');
      await new Promise<void>((resolve) => sim.after(1000, resolve));
      order.push('slow ends');
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'slow', 0);
    core.requestThreadedIrq(irqs[1], wake, () => (order.push('fast'), IRQ_HANDLED), 0, 'fast', 1);
    core.genericHandleIrq(irqs[0]);
    core.genericHandleIrq(irqs[1]);
    await sim.runUntilIdle();
    expect(order).toEqual(['slow starts', 'fast', 'slow ends']);
  });

  test('a runner option that is not a count is EINVAL', () => {
    const sim = new Simulator();
    expect(() => new IrqCore({ platform: sim.platform, threadBudgetUs: -1 })).toThrow(IrqError);
    expect(() => new IrqCore({ platform: sim.platform, cpus: 0 })).toThrow(/cpus must be an integer >= 1/);
  });
});

describe('CPUs and affinity', () => {
  test('irqSetAffinity moves the line\'s thread to that CPU\'s runner, which the listing reports', async () => {
    const { sim, core, irqs } = makeLines(1, { cpus: 2 });
    const [irq] = irqs;
    core.requestThreadedIrq(irq, wake, () => IRQ_HANDLED, 0, 'dev', 'd');
    expect(threadOf(core, `irq/${irq}-dev`).affinity).toBe(0);
    expect(core.irqSetAffinity(irq, 1)).toBe(0);
    expect(threadOf(core, `irq/${irq}-dev`).affinity).toBe(1);
    expect(core.irqToDesc(irq)!.affinity).toBe(1);
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(core.irqRunnerStats().map((r) => r.bursts)).toEqual([0, 1]);
  });

  test('a CPU the platform does not have is EINVAL', () => {
    const { core, irqs } = makeLines(1, { cpus: 2 });
    expect(() => core.irqSetAffinity(irqs[0], 2)).toThrow(/CPU 2 is outside 0\.\.1/);
  });
});
