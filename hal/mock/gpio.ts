/*
 * The ESP32 GPIO peripheral as the IRQ core sees it, and its irq_chip.
 *
 * Only the GPIOs the chip has exist (its pin table, hal/esp32/pins.ts: the original ESP32 unless told).
 *
 * Registers modelled: per pin GPIO_PINn_REG.INT_TYPE (0 off, 1 rising, 2 falling, 3 any edge, 4 low level,
 * 5 high level), INT_ENA and WAKEUP_ENABLE; GPIO_STATUS (pins 0-31) and GPIO_STATUS1 (32 and up) with
 * write-1-to-set and write-1-to-clear. An edge latches its status bit until it is cleared; for a level
 * type the bit follows the input (set while the level lasts, clear once the device lets go), so clearing
 * it while the level is still there sets it again at once. The
 * peripheral's one interrupt output (ETS_GPIO_INTR_SOURCE) is asserted while any status bit of an
 * enabled pin is set.
 *
 * Every pin line is a child of the GPIO source line through a domain: the source line's chained handler
 * reads the masked status and dispatches each pin, as Moddable's digitalbank ISR gathers the pins.
 */
import {
  IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW,
  IRQ_TYPE_LEVEL_MASK, chainedIrqEnter, chainedIrqExit, handleEdgeIrq, handleLevelIrq, irqDataGetChipData,
  irqSetHandlerLocked, type IrqChip, type IrqCore, type IrqData, type IrqDesc, type IrqDomain,
} from '../../firmware/irq';
import { isValidGpio, socPins, type SocPins } from '../esp32/pins';
import { ETS_GPIO_INTR_SOURCE, type Esp32Intc } from './intc';
import { Net, type Level } from './wire';

/** GPIO_PINn_REG.INT_TYPE values. */
export const GPIO_INTR_DISABLE = 0;
export const GPIO_INTR_POSEDGE = 1;
export const GPIO_INTR_NEGEDGE = 2;
export const GPIO_INTR_ANYEDGE = 3;
export const GPIO_INTR_LOW_LEVEL = 4;
export const GPIO_INTR_HIGH_LEVEL = 5;

const INT_TYPE_OF_IRQ_TYPE: Readonly<Record<number, number>> = Object.freeze({
  [IRQ_TYPE_EDGE_RISING]: GPIO_INTR_POSEDGE,
  [IRQ_TYPE_EDGE_FALLING]: GPIO_INTR_NEGEDGE,
  [IRQ_TYPE_EDGE_BOTH]: GPIO_INTR_ANYEDGE,
  [IRQ_TYPE_LEVEL_LOW]: GPIO_INTR_LOW_LEVEL,
  [IRQ_TYPE_LEVEL_HIGH]: GPIO_INTR_HIGH_LEVEL,
});

interface Pin {
  readonly net: Net;
  level: Level;
  intType: number;
  intEna: boolean;
  wakeupEnable: boolean;
  status: boolean;
  /** Edges that found the status bit still set: merged by the hardware into one interrupt. */
  coalesced: number;
}

export class Esp32Gpio {
  readonly chip: IrqChip;
  readonly domain: IrqDomain<Esp32Gpio>;
  /** The core's irq for the GPIO interrupt source: the parent of every pin line. */
  readonly parentIrq: number;
  /** One entry per GPIO number; undefined where the chip has no such GPIO. */
  private readonly pins: (Pin | undefined)[] = [];

