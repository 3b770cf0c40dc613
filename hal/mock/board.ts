/*
 * The simulated ESP32 board, as hardware only: the simulator (virtual time and CPU), the GPIO peripheral
 * (pads, interrupt types, status latches, the CPU interrupt source: hal/mock/gpio-peripheral.ts) and the I2C
 * bus, with device models wired to the pads' nets. It has no irq_chip and no IRQ core: the layers that ship
 * run on top of it (hal/mock/boot.ts puts Moddable's IO fakes, one IrqCore and the ESP32 HAL chip there; the
 * demo's firmware builds its own core, as on the board).
 */
import { socPins, type Esp32Soc } from '../esp32/pins';
import { Esp32GpioPeripheral } from './gpio-peripheral';
import { I2cBus, type I2cBusOptions } from './i2c';
import { Simulator, type SimulatorCpuCost } from './sim';
import type { Net } from './wire';

/**
 * The virtual CPU time a board charges by default: a hardirq delivery (the JavaScript onReadable and the
 * hardirq flow it runs) and a deferred job (a runner burst of thread functions, or the HAL's replay job).
 * Small beside the ~0.5 ms XS takes per threaded interrupt on a 240 MHz ESP32, so that timing in tests stays
 * readable, yet never zero: a handler that makes no progress still moves virtual time, so a run ends.
 * A burst's charge is spent inside its first thread run (sim.ts, createDeferred), so the core's storm
 * accounting bills it to the line: a level device nobody clears is switched to polling, as on the board. The
 * hardirq's charge is spent before onReadable and is not billed.
 */
export const DEFAULT_BOARD_CPU: Readonly<Required<SimulatorCpuCost>> = Object.freeze({ hardirqUs: 5, threadUs: 10 });

export interface SimBoardOptions {
  seed?: number;
  /**
   * The chip simulated ('esp32' by default): only its GPIOs exist (pin(n) throws RangeError for another),
   * and the IO layers use its pin table (valid pins, banks, input-only pins, pulls).
   */
  soc?: Esp32Soc;
  i2c?: I2cBusOptions;
  /** Virtual CPU cost of a hardirq and of a thread burst (DEFAULT_BOARD_CPU; zeros give an idealised CPU). */
  cpu?: SimulatorCpuCost;
  /** Events at one virtual instant after which a run stops as stalled (the Simulator's default when absent). */
  stallEvents?: number;
}

export class SimBoard {
  readonly soc: Esp32Soc;
  readonly sim: Simulator;
  readonly gpio: Esp32GpioPeripheral;
  readonly i2c: I2cBus;

  constructor(options: SimBoardOptions = {}) {
    this.soc = options.soc ?? 'esp32';
    this.sim = new Simulator({
      seed: options.seed,
      cpu: { ...DEFAULT_BOARD_CPU, ...options.cpu },
      stallEvents: options.stallEvents,
    });
    this.gpio = new Esp32GpioPeripheral(this.sim, socPins(this.soc));
    this.i2c = new I2cBus(this.sim, options.i2c);
  }

  /** The wire on a GPIO pad, to connect device models to; RangeError for a GPIO the chip does not have. */
  pin(n: number): Net {
    return this.gpio.net(n);
  }
}
