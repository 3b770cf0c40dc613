/*
 * Tracepoints, after the kernel's irq_handler_entry / irq_handler_exit (include/trace/events/irq.h) and the
 * scheduler's wakeup and switch events, into a fixed-size ring buffer. Off unless IrqCore gets `trace`; off
 * (or stopped), `ctx.tracer` (the descriptors' IrqContext, desc.ts) is undefined and each tracepoint is one
 * property test (no allocation, no call). On, a record of one or more events is four numbers written into a
 * preallocated Float64Array (below): still no allocation on the hot path. When the ring is full the oldest
 * records are overwritten and counted.
 *
 * Events carry ids instead of names: every action and thread gets a small number when it is created, and
 * the name table is kept beside the ring (created at request time, never on the hot path).
 */
import { IRQ_WAKE_THREAD } from './constants';

/** What happened: the `kind` of an event. */
export const IRQ_TRACE = Object.freeze({
  /** A primary handler starts (irq_handler_entry); arg: the action's id. */
  HANDLER_ENTRY: 1,
  /** A primary handler returned (irq_handler_exit); arg: its irqreturn. */
  HANDLER_EXIT: 2,
  /** A thread was woken for the irq; arg: the thread's id. */
  THREAD_WAKE: 3,
  /** A thread run starts; arg: the thread's id. */
  THREAD_RUN: 4,
  /** The run's thread function returned a promise that has not settled; arg: the thread's id. */
  THREAD_SLEEP: 5,
  /** A thread run ended; arg: the thread's id. */
  THREAD_FINISH: 6,
  MASK: 7,
  UNMASK: 8,
  /** The spurious detector disabled the line. */
  SPURIOUS: 9,
  /** The line went to polled handling (arg 1) or back to interrupts (arg 0). */
  STORM: 10,
});

export type IrqTraceKind = (typeof IRQ_TRACE)[keyof typeof IRQ_TRACE];

export interface IrqTraceEvent {
  readonly timeUs: number;
  readonly kind: IrqTraceKind;
  readonly irq: number;
  readonly arg: number;
}

/*
 * The ring holds records, not events: a record is four numbers (time, second time, code, argument) in one
 * preallocated Float64Array, and the events are made from the records only when they are read (events()). A
 * tracepoint of the cold paths is a record of one event. The hot paths write one record of several events in
 * one call: on XS a call with its arguments costs as much as the four writes it makes, so records per
 * interrupt is what tracing costs.
 *
 * The level flow's fast path and the runner write ONE record per interrupt: the hardirq (mask, handler entry
 * and exit, wakeup), its thread's run (run, then finish and the unmask after it, or sleep) together. The
 * hardirq writes nothing to the ring: it leaves itself pending in the tracer (the action, its time, whether
 * it masked: `pending`), and the record that follows carries it. That is its run's record when nothing was
 * recorded in between (REC_WAKE_RUN: the common case, the whole interrupt in four numbers); any other record
 * writes the pending hardirq as a record of its own first (flush(), REC_HARDIRQ), in its place, so the events
 * keep their order. Until then events() shows it last, where its record would be.
 *
 * A run's record is written when its synchronous part ends, but its RUN event belongs where the run began:
 * the runner marks the ring when a run starts (runFrom), and a run record keeps how many records came in
 * between (what the thread function itself traced), so events() puts RUN back before them. A hardirq still
 * pending when a run starts (runWake) happened before it: flushed during the run, it goes before the run's RUN.
 */

/**
 * Record codes beyond the single events' kinds (IRQ_TRACE, 1..10): code = kind | flags << 4 | irq << 8, or, for
 * REC_WAKE_RUN, kind | flags << 4 + the action's id × 256 (its irq and thread are the name table's: idIrq,
 * idThread).
 */
const REC_WAKE_RUN = 13;
const REC_HARDIRQ = 14;
const REC_RUN = 15;
/** A run record's flags: the run went to sleep (SLEEP instead of FINISH); the line was unmasked after it. */
export const TRACE_RUN_SLEPT = 1 << 4;
export const TRACE_RUN_UNMASKED = 2 << 4;
/** A hardirq's flag, in its own record or its run's: the flow masked the line first (a MASK event before the handler's). */
export const TRACE_HARDIRQ_MASKED = 4 << 4;
/** A run record's argument: the thread's id + the records written during the run × ID_SPAN. */
const ID_SPAN = 2 ** 24;
/** REC_WAKE_RUN's code: the action's id × ID_SHIFT (above the kind and flags). */
const ID_SHIFT = 256;
const FIELDS = 4;