  constructor(private readonly core: IrqCore, private readonly intc: Esp32Intc, readonly soc: SocPins = socPins('esp32')) {
    for (let n = 0; n < soc.gpioCount; n++) {
      if (!isValidGpio(soc, n)) {
        this.pins.push(undefined);
        continue;
      }
      const net = new Net(`GPIO${n}`);
      const pin: Pin = { net, level: net.level(), intType: 0, intEna: false, wakeupEnable: false, status: false, coalesced: 0 };
      net.onChange((level) => this.pinChanged(pin, level));
      this.pins.push(pin);
    }
    const pinOf = (data: IrqData): Pin => this.pinAt(irqDataGetChipData<number>(data));
    this.chip = Object.freeze<IrqChip>({
      name: 'esp32-gpio',
      irqStartup: (data) => {
        const pin = pinOf(data);
        if (pin.intType === GPIO_INTR_DISABLE) {
          core.log('warn', `irq ${data.irq}: GPIO${irqDataGetChipData<number>(data)} started with no trigger type; it will not interrupt until one is set (IRQF_TRIGGER_* or irqSetIrqType)`);
        }
        pin.intEna = true;
        this.updateOutput();
      },
      irqMask: (data) => {
        pinOf(data).intEna = false;
        this.updateOutput();
      },
      irqUnmask: (data) => {
        pinOf(data).intEna = true;
        this.updateOutput();
      },
      irqAck: (data) => this.writeStatusW1tc(pinOf(data)),
      irqSetType: (data, type) => {
        const pin = pinOf(data);
        const intType = INT_TYPE_OF_IRQ_TYPE[type];
        // A change of type must not leave a stale latch of the old type behind (the same type keeps its
        // latched edge: a re-request sets it again). The source line follows the status, as on the chip.
        if (intType !== pin.intType) pin.status = false;
        pin.intType = intType;
        this.evaluateLevel(pin);
        this.updateOutput();
        irqSetHandlerLocked(data, type & IRQ_TYPE_LEVEL_MASK ? handleLevelIrq : handleEdgeIrq);
      },
      irqSetWake: (data, on) => {
        pinOf(data).wakeupEnable = on;
      },
      // GPIO_STATUS_W1TS: the hardware can re-raise a pin, so a pending edge is replayed in hardware.
      irqRetrigger: (data) => {
        this.latch(pinOf(data));
        return true;
      },
    });
    this.domain = core.irqDomainCreateLinear(soc.gpioCount, {
      map: (_domain, virq, hwirq) => {
        this.pinAt(hwirq);
        core.irqSetChipAndHandler(virq, this.chip, handleEdgeIrq);
        core.irqSetChipData(virq, hwirq);
      },
    }, this, 'esp32-gpio');
    this.parentIrq = intc.irqOf(ETS_GPIO_INTR_SOURCE);
    core.irqSetChainedHandlerAndData(this.parentIrq, this.demux, this);
  }

  /** gpio_to_irq: the core's irq for a pin, created on first use. */
  gpioToIrq(pin: number): number {
    this.pinAt(pin);
    return this.core.irqCreateMapping(this.domain, pin);
  }

  net(pin: number): Net {
    return this.pinAt(pin).net;
  }

  /** GPIO_STATUS (pins 0-31) as the register reads. */
  get status(): number {
    let mask = 0;
    for (let n = 0; n < 32; n++) if (this.pins[n]?.status) mask |= 1 << n;
    return mask >>> 0;
  }

  intType(pin: number): number {
    return this.pinAt(pin).intType;
  }

  intEnabled(pin: number): boolean {
    return this.pinAt(pin).intEna;
  }

  wakeupEnabled(pin: number): boolean {
    return this.pinAt(pin).wakeupEnable;
  }

  /** Edges the hardware merged because the pin's status bit was still set. */
  coalesced(pin: number): number {
    return this.pinAt(pin).coalesced;
  }

  private pinAt(n: number): Pin {
    const pin = Number.isInteger(n) ? this.pins[n] : undefined;
    if (pin === undefined) throw new RangeError(`GPIO${n} does not exist on the ${this.soc.name} (${this.soc.validRanges})`);
    return pin;
  }

  /** The chained handler of the GPIO source line: dispatch every enabled pin whose status is set. */
  private readonly demux = (desc: IrqDesc): void => {
    const chip = desc.irqData.chip!;
    chainedIrqEnter(chip, desc);
    for (let n = 0; n < this.pins.length; n++) {
      const pin = this.pins[n];
      if (pin !== undefined && pin.status && pin.intEna) this.core.genericHandleDomainIrq(this.domain, n);
    }
    chainedIrqExit(chip, desc);
  };

  private pinChanged(pin: Pin, level: Level): void {
    const rose = pin.level === 0 && level === 1;
    pin.level = level;
    const t = pin.intType;
    if ((rose && (t === GPIO_INTR_POSEDGE || t === GPIO_INTR_ANYEDGE)) ||
        (!rose && (t === GPIO_INTR_NEGEDGE || t === GPIO_INTR_ANYEDGE))) {
      this.latch(pin);
    } else {
      this.evaluateLevel(pin);
    }
  }

  private latch(pin: Pin): void {
    if (pin.status) {
      pin.coalesced++;
      return;
    }
    pin.status = true;
    this.updateOutput();
  }

  /** A level type's status bit follows the input. */
  private evaluateLevel(pin: Pin): void {
    if (pin.intType !== GPIO_INTR_LOW_LEVEL && pin.intType !== GPIO_INTR_HIGH_LEVEL) return;
    const active = pin.level === (pin.intType === GPIO_INTR_HIGH_LEVEL ? 1 : 0);
    if (active === pin.status) return;
    pin.status = active;
    this.updateOutput();
  }

  private writeStatusW1tc(pin: Pin): void {
    pin.status = false;
    this.evaluateLevel(pin);
    this.updateOutput();
  }

  private updateOutput(): void {
    let asserted = false;
    for (const pin of this.pins) {
      if (pin?.status && pin.intEna) {
        asserted = true;
        break;
      }
    }
    this.intc.setSourceLevel(ETS_GPIO_INTR_SOURCE, asserted);
  }
}
