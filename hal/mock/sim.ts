/*
 * A discrete-event simulator on virtual microseconds: the clock and scheduler behind the simulated board.
 *
 * Nothing here looks at real time. Events run in (time, insertion) order, and between two events every
 * pending promise job is allowed to finish, so async code (an interrupt thread awaiting an I2C read)
 * progresses in virtual time exactly as far as it can before the next event happens.
 *
 * Code costs no virtual time unless it says so (spend, or the `cpu` option's per-burst charge). So a loop of
 * events that keep scheduling each other at the same instant (a level line whose device is never cleared,
 * re-raised after every thread run) would spin forever with the clock standing still, and nothing that
 * measures rates in virtual time (the storm detector) could see it. The no-progress guard stops it: more than
 * `stallEvents` events at one instant reject advance()/runUntilIdle() with a SimStallError, which carries what
 * the stall reporters (onStall; hal/mock/stall.ts names the irqs and threads) say ran there.
 */

import type { Platform, PlatformDeferred } from '../../firmware/irq';

/** A scheduled callback. Cancel it with `Simulator.cancel`. */
export interface SimTimer {
  /** Virtual time (µs) at which it runs. */
  readonly time: number;
  readonly cancelled: boolean;
}

/**
 * Virtual CPU time charged for work that otherwise runs in no time at all (SimulatorOptions.cpu; Simulator.cpu
 * holds both fields, 0 for one not given). Each must be a finite number of µs >= 0.
 */
export interface SimulatorCpuCost {
  /**
   * µs per interrupt delivered: only stored here. The simulated IO layer charges it, with
   * `sim.spend(sim.cpu.hardirqUs)`, when it delivers an interrupt.
   */
  hardirqUs?: number;
  /**
   * µs per run of a createDeferred callback (the core's thread runner: one burst, however many thread runs it
   * holds; the HAL's replay job), charged with spend() before the callback runs.
   */
  threadUs?: number;
}

export interface SimulatorOptions {
  /** Seed for `random()`; the same seed gives the same sequence. */
  seed?: number;
  /**
   * The no-progress guard: more events than this at one virtual instant, without the clock moving, is a
   * stall (SimStallError). An integer >= 1, or Infinity to turn the guard off; DEFAULT_STALL_EVENTS by default.
   */
  stallEvents?: number;
  /** Virtual CPU cost of interrupts and thread bursts, µs (finite, >= 0); both 0 by default. */
  cpu?: SimulatorCpuCost;
}

/**
 * The default no-progress bound: events at one instant. Above what an honest workload runs without the clock
 * moving: the kernel's spurious detector needs SPURIOUS_WINDOW (100,000) interrupts of a stuck line to disable
 * it, and with no CPU cost they all come at one instant, up to two events each (the delivery and the runner's
 * burst of a threaded line); the host tests' largest such burst is 100,010 events (spurious.test.ts). Below
 * runUntilIdle's default maxEvents, so a livelock there is reported as a stall, with the reporters' story.
 * The cost of reaching it is the simulator's per-event promise drain (a setImmediate): 0.3 to 5 s of real time.
 */
export const DEFAULT_STALL_EVENTS = 250_000;

/** What a stall reporter is told when the guard trips. */
export interface SimStallInfo {
  /** The instant (virtual µs) the clock is stuck at. */
  readonly timeUs: number;
  /** Events run at that instant (the bound). */
  readonly events: number;
  /** Of those, the events run since the reporters' mark(): the window a reporter's differences cover. */
  readonly sinceMark: number;
}

/**
 * Told about a stall, to say what ran in it (Simulator.onStall). Two phases, so a reporter can tell what ran
 * during the stall from what ran since boot: mark() when half the bound of events have run at one instant
 * (take a baseline of whatever you count), describe() at the bound (say what changed since). mark() may come
 * without describe(), whenever an instant gets halfway and the clock then moves on; describe() always follows a
 * mark() at the same instant. Neither runs on any other event, so they may be slow.
 */