/** What the tracer needs of an action whose hardirq it keeps pending (IrqAction, desc.ts). */
export interface IrqTraceWaker {
  readonly traceId: number;
  readonly desc: { readonly irq: number };
  readonly thread: { readonly traceId: number } | undefined;
}

export class IrqTracer {
  /** Records the ring holds (each one event or several: see above). */
  readonly capacity: number;
  /** capacity records of FIELDS numbers: [time, second time, code, argument] (REC_WAKE_RUN: a third time for argument). */
  private readonly ring: Float64Array;
  /**
   * Records written in all: the next one goes to recorded % capacity; the ring's size and the overwritten count
   * follow. Written only here (the runner reads it into runFrom).
   */
  recorded = 0;
  /** `recorded` when the current thread run began (set by the runner; read by run()). */
  runFrom = 0;
  /**
   * The hardirq of the level flow's fast path whose events no record carries yet, or undefined: the action whose
   * thread it woke, when, and TRACE_HARDIRQ_MASKED or 0. Set by handleLevelIrq (flow.ts) itself, after a
   * flush() of one still pending (a call would cost as much as what tracing saves there); cleared by flush()
   * and run().
   */
  pending: IrqTraceWaker | undefined = undefined;
  pendingUs = 0;
  pendingMasked = 0;
  /** The pending hardirq when the current run began (set by the runner, with runFrom): it came before the run's RUN. */
  runWake: IrqTraceWaker | undefined = undefined;
  /** Names of actions and threads, by id (id 0 is unused). */
  readonly names: string[] = [''];
  /** Which ids are threads (the rest are actions). */
  readonly threadIds: Set<number> = new Set();
  /** An action's irq and thread id, by its id (0 for a thread's id or an action without thread): for REC_WAKE_RUN. */
  private readonly idIrq: number[] = [0];
  private readonly idThread: number[] = [0];

  constructor(capacity: number, private readonly now: () => number) {
    this.capacity = capacity;
    this.ring = new Float64Array(capacity * FIELDS);
  }

  /**
   * A new id for an action or thread name (at request time); an action's irq and the id of the thread that
   * runs it (0: none) are kept beside its name.
   */
  register(name: string, thread: boolean, irq = 0, threadId = 0): number {
    const id = this.names.length;
    this.names.push(name);
    this.idIrq.push(irq);
    this.idThread.push(threadId);
    if (thread) this.threadIds.add(id);
    return id;
  }

  /** An event now (one clock reading). */
  record(kind: IrqTraceKind, irq: number, arg: number): void {
    this.write(this.now(), 0, kind | (irq << 8), arg);
  }

  /**
   * An event at `timeUs`, a clock reading the caller already has: the events of one hardirq or of one thread
   * run share the reading that run or hardirq takes anyway, so tracing adds no clock reads there.
   */
  recordAt(kind: IrqTraceKind, irq: number, arg: number, timeUs: number): void {
    this.write(timeUs, 0, kind | (irq << 8), arg);
  }

  /**
   * A hardirq of the default primary handler (which is not called), at one clock reading: the line's MASK if
   * `masked` (TRACE_HARDIRQ_MASKED, or 0), the handler's entry and exit (IRQ_WAKE_THREAD), and the wakeup of
   * thread `threadId` (0: none, the wakeup was merged or is recorded on its own).
   */
  hardirq(irq: number, actionId: number, threadId: number, masked: number, timeUs: number): void {
    if (this.pending) this.flush();
    const n = this.recorded;
    const i = (n % this.capacity) * FIELDS;
    const ring = this.ring;
    ring[i] = timeUs;
    ring[i + 1] = threadId;
    ring[i + 2] = REC_HARDIRQ | masked | (irq << 8);
    ring[i + 3] = actionId;
    this.recorded = n + 1;
  }

