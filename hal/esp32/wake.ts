/*
 * Wake sources of the ESP32 GPIO chip (irqSetWake): what firmware/main must tell ESP-IDF before it sleeps.
 * Which pins can wake, and how, is the chip's (hal/esp32/pins.ts):
 *
 * - Light sleep, GPIO wake: any GPIO, on a level (gpio_wakeup_enable(pin, GPIO_INTR_LOW_LEVEL or
 *   GPIO_INTR_HIGH_LEVEL) for each pin, then esp_sleep_enable_gpio_wakeup()). Level only: an edge type wakes
 *   on the level its edge ends at (falling: low, rising: high); a pin already at that level when the chip
 *   goes to sleep wakes it at once.
 * - Deep sleep, on the chip's deep-sleep pins only:
 *   - ESP32: ext1 on the RTC GPIOs (0, 2, 4, 12-15, 25-27, 32-39), one mode for all of them
 *     (esp_sleep_enable_ext1_wakeup(mask, ESP_EXT1_WAKEUP_ALL_LOW or ESP_EXT1_WAKEUP_ANY_HIGH)). ALL_LOW wakes
 *     only once every selected pin is low, so it can serve one active-low line, not two.
 *   - ESP32-S3 (RTC GPIO 0-21) and ESP32-C6 (LP GPIO 0-7): ext1 with ESP_EXT1_WAKEUP_ANY_LOW or ANY_HIGH,
 *     one mode for all pins; any number of active-low lines.
 *   - ESP32-C3 (GPIO 0-5): no ext1; esp_deep_sleep_enable_gpio_wakeup(mask, ESP_GPIO_WAKEUP_GPIO_LOW or
 *     HIGH), called once per level, so each pin has its own.
 *
 * A wake request the chip cannot honour throws IrqError ENOSYS: both edges (no single level to wait for),
 * no trigger type, and with deep-sleep wake required (the default) a pin that cannot wake the chip from deep
 * sleep or whose ext1 mode disagrees with the pins already enabled.
 */
import {
  IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW, IrqError, triggerName,
} from '../../firmware/irq';
import { canWakeFromDeepSleep, canWakeFromLightSleep, pinRanges, type SocPins } from './pins';

/** ext1's logic: ALL_LOW on the ESP32, ANY_LOW on the S3 and C6; ANY_HIGH on all three. */
export type Ext1Mode = 'all-low' | 'any-low' | 'any-high';

export interface GpioWakeSource {
  readonly pin: number;
  /** The level that wakes the chip: 0 (GPIO_INTR_LOW_LEVEL) or 1 (GPIO_INTR_HIGH_LEVEL). */
  readonly level: 0 | 1;
}

export interface Ext1WakeSource {
  readonly pins: readonly number[];
  /** The pins as esp_sleep_enable_ext1_wakeup's 64-bit mask (a Number: GPIO 48 is below 2^53). */
  readonly mask: number;
  readonly mode: Ext1Mode;
}

/** The ESP32-C3's deep-sleep GPIO wake-up: one esp_deep_sleep_enable_gpio_wakeup call per non-zero mask. */
export interface DeepSleepGpioWakeSource {
  readonly pins: readonly number[];
  /** Pins that wake on low (ESP_GPIO_WAKEUP_GPIO_LOW). */
  readonly lowMask: number;
  /** Pins that wake on high (ESP_GPIO_WAKEUP_GPIO_HIGH). */
  readonly highMask: number;
}

/** The wake configuration to apply before sleeping. */
export interface Esp32WakeSources {
  /** Light sleep: every wake-enabled pin, with its level. Empty when none. */
  readonly gpio: readonly GpioWakeSource[];
  /** Deep sleep on the ESP32, S3 and C6: undefined when no pin is enabled or deep-sleep wake is not required. */
  readonly ext1: Ext1WakeSource | undefined;
  /** Deep sleep on the ESP32-C3: likewise undefined when unused (and always on the other chips). */
  readonly deepSleepGpio: DeepSleepGpioWakeSource | undefined;
}

/** The level a trigger type wakes on, or undefined if it has none. */
function wakeLevel(type: number): 0 | 1 | undefined {
  switch (type) {
    case IRQ_TYPE_LEVEL_LOW:
    case IRQ_TYPE_EDGE_FALLING:
      return 0;
    case IRQ_TYPE_LEVEL_HIGH:
    case IRQ_TYPE_EDGE_RISING:
      return 1;
    default:
      return undefined;
  }
}

