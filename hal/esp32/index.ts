/*
 * The ESP32 HAL over the Moddable SDK: the GPIO irq_chip on ECMA-419 DigitalBank, its wake sources, and the
 * core's Platform on Moddable's Time and Timer. Every export is a class, a function or a frozen constant:
 * instances are created by firmware/main at start-up, with the real modules injected.
 */
export { Esp32Gpio, type Esp32GpioCounters, type Esp32GpioOptions, type Esp32GpioStats, type Esp32PinInfo, type Esp32PinMode } from './gpio';
export { createEsp32Platform, delayUsToMs, type Esp32PlatformOptions } from './platform';
export { Esp32Wake, type Esp32WakeSources, type Ext1Mode, type Ext1WakeSource, type GpioWakeSource } from './wake';
export {
  ESP32_GPIO_COUNT, ESP32_PIN_BANKS, ESP32_RTC_GPIOS, ESP32_VALID_OUTPUT_PINS, ESP32_VALID_PINS, isInputOnlyGpio,
  isRtcGpio, isValidGpio,
} from './pins';
export type {
  DigitalBankConstructor, DigitalBankInstance, DigitalBankOptions, DigitalConstructor, DigitalInstance, DigitalOptions,
  Esp32Io, ModdableTime, ModdableTimer,
} from './io-types';
