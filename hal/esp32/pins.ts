/*
 * ESP32 (the original, "ESP32-D0WD") GPIO facts the HAL and the fakes share. Frozen constants only: nothing
 * here touches native IO, so Moddable's preload can run and freeze this module at build time.
 */

/** GPIO numbers go up to 39; the domain has one hwirq per number. */
export const ESP32_GPIO_COUNT = 40;

/** Moddable's DigitalBank addresses 32 pins per bank: bank 0 is GPIO 0-31, bank 1 is GPIO 32-39. */
export const ESP32_PIN_BANKS = 2;

/**
 * SOC_GPIO_VALID_GPIO_MASK split per bank: GPIO 0-19, 21-23, 25-27 and 32-39 exist (20, 24 and 28-31 do
 * not). Moddable's DigitalBank throws "invalid pin" for any other bit.
 */
export const ESP32_VALID_PINS: readonly number[] = Object.freeze([0x0eefffff, 0xff]);

/** SOC_GPIO_VALID_OUTPUT_GPIO_MASK per bank: GPIO 34-39 are input only (and have no pull resistors). */
export const ESP32_VALID_OUTPUT_PINS: readonly number[] = Object.freeze([0x0eefffff, 0x03]);

/** The RTC GPIOs: the only pads ext1 can watch in deep sleep. */
export const ESP32_RTC_GPIOS: readonly number[] = Object.freeze([0, 2, 4, 12, 13, 14, 15, 25, 26, 27, 32, 33, 34, 35, 36, 37, 38, 39]);

/** Is `pin` a GPIO this chip has? */
export function isValidGpio(pin: number): boolean {
  if (!Number.isInteger(pin) || pin < 0 || pin >= ESP32_GPIO_COUNT) return false;
  return (ESP32_VALID_PINS[pin >> 5] & (1 << (pin & 31))) !== 0;
}

export function isRtcGpio(pin: number): boolean {
  return ESP32_RTC_GPIOS.includes(pin);
}

/** GPIO 34-39 have no internal pull-up or pull-down. */
export function isInputOnlyGpio(pin: number): boolean {
  return pin >= 34 && pin <= 39;
}
