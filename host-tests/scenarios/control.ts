/*
 * Controlling lines on the simulated board: nested disables, replay of an edge that arrived while disabled,
 * freeIrq waiting for a running thread, and the error contract of requests.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQF_ONESHOT, IRQF_SHARED, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING, IrqError,
} from '../../firmware/irq';
import { LevelSensor, SENSOR_STATUS } from '../../hal/mock/devices';
import type { Scenario } from './assert';
import { makeBoard } from './board';

export const controlScenarios: readonly Scenario[] = [
  {
    name: 'control: disables nest, and only the last enable replays the edge that arrived meanwhile',
    async run(t) {
      const { board, sim, core, gpio, logged } = makeBoard();
      const out = board.pin(12).pushPull('dev');
      out.drive(0);
      const irq = board.gpioToIrq(12);
      const times: number[] = [];
      core.requestIrq(irq, () => {
        times.push(sim.now());
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_RISING, 'dev', out);
      await core.disableIrq(irq);
      core.disableIrqNosync(irq);
      t.equal(core.irqToDesc(irq)!.depth, 2, 'depth after two disables');
      sim.at(100, () => out.drive(1));
      await sim.advance(1_000);
      t.deepEqual(times, [], 'nothing handled while disabled');
      t.equal(core.irqToDesc(irq)!.pending, true, 'the edge is pending');
      t.equal(gpio.pinInfo(12).masked, true, 'the pin was masked when the edge arrived');
      core.enableIrq(irq);
      await sim.advance(1_000);
      t.equal(core.irqToDesc(irq)!.depth, 1, 'depth after one enable');
      t.deepEqual(times, [], 'still nothing handled');
      core.enableIrq(irq);
      await sim.advance(1_000);
      // The HAL chip replays a pending edge from its deferred raise job (Platform.createDeferred), which the
      // simulator charges as a job of the board's CPU (sim.cpu.threadUs) before it runs.
      t.deepEqual(times, [2_000 + sim.cpu.threadUs], 'the last enable replays the edge through the chip');
      const desc = core.irqToDesc(irq)!;
      t.equal(desc.depth, 0, 'depth');
      t.equal(desc.resends, 1, 'resends');
      t.equal(desc.count, 1, 'count');
      t.equal(desc.pending, false, 'nothing pending');
      core.enableIrq(irq);
      t.equal(core.irqToDesc(irq)!.depth, 0, 'an unbalanced enable leaves depth at 0');
      t.ok(logged('warn', new RegExp(`Unbalanced enable for IRQ ${irq}`)), 'and warns');
    },
  },
  {
    name: 'control: freeIrq resolves to the action\'s name only once its running thread is done',
    async run(t) {
      const { board, hw, sim, core, gpio, logged } = makeBoard();
      const sensor = new LevelSensor(sim, board.i2c, 0x18, board.pin(21));
      const irq = board.gpioToIrq(21);
      const events: string[] = [];
      core.requestThreadedIrq(irq, null, async () => {
        events.push('thread start');
        const status = await board.i2c.readRegister(0x18, SENSOR_STATUS);
        events.push('thread end');
        return status ? IRQ_HANDLED : IRQ_NONE;
      }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', sensor);
      sensor.raise(1);
      await sim.advance(50);
      t.deepEqual(events, ['thread start'], 'the thread is waiting on the bus');
      const freed = core.freeIrq(irq, sensor).then((name) => {
        events.push(`freed ${String(name)}`);
        return name;
      });
      t.deepEqual(core.irqToDesc(irq)!.actions, [], 'the action left the line at once');
      t.equal(gpio.pinInfo(21).open, false, 'the line is shut down: its DigitalBank is closed');
      t.equal(hw.gpio.intEnabled(21), false, 'and the pin interrupt is off');
      await sim.advance(1_000);
      t.deepEqual(events, ['thread start', 'thread end', 'freed sensor'], 'freed after the thread finished');
      t.equal(await freed, 'sensor', 'resolves to the name');
      t.equal(core.irqThreads().some((info) => info.name === `irq/${irq}-sensor`), false, 'the thread is retired');
      t.equal(await core.freeIrq(irq, sensor), undefined, 'freeing again resolves to undefined');
      t.ok(logged('warn', new RegExp(`Trying to free already-free IRQ ${irq}`)), 'and warns');
      sensor.raise(1);
      await sim.advance(1_000);
      t.deepEqual(events, ['thread start', 'thread end', 'freed sensor'], 'a freed line runs nothing');
    },
  },
  {
    name: 'control: requests that cannot be honoured throw IrqError with the errno code and the irq',
    async run(t) {
      const { board, core, gpio } = makeBoard();
      const irq = board.gpioToIrq(4);
      core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'first', 1);
      const busy = t.throws(() => core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'second', 2), {
        instanceOf: IrqError, code: 'EBUSY', message: new RegExp(`irq ${irq}: already requested by "first"`),
      });
      t.equal((busy as IrqError).name, 'IrqError', 'name');
      t.equal((busy as IrqError).irq, irq, 'irq');
      t.throws(() => core.requestIrq(irq, () => IRQ_HANDLED, IRQF_SHARED, 'nodev'), { code: 'EINVAL', message: /IRQF_SHARED needs a devId/ });
      t.throws(() => core.requestThreadedIrq(board.gpioToIrq(5), null, () => IRQ_HANDLED, IRQF_TRIGGER_LOW, 'nooneshot', 3), {
        code: 'EINVAL', message: /handler=NULL and !ONESHOT/,
      });
      t.throws(() => core.requestIrq(gpio.parentIrq, () => IRQ_HANDLED, 0, 'parent', 4), { code: 'EINVAL', message: /chained handler/ });
      t.throws(() => core.enableIrq(999), { code: 'EINVAL', message: /irq 999 is not allocated/ });
      await t.rejects(core.disableIrq(999), { code: 'EINVAL' });
      t.deepEqual(core.irqToDesc(irq)!.actions, ['first'], 'the refused requests left the line as it was');
    },
  },
  {
    name: 'control: a driver handed an IrqLine reaches only its own action, and the views cannot be written',
    async run(t) {
      const { board, sim, core } = makeBoard();
      const out = board.pin(12).pushPull('dev');
      out.drive(0);
      const irq = board.gpioToIrq(12);
      const served: string[] = [];
      const a = core.requestIrqLine(irq, () => (served.push('a'), IRQ_HANDLED), IRQF_SHARED | IRQF_TRIGGER_RISING, 'a', 'devA');
      core.requestIrqLine(irq, () => (served.push('b'), IRQ_HANDLED), IRQF_SHARED | IRQF_TRIGGER_RISING, 'b', 'devB');
      a.disableIrqNosync();
      t.equal(core.irqToDesc(irq)!.depth, 1, 'the line disables its irq');
      a.enableIrq();
      const desc = core.irqToDesc(irq)!;
      t.throws(() => writeStrict(desc, 'depth', 7), { instanceOf: TypeError }, 'a write through the snapshot throws');
      t.equal(core.irqToDesc(irq)!.depth, 0, 'and the depth is the core\'s');
      t.deepEqual(JSON.parse(JSON.stringify(core.irqToDesc(irq))).actions, ['a', 'b'], 'the snapshot goes through JSON');
      t.equal(await a.freeIrq(), 'a', 'the line frees its own action');
      out.drive(1);
      await sim.advance(1_000);
      t.deepEqual(served, ['b'], 'the sharer is still served, the freed action not');
      t.throws(() => a.enableIrq(), { code: 'EINVAL', message: /enableIrq through the line of "a", whose action was freed/ }, 'a freed line refuses');
      await t.rejects(a.synchronizeIrq(), { code: 'EINVAL' }, 'and rejects');
    },
  },
];

/** An assignment as strict code makes it, whatever the bundler emits for the module around it. */
function writeStrict(target: object, key: string, value: unknown): void {
  'use strict';
  (target as Record<string, unknown>)[key] = value;
}
