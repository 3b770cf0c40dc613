import {
  IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQCHIP_EOI_THREADED, IRQF_ONESHOT, IRQF_SHARED, chainedIrqEnter,
  chainedIrqExit, handleEdgeIrq, handleFasteoiIrq, handleLevelIrq, handleSimpleIrq, handleUntrackedIrq,
  irqDescGetChip, irqDescGetHandlerData, type IrqDesc,
} from '../../firmware/irq';
import { fakeChip, makeCore, makeLine } from '../helpers/fake-chip';

describe('handleLevelIrq', () => {
  test('masks and acks, runs the handlers, then unmasks', () => {
    const { core, irq, chip } = makeLine({}, handleLevelIrq);
    core.requestIrq(irq, () => {
      chip.calls.push('handler');
      return IRQ_HANDLED;
    }, 0, 'dev', {});
    chip.calls.length = 0;
    core.genericHandleIrq(irq);
    expect(chip.calls).toEqual([`irqMask:${irq}`, `irqAck:${irq}`, 'handler', `irqUnmask:${irq}`]);
    expect(core.irqToDesc(irq)!.count).toBe(1);
  });

  test('uses irqMaskAck when the chip has it', () => {
    const { core, irq, chip } = makeLine({ without: ['irqDisable', 'irqEoi', 'irqRetrigger'] }, handleLevelIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', {});
    chip.calls.length = 0;
    core.genericHandleIrq(irq);
    expect(chip.calls).toEqual([`irqMaskAck:${irq}`, `irqUnmask:${irq}`]);
  });

  test('a oneshot line stays masked after the hardirq while its thread is due', () => {
    const { core, irq, desc } = makeLine({}, handleLevelIrq);
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'dev', {});
    core.genericHandleIrq(irq);
    expect(desc().masked).toBe(true);
    expect(desc().threadsActive).toBe(1);
  });

  test('a line with no action counts the arrival as deferred and stays masked', () => {
    const { core, irq, desc } = makeLine({}, handleLevelIrq);
    core.enableIrq(irq); // depth 1 -> started, no action
    core.genericHandleIrq(irq);
    expect(desc().count).toBe(0);
    expect(desc().deferred).toBe(1);
    expect(desc().masked).toBe(true);
  });
});

describe('handleEdgeIrq', () => {
  test('acks without masking and runs the handlers', () => {
    const { core, irq, chip } = makeLine({}, handleEdgeIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', {});
    chip.calls.length = 0;
    core.genericHandleIrq(irq);
    expect(chip.calls).toEqual([`irqAck:${irq}`]);
  });

  test('an edge arriving while the handler runs is masked, then replayed by the loop, then unmasked', () => {
    const { core, irq, chip, desc } = makeLine({}, handleEdgeIrq);
    let runs = 0;
    core.requestIrq(irq, () => {
      runs++;
      // The hardware reports a second edge while the first is being handled.
      if (runs === 1) core.genericHandleIrq(irq);
      return IRQ_HANDLED;
    }, 0, 'dev', {});
    chip.calls.length = 0;
    core.genericHandleIrq(irq);
    expect(runs).toBe(2);
    expect(desc().deferred).toBe(1);
    expect(desc().masked).toBe(false);
    expect(chip.calls).toEqual([`irqAck:${irq}`, `irqMask:${irq}`, `irqAck:${irq}`, `irqUnmask:${irq}`]);
  });

  test('an edge on a line disabled meanwhile ends the loop and stays pending', () => {
    const { core, irq, desc } = makeLine({}, handleEdgeIrq);
    let runs = 0;
    core.requestIrq(irq, () => {
      runs++;
      core.genericHandleIrq(irq);
      core.disableIrqNosync(irq);
      return IRQ_HANDLED;
    }, 0, 'dev', {});
    core.genericHandleIrq(irq);
    expect(runs).toBe(1);
    expect(desc().pending).toBe(true);
  });
});

test('handleEdgeIrq does not mask a oneshot line: edges are latched, not held (as the kernel)', () => {
  const { core, irq, desc } = makeLine({}, handleEdgeIrq);
  core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'dev', {});
  core.genericHandleIrq(irq);
  expect(desc().masked).toBe(false);
  expect(desc().threadsActive).toBe(1);
});

