/*
 * The /proc/interrupts table (kernel/irq/proc.c, show_interrupts), with the columns an MCU user needs.
 */
import { triggerName } from './constants';
import type { IrqDesc } from './desc';

function pad(value: string | number, width: number, left = false): string {
  const s = String(value);
  return left ? s.padEnd(width) : s.padStart(width);
}

function stateOf(desc: IrqDesc): string {
  const flags: string[] = [];
  if (desc.spuriousDisabled) flags.push('nobody-cared');
  else if (desc.failDisabled) flags.push('thread-failing');
  else if (desc.depth > 0) flags.push(`disabled(depth ${desc.depth})`);
  if (desc.polled) flags.push('polled');
  if (desc.stormSwitches > 0) flags.push(`storms ${desc.stormSwitches}`);
  if (desc.masked && desc.started) flags.push('masked');
  if (desc.pending) flags.push('pending');
  if (desc.threadsActive > 0) flags.push(`threads ${desc.threadsActive}`);
  if (desc.errors > 0) flags.push(`errors ${desc.errors}`);
  return flags.length ? ` [${flags.join(', ')}]` : '';
}

/**
 * One row per line that has actions, is a chained parent, or has counted something. COUNT is what the
 * flow accepted, DEFERRED what arrived while the line could not run it (replayed or still pending),
 * UNHANDLED what no handler claimed; ERR counts interrupts for irqs nobody set up.
 */
export function procInterrupts(descs: readonly (IrqDesc | undefined)[], badIrqs: number): string {
  const rows = [
    `${pad('IRQ', 4)} ${pad('COUNT', 10)} ${pad('UNHANDLED', 10)} ${pad('DEFERRED', 9)}  ${pad('CHIP', 14, true)} ${pad('HWIRQ', 5)}  ${pad('TRIGGER', 13, true)} ACTIONS`,
  ];
  for (const desc of descs) {
    if (desc === undefined) continue;
    const chained = desc.noRequest;
    if (desc.action.length === 0 && !chained && desc.count === 0 && desc.deferred === 0) continue;
    const actions = chained ? '(chained)' : desc.actionNames.join(', ') || '(none)';
    rows.push(
      `${pad(desc.irq, 4)} ${pad(desc.count, 10)} ${pad(desc.unhandledTotal, 10)} ${pad(desc.deferred, 9)}  ` +
        `${pad(desc.chipName ?? '-', 14, true)} ${pad(desc.hwirq, 5)}  ${pad(triggerName(desc.triggerType), 13, true)} ${actions}${stateOf(desc)}`,
    );
  }
  rows.push(`${pad('ERR:', 4)} ${pad(badIrqs, 10)}`);
  return rows.join('\n');
}
