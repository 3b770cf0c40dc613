/*
 * IrqLine: what a driver gets back from requestThreadedIrqLine (requestIrqLine, requestIrqSharedThreadLine)
 * instead of the whole core. Linux has no such object: every driver in the kernel can call enable_irq or
 * free_irq on any irq number. On a Moddable board a driver, or a mod installed later, is code the board's
 * owner may not trust, and with the core it could disable, retype or free another driver's line. So we go
 * beyond Linux here, the way ECMA-419 hands a driver an IO object for its own pin rather than the GPIO
 * peripheral: least authority.
 *
 * Why "IrqLine": it stands for the line as this driver requested it (the irq and the devId of its action),
 * which is what the kernel's manage.c calls take as arguments; a "handle" or a "descriptor" would suggest the
 * whole struct irq_desc. The methods keep the core's names without those two arguments, so porting a driver
 * from `core.enableIrq(irq)` is `line.enableIrq()`.
 *
 * What it can do: enable and disable its line (all variants), wait for it, wake its own thread, read its
 * line's events, debounce it, and free its own action. What it cannot: name another irq or devId (both are fixed when it is made and kept in private
 * fields), reach the core (a private field too, not a property: nothing to read through, JSON.stringify
 * finds nothing), or act after its action was freed, through it or by the board's code with core.freeIrq:
 * every call then refuses with EINVAL (a Promise-returning one rejects, as the core's do). The object is
 * frozen, so it cannot be given other methods behind its holder's back.
 *
 * Enabling and disabling act on the whole line, as enable_irq and disable_irq do on a shared line in the
 * kernel: a sharer that disables the line disables it for its sharers too. Each call goes through the
 * core's own function and its checks (EDEADLK from the line's own thread, unbalanced enables, ...).
 */
import type { IrqAction } from './desc';
import { IrqError } from './error';
import type { IrqLineEvents } from './line-event';
import {
  disableHardirq, disableIrq, disableIrqNosync, enableIrq, freeIrq, irqRequestLineEvents, irqSetDebounce, irqWakeThread,
  synchronizeIrq, type IrqManageCore,
} from './manage';

export class IrqLine {
  /** The irq this line is bound to, for the driver's own messages; it names nothing the driver can act on. */
  readonly irq: number;
  /** The name of the action, as requested. */
  readonly name: string;
  readonly #core: IrqManageCore;
  readonly #action: IrqAction;

  /** Made by the core's request*Line methods for the action they registered; a driver never makes one. */
  constructor(core: IrqManageCore, action: IrqAction) {
    this.#core = core;
    this.#action = action;
    this.irq = action.desc.irq;
    this.name = action.name;
    Object.freeze(this);
  }

  /** False once its action was freed (through this line or by core.freeIrq): every call then refuses. */
  get requested(): boolean {
    return !this.#action.freed;
  }

  enableIrq(): void {
    this.#check('enableIrq');
    enableIrq(this.#core, this.irq);
  }

  disableIrqNosync(): void {
    this.#check('disableIrqNosync');
    disableIrqNosync(this.#core, this.irq);
  }

  /** Resolves once the line's hardirq and every thread of it are done (rejects from its own thread). */
  disableIrq(): Promise<void> {
    try {
      this.#check('disableIrq');
    } catch (err) {
      return Promise.reject(err);
    }
    return disableIrq(this.#core, this.irq);
  }

  disableHardirq(): boolean {
    this.#check('disableHardirq');
    return disableHardirq(this.#core, this.irq);
  }

  synchronizeIrq(): Promise<void> {
    try {
      this.#check('synchronizeIrq');
    } catch (err) {
      return Promise.reject(err);
    }
    return synchronizeIrq(this.#core, this.irq);
  }

  /** Wake this action's thread without a hardirq (EINVAL if it has none). */
  irqWakeThread(): void {
    this.#check('irqWakeThread');
    irqWakeThread(this.#core, this.irq, this.#action.devId);
  }

  /** A reader of the line's events for this action (core.irqRequestLineEvents): one per line, released with it. */
  requestLineEvents(capacity?: number): IrqLineEvents {
    this.#check('requestLineEvents');
    return irqRequestLineEvents(this.#core, this.irq, this.#action.devId, capacity);
  }

  /** Debounce the line in its chip (core.irqSetDebounce): the whole line, as its trigger type is. */
  setDebounce(periodUs: number): void {
    this.#check('setDebounce');
    irqSetDebounce(this.#core, this.irq, periodUs);
  }

  /**
   * Free this action only (its sharers stay); resolves to its name once nothing of it runs. From then on the
   * line refuses every call, this one included: a second free is a bug in the driver, not a warning.
   */
  freeIrq(): Promise<string | undefined> {
    try {
      this.#check('freeIrq');
    } catch (err) {
      return Promise.reject(err);
    }
    return freeIrq(this.#core, this.irq, this.#action.devId);
  }

  #check(what: string): void {
    if (this.#action.freed) {
      throw new IrqError('EINVAL', `irq ${this.irq}: ${what} through the line of "${this.name}", whose action was freed; request the line again for a new one`, this.irq);
    }
  }
}

/** The line of the action with devId that a request has just registered on irq. */
export function irqLineOf(core: IrqManageCore, irq: number, devId: unknown): IrqLine {
  // devIds are unique on a line (a request reusing one is EBUSY), and a line requested without sharing has one action.
  const action = core.descFor(irq).action.find((a) => a.devId === devId);
  if (action === undefined) throw new IrqError('EINVAL', `irq ${irq}: no action with that devId to make a line of`, irq);
  return new IrqLine(core, action);
}
