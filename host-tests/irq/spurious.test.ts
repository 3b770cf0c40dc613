/*
 * Detecting lines nobody handles (the kernel's note_interrupt in kernel/irq/spurious.c) and isolating
 * faulty primary handlers (kernel/irq/handle.c).
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQF_SHARED, SPURIOUS_WINDOW,
} from '../../firmware/irq';
import { makeLine } from '../helpers/fake-chip';

/** Long loops of interrupts (up to 100,000 simulator round trips) need more than jest's default 5 s. */
const SLOW = 60_000;

/** Report the line `n` times at the current virtual time. */
function fire(core: { genericHandleIrq(irq: number): number }, irq: number, n: number): void {
  for (let i = 0; i < n; i++) core.genericHandleIrq(irq);
}

describe('spurious interrupt detection', () => {
  test('a line nobody claims is disabled at the end of the 100,000-interrupt window, not before', () => {
    const { core, irq, desc } = makeLine();
    const handler = jest.fn(() => IRQ_NONE);
    core.requestIrq(irq, handler, 0, 'deaf', {});
    fire(core, irq, 99_999);
    expect(desc()).toMatchObject({ disabled: false, depth: 0, spuriousDisabled: false, unhandled: 99_999 });
    core.genericHandleIrq(irq);
    expect(desc()).toMatchObject({ disabled: true, depth: 1, spuriousDisabled: true });
    // From now on the handler is no longer called.
    fire(core, irq, 10);
    expect(handler).toHaveBeenCalledTimes(100_000);
  });

  test('"nobody cared" is logged at error naming the irq and every handler on the line', () => {
    const { core, logs, irq } = makeLine();
    core.requestIrq(irq, () => IRQ_NONE, IRQF_SHARED, 'uart', 1);
    core.requestIrq(irq, () => IRQ_NONE, IRQF_SHARED, 'spi-flash', 2);
    fire(core, irq, 100_000);
    const errors = logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('nobody cared');
    expect(errors[0].message).toMatch(new RegExp(`\\birq ${irq}\\b`));
    expect(errors[0].message).toContain('uart');
    expect(errors[0].message).toContain('spi-flash');
  });

  test('exactly 99,900 unhandled of the 100,000 in a window is tolerated; 99,901 disables the line', () => {
    // The window opens at the first unhandled interrupt, so the handled ones are put inside it.
    const tolerated = makeLine();
    let n = 0;
    tolerated.core.requestIrq(tolerated.irq, () => (n++ >= 1 && n <= 101 ? IRQ_HANDLED : IRQ_NONE), 0, 'dev', {});
    fire(tolerated.core, tolerated.irq, 100_000);
    expect(tolerated.desc()).toMatchObject({ disabled: false, spuriousDisabled: false, depth: 0, unhandledTotal: 99_900 });
    expect(tolerated.core.irqSpurious(tolerated.irq)).toMatchObject({ count: 0, unhandled: 0 });

    const killed = makeLine();
    let m = 0;
    killed.core.requestIrq(killed.irq, () => (m++ >= 1 && m <= 100 ? IRQ_HANDLED : IRQ_NONE), 0, 'dev', {});
    fire(killed.core, killed.irq, 100_000);
    expect(killed.desc()).toMatchObject({ disabled: true, spuriousDisabled: true, depth: 1, unhandledTotal: 99_901 });
  });

  test('a healthy line opens no window: its spurious count stays 0, as /proc/irq/N/spurious shows', async () => {
    const { sim, core, irq, desc } = makeLine();
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', {});
    fire(core, irq, 150_000);
    await sim.advance(1000);
    fire(core, irq, 150_000);
    expect(core.irqSpurious(irq)).toEqual({ count: 0, unhandled: 0, unhandledTotal: 0, lastUnhandledUs: undefined });
    expect(desc()).toMatchObject({ count: 300_000, unhandled: 0 });
  });

  test('a line stuck after 150,000 healthy interrupts is disabled after exactly 100,000 unhandled ones', () => {
    // Before Linux 5.13 the healthy ones counted toward the window: the verdict came 50,000 unhandled
    // interrupts later and found too few, and the line ran another whole window (150,000 in all).
    const { core, logs, irq, desc } = makeLine();
    let stuck = false;
    const handler = jest.fn(() => (stuck ? IRQ_NONE : IRQ_HANDLED));
    core.requestIrq(irq, handler, 0, 'dev', {});
    fire(core, irq, 150_000);
    expect(core.irqSpurious(irq)).toMatchObject({ count: 0, unhandled: 0 });
    stuck = true;
    fire(core, irq, SPURIOUS_WINDOW - 1);
    expect(desc()).toMatchObject({ disabled: false, spuriousDisabled: false, depth: 0 });
    expect(core.irqSpurious(irq)).toMatchObject({ count: SPURIOUS_WINDOW - 1, unhandled: SPURIOUS_WINDOW - 1 });
    core.genericHandleIrq(irq);
    expect(desc()).toMatchObject({ disabled: true, spuriousDisabled: true, depth: 1, unhandledTotal: SPURIOUS_WINDOW });
    expect(logs.filter((l) => l.level === 'error' && /nobody cared/.test(l.message))).toHaveLength(1);
    fire(core, irq, 10);
    expect(handler).toHaveBeenCalledTimes(150_000 + SPURIOUS_WINDOW);
  });

  test('a line claimed now and then (1 interrupt in 500) is not disabled', () => {
    const { core, logs, irq, desc } = makeLine();
    let n = 0;
    core.requestIrq(irq, () => (++n % 500 === 0 ? IRQ_HANDLED : IRQ_NONE), 0, 'dev', {});
    fire(core, irq, 300_000);
    expect(desc()).toMatchObject({ disabled: false, spuriousDisabled: false, depth: 0 });
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  test('unhandled counts the current window only: it starts again from 0 after a window that was tolerated', () => {
    const { core, irq, desc } = makeLine();
    let n = 0;
    core.requestIrq(irq, () => (++n % 500 === 0 ? IRQ_HANDLED : IRQ_NONE), 0, 'dev', {});
    fire(core, irq, 99_999);
    expect(desc().unhandled).toBe(99_999 - 199);
    fire(core, irq, 1); // the 100,000th (a handled one) closes the window
    expect(desc().unhandled).toBe(0);
    expect(core.irqSpurious(irq).count).toBe(0);
    fire(core, irq, 3);
    expect(desc().unhandled).toBe(3);
    expect(core.irqSpurious(irq).count).toBe(3);
    expect(desc().unhandledTotal).toBe(99_800 + 3);
  });

  test('an unhandled interrupt more than 100 ms after the previous one restarts the count at 1', async () => {
    const { sim, core, irq, desc } = makeLine();
    core.requestIrq(irq, () => IRQ_NONE, 0, 'dev', {});
    fire(core, irq, 5);
    expect(desc().unhandled).toBe(5);
    await sim.advance(100_000);
    core.genericHandleIrq(irq);
    expect(desc().unhandled).toBe(6); // exactly 100 ms later still counts on
    await sim.advance(100_001);
    core.genericHandleIrq(irq);
    expect(desc().unhandled).toBe(1);
  });

  test('100,000 unhandled interrupts 150 ms apart never disable the line', async () => {
    const { sim, core, logs, irq, desc } = makeLine();
    const handler = jest.fn(() => IRQ_NONE);
    core.requestIrq(irq, handler, 0, 'dev', {});
    for (let i = 0; i < SPURIOUS_WINDOW + 10; i++) {
      core.genericHandleIrq(irq);
      await sim.advance(150_000);
    }
    expect(handler).toHaveBeenCalledTimes(SPURIOUS_WINDOW + 10);
    expect(desc()).toMatchObject({ disabled: false, spuriousDisabled: false, depth: 0, unhandled: 1 });
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  }, SLOW);

  test('a line whose primary only wakes a thread that returns IRQ_HANDLED is not disabled', async () => {
    const { sim, core, logs, irq, desc } = makeLine();
    const thread = jest.fn(() => IRQ_HANDLED);
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, thread, 0, 'dev', {});
    for (let i = 0; i < SPURIOUS_WINDOW + 10; i++) {
      core.genericHandleIrq(irq);
      await sim.runUntilIdle();
    }
    expect(thread).toHaveBeenCalledTimes(SPURIOUS_WINDOW + 10);
    expect(desc()).toMatchObject({ disabled: false, spuriousDisabled: false, depth: 0 });
    // The deferred verdicts all found the thread's IRQ_HANDLED: no window was ever opened.
    expect(core.irqSpurious(irq)).toMatchObject({ count: 0, unhandled: 0, unhandledTotal: 0 });
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  }, SLOW);

  test('a line whose thread returns IRQ_NONE forever is disabled as nobody cared', async () => {
    const { sim, core, logs, irq, desc } = makeLine();
    const thread = jest.fn(() => IRQ_NONE);
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, thread, 0, 'dev', {});
    for (let i = 0; i < SPURIOUS_WINDOW + 10 && !desc().disabled; i++) {
      core.genericHandleIrq(irq);
      await sim.runUntilIdle();
    }
    expect(desc()).toMatchObject({ disabled: true, spuriousDisabled: true, depth: 1 });
    expect(thread.mock.calls.length).toBeGreaterThanOrEqual(SPURIOUS_WINDOW - 1);
    expect(logs.filter((l) => l.level === 'error' && /nobody cared/.test(l.message))).toHaveLength(1);
  }, SLOW);

  test('a new request on a shared line disabled as spurious re-enables it and its handlers run again', () => {
    const { core, irq, desc } = makeLine();
    const deaf = jest.fn(() => IRQ_NONE);
    core.requestIrq(irq, deaf, IRQF_SHARED, 'deaf', 1);
    fire(core, irq, 100_000);
    expect(desc().spuriousDisabled).toBe(true);
    const fresh = jest.fn(() => IRQ_HANDLED);
    core.requestIrq(irq, fresh, IRQF_SHARED, 'fresh', 2);
    expect(desc()).toMatchObject({ disabled: false, spuriousDisabled: false, depth: 0, unhandled: 0 });
    core.genericHandleIrq(irq);
    expect(deaf).toHaveBeenCalledTimes(100_001);
    expect(fresh).toHaveBeenCalledTimes(1);
  });
});

