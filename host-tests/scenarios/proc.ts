/*
 * The statistics on the simulated board: the /proc/interrupts table and the thread listing.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQF_ONESHOT, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING } from '../../firmware/irq';
import { LevelSensor, PushButton, SENSOR_STATUS } from '../../hal/mock/devices';
import type { Scenario } from './assert';
import { makeBoard } from './board';

export const procScenarios: readonly Scenario[] = [
  {
    name: 'proc: the interrupt table lists counts, chips, pins, triggers, actions and states',
    async run(t) {
      const { board, hw, sim, core, gpio } = makeBoard();
      const button = new PushButton(sim, board.pin(0), { bounces: 0 });
      const buttonIrq = board.gpioToIrq(0);
      core.requestIrq(buttonIrq, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'button', button);
      const sensor = new LevelSensor(sim, board.i2c, 0x18, board.pin(21));
      const sensorIrq = board.gpioToIrq(21);
      core.requestThreadedIrq(sensorIrq, null, async () => {
        const status = await board.i2c.readRegister(0x18, SENSOR_STATUS);
        return status ? IRQ_HANDLED : IRQ_NONE;
      }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', sensor);
      const idleIrq = board.gpioToIrq(12);
      core.requestIrq(idleIrq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'idle', 'idle');
      core.disableIrqNosync(idleIrq);
      for (let i = 0; i < 3; i++) sim.at(1_000 + i * 10_000, () => button.click(2_000));
      sensor.raiseAfter(5_000);
      sensor.raiseAfter(15_000);
      await sim.advance(40_000);
      t.equal(core.genericHandleIrq(250), -22, 'an interrupt for an irq nobody allocated is -EINVAL');

      const lines = core.procInterrupts().split('\n');
      const row = (irq: number): string => lines.find((l) => l.trim().split(/\s+/)[0] === String(irq)) ?? '';
      t.match(lines[0], /^\s*IRQ\s+COUNT\s+UNHANDLED\s+DEFERRED\s+DROPPED\s+MERGED\s+CHIP\s+HWIRQ\s+TRIGGER\s+ACTIONS$/, 'header');
      t.match(row(buttonIrq), new RegExp(`^\\s*${buttonIrq}\\s+3\\s+0\\s+0\\s+-\\s+0\\s+esp32-gpio\\s+0\\s+edge-falling\\s+button$`), 'button row');
      t.match(row(sensorIrq), new RegExp(`^\\s*${sensorIrq}\\s+2\\s+0\\s+0\\s+-\\s+0\\s+esp32-gpio\\s+21\\s+level-low\\s+sensor$`), 'sensor row');
      t.match(row(idleIrq), /\s+0\s+0\s+0\s+-\s+0\s+esp32-gpio\s+12\s+edge-rising\s+idle \[disabled\(depth 1\)\]$/, 'disabled row');
      t.equal(hw.gpio.interruptsTaken, 5, 'GPIO interrupts the CPU took (ETS_GPIO_INTR_SOURCE)');
      const delivered = gpio.stats.deliveries;
      t.equal(delivered, 5, 'onReadable deliveries, one per interrupt');
      // The chip's parent line is not a CPU interrupt source but its onReadable, allocated outside any domain
      // (its hwirq is its irq); it counts one interrupt per delivery.
      t.match(row(gpio.parentIrq), new RegExp(`^\\s*${gpio.parentIrq}\\s+${delivered}\\s+0\\s+0\\s+-\\s+0\\s+esp32-gpio-onreadable\\s+${gpio.parentIrq}\\s+none\\s+\\(chained\\)$`), 'chained parent row');
      t.equal(row(board.gpioToIrq(33)), '', 'a line never requested and never fired has no row');
      t.match(lines[lines.length - 1], /^ERR:\s+1$/, 'ERR row');

      const threads = core.irqThreads().map((info) => ({ name: info.name, state: info.state, wakeups: info.wakeups, runs: info.runs, errors: info.errors }));
      t.deepEqual(threads, [{ name: `irq/${sensorIrq}-sensor`, state: 'idle', wakeups: 2, runs: 2, errors: 0 }], 'thread listing');
    },
  },
];