describe('handleSimpleIrq and handleUntrackedIrq', () => {
  test('handleSimpleIrq calls no chip operation', () => {
    const { core, irq, chip } = makeLine({}, handleSimpleIrq);
    let runs = 0;
    core.requestIrq(irq, () => (runs++, IRQ_HANDLED), 0, 'dev', {});
    chip.calls.length = 0;
    core.genericHandleIrq(irq);
    expect(runs).toBe(1);
    expect(chip.calls).toEqual([]);
  });

  test('handleSimpleIrq marks an arrival on a disabled line pending', () => {
    const { core, irq, desc } = makeLine({}, handleSimpleIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', {});
    core.disableIrqNosync(irq);
    core.genericHandleIrq(irq);
    expect(desc().pending).toBe(true);
    expect(desc().count).toBe(0);
  });

  test('handleUntrackedIrq runs the handlers but feeds no spurious detection', () => {
    const { core, irq, desc } = makeLine({}, handleUntrackedIrq);
    core.requestIrq(irq, () => IRQ_NONE, 0, 'dev', {});
    for (let i = 0; i < 10; i++) core.genericHandleIrq(irq);
    expect(desc().count).toBe(10);
    expect(desc().unhandledTotal).toBe(0);
  });
});

describe('handleFasteoiIrq', () => {
  const eoiChip = { without: ['irqDisable', 'irqMaskAck', 'irqRetrigger', 'irqBusLock', 'irqBusSyncUnlock'] as never[] };

  test('runs the handlers then sends EOI, without masking', () => {
    const { core, irq, chip } = makeLine(eoiChip, handleFasteoiIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', {});
    chip.calls.length = 0;
    core.genericHandleIrq(irq);
    expect(chip.calls).toEqual([`irqEoi:${irq}`]);
  });

  test('a oneshot line is masked, EOIed, and unmasked when the thread is done', async () => {
    const { sim, core, irq, chip } = makeLine(eoiChip, handleFasteoiIrq);
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'dev', {});
    chip.calls.length = 0;
    core.genericHandleIrq(irq);
    expect(chip.calls).toEqual([`irqMask:${irq}`, `irqEoi:${irq}`]);
    await sim.runUntilIdle();
    expect(chip.calls).toEqual([`irqMask:${irq}`, `irqEoi:${irq}`, `irqUnmask:${irq}`]);
  });

  test('on an EOI_THREADED chip the EOI waits for the thread', async () => {
    const { sim, core, irq, chip } = makeLine({ ...eoiChip, flags: IRQCHIP_EOI_THREADED }, handleFasteoiIrq);
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'dev', {});
    chip.calls.length = 0;
    core.genericHandleIrq(irq);
    expect(chip.calls).toEqual([`irqMask:${irq}`]);
    await sim.runUntilIdle();
    expect(chip.calls).toEqual([`irqMask:${irq}`, `irqEoi:${irq}`, `irqUnmask:${irq}`]);
  });

  test('an arrival on a disabled line is masked, marked pending, and EOIed', () => {
    const { core, irq, chip, desc } = makeLine(eoiChip, handleFasteoiIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', {});
    core.disableIrqNosync(irq);
    chip.calls.length = 0;
    core.genericHandleIrq(irq);
    expect(chip.calls).toEqual([`irqMask:${irq}`, `irqEoi:${irq}`]);
    expect(desc().pending).toBe(true);
  });
});

describe('genericHandleIrq on lines nobody set up', () => {
  test('an unallocated irq is counted in ERR and returns -EINVAL', () => {
    const { core, logs } = makeCore();
    expect(core.genericHandleIrq(77)).toBe(-22);
    expect(core.badIrqs).toBe(1);
    expect(core.procInterrupts()).toMatch(/ERR:\s+1/);
    expect(logs[0].message).toMatch(/irq 77: unexpected interrupt/);
  });

  test('a line with a chip but no flow handler is counted as bad', () => {
    const { core } = makeCore();
    const irq = core.irqAllocDesc();
    core.irqSetChip(irq, fakeChip());
    core.genericHandleIrq(irq);
    expect(core.badIrqs).toBe(1);
  });

  test('a chip operation that throws in hardirq context is logged and counted, not thrown to the HAL', () => {
    const { core, irq, chip, logs, desc } = makeLine({}, handleLevelIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', {});
    chip.irqMask = () => {
      throw new Error('bus fault');
    };
    expect(core.genericHandleIrq(irq)).toBe(0);
    expect(desc().errors).toBe(1);
    expect(logs.some((l) => l.level === 'error' && /flow handler failed: bus fault/.test(l.message))).toBe(true);
  });
});

describe('primary handler faults', () => {
  test('a handler that throws is isolated: sharers still run, it counts as unhandled, logged once', () => {
    const { core, irq, logs, desc } = makeLine({}, handleLevelIrq);
    let other = 0;
    core.requestIrq(irq, () => {
      throw new Error('boom');
    }, IRQF_SHARED, 'bad', 1);
    core.requestIrq(irq, () => (other++, IRQ_NONE), IRQF_SHARED, 'good', 2);
    core.genericHandleIrq(irq);
    core.genericHandleIrq(irq);
    expect(other).toBe(2);
    expect(desc().errors).toBe(2);
    expect(desc().unhandledTotal).toBe(2);
    expect(desc().masked).toBe(false);
    expect(logs.filter((l) => l.level === 'error')).toEqual([{ level: 'error', message: `irq ${irq}: handler of "bad" threw: Error: boom` }]);
  });

  test('an async primary handler is reported: primary handlers must be synchronous', () => {
    const { core, irq, logs } = makeLine({}, handleLevelIrq);
    core.requestIrq(irq, (async () => IRQ_HANDLED) as never, 0, 'async', {});
    core.genericHandleIrq(irq);
    expect(logs.some((l) => /returned a Promise; primary handlers run in hardirq context and must be synchronous/.test(l.message))).toBe(true);
  });

  test('a handler returning undefined is reported as a bogus value', () => {
    const { core, irq, logs } = makeLine({}, handleLevelIrq);
    core.requestIrq(irq, (() => undefined) as never, 0, 'forgot', {});
    core.genericHandleIrq(irq);
    expect(logs.some((l) => /"forgot" returned bogus value undefined/.test(l.message))).toBe(true);
  });
});

describe('chained handlers and cascades', () => {
  /** A parent line whose status register says which of 8 children fired, demultiplexed through a domain. */
  function cascade() {
    const { sim, core, logs } = makeCore();
    const parentChip = fakeChip({ name: 'parent' });
    const childChip = fakeChip({ name: 'bank' });
    const parent = core.irqAllocDesc();
    core.irqSetChipAndHandler(parent, parentChip, handleLevelIrq);
    const bank = { status: 0 };
    const domain = core.irqDomainCreateLinear(8, {
      map: (_d, virq) => core.irqSetChipAndHandler(virq, childChip, handleEdgeIrq),
    }, bank, 'bank');
    const demux = (desc: IrqDesc) => {
      const chip = irqDescGetChip(desc)!;
      const hw = irqDescGetHandlerData<typeof bank>(desc);
      chainedIrqEnter(chip, desc);
      let pending = hw.status;
      hw.status = 0;
      while (pending) {
        const bit = 31 - Math.clz32(pending);
        pending &= ~(1 << bit);
        core.genericHandleDomainIrq(domain, bit);
      }
      chainedIrqExit(chip, desc);
    };
    core.irqSetChainedHandlerAndData(parent, demux, bank);
    return { sim, core, logs, parent, parentChip, childChip, bank, domain };
  }

  test('a chained parent is started at once and shows as chained', () => {
    const { core, parent, parentChip } = cascade();
    expect(core.irqToDesc(parent)!.depth).toBe(0);
    expect(parentChip.callsOf('irqStartup')).toEqual([parent]);
    expect(core.procInterrupts()).toMatch(new RegExp(`\\n\\s+${parent}\\s.*\\(chained\\)`));
  });

  test('the parent demultiplexes each set bit to its child line', () => {
    const { core, parent, bank, domain } = cascade();
    const seen: number[] = [];
    const pin3 = core.irqCreateMapping(domain, 3);
    const pin5 = core.irqCreateMapping(domain, 5);
    core.requestIrq(pin3, () => (seen.push(3), IRQ_HANDLED), 0, 'pin3', {});
    core.requestIrq(pin5, () => (seen.push(5), IRQ_HANDLED), 0, 'pin5', {});
    bank.status = (1 << 3) | (1 << 5);
    core.genericHandleIrq(parent);
    expect(seen.sort()).toEqual([3, 5]);
    expect(core.irqToDesc(parent)!.count).toBe(1);
    expect(core.irqToDesc(pin3)!.count).toBe(1);
  });

  test('the parent is masked around the demultiplexing', () => {
    const { core, parent, parentChip } = cascade();
    parentChip.calls.length = 0;
    core.genericHandleIrq(parent);
    expect(parentChip.calls).toEqual([`irqMask:${parent}`, `irqAck:${parent}`, `irqUnmask:${parent}`]);
  });

  test('a bit with no mapping is counted on the domain and in ERR, never dropped unseen', () => {
    const { core, parent, bank, domain } = cascade();
    bank.status = 1 << 6;
    core.genericHandleIrq(parent);
    expect(domain.unmapped).toBe(1);
    expect(core.badIrqs).toBe(1);
  });

  test('irqCreateMapping returns the same irq for the same hwirq, and irqFindMapping finds it', () => {
    const { core, domain } = cascade();
    const a = core.irqCreateMapping(domain, 2);
    expect(core.irqCreateMapping(domain, 2)).toBe(a);
    expect(core.irqFindMapping(domain, 2)).toBe(a);
    expect(core.irqFindMapping(domain, 4)).toBe(0);
    expect(core.irqToDesc(a)!.hwirq).toBe(2);
    expect(core.irqToDesc(a)!.domainName).toBe('bank');
  });

  test('a hwirq outside the domain is EINVAL', () => {
    const { core, domain } = cascade();
    expect(() => core.irqCreateMapping(domain, 8)).toThrow(/hwirq 8 is outside 0..7/);
  });

  test('a mapping whose map operation fails leaves no line behind', () => {
    const { core } = makeCore();
    const domain = core.irqDomainCreateLinear(4, { map: () => { throw new Error('no such pin'); } }, null);
    expect(() => core.irqCreateMapping(domain, 1)).toThrow('no such pin');
    expect(core.irqFindMapping(domain, 1)).toBe(0);
    expect(core.irqAllocDesc()).toBe(1);
  });

  test('irqDisposeMapping refuses a line with actions and frees one without', async () => {
    const { core, domain } = cascade();
    const virq = core.irqCreateMapping(domain, 1);
    core.requestIrq(virq, () => IRQ_HANDLED, 0, 'dev', 1);
    expect(() => core.irqDisposeMapping(virq)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    await core.freeIrq(virq, 1);
    core.irqDisposeMapping(virq);
    expect(core.irqFindMapping(domain, 1)).toBe(0);
    expect(core.irqToDesc(virq)).toBeUndefined();
  });

  test('a threaded oneshot child keeps only its own line masked', async () => {
    const { sim, core, parent, bank, domain } = cascade();
    const pin = core.irqCreateMapping(domain, 0);
    core.irqSetHandler(pin, handleLevelIrq);
    let ran = 0;
    core.requestThreadedIrq(pin, () => IRQ_WAKE_THREAD, () => (ran++, IRQ_HANDLED), IRQF_ONESHOT, 'pin0', {});
    bank.status = 1;
    core.genericHandleIrq(parent);
    expect(core.irqToDesc(pin)!.masked).toBe(true);
    expect(core.irqToDesc(parent)!.masked).toBe(false);
    await sim.runUntilIdle();
    expect(ran).toBe(1);
    expect(core.irqToDesc(pin)!.masked).toBe(false);
  });
});

describe('procInterrupts', () => {
  test('lists irq, count, chip, hwirq, trigger and actions of requested lines', () => {
    const { core, irq } = makeLine({ name: 'fakechip' }, handleLevelIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, IRQF_SHARED | 0x4, 'sensor', 1);
    core.requestIrq(irq, () => IRQ_NONE, IRQF_SHARED | 0x4, 'other', 2);
    core.genericHandleIrq(irq);
    core.genericHandleIrq(irq);
    const table = core.procInterrupts();
    expect(table.split('\n')[0]).toMatch(/IRQ\s+COUNT\s+UNHANDLED\s+DEFERRED\s+DROPPED\s+MERGED\s+CHIP\s+HWIRQ\s+TRIGGER\s+ACTIONS/);
    expect(table).toMatch(new RegExp(`\\n\\s+${irq}\\s+2\\s+0\\s+0\\s+-\\s+0\\s+fakechip\\s+${irq}\\s+level-high\\s+sensor, other`));
  });

  test('shows a disabled line as disabled with its depth', async () => {
    const { core, irq } = makeLine({}, handleLevelIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', {});
    await core.disableIrq(irq);
    expect(core.procInterrupts()).toMatch(/dev \[disabled\(depth 1\)\]/);
  });
});
