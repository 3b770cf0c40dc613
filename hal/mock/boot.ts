/*
 * A simulated board booted with the layers that ship: the hardware (SimBoard), Moddable's ECMA-419 IO on it
 * (the provider fakes over ESP-IDF's GPIO driver and the GPIO peripheral), one IrqCore on the board's clock,
 * and the ESP32 HAL's GPIO irq_chip (hal/esp32/gpio.ts) over the fake DigitalBank: the stack a driver runs on
 * the board, minus the engine. Tests, the docs' samples and the bench start here; the demo's firmware builds
 * its own core on a bare SimBoard instead, as its main does on the device.
 *
 * The simulator's stall guard is told about the core (hal/mock/stall.ts), so a handler that makes no progress
 * stops the run with an error naming its irq and thread.
 */
import { Esp32Gpio, type Esp32GpioOptions, type Esp32PinMode } from '../esp32/gpio';
import { IrqCore, type IrqCoreOptions, type IrqLog } from '../../firmware/irq';
import { SimBoard, type SimBoardOptions } from './board';
import { createFakeProvider, type FakeProvider, type FakeProviderShape } from './ecma419/provider';
import type { I2cBus } from './i2c';
import type { Simulator } from './sim';
import { reportIrqStalls } from './stall';
import type { Net } from './wire';

export interface BootOptions extends SimBoardOptions {
  /** The core's log (warnings, "nobody cared", ...): silent when absent. */
  log?: IrqLog;
  /** IrqCore options other than the platform and the log (thread budget, storm handling, trace, ...). */
  core?: Omit<IrqCoreOptions, 'platform' | 'log'>;
  /** The provider's shape ('esp32', the plain platform's, by default; 'board' for a board subplatform's). */
  shape?: FakeProviderShape;
  /** µs from the ISR to onReadable on the JavaScript thread (the message queue's latency); 0 by default. */
  latencyUs?: number;
  /** The XS task's message queue capacity (MODDEF_TASK_QUEUELENGTH, 10). */
  queueLength?: number;
  /** Options of the HAL's GPIO chip (its soc is the board's; edge times come from the fakes). */
  gpio?: Omit<Esp32GpioOptions, 'soc' | 'edgeTime'>;
}

export interface BootedBoard {
  /** The hardware. */
  readonly board: SimBoard;
  readonly sim: Simulator;
  readonly i2c: I2cBus;
  /** Moddable's IO as the firmware gets it (`device`), and the fakes behind it. */
  readonly provider: FakeProvider;
  /** The board's one IRQ core. */
  readonly core: IrqCore;
  /** The GPIO irq_chip that ships (hal/esp32/gpio.ts). */
  readonly gpio: Esp32Gpio;
  /** The wire on a GPIO pad. */
  pin(n: number): Net;
  /** gpio_to_irq through the HAL chip (`mode` opens the pin with a pull, as Esp32Gpio.gpioToIrq). */
  gpioToIrq(pin: number, mode?: Esp32PinMode): number;
}

/**
 * The board, Moddable's IO fakes on it and the core: what both GPIO chips boot on (the native chip's boot,
 * which needs Node, is hal/mock/native/boot.ts).
 */
export function bootSimLayers(options: BootOptions): Omit<BootedBoard, 'gpio' | 'gpioToIrq'> {
  const board = new SimBoard(options);
  const { sim } = board;
  const provider = createFakeProvider(board, {
    shape: options.shape ?? 'esp32', latencyUs: options.latencyUs ?? 0, queueLength: options.queueLength,
  });
  const core = new IrqCore({ ...options.core, platform: sim.platform, log: options.log ?? (() => {}) });
  reportIrqStalls(sim, core);
  return { board, sim, i2c: board.i2c, provider, core, pin: (n: number) => board.pin(n) };
}

export function bootSimBoard(options: BootOptions = {}): BootedBoard {
  const layers = bootSimLayers(options);
  const gpio = new Esp32Gpio(layers.core, layers.provider.device.io, {
    ...options.gpio, soc: layers.board.soc, edgeTime: layers.provider.fakes.digital.edgeTime,
  });
  return Object.freeze({ ...layers, gpio, gpioToIrq: (pin: number, mode?: Esp32PinMode) => gpio.gpioToIrq(pin, mode) });
}
