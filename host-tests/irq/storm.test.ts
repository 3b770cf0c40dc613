/*
 * Interrupt storms and receive livelock (seed 002): a line over its budget of CPU time is polled,
 * and goes back to interrupts when the storm stops. Threads that keep failing get their line disabled.
 */
import { IRQ_HANDLED, IRQF_ONESHOT, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_RISING, type IrqCoreOptions } from '../../firmware/irq';
import { bootSimBoard } from '../../hal/mock/boot';
import { PulseGenerator } from '../../hal/mock/devices';
import { stormVictim } from '../../bench/storm';
import type { LogEntry } from '../helpers/fake-chip';
import { makeLine } from '../helpers/fake-chip';

/** A board whose storm pin fires every `periodUs`, with a primary handler that uses `handlerUs` of CPU. */
function stormBoard(core: Omit<IrqCoreOptions, 'platform' | 'log'> = {}, periodUs = 20, count = 20_000, handlerUs = 15) {
  const logs: LogEntry[] = [];
  const board = bootSimBoard({ seed: 5, log: (level, message) => logs.push({ level, message }), core });
  const { sim } = board;
  const storm = new PulseGenerator(sim, board.pin(25), { periodUs, widthUs: periodUs / 2, count });
  const stormIrq = board.gpioToIrq(25);
  let stormCalls = 0;
  board.core.requestIrq(stormIrq, () => {
    stormCalls++;
    sim.spend(handlerUs);
    return IRQ_HANDLED;
  }, IRQF_TRIGGER_RISING, 'storm', storm);
  return { board, sim, core: board.core, logs, storm, stormIrq, calls: () => stormCalls };
}

describe('interrupt storms', () => {
  test('a line whose handlers take more than its share of the CPU is switched to polled handling, logged and shown in the table', async () => {
    const { sim, core, logs, storm, stormIrq } = stormBoard();
    storm.start();
    await sim.advance(150_000);
    expect(core.irqToDesc(stormIrq)).toMatchObject({ polled: true, stormSwitches: 1 });
    expect(logs.some((l) => l.level === 'warn' && new RegExp(`irq ${stormIrq}: interrupt storm .* polling it every 1 ms`).test(l.message))).toBe(true);
    expect(core.procInterrupts()).toMatch(/storm \[.*polled, storms 1/);
  });

  test('a polled line gets at most one interrupt per poll period; the edges in between are merged on their way and counted', async () => {
    const { board, sim, core, storm, stormIrq, calls } = stormBoard();
    storm.start();
    await sim.advance(150_000);
    const before = calls();
    await sim.advance(100_000);
    expect(calls() - before).toBeLessThanOrEqual(101);
    expect(calls() - before).toBeGreaterThan(90);
    await sim.advance(200_000);
    // Merged by the GPIO status latch or the DigitalBank's mask before onReadable, or by the HAL chip's latch
    // while the line was masked between polls.
    expect(calls() + board.provider.fakes.digital.coalesced(25) + board.gpio.pinInfo(25).coalesced).toBe(storm.pulses);
    expect(core.irqToDesc(stormIrq)!.polledInterrupts).toBeGreaterThan(0);
  });

  test('when the storm stops the line goes back to interrupt mode', async () => {
    const { sim, core, logs, storm, stormIrq } = stormBoard({}, 20, 10_000);
    storm.start();
    await sim.advance(500_000);
    expect(core.irqToDesc(stormIrq)).toMatchObject({ polled: false, stormSwitches: 1 });
    expect(logs.some((l) => new RegExp(`irq ${stormIrq}: storm over; back to interrupts`).test(l.message))).toBe(true);
  });

  test('a polled storm line takes a small share of the CPU, and a victim thread beside it runs and finishes on time', async () => {
    const figures = await stormVictim('storm, polled when over budget');
    expect(figures).toMatchObject({ runs: figures.edges, stormSwitches: 1 });
    expect(figures.stormCpuPercent).toBeLessThan(15);
    expect(figures.doneMaxUs).toBeLessThan(2_500);
  });

  test('without storm handling the storm line takes most of the CPU and the victim finishes later (receive livelock)', async () => {
    const polled = await stormVictim('storm, polled when over budget');
    const unhandled = await stormVictim('storm, storm handling off');
    expect(unhandled.stormCpuPercent).toBeGreaterThan(70);
    expect(unhandled.doneMaxUs).toBeGreaterThan(polled.doneMaxUs + 500);
    expect(unhandled.startMaxUs).toBeGreaterThan(polled.startMaxUs);
  });

  test('every storm pulse is handled or counted as merged on its way', async () => {
    const figures = await stormVictim('storm, polled when over budget', 5);
    // A pulse every 20 µs from 0 to the end of the run, both included.
    expect(figures.stormPulses).toBe((200_000 + 5 * 10_000) / 20 + 1);
    expect(figures.stormHandled + figures.stormMerged).toBe(figures.stormPulses);
  });
});

describe('a thread that keeps failing', () => {
  test('its level line is disabled after threadRetries failures in a row, with the reason logged', async () => {
    const { sim, core, logs, irq } = makeLine({}, undefined, { threadRetries: 5 });
    let runs = 0;
    core.requestThreadedIrq(irq, null, () => {
      runs++;
      throw new Error('device gone');
    }, IRQF_ONESHOT | IRQF_TRIGGER_HIGH, 'sensor', 's');
    // A level line that stays asserted: the chip re-raises it each time it is unmasked.
    for (let i = 0; i < 20; i++) {
      core.genericHandleIrq(irq);
      await sim.runUntilIdle();
    }
    expect(runs).toBe(5);
    expect(core.irqToDesc(irq)).toMatchObject({ disabled: true, depth: 1, failDisabled: true });
    expect(logs).toContainEqual({ level: 'error', message: `irq ${irq}: irq/${irq}-sensor failed 5 times in a row; disabling IRQ #${irq} (enableIrq turns it on again)` });
    expect(core.procInterrupts()).toMatch(/thread-failing/);
    core.enableIrq(irq);
    expect(core.irqToDesc(irq)).toMatchObject({ disabled: false, failDisabled: false });
  });

  test('failures with successes in between do not disable the line', async () => {
    const { sim, core, irq } = makeLine({}, undefined, { threadRetries: 3 });
    let runs = 0;
    core.requestThreadedIrq(irq, null, () => {
      if (++runs % 3 === 0) return IRQ_HANDLED;
      throw new Error('flaky');
    }, IRQF_ONESHOT, 'flaky', 'f');
    for (let i = 0; i < 12; i++) {
      core.genericHandleIrq(irq);
      await sim.runUntilIdle();
    }
    expect(runs).toBe(12);
    expect(core.irqToDesc(irq)!.disabled).toBe(false);
  });
});
