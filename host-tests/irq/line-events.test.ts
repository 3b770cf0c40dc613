/*
 * The core's side of line events and debounce (line-event.ts, manage.ts irqSetDebounce), against a chip made
 * here: what a reader sees of what its chip writes, who may read, what the core refuses. What real chips write
 * is the GPIO chip contract's (host-tests/contract).
 */
import {
  IRQ_HANDLED, IRQ_LINE_EVENT_RISING_EDGE, IRQF_TRIGGER_RISING, handleEdgeIrq, type IrqChip, type IrqLineEventBuffer,
} from '../../firmware/irq';
import { fakeChip, makeCore } from '../helpers/fake-chip';
import { expectIrqError } from '../helpers/irq-error';

/** A chip that hands the line's buffer to the test and records what the core told it. */
function eventChip(lineSeqno = 0) {
  const told: (IrqLineEventBuffer | undefined)[] = [];
  const periods: number[] = [];
  const chip: IrqChip = {
    name: 'events',
    irqSetLineEvents: (_data, buffer) => (told.push(buffer), lineSeqno),
    irqSetDebounce: (_data, periodUs) => void periods.push(periodUs),
  };
  const { core } = makeCore();
  const irq = core.irqAllocDesc();
  core.irqSetChipAndHandler(irq, chip, handleEdgeIrq);
  const dev = {};
  core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'dev', dev);
  const buffer = (): IrqLineEventBuffer => told[told.length - 1]!;
  return { core, irq, dev, told, periods, buffer };
}

describe('line events: the reader', () => {
  test('the first event read after a chip at line_seqno 41 that the chip numbers 45 shows 3 missed', () => {
    const { core, irq, dev, buffer } = eventChip(41);
    const events = core.irqRequestLineEvents(irq, dev);
    buffer().push(1_000, IRQ_LINE_EVENT_RISING_EDGE, 7, 45, true);
    buffer().push(2_000, IRQ_LINE_EVENT_RISING_EDGE, 8, 46, true);
    expect(events.next()).toBe(true);
    expect({ t: events.timestampUs, id: events.id, seqno: events.seqno, line: events.lineSeqno, missed: events.missed, exact: events.exact })
      .toEqual({ t: 1_000, id: IRQ_LINE_EVENT_RISING_EDGE, seqno: 7, line: 45, missed: 3, exact: true });
    expect(events.next()).toBe(true);
    expect(events.missed).toBe(0);
    expect(events.next()).toBe(false);
    expect([events.timestampUs, events.id, events.lineSeqno]).toEqual([NaN, NaN, NaN]);
  });

  test('a reader is frozen and holds nothing a driver could reach the core or the buffer through', () => {
    const { core, irq, dev } = eventChip();
    const events = core.irqRequestLineEvents(irq, dev);
    expect(Object.isFrozen(events)).toBe(true);
    expect(Object.getOwnPropertyNames(events)).toEqual(['irq']);
    expect(JSON.stringify(events)).toBe(`{"irq":${irq}}`);
  });

  test('freeing the action tells the chip to stop (undefined), and the reader reports itself closed', async () => {
    const { core, irq, dev, told } = eventChip();
    const events = core.irqRequestLineEvents(irq, dev);
    await core.freeIrq(irq, dev);
    expect(told).toHaveLength(2);
    expect(told[1]).toBeUndefined();
    expect(events.open).toBe(false);
    events.release();
    expect(told).toHaveLength(2);
  });

  test('a line requested through an IrqLine reads its events and sets its debounce through it', () => {
    const { core, periods } = eventChip();
    const irq = core.irqAllocDesc();
    const chip: IrqChip = { name: 'events', irqSetLineEvents: () => 0, irqSetDebounce: (_d, us) => void periods.push(us) };
    core.irqSetChipAndHandler(irq, chip, handleEdgeIrq);
    const line = core.requestIrqLine(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'line', {});
    expect(line.requestLineEvents(8).irq).toBe(irq);
    line.setDebounce(2_000);
    expect(periods).toEqual([2_000]);
    expect(core.irqToDesc(irq)!.debounceUs).toBe(2_000);
  });

  test('a chip that reports no events, or cannot debounce, is ENOSYS naming it', () => {
    const { core } = makeCore();
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, fakeChip({ name: 'plain' }), handleEdgeIrq);
    const dev = {};
    core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'dev', dev);
    expectIrqError(() => core.irqRequestLineEvents(irq, dev), 'ENOSYS', /chip plain reports no line events/);
    expectIrqError(() => core.irqSetDebounce(irq, 1_000), 'ENOSYS', /chip plain cannot debounce/);
    expect(core.irqToDesc(irq)!.debounceUs).toBe(0);
  });

  test('a debounce period the chip refuses leaves the line as it was', () => {
    const { core } = makeCore();
    const irq = core.irqAllocDesc();
    const chip: IrqChip = { name: 'picky', irqSetDebounce: () => { throw new Error('no timer'); } };
    core.irqSetChipAndHandler(irq, chip, handleEdgeIrq);
    expectIrqError(() => core.irqSetDebounce(irq, 1_000), 'EINVAL', /picky\.irqSetDebounce\(1000\) failed: Error: no timer/);
    expect(core.irqToDesc(irq)!.debounceUs).toBe(0);
  });
});
