/*
 * The pin tables of the ESP32 family Moddable builds (`-p esp32`, `esp32/esp32s3`, `esp32/esp32c3`,
 * `esp32/esp32c6`): which GPIOs exist, which are input only or have no pulls, which the SPI flash owns, which
 * the PSRAM, the console (UART0) or the USB-Serial-JTAG use, and which can wake the chip. The HAL
 * (hal/esp32/gpio.ts, wake.ts) and the simulated board (hal/mock/board.ts, the ECMA-419 fakes) share them.
 *
 * Sources: ESP-IDF's components/soc/<chip>/include/soc/soc_caps.h (SOC_GPIO_PIN_COUNT,
 * SOC_GPIO_VALID_GPIO_MASK, SOC_GPIO_VALID_OUTPUT_GPIO_MASK, SOC_RTCIO_PIN_COUNT,
 * SOC_GPIO_DEEP_SLEEP_WAKE_VALID_GPIO_MASK), its GPIO guide's per-chip pin tables
 * (docs/en/api-reference/peripherals/gpio*.rst: the "SPI0/1", "USB-JTAG", "GPI" and "RTC" comments), the
 * sleep-modes guide (ext1 and GPIO wake-up) and each chip's datasheet, chapter "Pins" (pin overview, IO MUX).
 *
 * Frozen constants and pure functions only: Moddable's preload runs this module at build time and freezes
 * it, so nothing here touches native IO and no binding is mutable. The chip is never guessed: the build
 * names it (mc/config's soc, set per subplatform by the manifest) and the HAL is created with it.
 */
import { IrqError, type IrqLog } from '../../firmware/irq';


/** The chips of the family this HAL knows, as the build names them. */
export type Esp32Soc = 'esp32' | 'esp32s3' | 'esp32c3' | 'esp32c6';

/**
 * How a chip is woken from deep sleep by a GPIO level:
 * - `ext1-all-low`: esp_sleep_enable_ext1_wakeup(mask, ESP_EXT1_WAKEUP_ALL_LOW or ANY_HIGH), one mode for
 *   every pin; ALL_LOW wakes only once every selected pin is low (the original ESP32 only).
 * - `ext1-any-low`: the same call with ESP_EXT1_WAKEUP_ANY_LOW or ANY_HIGH: from the S2 on, esp_sleep.h
 *   makes ALL_LOW a deprecated alias of ANY_LOW. One mode for every pin.
 * - `gpio`: esp_deep_sleep_enable_gpio_wakeup(mask, ESP_GPIO_WAKEUP_GPIO_LOW or HIGH), once per level, so
 *   each pin has its own (SOC_GPIO_SUPPORT_DEEPSLEEP_WAKEUP; chips without ext1).
 */
export type DeepSleepWakeKind = 'ext1-all-low' | 'ext1-any-low' | 'gpio';

/** One chip's pin facts. Pin lists are sorted; masks are per DigitalBank bank (32 pins each). */
export interface SocPins {
  readonly soc: Esp32Soc;
  /** The chip's name in messages ("ESP32", "ESP32-S3"...). */
  readonly name: string;
  /** SOC_GPIO_PIN_COUNT: GPIO numbers are below it (the domain has one hwirq per number). */
  readonly gpioCount: number;
  /** Moddable's kPinBanks: 2 when the chip has GPIOs from 32 up (bank 1 is GPIO 32-63), else 1. */
  readonly banks: number;
  /** SOC_GPIO_VALID_GPIO_MASK, per bank. */
  readonly validMask: readonly number[];
  /** SOC_GPIO_VALID_OUTPUT_GPIO_MASK, per bank: the other valid pins are input only. */
  readonly outputMask: readonly number[];
  /** The valid GPIOs as ranges, for messages ("0-19, 21-23, 25-27, 32-39"). */
  readonly validRanges: string;
  /** Pins without internal pull-up or pull-down, and why (the ESP-IDF refuses gpio_set_pull_mode there). */
  readonly noPull: readonly number[];
  readonly noPullReason: string;
  /** Pins wired to the SPI flash: reconfiguring one stops instruction fetch and crashes the chip. Refused. */
  readonly flash: readonly number[];
  readonly flashReason: string;
  /** Pins that work but are usually taken (PSRAM, UART0, USB-Serial-JTAG): why, per pin. Warned about. */
  readonly caution: Readonly<Record<number, string>>;
  /** Pins gpio_wakeup_enable accepts for light-sleep wake: every valid GPIO on these four chips. */
  readonly lightSleepWake: readonly number[];
  /** Pins that can wake the chip from deep sleep, and the mechanism. */
  readonly deepSleepWake: readonly number[];
  readonly deepSleepWakeKind: DeepSleepWakeKind;
  /** What the deep-sleep wake pins are called ("RTC GPIO", "LP GPIO"...), for messages. */
  readonly deepSleepPinName: string;
}

