/*
 * Moddable's preload runs the firmware modules at build time, then freezes every function, class and the
 * built-in prototypes. This suite freezes the same things before any core is created, then drives the
 * core through requests, errors, threads and frees: anything that writes to a frozen object throws here
 * as it would on the board.
 */
import * as irq from '../../firmware/irq';
import { IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_ONESHOT, IRQF_TRIGGER_RISING, IrqCore, IrqError, handleEdgeIrq } from '../../firmware/irq';
import { Simulator } from '../../hal/mock/sim';
import { fakeChip } from '../helpers/fake-chip';
import { freezeLikePreload } from '../helpers/freeze';

beforeAll(() => {
  freezeLikePreload([irq]);
});

test('the exports really are frozen, classes and their prototypes included', () => {
  expect(Object.isFrozen(IrqCore)).toBe(true);
  expect(Object.isFrozen(IrqCore.prototype)).toBe(true);
  expect(Object.isFrozen(irq.IRQ_TRACE)).toBe(true);
});

test('the core runs with its module exports and the built-in prototypes frozen', async () => {
  const sim = new Simulator();
  const logs: string[] = [];
  const core = new IrqCore({ platform: sim.platform, log: (_l, m) => logs.push(m) });
  const line = core.irqAllocDesc();
  core.irqSetChipAndHandler(line, fakeChip(), handleEdgeIrq);
  let ran = 0;
  core.requestThreadedIrq(line, () => IRQ_WAKE_THREAD, async () => (ran++, IRQ_HANDLED), IRQF_ONESHOT | IRQF_TRIGGER_RISING, 'dev', 1);
  core.genericHandleIrq(line);
  await sim.runUntilIdle();
  expect(ran).toBe(1);
  expect(core.procInterrupts()).toMatch(/dev/);
  await expect(core.freeIrq(line, 1)).resolves.toBe('dev');
});

test('a line handle (IrqLine, frozen itself, its state in private fields) works with the exports frozen', async () => {
  const sim = new Simulator();
  const core = new IrqCore({ platform: sim.platform, log: () => {} });
  const line = core.irqAllocDesc();
  core.irqSetChipAndHandler(line, fakeChip(), handleEdgeIrq);
  let ran = 0;
  const handle = core.requestThreadedIrqLine(line, () => IRQ_WAKE_THREAD, () => (ran++, IRQ_HANDLED), IRQF_ONESHOT | IRQF_TRIGGER_RISING, 'dev', 1);
  handle.disableIrqNosync();
  handle.enableIrq();
  handle.irqWakeThread();
  await sim.runUntilIdle();
  expect(ran).toBe(1);
  await expect(handle.freeIrq()).resolves.toBe('dev');
  expect(() => handle.enableIrq()).toThrow(IrqError);
});

test('IrqError can be created and read with Error.prototype frozen', () => {
  expect(Object.isFrozen(Error.prototype)).toBe(true);
  const err = new IrqError('EBUSY', 'irq 3: taken', 3);
  expect(err.name).toBe('IrqError');
  expect(err.code).toBe('EBUSY');
  expect(err.message).toBe('EBUSY: irq 3: taken');
});
