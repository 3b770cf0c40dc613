/*
 * The ESP32 GPIO peripheral as hardware: pads, the per-pin interrupt configuration, the status latches and
 * the one interrupt output it raises to the CPU (ETS_GPIO_INTR_SOURCE). No irq_chip, no IRQ core: the layers
 * that ship on the board (Moddable's ECMA-419 IO over ESP-IDF's GPIO driver, hal/mock/ecma419/ and
 * hal/mock/esp-idf/gpio.ts here; a native GPIO module later) program these registers and service the
 * interrupt, as they do on the chip.
 *
 * Registers modelled (ESP32 TRM, "GPIO and IO_MUX"; ESP-IDF's hal/gpio_ll.h names them):
 * - per pin GPIO_PINn_REG: INT_TYPE (0 off, 1 rising, 2 falling, 3 any edge, 4 low level, 5 high level) and
 *   INT_ENA (the pin may interrupt the CPU);
 * - GPIO_IN / GPIO_IN1: the pads' levels;
 * - GPIO_STATUS (pins 0-31) and GPIO_STATUS1 (32 and up) with write-1-to-clear and write-1-to-set. An edge
 *   of the pin's type latches its status bit until it is cleared; for a level type the bit follows the input,
 *   so clearing it while the level is still there sets it again at once. An edge that finds the bit already
 *   set is merged into it (counted: `coalesced`).
 * - GPIO_PCPU_INT / GPIO_PCPU_INT1: STATUS masked with INT_ENA, what the CPU's interrupt reads.
 *
 * The interrupt output is a level: asserted while any enabled pin's status bit is set. While it is asserted
 * and an ISR is attached (esp_intr_alloc), the CPU runs the ISR, in a simulator job of its own (an ISR runs
 * to completion; it never nests inside the job that raised the edge), and runs it again after it returns for
 * as long as the output stays asserted, as a level-triggered CPU interrupt does. An ISR that never clears
 * what it was raised for spins the CPU at one virtual instant: the simulator's stall guard stops that run.
 */
import { isValidGpio, socPins, type SocPins } from '../esp32/pins';
import type { Simulator } from './sim';
import { Net, type Level } from './wire';

/** GPIO_PINn_REG.INT_TYPE values (ESP-IDF's gpio_int_type_t). */
export const GPIO_INTR_DISABLE = 0;
export const GPIO_INTR_POSEDGE = 1;
export const GPIO_INTR_NEGEDGE = 2;
export const GPIO_INTR_ANYEDGE = 3;
export const GPIO_INTR_LOW_LEVEL = 4;
export const GPIO_INTR_HIGH_LEVEL = 5;
const GPIO_INTR_MAX = 6;

interface Pad {
  readonly net: Net;
  level: Level;
  intType: number;
  intEna: boolean;
  status: boolean;
  /** Edges that found the status bit still set: merged by the hardware into one interrupt. */
  coalesced: number;
  /** Edges whose latched status bit was cleared while the pin's interrupt was disabled: no ISR saw them. */
  discarded: number;
}

/** The register bits gather() collects (made once, not per read). */
const isHigh = (pad: Pad): boolean => pad.level === 1;
const isLatched = (pad: Pad): boolean => pad.status;
const isRaising = (pad: Pad): boolean => pad.status && pad.intEna;
const isEdgeType = (t: number): boolean => t === GPIO_INTR_POSEDGE || t === GPIO_INTR_NEGEDGE || t === GPIO_INTR_ANYEDGE;

export class Esp32GpioPeripheral {
  /** One entry per GPIO number; undefined where the chip has no such GPIO. */
  private readonly pads: (Pad | undefined)[] = [];
  private isr: (() => void) | undefined;
  private interruptQueued = false;
  private taken = 0;
  private readonly takeInterrupt = (): void => this.runIsr();

  constructor(private readonly sim: Pick<Simulator, 'defer'>, readonly soc: SocPins = socPins('esp32')) {
    for (let n = 0; n < soc.gpioCount; n++) {
      if (!isValidGpio(soc, n)) {
        this.pads.push(undefined);
        continue;
      }
      const net = new Net(`GPIO${n}`);
      const pad: Pad = { net, level: net.level(), intType: GPIO_INTR_DISABLE, intEna: false, status: false, coalesced: 0, discarded: 0 };
      net.onChange((level) => this.padChanged(pad, level));
      this.pads.push(pad);
    }
  }

  /** The wire on a GPIO pad; RangeError for a GPIO the chip does not have. */
  net(pin: number): Net {
    return this.padAt(pin).net;
  }

  /** GPIO_IN (bank 0) or GPIO_IN1 (bank 1): the pads' levels, bit n the GPIO 32 * bank + n. */
  readIn(bank: number): number {
    return this.gather(bank, isHigh);
  }

  /** GPIO_STATUS (bank 0) or GPIO_STATUS1 (bank 1). */
  readStatus(bank: number): number {
    return this.gather(bank, isLatched);
  }

  /** GPIO_PCPU_INT (bank 0) or GPIO_PCPU_INT1 (bank 1): the status bits of the pins enabled to interrupt. */
  readInterruptStatus(bank: number): number {
    return this.gather(bank, isRaising);
  }

