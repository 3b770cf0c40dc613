/*
 * The CPU interrupt controller at the top of the cascade: the ESP32's interrupt matrix and the Xtensa
 * core's interrupt enable, pending and priority registers, reduced to what the IRQ core drives.
 *
 * Peripheral sources are level signals. A source that is asserted and enabled is pending; pending sources
 * are delivered to the CPU one at a time, highest priority first (lowest source number among equals),
 * each in its own simulator job, never nested inside a running handler: the JavaScript engine runs one
 * job at a time, as the board's event loop does.
 */
import {
  handleLevelIrq, type IrqChip, type IrqCore, type IrqData, type IrqDomain,
} from '../../firmware/irq';
import type { Simulator } from './sim';

/** The ESP32 has 69 peripheral interrupt sources (ETS_*_INTR_SOURCE); GPIO is 22. */
export const INTC_SOURCES = 69;
export const ETS_GPIO_INTR_SOURCE = 22;

interface Source {
  asserted: boolean;
  enabled: boolean;
  priority: number;
  /** Deliveries to the CPU. */
  delivered: number;
}

export class Esp32Intc {
  readonly domain: IrqDomain<Esp32Intc>;
  readonly chip: IrqChip;
  private readonly sources: Source[] = [];
  private dispatchQueued = false;
  private readonly dispatch = (): void => this.dispatchOne();

  constructor(private readonly sim: Simulator, private readonly core: IrqCore) {
    for (let i = 0; i < INTC_SOURCES; i++) this.sources.push({ asserted: false, enabled: false, priority: 1, delivered: 0 });
    const source = (data: IrqData): Source => this.sources[data.hwirq];
    this.chip = Object.freeze<IrqChip>({
      name: 'esp32-intc',
      irqMask: (data) => {
        source(data).enabled = false;
      },
      irqUnmask: (data) => {
        source(data).enabled = true;
        this.kick();
      },
    });
    this.domain = core.irqDomainCreateLinear(INTC_SOURCES, {
      map: (_domain, virq) => core.irqSetChipAndHandler(virq, this.chip, handleLevelIrq),
    }, this, 'esp32-intc');
  }

  /** The core's irq for a peripheral source. */
  irqOf(sourceNum: number): number {
    return this.core.irqCreateMapping(this.domain, sourceNum);
  }

  /** A peripheral drives its interrupt output. */
  setSourceLevel(sourceNum: number, asserted: boolean): void {
    const s = this.sources[sourceNum];
    s.asserted = asserted;
    if (asserted) this.kick();
  }

  setPriority(sourceNum: number, priority: number): void {
    if (!Number.isInteger(priority) || priority < 1 || priority > 7) throw new RangeError(`intc: priority ${priority} outside 1..7`);
    this.sources[sourceNum].priority = priority;
  }

  isEnabled(sourceNum: number): boolean {
    return this.sources[sourceNum].enabled;
  }

  delivered(sourceNum: number): number {
    return this.sources[sourceNum].delivered;
  }

  private kick(): void {
    if (this.dispatchQueued) return;
    this.dispatchQueued = true;
    this.sim.defer(this.dispatch);
  }

  private dispatchOne(): void {
    this.dispatchQueued = false;
    let best = -1;
    for (let i = 0; i < this.sources.length; i++) {
      const s = this.sources[i];
      if (s.asserted && s.enabled && (best < 0 || s.priority > this.sources[best].priority)) best = i;
    }
    if (best < 0) return;
    this.sources[best].delivered++;
    const irq = this.core.irqFindMapping(this.domain, best);
    if (irq === 0) {
      // Enabled with no line set up: nobody will clear it, so disable it rather than spin.
      this.sources[best].enabled = false;
      this.core.genericHandleDomainIrq(this.domain, best);
    } else {
      this.core.genericHandleIrq(irq);
    }
    // Still (or newly) pending sources are delivered in a later job.
    for (const s of this.sources) {
      if (s.asserted && s.enabled) {
        this.kick();
        break;
      }
    }
  }
}