/** Wake-enabled pins and their levels, validated against what the chip can do. */
export class Esp32Wake {
  private readonly levels = new Map<number, 0 | 1>();

  /** `pins`: the chip's table; `deepSleep`: every wake source must also work from deep sleep. */
  constructor(readonly pins: SocPins, readonly deepSleep: boolean) {}

  /**
   * Throw ENOSYS unless `pin` with trigger `type` can be a wake source next to the pins already enabled
   * (itself excluded, so a type change can be checked before it is applied).
   */
  check(irq: number, pin: number, type: number): 0 | 1 {
    const t = this.pins;
    const level = wakeLevel(type);
    if (level === undefined) {
      throw new IrqError('ENOSYS', `irq ${irq}: GPIO${pin} cannot wake the ${t.name} with trigger ${triggerName(type)}: sleep wake-up needs one level (low or high)`, irq);
    }
    if (!canWakeFromLightSleep(t, pin)) {
      throw new IrqError('ENOSYS', `irq ${irq}: GPIO${pin} cannot wake the ${t.name} from light sleep`, irq);
    }
    if (!this.deepSleep) return level;
    if (!canWakeFromDeepSleep(t, pin)) {
      const how = t.deepSleepWakeKind === 'gpio' ? 'esp_deep_sleep_enable_gpio_wakeup takes' : 'ext1 watches';
      throw new IrqError('ENOSYS', `irq ${irq}: GPIO${pin} is not an ${t.deepSleepPinName} and cannot wake the ${t.name} from deep sleep (${how} ${pinRanges(t.deepSleepWake)}); create the HAL with deepSleepWake: false for light-sleep wake only`, irq);
    }
    // The C3's GPIO wake-up takes a mask per level: any mix of levels works.
    if (t.deepSleepWakeKind === 'gpio') return level;
    const allLow = t.deepSleepWakeKind === 'ext1-all-low';
    for (const [other, otherLevel] of this.levels) {
      if (other === pin) continue;
      if (otherLevel !== level) {
        throw new IrqError('ENOSYS', `irq ${irq}: GPIO${pin} would wake on ${level ? 'high' : 'low'}, but GPIO${other} already wakes on ${otherLevel ? 'high' : 'low'}; ext1 has one mode (${allLow ? 'ALL_LOW' : 'ANY_LOW'} or ANY_HIGH) for all its pins`, irq);
      }
      if (level === 0 && allLow) {
        throw new IrqError('ENOSYS', `irq ${irq}: GPIO${pin} and GPIO${other} both wake on low; ext1 ALL_LOW would wake only when both are low`, irq);
      }
    }
    return level;
  }

  enable(irq: number, pin: number, type: number): void {
    this.levels.set(pin, this.check(irq, pin, type));
  }

  disable(pin: number): void {
    this.levels.delete(pin);
  }

  enabled(pin: number): boolean {
    return this.levels.has(pin);
  }

  sources(): Esp32WakeSources {
    const pins = [...this.levels.keys()].sort((a, b) => a - b);
    const gpio = pins.map((pin) => Object.freeze({ pin, level: this.levels.get(pin)! }));
    let ext1: Ext1WakeSource | undefined;
    let deepSleepGpio: DeepSleepGpioWakeSource | undefined;
    if (this.deepSleep && pins.length !== 0) {
      const maskOf = (list: readonly number[]): number => list.reduce((mask, pin) => mask + 2 ** pin, 0);
      const kind = this.pins.deepSleepWakeKind;
      if (kind === 'gpio') {
        deepSleepGpio = Object.freeze({
          pins: Object.freeze(pins),
          lowMask: maskOf(pins.filter((pin) => this.levels.get(pin) === 0)),
          highMask: maskOf(pins.filter((pin) => this.levels.get(pin) === 1)),
        });
      } else {
        ext1 = Object.freeze({
          pins: Object.freeze(pins),
          mask: maskOf(pins),
          mode: this.levels.get(pins[0]) === 1 ? 'any-high' : kind === 'ext1-all-low' ? 'all-low' : 'any-low',
        });
      }
    }
    return Object.freeze({ gpio: Object.freeze(gpio), ext1, deepSleepGpio });
  }
}
