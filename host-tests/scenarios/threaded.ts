/*
 * Threaded handlers on the simulated board: a level-triggered I2C sensor behind a oneshot thread, thread
 * priorities, fault isolation of threads, and the EDEADLK refusal of a thread waiting for its own line.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQF_ONESHOT, IRQF_SHARED, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING,
  type IrqCore, type IrqThreadInfo,
} from '../../firmware/irq';
import { LevelSensor, SENSOR_DATA, SENSOR_STATUS } from '../../hal/mock/devices';
import type { Scenario } from './assert';
import { makeBoard, sleep } from './board';

function threadNamed(core: IrqCore, name: string): IrqThreadInfo | undefined {
  return core.irqThreads().find((info) => info.name === name);
}

export const threadedScenarios: readonly Scenario[] = [
  {
    name: 'threaded: a level sensor on I2C with IRQF_ONESHOT raises exactly one interrupt per data-ready',
    async run(t) {
      const { board, sim, core, gpio } = makeBoard();
      const sensor = new LevelSensor(sim, board.i2c, 0x18, board.pin(21));
      const irq = board.gpioToIrq(21);
      const samples: number[] = [];
      const maskedDuringRead: boolean[] = [];
      core.requestThreadedIrq(irq, null, async () => {
        maskedDuringRead.push(gpio.pinInfo(21).masked);
        const status = await board.i2c.readRegister(0x18, SENSOR_STATUS);
        if (status === 0) return IRQ_NONE;
        maskedDuringRead.push(gpio.pinInfo(21).masked);
        samples.push(await board.i2c.readRegister(0x18, SENSOR_DATA));
        return IRQ_HANDLED;
      }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', sensor);
      for (let i = 0; i < 5; i++) sensor.raiseAfter(1_000 + i * 2_000, 1, 40 + i);
      await sim.advance(1_050);
      t.equal(core.irqToDesc(irq)!.masked, true, 'the line is masked while the thread waits on the bus');
      await sim.advance(11_000);
      t.deepEqual(samples, [40, 41, 42, 43, 44], 'samples');
      t.equal(maskedDuringRead.every((m) => m), true, 'masked for the whole thread run');
      const desc = core.irqToDesc(irq)!;
      t.equal(desc.count, 5, 'one interrupt per data-ready');
      t.equal(desc.unhandledTotal, 0, 'unhandled');
      t.equal(sensor.statusReads, 5, 'one STATUS read per event: no extra interrupt after the thread');
      t.equal(sensor.eventsCleared, 5, 'events cleared');
      t.equal(desc.masked, false, 'unmasked once the thread is done');
      t.equal(gpio.pinInfo(21).masked, false, 'the pin is unmasked again');
      const info = threadNamed(core, `irq/${irq}-sensor`);
      t.ok(info !== undefined, 'the thread is listed as irq/N-sensor');
      t.equal(info!.runs, 5, 'thread runs');
      t.equal(info!.errors, 0, 'thread errors');
    },
  },
  {
    name: 'threaded: two sensors sharing one open-drain INT line are each served by their own thread',
    async run(t) {
      const { board, sim, core } = makeBoard();
      const a = new LevelSensor(sim, board.i2c, 0x18, board.pin(23), { name: 'a' });
      const b = new LevelSensor(sim, board.i2c, 0x19, board.pin(23), { name: 'b' });
      const irq = board.gpioToIrq(23);
      const served: string[] = [];
      for (const [sensor, address] of [[a, 0x18], [b, 0x19]] as const) {
        core.requestThreadedIrq(irq, null, async () => {
          const status = await board.i2c.readRegister(address, SENSOR_STATUS);
          if (status === 0) return IRQ_NONE;
          served.push(sensor.name);
          return IRQ_HANDLED;
        }, IRQF_SHARED | IRQF_ONESHOT | IRQF_TRIGGER_LOW, sensor.name, sensor);
      }
      b.raise();
      await sim.advance(5_000);
      a.raise();
      b.raise();
      await sim.advance(5_000);
      t.deepEqual(served.slice().sort(), ['a', 'b', 'b'], 'served');
      t.equal(a.eventsRaised - a.eventsCleared, 0, 'a has nothing pending');
      t.equal(b.eventsRaised - b.eventsCleared, 0, 'b has nothing pending');
      t.equal(board.pin(23).level(), 1, 'INT released');
      t.deepEqual(core.irqToDesc(irq)!.actions, ['a', 'b'], 'actions');
    },
  },
  {
    name: 'threaded: woken threads run highest priority first, after the hardirqs',
    async run(t) {
      const { board, sim, core } = makeBoard();
      const low = board.pin(4).pushPull('low');
      const high = board.pin(5).pushPull('high');
      low.drive(0);
      high.drive(0);
      const order: string[] = [];
      const lowIrq = board.gpioToIrq(4);
      const highIrq = board.gpioToIrq(5);
      const lowDev = { name: 'low' };
      const highDev = { name: 'high' };
      for (const [irq, dev] of [[lowIrq, lowDev], [highIrq, highDev]] as const) {
        core.requestThreadedIrq(irq, () => {
          order.push(`hardirq ${dev.name}`);
          return IRQ_WAKE_THREAD;
        }, () => {
          order.push(`thread ${dev.name}`);
          return IRQ_HANDLED;
        }, IRQF_TRIGGER_RISING, dev.name, dev);
      }
      core.irqSetThreadPriority(lowIrq, lowDev, 10);
      core.irqSetThreadPriority(highIrq, highDev, 90);
      sim.at(100, () => {
        low.drive(1);
        high.drive(1);
      });
      await sim.advance(1_000);
      t.deepEqual(order, ['hardirq low', 'hardirq high', 'thread high', 'thread low'], 'order');
      t.equal(threadNamed(core, `irq/${highIrq}-high`)!.priority, 90, 'priority of the high thread');
    },
  },
  {
    name: 'threaded: a thread that throws or rejects is isolated, counted, and its oneshot line unmasked',
    async run(t) {
      const { board, sim, core, gpio, logged } = makeBoard();
      const out = board.pin(4).pushPull('dev');
      out.drive(0);
      const faultyIrq = board.gpioToIrq(4);
      let faultyRuns = 0;
      core.requestThreadedIrq(faultyIrq, null, (): number | Promise<number> => {
        faultyRuns++;
        if (faultyRuns === 1) throw new Error('sync fault');
        if (faultyRuns === 2) {
          return (async () => {
            await sleep(sim, 100);
            throw new Error('async fault');
          })();
        }
        return IRQ_HANDLED;
      }, IRQF_ONESHOT | IRQF_TRIGGER_RISING, 'faulty', out);
      const sensor = new LevelSensor(sim, board.i2c, 0x18, board.pin(21));
      const sensorIrq = board.gpioToIrq(21);
      const samples: number[] = [];
      core.requestThreadedIrq(sensorIrq, null, async () => {
        const status = await board.i2c.readRegister(0x18, SENSOR_STATUS);
        if (status === 0) return IRQ_NONE;
        samples.push(await board.i2c.readRegister(0x18, SENSOR_DATA));
        return IRQ_HANDLED;
      }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', sensor);
      for (let i = 0; i < 3; i++) {
        sim.at(1_000 + i * 2_000, () => out.drive(1));
        sim.at(1_100 + i * 2_000, () => out.drive(0));
        sensor.raiseAfter(1_500 + i * 2_000, 1, i + 1);
      }
      await sim.advance(8_000);
      t.equal(faultyRuns, 3, 'the faulty thread ran for each edge');
      const faulty = threadNamed(core, `irq/${faultyIrq}-faulty`)!;
      t.equal(faulty.runs, 3, 'runs');
      t.equal(faulty.errors, 2, 'errors');
      t.equal(faulty.state, 'idle', 'idle again');
      t.ok(logged('error', new RegExp(`irq/${faultyIrq}-faulty: thread function failed: Error: sync fault`)), 'sync failure logged with the thread name');
      t.ok(logged('error', new RegExp(`irq/${faultyIrq}-faulty: thread function failed: Error: async fault`)), 'async failure logged with the thread name');
      t.equal(core.irqToDesc(faultyIrq)!.masked, false, 'the faulty oneshot line is unmasked');
      t.equal(gpio.pinInfo(4).masked, false, 'its pin is unmasked');
      t.deepEqual(samples, [1, 2, 3], 'the other line was served throughout');
      t.equal(threadNamed(core, `irq/${sensorIrq}-sensor`)!.errors, 0, 'the other thread has no error');
    },
  },
  {
    name: 'threaded: synchronizeIrq and disableIrq from the line\'s own thread reject with EDEADLK',
    async run(t) {
      const { board, sim, core } = makeBoard();
      const out = board.pin(4).pushPull('dev');
      out.drive(0);
      const irq = board.gpioToIrq(4);
      const outcomes: Promise<unknown>[] = [];
      core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, () => {
        outcomes.push(t.rejects(core.synchronizeIrq(irq), { code: 'EDEADLK', message: new RegExp(`irq ${irq}: synchronizeIrq called from irq/${irq}-self`) }));
        outcomes.push(t.rejects(core.disableIrq(irq), { code: 'EDEADLK' }));
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_RISING, 'self', out);
      out.drive(1);
      await sim.advance(100);
      t.equal(outcomes.length, 2, 'the thread ran');
      await Promise.all(outcomes);
      t.equal(core.irqToDesc(irq)!.depth, 0, 'the refused disableIrq left the depth alone');
      await core.synchronizeIrq(irq);
      t.equal(core.irqToDesc(irq)!.threadsActive, 0, 'synchronizeIrq from outside resolves once the thread is done');
    },
  },
];
