/*
 * Requesting, freeing, enabling and disabling lines: the kernel's kernel/irq/manage.c.
 */
import {
  IRQ_NONE, IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW,
  IRQ_TYPE_LEVEL_MASK, IRQCHIP_ONESHOT_SAFE, IRQCHIP_SET_TYPE_MASKED, IRQCHIP_SKIP_SET_WAKE,
  IRQF_NO_AUTOEN, IRQF_NO_THREAD, IRQF_ONESHOT, IRQF_SHARED, IRQF_TRIGGER_MASK, IRQF_VALID_MASK, triggerName,
} from './constants';
import { disableIrqDesc, irqDisable, irqMayUnmask, irqShutdown, irqStartup, maskIrq, unmaskIrq, withBusLock } from './chip';
import { IrqAction, type IrqDesc, UNMASK_HOLD_NO_ACTION } from './desc';
import { IrqError, describe, describeValue } from './error';
import { irqDefaultPrimaryHandler } from './handle';
import { releaseLineEvents, requestLineEvents, type IrqLineEvents } from './line-event';
import { checkIrqResend } from './resend';
import { SPURIOUS_OPEN } from './spurious';
import { IrqLatencyStats } from './stats';
import { waitForIdle } from './sync';
import { irqWakeThreadAction, type IrqThreadRegistry } from './thread';
import type { IrqTracer } from './trace';
import type { IrqHandler, IrqLog, IrqThreadFn } from './types';
import type { ThreadWatchdog } from './watchdog';

/**
 * What these functions need of their core (IrqCore implements it): its descriptors, its threads, the log, the
 * trace ring and two options. Declared here so manage.ts depends on the core's shape, not on core.ts.
 */
export interface IrqManageCore {
  /** The live descriptor of an allocated irq, or EINVAL naming it. */
  descFor(irq: number): IrqDesc;
  readonly threads: IrqThreadRegistry<ThreadWatchdog>;
  readonly log: IrqLog;
  readonly traceRing: IrqTracer | undefined;
  readonly forceThreading: boolean;
  readonly statsEnabled: boolean;
  /** A genericHandleIrq is on the stack: hardirq context. */
  readonly inHardirq: boolean;
}

const VALID_TYPES: readonly number[] = Object.freeze([
  IRQ_TYPE_EDGE_RISING, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW,
]);

/**
 * Replace the line's action list (never edited in place: a flow iterating the old one survives a free from a
 * handler), with the fast-path fields derived from it (desc.ts, onlyWake and onlyCall). Every change of
 * desc.action goes through here. A threaded action has its thread by now (setupIrq attaches it first).
 */
function setActions(desc: IrqDesc, actions: readonly IrqAction[]): void {
  desc.action = actions;
  desc.unmaskHold = actions.length === 0 ? desc.unmaskHold | UNMASK_HOLD_NO_ACTION : desc.unmaskHold & ~UNMASK_HOLD_NO_ACTION;
  const only = actions.length === 1 ? actions[0] : undefined;
  const wakes = only !== undefined && only.handler === irqDefaultPrimaryHandler;
  desc.onlyWake = wakes && only.thread !== undefined ? only : undefined;
  desc.onlyCall = wakes ? undefined : only;
}

/** The action registered on the line with devId (the kernel's walk of desc->action by dev_id). */
function findAction(desc: IrqDesc, devId: unknown): IrqAction | undefined {
  return desc.action.find((a) => a.devId === devId);
}

