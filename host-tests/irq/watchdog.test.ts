/*
 * The thread watchdog: a threadFn whose promise has not settled after the timeout is reported by name, and
 * its line handled as the option says; never silently stuck.
 */
import { IRQ_HANDLED, IRQF_ONESHOT } from '../../firmware/irq';
import { makeLine } from '../helpers/fake-chip';
import { sleep, threadOf } from '../helpers/threads';

const never = () => new Promise<number>(() => {});

describe('thread watchdog', () => {
  test('a run still sleeping after the timeout is reported at error by its thread name and counted in stuck', async () => {
    const { sim, core, logs, irq } = makeLine({}, undefined, { watchdog: { timeoutUs: 50_000 } });
    core.requestThreadedIrq(irq, null, never, IRQF_ONESHOT, 'sensor', 's');
    core.genericHandleIrq(irq);
    await sim.advance(49_000);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    await sim.advance(2_000);
    expect(logs).toContainEqual({ level: 'error', message: `irq/${irq}-sensor: thread function of "sensor" (irq ${irq}) has not finished after 50 ms; still waiting for it` });
    expect(threadOf(core, `irq/${irq}-sensor`)).toMatchObject({ stuck: 1, state: 'running', sleeping: true });
    expect(core.irqToDesc(irq)!.masked).toBe(true);
  });

  test('the default watchdog reports after one second', async () => {
    const { sim, core, logs, irq } = makeLine();
    core.requestThreadedIrq(irq, null, never, IRQF_ONESHOT, 'sensor', 's');
    core.genericHandleIrq(irq);
    await sim.advance(999_000);
    expect(threadOf(core, `irq/${irq}-sensor`).stuck).toBe(0);
    await sim.advance(1_000);
    expect(threadOf(core, `irq/${irq}-sensor`).stuck).toBe(1);
    expect(logs.some((l) => /has not finished after 1000 ms/.test(l.message))).toBe(true);
  });

  test('with action disable the line is disabled and the run abandoned: the thread serves its next wakeup and a late result is ignored', async () => {
    const { sim, core, logs, irq } = makeLine({}, undefined, { watchdog: { timeoutUs: 10_000, action: 'disable' } });
    let release: (v: number) => void = () => {};
    let runs = 0;
    core.requestThreadedIrq(irq, null, () => {
      runs++;
      return runs === 1 ? new Promise<number>((resolve) => (release = resolve)) : IRQ_HANDLED;
    }, IRQF_ONESHOT, 'sensor', 's');
    core.genericHandleIrq(irq);
    await sim.advance(20_000);
    expect(core.irqToDesc(irq)).toMatchObject({ depth: 1, disabled: true, threadsActive: 0 });
    expect(logs.some((l) => /disabling IRQ #\d+ and abandoning the run/.test(l.message))).toBe(true);
    expect(threadOf(core, `irq/${irq}-sensor`).state).toBe('idle');
    core.irqWakeThread(irq, 's');
    await sim.runUntilIdle();
    expect(runs).toBe(2);
    release(IRQ_HANDLED);
    await sim.runUntilIdle();
    expect(threadOf(core, `irq/${irq}-sensor`)).toMatchObject({ runs: 2, errors: 0 });
    expect(core.irqToDesc(irq)!.threadsActive).toBe(0);
  });

  test('a thread that awaits synchronizeIrq on its own line after an await gets EDEADLK from the watchdog instead of hanging', async () => {
    const { sim, core, irq } = makeLine({}, undefined, { watchdog: { timeoutUs: 10_000 } });
    let caught: unknown;
    core.requestThreadedIrq(irq, null, async () => {
      await sleep(sim, 100);
      try {
        await core.synchronizeIrq(irq);
      } catch (err) {
        caught = err;
      }
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'self', 's');
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(caught).toMatchObject({ code: 'EDEADLK', message: expect.stringMatching(/irq\/\d+-self, which is stuck/) });
    expect(threadOf(core, `irq/${irq}-self`).state).toBe('idle');
    expect(core.irqToDesc(irq)!.masked).toBe(false);
  });

  test('a wait that began before the stuck run started is not rejected: it cannot come from inside that run', async () => {
    const { sim, core, irq } = makeLine({}, undefined, { watchdog: { timeoutUs: 10_000 } });
    let release: (v: number) => void = () => {};
    core.requestThreadedIrq(irq, null, () => new Promise<number>((resolve) => (release = resolve)), IRQF_ONESHOT, 'dev', 'd');
    core.genericHandleIrq(irq);
    let outcome = 'pending';
    void core.synchronizeIrq(irq).then(() => (outcome = 'resolved'), () => (outcome = 'rejected'));
    sim.spend(100); // the thread starts 100 µs after the wait began
    await sim.advance(20_000);
    expect(threadOf(core, `irq/${irq}-dev`).stuck).toBe(1);
    expect(outcome).toBe('pending');
    release(IRQ_HANDLED);
    await sim.runUntilIdle();
    expect(outcome).toBe('resolved');
  });

  test('timeoutUs 0 turns the watchdog off', async () => {
    const { sim, core, logs, irq } = makeLine({}, undefined, { watchdog: { timeoutUs: 0 } });
    core.requestThreadedIrq(irq, null, never, IRQF_ONESHOT, 'sensor', 's');
    core.genericHandleIrq(irq);
    await sim.advance(10_000_000);
    expect(threadOf(core, `irq/${irq}-sensor`).stuck).toBe(0);
    expect(logs).toEqual([]);
  });

  test('the watchdog timer is cleared when runs settle, so an idle board does not wait for it', async () => {
    const { sim, core, irq } = makeLine();
    core.requestThreadedIrq(irq, null, async () => (await sleep(sim, 300), IRQ_HANDLED), IRQF_ONESHOT, 'dev', 'd');
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(sim.now()).toBe(300);
    expect(sim.pending).toBe(0);
  });
});
