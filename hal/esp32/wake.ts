/*
 * Wake sources of the ESP32 GPIO chip (irqSetWake): what firmware/main must tell ESP-IDF before it sleeps.
 *
 * - Light sleep, GPIO wake: any GPIO, on a level (gpio_wakeup_enable(pin, GPIO_INTR_LOW_LEVEL or
 *   GPIO_INTR_HIGH_LEVEL) for each pin, then esp_sleep_enable_gpio_wakeup()). Level only: an edge type wakes
 *   on the level its edge ends at (falling: low, rising: high); a pin already at that level when the chip
 *   goes to sleep wakes it at once.
 * - Deep sleep, ext1: RTC GPIOs only (0, 2, 4, 12-15, 25-27, 32-39), one mode for all of them
 *   (esp_sleep_enable_ext1_wakeup(mask, ESP_EXT1_WAKEUP_ALL_LOW or ESP_EXT1_WAKEUP_ANY_HIGH)). ALL_LOW wakes
 *   only once every selected pin is low, so it can serve one active-low line, not two.
 *
 * A wake request the chip cannot honour throws IrqError ENOSYS: both edges (no single level to wait for),
 * no trigger type, and with deep-sleep wake required (the default) a pin that is not an RTC GPIO or whose
 * ext1 mode disagrees with the pins already enabled.
 */
import {
  IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW, IrqError, triggerName,
} from '../../firmware/irq';
import { isRtcGpio } from './pins';

export type Ext1Mode = 'all-low' | 'any-high';

export interface GpioWakeSource {
  readonly pin: number;
  /** The level that wakes the chip: 0 (GPIO_INTR_LOW_LEVEL) or 1 (GPIO_INTR_HIGH_LEVEL). */
  readonly level: 0 | 1;
}

export interface Ext1WakeSource {
  readonly pins: readonly number[];
  /** The pins as esp_sleep_enable_ext1_wakeup's 64-bit mask (a Number: GPIO 39 is below 2^53). */
  readonly mask: number;
  readonly mode: Ext1Mode;
}

/** The wake configuration to apply before sleeping. */
export interface Esp32WakeSources {
  /** Light sleep: every wake-enabled pin, with its level. Empty when none. */
  readonly gpio: readonly GpioWakeSource[];
  /** Deep sleep: undefined when no pin is enabled or deep-sleep wake is not required. */
  readonly ext1: Ext1WakeSource | undefined;
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

/** Wake-enabled pins and their levels, validated against what the ESP32 can do. */
export class Esp32Wake {
  private readonly levels = new Map<number, 0 | 1>();

  /** `deepSleep`: every wake source must also work from deep sleep (ext1). */
  constructor(readonly deepSleep: boolean) {}

  /**
   * Throw ENOSYS unless `pin` with trigger `type` can be a wake source next to the pins already enabled
   * (itself excluded, so a type change can be checked before it is applied).
   */
  check(irq: number, pin: number, type: number): 0 | 1 {
    const level = wakeLevel(type);
    if (level === undefined) {
      throw new IrqError('ENOSYS', `irq ${irq}: GPIO${pin} cannot wake the ESP32 with trigger ${triggerName(type)}: sleep wake-up needs one level (low or high)`, irq);
    }
    if (!this.deepSleep) return level;
    if (!isRtcGpio(pin)) {
      throw new IrqError('ENOSYS', `irq ${irq}: GPIO${pin} is not an RTC GPIO and cannot wake the ESP32 from deep sleep (ext1 watches 0, 2, 4, 12-15, 25-27, 32-39); create the HAL with deepSleepWake: false for light-sleep wake only`, irq);
    }
    for (const [other, otherLevel] of this.levels) {
      if (other === pin) continue;
      if (otherLevel !== level) {
        throw new IrqError('ENOSYS', `irq ${irq}: GPIO${pin} would wake on ${level ? 'high' : 'low'}, but GPIO${other} already wakes on ${otherLevel ? 'high' : 'low'}; ext1 has one mode (ALL_LOW or ANY_HIGH) for all its pins`, irq);
      }
      if (level === 0) {
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
    if (this.deepSleep && pins.length !== 0) {
      ext1 = Object.freeze({
        pins: Object.freeze(pins),
        mask: pins.reduce((mask, pin) => mask + 2 ** pin, 0),
        mode: this.levels.get(pins[0]) === 1 ? 'any-high' : 'all-low',
      });
    }
    return Object.freeze({ gpio: Object.freeze(gpio), ext1 });
  }
}
