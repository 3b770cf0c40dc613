/*
 * The "nobody cared" detector on the simulated board: a level line stuck asserted with no handler claiming it.
 */
import { IRQ_NONE, IRQF_TRIGGER_HIGH, SPURIOUS_WINDOW } from '../../firmware/irq';
import type { Scenario } from './assert';
import { makeBoard } from './board';

export const spuriousScenarios: readonly Scenario[] = [
  {
    name: 'spurious: a stuck level line nobody claims is disabled after one window',
    async run(t) {
      const { board, sim, core, gpio, logged } = makeBoard();
      const out = board.pin(16).pushPull('stuck');
      out.drive(0);
      const irq = board.gpioToIrq(16);
      let calls = 0;
      core.requestIrq(irq, () => {
        calls++;
        return IRQ_NONE;
      }, IRQF_TRIGGER_HIGH, 'deaf', out);
      out.drive(1);
      await sim.runUntilIdle({ maxEvents: 2_000_000 });
      const desc = core.irqToDesc(irq)!;
      t.equal(desc.spuriousDisabled, true, 'disabled by the detector');
      t.equal(desc.disabled, true, 'disabled');
      t.equal(desc.count, SPURIOUS_WINDOW, 'one window of interrupts');
      t.equal(calls, SPURIOUS_WINDOW, 'the handler saw each of them');
      t.equal(gpio.pinInfo(16).masked, true, 'the pin is masked');
      t.ok(logged('error', new RegExp(`irq ${irq}: nobody cared.*"deaf"`)), 'logged as nobody cared');
      t.equal(out.driving, 1, 'the line is still stuck: the simulator went idle because the line is off');
    },
  },
];
