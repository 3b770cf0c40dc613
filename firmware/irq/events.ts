/*
 * The decisions the core takes by itself, as structured events (IrqCore.onIrqEvent): a line disabled by the
 * spurious detector or because its thread keeps failing, a line switched to polled handling and back, a stuck
 * thread run reported by the watchdog, a run a free gave up waiting for. Each is logged as before (people read
 * the log); the event is emitted beside the log call, so a test harness or an application learns of the
 * decision without parsing text.
 *
 * An event is a frozen plain object of numbers, strings, booleans and frozen arrays of strings, discriminated
 * by `kind`, with the line's `irq` and the platform's `time` (µs) of the decision: JSON.stringify accepts it.
 * It is built only where the decision is taken (all rare paths, never per interrupt) and only while someone
 * listens. The listeners live in the IrqEvents of one core (its IrqContext holds it), never at module level.
 */
import { IrqError, describe } from './error';
import type { IrqLog } from './types';

/** The spurious detector ("nobody cared", note_interrupt) disabled the line. */
export interface IrqSpuriousDisableEvent {
  readonly kind: 'spurious-disable';
  readonly irq: number;
  readonly time: number;
  /** Unhandled interrupts in the window that ended (more than SPURIOUS_LIMIT of it). */
  readonly unhandled: number;
  /** The window's length in interrupts (SPURIOUS_WINDOW): "N of the last `interrupts` interrupts unhandled". */
  readonly interrupts: number;
  /** The line's actions (the handlers the report names), in request order. */
  readonly actions: readonly string[];
  /** Threaded actions of a level line that lack IRQF_ONESHOT (the report's hint); empty when it does not apply. */
  readonly missingOneshot: readonly string[];
}

/** A thread failed (threw or rejected) threadRetries runs in a row: its line is disabled until enableIrq. */
export interface IrqThreadDisableEvent {
  readonly kind: 'thread-disable';
  readonly irq: number;
  readonly time: number;
  /** The thread's name (irq/N-name, irq/shared-K). */
  readonly thread: string;
  /** The action whose runs failed. */
  readonly action: string;
  /** Failed runs in a row (the core's threadRetries). */
  readonly failures: number;
  /** The last failure, as the log shows it ("Error: device gone"). */
  readonly error: string;
}

/** The line took more than its CPU budget and was switched to polled handling. */
export interface IrqStormPollEvent {
  readonly kind: 'storm-poll';
  readonly irq: number;
  readonly time: number;
  readonly actions: readonly string[];
  /** CPU time the line was charged in the current window, µs (its hardirqs are sampled: storm.ts). */
  readonly cpuUs: number;
  /** The budget: cpuPercent of windowUs; and the poll period. */
  readonly cpuPercent: number;
  readonly windowUs: number;
  readonly pollUs: number;
  /** Switches to polled handling over the line's life, this one included (irqToDesc's stormSwitches). */
  readonly stormSwitches: number;
}

/** The line went over its CPU budget, but the platform has no setTimer to poll it: it stays in interrupt mode (once per line). */
export interface IrqStormUnpolledEvent {
  readonly kind: 'storm-unpolled';
  readonly irq: number;
  readonly time: number;
  readonly actions: readonly string[];
  readonly cpuUs: number;
  readonly cpuPercent: number;
  readonly windowUs: number;
}

/** A polled line went back to interrupts. */
export interface IrqStormResumeEvent {
  readonly kind: 'storm-resume';
  readonly irq: number;
  readonly time: number;
  /** 'calm': fewer than half the polls of the window found an interrupt; 'no-action': the line's last action was freed. */
  readonly reason: 'calm' | 'no-action';
  /** Polls in the window that decided, and those that found an interrupt waiting. */
  readonly polls: number;
  readonly hits: number;
  /** Interrupts let in while polled, over the line's life (irqToDesc's polledInterrupts). */
  readonly polledInterrupts: number;
}

/** The watchdog found a thread run still sleeping after its timeout. */
export interface IrqWatchdogStuckEvent {
  readonly kind: 'watchdog-stuck';
  readonly irq: number;
  readonly time: number;
  readonly thread: string;
  readonly action: string;
  /** How long the run had slept, µs (the log rounds it to ms). */
  readonly sleptUs: number;
  /** The watchdog's timeoutUs. */
  readonly timeoutUs: number;
  /** Watchdog action 'disable': the line was disabled and the run abandoned; false: 'report', still waiting for it. */
  readonly disabled: boolean;
}

