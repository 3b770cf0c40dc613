/*
 * A simulated board booted with the native GPIO chip instead of the DigitalBank one: Node only (the native
 * module's C is loaded through koffi), so apart from hal/mock/boot.ts, whose boards also run in XS.
 */
import { Esp32NativeGpio, type Esp32NativeGpioOptions } from '../../esp32/native-gpio';
import type { Esp32PinMode } from '../../esp32/gpio';
import { bootSimLayers, type BootOptions, type BootedBoard } from '../boot';
import { createHostNativeGpio, type HostNativeGpio } from './gpio-irq-host';

export interface NativeBootOptions extends Omit<BootOptions, 'gpio'> {
  /** Options of the native GPIO chip (its soc is the board's). */
  gpio?: Omit<Esp32NativeGpioOptions, 'soc'>;
}

export interface NativeBootedBoard extends Omit<BootedBoard, 'gpio'> {
  /** The native GPIO chip (hal/esp32/native-gpio.ts) over the native module's C, built for the host. */
  readonly gpio: Esp32NativeGpio;
  /** The native module's test-bench view (hal/mock/native/gpio-irq-host.ts). */
  readonly native: HostNativeGpio;
}

/**
 * The same board with the other GPIO chip: the native module (native/gpio-irq) compiled for the host, its ISR
 * called by ESP-IDF's GPIO driver twin on the board's peripheral, its posts in the provider's message queue and
 * its pins in the provider's pin-use registry.
 */
export function bootNativeSimBoard(options: NativeBootOptions = {}): NativeBootedBoard {
  const layers = bootSimLayers(options);
  const { fakes } = layers.provider;
  const native = createHostNativeGpio(layers.board, { queue: fakes.queue, pins: fakes.pins, latencyUs: options.latencyUs });
  const gpio = new Esp32NativeGpio(layers.core, native.module, { ...options.gpio, soc: layers.board.soc });
  return Object.freeze({ ...layers, gpio, native, gpioToIrq: (pin: number, mode?: Esp32PinMode) => gpio.gpioToIrq(pin, mode) });
}
