/*
 * The /proc/interrupts table (kernel/irq/proc.c, show_interrupts), with the columns an MCU user needs.
 */
import { triggerName } from './constants';
import type { IrqDesc } from './desc';

/**
 * The columns: title, the narrowest width (the kernel's, so a table of short names reads as before), right-
 * aligned or not, and the gap before it. Each column is as wide as its widest cell, so a long chip name (a
 * 30-character one, say) widens its column instead of pushing the rest of its row out of line. ACTIONS, the
 * last, is not padded.
 */
const COLUMNS: readonly { readonly title: string; readonly min: number; readonly left: boolean; readonly gap: string }[] = Object.freeze([
  Object.freeze({ title: 'IRQ', min: 4, left: false, gap: '' }),
  Object.freeze({ title: 'COUNT', min: 10, left: false, gap: ' ' }),
  Object.freeze({ title: 'UNHANDLED', min: 10, left: false, gap: ' ' }),
  Object.freeze({ title: 'DEFERRED', min: 9, left: false, gap: ' ' }),
  Object.freeze({ title: 'DROPPED', min: 8, left: false, gap: ' ' }),
  Object.freeze({ title: 'MERGED', min: 7, left: false, gap: ' ' }),
  Object.freeze({ title: 'CHIP', min: 14, left: true, gap: '  ' }),
  Object.freeze({ title: 'HWIRQ', min: 5, left: false, gap: ' ' }),
  Object.freeze({ title: 'TRIGGER', min: 13, left: true, gap: '  ' }),
  Object.freeze({ title: 'ACTIONS', min: 0, left: true, gap: ' ' }),
]);

/**
 * Whether the line's `masked` state means anything: it does for a line whose chip can mask it (irqMask or
 * irqMaskAck). A chip without either never masks, and `masked` is only the new-line default nothing cleared;
 * a chained parent's mask is the chained handler's business (chainedIrqEnter and chainedIrqExit call the chip
 * directly), not the descriptor's, so a chained line is never shown masked either.
 */
function canShowMasked(desc: IrqDesc): boolean {
  if (desc.noRequest) return false;
  const chip = desc.irqData.chip;
  return chip !== undefined && (chip.irqMask !== undefined || chip.irqMaskAck !== undefined);
}

function stateOf(desc: IrqDesc): string {
  const flags: string[] = [];
  if (desc.spuriousDisabled) flags.push('nobody-cared');
  else if (desc.failDisabled) flags.push('thread-failing');
  else if (desc.depth > 0) flags.push(`disabled(depth ${desc.depth})`);
  if (desc.polled) flags.push('polled');
  if (desc.stormSwitches > 0) flags.push(`storms ${desc.stormSwitches}`);
  if (desc.masked && desc.started && canShowMasked(desc)) flags.push('masked');
  if (desc.pending) flags.push('pending');
  if (desc.threadsActive > 0) flags.push(`threads ${desc.threadsActive}`);
  if (desc.errors > 0) flags.push(`errors ${desc.errors}`);
  if (desc.debounceUs > 0) flags.push(`debounce ${desc.debounceUs}us`);
  if (desc.lineEvents !== undefined && desc.lineEvents.dropped > 0) flags.push(`events dropped ${desc.lineEvents.dropped}`);
  return flags.length ? ` [${flags.join(', ')}]` : '';
}

/**
 * DROPPED: interrupts the chip lost before they reached the core (a full ring: the native chip), '-' for a chip
 * that cannot tell. MERGED: interrupts that became one with another, in the core (an arrival while one was
 * pending: desc.merged) and in the chip (irqLostEvents: edges it knows it folded into one delivery).
 */
function lostOf(desc: IrqDesc): [string, string] {
  const data = desc.irqData;
  const lost = data.chip?.irqLostEvents?.(data);
  if (lost === undefined) return ['-', String(desc.merged)];
  // NaN: the chip cannot know what it dropped (the DigitalBank chip).
  return [Number.isNaN(lost.dropped) ? '-' : String(lost.dropped), String(desc.merged + lost.merged)];
}

/**
 * One row per line that has actions, is a chained parent, or has counted something. COUNT is what the
 * flow accepted, DEFERRED what arrived while the line could not run it (replayed or still pending),
 * UNHANDLED what no handler claimed, DROPPED and MERGED what was lost on the way (lostOf); ERR counts interrupts for irqs nobody set up.
 */
export function procInterrupts(descs: readonly (IrqDesc | undefined)[], badIrqs: number): string {
  const rows: string[][] = [COLUMNS.map((c) => c.title)];
  for (const desc of descs) {
    if (desc === undefined) continue;
    const chained = desc.noRequest;
    if (desc.action.length === 0 && !chained && desc.count === 0 && desc.deferred === 0) continue;
    const actions = chained ? '(chained)' : desc.actionNames.join(', ') || '(none)';
    rows.push([
      String(desc.irq), String(desc.count), String(desc.unhandledTotal), String(desc.deferred), ...lostOf(desc),
      desc.chipName ?? '-', String(desc.hwirq), triggerName(desc.triggerType), actions + stateOf(desc),
    ]);
  }
  rows.push(['ERR:', String(badIrqs)]);
  const widths = COLUMNS.map((c, i) => rows.reduce((w, row) => (i < row.length ? Math.max(w, row[i].length) : w), c.min));
  return rows
    .map((row) => {
      let line = '';
      for (let i = 0; i < row.length; i++) {
        const { left, gap } = COLUMNS[i];
        const last = i === row.length - 1;
        const cell = left ? (last ? row[i] : row[i].padEnd(widths[i])) : row[i].padStart(widths[i]);
        line += gap + cell;
      }
      return line;
    })
    .join('\n');
}
