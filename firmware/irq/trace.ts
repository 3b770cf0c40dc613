/*
 * Tracepoints, after the kernel's irq_handler_entry / irq_handler_exit (include/trace/events/irq.h) and the
 * scheduler's wakeup and switch events, into a fixed-size ring buffer. Off unless IrqCore gets `trace`; off
 * (or stopped), `ctx.tracer` (the descriptors' IrqContext, desc.ts) is undefined and each tracepoint is one
 * property test (no allocation, no call). On, recording an event writes three numbers into preallocated typed
 * arrays (the time, the kind and irq packed into one, the argument): still no allocation on the hot path. When
 * the ring is full the oldest events are overwritten and counted.
 *
 * Events carry ids instead of names: every action and thread gets a small number when it is created, and
 * the name table is kept beside the ring (created at request time, never on the hot path).
 */

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

export class IrqTracer {
  readonly capacity: number;
  private readonly times: Float64Array;
  /** An event's kind and irq packed into one number (kind | irq << 4; kinds fit 4 bits, irqs 27), one write fewer per event. */
  private readonly kindIrqs: Int32Array;
  private readonly args: Int32Array;
  /** Events recorded in all: the next one goes to recorded % capacity; the ring's size and the overwritten count follow. */
  private recorded = 0;
  /** Names of actions and threads, by id (id 0 is unused). */
  readonly names: string[] = [''];
  /** Which ids are threads (the rest are actions). */
  readonly threadIds: Set<number> = new Set();

  constructor(capacity: number, private readonly now: () => number) {
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.kindIrqs = new Int32Array(capacity);
    this.args = new Int32Array(capacity);
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
    const n = this.recorded;
    const i = n % this.capacity;
    this.times[i] = this.now();
    this.kindIrqs[i] = kind | (irq << 4);
    this.args[i] = arg;
    this.recorded = n + 1;
  }

  /**
   * An event at `timeUs`, a clock reading the caller already has: the events of one hardirq or of one thread
   * run share the reading that run or hardirq takes anyway, so tracing adds no clock reads there.
   */
  recordAt(kind: IrqTraceKind, irq: number, arg: number, timeUs: number): void {
    const n = this.recorded;
    const i = n % this.capacity;
    this.times[i] = timeUs;
    this.kindIrqs[i] = kind | (irq << 4);
    this.args[i] = arg;
    this.recorded = n + 1;
  }

  /**
   * A handler's entry and exit at one clock reading (the default primary handler, which is not called): two
   * events in one call, as each call costs XS as much as the writes it makes.
   */
  recordHandler(irq: number, actionId: number, ret: number, timeUs: number): void {
    const n = this.recorded;
    const capacity = this.capacity;
    const kindIrq = irq << 4;
    let i = n % capacity;
    this.times[i] = timeUs;
    this.kindIrqs[i] = IRQ_TRACE.HANDLER_ENTRY | kindIrq;
    this.args[i] = actionId;
    i = (n + 1) % capacity;
    this.times[i] = timeUs;
    this.kindIrqs[i] = IRQ_TRACE.HANDLER_EXIT | kindIrq;
    this.args[i] = ret;
    this.recorded = n + 2;
  }

  /** Events in the ring. */
  get size(): number {
    return Math.min(this.recorded, this.capacity);
  }

  /** Events overwritten because the ring was full. */
  get overwritten(): number {
    return Math.max(0, this.recorded - this.capacity);
  }

  /** The events in the ring, oldest first (allocates: for export, not for the hot path). */
  events(): IrqTraceEvent[] {
    const out: IrqTraceEvent[] = [];
    const size = this.size;
    for (let n = this.recorded - size; n < this.recorded; n++) {
      const i = n % this.capacity;
      const kindIrq = this.kindIrqs[i];
      out.push({ timeUs: this.times[i], kind: (kindIrq & 15) as IrqTraceKind, irq: kindIrq >>> 4, arg: this.args[i] });
    }
    return out;
  }

  clear(): void {
    this.recorded = 0;
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