describe('faulty primary handlers', () => {
  test('a primary handler that throws is logged once at error naming the irq and action, and every throw is counted', () => {
    const { core, logs, irq, desc } = makeLine();
    core.requestIrq(irq, () => {
      throw new Error('null register');
    }, 0, 'broken', {});
    fire(core, irq, 3);
    const errors = logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(new RegExp(`\\birq ${irq}\\b`));
    expect(errors[0].message).toContain('broken');
    expect(errors[0].message).toContain('null register');
    expect(desc().errors).toBe(3);
  });

  test('a primary handler that throws counts as IRQ_NONE and its sharers still run', () => {
    const { core, irq, desc } = makeLine();
    const after = jest.fn(() => IRQ_NONE);
    core.requestIrq(irq, () => {
      throw new Error('x');
    }, IRQF_SHARED, 'broken', 1);
    core.requestIrq(irq, after, IRQF_SHARED, 'next', 2);
    fire(core, irq, 2);
    expect(after).toHaveBeenCalledTimes(2);
    expect(desc().unhandled).toBe(2);
    expect(desc().masked).toBe(false);
  });

  test('an async primary handler is reported as such: primary handlers must be synchronous', () => {
    const { core, logs, irq, desc } = makeLine();
    core.requestIrq(irq, (async () => IRQ_HANDLED) as unknown as () => number, 0, 'async-dev', {});
    core.genericHandleIrq(irq);
    const errors = logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('async-dev');
    expect(errors[0].message).toMatch(/must be synchronous/);
    expect(desc().errors).toBe(1);
    expect(desc().unhandled).toBe(1);
  });
});
