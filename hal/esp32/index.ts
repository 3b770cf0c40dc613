/*
 * The ESP32 HAL over the Moddable SDK: the GPIO irq_chips (on ECMA-419 DigitalBank, or on genirq's native GPIO
 * module, whose functions are genirq/esp32/native-gpio-board, in manifests/esp32-native.json), its wake sources, and the
 * core's Platform on Moddable's Time and Timer. Every export is a class, a function or a frozen constant:
 * instances are created by firmware/main at start-up, with the real modules injected.
 */
export { Esp32Gpio, type Esp32GpioCounters, type Esp32GpioOptions, type Esp32GpioStats, type Esp32PinInfo, type Esp32PinMode } from './gpio';
export {
  Esp32NativeGpio, type Esp32NativeGpioCounters, type Esp32NativeGpioOptions, type Esp32NativeGpioStats, type Esp32NativePinInfo,
} from './native-gpio';
export type { NativeGpioModule } from './native-gpio-module';
export { createEsp32Platform, delayUsToMs, type Esp32PlatformOptions } from './platform';
export {
  Esp32Wake, type DeepSleepGpioWakeSource, type Esp32WakeSources, type Ext1Mode, type Ext1WakeSource, type GpioWakeSource,
} from './wake';
export {
  ESP32_SOCS, canWakeFromDeepSleep, canWakeFromLightSleep, flashPinReason, hasPulls, isInputOnlyGpio, isValidGpio,
  pinCaution, pinRanges, socPins, type DeepSleepWakeKind, type Esp32Soc, type SocPins,
} from './pins';
export type {
  DigitalBankConstructor, DigitalBankInstance, DigitalBankOptions, DigitalConstructor, DigitalInstance, DigitalOptions,
  Esp32Io, ModdableTime, ModdableTimer,
} from './io-types';
export { I2C_DEFAULT_HZ, i2cBusOptions, type Esp32I2cOptions, type I2cProvider, type I2cWiring } from './i2c-options';
