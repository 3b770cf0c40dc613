/*
 * Nested threads (seed 000's demultiplex case, the kernel's irq_set_nested_thread and handle_nested_irq):
 * a child line's threadFns run inside its parent's thread, and slow-bus chips write their state out in
 * irqBusSyncUnlock.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQF_ONESHOT, handleLevelIrq, handleSimpleIrq, type IrqChip, type IrqData,
} from '../../firmware/irq';
import { fakeChip, makeCore } from '../helpers/fake-chip';
import { sleep } from '../helpers/threads';

/** A parent level line and two nested children on a fake chip. */
function expanderLines() {
  const { sim, core, logs } = makeCore();
  const chip = fakeChip();
  const parent = core.irqAllocDesc();
  core.irqSetChipAndHandler(parent, chip, handleLevelIrq);
  const children = [core.irqAllocDesc(), core.irqAllocDesc()];
  for (const child of children) {
    core.irqSetChipAndHandler(child, chip, handleSimpleIrq);
    core.irqSetNestedThread(child, true);
  }
  return { sim, core, logs, chip, parent, children };
}

describe('nested thread lines', () => {
  test('requesting a nested line without a threadFn is EINVAL', () => {
    const { core, children } = expanderLines();
    expect(() => core.requestIrq(children[0], () => IRQ_HANDLED, 0, 'pin', 'p')).toThrow(/nested thread line; "pin" must supply a threadFn/);
  });

  test('a nested child gets no thread of its own', () => {
    const { core, children } = expanderLines();
    core.requestThreadedIrq(children[0], null, () => IRQ_HANDLED, 0, 'pin', 'p');
    expect(core.irqThreads()).toEqual([]);
    expect(core.irqToDesc(children[0])!.nestedThread).toBe(true);
  });

  test('handleNestedIrq runs the child\'s threadFn inside the parent thread\'s run and counts the child', async () => {
    const { sim, core, parent, children } = expanderLines();
    const order: string[] = [];
    core.requestThreadedIrq(children[0], null, (irq) => (order.push(`child ${irq}`), IRQ_HANDLED), 0, 'pin0', 'p0');
    core.requestThreadedIrq(parent, null, () => {
      order.push('parent starts');
      const ret = core.handleNestedIrq(children[0]);
      order.push(`parent ends (${String(ret)})`);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'expander', 'x');
    core.genericHandleIrq(parent);
    await sim.runUntilIdle();
    expect(order).toEqual(['parent starts', `child ${children[0]}`, `parent ends (${IRQ_HANDLED})`]);
    expect(core.irqToDesc(children[0])!.count).toBe(1);
  });

  test('an async child threadFn makes handleNestedIrq a promise the parent awaits; its line stays busy until then', async () => {
    const { sim, core, parent, children } = expanderLines();
    const order: string[] = [];
    core.requestThreadedIrq(children[0], null, async () => {
      await sleep(sim, 1000);
      order.push('child done');
      return IRQ_HANDLED;
    }, 0, 'pin0', 'p0');
    core.requestThreadedIrq(parent, null, async () => {
      const ret = await core.handleNestedIrq(children[0]);
      order.push(`parent got ${ret}`);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'expander', 'x');
    core.genericHandleIrq(parent);
    await sim.advance(500);
    expect(core.irqToDesc(children[0])!.threadsActive).toBe(1);
    expect(core.irqToDesc(parent)!.masked).toBe(true);
    await sim.runUntilIdle();
    expect(order).toEqual(['child done', `parent got ${IRQ_HANDLED}`]);
    expect(core.irqToDesc(children[0])!.threadsActive).toBe(0);
  });

  test('a child that throws is logged with the parent thread\'s name and counted; the other children still run', async () => {
    const { sim, core, logs, parent, children } = expanderLines();
    const seen: string[] = [];
    core.requestThreadedIrq(children[0], null, () => {
      throw new Error('bad register');
    }, 0, 'pin0', 'p0');
    core.requestThreadedIrq(children[1], null, () => (seen.push('pin1'), IRQ_HANDLED), 0, 'pin1', 'p1');
    core.requestThreadedIrq(parent, null, () => {
      for (const child of children) core.handleNestedIrq(child);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'expander', 'x');
    core.genericHandleIrq(parent);
    await sim.runUntilIdle();
    expect(seen).toEqual(['pin1']);
    expect(core.irqToDesc(children[0])!.errors).toBe(1);
    expect(logs).toContainEqual({ level: 'error', message: `irq/${parent}-expander: nested irq ${children[0]}: thread function of "pin0" failed: Error: bad register` });
  });

  test('an event for a disabled child is held pending and replayed when the child is enabled', async () => {
    const { sim, core, parent, children } = expanderLines();
    let runs = 0;
    core.requestThreadedIrq(children[0], null, () => (runs++, IRQ_HANDLED), 0, 'pin0', 'p0');
    core.requestThreadedIrq(parent, null, () => (core.handleNestedIrq(children[0]), IRQ_HANDLED), IRQF_ONESHOT, 'expander', 'x');
    core.disableIrqNosync(children[0]);
    core.genericHandleIrq(parent);
    await sim.runUntilIdle();
    expect(runs).toBe(0);
    expect(core.irqToDesc(children[0])).toMatchObject({ pending: true, deferred: 1 });
    core.enableIrq(children[0]);
    await sim.runUntilIdle();
    expect(runs).toBe(1);
    expect(core.irqToDesc(children[0])!.resends).toBe(1);
  });

  test('handleNestedIrq on a line that is not nested is EINVAL', () => {
    const { core, parent } = expanderLines();
    expect(() => core.handleNestedIrq(parent)).toThrow(/not nested \(call irqSetNestedThread first\)/);
  });

  test('synchronizeIrq on the child from the child\'s own threadFn rejects with EDEADLK', async () => {
    const { sim, core, parent, children } = expanderLines();
    let result: unknown;
    core.requestThreadedIrq(children[0], null, () => {
      core.synchronizeIrq(children[0]).catch((err: unknown) => {
        result = err;
      });
      return IRQ_HANDLED;
    }, 0, 'pin0', 'p0');
    core.requestThreadedIrq(parent, null, () => (core.handleNestedIrq(children[0]), IRQ_HANDLED), IRQF_ONESHOT, 'expander', 'x');
    core.genericHandleIrq(parent);
    await sim.runUntilIdle();
    expect(result).toMatchObject({ code: 'EDEADLK' });
  });

  test('changing the nesting of a requested line is EBUSY', () => {
    const { core, children } = expanderLines();
    core.requestThreadedIrq(children[0], null, () => IRQ_HANDLED, 0, 'pin0', 'p0');
    expect(() => core.irqSetNestedThread(children[0], false)).toThrow(/cannot change nesting/);
  });

  test('the primary handler of a nested action is never the driver\'s: a hardirq on the child warns and claims nothing', () => {
    const { core, logs, children } = expanderLines();
    core.requestThreadedIrq(children[0], () => IRQ_WAKE_THREAD, () => IRQ_HANDLED, 0, 'pin0', 'p0');
    core.genericHandleIrq(children[0]);
    expect(logs).toContainEqual({ level: 'warn', message: `Primary handler called for nested irq ${children[0]}` });
    expect(core.irqToDesc(children[0])!.unhandledTotal).toBe(1);
  });
});

describe('slow-bus chips', () => {
  /** A chip that collects mask changes under the bus lock and writes them out, slowly, on unlock. */
  function slowBusChip(sim: { after(us: number, cb: () => void): unknown }, fail = false) {
    const written: string[] = [];
    let shadow = '';
    const chip: IrqChip = {
      name: 'i2c-expander',
      irqMask: (d: IrqData) => void (shadow += `mask ${d.irq};`),
      irqUnmask: (d: IrqData) => void (shadow += `unmask ${d.irq};`),
      irqBusLock: () => void (shadow = ''),
      irqBusSyncUnlock: () => {
        if (shadow === '') return undefined;
        const batch = shadow;
        return new Promise<void>((resolve, reject) => sim.after(200, () => {
          if (fail) reject(new Error('NACK'));
          else {
            written.push(batch);
            resolve();
          }
        }));
      },
    };
    return { chip, written };
  }

  test('synchronizeIrq waits for the bus write-out that irqBusSyncUnlock started', async () => {
    const { sim, core } = makeCore();
    const { chip, written } = slowBusChip(sim);
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, chip, handleSimpleIrq);
    core.requestIrq(irq, () => IRQ_NONE, 0, 'pin', 'p');
    let synced = false;
    void core.synchronizeIrq(irq).then(() => {
      synced = true;
    });
    await sim.advance(100);
    expect(synced).toBe(false);
    await sim.advance(200);
    expect(synced).toBe(true);
    expect(written).toEqual([`unmask ${irq};`]);
  });

  test('a bus write-out that fails is logged and counted in the line\'s errors', async () => {
    const { sim, core, logs } = makeCore();
    const { chip } = slowBusChip(sim, true);
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, chip, handleSimpleIrq);
    core.requestIrq(irq, () => IRQ_NONE, 0, 'pin', 'p');
    await sim.runUntilIdle();
    expect(core.irqToDesc(irq)!.errors).toBe(1);
    expect(logs).toContainEqual({ level: 'error', message: `irq ${irq}: i2c-expander.irqBusSyncUnlock failed: Error: NACK` });
  });
});
