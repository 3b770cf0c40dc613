/*
 * irqSetIrqType on a chip flagged IRQCHIP_SET_TYPE_MASKED (kernel/irq/manage.c, __irq_set_trigger): the line is
 * masked around the chip's irqSetType, and let through again afterwards only when the one unmask rule allows it.
 */
import { IRQ_HANDLED, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_LOW, IRQCHIP_SET_TYPE_MASKED, IRQF_ONESHOT, IRQF_TRIGGER_HIGH } from '../../firmware/irq';
import { makeLine } from '../helpers/fake-chip';

test('a type change on a SET_TYPE_MASKED chip masks the line around irqSetType and unmasks it after', () => {
  const { core, chip, irq } = makeLine({ flags: IRQCHIP_SET_TYPE_MASKED });
  core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_HIGH, 'dev', 'dev');
  chip.calls.length = 0;
  core.irqSetIrqType(irq, IRQ_TYPE_LEVEL_LOW);
  expect(chip.calls).toEqual([`irqMask:${irq}`, `irqSetType:${irq}:${IRQ_TYPE_LEVEL_LOW}`, `irqUnmask:${irq}`]);
  expect(core.irqToDesc(irq)!.masked).toBe(false);
});

test('a type change while the line\'s oneshot thread holds it leaves the line masked for the thread to unmask', async () => {
  const { sim, core, chip, irq } = makeLine({ flags: IRQCHIP_SET_TYPE_MASKED });
  let release: () => void = () => {};
  core.requestThreadedIrq(irq, null, () => new Promise((done) => {
    release = () => done(IRQ_HANDLED);
  }), IRQF_ONESHOT | IRQF_TRIGGER_HIGH, 'dev', 'dev');
  core.genericHandleIrq(irq);
  await sim.advance(100);
  expect(core.irqToDesc(irq)!.masked).toBe(true);
  chip.calls.length = 0;
  core.irqSetIrqType(irq, IRQ_TYPE_EDGE_RISING);
  expect(chip.calls).toEqual([`irqSetType:${irq}:${IRQ_TYPE_EDGE_RISING}`]);
  expect(core.irqToDesc(irq)!.masked).toBe(true);
  release();
  await sim.advance(100);
  expect(core.irqToDesc(irq)!.masked).toBe(false);
});

test('a type change on a disabled line leaves it masked', async () => {
  const { core, chip, irq } = makeLine({ flags: IRQCHIP_SET_TYPE_MASKED });
  core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_HIGH, 'dev', 'dev');
  await core.disableIrq(irq);
  core.genericHandleIrq(irq); // lazy disable: the flow masks it
  chip.calls.length = 0;
  core.irqSetIrqType(irq, IRQ_TYPE_LEVEL_LOW);
  expect(chip.calls).toEqual([`irqSetType:${irq}:${IRQ_TYPE_LEVEL_LOW}`]);
  expect(core.irqToDesc(irq)!.masked).toBe(true);
});
