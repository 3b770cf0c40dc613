import {
  IRQ_HANDLED, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_RISING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, handleEdgeIrq,
  handleLevelIrq,
} from '../../firmware/irq';
import { makeLine } from '../helpers/fake-chip';

const handled = () => IRQ_HANDLED;

describe('disable depth (kernel/irq/irq_test.c)', () => {
  test('disables nest and enables un-nest', () => {
    const { core, irq, desc } = makeLine();
    core.requestIrq(irq, handled, 0, 'dev', {});
    core.disableIrqNosync(irq);
    core.disableIrqNosync(irq);
    expect(desc().depth).toBe(2);
    core.enableIrq(irq);
    expect(desc().depth).toBe(1);
    expect(desc().disabled).toBe(true);
    core.enableIrq(irq);
    expect(desc().depth).toBe(0);
    expect(desc().disabled).toBe(false);
  });

  test('an unbalanced enable warns "Unbalanced enable for IRQ N" and depth stays 0', () => {
    const { core, irq, desc, logs } = makeLine();
    core.requestIrq(irq, handled, 0, 'dev', {});
    core.enableIrq(irq);
    expect(desc().depth).toBe(0);
    expect(logs).toContainEqual({ level: 'warn', message: `Unbalanced enable for IRQ ${irq}` });
  });

  test('freeing a disabled line keeps depth >= 1 and the next request starts at 0', async () => {
    const { core, irq, desc } = makeLine();
    core.requestIrq(irq, handled, 0, 'dev', 1);
    await core.disableIrq(irq);
    expect(desc().depth).toBe(1);
    await core.freeIrq(irq, 1);
    expect(desc().depth).toBeGreaterThanOrEqual(1);
    core.requestIrq(irq, handled, 0, 'dev', 2);
    expect(desc().depth).toBe(0);
    expect(desc().disabled).toBe(false);
  });

  test('freeing the last action shuts the line down through the chip', async () => {
    const { core, irq, chip, desc } = makeLine();
    core.requestIrq(irq, handled, 0, 'dev', 1);
    await expect(core.freeIrq(irq, 1)).resolves.toBe('dev');
    expect(chip.callsOf('irqShutdown')).toEqual([irq]);
    expect(desc().started).toBe(false);
    expect(desc().actions).toEqual([]);
  });

  test('disableHardirq disables at once and reports no thread active', () => {
    const { core, irq, desc } = makeLine();
    core.requestIrq(irq, handled, 0, 'dev', 1);
    expect(core.disableHardirq(irq)).toBe(true);
    expect(desc().depth).toBe(1);
  });

  test('enableIrq on an unallocated irq is EINVAL', () => {
    const { core } = makeLine();
    expect(() => core.enableIrq(99)).toThrow(/irq 99 is not allocated/);
  });

  test('disableIrq on an unallocated irq rejects with EINVAL', async () => {
    const { core } = makeLine();
    await expect(core.disableIrq(99)).rejects.toMatchObject({ code: 'EINVAL' });
  });
});