/** freeIrq gave up waiting for its action's sleeping run: the run is abandoned, its late result ignored. */
export interface IrqFreeAbandonEvent {
  readonly kind: 'free-abandon';
  readonly irq: number;
  readonly time: number;
  readonly thread: string;
  /** The freed action. */
  readonly action: string;
  readonly sleptUs: number;
  /** At once, because the platform has no setTimer to wait with. */
  readonly noTimer: boolean;
}

/** freeIrq dropped its action's run, queued in a shared thread behind another action's stuck run. */
export interface IrqFreeDropEvent {
  readonly kind: 'free-drop';
  readonly irq: number;
  readonly time: number;
  readonly thread: string;
  /** The freed action, whose queued run was dropped. */
  readonly action: string;
  /** The action whose run holds the thread, and its irq. */
  readonly holder: string;
  readonly holderIrq: number;
  /** How long that run had held the thread, µs. */
  readonly heldUs: number;
  readonly noTimer: boolean;
}

/** Every decision the core reports, discriminated by `kind`. */
export type IrqCoreEvent =
  | IrqSpuriousDisableEvent
  | IrqThreadDisableEvent
  | IrqStormPollEvent
  | IrqStormUnpolledEvent
  | IrqStormResumeEvent
  | IrqWatchdogStuckEvent
  | IrqFreeAbandonEvent
  | IrqFreeDropEvent;

export type IrqCoreEventKind = IrqCoreEvent['kind'];

/**
 * Called synchronously where the decision is taken, which may be in hardirq context (a spurious disable, a
 * switch to polling): keep it short, and defer work that requests or frees lines. What it throws is caught.
 */
export type IrqEventListener = (event: IrqCoreEvent) => void;

interface Subscription {
  readonly listener: IrqEventListener;
  /** False once unsubscribed: an emit under way skips it. */
  live: boolean;
  /** A throw of this listener was logged; later ones are not. */
  reported: boolean;
}

/** Names frozen for an event (a fresh array, so the event is frozen all the way down). */
export function eventNames(names: string[]): readonly string[] {
  return Object.freeze(names);
}

/** The listeners of one core and the emitter its decisions call (IrqContext.events). */
export class IrqEvents {
  /** Replaced, never edited: a listener that subscribes or unsubscribes during an emit changes the next one. */
  private subs: readonly Subscription[] = [];
  /** An emit is handing out an event; events emitted meanwhile (by what a listener did) wait in `queued`. */
  private emitting = false;
  private readonly queued: IrqCoreEvent[] = [];

  constructor(private readonly log: IrqLog) {}

  /** Someone listens: a decision builds its event only then. */
  get listening(): boolean {
    return this.subs.length !== 0;
  }

  /** Add a listener; the function returned removes it (a second call does nothing). */
  subscribe(listener: IrqEventListener): () => void {
    if (typeof listener !== 'function') throw new IrqError('EINVAL', 'onIrqEvent needs a listener function');
    const sub: Subscription = { listener, live: true, reported: false };
    this.subs = [...this.subs, sub];
    return () => {
      if (!sub.live) return;
      sub.live = false;
      this.subs = this.subs.filter((s) => s !== sub);
    };
  }

  /**
   * Freeze the event and hand it to every listener, in subscription order. A listener that throws is logged
   * once (a warning naming the event's kind) and the others still get the event; the core goes on. A decision
   * a listener causes (it frees a stuck line, say) is handed out once every listener has had this one, so all
   * of them see the events in the same order.
   */
  emit(event: IrqCoreEvent): void {
    Object.freeze(event);
    if (this.emitting) {
      this.queued.push(event);
      return;
    }
    this.emitting = true;
    try {
      this.deliver(event);
      const queued = this.queued;
      while (queued.length !== 0) this.deliver(queued.shift()!);
    } finally {
      this.emitting = false;
    }
  }

  private deliver(event: IrqCoreEvent): void {
    const subs = this.subs;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i];
      if (!sub.live) continue;
      try {
        sub.listener(event);
      } catch (err) {
        if (sub.reported) continue;
        sub.reported = true;
        this.log('warn', `irq ${event.irq}: an onIrqEvent listener threw on "${event.kind}": ${describe(err)} (its later throws are not logged)`);
      }
    }
  }
}
