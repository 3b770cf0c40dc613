/*
 * What every scenario starts from: a seeded simulated board booted with the layers that ship
 * (hal/mock/boot.ts: the hardware, Moddable's IO fakes, one IrqCore and the ESP32 HAL's GPIO chip) whose core
 * logs into an array, and a virtual-time sleep for thread functions.
 */
import type { LogLevel } from '../../firmware/irq';
import { bootSimBoard, type BootOptions } from '../../hal/mock/boot';
import type { Simulator } from '../../hal/mock/sim';

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
}

/**
 * `board` is the booted board (pin, gpioToIrq, i2c, provider), `hw` its hardware (the GPIO peripheral's
 * registers), `gpio` the HAL's GPIO chip (its pin records: masked, pending, counters), `core` the one core.
 */
export function makeBoard(seed = 7, options: Omit<BootOptions, 'seed' | 'log'> = {}) {
  const logs: LogLine[] = [];
  const board = bootSimBoard({ ...options, seed, log: (level, message) => logs.push({ level, message }) });
  /** Whether a line of this level matching pattern was logged. */
  const logged = (level: LogLevel, pattern: RegExp): boolean => logs.some((l) => l.level === level && pattern.test(l.message));
  return { board, hw: board.board, sim: board.sim, core: board.core, gpio: board.gpio, logs, logged };
}

/** Resolves `us` microseconds later in virtual time: a thread function's "sleep". */
export function sleep(sim: Simulator, us: number): Promise<void> {
  return new Promise((resolve) => {
    sim.after(us, resolve);
  });
}
