/*
 * What a file must satisfy for Perfetto and chrome://tracing to open it: the Trace Event Format's rules for
 * the event kinds the core exports.
 */
import type { ChromeTrace } from '../../firmware/irq';

/** The checks a Chrome trace must pass for the viewers to open it (the Trace Event Format's rules). */
export function checkChromeTrace(trace: ChromeTrace): void {
  const parsed = JSON.parse(JSON.stringify(trace)) as ChromeTrace;
  expect(Array.isArray(parsed.traceEvents)).toBe(true);
  expect(['ms', 'ns']).toContain(parsed.displayTimeUnit);
  const named = new Set<number>();
  const flows = new Map<number, string[]>();
  for (const e of parsed.traceEvents) {
    expect(typeof e.name).toBe('string');
    expect(['X', 'i', 'C', 'M', 's', 'f']).toContain(e.ph);
    expect(Number.isFinite(e.ts)).toBe(true);
    expect(Number.isInteger(e.pid)).toBe(true);
    expect(Number.isInteger(e.tid)).toBe(true);
    if (e.ph === 'X') expect(e.dur).toBeGreaterThanOrEqual(0);
    if (e.ph === 'i') expect(['g', 'p', 't']).toContain(e.s);
    if (e.ph === 'C') for (const v of Object.values(e.args ?? {})) expect(typeof v).toBe('number');
    if (e.ph === 'M' && e.name === 'thread_name') named.add(e.tid);
    if (e.ph === 's' || e.ph === 'f') flows.set(e.id!, [...(flows.get(e.id!) ?? []), e.ph]);
  }
  // Every track has a name, and every flow that ends started.
  for (const e of parsed.traceEvents) expect(named.has(e.tid)).toBe(true);
  for (const phases of flows.values()) if (phases.includes('f')) expect(phases[0]).toBe('s');
}

