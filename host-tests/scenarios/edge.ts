/*
 * Edge-triggered lines on the simulated board: a push button on a falling-edge GPIO, handled in the primary
 * handler or debounced by a thread, and a faulty handler on a shared edge line.
 */
import { IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_SHARED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_RISING } from '../../firmware/irq';
import { PushButton } from '../../hal/mock/devices';
import type { Scenario } from './assert';
import { makeBoard, sleep } from './board';

export const edgeScenarios: readonly Scenario[] = [
  {
    name: 'edge: a clean button press is handled once per press, at the time of the press',
    async run(t) {
      const { board, hw, sim, core } = makeBoard();
      const button = new PushButton(sim, board.pin(0), { bounces: 0 });
      const irq = board.gpioToIrq(0);
      const times: number[] = [];
      core.requestIrq(irq, () => {
        times.push(sim.now());
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_FALLING, 'button', button);
      for (let i = 0; i < 5; i++) sim.at(1_000 + i * 10_000, () => button.click(3_000));
      await sim.advance(60_000);
      t.equal(button.presses, 5, 'presses');
      // Each press is handled the board's CPU cost of a hardirq entry (sim.cpu.hardirqUs) after its edge.
      const entry = sim.cpu.hardirqUs;
      t.deepEqual(times, [1_000, 11_000, 21_000, 31_000, 41_000].map((at) => at + entry), 'handler calls (the releases are rising edges)');
      const desc = core.irqToDesc(irq)!;
      t.equal(desc.count, 5, 'count');
      t.equal(desc.unhandledTotal, 0, 'unhandled');
      t.equal(board.provider.fakes.digital.coalesced(0), 0, 'edges merged on the way (the status latch, the DigitalBank\'s mask)');
      t.equal(hw.gpio.readStatus(0), 0, 'GPIO_STATUS is clear afterwards');
    },
  },
  {
    name: 'edge: a bouncing button is reported once per press by a debouncing thread',
    async run(t) {
      const DEBOUNCE_US = 5_000;
      const { board, sim, core } = makeBoard(1);
      const pin = board.pin(0);
      const button = new PushButton(sim, pin, { bounces: 4, bounceUs: 3_000 });
      const irq = board.gpioToIrq(0);
      let falling = 0;
      pin.onChange((level) => {
        if (level === 0) falling++;
      });
      let edgeAt = -Infinity;
      let hardirqs = 0;
      let swallowed = 0;
      const pressesAt: number[] = [];
      core.requestThreadedIrq(irq, () => {
        hardirqs++;
        if (sim.now() - edgeAt < DEBOUNCE_US) {
          swallowed++;
          return IRQ_HANDLED;
        }
        edgeAt = sim.now();
        return IRQ_WAKE_THREAD;
      }, async () => {
        await sleep(sim, DEBOUNCE_US);
        if (pin.level() === 0) pressesAt.push(edgeAt);
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_FALLING, 'button', button);
      sim.at(10_000, () => button.click(40_000));
      sim.at(120_000, () => button.click(60_000));
      await sim.advance(250_000);
      t.equal(button.presses, 2, 'presses');
      t.deepEqual(pressesAt, [10_000, 120_000].map((at) => at + sim.cpu.hardirqUs), 'presses reported, with the time of their first edge\'s hardirq');
      t.ok(swallowed > 0, `bounce edges swallowed by the primary handler (${swallowed})`);
      t.equal(hardirqs + board.provider.fakes.digital.coalesced(0), falling, 'every falling edge was handled or merged on the way');
      t.equal(core.irqToDesc(irq)!.count, hardirqs, 'count');
    },
  },
  {
    name: 'edge: a primary handler that throws is counted and logged once; its sharer still runs',
    async run(t) {
      const { board, sim, core, logs } = makeBoard();
      const out = board.pin(4).pushPull('dev');
      out.drive(0);
      const irq = board.gpioToIrq(4);
      let served = 0;
      core.requestIrq(irq, () => {
        throw new Error('register read failed');
      }, IRQF_SHARED | IRQF_TRIGGER_RISING, 'faulty', 'a');
      core.requestIrq(irq, () => {
        served++;
        return IRQ_HANDLED;
      }, IRQF_SHARED | IRQF_TRIGGER_RISING, 'good', 'b');
      for (let i = 0; i < 3; i++) {
        out.drive(1);
        await sim.advance(100);
        out.drive(0);
        await sim.advance(100);
      }
      t.equal(served, 3, 'the sharer ran for every edge');
      const desc = core.irqToDesc(irq)!;
      t.equal(desc.count, 3, 'count');
      t.equal(desc.errors, 3, 'errors');
      t.deepEqual(desc.actions, ['faulty', 'good'], 'both actions stay registered');
      const reports = logs.filter((l) => l.level === 'error' && /"faulty" threw: Error: register read failed/.test(l.message));
      t.equal(reports.length, 1, 'logged once');
    },
  },
];
