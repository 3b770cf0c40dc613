/*
 * A chip that records every operation the core asks of it, as kernel/irq/irq_test.c's fake_irq_chip,
 * plus a core on the simulator's clock whose log is captured for assertions.
 */
import { IrqCore, handleLevelIrq, type IrqChip, type IrqCoreOptions, type IrqData, type IrqFlowHandler, type LogLevel } from '../../firmware/irq';
import { Simulator } from '../../hal/mock/sim';

type Op = Exclude<keyof IrqChip, 'name' | 'flags'>;

export interface FakeChip extends IrqChip {
  calls: string[];
  /** Calls of one operation, as the irq numbers it got. */
  callsOf(op: Op): number[];
}

export interface FakeChipOptions {
  name?: string;
  flags?: number;
  /** Operations the chip lacks. */
  without?: Op[];
  /** What irqRetrigger answers (true: the hardware re-raises the line). */
  retrigger?: boolean;
}

const ALL_OPS: Op[] = [
  'irqStartup', 'irqShutdown', 'irqEnable', 'irqDisable', 'irqAck', 'irqMask', 'irqMaskAck', 'irqUnmask', 'irqEoi',
  'irqSetType', 'irqSetWake', 'irqRetrigger', 'irqBusLock', 'irqBusSyncUnlock',
];

/** By default: the kernel's fake chip (no irqDisable, so disable is lazy; no maskAck, eoi, retrigger, bus lock). */
const DEFAULT_WITHOUT: Op[] = ['irqDisable', 'irqMaskAck', 'irqEoi', 'irqRetrigger', 'irqBusLock', 'irqBusSyncUnlock'];

export function fakeChip(options: FakeChipOptions = {}): FakeChip {
  const without = new Set(options.without ?? DEFAULT_WITHOUT);
  const calls: string[] = [];
  const chip: Record<string, unknown> = {
    name: options.name ?? 'fake',
    flags: options.flags ?? 0,
    calls,
    callsOf: (op: Op) => calls.filter((c) => c.startsWith(`${op}:`)).map((c) => Number(c.split(':')[1])),
  };
  for (const op of ALL_OPS) {
    if (without.has(op)) continue;
    chip[op] = (data: IrqData, arg?: unknown) => {
      calls.push(arg === undefined ? `${op}:${data.irq}` : `${op}:${data.irq}:${String(arg)}`);
      if (op === 'irqRetrigger') return options.retrigger ?? true;
      return undefined;
    };
  }
  return chip as unknown as FakeChip;
}

export interface LogEntry {
  level: LogLevel;
  message: string;
}

/** A core on a fresh simulator; `options` are the IrqCore options other than platform and log. */
export function makeCore(options: Omit<IrqCoreOptions, 'platform' | 'log'> = {}): { sim: Simulator; core: IrqCore; logs: LogEntry[] } {
  const sim = new Simulator();
  const logs: LogEntry[] = [];
  const core = new IrqCore({ ...options, platform: sim.platform, log: (level, message) => logs.push({ level, message }) });
  return { sim, core, logs };
}

/** A core with one line on a fake chip. */
export function makeLine(options: FakeChipOptions = {}, flow: IrqFlowHandler = handleLevelIrq, coreOptions: Omit<IrqCoreOptions, 'platform' | 'log'> = {}) {
  const { sim, core, logs } = makeCore(coreOptions);
  const chip = fakeChip(options);
  const irq = core.irqAllocDesc();
  core.irqSetChipAndHandler(irq, chip, flow);
  return { sim, core, logs, chip, irq, desc: () => core.irqToDesc(irq)! };
}

/** A core with `n` level lines on one fake chip. */
export function makeLines(n: number, coreOptions: Omit<IrqCoreOptions, 'platform' | 'log'> = {}) {
  const { sim, core, logs } = makeCore(coreOptions);
  const chip = fakeChip();
  const irqs: number[] = [];
  for (let i = 0; i < n; i++) {
    const irq = core.irqAllocDesc();
    core.irqSetChipAndHandler(irq, chip, handleLevelIrq);
    irqs.push(irq);
  }
  return { sim, core, logs, chip, irqs };
}
