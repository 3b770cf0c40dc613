/*
 * Helpers for thread tests: a virtual-time sleep for async threadFns, and a thread looked up by name.
 */
import type { IrqCore, IrqThreadInfo } from '../../firmware/irq';
import type { Simulator } from '../../hal/mock/sim';

/** Resolves `us` microseconds later in virtual time: a threadFn's "sleep". */
export function sleep(sim: Simulator, us: number): Promise<void> {
  return new Promise((resolve) => {
    sim.after(us, resolve);
  });
}

export function threadOf(core: IrqCore, name: string): IrqThreadInfo {
  const t = core.irqThreads().find((info) => info.name === name);
  if (t === undefined) throw new Error(`no thread ${name} in ${core.irqThreads().map((info) => info.name).join(', ')}`);
  return t;
}