// ---- building the tables (pure, run once at load; the results are frozen) ----

function range(from: number, to: number): number[] {
  const pins: number[] = [];
  for (let n = from; n <= to; n++) pins.push(n);
  return pins;
}

function masksOf(pins: readonly number[], banks: number): readonly number[] {
  const masks: number[] = [];
  for (let b = 0; b < banks; b++) masks.push(0);
  for (const pin of pins) masks[pin >> 5] = (masks[pin >> 5] | (1 << (pin & 31))) >>> 0;
  return Object.freeze(masks);
}

/** "0-19, 21-23, 25-27, 32-39". */
export function pinRanges(pins: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < pins.length) {
    let j = i;
    while (j + 1 < pins.length && pins[j + 1] === pins[j] + 1) j++;
    parts.push(j === i ? `${pins[i]}` : `${pins[i]}-${pins[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

interface SocFacts {
  soc: Esp32Soc;
  name: string;
  valid: number[];
  inputOnly: number[];
  noPull: number[];
  noPullReason: string;
  flash: number[];
  flashReason: string;
  caution: Record<number, string>;
  deepSleepWake: number[];
  deepSleepWakeKind: DeepSleepWakeKind;
  deepSleepPinName: string;
}

function table(f: SocFacts): SocPins {
  const gpioCount = f.valid[f.valid.length - 1] + 1;
  const banks = gpioCount > 32 ? 2 : 1;
  const valid = Object.freeze([...f.valid]);
  return Object.freeze({
    soc: f.soc,
    name: f.name,
    gpioCount,
    banks,
    validMask: masksOf(valid, banks),
    outputMask: masksOf(valid.filter((pin) => !f.inputOnly.includes(pin)), banks),
    validRanges: pinRanges(valid),
    noPull: Object.freeze([...f.noPull]),
    noPullReason: f.noPullReason,
    flash: Object.freeze([...f.flash]),
    flashReason: f.flashReason,
    caution: Object.freeze({ ...f.caution }),
    lightSleepWake: valid,
    deepSleepWake: Object.freeze([...f.deepSleepWake]),
    deepSleepWakeKind: f.deepSleepWakeKind,
    deepSleepPinName: f.deepSleepPinName,
  });
}

function each(pins: number[], why: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const pin of pins) out[pin] = why;
  return out;
}

// ---- the chips ----

/**
 * The original ESP32 (D0WD, the WROOM and WROVER modules).
 * - Valid: soc_caps.h SOC_GPIO_VALID_GPIO_MASK, 0-39 without 24 and 28-31. ESP-IDF 4.4+ also admits GPIO20
 *   because the ESP32-PICO-V3 package bonds it; no other package does (GPIO guide: "only available on
 *   ESP32-PICO-V3"), and this HAL targets the modules, so 20 is refused as the board's DigitalBank would.
 * - Input only, no pulls: GPIO 34-39 (SOC_GPIO_VALID_OUTPUT_GPIO_MASK; GPIO guide "GPI": "can only be set as
 *   input mode and do not have software-enabled pullup or pulldown functions").
 * - Flash: GPIO 6-11 (SD_CLK, SD_DATA0-3, SD_CMD: SPICLK, SPIQ, SPID, SPIHD, SPIWP, SPICS0; datasheet
 *   "Pin Description", GPIO guide "SPI0/1").
 * - PSRAM: GPIO 16 (PSRAM CS) and 17 (PSRAM CLK) on WROVER modules; ESP32-PICO-D4 uses them for its
 *   in-package flash. UART0: GPIO 1 (TXD0) and 3 (RXD0), the console and xsbug.
 * - Deep sleep: ext1 watches the RTC GPIOs (0, 2, 4, 12-15, 25-27, 32-39: datasheet "RTC Function"),
 *   ALL_LOW or ANY_HIGH.
 */
const ESP32 = table({
  soc: 'esp32',
  name: 'ESP32',
  valid: [...range(0, 19), 21, 22, 23, 25, 26, 27, ...range(32, 39)],
  inputOnly: range(34, 39),
  noPull: range(34, 39),
  noPullReason: 'GPIO 34-39 are input only and have no internal pull-up or pull-down (ESP32 datasheet, GPIO guide "GPI")',
  flash: range(6, 11),
  flashReason: 'is an SPI flash pin on ESP32 modules (GPIO 6-11); using it crashes the chip',
  caution: {
    ...each([16, 17], 'is wired to the PSRAM on ESP32-WROVER modules (GPIO16 PSRAM CS, GPIO17 PSRAM CLK) and to the flash on ESP32-PICO-D4; use it only on a board without them'),
    1: 'is UART0 TX, the serial console and xsbug; using it cuts them off',
    3: 'is UART0 RX, the serial console and xsbug; using it cuts them off',
  },
  deepSleepWake: [0, 2, 4, 12, 13, 14, 15, 25, 26, 27, ...range(32, 39)],
  deepSleepWakeKind: 'ext1-all-low',
  deepSleepPinName: 'RTC GPIO',
});

/**
 * ESP32-S3.
 * - Valid: SOC_GPIO_PIN_COUNT 49, SOC_GPIO_VALID_GPIO_MASK 0-48 without 22-25; no pin is input only
 *   (SOC_GPIO_VALID_OUTPUT_GPIO_MASK = the valid mask), every pin has pulls. Two DigitalBank banks.
 * - Flash: GPIO 27-32 (SPIHD, SPIWP, SPICS0, SPICLK, SPIQ, SPID; GPIO guide "SPI0/1").
 * - PSRAM: GPIO26 (SPICS1, the PSRAM chip select) and GPIO 33-37 (SPIIO4-7 and SPIDQS, used by octal flash
 *   or octal PSRAM: ESP32-S3R8/R8V and the modules built on them).
 * - UART0: GPIO43 (U0TXD), GPIO44 (U0RXD). USB-Serial-JTAG: GPIO19 (D-), GPIO20 (D+).
 * - Deep sleep: ext1 on the RTC GPIOs 0-21 (SOC_RTCIO_PIN_COUNT 22), ANY_LOW or ANY_HIGH.
 */
const ESP32S3 = table({
  soc: 'esp32s3',
  name: 'ESP32-S3',
  valid: [...range(0, 21), ...range(26, 48)],
  inputOnly: [],
  noPull: [],
  noPullReason: '',
  flash: range(27, 32),
  flashReason: 'is an SPI flash pin on ESP32-S3 chips and modules (GPIO 27-32); using it crashes the chip',
  caution: {
    26: 'is SPICS1, the PSRAM chip select on ESP32-S3 modules with PSRAM; use it only on a board without PSRAM',
    ...each(range(33, 37), 'is wired to the octal flash or octal PSRAM (SPIIO4-7, SPIDQS) on ESP32-S3R8/R8V and their modules; use it only on a board with quad memory'),
    43: 'is UART0 TX, the serial console and xsbug; using it cuts them off',
    44: 'is UART0 RX, the serial console and xsbug; using it cuts them off',
    19: 'is USB-Serial-JTAG D-; using it disconnects the USB console, xsbug and JTAG',
    20: 'is USB-Serial-JTAG D+; using it disconnects the USB console, xsbug and JTAG',
  },
  deepSleepWake: range(0, 21),
  deepSleepWakeKind: 'ext1-any-low',
  deepSleepPinName: 'RTC GPIO',
});

/**
 * ESP32-C3.
 * - Valid: SOC_GPIO_PIN_COUNT 22, GPIO 0-21, none input only, all with pulls. One DigitalBank bank.
 * - Flash: GPIO 12-17 (SPIHD, SPIWP, SPICS0, SPICLK, SPID, SPIQ; GPIO guide "SPI0/1"; the in-package flash
 *   of the C3FN4/FH4 uses them too). No PSRAM.
 * - UART0: GPIO21 (U0TXD), GPIO20 (U0RXD). USB-Serial-JTAG: GPIO18 (D-), GPIO19 (D+).
 * - Deep sleep: no ext1; GPIO 0-5 (the VDD3P3_RTC pads) through esp_deep_sleep_enable_gpio_wakeup
 *   (SOC_GPIO_DEEP_SLEEP_WAKE_VALID_GPIO_MASK), a level per pin.
 */
const ESP32C3 = table({
  soc: 'esp32c3',
  name: 'ESP32-C3',
  valid: range(0, 21),
  inputOnly: [],
  noPull: [],
  noPullReason: '',
  flash: range(12, 17),
  flashReason: 'is an SPI flash pin on ESP32-C3 chips and modules (GPIO 12-17); using it crashes the chip',
  caution: {
    21: 'is UART0 TX, the serial console and xsbug; using it cuts them off',
    20: 'is UART0 RX, the serial console and xsbug; using it cuts them off',
    18: 'is USB-Serial-JTAG D-; using it disconnects the USB console, xsbug and JTAG',
    19: 'is USB-Serial-JTAG D+; using it disconnects the USB console, xsbug and JTAG',
  },
  deepSleepWake: range(0, 5),
  deepSleepWakeKind: 'gpio',
  deepSleepPinName: 'RTC GPIO',
});

/**
 * ESP32-C6.
 * - Valid: SOC_GPIO_PIN_COUNT 31, GPIO 0-30, none input only, all with pulls. One DigitalBank bank.
 * - Flash: GPIO 24-30 (GPIO guide "SPI0/1"; dedicated to the SiP flash of the C6FH variants). No PSRAM.
 * - UART0: GPIO16 (U0TXD), GPIO17 (U0RXD). USB-Serial-JTAG: GPIO12 (D-), GPIO13 (D+).
 * - Deep sleep: ext1 on the LP GPIOs 0-7 (SOC_RTCIO_PIN_COUNT 8, SOC_GPIO_DEEP_SLEEP_WAKE_VALID_GPIO_MASK),
 *   ANY_LOW or ANY_HIGH. The C6 can also give each pin its own level (SOC_PM_SUPPORT_EXT1_WAKEUP_MODE_PER_PIN,
 *   esp_sleep_enable_ext1_wakeup_io); one mode for all keeps it to a single call, as on the S3.
 */
const ESP32C6 = table({
  soc: 'esp32c6',
  name: 'ESP32-C6',
  valid: range(0, 30),
  inputOnly: [],
  noPull: [],
  noPullReason: '',
  flash: range(24, 30),
  flashReason: 'is an SPI flash pin on ESP32-C6 chips and modules (GPIO 24-30); using it crashes the chip',
  caution: {
    16: 'is UART0 TX, the serial console and xsbug; using it cuts them off',
    17: 'is UART0 RX, the serial console and xsbug; using it cuts them off',
    12: 'is USB-Serial-JTAG D-; using it disconnects the USB console, xsbug and JTAG',
    13: 'is USB-Serial-JTAG D+; using it disconnects the USB console, xsbug and JTAG',
  },
  deepSleepWake: range(0, 7),
  deepSleepWakeKind: 'ext1-any-low',
  deepSleepPinName: 'LP GPIO',
});

const TABLES: Readonly<Record<Esp32Soc, SocPins>> = Object.freeze({
  esp32: ESP32, esp32s3: ESP32S3, esp32c3: ESP32C3, esp32c6: ESP32C6,
});

/** The chips socPins knows. */
export const ESP32_SOCS: readonly Esp32Soc[] = Object.freeze(['esp32', 'esp32s3', 'esp32c3', 'esp32c6'] as const);

/** The pin table of `soc`; a name the HAL does not know throws (the build's soc is a typo or a new chip). */
export function socPins(soc: Esp32Soc): SocPins {
  if (typeof soc === 'string' && Object.prototype.hasOwnProperty.call(TABLES, soc)) return TABLES[soc];
  throw new RangeError(`unknown ESP32 chip '${String(soc)}': expected one of ${ESP32_SOCS.join(', ')} (Moddable's mc/config soc, set per subplatform)`);
}

// ---- questions about one pin ----

/** Is `pin` a GPIO the chip has? */
export function isValidGpio(t: SocPins, pin: number): boolean {
  if (!Number.isInteger(pin) || pin < 0 || pin >= t.gpioCount) return false;
  return (t.validMask[pin >> 5] & (1 << (pin & 31))) !== 0;
}

/** A valid GPIO that cannot drive (ESP32 GPIO 34-39). */
export function isInputOnlyGpio(t: SocPins, pin: number): boolean {
  return isValidGpio(t, pin) && (t.outputMask[pin >> 5] & (1 << (pin & 31))) === 0;
}

/** Does the pin have internal pull-up and pull-down resistors? */
export function hasPulls(t: SocPins, pin: number): boolean {
  return isValidGpio(t, pin) && !t.noPull.includes(pin);
}

/** Why the pin must not be used (an SPI flash pin), or undefined. */
export function flashPinReason(t: SocPins, pin: number): string | undefined {
  return t.flash.includes(pin) ? `GPIO${pin} ${t.flashReason}` : undefined;
}

/** Why using the pin needs care (PSRAM, UART0, USB-Serial-JTAG), or undefined. */
export function pinCaution(t: SocPins, pin: number): string | undefined {
  const why = Object.prototype.hasOwnProperty.call(t.caution, pin) ? t.caution[pin] : undefined;
  return why === undefined ? undefined : `GPIO${pin} ${why}`;
}

/**
 * A chip's pin a driver asks for (gpio_to_irq, a pin mode, a mapping): its caution, if it has one, logged the
 * first time (`record.warned` keeps that) in the chip's name. Both GPIO chips' claim.
 */
export function warnPinOnce(t: SocPins, record: { pin: number; warned: boolean }, chipName: string, log: IrqLog): void {
  if (record.warned) return;
  record.warned = true;
  const caution = pinCaution(t, record.pin);
  if (caution !== undefined) log('warn', `${chipName}: ${caution}`);
}

/** Can the pin wake the chip from light sleep (gpio_wakeup_enable)? */
export function canWakeFromLightSleep(t: SocPins, pin: number): boolean {
  return t.lightSleepWake.includes(pin);
}

/** Can the pin wake the chip from deep sleep (ext1, or the C3's GPIO deep-sleep wake-up)? */
export function canWakeFromDeepSleep(t: SocPins, pin: number): boolean {
  return t.deepSleepWake.includes(pin);
}

/** The input modes a pin can be opened with (DigitalBank.Input, InputPullUp, InputPullDown, InputPullUpDown). */
export type Esp32PinMode = 'input' | 'pullup' | 'pulldown' | 'pullupdown';

const PIN_MODES: readonly Esp32PinMode[] = Object.freeze(['input', 'pullup', 'pulldown', 'pullupdown'] as const);

/** A pin mode's name, as a GPIO chip's setPinMode takes it: EINVAL for any other. */
export function checkPinModeName(pin: number, mode: Esp32PinMode): void {
  if (!PIN_MODES.includes(mode)) throw new IrqError('EINVAL', `GPIO${pin}: unknown pin mode '${String(mode)}' (${PIN_MODES.join(', ')})`);
}

/**
 * A GPIO number a driver asks a GPIO chip for (gpio_to_irq, a pin mode): EINVAL for a GPIO the chip lacks, EBUSY
 * for an SPI flash pin (the flash owns it: reconfiguring it stops instruction fetch and crashes the chip).
 */
export function checkGpio(t: SocPins, n: number): void {
  if (!isValidGpio(t, n)) throw new IrqError('EINVAL', `GPIO${n} does not exist on the ${t.name} (${t.validRanges})`);
  const flash = flashPinReason(t, n);
  if (flash !== undefined) throw new IrqError('EBUSY', flash);
}

/** A pin mode with a pull on a pin without pulls is EINVAL: the ESP-IDF would only log it and leave the input floating. */
export function checkPull(t: SocPins, pin: number, mode: string): void {
  if (mode !== 'input' && !hasPulls(t, pin)) {
    throw new IrqError('EINVAL', `GPIO${pin} cannot be '${mode}': ${t.noPullReason}; use 'input' and an external resistor`);
  }
}
