/*
 * The interrupt table (firmware/irq/proc.ts) as `npm start` prints it: its columns stay aligned whatever the chip
 * names, and a line that cannot be masked (a chained parent, a chip without irqMask) is never shown masked.
 */
import { IRQ_HANDLED, IRQF_ONESHOT, handleEdgeIrq, handleLevelIrq, handleSimpleIrq } from '../../firmware/irq';
import { startFirmwareBoard } from '../../hal/mock/firmware-board';
import { fakeChip, makeCore } from '../helpers/fake-chip';

/** Where each column of a data row starts (left-aligned) or ends (right-aligned), read from the row's cells. */
function columnEdges(row: string): number[] {
  const m = /^(\s*\d+)(\s+\d+)(\s+\d+)(\s+\d+)(\s+(?:\d+|-))(\s+\d+)(\s+)(\S+)(\s+\d+)(\s+)(\S+)(\s+)(.*)$/.exec(row);
  if (m === null) throw new Error(`not a table row: ${JSON.stringify(row)}`);
  const at = (n: number): number => m.slice(1, n + 1).join('').length;
  // IRQ, COUNT, UNHANDLED, DEFERRED, DROPPED, MERGED, HWIRQ end; CHIP, TRIGGER, ACTIONS start.
  return [at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(9), at(10), at(12)];
}

function headerEdges(header: string): number[] {
  const end = (title: string): number => header.indexOf(title) + title.length;
  const start = (title: string): number => header.indexOf(title);
  return [
    end('IRQ'), end('COUNT'), end('UNHANDLED'), end('DEFERRED'), end('DROPPED'), end('MERGED'), start('CHIP'), end('HWIRQ'),
    start('TRIGGER'), start('ACTIONS'),
  ];
}

/** A core with one requested line per chip name, each fired `fires` times. */
function tableFor(chipNames: readonly string[], fires = 3): string {
  const { core } = makeCore();
  chipNames.forEach((name, i) => {
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, fakeChip({ name }), handleEdgeIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, 0x1, `dev${i}`, i);
    for (let n = 0; n < fires * (i + 1); n++) core.genericHandleIrq(irq);
  });
  return core.procInterrupts();
}

describe('the interrupt table columns', () => {
  test.each([
    ['a 23-character chip name', 'esp32-gpio-bank1-pullup'],
    ['a 30-character chip name', 'a-thirty-character-chip-name-x'],
  ])('stay aligned under their headers with %s', (_what, longName) => {
    const lines = tableFor(['gpio', longName, 'mcp23017']).split('\n');
    const header = headerEdges(lines[0]);
    const rows = lines.slice(1, -1);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(columnEdges(row)).toEqual(header);
    expect(rows[1]).toContain(`${longName} `);
    // ERR's count sits under COUNT.
    expect(lines[lines.length - 1].length).toBe(header[1]);
  });

  test('with short names the table keeps its usual widths (as docs/concepts.md shows it)', () => {
    const lines = tableFor(['esp32-gpio'], 1).split('\n');
    expect(lines[0]).toBe(' IRQ      COUNT  UNHANDLED  DEFERRED  DROPPED  MERGED  CHIP           HWIRQ  TRIGGER       ACTIONS');
    // A chip that cannot tell what it dropped (no irqLostEvents) shows '-'.
    expect(lines[1]).toBe('   1          1          0         0        -       0  esp32-gpio         1  edge-rising   dev0');
    expect(lines[2]).toBe('ERR:          0');
  });
});

describe('[masked] in the interrupt table', () => {
  test('a chained parent on a chip without irqMask is not shown masked', () => {
    const { core } = makeCore();
    const parent = core.irqAllocDesc();
    core.irqSetChip(parent, { name: 'nomask-parent' });
    core.irqSetChainedHandlerAndData(parent, () => {}, undefined);
    expect(core.irqToDesc(parent)!.masked).toBe(true); // the new-line default, which nothing can clear
    const row = core.procInterrupts().split('\n')[1];
    expect(row).toMatch(/nomask-parent\s+\d+\s+none\s+\(chained\)$/);
  });

  test('a chained parent is not shown masked even when its chip has irqMask and the line reads masked', () => {
    const { core } = makeCore();
    const parent = core.irqAllocDesc();
    core.irqSetChip(parent, fakeChip({ name: 'parent', without: ['irqMaskAck', 'irqEoi', 'irqRetrigger', 'irqBusLock', 'irqBusSyncUnlock'] }));
    core.irqSetChainedHandlerAndData(parent, () => {}, undefined);
    core.disableIrqNosync(parent); // the chip's irqDisable: the descriptor now reads masked
    expect(core.irqToDesc(parent)!.masked).toBe(true);
    const row = core.procInterrupts().split('\n')[1];
    expect(row).toMatch(/\(chained\) \[disabled\(depth 1\)\]$/);
  });

  test('a requested line on a chip without irqMask is not shown masked', () => {
    const { core } = makeCore();
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, { name: 'nomask' }, handleSimpleIrq);
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'dev', 1);
    core.genericHandleIrq(irq);
    expect(core.irqToDesc(irq)!.masked).toBe(true);
    expect(core.procInterrupts().split('\n')[1]).toMatch(/ dev \[threads 1\]$/);
  });

  test('a line whose chip masks it is still shown masked (a oneshot line while its thread is due)', () => {
    const { core } = makeCore();
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, fakeChip({ name: 'maskable' }), handleLevelIrq);
    core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_ONESHOT, 'dev', 1);
    core.genericHandleIrq(irq);
    expect(core.procInterrupts().split('\n')[1]).toMatch(/ dev \[masked, threads 1\]$/);
  });

  test("the demo's chained GPIO line (`npm start`) shows as chained, not masked", async () => {
    const run = await startFirmwareBoard();
    run.feed(300_000);
    await run.board.sim.advance(300_000);
    const chained = run.firmware.core.procInterrupts().split('\n').filter((l) => l.includes('(chained)'));
    expect(chained).toHaveLength(1);
    expect(chained[0]).toMatch(/\(chained\)$/);
  });
});
