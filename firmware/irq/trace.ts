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
 * tracepoint of the cold paths is a record of one event. The two hot paths write one record each, of several
 * events, in one call: a hardirq of the level flow's fast path (and the default primary handler's entry and
 * exit elsewhere) is one record (mask, entry, exit, wakeup), a thread run is one record (run and finish, the
 * unmask after it; or run and sleep). On XS a call with its arguments costs as much as the four writes it
 * makes, so events per call is what tracing costs.
 *
 * A run's record is written when its synchronous part ends, but its RUN event belongs where the run began:
 * the runner marks the ring when a run starts (runFrom), and the record keeps how many records came in between
 * (what the thread function itself traced), so events() puts RUN back before them.
 */

/** Record codes beyond the single events' kinds (IRQ_TRACE, 1..10): code = kind | flags << 4 | irq << 8. */
const REC_HARDIRQ = 14;
const REC_RUN = 15;
/** A hardirq record's flag: the flow masked the line first (a MASK event before the handler's). */
export const TRACE_HARDIRQ_MASKED = 1 << 4;
/** A run record's flags: the run went to sleep (SLEEP instead of FINISH); the line was unmasked after it. */
export const TRACE_RUN_SLEPT = 1 << 4;
export const TRACE_RUN_UNMASKED = 2 << 4;
/** A run record's argument: the thread's id + the records written during the run × ID_SPAN. */
const ID_SPAN = 2 ** 24;
const FIELDS = 4;

export class IrqTracer {
  /** Records the ring holds (each one event or several: see above). */
  readonly capacity: number;
  /** capacity records of FIELDS numbers: [time, second time, code, argument]. */
  private readonly ring: Float64Array;
  /**
   * Records written in all: the next one goes to recorded % capacity; the ring's size and the overwritten count
   * follow. Written only here (the runner reads it into runFrom).
   */
  recorded = 0;
  /** `recorded` when the current thread run began (set by the runner; read by run()). */
  runFrom = 0;
  /** Names of actions and threads, by id (id 0 is unused). */
  readonly names: string[] = [''];
  /** Which ids are threads (the rest are actions). */
  readonly threadIds: Set<number> = new Set();

  constructor(capacity: number, private readonly now: () => number) {
    this.capacity = capacity;
    this.ring = new Float64Array(capacity * FIELDS);
  }

  /** A new id for an action or thread name (at request time). */
  register(name: string, thread: boolean): number {
    const id = this.names.length;
    this.names.push(name);
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
   * A thread run of `threadId` for `irq`, from `startUs` to `endUs`: RUN, then SLEEP (TRACE_RUN_SLEPT) or
   * FINISH and, with TRACE_RUN_UNMASKED, the line's UNMASK. Its RUN goes where runFrom marked the ring.
   */
  run(irq: number, threadId: number, flags: number, startUs: number, endUs: number): void {
    const n = this.recorded;
    const i = (n % this.capacity) * FIELDS;
    const ring = this.ring;
    ring[i] = startUs;
    ring[i + 1] = endUs;
    ring[i + 2] = REC_RUN | flags | (irq << 8);
    ring[i + 3] = threadId + (n - this.runFrom) * ID_SPAN;
    this.recorded = n + 1;
  }

  private write(time: number, time2: number, code: number, arg: number): void {
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
      const kind = code & 15;
      const irq = code >>> 8;
      const events: IrqTraceEvent[] = [];
      if (kind === REC_HARDIRQ) {
        if (code & TRACE_HARDIRQ_MASKED) events.push({ timeUs: time, kind: IRQ_TRACE.MASK, irq, arg: 0 });
        events.push({ timeUs: time, kind: IRQ_TRACE.HANDLER_ENTRY, irq, arg });
        events.push({ timeUs: time, kind: IRQ_TRACE.HANDLER_EXIT, irq, arg: IRQ_WAKE_THREAD });
        if (time2 !== 0) events.push({ timeUs: time, kind: IRQ_TRACE.THREAD_WAKE, irq, arg: time2 });
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
        if (code & TRACE_RUN_SLEPT) {
          events.push({ timeUs: time2, kind: IRQ_TRACE.THREAD_SLEEP, irq, arg: tid });
        } else {
          events.push({ timeUs: time2, kind: IRQ_TRACE.THREAD_FINISH, irq, arg: tid });
          if (code & TRACE_RUN_UNMASKED) events.push({ timeUs: time2, kind: IRQ_TRACE.UNMASK, irq, arg: 0 });
        }
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
    return out;
  }

  clear(): void {
    this.recorded = 0;
    this.runFrom = 0;
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