  /** GPIO_STATUS_W1TC / GPIO_STATUS1_W1TC. A level type's bit is set again at once while its level holds. */
  clearStatus(bank: number, mask: number): void {
    this.forEachBit(bank, mask, (pad) => {
      if (pad.status && !pad.intEna && isEdgeType(pad.intType)) pad.discarded++;
      pad.status = false;
      this.followLevel(pad);
    });
    this.updateOutput();
  }

  /** GPIO_STATUS_W1TS / GPIO_STATUS1_W1TS: software raises a pin's interrupt. */
  setStatus(bank: number, mask: number): void {
    this.forEachBit(bank, mask, (pad) => this.latch(pad));
    this.updateOutput();
  }

  /**
   * GPIO_PINn_REG.INT_TYPE. A latched status bit stays as it is (only W1TC clears it: ESP-IDF's
   * gpio_intr_enable and gpio_intr_disable write it); a level type's bit follows the input from now on.
   */
  setIntType(pin: number, intType: number): void {
    if (!Number.isInteger(intType) || intType < GPIO_INTR_DISABLE || intType >= GPIO_INTR_MAX) {
      throw new RangeError(`GPIO${pin}: INT_TYPE ${intType} is not one of 0..5`);
    }
    const pad = this.padAt(pin);
    pad.intType = intType;
    this.followLevel(pad);
    this.updateOutput();
  }

  intType(pin: number): number {
    return this.padAt(pin).intType;
  }

  /** GPIO_PINn_REG.INT_ENA: the pin may interrupt the CPU. */
  setIntEnable(pin: number, on: boolean): void {
    this.padAt(pin).intEna = on;
    this.updateOutput();
  }

  intEnabled(pin: number): boolean {
    return this.padAt(pin).intEna;
  }

  /** Edges of `pin` the status latch merged because its bit was still set. */
  coalesced(pin: number): number {
    return this.padAt(pin).coalesced;
  }

  /**
   * Edges of `pin` (of an edge type) the status latch held while the pin's interrupt was disabled, cleared
   * before any ISR saw them: ESP-IDF's gpio_intr_enable clears a stale bit before enabling, gpio_intr_disable
   * after disabling. A driver that masks a pin in the hardware folds them into the interrupt it reported.
   */
  discarded(pin: number): number {
    return this.padAt(pin).discarded;
  }

  /** Times the CPU took the GPIO interrupt (ISR runs). */
  get interruptsTaken(): number {
    return this.taken;
  }

  /** True while the interrupt output is asserted. */
  get interruptAsserted(): boolean {
    for (const pad of this.pads) if (pad !== undefined && pad.status && pad.intEna) return true;
    return false;
  }

  /**
   * esp_intr_alloc(ETS_GPIO_INTR_SOURCE, ...): route the interrupt output to `isr`. One handler: the chip's
   * GPIO driver owns the source (ESP-IDF's gpio_install_isr_service). Returns the esp_intr_free.
   */
  attachIsr(isr: () => void): () => void {
    if (this.isr !== undefined) throw new Error('ETS_GPIO_INTR_SOURCE already has an ISR (ESP_ERR_NOT_FOUND: no free interrupt)');
    this.isr = isr;
    this.updateOutput();
    return () => {
      if (this.isr === isr) this.isr = undefined;
    };
  }

  private padAt(n: number): Pad {
    const pad = Number.isInteger(n) ? this.pads[n] : undefined;
    if (pad === undefined) throw new RangeError(`GPIO${n} does not exist on the ${this.soc.name} (${this.soc.validRanges})`);
    return pad;
  }

  private gather(bank: number, test: (pad: Pad) => boolean): number {
    let mask = 0;
    for (let b = 0; b < 32; b++) {
      const pad = this.pads[bank * 32 + b];
      if (pad !== undefined && test(pad)) mask |= 1 << b;
    }
    return mask >>> 0;
  }

  private forEachBit(bank: number, mask: number, fn: (pad: Pad) => void): void {
    for (let b = 0; b < 32; b++) {
      if (!(mask & (1 << b))) continue;
      const pad = this.pads[bank * 32 + b];
      if (pad !== undefined) fn(pad);
    }
  }

  private padChanged(pad: Pad, level: Level): void {
    const rose = level === 1;
    pad.level = level;
    const t = pad.intType;
    if ((rose && (t === GPIO_INTR_POSEDGE || t === GPIO_INTR_ANYEDGE)) ||
        (!rose && (t === GPIO_INTR_NEGEDGE || t === GPIO_INTR_ANYEDGE))) {
      this.latch(pad);
    } else {
      this.followLevel(pad);
    }
    this.updateOutput();
  }

  private latch(pad: Pad): void {
    if (pad.status) pad.coalesced++;
    else pad.status = true;
  }

  /** A level type's status bit follows the input. */
  private followLevel(pad: Pad): void {
    if (pad.intType !== GPIO_INTR_LOW_LEVEL && pad.intType !== GPIO_INTR_HIGH_LEVEL) return;
    pad.status = pad.level === (pad.intType === GPIO_INTR_HIGH_LEVEL ? 1 : 0);
  }

  /** The CPU takes an asserted interrupt in a job of its own, once at a time. */
  private updateOutput(): void {
    if (this.isr === undefined || this.interruptQueued || !this.interruptAsserted) return;
    this.interruptQueued = true;
    this.sim.defer(this.takeInterrupt);
  }

  private runIsr(): void {
    this.interruptQueued = false;
    const isr = this.isr;
    if (isr === undefined || !this.interruptAsserted) return;
    this.taken++;
    isr();
    this.updateOutput();
  }
}
