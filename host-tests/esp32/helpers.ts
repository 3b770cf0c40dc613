/*
 * The ESP32 HAL on the simulated board, booted as it ships (hal/mock/boot.ts): the hardware, Moddable's IO
 * fakes over it, one IrqCore and the HAL's GPIO chip. The core's log is collected.
 */
import type { Esp32GpioOptions, Esp32Soc } from '../../hal/esp32';
import { bootSimBoard, type BootOptions } from '../../hal/mock/boot';
import type { LogEntry } from '../helpers/fake-chip';

export interface Esp32BoardOptions extends Omit<Esp32GpioOptions, 'soc'> {
  /** The chip, for the simulated board and the HAL alike ('esp32' by default). */
  soc?: Esp32Soc;
  /** µs from an edge to its onReadable delivery (the fake's ISR-to-JS latency). */
  latencyUs?: number;
  queueLength?: number;
  cpu?: BootOptions['cpu'];
}

export function makeEsp32Board(options: Esp32BoardOptions = {}) {
  const logs: LogEntry[] = [];
  const { soc, latencyUs, queueLength, cpu, ...gpio } = options;
  const booted = bootSimBoard({
    seed: 7, soc, latencyUs, queueLength, cpu, gpio, log: (level, message) => logs.push({ level, message }),
  });
  return { ...booted, io: booted.provider.fakes.digital, logs };
}