export interface SimStallReporter {
  mark?(): void;
  /** A sentence (or '' for nothing to say) on what ran since mark(): it goes into the SimStallError's message. */
  describe(stall: SimStallInfo): string;
}

/**
 * advance() or runUntilIdle() found more than `stallEvents` events at one virtual instant: code that never
 * spends virtual time keeps scheduling more at the same time, and would spin forever. The clock stays at that
 * instant, and the event that would have gone over the bound stays queued; the count starts again, so a
 * caller that fixes the cause may go on.
 */
export class SimStallError extends Error {
  constructor(
    /** The instant (virtual µs) the clock is stuck at. */
    readonly timeUs: number,
    /** Events run at that instant. */
    readonly events: number,
    /** What each stall reporter said, in registration order (empty ones left out). */
    readonly reports: readonly string[],
  ) {
    super(
      `Simulator: no progress: ${grouped(events)} events ran at ${grouped(timeUs)} µs without virtual time moving ` +
        `(the stallEvents bound). ` +
        (reports.length !== 0
          ? reports.join(' ')
          : 'No stall reporter said what ran (sim.onStall; reportIrqStalls in hal/mock/stall.ts names irqs and threads).'),
    );
    this.name = 'SimStallError';
  }
}

/** 1234567 as "1,234,567", without relying on toLocaleString (XS has no Intl). */
export function grouped(n: number): string {
  const [whole, fraction] = String(n).split('.');
  const digits = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? digits : `${digits}.${fraction}`;
}

function checkCost(value: unknown, field: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`Simulator: cpu.${field} must be a finite number of µs >= 0, not ${String(value)}`);
  }
  return value;
}

export interface RunLimits {
  /** Most virtual time (µs) runUntilIdle may cover before it gives up. */
  maxUs?: number;
  /** Most events runUntilIdle may run before it gives up. */
  maxEvents?: number;
}

const DEFAULT_MAX_US = 10_000_000;
const DEFAULT_MAX_EVENTS = 1_000_000;

class Scheduled implements SimTimer {
  cancelled = false;
  /** Position in the heap while queued, -1 once out of it. */
  index = -1;
  constructor(
    readonly time: number,
    readonly seq: number,
    public cb: (() => void) | undefined,
  ) {}

  /** A background event (afterBackground): runUntilIdle does not wait for it. Set on those only (no cost to others). */
  declare background?: boolean;
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/**
 * Binary min-heap on (time, seq): O(log n) insert, pop and removal, so 100k pending events stay cheap and a
 * cancelled timer leaves at once instead of weighing on every later event until its time comes.
 */
class EventHeap {
  private readonly items: Scheduled[] = [];

  peek(): Scheduled | undefined {
    return this.items[0];
  }

  push(item: Scheduled): void {
    this.items.push(item);
    this.up(this.items.length - 1, item);
  }

  pop(): Scheduled | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  remove(item: Scheduled): void {
    if (item.index >= 0 && this.items[item.index] === item) this.removeAt(item.index);
  }

  private removeAt(i: number): void {
    const items = this.items;
    const gone = items[i];
    gone.index = -1;
    const last = items.pop()!;
    if (last === gone) return;
    // The last item takes the hole, then moves up or down to its place.
    if (i > 0 && before(last, items[(i - 1) >> 1])) this.up(i, last);
    else this.down(i, last);
  }

  private up(i: number, item: Scheduled): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent])) break;
      items[i] = items[parent];
      items[i].index = i;
      i = parent;
    }
    items[i] = item;
    item.index = i;
  }

  private down(i: number, item: Scheduled): void {
    const items = this.items;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(items[right], items[left]) ? right : left;
      if (!before(items[child], item)) break;
      items[i] = items[child];
      items[i].index = i;
      i = child;
    }
    items[i] = item;
    item.index = i;
  }
}

