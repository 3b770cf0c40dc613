/*
 * IrqCore: one instance holds every line, domain and thread of a board. Nothing lives at module level,
 * because Moddable's preload freezes modules on the device; the instance is created at start-up.
 *
 * The methods are the kernel's API in camelCase; each delegates to the file named for its concern
 * (manage, chip, domain, thread, proc), as kernel/irq/ is split.
 */
import { IrqDesc, type IrqDescInfo } from './desc';
import { IrqError } from './error';
import { handleBadIrq, irqStartup } from './chip';
import {
  irqCreateMapping, irqDisposeMapping, irqDomainCreateLinear, irqFindMapping, type IrqDomain,
} from './domain';
import * as manage from './manage';
import { procInterrupts } from './proc';
import { ThreadRunner, type IrqThreadInfo } from './thread';
import type { IrqChip, IrqDomainOps, IrqFlowHandler, IrqHandler, IrqLog, IrqThreadFn, Platform } from './types';

export interface IrqCoreOptions {
  platform: Platform;
  log?: IrqLog;
  /** Highest irq number irqAllocDesc hands out (the kernel's NR_IRQS). */
  maxIrqs?: number;
}

/** The engine's console where it has one (Node, xsnap), else Moddable's trace, else nothing. */
function defaultLog(): IrqLog {
  const g = globalThis as { console?: { log(m: string): void; warn(m: string): void; error(m: string): void }; trace?: (m: string) => void };
  const con = g.console;
  if (con) return (level, message) => (level === 'error' ? con.error(message) : level === 'warn' ? con.warn(message) : con.log(message));
  const trace = g.trace;
  if (trace) return (level, message) => trace(`${level}: ${message}\n`);
  return () => {};
}

/** The kernel's errno for "no such irq"; genericHandleIrq returns it negated, as generic_handle_irq does. */
const EINVAL = 22;

/** How many interrupts for unknown irqs are logged before they are only counted (ERR in the table). */
const BAD_IRQ_LOG_LIMIT = 10;

export class IrqCore {
  readonly platform: Platform;
  readonly log: IrqLog;
  readonly maxIrqs: number;
  readonly threads: ThreadRunner;
  readonly domains: IrqDomain[] = [];
  /** Interrupts reported for irqs nobody allocated or set up (/proc/interrupts ERR). */
  badIrqs = 0;
  private readonly descs: (IrqDesc | undefined)[] = [];

  constructor(options: IrqCoreOptions) {
    if (!options || typeof options.platform?.now !== 'function' || typeof options.platform.defer !== 'function') {
      throw new IrqError('EINVAL', 'IrqCore needs a platform with now() and defer(cb)');
    }
    this.platform = options.platform;
    this.log = options.log ?? defaultLog();
    this.maxIrqs = options.maxIrqs ?? 256;
    this.threads = new ThreadRunner(this);
  }

  // ---- descriptors (irqdesc.c) ----

  /** Allocate a line. Numbers start at 1: 0 is "no irq", as irq_find_mapping returns it. */
  irqAllocDesc(): number {
    for (let irq = 1; irq <= this.maxIrqs; irq++) {
      if (this.descs[irq] === undefined) {
        this.descs[irq] = new IrqDesc(this, irq, handleBadIrq);
        return irq;
      }
    }
    throw new IrqError('ENOMEM', `no free irq descriptor (all ${this.maxIrqs} in use)`);
  }

  irqFreeDesc(irq: number): void {
    const desc = this.descFor(irq);
    if (desc.action.length !== 0) {
      throw new IrqError('EBUSY', `irq ${irq}: still has actions (${desc.actions.join(', ')})`, irq);
    }
    this.descs[irq] = undefined;
  }

  irqToDesc(irq: number): IrqDescInfo | undefined {
    return Number.isInteger(irq) ? this.descs[irq] : undefined;
  }

  /** The descriptor of an allocated irq, or EINVAL naming it. */
  descFor(irq: number): IrqDesc {
    const desc = Number.isInteger(irq) ? this.descs[irq] : undefined;
    if (desc === undefined) throw new IrqError('EINVAL', `irq ${irq} is not allocated`, irq);
    return desc;
  }

  // ---- chips and flows (chip.c) ----

  irqSetChip(irq: number, chip: IrqChip): void {
    if (chip === null || typeof chip !== 'object' || typeof chip.name !== 'string') {
      throw new IrqError('EINVAL', `irq ${irq}: a chip needs at least a name`, irq);
    }
    this.descFor(irq).irqData.chip = chip;
  }

  irqSetHandler(irq: number, flow: IrqFlowHandler): void {
    if (typeof flow !== 'function') throw new IrqError('EINVAL', `irq ${irq}: the flow handler must be a function`, irq);
    this.descFor(irq).handleIrq = flow;
  }

  irqSetChipAndHandler(irq: number, chip: IrqChip, flow: IrqFlowHandler): void {
    this.irqSetChip(irq, chip);
    this.irqSetHandler(irq, flow);
  }

  irqSetChipData(irq: number, data: unknown): void {
    this.descFor(irq).irqData.chipData = data;
  }

