import {
  IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQCHIP_ONESHOT_SAFE, IRQF_NO_AUTOEN, IRQF_ONESHOT, IRQF_SHARED,
  IRQF_TRIGGER_FALLING, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING, IRQ_TYPE_EDGE_FALLING,
  IRQ_TYPE_LEVEL_LOW, IrqCore, IrqError, handleLevelIrq,
} from '../../firmware/irq';
import { makeCore, makeLine } from '../helpers/fake-chip';

const handled = () => IRQ_HANDLED;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IrqError);
    return (err as IrqError).code;
  }
  return undefined;
}

describe('requestIrq / requestThreadedIrq', () => {
  test('a request on an enabled line starts it at depth 0, unmasked, and returns 0', () => {
    const { core, chip, irq, desc } = makeLine();
    expect(core.requestIrq(irq, handled, 0, 'dev', {})).toBe(0);
    expect(desc().depth).toBe(0);
    expect(desc().disabled).toBe(false);
    expect(desc().masked).toBe(false);
    expect(desc().actions).toEqual(['dev']);
    expect(chip.callsOf('irqStartup')).toEqual([irq]);
  });

  test('an irq that was never allocated is EINVAL and names the irq', () => {
    const { core } = makeCore();
    expect(() => core.requestIrq(42, handled, 0, 'dev', {})).toThrow(/irq 42 is not allocated/);
    expect(codeOf(() => core.requestIrq(42, handled, 0, 'dev', {}))).toBe('EINVAL');
  });

  test('IrqError is an Error with a name, a code and the irq', () => {
    const { core } = makeCore();
    let caught: unknown;
    try {
      core.requestIrq(7, handled, 0, 'dev', {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as IrqError).name).toBe('IrqError');
    expect((caught as IrqError).irq).toBe(7);
    expect(String(caught)).toMatch(/^IrqError: EINVAL: irq 7/);
  });

  test('neither handler nor threadFn is EINVAL', () => {
    const { core, irq } = makeLine();
    expect(codeOf(() => core.requestThreadedIrq(irq, null, null, 0, 'dev', {}))).toBe('EINVAL');
  });

  test('IRQF_SHARED without a devId is EINVAL', () => {
    const { core, irq } = makeLine();
    expect(codeOf(() => core.requestIrq(irq, handled, IRQF_SHARED, 'dev'))).toBe('EINVAL');
    expect(core.irqToDesc(irq)!.actions).toEqual([]);
  });

  test('IRQF_SHARED with IRQF_NO_AUTOEN is EINVAL', () => {
    const { core, irq } = makeLine();
    expect(codeOf(() => core.requestIrq(irq, handled, IRQF_SHARED | IRQF_NO_AUTOEN, 'dev', {}))).toBe('EINVAL');
  });

  test('unknown flag bits are EINVAL', () => {
    const { core, irq } = makeLine();
    expect(() => core.requestIrq(irq, handled, 0x40000000, 'dev', {})).toThrow(/unknown flags 0x40000000/);
  });

  test('two trigger types at once are EINVAL', () => {
    const { core, irq } = makeLine();
    expect(codeOf(() => core.requestIrq(irq, handled, IRQF_TRIGGER_HIGH | IRQF_TRIGGER_RISING, 'dev', {}))).toBe('EINVAL');
  });

  test('a threadFn with no primary handler and no IRQF_ONESHOT is EINVAL', () => {
    const { core, irq } = makeLine();
    expect(() => core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, 0, 'dev', {})).toThrow(/handler=NULL and !ONESHOT/);
  });

  test('a threadFn with no primary handler is accepted on a ONESHOT_SAFE chip', () => {
    const { core, irq, desc } = makeLine({ flags: IRQCHIP_ONESHOT_SAFE });
    expect(core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, 0, 'dev', {})).toBe(0);
    expect(desc().actions).toEqual(['dev']);
  });

  test('a line without a chip is ENOSYS', () => {
    const { core } = makeCore();
    const irq = core.irqAllocDesc();
    expect(codeOf(() => core.requestIrq(irq, handled, 0, 'dev', {}))).toBe('ENOSYS');
  });

  test('a taken line is EBUSY unless both requests are IRQF_SHARED', () => {
    const { core, irq, desc } = makeLine();
    core.requestIrq(irq, handled, 0, 'first', 1);
    expect(codeOf(() => core.requestIrq(irq, handled, IRQF_SHARED, 'second', 2))).toBe('EBUSY');
    expect(desc().actions).toEqual(['first']);
  });

  test('sharers that disagree on the trigger type get EBUSY', () => {
    const { core, irq } = makeLine();
    core.requestIrq(irq, handled, IRQF_SHARED | IRQF_TRIGGER_LOW, 'a', 1);
    expect(() => core.requestIrq(irq, handled, IRQF_SHARED | IRQF_TRIGGER_FALLING, 'b', 2)).toThrow(/disagree on the trigger type/);
  });

  test('sharers that disagree on IRQF_ONESHOT get EBUSY', () => {
    const { core, irq } = makeLine();
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_SHARED | IRQF_ONESHOT, 'a', 1);
    expect(() => core.requestIrq(irq, handled, IRQF_SHARED, 'b', 2)).toThrow(/disagree on IRQF_ONESHOT/);
  });

  test('sharers that agree are all registered in order', () => {
    const { core, irq, desc } = makeLine();
    core.requestIrq(irq, handled, IRQF_SHARED | IRQF_TRIGGER_LOW, 'a', 1);
    core.requestIrq(irq, handled, IRQF_SHARED | IRQF_TRIGGER_LOW, 'b', 2);
    expect(desc().actions).toEqual(['a', 'b']);
    expect(desc().triggerType).toBe(IRQ_TYPE_LEVEL_LOW);
  });

  test('the same devId twice on a shared line is EBUSY (free could not tell them apart)', () => {
    const { core, irq } = makeLine();
    const dev = {};
    core.requestIrq(irq, handled, IRQF_SHARED, 'a', dev);
    expect(codeOf(() => core.requestIrq(irq, handled, IRQF_SHARED, 'b', dev))).toBe('EBUSY');
  });

  test('a request with trigger flags sets the type through the chip', () => {
    const { core, chip, irq, desc } = makeLine();
    core.requestIrq(irq, handled, IRQF_TRIGGER_FALLING, 'dev', {});
    expect(chip.calls).toContain(`irqSetType:${irq}:${IRQ_TYPE_EDGE_FALLING}`);
    expect(desc().triggerType).toBe(IRQ_TYPE_EDGE_FALLING);
  });

  test('IRQF_NO_AUTOEN leaves the line disabled at depth 1 until enableIrq starts it', () => {
    const { core, chip, irq, desc } = makeLine();
    core.requestIrq(irq, handled, IRQF_NO_AUTOEN, 'dev', {});
    expect(desc().depth).toBe(1);
    expect(desc().disabled).toBe(true);
    expect(chip.callsOf('irqStartup')).toEqual([]);
    core.enableIrq(irq);
    expect(desc().depth).toBe(0);
    expect(chip.callsOf('irqStartup')).toEqual([irq]);
  });

  test('a chained parent line cannot be requested', () => {
    const { core, irq } = makeLine();
    core.irqSetChainedHandlerAndData(irq, () => {}, undefined);
    expect(() => core.requestIrq(irq, handled, 0, 'dev', {})).toThrow(/chained handler/);
  });

  test('a failed request leaves no thread behind and the line untouched', () => {
    const { core, irq, desc } = makeLine();
    core.requestIrq(irq, handled, 0, 'first', 1);
    expect(() => core.requestThreadedIrq(irq, handled, () => IRQ_HANDLED, 0, 'second', 2)).toThrow(IrqError);
    expect(core.irqThreads().map((t) => t.name)).toEqual([]);
    expect(desc().actions).toEqual(['first']);
    expect(desc().depth).toBe(0);
  });

  test('irqAllocDesc hands out distinct numbers starting at 1 and ENOMEM when full', () => {
    const { sim } = makeCore();
    const core = new IrqCore({ platform: sim.platform, maxIrqs: 2, log: () => {} });
    expect(core.irqAllocDesc()).toBe(1);
    expect(core.irqAllocDesc()).toBe(2);
    expect(codeOf(() => core.irqAllocDesc())).toBe('ENOMEM');
  });

  test('IrqCore without a platform is refused', () => {
    expect(() => new IrqCore({} as never)).toThrow(/platform/);
  });

  test('handlers receive the irq number and their own devId', () => {
    const { core, irq } = makeLine({}, handleLevelIrq);
    const seen: unknown[] = [];
    const devA = { id: 'a' };
    const devB = { id: 'b' };
    core.requestIrq(irq, (n, dev) => (seen.push([n, dev]), IRQ_NONE), IRQF_SHARED, 'a', devA);
    core.requestIrq(irq, (n, dev) => (seen.push([n, dev]), IRQ_HANDLED), IRQF_SHARED, 'b', devB);
    core.genericHandleIrq(irq);
    expect(seen).toEqual([[irq, devA], [irq, devB]]);
  });

  test('IRQ_WAKE_THREAD from a handler without a thread is warned about, not fatal', () => {
    const { core, irq, logs, desc } = makeLine();
    core.requestIrq(irq, () => IRQ_WAKE_THREAD, 0, 'nothread', {});
    core.genericHandleIrq(irq);
    expect(logs.some((l) => l.level === 'warn' && /no thread function available/.test(l.message))).toBe(true);
    expect(desc().errors).toBe(1);
    expect(desc().masked).toBe(false);
  });
});
