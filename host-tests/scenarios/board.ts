/*
 * What every scenario starts from: a seeded simulated board whose core logs into an array, and a virtual-time
 * sleep for thread functions.
 */
import type { LogLevel } from '../../firmware/irq';
import { SimBoard } from '../../hal/mock/board';
import type { Simulator } from '../../hal/mock/sim';

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
}

export function makeBoard(seed = 7) {
  const logs: LogLine[] = [];
  const board = new SimBoard({ seed, log: (level, message) => logs.push({ level, message }) });
  /** Whether a line of this level matching pattern was logged. */
  const logged = (level: LogLevel, pattern: RegExp): boolean => logs.some((l) => l.level === level && pattern.test(l.message));
  return { board, sim: board.sim, core: board.core, logs, logged };
}

/** Resolves `us` microseconds later in virtual time: a thread function's "sleep". */
export function sleep(sim: Simulator, us: number): Promise<void> {
  return new Promise((resolve) => {
    sim.after(us, resolve);
  });
}