type MacrotaskScheduler = (cb: () => void) => unknown;

/*
 * Captured when the module loads, before a test can install fake timers over it: the drain must reach the
 * real event loop, or it would wait for a fake clock nobody advances.
 */
const hostSetImmediate: MacrotaskScheduler | undefined = (() => {
  const candidate = (globalThis as { setImmediate?: unknown }).setImmediate;
  return typeof candidate === 'function' ? (candidate as MacrotaskScheduler).bind(globalThis) : undefined;
})();

/** How many promise hops the fallback drain allows a continuation chain between two events. */
const FALLBACK_DRAIN_TICKS = 64;

/**
 * Lets every pending promise job run to completion before the simulator takes the next event.
 *
 * On Node a macrotask boundary (setImmediate) runs only once the microtask queue is empty, so it drains
 * chains of any length. An engine without one (XS on the board) gets a bounded number of `await`s instead:
 * chains longer than FALLBACK_DRAIN_TICKS hops simply continue after the next event.
 */
async function drainPromiseJobs(): Promise<void> {
  if (hostSetImmediate !== undefined) {
    const schedule = hostSetImmediate;
    await new Promise<void>((resolve) => {
      schedule(resolve);
    });
    return;
  }
  for (let i = 0; i < FALLBACK_DRAIN_TICKS; i++) await Promise.resolve();
}

/** mulberry32: tiny, fast and good enough for device jitter; returns the next state and a value in [0, 1). */
function mulberry32(state: number): [number, number] {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [next, ((t ^ (t >>> 14)) >>> 0) / 4294967296];
}

export class Simulator {
  readonly platform: Platform;
  /** Virtual CPU cost (options.cpu, 0 for a field not given), frozen. */
  readonly cpu: Readonly<Required<SimulatorCpuCost>>;
  /** The no-progress bound: more events than this at one instant is a SimStallError. */
  readonly stallEvents: number;

  private time = 0;
  /** The CPU charge of the runner burst running now, not yet spent, and the clock reads it has made. */
  private burstCharge = 0;
  private burstReads = 0;
  private seq = 0;
  private queued = 0;
  /** Of the queued events, the background ones (afterBackground). */
  private backgroundQueued = 0;
  private runCount = 0;
  private rngState: number;
  private running = false;
  private readonly heap = new EventHeap();
  /** The no-progress guard: the instant being counted, events run at it, and the count that calls checkStall. */
  private instant = 0;
  private atInstant = 0;
  private nextCheck: number;
  private marked = false;
  private readonly markAt: number;
  /** Replaced, never mutated, so a reporter may unsubscribe while the reporters are being called. */
  private reporters: readonly SimStallReporter[] = [];
  private markFailures: string[] = [];

  constructor(options: SimulatorOptions = {}) {
    this.rngState = (options.seed ?? 1) | 0;
    const stallEvents = options.stallEvents ?? DEFAULT_STALL_EVENTS;
    if (!((Number.isInteger(stallEvents) && stallEvents >= 1) || stallEvents === Infinity)) {
      throw new RangeError(`Simulator: stallEvents must be an integer >= 1 or Infinity, not ${String(stallEvents)}`);
    }
    this.stallEvents = stallEvents;
    this.markAt = Math.max(1, Math.floor(stallEvents / 2));
    this.nextCheck = this.markAt;
    const cpu = options.cpu ?? {};
    this.cpu = Object.freeze({ hardirqUs: checkCost(cpu.hardirqUs, 'hardirqUs'), threadUs: checkCost(cpu.threadUs, 'threadUs') });
    this.platform = Object.freeze({
      now: (): number => this.now(),
      defer: (cb: () => void): void => this.defer(cb),
      createDeferred: (cb: () => void): PlatformDeferred => this.createDeferred(cb),
      setTimer: (cb: () => void, delayUs: number): unknown => this.after(delayUs, cb),
      setBackgroundTimer: (cb: () => void, delayUs: number): unknown => this.afterBackground(delayUs, cb),
      clearTimer: (handle: unknown): void => {
        if (handle instanceof Scheduled) this.cancel(handle);
      },
    });
  }