  /**
   * A thread run of `action` (by its thread), from `startUs` to `endUs`: RUN, then SLEEP (TRACE_RUN_SLEPT)
   * or FINISH and, with TRACE_RUN_UNMASKED, the line's UNMASK. The hardirq that woke it, if it is still
   * pending since before the run (nothing was recorded since), goes into the same record; its RUN goes where
   * runFrom marked the ring.
   */
  run(action: IrqTraceWaker, flags: number, startUs: number, endUs: number): void {
    const pending = this.pending;
    if (pending) {
      if (pending === action && this.runWake === action) {
        // The whole interrupt in one record: nothing was recorded since its hardirq, so all its events go here.
        this.pending = undefined;
        this.runWake = undefined;
        const n = this.recorded;
        const i = (n % this.capacity) * FIELDS;
        const ring = this.ring;
        ring[i] = this.pendingUs;
        ring[i + 1] = startUs;
        ring[i + 2] = (REC_WAKE_RUN | flags | this.pendingMasked) + action.traceId * ID_SHIFT;
        ring[i + 3] = endUs;
        this.recorded = n + 1;
        return;
      }
      this.flush();
    }
    const n = this.recorded;
    const i = (n % this.capacity) * FIELDS;
    const ring = this.ring;
    ring[i] = startUs;
    ring[i + 1] = endUs;
    ring[i + 2] = REC_RUN | flags | (action.desc.irq << 8);
    ring[i + 3] = action.thread!.traceId + (n - this.runFrom) * ID_SPAN;
    this.recorded = n + 1;
  }

  /**
   * The pending hardirq as a record of its own, where it belongs: before the record about to be written. One
   * pending since before the current run goes before that run's RUN too.
   */
  flush(): void {
    const action = this.pending!;
    this.pending = undefined;
    if (action === this.runWake) {
      this.runWake = undefined;
      if (this.recorded === this.runFrom) this.runFrom++;
    }
    const n = this.recorded;
    const i = (n % this.capacity) * FIELDS;
    const ring = this.ring;
    ring[i] = this.pendingUs;
    ring[i + 1] = action.thread === undefined ? 0 : action.thread.traceId;
    ring[i + 2] = REC_HARDIRQ | this.pendingMasked | (action.desc.irq << 8);
    ring[i + 3] = action.traceId;
    this.recorded = n + 1;
  }

  private write(time: number, time2: number, code: number, arg: number): void {
    if (this.pending) this.flush();
    const n = this.recorded;
    const i = (n % this.capacity) * FIELDS;
    const ring = this.ring;
    ring[i] = time;
    ring[i + 1] = time2;
    ring[i + 2] = code;
    ring[i + 3] = arg;
    this.recorded = n + 1;
  }

  /** Records in the ring. */
  get size(): number {
    return Math.min(this.recorded, this.capacity);
  }

  /** Records overwritten because the ring was full. */
  get overwritten(): number {
    return Math.max(0, this.recorded - this.capacity);
  }

  /** The events of the records in the ring, oldest first (allocates: for export, not for the hot path). */
  events(): IrqTraceEvent[] {
    const first = this.recorded - this.size;
    const ring = this.ring;
    /** RUN events that go before the record they are keyed by (a run whose thread function traced). */
    const runs = new Map<number, IrqTraceEvent[]>();
    const own: IrqTraceEvent[][] = [];
    for (let n = first; n < this.recorded; n++) {
      const i = (n % this.capacity) * FIELDS;
      const time = ring[i];
      const time2 = ring[i + 1];
      const code = ring[i + 2];
      const arg = ring[i + 3];
      // (A REC_WAKE_RUN code is above 2^32: `&` keeps its low bits, the kind and flags.)
      const kind = code & 15;
      const irq = code >>> 8;
      const events: IrqTraceEvent[] = [];
      if (kind === REC_WAKE_RUN) {
        // A hardirq and the run it woke, nothing recorded in between: its events, then the run's.
        const id = Math.floor(code / ID_SHIFT);
        const lineIrq = this.idIrq[id];
        const tid = this.idThread[id];
        hardirqEvents(events, time, code & TRACE_HARDIRQ_MASKED, lineIrq, id, tid);
        events.push({ timeUs: time2, kind: IRQ_TRACE.THREAD_RUN, irq: lineIrq, arg: tid });
        runEnd(events, arg, code, lineIrq, tid);
      } else if (kind === REC_HARDIRQ) {
        hardirqEvents(events, time, code & TRACE_HARDIRQ_MASKED, irq, arg, time2);
      } else if (kind === REC_RUN) {
        const tid = arg % ID_SPAN;
        // The records its thread function wrote come between its RUN and the rest; a RUN before the ring's
        // start was overwritten with them (a count gone stale by clear() puts it here).
        const at = n - Math.max(0, Math.min(n - first + 1, Math.floor(arg / ID_SPAN)));
        const run: IrqTraceEvent = { timeUs: time, kind: IRQ_TRACE.THREAD_RUN, irq, arg: tid };
        if (at >= first && at < n) {
          const list = runs.get(at);
          if (list === undefined) runs.set(at, [run]);
          else list.push(run);
        } else if (at === n) {
          events.push(run);
        }
        runEnd(events, time2, code, irq, tid);
      } else {
        events.push({ timeUs: time, kind: kind as IrqTraceKind, irq, arg });
      }
      own.push(events);
    }
    const out: IrqTraceEvent[] = [];
    for (let k = 0; k < own.length; k++) {
      const before = runs.get(first + k);
      if (before !== undefined) out.push(...before);
      out.push(...own[k]);
    }
    // The hardirq no record carries yet: the last thing that happened.
    const pending = this.pending;
    if (pending !== undefined) {
      hardirqEvents(out, this.pendingUs, this.pendingMasked, pending.desc.irq, pending.traceId, pending.thread === undefined ? 0 : pending.thread.traceId);
    }
    return out;
  }

