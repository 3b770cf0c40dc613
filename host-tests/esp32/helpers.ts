/*
 * The ESP32 HAL on the simulated board: the SimBoard's nets, simulator, core and I2C bus, with the fake
 * ECMA-419 DigitalBank in place of Moddable's native layer (the board's simulated GPIO irq_chip is unused).
 */
import { Esp32Gpio, type Esp32GpioOptions, type Esp32Soc } from '../../hal/esp32';
import { SimBoard } from '../../hal/mock/board';
import { createFakeDigitalIo } from '../../hal/mock/ecma419/digital';
import type { LogEntry } from '../helpers/fake-chip';

export interface Esp32BoardOptions extends Omit<Esp32GpioOptions, 'soc'> {
  /** The chip, for the simulated board and the HAL alike ('esp32' by default). */
  soc?: Esp32Soc;
  /** µs from an edge to its onReadable delivery (the fake's ISR-to-JS latency). */
  latencyUs?: number;
}

export function makeEsp32Board(options: Esp32BoardOptions = {}) {
  const logs: LogEntry[] = [];
  const soc = options.soc ?? 'esp32';
  const board = new SimBoard({ seed: 7, soc, log: (level, message) => logs.push({ level, message }) });
  const io = createFakeDigitalIo(board, { latencyUs: options.latencyUs ?? 0 });
  const gpio = new Esp32Gpio(board.core, io, { ...options, soc });
  return { board, sim: board.sim, core: board.core, io, gpio, logs };
}