  /** Virtual time in µs; starts at 0 and never moves backwards. */
  now(): number {
    // The second read in a charged burst spends the burst's CPU charge (createDeferred).
    if (this.burstCharge !== 0 && this.burstReads++ !== 0) this.payBurstCharge();
    return this.time;
  }

  private payBurstCharge(): void {
    this.time += this.burstCharge;
    this.burstCharge = 0;
  }

  /** Events that have run so far (cancelled ones are not counted). */
  get eventsRun(): number {
    return this.runCount;
  }

  /** Events scheduled and neither run nor cancelled yet (background ones included). */
  get pending(): number {
    return this.queued;
  }

  /** Schedule `cb` at absolute virtual time `timeUs`; a time before now() is a RangeError. */
  at(timeUs: number, cb: () => void): SimTimer {
    if (!Number.isFinite(timeUs)) throw new RangeError(`Simulator.at: time ${timeUs} is not a finite number`);
    if (timeUs < this.time) {
      throw new RangeError(`Simulator.at: time ${timeUs} µs is in the past (now ${this.time} µs)`);
    }
    const item = new Scheduled(timeUs, this.seq++, cb);
    this.heap.push(item);
    this.queued++;
    return item;
  }

  /** Schedule `cb` `delayUs` (>= 0) after now(). */
  after(delayUs: number, cb: () => void): SimTimer {
    if (!(delayUs >= 0)) throw new RangeError(`Simulator.after: delay ${delayUs} µs must be >= 0`);
    if (this.burstCharge !== 0) this.payBurstCharge();
    return this.at(this.time + delayUs, cb);
  }

  /**
   * Schedule a background event `delayUs` (>= 0) after now() (Platform.setBackgroundTimer: a check that runs
   * as long as the system does). advance() runs it like any other; runUntilIdle() runs it only while other
   * events are left, and returns when nothing else is.
   */
  afterBackground(delayUs: number, cb: () => void): SimTimer {
    if (!(delayUs >= 0) || !Number.isFinite(delayUs)) throw new RangeError(`Simulator.afterBackground: delay ${delayUs} µs must be finite and >= 0`);
    // Counted out when it runs (by its own callback: the run loop pays nothing for them) or is cancelled.
    const item = this.at(this.time + delayUs, () => {
      this.backgroundQueued--;
      cb();
    }) as Scheduled;
    item.background = true;
    this.backgroundQueued++;
    return item;
  }

  /** Run `cb` at the current time, after every event already queued for this time. */
  defer(cb: () => void): void {
    if (this.burstCharge !== 0) this.payBurstCharge();
    this.at(this.time, cb);
  }

  /**
   * A deferred call for the core's runners (Platform.createDeferred): schedule() is defer(cb), once until it
   * has run, so a runner's bursts are ordered among the other events exactly as with defer. The simulator
   * allocates an event per schedule() either way; the board's implementation (hal/esp32/platform.ts) does not.
   *
   * Each run is charged `cpu.threadUs`: per burst of the core's runner, not per thread run in it. The charge
   * is spent when the burst first does something that shows time after its start: its second clock read, or
   * scheduling anything (after, defer, a deferred call). The runner reads the clock as the burst starts and
   * again when its first thread function returns, so that run is timed with the charge in it, as on a busy CPU,
   * and the core's storm accounting bills it to the run's line: a storm of threads that make no progress is
   * seen and polled. A thread function that reads the clock or starts a transfer does so after the charge; a
   * burst that does neither pays at its end.
   */
  createDeferred(cb: () => void): PlatformDeferred {
    let pending: SimTimer | undefined;
    const threadUs = this.cpu.threadUs;
    const run = (): void => {
      pending = undefined;
      if (threadUs === 0) {
        cb();
        return;
      }
      this.burstCharge = threadUs;
      this.burstReads = 0;
      try {
        cb();
      } finally {
        if (this.burstCharge !== 0) this.payBurstCharge();
      }
    };
    return Object.freeze({
      schedule: (): void => {
        if (pending !== undefined) return;
        if (this.burstCharge !== 0) this.payBurstCharge();
        pending = this.at(this.time, run);
      },
      cancel: (): void => {
        if (pending === undefined) return;
        this.cancel(pending);
        pending = undefined;
      },
    });
  }

