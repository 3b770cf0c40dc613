/*
 * The simulated ESP32 board: clock, IRQ core, interrupt controller, GPIO peripheral and I2C bus wired
 * together, so tests and the demo drive the core exactly as the hardware would.
 */
import { IrqCore, type IrqCoreOptions, type IrqLog } from '../../firmware/irq';
import { socPins, type Esp32Soc } from '../esp32/pins';
import { Esp32Gpio } from './gpio';
import { I2cBus, type I2cBusOptions } from './i2c';
import { Esp32Intc } from './intc';
import { Simulator } from './sim';
import type { Net } from './wire';

export interface SimBoardOptions {
  seed?: number;
  /**
   * The chip simulated ('esp32' by default): only its GPIOs exist (pin(n) throws RangeError for another),
   * and the ECMA-419 fakes use its pin table (valid pins, banks, input-only pins, pulls).
   */
  soc?: Esp32Soc;
  log?: IrqLog;
  i2c?: I2cBusOptions;
  /** IrqCore options other than the platform and the log (thread budget, storm handling, ...). */
  core?: Omit<IrqCoreOptions, 'platform' | 'log'>;
}

export class SimBoard {
  readonly soc: Esp32Soc;
  readonly sim: Simulator;
  readonly core: IrqCore;
  readonly intc: Esp32Intc;
  readonly gpio: Esp32Gpio;
  readonly i2c: I2cBus;

  constructor(options: SimBoardOptions = {}) {
    this.soc = options.soc ?? 'esp32';
    const pins = socPins(this.soc);
    this.sim = new Simulator({ seed: options.seed });
    this.core = new IrqCore({ ...options.core, platform: this.sim.platform, log: options.log });
    this.intc = new Esp32Intc(this.sim, this.core);
    this.gpio = new Esp32Gpio(this.core, this.intc, pins);
    this.i2c = new I2cBus(this.sim, options.i2c);
  }

  /** The wire on a GPIO pad, to connect device models to; RangeError for a GPIO the chip does not have. */
  pin(n: number): Net {
    return this.gpio.net(n);
  }

  gpioToIrq(pin: number): number {
    return this.gpio.gpioToIrq(pin);
  }
}