describe('lazy disable', () => {
  test('disabling does not mask the hardware at once', () => {
    const { core, irq, chip, desc } = makeLine({}, handleEdgeIrq);
    core.requestIrq(irq, handled, IRQF_TRIGGER_RISING, 'dev', {});
    chip.calls.length = 0;
    core.disableIrqNosync(irq);
    expect(chip.calls).toEqual([]);
    expect(desc().masked).toBe(false);
    expect(desc().disabled).toBe(true);
  });

  test('a chip with irqDisable is disabled at once, as the kernel does', () => {
    const { core, irq, chip, desc } = makeLine({ without: ['irqMaskAck', 'irqEoi', 'irqRetrigger'] }, handleEdgeIrq);
    core.requestIrq(irq, handled, 0, 'dev', {});
    core.disableIrqNosync(irq);
    expect(chip.callsOf('irqDisable')).toEqual([irq]);
    expect(desc().masked).toBe(true);
  });

  test('an edge while disabled is masked then, marked pending, and not handled', () => {
    const { core, irq, chip, desc } = makeLine({}, handleEdgeIrq);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'dev', {});
    core.disableIrqNosync(irq);
    core.genericHandleIrq(irq);
    expect(calls).toBe(0);
    expect(chip.callsOf('irqMask')).toEqual([irq]);
    expect(desc().masked).toBe(true);
    expect(desc().pending).toBe(true);
    expect(desc().deferred).toBe(1);
  });

  test('enableIrq replays a pending edge through the chip retrigger', () => {
    const { core, irq, chip, desc } = makeLine({ without: ['irqDisable', 'irqMaskAck', 'irqEoi'], retrigger: true }, handleEdgeIrq);
    core.requestIrq(irq, handled, IRQF_TRIGGER_RISING, 'dev', {});
    core.disableIrqNosync(irq);
    core.genericHandleIrq(irq);
    core.enableIrq(irq);
    expect(chip.callsOf('irqRetrigger')).toEqual([irq]);
    // The line was disabled, so irq_enable goes through the chip's irqEnable, which also unmasks.
    expect(chip.callsOf('irqEnable')).toEqual([irq]);
    expect(desc().masked).toBe(false);
    expect(desc().pending).toBe(false);
    expect(desc().resends).toBe(1);
  });

  test('without a chip retrigger the pending edge is resent in software after the current job', async () => {
    const { sim, core, irq, desc } = makeLine({}, handleEdgeIrq);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'dev', {});
    core.disableIrqNosync(irq);
    core.genericHandleIrq(irq);
    core.enableIrq(irq);
    expect(calls).toBe(0);
    await sim.runUntilIdle();
    expect(calls).toBe(1);
    expect(desc().count).toBe(1);
    expect(desc().pending).toBe(false);
  });

  test('a software resend cancelled by freeing the line does not run', async () => {
    const { sim, core, irq } = makeLine({}, handleEdgeIrq);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'dev', 1);
    core.disableIrqNosync(irq);
    core.genericHandleIrq(irq);
    core.enableIrq(irq);
    const freed = core.freeIrq(irq, 1);
    await sim.runUntilIdle();
    await freed;
    expect(calls).toBe(0);
  });

  test('a level line is not replayed on enable (the level is still there)', async () => {
    const { sim, core, irq, chip, desc } = makeLine({ retrigger: true, without: ['irqDisable', 'irqMaskAck', 'irqEoi'] }, handleLevelIrq);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_HIGH, 'dev', {});
    core.disableIrqNosync(irq);
    core.genericHandleIrq(irq);
    expect(desc().masked).toBe(true);
    core.enableIrq(irq);
    await sim.runUntilIdle();
    expect(calls).toBe(0);
    expect(chip.callsOf('irqRetrigger')).toEqual([]);
    expect(desc().pending).toBe(false);
    expect(desc().masked).toBe(false);
  });
});

describe('irqSetIrqType and irqSetIrqWake', () => {
  test('irqSetIrqType calls the chip and records the type', () => {
    const { core, irq, chip, desc } = makeLine();
    expect(core.irqSetIrqType(irq, IRQ_TYPE_LEVEL_HIGH)).toBe(0);
    expect(chip.calls).toContain(`irqSetType:${irq}:${IRQ_TYPE_LEVEL_HIGH}`);
    expect(desc().triggerType).toBe(IRQ_TYPE_LEVEL_HIGH);
  });

  test('irqSetIrqType on a chip without irqSetType is ENOSYS', () => {
    const { core, irq } = makeLine({ without: ['irqSetType'] });
    expect(() => core.irqSetIrqType(irq, IRQ_TYPE_EDGE_RISING)).toThrow(expect.objectContaining({ code: 'ENOSYS' }));
  });

  test('an invalid trigger type is EINVAL', () => {
    const { core, irq } = makeLine();
    expect(() => core.irqSetIrqType(irq, 5)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  test('a chip that refuses the type gives an IrqError naming the irq, and the type is unchanged', () => {
    const { core, irq, chip, desc } = makeLine();
    chip.irqSetType = () => {
      throw new Error('both edges unsupported');
    };
    expect(() => core.irqSetIrqType(irq, 3)).toThrow(new RegExp(`irq ${irq}: fake.irqSetType\\(edge-both\\) failed: Error: both edges unsupported`));
    expect(desc().triggerType).toBe(0);
  });

  test('wake enables nest; the chip hears the first on and the last off', () => {
    const { core, irq, chip, desc } = makeLine();
    core.irqSetIrqWake(irq, true);
    core.irqSetIrqWake(irq, true);
    core.irqSetIrqWake(irq, false);
    expect(chip.calls.filter((c) => c.startsWith('irqSetWake'))).toEqual([`irqSetWake:${irq}:true`]);
    core.irqSetIrqWake(irq, false);
    expect(chip.calls.filter((c) => c.startsWith('irqSetWake'))).toEqual([`irqSetWake:${irq}:true`, `irqSetWake:${irq}:false`]);
    expect(desc().wakeDepth).toBe(0);
  });

  test('irqSetIrqWake on a chip that cannot wake is ENOSYS and the wake depth stays 0', () => {
    const { core, irq, desc } = makeLine({ without: ['irqSetWake'] });
    expect(() => core.irqSetIrqWake(irq, true)).toThrow(expect.objectContaining({ code: 'ENOSYS' }));
    expect(desc().wakeDepth).toBe(0);
  });

  test('an unbalanced wake disable warns', () => {
    const { core, irq, logs } = makeLine();
    core.irqSetIrqWake(irq, false);
    expect(logs).toContainEqual({ level: 'warn', message: `Unbalanced IRQ ${irq} wake disable` });
  });
});