  /**
   * Model CPU time used by the code running now (a handler busy for `us`): the clock moves on at once,
   * and events that fell due meanwhile run late, after the current job, as on a busy single core. Moving the
   * clock (us > 0) is progress: the no-progress guard's count starts again at the next event.
   */
  spend(us: number): void {
    if (!(us >= 0) || !Number.isFinite(us)) throw new RangeError(`Simulator.spend: ${us} µs must be finite and >= 0`);
    this.time += us;
  }

  /**
   * Register a stall reporter: its mark() and describe() are called as SimStallReporter says, and what
   * describe() returns goes into the SimStallError. Returns the unsubscribe function.
   */
  onStall(reporter: SimStallReporter): () => void {
    if (reporter === null || typeof reporter !== 'object' || typeof reporter.describe !== 'function') {
      throw new TypeError('Simulator.onStall: a reporter needs a describe(stall) method');
    }
    this.reporters = [...this.reporters, reporter];
    // Registered past the halfway mark of this instant: give it its baseline now, so describe() has one.
    if (this.marked && this.instant === this.time) this.markOne(reporter);
    return () => {
      this.reporters = this.reporters.filter((r) => r !== reporter);
    };
  }

  /** Stop a timer from running. Cancelling one that already ran, or twice, does nothing. */
  cancel(timer: SimTimer): void {
    if (!(timer instanceof Scheduled) || timer.cancelled || timer.cb === undefined) return;
    timer.cancelled = true;
    timer.cb = undefined;
    this.heap.remove(timer);
    this.queued--;
    if (timer.background) this.backgroundQueued--;
  }

  /** A seeded pseudo-random number in [0, 1), deterministic per seed. */
  random(): number {
    const [state, value] = mulberry32(this.rngState);
    this.rngState = state;
    return value;
  }

  /**
   * Run every event due up to now() + us, in (time, insertion) order, letting promise jobs finish between
   * events; then set the clock to now() + us. Events that running code schedules inside the window run too.
   *
   * If an event callback throws, the returned promise rejects with that error. The failed event is gone from
   * the queue and counted in eventsRun, the clock stays at that event's time, and the rest of the queue is
   * untouched, so a later advance() carries on from there.
   */
  async advance(us: number): Promise<void> {
    if (!(us >= 0) || !Number.isFinite(us)) throw new RangeError(`Simulator.advance: ${us} µs must be finite and >= 0`);
    const target = this.time + us;
    await this.run('advance', async () => {
      while (await this.runNext(target)) {
        // Each iteration runs one event.
      }
      // A spend() in the last event may have carried the clock past the target already.
      if (target > this.time) this.time = target;
    });
  }

