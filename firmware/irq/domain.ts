/*
 * Irq domains: translating a controller's own line numbers (hwirq: a GPIO pin, a register bit) to the
 * core's irq numbers. The kernel's kernel/irq/irqdomain.c, linear domains only.
 */
import type { IrqDesc } from './desc';
import { IrqError } from './error';
import type { IrqDomainOps } from './types';

/** What a domain needs of its core (IrqCore implements it): descriptors to allocate, set up and free. */
export interface IrqDomainHost {
  irqAllocDesc(): number;
  descFor(irq: number): IrqDesc;
  irqFreeDesc(irq: number): void;
}

export class IrqDomain<H = unknown> {
  /** hwirq to irq; 0 means not mapped (irq 0 is never handed out). */
  readonly revmap: number[];
  /** Interrupts reported for a hwirq with no mapping: counted, never silently dropped. */
  unmapped = 0;

  constructor(
    readonly name: string,
    readonly size: number,
    readonly ops: IrqDomainOps<H>,
    readonly hostData: H,
  ) {
    this.revmap = new Array<number>(size).fill(0);
  }

  /** An interrupt reported for a hwirq with no mapping (genericHandleDomainIrq). */
  noteUnmapped(): void {
    this.unmapped++;
  }
}

/**
 * irq_domain_create_linear: a domain of `size` hwirqs, named `domainN` if unnamed (N: how many the core has,
 * `existing`). The core keeps it in its own list.
 */
export function irqDomainCreateLinear<H>(size: number, ops: IrqDomainOps<H>, hostData: H, name: string | undefined, existing: number): IrqDomain<H> {
  if (!Number.isInteger(size) || size <= 0) {
    throw new IrqError('EINVAL', `irq domain ${name ?? ''}: size ${size} must be a positive integer`);
  }
  return new IrqDomain<H>(name ?? `domain${existing}`, size, ops, hostData);
}

function checkHwirq<H>(domain: IrqDomain<H>, hwirq: number): void {
  if (!Number.isInteger(hwirq) || hwirq < 0 || hwirq >= domain.size) {
    throw new IrqError('EINVAL', `irq domain ${domain.name}: hwirq ${hwirq} is outside 0..${domain.size - 1}`);
  }
}

/** irq_create_mapping: the irq for hwirq, allocated and set up through ops.map on first use. */
export function irqCreateMapping<H>(core: IrqDomainHost, domain: IrqDomain<H>, hwirq: number): number {
  checkHwirq(domain, hwirq);
  const existing = domain.revmap[hwirq];
  if (existing !== 0) return existing;
  const virq = core.irqAllocDesc();
  const desc = core.descFor(virq);
  desc.irqData.hwirq = hwirq;
  desc.irqData.domain = domain as IrqDomain;
  try {
    domain.ops.map?.(domain, virq, hwirq);
  } catch (err) {
    core.irqFreeDesc(virq);
    throw err;
  }
  domain.revmap[hwirq] = virq;
  return virq;
}

/** irq_find_mapping: the irq mapped to hwirq, or 0. */
export function irqFindMapping<H>(domain: IrqDomain<H>, hwirq: number): number {
  if (!Number.isInteger(hwirq) || hwirq < 0 || hwirq >= domain.size) return 0;
  return domain.revmap[hwirq];
}

/** irq_dispose_mapping: undo irqCreateMapping. The line must have no actions left. */
export function irqDisposeMapping(core: IrqDomainHost, virq: number): void {
  const desc = core.descFor(virq);
  const domain = desc.irqData.domain;
  if (domain === undefined) throw new IrqError('EINVAL', `irq ${virq}: is not mapped in a domain`, virq);
  if (desc.action.length !== 0) {
    throw new IrqError('EBUSY', `irq ${virq}: still has actions (${desc.actionNames.join(', ')}); free them first`, virq);
  }
  domain.ops.unmap?.(domain, virq);
  domain.revmap[desc.irqData.hwirq] = 0;
  core.irqFreeDesc(virq);
}