/** The action with devId that has a thread, or EINVAL. */
function threadedAction(desc: IrqDesc, devId: unknown): IrqAction {
  const action = findAction(desc, devId);
  if (action === undefined || action.thread === undefined) {
    throw new IrqError('EINVAL', `irq ${desc.irq}: no threaded action with that devId`, desc.irq);
  }
  return action;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** A chip operation that throws becomes an IrqError naming the line (its own IrqError passes through). */
function chipFailure(desc: IrqDesc, op: string, err: unknown): IrqError {
  if (err instanceof IrqError) return err;
  return new IrqError('EINVAL', `irq ${desc.irq}: ${desc.chipName ?? 'chip'}.${op} failed: ${describe(err)}`, desc.irq);
}

function checkRequestArgs(
  desc: IrqDesc, handler: IrqHandler | null, threadFn: IrqThreadFn | null, flags: number, name: string, devId: unknown,
): void {
  const irq = desc.irq;
  // A string such as '0x2000' or 'IRQF_ONESHOT' would otherwise be read as 0 bits and reported as
  // "unknown flags 0x0 in 0x0", which names nothing the caller wrote.
  if (typeof flags !== 'number' || !Number.isInteger(flags)) {
    throw new IrqError('EINVAL', `irq ${irq}: flags must be a number made of IRQF_* bits (IRQF_SHARED | IRQF_ONESHOT ...), not ${describeValue(flags)}`, irq);
  }
  if (flags & ~IRQF_VALID_MASK) {
    throw new IrqError('EINVAL', `irq ${irq}: unknown flags ${hex(flags & ~IRQF_VALID_MASK)} in ${hex(flags)}`, irq);
  }
  if (flags & IRQF_SHARED && (devId === undefined || devId === null)) {
    throw new IrqError('EINVAL', `irq ${irq}: IRQF_SHARED needs a devId to tell the sharers apart on free`, irq);
  }
  if (flags & IRQF_SHARED && flags & IRQF_NO_AUTOEN) {
    throw new IrqError('EINVAL', `irq ${irq}: IRQF_NO_AUTOEN cannot be used with IRQF_SHARED (a sharer would wait forever)`, irq);
  }
  const trigger = flags & IRQF_TRIGGER_MASK;
  if (trigger !== 0 && !VALID_TYPES.includes(trigger)) {
    throw new IrqError('EINVAL', `irq ${irq}: trigger flags ${hex(trigger)} are not one trigger type`, irq);
  }
  if (handler === null && threadFn === null) {
    throw new IrqError('EINVAL', `irq ${irq}: request for "${name}" has neither a handler nor a threadFn`, irq);
  }
  if ((handler !== null && typeof handler !== 'function') || (threadFn !== null && typeof threadFn !== 'function')) {
    throw new IrqError('EINVAL', `irq ${irq}: handler and threadFn must be functions or null`, irq);
  }
  if (typeof name !== 'string' || name.length === 0) {
    throw new IrqError('EINVAL', `irq ${irq}: a request needs a non-empty name`, irq);
  }
  if (desc.noRequest) {
    throw new IrqError('EINVAL', `irq ${irq}: is the parent of a chained handler and cannot be requested`, irq);
  }
  if (desc.irqData.chip === undefined) {
    throw new IrqError('ENOSYS', `irq ${irq}: has no irq_chip (set one with irqSetChipAndHandler)`, irq);
  }
}

/**
 * The primary handler of a nested line's action: it should never run, since the parent's thread runs the
 * child. If the line is raised directly all the same, it claims nothing and warns once.
 */
function irqNestedPrimaryHandler(desc: IrqDesc): IrqHandler {
  let warned = false;
  return () => {
    if (!warned) desc.ctx.log('warn', `Primary handler called for nested irq ${desc.irq}`);
    warned = true;
    return IRQ_NONE;
  };
}

/**
 * request_threaded_irq: check the request, build its action (irqSetupForcedThreading), install it on the line
 * (setupIrq, the kernel's __setup_irq). Returns 0, as the kernel does; every failure throws IrqError and leaves
 * the line as it was. `sharedThread` puts the action's thread work into that shared thread
 * (requestIrqSharedThread).
 */
export function requestThreadedIrq(
  core: IrqManageCore, irq: number, handler: IrqHandler | null, threadFn: IrqThreadFn | null,
  flags: number, name: string, devId: unknown, sharedThread?: number,
): number {
  const desc = core.descFor(irq);
  if (core.inHardirq) {
    // request_threaded_irq may sleep in the kernel and is forbidden in hardirq context; the same rule here.
    throw new IrqError('EINVAL', `irq ${irq}: request for "${name}" from hardirq context (a primary handler); request from a thread or from task context`, irq);
  }
  checkRequestArgs(desc, handler, threadFn, flags, name, devId);
  // __setup_irq: a request that names no trigger type gets the line's current one.
  if ((flags & IRQF_TRIGGER_MASK) === 0) flags |= desc.irqData.triggerType & IRQF_TRIGGER_MASK;
  // Checked before anything is set up, so a bad number leaves the line as it was.
  if (sharedThread !== undefined) core.threads.checkSharedThread(sharedThread, irq);
  // A chip that is safe without masking drops the oneshot requirement (and its cost).
  if (oneshotSafe(desc)) flags &= ~IRQF_ONESHOT;
  if (desc.nestedThread && threadFn === null) {
    throw new IrqError('EINVAL', `irq ${irq}: is a nested thread line; "${name}" must supply a threadFn (its parent's thread runs it)`, irq);
  }
  const { action, oneshot } = irqSetupForcedThreading(core, desc, handler, threadFn, flags, name, devId, sharedThread);
  setupIrq(core, desc, action, oneshot, sharedThread);
  // The kernel refuses only the NULL-primary form of a threaded level line without IRQF_ONESHOT (setupIrq). A
  // driver's own primary that returns IRQ_WAKE_THREAD gets the same storm: the level flow unmasks the line
  // when the primary returns, before the thread silenced the device, and the level fires again and again
  // until the spurious detector disables the line. Said here, where the flag is missing, not only there.
  if (!desc.nestedThread && !oneshot && action.handler !== irqDefaultPrimaryHandler && action.threadFn !== null && desc.level && !oneshotSafe(desc)) {
    core.log('warn', `irq ${irq}: "${name}" is threaded on a level-triggered line without IRQF_ONESHOT: if its primary handler returns IRQ_WAKE_THREAD, the line is unmasked before the thread has run and a level still asserted fires again (an interrupt storm, then "nobody cared"); request it with IRQF_ONESHOT`);
  }
  return 0;
}

function oneshotSafe(desc: IrqDesc): boolean {
  return ((desc.irqData.chip?.flags ?? 0) & IRQCHIP_ONESHOT_SAFE) !== 0;
}

/**
 * irq_setup_forced_threading, and the action built for the request: with forced threading (option
 * `forceThreading`), or for a shared-thread request without a threadFn (the PREEMPT_RT "shared interrupt
 * threads" experiment: the handler runs in the shared thread), the primary handler moves into a thread, with
 * the line kept masked (oneshot) until it has run; a threadFn it also had becomes the secondary thread
 * (irq/N-s-name). Unlike the kernel, a request that already has IRQF_ONESHOT is forced too; its secondary then
 * keeps the line masked as well, as the driver's threadFn expects. The action keeps the flags the driver asked
 * for: forced threading's implied oneshot is `oneshot`, so it cannot make sharers disagree.
 */
function irqSetupForcedThreading(
  core: IrqManageCore, desc: IrqDesc, handler: IrqHandler | null, threadFn: IrqThreadFn | null,
  flags: number, name: string, devId: unknown, sharedThread: number | undefined,
): { action: IrqAction; oneshot: boolean } {
  if (desc.nestedThread) {
    return { action: new IrqAction(desc, irqNestedPrimaryHandler(desc), threadFn, flags, name, devId), oneshot: (flags & IRQF_ONESHOT) !== 0 };
  }
  const forced = handler !== null && !(flags & IRQF_NO_THREAD) && (core.forceThreading || (sharedThread !== undefined && threadFn === null));
  if (!forced) {
    return { action: new IrqAction(desc, handler ?? irqDefaultPrimaryHandler, threadFn, flags, name, devId), oneshot: (flags & IRQF_ONESHOT) !== 0 };
  }
  const action = new IrqAction(desc, irqDefaultPrimaryHandler, handler, flags, name, devId);
  // Never in the line's action list: only its forced primary's thread wakes it (irq_wake_secondary).
  if (threadFn !== null) action.secondary = new IrqAction(desc, irqDefaultPrimaryHandler, threadFn, flags, name, devId);
  return { action, oneshot: true };
}

/** __setup_irq's checks of a second action on a line: both shared, one trigger type, one oneshot, another devId. */
function checkSharing(desc: IrqDesc, action: IrqAction): void {
  const old = desc.action[0];
  if (old === undefined) return;
  const { irq } = desc;
  const { flags, name } = action;
  const oldType = desc.triggerSet ? desc.triggerType : flags & IRQF_TRIGGER_MASK;
  if (!(old.flags & flags & IRQF_SHARED)) {
    throw new IrqError('EBUSY', `irq ${irq}: already requested by "${old.name}" and not shared by both ("${name}" asked ${hex(flags)}, "${old.name}" has ${hex(old.flags)})`, irq);
  }
  if (oldType !== (flags & IRQF_TRIGGER_MASK)) {
    throw new IrqError('EBUSY', `irq ${irq}: sharers disagree on the trigger type (line is ${triggerName(oldType)}, "${name}" asked ${triggerName(flags & IRQF_TRIGGER_MASK)})`, irq);
  }
  if ((old.flags ^ flags) & IRQF_ONESHOT) {
    throw new IrqError('EBUSY', `irq ${irq}: sharers disagree on IRQF_ONESHOT ("${old.name}" ${old.flags & IRQF_ONESHOT ? 'has' : 'lacks'} it, "${name}" ${flags & IRQF_ONESHOT ? 'has' : 'lacks'} it)`, irq);
  }
  if (findAction(desc, action.devId) !== undefined) {
    throw new IrqError('EBUSY', `irq ${irq}: devId of "${name}" is already registered on this line`, irq);
  }
}

/**
 * __setup_irq: check the action against the line's sharers, give it (and a secondary that keeps the line
 * masked) its oneshot bit, attach its threads, and put it on the line under the chip's bus lock: the first
 * action sets the trigger and starts the line (replaying a pending edge), a later one joins the sharers.
 */
function setupIrq(core: IrqManageCore, desc: IrqDesc, action: IrqAction, oneshot: boolean, sharedThread: number | undefined): void {
  const { irq } = desc;
  const nested = desc.nestedThread;
  checkSharing(desc, action);
  // __setup_irq compares the handler with irq_default_primary_handler, so passing ours explicitly is the same
  // request as passing none.
  if (!nested && !oneshot && action.handler === irqDefaultPrimaryHandler && !oneshotSafe(desc)) {
    throw new IrqError('EINVAL', `irq ${irq}: threaded irq requested with handler=NULL and !ONESHOT for "${action.name}": the line would stay asserted until the thread ran`, irq);
  }

  // One oneshot bit per action (and per secondary that keeps the line masked).
  let used = desc.threadsOneshot;
  for (const a of desc.action) used |= a.threadMask | (a.secondary?.threadMask ?? 0);
  const allocBit = (): number => {
    if (used === -1) throw new IrqError('EBUSY', `irq ${irq}: no more than 32 oneshot threads may share a line`, irq);
    const bit = ~used & (used + 1);
    used |= bit;
    return bit;
  };
  if (!nested && oneshot && action.threadFn !== null) action.threadMask = allocBit();
  if (action.secondary !== undefined && action.flags & IRQF_ONESHOT) action.secondary.threadMask = allocBit();
  if (action.threadFn !== null && !nested) {
    core.threads.attachThread(action, sharedThread, false);
    if (action.secondary !== undefined) core.threads.attachThread(action.secondary, sharedThread, true);
  }
  if (core.traceRing !== undefined) action.traceId = core.traceRing.register(action.name, false, desc.irq, action.thread?.traceId ?? 0);
  if (core.statsEnabled) desc.stats ??= new IrqLatencyStats();

  const shared = desc.action.length !== 0;
  try {
    withBusLock(desc, () => {
      if (!shared) {
        const trigger = action.flags & IRQF_TRIGGER_MASK;
        if (trigger) setTrigger(desc, trigger, false);
        // A pending edge stays pending (the kernel keeps IRQS_PENDING): the startup below replays it.
        desc.spuriousDisabled = false;
        desc.failDisabled = false;
        desc.oneshot = oneshot;
        setActions(desc, [action]);
        if (action.flags & IRQF_NO_AUTOEN) {
          // Disabled even if an enableIrq started the line before any request (the kernel only sets depth).
          desc.depth = 1;
          irqDisable(desc, true);
        } else {
          try {
            irqStartup(desc);
            checkIrqResend(desc);
          } catch (err) {
            setActions(desc, []);
            throw chipFailure(desc, 'irqStartup', err);
          }
        }
      } else {
        desc.oneshot ||= oneshot;
        setActions(desc, [...desc.action, action]);
      }
      // A new handler gets a fresh spurious window, and a line the detector killed gets another chance.
      desc.irqCount = 0;
      desc.unhandled = 0;
      desc.spuriousThreads &= ~SPURIOUS_OPEN;
      if (shared && desc.spuriousDisabled) {
        desc.spuriousDisabled = false;
        enableIrqDesc(desc);
      }
    });
  } catch (err) {
    core.threads.detachThreads(action);
    throw err;
  }
}

/**
 * __irq_set_trigger. A request's trigger flags on a chip without irqSetType are recorded (the line is
 * wired that way); an explicit irqSetIrqType on such a chip throws ENOSYS. The kernel ignores both silently.
 */
function setTrigger(desc: IrqDesc, type: number, explicit: boolean): void {
  const chip = desc.irqData.chip!;
  if (desc.debounceUs !== 0 && (type & IRQ_TYPE_LEVEL_MASK) !== 0) {
    throw new IrqError('EINVAL', `irq ${desc.irq}: is debounced (${desc.debounceUs} µs), which filters edges; a level trigger (${triggerName(type)}) needs irqSetDebounce(${desc.irq}, 0) first`, desc.irq);
  }
  if (chip.irqSetType) {
    let unmask = false;
    if ((chip.flags ?? 0) & IRQCHIP_SET_TYPE_MASKED) {
      maskIrq(desc);
      // __irq_set_trigger unmasks afterwards unless the line is disabled; here the one unmask rule decides
      // (a line held by its oneshot thread, or polled, stays masked). 'enable': a first request sets the
      // type before its action is on the line.
      unmask = irqMayUnmask(desc, 'enable');
    }
    try {
      chip.irqSetType(desc.irqData, type);
    } catch (err) {
      throw chipFailure(desc, `irqSetType(${triggerName(type)})`, err);
    } finally {
      if (unmask) unmaskIrq(desc);
    }
  } else if (explicit) {
    throw new IrqError('ENOSYS', `irq ${desc.irq}: chip ${chip.name} cannot change the trigger type (no irqSetType)`, desc.irq);
  }
  desc.irqData.triggerType = type;
  desc.triggerSet = true;
  desc.level = (type & IRQ_TYPE_LEVEL_MASK) !== 0;
}

export function irqSetIrqType(core: IrqManageCore, irq: number, type: number): number {
  const desc = core.descFor(irq);
  if (!VALID_TYPES.includes(type)) {
    throw new IrqError('EINVAL', `irq ${irq}: ${hex(type)} is not a trigger type (use IRQ_TYPE_EDGE_* or IRQ_TYPE_LEVEL_*)`, irq);
  }
  if (desc.irqData.chip === undefined) {
    throw new IrqError('ENOSYS', `irq ${irq}: has no irq_chip`, irq);
  }
  if (desc.action.length > 1 && type !== desc.irqData.triggerType) {
    // The kernel does not check sharers here either; say so, since they agreed on the old type.
    core.log('warn', `irq ${irq}: trigger type changed to ${triggerName(type)} on a line shared by ${desc.actionNames.join(', ')}`);
  }
  withBusLock(desc, () => setTrigger(desc, type, true));
  return 0;
}

/** A reader of the line's events for the action with devId (line-event.ts). */
export function irqRequestLineEvents(core: IrqManageCore, irq: number, devId: unknown, capacity?: number): IrqLineEvents {
  const desc = core.descFor(irq);
  return requestLineEvents(desc, findAction(desc, devId), capacity);
}

/** The longest debounce period, µs: gpiolib-cdev's debounce_period_us is a u32. */
export const IRQ_DEBOUNCE_MAX_US = 0xffff_ffff;

/**
 * irqSetDebounce: gpiolib's gpio_set_debounce (the cdev's debounce_period_us) on the irq layer, where our
 * drivers live: the chip enters the line only for a level that held `periodUs` after the line's last edge
 * (0: off). It stays set when the line is freed, as a pin's configuration does. ENOSYS on a chip that cannot
 * (no irqSetDebounce); EINVAL for a level-triggered line (debounce filters edges) or a period that is not a
 * whole number of µs in 0..IRQ_DEBOUNCE_MAX_US.
 */
export function irqSetDebounce(core: IrqManageCore, irq: number, periodUs: number): number {
  const desc = core.descFor(irq);
  if (typeof periodUs !== 'number' || !Number.isInteger(periodUs) || periodUs < 0 || periodUs > IRQ_DEBOUNCE_MAX_US) {
    throw new IrqError('EINVAL', `irq ${irq}: a debounce period is a whole number of µs from 0 (off) to ${IRQ_DEBOUNCE_MAX_US}, not ${describeValue(periodUs)}`, irq);
  }
  const chip = desc.irqData.chip;
  if (chip === undefined) throw new IrqError('ENOSYS', `irq ${irq}: has no irq_chip`, irq);
  if (chip.irqSetDebounce === undefined) {
    throw new IrqError('ENOSYS', `irq ${irq}: chip ${chip.name} cannot debounce (no irqSetDebounce)`, irq);
  }
  if (periodUs !== 0 && desc.level) {
    throw new IrqError('EINVAL', `irq ${irq}: is ${triggerName(desc.irqData.triggerType)}; debounce filters edges, so only an edge-triggered line can have it`, irq);
  }
  withBusLock(desc, () => {
    try {
      chip.irqSetDebounce!(desc.irqData, periodUs);
    } catch (err) {
      throw chipFailure(desc, `irqSetDebounce(${periodUs})`, err);
    }
  });
  desc.debounceUs = periodUs;
  return 0;
}

/** irq_set_irq_wake: wake enables nest like disables; the chip is told on the first and the last. */
export function irqSetIrqWake(core: IrqManageCore, irq: number, on: boolean): number {
  const desc = core.descFor(irq);
  const chip = desc.irqData.chip;
  if (chip === undefined) throw new IrqError('ENOSYS', `irq ${irq}: has no irq_chip`, irq);
  const setWake = (value: boolean): void => {
    if ((chip.flags ?? 0) & IRQCHIP_SKIP_SET_WAKE) return;
    if (!chip.irqSetWake) {
      throw new IrqError('ENOSYS', `irq ${irq}: chip ${chip.name} cannot wake the system (no irqSetWake)`, irq);
    }
    try {
      chip.irqSetWake(desc.irqData, value);
    } catch (err) {
      throw chipFailure(desc, 'irqSetWake', err);
    }
  };
  withBusLock(desc, () => {
    if (on) {
      if (desc.wakeDepth === 0) setWake(true);
      desc.wakeDepth++;
    } else if (desc.wakeDepth === 0) {
      core.log('warn', `Unbalanced IRQ ${irq} wake disable`);
    } else {
      if (desc.wakeDepth === 1) setWake(false);
      desc.wakeDepth--;
    }
  });
  return 0;
}

/**
 * free_irq: the action leaves the line at once (the line shuts down with its last action); the promise
 * resolves to the action's name once neither its hardirq nor its thread runs any more, and its thread is
 * retired then. The kernel waits for every thread of the line here; waiting for this action's only means
 * a sharer whose thread is woken again and again cannot hold the free up forever, and a run of its own
 * that never settles is abandoned after the watchdog time (watchdog.ts), so the free always finishes.
 * Freeing a devId that is not on the line warns and resolves to undefined.
 */
export function freeIrq(core: IrqManageCore, irq: number, devId: unknown): Promise<string | undefined> {
  let desc: IrqDesc;
  try {
    desc = core.descFor(irq);
    // free_irq from the line's own handler waits for itself in the kernel; here it is refused, and nothing
    // is freed.
    if (desc.inProgress) {
      throw new IrqError('EDEADLK', `irq ${irq}: freeIrq called from the line's own primary handler would wait for itself; free it from task context`, irq);
    }
    checkNotOwnThread(core, desc, 'freeIrq');
  } catch (err) {
    return Promise.reject(err);
  }
  const action = findAction(desc, devId);
  if (action === undefined) {
    // __free_irq warns "Trying to free already-free IRQ" for both, but with actions still on the line the
    // likely mistake is the devId (a different object than the one requested with), not a double free.
    if (desc.action.length === 0) core.log('warn', `Trying to free already-free IRQ ${irq}`);
    else core.log('warn', `No action of irq ${irq} has that dev_id (its actions: ${desc.action.map((a) => `"${a.name}"`).join(', ')}); pass the devId the action was requested with. Nothing freed`);
    return Promise.resolve(undefined);
  }
  withBusLock(desc, () => {
    setActions(desc, desc.action.filter((a) => a !== action));
    action.freed = true;
    // Its forced secondary goes with it: a late result of either is ignored, and the watchdog bounds both.
    if (action.secondary !== undefined) action.secondary.freed = true;
    if (desc.lineEventsOwner === action) releaseLineEvents(desc);
    if (desc.action.length === 0) irqShutdown(desc);
  });
  // The kernel's free_irq waits for the thread (synchronize_irq) however long it takes. We wait too, but
  // at most the watchdog time: a JavaScript promise can never be killed, so a run still sleeping then is
  // abandoned (logged) and the line left clean for the next request. A free always finishes.
  core.threads.watch.freed(action);
  // Off the line, but its runs still count as the line's (threadsActive) until they are done.
  desc.leaving = [...desc.leaving, action];
  return waitForIdle(desc, action).then(() => {
    desc.leaving = desc.leaving.filter((a) => a !== action);
    core.threads.detachThreads(action);
    return action.name;
  });
}

export function disableIrqNosync(core: IrqManageCore, irq: number): void {
  disableIrqDesc(core.descFor(irq));
}

/** A thread waiting for its own line to go idle would wait for itself. */
function checkNotOwnThread(core: IrqManageCore, desc: IrqDesc, what: string): void {
  const current = core.threads.current;
  if (current !== undefined && (current.active?.desc === desc || desc.nestedOwner === current)) {
    throw new IrqError('EDEADLK', `irq ${desc.irq}: ${what} called from ${current.name}, its own thread, would wait for itself (use disableIrqNosync)`, desc.irq);
  }
}

export function disableIrq(core: IrqManageCore, irq: number): Promise<void> {
  try {
    const desc = core.descFor(irq);
    checkNotOwnThread(core, desc, 'disableIrq');
    disableIrqNosync(core, irq);
    return waitForIdle(desc);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * disable_hardirq: disable and wait for the hardirq only. In one JavaScript thread a hardirq is never
 * running while this is called from outside it, so there is nothing to wait for; the result says, as the
 * kernel's does, whether no thread of the line is active.
 */
export function disableHardirq(core: IrqManageCore, irq: number): boolean {
  disableIrqNosync(core, irq);
  return core.descFor(irq).threadsActive === 0;
}

export function synchronizeIrq(core: IrqManageCore, irq: number): Promise<void> {
  try {
    const desc = core.descFor(irq);
    checkNotOwnThread(core, desc, 'synchronizeIrq');
    return waitForIdle(desc);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** __enable_irq: un-nest one disable; the last one starts the line again and replays a pending edge. */
function enableIrqDesc(desc: IrqDesc): void {
  switch (desc.depth) {
    case 0:
      desc.ctx.log('warn', `Unbalanced enable for IRQ ${desc.irq}`);
      break;
    case 1:
      desc.spuriousDisabled = false;
      if (desc.failDisabled) {
        desc.failDisabled = false;
        for (const a of desc.action) a.failures = 0;
      }
      irqStartup(desc);
      checkIrqResend(desc);
      break;
    default:
      desc.depth--;
  }
}

export function enableIrq(core: IrqManageCore, irq: number): void {
  const desc = core.descFor(irq);
  if (desc.irqData.chip === undefined) {
    core.log('warn', `enable_irq before setup/request_irq: irq ${irq}`);
    return;
  }
  withBusLock(desc, () => enableIrqDesc(desc));
}

export function checkPriority(priority: number, what: string): void {
  if (!Number.isInteger(priority) || priority < 1 || priority > 99) {
    throw new IrqError('EINVAL', `${what}: thread priority ${priority} is outside 1..99`);
  }
}

/**
 * The priority of the thread of the action registered with devId: 1..99, higher runs first. A forced
 * action's secondary thread keeps one less, as the kernel sets it up.
 */
export function irqSetThreadPriority(core: IrqManageCore, irq: number, devId: unknown, priority: number): void {
  const desc = core.descFor(irq);
  const action = threadedAction(desc, devId);
  checkPriority(priority, `irq ${irq}`);
  const t = action.thread!;
  if (t.sharedThread !== undefined) {
    throw new IrqError('EINVAL', `irq ${irq}: "${action.name}" runs in shared thread ${t.sharedThread}, whose priority its other irqs share; use irqSetSharedThreadPriority`, irq);
  }
  t.runner.setPriority(t, priority);
  const secondary = action.secondary?.thread;
  if (secondary !== undefined && secondary.sharedThread === undefined) secondary.runner.setPriority(secondary, Math.max(1, priority - 1));
}

/** irq_wake_thread: wake the thread of the action registered with devId, without a hardirq. */
export function irqWakeThread(core: IrqManageCore, irq: number, devId: unknown): void {
  const desc = core.descFor(irq);
  irqWakeThreadAction(threadedAction(desc, devId), NaN);
}

/** irq_set_nested_thread: mark a child line whose threadFns its parent's thread runs (handleNestedIrq). */
export function irqSetNestedThread(core: IrqManageCore, irq: number, on: boolean): void {
  const desc = core.descFor(irq);
  if (desc.action.length !== 0 && desc.nestedThread !== on) {
    throw new IrqError('EBUSY', `irq ${irq}: cannot change nesting while requested by ${desc.actionNames.join(', ')}`, irq);
  }
  desc.nestedThread = on;
}

/**
 * irq_set_affinity: route the line to a CPU. Its threads move to that CPU's runner, and a shared thread
 * follows the irq that created it (as in the PREEMPT_RT "shared interrupt threads" patch).
 */
export function irqSetAffinity(core: IrqManageCore, irq: number, cpu: number): number {
  const desc = core.descFor(irq);
  const cpus = core.threads.runners.length;
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= cpus) {
    throw new IrqError('EINVAL', `irq ${irq}: CPU ${cpu} is outside 0..${cpus - 1}`, irq);
  }
  const chip = desc.irqData.chip;
  if (chip?.irqSetAffinity) {
    withBusLock(desc, () => {
      try {
        chip.irqSetAffinity!(desc.irqData, cpu);
      } catch (err) {
        throw chipFailure(desc, 'irqSetAffinity', err);
      }
    });
  }
  desc.affinity = cpu;
  core.threads.setAffinity(irq, cpu);
  return 0;
}