  /**
   * Run events until none is left but background ones (afterBackground: they run while others are left, and
   * are not waited for). Throws, naming the events run, when more than `maxEvents` events or `maxUs` of
   * virtual time would be needed: a periodic timer or an interrupt storm never goes idle, and should fail
   * loudly rather than hang. The clock stays at the last event run.
   */
  async runUntilIdle(limits: RunLimits = {}): Promise<void> {
    const maxUs = limits.maxUs ?? DEFAULT_MAX_US;
    const maxEvents = limits.maxEvents ?? DEFAULT_MAX_EVENTS;
    const start = this.time;
    const deadline = start + maxUs;
    const firstRun = this.runCount;
    await this.run('runUntilIdle', async () => {
      for (;;) {
        const ran = this.runCount - firstRun;
        if (ran >= maxEvents) {
          await drainPromiseJobs();
          if (this.idle()) return;
          throw new Error(
            `Simulator.runUntilIdle: still busy after ${ran} events (limit ${maxEvents}) ` +
              `over ${this.time - start} µs; ${this.queued} events pending`,
          );
        }
        if (!(await this.runNext(deadline, true))) {
          if (this.idle()) return;
          const next = this.nextLive()!;
          throw new Error(
            `Simulator.runUntilIdle: still busy after ${maxUs} µs of virtual time (limit) and ${ran} events; ` +
              `next event at ${next.time} µs, ${this.queued} events pending`,
          );
        }
      }
    });
  }

  /** Refuse overlapping runs: two loops popping the same queue would interleave events out of order. */
  private async run(what: string, body: () => Promise<void>): Promise<void> {
    if (this.running) throw new Error(`Simulator.${what}: called while the simulator is already running events`);
    this.running = true;
    try {
      await body();
    } finally {
      this.running = false;
    }
  }

  /** Nothing is queued but background events. */
  private idle(): boolean {
    return this.queued === this.backgroundQueued;
  }

  /**
   * Drain promise jobs, then run the next event if it is due by `limit` (and, with `untilIdle`, if anything but
   * background events is queued). Returns whether one ran.
   */
  private async runNext(limit: number, untilIdle?: boolean): Promise<boolean> {
    await drainPromiseJobs();
    if (untilIdle && this.queued === this.backgroundQueued) return false;
    const next = this.nextLive();
    if (next === undefined || next.time > limit) return false;
    // The no-progress guard, before the event is taken: a stall leaves it queued. An event made late by
    // spend() runs at now(), so the instant it counts toward is the later of the two.
    const time = next.time > this.time ? next.time : this.time;
    if (time !== this.instant) {
      this.instant = time;
      this.atInstant = 0;
      this.nextCheck = this.markAt;
      this.marked = false;
    } else if (this.atInstant === this.nextCheck) {
      this.checkStall();
    }
    this.atInstant++;
    this.heap.pop();
    const cb = next.cb as () => void;
    next.cb = undefined;
    this.queued--;
    this.runCount++;
    // An event made late by spend() runs now, not back in its own time.
    this.time = time;
    cb();
    return true;
  }

  /** atInstant reached nextCheck: halfway, mark the reporters; at the bound, throw the stall. */
  private checkStall(): void {
    if (!this.marked) {
      this.marked = true;
      this.markFailures = [];
      for (const reporter of this.reporters) this.markOne(reporter);
      if (this.atInstant < this.stallEvents) {
        this.nextCheck = this.stallEvents;
        return;
      }
    }
    const stall: SimStallInfo = Object.freeze({ timeUs: this.instant, events: this.atInstant, sinceMark: this.atInstant - this.markAt });
    const reports = [...this.markFailures];
    for (const reporter of this.reporters) {
      try {
        const text = reporter.describe(stall);
        if (text) reports.push(String(text));
      } catch (err) {
        reports.push(`(a stall reporter failed in describe: ${err instanceof Error ? err.message : String(err)})`);
      }
    }
    // Start counting afresh: a caller that catches the error and fixes the cause may go on.
    this.atInstant = 0;
    this.nextCheck = this.markAt;
    this.marked = false;
    throw new SimStallError(stall.timeUs, stall.events, reports);
  }

  private markOne(reporter: SimStallReporter): void {
    try {
      reporter.mark?.();
    } catch (err) {
      this.markFailures.push(`(a stall reporter failed in mark: ${err instanceof Error ? err.message : String(err)})`);
    }
  }

  /** The earliest event (cancelled ones have left the heap already). */
  private nextLive(): Scheduled | undefined {
    return this.heap.peek();
  }
}