  clear(): void {
    this.recorded = 0;
    this.runFrom = 0;
    this.pending = undefined;
    this.runWake = undefined;
  }
}

/**
 * A default primary handler's hardirq at `time`: MASK (if `masked`), the handler's entry (`actionId`) and exit
 * (IRQ_WAKE_THREAD), and the wakeup of thread `threadId` (0: none).
 */
function hardirqEvents(events: IrqTraceEvent[], time: number, masked: number, irq: number, actionId: number, threadId: number): void {
  if (masked) events.push({ timeUs: time, kind: IRQ_TRACE.MASK, irq, arg: 0 });
  events.push({ timeUs: time, kind: IRQ_TRACE.HANDLER_ENTRY, irq, arg: actionId });
  events.push({ timeUs: time, kind: IRQ_TRACE.HANDLER_EXIT, irq, arg: IRQ_WAKE_THREAD });
  if (threadId !== 0) events.push({ timeUs: time, kind: IRQ_TRACE.THREAD_WAKE, irq, arg: threadId });
}

/** The end of a run of thread `threadId` at `time`: SLEEP (TRACE_RUN_SLEPT in `code`), or FINISH and UNMASK (TRACE_RUN_UNMASKED). */
function runEnd(events: IrqTraceEvent[], time: number, code: number, irq: number, threadId: number): void {
  if (code & TRACE_RUN_SLEPT) {
    events.push({ timeUs: time, kind: IRQ_TRACE.THREAD_SLEEP, irq, arg: threadId });
  } else {
    events.push({ timeUs: time, kind: IRQ_TRACE.THREAD_FINISH, irq, arg: threadId });
    if (code & TRACE_RUN_UNMASKED) events.push({ timeUs: time, kind: IRQ_TRACE.UNMASK, irq, arg: 0 });
  }
}

/** One entry of the Chrome Trace Event Format (the JSON that Perfetto and chrome://tracing open). */
export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'i' | 'C' | 'M' | 's' | 'f';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  cat?: string;
  s?: 'g' | 'p' | 't';
  id?: number;
  bp?: 'e';
  args?: Record<string, string | number>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms' | 'ns';
  otherData: Record<string, string | number>;
}

const PID = 1;
const HARDIRQ_TID = 0;

/**
 * The ring as a Chrome trace: one track for hardirq context (tid 0) and one per irq thread (tid = the
 * thread's id), handler and thread runs as complete events ("X") with the irq and the action's name as
 * arguments, wakeups as flow arrows from the hardirq to the run they caused, sleeps, spurious and storm
 * events as instants, and each line's mask state as a counter. A run cut off by the ring's start is left
 * out; one still going at the end lasts until the last event.
 */