  irqSetHandlerData(irq: number, data: unknown): void {
    this.descFor(irq).handlerData = data;
  }

  /**
   * Make irq the parent of a cascade: its flow is the demultiplexer, drivers cannot request it, and it is
   * started at once (irq_set_chained_handler_and_data).
   */
  irqSetChainedHandlerAndData(irq: number, flow: IrqFlowHandler, data: unknown): void {
    const desc = this.descFor(irq);
    if (desc.irqData.chip === undefined) {
      throw new IrqError('ENOSYS', `irq ${irq}: a chained handler needs the line's irq_chip set first`, irq);
    }
    if (desc.action.length !== 0) {
      throw new IrqError('EBUSY', `irq ${irq}: is requested by ${desc.actions.join(', ')} and cannot become a chained parent`, irq);
    }
    this.irqSetHandler(irq, flow);
    desc.handlerData = data;
    desc.noRequest = true;
    irqStartup(desc, true);
  }

  // ---- entry from hardware (irqdesc.c) ----

  /**
   * What a chip or HAL calls when hardware reports the line. Returns 0, or -EINVAL (-22) for an irq
   * nobody allocated: that interrupt is counted in ERR, never dropped unseen.
   */
  genericHandleIrq(irq: number): number {
    const desc = this.descs[irq];
    if (desc === undefined) {
      this.noteBadIrq(irq, 'not allocated');
      return -EINVAL;
    }
    try {
      desc.handleIrq(desc);
    } catch (err) {
      // A chip operation failing in hardirq context: isolate it like a faulty handler.
      desc.errors++;
      this.log('error', `irq ${irq}: flow handler failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return 0;
  }

  genericHandleDomainIrq(domain: IrqDomain, hwirq: number): number {
    const irq = irqFindMapping(domain, hwirq);
    if (irq === 0) {
      domain.unmapped++;
      this.noteBadIrq(irq, `hwirq ${hwirq} of domain ${domain.name} is not mapped`);
      return -EINVAL;
    }
    return this.genericHandleIrq(irq);
  }

  noteBadIrq(irq: number, reason: string): void {
    if (++this.badIrqs <= BAD_IRQ_LOG_LIMIT) {
      this.log('warn', `irq ${irq}: unexpected interrupt (${reason})${this.badIrqs === BAD_IRQ_LOG_LIMIT ? '; further ones are only counted' : ''}`);
    }
  }

  // ---- domains (irqdomain.c) ----

  irqDomainCreateLinear<H>(size: number, ops: IrqDomainOps<H>, hostData: H, name?: string): IrqDomain<H> {
    return irqDomainCreateLinear(this, size, ops, hostData, name);
  }

  irqCreateMapping<H>(domain: IrqDomain<H>, hwirq: number): number {
    return irqCreateMapping(this, domain, hwirq);
  }

  irqFindMapping<H>(domain: IrqDomain<H>, hwirq: number): number {
    return irqFindMapping(domain, hwirq);
  }

  irqDisposeMapping(virq: number): void {
    irqDisposeMapping(this, virq);
  }

  // ---- requesting and controlling lines (manage.c) ----

  requestIrq<D>(irq: number, handler: IrqHandler<D>, flags: number, name: string, devId?: D): number {
    return manage.requestThreadedIrq(this, irq, handler as IrqHandler, null, flags, name, devId);
  }

  requestThreadedIrq<D>(
    irq: number, handler: IrqHandler<D> | null, threadFn: IrqThreadFn<D> | null, flags: number, name: string, devId?: D,
  ): number {
    return manage.requestThreadedIrq(this, irq, handler as IrqHandler | null, threadFn as IrqThreadFn | null, flags, name, devId);
  }

  freeIrq(irq: number, devId?: unknown): Promise<string | undefined> {
    return manage.freeIrq(this, irq, devId);
  }

  disableIrq(irq: number): Promise<void> {
    return manage.disableIrq(this, irq);
  }

  disableIrqNosync(irq: number): void {
    manage.disableIrqNosync(this, irq);
  }

  disableHardirq(irq: number): boolean {
    return manage.disableHardirq(this, irq);
  }

  enableIrq(irq: number): void {
    manage.enableIrq(this, irq);
  }

  synchronizeIrq(irq: number): Promise<void> {
    return manage.synchronizeIrq(this, irq);
  }

  irqSetIrqType(irq: number, type: number): number {
    return manage.irqSetIrqType(this, irq, type);
  }

  irqSetIrqWake(irq: number, on: boolean): number {
    return manage.irqSetIrqWake(this, irq, on);
  }

  irqWakeThread(irq: number, devId?: unknown): void {
    manage.irqWakeThread(this, irq, devId);
  }

  irqSetThreadPriority(irq: number, devId: unknown, priority: number): void {
    manage.irqSetThreadPriority(this, irq, devId, priority);
  }

  // ---- threads and statistics ----

  /** The irq threads: name, priority, state, wakeups, runs, run times, errors. */
  irqThreads(): IrqThreadInfo[] {
    return this.threads.threads.slice();
  }

  procInterrupts(): string {
    return procInterrupts(this.descs, this.badIrqs);
  }
}

