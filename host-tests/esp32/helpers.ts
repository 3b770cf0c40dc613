/*
 * The ESP32 HAL on the simulated board: the SimBoard's nets, simulator, core and I2C bus, with the fake
 * ECMA-419 DigitalBank in place of Moddable's native layer (the board's simulated GPIO irq_chip is unused).
 */
import { Esp32Gpio, type Esp32GpioOptions, type ModdableTime, type ModdableTimer } from '../../hal/esp32';
import { SimBoard } from '../../hal/mock/board';
import { createFakeDigitalIo } from '../../hal/mock/ecma419/digital';
import type { SimTimer, Simulator } from '../../hal/mock/sim';
import type { LogEntry } from '../helpers/fake-chip';

export interface Esp32BoardOptions extends Esp32GpioOptions {
  /** µs from an edge to its onReadable delivery (the fake's ISR-to-JS latency). */
  latencyUs?: number;
}

export function makeEsp32Board(options: Esp32BoardOptions = {}) {
  const logs: LogEntry[] = [];
  const board = new SimBoard({ seed: 7, log: (level, message) => logs.push({ level, message }) });
  const io = createFakeDigitalIo(board, { latencyUs: options.latencyUs ?? 0 });
  const gpio = new Esp32Gpio(board.core, io, options);
  return { board, sim: board.sim, core: board.core, io, gpio, logs };
}

/** Moddable's Time over the simulator's clock: ticks in ms (an int32, as xsmcSetInteger gives it), microseconds optional. */
export function simTime(sim: Simulator, withMicroseconds: boolean): ModdableTime {
  const ticks = { get ticks(): number { return Math.floor(sim.now() / 1000) | 0; } };
  if (!withMicroseconds) return ticks;
  return { get ticks(): number { return ticks.ticks; }, get microseconds(): number { return sim.now(); } };
}

/** Moddable's Timer over the simulator: set(cb, ms) is an event ms × 1000 µs later. */
export function simTimer(sim: Simulator): ModdableTimer<SimTimer> & { sets: number[]; clears: number } {
  const timer = {
    sets: [] as number[],
    clears: 0,
    set(callback: () => void, delay = 0): SimTimer {
      timer.sets.push(delay);
      return sim.after(delay * 1000, callback);
    },
    clear(t: SimTimer): void {
      timer.clears++;
      sim.cancel(t);
    },
  };
  return timer;
}