export function chromeTrace(tracer: IrqTracer, title = 'genirq'): ChromeTrace {
  const events = tracer.events();
  const names = tracer.names;
  const out: ChromeTraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: HARDIRQ_TID, args: { name: title } },
    { name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: HARDIRQ_TID, args: { name: 'hardirq' } },
    { name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid: HARDIRQ_TID, args: { sort_index: -1 } },
  ];
  for (const id of tracer.threadIds) out.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: id, args: { name: names[id] } });
  const end = events.length ? events[events.length - 1].timeUs : 0;
  /** Open handler (by irq) and thread runs (by thread id): start time and irq. */
  const openHandlers = new Map<number, { ts: number; action: number }>();
  const openRuns = new Map<number, { ts: number; irq: number }>();
  let flow = 0;
  const pendingFlows = new Map<number, number>();
  for (const e of events) {
    switch (e.kind) {
      case IRQ_TRACE.HANDLER_ENTRY:
        openHandlers.set(e.irq, { ts: e.timeUs, action: e.arg });
        break;
      case IRQ_TRACE.HANDLER_EXIT: {
        const open = openHandlers.get(e.irq);
        if (open === undefined) break;
        openHandlers.delete(e.irq);
        out.push({
          name: `irq ${e.irq}: ${names[open.action] ?? '?'}`, cat: 'hardirq', ph: 'X', ts: open.ts, dur: e.timeUs - open.ts,
          pid: PID, tid: HARDIRQ_TID, args: { irq: e.irq, action: names[open.action] ?? '?', ret: e.arg },
        });
        break;
      }
      case IRQ_TRACE.THREAD_WAKE:
        flow++;
        pendingFlows.set(e.arg, flow);
        out.push({ name: `wake ${names[e.arg] ?? '?'}`, cat: 'wake', ph: 'i', s: 't', ts: e.timeUs, pid: PID, tid: HARDIRQ_TID, args: { irq: e.irq } });
        out.push({ name: 'wake', cat: 'wake', ph: 's', id: flow, ts: e.timeUs, pid: PID, tid: HARDIRQ_TID });
        break;
      case IRQ_TRACE.THREAD_RUN: {
        openRuns.set(e.arg, { ts: e.timeUs, irq: e.irq });
        const id = pendingFlows.get(e.arg);
        if (id !== undefined) {
          pendingFlows.delete(e.arg);
          out.push({ name: 'wake', cat: 'wake', ph: 'f', bp: 'e', id, ts: e.timeUs, pid: PID, tid: e.arg });
        }
        break;
      }
      case IRQ_TRACE.THREAD_SLEEP:
        out.push({ name: 'sleep', cat: 'thread', ph: 'i', s: 't', ts: e.timeUs, pid: PID, tid: e.arg, args: { irq: e.irq } });
        break;
      case IRQ_TRACE.THREAD_FINISH: {
        const open = openRuns.get(e.arg);
        if (open === undefined) break;
        openRuns.delete(e.arg);
        out.push({ name: `irq ${open.irq}`, cat: 'thread', ph: 'X', ts: open.ts, dur: e.timeUs - open.ts, pid: PID, tid: e.arg, args: { irq: open.irq, thread: names[e.arg] ?? '?' } });
        break;
      }
      case IRQ_TRACE.MASK:
      case IRQ_TRACE.UNMASK:
        out.push({ name: `irq ${e.irq} masked`, ph: 'C', ts: e.timeUs, pid: PID, tid: HARDIRQ_TID, args: { masked: e.kind === IRQ_TRACE.MASK ? 1 : 0 } });
        break;
      case IRQ_TRACE.SPURIOUS:
        out.push({ name: `irq ${e.irq}: nobody cared, disabled`, cat: 'spurious', ph: 'i', s: 'g', ts: e.timeUs, pid: PID, tid: HARDIRQ_TID, args: { irq: e.irq } });
        break;
      case IRQ_TRACE.STORM:
        out.push({ name: `irq ${e.irq}: ${e.arg ? 'storm, polled' : 'storm over'}`, cat: 'storm', ph: 'i', s: 'g', ts: e.timeUs, pid: PID, tid: HARDIRQ_TID, args: { irq: e.irq } });
        break;
    }
  }
  for (const [tid, open] of openRuns) {
    out.push({ name: `irq ${open.irq}`, cat: 'thread', ph: 'X', ts: open.ts, dur: end - open.ts, pid: PID, tid, args: { irq: open.irq, thread: names[tid] ?? '?', unfinished: 1 } });
  }
  return { traceEvents: out, displayTimeUnit: 'ms', otherData: { source: title, events: events.length, overwritten: tracer.overwritten } };
}
