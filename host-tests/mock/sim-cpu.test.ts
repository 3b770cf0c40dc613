/*
 * The simulator's virtual CPU cost (SimulatorOptions.cpu): thread bursts cost `threadUs` of virtual time,
 * charged by the deferred call the core's runners schedule them with; `hardirqUs` is kept for the IO layer.
 */
import { IRQ_HANDLED, IRQF_ONESHOT, IrqCore, handleLevelIrq } from '../../firmware/irq';
import { Simulator, type SimulatorCpuCost } from '../../hal/mock/sim';
import { fakeChip } from '../helpers/fake-chip';
import { levelDevice } from '../helpers/level-device';
import { threadOf } from '../helpers/threads';

describe('virtual CPU cost', () => {
  test('a bare simulator charges nothing: cpu is { hardirqUs: 0, threadUs: 0 }, frozen', () => {
    const sim = new Simulator();
    expect(sim.cpu).toEqual({ hardirqUs: 0, threadUs: 0 });
    expect(Object.isFrozen(sim.cpu)).toBe(true);
  });

  test('the costs given are kept, frozen; a field not given is 0', () => {
    expect(new Simulator({ cpu: { hardirqUs: 5, threadUs: 10 } }).cpu).toEqual({ hardirqUs: 5, threadUs: 10 });
    const sim = new Simulator({ cpu: { threadUs: 2.5 } });
    expect(sim.cpu).toEqual({ hardirqUs: 0, threadUs: 2.5 });
    expect(Object.isFrozen(sim.cpu)).toBe(true);
  });

  test.each<[SimulatorCpuCost, string]>([
    [{ hardirqUs: -1 }, 'cpu.hardirqUs'],
    [{ hardirqUs: NaN }, 'cpu.hardirqUs'],
    [{ hardirqUs: Infinity }, 'cpu.hardirqUs'],
    [{ threadUs: -0.5 }, 'cpu.threadUs'],
    [{ threadUs: Infinity }, 'cpu.threadUs'],
    [{ threadUs: '10' as unknown as number }, 'cpu.threadUs'],
  ])('an invalid cost %j is a RangeError naming %s', (cpu, field) => {
    expect(() => new Simulator({ cpu })).toThrow(RangeError);
    expect(() => new Simulator({ cpu })).toThrow(field);
  });

  test('a burst reads its start, then sees its threadUs spent: at its second clock read', async () => {
    const sim = new Simulator({ cpu: { threadUs: 10 } });
    const seen: number[][] = [];
    const deferred = sim.createDeferred(() => seen.push([sim.now(), sim.now(), sim.now()]));
    deferred.schedule();
    await sim.advance(0);
    deferred.schedule();
    await sim.advance(0);
    expect(seen).toEqual([[0, 10, 10], [10, 20, 20]]);
  });

  test('a burst that schedules something pays its charge first; one that shows no time pays at its end', async () => {
    const sim = new Simulator({ cpu: { threadUs: 10 } });
    const seen: number[] = [];
    sim.createDeferred(() => sim.after(5, () => seen.push(sim.now()))).schedule();
    await sim.advance(100);
    expect(seen).toEqual([15]);
    const quiet = sim.createDeferred(() => {});
    quiet.schedule();
    await sim.advance(0);
    expect(sim.now()).toBe(110);
  });

  test('a thread run is timed with the charge in it: the thread listing and the storm budget see it', async () => {
    const sim = new Simulator({ cpu: { threadUs: 10 } });
    const core = new IrqCore({ platform: sim.platform, log: () => {} });
    const device = levelDevice(sim, core);
    core.requestThreadedIrq(device.irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'dev');
    device.raise();
    await sim.advance(0);
    device.asserted = false;
    await sim.advance(1_000);
    const t = threadOf(core, `irq/${device.irq}-dev`);
    expect(t.runs).toBe(1);
    expect(t.longestUs).toBe(10);
  });

  test('the charge is per burst: one runner burst that runs two threads costs threadUs once', async () => {
    const sim = new Simulator({ cpu: { threadUs: 10 } });
    const core = new IrqCore({ platform: sim.platform, log: () => {} });
    const chip = fakeChip();
    const irqs = [core.irqAllocDesc(), core.irqAllocDesc()];
    for (const [i, irq] of irqs.entries()) {
      core.irqSetChipAndHandler(irq, chip, handleLevelIrq);
      core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, `dev${i}`);
    }
    sim.at(0, () => irqs.forEach((irq) => core.genericHandleIrq(irq)));
    await sim.runUntilIdle();
    expect(core.irqRunnerStats()[0].bursts).toBe(1);
    expect(irqs.map((irq, i) => threadOf(core, `irq/${irq}-dev${i}`).runs)).toEqual([1, 1]);
    expect(sim.now()).toBe(10);
  });

  test('defer, at and after cost nothing, and hardirqUs is only stored', async () => {
    const sim = new Simulator({ cpu: { hardirqUs: 5, threadUs: 10 } });
    const seen: number[] = [];
    sim.defer(() => seen.push(sim.now()));
    sim.platform.defer(() => seen.push(sim.now()));
    sim.at(3, () => seen.push(sim.now()));
    sim.after(4, () => seen.push(sim.now()));
    await sim.runUntilIdle();
    expect(seen).toEqual([0, 0, 3, 4]);
  });

  test('with threadUs > 0 a level line nobody clears moves virtual time, and advance(10_000) returns', async () => {
    const sim = new Simulator({ cpu: { threadUs: 10 } });
    const core = new IrqCore({ platform: sim.platform, log: () => {} });
    const device = levelDevice(sim, core);
    device.raise(); // and nobody clears it
    const irq = device.irq;
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'button');
    await sim.advance(10_000);
    // A burst due at 10,000 µs still runs, and its charge takes the clock past the window.
    expect(sim.now()).toBe(10_010);
    // One thread run per burst, one burst per 10 µs.
    expect(threadOf(core, `irq/${irq}-button`).runs).toBe(sim.now() / 10);
  });
});
